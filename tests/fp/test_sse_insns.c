/*
 * tests/fp/test_sse_insns.c — every SSE/SSE2 encoding ferry implements, run natively on the
 * host and through ferry (library mode, flat 64-bit) from the same random state: xmm0-15,
 * general registers, MXCSR (random rounding, DAZ, FTZ, exceptions masked) and a 64-byte
 * memory operand at [rsi]. Registers, MXCSR, the arithmetic flags and memory must agree.
 * Both register and memory forms are run; lane values mix random bits with the hard
 * floating-point cases (NaNs, infinities, denormals, zeros, extremes).
 *
 * usage: test_sse_insns [interp|jit] [iterations-per-form]
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/xlat.h"

typedef struct NativeState {
    uint64_t regs[16];      /* 0 */
    uint64_t flags;         /* 128 */
    uint32_t mxcsr, pad;    /* 136 */
    uint64_t xmm[16][2];    /* 144 */
} NativeState;

void native_sse_run(NativeState *st, const void *code);
#define XMM_LOAD(n) "movdqu " #n "*16+144(%rdi),%xmm" #n "\n"
#define XMM_SAVE(n) "movdqu %xmm" #n "," #n "*16+144(%rdi)\n"
__asm__(
    ".text\n.globl native_sse_run\nnative_sse_run:\n"
    "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "sub $8,%rsp\nstmxcsr (%rsp)\n"             /* the host's own MXCSR, restored after */
    "push %rdi\npush %rsi\n"
    XMM_LOAD(0) XMM_LOAD(1) XMM_LOAD(2) XMM_LOAD(3) XMM_LOAD(4) XMM_LOAD(5) XMM_LOAD(6)
    XMM_LOAD(7) XMM_LOAD(8) XMM_LOAD(9) XMM_LOAD(10) XMM_LOAD(11) XMM_LOAD(12)
    XMM_LOAD(13) XMM_LOAD(14) XMM_LOAD(15)
    "ldmxcsr 136(%rdi)\n"
    "pushq 128(%rdi)\npopfq\n"
    "mov 0(%rdi),%rax\nmov 8(%rdi),%rcx\nmov 16(%rdi),%rdx\nmov 24(%rdi),%rbx\n"
    "mov 40(%rdi),%rbp\nmov 48(%rdi),%rsi\nmov 64(%rdi),%r8\nmov 72(%rdi),%r9\n"
    "mov 80(%rdi),%r10\nmov 88(%rdi),%r11\nmov 96(%rdi),%r12\nmov 104(%rdi),%r13\n"
    "mov 112(%rdi),%r14\nmov 120(%rdi),%r15\nmov 56(%rdi),%rdi\n"
    "call *(%rsp)\n"
    "xchg %rdi,8(%rsp)\n"
    "mov %rax,0(%rdi)\nmov %rcx,8(%rdi)\nmov %rdx,16(%rdi)\nmov %rbx,24(%rdi)\n"
    "mov %rbp,40(%rdi)\nmov %rsi,48(%rdi)\nmov %r8,64(%rdi)\nmov %r9,72(%rdi)\n"
    "mov %r10,80(%rdi)\nmov %r11,88(%rdi)\nmov %r12,96(%rdi)\nmov %r13,104(%rdi)\n"
    "mov %r14,112(%rdi)\nmov %r15,120(%rdi)\n"
    "pushfq\npopq 128(%rdi)\n"
    "stmxcsr 136(%rdi)\n"
    XMM_SAVE(0) XMM_SAVE(1) XMM_SAVE(2) XMM_SAVE(3) XMM_SAVE(4) XMM_SAVE(5) XMM_SAVE(6)
    XMM_SAVE(7) XMM_SAVE(8) XMM_SAVE(9) XMM_SAVE(10) XMM_SAVE(11) XMM_SAVE(12)
    XMM_SAVE(13) XMM_SAVE(14) XMM_SAVE(15)
    "pop %rax\npop %rax\nmov %rax,56(%rdi)\n"
    "ldmxcsr (%rsp)\nadd $8,%rsp\n"
    "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

/* An encoding: legacy prefix (0 none), REX (0 none), 0F opcode, ModRM.reg for the shift
 * groups (-1 otherwise), whether an imm8 follows, and which forms exist */
enum { F_REG = 1, F_MEM = 2, F_BOTH = 3 };
typedef struct Enc {
    uint8_t prefix, rex, opcode;
    int8_t group;
    bool imm;
    uint8_t forms;
} Enc;

#define E(p, op, fm) { p, 0, op, -1, false, fm }
#define EW(p, op, fm) { p, 0x48, op, -1, false, fm }
#define EI(p, op, fm) { p, 0, op, -1, true, fm }
#define EG(op, g) { 0x66, 0, op, g, true, F_REG }
static const Enc encodings[] = {
    E(0, 0x10, F_BOTH), E(0x66, 0x10, F_BOTH), E(0xF3, 0x10, F_BOTH), E(0xF2, 0x10, F_BOTH),
    E(0, 0x11, F_BOTH), E(0x66, 0x11, F_BOTH), E(0xF3, 0x11, F_BOTH), E(0xF2, 0x11, F_BOTH),
    E(0, 0x12, F_BOTH), E(0x66, 0x12, F_MEM), E(0, 0x13, F_MEM), E(0x66, 0x13, F_MEM),
    E(0, 0x14, F_BOTH), E(0x66, 0x14, F_BOTH), E(0, 0x15, F_BOTH), E(0x66, 0x15, F_BOTH),
    E(0, 0x16, F_BOTH), E(0x66, 0x16, F_MEM), E(0, 0x17, F_MEM), E(0x66, 0x17, F_MEM),
    E(0, 0x28, F_BOTH), E(0x66, 0x28, F_BOTH), E(0, 0x29, F_BOTH), E(0x66, 0x29, F_BOTH),
    E(0xF3, 0x2A, F_BOTH), E(0xF2, 0x2A, F_BOTH), EW(0xF3, 0x2A, F_BOTH), EW(0xF2, 0x2A, F_BOTH),
    E(0, 0x2B, F_MEM), E(0x66, 0x2B, F_MEM),
    E(0xF3, 0x2C, F_BOTH), E(0xF2, 0x2C, F_BOTH), EW(0xF3, 0x2C, F_BOTH), EW(0xF2, 0x2C, F_BOTH),
    E(0xF3, 0x2D, F_BOTH), E(0xF2, 0x2D, F_BOTH), EW(0xF3, 0x2D, F_BOTH), EW(0xF2, 0x2D, F_BOTH),
    E(0, 0x2E, F_BOTH), E(0x66, 0x2E, F_BOTH), E(0, 0x2F, F_BOTH), E(0x66, 0x2F, F_BOTH),
    E(0, 0x50, F_REG), E(0x66, 0x50, F_REG),
    E(0, 0x51, F_BOTH), E(0x66, 0x51, F_BOTH), E(0xF3, 0x51, F_BOTH), E(0xF2, 0x51, F_BOTH),
    E(0, 0x54, F_BOTH), E(0x66, 0x54, F_BOTH), E(0, 0x55, F_BOTH), E(0x66, 0x55, F_BOTH),
    E(0, 0x56, F_BOTH), E(0x66, 0x56, F_BOTH), E(0, 0x57, F_BOTH), E(0x66, 0x57, F_BOTH),
    E(0, 0x58, F_BOTH), E(0x66, 0x58, F_BOTH), E(0xF3, 0x58, F_BOTH), E(0xF2, 0x58, F_BOTH),
    E(0, 0x59, F_BOTH), E(0x66, 0x59, F_BOTH), E(0xF3, 0x59, F_BOTH), E(0xF2, 0x59, F_BOTH),
    E(0, 0x5A, F_BOTH), E(0x66, 0x5A, F_BOTH), E(0xF3, 0x5A, F_BOTH), E(0xF2, 0x5A, F_BOTH),
    E(0, 0x5B, F_BOTH), E(0x66, 0x5B, F_BOTH), E(0xF3, 0x5B, F_BOTH),
    E(0, 0x5C, F_BOTH), E(0x66, 0x5C, F_BOTH), E(0xF3, 0x5C, F_BOTH), E(0xF2, 0x5C, F_BOTH),
    E(0, 0x5D, F_BOTH), E(0x66, 0x5D, F_BOTH), E(0xF3, 0x5D, F_BOTH), E(0xF2, 0x5D, F_BOTH),
    E(0, 0x5E, F_BOTH), E(0x66, 0x5E, F_BOTH), E(0xF3, 0x5E, F_BOTH), E(0xF2, 0x5E, F_BOTH),
    E(0, 0x5F, F_BOTH), E(0x66, 0x5F, F_BOTH), E(0xF3, 0x5F, F_BOTH), E(0xF2, 0x5F, F_BOTH),
    E(0x66, 0x60, F_BOTH), E(0x66, 0x61, F_BOTH), E(0x66, 0x62, F_BOTH), E(0x66, 0x63, F_BOTH),
    E(0x66, 0x64, F_BOTH), E(0x66, 0x65, F_BOTH), E(0x66, 0x66, F_BOTH), E(0x66, 0x67, F_BOTH),
    E(0x66, 0x68, F_BOTH), E(0x66, 0x69, F_BOTH), E(0x66, 0x6A, F_BOTH), E(0x66, 0x6B, F_BOTH),
    E(0x66, 0x6C, F_BOTH), E(0x66, 0x6D, F_BOTH), E(0x66, 0x6E, F_BOTH), EW(0x66, 0x6E, F_BOTH),
    E(0x66, 0x6F, F_BOTH), E(0xF3, 0x6F, F_BOTH),
    EI(0x66, 0x70, F_BOTH), EI(0xF3, 0x70, F_BOTH), EI(0xF2, 0x70, F_BOTH),
    EG(0x71, 2), EG(0x71, 4), EG(0x71, 6), EG(0x72, 2), EG(0x72, 4), EG(0x72, 6),
    EG(0x73, 2), EG(0x73, 3), EG(0x73, 6), EG(0x73, 7),
    E(0x66, 0x74, F_BOTH), E(0x66, 0x75, F_BOTH), E(0x66, 0x76, F_BOTH),
    E(0x66, 0x7E, F_BOTH), EW(0x66, 0x7E, F_BOTH), E(0xF3, 0x7E, F_BOTH),
    E(0x66, 0x7F, F_BOTH), E(0xF3, 0x7F, F_BOTH),
    EI(0, 0xC2, F_BOTH), EI(0x66, 0xC2, F_BOTH), EI(0xF3, 0xC2, F_BOTH), EI(0xF2, 0xC2, F_BOTH),
    E(0, 0xC3, F_MEM), EW(0, 0xC3, F_MEM),
    EI(0x66, 0xC4, F_BOTH), EI(0x66, 0xC5, F_REG), EI(0, 0xC6, F_BOTH), EI(0x66, 0xC6, F_BOTH),
    E(0x66, 0xD1, F_BOTH), E(0x66, 0xD2, F_BOTH), E(0x66, 0xD3, F_BOTH), E(0x66, 0xD4, F_BOTH),
    E(0x66, 0xD5, F_BOTH), E(0x66, 0xD6, F_BOTH), E(0x66, 0xD7, F_REG),
    E(0x66, 0xD8, F_BOTH), E(0x66, 0xD9, F_BOTH), E(0x66, 0xDA, F_BOTH), E(0x66, 0xDB, F_BOTH),
    E(0x66, 0xDC, F_BOTH), E(0x66, 0xDD, F_BOTH), E(0x66, 0xDE, F_BOTH), E(0x66, 0xDF, F_BOTH),
    E(0x66, 0xE0, F_BOTH), E(0x66, 0xE1, F_BOTH), E(0x66, 0xE2, F_BOTH), E(0x66, 0xE3, F_BOTH),
    E(0x66, 0xE4, F_BOTH), E(0x66, 0xE5, F_BOTH),
    E(0x66, 0xE6, F_BOTH), E(0xF3, 0xE6, F_BOTH), E(0xF2, 0xE6, F_BOTH), E(0x66, 0xE7, F_MEM),
    E(0x66, 0xE8, F_BOTH), E(0x66, 0xE9, F_BOTH), E(0x66, 0xEA, F_BOTH), E(0x66, 0xEB, F_BOTH),
    E(0x66, 0xEC, F_BOTH), E(0x66, 0xED, F_BOTH), E(0x66, 0xEE, F_BOTH), E(0x66, 0xEF, F_BOTH),
    E(0x66, 0xF1, F_BOTH), E(0x66, 0xF2, F_BOTH), E(0x66, 0xF3, F_BOTH), E(0x66, 0xF4, F_BOTH),
    E(0x66, 0xF5, F_BOTH), E(0x66, 0xF6, F_BOTH),
    E(0x66, 0xF8, F_BOTH), E(0x66, 0xF9, F_BOTH), E(0x66, 0xFA, F_BOTH), E(0x66, 0xFB, F_BOTH),
    E(0x66, 0xFC, F_BOTH), E(0x66, 0xFD, F_BOTH), E(0x66, 0xFE, F_BOTH),
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

/* a 32-bit lane pair or a 64-bit lane from the hard floating-point cases, or random bits */
static uint32_t rnd_f32(void)
{
    static const uint32_t special[] = { 0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
        0xffc00000, 0x7f800001, 0x7fa00000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff,
        0x3f800000, 0x4f000000, 0xcf000000, 0x5f000000, 0x3f000000, 0x4effffff };
    switch (rnd() % 4) {
    case 0: return special[rnd() % (sizeof(special) / sizeof(special[0]))];
    case 1: return (uint32_t)rnd() & 0x807fffff;                  /* denormal */
    case 2: return (uint32_t)(0x30000000 + rnd() % 0x20000000) ^ (uint32_t)(rnd() & 0x80000000);
    default: return (uint32_t)rnd();
    }
}

static uint64_t rnd_f64(void)
{
    static const uint64_t special[] = { 0, 1ull << 63, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
        0x7ff0000000000001ull, 0x0000000000000001ull, 0x000fffffffffffffull,
        0x7fefffffffffffffull, 0x3ff0000000000000ull, 0x41dfffffffc00000ull,
        0x43e0000000000000ull, 0xc1e0000000000000ull, 0x3fe0000000000000ull,
        0x36a0000000000000ull, 0x47e0000000000000ull };
    switch (rnd() % 4) {
    case 0: return special[rnd() % (sizeof(special) / sizeof(special[0]))];
    case 1: return rnd() & 0x800fffffffffffffull;
    case 2: return (0x3e00000000000000ull + rnd() % 0x0400000000000000ull) ^ (rnd() & (1ull << 63));
    default: return rnd();
    }
}

static uint64_t rnd_lane64(void)
{
    switch (rnd() % 3) {
    case 0: return rnd_f32() | (uint64_t)rnd_f32() << 32;
    case 1: return rnd_f64();
    default: return rnd() % 4 ? rnd() : rnd() % 40;   /* small values: shift counts */
    }
}

static CPUState cpu;

static int run_translated(CPUState *env)
{
    env->exit_on_exception = true;
    cpu_running_code = true;
    if (setjmp(env->jmp_env) == 0)
        tcg_exec(env);
    cpu_running_code = false;
    return env->exception_index;
}

#define GUEST_CODE 0x1000
#define GUEST_DATA 0x2000
#define DATA_BYTES 64

/* The instruction's bytes for the register (ModRM C0|reg<<3|rm) or [rsi] form */
static size_t encode(const Enc *e, bool mem, uint8_t imm, uint8_t *out)
{
    size_t n = 0;
    if (e->prefix)
        out[n++] = e->prefix;
    if (e->rex)
        out[n++] = e->rex;
    out[n++] = 0x0f;
    out[n++] = e->opcode;
    unsigned reg = e->group >= 0 ? (unsigned)e->group : 1;
    out[n++] = (uint8_t)(mem ? (reg << 3) | 6 : 0xC0 | (reg << 3) | 2);
    if (e->imm)
        out[n++] = imm;
    return n;
}

/* Run one instruction in ferry from a quiet state; returns the vector it stopped with */
static int run_one(const uint8_t *code, size_t len, uint64_t rsi, uint64_t cr0_bits,
                   bool osfxsr)
{
    uint8_t buf[20];
    memcpy(buf, code, len);
    buf[len] = 0x0f;
    buf[len + 1] = 0x0b;
    tb_flush();
    phys_write(GUEST_CODE, buf, len + 2);
    cpu_reset_flat64(&cpu);
    cpu.cr[0] |= cr0_bits;
    if (osfxsr)
        cpu.cr[4] |= CR4_OSFXSR;
    cpu_update_hflags(&cpu);
    cpu.mxcsr = 0x1f80;
    cpu.regs[R_ESI] = rsi;
    cpu.rip = GUEST_CODE;
    return run_translated(&cpu);
}

/* The faults: alignment, CR4.OSFXSR, CR0.EM/TS, unmasked exceptions, reserved MXCSR bits */
static int check_faults(void)
{
    static const uint8_t movdqa_load[] = { 0x66, 0x0f, 0x6f, 0x0e };   /* movdqa xmm1,[rsi] */
    static const uint8_t movdqu_load[] = { 0xf3, 0x0f, 0x6f, 0x0e };
    static const uint8_t addps_mem[] = { 0x0f, 0x58, 0x0e };
    static const uint8_t addss_mem[] = { 0xf3, 0x0f, 0x58, 0x0e };
    static const uint8_t divsd_reg[] = { 0xf2, 0x0f, 0x5e, 0xca };    /* divsd xmm1,xmm2 */
    static const uint8_t ldmxcsr[] = { 0x0f, 0xae, 0x16 };            /* ldmxcsr [rsi] */
    struct { const char *what; const uint8_t *code; size_t len; uint64_t rsi, cr0;
             bool osfxsr; int want; uint64_t want_rip; } cases[] = {
        { "movdqa misaligned", movdqa_load, 4, GUEST_DATA + 8, 0, true, EXCP_GP, 0 },
        { "movdqu misaligned", movdqu_load, 4, GUEST_DATA + 8, 0, true, EXCP_UD, 4 },
        { "addps misaligned", addps_mem, 3, GUEST_DATA + 4, 0, true, EXCP_GP, 0 },
        { "addss misaligned", addss_mem, 4, GUEST_DATA + 4, 0, true, EXCP_UD, 4 },
        { "no CR4.OSFXSR", movdqu_load, 4, GUEST_DATA, 0, false, EXCP_UD, 0 },
        { "CR0.TS", movdqu_load, 4, GUEST_DATA, CR0_TS, true, EXCP_NM, 0 },
        { "CR0.EM", movdqu_load, 4, GUEST_DATA, CR0_EM, true, EXCP_UD, 0 },
    };
    int failures = 0;
    uint8_t zeros[32] = { 0 };
    phys_write(GUEST_DATA, zeros, sizeof(zeros));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int vec = run_one(cases[i].code, cases[i].len, cases[i].rsi, cases[i].cr0,
                          cases[i].osfxsr);
        if (vec != cases[i].want || cpu.rip != GUEST_CODE + cases[i].want_rip) {
            printf("FAIL %s: vector %d rip +%llx\n", cases[i].what, vec,
                   (unsigned long long)(cpu.rip - GUEST_CODE));
            failures++;
        }
    }
    /* divide by zero with ZE unmasked: #XM, destination and rip unchanged, ZE set */
    tb_flush();
    uint8_t buf[8];
    memcpy(buf, divsd_reg, 4);
    buf[4] = 0x0f;
    buf[5] = 0x0b;
    phys_write(GUEST_CODE, buf, 6);
    cpu_reset_flat64(&cpu);
    cpu.cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    cpu_update_hflags(&cpu);
    cpu.mxcsr = 0x1f80 & ~0x200u;
    cpu.xmm[1][0] = 0x3ff0000000000000ull;
    cpu.xmm[2][0] = 0;
    cpu.rip = GUEST_CODE;
    int vec = run_translated(&cpu);
    if (vec != EXCP_XM || cpu.rip != GUEST_CODE || cpu.xmm[1][0] != 0x3ff0000000000000ull ||
        cpu.mxcsr != ((0x1f80 & ~0x200u) | 4)) {
        printf("FAIL unmasked divide by zero: vector %d mxcsr %04x\n", vec, cpu.mxcsr);
        failures++;
    }
    /* LDMXCSR with a reserved bit: #GP(0) */
    uint32_t bad_mxcsr = 0x10000 | 0x1f80;
    phys_write(GUEST_DATA, &bad_mxcsr, 4);
    vec = run_one(ldmxcsr, 3, GUEST_DATA, 0, true);
    if (vec != EXCP_GP || cpu.mxcsr != 0x1f80) {
        printf("FAIL ldmxcsr reserved bit: vector %d\n", vec);
        failures++;
    }
    return failures;
}

int main(int argc, char **argv)
{
    int iterations = argc > 2 ? atoi(argv[2]) : 200;
    uint8_t *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static _Alignas(64) uint8_t native_data[DATA_BYTES];
    if (native == MAP_FAILED || !phys_init(1 << 20))
        return 77;
    cpu_init(&cpu, NULL);
    if (!cpu_tcg_init(argc > 1 ? argv[1] : "interp"))
        return 1;
    int failures = check_faults();
    long runs = 0;
    for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
        const Enc *e = &encodings[i];
        for (int form = F_REG; form <= F_MEM; form++) {
            if (!(e->forms & form))
                continue;
            for (int iter = 0; iter < iterations; iter++) {
                uint8_t code[16];
                size_t len = encode(e, form == F_MEM, (uint8_t)rnd(), code);
                memcpy(native, code, len);
                native[len] = 0xc3;                         /* ret */
                code[len] = 0x0f;                           /* ud2 ends the ferry run */
                code[len + 1] = 0x0b;
                tb_flush();
                phys_write(GUEST_CODE, code, len + 2);

                NativeState in;
                for (int r = 0; r < 16; r++)
                    in.regs[r] = rnd_lane64();
                in.regs[R_ESP] = 0;
                in.flags = (rnd() & CC_MASK) | 0x202;
                /* random rounding, DAZ and FTZ; every exception masked, no flags set */
                in.mxcsr = 0x1f80 | (uint32_t)(rnd() & 0x6000) | (uint32_t)(rnd() & 0x8040);
                in.pad = 0;
                for (int x = 0; x < 16; x++) {
                    in.xmm[x][0] = rnd_lane64();
                    in.xmm[x][1] = rnd_lane64();
                }
                uint8_t data[DATA_BYTES];
                for (int b = 0; b < DATA_BYTES; b += 8) {
                    uint64_t v = rnd_lane64();
                    memcpy(data + b, &v, 8);
                }

                NativeState ns = in;
                ns.regs[R_ESI] = (uint64_t)(uintptr_t)native_data;
                memcpy(native_data, data, DATA_BYTES);
                native_sse_run(&ns, native);

                cpu_reset_flat64(&cpu);
                cpu.cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
                cpu_update_hflags(&cpu);
                memcpy(cpu.regs, in.regs, sizeof(cpu.regs));
                cpu.regs[R_ESI] = GUEST_DATA;
                cpu_set_eflags(&cpu, (uint32_t)in.flags, CC_MASK);
                cpu.mxcsr = in.mxcsr;
                memcpy(cpu.xmm, in.xmm, sizeof(cpu.xmm));
                phys_write(GUEST_DATA, data, DATA_BYTES);
                cpu.rip = GUEST_CODE;
                int vec = run_translated(&cpu);
                runs++;

                uint8_t ours_data[DATA_BYTES];
                phys_read(GUEST_DATA, ours_data, DATA_BYTES);
                bool bad = vec != EXCP_UD || cpu.rip != GUEST_CODE + len;
                for (int r = 0; r < 16; r++)
                    if (r != R_ESP && r != R_ESI && cpu.regs[r] != ns.regs[r])
                        bad = true;
                if ((cpu_get_eflags(&cpu) & CC_MASK) != (ns.flags & CC_MASK))
                    bad = true;
                if (cpu.mxcsr != ns.mxcsr || memcmp(cpu.xmm, ns.xmm, sizeof(cpu.xmm)) ||
                    memcmp(ours_data, native_data, DATA_BYTES))
                    bad = true;
                if (bad && failures++ < 20) {
                    printf("FAIL");
                    for (size_t b = 0; b < len; b++)
                        printf(" %02x", code[b]);
                    printf(": vec %d rip +%llx mxcsr in %04x host %04x ours %04x flags host "
                           "%03llx ours %03x\n", vec, (unsigned long long)(cpu.rip - GUEST_CODE),
                           in.mxcsr, ns.mxcsr, cpu.mxcsr, (unsigned long long)ns.flags & CC_MASK,
                           cpu_get_eflags(&cpu) & CC_MASK);
                    for (int x = 0; x < 16; x++)
                        if (memcmp(cpu.xmm[x], ns.xmm[x], 16))
                            printf("  xmm%d in %016llx%016llx host %016llx%016llx ours "
                                   "%016llx%016llx\n", x,
                                   (unsigned long long)in.xmm[x][1], (unsigned long long)in.xmm[x][0],
                                   (unsigned long long)ns.xmm[x][1], (unsigned long long)ns.xmm[x][0],
                                   (unsigned long long)cpu.xmm[x][1], (unsigned long long)cpu.xmm[x][0]);
                    for (int r = 0; r < 16; r++)
                        if (r != R_ESP && r != R_ESI && cpu.regs[r] != ns.regs[r])
                            printf("  r%d in %016llx host %016llx ours %016llx\n", r,
                                   (unsigned long long)in.regs[r], (unsigned long long)ns.regs[r],
                                   (unsigned long long)cpu.regs[r]);
                    if (memcmp(ours_data, native_data, DATA_BYTES))
                        printf("  memory differs\n");
                }
            }
        }
    }
    printf("SSE instructions vs host: %ld runs, %d failures\n", runs, failures);
    return failures != 0;
}
