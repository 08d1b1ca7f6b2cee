/*
 * hw/vga_render.c — the VGA's picture: whatever mode the registers describe, as 32-bit XRGB
 * pixels at the mode's own resolution (ui/ scales it to the window):
 *   - VBE linear modes (dispi ENABLE): 8 bpp through the DAC, 15/16/24/32 bpp direct;
 *   - text (GR06 bit 0 clear): cells from the CRTC geometry, 8 or 9 dots wide (SR01 bit 0),
 *     the 9th column repeating the 8th for line-graphics characters 0xC0-0xDF when AR10
 *     bit 2 asks, glyphs from plane 2 (font bank from SR03), blink and the cursor;
 *   - 256-colour chain-4 (AR10 bit 6, mode 13h: 320x200 shown as 640x400, as QEMU does) and
 *     16-colour planar graphics (mode 12h).
 * Not modelled: CGA-compatible 4- and 2-colour shift modes, line compare (split screen),
 * horizontal panning.
 *
 * Every VRAM read is checked against VGA_VRAM_SIZE, whatever the guest programmed.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/vga.h"

#define MAX_TEXT_COLS 256
#define MAX_TEXT_ROWS 128
#define MAX_GFX_WIDTH 2048
#define MAX_GFX_HEIGHT 2048
#define VBE_MAX_XRES 16000
#define VBE_MAX_YRES 12000
#define PLANE_SIZE 0x10000u
#define BLANK_WIDTH 640
#define BLANK_HEIGHT 480

static struct {
    uint32_t *pixels;
    size_t capacity;                /* in pixels */
    int width, height;
    uint64_t generation;            /* vga_generation when drawn */
    unsigned blink_phase;           /* text: the blink/cursor phase it was drawn with */
    bool valid;
} surface;

static bool surface_size(int width, int height)
{
    size_t need = (size_t)width * (size_t)height;
    if (need > surface.capacity) {
        uint32_t *p = realloc(surface.pixels, need * sizeof(uint32_t));
        if (!p) return false;
        surface.pixels = p;
        surface.capacity = need;
    }
    surface.width = width;
    surface.height = height;
    return true;
}

static uint32_t dac_entry(const VgaState *s, uint8_t index, bool eight_bit)
{
    const uint8_t *e = &s->palette[index * 3];
    if (eight_bit) return (uint32_t)e[0] << 16 | (uint32_t)e[1] << 8 | e[2];
    uint32_t r = (e[0] & 63) * 255u / 63, g = (e[1] & 63) * 255u / 63, b = (e[2] & 63) * 255u / 63;
    return r << 16 | g << 8 | b;
}

/* A 4-bit attribute colour through the attribute controller's palette to the DAC. */
uint32_t vga_dac_rgb(const VgaState *s, uint8_t colour)
{
    uint8_t v = s->ar[colour & 0x0f] & 0x3f;
    if (s->ar[0x10] & 0x80) v = (uint8_t)((v & 0x0f) | (s->ar[0x14] & 0x03) << 4);
    v = (uint8_t)(v | (s->ar[0x14] & 0x0c) << 4);
    return dac_entry(s, v & s->dac_mask, false);
}

static uint8_t plane_byte(const VgaState *s, uint32_t offset, unsigned plane)
{
    return s->vram[(offset % PLANE_SIZE) * 4 + plane];
}

/* CRTC geometry shared by text and graphics */
static unsigned crtc_vdisplay(const VgaState *s)
{
    const uint8_t *cr = s->cr;
    return (cr[0x12] | (cr[0x07] & 0x02) << 7 | (cr[0x07] & 0x40) << 3) + 1u;
}

static unsigned crtc_start(const VgaState *s)
{
    return (unsigned)s->cr[0x0c] << 8 | s->cr[0x0d];
}

/* memory address of a CRTC character/pixel counter: doubleword, word or byte mode */
static unsigned crtc_addr_shift(const VgaState *s)
{
    if (s->cr[0x14] & 0x40) return 2;
    return (s->cr[0x17] & 0x40) ? 0 : 1;
}

static void fill(uint32_t colour)
{
    for (size_t i = 0; i < (size_t)surface.width * (size_t)surface.height; i++) surface.pixels[i] = colour;
}

/* ---------------------------------------------------------------- text */

/* SR03's 3-bit map select -> byte offset of the font in plane 2 */
static uint32_t font_offset(unsigned select)
{
    return (select & 4) ? ((select & 3) * 2 + 1) * 0x2000u : (select & 3) * 0x4000u;
}

static void render_text(const VgaState *s, unsigned frame)
{
    unsigned cols = s->cr[0x01] + 1u, cell_w = (s->seq[1] & 0x01) ? 8 : 9;
    unsigned cell_h = (s->cr[0x09] & 0x1f) + 1u, rows = crtc_vdisplay(s) / cell_h;
    if (s->cr[0x09] & 0x80) rows /= 2;
    if (cols > MAX_TEXT_COLS) cols = MAX_TEXT_COLS;
    if (rows > MAX_TEXT_ROWS) rows = MAX_TEXT_ROWS;
    if (rows == 0) rows = 1;
    if (!surface_size((int)(cols * cell_w), (int)(rows * cell_h))) return;
    uint8_t sr3 = s->seq[3];
    uint32_t font_b = font_offset((sr3 & 3) | (sr3 >> 2 & 4)), font_a = font_offset((sr3 >> 2 & 3) | (sr3 >> 3 & 4));
    unsigned shift = crtc_addr_shift(s), stride = 2u * s->cr[0x13];
    unsigned start = crtc_start(s), cursor = (unsigned)s->cr[0x0e] << 8 | s->cr[0x0f];
    bool blink_attr = s->ar[0x10] & 0x08, line_graphics = s->ar[0x10] & 0x04;
    bool blink_on = (frame >> 5) & 1, cursor_on = !((frame >> 4) & 1) && !(s->cr[0x0a] & 0x20);
    unsigned cursor_first = s->cr[0x0a] & 0x1f, cursor_last = s->cr[0x0b] & 0x1f;
    uint32_t colours[16];
    for (unsigned i = 0; i < 16; i++) colours[i] = vga_dac_rgb(s, (uint8_t)i);
    for (unsigned row = 0; row < rows; row++) {
        for (unsigned col = 0; col < cols; col++) {
            unsigned counter = start + row * stride + col;
            uint32_t addr = (uint32_t)counter << shift;
            uint8_t ch = plane_byte(s, addr, 0), at = plane_byte(s, addr, 1);
            uint32_t font = (at & 0x08) ? font_a : font_b;
            unsigned fg = at & 0x0f, bg = at >> 4;
            if (blink_attr) {
                bg &= 7;
                if ((at & 0x80) && !blink_on) fg = bg;
            }
            bool cursor_here = cursor_on && counter == cursor;
            for (unsigned y = 0; y < cell_h; y++) {
                uint8_t bits = plane_byte(s, font + ch * 32u + y, 2);
                if (cursor_here && y >= cursor_first && y <= cursor_last) bits = 0xff;
                uint32_t *out = &surface.pixels[(size_t)(row * cell_h + y) * surface.width + col * cell_w];
                for (unsigned x = 0; x < 8; x++) out[x] = colours[(bits & (0x80 >> x)) ? fg : bg];
                if (cell_w == 9) {
                    bool ninth = (bits & 1) && (cursor_here || (line_graphics && ch >= 0xc0 && ch <= 0xdf));
                    out[8] = colours[ninth ? fg : bg];
                }
            }
        }
    }
}

/* ---------------------------------------------------------------- VGA graphics */

static void render_graphics(const VgaState *s)
{
    /* the picture has the CRTC's dots and lines: 256-colour modes show each pixel as two
     * dots, and lines repeat per the maximum scan line and double-scan settings */
    bool colour256 = s->ar[0x10] & 0x40;
    unsigned width = (s->cr[0x01] + 1u) * 8, height = crtc_vdisplay(s);
    unsigned scan = (s->cr[0x09] & 0x1f) + 1u;
    if (s->cr[0x09] & 0x80) scan *= 2;
    if (width > MAX_GFX_WIDTH) width = MAX_GFX_WIDTH;
    if (height > MAX_GFX_HEIGHT) height = MAX_GFX_HEIGHT;
    if (!surface_size((int)width, (int)height)) return;
    unsigned shift = crtc_addr_shift(s), start = crtc_start(s), stride = 2u * s->cr[0x13];
    uint32_t colours[256];
    for (unsigned i = 0; i < 256; i++) {
        colours[i] = colour256 ? dac_entry(s, (uint8_t)(i & s->dac_mask), false) : vga_dac_rgb(s, (uint8_t)i);
    }
    uint8_t plane_enable = s->ar[0x12] & 0x0f;
    for (unsigned y = 0; y < height; y++) {
        uint32_t *out = &surface.pixels[(size_t)y * width];
        uint64_t line = (uint64_t)(start + (y / scan) * stride) << shift;
        for (unsigned x = 0; x < width; x++) {
            if (colour256) {
                /* chain-4: the counter addresses 4 pixel bytes, which are VRAM bytes */
                uint64_t i = line + x / 2;
                out[x] = i < VGA_VRAM_SIZE ? colours[s->vram[i]] : 0;
            } else {
                uint32_t addr = (uint32_t)line + x / 8;
                unsigned bit = 7 - x % 8, c = 0;
                for (unsigned p = 0; p < 4; p++) c |= ((plane_byte(s, addr, p) >> bit) & 1u) << p;
                out[x] = colours[c & plane_enable];
            }
        }
    }
}

/* ---------------------------------------------------------------- VBE */

static uint32_t vbe_pixel(const uint8_t *p, unsigned bpp, const uint32_t *palette)
{
    switch (bpp) {
    case 8: return palette[p[0]];
    case 15: {
        unsigned v = p[0] | p[1] << 8;
        return (uint32_t)((v >> 10 & 31) * 255 / 31) << 16 | (uint32_t)((v >> 5 & 31) * 255 / 31) << 8 | (v & 31) * 255 / 31;
    }
    case 16: {
        unsigned v = p[0] | p[1] << 8;
        return (uint32_t)((v >> 11 & 31) * 255 / 31) << 16 | (uint32_t)((v >> 5 & 63) * 255 / 63) << 8 | (v & 31) * 255 / 31;
    }
    default: return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];   /* 24 and 32: B, G, R */
    }
}

static void render_vbe(const VgaState *s)
{
    unsigned xres = s->vbe[VBE_XRES], yres = s->vbe[VBE_YRES], bpp = s->vbe[VBE_BPP];
    unsigned bytes = vbe_bytes_per_pixel(bpp);
    bool ok = bytes && xres && yres && xres <= VBE_MAX_XRES && yres <= VBE_MAX_YRES;
    if (!surface_size(ok ? (int)xres : BLANK_WIDTH, ok ? (int)yres : BLANK_HEIGHT)) return;
    if (!ok) {
        fill(0);
        return;
    }
    uint32_t palette[256];
    bool dac8 = s->vbe[VBE_ENABLE] & VBE_8BIT_DAC;
    for (unsigned i = 0; i < 256; i++) palette[i] = dac_entry(s, (uint8_t)i, dac8);
    uint64_t virt_width = s->vbe[VBE_VIRT_WIDTH] > xres ? s->vbe[VBE_VIRT_WIDTH] : xres;
    uint64_t pitch = virt_width * bytes;
    uint64_t start = ((uint64_t)s->vbe[VBE_Y_OFFSET] * virt_width + s->vbe[VBE_X_OFFSET]) * bytes;
    for (unsigned y = 0; y < yres; y++) {
        uint64_t line = start + y * pitch;
        uint32_t *out = &surface.pixels[(size_t)y * xres];
        if (line + (uint64_t)xres * bytes > VGA_VRAM_SIZE) {
            memset(out, 0, xres * sizeof(uint32_t));
            continue;
        }
        const uint8_t *p = &s->vram[line];
        for (unsigned x = 0; x < xres; x++, p += bytes) out[x] = vbe_pixel(p, bpp, palette);
    }
}

/* ---------------------------------------------------------------- entry point */

bool vga_render(unsigned frame, const uint32_t **pixels, int *width, int *height)
{
    const VgaState *s = vga_state();
    bool text = s && !(s->vbe[VBE_ENABLE] & VBE_ENABLED) && !(s->gr[6] & 0x01);
    unsigned phase = text ? (frame >> 4) & 3 : 0;
    bool changed = !surface.valid || surface.generation != vga_generation || surface.blink_phase != phase;
    if (changed) {
        surface.generation = vga_generation;
        surface.blink_phase = phase;
        if (!s) {
            if (surface_size(BLANK_WIDTH, BLANK_HEIGHT)) fill(0);
        } else if (s->vbe[VBE_ENABLE] & VBE_ENABLED) {
            render_vbe(s);
        } else if (!(s->ar_index & 0x20) || (s->seq[1] & 0x20)) {
            /* palette address source clear or screen off: the display is blank */
            if (surface_size(surface.width ? surface.width : BLANK_WIDTH,
                             surface.height ? surface.height : BLANK_HEIGHT)) fill(0);
        } else if (text) {
            render_text(s, frame);
        } else {
            render_graphics(s);
        }
        surface.valid = surface.pixels != NULL;
    }
    *pixels = surface.pixels;
    *width = surface.width;
    *height = surface.height;
    return changed;
}
