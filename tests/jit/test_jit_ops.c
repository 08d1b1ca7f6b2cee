/*
 * tests/jit/test_jit_ops.c — the x86-64 JIT against the interpreter, bit for bit: every IR
 * op, both types, every condition, operand aliasing, env and guest-memory accesses of every
 * memop (TLB hit, miss, page crossing), helper calls, the stop request, over edge values
 * and a fixed pseudo-random sample; and block shapes that stress the register allocator.
 *
 * Each case is one IR block (inputs loaded from env, results stored to env) compiled once
 * by each backend and run for every input combination; the two envs, the guest RAM and
 * the slow-path counters must come out identical.
 */
#include "tcg/backend.h"
#include "tcg/backend/x86_64/jit.h"
#include "tests/tcg/fake_mmu.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct OpEnv {
    uint64_t in[6];
    uint64_t out[4];
    uint64_t pc;
    int32_t exit_req;
    uint32_t pad;
    uint8_t bytes[16];
    CPUTLB tlb;
} OpEnv;

static OpEnv env;
static int failures, checks;

#define CHECK(cond, ...) do { \
    checks++; \
    if (!(cond)) { \
        failures++; \
        if (failures <= 30) { printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
    } \
} while (0)

static void fe_translate(void *e, TranslationBlock *tb) { tcg_fatal("the op test compiles blocks itself"); }
static void fe_get_key(void *e, TBKey *key) { tcg_fatal("the op test runs blocks itself"); }
static void fe_set_pc(void *e, uint64_t pc) { ((OpEnv *)e)->pc = pc; }

static const TCGFrontend frontend = {
    .translate = fe_translate, .get_key = fe_get_key, .set_pc = fe_set_pc,
    .exit_req_offset = offsetof(OpEnv, exit_req),
};

/* ---------------------------------------------------------------- running one case */

#define CASE_PC 0x1000
static const char *case_name;
static TranslationBlock tb_interp, tb_jit;

/* Build the block with gen (between an insn_start and an exit_tb) and compile it twice. */
static void compile_case(const char *name, void (*gen)(void))
{
    case_name = name;
    tcg_block_begin();
    tcg_gen_insn_start(CASE_PC);
    gen();
    tcg_gen_exit_tb();
    const TCGBlock *b = tcg_current_block();
    tcg_backend_interp.reset();
    tcg_backend_x86_64.reset();
    TBKey key = { .pc = CASE_PC, .cflags = TB_CF_NO_CHAIN };
    tb_interp = (TranslationBlock){ .key = key };
    tb_jit = (TranslationBlock){ .key = key };
    bool ok = tcg_backend_interp.compile(b, &tb_interp) && tcg_backend_x86_64.compile(b, &tb_jit);
    CHECK(ok, "%s: compile failed", name);
}

typedef struct Outcome {
    OpEnv env;
    uint8_t ram[FAKE_RAM_SIZE];
    uint64_t slow_loads, slow_stores;
    TCGExitKind kind;
} Outcome;
static Outcome result[2];

static void run_one(const TCGBackend *be, TranslationBlock *tb, Outcome *o, const OpEnv *start, const uint8_t *ram)
{
    memcpy(&env, start, offsetof(OpEnv, tlb));
    memcpy(fake_ram, ram, FAKE_RAM_SIZE);
    fake_slow_loads = fake_slow_stores = 0;
    tcg_exec_state.tb = tb;
    tcg_exec_state.in_block = true;
    tcg_exec_state.stop_request = false;
    TCGExit x = be->exec(&env, tb);
    tcg_exec_state.in_block = false;
    CHECK(x.tb == tb, "%s: exit names another block", case_name);
    memcpy(&o->env, &env, offsetof(OpEnv, tlb));
    memcpy(o->ram, fake_ram, FAKE_RAM_SIZE);
    o->slow_loads = fake_slow_loads;
    o->slow_stores = fake_slow_stores;
    o->kind = x.kind;
}

/* Run the compiled case on both backends from the current env and RAM; compare. */
static void run_case(void)
{
    static OpEnv start;
    static uint8_t ram[FAKE_RAM_SIZE];
    memcpy(&start, &env, offsetof(OpEnv, tlb));
    memset(start.out, 0xa5, sizeof(start.out));
    memcpy(ram, fake_ram, FAKE_RAM_SIZE);
    run_one(&tcg_backend_interp, &tb_interp, &result[0], &start, ram);
    run_one(&tcg_backend_x86_64, &tb_jit, &result[1], &start, ram);
    bool same_env = memcmp(&result[0].env, &result[1].env, offsetof(OpEnv, tlb)) == 0;
    CHECK(same_env && result[0].kind == result[1].kind,
          "%s: in %#llx %#llx %#llx: interp out %#llx %#llx kind %d, jit out %#llx %#llx kind %d", case_name,
          (unsigned long long)start.in[0], (unsigned long long)start.in[1], (unsigned long long)start.in[2],
          (unsigned long long)result[0].env.out[0], (unsigned long long)result[0].env.out[1], result[0].kind,
          (unsigned long long)result[1].env.out[0], (unsigned long long)result[1].env.out[1], result[1].kind);
    CHECK(memcmp(result[0].ram, result[1].ram, FAKE_RAM_SIZE) == 0, "%s: guest RAM differs", case_name);
    CHECK(result[0].slow_loads == result[1].slow_loads && result[0].slow_stores == result[1].slow_stores,
          "%s: slow paths interp %llu/%llu jit %llu/%llu", case_name,
          (unsigned long long)result[0].slow_loads, (unsigned long long)result[0].slow_stores,
          (unsigned long long)result[1].slow_loads, (unsigned long long)result[1].slow_stores);
}

/* ---------------------------------------------------------------- values */

static const uint64_t edges[] = {
    0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x100000000, 0x1ffffffff,
    0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001, 0xfffffffffffffffe, 0xffffffffffffffff,
    0x123456789abcdef0, 0xfedcba9876543210, 0x00000000ffff0000, 0xffffffff00000000,
};
#define NB_EDGES (sizeof(edges) / sizeof(edges[0]))
#define NB_RANDOM 24
static uint64_t values[NB_EDGES + NB_RANDOM];
#define NB_VALUES (sizeof(values) / sizeof(values[0]))

static void init_values(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    memcpy(values, edges, sizeof(edges));
    for (size_t i = 0; i < NB_RANDOM; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        values[NB_EDGES + i] = x >> (i % 3 == 0 ? 40 : 0);   /* some small, some full */
    }
}

/* ---------------------------------------------------------------- generators */

static TCGType cur_type;
static TCGOpcode cur_opc;
static TCGCond cur_cond;
static int cur_alias;

static TCGMemOp full(TCGType t) { return t == TCG_I64 ? MO_UQ : MO_UL; }

static TCGv input(int i, TCGType t)
{
    TCGv v = tcg_temp_new(t);
    tcg_gen_ld_env(v, offsetof(OpEnv, in) + 8 * (size_t)i, full(t));
    return v;
}

static void output(int i, TCGv v)
{
    tcg_gen_st_env(v, offsetof(OpEnv, out) + 8 * (size_t)i, full(tcg_temp_type(v)));
}

typedef void (*Gen2)(TCGv, TCGv, TCGv);
typedef void (*Gen1)(TCGv, TCGv);

static const struct { TCGOpcode opc; Gen2 gen; const char *name; } binops[] = {
    { INDEX_op_add, tcg_gen_add, "add" }, { INDEX_op_sub, tcg_gen_sub, "sub" },
    { INDEX_op_mul, tcg_gen_mul, "mul" }, { INDEX_op_and, tcg_gen_and, "and" },
    { INDEX_op_or, tcg_gen_or, "or" }, { INDEX_op_xor, tcg_gen_xor, "xor" },
    { INDEX_op_andc, tcg_gen_andc, "andc" }, { INDEX_op_shl, tcg_gen_shl, "shl" },
    { INDEX_op_shr, tcg_gen_shr, "shr" }, { INDEX_op_sar, tcg_gen_sar, "sar" },
    { INDEX_op_rotl, tcg_gen_rotl, "rotl" }, { INDEX_op_rotr, tcg_gen_rotr, "rotr" },
    { INDEX_op_clz, tcg_gen_clz, "clz" }, { INDEX_op_ctz, tcg_gen_ctz, "ctz" },
};
static const struct { Gen1 gen; const char *name; bool i64_only; } unops[] = {
    { tcg_gen_mov, "mov", false }, { tcg_gen_neg, "neg", false }, { tcg_gen_not, "not", false },
    { tcg_gen_ctpop, "ctpop", false }, { tcg_gen_bswap, "bswap", false },
    { tcg_gen_ext8s, "ext8s", false }, { tcg_gen_ext8u, "ext8u", false },
    { tcg_gen_ext16s, "ext16s", false }, { tcg_gen_ext16u, "ext16u", false },
    { tcg_gen_ext32s, "ext32s", true }, { tcg_gen_ext32u, "ext32u", true },
};
static const struct { Gen1 gen; const char *name; TCGType from, to; } conversions[] = {
    { tcg_gen_ext_i32_i64, "ext_i32_i64", TCG_I32, TCG_I64 },
    { tcg_gen_extu_i32_i64, "extu_i32_i64", TCG_I32, TCG_I64 },
    { tcg_gen_extrl_i64_i32, "extrl_i64_i32", TCG_I64, TCG_I32 },
    { tcg_gen_extrh_i64_i32, "extrh_i64_i32", TCG_I64, TCG_I32 },
};
static size_t cur_index;

/* alias 0: fresh output; 1: output is the first input; 2: output is the second input;
 * 3: both inputs are one temp */
static void gen_binop(void)
{
    TCGv a = input(0, cur_type), b = cur_alias == 3 ? a : input(1, cur_type);
    TCGv d = cur_alias == 1 ? a : cur_alias == 2 ? b : tcg_temp_new(cur_type);
    binops[cur_index].gen(d, a, b);
    output(0, d);
}

static void gen_unop(void)
{
    TCGv a = input(0, cur_type);
    TCGv d = cur_alias == 1 ? a : tcg_temp_new(cur_type);
    unops[cur_index].gen(d, a);
    output(0, d);
}

static void gen_conversion(void)
{
    TCGv a = input(0, conversions[cur_index].from), d = tcg_temp_new(conversions[cur_index].to);
    conversions[cur_index].gen(d, a);
    output(0, d);
}

static void gen_mul2(void)
{
    TCGv a = input(0, cur_type), b = input(1, cur_type);
    TCGv lo = cur_alias == 1 ? a : tcg_temp_new(cur_type), hi = cur_alias == 1 ? b : tcg_temp_new(cur_type);
    if (cur_opc == INDEX_op_mulu2)
        tcg_gen_mulu2(lo, hi, a, b);
    else
        tcg_gen_muls2(lo, hi, a, b);
    output(0, lo);
    output(1, hi);
}

/* setcond, movcond and brcond of one condition in one block. */
static void gen_conds(void)
{
    TCGv a = input(0, cur_type), b = input(1, cur_type), v1 = input(2, cur_type), v2 = input(3, cur_type);
    TCGv s = tcg_temp_new(cur_type), m = tcg_temp_new(cur_type), r = tcg_temp_new(cur_type);
    tcg_gen_setcond(cur_cond, s, a, b);
    tcg_gen_movcond(cur_cond, m, a, b, v1, v2);
    TCGLabel taken = tcg_label_new(), join = tcg_label_new();
    tcg_gen_brcond(cur_cond, a, b, taken);
    tcg_gen_movi(r, 100);
    tcg_gen_br(join);
    tcg_gen_set_label(taken);
    tcg_gen_movi(r, 200);
    tcg_gen_set_label(join);
    output(0, s);
    output(1, m);
    output(2, r);
}

static uint64_t movi_value;
static void gen_movi(void)
{
    TCGv d = tcg_temp_new(cur_type);
    tcg_gen_movi(d, movi_value);
    output(0, d);
}

static void for_all_pairs(void)
{
    for (size_t i = 0; i < NB_VALUES; i++)
        for (size_t j = 0; j < NB_VALUES; j++) {
            env.in[0] = values[i];
            env.in[1] = values[j];
            env.in[2] = values[(i + j) % NB_VALUES];
            env.in[3] = values[(i * 7 + j) % NB_VALUES];
            run_case();
        }
}

static void test_values(void)
{
    static const TCGType types[] = { TCG_I32, TCG_I64 };
    for (int ti = 0; ti < 2; ti++) {
        cur_type = types[ti];
        for (cur_index = 0; cur_index < sizeof(binops) / sizeof(binops[0]); cur_index++)
            for (cur_alias = 0; cur_alias < 4; cur_alias++) {
                compile_case(binops[cur_index].name, gen_binop);
                for_all_pairs();
            }
        for (cur_index = 0; cur_index < sizeof(unops) / sizeof(unops[0]); cur_index++) {
            if (unops[cur_index].i64_only && cur_type == TCG_I32)
                continue;
            for (cur_alias = 0; cur_alias < 2; cur_alias++) {
                compile_case(unops[cur_index].name, gen_unop);
                for_all_pairs();
            }
        }
        for (int m = 0; m < 2; m++) {
            cur_opc = m ? INDEX_op_muls2 : INDEX_op_mulu2;
            for (cur_alias = 0; cur_alias < 2; cur_alias++) {
                compile_case(m ? "muls2" : "mulu2", gen_mul2);
                for_all_pairs();
            }
        }
        for (int c = TCG_COND_NEVER; c <= TCG_COND_GTU; c++) {
            cur_cond = (TCGCond)c;
            compile_case("conditions", gen_conds);
            for_all_pairs();
        }
        for (size_t i = 0; i < NB_VALUES; i++) {
            movi_value = values[i];
            compile_case("movi", gen_movi);
            run_case();
        }
    }
    for (cur_index = 0; cur_index < sizeof(conversions) / sizeof(conversions[0]); cur_index++) {
        compile_case(conversions[cur_index].name, gen_conversion);
        for_all_pairs();
    }
}

/* ---------------------------------------------------------------- memory */

static TCGMemOp cur_mo;
static int cur_mmu;

static void gen_env_access(void)
{
    TCGv v = tcg_temp_new(cur_type);
    tcg_gen_ld_env(v, offsetof(OpEnv, bytes) + 3, cur_mo);
    output(0, v);
    tcg_gen_st_env(input(0, cur_type), offsetof(OpEnv, bytes) + 8, cur_mo & MO_SIZE);
}

static void gen_guest_access(void)
{
    TCGv addr = input(4, TCG_I64), v = tcg_temp_new(cur_type);
    tcg_gen_qemu_ld(v, addr, cur_mo, cur_mmu);
    output(0, v);
    TCGv addr2 = input(5, TCG_I64);
    tcg_gen_qemu_st(input(0, cur_type), addr2, cur_mo & MO_SIZE, cur_mmu);
    /* the loaded value again, after the store, through the same temp */
    tcg_gen_qemu_ld(v, addr, cur_mo, cur_mmu);
    output(1, v);
}

/* What the fake TLB says about an access: hit only inside one mapped page. */
static bool takes_slow_path(uint64_t addr, unsigned size)
{
    uint64_t last = addr + size - 1;
    return (addr >> PAGE_BITS) != (last >> PAGE_BITS) || last >= FAKE_RAM_SIZE || (addr & PAGE_MASK) == 0x5000;
}

static void test_memory(void)
{
    static const TCGMemOp mos[] = { MO_UB, MO_SB, MO_UW, MO_SW, MO_UL, MO_SL, MO_UQ };
    /* in page, at a page's end, crossing a page, in a page left out of the TLB (slow path),
     * outside RAM (slow path returning 0 / dropping the store) */
    static const uint64_t addrs[] = { 0x2010, 0x2ff8, 0x2ffd, 0x5008, 0x20000 };
    fake_tlb_drop_page(0x5000);
    for (size_t i = 0; i < FAKE_RAM_SIZE; i++)
        fake_ram[i] = (uint8_t)(i * 37 + (i >> 8) * 101);
    for (int ti = 0; ti < 2; ti++) {
        cur_type = ti ? TCG_I64 : TCG_I32;
        for (size_t m = 0; m < sizeof(mos) / sizeof(mos[0]); m++) {
            cur_mo = mos[m];
            if (cur_type == TCG_I32 && (cur_mo & MO_SIZE) == MO_64)
                continue;
            compile_case("ld/st_env", gen_env_access);
            for (size_t v = 0; v < NB_VALUES; v++) {
                env.in[0] = values[v];
                memcpy(env.bytes, &values[(v + 5) % NB_VALUES], 8);
                memcpy(env.bytes + 8, &values[(v + 9) % NB_VALUES], 8);
                run_case();
            }
            for (cur_mmu = 0; cur_mmu < NB_MMU_MODES; cur_mmu++) {
                compile_case("qemu_ld/st", gen_guest_access);
                for (size_t a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++)
                    for (size_t b = 0; b < sizeof(addrs) / sizeof(addrs[0]); b++) {
                        env.in[0] = values[(a * 5 + b) % NB_VALUES];
                        env.in[4] = addrs[a];
                        env.in[5] = addrs[b] + 2;
                        run_case();
                        unsigned size = 1u << (cur_mo & MO_SIZE);
                        CHECK(result[1].slow_loads == 2u * takes_slow_path(addrs[a], size)
                              && result[1].slow_stores == takes_slow_path(addrs[b] + 2, size),
                              "qemu_ld/st: fast path wrongly taken or missed (addr %#llx / %#llx, memop %d)",
                              (unsigned long long)addrs[a], (unsigned long long)addrs[b] + 2, cur_mo);
                    }
            }
        }
    }
}

/* ---------------------------------------------------------------- calls and stop */

static uint64_t seen_pc;
static int helper_calls;

static uint64_t helper_mix(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    helper_calls++;
    seen_pc = tcg_current_insn_pc();
    ((OpEnv *)e)->out[3] = a3;
    return a0 * 3 + (a1 ^ 0x5555555555555555ull) - (a2 << 1) + 0x100000000ull;
}

static uint64_t helper_stop(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    tcg_exec_state.stop_request = true;
    return 0;
}

static const TCGHelperInfo info_mix = { helper_mix, "mix", 0 };
static const TCGHelperInfo info_stop = { helper_stop, "stop", TCG_CALL_NO_RAISE };

static void gen_calls(void)
{
    TCGv a = input(0, cur_type), b = input(1, cur_type), c = input(2, cur_type), d = input(3, cur_type);
    TCGv r = tcg_temp_new(cur_type);
    tcg_gen_insn_start(CASE_PC + 1);
    tcg_gen_call(&info_mix, r, a, b, c, d);
    output(0, r);
    tcg_gen_insn_start(CASE_PC + 2);
    tcg_gen_call(&info_mix, r, a, TCG_NOTEMP, b, TCG_NOTEMP);
    output(1, r);
    tcg_gen_call(&info_mix, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
}

/* A call that requests a stop: the block stops at the next instruction with its pc stored,
 * and nothing after runs. */
static void gen_stop(void)
{
    TCGv a = input(0, TCG_I64);
    output(0, a);
    tcg_gen_insn_start(CASE_PC + 4);
    tcg_gen_call(&info_stop, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    tcg_gen_insn_start(CASE_PC + 8);
    output(1, a);
}

static void test_calls(void)
{
    for (int ti = 0; ti < 2; ti++) {
        cur_type = ti ? TCG_I64 : TCG_I32;
        compile_case("calls", gen_calls);
        helper_calls = 0;
        for_all_pairs();
        CHECK(helper_calls == 2 * 3 * (int)(NB_VALUES * NB_VALUES), "helper called %d times", helper_calls);
        CHECK(seen_pc == CASE_PC + 2, "helper saw insn pc %#llx", (unsigned long long)seen_pc);
    }
    compile_case("stop", gen_stop);
    env.in[0] = 42;
    env.pc = 0;
    run_case();
    CHECK(result[1].kind == TCG_EXIT_STOPPED && result[1].env.pc == CASE_PC + 8 && result[1].env.out[0] == 42
          && result[1].env.out[1] == 0xa5a5a5a5a5a5a5a5ull,
          "stop: kind %d pc %#llx", result[1].kind, (unsigned long long)result[1].env.pc);
}

/* ---------------------------------------------------------------- register allocation
 * Shapes that make the allocator move values around: more live temps than host registers,
 * values live across helper calls and TLB-miss calls, globals across labels and a loop,
 * and helper arguments that have to be permuted between registers. */

static int cur_perm;

/* Twenty values alive at once, a call and a guest load (slow path for some addresses)
 * among them, then all folded together in an order unlike their creation. */
static void gen_pressure(void)
{
    enum { N = 20 };
    TCGv t[N], in[4];
    for (int i = 0; i < 4; i++)
        in[i] = input(i, cur_type);
    for (int i = 0; i < N; i++) {
        t[i] = tcg_temp_new(cur_type);
        if (i % 3 == 0)
            tcg_gen_addi(t[i], in[i % 4], 0x1234567 * i);
        else if (i % 3 == 1)
            tcg_gen_xor(t[i], in[i % 4], in[(i + 1) % 4]);
        else
            tcg_gen_shli(t[i], in[i % 4], i);
        if (i == 9) {
            tcg_gen_insn_start(CASE_PC + 1);
            tcg_gen_call(&info_mix, t[i], t[i - 1], t[i - 2], t[i - 3], t[i - 4]);
        }
        if (i == 14) {
            TCGv addr = input(4, TCG_I64);
            tcg_gen_qemu_ld(t[i], addr, cur_type == TCG_I64 ? MO_UQ : MO_UL, 0);
        }
    }
    TCGv acc = tcg_temp_new(cur_type), x = tcg_temp_new(cur_type);
    tcg_gen_mov(acc, t[N - 1]);
    tcg_gen_mov(x, t[0]);
    for (int i = N - 2; i >= 1; i--) {
        tcg_gen_mul(acc, acc, t[i]);
        tcg_gen_addi(acc, acc, i);
        tcg_gen_sub(x, t[i], x);
    }
    output(0, acc);
    output(1, x);
    output(2, t[5]);
}

/* A loop: counter and accumulator are globals written back before the branch and
 * reloaded after the label; a value from before the loop is read after it. */
static void gen_loop(void)
{
    TCGv cnt = input(0, cur_type), acc = input(1, cur_type), keep = input(2, cur_type);
    TCGLabel top = tcg_label_new(), skip = tcg_label_new();
    tcg_gen_andi(cnt, cnt, 15);
    tcg_gen_addi(cnt, cnt, 1);
    tcg_gen_set_label(top);
    tcg_gen_mul(acc, acc, tcg_const(cur_type, 3));
    tcg_gen_add(acc, acc, cnt);
    tcg_gen_brcondi(TCG_COND_LTU, acc, 1000, skip);
    tcg_gen_xor(acc, acc, keep);
    tcg_gen_set_label(skip);
    tcg_gen_subi(cnt, cnt, 1);
    tcg_gen_brcondi(TCG_COND_NE, cnt, 0, top);
    output(0, acc);
    output(1, cnt);
    output(2, keep);
}

/* The helper's arguments in every order of four register-held inputs. */
static void gen_call_perm(void)
{
    TCGv in[4], arg[4], used[4] = { 0 };
    for (int i = 0; i < 4; i++)
        in[i] = input(i, cur_type);
    int p = cur_perm;
    for (int i = 0; i < 4; i++) {
        int k = p % (4 - i);
        p /= 4 - i;
        int j = 0;
        for (;; j++)
            if (!used[j] && k-- == 0)
                break;
        used[j] = 1;
        arg[i] = in[j];
    }
    TCGv r = tcg_temp_new(cur_type);
    tcg_gen_call(&info_mix, r, arg[0], arg[1], arg[2], arg[3]);
    output(0, r);
    output(1, in[cur_perm % 4]);
}

static void test_regalloc(void)
{
    static const uint64_t addrs[] = { 0x2010, 0x2ffd, 0x5008, 0x20000 };
    for (int ti = 0; ti < 2; ti++) {
        cur_type = ti ? TCG_I64 : TCG_I32;
        compile_case("pressure", gen_pressure);
        for (size_t a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++)
            for (size_t v = 0; v < NB_VALUES; v++) {
                for (int i = 0; i < 4; i++)
                    env.in[i] = values[(v + 11 * (size_t)i) % NB_VALUES];
                env.in[4] = addrs[a];
                run_case();
            }
        compile_case("loop", gen_loop);
        for_all_pairs();
        for (cur_perm = 0; cur_perm < 24; cur_perm++) {
            compile_case("call permutation", gen_call_perm);
            for (size_t v = 0; v < 8; v++) {
                for (int i = 0; i < 4; i++)
                    env.in[i] = values[(v * 5 + 7 * (size_t)i) % NB_VALUES];
                run_case();
            }
        }
    }
}

int main(void)
{
    fake_mmu_attach(&env, offsetof(OpEnv, tlb));
    if (!tcg_init(&frontend, TCG_BACKEND_INTERP, 1u << 20) || !tcg_backend_x86_64.init(1u << 20)) {
        printf("backend init failed\n");
        return 1;
    }
    init_values();
    test_values();
    test_memory();
    test_calls();
    test_regalloc();
    tcg_backend_x86_64.fini();
    printf("test_jit_ops: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
