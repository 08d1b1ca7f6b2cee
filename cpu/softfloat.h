/*
 * cpu/softfloat.h — ferry's software floating-point core: IEEE 754 binary32 and binary64
 * with x86's choices (SSE NaN rules, tininess detected after rounding, DAZ/FTZ, the
 * "real indefinite" default NaN, integer indefinite on failed conversions). Pure integer
 * arithmetic, so the bits and flags are the same on every host.
 *
 * Values travel as raw bit patterns in uint64_t (binary32 in the low 32 bits). Every
 * operation takes the format and an SfStatus that carries MXCSR's controls in and
 * accumulates exception flags out.
 */
#ifndef FERRY_SOFTFLOAT_H
#define FERRY_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* Exception flags in MXCSR bit order (also the x87 status word's low six bits) */
enum { SF_IE = 0x01, SF_DE = 0x02, SF_ZE = 0x04, SF_OE = 0x08, SF_UE = 0x10, SF_PE = 0x20 };

/* Rounding control as MXCSR.RC / x87 CW.RC encode it */
enum { SF_RNE = 0, SF_RDOWN = 1, SF_RUP = 2, SF_RZ = 3 };

typedef struct SfStatus {
    uint8_t round;      /* SF_RNE... */
    bool daz;           /* denormal inputs read as zero */
    bool ftz;           /* tiny results flush to zero when underflow is masked */
    uint8_t masks;      /* SF_* bits that are masked */
    uint8_t flags;      /* accumulated SF_* flags */
    bool rounded_up;    /* the last rounding increased the magnitude (x87's C1) */
} SfStatus;

typedef enum SfFormat { SF_F32, SF_F64 } SfFormat;

/* MXCSR <-> SfStatus */
SfStatus sf_status_from_mxcsr(uint32_t mxcsr);

uint64_t sf_add(SfFormat f, uint64_t a, uint64_t b, SfStatus *st);
uint64_t sf_sub(SfFormat f, uint64_t a, uint64_t b, SfStatus *st);
uint64_t sf_mul(SfFormat f, uint64_t a, uint64_t b, SfStatus *st);
uint64_t sf_div(SfFormat f, uint64_t a, uint64_t b, SfStatus *st);
uint64_t sf_sqrt(SfFormat f, uint64_t a, SfStatus *st);
/* MINSS/MAXSS rules: a NaN in either operand or two zeros return b unchanged */
uint64_t sf_min(SfFormat f, uint64_t a, uint64_t b, SfStatus *st);
uint64_t sf_max(SfFormat f, uint64_t a, uint64_t b, SfStatus *st);

/* Comparison: relation of a to b. signaling: any NaN raises IE (COMIS, CMP LT/LE/NLT/NLE);
 * otherwise only an SNaN does. */
typedef enum SfRelation { SF_LESS, SF_EQUAL, SF_GREATER, SF_UNORDERED } SfRelation;
SfRelation sf_compare(SfFormat f, uint64_t a, uint64_t b, bool signaling, SfStatus *st);
/* CMPPS predicate 0-7 (EQ LT LE UNORD NEQ NLT NLE ORD): true or false */
bool sf_cmp_predicate(SfFormat f, uint64_t a, uint64_t b, unsigned pred, SfStatus *st);

/* Conversions. to_int: bits = 32 or 64, truncate selects round-toward-zero; NaN and
 * out-of-range give the integer indefinite (only the sign bit set) with IE. */
uint64_t sf_from_int(SfFormat f, int64_t v, SfStatus *st);
uint64_t sf_to_int(SfFormat f, uint64_t a, int bits, bool truncate, SfStatus *st);
uint64_t sf_convert(SfFormat to, SfFormat from, uint64_t a, SfStatus *st);

/* ---------------------------------------------------------------- x87 extended (80-bit)
 * The 64-bit significand has an explicit integer bit. Arithmetic rounds to prec bits (24,
 * 53 or 64: the x87 precision control) with the extended exponent range. DAZ/FTZ do not
 * apply; unsupported encodings (unnormals, pseudo-NaN/infinity) are invalid operands. Two
 * NaN operands give the one with the larger significand (x87's rule), quieted. */
typedef struct SfX80 {
    uint64_t mant;
    uint16_t se;        /* sign in bit 15, biased exponent below */
} SfX80;

#define SFX80_DEFAULT_NAN ((SfX80){ 0xc000000000000000ull, 0xffff })

SfX80 sfx_add(SfX80 a, SfX80 b, int prec, SfStatus *st);
SfX80 sfx_sub(SfX80 a, SfX80 b, int prec, SfStatus *st);
SfX80 sfx_mul(SfX80 a, SfX80 b, int prec, SfStatus *st);
SfX80 sfx_div(SfX80 a, SfX80 b, int prec, SfStatus *st);
SfX80 sfx_sqrt(SfX80 a, int prec, SfStatus *st);
SfX80 sfx_round_to_int(SfX80 a, SfStatus *st);     /* FRNDINT */
/* signaling: any NaN raises IE (FCOM, FCOMI); otherwise only SNaN (FUCOM); unsupported
 * encodings are unordered with IE in both */
SfRelation sfx_compare(SfX80 a, SfX80 b, bool signaling, SfStatus *st);
SfX80 sfx_from_int(int64_t v);
/* to an integer of bits 16/32/64 with st->round; failure gives the integer indefinite */
uint64_t sfx_to_int(SfX80 a, int bits, SfStatus *st);
SfX80 sfx_from_float(SfFormat f, uint64_t a, SfStatus *st);      /* exact; SNaN quieted */
uint64_t sfx_to_float(SfFormat f, SfX80 a, SfStatus *st);       /* rounds with st->round */
/* the class FXAM reports, and whether a value is a NaN / unsupported */
bool sfx_is_nan(SfX80 a);
bool sfx_is_unsupported(SfX80 a);

/* For cpu/fptrans.c: round sign * sig / 2^126 * 2^exp to the 64-bit extended format with
 * st->round (flags, C1 and the extended exponent range as the arithmetic above); and the
 * NaN rules for one operand (b = NULL) or two: true when *out is decided (a NaN operand
 * propagated quieted, or IE with the default NaN for an SNaN or unsupported encoding) */
SfX80 sfx_round_pack(bool sign, int32_t exp, unsigned __int128 sig, SfStatus *st);
bool sfx_nan_operands(SfX80 a, const SfX80 *b, SfX80 *out, SfStatus *st);

/* ---------------------------------------------------------------- x87 transcendentals and
 * the other non-arithmetic value operations (cpu/fptrans.c). Each computes in 128-bit
 * precision and rounds once to 64 bits with st->round (the x87 ignores precision control
 * here), setting PE/UE/OE/DE/IE/ZE and st->rounded_up as the hardware does. */
typedef enum SfTrig { SF_SIN, SF_COS, SF_TAN } SfTrig;
/* false (nothing computed) when |a| >= 2^63: the x87's C2 "out of range"; the reduction
 * uses the x87's 66-bit pi, so large arguments give the hardware's results */
bool sfx_trig(SfTrig fn, SfX80 a, SfX80 *out, SfStatus *st);
SfX80 sfx_f2xm1(SfX80 a, SfStatus *st);
SfX80 sfx_fyl2x(SfX80 x, SfX80 y, SfStatus *st);       /* y * log2(x) */
SfX80 sfx_fyl2xp1(SfX80 x, SfX80 y, SfStatus *st);     /* y * log2(x + 1) */
SfX80 sfx_fpatan(SfX80 y, SfX80 x, SfStatus *st);      /* atan(y / x) by quadrant */
SfX80 sfx_fscale(SfX80 a, SfX80 b, SfStatus *st);      /* a * 2^trunc(b) */
/* FXTRACT: *exponent and *significand of a */
void sfx_fxtract(SfX80 a, SfX80 *exponent, SfX80 *significand, SfStatus *st);
/* FPREM (nearest = false: truncated quotient) / FPREM1; *quotient gets the low three
 * quotient bits, *complete is false for a partial remainder (exponent difference > 63) */
SfX80 sfx_fprem(SfX80 a, SfX80 b, bool nearest, unsigned *quotient, bool *complete,
                SfStatus *st);
/* FBLD / FBSTP: 80-bit packed BCD (9 bytes of digit pairs, sign in bit 7 of byte 9) */
SfX80 sfx_from_bcd(const uint8_t bcd[10]);
void sfx_to_bcd(SfX80 a, uint8_t bcd[10], SfStatus *st);

#endif
