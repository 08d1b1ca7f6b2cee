/*
 * tests/aarch64/test_a64_golden.c — golden AArch64 code for a few guest instructions: the
 * exact instruction listing (Capstone's disassembly) of the body and the count of the
 * out-of-line stubs, so that any change to the generated code shows up as a failing test
 * (update the listing on purpose, with the reason, when the code generator changes).
 *
 * It only generates code, never runs it, so it also builds and runs on x86-64 hosts (with
 * the AArch64 backend's sources compiled into the test). Capstone decoding every word is
 * also a check of the encoder.
 */
#include "tcg/backend.h"
#include "tcg/backend/aarch64/a64jit.h"
#include "tests/tcg/fake_mmu.h"

#include <capstone/capstone.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct GoldEnv {
    uint64_t regs[8];
    uint64_t pc;
    int32_t exit_req;
    uint32_t pad;
    CPUTLB tlb;
} GoldEnv;

static GoldEnv env;

static void fe_translate(void *e, TranslationBlock *tb) { tcg_fatal("not used"); }
static void fe_get_key(void *e, TBKey *key) { tcg_fatal("not used"); }
static void fe_set_pc(void *e, uint64_t pc) { ((GoldEnv *)e)->pc = pc; }

static const TCGFrontend frontend = {
    .translate = fe_translate, .get_key = fe_get_key, .set_pc = fe_set_pc,
    .exit_req_offset = offsetof(GoldEnv, exit_req),
};

#define REG32(n) offsetof(GoldEnv, regs[n])

/* add eax, ebx; jnz 0x2000 — two guest registers, the add, the store back, the compare
 * with zero fused into cbnz, two chained exits. */
static void gen_add_jnz(void)
{
    tcg_gen_insn_start(0x1000);
    TCGv eax = tcg_temp_new(TCG_I32), ebx = tcg_temp_new(TCG_I32);
    tcg_gen_ld_env(eax, REG32(0), MO_UL);
    tcg_gen_ld_env(ebx, REG32(3), MO_UL);
    tcg_gen_add(eax, eax, ebx);
    tcg_gen_st_env(eax, REG32(0), MO_UL);
    tcg_gen_insn_start(0x1002);
    TCGLabel taken = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_NE, eax, 0, taken);
    tcg_gen_st_env(tcg_const(TCG_I64, 0x1004), offsetof(GoldEnv, pc), MO_UQ);
    tcg_gen_goto_tb(1);
    tcg_gen_set_label(taken);
    tcg_gen_st_env(tcg_const(TCG_I64, 0x2000), offsetof(GoldEnv, pc), MO_UQ);
    tcg_gen_goto_tb(0);
}

/* mov eax, [rbx + 8] — the inline TLB probe and the load through the addend. */
static void gen_load(void)
{
    tcg_gen_insn_start(0x1000);
    TCGv rbx = tcg_temp_new(TCG_I64), addr = tcg_temp_new(TCG_I64), eax = tcg_temp_new(TCG_I32);
    tcg_gen_ld_env(rbx, REG32(3), MO_UQ);
    tcg_gen_addi(addr, rbx, 8);
    tcg_gen_qemu_ld(eax, addr, MO_UL, 0);
    tcg_gen_st_env(eax, REG32(0), MO_UL);
    tcg_gen_st_env(tcg_const(TCG_I64, 0x1003), offsetof(GoldEnv, pc), MO_UQ);
    tcg_gen_exit_tb();
}

/* shl eax, 3; setc-like compare: eax = (ecx <u edx) — immediate shift as a bitfield move,
 * setcond as cmp + cset. */
static void gen_shift_setcond(void)
{
    tcg_gen_insn_start(0x1000);
    TCGv eax = tcg_temp_new(TCG_I32), ecx = tcg_temp_new(TCG_I32), edx = tcg_temp_new(TCG_I32);
    tcg_gen_ld_env(eax, REG32(0), MO_UL);
    tcg_gen_shli(eax, eax, 3);
    tcg_gen_st_env(eax, REG32(0), MO_UL);
    tcg_gen_ld_env(ecx, REG32(1), MO_UL);
    tcg_gen_ld_env(edx, REG32(2), MO_UL);
    tcg_gen_setcond(TCG_COND_LTU, eax, ecx, edx);
    tcg_gen_st_env(eax, REG32(2), MO_UL);
    tcg_gen_exit_tb();
}

typedef struct Golden {
    const char *name;
    void (*gen)(void);
    uint32_t cflags;
    const char *body;       /* mnemonics of the body, one space-separated string */
    unsigned stubs;         /* instructions after the body, movk not counted: how many a
                               host address takes depends on where the helpers are loaded */
} Golden;

/* Every body starts with the block entry: tcg_exec_state.tb = tb (ldr literal + str) and
 * the stop_request test (ldrb + cbnz), and ends with the trap (brk). Every block has the
 * stop stub: mov x0 env, movz pc, movz (+movk) helper address, blr, then the exit (ldr
 * literal tb, movz kind, b epilogue): 7. */
static const Golden goldens[] = {
    /* 2 ldr from env, add, str, cbnz; per exit: the pc store (movz + str), the exit_req
     * test (ldr + cbnz), the patchable b. Stubs: stop (7) and one exit per slot (3 + 3). */
    { "add eax, ebx; jnz", gen_add_jnz, 0,
      "ldr str ldrb cbnz ldr ldr add str cbnz movz str ldr cbnz b movz str ldr cbnz b brk", 13 },
    /* ldr rbx, add 8; TLB probe: ubfx index, add env + index*32, (add high part of the
     * table offset), ldr tag, add last byte, and page, cmp, b.ne, ldr addend; ldr w [addr +
     * addend]; str; pc store; the unchained exit (ldr literal, movz, b). Stubs: stop (7)
     * and the TLB miss (mov addr, movz size, movz idx, mov env, insn_pc store (movz, str),
     * movz helper, blr, extend the result, b back: 10). */
    { "mov eax, [rbx+8]", gen_load, TB_CF_NO_CHAIN,
      "ldr str ldrb cbnz ldr add ubfx add ldr add and cmp b.ne ldr ldr str movz str ldr movz b brk", 17 },
    /* ldr, lsl as ubfm, str; ldr, ldr, cmp, cset, str; the unchained exit. Stubs: stop. */
    { "shl eax, 3; setb", gen_shift_setcond, TB_CF_NO_CHAIN,
      "ldr str ldrb cbnz ldr lsl str ldr ldr cmp cset str ldr movz b brk", 7 },
};

static int check(csh cs, const Golden *gd)
{
    tcg_block_begin();
    gd->gen();
    static TranslationBlock tb;
    tb = (TranslationBlock){ .key = { .pc = 0x1000, .cflags = gd->cflags } };
    if (!tcg_backend_aarch64.compile(tcg_current_block(), &tb)) {
        printf("FAIL %s: compile failed\n", gd->name);
        return 1;
    }
    const A64BlockInfo *info = a64_block_info(&tb);
    const uint8_t *code = tb.code;
    cs_insn *insn;
    size_t n = cs_disasm(cs, code, info->code_size, 0, 0, &insn);
    char body[1024] = "";
    size_t body_n = 0, stubs_n = 0, len = 0;
    for (size_t i = 0; i < n; i++) {
        if (insn[i].address < info->body_size) {
            len += (size_t)snprintf(body + len, sizeof body - len, "%s%s", body_n ? " " : "", insn[i].mnemonic);
            body_n++;
        } else if (strcmp(insn[i].mnemonic, "movk") != 0) {
            stubs_n++;
        }
    }
    const bool decoded_all = n * 4 == info->code_size;
    const bool pass = decoded_all && strcmp(body, gd->body) == 0
                   && stubs_n == gd->stubs;
    printf("%s %s: body %zu instructions, stubs %zu\n", pass ? "ok" : "FAIL", gd->name, body_n, stubs_n);
    if (!pass) {
        printf("  golden body: %s\n  got body:    %s\n  decoded all: %d\n", gd->body, body, decoded_all);
        for (size_t i = 0; i < n; i++)
            printf("  %4llx  %-8s %s\n", (unsigned long long)insn[i].address, insn[i].mnemonic, insn[i].op_str);
    }
    cs_free(insn, n);
    return !pass;
}

int main(void)
{
    fake_mmu_attach(&env, offsetof(GoldEnv, tlb));
    if (!tcg_init(&frontend, TCG_BACKEND_INTERP, 1u << 16) || !tcg_backend_aarch64.init(1u << 16)) {
        printf("init failed\n");
        return 1;
    }
    csh cs;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &cs) != CS_ERR_OK) {
        printf("capstone has no AArch64 support\n");
        return 1;
    }
    int failures = 0;
    const int nb = (int)(sizeof goldens / sizeof goldens[0]);
    for (int i = 0; i < nb; i++)
        failures += check(cs, &goldens[i]);
    cs_close(&cs);
    tcg_backend_aarch64.fini();
    printf("test_a64_golden: %d checks, %d failures\n", nb, failures);
    return failures != 0;
}
