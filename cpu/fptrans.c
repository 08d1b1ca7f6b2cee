/*
 * cpu/fptrans.c — the x87's transcendental and value-manipulation instructions on integers
 * only, so every host gives the same bits: FSIN FCOS FPTAN (and FSINCOS through them), F2XM1,
 * FYL2X, FYL2XP1, FPATAN, FSCALE, FXTRACT, FPREM/FPREM1 and the packed-BCD conversions.
 *
 * Transcendentals compute in a "wide" binary format with a 128-bit significand (every
 * operation rounds toward zero with a sticky bit, error below 2^-125 relative per step) and
 * round once to the 64-bit extended format through softfloat's rounding, so the result is
 * the correctly rounded value except within ~2^-115 ulp of a rounding boundary. Argument
 * reduction for the trigonometric functions is exact and, like the hardware, relative to a
 * 66-bit approximation of pi: sin(x) here is sin(x - k * pi66 / 2) by quadrant, which is what
 * makes FSIN of large arguments (and of pi itself) match the x87 bit for bit.
 */
#include "cpu/softfloat.h"

typedef unsigned __int128 u128;

#define X80_BIAS 16383
#define X80_EXP_MAX 0x7fff

/* value = (-1)^sign * sig * 2^(exp - 127); sig == 0 is zero, else bit 127 is set */
typedef struct Wide {
    bool sign;
    int32_t exp;
    u128 sig;
} Wide;

/* pi, ln 2 and log2(e) to 128 bits */
static const Wide W_PI = { false, 1, ((u128)0xc90fdaa22168c234ull << 64) | 0xc4c6628b80dc1cd1ull };
static const Wide W_LN2 = { false, -1, ((u128)0xb17217f7d1cf79abull << 64) | 0xc9e3b39803f2f6afull };
static const Wide W_LOG2E = { false, 0, ((u128)0xb8aa3b295c17f0bbull << 64) | 0xbe87fed0691d3e88ull };
/* the x87's 66-bit pi as an integer: pi ~= PI66 * 2^-64 */
static const u128 PI66 = ((u128)0xc90fdaa22168c234ull << 2) | 3;

/* ---------------------------------------------------------------- wide arithmetic */

static int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;
    return hi ? __builtin_clzll(hi) : lo ? 64 + __builtin_clzll(lo) : 128;
}

static Wide w_make(bool sign, int32_t exp, u128 sig)
{
    if (!sig)
        return (Wide){ sign, 0, 0 };
    int lz = clz128(sig);
    return (Wide){ sign, exp - lz, sig << lz };
}

static Wide w_int(int64_t v)
{
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return w_make(v < 0, 127, m);
}

static Wide w_neg(Wide a)
{
    a.sign = !a.sign;
    return a;
}

static Wide w_scale(Wide a, int32_t n)
{
    a.exp += n;
    return a;
}

static Wide w_mul(Wide a, Wide b)
{
    if (!a.sig || !b.sig)
        return (Wide){ a.sign != b.sign, 0, 0 };
    uint64_t a1 = (uint64_t)(a.sig >> 64), a0 = (uint64_t)a.sig;
    uint64_t b1 = (uint64_t)(b.sig >> 64), b0 = (uint64_t)b.sig;
    u128 lo = (u128)a0 * b0, m1 = (u128)a1 * b0, m2 = (u128)a0 * b1, hi = (u128)a1 * b1;
    u128 mid = (lo >> 64) + (uint64_t)m1 + (uint64_t)m2;     /* < 3 * 2^64 */
    bool sticky = (uint64_t)lo || (uint64_t)mid;
    hi += (m1 >> 64) + (m2 >> 64) + (mid >> 64);
    /* product = hi * 2^128 + ..., hi >= 2^126 */
    return w_make(a.sign != b.sign, a.exp + b.exp + 1, hi | sticky);
}

static Wide w_add(Wide a, Wide b)
{
    if (!b.sig)
        return a;
    if (!a.sig)
        return b;
    if (b.exp > a.exp || (b.exp == a.exp && b.sig > a.sig)) {
        Wide t = a;
        a = b;
        b = t;
    }
    /* one bit of headroom, then align b with a sticky bit */
    int shift = a.exp - b.exp + 1;
    u128 as = a.sig >> 1 | (a.sig & 1);
    u128 bs = shift >= 128 ? 1 : (b.sig >> shift) | ((b.sig << (128 - shift)) != 0);
    u128 sum = a.sign == b.sign ? as + bs : as - bs;
    return w_make(a.sign, a.exp + 1, sum);
}

static Wide w_sub(Wide a, Wide b)
{
    return w_add(a, w_neg(b));
}

static Wide w_div(Wide a, Wide b)
{
    if (!a.sig)
        return (Wide){ a.sign != b.sign, 0, 0 };
    /* restoring division, one quotient bit per step; carry is the remainder's bit 128 */
    u128 r = a.sig, q = 0;
    bool carry = false;
    for (int i = 127; i >= 0; i--) {
        if (carry || r >= b.sig) {
            r -= b.sig;
            q |= (u128)1 << i;
        }
        carry = r >> 127;
        r <<= 1;
    }
    return w_make(a.sign != b.sign, a.exp - b.exp, q | (r != 0 || carry));
}

static Wide w_sqrt(Wide a)
{
    /* a = m * 2^(2k), m in [1, 4): Newton from 1.5 doubles the correct bits each step */
    int32_t k = (a.exp - (a.exp & 1)) / 2;     /* floor(exp / 2) */
    Wide m = w_scale(a, -2 * k), s = w_make(false, 127, 3);
    s = w_scale(s, -1);
    for (int i = 0; i < 8; i++)
        s = w_scale(w_add(s, w_div(m, s)), -1);
    return w_scale(s, k);
}

static bool w_below(Wide a, int32_t exp_limit)
{
    return !a.sig || a.exp < exp_limit;
}

/* sum of term_k, term_{k+1} = step(term_k); stops after the first below 2^-130 of the sum */
typedef Wide (*SeriesStep)(Wide term, Wide x, int k);

static Wide w_series(Wide first, Wide x, SeriesStep step)
{
    Wide sum = first, term = first;
    for (int k = 1; k < 200; k++) {
        term = step(term, x, k);
        /* the first negligible term still goes in as a sticky bit: the tail's sign decides
         * the rounding of an otherwise exact sum (cos of a tiny argument is just below 1);
         * a second one could cancel it */
        bool last = w_below(term, sum.exp - 130);
        sum = w_add(sum, term);
        if (last)
            break;
    }
    return sum;
}

/* sin: term * -x^2 / ((2k)(2k+1)) with x = r^2 */
static Wide sin_step(Wide term, Wide x2, int k)
{
    return w_neg(w_div(w_mul(term, x2), w_int((int64_t)(2 * k) * (2 * k + 1))));
}

/* cos: term * -x^2 / ((2k-1)(2k)) */
static Wide cos_step(Wide term, Wide x2, int k)
{
    return w_neg(w_div(w_mul(term, x2), w_int((int64_t)(2 * k - 1) * (2 * k))));
}

/* expm1: term * x / (k+1) */
static Wide exp_step(Wide term, Wide x, int k)
{
    return w_div(w_mul(term, x), w_int(k + 1));
}

/* atanh / atan: the running power x^(2k+1) carried in term, divided at the sum (see below);
 * these walk odd powers: term_k = s^(2k+1) / (2k+1) (times (-1)^k for atan via x = -s^2) */
static Wide w_odd_series(Wide s, Wide x2)
{
    Wide sum = s, power = s;
    for (int k = 1; k < 400; k++) {
        power = w_mul(power, x2);
        Wide term = w_div(power, w_int(2 * k + 1));
        bool last = w_below(term, sum.exp - 130);
        sum = w_add(sum, term);
        if (last)
            break;
    }
    return sum;
}

static Wide w_sin(Wide r)
{
    return w_series(r, w_mul(r, r), sin_step);
}

static Wide w_cos(Wide r)
{
    return w_series(w_int(1), w_mul(r, r), cos_step);
}

static Wide w_expm1(Wide x)
{
    return w_series(x, x, exp_step);
}

/* ln(m) = 2 atanh((m - 1) / (m + 1)) */
static Wide w_ln_ratio(Wide num, Wide den)
{
    Wide s = w_div(num, den);
    return w_scale(w_odd_series(s, w_mul(s, s)), 1);
}

/* atan(z), z >= 0 and at most 1: two halvings z / (1 + sqrt(1 + z^2)) bring it below
 * tan(pi/16), then the alternating odd series */
static Wide w_atan(Wide z)
{
    for (int i = 0; i < 2; i++)
        z = w_div(z, w_add(w_int(1), w_sqrt(w_add(w_int(1), w_mul(z, z)))));
    return w_scale(w_odd_series(z, w_neg(w_mul(z, z))), 2);
}

/* ---------------------------------------------------------------- x80 <-> wide */

typedef enum Class { C_ZERO, C_FINITE, C_INF } Class;

/* Class of a non-NaN, supported operand; DE noted for a denormal */
static Class classify(SfX80 a, SfStatus *st)
{
    unsigned be = a.se & X80_EXP_MAX;
    if (be == X80_EXP_MAX)
        return C_INF;
    if (!a.mant)
        return C_ZERO;
    if (be == 0)
        st->flags |= SF_DE;
    return C_FINITE;
}

static Wide w_from_x80(SfX80 a)
{
    int be = a.se & X80_EXP_MAX;
    return w_make(a.se >> 15, (be ? be : 1) - X80_BIAS - 63 + 127 - 64, (u128)a.mant << 64);
}

static SfX80 w_round(Wide w, SfStatus *st)
{
    if (!w.sig)
        return (SfX80){ 0, (uint16_t)(w.sign ? 0x8000 : 0) };
    return sfx_round_pack(w.sign, w.exp - 1, w.sig, st);
}

/* F2XM1, FYL2X and FYL2XP1 report PE for every finite nonzero result, exact or not, as the
 * x87 does (it does not know that 2^1 - 1 or log2(1024) came out exact) */
static SfX80 w_round_inexact(Wide w, SfStatus *st)
{
    SfX80 r = w_round(w, st);
    st->flags |= SF_PE;
    return r;
}

static SfX80 x80_signed(bool sign, SfX80 v)
{
    v.se = (uint16_t)((v.se & X80_EXP_MAX) | (sign ? 0x8000 : 0));
    return v;
}

static const SfX80 X80_INF = { 1ull << 63, X80_EXP_MAX };
static const SfX80 X80_ZERO = { 0, 0 };

static SfX80 invalid(SfStatus *st)
{
    st->flags |= SF_IE;
    return SFX80_DEFAULT_NAN;
}

static bool is_negative(SfX80 a)
{
    return a.se >> 15;
}

/* ---------------------------------------------------------------- trigonometric */

bool sfx_trig(SfTrig fn, SfX80 a, SfX80 *out, SfStatus *st)
{
    if (sfx_nan_operands(a, 0, out, st))
        return true;
    Class c = classify(a, st);
    if (c == C_INF) {
        *out = invalid(st);
        return true;
    }
    if (c == C_ZERO) {
        *out = fn == SF_COS ? (SfX80){ 1ull << 63, X80_BIAS } : a;
        return true;
    }
    int e = (a.se & X80_EXP_MAX) - X80_BIAS;
    if (e >= 63)
        return false;
    /* |a| = mant * 2^(e - 63); pi66 / 2 = PI66 * 2^-65: the quotient and remainder of
     * mant * 2^(e + 2) by PI66, the remainder kept in (-PI66/2, PI66/2] */
    Wide r = w_from_x80(a);
    r.sign = false;
    unsigned quadrant = 0;
    if (e >= -2) {
        u128 n = (u128)a.mant << (e + 2), q = n / PI66, rem = n % PI66;
        bool negative = false;
        if (rem > PI66 / 2) {
            rem = PI66 - rem;
            negative = true;
            q++;
        }
        quadrant = (unsigned)q & 3;
        r = w_make(negative, 127 - 65, rem);
    }
    /* sin and cos of the reduced argument by quadrant, then the sign of a for odd functions.
     * Below 2^-32 one correction term is exact enough, and adding it in one step keeps the
     * sign of the tiny remainder that the series' sticky bits would cancel */
    Wide res;
    if (fn == SF_TAN) {
        Wide tan_r = r.exp < -32 ? w_add(r, w_div(w_mul(r, w_mul(r, r)), w_int(3)))
                                 : w_div(w_sin(r), w_cos(r));
        res = quadrant & 1 ? w_neg(w_div(w_int(1), tan_r)) : tan_r;
    } else {
        bool small = r.exp < -32;
        Wide r2 = w_mul(r, r);
        Wide s = small ? w_sub(r, w_div(w_mul(r, r2), w_int(6))) : w_sin(r);
        Wide co = small ? w_sub(w_int(1), w_scale(r2, -1)) : w_cos(r);
        bool want_sin = (fn == SF_SIN) != (quadrant & 1);
        res = want_sin ? s : co;
        /* sin: + + - -, cos: + - - + by quadrant */
        if (fn == SF_SIN ? quadrant & 2 : ((quadrant + 1) & 2))
            res = w_neg(res);
    }
    if (fn != SF_COS && is_negative(a))
        res = w_neg(res);
    *out = w_round(res, st);
    return true;
}

/* ---------------------------------------------------------------- exponential, logarithms */

SfX80 sfx_f2xm1(SfX80 a, SfStatus *st)
{
    SfX80 out;
    if (sfx_nan_operands(a, 0, &out, st))
        return out;
    switch (classify(a, st)) {
    case C_ZERO: return a;
    case C_INF: return is_negative(a) ? (SfX80){ 1ull << 63, 0x8000 | X80_BIAS } : a;
    default:
        /* outside the documented -1..+1 the hardware returns the operand, inexact */
        if ((a.se & X80_EXP_MAX) >= X80_BIAS && !(a.mant == 1ull << 63 && (a.se & X80_EXP_MAX) == X80_BIAS)) {
            st->flags |= SF_PE;
            return a;
        }
        return w_round_inexact(w_expm1(w_mul(w_from_x80(a), W_LN2)), st);
    }
}

/* log2 of a positive w: e + ln(m) * log2(e) with m in [sqrt(1/2), sqrt(2)) */
static Wide w_log2(Wide w)
{
    int32_t e = w.exp;
    w.exp = 0;
    /* sqrt(2) = 0xb504f333f9de6484 ... * 2^-63 */
    if ((uint64_t)(w.sig >> 64) > 0xb504f333f9de6484ull) {
        w.exp = -1;
        e++;
    }
    Wide ln = w_ln_ratio(w_sub(w, w_int(1)), w_add(w, w_int(1)));
    return w_add(w_int(e), w_mul(ln, W_LOG2E));
}

SfX80 sfx_fyl2x(SfX80 x, SfX80 y, SfStatus *st)
{
    SfX80 out;
    if (sfx_nan_operands(x, &y, &out, st))
        return out;
    /* a negative x is invalid before a denormal operand is noted */
    if (is_negative(x) && (x.mant || (x.se & X80_EXP_MAX)))
        return invalid(st);
    /* log2(0): a division by zero, which outranks a denormal y's DE */
    SfStatus y_flags = { 0 };
    Class cx = classify(x, st), cy = classify(y, &y_flags);
    if (cx != C_ZERO)
        st->flags |= y_flags.flags;
    bool sy = is_negative(y);
    if (cx == C_ZERO) {
        if (cy == C_ZERO)
            return invalid(st);
        if (cy == C_FINITE)
            st->flags |= SF_ZE;
        return x80_signed(!sy, X80_INF);
    }
    if (cx == C_INF) {
        if (cy == C_ZERO)
            return invalid(st);
        return x80_signed(sy, X80_INF);
    }
    bool x_is_one = x.mant == 1ull << 63 && x.se == X80_BIAS;
    bool below_one = (x.se & X80_EXP_MAX) < X80_BIAS;
    if (cy == C_INF) {
        if (x_is_one)
            return invalid(st);
        return x80_signed(sy != below_one, X80_INF);
    }
    if (cy == C_ZERO || x_is_one)
        return x80_signed(sy != below_one, X80_ZERO);
    return w_round_inexact(w_mul(w_from_x80(y), w_log2(w_from_x80(x))), st);
}

SfX80 sfx_fyl2xp1(SfX80 x, SfX80 y, SfStatus *st)
{
    SfX80 out;
    if (sfx_nan_operands(x, &y, &out, st))
        return out;
    if (x.se == 0xffff)     /* -inf: invalid before a denormal y is noted */
        return invalid(st);
    Class cx = classify(x, st), cy = classify(y, st);
    bool sx = is_negative(x), sy = is_negative(y);
    if (cx == C_ZERO) {
        if (cy == C_INF)
            return invalid(st);
        return x80_signed(sx != sy, X80_ZERO);
    }
    if (cx == C_INF)
        return cy == C_ZERO ? invalid(st) : x80_signed(sy, X80_INF);
    /* a zero or infinite y decides by the signs alone, even for x <= -1 */
    if (cy != C_FINITE)
        return x80_signed(sx != sy, cy == C_ZERO ? X80_ZERO : X80_INF);
    /* x <= -1 (outside the documented range) gives x back, inexact, as the hardware does */
    if (sx && (x.se & X80_EXP_MAX) >= X80_BIAS) {
        st->flags |= SF_PE;
        return x;
    }
    /* inside the documented range 2 atanh(x / (2 + x)) keeps the relative precision of a
     * small x; beyond it log2(1 + x) of the exact sum converges faster */
    Wide wx = w_from_x80(x), log2_1px;
    if (wx.exp < -2)
        log2_1px = w_mul(w_ln_ratio(wx, w_add(wx, w_int(2))), W_LOG2E);
    else
        log2_1px = w_log2(w_add(wx, w_int(1)));
    return w_round_inexact(w_mul(w_from_x80(y), log2_1px), st);
}

/* ---------------------------------------------------------------- FPATAN */

SfX80 sfx_fpatan(SfX80 y, SfX80 x, SfStatus *st)
{
    SfX80 out;
    if (sfx_nan_operands(x, &y, &out, st))
        return out;
    Class cx = classify(x, st), cy = classify(y, st);
    bool sx = is_negative(x), sy = is_negative(y);
    Wide angle;
    if (cy == C_ZERO || (cx == C_INF && cy != C_INF)) {
        /* on the x axis: 0 or pi by the sign of x */
        if (!sx)
            return x80_signed(sy, X80_ZERO);
        angle = W_PI;
    } else if (cx == C_ZERO || (cy == C_INF && cx != C_INF)) {
        angle = w_scale(W_PI, -1);
    } else if (cx == C_INF) {
        /* both infinite: pi/4 or 3pi/4 */
        angle = w_scale(W_PI, -2);
        if (sx)
            angle = w_sub(W_PI, angle);
    } else {
        Wide a = w_from_x80(y), b = w_from_x80(x);
        a.sign = b.sign = false;
        bool steep = a.exp > b.exp || (a.exp == b.exp && a.sig > b.sig);
        angle = steep ? w_sub(w_scale(W_PI, -1), w_atan(w_div(b, a))) : w_atan(w_div(a, b));
        if (sx)
            angle = w_sub(W_PI, angle);
    }
    angle.sign = sy;
    return w_round(angle, st);
}

/* ---------------------------------------------------------------- FSCALE, FXTRACT */

SfX80 sfx_fscale(SfX80 a, SfX80 b, SfStatus *st)
{
    SfX80 out;
    if (sfx_nan_operands(a, &b, &out, st))
        return out;
    Class ca = classify(a, st), cb = classify(b, st);
    if (cb == C_INF) {
        bool down = is_negative(b);
        if ((ca == C_INF && down) || (ca == C_ZERO && !down))
            return invalid(st);
        if (ca == C_FINITE)
            return x80_signed(is_negative(a), down ? X80_ZERO : X80_INF);
        return a;
    }
    if (ca != C_FINITE)
        return a;
    /* trunc(b), clamped far beyond where the result saturates */
    int32_t n = 0;
    if (cb == C_FINITE) {
        int eb = (b.se & X80_EXP_MAX) - X80_BIAS;
        uint64_t mag = eb < 0 ? 0 : eb > 20 ? 1u << 20 : b.mant >> (63 - eb);
        n = (int32_t)(is_negative(b) ? -(int64_t)mag : (int64_t)mag);
    }
    Wide w = w_from_x80(a);
    return w_round(w_scale(w, n), st);
}

void sfx_fxtract(SfX80 a, SfX80 *exponent, SfX80 *significand, SfStatus *st)
{
    if (sfx_nan_operands(a, 0, significand, st)) {
        *exponent = *significand;
        return;
    }
    switch (classify(a, st)) {
    case C_ZERO:
        st->flags |= SF_ZE;
        *exponent = x80_signed(true, X80_INF);
        *significand = a;
        return;
    case C_INF:
        *exponent = X80_INF;
        *significand = a;
        return;
    default: {
        Wide w = w_from_x80(a);
        *exponent = sfx_from_int(w.exp);
        *significand = (SfX80){ (uint64_t)(w.sig >> 64), (uint16_t)((a.se & 0x8000) | X80_BIAS) };
        return;
    }
    }
}

/* ---------------------------------------------------------------- FPREM, FPREM1 */

SfX80 sfx_fprem(SfX80 a, SfX80 b, bool nearest, unsigned *quotient, bool *complete,
                SfStatus *st)
{
    SfX80 out;
    *quotient = 0;
    *complete = true;
    if (sfx_nan_operands(a, &b, &out, st))
        return out;
    /* invalid before a denormal operand is noted */
    if ((a.se & X80_EXP_MAX) == X80_EXP_MAX || !b.mant)
        return invalid(st);
    Class ca = classify(a, st), cb = classify(b, st);
    if (ca == C_ZERO || cb == C_INF)
        return a;
    Wide wa = w_from_x80(a), wb = w_from_x80(b);
    int32_t diff = wa.exp - wb.exp;
    uint64_t ma = (uint64_t)(wa.sig >> 64), mb = (uint64_t)(wb.sig >> 64);
    bool sign = is_negative(a);
    if (diff < 0 && !(nearest && diff == -1)) {
        /* |a| < |b| / 2 (or < |b| for FPREM): a itself, quotient 0 */
        return w_round(wa, st);
    }
    /* a partial step reduces the exponent difference to 32..63: the quotient of its top bits */
    int32_t step = diff;
    if (diff >= 64) {
        *complete = false;
        step = 32 + (diff & 31);
    }
    /* |a| = ma * 2^(ea-63), |b| = mb * 2^(eb-63): quotient of ma * 2^step by mb */
    u128 n = step >= 0 ? (u128)ma << step : (u128)ma, d = step >= 0 ? mb : (u128)mb << 1;
    u128 q = n / d, r = n % d;
    if (nearest && *complete && (2 * r > d || (2 * r == d && (q & 1)))) {
        r = d - r;
        q++;
        sign = !sign;
    }
    if (*complete)
        *quotient = (unsigned)q & 7;
    /* remainder r in units of |b| * 2^-63 (2^-64 when d was doubled) times 2^(diff - step) */
    int32_t unit = wb.exp - 63 + (diff - step) - (step < 0);
    if (!r)
        return x80_signed(is_negative(a), X80_ZERO);
    return w_round(w_make(sign, unit + 127, r), st);
}

/* ---------------------------------------------------------------- packed BCD */

SfX80 sfx_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (bcd[i] >> 4) * 10 + (bcd[i] & 15);
    SfX80 r = sfx_from_int((int64_t)v);     /* v < 10^18 * 1.6 < 2^63 */
    return x80_signed(bcd[9] >> 7, r);
}

void sfx_to_bcd(SfX80 a, uint8_t bcd[10], SfStatus *st)
{
    static const uint64_t max_bcd = 999999999999999999ull;
    SfStatus conv = *st;
    uint64_t v = 0;
    bool ok = !sfx_is_nan(a) && !sfx_is_unsupported(a) &&
              (a.se & X80_EXP_MAX) != X80_EXP_MAX;
    if (ok) {
        /* rounding to an integer first: |a| < 2^63 survives as a 64-bit value */
        SfX80 mag = x80_signed(false, a);
        v = sfx_to_int(mag, 64, &conv);
        ok = !(conv.flags & SF_IE) && v <= max_bcd;
    }
    if (!ok) {
        st->flags |= SF_IE;
        for (int i = 0; i < 10; i++)
            bcd[i] = i < 7 ? 0 : i == 7 ? 0xc0 : 0xff;
        return;
    }
    st->flags = conv.flags;
    /* the magnitude rounded in the direction of a's sign */
    if (is_negative(a) && (conv.round == SF_RDOWN || conv.round == SF_RUP)) {
        SfStatus flip = *st;
        flip.round = conv.round == SF_RDOWN ? SF_RUP : SF_RDOWN;
        v = sfx_to_int(x80_signed(false, a), 64, &flip);
        conv.rounded_up = flip.rounded_up;
    }
    st->rounded_up = conv.rounded_up;
    for (int i = 0; i < 9; i++) {
        bcd[i] = (uint8_t)((v % 10) | ((v / 10) % 10) << 4);
        v /= 100;
    }
    bcd[9] = is_negative(a) ? 0x80 : 0;
}
