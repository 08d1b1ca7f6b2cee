/*
 * ui/trace.c — the -d log (QEMU's item names) written to -D FILE or stderr:
 *   in_asm   guest code of each translated block, disassembled in its mode
 *   exec     each block entered from the exec loop (blocks are left unchained for it)
 *   cpu      the register file at each such block entry
 *   int      every interrupt and exception: vector, kind, error code, where
 *   op       the IR of each block (tcg_dump_block) -- needs a tcg hook, not wired yet
 *   out_asm  host code of each block -- needs the backend to expose its code, not wired yet
 * Items are switched at start-up; with none, each hook costs one branch on cpu_log_mask
 * or env->debug_flags.
 */
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"
#include "ui/ui.h"

unsigned cpu_log_mask;
static FILE *log_out;

static const struct { const char *name; unsigned bit; const char *help; } log_items[] = {
    { "in_asm", CPU_LOG_IN_ASM, "guest code of each translated block" },
    { "exec", CPU_LOG_EXEC, "each block entered from the exec loop" },
    { "cpu", CPU_LOG_CPU, "registers at each block entry" },
    { "int", CPU_LOG_INT, "interrupts and exceptions" },
};

bool trace_start(const char *items, const char *file)
{
    for (const char *p = items ? items : ""; *p;) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof(log_items) / sizeof(log_items[0]); i++) {
            if (strlen(log_items[i].name) == len && !strncmp(p, log_items[i].name, len)) {
                cpu_log_mask |= log_items[i].bit;
                found = true;
            }
        }
        if (!found) {
            fprintf(stderr, "ferry: -d: unknown or unsupported item '%.*s' (valid:", (int)len, p);
            for (size_t i = 0; i < sizeof(log_items) / sizeof(log_items[0]); i++) {
                fprintf(stderr, " %s", log_items[i].name);
            }
            fprintf(stderr, ")\n");
            return false;
        }
        p += len + (p[len] == ',');
    }
    log_out = stderr;
    if (file) {
        log_out = fopen(file, "w");
        if (!log_out) {
            perror(file);
            return false;
        }
    }
    return true;
}

void cpu_log_in_asm(CPUState *env, uint64_t pc, uint64_t cs_base, uint32_t hflags, uint32_t size)
{
    int bits = (hflags & HF_CS64) ? 64 : (hflags & HF_CS32) ? 32 : 16;
    uint64_t la = cs_base + pc;
    if (bits != 64) la = (uint32_t)la;
    uint8_t code[4096 + 16];
    if (size > 4096) size = 4096;
    size_t got = debug_read_linear(la, code, size + 15 < sizeof(code) ? size + 15 : sizeof(code));
    fprintf(log_out, "IN: %d-bit block at %#llx (linear %#llx), %u bytes\n", bits,
            (unsigned long long)pc, (unsigned long long)la, size);
    for (size_t off = 0; off < size && off < got;) {
        char text[160];
        size_t n = disasm_one(code + off, got - off, pc + off, bits, false, text, sizeof(text));
        fprintf(log_out, "0x%08llx:  %s\n", (unsigned long long)(pc + off), text);
        if (n == 0) break;
        off += n;
    }
    fputc('\n', log_out);
}

void cpu_log_block_entry(CPUState *env)
{
    if (cpu_log_mask & CPU_LOG_EXEC) {
        fprintf(log_out, "Trace: %04x:%016llx\n", env->seg[R_CS].selector, (unsigned long long)env->rip);
    }
    if (cpu_log_mask & CPU_LOG_CPU) {
        static const char *const names[16] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                               "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15" };
        int n = (env->hflags & HF_LMA) ? 16 : 8;
        for (int i = 0; i < n; i++) {
            fprintf(log_out, "%-3s=%016llx%s", names[i], (unsigned long long)env->regs[i], i % 4 == 3 ? "\n" : " ");
        }
        fprintf(log_out, "RIP=%016llx RFL=%08x CPL=%u CR0=%08llx CR3=%016llx\n",
                (unsigned long long)env->rip, cpu_get_eflags(env), env->hflags & HF_CPL_MASK,
                (unsigned long long)env->cr[0], (unsigned long long)env->cr[3]);
    }
}

void cpu_log_interrupt(CPUState *env, int vector, const char *kind, bool has_error, uint32_t error_code)
{
    fprintf(log_out, "INT: vector=0x%02x (%s) error=", vector, kind);
    if (has_error) fprintf(log_out, "%#06x", error_code);
    else fprintf(log_out, "none");
    fprintf(log_out, " cs:rip=%04x:%016llx cpl=%u cr2=%#llx\n", env->seg[R_CS].selector,
            (unsigned long long)env->rip, env->hflags & HF_CPL_MASK, (unsigned long long)env->cr[2]);
}
