/*
 * tests/tcg/test_ir_ops.c — every IR op and condition, for I32 and I64, with edge values,
 * built through the public builder and run through the TB cache and the interpreter,
 * against reference computations written here independently (bit loops rather than the
 * shifts and builtins tcg uses). Each case runs twice: inputs loaded from env (the
 * interpreter computes) and inputs as constants (the optimizer folds).
 */
#include "tcg/backend.h"
#include "tests/tcg/fake_mmu.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct IrEnv {
    uint64_t in[6];
    uint64_t out[4];
    uint64_t pc;
    int32_t exit_req;
    uint8_t bytes[16];
    CPUTLB tlb;
} IrEnv;

static IrEnv env;
static int failures, checks;

#define CHECK(cond, ...) do { \
    checks++; \
    if (!(cond)) { \
        failures++; \
        if (failures <= 40) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
    } \
} while (0)

/* ---------------------------------------------------------------- fake front end */

static void (*gen_body)(void);
static bool const_inputs;           /* inputs as constants (folded) instead of env loads */

static void fe_translate(void *e, TranslationBlock *tb)
{
    tb->size = 1;
    tb->icount = 1;
    tcg_gen_insn_start(tb->key.pc);
    gen_body();
    tcg_gen_exit_tb();
}

static void fe_get_key(void *e, TBKey *key)
{
    IrEnv *ie = e;
    *key = (TBKey){ .pc = ie->pc, .phys_pc = ie->pc, .cflags = TB_CF_NO_CHAIN };
}

static void fe_set_pc(void *e, uint64_t pc)
{
    ((IrEnv *)e)->pc = pc;
}

static const TCGFrontend frontend = {
    .translate = fe_translate, .get_key = fe_get_key, .set_pc = fe_set_pc,
    .exit_req_offset = offsetof(IrEnv, exit_req),
};

/* Run gen in a freshly translated block (generators read the case's parameters, and the
 * immediate forms its inputs, at translation time). */
static void run(void (*gen)(void))
{
    tb_flush();
    gen_body = gen;
    memset(env.out, 0xa5, sizeof(env.out));
    tcg_exec(&env);
}

static TCGMemOp full(TCGType t) { return t == TCG_I64 ? MO_UQ : MO_UL; }
static uint64_t mask(TCGType t) { return t == TCG_I64 ? ~0ull : 0xffffffffull; }
static unsigned width(TCGType t) { return t == TCG_I64 ? 64 : 32; }

static TCGv input(int i, TCGType t)
{
    if (const_inputs)
        return tcg_const(t, env.in[i]);
    TCGv v = tcg_temp_new(t);
    tcg_gen_ld_env(v, offsetof(IrEnv, in[i]), full(t));
    return v;
}

/* Store an output; an I32 output is also widened to check its slot's upper half is 0. */
static void output(int i, TCGv v)
{
    if (tcg_temp_type(v) == TCG_I32) {
        TCGv w = tcg_temp_new(TCG_I64);
        tcg_gen_extu_i32_i64(w, v);
        tcg_gen_st_env(w, offsetof(IrEnv, out[i]), MO_UQ);
    } else {
        tcg_gen_st_env(v, offsetof(IrEnv, out[i]), MO_UQ);
    }
}

/* ---------------------------------------------------------------- references */

static uint64_t sext(uint64_t v, unsigned bits)
{
    uint64_t sign = 1ull << (bits - 1);
    v &= bits == 64 ? ~0ull : (1ull << bits) - 1;
    return (v ^ sign) - sign;
}

static uint64_t rotl1(uint64_t v, unsigned w)
{
    uint64_t top = (v >> (w - 1)) & 1;
    return ((v << 1) | top) & (w == 64 ? ~0ull : (1ull << w) - 1);
}

static uint64_t ref_shift(int kind, uint64_t a, unsigned s, unsigned w)
{
    uint64_t m = w == 64 ? ~0ull : (1ull << w) - 1, top = 1ull << (w - 1);
    for (unsigned i = 0; i < s; i++) {
        switch (kind) {
        case 0: a = (a << 1) & m; break;                     /* shl */
        case 1: a >>= 1; break;                              /* shr */
        case 2: a = (a >> 1) | (a & top); break;             /* sar */
        case 3: a = rotl1(a, w); break;                      /* rotl */
        default: for (unsigned k = 1; k < w; k++) a = rotl1(a, w); break;  /* rotr */
        }
    }
    return a;
}

static uint64_t ref_binop(TCGOpcode opc, TCGType t, uint64_t a, uint64_t b)
{
    unsigned w = width(t), s = (unsigned)(b % w);
    uint64_t m = mask(t), r = 0;
    switch (opc) {
    case INDEX_op_add:  return (a + b) & m;
    case INDEX_op_sub:  return (a - b) & m;
    case INDEX_op_mul:  return (a * b) & m;
    case INDEX_op_and:  return a & b;
    case INDEX_op_or:   return a | b;
    case INDEX_op_xor:  return a ^ b;
    case INDEX_op_andc: return a & ~b & m;
    case INDEX_op_shl:  return ref_shift(0, a, s, w);
    case INDEX_op_shr:  return ref_shift(1, a, s, w);
    case INDEX_op_sar:  return ref_shift(2, a, s, w);
    case INDEX_op_rotl: return ref_shift(3, a, s, w);
    case INDEX_op_rotr: return ref_shift(4, a, s, w);
    case INDEX_op_clz:
        if (a == 0) return b;
        while (!((a >> (w - 1 - r)) & 1)) r++;
        return r;
    case INDEX_op_ctz:
        if (a == 0) return b;
        while (!((a >> r) & 1)) r++;
        return r;
    default: abort();
    }
}

static uint64_t ref_unop(TCGOpcode opc, TCGType t, uint64_t a)
{
    unsigned w = width(t);
    uint64_t m = mask(t), r = 0;
    switch (opc) {
    case INDEX_op_neg: return (0 - a) & m;
    case INDEX_op_not: return ~a & m;
    case INDEX_op_ctpop: for (unsigned i = 0; i < w; i++) r += (a >> i) & 1; return r;
    case INDEX_op_bswap: for (unsigned i = 0; i < w / 8; i++) r |= ((a >> (8 * i)) & 0xff) << (w - 8 - 8 * i); return r;
    case INDEX_op_ext8s:  return sext(a, 8) & m;
    case INDEX_op_ext8u:  return a & 0xff;
    case INDEX_op_ext16s: return sext(a, 16) & m;
    case INDEX_op_ext16u: return a & 0xffff;
    case INDEX_op_ext32s: return sext(a, 32);
    case INDEX_op_ext32u: return a & 0xffffffff;
    default: abort();
    }
}

static bool ref_cond(TCGCond c, TCGType t, uint64_t a, uint64_t b)
{
    unsigned w = width(t);
    /* signed order by flipping the sign bit into unsigned order */
    uint64_t flip = 1ull << (w - 1), sa = a ^ flip, sb = b ^ flip;
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    }
    abort();
}

/* 64x64->128 by 32-bit halves (schoolbook), unsigned; signed by correction terms. */
static void ref_mul2(bool is_signed, TCGType t, uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    if (t == TCG_I32) {
        uint64_t p = is_signed ? (uint64_t)(sext(a, 32) * sext(b, 32)) : a * b;
        *lo = p & 0xffffffff;
        *hi = p >> 32;
        return;
    }
    uint64_t al = a & 0xffffffff, ah = a >> 32, bl = b & 0xffffffff, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
    *lo = (ll & 0xffffffff) | (mid << 32);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    if (is_signed) {
        if (a >> 63) *hi -= b;
        if (b >> 63) *hi -= a;
    }
}

/* ---------------------------------------------------------------- edge values */

static const uint64_t edges64[] = {
    0, 1, 2, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 63, 64, 65,
    0x8000000000000001ull, 0x123456789abcdef0ull, 0xffffffffull, 0x100000000ull,
    0x80000000ull, 0x7f, 0x80, 0xff, 0x8000, 0xffff,
};
static const uint64_t edges32[] = {
    0, 1, 2, 0xffffffff, 0x80000000, 0x7fffffff, 31, 32, 33, 0x80000001, 0x12345678,
    0x7f, 0x80, 0xff, 0x8000, 0xffff, 0xfffffffe,
};
#define NEDGES(t) ((t) == TCG_I64 ? sizeof(edges64) / 8 : sizeof(edges32) / 8)
static uint64_t edge(TCGType t, size_t i) { return t == TCG_I64 ? edges64[i] : edges32[i]; }

/* ---------------------------------------------------------------- generators */

static TCGOpcode cur_opc;
static TCGType cur_type;
static TCGCond cur_cond;

typedef void (*Gen2)(TCGv, TCGv, TCGv);
typedef void (*Gen1)(TCGv, TCGv);

static const struct { TCGOpcode opc; Gen2 gen; } binops[] = {
    { INDEX_op_add, tcg_gen_add }, { INDEX_op_sub, tcg_gen_sub }, { INDEX_op_mul, tcg_gen_mul },
    { INDEX_op_and, tcg_gen_and }, { INDEX_op_or, tcg_gen_or }, { INDEX_op_xor, tcg_gen_xor },
    { INDEX_op_andc, tcg_gen_andc }, { INDEX_op_shl, tcg_gen_shl }, { INDEX_op_shr, tcg_gen_shr },
    { INDEX_op_sar, tcg_gen_sar }, { INDEX_op_rotl, tcg_gen_rotl }, { INDEX_op_rotr, tcg_gen_rotr },
    { INDEX_op_clz, tcg_gen_clz }, { INDEX_op_ctz, tcg_gen_ctz },
};
static const struct { TCGOpcode opc; Gen1 gen; bool i64_only; } unops[] = {
    { INDEX_op_neg, tcg_gen_neg, false }, { INDEX_op_not, tcg_gen_not, false },
    { INDEX_op_ctpop, tcg_gen_ctpop, false }, { INDEX_op_bswap, tcg_gen_bswap, false },
    { INDEX_op_ext8s, tcg_gen_ext8s, false }, { INDEX_op_ext8u, tcg_gen_ext8u, false },
    { INDEX_op_ext16s, tcg_gen_ext16s, false }, { INDEX_op_ext16u, tcg_gen_ext16u, false },
    { INDEX_op_ext32s, tcg_gen_ext32s, true }, { INDEX_op_ext32u, tcg_gen_ext32u, true },
};
/* immediate forms and the op they stand for */
static const struct { TCGOpcode opc; void (*gen)(TCGv, TCGv, int64_t); } immops[] = {
    { INDEX_op_add, tcg_gen_addi }, { INDEX_op_sub, tcg_gen_subi }, { INDEX_op_and, tcg_gen_andi },
    { INDEX_op_or, tcg_gen_ori }, { INDEX_op_xor, tcg_gen_xori }, { INDEX_op_shl, tcg_gen_shli },
    { INDEX_op_shr, tcg_gen_shri }, { INDEX_op_sar, tcg_gen_sari },
};
static size_t cur_index;

static void gen_binop(void)
{
    TCGv d = tcg_temp_new(cur_type);
    binops[cur_index].gen(d, input(0, cur_type), input(1, cur_type));
    output(0, d);
}

static void gen_unop(void)
{
    TCGv d = tcg_temp_new(cur_type);
    unops[cur_index].gen(d, input(0, cur_type));
    output(0, d);
}

static void gen_immop(void)
{
    TCGv d = tcg_temp_new(cur_type);
    immops[cur_index].gen(d, input(0, cur_type), (int64_t)env.in[1]);
    output(0, d);
}

static void gen_mul2(void)
{
    TCGv lo = tcg_temp_new(cur_type), hi = tcg_temp_new(cur_type);
    (cur_opc == INDEX_op_mulu2 ? tcg_gen_mulu2 : tcg_gen_muls2)(lo, hi, input(0, cur_type), input(1, cur_type));
    output(0, lo);
    output(1, hi);
}

/* setcond, movcond, brcond (through labels) and the immediate setcondi/brcondi */
static void gen_conds(void)
{
    TCGv a = input(0, cur_type), b = input(1, cur_type);
    TCGv set = tcg_temp_new(cur_type), mov = tcg_temp_new(cur_type), br = tcg_temp_new(cur_type);
    TCGv seti = tcg_temp_new(cur_type), bri = tcg_temp_new(cur_type);
    tcg_gen_setcond(cur_cond, set, a, b);
    tcg_gen_movcond(cur_cond, mov, a, b, input(2, cur_type), input(3, cur_type));
    tcg_gen_setcondi(cur_cond, seti, a, (int64_t)env.in[1]);
    output(0, set);
    output(1, mov);
    output(3, seti);

    TCGLabel taken = tcg_label_new(), join = tcg_label_new(), taken_i = tcg_label_new(), end = tcg_label_new();
    tcg_gen_brcond(cur_cond, a, b, taken);
    tcg_gen_movi(br, 0);
    tcg_gen_br(join);
    tcg_gen_set_label(taken);
    tcg_gen_movi(br, 1);
    tcg_gen_set_label(join);
    tcg_gen_brcondi(cur_cond, a, (int64_t)env.in[1], taken_i);
    tcg_gen_movi(bri, 0);
    tcg_gen_br(end);
    tcg_gen_set_label(taken_i);
    tcg_gen_movi(bri, 2);
    tcg_gen_set_label(end);
    tcg_gen_add(br, br, bri);
    output(2, br);
}

static void gen_conversions(void)
{
    TCGv a32 = input(0, TCG_I32), a64 = input(1, TCG_I64);
    TCGv s = tcg_temp_new(TCG_I64), u = tcg_temp_new(TCG_I64);
    TCGv l = tcg_temp_new(TCG_I32), h = tcg_temp_new(TCG_I32);
    tcg_gen_ext_i32_i64(s, a32);
    tcg_gen_extu_i32_i64(u, a32);
    tcg_gen_extrl_i64_i32(l, a64);
    tcg_gen_extrh_i64_i32(h, a64);
    output(0, s);
    output(1, u);
    output(2, l);
    output(3, h);
}

/* ---------------------------------------------------------------- value tests */

static void test_values(void)
{
    for (int mode = 0; mode < 2; mode++) {
        const_inputs = mode == 1;
        const char *how = const_inputs ? "folded" : "interp";
        for (TCGType t = TCG_I32; t <= TCG_I64; t++) {
            cur_type = t;
            for (size_t i = 0; i < NEDGES(t); i++) {
                for (size_t j = 0; j < NEDGES(t); j++) {
                    uint64_t a = edge(t, i), b = edge(t, j);
                    env.in[0] = a;
                    env.in[1] = b;
                    env.in[2] = 0x1111111111111111ull & mask(t);
                    env.in[3] = 0x2222222222222222ull & mask(t);
                    for (cur_index = 0; cur_index < sizeof(binops) / sizeof(binops[0]); cur_index++) {
                        run(gen_binop);
                        uint64_t want = ref_binop(binops[cur_index].opc, t, a, b);
                        CHECK(env.out[0] == want, "%s %s_i%u(%#llx, %#llx) = %#llx, want %#llx", how,
                              tcg_op_defs[binops[cur_index].opc].name, width(t),
                              (unsigned long long)a, (unsigned long long)b,
                              (unsigned long long)env.out[0], (unsigned long long)want);
                    }
                    for (cur_index = 0; cur_index < sizeof(immops) / sizeof(immops[0]); cur_index++) {
                        run(gen_immop);
                        uint64_t want = ref_binop(immops[cur_index].opc, t, a, b);
                        CHECK(env.out[0] == want, "%s %si_i%u(%#llx, %#llx) = %#llx, want %#llx", how,
                              tcg_op_defs[immops[cur_index].opc].name, width(t), (unsigned long long)a,
                              (unsigned long long)b, (unsigned long long)env.out[0], (unsigned long long)want);
                    }
                    for (int k = 0; k < 2; k++) {
                        cur_opc = k ? INDEX_op_muls2 : INDEX_op_mulu2;
                        run(gen_mul2);
                        uint64_t lo, hi;
                        ref_mul2(k, t, a, b, &lo, &hi);
                        CHECK(env.out[0] == lo && env.out[1] == hi, "%s %s_i%u(%#llx, %#llx) = %#llx:%#llx, want %#llx:%#llx",
                              how, tcg_op_defs[cur_opc].name, width(t), (unsigned long long)a, (unsigned long long)b,
                              (unsigned long long)env.out[1], (unsigned long long)env.out[0],
                              (unsigned long long)hi, (unsigned long long)lo);
                    }
                    for (cur_cond = TCG_COND_NEVER; cur_cond <= TCG_COND_GTU; cur_cond++) {
                        run(gen_conds);
                        bool want = ref_cond(cur_cond, t, a, b);
                        CHECK(env.out[0] == want && env.out[1] == env.in[want ? 2 : 3]
                              && env.out[2] == (want ? 3u : 0u) && env.out[3] == want,
                              "%s cond %d i%u (%#llx, %#llx): set %llu mov %#llx br %llu seti %llu, want %d",
                              how, (int)cur_cond, width(t), (unsigned long long)a, (unsigned long long)b,
                              (unsigned long long)env.out[0], (unsigned long long)env.out[1],
                              (unsigned long long)env.out[2], (unsigned long long)env.out[3], want);
                        CHECK(ref_cond(tcg_invert_cond(cur_cond), t, a, b) == !want
                              && tcg_invert_cond(tcg_invert_cond(cur_cond)) == cur_cond,
                              "tcg_invert_cond(%d)", (int)cur_cond);
                    }
                }
                uint64_t a = edge(t, i);
                env.in[0] = a;
                for (cur_index = 0; cur_index < sizeof(unops) / sizeof(unops[0]); cur_index++) {
                    if (unops[cur_index].i64_only && t == TCG_I32)
                        continue;
                    run(gen_unop);
                    uint64_t want = ref_unop(unops[cur_index].opc, t, a);
                    CHECK(env.out[0] == want, "%s %s_i%u(%#llx) = %#llx, want %#llx", how,
                          tcg_op_defs[unops[cur_index].opc].name, width(t), (unsigned long long)a,
                          (unsigned long long)env.out[0], (unsigned long long)want);
                }
            }
        }
        for (size_t i = 0; i < NEDGES(TCG_I64); i++) {
            uint64_t a64 = edges64[i], a32 = edges32[i % NEDGES(TCG_I32)];
            env.in[0] = a32;
            env.in[1] = a64;
            run(gen_conversions);
            CHECK(env.out[0] == sext(a32, 32) && env.out[1] == a32 && env.out[2] == (a64 & 0xffffffff)
                  && env.out[3] == a64 >> 32, "%s conversions of %#llx / %#llx", how,
                  (unsigned long long)a32, (unsigned long long)a64);
        }
    }
    const_inputs = false;
}

/* ---------------------------------------------------------------- env and guest memory */

static TCGMemOp cur_mo;
static uint64_t cur_addr;
static int cur_mmu;

static void gen_ld_env(void)
{
    TCGv v = tcg_temp_new(cur_type);
    tcg_gen_ld_env(v, offsetof(IrEnv, bytes) + 3, cur_mo);
    output(0, v);
}

static void gen_st_env(void)
{
    tcg_gen_st_env(input(0, cur_type), offsetof(IrEnv, bytes) + 5, cur_mo);
}

static void gen_qemu_ld(void)
{
    TCGv v = tcg_temp_new(cur_type);
    tcg_gen_qemu_ld(v, tcg_const(TCG_I64, cur_addr), cur_mo, cur_mmu);
    output(0, v);
}

static void gen_qemu_st(void)
{
    tcg_gen_qemu_st(input(0, cur_type), tcg_const(TCG_I64, cur_addr), cur_mo, cur_mmu);
}

static uint64_t expect_load(const uint8_t *p, TCGMemOp mo, TCGType t)
{
    unsigned bytes = 1u << (mo & MO_SIZE);
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    if (mo & MO_SIGN)
        v = sext(v, 8 * bytes);
    return v & mask(t);
}

static void test_memory(void)
{
    static const uint8_t pattern[16] = { 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8,
                                         0x09, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70 };
    /* fast path inside a page, across a page boundary, and a page not in the TLB */
    const uint64_t addrs[] = { 0x2003, 0x2ffd, 0x5001 };
    fake_tlb_drop_page(0x5000);

    for (TCGType t = TCG_I32; t <= TCG_I64; t++) {
        cur_type = t;
        for (int m = 0; m <= (MO_SIZE | MO_SIGN); m++) {
            cur_mo = (TCGMemOp)m;
            if (t == TCG_I32 && (m & MO_SIZE) == MO_64)
                continue;
            unsigned bytes = 1u << (m & MO_SIZE);
            memcpy(env.bytes, pattern, 16);
            run(gen_ld_env);
            CHECK(env.out[0] == expect_load(pattern + 3, cur_mo, t), "ld_env i%u mo %d = %#llx", width(t), m,
                  (unsigned long long)env.out[0]);

            if (!(m & MO_SIGN)) {
                env.in[0] = 0x0123456789abcdefull & mask(t);
                run(gen_st_env);
                uint8_t want[16];
                memcpy(want, pattern, 16);
                memcpy(want + 5, &env.in[0], bytes);
                CHECK(memcmp(env.bytes, want, 16) == 0, "st_env i%u mo %d", width(t), m);
            }

            for (size_t a = 0; a < 3; a++) {
                cur_addr = addrs[a];
                cur_mmu = (int)(a % NB_MMU_MODES);
                memcpy(&fake_ram[cur_addr], pattern, 16);
                uint64_t slow_before = fake_slow_loads;
                bool fast = ((cur_addr + bytes - 1) & PAGE_MASK) == (cur_addr & PAGE_MASK) && cur_addr < 0x5000;
                run(gen_qemu_ld);
                CHECK(env.out[0] == expect_load(pattern, cur_mo, t), "qemu_ld i%u mo %d at %#llx = %#llx",
                      width(t), m, (unsigned long long)cur_addr, (unsigned long long)env.out[0]);
                CHECK((fake_slow_loads == slow_before) == fast, "qemu_ld at %#llx size %u: fast path %s",
                      (unsigned long long)cur_addr, bytes, fast ? "missed" : "wrongly hit");
                if (!(m & MO_SIGN)) {
                    env.in[0] = 0xfedcba9876543210ull & mask(t);
                    uint64_t slow_st = fake_slow_stores;
                    run(gen_qemu_st);
                    CHECK(memcmp(&fake_ram[cur_addr], &env.in[0], bytes) == 0
                          && fake_ram[cur_addr + bytes] == pattern[bytes], "qemu_st i%u size %u at %#llx",
                          width(t), bytes, (unsigned long long)cur_addr);
                    CHECK((fake_slow_stores == slow_st) == fast, "qemu_st at %#llx: fast path", (unsigned long long)cur_addr);
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- helper calls */

static int helper_calls;
static uint64_t seen_pc;
static bool seen_in_block;

static uint64_t helper_mix(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    helper_calls++;
    seen_pc = tcg_current_insn_pc();
    seen_in_block = tcg_in_block();
    return 0xdead00000000ull + a0 * 1000 + a1 * 100 + a2 * 10 + a3 + (e == &env ? 0x1000000000000000ull : 0);
}

static const TCGHelperInfo info_mix = { helper_mix, "mix", 0 };
static const TCGHelperInfo info_mix_pure = { helper_mix, "mix_pure", TCG_CALL_PURE };

static void gen_calls(void)
{
    TCGv r64 = tcg_temp_new(TCG_I64), r32 = tcg_temp_new(TCG_I32);
    TCGv one = tcg_const(TCG_I64, 1), two = tcg_const(TCG_I64, 2), three = tcg_const(TCG_I32, 3);
    tcg_gen_insn_start(0x4242);
    tcg_gen_call(&info_mix, r64, one, two, three, TCG_NOTEMP);
    tcg_gen_call(&info_mix, r32, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, one);
    tcg_gen_call(&info_mix, TCG_NOTEMP, one, one, one, one);                  /* kept: not pure */
    tcg_gen_call(&info_mix_pure, tcg_temp_new(TCG_I64), one, one, one, one);  /* result unused: dropped */
    output(0, r64);
    output(1, r32);
}

static void test_calls(void)
{
    helper_calls = 0;
    run(gen_calls);
    CHECK(env.out[0] == 0x1000dead00000000ull + 1230, "call i64 result %#llx", (unsigned long long)env.out[0]);
    CHECK(env.out[1] == ((0xdead00000000ull + 1) & 0xffffffff), "call i32 result %#llx", (unsigned long long)env.out[1]);
    CHECK(helper_calls == 3, "helper calls %d, want 3 (pure call with unused result dropped)", helper_calls);
    CHECK(seen_pc == 0x4242 && seen_in_block, "helper saw pc %#llx in_block %d", (unsigned long long)seen_pc, seen_in_block);
    CHECK(!tcg_in_block(), "in_block after tcg_exec");
}

/* ---------------------------------------------------------------- optimizer and dump */

static char dump_text[8192];

static void dump_line(const char *line, void *opaque)
{
    size_t *len = opaque;
    *len += (size_t)snprintf(dump_text + *len, sizeof(dump_text) - *len, "%s\n", line);
}

static const char *dump(const TCGBlock *b)
{
    size_t len = 0;
    dump_text[0] = 0;
    tcg_dump_block(b, dump_line, &len);
    return dump_text;
}

static void test_optimizer_and_dump(void)
{
    TCGBlock *b = tcg_block_begin();
    TCGv c5 = tcg_const(TCG_I32, 5), c7 = tcg_const(TCG_I32, 7);       /* t0, t1 */
    TCGv sum = tcg_temp_new(TCG_I32);                                    /* t2 */
    tcg_gen_add(sum, c5, c7);
    tcg_gen_st_env(sum, 0x10, MO_UL);
    TCGv x = tcg_temp_new(TCG_I64), copy = tcg_temp_new(TCG_I64);        /* t3, t4 */
    tcg_gen_ld_env(x, 0x20, MO_UQ);
    tcg_gen_mov(copy, x);
    tcg_gen_st_env(copy, 0x28, MO_UQ);
    TCGv unused = tcg_temp_new(TCG_I64);                                 /* t5 */
    tcg_gen_mul(unused, x, x);
    tcg_gen_call(&info_mix_pure, unused, x, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    TCGv loaded = tcg_temp_new(TCG_I64);                                 /* t6 */
    tcg_gen_qemu_ld(loaded, x, MO_SW, 1);
    TCGLabel l = tcg_label_new();
    tcg_gen_brcond(TCG_COND_LT, x, copy, l);
    tcg_gen_set_label(l);
    tcg_gen_call(&info_mix, TCG_NOTEMP, x, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    tcg_gen_goto_tb(1);

    const char *text = dump(b);
    const char *expected_before[] = {
        " movi_i32 t0, $0x5", " add_i32 t2, t0, t1", " st_env_i32 t2, env+0x10, ul",
        " ld_env_i64 t3, env+0x20, uq", " mov_i64 t4, t3", " call_i64 t5, t3, -, -, -, mix_pure",
        " qemu_ld_i64 t6, t3, sw, mmu1", " brcond_i64 t3, t4, lt, L0", "L0:",
        " call_i64 -, t3, -, -, -, mix", " goto_tb $0x1",
    };
    for (size_t i = 0; i < sizeof(expected_before) / sizeof(expected_before[0]); i++)
        CHECK(strstr(text, expected_before[i]) != NULL, "dump lacks '%s':\n%s", expected_before[i], text);

    tcg_optimize(b);
    text = dump(b);
    const char *expected_after =
        " movi_i32 t2, $0xc\n"
        " st_env_i32 t2, env+0x10, ul\n"
        " ld_env_i64 t3, env+0x20, uq\n"
        " st_env_i64 t3, env+0x28, uq\n"
        " qemu_ld_i64 t6, t3, sw, mmu1\n"
        " brcond_i64 t3, t3, lt, L0\n"
        "L0:\n"
        " call_i64 -, t3, -, -, -, mix\n"
        " goto_tb $0x1\n";
    CHECK(strcmp(text, expected_after) == 0, "optimized block:\n%s\nwant:\n%s", text, expected_after);
    CHECK(tcg_op_count() == 9, "op count %u after optimization", tcg_op_count());
}

int main(void)
{
    fake_mmu_attach(&env, offsetof(IrEnv, tlb));
    if (!tcg_init(&frontend, TCG_BACKEND_INTERP, 1u << 20))
        return 1;
    env.pc = 0x8000;

    test_values();
    test_memory();
    test_calls();
    test_optimizer_and_dump();

    TCGStats st;
    tcg_get_stats(&st);
    CHECK(st.tb_translated > 0 && st.blocks_executed >= st.tb_translated, "stats");
    printf("test_ir_ops: %d checks, %d failures (%llu blocks translated)\n", checks, failures,
           (unsigned long long)st.tb_translated);
    return failures ? 1 : 0;
}
