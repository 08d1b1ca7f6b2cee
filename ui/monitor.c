/*
 * ui/monitor.c — the human monitor on stdio (-monitor stdio): one command per line, answers
 * on stdout, "(ferry) " prompt. Commands: info registers, info mem / info tlb, x and xp
 * (/Nfmt with x d u c i and b h w g sizes), stop, cont, step, break ADDR, delete ADDR, quit.
 * Commands come from a table (name, handler, help line). A bad command prints a message;
 * nothing the user types can crash the machine.
 *
 * With -serial mon:stdio the monitor shares the terminal with the serial console: stdin
 * belongs to the guest until Ctrl-A c (hw/charsink.c's escape table) hands it here, and the
 * next Ctrl-A c hands it back (while the machine is paused the monitor keeps it: the guest
 * would read nothing). The terminal is raw then, so typed characters are echoed here and a
 * carriage return ends a line.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "hw/board.h"
#include "mmu/mmu.h"
#include "snapshot/snapshot.h"
#include "ui/display.h"
#include "ui/ui.h"

#define LINE_MAX_LEN 512
#define MAX_UNITS 1024

static int in_fd = -1;             /* -1: no monitor, or (muxed) the guest owns stdin */
static bool muxed;                  /* -serial mon:stdio */
static char line[LINE_MAX_LEN];
static size_t line_len;

int monitor_fd(void) { return in_fd; }

static void prompt(void)
{
    printf("(ferry) ");
    fflush(stdout);
}

static void banner(void)
{
    printf("ferry monitor - type 'help' for the commands\n");
    prompt();
}

static void mux_switch(bool to_monitor)
{
    in_fd = to_monitor ? STDIN_FILENO : -1;
    line_len = 0;
    printf("\n");
    if (to_monitor) banner();
    fflush(stdout);
}

bool monitor_open(const char *spec)
{
    if (!strcmp(spec, "mon:stdio")) {
        muxed = true;
        charsink_monitor_switch = mux_switch;
        if (debug_paused()) charsink_monitor_own(true);     /* -S: nothing runs to read it */
        return true;
    }
    if (strcmp(spec, "stdio") != 0) {
        fprintf(stderr, "ferry: -monitor '%s': only stdio is supported\n", spec);
        return false;
    }
    in_fd = STDIN_FILENO;
    banner();
    return true;
}

void monitor_stopped(const WatchHit *watch)
{
    static const char *const kind_names[4] = { "", "write", "read", "access" };
    CPUState *env = first_cpu;
    if (muxed) charsink_monitor_own(true);
    if (in_fd < 0) return;      /* no monitor (or it reached EOF): nobody to tell */
    if (watch) {
        printf("watchpoint %#llx (%s) hit by a %s at %#llx\n", (unsigned long long)watch->addr,
               kind_names[watch->kind & 3], watch->write ? "write" : "read",
               (unsigned long long)watch->access);
    }
    printf("stopped at %#llx\n", (unsigned long long)debug_pc(env));
    prompt();
}

static void info_registers(CPUState *env)
{
    static const char *const names[16] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                           "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15" };
    static const char *const seg_names[NB_SEGS] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    int n = (env->hflags & HF_LMA) ? 16 : 8;
    for (int i = 0; i < n; i++) {
        printf("%-3s=%016llx%s", names[i], (unsigned long long)env->regs[i], i % 4 == 3 ? "\n" : " ");
    }
    printf("RIP=%016llx RFL=%08x CPL=%u mode=%d-bit%s\n", (unsigned long long)env->rip,
           cpu_get_eflags(env), env->hflags & HF_CPL_MASK, debug_code_bits(env),
           env->halted ? " HLT" : "");
    for (int s = 0; s < NB_SEGS; s++) {
        const SegmentCache *c = &env->seg[s];
        printf("%s =%04x %016llx %08x %08x\n", seg_names[s], c->selector,
               (unsigned long long)c->base, c->limit, c->flags);
    }
    printf("GDT=%016llx %08x IDT=%016llx %08x\n", (unsigned long long)env->gdt.base, env->gdt.limit,
           (unsigned long long)env->idt.base, env->idt.limit);
    printf("CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx EFER=%016llx\n",
           (unsigned long long)env->cr[0], (unsigned long long)env->cr[2], (unsigned long long)env->cr[3],
           (unsigned long long)env->cr[4], (unsigned long long)env->efer);
}

/* Mapped ranges of the low 4 GiB, merged where linear and physical both run on: found with
 * the side-effect-free walker, so it shows exactly what the guest's tables say. */
static void info_mem(CPUState *env)
{
    if (!(env->cr[0] & 0x80000000u)) {
        printf("paging is off: linear addresses are physical\n");
        return;
    }
    uint64_t limit = (env->hflags & HF_LMA) ? (1ull << 32) : (1ull << 32);
    uint64_t run_la = 0, run_pa = 0, run_len = 0;
    for (uint64_t la = 0; la < limit; la += PAGE_SIZE) {
        uint64_t pa;
        bool mapped = mmu_debug_translate(env, la, &pa);
        if (mapped && run_len && run_la + run_len == la && run_pa + run_len == pa) {
            run_len += PAGE_SIZE;
            continue;
        }
        if (run_len) {
            printf("%016llx-%016llx -> %016llx\n", (unsigned long long)run_la,
                   (unsigned long long)(run_la + run_len), (unsigned long long)run_pa);
        }
        run_len = mapped ? PAGE_SIZE : 0;
        run_la = la;
        run_pa = pa;
    }
    if (run_len) {
        printf("%016llx-%016llx -> %016llx\n", (unsigned long long)run_la,
               (unsigned long long)(run_la + run_len), (unsigned long long)run_pa);
    }
    if (env->hflags & HF_LMA) printf("(long mode: only the low 4 GiB are shown)\n");
}

static bool parse_number(const char *s, uint64_t *v)
{
    if (!s || !*s) return false;
    if (!strcmp(s, "$pc")) {
        *v = debug_pc(first_cpu);
        return true;
    }
    errno = 0;
    char *end;
    *v = strtoull(s, &end, 0);
    return !errno && !*end;
}

/* x/Nfmt ADDR and xp/Nfmt ADDR: fmt letters x d u c i, sizes b h w g */
static void examine(CPUState *env, const char *spec, const char *addr_text, bool physical)
{
    unsigned long count = 1;
    char fmt = 'x';
    unsigned size = 4;
    if (spec) {
        char *end;
        count = strtoul(spec, &end, 10);
        if (end == spec) count = 1;
        for (; *end; end++) {
            switch (*end) {
            case 'x': case 'd': case 'u': case 'c': case 'i': fmt = *end; break;
            case 'b': size = 1; break;
            case 'h': size = 2; break;
            case 'w': size = 4; break;
            case 'g': size = 8; break;
            default: printf("x: unknown format letter '%c'\n", *end); return;
            }
        }
    }
    if (fmt == 'c') size = 1;
    uint64_t addr;
    if (!parse_number(addr_text, &addr)) {
        printf("x: expected an address\n");
        return;
    }
    if (count == 0 || count > MAX_UNITS) {
        printf("x: count must be 1..%d\n", MAX_UNITS);
        return;
    }
    if (fmt == 'i') {
        for (unsigned long i = 0; i < count; i++) {
            uint8_t code[16];
            size_t got = physical ? (phys_read(addr, code, sizeof(code)), sizeof(code))
                                  : debug_read_linear(addr, code, sizeof(code));
            if (got == 0) {
                printf("%#llx: cannot access memory\n", (unsigned long long)addr);
                return;
            }
            char text[160];
            size_t n = disasm_one(code, got, addr, debug_code_bits(env), false, text, sizeof(text));
            printf("%#llx: %s\n", (unsigned long long)addr, text);
            addr += n ? n : 1;
        }
        return;
    }
    for (unsigned long i = 0; i < count; i++) {
        uint8_t b[8] = { 0 };
        if (physical) {
            phys_read(addr, b, size);
        } else if (debug_read_linear(addr, b, size) != size) {
            printf("\n%#llx: cannot access memory\n", (unsigned long long)addr);
            return;
        }
        uint64_t v = 0;
        for (unsigned k = 0; k < size; k++) v |= (uint64_t)b[k] << (8 * k);
        if (i % (16 / size) == 0) printf("%s%016llx:", i ? "\n" : "", (unsigned long long)addr);
        int64_t sv = size == 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * size)) >> (64 - 8 * size);
        switch (fmt) {
        case 'x': printf(" 0x%0*llx", (int)size * 2, (unsigned long long)v); break;
        case 'd': printf(" %lld", (long long)sv); break;
        case 'u': printf(" %llu", (unsigned long long)v); break;
        case 'c': printf(" '%c'", v >= 32 && v < 127 ? (int)v : '.'); break;
        }
        addr += size;
    }
    printf("\n");
}

static void parse_error(const char *cmd, const char *what) { printf("%s: %s\n", cmd, what); }

/* ---------------------------------------------------------------- command table
 * Each handler gets the words after the command (words[0] is the command itself, without
 * its /fmt suffix, which arrives in fmt) and returns true when the prompt is due now,
 * false when it comes later with a stop report or the machine ends. */

typedef struct MonitorArgs {
    CPUState *env;
    char **words;
    int n;
    const char *fmt;            /* text after '/' in the command word, or NULL */
} MonitorArgs;

typedef struct MonitorCommand {
    const char *name, *alias;
    bool (*run)(const MonitorArgs *a);
    const char *usage, *help;
} MonitorCommand;

static void print_help(void);

static bool cmd_help(const MonitorArgs *a) { print_help(); return true; }

static bool cmd_info(const MonitorArgs *a)
{
    const char *what = a->n >= 2 ? a->words[1] : "";
    if (!strcmp(what, "registers")) info_registers(a->env);
    else if (!strcmp(what, "mem") || !strcmp(what, "tlb")) info_mem(a->env);
    else parse_error("info", "expected registers, mem or tlb");
    return true;
}

static bool cmd_x(const MonitorArgs *a) { examine(a->env, a->fmt, a->words[1], false); return true; }
static bool cmd_xp(const MonitorArgs *a) { examine(a->env, a->fmt, a->words[1], true); return true; }

static bool cmd_stop(const MonitorArgs *a)
{
    debug_request_stop(DEBUG_CLIENT_MONITOR);
    return false;               /* the prompt comes with the stop report */
}

static bool cmd_cont(const MonitorArgs *a)
{
    debug_resume(DEBUG_CLIENT_NONE, false);
    return true;
}

static bool cmd_step(const MonitorArgs *a)
{
    if (!debug_paused()) {
        parse_error("step", "the machine is running (stop it first)");
        return true;
    }
    debug_resume(DEBUG_CLIENT_MONITOR, true);
    return false;
}

static bool cmd_break(const MonitorArgs *a)
{
    uint64_t addr;
    if (!parse_number(a->words[1], &addr)) parse_error(a->words[0], "expected an address");
    else if (!debug_breakpoint_insert(addr)) parse_error("break", "too many breakpoints");
    return true;
}

static bool cmd_delete(const MonitorArgs *a)
{
    uint64_t addr;
    if (!parse_number(a->words[1], &addr)) parse_error(a->words[0], "expected an address");
    else if (!debug_breakpoint_remove(addr)) parse_error("delete", "no breakpoint there");
    return true;
}

/* watch/rwatch/awatch ADDR [LEN] and unwatch ADDR [LEN]: LEN defaults to 4 bytes */
static bool watch_range(const MonitorArgs *a, uint64_t *addr, uint64_t *len)
{
    *len = 4;
    if (!parse_number(a->words[1], addr) || (a->n >= 3 && !parse_number(a->words[2], len)) ||
        *len == 0 || *len > (1ull << 32)) {
        parse_error(a->words[0], "expected ADDR [LEN] (LEN 1..4G)");
        return false;
    }
    return true;
}

static bool cmd_watch(const MonitorArgs *a)
{
    WatchKind kind = a->words[0][0] == 'r' ? WATCH_READ : a->words[0][0] == 'a' ? WATCH_ACCESS : WATCH_WRITE;
    uint64_t addr, len;
    if (watch_range(a, &addr, &len) && !mmu_watch_insert(a->env, addr, len, kind)) {
        parse_error(a->words[0], "too many watchpoints");
    }
    return true;
}

static bool cmd_unwatch(const MonitorArgs *a)
{
    uint64_t addr, len;
    if (!watch_range(a, &addr, &len)) return true;
    bool removed = false;
    for (WatchKind k = WATCH_WRITE; k <= WATCH_ACCESS; k++) removed |= mmu_watch_remove(a->env, addr, len, k);
    if (!removed) parse_error("unwatch", "no watchpoint there");
    return true;
}

/* savevm/loadvm FILE (snapshot/): the monitor runs between two cpu_exec calls, so the
 * machine is stopped while the file is written or read, and runs on (or stays paused) after */
static bool cmd_snapshot(const MonitorArgs *a)
{
    if (a->n != 2) {
        parse_error(a->words[0], "expected a file name");
        return true;
    }
    Machine *m = a->env->machine;
    bool save = a->words[0][0] == 's';
    if (save ? snapshot_save(m, a->words[1]) : snapshot_load(m, a->words[1])) {
        printf("%s %s: done\n", a->words[0], a->words[1]);
    }
    return true;
}

static bool cmd_screendump(const MonitorArgs *a)
{
    if (a->n != 2) parse_error(a->words[0], "expected a file name");
    else if (display_screendump(a->words[1])) printf("screendump %s: done\n", a->words[1]);
    return true;
}

static bool cmd_quit(const MonitorArgs *a)
{
    machine_request_exit(a->env->machine, 0);
    return false;
}

static const MonitorCommand commands[] = {
    { "help", "?", cmd_help, "help", "this list" },
    { "info", NULL, cmd_info, "info registers", "CPU state" },
    { NULL, NULL, NULL, "info mem | info tlb", "mapped linear ranges (page tables)" },
    { "x", NULL, cmd_x, "x/Nfmt ADDR", "guest virtual memory (fmt: x d u c i; size: b h w g)" },
    { "xp", NULL, cmd_xp, "xp/Nfmt ADDR", "guest physical memory" },
    { "stop", NULL, cmd_stop, "stop", "pause the machine" },
    { "cont", "c", cmd_cont, "cont", "resume" },
    { "step", "s", cmd_step, "step", "one instruction" },
    { "break", NULL, cmd_break, "break ADDR", "breakpoint at a linear address" },
    { "delete", NULL, cmd_delete, "delete ADDR", "remove that breakpoint" },
    { "watch", NULL, cmd_watch, "watch ADDR [LEN]", "stop after a write to [ADDR, ADDR+LEN)" },
    { "rwatch", NULL, cmd_watch, "rwatch ADDR [LEN]", "stop after a read" },
    { "awatch", NULL, cmd_watch, "awatch ADDR [LEN]", "stop after any access" },
    { "unwatch", NULL, cmd_unwatch, "unwatch ADDR [LEN]", "remove those watchpoints" },
    { "savevm", NULL, cmd_snapshot, "savevm FILE", "save the machine to a snapshot file" },
    { "loadvm", NULL, cmd_snapshot, "loadvm FILE", "replace the machine's state with a snapshot" },
    { "screendump", NULL, cmd_screendump, "screendump FILE.png", "write the screen as PNG" },
    { "quit", "q", cmd_quit, "quit", "end ferry" },
};

static void print_help(void)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        printf("%-22s %s\n", commands[i].usage, commands[i].help);
    }
    printf("%-22s %s\n", "Ctrl-A c", "switch the terminal between the serial console and the monitor");
}

static const MonitorCommand *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const MonitorCommand *c = &commands[i];
        if (c->name && (!strcmp(name, c->name) || (c->alias && !strcmp(name, c->alias)))) return c;
    }
    return NULL;
}

#define MAX_WORDS 4

static void run_command(char *cmd)
{
    char *words[MAX_WORDS] = { 0 };
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(cmd, " \t\r", &save); tok && n < MAX_WORDS; tok = strtok_r(NULL, " \t\r", &save)) {
        words[n++] = tok;
    }
    if (n == 0) {
        prompt();
        return;
    }
    char *slash = strchr(words[0], '/');
    if (slash) *slash++ = 0;
    const MonitorCommand *c = find_command(words[0]);
    if (!c) {
        printf("unknown command '%s' (try 'help')\n", words[0]);
        prompt();
        return;
    }
    MonitorArgs a = { first_cpu, words, n, slash };
    if (c->run(&a)) prompt();
}

/* One typed byte: a line ends at LF (or CR from a raw terminal); DEL/BS edits it */
static void input_byte(char c, bool echo)
{
    if (c == '\n' || c == '\r') {
        if (echo) printf("\n");
        line[line_len] = 0;
        line_len = 0;
        run_command(line);
    } else if (c == 0x7f || c == '\b') {
        if (line_len > 0 && echo) printf("\b \b");
        if (line_len > 0) line_len--;
    } else if (line_len < LINE_MAX_LEN - 1) {
        line[line_len++] = c;
        if (echo) putchar(c);
    }
}

void monitor_poll(void)
{
    /* a paused guest reads nothing, so a Ctrl-A c typed to it would never be seen: while
     * the machine is paused the monitor keeps the terminal */
    if (muxed && in_fd < 0 && debug_paused()) charsink_monitor_own(true);
    if (in_fd < 0) return;
    if (muxed) {
        uint8_t buf[64];
        size_t n;
        bool echo = isatty(STDIN_FILENO);
        while (in_fd >= 0 && (n = charsink_monitor_read(buf, sizeof(buf))) > 0) {
            for (size_t i = 0; i < n && in_fd >= 0; i++) input_byte((char)buf[i], echo);
        }
        fflush(stdout);
        return;
    }
    for (;;) {
        char c;
        struct pollfd p = { .fd = in_fd, .events = POLLIN };
        if (poll(&p, 1, 0) <= 0) return;
        ssize_t n = read(in_fd, &c, 1);
        if (n == 0) {
            in_fd = -1;         /* EOF: the monitor is gone, the machine runs on */
            return;
        }
        if (n < 0) return;
        input_byte(c, false);
    }
}
