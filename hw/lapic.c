/*
 * hw/lapic.c — the local APIC of the one CPU, in xAPIC mode (MMIO at IA32_APIC_BASE,
 * 0xFEE00000 by default). x2APIC is not offered (CPUID does not advertise it).
 *
 * Model:
 *  - IRR/ISR/TMR are 256-bit sets; an interrupt is deliverable when the class (vector >> 4)
 *    of the highest IRR vector is above the PPR's. machine_update_intr() (hw/machine.c)
 *    turns that, and the 8259's output through LINT0 in ExtINT mode, into CPU_INT_HARD.
 *  - TPR is kept here; CR8 is its priority class (TPR[7:4]). env->cr8 mirrors it: a TPR
 *    write updates env->cr8, a MOV to CR8 reaches lapic_cr8_written(), which sets
 *    TPR = CR8 << 4 as the architecture specifies.
 *  - The timer counts a 1 GHz bus clock (so CPUID 0x15's crystal can be that clock) divided
 *    by the divide configuration. The current count is computed from the virtual clock and
 *    the time the count was loaded, never decremented; expiry is a Timer. TSC-deadline mode
 *    converts the IA32_TSC_DEADLINE distance from the current TSC into virtual nanoseconds
 *    with the host TSC frequency (clock_tsc_hz, measured once).
 *  - One CPU: the ICR delivers fixed/lowest-priority and NMI IPIs to this APIC when the
 *    destination or shorthand includes self; INIT and SIPI are ignored (there is no other
 *    processor to start, and an INIT to self on a lone CPU is what a BIOS would never send).
 *  - LINT1 is set to NMI by firmware, but nothing on this board drives it.
 *  - Relocation through IA32_APIC_BASE maps the new page; the mmu cannot unmap, so old pages
 *    stay mapped and read as all ones. At most MAX_APIC_PAGES distinct pages are honoured;
 *    later moves to yet another page leave the registers at the last honoured page.
 *
 * Reset state: the architectural one (SVR 0xFF software-disabled, every LVT masked) when a
 * firmware image boots, except LINT0, which is ExtINT and unmasked as on QEMU's bootstrap
 * processor, so the 8259 works before firmware sets up virtual wire mode. With -kernel ferry plays the firmware's part and leaves what
 * QEMU's pc machine leaves after SeaBIOS at a Multiboot entry (checked with a probe guest
 * under qemu-system-i386): SVR 0x1FF (enabled, spurious vector 0xFF), LINT0 0x8700
 * (ExtINT, level, unmasked), LINT1 0x8400 (NMI, level), timer/error masked, TPR 0,
 * DFR 0xFFFFFFFF, LDR 0, ID 0.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include "cpu/cpu.h"
#include "hw/board.h"
#include "mmu/mmu.h"

#define APIC_VERSION 0x00050014u   /* version 0x14, max LVT entry 5 (six LVTs) */
#define APIC_PAGE_SIZE 0x1000u
#define MAX_APIC_PAGES 4

#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0x000000fffffff000ull

#define SVR_ENABLE (1u << 8)
#define SVR_WRITABLE 0x1ffu        /* vector, enable (no focus checking, no EOI suppression) */

#define LVT_MASKED (1u << 16)
#define LVT_LEVEL (1u << 15)
#define LVT_DELIVERY_SHIFT 8
#define LVT_TIMER_MODE_SHIFT 17
enum { TIMER_ONESHOT, TIMER_PERIODIC, TIMER_TSC_DEADLINE };

enum { DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6,
       DM_EXTINT = 7 };

/* LVT registers in register-offset order (0x320 .. 0x370) */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, NB_LVT };
/* Writable bits of each LVT: vector, delivery mode, polarity, trigger, mask, timer mode */
static const uint32_t lvt_writable[NB_LVT] = {
    [LVT_TIMER] = 0x000600ffu | LVT_MASKED,
    [LVT_THERMAL] = 0x000007ffu | LVT_MASKED,
    [LVT_PERF] = 0x000007ffu | LVT_MASKED,
    [LVT_LINT0] = 0x0000a7ffu | LVT_MASKED,
    [LVT_LINT1] = 0x0000a7ffu | LVT_MASKED,
    [LVT_ERROR] = 0x000000ffu | LVT_MASKED,
};

/* ESR bits */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ESR_ILLEGAL_REGISTER (1u << 7)

/* ICR low */
#define ICR_DEST_LOGICAL (1u << 11)
#define ICR_WRITABLE 0x000ccfffu    /* vector, mode, dest mode, level, trigger, shorthand */
enum { SH_NONE, SH_SELF, SH_ALL_INCL_SELF, SH_ALL_EXCL_SELF };

/* Register offsets (>> 4) */
enum {
    REG_ID = 0x02, REG_VERSION = 0x03, REG_TPR = 0x08, REG_APR = 0x09, REG_PPR = 0x0a,
    REG_EOI = 0x0b, REG_RRD = 0x0c, REG_LDR = 0x0d, REG_DFR = 0x0e, REG_SVR = 0x0f,
    REG_ISR = 0x10, REG_TMR = 0x18, REG_IRR = 0x20, REG_ESR = 0x28, REG_ICR_LO = 0x30,
    REG_ICR_HI = 0x31, REG_LVT = 0x32, REG_TIMER_INITIAL = 0x38, REG_TIMER_CURRENT = 0x39,
    REG_TIMER_DIVIDE = 0x3e,
};

#define BUS_NS_PER_TICK 1u         /* the timer's input is a 1 GHz clock */

typedef struct LapicState {
    uint32_t id, tpr, ldr, dfr, svr;
    uint32_t esr, esr_pending;      /* ESR reads the errors latched by the last ESR write */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[NB_LVT];
    uint32_t irr[8], isr[8], tmr[8];
    uint32_t timer_initial, timer_divide;
    uint64_t timer_load_ns;         /* when the count was (re)loaded with timer_initial */
    uint64_t timer_deadline_ns;     /* armed expiry, 0 = disarmed */
} LapicState;

static const StateField lapic_fields[] = {
    STATE_FIELD(LapicState, id, 1),
    STATE_FIELD(LapicState, tpr, 1),
    STATE_FIELD(LapicState, ldr, 1),
    STATE_FIELD(LapicState, dfr, 1),
    STATE_FIELD(LapicState, svr, 1),
    STATE_FIELD(LapicState, esr, 1),
    STATE_FIELD(LapicState, esr_pending, 1),
    STATE_FIELD(LapicState, icr_lo, 1),
    STATE_FIELD(LapicState, icr_hi, 1),
    STATE_FIELD(LapicState, lvt, 1),
    STATE_FIELD(LapicState, irr, 1),
    STATE_FIELD(LapicState, isr, 1),
    STATE_FIELD(LapicState, tmr, 1),
    STATE_FIELD(LapicState, timer_initial, 1),
    STATE_FIELD(LapicState, timer_divide, 1),
    STATE_FIELD(LapicState, timer_load_ns, 1),
    STATE_FIELD(LapicState, timer_deadline_ns, 1),
    STATE_END
};

typedef struct Lapic {
    LapicState s;                   /* first: DeviceOps hands us &s */
    Machine *m;
    Timer *timer;
    bool firmware_state;            /* -kernel: leave what a BIOS would */
    uint64_t mapped_pages[MAX_APIC_PAGES];
    int nb_mapped_pages;
} Lapic;

static Lapic *lapic;

/* ---------------------------------------------------------------- host TSC frequency */

uint64_t clock_tsc_hz(void)
{
    static uint64_t hz;
    if (clock_icount_enabled()) return 1000000000u;     /* the TSC counts virtual ns */
    if (hz) return hz;
#if !defined(__x86_64__) && !defined(__i386__)
    /* other hosts: cpu_get_tsc counts nanoseconds of the monotonic clock (cpu/cpu.c) */
    return hz = 1000000000u;
#else
    /* TSC ticks over ~10 ms of CLOCK_MONOTONIC: the host TSC is invariant on any host
     * this runs on (constant_tsc), so one measurement serves the whole run. */
    struct timespec t0, t1, pause = { 0, 10 * 1000 * 1000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t c0 = __rdtsc();
    nanosleep(&pause, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    uint64_t c1 = __rdtsc();
    uint64_t ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)t1.tv_nsec -
                  (uint64_t)t0.tv_nsec;
    hz = ns ? (uint64_t)((unsigned __int128)(c1 - c0) * 1000000000u / ns) : 1000000000u;
    if (hz == 0) hz = 1000000000u;
    return hz;
#endif
}

/* ---------------------------------------------------------------- 256-bit sets */

static bool bit_test(const uint32_t *set, unsigned v) { return set[v >> 5] & (1u << (v & 31)); }
static void bit_set(uint32_t *set, unsigned v) { set[v >> 5] |= 1u << (v & 31); }
static void bit_clear(uint32_t *set, unsigned v) { set[v >> 5] &= ~(1u << (v & 31)); }

static int highest_bit(const uint32_t *set)
{
    for (int i = 7; i >= 0; i--) {
        if (set[i]) return i * 32 + 31 - __builtin_clz(set[i]);
    }
    return -1;
}

/* ---------------------------------------------------------------- priorities */

static bool apic_hw_enabled(void)
{
    return first_cpu && (first_cpu->apic_base & APIC_BASE_ENABLE);
}

static bool apic_sw_enabled(const LapicState *s)
{
    return s->svr & SVR_ENABLE;
}

static uint32_t ppr_value(const LapicState *s)
{
    int isrv = highest_bit(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

int lapic_pending_vector(void)
{
    if (!lapic || !apic_hw_enabled() || !apic_sw_enabled(&lapic->s)) return -1;
    int v = highest_bit(lapic->s.irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (ppr_value(&lapic->s) & 0xf0)) return -1;
    return v;
}

int lapic_ack(void)
{
    if (!lapic) return -1;
    LapicState *s = &lapic->s;
    int v = lapic_pending_vector();
    if (v < 0) {
        /* the interrupt went away between INTR and INTA (TPR raised): a spurious vector,
         * which is not put in service */
        return (int)(s->svr & 0xff);
    }
    bit_clear(s->irr, (unsigned)v);
    bit_set(s->isr, (unsigned)v);
    machine_update_intr();
    return v;
}

bool lapic_accepts_pic(void)
{
    if (!lapic || !apic_hw_enabled()) return true;   /* no APIC in the way: 8259 to INTR */
    uint32_t lint0 = lapic->s.lvt[LVT_LINT0];
    return !(lint0 & LVT_MASKED) && ((lint0 >> LVT_DELIVERY_SHIFT) & 7) == DM_EXTINT;
}

/* ---------------------------------------------------------------- accepting interrupts */

static void set_error(LapicState *s, uint32_t bits)
{
    s->esr_pending |= bits;
    uint32_t lvt = s->lvt[LVT_ERROR];
    unsigned v = lvt & 0xff;
    /* an illegal error vector would loop: it is only latched */
    if (!(lvt & LVT_MASKED) && v >= 16) {
        bit_set(s->irr, v);
        bit_clear(s->tmr, v);
    }
}

/* A fixed interrupt arriving at the APIC (IOAPIC message, IPI, LVT). */
static void accept_fixed(LapicState *s, unsigned vector, bool level)
{
    if (vector < 16) {
        set_error(s, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    bit_set(s->irr, vector);
    if (level) bit_set(s->tmr, vector);
    else bit_clear(s->tmr, vector);
}

void lapic_deliver(uint8_t vector, int delivery_mode, bool level)
{
    if (!lapic || !apic_hw_enabled()) return;
    switch (delivery_mode) {
    case DM_FIXED:
    case DM_LOWEST:
        accept_fixed(&lapic->s, vector, level);
        break;
    case DM_NMI:
        if (first_cpu) cpu_interrupt(first_cpu, CPU_INT_NMI);
        break;
    default:
        /* SMI (no SMM), INIT/SIPI (one CPU), ExtINT (the 8259 reaches INTR through LINT0
         * already): nothing to do */
        break;
    }
    machine_update_intr();
}

bool lapic_dest_match(uint8_t dest, bool logical)
{
    if (!lapic) return false;
    const LapicState *s = &lapic->s;
    if (!logical) return dest == 0xff || dest == (s->id >> 24);
    uint8_t ldr = (uint8_t)(s->ldr >> 24);
    if ((s->dfr >> 28) == 0xf) return (dest & ldr) != 0;       /* flat model */
    /* cluster model: high nibble names the cluster (15 = all), low nibble the members */
    return ((dest >> 4) == (ldr >> 4) || (dest >> 4) == 0xf) && (dest & ldr & 0x0f) != 0;
}

/* ---------------------------------------------------------------- timer */

static unsigned timer_mode(const LapicState *s)
{
    return (s->lvt[LVT_TIMER] >> LVT_TIMER_MODE_SHIFT) & 3;
}

/* Divide configuration bits 0, 1, 3: 0b000 = 2 ... 0b110 = 128, 0b111 = 1 */
static uint64_t timer_ns_per_count(const LapicState *s)
{
    unsigned code = (s->timer_divide & 3) | ((s->timer_divide >> 1) & 4);
    return (uint64_t)BUS_NS_PER_TICK << ((code + 1) & 7);
}

static uint32_t timer_current(const LapicState *s, uint64_t now)
{
    if (s->timer_initial == 0 || timer_mode(s) == TIMER_TSC_DEADLINE) return 0;
    uint64_t elapsed = (now - s->timer_load_ns) / timer_ns_per_count(s);
    if (timer_mode(s) == TIMER_PERIODIC) {
        return s->timer_initial - (uint32_t)(elapsed % s->timer_initial);
    }
    return elapsed >= s->timer_initial ? 0 : s->timer_initial - (uint32_t)elapsed;
}

static void timer_arm(Lapic *a, uint64_t deadline_ns)
{
    a->s.timer_deadline_ns = deadline_ns;
    if (deadline_ns) timer_mod(a->timer, deadline_ns);
    else timer_del(a->timer);
}

/* Count/period timer: arm for the end of the current one-shot count or period. */
static void timer_arm_count(Lapic *a, uint64_t now)
{
    LapicState *s = &a->s;
    if (s->timer_initial == 0 || timer_mode(s) == TIMER_TSC_DEADLINE) {
        timer_arm(a, 0);
        return;
    }
    uint64_t period = (uint64_t)s->timer_initial * timer_ns_per_count(s);
    uint64_t end = s->timer_load_ns + period;
    if (timer_mode(s) == TIMER_PERIODIC && now >= end) {
        /* missed periods collapse into one interrupt, as a busy CPU would see them */
        end = s->timer_load_ns + ((now - s->timer_load_ns) / period + 1) * period;
    } else if (timer_mode(s) == TIMER_ONESHOT && now >= end) {
        timer_arm(a, 0);
        return;
    }
    timer_arm(a, end);
}

static void tsc_deadline_arm(Lapic *a)
{
    CPUState *env = first_cpu;
    uint64_t deadline = env ? env->tsc_deadline : 0;
    if (!deadline || timer_mode(&a->s) != TIMER_TSC_DEADLINE) {
        timer_arm(a, 0);
        return;
    }
    uint64_t now = clock_now_ns();
    uint64_t tsc = cpu_get_tsc(env);
    uint64_t delta_ns = deadline <= tsc ? 0 :
        (uint64_t)((unsigned __int128)(deadline - tsc) * 1000000000u / clock_tsc_hz());
    timer_arm(a, now + delta_ns + (delta_ns == 0));
}

static void timer_fire(void *opaque, uint64_t now)
{
    Lapic *a = opaque;
    LapicState *s = &a->s;
    uint32_t lvt = s->lvt[LVT_TIMER];
    if (!(lvt & LVT_MASKED)) accept_fixed(s, lvt & 0xff, false);
    switch (timer_mode(s)) {
    case TIMER_PERIODIC:
        timer_arm_count(a, now);
        break;
    case TIMER_TSC_DEADLINE:
        /* the timer disarms itself and the MSR reads 0 */
        if (first_cpu) first_cpu->tsc_deadline = 0;
        timer_arm(a, 0);
        break;
    default:
        timer_arm(a, 0);
        break;
    }
    machine_update_intr();
}

/* ---------------------------------------------------------------- register access */

static void write_lvt(Lapic *a, int index, uint32_t value)
{
    LapicState *s = &a->s;
    uint32_t old = s->lvt[index];
    uint32_t v = value & lvt_writable[index];
    if (!apic_sw_enabled(s)) v |= LVT_MASKED;     /* masks cannot be cleared while disabled */
    if (index == LVT_TIMER && ((v >> LVT_TIMER_MODE_SHIFT) & 3) == 3) {
        v &= ~(3u << LVT_TIMER_MODE_SHIFT);       /* reserved mode: treat as one-shot */
    }
    s->lvt[index] = v;
    unsigned old_mode = (old >> LVT_TIMER_MODE_SHIFT) & 3, new_mode = timer_mode(s);
    if (index != LVT_TIMER || old_mode == new_mode) return;
    if (old_mode == TIMER_TSC_DEADLINE || new_mode == TIMER_TSC_DEADLINE) {
        /* moving into or out of TSC-deadline mode disarms the timer (SDM 10.5.4.1) */
        s->timer_initial = 0;
        if (first_cpu) first_cpu->tsc_deadline = 0;
        timer_arm(a, 0);
    } else {
        timer_arm_count(a, clock_now_ns());     /* one-shot <-> periodic: same count */
    }
}

static void write_svr(Lapic *a, uint32_t value)
{
    LapicState *s = &a->s;
    s->svr = value & SVR_WRITABLE;
    if (!apic_sw_enabled(s)) {
        for (int i = 0; i < NB_LVT; i++) s->lvt[i] |= LVT_MASKED;
    }
}

static void do_eoi(LapicState *s)
{
    int v = highest_bit(s->isr);
    if (v < 0) return;
    bit_clear(s->isr, (unsigned)v);
    if (bit_test(s->tmr, (unsigned)v)) ioapic_eoi((uint8_t)v);
}

static void send_ipi(LapicState *s)
{
    unsigned vector = s->icr_lo & 0xff;
    int mode = (s->icr_lo >> 8) & 7;
    unsigned shorthand = (s->icr_lo >> 18) & 3;
    bool to_self;
    switch (shorthand) {
    case SH_SELF:
    case SH_ALL_INCL_SELF:
        to_self = true;
        break;
    case SH_ALL_EXCL_SELF:
        to_self = false;
        break;
    default:
        to_self = lapic_dest_match((uint8_t)(s->icr_hi >> 24), s->icr_lo & ICR_DEST_LOGICAL);
        break;
    }
    if ((mode == DM_FIXED || mode == DM_LOWEST) && vector < 16) {
        set_error(s, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    /* the self shorthand carries only fixed interrupts; INIT/SIPI never start anything here */
    if (to_self && (mode == DM_FIXED || mode == DM_LOWEST || mode == DM_NMI)) {
        lapic_deliver((uint8_t)vector, mode, false);
    }
}

static uint32_t reg_read(Lapic *a, unsigned reg)
{
    LapicState *s = &a->s;
    if (reg >= REG_ISR && reg < REG_ISR + 8) return s->isr[reg - REG_ISR];
    if (reg >= REG_TMR && reg < REG_TMR + 8) return s->tmr[reg - REG_TMR];
    if (reg >= REG_IRR && reg < REG_IRR + 8) return s->irr[reg - REG_IRR];
    if (reg >= REG_LVT && reg < REG_LVT + NB_LVT) return s->lvt[reg - REG_LVT];
    switch (reg) {
    case REG_ID: return s->id;
    case REG_VERSION: return APIC_VERSION;
    case REG_TPR: return s->tpr;
    case REG_PPR: return ppr_value(s);
    case REG_LDR: return s->ldr;
    case REG_DFR: return s->dfr;
    case REG_SVR: return s->svr;
    case REG_ESR: return s->esr;
    case REG_ICR_LO: return s->icr_lo;      /* delivery status 0: sent at once */
    case REG_ICR_HI: return s->icr_hi;
    case REG_TIMER_INITIAL: return s->timer_initial;
    case REG_TIMER_CURRENT: return timer_current(s, clock_now_ns());
    case REG_TIMER_DIVIDE: return s->timer_divide;
    default: return 0;                      /* APR, RRD, EOI and reserved read 0 */
    }
}

static void reg_write(Lapic *a, unsigned reg, uint32_t v)
{
    LapicState *s = &a->s;
    if (reg >= REG_LVT && reg < REG_LVT + NB_LVT) {
        write_lvt(a, (int)(reg - REG_LVT), v);
        return;
    }
    switch (reg) {
    case REG_ID:
        s->id = v & 0xff000000u;
        break;
    case REG_TPR:
        s->tpr = v & 0xff;
        if (first_cpu) first_cpu->cr8 = s->tpr >> 4;
        break;
    case REG_EOI:
        do_eoi(s);
        break;
    case REG_LDR:
        s->ldr = v & 0xff000000u;
        break;
    case REG_DFR:
        s->dfr = v | 0x0fffffffu;
        break;
    case REG_SVR:
        write_svr(a, v);
        break;
    case REG_ESR:
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case REG_ICR_LO:
        s->icr_lo = v & ICR_WRITABLE;
        send_ipi(s);
        break;
    case REG_ICR_HI:
        s->icr_hi = v & 0xff000000u;
        break;
    case REG_TIMER_INITIAL:
        /* in TSC-deadline mode the count registers are unused and writes are ignored */
        if (timer_mode(s) == TIMER_TSC_DEADLINE) break;
        s->timer_initial = v;
        s->timer_load_ns = clock_now_ns();
        timer_arm_count(a, s->timer_load_ns);
        break;
    case REG_TIMER_DIVIDE: {
        /* keep the current count across the change: reload from it with the new rate */
        uint64_t now = clock_now_ns();
        uint32_t current = timer_current(s, now);
        s->timer_divide = v & 0xb;
        if (current) {
            s->timer_load_ns = now - (uint64_t)(s->timer_initial - current) *
                               timer_ns_per_count(s);
            timer_arm_count(a, now);
        }
        break;
    }
    case REG_VERSION:
    case REG_PPR:
    case REG_APR:
    case REG_RRD:
        break;                              /* read-only */
    default:
        if (reg < 0x40) set_error(s, ESR_ILLEGAL_REGISTER);
        break;
    }
}

/* ---------------------------------------------------------------- MMIO */

static bool page_is_current(uint64_t page)
{
    return apic_hw_enabled() && (first_cpu->apic_base & APIC_BASE_ADDR_MASK) == page;
}

static uint64_t lapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    uint64_t page = *(uint64_t *)opaque;
    if (!lapic || !page_is_current(page)) return ~0ull;
    uint32_t v = reg_read(lapic, (unsigned)(offset >> 4) & 0xff);
    /* registers are 32 bits on 16-byte boundaries; narrower reads see their bytes */
    unsigned shift = (unsigned)(offset & 3) * 8;
    if ((offset & 0xf) >= 4) return 0;
    return (v >> shift) & (size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
}

static void lapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    uint64_t page = *(uint64_t *)opaque;
    if (!lapic || !page_is_current(page)) return;
    /* only aligned 32-bit writes reach a register (others are undefined: dropped) */
    if ((offset & 0xf) != 0 || size < 4) return;
    reg_write(lapic, (unsigned)(offset >> 4) & 0xff, (uint32_t)value);
    machine_update_intr();
}

static const MemOps lapic_mmio_ops = { lapic_mmio_read, lapic_mmio_write };

/* Make sure the page IA32_APIC_BASE names is mapped to us. */
static void map_current_page(Lapic *a)
{
    if (!first_cpu) return;
    uint64_t page = first_cpu->apic_base & APIC_BASE_ADDR_MASK;
    for (int i = 0; i < a->nb_mapped_pages; i++) {
        if (a->mapped_pages[i] == page) return;
    }
    if (a->nb_mapped_pages == MAX_APIC_PAGES) return;
    a->mapped_pages[a->nb_mapped_pages] = page;
    /* the handler's opaque is the page it serves, so stale pages can tell they are stale */
    if (phys_map_mmio(page, APIC_PAGE_SIZE, &lapic_mmio_ops,
                      &a->mapped_pages[a->nb_mapped_pages])) {
        a->nb_mapped_pages++;
        tlb_flush(first_cpu);
    }
}

/* ---------------------------------------------------------------- CPU side */

void lapic_cr8_written(Machine *m)
{
    if (!lapic || !first_cpu) return;
    lapic->s.tpr = (uint32_t)(first_cpu->cr8 & 0xf) << 4;
    machine_update_intr();
}

static void reset_registers(Lapic *a)
{
    LapicState *s = &a->s;
    memset(s, 0, sizeof(*s));
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    for (int i = 0; i < NB_LVT; i++) s->lvt[i] = LVT_MASKED;
    timer_arm(a, 0);
    if (first_cpu) {
        first_cpu->cr8 = 0;
        first_cpu->tsc_deadline = 0;
    }
}

void lapic_msr_written(Machine *m, uint32_t index)
{
    if (!lapic || !first_cpu) return;
    if (index == MSR_IA32_APIC_BASE) {
        /* clearing the global enable puts the APIC in its power-up state (SDM 10.4.3) */
        if (!apic_hw_enabled()) reset_registers(lapic);
        else map_current_page(lapic);
    } else if (index == MSR_IA32_TSC_DEADLINE) {
        /* outside TSC-deadline mode the MSR ignores writes */
        if (timer_mode(&lapic->s) != TIMER_TSC_DEADLINE || !apic_hw_enabled()) {
            first_cpu->tsc_deadline = 0;
        }
        tsc_deadline_arm(lapic);
    }
    machine_update_intr();
}

static void lapic_reset(void *state)
{
    Lapic *a = (Lapic *)state;
    reset_registers(a);
    /* the 8259 reaches INTR from the start, as QEMU's BSP and every BIOS's virtual wire mode
     * have it (silicon resets LINT0 masked; firmware written for PCs never relies on that) */
    a->s.lvt[LVT_LINT0] = DM_EXTINT << LVT_DELIVERY_SHIFT;
    if (a->firmware_state) {
        a->s.svr = SVR_ENABLE | 0xff;
        a->s.lvt[LVT_LINT0] = LVT_LEVEL | (DM_EXTINT << LVT_DELIVERY_SHIFT);
        a->s.lvt[LVT_LINT1] = LVT_LEVEL | (DM_NMI << LVT_DELIVERY_SHIFT);
    }
}

/* snapshot/: re-arm the timer from its deadline, map the page IA32_APIC_BASE names */
static void lapic_post_load(void *state)
{
    Lapic *a = state;
    timer_arm(a, a->s.timer_deadline_ns);
    map_current_page(a);
    machine_update_intr();
}

static const DeviceOps lapic_device = {
    .name = "lapic",
    .version = 1,
    .fields = lapic_fields,
    .reset = lapic_reset,
    .post_load = lapic_post_load,
};

bool lapic_create(Machine *m, bool firmware_state)
{
    Lapic *a = calloc(1, sizeof(*a));
    if (!a) {
        fprintf(stderr, "ferry: out of memory for the local APIC\n");
        return false;
    }
    a->m = m;
    a->firmware_state = firmware_state;
    clock_tsc_hz();     /* measured now, not in the middle of a guest's first WRMSR */
    a->timer = timer_new(timer_fire, a);
    lapic = a;
    /* the default page at power-on (IA32_APIC_BASE may not be set yet) */
    a->mapped_pages[0] = APIC_BASE_ADDR_MASK & 0xfee00000u;
    if (!phys_map_mmio(a->mapped_pages[0], APIC_PAGE_SIZE, &lapic_mmio_ops, &a->mapped_pages[0])) {
        fprintf(stderr, "ferry: cannot map the local APIC\n");
        return false;
    }
    a->nb_mapped_pages = 1;
    machine_add_device(m, &lapic_device, &a->s);
    return true;
}
