/*
 * cpu/xlat_sse_inline.c — the SSE/SSE2 instructions that are only data movement or 64-bit
 * lane logic, generated as IR on env->xmm instead of a call to helper_sse: moves between
 * xmm registers, memory and general registers, the bitwise operations, the quadword
 * unpacks and shuffles, PADDQ/PSUBQ. Compiled scalar floating-point code is mostly these
 * around its arithmetic, and a helper call each costs more than the operation.
 *
 * Every access that can fault (the alignment check, the loads, the stores) comes before
 * the first register write, as in helper_sse. xlat_sse.c has already made the CR0/CR4
 * checks and knows the encoding is implemented.
 */
#include "cpu/xlat.h"

#include "cpu/helpers.h"
#include "cpu/sse.h"

typedef enum InlineKind {
    IK_LOAD,        /* xmm = xmm/m128 */
    IK_STORE,       /* xmm/m128 = xmm */
    IK_LOAD_SD,     /* MOVSD load: memory zero-extends, a register merges the low qword */
    IK_LOAD_SS,     /* MOVSS load: the same with the low dword */
    IK_STORE_SD,    /* MOVSD store */
    IK_STORE_SS,    /* MOVSS store */
    IK_MOVQ_LOAD,   /* MOVQ xmm, xmm/m64: upper qword zeroed */
    IK_MOVQ_STORE,  /* MOVQ xmm/m64, xmm: a register destination's upper qword zeroed */
    IK_MOVD_TO,     /* MOVD/MOVQ xmm, r/m32/64 */
    IK_MOVD_FROM,   /* MOVD/MOVQ r/m32/64, xmm */
    IK_HALF_LOAD,   /* MOVLPx/MOVHPx loads (param = qword), MOVHLPS/MOVLHPS */
    IK_HALF_STORE,  /* MOVLPx/MOVHPx stores (param = qword) */
    IK_AND, IK_ANDN, IK_OR, IK_XOR,
    IK_UNPCKL_Q,    /* UNPCKLPD, PUNPCKLQDQ */
    IK_UNPCKH_Q,    /* UNPCKHPD, PUNPCKHQDQ */
    IK_SHUFPD,
    IK_ADDQ, IK_SUBQ,
} InlineKind;

typedef struct InlineOp {
    uint8_t opcode;
    uint8_t pfx_mask;   /* NP P66 PF3 PF2 */
    uint8_t kind;       /* InlineKind */
    uint8_t bytes;      /* memory operand size (0: by REX.W for MOVD) */
    bool aligned;       /* 16-byte alignment or #GP */
    uint8_t param;
} InlineOp;

static const InlineOp inline_ops[] = {
    { 0x10, NP | P66, IK_LOAD, 16, false, 0 },
    { 0x10, PF2, IK_LOAD_SD, 8, false, 0 },
    { 0x10, PF3, IK_LOAD_SS, 4, false, 0 },
    { 0x11, NP | P66, IK_STORE, 16, false, 0 },
    { 0x11, PF2, IK_STORE_SD, 8, false, 0 },
    { 0x11, PF3, IK_STORE_SS, 4, false, 0 },
    { 0x12, NP | P66, IK_HALF_LOAD, 8, false, 0 },
    { 0x13, NP | P66, IK_HALF_STORE, 8, false, 0 },
    { 0x14, P66, IK_UNPCKL_Q, 16, true, 0 },
    { 0x15, P66, IK_UNPCKH_Q, 16, true, 0 },
    { 0x16, NP | P66, IK_HALF_LOAD, 8, false, 1 },
    { 0x17, NP | P66, IK_HALF_STORE, 8, false, 1 },
    { 0x28, NP | P66, IK_LOAD, 16, true, 0 },
    { 0x29, NP | P66, IK_STORE, 16, true, 0 },
    { 0x2B, NP | P66, IK_STORE, 16, true, 0 },
    { 0x54, NP | P66, IK_AND, 16, true, 0 },
    { 0x55, NP | P66, IK_ANDN, 16, true, 0 },
    { 0x56, NP | P66, IK_OR, 16, true, 0 },
    { 0x57, NP | P66, IK_XOR, 16, true, 0 },
    { 0x6C, P66, IK_UNPCKL_Q, 16, true, 0 },
    { 0x6D, P66, IK_UNPCKH_Q, 16, true, 0 },
    { 0x6E, P66, IK_MOVD_TO, 0, false, 0 },
    { 0x6F, P66, IK_LOAD, 16, true, 0 },
    { 0x6F, PF3, IK_LOAD, 16, false, 0 },
    { 0x7E, P66, IK_MOVD_FROM, 0, false, 0 },
    { 0x7E, PF3, IK_MOVQ_LOAD, 8, false, 0 },
    { 0x7F, P66, IK_STORE, 16, true, 0 },
    { 0x7F, PF3, IK_STORE, 16, false, 0 },
    { 0xC6, P66, IK_SHUFPD, 16, true, 0 },
    { 0xD4, P66, IK_ADDQ, 16, true, 0 },
    { 0xD6, P66, IK_MOVQ_STORE, 8, false, 0 },
    { 0xDB, P66, IK_AND, 16, true, 0 },
    { 0xDF, P66, IK_ANDN, 16, true, 0 },
    { 0xE7, P66, IK_STORE, 16, true, 0 },
    { 0xEB, P66, IK_OR, 16, true, 0 },
    { 0xEF, P66, IK_XOR, 16, true, 0 },
    { 0xFB, P66, IK_SUBQ, 16, true, 0 },
};

static size_t xmm_off(unsigned reg, unsigned qword)
{
    return offsetof(CPUState, xmm) + (reg & 15) * 16 + qword * 8;
}

static TCGv ld_xmm(unsigned reg, unsigned qword)
{
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(v, xmm_off(reg, qword), MO_64);
    return v;
}

static void st_xmm(unsigned reg, unsigned qword, TCGv v)
{
    tcg_gen_st_env(v, xmm_off(reg, qword), MO_64);
}

static TCGv const64(uint64_t v)
{
    return tcg_const(TCG_I64, v);
}

/* The memory operand's linear address, with the 16-byte alignment check of the aligned
 * forms (#GP(0) before any access) */
static TCGv gen_sse_ea(DisasContext *s, unsigned bytes, bool aligned)
{
    TCGv la = gen_ea_linear(s, (int)bytes);
    if (aligned) {
        TCGv low = tcg_temp_new(TCG_I64);
        tcg_gen_andi(low, la, 15);
        TCGLabel ok = tcg_label_new();
        tcg_gen_brcondi(TCG_COND_EQ, low, 0, ok);
        tcg_gen_call(&helper_info_raise_exception, TCG_NOTEMP, const64(EXCP_GP), const64(0),
                     TCG_NOTEMP, TCG_NOTEMP);
        tcg_gen_set_label(ok);
    }
    return la;
}

/* The r/m source as two qwords (hi = TCG_NOTEMP for a memory operand under 16 bytes) */
static void gen_src(DisasContext *s, const X86Insn *insn, const InlineOp *op, TCGv *lo, TCGv *hi)
{
    if (insn->mod == 3) {
        *lo = ld_xmm(insn->rm, 0);
        *hi = ld_xmm(insn->rm, 1);
        return;
    }
    TCGv la = gen_sse_ea(s, op->bytes, op->aligned);
    *lo = gen_ld_mem(s, la, op->bytes < 8 ? op->bytes : 8);
    *hi = TCG_NOTEMP;
    if (op->bytes == 16) {
        TCGv la8 = tcg_temp_new(TCG_I64);
        tcg_gen_addi(la8, la, 8);
        *hi = gen_ld_mem(s, la8, 8);
    }
}

static void gen_store16(DisasContext *s, TCGv la, TCGv lo, TCGv hi)
{
    TCGv la8 = tcg_temp_new(TCG_I64);
    tcg_gen_addi(la8, la, 8);
    gen_st_mem(s, la, 8, lo);
    gen_st_mem(s, la8, 8, hi);
}

/* dst qword = (dst qword) OP src qword for both qwords */
static void gen_logic(const X86Insn *insn, InlineKind kind, TCGv lo, TCGv hi)
{
    TCGv src[2] = { lo, hi };
    for (unsigned q = 0; q < 2; q++) {
        TCGv d = ld_xmm(insn->reg, q), r = tcg_temp_new(TCG_I64);
        switch (kind) {
        case IK_AND: tcg_gen_and(r, d, src[q]); break;
        case IK_ANDN: tcg_gen_andc(r, src[q], d); break;
        case IK_OR: tcg_gen_or(r, d, src[q]); break;
        case IK_XOR: tcg_gen_xor(r, d, src[q]); break;
        case IK_ADDQ: tcg_gen_add(r, d, src[q]); break;
        default: tcg_gen_sub(r, d, src[q]); break;
        }
        st_xmm(insn->reg, q, r);
    }
}

/* The register forms' merge of a low dword: dst = (dst & ~0xffffffff) | (v & 0xffffffff) */
static TCGv merge_low32(TCGv dst, TCGv v)
{
    TCGv hi = tcg_temp_new(TCG_I64), lo = tcg_temp_new(TCG_I64), r = tcg_temp_new(TCG_I64);
    tcg_gen_andi(hi, dst, (int64_t)0xffffffff00000000ull);
    tcg_gen_ext32u(lo, v);
    tcg_gen_or(r, hi, lo);
    return r;
}

static void gen_store_forms(DisasContext *s, const X86Insn *insn, const InlineOp *op)
{
    bool mem = insn->mod != 3;
    TCGv la = mem ? gen_sse_ea(s, op->bytes ? op->bytes : (insn->rex & 8) ? 8 : 4, op->aligned)
                  : TCG_NOTEMP;
    switch ((InlineKind)op->kind) {
    case IK_STORE: {
        TCGv lo = ld_xmm(insn->reg, 0), hi = ld_xmm(insn->reg, 1);
        if (mem) {
            gen_store16(s, la, lo, hi);
        } else {
            st_xmm(insn->rm, 0, lo);
            st_xmm(insn->rm, 1, hi);
        }
        break;
    }
    case IK_STORE_SD: case IK_STORE_SS: case IK_MOVQ_STORE: {
        TCGv v = ld_xmm(insn->reg, 0);
        unsigned bytes = op->kind == IK_STORE_SS ? 4 : 8;
        if (mem)
            gen_st_mem(s, la, (int)bytes, v);
        else if (op->kind == IK_STORE_SS)
            st_xmm(insn->rm, 0, merge_low32(ld_xmm(insn->rm, 0), v));
        else
            st_xmm(insn->rm, 0, v);
        if (!mem && op->kind == IK_MOVQ_STORE)
            st_xmm(insn->rm, 1, const64(0));
        break;
    }
    case IK_HALF_STORE:
        gen_st_mem(s, la, 8, ld_xmm(insn->reg, op->param));
        break;
    default: {                                  /* IK_MOVD_FROM */
        int size = (insn->rex & 8) ? 8 : 4;
        TCGv v = ld_xmm(insn->reg, 0);
        if (mem)
            gen_st_mem(s, la, size, v);
        else
            gen_st_reg(s, insn->rm, size, false, v);
        break;
    }
    }
}

/* The arithmetic of op_fp_arith (ADDPS/PD/SS/SD, MUL, SUB, MIN, DIV, MAX, SQRT, CMP): the
 * source loaded here (packed memory operands checked for alignment), the operation in
 * helper_sse_arith */
static bool gen_sse_arith(DisasContext *s, const X86Insn *insn, unsigned pfx)
{
    static const struct { uint8_t opcode, op; } arith_ops[] = {
        { 0x51, FP_SQRT }, { 0x58, FP_ADD }, { 0x59, FP_MUL }, { 0x5C, FP_SUB },
        { 0x5D, FP_MIN }, { 0x5E, FP_DIV }, { 0x5F, FP_MAX }, { 0xC2, FP_CMP },
    };
    int op = -1;
    for (size_t i = 0; i < sizeof(arith_ops) / sizeof(arith_ops[0]); i++)
        if (arith_ops[i].opcode == insn->opcode)
            op = arith_ops[i].op;
    if (op < 0)
        return false;
    bool f64 = pfx == PX_66 || pfx == PX_F2, packed = pfx < PX_F3;
    TCGv lo, hi;
    if (insn->mod == 3) {
        lo = ld_xmm(insn->rm, 0);
        hi = ld_xmm(insn->rm, 1);
    } else if (packed) {
        TCGv la = gen_sse_ea(s, 16, true), la8 = tcg_temp_new(TCG_I64);
        tcg_gen_addi(la8, la, 8);
        lo = gen_ld_mem(s, la, 8);
        hi = gen_ld_mem(s, la8, 8);
    } else {
        lo = gen_ld_mem(s, gen_ea_linear(s, f64 ? 8 : 4), f64 ? 8 : 4);
        hi = const64(0);
    }
    uint8_t pred = op == FP_CMP ? (uint8_t)insn->op[0].imm : 0;
    tcg_gen_call(&helper_info_sse_arith, TCG_NOTEMP,
                 const64(SSE_ARITH_DESC((unsigned)op, pfx, insn->reg & 15, pred & 7)),
                 lo, hi, TCG_NOTEMP);
    return true;
}

/* UCOMISS/UCOMISD (0F 2E), COMISS/COMISD (0F 2F): the source loaded here, the compare in
 * helper_sse_comis */
static bool gen_sse_comis(DisasContext *s, const X86Insn *insn, unsigned pfx)
{
    if (insn->opcode != 0x2E && insn->opcode != 0x2F)
        return false;
    int size = pfx == PX_66 ? 8 : 4;
    TCGv src = insn->mod == 3 ? ld_xmm(insn->rm, 0)
             : gen_ld_mem(s, gen_ea_linear(s, size), size);
    tcg_gen_call(&helper_info_sse_comis, TCG_NOTEMP,
                 const64(SSE_ARITH_DESC(insn->opcode & 1, pfx, insn->reg & 15, 0)), src,
                 TCG_NOTEMP, TCG_NOTEMP);
    s->cc_op = CC_OP_EFLAGS;
    return true;
}

bool gen_sse_inline(DisasContext *s, const X86Insn *insn)
{
    unsigned pfx = insn->mandatory == 0x66 ? PX_66 : insn->mandatory == 0xF3 ? PX_F3
                 : insn->mandatory == 0xF2 ? PX_F2 : PX_NONE;
    const InlineOp *op = NULL;
    if (insn->map != 1)
        return false;
    if (gen_sse_arith(s, insn, pfx) || gen_sse_comis(s, insn, pfx))
        return true;
    for (size_t i = 0; i < sizeof(inline_ops) / sizeof(inline_ops[0]) && !op; i++)
        if (inline_ops[i].opcode == insn->opcode && ((inline_ops[i].pfx_mask >> pfx) & 1))
            op = &inline_ops[i];
    if (!op)
        return false;
    InlineKind kind = (InlineKind)op->kind;
    if (kind == IK_STORE || kind == IK_STORE_SD || kind == IK_STORE_SS ||
        kind == IK_MOVQ_STORE || kind == IK_HALF_STORE || kind == IK_MOVD_FROM) {
        gen_store_forms(s, insn, op);
        return true;
    }
    bool mem = insn->mod != 3;
    TCGv lo, hi;
    if (kind == IK_MOVD_TO) {
        int size = (insn->rex & 8) ? 8 : 4;
        lo = mem ? gen_ld_mem(s, gen_sse_ea(s, (unsigned)size, false), size)
                 : gen_ld_reg(s, insn->rm, size, false);
        st_xmm(insn->reg, 0, lo);
        st_xmm(insn->reg, 1, const64(0));
        return true;
    }
    gen_src(s, insn, op, &lo, &hi);
    switch (kind) {
    case IK_LOAD:
        st_xmm(insn->reg, 0, lo);
        st_xmm(insn->reg, 1, hi);
        break;
    case IK_LOAD_SD: case IK_LOAD_SS:
        if (!mem) {
            st_xmm(insn->reg, 0, kind == IK_LOAD_SS ? merge_low32(ld_xmm(insn->reg, 0), lo) : lo);
            break;
        }
        st_xmm(insn->reg, 0, lo);
        st_xmm(insn->reg, 1, const64(0));
        break;
    case IK_MOVQ_LOAD:
        st_xmm(insn->reg, 0, lo);
        st_xmm(insn->reg, 1, const64(0));
        break;
    case IK_HALF_LOAD:
        /* memory: that qword; register (MOVHLPS / MOVLHPS): the other qword of rm */
        st_xmm(insn->reg, op->param, mem ? lo : op->param ? lo : hi);
        break;
    case IK_UNPCKL_Q:
        st_xmm(insn->reg, 1, lo);
        break;
    case IK_UNPCKH_Q:
        st_xmm(insn->reg, 0, ld_xmm(insn->reg, 1));
        st_xmm(insn->reg, 1, hi);
        break;
    case IK_SHUFPD: {
        uint8_t imm = (uint8_t)insn->op[0].imm;
        TCGv d = ld_xmm(insn->reg, imm & 1);
        st_xmm(insn->reg, 1, (imm & 2) ? hi : lo);
        st_xmm(insn->reg, 0, d);
        break;
    }
    default:
        gen_logic(insn, kind, lo, hi);
        break;
    }
    return true;
}
