/*
 * cpu/cpu.c — CPU lifecycle (init, power-on and library resets), the mode bits derived from
 * the architectural state, interrupt requests, the TSC, and segment-register loads with the
 * descriptor checks of protected mode.
 */
#include <stddef.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "hw/hw.h"          /* the virtual clock: the TSC under -icount */

CPUState *first_cpu;

void cpu_init(CPUState *env, struct Machine *m)
{
    memset(env, 0, sizeof(*env));
    env->machine = m;
    first_cpu = env;
    mmu_tlb_offset = offsetof(CPUState, tlb);
    /* a zeroed TLB would match page 0 with a zero addend: reset flushes it */
    cpu_reset(env);
}

/* Segment attributes of the power-on and real-mode state: present, accessed, writable data
 * (code for CS), DPL 0, 16-bit */
#define REAL_DATA_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK)
#define REAL_CODE_FLAGS (REAL_DATA_FLAGS | DESC_CS_MASK)

static void set_seg(CPUState *env, int seg, uint16_t sel, uint64_t base, uint32_t limit,
                    uint32_t flags)
{
    env->seg[seg] = (SegmentCache){ .selector = sel, .base = base, .limit = limit,
                                    .flags = flags };
}

void cpu_reset(CPUState *env)
{
    /* everything the guest sees goes back to zero; the interrupt lines belong to the
     * interrupt controller (it drops them on its own reset), a pending NMI does not survive */
    uint32_t irq = env->interrupt_request & ~CPU_INT_NMI;
    memset(env, 0, offsetof(CPUState, exit_req));
    env->interrupt_request = irq;
    env->exception_index = -1;

    for (int s = 0; s < NB_SEGS; s++) {
        set_seg(env, s, 0, 0, 0xffff, REAL_DATA_FLAGS);
    }
    set_seg(env, R_CS, 0xf000, 0xffff0000, 0xffff, REAL_CODE_FLAGS);
    env->rip = 0xfff0;
    env->eflags = 0x2;
    env->cc_op = CC_OP_EFLAGS;
    env->cr[0] = CR0_CD | CR0_NW | CR0_ET;
    env->regs[R_EDX] = cpuid_signature();
    env->gdt.limit = 0xffff;
    env->idt.limit = 0xffff;
    env->ldt.limit = 0xffff;
    env->ldt.flags = DESC_P_MASK | (2u << DESC_TYPE_SHIFT);    /* LDT */
    env->tr.limit = 0xffff;
    env->tr.flags = DESC_P_MASK | (11u << DESC_TYPE_SHIFT);    /* busy 32-bit TSS */
    env->dr[6] = DR6_FIXED1;
    env->dr[7] = DR7_FIXED1;
    env->apic_base = APIC_BASE_DEFAULT;
    env->pat = PAT_DEFAULT;

    /* FNINIT state; the tag word is the full form (2 bits per register, 11 = empty) */
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fptag = 0xffff;
    env->mxcsr = 0x1f80;

    cpu_update_hflags(env);
    tlb_flush(env);
}

/* The flat segments of the library modes: base 0, 4 GiB, DPL 0 */
#define FLAT_DATA_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | DESC_G_MASK | \
                         DESC_B_MASK)
#define FLAT_CODE32_FLAGS (FLAT_DATA_FLAGS | DESC_CS_MASK)
#define FLAT_CODE64_FLAGS ((FLAT_CODE32_FLAGS & ~DESC_B_MASK) | DESC_L_MASK)

static void reset_flat(CPUState *env, uint32_t code_flags)
{
    cpu_reset(env);
    for (int s = 0; s < NB_SEGS; s++) {
        set_seg(env, s, 0x10, 0, 0xffffffff, FLAT_DATA_FLAGS);
    }
    set_seg(env, R_CS, 0x08, 0, 0xffffffff, code_flags);
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
    env->rip = 0;
    env->regs[R_EDX] = 0;
}

void cpu_reset_flat32(CPUState *env)
{
    reset_flat(env, FLAT_CODE32_FLAGS);
    cpu_update_hflags(env);
    tlb_flush(env);
}

void cpu_reset_flat64(CPUState *env)
{
    reset_flat(env, FLAT_CODE64_FLAGS);
    /* long mode without paging is not an architectural state: the mmu treats paging off as
     * identity, which is what the differential harness wants */
    env->efer = EFER_LME | EFER_LMA;
    env->cr[4] = CR4_PAE;
    cpu_update_hflags(env);
    tlb_flush(env);
}

/* ---------------------------------------------------------------- mode bits */

static unsigned seg_dpl(const SegmentCache *sc)
{
    return (sc->flags >> DESC_DPL_SHIFT) & 3;
}

void cpu_update_hflags(CPUState *env)
{
    uint32_t hf = 0;
    const SegmentCache *cs = &env->seg[R_CS], *ss = &env->seg[R_SS];

    /* CPL: 0 in real mode, 3 in virtual-8086 mode, otherwise SS.DPL, the architectural
     * source (every SS load checks DPL = CPL, and unlike CS.RPL it is right in the window
     * between setting CR0.PE and the far jump that reloads CS) */
    if (env->cr[0] & CR0_PE) {
        hf |= HF_PE;
        if (env->eflags & VM_MASK) {
            hf |= HF_VM | 3;
        } else {
            hf |= seg_dpl(ss);
        }
    }
    if (env->efer & EFER_LMA) {
        hf |= HF_LMA;
        if (cs->flags & DESC_L_MASK) {
            hf |= HF_CS64;
        }
    }
    if (!(hf & HF_CS64) && (cs->flags & DESC_B_MASK)) {
        hf |= HF_CS32;
    }
    if (ss->flags & DESC_B_MASK) {
        hf |= HF_SS32;
    }
    if (env->eflags & TF_MASK) {
        /* single-stepping: leave the chain after the block that set TF, so cpu_exec runs
         * every following instruction on its own and reports each trap */
        hf |= HF_TF;
        __atomic_store_n(&env->exit_req, 1, __ATOMIC_SEQ_CST);
    }
    if (env->cr[0] & CR0_PG) {
        hf |= HF_PG;
    }
    if (env->cr[4] & CR4_OSFXSR) {
        hf |= HF_OSFXSR;
    }
    if (env->cr[0] & (CR0_EM | CR0_TS)) {
        hf |= HF_EM_TS;
    }
    env->hflags = hf;
}

/* ---------------------------------------------------------------- interrupts and time */

void cpu_interrupt(CPUState *env, uint32_t mask)
{
    __atomic_or_fetch(&env->interrupt_request, mask, __ATOMIC_SEQ_CST);
    __atomic_store_n(&env->exit_req, 1, __ATOMIC_SEQ_CST);
    /* An interrupt line raised by a device write (APIC ICR or TPR, PIC unmask...) happens
     * inside a block: the architecture recognises it at the next instruction boundary, not
     * at the end of the block. Lines are only raised on the CPU's own thread (the timer
     * thread asks for CPU_INT_EXIT alone), which tcg_request_stop requires. */
    if (mask & CPU_INT_HARD)
        tcg_request_stop();
}

void cpu_reset_interrupt(CPUState *env, uint32_t mask)
{
    __atomic_and_fetch(&env->interrupt_request, ~mask, __ATOMIC_SEQ_CST);
}

static uint64_t host_tsc(void)
{
    if (clock_icount_enabled()) return clock_now_ns();  /* 1 GHz of virtual time */
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    /* elsewhere the guest sees a 1 GHz counter from the monotonic clock */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
#endif
}

uint64_t cpu_get_tsc(CPUState *env)
{
    return host_tsc() + env->tsc_offset;
}

void cpu_set_tsc(CPUState *env, uint64_t value)
{
    env->tsc_offset = value - host_tsc();
}

/* ---------------------------------------------------------------- descriptors */

bool cpu_peek_descriptor(CPUState *env, uint16_t sel, Descriptor *d)
{
    uint64_t base;
    uint32_t limit;
    if (sel & SEL_TI) {
        /* an LDT that was never loaded (or loaded with a null selector) has no entries */
        if (!(env->ldt.flags & DESC_P_MASK)) {
            return false;
        }
        base = env->ldt.base;
        limit = env->ldt.limit;
    } else {
        base = env->gdt.base;
        limit = env->gdt.limit;
    }
    uint32_t offset = sel & ~7u;
    if (offset + 7 > limit) {
        return false;
    }
    d->lo = (uint32_t)mmu_ld(env, base + offset, 4, MMU_KERNEL_IDX);
    d->hi = (uint32_t)mmu_ld(env, base + offset + 4, 4, MMU_KERNEL_IDX);
    return true;
}

Descriptor cpu_read_descriptor(CPUState *env, uint16_t sel, int vector, uint32_t ext)
{
    Descriptor d;
    if (!cpu_peek_descriptor(env, sel, &d)) {
        cpu_raise_exception(env, vector, (sel & ~3u) | ext);
    }
    return d;
}

void cpu_descriptor_set_accessed(CPUState *env, uint16_t sel, Descriptor *d)
{
    if (d->hi & DESC_A_MASK) {
        return;
    }
    d->hi |= DESC_A_MASK;
    uint64_t base = (sel & SEL_TI) ? env->ldt.base : env->gdt.base;
    mmu_st(env, base + (sel & ~7u) + 4, d->hi, 4, MMU_KERNEL_IDX);
}

void cpu_seg_cache_fill(SegmentCache *sc, uint16_t sel, Descriptor d)
{
    uint32_t limit = (d.lo & 0xffff) | (d.hi & 0xf0000);
    if (d.hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    sc->selector = sel;
    sc->base = (d.lo >> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000u);
    sc->limit = limit;
    sc->flags = d.hi & 0x00f0ff00u;
}

/* ---------------------------------------------------------------- segment loads */

void cpu_load_seg_real(CPUState *env, int seg, uint16_t selector)
{
    SegmentCache *sc = &env->seg[seg];
    sc->selector = selector;
    sc->base = (uint64_t)selector << 4;
    if (env->eflags & VM_MASK) {
        /* virtual-8086 segments are always 64 KiB, DPL 3 */
        sc->limit = 0xffff;
        sc->flags = REAL_DATA_FLAGS | (3u << DESC_DPL_SHIFT) | (seg == R_CS ? DESC_CS_MASK : 0);
    } else if (seg == R_CS) {
        /* real mode keeps the rest of the cache ("unreal" limits survive), except that a
         * real-mode far transfer always makes code 16-bit and present */
        sc->flags = (sc->flags & ~(DESC_B_MASK | DESC_L_MASK)) | DESC_P_MASK | DESC_S_MASK |
                    DESC_CS_MASK;
    }
    cpu_update_hflags(env);
}

static bool in_64bit_code(const CPUState *env)
{
    return (env->hflags & HF_CS64) != 0;
}

/* DS ES FS GS: data or readable code; outside conforming code DPL >= max(CPL, RPL) */
static void check_data_descriptor(CPUState *env, uint16_t sel, Descriptor d, unsigned cpl)
{
    uint32_t err = sel & ~3u;
    bool code = (d.hi & DESC_CS_MASK) != 0;
    if (!(d.hi & DESC_S_MASK) || (code && !(d.hi & DESC_W_MASK))) {
        cpu_raise_exception(env, EXCP_GP, err);
    }
    bool conforming_code = code && (d.hi & DESC_C_MASK);
    unsigned rpl = sel & 3, dpl = desc_dpl(d);
    if (!conforming_code && (dpl < cpl || dpl < rpl)) {
        cpu_raise_exception(env, EXCP_GP, err);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, err);
    }
}

void cpu_load_seg_prot(CPUState *env, int seg, uint16_t selector)
{
    unsigned cpl = env->hflags & HF_CPL_MASK;
    SegmentCache *sc = &env->seg[seg];

    if (seg == R_SS) {
        *sc = cpu_fetch_ss(env, selector, cpl, in_64bit_code(env), EXCP_GP, 0);
    } else if ((selector & ~3u) == 0) {
        /* a null selector makes the segment unusable: an access through it would #GP
         * outside 64-bit code */
        *sc = (SegmentCache){ .selector = selector };
    } else {
        Descriptor d = cpu_read_descriptor(env, selector, EXCP_GP, 0);
        check_data_descriptor(env, selector, d, cpl);
        cpu_descriptor_set_accessed(env, selector, &d);
        cpu_seg_cache_fill(sc, selector, d);
    }
    cpu_update_hflags(env);
}

void cpu_load_seg(CPUState *env, int seg, uint16_t selector)
{
    if (!(env->cr[0] & CR0_PE) || (env->eflags & VM_MASK)) {
        cpu_load_seg_real(env, seg, selector);
    } else {
        cpu_load_seg_prot(env, seg, selector);
    }
}

SegmentCache cpu_fetch_ss(CPUState *env, uint16_t selector, unsigned cpl, bool null_ok,
                          int vector, uint32_t ext)
{
    /* SS must be writable data with RPL = DPL = CPL (the CPL being entered when a privilege
     * change is in progress); nothing is loaded here, so the caller can finish everything
     * else that can fault first */
    uint32_t err = (selector & ~3u) | ext;
    if ((selector & ~3u) == 0) {
        /* 64-bit code below CPL 3 may run on a null SS; its DPL still records the CPL */
        if (!null_ok || cpl == 3 || (selector & 3) != cpl) {
            cpu_raise_exception(env, vector, err);
        }
        return (SegmentCache){ .selector = selector, .flags = cpl << DESC_DPL_SHIFT };
    }
    Descriptor d = cpu_read_descriptor(env, selector, vector, ext);
    bool writable_data = (d.hi & DESC_S_MASK) && !(d.hi & DESC_CS_MASK) && (d.hi & DESC_W_MASK);
    if ((selector & 3) != cpl || desc_dpl(d) != cpl || !writable_data) {
        cpu_raise_exception(env, vector, err);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_SS, err);
    }
    cpu_descriptor_set_accessed(env, selector, &d);
    SegmentCache sc;
    cpu_seg_cache_fill(&sc, selector, d);
    return sc;
}
