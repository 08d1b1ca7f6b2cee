/*
 * mmu/watch.c — debugger watchpoints (gdb Z2/Z3/Z4, the monitor's watch commands) through
 * the software TLB.
 *
 * A page that holds part of a watched range gets TLB_WATCH in the tags of the access kinds
 * watched (tlb_fill asks mmu_watch_page_kinds), so the inline fast path misses on it and
 * the slow path calls mmu_watch_access before the access is made. Pages without a
 * watchpoint keep their fast path; with no watchpoint at all the slow path pays one test
 * of mmu_watch_count. Inserting or removing a watchpoint flushes the TLB entries of the
 * pages it covers, so the flags always match the list.
 *
 * The stop is precise and comes after the access, as gdb expects of x86 (its watchpoints
 * report the instruction that accessed as completed, pc after it). The access from
 * translated code abandons the instruction like a fault (rip restored to its start, nothing
 * of it done as far as the guest can tell), then the instruction is re-run alone as a
 * debugger single step with interrupts masked (CPU_DEBUG_STEP | CPU_DEBUG_STEP_NOIRQ, so
 * cpu_exec returns EXCP_DEBUG right after it); during that re-run watched accesses go
 * through. An access made outside translated code (event delivery pushing onto a watched
 * stack) cannot be abandoned: it is recorded and the CPU leaves at the next block
 * boundary.
 */
#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "mmu/mmu.h"
#include "tcg/tcg.h"

#define MAX_WATCHPOINTS 16
/* Flushing page by page beyond this many pages costs more than one full flush. */
#define FLUSH_PAGES_MAX 16

typedef struct Watchpoint {
    uint64_t addr, len;
    WatchKind kind;
} Watchpoint;

static Watchpoint watches[MAX_WATCHPOINTS];
unsigned mmu_watch_count;

static struct {
    bool valid;                 /* a hit waits for the debugger */
    bool rerun;                 /* its instruction is being re-run alone */
    uint64_t addr;              /* the watchpoint's address (gdb matches it to its list) */
    uint64_t access;            /* linear address of the access */
    WatchKind kind;             /* the watchpoint's kind */
    bool write;                 /* the access was a write */
} hit;

static bool overlaps(const Watchpoint *w, uint64_t la, uint64_t size)
{
    return la < w->addr + w->len && w->addr < la + size;
}

unsigned mmu_watch_page_kinds(uint64_t page_la)
{
    unsigned kinds = 0;
    for (unsigned i = 0; i < mmu_watch_count; i++) {
        if (overlaps(&watches[i], page_la, PAGE_SIZE)) kinds |= watches[i].kind;
    }
    return kinds;
}

/* The TLB entries of the pages under [la, la + len) are refilled with the current list. */
static void flush_range(CPUState *env, uint64_t la, uint64_t len)
{
    uint64_t first = la & PAGE_MASK, last = (la + len - 1) & PAGE_MASK;
    if ((last - first) >> PAGE_BITS >= FLUSH_PAGES_MAX) {
        tlb_flush(env);
        return;
    }
    for (uint64_t p = first;; p += PAGE_SIZE) {
        tlb_flush_page(env, p);
        if (p == last) break;
    }
}

bool mmu_watch_insert(CPUState *env, uint64_t la, uint64_t len, WatchKind kind)
{
    if (len == 0 || la + len < la || kind < WATCH_WRITE || kind > WATCH_ACCESS) return false;
    for (unsigned i = 0; i < mmu_watch_count; i++) {
        const Watchpoint *w = &watches[i];
        if (w->addr == la && w->len == len && w->kind == kind) return true;
    }
    if (mmu_watch_count == MAX_WATCHPOINTS) return false;
    watches[mmu_watch_count++] = (Watchpoint){ la, len, kind };
    flush_range(env, la, len);
    return true;
}

bool mmu_watch_remove(CPUState *env, uint64_t la, uint64_t len, WatchKind kind)
{
    for (unsigned i = 0; i < mmu_watch_count; i++) {
        Watchpoint *w = &watches[i];
        if (w->addr == la && w->len == len && w->kind == kind) {
            *w = watches[--mmu_watch_count];
            flush_range(env, la, len);
            return true;
        }
    }
    return false;
}

void mmu_watch_remove_all(CPUState *env)
{
    if (mmu_watch_count == 0) return;
    mmu_watch_count = 0;
    tlb_flush(env);
    mmu_watch_cancel(env);
}

static bool kind_matches(WatchKind kind, bool write)
{
    return kind == WATCH_ACCESS || (kind == WATCH_WRITE) == write;
}

void mmu_watch_access(CPUState *env, uint64_t la, unsigned size, bool write)
{
    if (hit.rerun || hit.valid) return;     /* the re-run's own accesses, or already stopping */
    const Watchpoint *w = NULL;
    for (unsigned i = 0; i < mmu_watch_count && !w; i++) {
        if (kind_matches(watches[i].kind, write) && overlaps(&watches[i], la, size)) w = &watches[i];
    }
    if (!w) return;
    hit.valid = true;
    hit.addr = w->addr;
    hit.access = la;
    hit.kind = w->kind;
    hit.write = write;
    if (!cpu_running_code || !tcg_in_block()) {
        cpu_interrupt(env, CPU_INT_EXIT);   /* stop at the next boundary; the access goes on */
        return;
    }
    env->rip = tcg_current_insn_pc();
    hit.rerun = true;
    env->debug_flags |= CPU_DEBUG_STEP | CPU_DEBUG_STEP_NOIRQ;
    env->exception_index = EXCP_RETRY_INSN;
    cpu_loop_exit(env);
}

bool mmu_watch_take_hit(CPUState *env, bool insn_done, WatchHit *out)
{
    if (!hit.valid || (hit.rerun && !insn_done)) return false;
    if (hit.rerun) env->debug_flags &= ~(uint32_t)(CPU_DEBUG_STEP | CPU_DEBUG_STEP_NOIRQ);
    *out = (WatchHit){ hit.addr, hit.access, hit.kind, hit.write };
    hit.valid = hit.rerun = false;
    return true;
}

void mmu_watch_cancel(CPUState *env)
{
    if (hit.rerun) env->debug_flags &= ~(uint32_t)(CPU_DEBUG_STEP | CPU_DEBUG_STEP_NOIRQ);
    hit.valid = hit.rerun = false;
}
