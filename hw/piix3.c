/*
 * hw/piix3.c — the PIIX3 PCI-to-ISA bridge, 8086:7000 at 00:01.0 (function 0 of the
 * multi-function PIIX device whose IDE and power-management functions follow).
 *
 * What matters to software is the PIRQ route control (0x60-0x63, one byte per PCI
 * interrupt link A-D: bit 7 disables the route, bits 3:0 name the ISA IRQ); PCI devices ask
 * piix3_pirq_irq() where their link goes. The other bridge registers (ISA clock, X-bus,
 * top of memory, motherboard IRQ/DMA, APIC chip select, SMI) are stored with their reset
 * values and change nothing. The ELCR at 0x4D0/0x4D1 belongs to the 8259 model (pic8259.c).
 */
#include <stdlib.h>

#include "hw/board.h"
#include "hw/pci.h"

#define PIIX3_DEVFN PCI_DEVFN(1, 0)
#define PIRQ_ROUTE 0x60
#define NB_PIRQ 4
#define PIRQ_DISABLED 0x80
#define PIRQ_IRQ_MASK 0x0f

typedef struct Piix3State {
    uint8_t config[PCI_CONFIG_SIZE];
} Piix3State;

static const StateField piix3_fields[] = {
    STATE_FIELD(Piix3State, config, 1),
    STATE_END
};

/* Reset value and writable bits of the bridge's own registers (PIIX3 datasheet). */
static const struct { uint8_t offset, reset; } piix3_resets[] = {
    { 0x4c, 0x4d },     /* IORT: ISA recovery timer */
    { 0x4e, 0x03 },     /* XBCS: BIOS chip select */
    { 0x60, PIRQ_DISABLED }, { 0x61, PIRQ_DISABLED }, { 0x62, PIRQ_DISABLED }, { 0x63, PIRQ_DISABLED },
    { 0x69, 0x02 },     /* TOM: top of memory */
    { 0x70, 0x80 },     /* MBIRQ0 */
    { 0x71, 0x80 },     /* MBIRQ1 */
    { 0x76, 0x0c }, { 0x77, 0x0c },     /* MBDMA0/1 */
    { 0xa0, 0x08 },     /* SMICNTL */
    { 0xa8, 0x0f },     /* FTMR */
};

static const PciWritable piix3_writable[] = {
    { 0x4c, 1, 0xff }, { 0x4e, 2, 0xff },
    { PIRQ_ROUTE, NB_PIRQ, PIRQ_DISABLED | PIRQ_IRQ_MASK },
    { 0x69, 1, 0xfe }, { 0x6a, 2, 0xff },
    { 0x70, 2, 0xcf }, { 0x76, 2, 0x8f },
    { 0x80, 1, 0x7f }, { 0x82, 1, 0x0f },
    { 0xa0, 1, 0x1f }, { 0xa2, 2, 0xff }, { 0xa4, 4, 0xff }, { 0xa8, 1, 0xff },
    { 0xaa, 2, 0xff }, { 0xac, 1, 0xff }, { 0xae, 1, 0xff },
    { 0, 0, 0 }
};

static const PciFunctionInfo piix3_info = {
    .name = "PIIX3",
    .vendor = 0x8086, .device = 0x7000, .revision = 0x00,
    .class_code = 0x060100,         /* ISA bridge */
    .header_type = PCI_HEADER_MULTIFUNCTION,
    .writable = piix3_writable,
};

/* Where a BIOS leaves the links (SeaBIOS's choice on this machine): A, B to IRQ 10 and
 * C, D to IRQ 11. */
static const uint8_t firmware_pirq_irqs[NB_PIRQ] = { 10, 10, 11, 11 };

typedef struct Piix3 {
    Piix3State s;                   /* first: DeviceOps hands us &s */
    bool firmware_state;
} Piix3;

static Piix3 *the_piix3;

static void piix3_reset(void *state)
{
    Piix3 *p = state;
    uint8_t *c = p->s.config;
    pci_config_init(c, &piix3_info);
    pci_set_word(c, PCI_COMMAND, 0x0007);
    pci_set_word(c, PCI_STATUS, 0x0200);
    for (size_t i = 0; i < sizeof(piix3_resets) / sizeof(piix3_resets[0]); i++) {
        c[piix3_resets[i].offset] = piix3_resets[i].reset;
    }
    if (p->firmware_state) {
        for (int i = 0; i < NB_PIRQ; i++) c[PIRQ_ROUTE + i] = firmware_pirq_irqs[i];
    }
}

int piix3_pirq_irq(int pirq)
{
    if (!the_piix3 || pirq < 0 || pirq >= NB_PIRQ) return -1;
    uint8_t route = the_piix3->s.config[PIRQ_ROUTE + pirq];
    unsigned irq = route & PIRQ_IRQ_MASK;
    /* IRQs 0-2, 8 and 13 are reserved in the route registers */
    if ((route & PIRQ_DISABLED) || irq < 3 || irq == 8 || irq == 13) return -1;
    return (int)irq;
}

/* The board's swizzle, as on QEMU's pc machine: pin INTA of slot 1 is PIRQA and each
 * slot rotates by one, so the four pins of neighbouring slots spread over the links. */
int piix3_slot_pirq(int slot, int pin)
{
    return (slot + pin - 1) & (NB_PIRQ - 1);
}

static const DeviceOps piix3_device = {
    .name = "piix3",
    .version = 1,
    .fields = piix3_fields,
    .reset = piix3_reset,
};

bool piix3_create(Machine *m, bool firmware_state)
{
    Piix3 *p = calloc(1, sizeof(*p));
    if (!p) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    p->firmware_state = firmware_state;
    if (!pci_function_add(PIIX3_DEVFN, &piix3_info, p->s.config, p)) {
        free(p);
        return false;
    }
    the_piix3 = p;
    machine_add_device(m, &piix3_device, &p->s);
    return true;
}
