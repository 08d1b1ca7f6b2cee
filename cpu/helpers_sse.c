/*
 * cpu/helpers_sse.c — MMX, SSE and SSE2 on env->xmm and the mm registers: one table of the
 * implemented encodings (map, opcode, mandatory prefixes, memory operand size), the lookup
 * over it and the tables of helpers_mmx.c, helpers_sse4.c and helpers_sse42.c, and the one
 * helper that runs an entry.
 *
 * The helper does every access that can fault (alignment #GP, the memory load, a memory
 * store) and every floating-point exception check before it writes a register, so a fault
 * leaves the state of the instruction's start. Floating-point arithmetic goes through
 * cpu/softfloat.c with MXCSR's controls; flags accumulate into MXCSR, and an unmasked one
 * raises #XM (#UD without CR4.OSXMMEXCPT) with the destination unchanged.
 *
 * MMX forms run the same operations on 8 bytes: an mm operand is loaded into the low half
 * of an Xmm whose upper half is zero, and the destination's low half written back.
 */
#include <string.h>

#include "cpu/helpers.h"
#include "cpu/softfloat.h"
#include "cpu/sse.h"

static void set_gpr32_or_64(CPUState *env, unsigned reg, uint64_t v, bool wide)
{
    env->regs[reg & 15] = wide ? v : (uint32_t)v;
}

void sse_store_rm(SseArgs *a, uint64_t v, unsigned size, bool wide)
{
    if (a->mem)
        mmu_st(a->env, a->la, v, size, a->mmu_idx);
    else
        set_gpr32_or_64(a->env, a->rm, v, wide);
}

/* ---------------------------------------------------------------- integer lanes */

/* param = LANES(kind, lane size); width/size lanes (8 bytes for the MMX forms) */
void sse_op_lanes(SseArgs *a, unsigned param)
{
    unsigned size = param & 15, kind = param >> 4, n = a->width / size;
    int64_t smax = (int64_t)((1ull << (size * 8 - 1)) - 1), smin = -smax - 1;
    int64_t umax = size == 8 ? -1 : (int64_t)((1ull << (size * 8)) - 1);
    Xmm r = { 0 };
    for (unsigned i = 0; i < n; i++) {
        bool sgn = kind == L_ADDS || kind == L_SUBS || kind == L_CMPGT || kind == L_MINS ||
                   kind == L_MAXS || kind == L_MULHI;
        int64_t x = sse_lane_get(a->dst, size, i, sgn), y = sse_lane_get(&a->src, size, i, sgn);
        uint64_t v;
        switch (kind) {
        case L_ADD: v = (uint64_t)x + (uint64_t)y; break;
        case L_SUB: v = (uint64_t)x - (uint64_t)y; break;
        case L_ADDS: v = (uint64_t)sse_saturate(x + y, smin, smax); break;
        case L_SUBS: v = (uint64_t)sse_saturate(x - y, smin, smax); break;
        case L_ADDUS: v = (uint64_t)sse_saturate(x + y, 0, umax); break;
        case L_SUBUS: v = (uint64_t)sse_saturate(x - y, 0, umax); break;
        case L_CMPEQ: v = x == y ? ~0ull : 0; break;
        case L_CMPGT: v = x > y ? ~0ull : 0; break;
        case L_MINU: case L_MINS: v = (uint64_t)(x < y ? x : y); break;
        case L_MAXU: case L_MAXS: v = (uint64_t)(x > y ? x : y); break;
        case L_AVG: v = (uint64_t)(x + y + 1) >> 1; break;
        case L_MULLO: v = (uint64_t)x * (uint64_t)y; break;
        default: v = (uint64_t)(x * y) >> 16; break;   /* MULHI, MULHU: 16-bit lanes */
        }
        sse_lane_set(&r, size, i, v);
    }
    *a->dst = r;
}

enum { BIT_AND, BIT_ANDN, BIT_OR, BIT_XOR };
static void op_bitwise(SseArgs *a, unsigned param)
{
    for (int i = 0; i < 2; i++) {
        uint64_t x = a->dst->q[i], y = a->src.q[i];
        a->dst->q[i] = param == BIT_AND ? x & y : param == BIT_ANDN ? ~x & y
                     : param == BIT_OR ? x | y : x ^ y;
    }
}

static void op_pmuludq(SseArgs *a, unsigned param)
{
    for (int i = 0; i < 2; i++)
        a->dst->q[i] = (uint64_t)a->dst->d[2 * i] * a->src.d[2 * i];
}

static void op_pmaddwd(SseArgs *a, unsigned param)
{
    Xmm r;
    for (int i = 0; i < 4; i++) {
        int64_t s = (int64_t)(int16_t)a->dst->w[2 * i] * (int16_t)a->src.w[2 * i] +
                    (int64_t)(int16_t)a->dst->w[2 * i + 1] * (int16_t)a->src.w[2 * i + 1];
        r.d[i] = (uint32_t)s;   /* only 0x8000 * 0x8000 twice wraps, to 0x80000000 */
    }
    *a->dst = r;
}

static void op_psadbw(SseArgs *a, unsigned param)
{
    for (int h = 0; h < 2; h++) {
        unsigned sum = 0;
        for (int i = 0; i < 8; i++) {
            int d = a->dst->b[8 * h + i] - a->src.b[8 * h + i];
            sum += (unsigned)(d < 0 ? -d : d);
        }
        a->dst->q[h] = sum;
    }
}

/* PACKSSWB / PACKSSDW / PACKUSWB: param = source lane size | 0x10 for unsigned */
void sse_op_pack(SseArgs *a, unsigned param)
{
    unsigned size = param & 15, n = a->width / size;
    bool to_unsigned = param & 0x10;
    int64_t half = (int64_t)1 << (size * 4 - 1);    /* the narrow type's signed range */
    int64_t lo = to_unsigned ? 0 : -half, hi = to_unsigned ? 2 * half - 1 : half - 1;
    Xmm r = { 0 };
    for (unsigned i = 0; i < 2 * n; i++) {
        const Xmm *from = i < n ? a->dst : &a->src;
        sse_lane_set(&r, size / 2, i, (uint64_t)sse_saturate(sse_lane_get(from, size, i % n, true), lo, hi));
    }
    *a->dst = r;
}

/* PUNPCKL / PUNPCKH: param = lane size | 0x10 for the high halves */
static void op_unpack(SseArgs *a, unsigned param)
{
    unsigned size = param & 15, n = a->width / size, base = (param & 0x10) ? n / 2 : 0;
    Xmm r = { 0 };
    for (unsigned i = 0; i < n / 2; i++) {
        sse_lane_set(&r, size, 2 * i, (uint64_t)sse_lane_get(a->dst, size, base + i, false));
        sse_lane_set(&r, size, 2 * i + 1, (uint64_t)sse_lane_get(&a->src, size, base + i, false));
    }
    *a->dst = r;
}

/* Shifts. param = lane size | SH_* kind; by immediate (group) or by xmm/m128's low qword */
enum { SH_LEFT = 0x10, SH_RIGHT = 0x20, SH_ARITH = 0x40, SH_BYTES = 0x80, SH_IMM = 0x100 };
static void op_shift(SseArgs *a, unsigned param)
{
    unsigned size = param & 15, n = a->width / size;
    Xmm *x = a->dst;    /* the groups' destination is rm: the helper points dst there */
    uint64_t count = (param & SH_IMM) ? a->imm : a->src.q[0];
    Xmm r = { 0 };
    if (param & SH_BYTES) {
        for (int i = 0; i < 16; i++) {
            int from = (param & SH_LEFT) ? i - (int)count : i + (int)count;
            r.b[i] = count < 16 && from >= 0 && from < 16 ? x->b[from] : 0;
        }
        *x = r;
        return;
    }
    unsigned bits = size * 8;
    for (unsigned i = 0; i < n; i++) {
        uint64_t v;
        if (param & SH_ARITH) {
            int64_t s = sse_lane_get(x, size, i, true);
            v = (uint64_t)(s >> (count >= bits ? bits - 1 : count));
        } else if (count >= bits) {
            v = 0;
        } else {
            uint64_t u = (uint64_t)sse_lane_get(x, size, i, false);
            v = (param & SH_LEFT) ? u << count : u >> count;
        }
        sse_lane_set(&r, size, i, v);
    }
    *x = r;
}

/* ---------------------------------------------------------------- shuffles and masks */

static void op_pshufd(SseArgs *a, unsigned param)
{
    Xmm r;
    for (int i = 0; i < 4; i++)
        r.d[i] = a->src.d[(a->imm >> (2 * i)) & 3];
    *a->dst = r;
}

/* PSHUFLW (param 0) / PSHUFHW (param 4): shuffle one half's words, copy the other half */
static void op_pshufw_half(SseArgs *a, unsigned param)
{
    Xmm r = a->src;
    for (int i = 0; i < 4; i++)
        r.w[param + i] = a->src.w[param + ((a->imm >> (2 * i)) & 3)];
    *a->dst = r;
}

static void op_shufps(SseArgs *a, unsigned param)
{
    Xmm r;
    if (a->pfx == PX_66) {
        r.q[0] = a->dst->q[a->imm & 1];
        r.q[1] = a->src.q[(a->imm >> 1) & 1];
    } else {
        r.d[0] = a->dst->d[a->imm & 3];
        r.d[1] = a->dst->d[(a->imm >> 2) & 3];
        r.d[2] = a->src.d[(a->imm >> 4) & 3];
        r.d[3] = a->src.d[(a->imm >> 6) & 3];
    }
    *a->dst = r;
}

/* UNPCKLPS/PD (param 0), UNPCKHPS/PD (0x10) */
static void op_unpck_fp(SseArgs *a, unsigned param)
{
    op_unpack(a, param | (a->pfx == PX_66 ? 8 : 4));
}

/* PMOVMSKB (1), MOVMSKPS/PD (by prefix): the lanes' sign bits into a general register */
static void op_movmsk(SseArgs *a, unsigned param)
{
    const Xmm *x = &a->src;
    unsigned size = param ? 1 : a->pfx == PX_66 ? 8 : 4, n = a->width / size, mask = 0;
    for (unsigned i = 0; i < n; i++)
        mask |= (unsigned)((uint64_t)sse_lane_get(x, size, i, false) >> (size * 8 - 1)) << i;
    a->env->regs[a->reg] = mask;
}

static void op_pextrw(SseArgs *a, unsigned param)
{
    a->env->regs[a->reg] = a->src.w[a->imm & (a->width / 2 - 1)];
}

static void op_pinsrw(SseArgs *a, unsigned param)
{
    a->dst->w[a->imm & (a->width / 2 - 1)] = a->src.w[0];
}

/* ---------------------------------------------------------------- moves */

static void store_bytes(SseArgs *a, const Xmm *v, unsigned size)
{
    if (size == 16) {
        mmu_st(a->env, a->la, v->q[0], 8, a->mmu_idx);
        mmu_st(a->env, a->la + 8, v->q[1], 8, a->mmu_idx);
    } else {
        mmu_st(a->env, a->la, v->q[0], size, a->mmu_idx);
    }
}

/* load forms: the whole register (MOVAPS MOVUPS MOVDQA MOVDQU LDDQU) */
static void op_mov_full(SseArgs *a, unsigned param)
{
    *a->dst = a->src;
}

/* store forms of the full-register moves: r/m = xmm[reg] */
static void op_store_full(SseArgs *a, unsigned param)
{
    const Xmm *v = (const Xmm *)a->env->xmm[a->reg];
    if (a->mem)
        store_bytes(a, v, 16);
    else
        memcpy(a->env->xmm[a->rm], v, 16);
}

/* MOVSS/MOVSD loads: memory zero-extends, a register merges the low lane */
static void op_mov_scalar(SseArgs *a, unsigned param)
{
    unsigned size = a->pfx == PX_F3 ? 4 : 8;
    if (a->mem)
        *a->dst = a->src;
    else
        memcpy(a->dst, &a->src, size);
}

/* MOVSS/MOVSD, MOVUPS... 0F 11 stores: by prefix */
static void op_store_0f11(SseArgs *a, unsigned param)
{
    if (a->pfx < PX_F3) {
        op_store_full(a, 0);
        return;
    }
    unsigned size = a->pfx == PX_F3 ? 4 : 8;
    const Xmm *v = (const Xmm *)a->env->xmm[a->reg];
    if (a->mem)
        store_bytes(a, v, size);
    else
        memcpy(a->env->xmm[a->rm], v, size);
}

/* 0F 12 / 0F 16: MOVLPS/MOVLPD/MOVHPS/MOVHPD loads, MOVHLPS/MOVLHPS (param = 0 low, 1 high) */
static void op_mov_half(SseArgs *a, unsigned param)
{
    uint64_t v = a->mem ? a->src.q[0] : a->src.q[param ? 0 : 1];
    a->dst->q[param] = v;
}

/* 0F 13 / 0F 17: MOVLPS/MOVHPS stores (param = which half) */
static void op_store_half(SseArgs *a, unsigned param)
{
    mmu_st(a->env, a->la, a->env->xmm[a->reg][param], 8, a->mmu_idx);
}

/* MOVD/MOVQ xmm or mm, r/m32/64 (66 0F 6E, 0F 6E): zero-extends */
static void op_movd_to_xmm(SseArgs *a, unsigned param)
{
    a->dst->q[0] = a->rexw ? a->src.q[0] : a->src.d[0];
    a->dst->q[1] = 0;
}

/* MOVD/MOVQ r/m32/64, xmm (66 0F 7E) or mm (0F 7E) */
static void op_movd_from_xmm(SseArgs *a, unsigned param)
{
    sse_store_rm(a, a->dst->q[0], a->rexw ? 8 : 4, a->rexw);
}

/* MOVQ xmm, xmm/m64 (F3 0F 7E), MOVQ2DQ, MOVDQ2Q: zero-extends */
static void op_movq_load(SseArgs *a, unsigned param)
{
    a->dst->q[0] = a->src.q[0];
    a->dst->q[1] = 0;
}

/* MOVQ xmm/m64, xmm (66 0F D6): a register destination is zero-extended */
static void op_movq_store(SseArgs *a, unsigned param)
{
    uint64_t v = a->env->xmm[a->reg][0];
    if (a->mem) {
        mmu_st(a->env, a->la, v, 8, a->mmu_idx);
    } else {
        a->env->xmm[a->rm][0] = v;
        a->env->xmm[a->rm][1] = 0;
    }
}

/* ---------------------------------------------------------------- floating point */

SfStatus sse_fp_begin(const SseArgs *a)
{
    return sf_status_from_mxcsr(a->env->mxcsr);
}

/* Accumulate flags; an unmasked one faults before the destination is written */
void sse_fp_end(SseArgs *a, const SfStatus *st)
{
    CPUState *env = a->env;
    env->mxcsr |= st->flags;
    if (st->flags & ~st->masks & 0x3f) {
        cpu_raise_exception(env, (env->cr[4] & CR4_OSXMMEXCPT) ? EXCP_XM : EXCP_UD, 0);
    }
}

uint64_t sse_fp_lane(const Xmm *x, SfFormat f, unsigned i)
{
    return f == SF_F32 ? x->d[i] : x->q[i];
}

void sse_fp_lane_set(Xmm *x, SfFormat f, unsigned i, uint64_t v)
{
    if (f == SF_F32)
        x->d[i] = (uint32_t)v;
    else
        x->q[i] = v;
}

/* One lane of op_fp_arith's operations on softfloat */
static uint64_t fp_soft_lane(unsigned op, SfFormat f, uint64_t x, uint64_t y, unsigned pred,
                             SfStatus *st)
{
    switch (op) {
    case FP_ADD: return sf_add(f, x, y, st);
    case FP_SUB: return sf_sub(f, x, y, st);
    case FP_MUL: return sf_mul(f, x, y, st);
    case FP_DIV: return sf_div(f, x, y, st);
    case FP_MIN: return sf_min(f, x, y, st);
    case FP_MAX: return sf_max(f, x, y, st);
    case FP_SQRT: return sf_sqrt(f, y, st);
    default: return sf_cmp_predicate(f, x, y, pred & 7, st) ? ~0ull : 0;
    }
}

/* Arithmetic by prefix: none = ps, 66 = pd, F3 = ss, F2 = sd */
static void op_fp_arith(SseArgs *a, unsigned param)
{
    SfFormat f = (a->pfx == PX_NONE || a->pfx == PX_F3) ? SF_F32 : SF_F64;
    unsigned n = a->pfx >= PX_F3 ? 1 : f == SF_F32 ? 4 : 2;
    SfStatus st = sse_fp_begin(a);
    Xmm r = *a->dst;
    if (sse_host_fp_lanes(param, f, n, a->dst, &a->src, a->imm, a->env->mxcsr, &r, &st.flags))
        n = 0;
    for (unsigned i = 0; i < n; i++)
        sse_fp_lane_set(&r, f, i, fp_soft_lane(param, f, sse_fp_lane(a->dst, f, i),
                                               sse_fp_lane(&a->src, f, i), a->imm, &st));
    sse_fp_end(a, &st);
    *a->dst = r;
}

/* (desc, src_lo, src_hi): op_fp_arith (ADDPS... SQRTSD, CMPPS...CMPSD) with the source
 * operand already loaded by the translator (xlat_sse_inline.c), so that compiled
 * floating-point code pays one lean call per operation instead of helper_sse's table walk
 * and memory access. desc = SSE_ARITH_DESC(op, prefix index, reg, predicate). */
HELPER(sse_arith)
{
    CPUState *env = env_;
    SseArgs a = {
        .env = env,
        .dst = (Xmm *)env->xmm[SSE_ARITH_REG(a0)],
        .src = { .q = { a1, a2 } },
        .pfx = SSE_ARITH_PFX(a0),
        .width = 16,
        .imm = (uint8_t)SSE_ARITH_PRED(a0),
    };
    op_fp_arith(&a, SSE_ARITH_OP(a0));
    return 0;
}
DEF_HELPER_INFO(sse_arith, 0);

/* COMISS/UCOMISS (param 1/0), SD with 66: ZF PF CF from the relation, OF SF AF cleared */
static void op_comis(SseArgs *a, unsigned param)
{
    static const uint32_t relation_flags[] = {
        [SF_LESS] = CC_C, [SF_EQUAL] = CC_Z, [SF_GREATER] = 0,
        [SF_UNORDERED] = CC_Z | CC_P | CC_C };
    SfFormat f = a->pfx == PX_66 ? SF_F64 : SF_F32;
    SfStatus st = sse_fp_begin(a);
    SfRelation r;
    uint64_t x = sse_fp_lane(a->dst, f, 0), y = sse_fp_lane(&a->src, f, 0);
    if (!sse_host_compare(f, x, y, param, a->env->mxcsr, &r, &st.flags))
        r = sf_compare(f, x, y, param, &st);
    sse_fp_end(a, &st);
    a->env->cc_src = relation_flags[r];
    a->env->cc_op = CC_OP_EFLAGS;
}

/* (desc, src): COMISS/UCOMISS/COMISD/UCOMISD (op_comis) with the source preloaded, the
 * same way; desc = SSE_ARITH_DESC(signaling, prefix index, reg, 0). Leaves env's flags as
 * CC_OP_EFLAGS. */
HELPER(sse_comis)
{
    CPUState *env = env_;
    SseArgs a = {
        .env = env,
        .dst = (Xmm *)env->xmm[SSE_ARITH_REG(a0)],
        .src = { .q = { a1, 0 } },
        .pfx = SSE_ARITH_PFX(a0),
        .width = 16,
    };
    op_comis(&a, SSE_ARITH_OP(a0));
    return 0;
}
DEF_HELPER_INFO(sse_comis, 0);

/* CVTSI2SS / CVTSI2SD: from r/m32 or r/m64 */
static void op_cvtsi2fp(SseArgs *a, unsigned param)
{
    SfFormat f = a->pfx == PX_F3 ? SF_F32 : SF_F64;
    int64_t v = a->rexw ? (int64_t)a->src.q[0] : (int32_t)a->src.d[0];
    SfStatus st = sse_fp_begin(a);
    uint64_t r = sf_from_int(f, v, &st);
    sse_fp_end(a, &st);
    sse_fp_lane_set(a->dst, f, 0, r);
}

/* CVT(T)SS2SI / CVT(T)SD2SI (param 1 = truncate) into r32/r64 */
static void op_cvtfp2si(SseArgs *a, unsigned param)
{
    SfFormat f = a->pfx == PX_F3 ? SF_F32 : SF_F64;
    SfStatus st = sse_fp_begin(a);
    uint64_t r = sf_to_int(f, sse_fp_lane(&a->src, f, 0), a->rexw ? 64 : 32, param, &st);
    sse_fp_end(a, &st);
    set_gpr32_or_64(a->env, a->reg, r, a->rexw);
}

/* 0F 5A: CVTPS2PD CVTPD2PS CVTSS2SD CVTSD2SS */
static void op_cvt_fp_fp(SseArgs *a, unsigned param)
{
    bool widen = a->pfx == PX_NONE || a->pfx == PX_F3;
    SfFormat from = widen ? SF_F32 : SF_F64, to = widen ? SF_F64 : SF_F32;
    unsigned n = a->pfx >= PX_F3 ? 1 : 2;
    SfStatus st = sse_fp_begin(a);
    Xmm r = *a->dst;
    if (a->pfx == PX_66)
        r.q[1] = 0;     /* CVTPD2PS zeroes the upper half */
    for (unsigned i = 0; i < n; i++)
        sse_fp_lane_set(&r, to, i, sf_convert(to, from, sse_fp_lane(&a->src, from, i), &st));
    sse_fp_end(a, &st);
    *a->dst = r;
}

/* 0F 5B: CVTDQ2PS (none), CVTPS2DQ (66), CVTTPS2DQ (F3); 0F E6: CVTTPD2DQ (66),
 * CVTDQ2PD (F3), CVTPD2DQ (F2). param 0 = 0F 5B, 1 = 0F E6. */
static void op_cvt_int_packed(SseArgs *a, unsigned param)
{
    SfStatus st = sse_fp_begin(a);
    Xmm r = { 0 };
    if (!param) {
        for (unsigned i = 0; i < 4; i++) {
            uint32_t x = a->src.d[i];
            r.d[i] = (uint32_t)(a->pfx == PX_NONE ? sf_from_int(SF_F32, (int32_t)x, &st)
                                : sf_to_int(SF_F32, x, 32, a->pfx == PX_F3, &st));
        }
    } else if (a->pfx == PX_F3) {
        for (unsigned i = 0; i < 2; i++)
            r.q[i] = sf_from_int(SF_F64, (int32_t)a->src.d[i], &st);
    } else {
        for (unsigned i = 0; i < 2; i++)
            r.d[i] = (uint32_t)sf_to_int(SF_F64, a->src.q[i], 32, a->pfx == PX_66, &st);
    }
    sse_fp_end(a, &st);
    *a->dst = r;
}

/* ---------------------------------------------------------------- the table */

#define OP(op, pm, ms, fl, fn, prm) { 1, op, pm, -1, ms, fl, fn, prm }
#define GRP(op, pm, r, fn, prm) { 1, op, pm, r, M_NONE, S_GRPDST | S_MMX_NP, fn, prm }
#define INT(op, fn, prm) OP(op, NP | P66, M_16A, S_MMX_NP, fn, prm)   /* MMX and SSE2 forms */

static const SseOp sse_ops[] = {
    OP(0x10, NP | P66, M_16U, 0, op_mov_full, 0),
    OP(0x10, PF3, M_4, 0, op_mov_scalar, 0),
    OP(0x10, PF2, M_8, 0, op_mov_scalar, 0),
    OP(0x11, NP | P66, M_16U, S_STORE, op_store_0f11, 0),
    OP(0x11, PF3, M_4, S_STORE, op_store_0f11, 0),
    OP(0x11, PF2, M_8, S_STORE, op_store_0f11, 0),
    OP(0x12, NP | P66, M_8, 0, op_mov_half, 0),
    OP(0x13, NP | P66, M_8, S_STORE, op_store_half, 0),
    OP(0x14, NP | P66, M_16A, 0, op_unpck_fp, 0),
    OP(0x15, NP | P66, M_16A, 0, op_unpck_fp, 0x10),
    OP(0x16, NP | P66, M_8, 0, op_mov_half, 1),
    OP(0x17, NP | P66, M_8, S_STORE, op_store_half, 1),
    OP(0x28, NP | P66, M_16A, 0, op_mov_full, 0),
    OP(0x29, NP | P66, M_16A, S_STORE, op_store_full, 0),
    OP(0x2A, PF3 | PF2, M_GPR, S_GPRSRC, op_cvtsi2fp, 0),
    OP(0x2B, NP | P66, M_16A, S_STORE, op_store_full, 0),
    OP(0x2C, PF3, M_4, 0, op_cvtfp2si, 1),
    OP(0x2C, PF2, M_8, 0, op_cvtfp2si, 1),
    OP(0x2D, PF3, M_4, 0, op_cvtfp2si, 0),
    OP(0x2D, PF2, M_8, 0, op_cvtfp2si, 0),
    OP(0x2E, NP, M_4, S_FLAGS, op_comis, 0),
    OP(0x2E, P66, M_8, S_FLAGS, op_comis, 0),
    OP(0x2F, NP, M_4, S_FLAGS, op_comis, 1),
    OP(0x2F, P66, M_8, S_FLAGS, op_comis, 1),
    OP(0x50, NP | P66, M_NONE, 0, op_movmsk, 0),
    OP(0x51, PFP, M_FP, 0, op_fp_arith, FP_SQRT),
    OP(0x54, NP | P66, M_16A, 0, op_bitwise, BIT_AND),
    OP(0x55, NP | P66, M_16A, 0, op_bitwise, BIT_ANDN),
    OP(0x56, NP | P66, M_16A, 0, op_bitwise, BIT_OR),
    OP(0x57, NP | P66, M_16A, 0, op_bitwise, BIT_XOR),
    OP(0x58, PFP, M_FP, 0, op_fp_arith, FP_ADD),
    OP(0x59, PFP, M_FP, 0, op_fp_arith, FP_MUL),
    OP(0x5A, PFP, M_FPCVT, 0, op_cvt_fp_fp, 0),
    OP(0x5B, NP | P66 | PF3, M_16A, 0, op_cvt_int_packed, 0),
    OP(0x5C, PFP, M_FP, 0, op_fp_arith, FP_SUB),
    OP(0x5D, PFP, M_FP, 0, op_fp_arith, FP_MIN),
    OP(0x5E, PFP, M_FP, 0, op_fp_arith, FP_DIV),
    OP(0x5F, PFP, M_FP, 0, op_fp_arith, FP_MAX),
    INT(0x60, op_unpack, 1),
    INT(0x61, op_unpack, 2),
    INT(0x62, op_unpack, 4),
    INT(0x63, sse_op_pack, 2),
    INT(0x64, sse_op_lanes, LANES(L_CMPGT, 1)),
    INT(0x65, sse_op_lanes, LANES(L_CMPGT, 2)),
    INT(0x66, sse_op_lanes, LANES(L_CMPGT, 4)),
    INT(0x67, sse_op_pack, 0x12),
    INT(0x68, op_unpack, 0x11),
    INT(0x69, op_unpack, 0x12),
    INT(0x6A, op_unpack, 0x14),
    INT(0x6B, sse_op_pack, 4),
    OP(0x6C, P66, M_16A, 0, op_unpack, 8),
    OP(0x6D, P66, M_16A, 0, op_unpack, 0x18),
    OP(0x6E, P66, M_GPR, S_GPRSRC, op_movd_to_xmm, 0),
    OP(0x6E, NP, M_GPR, S_GPRSRC | S_MMREG, op_movd_to_xmm, 0),
    INT(0x6F, op_mov_full, 0),
    OP(0x6F, PF3, M_16U, 0, op_mov_full, 0),
    OP(0x70, P66, M_16A, 0, op_pshufd, 0),
    OP(0x70, PF3, M_16A, 0, op_pshufw_half, 4),
    OP(0x70, PF2, M_16A, 0, op_pshufw_half, 0),
    GRP(0x71, NP | P66, 2, op_shift, 2 | SH_RIGHT | SH_IMM),
    GRP(0x71, NP | P66, 4, op_shift, 2 | SH_RIGHT | SH_ARITH | SH_IMM),
    GRP(0x71, NP | P66, 6, op_shift, 2 | SH_LEFT | SH_IMM),
    GRP(0x72, NP | P66, 2, op_shift, 4 | SH_RIGHT | SH_IMM),
    GRP(0x72, NP | P66, 4, op_shift, 4 | SH_RIGHT | SH_ARITH | SH_IMM),
    GRP(0x72, NP | P66, 6, op_shift, 4 | SH_LEFT | SH_IMM),
    GRP(0x73, NP | P66, 2, op_shift, 8 | SH_RIGHT | SH_IMM),
    GRP(0x73, P66, 3, op_shift, 1 | SH_RIGHT | SH_BYTES | SH_IMM),
    GRP(0x73, NP | P66, 6, op_shift, 8 | SH_LEFT | SH_IMM),
    GRP(0x73, P66, 7, op_shift, 1 | SH_LEFT | SH_BYTES | SH_IMM),
    INT(0x74, sse_op_lanes, LANES(L_CMPEQ, 1)),
    INT(0x75, sse_op_lanes, LANES(L_CMPEQ, 2)),
    INT(0x76, sse_op_lanes, LANES(L_CMPEQ, 4)),
    OP(0x7E, P66, M_GPR, S_STORE, op_movd_from_xmm, 0),
    OP(0x7E, NP, M_GPR, S_STORE | S_MMREG, op_movd_from_xmm, 0),
    OP(0x7E, PF3, M_8, 0, op_movq_load, 0),
    OP(0x7F, P66, M_16A, S_STORE, op_store_full, 0),
    OP(0x7F, PF3, M_16U, S_STORE, op_store_full, 0),
    OP(0xC2, PFP, M_FP, 0, op_fp_arith, FP_CMP),
    OP(0xC4, P66, M_2, S_GPRSRC, op_pinsrw, 0),
    OP(0xC4, NP, M_2, S_GPRSRC | S_MMREG, op_pinsrw, 0),
    OP(0xC5, P66, M_NONE, 0, op_pextrw, 0),
    OP(0xC5, NP, M_NONE, S_MMRM, op_pextrw, 0),
    OP(0xC6, NP | P66, M_16A, 0, op_shufps, 0),
    INT(0xD1, op_shift, 2 | SH_RIGHT),
    INT(0xD2, op_shift, 4 | SH_RIGHT),
    INT(0xD3, op_shift, 8 | SH_RIGHT),
    INT(0xD4, sse_op_lanes, LANES(L_ADD, 8)),
    INT(0xD5, sse_op_lanes, LANES(L_MULLO, 2)),
    OP(0xD6, P66, M_8, S_STORE, op_movq_store, 0),
    OP(0xD6, PF3, M_NONE, S_MMRM | S_XMM, op_movq_load, 0),     /* MOVQ2DQ xmm, mm */
    OP(0xD6, PF2, M_NONE, S_MMREG | S_XMM, op_movq_load, 0),    /* MOVDQ2Q mm, xmm */
    OP(0xD7, P66, M_NONE, 0, op_movmsk, 1),
    OP(0xD7, NP, M_NONE, S_MMRM, op_movmsk, 1),
    INT(0xD8, sse_op_lanes, LANES(L_SUBUS, 1)),
    INT(0xD9, sse_op_lanes, LANES(L_SUBUS, 2)),
    INT(0xDA, sse_op_lanes, LANES(L_MINU, 1)),
    INT(0xDB, op_bitwise, BIT_AND),
    INT(0xDC, sse_op_lanes, LANES(L_ADDUS, 1)),
    INT(0xDD, sse_op_lanes, LANES(L_ADDUS, 2)),
    INT(0xDE, sse_op_lanes, LANES(L_MAXU, 1)),
    INT(0xDF, op_bitwise, BIT_ANDN),
    INT(0xE0, sse_op_lanes, LANES(L_AVG, 1)),
    INT(0xE1, op_shift, 2 | SH_RIGHT | SH_ARITH),
    INT(0xE2, op_shift, 4 | SH_RIGHT | SH_ARITH),
    INT(0xE3, sse_op_lanes, LANES(L_AVG, 2)),
    INT(0xE4, sse_op_lanes, LANES(L_MULHU, 2)),
    INT(0xE5, sse_op_lanes, LANES(L_MULHI, 2)),
    OP(0xE6, P66 | PF2, M_16A, 0, op_cvt_int_packed, 1),
    OP(0xE6, PF3, M_8, 0, op_cvt_int_packed, 1),
    OP(0xE7, P66, M_16A, S_STORE, op_store_full, 0),
    INT(0xE8, sse_op_lanes, LANES(L_SUBS, 1)),
    INT(0xE9, sse_op_lanes, LANES(L_SUBS, 2)),
    INT(0xEA, sse_op_lanes, LANES(L_MINS, 2)),
    INT(0xEB, op_bitwise, BIT_OR),
    INT(0xEC, sse_op_lanes, LANES(L_ADDS, 1)),
    INT(0xED, sse_op_lanes, LANES(L_ADDS, 2)),
    INT(0xEE, sse_op_lanes, LANES(L_MAXS, 2)),
    INT(0xEF, op_bitwise, BIT_XOR),
    INT(0xF1, op_shift, 2 | SH_LEFT),
    INT(0xF2, op_shift, 4 | SH_LEFT),
    INT(0xF3, op_shift, 8 | SH_LEFT),
    INT(0xF4, op_pmuludq, 0),
    INT(0xF5, op_pmaddwd, 0),
    INT(0xF6, op_psadbw, 0),
    INT(0xF8, sse_op_lanes, LANES(L_SUB, 1)),
    INT(0xF9, sse_op_lanes, LANES(L_SUB, 2)),
    INT(0xFA, sse_op_lanes, LANES(L_SUB, 4)),
    INT(0xFB, sse_op_lanes, LANES(L_SUB, 8)),
    INT(0xFC, sse_op_lanes, LANES(L_ADD, 1)),
    INT(0xFD, sse_op_lanes, LANES(L_ADD, 2)),
    INT(0xFE, sse_op_lanes, LANES(L_ADD, 4)),
};

/* Every table, searched in order; an entry's descriptor index is table << 12 | position */
static const struct {
    const SseOp *ops;
    const unsigned *count;
} sse_tables[] = {
    { sse_ops, NULL }, { mmx_ops, &mmx_nb_ops }, { sse4_ops, &sse4_nb_ops },
    { sse42_ops, &sse42_nb_ops },
};
#define NB_SSE_TABLES (sizeof(sse_tables) / sizeof(sse_tables[0]))

static unsigned table_count(unsigned t)
{
    return sse_tables[t].count ? *sse_tables[t].count : sizeof(sse_ops) / sizeof(sse_ops[0]);
}

static unsigned prefix_index(uint8_t mandatory)
{
    return mandatory == 0x66 ? PX_66 : mandatory == 0xF3 ? PX_F3
         : mandatory == 0xF2 ? PX_F2 : PX_NONE;
}

/* The entry's flags under prefix pfx: the no-prefix form of an S_MMX_NP entry is MMX */
static unsigned effective_flags(const SseOp *op, unsigned pfx)
{
    unsigned fl = op->flags;
    if ((fl & S_MMX_NP) && pfx == PX_NONE)
        fl |= S_MMREG | S_MMRM;
    return fl;
}

/* Byte size of the memory operand of entry op under prefix pfx (0: register only) */
static unsigned mem_size(const SseOp *op, unsigned pfx, bool rexw, bool *aligned)
{
    static const uint8_t fp_sizes[4] = { 16, 16, 4, 8 }, fpcvt_sizes[4] = { 8, 16, 4, 8 };
    *aligned = false;
    switch (op->msize) {
    case M_16A:
        if ((op->flags & S_MMX_NP) && pfx == PX_NONE)
            return 8;
        *aligned = true;
        return 16;
    case M_16U: return 16;
    case M_8: return 8;
    case M_4: return 4;
    case M_2: return 2;
    case M_1: return 1;
    case M_FP: *aligned = pfx < PX_F3; return fp_sizes[pfx];
    case M_FPCVT: *aligned = pfx == PX_66; return fpcvt_sizes[pfx];
    case M_GPR: return rexw ? 8 : 4;
    default: return 0;
    }
}

/* The entry a descriptor names (a corrupt index picks entry 0 rather than reading past a
 * table) */
static const SseOp *entry_at(unsigned index)
{
    unsigned t = index >> 12, i = index & 0xfff;
    if (t >= NB_SSE_TABLES || i >= table_count(t))
        t = i = 0;
    return &sse_tables[t].ops[i];
}

bool sse_lookup(const X86Insn *insn, SseLookup *out)
{
    unsigned pfx = prefix_index(insn->mandatory);
    bool mem = insn->has_modrm && insn->mod != 3;
    for (unsigned t = 0; t < NB_SSE_TABLES; t++) {
        for (unsigned i = 0; i < table_count(t); i++) {
            const SseOp *op = &sse_tables[t].ops[i];
            if (op->map != insn->map || op->opcode != insn->opcode ||
                !((op->pfx_mask >> pfx) & 1))
                continue;
            if (op->group_reg >= 0 && op->group_reg != ((insn->modrm >> 3) & 7))
                continue;
            bool aligned;
            unsigned size = mem_size(op, pfx, (insn->rex & 8) != 0, &aligned);
            if (mem && !size)
                return false;
            unsigned fl = effective_flags(op, pfx);
            out->index = (int)(t << 12 | i);
            out->mem_bytes = mem ? size : 0;
            out->sets_flags = fl & S_FLAGS;
            out->needs_osfxsr = (fl & S_XMM) || !(fl & (S_MMREG | S_MMRM | S_EMMS));
            return true;
        }
    }
    return false;
}

uint64_t sse_desc(const X86Insn *insn, int index)
{
    return SSE_DESC((unsigned)index, insn->reg & 15, insn->rm & 15,
                    insn->has_modrm && insn->mod != 3, (insn->rex & 8) != 0,
                    prefix_index(insn->mandatory));
}

/* (desc, linear, imm): run the entry SSE_DESC_INDEX(desc) names */
HELPER(sse)
{
    CPUState *env = env_;
    uint64_t desc = a0;
    const SseOp *op = entry_at(SSE_DESC_INDEX(desc));
    SseArgs a = {
        .env = env,
        .reg = SSE_DESC_REG(desc),
        .rm = SSE_DESC_RM(desc),
        .mem = SSE_DESC_MEM(desc),
        .rexw = SSE_DESC_REXW(desc),
        .pfx = SSE_DESC_PFX(desc),
        .width = 16,
        .imm = (uint8_t)a2,
        .la = a1,
        .mmu_idx = cpu_mmu_index(env),
    };
    unsigned fl = effective_flags(op, a.pfx);
    /* the destination: reg, or rm for the shift groups; mm registers ignore REX */
    bool dst_mm = (fl & S_GRPDST) ? (fl & S_MMRM) : (fl & S_MMREG);
    unsigned dst_index = (fl & S_GRPDST) ? a.rm : a.reg;
    bool src_mm = (fl & S_MMRM) && !(fl & S_GRPDST) && !a.mem;
    Xmm mm_dst = { 0 };
    if (fl & (S_MMREG | S_MMRM))
        mmx_check_pending(env);
    if (dst_mm) {
        dst_index &= 7;
        mm_dst.q[0] = env->fpregs[dst_index].mant;
        a.dst = &mm_dst;
    } else {
        a.dst = (Xmm *)env->xmm[dst_index];
    }
    if ((fl & (S_MMREG | S_MMRM)) && !(fl & S_XMM))
        a.width = 8;            /* an operation on mm registers */
    bool aligned;
    unsigned size = mem_size(op, a.pfx, a.rexw, &aligned);
    if (a.mem && aligned && (a.la & 15))
        cpu_raise_exception(env, EXCP_GP, 0);
    if (!(op->flags & S_STORE)) {
        if (!a.mem) {
            if (op->flags & S_GPRSRC)
                a.src.q[0] = env->regs[a.rm];
            else if (src_mm)
                a.src.q[0] = env->fpregs[a.rm & 7].mant;
            else
                memcpy(&a.src, env->xmm[a.rm], 16);
        } else if (size == 16) {
            a.src.q[0] = mmu_ld(env, a.la, 8, a.mmu_idx);
            a.src.q[1] = mmu_ld(env, a.la + 8, 8, a.mmu_idx);
        } else {
            a.src.q[0] = mmu_ld(env, a.la, size, a.mmu_idx);
        }
    }
    op->fn(&a, op->param);
    if ((fl & S_MMREG) || src_mm || ((fl & S_GRPDST) && dst_mm))
        mmx_transition(env);
    if (dst_mm && !(op->flags & (S_STORE | S_READONLY)))
        mmx_write(env, dst_index, mm_dst.q[0]);
    return 0;
}
DEF_HELPER_INFO(sse, 0);

/* (): SSE with CR0.EM (#UD) or CR0.TS (#NM) */
HELPER(sse_unavailable)
{
    CPUState *env = env_;
    cpu_raise_exception(env, (env->cr[0] & CR0_EM) ? EXCP_UD : EXCP_NM, 0);
}
DEF_HELPER_INFO(sse_unavailable, 0);

/* ---------------------------------------------------------------- MXCSR, FXSAVE */

#define MXCSR_MASK 0xffffu      /* every defined bit, DAZ included */

/* (value): LDMXCSR; reserved bits #GP(0) */
HELPER(ldmxcsr)
{
    CPUState *env = env_;
    if (a0 & ~(uint64_t)MXCSR_MASK)
        cpu_raise_exception(env, EXCP_GP, 0);
    env->mxcsr = (uint32_t)a0;
    return 0;
}
DEF_HELPER_INFO(ldmxcsr, 0);

/* fpregs[] are the physical registers R0-R7; ST(i) is R((TOP + i) mod 8) */
static unsigned fpu_top(const CPUState *env)
{
    return (env->fpus >> 11) & 7;
}

/* Abridged tag: one bit per register, 1 = not empty (full tag 11 = empty) */
static uint8_t abridged_tag(uint16_t full)
{
    uint8_t t = 0;
    for (int i = 0; i < 8; i++)
        if (((full >> (2 * i)) & 3) != 3)
            t |= (uint8_t)(1u << i);
    return t;
}

static uint16_t full_tag(uint8_t abridged)
{
    uint16_t t = 0;
    for (int i = 0; i < 8; i++)
        if (!((abridged >> i) & 1))
            t |= (uint16_t)(3u << (2 * i));
    /* a non-empty register is tagged valid; the finer classes are x87's business */
    return t;
}

/* (linear, wide): FXSAVE / FXSAVE64 in the 512-byte layout (wide: 64-bit FIP/FDP forms,
 * all 16 xmm registers in 64-bit mode). The instruction/data pointers are not modelled
 * and read as zero. */
HELPER(fxsave)
{
    CPUState *env = env_;
    uint64_t la = a0;
    int idx = cpu_mmu_index(env);
    if (la & 15)
        cpu_raise_exception(env, EXCP_GP, 0);
    /* probe the whole area first so a fault leaves memory untouched */
    for (unsigned off = 0; off < 512; off += 8)
        mmu_ld(env, la + off, 8, idx);
    mmu_st(env, la + 0, env->fpuc, 2, idx);
    mmu_st(env, la + 2, env->fpus, 2, idx);
    mmu_st(env, la + 4, abridged_tag(env->fptag), 1, idx);
    mmu_st(env, la + 5, 0, 1, idx);
    for (unsigned off = 6; off < 24; off += 2)
        mmu_st(env, la + off, 0, 2, idx);       /* FOP, FIP, FCS, FDP, FDS */
    mmu_st(env, la + 24, env->mxcsr, 4, idx);
    mmu_st(env, la + 28, MXCSR_MASK, 4, idx);
    for (int i = 0; i < 8; i++) {
        const X87Reg *st = &env->fpregs[(fpu_top(env) + i) & 7];
        mmu_st(env, la + 32 + 16 * i, st->mant, 8, idx);
        mmu_st(env, la + 40 + 16 * i, st->exp, 2, idx);
    }
    int nxmm = (env->hflags & HF_CS64) ? 16 : 8;
    for (int i = 0; i < nxmm; i++) {
        mmu_st(env, la + 160 + 16 * i, env->xmm[i][0], 8, idx);
        mmu_st(env, la + 168 + 16 * i, env->xmm[i][1], 8, idx);
    }
    return 0;
}
DEF_HELPER_INFO(fxsave, 0);

/* (linear): FXRSTOR; reserved MXCSR bits #GP(0) */
HELPER(fxrstor)
{
    CPUState *env = env_;
    uint64_t la = a0;
    int idx = cpu_mmu_index(env);
    if (la & 15)
        cpu_raise_exception(env, EXCP_GP, 0);
    uint32_t mxcsr = (uint32_t)mmu_ld(env, la + 24, 4, idx);
    if (mxcsr & ~MXCSR_MASK)
        cpu_raise_exception(env, EXCP_GP, 0);
    X87Reg regs[8];
    for (int i = 0; i < 8; i++) {
        regs[i].mant = mmu_ld(env, la + 32 + 16 * i, 8, idx);
        regs[i].exp = (uint16_t)mmu_ld(env, la + 40 + 16 * i, 2, idx);
    }
    int nxmm = (env->hflags & HF_CS64) ? 16 : 8;
    uint64_t xmm[16][2];
    for (int i = 0; i < nxmm; i++) {
        xmm[i][0] = mmu_ld(env, la + 160 + 16 * i, 8, idx);
        xmm[i][1] = mmu_ld(env, la + 168 + 16 * i, 8, idx);
    }
    env->fpuc = (uint16_t)mmu_ld(env, la + 0, 2, idx);
    env->fpus = (uint16_t)mmu_ld(env, la + 2, 2, idx);
    env->fptag = full_tag((uint8_t)mmu_ld(env, la + 4, 1, idx));
    env->mxcsr = mxcsr;
    for (int i = 0; i < 8; i++)
        env->fpregs[(fpu_top(env) + i) & 7] = regs[i];
    memcpy(env->xmm, xmm, sizeof(uint64_t) * 2 * (size_t)nxmm);
    return 0;
}
DEF_HELPER_INFO(fxrstor, 0);
