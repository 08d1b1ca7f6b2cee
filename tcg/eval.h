/*
 * tcg/eval.h — the meaning of every value-computing IR op, in one place.
 *
 * Internal to tcg/. The optimizer folds constants with these functions and the interpreter
 * builds its handlers from them (called with constant op and type, so each handler compiles
 * down to the single operation), which keeps folding and execution bit-identical.
 *
 * Values of I32 temps are kept zero-extended in 64-bit slots; every result is masked to the
 * type width, so inputs can rely on that invariant.
 */
#ifndef FERRY_TCG_EVAL_H
#define FERRY_TCG_EVAL_H

#include "tcg/tcg.h"

#define TCG_EVAL_INLINE static inline __attribute__((always_inline))

TCG_EVAL_INLINE uint64_t tcg_type_mask(TCGType type)
{
    return type == TCG_I64 ? ~0ull : 0xffffffffull;
}

/* One-output ops with up to two inputs (unary ops ignore b). opc must be one of them. */
TCG_EVAL_INLINE uint64_t tcg_eval(TCGOpcode opc, TCGType type, uint64_t a, uint64_t b)
{
    const bool w64 = type == TCG_I64;
    const unsigned width = w64 ? 64 : 32;
    const unsigned count = (unsigned)b & (width - 1);
    uint64_t r;

    switch (opc) {
    case INDEX_op_mov:   r = a; break;
    case INDEX_op_add:   r = a + b; break;
    case INDEX_op_sub:   r = a - b; break;
    case INDEX_op_mul:   r = a * b; break;
    case INDEX_op_and:   r = a & b; break;
    case INDEX_op_or:    r = a | b; break;
    case INDEX_op_xor:   r = a ^ b; break;
    case INDEX_op_andc:  r = a & ~b; break;
    case INDEX_op_neg:   r = -a; break;
    case INDEX_op_not:   r = ~a; break;
    case INDEX_op_shl:   r = a << count; break;
    case INDEX_op_shr:   r = a >> count; break;
    case INDEX_op_sar:
        r = w64 ? (uint64_t)((int64_t)a >> count) : (uint64_t)(int64_t)((int32_t)(uint32_t)a >> count);
        break;
    case INDEX_op_rotl:  r = count ? (a << count) | (a >> (width - count)) : a; break;
    case INDEX_op_rotr:  r = count ? (a >> count) | (a << (width - count)) : a; break;
    case INDEX_op_clz:
        r = a == 0 ? b : w64 ? (uint64_t)__builtin_clzll(a) : (uint64_t)__builtin_clz((uint32_t)a);
        break;
    case INDEX_op_ctz:   r = a == 0 ? b : (uint64_t)__builtin_ctzll(a); break;
    case INDEX_op_ctpop: r = (uint64_t)__builtin_popcountll(a); break;
    case INDEX_op_bswap: r = w64 ? __builtin_bswap64(a) : __builtin_bswap32((uint32_t)a); break;
    case INDEX_op_ext8s:  r = (uint64_t)(int64_t)(int8_t)a; break;
    case INDEX_op_ext8u:  r = (uint8_t)a; break;
    case INDEX_op_ext16s: r = (uint64_t)(int64_t)(int16_t)a; break;
    case INDEX_op_ext16u: r = (uint16_t)a; break;
    case INDEX_op_ext32s: r = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_ext32u: r = (uint32_t)a; break;
    case INDEX_op_ext_i32_i64:   r = (uint64_t)(int64_t)(int32_t)a; break;
    case INDEX_op_extu_i32_i64:  r = (uint32_t)a; break;
    case INDEX_op_extrl_i64_i32: r = a; break;
    case INDEX_op_extrh_i64_i32: r = a >> 32; break;
    default: __builtin_unreachable();
    }
    return r & tcg_type_mask(type);
}

/* Ops tcg_eval() covers: the list the interpreter generates handlers from and the
 * optimizer folds. X(name, number of inputs) */
#define TCG_EVAL_OPS(X) \
    X(mov, 1) X(add, 2) X(sub, 2) X(mul, 2) X(and, 2) X(or, 2) X(xor, 2) X(andc, 2) \
    X(neg, 1) X(not, 1) X(shl, 2) X(shr, 2) X(sar, 2) X(rotl, 2) X(rotr, 2) \
    X(clz, 2) X(ctz, 2) X(ctpop, 1) X(bswap, 1) \
    X(ext8s, 1) X(ext8u, 1) X(ext16s, 1) X(ext16u, 1) X(ext32s, 1) X(ext32u, 1) \
    X(ext_i32_i64, 1) X(extu_i32_i64, 1) X(extrl_i64_i32, 1) X(extrh_i64_i32, 1)

TCG_EVAL_INLINE bool tcg_eval_cond(TCGCond c, TCGType type, uint64_t a, uint64_t b)
{
    const bool w64 = type == TCG_I64;
    const int64_t sa = w64 ? (int64_t)a : (int32_t)(uint32_t)a;
    const int64_t sb = w64 ? (int64_t)b : (int32_t)(uint32_t)b;

    switch (c) {
    case TCG_COND_NEVER:  return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ:  return a == b;
    case TCG_COND_NE:  return a != b;
    case TCG_COND_LT:  return sa < sb;
    case TCG_COND_GE:  return sa >= sb;
    case TCG_COND_LE:  return sa <= sb;
    case TCG_COND_GT:  return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    }
    __builtin_unreachable();
}

/* Double-width multiply: I64 gives the 128-bit product, I32 the 64-bit one, split in halves. */
TCG_EVAL_INLINE void tcg_eval_mul2(bool is_signed, TCGType type, uint64_t a, uint64_t b,
                                   uint64_t *lo, uint64_t *hi)
{
    if (type == TCG_I64) {
        __extension__ typedef unsigned __int128 u128;
        __extension__ typedef __int128 s128;
        u128 p = is_signed ? (u128)((s128)(int64_t)a * (s128)(int64_t)b) : (u128)a * (u128)b;
        *lo = (uint64_t)p;
        *hi = (uint64_t)(p >> 64);
    } else {
        uint64_t p = is_signed ? (uint64_t)((int64_t)(int32_t)(uint32_t)a * (int64_t)(int32_t)(uint32_t)b)
                               : (uint64_t)(uint32_t)a * (uint32_t)b;
        *lo = (uint32_t)p;
        *hi = p >> 32;
    }
}

/* Loaded value of memop mo as an op of the given type holds it. */
TCG_EVAL_INLINE uint64_t tcg_eval_extend_load(uint64_t v, unsigned sign_shift, TCGType type)
{
    v = (uint64_t)((int64_t)(v << sign_shift) >> sign_shift);
    return v & tcg_type_mask(type);
}

/* The left-then-arithmetic-right shift that sign-extends a loaded value of memop mo. */
static inline unsigned tcg_memop_sign_shift(TCGMemOp mo)
{
    return (mo & MO_SIGN) ? 64 - (8u << (mo & MO_SIZE)) : 0;
}

#endif
