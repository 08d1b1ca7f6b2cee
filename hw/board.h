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
/* The 8259 pair: the master's INT output, and the INTA cycle (vector of the highest-priority
 * request through the cascade; IRQ 7/15 spurious vectors when the request went away). */
bool pic_intr_level(void);
int pic_ack(void);
/* A keyboard scancode (set 2) from the user interface; translated to set 1 when the
 * controller's command byte asks for it. */
void i8042_key_event(uint8_t set2_byte);
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

/* The guest physical memory map the firmware interfaces report (Multiboot mmap, Linux
 * boot_params e820 table, fw_cfg etc/e820): machine.c owns it so they cannot disagree.
 * Entries are in address order; a zero-length entry is kept (the last one with 1 MiB of RAM). */
#define MEMMAP_USABLE   1               /* the e820/Multiboot type numbers */
#define MEMMAP_RESERVED 2
#define MEMMAP_MAX_ENTRIES 4
typedef struct MemMapEntry {
    uint64_t base, length;
    uint32_t type;                      /* MEMMAP_USABLE or MEMMAP_RESERVED */
} MemMapEntry;
/* Fills out[0..max-1]; returns the number of entries written (all of them when max is at
 * least MEMMAP_MAX_ENTRIES). */
int board_memory_map(const Machine *m, MemMapEntry *out, int max);

/* Loaders: false with one line on stderr on failure. */
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

#endif
