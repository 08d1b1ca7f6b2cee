/*
 * tcg/backend.h — inside tcg/: the interface between the core (IR builder, optimizer,
 * TB cache, exec loop) and the backends (interp now; x86_64 and aarch64 JITs later), and
 * the core state both sides share. Nothing outside tcg/ includes this, except tcg's own
 * unit tests.
 */
#ifndef FERRY_TCG_BACKEND_H
#define FERRY_TCG_BACKEND_H

#include "tcg/tcg.h"

/* How a block (or, for a JIT, a run of chained blocks) was left. */
typedef enum TCGExitKind {
    TCG_EXIT_SLOT0 = 0,     /* goto_tb 0 */
    TCG_EXIT_SLOT1 = 1,     /* goto_tb 1 */
    TCG_EXIT_INDIRECT,      /* exit_tb: the successor is looked up */
    TCG_EXIT_STOPPED,       /* the running block was invalidated; pc already stored */
} TCGExitKind;

typedef struct TCGExit {
    TranslationBlock *tb;   /* the block whose exit was taken (a JIT may have run chained
                               blocks before it) */
    TCGExitKind kind;
} TCGExit;

typedef struct TCGBackend {
    const char *name;
    /* Reserve the code buffer of code_size bytes. Called again on re-initialisation,
     * after fini. */
    bool (*init)(size_t code_size);
    void (*fini)(void);
    /* Compile the block into the code buffer and set tb->code. false: buffer full (the
     * core flushes and retries once). The block must end in goto_tb / exit_tb on every
     * path; a backend rejects malformed IR (bad temp, label or mmu index) with a fatal
     * error at compile time so that execution needs no checks. */
    bool (*compile)(const TCGBlock *b, TranslationBlock *tb);
    /* Forget all compiled code (tb_flush). */
    void (*reset)(void);
    /* Run tb. The backend keeps tcg_exec_state.insn_pc current at every insn_start and,
     * there, honours tcg_exec_state.stop_request: store the insn's pc with set_pc and
     * return TCG_EXIT_STOPPED. A backend that follows chains itself must test exit_req
     * at every chained entry. */
    TCGExit (*exec)(void *env, TranslationBlock *tb);
    /* Patch exit slot of src to jump straight to dst, and undo it. NULL when the exec
     * loop follows tb->jmp_dest itself (interp). */
    void (*link)(TranslationBlock *src, int slot, TranslationBlock *dst);
    void (*unlink)(TranslationBlock *src, int slot);
    /* Map a host code address inside tb back to the guest pc of its instruction, for
     * backends that do not store insn_pc at run time. NULL for interp. */
    bool (*host_pc_to_insn_pc)(const TranslationBlock *tb, uintptr_t host_pc, uint64_t *insn_pc);
    /* tb was just invalidated and unlinked: once the current run returns, nothing runs or
     * patches its code again, and no compile happens before that, so a backend may take
     * its space back (the x86-64 JIT does when tb is the newest block, which is what a
     * guest rewriting the code it just ran produces). NULL: nothing to reclaim. */
    void (*release)(TranslationBlock *tb);
} TCGBackend;

extern const TCGBackend tcg_backend_interp;
extern const TCGBackend tcg_backend_x86_64;   /* x86-64 hosts only */
extern const TCGBackend tcg_backend_aarch64;  /* aarch64 hosts only */

/* State of the running block, shared by the exec loop and the backend. Globals that the
 * next tcg_exec entry resets, because a guest fault leaves by longjmp from anywhere. */
typedef struct TCGExecState {
    uint64_t insn_pc;           /* guest pc of the instruction executing now */
    TranslationBlock *tb;       /* block executing now */
    bool in_block;
    bool stop_request;          /* tb was invalidated: stop at its next insn_start */
} TCGExecState;
extern TCGExecState tcg_exec_state;
extern const TCGFrontend *tcg_frontend;

/* For a JIT's indirect exits (exit_tb of a chainable block): the block to run next, found
 * from generated code without the trip through tcg_exec. NULL sends the block back to the
 * exec loop: exit_req or stop_request set, or no compiled chainable block for the next key
 * (the key computed then is kept for the loop, so get_key's side effects happen once).
 * Never translates (that could flush the code calling it). May leave by a guest fault from
 * get_key, as the exec loop's own lookup would. */
TranslationBlock *tcg_lookup_indirect(void *env);

/* ---------------------------------------------------------------- core internals */

/* Start a fresh current block for the builder (tcg.c) and return it. */
TCGBlock *tcg_block_begin(void);
TCGBlock *tcg_current_block(void);
void tcg_builder_free(void);

/* IR passes run between translation and compilation (opt.c). */
void tcg_optimize(TCGBlock *b);
extern bool tcg_optimize_enabled;   /* tests compare results with and without */

_Noreturn void tcg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
