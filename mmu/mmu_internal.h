/*
 * mmu/mmu_internal.h — shared between the files of mmu/ only (phys.c, tlb.c, walk.c,
 * ioport.c). Other parts include mmu/mmu.h.
 */
#ifndef FERRY_MMU_INTERNAL_H
#define FERRY_MMU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mmu.h"

struct CPUState;

/* ---------------------------------------------------------------- phys.c */

typedef enum PhysKind { PHYS_UNMAPPED, PHYS_RAM, PHYS_ROM, PHYS_MMIO } PhysKind;

/* What backs the physical page at pa_page (page aligned), in the one lookup a TLB fill
 * makes. *host is set to the host bytes of the page when one RAM or ROM region covers the
 * whole page (so the TLB may point at it), otherwise to NULL and every access goes through
 * phys_load/phys_store. *has_code says whether the page holds translated code (as
 * phys_page_has_code). */
PhysKind phys_page_info(uint64_t pa_page, uint8_t **host, bool *has_code);

/* One access of 1, 2, 4 or 8 bytes at a physical address, routed to RAM, ROM, MMIO or the
 * unmapped void (reads all ones, writes dropped). Stores to RAM invalidate code they touch.
 * Accesses that straddle two regions are split into bytes. */
uint64_t phys_load(uint64_t pa, unsigned size);
void phys_store(uint64_t pa, uint64_t value, unsigned size);

/* ~0 with A20 on; bit 20 clear with A20 off. Applied to every CPU-generated physical
 * address (page walks included), not to loader or DMA accesses. */
uint64_t phys_a20_mask(void);

/* ---------------------------------------------------------------- tlb.c */

/* Send every write to physical page pa_page through the slow path (it just got code). */
void tlb_protect_code_page(uint64_t pa_page);

/* ---------------------------------------------------------------- walk.c */

typedef enum MMUAccess { MMU_ACCESS_READ, MMU_ACCESS_WRITE, MMU_ACCESS_EXEC } MMUAccess;

/* Permissions a translation grants, for the TLB */
#define MMU_PROT_READ  1u
#define MMU_PROT_WRITE 2u
#define MMU_PROT_EXEC  4u

typedef struct MMUWalk {
    uint64_t pa;            /* physical address of la (A20 applied) */
    unsigned prot;          /* MMU_PROT_*: what later accesses to the page may do without a walk */
    uint64_t page_size;     /* 4 KiB, 2 MiB, 4 MiB or 1 GiB: what tlb_flush_page must cover */
    bool global;            /* G bit with CR4.PGE: kept across CR3 loads */
    uint32_t error_code;    /* #PF error code when the walk fails */
} MMUWalk;

/* True when accesses at mmu_idx go through the guest page tables. */
bool mmu_paging_enabled(const struct CPUState *env, int mmu_idx);

/* Walk the guest page tables for an access of kind acc at mmu_idx. On success fills w and,
 * unless debug, sets the accessed (and for writes the dirty) bits. On failure returns false
 * with w->error_code set; the caller raises #PF. A debug walk never writes guest memory and
 * checks no permission. */
bool mmu_walk(struct CPUState *env, uint64_t la, MMUAccess acc, int mmu_idx, bool debug, MMUWalk *w);

#endif
