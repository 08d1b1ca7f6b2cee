/*
 * tests/diff/ferry_side.c — ferry as the model under test: cpu/ + tcg/ as a library on a
 * flat memory model (guest RAM covering the fixed code and data addresses, flat 32-bit
 * protected mode or flat 64-bit code), exceptions returned instead of delivered.
 *
 * The code bytes go in through phys_write() on purpose: the same addresses are reused by
 * every case, so this exercises the invalidation of the previous case's translations.
 * The sequence is followed by HLT, which makes cpu_exec return EXCP_HLT (library mode with
 * no machine); natively the exit stub sits at the same address.
 *
 * With paging (--paging, 64-bit only) the CPU is in real long mode instead of flat64's
 * "paging off means identity": 4-level tables in guest RAM identity-map the code page and
 * the data region, CR0.PG|WP, CR4.PAE|PGE, EFER.LME|LMA|NXE. Every case starts from fresh
 * entries with the accessed and dirty bits clear and an empty TLB, so each case walks the
 * tables, takes the TLB slow path and has the walker set A/D; afterwards the entries are
 * checked against what the case did (paging_check()).
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "diff.h"

const char diff_model_name[] = "ferry";

static CPUState cpu;
static int current_mode;
static bool paging;

/* ---------------------------------------------------------------- --paging
 * Architectural bits (Intel SDM vol. 3, 2.5 and 4.5); cpu/'s own names are private to it. */
#define CR0_PE   (1ull << 0)
#define CR0_WP   (1ull << 16)
#define CR0_PG   (1ull << 31)
#define CR4_PAE  (1ull << 5)
#define CR4_PGE  (1ull << 7)
#define CR4_OSFXSR (1ull << 9)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_A  (1ull << 5)
#define PTE_D  (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G  (1ull << 8)
#define PTE_XD (1ull << 63)

#define LARGE_PAGE_SIZE (1ull << 21)

/* The tables: one page each, in RAM the harness otherwise leaves alone (below the code) */
#define PT_PML4      0x100000u
#define PT_PDPT      0x101000u
#define PT_PD        0x102000u
#define PT_CODE      0x103000u   /* 4 KiB pages of the 2 MiB that hold the code */
#define PT_DATA      0x104000u   /* 4 KiB pages of the 2 MiB that hold the data region */
#define PT_END       0x105000u
#define DATA_PAGES   (DIFF_DATA_SIZE / PAGE_SIZE)

_Static_assert(PT_END <= DIFF_CODE_BASE, "page tables overlap the code");
_Static_assert(DIFF_CODE_BASE / LARGE_PAGE_SIZE != DIFF_DATA_BASE / LARGE_PAGE_SIZE,
               "code and data need page directory entries of their own");
_Static_assert(DIFF_DATA_BASE / LARGE_PAGE_SIZE == (DIFF_DATA_BASE + DIFF_DATA_SIZE - 1) / LARGE_PAGE_SIZE &&
               DIFF_DATA_BASE % PAGE_SIZE == 0 && DIFF_DATA_SIZE % PAGE_SIZE == 0,
               "the data region is whole pages inside one 2 MiB page");
_Static_assert((DIFF_DATA_BASE & ~(LARGE_PAGE_SIZE - 1)) + LARGE_PAGE_SIZE <= DIFF_RAM_SIZE,
               "the 2 MiB data page is RAM");
_Static_assert(DIFF_CODE_BASE < (1ull << 30) && DIFF_DATA_BASE < (1ull << 30),
               "one PML4 entry and one PDPT entry cover everything");
_Static_assert(DIFF_DATA_PAGES_MAX >= DATA_PAGES, "DiffResult's page bits cover the data region");

static unsigned table_index(uint64_t la, unsigned shift) { return (unsigned)(la >> shift) & 511; }

static uint64_t *entry(uint64_t table, unsigned index)
{
    return (uint64_t *)(void *)phys_ram_ptr(table + index * 8ull, 8);
}

static uint64_t *code_pde(void) { return entry(PT_PD, table_index(DIFF_CODE_BASE, 21)); }
static uint64_t *data_pde(void) { return entry(PT_PD, table_index(DIFF_DATA_BASE, 21)); }
static uint64_t *code_pte(void) { return entry(PT_CODE, table_index(DIFF_CODE_BASE, 12)); }
static uint64_t *data_pte(unsigned page) { return entry(PT_DATA, table_index(DIFF_DATA_BASE, 12) + page); }

/* One case in four maps the data region with one 2 MiB page, the rest with 4 KiB pages:
 * a property of the case (its seed), so a reported case reruns the same way. */
static bool data_in_large_page(const DiffCase *c) { return c->seed % 4 == 0; }

/* The entries a case starts from (A and D clear everywhere). XD is set where nothing is
 * executed — on the data directory entry and every other data page — so the walker must
 * combine it over the levels without refusing data accesses. G marks the code page as a
 * kernel would; CR3-style flushes here are full flushes anyway. */
typedef struct PagingLayout {
    uint64_t pml4e, pdpte, code_pde, code_pte, data_pde, data_pte[DATA_PAGES];
} PagingLayout;

static PagingLayout initial_layout(const DiffCase *c)
{
    PagingLayout l = {
        .pml4e = PT_PDPT | PTE_P | PTE_RW,
        .pdpte = PT_PD | PTE_P | PTE_RW,
        .code_pde = PT_CODE | PTE_P | PTE_RW,
        .code_pte = (DIFF_CODE_BASE & PAGE_MASK) | PTE_P | PTE_RW | PTE_G,
    };
    if (data_in_large_page(c)) {
        l.data_pde = (DIFF_DATA_BASE & ~(LARGE_PAGE_SIZE - 1)) | PTE_P | PTE_RW | PTE_PS | PTE_XD;
    } else {
        l.data_pde = PT_DATA | PTE_P | PTE_RW | PTE_XD;
        for (unsigned i = 0; i < DATA_PAGES; i++)
            l.data_pte[i] = (DIFF_DATA_BASE + i * PAGE_SIZE) | PTE_P | PTE_RW | (i & 1 ? PTE_XD : 0);
    }
    return l;
}

static void paging_install(const PagingLayout *l)
{
    *entry(PT_PML4, table_index(DIFF_CODE_BASE, 39)) = l->pml4e;
    *entry(PT_PDPT, table_index(DIFF_CODE_BASE, 30)) = l->pdpte;
    *code_pde() = l->code_pde;
    *code_pte() = l->code_pte;
    *data_pde() = l->data_pde;
    for (unsigned i = 0; i < DATA_PAGES; i++)
        *data_pte(i) = l->data_pte[i];
    /* what a MOV CR3 does to the TLB (global pages included: a full flush) */
    tlb_flush(&cpu);
}

/* Long mode as an operating system sets it up, on top of flat64's segments */
static void paging_enter_long_mode(void)
{
    cpu.cr[0] |= CR0_PE | CR0_PG | CR0_WP;
    cpu.cr[3] = PT_PML4;
    cpu.cr[4] |= CR4_PAE | CR4_PGE;
    cpu.efer |= EFER_LME | EFER_LMA | EFER_NXE;
    cpu_update_hflags(&cpu);
    tlb_flush(&cpu);
}

/* An entry may differ from how it started only in A, and in D if it maps a page. */
static bool only_ad_changed(uint64_t before, uint64_t after, bool leaf)
{
    return ((before ^ after) & ~(PTE_A | (leaf ? PTE_D : 0))) == 0 && (!(after & PTE_D) || (after & PTE_A));
}

/* What the case's execution implies for the tables: the code was fetched (its path is
 * accessed, its page is not dirty), every data page with a changed byte is accessed and
 * dirty, and nothing but A/D changed anywhere. Pages only read cannot be told from pages
 * not touched (the harness does not log reads), so their A bit is not checked. */
static uint32_t paging_check(const PagingLayout *l, const uint8_t *initial, const uint8_t *final)
{
    uint32_t defects = 0;
    uint64_t pml4e = *entry(PT_PML4, table_index(DIFF_CODE_BASE, 39));
    uint64_t pdpte = *entry(PT_PDPT, table_index(DIFF_CODE_BASE, 30));
    bool large = (l->data_pde & PTE_PS) != 0;
    bool entries_ok = only_ad_changed(l->pml4e, pml4e, false) && only_ad_changed(l->pdpte, pdpte, false) &&
                      only_ad_changed(l->code_pde, *code_pde(), false) &&
                      only_ad_changed(l->code_pte, *code_pte(), true) &&
                      only_ad_changed(l->data_pde, *data_pde(), large);
    for (unsigned i = 0; i < DATA_PAGES && !large; i++)
        entries_ok = entries_ok && only_ad_changed(l->data_pte[i], *data_pte(i), true);
    if (!entries_ok)
        defects |= DIFF_PAGING_CORRUPT;
    if (!(pml4e & pdpte & *code_pde() & *code_pte() & PTE_A))
        defects |= DIFF_PAGING_CODE_NOT_ACCESSED;
    if (*code_pte() & PTE_D)
        defects |= DIFF_PAGING_CODE_DIRTY;
    for (unsigned i = 0; i < DATA_PAGES; i++) {
        const uint8_t *a = initial + i * PAGE_SIZE, *b = final + i * PAGE_SIZE;
        if (!memcmp(a, b, PAGE_SIZE))
            continue;
        uint64_t path = pml4e & pdpte & *data_pde();
        uint64_t leaf = large ? *data_pde() : *data_pte(i);
        if (!(path & leaf & PTE_A) || !(leaf & PTE_D))
            defects |= DIFF_PAGING_DATA_NOT_DIRTY(i);
    }
    return defects;
}

/* ---------------------------------------------------------------- running cases */

bool diff_model_init(bool with_paging)
{
    if (!phys_init(DIFF_RAM_SIZE))
        return false;
    cpu_init(&cpu, NULL);
    paging = with_paging;
    /* FERRY_DIFF_ACCEL=jit runs the same cases through the native backend */
    const char *accel = getenv("FERRY_DIFF_ACCEL");
    return cpu_tcg_init(accel && *accel ? accel : "interp");
}

static void run_one(const DiffCase *c, DiffResult *r)
{
    bool paged = paging && c->mode == 64;
    if (c->mode != current_mode) {
        if (c->mode == 64)
            cpu_reset_flat64(&cpu);
        else
            cpu_reset_flat32(&cpu);
        cpu.cr[4] |= CR4_OSFXSR;     /* SSE on, as the host's kernel has it */
        cpu_update_hflags(&cpu);
        if (paged)
            paging_enter_long_mode();
        current_mode = c->mode;
    }
    cpu.exit_on_exception = true;

    uint8_t code[DIFF_CODE_MAX + 1];
    memcpy(code, c->code, c->code_len);
    code[c->code_len] = 0xf4;        /* hlt */
    phys_write(DIFF_CODE_BASE, code, c->code_len + 1u);
    static uint8_t initial[DIFF_DATA_SIZE];
    diff_fill_data(c->data_seed, initial);
    uint8_t *data = phys_ram_ptr(DIFF_DATA_BASE, DIFF_DATA_SIZE);
    memcpy(data, initial, DIFF_DATA_SIZE);
    PagingLayout layout = { 0 };
    if (paged) {
        layout = initial_layout(c);
        paging_install(&layout);
    }

    memcpy(cpu.regs, c->init.regs, sizeof cpu.regs);
    cpu.rip = c->init.rip;
    cpu_set_eflags(&cpu, c->init.flags, ~0u);
    cpu.halted = false;
    cpu.interrupt_request = 0;
    cpu.exit_req = 0;
    cpu.exception_index = -1;

    int ret = cpu_exec(&cpu);

    memcpy(r->st.regs, cpu.regs, sizeof r->st.regs);
    r->st.rip = cpu.rip;
    r->st.flags = cpu_get_eflags(&cpu);
    uint64_t end = DIFF_CODE_BASE + c->code_len;
    if (ret == EXCP_HLT) {
        r->st.vector = DIFF_NO_FAULT;
        if (r->st.rip == end + 1)    /* rip past the HLT: the same point as native's stub */
            r->st.rip = end;
    } else {
        /* a vector, or an unexpected exit reason kept distinct (>= 256) so it mismatches */
        r->st.vector = ret;
    }
    if (c->mode == 32) {
        for (int i = 0; i < 16; i++)
            r->st.regs[i] = i < 8 ? (uint32_t)r->st.regs[i] : 0;
        r->st.rip = (uint32_t)r->st.rip;
    }
    memcpy(r->data, data, DIFF_DATA_SIZE);
    r->paging_defects = paged ? paging_check(&layout, initial, data) : 0;
}

void diff_model_run_batch(const DiffCase *cases, DiffResult *results, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        run_one(&cases[i], &results[i]);
}
