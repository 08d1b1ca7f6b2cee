/*
 * cpu/softfloat.c — IEEE 754 binary32/binary64 arithmetic in integers, with x86 semantics.
 *
 * Internal form of a finite nonzero value: sign, unbiased exponent e and a significand whose
 * leading one is at bit 62, value = sig / 2^62 * 2^e. Bit 63 is headroom for a carry; bits
 * below the format's precision are guard bits, and every right shift "jams" lost bits into
 * bit 0 (sticky) so one final rounding step sees the exact relation to the halfway point.
 */
#include "cpu/softfloat.h"

typedef unsigned __int128 u128;

typedef struct FmtInfo {
    int frac_bits;      /* stored fraction bits */
    int exp_max;        /* all-ones biased exponent */
    int bias;
    uint64_t default_nan;   /* x86 "real indefinite": negative quiet NaN */
} FmtInfo;

static const FmtInfo fmt_info[] = {
    [SF_F32] = { 23, 0xff, 127, 0xffc00000ull },
    [SF_F64] = { 52, 0x7ff, 1023, 0xfff8000000000000ull },
};

typedef enum Kind { K_ZERO, K_FINITE, K_INF, K_QNAN, K_SNAN } Kind;

typedef struct Unpacked {
    Kind kind;
    bool sign;
    bool denormal;      /* the input was a denormal (read as a value, not DAZ'd) */
    int32_t exp;
    uint64_t sig;       /* leading one at bit 62 for K_FINITE */
} Unpacked;

SfStatus sf_status_from_mxcsr(uint32_t mxcsr)
{
    SfStatus st = {
        .round = (uint8_t)((mxcsr >> 13) & 3),
        .daz = (mxcsr >> 6) & 1,
        .ftz = (mxcsr >> 15) & 1,
        .masks = (uint8_t)((mxcsr >> 7) & 0x3f),
        .flags = 0,
    };
    return st;
}

static int clz64(uint64_t v)
{
    return v ? __builtin_clzll(v) : 64;
}

/* Right shift that keeps any lost one bit in bit 0 */
static uint64_t shift_right_jam(uint64_t v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 64)
        return v != 0;
    return (v >> n) | ((v << (64 - n)) != 0);
}

static uint64_t sign_bit(SfFormat f)
{
    return 1ull << (fmt_info[f].frac_bits + (f == SF_F32 ? 8 : 11));
}

static Unpacked unpack(SfFormat f, uint64_t bits, const SfStatus *st)
{
    const FmtInfo *fi = &fmt_info[f];
    Unpacked u = { 0 };
    uint64_t frac = bits & ((1ull << fi->frac_bits) - 1);
    int be = (int)((bits >> fi->frac_bits) & (uint64_t)fi->exp_max);
    u.sign = (bits & sign_bit(f)) != 0;
    if (be == fi->exp_max) {
        if (frac == 0)
            u.kind = K_INF;
        else
            u.kind = (frac >> (fi->frac_bits - 1)) & 1 ? K_QNAN : K_SNAN;
        return u;
    }
    if (be == 0) {
        if (frac == 0 || st->daz) {
            u.kind = K_ZERO;
            return u;
        }
        u.denormal = true;
        u.kind = K_FINITE;
        int lz = clz64(frac);
        u.sig = frac << (lz - 1);
        /* frac's leading one at bit (63 - lz) stands for 2^(63 - lz + 1 - bias - frac_bits) */
        u.exp = 63 - lz + 1 - fi->bias - fi->frac_bits;
        return u;
    }
    u.kind = K_FINITE;
    u.sig = (frac | (1ull << fi->frac_bits)) << (62 - fi->frac_bits);
    u.exp = be - fi->bias;
    return u;
}

static uint64_t pack_inf(SfFormat f, bool sign)
{
    return (sign ? sign_bit(f) : 0) | ((uint64_t)fmt_info[f].exp_max << fmt_info[f].frac_bits);
}

static uint64_t pack_zero(SfFormat f, bool sign)
{
    return sign ? sign_bit(f) : 0;
}

static uint64_t quiet(SfFormat f, uint64_t nan)
{
    return nan | (1ull << (fmt_info[f].frac_bits - 1));
}

static bool round_up_needed(unsigned mode, bool sign, uint64_t keep, uint64_t rem, uint64_t half)
{
    switch (mode) {
    case SF_RNE: return rem > half || (rem == half && (keep & 1));
    case SF_RDOWN: return rem != 0 && sign;
    case SF_RUP: return rem != 0 && !sign;
    default: return false;
    }
}

/* Overflow: infinity or the largest finite value, by rounding direction */
static uint64_t overflow(SfFormat f, bool sign, SfStatus *st)
{
    st->flags |= SF_OE | SF_PE;
    bool to_inf = st->round == SF_RNE || (st->round == SF_RUP && !sign) ||
                  (st->round == SF_RDOWN && sign);
    st->rounded_up = to_inf;
    if (to_inf)
        return pack_inf(f, sign);
    return (sign ? sign_bit(f) : 0) | (pack_inf(f, false) - 1);
}

/* Round and pack sign * sig / 2^62 * 2^exp (sig nonzero, leading one at bit 63 or below). */
static uint64_t round_pack(SfFormat f, bool sign, int32_t exp, uint64_t sig, SfStatus *st)
{
    const FmtInfo *fi = &fmt_info[f];
    int lz = clz64(sig);
    if (lz == 0) {
        sig = shift_right_jam(sig, 1);
        exp++;
    } else {
        sig <<= lz - 1;
        exp -= lz - 1;
    }
    int prec = fi->frac_bits + 1;
    int be = exp + fi->bias;
    int shift = 63 - prec;
    bool tiny = false;
    if (be <= 0) {
        /* tininess after rounding: tiny unless rounding to the full precision at an
         * unbounded exponent already reaches the smallest normal */
        uint64_t keep = sig >> shift, rem = sig & ((1ull << shift) - 1);
        bool up = round_up_needed(st->round, sign, keep, rem, 1ull << (shift - 1));
        tiny = !(be == 0 && up && keep + 1 == (1ull << prec));
        if (tiny && st->ftz && (st->masks & SF_UE)) {
            st->flags |= SF_UE | SF_PE;
            st->rounded_up = false;
            return pack_zero(f, sign);
        }
        shift += 1 - be;
        be = 0;
    } else if (be >= fi->exp_max) {
        return overflow(f, sign, st);   /* (extended operands reach far beyond) */
    }
    uint64_t keep, rem, half;
    if (shift >= 64) {
        keep = 0;
        rem = sig != 0;     /* far below half: only the sticky matters */
        half = 2;
    } else {
        keep = sig >> shift;
        rem = sig & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
    }
    st->rounded_up = round_up_needed(st->round, sign, keep, rem, half);
    keep += st->rounded_up;
    bool inexact = rem != 0;
    if (tiny && (inexact || !(st->masks & SF_UE)))
        st->flags |= SF_UE;
    if (inexact)
        st->flags |= SF_PE;
    /* normal: exponent field be-1 plus the implicit bit carries into it; denormal: none */
    uint64_t mag = ((uint64_t)(be > 0 ? be - 1 : 0) << fi->frac_bits) + keep;
    if ((mag >> fi->frac_bits) >= (uint64_t)fi->exp_max)
        return overflow(f, sign, st);
    return (sign ? sign_bit(f) : 0) | mag;
}

static bool is_nan(const Unpacked *u)
{
    return u->kind == K_QNAN || u->kind == K_SNAN;
}

/* SSE NaN propagation for two operands: the first NaN operand, quieted; IE for any SNaN.
 * Returns true when a NaN result was produced. */
static bool propagate_nan2(SfFormat f, uint64_t a, const Unpacked *ua, uint64_t b,
                           const Unpacked *ub, uint64_t *out, SfStatus *st)
{
    if (!is_nan(ua) && !is_nan(ub))
        return false;
    if (ua->kind == K_SNAN || ub->kind == K_SNAN)
        st->flags |= SF_IE;
    *out = quiet(f, is_nan(ua) ? a : b);
    return true;
}

static void note_denormals(const Unpacked *ua, const Unpacked *ub, SfStatus *st)
{
    if (ua->denormal || (ub && ub->denormal))
        st->flags |= SF_DE;
}

static uint64_t invalid(SfFormat f, SfStatus *st)
{
    st->flags |= SF_IE;
    return fmt_info[f].default_nan;
}

static uint64_t add_signed(SfFormat f, uint64_t a, uint64_t b, bool negate_b, SfStatus *st)
{
    Unpacked ua = unpack(f, a, st), ub = unpack(f, b, st);
    uint64_t out;
    if (propagate_nan2(f, a, &ua, b, &ub, &out, st))
        return out;
    ub.sign ^= negate_b;
    note_denormals(&ua, &ub, st);
    if (ua.kind == K_INF || ub.kind == K_INF) {
        if (ua.kind == K_INF && ub.kind == K_INF && ua.sign != ub.sign)
            return invalid(f, st);
        return pack_inf(f, ua.kind == K_INF ? ua.sign : ub.sign);
    }
    if (ua.kind == K_ZERO && ub.kind == K_ZERO)
        return pack_zero(f, ua.sign == ub.sign ? ua.sign : st->round == SF_RDOWN);
    if (ua.kind == K_ZERO)
        return round_pack(f, ub.sign, ub.exp, ub.sig, st);
    if (ub.kind == K_ZERO)
        return round_pack(f, ua.sign, ua.exp, ua.sig, st);
    /* make ua the larger magnitude */
    if (ub.exp > ua.exp || (ub.exp == ua.exp && ub.sig > ua.sig)) {
        Unpacked t = ua;
        ua = ub;
        ub = t;
    }
    uint64_t small = shift_right_jam(ub.sig, ua.exp - ub.exp);
    if (ua.sign == ub.sign)
        return round_pack(f, ua.sign, ua.exp, ua.sig + small, st);
    uint64_t diff = ua.sig - small;
    if (diff == 0)
        return pack_zero(f, st->round == SF_RDOWN);
    return round_pack(f, ua.sign, ua.exp, diff, st);
}

uint64_t sf_add(SfFormat f, uint64_t a, uint64_t b, SfStatus *st)
{
    return add_signed(f, a, b, false, st);
}

uint64_t sf_sub(SfFormat f, uint64_t a, uint64_t b, SfStatus *st)
{
    return add_signed(f, a, b, true, st);
}

uint64_t sf_mul(SfFormat f, uint64_t a, uint64_t b, SfStatus *st)
{
    Unpacked ua = unpack(f, a, st), ub = unpack(f, b, st);
    uint64_t out;
    if (propagate_nan2(f, a, &ua, b, &ub, &out, st))
        return out;
    note_denormals(&ua, &ub, st);
    bool sign = ua.sign != ub.sign;
    if (ua.kind == K_INF || ub.kind == K_INF) {
        if (ua.kind == K_ZERO || ub.kind == K_ZERO)
            return invalid(f, st);
        return pack_inf(f, sign);
    }
    if (ua.kind == K_ZERO || ub.kind == K_ZERO)
        return pack_zero(f, sign);
    u128 p = (u128)ua.sig * ub.sig;     /* leading one at bit 124 or 125 */
    uint64_t sig = (uint64_t)(p >> 62) | ((uint64_t)p & ((1ull << 62) - 1) ? 1 : 0);
    return round_pack(f, sign, ua.exp + ub.exp, sig, st);
}

uint64_t sf_div(SfFormat f, uint64_t a, uint64_t b, SfStatus *st)
{
    Unpacked ua = unpack(f, a, st), ub = unpack(f, b, st);
    uint64_t out;
    if (propagate_nan2(f, a, &ua, b, &ub, &out, st))
        return out;
    bool sign = ua.sign != ub.sign;
    if (ua.kind == K_INF) {
        note_denormals(&ua, &ub, st);
        return ub.kind == K_INF ? invalid(f, st) : pack_inf(f, sign);
    }
    if (ub.kind == K_INF) {
        note_denormals(&ua, &ub, st);
        return pack_zero(f, sign);
    }
    if (ub.kind == K_ZERO) {
        if (ua.kind == K_ZERO)
            return invalid(f, st);
        st->flags |= SF_ZE;     /* takes precedence over a denormal dividend's DE */
        return pack_inf(f, sign);
    }
    note_denormals(&ua, &ub, st);
    if (ua.kind == K_ZERO)
        return pack_zero(f, sign);
    u128 n = (u128)ua.sig << 63;
    uint64_t q = (uint64_t)(n / ub.sig);
    if (n % ub.sig)
        q |= 1;
    return round_pack(f, sign, ua.exp - ub.exp - 1, q, st);
}

uint64_t sf_sqrt(SfFormat f, uint64_t a, SfStatus *st)
{
    Unpacked ua = unpack(f, a, st);
    if (ua.kind == K_SNAN)
        st->flags |= SF_IE;
    if (is_nan(&ua))
        return quiet(f, a);
    if (ua.kind == K_ZERO)
        return pack_zero(f, ua.sign);
    if (ua.sign)
        return invalid(f, st);  /* a negative denormal reports IE alone */
    note_denormals(&ua, 0, st);
    if (ua.kind == K_INF)
        return a;
    uint64_t sig = ua.sig;
    int32_t e = ua.exp;
    if (e & 1) {
        sig <<= 1;
        e -= 1;
    }
    /* r = floor(sqrt(sig * 2^64)), bit by bit */
    u128 n = (u128)sig << 64, r = 0, bit = (u128)1 << 126;
    while (bit > n)
        bit >>= 2;
    while (bit) {
        if (n >= r + bit) {
            n -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    uint64_t root = (uint64_t)r | (n != 0);
    return round_pack(f, false, e / 2 - 1, root, st);
}

/* DAZ replaces a denormal operand by a zero of its sign before anything looks at it */
static uint64_t daz_bits(SfFormat f, uint64_t x, const SfStatus *st)
{
    uint64_t exp_mask = (uint64_t)fmt_info[f].exp_max << fmt_info[f].frac_bits;
    return st->daz && !(x & exp_mask) ? x & sign_bit(f) : x;
}

static uint64_t min_max(SfFormat f, uint64_t a, uint64_t b, bool want_max, SfStatus *st)
{
    a = daz_bits(f, a, st);
    b = daz_bits(f, b, st);
    Unpacked ua = unpack(f, a, st), ub = unpack(f, b, st);
    if (is_nan(&ua) || is_nan(&ub)) {
        st->flags |= SF_IE;
        return b;
    }
    note_denormals(&ua, &ub, st);
    SfRelation r = sf_compare(f, a, b, false, st);
    if (r == SF_EQUAL)
        return b;
    bool a_wins = want_max ? r == SF_GREATER : r == SF_LESS;
    return a_wins ? a : b;
}

uint64_t sf_min(SfFormat f, uint64_t a, uint64_t b, SfStatus *st)
{
    return min_max(f, a, b, false, st);
}

uint64_t sf_max(SfFormat f, uint64_t a, uint64_t b, SfStatus *st)
{
    return min_max(f, a, b, true, st);
}

/* The order of two values that are not NaNs, the same rule in every format: zeros of
 * either sign are equal, a negative value is below a positive one, and for one sign the
 * magnitudes order by class (zero < finite < infinity), then exponent, then significand
 * (sig_cmp: -1, 0 or 1 for two finite values of equal exponent). */
static SfRelation order_values(Kind ka, Kind kb, bool sa, bool sb, int32_t ea, int32_t eb,
                               int sig_cmp)
{
    if (ka == K_ZERO && kb == K_ZERO)
        return SF_EQUAL;
    if (sa != sb)
        return sa ? SF_LESS : SF_GREATER;
    int ra = ka == K_INF ? 2 : ka == K_FINITE ? 1 : 0;
    int rb = kb == K_INF ? 2 : kb == K_FINITE ? 1 : 0;
    int mag = ra != rb ? (ra < rb ? -1 : 1)
            : ra != 1 ? 0
            : ea != eb ? (ea < eb ? -1 : 1)
            : sig_cmp;
    if (sa)
        mag = -mag;
    return mag < 0 ? SF_LESS : mag > 0 ? SF_GREATER : SF_EQUAL;
}

SfRelation sf_compare(SfFormat f, uint64_t a, uint64_t b, bool signaling, SfStatus *st)
{
    Unpacked ua = unpack(f, a, st), ub = unpack(f, b, st);
    if (is_nan(&ua) || is_nan(&ub)) {
        if (signaling || ua.kind == K_SNAN || ub.kind == K_SNAN)
            st->flags |= SF_IE;
        return SF_UNORDERED;
    }
    note_denormals(&ua, &ub, st);
    return order_values(ua.kind, ub.kind, ua.sign, ub.sign, ua.exp, ub.exp,
                        (ua.sig > ub.sig) - (ua.sig < ub.sig));
}

bool sf_cmp_predicate(SfFormat f, uint64_t a, uint64_t b, unsigned pred, SfStatus *st)
{
    /* LT LE NLT NLE signal on QNaN too */
    bool signaling = (pred & 3) == 1 || (pred & 3) == 2;
    SfRelation r = sf_compare(f, a, b, signaling, st);
    bool v;
    switch (pred & 3) {
    case 0: v = r == SF_EQUAL; break;
    case 1: v = r == SF_LESS; break;
    case 2: v = r == SF_LESS || r == SF_EQUAL; break;
    default: v = r == SF_UNORDERED; break;
    }
    return (pred & 4) ? !v : v;
}

uint64_t sf_from_int(SfFormat f, int64_t v, SfStatus *st)
{
    if (v == 0)
        return 0;
    bool sign = v < 0;
    uint64_t mag = sign ? 0 - (uint64_t)v : (uint64_t)v;
    return round_pack(f, sign, 62, mag, st);
}

uint64_t sf_to_int(SfFormat f, uint64_t a, int bits, bool truncate, SfStatus *st)
{
    uint64_t indefinite = 1ull << (bits - 1);
    Unpacked ua = unpack(f, a, st);
    if (ua.kind == K_ZERO)
        return 0;
    if (ua.kind != K_FINITE) {
        st->flags |= SF_IE;
        return indefinite;
    }
    /* integer part and the fraction below it, as keep + rem / 2^shift */
    int shift = 62 - ua.exp;
    uint64_t keep, rem, half;
    if (shift <= 0) {
        if (-shift > 1) {   /* |value| >= 2^64: beyond every integer size */
            st->flags |= SF_IE;
            return indefinite;
        }
        keep = ua.sig << -shift;
        rem = 0;
        half = 1;
    } else if (shift >= 64) {
        keep = 0;
        rem = 1;
        half = 2;
    } else {
        keep = ua.sig >> shift;
        rem = ua.sig & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
    }
    unsigned mode = truncate ? SF_RZ : st->round;
    if (round_up_needed(mode, ua.sign, keep, rem, half))
        keep++;
    uint64_t limit = ua.sign ? indefinite : indefinite - 1;
    if (keep > limit) {
        st->flags |= SF_IE;
        return indefinite;
    }
    if (rem)
        st->flags |= SF_PE;
    uint64_t res = ua.sign ? 0 - keep : keep;
    return bits == 32 ? (uint32_t)res : res;
}

uint64_t sf_convert(SfFormat to, SfFormat from, uint64_t a, SfStatus *st)
{
    Unpacked ua = unpack(from, a, st);
    switch (ua.kind) {
    case K_SNAN:
        st->flags |= SF_IE;
        /* fall through */
    case K_QNAN: {
        /* keep the payload's top bits, aligned at the fraction's top */
        int fb_from = fmt_info[from].frac_bits, fb_to = fmt_info[to].frac_bits;
        uint64_t frac = a & ((1ull << fb_from) - 1);
        frac = fb_to >= fb_from ? frac << (fb_to - fb_from) : frac >> (fb_from - fb_to);
        return quiet(to, pack_inf(to, ua.sign) | frac);
    }
    case K_INF:
        return pack_inf(to, ua.sign);
    case K_ZERO:
        return pack_zero(to, ua.sign);
    default:
        note_denormals(&ua, 0, st);
        return round_pack(to, ua.sign, ua.exp, ua.sig, st);
    }
}

/* ---------------------------------------------------------------- x87 extended
 * Internal form: value = sig / 2^126 * 2^exp with sig's leading one at bit 126 (bit 127 is
 * carry headroom), 63 guard bits below a 64-bit significand. */

#define X80_BIAS 16383
#define X80_EXP_MAX 0x7fff

typedef struct UnpackedX {
    Kind kind;          /* K_SNAN/K_QNAN/K_INF/K_ZERO/K_FINITE, or K_UNSUPPORTED */
    bool sign;
    bool denormal;
    int32_t exp;
    u128 sig;
} UnpackedX;
#define K_UNSUPPORTED ((Kind)(K_SNAN + 1))

static int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)v);
}

static u128 shift_right_jam128(u128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v << (128 - n)) != 0);
}

static UnpackedX unpack_x80(SfX80 a)
{
    UnpackedX u = { 0 };
    int be = a.se & X80_EXP_MAX;
    bool integer_bit = a.mant >> 63;
    u.sign = a.se >> 15;
    if (be == X80_EXP_MAX) {
        if (!integer_bit)
            u.kind = K_UNSUPPORTED;
        else if (!(a.mant << 1))
            u.kind = K_INF;
        else
            u.kind = (a.mant >> 62) & 1 ? K_QNAN : K_SNAN;
        return u;
    }
    if (be == 0) {
        if (!a.mant) {
            u.kind = K_ZERO;
            return u;
        }
        /* denormals and pseudo-denormals both weigh 2^(1 - bias) per integer unit */
        u.denormal = true;
        be = 1;
    } else if (!integer_bit) {
        u.kind = K_UNSUPPORTED;
        return u;
    }
    u.kind = K_FINITE;
    int lz = clz64(a.mant);
    u.sig = (u128)(a.mant << lz) << 63;
    u.exp = be - X80_BIAS - lz;
    return u;
}

static SfX80 x80_inf(bool sign)
{
    return (SfX80){ 1ull << 63, (uint16_t)((sign ? 0x8000 : 0) | X80_EXP_MAX) };
}

static SfX80 x80_zero(bool sign)
{
    return (SfX80){ 0, (uint16_t)(sign ? 0x8000 : 0) };
}

static SfX80 x80_quiet(SfX80 a)
{
    a.mant |= 1ull << 62;
    return a;
}

static SfX80 x80_invalid(SfStatus *st)
{
    st->flags |= SF_IE;
    return SFX80_DEFAULT_NAN;
}

bool sfx_is_nan(SfX80 a)
{
    return (a.se & X80_EXP_MAX) == X80_EXP_MAX && (a.mant >> 63) && (a.mant << 1);
}

bool sfx_is_unsupported(SfX80 a)
{
    return unpack_x80(a).kind == K_UNSUPPORTED;
}

/* Round sign * sig / 2^126 * 2^exp to prec bits with the extended exponent range */
static SfX80 round_pack_x80(bool sign, int32_t exp, u128 sig, int prec, SfStatus *st)
{
    int lz = clz128(sig);
    if (lz == 0) {
        sig = shift_right_jam128(sig, 1);
        exp++;
    } else {
        sig <<= lz - 1;
        exp -= lz - 1;
    }
    uint16_t sbit = sign ? 0x8000 : 0;
    int be = exp + X80_BIAS;
    int shift = 127 - prec;
    bool tiny = false;
    if (be <= 0) {
        /* tininess after rounding: only be == 0 can round up to the smallest normal */
        tiny = true;
        if (be == 0) {
            u128 keep0 = sig >> shift, rem0 = sig & (((u128)1 << shift) - 1);
            u128 half0 = (u128)1 << (shift - 1);
            bool up = st->round == SF_RNE ? (rem0 > half0 || (rem0 == half0 && (keep0 & 1)))
                    : st->round == SF_RDOWN ? rem0 != 0 && sign
                    : st->round == SF_RUP ? rem0 != 0 && !sign : false;
            tiny = !(up && keep0 + 1 == ((u128)1 << prec));
        }
        shift += 1 - be;
        be = 0;
    }
    u128 keep, rem, half;
    if (shift >= 128) {
        keep = 0;
        rem = sig != 0;
        half = 2;
    } else {
        keep = sig >> shift;
        rem = sig & (((u128)1 << shift) - 1);
        half = (u128)1 << (shift - 1);
    }
    bool up;
    switch (st->round) {
    case SF_RNE: up = rem > half || (rem == half && (keep & 1)); break;
    case SF_RDOWN: up = rem != 0 && sign; break;
    case SF_RUP: up = rem != 0 && !sign; break;
    default: up = false; break;
    }
    st->rounded_up = up;
    keep += up;
    bool inexact = rem != 0;
    if (tiny && (inexact || !(st->masks & SF_UE)))
        st->flags |= SF_UE;
    if (inexact)
        st->flags |= SF_PE;
    if (be == 0) {
        /* denormal; rounding may carry into the integer bit: the smallest normal */
        uint64_t mant = (uint64_t)(keep << (64 - prec));
        return (SfX80){ mant, (uint16_t)(sbit | (mant >> 63)) };
    }
    if (keep >> prec) {
        keep >>= 1;
        be++;
    }
    if (be >= X80_EXP_MAX) {
        st->flags |= SF_OE | SF_PE;
        bool to_inf = st->round == SF_RNE || (st->round == SF_RUP && !sign) ||
                      (st->round == SF_RDOWN && sign);
        st->rounded_up = to_inf;
        if (to_inf)
            return x80_inf(sign);
        return (SfX80){ ~0ull << (64 - prec), (uint16_t)(sbit | (X80_EXP_MAX - 1)) };
    }
    return (SfX80){ (uint64_t)(keep << (64 - prec)), (uint16_t)(sbit | be) };
}

/* x87 NaN rules for two operands; true when the result is decided (NaN or invalid) */
static bool x80_special2(SfX80 a, const UnpackedX *ua, SfX80 b, const UnpackedX *ub,
                         SfX80 *out, SfStatus *st)
{
    if (ua->kind == K_UNSUPPORTED || ub->kind == K_UNSUPPORTED) {
        *out = x80_invalid(st);
        return true;
    }
    bool na = ua->kind == K_QNAN || ua->kind == K_SNAN;
    bool nb = ub->kind == K_QNAN || ub->kind == K_SNAN;
    if (!na && !nb)
        return false;
    if (ua->kind == K_SNAN || ub->kind == K_SNAN)
        st->flags |= SF_IE;
    if (na && nb) {
        if (ua->kind != ub->kind)
            *out = ua->kind == K_QNAN ? a : b;
        else
            *out = (a.mant << 1) >= (b.mant << 1) ? a : b;
        if ((a.mant << 1) == (b.mant << 1) && ua->kind == ub->kind)
            *out = (a.se & 0x8000) ? b : a;     /* equal significands: the positive one */
    } else {
        *out = na ? a : b;
    }
    *out = x80_quiet(*out);
    return true;
}

SfX80 sfx_round_pack(bool sign, int32_t exp, unsigned __int128 sig, SfStatus *st)
{
    return round_pack_x80(sign, exp, sig, 64, st);
}

bool sfx_nan_operands(SfX80 a, const SfX80 *b, SfX80 *out, SfStatus *st)
{
    UnpackedX ua = unpack_x80(a);
    if (b) {
        UnpackedX ub = unpack_x80(*b);
        return x80_special2(a, &ua, *b, &ub, out, st);
    }
    return x80_special2(a, &ua, a, &ua, out, st);
}

static void note_denormals_x(const UnpackedX *ua, const UnpackedX *ub, SfStatus *st)
{
    if (ua->denormal || (ub && ub->denormal))
        st->flags |= SF_DE;
}

static SfX80 add_x80(SfX80 a, SfX80 b, bool negate_b, int prec, SfStatus *st)
{
    UnpackedX ua = unpack_x80(a), ub = unpack_x80(b);
    SfX80 out;
    if (x80_special2(a, &ua, b, &ub, &out, st))
        return out;
    ub.sign ^= negate_b;
    note_denormals_x(&ua, &ub, st);
    if (ua.kind == K_INF || ub.kind == K_INF) {
        if (ua.kind == K_INF && ub.kind == K_INF && ua.sign != ub.sign)
            return x80_invalid(st);
        return x80_inf(ua.kind == K_INF ? ua.sign : ub.sign);
    }
    if (ua.kind == K_ZERO && ub.kind == K_ZERO)
        return x80_zero(ua.sign == ub.sign ? ua.sign : st->round == SF_RDOWN);
    if (ua.kind == K_ZERO)
        return round_pack_x80(ub.sign, ub.exp, ub.sig, prec, st);
    if (ub.kind == K_ZERO)
        return round_pack_x80(ua.sign, ua.exp, ua.sig, prec, st);
    if (ub.exp > ua.exp || (ub.exp == ua.exp && ub.sig > ua.sig)) {
        UnpackedX t = ua;
        ua = ub;
        ub = t;
    }
    u128 small = shift_right_jam128(ub.sig, ua.exp - ub.exp);
    if (ua.sign == ub.sign)
        return round_pack_x80(ua.sign, ua.exp, ua.sig + small, prec, st);
    u128 diff = ua.sig - small;
    if (diff == 0)
        return x80_zero(st->round == SF_RDOWN);
    return round_pack_x80(ua.sign, ua.exp, diff, prec, st);
}

SfX80 sfx_add(SfX80 a, SfX80 b, int prec, SfStatus *st)
{
    return add_x80(a, b, false, prec, st);
}

SfX80 sfx_sub(SfX80 a, SfX80 b, int prec, SfStatus *st)
{
    return add_x80(a, b, true, prec, st);
}

SfX80 sfx_mul(SfX80 a, SfX80 b, int prec, SfStatus *st)
{
    UnpackedX ua = unpack_x80(a), ub = unpack_x80(b);
    SfX80 out;
    if (x80_special2(a, &ua, b, &ub, &out, st))
        return out;
    bool sign = ua.sign != ub.sign;
    if (ua.kind == K_INF || ub.kind == K_INF) {
        if (ua.kind == K_ZERO || ub.kind == K_ZERO)
            return x80_invalid(st);
        note_denormals_x(&ua, &ub, st);
        return x80_inf(sign);
    }
    note_denormals_x(&ua, &ub, st);
    if (ua.kind == K_ZERO || ub.kind == K_ZERO)
        return x80_zero(sign);
    uint64_t ma = (uint64_t)(ua.sig >> 63), mb = (uint64_t)(ub.sig >> 63);
    return round_pack_x80(sign, ua.exp + ub.exp, (u128)ma * mb, prec, st);
}

SfX80 sfx_div(SfX80 a, SfX80 b, int prec, SfStatus *st)
{
    UnpackedX ua = unpack_x80(a), ub = unpack_x80(b);
    SfX80 out;
    if (x80_special2(a, &ua, b, &ub, &out, st))
        return out;
    bool sign = ua.sign != ub.sign;
    if (ua.kind == K_INF) {
        if (ub.kind == K_INF)
            return x80_invalid(st);
        note_denormals_x(&ua, &ub, st);
        return x80_inf(sign);
    }
    if (ub.kind == K_INF) {
        note_denormals_x(&ua, &ub, st);
        return x80_zero(sign);
    }
    if (ub.kind == K_ZERO) {
        if (ua.kind == K_ZERO)
            return x80_invalid(st);
        st->flags |= SF_ZE;     /* takes precedence over a denormal dividend's DE */
        return x80_inf(sign);
    }
    note_denormals_x(&ua, &ub, st);
    if (ua.kind == K_ZERO)
        return x80_zero(sign);
    uint64_t ma = (uint64_t)(ua.sig >> 63), mb = (uint64_t)(ub.sig >> 63);
    /* two-step long division: 65 quotient bits, then 64 more for guard and sticky */
    u128 n = (u128)ma << 64;
    u128 q1 = n / mb, r1 = n % mb;
    u128 n2 = r1 << 64;
    u128 q2 = n2 / mb, r2 = n2 % mb;
    u128 sig = (q1 << 62) | (q2 >> 2) | ((q2 & 3) != 0 || r2 != 0);
    return round_pack_x80(sign, ua.exp - ub.exp, sig, prec, st);
}

SfX80 sfx_sqrt(SfX80 a, int prec, SfStatus *st)
{
    UnpackedX ua = unpack_x80(a);
    if (ua.kind == K_UNSUPPORTED)
        return x80_invalid(st);
    if (ua.kind == K_SNAN)
        st->flags |= SF_IE;
    if (ua.kind == K_SNAN || ua.kind == K_QNAN)
        return x80_quiet(a);
    if (ua.kind == K_ZERO)
        return a;
    if (ua.sign)
        return x80_invalid(st);
    note_denormals_x(&ua, 0, st);
    if (ua.kind == K_INF)
        return a;
    u128 sig = ua.sig;
    int32_t e = ua.exp;
    if (e & 1) {
        sig <<= 1;
        e -= 1;
    }
    /* digit by digit over sig's 64 bit pairs and 4 zero pairs: root of sig * 2^8 */
    u128 rem = 0, root = 0;
    for (int i = 0; i < 68; i++) {
        unsigned pair = i < 64 ? (unsigned)(sig >> (126 - 2 * i)) & 3 : 0;
        rem = (rem << 2) | pair;
        u128 trial = (root << 2) | 1;
        if (rem >= trial) {
            rem -= trial;
            root = (root << 1) | 1;
        } else {
            root <<= 1;
        }
    }
    return round_pack_x80(false, e / 2, (root << 59) | (rem != 0), prec, st);
}

SfRelation sfx_compare(SfX80 a, SfX80 b, bool signaling, SfStatus *st)
{
    UnpackedX ua = unpack_x80(a), ub = unpack_x80(b);
    bool na = ua.kind >= K_QNAN, nb = ub.kind >= K_QNAN;    /* NaN or unsupported */
    if (na || nb) {
        if (signaling || (na && ua.kind != K_QNAN) || (nb && ub.kind != K_QNAN))
            st->flags |= SF_IE;
        return SF_UNORDERED;
    }
    note_denormals_x(&ua, &ub, st);
    return order_values(ua.kind, ub.kind, ua.sign, ub.sign, ua.exp, ub.exp,
                        (ua.sig > ub.sig) - (ua.sig < ub.sig));
}

SfX80 sfx_from_int(int64_t v)
{
    if (v == 0)
        return x80_zero(false);
    bool sign = v < 0;
    uint64_t mag = sign ? 0 - (uint64_t)v : (uint64_t)v;
    int lz = clz64(mag);
    return (SfX80){ mag << lz, (uint16_t)((sign ? 0x8000 : 0) | (X80_BIAS + 63 - lz)) };
}

/* integer part of |a| as keep + rem / 2^shift, rounded with mode; false when |a| >= 2^64 */
static bool x80_integer_part(const UnpackedX *u, unsigned mode, uint64_t *keep_out, bool *inexact,
                             bool *rounded_up)
{
    /* value = sig / 2^126 * 2^exp; the integer part is sig >> (126 - exp) */
    int shift = 126 - u->exp;
    if (shift < 63)
        return false;
    u128 keep, rem, half;
    if (shift >= 128) {
        keep = 0;
        rem = 1;
        half = 2;
    } else {
        keep = u->sig >> shift;
        rem = u->sig & (((u128)1 << shift) - 1);
        half = (u128)1 << (shift - 1);
    }
    bool up;
    switch (mode) {
    case SF_RNE: up = rem > half || (rem == half && (keep & 1)); break;
    case SF_RDOWN: up = rem != 0 && u->sign; break;
    case SF_RUP: up = rem != 0 && !u->sign; break;
    default: up = false; break;
    }
    keep += up;
    if (keep >> 64)
        return false;
    *rounded_up = up;
    *keep_out = (uint64_t)keep;
    *inexact = rem != 0;
    return true;
}

uint64_t sfx_to_int(SfX80 a, int bits, SfStatus *st)
{
    uint64_t indefinite = 1ull << (bits - 1);
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    UnpackedX ua = unpack_x80(a);
    if (ua.kind == K_ZERO)
        return 0;
    uint64_t keep;
    bool inexact;
    if (ua.kind != K_FINITE || !x80_integer_part(&ua, st->round, &keep, &inexact, &st->rounded_up) ||
        keep > (ua.sign ? indefinite : indefinite - 1)) {
        st->flags |= SF_IE;
        return indefinite;
    }
    if (inexact)
        st->flags |= SF_PE;     /* FIST reports no DE for a denormal operand */
    return (ua.sign ? 0 - keep : keep) & mask;
}

SfX80 sfx_round_to_int(SfX80 a, SfStatus *st)
{
    UnpackedX ua = unpack_x80(a);
    if (ua.kind == K_UNSUPPORTED)
        return x80_invalid(st);
    if (ua.kind == K_SNAN)
        st->flags |= SF_IE;
    if (ua.kind == K_SNAN || ua.kind == K_QNAN)
        return x80_quiet(a);
    if (ua.kind != K_FINITE)
        return a;
    note_denormals_x(&ua, 0, st);
    uint64_t keep;
    bool inexact;
    if (!x80_integer_part(&ua, st->round, &keep, &inexact, &st->rounded_up))
        return a;   /* |a| >= 2^63: already an integer */
    if (inexact)
        st->flags |= SF_PE;
    if (keep == 0)
        return x80_zero(ua.sign);
    SfX80 r = sfx_from_int((int64_t)keep);
    if (keep >> 63)     /* 2^63 exactly: sfx_from_int would read it as negative */
        r = (SfX80){ keep, (uint16_t)(X80_BIAS + 63) };
    r.se = (uint16_t)((r.se & X80_EXP_MAX) | (ua.sign ? 0x8000 : 0));
    return r;
}

SfX80 sfx_from_float(SfFormat f, uint64_t a, SfStatus *st)
{
    SfStatus exact = *st;
    exact.daz = false;
    Unpacked u = unpack(f, a, &exact);
    int fb = fmt_info[f].frac_bits;
    uint16_t sbit = u.sign ? 0x8000 : 0;
    switch (u.kind) {
    case K_SNAN:
        st->flags |= SF_IE;
        /* fall through */
    case K_QNAN: {
        uint64_t frac = a & ((1ull << fb) - 1);
        return (SfX80){ (1ull << 63) | (1ull << 62) | (frac << (63 - fb)),
                        (uint16_t)(sbit | X80_EXP_MAX) };
    }
    case K_INF:
        return x80_inf(u.sign);
    case K_ZERO:
        return x80_zero(u.sign);
    default:
        if (u.denormal)
            st->flags |= SF_DE;
        return (SfX80){ u.sig << 1, (uint16_t)(sbit | (u.exp + X80_BIAS)) };
    }
}

uint64_t sfx_to_float(SfFormat f, SfX80 a, SfStatus *st)
{
    UnpackedX u = unpack_x80(a);
    int fb = fmt_info[f].frac_bits;
    switch ((int)u.kind) {
    case K_UNSUPPORTED:
        st->flags |= SF_IE;
        return fmt_info[f].default_nan;
    case K_SNAN:
        st->flags |= SF_IE;
        /* fall through */
    case K_QNAN:
        return quiet(f, pack_inf(f, u.sign) | ((a.mant << 1) >> (64 - fb)));
    case K_INF:
        return pack_inf(f, u.sign);
    case K_ZERO:
        return pack_zero(f, u.sign);
    default: {
        /* an extended denormal stored to a narrower format reports no DE (it underflows) */
        uint64_t sig = (uint64_t)(u.sig >> 64) | ((uint64_t)u.sig != 0);
        return round_pack(f, u.sign, u.exp, sig, st);
    }
    }
}
