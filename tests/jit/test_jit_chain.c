/*
 * tests/jit/test_jit_chain.c — what only a JIT that chains blocks natively can get wrong,
 * run through tcg_exec with the x86_64 backend: chained loops run without returning to the
 * exec loop, exit_req stops a chained loop, invalidation unlinks (patches back) jumps into
 * a block, a chained-into block that is overwritten while it runs stops at its next
 * instruction, a flush from a helper inside a chain, a full code buffer, faults with the
 * exact instruction pc, TLB misses and indirect exits inside chains, which find their
 * successor without returning to the exec loop.
 *
 * The guest is a byte code in the fake RAM (operands little-endian):
 *   10        INC     counter += 1
 *   19        ADD2    counter += 2
 *   11 lo hi  LOOP    if (--loops) goto hi:lo (slot 0) else fall through (slot 1)
 *   12 lo hi  JMP     goto hi:lo (slot 0)
 *   13 lo hi v STB    store byte v at hi:lo through qemu_st
 *   14        REQ     helper: sets exit_req at its req_at-th call
 *   15        FLUSH   helper: tb_flush() at its flush_at-th call
 *   16        FAULT   helper: records tcg_current_insn_pc() and longjmps out
 *   17 lo hi  LDW     acc += 16-bit load from hi:lo through qemu_ld
 *   18        JMPI    goto env.target (exit_tb)
 *   1a        PATCH   helper: at its patch_at-th call, writes ADD2 over the next
 *                     instruction and invalidates it, as a guest store to code would
 *   other     HALT    exit_req = 1, pc = next
 * A block ends after a control transfer, HALT, or 6 instructions.
 */
#include "tcg/backend.h"
#include "tests/tcg/fake_mmu.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct ChainEnv {
    uint64_t pc, counter, loops, acc, target;
    int32_t exit_req;
    uint32_t pad;
    CPUTLB tlb;
} ChainEnv;

static ChainEnv env;
static int failures, checks;
static unsigned get_key_calls, req_calls, req_at, flush_calls, flush_at, patch_calls, patch_at;
static uint64_t fault_pc;
static jmp_buf fault_jmp;

#define CHECK(cond, ...) do { \
    checks++; \
    if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

/* ---------------------------------------------------------------- helpers */

static uint64_t helper_req(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    if (++req_calls == req_at)
        ((ChainEnv *)e)->exit_req = 1;
    return 0;
}

static uint64_t helper_flush(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    if (++flush_calls == flush_at)
        tb_flush();
    return 0;
}

static uint64_t helper_fault(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    fault_pc = tcg_current_insn_pc();
    ((ChainEnv *)e)->pc = fault_pc;
    longjmp(fault_jmp, 1);
}

static uint64_t helper_patch(void *e, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    if (++patch_calls == patch_at) {
        uint64_t next = tcg_current_insn_pc() + 1;
        fake_ram[next] = 0x19;
        tb_invalidate_phys_range(next, next + 1);
    }
    return 0;
}

static const TCGHelperInfo info_req = { helper_req, "req", TCG_CALL_NO_RAISE };
static const TCGHelperInfo info_flush = { helper_flush, "flush", TCG_CALL_NO_RAISE };
static const TCGHelperInfo info_fault = { helper_fault, "fault", 0 };
static const TCGHelperInfo info_patch = { helper_patch, "patch", TCG_CALL_NO_RAISE };

/* ---------------------------------------------------------------- front end */

static uint64_t operand16(uint64_t pc) { return fake_ram[pc % FAKE_RAM_SIZE] | (uint64_t)fake_ram[(pc + 1) % FAKE_RAM_SIZE] << 8; }

static void gen_store_field(size_t offset, uint64_t value)
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

static void gen_helper(const TCGHelperInfo *h)
{
    tcg_gen_call(h, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
}

/* Emit one instruction at pc; returns its length, or 0 if it ended the block. */
static unsigned gen_insn(uint64_t pc)
{
    uint8_t opcode = fake_ram[pc % FAKE_RAM_SIZE];
    tcg_gen_insn_start(pc);
    switch (opcode) {
    case 0x10: case 0x19:
        gen_add_field(offsetof(ChainEnv, counter), tcg_const(TCG_I64, opcode == 0x19 ? 2 : 1));
        return 1;
    case 0x11: {
        TCGv loops = tcg_temp_new(TCG_I64);
        TCGLabel out = tcg_label_new();
        tcg_gen_ld_env(loops, offsetof(ChainEnv, loops), MO_UQ);
        tcg_gen_subi(loops, loops, 1);
        tcg_gen_st_env(loops, offsetof(ChainEnv, loops), MO_UQ);
        tcg_gen_brcondi(TCG_COND_EQ, loops, 0, out);
        gen_store_field(offsetof(ChainEnv, pc), operand16(pc + 1));
        tcg_gen_goto_tb(0);
        tcg_gen_set_label(out);
        gen_store_field(offsetof(ChainEnv, pc), pc + 3);
        tcg_gen_goto_tb(1);
        return 0;
    }
    case 0x12:
        gen_store_field(offsetof(ChainEnv, pc), operand16(pc + 1));
        tcg_gen_goto_tb(0);
        return 0;
    case 0x13:
        tcg_gen_qemu_st(tcg_const(TCG_I32, fake_ram[(pc + 3) % FAKE_RAM_SIZE]),
                        tcg_const(TCG_I64, operand16(pc + 1)), MO_UB, 0);
        return 4;
    case 0x14: gen_helper(&info_req); return 1;
    case 0x15: gen_helper(&info_flush); return 1;
    case 0x16: gen_helper(&info_fault); return 1;
    case 0x1a: gen_helper(&info_patch); return 1;
    case 0x17: {
        TCGv v = tcg_temp_new(TCG_I64);
        tcg_gen_qemu_ld(v, tcg_const(TCG_I64, operand16(pc + 1)), MO_UW, 0);
        gen_add_field(offsetof(ChainEnv, acc), v);
        return 3;
    }
    case 0x18: {
        TCGv t = tcg_temp_new(TCG_I64);
        tcg_gen_ld_env(t, offsetof(ChainEnv, target), MO_UQ);
        tcg_gen_st_env(t, offsetof(ChainEnv, pc), MO_UQ);
        tcg_gen_exit_tb();
        return 0;
    }
    default:
        gen_store_field(offsetof(ChainEnv, pc), pc + 1);
        tcg_gen_st_env(tcg_const(TCG_I32, 1), offsetof(ChainEnv, exit_req), MO_UL);
        tcg_gen_exit_tb();
        return 0;
    }
}

static const unsigned insn_len[256] = { [0x11] = 3, [0x12] = 3, [0x13] = 4, [0x17] = 3 };

static void fe_translate(void *e, TranslationBlock *tb)
{
    uint64_t pc = tb->key.pc;
    unsigned n = 0, len;
    do {
        uint8_t opcode = fake_ram[pc % FAKE_RAM_SIZE];
        len = gen_insn(pc);
        pc += insn_len[opcode] ? insn_len[opcode] : 1;
        n++;
        if (len && n == 6) {
            gen_store_field(offsetof(ChainEnv, pc), pc);
            tcg_gen_goto_tb(1);
            break;
        }
    } while (len);
    tb->size = (uint32_t)(pc - tb->key.pc);
    tb->icount = n;
    tb->page_addr[0] = tb->key.pc & PAGE_MASK;
    tb->page_addr[1] = ((pc - 1) & PAGE_MASK) != (tb->key.pc & PAGE_MASK) ? (pc - 1) & PAGE_MASK : (uint64_t)-1;
}

static void fe_get_key(void *e, TBKey *key)
{
    get_key_calls++;
    *key = (TBKey){ .pc = env.pc, .phys_pc = env.pc % FAKE_RAM_SIZE };
}

static void fe_set_pc(void *e, uint64_t pc) { ((ChainEnv *)e)->pc = pc; }

static const TCGFrontend frontend = {
    .translate = fe_translate, .get_key = fe_get_key, .set_pc = fe_set_pc,
    .exit_req_offset = offsetof(ChainEnv, exit_req),
};

/* ---------------------------------------------------------------- harness */

static void poke(uint64_t addr, const uint8_t *code, size_t len) { memcpy(&fake_ram[addr], code, len); }
#define POKE(addr, ...) poke(addr, (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static TCGStats stats(void)
{
    TCGStats s;
    tcg_get_stats(&s);
    return s;
}

static void reset(size_t code_size)
{
    if (!tcg_init(&frontend, TCG_BACKEND_X86_64, code_size)) {
        printf("tcg_init(x86_64) failed\n");
        failures++;
    }
    fake_mmu_attach(&env, offsetof(ChainEnv, tlb));
    memset(fake_ram, 0, sizeof(fake_ram));
    phys_code_clear_all();
    memset(&env, 0, offsetof(ChainEnv, tlb));
    req_calls = flush_calls = patch_calls = 0;
    req_at = flush_at = patch_at = 0;
}

/* Until the guest halts; tcg_exec also returns after a stop, and is simply called again.
 * Returns the number of tcg_exec calls. */
static unsigned run_from(uint64_t pc)
{
    unsigned calls = 0;
    env.pc = pc;
    env.exit_req = 0;
    get_key_calls = 0;
    do {
        tcg_exec(&env);
        calls++;
    } while (!env.exit_req);
    return calls;
}

#define U(x) ((unsigned long long)(x))

/* ---------------------------------------------------------------- scenarios */

static void test_chained_loop(void)
{
    reset(0);
    POKE(0x1000, 0x10, 0x11, 0x00, 0x10, 0x05);                 /* L: INC; LOOP L; HALT */
    env.loops = 100000;
    run_from(0x1000);
    TCGStats s = stats();
    CHECK(env.counter == 100000 && env.pc == 0x1005, "loop: counter %llu pc %#llx", U(env.counter), U(env.pc));
    CHECK(s.chains_made == 2 && s.tb_translated == 2, "chains %llu translated %llu", U(s.chains_made), U(s.tb_translated));
    CHECK(s.blocks_executed <= 3, "loop ran through the exec loop: %llu exec calls", U(s.blocks_executed));

    env.loops = 10;
    run_from(0x1000);
    CHECK(env.counter == 100010 && get_key_calls == 1, "second run: counter %llu lookups %u",
          U(env.counter), get_key_calls);

    /* exit_req from a helper inside the chained loop: exactly req_at iterations */
    POKE(0x1100, 0x14, 0x10, 0x11, 0x00, 0x11);                 /* REQ; INC; LOOP */
    env.counter = 0;
    env.loops = 1000000000;
    req_at = 1000;
    env.pc = 0x1100;
    env.exit_req = 0;
    tcg_exec(&env);
    CHECK(env.counter == 1000 && env.pc == 0x1100 && env.exit_req, "exit_req in a chain: counter %llu pc %#llx",
          U(env.counter), U(env.pc));

    /* an indirect exit in a loop whose other half is chained: REQ's 100th call ends it
     * at the next goto_tb */
    POKE(0x1200, 0x10, 0x18);                                   /* A: INC; JMPI */
    POKE(0x1280, 0x14, 0x10, 0x12, 0x00, 0x12);                 /* B: REQ; INC; JMP A */
    env.target = 0x1280;
    env.counter = 0;
    req_calls = 0;
    req_at = 100;
    env.pc = 0x1200;
    env.exit_req = 0;
    tcg_exec(&env);
    CHECK(env.counter == 200 && env.pc == 0x1200, "indirect loop: counter %llu pc %#llx", U(env.counter), U(env.pc));

    /* indirect exits find their successor from generated code (tcg_lookup_indirect): the
     * loop stays out of the exec loop, and each lookup computes the key once, also the
     * first one, which misses and hands its key to the exec loop for the translation */
    POKE(0x1300, 0x10, 0x18);                                   /* A: INC; JMPI B */
    POKE(0x1380, 0x10, 0x11, 0x00, 0x13, 0x05);                 /* B: INC; LOOP A; HALT */
    TCGStats before = stats();
    env.target = 0x1380;
    env.counter = 0;
    env.loops = 5000;
    run_from(0x1300);
    TCGStats after = stats();
    CHECK(env.counter == 10000 && env.pc == 0x1385, "indirect fast path: counter %llu pc %#llx",
          U(env.counter), U(env.pc));
    /* one key per JMPI, plus the exec loop's lookups of A, of A again on B's first (not yet
     * chained) LOOP, and of HALT; a second computation on the first JMPI's miss would be one more */
    CHECK(after.blocks_executed - before.blocks_executed <= 4 && get_key_calls == 5000 + 3,
          "indirect fast path: %llu exec calls, %u key computations",
          U(after.blocks_executed - before.blocks_executed), get_key_calls);
}

static void test_invalidate_chained(void)
{
    reset(0);
    POKE(0x2000, 0x12, 0x00, 0x21);                             /* A: JMP B */
    POKE(0x2100, 0x10, 0x05);                                   /* B: INC; HALT */
    POKE(0x3000, 0x13, 0x00, 0x21, 0x19, 0x05);                 /* C: STB B := ADD2; HALT */
    run_from(0x2000);
    run_from(0x2000);
    CHECK(env.counter == 2 && get_key_calls == 1 && stats().chains_made == 1, "A chained to B: counter %llu",
          U(env.counter));
    run_from(0x3000);
    CHECK(stats().tb_invalidated == 1, "invalidated %llu", U(stats().tb_invalidated));
    run_from(0x2000);      /* the link A->B must have been patched back to A's exit */
    CHECK(env.counter == 4, "after the rewrite B adds 2: counter %llu", U(env.counter));
    run_from(0x2000);
    CHECK(env.counter == 6 && stats().chains_made == 2 && get_key_calls == 1, "relinked: counter %llu chains %llu",
          U(env.counter), U(stats().chains_made));
}

/* L2 is entered first, so the exec loop believes L2 runs; L1 is entered through the chain
 * when PATCH rewrites L1's next instruction. L1 must stop there and resume in new code:
 * 49 iterations of L1 add 1, the 50 from the patched one on add 2, L2 adds 1 x 100. */
static void test_overwrite_chained_block(void)
{
    reset(0);
    POKE(0x4000, 0x1a, 0x10, 0x12, 0x00, 0x41);                 /* L1: PATCH; INC; JMP L2 */
    POKE(0x4100, 0x10, 0x11, 0x00, 0x40, 0x05);                 /* L2: INC; LOOP L1; HALT */
    env.loops = 100;
    patch_at = 50;
    run_from(0x4100);
    CHECK(env.counter == 49 + 2 * 50 + 100, "overwritten chained block: counter %llu, want 249", U(env.counter));
    CHECK(stats().tb_invalidated == 1, "invalidated %llu", U(stats().tb_invalidated));

    /* a block that stores over its own next instruction (through the TLB's code path) */
    POKE(0x4200, 0x13, 0x04, 0x42, 0x19, 0x10, 0x05);           /* STB +4 := ADD2; INC; HALT */
    env.counter = 0;
    run_from(0x4200);
    CHECK(env.counter == 2, "self-modifying: counter %llu, want 2", U(env.counter));
}

static void test_flush_in_chain(void)
{
    reset(0);
    POKE(0x5000, 0x15, 0x10, 0x11, 0x00, 0x50, 0x05);           /* FLUSH; INC; LOOP; HALT */
    env.loops = 300;
    flush_at = 100;
    unsigned calls = run_from(0x5000);
    CHECK(env.counter == 300 && stats().tb_flushes == 1 && calls == 2,
          "flush inside a chain: counter %llu flushes %llu exec calls %u", U(env.counter),
          U(stats().tb_flushes), calls);

    /* a code buffer with room for a few blocks: flushes while 30 blocks run in a ring */
    reset(4096);
    enum { BLOCKS = 30 };
    for (int i = 0; i < BLOCKS; i++) {
        uint64_t at = 0x6000 + 16 * (uint64_t)i, next = i == BLOCKS - 1 ? 0x6000 : at + 16;
        POKE(at, 0x10, 0x17, 0x00, 0x20, 0x11, (uint8_t)next, (uint8_t)(next >> 8), 0x05);  /* INC; LDW; LOOP */
    }
    fake_ram[0x2000] = 0x34;
    fake_ram[0x2001] = 0x12;
    env.loops = 1000;
    run_from(0x6000);
    CHECK(env.counter == 1000 && env.acc == 1000u * 0x1234 && stats().tb_flushes > 0,
          "under pressure: counter %llu acc %#llx flushes %llu", U(env.counter), U(env.acc),
          U(stats().tb_flushes));
}

static void test_fault_and_slow_path(void)
{
    reset(0);
    POKE(0x7000, 0x12, 0x00, 0x71);                             /* JMP B */
    POKE(0x7100, 0x10, 0x17, 0x00, 0x90, 0x10, 0x16, 0x10);     /* B: INC; LDW 0x9000; INC; FAULT; INC */
    fake_tlb_drop_page(0x9000);
    fake_ram[0x9000] = 7;
    for (int round = 0; round < 3; round++) {
        env.pc = 0x7000;
        env.exit_req = 0;
        fault_pc = 0;
        uint64_t slow_before = fake_slow_loads;
        if (setjmp(fault_jmp) == 0) {
            tcg_exec(&env);
            CHECK(false, "fault helper returned");
        }
        CHECK(fault_pc == 0x7105 && env.pc == 0x7105 && fake_slow_loads == slow_before + 1,
              "round %d: fault at %#llx", round, U(fault_pc));
    }
    CHECK(env.counter == 6 && env.acc == 21 && stats().chains_made == 1,
          "fault rounds: counter %llu acc %llu chains %llu", U(env.counter), U(env.acc), U(stats().chains_made));
}

int main(void)
{
    test_chained_loop();
    test_invalidate_chained();
    test_overwrite_chained_block();
    test_flush_in_chain();
    test_fault_and_slow_path();
    printf("test_jit_chain: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
