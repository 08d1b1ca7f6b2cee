/*
 * cpu/sse.h — private to cpu/: the MMX/SSE translator (xlat_sse.c) and its helpers
 * (helpers_sse.c: MMX, SSE, SSE2 and the MMX-register forms; helpers_sse4.c: SSE3, SSSE3,
 * SSE4.1; helpers_sse42.c: SSE4.2 and CRC32). The generator finds the instruction's entry in
 * the helpers' tables at translation time and hands the helper one descriptor word.
 */
#ifndef FERRY_CPU_SSE_H
#define FERRY_CPU_SSE_H

#include "cpu/softfloat.h"
#include "cpu/xlat.h"

/* What the translator needs to know about an implemented mmx_sse encoding */
typedef struct SseLookup {
    int index;              /* the descriptor's entry index */
    unsigned mem_bytes;     /* size of its memory operand (0 for a register form) */
    bool sets_flags;        /* it writes EFLAGS */
    bool needs_osfxsr;      /* it names an xmm register: #UD without CR4.OSFXSR */
} SseLookup;

/* The entry implementing insn (a mmx_sse instruction); false if ferry does not implement
 * it (#UD). */
bool sse_lookup(const X86Insn *insn, SseLookup *out);

/* Generate insn as IR without a helper if it is one of the moves and 64-bit lane
 * operations xlat_sse_inline.c handles (after the availability checks); false otherwise */
bool gen_sse_inline(DisasContext *s, const X86Insn *insn);

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

DECL_HELPER(sse);               /* (desc, linear, imm8): one MMX/SSE instruction */
DECL_HELPER(sse_arith);         /* (desc, src_lo, src_hi): FP arithmetic, source preloaded */
#define SSE_ARITH_DESC(op, pfx, reg, pred) \
    ((uint64_t)(op) | (uint64_t)(pfx) << 3 | (uint64_t)(reg) << 5 | (uint64_t)(pred) << 9)
#define SSE_ARITH_OP(d)     ((unsigned)(d) & 7)
#define SSE_ARITH_PFX(d)    (((unsigned)(d) >> 3) & 3)
#define SSE_ARITH_REG(d)    (((unsigned)(d) >> 5) & 15)
#define SSE_ARITH_PRED(d)   (((unsigned)(d) >> 9) & 7)
DECL_HELPER(sse_comis);         /* (desc, src): COMIS/UCOMIS, source preloaded */
DECL_HELPER(sse_unavailable);   /* (): #UD with CR0.EM, else #NM (CR0.TS) */
DECL_HELPER(ldmxcsr);           /* (value): #GP(0) on reserved bits */
DECL_HELPER(fxsave);            /* (linear): 512-byte FXSAVE image */
DECL_HELPER(fxrstor);           /* (linear) */
DECL_HELPER(crc32);             /* (crc, value, bytes) -> CRC32C of value's low bytes; pure */

/* ---------------------------------------------------------------- the helpers' tables
 * Shared by helpers_sse*.c. Lanes are read through the Xmm union, so these files assume a
 * little-endian host (x86-64 and AArch64 as ferry builds them). */

/* mandatory prefix as an index (the descriptor's pfx field) */
enum { PX_NONE, PX_66, PX_F3, PX_F2 };

typedef union Xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t d[4];
    uint64_t q[2];
} Xmm;

typedef struct SseArgs {
    CPUState *env;
    Xmm *dst;           /* the destination register: xmm[reg], or a copy of an mm register
                           (upper half zero) written back after the operation */
    Xmm src;            /* xmm[rm], mm[rm], the memory operand, or a general register */
    unsigned reg, rm;
    bool mem, rexw;
    unsigned pfx;       /* PX_* */
    unsigned width;     /* bytes of the operation: 16 on xmm registers, 8 on mm registers */
    uint8_t imm;
    uint64_t la;
    int mmu_idx;
} SseArgs;

typedef void (*SseFn)(SseArgs *a, unsigned param);

/* memory operand sizes */
enum {
    M_NONE,     /* register-only form */
    M_16A,      /* 16 bytes, 16-byte aligned (8 unaligned in the MMX form) */
    M_16U,      /* 16 bytes, any alignment */
    M_8, M_4, M_2, M_1,
    M_FP,       /* by prefix: packed 16 aligned, ss 4, sd 8 */
    M_FPCVT,    /* CVTPS2PD / CVTSS2SD / CVTPD2PS / CVTSD2SS: 8, 4, 16A, 8 */
    M_GPR,      /* a general register or memory: 4, 8 with REX.W */
};
/* flags */
enum {
    S_STORE = 1,    /* writes its r/m operand: no source load, fn stores */
    S_GPRSRC = 2,   /* register form reads the general register rm */
    S_FLAGS = 4,    /* writes EFLAGS (env's lazy state becomes CC_OP_EFLAGS) */
    S_MMX_NP = 8,   /* without a prefix it is the MMX form: reg and rm name mm registers */
    S_MMREG = 16,   /* ModRM.reg names an mm register */
    S_MMRM = 32,    /* ModRM.rm names an mm register (register form) */
    S_XMM = 64,     /* names an xmm register although it has mm operands (CVTPI2PS...) */
    S_GRPDST = 128, /* the 0F 71-73 groups: the destination is rm */
    S_EMMS = 256,   /* x87/MMX state only, no operands */
    S_READONLY = 512, /* does not write its reg operand (MASKMOVQ) */
};

typedef struct SseOp {
    uint8_t map, opcode;
    uint8_t pfx_mask;   /* bit n: prefix n allowed (1 none, 2 66, 4 F3, 8 F2) */
    int8_t group_reg;   /* ModRM.reg for the 0F 71-73 groups, -1 otherwise */
    uint8_t msize;
    uint16_t flags;
    SseFn fn;
    uint16_t param;
} SseOp;
enum { NP = 1, P66 = 2, PF3 = 4, PF2 = 8, PFP = 15 };

/* the tables beside helpers_sse.c's own */
extern const SseOp mmx_ops[];           /* helpers_mmx.c */
extern const unsigned mmx_nb_ops;
extern const SseOp sse4_ops[];          /* helpers_sse4.c */
extern const unsigned sse4_nb_ops;
extern const SseOp sse42_ops[];         /* helpers_sse42.c */
extern const unsigned sse42_nb_ops;

static inline int64_t sse_lane_get(const Xmm *x, unsigned size, unsigned i, bool is_signed)
{
    switch (size) {
    case 1: return is_signed ? (int64_t)(int8_t)x->b[i] : (int64_t)x->b[i];
    case 2: return is_signed ? (int64_t)(int16_t)x->w[i] : (int64_t)x->w[i];
    case 4: return is_signed ? (int64_t)(int32_t)x->d[i] : (int64_t)x->d[i];
    default: return (int64_t)x->q[i];
    }
}

static inline void sse_lane_set(Xmm *x, unsigned size, unsigned i, uint64_t v)
{
    switch (size) {
    case 1: x->b[i] = (uint8_t)v; break;
    case 2: x->w[i] = (uint16_t)v; break;
    case 4: x->d[i] = (uint32_t)v; break;
    default: x->q[i] = v; break;
    }
}

static inline int64_t sse_saturate(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Lane-wise integer operations (helpers_sse.c): param = LANES(kind, lane size) */
enum { L_ADD, L_SUB, L_ADDS, L_ADDUS, L_SUBS, L_SUBUS, L_CMPEQ, L_CMPGT, L_MINU, L_MAXU,
       L_MINS, L_MAXS, L_AVG, L_MULLO, L_MULHI, L_MULHU };
#define LANES(kind, size) ((kind) << 4 | (size))
void sse_op_lanes(SseArgs *a, unsigned param);
/* PACKSSWB / PACKSSDW / PACKUSWB / PACKUSDW: param = source lane size | 0x10 for unsigned */
void sse_op_pack(SseArgs *a, unsigned param);

/* The lazy flags after an instruction that computed them outright (PTEST, PCMPxSTRx) */
static inline void sse_set_eflags(CPUState *env, uint32_t cc_bits)
{
    env->cc_src = cc_bits;
    env->cc_op = CC_OP_EFLAGS;
}

/* MXCSR's controls in; flags accumulated out, an unmasked one raising #XM (#UD without
 * CR4.OSXMMEXCPT) before the destination is written */
SfStatus sse_fp_begin(const SseArgs *a);
void sse_fp_end(SseArgs *a, const SfStatus *st);
uint64_t sse_fp_lane(const Xmm *x, SfFormat f, unsigned i);
void sse_fp_lane_set(Xmm *x, SfFormat f, unsigned i, uint64_t v);

/* The x87 side of MMX (helpers_mmx.c). mm registers are the significands of the physical
 * x87 registers R0-R7. */
void mmx_check_pending(CPUState *env);      /* #MF when an x87 exception is pending */
void mmx_transition(CPUState *env);         /* TOP = 0, every register tagged valid */
void mmx_write(CPUState *env, unsigned i, uint64_t v);  /* exponent and sign all ones */

/* Floating-point operations of op_fp_arith (helpers_sse.c) and the host fast path */
enum { FP_ADD, FP_SUB, FP_MUL, FP_DIV, FP_MIN, FP_MAX, FP_SQRT, FP_CMP };

/* x86-64 hosts (sse_hostfp.c): the host's SSE unit computes n lanes of x OP y (CMPPS
 * predicate pred) under the guest's MXCSR controls, bit-identical to the guest; flags gets
 * the exception flags raised. false when not available (other hosts, or sse_host_fp
 * cleared by a test that wants softfloat), and nothing is computed. */
extern bool sse_host_fp;
bool sse_host_fp_lanes(unsigned op, SfFormat f, unsigned n, const Xmm *x, const Xmm *y,
                       unsigned pred, uint32_t mxcsr, Xmm *r, uint8_t *flags);
/* COMIS (signaling) / UCOMIS on the host */
bool sse_host_compare(SfFormat f, uint64_t a, uint64_t b, bool signaling, uint32_t mxcsr,
                      SfRelation *rel, uint8_t *flags);

/* Write an r/m destination of size bytes: memory, or a general register (zero-extended
 * to 32 bits, or to 64 with wide) */
void sse_store_rm(SseArgs *a, uint64_t v, unsigned size, bool wide);

#endif
