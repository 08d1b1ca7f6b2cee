/*
 * cpu/helpers_sse42.c — SSE4.2 for helper_sse (PCMPGTQ, PCMPESTRI/PCMPESTRM/PCMPISTRI/
 * PCMPISTRM), PCLMULQDQ, and the CRC32 instruction's helper.
 *
 * The string compares follow the SDM's description (Vol. 2, 4.1 "Imm8 Control Byte
 * Operation for PCMPESTRI / PCMPESTRM / PCMPISTRI / PCMPISTRM"): a matrix of element
 * comparisons between the first operand (xmm, reg) and the second (xmm/m128, src), forced
 * where an element is past its string's end, aggregated into IntRes1, then polarity
 * (IntRes2), then the index or the mask, and the flags.
 */
#include <string.h>

#include "cpu/helpers.h"
#include "cpu/sse.h"

/* imm8 fields */
#define STR_WORDS     0x01    /* 16-bit elements (else bytes) */
#define STR_SIGNED    0x02
#define STR_AGG(imm)  (((imm) >> 2) & 3)
enum { AGG_EQUAL_ANY, AGG_RANGES, AGG_EQUAL_EACH, AGG_EQUAL_ORDERED };
#define STR_NEGATE    0x10
#define STR_MASKED    0x20    /* with STR_NEGATE: negate only the valid elements of src */
#define STR_MSB       0x40    /* index: the highest set bit; mask: expanded to elements */

/* param: which form */
enum { PCMP_ESTRM, PCMP_ESTRI, PCMP_ISTRM, PCMP_ISTRI };

/* Elements before the first zero one (implicit length) */
static unsigned implicit_length(const Xmm *x, unsigned n, bool words)
{
    for (unsigned i = 0; i < n; i++)
        if (sse_lane_get(x, words ? 2 : 1, i, false) == 0)
            return i;
    return n;
}

/* |length register| saturated to n (explicit length, 32-bit or with REX.W 64-bit) */
static unsigned explicit_length(uint64_t reg, bool wide, unsigned n)
{
    int64_t v = wide ? (int64_t)reg : (int64_t)(int32_t)reg;
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return mag > n ? n : (unsigned)mag;
}

/* One element comparison of the aggregation (before the invalid-element overrides) */
static bool element_match(unsigned agg, int64_t a, int64_t b, bool lower_bound)
{
    if (agg == AGG_RANGES)
        return lower_bound ? b >= a : b <= a;
    return a == b;
}

static uint32_t string_compare(const Xmm *a, const Xmm *b, unsigned la, unsigned lb,
                               unsigned n, uint8_t imm)
{
    unsigned size = (imm & STR_WORDS) ? 2 : 1;
    bool sgn = imm & STR_SIGNED;
    unsigned agg = STR_AGG(imm);
    uint32_t res = 0;
    for (unsigned j = 0; j < n; j++) {      /* j: element of b (src) */
        bool bit = false;
        int64_t bj = sse_lane_get(b, size, j, sgn);
        switch (agg) {
        case AGG_EQUAL_ANY:
            for (unsigned i = 0; i < la && j < lb && !bit; i++)
                bit = element_match(agg, sse_lane_get(a, size, i, sgn), bj, false);
            break;
        case AGG_RANGES:
            /* a pair whose upper bound is past a's end never matches */
            for (unsigned i = 0; i + 1 < la && j < lb && !bit; i += 2)
                bit = element_match(agg, sse_lane_get(a, size, i, sgn), bj, true) &&
                      element_match(agg, sse_lane_get(a, size, i + 1, sgn), bj, false);
            break;
        case AGG_EQUAL_EACH:
            bit = j >= la && j >= lb ? true : j >= la || j >= lb ? false
                : element_match(agg, sse_lane_get(a, size, j, sgn), bj, false);
            break;
        default:                            /* equal ordered: a as a substring at j */
            bit = true;
            for (unsigned k = 0; k + j < n && bit; k++) {
                if (k >= la)
                    break;                  /* a ended: the rest matches */
                if (k + j >= lb)
                    bit = false;            /* b ended before a */
                else
                    bit = element_match(agg, sse_lane_get(a, size, k, sgn),
                                        sse_lane_get(b, size, k + j, sgn), false);
            }
            break;
        }
        res |= (uint32_t)bit << j;
    }
    uint32_t all = (1u << n) - 1;
    if (imm & STR_NEGATE)
        res ^= (imm & STR_MASKED) ? all & ((1u << lb) - 1) : all;
    return res & all;
}

/* PCMPESTRI / PCMPESTRM / PCMPISTRI / PCMPISTRM */
static void op_pcmpstr(SseArgs *a, unsigned param)
{
    CPUState *env = a->env;
    bool words = a->imm & STR_WORDS;
    unsigned n = words ? 8 : 16, la, lb;
    if (param == PCMP_ESTRM || param == PCMP_ESTRI) {
        la = explicit_length(env->regs[R_EAX], a->rexw, n);
        lb = explicit_length(env->regs[R_EDX], a->rexw, n);
    } else {
        la = implicit_length(a->dst, n, words);
        lb = implicit_length(&a->src, n, words);
    }
    uint32_t res = string_compare(a->dst, &a->src, la, lb, n, a->imm);
    if (param == PCMP_ESTRI || param == PCMP_ISTRI) {
        unsigned index = n;
        if (res)
            index = (a->imm & STR_MSB) ? 31 - (unsigned)__builtin_clz(res)
                                       : (unsigned)__builtin_ctz(res);
        env->regs[R_ECX] = index;
    } else {
        Xmm m = { 0 };
        if (a->imm & STR_MSB) {
            for (unsigned i = 0; i < n; i++)
                sse_lane_set(&m, words ? 2 : 1, i, (res >> i) & 1 ? ~0ull : 0);
        } else {
            m.q[0] = res;
        }
        memcpy(env->xmm[0], &m, 16);
    }
    sse_set_eflags(env, (res ? CC_C : 0) | (lb < n ? CC_Z : 0) | (la < n ? CC_S : 0) |
                        ((res & 1) ? CC_O : 0));
}

/* PCLMULQDQ: carry-less product of the quadwords imm[0] (dst) and imm[4] (src) selects */
static void op_pclmulqdq(SseArgs *a, unsigned param)
{
    uint64_t x = a->dst->q[a->imm & 1], y = a->src.q[(a->imm >> 4) & 1], lo = 0, hi = 0;
    for (unsigned i = 0; i < 64; i++) {
        if ((y >> i) & 1) {
            lo ^= x << i;
            hi ^= i ? x >> (64 - i) : 0;
        }
    }
    a->dst->q[0] = lo;
    a->dst->q[1] = hi;
}

#define OP2(op, pm, ms, fl, fn, prm) { 2, op, pm, -1, ms, fl, fn, prm }
#define OP3(op, pm, ms, fl, fn, prm) { 3, op, pm, -1, ms, fl, fn, prm }

const SseOp sse42_ops[] = {
    OP2(0x37, P66, M_16A, 0, sse_op_lanes, LANES(L_CMPGT, 8)),
    OP3(0x44, P66, M_16A, 0, op_pclmulqdq, 0),
    OP3(0x60, P66, M_16U, S_FLAGS, op_pcmpstr, PCMP_ESTRM),
    OP3(0x61, P66, M_16U, S_FLAGS, op_pcmpstr, PCMP_ESTRI),
    OP3(0x62, P66, M_16U, S_FLAGS, op_pcmpstr, PCMP_ISTRM),
    OP3(0x63, P66, M_16U, S_FLAGS, op_pcmpstr, PCMP_ISTRI),
};
const unsigned sse42_nb_ops = sizeof(sse42_ops) / sizeof(sse42_ops[0]);

/* (crc, value, bytes): CRC32C (polynomial 0x11EDC6F41, bit-reflected) of value's low
 * bytes, least significant first, continuing from crc */
HELPER(crc32)
{
    uint32_t crc = (uint32_t)a0;
    uint64_t v = a1;
    unsigned bytes = a2 >= 1 && a2 <= 8 ? (unsigned)a2 : 8;
    for (unsigned i = 0; i < bytes; i++) {
        crc ^= (uint8_t)(v >> (8 * i));
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
    }
    return crc;
}
DEF_HELPER_INFO(crc32, 0);
