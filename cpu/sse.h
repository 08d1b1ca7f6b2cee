/*
 * cpu/sse.h — private to cpu/: the SSE/SSE2 translator (xlat_sse.c) and its helpers
 * (helpers_sse.c). The generator finds the instruction's entry in the helpers' table at
 * translation time and hands the helper one descriptor word.
 */
#ifndef FERRY_CPU_SSE_H
#define FERRY_CPU_SSE_H

#include "cpu/xlat.h"

/* Index of the table entry implementing insn (a mmx_sse instruction), or -1 if ferry does
 * not implement it (#UD). *mem_bytes: size of its memory operand (0 for a register form);
 * *sets_flags: it writes EFLAGS. */
int sse_lookup(const X86Insn *insn, unsigned *mem_bytes, bool *sets_flags);

/* helper_sse's descriptor word for insn and its table entry */
uint64_t sse_desc(const X86Insn *insn, int index);

/* Descriptor word of helper_sse: table index, xmm/GPR numbers, form and prefix */
#define SSE_DESC(index, reg, rm, mem, rexw, pfx) \
    ((uint64_t)(index) | (uint64_t)(reg) << 16 | (uint64_t)(rm) << 20 | \
     (uint64_t)(mem) << 24 | (uint64_t)(rexw) << 25 | (uint64_t)(pfx) << 26)
#define SSE_DESC_INDEX(d)  ((unsigned)(d) & 0xffff)
#define SSE_DESC_REG(d)    (((unsigned)(d) >> 16) & 15)
#define SSE_DESC_RM(d)     (((unsigned)(d) >> 20) & 15)
#define SSE_DESC_MEM(d)    ((((unsigned)(d) >> 24) & 1) != 0)
#define SSE_DESC_REXW(d)   ((((unsigned)(d) >> 25) & 1) != 0)
#define SSE_DESC_PFX(d)    (((unsigned)(d) >> 26) & 3)

DECL_HELPER(sse);               /* (desc, linear, imm8): one SSE/SSE2 instruction */
DECL_HELPER(sse_unavailable);   /* (): #UD with CR0.EM, else #NM (CR0.TS) */
DECL_HELPER(ldmxcsr);           /* (value): #GP(0) on reserved bits */
DECL_HELPER(fxsave);            /* (linear): 512-byte FXSAVE image */
DECL_HELPER(fxrstor);           /* (linear) */

#endif
