/*
 * mmu/ioport.c — the x86 I/O port space: a table of 65536 region indexes (0 = unclaimed)
 * so IN/OUT dispatch is one load. Unclaimed ports read as all ones and drop writes, as on
 * an ISA bus with nothing driving it. An access that runs past the end of its device's
 * range is split into bytes so each byte reaches whoever owns it.
 */
#include "mmu/mmu.h"

#define MAX_PORT_REGIONS 255

typedef struct PortRegion {
    uint16_t base;
    uint32_t count;
    const MemOps *ops;
    void *opaque;
} PortRegion;

static PortRegion port_regions[MAX_PORT_REGIONS + 1];   /* [0] unused: "unclaimed" */
static unsigned nb_port_regions;
static uint8_t port_owner[65536];

bool port_register(uint16_t base, uint16_t count, const MemOps *ops, void *opaque)
{
    if (count == 0 || (uint32_t)base + count > 65536) return false;
    bool slot_free = nb_port_regions < MAX_PORT_REGIONS;
    for (unsigned i = 1; i <= nb_port_regions && !slot_free; i++) slot_free = !port_regions[i].ops;
    if (!slot_free) return false;
    for (uint32_t p = base; p < (uint32_t)base + count; p++) {
        if (port_owner[p]) return false;
    }
    unsigned idx = 1;
    while (idx <= nb_port_regions && port_regions[idx].ops) idx++;    /* a freed slot first */
    if (idx > nb_port_regions) nb_port_regions = idx;
    port_regions[idx] = (PortRegion){ base, count, ops, opaque };
    for (uint32_t p = base; p < (uint32_t)base + count; p++) port_owner[p] = (uint8_t)idx;
    return true;
}

void port_unregister(uint16_t base, const MemOps *ops, void *opaque)
{
    for (unsigned idx = 1; idx <= nb_port_regions; idx++) {
        PortRegion *r = &port_regions[idx];
        if (r->ops != ops || r->opaque != opaque || r->base != base) continue;
        for (uint32_t p = base; p < (uint32_t)base + r->count; p++) port_owner[p] = 0;
        *r = (PortRegion){ 0, 0, NULL, NULL };
        return;
    }
}

#define MAX_EXACT_REGIONS 4
static PortRegion exact_regions[MAX_EXACT_REGIONS];     /* count holds the access size */
static unsigned nb_exact_regions;

bool port_register_exact(uint16_t base, unsigned size, const MemOps *ops, void *opaque)
{
    if (nb_exact_regions == MAX_EXACT_REGIONS || (size != 1 && size != 2 && size != 4)) return false;
    for (unsigned i = 0; i < nb_exact_regions; i++) {
        if (exact_regions[i].base == base && exact_regions[i].count == size) return false;
    }
    exact_regions[nb_exact_regions++] = (PortRegion){ base, size, ops, opaque };
    return true;
}

static const PortRegion *exact_owner(uint16_t port, unsigned size)
{
    for (unsigned i = 0; i < nb_exact_regions; i++) {
        if (exact_regions[i].base == port && exact_regions[i].count == size) return &exact_regions[i];
    }
    return NULL;
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* The region that owns all of [port, port+size), or NULL */
static const PortRegion *owner_of(uint16_t port, unsigned size)
{
    const PortRegion *r = port_owner[port] ? &port_regions[port_owner[port]] : NULL;
    return r && (uint32_t)(port - r->base) + size <= r->count ? r : NULL;
}

uint32_t port_read(uint16_t port, unsigned size)
{
    if (size != 1 && size != 2 && size != 4) return 0xffffffffu;
    const PortRegion *r = exact_owner(port, size);
    if (!r) r = owner_of(port, size);
    if (r) {
        return r->ops->read ? (uint32_t)r->ops->read(r->opaque, port - r->base, size) & size_mask(size)
                            : size_mask(size);
    }
    if (size == 1) return 0xff;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= port_read((uint16_t)(port + i), 1) << (8 * i);
    }
    return v;
}

void port_write(uint16_t port, uint32_t value, unsigned size)
{
    if (size != 1 && size != 2 && size != 4) return;
    const PortRegion *r = exact_owner(port, size);
    if (!r) r = owner_of(port, size);
    if (r) {
        if (r->ops->write) r->ops->write(r->opaque, port - r->base, value & size_mask(size), size);
        return;
    }
    if (size == 1) return;
    for (unsigned i = 0; i < size; i++) {
        port_write((uint16_t)(port + i), value >> (8 * i), 1);
    }
}
