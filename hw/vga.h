/*
 * hw/vga.h — the PCI standard VGA (1234:1111 at 00:02.0): the VGA register set and legacy
 * memory window, the Bochs VBE ("dispi") interface with its linear framebuffer, and the
 * renderer that turns whatever mode the guest set into a 32-bit XRGB picture for ui/.
 *
 * vga.c holds the device (registers, memory access paths, PCI BARs), vga_render.c the
 * picture. The two share VgaState and the helpers below; ui/ uses only the last section.
 */
#ifndef FERRY_VGA_H
#define FERRY_VGA_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/pci.h"

#define VGA_VRAM_SIZE (16u << 20)           /* BAR0; the legacy planes are its first 256 KiB */
#define VGA_DEFAULT_BIOS_PATH "/usr/share/seabios/vgabios-stdvga.bin"

/* Bochs dispi register indices (port 0x1CE selects, 0x1CF and 0x1D0 are the data) */
enum {
    VBE_ID, VBE_XRES, VBE_YRES, VBE_BPP, VBE_ENABLE, VBE_BANK, VBE_VIRT_WIDTH, VBE_VIRT_HEIGHT,
    VBE_X_OFFSET, VBE_Y_OFFSET, VBE_VIDEO_MEMORY_64K, VBE_NB_REGS
};
#define VBE_ENABLED      0x01
#define VBE_GETCAPS      0x02
#define VBE_8BIT_DAC     0x20
#define VBE_LFB_ENABLED  0x40
#define VBE_NOCLEARMEM   0x80

/* Guest-visible state: one plain struct, VRAM included (the planes are interleaved: plane p
 * of byte offset o is vram[4 * o + p], so chain-4 addresses are plain byte addresses). */
typedef struct VgaState {
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t misc;                       /* miscellaneous output (0x3C2 write, 0x3CC read) */
    uint8_t feature;                    /* feature control */
    uint8_t seq_index, seq[8];          /* sequencer */
    uint8_t gr_index, gr[16];           /* graphics controller */
    uint8_t ar_index, ar[32];           /* attribute controller (index bit 5 = PAS) */
    uint8_t ar_flipflop;                /* 0: next 0x3C0 write is the index */
    uint8_t cr_index, cr[64];           /* CRTC */
    uint8_t dac_read_index, dac_write_index, dac_component, dac_reading, dac_mask;
    uint8_t dac_latch[3];               /* R, G, B of the entry being written */
    uint8_t palette[768];               /* 256 x (R, G, B), 6 bits each (8 with VBE_8BIT_DAC) */
    uint8_t latch[4];                   /* the planes' latches, loaded by planar reads */
    uint8_t retrace;                    /* toggles on each input status 1 read */
    uint16_t vbe_index;
    uint16_t vbe[VBE_NB_REGS];
    uint8_t vram[VGA_VRAM_SIZE];
} VgaState;

/* Register writes and memory writes bump it: the renderer redraws only when it moved. */
extern uint64_t vga_generation;

/* The device at 00:02.0 with its BIOS from VGA_DEFAULT_BIOS_PATH (machine.c); false with
 * one line on stderr (a missing vgabios-stdvga.bin names the seabios package). */
bool vga_create(Machine *m);

/* ---- for ui/ (harmless without a VGA) */
/* The device, or NULL when the machine has none (-nodefaults, -vga none, -kernel boots). */
VgaState *vga_state(void);
/* Render the current screen: *pixels points at width*height XRGB words owned by the VGA
 * (valid until the next call). frame counts display refreshes (text blink and cursor).
 * Returns false when nothing changed since the previous call (the picture is still
 * valid); always true on the first call. */
bool vga_render(unsigned frame, const uint32_t **pixels, int *width, int *height);

/* ---- inside the device (vga_render.c uses them) */
/* Palette entry (after the attribute controller for 16-colour modes) as XRGB. */
uint32_t vga_dac_rgb(const VgaState *s, uint8_t index);
/* Bytes per pixel of a VBE bpp value (0 for an unsupported one; 4 bpp counts as 0). */
unsigned vbe_bytes_per_pixel(unsigned bpp);

#endif
