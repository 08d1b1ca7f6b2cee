/*
 * ui/monitor.c — the human monitor on stdio (-monitor stdio): one command per line, answers
 * on stdout, "(ferry) " prompt. Commands: info registers, info mem / info tlb, x and xp
 * (/Nfmt with x d u c i and b h w g sizes), stop, cont, step, break ADDR, delete ADDR, quit.
 * A bad command prints a message; nothing the user types can crash the machine.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "ui/ui.h"

#define LINE_MAX_LEN 512
#define MAX_UNITS 1024

static int in_fd = -1;
static char line[LINE_MAX_LEN];
static size_t line_len;

int monitor_fd(void) { return in_fd; }

static void prompt(void)
{
    printf("(ferry) ");
    fflush(stdout);
}

bool monitor_open(const char *spec)
{
    if (strcmp(spec, "stdio") != 0) {
        fprintf(stderr, "ferry: -monitor '%s': only stdio is supported\n", spec);
        return false;
    }
    in_fd = STDIN_FILENO;
    printf("ferry monitor - type 'help' for the commands\n");
    prompt();
    return true;
}

void monitor_stopped(void)
{
    CPUState *env = first_cpu;
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

static const char help_text[] =
    "info registers        CPU state\n"
    "info mem | info tlb   mapped linear ranges (page tables)\n"
    "x/Nfmt ADDR           guest virtual memory (fmt: x d u c i; size: b h w g)\n"
    "xp/Nfmt ADDR          guest physical memory\n"
    "stop | cont | step    pause, resume, one instruction\n"
    "break ADDR            breakpoint at a linear address; delete ADDR removes it\n"
    "quit                  end ferry\n";

static void run_command(char *cmd)
{
    CPUState *env = first_cpu;
    char *words[4] = { 0 };
    int n = 0;
    for (char *tok = strtok(cmd, " \t\r"); tok && n < 4; tok = strtok(NULL, " \t\r")) words[n++] = tok;
    if (n == 0) return;
    const char *w = words[0];
    char *slash = strchr(words[0], '/');
    if (slash) *slash++ = 0;
    if (!strcmp(w, "help")) {
        fputs(help_text, stdout);
    } else if (!strcmp(w, "info") && n >= 2 && !strcmp(words[1], "registers")) {
        info_registers(env);
    } else if (!strcmp(w, "info") && n >= 2 && (!strcmp(words[1], "mem") || !strcmp(words[1], "tlb"))) {
        info_mem(env);
    } else if (!strcmp(w, "x") || !strcmp(w, "xp")) {
        examine(env, slash, words[1], w[1] == 'p');
    } else if (!strcmp(w, "stop")) {
        debug_request_stop(DEBUG_CLIENT_MONITOR);
        return;                 /* the prompt comes with the stop report */
    } else if (!strcmp(w, "cont") || !strcmp(w, "c")) {
        debug_resume(DEBUG_CLIENT_NONE, false);
    } else if (!strcmp(w, "step") || !strcmp(w, "s")) {
        if (!debug_paused()) {
            printf("step: the machine is running (stop it first)\n");
        } else {
            debug_resume(DEBUG_CLIENT_MONITOR, true);
            return;
        }
    } else if (!strcmp(w, "break") || !strcmp(w, "delete")) {
        uint64_t addr;
        if (!parse_number(words[1], &addr)) printf("%s: expected an address\n", w);
        else if (w[0] == 'b' && !debug_breakpoint_insert(addr)) printf("break: too many breakpoints\n");
        else if (w[0] == 'd' && !debug_breakpoint_remove(addr)) printf("delete: no breakpoint there\n");
    } else if (!strcmp(w, "quit") || !strcmp(w, "q")) {
        machine_request_exit(env->machine, 0);
        return;
    } else {
        printf("unknown command '%s' (try 'help')\n", w);
    }
    prompt();
}

void monitor_poll(void)
{
    if (in_fd < 0) return;
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
        if (c == '\n') {
            line[line_len] = 0;
            line_len = 0;
            run_command(line);
        } else if (line_len < LINE_MAX_LEN - 1) {
            line[line_len++] = c;
        }
    }
}
