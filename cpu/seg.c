/*
 * cpu/seg.c — the descriptor-table instructions (LLDT, LTR, LAR, LSL, VERR, VERW) and the
 * fast system calls (SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS), which load CS and SS with
 * fixed flat descriptors instead of reading the GDT.
 *
 * The translator checks the mode (#UD in real and V86 mode) and CPL 0 where the instruction
 * needs it; these helpers do the descriptor checks.
 */
#include "cpu/cpu.h"
#include "cpu/helpers.h"

#define ENV CPUState *env = (CPUState *)env_

static unsigned cur_cpl(const CPUState *env)
{
    return env->hflags & HF_CPL_MASK;
}

/* ---------------------------------------------------------------- LLDT, LTR */

enum { SYS_LDT = 2, SYS_TSS32_AVAIL = 9, SYS_TSS16_AVAIL = 1, SYS_BUSY_BIT = 2 };

/* The GDT entry of a system descriptor for LLDT/LTR: #GP(sel) for an LDT selector, and in
 * long mode the 16-byte form whose third dword holds base bits 63..32 */
static Descriptor read_system_descriptor(CPUState *env, uint16_t sel, uint64_t *base_high)
{
    if (sel & SEL_TI) {
        cpu_raise_exception(env, EXCP_GP, sel & ~3u);
    }
    Descriptor d = cpu_read_descriptor(env, sel, EXCP_GP, 0);
    *base_high = 0;
    if (env->hflags & HF_LMA) {
        uint32_t offset = sel & ~7u;
        if (offset + 15 > env->gdt.limit) {
            cpu_raise_exception(env, EXCP_GP, sel & ~3u);
        }
        *base_high = mmu_ld(env, env->gdt.base + offset + 8, 4, MMU_KERNEL_IDX) << 32;
    }
    return d;
}

static unsigned system_type(Descriptor d)
{
    return (d.hi >> DESC_TYPE_SHIFT) & 0x1f;    /* with S, which must be clear */
}

HELPER(lldt)
{
    ENV;
    uint16_t sel = (uint16_t)a0;
    if ((sel & ~3u) == 0) {
        env->ldt = (SegmentCache){ .selector = sel };   /* no LDT: every TI=1 selector faults */
        return 0;
    }
    uint64_t base_high;
    Descriptor d = read_system_descriptor(env, sel, &base_high);
    if (system_type(d) != SYS_LDT) {
        cpu_raise_exception(env, EXCP_GP, sel & ~3u);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, sel & ~3u);
    }
    cpu_seg_cache_fill(&env->ldt, sel, d);
    env->ldt.base |= base_high;
    return 0;
}
DEF_HELPER_INFO(lldt, 0);

HELPER(ltr)
{
    ENV;
    uint16_t sel = (uint16_t)a0;
    if ((sel & ~3u) == 0) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint64_t base_high;
    Descriptor d = read_system_descriptor(env, sel, &base_high);
    unsigned type = system_type(d);
    bool ok = type == SYS_TSS32_AVAIL || (type == SYS_TSS16_AVAIL && !(env->hflags & HF_LMA));
    if (!ok) {
        cpu_raise_exception(env, EXCP_GP, sel & ~3u);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, sel & ~3u);
    }
    d.hi |= SYS_BUSY_BIT << DESC_TYPE_SHIFT;
    mmu_st(env, env->gdt.base + (sel & ~7u) + 4, d.hi, 4, MMU_KERNEL_IDX);
    cpu_seg_cache_fill(&env->tr, sel, d);
    env->tr.base |= base_high;
    return 0;
}
DEF_HELPER_INFO(ltr, 0);

/* ---------------------------------------------------------------- LAR LSL VERR VERW */

/* System descriptor types LAR (and LSL) accept, per mode: bit t set = type t is valid */
#define LAR_TYPES_LEGACY 0x1a3eu    /* 1 2 3 4 5 9 B C */
#define LSL_TYPES_LEGACY 0x0a0eu    /* 1 2 3 9 B */
#define LAR_TYPES_LONG   0x1a04u    /* 2 9 B C */
#define LSL_TYPES_LONG   0x0a04u    /* 2 9 B */

/* Read the descriptor sel names without faulting on the table limit (these instructions
 * report a bad selector through ZF); false when it is out of the table */
static bool peek_descriptor(CPUState *env, uint16_t sel, Descriptor *d)
{
    return (sel & ~3u) != 0 && cpu_peek_descriptor(env, sel, d);
}

static bool desc_check_passes(CPUState *env, unsigned kind, uint16_t sel, Descriptor d)
{
    bool s = (d.hi & DESC_S_MASK) != 0, code = s && (d.hi & DESC_CS_MASK);
    bool conforming = code && (d.hi & DESC_C_MASK), rw = (d.hi & DESC_W_MASK) != 0;
    unsigned dpl = desc_dpl(d);
    bool privileged = dpl >= cur_cpl(env) && dpl >= (sel & 3u);
    switch (kind) {
    case DESC_CHECK_LAR:
    case DESC_CHECK_LSL:
        if (!s) {
            bool lng = (env->hflags & HF_LMA) != 0;
            uint32_t types = kind == DESC_CHECK_LAR ? (lng ? LAR_TYPES_LONG : LAR_TYPES_LEGACY)
                                                    : (lng ? LSL_TYPES_LONG : LSL_TYPES_LEGACY);
            unsigned type = (d.hi >> DESC_TYPE_SHIFT) & 0xf;
            return ((types >> type) & 1) && privileged;
        }
        return conforming || privileged;
    case DESC_CHECK_VERR:
        return s && (!code || rw) && (conforming || privileged);
    default:    /* VERW */
        return s && !code && rw && privileged;
    }
}

HELPER(desc_check)
{
    ENV;
    unsigned kind = (unsigned)a0;
    uint16_t sel = (uint16_t)a1;
    Descriptor d;
    if (!peek_descriptor(env, sel, &d) || !desc_check_passes(env, kind, sel, d)) {
        return 0;
    }
    uint64_t value = 0;
    if (kind == DESC_CHECK_LAR) {
        value = d.hi & 0x00f0ff00u;
    } else if (kind == DESC_CHECK_LSL) {
        value = (d.lo & 0xffff) | (d.hi & 0xf0000);
        if (d.hi & DESC_G_MASK) {
            value = ((value << 12) | 0xfff) & 0xffffffffull;
        }
    }
    return DESC_CHECK_OK | value;
}
DEF_HELPER_INFO(desc_check, TCG_CALL_NO_WRITE_ENV);

/* ---------------------------------------------------------------- fast system calls */

#define FLAT_ATTRS (DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | DESC_G_MASK | DESC_W_MASK)

/* The fixed descriptors SYSCALL/SYSENTER and their returns load: base 0, 4 GiB */
static SegmentCache flat_code(uint16_t sel, unsigned dpl, bool code64)
{
    uint32_t size = code64 ? DESC_L_MASK : DESC_B_MASK;
    return (SegmentCache){ .selector = sel, .base = 0, .limit = 0xffffffff,
                           .flags = FLAT_ATTRS | DESC_CS_MASK | size | dpl << DESC_DPL_SHIFT };
}

static SegmentCache flat_stack(uint16_t sel, unsigned dpl)
{
    return (SegmentCache){ .selector = sel, .base = 0, .limit = 0xffffffff,
                           .flags = FLAT_ATTRS | DESC_B_MASK | dpl << DESC_DPL_SHIFT };
}

static void set_cs_ss(CPUState *env, SegmentCache cs, SegmentCache ss, uint64_t rip)
{
    env->seg[R_CS] = cs;
    env->seg[R_SS] = ss;
    env->rip = rip;
    cpu_update_hflags(env);
}

/* SYSCALL (64-bit code only, the decoder sees to that): (next_rip) */
HELPER(syscall)
{
    ENV;
    if (!(env->efer & EFER_SCE)) {
        cpu_raise_exception(env, EXCP_UD, 0);
    }
    uint16_t sel = (uint16_t)(env->star >> 32) & 0xfffc;
    uint32_t flags = cpu_get_eflags(env);
    env->regs[R_ECX] = a0;
    env->regs[R_R11] = flags & ~RF_MASK;
    set_cs_ss(env, flat_code(sel, 0, true), flat_stack((uint16_t)(sel + 8), 0), env->lstar);
    cpu_set_eflags(env, flags & ~((uint32_t)env->fmask | RF_MASK), ~0u);
    return 0;
}
DEF_HELPER_INFO(syscall, 0);

/* SYSRET (64-bit code): (opsize) 8 returns to 64-bit code, 4 to compatibility mode */
HELPER(sysret)
{
    ENV;
    if (!(env->efer & EFER_SCE)) {
        cpu_raise_exception(env, EXCP_UD, 0);
    }
    bool to64 = a0 == 8;
    uint64_t rip = to64 ? env->regs[R_ECX] : (uint32_t)env->regs[R_ECX];
    if (cur_cpl(env) != 0 || !cpu_is_canonical(env, rip)) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint16_t base = (uint16_t)(env->star >> 48);
    uint16_t cs = (uint16_t)((to64 ? base + 16 : base) | 3);
    set_cs_ss(env, flat_code(cs, 3, to64), flat_stack((uint16_t)((base + 8) | 3), 3), rip);
    /* RF and VM always clear, bit 1 set */
    cpu_set_eflags(env, ((uint32_t)env->regs[R_R11] & ~(RF_MASK | VM_MASK)) | 2, ~0u);
    cpu_irq_window_check(env);
    return 0;
}
DEF_HELPER_INFO(sysret, 0);

HELPER(sysenter)
{
    ENV;
    uint16_t sel = (uint16_t)env->sysenter_cs & 0xfffc;
    if (!(env->cr[0] & CR0_PE) || sel == 0) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    bool lma = (env->hflags & HF_LMA) != 0;
    uint64_t eip = lma ? env->sysenter_eip : (uint32_t)env->sysenter_eip;
    uint64_t esp = lma ? env->sysenter_esp : (uint32_t)env->sysenter_esp;
    env->eflags &= ~(VM_MASK | IF_MASK | RF_MASK);
    set_cs_ss(env, flat_code(sel, 0, lma), flat_stack((uint16_t)(sel + 8), 0), eip);
    env->regs[R_ESP] = esp;
    return 0;
}
DEF_HELPER_INFO(sysenter, 0);

/* SYSEXIT: (opsize) 8 returns to 64-bit code (REX.W), otherwise to 32-bit code */
HELPER(sysexit)
{
    ENV;
    uint16_t sel = (uint16_t)env->sysenter_cs & 0xfffc;
    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK) || cur_cpl(env) != 0 || sel == 0) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    bool to64 = a0 == 8;
    uint64_t rip = to64 ? env->regs[R_EDX] : (uint32_t)env->regs[R_EDX];
    uint64_t rsp = to64 ? env->regs[R_ECX] : (uint32_t)env->regs[R_ECX];
    if (to64 && (!cpu_is_canonical(env, rip) || !cpu_is_canonical(env, rsp))) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint16_t cs = (uint16_t)((sel + (to64 ? 32 : 16)) | 3);
    uint16_t ss = (uint16_t)((sel + (to64 ? 40 : 24)) | 3);
    set_cs_ss(env, flat_code(cs, 3, to64), flat_stack(ss, 3), rip);
    env->regs[R_ESP] = rsp;
    return 0;
}
DEF_HELPER_INFO(sysexit, 0);

HELPER(swapgs)
{
    ENV;
    uint64_t gs = env->seg[R_GS].base;
    env->seg[R_GS].base = env->kernel_gs_base;
    env->kernel_gs_base = gs;
    return 0;
}
DEF_HELPER_INFO(swapgs, TCG_CALL_NO_RAISE);

/* ---------------------------------------------------------------- UMIP, FS/GS base */

HELPER(umip_check)
{
    ENV;
    if (env->cr[4] & CR4_UMIP) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    return 0;
}
DEF_HELPER_INFO(umip_check, 0);

enum { FSGS_RDFS, FSGS_RDGS, FSGS_WRFS, FSGS_WRGS };

HELPER(fsgsbase)
{
    ENV;
    unsigned op = (unsigned)a0;
    if (!(env->cr[4] & CR4_FSGSBASE)) {
        cpu_raise_exception(env, EXCP_UD, 0);
    }
    SegmentCache *sc = &env->seg[(op & 1) ? R_GS : R_FS];
    if (op <= FSGS_RDGS) {
        return sc->base;
    }
    if (!cpu_is_canonical(env, a1)) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    sc->base = a1;
    return 0;
}
DEF_HELPER_INFO(fsgsbase, 0);

/* ---------------------------------------------------------------- the I/O permission bitmap */

#define TSS_IOMAP_BASE 0x66

static void check_io_bitmap(CPUState *env, uint16_t port, unsigned size)
{
    bool v86 = (env->eflags & VM_MASK) != 0;
    if (!(env->cr[0] & CR0_PE) ||
        (!v86 && cur_cpl(env) <= ((env->eflags & IOPL_MASK) >> 12))) {
        return;
    }
    /* only a 32-bit (or 64-bit) TSS has a bitmap; every bit of the access must be clear */
    unsigned tss_type = (env->tr.flags >> DESC_TYPE_SHIFT) & 0xf;
    if ((tss_type & ~2u) != 9 || env->tr.limit < TSS_IOMAP_BASE + 1) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint32_t map = (uint32_t)mmu_ld(env, env->tr.base + TSS_IOMAP_BASE, 2, MMU_KERNEL_IDX);
    uint32_t offset = map + port / 8;
    if (offset + 1 > env->tr.limit) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint32_t bits = (uint32_t)mmu_ld(env, env->tr.base + offset, 2, MMU_KERNEL_IDX);
    uint32_t want = ((1u << size) - 1) << (port & 7);
    if (bits & want) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
}

/* Every I/O access passes here before it is made: the permission check, then the I/O
 * breakpoints (DR7 R/W = 10 with CR4.DE), which are traps reported after the instruction */
void cpu_check_io_permission(CPUState *env, uint16_t port, unsigned size)
{
    check_io_bitmap(env, port, size);
    if ((env->cr[4] & CR4_DE) && (env->dr[7] & DR7_ENABLES)) {
        cpu_dr_io_access(env, port, size);
    }
}
