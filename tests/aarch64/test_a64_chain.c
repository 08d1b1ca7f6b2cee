/*
 * tests/aarch64/test_a64_chain.c — tests/jit's chaining test (chained loops, exit_req in a
 * chain, unlinking on invalidation, a block overwritten while it runs, flush from a helper,
 * full code buffer, precise fault pcs, indirect exits) run through tcg_exec with the
 * AArch64 backend: the backend the test asks for by the x86-64 name is the AArch64 one.
 */
#include "tcg/backend.h"
#define TCG_BACKEND_X86_64 TCG_BACKEND_AARCH64
#define tcg_backend_x86_64 tcg_backend_aarch64
#include "tests/jit/test_jit_chain.c"
