/*
 * hw/piix3_ide.c — the PIIX3 IDE function, 8086:7010 at 00:01.1, in compatibility mode:
 * the primary channel at 0x1F0-0x1F7 / 0x3F6 on IRQ 14, the secondary at 0x170-0x177 /
 * 0x376 on IRQ 15 (programming interface 0x80: legacy only, bus master capable), and the
 * bus-master IDE registers in the 16-byte I/O BAR4 (primary at +0, secondary at +8),
 * decoded where the guest puts the BAR while I/O space is enabled. The IDE timing
 * registers 0x40-0x4B are plain storage (Linux's ata_piix reads the decode-enable bits
 * 0x41/0x43 bit 7 to decide whether a channel exists). The ATA devices are hw/ata.c's.
 */
#include <stdlib.h>

#include "hw/ata.h"
#include "hw/board.h"
#include "hw/pci.h"
#include "mmu/mmu.h"

#define IDE_DEVFN PCI_DEVFN(1, 1)
#define BAR4 (PCI_BAR0 + 16)
#define BM_SIZE 16
#define BM_CHANNEL_STRIDE 8
#define IDETIM 0x40
#define IDETIM_DECODE_ENABLE 0x8000
#define CMD_IO 0x01
#define CMD_BUS_MASTER 0x04
#define FIRMWARE_BM_BASE 0xc000     /* where SeaBIOS puts BAR4 on this machine */

static const struct { uint16_t cmd, ctrl; int irq; } channel_ports[2] = {
    { 0x1f0, 0x3f6, 14 },
    { 0x170, 0x376, 15 },
};

typedef struct PiixIdeState {
    uint8_t config[PCI_CONFIG_SIZE];
} PiixIdeState;

static const StateField piix_ide_fields[] = {
    STATE_FIELD(PiixIdeState, config, 1),
    STATE_END
};

typedef struct PiixIde {
    PiixIdeState s;                 /* first: DeviceOps hands us &s */
    AtaChannel channel[2];
    bool firmware_state;
    uint16_t bm_base;               /* where BAR4 is decoded now, 0 = nowhere */
} PiixIde;

static const PciWritable piix_ide_writable[] = {
    { IDETIM, 12, 0xff },           /* IDETIM, SIDETIM, UDMA control and timing */
    { 0, 0, 0 }
};

static void piix_ide_config_written(void *opaque, unsigned offset, unsigned size);

static const PciFunctionInfo piix_ide_info = {
    .name = "PIIX3 IDE",
    .vendor = 0x8086, .device = 0x7010, .revision = 0x00,
    .class_code = 0x010180,         /* IDE controller, legacy mode, bus master */
    .header_type = 0x00,
    .writable = piix_ide_writable,
    .config_written = piix_ide_config_written,
};

/* ---------------------------------------------------------------- port handlers */

static uint64_t cmd_read(void *opaque, uint64_t offset, unsigned size)
{
    return ata_cmd_read(opaque, (unsigned)offset, size);
}

static void cmd_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ata_cmd_write(opaque, (unsigned)offset, (uint32_t)value, size);
}

static uint64_t ctrl_read(void *opaque, uint64_t offset, unsigned size)
{
    return ata_altstatus_read(opaque);
}

static void ctrl_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    ata_control_write(opaque, (uint8_t)value);
}

static uint64_t bm_read(void *opaque, uint64_t offset, unsigned size)
{
    PiixIde *d = opaque;
    unsigned ch = (unsigned)offset / BM_CHANNEL_STRIDE;
    return ata_bm_read(&d->channel[ch], (unsigned)offset % BM_CHANNEL_STRIDE, size);
}

static void bm_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PiixIde *d = opaque;
    unsigned ch = (unsigned)offset / BM_CHANNEL_STRIDE;
    ata_bm_write(&d->channel[ch], (unsigned)offset % BM_CHANNEL_STRIDE, (uint32_t)value, size);
}

static const MemOps cmd_ops = { cmd_read, cmd_write };
static const MemOps ctrl_ops = { ctrl_read, ctrl_write };
static const MemOps bm_ops = { bm_read, bm_write };

/* ---------------------------------------------------------------- configuration */

/* Decode BAR4 where the guest placed it, if I/O space is enabled. */
static void bm_remap(PiixIde *d)
{
    const uint8_t *c = d->s.config;
    uint32_t bar = pci_get_long(c, BAR4) & ~3u;
    uint16_t base = (pci_get_word(c, PCI_COMMAND) & CMD_IO) && bar && bar <= 0x10000 - BM_SIZE
                    ? (uint16_t)bar : 0;
    if (base == d->bm_base) return;
    if (d->bm_base) port_unregister(d->bm_base, &bm_ops, d);
    d->bm_base = 0;
    if (base && port_register(base, BM_SIZE, &bm_ops, d)) d->bm_base = base;
}

static void piix_ide_config_written(void *opaque, unsigned offset, unsigned size)
{
    bm_remap(opaque);
}

static void piix_ide_reset(void *state)
{
    PiixIde *d = state;
    uint8_t *c = d->s.config;
    pci_config_init(c, &piix_ide_info);
    pci_set_word(c, PCI_STATUS, 0x0280);
    pci_set_long(c, BAR4, PCI_BAR_IO);
    if (d->firmware_state) {
        /* as a BIOS leaves it: both channels decoded, bus master registers at 0xC000 */
        pci_set_word(c, PCI_COMMAND, CMD_IO | CMD_BUS_MASTER);
        pci_set_long(c, BAR4, FIRMWARE_BM_BASE | PCI_BAR_IO);
        pci_set_word(c, IDETIM, IDETIM_DECODE_ENABLE);
        pci_set_word(c, IDETIM + 2, IDETIM_DECODE_ENABLE);
    }
    for (unsigned i = 0; i < 2; i++) ata_channel_reset(&d->channel[i]);
    bm_remap(d);
}

/* snapshot/: the bus-master registers decode where the restored BAR4 says */
static void piix_ide_post_load(void *state)
{
    bm_remap(state);
}

static const DeviceOps piix_ide_device = {
    .name = "piix3-ide",
    .version = 1,
    .fields = piix_ide_fields,
    .reset = piix_ide_reset,
    .post_load = piix_ide_post_load,
};

static const DeviceOps ata_channel_device = {
    .name = "ata-channel",
    .version = 1,
    .fields = ata_channel_fields,
};

bool piix3_ide_create(Machine *m, bool firmware_state)
{
    const MachineConfig *cfg = &m->cfg;
    BlockDev *disks[MAX_IDE_DRIVES] = { NULL };
    for (int i = 0; i < MAX_IDE_DRIVES; i++) {
        if (!cfg->ide[i].file) continue;
        disks[i] = block_open(cfg->ide[i].file, cfg->ide[i].readonly, cfg->snapshot);
        if (!disks[i]) return false;
    }
    PiixIde *d = calloc(1, sizeof(*d));
    if (!d) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    d->firmware_state = firmware_state;
    for (unsigned i = 0; i < 2; i++) {
        ata_channel_init(&d->channel[i], i, channel_ports[i].irq, disks[2 * i], disks[2 * i + 1]);
        if (!port_register(channel_ports[i].cmd, 8, &cmd_ops, &d->channel[i]) ||
            !port_register(channel_ports[i].ctrl, 1, &ctrl_ops, &d->channel[i])) {
            fprintf(stderr, "ferry: IDE ports 0x%x/0x%x already in use\n",
                    channel_ports[i].cmd, channel_ports[i].ctrl);
            return false;
        }
    }
    if (!pci_function_add(IDE_DEVFN, &piix_ide_info, d->s.config, d)) return false;
    pci_function_add_bar(IDE_DEVFN, 4, BM_SIZE, true);
    machine_add_device(m, &piix_ide_device, &d->s);
    /* the channels reset with the function; they are listed for their state only */
    for (unsigned i = 0; i < 2; i++) machine_add_device(m, &ata_channel_device, &d->channel[i].s);
    return true;
}
