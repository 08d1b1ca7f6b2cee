/*
 * cpu/task.c — hardware task switching with a 32-bit TSS (SDM vol. 3, 7.3): far JMP/CALL to a
 * TSS descriptor or a task gate, events through a task gate, and IRET with NT (task return).
 *
 * Order, as the manual gives it: everything that can fault in the old task's context (the
 * new TSS descriptor, its limit and busy state, reading the whole new TSS image, writing the
 * old one) happens before any register changes. Then the busy bits, the back link, TR, CR0.TS
 * and the new task's registers are committed, and only then are LDTR and the segment
 * registers loaded with their checks: a fault there is raised in the new task (#TS with the
 * offending selector), with the new task's EIP as the faulting address.
 * Not implemented: 16-bit TSSs (286 tasks) as switch targets (#GP with the selector), the
 * TSS T (debug trap) bit.
 */
#include "cpu/cpu.h"
#include "cpu/helpers.h"

/* 32-bit TSS layout */
enum {
    TSS_BACK_LINK = 0x00, TSS_CR3 = 0x1c, TSS_EIP = 0x20, TSS_EFLAGS = 0x24, TSS_EAX = 0x28,
    TSS_ES = 0x48, TSS_LDT = 0x60, TSS_MIN_LIMIT = 0x67,
};
enum { TSS32_AVAIL = 9, TSS32_BUSY = 11, TSS_BUSY_BIT = 2 };

/* Segment registers in TSS order: ES CS SS DS FS GS, matching R_ES..R_GS */
static const int tss_seg_order[NB_SEGS] = { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

typedef struct TaskImage {
    uint32_t cr3, eip, eflags, regs[8];
    uint16_t segs[NB_SEGS], ldt;
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

static TaskImage read_task_image(CPUState *env, uint64_t base)
{
    TaskImage t;
    t.cr3 = (uint32_t)mmu_ld(env, base + TSS_CR3, 4, MMU_KERNEL_IDX);
    t.eip = (uint32_t)mmu_ld(env, base + TSS_EIP, 4, MMU_KERNEL_IDX);
    t.eflags = (uint32_t)mmu_ld(env, base + TSS_EFLAGS, 4, MMU_KERNEL_IDX);
    for (int r = 0; r < 8; r++) {
        t.regs[r] = (uint32_t)mmu_ld(env, base + TSS_EAX + r * 4, 4, MMU_KERNEL_IDX);
    }
    for (int i = 0; i < NB_SEGS; i++) {
        t.segs[tss_seg_order[i]] = (uint16_t)mmu_ld(env, base + TSS_ES + i * 4, 2,
                                                    MMU_KERNEL_IDX);
    }
    t.ldt = (uint16_t)mmu_ld(env, base + TSS_LDT, 2, MMU_KERNEL_IDX);
    return t;
}

/* The dynamic fields of the outgoing task: EIP, EFLAGS, the registers and selectors */
static void save_task_image(CPUState *env, uint64_t base, uint64_t eip, uint32_t eflags)
{
    mmu_st(env, base + TSS_EIP, (uint32_t)eip, 4, MMU_KERNEL_IDX);
    mmu_st(env, base + TSS_EFLAGS, eflags, 4, MMU_KERNEL_IDX);
    for (int r = 0; r < 8; r++) {
        mmu_st(env, base + TSS_EAX + r * 4, (uint32_t)env->regs[r], 4, MMU_KERNEL_IDX);
    }
    for (int i = 0; i < NB_SEGS; i++) {
        mmu_st(env, base + TSS_ES + i * 4, env->seg[tss_seg_order[i]].selector, 2,
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
    if ((type & ~TSS_BUSY_BIT) != TSS32_AVAIL) {
        /* a 16-bit (286) TSS: not implemented */
        cpu_raise_exception(env, EXCP_GP, (sel & ~3u) | ext);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, (sel & ~3u) | ext);
    }
    uint32_t limit = (d.lo & 0xffff) | (d.hi & 0xf0000);
    if (d.hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    if (limit < TSS_MIN_LIMIT) {
        cpu_raise_exception(env, EXCP_TS, (sel & ~3u) | ext);
    }
    /* a task is entered only when free, and returned to only when busy (nested) */
    bool busy = (type & TSS_BUSY_BIT) != 0;
    if (reason == TASK_IRET ? !busy : busy) {
        cpu_raise_exception(env, reason == TASK_IRET ? EXCP_TS : EXCP_GP, (sel & ~3u) | ext);
    }
    uint64_t new_base = desc_base(d);
    uint64_t old_base = env->tr.base;
    if (env->tr.limit < TSS_MIN_LIMIT) {
        cpu_raise_exception(env, EXCP_TS, (env->tr.selector & ~3u) | ext);
    }
    TaskImage t = read_task_image(env, new_base);

    /* the outgoing task: it stays busy only when it is nested under the new one */
    uint32_t old_eflags = cpu_get_eflags(env);
    if (reason == TASK_IRET) {
        old_eflags &= ~NT_MASK;
    }
    save_task_image(env, old_base, next_eip, old_eflags);
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
    if (env->cr[0] & CR0_PG) {
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

/* The TSS a task gate names: in the GDT, an available or busy 32-bit TSS */
Descriptor cpu_task_gate_target(CPUState *env, uint16_t tss_sel, uint32_t ext)
{
    if (tss_sel & SEL_TI) {
        cpu_raise_exception(env, EXCP_GP, (tss_sel & ~3u) | ext);
    }
    Descriptor d = cpu_read_descriptor(env, tss_sel, EXCP_GP, ext);
    unsigned type = (d.hi >> DESC_TYPE_SHIFT) & 0x1f;   /* with S: must be clear */
    if ((type & ~TSS_BUSY_BIT) != TSS32_AVAIL && (type & ~TSS_BUSY_BIT) != 1) {
        cpu_raise_exception(env, EXCP_GP, (tss_sel & ~3u) | ext);
    }
    return d;
}
