/*
 * ui/debug.c — the debugger's run state, shared by the gdb stub and the monitor: running,
 * paused or stepping; the breakpoint table the translator consults; guest memory by linear
 * address; and the run-loop hooks declared in hw/hw.h.
 *
 * Breakpoints are never written into guest memory. Setting one flushes the translated code;
 * from then on a block never runs past a breakpoint address and the block at one is looked
 * up unchained, so x86_get_key sees every arrival and stops the CPU before it.
 *
 * Resuming from a breakpoint first steps over the instruction under it, then continues.
 * A step masks interrupts unless debug_set_step_irqs(true) (gdb's Qqemu.sstep) allows them.
 *
 * Watchpoints live in mmu/watch.c; a hit ends cpu_exec after the accessing instruction and
 * is reported here to both front ends like a breakpoint.
 *
 * A running guest notices debugger input through a 20 ms interval timer (SIGALRM) that asks
 * the CPU to leave cpu_exec (CPU_INT_EXIT); the run loop then polls the sockets without
 * blocking. The timer exists only when -gdb or -monitor is given, so a plain run pays
 * nothing; a Ctrl-C from gdb stops the guest within 20 ms plus one block.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "tcg/tcg.h"
#include "ui/ui.h"

#define MAX_BREAKPOINTS 64
#define POLL_PERIOD_US 20000
#define PAUSED_WAIT_MS 100
#define SIGTRAP_NUM 5

typedef enum RunState { RUN_RUNNING, RUN_STOP_REQUESTED, RUN_PAUSED } RunState;

static struct {
    bool active;                    /* a debugger front end or -S exists */
    Machine *m;
    RunState state;
    bool stepping;                  /* a step is in flight */
    bool continue_after_step;       /* the step only moves off a breakpoint */
    bool notify_gdb, notify_monitor;    /* who waits for the next stop */
    bool step_irqs;                 /* interrupts may be delivered during a step */
    uint64_t bp[MAX_BREAKPOINTS];
    int nb_bp;
} dbg;

static CPUState *cpu(void) { return dbg.m->cpu; }

/* ---------------------------------------------------------------- breakpoints */

bool cpu_debug_breakpoint_at(uint64_t linear_pc)
{
    for (int i = 0; i < dbg.nb_bp; i++) {
        if (dbg.bp[i] == linear_pc) return true;
    }
    return false;
}

/* A step executes its instruction even when a breakpoint sits on it. */
bool cpu_debug_breakpoint_hit(CPUState *env, uint64_t linear_pc)
{
    return !(env->debug_flags & CPU_DEBUG_STEP);
}

static void breakpoints_changed(void)
{
    CPUState *env = cpu();
    if (dbg.nb_bp) env->debug_flags |= CPU_DEBUG_BREAKPOINTS;
    else env->debug_flags &= ~(uint32_t)CPU_DEBUG_BREAKPOINTS;
    tb_flush();     /* blocks translated without the breakpoint would run past it */
}

bool debug_breakpoint_insert(uint64_t linear)
{
    if (cpu_debug_breakpoint_at(linear)) return true;
    if (dbg.nb_bp == MAX_BREAKPOINTS) return false;
    dbg.bp[dbg.nb_bp++] = linear;
    breakpoints_changed();
    return true;
}

bool debug_breakpoint_remove(uint64_t linear)
{
    for (int i = 0; i < dbg.nb_bp; i++) {
        if (dbg.bp[i] == linear) {
            dbg.bp[i] = dbg.bp[--dbg.nb_bp];
            breakpoints_changed();
            return true;
        }
    }
    return false;
}

void debug_breakpoint_remove_all(void)
{
    if (!dbg.nb_bp) return;
    dbg.nb_bp = 0;
    breakpoints_changed();
}

/* ---------------------------------------------------------------- guest state views */

uint64_t debug_pc(const CPUState *env)
{
    bool segmented = !(env->hflags & HF_PE) || (env->hflags & HF_VM);
    return segmented ? env->seg[R_CS].base + env->rip : env->rip;
}

int debug_code_bits(const CPUState *env)
{
    return (env->hflags & HF_CS64) ? 64 : (env->hflags & HF_CS32) ? 32 : 16;
}

/* Copies page by page; write=true stores into the guest (invalidating code it overlaps). */
static size_t access_linear(uint64_t la, void *buf, size_t len, bool write)
{
    size_t done = 0;
    while (done < len) {
        uint64_t pa;
        if (!mmu_debug_translate(cpu(), la + done, &pa)) break;
        uint64_t in_page = PAGE_SIZE - ((la + done) & (PAGE_SIZE - 1));
        size_t n = len - done < in_page ? len - done : (size_t)in_page;
        if (write) phys_write(pa, (const uint8_t *)buf + done, n);
        else phys_read(pa, (uint8_t *)buf + done, n);
        done += n;
    }
    return done;
}

size_t debug_read_linear(uint64_t la, void *buf, size_t len) { return access_linear(la, buf, len, false); }
size_t debug_write_linear(uint64_t la, const void *buf, size_t len)
{
    return access_linear(la, (void *)buf, len, true);
}

/* ---------------------------------------------------------------- run state */

bool debug_paused(void) { return dbg.state == RUN_PAUSED; }

static void notify(DebugClient who)
{
    if (who == DEBUG_CLIENT_GDB) dbg.notify_gdb = true;
    else if (who == DEBUG_CLIENT_MONITOR) dbg.notify_monitor = true;
}

void debug_request_stop(DebugClient who)
{
    notify(who);
    if (dbg.state == RUN_PAUSED) {
        /* already stopped: answer at once */
        if (who == DEBUG_CLIENT_GDB) { dbg.notify_gdb = false; gdbstub_stopped(SIGTRAP_NUM, NULL); }
        else if (who == DEBUG_CLIENT_MONITOR) { dbg.notify_monitor = false; monitor_stopped(NULL); }
        return;
    }
    dbg.state = RUN_STOP_REQUESTED;
    cpu_interrupt(cpu(), CPU_INT_EXIT);
}

void debug_set_step_irqs(bool allowed) { dbg.step_irqs = allowed; }

static void set_step(bool on)
{
    CPUState *env = cpu();
    env->debug_flags &= ~(uint32_t)(CPU_DEBUG_STEP | CPU_DEBUG_STEP_NOIRQ);
    if (on) env->debug_flags |= CPU_DEBUG_STEP | (dbg.step_irqs ? 0 : CPU_DEBUG_STEP_NOIRQ);
    dbg.stepping = on;
}

void debug_resume(DebugClient who, bool step)
{
    notify(who);
    CPUState *env = cpu();
    mmu_watch_cancel(env);      /* a hit whose instruction has not re-run: it will hit again */
    bool on_breakpoint = cpu_debug_breakpoint_at(env->seg[R_CS].base + env->rip);
    dbg.continue_after_step = !step && on_breakpoint;
    set_step(step || on_breakpoint);
    dbg.state = RUN_RUNNING;
}

static void report_stop(int signal, const WatchHit *watch)
{
    dbg.state = RUN_PAUSED;
    if (dbg.notify_gdb) { dbg.notify_gdb = false; gdbstub_stopped(signal, watch); }
    if (dbg.notify_monitor) { dbg.notify_monitor = false; monitor_stopped(watch); }
}

void debug_cpu_returned(Machine *m, int reason)
{
    if (!dbg.active) return;
    WatchHit hit;
    if (mmu_watch_take_hit(m->cpu, reason == EXCP_DEBUG, &hit)) {
        /* like a breakpoint: whoever is attached hears of it, a step in flight ends here */
        set_step(false);
        dbg.continue_after_step = false;
        dbg.notify_gdb = gdbstub_fd() >= 0;
        dbg.notify_monitor = true;
        report_stop(SIGTRAP_NUM, &hit);
        return;
    }
    bool step_ended = dbg.stepping && (reason == EXCP_DEBUG || reason == EXCP_HLT);
    if (step_ended) {
        set_step(false);
        if (dbg.continue_after_step) {
            dbg.continue_after_step = false;
            if (dbg.state == RUN_RUNNING) return;    /* off the breakpoint: keep running */
        }
        report_stop(SIGTRAP_NUM, NULL);
        return;
    }
    if (reason == EXCP_DEBUG) {
        /* a breakpoint: the gdb client always hears about it */
        dbg.notify_gdb = gdbstub_fd() >= 0;
        dbg.notify_monitor = true;
        report_stop(SIGTRAP_NUM, NULL);
    } else if (dbg.state == RUN_STOP_REQUESTED) {
        report_stop(2, NULL);   /* SIGINT: what gdb expects after Ctrl-C */
    }
}

/* ---------------------------------------------------------------- run-loop hooks */

static void on_poll_timer(int sig)
{
    if (first_cpu) cpu_interrupt(first_cpu, CPU_INT_EXIT);
}

static bool start_poll_timer(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_poll_timer;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    struct itimerval it = { { 0, POLL_PERIOD_US }, { 0, POLL_PERIOD_US } };
    if (sigaction(SIGALRM, &sa, NULL) != 0 || setitimer(ITIMER_REAL, &it, NULL) != 0) {
        fprintf(stderr, "ferry: cannot start the debugger poll timer: %s\n", strerror(errno));
        return false;
    }
    return true;
}

/* gdb's architecture: -gdb-arch, else ELF class of -kernel (ELF32 -> i386), else x86-64 */
static bool pick_64bit(const MachineConfig *cfg)
{
    if (cfg->gdb_arch) return strcmp(cfg->gdb_arch, "i386") != 0;
    if (!cfg->kernel) return true;
    FILE *f = fopen(cfg->kernel, "rb");
    unsigned char ident[5] = { 0 };
    size_t n = f ? fread(ident, 1, sizeof(ident), f) : 0;
    if (f) fclose(f);
    bool elf = n == sizeof(ident) && !memcmp(ident, "\x7f" "ELF", 4);
    return !(elf && ident[4] == 1);
}

bool debug_start(Machine *m)
{
    const MachineConfig *cfg = &m->cfg;
    dbg.m = m;
    if ((cfg->log_items || cfg->log_file) && !trace_start(cfg->log_items, cfg->log_file)) return false;
    if (cpu_log_mask & (CPU_LOG_EXEC | CPU_LOG_CPU)) m->cpu->debug_flags |= CPU_DEBUG_LOG_BLOCKS;
    if (!cfg->gdb && !cfg->monitor && !cfg->start_paused) return true;
    dbg.active = true;
    dbg.state = cfg->start_paused ? RUN_PAUSED : RUN_RUNNING;
    if (cfg->gdb && !gdbstub_open(cfg->gdb, pick_64bit(cfg))) return false;
    if (cfg->monitor && !monitor_open(cfg->monitor)) return false;
    if (!cfg->gdb && !cfg->monitor) {
        fprintf(stderr, "ferry: -S without -gdb or -monitor: nothing can continue the machine\n");
        return false;
    }
    return start_poll_timer();
}

bool debug_service(Machine *m)
{
    if (!dbg.active) return false;
    gdbstub_poll();
    monitor_poll();
    if (dbg.state != RUN_PAUSED) return false;
    struct pollfd fds[2];
    int n = 0;
    if (gdbstub_fd() >= 0) fds[n++] = (struct pollfd){ .fd = gdbstub_fd(), .events = POLLIN };
    if (monitor_fd() >= 0) fds[n++] = (struct pollfd){ .fd = monitor_fd(), .events = POLLIN };
    fflush(NULL);
    poll(fds, (nfds_t)n, PAUSED_WAIT_MS);
    return true;
}
