/*
 * hw/pci.h — inside the board part: PCI bus 0 behind configuration mechanism #1, and the
 * chipset functions on it (i440FX host bridge, PIIX3 ISA bridge, PIIX4 power management)
 * plus the QEMU fw_cfg interface that firmware finds beside them.
 *
 * A function keeps its 256-byte configuration space in its own state struct (so its
 * snapshot descriptor covers it) and tells the bus which bits the guest may write. The bus
 * does the masking, the write-1-to-clear status bits and BAR sizing; the function hears of
 * every write afterwards to act on the registers it decodes (PAM, PMBA, PIRQ routes...).
 */
#ifndef FERRY_PCI_H
#define FERRY_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"

#define PCI_CONFIG_SIZE 256
#define PCI_DEVFN(dev, fn) (((dev) << 3) | (fn))

/* standard header offsets */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_BAR_IO 0x01

/* A range of configuration bytes the guest may change: value bits set in mask are
 * writable. Each function lists its ranges in a table ending with len 0. */
typedef struct PciWritable {
    uint8_t offset;
    uint8_t len;
    uint8_t mask;
} PciWritable;

typedef struct PciFunctionInfo {
    const char *name;
    uint16_t vendor, device;
    uint8_t revision;
    uint32_t class_code;            /* class, subclass, programming interface */
    uint8_t header_type;
    const PciWritable *writable;
    /* After the guest changed bytes [offset, offset+size) of the configuration space. */
    void (*config_written)(void *opaque, unsigned offset, unsigned size);
} PciFunctionInfo;

/* The configuration-space host (0xCF8 address, 0xCFC-0xCFF data). Created first. */
bool pci_host_create(Machine *m);
/* Plug a function into bus 0 at devfn; config is its configuration space (inside its state
 * struct), opaque what config_written receives. false with a message if devfn is taken. */
bool pci_function_add(uint8_t devfn, const PciFunctionInfo *info, uint8_t *config, void *opaque);
/* A memory or I/O BAR (index 0-5) of size bytes (a power of two, at least 16 for memory and
 * 4 for I/O): the guest can write only the address bits, so writing all ones reads back
 * the size. Call after pci_function_add. */
void pci_function_add_bar(uint8_t devfn, int index, uint32_t size, bool io);
/* The standard header fields from info (ids, class, header type, subsystem 1AF4:1100 as
 * QEMU gives every function: SeaBIOS recognises QEMU by it); everything else zero. For a
 * function's reset. */
void pci_config_init(uint8_t *config, const PciFunctionInfo *info);

/* Little-endian accessors for a configuration space (offsets are the caller's constants). */
static inline uint16_t pci_get_word(const uint8_t *c, unsigned off) { return (uint16_t)(c[off] | c[off + 1] << 8); }
static inline uint32_t pci_get_long(const uint8_t *c, unsigned off)
{
    return (uint32_t)pci_get_word(c, off) | (uint32_t)pci_get_word(c, off + 2) << 16;
}
static inline void pci_set_word(uint8_t *c, unsigned off, uint16_t v) { c[off] = (uint8_t)v; c[off + 1] = (uint8_t)(v >> 8); }
static inline void pci_set_long(uint8_t *c, unsigned off, uint32_t v)
{
    pci_set_word(c, off, (uint16_t)v);
    pci_set_word(c, off + 2, (uint16_t)(v >> 16));
}

/* The chipset functions and fw_cfg. firmware_state: leave the registers as a BIOS does
 * (direct kernel boot): the PM I/O block enabled at 0x600, the PCI interrupt links routed. */
bool i440fx_create(Machine *m);
bool piix3_create(Machine *m, bool firmware_state);
bool piix4_pm_create(Machine *m, bool firmware_state);
bool fw_cfg_create(Machine *m);
/* The ISA IRQ a PCI interrupt link (PIRQA-D = 0-3) is routed to by the PIIX3, or -1. */
int piix3_pirq_irq(int pirq);

/* The ACPI PM timer (hw/pm_timer.c) as the PM function places it: at port, or off the bus
 * with port 0. */
void pm_timer_relocate(uint16_t port);

#endif
