/*
 * cpu/helpers_sse4.c — SSE3, SSSE3 (MMX and xmm forms) and SSE4.1 for helper_sse: the
 * operations and their table (helpers_sse.c looks it up and runs the entries).
 *
 * Floating-point operations go through softfloat with MXCSR's controls, in the order the
 * SDM's pseudo-code gives (HADDPS pairs, DPPS's products then the two-level sum), each step
 * rounded; ROUNDPS and its kin round to an integral value here, in integers.
 */
#include "cpu/helpers.h"
#include "cpu/softfloat.h"
#include "cpu/sse.h"

/* ---------------------------------------------------------------- SSE3 */

/* ADDSUBPS (F2) / ADDSUBPD (66): even lanes subtract, odd lanes add */
static void op_addsub(SseArgs *a, unsigned param)
{
    SfFormat f = a->pfx == PX_F2 ? SF_F32 : SF_F64;
    unsigned n = f == SF_F32 ? 4 : 2;
    SfStatus st = sse_fp_begin(a);
    Xmm r;
    for (unsigned i = 0; i < n; i++) {
        uint64_t x = sse_fp_lane(a->dst, f, i), y = sse_fp_lane(&a->src, f, i);
        sse_fp_lane_set(&r, f, i, (i & 1) ? sf_add(f, x, y, &st) : sf_sub(f, x, y, &st));
    }
    sse_fp_end(a, &st);
    *a->dst = r;
}

/* HADDPS/HADDPD (param 0), HSUBPS/HSUBPD (1): adjacent pairs of dst, then of src */
static void op_hadd(SseArgs *a, unsigned param)
{
    SfFormat f = a->pfx == PX_F2 ? SF_F32 : SF_F64;
    unsigned half = f == SF_F32 ? 2 : 1;
    SfStatus st = sse_fp_begin(a);
    Xmm r;
    for (unsigned i = 0; i < 2 * half; i++) {
        const Xmm *from = i < half ? a->dst : &a->src;
        unsigned j = 2 * (i % half);
        uint64_t x = sse_fp_lane(from, f, j), y = sse_fp_lane(from, f, j + 1);
        sse_fp_lane_set(&r, f, i, param ? sf_sub(f, x, y, &st) : sf_add(f, x, y, &st));
    }
    sse_fp_end(a, &st);
    *a->dst = r;
}

/* MOVSLDUP (0), MOVSHDUP (1), MOVDDUP (2) */
static void op_movdup(SseArgs *a, unsigned param)
{
    Xmm r;
    if (param == 2) {
        r.q[0] = r.q[1] = a->src.q[0];
    } else {
        for (unsigned i = 0; i < 4; i++)
            r.d[i] = a->src.d[(i & ~1u) + param];
    }
    *a->dst = r;
}

/* LDDQU, MOVNTDQA: a plain load */
static void op_load(SseArgs *a, unsigned param)
{
    *a->dst = a->src;
}

/* ---------------------------------------------------------------- SSSE3 (width 8 or 16) */

static void op_pshufb(SseArgs *a, unsigned param)
{
    Xmm r = { 0 };
    for (unsigned i = 0; i < a->width; i++) {
        uint8_t sel = a->src.b[i];
        r.b[i] = (sel & 0x80) ? 0 : a->dst->b[sel & (a->width - 1)];
    }
    *a->dst = r;
}

/* PHADDW/D, PHADDSW, PHSUBW/D, PHSUBSW: param = lane size | HOR_* */
enum { HOR_SUB = 0x10, HOR_SAT = 0x20 };
static void op_phaddsub(SseArgs *a, unsigned param)
{
    unsigned size = param & 15, half = a->width / size / 2;
    Xmm r = { 0 };
    for (unsigned i = 0; i < 2 * half; i++) {
        const Xmm *from = i < half ? a->dst : &a->src;
        unsigned j = 2 * (i % half);
        int64_t x = sse_lane_get(from, size, j, true), y = sse_lane_get(from, size, j + 1, true);
        int64_t v = (param & HOR_SUB) ? x - y : x + y;
        if (param & HOR_SAT)
            v = sse_saturate(v, INT16_MIN, INT16_MAX);
        sse_lane_set(&r, size, i, (uint64_t)v);
    }
    *a->dst = r;
}

/* PMADDUBSW: unsigned bytes of dst times signed bytes of src, pairs summed, saturated */
static void op_pmaddubsw(SseArgs *a, unsigned param)
{
    Xmm r = { 0 };
    for (unsigned i = 0; i < a->width / 2; i++) {
        int32_t v = a->dst->b[2 * i] * (int8_t)a->src.b[2 * i] +
                    a->dst->b[2 * i + 1] * (int8_t)a->src.b[2 * i + 1];
        r.w[i] = (uint16_t)sse_saturate(v, INT16_MIN, INT16_MAX);
    }
    *a->dst = r;
}

/* PMULHRSW: the rounded high half of the 32-bit product, scaled by 2 */
static void op_pmulhrsw(SseArgs *a, unsigned param)
{
    Xmm r = { 0 };
    for (unsigned i = 0; i < a->width / 2; i++) {
        int32_t p = (int16_t)a->dst->w[i] * (int16_t)a->src.w[i];
        r.w[i] = (uint16_t)(((p >> 14) + 1) >> 1);
    }
    *a->dst = r;
}

/* PSIGNB/W/D: dst negated, zeroed or kept by the sign of src (param = lane size) */
static void op_psign(SseArgs *a, unsigned param)
{
    Xmm r = { 0 };
    for (unsigned i = 0; i < a->width / param; i++) {
        int64_t x = sse_lane_get(a->dst, param, i, true), y = sse_lane_get(&a->src, param, i, true);
        sse_lane_set(&r, param, i, (uint64_t)(y < 0 ? -x : y == 0 ? 0 : x));
    }
    *a->dst = r;
}

/* PABSB/W/D (param = lane size): the most negative value stays as is (unsigned result) */
static void op_pabs(SseArgs *a, unsigned param)
{
    Xmm r = { 0 };
    for (unsigned i = 0; i < a->width / param; i++) {
        int64_t y = sse_lane_get(&a->src, param, i, true);
        sse_lane_set(&r, param, i, (uint64_t)(y < 0 ? -y : y));
    }
    *a->dst = r;
}

/* PALIGNR: dst:src shifted right by imm8 bytes, the low width bytes kept */
static void op_palignr(SseArgs *a, unsigned param)
{
    Xmm r = { 0 };
    for (unsigned i = 0; i < a->width; i++) {
        unsigned k = i + a->imm;
        r.b[i] = k < a->width ? a->src.b[k] : k < 2 * a->width ? a->dst->b[k - a->width] : 0;
    }
    *a->dst = r;
}

/* ---------------------------------------------------------------- SSE4.1 integer */

/* PBLENDVB / BLENDVPS / BLENDVPD (param = lane size): src where XMM0's lane sign is set */
static void op_blendv(SseArgs *a, unsigned param)
{
    const Xmm *mask = (const Xmm *)a->env->xmm[0];
    for (unsigned i = 0; i < 16 / param; i++)
        if ((uint64_t)sse_lane_get(mask, param, i, false) >> (param * 8 - 1))
            sse_lane_set(a->dst, param, i, (uint64_t)sse_lane_get(&a->src, param, i, false));
}

/* BLENDPS / BLENDPD / PBLENDW (param = lane size): src where the immediate's bit is set */
static void op_blend(SseArgs *a, unsigned param)
{
    for (unsigned i = 0; i < 16 / param; i++)
        if ((a->imm >> i) & 1)
            sse_lane_set(a->dst, param, i, (uint64_t)sse_lane_get(&a->src, param, i, false));
}

/* PTEST: ZF = (dst AND src) == 0, CF = (NOT dst AND src) == 0, the others clear */
static void op_ptest(SseArgs *a, unsigned param)
{
    uint64_t and = (a->dst->q[0] & a->src.q[0]) | (a->dst->q[1] & a->src.q[1]);
    uint64_t andn = (~a->dst->q[0] & a->src.q[0]) | (~a->dst->q[1] & a->src.q[1]);
    sse_set_eflags(a->env, (and ? 0 : CC_Z) | (andn ? 0 : CC_C));
}

/* PMOVSX / PMOVZX: param = source lane size | destination lane size << 4 | PMOV_SIGNED */
#define PMOV_SIGNED 0x100
static void op_pmovx(SseArgs *a, unsigned param)
{
    unsigned from = param & 15, to = (param >> 4) & 15;
    Xmm r;
    for (unsigned i = 0; i < 16 / to; i++)
        sse_lane_set(&r, to, i, (uint64_t)sse_lane_get(&a->src, from, i, param & PMOV_SIGNED));
    *a->dst = r;
}

/* PMULDQ: signed dwords 0 and 2 to quadwords */
static void op_pmuldq(SseArgs *a, unsigned param)
{
    for (unsigned i = 0; i < 2; i++)
        a->dst->q[i] = (uint64_t)((int64_t)(int32_t)a->dst->d[2 * i] *
                                  (int32_t)a->src.d[2 * i]);
}

/* PHMINPOSUW: the smallest unsigned word of src and its (lowest) index */
static void op_phminposuw(SseArgs *a, unsigned param)
{
    unsigned best = 0;
    for (unsigned i = 1; i < 8; i++)
        if (a->src.w[i] < a->src.w[best])
            best = i;
    Xmm r = { 0 };
    r.w[0] = a->src.w[best];
    r.w[1] = (uint16_t)best;
    *a->dst = r;
}

/* MPSADBW: eight sums of absolute differences of four bytes, at offsets the imm8 selects */
static void op_mpsadbw(SseArgs *a, unsigned param)
{
    unsigned doff = (a->imm & 4) ? 4 : 0, soff = (a->imm & 3) * 4;
    Xmm r;
    for (unsigned i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; j++) {
            int d = a->dst->b[doff + i + j] - a->src.b[soff + j];
            sum += (unsigned)(d < 0 ? -d : d);
        }
        r.w[i] = (uint16_t)sum;
    }
    *a->dst = r;
}

/* PEXTRB / PEXTRW / PEXTRD / PEXTRQ (REX.W) / EXTRACTPS to r/m: param = lane size |
 * EXTR_Q when REX.W selects the quadword */
#define EXTR_Q 0x10
static void op_pextr(SseArgs *a, unsigned param)
{
    unsigned size = (param & EXTR_Q) && a->rexw ? 8 : param & 15;
    uint64_t v = (uint64_t)sse_lane_get(a->dst, size, a->imm & (16 / size - 1), false);
    sse_store_rm(a, v, size, a->rexw);
}

/* PINSRB / PINSRD / PINSRQ (REX.W): param as for op_pextr */
static void op_pinsr(SseArgs *a, unsigned param)
{
    unsigned size = (param & EXTR_Q) && a->rexw ? 8 : param & 15;
    sse_lane_set(a->dst, size, a->imm & (16 / size - 1), a->src.q[0]);
}

/* INSERTPS: a float (src lane imm[7:6], or the m32) into lane imm[5:4], lanes imm[3:0] zeroed */
static void op_insertps(SseArgs *a, unsigned param)
{
    uint32_t v = a->mem ? a->src.d[0] : a->src.d[a->imm >> 6];
    a->dst->d[(a->imm >> 4) & 3] = v;
    for (unsigned i = 0; i < 4; i++)
        if ((a->imm >> i) & 1)
            a->dst->d[i] = 0;
}

/* ---------------------------------------------------------------- SSE4.1 floating point */

/* x rounded to an integral value in mode (SF_RNE...), binary32 or binary64. An SNaN is
 * quieted with IE; a denormal under DAZ reads as zero; an inexact result sets PE unless
 * suppressed (the immediate's bit 3). */
static uint64_t round_integral(SfFormat f, uint64_t x, unsigned mode, bool daz, bool quiet,
                               SfStatus *st)
{
    unsigned mbits = f == SF_F32 ? 23 : 52, ebits = f == SF_F32 ? 8 : 11;
    unsigned bias = (1u << (ebits - 1)) - 1, emax = (1u << ebits) - 1;
    uint64_t sign = x & (1ull << (mbits + ebits)), mmask = (1ull << mbits) - 1;
    unsigned e = (unsigned)(x >> mbits) & emax;
    uint64_t m = x & mmask;
    if (e == emax) {                            /* infinity or NaN */
        if (m && !((m >> (mbits - 1)) & 1)) {
            st->flags |= SF_IE;
            return x | (1ull << (mbits - 1));
        }
        return x;
    }
    if (e == 0 && (m == 0 || daz))
        return sign;                            /* zero, or a denormal read as zero */
    if (e >= bias + mbits)
        return x;                               /* no fraction bits */
    uint64_t sig = e ? m | (1ull << mbits) : m;
    unsigned shift = bias + mbits - (e ? e : 1);
    if (shift > mbits + 2) {                    /* below one half: keep only stickiness */
        sig = 1;
        shift = mbits + 2;
    }
    uint64_t ipart = sig >> shift, frac = sig & ((1ull << shift) - 1), half = 1ull << (shift - 1);
    bool up = mode == SF_RNE ? frac > half || (frac == half && (ipart & 1))
            : mode == SF_RDOWN ? sign && frac : mode == SF_RUP ? !sign && frac : false;
    ipart += up;
    if (frac && !quiet)
        st->flags |= SF_PE;
    if (!ipart)
        return sign;
    unsigned top = 63 - (unsigned)__builtin_clzll(ipart);   /* <= mbits */
    return sign | (uint64_t)(bias + top) << mbits | ((ipart << (mbits - top)) & mmask);
}

/* ROUNDPS (0), ROUNDPD (1), ROUNDSS (2), ROUNDSD (3) */
static void op_round(SseArgs *a, unsigned param)
{
    SfFormat f = (param & 1) ? SF_F64 : SF_F32;
    unsigned n = param >= 2 ? 1 : f == SF_F32 ? 4 : 2;
    SfStatus st = sse_fp_begin(a);
    unsigned mode = (a->imm & 4) ? st.round : a->imm & 3;
    Xmm r = *a->dst;
    for (unsigned i = 0; i < n; i++)
        sse_fp_lane_set(&r, f, i, round_integral(f, sse_fp_lane(&a->src, f, i), mode, st.daz,
                                                 a->imm & 8, &st));
    sse_fp_end(a, &st);
    *a->dst = r;
}

/* DPPS (param 0) / DPPD (1): the products the immediate's high bits select (+0.0 for the
 * others), summed pairwise, broadcast to the lanes its low bits select (+0.0 elsewhere) */
static void op_dpp(SseArgs *a, unsigned param)
{
    SfFormat f = param ? SF_F64 : SF_F32;
    unsigned n = param ? 2 : 4;
    SfStatus st = sse_fp_begin(a);
    uint64_t t[4];
    for (unsigned i = 0; i < n; i++)
        t[i] = (a->imm >> (4 + i)) & 1
             ? sf_mul(f, sse_fp_lane(a->dst, f, i), sse_fp_lane(&a->src, f, i), &st) : 0;
    uint64_t sum = n == 2 ? sf_add(f, t[0], t[1], &st)
                 : sf_add(f, sf_add(f, t[0], t[1], &st), sf_add(f, t[2], t[3], &st), &st);
    sse_fp_end(a, &st);
    Xmm r = { 0 };
    for (unsigned i = 0; i < n; i++)
        if ((a->imm >> i) & 1)
            sse_fp_lane_set(&r, f, i, sum);
    *a->dst = r;
}

/* ---------------------------------------------------------------- the table */

#define OP1(op, pm, ms, fl, fn, prm) { 1, op, pm, -1, ms, fl, fn, prm }
#define OP2(op, pm, ms, fl, fn, prm) { 2, op, pm, -1, ms, fl, fn, prm }
#define OP3(op, pm, ms, fl, fn, prm) { 3, op, pm, -1, ms, fl, fn, prm }
#define SSSE3(op, fn, prm) OP2(op, NP | P66, M_16A, S_MMX_NP, fn, prm)
#define PMOVX(op, from, to, ms) \
    OP2(op, P66, ms, 0, op_pmovx, (from) | (to) << 4 | PMOV_SIGNED), \
    OP2((op) + 0x10, P66, ms, 0, op_pmovx, (from) | (to) << 4)

const SseOp sse4_ops[] = {
    /* SSE3 */
    OP1(0x12, PF3, M_16A, 0, op_movdup, 0),
    OP1(0x12, PF2, M_8, 0, op_movdup, 2),
    OP1(0x16, PF3, M_16A, 0, op_movdup, 1),
    OP1(0x7C, P66 | PF2, M_16A, 0, op_hadd, 0),
    OP1(0x7D, P66 | PF2, M_16A, 0, op_hadd, 1),
    OP1(0xD0, P66 | PF2, M_16A, 0, op_addsub, 0),
    OP1(0xF0, PF2, M_16U, 0, op_load, 0),
    /* SSSE3 */
    SSSE3(0x00, op_pshufb, 0),
    SSSE3(0x01, op_phaddsub, 2),
    SSSE3(0x02, op_phaddsub, 4),
    SSSE3(0x03, op_phaddsub, 2 | HOR_SAT),
    SSSE3(0x04, op_pmaddubsw, 0),
    SSSE3(0x05, op_phaddsub, 2 | HOR_SUB),
    SSSE3(0x06, op_phaddsub, 4 | HOR_SUB),
    SSSE3(0x07, op_phaddsub, 2 | HOR_SUB | HOR_SAT),
    SSSE3(0x08, op_psign, 1),
    SSSE3(0x09, op_psign, 2),
    SSSE3(0x0A, op_psign, 4),
    SSSE3(0x0B, op_pmulhrsw, 0),
    SSSE3(0x1C, op_pabs, 1),
    SSSE3(0x1D, op_pabs, 2),
    SSSE3(0x1E, op_pabs, 4),
    { 3, 0x0F, NP | P66, -1, M_16A, S_MMX_NP, op_palignr, 0 },
    /* SSE4.1 */
    OP2(0x10, P66, M_16A, 0, op_blendv, 1),
    OP2(0x14, P66, M_16A, 0, op_blendv, 4),
    OP2(0x15, P66, M_16A, 0, op_blendv, 8),
    OP2(0x17, P66, M_16A, S_FLAGS, op_ptest, 0),
    PMOVX(0x20, 1, 2, M_8), PMOVX(0x21, 1, 4, M_4), PMOVX(0x22, 1, 8, M_2),
    PMOVX(0x23, 2, 4, M_8), PMOVX(0x24, 2, 8, M_4), PMOVX(0x25, 4, 8, M_8),
    OP2(0x28, P66, M_16A, 0, op_pmuldq, 0),
    OP2(0x29, P66, M_16A, 0, sse_op_lanes, LANES(L_CMPEQ, 8)),
    OP2(0x2A, P66, M_16A, 0, op_load, 0),
    OP2(0x2B, P66, M_16A, 0, sse_op_pack, 0x14),
    OP2(0x38, P66, M_16A, 0, sse_op_lanes, LANES(L_MINS, 1)),
    OP2(0x39, P66, M_16A, 0, sse_op_lanes, LANES(L_MINS, 4)),
    OP2(0x3A, P66, M_16A, 0, sse_op_lanes, LANES(L_MINU, 2)),
    OP2(0x3B, P66, M_16A, 0, sse_op_lanes, LANES(L_MINU, 4)),
    OP2(0x3C, P66, M_16A, 0, sse_op_lanes, LANES(L_MAXS, 1)),
    OP2(0x3D, P66, M_16A, 0, sse_op_lanes, LANES(L_MAXS, 4)),
    OP2(0x3E, P66, M_16A, 0, sse_op_lanes, LANES(L_MAXU, 2)),
    OP2(0x3F, P66, M_16A, 0, sse_op_lanes, LANES(L_MAXU, 4)),
    OP2(0x40, P66, M_16A, 0, sse_op_lanes, LANES(L_MULLO, 4)),
    OP2(0x41, P66, M_16A, 0, op_phminposuw, 0),
    OP3(0x08, P66, M_16A, 0, op_round, 0),
    OP3(0x09, P66, M_16A, 0, op_round, 1),
    OP3(0x0A, P66, M_4, 0, op_round, 2),
    OP3(0x0B, P66, M_8, 0, op_round, 3),
    OP3(0x0C, P66, M_16A, 0, op_blend, 4),
    OP3(0x0D, P66, M_16A, 0, op_blend, 8),
    OP3(0x0E, P66, M_16A, 0, op_blend, 2),
    OP3(0x14, P66, M_1, S_STORE, op_pextr, 1),
    OP3(0x15, P66, M_2, S_STORE, op_pextr, 2),
    OP3(0x16, P66, M_GPR, S_STORE, op_pextr, 4 | EXTR_Q),
    OP3(0x17, P66, M_4, S_STORE, op_pextr, 4),
    OP3(0x20, P66, M_1, S_GPRSRC, op_pinsr, 1),
    OP3(0x21, P66, M_4, 0, op_insertps, 0),
    OP3(0x22, P66, M_GPR, S_GPRSRC, op_pinsr, 4 | EXTR_Q),
    OP3(0x40, P66, M_16A, 0, op_dpp, 0),
    OP3(0x41, P66, M_16A, 0, op_dpp, 1),
    OP3(0x42, P66, M_16A, 0, op_mpsadbw, 0),
};
const unsigned sse4_nb_ops = sizeof(sse4_ops) / sizeof(sse4_ops[0]);
