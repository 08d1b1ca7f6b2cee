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

/* Bits above the operand size may be garbage in these helpers' inputs: a flag that comes
 * from a sign bit is read at the operand's top bit and masked. */
static TCGv gen_sign_bit(TCGv v, int size)
{
    return gen_bit(v, size * 8 - 1);
}

/* (a <u b) | (extra & (a == b)): the carry of an ADC / borrow of an SBB whose carry-in is
 * extra (0/1) */
static TCGv gen_below_or_equal_if(TCGv a, TCGv b, TCGv extra)
{
    TCGv r = gen_setcond(TCG_COND_LTU, a, b);
    TCGv eq = gen_setcond(TCG_COND_EQ, a, b);
    tcg_gen_and(eq, eq, extra);
    tcg_gen_or(r, r, eq);
    return r;
}

/* The operands of the lazy state, each zero-extended from the operand size. */
typedef struct LazyOperands {
    CCOp fam;
    int size;
    TCGv dst, src, carry_in;    /* carry_in: ADC/SBB only (0/1) */
} LazyOperands;

/* The first operand of an ADD/ADC (dst - src - carry) or SUB/SBB (dst + src + borrow),
 * zero-extended from the operand size. */
static TCGv gen_first_operand(DisasContext *s, const LazyOperands *o)
{
    bool add = o->fam == CC_OP_ADDB || o->fam == CC_OP_ADCB;
    TCGv a = new_i64();
    if (add) {
        tcg_gen_sub(a, o->dst, o->src);
    } else {
        tcg_gen_add(a, o->dst, o->src);
    }
    if (o->carry_in != TCG_NOTEMP) {
        if (add) {
            tcg_gen_sub(a, a, o->carry_in);
        } else {
            tcg_gen_add(a, a, o->carry_in);
        }
    }
    return gen_zext(s, a, o->size);
}

/* CF of the lazy state as 0/1. */
static TCGv gen_cf_inline(DisasContext *s, const LazyOperands *o)
{
    switch (o->fam) {
    case CC_OP_ADDB:
        return gen_setcond(TCG_COND_LTU, o->dst, o->src);      /* result wrapped below src */
    case CC_OP_ADCB:
        return gen_below_or_equal_if(o->dst, o->src, o->carry_in);
    case CC_OP_SUBB:
        return gen_setcond(TCG_COND_LTU, gen_first_operand(s, o), o->src);
    case CC_OP_SBBB:
        return gen_below_or_equal_if(gen_first_operand(s, o), o->src, o->carry_in);
    case CC_OP_INCB: case CC_OP_DECB: case CC_OP_SARB:
        return gen_bit(o->src, 0);                              /* CF before / last bit out */
    case CC_OP_SHLB:
        return gen_sign_bit(o->src, o->size);                   /* last bit shifted out */
    case CC_OP_MULB:
        return gen_setcond(TCG_COND_NE, o->src, const_i64(0));
    default:
        return const_i64(0);                                    /* LOGIC */
    }
}

/* OF of the lazy state as 0/1. */
static TCGv gen_of_inline(DisasContext *s, const LazyOperands *o)
{
    switch (o->fam) {
    case CC_OP_ADDB: case CC_OP_ADCB: case CC_OP_SUBB: case CC_OP_SBBB: {
        /* ADD: the operands agree in sign and the result differs from them;
         * SUB: the operands differ in sign and the result differs from the first */
        bool add = o->fam == CC_OP_ADDB || o->fam == CC_OP_ADCB;
        TCGv a = gen_first_operand(s, o);
        TCGv res_vs_a = new_i64(), other = new_i64();
        tcg_gen_xor(res_vs_a, o->dst, a);
        tcg_gen_xor(other, add ? o->dst : a, o->src);
        tcg_gen_and(res_vs_a, res_vs_a, other);
        return gen_sign_bit(res_vs_a, o->size);
    }
    case CC_OP_INCB: case CC_OP_DECB: {
        uint64_t sign = 1ull << (o->size * 8 - 1);
        return gen_setcond(TCG_COND_EQ, o->dst, const_i64(o->fam == CC_OP_INCB ? sign : sign - 1));
    }
    case CC_OP_SHLB: {
        TCGv x = new_i64();
        tcg_gen_xor(x, o->src, o->dst);                         /* CF != new MSB */
        return gen_sign_bit(x, o->size);
    }
    case CC_OP_SARB:
        return gen_bit(ld_env64(offsetof(CPUState, cc_src2)), 0);
    case CC_OP_MULB:
        return gen_setcond(TCG_COND_NE, o->src, const_i64(0));
    default:
        return const_i64(0);                                    /* LOGIC */
    }
}

/* Inline evaluation of condition base (cond >> 1) for a known lazy state; TCG_NOTEMP when
 * the flags must be computed by the helper (unknown state). */
static TCGv gen_cond_fast(DisasContext *s, int base)
{
    CCOp op = s->cc_op;
    if (!cc_known(op) || op == CC_OP_EFLAGS) {
        return TCG_NOTEMP;
    }
    LazyOperands o = { cc_family(op), cc_size(op), TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP };
    o.dst = gen_zext(s, ld_env64(offsetof(CPUState, cc_dst)), o.size);

    switch (base) {
    case 2: /* Z */
        return gen_setcond(TCG_COND_EQ, o.dst, const_i64(0));
    case 4: /* S */
        return gen_sign_bit(o.dst, o.size);
    case 5: /* P */
        return gen_parity(o.dst);
    }

    if (o.fam == CC_OP_LOGICB) {
        /* CF = OF = 0: B and O never hold, BE is Z, L is S, LE is Z or S */
        switch (base) {
        case 0: case 1: return const_i64(0);
        case 3: return gen_setcond(TCG_COND_EQ, o.dst, const_i64(0));
        case 6: return gen_sign_bit(o.dst, o.size);
        default: {
            TCGv r = gen_setcond(TCG_COND_EQ, o.dst, const_i64(0));
            tcg_gen_or(r, r, gen_sign_bit(o.dst, o.size));
            return r;
        }
        }
    }

    o.src = gen_zext(s, ld_env64(offsetof(CPUState, cc_src)), o.size);
    if (o.fam == CC_OP_ADCB || o.fam == CC_OP_SBBB) {
        o.carry_in = gen_bit(ld_env64(offsetof(CPUState, cc_src2)), 0);
    }
    if (o.fam == CC_OP_SUBB && base != 0) {
        /* SUB/CMP: compare the original operands directly (one fused compare-and-branch) */
        TCGv a = gen_first_operand(s, &o);
        switch (base) {
        case 1: return gen_setcond(TCG_COND_LTU, a, o.src);
        case 3: return gen_setcond(TCG_COND_LEU, a, o.src);
        case 6: return gen_setcond(TCG_COND_LT, gen_sext(s, a, o.size), gen_sext(s, o.src, o.size));
        default: return gen_setcond(TCG_COND_LE, gen_sext(s, a, o.size), gen_sext(s, o.src, o.size));
        }
    }

    switch (base) {
    case 0: /* O */
        return gen_of_inline(s, &o);
    case 1: /* B */
        return gen_cf_inline(s, &o);
    case 3: { /* BE: CF or ZF */
        TCGv r = gen_cf_inline(s, &o);
        tcg_gen_or(r, r, gen_setcond(TCG_COND_EQ, o.dst, const_i64(0)));
        return r;
    }
    default: { /* L: SF != OF; LE: ZF or SF != OF */
        TCGv r = gen_of_inline(s, &o);
        tcg_gen_xor(r, r, gen_sign_bit(o.dst, o.size));
        if (base == 7) {
            tcg_gen_or(r, r, gen_setcond(TCG_COND_EQ, o.dst, const_i64(0)));
        }
        return r;
    }
    }
}

/* Condition cond (with its invert bit) at the lazy state s->cc_op, helper or inline. */
static TCGv gen_cond_at_state(DisasContext *s, int cond)
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

/* At an unknown lazy state (a block's start: the previous block's CMP before a second Jcc,
 * an INC's carry-in...), guess the state env holds now, while the block is translated for
 * the state it is entered with, and test the guess at run time: the guessed state's inline
 * form when it holds, the helper otherwise. Guessing never changes what the code computes,
 * only how fast. false: no guess worth a run-time test. */
static bool predict_cc_op(const DisasContext *s, CCOp *guess)
{
    if (cc_known(s->cc_op) || !cc_known((CCOp)s->env->cc_op)) {
        return false;
    }
    *guess = (CCOp)s->env->cc_op;
    return true;
}

/* Branch to taken when the lazy state in env is not guess. */
static void gen_brcond_cc_op_differs(CCOp guess, TCGLabel taken)
{
    TCGv op = new_i64();
    tcg_gen_ld_env(op, offsetof(CPUState, cc_op), MO_32);
    tcg_gen_brcondi(TCG_COND_NE, op, guess, taken);
}

TCGv gen_cond(DisasContext *s, int cond)
{
    CCOp guess;
    if (!predict_cc_op(s, &guess)) {
        return gen_cond_at_state(s, cond);
    }
    TCGv r = new_i64();
    TCGLabel other = tcg_label_new(), done = tcg_label_new();
    gen_brcond_cc_op_differs(guess, other);
    s->cc_op = guess;
    tcg_gen_mov(r, gen_cond_at_state(s, cond));
    tcg_gen_br(done);
    tcg_gen_set_label(other);
    s->cc_op = CC_OP_DYNAMIC;
    tcg_gen_mov(r, gen_cond_at_state(s, cond));
    tcg_gen_set_label(done);
    return r;
}

TCGv gen_get_cf(DisasContext *s)
{
    return gen_cond(s, 2);   /* B: CF */
}

void gen_jcc_label(DisasContext *s, int cond, TCGLabel l)
{
    CCOp guess;
    if (!predict_cc_op(s, &guess)) {
        tcg_gen_brcondi(TCG_COND_NE, gen_cond_at_state(s, cond), 0, l);
        return;
    }
    /* each path branches on its own comparison, so the guessed one stays a fused
     * compare-and-branch */
    TCGLabel other = tcg_label_new(), done = tcg_label_new();
    gen_brcond_cc_op_differs(guess, other);
    s->cc_op = guess;
    tcg_gen_brcondi(TCG_COND_NE, gen_cond_at_state(s, cond), 0, l);
    tcg_gen_br(done);
    tcg_gen_set_label(other);
    s->cc_op = CC_OP_DYNAMIC;
    tcg_gen_brcondi(TCG_COND_NE, gen_cond_at_state(s, cond), 0, l);
    tcg_gen_set_label(done);
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
