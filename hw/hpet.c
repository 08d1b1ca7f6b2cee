/*
 * hw/hpet.c — the HPET at 0xFED00000: a 64-bit main counter and three comparators.
 *
 * Choices:
 *  - period 10 ns (100 MHz), the value QEMU's pc machine reports, so guests calibrated
 *    against QEMU behave the same; vendor 0x8086, revision 1, 64-bit counter, legacy
 *    replacement capable.
 *  - every timer is 64-bit and periodic capable (QEMU does the same; real chipsets only
 *    make timer 0 periodic, and guests ask before using it).
 *  - routing capability: IOAPIC pin 2 (timer 0's usual home) and pins 20-23, which no PCI
 *    slot uses on this board. FSB (MSI) delivery is not offered.
 *  - legacy replacement: timer 0 drives ISA line 0 (8259 IRQ 0, IOAPIC pin 2), timer 1 ISA
 *    line 8; hpet_legacy_replacement() tells the PIT and RTC to stay off those lines.
 *
 * The counter is computed from the virtual clock (value at the last start + elapsed / 10 ns);
 * each comparator match is a Timer deadline. Level-triggered timers set their bit in the
 * interrupt status register and hold their line until the guest writes the bit back;
 * edge-triggered timers pulse the line.
 */
#include <stdlib.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define HPET_BASE 0xfed00000ull
#define HPET_SIZE 0x400u
#define HPET_TIMERS 3
#define HPET_PERIOD_FS 10000000ull     /* 10 ns */
#define HPET_NS_PER_TICK 10u
#define HPET_CAPS (0x01ull | ((HPET_TIMERS - 1ull) << 8) | (1ull << 13) | (1ull << 15) | \
                   (0x8086ull << 16) | (HPET_PERIOD_FS << 32))

#define CONF_ENABLE (1ull << 0)
#define CONF_LEGACY (1ull << 1)

/* timer configuration and capabilities */
#define TN_LEVEL (1ull << 1)
#define TN_INT_ENABLE (1ull << 2)
#define TN_PERIODIC (1ull << 3)
#define TN_PERIODIC_CAP (1ull << 4)
#define TN_SIZE_CAP (1ull << 5)
#define TN_VAL_SET (1ull << 6)
#define TN_32BIT (1ull << 8)
#define TN_ROUTE_SHIFT 9
#define TN_ROUTE_MASK (0x1full << TN_ROUTE_SHIFT)
#define TN_WRITABLE (TN_LEVEL | TN_INT_ENABLE | TN_PERIODIC | TN_VAL_SET | TN_32BIT | TN_ROUTE_MASK)
#define TN_ROUTE_CAP ((1ull << 2) | (0xfull << 20))
#define TN_FIXED (TN_PERIODIC_CAP | TN_SIZE_CAP | (TN_ROUTE_CAP << 32))

enum { REG_CAPS = 0x000, REG_CONF = 0x010, REG_STATUS = 0x020, REG_COUNTER = 0x0f0,
       REG_TIMER0 = 0x100, TIMER_STRIDE = 0x20,
       TREG_CONF = 0x00, TREG_CMP = 0x08, TREG_FSB = 0x10 };

typedef struct HpetTimerState {
    uint64_t config;            /* writable bits only; the capabilities are TN_FIXED */
    uint64_t comparator;
    uint64_t period;            /* periodic mode: added to the comparator at each match */
    uint64_t deadline_ns;       /* armed match, 0 = none */
} HpetTimerState;

typedef struct HpetState {
    uint64_t config;
    uint64_t status;            /* level-triggered interrupt status, one bit per timer */
    uint64_t counter_base;      /* counter value at start_ns (or frozen value when halted) */
    uint64_t start_ns;
    uint8_t line_level[HPET_TIMERS];
    HpetTimerState timer[HPET_TIMERS];
} HpetState;

static const StateField hpet_fields[] = {
    STATE_FIELD(HpetState, config, 1),
    STATE_FIELD(HpetState, status, 1),
    STATE_FIELD(HpetState, counter_base, 1),
    STATE_FIELD(HpetState, start_ns, 1),
    STATE_FIELD(HpetState, line_level, 1),
    STATE_FIELD(HpetState, timer, 1),
    STATE_END
};

typedef struct Hpet {
    HpetState s;                /* first: DeviceOps hands us &s */
    Timer *timer[HPET_TIMERS];
    int active_line[HPET_TIMERS];   /* line each timer last drove high, -1 = none */
} Hpet;

static Hpet *hpet;

bool hpet_legacy_replacement(void)
{
    return hpet && (hpet->s.config & (CONF_ENABLE | CONF_LEGACY)) == (CONF_ENABLE | CONF_LEGACY);
}

static uint64_t counter_now(const HpetState *s, uint64_t now)
{
    if (!(s->config & CONF_ENABLE)) return s->counter_base;
    return s->counter_base + (now - s->start_ns) / HPET_NS_PER_TICK;
}

/* The interrupt line of timer n under the current routing (-1: none). */
static int timer_line(const HpetState *s, int n)
{
    if ((s->config & CONF_LEGACY) && n < 2) return n == 0 ? 0 : 8;
    unsigned pin = (unsigned)((s->timer[n].config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT);
    return (TN_ROUTE_CAP >> pin) & 1 ? ioapic_pin_line((int)pin) : -1;
}

/* Bring timer n's line in step with its status (level) after a change. */
static void update_line(Hpet *h, int n)
{
    HpetState *s = &h->s;
    const HpetTimerState *t = &s->timer[n];
    int line = timer_line(s, n);
    bool high = (t->config & TN_LEVEL) && (t->config & TN_INT_ENABLE) &&
                (s->status & (1ull << n)) && (s->config & CONF_ENABLE);
    if (h->active_line[n] >= 0 && (!high || h->active_line[n] != line)) {
        irq_set(h->active_line[n], 0);
        h->active_line[n] = -1;
    }
    if (high && line >= 0 && h->active_line[n] != line) {
        irq_set(line, 1);
        h->active_line[n] = line;
    }
    s->line_level[n] = h->active_line[n] >= 0;
}

static void timer_arm(Hpet *h, int n, uint64_t now)
{
    HpetState *s = &h->s;
    HpetTimerState *t = &s->timer[n];
    if (!(s->config & CONF_ENABLE)) {
        t->deadline_ns = 0;
        timer_del(h->timer[n]);
        return;
    }
    uint64_t counter = counter_now(s, now);
    uint64_t ticks;
    if (t->config & TN_32BIT) {
        ticks = (uint32_t)((uint32_t)t->comparator - (uint32_t)counter);
        if (ticks == 0) ticks = 1ull << 32;
    } else {
        /* a comparator already passed matches only after the 64-bit counter wraps: never */
        if (t->comparator <= counter) {
            t->deadline_ns = 0;
            timer_del(h->timer[n]);
            return;
        }
        ticks = t->comparator - counter;
    }
    /* beyond ~5800 years of virtual time: never */
    if (ticks > (UINT64_MAX - now) / HPET_NS_PER_TICK / 2) {
        t->deadline_ns = 0;
        timer_del(h->timer[n]);
        return;
    }
    /* the tick at which the counter reaches the comparator, in virtual time */
    uint64_t elapsed_ticks = (now - s->start_ns) / HPET_NS_PER_TICK;
    t->deadline_ns = s->start_ns + (elapsed_ticks + ticks) * HPET_NS_PER_TICK;
    timer_mod(h->timer[n], t->deadline_ns);
}

static void timer_fire_n(Hpet *h, int n, uint64_t now)
{
    HpetState *s = &h->s;
    HpetTimerState *t = &s->timer[n];
    if (t->config & TN_INT_ENABLE) {
        if (t->config & TN_LEVEL) {
            s->status |= 1ull << n;
            update_line(h, n);
        } else {
            int line = timer_line(s, n);
            if (line >= 0) {
                irq_set(line, 1);
                irq_set(line, 0);
            }
        }
    }
    if ((t->config & TN_PERIODIC) && t->period) {
        /* next match one period on. Matches the host was too late for are owed: each is
         * delivered TIMER_CATCHUP_GAP_NS after the last (hw.h), up to TIMER_MAX_OWED; a
         * longer stall drops them and the comparator jumps ahead. */
        uint64_t counter = counter_now(s, now);
        uint64_t mask = (t->config & TN_32BIT) ? 0xffffffffull : ~0ull;
        uint64_t next = (t->comparator + t->period) & mask;
        uint64_t behind = (counter - next) & mask;
        bool passed = (t->config & TN_32BIT)
            ? (uint32_t)(next - counter) == 0 || (uint32_t)(next - counter) > (uint32_t)t->period
            : next <= counter;
        if (passed && behind / t->period < TIMER_MAX_OWED) {
            t->comparator = next;
            t->deadline_ns = now + TIMER_CATCHUP_GAP_NS;
            timer_mod(h->timer[n], t->deadline_ns);
            return;
        }
        t->comparator = passed ? (counter + t->period) & mask : next;
        timer_arm(h, n, now);
    } else {
        t->deadline_ns = 0;
        if (t->config & TN_32BIT) timer_arm(h, n, now);  /* matches again after a wrap */
    }
}

static void timer_fire0(void *opaque, uint64_t now) { timer_fire_n(opaque, 0, now); }
static void timer_fire1(void *opaque, uint64_t now) { timer_fire_n(opaque, 1, now); }
static void timer_fire2(void *opaque, uint64_t now) { timer_fire_n(opaque, 2, now); }
static const TimerFn timer_fns[HPET_TIMERS] = { timer_fire0, timer_fire1, timer_fire2 };

static uint64_t reg_read64(Hpet *h, uint64_t reg)
{
    HpetState *s = &h->s;
    if (reg >= REG_TIMER0 && reg < REG_TIMER0 + HPET_TIMERS * TIMER_STRIDE) {
        const HpetTimerState *t = &s->timer[(reg - REG_TIMER0) / TIMER_STRIDE];
        switch ((reg - REG_TIMER0) % TIMER_STRIDE) {
        case TREG_CONF: return (t->config & ~TN_VAL_SET) | TN_FIXED;
        case TREG_CMP: return (t->config & TN_32BIT) ? (uint32_t)t->comparator : t->comparator;
        default: return 0;
        }
    }
    switch (reg) {
    case REG_CAPS: return HPET_CAPS;
    case REG_CONF: return s->config;
    case REG_STATUS: return s->status;
    case REG_COUNTER: return counter_now(s, clock_now_ns());
    default: return 0;
    }
}

/* v holds the written bits selected by mask (a 32-bit access writes one half) */
static void write_timer(Hpet *h, int n, unsigned reg, uint64_t v, uint64_t mask, uint64_t now)
{
    HpetTimerState *t = &h->s.timer[n];
    if (reg == TREG_CONF) {
        if (!(mask & TN_WRITABLE)) return;     /* the high half is the read-only route cap */
        t->config = v & TN_WRITABLE;
        if (t->config & TN_32BIT) {
            t->comparator = (uint32_t)t->comparator;
            t->period = (uint32_t)t->period;
        }
        if (!(t->config & TN_LEVEL)) h->s.status &= ~(1ull << n);
        update_line(h, n);
        timer_arm(h, n, now);
    } else if (reg == TREG_CMP) {
        if (t->config & TN_32BIT) mask &= 0xffffffffull;
        /* in periodic mode a write sets the period; with VAL_SET it also sets the
         * comparator (the next match) */
        if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET)) {
            t->comparator = (t->comparator & ~mask) | (v & mask);
        }
        t->period = (t->period & ~mask) | (v & mask);
        t->config &= ~TN_VAL_SET;
        timer_arm(h, n, now);
    }
}

static void reg_write64(Hpet *h, uint64_t reg, uint64_t v, uint64_t mask)
{
    HpetState *s = &h->s;
    uint64_t now = clock_now_ns();
    if (reg >= REG_TIMER0 && reg < REG_TIMER0 + HPET_TIMERS * TIMER_STRIDE) {
        write_timer(h, (int)((reg - REG_TIMER0) / TIMER_STRIDE),
                    (unsigned)((reg - REG_TIMER0) % TIMER_STRIDE), v, mask, now);
        return;
    }
    v = (reg_read64(h, reg) & ~mask) | (v & mask);
    switch (reg) {
    case REG_CONF: {
        uint64_t old = s->config;
        if ((old & CONF_ENABLE) && !(v & CONF_ENABLE)) s->counter_base = counter_now(s, now);
        s->config = v & (CONF_ENABLE | CONF_LEGACY);
        if (!(old & CONF_ENABLE) && (v & CONF_ENABLE)) s->start_ns = now;
        for (int n = 0; n < HPET_TIMERS; n++) {
            update_line(h, n);
            timer_arm(h, n, now);
        }
        break;
    }
    case REG_STATUS:
        /* write 1 to clear (only the written half); only level-triggered timers hold status */
        s->status &= ~(v & mask);
        for (int n = 0; n < HPET_TIMERS; n++) update_line(h, n);
        break;
    case REG_COUNTER:
        s->counter_base = v;
        s->start_ns = now;
        for (int n = 0; n < HPET_TIMERS; n++) timer_arm(h, n, now);
        break;
    default:
        break;
    }
}

/* 64-bit registers; 32-bit accesses reach either half. */
static uint64_t hpet_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    uint64_t v = reg_read64(opaque, offset & ~7ull);
    if (size == 8) return v;
    v >>= (offset & 7) * 8;             /* byte and word reads too take their own bytes */
    return size == 4 ? (uint32_t)v : v & ((1ull << (size * 8)) - 1);
}

static void hpet_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    uint64_t reg = offset & ~7ull, mask = ~0ull;
    if (size == 4) {
        mask = (offset & 4) ? ~0xffffffffull : 0xffffffffull;
        value = (offset & 4) ? value << 32 : (uint32_t)value;
    } else if (size != 8) {
        return;                             /* byte and word writes: undefined, dropped */
    }
    reg_write64(opaque, reg, value, mask);
}

static const MemOps hpet_mmio_ops = { hpet_mmio_read, hpet_mmio_write };

static void hpet_reset(void *state)
{
    Hpet *h = state;
    for (int n = 0; n < HPET_TIMERS; n++) {
        if (h->active_line[n] >= 0) irq_set(h->active_line[n], 0);
        h->active_line[n] = -1;
        timer_del(h->timer[n]);
    }
    h->s = (HpetState){ 0 };
    for (int n = 0; n < HPET_TIMERS; n++) {
        h->s.timer[n].comparator = ~0ull;
        h->s.timer[n].period = 0;
    }
}

/* snapshot/: re-arm each timer from its deadline; the line each drives follows line_level */
static void hpet_post_load(void *state)
{
    Hpet *h = state;
    for (int n = 0; n < HPET_TIMERS; n++) {
        if (h->s.timer[n].deadline_ns) timer_mod(h->timer[n], h->s.timer[n].deadline_ns);
        else timer_del(h->timer[n]);
        h->active_line[n] = h->s.line_level[n] ? timer_line(&h->s, n) : -1;
        if (h->active_line[n] >= 0) irq_set(h->active_line[n], 1);
    }
}

static const DeviceOps hpet_device = {
    .name = "hpet",
    .version = 1,
    .fields = hpet_fields,
    .reset = hpet_reset,
    .post_load = hpet_post_load,
};

bool hpet_create(Machine *m)
{
    Hpet *h = calloc(1, sizeof(*h));
    if (!h) {
        fprintf(stderr, "ferry: out of memory for the HPET\n");
        return false;
    }
    for (int n = 0; n < HPET_TIMERS; n++) {
        h->timer[n] = timer_new(timer_fns[n], h);
        h->active_line[n] = -1;
    }
    if (!phys_map_mmio(HPET_BASE, HPET_SIZE, &hpet_mmio_ops, h)) {
        fprintf(stderr, "ferry: cannot map the HPET\n");
        return false;
    }
    hpet = h;
    machine_add_device(m, &hpet_device, &h->s);
    return true;
}
