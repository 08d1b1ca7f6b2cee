/*
 * hw/rtc.c — the MC146818 real-time clock and its CMOS RAM (index port 0x70, whose bit 7
 * masks NMI, data port 0x71), IRQ 8.
 *
 * The date and time are the host's UTC wall clock plus an offset the guest changes by
 * setting the clock (register B.SET, write the registers, clear SET). The chip's update
 * happens at each wall-clock second boundary; UIP reads as set during the 244 us before it,
 * so a guest that waits for UIP to drop reads a stable second. The periodic interrupt
 * (register A's rate) and the once-a-second update-ended and alarm checks are Timers on the
 * virtual clock, armed only while their interrupt is enabled. Register C reports and clears
 * the flags; IRQ 8 follows C.IRQF.
 *
 * The RAM bytes a BIOS or Linux reads for the memory size are filled from the RAM size at
 * reset.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define RTC_IRQ 8
#define CMOS_SIZE 128
#define NS_PER_S 1000000000ll
#define UIP_WINDOW_NS 244000ll

/* clock registers (indexes) */
#define REG_SECONDS 0x00
#define REG_SECONDS_ALARM 0x01
#define REG_MINUTES 0x02
#define REG_MINUTES_ALARM 0x03
#define REG_HOURS 0x04
#define REG_HOURS_ALARM 0x05
#define REG_WEEKDAY 0x06
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32

#define A_UIP 0x80
#define A_DIVIDER 0x70
#define A_DIVIDER_NORMAL 0x20
#define A_RATE 0x0f
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_BINARY 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80
#define HOUR_PM 0x80
#define ALARM_DONT_CARE 0xc0

/* memory-size bytes */
#define CMOS_BASE_MEM 0x15
#define CMOS_EXT_MEM 0x17
#define CMOS_EXT_MEM_POST 0x30
#define CMOS_MEM_ABOVE_16M 0x34
#define CMOS_MEM_ABOVE_4G 0x5b
#define CMOS_CHECKSUM 0x2e

typedef struct RtcState {
    uint8_t cmos[CMOS_SIZE];    /* clock registers 0x00-0x0d are kept here as read while SET */
    uint8_t index;
    uint8_t nmi_masked;
    int64_t offset_s;           /* guest time - host UTC time */
    uint64_t periodic_deadline_ns;
    uint64_t second_deadline_ns;
} RtcState;

static const StateField rtc_fields[] = {
    STATE_FIELD(RtcState, cmos, 1),
    STATE_FIELD(RtcState, index, 1),
    STATE_FIELD(RtcState, nmi_masked, 1),
    STATE_FIELD(RtcState, offset_s, 1),
    STATE_FIELD(RtcState, periodic_deadline_ns, 1),
    STATE_FIELD(RtcState, second_deadline_ns, 1),
    STATE_END
};

typedef struct Rtc {
    RtcState s;                 /* first: DeviceOps hands us &s */
    Timer *periodic_timer;
    Timer *second_timer;
    const Machine *machine;     /* its RAM split around the PCI hole */
} Rtc;

static int64_t host_utc_ns(void)
{
    return clock_wall_ns();     /* the host's, or virtual under -icount */
}

static uint8_t to_bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

static int from_bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0xf);
}

/* A clock value in the register format register B asks for. */
static uint8_t encode(const RtcState *s, int v)
{
    return (s->cmos[REG_B] & B_BINARY) ? (uint8_t)v : to_bcd(v);
}

static int decode(const RtcState *s, uint8_t v)
{
    return (s->cmos[REG_B] & B_BINARY) ? v : from_bcd(v);
}

static uint8_t encode_hour(const RtcState *s, int hour)
{
    if (s->cmos[REG_B] & B_24H) return encode(s, hour);
    int h12 = hour % 12 ? hour % 12 : 12;
    return (uint8_t)(encode(s, h12) | (hour >= 12 ? HOUR_PM : 0));
}

static int decode_hour(const RtcState *s, uint8_t v)
{
    if (s->cmos[REG_B] & B_24H) return decode(s, v);
    int h12 = decode(s, v & ~HOUR_PM) % 12;
    return h12 + ((v & HOUR_PM) ? 12 : 0);
}

/* Write the guest's current time into the clock registers. */
static void store_time(RtcState *s)
{
    time_t t = (time_t)(host_utc_ns() / NS_PER_S + s->offset_s);
    struct tm tm;
    gmtime_r(&t, &tm);
    s->cmos[REG_SECONDS] = encode(s, tm.tm_sec);
    s->cmos[REG_MINUTES] = encode(s, tm.tm_min);
    s->cmos[REG_HOURS] = encode_hour(s, tm.tm_hour);
    s->cmos[REG_WEEKDAY] = encode(s, tm.tm_wday + 1);
    s->cmos[REG_DAY] = encode(s, tm.tm_mday);
    s->cmos[REG_MONTH] = encode(s, tm.tm_mon + 1);
    s->cmos[REG_YEAR] = encode(s, tm.tm_year % 100);
    s->cmos[REG_CENTURY] = encode(s, (tm.tm_year + 1900) / 100);
}

/* The guest set the clock: the offset follows from the registers it wrote. */
static void load_time(RtcState *s)
{
    struct tm tm = {
        .tm_sec = decode(s, s->cmos[REG_SECONDS]) % 60,
        .tm_min = decode(s, s->cmos[REG_MINUTES]) % 60,
        .tm_hour = decode_hour(s, s->cmos[REG_HOURS]) % 24,
        .tm_mday = decode(s, s->cmos[REG_DAY]),
        .tm_mon = decode(s, s->cmos[REG_MONTH]) - 1,
        .tm_year = decode(s, s->cmos[REG_CENTURY]) * 100 + decode(s, s->cmos[REG_YEAR]) - 1900,
    };
    s->offset_s = (int64_t)timegm(&tm) - host_utc_ns() / NS_PER_S;
}

static bool clock_running(const RtcState *s)
{
    return !(s->cmos[REG_B] & B_SET) && (s->cmos[REG_A] & A_DIVIDER) == A_DIVIDER_NORMAL;
}

static void update_irq(RtcState *s)
{
    uint8_t enabled = s->cmos[REG_C] & s->cmos[REG_B] & (C_PF | C_AF | C_UF);
    if (enabled) s->cmos[REG_C] |= C_IRQF;
    irq_set(RTC_IRQ, (s->cmos[REG_C] & C_IRQF) != 0);
}

/* Period of the periodic interrupt in ns, 0 when off (rates 1 and 2 repeat 8 and 9). */
static uint64_t periodic_ns(const RtcState *s)
{
    int rate = s->cmos[REG_A] & A_RATE;
    if (rate == 0 || (s->cmos[REG_A] & A_DIVIDER) != A_DIVIDER_NORMAL) return 0;
    if (rate < 3) rate += 7;
    return (uint64_t)NS_PER_S * (1u << (rate - 1)) / 32768;
}

static void arm_periodic(Rtc *r, uint64_t now)
{
    RtcState *s = &r->s;
    uint64_t period = (s->cmos[REG_B] & B_PIE) ? periodic_ns(s) : 0;
    if (!period) {
        s->periodic_deadline_ns = 0;
        timer_del(r->periodic_timer);
        return;
    }
    /* keep the phase while on time; after a stall, start again from now */
    uint64_t next = s->periodic_deadline_ns + period;
    if (!s->periodic_deadline_ns || next <= now || next > now + period) next = now + period;
    s->periodic_deadline_ns = next;
    timer_mod(r->periodic_timer, next);
}

static void periodic_fired(void *opaque, uint64_t now)
{
    Rtc *r = opaque;
    r->s.cmos[REG_C] |= C_PF;
    update_irq(&r->s);
    arm_periodic(r, now);
}

static void arm_second(Rtc *r, uint64_t now)
{
    RtcState *s = &r->s;
    if (!(s->cmos[REG_B] & (B_UIE | B_AIE)) || !clock_running(s)) {
        s->second_deadline_ns = 0;
        timer_del(r->second_timer);
        return;
    }
    int64_t into_second = host_utc_ns() % NS_PER_S;
    s->second_deadline_ns = now + (uint64_t)(NS_PER_S - into_second);
    timer_mod(r->second_timer, s->second_deadline_ns);
}

static bool alarm_field_matches(uint8_t alarm, uint8_t now)
{
    return (alarm & ALARM_DONT_CARE) == ALARM_DONT_CARE || alarm == now;
}

/* The update cycle at a second boundary: update-ended, and the alarm compare. */
static void second_fired(void *opaque, uint64_t now)
{
    Rtc *r = opaque;
    RtcState *s = &r->s;
    store_time(s);
    s->cmos[REG_C] |= C_UF;
    if (alarm_field_matches(s->cmos[REG_SECONDS_ALARM], s->cmos[REG_SECONDS]) &&
        alarm_field_matches(s->cmos[REG_MINUTES_ALARM], s->cmos[REG_MINUTES]) &&
        alarm_field_matches(s->cmos[REG_HOURS_ALARM], s->cmos[REG_HOURS])) {
        s->cmos[REG_C] |= C_AF;
    }
    update_irq(s);
    /* the timer may fire a little before the wall clock's boundary: aim past it */
    arm_second(r, now + UIP_WINDOW_NS);
}

/* The registers the update cycle writes (not the alarms). */
static bool is_time_register(uint8_t index)
{
    bool alarm = index == REG_SECONDS_ALARM || index == REG_MINUTES_ALARM || index == REG_HOURS_ALARM;
    return (index <= REG_YEAR && !alarm) || index == REG_CENTURY;
}

static uint8_t cmos_read(Rtc *r, uint8_t index)
{
    RtcState *s = &r->s;
    if (is_time_register(index) && !(s->cmos[REG_B] & B_SET)) store_time(s);
    switch (index) {
    case REG_A: {
        bool uip = clock_running(s) && host_utc_ns() % NS_PER_S >= NS_PER_S - UIP_WINDOW_NS;
        return (uint8_t)((s->cmos[REG_A] & ~A_UIP) | (uip ? A_UIP : 0));
    }
    case REG_C: {
        uint8_t v = s->cmos[REG_C];
        s->cmos[REG_C] = 0;
        update_irq(s);
        return v;
    }
    case REG_D:
        return D_VRT;
    default:
        return s->cmos[index];
    }
}

static void cmos_write(Rtc *r, uint8_t index, uint8_t v)
{
    RtcState *s = &r->s;
    uint64_t now = clock_now_ns();
    switch (index) {
    case REG_A:
        s->cmos[REG_A] = v & ~A_UIP;
        arm_periodic(r, now);
        arm_second(r, now);
        break;
    case REG_B: {
        uint8_t old = s->cmos[REG_B];
        if ((v & B_SET) && !(old & B_SET)) store_time(s);  /* the registers to edit */
        s->cmos[REG_B] = v;
        if (!(v & B_SET) && (old & B_SET)) load_time(s);
        if ((v & B_SET) && !(old & B_SET)) s->cmos[REG_B] &= ~B_UIE;   /* SET clears UIE */
        s->periodic_deadline_ns = 0;
        arm_periodic(r, now);
        arm_second(r, now);
        update_irq(s);
        break;
    }
    case REG_C:
    case REG_D:
        break;          /* read-only */
    default:
        if (is_time_register(index) && !(s->cmos[REG_B] & B_SET)) {
            /* a single field written while running: the clock takes it at once */
            store_time(s);
            s->cmos[index] = v;
            load_time(s);
        } else {
            s->cmos[index] = v;
        }
        break;
    }
}

static uint64_t rtc_port_read(void *opaque, uint64_t offset, unsigned size)
{
    Rtc *r = opaque;
    if (offset == 0) return 0xff;   /* the index register is write-only */
    return cmos_read(r, r->s.index);
}

static void rtc_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Rtc *r = opaque;
    if (offset == 0) {
        r->s.index = (uint8_t)value & (CMOS_SIZE - 1);
        r->s.nmi_masked = (value & 0x80) != 0;
    } else {
        cmos_write(r, r->s.index, (uint8_t)value);
    }
}

static const MemOps rtc_ops = { rtc_port_read, rtc_port_write };

static void put_le16(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* The memory sizes a BIOS and Linux's early code read, from the RAM size. */
static void fill_memory_size(RtcState *s, const Machine *m)
{
    const uint64_t kib = 1024, mib = 1024 * kib;
    uint64_t below = board_ram_below_4g(m), above = m->cfg.ram_size - below;
    uint64_t ext_kib = below > mib ? (below - mib) / kib : 0;
    if (ext_kib > 0xffff) ext_kib = 0xffff;
    uint64_t above16m = below > 16 * mib ? (below - 16 * mib) / (64 * kib) : 0;
    if (above16m > 0xffff) above16m = 0xffff;
    uint64_t above4g = above / (64 * kib);
    if (above4g > 0xffffff) above4g = 0xffffff;
    put_le16(&s->cmos[CMOS_BASE_MEM], 640);
    put_le16(&s->cmos[CMOS_EXT_MEM], ext_kib);
    put_le16(&s->cmos[CMOS_EXT_MEM_POST], ext_kib);
    put_le16(&s->cmos[CMOS_MEM_ABOVE_16M], above16m);
    put_le16(&s->cmos[CMOS_MEM_ABOVE_4G], above4g);
    s->cmos[CMOS_MEM_ABOVE_4G + 2] = (uint8_t)(above4g >> 16);
    /* the standard checksum over 0x10-0x2d, big-endian */
    unsigned sum = 0;
    for (int i = 0x10; i < CMOS_CHECKSUM; i++) sum += s->cmos[i];
    s->cmos[CMOS_CHECKSUM] = (uint8_t)(sum >> 8);
    s->cmos[CMOS_CHECKSUM + 1] = (uint8_t)sum;
}

static void rtc_reset(void *state)
{
    Rtc *r = state;
    RtcState *s = &r->s;
    int64_t offset = s->offset_s;   /* the battery keeps the clock and RAM over a reset */
    memset(s, 0, sizeof(*s));
    s->offset_s = offset;
    s->cmos[REG_A] = A_DIVIDER_NORMAL | 0x06;       /* 1024 Hz, as firmware leaves it */
    s->cmos[REG_B] = B_24H;
    fill_memory_size(s, r->machine);
    store_time(s);
    timer_del(r->periodic_timer);
    timer_del(r->second_timer);
    irq_set(RTC_IRQ, 0);
}

/* snapshot/: re-arm the timers from the deadlines in the state, drive the line again */
static void rtc_post_load(void *state)
{
    Rtc *r = state;
    if (r->s.periodic_deadline_ns) timer_mod(r->periodic_timer, r->s.periodic_deadline_ns);
    else timer_del(r->periodic_timer);
    if (r->s.second_deadline_ns) timer_mod(r->second_timer, r->s.second_deadline_ns);
    else timer_del(r->second_timer);
    update_irq(&r->s);
}

static const DeviceOps rtc_device = {
    .name = "mc146818",
    .version = 1,
    .fields = rtc_fields,
    .reset = rtc_reset,
    .post_load = rtc_post_load,
};

bool rtc_create(Machine *m)
{
    Rtc *r = calloc(1, sizeof(*r));
    if (!r) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    if (!port_register(0x70, 2, &rtc_ops, r)) {
        fprintf(stderr, "ferry: RTC: ports 0x70-0x71 already in use\n");
        free(r);
        return false;
    }
    r->machine = m;
    r->periodic_timer = timer_new(periodic_fired, r);
    r->second_timer = timer_new(second_fired, r);
    machine_add_device(m, &rtc_device, &r->s);
    return true;
}
