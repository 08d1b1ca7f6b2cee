/*
 * cpu/xlat_misc.c — stack instructions (PUSH POP PUSHA POPA PUSHF POPF ENTER LEAVE),
 * exchanges (XCHG XADD CMPXCHG CMPXCHG8B/16B), XLAT, the flag instructions CLC STC CMC CLD
 * STD, no-ops and hints, WAIT, CPUID, RDTSC/RDTSCP, IN/OUT and the UD opcodes.
 *
 * Precise exceptions: every access that can fault (loads, stores, checking helpers) is
 * emitted before the first register, rSP or flag write of the instruction.
 */
#include "cpu/xlat.h"

#include "cpu/helpers.h"

static TCGv imm64(uint64_t v)
{
    return tcg_const(TCG_I64, v);
}

static void gen_helper0(const TCGHelperInfo *h, TCGv ret)
{
    tcg_gen_call(h, ret, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
}

/* ---------------------------------------------------------------- stack */

/* rSP + delta, wrapped to the stack size */
static TCGv gen_stack_offset(DisasContext *s, TCGv sp, int64_t delta)
{
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_addi(v, sp, delta);
    return gen_zext(s, v, stack_size(s));
}

/* Linear address of SS:(rSP + delta) for an access of size bytes */
static TCGv gen_stack_slot(DisasContext *s, TCGv sp, int64_t delta, int size)
{
    return gen_linear(s, gen_stack_offset(s, sp, delta), R_SS, size);
}

static void gen_push_insn(DisasContext *s, const X86Insn *insn)
{
    /* PUSH rSP pushes the old value; PUSH [rSP+x] addresses with the old rSP; a segment
     * register is pushed zero-extended to the operand size */
    gen_push(s, gen_ld_op(s, &insn->op[0]), insn->opsize);
}

/* POP to DS ES SS FS GS: the load (with its checks) before rSP moves */
static void gen_pop_sreg(DisasContext *s, int seg, int size)
{
    TCGv v = gen_pop_peek(s, size);
    tcg_gen_call(&helper_info_pop_sreg, TCG_NOTEMP, imm64((uint64_t)seg), v,
                 imm64(s->next_pc), TCG_NOTEMP);
    gen_pop_commit(s, size);
    /* POP SS starts an interrupt shadow; in protected mode a segment load changes the
     * block key (hflags) */
    if (seg == R_SS || ((s->flags & HF_PE) && !(s->flags & HF_VM))) {
        s->end = DISAS_STOP;
    }
}

static void gen_pop_insn(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *op = &insn->op[0];
    int size = insn->opsize;

    if (op->kind == X86_OPK_SEG) {
        gen_pop_sreg(s, op->reg, size);
        return;
    }
    TCGv v = gen_pop_peek(s, size);
    if (op->kind == X86_OPK_REG) {
        /* POP rSP: the popped value wins over the increment */
        gen_pop_commit(s, size);
        gen_st_reg(s, op->reg, size, op->hibyte, v);
        return;
    }
    if (insn->ea_base == R_ESP) {
        /* the address is computed with rSP after the pop; rSP goes back until the store
         * has succeeded, so a faulting store leaves it unchanged */
        TCGv old_sp = gen_ld_reg(s, R_ESP, 8, false);
        gen_pop_commit(s, size);
        TCGv la = gen_ea_linear(s, size);
        gen_st_reg(s, R_ESP, 8, false, old_sp);
        gen_st_mem(s, la, size, v);
    } else {
        gen_st_op(s, op, v);
    }
    gen_pop_commit(s, size);
}

static void gen_pusha(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    TCGv sp = gen_ld_reg(s, R_ESP, stack_size(s), false);
    /* EAX ECX EDX EBX, the original ESP, EBP ESI EDI: all stores, then rSP */
    for (int r = R_EAX; r <= R_EDI; r++) {
        TCGv v = gen_ld_reg(s, r, size, false);
        gen_st_mem(s, gen_stack_slot(s, sp, -(int64_t)(r + 1) * size, size), size, v);
    }
    gen_st_reg(s, R_ESP, stack_size(s), false, gen_stack_offset(s, sp, -8 * (int64_t)size));
}

static void gen_popa(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    TCGv sp = gen_ld_reg(s, R_ESP, stack_size(s), false);
    TCGv vals[8];
    /* EDI ESI EBP (ESP's slot skipped) EBX EDX ECX EAX from the top of the stack: all loads,
     * then the registers */
    for (int slot = 0; slot < 8; slot++) {
        int r = R_EDI - slot;
        if (r != R_ESP) {
            vals[r] = gen_ld_mem(s, gen_stack_slot(s, sp, (int64_t)slot * size, size), size);
        }
    }
    for (int r = R_EAX; r <= R_EDI; r++) {
        if (r != R_ESP) {
            gen_st_reg(s, r, size, false, vals[r]);
        }
    }
    gen_st_reg(s, R_ESP, stack_size(s), false, gen_stack_offset(s, sp, 8 * (int64_t)size));
}

static void gen_pushf(DisasContext *s, const X86Insn *insn)
{
    if (s->flags & HF_VM) {
        gen_helper0(&helper_info_pushf_check, TCG_NOTEMP);
    }
    /* the image has VM and RF clear; 16-bit PUSHF stores the low half */
    TCGv f = gen_get_eflags(s);
    tcg_gen_andi(f, f, ~(int64_t)(VM_MASK | RF_MASK));
    gen_push(s, f, insn->opsize);
}

static void gen_popf(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    TCGv v = gen_pop_peek(s, size);
    tcg_gen_call(&helper_info_popf, TCG_NOTEMP, v, imm64((uint64_t)size), TCG_NOTEMP,
                 TCG_NOTEMP);
    gen_pop_commit(s, size);
    s->cc_op = CC_OP_EFLAGS;    /* helper_popf leaves the flags computed */
    s->end = DISAS_STOP;        /* TF, IF, AC and IOPL matter from the next instruction on */
}

static void gen_enter(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize, ss = stack_size(s);
    int64_t alloc = (int64_t)(insn->op[0].imm & 0xffff);
    unsigned level = (unsigned)(insn->imm2 & 31);
    TCGv sp = gen_ld_reg(s, R_ESP, ss, false);
    TCGv bp = gen_ld_reg(s, R_EBP, ss, false);

    gen_st_mem(s, gen_stack_slot(s, sp, -size, size), size, gen_ld_reg(s, R_EBP, size, false));
    TCGv frame = gen_stack_offset(s, sp, -size);
    if (level > 0) {
        /* copy level - 1 frame pointers of the enclosing frames, then push this frame's */
        for (unsigned i = 1; i < level; i++) {
            TCGv bp_slot = gen_linear(s, gen_stack_offset(s, bp, -(int64_t)i * size), R_SS, size);
            TCGv v = gen_ld_mem(s, bp_slot, size);
            gen_st_mem(s, gen_stack_slot(s, sp, -(int64_t)(i + 1) * size, size), size, v);
        }
        gen_st_mem(s, gen_stack_slot(s, sp, -(int64_t)(level + 1) * size, size), size, frame);
    }
    int64_t pushed = (int64_t)(level > 0 ? level + 1 : 1) * size;
    gen_st_reg(s, R_EBP, ss, false, frame);
    gen_st_reg(s, R_ESP, ss, false, gen_stack_offset(s, sp, -pushed - alloc));
}

static void gen_leave(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize, ss = stack_size(s);
    TCGv bp = gen_ld_reg(s, R_EBP, ss, false);
    TCGv v = gen_ld_mem(s, gen_stack_slot(s, bp, 0, size), size);
    gen_st_reg(s, R_ESP, ss, false, gen_stack_offset(s, bp, size));
    gen_st_reg(s, R_EBP, size, false, v);
}

/* ---------------------------------------------------------------- exchanges */

static void gen_xchg(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *a = &insn->op[0], *b = &insn->op[1];
    TCGv va = gen_ld_op(s, a), vb = gen_ld_op(s, b);
    /* the memory operand first: a faulting store leaves the register untouched */
    if (b->kind == X86_OPK_MEM) {
        gen_st_op(s, b, va);
        gen_st_op(s, a, vb);
    } else {
        gen_st_op(s, a, vb);
        gen_st_op(s, b, va);
    }
}

static void gen_xadd(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dst = &insn->op[0], *src = &insn->op[1];
    int size = insn->opsize;
    TCGv d = gen_ld_op(s, dst), v = gen_ld_op(s, src);
    TCGv sum = tcg_temp_new(TCG_I64);
    tcg_gen_add(sum, d, v);
    sum = gen_zext(s, sum, size);
    if (dst->kind == X86_OPK_MEM) {
        gen_st_op(s, dst, sum);
        gen_st_op(s, src, d);
    } else {
        /* XADD r, r with one register: the sum is written last and wins */
        gen_st_op(s, src, d);
        gen_st_op(s, dst, sum);
    }
    gen_set_cc(s, cc_op_sized(CC_OP_ADDB, size), sum, v, TCG_NOTEMP);
}

static void gen_cmpxchg(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dst = &insn->op[0], *src = &insn->op[1];
    int size = insn->opsize;
    TCGv acc = gen_ld_reg(s, R_EAX, size, false);
    TCGv d = gen_ld_op(s, dst), v = gen_ld_op(s, src);
    TCGLabel fail = tcg_label_new(), join = tcg_label_new();

    if (dst->kind == X86_OPK_MEM) {
        /* memory is written in both cases (the old value back on failure) */
        TCGv out = tcg_temp_new(TCG_I64);
        tcg_gen_movcond(TCG_COND_EQ, out, acc, d, v, d);
        gen_st_op(s, dst, out);
    }
    tcg_gen_brcond(TCG_COND_NE, acc, d, fail);
    if (dst->kind != X86_OPK_MEM) {
        gen_st_op(s, dst, v);
    }
    tcg_gen_br(join);
    tcg_gen_set_label(fail);
    /* only a failure writes the accumulator (and so zero-extends RAX for 32 bits) */
    gen_st_reg(s, R_EAX, size, false, d);
    tcg_gen_set_label(join);

    TCGv diff = tcg_temp_new(TCG_I64);
    tcg_gen_sub(diff, acc, d);
    gen_set_cc(s, cc_op_sized(CC_OP_SUBB, size), gen_zext(s, diff, size), d, TCG_NOTEMP);
}

static void gen_cmpxchg_pair(DisasContext *s, bool wide)
{
    TCGv la = gen_ea_linear(s, wide ? 16 : 8);
    tcg_gen_call(&helper_info_cmpxchg_pair, TCG_NOTEMP, la, imm64(wide), TCG_NOTEMP,
                 TCG_NOTEMP);
    s->cc_op = CC_OP_EFLAGS;
}

static void gen_cmpxchg8b(DisasContext *s, const X86Insn *insn) { gen_cmpxchg_pair(s, false); }
static void gen_cmpxchg16b(DisasContext *s, const X86Insn *insn) { gen_cmpxchg_pair(s, true); }

static void gen_xlat(DisasContext *s, const X86Insn *insn)
{
    int seg = (insn->seg_override && insn->seg >= 0) ? insn->seg : R_DS;
    TCGv off = gen_ld_reg(s, R_EBX, 8, false);
    tcg_gen_add(off, off, gen_ld_reg(s, R_EAX, 1, false));
    off = gen_zext(s, off, insn->addrsize);
    TCGv v = gen_ld_mem(s, gen_linear(s, off, seg, 1), 1);
    gen_st_reg(s, R_EAX, 1, false, v);
}

/* ---------------------------------------------------------------- flags */

typedef enum CarryOp { CARRY_CLEAR, CARRY_SET, CARRY_FLIP } CarryOp;

static void gen_carry_op(DisasContext *s, CarryOp how)
{
    TCGv f = gen_compute_eflags(s);
    TCGv n = tcg_temp_new(TCG_I64);
    switch (how) {
    case CARRY_CLEAR: tcg_gen_andi(n, f, ~(int64_t)CC_C); break;
    case CARRY_SET: tcg_gen_ori(n, f, CC_C); break;
    case CARRY_FLIP: tcg_gen_xori(n, f, CC_C); break;
    }
    gen_set_cc(s, CC_OP_EFLAGS, TCG_NOTEMP, n, TCG_NOTEMP);
}

static void gen_clc(DisasContext *s, const X86Insn *insn) { gen_carry_op(s, CARRY_CLEAR); }
static void gen_stc(DisasContext *s, const X86Insn *insn) { gen_carry_op(s, CARRY_SET); }
static void gen_cmc(DisasContext *s, const X86Insn *insn) { gen_carry_op(s, CARRY_FLIP); }

/* DF lives in env->eflags; the string helpers read it there at run time */
static void gen_set_df(DisasContext *s, bool set)
{
    TCGv f = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(f, offsetof(CPUState, eflags), MO_32);
    if (set) {
        tcg_gen_ori(f, f, DF_MASK);
    } else {
        tcg_gen_andi(f, f, ~(int64_t)DF_MASK);
    }
    tcg_gen_st_env(f, offsetof(CPUState, eflags), MO_32);
}

static void gen_cld(DisasContext *s, const X86Insn *insn) { gen_set_df(s, false); }
static void gen_std(DisasContext *s, const X86Insn *insn) { gen_set_df(s, true); }

/* ---------------------------------------------------------------- no-ops, hints, misc */

/* NOP (also 0F 1F /0 and the hint space), PAUSE, ENDBR32/64, PREFETCH*, the fences: with one
 * vCPU and no caches modelled there is nothing to do (prefetches never fault) */
static void gen_nop(DisasContext *s, const X86Insn *insn)
{
}

/* CLFLUSH faults like a one-byte load of its operand */
static void gen_clflush(DisasContext *s, const X86Insn *insn)
{
    gen_ld_mem(s, gen_ea_linear(s, 1), 1);
}

static void gen_wait(DisasContext *s, const X86Insn *insn)
{
    /* #NM needs CR0.TS and CR0.MP; a pending x87 exception is reported here too */
    gen_helper0(&helper_info_x87_wait, TCG_NOTEMP);
}

static void gen_cpuid(DisasContext *s, const X86Insn *insn)
{
    gen_helper0(&helper_info_cpuid, TCG_NOTEMP);
}

static void gen_rdtsc(DisasContext *s, const X86Insn *insn)
{
    tcg_gen_call(&helper_info_rdtsc, TCG_NOTEMP, imm64(0), TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
}

static void gen_rdtscp(DisasContext *s, const X86Insn *insn)
{
    tcg_gen_call(&helper_info_rdtsc, TCG_NOTEMP, imm64(1), TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
}

static void gen_ud(DisasContext *s, const X86Insn *insn)
{
    gen_exception(s, EXCP_UD, 0);
}

/* ---------------------------------------------------------------- IN / OUT */

/* imm8 port, or DX */
static TCGv gen_port(DisasContext *s, const X86Operand *op)
{
    if (op->kind == X86_OPK_IMM) {
        return imm64(op->imm & 0xff);
    }
    return gen_ld_reg(s, R_EDX, 2, false);
}

static void gen_in(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_call(&helper_info_io_in, v, gen_port(s, &insn->op[1]), imm64((uint64_t)size),
                 TCG_NOTEMP, TCG_NOTEMP);
    gen_st_reg(s, R_EAX, size, false, v);
    s->end = DISAS_STOP;    /* device side effects (interrupts, exit requests) are seen now */
}

static void gen_out(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    tcg_gen_call(&helper_info_io_out, TCG_NOTEMP, gen_port(s, &insn->op[0]),
                 gen_ld_reg(s, R_EAX, size, false), imm64((uint64_t)size), TCG_NOTEMP);
    s->end = DISAS_STOP;
}

const XlatEntry xlat_misc_entries[] = {
    { MN_push, gen_push_insn }, { MN_pop, gen_pop_insn },
    { MN_pusha, gen_pusha }, { MN_popa, gen_popa },
    { MN_pushf, gen_pushf }, { MN_popf, gen_popf },
    { MN_enter, gen_enter }, { MN_leave, gen_leave },
    { MN_xchg, gen_xchg }, { MN_xadd, gen_xadd }, { MN_cmpxchg, gen_cmpxchg },
    { MN_cmpxchg8b, gen_cmpxchg8b }, { MN_cmpxchg16b, gen_cmpxchg16b },
    { MN_xlat, gen_xlat },
    { MN_clc, gen_clc }, { MN_stc, gen_stc }, { MN_cmc, gen_cmc },
    { MN_cld, gen_cld }, { MN_std, gen_std },
    { MN_nop, gen_nop }, { MN_pause, gen_nop }, { MN_endbr32, gen_nop },
    { MN_endbr64, gen_nop }, { MN_prefetch, gen_nop },
    { MN_lfence, gen_nop }, { MN_mfence, gen_nop }, { MN_sfence, gen_nop },
    { MN_clflush, gen_clflush }, { MN_wait, gen_wait },
    { MN_cpuid, gen_cpuid }, { MN_rdtsc, gen_rdtsc }, { MN_rdtscp, gen_rdtscp },
    { MN_in, gen_in }, { MN_out, gen_out },
    { MN_ud0, gen_ud }, { MN_ud1, gen_ud }, { MN_ud2, gen_ud },
    XLAT_END
};
