/*
 * hw/board.h — inside the board part: how machine.c builds the devices and runs the loaders,
 * and the host side of the stdio character backend. Other parts include hw/hw.h.
 */
#ifndef FERRY_BOARD_H
#define FERRY_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

/* Devices: each creates its state, claims its ports and registers with the machine.
 * false with one line on stderr on failure. */
bool uart16550_create(Machine *m, uint16_t iobase, int irq, const CharSink *sink);
bool debugexit_create(Machine *m, uint16_t iobase, uint16_t iosize);
bool debugcon_create(Machine *m, const CharSink *sink);

/* ---- legacy ISA platform (pic8259.c, pit8254.c, rtc.c, i8042.c, sysreset.c, irq.c, clock.c) */
bool pic8259_create(Machine *m);
bool pit8254_create(Machine *m);
bool rtc_create(Machine *m);
bool i8042_create(Machine *m);
bool sysreset_create(Machine *m);
bool ferr_create(Machine *m);       /* ferr.c: port 0xF0 lowers the x87 FERR# IRQ 13 */
/* The 8259 pair: the master's INT output, and the INTA cycle (vector of the highest-priority
 * request through the cascade; IRQ 7/15 spurious vectors when the request went away). */
bool pic_intr_level(void);
int pic_ack(void);
/* A keyboard scancode (set 2) from the user interface; translated to set 1 when the
 * controller's command byte asks for it. */
void i8042_key_event(uint8_t set2_byte);
/* Relative mouse motion (dx right, dy up) and buttons (bit 0 left, 1 right, 2 middle) from
 * the user interface: one PS/2 stream packet when the guest enabled data reporting. */
void i8042_mouse_event(int dx, int dy, unsigned buttons);
/* Interrupt controllers see every irq_set() through a sink registered at their creation. */
typedef void (*IrqSink)(int line, int level);
void irq_add_sink(IrqSink fn);
/* Recompute the CPU's interrupt input from the controllers (machine.c). */
void machine_update_intr(void);
/* The earliest armed timer deadline, or UINT64_MAX (the halt wait sleeps until it). */
uint64_t timers_next_deadline(void);
/* ---- end legacy ISA platform */

/* ---- APIC platform (lapic.c, ioapic.c, hpet.c, pm_timer.c) */
/* firmware_state: leave the local APIC as a BIOS does (direct kernel boot, no firmware) */
bool lapic_create(Machine *m, bool firmware_state);
bool ioapic_create(Machine *m);
bool hpet_create(Machine *m);
bool pm_timer_create(Machine *m, uint16_t port);
/* Local APIC: the vector it would hand the CPU now (IRR above PPR), or -1; the INTA cycle
 * (IRR -> ISR; the spurious vector if nothing is deliverable any more); whether the 8259's
 * output reaches INTR (APIC globally disabled, or LINT0 unmasked in ExtINT mode). */
int lapic_pending_vector(void);
int lapic_ack(void);
bool lapic_accepts_pic(void);
/* An interrupt message for the local APIC (delivery mode as in the IOAPIC/ICR encoding),
 * and whether a destination (physical ID, or logical with LDR/DFR) names it. */
void lapic_deliver(uint8_t vector, int delivery_mode, bool level);
bool lapic_dest_match(uint8_t dest, bool logical);
/* IOAPIC: end of a level-triggered interrupt broadcast by the local APIC's EOI; the
 * interrupt line wired to a pin (ISA IRQ 0 is pin 2). */
void ioapic_eoi(uint8_t vector);
int ioapic_pin_line(int pin);
/* HPET enabled in legacy replacement mode: it owns lines 0 and 8 (the PIT and the RTC
 * should then leave them alone). */
bool hpet_legacy_replacement(void);
/* ---- end APIC platform */

/* ---- disks and firmware support (piix3_ide.c, ata.c, block.c, dma8237.c) */
/* The PIIX3 IDE function at 00:01.1 with the -hda/-drive images (opened here: false with
 * one line on stderr if one cannot be used); firmware_state: BAR4 and the channel decode
 * enables as a BIOS leaves them. */
bool piix3_ide_create(Machine *m, bool firmware_state);
/* The two 8237 DMA controllers and their page registers (no ISA DMA device uses them). */
bool dma8237_create(Machine *m);
/* ---- end disks and firmware support */

/* The guest physical memory map the firmware interfaces report (Multiboot mmap, Linux
 * boot_params e820 table, fw_cfg etc/e820): machine.c owns it so they cannot disagree.
 * Entries are in address order; a zero-length entry is kept (the last one with 1 MiB of RAM). */
#define MEMMAP_USABLE   1               /* the e820/Multiboot type numbers */
#define MEMMAP_RESERVED 2
#define MEMMAP_MAX_ENTRIES 5
typedef struct MemMapEntry {
    uint64_t base, length;
    uint32_t type;                      /* MEMMAP_USABLE or MEMMAP_RESERVED */
} MemMapEntry;
/* Fills out[0..max-1]; returns the number of entries written (all of them when max is at
 * least MEMMAP_MAX_ENTRIES). */
int board_memory_map(const Machine *m, MemMapEntry *out, int max);

/* ---- firmware tables for -kernel boots (acpi.c, mptable.c, smbios.c) */
/* With no firmware, ferry writes what a PC BIOS leaves for the OS into the reserved BIOS
 * area below 1 MiB (where Linux scans for all three entry points): ACPI at 0xF0000 (RSDP
 * first), the MP table at 0xF8000, SMBIOS at 0xF9000. machine.c writes them at every boot. */
#define FW_ACPI_BASE    0xf0000ull
#define FW_ACPI_SIZE    0x8000ull
#define FW_MPTABLE_BASE 0xf8000ull
#define FW_MPTABLE_SIZE 0x1000ull
#define FW_SMBIOS_BASE  0xf9000ull
#define FW_SMBIOS_SIZE  0x1000ull
#define ACPI_RSDP_ADDR  FW_ACPI_BASE
/* Fixed resources the tables describe (the devices own them; the tables only report). */
#define BOARD_PM_BASE       0x600       /* PIIX4 PM block with -kernel (piix4_pm.c) */
#define BOARD_SCI_IRQ       9
#define BOARD_IOAPIC_ADDR   0xfec00000u
#define BOARD_LAPIC_ADDR    0xfee00000u
#define BOARD_HPET_ADDR     0xfed00000u
#define BOARD_PIRQ_GSI_BASE 16          /* PIRQ A-D reach I/O APIC inputs 16-19 */
#define BOARD_COM1_IOBASE   0x3f8
#define BOARD_COM1_IRQ      4
/* The PCI link (0 = PIRQA .. 3 = PIRQD) a slot's interrupt pin (0 = INTA) is wired to. */
int piix3_slot_pirq(int slot, int pin);
bool acpi_tables_write(const Machine *m);
bool mptable_write(const Machine *m);
bool smbios_write(const Machine *m);
/* RAM below 4 GiB, the rest starting at 4 GiB (the PCI hole, as QEMU's pc machine splits). */
uint64_t board_ram_below_4g(const Machine *m);
/* ---- end firmware tables */

/* Loaders: false with one line on stderr on failure. */
/* path NULL: Debian's SeaBIOS (DEFAULT_BIOS_PATH, from the seabios package). */
#define DEFAULT_BIOS_PATH "/usr/share/seabios/bios-256k.bin"
bool bios_load(const char *path);
/* Loads cfg->kernel (and cfg->initrd modules) and puts the CPU in the Multiboot entry state. */
bool multiboot_load(Machine *m);
/* ---- Linux boot protocol (loader_linux.c) */
/* cfg->kernel is a bzImage ("HdrS" at 0x202): machine_boot then uses linux_load. */
bool linux_is_bzimage(const char *path);
/* Loads the bzImage, -initrd and -append, builds boot_params and enters the kernel through
 * its 64-bit entry (or the 32-bit one), as the Linux x86 boot protocol describes. */
bool linux_load(Machine *m);
/* ---- end Linux boot protocol */

/* Whole file into a malloc'd buffer (at most max_size bytes, else an error); NULL with one
 * line on stderr naming what was being read. */
uint8_t *load_file(const char *path, const char *what, uint64_t max_size, uint64_t *size);

/* stdin as serial input: raw terminal mode while in use if stdin is a terminal, restored at
 * exit. charsink_input_read never blocks; charsink_input_fd is -1 once stdin hit EOF. */
void charsink_input_start(void);
int charsink_input_fd(void);
size_t charsink_input_read(uint8_t *buf, size_t max);
void charsink_input_stop(void);
/* The machine the input escapes act on (Ctrl-A x ends it). */
void charsink_input_attach(Machine *m);
/* -serial mon:stdio (ui/monitor.c sets the hook): Ctrl-A c hands stdin to the monitor and
 * back, telling the hook the new owner; while the monitor owns it the guest reads nothing
 * and the monitor reads through charsink_monitor_read (escapes still apply). */
extern void (*charsink_monitor_switch)(bool to_monitor);
size_t charsink_monitor_read(uint8_t *buf, size_t max);
/* Hand stdin to the monitor (or back) as Ctrl-A c does: the monitor takes it when the
 * machine stops for it, since a paused guest reads nothing and Ctrl-A c would go unseen */
void charsink_monitor_own(bool to_monitor);

#endif
