/*
 * tests/tcg/test_tbcache.c — the TB cache, chaining, invalidation, flush and the exit
 * request, driven by a fake front end whose guest is a tiny bytecode in the fake RAM.
 *
 * Guest instructions (operands little-endian):
 *   01        INC     counter += 1 (+= 10 when the block was compiled with flags bit 0)
 *   09        INC2    counter += 2
 *   02 lo hi  JMP     direct jump (goto_tb 0)
 *   03        JMPI    jump to env.target (exit_tb)
 *   04 lo hi v STB    store byte v at address hi:lo (through qemu_st: may hit code)
 *   05        HALT    exit_req = 1, pc = next
 *   06 lo hi  DJNZ    if (--loops) jump hi:lo (slot 0) else fall through (slot 1)
 *   07 k      ADDK    acc += 2k + (2k < 100), computed from constants (the optimizer folds)
 *   08        REQ     helper: counts, and sets exit_req at the req_at-th call
 *   0a p      OUT     store to device port 0x10000 + p (outside RAM: the mmu's slow path)
 *   0b        FAULT   helper that leaves by longjmp, as a guest fault does
 *   other             treated as HALT
 * A block ends after a jump, HALT, 8 instructions, or before an instruction that starts
 * on the next page.
 */
#include "tcg/backend.h"
#include "tests/tcg/fake_mmu.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct BcEnv {
    uint64_t pc;
    uint64_t counter;
    uint64_t loops;
    uint64_t acc;
    uint64_t target;
    int32_t exit_req;
    uint32_t flags;
    CPUTLB tlb;
} BcEnv;

static BcEnv env;
static int failures, checks;
static uint32_t key_cflags;
static unsigned get_key_calls;
static unsigned req_calls, req_at;
static unsigned out_calls, out_at;
static jmp_buf fault_jmp;

#define CHECK(cond, ...) do { \
    checks++; \
    if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

/* ---------------------------------------------------------------- fake front end */

static uint8_t fetch(uint64_t pa) { return fake_ram[pa % FAKE_RAM_SIZE]; }
static uint64_t fetch16(uint64_t pa) { return fetch(pa) | (uint64_t)fetch(pa + 1) << 8; }

static uint64_t helper_req(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    if (++req_calls == req_at)
        ((BcEnv *)e)->exit_req = 1;
    return 0;
}

static uint64_t helper_fault(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    ((BcEnv *)e)->pc = tcg_current_insn_pc();
    longjmp(fault_jmp, 1);
}

static void device_store(void *e, uint64_t la, uint64_t value, unsigned size)
{
    if (la >= 0x10000 && la < 0x10100 && ++out_calls == out_at)
        ((BcEnv *)e)->exit_req = 1;
}

static const TCGHelperInfo info_req = { helper_req, "req", TCG_CALL_NO_RAISE };
static const TCGHelperInfo info_fault = { helper_fault, "fault", 0 };

static void gen_set_field(size_t offset, uint64_t value)
{
    tcg_gen_st_env(tcg_const(TCG_I64, value), offset, MO_UQ);
}

static void gen_add_field(size_t offset, TCGv amount)
{
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(v, offset, MO_UQ);
    tcg_gen_add(v, v, amount);
    tcg_gen_st_env(v, offset, MO_UQ);
}

/* ADDK: deliberately roundabout constant arithmetic, so folding has work to do. */
static void gen_addk(uint64_t k)
{
    TCGv kk = tcg_const(TCG_I64, k), three = tcg_const(TCG_I64, 3), twice = tcg_temp_new(TCG_I64);
    tcg_gen_mul(twice, kk, three);
    tcg_gen_sub(twice, twice, kk);
    TCGv small = tcg_temp_new(TCG_I64);
    tcg_gen_setcondi(TCG_COND_LTU, small, twice, 100);
    TCGv sum = tcg_temp_new(TCG_I64);
    TCGLabel skip = tcg_label_new();
    tcg_gen_mov(sum, twice);
    tcg_gen_brcondi(TCG_COND_EQ, small, 0, skip);
    tcg_gen_addi(sum, sum, 1);
    tcg_gen_set_label(skip);
    gen_add_field(offsetof(BcEnv, acc), sum);
}

static void fe_translate(void *e, TranslationBlock *tb)
{
    const uint64_t start = tb->key.pc;
    uint64_t pc = start;
    bool ended = false;
    unsigned n = 0;

    while (!ended) {
        uint8_t opcode = fetch(pc);
        tcg_gen_insn_start(pc);
        n++;
        switch (opcode) {
        case 0x01: case 0x09:
            gen_add_field(offsetof(BcEnv, counter),
                          tcg_const(TCG_I64, opcode == 0x09 ? 2 : (tb->key.flags & 1) ? 10 : 1));
            pc += 1;
            break;
        case 0x02:
            gen_set_field(offsetof(BcEnv, pc), fetch16(pc + 1));
            tcg_gen_goto_tb(0);
            pc += 3;
            ended = true;
            break;
        case 0x03: {
            TCGv t = tcg_temp_new(TCG_I64);
            tcg_gen_ld_env(t, offsetof(BcEnv, target), MO_UQ);
            tcg_gen_st_env(t, offsetof(BcEnv, pc), MO_UQ);
            tcg_gen_exit_tb();
            pc += 1;
            ended = true;
            break;
        }
        case 0x04:
            tcg_gen_qemu_st(tcg_const(TCG_I32, fetch(pc + 3)), tcg_const(TCG_I64, fetch16(pc + 1)), MO_UB, 0);
            pc += 4;
            break;
        case 0x06: {
            TCGv loops = tcg_temp_new(TCG_I64);
            TCGLabel done = tcg_label_new();
            tcg_gen_ld_env(loops, offsetof(BcEnv, loops), MO_UQ);
            tcg_gen_subi(loops, loops, 1);
            tcg_gen_st_env(loops, offsetof(BcEnv, loops), MO_UQ);
            tcg_gen_brcondi(TCG_COND_EQ, loops, 0, done);
            gen_set_field(offsetof(BcEnv, pc), fetch16(pc + 1));
            tcg_gen_goto_tb(0);
            tcg_gen_set_label(done);
            gen_set_field(offsetof(BcEnv, pc), pc + 3);
            tcg_gen_goto_tb(1);
            pc += 3;
            ended = true;
            break;
        }
        case 0x07:
            gen_addk(fetch(pc + 1));
            pc += 2;
            break;
        case 0x08:
            tcg_gen_call(&info_req, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
            pc += 1;
            break;
        case 0x0a:
            tcg_gen_qemu_st(tcg_const(TCG_I64, 1), tcg_const(TCG_I64, 0x10000 + fetch(pc + 1)), MO_UB, 0);
            pc += 2;
            break;
        case 0x0b:
            tcg_gen_call(&info_fault, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
            pc += 1;
            break;
        default:    /* HALT */
            gen_set_field(offsetof(BcEnv, pc), pc + 1);
            tcg_gen_st_env(tcg_const(TCG_I32, 1), offsetof(BcEnv, exit_req), MO_UL);
            tcg_gen_exit_tb();
            pc += 1;
            ended = true;
            break;
        }
        bool cap = n == 8 || (tb->key.cflags & TB_CF_SINGLE_INSN)
                || (pc & PAGE_MASK) != (start & PAGE_MASK);
        if (!ended && cap) {
            gen_set_field(offsetof(BcEnv, pc), pc);
            tcg_gen_goto_tb(1);
            ended = true;
        }
    }
    tb->size = (uint32_t)(pc - start);
    tb->icount = n;
    tb->page_addr[0] = start & PAGE_MASK;
    tb->page_addr[1] = ((pc - 1) & PAGE_MASK) != (start & PAGE_MASK) ? (pc - 1) & PAGE_MASK : (uint64_t)-1;
}

static void fe_get_key(void *e, TBKey *key)
{
    BcEnv *be = e;
    get_key_calls++;
    *key = (TBKey){ .pc = be->pc, .phys_pc = be->pc % FAKE_RAM_SIZE, .flags = be->flags, .cflags = key_cflags };
}

static void fe_set_pc(void *e, uint64_t pc)
{
    ((BcEnv *)e)->pc = pc;
}

static const TCGFrontend frontend = {
    .translate = fe_translate, .get_key = fe_get_key, .set_pc = fe_set_pc,
    .exit_req_offset = offsetof(BcEnv, exit_req),
};

/* ---------------------------------------------------------------- helpers for tests */

static void poke(uint64_t addr, const uint8_t *code, size_t len)
{
    memcpy(&fake_ram[addr], code, len);
}
#define POKE(addr, ...) poke(addr, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static TCGStats stats(void)
{
    TCGStats s;
    tcg_get_stats(&s);
    return s;
}

/* One tcg_exec call, as cpu_exec makes it. */
static void exec_once(uint64_t pc)
{
    env.pc = pc;
    env.exit_req = 0;
    get_key_calls = 0;
    tcg_exec(&env);
}

/* Until the guest halts (sets exit_req); tcg_exec also returns when a block it runs was
 * overwritten, and the caller simply calls it again. */
static void run_from(uint64_t pc)
{
    exec_once(pc);
    while (!env.exit_req)
        tcg_exec(&env);
}

static void reset_tcg(size_t code_size)
{
    if (!tcg_init(&frontend, TCG_BACKEND_INTERP, code_size)) {
        printf("tcg_init failed\n");
        failures++;
    }
    memset(fake_ram, 0, sizeof(fake_ram));
    phys_code_clear_all();
    key_cflags = 0;
    env.flags = 0;
    env.counter = env.acc = 0;
}

/* ---------------------------------------------------------------- tests */

static void test_cache_and_chaining(void)
{
    reset_tcg(0);
    POKE(0x1000, 0x01, 0x06, 0x00, 0x10, 0x05);     /* loop: INC; DJNZ loop; HALT */
    env.loops = 1000;
    run_from(0x1000);
    TCGStats s = stats();
    CHECK(env.counter == 1000 && env.pc == 0x1005, "loop ran: counter %llu pc %#llx",
          (unsigned long long)env.counter, (unsigned long long)env.pc);
    CHECK(s.tb_translated == 2, "translated %llu blocks, want 2", (unsigned long long)s.tb_translated);
    CHECK(s.chains_made == 2, "chains %llu, want 2 (loop to itself, loop to HALT)", (unsigned long long)s.chains_made);
    CHECK(s.blocks_executed == 1001, "blocks executed %llu", (unsigned long long)s.blocks_executed);
    CHECK(get_key_calls <= 3, "chains not followed: %u lookups", get_key_calls);
    CHECK(fake_code_marked(0x1000) && phys_page_has_code(0x1000), "code not marked");

    env.loops = 50;
    run_from(0x1000);
    TCGStats s2 = stats();
    CHECK(env.counter == 1050, "second run counter %llu", (unsigned long long)env.counter);
    CHECK(s2.tb_translated == 2 && s2.chains_made == 2, "second run retranslated or relinked");
    CHECK(get_key_calls == 1, "second run: %u lookups, want 1 (everything chained)", get_key_calls);

    /* indirect jumps are looked up every time, never linked */
    POKE(0x1100, 0x03);
    POKE(0x1180, 0x01, 0x05);
    env.target = 0x1180;
    for (int i = 0; i < 3; i++)
        run_from(0x1100);
    TCGStats s3 = stats();
    CHECK(env.counter == 1053 && s3.chains_made == 2 && s3.tb_translated == 4 && get_key_calls == 2,
          "indirect jump: counter %llu chains %llu translated %llu lookups %u", (unsigned long long)env.counter,
          (unsigned long long)s3.chains_made, (unsigned long long)s3.tb_translated, get_key_calls);
}

static void test_key_and_single_step(void)
{
    reset_tcg(0);
    POKE(0x1000, 0x01, 0x01, 0x05);
    key_cflags = TB_CF_SINGLE_INSN;
    exec_once(0x1000);
    CHECK(env.counter == 1 && env.pc == 0x1001, "single step: counter %llu pc %#llx",
          (unsigned long long)env.counter, (unsigned long long)env.pc);
    env.flags = 1;      /* same pc, other mode bits: another block */
    exec_once(0x1000);
    CHECK(env.counter == 11, "flags in the key: counter %llu", (unsigned long long)env.counter);
    env.flags = 0;
    exec_once(0x1000);
    CHECK(env.counter == 12 && stats().tb_translated == 2 && stats().chains_made == 0,
          "single step blocks: counter %llu", (unsigned long long)env.counter);
    key_cflags = TB_CF_NO_CHAIN;
    exec_once(0x1001);
    CHECK(env.counter == 13 && env.pc == 0x1003 && stats().chains_made == 0, "no-chain block");
}

static void test_invalidate_chained_block(void)
{
    reset_tcg(0);
    POKE(0x2000, 0x02, 0x00, 0x21);                 /* A: JMP B */
    POKE(0x2100, 0x01, 0x05);                       /* B: INC; HALT */
    POKE(0x3000, 0x04, 0x00, 0x21, 0x09, 0x05);     /* C: STB B, INC2; HALT */
    run_from(0x2000);
    run_from(0x2000);
    TCGStats s = stats();
    CHECK(env.counter == 2 && s.chains_made == 1 && get_key_calls == 1, "A chained to B: counter %llu chains %llu",
          (unsigned long long)env.counter, (unsigned long long)s.chains_made);

    run_from(0x3000);
    TCGStats s2 = stats();
    CHECK(s2.tb_invalidated == 1, "store to B invalidated %llu blocks, want 1", (unsigned long long)s2.tb_invalidated);
    CHECK(fake_ram[0x2100] == 0x09, "store did not reach RAM");

    run_from(0x2000);
    TCGStats s3 = stats();
    CHECK(env.counter == 4, "after rewrite B must add 2: counter %llu", (unsigned long long)env.counter);
    CHECK(s3.tb_translated == s2.tb_translated + 1 && s3.chains_made == 2,
          "only B retranslated and relinked (translated %llu, chains %llu)",
          (unsigned long long)(s3.tb_translated - s2.tb_translated), (unsigned long long)s3.chains_made);

    /* writes next to code but outside its slices cost no invalidation */
    POKE(0x3100, 0x04, 0x00, 0x28, 0x77, 0x05);     /* STB 0x2800 (same page, other slice) */
    run_from(0x3100);
    CHECK(stats().tb_invalidated == 1, "write outside code slices invalidated something");
}

static void test_self_modifying(void)
{
    reset_tcg(0);
    POKE(0x4000, 0x04, 0x04, 0x40, 0x09, 0x01, 0x05);           /* STB next, INC2; INC; HALT */
    run_from(0x4000);
    CHECK(env.counter == 2, "overwritten next instruction: counter %llu, want 2", (unsigned long long)env.counter);
    CHECK(stats().tb_invalidated == 1, "self-modifying block not invalidated");

    env.counter = 0;
    POKE(0x4100, 0x04, 0x05, 0x41, 0x09, 0x01, 0x01, 0x05);     /* STB +5; INC; INC -> INC2; HALT */
    run_from(0x4100);
    CHECK(env.counter == 3, "overwritten later instruction: counter %llu, want 3", (unsigned long long)env.counter);
    run_from(0x4100);
    CHECK(env.counter == 6, "rerun of modified code: counter %llu, want 6", (unsigned long long)env.counter);

    /* a block whose last instruction straddles two pages: a write to the second page's
     * part (the jump's operand) invalidates it */
    env.counter = 0;
    POKE(0x4ffe, 0x01, 0x02, 0x00, 0x4f);                        /* INC; JMP 0x4f00 | */
    POKE(0x4f00, 0x05);                                          /* HALT */
    POKE(0x4f10, 0x09, 0x05);                                    /* INC2; HALT */
    POKE(0x5200, 0x04, 0x00, 0x50, 0x10, 0x05);                  /* STB 0x5000, 0x10: JMP 0x4f10 */
    run_from(0x4ffe);
    uint64_t invalidated = stats().tb_invalidated;
    run_from(0x5200);
    CHECK(stats().tb_invalidated == invalidated + 1, "write to the second page did not invalidate");
    run_from(0x4ffe);
    CHECK(env.counter == 1 + 1 + 2, "block across pages: counter %llu, want 4", (unsigned long long)env.counter);
}

static void test_flush_under_pressure(void)
{
    reset_tcg(4096);        /* room for a handful of blocks only */
    enum { BLOCKS = 40 };
    for (int i = 0; i < BLOCKS; i++) {
        uint64_t at = 0x6000 + 16 * (uint64_t)i, next = at + 16;
        if (i == BLOCKS - 1)
            POKE(at, 0x07, (uint8_t)i, 0x01, 0x06, 0x00, 0x60, 0x05);  /* ADDK i; INC; DJNZ first; HALT */
        else
            POKE(at, 0x07, (uint8_t)i, 0x01, 0x02, (uint8_t)next, (uint8_t)(next >> 8));
    }
    env.loops = 5;
    run_from(0x6000);
    uint64_t acc = 0;
    for (int i = 0; i < BLOCKS; i++)
        acc += 2 * (uint64_t)i + (2 * i < 100);
    CHECK(env.counter == 5 * BLOCKS && env.acc == 5 * acc && env.pc == 0x6000 + 16 * (BLOCKS - 1) + 7,
          "under pressure: counter %llu acc %llu (want %llu)", (unsigned long long)env.counter,
          (unsigned long long)env.acc, (unsigned long long)(5 * acc));
    CHECK(stats().tb_flushes > 0, "no flush with a 4 KiB code buffer");
}

static void test_exit_request(void)
{
    reset_tcg(0);
    POKE(0x7000, 0x08, 0x01, 0x06, 0x00, 0x70);     /* REQ; INC; DJNZ 0x7000 */
    env.loops = 1000000000;
    req_calls = 0;
    req_at = 1000;
    uint64_t before = stats().blocks_executed;
    run_from(0x7000);
    CHECK(env.counter == 1000 && stats().blocks_executed - before == 1000,
          "exit_req from a helper: counter %llu, blocks %llu", (unsigned long long)env.counter,
          (unsigned long long)(stats().blocks_executed - before));

    POKE(0x7100, 0x0a, 0x00, 0x01, 0x06, 0x00, 0x71);   /* OUT 0; INC; DJNZ 0x7100 */
    env.counter = 0;
    out_calls = 0;
    out_at = 500;
    fake_mmio_store = device_store;
    run_from(0x7100);
    CHECK(env.counter == 500, "exit_req from a device store: counter %llu", (unsigned long long)env.counter);
    fake_mmio_store = NULL;
}

static void test_optimizer_equivalence(void)
{
    uint64_t results[2];
    uint32_t ops[2];
    for (int opt = 0; opt < 2; opt++) {
        reset_tcg(0);
        tcg_optimize_enabled = opt;
        POKE(0x8000, 0x07, 5, 0x07, 250, 0x07, 49, 0x07, 50, 0x05);
        run_from(0x8000);
        results[opt] = env.acc;
        ops[opt] = tcg_current_block()->nb_ops;
    }
    tcg_optimize_enabled = true;
    CHECK(results[0] == 11 + 500 + 99 + 100 && results[1] == results[0],
          "ADDK results: unoptimized %llu, optimized %llu", (unsigned long long)results[0], (unsigned long long)results[1]);
    CHECK(ops[1] < ops[0] / 2, "folding left %u of %u ops", ops[1], ops[0]);
}

static void test_fault_longjmp(void)
{
    reset_tcg(0);
    POKE(0x9000, 0x01, 0x0b, 0x01, 0x05);           /* INC; FAULT; INC; HALT */
    env.pc = 0x9000;
    env.exit_req = 0;
    if (setjmp(fault_jmp) == 0) {
        tcg_exec(&env);
        CHECK(false, "fault helper returned");
    }
    CHECK(env.pc == 0x9001 && env.counter == 1, "fault at pc %#llx counter %llu",
          (unsigned long long)env.pc, (unsigned long long)env.counter);
    POKE(0x9001, 0x01);                             /* the "handler" fixes the code... */
    tb_invalidate_phys_range(0x9001, 0x9002);
    run_from(0x9001);                               /* ...and resumes at the faulting insn */
    CHECK(env.counter == 3 && !tcg_in_block(), "after fault: counter %llu", (unsigned long long)env.counter);
}

int main(void)
{
    fake_mmu_attach(&env, offsetof(BcEnv, tlb));
    test_cache_and_chaining();
    test_key_and_single_step();
    test_invalidate_chained_block();
    test_self_modifying();
    test_flush_under_pressure();
    test_exit_request();
    test_optimizer_equivalence();
    test_fault_longjmp();
    printf("test_tbcache: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
