/*
 * hw/mptable.c — the Intel MultiProcessor Specification 1.4 tables for -kernel boots: the
 * MP floating pointer structure and the configuration table, at FW_MPTABLE_BASE in the
 * reserved BIOS area (where an OS scans for "_MP_" on 16-byte boundaries).
 *
 * An OS that reads ACPI ignores them; Linux uses them with acpi=off. They describe the same
 * board as the MADT (hw/acpi.c): the processor, buses PCI 0 and ISA 1, the I/O APIC, ISA
 * IRQs on the inputs of the same number except IRQ 0 on input 2 (IRQ 9, the SCI, level and
 * active high), PCI pins through the PIIX3 swizzle to inputs 16-19, and the local APIC's
 * LINT0 as ExtINT (the 8259) and LINT1 as NMI.
 */
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "hw/board.h"
#include "mmu/mmu.h"

#define FLOATING_SIZE 16
#define HEADER_SIZE 44
#define SPEC_REV_1_4 4
enum { ENTRY_CPU = 0, ENTRY_BUS = 1, ENTRY_IOAPIC = 2, ENTRY_IO_INT = 3, ENTRY_LOCAL_INT = 4 };
enum { INT_VECTORED = 0, INT_NMI = 1, INT_EXTINT = 3 };
#define CPU_ENABLED_BSP 0x03
#define LAPIC_VERSION 0x14
#define IOAPIC_VERSION 0x11
#define IOAPIC_ID 0
#define IOAPIC_ENABLED 0x01
/* interrupt flags: polarity bits 1:0, trigger bits 3:2 (0 = as the bus defines) */
#define FLAGS_CONFORMING 0x0
#define FLAGS_LEVEL_HIGH 0xd
#define FLAGS_LEVEL_LOW 0xf
#define BUS_PCI 0
#define BUS_ISA 1
#define NB_ISA_IRQS 16
#define NB_PCI_SLOTS 32
#define ALL_LAPICS 0xff

static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

typedef struct MpWriter {
    uint8_t *at, *end;
    unsigned count;
    bool overflow;
} MpWriter;

static uint8_t *entry(MpWriter *w, uint8_t type, size_t len)
{
    static uint8_t scratch[20];     /* absorbs writes once the area is full */
    if (w->overflow || (size_t)(w->end - w->at) < len) {
        w->overflow = true;
        return scratch;
    }
    uint8_t *e = w->at;
    memset(e, 0, len);
    e[0] = type;
    w->at += len;
    w->count++;
    return e;
}

static void interrupt(MpWriter *w, uint8_t type, uint8_t kind, uint16_t flags, uint8_t bus,
                      uint8_t bus_irq, uint8_t dest_id, uint8_t dest_pin)
{
    uint8_t *e = entry(w, type, 8);
    e[1] = kind;
    wr16(e + 2, flags);
    e[4] = bus;
    e[5] = bus_irq;
    e[6] = dest_id;
    e[7] = dest_pin;
}

bool mptable_write(const Machine *m)
{
    static uint8_t area[FW_MPTABLE_SIZE];       /* built here, then copied into guest RAM */
    memset(area, 0, sizeof(area));
    uint8_t *table = area + FLOATING_SIZE;
    MpWriter w = { table + HEADER_SIZE, area + FW_MPTABLE_SIZE, 0, false };

    uint32_t id[4];
    cpu_cpuid(m->cpu, 1, 0, id);
    uint8_t *e = entry(&w, ENTRY_CPU, 20);
    e[1] = 0;                               /* local APIC ID */
    e[2] = LAPIC_VERSION;
    e[3] = CPU_ENABLED_BSP;
    wr32(e + 4, id[0]);                     /* signature: family, model, stepping */
    wr32(e + 8, id[3]);                     /* feature flags */
    memcpy(entry(&w, ENTRY_BUS, 8) + 2, "PCI   ", 6);
    e = entry(&w, ENTRY_BUS, 8);
    e[1] = BUS_ISA;
    memcpy(e + 2, "ISA   ", 6);
    e = entry(&w, ENTRY_IOAPIC, 8);
    e[1] = IOAPIC_ID;
    e[2] = IOAPIC_VERSION;
    e[3] = IOAPIC_ENABLED;
    wr32(e + 4, BOARD_IOAPIC_ADDR);

    for (unsigned irq = 0; irq < NB_ISA_IRQS; irq++) {
        if (irq == 2) continue;             /* the cascade: input 2 carries IRQ 0 */
        uint16_t flags = irq == BOARD_SCI_IRQ ? FLAGS_LEVEL_HIGH : FLAGS_CONFORMING;
        interrupt(&w, ENTRY_IO_INT, INT_VECTORED, flags, BUS_ISA, (uint8_t)irq, IOAPIC_ID,
                  (uint8_t)(irq == 0 ? 2 : irq));
    }
    for (int slot = 1; slot < NB_PCI_SLOTS; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            /* a PCI source IRQ is the device number in bits 6:2 and the pin in bits 1:0 */
            interrupt(&w, ENTRY_IO_INT, INT_VECTORED, FLAGS_LEVEL_LOW, BUS_PCI, (uint8_t)(slot << 2 | pin),
                      IOAPIC_ID, (uint8_t)(BOARD_PIRQ_GSI_BASE + piix3_slot_pirq(slot, pin)));
        }
    }
    interrupt(&w, ENTRY_LOCAL_INT, INT_EXTINT, FLAGS_CONFORMING, BUS_ISA, 0, ALL_LAPICS, 0);
    interrupt(&w, ENTRY_LOCAL_INT, INT_NMI, FLAGS_CONFORMING, BUS_ISA, 0, ALL_LAPICS, 1);
    if (w.overflow) {
        fprintf(stderr, "ferry: internal error: the MP table does not fit its area\n");
        return false;
    }

    const uint32_t length = (uint32_t)(w.at - table);
    memcpy(table, "PCMP", 4);
    wr16(table + 4, length);
    table[6] = SPEC_REV_1_4;
    memcpy(table + 8, "FERRY   ", 8);
    memcpy(table + 16, "PC          ", 12);
    wr16(table + 34, w.count);
    wr32(table + 36, BOARD_LAPIC_ADDR);
    table[7] = checksum(table, length);

    /* the floating pointer: one paragraph, pointing at the table; feature bytes 0 (a table
     * is present; no IMCR, the 8259 reaches the CPU through LINT0 in virtual wire mode) */
    memcpy(area, "_MP_", 4);
    wr32(area + 4, (uint32_t)(FW_MPTABLE_BASE + FLOATING_SIZE));
    area[8] = 1;
    area[9] = SPEC_REV_1_4;
    area[10] = checksum(area, FLOATING_SIZE);
    phys_write(FW_MPTABLE_BASE, area, sizeof(area));
    return true;
}
