/*
 * cpu/xlat_core.c — the building blocks every instruction generator uses: register and
 * memory operands, effective and linear addresses, the stack, the lazy flags, and the ways
 * a block ends. See cpu/xlat.h for the contract of each function.
 */
#include "cpu/xlat.h"

#include "cpu/helpers.h"

#define ENV_REG(r)      (offsetof(CPUState, regs) + (size_t)((r) & 15) * sizeof(uint64_t))
#define ENV_SEG(s, f)   (offsetof(CPUState, seg) + (size_t)(s) * sizeof(SegmentCache) + \
                         offsetof(SegmentCache, f))

static TCGMemOp size_mo(int size)
{
    switch (size) {
    case 1: return MO_8;
    case 2: return MO_16;
    case 4: return MO_32;
    default: return MO_64;
    }
}

static uint64_t size_mask(int size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static TCGv new_i64(void)
{
    return tcg_temp_new(TCG_I64);
}

static TCGv const_i64(uint64_t v)
{
    return tcg_const(TCG_I64, v);
}

/* ---------------------------------------------------------------- registers and operands */

TCGv gen_ld_reg(DisasContext *s, int reg, int size, bool hibyte)
{
    TCGv v = new_i64();
    /* env is little-endian on every host we build for, so AH is byte 1 of regs[reg] */
    tcg_gen_ld_env(v, ENV_REG(reg) + (hibyte ? 1 : 0), size_mo(size));
    return v;
}

void gen_st_reg(DisasContext *s, int reg, int size, bool hibyte, TCGv v)
{
    if (size == 4) {
        /* 32-bit writes clear bits 63..32 */
        TCGv z = new_i64();
        tcg_gen_ext32u(z, v);
        tcg_gen_st_env(z, ENV_REG(reg), MO_64);
        return;
    }
    /* narrower stores leave the other bytes of the register as they were */
    tcg_gen_st_env(v, ENV_REG(reg) + (hibyte ? 1 : 0), size_mo(size));
}

TCGv gen_sext(DisasContext *s, TCGv v, int size)
{
    TCGv d = new_i64();
    switch (size) {
    case 1: tcg_gen_ext8s(d, v); break;
    case 2: tcg_gen_ext16s(d, v); break;
    case 4: tcg_gen_ext32s(d, v); break;
    default: tcg_gen_mov(d, v); break;
    }
    return d;
}

TCGv gen_zext(DisasContext *s, TCGv v, int size)
{
    TCGv d = new_i64();
    switch (size) {
    case 1: tcg_gen_ext8u(d, v); break;
    case 2: tcg_gen_ext16u(d, v); break;
    case 4: tcg_gen_ext32u(d, v); break;
    default: tcg_gen_mov(d, v); break;
    }
    return d;
}

TCGv gen_ea_offset(DisasContext *s)
{
    const X86Insn *insn = s->insn;
    TCGv ea = const_i64((uint64_t)insn->disp);
    if (insn->ea_base >= 0) {
        tcg_gen_add(ea, ea, gen_ld_reg(s, insn->ea_base, 8, false));
    }
    if (insn->ea_index >= 0) {
        TCGv idx = gen_ld_reg(s, insn->ea_index, 8, false);
        tcg_gen_shli(idx, idx, insn->ea_scale & 3);
        tcg_gen_add(ea, ea, idx);
    }
    return insn->addrsize >= 8 ? ea : gen_zext(s, ea, insn->addrsize);
}

/* Raise vector at the current instruction from inside the instruction's IR (the block goes
 * on after it: the call does not return at run time). */
static void gen_raise(int vector, uint32_t error_code)
{
    tcg_gen_call(&helper_info_raise_exception, TCG_NOTEMP, const_i64((uint64_t)vector),
                 const_i64(error_code), TCG_NOTEMP, TCG_NOTEMP);
}

/* gen_linear with the address size of the access given explicitly (the stack uses the
 * stack's, not the instruction's). */
static TCGv gen_linear_sized(DisasContext *s, TCGv offset, int seg, int size, int addr_bytes)
{
    bool real_or_v86 = !(s->flags & HF_PE) || (s->flags & HF_VM);
    if (real_or_v86 && addr_bytes == 2) {
        /* real-mode segments end at 0xFFFF: an access that runs past it faults instead of
         * wrapping */
        TCGLabel ok = tcg_label_new();
        tcg_gen_brcondi(TCG_COND_LEU, offset, 0x10000 - size, ok);
        gen_raise(seg == R_SS ? EXCP_SS : EXCP_GP, 0);
        tcg_gen_set_label(ok);
    }
    bool flat = s->code_bits == 64 && seg != R_FS && seg != R_GS;
    TCGv la = new_i64();
    if (flat || seg < 0 || seg >= NB_SEGS) {
        tcg_gen_mov(la, offset);
    } else {
        TCGv base = new_i64();
        tcg_gen_ld_env(base, ENV_SEG(seg, base), MO_64);
        tcg_gen_add(la, offset, base);
    }
    if (s->code_bits != 64) {
        tcg_gen_ext32u(la, la);
    }
    return la;
}

TCGv gen_linear(DisasContext *s, TCGv offset, int seg, int size)
{
    return gen_linear_sized(s, offset, seg, size, s->insn->addrsize);
}

TCGv gen_ea_linear(DisasContext *s, int size)
{
    if (s->ea == TCG_NOTEMP) {
        s->ea = gen_linear(s, gen_ea_offset(s), s->insn->seg, size);
    }
    return s->ea;
}

TCGv gen_ld_mem(DisasContext *s, TCGv linear, int size)
{
    TCGv v = new_i64();
    tcg_gen_qemu_ld(v, linear, size_mo(size), s->mmu_idx);
    return v;
}

void gen_st_mem(DisasContext *s, TCGv linear, int size, TCGv v)
{
    tcg_gen_qemu_st(v, linear, size_mo(size), s->mmu_idx);
}

TCGv gen_ld_op(DisasContext *s, const X86Operand *op)
{
    switch (op->kind) {
    case X86_OPK_REG:
        return gen_ld_reg(s, op->reg, op->size, op->hibyte);
    case X86_OPK_MEM:
        return gen_ld_mem(s, gen_ea_linear(s, op->size), op->size);
    case X86_OPK_SEG: {
        TCGv v = new_i64();
        tcg_gen_ld_env(v, ENV_SEG(op->reg % NB_SEGS, selector), MO_16);
        return v;
    }
    case X86_OPK_IMM: {
        /* an immediate sign-extended to the operand size may be described with its
         * encoded size: keep the wider of the two */
        int size = op->size > s->insn->opsize ? op->size : s->insn->opsize;
        return const_i64(op->imm & size_mask(size ? size : 8));
    }
    default:
        /* REL and FAR carry their value in imm as well */
        return const_i64(op->imm);
    }
}

void gen_st_op(DisasContext *s, const X86Operand *op, TCGv v)
{
    switch (op->kind) {
    case X86_OPK_REG:
        gen_st_reg(s, op->reg, op->size, op->hibyte, v);
        break;
    case X86_OPK_MEM:
        gen_st_mem(s, gen_ea_linear(s, op->size), op->size, v);
        break;
    default:
        /* segment, control and debug registers are written by their own generators (they
         * need the architectural checks); reaching here is a table error, reported to the
         * guest as an invalid opcode rather than crashing the host */
        gen_raise(EXCP_UD, 0);
        break;
    }
}

/* ---------------------------------------------------------------- stack */

int stack_size(const DisasContext *s)
{
    return s->code_bits == 64 ? 8 : s->ss32 ? 4 : 2;
}

void gen_push(DisasContext *s, TCGv v, int size)
{
    int ss = stack_size(s);
    TCGv sp = gen_ld_reg(s, R_ESP, ss, false);
    tcg_gen_subi(sp, sp, size);
    if (ss < 8) {
        sp = gen_zext(s, sp, ss);
    }
    gen_st_mem(s, gen_linear_sized(s, sp, R_SS, size, ss), size, v);
    gen_st_reg(s, R_ESP, ss, false, sp);
}

TCGv gen_pop_peek(DisasContext *s, int size)
{
    int ss = stack_size(s);
    TCGv sp = gen_ld_reg(s, R_ESP, ss, false);
    return gen_ld_mem(s, gen_linear_sized(s, sp, R_SS, size, ss), size);
}

void gen_pop_commit(DisasContext *s, int size)
{
    int ss = stack_size(s);
    TCGv sp = gen_ld_reg(s, R_ESP, ss, false);
    tcg_gen_addi(sp, sp, size);
    gen_st_reg(s, R_ESP, ss, false, sp);
}

/* ---------------------------------------------------------------- flags */

static bool cc_known(CCOp op)
{
    return op < NB_CC_OPS;
}

/* Operation family of a sized CCOp: CC_OP_ADDB for all four ADD sizes, and so on. */
static CCOp cc_family(CCOp op)
{
    return op == CC_OP_EFLAGS ? op : (CCOp)(op - ((op - 1) & 3));
}

static int cc_size(CCOp op)
{
    return 1 << ((op - 1) & 3);
}

static TCGv ld_env64(size_t off)
{
    TCGv v = new_i64();
    tcg_gen_ld_env(v, off, MO_64);
    return v;
}

void gen_set_cc(DisasContext *s, CCOp op, TCGv dst, TCGv src, TCGv src2)
{
    if (op == CC_OP_EFLAGS && src == TCG_NOTEMP) {
        /* the flags may come in either slot: they belong in cc_src */
        src = dst;
        dst = TCG_NOTEMP;
    }
    if (dst != TCG_NOTEMP) {
        tcg_gen_st_env(dst, offsetof(CPUState, cc_dst), MO_64);
    }
    if (src != TCG_NOTEMP) {
        tcg_gen_st_env(src, offsetof(CPUState, cc_src), MO_64);
    }
    if (src2 != TCG_NOTEMP) {
        tcg_gen_st_env(src2, offsetof(CPUState, cc_src2), MO_64);
    }
    if (op != s->cc_op) {
        tcg_gen_st_env(const_i64(op), offsetof(CPUState, cc_op), MO_32);
        s->cc_op = op;
    }
}

/* All CC_MASK flags of the current lazy state, without changing it. */
static TCGv gen_flags_value(DisasContext *s)
{
    TCGv f = new_i64();
    if (s->cc_op == CC_OP_EFLAGS) {
        tcg_gen_ld_env(f, offsetof(CPUState, cc_src), MO_64);
        tcg_gen_andi(f, f, CC_MASK);
        return f;
    }
    TCGv op;
    if (cc_known(s->cc_op)) {
        op = const_i64(s->cc_op);
    } else {
        op = new_i64();
        tcg_gen_ld_env(op, offsetof(CPUState, cc_op), MO_32);
    }
    tcg_gen_call(&helper_info_cc_compute_all, f, op, ld_env64(offsetof(CPUState, cc_dst)),
                 ld_env64(offsetof(CPUState, cc_src)), ld_env64(offsetof(CPUState, cc_src2)));
    return f;
}

TCGv gen_compute_eflags(DisasContext *s)
{
    TCGv f = gen_flags_value(s);
    if (s->cc_op != CC_OP_EFLAGS) {
        gen_set_cc(s, CC_OP_EFLAGS, TCG_NOTEMP, f, TCG_NOTEMP);
    }
    return f;
}

TCGv gen_get_eflags(DisasContext *s)
{
    TCGv f = gen_flags_value(s);
    TCGv rest = new_i64();
    tcg_gen_ld_env(rest, offsetof(CPUState, eflags), MO_32);
    tcg_gen_or(f, f, rest);
    return f;
}

/* Bit b of v as 0/1 */
static TCGv gen_bit(TCGv v, int b)
{
    TCGv r = new_i64();
    tcg_gen_shri(r, v, b);
    tcg_gen_andi(r, r, 1);
    return r;
}

static TCGv gen_setcond(TCGCond c, TCGv a, TCGv b)
{
    TCGv r = new_i64();
    tcg_gen_setcond(c, r, a, b);
    return r;
}

/* x86 condition (without the invert bit: cond >> 1) from a computed flags value. */
static TCGv gen_cond_from_flags(TCGv f, int base)
{
    static const uint32_t any_of[8] = {
        [0] = CC_O, [1] = CC_C, [2] = CC_Z, [3] = CC_C | CC_Z, [4] = CC_S, [5] = CC_P,
    };
    TCGv r = new_i64();
    if (base < 6) {
        tcg_gen_andi(r, f, any_of[base]);
        tcg_gen_setcondi(TCG_COND_NE, r, r, 0);
        return r;
    }
    /* L: SF != OF; LE: ZF or SF != OF */
    tcg_gen_shri(r, f, 11 - 7);
    tcg_gen_xor(r, r, f);
    tcg_gen_shri(r, r, 7);
    tcg_gen_andi(r, r, 1);
    if (base == 7) {
        tcg_gen_or(r, r, gen_bit(f, 6));
    }
    return r;
}

/* Parity flag of the low byte of v: 1 when the number of set bits is even. */
static TCGv gen_parity(TCGv v)
{
    TCGv r = new_i64();
    tcg_gen_ext8u(r, v);
    tcg_gen_ctpop(r, r);
    tcg_gen_andi(r, r, 1);
    tcg_gen_xori(r, r, 1);
    return r;
}

/* Inline evaluation of condition base (cond >> 1) for a known lazy state; TCG_NOTEMP when
 * there is no short form and the flags must be computed. */
static TCGv gen_cond_fast(DisasContext *s, int base)
{
    CCOp op = s->cc_op;
    if (!cc_known(op) || op == CC_OP_EFLAGS) {
        return TCG_NOTEMP;
    }
    CCOp fam = cc_family(op);
    int size = cc_size(op);
    TCGv dst = gen_zext(s, ld_env64(offsetof(CPUState, cc_dst)), size);

    switch (base) {
    case 2: /* Z */
        return gen_setcond(TCG_COND_EQ, dst, const_i64(0));
    case 4: /* S */
        return gen_bit(dst, size * 8 - 1);
    case 5: /* P */
        return gen_parity(dst);
    }

    if (fam == CC_OP_LOGICB) {
        /* CF = OF = 0: B and O never hold, BE is Z, L is S, LE is Z or S */
        switch (base) {
        case 0: case 1: return const_i64(0);
        case 3: return gen_setcond(TCG_COND_EQ, dst, const_i64(0));
        case 6: return gen_bit(dst, size * 8 - 1);
        case 7: {
            TCGv r = gen_setcond(TCG_COND_EQ, dst, const_i64(0));
            tcg_gen_or(r, r, gen_bit(dst, size * 8 - 1));
            return r;
        }
        }
        return TCG_NOTEMP;
    }

    TCGv src = gen_zext(s, ld_env64(offsetof(CPUState, cc_src)), size);
    if (fam == CC_OP_ADDB && base == 1) {
        return gen_setcond(TCG_COND_LTU, dst, src);   /* carry out: result wrapped below src */
    }
    if (fam != CC_OP_SUBB || base == 0) {
        return TCG_NOTEMP;
    }
    /* SUB/CMP: compare the original operands directly */
    TCGv src1 = new_i64();
    tcg_gen_add(src1, dst, src);
    src1 = gen_zext(s, src1, size);
    switch (base) {
    case 1: return gen_setcond(TCG_COND_LTU, src1, src);
    case 3: return gen_setcond(TCG_COND_LEU, src1, src);
    case 6: return gen_setcond(TCG_COND_LT, gen_sext(s, src1, size), gen_sext(s, src, size));
    case 7: return gen_setcond(TCG_COND_LE, gen_sext(s, src1, size), gen_sext(s, src, size));
    }
    return TCG_NOTEMP;
}

TCGv gen_cond(DisasContext *s, int cond)
{
    int base = (cond >> 1) & 7;
    TCGv r = gen_cond_fast(s, base);
    if (r == TCG_NOTEMP) {
        r = gen_cond_from_flags(gen_flags_value(s), base);
    }
    if (cond & 1) {
        tcg_gen_xori(r, r, 1);
    }
    return r;
}

TCGv gen_get_cf(DisasContext *s)
{
    return gen_cond(s, 2);   /* B: CF */
}

void gen_jcc_label(DisasContext *s, int cond, TCGLabel l)
{
    tcg_gen_brcondi(TCG_COND_NE, gen_cond(s, cond), 0, l);
}

/* ---------------------------------------------------------------- block exits */

void gen_update_rip(DisasContext *s, uint64_t rip)
{
    tcg_gen_st_env(const_i64(rip), offsetof(CPUState, rip), MO_64);
}

void gen_jmp_direct(DisasContext *s, uint64_t rip, int slot)
{
    gen_update_rip(s, rip);
    tcg_gen_goto_tb(slot);
    s->end = DISAS_JUMPED;
}

void gen_jmp_indirect(DisasContext *s, TCGv rip)
{
    tcg_gen_st_env(rip, offsetof(CPUState, rip), MO_64);
    tcg_gen_exit_tb();
    s->end = DISAS_JUMPED;
}

void gen_exception(DisasContext *s, int vector, uint32_t error_code)
{
    gen_raise(vector, error_code);
    /* not reached at run time; closes the block for the backends */
    tcg_gen_exit_tb();
    s->end = DISAS_JUMPED;
}
