/*
 * tests/fp/test_sse_insns.c — every MMX, SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 encoding
 * ferry implements (and CRC32), run natively on the host and through ferry (library mode,
 * flat 64-bit) from the same random state: xmm0-15, the x87 registers with a random TOP
 * and tag word (the mm registers), general registers, MXCSR (random rounding, DAZ, FTZ,
 * exceptions masked) and a 64-byte memory operand at [rsi] (also [rdi], for MASKMOVQ).
 * Registers, the x87 status and tag words and registers, MXCSR, the arithmetic flags and
 * memory must agree. Both register and memory forms are run; lane values mix random bits
 * with the hard floating-point cases (NaNs, infinities, denormals, zeros, extremes) and
 * short strings (zero bytes) for the string compares.
 *
 * usage: test_sse_insns [interp|jit] [iterations-per-form] [softfloat]
 * (softfloat: the helpers compute with cpu/softfloat.c instead of the host's SSE unit)
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/sse.h"
#include "cpu/xlat.h"

typedef struct NativeState {
    uint64_t regs[16];      /* 0 */
    uint64_t flags;         /* 128 */
    uint32_t mxcsr, pad;    /* 136 */
    uint64_t xmm[16][2];    /* 144 */
    _Alignas(16) uint8_t fx[512];   /* 400: FXSAVE image: the x87 state in and out */
} NativeState;

void native_sse_run(NativeState *st, const void *code);
#define XMM_LOAD(n) "movdqu " #n "*16+144(%rdi),%xmm" #n "\n"
#define XMM_SAVE(n) "movdqu %xmm" #n "," #n "*16+144(%rdi)\n"
__asm__(
    ".text\n.globl native_sse_run\nnative_sse_run:\n"
    "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "sub $8,%rsp\nstmxcsr (%rsp)\n"             /* the host's own MXCSR, restored after */
    "push %rdi\npush %rsi\n"
    "fxrstor64 400(%rdi)\n"
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
    "fxsave64 400(%rdi)\nfninit\n"
    "pop %rax\npop %rax\nmov %rax,56(%rdi)\n"
    "ldmxcsr (%rsp)\nadd $8,%rsp\n"
    "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

/* An encoding: legacy prefixes (up to two bytes, the high one first; 0 none), REX (0 none),
 * opcode map (1 0F, 2 0F 38, 3 0F 3A), opcode, ModRM.reg for the shift groups (-1
 * otherwise), whether an imm8 follows, and which forms exist (F_NOMODRM: EMMS) */
enum { F_REG = 1, F_MEM = 2, F_BOTH = 3, F_NOMODRM = 4 };
typedef struct Enc {
    uint16_t prefix;
    uint8_t rex, map, opcode;
    int8_t group;
    bool imm;
    uint8_t forms;
} Enc;

#define E(p, op, fm) { p, 0, 1, op, -1, false, fm }
#define EW(p, op, fm) { p, 0x48, 1, op, -1, false, fm }
#define EI(p, op, fm) { p, 0, 1, op, -1, true, fm }
#define EG(op, g) { 0x66, 0, 1, op, g, true, F_REG }
#define EGM(op, g) { 0, 0, 1, op, g, true, F_REG }
#define E38(p, op, fm) { p, 0, 2, op, -1, false, fm }
#define E38W(p, op, fm) { p, 0x48, 2, op, -1, false, fm }
#define E3A(p, op, fm) { p, 0, 3, op, -1, true, fm }
#define E3AW(p, op, fm) { p, 0x48, 3, op, -1, true, fm }
/* the MMX (no prefix) and SSE2 (66) forms of one integer opcode */
#define EMX(op) E(0, op, F_BOTH), E(0x66, op, F_BOTH)
#define E38MX(op) E38(0, op, F_BOTH), E38(0x66, op, F_BOTH)
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
    /* MMX, and the SSE/SSE2 instructions on mm registers */
    E(0, 0x60, F_BOTH), E(0, 0x61, F_BOTH), E(0, 0x62, F_BOTH), E(0, 0x63, F_BOTH),
    E(0, 0x64, F_BOTH), E(0, 0x65, F_BOTH), E(0, 0x66, F_BOTH), E(0, 0x67, F_BOTH),
    E(0, 0x68, F_BOTH), E(0, 0x69, F_BOTH), E(0, 0x6A, F_BOTH), E(0, 0x6B, F_BOTH),
    E(0, 0x6E, F_BOTH), EW(0, 0x6E, F_BOTH), E(0, 0x6F, F_BOTH), EI(0, 0x70, F_BOTH),
    EGM(0x71, 2), EGM(0x71, 4), EGM(0x71, 6), EGM(0x72, 2), EGM(0x72, 4), EGM(0x72, 6),
    EGM(0x73, 2), EGM(0x73, 6),
    E(0, 0x74, F_BOTH), E(0, 0x75, F_BOTH), E(0, 0x76, F_BOTH), E(0, 0x77, F_REG | F_NOMODRM),
    E(0, 0x7E, F_BOTH), EW(0, 0x7E, F_BOTH), E(0, 0x7F, F_BOTH),
    EI(0, 0xC4, F_BOTH), EI(0, 0xC5, F_REG),
    E(0, 0xD1, F_BOTH), E(0, 0xD2, F_BOTH), E(0, 0xD3, F_BOTH), E(0, 0xD4, F_BOTH),
    E(0, 0xD5, F_BOTH), E(0xF3, 0xD6, F_REG), E(0xF2, 0xD6, F_REG), E(0, 0xD7, F_REG),
    E(0, 0xD8, F_BOTH), E(0, 0xD9, F_BOTH), E(0, 0xDA, F_BOTH), E(0, 0xDB, F_BOTH),
    E(0, 0xDC, F_BOTH), E(0, 0xDD, F_BOTH), E(0, 0xDE, F_BOTH), E(0, 0xDF, F_BOTH),
    E(0, 0xE0, F_BOTH), E(0, 0xE1, F_BOTH), E(0, 0xE2, F_BOTH), E(0, 0xE3, F_BOTH),
    E(0, 0xE4, F_BOTH), E(0, 0xE5, F_BOTH), E(0, 0xE7, F_MEM),
    E(0, 0xE8, F_BOTH), E(0, 0xE9, F_BOTH), E(0, 0xEA, F_BOTH), E(0, 0xEB, F_BOTH),
    E(0, 0xEC, F_BOTH), E(0, 0xED, F_BOTH), E(0, 0xEE, F_BOTH), E(0, 0xEF, F_BOTH),
    E(0, 0xF1, F_BOTH), E(0, 0xF2, F_BOTH), E(0, 0xF3, F_BOTH), E(0, 0xF4, F_BOTH),
    E(0, 0xF5, F_BOTH), E(0, 0xF6, F_BOTH), E(0, 0xF7, F_REG), E(0x66, 0xF7, F_REG),
    E(0, 0xF8, F_BOTH), E(0, 0xF9, F_BOTH), E(0, 0xFA, F_BOTH), E(0, 0xFB, F_BOTH),
    E(0, 0xFC, F_BOTH), E(0, 0xFD, F_BOTH), E(0, 0xFE, F_BOTH),
    E(0, 0x2A, F_BOTH), E(0x66, 0x2A, F_BOTH), E(0, 0x2C, F_BOTH), E(0x66, 0x2C, F_BOTH),
    E(0, 0x2D, F_BOTH), E(0x66, 0x2D, F_BOTH),
    /* SSE3 */
    E(0xF2, 0x7C, F_BOTH), E(0x66, 0x7C, F_BOTH), E(0xF2, 0x7D, F_BOTH), E(0x66, 0x7D, F_BOTH),
    E(0x66, 0xD0, F_BOTH), E(0xF2, 0xD0, F_BOTH), E(0xF3, 0x12, F_BOTH), E(0xF2, 0x12, F_BOTH),
    E(0xF3, 0x16, F_BOTH), E(0xF2, 0xF0, F_MEM),
    /* SSSE3 */
    E38MX(0x00), E38MX(0x01), E38MX(0x02), E38MX(0x03), E38MX(0x04), E38MX(0x05),
    E38MX(0x06), E38MX(0x07), E38MX(0x08), E38MX(0x09), E38MX(0x0A), E38MX(0x0B),
    E38MX(0x1C), E38MX(0x1D), E38MX(0x1E), E3A(0, 0x0F, F_BOTH), E3A(0x66, 0x0F, F_BOTH),
    /* SSE4.1 */
    E38(0x66, 0x10, F_BOTH), E38(0x66, 0x14, F_BOTH), E38(0x66, 0x15, F_BOTH),
    E38(0x66, 0x17, F_BOTH), E38(0x66, 0x20, F_BOTH), E38(0x66, 0x21, F_BOTH),
    E38(0x66, 0x22, F_BOTH), E38(0x66, 0x23, F_BOTH), E38(0x66, 0x24, F_BOTH),
    E38(0x66, 0x25, F_BOTH), E38(0x66, 0x28, F_BOTH), E38(0x66, 0x29, F_BOTH),
    E38(0x66, 0x2A, F_MEM), E38(0x66, 0x2B, F_BOTH), E38(0x66, 0x30, F_BOTH),
    E38(0x66, 0x31, F_BOTH), E38(0x66, 0x32, F_BOTH), E38(0x66, 0x33, F_BOTH),
    E38(0x66, 0x34, F_BOTH), E38(0x66, 0x35, F_BOTH), E38(0x66, 0x38, F_BOTH),
    E38(0x66, 0x39, F_BOTH), E38(0x66, 0x3A, F_BOTH), E38(0x66, 0x3B, F_BOTH),
    E38(0x66, 0x3C, F_BOTH), E38(0x66, 0x3D, F_BOTH), E38(0x66, 0x3E, F_BOTH),
    E38(0x66, 0x3F, F_BOTH), E38(0x66, 0x40, F_BOTH), E38(0x66, 0x41, F_BOTH),
    E3A(0x66, 0x08, F_BOTH), E3A(0x66, 0x09, F_BOTH), E3A(0x66, 0x0A, F_BOTH),
    E3A(0x66, 0x0B, F_BOTH), E3A(0x66, 0x0C, F_BOTH), E3A(0x66, 0x0D, F_BOTH),
    E3A(0x66, 0x0E, F_BOTH), E3A(0x66, 0x14, F_BOTH), E3A(0x66, 0x15, F_BOTH),
    E3A(0x66, 0x16, F_BOTH), E3AW(0x66, 0x16, F_BOTH), E3A(0x66, 0x17, F_BOTH),
    E3AW(0x66, 0x14, F_BOTH), E3A(0x66, 0x20, F_BOTH), E3A(0x66, 0x21, F_BOTH),
    E3A(0x66, 0x22, F_BOTH), E3AW(0x66, 0x22, F_BOTH),
    E3A(0x66, 0x40, F_BOTH), E3A(0x66, 0x41, F_BOTH), E3A(0x66, 0x42, F_BOTH),
    /* SSE4.2, PCLMULQDQ, CRC32 */
    E38(0x66, 0x37, F_BOTH), E3A(0x66, 0x44, F_BOTH),
    E3A(0x66, 0x60, F_BOTH), E3A(0x66, 0x61, F_BOTH), E3A(0x66, 0x62, F_BOTH),
    E3A(0x66, 0x63, F_BOTH), E3AW(0x66, 0x60, F_BOTH), E3AW(0x66, 0x61, F_BOTH),
    E38(0xF2, 0xF0, F_BOTH), E38(0xF2, 0xF1, F_BOTH), E38W(0xF2, 0xF0, F_BOTH),
    E38W(0xF2, 0xF1, F_BOTH), E38(0x66F2, 0xF1, F_BOTH),
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

/* bytes of a short string over a small alphabet, zeros (string ends) included */
static uint64_t rnd_string_bytes(void)
{
    static const uint8_t alphabet[] = { 0, 'a', 'b', 'c', 0x80, 0xff, 'a', 'b' };
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)alphabet[rnd() % 8] << (8 * i);
    return v;
}

static uint64_t rnd_lane64(void)
{
    switch (rnd() % 4) {
    case 0: return rnd_f32() | (uint64_t)rnd_f32() << 32;
    case 1: return rnd_f64();
    case 2: return rnd_string_bytes();
    default: return rnd() % 4 ? rnd() : rnd() % 40;   /* small values: shift counts */
    }
}

/* A random x87 state as an FXSAVE image: control word default, random TOP and condition
 * codes (no exception pending), random abridged tags and register contents */
static void rnd_x87_image(uint8_t *fx, uint32_t mxcsr)
{
    memset(fx, 0, 512);
    uint16_t fcw = 0x037f, fsw = (uint16_t)(rnd() & 0x4700) | (uint16_t)((rnd() & 7) << 11);
    memcpy(fx, &fcw, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = (uint8_t)rnd();
    memcpy(fx + 24, &mxcsr, 4);
    for (int i = 0; i < 8; i++) {
        uint64_t mant = rnd_lane64();
        uint16_t exp = rnd() % 2 ? 0xffff : (uint16_t)rnd();
        memcpy(fx + 32 + 16 * i, &mant, 8);
        memcpy(fx + 40 + 16 * i, &exp, 2);
    }
}

/* ferry's x87 state from / compared with an FXSAVE image: ST(i) is R((TOP + i) & 7) */
static void x87_state_from_image(CPUState *env, const uint8_t *fx)
{
    memcpy(&env->fpuc, fx, 2);
    memcpy(&env->fpus, fx + 2, 2);
    env->fptag = 0;
    for (int i = 0; i < 8; i++)
        if (!((fx[4] >> i) & 1))
            env->fptag |= (uint16_t)(3u << (2 * i));
    unsigned top = (env->fpus >> 11) & 7;
    for (int i = 0; i < 8; i++) {
        memcpy(&env->fpregs[(top + i) & 7].mant, fx + 32 + 16 * i, 8);
        memcpy(&env->fpregs[(top + i) & 7].exp, fx + 40 + 16 * i, 2);
    }
}

static bool x87_state_matches(const CPUState *env, const uint8_t *fx)
{
    uint16_t fsw;
    memcpy(&fsw, fx + 2, 2);
    uint8_t tags = 0;
    for (int i = 0; i < 8; i++)
        if (((env->fptag >> (2 * i)) & 3) != 3)
            tags |= (uint8_t)(1u << i);
    if (fsw != env->fpus || tags != fx[4])
        return false;
    unsigned top = (fsw >> 11) & 7;
    for (int i = 0; i < 8; i++) {
        uint64_t mant;
        uint16_t exp;
        memcpy(&mant, fx + 32 + 16 * i, 8);
        memcpy(&exp, fx + 40 + 16 * i, 2);
        if (env->fpregs[(top + i) & 7].mant != mant || env->fpregs[(top + i) & 7].exp != exp)
            return false;
    }
    return true;
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
    if (e->prefix >> 8)
        out[n++] = (uint8_t)(e->prefix >> 8);
    if (e->prefix & 0xff)
        out[n++] = (uint8_t)e->prefix;
    if (e->rex)
        out[n++] = e->rex;
    out[n++] = 0x0f;
    if (e->map == 2)
        out[n++] = 0x38;
    else if (e->map == 3)
        out[n++] = 0x3a;
    out[n++] = e->opcode;
    if (e->forms & F_NOMODRM)
        return n;
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
    static const uint8_t paddb_mm[] = { 0x0f, 0xfc, 0xca };           /* paddb mm1,mm2 */
    static const uint8_t pshufb_xmm[] = { 0x66, 0x0f, 0x38, 0x00, 0xca };
    static const uint8_t pmulld_mem[] = { 0x66, 0x0f, 0x38, 0x40, 0x0e };
    static const uint8_t pcmpistri_mem[] = { 0x66, 0x0f, 0x3a, 0x63, 0x0e, 0x0c };
    static const uint8_t cvtpi2ps[] = { 0x0f, 0x2a, 0xca };           /* cvtpi2ps xmm1,mm2 */
    static const uint8_t crc32[] = { 0xf2, 0x0f, 0x38, 0xf1, 0xca };
    struct { const char *what; const uint8_t *code; size_t len; uint64_t rsi, cr0;
             bool osfxsr; int want; uint64_t want_rip; } cases[] = {
        { "movdqa misaligned", movdqa_load, 4, GUEST_DATA + 8, 0, true, EXCP_GP, 0 },
        { "movdqu misaligned", movdqu_load, 4, GUEST_DATA + 8, 0, true, EXCP_UD, 4 },
        { "addps misaligned", addps_mem, 3, GUEST_DATA + 4, 0, true, EXCP_GP, 0 },
        { "addss misaligned", addss_mem, 4, GUEST_DATA + 4, 0, true, EXCP_UD, 4 },
        { "no CR4.OSFXSR", movdqu_load, 4, GUEST_DATA, 0, false, EXCP_UD, 0 },
        { "CR0.TS", movdqu_load, 4, GUEST_DATA, CR0_TS, true, EXCP_NM, 0 },
        { "CR0.EM", movdqu_load, 4, GUEST_DATA, CR0_EM, true, EXCP_UD, 0 },
        { "MMX without CR4.OSFXSR", paddb_mm, 3, GUEST_DATA, 0, false, EXCP_UD, 3 },
        { "MMX CR0.TS", paddb_mm, 3, GUEST_DATA, CR0_TS, true, EXCP_NM, 0 },
        { "MMX CR0.EM", paddb_mm, 3, GUEST_DATA, CR0_EM, true, EXCP_UD, 0 },
        { "CVTPI2PS without CR4.OSFXSR", cvtpi2ps, 3, GUEST_DATA, 0, false, EXCP_UD, 0 },
        { "SSSE3 without CR4.OSFXSR", pshufb_xmm, 5, GUEST_DATA, 0, false, EXCP_UD, 0 },
        { "SSE4.1 misaligned", pmulld_mem, 5, GUEST_DATA + 8, 0, true, EXCP_GP, 0 },
        { "PCMPISTRI misaligned", pcmpistri_mem, 6, GUEST_DATA + 8, 0, true, EXCP_UD, 6 },
        { "CRC32 with CR0.EM, no OSFXSR", crc32, 5, GUEST_DATA, CR0_EM | CR0_TS, false,
          EXCP_UD, 5 },
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
    /* a pending x87 exception: #MF for MMX instructions (EMMS included), state unchanged */
    static const uint8_t emms[] = { 0x0f, 0x77 };
    const struct { const uint8_t *code; size_t len; } mf_cases[] = {
        { paddb_mm, 3 }, { emms, 2 }, { cvtpi2ps, 3 } };
    for (size_t i = 0; i < sizeof(mf_cases) / sizeof(mf_cases[0]); i++) {
        tb_flush();
        memcpy(buf, mf_cases[i].code, mf_cases[i].len);
        buf[mf_cases[i].len] = 0x0f;
        buf[mf_cases[i].len + 1] = 0x0b;
        phys_write(GUEST_CODE, buf, mf_cases[i].len + 2);
        cpu_reset_flat64(&cpu);
        cpu.cr[4] |= CR4_OSFXSR;
        cpu_update_hflags(&cpu);
        cpu.fpus = 0x8081 | 3 << 11;  /* IE unmasked and pending, TOP 3 */
        cpu.fptag = 0x5555;
        cpu.rip = GUEST_CODE;
        vec = run_translated(&cpu);
        if (vec != EXCP_MF || cpu.rip != GUEST_CODE || cpu.fpus != (0x8081 | 3 << 11) ||
            cpu.fptag != 0x5555) {
            printf("FAIL pending x87 exception %zu: vector %d\n", i, vec);
            failures++;
        }
    }
    /* ROUNDSS with PE unmasked: #XM, unless the immediate suppresses PE; #UD without
     * CR4.OSXMMEXCPT */
    static const uint8_t roundss[] = { 0x66, 0x0f, 0x3a, 0x0a, 0xca, 0x00 };
    const struct { uint8_t imm; uint64_t cr4; int want; } round_cases[] = {
        { 0x00, CR4_OSXMMEXCPT, EXCP_XM }, { 0x00, 0, EXCP_UD }, { 0x08, CR4_OSXMMEXCPT, EXCP_UD } };
    for (size_t i = 0; i < sizeof(round_cases) / sizeof(round_cases[0]); i++) {
        tb_flush();
        memcpy(buf, roundss, 6);
        buf[5] = round_cases[i].imm;
        buf[6] = 0x0f;
        buf[7] = 0x0b;
        phys_write(GUEST_CODE, buf, 8);
        cpu_reset_flat64(&cpu);
        cpu.cr[4] |= CR4_OSFXSR | round_cases[i].cr4;
        cpu_update_hflags(&cpu);
        cpu.mxcsr = 0x1f80 & ~0x1000u;
        cpu.xmm[1][0] = 0;
        cpu.xmm[2][0] = 0x3fc00000;       /* 1.5f */
        cpu.rip = GUEST_CODE;
        vec = run_translated(&cpu);
        bool faulted = round_cases[i].want == EXCP_XM || round_cases[i].cr4 == 0;
        uint32_t want_xmm1 = faulted ? 0 : 0x40000000;   /* 2.0f */
        if (vec != round_cases[i].want || (uint32_t)cpu.xmm[1][0] != want_xmm1 ||
            cpu.rip != GUEST_CODE + (faulted ? 0 : 6)) {
            printf("FAIL roundss unmasked PE %zu: vector %d xmm1 %08x\n", i, vec,
                   (uint32_t)cpu.xmm[1][0]);
            failures++;
        }
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
    if (argc > 3 && !strcmp(argv[3], "softfloat"))
        sse_host_fp = false;
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
                /* random rounding, DAZ and FTZ half of the time (the default controls the
                 * other half); every exception masked; some flags already set */
                in.mxcsr = 0x1f80 | (uint32_t)(rnd() & 0x3f);
                if (rnd() % 2)
                    in.mxcsr |= (uint32_t)(rnd() & 0x6000) | (uint32_t)(rnd() & 0x8040);
                in.pad = 0;
                for (int x = 0; x < 16; x++) {
                    in.xmm[x][0] = rnd_lane64();
                    in.xmm[x][1] = rnd_lane64();
                }
                rnd_x87_image(in.fx, in.mxcsr);
                uint8_t data[DATA_BYTES];
                for (int b = 0; b < DATA_BYTES; b += 8) {
                    uint64_t v = rnd_lane64();
                    memcpy(data + b, &v, 8);
                }

                NativeState ns = in;
                ns.regs[R_ESI] = ns.regs[R_EDI] = (uint64_t)(uintptr_t)native_data;
                memcpy(native_data, data, DATA_BYTES);
                native_sse_run(&ns, native);

                cpu_reset_flat64(&cpu);
                cpu.cr[4] |= CR4_OSFXSR | CR4_OSXMMEXCPT;
                cpu_update_hflags(&cpu);
                memcpy(cpu.regs, in.regs, sizeof(cpu.regs));
                cpu.regs[R_ESI] = cpu.regs[R_EDI] = GUEST_DATA;
                x87_state_from_image(&cpu, in.fx);
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
                    if (r != R_ESP && r != R_ESI && r != R_EDI && cpu.regs[r] != ns.regs[r])
                        bad = true;
                bool x87_bad = !x87_state_matches(&cpu, ns.fx);
                bad |= x87_bad;
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
                        if (r != R_ESP && r != R_ESI && r != R_EDI && cpu.regs[r] != ns.regs[r])
                            printf("  r%d in %016llx host %016llx ours %016llx\n", r,
                                   (unsigned long long)in.regs[r], (unsigned long long)ns.regs[r],
                                   (unsigned long long)cpu.regs[r]);
                    if (memcmp(ours_data, native_data, DATA_BYTES))
                        printf("  memory differs\n");
                    if (x87_bad)
                        printf("  x87 state differs: fsw host %04x ours %04x\n",
                               ns.fx[2] | ns.fx[3] << 8, cpu.fpus);
                }
            }
        }
    }
    printf("SSE instructions vs host: %ld runs, %d failures\n", runs, failures);
    return failures != 0;
}
