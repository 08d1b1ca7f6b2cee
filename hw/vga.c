/*
 * hw/vga.c — the PCI standard VGA, 1234:1111 at 00:02.0 (class 0300), as SeaVGABIOS
 * (vgabios-stdvga.bin) drives it:
 *   - the VGA register set at 0x3C0-0x3DF (and the monochrome CRTC at 0x3B4/0x3B5/0x3BA
 *     while misc output bit 0 is clear); 16-bit writes to an index port are index + data;
 *   - the legacy window 0xA0000-0xBFFFF with the four 64 KiB planes: chain-4 (mode 13h),
 *     odd/even (text), and planar access with write modes 0-3, read modes 0-1 and the map
 *     mask, as the VGA BIOS's font load and the 16-colour modes need;
 *   - the Bochs VBE "dispi" registers at 0x1CE/0x1CF (also in BAR2 at +0x500);
 *   - BAR0: the 16 MiB VRAM as linear framebuffer; BAR2: 4 KiB of MMIO (EDID at 0, all zero
 *     here, the VGA ports at +0x400, dispi at +0x500, QEMU's extension block at +0x600);
 *     the ROM BAR (64 KiB) holding Debian's vgabios-stdvga.bin.
 *
 * The memory BARs go where the guest puts them. mmu/ has no way to move a mapping, so the
 * VGA claims the whole PCI memory window below the I/O APIC once, as MMIO, and decodes its
 * three BARs inside it from the configuration space on every access (what a PCI bus does
 * anyway); addresses that hit no BAR read all ones. The framebuffer is therefore MMIO, not
 * RAM-speed, for the CPU.
 *
 * Every guest-controlled offset (window, bank, BAR, VBE geometry) is checked against
 * VGA_VRAM_SIZE before VRAM is touched.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "hw/vga.h"
#include "mmu/mmu.h"

#define VGA_DEVFN PCI_DEVFN(2, 0)
#define BAR0 PCI_BAR0
#define BAR2 (PCI_BAR0 + 8)
#define ROM_BAR 0x30
#define MMIO_BAR_SIZE 0x1000u
#define ROM_BAR_SIZE 0x10000u
#define CMD_MEMORY 0x02
#define BAR_PREFETCHABLE 0x08
#define PCI_WINDOW_END 0xfec00000ull   /* the I/O APIC and the other fixed devices start here */
#define LEGACY_BASE 0xa0000ull
#define LEGACY_SIZE 0x20000ull
#define PLANE_SIZE 0x10000u
#define BANK_SIZE 0x10000u

#define MMIO_EDID_END 0x400u
#define MMIO_VGA_PORTS 0x400u           /* +0x400..0x41F = ports 0x3C0..0x3DF */
#define MMIO_DISPI 0x500u               /* +0x500 + 2 * index */
#define MMIO_QEMU_EXT 0x600u

#define VBE_MAX_XRES 16000
#define VBE_MAX_YRES 12000
#define VBE_MAX_BPP 32

uint64_t vga_generation;

typedef struct Vga {
    uint8_t rom[ROM_BAR_SIZE];  /* the VGA BIOS (host data: the guest cannot change it) */
    uint64_t window_base;       /* the PCI memory window this device decodes its BARs in */
    bool vram_used;             /* VRAM may be non-zero (reset must clear it) */
    VgaState s;                 /* last, VRAM at its end: an overrun would leave the
                                 * allocation, where AddressSanitizer sees it */
} Vga;

/* DeviceOps hand us &s */
static Vga *vga_of(void *state)
{
    return (Vga *)((char *)state - offsetof(Vga, s));
}

static Vga *vga;

static const StateField vga_fields[] = {
    STATE_FIELD(VgaState, config, 1),
    STATE_FIELD(VgaState, misc, 1),
    STATE_FIELD(VgaState, feature, 1),
    STATE_FIELD(VgaState, seq_index, 1),
    STATE_FIELD(VgaState, seq, 1),
    STATE_FIELD(VgaState, gr_index, 1),
    STATE_FIELD(VgaState, gr, 1),
    STATE_FIELD(VgaState, ar_index, 1),
    STATE_FIELD(VgaState, ar, 1),
    STATE_FIELD(VgaState, ar_flipflop, 1),
    STATE_FIELD(VgaState, cr_index, 1),
    STATE_FIELD(VgaState, cr, 1),
    STATE_FIELD(VgaState, dac_read_index, 1),
    STATE_FIELD(VgaState, dac_write_index, 1),
    STATE_FIELD(VgaState, dac_component, 1),
    STATE_FIELD(VgaState, dac_reading, 1),
    STATE_FIELD(VgaState, dac_mask, 1),
    STATE_FIELD(VgaState, dac_latch, 1),
    STATE_FIELD(VgaState, palette, 1),
    STATE_FIELD(VgaState, latch, 1),
    STATE_FIELD(VgaState, retrace, 1),
    STATE_FIELD(VgaState, vbe_index, 1),
    STATE_FIELD(VgaState, vbe, 1),
    STATE_FIELD(VgaState, vram, 1),
    STATE_END
};

static const PciWritable vga_writable[] = {
    { ROM_BAR, 1, 0x01 },           /* ROM enable; bits 15:1 of a 64 KiB ROM read as zero */
    { ROM_BAR + 2, 2, 0xff },
    { 0, 0, 0 }
};

static const PciFunctionInfo vga_info = {
    .name = "VGA",
    .vendor = 0x1234, .device = 0x1111, .revision = 0x02,
    .class_code = 0x030000,
    .header_type = 0x00,
    .writable = vga_writable,
};

VgaState *vga_state(void)
{
    return vga ? &vga->s : NULL;
}

unsigned vbe_bytes_per_pixel(unsigned bpp)
{
    switch (bpp) {
    case 8: return 1;
    case 15: case 16: return 2;
    case 24: return 3;
    case 32: return 4;
    default: return 0;
    }
}

/* ---------------------------------------------------------------- VGA registers */

static bool mono_ports(const VgaState *s)
{
    return !(s->misc & 0x01);
}

static void dac_write(VgaState *s, uint8_t v)
{
    s->dac_latch[s->dac_component++] = v;
    if (s->dac_component < 3) return;
    memcpy(&s->palette[s->dac_write_index * 3], s->dac_latch, 3);
    s->dac_write_index++;       /* wraps at 256 as the hardware's index does */
    s->dac_component = 0;
}

static uint8_t dac_read(VgaState *s)
{
    uint8_t v = s->palette[s->dac_read_index * 3 + s->dac_component % 3];
    if (++s->dac_component >= 3) {
        s->dac_component = 0;
        s->dac_read_index++;
    }
    return v;
}

static void attribute_write(VgaState *s, uint8_t v)
{
    if (!s->ar_flipflop) {
        s->ar_index = v & 0x3f;
    } else {
        unsigned i = s->ar_index & 0x1f;
        if (i < sizeof(s->ar)) s->ar[i] = v;
    }
    s->ar_flipflop ^= 1;
}

/* CR11 bit 7 write-protects CR00-CR07, except CR07's line compare bit 4. */
static void crtc_write(VgaState *s, uint8_t v)
{
    unsigned i = s->cr_index % sizeof(s->cr);
    if ((s->cr[0x11] & 0x80) && i <= 7) {
        if (i == 7) s->cr[7] = (uint8_t)((s->cr[7] & ~0x10) | (v & 0x10));
        return;
    }
    s->cr[i] = v;
}

static void vga_port_writeb(VgaState *s, uint16_t port, uint8_t v)
{
    vga_generation++;
    if ((port >= 0x3b0 && port < 0x3c0 && !mono_ports(s)) || (port >= 0x3d0 && mono_ports(s))) return;
    switch (port) {
    case 0x3c0: attribute_write(s, v); break;
    case 0x3c2: s->misc = v; break;
    case 0x3c4: s->seq_index = v & 7; break;
    case 0x3c5: s->seq[s->seq_index & 7] = v; break;
    case 0x3c6: s->dac_mask = v; break;
    case 0x3c7: s->dac_read_index = v; s->dac_component = 0; s->dac_reading = 1; break;
    case 0x3c8: s->dac_write_index = v; s->dac_component = 0; s->dac_reading = 0; break;
    case 0x3c9: dac_write(s, v); break;
    case 0x3ce: s->gr_index = v & 0x0f; break;
    case 0x3cf: s->gr[s->gr_index & 0x0f] = v; break;
    case 0x3b4: case 0x3d4: s->cr_index = v; break;
    case 0x3b5: case 0x3d5: crtc_write(s, v); break;
    case 0x3ba: case 0x3da: s->feature = v; break;
    default: break;
    }
}

static uint8_t vga_port_readb(VgaState *s, uint16_t port)
{
    if ((port >= 0x3b0 && port < 0x3c0 && !mono_ports(s)) || (port >= 0x3d0 && mono_ports(s))) return 0xff;
    switch (port) {
    case 0x3c0: return s->ar_index;
    case 0x3c1: return (s->ar_index & 0x1f) < sizeof(s->ar) ? s->ar[s->ar_index & 0x1f] : 0;
    case 0x3c2: return 0x00;                    /* input status 0: no switch sense, no IRQ */
    case 0x3c4: return s->seq_index;
    case 0x3c5: return s->seq[s->seq_index & 7];
    case 0x3c6: return s->dac_mask;
    case 0x3c7: return s->dac_reading ? 0x03 : 0x00;
    case 0x3c8: return s->dac_write_index;
    case 0x3c9: return dac_read(s);
    case 0x3ca: return s->feature;
    case 0x3cc: return s->misc;
    case 0x3ce: return s->gr_index;
    case 0x3cf: return s->gr[s->gr_index & 0x0f];
    case 0x3b4: case 0x3d4: return s->cr_index;
    case 0x3b5: case 0x3d5: return s->cr[s->cr_index % sizeof(s->cr)];
    case 0x3ba: case 0x3da:
        /* input status 1: reading resets the attribute flip-flop; display-enable and
         * vertical retrace toggle so that polling loops in both directions finish */
        s->ar_flipflop = 0;
        s->retrace ^= 1;
        return s->retrace ? 0x09 : 0x00;
    default: return 0xff;
    }
}

/* Wider accesses are consecutive byte ports: "out 0x3c4, ax" is index then data. */
static uint64_t vga_ports_read(void *opaque, uint64_t offset, unsigned size)
{
    Vga *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)vga_port_readb(&d->s, (uint16_t)(0x3b0 + offset + i)) << (8 * i);
    return v;
}

static void vga_ports_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Vga *d = opaque;
    for (unsigned i = 0; i < size; i++) vga_port_writeb(&d->s, (uint16_t)(0x3b0 + offset + i), (uint8_t)(value >> (8 * i)));
}

static const MemOps vga_port_ops = { vga_ports_read, vga_ports_write };

/* ---------------------------------------------------------------- Bochs VBE (dispi) */

static bool vbe_enabled(const VgaState *s)
{
    return s->vbe[VBE_ENABLE] & VBE_ENABLED;
}

/* Lines of the virtual screen that fit in VRAM at the current width and depth. */
static void vbe_update_virt_height(VgaState *s)
{
    unsigned bpp = vbe_bytes_per_pixel(s->vbe[VBE_BPP]);
    uint32_t pitch = (uint32_t)s->vbe[VBE_VIRT_WIDTH] * (bpp ? bpp : 1);
    uint32_t lines = pitch ? VGA_VRAM_SIZE / pitch : 0;
    s->vbe[VBE_VIRT_HEIGHT] = (uint16_t)(lines > 0xffff ? 0xffff : lines);
}

static void vbe_enable_write(Vga *d, uint16_t v)
{
    VgaState *s = &d->s;
    bool was = vbe_enabled(s);
    s->vbe[VBE_ENABLE] = v & (VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEARMEM);
    if (!(v & VBE_ENABLED) || was) return;
    s->vbe[VBE_VIRT_WIDTH] = s->vbe[VBE_XRES];
    s->vbe[VBE_X_OFFSET] = s->vbe[VBE_Y_OFFSET] = 0;
    vbe_update_virt_height(s);
    if (!(v & VBE_NOCLEARMEM)) memset(s->vram, 0, sizeof(s->vram));
}

static void vbe_write(Vga *d, uint16_t index, uint16_t v)
{
    VgaState *s = &d->s;
    vga_generation++;
    switch (index) {
    case VBE_ID:
        if (v >= 0xb0c0 && v <= 0xb0c5) s->vbe[VBE_ID] = v;
        break;
    case VBE_XRES: case VBE_YRES: case VBE_BPP: case VBE_BANK: case VBE_X_OFFSET: case VBE_Y_OFFSET:
        s->vbe[index] = v;      /* checked where used: the renderer and the bank window */
        break;
    case VBE_ENABLE:
        vbe_enable_write(d, v);
        break;
    case VBE_VIRT_WIDTH:
        s->vbe[VBE_VIRT_WIDTH] = v;
        vbe_update_virt_height(s);
        break;
    default:                    /* VIRT_HEIGHT and the memory size are derived */
        break;
    }
}

static uint16_t vbe_read(const VgaState *s, uint16_t index)
{
    if (s->vbe[VBE_ENABLE] & VBE_GETCAPS) {
        if (index == VBE_XRES) return VBE_MAX_XRES;
        if (index == VBE_YRES) return VBE_MAX_YRES;
        if (index == VBE_BPP) return VBE_MAX_BPP;
    }
    if (index == VBE_VIDEO_MEMORY_64K) return VGA_VRAM_SIZE >> 16;
    return index < VBE_NB_REGS ? s->vbe[index] : 0;
}

static uint64_t vbe_ports_read(void *opaque, uint64_t offset, unsigned size)
{
    Vga *d = opaque;
    return offset == 0 ? d->s.vbe_index : vbe_read(&d->s, d->s.vbe_index);
}

static void vbe_ports_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Vga *d = opaque;
    if (offset == 0) d->s.vbe_index = (uint16_t)value;
    else vbe_write(d, d->s.vbe_index, (uint16_t)value);
}

static const MemOps vbe_port_ops = { vbe_ports_read, vbe_ports_write };

/* ---------------------------------------------------------------- legacy memory window */

/* GR06 bits 3:2 select where the window sits inside 0xA0000-0xBFFFF. */
static bool window_offset(const VgaState *s, uint32_t addr, uint32_t *off)
{
    static const struct { uint32_t base, size; } maps[4] = {
        { 0x00000, 0x20000 }, { 0x00000, 0x10000 }, { 0x10000, 0x8000 }, { 0x18000, 0x8000 },
    };
    unsigned map = (s->gr[6] >> 2) & 3;
    if (addr < maps[map].base || addr - maps[map].base >= maps[map].size) return false;
    *off = addr - maps[map].base;
    return true;
}

static uint8_t rotate_right(uint8_t v, unsigned n)
{
    n &= 7;
    return n ? (uint8_t)((v >> n) | (v << (8 - n))) : v;
}

static uint32_t vram_index(uint32_t plane_offset, unsigned plane)
{
    return (plane_offset % PLANE_SIZE) * 4 + plane;
}

static uint8_t planar_read(VgaState *s, uint32_t off)
{
    for (unsigned p = 0; p < 4; p++) s->latch[p] = s->vram[vram_index(off, p)];
    if (!(s->gr[5] & 0x08)) return s->latch[s->gr[4] & 3];
    /* read mode 1: 1 where every plane not masked out by "colour don't care" matches */
    uint8_t result = 0xff;
    for (unsigned p = 0; p < 4; p++) {
        if (!(s->gr[7] & (1u << p))) continue;
        uint8_t want = (s->gr[2] & (1u << p)) ? 0xff : 0x00;
        result &= (uint8_t)~(s->latch[p] ^ want);
    }
    return result;
}

static void planar_write(VgaState *s, uint32_t off, uint8_t v)
{
    unsigned mode = s->gr[5] & 3, func = (s->gr[3] >> 3) & 3;
    uint8_t mask = s->gr[8], data[4];
    if (mode == 1) {
        memcpy(data, s->latch, 4);
        mask = 0xff;
    } else {
        uint8_t rot = rotate_right(v, s->gr[3]);
        for (unsigned p = 0; p < 4; p++) {
            uint8_t set_reset = (s->gr[0] & (1u << p)) ? 0xff : 0x00;
            if (mode == 0) data[p] = (s->gr[1] & (1u << p)) ? set_reset : rot;
            else if (mode == 2) data[p] = (v & (1u << p)) ? 0xff : 0x00;
            else data[p] = set_reset;
        }
        if (mode == 3) mask &= rot;
        for (unsigned p = 0; p < 4; p++) {
            switch (func) {
            case 1: data[p] &= s->latch[p]; break;
            case 2: data[p] |= s->latch[p]; break;
            case 3: data[p] ^= s->latch[p]; break;
            default: break;
            }
            data[p] = (uint8_t)((data[p] & mask) | (s->latch[p] & ~mask));
        }
    }
    for (unsigned p = 0; p < 4; p++) {
        if (s->seq[2] & (1u << p)) s->vram[vram_index(off, p)] = data[p];
    }
}

/* Chain-4 (and the VBE bank window, which the BIOS sets up in chain-4 mode): byte addresses
 * straight into VRAM, the bank selecting which 64 KiB. */
static bool chain4_index(const VgaState *s, uint32_t off, uint32_t *index)
{
    uint64_t i = off;
    if (vbe_enabled(s)) i = (uint64_t)s->vbe[VBE_BANK] * BANK_SIZE + (off % BANK_SIZE);
    if (i >= VGA_VRAM_SIZE) return false;
    *index = (uint32_t)i;
    return true;
}

static uint8_t legacy_readb(VgaState *s, uint32_t addr)
{
    uint32_t off, i;
    if (!window_offset(s, addr, &off)) return 0xff;
    if (s->seq[4] & 0x08) return chain4_index(s, off, &i) ? s->vram[i] : 0xff;
    if (s->gr[5] & 0x10) {      /* odd/even: A0 picks plane 0/1 (2/3 with read map bit 1) */
        unsigned plane = (s->gr[4] & 2) | (off & 1);
        return s->vram[vram_index(off & ~1u, plane)];
    }
    return planar_read(s, off);
}

static void legacy_writeb(Vga *d, uint32_t addr, uint8_t v)
{
    VgaState *s = &d->s;
    uint32_t off, i;
    if (!window_offset(s, addr, &off)) return;
    d->vram_used = true;
    vga_generation++;
    if (s->seq[4] & 0x08) {
        if ((s->seq[2] & (1u << (off & 3))) && chain4_index(s, off, &i)) s->vram[i] = v;
    } else if (!(s->seq[4] & 0x04)) {
        unsigned plane = off & 1;
        if (s->seq[2] & (1u << plane)) s->vram[vram_index(off & ~1u, plane)] = v;
    } else {
        planar_write(s, off, v);
    }
}

static uint64_t legacy_read(void *opaque, uint64_t offset, unsigned size)
{
    Vga *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= (uint64_t)legacy_readb(&d->s, (uint32_t)(offset + i)) << (8 * i);
    return v;
}

static void legacy_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++) legacy_writeb(opaque, (uint32_t)(offset + i), (uint8_t)(value >> (8 * i)));
}

static const MemOps legacy_ops = { legacy_read, legacy_write };

/* ---------------------------------------------------------------- PCI memory BARs */

/* BAR2: EDID (none: zeros), the VGA ports, the dispi registers, QEMU's extension block. */
static uint8_t mmio_readb(Vga *d, uint32_t off)
{
    if (off < MMIO_EDID_END) return 0;
    if (off >= MMIO_VGA_PORTS && off < MMIO_VGA_PORTS + 0x20) {
        return vga_port_readb(&d->s, (uint16_t)(0x3c0 + off - MMIO_VGA_PORTS));
    }
    if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * VBE_NB_REGS) {
        return (uint8_t)(vbe_read(&d->s, (uint16_t)((off - MMIO_DISPI) / 2)) >> (8 * (off & 1)));
    }
    if (off >= MMIO_QEMU_EXT && off < MMIO_QEMU_EXT + 8) {
        static const uint8_t ext[8] = { 8, 0, 0, 0, 0x1e, 0x1e, 0x1e, 0x1e };  /* size, little endian */
        return ext[off - MMIO_QEMU_EXT];
    }
    return 0xff;
}

static void mmio_write(Vga *d, uint32_t off, uint64_t value, unsigned size)
{
    if (off >= MMIO_VGA_PORTS && off < MMIO_VGA_PORTS + 0x20) {
        for (unsigned i = 0; i < size && off + i < MMIO_VGA_PORTS + 0x20; i++) {
            vga_port_writeb(&d->s, (uint16_t)(0x3c0 + off + i - MMIO_VGA_PORTS), (uint8_t)(value >> (8 * i)));
        }
    } else if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * VBE_NB_REGS && size == 2 && !(off & 1)) {
        vbe_write(d, (uint16_t)((off - MMIO_DISPI) / 2), (uint16_t)value);
    }
}

/* Which BAR decodes physical address pa, and the offset inside it. */
typedef enum { HIT_NONE, HIT_VRAM, HIT_MMIO, HIT_ROM } BarHit;

static BarHit bar_decode(const VgaState *s, uint64_t pa, uint32_t *off)
{
    const uint8_t *c = s->config;
    if (!(pci_get_word(c, PCI_COMMAND) & CMD_MEMORY)) return HIT_NONE;
    uint64_t vram = pci_get_long(c, BAR0) & ~0xfu, mmio = pci_get_long(c, BAR2) & ~0xfu;
    uint32_t rom = pci_get_long(c, ROM_BAR);
    if (vram && pa >= vram && pa - vram < VGA_VRAM_SIZE) {
        *off = (uint32_t)(pa - vram);
        return HIT_VRAM;
    }
    if (mmio && pa >= mmio && pa - mmio < MMIO_BAR_SIZE) {
        *off = (uint32_t)(pa - mmio);
        return HIT_MMIO;
    }
    uint64_t rom_base = rom & ~(uint32_t)(ROM_BAR_SIZE - 1);
    if ((rom & 1) && rom_base && pa >= rom_base && pa - rom_base < ROM_BAR_SIZE) {
        *off = (uint32_t)(pa - rom_base);
        return HIT_ROM;
    }
    return HIT_NONE;
}

static uint64_t pci_window_read(void *opaque, uint64_t offset, unsigned size)
{
    Vga *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t off;
        uint8_t byte = 0xff;
        switch (bar_decode(&d->s, d->window_base + offset + i, &off)) {
        case HIT_VRAM: byte = d->s.vram[off]; break;
        case HIT_MMIO: byte = mmio_readb(d, off); break;
        case HIT_ROM: byte = d->rom[off]; break;
        case HIT_NONE: break;
        }
        v |= (uint64_t)byte << (8 * i);
    }
    return v;
}

static void pci_window_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Vga *d = opaque;
    uint32_t off;
    switch (bar_decode(&d->s, d->window_base + offset, &off)) {
    case HIT_VRAM:
        d->vram_used = true;
        vga_generation++;
        for (unsigned i = 0; i < size && off + i < VGA_VRAM_SIZE; i++) d->s.vram[off + i] = (uint8_t)(value >> (8 * i));
        break;
    case HIT_MMIO:
        mmio_write(d, off, value, size);
        break;
    default:
        break;
    }
}

static const MemOps pci_window_ops = { pci_window_read, pci_window_write };

/* ---------------------------------------------------------------- device */

static void vga_reset(void *state)
{
    Vga *d = vga_of(state);
    VgaState *s = &d->s;
    memset(s, 0, offsetof(VgaState, vram));
    if (d->vram_used) memset(s->vram, 0, sizeof(s->vram));
    d->vram_used = false;
    pci_config_init(s->config, &vga_info);
    pci_set_long(s->config, BAR0, BAR_PREFETCHABLE);
    s->dac_mask = 0xff;
    s->vbe[VBE_ID] = 0xb0c5;
    s->vbe[VBE_VIDEO_MEMORY_64K] = VGA_VRAM_SIZE >> 16;
    vga_generation++;
}

static void vga_post_load(void *state)
{
    Vga *d = vga_of(state);
    d->vram_used = true;
    vga_generation++;
}

static const DeviceOps vga_device = {
    .name = "vga",
    .version = 1,
    .fields = vga_fields,
    .reset = vga_reset,
    .post_load = vga_post_load,
};

bool vga_create(Machine *m)
{
    uint64_t rom_size = 0;
    uint8_t *rom = load_file(VGA_DEFAULT_BIOS_PATH, "the VGA BIOS (Debian package seabios)", ROM_BAR_SIZE, &rom_size);
    if (!rom) return false;
    Vga *d = calloc(1, sizeof(*d));     /* VRAM pages stay untouched until the guest draws */
    if (!d) {
        free(rom);
        fprintf(stderr, "ferry: out of memory for the VGA\n");
        return false;
    }
    memset(d->rom, 0xff, sizeof(d->rom));
    memcpy(d->rom, rom, rom_size);
    free(rom);
    d->window_base = board_ram_below_4g(m);
    if (!port_register(0x3b0, 0x30, &vga_port_ops, d) || !port_register(0x1ce, 3, &vbe_port_ops, d)) {
        fprintf(stderr, "ferry: VGA ports already in use\n");
        return false;
    }
    if (!phys_map_mmio(LEGACY_BASE, LEGACY_SIZE, &legacy_ops, d) ||
        (d->window_base < PCI_WINDOW_END &&
         !phys_map_mmio(d->window_base, PCI_WINDOW_END - d->window_base, &pci_window_ops, d))) {
        return false;
    }
    if (!pci_function_add(VGA_DEVFN, &vga_info, d->s.config, d)) return false;
    pci_function_add_bar(VGA_DEVFN, 0, VGA_VRAM_SIZE, false);
    pci_function_add_bar(VGA_DEVFN, 2, MMIO_BAR_SIZE, false);
    machine_add_device(m, &vga_device, &d->s);
    vga = d;
    return true;
}
