/*
 * mmu/phys.c — the guest physical address space: RAM, ROM and MMIO regions, the A20 gate,
 * and the code bitmap that tells which 128-byte slices of RAM/ROM hold translated code.
 *
 * Regions may overlap (ROM shadows RAM below 1 MiB); the later mapping wins. The lookup
 * structure is a sorted array of non-overlapping segments, each naming the region that is
 * visible there, searched by bisection: the slow path (TLB fills, MMIO dispatch) is its
 * only user, so this is fast enough and trivially correct.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "mmu/mmu_internal.h"
#include "tcg/tcg.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ferry assumes a little-endian host (guest memory is accessed in place)"
#endif

#define MIN_RAM_SIZE (1ull << 20)
#define RAM_LIMIT    (0xE0000000ull)   /* 3.5 GiB: the PCI hole starts here (later) */
#define PHYS_ADDR_LIMIT (1ull << 52)   /* architectural MAXPHYADDR ceiling */
#define MAX_REGIONS  64
/* The shadow-RAM window below 1 MiB (i440FX PAM): 16 KiB blocks from 0xC0000 to 1 MiB. */
#define SHADOW_BASE 0xc0000ull
#define SHADOW_END 0x100000ull
#define SHADOW_BLOCK_SIZE 0x4000ull
#define SHADOW_BLOCKS ((SHADOW_END - SHADOW_BASE) / SHADOW_BLOCK_SIZE)
#define MAX_SEGMENTS (2 * MAX_REGIONS + 1 + 2 * SHADOW_BLOCKS)
#define SLICES_PER_PAGE (1u << (PAGE_BITS - CODE_SLICE_BITS))   /* 32: one uint32_t per page */

typedef struct PhysRegion {
    PhysKind kind;
    uint64_t base, size;
    uint8_t *host;              /* RAM/ROM: the bytes */
    uint32_t *code_bits;        /* RAM/ROM: per page, bit n = slice n holds translated code */
    uint64_t host_map_size;     /* RAM: length of the mmap reservation */
    const MemOps *ops;          /* MMIO */
    void *opaque;
    bool shadow_internal;       /* one of the shadow window's own views: host not owned */
} PhysRegion;

/* [start, end) of physical space where region `region` is the one visible */
typedef struct PhysSegment {
    uint64_t start, end;
    int region;
} PhysSegment;

static PhysRegion regions[MAX_REGIONS];
static int nb_regions;
static PhysSegment segments[MAX_SEGMENTS];
static int nb_segments;
static uint64_t ram_size;
static uint64_t a20_mask = ~0ull;

/* Shadow window state: per 16 KiB block, PHYS_SHADOW_READ/WRITE bits. Until the chipset
 * first sets it (shadow_active) RAM is simply visible there, as for boards without PAM. */
static uint8_t shadow_mode[SHADOW_BLOCKS];
static bool shadow_active;
static int shadow_ro_region = -1;      /* RAM bytes seen as ROM: read RAM, writes dropped */
static int shadow_wo_region = -1;      /* MMIO: reads from the bus, writes to RAM */

/* ---------------------------------------------------------------- region table */

static void phys_release_all(void)
{
    for (int i = 0; i < nb_regions; i++) {
        PhysRegion *r = &regions[i];
        if (r->kind == PHYS_RAM) {
            munmap(r->host, r->host_map_size);
        } else if (r->kind == PHYS_ROM && !r->shadow_internal) {
            free(r->host);
        }
        free(r->code_bits);
    }
    memset(regions, 0, sizeof(regions));
    nb_regions = 0;
    nb_segments = 0;
    ram_size = 0;
    a20_mask = ~0ull;
    shadow_active = false;
    shadow_ro_region = shadow_wo_region = -1;
}

/* Index of the first segment whose end is above pa (nb_segments if none). */
static int segment_lower_bound(uint64_t pa)
{
    int lo = 0, hi = nb_segments;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (segments[mid].end <= pa) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Most lookups (page walks, TLB fills) land in the segment of the previous one, which is
 * almost always main RAM. The hint is only an index: it is checked against the current
 * table, so a table rebuilt since cannot make it wrong. */
static int segment_hint;

static const PhysSegment *segment_find(uint64_t pa)
{
    int i = segment_hint;
    if (i < nb_segments && segments[i].start <= pa && pa < segments[i].end)
        return &segments[i];
    i = segment_lower_bound(pa);
    if (i < nb_segments && segments[i].start <= pa) {
        segment_hint = i;
        return &segments[i];
    }
    return NULL;
}

/* Make region `idx` visible over [start, end), cutting away what it covers of earlier ones. */
static bool segments_insert(uint64_t start, uint64_t end, int idx)
{
    PhysSegment out[MAX_SEGMENTS];
    int n = 0;
    bool placed = false;
    for (int i = 0; i < nb_segments; i++) {
        PhysSegment s = segments[i];
        if (!placed && s.start >= start) {
            if (n == MAX_SEGMENTS) return false;
            out[n++] = (PhysSegment){ start, end, idx };
            placed = true;
        }
        if (s.end <= start || s.start >= end) {
            if (n == MAX_SEGMENTS) return false;
            out[n++] = s;
            continue;
        }
        if (s.start < start) {
            if (n == MAX_SEGMENTS) return false;
            out[n++] = (PhysSegment){ s.start, start, s.region };
        }
        if (s.end > end) {
            if (!placed) {
                if (n == MAX_SEGMENTS) return false;
                out[n++] = (PhysSegment){ start, end, idx };
                placed = true;
            }
            if (n == MAX_SEGMENTS) return false;
            out[n++] = (PhysSegment){ end, s.end, s.region };
        }
    }
    if (!placed) {
        if (n == MAX_SEGMENTS) return false;
        out[n++] = (PhysSegment){ start, end, idx };
    }
    memcpy(segments, out, (size_t)n * sizeof(out[0]));
    nb_segments = n;
    return true;
}

static PhysRegion *region_add(PhysKind kind, uint64_t base, uint64_t size)
{
    if (size == 0 || base >= PHYS_ADDR_LIMIT || size > PHYS_ADDR_LIMIT - base) {
        fprintf(stderr, "ferry: physical region 0x%llx+0x%llx is outside the address space\n",
                (unsigned long long)base, (unsigned long long)size);
        return NULL;
    }
    if (nb_regions == MAX_REGIONS) {
        fprintf(stderr, "ferry: too many physical memory regions\n");
        return NULL;
    }
    PhysRegion *r = &regions[nb_regions];
    *r = (PhysRegion){ .kind = kind, .base = base, .size = size };
    if (kind != PHYS_MMIO) {
        uint64_t pages = (size + PAGE_SIZE - 1) >> PAGE_BITS;
        r->code_bits = calloc(pages, sizeof(uint32_t));
        if (!r->code_bits) {
            fprintf(stderr, "ferry: out of memory for the code bitmap\n");
            return NULL;
        }
    }
    return r;
}

static bool segments_rebuild(void);

/* The region is filled in; make it visible. */
static bool region_commit(PhysRegion *r)
{
    if (shadow_active) {
        /* the shadow window decides what is seen below 1 MiB whatever was mapped last */
        nb_regions++;
        if (segments_rebuild()) return true;
        nb_regions--;
        fprintf(stderr, "ferry: physical address map too fragmented\n");
        free(r->code_bits);
        return false;
    }
    if (!segments_insert(r->base, r->base + r->size, nb_regions)) {
        fprintf(stderr, "ferry: physical address map too fragmented\n");
        free(r->code_bits);
        return false;
    }
    nb_regions++;
    return true;
}

/* ---------------------------------------------------------------- public: setup */

bool phys_init(uint64_t size)
{
    phys_release_all();
    if (size < MIN_RAM_SIZE || size >= RAM_LIMIT) {
        fprintf(stderr, "ferry: RAM size %llu MiB is not supported (1 MiB to 3583 MiB for now)\n",
                (unsigned long long)(size >> 20));
        return false;
    }
    if (size & (PAGE_SIZE - 1)) {
        fprintf(stderr, "ferry: RAM size must be a multiple of 4 KiB\n");
        return false;
    }
    PhysRegion *r = region_add(PHYS_RAM, 0, size);
    if (!r) return false;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "ferry: cannot reserve %llu MiB of guest RAM\n",
                (unsigned long long)(size >> 20));
        free(r->code_bits);
        return false;
    }
    r->host = p;
    r->host_map_size = size;
    if (!region_commit(r)) {
        munmap(p, size);
        return false;
    }
    ram_size = size;
    return true;
}

uint64_t phys_ram_size(void)
{
    return ram_size;
}

bool phys_map_rom(uint64_t base, const void *data, uint64_t size)
{
    PhysRegion *r = region_add(PHYS_ROM, base, size);
    if (!r) return false;
    r->host = malloc(size);
    if (!r->host) {
        fprintf(stderr, "ferry: out of memory for a ROM image\n");
        free(r->code_bits);
        return false;
    }
    memcpy(r->host, data, size);
    if (!region_commit(r)) {
        free(r->host);
        return false;
    }
    return true;
}

bool phys_map_mmio(uint64_t base, uint64_t size, const MemOps *ops, void *opaque)
{
    PhysRegion *r = region_add(PHYS_MMIO, base, size);
    if (!r) return false;
    r->ops = ops;
    r->opaque = opaque;
    return region_commit(r);
}

uint8_t *phys_ram_ptr(uint64_t pa, uint64_t len)
{
    const PhysSegment *s = segment_find(pa);
    if (!s || regions[s->region].kind != PHYS_RAM || len > s->end - pa) return NULL;
    const PhysRegion *r = &regions[s->region];
    return r->host + (pa - r->base);
}

uint8_t *phys_ram_backing(uint64_t pa, uint64_t len)
{
    for (int i = 0; i < nb_regions; i++) {
        const PhysRegion *r = &regions[i];
        if (r->kind == PHYS_RAM && !r->shadow_internal && pa >= r->base &&
            len <= r->size && pa - r->base <= r->size - len) {
            return r->host + (pa - r->base);
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- code bitmap */

/* Slice bits of one page touched by [off, off + len), off and len inside the page. */
static uint32_t slice_mask(uint64_t off, uint64_t len)
{
    unsigned first = (unsigned)(off >> CODE_SLICE_BITS);
    unsigned last = (unsigned)((off + len - 1) >> CODE_SLICE_BITS);
    unsigned n = last - first + 1;
    uint32_t bits = n >= 32 ? ~0u : ((1u << n) - 1);
    return bits << first;
}

/* RAM bytes [pa, pa+len) of region r were written: drop the translated code they held. */
static void code_check_write(const PhysRegion *r, uint64_t pa, uint64_t len)
{
    uint64_t off = pa - r->base;
    while (len > 0) {
        uint64_t in_page = PAGE_SIZE - (off & (PAGE_SIZE - 1));
        uint64_t n = len < in_page ? len : in_page;
        if (r->code_bits[off >> PAGE_BITS] & slice_mask(off & (PAGE_SIZE - 1), n)) {
            uint64_t start = r->base + off;
            tb_invalidate_phys_range(start, start + n);
        }
        off += n;
        len -= n;
    }
}

void phys_code_mark(uint64_t start, uint64_t end)
{
    uint64_t pa = start;
    while (pa < end) {
        uint64_t page_end = (pa & PAGE_MASK) + PAGE_SIZE;
        uint64_t n = (end < page_end ? end : page_end) - pa;
        const PhysSegment *s = segment_find(pa);
        if (s && regions[s->region].kind != PHYS_MMIO) {
            const PhysRegion *r = &regions[s->region];
            uint64_t off = pa - r->base;
            uint32_t *word = &r->code_bits[off >> PAGE_BITS];
            bool first_code = *word == 0;
            *word |= slice_mask(off & (PAGE_SIZE - 1), n);
            /* ROM writes already take the slow path (and are dropped) */
            if (first_code && r->kind == PHYS_RAM) tlb_protect_code_page(pa & PAGE_MASK);
        }
        pa += n;
    }
}

void phys_code_clear_all(void)
{
    for (int i = 0; i < nb_regions; i++) {
        if (regions[i].code_bits) {
            memset(regions[i].code_bits, 0,
                   ((regions[i].size + PAGE_SIZE - 1) >> PAGE_BITS) * sizeof(uint32_t));
        }
    }
    /* Pages lose their TLB_CODE flag on the next fill; flush so that happens now. */
    if (first_cpu) tlb_flush(first_cpu);
}

bool phys_page_has_code(uint64_t pa)
{
    const PhysSegment *s = segment_find(pa);
    if (!s || regions[s->region].kind == PHYS_MMIO) return false;
    const PhysRegion *r = &regions[s->region];
    return r->code_bits[(pa - r->base) >> PAGE_BITS] != 0;
}

/* ---------------------------------------------------------------- access */

PhysKind phys_page_info(uint64_t pa_page, uint8_t **host, bool *has_code)
{
    *host = NULL;
    *has_code = false;
    const PhysSegment *s = segment_find(pa_page);
    if (!s) return PHYS_UNMAPPED;
    const PhysRegion *r = &regions[s->region];
    if (r->kind == PHYS_MMIO) return PHYS_MMIO;
    *has_code = r->code_bits[(pa_page - r->base) >> PAGE_BITS] != 0;
    if (s->end - pa_page >= PAGE_SIZE) *host = r->host + (pa_page - r->base);
    return r->kind;
}

static uint64_t ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* RAM/ROM bytes in place, one fixed-size copy per access size: the compiler makes each a
 * single move instead of a library call (page-table walks load every entry through here) */
static uint64_t host_load(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void host_store(uint8_t *p, uint64_t value, unsigned size)
{
    switch (size) {
    case 1: *p = (uint8_t)value; return;
    case 2: { uint16_t v = (uint16_t)value; memcpy(p, &v, 2); return; }
    case 4: { uint32_t v = (uint32_t)value; memcpy(p, &v, 4); return; }
    default: memcpy(p, &value, 8); return;
    }
}

uint64_t phys_load(uint64_t pa, unsigned size)
{
    const PhysSegment *s = segment_find(pa);
    if (s && size <= s->end - pa) {
        const PhysRegion *r = &regions[s->region];
        if (r->kind == PHYS_MMIO) {
            return r->ops->read ? r->ops->read(r->opaque, pa - r->base, size) & ones(size)
                                : ones(size);
        }
        return host_load(r->host + (pa - r->base), size);
    }
    if (!s && segment_lower_bound(pa) == segment_lower_bound(pa + size - 1)) {
        return ones(size);      /* wholly unmapped */
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= phys_load(pa + i, 1) << (8 * i);
    }
    return v;
}

void phys_store(uint64_t pa, uint64_t value, unsigned size)
{
    const PhysSegment *s = segment_find(pa);
    if (s && size <= s->end - pa) {
        const PhysRegion *r = &regions[s->region];
        switch (r->kind) {
        case PHYS_MMIO:
            if (r->ops->write) r->ops->write(r->opaque, pa - r->base, value & ones(size), size);
            return;
        case PHYS_RAM:
            host_store(r->host + (pa - r->base), value, size);
            code_check_write(r, pa, size);
            return;
        default:        /* ROM: writes are ignored */
            return;
        }
    }
    if (!s && segment_lower_bound(pa) == segment_lower_bound(pa + size - 1)) return;
    for (unsigned i = 0; i < size; i++) {
        phys_store(pa + i, value >> (8 * i), 1);
    }
}

/* Walk [pa, pa+len) piece by piece: each piece lies in one segment or one hole. */
typedef void (*PieceFn)(const PhysRegion *r, uint64_t pa, uint8_t *buf, uint64_t n);

static void for_each_piece(uint64_t pa, uint8_t *buf, uint64_t len, PieceFn fn)
{
    while (len > 0) {
        int i = segment_lower_bound(pa);
        uint64_t limit;            /* bytes from pa to the end of this piece */
        const PhysRegion *r = NULL;
        if (i < nb_segments && segments[i].start <= pa) {
            r = &regions[segments[i].region];
            limit = segments[i].end - pa;
        } else {
            limit = i < nb_segments ? segments[i].start - pa : ~0ull - pa + 1;
            if (limit == 0) limit = ~0ull;     /* pa == 0 and nothing mapped anywhere */
        }
        uint64_t n = len < limit ? len : limit;
        fn(r, pa, buf, n);
        pa += n;
        buf += n;
        len -= n;
    }
}

static void read_piece(const PhysRegion *r, uint64_t pa, uint8_t *buf, uint64_t n)
{
    if (!r) {
        memset(buf, 0xff, n);
    } else if (r->kind == PHYS_MMIO) {
        for (uint64_t i = 0; i < n; i++) {
            buf[i] = r->ops->read ? (uint8_t)r->ops->read(r->opaque, pa + i - r->base, 1) : 0xff;
        }
    } else {
        memcpy(buf, r->host + (pa - r->base), n);
    }
}

static void write_piece(const PhysRegion *r, uint64_t pa, uint8_t *buf, uint64_t n)
{
    if (!r || r->kind == PHYS_ROM) return;
    if (r->kind == PHYS_MMIO) {
        for (uint64_t i = 0; i < n; i++) {
            if (r->ops->write) r->ops->write(r->opaque, pa + i - r->base, buf[i], 1);
        }
        return;
    }
    memcpy(r->host + (pa - r->base), buf, n);
    code_check_write(r, pa, n);
}

void phys_read(uint64_t pa, void *buf, uint64_t len)
{
    for_each_piece(pa, buf, len, read_piece);
}

void phys_write(uint64_t pa, const void *buf, uint64_t len)
{
    /* write_piece never writes through buf */
    for_each_piece(pa, (uint8_t *)(uintptr_t)buf, len, write_piece);
}

/* ---------------------------------------------------------------- shadow RAM window
 *
 * The i440FX decides per 16 KiB block of 0xC0000-0xFFFFF whether CPU reads and writes reach
 * the RAM there or go on to the PCI/ISA bus, where the BIOS ROM alias (E and F segments)
 * or nothing (reads all ones) answers. RAM is always regions[0], the bottom of the stack,
 * so "the bus" at an address is simply what the other regions map there. The segment table
 * is rebuilt on every change: RAM is left out of the blocks it does not serve reads from,
 * and on top of the normal stack each block gets its own view: RAM itself (read-write),
 * the RAM bytes as ROM (read-only, writes dropped) or an MMIO view whose reads come from
 * the bus and whose writes land in RAM (write-only). */

static bool block_is(unsigned block, unsigned mode)
{
    return shadow_mode[block] == mode;
}

static bool segments_rebuild(void)
{
    PhysSegment saved[MAX_SEGMENTS];
    int nb_saved = nb_segments;
    memcpy(saved, segments, (size_t)nb_segments * sizeof(saved[0]));
    nb_segments = 0;
    bool ok = true;
    for (int i = 0; i < nb_regions && ok; i++) {
        const PhysRegion *r = &regions[i];
        if (r->shadow_internal) continue;
        uint64_t start = r->base, end = r->base + r->size;
        if (i != 0 || !shadow_active) {
            ok = segments_insert(start, end, i);
            continue;
        }
        /* RAM, minus the window blocks whose RAM is not read through */
        for (uint64_t pa = start; pa < end && ok;) {
            uint64_t next = end;
            if (pa >= SHADOW_BASE && pa < SHADOW_END) {
                unsigned b = (unsigned)((pa - SHADOW_BASE) / SHADOW_BLOCK_SIZE);
                uint64_t block_end = SHADOW_BASE + (b + 1) * SHADOW_BLOCK_SIZE;
                next = block_end < end ? block_end : end;
                if (!block_is(b, PHYS_SHADOW_READ | PHYS_SHADOW_WRITE)) {
                    pa = next;
                    continue;
                }
            } else if (pa < SHADOW_BASE && end > SHADOW_BASE) {
                next = SHADOW_BASE;
            }
            ok = segments_insert(pa, next, 0);
            pa = next;
        }
    }
    for (unsigned b = 0; b < SHADOW_BLOCKS && ok && shadow_active; b++) {
        uint64_t start = SHADOW_BASE + b * SHADOW_BLOCK_SIZE;
        int view = block_is(b, PHYS_SHADOW_READ | PHYS_SHADOW_WRITE) ? 0
                 : block_is(b, PHYS_SHADOW_READ) ? shadow_ro_region
                 : block_is(b, PHYS_SHADOW_WRITE) ? shadow_wo_region : -1;
        if (view >= 0) ok = segments_insert(start, start + SHADOW_BLOCK_SIZE, view);
    }
    if (!ok) {
        memcpy(segments, saved, (size_t)nb_saved * sizeof(saved[0]));
        nb_segments = nb_saved;
    }
    return ok;
}

/* What the bus (everything but RAM and the window's own views) maps at pa, topmost first. */
static const PhysRegion *bus_region_at(uint64_t pa)
{
    for (int i = nb_regions - 1; i > 0; i--) {
        const PhysRegion *r = &regions[i];
        if (!r->shadow_internal && r->kind != PHYS_RAM && pa >= r->base && pa - r->base < r->size) {
            return r;
        }
    }
    return NULL;
}

static uint64_t shadow_wo_read(void *opaque, uint64_t offset, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t pa = SHADOW_BASE + offset + i;
        const PhysRegion *r = bus_region_at(pa);
        uint8_t byte = 0xff;
        if (r && r->kind == PHYS_ROM) byte = r->host[pa - r->base];
        else if (r && r->kind == PHYS_MMIO && r->ops->read) byte = (uint8_t)r->ops->read(r->opaque, pa - r->base, 1);
        v |= (uint64_t)byte << (8 * i);
    }
    return v;
}

static void shadow_wo_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    const PhysRegion *ram = &regions[0];
    uint64_t pa = SHADOW_BASE + offset;
    for (unsigned i = 0; i < size; i++) ram->host[pa + i] = (uint8_t)(value >> (8 * i));
    code_check_write(ram, pa, size);
}

static const MemOps shadow_wo_ops = { shadow_wo_read, shadow_wo_write };

/* The window's two extra views, made once per address space. */
static bool shadow_views_create(void)
{
    if (shadow_ro_region >= 0) return true;
    PhysRegion *ro = region_add(PHYS_ROM, SHADOW_BASE, SHADOW_END - SHADOW_BASE);
    if (!ro) return false;
    ro->host = regions[0].host + SHADOW_BASE;
    ro->shadow_internal = true;
    shadow_ro_region = nb_regions++;
    PhysRegion *wo = region_add(PHYS_MMIO, SHADOW_BASE, SHADOW_END - SHADOW_BASE);
    if (!wo) return false;
    wo->ops = &shadow_wo_ops;
    wo->shadow_internal = true;
    shadow_wo_region = nb_regions++;
    return true;
}

bool phys_set_shadow(uint64_t base, uint64_t size, unsigned mode)
{
    if (base < SHADOW_BASE || base >= SHADOW_END || size > SHADOW_END - base ||
        (base | size) % SHADOW_BLOCK_SIZE || (mode & ~(unsigned)PHYS_SHADOW_RW) ||
        nb_regions == 0 || regions[0].kind != PHYS_RAM || ram_size < SHADOW_END) {
        return false;
    }
    if (!shadow_views_create()) return false;
    uint8_t saved[SHADOW_BLOCKS];
    bool was_active = shadow_active;
    memcpy(saved, shadow_mode, sizeof(saved));
    if (!shadow_active) memset(shadow_mode, PHYS_SHADOW_RW, sizeof(shadow_mode));
    bool changed = !shadow_active;
    for (uint64_t pa = base; pa < base + size; pa += SHADOW_BLOCK_SIZE) {
        unsigned b = (unsigned)((pa - SHADOW_BASE) / SHADOW_BLOCK_SIZE);
        changed |= shadow_mode[b] != mode;
        shadow_mode[b] = (uint8_t)mode;
    }
    if (!changed) return true;
    shadow_active = true;
    if (!segments_rebuild()) {
        memcpy(shadow_mode, saved, sizeof(saved));
        shadow_active = was_active;
        fprintf(stderr, "ferry: physical address map too fragmented for the shadow window\n");
        return false;
    }
    /* Blocks keyed by physical address in the range may now name other bytes (the code
     * running now may be among them: it stops before its next instruction), and every
     * TLB entry may point at the old view. */
    tb_invalidate_phys_range(base, base + size);
    if (first_cpu) tlb_flush(first_cpu);
    return true;
}

/* ---------------------------------------------------------------- A20 */

void phys_set_a20(bool enabled)
{
    uint64_t mask = enabled ? ~0ull : ~(1ull << 20);
    if (mask == a20_mask) return;
    a20_mask = mask;
    /* Every cached translation and every block keyed by physical address may now name
     * different memory. */
    if (first_cpu) tlb_flush(first_cpu);
    tb_flush();
}

bool phys_a20(void)
{
    return a20_mask == ~0ull;
}

uint64_t phys_a20_mask(void)
{
    return a20_mask;
}
