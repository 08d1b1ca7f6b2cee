/*
 * cpu/xlat_sys.c — generators for system instructions: segment-register loads and stores,
 * descriptor-table registers, control and debug registers, HLT, CLI/STI, cache and TLB
 * maintenance, MSRs and FNINIT. Privilege is part of the block key, so CPL-0-only
 * instructions check it at translation time; IOPL is not in the key, so CLI/STI check it
 * in their helpers.
 *
 * A block ends after anything that can change the block key or the interrupt state: a CS
 * or SS load, any segment load in protected mode, CR0/CR3/CR4/CR8 writes, LMSW, CLTS, STI,
 * INVLPG and WRMSR; SYSCALL, SYSRET, SYSENTER and SYSEXIT leave it through the lookup.
 * The descriptor-table instructions (LLDT LTR SLDT STR LAR LSL VERR VERW ARPL) are #UD in
 * real and virtual-8086 mode.
 */
#include <stddef.h>

#include "cpu/helpers.h"
#include "cpu/xlat.h"

#define ENV_SEG(s, f) (offsetof(CPUState, seg) + (size_t)(s) * sizeof(SegmentCache) + \
                       offsetof(SegmentCache, f))

static TCGv const64(uint64_t v)
{
    return tcg_const(TCG_I64, v);
}

/* #GP(0) unless CPL 0 (real mode is CPL 0, virtual-8086 mode CPL 3) */
static bool require_cpl0(DisasContext *s)
{
    if (s->cpl != 0) {
        gen_exception(s, EXCP_GP, 0);
        return false;
    }
    return true;
}

static void gen_call0(const TCGHelperInfo *h, TCGv a0, TCGv a1)
{
    tcg_gen_call(h, TCG_NOTEMP, a0, a1, TCG_NOTEMP, TCG_NOTEMP);
}

/* linear + n, wrapped to 32 bits outside 64-bit code (the second part of a table pointer
 * or far pointer) */
static TCGv gen_linear_plus(DisasContext *s, TCGv la, int n)
{
    TCGv r = tcg_temp_new(TCG_I64);
    tcg_gen_addi(r, la, n);
    if (s->code_bits != 64) {
        tcg_gen_ext32u(r, r);
    }
    return r;
}

/* ---------------------------------------------------------------- segment registers */

/* Load selector sel (I64 temp, 16 bits) into segment register seg. Real-mode loads of data
 * segments are inline (base = selector << 4, nothing else changes); everything else goes
 * through the helper with the mode's checks and ends the block. shadow: MOV SS holds off
 * interrupts for one instruction. */
static void gen_load_seg(DisasContext *s, int seg, TCGv sel, bool shadow)
{
    if (seg == R_CS || seg < 0 || seg >= NB_SEGS) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (!(s->flags & HF_PE) && seg != R_SS) {
        TCGv base = tcg_temp_new(TCG_I64);
        tcg_gen_shli(base, sel, 4);
        tcg_gen_st_env(sel, ENV_SEG(seg, selector), MO_16);
        tcg_gen_st_env(base, ENV_SEG(seg, base), MO_64);
        return;
    }
    tcg_gen_call(&helper_info_load_seg, TCG_NOTEMP, const64((uint64_t)seg), sel,
                 const64(shadow), const64(s->next_pc));
    s->end = DISAS_STOP;
}

static void gen_mov_sreg(DisasContext *s, const X86Insn *insn)
{
    const X86Operand *dst = &insn->op[0], *src = &insn->op[1];
    if (dst->kind == X86_OPK_SEG) {
        TCGv sel = gen_ld_op(s, src);
        if (src->size > 2) {
            tcg_gen_andi(sel, sel, 0xffff);
        }
        gen_load_seg(s, dst->reg, sel, dst->reg == R_SS);
        return;
    }
    /* to memory always 16 bits; to a register the selector zero-extended to its size */
    TCGv sel = gen_ld_op(s, src);
    X86Operand to = *dst;
    if (to.kind == X86_OPK_MEM) {
        to.size = 2;
    }
    gen_st_op(s, &to, sel);
}

/* LDS LES LFS LGS LSS r, m16:16/32/64: the offset goes to r after the segment loaded */
static void gen_load_far_pointer(DisasContext *s, const X86Insn *insn, int seg)
{
    const X86Operand *dst = &insn->op[0];
    if (insn->op[1].kind != X86_OPK_MEM) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    int size = insn->opsize;
    TCGv la = gen_ea_linear(s, size + 2);
    TCGv off = gen_ld_mem(s, la, size);
    TCGv sel = gen_ld_mem(s, gen_linear_plus(s, la, size), 2);
    gen_load_seg(s, seg, sel, false);
    gen_st_reg(s, dst->reg, size, false, off);
}

static void gen_lds(DisasContext *s, const X86Insn *insn) { gen_load_far_pointer(s, insn, R_DS); }
static void gen_les(DisasContext *s, const X86Insn *insn) { gen_load_far_pointer(s, insn, R_ES); }
static void gen_lfs(DisasContext *s, const X86Insn *insn) { gen_load_far_pointer(s, insn, R_FS); }
static void gen_lgs(DisasContext *s, const X86Insn *insn) { gen_load_far_pointer(s, insn, R_GS); }
static void gen_lss(DisasContext *s, const X86Insn *insn) { gen_load_far_pointer(s, insn, R_SS); }

/* ---------------------------------------------------------------- GDTR and IDTR */

static size_t dtr_offset(X86Mnem m)
{
    return (m == MN_lgdt || m == MN_sgdt) ? offsetof(CPUState, gdt) : offsetof(CPUState, idt);
}

/* LGDT/LIDT m16&32 (m16&64 in 64-bit code); a 16-bit operand size keeps 24 bits of base */
static void gen_load_dtr(DisasContext *s, const X86Insn *insn)
{
    if (insn->op[0].kind != X86_OPK_MEM) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (!require_cpl0(s)) {
        return;
    }
    int base_size = s->code_bits == 64 ? 8 : 4;
    TCGv la = gen_ea_linear(s, 2 + base_size);
    TCGv limit = gen_ld_mem(s, la, 2);
    TCGv base = gen_ld_mem(s, gen_linear_plus(s, la, 2), base_size);
    if (insn->opsize == 2 && s->code_bits != 64) {
        tcg_gen_andi(base, base, 0xffffff);
    }
    size_t dtr = dtr_offset(insn->mnem);
    tcg_gen_st_env(base, dtr + offsetof(DescTable, base), MO_64);
    tcg_gen_st_env(limit, dtr + offsetof(DescTable, limit), MO_32);
}

/* UMIP: SGDT SIDT SLDT SMSW STR fault at CPL > 0 when CR4.UMIP is set. CR4 is not part
 * of the block key, so the check is made when the instruction runs. */
static void gen_umip_check(DisasContext *s)
{
    if (s->cpl > 0) {
        gen_call0(&helper_info_umip_check, TCG_NOTEMP, TCG_NOTEMP);
    }
}

/* SGDT/SIDT: limit, then the whole base (32 bits, 64 in 64-bit code) */
static void gen_store_dtr(DisasContext *s, const X86Insn *insn)
{
    if (insn->op[0].kind != X86_OPK_MEM) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    gen_umip_check(s);
    int base_size = s->code_bits == 64 ? 8 : 4;
    size_t dtr = dtr_offset(insn->mnem);
    TCGv la = gen_ea_linear(s, 2 + base_size);
    TCGv limit = tcg_temp_new(TCG_I64), base = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(limit, dtr + offsetof(DescTable, limit), MO_32);
    tcg_gen_ld_env(base, dtr + offsetof(DescTable, base), MO_64);
    gen_st_mem(s, la, 2, limit);
    gen_st_mem(s, gen_linear_plus(s, la, 2), base_size, base);
}

/* ---------------------------------------------------------------- control registers */

static bool cr_exists(int n)
{
    return n == 0 || n == 2 || n == 3 || n == 4 || n == 8;
}

static size_t cr_offset(int n)
{
    return n == 8 ? offsetof(CPUState, cr8) : offsetof(CPUState, cr) + (size_t)n * 8;
}

static void gen_mov_cr(DisasContext *s, const X86Insn *insn)
{
    bool to_cr = insn->op[0].kind == X86_OPK_CR;
    const X86Operand *cr = &insn->op[to_cr ? 0 : 1], *gpr = &insn->op[to_cr ? 1 : 0];
    if (!cr_exists(cr->reg)) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (!require_cpl0(s)) {
        return;
    }
    if (to_cr) {
        gen_call0(&helper_info_write_cr, const64(cr->reg), gen_ld_op(s, gpr));
        if (cr->reg != 2) {
            s->end = DISAS_STOP;
        }
        return;
    }
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(v, cr_offset(cr->reg), MO_64);
    gen_st_op(s, gpr, gen_zext(s, v, gpr->size));
}

static void gen_mov_dr(DisasContext *s, const X86Insn *insn)
{
    bool to_dr = insn->op[0].kind == X86_OPK_DR;
    const X86Operand *dr = &insn->op[to_dr ? 0 : 1], *gpr = &insn->op[to_dr ? 1 : 0];
    if (!require_cpl0(s)) {
        return;
    }
    if (to_dr) {
        /* breakpoint changes flush translations: leave this block now */
        gen_call0(&helper_info_write_dr, const64(dr->reg), gen_ld_op(s, gpr));
        s->end = DISAS_STOP;
        return;
    }
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_call(&helper_info_read_dr, v, const64(dr->reg), TCG_NOTEMP, TCG_NOTEMP,
                 TCG_NOTEMP);
    gen_st_op(s, gpr, gen_zext(s, v, gpr->size));
}

static void gen_lmsw(DisasContext *s, const X86Insn *insn)
{
    if (!require_cpl0(s)) {
        return;
    }
    gen_call0(&helper_info_lmsw, gen_ld_op(s, &insn->op[0]), TCG_NOTEMP);
    s->end = DISAS_STOP;
}

/* SMSW: the low 16 bits of CR0 to memory, CR0 at the operand size to a register */
static void gen_smsw(DisasContext *s, const X86Insn *insn)
{
    X86Operand dst = insn->op[0];
    if (dst.kind == X86_OPK_MEM) {
        dst.size = 2;
    }
    gen_umip_check(s);
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(v, offsetof(CPUState, cr), MO_64);
    gen_st_op(s, &dst, gen_zext(s, v, dst.size));
}

static void gen_clts(DisasContext *s, const X86Insn *insn)
{
    if (!require_cpl0(s)) {
        return;
    }
    TCGv cr0 = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(cr0, offsetof(CPUState, cr), MO_64);
    tcg_gen_andi(cr0, cr0, ~(int64_t)CR0_TS);
    gen_call0(&helper_info_write_cr, const64(0), cr0);
    s->end = DISAS_STOP;
}

/* ---------------------------------------------------------------- LDTR, TR, descriptors */

/* #UD in real and virtual-8086 mode (the descriptor-table instructions) */
static bool require_protected(DisasContext *s)
{
    if (!(s->flags & HF_PE) || (s->flags & HF_VM)) {
        gen_exception(s, EXCP_UD, 0);
        return false;
    }
    return true;
}

static void gen_load_system_seg(DisasContext *s, const X86Insn *insn)
{
    if (!require_protected(s) || !require_cpl0(s)) {
        return;
    }
    const TCGHelperInfo *h = insn->mnem == MN_lldt ? &helper_info_lldt : &helper_info_ltr;
    gen_call0(h, gen_ld_op(s, &insn->op[0]), TCG_NOTEMP);
}

/* SLDT/STR: the selector to memory (16 bits) or zero-extended to a register */
static void gen_store_system_seg(DisasContext *s, const X86Insn *insn)
{
    if (!require_protected(s)) {
        return;
    }
    X86Operand dst = insn->op[0];
    if (dst.kind == X86_OPK_MEM) {
        dst.size = 2;
    }
    gen_umip_check(s);
    size_t field = insn->mnem == MN_sldt ? offsetof(CPUState, ldt) : offsetof(CPUState, tr);
    TCGv sel = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(sel, field + offsetof(SegmentCache, selector), MO_16);
    gen_st_op(s, &dst, sel);
}

/* Replace ZF by zf (0/1) and keep the other arithmetic flags */
static void gen_set_zf(DisasContext *s, TCGv zf)
{
    TCGv f = gen_compute_eflags(s);
    TCGv z = tcg_temp_new(TCG_I64);
    tcg_gen_andi(f, f, ~(int64_t)CC_Z);
    tcg_gen_shli(z, zf, 6);     /* CC_Z is bit 6 */
    tcg_gen_or(f, f, z);
    gen_set_cc(s, CC_OP_EFLAGS, TCG_NOTEMP, f, TCG_NOTEMP);
}

/* LAR LSL VERR VERW: ZF says whether the selector passed; LAR/LSL then write the result */
static void gen_desc_check(DisasContext *s, const X86Insn *insn)
{
    if (!require_protected(s)) {
        return;
    }
    X86Mnem m = insn->mnem;
    unsigned kind = m == MN_lar ? DESC_CHECK_LAR : m == MN_lsl ? DESC_CHECK_LSL
                  : m == MN_verr ? DESC_CHECK_VERR : DESC_CHECK_VERW;
    const X86Operand *selop = &insn->op[kind <= DESC_CHECK_LSL ? 1 : 0];
    TCGv sel = gen_ld_op(s, selop);
    if (selop->size > 2) {
        tcg_gen_andi(sel, sel, 0xffff);
    }
    TCGv res = tcg_temp_new(TCG_I64), zf = tcg_temp_new(TCG_I64);
    tcg_gen_call(&helper_info_desc_check, res, const64(kind), sel, TCG_NOTEMP, TCG_NOTEMP);
    tcg_gen_shri(zf, res, 32);
    if (kind <= DESC_CHECK_LSL) {
        /* the destination keeps its value (all 64 bits) when the check fails */
        const X86Operand *dst = &insn->op[0];
        int size = dst->size == 4 && s->code_bits == 64 ? 8 : dst->size;
        TCGv old = gen_ld_reg(s, dst->reg, size, false);
        TCGv val = tcg_temp_new(TCG_I64);
        tcg_gen_andi(val, res, dst->size == 2 ? 0xffff : 0xffffffff);
        TCGv out = tcg_temp_new(TCG_I64);
        tcg_gen_movcond(TCG_COND_NE, out, zf, const64(0), val, old);
        gen_st_reg(s, dst->reg, size, false, out);
    }
    gen_set_zf(s, zf);
}

/* ARPL r/m16, r16: raise the RPL of the destination to the source's (ZF = it changed) */
static void gen_arpl(DisasContext *s, const X86Insn *insn)
{
    if (!require_protected(s)) {
        return;
    }
    X86Operand dst = insn->op[0];
    dst.size = 2;
    TCGv d = gen_ld_op(s, &dst);
    TCGv src = gen_ld_op(s, &insn->op[1]);
    TCGv want = tcg_temp_new(TCG_I64), have = tcg_temp_new(TCG_I64);
    TCGv zf = tcg_temp_new(TCG_I64), raised = tcg_temp_new(TCG_I64);
    TCGv out = tcg_temp_new(TCG_I64);
    tcg_gen_andi(want, src, 3);
    tcg_gen_andi(have, d, 3);
    tcg_gen_setcond(TCG_COND_LTU, zf, have, want);
    tcg_gen_andi(raised, d, ~(int64_t)3);
    tcg_gen_or(raised, raised, want);
    tcg_gen_movcond(TCG_COND_NE, out, zf, const64(0), raised, d);
    gen_st_op(s, &dst, out);
    gen_set_zf(s, zf);
}

/* ---------------------------------------------------------------- fast system calls */

/* Leave the block after a helper that set CS and rip */
static void gen_exit_to_env_rip(DisasContext *s)
{
    TCGv rip = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(rip, offsetof(CPUState, rip), MO_64);
    gen_jmp_indirect(s, rip);
    s->end = DISAS_JUMPED;
}

static void gen_syscall(DisasContext *s, const X86Insn *insn)
{
    gen_call0(&helper_info_syscall, const64(s->next_pc), TCG_NOTEMP);
    s->cc_op = CC_OP_DYNAMIC;
    gen_exit_to_env_rip(s);
}

static void gen_sysret(DisasContext *s, const X86Insn *insn)
{
    gen_call0(&helper_info_sysret, const64(insn->opsize), TCG_NOTEMP);
    s->cc_op = CC_OP_DYNAMIC;
    gen_exit_to_env_rip(s);
}

static void gen_sysenter(DisasContext *s, const X86Insn *insn)
{
    gen_call0(&helper_info_sysenter, TCG_NOTEMP, TCG_NOTEMP);
    gen_exit_to_env_rip(s);
}

static void gen_sysexit(DisasContext *s, const X86Insn *insn)
{
    gen_call0(&helper_info_sysexit, const64(insn->opsize), TCG_NOTEMP);
    gen_exit_to_env_rip(s);
}

static void gen_swapgs(DisasContext *s, const X86Insn *insn)
{
    if (require_cpl0(s)) {
        gen_call0(&helper_info_swapgs, TCG_NOTEMP, TCG_NOTEMP);
    }
}

/* ---------------------------------------------------------------- HLT CLI STI, caches */

static void gen_hlt(DisasContext *s, const X86Insn *insn)
{
    if (!require_cpl0(s)) {
        return;
    }
    gen_call0(&helper_info_hlt, const64(s->next_pc), TCG_NOTEMP);
    tcg_gen_exit_tb();      /* not reached: the helper leaves to the loop */
    s->end = DISAS_JUMPED;
}

static void gen_cli(DisasContext *s, const X86Insn *insn)
{
    gen_call0(&helper_info_cli, TCG_NOTEMP, TCG_NOTEMP);
}

static void gen_sti(DisasContext *s, const X86Insn *insn)
{
    gen_call0(&helper_info_sti, const64(s->next_pc), TCG_NOTEMP);
    s->end = DISAS_STOP;
}

/* WBINVD INVD: caches are not modelled, only the privilege check remains */
static void gen_cache_flush(DisasContext *s, const X86Insn *insn)
{
    require_cpl0(s);
}

static void gen_invlpg(DisasContext *s, const X86Insn *insn)
{
    if (insn->op[0].kind != X86_OPK_MEM) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (!require_cpl0(s)) {
        return;
    }
    /* the rest of this block may have been translated through the old mapping */
    gen_call0(&helper_info_invlpg, gen_ea_linear(s, 1), TCG_NOTEMP);
    s->end = DISAS_STOP;
}

/* INVPCID r, m128: CPL 0 (#UD in virtual-8086 mode); the type is the whole register */
static void gen_invpcid(DisasContext *s, const X86Insn *insn)
{
    if (s->flags & HF_VM) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (!require_cpl0(s)) {
        return;
    }
    TCGv type = gen_ld_op(s, &insn->op[0]);
    gen_call0(&helper_info_invpcid, type, gen_ea_linear(s, 16));
    s->end = DISAS_STOP;
}

/* RDFSBASE RDGSBASE WRFSBASE WRGSBASE (64-bit code only, the decoder sees to that): a
 * 32-bit operand reads the low half zero-extended, or writes the base zero-extended */
static void gen_fsgsbase(DisasContext *s, const X86Insn *insn)
{
    X86Mnem m = insn->mnem;
    unsigned op = m == MN_rdfsbase ? 0 : m == MN_rdgsbase ? 1 : m == MN_wrfsbase ? 2 : 3;
    const X86Operand *reg = &insn->op[0];
    if (op >= 2) {
        gen_call0(&helper_info_fsgsbase, const64(op), gen_ld_op(s, reg));
        return;
    }
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_call(&helper_info_fsgsbase, v, const64(op), TCG_NOTEMP, TCG_NOTEMP, TCG_NOTEMP);
    gen_st_op(s, reg, gen_zext(s, v, reg->size));
}

/* RDPID r32/r64: IA32_TSC_AUX, at any privilege (zero-extended to the register) */
static void gen_rdpid(DisasContext *s, const X86Insn *insn)
{
    TCGv v = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(v, offsetof(CPUState, tsc_aux), MO_64);
    gen_st_op(s, &insn->op[0], v);
}

/* STAC/CLAC: CPL 0 only (#UD otherwise, and in V86 mode). AC picks the SMAP mmu plane,
 * which is part of the block key, so the block ends. */
static void gen_stac_clac(DisasContext *s, const X86Insn *insn)
{
    if (s->cpl != 0 || (s->flags & HF_VM)) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    gen_call0(&helper_info_set_ac, const64(insn->mnem == MN_stac), TCG_NOTEMP);
    s->end = DISAS_STOP;
}

static void gen_rdmsr(DisasContext *s, const X86Insn *insn)
{
    if (require_cpl0(s)) {
        gen_call0(&helper_info_rdmsr, TCG_NOTEMP, TCG_NOTEMP);
    }
}

static void gen_wrmsr(DisasContext *s, const X86Insn *insn)
{
    if (require_cpl0(s)) {
        gen_call0(&helper_info_wrmsr, TCG_NOTEMP, TCG_NOTEMP);
        s->end = DISAS_STOP;    /* EFER changes the mode */
    }
}

/* FNINIT: control word 0x37F, status 0, every register empty (full tag word 0xFFFF) */
static void gen_fninit(DisasContext *s, const X86Insn *insn)
{
    if (s->flags & HF_EM_TS) {
        gen_exception(s, EXCP_NM, 0);
        return;
    }
    tcg_gen_st_env(const64(0x37f), offsetof(CPUState, fpuc), MO_16);
    tcg_gen_st_env(const64(0), offsetof(CPUState, fpus), MO_16);
    tcg_gen_st_env(const64(0xffff), offsetof(CPUState, fptag), MO_16);
}

const XlatEntry xlat_sys_entries[] = {
    { MN_mov_sreg, gen_mov_sreg },
    { MN_lds, gen_lds },
    { MN_les, gen_les },
    { MN_lfs, gen_lfs },
    { MN_lgs, gen_lgs },
    { MN_lss, gen_lss },
    { MN_lgdt, gen_load_dtr },
    { MN_lidt, gen_load_dtr },
    { MN_sgdt, gen_store_dtr },
    { MN_sidt, gen_store_dtr },
    { MN_mov_cr, gen_mov_cr },
    { MN_mov_dr, gen_mov_dr },
    { MN_lmsw, gen_lmsw },
    { MN_smsw, gen_smsw },
    { MN_clts, gen_clts },
    { MN_hlt, gen_hlt },
    { MN_cli, gen_cli },
    { MN_sti, gen_sti },
    { MN_wbinvd, gen_cache_flush },
    { MN_invd, gen_cache_flush },
    { MN_invlpg, gen_invlpg },
    { MN_invpcid, gen_invpcid },
    { MN_rdpid, gen_rdpid },
    { MN_rdfsbase, gen_fsgsbase },
    { MN_rdgsbase, gen_fsgsbase },
    { MN_wrfsbase, gen_fsgsbase },
    { MN_wrgsbase, gen_fsgsbase },
    { MN_stac, gen_stac_clac },
    { MN_clac, gen_stac_clac },
    { MN_rdmsr, gen_rdmsr },
    { MN_wrmsr, gen_wrmsr },
    { MN_fninit, gen_fninit },
    { MN_lldt, gen_load_system_seg },
    { MN_ltr, gen_load_system_seg },
    { MN_sldt, gen_store_system_seg },
    { MN_str, gen_store_system_seg },
    { MN_lar, gen_desc_check },
    { MN_lsl, gen_desc_check },
    { MN_verr, gen_desc_check },
    { MN_verw, gen_desc_check },
    { MN_arpl, gen_arpl },
    { MN_syscall, gen_syscall },
    { MN_sysret, gen_sysret },
    { MN_sysenter, gen_sysenter },
    { MN_sysexit, gen_sysexit },
    { MN_swapgs, gen_swapgs },
    XLAT_END
};
