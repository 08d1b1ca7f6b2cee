/*
 * hw/pit8254.c — the 8254 programmable interval timer (counters at 0x40-0x42, control word
 * at 0x43) and port 0x61 (counter 2's gate and output, the speaker enable, the refresh
 * toggle).
 *
 * A counter is never stepped: it remembers when counting started (load_time_ns, on the
 * virtual clock) and its value and output are computed from the ticks of the 1.193182 MHz
 * input since then. Counter 0's output drives IRQ 0 through a Timer armed for its next
 * rising edge. When the host fell behind by several periods (ferry descheduled on a loaded
 * host), the edges it missed are owed and delivered TIMER_CATCHUP_GAP_NS apart, up to
 * TIMER_MAX_OWED (hw.h): a guest that counts timer interrupts against the TSC over a short window
 * (Linux's IO-APIC timer check counts them over 10 periods and panics below 5) then sees
 * the count it expects. Under -icount timers are never late, so nothing is ever owed.
 * Counter 0 and 1 have their gate tied high; counter 2's gate is port 0x61 bit 0.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define PIT_HZ 1193182ull
#define NS_PER_S 1000000000ull
#define PIT_IRQ 0
#define REFRESH_PERIOD_NS 15085ull      /* port 0x61 bit 4 toggles at this rate */

#define RW_LATCH 0
#define RW_LSB 1
#define RW_MSB 2
#define RW_WORD 3

#define PORT61_GATE2   0x01
#define PORT61_SPEAKER 0x02
#define PORT61_WRITABLE 0x0f
#define PORT61_REFRESH 0x10
#define PORT61_OUT2    0x20

typedef struct PitCounter {
    uint64_t load_time_ns;      /* counting (re)started here */
    uint64_t frozen_ticks;      /* ticks counted when the gate stopped it */
    uint16_t count;             /* as written (0 = the maximum) */
    uint16_t latched_value;
    uint8_t mode;               /* 0-5 */
    uint8_t rw;                 /* RW_* access mode */
    uint8_t bcd;
    uint8_t loaded;             /* a count was written since the control word */
    uint8_t gate;
    uint8_t latch_pending;      /* 0, or the byte the next read returns: RW_LSB / RW_MSB */
    uint8_t status_latched;
    uint8_t status;
    uint8_t read_msb;           /* RW_WORD, unlatched: the next read is the MSB */
    uint8_t write_msb;          /* RW_WORD: the next write is the MSB */
    uint8_t write_lsb;          /* the LSB waiting for its MSB */
} PitCounter;

typedef struct PitState {
    PitCounter counter[3];
    uint64_t irq_deadline_ns;   /* counter 0's next rising edge (0 = none) */
    uint64_t owed_deadline_ns;  /* when the next owed edge is delivered (0 = none owed) */
    uint32_t owed_edges;        /* rising edges the host was too late to deliver */
    uint8_t port61;             /* PORT61_WRITABLE bits */
} PitState;

static const StateField pit_fields[] = {
    STATE_FIELD(PitState, counter, 1),
    STATE_FIELD(PitState, irq_deadline_ns, 1),
    STATE_FIELD(PitState, owed_deadline_ns, 1),
    STATE_FIELD(PitState, owed_edges, 1),
    STATE_FIELD(PitState, port61, 1),
    STATE_END
};

typedef struct Pit {
    PitState s;                 /* first: DeviceOps hands us &s */
    Timer *irq_timer;
} Pit;

static uint64_t ns_to_ticks(uint64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * PIT_HZ / NS_PER_S);
}

/* The first nanosecond at which `ticks` input clocks have passed. */
static uint64_t ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * NS_PER_S + PIT_HZ - 1) / PIT_HZ);
}

static unsigned bcd_to_bin(uint16_t v)
{
    return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
}

static uint16_t bin_to_bcd(unsigned v)
{
    return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

/* The counter's range, and its period in input clocks (a count of 0 is the range). */
static uint64_t modulus(const PitCounter *c)
{
    return c->bcd ? 10000 : 65536;
}

static uint64_t period(const PitCounter *c)
{
    uint64_t n = c->bcd ? bcd_to_bin(c->count) % 10000 : c->count;
    return n ? n : modulus(c);
}

/* Modes 2 and 3 restart with the gate; 0 and 4 pause while it is low. */
static bool gate_stops(const PitCounter *c)
{
    return !c->gate && c->mode != 1 && c->mode != 5;
}

static uint64_t elapsed_ticks(const PitCounter *c, uint64_t now)
{
    if (gate_stops(c)) return c->frozen_ticks;
    return now > c->load_time_ns ? ns_to_ticks(now - c->load_time_ns) : 0;
}

static bool counter_out(const PitCounter *c, uint64_t now)
{
    if (!c->loaded) return c->mode != 0;
    if (gate_stops(c) && (c->mode == 2 || c->mode == 3)) return true;
    uint64_t d = elapsed_ticks(c, now), n = period(c);
    switch (c->mode) {
    case 0:
    case 1: return d >= n;                          /* high at terminal count */
    case 2: return d % n != n - 1;                  /* low for the clock before reload */
    case 3: return d % n < (n + 1) / 2;             /* high for the first half */
    default: return d != n;                         /* 4, 5: a one-clock strobe */
    }
}

static uint16_t counter_value(const PitCounter *c, uint64_t now)
{
    if (!c->loaded) return c->count;
    uint64_t d = elapsed_ticks(c, now), n = period(c), m = modulus(c), v;
    switch (c->mode) {
    case 2: v = n - d % n; break;
    case 3: v = (n - (2 * d) % n) & ~1ull; break;   /* counts down by two, twice a period */
    default: v = (n + m - d % m) % m; break;        /* 0, 1, 4, 5 wrap after zero */
    }
    v %= m;
    return c->bcd ? bin_to_bcd((unsigned)v) : (uint16_t)v;
}

/* The next time counter 0's output rises after now, or 0. */
static uint64_t next_rising_edge(const PitCounter *c, uint64_t now)
{
    if (!c->loaded || gate_stops(c)) return 0;
    uint64_t d = elapsed_ticks(c, now), n = period(c), edge;
    switch (c->mode) {
    case 0:
    case 1: edge = n; break;
    case 2:
    case 3: edge = (d / n + 1) * n; break;
    default: edge = n + 1; break;
    }
    if (edge <= d) return 0;
    return c->load_time_ns + ticks_to_ns(edge);
}

/* The timer follows whichever comes first: the next natural edge or the next owed one. */
static void arm_irq_timer(Pit *p)
{
    uint64_t next = p->s.irq_deadline_ns, owed = p->s.owed_deadline_ns;
    if (owed && (!next || owed < next)) next = owed;
    if (next) {
        timer_mod(p->irq_timer, next);
    } else {
        timer_del(p->irq_timer);
    }
}

static void rearm_irq(Pit *p, uint64_t now)
{
    p->s.irq_deadline_ns = next_rising_edge(&p->s.counter[0], now);
    arm_irq_timer(p);
}

/* The natural edges due by now (at least the one at irq_deadline_ns): more than one when
 * the timer fired late. Only the periodic modes have a second edge. */
static uint64_t edges_due(const Pit *p, uint64_t now)
{
    const PitCounter *c = &p->s.counter[0];
    if (c->mode != 2 && c->mode != 3) return 1;
    uint64_t n = period(c);
    return 1 + (elapsed_ticks(c, now) - elapsed_ticks(c, p->s.irq_deadline_ns)) / n;
}

static void irq_timer_fired(void *opaque, uint64_t now)
{
    Pit *p = opaque;
    if (p->s.irq_deadline_ns && now >= p->s.irq_deadline_ns) {
        uint64_t owed = p->s.owed_edges + edges_due(p, now) - 1;
        p->s.owed_edges = owed < TIMER_MAX_OWED ? (uint32_t)owed : TIMER_MAX_OWED;
        p->s.irq_deadline_ns = next_rising_edge(&p->s.counter[0], now);
    } else if (p->s.owed_edges) {
        p->s.owed_edges--;
    }
    p->s.owed_deadline_ns = p->s.owed_edges ? now + TIMER_CATCHUP_GAP_NS : 0;
    /* a rising edge: from low if the output is held low (modes 0/1 before the count) */
    irq_set(PIT_IRQ, 0);
    irq_set(PIT_IRQ, 1);
    arm_irq_timer(p);
}

/* Counter 0's output level changed by programming (not by counting): a new count owes
 * nothing of the old one's edges. */
static void counter0_programmed(Pit *p, uint64_t now)
{
    p->s.owed_edges = 0;
    p->s.owed_deadline_ns = 0;
    irq_set(PIT_IRQ, counter_out(&p->s.counter[0], now));
    rearm_irq(p, now);
}

static void load_count(Pit *p, PitCounter *c, uint16_t count, uint64_t now)
{
    c->count = count;
    c->loaded = 1;
    c->load_time_ns = now;
    c->frozen_ticks = 0;
    c->status &= ~0x40;             /* null count: the count reached the counting element */
    if (c == &p->s.counter[0]) counter0_programmed(p, now);
}

static void latch_count(PitCounter *c, uint64_t now)
{
    if (c->latch_pending) return;   /* the first latch holds until read */
    c->latched_value = counter_value(c, now);
    c->latch_pending = c->rw == RW_MSB ? RW_MSB : RW_LSB;
}

static void latch_status(PitCounter *c, uint64_t now)
{
    if (c->status_latched) return;
    c->status = (uint8_t)((counter_out(c, now) ? 0x80 : 0) | (c->status & 0x40) |
                          c->rw << 4 | c->mode << 1 | c->bcd);
    c->status_latched = 1;
}

static uint8_t counter_read(PitCounter *c, uint64_t now)
{
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->latch_pending) {
        bool msb = c->latch_pending == RW_MSB;
        c->latch_pending = (!msb && c->rw == RW_WORD) ? RW_MSB : 0;
        return (uint8_t)(msb ? c->latched_value >> 8 : c->latched_value);
    }
    uint16_t v = counter_value(c, now);
    bool msb = c->rw == RW_MSB || (c->rw == RW_WORD && c->read_msb);
    if (c->rw == RW_WORD) c->read_msb ^= 1;
    return (uint8_t)(msb ? v >> 8 : v);
}

static void counter_write(Pit *p, PitCounter *c, uint8_t v, uint64_t now)
{
    switch (c->rw) {
    case RW_LSB: load_count(p, c, v, now); break;
    case RW_MSB: load_count(p, c, (uint16_t)(v << 8), now); break;
    default:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = 1;
        } else {
            c->write_msb = 0;
            load_count(p, c, (uint16_t)(c->write_lsb | v << 8), now);
        }
        break;
    }
}

/* Port 0x43: a control word, a counter latch (RW 00) or the read-back command (SC 11). */
static void control_write(Pit *p, uint8_t v, uint64_t now)
{
    int sc = v >> 6;
    if (sc == 3) {
        for (int i = 0; i < 3; i++) {
            if (!(v & (2 << i))) continue;
            if (!(v & 0x20)) latch_count(&p->s.counter[i], now);
            if (!(v & 0x10)) latch_status(&p->s.counter[i], now);
        }
        return;
    }
    PitCounter *c = &p->s.counter[sc];
    int rw = (v >> 4) & 3;
    if (rw == RW_LATCH) {
        latch_count(c, now);
        return;
    }
    c->rw = (uint8_t)rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5) c->mode -= 4;  /* 6 and 7 are aliases of 2 and 3 */
    c->bcd = v & 1;
    c->loaded = 0;
    c->read_msb = c->write_msb = 0;
    c->latch_pending = c->status_latched = 0;
    c->status |= 0x40;              /* null count until a count is written */
    if (sc == 0) counter0_programmed(p, now);
}

static void set_gate(Pit *p, PitCounter *c, bool gate, uint64_t now)
{
    if (gate == c->gate) return;
    if (!gate) {
        c->frozen_ticks = elapsed_ticks(c, now);
    } else if (c->mode == 0 || c->mode == 4) {
        c->load_time_ns = now - ticks_to_ns(c->frozen_ticks);   /* resume */
    } else {
        c->load_time_ns = now;      /* 1, 5 trigger; 2, 3 restart from the count */
    }
    c->gate = gate;
}

static uint64_t pit_read(void *opaque, uint64_t offset, unsigned size)
{
    Pit *p = opaque;
    if (offset == 3) return 0xff;   /* the control word is write-only */
    return counter_read(&p->s.counter[offset], clock_now_ns());
}

static void pit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Pit *p = opaque;
    uint64_t now = clock_now_ns();
    if (offset == 3) {
        control_write(p, (uint8_t)value, now);
    } else {
        counter_write(p, &p->s.counter[offset], (uint8_t)value, now);
    }
}

static uint64_t port61_read(void *opaque, uint64_t offset, unsigned size)
{
    Pit *p = opaque;
    uint64_t now = clock_now_ns();
    uint8_t v = p->s.port61;
    if ((now / REFRESH_PERIOD_NS) & 1) v |= PORT61_REFRESH;
    if (counter_out(&p->s.counter[2], now)) v |= PORT61_OUT2;
    return v;
}

static void port61_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Pit *p = opaque;
    p->s.port61 = (uint8_t)value & PORT61_WRITABLE;
    set_gate(p, &p->s.counter[2], value & PORT61_GATE2, clock_now_ns());
}

static const MemOps pit_ops = { pit_read, pit_write };
static const MemOps port61_ops = { port61_read, port61_write };

static void pit_reset(void *state)
{
    Pit *p = state;
    uint64_t now = clock_now_ns();
    memset(&p->s, 0, sizeof(p->s));
    for (int i = 0; i < 3; i++) {
        PitCounter *c = &p->s.counter[i];
        c->gate = i != 2;
        c->rw = RW_WORD;
        c->mode = 3;
    }
    /* counter 0 runs as the firmware leaves it: 18.2 Hz square wave */
    load_count(p, &p->s.counter[0], 0, now);
}

/* snapshot/: the state holds counter 0's next edges; the timer follows them */
static void pit_post_load(void *state)
{
    arm_irq_timer(state);
}

static const DeviceOps pit_device = {
    .name = "pit8254",
    .version = 2,           /* 2: owed edges */
    .fields = pit_fields,
    .reset = pit_reset,
    .post_load = pit_post_load,
};

bool pit8254_create(Machine *m)
{
    Pit *p = calloc(1, sizeof(*p));
    if (!p) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    if (!port_register(0x40, 4, &pit_ops, p) || !port_register(0x61, 1, &port61_ops, p)) {
        fprintf(stderr, "ferry: 8254 PIT: ports already in use\n");
        free(p);
        return false;
    }
    p->irq_timer = timer_new(irq_timer_fired, p);
    machine_add_device(m, &pit_device, &p->s);
    return true;
}
