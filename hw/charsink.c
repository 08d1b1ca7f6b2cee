/*
 * hw/charsink.c — the host ends of character devices: output sinks (stdout or a file, line
 * buffered so a guest's lines appear whole and promptly) and stdin as serial input.
 *
 * Input never blocks the vCPU: poll() with a zero timeout before each read(), so stdin keeps
 * its blocking mode (it is shared with the shell). When stdin is a terminal it is put in raw
 * mode (no echo, no line editing, no CR/LF translation) so keystrokes reach the guest as
 * typed; ISIG stays on, so Ctrl-C still ends ferry. The mode is restored at exit.
 *
 * As on QEMU's multiplexed stdio, Ctrl-A starts an escape: the next key is looked up in
 * escape_keys (Ctrl-A x quits, Ctrl-A h lists the keys, Ctrl-A Ctrl-A sends one Ctrl-A to
 * the guest); other keys after Ctrl-A are dropped. It applies to stdin whether or not it
 * is a terminal, so a script can send the same keys.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hw/board.h"

#define ESCAPE_CHAR 0x01            /* Ctrl-A */

static bool stdout_configured;
static bool escape_pending;     /* the last byte read was the escape character */
static Machine *input_machine;  /* for the escape keys' actions */
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

/* ---------------------------------------------------------------- escape keys */

static void escape_quit(void)
{
    fprintf(stderr, "ferry: terminated (Ctrl-A x)\n");
    if (input_machine) machine_request_exit(input_machine, 0);
}

static void escape_help(void);

/* Ctrl-A c, with a monitor sharing stdio (-serial mon:stdio): stdin goes to the monitor,
 * which reads it with charsink_monitor_read, until the next Ctrl-A c */
void (*charsink_monitor_switch)(bool to_monitor);
static bool monitor_owns_input;

void charsink_monitor_own(bool to_monitor)
{
    if (!charsink_monitor_switch || monitor_owns_input == to_monitor) return;
    monitor_owns_input = to_monitor;
    charsink_monitor_switch(to_monitor);
}

static void escape_monitor(void)
{
    charsink_monitor_own(!monitor_owns_input);
}

/* A NULL action sends the key itself to the guest. */
static const struct EscapeKey {
    uint8_t key;
    const char *name, *help;
    void (*action)(void);
} escape_keys[] = {
    { 'h', "h", "print this help", escape_help },
    { 'x', "x", "exit ferry", escape_quit },
    { 'c', "c", "switch between the serial console and the monitor", escape_monitor },
    { ESCAPE_CHAR, "C-a", "type C-a itself", NULL },
};
#define NB_ESCAPE_KEYS (sizeof(escape_keys) / sizeof(escape_keys[0]))

static void escape_help(void)
{
    /* the terminal is raw: end lines with CR LF */
    for (size_t i = 0; i < NB_ESCAPE_KEYS; i++) {
        printf("C-a %-4s %s\r\n", escape_keys[i].name, escape_keys[i].help);
    }
    fflush(stdout);
}

/* Run the escapes in buf[0..n) in place; returns how many bytes are left for the guest. */
static size_t filter_escapes(uint8_t *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        if (!escape_pending) {
            if (c == ESCAPE_CHAR) {
                escape_pending = true;
            } else {
                buf[out++] = c;
            }
            continue;
        }
        escape_pending = false;
        for (size_t k = 0; k < NB_ESCAPE_KEYS; k++) {
            if (escape_keys[k].key != c) continue;
            if (escape_keys[k].action) {
                escape_keys[k].action();
            } else {
                buf[out++] = c;
            }
            break;
        }
    }
    return out;
}

void charsink_input_attach(Machine *m)
{
    input_machine = m;
}

int charsink_input_fd(void)
{
    return input_active ? STDIN_FILENO : -1;
}

static size_t read_filtered(uint8_t *buf, size_t max)
{
    if (!input_active || max == 0) return 0;
    if (charsink_monitor_switch) max = 1;   /* a Ctrl-A c never splits one read's bytes */
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0) return 0;
    ssize_t n = read(STDIN_FILENO, buf, max);
    if (n > 0) return filter_escapes(buf, (size_t)n);
    if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        input_active = false;   /* EOF or a dead descriptor: stop polling it */
    }
    return 0;
}

size_t charsink_input_read(uint8_t *buf, size_t max)
{
    return monitor_owns_input ? 0 : read_filtered(buf, max);
}

size_t charsink_monitor_read(uint8_t *buf, size_t max)
{
    return monitor_owns_input ? read_filtered(buf, max) : 0;
}
