/*
 * cpu/sse_hostfp.c — SSE floating point on the host's own SSE unit, for x86-64 hosts.
 *
 * On an x86-64 host the host instruction is the architectural definition of the guest's:
 * ADDSD with the guest's rounding, DAZ and FTZ in MXCSR gives exactly the guest's bits and
 * exception flags, so the helpers use it instead of softfloat's integer emulation (several
 * times faster). Every exception is masked while the host computes (a fault is the guest's
 * business: helpers_sse.c raises #XM from the flags), and the host's own MXCSR is restored
 * after. Other hosts (and tests that want softfloat) use cpu/softfloat.c; the two agree bit
 * for bit (tests/fp/test_softfloat.c checks softfloat against this very hardware).
 *
 * Every lane is computed with the scalar instruction: packed SSE arithmetic is the scalar
 * operation lane by lane, the flags of all lanes ORed.
 */
#include <string.h>

#include "cpu/sse.h"

#if defined(__x86_64__)

bool sse_host_fp = true;

#define MXCSR_FLAGS 0x3fu
#define MXCSR_MASKS 0x1f80u

/* The host's MXCSR while the guest's operations run. ldmxcsr is slow (it serialises), so
 * when the guest masks every exception and uses the host's controls, the operations run
 * under the host's MXCSR as it is: its sticky flags then only matter if the guest lacks one
 * of them (they are ORed into the guest's MXCSR after), which forces a reload. */
typedef struct HostCsr {
    uint32_t saved;
    bool reloaded;
} HostCsr;

static HostCsr enter_guest_mxcsr(uint32_t guest)
{
    uint32_t host, want = (guest & ~MXCSR_FLAGS) | MXCSR_MASKS;
    __asm__ volatile("stmxcsr %0" : "=m"(host));
    if ((guest & MXCSR_MASKS) == MXCSR_MASKS && (host & ~MXCSR_FLAGS) == want &&
        !(host & MXCSR_FLAGS & ~guest))
        return (HostCsr){ host, false };
    __asm__ volatile("ldmxcsr %0" : : "m"(want));
    return (HostCsr){ host, true };
}

/* the flags raised since enter_guest_mxcsr (plus, without a reload, flags the guest has
 * already); the host's MXCSR back */
static uint8_t leave_guest_mxcsr(HostCsr h)
{
    uint32_t csr;
    __asm__ volatile("stmxcsr %0" : "=m"(csr));
    if (h.reloaded)
        __asm__ volatile("ldmxcsr %0" : : "m"(h.saved));
    return (uint8_t)(csr & MXCSR_FLAGS);
}

/* one scalar operation on the bit patterns in the low lane of two xmm values */
#define SCALAR(insn, x, y) __asm__ volatile(insn " %1, %0" : "+x"(x) : "x"(y))
#define CMP(sfx, pred, x, y) __asm__ volatile("cmp" sfx " $" #pred ", %1, %0" : "+x"(x) : "x"(y))

static double f64_of(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static uint64_t bits_of_f64(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}

static float f32_of(uint32_t v)
{
    float f;
    memcpy(&f, &v, 4);
    return f;
}

static uint32_t bits_of_f32(float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    return v;
}

static uint64_t lane_op_f64(unsigned op, uint64_t a, uint64_t b, unsigned pred)
{
    double x = f64_of(a), y = f64_of(b);
    switch (op) {
    case FP_ADD: SCALAR("addsd", x, y); break;
    case FP_SUB: SCALAR("subsd", x, y); break;
    case FP_MUL: SCALAR("mulsd", x, y); break;
    case FP_DIV: SCALAR("divsd", x, y); break;
    case FP_MIN: SCALAR("minsd", x, y); break;
    case FP_MAX: SCALAR("maxsd", x, y); break;
    case FP_SQRT: SCALAR("sqrtsd", x, y); break;
    default:
        switch (pred & 7) {
        case 0: CMP("sd", 0, x, y); break;
        case 1: CMP("sd", 1, x, y); break;
        case 2: CMP("sd", 2, x, y); break;
        case 3: CMP("sd", 3, x, y); break;
        case 4: CMP("sd", 4, x, y); break;
        case 5: CMP("sd", 5, x, y); break;
        case 6: CMP("sd", 6, x, y); break;
        default: CMP("sd", 7, x, y); break;
        }
        break;
    }
    return bits_of_f64(x);
}

static uint32_t lane_op_f32(unsigned op, uint32_t a, uint32_t b, unsigned pred)
{
    float x = f32_of(a), y = f32_of(b);
    switch (op) {
    case FP_ADD: SCALAR("addss", x, y); break;
    case FP_SUB: SCALAR("subss", x, y); break;
    case FP_MUL: SCALAR("mulss", x, y); break;
    case FP_DIV: SCALAR("divss", x, y); break;
    case FP_MIN: SCALAR("minss", x, y); break;
    case FP_MAX: SCALAR("maxss", x, y); break;
    case FP_SQRT: SCALAR("sqrtss", x, y); break;
    default:
        switch (pred & 7) {
        case 0: CMP("ss", 0, x, y); break;
        case 1: CMP("ss", 1, x, y); break;
        case 2: CMP("ss", 2, x, y); break;
        case 3: CMP("ss", 3, x, y); break;
        case 4: CMP("ss", 4, x, y); break;
        case 5: CMP("ss", 5, x, y); break;
        case 6: CMP("ss", 6, x, y); break;
        default: CMP("ss", 7, x, y); break;
        }
        break;
    }
    return bits_of_f32(x);
}

/* ---------------------------------------------------------------- without MXCSR access
 * Reading and writing MXCSR costs more than the arithmetic. When the guest runs with the
 * default controls, every exception masked and PE already set, and the operands are zeros
 * or normal numbers of moderate magnitude, the operation can raise no flag the guest lacks
 * (no NaN, infinity or denormal in; no overflow, underflow or division by zero possible;
 * inexact is already set), so it runs under the host's MXCSR, whose controls are the
 * default ones (checked once), and MXCSR is not touched. */

#define MXCSR_DEFAULT_CONTROLS 0x1f80u
#define MXCSR_PE 0x20u

static bool host_controls_default(void)
{
    static int known;   /* 0 unknown, 1 default, 2 not */
    if (!known) {
        uint32_t host;
        __asm__ volatile("stmxcsr %0" : "=m"(host));
        known = (host & ~MXCSR_FLAGS) == MXCSR_DEFAULT_CONTROLS ? 1 : 2;
    }
    return known == 1;
}

/* Zero, or normal with a magnitude in [2^-(M-2), 2^(M-1)) (M = 510 for binary64, 62 for
 * binary32): products, quotients and sums of two such stay normal and finite */
static bool moderate(SfFormat f, uint64_t v, bool zero_ok)
{
    unsigned e = f == SF_F64 ? (unsigned)(v >> 52) & 0x7ff : (unsigned)(v >> 23) & 0xff;
    bool zero = f == SF_F64 ? !(v << 1) : !((uint32_t)v << 1);
    if (zero)
        return zero_ok;
    return f == SF_F64 ? e >= 1023 - 510 && e <= 1023 + 509 : e >= 127 - 62 && e <= 127 + 61;
}

static bool lanes_quiet(unsigned op, SfFormat f, unsigned n, const Xmm *x, const Xmm *y)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = f == SF_F64 ? x->q[i] : x->d[i], b = f == SF_F64 ? y->q[i] : y->d[i];
        if (op == FP_SQRT) {
            if (!moderate(f, b, true) || (b >> (f == SF_F64 ? 63 : 31)))
                return false;
        } else if (!moderate(f, a, true) || !moderate(f, b, op != FP_DIV)) {
            return false;
        }
    }
    return true;
}

bool sse_host_fp_lanes(unsigned op, SfFormat f, unsigned n, const Xmm *x, const Xmm *y,
                       unsigned pred, uint32_t mxcsr, Xmm *r, uint8_t *flags)
{
    if (!sse_host_fp)
        return false;
    if ((mxcsr & ~MXCSR_FLAGS) == MXCSR_DEFAULT_CONTROLS && (mxcsr & MXCSR_PE) &&
        host_controls_default() && lanes_quiet(op, f, n, x, y)) {
        for (unsigned i = 0; i < n; i++) {
            if (f == SF_F64)
                r->q[i] = lane_op_f64(op, x->q[i], y->q[i], pred);
            else
                r->d[i] = lane_op_f32(op, x->d[i], y->d[i], pred);
        }
        *flags = 0;
        return true;
    }
    HostCsr host = enter_guest_mxcsr(mxcsr);
    for (unsigned i = 0; i < n; i++) {
        if (f == SF_F64)
            r->q[i] = lane_op_f64(op, x->q[i], y->q[i], pred);
        else
            r->d[i] = lane_op_f32(op, x->d[i], y->d[i], pred);
    }
    *flags = leave_guest_mxcsr(host);
    return true;
}

/* not a NaN and not a denormal (infinities and zeros compare without flags) */
static bool nan_denormal_free(SfFormat f, uint64_t v)
{
    unsigned e = f == SF_F64 ? (unsigned)(v >> 52) & 0x7ff : (unsigned)(v >> 23) & 0xff;
    uint64_t m = f == SF_F64 ? v & ((1ull << 52) - 1) : v & ((1u << 23) - 1);
    unsigned emax = f == SF_F64 ? 0x7ff : 0xff;
    return e == emax ? m == 0 : e != 0 || m == 0;
}

bool sse_host_compare(SfFormat f, uint64_t a, uint64_t b, bool signaling, uint32_t mxcsr,
                      SfRelation *rel, uint8_t *flags)
{
    if (!sse_host_fp)
        return false;
    uint8_t zf, pf, cf;
    /* neither operand a NaN or a denormal: no flag at all, whatever the controls */
    bool quiet = (mxcsr & MXCSR_MASKS) == MXCSR_MASKS && nan_denormal_free(f, a) &&
                 nan_denormal_free(f, b);
    HostCsr host = quiet ? (HostCsr){ 0, false } : enter_guest_mxcsr(mxcsr);
    if (f == SF_F64) {
        double x = f64_of(a), y = f64_of(b);
        if (signaling)
            __asm__ volatile("comisd %4, %3; setz %0; setp %1; setc %2"
                             : "=q"(zf), "=q"(pf), "=q"(cf) : "x"(x), "x"(y) : "cc");
        else
            __asm__ volatile("ucomisd %4, %3; setz %0; setp %1; setc %2"
                             : "=q"(zf), "=q"(pf), "=q"(cf) : "x"(x), "x"(y) : "cc");
    } else {
        float x = f32_of((uint32_t)a), y = f32_of((uint32_t)b);
        if (signaling)
            __asm__ volatile("comiss %4, %3; setz %0; setp %1; setc %2"
                             : "=q"(zf), "=q"(pf), "=q"(cf) : "x"(x), "x"(y) : "cc");
        else
            __asm__ volatile("ucomiss %4, %3; setz %0; setp %1; setc %2"
                             : "=q"(zf), "=q"(pf), "=q"(cf) : "x"(x), "x"(y) : "cc");
    }
    *flags = quiet ? 0 : leave_guest_mxcsr(host);
    *rel = pf ? SF_UNORDERED : zf ? SF_EQUAL : cf ? SF_LESS : SF_GREATER;
    return true;
}

#else

bool sse_host_fp = false;

bool sse_host_fp_lanes(unsigned op, SfFormat f, unsigned n, const Xmm *x, const Xmm *y,
                       unsigned pred, uint32_t mxcsr, Xmm *r, uint8_t *flags)
{
    return false;
}

bool sse_host_compare(SfFormat f, uint64_t a, uint64_t b, bool signaling, uint32_t mxcsr,
                      SfRelation *rel, uint8_t *flags)
{
    return false;
}

#endif
