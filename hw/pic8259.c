/*
 * hw/pic8259.c — the PC's pair of 8259A interrupt controllers: the master at 0x20/0x21
 * (IRQ 0-7), the slave at 0xA0/0xA1 (IRQ 8-15) cascaded on the master's IRQ 2, and the
 * PIIX edge/level control registers (ELCR) at 0x4D0/0x4D1.
 *
 * Edge-triggered inputs latch a request into IRR on a rising edge, and it stays there until
 * the CPU acknowledges it (a pulse shorter than the CPU's reaction is not lost); level-
 * triggered inputs (ELCR bit or ICW1.LTIM) make IRR follow the line. The master's cascade
 * input is the slave's INT output itself, so a slave with several requests keeps asking.
 * Priorities rotate through `lowest_priority` (the IRQ just below the highest-priority one):
 * fixed priority is lowest_priority 7.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define MASTER 0
#define SLAVE 1
#define CASCADE_IRQ 2
#define SPURIOUS_IRQ 7

#define ICW1_IC4   0x01     /* ICW4 follows */
#define ICW1_SNGL  0x02     /* single PIC: no ICW3 */
#define ICW1_LTIM  0x08     /* level-triggered inputs */
#define ICW1_INIT  0x10     /* port 0 write with this bit: ICW1 */
#define ICW4_AEOI  0x02
#define ICW4_SFNM  0x10     /* special fully nested mode */
#define OCW3_SELECT 0x08    /* port 0 write with bits 4:3 = 01: OCW3 */
#define OCW3_RR    0x02     /* read register command */
#define OCW3_RIS   0x01     /* ... ISR (else IRR) */
#define OCW3_POLL  0x04
#define OCW3_ESMM  0x40     /* special mask mode bits valid */
#define OCW3_SMM   0x20

/* Inputs that must stay edge-triggered (PIIX): timer, keyboard, cascade; RTC, FPU. */
static const uint8_t elcr_writable[2] = { 0xf8, 0xde };

typedef struct PicChip {
    uint8_t irr, isr, imr;
    uint8_t input;              /* last level seen on each input (edge detection) */
    uint8_t elcr;
    uint8_t vector_base;        /* ICW2 & 0xf8 */
    uint8_t init_step;          /* next ICW expected: 0 none, 2, 3 or 4 */
    uint8_t icw1;
    uint8_t icw4;
    uint8_t lowest_priority;    /* IRQ with the lowest priority (rotation) */
    uint8_t read_isr;           /* OCW3: port 0 reads ISR instead of IRR */
    uint8_t poll;               /* OCW3 poll: the next read is an acknowledge */
    uint8_t special_mask;
    uint8_t rotate_on_aeoi;
} PicChip;

typedef struct PicState {
    PicChip chip[2];
} PicState;

static const StateField pic_fields[] = {
    STATE_FIELD(PicState, chip, 1),
    STATE_END
};

static PicState *pic;   /* the one pair of this machine */

static uint8_t irq_bit(int irq)
{
    return (uint8_t)(1u << irq);
}

static bool level_triggered(const PicChip *c, int irq)
{
    return (c->icw1 & ICW1_LTIM) || (c->elcr & irq_bit(irq));
}

/* The highest-priority set bit of bits as a priority rank (0 highest), 8 if none. */
static int priority_rank(const PicChip *c, uint8_t bits)
{
    for (int rank = 0; rank < 8; rank++) {
        if (bits & irq_bit((c->lowest_priority + 1 + rank) & 7)) return rank;
    }
    return 8;
}

static int rank_to_irq(const PicChip *c, int rank)
{
    return (c->lowest_priority + 1 + rank) & 7;
}

static bool slave_output(void);

static uint8_t requests(const PicChip *c)
{
    uint8_t irr = c->irr;
    if (c == &pic->chip[MASTER]) {
        irr = (uint8_t)((irr & ~irq_bit(CASCADE_IRQ)) | (slave_output() ? irq_bit(CASCADE_IRQ) : 0));
    }
    return irr;
}

/* The IRQ this chip would present to the CPU now, or -1. */
static int chip_pending_irq(const PicChip *c)
{
    int req = priority_rank(c, requests(c) & ~c->imr);
    if (req == 8) return -1;
    uint8_t in_service = c->isr;
    if (c->special_mask) in_service &= ~c->imr;      /* masked levels do not block */
    if (c == &pic->chip[MASTER] && (c->icw4 & ICW4_SFNM)) {
        in_service &= ~irq_bit(CASCADE_IRQ);            /* the slave nests its own */
    }
    return req < priority_rank(c, in_service) ? rank_to_irq(c, req) : -1;
}

static bool slave_output(void)
{
    return chip_pending_irq(&pic->chip[SLAVE]) >= 0;
}

bool pic_intr_level(void)
{
    return pic && chip_pending_irq(&pic->chip[MASTER]) >= 0;
}

/* The chip's side of an acknowledge of irq: ISR set (unless auto-EOI), an edge request
 * consumed. */
static void chip_ack(PicChip *c, int irq)
{
    if (c->icw4 & ICW4_AEOI) {
        if (c->rotate_on_aeoi) c->lowest_priority = (uint8_t)irq;
    } else {
        c->isr |= irq_bit(irq);
    }
    if (!level_triggered(c, irq)) c->irr &= ~irq_bit(irq);
}

int pic_ack(void)
{
    if (!pic) return -1;
    PicChip *m = &pic->chip[MASTER], *s = &pic->chip[SLAVE];
    int irq = chip_pending_irq(m);
    int vector;
    if (irq < 0) {
        vector = m->vector_base + SPURIOUS_IRQ;     /* the request went away: no ISR bit */
    } else if (irq == CASCADE_IRQ) {
        int slave_irq = chip_pending_irq(s);
        chip_ack(m, irq);
        if (slave_irq < 0) {
            vector = s->vector_base + SPURIOUS_IRQ;
        } else {
            chip_ack(s, slave_irq);
            vector = s->vector_base + slave_irq;
        }
    } else {
        chip_ack(m, irq);
        vector = m->vector_base + irq;
    }
    machine_update_intr();
    return vector;
}

static void pic_set_irq(int line, int level)
{
    if (!pic || line < 0 || line >= 16) return;
    PicChip *c = &pic->chip[line >> 3];
    int irq = line & 7;
    uint8_t bit = irq_bit(irq);
    bool was = c->input & bit;
    if (level) {
        c->input |= bit;
        if (!was || level_triggered(c, irq)) c->irr |= bit;
    } else {
        c->input &= ~bit;
        if (level_triggered(c, irq)) c->irr &= ~bit;
    }
}

static void end_of_interrupt(PicChip *c, int irq, bool rotate)
{
    c->isr &= ~irq_bit(irq);
    if (rotate) c->lowest_priority = (uint8_t)irq;
}

/* OCW2: bits 7-5 are R, SL, EOI; L2-L0 name the level for the specific forms. */
static void write_ocw2(PicChip *c, uint8_t v)
{
    int level = v & 7;
    int highest = priority_rank(c, c->isr);
    switch (v >> 5) {
    case 0: c->rotate_on_aeoi = 0; break;
    case 4: c->rotate_on_aeoi = 1; break;
    case 1:                                             /* non-specific EOI */
    case 5:                                             /* ... and rotate */
        if (highest < 8) end_of_interrupt(c, rank_to_irq(c, highest), v >> 5 == 5);
        break;
    case 3: end_of_interrupt(c, level, false); break;   /* specific EOI */
    case 7: end_of_interrupt(c, level, true); break;    /* ... and rotate */
    case 6: c->lowest_priority = (uint8_t)level; break; /* set priority */
    default: break;                                     /* 2: no operation */
    }
}

static void write_ocw3(PicChip *c, uint8_t v)
{
    if (v & OCW3_POLL) c->poll = 1;
    if (v & OCW3_RR) c->read_isr = v & OCW3_RIS;
    if (v & OCW3_ESMM) c->special_mask = (v & OCW3_SMM) != 0;
}

static void write_icw1(PicChip *c, uint8_t v)
{
    /* ELCR belongs to the chipset and the input pins keep their level */
    uint8_t elcr = c->elcr, vector_base = c->vector_base, input = c->input;
    memset(c, 0, sizeof(*c));
    c->elcr = elcr;
    c->vector_base = vector_base;
    c->input = input;
    c->icw1 = v;
    c->lowest_priority = 7;
    c->init_step = 2;
}

static void write_data(PicChip *c, uint8_t v)
{
    switch (c->init_step) {
    case 2:
        c->vector_base = v & 0xf8;
        c->init_step = (c->icw1 & ICW1_SNGL) ? ((c->icw1 & ICW1_IC4) ? 4 : 0) : 3;
        break;
    case 3:                                             /* ICW3: the cascade is wired */
        c->init_step = (c->icw1 & ICW1_IC4) ? 4 : 0;
        break;
    case 4:
        c->icw4 = v;
        c->init_step = 0;
        break;
    default:
        c->imr = v;                                     /* OCW1 */
        break;
    }
}

/* The poll command: an acknowledge through the port, answered 0x80 | level or 0. */
static uint8_t poll_read(PicChip *c)
{
    c->poll = 0;
    int irq = chip_pending_irq(c);
    if (irq < 0) return 0;
    chip_ack(c, irq);
    return (uint8_t)(0x80 | irq);
}

static uint64_t pic_port_read(void *opaque, uint64_t offset, unsigned size)
{
    PicChip *c = opaque;
    uint8_t v;
    if (c->poll) {
        v = poll_read(c);
    } else if (offset == 0) {
        v = c->read_isr ? c->isr : requests(c);
    } else {
        v = c->imr;
    }
    machine_update_intr();
    return v;
}

static void pic_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PicChip *c = opaque;
    uint8_t v = (uint8_t)value;
    if (offset == 1) {
        write_data(c, v);
    } else if (v & ICW1_INIT) {
        write_icw1(c, v);
    } else if (v & OCW3_SELECT) {
        write_ocw3(c, v);
    } else {
        write_ocw2(c, v);
    }
    machine_update_intr();
}

static uint64_t elcr_read(void *opaque, uint64_t offset, unsigned size)
{
    return pic->chip[offset & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PicChip *c = &pic->chip[offset & 1];
    c->elcr = (uint8_t)value & elcr_writable[offset & 1];
    /* a line switched to level sense is sampled now */
    c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->input & c->elcr));
    machine_update_intr();
}

static const MemOps pic_port_ops = { pic_port_read, pic_port_write };
static const MemOps elcr_ops = { elcr_read, elcr_write };

static void pic_reset(void *state)
{
    PicState *s = state;
    /* Not programmed yet, so everything masked: the firmware or kernel initialises the pair
     * before it wants interrupts (a guest that never does is not surprised by IRQ 0 on
     * vector 0). */
    for (int i = 0; i < 2; i++) {
        uint8_t input = s->chip[i].input;
        memset(&s->chip[i], 0, sizeof(s->chip[i]));
        s->chip[i].input = input;
        s->chip[i].imr = 0xff;
        s->chip[i].lowest_priority = 7;
    }
    machine_update_intr();
}

static const DeviceOps pic_device = {
    .name = "pic8259",
    .version = 1,
    .fields = pic_fields,
    .reset = pic_reset,
};

bool pic8259_create(Machine *m)
{
    PicState *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    if (!port_register(0x20, 2, &pic_port_ops, &s->chip[MASTER]) ||
        !port_register(0xa0, 2, &pic_port_ops, &s->chip[SLAVE]) ||
        !port_register(0x4d0, 2, &elcr_ops, s)) {
        fprintf(stderr, "ferry: 8259 PIC: ports already in use\n");
        free(s);
        return false;
    }
    pic = s;
    irq_add_sink(pic_set_irq);
    machine_add_device(m, &pic_device, s);
    return true;
}
