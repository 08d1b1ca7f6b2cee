/*
 * cpu/xlat_x87.c — the x87 escape opcodes D8-DF: one call to helper_x87 per instruction
 * (cpu/helpers_x87.c decodes the escape and ModRM again and runs it on softfloat). CR0.EM
 * or CR0.TS (one block-key bit) raise #NM before anything else.
 */
#include "cpu/xlat.h"

#include "cpu/helpers.h"
#include "cpu/x87.h"

static void gen_x87(DisasContext *s, const X86Insn *insn)
{
    if (s->flags & HF_EM_TS) {
        tcg_gen_call(&helper_info_x87_unavailable, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP,
                     TCG_NOTEMP, TCG_NOTEMP);
        tcg_gen_exit_tb();
        s->end = DISAS_JUMPED;
        return;
    }
    unsigned esc = insn->opcode & 7;
    bool wide = insn->opsize != 2;
    bool memory = insn->mod != 3;
    unsigned size = memory ? x87_mem_size(esc, (insn->modrm >> 3) & 7, wide) : 0;
    if (memory && !size) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    TCGv la = memory ? gen_ea_linear(s, (int)size) : tcg_const(TCG_I64, 0);
    tcg_gen_call(&helper_info_x87, TCG_NOTEMP, tcg_const(TCG_I64, X87_DESC(esc, insn->modrm, wide)),
                 la, TCG_NOTEMP, TCG_NOTEMP);
    /* FCOMI/FUCOMI(P) write EFLAGS; the helper leaves env's lazy state as CC_OP_EFLAGS */
    if (!memory && (esc == 3 || esc == 7) && ((insn->modrm >> 3) & 7) >= 5 &&
        ((insn->modrm >> 3) & 7) <= 6)
        s->cc_op = CC_OP_EFLAGS;
}

/* XSAVE XSAVEOPT XSAVEC XRSTOR (and the REX.W forms, whose only difference is the FIP/FDP
 * format ferry saves as zero): the helper checks CR4.OSXSAVE, CR0.TS and alignment */
static void gen_xsave(DisasContext *s, const X86Insn *insn)
{
    unsigned kind = insn->mnem == MN_xsave ? XSAVE_KIND_SAVE
                  : insn->mnem == MN_xsaveopt ? XSAVE_KIND_SAVEOPT
                  : insn->mnem == MN_xsavec ? XSAVE_KIND_SAVEC : XSAVE_KIND_RSTOR;
    tcg_gen_call(&helper_info_xsave, TCG_NOTEMP, gen_ea_linear(s, 576), tcg_const(TCG_I64, kind),
                 TCG_NOTEMP, TCG_NOTEMP);
}

static void gen_xgetbv_xsetbv(DisasContext *s, const X86Insn *insn)
{
    tcg_gen_call(insn->mnem == MN_xgetbv ? &helper_info_xgetbv : &helper_info_xsetbv,
                 TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
}

const XlatEntry xlat_x87_entries[] = {
    { MN_x87, gen_x87 },
    { MN_xsave, gen_xsave },
    { MN_xsaveopt, gen_xsave },
    { MN_xsavec, gen_xsave },
    { MN_xrstor, gen_xsave },
    { MN_xgetbv, gen_xgetbv_xsetbv },
    { MN_xsetbv, gen_xgetbv_xsetbv },
    XLAT_END
};
