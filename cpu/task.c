/*
 * cpu/task.c — hardware task switching with a 32-bit or a 16-bit (80286) TSS (SDM vol. 3,
 * 7.3 and 7.6): far JMP/CALL to a TSS descriptor or a task gate, events through a task gate,
 * and IRET with NT (task return).
 *
 * Order, as the manual gives it: everything that can fault in the old task's context (the
 * new TSS descriptor, its limit and busy state, reading the whole new TSS image, writing the
 * old one) happens before any register changes. Then the busy bits, the back link, TR, CR0.TS
 * and the new task's registers are committed, and only then are LDTR and the segment
 * registers loaded with their checks: a fault there is raised in the new task (#TS with the
 * offending selector), with the new task's EIP as the faulting address.
 * A 16-bit TSS holds no CR3, FS or GS: the switch keeps CR3, loads FS and GS null, and the
 * upper halves of the general registers read as 0xFFFF (what 386-class processors and the
 * other emulators show; the SDM leaves them undefined). Not implemented: the TSS T (debug
 * trap) bit.
 */
#include "cpu/cpu.h"
#include "cpu/helpers.h"

enum { TSS_BACK_LINK = 0x00 };
enum { TSS32_AVAIL = 9, TSS16_AVAIL = 1, TSS_BUSY_BIT = 2 };

/* Where a TSS format keeps the dynamic state of a task */
typedef struct TssLayout {
    uint32_t ip, flags, regs, segs, ldt, cr3;   /* byte offsets (cr3 0: none) */
    unsigned width;                             /* bytes per register and selector slot */
    unsigned nb_segs;                           /* selectors stored: ES CS SS DS [FS GS] */
    uint32_t min_limit;
} TssLayout;

static const TssLayout tss32_layout = {
    .ip = 0x20, .flags = 0x24, .regs = 0x28, .segs = 0x48, .ldt = 0x60, .cr3 = 0x1c,
    .width = 4, .nb_segs = 6, .min_limit = 0x67,
};
static const TssLayout tss16_layout = {
    .ip = 0x0e, .flags = 0x10, .regs = 0x12, .segs = 0x22, .ldt = 0x2a, .cr3 = 0,
    .width = 2, .nb_segs = 4, .min_limit = 0x2b,
};

/* A TSS descriptor type (available or busy) names its format; anything else is not a TSS */
static const TssLayout *tss_layout(unsigned type)
{
    switch (type & ~TSS_BUSY_BIT) {
    case TSS32_AVAIL: return &tss32_layout;
    case TSS16_AVAIL: return &tss16_layout;
    default:          return NULL;
    }
}

/* Segment registers in TSS order: ES CS SS DS FS GS, matching R_ES..R_GS */
static const int tss_seg_order[NB_SEGS] = { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

typedef struct TaskImage {
    uint32_t cr3, eip, eflags, regs[8];
    uint16_t segs[NB_SEGS], ldt;
    bool has_cr3;
} TaskImage;

static uint64_t desc_base(Descriptor d)
{
    return (d.lo >> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000u);
}

/* Set or clear the busy bit of the TSS descriptor sel names in the GDT */
static void set_tss_busy(CPUState *env, uint16_t sel, bool busy)
{
    uint64_t la = env->gdt.base + (sel & ~7u) + 4;
    uint32_t hi = (uint32_t)mmu_ld(env, la, 4, MMU_KERNEL_IDX);
    uint32_t bit = TSS_BUSY_BIT << DESC_TYPE_SHIFT;
    mmu_st(env, la, busy ? hi | bit : hi & ~bit, 4, MMU_KERNEL_IDX);
}

static uint32_t tss_ld(CPUState *env, uint64_t base, uint32_t offset, unsigned width)
{
    return (uint32_t)mmu_ld(env, base + offset, width, MMU_KERNEL_IDX);
}

static TaskImage read_task_image(CPUState *env, const TssLayout *l, uint64_t base)
{
    unsigned w = l->width;
    /* what a 16-bit image does not hold: the upper register halves read as ones, the
     * upper EFLAGS bits that are not the task's (VM RF NT) clear, FS and GS null */
    uint32_t upper = w == 2 ? 0xffff0000u : 0;
    TaskImage t = { .has_cr3 = l->cr3 != 0 };
    if (t.has_cr3) {
        t.cr3 = tss_ld(env, base, l->cr3, 4);
    }
    t.eip = tss_ld(env, base, l->ip, w);
    t.eflags = tss_ld(env, base, l->flags, w);
    if (w == 2) {
        t.eflags |= cpu_get_eflags(env) & (AC_MASK | ID_MASK | VIF_MASK | VIP_MASK);
    }
    for (int r = 0; r < 8; r++) {
        t.regs[r] = upper | tss_ld(env, base, l->regs + r * w, w);
    }
    for (unsigned i = 0; i < l->nb_segs; i++) {
        t.segs[tss_seg_order[i]] = (uint16_t)tss_ld(env, base, l->segs + i * w, 2);
    }
    t.ldt = (uint16_t)tss_ld(env, base, l->ldt, 2);
    return t;
}

/* The dynamic fields of the outgoing task: EIP, EFLAGS, the registers and selectors */
static void save_task_image(CPUState *env, const TssLayout *l, uint64_t base, uint64_t eip,
                            uint32_t eflags)
{
    unsigned w = l->width;
    mmu_st(env, base + l->ip, (uint32_t)eip, w, MMU_KERNEL_IDX);
    mmu_st(env, base + l->flags, eflags, w, MMU_KERNEL_IDX);
    for (int r = 0; r < 8; r++) {
        mmu_st(env, base + l->regs + r * w, (uint32_t)env->regs[r], w, MMU_KERNEL_IDX);
    }
    for (unsigned i = 0; i < l->nb_segs; i++) {
        mmu_st(env, base + l->segs + i * w, env->seg[tss_seg_order[i]].selector, 2,
               MMU_KERNEL_IDX);
    }
}

_Noreturn static void task_fault(CPUState *env, int vector, uint16_t sel, uint32_t ext)
{
    cpu_raise_exception(env, vector, (sel & ~3u) | ext);
}

/* LDTR of the new task: null, or an LDT descriptor in the GDT */
static void load_task_ldt(CPUState *env, uint16_t sel, uint32_t ext)
{
    if ((sel & ~3u) == 0) {
        env->ldt = (SegmentCache){ .selector = sel };
        return;
    }
    if (sel & SEL_TI) {
        task_fault(env, EXCP_TS, sel, ext);
    }
    Descriptor d = cpu_read_descriptor(env, sel, EXCP_TS, ext);
    if ((d.hi & DESC_S_MASK) || ((d.hi >> DESC_TYPE_SHIFT) & 0xf) != 2) {
        task_fault(env, EXCP_TS, sel, ext);
    }
    if (!(d.hi & DESC_P_MASK)) {
        task_fault(env, EXCP_NP, sel, ext);
    }
    cpu_seg_cache_fill(&env->ldt, sel, d);
}

/* One segment register of the new protected-mode task, with the #TS checks of a task
 * switch (CS first: its RPL is the new CPL the others are checked against) */
static void load_task_seg(CPUState *env, int seg, uint16_t sel, unsigned cpl, uint32_t ext)
{
    if ((sel & ~3u) == 0) {
        if (seg == R_CS || seg == R_SS) {
            task_fault(env, EXCP_TS, sel, ext);
        }
        env->seg[seg] = (SegmentCache){ .selector = sel };
        return;
    }
    Descriptor d = cpu_read_descriptor(env, sel, EXCP_TS, ext);
    bool s = (d.hi & DESC_S_MASK) != 0, code = s && (d.hi & DESC_CS_MASK);
    bool conforming = code && (d.hi & DESC_C_MASK), rw = (d.hi & DESC_W_MASK) != 0;
    unsigned dpl = desc_dpl(d), rpl = sel & 3;
    bool ok;
    if (seg == R_CS) {
        ok = code && (conforming ? dpl <= rpl : dpl == rpl);
    } else if (seg == R_SS) {
        ok = s && !code && rw && dpl == cpl && rpl == cpl;
    } else {
        ok = s && (!code || rw) && (conforming || (dpl >= cpl && dpl >= rpl));
    }
    if (!ok) {
        task_fault(env, EXCP_TS, sel, ext);
    }
    if (!(d.hi & DESC_P_MASK)) {
        task_fault(env, seg == R_SS ? EXCP_SS : EXCP_NP, sel, ext);
    }
    cpu_descriptor_set_accessed(env, sel, &d);
    cpu_seg_cache_fill(&env->seg[seg], sel, d);
}

void cpu_task_switch(CPUState *env, uint16_t sel, Descriptor d, TaskSwitchReason reason,
                     uint64_t next_eip, uint32_t ext)
{
    unsigned type = (d.hi >> DESC_TYPE_SHIFT) & 0xf;
    const TssLayout *layout = tss_layout(type);
    const TssLayout *old_layout = tss_layout((env->tr.flags >> DESC_TYPE_SHIFT) & 0xf);
    if (!layout) {
        cpu_raise_exception(env, EXCP_GP, (sel & ~3u) | ext);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, (sel & ~3u) | ext);
    }
    uint32_t limit = (d.lo & 0xffff) | (d.hi & 0xf0000);
    if (d.hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    if (limit < layout->min_limit) {
        cpu_raise_exception(env, EXCP_TS, (sel & ~3u) | ext);
    }
    /* a task is entered only when free, and returned to only when busy (nested) */
    bool busy = (type & TSS_BUSY_BIT) != 0;
    if (reason == TASK_IRET ? !busy : busy) {
        cpu_raise_exception(env, reason == TASK_IRET ? EXCP_TS : EXCP_GP, (sel & ~3u) | ext);
    }
    uint64_t new_base = desc_base(d);
    uint64_t old_base = env->tr.base;
    if (!old_layout || env->tr.limit < old_layout->min_limit) {
        cpu_raise_exception(env, EXCP_TS, (env->tr.selector & ~3u) | ext);
    }
    TaskImage t = read_task_image(env, layout, new_base);

    /* the outgoing task: it stays busy only when it is nested under the new one */
    uint32_t old_eflags = cpu_get_eflags(env);
    if (reason == TASK_IRET) {
        old_eflags &= ~NT_MASK;
    }
    save_task_image(env, old_layout, old_base, next_eip, old_eflags);
    if (reason != TASK_CALL) {
        set_tss_busy(env, env->tr.selector, false);
    }
    if (reason == TASK_CALL) {
        mmu_st(env, new_base + TSS_BACK_LINK, env->tr.selector, 2, MMU_KERNEL_IDX);
        t.eflags |= NT_MASK;
    }
    if (reason != TASK_IRET) {
        set_tss_busy(env, sel, true);
        d.hi |= TSS_BUSY_BIT << DESC_TYPE_SHIFT;
    }

    /* commit: TR, CR0.TS, CR3, then the register file of the new task */
    cpu_seg_cache_fill(&env->tr, sel, d);
    env->cr[0] |= CR0_TS;
    if ((env->cr[0] & CR0_PG) && t.has_cr3) {
        env->cr[3] = t.cr3;
        tlb_flush(env);
    }
    for (int r = 0; r < 8; r++) {
        env->regs[r] = t.regs[r];
    }
    env->rip = t.eip;
    cpu_set_eflags(env, t.eflags | 2, ~0u);
    /* the selectors are in place before the checks, so a fault shows the new task's values */
    for (int s = 0; s < NB_SEGS; s++) {
        env->seg[s].selector = t.segs[s];
    }
    env->ldt.selector = t.ldt;

    /* faults from here on belong to the new task, at its EIP: keep the translator from
     * putting back the rip of the instruction that switched */
    bool was_running_code = cpu_running_code;
    cpu_running_code = false;
    load_task_ldt(env, t.ldt, ext);
    if (t.eflags & VM_MASK) {
        for (int s = 0; s < NB_SEGS; s++) {
            cpu_load_seg_real(env, s, t.segs[s]);
        }
    } else {
        unsigned cpl = t.segs[R_CS] & 3;
        load_task_seg(env, R_CS, t.segs[R_CS], cpl, ext);
        load_task_seg(env, R_SS, t.segs[R_SS], cpl, ext);
        static const int data_segs[] = { R_ES, R_DS, R_FS, R_GS };
        for (unsigned i = 0; i < 4; i++) {
            load_task_seg(env, data_segs[i], t.segs[data_segs[i]], cpl, ext);
        }
        cpu_update_hflags(env);
        if (env->rip > env->seg[R_CS].limit) {
            cpu_raise_exception(env, EXCP_GP, 0);
        }
    }
    cpu_update_hflags(env);
    cpu_running_code = was_running_code;
}

/* The TSS a task gate names: in the GDT, an available or busy 16- or 32-bit TSS */
Descriptor cpu_task_gate_target(CPUState *env, uint16_t tss_sel, uint32_t ext)
{
    if (tss_sel & SEL_TI) {
        cpu_raise_exception(env, EXCP_GP, (tss_sel & ~3u) | ext);
    }
    Descriptor d = cpu_read_descriptor(env, tss_sel, EXCP_GP, ext);
    unsigned type = (d.hi >> DESC_TYPE_SHIFT) & 0x1f;   /* with S: must be clear */
    if (type > 0xf || !tss_layout(type)) {
        cpu_raise_exception(env, EXCP_GP, (tss_sel & ~3u) | ext);
    }
    return d;
}
