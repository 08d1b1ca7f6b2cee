/*
 * tests/fp/test_softfloat.c — cpu/softfloat.c against the host's SSE unit. For every
 * operation, every rounding mode and every DAZ/FTZ combination, random operands biased
 * towards the hard cases (NaNs, infinities, denormals, signed zeros, extremes, operands close
 * together) are run through the host instruction under the same MXCSR (all exceptions
 * masked) and through softfloat; result bits and MXCSR flags must match exactly.
 *
 * usage: test_softfloat [cases-per-configuration] [seed]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/softfloat.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: fast, seeded, reproducible */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* A value of format f drawn from the interesting classes */
static uint64_t rnd_value_raw(SfFormat f, uint64_t near);

static uint64_t rnd_value(SfFormat f, uint64_t near)
{
    uint64_t v = rnd_value_raw(f, near);
    return f == SF_F32 ? (uint32_t)v : v;
}

static uint64_t rnd_value_raw(SfFormat f, uint64_t near)
{
    int fb = f == SF_F32 ? 23 : 52, eb = f == SF_F32 ? 8 : 11;
    uint64_t emax = (1ull << eb) - 1, frac_mask = (1ull << fb) - 1;
    uint64_t sign = (rnd() & 1) << (fb + eb);
    uint64_t frac = rnd() & frac_mask;
    if (rnd() & 1)  /* sparse fractions hit the halfway cases */
        frac &= rnd() & rnd() & rnd();
    switch (rnd() % 12) {
    case 0: return sign;                                           /* zero */
    case 1: return sign | (frac ? frac : 1);                       /* denormal */
    case 2: return sign | (emax << fb);                            /* infinity */
    case 3: return sign | (emax << fb) | (1ull << (fb - 1)) | frac; /* QNaN */
    case 4: return sign | (emax << fb) | (frac ? frac >> 1 : 1);   /* SNaN */
    case 5: return sign | ((emax - 1 - rnd() % 3) << fb) | frac;    /* near overflow */
    case 6: return sign | ((1 + rnd() % 3) << fb) | frac;          /* near underflow */
    case 7: case 8:                                                /* close to the other */
        return (near ^ (rnd() % 2 ? 0 : sign)) + (rnd() % 5) - 2;
    case 9: return sign | ((uint64_t)(rnd() % 64 + (emax >> 1) - 32) << fb) | frac;
    default: return rnd();                                         /* any bits */
    }
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_MIN, OP_MAX, OP_CMP, OP_COMI, OP_UCOMI,
       OP_CVT_OTHER, OP_TO_I32, OP_TO_I64, OP_TRUNC_I32, OP_TRUNC_I64, OP_FROM_I64, NB_OPS };
static const char *const op_names[NB_OPS] = {
    "add", "sub", "mul", "div", "sqrt", "min", "max", "cmp", "comi", "ucomi", "cvt",
    "cvt2si32", "cvt2si64", "cvtt2si32", "cvtt2si64", "cvtsi2",
};

/* host: run op on a, b (and predicate) with mxcsr; returns result bits, *mx = MXCSR after */
#define HOST2(insn, a, b, mxin, mxout) ({ \
    uint64_t r_ = (a); uint32_t m_ = (mxin); \
    __asm__ volatile("ldmxcsr %[m]\n\tmovq %[r], %%xmm0\n\tmovq %[b], %%xmm1\n\t" insn \
                     " %%xmm1, %%xmm0\n\tmovq %%xmm0, %[r]\n\tstmxcsr %[m]" \
                     : [r] "+r"(r_), [m] "+m"(m_) : [b] "r"((uint64_t)(b)) : "xmm0", "xmm1"); \
    *(mxout) = m_; r_; })

static uint64_t host_cmp(SfFormat f, uint64_t a, uint64_t b, unsigned pred, uint32_t mx,
                         uint32_t *out)
{
#define CMPCASE(n) case n: return f == SF_F32 ? HOST2("cmpss $" #n ",", a, b, mx, out) \
                                              : HOST2("cmpsd $" #n ",", a, b, mx, out)
    switch (pred) {
    CMPCASE(0); CMPCASE(1); CMPCASE(2); CMPCASE(3);
    CMPCASE(4); CMPCASE(5); CMPCASE(6); default: CMPCASE(7);
    }
#undef CMPCASE
}

static uint64_t host_comi(SfFormat f, uint64_t a, uint64_t b, bool signaling, uint32_t mx,
                          uint32_t *out)
{
    uint64_t fl;
    uint32_t m = mx;
#define COMI(insn) __asm__ volatile("ldmxcsr %[m]\n\tmovq %[a], %%xmm0\n\tmovq %[b], %%xmm1\n\t" \
        insn " %%xmm1, %%xmm0\n\tpushfq\n\tpopq %[fl]\n\tstmxcsr %[m]" \
        : [fl] "=r"(fl), [m] "+m"(m) : [a] "r"(a), [b] "r"(b) : "xmm0", "xmm1", "cc")
    if (f == SF_F32) {
        if (signaling) COMI("comiss"); else COMI("ucomiss");
    } else {
        if (signaling) COMI("comisd"); else COMI("ucomisd");
    }
#undef COMI
    *out = m;
    return fl & 0x8d5;  /* CF PF AF ZF SF OF */
}

static uint64_t host_op(int op, SfFormat f, uint64_t a, uint64_t b, unsigned pred, uint32_t mx,
                        uint32_t *out)
{
    bool s = f == SF_F32;
    uint64_t r;
    switch (op) {
    case OP_ADD: return s ? HOST2("addss", a, b, mx, out) : HOST2("addsd", a, b, mx, out);
    case OP_SUB: return s ? HOST2("subss", a, b, mx, out) : HOST2("subsd", a, b, mx, out);
    case OP_MUL: return s ? HOST2("mulss", a, b, mx, out) : HOST2("mulsd", a, b, mx, out);
    case OP_DIV: return s ? HOST2("divss", a, b, mx, out) : HOST2("divsd", a, b, mx, out);
    case OP_SQRT: return s ? HOST2("sqrtss", a, b, mx, out) : HOST2("sqrtsd", a, b, mx, out);
    case OP_MIN: return s ? HOST2("minss", a, b, mx, out) : HOST2("minsd", a, b, mx, out);
    case OP_MAX: return s ? HOST2("maxss", a, b, mx, out) : HOST2("maxsd", a, b, mx, out);
    case OP_CMP: return host_cmp(f, a, b, pred, mx, out);
    case OP_COMI: return host_comi(f, a, b, true, mx, out);
    case OP_UCOMI: return host_comi(f, a, b, false, mx, out);
    case OP_CVT_OTHER:
        /* a's register is the destination: only the low lanes are compared */
        r = s ? HOST2("cvtsd2ss", 0, b, mx, out) : HOST2("cvtss2sd", 0, b, mx, out);
        return s ? (uint32_t)r : r;
    default: break;
    }
    uint32_t m = mx;
#define CVT(insn, width) __asm__ volatile("ldmxcsr %[m]\n\tmovq %[b], %%xmm1\n\t" insn \
        " %%xmm1, %" width "[r]\n\tstmxcsr %[m]" : [r] "=r"(r), [m] "+m"(m) : [b] "r"(b) : "xmm1")
    switch (op) {
    case OP_TO_I32: if (s) CVT("cvtss2si", "k"); else CVT("cvtsd2si", "k"); r = (uint32_t)r; break;
    case OP_TO_I64: if (s) CVT("cvtss2si", "q"); else CVT("cvtsd2si", "q"); break;
    case OP_TRUNC_I32: if (s) CVT("cvttss2si", "k"); else CVT("cvttsd2si", "k"); r = (uint32_t)r; break;
    case OP_TRUNC_I64: if (s) CVT("cvttss2si", "q"); else CVT("cvttsd2si", "q"); break;
    default:
        r = 0;
        __asm__ volatile("ldmxcsr %[m]\n\tpxor %%xmm0, %%xmm0\n\t"
                         "testl %[s], %[s]\n\tjz 1f\n\tcvtsi2ssq %[b], %%xmm0\n\tjmp 2f\n"
                         "1:\tcvtsi2sdq %[b], %%xmm0\n2:\tmovq %%xmm0, %[r]\n\tstmxcsr %[m]"
                         : [r] "=r"(r), [m] "+m"(m) : [b] "r"(b), [s] "r"((int)s)
                         : "xmm0", "cc");
        break;
    }
#undef CVT
    *out = m;
    return r;
}

static uint64_t soft_op(int op, SfFormat f, uint64_t a, uint64_t b, unsigned pred, SfStatus *st)
{
    static const uint64_t comi_flags[] = {
        [SF_LESS] = 0x1, [SF_EQUAL] = 0x40, [SF_GREATER] = 0, [SF_UNORDERED] = 0x45 };
    uint64_t ones = f == SF_F32 ? 0xffffffffull : ~0ull;
    switch (op) {
    case OP_ADD: return sf_add(f, a, b, st);
    case OP_SUB: return sf_sub(f, a, b, st);
    case OP_MUL: return sf_mul(f, a, b, st);
    case OP_DIV: return sf_div(f, a, b, st);
    case OP_SQRT: return sf_sqrt(f, b, st);
    case OP_MIN: return sf_min(f, a, b, st);
    case OP_MAX: return sf_max(f, a, b, st);
    case OP_CMP: return sf_cmp_predicate(f, a, b, pred, st) ? ones : 0;
    case OP_COMI: return comi_flags[sf_compare(f, a, b, true, st)];
    case OP_UCOMI: return comi_flags[sf_compare(f, a, b, false, st)];
    case OP_CVT_OTHER: return sf_convert(f, f == SF_F32 ? SF_F64 : SF_F32, b, st);
    case OP_TO_I32: return sf_to_int(f, b, 32, false, st);
    case OP_TO_I64: return sf_to_int(f, b, 64, false, st);
    case OP_TRUNC_I32: return sf_to_int(f, b, 32, true, st);
    case OP_TRUNC_I64: return sf_to_int(f, b, 64, true, st);
    default: return sf_from_int(f, (int64_t)b, st);
    }
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? atol(argv[1]) : 20000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed5eed5eedull;
    if (!rng_state)
        rng_state = 1;
    long failures = 0, total = 0;
    for (int op = 0; op < NB_OPS; op++) {
        for (int fi = 0; fi < 2; fi++) {
            SfFormat f = fi ? SF_F64 : SF_F32;
            /* the operand the conversion reads is in the source format */
            SfFormat src = op == OP_CVT_OTHER ? (fi ? SF_F32 : SF_F64) : f;
            for (unsigned cfg = 0; cfg < 16; cfg++) {
                uint32_t mx = 0x1f80 | (cfg & 3) << 13 | ((cfg >> 2) & 1) << 6 |
                              ((cfg >> 3) & 1) << 15;
                long op_fail = 0;
                for (long i = 0; i < cases; i++) {
                    uint64_t a = rnd_value(f, 0);
                    uint64_t b = op == OP_FROM_I64 ? (rnd() % 3 ? rnd() >> (rnd() % 64)
                                                              : rnd())
                               : rnd_value(src, a);
                    if (op == OP_FROM_I64 && rnd() % 2)
                        b = 0 - b;
                    unsigned pred = (unsigned)(rnd() % 8);
                    uint32_t mx_out;
                    uint64_t want = host_op(op, f, a, b, pred, mx, &mx_out);
                    if (f == SF_F32 && op < OP_COMI)
                        want = (uint32_t)want;
                    SfStatus st = sf_status_from_mxcsr(mx);
                    uint64_t got = soft_op(op, f, a, b, pred, &st);
                    uint32_t want_flags = mx_out & 0x3f;
                    total++;
                    if (got != want || st.flags != want_flags) {
                        if (op_fail++ < 4)
                            fprintf(stderr, "%s%s mxcsr %04x pred %u: a %016" PRIx64
                                    " b %016" PRIx64 ": want %016" PRIx64 " flags %02x, "
                                    "got %016" PRIx64 " flags %02x\n", op_names[op],
                                    f == SF_F32 ? "ss" : "sd", mx, pred, a, b, want,
                                    want_flags, got, st.flags);
                    }
                }
                failures += op_fail;
            }
        }
    }
    printf("softfloat vs host SSE: %ld cases, %ld mismatches\n", total, failures);
    return failures != 0;
}
