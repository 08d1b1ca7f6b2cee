/*
 * tcg/backend/aarch64/a64jit.h — what the AArch64 code generator (codegen.c) and the
 * backend shell (aarch64.c: code buffer, trampoline, chaining) share.
 *
 * Run-time register convention inside generated code (AAPCS64 underneath):
 *   x19 = env, x20 = &tcg_exec_state, x21 = the temp file (temp t at [x21 + 8*t], its home
 *   when it is not in a register); x16/x17 are scratch inside one op; x22-x28 (callee-saved,
 *   saved by the trampoline) and x8-x15 are allocated to temps; x0-x7 carry helper arguments
 *   and are never allocated, so argument set-up needs no parallel moves. sp stays 16-byte
 *   aligned. Blocks leave by branching to the shared epilogue with the TCGExit in x0:x1 (the
 *   AAPCS64 return registers of a two-word struct).
 *
 * Memory ordering: one vCPU runs on one host thread, so generated code needs no barriers.
 * If several vCPUs ever run in parallel, x86's TSO must be kept: A64_TSO_LOAD_BARRIER and
 * A64_TSO_STORE_BARRIER in codegen.c are where the fences (or LDAPR/STLR forms) would go.
 */
#ifndef FERRY_TCG_AARCH64_JIT_H
#define FERRY_TCG_AARCH64_JIT_H

#include "tcg/backend.h"
#include "tcg/backend/aarch64/emit.h"

#define A64_ENV   X19
#define A64_STATE X20
#define A64_TEMPS X21

#define A64_MAX_TEMPS 0xffffu

/* Stored just before each block's code (32 bytes, so the code stays 16-byte aligned). */
typedef struct A64BlockInfo {
    uint32_t goto_site[2];      /* byte offset of each slot's patchable B, 0 if unused */
    uint32_t goto_stub[2];      /* byte offset of the stub the unlinked B goes to */
    uint32_t body_size;         /* bytes of the straight-line body */
    uint32_t code_size;         /* body plus out-of-line stubs */
    uint64_t tb;                /* the TranslationBlock, read by the code with LDR literal */
} A64BlockInfo;

const A64BlockInfo *a64_block_info(const TranslationBlock *tb);

/* Emit the code of block b into e, whose word 0 will execute at entry_rx (16-byte aligned,
 * with its A64BlockInfo right before it). epilogue_rx: the shared exit. false: overflow. */
bool a64_codegen(A64Emit *e, const TCGBlock *b, TranslationBlock *tb, uintptr_t entry_rx,
                 uintptr_t epilogue_rx, A64BlockInfo *info);

#endif
