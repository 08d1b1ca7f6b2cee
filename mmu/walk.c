/*
 * mmu/walk.c — the guest page-table walk: 32-bit two-level (with PSE 4 MiB pages and
 * PSE-36), PAE three-level (4 PDPTEs, 2 MiB pages), long-mode four-level (2 MiB and
 * 1 GiB pages) and five-level with CR4.LA57 (a PML5 above the PML4). Permissions combine
 * over the levels (R/W and U/S must allow at every level, XD at any level forbids
 * execution when EFER.NXE), CR0.WP makes read-only pages read-only for the kernel too,
 * accessed/dirty bits are set as the hardware does, and a failure yields the #PF error
 * code (P, W/R, U/S, RSVD, I/D).
 *
 * SMEP (CR4 bit 20) forbids supervisor fetches from user pages; SMAP (bit 21) forbids
 * supervisor data accesses to user pages except through MMU_KERNEL_AC_IDX (explicit
 * accesses with EFLAGS.AC = 1; MMU_KERNEL_IDX also serves implicit accesses, which SMAP
 * always checks). The leaf's G bit with CR4.PGE marks the translation global for tlb.c.
 *
 * Not modelled yet: protection keys, and PDPTE caching at CR3 load in PAE mode (the PDPTEs
 * are read on each walk, as if reloaded).
 */
#include "cpu/cpu.h"
#include "mmu/mmu_internal.h"

#define CR0_WP   (1ull << 16)
#define CR0_PG   (1ull << 31)
#define CR4_PSE  (1ull << 4)
#define CR4_PAE  (1ull << 5)
#define CR4_PGE  (1ull << 7)
#define CR4_LA57 (1ull << 12)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)
#define EFER_NXE (1ull << 11)

#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_US   (1ull << 2)
#define PTE_A    (1ull << 5)
#define PTE_D    (1ull << 6)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_XD   (1ull << 63)

#define PF_P     (1u << 0)
#define PF_W     (1u << 1)
#define PF_U     (1u << 2)
#define PF_RSVD  (1u << 3)
#define PF_I     (1u << 4)

/* The physical-address width ferry reports (CPUID 0x80000008 should say the same). Bits
 * of 8-byte entries from here to bit 51 are reserved. */
#define PHYS_ADDR_BITS 40
#define ADDR_MASK_64 (((1ull << PHYS_ADDR_BITS) - 1) & ~0xfffull)
#define RSVD_HIGH_64 (((1ull << 52) - 1) & ~((1ull << PHYS_ADDR_BITS) - 1))
/* PDPTE bits reserved in PAE (non-long) mode: 1, 2, 5-8 */
#define RSVD_PAE_PDPTE 0x1e6ull

/* One paging format: the levels from the root, each translating `shift` and up. */
typedef struct PagingFormat {
    int levels;
    unsigned shift[5];
    unsigned entry_size;        /* 4 or 8 bytes */
    unsigned index_bits;        /* 10 or 9 */
    uint64_t large_shifts;      /* bit s set: PS at the level of shift s maps a large page */
} PagingFormat;

bool mmu_paging_enabled(const CPUState *env, int mmu_idx)
{
    return mmu_idx != MMU_PHYS_IDX && (env->cr[0] & CR0_PG);
}

static uint64_t load_entry(uint64_t pa, unsigned size)
{
    return phys_load(pa & phys_a20_mask(), size);
}

static void store_entry(uint64_t pa, uint64_t value, unsigned size)
{
    phys_store(pa & phys_a20_mask(), value, size);
}

bool mmu_walk(CPUState *env, uint64_t la, MMUAccess acc, int mmu_idx, bool debug, MMUWalk *w)
{
    const bool user = mmu_idx == MMU_USER_IDX;
    const bool write = acc == MMU_ACCESS_WRITE;
    const bool exec = acc == MMU_ACCESS_EXEC;
    const bool long_mode = (env->hflags & HF_LMA) != 0;
    const bool pae = long_mode || (env->cr[4] & CR4_PAE);
    const bool nxe = pae && (env->efer & EFER_NXE);
    const bool wp = (env->cr[0] & CR0_WP) != 0;
    const bool smep = (env->cr[4] & CR4_SMEP) != 0;
    /* supervisor data accesses SMAP keeps away from user pages */
    const bool smap = !user && !exec && mmu_idx != MMU_KERNEL_AC_IDX && (env->cr[4] & CR4_SMAP);

    uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0) | (exec && (nxe || smep) ? PF_I : 0);
    PagingFormat fmt;
    uint64_t table;
    uint64_t rsvd = pae ? RSVD_HIGH_64 | (nxe ? 0 : PTE_XD) : 0;

    if (long_mode && (env->cr[4] & CR4_LA57)) {
        fmt = (PagingFormat){ 5, { 48, 39, 30, 21, 12 }, 8, 9, (1ull << 30) | (1ull << 21) };
        table = env->cr[3] & ADDR_MASK_64;
    } else if (long_mode) {
        fmt = (PagingFormat){ 4, { 39, 30, 21, 12 }, 8, 9, (1ull << 30) | (1ull << 21) };
        table = env->cr[3] & ADDR_MASK_64;
    } else if (pae) {
        uint64_t pdpte_pa = (env->cr[3] & 0xffffffe0u) + ((la >> 30) & 3) * 8;
        uint64_t pdpte = load_entry(pdpte_pa, 8);
        if (!(pdpte & PTE_P)) goto not_present;
        if (pdpte & (RSVD_HIGH_64 | RSVD_PAE_PDPTE | PTE_XD)) goto reserved;
        fmt = (PagingFormat){ 2, { 21, 12 }, 8, 9, 1ull << 21 };
        table = pdpte & ADDR_MASK_64;
    } else {
        fmt = (PagingFormat){ 2, { 22, 12 }, 4, 10, (env->cr[4] & CR4_PSE) ? 1ull << 22 : 0 };
        table = env->cr[3] & 0xfffff000u;
    }

    uint64_t entry_pa[5], entry[5];
    bool rw = true, us = true, xd = false;
    uint64_t page_base = 0, page_size = PAGE_SIZE;
    int n;
    for (n = 0; n < fmt.levels; n++) {
        unsigned shift = fmt.shift[n];
        uint64_t index = (la >> shift) & ((1ull << fmt.index_bits) - 1);
        entry_pa[n] = table + index * fmt.entry_size;
        uint64_t e = entry[n] = load_entry(entry_pa[n], fmt.entry_size);
        if (!(e & PTE_P)) goto not_present;
        bool large = shift != PAGE_BITS && (e & PTE_PS);
        if (pae) {
            uint64_t level_rsvd = rsvd;
            if (large && !(fmt.large_shifts & (1ull << shift))) goto reserved;   /* PS in a PML4E */
            if (large) level_rsvd |= ((1ull << shift) - 1) & ~0x1fffull;         /* below the frame, above PAT */
            if (e & level_rsvd) goto reserved;
        } else if (large && !(fmt.large_shifts & (1ull << shift))) {
            large = false;          /* PS without CR4.PSE: an ordinary page-table pointer */
        } else if (large && (e & (1ull << 21))) {
            goto reserved;          /* bit 21 of a 4 MiB PDE */
        }
        rw = rw && (e & PTE_RW);
        us = us && (e & PTE_US);
        xd = xd || (nxe && (e & PTE_XD));
        if (large || shift == PAGE_BITS) {
            page_size = 1ull << shift;
            if (!pae && large) {
                /* PSE-36: PDE bits 20:13 are physical address bits 39:32 */
                page_base = (e & 0xffc00000u) | (((e >> 13) & 0xff) << 32);
            } else {
                page_base = (pae ? e & ADDR_MASK_64 : e & 0xfffff000u) & ~(page_size - 1);
            }
            break;
        }
        table = pae ? e & ADDR_MASK_64 : e & 0xfffff000u;
    }

    if (!debug) {
        bool smep_fault = exec && !user && smep && us;
        if ((user && !us) || (write && !rw && (user || wp)) || (exec && xd) || smep_fault ||
            (smap && us)) {
            w->error_code = err | PF_P;
            return false;
        }
        for (int i = 0; i <= n; i++) {
            uint64_t want = entry[i] | PTE_A | (i == n && write ? PTE_D : 0);
            if (want != entry[i]) {
                store_entry(entry_pa[i], want, fmt.entry_size);
                entry[i] = want;
            }
        }
    }

    bool may_access = user ? us : !(us && (env->cr[4] & CR4_SMAP) && mmu_idx != MMU_KERNEL_AC_IDX);
    bool may_exec = (user ? us : !(us && smep)) && !xd;
    bool may_write = may_access && (user ? rw : rw || !wp) && (entry[n] & PTE_D);
    w->pa = (page_base | (la & (page_size - 1))) & phys_a20_mask();
    w->page_size = page_size;
    w->global = (env->cr[4] & CR4_PGE) && (entry[n] & PTE_G);
    w->prot = (may_access ? MMU_PROT_READ : 0) | (may_write ? MMU_PROT_WRITE : 0) |
              (may_exec ? MMU_PROT_EXEC : 0);
    return true;

not_present:
    w->error_code = err;
    return false;
reserved:
    w->error_code = err | PF_P | PF_RSVD;
    return false;
}
