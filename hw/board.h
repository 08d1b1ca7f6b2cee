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

/* Loaders: false with one line on stderr on failure. */
bool bios_load(const char *path);
/* Loads cfg->kernel (and cfg->initrd modules) and puts the CPU in the Multiboot entry state. */
bool multiboot_load(Machine *m);

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
