/*
 * tcg/backend/x86_64/x86_64.c — the x86-64 JIT backend: the code buffer, the entry
 * trampoline and shared exit, compile (codegen.c does the work), and chaining by patching
 * each goto_tb's jmp rel32.
 *
 * Buffer layout: [trampoline + epilogue][block][block]... where each block is a cache-line
 * aligned JitBlockInfo followed by the code (tb->code points at the code, so a
 * disassembler given tb->code sees only instructions). The body of a block comes first,
 * its out-of-line stubs after it.
 *
 * The buffer is one RWX mapping; if the host refuses that (W^X policies), the same memfd
 * is mapped twice, writable and executable, and bytes are written through the first.
 */
#include "tcg/backend/x86_64/jit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef TCGExit (*JitEnterFn)(void *env, const void *code, uint64_t *temps, TCGExecState *state);

static uint8_t *buf_rw;
static uintptr_t buf_rx;
static size_t buf_size, buf_used, prologue_end;
static int buf_memfd = -1;
/* Blocks are generated in this ordinary memory and copied into the code buffer in one go:
 * storing byte by byte into the executable buffer, next to code that just ran, makes the
 * host CPU treat every store as possible self-modifying code (pipeline clears), which
 * dominated the compile cost of guests that retranslate constantly. Grown on demand. */
static uint8_t *stage;
static size_t stage_size;
static JitTarget target;
static JitEnterFn jit_enter;
static uint64_t jit_temps[JIT_MAX_TEMPS];

static uint8_t *rw_of(uintptr_t rx)
{
    return buf_rw + (rx - buf_rx);
}

static bool map_buffer(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
        buf_rw = p;
        buf_rx = (uintptr_t)p;
        return true;
    }
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

static void x86_64_fini(void)
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
    jit_enter = NULL;
    free(stage);
    stage = NULL;
    stage_size = 0;
}

/* Entry: jit_enter(env, code, temps, &tcg_exec_state) saves the callee-saved registers the
 * generated code uses (its fixed registers and the callee-saved part of its allocation
 * pool), loads the fixed ones, and jumps to the block. The pushes over the return address,
 * plus one pad word when their count is even, leave rsp 16-byte aligned for the helpers
 * blocks call. The epilogue right after undoes it and returns the TCGExit the block left
 * in rax:rdx. */
static const int saved_regs[] = { RBX, RBP, R12, R13, JIT_ENV, JIT_STATE };
#define NB_SAVED (sizeof(saved_regs) / sizeof(saved_regs[0]))
#define STACK_PAD (NB_SAVED % 2 ? 0 : 8)

static void emit_trampoline(X86Emit *e)
{
    for (size_t i = 0; i < NB_SAVED; i++)
        x86_push(e, saved_regs[i]);
    if (STACK_PAD)
        x86_alu_imm(e, ALU_SUB, true, RSP, STACK_PAD);
    x86_rr(e, 0x8b, true, JIT_ENV, RDI);
    x86_rr(e, 0x8b, true, JIT_TEMPS, RDX);
    x86_rr(e, 0x8b, true, JIT_STATE, RCX);
    x86_rr(e, 0xff, false, 4, RSI);                     /* jmp rsi */

    target.epilogue = x86_here(e);
    if (STACK_PAD)
        x86_alu_imm(e, ALU_ADD, true, RSP, STACK_PAD);
    for (size_t i = NB_SAVED; i-- > 0;)
        x86_pop(e, saved_regs[i]);
    x86_ret(e);
}

static bool x86_64_init(size_t code_size)
{
    x86_64_fini();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    buf_size = (code_size + page - 1) / page * page;
    if (!map_buffer(buf_size)) {
        fprintf(stderr, "x86_64: cannot map %zu bytes of executable memory\n", buf_size);
        buf_size = 0;
        return false;
    }
    X86Emit e = { .rw = buf_rw, .rx = buf_rx, .cap = buf_size };
    emit_trampoline(&e);
    if (e.overflow) {
        x86_64_fini();
        return false;
    }
    jit_enter = (JitEnterFn)buf_rx;
    prologue_end = buf_used = e.pos;
    __builtin_cpu_init();
    target.has_popcnt = __builtin_cpu_supports("popcnt");
    return true;
}

static void x86_64_reset(void)
{
    buf_used = prologue_end;
}

static JitBlockInfo *block_info(const TranslationBlock *tb)
{
    return (JitBlockInfo *)(rw_of((uintptr_t)tb->code) - sizeof(JitBlockInfo));
}

const JitBlockInfo *jit_block_info(const TranslationBlock *tb)
{
    return block_info(tb);
}

static bool grow_stage(size_t need)
{
    size_t n = stage_size ? stage_size * 2 : 64 * 1024;
    while (n < need)
        n *= 2;
    uint8_t *p = realloc(stage, n);
    if (!p)
        return false;
    stage = p;
    stage_size = n;
    return true;
}

static bool x86_64_compile(const TCGBlock *b, TranslationBlock *tb)
{
    /* each block starts on a fresh cache line: writing it never touches a line holding code
     * that ran before (the host's self-modifying-code check works per line) */
    size_t code_off = ((buf_used + 63) & ~(size_t)63) + sizeof(JitBlockInfo);
    _Static_assert(sizeof(JitBlockInfo) % 16 == 0, "code must stay 16-byte aligned");
    if (code_off >= buf_size)
        return false;
    const size_t room = buf_size - code_off;
    JitBlockInfo info;
    X86Emit e;
    for (;;) {
        if (!stage && !grow_stage(0))
            tcg_fatal("x86_64: out of memory for the code stage");
        e = (X86Emit){ .rw = stage, .rx = buf_rx + code_off, .cap = stage_size < room ? stage_size : room };
        if (jit_codegen(&e, b, tb, &target, &info))
            break;
        if (stage_size >= room)
            return false;                       /* the code buffer is full */
        if (!grow_stage(e.pos))
            tcg_fatal("x86_64: out of memory for the code stage");
    }
    memcpy(buf_rw + code_off, stage, e.pos);
    tb->code = (void *)(buf_rx + code_off);
    memcpy(block_info(tb), &info, sizeof(info));
    buf_used = code_off + e.pos;
    return true;
}

/* The newest block's space goes back to the buffer: a guest that rewrites and reruns the
 * same code then compiles into lines that are still in the host's caches, instead of
 * marching through fresh memory (a cache miss per line and a page fault per page). */
static void x86_64_release(TranslationBlock *tb)
{
    const JitBlockInfo *info = block_info(tb);
    size_t code_off = (uintptr_t)tb->code - buf_rx;
    if (code_off + info->code_size == buf_used)
        buf_used = code_off - sizeof(JitBlockInfo);
}

static TCGExit x86_64_exec(void *env, TranslationBlock *tb)
{
    return jit_enter(env, tb->code, jit_temps, &tcg_exec_state);
}

/* Point the rel32 of src's goto_tb slot at an executable address. The displacement is
 * 4-byte aligned, so the store is atomic. */
static void patch_goto(TranslationBlock *src, int slot, uintptr_t dest)
{
    const JitBlockInfo *info = block_info(src);
    if (!info->goto_disp[slot])
        tcg_fatal("x86_64: chaining slot %d of a block that has no such goto_tb", slot);
    uintptr_t disp_at = (uintptr_t)src->code + info->goto_disp[slot];
    int32_t rel = (int32_t)(int64_t)(dest - (disp_at + 4));
    __atomic_store_n((int32_t *)rw_of(disp_at), rel, __ATOMIC_RELAXED);
}

static void x86_64_link(TranslationBlock *src, int slot, TranslationBlock *dst)
{
    patch_goto(src, slot, (uintptr_t)dst->code);
}

static void x86_64_unlink(TranslationBlock *src, int slot)
{
    patch_goto(src, slot, (uintptr_t)src->code + block_info(src)->goto_stub[slot]);
}

const TCGBackend tcg_backend_x86_64 = {
    .name = "x86_64",
    .init = x86_64_init,
    .fini = x86_64_fini,
    .compile = x86_64_compile,
    .reset = x86_64_reset,
    .exec = x86_64_exec,
    .link = x86_64_link,
    .unlink = x86_64_unlink,
    .release = x86_64_release,
};
