/*
 * tcg/backend/aarch64/aarch64.c — the AArch64 JIT backend: the code buffer, the entry
 * trampoline and shared exit, compile (codegen.c does the work), and chaining by patching
 * each goto_tb's B instruction.
 *
 * Buffer layout: [trampoline + epilogue][block][block]... where each block is a 64-byte
 * aligned A64BlockInfo followed by the code (tb->code points at the code). Blocks are
 * generated in ordinary memory and copied in; every write to the executable buffer (a new
 * block, a patched branch) is followed by __builtin___clear_cache on the executable
 * addresses, which AArch64's separate instruction cache requires.
 *
 * W^X: the buffer is one RWX mapping where the host allows it; where it refuses (PaX,
 * SELinux execmem, macOS-style policies), the same memfd is mapped twice, writable and
 * executable, and bytes are written through the first. FERRY_JIT_DUAL_MAP=1 forces the
 * dual mapping (to exercise it on real hardware; qemu-user cannot run it: it notices code
 * writes only through the mapping that executes, so rewritten blocks would run stale).
 *
 * The buffer is capped at 128 MiB so that every chained B (imm26, +-128 MiB) reaches.
 */
#include "tcg/backend/aarch64/a64jit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define A64_MAX_CODE_SIZE (128u << 20)

typedef TCGExit (*A64EnterFn)(void *env, const void *code, uint64_t *temps, TCGExecState *state);

static uint8_t *buf_rw;
static uintptr_t buf_rx;
static size_t buf_size, buf_used, prologue_end;
static int buf_memfd = -1;
static uint32_t *stage;
static size_t stage_words;
static uintptr_t epilogue_rx;
static A64EnterFn a64_enter;
static uint64_t a64_temps[A64_MAX_TEMPS];
/* Code statistics for benchmarks (FERRY_JIT_STATS=1 prints them at exit). */
static uint64_t stat_words, stat_guest_insns, stat_ir_ops, stat_blocks;

static uint8_t *rw_of(uintptr_t rx)
{
    return buf_rw + (rx - buf_rx);
}

static void flush_icache(uintptr_t rx, size_t len)
{
    __builtin___clear_cache((char *)rx, (char *)(rx + len));
}

static bool map_buffer(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED && !getenv("FERRY_JIT_DUAL_MAP")) {
        buf_rw = p;
        buf_rx = (uintptr_t)p;
        return true;
    }
    if (p != MAP_FAILED)
        munmap(p, size);
    buf_memfd = memfd_create("ferry-jit", MFD_CLOEXEC);
    if (buf_memfd < 0 || ftruncate(buf_memfd, (off_t)size) != 0)
        return false;
    void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, buf_memfd, 0);
    void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, buf_memfd, 0);
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        if (rw != MAP_FAILED)
            munmap(rw, size);
        if (rx != MAP_FAILED)
            munmap(rx, size);
        return false;
    }
    buf_rw = rw;
    buf_rx = (uintptr_t)rx;
    return true;
}

static void aarch64_fini(void)
{
    if (buf_rw) {
        if ((uintptr_t)buf_rw != buf_rx)
            munmap((void *)buf_rx, buf_size);
        munmap(buf_rw, buf_size);
    }
    if (buf_memfd >= 0)
        close(buf_memfd);
    buf_rw = NULL;
    buf_rx = 0;
    buf_memfd = -1;
    buf_size = buf_used = prologue_end = 0;
    a64_enter = NULL;
    free(stage);
    stage = NULL;
    stage_words = 0;
}

/* Entry: a64_enter(env, code, temps, &tcg_exec_state) saves the frame record and the
 * callee-saved registers x19-x28 (fixed registers and the callee-saved allocation pool),
 * loads the fixed registers and branches to the block. The epilogue undoes it and returns
 * the TCGExit the block left in x0:x1. */
#define FRAME_SIZE 96

static void emit_trampoline(A64Emit *e)
{
    a64_stp_pre(e, X29, X30, A64_SP, -FRAME_SIZE);
    a64_mov_sp(e, X29, A64_SP);
    for (int r = X19; r <= X27; r += 2)
        a64_stp(e, r, r + 1, A64_SP, 16 + 8 * (r - X19));
    a64_mov(e, true, A64_ENV, X0);
    a64_mov(e, true, A64_TEMPS, X2);
    a64_mov(e, true, A64_STATE, X3);
    a64_br(e, X1);

    epilogue_rx = buf_rx + e->pos * 4;
    for (int r = X19; r <= X27; r += 2)
        a64_ldp(e, r, r + 1, A64_SP, 16 + 8 * (r - X19));
    a64_ldp_post(e, X29, X30, A64_SP, FRAME_SIZE);
    a64_ret(e);
}

static void print_stats(void)
{
    if (stat_guest_insns)
        fprintf(stderr, "aarch64-jit: %llu blocks, %llu guest insns, %llu IR ops, %llu host insns: "
                "%.2f host insns and %.2f IR ops per guest insn\n",
                (unsigned long long)stat_blocks, (unsigned long long)stat_guest_insns,
                (unsigned long long)stat_ir_ops, (unsigned long long)stat_words,
                (double)stat_words / (double)stat_guest_insns, (double)stat_ir_ops / (double)stat_guest_insns);
}

static bool aarch64_init(size_t code_size)
{
    static bool stats_registered;
    aarch64_fini();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (code_size > A64_MAX_CODE_SIZE)
        code_size = A64_MAX_CODE_SIZE;
    buf_size = (code_size + page - 1) / page * page;
    if (!map_buffer(buf_size)) {
        fprintf(stderr, "aarch64: cannot map %zu bytes of executable memory\n", buf_size);
        buf_size = 0;
        return false;
    }
    A64Emit e = { .buf = (uint32_t *)buf_rw, .cap = buf_size / 4 };
    emit_trampoline(&e);
    if (e.overflow) {
        aarch64_fini();
        return false;
    }
    flush_icache(buf_rx, e.pos * 4);
    a64_enter = (A64EnterFn)buf_rx;
    prologue_end = buf_used = e.pos * 4;
    if (!stats_registered && getenv("FERRY_JIT_STATS")) {
        stats_registered = true;
        atexit(print_stats);
    }
    return true;
}

static void aarch64_reset(void)
{
    buf_used = prologue_end;
}

static A64BlockInfo *block_info(const TranslationBlock *tb)
{
    return (A64BlockInfo *)(rw_of((uintptr_t)tb->code) - sizeof(A64BlockInfo));
}

const A64BlockInfo *a64_block_info(const TranslationBlock *tb)
{
    return block_info(tb);
}

static bool grow_stage(size_t need_words)
{
    size_t n = stage_words ? stage_words * 2 : 16 * 1024;
    while (n < need_words)
        n *= 2;
    uint32_t *p = realloc(stage, n * 4);
    if (!p)
        return false;
    stage = p;
    stage_words = n;
    return true;
}

static bool aarch64_compile(const TCGBlock *b, TranslationBlock *tb)
{
    size_t code_off = ((buf_used + 63) & ~(size_t)63) + sizeof(A64BlockInfo);
    _Static_assert(sizeof(A64BlockInfo) == 32, "code must stay 16-byte aligned");
    if (code_off >= buf_size)
        return false;
    const size_t room = (buf_size - code_off) / 4;
    const uintptr_t entry_rx = buf_rx + code_off;
    A64BlockInfo info;
    A64Emit e;
    for (;;) {
        if (!stage && !grow_stage(0))
            tcg_fatal("aarch64: out of memory for the code stage");
        e = (A64Emit){ .buf = stage, .cap = stage_words < room ? stage_words : room };
        if (a64_codegen(&e, b, tb, entry_rx, epilogue_rx, &info))
            break;
        if (stage_words >= room)
            return false;                       /* the code buffer is full */
        if (!grow_stage(e.pos))
            tcg_fatal("aarch64: out of memory for the code stage");
    }
    memcpy(buf_rw + code_off, stage, e.pos * 4);
    tb->code = (void *)entry_rx;
    memcpy(block_info(tb), &info, sizeof(info));
    flush_icache(entry_rx - sizeof(A64BlockInfo), sizeof(A64BlockInfo) + e.pos * 4);
    buf_used = code_off + e.pos * 4;
    stat_blocks++;
    stat_words += e.pos;
    stat_guest_insns += tb->icount;
    stat_ir_ops += b->nb_ops;
    return true;
}

static TCGExit aarch64_exec(void *env, TranslationBlock *tb)
{
    return a64_enter(env, tb->code, a64_temps, &tcg_exec_state);
}

/* Repoint the B of src's goto_tb slot. One aligned 32-bit store is single-copy atomic, so
 * code running concurrently sees the old or the new branch, never a mix. */
static void patch_goto(TranslationBlock *src, int slot, uintptr_t dest)
{
    const A64BlockInfo *info = block_info(src);
    if (!info->goto_site[slot])
        tcg_fatal("aarch64: chaining slot %d of a block that has no such goto_tb", slot);
    uintptr_t site = (uintptr_t)src->code + info->goto_site[slot];
    uint32_t word;
    if (!a64_b_word((intptr_t)site, (intptr_t)dest, &word))
        tcg_fatal("aarch64: chained branch out of range");
    __atomic_store_n((uint32_t *)rw_of(site), word, __ATOMIC_RELAXED);
    flush_icache(site, 4);
}

static void aarch64_link(TranslationBlock *src, int slot, TranslationBlock *dst)
{
    patch_goto(src, slot, (uintptr_t)dst->code);
}

static void aarch64_unlink(TranslationBlock *src, int slot)
{
    patch_goto(src, slot, (uintptr_t)src->code + block_info(src)->goto_stub[slot]);
}

const TCGBackend tcg_backend_aarch64 = {
    .name = "aarch64",
    .init = aarch64_init,
    .fini = aarch64_fini,
    .compile = aarch64_compile,
    .reset = aarch64_reset,
    .exec = aarch64_exec,
    .link = aarch64_link,
    .unlink = aarch64_unlink,
};
