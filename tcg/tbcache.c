/*
 * tcg/tbcache.c — translation blocks: allocation, the hash table keyed by the full TBKey
 * with a small jump cache in front, chaining, per-page lists for invalidation, flush, and
 * the execution loop.
 *
 * TB structs come from one pool and compiled code from the backend's buffer; when either is
 * full, everything is flushed (at translation time, when no block's code is still needed).
 * An invalidated TB stays in the pool, unreachable, until the next flush, so a block that
 * invalidates itself can finish its current instruction safely.
 */
#include "tcg/backend.h"
#include "mmu/mmu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CODE_SIZE   (32u << 20)
#define BYTES_PER_TB        512         /* code buffer bytes we expect an average TB to take */
/* The jump cache is indexed by linear address: the high bits pick a group of entries from
 * the page, the low bits an entry from the offset, so one page's entries can be cleared
 * alone (invlpg). */
#define JMP_CACHE_BITS      12
#define JMP_CACHE_PAGE_BITS 6
#define NO_CHAIN_FLAGS      (TB_CF_NO_CHAIN | TB_CF_SINGLE_INSN)
#define NO_PAGE             ((uint64_t)-1)

TCGExecState tcg_exec_state;
const TCGFrontend *tcg_frontend;

static const TCGBackend *backend;
static TCGBackendKind backend_kind;
static TCGStats stats;

static TranslationBlock *tbs;
static size_t tbs_max, tbs_used;
static TranslationBlock **tb_hash;
static size_t hash_mask;                 /* tb_hash and page_hash have hash_mask + 1 buckets */
static TranslationBlock *jmp_cache[1u << JMP_CACHE_BITS];
static uint64_t flush_generation;        /* bumped by every flush: TB pointers from before die */

/* The TBs with code on one guest physical page: list of (tb | part) through tb->page_next. */
typedef struct PageDesc {
    uint64_t page;
    uintptr_t first_tb;
    struct PageDesc *next;
} PageDesc;
static PageDesc *pages;                  /* pool: at most two per TB */
static size_t pages_used;
static PageDesc **page_hash;

/* ---------------------------------------------------------------- keys and hashing */

static bool key_equal(const TBKey *a, const TBKey *b)
{
    return a->pc == b->pc && a->cs_base == b->cs_base && a->phys_pc == b->phys_pc
        && a->flags == b->flags && a->cflags == b->cflags;
}

static size_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (size_t)h;
}

static size_t key_hash(const TBKey *k)
{
    return mix64(k->phys_pc ^ (k->pc + k->cs_base) * 0x9e3779b97f4a7c15ull
                 ^ ((uint64_t)k->flags << 32 | k->cflags) * 0xc2b2ae3d27d4eb4full);
}

/* Low 32 bits of the linear address: the same whether or not the front end truncates it
 * (outside 64-bit code) and whether it is given as pc + cs_base or by the TLB. */
static size_t jmp_cache_page_group(uint64_t linear)
{
    uint32_t page = (uint32_t)linear >> PAGE_BITS;
    return (size_t)((page ^ (page >> JMP_CACHE_PAGE_BITS)) & ((1u << JMP_CACHE_PAGE_BITS) - 1))
           << (JMP_CACHE_BITS - JMP_CACHE_PAGE_BITS);
}

static size_t jmp_cache_index(const TBKey *k)
{
    uint64_t linear = k->pc + k->cs_base;
    unsigned offset_bits = JMP_CACHE_BITS - JMP_CACHE_PAGE_BITS;
    size_t offset = (size_t)(linear ^ (linear >> offset_bits)) & ((1u << offset_bits) - 1);
    return jmp_cache_page_group(linear) | offset;
}

/* The key without phys_pc: what a jump-cache probe can check before the fetch translation.
 * flags and cflags are compared apart (not as one 64-bit load), because the front end has
 * just stored them as two 32-bit values: a merged load would wait for both stores. */
static bool virt_key_equal(const TBKey *a, const TBKey *b)
{
    return a->flags == b->flags && a->pc == b->pc && a->cflags == b->cflags
        && a->cs_base == b->cs_base;
}

/* Linked-list entries carry a small index (slot or page part) in the low pointer bits. */
static TranslationBlock *entry_tb(uintptr_t e) { return (TranslationBlock *)(e & ~(uintptr_t)3); }
static int entry_index(uintptr_t e) { return (int)(e & 3); }
static uintptr_t make_entry(TranslationBlock *tb, int n) { return (uintptr_t)tb | (uintptr_t)n; }

/* ---------------------------------------------------------------- setup */

static void release_all(void)
{
    if (backend)
        backend->fini();
    free(tbs);
    free(tb_hash);
    free(pages);
    free(page_hash);
    tbs = NULL;
    tb_hash = NULL;
    pages = NULL;
    page_hash = NULL;
    backend = NULL;
}

bool tcg_init(const TCGFrontend *fe, TCGBackendKind kind, size_t code_size)
{
    release_all();
    tcg_builder_free();
    switch (kind) {
    case TCG_BACKEND_INTERP:
        backend = &tcg_backend_interp;
        break;
#if defined(__x86_64__)
    case TCG_BACKEND_X86_64:
        backend = &tcg_backend_x86_64;
        break;
#endif
#if defined(__aarch64__)
    case TCG_BACKEND_AARCH64:
        backend = &tcg_backend_aarch64;
        break;
#endif
    default:
        fprintf(stderr, "tcg: backend %d is not built in this version\n", (int)kind);
        return false;
    }
    if (!code_size)
        code_size = DEFAULT_CODE_SIZE;
    tbs_max = code_size / BYTES_PER_TB + 16;
    size_t buckets = 64;
    while (buckets < tbs_max)
        buckets *= 2;
    hash_mask = buckets - 1;
    tbs = calloc(tbs_max, sizeof(*tbs));
    tb_hash = calloc(buckets, sizeof(*tb_hash));
    pages = calloc(2 * tbs_max, sizeof(*pages));
    page_hash = calloc(buckets, sizeof(*page_hash));
    if (!tbs || !tb_hash || !pages || !page_hash || !backend->init(code_size)) {
        fprintf(stderr, "tcg: cannot allocate the translation cache (%zu bytes of code)\n", code_size);
        release_all();
        return false;
    }
    tcg_frontend = fe;
    backend_kind = kind;
    tbs_used = pages_used = 0;
    memset(jmp_cache, 0, sizeof(jmp_cache));
    memset(&stats, 0, sizeof(stats));
    memset(&tcg_exec_state, 0, sizeof(tcg_exec_state));
    return true;
}

TCGBackendKind tcg_backend(void)
{
    return backend_kind;
}

void tcg_get_stats(TCGStats *s)
{
    *s = stats;
}

uint64_t tcg_current_insn_pc(void)
{
    return tcg_exec_state.insn_pc;
}

bool tcg_in_block(void)
{
    return tcg_exec_state.in_block;
}

/* ---------------------------------------------------------------- pages */

static size_t page_bucket(uint64_t page)
{
    return mix64(page >> PAGE_BITS) & hash_mask;
}

static PageDesc *page_find(uint64_t page, bool create)
{
    PageDesc **head = &page_hash[page_bucket(page)];
    for (PageDesc *pd = *head; pd; pd = pd->next)
        if (pd->page == page)
            return pd;
    if (!create)
        return NULL;
    PageDesc *pd = &pages[pages_used++];
    pd->page = page;
    pd->first_tb = 0;
    pd->next = *head;
    *head = pd;
    return pd;
}

/* Guest physical bytes [start, end) of part n (0: first page, 1: second page) of tb. */
static bool tb_part_range(const TranslationBlock *tb, int n, uint64_t *start, uint64_t *end)
{
    uint64_t first_len = PAGE_SIZE - (tb->key.phys_pc & (PAGE_SIZE - 1));
    if (first_len > tb->size)
        first_len = tb->size;
    if (n == 0) {
        *start = tb->key.phys_pc;
        *end = tb->key.phys_pc + first_len;
    } else {
        uint64_t rest = tb->size - first_len;
        if (tb->page_addr[1] == NO_PAGE)
            return false;
        *start = tb->page_addr[1];
        *end = tb->page_addr[1] + (rest < PAGE_SIZE ? rest : PAGE_SIZE);
    }
    return *end > *start;
}

static void page_list_remove(TranslationBlock *tb, int n)
{
    PageDesc *pd = page_find(tb->page_addr[n] & PAGE_MASK, false);
    if (!pd)
        return;
    for (uintptr_t *link = &pd->first_tb; *link; link = &entry_tb(*link)->page_next[entry_index(*link)]) {
        if (entry_tb(*link) == tb && entry_index(*link) == n) {
            *link = tb->page_next[n];
            return;
        }
    }
}

/* ---------------------------------------------------------------- chaining */

static void jmp_list_remove(TranslationBlock *dst, TranslationBlock *src, int slot)
{
    for (uintptr_t *link = &dst->jmp_list_head; *link; link = &entry_tb(*link)->jmp_list_next[entry_index(*link)]) {
        if (entry_tb(*link) == src && entry_index(*link) == slot) {
            *link = src->jmp_list_next[slot];
            return;
        }
    }
}

static void tb_add_jump(TranslationBlock *src, int slot, TranslationBlock *dst)
{
    src->jmp_dest[slot] = dst;
    src->jmp_list_next[slot] = dst->jmp_list_head;
    dst->jmp_list_head = make_entry(src, slot);
    if (backend->link)
        backend->link(src, slot, dst);
    stats.chains_made++;
}

static void tb_remove_jump(TranslationBlock *src, int slot)
{
    src->jmp_dest[slot] = NULL;
    if (backend->unlink)
        backend->unlink(src, slot);
}

/* A link is made only where it can never become wrong: both blocks chainable and the
 * destination on the source's first linear page, so it is on the same physical page too
 * and a page-table change cannot redirect it. */
static bool can_chain(const TranslationBlock *src, const TranslationBlock *dst)
{
    return !((src->key.cflags | dst->key.cflags) & NO_CHAIN_FLAGS)
        && ((src->key.pc + src->key.cs_base) & PAGE_MASK) == ((dst->key.pc + dst->key.cs_base) & PAGE_MASK);
}

/* ---------------------------------------------------------------- invalidation */

static void tb_invalidate(TranslationBlock *tb)
{
    if (tb->invalid)
        return;
    tb->invalid = true;

    for (TranslationBlock **link = &tb_hash[key_hash(&tb->key) & hash_mask]; *link; link = &(*link)->hash_next) {
        if (*link == tb) {
            *link = tb->hash_next;
            break;
        }
    }
    size_t j = jmp_cache_index(&tb->key);
    if (jmp_cache[j] == tb)
        jmp_cache[j] = NULL;

    page_list_remove(tb, 0);
    if (tb->page_addr[1] != NO_PAGE)
        page_list_remove(tb, 1);

    for (int slot = 0; slot < 2; slot++) {
        if (tb->jmp_dest[slot]) {
            jmp_list_remove(tb->jmp_dest[slot], tb, slot);
            tb_remove_jump(tb, slot);
        }
    }
    while (tb->jmp_list_head) {
        TranslationBlock *src = entry_tb(tb->jmp_list_head);
        int slot = entry_index(tb->jmp_list_head);
        tb->jmp_list_head = src->jmp_list_next[slot];
        tb_remove_jump(src, slot);
    }

    if (tcg_exec_state.in_block && tcg_exec_state.tb == tb)
        tcg_exec_state.stop_request = true;
    if (backend->release)
        backend->release(tb);
    stats.tb_invalidated++;
}

static bool tb_overlaps(const TranslationBlock *tb, uint64_t start, uint64_t end)
{
    for (int n = 0; n < 2; n++) {
        uint64_t s, e;
        if (tb_part_range(tb, n, &s, &e) && s < end && start < e)
            return true;
    }
    return false;
}

void tb_invalidate_phys_range(uint64_t start, uint64_t end)
{
    if (start >= end || !tbs)
        return;
    uint64_t first = start & PAGE_MASK, last = (end - 1) & PAGE_MASK;

    /* A huge range (DMA, loader) is cheaper to test against every TB than page by page. */
    if (((last - first) >> PAGE_BITS) >= tbs_used) {
        for (size_t i = 0; i < tbs_used; i++)
            if (!tbs[i].invalid && tb_overlaps(&tbs[i], start, end))
                tb_invalidate(&tbs[i]);
        return;
    }
    for (uint64_t page = first;; page += PAGE_SIZE) {
        PageDesc *pd = page_find(page, false);
        uintptr_t e = pd ? pd->first_tb : 0;
        while (e) {
            TranslationBlock *tb = entry_tb(e);
            e = tb->page_next[entry_index(e)];      /* tb leaves this list if invalidated */
            if (tb_overlaps(tb, start, end))
                tb_invalidate(tb);
        }
        if (page == last)
            break;
    }
}

void tb_flush(void)
{
    if (!backend)
        return;
    backend->reset();
    tbs_used = 0;
    pages_used = 0;
    memset(tb_hash, 0, (hash_mask + 1) * sizeof(*tb_hash));
    memset(page_hash, 0, (hash_mask + 1) * sizeof(*page_hash));
    memset(jmp_cache, 0, sizeof(jmp_cache));
    phys_code_clear_all();
    flush_generation++;
    stats.tb_flushes++;
    /* The running block's code stays readable until the next translation, which cannot
     * happen before it returns; stop it at its next instruction all the same, since the
     * flush may mean its code or mode is stale. */
    if (tcg_exec_state.in_block)
        tcg_exec_state.stop_request = true;
}

void tcg_request_stop(void)
{
    if (tcg_exec_state.in_block)
        tcg_exec_state.stop_request = true;
}

void tcg_jmp_cache_clear(void)
{
    memset(jmp_cache, 0, sizeof(jmp_cache));
}

void tcg_jmp_cache_clear_page(uint64_t linear_addr)
{
    memset(&jmp_cache[jmp_cache_page_group(linear_addr)], 0,
           sizeof(jmp_cache[0]) << (JMP_CACHE_BITS - JMP_CACHE_PAGE_BITS));
}

/* ---------------------------------------------------------------- lookup and translation */

static TranslationBlock *tb_lookup(const TBKey *key)
{
    size_t j = jmp_cache_index(key);
    TranslationBlock *tb = jmp_cache[j];
    if (tb && key_equal(&tb->key, key))
        return tb;
    for (tb = tb_hash[key_hash(key) & hash_mask]; tb; tb = tb->hash_next) {
        if (key_equal(&tb->key, key)) {
            jmp_cache[j] = tb;
            return tb;
        }
    }
    return NULL;
}

/* The key of the block to run at the current guest state, and that block if it is cached.
 * A jump-cache entry was checked against the full key when it was stored, and every change
 * of a linear page's mapping clears it since, so a hit on the virtual key needs no fetch
 * translation. */
static TranslationBlock *tb_find(void *env, TBKey *key)
{
    if (!tcg_frontend->get_virt_key) {
        tcg_frontend->get_key(env, key);
        return tb_lookup(key);
    }
    tcg_frontend->get_virt_key(env, key);
    TranslationBlock *tb = jmp_cache[jmp_cache_index(key)];
    if (tb && virt_key_equal(&tb->key, key)) {
        key->phys_pc = tb->key.phys_pc;
        return tb;
    }
    key->phys_pc = tcg_frontend->get_phys_pc(env, key);
    return tb_lookup(key);
}

static void tb_register(TranslationBlock *tb)
{
    size_t h = key_hash(&tb->key) & hash_mask;
    tb->hash_next = tb_hash[h];
    tb_hash[h] = tb;
    jmp_cache[jmp_cache_index(&tb->key)] = tb;

    for (int n = 0; n < 2; n++) {
        if (n == 1 && tb->page_addr[1] == NO_PAGE)
            break;
        PageDesc *pd = page_find(tb->page_addr[n] & PAGE_MASK, true);
        tb->page_next[n] = pd->first_tb;
        pd->first_tb = make_entry(tb, n);
        uint64_t start, end;
        if (tb_part_range(tb, n, &start, &end))
            phys_code_mark(start, end);
    }
}

static void tb_init_fresh(TranslationBlock *tb, const TBKey *key)
{
    memset(tb, 0, sizeof(*tb));
    tb->key = *key;
    tb->page_addr[0] = key->phys_pc & PAGE_MASK;
    tb->page_addr[1] = NO_PAGE;
}

static TranslationBlock *tb_gen_code(void *env, const TBKey *key)
{
    if (tbs_used == tbs_max)
        tb_flush();
    TranslationBlock *tb = &tbs[tbs_used];
    tb_init_fresh(tb, key);

    TCGBlock *block = tcg_block_begin();
    tcg_frontend->translate(env, tb);
    tb->key = *key;                      /* the key is ours, whatever translate did */
    tb->page_addr[0] &= PAGE_MASK;
    if (tb->page_addr[1] != NO_PAGE)
        tb->page_addr[1] &= PAGE_MASK;
    if (tb->page_addr[1] == tb->page_addr[0])
        tb->page_addr[1] = NO_PAGE;
    tcg_optimize(block);

    if (!backend->compile(block, tb)) {
        TranslationBlock translated = *tb;
        tb_flush();
        tb = &tbs[0];
        *tb = translated;
        if (!backend->compile(block, tb))
            tcg_fatal("a block of %u ops does not fit in the empty code buffer", block->nb_ops);
    }
    tbs_used++;
    tb_register(tb);
    stats.tb_translated++;
    if (tcg_log_hooks.ir || tcg_log_hooks.host_code)
        tcg_log_compiled(block, tb);
    return tb;
}

/* ---------------------------------------------------------------- execution loop */

/* The key tcg_lookup_indirect computed without finding a block to enter: the exec loop
 * uses it for the block that just left, as nothing ran in between. */
static TBKey pending_key;
static bool pending_key_valid;

TranslationBlock *tcg_lookup_indirect(void *env)
{
    const volatile int32_t *exit_req =
        (const volatile int32_t *)((const char *)env + tcg_frontend->exit_req_offset);
    TCGExecState *st = &tcg_exec_state;
    if (*exit_req || st->stop_request)
        return NULL;
    /* a fetch fault in get_key is not a fault of the block that is ending */
    st->in_block = false;
    TranslationBlock *tb = tb_find(env, &pending_key);
    st->in_block = true;
    if (!tb || (tb->key.cflags & NO_CHAIN_FLAGS)) {
        pending_key_valid = true;
        return NULL;
    }
    return tb;
}

void tcg_exec(void *env)
{
    const volatile int32_t *exit_req =
        (const volatile int32_t *)((const char *)env + tcg_frontend->exit_req_offset);
    TCGExecState *st = &tcg_exec_state;
    /* whatever a longjmp out of the previous run left behind */
    st->in_block = false;
    st->stop_request = false;
    st->tb = NULL;
    pending_key_valid = false;

    TranslationBlock *prev = NULL;       /* the block that just ran, while still valid */
    int prev_slot = -1;                  /* its goto_tb slot, -1 after exit_tb */

    for (;;) {
        if (*exit_req)
            return;

        TranslationBlock *tb = prev && prev_slot >= 0 ? prev->jmp_dest[prev_slot] : NULL;
        if (!tb) {
            uint64_t generation = flush_generation;
            TBKey key;
            if (pending_key_valid) {
                key = pending_key;
                tb = tb_lookup(&key);
            } else {
                tb = tb_find(env, &key);
            }
            pending_key_valid = false;
            if (!tb)
                tb = tb_gen_code(env, &key);
            if (prev && prev_slot >= 0 && generation == flush_generation && !prev->invalid
                && can_chain(prev, tb))
                tb_add_jump(prev, prev_slot, tb);
        }

        uint64_t generation = flush_generation;
        st->tb = tb;
        st->in_block = true;
        TCGExit exit = backend->exec(env, tb);
        st->in_block = false;
        st->tb = NULL;
        st->stop_request = false;
        stats.blocks_executed++;

        if (exit.kind == TCG_EXIT_STOPPED || (exit.tb->key.cflags & NO_CHAIN_FLAGS))
            return;
        /* A flush while the block ran killed every TB pointer we hold. */
        prev = generation == flush_generation ? exit.tb : NULL;
        prev_slot = exit.kind == TCG_EXIT_INDIRECT ? -1 : (int)exit.kind;
    }
}
