/*
 * hw/dma8237.c — the two 8237A DMA controllers of the PC and their page registers: the
 * 8-bit controller (channels 0-3) at ports 0x00-0x0F, the 16-bit one (channels 4-7, its
 * channel 4 is the cascade) at 0xC0-0xDF on even ports, and the page registers at
 * 0x80-0x8F. No emulated ISA device requests DMA (there is no floppy or ISA sound card), so
 * the model is the register file as software sees it: address and count registers behind
 * the byte-pointer flip-flop (base and current values), mode, command, request and mask
 * registers, master clear and the status register whose terminal-count bits clear on read.
 * That is what firmware and OS drivers program and read back while probing.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define NB_CHANNELS 4
#define PAGE_PORT 0x80
#define NB_PAGE_REGS 16

enum {
    REG_STATUS_COMMAND = 8, REG_REQUEST = 9, REG_SINGLE_MASK = 10, REG_MODE = 11,
    REG_CLEAR_FLIPFLOP = 12, REG_TEMP_MASTER_CLEAR = 13, REG_CLEAR_MASK = 14, REG_ALL_MASK = 15,
};

typedef struct Dma8237Chip {
    uint16_t base_addr[NB_CHANNELS], base_count[NB_CHANNELS];
    uint16_t cur_addr[NB_CHANNELS], cur_count[NB_CHANNELS];
    uint8_t mode[NB_CHANNELS];
    uint8_t command, status, request, mask, flipflop, temp;
} Dma8237Chip;

typedef struct Dma8237State {
    Dma8237Chip chip[2];
    uint8_t page[NB_PAGE_REGS];
} Dma8237State;

static const StateField dma8237_fields[] = {
    STATE_FIELD(Dma8237State, chip, 1),
    STATE_FIELD(Dma8237State, page, 1),
    STATE_END
};

static void chip_master_clear(Dma8237Chip *c)
{
    c->command = c->status = c->request = c->temp = c->flipflop = 0;
    c->mask = 0x0f;
}

/* Bytes of a 16-bit register in flip-flop order: low byte first. */
static uint8_t flip_read(Dma8237Chip *c, uint16_t v)
{
    uint8_t byte = c->flipflop ? (uint8_t)(v >> 8) : (uint8_t)v;
    c->flipflop ^= 1;
    return byte;
}

static void flip_write(Dma8237Chip *c, uint16_t *base, uint16_t *cur, uint8_t v)
{
    *base = c->flipflop ? (uint16_t)((*base & 0x00ff) | v << 8) : (uint16_t)((*base & 0xff00) | v);
    *cur = *base;
    c->flipflop ^= 1;
}

static uint8_t chip_read(Dma8237Chip *c, unsigned reg)
{
    if (reg < 8) {
        unsigned ch = reg / 2;
        return flip_read(c, reg & 1 ? c->cur_count[ch] : c->cur_addr[ch]);
    }
    switch (reg) {
    case REG_STATUS_COMMAND: {
        uint8_t st = (uint8_t)(c->status | (c->request & 0x0f) << 4);
        c->status &= 0xf0;                  /* terminal-count bits clear on read */
        return st;
    }
    case REG_TEMP_MASTER_CLEAR: return c->temp;
    case REG_ALL_MASK: return (uint8_t)(0xf0 | c->mask);
    default: return 0xff;
    }
}

static void chip_write(Dma8237Chip *c, unsigned reg, uint8_t v)
{
    if (reg < 8) {
        unsigned ch = reg / 2;
        if (reg & 1) flip_write(c, &c->base_count[ch], &c->cur_count[ch], v);
        else flip_write(c, &c->base_addr[ch], &c->cur_addr[ch], v);
        return;
    }
    switch (reg) {
    case REG_STATUS_COMMAND: c->command = v; break;
    case REG_REQUEST:
        if (v & 4) c->request |= (uint8_t)(1u << (v & 3));
        else c->request &= (uint8_t)~(1u << (v & 3));
        break;
    case REG_SINGLE_MASK:
        if (v & 4) c->mask |= (uint8_t)(1u << (v & 3));
        else c->mask &= (uint8_t)~(1u << (v & 3));
        break;
    case REG_MODE: c->mode[v & 3] = v & 0xfc; break;
    case REG_CLEAR_FLIPFLOP: c->flipflop = 0; break;
    case REG_TEMP_MASTER_CLEAR: chip_master_clear(c); break;
    case REG_CLEAR_MASK: c->mask = 0; break;
    case REG_ALL_MASK: c->mask = v & 0x0f; break;
    default: break;
    }
}

/* The 8-bit controller decodes every port of 0x00-0x0F, the 16-bit one the even ports of
 * 0xC0-0xDF (A0 is not connected). */
static uint64_t dma8_read(void *opaque, uint64_t offset, unsigned size)
{
    Dma8237State *s = opaque;
    return chip_read(&s->chip[0], (unsigned)offset);
}

static void dma8_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Dma8237State *s = opaque;
    chip_write(&s->chip[0], (unsigned)offset, (uint8_t)value);
}

static uint64_t dma16_read(void *opaque, uint64_t offset, unsigned size)
{
    Dma8237State *s = opaque;
    return chip_read(&s->chip[1], (unsigned)offset / 2);
}

static void dma16_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Dma8237State *s = opaque;
    chip_write(&s->chip[1], (unsigned)offset / 2, (uint8_t)value);
}

static uint64_t page_read(void *opaque, uint64_t offset, unsigned size)
{
    const Dma8237State *s = opaque;
    return s->page[offset];
}

static void page_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Dma8237State *s = opaque;
    s->page[offset] = (uint8_t)value;
}

static const MemOps dma8_ops = { dma8_read, dma8_write };
static const MemOps dma16_ops = { dma16_read, dma16_write };
static const MemOps page_ops = { page_read, page_write };

static void dma8237_reset(void *state)
{
    Dma8237State *s = state;
    memset(s, 0, sizeof(*s));
    chip_master_clear(&s->chip[0]);
    chip_master_clear(&s->chip[1]);
}

static const DeviceOps dma8237_device = {
    .name = "dma8237",
    .version = 1,
    .fields = dma8237_fields,
    .reset = dma8237_reset,
};

bool dma8237_create(Machine *m)
{
    Dma8237State *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    if (!port_register(0x00, 16, &dma8_ops, s) || !port_register(0xc0, 32, &dma16_ops, s) ||
        !port_register(PAGE_PORT, NB_PAGE_REGS, &page_ops, s)) {
        fprintf(stderr, "ferry: DMA controller ports already in use\n");
        return false;
    }
    machine_add_device(m, &dma8237_device, s);
    return true;
}
