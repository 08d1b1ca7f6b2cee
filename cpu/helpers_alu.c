/*
 * cpu/helpers_alu.c — C helpers for the core and the ALU generators: raising exceptions,
 * the flag computation, division, BCD adjusts, rotates through carry.
 */
#include "cpu/helpers.h"

HELPER(raise_exception)
{
    cpu_raise_exception(env_, (int)a0, (uint32_t)a1);
}
DEF_HELPER_INFO(raise_exception, 0);

HELPER(cc_compute_all)
{
    return cc_compute_flags((uint32_t)a0, a1, a2, a3);
}
DEF_HELPER_INFO(cc_compute_all,
                TCG_CALL_PURE | TCG_CALL_NO_RAISE | TCG_CALL_NO_READ_ENV | TCG_CALL_NO_WRITE_ENV);

/* ---------------------------------------------------------------- division */

static uint64_t mask_of(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* rDX:rAX as one unsigned value (AX alone for byte division), for 8- to 32-bit operands:
 * it fits 64 bits, so these divisions need no 128-bit arithmetic (a library call) */
static uint64_t narrow_dividend(const CPUState *env, unsigned size)
{
    if (size == 1) {
        return env->regs[R_EAX] & 0xffff;
    }
    uint64_t m = mask_of(size);
    return ((env->regs[R_EDX] & m) << (size * 8)) | (env->regs[R_EAX] & m);
}

static unsigned __int128 wide_dividend(const CPUState *env)
{
    return ((unsigned __int128)env->regs[R_EDX] << 64) | env->regs[R_EAX];
}

/* Quotient to AL/AX/EAX/RAX and remainder to AH/DX/EDX/RDX with the register write rules
 * (8/16-bit merge, 32-bit zero-extends). */
static void store_div_result(CPUState *env, unsigned size, uint64_t q, uint64_t r)
{
    uint64_t m = mask_of(size);
    if (size == 1) {
        env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (q & 0xff) | ((r & 0xff) << 8);
    } else if (size == 2) {
        env->regs[R_EAX] = (env->regs[R_EAX] & ~m) | (q & m);
        env->regs[R_EDX] = (env->regs[R_EDX] & ~m) | (r & m);
    } else {
        env->regs[R_EAX] = q & m;
        env->regs[R_EDX] = r & m;
    }
}

HELPER(div)
{
    CPUState *env = env_;
    unsigned size = (unsigned)a0;
    uint64_t divisor = a1 & mask_of(size);
    if (divisor == 0) {
        cpu_raise_exception(env, EXCP_DE, 0);
    }
    uint64_t q, r;
    if (size < 8) {
        uint64_t n = narrow_dividend(env, size);
        q = n / divisor;
        r = n % divisor;
        if (q > mask_of(size)) {
            cpu_raise_exception(env, EXCP_DE, 0);
        }
    } else {
        /* the quotient reaches 2^64 exactly when RDX >= divisor */
        if (env->regs[R_EDX] >= divisor) {
            cpu_raise_exception(env, EXCP_DE, 0);
        }
        unsigned __int128 n = wide_dividend(env);
        q = (uint64_t)(n / divisor);
        r = (uint64_t)(n % divisor);
    }
    store_div_result(env, size, q, r);
    return 0;
}
DEF_HELPER_INFO(div, 0);

/* Signed division of a dividend of 16 to 64 bits (sign-extended): false when the quotient
 * does not fit a signed operand of `bits` bits. n / -1 is negation, done unsigned: INT64_MIN
 * / -1 does not exist in C (and its wrapped result, still INT64_MIN, fails the range check
 * like the real quotient). */
static bool idiv_narrow(int64_t n, int64_t divisor, unsigned bits, int64_t *q, int64_t *r)
{
    if (divisor == -1) {
        *q = (int64_t)(0 - (uint64_t)n);
        *r = 0;
    } else {
        *q = n / divisor;
        *r = n % divisor;
    }
    int64_t qmax = (int64_t)((1ull << (bits - 1)) - 1);
    return *q <= qmax && *q >= -qmax - 1;
}

/* The same for RDX:RAX by a 64-bit divisor, in 128 bits */
static bool idiv_wide(__int128 n, int64_t divisor, int64_t *q, int64_t *r)
{
    __int128 wq, wr;
    if (divisor == -1) {
        wq = (__int128)(0 - (unsigned __int128)n);
        wr = 0;
    } else {
        wq = n / divisor;
        wr = n % divisor;
    }
    *q = (int64_t)wq;
    *r = (int64_t)wr;
    return wq <= INT64_MAX && wq >= INT64_MIN;
}

HELPER(idiv)
{
    CPUState *env = env_;
    unsigned size = (unsigned)a0;
    unsigned bits = size * 8;
    int64_t divisor = (int64_t)((a1 & mask_of(size)) << (64 - bits)) >> (64 - bits);
    if (divisor == 0) {
        cpu_raise_exception(env, EXCP_DE, 0);
    }
    int64_t q, r;
    bool fits;
    if (size < 8) {
        unsigned n_bits = size == 1 ? 16 : 2 * bits;
        int64_t n = (int64_t)(narrow_dividend(env, size) << (64 - n_bits)) >> (64 - n_bits);
        fits = idiv_narrow(n, divisor, bits, &q, &r);
    } else {
        fits = idiv_wide((__int128)wide_dividend(env), divisor, &q, &r);
    }
    if (!fits) {
        cpu_raise_exception(env, EXCP_DE, 0);
    }
    store_div_result(env, size, (uint64_t)q, (uint64_t)r);
    return 0;
}
DEF_HELPER_INFO(idiv, 0);

/* ---------------------------------------------------------------- BCD adjusts */

static void set_lazy_flags(CPUState *env, CCOp op, uint64_t dst, uint64_t src)
{
    env->cc_op = op;
    env->cc_dst = dst;
    env->cc_src = src;
    env->cc_src2 = 0;
}

/* SF ZF PF of an 8-bit result, the way a LOGIC operation leaves them */
static uint32_t szp_of(uint8_t v)
{
    return cc_compute_flags(CC_OP_LOGICB, v, 0, 0) & (CC_S | CC_Z | CC_P);
}

HELPER(bcd)
{
    CPUState *env = env_;
    uint64_t *rax = &env->regs[R_EAX];
    uint8_t al = (uint8_t)*rax, ah = (uint8_t)(*rax >> 8);
    uint32_t flags = cpu_cc_compute_all(env);
    bool cf = flags & CC_C, af = flags & CC_A;
    bool low_adjust = (al & 0xf) > 9 || af;
    uint16_t ax = (uint16_t)*rax;
    uint32_t out;

    switch ((int)a0) {
    case BCD_DAA:
    case BCD_DAS: {
        bool sub = a0 == BCD_DAS;
        uint8_t v = al;
        bool ncf = false;
        if (low_adjust) {
            ncf = cf || (sub ? al < 6 : al > 0xff - 6);
            v = (uint8_t)(sub ? v - 6 : v + 6);
        }
        if (al > 0x99 || cf) {
            v = (uint8_t)(sub ? v - 0x60 : v + 0x60);
            ncf = true;
        }
        out = (ncf ? CC_C : 0) | (low_adjust ? CC_A : 0) | szp_of(v);
        *rax = (*rax & ~0xffull) | v;
        set_lazy_flags(env, CC_OP_EFLAGS, 0, out);
        return 0;
    }
    case BCD_AAA:
    case BCD_AAS:
        if (low_adjust) {
            ax = a0 == BCD_AAA ? (uint16_t)(ax + 0x106) : (uint16_t)(ax - 6 - 0x100);
        }
        ax &= 0xff0f;
        out = (low_adjust ? CC_C | CC_A : 0) | szp_of((uint8_t)ax);
        *rax = (*rax & ~0xffffull) | ax;
        set_lazy_flags(env, CC_OP_EFLAGS, 0, out);
        return 0;
    case BCD_AAM: {
        uint8_t base = (uint8_t)a1;
        if (base == 0) {
            cpu_raise_exception(env, EXCP_DE, 0);
        }
        ax = (uint16_t)(((al / base) << 8) | (al % base));
        *rax = (*rax & ~0xffffull) | ax;
        set_lazy_flags(env, CC_OP_LOGICB, ax & 0xff, 0);
        return 0;
    }
    case BCD_AAD: {
        /* AL + AH * imm, flagged like the 8-bit addition it is */
        uint8_t product = (uint8_t)(ah * (uint8_t)a1);
        uint8_t res = (uint8_t)(al + product);
        *rax = (*rax & ~0xffffull) | res;
        set_lazy_flags(env, CC_OP_ADDB, res, product);
        return 0;
    }
    }
    return 0;
}
DEF_HELPER_INFO(bcd, 0);

/* ---------------------------------------------------------------- rotate through carry */

HELPER(rotate_carry)
{
    unsigned size = (unsigned)(a0 & 0xf);
    unsigned bits = size * 8;
    unsigned width = bits + 1;                   /* the operand plus CF */
    unsigned count = (unsigned)(a2 % width);
    unsigned __int128 wmask = ((unsigned __int128)1 << width) - 1;
    unsigned __int128 v = (a1 & mask_of(size)) | ((unsigned __int128)(a3 & 1) << bits);
    unsigned __int128 r;
    if (count == 0) {
        r = v;
    } else if (a0 & ROTC_RIGHT) {
        r = ((v >> count) | (v << (width - count))) & wmask;
    } else {
        r = ((v << count) | (v >> (width - count))) & wmask;
    }
    if (a0 & ROTC_WANT_CF) {
        return (uint64_t)(r >> bits) & 1;
    }
    return (uint64_t)r & mask_of(size);
}
DEF_HELPER_INFO(rotate_carry,
                TCG_CALL_PURE | TCG_CALL_NO_RAISE | TCG_CALL_NO_READ_ENV | TCG_CALL_NO_WRITE_ENV);
