/*
 * tests/tcg/test_opt.c — the env passes of the optimizer: store-to-load forwarding,
 * redundant-load elimination and dead env-store elimination.
 *
 * Each case is a generator of IR. It is built by hand and optimized, and the op counts show
 * whether the transformation fired (or was blocked by its barrier); then it runs through the
 * TB cache and the interpreter with the optimizer on and off from the same starting env, and
 * the resulting env (and what helpers saw of it) must be identical.
 */
#include "tcg/backend.h"
#include "tests/tcg/fake_mmu.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct OptEnv {
    uint64_t f[6];          /* the fields the cases load and store */
    uint64_t out[4];
    uint64_t seen;          /* what helper_read_f0 saw */
    uint64_t pc;
    int32_t exit_req;
    CPUTLB tlb;
} OptEnv;

static OptEnv env;
static int failures, checks;

#define CHECK(cond, ...) do { \
    checks++; \
    if (!(cond)) { \
        failures++; \
        printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); \
    } \
} while (0)

#define F(i) offsetof(OptEnv, f[i])
#define OUT(i) offsetof(OptEnv, out[i])

#define CODE_PC 0x8000u     /* guest pc = physical address of the blocks, inside fake RAM */

/* ---------------------------------------------------------------- helpers */

static uint64_t helper_write_f0(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    ((OptEnv *)e)->f[0] = 0x5151515151515151ull;
    return 0;
}

static uint64_t helper_read_f0(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    ((OptEnv *)e)->seen = ((OptEnv *)e)->f[0];
    return 0;
}

static uint64_t helper_plain(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return a0 + 1;
}

/* what each helper does to env, and the flags that promise no more than that */
static const TCGHelperInfo info_writes_env = { helper_write_f0, "write_f0", TCG_CALL_NO_RAISE };
static const TCGHelperInfo info_reads_env = { helper_read_f0, "read_f0", TCG_CALL_NO_RAISE };
/* "seen" is not a field any case stores to or loads, so the helper's write does not matter */
static const TCGHelperInfo info_no_env = {
    helper_plain, "plain", TCG_CALL_NO_RAISE | TCG_CALL_NO_READ_ENV | TCG_CALL_NO_WRITE_ENV,
};
static const TCGHelperInfo info_may_raise = {
    helper_plain, "may_raise", TCG_CALL_NO_READ_ENV | TCG_CALL_NO_WRITE_ENV,
};

/* ---------------------------------------------------------------- fake front end */

static void (*gen_body)(void);

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
    OptEnv *oe = e;
    *key = (TBKey){ .pc = oe->pc, .phys_pc = oe->pc, .cflags = TB_CF_NO_CHAIN };
}

static void fe_set_pc(void *e, uint64_t pc)
{
    ((OptEnv *)e)->pc = pc;
}

static const TCGFrontend frontend = {
    .translate = fe_translate, .get_key = fe_get_key, .set_pc = fe_set_pc,
    .exit_req_offset = offsetof(OptEnv, exit_req),
};

static void reset_env(void)
{
    for (int i = 0; i < 6; i++)
        env.f[i] = 0x1111111111111111ull * (uint64_t)(i + 1) + 0x0807060504030201ull;
    memset(env.out, 0xa5, sizeof(env.out));
    env.seen = 0;
    env.pc = CODE_PC;
    env.exit_req = 0;
}

/* Run gen from a fresh env with the optimizer on or off; the env it leaves in *after. */
static void run(void (*gen)(void), bool optimize, OptEnv *after)
{
    tb_flush();
    reset_env();
    gen_body = gen;
    tcg_optimize_enabled = optimize;
    tcg_exec(&env);
    tcg_optimize_enabled = true;
    *after = env;
}

/* Ops of each opcode in gen's block after optimization. */
static void count_ops(void (*gen)(void), unsigned counts[NB_TCG_OPS])
{
    TCGBlock *b = tcg_block_begin();
    gen_body = gen;
    tcg_gen_insn_start(CODE_PC);
    gen();
    tcg_gen_exit_tb();
    tcg_optimize(b);
    memset(counts, 0, NB_TCG_OPS * sizeof(counts[0]));
    for (uint32_t n = 0; n < b->nb_ops; n++)
        counts[b->ops[n].opc]++;
}

/* One case: the optimized block has want_ld ld_env and want_st st_env ops, and running it
 * gives the same env as running it unoptimized. */
static void check_case(const char *name, void (*gen)(void), unsigned want_ld, unsigned want_st)
{
    unsigned counts[NB_TCG_OPS];
    count_ops(gen, counts);
    CHECK(counts[INDEX_op_ld_env] == want_ld && counts[INDEX_op_st_env] == want_st,
          "%s: %u ld_env, %u st_env after optimization, want %u, %u", name,
          counts[INDEX_op_ld_env], counts[INDEX_op_st_env], want_ld, want_st);

    OptEnv plain, optimized;
    run(gen, false, &plain);
    run(gen, true, &optimized);
    CHECK(memcmp(plain.f, optimized.f, sizeof(plain.f)) == 0
          && memcmp(plain.out, optimized.out, sizeof(plain.out)) == 0
          && plain.seen == optimized.seen && plain.pc == optimized.pc,
          "%s: env differs with the optimizer (out0 %#llx vs %#llx, seen %#llx vs %#llx)", name,
          (unsigned long long)plain.out[0], (unsigned long long)optimized.out[0],
          (unsigned long long)plain.seen, (unsigned long long)optimized.seen);
}

/* ---------------------------------------------------------------- IR pieces */

static TCGv ld(size_t off, TCGMemOp mo)
{
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(v, off, mo);
    return v;
}

/* A value computed at run time (so only forwarding, not constant folding, can remove the
 * load that reads it back). */
static TCGv computed(int i)
{
    TCGv v = ld(F(i), MO_UQ);
    tcg_gen_addi(v, v, 0x123);
    return v;
}

static void out(int i, TCGv v)
{
    tcg_gen_st_env(v, OUT(i), MO_UQ);
}

/* ---------------------------------------------------------------- forwarding */

/* st f0; ld f0: the load becomes the stored temp (1 load left: the one computed() does) */
static void gen_fwd_store(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    out(0, ld(F(0), MO_UQ));
}

/* a narrower load of the stored bytes becomes an extension, with the load's signedness */
static void gen_fwd_narrow(void)
{
    TCGv v = computed(1);
    tcg_gen_xori(v, v, 0x8000);
    tcg_gen_st_env(v, F(0), MO_UQ);
    out(0, ld(F(0), MO_SW));
    out(1, ld(F(0), MO_UB));
    out(2, ld(F(0), MO_UL));
}

/* the second load of the same field reuses the first */
static void gen_redundant_load(void)
{
    out(0, ld(F(1), MO_SL));
    out(1, ld(F(1), MO_SL));
    out(2, ld(F(1), MO_UL));       /* other signedness: an extension of the first */
}

/* a partial store over the stored value: the wide load must read env */
static void gen_fwd_overlap(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_st_env(computed(2), F(0) + 2, MO_UB);
    out(0, ld(F(0), MO_UQ));
}

/* a load at another offset inside the stored bytes is not forwarded (reads env) */
static void gen_fwd_other_offset(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    out(0, ld(F(0) + 1, MO_UB));
}

static void gen_fwd_call_writes(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_call(&info_writes_env, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    out(0, ld(F(0), MO_UQ));
}

static void gen_fwd_call_no_write(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    TCGv r = tcg_temp_new(TCG_I64);
    tcg_gen_call(&info_no_env, r, computed(2), TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    out(0, ld(F(0), MO_UQ));
    out(1, r);
}

/* a qemu_st (may raise) does not write env: forwarding goes on past it */
static void gen_fwd_past_qemu_st(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_qemu_st(computed(2), tcg_const(TCG_I64, 0x100), MO_UQ, 0);
    out(0, ld(F(0), MO_UQ));
}

/* a label may be reached from elsewhere: the load after it reads env */
static void gen_fwd_label(void)
{
    TCGLabel l = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_EQ, computed(2), 0, l);
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_set_label(l);
    out(0, ld(F(0), MO_UQ));
}

/* ---------------------------------------------------------------- dead stores */

/* the first store is overwritten before anything reads it */
static void gen_dse(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
}

/* two narrower stores together cover the first */
static void gen_dse_pieces(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_st_env(computed(2), F(0), MO_UL);
    tcg_gen_st_env(computed(3), F(0) + 4, MO_UL);
}

/* a narrower later store leaves bytes of the first one live */
static void gen_dse_partial(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_st_env(computed(2), F(0) + 2, MO_UW);
}

/* a load of some of the bytes (at an offset, so not forwarded) keeps the first store */
static void gen_dse_read_between(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    out(0, ld(F(0) + 4, MO_UL));
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
}

static void gen_dse_call_reads(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_call(&info_reads_env, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
}

static void gen_dse_call_no_read(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    TCGv r = tcg_temp_new(TCG_I64);
    tcg_gen_call(&info_no_env, r, computed(3), TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
    out(0, r);
}

/* a helper that may raise makes env visible to the exception path */
static void gen_dse_call_may_raise(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    TCGv r = tcg_temp_new(TCG_I64);
    tcg_gen_call(&info_may_raise, r, computed(3), TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
    out(0, r);
}

static void gen_dse_qemu_ld(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    out(0, computed(3));
    TCGv m = tcg_temp_new(TCG_I64);
    tcg_gen_qemu_ld(m, tcg_const(TCG_I64, 0x100), MO_UQ, 0);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
    out(1, m);
}

/* a branch ends the basic block: env is treated as live at it */
static void gen_dse_branch(void)
{
    TCGLabel l = tcg_label_new();
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_brcondi(TCG_COND_EQ, computed(2), 0, l);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
    tcg_gen_set_label(l);
}

/* env is live at a block exit: the store before exit_tb stays although the fall-through
 * path overwrites the field */
static void gen_dse_exit(void)
{
    TCGLabel l = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_NE, computed(2), 0, l);
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_exit_tb();
    tcg_gen_set_label(l);
    tcg_gen_st_env(computed(3), F(0), MO_UQ);
}

/* no guest-memory op or helper before the instruction boundary: it cannot stop the block,
 * and the first instruction's store is dead */
static void gen_dse_across_insn(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_insn_start(CODE_PC + 1);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
}

/* a store to guest memory (here: to the block's own code) may stop the block at the next
 * instruction boundary, where env must be exact: the store before it stays */
static void gen_dse_insn_after_qemu_st(void)
{
    tcg_gen_qemu_st(computed(4), tcg_const(TCG_I64, CODE_PC), MO_UB, 0);
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    tcg_gen_insn_start(CODE_PC + 1);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
}

/* forwarding makes a store dead: the value goes straight to out[0] and the field is
 * overwritten (the flag pattern: cc_dst of an add, read by nothing before the next cmp) */
static void gen_fwd_then_dse(void)
{
    tcg_gen_st_env(computed(1), F(0), MO_UQ);
    out(0, ld(F(0), MO_UQ));
    tcg_gen_insn_start(CODE_PC + 1);
    tcg_gen_st_env(computed(2), F(0), MO_UQ);
}

static void test_self_modifying_stop(void)
{
    /* the run itself: the qemu_st hits the block's code page, the block stops at the second
     * insn_start with rip there and the first instruction's store in env */
    OptEnv after;
    run(gen_dse_insn_after_qemu_st, true, &after);
    uint64_t want = 0x2222222222222222ull + 0x0807060504030201ull + 0x123;
    CHECK(after.pc == CODE_PC + 1, "self-modifying block did not stop at the next insn (pc %#llx)",
          (unsigned long long)after.pc);
    CHECK(after.f[0] == want, "f0 at the stop %#llx, want %#llx (store before the boundary lost)",
          (unsigned long long)after.f[0], (unsigned long long)want);
}

int main(void)
{
    fake_mmu_attach(&env, offsetof(OptEnv, tlb));
    if (!tcg_init(&frontend, TCG_BACKEND_INTERP, 1u << 20))
        return 1;

    /* forwarding: the counts are the loads left after computed()'s own ones */
    check_case("store->load", gen_fwd_store, 1, 2);
    check_case("store->narrow loads", gen_fwd_narrow, 1, 4);
    check_case("redundant load", gen_redundant_load, 1, 3);
    check_case("overlapping store", gen_fwd_overlap, 3, 3);
    check_case("load at other offset", gen_fwd_other_offset, 2, 2);
    check_case("call writing env", gen_fwd_call_writes, 2, 2);
    check_case("call without env write", gen_fwd_call_no_write, 2, 3);
    check_case("past qemu_st", gen_fwd_past_qemu_st, 2, 2);
    check_case("label", gen_fwd_label, 3, 2);

    /* dead stores: a dropped store takes the load feeding it along (dead code) */
    check_case("overwritten store", gen_dse, 1, 1);
    check_case("store covered by two", gen_dse_pieces, 2, 2);
    check_case("partially overwritten", gen_dse_partial, 2, 2);
    check_case("read in between", gen_dse_read_between, 3, 3);
    check_case("call reading env", gen_dse_call_reads, 2, 2);
    check_case("call without env read", gen_dse_call_no_read, 2, 2);
    check_case("call that may raise", gen_dse_call_may_raise, 3, 3);
    check_case("qemu_ld between", gen_dse_qemu_ld, 3, 4);
    check_case("branch between", gen_dse_branch, 3, 2);
    check_case("exit between", gen_dse_exit, 3, 2);
    check_case("across insn_start", gen_dse_across_insn, 1, 1);
    check_case("insn_start after qemu_st", gen_dse_insn_after_qemu_st, 3, 2);
    check_case("forwarded then dead", gen_fwd_then_dse, 2, 2);
    test_self_modifying_stop();

    printf("test_opt: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
