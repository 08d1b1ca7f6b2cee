/*
 * tests/fp/test_softfloat_x80.c — the 80-bit half of cpu/softfloat.c against the host's
 * x87: add, sub, mul, div, sqrt, FRNDINT, compare, integer stores (16/32/64), loads from and
 * stores to binary32/binary64, for every rounding mode and every precision control, with
 * random operands biased to the hard cases (NaNs, infinities, denormals, pseudo-denormals,
 * unnormals, zeros, extremes, operands close together). Result bits, the six exception
 * flags and C1 (rounded up) must match; the control word masks every exception.
 *
 * usage: test_softfloat_x80 [cases-per-configuration] [seed]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/softfloat.h"

typedef struct __attribute__((packed)) X80Mem {
    uint64_t mant;
    uint16_t se;
} X80Mem;

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static SfX80 rnd_x80(SfX80 near)
{
    uint64_t mant = rnd();
    if (rnd() & 1)
        mant &= ~(rnd() & rnd() & rnd()) | (1ull << 63);   /* long runs of ones / zeros */
    mant |= 1ull << 63;
    uint16_t sign = (uint16_t)((rnd() & 1) << 15);
    switch (rnd() % 14) {
    case 0: return (SfX80){ 0, sign };
    case 1: return (SfX80){ mant >> (1 + rnd() % 63), sign };                 /* denormal */
    case 2: return (SfX80){ 1ull << 63, (uint16_t)(sign | 0x7fff) };          /* infinity */
    case 3: return (SfX80){ mant | (1ull << 62), (uint16_t)(sign | 0x7fff) }; /* QNaN */
    case 4: return (SfX80){ (mant & ~(1ull << 62)) | 1, (uint16_t)(sign | 0x7fff) };
    case 5: return (SfX80){ mant, (uint16_t)(sign | (0x7ffe - rnd() % 4)) };
    case 6: return (SfX80){ mant, (uint16_t)(sign | (1 + rnd() % 4)) };
    case 7: return (SfX80){ mant >> 1, (uint16_t)(sign | (rnd() % 3 ? 0 : 1 + rnd() % 100)) };
    case 8: case 9: return (SfX80){ near.mant + rnd() % 5 - 2,
                                    (uint16_t)(near.se ^ (rnd() % 2 ? 0 : 0x8000)) };
    case 10: return (SfX80){ mant, (uint16_t)(sign | (16383 + rnd() % 70)) };  /* integers */
    case 11: return (SfX80){ mant & (~0ull << (rnd() % 64)),
                             (uint16_t)(sign | (16383 + rnd() % 66)) };
    default: return (SfX80){ mant, (uint16_t)(sign | (16383 - 64 + rnd() % 128)) };
    }
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_RNDINT, OP_COM, OP_UCOM, OP_IST16,
       OP_IST32, OP_IST64, OP_ST32, OP_ST64, OP_LD32, OP_LD64, NB_OPS };
static const char *const op_names[NB_OPS] = {
    "fadd", "fsub", "fmul", "fdiv", "fsqrt", "frndint", "fcomi", "fucomi", "fist16",
    "fist32", "fist64", "fst32", "fst64", "fld32", "fld64" };

/* host: result (80-bit, integer or float bits), status word after the operation */
static SfX80 host_op(int op, SfX80 a, SfX80 b, uint16_t cw, uint64_t bits, uint16_t *sw,
                     uint64_t *out)
{
    X80Mem ma = { a.mant, a.se }, mb = { b.mant, b.se }, mr = { 0, 0 };
    uint64_t r = 0;
    uint16_t s = 0;
#define BIN(insn) __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn \
        "\n\tfnstsw %[s]\n\tfstpt %[r]\n\tfstp %%st(0)" \
        : [r] "=m"(mr), [s] "=m"(s) : [a] "m"(ma), [b] "m"(mb), [cw] "m"(cw))
#define MEMST(insn, dst) __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn \
        " %[r]\n\tfnstsw %[s]\n\tfninit" : [r] "=m"(dst), [s] "=m"(s) : [a] "m"(ma), [cw] "m"(cw))
    uint16_t i16 = 0;
    uint32_t i32 = 0;
    float f32 = 0;
    double f64 = 0;
    uint64_t fl = 0;
    switch (op) {
    case OP_ADD: BIN("fadd %%st(1), %%st"); break;
    case OP_SUB: BIN("fsub %%st(1), %%st"); break;
    case OP_MUL: BIN("fmul %%st(1), %%st"); break;
    case OP_DIV: BIN("fdiv %%st(1), %%st"); break;
    case OP_SQRT: BIN("fsqrt"); break;
    case OP_RNDINT: BIN("frndint"); break;
    case OP_COM:
    case OP_UCOM:
        if (op == OP_COM)
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfcomi %%st(1), %%st"
                             "\n\tpushfq\n\tpopq %[fl]\n\tfnstsw %[s]\n\tfninit"
                             : [fl] "=r"(fl), [s] "=m"(s) : [a] "m"(ma), [b] "m"(mb), [cw] "m"(cw) : "cc");
        else
            __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfucomi %%st(1), %%st"
                             "\n\tpushfq\n\tpopq %[fl]\n\tfnstsw %[s]\n\tfninit"
                             : [fl] "=r"(fl), [s] "=m"(s) : [a] "m"(ma), [b] "m"(mb), [cw] "m"(cw) : "cc");
        r = fl & 0x45;
        break;
    case OP_IST16: MEMST("fistps", i16); r = i16; break;
    case OP_IST32: MEMST("fistpl", i32); r = i32; break;
    case OP_IST64: MEMST("fistpll", r); break;
    case OP_ST32: MEMST("fstps", f32); __builtin_memcpy(&i32, &f32, 4); r = i32; break;
    case OP_ST64: MEMST("fstpl", f64); __builtin_memcpy(&r, &f64, 8); break;
    case OP_LD32:
        i32 = (uint32_t)bits;
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tflds %[v]\n\tfnstsw %[s]\n\tfstpt %[r]"
                         : [r] "=m"(mr), [s] "=m"(s) : [v] "m"(i32), [cw] "m"(cw));
        break;
    default:
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[v]\n\tfnstsw %[s]\n\tfstpt %[r]"
                         : [r] "=m"(mr), [s] "=m"(s) : [v] "m"(bits), [cw] "m"(cw));
        break;
    }
#undef BIN
#undef MEMST
    *sw = s;
    *out = r;
    return (SfX80){ mr.mant, mr.se };
}

static SfX80 soft_op(int op, SfX80 a, SfX80 b, int prec, uint64_t bits, SfStatus *st,
                     uint64_t *out)
{
    static const uint64_t rel_flags[] = {
        [SF_LESS] = 0x1, [SF_EQUAL] = 0x40, [SF_GREATER] = 0, [SF_UNORDERED] = 0x45 };
    SfX80 none = { 0, 0 };
    *out = 0;
    switch (op) {
    case OP_ADD: return sfx_add(a, b, prec, st);
    case OP_SUB: return sfx_sub(a, b, prec, st);
    case OP_MUL: return sfx_mul(a, b, prec, st);
    case OP_DIV: return sfx_div(a, b, prec, st);
    case OP_SQRT: return sfx_sqrt(a, prec, st);
    case OP_RNDINT: return sfx_round_to_int(a, st);
    case OP_COM: *out = rel_flags[sfx_compare(a, b, true, st)]; return none;
    case OP_UCOM: *out = rel_flags[sfx_compare(a, b, false, st)]; return none;
    case OP_IST16: *out = sfx_to_int(a, 16, st); return none;
    case OP_IST32: *out = sfx_to_int(a, 32, st); return none;
    case OP_IST64: *out = sfx_to_int(a, 64, st); return none;
    case OP_ST32: *out = sfx_to_float(SF_F32, a, st); return none;
    case OP_ST64: *out = sfx_to_float(SF_F64, a, st); return none;
    case OP_LD32: return sfx_from_float(SF_F32, bits, st);
    default: return sfx_from_float(SF_F64, bits, st);
    }
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? atol(argv[1]) : 20000;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x80808080aull;
    if (!rng_state)
        rng_state = 1;
    static const int precisions[4] = { 24, 0, 53, 64 };
    long failures = 0, total = 0;
    for (int op = 0; op < NB_OPS; op++) {
        for (unsigned cfg = 0; cfg < 16; cfg++) {
            unsigned pc = cfg & 3, rc = cfg >> 2;
            if (pc == 1)
                continue;   /* reserved precision control */
            uint16_t cw = (uint16_t)(0x3f | pc << 8 | rc << 10);
            long op_fail = 0;
            for (long i = 0; i < cases; i++) {
                SfX80 a = rnd_x80((SfX80){ 0x8000000000000000ull, 0x3fff });
                SfX80 b = rnd_x80(a);
                uint64_t bits = rnd() % 3 ? rnd() : (rnd() & 0x800fffffffffffffull);
                if (op == OP_LD32 && rnd() % 2)
                    bits &= 0x807fffffull;
                uint16_t sw;
                uint64_t want_bits, got_bits;
                SfX80 want = host_op(op, a, b, cw, bits, &sw, &want_bits);
                SfStatus st = { .round = (uint8_t)rc, .masks = 0x3f };
                SfX80 got = soft_op(op, a, b, precisions[pc], bits, &st, &got_bits);
                unsigned want_flags = sw & 0x3f, got_flags = st.flags;
                /* C1 is the rounding direction only when the result is inexact */
                bool c1_checked = (want_flags & SF_PE) && op <= OP_RNDINT;
                bool c1_bad = c1_checked && (((sw >> 9) & 1) != st.rounded_up);
                total++;
                if (want.mant != got.mant || want.se != got.se || want_bits != got_bits ||
                    want_flags != got_flags || c1_bad) {
                    if (op_fail++ < 4)
                        fprintf(stderr, "%s cw %04x: a %04x:%016" PRIx64 " b %04x:%016" PRIx64
                                " bits %016" PRIx64 ": want %04x:%016" PRIx64 " %016" PRIx64
                                " flags %02x c1 %d, got %04x:%016" PRIx64 " %016" PRIx64
                                " flags %02x c1 %d\n", op_names[op], cw, a.se, a.mant, b.se,
                                b.mant, bits, want.se, want.mant, want_bits, want_flags,
                                (sw >> 9) & 1, got.se, got.mant, got_bits, got_flags,
                                st.rounded_up);
                }
            }
            failures += op_fail;
        }
    }
    printf("softfloat x80 vs host x87: %ld cases, %ld mismatches\n", total, failures);
    return failures != 0;
}
