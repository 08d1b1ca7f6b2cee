/*
 * hw/pci.c — PCI bus 0 behind configuration mechanism #1: CONFIG_ADDRESS is the dword at
 * 0xCF8 (bit 31 enable, bits 23:16 bus, 15:8 device/function, 7:2 register), CONFIG_DATA
 * the four bytes at 0xCFC-0xCFF, any of which reaches the byte (register + port - 0xCFC).
 * Byte and word accesses to 0xCF8-0xCFB are not CONFIG_ADDRESS (0xCF9 is the reset
 * control register), so CONFIG_ADDRESS claims dword accesses only.
 *
 * Only bus 0 exists; an absent function, another bus or a disabled CONFIG_ADDRESS reads all
 * ones (so its vendor ID is 0xFFFF) and drops writes. Writes keep the read-only bits of every
 * byte (each function's writable table), clear the status register's write-1-to-clear bits,
 * and then tell the function what changed.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "hw/pci.h"
#include "mmu/mmu.h"

#define CONFIG_ADDRESS_PORT 0xcf8
#define CONFIG_DATA_PORT 0xcfc
#define CONFIG_ENABLE 0x80000000u
#define CONFIG_ADDRESS_MASK 0x80fffffcu     /* bits 30:24 and 1:0 are reserved (read 0) */

/* Status bits 15:11 and 8 (parity, aborts, SERR) are cleared by writing ones. */
#define STATUS_W1C_HIGH 0xf9u
#define STATUS_W1C_LOW 0x00u

#define NB_DEVFN 256

typedef struct PciHostState {
    uint32_t config_address;
} PciHostState;

static const StateField pci_host_fields[] = {
    STATE_FIELD(PciHostState, config_address, 1),
    STATE_END
};

/* Host side of a plugged function: where its configuration space lives and what the guest
 * may change in it. */
typedef struct PciSlot {
    const PciFunctionInfo *info;
    uint8_t *config;
    void *opaque;
    uint8_t wmask[PCI_CONFIG_SIZE];
} PciSlot;

static PciHostState pci_host;
static PciSlot *slots[NB_DEVFN];

static PciSlot *addressed_slot(void)
{
    uint32_t a = pci_host.config_address;
    if (!(a & CONFIG_ENABLE) || ((a >> 16) & 0xff) != 0) return NULL;
    return slots[(a >> 8) & 0xff];
}

static uint64_t config_address_read(void *opaque, uint64_t offset, unsigned size)
{
    return pci_host.config_address;
}

static void config_address_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    pci_host.config_address = (uint32_t)value & CONFIG_ADDRESS_MASK;
}

static uint64_t config_data_read(void *opaque, uint64_t offset, unsigned size)
{
    const PciSlot *s = addressed_slot();
    if (!s) return 0xffffffffu;
    unsigned reg = (pci_host.config_address & 0xfc) + (unsigned)offset;
    uint32_t v = 0;
    /* the port layer keeps offset + size within the four data ports, so reg + i < 256 */
    for (unsigned i = 0; i < size; i++) v |= (uint32_t)s->config[reg + i] << (8 * i);
    return v;
}

static void config_data_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PciSlot *s = addressed_slot();
    if (!s) return;
    unsigned reg = (pci_host.config_address & 0xfc) + (unsigned)offset;
    for (unsigned i = 0; i < size; i++) {
        unsigned at = reg + i;
        uint8_t byte = (uint8_t)(value >> (8 * i));
        uint8_t w1c = at == PCI_STATUS ? STATUS_W1C_LOW : at == PCI_STATUS + 1 ? STATUS_W1C_HIGH : 0;
        s->config[at] = (uint8_t)((s->config[at] & ~s->wmask[at]) | (byte & s->wmask[at]));
        s->config[at] &= (uint8_t)~(byte & w1c);
    }
    if (s->info->config_written) s->info->config_written(s->opaque, reg, size);
}

static const MemOps config_address_ops = { config_address_read, config_address_write };
static const MemOps config_data_ops = { config_data_read, config_data_write };

static void pci_host_reset(void *state)
{
    memset(state, 0, sizeof(PciHostState));
}

static const DeviceOps pci_host_device = {
    .name = "pci-host",
    .version = 1,
    .fields = pci_host_fields,
    .reset = pci_host_reset,
};

bool pci_host_create(Machine *m)
{
    if (!port_register_exact(CONFIG_ADDRESS_PORT, 4, &config_address_ops, NULL) ||
        !port_register(CONFIG_DATA_PORT, 4, &config_data_ops, NULL)) {
        fprintf(stderr, "ferry: PCI configuration ports 0xcf8/0xcfc already in use\n");
        return false;
    }
    machine_add_device(m, &pci_host_device, &pci_host);
    return true;
}

bool pci_function_add(uint8_t devfn, const PciFunctionInfo *info, uint8_t *config, void *opaque)
{
    if (slots[devfn]) {
        fprintf(stderr, "ferry: PCI %02x.%x is taken (%s)\n", devfn >> 3, devfn & 7, info->name);
        return false;
    }
    PciSlot *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    *s = (PciSlot){ .info = info, .config = config, .opaque = opaque };
    /* every function decodes I/O, memory and bus mastering enables in its command register */
    s->wmask[PCI_COMMAND] = 0x07;
    for (const PciWritable *w = info->writable; w && w->len; w++) {
        for (unsigned i = w->offset; i < (unsigned)w->offset + w->len && i < PCI_CONFIG_SIZE; i++) {
            s->wmask[i] = w->mask;
        }
    }
    slots[devfn] = s;
    return true;
}

void pci_function_add_bar(uint8_t devfn, int index, uint32_t size, bool io)
{
    PciSlot *s = slots[devfn];
    if (!s || index < 0 || index > 5) return;
    uint32_t mask = ~(size - 1) & (io ? ~3u : ~15u);
    pci_set_long(s->wmask, PCI_BAR0 + 4 * (unsigned)index, mask);
}

void pci_config_init(uint8_t *config, const PciFunctionInfo *info)
{
    memset(config, 0, PCI_CONFIG_SIZE);
    pci_set_word(config, PCI_VENDOR_ID, info->vendor);
    pci_set_word(config, PCI_DEVICE_ID, info->device);
    config[PCI_REVISION] = info->revision;
    config[PCI_CLASS_PROG] = (uint8_t)info->class_code;
    pci_set_word(config, PCI_CLASS_PROG + 1, (uint16_t)(info->class_code >> 8));
    config[PCI_HEADER_TYPE] = info->header_type;
    pci_set_word(config, PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(config, PCI_SUBSYSTEM_ID, 0x1100);
}
