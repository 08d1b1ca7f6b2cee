/*
 * tests/aarch64/test_a64_ops.c — tests/jit's op test (every IR op, both types, every
 * condition, env and guest-memory accesses with TLB hits, misses and page crossings, helper
 * calls, the stop request; the JIT bit for bit against the interpreter) run on the AArch64
 * backend. That test names the x86-64 backend; here the name means the AArch64 one.
 */
#include "tcg/backend.h"
#define tcg_backend_x86_64 tcg_backend_aarch64
#include "tests/jit/test_jit_ops.c"
