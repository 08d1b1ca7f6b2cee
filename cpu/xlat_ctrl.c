/*
 * cpu/xlat_ctrl.c — generators for control transfers: conditional and unconditional near
 * jumps, calls and returns, LOOP/JCXZ, far transfers, INT n / INT3 / INTO / ICEBP, IRET and
 * BOUND. Near transfers are inline IR; anything that changes CS or goes through the
 * interrupt machinery calls a helper (helpers_ctrl.c) and leaves the block through the
 * lookup, because the new CS changes the block key.
 *
 * Direct jumps chain through slot 0 (taken) and slot 1 (fall-through).
 */
#include <stddef.h>

#include "cpu/helpers.h"
#include "cpu/xlat.h"

static TCGv const64(uint64_t v)
{
    return tcg_const(TCG_I64, v);
}

/* Two-way exit: fall through to the next instruction, or jump to target at label taken */
static void gen_branch_exits(DisasContext *s, TCGLabel taken, uint64_t target)
{
    gen_jmp_direct(s, s->next_pc, 1);
    tcg_gen_set_label(taken);
    gen_jmp_direct(s, target, 0);
}

/* Leave the block after a helper that set rip (and CS) in env */
static void gen_exit_to_env_rip(DisasContext *s)
{
    TCGv rip = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(rip, offsetof(CPUState, rip), MO_64);
    gen_jmp_indirect(s, rip);
}

/* Call a helper that never returns (it raises or leaves the loop) and close the block */
static void gen_call_noreturn(DisasContext *s, const TCGHelperInfo *h, TCGv a0, TCGv a1)
{
    tcg_gen_call(h, TCG_NOTEMP, a0, a1, TCG_NOTEMP, TCG_NOTEMP);
    tcg_gen_exit_tb();
    s->end = DISAS_JUMPED;
}

/* ---------------------------------------------------------------- near transfers */

static void gen_jcc(DisasContext *s, const X86Insn *insn)
{
    TCGLabel taken = tcg_label_new();
    gen_jcc_label(s, insn->cond, taken);
    gen_branch_exits(s, taken, insn->op[0].imm);
}

static void gen_jmp(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *target = &insn->op[0];
    if (target->kind == X86_OPK_REL) {
        gen_jmp_direct(s, target->imm, 0);
    } else {
        gen_jmp_indirect(s, gen_ld_op(s, target));
    }
}

static void gen_call(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *target = &insn->op[0];
    bool direct = target->kind == X86_OPK_REL;
    /* the target is read before the push, so a fault on either leaves rSP intact */
    TCGv dest = direct ? TCG_NOTEMP : gen_ld_op(s, target);
    gen_push(s, const64(s->next_pc), insn->opsize);
    if (direct) {
        gen_jmp_direct(s, target->imm, 0);
    } else {
        gen_jmp_indirect(s, dest);
    }
}

static void gen_ret(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    uint64_t release = insn->nops > 0 && insn->op[0].kind == X86_OPK_IMM ?
                       insn->op[0].imm & 0xffff : 0;
    TCGv rip = gen_pop_peek(s, size);
    gen_pop_commit(s, size + (int)release);
    gen_jmp_indirect(s, rip);
}

/* LOOP LOOPE LOOPNE JCXZ: the counter is rCX at the address size */
static void gen_loop_family(DisasContext *s, const X86Insn *insn)
{
    int as = insn->addrsize;
    TCGv count = gen_ld_reg(s, R_ECX, as, false);
    TCGv go = tcg_temp_new(TCG_I64);
    if (insn->mnem == MN_jcxz) {
        tcg_gen_setcondi(TCG_COND_EQ, go, count, 0);
    } else {
        TCGv zf = insn->mnem == MN_loop ? TCG_NOTEMP : gen_cond(s, 4);   /* cond 4: E/Z */
        tcg_gen_subi(count, count, 1);
        count = gen_zext(s, count, as);
        gen_st_reg(s, R_ECX, as, false, count);
        tcg_gen_setcondi(TCG_COND_NE, go, count, 0);
        if (insn->mnem == MN_loope) {
            tcg_gen_and(go, go, zf);
        } else if (insn->mnem == MN_loopne) {
            tcg_gen_andc(go, go, zf);
        }
    }
    TCGLabel taken = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_NE, go, 0, taken);
    gen_branch_exits(s, taken, insn->op[0].imm);
}

/* ---------------------------------------------------------------- far transfers */

/* The selector and offset of a far pointer: immediate (ptr16:16/32) or in memory
 * (m16:16/32/64: the offset first, then the selector). Returns false (after raising #UD)
 * for a register operand. */
static bool gen_far_pointer(DisasContext *s, const X86Insn *insn, TCGv *sel, TCGv *off)
{
    const X86Operand *op = &insn->op[0];
    if (op->kind == X86_OPK_FAR) {
        *sel = const64(op->sel);
        *off = const64(op->imm);
        return true;
    }
    if (op->kind != X86_OPK_MEM || op->size < 4) {
        gen_exception(s, EXCP_UD, 0);
        return false;
    }
    int off_size = op->size - 2;
    TCGv la = gen_ea_linear(s, op->size);
    *off = gen_ld_mem(s, la, off_size);
    TCGv sel_la = tcg_temp_new(TCG_I64);
    tcg_gen_addi(sel_la, la, off_size);
    if (s->code_bits != 64) {
        tcg_gen_ext32u(sel_la, sel_la);
    }
    *sel = gen_ld_mem(s, sel_la, 2);
    return true;
}

static void gen_jmpf(DisasContext *s, const X86Insn *insn)
{
    TCGv sel, off;
    if (!gen_far_pointer(s, insn, &sel, &off)) {
        return;
    }
    /* the next rip is what a task switch saves in the old TSS */
    tcg_gen_call(&helper_info_jmp_far, TCG_NOTEMP, sel, off, const64(s->next_pc), TCG_NOTEMP);
    gen_exit_to_env_rip(s);
}

static void gen_callf(DisasContext *s, const X86Insn *insn)
{
    TCGv sel, off;
    if (!gen_far_pointer(s, insn, &sel, &off)) {
        return;
    }
    tcg_gen_call(&helper_info_call_far, TCG_NOTEMP, sel, off, const64(insn->opsize),
                 const64(s->next_pc));
    gen_exit_to_env_rip(s);
}

static void gen_retf(DisasContext *s, const X86Insn *insn)
{
    uint64_t release = insn->nops > 0 && insn->op[0].kind == X86_OPK_IMM ?
                       insn->op[0].imm & 0xffff : 0;
    tcg_gen_call(&helper_info_retf, TCG_NOTEMP, const64(insn->opsize), const64(release),
                 TCG_NOTEMP, TCG_NOTEMP);
    gen_exit_to_env_rip(s);
}

/* ---------------------------------------------------------------- interrupts */

/* INT n is IOPL-sensitive in virtual-8086 mode, INT3 is not */
static void gen_raise_int(DisasContext *s, uint64_t vector, bool iopl_sensitive)
{
    tcg_gen_call(&helper_info_raise_int, TCG_NOTEMP, const64(vector), const64(s->next_pc),
                 const64(iopl_sensitive), TCG_NOTEMP);
    tcg_gen_exit_tb();
    s->end = DISAS_JUMPED;
}

static void gen_int(DisasContext *s, const X86Insn *insn)
{
    gen_raise_int(s, insn->op[0].imm & 0xff, true);
}

static void gen_int3(DisasContext *s, const X86Insn *insn)
{
    gen_raise_int(s, EXCP_BP, false);
}

static void gen_int1(DisasContext *s, const X86Insn *insn)
{
    gen_call_noreturn(s, &helper_info_int1, const64(s->next_pc), TCG_NOTEMP);
}

static void gen_into(DisasContext *s, const X86Insn *insn)
{
    TCGv of = gen_cond(s, 0);   /* cond 0: O */
    tcg_gen_call(&helper_info_into, TCG_NOTEMP, of, const64(s->next_pc), TCG_NOTEMP,
                 TCG_NOTEMP);
}

static void gen_iret(DisasContext *s, const X86Insn *insn)
{
    tcg_gen_call(&helper_info_iret, TCG_NOTEMP, const64(insn->opsize), const64(s->next_pc),
                 TCG_NOTEMP, TCG_NOTEMP);
    s->cc_op = CC_OP_DYNAMIC;
    gen_exit_to_env_rip(s);
}

/* BOUND r, m: the array bounds are two signed values of the operand size */
static void gen_bound(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    if (insn->op[1].kind != X86_OPK_MEM) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    TCGv index = gen_ld_op(s, &insn->op[0]);
    TCGv la = gen_ea_linear(s, size * 2);
    TCGv lower = gen_ld_mem(s, la, size);
    TCGv upper_la = tcg_temp_new(TCG_I64);
    tcg_gen_addi(upper_la, la, size);
    tcg_gen_ext32u(upper_la, upper_la);     /* BOUND does not exist in 64-bit code */
    TCGv upper = gen_ld_mem(s, upper_la, size);
    tcg_gen_call(&helper_info_bound, TCG_NOTEMP, index, lower, upper, const64(size));
}

const XlatEntry xlat_ctrl_entries[] = {
    { MN_jcc, gen_jcc },
    { MN_jmp, gen_jmp },
    { MN_call, gen_call },
    { MN_ret, gen_ret },
    { MN_loop, gen_loop_family },
    { MN_loope, gen_loop_family },
    { MN_loopne, gen_loop_family },
    { MN_jcxz, gen_loop_family },
    { MN_jmpf, gen_jmpf },
    { MN_callf, gen_callf },
    { MN_retf, gen_retf },
    { MN_int, gen_int },
    { MN_int3, gen_int3 },
    { MN_int1, gen_int1 },
    { MN_into, gen_into },
    { MN_iret, gen_iret },
    { MN_bound, gen_bound },
    XLAT_END
};
