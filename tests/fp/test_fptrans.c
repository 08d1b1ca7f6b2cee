/*
 * tests/fp/test_fptrans.c — cpu/fptrans.c (x87 transcendentals, FSCALE, FXTRACT, FPREM,
 * FPREM1) against the host's x87, every rounding mode, random and boundary operands.
 *
 * For each instruction it counts the cases whose result bits, exception flags and condition
 * codes all equal the host's, the cases whose only difference is a result one ulp away
 * (with the PE/C1 that go with it), and the rest. The exact operations (FSCALE, FXTRACT,
 * FPREM, FPREM1) must agree in every case; a transcendental fails the test on any case
 * beyond one ulp (the manuals' bound). The table is printed; that is the measured
 * agreement with this host.
 *
 * usage: test_fptrans [cases-per-instruction-and-rounding-mode] [seed] [verbose]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/softfloat.h"

typedef struct __attribute__((packed)) X80Mem {
    uint64_t mant;
    uint16_t se;
} X80Mem;

enum { SW_C0 = 0x100, SW_C1 = 0x200, SW_C2 = 0x400, SW_C3 = 0x4000 };

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* a normal value with a random significand and a biased exponent in [lo, hi] */
static SfX80 rnd_normal(int lo, int hi, bool any_sign)
{
    uint64_t mant = rnd() | (1ull << 63);
    if (rnd() & 1)
        mant &= ~(rnd() & rnd() & rnd()) | (1ull << 63);    /* long runs */
    uint16_t sign = any_sign && (rnd() & 1) ? 0x8000 : 0;
    return (SfX80){ mant, (uint16_t)(sign | (lo + (int)(rnd() % (uint64_t)(hi - lo + 1)))) };
}

/* the boundary values every instruction sees now and then */
static SfX80 rnd_special(void)
{
    uint16_t sign = (rnd() & 1) ? 0x8000 : 0;
    uint64_t mant = rnd() | (1ull << 63);
    switch (rnd() % 7) {
    case 0: return (SfX80){ 0, sign };
    case 1: return (SfX80){ mant >> (1 + rnd() % 63), sign };                 /* denormal */
    case 2: return (SfX80){ 1ull << 63, (uint16_t)(sign | 0x7fff) };          /* infinity */
    case 3: return (SfX80){ mant | (1ull << 62), (uint16_t)(sign | 0x7fff) }; /* QNaN */
    case 4: return (SfX80){ 1ull << 63, (uint16_t)(sign | 16383) };           /* +-1 */
    case 5: return (SfX80){ mant >> 1, (uint16_t)(sign | (1 + rnd() % 30000)) };  /* unnormal */
    default: return (SfX80){ 0xc90fdaa22168c235ull - rnd() % 3,              /* k * pi / 2 */
                             (uint16_t)(sign | (16383 + rnd() % 64)) };
    }
}

enum { I_FSIN, I_FCOS, I_FPTAN, I_FSINCOS, I_F2XM1, I_FYL2X, I_FYL2XP1, I_FPATAN, I_FSCALE,
       I_FXTRACT, I_FPREM, I_FPREM1, NB_INSNS };
static const char *const insn_names[NB_INSNS] = {
    "fsin", "fcos", "fptan", "fsincos", "f2xm1", "fyl2x", "fyl2xp1", "fpatan", "fscale",
    "fxtract", "fprem", "fprem1" };
static const bool insn_exact[NB_INSNS] = { [I_FSCALE] = true, [I_FXTRACT] = true,
                                           [I_FPREM] = true, [I_FPREM1] = true };

/* operands by domain: a is ST0, b is ST1 */
static void operands(int insn, SfX80 *a, SfX80 *b)
{
    *b = rnd_normal(16383 - 20, 16383 + 20, true);
    switch (insn) {
    case I_FSIN: case I_FCOS: case I_FPTAN: case I_FSINCOS:
        *a = rnd() % 4 ? rnd_normal(16383 - 70, 16383 + 63, true)
                       : rnd_normal(16383 - 2, 16383 + 3, true);
        break;
    case I_F2XM1: *a = rnd_normal(16383 - 70, 16382, true); break;
    case I_FYL2X: *a = rnd() % 3 ? rnd_normal(1, 32766, false) : rnd_normal(16382, 16383, false);
        break;
    case I_FYL2XP1: *a = rnd_normal(16383 - 70, 16381, true); break;
    case I_FPATAN: *a = rnd_normal(16383 - 80, 16383 + 80, true);
        *b = rnd_normal(16383 - 80, 16383 + 80, true);
        break;
    case I_FSCALE: *a = rnd_normal(1, 32766, true);
        *b = rnd_normal(16383 - 2, 16383 + 16, true);
        break;
    case I_FXTRACT: *a = rnd_normal(1, 32766, true); break;
    default: *a = rnd_normal(1, 32766, true);
        *b = rnd() % 2 ? rnd_normal(1, 32766, true)
                       : rnd_normal((a->se & 0x7fff) - 70 > 0 ? (a->se & 0x7fff) - 70 : 1,
                                    a->se & 0x7fff, true);
        break;
    }
    if (rnd() % 8 == 0)
        *a = rnd_special();
    if (rnd() % 16 == 0)
        *b = rnd_special();
}

/* host: ST0 and ST1 after the instruction (b pushed first, then a), and the status word */
static uint16_t host_insn(int insn, SfX80 a, SfX80 b, uint16_t cw, SfX80 out[2])
{
    X80Mem ma = { a.mant, a.se }, mb = { b.mant, b.se }, r0 = { 0, 0 }, r1 = { 0, 0 };
    uint16_t sw = 0;
#define RUN(op) __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" op \
        "\n\tfnstsw %[sw]\n\tfstpt %[r0]\n\tfstpt %[r1]\n\tfninit" \
        : [r0] "=m"(r0), [r1] "=m"(r1), [sw] "=m"(sw) : [a] "m"(ma), [b] "m"(mb), [cw] "m"(cw))
    switch (insn) {
    case I_FSIN: RUN("fsin"); break;
    case I_FCOS: RUN("fcos"); break;
    case I_FPTAN: RUN("fptan"); break;
    case I_FSINCOS: RUN("fsincos"); break;
    case I_F2XM1: RUN("f2xm1"); break;
    case I_FYL2X: RUN("fyl2x"); break;
    case I_FYL2XP1: RUN("fyl2xp1"); break;
    case I_FPATAN: RUN("fpatan"); break;
    case I_FSCALE: RUN("fscale"); break;
    case I_FXTRACT: RUN("fxtract"); break;
    case I_FPREM: RUN("fprem"); break;
    default: RUN("fprem1"); break;
    }
#undef RUN
    out[0] = (SfX80){ r0.mant, r0.se };
    out[1] = (SfX80){ r1.mant, r1.se };
    return sw;
}

static uint16_t status_bits(const SfStatus *st, bool c1_from_rounding)
{
    uint16_t sw = st->flags;
    if (c1_from_rounding && (st->flags & SF_PE) && st->rounded_up)
        sw |= SW_C1;
    return sw;
}

/* ferry's core as helpers_x87.c uses it: same stack picture and status word bits */
static uint16_t soft_insn(int insn, SfX80 a, SfX80 b, unsigned rc, SfX80 out[2])
{
    SfStatus st = { .round = (uint8_t)rc, .masks = 0x3f };
    static const SfX80 one = { 1ull << 63, 16383 };
    out[0] = a;
    out[1] = b;
    switch (insn) {
    case I_FSIN: case I_FCOS:
        if (!sfx_trig(insn == I_FSIN ? SF_SIN : SF_COS, a, &out[0], &st))
            return SW_C2;
        return status_bits(&st, true);
    case I_FPTAN:
        if (!sfx_trig(SF_TAN, a, &out[1], &st))
            return SW_C2;
        out[0] = sfx_is_nan(out[1]) ? out[1] : one;
        return status_bits(&st, true);
    case I_FSINCOS: {
        /* C1 reports the rounding of the sine */
        SfStatus cos_st = st;
        if (!sfx_trig(SF_COS, a, &out[0], &cos_st))
            return SW_C2;
        sfx_trig(SF_SIN, a, &out[1], &st);
        st.flags |= cos_st.flags;
        return status_bits(&st, true);
    }
    case I_F2XM1: out[0] = sfx_f2xm1(a, &st); return status_bits(&st, true);
    case I_FYL2X: out[0] = sfx_fyl2x(a, b, &st); break;
    case I_FYL2XP1: out[0] = sfx_fyl2xp1(a, b, &st); break;
    case I_FPATAN: out[0] = sfx_fpatan(b, a, &st); break;
    case I_FSCALE: out[0] = sfx_fscale(a, b, &st); return status_bits(&st, true);
    case I_FXTRACT:
        sfx_fxtract(a, &out[1], &out[0], &st);
        return status_bits(&st, false);
    default: {
        unsigned q;
        bool complete;
        out[0] = sfx_fprem(a, b, insn == I_FPREM1, &q, &complete, &st);
        uint16_t sw = status_bits(&st, false);
        if (!complete)
            return sw | SW_C2;
        return (uint16_t)(sw | (q & 4 ? SW_C0 : 0) | (q & 2 ? SW_C3 : 0) | (q & 1 ? SW_C1 : 0));
    }
    }
    out[1] = SFX80_DEFAULT_NAN;     /* popped: the host stores the empty register's NaN */
    return status_bits(&st, true);
}

/* equal, or adjacent finite values of one sign: the encodings ordered as integers (a
 * normal's integer bit dropped) differ by at most one */
static bool one_ulp_apart(SfX80 x, SfX80 y)
{
    if ((x.se ^ y.se) & 0x8000)
        return false;
    unsigned __int128 kx = ((unsigned __int128)(x.se & 0x7fff) << 63) + (x.mant & ~(1ull << 63));
    unsigned __int128 ky = ((unsigned __int128)(y.se & 0x7fff) << 63) + (y.mant & ~(1ull << 63));
    return kx - ky <= 1 || ky - kx <= 1;
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? atol(argv[1]) : 2000;
    rng_state = argc > 2 ? strtoull(argv[2], 0, 0) : 0x9e3779b97f4a7c15ull;
    bool verbose = argc > 3;    /* also list the one-ulp cases */
    static const uint16_t cc_mask = SW_C0 | SW_C1 | SW_C2 | SW_C3 | 0x3f;
    bool ok = true;
    int printed = 0;
    printf("%-8s %9s %9s %9s %8s\n", "insn", "cases", "exact", "1ulp", "other");
    for (int insn = 0; insn < NB_INSNS; insn++) {
        long same = 0, ulp = 0, other = 0;
        for (unsigned rc = 0; rc < 4; rc++) {
            uint16_t cw = (uint16_t)(0x037f | rc << 10);
            for (long i = 0; i < cases; i++) {
                SfX80 a, b, h[2], s[2];
                operands(insn, &a, &b);
                uint16_t hsw = host_insn(insn, a, b, cw, h) & cc_mask;
                uint16_t ssw = soft_insn(insn, a, b, rc, s) & cc_mask;
                bool res_same = h[0].mant == s[0].mant && h[0].se == s[0].se &&
                                h[1].mant == s[1].mant && h[1].se == s[1].se;
                if (res_same && hsw == ssw) {
                    same++;
                    continue;
                }
                /* results one ulp away or only C1 differing; flags differ only in C1/PE/UE */
                if (!insn_exact[insn] && one_ulp_apart(h[0], s[0]) && one_ulp_apart(h[1], s[1]) &&
                    ((hsw ^ ssw) & ~(SW_C1 | SF_PE | SF_UE)) == 0) {
                    if (verbose && printed++ < 30)
                        printf("  1ulp %s rc=%u a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
                               " host %04x:%016" PRIx64 " %04x:%016" PRIx64 " sw %04x soft %04x:%016"
                               PRIx64 " %04x:%016" PRIx64 " sw %04x\n", insn_names[insn], rc,
                               a.se, a.mant, b.se, b.mant, h[0].se, h[0].mant, h[1].se, h[1].mant,
                               hsw, s[0].se, s[0].mant, s[1].se, s[1].mant, ssw);
                    ulp++;
                    continue;
                }
                other++;
                if (printed++ < 30)
                    printf("  %s rc=%u a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64
                           "\n    host %04x:%016" PRIx64 " %04x:%016" PRIx64 " sw %04x"
                           "\n    soft %04x:%016" PRIx64 " %04x:%016" PRIx64 " sw %04x\n",
                           insn_names[insn], rc, a.se, a.mant, b.se, b.mant, h[0].se, h[0].mant,
                           h[1].se, h[1].mant, hsw, s[0].se, s[0].mant, s[1].se, s[1].mant, ssw);
            }
        }
        long total = 4 * cases;
        printf("%-8s %9ld %8.3f%% %8.3f%% %7.3f%%\n", insn_names[insn], total,
               100.0 * same / total, 100.0 * ulp / total, 100.0 * other / total);
        if (other || (insn_exact[insn] && ulp))
            ok = false;
    }
    printf("%s\n", ok ? "fptrans: all within the bounds" : "fptrans: FAILED");
    return ok ? 0 : 1;
}
