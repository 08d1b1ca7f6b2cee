/*
 * cpu/helpers_ctrl.c — C helpers for control transfers that involve CS or the interrupt
 * machinery (INT n, far JMP/CALL/RET, IRET, BOUND) and for the system instructions (segment
 * loads, control and debug registers, HLT, CLI/STI, INVLPG, MSRs).
 *
 * Every helper does all of its checks and memory accesses before it changes a register, so
 * a fault leaves the instruction's state intact (precise exceptions).
 * Far JMP/CALL go through 16- and 32-bit call gates (with the inner-ring stack switch and
 * parameter copy), task gates and TSS descriptors; IRET returns to V86 mode and, with NT,
 * to the previous task. In long mode the only gate is the 16-byte 64-bit call gate (no
 * parameter copy, 8-byte frame, a null SS for an inner ring).
 */
#include <stddef.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "hw/hw.h"

#define ENV CPUState *env = (CPUState *)env_

static unsigned cur_cpl(const CPUState *env)
{
    return env->hflags & HF_CPL_MASK;
}

static bool protected_mode(const CPUState *env)
{
    return (env->cr[0] & CR0_PE) && !(env->eflags & VM_MASK);
}

static unsigned iopl(const CPUState *env)
{
    return (env->eflags & IOPL_MASK) >> 12;
}

/* ---------------------------------------------------------------- interrupts, BOUND */

HELPER(raise_int)
{
    ENV;
    /* INT n in virtual-8086 mode traps to the monitor unless IOPL = 3 (no CR4.VME) */
    if (a2 && (env->eflags & VM_MASK) && iopl(env) < 3) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    cpu_raise_software_interrupt(env, (int)(a0 & 0xff), a1);
}
DEF_HELPER_INFO(raise_int, 0);

HELPER(into)
{
    ENV;
    if (a0) {
        cpu_raise_software_interrupt(env, EXCP_OF, a1);
    }
    return 0;
}
DEF_HELPER_INFO(into, TCG_CALL_NO_WRITE_ENV);

HELPER(int1)
{
    ENV;
    cpu_raise_trap(env, EXCP_DB, a0);
}
DEF_HELPER_INFO(int1, 0);

static int64_t sext(uint64_t v, unsigned size)
{
    return size == 2 ? (int16_t)v : (int32_t)v;
}

HELPER(bound)
{
    ENV;
    unsigned size = (unsigned)a3;
    int64_t index = sext(a0, size), lower = sext(a1, size), upper = sext(a2, size);
    if (index < lower || index > upper) {
        cpu_raise_exception(env, EXCP_BR, 0);
    }
    return 0;
}
DEF_HELPER_INFO(bound, TCG_CALL_NO_WRITE_ENV);

/* ---------------------------------------------------------------- far transfers */

/* System descriptor types a far JMP/CALL may name */
enum { SYS_TSS16 = 1, SYS_CALL_GATE16 = 4, SYS_TASK_GATE = 5, SYS_TSS32 = 9,
       SYS_CALL_GATE32 = 12 };

/* The target of a far JMP/CALL: CS (checked, not loaded), rip, and for a CALL through a
 * gate to an inner ring the new stack */
typedef struct FarTarget {
    SegmentCache cs;
    uint64_t rip;
    unsigned size;          /* bytes per pushed value: the operand size, or the gate's */
    unsigned new_cpl;
    unsigned params;        /* call gate: dwords/words copied to the inner stack */
    bool inner;             /* CALL to a more privileged ring: stack switch */
} FarTarget;

/* The code descriptor a far transfer lands in, with the checks every path shares */
static Descriptor far_code(CPUState *env, uint16_t sel)
{
    if ((sel & ~3u) == 0) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    Descriptor d = cpu_read_descriptor(env, sel, EXCP_GP, 0);
    if (!(d.hi & DESC_S_MASK) || !(d.hi & DESC_CS_MASK)) {
        cpu_raise_exception(env, EXCP_GP, sel & ~3u);
    }
    return d;
}

static void far_check_rip(CPUState *env, const SegmentCache *cs, uint64_t rip)
{
    bool code64 = (env->hflags & HF_LMA) && (cs->flags & DESC_L_MASK);
    if (code64 ? !cpu_is_canonical(env, rip) : rip > cs->limit) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
}

/* The code segment a call gate names: same privilege for JMP (or conforming code), inner
 * privilege for CALL to non-conforming code of a lower DPL. A 64-bit gate needs 64-bit code. */
static void gate_code_target(CPUState *env, uint16_t sel, bool call, bool gate64, FarTarget *t)
{
    unsigned cpl = cur_cpl(env);
    Descriptor d = far_code(env, sel);
    unsigned dpl = desc_dpl(d);
    bool conforming = (d.hi & DESC_C_MASK) != 0;
    if (dpl > cpl || (!call && !conforming && dpl != cpl)) {
        cpu_raise_exception(env, EXCP_GP, sel & ~3u);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, sel & ~3u);
    }
    if (gate64 && (!(d.hi & DESC_L_MASK) || (d.hi & DESC_B_MASK))) {
        cpu_raise_exception(env, EXCP_GP, sel & ~3u);
    }
    t->inner = call && !conforming && dpl < cpl;
    t->new_cpl = t->inner ? dpl : cpl;
    cpu_seg_cache_fill(&t->cs, (uint16_t)((sel & ~3u) | t->new_cpl), d);
    far_check_rip(env, &t->cs, t->rip);
    cpu_descriptor_set_accessed(env, sel, &d);
}

/* A 16- or 32-bit call gate (legacy protected mode) */
static FarTarget through_call_gate(CPUState *env, Descriptor gate, bool call)
{
    bool gate32 = ((gate.hi >> DESC_TYPE_SHIFT) & 0xf) == SYS_CALL_GATE32;
    FarTarget t = {
        .rip = gate32 ? (gate.lo & 0xffff) | (gate.hi & 0xffff0000u) : gate.lo & 0xffff,
        .size = gate32 ? 4 : 2,
        .params = gate.hi & 0x1f,
    };
    gate_code_target(env, (uint16_t)(gate.lo >> 16), call, false, &t);
    return t;
}

/* A 64-bit call gate (long mode, SDM 5.8.3.1): the descriptor's second 8 bytes hold offset
 * bits 63..32 and a type field that must be 0; no parameters are copied */
static FarTarget through_call_gate64(CPUState *env, uint16_t gate_sel, Descriptor gate, bool call)
{
    Descriptor upper;
    if (!cpu_peek_descriptor(env, (uint16_t)(gate_sel + 8), &upper) ||
        ((upper.hi >> DESC_TYPE_SHIFT) & 0x1f) != 0) {
        cpu_raise_exception(env, EXCP_GP, gate_sel & ~3u);
    }
    FarTarget t = {
        .rip = (gate.lo & 0xffff) | (gate.hi & 0xffff0000u) | (uint64_t)upper.lo << 32,
        .size = 8,
    };
    gate_code_target(env, (uint16_t)(gate.lo >> 16), call, true, &t);
    return t;
}

/* Resolve a protected-mode far JMP/CALL target. Task switches (TSS descriptor or task
 * gate) happen here and return false: env then already holds the new task. */
static bool far_target(CPUState *env, uint16_t sel, uint64_t offset, bool call, unsigned opsize,
                       uint64_t next_rip, FarTarget *t)
{
    unsigned cpl = cur_cpl(env), rpl = sel & 3;
    if ((sel & ~3u) == 0) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    Descriptor d = cpu_read_descriptor(env, sel, EXCP_GP, 0);
    unsigned dpl = desc_dpl(d);
    if (d.hi & DESC_S_MASK) {
        d = far_code(env, sel);
        bool ok = (d.hi & DESC_C_MASK) ? dpl <= cpl : (rpl <= cpl && dpl == cpl);
        if (!ok) {
            cpu_raise_exception(env, EXCP_GP, sel & ~3u);
        }
        if (!(d.hi & DESC_P_MASK)) {
            cpu_raise_exception(env, EXCP_NP, sel & ~3u);
        }
        *t = (FarTarget){ .rip = offset, .size = opsize, .new_cpl = cpl };
        cpu_seg_cache_fill(&t->cs, (uint16_t)((sel & ~3u) | cpl), d);
        far_check_rip(env, &t->cs, offset);
        cpu_descriptor_set_accessed(env, sel, &d);
        return true;
    }
    unsigned type = (d.hi >> DESC_TYPE_SHIFT) & 0xf;
    bool lma = (env->hflags & HF_LMA) != 0;
    /* long mode has no tasks: type 12 is the 64-bit call gate there, the only one */
    bool known = lma ? type == SYS_CALL_GATE32
                     : type == SYS_CALL_GATE32 || type == SYS_CALL_GATE16 ||
                       type == SYS_TASK_GATE || type == SYS_TSS16 || type == SYS_TSS32;
    /* a gate or TSS must be reachable from both the CPL and the selector's RPL */
    if (!known || dpl < cpl || dpl < rpl) {
        cpu_raise_exception(env, EXCP_GP, sel & ~3u);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, sel & ~3u);
    }
    TaskSwitchReason reason = call ? TASK_CALL : TASK_JMP;
    if (type == SYS_TASK_GATE) {
        uint16_t tss_sel = (uint16_t)(d.lo >> 16);
        cpu_task_switch(env, tss_sel, cpu_task_gate_target(env, tss_sel, 0), reason,
                        next_rip, 0);
        return false;
    }
    if (type == SYS_TSS16 || type == SYS_TSS32) {
        cpu_task_switch(env, sel, d, reason, next_rip, 0);
        return false;
    }
    *t = lma ? through_call_gate64(env, sel, d, call) : through_call_gate(env, d, call);
    return true;
}
static void set_cs_rip(CPUState *env, const SegmentCache *cs, uint64_t rip)
{
    env->seg[R_CS] = *cs;
    env->rip = rip;
    cpu_update_hflags(env);
}

HELPER(jmp_far)
{
    ENV;
    uint16_t sel = (uint16_t)a0;
    if (!protected_mode(env)) {
        cpu_load_seg_real(env, R_CS, sel);
        env->rip = a1;
        return 0;
    }
    FarTarget t;
    if (far_target(env, sel, a1, false, 0, a2, &t)) {
        set_cs_rip(env, &t.cs, t.rip);
    }
    return 0;
}
DEF_HELPER_INFO(jmp_far, 0);

/* CALL through a gate to an inner ring: the stack of the new ring from the TSS receives
 * the caller's SS:rSP, the gate's parameter count of values copied from the caller's
 * stack, and the return address. A 64-bit gate takes RSPn of the 64-bit TSS and a null SS
 * whose RPL is the new CPL. */
static void call_inner(CPUState *env, const FarTarget *t, uint64_t next_rip)
{
    uint64_t sp;
    SegmentCache ss;
    StackCursor st = { .mmu_idx = t->new_cpl == 3 ? MMU_USER_IDX : MMU_KERNEL_IDX };
    if (t->size == 8) {
        sp = cpu_tss_rsp64(env, t->new_cpl, 0);
        ss = (SegmentCache){ .selector = (uint16_t)t->new_cpl,
                             .flags = t->new_cpl << DESC_DPL_SHIFT };
        st.mask = ~0ull;
        st.wide = true;
    } else {
        ss = cpu_tss_inner_stack(env, t->new_cpl, 0, &sp);
        st.base = ss.base;
        st.mask = (ss.flags & DESC_B_MASK) ? 0xffffffffull : 0xffffull;
    }
    st.sp = sp;
    StackCursor old = stack_current(env);
    stack_push(env, &st, env->seg[R_SS].selector, t->size);
    stack_push(env, &st, env->regs[R_ESP], t->size);
    for (unsigned i = t->params; i > 0; i--) {
        uint64_t at = old.sp + (uint64_t)(i - 1) * t->size;
        stack_push(env, &st, mmu_ld(env, stack_linear(&old, at), t->size, old.mmu_idx),
                   t->size);
    }
    stack_push(env, &st, env->seg[R_CS].selector, t->size);
    stack_push(env, &st, next_rip, t->size);
    env->seg[R_SS] = ss;
    stack_commit(env, &st);
    set_cs_rip(env, &t->cs, t->rip);
}

HELPER(call_far)
{
    ENV;
    uint16_t sel = (uint16_t)a0;
    uint64_t offset = a1, next_rip = a3;
    unsigned opsize = (unsigned)a2;
    if (!protected_mode(env)) {
        StackCursor st = stack_current(env);
        stack_push(env, &st, env->seg[R_CS].selector, opsize);
        stack_push(env, &st, next_rip, opsize);
        stack_commit(env, &st);
        cpu_load_seg_real(env, R_CS, sel);
        env->rip = offset;
        return 0;
    }
    FarTarget t;
    if (!far_target(env, sel, offset, true, opsize, next_rip, &t)) {
        return 0;
    }
    if (t.inner) {
        call_inner(env, &t, next_rip);
        return 0;
    }
    StackCursor st = stack_current(env);
    if (t.size == 8) {
        /* a 64-bit gate lands in 64-bit code: its frame is pushed with the whole RSP */
        st = (StackCursor){ .sp = env->regs[R_ESP], .mask = ~0ull, .wide = true,
                            .mmu_idx = st.mmu_idx };
    }
    stack_push(env, &st, env->seg[R_CS].selector, t.size);
    stack_push(env, &st, next_rip, t.size);
    stack_commit(env, &st);
    set_cs_rip(env, &t.cs, t.rip);
    return 0;
}
DEF_HELPER_INFO(call_far, 0);

/* The code segment a far RET/IRET returns to: RPL >= CPL, DPL = RPL (<= RPL if
 * conforming), present */
static Descriptor return_code(CPUState *env, uint16_t sel)
{
    uint32_t err = sel & ~3u;
    if (err == 0) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    Descriptor d = cpu_read_descriptor(env, sel, EXCP_GP, 0);
    unsigned rpl = sel & 3, dpl = desc_dpl(d);
    bool code = (d.hi & DESC_S_MASK) && (d.hi & DESC_CS_MASK);
    bool dpl_ok = (d.hi & DESC_C_MASK) ? dpl <= rpl : dpl == rpl;
    if (!code || rpl < cur_cpl(env) || !dpl_ok) {
        cpu_raise_exception(env, EXCP_GP, err);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, err);
    }
    return d;
}

/* After a return to an outer ring: data segments the new CPL may not use become null. Only
 * the selector is nulled (and the segment made unusable); the hidden base stays, because
 * 64-bit code still adds the FS/GS base behind a null selector: that is where Linux keeps a
 * thread's TLS pointer (mov fs, 0; wrmsr FS_BASE), and every IRET to user space passes here. */
static void drop_inner_segments(CPUState *env, unsigned new_cpl)
{
    static const int data_segs[] = { R_ES, R_DS, R_FS, R_GS };
    for (unsigned i = 0; i < 4; i++) {
        SegmentCache *sc = &env->seg[data_segs[i]];
        bool conforming_code = (sc->flags & DESC_CS_MASK) && (sc->flags & DESC_C_MASK);
        unsigned dpl = (sc->flags >> DESC_DPL_SHIFT) & 3;
        if (!conforming_code && dpl < new_cpl) {
            *sc = (SegmentCache){ .base = sc->base };
        }
    }
}

/* Where a protected-mode far return goes: checked CS, and the SS:rSP it switches to */
typedef struct FarReturn {
    SegmentCache cs;
    bool new_stack;         /* SS:rSP popped from the frame */
    SegmentCache ss;
    uint64_t sp;
    unsigned new_cpl;
} FarReturn;

/* Check the popped CS (and, for an outer ring or a 64-bit IRET, pop SS:rSP) */
static FarReturn far_return_target(CPUState *env, StackCursor *st, uint16_t cs_sel,
                                   unsigned opsize, uint64_t imm, bool always_pop_ss)
{
    FarReturn r = { .new_cpl = cs_sel & 3u };
    Descriptor d = return_code(env, cs_sel);
    bool code64 = (env->hflags & HF_LMA) && (d.hi & DESC_L_MASK);
    cpu_seg_cache_fill(&r.cs, cs_sel, d);
    st->sp = (st->sp & ~st->mask) | ((st->sp + imm) & st->mask);
    r.new_stack = always_pop_ss || r.new_cpl > cur_cpl(env);
    if (r.new_stack) {
        r.sp = stack_pop(env, st, opsize);
        uint16_t ss_sel = (uint16_t)stack_pop(env, st, opsize);
        r.ss = cpu_fetch_ss(env, ss_sel, r.new_cpl, code64, EXCP_GP, 0);
        r.sp += imm;
        if (opsize == 2) {
            r.sp = (env->regs[R_ESP] & ~0xffffull) | (r.sp & 0xffff);
        } else if (opsize == 4) {
            r.sp = (uint32_t)r.sp;
        }
    }
    cpu_descriptor_set_accessed(env, cs_sel, &d);
    return r;
}

static void commit_far_return(CPUState *env, const FarReturn *r, const StackCursor *st,
                              uint64_t rip)
{
    unsigned old_cpl = cur_cpl(env);
    if (r->new_stack) {
        env->seg[R_SS] = r->ss;
        env->regs[R_ESP] = r->sp;
    } else {
        stack_commit(env, st);
    }
    set_cs_rip(env, &r->cs, rip);
    if (r->new_cpl > old_cpl) {
        drop_inner_segments(env, r->new_cpl);
    }
}

HELPER(retf)
{
    ENV;
    unsigned opsize = (unsigned)a0;
    uint64_t imm = a1;
    StackCursor st = stack_current(env);
    uint64_t rip = stack_pop(env, &st, opsize);
    uint16_t cs_sel = (uint16_t)stack_pop(env, &st, opsize);
    if (!protected_mode(env)) {
        st.sp = (st.sp & ~st.mask) | ((st.sp + imm) & st.mask);
        stack_commit(env, &st);
        cpu_load_seg_real(env, R_CS, cs_sel);
        env->rip = rip;
        return 0;
    }
    FarReturn r = far_return_target(env, &st, cs_sel, opsize, imm, false);
    commit_far_return(env, &r, &st, rip);
    return 0;
}
DEF_HELPER_INFO(retf, 0);

/* EFLAGS bits a POPF-style load may change by operand size (before the privilege rules) */
static uint32_t iret_flag_mask(unsigned opsize)
{
    uint32_t m = CC_MASK | TF_MASK | DF_MASK | NT_MASK | IF_MASK | IOPL_MASK;
    if (opsize > 2) {
        m |= RF_MASK | AC_MASK | ID_MASK | VIF_MASK | VIP_MASK;
    }
    return m;
}

static void iret_real_or_v86(CPUState *env, unsigned opsize)
{
    bool v86 = (env->eflags & VM_MASK) != 0;
    if (v86 && iopl(env) < 3) {
        cpu_raise_exception(env, EXCP_GP, 0);   /* no VME */
    }
    StackCursor st = stack_current(env);
    uint64_t rip = stack_pop(env, &st, opsize);
    uint16_t cs_sel = (uint16_t)stack_pop(env, &st, opsize);
    uint32_t flags = (uint32_t)stack_pop(env, &st, opsize);
    if (rip > env->seg[R_CS].limit && !v86) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    stack_commit(env, &st);
    cpu_load_seg_real(env, R_CS, cs_sel);
    env->rip = rip;
    /* VM VIF VIP never change here; V86 code cannot change IOPL */
    uint32_t mask = iret_flag_mask(opsize) & ~(VIF_MASK | VIP_MASK);
    if (v86) {
        mask &= ~IOPL_MASK;
    }
    cpu_set_eflags(env, flags, mask);
}

/* IRET with NT: return to the task whose selector is the back link of the current TSS */
static void iret_task_return(CPUState *env, uint64_t next_rip)
{
    uint16_t link = (uint16_t)mmu_ld(env, env->tr.base, 2, MMU_KERNEL_IDX);
    if (link & SEL_TI) {
        cpu_raise_exception(env, EXCP_TS, link & ~3u);
    }
    Descriptor d = cpu_read_descriptor(env, link, EXCP_TS, 0);
    if ((d.hi & DESC_S_MASK) || (((d.hi >> DESC_TYPE_SHIFT) & 0xd) != 1 &&
                                 ((d.hi >> DESC_TYPE_SHIFT) & 0xd) != 9)) {
        cpu_raise_exception(env, EXCP_TS, link & ~3u);
    }
    cpu_task_switch(env, link, d, TASK_IRET, next_rip, 0);
}

/* IRET from ring 0 to virtual-8086 mode: the 32-bit frame goes on with ESP, SS, ES, DS,
 * FS, GS, and every EFLAGS bit is taken from it */
static void iret_to_v86(CPUState *env, StackCursor *st, uint64_t rip, uint16_t cs_sel,
                        uint32_t flags)
{
    uint32_t esp = (uint32_t)stack_pop(env, st, 4);
    static const int pop_order[] = { R_SS, R_ES, R_DS, R_FS, R_GS };
    uint16_t sels[NB_SEGS] = { 0 };
    for (unsigned i = 0; i < 5; i++) {
        sels[pop_order[i]] = (uint16_t)stack_pop(env, st, 4);
    }
    cpu_set_eflags(env, flags | 2, ~0u);        /* VM on: the loads below are V86 loads */
    sels[R_CS] = cs_sel;
    for (int s = 0; s < NB_SEGS; s++) {
        cpu_load_seg_real(env, s, sels[s]);
    }
    env->regs[R_ESP] = esp;
    env->rip = (uint16_t)rip;
}

static void iret_protected(CPUState *env, unsigned opsize, uint64_t next_rip)
{
    unsigned cpl = cur_cpl(env);
    if (env->eflags & NT_MASK) {
        if (env->hflags & HF_LMA) {
            cpu_raise_exception(env, EXCP_GP, 0);   /* no tasks in long mode */
        }
        iret_task_return(env, next_rip);
        return;
    }
    StackCursor st = stack_current(env);
    uint64_t rip = stack_pop(env, &st, opsize);
    uint16_t cs_sel = (uint16_t)stack_pop(env, &st, opsize);
    uint32_t flags = (uint32_t)stack_pop(env, &st, opsize);
    if (opsize == 4 && (flags & VM_MASK) && cpl == 0 && !(env->hflags & HF_LMA)) {
        iret_to_v86(env, &st, rip, cs_sel, flags);
        return;
    }
    bool always_pop_ss = (env->hflags & HF_CS64) != 0;
    FarReturn r = far_return_target(env, &st, cs_sel, opsize, 0, always_pop_ss);
    bool code64 = (env->hflags & HF_LMA) && (r.cs.flags & DESC_L_MASK);
    if (code64 ? !cpu_is_canonical(env, rip) : rip > r.cs.limit) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }

    uint32_t mask = iret_flag_mask(opsize);
    if (cpl != 0) {
        mask &= ~(IOPL_MASK | VIF_MASK | VIP_MASK);
    }
    if (cpl > iopl(env)) {
        mask &= ~IF_MASK;
    }
    commit_far_return(env, &r, &st, rip);
    cpu_set_eflags(env, flags, mask);
}

HELPER(iret)
{
    ENV;
    unsigned opsize = (unsigned)a0;
    if (protected_mode(env)) {
        iret_protected(env, opsize, a1);
    } else {
        iret_real_or_v86(env, opsize);
    }
    cpu_irq_window_check(env);
    return 0;
}
DEF_HELPER_INFO(iret, 0);

/* ---------------------------------------------------------------- segment loads */

HELPER(load_seg)
{
    ENV;
    cpu_load_seg(env, (int)a0, (uint16_t)a1);
    if (a2) {
        /* MOV SS: no interrupt until the next instruction (the rSP load) has run */
        env->inhibit_irq = true;
        env->inhibit_irq_rip = a3;
        env->inhibit_debug = true;
    }
    return 0;
}
DEF_HELPER_INFO(load_seg, 0);

/* ---------------------------------------------------------------- control registers */

#define CR0_VALID (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
                   CR0_NW | CR0_CD | CR0_PG)
/* CR4 bits a guest may set: TSD (RDTSC checks it), DE (DR4/DR5 #UD, I/O breakpoints),
 * UMIP (the descriptor-store instructions check it), LA57 (five-level paging, mmu/walk.c;
 * accepted though CPUID does not offer it yet, cpuid.c says why),
 * FSGSBASE (RDFSBASE family), PCIDE,
 * OSFXSR/OSXMMEXCPT (the SSE issue keys on them), SMEP/SMAP (mmu/walk.c), and the paging
 * bits PSE/PAE/PGE, accepted ahead of their CPUID bits so guests that enable paging without
 * asking CPUID (the benchmark kernel) run */
#define CR4_VALID (CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_PGE | CR4_OSFXSR | \
                   CR4_OSXMMEXCPT | CR4_UMIP | CR4_LA57 | CR4_FSGSBASE | CR4_PCIDE | CR4_SMEP | \
                   CR4_SMAP | CR4_OSXSAVE)
#define CR3_LONG_RESERVED (~0ull << 40)     /* above the advertised physical address size */
#define CR3_NO_FLUSH (1ull << 63)           /* with CR4.PCIDE: keep the PCID's translations */
#define CR3_PCID 0xfffull

static void write_cr0(CPUState *env, uint64_t v)
{
    if (v >> 32) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    /* reserved bits of the low half are ignored, ET is hardwired to 1 */
    v = (v & CR0_VALID) | CR0_ET;
    if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD))) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint64_t old = env->cr[0];
    if ((v & CR0_PG) && !(old & CR0_PG) && (env->efer & EFER_LME)) {
        /* entering long mode: needs PAE and may not start from 64-bit-looking code */
        if (!(env->cr[4] & CR4_PAE) || (env->seg[R_CS].flags & DESC_L_MASK)) {
            cpu_raise_exception(env, EXCP_GP, 0);
        }
        env->efer |= EFER_LMA;
    }
    if (!(v & CR0_PG) && (old & CR0_PG) && (env->efer & EFER_LMA)) {
        if ((env->hflags & HF_CS64) || (env->cr[4] & CR4_PCIDE)) {
            cpu_raise_exception(env, EXCP_GP, 0);
        }
        env->efer &= ~EFER_LMA;
    }
    env->cr[0] = v;
    if ((old ^ v) & (CR0_PG | CR0_PE | CR0_WP)) {
        tlb_flush(env);
    }
    cpu_update_hflags(env);
}

static void write_cr4(CPUState *env, uint64_t v)
{
    bool lma = (env->efer & EFER_LMA) != 0;
    if ((v & ~CR4_VALID) || (lma && (!(v & CR4_PAE) || ((v ^ env->cr[4]) & CR4_LA57)))) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint64_t old = env->cr[4];
    /* PCIDs exist only in long mode, and CR3 must name PCID 0 when they are turned on */
    if ((v & CR4_PCIDE) && !(old & CR4_PCIDE) && (!lma || (env->cr[3] & CR3_PCID))) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    env->cr[4] = v;
    if ((old ^ v) & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_LA57 | CR4_PCIDE | CR4_SMEP | CR4_SMAP)) {
        tlb_flush(env);
    }
    cpu_update_hflags(env);
}

/* The TLB only ever holds translations of the current PCID (and global ones): every load
 * of CR3 drops the non-global entries, except the no-flush form (bit 63, which is not
 * stored) with CR4.PCIDE naming the PCID already in force, whose entries stay valid. */
static void write_cr3(CPUState *env, uint64_t v)
{
    bool pcide = (env->cr[4] & CR4_PCIDE) != 0;
    bool no_flush = pcide && (v & CR3_NO_FLUSH);
    if (pcide) {
        v &= ~CR3_NO_FLUSH;
    }
    if ((env->efer & EFER_LMA) && (v & CR3_LONG_RESERVED)) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    bool same_pcid = ((env->cr[3] ^ v) & CR3_PCID) == 0;
    env->cr[3] = v;
    if (!(no_flush && same_pcid)) {
        tlb_flush_nonglobal(env);
    }
}

HELPER(write_cr)
{
    ENV;
    uint64_t v = a1;
    switch (a0) {
    case 0:
        write_cr0(env, v);
        break;
    case 2:
        env->cr[2] = v;
        break;
    case 3:
        write_cr3(env, v);
        break;
    case 4:
        write_cr4(env, v);
        break;
    case 8:
        if (v >> 4) {
            cpu_raise_exception(env, EXCP_GP, 0);
        }
        env->cr8 = v;
        lapic_cr8_written(env->machine);    /* TPR = CR8 << 4 */
        break;
    default:
        cpu_raise_exception(env, EXCP_UD, 0);
    }
    return 0;
}
DEF_HELPER_INFO(write_cr, 0);

HELPER(lmsw)
{
    ENV;
    /* LMSW writes PE MP EM TS and can set PE but never clear it */
    uint64_t cr0 = env->cr[0];
    write_cr0(env, (cr0 & ~0xfull) | (a0 & 0xf) | (cr0 & CR0_PE));
    return 0;
}
DEF_HELPER_INFO(lmsw, 0);

/* ---------------------------------------------------------------- debug registers */

/* DR7 fields of breakpoint n: R/W (00 execute, 01 write, 10 I/O, 11 read/write) and LEN
 * (00 1 byte, 01 2, 10 8, 11 4) */
enum { DR_RW_EXEC = 0, DR_RW_WRITE = 1, DR_RW_IO = 2, DR_RW_ACCESS = 3 };
static const uint64_t dr_len_bytes[4] = { 1, 2, 8, 4 };

static unsigned dr7_rw(uint64_t dr7, int n) { return (dr7 >> (16 + 4 * n)) & 3; }
static uint64_t dr7_len(uint64_t dr7, int n) { return dr_len_bytes[(dr7 >> (18 + 4 * n)) & 3]; }
static bool dr7_enabled(uint64_t dr7, int n) { return (dr7 >> (2 * n)) & 3; }

/* DRn as the linear address it compares with: 32 bits outside long mode */
static uint64_t dr_address(const CPUState *env, int n)
{
    return (env->hflags & HF_LMA) ? env->dr[n] : (uint32_t)env->dr[n];
}

uint32_t cpu_dr_exec_match(const CPUState *env, uint64_t la)
{
    uint64_t dr7 = env->dr[7];
    uint32_t hits = 0;
    for (int n = 0; n < 4; n++) {
        if (dr7_enabled(dr7, n) && dr7_rw(dr7, n) == DR_RW_EXEC && dr_address(env, n) == la) {
            hits |= 1u << n;
        }
    }
    return hits;
}

uint32_t cpu_dr_data_match(const CPUState *env, uint64_t la, uint64_t size, bool write)
{
    uint64_t dr7 = env->dr[7];
    uint32_t hits = 0;
    for (int n = 0; n < 4; n++) {
        unsigned rw = dr7_rw(dr7, n);
        if (!dr7_enabled(dr7, n) || !(rw == DR_RW_ACCESS || (rw == DR_RW_WRITE && write))) {
            continue;
        }
        /* the breakpoint covers the naturally aligned LEN bytes holding DRn */
        uint64_t len = dr7_len(dr7, n);
        uint64_t start = dr_address(env, n) & ~(len - 1);
        if (la < start + len && start < la + size) {
            hits |= 1u << n;
        }
    }
    return hits;
}

uint32_t cpu_dr_io_match(const CPUState *env, uint16_t port, unsigned size)
{
    uint64_t dr7 = env->dr[7];
    uint32_t hits = 0;
    for (int n = 0; n < 4; n++) {
        if (!dr7_enabled(dr7, n) || dr7_rw(dr7, n) != DR_RW_IO) {
            continue;
        }
        uint64_t len = dr7_len(dr7, n);
        uint64_t start = (uint16_t)env->dr[n] & ~(len - 1);
        if (port < start + len && start < (uint64_t)port + size) {
            hits |= 1u << n;
        }
    }
    return hits;
}

/* MOV DR: #UD for DR8 and up, and for DR4/DR5 with CR4.DE (else they alias DR6/DR7); with
 * DR7.GD the access is a #DB fault instead (DR6.BD, GD cleared for the handler) */
static unsigned dr_index(CPUState *env, uint64_t n)
{
    if (n > 7 || ((n == 4 || n == 5) && (env->cr[4] & CR4_DE))) {
        cpu_raise_exception(env, EXCP_UD, 0);
    }
    if (env->dr[7] & DR7_GD) {
        env->dr[6] |= DR6_BD;
        env->dr[7] &= ~DR7_GD;
        cpu_raise_exception(env, EXCP_DB, 0);
    }
    return (n == 4 || n == 5) ? (unsigned)n + 2 : (unsigned)n;
}

HELPER(read_dr)
{
    ENV;
    return env->dr[dr_index(env, a0)];
}
DEF_HELPER_INFO(read_dr, 0);

HELPER(write_dr)
{
    ENV;
    unsigned n = dr_index(env, a0);
    uint64_t v = a1;
    if (n >= 6 ? (v >> 32) != 0 : (env->hflags & HF_LMA) && !cpu_is_canonical(env, v)) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    if (n == 6) {
        v = (v | DR6_FIXED1) & ~0x1000ull;              /* bit 12 reads as 0 */
    } else if (n == 7) {
        v = (v | DR7_FIXED1) & ~0xd800ull;              /* bits 11, 12, 14, 15 read as 0 */
    }
    uint64_t old = env->dr[n];
    env->dr[n] = v;
    if (n != 6 && old != v) {
        /* blocks end before instruction breakpoints and the TLB marks watched pages, both
         * from the breakpoints in force when they were made */
        tb_flush();
        tlb_flush(env);
    }
    return 0;
}
DEF_HELPER_INFO(write_dr, 0);

/* ---------------------------------------------------------------- HLT, CLI, STI, INVLPG */

HELPER(hlt)
{
    ENV;
    env->halted = true;
    env->rip = a0;
    env->exception_index = EXCP_HLT;
    cpu_loop_exit(env);
}
DEF_HELPER_INFO(hlt, 0);

/* CLI/STI: real mode always; protected mode needs CPL <= IOPL, V86 mode IOPL = 3 */
static void check_if_privilege(CPUState *env)
{
    if (!(env->cr[0] & CR0_PE)) {
        return;
    }
    unsigned need = (env->eflags & VM_MASK) ? 3 : cur_cpl(env);
    if (iopl(env) < need) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
}

HELPER(cli)
{
    ENV;
    check_if_privilege(env);
    env->eflags &= ~IF_MASK;
    return 0;
}
DEF_HELPER_INFO(cli, 0);

HELPER(sti)
{
    ENV;
    check_if_privilege(env);
    if (!(env->eflags & IF_MASK)) {
        /* interrupts become deliverable only after the next instruction */
        env->eflags |= IF_MASK;
        env->inhibit_irq = true;
        env->inhibit_irq_rip = a0;
        env->inhibit_debug = false;
        cpu_irq_window_check(env);
    }
    return 0;
}
DEF_HELPER_INFO(sti, 0);

HELPER(invlpg)
{
    ENV;
    tlb_flush_page(env, a0);
    return 0;
}
DEF_HELPER_INFO(invlpg, TCG_CALL_NO_RAISE);

/* INVPCID (type, descriptor linear address): CPL 0 is checked by the translator. The TLB
 * holds one PCID's translations, so invalidating another PCID's finds nothing, and
 * invalidating more than asked (a whole page, global entries) is always allowed. */
enum { INVPCID_ADDRESS, INVPCID_SINGLE, INVPCID_ALL_GLOBAL, INVPCID_ALL };
HELPER(invpcid)
{
    ENV;
    uint64_t type = a0;
    int idx = cpu_mmu_index(env);
    uint64_t desc_pcid = mmu_ld(env, a1, 8, idx);
    uint64_t la = mmu_ld(env, a1 + 8, 8, idx);
    bool pcid_ok = (env->cr[4] & CR4_PCIDE) || (desc_pcid & CR3_PCID) == 0;
    if (type > INVPCID_ALL || (desc_pcid >> 12) != 0 || (type <= INVPCID_SINGLE && !pcid_ok)) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    switch (type) {
    case INVPCID_ADDRESS:
        if (!cpu_is_canonical(env, la)) {
            cpu_raise_exception(env, EXCP_GP, 0);
        }
        tlb_flush_page(env, la);
        break;
    case INVPCID_SINGLE:
    case INVPCID_ALL:
        tlb_flush_nonglobal(env);
        break;
    default:
        tlb_flush(env);
        break;
    }
    return 0;
}
DEF_HELPER_INFO(invpcid, 0);

HELPER(set_ac)
{
    ENV;
    env->eflags = a0 ? env->eflags | AC_MASK : env->eflags & ~AC_MASK;
    return 0;
}
DEF_HELPER_INFO(set_ac, TCG_CALL_NO_RAISE);

/* ---------------------------------------------------------------- MSRs */

typedef enum MsrKind {
    MSR_PLAIN,          /* any 64-bit value */
    MSR_CANONICAL,      /* an address: #GP unless canonical */
    MSR_LOW32,          /* #GP if bits 63..32 are set */
    MSR_TSC,
    MSR_EFER,
    MSR_PAT,
    MSR_APIC_BASE,
} MsrKind;

typedef struct MsrDef {
    uint32_t index;
    MsrKind kind;
    size_t offset;      /* of the uint64_t in CPUState (unused for MSR_TSC) */
} MsrDef;

#define MSR_FIELD(f) offsetof(CPUState, f)
static const MsrDef msr_table[] = {
    { 0x00000010, MSR_TSC,       0 },
    { 0x0000001b, MSR_APIC_BASE, MSR_FIELD(apic_base) },
    { 0x00000174, MSR_LOW32,     MSR_FIELD(sysenter_cs) },
    { 0x00000175, MSR_CANONICAL, MSR_FIELD(sysenter_esp) },
    { 0x00000176, MSR_CANONICAL, MSR_FIELD(sysenter_eip) },
    { 0x00000277, MSR_PAT,       MSR_FIELD(pat) },
    { 0x000006e0, MSR_PLAIN,     MSR_FIELD(tsc_deadline) },
    { 0xc0000080, MSR_EFER,      MSR_FIELD(efer) },
    { 0xc0000081, MSR_PLAIN,     MSR_FIELD(star) },
    { 0xc0000082, MSR_CANONICAL, MSR_FIELD(lstar) },
    { 0xc0000083, MSR_CANONICAL, MSR_FIELD(cstar) },
    { 0xc0000084, MSR_LOW32,     MSR_FIELD(fmask) },
    { 0xc0000100, MSR_CANONICAL, MSR_FIELD(seg[R_FS].base) },
    { 0xc0000101, MSR_CANONICAL, MSR_FIELD(seg[R_GS].base) },
    { 0xc0000102, MSR_CANONICAL, MSR_FIELD(kernel_gs_base) },
    { 0xc0000103, MSR_LOW32,     MSR_FIELD(tsc_aux) },
};

static const MsrDef *find_msr(CPUState *env, uint32_t index)
{
    for (size_t i = 0; i < sizeof(msr_table) / sizeof(msr_table[0]); i++) {
        if (msr_table[i].index == index) {
            return &msr_table[i];
        }
    }
    cpu_raise_exception(env, EXCP_GP, 0);
}

static uint64_t *msr_field(CPUState *env, const MsrDef *m)
{
    return (uint64_t *)(void *)((char *)env + m->offset);
}

/* PAT entries: UC WC WT WP WB UC- (2 and 3 are reserved, and so is anything above 7) */
static bool pat_valid(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (v >> (i * 8)) & 0xff;
        if (t == 2 || t == 3 || t > 7) {
            return false;
        }
    }
    return true;
}

/* APIC base: BSP (8), enable (11), base bits 12..39 */
#define APIC_BASE_VALID (0x100ull | 0x800ull | (((1ull << 40) - 1) & ~0xfffull))

static void write_efer(CPUState *env, uint64_t v)
{
    /* SCE (SYSCALL), LME and NXE (walk.c honours it); LMA is read-only (set by CR0.PG) */
    if (v & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    if ((env->cr[0] & CR0_PG) && ((v ^ env->efer) & EFER_LME)) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint64_t old = env->efer;
    env->efer = (v & (EFER_SCE | EFER_LME | EFER_NXE)) | (env->efer & EFER_LMA);
    if ((old ^ env->efer) & EFER_NXE) {
        tlb_flush(env);
    }
    cpu_update_hflags(env);
}

HELPER(rdmsr)
{
    ENV;
    const MsrDef *m = find_msr(env, (uint32_t)env->regs[R_ECX]);
    uint64_t v = m->kind == MSR_TSC ? cpu_get_tsc(env) : *msr_field(env, m);
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = v >> 32;
    return 0;
}
DEF_HELPER_INFO(rdmsr, 0);

HELPER(wrmsr)
{
    ENV;
    const MsrDef *m = find_msr(env, (uint32_t)env->regs[R_ECX]);
    uint64_t v = ((env->regs[R_EDX] & 0xffffffffull) << 32) | (uint32_t)env->regs[R_EAX];
    bool ok;
    switch (m->kind) {
    case MSR_CANONICAL: ok = cpu_is_canonical(env, v); break;
    case MSR_LOW32:     ok = (v >> 32) == 0; break;
    case MSR_PAT:       ok = pat_valid(v); break;
    case MSR_APIC_BASE: ok = (v & ~APIC_BASE_VALID) == 0; break;
    default:            ok = true; break;
    }
    if (!ok) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    if (m->kind == MSR_TSC) {
        cpu_set_tsc(env, v);
    } else if (m->kind == MSR_EFER) {
        write_efer(env, v);
    } else {
        *msr_field(env, m) = v;
    }
    if (m->index == MSR_IA32_APIC_BASE || m->index == MSR_IA32_TSC_DEADLINE) {
        lapic_msr_written(env->machine, m->index);     /* relocation, enable, timer */
    }
    return 0;
}
DEF_HELPER_INFO(wrmsr, 0);
