/*
 * hw/acpi.c — the ACPI tables ferry writes for -kernel boots (ACPI 6.x chapter 5): RSDP,
 * RSDT and XSDT, FADT (revision 3) with FACS and DSDT, MADT and HPET.
 *
 * They describe the board as the devices implement it: the PIIX4 PM block at 0x600 (PM1a
 * event/control, the PM timer at +8, GPE0 at +0x0C; SCI on IRQ 9; ACPI enable through the
 * APM port 0xB2), reset through 0xCF9 (value 6), one local APIC, the I/O APIC with ISA IRQ 0
 * on input 2 and the SCI level-triggered active high, the HPET, and a DSDT authored here
 * with the AML encoder (hw/acpi_aml.c): \_SB.PCI0 with its windows, the ISA devices, PCI
 * interrupt routing matching PIIX3 (PIRQ links to their ISA IRQs in PIC mode, to I/O APIC
 * inputs 16-19 in APIC mode; _PIC tells which), and _S5 with the SUS_TYP that piix4_pm.c
 * treats as soft off (0).
 *
 * Layout in the reserved BIOS area (FW_ACPI_BASE): RSDP, RSDT, XSDT, FADT, FACS (64-byte
 * aligned), MADT, HPET, DSDT. Every table's checksum makes its bytes sum to zero.
 */
#include <string.h>

#include "hw/acpi_aml.h"
#include "hw/board.h"
#include "hw/pci.h"
#include "mmu/mmu.h"

#define OEM_ID "FERRY "
#define OEM_TABLE_ID "FERRYPC "
#define CREATOR_ID "FRRY"
#define HEADER_SIZE 36
#define RSDP_SIZE 36
#define FADT_SIZE 244
#define FACS_SIZE 64
#define FADT_REVISION 3

/* FADT fields (ACPI 6.x, table 5.9) */
enum {
    FADT_FIRMWARE_CTRL = 36, FADT_DSDT = 40, FADT_SCI_INT = 46, FADT_SMI_CMD = 48,
    FADT_ACPI_ENABLE = 52, FADT_ACPI_DISABLE = 53, FADT_PM1A_EVT = 56, FADT_PM1A_CNT = 64,
    FADT_PM_TMR = 76, FADT_GPE0 = 80, FADT_PM1_EVT_LEN = 88, FADT_PM1_CNT_LEN = 89,
    FADT_PM_TMR_LEN = 91, FADT_GPE0_LEN = 92, FADT_P_LVL2_LAT = 96, FADT_P_LVL3_LAT = 98,
    FADT_CENTURY = 108, FADT_BOOT_ARCH = 109, FADT_FLAGS = 112, FADT_RESET_REG = 116,
    FADT_RESET_VALUE = 128, FADT_X_DSDT = 140,
    FADT_X_PM1A_EVT = 148, FADT_X_PM1A_CNT = 172, FADT_X_PM_TMR = 208, FADT_X_GPE0 = 220,
};
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_SLP_BUTTON (1u << 5)       /* no fixed sleep button */
#define FADT_RESET_REG_SUP (1u << 10)
#define BOOT_ARCH_LEGACY_DEVICES 0x0001u
#define BOOT_ARCH_8042 0x0002u
#define BOOT_ARCH_NO_VGA 0x0004u
#define C_STATE_UNSUPPORTED 0x0fff      /* latencies above 100/1000 us: no C2/C3 */
#define CMOS_CENTURY 0x32
#define SMI_CMD_PORT 0xb2               /* piix4_pm.c: 0xF1/0xF0 set/clear SCI_EN */
#define ACPI_ENABLE_VALUE 0xf1
#define ACPI_DISABLE_VALUE 0xf0
#define RESET_PORT 0xcf9                /* sysreset.c: bit 2 resets, bit 1 a hard reset */
#define RESET_VALUE 0x06

/* PM block offsets and lengths (piix4_pm.c) */
#define PM1_EVT_LEN 4
#define PM1_CNT_OFFSET 4
#define PM1_CNT_LEN 2
#define PM_TMR_OFFSET 8
#define PM_TMR_LEN 4
#define GPE0_OFFSET 0x0c
#define GPE0_LEN 4
#define SUS_TYP_SOFT_OFF 0

/* Generic Address Structure (ACPI 6.x, 5.2.3.2) */
enum { GAS_MEMORY = 0, GAS_IO = 1 };
enum { ACCESS_UNDEFINED = 0, ACCESS_BYTE = 1 };

/* MADT entries (5.2.12) */
enum { MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2, MADT_LAPIC_NMI = 4 };
#define MADT_PCAT_COMPAT 1u
#define MADT_ENABLED 1u
#define MPS_ACTIVE_HIGH 0x1u
#define MPS_LEVEL 0xcu
#define IOAPIC_ID 0                     /* ioapic.c's ID register after reset */
#define CPU_UID 0
#define CPU_APIC_ID 0

#define NB_PCI_SLOTS 32

typedef struct TableArea {
    uint8_t *base;                      /* the image of FW_ACPI_BASE.. */
    uint64_t used;
} TableArea;

static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v); wr32(p + 4, (uint32_t)(v >> 32)); }

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

/* Reserve len bytes (aligned) in the area; NULL when it is full. */
static uint8_t *area_alloc(TableArea *t, uint64_t len, uint64_t align, uint32_t *pa)
{
    uint64_t at = (t->used + align - 1) & ~(align - 1);
    if (at + len > FW_ACPI_SIZE) return NULL;
    t->used = at + len;
    *pa = (uint32_t)(FW_ACPI_BASE + at);
    memset(t->base + at, 0, len);
    return t->base + at;
}

/* Standard table header (5.2.6); the checksum is set by table_finish once the body is. */
static void table_header(uint8_t *t, const char *sig, uint32_t len, uint8_t revision)
{
    memcpy(t, sig, 4);
    wr32(t + 4, len);
    t[8] = revision;
    memcpy(t + 10, OEM_ID, 6);
    memcpy(t + 16, OEM_TABLE_ID, 8);
    wr32(t + 24, 1);                    /* OEM revision */
    memcpy(t + 28, CREATOR_ID, 4);
    wr32(t + 32, 1);                    /* creator revision */
}

static void table_finish(uint8_t *t)
{
    uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
    t[9] = 0;
    t[9] = checksum(t, len);
}

static void gas(uint8_t *p, uint8_t space, uint8_t bit_width, uint8_t access, uint64_t address)
{
    p[0] = space;
    p[1] = bit_width;
    p[2] = 0;
    p[3] = access;
    wr64(p + 4, address);
}

/* ---------------------------------------------------------------- DSDT */

static void named_integer(Aml *a, const char *name, uint64_t v)
{
    aml_name(a, name);
    aml_integer(a, v);
}

static void named_eisa_id(Aml *a, const char *name, const char *id)
{
    aml_name(a, name);
    aml_eisa_id(a, id);
}

/* An ISA device with a fixed _CRS: I/O ranges (base, length) and IRQs. */
typedef struct IsaDevice {
    const char *name, *hid;
    unsigned uid;
    struct { uint16_t base; uint8_t len; } io[2];
    int irq[2];                         /* -1: none */
} IsaDevice;

static const IsaDevice isa_devices[] = {
    { "PIC", "PNP0000", 0, { { 0x20, 2 }, { 0xa0, 2 } }, { 2, -1 } },
    { "TMR", "PNP0100", 0, { { 0x40, 4 }, { 0, 0 } }, { 0, -1 } },
    { "RTC", "PNP0B00", 0, { { 0x70, 2 }, { 0, 0 } }, { 8, -1 } },
    { "SPKR", "PNP0800", 0, { { 0x61, 1 }, { 0, 0 } }, { -1, -1 } },
    { "KBD", "PNP0303", 0, { { 0x60, 1 }, { 0x64, 1 } }, { 1, -1 } },
    { "MOU", "PNP0F13", 0, { { 0, 0 }, { 0, 0 } }, { 12, -1 } },
};
static const IsaDevice com1_device =
    { "COM1", "PNP0501", 1, { { BOARD_COM1_IOBASE, 8 }, { 0, 0 } }, { BOARD_COM1_IRQ, -1 } };

static void isa_device(Aml *a, const IsaDevice *d)
{
    aml_open_device(a, d->name);
    named_eisa_id(a, "_HID", d->hid);
    if (d->uid) named_integer(a, "_UID", d->uid);
    aml_name(a, "_CRS");
    aml_open_buffer(a);
    for (int i = 0; i < 2; i++) {
        if (d->io[i].len) aml_res_io(a, d->io[i].base, d->io[i].len);
    }
    for (int i = 0; i < 2; i++) {
        if (d->irq[i] >= 0) aml_res_irq(a, (unsigned)d->irq[i]);
    }
    aml_res_end(a);
    aml_close(a);
    aml_close(a);
}

/* _PRT entries for every slot's four pins: Package { slot << 16 | 0xFFFF, pin, 0, GSI }.
 * With Source 0 the last field is a global interrupt: the link's ISA IRQ in PIC mode (what
 * PIIX3's route registers hold, as a BIOS left them), input 16 + link in APIC mode. */
static void pci_routing_table(Aml *a, const char *name, bool apic_mode)
{
    aml_name(a, name);
    aml_open_package(a, (NB_PCI_SLOTS - 1) * 4);
    for (int slot = 1; slot < NB_PCI_SLOTS; slot++) {
        for (int pin = 0; pin < 4; pin++) {
            int pirq = piix3_slot_pirq(slot, pin);
            int irq = piix3_pirq_irq(pirq);
            unsigned gsi = apic_mode ? BOARD_PIRQ_GSI_BASE + (unsigned)pirq : (unsigned)(irq < 0 ? 0 : irq);
            aml_open_package(a, 4);
            aml_integer(a, ((uint64_t)slot << 16) | 0xffff);
            aml_integer(a, (uint64_t)pin);
            aml_integer(a, 0);
            aml_integer(a, gsi);
            aml_close(a);
        }
    }
    aml_close(a);
}

static void pci_root(Aml *a, const Machine *m)
{
    aml_open_device(a, "PCI0");
    named_eisa_id(a, "_HID", "PNP0A03");
    named_integer(a, "_UID", 0);
    /* bus 0, the I/O space around CONFIG_ADDRESS/DATA, the VGA window, and the memory
     * between the top of low RAM and the I/O APIC */
    aml_name(a, "_CRS");
    aml_open_buffer(a);
    aml_res_bus_numbers(a, 0, 0xff);
    aml_res_io(a, 0xcf8, 8);
    aml_res_io_window(a, 0x0000, 0x0cf7);
    aml_res_io_window(a, 0x0d00, 0xffff);
    aml_res_mem_window(a, 0xa0000, 0xbffff);
    aml_res_mem_window(a, (uint32_t)board_ram_below_4g(m), BOARD_IOAPIC_ADDR - 1);
    aml_res_end(a);
    aml_close(a);

    pci_routing_table(a, "PRTP", false);
    pci_routing_table(a, "PRTA", true);
    aml_open_method(a, "_PRT", 0, false);
    aml_open_if(a);
    aml_name_string(a, "\\PICM");
    aml_return(a);
    aml_name_string(a, "PRTA");
    aml_close(a);
    aml_return(a);
    aml_name_string(a, "PRTP");
    aml_close(a);

    aml_open_device(a, "ISA");
    named_integer(a, "_ADR", 0x00010000);       /* device 1, function 0: PIIX3 */
    for (size_t i = 0; i < sizeof(isa_devices) / sizeof(isa_devices[0]); i++) isa_device(a, &isa_devices[i]);
    if (m->cfg.serial.kind != SERIAL_NONE) isa_device(a, &com1_device);
    aml_close(a);

    aml_close(a);
}

static void build_dsdt_body(Aml *a, const Machine *m)
{
    /* \PICM: the interrupt model the OS chose through \_PIC (0 = 8259, 1 = APIC) */
    named_integer(a, "\\PICM", 0);
    aml_open_method(a, "\\_PIC", 1, false);
    aml_store(a);
    aml_arg(a, 0);
    aml_name_string(a, "\\PICM");
    aml_close(a);

    aml_open_scope(a, "\\_SB");
    aml_open_device(a, "CPU0");
    aml_name(a, "_HID");
    aml_string(a, "ACPI0007");
    named_integer(a, "_UID", CPU_UID);
    aml_close(a);
    pci_root(a, m);
    aml_open_device(a, "HPET");
    named_eisa_id(a, "_HID", "PNP0103");
    named_integer(a, "_UID", 0);
    aml_name(a, "_CRS");
    aml_open_buffer(a);
    aml_res_mem32_fixed(a, BOARD_HPET_ADDR, 0x400, false);
    aml_res_end(a);
    aml_close(a);
    aml_close(a);
    aml_close(a);

    /* soft off: SLP_TYPa/b = PIIX4's SUS_TYP for S5 */
    aml_name(a, "\\_S5");
    aml_open_package(a, 4);
    for (int i = 0; i < 4; i++) aml_integer(a, i < 2 ? SUS_TYP_SOFT_OFF : 0);
    aml_close(a);
}

static uint32_t write_dsdt(TableArea *t, const Machine *m)
{
    static Aml aml;     /* 16 KiB: off the stack */
    aml_init(&aml);
    build_dsdt_body(&aml, m);
    if (aml.failed || aml.depth != 0) {
        fprintf(stderr, "ferry: internal error: the DSDT does not fit or is unbalanced\n");
        return 0;
    }
    uint32_t pa;
    uint8_t *d = area_alloc(t, HEADER_SIZE + aml.len, 16, &pa);
    if (!d) return 0;
    table_header(d, "DSDT", (uint32_t)(HEADER_SIZE + aml.len), 2);   /* 2: 64-bit integers */
    memcpy(d + HEADER_SIZE, aml.code, aml.len);
    table_finish(d);
    return pa;
}

/* ---------------------------------------------------------------- fixed tables */

static uint32_t write_facs(TableArea *t)
{
    uint32_t pa;
    uint8_t *f = area_alloc(t, FACS_SIZE, 64, &pa);     /* must be 64-byte aligned */
    if (!f) return 0;
    memcpy(f, "FACS", 4);
    wr32(f + 4, FACS_SIZE);
    f[32] = 1;                          /* version (ACPI 2.0+ layout) */
    return pa;                          /* no checksum: the FACS has none */
}

static uint32_t write_fadt(TableArea *t, uint32_t facs, uint32_t dsdt)
{
    uint32_t pa;
    uint8_t *f = area_alloc(t, FADT_SIZE, 16, &pa);
    if (!f) return 0;
    table_header(f, "FACP", FADT_SIZE, FADT_REVISION);
    const uint32_t pm = BOARD_PM_BASE;
    wr32(f + FADT_FIRMWARE_CTRL, facs);
    wr32(f + FADT_DSDT, dsdt);
    wr16(f + FADT_SCI_INT, BOARD_SCI_IRQ);
    wr32(f + FADT_SMI_CMD, SMI_CMD_PORT);
    f[FADT_ACPI_ENABLE] = ACPI_ENABLE_VALUE;
    f[FADT_ACPI_DISABLE] = ACPI_DISABLE_VALUE;
    wr32(f + FADT_PM1A_EVT, pm);
    wr32(f + FADT_PM1A_CNT, pm + PM1_CNT_OFFSET);
    wr32(f + FADT_PM_TMR, pm + PM_TMR_OFFSET);
    wr32(f + FADT_GPE0, pm + GPE0_OFFSET);
    f[FADT_PM1_EVT_LEN] = PM1_EVT_LEN;
    f[FADT_PM1_CNT_LEN] = PM1_CNT_LEN;
    f[FADT_PM_TMR_LEN] = PM_TMR_LEN;
    f[FADT_GPE0_LEN] = GPE0_LEN;
    wr16(f + FADT_P_LVL2_LAT, C_STATE_UNSUPPORTED);
    wr16(f + FADT_P_LVL3_LAT, C_STATE_UNSUPPORTED);
    f[FADT_CENTURY] = CMOS_CENTURY;
    wr16(f + FADT_BOOT_ARCH, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042 | BOOT_ARCH_NO_VGA);
    wr32(f + FADT_FLAGS, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_RESET_REG_SUP);
    gas(f + FADT_RESET_REG, GAS_IO, 8, ACCESS_BYTE, RESET_PORT);
    f[FADT_RESET_VALUE] = RESET_VALUE;
    /* the 64-bit fields repeat the 32-bit ones (ACPICA warns when they disagree) */
    /* X_FIRMWARE_CTRL stays 0: the spec wants one of the two FACS pointers only */
    wr64(f + FADT_X_DSDT, dsdt);
    gas(f + FADT_X_PM1A_EVT, GAS_IO, 8 * PM1_EVT_LEN, ACCESS_UNDEFINED, pm);
    gas(f + FADT_X_PM1A_CNT, GAS_IO, 8 * PM1_CNT_LEN, ACCESS_UNDEFINED, pm + PM1_CNT_OFFSET);
    gas(f + FADT_X_PM_TMR, GAS_IO, 8 * PM_TMR_LEN, ACCESS_UNDEFINED, pm + PM_TMR_OFFSET);
    gas(f + FADT_X_GPE0, GAS_IO, 8 * GPE0_LEN, ACCESS_UNDEFINED, pm + GPE0_OFFSET);
    table_finish(f);
    return pa;
}

static uint8_t *madt_entry(uint8_t **at, uint8_t type, uint8_t len)
{
    uint8_t *e = *at;
    e[0] = type;
    e[1] = len;
    *at += len;
    return e;
}

static void madt_override(uint8_t **at, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = madt_entry(at, MADT_ISO, 10);
    e[2] = 0;                           /* ISA */
    e[3] = irq;
    wr32(e + 4, gsi);
    wr16(e + 8, flags);
}

static uint32_t write_madt(TableArea *t)
{
    enum { MADT_SIZE = 44 + 8 + 12 + 2 * 10 + 6 };
    uint32_t pa;
    uint8_t *m = area_alloc(t, MADT_SIZE, 16, &pa);
    if (!m) return 0;
    table_header(m, "APIC", MADT_SIZE, 3);
    wr32(m + 36, BOARD_LAPIC_ADDR);
    wr32(m + 40, MADT_PCAT_COMPAT);     /* the 8259s are there too */
    uint8_t *at = m + 44;
    uint8_t *e = madt_entry(&at, MADT_LAPIC, 8);
    e[2] = CPU_UID;
    e[3] = CPU_APIC_ID;
    wr32(e + 4, MADT_ENABLED);
    e = madt_entry(&at, MADT_IOAPIC, 12);
    e[2] = IOAPIC_ID;
    wr32(e + 4, BOARD_IOAPIC_ADDR);
    wr32(e + 8, 0);                     /* its inputs are GSIs 0-23 */
    madt_override(&at, 0, 2, 0);        /* the PIT on input 2, ISA conforming (edge, high) */
    madt_override(&at, BOARD_SCI_IRQ, BOARD_SCI_IRQ, MPS_ACTIVE_HIGH | MPS_LEVEL);
    e = madt_entry(&at, MADT_LAPIC_NMI, 6);
    e[2] = 0xff;                        /* every processor */
    wr16(e + 3, 0);
    e[5] = 1;                           /* LINT1 */
    table_finish(m);
    return pa;
}

static uint32_t write_hpet(TableArea *t)
{
    enum { HPET_TABLE_SIZE = 56 };
    uint32_t pa;
    uint8_t *h = area_alloc(t, HPET_TABLE_SIZE, 16, &pa);
    if (!h) return 0;
    table_header(h, "HPET", HPET_TABLE_SIZE, 1);
    /* the event timer block ID is the low half of the capabilities register: read from
     * the device, so the table cannot disagree with it */
    uint8_t caps[4];
    phys_read(BOARD_HPET_ADDR, caps, 4);
    memcpy(h + 36, caps, 4);
    gas(h + 40, GAS_MEMORY, 64, ACCESS_UNDEFINED, BOARD_HPET_ADDR);
    h[52] = 0;                          /* HPET number */
    wr16(h + 53, 128);                  /* minimum periodic tick, in counter ticks */
    h[55] = 0;                          /* no page protection */
    table_finish(h);
    return pa;
}

/* RSDT (32-bit entries) or XSDT (64-bit) listing the tables. */
static uint32_t write_sdt(TableArea *t, const char *sig, unsigned entry_size, const uint32_t *tables, unsigned n)
{
    uint32_t pa, len = HEADER_SIZE + entry_size * n;
    uint8_t *s = area_alloc(t, len, 16, &pa);
    if (!s) return 0;
    table_header(s, sig, len, 1);
    for (unsigned i = 0; i < n; i++) {
        if (entry_size == 8) {
            wr64(s + HEADER_SIZE + 8 * i, tables[i]);
        } else {
            wr32(s + HEADER_SIZE + 4 * i, tables[i]);
        }
    }
    table_finish(s);
    return pa;
}

bool acpi_tables_write(const Machine *m)
{
    static uint8_t image[FW_ACPI_SIZE];     /* built here, then copied into guest RAM */
    TableArea t = { image, 0 };
    uint32_t rsdp_pa;
    uint8_t *rsdp = area_alloc(&t, RSDP_SIZE, 16, &rsdp_pa);
    uint32_t dsdt = write_dsdt(&t, m);
    uint32_t facs = write_facs(&t);
    uint32_t fadt = write_fadt(&t, facs, dsdt);
    uint32_t listed[] = { fadt, write_madt(&t), write_hpet(&t) };
    const unsigned n = sizeof(listed) / sizeof(listed[0]);
    uint32_t rsdt = write_sdt(&t, "RSDT", 4, listed, n);
    uint32_t xsdt = write_sdt(&t, "XSDT", 8, listed, n);
    bool all = rsdp && dsdt && facs && rsdt && xsdt;
    for (unsigned i = 0; i < n; i++) all = all && listed[i];
    if (!all) {
        fprintf(stderr, "ferry: internal error: the ACPI tables do not fit their area\n");
        return false;
    }
    /* RSDP (5.2.5.3): ACPI 2.0+, the first checksum over the ACPI 1.0 part */
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, OEM_ID, 6);
    rsdp[15] = 2;
    wr32(rsdp + 16, rsdt);
    wr32(rsdp + 20, RSDP_SIZE);
    wr64(rsdp + 24, xsdt);
    rsdp[8] = checksum(rsdp, 20);
    rsdp[32] = checksum(rsdp, RSDP_SIZE);
    phys_write(FW_ACPI_BASE, image, t.used);
    return true;
}
