/*
 * hw/machine.c — the PC board: RAM, firmware or kernel, the devices, and the run loop
 * around cpu_exec.
 *
 * The loop runs the CPU until it stops: on an exit request it returns the status; on HLT
 * with nothing that could wake the CPU it sleeps in poll() on the serial input (so an idle
 * guest costs no host CPU), lets the devices catch up (input, output flushing), and tries
 * again. There is no interrupt controller yet, so a HLT with nothing else to do simply
 * waits for the user (Ctrl-C) or an exit request.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "hw/board.h"
#include "mmu/mmu.h"
#include "tcg/tcg.h"

#define COM1_IOBASE 0x3f8
#define COM1_IRQ 4
/* How long a halted CPU sleeps before devices are looked at again. */
#define HALT_WAIT_MS 100

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
    if (first_cpu) cpu_interrupt(first_cpu, CPU_INT_EXIT);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void machine_add_device(Machine *m, const DeviceOps *ops, void *state)
{
    if (m->nb_devices == MAX_DEVICES) {
        fprintf(stderr, "ferry: internal error: more than %d devices\n", MAX_DEVICES);
        abort();
    }
    m->devices[m->nb_devices++] = (Device){ ops, state };
}

static void devices_reset(Machine *m)
{
    for (int i = 0; i < m->nb_devices; i++) {
        if (m->devices[i].ops->reset) m->devices[i].ops->reset(m->devices[i].state);
    }
}

static void devices_tick(Machine *m)
{
    uint64_t now = clock_now_ns();
    for (int i = 0; i < m->nb_devices; i++) {
        if (m->devices[i].ops->tick) m->devices[i].ops->tick(m->devices[i].state, now);
    }
}

/* Put the CPU where the machine starts: the firmware's reset vector, or a Multiboot
 * kernel's entry (which is loaded again, as a real boot loader would on reboot). */
static bool machine_boot(Machine *m)
{
    cpu_reset(m->cpu);
    phys_set_a20(true);
    if (m->cfg.kernel) return multiboot_load(m);
    return true;
}

static bool create_devices(Machine *m)
{
    const MachineConfig *cfg = &m->cfg;
    if (cfg->serial.kind != SERIAL_NONE && !uart16550_create(m, COM1_IOBASE, COM1_IRQ, &cfg->serial)) {
        return false;
    }
    if (cfg->debugcon.kind != SERIAL_NONE && !debugcon_create(m, &cfg->debugcon)) return false;
    if (cfg->debug_exit && !debugexit_create(m, cfg->debug_exit_base, cfg->debug_exit_size)) {
        return false;
    }
    return true;
}

Machine *machine_create(const MachineConfig *cfg)
{
    if (!cfg->kernel && !cfg->bios) {
        fprintf(stderr, "ferry: no firmware: give -bios FILE or -kernel FILE (SeaBIOS support comes later)\n");
        return NULL;
    }
    Machine *m = calloc(1, sizeof(*m));
    CPUState *env = calloc(1, sizeof(*env));
    if (!m || !env) {
        fprintf(stderr, "ferry: out of memory\n");
        free(m);
        free(env);
        return NULL;
    }
    m->cfg = *cfg;
    m->cpu = env;
    if (!phys_init(cfg->ram_size)) {
        free(m);
        free(env);
        return NULL;
    }
    cpu_init(env, m);
    if (!first_cpu) first_cpu = env;    /* the one CPU of this process */
    if (!create_devices(m)) goto fail;
    if (cfg->bios && !bios_load(cfg->bios)) goto fail;
    devices_reset(m);
    if (!machine_boot(m)) goto fail;
    return m;
fail:
    /* the partly built machine stays allocated (first_cpu and the port table point into it) */
    return NULL;
}

void machine_request_exit(Machine *m, int status)
{
    if (!m->exit_requested) {
        m->exit_requested = true;
        m->exit_status = status;
    }
    cpu_interrupt(m->cpu, CPU_INT_EXIT);
}

void machine_request_reset(Machine *m)
{
    if (m->cfg.no_reboot) {
        machine_request_exit(m, 0);
        return;
    }
    m->reset_requested = true;
    cpu_interrupt(m->cpu, CPU_INT_EXIT);
}

int machine_irq_ack(Machine *m)
{
    return -1;          /* no interrupt controller yet (hw/irq.c) */
}

/* Sleep until serial input arrives, a signal comes, or the halt timeout passes. */
static void wait_for_event(void)
{
    fflush(NULL);
    struct pollfd p = { .fd = charsink_input_fd(), .events = POLLIN };
    if (p.fd < 0) {
        poll(NULL, 0, HALT_WAIT_MS);
    } else if (poll(&p, 1, HALT_WAIT_MS) < 0 && errno != EINTR) {
        poll(NULL, 0, HALT_WAIT_MS);
    }
}

static bool do_reset(Machine *m)
{
    m->reset_requested = false;
    tb_flush();
    phys_code_clear_all();
    tlb_flush(m->cpu);
    devices_reset(m);
    return machine_boot(m);
}

int machine_run(Machine *m)
{
    install_signal_handlers();
    if (!debug_start(m)) return 1;
    while (!m->exit_requested && !stop_signal) {
        if (debug_service(m)) continue;     /* paused by the debugger or monitor */
        int reason = cpu_exec(m->cpu);
        if (m->exit_requested || stop_signal) break;
        debug_cpu_returned(m, reason);
        if (m->reset_requested && !do_reset(m)) {
            machine_request_exit(m, 1);
            break;
        }
        if (reason == EXCP_HLT) wait_for_event();
        devices_tick(m);
    }
    if (stop_signal && !m->exit_requested) {
        fprintf(stderr, "ferry: terminating on signal %d\n", (int)stop_signal);
        m->exit_status = 128 + stop_signal;
    }
    fflush(NULL);
    charsink_input_stop();
    return m->exit_status;
}
