/*
 * cpu/xlat_sse.c — generators for MMX and SSE through SSE4.2 (the mmx_sse mnemonic),
 * CRC32, LDMXCSR/STMXCSR, FXSAVE/FXRSTOR and MOVNTI. Each vector instruction is one call to
 * helper_sse with the entry the helpers' tables (cpu/helpers_sse*.c, helpers_mmx.c) have
 * for it; encodings without an entry (RCPPS/RSQRTPS, SHA, AES) raise #UD.
 *
 * Availability: CR4.OSFXSR off makes instructions that name an xmm register #UD (MMX-only
 * forms do not depend on it); CR0.EM (#UD) and CR0.TS (#NM) share one block-key bit
 * (HF_EM_TS), so with it set a helper picks the exception at run time. A pending x87
 * exception (#MF) is the MMX forms' helper's check.
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

/* MASKMOVQ / MASKMOVDQU store to DS:rDI (a segment override is not seen: the decoder
 * records none for a register-form instruction) */
static TCGv gen_maskmov_linear(DisasContext *s, const X86Insn *insn)
{
    int width = insn->mandatory == 0x66 ? 16 : 8;
    TCGv off = gen_ld_reg(s, R_EDI, insn->addrsize, false);
    return gen_linear(s, off, R_DS, width);
}

static void gen_sse(DisasContext *s, const X86Insn *insn)
{
    if (insn->map == 1 && insn->opcode == 0xC3 && insn->mandatory == 0) {
        gen_movnti(s, insn);
        return;
    }
    SseLookup e;
    if (!sse_lookup(insn, &e)) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (e.needs_osfxsr && !(s->flags & HF_OSFXSR)) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (s->flags & HF_EM_TS) {
        gen_sse_unavailable(s);
        return;
    }
    if (gen_sse_inline(s, insn))
        return;
    TCGv la = e.mem_bytes ? gen_ea_linear(s, (int)e.mem_bytes)
            : insn->map == 1 && insn->opcode == 0xF7 ? gen_maskmov_linear(s, insn) : imm64(0);
    uint8_t imm = insn->nops && insn->op[0].kind == X86_OPK_IMM ? (uint8_t)insn->op[0].imm : 0;
    tcg_gen_call(&helper_info_sse, TCG_NOTEMP, imm64(sse_desc(insn, e.index)), la, imm64(imm),
                 TCG_NOTEMP);
    if (e.sets_flags)
        s->cc_op = CC_OP_EFLAGS;
}

/* CRC32 r32/r64, r/m8/16/32/64 (F2 0F 38 F0/F1): a general-purpose instruction (no CR0 or
 * CR4 condition). The source size is the operand's; the destination is 32 bits, or 64 with
 * REX.W (its upper half zero). */
static void gen_crc32(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *src = &insn->op[1];
    TCGv acc = gen_ld_reg(s, insn->op[0].reg, 4, false);
    TCGv v = gen_ld_op(s, src);
    TCGv r = tcg_temp_new(TCG_I64);
    tcg_gen_call(&helper_info_crc32, r, acc, v, imm64(src->size), TCG_NOTEMP);
    gen_st_reg(s, insn->op[0].reg, insn->op[0].size, false, r);
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
    { MN_crc32, gen_crc32 },
    { MN_ldmxcsr, gen_ldmxcsr },
    { MN_stmxcsr, gen_stmxcsr },
    { MN_fxsave, gen_fxsave_fxrstor },
    { MN_fxrstor, gen_fxsave_fxrstor },
    XLAT_END
};
