/*
 * tests/fp/fp_vectors.c — ferry's floating-point core (cpu/softfloat.c, cpu/fptrans.c) over
 * a fixed pseudo-random operand sequence, every rounding mode: prints one FNV-1a hash of the
 * result bits, exception flags and C1 per operation. Pure integer code, no host floating
 * point: built for the host and for aarch64 (host_independence.py runs it under
 * qemu-aarch64-static) the two outputs must be identical.
 *
 * usage: fp_vectors [cases-per-operation-and-mode]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/softfloat.h"

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* operands biased to the hard cases: zeros, denormals, infinities, NaNs, unnormals, values
 * near 1 and near the exponent limits */
static SfX80 rnd_x80(void)
{
    uint64_t mant = rnd() | (1ull << 63);
    uint16_t sign = (rnd() & 1) ? 0x8000 : 0;
    switch (rnd() % 10) {
    case 0: return (SfX80){ 0, sign };
    case 1: return (SfX80){ mant >> (1 + rnd() % 63), sign };
    case 2: return (SfX80){ 1ull << 63, (uint16_t)(sign | 0x7fff) };
    case 3: return (SfX80){ mant | (rnd() & 1) << 62, (uint16_t)(sign | 0x7fff) };
    case 4: return (SfX80){ mant >> 1, (uint16_t)(sign | (1 + rnd() % 32000)) };
    case 5: return (SfX80){ mant, (uint16_t)(sign | (rnd() % 2 ? 1 + rnd() % 8 : 0x7ff6 + rnd() % 8)) };
    default: return (SfX80){ mant, (uint16_t)(sign | (16383 - 70 + rnd() % 140)) };
    }
}

typedef struct Hash {
    uint64_t h;
} Hash;

static void mix(Hash *h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h->h ^= (v >> (8 * i)) & 0xff;
        h->h *= 0x100000001b3ull;
    }
}

static void mix_x80(Hash *h, SfX80 v, const SfStatus *st)
{
    mix(h, v.mant);
    mix(h, v.se);
    mix(h, st->flags | (st->rounded_up ? 0x100u : 0));
}

enum { V_ADD, V_MUL, V_DIV, V_SQRT, V_RNDINT, V_TOINT, V_TOF64, V_F64ARITH, V_SIN, V_COS,
       V_TAN, V_F2XM1, V_FYL2X, V_FYL2XP1, V_FPATAN, V_FSCALE, V_FXTRACT, V_FPREM, V_FPREM1,
       V_BCD, NB_VECTORS };
static const char *const vector_names[NB_VECTORS] = {
    "add", "mul", "div", "sqrt", "frndint", "fist", "fst64", "sse-f64", "fsin", "fcos",
    "fptan", "f2xm1", "fyl2x", "fyl2xp1", "fpatan", "fscale", "fxtract", "fprem", "fprem1",
    "bcd" };

static void run_one(int op, SfX80 a, SfX80 b, unsigned rc, Hash *h)
{
    static const int precisions[3] = { 24, 53, 64 };
    SfStatus st = { .round = (uint8_t)rc, .masks = 0x3f };
    int prec = precisions[rnd() % 3];
    SfX80 r = { 0, 0 }, r2;
    unsigned q;
    bool complete;
    switch (op) {
    case V_ADD: r = sfx_add(a, b, prec, &st); break;
    case V_MUL: r = sfx_mul(a, b, prec, &st); break;
    case V_DIV: r = sfx_div(a, b, prec, &st); break;
    case V_SQRT: r = sfx_sqrt(a, prec, &st); break;
    case V_RNDINT: r = sfx_round_to_int(a, &st); break;
    case V_TOINT: r.mant = sfx_to_int(a, 64, &st); break;
    case V_TOF64: r.mant = sfx_to_float(SF_F64, a, &st); break;
    case V_F64ARITH: {
        SfStatus sse = sf_status_from_mxcsr((uint32_t)(0x1f80 | rc << 13 | (rnd() & 0x8040)));
        uint64_t x = rnd(), y = rnd();
        r.mant = sf_add(SF_F64, x, y, &sse) ^ sf_mul(SF_F64, x, y, &sse) ^
                 sf_div(SF_F32, x, y, &sse) ^ sf_sqrt(SF_F64, x, &sse);
        st = sse;
        break;
    }
    case V_SIN: case V_COS: case V_TAN:
        if (!sfx_trig(op == V_SIN ? SF_SIN : op == V_COS ? SF_COS : SF_TAN, a, &r, &st))
            r = (SfX80){ 1, 1 };
        break;
    case V_F2XM1: r = sfx_f2xm1(a, &st); break;
    case V_FYL2X: r = sfx_fyl2x(a, b, &st); break;
    case V_FYL2XP1: r = sfx_fyl2xp1(a, b, &st); break;
    case V_FPATAN: r = sfx_fpatan(b, a, &st); break;
    case V_FSCALE: r = sfx_fscale(a, b, &st); break;
    case V_FXTRACT:
        sfx_fxtract(a, &r, &r2, &st);
        mix_x80(h, r2, &st);
        break;
    case V_FPREM: case V_FPREM1:
        r = sfx_fprem(a, b, op == V_FPREM1, &q, &complete, &st);
        mix(h, q | (complete ? 8u : 0));
        break;
    default: {
        uint8_t bcd[10];
        sfx_to_bcd(a, bcd, &st);
        for (int i = 0; i < 10; i++)
            mix(h, bcd[i]);
        r = sfx_from_bcd(bcd);
        break;
    }
    }
    mix_x80(h, r, &st);
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? atol(argv[1]) : 2000;
    for (int op = 0; op < NB_VECTORS; op++) {
        Hash h = { 0xcbf29ce484222325ull };
        for (unsigned rc = 0; rc < 4; rc++) {
            for (long i = 0; i < cases; i++) {
                SfX80 a = rnd_x80(), b = rnd_x80();
                run_one(op, a, b, rc, &h);
            }
        }
        printf("%-8s %016" PRIx64 "\n", vector_names[op], h.h);
    }
    return 0;
}
