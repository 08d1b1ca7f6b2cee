/*
 * cpu/xlat_sse.c — generators for SSE and SSE2 (the mmx_sse mnemonic), LDMXCSR/STMXCSR,
 * FXSAVE/FXRSTOR and MOVNTI. Each SSE instruction is one call to helper_sse with the entry
 * cpu/helpers_sse.c's table has for it; encodings without an entry (MMX, SSE3 and later,
 * RCPPS/RSQRTPS, MASKMOVDQU) raise #UD.
 *
 * Availability: CR4.OSFXSR off makes SSE #UD; CR0.EM (#UD) and CR0.TS (#NM) share one
 * block-key bit (HF_EM_TS), so with it set a helper picks the exception at run time.
 */
#include "cpu/xlat.h"

#include "cpu/helpers.h"
#include "cpu/sse.h"

static TCGv imm64(uint64_t v)
{
    return tcg_const(TCG_I64, v);
}

static void gen_call1(const TCGHelperInfo *h, TCGv a0)
{
    tcg_gen_call(h, TCG_NOTEMP, a0, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
}

/* #UD or #NM by CR0 at run time; ends the block like gen_exception */
static void gen_sse_unavailable(DisasContext *s)
{
    gen_call1(&helper_info_sse_unavailable, TCG_NOTEMP);
    tcg_gen_exit_tb();
    s->end = DISAS_JUMPED;
}

/* The checks every SSE instruction makes first; false when it raised */
static bool gen_sse_available(DisasContext *s)
{
    if (!(s->flags & HF_OSFXSR)) {
        gen_exception(s, EXCP_UD, 0);
        return false;
    }
    if (s->flags & HF_EM_TS) {
        gen_sse_unavailable(s);
        return false;
    }
    return true;
}

/* MOVNTI m32/m64, r: a plain store (no caches modelled) */
static void gen_movnti(DisasContext *s, const X86Insn *insn)
{
    int size = (insn->rex & 8) ? 8 : 4;
    gen_st_mem(s, gen_ea_linear(s, size), size, gen_ld_reg(s, insn->reg, size, false));
}

static void gen_sse(DisasContext *s, const X86Insn *insn)
{
    if (insn->map == 1 && insn->opcode == 0xC3 && insn->mandatory == 0) {
        gen_movnti(s, insn);
        return;
    }
    unsigned mem_bytes;
    bool sets_flags;
    int index = sse_lookup(insn, &mem_bytes, &sets_flags);
    if (index < 0) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (!gen_sse_available(s))
        return;
    TCGv la = mem_bytes ? gen_ea_linear(s, (int)mem_bytes) : imm64(0);
    uint8_t imm = insn->nops && insn->op[0].kind == X86_OPK_IMM ? (uint8_t)insn->op[0].imm : 0;
    tcg_gen_call(&helper_info_sse, TCG_NOTEMP, imm64(sse_desc(insn, index)), la, imm64(imm),
                 TCG_NOTEMP);
    if (sets_flags)
        s->cc_op = CC_OP_EFLAGS;
}

static void gen_ldmxcsr(DisasContext *s, const X86Insn *insn)
{
    if (!gen_sse_available(s))
        return;
    gen_call1(&helper_info_ldmxcsr, gen_ld_mem(s, gen_ea_linear(s, 4), 4));
}

static void gen_stmxcsr(DisasContext *s, const X86Insn *insn)
{
    if (!gen_sse_available(s))
        return;
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(v, offsetof(CPUState, mxcsr), MO_32);
    gen_st_mem(s, gen_ea_linear(s, 4), 4, v);
}

/* FXSAVE/FXRSTOR do not depend on CR4.OSFXSR (it only selects whether the XMM part is
 * saved on some processors; ferry always saves it), but fault on CR0.EM/TS */
static void gen_fxsave_fxrstor(DisasContext *s, const X86Insn *insn)
{
    if (s->flags & HF_EM_TS) {
        gen_sse_unavailable(s);
        return;
    }
    gen_call1(insn->mnem == MN_fxsave ? &helper_info_fxsave : &helper_info_fxrstor,
              gen_ea_linear(s, 512));
}

const XlatEntry xlat_sse_entries[] = {
    { MN_mmx_sse, gen_sse },
    { MN_ldmxcsr, gen_ldmxcsr },
    { MN_stmxcsr, gen_stmxcsr },
    { MN_fxsave, gen_fxsave_fxrstor },
    { MN_fxrstor, gen_fxsave_fxrstor },
    XLAT_END
};
