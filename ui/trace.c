/*
 * ui/trace.c — the -d log (QEMU's item names) written to -D FILE or stderr:
 *   in_asm   guest code of each translated block, disassembled in its mode
 *   exec     each block entered from the exec loop (blocks are left unchained for it)
 *   cpu      the register file at each such block entry
 *   int      every interrupt and exception: vector, kind, error code, where
 *   op       the IR of each block as compiled (after the optimizer), one op per line
 *            with the names of tcg/ops.def
 *   out_asm  host code of each block (Capstone): the straight-line body, then the
 *            out-of-line stubs; the interpreter has none and says so
 *   mmu      page faults: linear address, error code and its bits, where
 *   tlb      as mmu, plus every TLB fill (linear -> physical, permissions, mmu index)
 * Items are switched at start-up; with none, each hook costs one branch on cpu_log_mask
 * or env->debug_flags, and tcg's compile hook one test of tcg_log_hooks.
 */
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "tcg/tcg.h"
#include "ui/ui.h"

unsigned cpu_log_mask;
static FILE *log_out;
static bool log_tlb_fills;

/* Not a cpu_log_mask bit: the tlb item is mmu plus the fills */
#define LOG_TLB_FILLS 0x80000000u

static const struct { const char *name; unsigned bit; const char *help; } log_items[] = {
    { "in_asm", CPU_LOG_IN_ASM, "guest code of each translated block" },
    { "exec", CPU_LOG_EXEC, "each block entered from the exec loop" },
    { "cpu", CPU_LOG_CPU, "registers at each block entry" },
    { "int", CPU_LOG_INT, "interrupts and exceptions" },
    { "op", CPU_LOG_OP, "IR of each compiled block" },
    { "out_asm", CPU_LOG_OUT_ASM, "host code of each compiled block" },
    { "mmu", CPU_LOG_MMU, "page faults" },
    { "tlb", CPU_LOG_MMU | LOG_TLB_FILLS, "page faults and every TLB fill" },
};

static void log_ir_line(const char *line, void *opaque) { fprintf(log_out, "%s\n", line); }

static void log_ir(const TranslationBlock *tb, const TCGBlock *b)
{
    fprintf(log_out, "OP: block at %#llx (cs base %#llx), %u ops\n", (unsigned long long)tb->key.pc,
            (unsigned long long)tb->key.cs_base, b->nb_ops);
    tcg_dump_block(b, log_ir_line, NULL);
    fputc('\n', log_out);
}

static void log_host_code(const TranslationBlock *tb, const uint8_t *code, size_t size, size_t body_size)
{
    if (!code) {
        fprintf(log_out, "OUT: block at %#llx: no host code (the interpreter runs the IR)\n\n",
                (unsigned long long)tb->key.pc);
        return;
    }
    fprintf(log_out, "OUT: block at %#llx, %zu bytes of host code (%zu body)\n",
            (unsigned long long)tb->key.pc, size, body_size);
    for (size_t off = 0; off < size;) {
        if (off == body_size) fprintf(log_out, "  -- out-of-line stubs --\n");
        char text[160];
        /* stop at the body's end, so a disassembly never runs from body into stubs */
        size_t limit = off < body_size ? body_size : size;
        size_t n = disasm_one(code + off, limit - off, (uintptr_t)(code + off), 64, true, text, sizeof(text));
        fprintf(log_out, "0x%016llx:  %s\n", (unsigned long long)(uintptr_t)(code + off), text);
        if (n == 0) break;
        off += n;
    }
    fputc('\n', log_out);
}

bool trace_start(const char *items, const char *file)
{
    for (const char *p = items ? items : ""; *p;) {
        size_t len = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof(log_items) / sizeof(log_items[0]); i++) {
            if (strlen(log_items[i].name) == len && !strncmp(p, log_items[i].name, len)) {
                cpu_log_mask |= log_items[i].bit & ~LOG_TLB_FILLS;
                log_tlb_fills |= (log_items[i].bit & LOG_TLB_FILLS) != 0;
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
    if (cpu_log_mask & CPU_LOG_OP) tcg_log_hooks.ir = log_ir;
    if (cpu_log_mask & CPU_LOG_OUT_ASM) tcg_log_hooks.host_code = log_host_code;
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
    if (has_error) fprintf(log_out, "0x%04x", error_code);
    else fprintf(log_out, "none");
    fprintf(log_out, " cs:rip=%04x:%016llx cpl=%u cr2=%#llx\n", env->seg[R_CS].selector,
            (unsigned long long)env->rip, env->hflags & HF_CPL_MASK, (unsigned long long)env->cr[2]);
}

/* Page-fault error code bits, low to high (SDM vol. 3, 4.7) */
static const char pf_bits[][5] = { "P", "W", "U", "RSVD", "I", "PK", "SS" };

void mmu_log_fault(CPUState *env, uint64_t la, uint32_t error_code)
{
    fprintf(log_out, "MMU: #PF la=%#llx error=%#x (", (unsigned long long)la, error_code);
    bool any = false;
    for (unsigned b = 0; b < sizeof(pf_bits) / sizeof(pf_bits[0]); b++) {
        if (error_code & (1u << b)) {
            fprintf(log_out, "%s%s", any ? " " : "", pf_bits[b]);
            any = true;
        }
    }
    /* rip is the faulting instruction's only once the fault is raised: ask tcg */
    uint64_t rip = cpu_running_code && tcg_in_block() ? tcg_current_insn_pc() : env->rip;
    fprintf(log_out, "%s) cs:rip=%04x:%016llx cr3=%#llx\n", any ? "" : "not present, read, supervisor",
            env->seg[R_CS].selector, (unsigned long long)rip, (unsigned long long)env->cr[3]);
}

void mmu_log_fill(CPUState *env, uint64_t la, uint64_t pa, unsigned prot, int mmu_idx)
{
    if (!log_tlb_fills) return;
    /* prot bits: 1 read, 2 write, 4 execute (mmu/mmu_internal.h) */
    fprintf(log_out, "MMU: fill la=%#llx -> pa=%#llx %c%c%c mmu%d\n", (unsigned long long)la,
            (unsigned long long)pa, prot & 1 ? 'r' : '-', prot & 2 ? 'w' : '-', prot & 4 ? 'x' : '-', mmu_idx);
}
