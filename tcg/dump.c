/*
 * tcg/dump.c — -d op and -d out_asm: after each block compiled, hand its IR and its host
 * code to the hooks the ui set (ui/trace.c formats them). The host code's extent is the
 * backend's business: the x86-64 JIT records body and stub sizes in each block's
 * JitBlockInfo; the interpreter runs the IR itself and has no host code to show.
 */
#include "tcg/backend.h"

#if defined(__x86_64__)
#include "tcg/backend/x86_64/jit.h"
#endif

TCGLogHooks tcg_log_hooks;

void tcg_log_compiled(const TCGBlock *b, const TranslationBlock *tb)
{
    if (tcg_log_hooks.ir) tcg_log_hooks.ir(tb, b);
    if (!tcg_log_hooks.host_code) return;
#if defined(__x86_64__)
    if (tcg_backend() == TCG_BACKEND_X86_64) {
        const JitBlockInfo *info = jit_block_info(tb);
        tcg_log_hooks.host_code(tb, tb->code, info->code_size, info->body_size);
        return;
    }
#endif
    tcg_log_hooks.host_code(tb, NULL, 0, 0);
}
