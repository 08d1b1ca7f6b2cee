/*
 * mmu/mmu.h — the contract of the memory part: the guest physical address space (RAM, ROM,
 * MMIO and I/O-port regions with their dispatch), the software TLB and its fast-path layout
 * that backends inline, the guest page-table walk, and the code bitmap that drives
 * self-modifying-code invalidation.
 *
 * One physical address space per process. The TLB lives inside the CPU state (at
 * mmu_tlb_offset from env) so generated code reaches it with one base register.
 */
#ifndef FERRY_MMU_H
#define FERRY_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct CPUState;

#define PAGE_BITS 12
#define PAGE_SIZE (1ull << PAGE_BITS)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* ---------------------------------------------------------------- physical address space */

typedef struct MemOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
} MemOps;

/* Guest RAM at physical 0 .. size (the PCI hole and high RAM come with the platform
 * issue). Reserved, not committed: pages cost host memory once the guest touches them.
 * Returns false with a message on stderr if the host refuses the reservation. */
bool phys_init(uint64_t ram_size);
uint64_t phys_ram_size(void);

/* Read-only memory: the bytes are copied; guest writes to it are ignored. Later mappings
 * win over earlier ones where they overlap (so ROM shadows RAM below 1 MiB). */
bool phys_map_rom(uint64_t base, const void *data, uint64_t size);
bool phys_map_mmio(uint64_t base, uint64_t size, const MemOps *ops, void *opaque);

/* Host pointer to [pa, pa+len) if the whole range is RAM, else NULL. For loaders and DMA. */
uint8_t *phys_ram_ptr(uint64_t pa, uint64_t len);
/* Host pointer to the guest RAM bytes at [pa, pa+len), whatever the CPU sees there (ROM or
 * the shadow window may cover it), else NULL. For snapshots: they save and restore RAM,
 * hidden parts included. Writes through it bypass code invalidation (flush after). */
uint8_t *phys_ram_backing(uint64_t pa, uint64_t len);
/* Byte-wise access that routes each part to RAM, ROM or MMIO; writes to ROM are dropped and
 * reads of unmapped space return 0xff. Writes invalidate translated code they overlap. */
void phys_read(uint64_t pa, void *buf, uint64_t len);
void phys_write(uint64_t pa, const void *buf, uint64_t len);

/* Shadow RAM below 1 MiB (the i440FX PAM registers): for the RAM in [base, base+size), a
 * range of whole 16 KiB blocks inside 0xC0000-0xFFFFF, whether CPU reads (PHYS_SHADOW_READ)
 * and writes (PHYS_SHADOW_WRITE) reach the RAM; the rest goes to what else is mapped there
 * (the BIOS ROM alias), else nowhere (reads all ones). Until first called, RAM is fully
 * visible there. Discards translated code in the range and flushes the TLB. false if the
 * range or mode is invalid. */
#define PHYS_SHADOW_READ 1u
#define PHYS_SHADOW_WRITE 2u
#define PHYS_SHADOW_RW (PHYS_SHADOW_READ | PHYS_SHADOW_WRITE)
bool phys_set_shadow(uint64_t base, uint64_t size, unsigned mode);

/* A20 gate: when off, physical address bit 20 is forced to 0 (real-mode wrap). */
void phys_set_a20(bool enabled);
bool phys_a20(void);

/* ---------------------------------------------------------------- I/O ports */

bool port_register(uint16_t base, uint16_t count, const MemOps *ops, void *opaque);
/* Take the region registered at base with these ops and opaque off the bus again (a guest
 * moved or disabled a base-address register); its ports read as unclaimed and its slot can
 * be reused. Nothing happens if no such region is registered. */
void port_unregister(uint16_t base, const MemOps *ops, void *opaque);
/* A register that answers only accesses of exactly size bytes at base, ahead of whoever owns
 * those ports byte by byte (PCI's CONFIG_ADDRESS is the dword at 0xCF8, while the byte at
 * 0xCF9 is the reset control register). */
bool port_register_exact(uint16_t base, unsigned size, const MemOps *ops, void *opaque);
/* size is 1, 2 or 4. Unclaimed ports read as all ones and ignore writes. */
uint32_t port_read(uint16_t port, unsigned size);
void port_write(uint16_t port, uint32_t value, unsigned size);

/* ---------------------------------------------------------------- code bitmap
 * tcg marks the 128-byte slices of physical memory that hold translated code; a write that
 * touches a marked slice calls tb_invalidate_phys_range(). Writes elsewhere cost nothing
 * beyond the TLB's slow path for pages that hold any code. */
#define CODE_SLICE_BITS 7
void phys_code_mark(uint64_t start, uint64_t end);
void phys_code_clear_all(void);
bool phys_page_has_code(uint64_t pa);

/* ---------------------------------------------------------------- software TLB
 *
 * Direct-mapped, TLB_ENTRIES per mmu index. Entry for linear address a is
 * e = &tlb->e[mmu_idx][(a >> PAGE_BITS) & (TLB_ENTRIES - 1)]. The fast path for an access
 * of n bytes compares ((a + n - 1) & PAGE_MASK) with e->addr_read (or addr_write,
 * addr_code): equal means the whole access is inside one RAM page with that permission,
 * and the host address is a + e->addend. Any flag bit in the tag's low bits makes the
 * compare fail and sends the access to the slow path (MMIO, ROM writes, code pages,
 * watchpoints, invalid entries).
 */
#define TLB_BITS 8
#define TLB_ENTRIES (1u << TLB_BITS)
#define NB_MMU_MODES 4           /* see cpu.h MMU_*_IDX */

#define TLB_INVALID  (1ull << 0) /* the entry holds nothing for this access type */
#define TLB_MMIO     (1ull << 1) /* device memory or ROM write: slow path dispatches */
#define TLB_CODE     (1ull << 2) /* write to a page with translated code */
#define TLB_WATCH    (1ull << 3) /* debugger watchpoint on this page */

typedef struct TLBEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;            /* host = linear + addend, for RAM pages */
} TLBEntry;

typedef struct CPUTLB {
    TLBEntry e[NB_MMU_MODES][TLB_ENTRIES];
} CPUTLB;

/* Set once by cpu/: where the TLB sits inside the CPU state. */
extern size_t mmu_tlb_offset;
static inline CPUTLB *mmu_tlb(struct CPUState *env) { return (CPUTLB *)((char *)env + mmu_tlb_offset); }

void tlb_flush(struct CPUState *env);                    /* everything */
void tlb_flush_page(struct CPUState *env, uint64_t la);  /* one linear page, all modes */
/* CR3 load: every entry except the global ones (G bit with CR4.PGE) */
void tlb_flush_nonglobal(struct CPUState *env);

/* Slow paths: translate through the page tables (or identity with paging off), fill the
 * TLB, dispatch MMIO, invalidate code on writes to code slices; raise #PF (or #GP for a
 * non-canonical address) through cpu_raise_exception(). size is 1, 2, 4 or 8; accesses
 * that cross a page are split. */
uint64_t mmu_ld_slow(struct CPUState *env, uint64_t la, unsigned size, int mmu_idx);
void mmu_st_slow(struct CPUState *env, uint64_t la, uint64_t value, unsigned size, int mmu_idx);

/* Loads and stores for helpers in C (string instructions, descriptor tables...). */
static inline uint64_t mmu_ld(struct CPUState *env, uint64_t la, unsigned size, int mmu_idx)
{
    TLBEntry *e = &mmu_tlb(env)->e[mmu_idx][(la >> PAGE_BITS) & (TLB_ENTRIES - 1)];
    if (((la + size - 1) & PAGE_MASK) == e->addr_read) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)(la + e->addend);
        switch (size) {
        case 1: return *p;
        case 2: { uint16_t v; __builtin_memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
        default: { uint64_t v; __builtin_memcpy(&v, p, 8); return v; }
        }
    }
    return mmu_ld_slow(env, la, size, mmu_idx);
}

static inline void mmu_st(struct CPUState *env, uint64_t la, uint64_t value, unsigned size, int mmu_idx)
{
    TLBEntry *e = &mmu_tlb(env)->e[mmu_idx][(la >> PAGE_BITS) & (TLB_ENTRIES - 1)];
    if (((la + size - 1) & PAGE_MASK) == e->addr_write) {
        uint8_t *p = (uint8_t *)(uintptr_t)(la + e->addend);
        switch (size) {
        case 1: *p = (uint8_t)value; return;
        case 2: { uint16_t v = (uint16_t)value; __builtin_memcpy(p, &v, 2); return; }
        case 4: { uint32_t v = (uint32_t)value; __builtin_memcpy(p, &v, 4); return; }
        default: __builtin_memcpy(p, &value, 8); return;
        }
    }
    mmu_st_slow(env, la, value, size, mmu_idx);
}

/* Instruction fetch: physical address of linear la for execution (fills the code TLB;
 * raises #PF on failure). Code is only ever executed from RAM or ROM. */
uint64_t mmu_translate_code(struct CPUState *env, uint64_t la, int mmu_idx);
/* Host pointer to the code byte at linear la (after mmu_translate_code succeeded for its
 * page), for the decoder. */
const uint8_t *mmu_code_ptr(struct CPUState *env, uint64_t la, int mmu_idx);

/* Side-effect-free walk for the debugger: linear -> physical, no A/D updates, no faults.
 * Returns false if not mapped. */
bool mmu_debug_translate(struct CPUState *env, uint64_t la, uint64_t *pa);

/* ---------------------------------------------------------------- debugger watchpoints
 * (mmu/watch.c) Linear ranges whose accesses stop the CPU for the debugger, after the
 * accessing instruction completed. Pages holding one get TLB_WATCH in the tags of the
 * watched access kinds; with none set, the slow paths test mmu_watch_count only. */
typedef enum WatchKind { WATCH_WRITE = 1, WATCH_READ = 2, WATCH_ACCESS = 3 } WatchKind;
typedef struct WatchHit {
    uint64_t addr;          /* the watchpoint's own address */
    uint64_t access;        /* linear address of the access that hit it */
    WatchKind kind;
    bool write;
} WatchHit;
extern unsigned mmu_watch_count;
bool mmu_watch_insert(struct CPUState *env, uint64_t la, uint64_t len, WatchKind kind);
bool mmu_watch_remove(struct CPUState *env, uint64_t la, uint64_t len, WatchKind kind);
void mmu_watch_remove_all(struct CPUState *env);
/* tlb.c: WatchKind bits (WATCH_READ: read tag, WATCH_WRITE: write tag) of the page at la */
unsigned mmu_watch_page_kinds(uint64_t page_la);
/* tlb.c's slow paths, before an access: a hit from translated code abandons the
 * instruction and re-runs it alone (cpu_exec then returns EXCP_DEBUG) */
void mmu_watch_access(struct CPUState *env, uint64_t la, unsigned size, bool write);
/* After cpu_exec returned (insn_done: it returned EXCP_DEBUG): the hit, if one is complete */
bool mmu_watch_take_hit(struct CPUState *env, bool insn_done, WatchHit *out);
/* Forget a hit whose re-run has not happened (the debugger resumes or steps instead) */
void mmu_watch_cancel(struct CPUState *env);

/* -d mmu (ui/trace.c writes it): a bit of cpu_log_mask (cpu/cpu.h), and tlb.c's hooks */
#define CPU_LOG_MMU 0x40
void mmu_log_fault(struct CPUState *env, uint64_t la, uint32_t error_code);
void mmu_log_fill(struct CPUState *env, uint64_t la, uint64_t pa, unsigned prot, int mmu_idx);

#endif
