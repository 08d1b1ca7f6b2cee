/*
 * tests/unit/test_flags.c — the lazy-flag arithmetic (cpu/flags.c) and the ALU helpers
 * (cpu/helpers_alu.c) against the host CPU: each operation runs natively with random
 * operands and the flags the SDM defines must match cc_compute_flags() of the lazy state
 * the translator would record. x86-64 hosts only.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"

/* the parts of cpu/ this test does not link */
void cpu_update_hflags(CPUState *env) { (void)env; }
static jmp_buf raised;
static int raised_vector;
_Noreturn void cpu_raise_exception(CPUState *env, int vector, uint32_t error_code)
{
    (void)env; (void)error_code;
    raised_vector = vector;
    longjmp(raised, 1);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    /* bias towards edge values: they are where flags differ */
    switch (rng_state % 8) {
    case 0: return 0;
    case 1: return ~0ull;
    case 2: return 1ull << (rng_state >> 58);
    case 3: return (1ull << (rng_state >> 58)) - 1;
    default: return rng_state * 0x2545f4914f6cdd1dull;
    }
}

static int failures;
static void check(const char *what, int size, uint64_t a, uint64_t b, uint32_t want, uint32_t got,
                  uint32_t mask)
{
    if ((want & mask) != (got & mask)) {
        if (failures++ < 20)
            printf("FAIL %s/%d a=%llx b=%llx: host %03x ours %03x (mask %03x)\n", what, size,
                   (unsigned long long)a, (unsigned long long)b, want & mask, got & mask, mask);
    }
}

#define FLAGS_OUT(res, fl) "=r"(res), "=r"(fl)

/* host op r = a OP b at one size: returns result and flags; cf_in sets CF before */
#define HOST_BINOP(name, insn)                                                            \
static uint64_t host_##name(int size, uint64_t a, uint64_t b, int cf_in, uint32_t *fl)   \
{                                                                                          \
    uint64_t f;                                                                            \
    switch (size) {                                                                        \
    case 1: { uint8_t x = (uint8_t)a, y = (uint8_t)b;                                     \
        __asm__("bt $0, %k3\n\t" insn "b %b2, %b0\n\tpushfq\n\tpopq %1"                   \
                : "+q"(x), "=r"(f) : "q"(y), "r"(cf_in) : "cc"); a = x; break; }           \
    case 2: { uint16_t x = (uint16_t)a, y = (uint16_t)b;                                  \
        __asm__("bt $0, %k3\n\t" insn "w %w2, %w0\n\tpushfq\n\tpopq %1"                   \
                : "+r"(x), "=r"(f) : "r"(y), "r"(cf_in) : "cc"); a = x; break; }           \
    case 4: { uint32_t x = (uint32_t)a, y = (uint32_t)b;                                  \
        __asm__("bt $0, %k3\n\t" insn "l %k2, %k0\n\tpushfq\n\tpopq %1"                   \
                : "+r"(x), "=r"(f) : "r"(y), "r"(cf_in) : "cc"); a = x; break; }           \
    default:                                                                               \
        __asm__("bt $0, %k3\n\t" insn "q %2, %0\n\tpushfq\n\tpopq %1"                     \
                : "+r"(a), "=r"(f) : "r"(b), "r"(cf_in) : "cc"); break;                    \
    }                                                                                      \
    *fl = (uint32_t)f & CC_MASK;                                                           \
    return a;                                                                              \
}
HOST_BINOP(add, "add")
HOST_BINOP(adc, "adc")
HOST_BINOP(sub, "sub")
HOST_BINOP(sbb, "sbb")
HOST_BINOP(and, "and")
#undef HOST_BINOP

/* shifts take the count in CL */
#define HOST_SHIFT(name, insn)                                                            \
static uint64_t host_##name(int size, uint64_t a, uint64_t b, int cf_in, uint32_t *fl)   \
{                                                                                          \
    uint64_t f;                                                                            \
    uint8_t c = (uint8_t)b;                                                                \
    switch (size) {                                                                        \
    case 1: { uint8_t x = (uint8_t)a;                                                     \
        __asm__("bt $0, %k3\n\t" insn "b %%cl, %b0\n\tpushfq\n\tpopq %1"                 \
                : "+q"(x), "=r"(f) : "c"(c), "r"(cf_in) : "cc"); a = x; break; }           \
    case 2: { uint16_t x = (uint16_t)a;                                                   \
        __asm__("bt $0, %k3\n\t" insn "w %%cl, %w0\n\tpushfq\n\tpopq %1"                 \
                : "+r"(x), "=r"(f) : "c"(c), "r"(cf_in) : "cc"); a = x; break; }           \
    case 4: { uint32_t x = (uint32_t)a;                                                   \
        __asm__("bt $0, %k3\n\t" insn "l %%cl, %k0\n\tpushfq\n\tpopq %1"                 \
                : "+r"(x), "=r"(f) : "c"(c), "r"(cf_in) : "cc"); a = x; break; }           \
    default:                                                                               \
        __asm__("bt $0, %k3\n\t" insn "q %%cl, %0\n\tpushfq\n\tpopq %1"                   \
                : "+r"(a), "=r"(f) : "c"(c), "r"(cf_in) : "cc"); break;                    \
    }                                                                                      \
    *fl = (uint32_t)f & CC_MASK;                                                           \
    return a;                                                                              \
}
HOST_SHIFT(shl, "shl")
HOST_SHIFT(shr, "shr")
HOST_SHIFT(sar, "sar")
HOST_SHIFT(rcl, "rcl")
HOST_SHIFT(rcr, "rcr")
#undef HOST_SHIFT

static uint64_t szmask(int size) { return size == 8 ? ~0ull : (1ull << (size * 8)) - 1; }

static void test_arith(void)
{
    static const int sizes[] = { 1, 2, 4, 8 };
    for (int i = 0; i < 200000; i++) {
        int size = sizes[i & 3];
        uint64_t m = szmask(size);
        uint64_t a = rnd() & m, b = rnd() & m;
        int cin = (int)(rnd() & 1);
        uint32_t hf, ours;
        uint64_t r;
        CCOp sz = cc_op_sized(CC_OP_ADDB, size) - CC_OP_ADDB;

        r = host_add(size, a, b, cin, &hf);
        ours = cc_compute_flags(CC_OP_ADDB + sz, r, b, 0);
        check("add", size, a, b, hf, ours, CC_MASK);
        r = host_adc(size, a, b, cin, &hf);
        ours = cc_compute_flags(CC_OP_ADCB + sz, r, b, (uint64_t)cin);
        check("adc", size, a, b, hf, ours, CC_MASK);
        r = host_sub(size, a, b, cin, &hf);
        ours = cc_compute_flags(CC_OP_SUBB + sz, r, b, 0);
        check("sub", size, a, b, hf, ours, CC_MASK);
        r = host_sbb(size, a, b, cin, &hf);
        ours = cc_compute_flags(CC_OP_SBBB + sz, r, b, (uint64_t)cin);
        check("sbb", size, a, b, hf, ours, CC_MASK);
        r = host_and(size, a, b, cin, &hf);
        ours = cc_compute_flags(CC_OP_LOGICB + sz, r, 0, 0);
        check("and", size, a, b, hf, ours, CC_MASK & ~CC_A);
        /* INC and DEC are ADD/SUB of 1 with CF kept */
        r = host_add(size, a, 1, 0, &hf);
        ours = cc_compute_flags(CC_OP_INCB + sz, r, (uint64_t)cin, 0);
        check("inc", size, a, 1, (hf & ~CC_C) | (cin ? CC_C : 0), ours, CC_MASK);
        r = host_sub(size, a, 1, 0, &hf);
        ours = cc_compute_flags(CC_OP_DECB + sz, r, (uint64_t)cin, 0);
        check("dec", size, a, 1, (hf & ~CC_C) | (cin ? CC_C : 0), ours, CC_MASK);
    }
}

/* shifts with counts 1..size (CF defined), OF checked for count 1 only */
static void test_shifts(void)
{
    static const int sizes[] = { 1, 2, 4, 8 };
    for (int i = 0; i < 200000; i++) {
        int size = sizes[i & 3], bits = size * 8;
        uint64_t m = szmask(size);
        uint64_t a = rnd() & m;
        unsigned c = 1 + (unsigned)(rnd() % (unsigned)bits);
        if (c > (size == 8 ? 63u : 31u)) c = size == 8 ? 63 : 31;   /* counts are masked */
        uint32_t hf, ours, mask = CC_C | CC_Z | CC_S | CC_P | (c == 1 ? CC_O : 0);
        CCOp sz = cc_op_sized(CC_OP_ADDB, size) - CC_OP_ADDB;
        uint64_t r;

        r = host_shl(size, a, c, 0, &hf);
        ours = cc_compute_flags(CC_OP_SHLB + sz, r, a << (c - 1), 0);
        check("shl", size, a, c, hf, ours, c < (unsigned)bits ? mask : mask & ~CC_C);
        r = host_shr(size, a, c, 0, &hf);
        ours = cc_compute_flags(CC_OP_SARB + sz, r, a >> (c - 1), (a >> (bits - 1)) & 1);
        check("shr", size, a, c, hf, ours, mask);
        int64_t sa = (int64_t)(a << (64 - bits)) >> (64 - bits);
        r = host_sar(size, a, c, 0, &hf);
        ours = cc_compute_flags(CC_OP_SARB + sz, r, (uint64_t)(sa >> (c - 1)), 0);
        check("sar", size, a, c, hf, ours, mask);

        /* rotate through carry: result and CF */
        int cin = (int)(rnd() & 1);
        unsigned rc = (unsigned)(rnd() % (size == 8 ? 64 : 32));
        uint64_t want = host_rcl(size, a, rc, cin, &hf) & m;
        uint64_t got = helper_rotate_carry(NULL, (uint64_t)size, a, rc, (uint64_t)cin);
        uint64_t got_cf = helper_rotate_carry(NULL, (uint64_t)size | ROTC_WANT_CF, a, rc, (uint64_t)cin);
        check("rcl", size, a, rc, (uint32_t)want, (uint32_t)got, ~0u);
        check("rcl.cf", size, a, rc, hf & CC_C, (uint32_t)got_cf, rc ? CC_C : 0);
        want = host_rcr(size, a, rc, cin, &hf) & m;
        got = helper_rotate_carry(NULL, (uint64_t)size | ROTC_RIGHT, a, rc, (uint64_t)cin);
        got_cf = helper_rotate_carry(NULL, (uint64_t)size | ROTC_RIGHT | ROTC_WANT_CF, a, rc,
                                     (uint64_t)cin);
        check("rcr", size, a, rc, (uint32_t)want, (uint32_t)got, ~0u);
        check("rcr.cf", size, a, rc, hf & CC_C, (uint32_t)got_cf, rc ? CC_C : 0);
    }
}

static void run_div(CPUState *env, bool is_signed, int size, uint64_t d)
{
    raised_vector = -1;
    if (!setjmp(raised)) {
        if (is_signed) helper_idiv(env, (uint64_t)size, d, 0, 0);
        else helper_div(env, (uint64_t)size, d, 0, 0);
    }
}

/* DIV/IDIV through the helper vs the host's own division (and its #DE cases) */
static void test_div(void)
{
    static const int sizes[] = { 1, 2, 4, 8 };
    CPUState *env = calloc(1, sizeof(*env));
    for (int i = 0; i < 100000; i++) {
        int size = sizes[i & 3];
        uint64_t m = szmask(size);
        uint64_t rax = rnd(), rdx = rnd() & (i & 4 ? m >> 4 : m), d = rnd() & m;
        if (i % 16 == 5) { d = m; rdx = size == 1 ? 0 : m; rax = (m >> 1) + 1; }   /* MIN / -1 */
        bool is_signed = i & 8;
        /* the expected answer from 128-bit arithmetic */
        unsigned bits = (unsigned)size * 8;
        unsigned __int128 n = size == 1 ? (rax & 0xffff)
                                        : ((unsigned __int128)(rdx & m) << bits) | (rax & m);
        bool de = d == 0;
        uint64_t q = 0, r = 0;
        if (!de && !is_signed) {
            unsigned __int128 qq = n / d;
            de = qq > m;
            q = (uint64_t)qq; r = (uint64_t)(n % d);
        } else if (!de) {
            unsigned nbits = size == 1 ? 16 : 2 * bits;
            __int128 sn = (__int128)(n << (128 - nbits)) >> (128 - nbits);
            int64_t sd = (int64_t)(d << (64 - bits)) >> (64 - bits);
            if (sd == -1) {
                __int128 qq = (__int128)(0 - (unsigned __int128)sn);
                de = sn == -((__int128)1 << (nbits - 1)) || qq > (__int128)(m >> 1) ||
                     qq < -(__int128)(m >> 1) - 1;
                q = (uint64_t)qq; r = 0;
            } else {
                __int128 qq = sn / sd;
                de = qq > (__int128)(m >> 1) || qq < -(__int128)(m >> 1) - 1;
                q = (uint64_t)qq; r = (uint64_t)(sn % sd);
            }
        }
        env->regs[R_EAX] = rax;
        env->regs[R_EDX] = rdx;
        run_div(env, is_signed, size, d);
        const char *what = is_signed ? "idiv" : "div";
        check(what, size, rax, d, de ? EXCP_DE : 0u, raised_vector == EXCP_DE ? EXCP_DE : 0u, ~0u);
        if (!de && raised_vector < 0) {
            uint64_t gq = size == 1 ? env->regs[R_EAX] & 0xff : env->regs[R_EAX] & m;
            uint64_t gr = size == 1 ? (env->regs[R_EAX] >> 8) & 0xff : env->regs[R_EDX] & m;
            check(what, size, rax, d, (uint32_t)(q & m), (uint32_t)gq, ~0u);
            check(what, size, rax, d, (uint32_t)(r & m), (uint32_t)gr, ~0u);
            if (size == 4 && (env->regs[R_EAX] >> 32 || env->regs[R_EDX] >> 32))
                check("div.zext", size, rax, d, 0, 1, ~0u);
        }
    }
    free(env);
}

int main(void)
{
    test_arith();
    test_shifts();
    test_div();
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("flags and ALU helpers agree with the host\n");
    return 0;
}
