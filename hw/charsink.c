/*
 * hw/charsink.c — the host ends of character devices: output sinks (stdout or a file, line
 * buffered so a guest's lines appear whole and promptly) and stdin as serial input.
 *
 * Input never blocks the vCPU: poll() with a zero timeout before each read(), so stdin keeps
 * its blocking mode (it is shared with the shell). When stdin is a terminal it is put in raw
 * mode (no echo, no line editing, no CR/LF translation) so keystrokes reach the guest as
 * typed; ISIG stays on, so Ctrl-C still ends ferry. The mode is restored at exit.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hw/board.h"

static bool stdout_configured;
static bool input_active;       /* started and not at EOF */
static bool tty_saved;
static struct termios saved_tty;

FILE *charsink_open(const CharSink *s)
{
    switch (s->kind) {
    case SERIAL_STDIO:
        if (!stdout_configured) {
            setvbuf(stdout, NULL, _IOLBF, 0);
            stdout_configured = true;
        }
        return stdout;
    case SERIAL_FILE: {
        FILE *f = fopen(s->path, "w");
        if (!f) {
            fprintf(stderr, "ferry: cannot open '%s' for writing: %s\n", s->path, strerror(errno));
            return NULL;
        }
        setvbuf(f, NULL, _IOLBF, 0);
        return f;
    }
    default:
        fprintf(stderr, "ferry: internal error: no sink to open\n");
        return NULL;
    }
}

void charsink_input_stop(void)
{
    if (tty_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
        tty_saved = false;
    }
    input_active = false;
}

void charsink_input_start(void)
{
    if (input_active) return;
    input_active = true;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) != 0) return;
    struct termios raw = saved_tty;
    raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | IEXTEN);
    raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
        tty_saved = true;
        atexit(charsink_input_stop);
    }
}

int charsink_input_fd(void)
{
    return input_active ? STDIN_FILENO : -1;
}

size_t charsink_input_read(uint8_t *buf, size_t max)
{
    if (!input_active || max == 0) return 0;
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0) return 0;
    ssize_t n = read(STDIN_FILENO, buf, max);
    if (n > 0) return (size_t)n;
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        input_active = false;   /* EOF or a dead descriptor: stop polling it */
    }
    return 0;
}
