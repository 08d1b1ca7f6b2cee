/*
 * tests/tcg/fake_mmu.h — a flat stand-in for mmu/ so tcg's tests link on their own:
 * FAKE_RAM_SIZE bytes of guest RAM at linear = physical 0, a TLB filled so the inline fast
 * path hits, slow paths that count their calls, and the code bitmap that turns writes to
 * translated code into tb_invalidate_phys_range() like the real mmu.
 */
#ifndef FERRY_TESTS_TCG_FAKE_MMU_H
#define FERRY_TESTS_TCG_FAKE_MMU_H

#include "mmu/mmu.h"

#define FAKE_RAM_SIZE (64u * 1024)

extern uint8_t fake_ram[FAKE_RAM_SIZE];
extern uint64_t fake_slow_loads, fake_slow_stores;
/* Called for stores outside RAM (the tests' MMIO). */
extern void (*fake_mmio_store)(void *env, uint64_t la, uint64_t value, unsigned size);

/* Point the fake at env's TLB (at tlb_offset inside env) and map all RAM in every mode. */
void fake_mmu_attach(void *env, size_t tlb_offset);
/* Leave one page out of the TLB, so accesses to it take the slow path. */
void fake_tlb_drop_page(uint64_t la);
bool fake_code_marked(uint64_t pa);

#endif
