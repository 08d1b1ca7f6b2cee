/*
 * cpu/x87.h — private to cpu/: the x87 translator (xlat_x87.c) and its helper
 * (helpers_x87.c).
 */
#ifndef FERRY_CPU_X87_H
#define FERRY_CPU_X87_H

#include "cpu/xlat.h"

/* helper_x87's descriptor: escape (opcode - 0xD8), ModRM, 32-bit environment layout */
#define X87_DESC(esc, modrm, wide) \
    ((uint64_t)(esc) | (uint64_t)(modrm) << 3 | (uint64_t)(wide) << 11)
#define X87_DESC_ESC(d)   ((unsigned)(d) & 7)
#define X87_DESC_MODRM(d) (((unsigned)(d) >> 3) & 0xff)
#define X87_DESC_WIDE(d)  ((((unsigned)(d) >> 11) & 1) != 0)

/* Bytes of the memory operand of escape esc with ModRM.reg reg (0: not a memory form) */
unsigned x87_mem_size(unsigned esc, unsigned reg, bool wide_env);

DECL_HELPER(x87);               /* (desc, linear) */
/* cpu/helpers_xsave.c */
enum { XSAVE_KIND_SAVE, XSAVE_KIND_SAVEOPT, XSAVE_KIND_SAVEC, XSAVE_KIND_RSTOR };
DECL_HELPER(xsave);             /* (linear, XSAVE_KIND_*): EDX:EAX is the feature mask */
DECL_HELPER(xgetbv);            /* () */
DECL_HELPER(xsetbv);            /* () */
uint64_t cpu_xcr0(const CPUState *env);
DECL_HELPER(x87_unavailable);   /* (): #NM (CR0.EM or CR0.TS) */

#endif
