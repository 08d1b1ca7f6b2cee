/*
 * mmu/tlb.c — the software TLB: flushes, the slow paths behind the inline probe (page walk,
 * fill, MMIO dispatch, split page-crossing accesses) and instruction-fetch translation.
 *
 * Beside the TLB inside CPUState, this file keeps the physical page each entry maps
 * (tlb_phys): the slow path uses it to reach MMIO and code pages without a new walk, and
 * tlb_protect_code_page uses it to find every linear alias of a physical page that just
 * got code. There is one CPU per process (first_cpu), so one side array. tlb_global marks
 * the entries a CR3 load keeps (global pages with CR4.PGE).
 *
 * Data breakpoints: an entry whose page overlaps an enabled DR0-DR3 data breakpoint gets
 * TLB_WATCH in its read and write tags, so every access to the page comes here and is
 * reported to cpu_dr_watch_access before it is made. Writes to DR0-DR3/DR7 flush the TLB.
 */
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"
#include "hw/hw.h"
#include "mmu/mmu_internal.h"
#include "tcg/tcg.h"

size_t mmu_tlb_offset;

static uint64_t tlb_phys[NB_MMU_MODES][TLB_ENTRIES];
static bool tlb_global[NB_MMU_MODES][TLB_ENTRIES];

/* Linear range covered by the large pages (2/4 MiB, 1 GiB) in the TLB: all la with
 * (la & large_mask) == large_addr. An invlpg inside it flushes everything, since one
 * large page is spread over many 4 KiB entries. large_mask == 0 with large_addr == ~0:
 * no large pages. */
static uint64_t large_addr = ~0ull, large_mask;

#define TLB_TAG_FLAGS (TLB_MMIO | TLB_CODE | TLB_WATCH)
#define TLB_EMPTY (~0ull)   /* never equals a page address: TLB_INVALID is among its bits */

static inline unsigned tlb_index(uint64_t la)
{
    return (la >> PAGE_BITS) & (TLB_ENTRIES - 1);
}

static inline TLBEntry *tlb_entry(CPUState *env, uint64_t la, int mmu_idx)
{
    return &mmu_tlb(env)->e[mmu_idx][tlb_index(la)];
}

static inline bool tag_matches(uint64_t tag, uint64_t la)
{
    return !(tag & TLB_INVALID) && (tag & ~TLB_TAG_FLAGS) == (la & PAGE_MASK);
}

static void entry_clear(TLBEntry *e)
{
    e->addr_read = e->addr_write = e->addr_code = TLB_EMPTY;
    e->addend = 0;
}

void tlb_flush(CPUState *env)
{
    CPUTLB *tlb = mmu_tlb(env);
    for (int m = 0; m < NB_MMU_MODES; m++) {
        for (unsigned i = 0; i < TLB_ENTRIES; i++) entry_clear(&tlb->e[m][i]);
    }
    large_addr = ~0ull;
    large_mask = 0;
    tcg_jmp_cache_clear();
}

void tlb_flush_nonglobal(CPUState *env)
{
    CPUTLB *tlb = mmu_tlb(env);
    for (int m = 0; m < NB_MMU_MODES; m++) {
        for (unsigned i = 0; i < TLB_ENTRIES; i++) {
            if (!tlb_global[m][i]) entry_clear(&tlb->e[m][i]);
        }
    }
    /* the large-page range stays: it may still cover global large pages, and is only a
     * hint that makes tlb_flush_page flush more than it must */
    tcg_jmp_cache_clear();
}

void tlb_flush_page(CPUState *env, uint64_t la)
{
    if ((la & large_mask) == large_addr) {
        tlb_flush(env);
        return;
    }
    tcg_jmp_cache_clear_page(la);
    CPUTLB *tlb = mmu_tlb(env);
    unsigned i = tlb_index(la);
    for (int m = 0; m < NB_MMU_MODES; m++) {
        TLBEntry *e = &tlb->e[m][i];
        if (tag_matches(e->addr_read, la) || tag_matches(e->addr_write, la) ||
            tag_matches(e->addr_code, la)) {
            entry_clear(e);
        }
    }
}

void tlb_protect_code_page(uint64_t pa_page)
{
    if (!first_cpu) return;
    CPUTLB *tlb = mmu_tlb(first_cpu);
    for (int m = 0; m < NB_MMU_MODES; m++) {
        for (unsigned i = 0; i < TLB_ENTRIES; i++) {
            TLBEntry *e = &tlb->e[m][i];
            if (tlb_phys[m][i] == pa_page && !(e->addr_write & TLB_INVALID)) {
                e->addr_write |= TLB_CODE;
            }
        }
    }
}

static void note_large_page(uint64_t la, uint64_t size)
{
    uint64_t mask = ~(size - 1);
    if (large_mask == 0 && large_addr == ~0ull) {
        large_addr = la & mask;
        large_mask = mask;
        return;
    }
    /* widen the range until it covers both the old range and the new page */
    uint64_t m = large_mask & mask;
    while ((large_addr & m) != (la & m)) m <<= 1;
    large_mask = m;
    large_addr &= m;
}

/* A guest ran into something ferry cannot continue from (code outside RAM/ROM): say so
 * once and end the machine with status 1. */
_Noreturn static void guest_fatal(CPUState *env)
{
    if (env->machine) machine_request_exit(env->machine, 1);
    env->exception_index = EXCP_EXIT;
    cpu_loop_exit(env);
}

/* Linear address as the walk sees it: 32 bits outside long mode. */
static uint64_t effective_la(const CPUState *env, uint64_t la)
{
    return (env->hflags & HF_LMA) ? la : (uint32_t)la;
}

/* In long mode a linear address must be canonical (48 or, with LA57, 57 bits). */
static bool is_canonical(const CPUState *env, uint64_t la)
{
    return !(env->hflags & HF_LMA) || cpu_is_canonical(env, la);
}

static void check_canonical(CPUState *env, uint64_t la)
{
    if (!is_canonical(env, la)) cpu_raise_noncanonical(env, la);
}

/* Translate la for acc at mmu_idx and fill its TLB entry; returns the physical address.
 * Raises #PF / #GP. */
static uint64_t tlb_fill(CPUState *env, uint64_t la, MMUAccess acc, int mmu_idx)
{
    check_canonical(env, la);
    uint64_t wla = effective_la(env, la);
    MMUWalk w;
    if (mmu_paging_enabled(env, mmu_idx)) {
        if (!mmu_walk(env, wla, acc, mmu_idx, false, &w)) {
            env->cr[2] = wla;
            if (cpu_log_mask & CPU_LOG_MMU) mmu_log_fault(env, wla, w.error_code);
            cpu_raise_exception(env, EXCP_PF, w.error_code);
        }
    } else {
        w.pa = wla & phys_a20_mask();
        w.prot = MMU_PROT_READ | MMU_PROT_WRITE | MMU_PROT_EXEC;
        w.page_size = PAGE_SIZE;
        w.global = false;
    }
    if (w.page_size > PAGE_SIZE) note_large_page(la, w.page_size);

    uint64_t page_la = la & PAGE_MASK;
    uint64_t pa_page = w.pa & PAGE_MASK;
    uint8_t *host;
    bool has_code;
    PhysKind kind = phys_page_info(pa_page, &host, &has_code);
    unsigned i = tlb_index(la);
    TLBEntry *e = &mmu_tlb(env)->e[mmu_idx][i];

    uint64_t read_flags = host ? 0 : TLB_MMIO;
    uint64_t write_flags = (host && kind == PHYS_RAM) ? (has_code ? TLB_CODE : 0) : TLB_MMIO;
    if ((env->dr[7] & 0xff) && cpu_dr_data_match(env, page_la, PAGE_SIZE, true)) {
        /* a watched page: reads too, since DR7 R/W = 11 breaks on them */
        read_flags |= TLB_WATCH;
        write_flags |= TLB_WATCH;
    }
    if (mmu_watch_count) {
        unsigned watched = mmu_watch_page_kinds(effective_la(env, page_la));
        if (watched & WATCH_READ) read_flags |= TLB_WATCH;
        if (watched & WATCH_WRITE) write_flags |= TLB_WATCH;
    }
    e->addr_read = (w.prot & MMU_PROT_READ) ? page_la | read_flags : TLB_EMPTY;
    e->addr_write = (w.prot & MMU_PROT_WRITE) ? page_la | write_flags : TLB_EMPTY;
    e->addr_code = ((w.prot & MMU_PROT_EXEC) && host) ? page_la : TLB_EMPTY;
    e->addend = host ? (uintptr_t)host - (uintptr_t)page_la : 0;
    tlb_phys[mmu_idx][i] = pa_page;
    tlb_global[mmu_idx][i] = w.global;
    if (cpu_log_mask & CPU_LOG_MMU) mmu_log_fill(env, la, w.pa, w.prot, mmu_idx);
    return w.pa;
}

/* Physical address for an access of kind acc inside one page, from the TLB if the entry
 * already allows it (flags such as MMIO only mean "come here"), else through a fill. */
static uint64_t tlb_translate(CPUState *env, uint64_t la, MMUAccess acc, int mmu_idx)
{
    unsigned i = tlb_index(la);
    const TLBEntry *e = &mmu_tlb(env)->e[mmu_idx][i];
    uint64_t tag = acc == MMU_ACCESS_READ ? e->addr_read
                 : acc == MMU_ACCESS_WRITE ? e->addr_write : e->addr_code;
    if (tag_matches(tag, la)) return tlb_phys[mmu_idx][i] | (la & ~PAGE_MASK);
    return tlb_fill(env, la, acc, mmu_idx);
}

static bool crosses_page(uint64_t la, unsigned size)
{
    return (la & ~PAGE_MASK) + size > PAGE_SIZE;
}

/* Every slow-path access: debug watches, MMIO and ROM, code pages, page crossings. Kept out
 * of line so that the common miss in mmu_ld_slow/mmu_st_slow pays for none of it. */
__attribute__((noinline))
static uint64_t ld_general(CPUState *env, uint64_t la, unsigned size, int mmu_idx)
{
    if (env->dr[7] & 0xff) cpu_dr_watch_access(env, effective_la(env, la), size, false);
    if (!crosses_page(la, size)) {
        uint64_t pa = tlb_translate(env, la, MMU_ACCESS_READ, mmu_idx);
        if (mmu_watch_count) mmu_watch_access(env, effective_la(env, la), size, false);
        return phys_load(pa, size);
    }
    unsigned first = (unsigned)(PAGE_SIZE - (la & ~PAGE_MASK));
    uint64_t la2 = (la & PAGE_MASK) + PAGE_SIZE;
    uint64_t pa1 = tlb_translate(env, la, MMU_ACCESS_READ, mmu_idx);
    uint64_t pa2 = tlb_translate(env, la2, MMU_ACCESS_READ, mmu_idx);
    if (mmu_watch_count) mmu_watch_access(env, effective_la(env, la), size, false);
    uint64_t v = 0;
    for (unsigned b = 0; b < size; b++) {
        uint64_t pa = b < first ? pa1 + b : pa2 + (b - first);
        v |= phys_load(pa, 1) << (8 * b);
    }
    return v;
}

__attribute__((noinline))
static void st_general(CPUState *env, uint64_t la, uint64_t value, unsigned size, int mmu_idx)
{
    if (env->dr[7] & 0xff) cpu_dr_watch_access(env, effective_la(env, la), size, true);
    if (!crosses_page(la, size)) {
        uint64_t pa = tlb_translate(env, la, MMU_ACCESS_WRITE, mmu_idx);
        if (mmu_watch_count) mmu_watch_access(env, effective_la(env, la), size, true);
        phys_store(pa, value, size);
        return;
    }
    /* Both pages are translated (and may fault) before any byte is written. */
    unsigned first = (unsigned)(PAGE_SIZE - (la & ~PAGE_MASK));
    uint64_t la2 = (la & PAGE_MASK) + PAGE_SIZE;
    uint64_t pa1 = tlb_translate(env, la, MMU_ACCESS_WRITE, mmu_idx);
    uint64_t pa2 = tlb_translate(env, la2, MMU_ACCESS_WRITE, mmu_idx);
    if (mmu_watch_count) mmu_watch_access(env, effective_la(env, la), size, true);
    for (unsigned b = 0; b < size; b++) {
        uint64_t pa = b < first ? pa1 + b : pa2 + (b - first);
        phys_store(pa, value >> (8 * b), 1);
    }
}

/* The common miss: an access inside one page with no debug watch of any kind set. Fill the
 * entry if it does not map la for this access; if it is then a plain RAM page (no flag in
 * the tag), the inline probe hits and the access is made in place. */
static bool plain_access(const CPUState *env, uint64_t la, unsigned size)
{
    return !(env->dr[7] & 0xff) && !mmu_watch_count && !crosses_page(la, size);
}

uint64_t mmu_ld_slow(CPUState *env, uint64_t la, unsigned size, int mmu_idx)
{
    if (plain_access(env, la, size)) {
        const TLBEntry *e = tlb_entry(env, la, mmu_idx);
        if (!tag_matches(e->addr_read, la)) tlb_fill(env, la, MMU_ACCESS_READ, mmu_idx);
        if (e->addr_read == (la & PAGE_MASK)) return mmu_ld(env, la, size, mmu_idx);
    }
    return ld_general(env, la, size, mmu_idx);
}

void mmu_st_slow(CPUState *env, uint64_t la, uint64_t value, unsigned size, int mmu_idx)
{
    if (plain_access(env, la, size)) {
        const TLBEntry *e = tlb_entry(env, la, mmu_idx);
        if (!tag_matches(e->addr_write, la)) tlb_fill(env, la, MMU_ACCESS_WRITE, mmu_idx);
        if (e->addr_write == (la & PAGE_MASK)) {
            mmu_st(env, la, value, size, mmu_idx);
            return;
        }
    }
    st_general(env, la, value, size, mmu_idx);
}

uint64_t mmu_translate_code(CPUState *env, uint64_t la, int mmu_idx)
{
    unsigned i = tlb_index(la);
    const TLBEntry *e = &mmu_tlb(env)->e[mmu_idx][i];
    if (e->addr_code == (la & PAGE_MASK)) return tlb_phys[mmu_idx][i] | (la & ~PAGE_MASK);
    uint64_t pa = tlb_fill(env, la, MMU_ACCESS_EXEC, mmu_idx);
    if (e->addr_code != (la & PAGE_MASK)) {
        fprintf(stderr, "ferry: guest executes at 0x%llx (physical 0x%llx), which is not RAM or ROM\n",
                (unsigned long long)la, (unsigned long long)pa);
        guest_fatal(env);
    }
    return pa;
}

const uint8_t *mmu_code_ptr(CPUState *env, uint64_t la, int mmu_idx)
{
    const TLBEntry *e = &mmu_tlb(env)->e[mmu_idx][tlb_index(la)];
    if (e->addr_code != (la & PAGE_MASK)) mmu_translate_code(env, la, mmu_idx);
    return (const uint8_t *)(uintptr_t)(la + e->addend);
}

bool mmu_debug_translate(CPUState *env, uint64_t la, uint64_t *pa)
{
    if (!is_canonical(env, la)) return false;
    uint64_t wla = effective_la(env, la);
    int mmu_idx = cpu_mmu_index(env);
    if (!mmu_paging_enabled(env, mmu_idx)) {
        *pa = wla & phys_a20_mask();
        return true;
    }
    MMUWalk w;
    if (!mmu_walk(env, wla, MMU_ACCESS_READ, mmu_idx, true, &w)) return false;
    *pa = w.pa;
    return true;
}
