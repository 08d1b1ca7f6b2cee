/*
 * tests/tcg/fake_mmu.c — see fake_mmu.h.
 */
#include "tests/tcg/fake_mmu.h"
#include "tcg/tcg.h"

#include <string.h>

uint8_t fake_ram[FAKE_RAM_SIZE];
uint64_t fake_slow_loads, fake_slow_stores;
void (*fake_mmio_store)(void *env, uint64_t la, uint64_t value, unsigned size);
size_t mmu_tlb_offset;

#define SLICES (FAKE_RAM_SIZE >> CODE_SLICE_BITS)
static bool code_slice[SLICES];
static void *attached_env;

static CPUTLB *tlb(void)
{
    return mmu_tlb((struct CPUState *)attached_env);
}

static bool page_has_code(uint64_t page)
{
    for (uint64_t pa = page; pa < page + PAGE_SIZE; pa += 1u << CODE_SLICE_BITS)
        if (code_slice[pa >> CODE_SLICE_BITS])
            return true;
    return false;
}

/* Writes to pages holding code take the slow path, as the real TLB does. */
static void refresh_write_tag(uint64_t page)
{
    for (int m = 0; m < NB_MMU_MODES; m++) {
        TLBEntry *e = &tlb()->e[m][(page >> PAGE_BITS) & (TLB_ENTRIES - 1)];
        if (e->addr_read == page)
            e->addr_write = page | (page_has_code(page) ? TLB_CODE : 0);
    }
}

void fake_mmu_attach(void *env, size_t tlb_offset)
{
    attached_env = env;
    mmu_tlb_offset = tlb_offset;
    for (int m = 0; m < NB_MMU_MODES; m++)
        for (unsigned i = 0; i < TLB_ENTRIES; i++) {
            TLBEntry *e = &tlb()->e[m][i];
            uint64_t page = (uint64_t)i << PAGE_BITS;
            bool mapped = page < FAKE_RAM_SIZE;
            e->addr_read = e->addr_write = e->addr_code = mapped ? page : TLB_INVALID;
            e->addend = (uintptr_t)fake_ram;
        }
    for (uint64_t page = 0; page < FAKE_RAM_SIZE; page += PAGE_SIZE)
        refresh_write_tag(page);
}

void fake_tlb_drop_page(uint64_t la)
{
    for (int m = 0; m < NB_MMU_MODES; m++) {
        TLBEntry *e = &tlb()->e[m][(la >> PAGE_BITS) & (TLB_ENTRIES - 1)];
        e->addr_read = e->addr_write = e->addr_code = TLB_INVALID;
    }
}

bool fake_code_marked(uint64_t pa)
{
    return pa < FAKE_RAM_SIZE && code_slice[pa >> CODE_SLICE_BITS];
}

void phys_code_mark(uint64_t start, uint64_t end)
{
    for (uint64_t pa = start & ~((1ull << CODE_SLICE_BITS) - 1); pa < end && pa < FAKE_RAM_SIZE;
         pa += 1u << CODE_SLICE_BITS) {
        code_slice[pa >> CODE_SLICE_BITS] = true;
        refresh_write_tag(pa & PAGE_MASK);
    }
}

void phys_code_clear_all(void)
{
    memset(code_slice, 0, sizeof(code_slice));
    for (uint64_t page = 0; page < FAKE_RAM_SIZE; page += PAGE_SIZE)
        refresh_write_tag(page);
}

bool phys_page_has_code(uint64_t pa)
{
    return pa < FAKE_RAM_SIZE && page_has_code(pa & PAGE_MASK);
}

uint64_t mmu_ld_slow(struct CPUState *env, uint64_t la, unsigned size, int mmu_idx)
{
    fake_slow_loads++;
    if (la >= FAKE_RAM_SIZE || size > FAKE_RAM_SIZE - la)
        return 0;
    uint64_t v = 0;
    memcpy(&v, &fake_ram[la], size);     /* little-endian host, like the guest */
    return v;
}

void mmu_st_slow(struct CPUState *env, uint64_t la, uint64_t value, unsigned size, int mmu_idx)
{
    fake_slow_stores++;
    if (la >= FAKE_RAM_SIZE || size > FAKE_RAM_SIZE - la) {
        if (fake_mmio_store)
            fake_mmio_store(env, la, value, size);
        return;
    }
    memcpy(&fake_ram[la], &value, size);
    for (uint64_t pa = la; pa < la + size; pa++) {
        if (code_slice[pa >> CODE_SLICE_BITS]) {
            tb_invalidate_phys_range(la, la + size);
            break;
        }
    }
}
