/*
 * hw/piix4_pm.c — the PIIX4 power-management function, 8086:7113 at 00:01.3: the ACPI
 * register block the guest places with PMBA (config 0x40, 64 bytes, enabled by PMREGMISC
 * bit 0 at config 0x80), the SCI on IRQ 9, and the APM control/status ports 0xB2/0xB3.
 *
 * PM block (offsets from PMBA): 0x00 PM1a status (write 1 to clear), 0x02 PM1a enable,
 * 0x04 PM1a control (SCI_EN; SUS_TYP in bits 12:10 with SUS_EN bit 13: SUS_TYP 0 is soft
 * off, which powers the machine off, ferry then exits 0 as QEMU does), 0x08 the PM timer
 * (hw/pm_timer.c, moved here), 0x0C/0x0E general-purpose status/enable, 0x10 processor
 * control, 0x18-0x34 global/device status, enables and control. The SCI is level-triggered
 * on IRQ 9: SCI_EN and any status bit whose enable is set.
 *
 * Not modelled: the timer-overflow status (TMROF_STS never sets: it needs an event every
 * 2^23 timer ticks and no guest we run enables it), the power button, sleep states other
 * than soft off (the machine "wakes" at once: WAK_STS is set and execution goes on), C2/C3
 * (P_LVL2/3 reads return 0 without stopping anything), SMI generation and the SMBus
 * controller (SMBBA at 0x90 is stored only). There is no SMM, so config 0x5B resets to 0x02
 * (APMC_EN) as QEMU does with SMM off: SeaBIOS then skips its SMM set-up, which would wait
 * forever for an SMI handler. An APM command 0xF1/0xF0 on 0xB2 sets/clears SCI_EN, which is
 * what the firmware's SMI handler does on a PC (QEMU does the same without SMM).
 */
#include <stdlib.h>

#include "hw/board.h"
#include "hw/pci.h"
#include "mmu/mmu.h"

#define PIIX4_PM_DEVFN PCI_DEVFN(1, 3)
#define PMBA 0x40
#define PMBA_ADDRESS_MASK 0xffc0u
#define PMBA_IO 0x01
#define DEVACTB_HIGH 0x5b
#define DEVACTB_APMC_EN 0x02        /* bit 25 of DEVACTB */
#define PMREGMISC 0x80
#define PMIOSE 0x01
#define SMBBA 0x90
#define FIRMWARE_PMBA 0x600         /* where SeaBIOS puts it on QEMU's pc machine */
#define SCI_IRQ 9

#define PM_BLOCK_SIZE 64
#define PM_TIMER_OFFSET 8
#define PM_TIMER_SIZE 4
#define PM1_STS 0x00
#define PM1_EN 0x02
#define PM1_CNT 0x04
#define GP_STS 0x0c
#define GP_EN 0x0e

#define PM1_EVENTS 0x0521u          /* TMROF, GBL, PWRBTN, RTC: status and enable bits */
#define PM1_WAK_STS 0x8000u
#define PM1_CNT_SCI_EN 0x0001u
#define PM1_CNT_SUS_TYP_SHIFT 10
#define PM1_CNT_SUS_TYP_MASK 0x7u
#define PM1_CNT_SUS_EN 0x2000u
#define SUS_TYP_SOFT_OFF 0

#define APM_PORT 0xb2
#define APM_ACPI_ENABLE 0xf1
#define APM_ACPI_DISABLE 0xf0

typedef struct Piix4PmState {
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t pm_io[PM_BLOCK_SIZE];       /* the PM block's registers, little-endian */
    uint8_t apm_control, apm_status;
    uint8_t sci_level;
} Piix4PmState;

static const StateField piix4_pm_fields[] = {
    STATE_FIELD(Piix4PmState, config, 1),
    STATE_FIELD(Piix4PmState, pm_io, 1),
    STATE_FIELD(Piix4PmState, apm_control, 1),
    STATE_FIELD(Piix4PmState, apm_status, 1),
    STATE_FIELD(Piix4PmState, sci_level, 1),
    STATE_END
};

static const PciWritable piix4_pm_writable[] = {
    { PCI_INTERRUPT_LINE, 1, 0xff },
    { PMBA, 1, 0xc0 }, { PMBA + 1, 1, 0xff },
    { 0x44, 0x3c, 0xff },           /* CNTA/B, GPICTL, device activity and resource regs */
    { PMREGMISC, 1, PMIOSE },
    { SMBBA, 1, 0xf0 }, { SMBBA + 1, 1, 0xff },
    { 0xd2, 1, 0x0f },              /* SMBus host configuration */
    { 0, 0, 0 }
};

static void piix4_pm_config_written(void *opaque, unsigned offset, unsigned size);

static const PciFunctionInfo piix4_pm_info = {
    .name = "PIIX4 PM",
    .vendor = 0x8086, .device = 0x7113, .revision = 0x03,
    .class_code = 0x068000,         /* other bridge */
    .header_type = 0x00,
    .writable = piix4_pm_writable,
    .config_written = piix4_pm_config_written,
};

/* Bits of the PM block the guest can set (rw) and clear by writing ones (w1c), as
 * (offset, length, mask) ranges. */
static const PciWritable pm_io_rw[] = {
    { PM1_EN, 1, 0x21 }, { PM1_EN + 1, 1, 0x05 },
    { PM1_CNT, 1, 0x07 }, { PM1_CNT + 1, 1, 0x1c },     /* SCI_EN..GBL_RLS, SUS_TYP */
    { GP_EN, 2, 0xff }, { 0x10, 4, 0xff },
    { 0x20, 2, 0xff }, { 0x28, 8, 0xff }, { 0x34, 4, 0xff },
    { 0, 0, 0 }
};
static const PciWritable pm_io_w1c[] = {
    { PM1_STS, 1, 0x31 }, { PM1_STS + 1, 1, 0x85 },
    { GP_STS, 2, 0xff }, { 0x18, 2, 0xff }, { 0x1c, 4, 0xff },
    { 0, 0, 0 }
};

typedef struct Piix4Pm {
    Piix4PmState s;                 /* first: DeviceOps hands us &s */
    Machine *machine;
    bool firmware_state;
    uint16_t mapped_base;           /* where the PM block is on the bus; 0 = nowhere */
    uint8_t rw_mask[PM_BLOCK_SIZE], w1c_mask[PM_BLOCK_SIZE];
} Piix4Pm;

static uint16_t pm_word(const Piix4PmState *s, unsigned off)
{
    return (uint16_t)(s->pm_io[off] | s->pm_io[off + 1] << 8);
}

static void update_sci(Piix4Pm *p)
{
    const Piix4PmState *s = &p->s;
    bool pending = (pm_word(s, PM1_STS) & pm_word(s, PM1_EN) & PM1_EVENTS) ||
                   (pm_word(s, GP_STS) & pm_word(s, GP_EN));
    uint8_t level = (pm_word(s, PM1_CNT) & PM1_CNT_SCI_EN) && pending;
    if (level != s->sci_level) {
        p->s.sci_level = level;
        irq_set(SCI_IRQ, level);
    }
}

static void sleep_requested(Piix4Pm *p)
{
    unsigned type = (pm_word(&p->s, PM1_CNT) >> PM1_CNT_SUS_TYP_SHIFT) & PM1_CNT_SUS_TYP_MASK;
    if (type == SUS_TYP_SOFT_OFF) {
        machine_request_exit(p->machine, 0);
        return;
    }
    p->s.pm_io[PM1_STS + 1] |= PM1_WAK_STS >> 8;    /* no suspend: awake again at once */
}

static uint64_t pm_io_read(Piix4Pm *p, unsigned offset, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && offset + i < PM_BLOCK_SIZE; i++) {
        v |= (uint32_t)p->s.pm_io[offset + i] << (8 * i);
    }
    return v;
}

static void pm_io_write(Piix4Pm *p, unsigned offset, uint64_t value, unsigned size)
{
    bool sleep = false;
    for (unsigned i = 0; i < size && offset + i < PM_BLOCK_SIZE; i++) {
        unsigned at = offset + i;
        uint8_t byte = (uint8_t)(value >> (8 * i));
        p->s.pm_io[at] = (uint8_t)((p->s.pm_io[at] & ~p->rw_mask[at]) | (byte & p->rw_mask[at]));
        p->s.pm_io[at] &= (uint8_t)~(byte & p->w1c_mask[at]);
        if (at == PM1_CNT + 1 && (byte & (PM1_CNT_SUS_EN >> 8))) sleep = true;
    }
    if (sleep) sleep_requested(p);
    update_sci(p);
}

/* The block is two port regions around the PM timer's four ports. */
static uint64_t pm_low_read(void *opaque, uint64_t offset, unsigned size)
{
    return pm_io_read(opaque, (unsigned)offset, size);
}
static void pm_low_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    pm_io_write(opaque, (unsigned)offset, value, size);
}
static uint64_t pm_high_read(void *opaque, uint64_t offset, unsigned size)
{
    return pm_io_read(opaque, (unsigned)offset + PM_TIMER_OFFSET + PM_TIMER_SIZE, size);
}
static void pm_high_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    pm_io_write(opaque, (unsigned)offset + PM_TIMER_OFFSET + PM_TIMER_SIZE, value, size);
}

static const MemOps pm_low_ops = { pm_low_read, pm_low_write };
static const MemOps pm_high_ops = { pm_high_read, pm_high_write };

static void pm_block_unmap(Piix4Pm *p)
{
    if (!p->mapped_base) return;
    port_unregister(p->mapped_base, &pm_low_ops, p);
    port_unregister(p->mapped_base + PM_TIMER_OFFSET + PM_TIMER_SIZE, &pm_high_ops, p);
    pm_timer_relocate(0);
    p->mapped_base = 0;
}

/* Put the PM block where PMBA and PMIOSE say. A base the guest points at ports someone else
 * owns (or at 0) decodes nothing, as two devices fighting over a port would not work either. */
static void pm_block_update(Piix4Pm *p)
{
    uint16_t base = pci_get_word(p->s.config, PMBA) & PMBA_ADDRESS_MASK;
    if (!(p->s.config[PMREGMISC] & PMIOSE)) base = 0;
    if (base == p->mapped_base) return;
    pm_block_unmap(p);
    if (!base) return;
    uint16_t high = base + PM_TIMER_OFFSET + PM_TIMER_SIZE;
    if (!port_register(base, PM_TIMER_OFFSET, &pm_low_ops, p)) return;
    if (!port_register(high, PM_BLOCK_SIZE - PM_TIMER_OFFSET - PM_TIMER_SIZE, &pm_high_ops, p)) {
        port_unregister(base, &pm_low_ops, p);
        return;
    }
    p->mapped_base = base;
    pm_timer_relocate(base + PM_TIMER_OFFSET);
}

static void piix4_pm_config_written(void *opaque, unsigned offset, unsigned size)
{
    pm_block_update(opaque);
}

static uint64_t apm_read(void *opaque, uint64_t offset, unsigned size)
{
    Piix4Pm *p = opaque;
    return offset ? p->s.apm_status : p->s.apm_control;
}

static void apm_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Piix4Pm *p = opaque;
    if (offset) {
        p->s.apm_status = (uint8_t)value;
        return;
    }
    p->s.apm_control = (uint8_t)value;
    if (value == APM_ACPI_ENABLE) p->s.pm_io[PM1_CNT] |= PM1_CNT_SCI_EN;
    if (value == APM_ACPI_DISABLE) p->s.pm_io[PM1_CNT] &= (uint8_t)~PM1_CNT_SCI_EN;
    update_sci(p);
}

static const MemOps apm_ops = { apm_read, apm_write };

static void piix4_pm_reset(void *state)
{
    Piix4Pm *p = state;
    uint8_t *c = p->s.config;
    pci_config_init(c, &piix4_pm_info);
    pci_set_word(c, PCI_STATUS, 0x0280);
    c[PCI_INTERRUPT_PIN] = 1;
    pci_set_long(c, PMBA, PMBA_IO);
    pci_set_long(c, SMBBA, PMBA_IO);
    c[DEVACTB_HIGH] = DEVACTB_APMC_EN;
    if (p->firmware_state) {
        pci_set_long(c, PMBA, FIRMWARE_PMBA | PMBA_IO);
        c[PMREGMISC] = PMIOSE;
        c[PCI_INTERRUPT_LINE] = SCI_IRQ;
    }
    for (unsigned i = 0; i < PM_BLOCK_SIZE; i++) p->s.pm_io[i] = 0;
    p->s.apm_control = p->s.apm_status = 0;
    if (p->s.sci_level) irq_set(SCI_IRQ, 0);
    p->s.sci_level = 0;
    pm_block_update(p);
}

/* snapshot/: the PM I/O block (and its PM timer) decodes where the restored PMBA says */
static void piix4_pm_post_load(void *state)
{
    pm_block_update(state);
}

static const DeviceOps piix4_pm_device = {
    .name = "piix4-pm",
    .version = 1,
    .fields = piix4_pm_fields,
    .reset = piix4_pm_reset,
    .post_load = piix4_pm_post_load,
};

static void expand_masks(uint8_t *mask, const PciWritable *ranges)
{
    for (const PciWritable *r = ranges; r->len; r++) {
        for (unsigned i = r->offset; i < (unsigned)r->offset + r->len && i < PM_BLOCK_SIZE; i++) {
            mask[i] = r->mask;
        }
    }
}

bool piix4_pm_create(Machine *m, bool firmware_state)
{
    Piix4Pm *p = calloc(1, sizeof(*p));
    if (!p) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    p->machine = m;
    p->firmware_state = firmware_state;
    expand_masks(p->rw_mask, pm_io_rw);
    expand_masks(p->w1c_mask, pm_io_w1c);
    if (!port_register(APM_PORT, 2, &apm_ops, p)) {
        fprintf(stderr, "ferry: APM ports 0xb2/0xb3 already in use\n");
        free(p);
        return false;
    }
    /* the APM ports stay claimed on failure: the machine is not built then */
    if (!pci_function_add(PIIX4_PM_DEVFN, &piix4_pm_info, p->s.config, p)) return false;
    pm_timer_relocate(0);           /* the PM block places it from now on (see reset) */
    machine_add_device(m, &piix4_pm_device, &p->s);
    return true;
}
