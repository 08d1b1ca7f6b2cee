/*
 * tests/jit/test_jit_codesize.c — golden host-code size of a small fixed block, counted in
 * instructions with Capstone, so that growth of the generated code shows up as a failing
 * test (update the numbers on purpose, with the reason, when the code generator changes).
 *
 * The block is what `add eax, ebx; jnz target` becomes: two register loads from env, the
 * add, the store back, a compare with zero and the two chained exits.
 */
#include "tcg/backend.h"
#include "tcg/backend/x86_64/jit.h"
#include "tests/tcg/fake_mmu.h"

#include <capstone/capstone.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct SizeEnv {
    uint32_t regs[8];
    uint64_t pc;
    int32_t exit_req;
    uint32_t pad;
    CPUTLB tlb;
} SizeEnv;

static SizeEnv env;

static void fe_translate(void *e, TranslationBlock *tb) { tcg_fatal("not used"); }
static void fe_get_key(void *e, TBKey *key) { tcg_fatal("not used"); }
static void fe_set_pc(void *e, uint64_t pc) { ((SizeEnv *)e)->pc = pc; }

static const TCGFrontend frontend = {
    .translate = fe_translate, .get_key = fe_get_key, .set_pc = fe_set_pc,
    .exit_req_offset = offsetof(SizeEnv, exit_req),
};

/* Golden counts (alignment nops before the patchable jmps not counted).
 * The first code generator kept every temp in its memory slot: body 33, stubs 13.
 * With temps in host registers (liveness + local allocation, movi constants as immediates):
 * body 19 = block entry: tcg_exec_state.tb = tb (2) + stop_request test (2)
 *         + 2 ld_env straight into registers (2) + add (1) + st_env (1)
 *         + brcond against the constant 0 as test + jne (2)
 *         + per exit: st_env of the constant pc as an immediate store (1) + exit_req test (2)
 *           + jmp (1), twice (8)
 *         + the trap after the body (1);
 * stubs 13 = stop path (set_pc call 4 + exit 3) + one exit stub per goto_tb slot (3 + 3). */
enum { GOLDEN_BODY = 19, GOLDEN_STUBS = 13 };

static size_t count_insns(csh cs, const uint8_t *code, size_t size, uintptr_t addr, bool print, unsigned *nops)
{
    cs_insn *insn;
    size_t n = cs_disasm(cs, code, size, addr, 0, &insn);
    *nops = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(insn[i].mnemonic, "nop") == 0)
            ++*nops;
        if (print)
            printf("  %4llx  %-8s %s\n", (unsigned long long)(insn[i].address - addr), insn[i].mnemonic, insn[i].op_str);
    }
    cs_free(insn, n);
    return n;
}

int main(void)
{
    fake_mmu_attach(&env, offsetof(SizeEnv, tlb));
    if (!tcg_init(&frontend, TCG_BACKEND_INTERP, 1u << 16) || !tcg_backend_x86_64.init(1u << 16)) {
        printf("init failed\n");
        return 1;
    }
    tcg_block_begin();
    tcg_gen_insn_start(0x1000);
    TCGv eax = tcg_temp_new(TCG_I32), ebx = tcg_temp_new(TCG_I32);
    tcg_gen_ld_env(eax, offsetof(SizeEnv, regs[0]), MO_UL);
    tcg_gen_ld_env(ebx, offsetof(SizeEnv, regs[3]), MO_UL);
    tcg_gen_add(eax, eax, ebx);
    tcg_gen_st_env(eax, offsetof(SizeEnv, regs[0]), MO_UL);
    tcg_gen_insn_start(0x1002);
    TCGLabel taken = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_NE, eax, 0, taken);
    tcg_gen_st_env(tcg_const(TCG_I64, 0x1004), offsetof(SizeEnv, pc), MO_UQ);
    tcg_gen_goto_tb(1);
    tcg_gen_set_label(taken);
    tcg_gen_st_env(tcg_const(TCG_I64, 0x2000), offsetof(SizeEnv, pc), MO_UQ);
    tcg_gen_goto_tb(0);

    static TranslationBlock tb;
    tb.key.pc = 0x1000;
    if (!tcg_backend_x86_64.compile(tcg_current_block(), &tb)) {
        printf("compile failed\n");
        return 1;
    }
    const JitBlockInfo *info = jit_block_info(&tb);
    const uint8_t *code = tb.code;

    csh cs;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        printf("capstone unavailable\n");
        return 1;
    }
    unsigned body_nops, stub_nops;
    size_t body = count_insns(cs, code, info->body_size, (uintptr_t)code, false, &body_nops);
    size_t stubs = count_insns(cs, code + info->body_size, info->code_size - info->body_size,
                               (uintptr_t)code + info->body_size, false, &stub_nops);
    body -= body_nops;
    stubs -= stub_nops;
    bool decoded_all = true;
    {
        cs_insn *insn;
        size_t n = cs_disasm(cs, code, info->code_size, (uintptr_t)code, 0, &insn);
        size_t bytes = 0;
        for (size_t i = 0; i < n; i++)
            bytes += insn[i].size;
        cs_free(insn, n);
        decoded_all = bytes == info->code_size;
    }
    int failures = 0;
    if (!decoded_all || body != GOLDEN_BODY || stubs != GOLDEN_STUBS) {
        failures++;
        printf("FAIL: body %zu instructions (golden %d), stubs %zu (golden %d), all decoded %d; listing:\n",
               body, GOLDEN_BODY, stubs, GOLDEN_STUBS, decoded_all);
        count_insns(cs, code, info->code_size, (uintptr_t)code, true, &body_nops);
    }
    cs_close(&cs);
    tcg_backend_x86_64.fini();
    printf("test_jit_codesize: 1 check, %d failures\n", failures);
    return failures;
}
