/*
 * tests/fuzz/fuzz_vga.c — fuzz target for the standard VGA (hw/vga.c, hw/vga_render.c): the
 * input is a sequence of 6-byte operations (kind, register/size, 32-bit value) applied to a
 * VGA on the PCI bus of a small machine: VGA and VBE register reads and writes, legacy
 * window accesses in every memory mode, PCI configuration writes that move or enable the
 * BARs, framebuffer/MMIO/ROM accesses around the BARs, and renders of whatever mode the
 * registers describe. Nothing may crash or touch memory outside VRAM: VRAM ends the
 * device's allocation, so under AddressSanitizer any overrun is reported; the renderer's
 * picture must stay within its documented size limits.
 *
 * Built as a libFuzzer target, or with -DFUZZ_STANDALONE_MAIN as a plain program that feeds
 * seeded random inputs (CI).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "hw/pci.h"
#include "hw/vga.h"
#include "mmu/mmu.h"

#define RAM_SIZE (2u << 20)
#define CONFIG_ADDRESS(reg) (0x80000000u | (2u << 11) | ((reg) & 0xfcu))
#define MAX_PICTURE_PIXELS (16000ull * 12000ull)

static Machine machine;

static void setup(void)
{
    if (machine.nb_devices) return;
    machine.cfg.ram_size = RAM_SIZE;
    if (!phys_init(RAM_SIZE) || !pci_host_create(&machine) || !vga_create(&machine)) abort();
}

static void reset_all(void)
{
    for (int i = 0; i < machine.nb_devices; i++) machine.devices[i].ops->reset(machine.devices[i].state);
}

/* Where the guest would find BAR0 now (or a plausible address when it is unassigned). */
static uint64_t bar_address(unsigned bar)
{
    port_write(0xcf8, CONFIG_ADDRESS(0x10 + 4 * bar), 4);
    uint32_t v = port_read(0xcfc, 4) & ~0xfu;
    return v ? v : 0xfd000000u;
}

static void render(unsigned frame)
{
    const uint32_t *pixels;
    int width, height;
    vga_render(frame, &pixels, &width, &height);
    if (!pixels || width <= 0 || height <= 0 || (uint64_t)width * (uint64_t)height > MAX_PICTURE_PIXELS) {
        fprintf(stderr, "fuzz_vga: bad picture %dx%d\n", width, height);
        abort();
    }
    /* every pixel must be readable (ASan checks the buffer) */
    volatile uint32_t sum = 0;
    for (size_t i = 0; i < (size_t)width * (size_t)height; i += 97) sum += pixels[i];
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    reset_all();
    for (size_t i = 0; i + 6 <= size; i += 6) {
        unsigned kind = data[i] % 10, reg = data[i + 1];
        uint32_t v = (uint32_t)data[i + 2] | (uint32_t)data[i + 3] << 8 | (uint32_t)data[i + 4] << 16 |
                     (uint32_t)data[i + 5] << 24;
        unsigned sz = 1u << (reg >> 6 & 3);
        if (sz == 8) sz = 4;
        uint64_t buf = v;
        switch (kind) {
        case 0: port_write((uint16_t)(0x3b0 + reg % 0x30), v, sz); break;
        case 1: port_read((uint16_t)(0x3b0 + reg % 0x30), sz); break;
        case 2:     /* VBE: index then data, as a driver does */
            port_write(0x1ce, reg % 12, 2);
            port_write(0x1cf, v, 2);
            break;
        case 3: port_read((uint16_t)(0x1ce + reg % 3), 2); break;
        case 4: phys_write(0xa0000 + v % 0x20000, &buf, sz); break;
        case 5: phys_read(0xa0000 + v % 0x20000, &buf, sz); break;
        case 6:     /* PCI configuration of 00:02.0: command, BARs, ROM BAR */
            port_write(0xcf8, CONFIG_ADDRESS(reg), 4);
            port_write(0xcfc, v, 4);
            break;
        case 7: phys_write(bar_address(reg & 1 ? 2 : 0) + (v & 0x1ffffff), &buf, sz); break;
        case 8: phys_read(bar_address(reg & 1 ? 2 : 0) + (v & 0x1ffffff), &buf, sz); break;
        default: render(v); break;
        }
    }
    render(0);
    return 0;
}

#ifdef FUZZ_STANDALONE_MAIN
/* Random inputs biased toward meaningful sequences: the command register enabled, VBE on. */
int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint8_t buf[1536];
    for (unsigned long it = 0; it < iterations; it++) {
        size_t size = 6 * (16 + x % 240);
        for (size_t i = 0; i < size; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            buf[i] = (uint8_t)x;
        }
        /* start with memory decoding on and (every other input) a VBE mode enabled */
        static const uint8_t prologue[][6] = {
            { 6, 0x04, 0x03, 0x01, 0, 0 },          /* PCI command: I/O, memory */
            { 6, 0x10, 0, 0, 0, 0xfd },             /* BAR0 = 0xfd000000 */
            { 2, 3, 32, 0, 0, 0 },                  /* BPP 32 */
            { 2, 4, 0x41, 0, 0, 0 },                /* ENABLE | LFB */
        };
        memcpy(buf, prologue, (it & 1) ? sizeof(prologue) : 2 * sizeof(prologue[0]));
        LLVMFuzzerTestOneInput(buf, size);
    }
    printf("fuzz_vga: %lu inputs, no fault\n", iterations);
    return 0;
}
#endif
