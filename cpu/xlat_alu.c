/*
 * cpu/xlat_alu.c — generators for integer arithmetic and logic, multiply and divide, BCD
 * adjusts, shifts and rotates, bit scans and tests, conditional moves and sets, and plain
 * data movement (mov, movzx, movsx, lea, cbw...).
 *
 * Every generator performs its faulting accesses (loads, stores, dividing helpers) before
 * it records flags, so a fault leaves the previous flags in env.
 */
#include "cpu/helpers.h"
#include "cpu/xlat.h"

static TCGv t64(void)
{
    return tcg_temp_new(TCG_I64);
}

static TCGv c64(uint64_t v)
{
    return tcg_const(TCG_I64, v);
}

static TCGv bit_of(TCGv v, int b)
{
    TCGv r = t64();
    tcg_gen_shri(r, v, b);
    tcg_gen_andi(r, r, 1);
    return r;
}

/* The single explicit operand of the one-operand forms (MUL, DIV...): the decoder may list
 * the implicit accumulator before it, so it is always the last one. */
static const X86Operand *last_op(const X86Insn *insn)
{
    return &insn->op[insn->nops ? insn->nops - 1 : 0];
}

/* Replace the bits of the materialised flags f selected by mask with bits (already in
 * place) and make that the lazy state. */
static void gen_set_flag_bits(DisasContext *s, TCGv f, uint32_t mask, TCGv bits)
{
    TCGv nf = t64();
    tcg_gen_andi(nf, f, ~(int64_t)mask & CC_MASK);
    tcg_gen_or(nf, nf, bits);
    gen_set_cc(s, CC_OP_EFLAGS, TCG_NOTEMP, nf, TCG_NOTEMP);
}

/* ---------------------------------------------------------------- two-operand arithmetic */

typedef struct ArithOp {
    uint16_t mnem;
    CCOp cc;            /* B variant */
    TCGOpcode opc;      /* INDEX_op_add/sub/and/or/xor */
    bool with_carry;    /* ADC, SBB */
    bool writes;        /* false for CMP and TEST */
} ArithOp;

static const ArithOp arith_ops[] = {
    { MN_add, CC_OP_ADDB,   INDEX_op_add, false, true },
    { MN_adc, CC_OP_ADCB,   INDEX_op_add, true,  true },
    { MN_sub, CC_OP_SUBB,   INDEX_op_sub, false, true },
    { MN_sbb, CC_OP_SBBB,   INDEX_op_sub, true,  true },
    { MN_cmp, CC_OP_SUBB,   INDEX_op_sub, false, false },
    { MN_and, CC_OP_LOGICB, INDEX_op_and, false, true },
    { MN_test, CC_OP_LOGICB, INDEX_op_and, false, false },
    { MN_or,  CC_OP_LOGICB, INDEX_op_or,  false, true },
    { MN_xor, CC_OP_LOGICB, INDEX_op_xor, false, true },
};

static void gen_binop(TCGOpcode opc, TCGv d, TCGv a, TCGv b)
{
    switch (opc) {
    case INDEX_op_add: tcg_gen_add(d, a, b); break;
    case INDEX_op_sub: tcg_gen_sub(d, a, b); break;
    case INDEX_op_and: tcg_gen_and(d, a, b); break;
    case INDEX_op_or:  tcg_gen_or(d, a, b); break;
    default:           tcg_gen_xor(d, a, b); break;
    }
}

static void gen_arith(DisasContext *s, const X86Insn *insn)
{
    const ArithOp *op = NULL;
    for (size_t i = 0; i < sizeof(arith_ops) / sizeof(arith_ops[0]); i++) {
        if (arith_ops[i].mnem == insn->mnem) {
            op = &arith_ops[i];
        }
    }
    const X86Operand *dop = &insn->op[0];
    int size = dop->size;
    TCGv a = gen_ld_op(s, dop);
    TCGv b = gen_zext(s, gen_ld_op(s, &insn->op[1]), size);
    TCGv carry = op->with_carry ? gen_get_cf(s) : TCG_NOTEMP;
    TCGv r = t64();
    gen_binop(op->opc, r, a, b);
    if (op->with_carry) {
        gen_binop(op->opc, r, r, carry);
    }
    r = gen_zext(s, r, size);
    if (op->writes) {
        gen_st_op(s, dop, r);
    }
    bool logic = op->cc == CC_OP_LOGICB;
    gen_set_cc(s, cc_op_sized(op->cc, size), r, logic ? TCG_NOTEMP : b, carry);
}

/* INC/DEC keep CF: it goes into cc_src */
static void gen_incdec(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    bool inc = insn->mnem == MN_inc;
    TCGv a = gen_ld_op(s, dop);
    TCGv cf = gen_get_cf(s);
    TCGv r = t64();
    tcg_gen_addi(r, a, inc ? 1 : -1);
    r = gen_zext(s, r, dop->size);
    gen_st_op(s, dop, r);
    gen_set_cc(s, cc_op_sized(inc ? CC_OP_INCB : CC_OP_DECB, dop->size), r, cf, TCG_NOTEMP);
}

/* NEG is 0 - a: the SUB flags with src1 = 0, src = a */
static void gen_neg(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    TCGv a = gen_ld_op(s, dop);
    TCGv r = t64();
    tcg_gen_neg(r, a);
    r = gen_zext(s, r, dop->size);
    gen_st_op(s, dop, r);
    gen_set_cc(s, cc_op_sized(CC_OP_SUBB, dop->size), r, a, TCG_NOTEMP);
}

static void gen_not(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    TCGv r = t64();
    tcg_gen_not(r, gen_ld_op(s, dop));
    gen_st_op(s, dop, r);
}

/* ---------------------------------------------------------------- multiply and divide */

static bool is_accumulator_form(const X86Insn *insn)
{
    return insn->map == 0 && (insn->opcode & 0xfe) == 0xf6;
}

/* Product of a and b (zero-extended operands of size bytes): low part (zero-extended) and
 * an overflow witness, nonzero iff CF = OF = 1; hi gets the upper half for MUL/IMUL's
 * rDX (NOTEMP if unused). */
static void gen_product(DisasContext *s, bool is_signed, int size, TCGv a, TCGv b,
                        TCGv *lo_out, TCGv *hi_out, TCGv *ovf_out)
{
    TCGv lo = t64(), hi = t64(), ovf = t64();
    if (size == 8) {
        if (is_signed) {
            tcg_gen_muls2(lo, hi, a, b);
            TCGv sign = t64();
            tcg_gen_sari(sign, lo, 63);
            tcg_gen_xor(ovf, hi, sign);
        } else {
            tcg_gen_mulu2(lo, hi, a, b);
            tcg_gen_mov(ovf, hi);
        }
    } else {
        int bits = size * 8;
        TCGv p = t64();
        if (is_signed) {
            tcg_gen_mul(p, gen_sext(s, a, size), gen_sext(s, b, size));
            /* the product fits when it equals its own low part sign-extended (0/1: the
             * flag code masks src to the operand size) */
            tcg_gen_setcond(TCG_COND_NE, ovf, p, gen_sext(s, p, size));
            tcg_gen_sari(hi, p, bits);
        } else {
            tcg_gen_mul(p, a, b);
            tcg_gen_shri(hi, p, bits);
            tcg_gen_mov(ovf, hi);
        }
        lo = gen_zext(s, p, size);
        hi = gen_zext(s, hi, size);
    }
    *lo_out = lo;
    *hi_out = hi;
    *ovf_out = ovf;
}

static void gen_mul_common(DisasContext *s, const X86Insn *insn, bool is_signed)
{
    if (!is_accumulator_form(insn)) {
        /* IMUL r, r/m (dest is also the first factor) or IMUL r, r/m, imm */
        const X86Operand *dop = &insn->op[0];
        int size = dop->size;
        const X86Operand *fa = insn->nops >= 3 ? &insn->op[1] : &insn->op[0];
        const X86Operand *fb = insn->nops >= 3 ? &insn->op[2] : &insn->op[1];
        TCGv b = gen_zext(s, gen_ld_op(s, fb), size);
        TCGv a = gen_zext(s, gen_ld_op(s, fa), size);
        TCGv lo, hi, ovf;
        gen_product(s, true, size, a, b, &lo, &hi, &ovf);
        gen_st_op(s, dop, lo);
        gen_set_cc(s, cc_op_sized(CC_OP_MULB, size), lo, ovf, TCG_NOTEMP);
        return;
    }
    const X86Operand *src = last_op(insn);
    int size = src->size;
    TCGv b = gen_ld_op(s, src);
    TCGv a = gen_ld_reg(s, R_EAX, size, false);
    TCGv lo, hi, ovf;
    gen_product(s, is_signed, size, a, b, &lo, &hi, &ovf);
    if (size == 1) {
        TCGv ax = t64();
        tcg_gen_shli(ax, hi, 8);
        tcg_gen_or(ax, ax, lo);
        gen_st_reg(s, R_EAX, 2, false, ax);
    } else {
        gen_st_reg(s, R_EAX, size, false, lo);
        gen_st_reg(s, R_EDX, size, false, hi);
    }
    gen_set_cc(s, cc_op_sized(CC_OP_MULB, size), lo, ovf, TCG_NOTEMP);
}

static void gen_mul(DisasContext *s, const X86Insn *insn)
{
    gen_mul_common(s, insn, false);
}

static void gen_imul(DisasContext *s, const X86Insn *insn)
{
    gen_mul_common(s, insn, true);
}

/* DIV/IDIV: the helper checks for #DE before it writes rAX/rDX; flags are left as they
 * were (the SDM leaves them undefined). */
static void gen_div(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *src = last_op(insn);
    TCGv divisor = gen_ld_op(s, src);
    tcg_gen_call(insn->mnem == MN_idiv ? &helper_info_idiv : &helper_info_div, TCG_NOTEMP,
                 c64(src->size), divisor, TCG_NOTEMP, TCG_NOTEMP);
}

/* ---------------------------------------------------------------- BCD */

static void gen_bcd(DisasContext *s, const X86Insn *insn)
{
    static const struct { uint16_t mnem; uint8_t op; } bcd_ops[] = {
        { MN_daa, BCD_DAA }, { MN_das, BCD_DAS }, { MN_aaa, BCD_AAA },
        { MN_aas, BCD_AAS }, { MN_aam, BCD_AAM }, { MN_aad, BCD_AAD },
    };
    int which = BCD_DAA;
    for (size_t i = 0; i < sizeof(bcd_ops) / sizeof(bcd_ops[0]); i++) {
        if (bcd_ops[i].mnem == insn->mnem) {
            which = bcd_ops[i].op;
        }
    }
    /* AAM/AAD carry their base as an immediate (10 in the usual encoding) */
    uint64_t base = 10;
    for (int i = 0; i < insn->nops; i++) {
        if (insn->op[i].kind == X86_OPK_IMM) {
            base = insn->op[i].imm & 0xff;
        }
    }
    tcg_gen_call(&helper_info_bcd, TCG_NOTEMP, c64((uint64_t)which), c64(base),
                 TCG_NOTEMP, TCG_NOTEMP);
    s->cc_op = CC_OP_DYNAMIC;
}

/* ---------------------------------------------------------------- shifts and rotates */

typedef enum ShiftKind { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAR } ShiftKind;

static const struct { uint16_t mnem; uint8_t kind; } shift_kinds[] = {
    { MN_rol, SH_ROL }, { MN_ror, SH_ROR }, { MN_rcl, SH_RCL }, { MN_rcr, SH_RCR },
    { MN_shl, SH_SHL }, { MN_sal, SH_SHL }, { MN_shr, SH_SHR }, { MN_sar, SH_SAR },
};

/* The shift count operand, masked as x86 does (5 bits, 6 with 64-bit operands). Sets
 * *is_const and *const_count when the count is known at translation time. */
static TCGv gen_shift_count(DisasContext *s, const X86Insn *insn, int count_op, int size,
                            bool *is_const, uint64_t *const_count)
{
    uint64_t mask = size == 8 ? 63 : 31;
    if (insn->nops <= count_op) {
        *is_const = true;                       /* the D0/D1 forms: by one */
        *const_count = 1;
        return c64(1);
    }
    const X86Operand *cop = &insn->op[count_op];
    if (cop->kind == X86_OPK_IMM) {
        *is_const = true;
        *const_count = cop->imm & mask;
        return c64(*const_count);
    }
    *is_const = false;
    TCGv c = gen_ld_op(s, cop);
    tcg_gen_andi(c, c, (int64_t)mask);
    return c;
}

/* Flags after a shift are recorded only when the masked count is not zero. With a run-time
 * count that is a branch around the flag update; afterwards only env knows cc_op. */
static TCGLabel gen_skip_if_zero_count(bool is_const, TCGv count)
{
    if (is_const) {
        return 0;
    }
    TCGLabel skip = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_EQ, count, 0, skip);
    return skip;
}

static void gen_end_skip(DisasContext *s, bool is_const, TCGLabel skip, bool keeps_cc_op)
{
    if (is_const) {
        return;
    }
    tcg_gen_set_label(skip);
    if (!keeps_cc_op) {
        s->cc_op = CC_OP_DYNAMIC;
    }
}

static void gen_shift_arith(DisasContext *s, const X86Operand *dop, ShiftKind kind, TCGv a,
                            TCGv count, bool is_const)
{
    int size = dop->size, bits = size * 8;
    TCGv r = t64(), last = t64(), of = TCG_NOTEMP;
    TCGv count_m1 = t64();
    tcg_gen_subi(count_m1, count, 1);
    CCOp cc;
    if (kind == SH_SHL) {
        tcg_gen_shl(r, a, count);
        tcg_gen_shl(last, a, count_m1);        /* top bit = last bit out */
        cc = CC_OP_SHLB;
    } else {
        TCGv v = kind == SH_SAR ? gen_sext(s, a, size) : a;
        if (kind == SH_SAR) {
            tcg_gen_sar(r, v, count);
            tcg_gen_sar(last, v, count_m1);    /* bit 0 = last bit out */
            of = c64(0);
        } else {
            tcg_gen_shr(r, v, count);
            tcg_gen_shr(last, v, count_m1);
            of = bit_of(a, bits - 1);
        }
        cc = CC_OP_SARB;
    }
    r = gen_zext(s, r, size);
    gen_st_op(s, dop, r);
    TCGLabel skip = gen_skip_if_zero_count(is_const, count);
    gen_set_cc(s, cc_op_sized(cc, size), r, last, of);
    gen_end_skip(s, is_const, skip, false);
}

/* Rotate of a (zero-extended, size bytes) by count within its width */
static TCGv gen_rotate_value(DisasContext *s, bool right, int size, TCGv a, TCGv count)
{
    TCGv r = t64();
    if (size == 8) {
        if (right) {
            tcg_gen_rotr(r, a, count);
        } else {
            tcg_gen_rotl(r, a, count);
        }
        return r;
    }
    int bits = size * 8;
    TCGv n = t64(), back = t64(), hi = t64(), lo = t64();
    tcg_gen_andi(n, count, bits - 1);
    tcg_gen_sub(back, c64((uint64_t)bits), n);
    if (right) {
        tcg_gen_shr(lo, a, n);
        tcg_gen_shl(hi, a, back);
    } else {
        tcg_gen_shl(hi, a, n);
        tcg_gen_shr(lo, a, back);
    }
    tcg_gen_or(r, hi, lo);
    return gen_zext(s, r, size);
}

static void gen_shift_rotate(DisasContext *s, const X86Operand *dop, ShiftKind kind, TCGv a,
                             TCGv count, bool is_const)
{
    int size = dop->size, bits = size * 8;
    bool right = kind == SH_ROR || kind == SH_RCR;
    TCGv f = gen_compute_eflags(s);
    TCGv r, cf;
    if (kind == SH_RCL || kind == SH_RCR) {
        TCGv cf_in = bit_of(f, 0);
        uint64_t mode = (uint64_t)size | (right ? ROTC_RIGHT : 0);
        r = t64();
        cf = t64();
        tcg_gen_call(&helper_info_rotate_carry, r, c64(mode), a, count, cf_in);
        tcg_gen_call(&helper_info_rotate_carry, cf, c64(mode | ROTC_WANT_CF), a, count, cf_in);
    } else {
        r = gen_rotate_value(s, right, size, a, count);
        cf = bit_of(r, right ? bits - 1 : 0);
    }
    /* OF as hardware computes it for every count (the SDM defines it for count 1) */
    TCGv of = bit_of(r, bits - 1);
    tcg_gen_xor(of, of, right ? bit_of(r, bits - 2) : cf);
    gen_st_op(s, dop, r);
    TCGLabel skip = gen_skip_if_zero_count(is_const, count);
    tcg_gen_shli(of, of, 11);
    tcg_gen_or(of, of, cf);
    gen_set_flag_bits(s, f, CC_C | CC_O, of);
    gen_end_skip(s, is_const, skip, true);
}

static void gen_shift(DisasContext *s, const X86Insn *insn)
{
    ShiftKind kind = SH_SHL;
    for (size_t i = 0; i < sizeof(shift_kinds) / sizeof(shift_kinds[0]); i++) {
        if (shift_kinds[i].mnem == insn->mnem) {
            kind = (ShiftKind)shift_kinds[i].kind;
        }
    }
    const X86Operand *dop = &insn->op[0];
    bool is_const;
    uint64_t const_count = 0;
    TCGv count = gen_shift_count(s, insn, 1, dop->size, &is_const, &const_count);
    TCGv a = gen_ld_op(s, dop);
    if (is_const && const_count == 0) {
        /* nothing moves and no flag changes, but the write still happens (a 32-bit
         * register is zero-extended, a read-only page faults) */
        gen_st_op(s, dop, a);
        return;
    }
    if (kind >= SH_SHL) {
        gen_shift_arith(s, dop, kind, a, count, is_const);
    } else {
        gen_shift_rotate(s, dop, kind, a, count, is_const);
    }
}

/* SHLD/SHRD dest, src, count: dest shifted with bits coming in from src. */
static void gen_shift_double(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    int size = dop->size, bits = size * 8;
    bool left = insn->mnem == MN_shld;
    bool is_const;
    uint64_t const_count = 0;
    TCGv count = gen_shift_count(s, insn, 2, size, &is_const, &const_count);
    TCGv a = gen_ld_op(s, dop);
    TCGv b = gen_zext(s, gen_ld_op(s, &insn->op[1]), size);
    if (is_const && const_count == 0) {
        gen_st_op(s, dop, a);
        return;
    }
    TCGv r = t64(), last = t64(), count_m1 = t64();
    tcg_gen_subi(count_m1, count, 1);
    if (size == 8) {
        TCGv in = t64(), back = t64();
        tcg_gen_sub(back, c64(64), count);
        if (left) {
            tcg_gen_shl(r, a, count);
            tcg_gen_shr(in, b, back);
            tcg_gen_shl(last, a, count_m1);
        } else {
            tcg_gen_shr(r, a, count);
            tcg_gen_shl(in, b, back);
            tcg_gen_shr(last, a, count_m1);
        }
        tcg_gen_or(r, r, in);
        /* a run-time count of 0 would shift src in by 64, which the IR takes modulo 64 */
        tcg_gen_movcond(TCG_COND_EQ, r, count, c64(0), a, r);
    } else {
        /* dest and src side by side in one 64-bit value (counts beyond the operand size
         * are undefined for 16-bit operands: this shifts in src and then zeros) */
        TCGv pair = t64();
        if (left) {
            tcg_gen_shli(pair, a, bits);
            tcg_gen_or(pair, pair, b);
            tcg_gen_shl(r, pair, count);
            tcg_gen_shri(r, r, bits);
            tcg_gen_shl(last, pair, count_m1);
            tcg_gen_shri(last, last, bits);
        } else {
            tcg_gen_shli(pair, b, bits);
            tcg_gen_or(pair, pair, a);
            tcg_gen_shr(r, pair, count);
            tcg_gen_shr(last, pair, count_m1);
        }
    }
    r = gen_zext(s, r, size);
    gen_st_op(s, dop, r);
    TCGLabel skip = gen_skip_if_zero_count(is_const, count);
    if (left) {
        gen_set_cc(s, cc_op_sized(CC_OP_SHLB, size), r, last, TCG_NOTEMP);
    } else {
        /* OF: the sign changed */
        TCGv of = bit_of(r, bits - 1);
        tcg_gen_xor(of, of, bit_of(a, bits - 1));
        gen_set_cc(s, cc_op_sized(CC_OP_SARB, size), r, last, of);
    }
    gen_end_skip(s, is_const, skip, false);
}

/* ---------------------------------------------------------------- bit test, scan, count */

static int log2_size(int size)
{
    return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/* BT BTS BTR BTC: CF = the selected bit; ZF kept, the rest undefined (kept). */
static void gen_bit_test(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    const X86Operand *oop = &insn->op[1];
    int size = dop->size, bits = size * 8;
    TCGv offset = gen_ld_op(s, oop);
    if (dop->kind == X86_OPK_MEM && oop->kind != X86_OPK_IMM) {
        /* a register bit offset is signed and may address beyond the operand: move the
         * access by whole operands */
        TCGv disp = gen_sext(s, offset, size);
        tcg_gen_sari(disp, disp, 3 + log2_size(size));
        tcg_gen_shli(disp, disp, log2_size(size));
        TCGv ea = t64();
        tcg_gen_add(ea, gen_ea_offset(s), disp);
        if (insn->addrsize < 8) {
            ea = gen_zext(s, ea, insn->addrsize);
        }
        s->ea = gen_linear(s, ea, insn->seg, size);
    }
    TCGv bit = t64();
    tcg_gen_andi(bit, offset, bits - 1);
    TCGv v = gen_ld_op(s, dop);
    TCGv cf = t64();
    tcg_gen_shr(cf, v, bit);
    tcg_gen_andi(cf, cf, 1);
    if (insn->mnem != MN_bt) {
        TCGv m = t64(), r = t64();
        tcg_gen_shl(m, c64(1), bit);
        if (insn->mnem == MN_bts) {
            tcg_gen_or(r, v, m);
        } else if (insn->mnem == MN_btr) {
            tcg_gen_andc(r, v, m);
        } else {
            tcg_gen_xor(r, v, m);
        }
        gen_st_op(s, dop, r);
    }
    gen_set_flag_bits(s, gen_compute_eflags(s), CC_C, cf);
}

/* BSF/BSR: a zero source sets ZF and leaves the destination untouched (upper half of a
 * 64-bit register included), as processors do. */
static void gen_bit_scan(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    int size = dop->size;
    TCGv v = gen_zext(s, gen_ld_op(s, &insn->op[1]), size);
    TCGv zf = t64();
    tcg_gen_setcondi(TCG_COND_EQ, zf, v, 0);
    tcg_gen_shli(zf, zf, 6);
    gen_set_flag_bits(s, gen_compute_eflags(s), CC_Z, zf);
    TCGLabel skip = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_EQ, v, 0, skip);
    TCGv r = t64();
    if (insn->mnem == MN_bsf) {
        tcg_gen_ctz(r, v, c64(0));
    } else {
        tcg_gen_clz(r, v, c64(0));
        tcg_gen_xori(r, r, 63);                 /* index of the top bit: 63 - clz */
    }
    gen_st_op(s, dop, r);
    tcg_gen_set_label(skip);
}

/* TZCNT LZCNT (CF = source zero, ZF = result zero) and POPCNT (ZF = source zero, the
 * other flags cleared). */
static void gen_count_bits(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    int size = dop->size, bits = size * 8;
    TCGv v = gen_zext(s, gen_ld_op(s, &insn->op[1]), size);
    TCGv r = t64(), flags = t64(), t = t64();
    if (insn->mnem == MN_popcnt) {
        tcg_gen_ctpop(r, v);
        gen_st_op(s, dop, r);
        tcg_gen_setcondi(TCG_COND_EQ, flags, v, 0);
        tcg_gen_shli(flags, flags, 6);
        gen_set_cc(s, CC_OP_EFLAGS, TCG_NOTEMP, flags, TCG_NOTEMP);
        return;
    }
    if (insn->mnem == MN_tzcnt) {
        tcg_gen_ctz(r, v, c64((uint64_t)bits));
    } else {
        tcg_gen_clz(r, v, c64(64));
        tcg_gen_subi(r, r, 64 - bits);
    }
    gen_st_op(s, dop, r);
    tcg_gen_setcondi(TCG_COND_EQ, flags, v, 0);         /* CF */
    tcg_gen_setcondi(TCG_COND_EQ, t, r, 0);
    tcg_gen_shli(t, t, 6);                              /* ZF */
    tcg_gen_or(flags, flags, t);
    gen_set_flag_bits(s, gen_compute_eflags(s), CC_C | CC_Z, flags);
}

static void gen_bswap(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    TCGv r = t64();
    if (dop->size == 2) {
        /* undefined by the SDM; processors clear the low word */
        tcg_gen_movi(r, 0);
    } else {
        tcg_gen_bswap(r, gen_ld_op(s, dop));
        if (dop->size == 4) {
            tcg_gen_shri(r, r, 32);
        }
    }
    gen_st_op(s, dop, r);
}

/* ---------------------------------------------------------------- conditional */

/* CMOVcc reads its source whatever the condition, and a 32-bit destination is written
 * (zero-extended) either way. */
static void gen_cmovcc(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dop = &insn->op[0];
    TCGv v = gen_ld_op(s, &insn->op[1]);
    TCGv old = gen_ld_op(s, dop);
    TCGv c = gen_cond(s, insn->cond);
    TCGv r = t64();
    tcg_gen_movcond(TCG_COND_NE, r, c, c64(0), v, old);
    gen_st_op(s, dop, r);
}

static void gen_setcc(DisasContext *s, const X86Insn *insn)
{
    gen_st_op(s, &insn->op[0], gen_cond(s, insn->cond));
}

/* SALC: AL = CF ? 0xFF : 0 */
static void gen_salc(DisasContext *s, const X86Insn *insn)
{
    TCGv r = t64();
    tcg_gen_neg(r, gen_get_cf(s));
    gen_st_reg(s, R_EAX, 1, false, r);
}

/* ---------------------------------------------------------------- flags to and from AH */

#define AH_FLAGS (CC_S | CC_Z | CC_A | CC_P | CC_C)

static void gen_lahf(DisasContext *s, const X86Insn *insn)
{
    TCGv r = t64();
    tcg_gen_andi(r, gen_compute_eflags(s), AH_FLAGS);
    tcg_gen_ori(r, r, 0x02);                    /* EFLAGS bit 1 reads as 1 */
    gen_st_reg(s, R_EAX, 1, true, r);
}

static void gen_sahf(DisasContext *s, const X86Insn *insn)
{
    TCGv ah = gen_ld_reg(s, R_EAX, 1, true);
    tcg_gen_andi(ah, ah, AH_FLAGS);
    gen_set_flag_bits(s, gen_compute_eflags(s), AH_FLAGS, ah);
}

/* ---------------------------------------------------------------- data movement */

static void gen_mov(DisasContext *s, const X86Insn *insn)
{
    gen_st_op(s, &insn->op[0], gen_ld_op(s, &insn->op[1]));
}

static void gen_movsx(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *sop = &insn->op[1];
    gen_st_op(s, &insn->op[0], gen_sext(s, gen_ld_op(s, sop), sop->size));
}

/* LEA: the offset only, no segment and no access; the store truncates to the dest size */
static void gen_lea(DisasContext *s, const X86Insn *insn)
{
    gen_st_op(s, &insn->op[0], gen_ea_offset(s));
}

/* CBW/CWDE/CDQE: rAX = sign-extended lower half of itself */
static void gen_cbw(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    TCGv a = gen_ld_reg(s, R_EAX, size / 2, false);
    gen_st_reg(s, R_EAX, size, false, gen_sext(s, a, size / 2));
}

/* CWD/CDQ/CQO: rDX = the sign of rAX, repeated */
static void gen_cwd(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    TCGv r = gen_sext(s, gen_ld_reg(s, R_EAX, size, false), size);
    tcg_gen_sari(r, r, 63);
    gen_st_reg(s, R_EDX, size, false, r);
}

const XlatEntry xlat_alu_entries[] = {
    { MN_add, gen_arith }, { MN_or, gen_arith }, { MN_adc, gen_arith },
    { MN_sbb, gen_arith }, { MN_and, gen_arith }, { MN_sub, gen_arith },
    { MN_xor, gen_arith }, { MN_cmp, gen_arith }, { MN_test, gen_arith },
    { MN_inc, gen_incdec }, { MN_dec, gen_incdec },
    { MN_neg, gen_neg }, { MN_not, gen_not },
    { MN_mul, gen_mul }, { MN_imul, gen_imul }, { MN_div, gen_div }, { MN_idiv, gen_div },
    { MN_daa, gen_bcd }, { MN_das, gen_bcd }, { MN_aaa, gen_bcd }, { MN_aas, gen_bcd },
    { MN_aam, gen_bcd }, { MN_aad, gen_bcd },
    { MN_rol, gen_shift }, { MN_ror, gen_shift }, { MN_rcl, gen_shift },
    { MN_rcr, gen_shift }, { MN_shl, gen_shift }, { MN_sal, gen_shift },
    { MN_shr, gen_shift }, { MN_sar, gen_shift },
    { MN_shld, gen_shift_double }, { MN_shrd, gen_shift_double },
    { MN_bt, gen_bit_test }, { MN_bts, gen_bit_test }, { MN_btr, gen_bit_test },
    { MN_btc, gen_bit_test },
    { MN_bsf, gen_bit_scan }, { MN_bsr, gen_bit_scan },
    { MN_tzcnt, gen_count_bits }, { MN_lzcnt, gen_count_bits }, { MN_popcnt, gen_count_bits },
    { MN_bswap, gen_bswap },
    { MN_cmovcc, gen_cmovcc }, { MN_setcc, gen_setcc }, { MN_salc, gen_salc },
    { MN_lahf, gen_lahf }, { MN_sahf, gen_sahf },
    { MN_mov, gen_mov }, { MN_movzx, gen_mov }, { MN_movsx, gen_movsx },
    { MN_movsxd, gen_movsx }, { MN_lea, gen_lea },
    { MN_cbw, gen_cbw }, { MN_cwd, gen_cwd },
    XLAT_END
};
