/*
 * tcg/backend/x86_64/jit.h — what the code generator (codegen.c) and the backend shell
 * (x86_64.c: code buffer, trampoline, chaining) share.
 *
 * Run-time register convention inside generated code:
 *   r14 = env, r15 = &tcg_exec_state, rbx = the temp file (temp t at [rbx + 8*t], a temp's
 *   home when it is not in a register); everything else is allocated by codegen.c, rbp,
 *   r12 and r13 being saved by the trampoline. rsp is 16-byte aligned throughout, so helpers are called
 *   directly. Blocks leave by jumping to the shared epilogue with the TCGExit in rax:rdx
 *   (the SysV return registers of a two-word struct).
 */
#ifndef FERRY_TCG_X86_64_JIT_H
#define FERRY_TCG_X86_64_JIT_H

#include "tcg/backend.h"
#include "tcg/backend/x86_64/emit.h"

#define JIT_ENV   R14
#define JIT_STATE R15
#define JIT_TEMPS RBX

/* Temps live in one static file (a block never runs inside another: one vCPU, helpers do
 * not re-enter tcg_exec); this bounds the temps of a block. */
#define JIT_MAX_TEMPS 0xffffu

/* Stored just before each block's code: where its goto_tb jumps are, for link/unlink.
 * Offsets are from the block's entry; goto_disp is 0 for a slot the block never uses. */
typedef struct JitBlockInfo {
    uint32_t goto_disp[2];      /* the rel32 of the patchable jmp (4-byte aligned) */
    uint32_t goto_stub[2];      /* the stub that returns (tb, slot) to the exec loop */
    uint32_t body_size;         /* bytes of the straight-line body (for -d out_asm, tests) */
    uint32_t code_size;         /* body plus the out-of-line stubs after it */
    uint32_t reserved[2];
} JitBlockInfo;

/* The chaining and size record of a block compiled by this backend. */
const JitBlockInfo *jit_block_info(const TranslationBlock *tb);

/* Process-wide facts the generator needs. */
typedef struct JitTarget {
    uintptr_t epilogue;         /* executable address of the shared block exit */
    bool has_popcnt;
} JitTarget;

/* Emit the code of block b at e's current position (16-byte aligned). Returns false only
 * when the emitter overflowed. *info gets the chaining offsets. */
bool jit_codegen(X86Emit *e, const TCGBlock *b, TranslationBlock *tb, const JitTarget *t, JitBlockInfo *info);

#endif
