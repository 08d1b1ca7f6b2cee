/*
 * hw/ioapic.c — an 82093AA-style I/O APIC at 0xFEC00000: IOREGSEL at +0x00, IOWIN at +0x10;
 * registers ID (0), version (1: 0x00170011, 24 pins), arbitration (2), and the 24 64-bit
 * redirection entries at 0x10 + 2 * pin.
 *
 * Wiring: ISA IRQ 0 (the PIT) reaches pin 2, every other line n reaches pin n (the interrupt
 * source override the MADT will describe); lines 16-23 are the PCI/HPET pins. Lines come in
 * through irq_add_sink.
 * Edge-triggered pins deliver on a rising level; level-triggered pins deliver while the
 * input is asserted and set Remote IRR until the local APIC's EOI for the vector comes back
 * (lapic.c broadcasts EOIs of level-triggered vectors). Polarity: an active-low pin sees the
 * inverted line, so the ISA lines (active high) want polarity 0.
 *
 * Delivery goes to the one local APIC when the destination matches it (physical ID or
 * broadcast, or the logical model in LDR/DFR).
 */
#include <stdlib.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define IOAPIC_BASE 0xfec00000ull
#define IOAPIC_SIZE 0x20u
#define IOAPIC_PINS 24
#define IOAPIC_VERSION 0x00170011u

#define RTE_VECTOR_MASK 0xffull
#define RTE_DELIVERY_SHIFT 8
#define RTE_DEST_LOGICAL (1ull << 11)
#define RTE_DELIVERY_STATUS (1ull << 12)
#define RTE_ACTIVE_LOW (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST_SHIFT 56
/* guest-writable bits: all but delivery status and remote IRR */
#define RTE_WRITABLE (0xff00000000000000ull | 0x1ffffull) & ~(RTE_DELIVERY_STATUS | RTE_REMOTE_IRR)

enum { REG_ID = 0, REG_VERSION = 1, REG_ARB = 2, REG_REDIR = 0x10 };

typedef struct IoapicState {
    uint32_t regsel;
    uint32_t id;
    uint32_t pin_level;             /* input level of each pin, as on the wire */
    uint64_t redir[IOAPIC_PINS];
} IoapicState;

static const StateField ioapic_fields[] = {
    STATE_FIELD(IoapicState, regsel, 1),
    STATE_FIELD(IoapicState, id, 1),
    STATE_FIELD(IoapicState, pin_level, 1),
    STATE_FIELD(IoapicState, redir, 1),
    STATE_END
};

static IoapicState *ioapic;

static bool pin_asserted(const IoapicState *s, int pin)
{
    bool wire = s->pin_level & (1u << pin);
    return (s->redir[pin] & RTE_ACTIVE_LOW) ? !wire : wire;
}

/* Send the pin's interrupt to the local APIC if its entry allows it now. */
static void deliver(IoapicState *s, int pin)
{
    uint64_t e = s->redir[pin];
    if (e & RTE_MASKED) return;
    bool level = e & RTE_LEVEL;
    if (level) {
        if (e & RTE_REMOTE_IRR) return;     /* still in service: wait for the EOI */
    }
    if (!lapic_dest_match((uint8_t)(e >> RTE_DEST_SHIFT), e & RTE_DEST_LOGICAL)) return;
    if (level) s->redir[pin] |= RTE_REMOTE_IRR;
    lapic_deliver((uint8_t)(e & RTE_VECTOR_MASK), (int)((e >> RTE_DELIVERY_SHIFT) & 7), level);
}

/* Interrupt line <-> pin: ISA IRQ 0 and pin 2 trade places (the override); line 2, the
 * 8259 cascade, lands on pin 0, where nothing drives it. Its own inverse. */
int ioapic_pin_line(int pin)
{
    return pin == 0 ? 2 : pin == 2 ? 0 : pin;
}

static void ioapic_set_irq(int line, int level)
{
    IoapicState *s = ioapic;
    if (!s || line < 0 || line >= IOAPIC_PINS) return;
    int pin = ioapic_pin_line(line);
    bool before = pin_asserted(s, pin);
    if (level) s->pin_level |= 1u << pin;
    else s->pin_level &= ~(1u << pin);
    bool now = pin_asserted(s, pin);
    if (now && (!before || (s->redir[pin] & RTE_LEVEL))) deliver(s, pin);
}

void ioapic_eoi(uint8_t vector)
{
    IoapicState *s = ioapic;
    if (!s) return;
    for (int pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = s->redir[pin];
        if ((e & RTE_REMOTE_IRR) && (e & RTE_VECTOR_MASK) == vector) {
            s->redir[pin] &= ~RTE_REMOTE_IRR;
            /* a level input still asserted interrupts again */
            if ((e & RTE_LEVEL) && pin_asserted(s, pin)) deliver(s, pin);
        }
    }
}

static uint32_t reg_read(IoapicState *s)
{
    uint32_t r = s->regsel & 0xff;
    if (r >= REG_REDIR && r < REG_REDIR + 2 * IOAPIC_PINS) {
        uint64_t e = s->redir[(r - REG_REDIR) / 2];
        return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
    }
    switch (r) {
    case REG_ID: return s->id;
    case REG_VERSION: return IOAPIC_VERSION;
    case REG_ARB: return s->id;     /* arbitration ID follows the APIC ID */
    default: return 0;
    }
}

static void reg_write(IoapicState *s, uint32_t v)
{
    uint32_t r = s->regsel & 0xff;
    if (r == REG_ID) {
        s->id = v & 0x0f000000u;
        return;
    }
    if (r < REG_REDIR || r >= REG_REDIR + 2 * IOAPIC_PINS) return;
    int pin = (int)(r - REG_REDIR) / 2;
    uint64_t e = s->redir[pin];
    uint64_t word = (r & 1) ? (uint64_t)v << 32 : v;
    uint64_t keep = (r & 1) ? 0xffffffffull : 0xffffffff00000000ull;
    uint64_t writable = RTE_WRITABLE;
    e = (e & keep) | (word & ~keep & writable) | (e & ~keep & ~writable);
    /* an edge-triggered entry has no Remote IRR */
    if (!(e & RTE_LEVEL)) e &= ~RTE_REMOTE_IRR;
    s->redir[pin] = e;
    /* unmasking a level entry whose input is asserted delivers it now */
    if ((e & RTE_LEVEL) && pin_asserted(s, pin)) deliver(s, pin);
}

static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    IoapicState *s = opaque;
    if (offset == 0x00) return s->regsel;
    if (offset == 0x10) return reg_read(s);
    return 0;
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    IoapicState *s = opaque;
    if (offset == 0x00) s->regsel = (uint32_t)value & 0xff;
    else if (offset == 0x10 && size == 4) reg_write(s, (uint32_t)value);
    machine_update_intr();
}

static const MemOps ioapic_mmio_ops = { ioapic_mmio_read, ioapic_mmio_write };

static void ioapic_reset(void *state)
{
    IoapicState *s = state;
    uint32_t levels = s->pin_level;     /* the wires keep their levels across a reset */
    *s = (IoapicState){ .pin_level = levels };
    for (int pin = 0; pin < IOAPIC_PINS; pin++) s->redir[pin] = RTE_MASKED;
}

static const DeviceOps ioapic_device = {
    .name = "ioapic",
    .version = 1,
    .fields = ioapic_fields,
    .reset = ioapic_reset,
};

bool ioapic_create(Machine *m)
{
    IoapicState *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "ferry: out of memory for the I/O APIC\n");
        return false;
    }
    if (!phys_map_mmio(IOAPIC_BASE, IOAPIC_SIZE, &ioapic_mmio_ops, s)) {
        fprintf(stderr, "ferry: cannot map the I/O APIC\n");
        free(s);
        return false;
    }
    ioapic = s;
    irq_add_sink(ioapic_set_irq);
    machine_add_device(m, &ioapic_device, s);
    return true;
}
