/*
 * cpu/helpers_xsave.c — XSAVE, XSAVEOPT, XSAVEC, XRSTOR, XGETBV and XSETBV for the two
 * state components ferry has: x87 (bit 0) and SSE (bit 1, the XMM registers; MXCSR travels
 * with it). Both live in the 512-byte legacy region at the FXSAVE offsets, followed by the
 * 64-byte XSAVE header, so the standard and the compacted layouts coincide.
 *
 * XINUSE (which components are not in their initial configuration) is computed from the
 * registers, never tracked: x87 is initial when FCW = 037F, FSW = 0, every register is empty
 * and zero; SSE when every XMM register is zero. XSAVEOPT and XSAVEC skip the components
 * that are initial (the init optimisation); XSAVEOPT has no "modified" optimisation (it may
 * always write, which the architecture allows). The x87 instruction and data pointers are
 * not modelled and are saved as zero, as FXSAVE does.
 */
#include "cpu/helpers.h"
#include "cpu/x87.h"

#define XSTATE_X87 1ull
#define XSTATE_SSE 2ull
#define XSTATE_SUPPORTED (XSTATE_X87 | XSTATE_SSE)
#define XCOMP_COMPACTED (1ull << 63)
#define MXCSR_VALID 0xffffu         /* MXCSR_MASK: every defined bit, DAZ included */
#define XSAVE_HEADER 512u
#define XSAVE_AREA_SIZE 576u

uint64_t cpu_xcr0(const CPUState *env)
{
    return env->xcr0 | XSTATE_X87;
}

static unsigned fpu_top(const CPUState *env)
{
    return (env->fpus >> 11) & 7;
}

static uint64_t xinuse(const CPUState *env)
{
    uint64_t in_use = 0;
    bool x87_init = env->fpuc == 0x37f && env->fpus == 0 && env->fptag == 0xffff;
    for (unsigned i = 0; i < 8 && x87_init; i++)
        x87_init = !env->fpregs[i].mant && !env->fpregs[i].exp;
    if (!x87_init)
        in_use |= XSTATE_X87;
    for (unsigned i = 0; i < 16; i++)
        if (env->xmm[i][0] | env->xmm[i][1])
            in_use |= XSTATE_SSE;
    return in_use;
}

static unsigned xmm_count(const CPUState *env)
{
    return (env->hflags & HF_CS64) ? 16 : 8;
}

/* ---------------------------------------------------------------- the legacy region */

static void save_x87(CPUState *env, uint64_t la, int idx)
{
    uint8_t abridged = 0;
    for (unsigned p = 0; p < 8; p++)
        if (((env->fptag >> (2 * p)) & 3) != 3)
            abridged |= (uint8_t)(1u << p);
    mmu_st(env, la + 0, env->fpuc, 2, idx);
    mmu_st(env, la + 2, env->fpus, 2, idx);
    mmu_st(env, la + 4, abridged, 1, idx);
    mmu_st(env, la + 5, 0, 1, idx);
    mmu_st(env, la + 6, 0, 2, idx);             /* FOP */
    mmu_st(env, la + 8, 0, 8, idx);             /* FIP (FCS) */
    mmu_st(env, la + 16, 0, 8, idx);            /* FDP (FDS) */
    for (unsigned i = 0; i < 8; i++) {
        const X87Reg *r = &env->fpregs[(fpu_top(env) + i) & 7];
        mmu_st(env, la + 32 + 16 * i, r->mant, 8, idx);
        mmu_st(env, la + 40 + 16 * i, r->exp, 2, idx);
    }
}

static void save_mxcsr(CPUState *env, uint64_t la, int idx)
{
    mmu_st(env, la + 24, env->mxcsr, 4, idx);
    mmu_st(env, la + 28, MXCSR_VALID, 4, idx);
}

static void save_sse(CPUState *env, uint64_t la, int idx)
{
    for (unsigned i = 0; i < xmm_count(env); i++) {
        mmu_st(env, la + 160 + 16 * i, env->xmm[i][0], 8, idx);
        mmu_st(env, la + 168 + 16 * i, env->xmm[i][1], 8, idx);
    }
}

/* the x87 part of the legacy region, read before anything is changed */
typedef struct X87Image {
    uint16_t fcw, fsw;
    uint8_t abridged_tag;
    X87Reg st[8];
} X87Image;

static X87Image read_x87(CPUState *env, uint64_t la, int idx)
{
    X87Image img;
    img.fcw = (uint16_t)mmu_ld(env, la + 0, 2, idx);
    img.fsw = (uint16_t)mmu_ld(env, la + 2, 2, idx);
    img.abridged_tag = (uint8_t)mmu_ld(env, la + 4, 1, idx);
    for (unsigned i = 0; i < 8; i++) {
        img.st[i].mant = mmu_ld(env, la + 32 + 16 * i, 8, idx);
        img.st[i].exp = (uint16_t)mmu_ld(env, la + 40 + 16 * i, 2, idx);
    }
    return img;
}

static void load_x87(CPUState *env, const X87Image *img)
{
    uint16_t tag = 0;
    for (unsigned p = 0; p < 8; p++)
        if (!((img->abridged_tag >> p) & 1))
            tag |= (uint16_t)(3u << (2 * p));
    env->fpuc = img->fcw;
    env->fpus = img->fsw;
    env->fptag = tag;
    for (unsigned i = 0; i < 8; i++)
        env->fpregs[(fpu_top(env) + i) & 7] = img->st[i];
}

static void init_x87(CPUState *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fptag = 0xffff;
    for (unsigned i = 0; i < 8; i++)
        env->fpregs[i] = (X87Reg){ 0, 0 };
}

/* ---------------------------------------------------------------- the instructions */

/* #UD without CR4.OSXSAVE (before anything else), then #NM with CR0.TS */
static void check_available(CPUState *env, bool state_access)
{
    if (!(env->cr[4] & CR4_OSXSAVE))
        cpu_raise_exception(env, EXCP_UD, 0);
    if (state_access && (env->cr[0] & CR0_TS))
        cpu_raise_exception(env, EXCP_NM, 0);
}

static void xsave(CPUState *env, uint64_t la, int idx, unsigned kind, uint64_t rfbm)
{
    bool compact = kind == XSAVE_KIND_SAVEC;
    uint64_t in_use = xinuse(env);
    /* probe the area first, so a fault leaves memory untouched */
    for (unsigned off = 0; off < XSAVE_AREA_SIZE; off += 8)
        mmu_ld(env, la + off, 8, idx);
    uint64_t write = kind == XSAVE_KIND_SAVE ? rfbm : rfbm & in_use;
    if (write & XSTATE_X87)
        save_x87(env, la, idx);
    /* MXCSR goes with the SSE bit of RFBM even when the XMM registers are initial */
    if (rfbm & XSTATE_SSE)
        save_mxcsr(env, la, idx);
    if (write & XSTATE_SSE)
        save_sse(env, la, idx);
    uint64_t old_bv = mmu_ld(env, la + XSAVE_HEADER, 8, idx);
    uint64_t bv = compact ? rfbm & in_use : (old_bv & ~rfbm) | (rfbm & in_use);
    mmu_st(env, la + XSAVE_HEADER, bv, 8, idx);
    if (compact)
        mmu_st(env, la + XSAVE_HEADER + 8, XCOMP_COMPACTED | rfbm, 8, idx);
}

static void xrstor(CPUState *env, uint64_t la, int idx, uint64_t rfbm)
{
    uint64_t xcr0 = cpu_xcr0(env);
    uint64_t bv = mmu_ld(env, la + XSAVE_HEADER, 8, idx);
    uint64_t comp = mmu_ld(env, la + XSAVE_HEADER + 8, 8, idx);
    /* the header: XSTATE_BV within XCR0 (compacted: within XCOMP_BV, itself within XCR0),
     * and reserved bytes zero: 8-23 in the standard form (XCOMP_BV included), 16-63 in the
     * compacted one */
    bool compact = comp & XCOMP_COMPACTED;
    bool bad = compact ? (comp & ~XCOMP_COMPACTED & ~xcr0) || (bv & ~comp)
                       : (bv & ~xcr0) || comp;
    for (unsigned off = 16; off < (compact ? 64u : 24u) && !bad; off += 8)
        bad = mmu_ld(env, la + XSAVE_HEADER + off, 8, idx) != 0;
    if (bad)
        cpu_raise_exception(env, EXCP_GP, 0);
    /* in the compacted form a component outside XCOMP_BV is initialised */
    if (compact)
        bv &= comp;
    uint32_t mxcsr = env->mxcsr;
    if (rfbm & XSTATE_SSE) {
        mxcsr = (uint32_t)mmu_ld(env, la + 24, 4, idx);
        if (mxcsr & ~MXCSR_VALID)
            cpu_raise_exception(env, EXCP_GP, 0);
    }
    /* read everything before changing any state: a fault must leave it untouched */
    X87Image img = { 0 };
    uint64_t xmm[16][2] = { { 0 } };
    unsigned nxmm = xmm_count(env);
    if (rfbm & bv & XSTATE_X87)
        img = read_x87(env, la, idx);
    if (rfbm & bv & XSTATE_SSE) {
        for (unsigned i = 0; i < nxmm; i++) {
            xmm[i][0] = mmu_ld(env, la + 160 + 16 * i, 8, idx);
            xmm[i][1] = mmu_ld(env, la + 168 + 16 * i, 8, idx);
        }
    }
    if (rfbm & XSTATE_X87) {
        if (bv & XSTATE_X87)
            load_x87(env, &img);
        else
            init_x87(env);
    }
    if (rfbm & XSTATE_SSE) {
        env->mxcsr = mxcsr;
        for (unsigned i = 0; i < nxmm; i++) {
            env->xmm[i][0] = xmm[i][0];
            env->xmm[i][1] = xmm[i][1];
        }
    }
}

/* (linear, kind): XSAVE XSAVEOPT XSAVEC XRSTOR with EDX:EAX the requested-feature bitmap */
HELPER(xsave)
{
    CPUState *env = env_;
    uint64_t la = a0;
    unsigned kind = (unsigned)a1;
    check_available(env, true);
    if (la & 63)
        cpu_raise_exception(env, EXCP_GP, 0);
    uint64_t edx_eax = (env->regs[R_EDX] & 0xffffffffull) << 32 |
                       (env->regs[R_EAX] & 0xffffffffull);
    uint64_t rfbm = edx_eax & cpu_xcr0(env);
    int idx = cpu_mmu_index(env);
    if (kind == XSAVE_KIND_RSTOR)
        xrstor(env, la, idx, rfbm);
    else
        xsave(env, la, idx, kind, rfbm);
    return 0;
}
DEF_HELPER_INFO(xsave, 0);

/* (): XGETBV: ECX 0 is XCR0, ECX 1 the XINUSE bits of it; others #GP(0) */
HELPER(xgetbv)
{
    CPUState *env = env_;
    check_available(env, false);
    uint32_t which = (uint32_t)env->regs[R_ECX];
    if (which > 1)
        cpu_raise_exception(env, EXCP_GP, 0);
    uint64_t v = which == 0 ? cpu_xcr0(env) : cpu_xcr0(env) & xinuse(env);
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = (uint32_t)(v >> 32);
    return 0;
}
DEF_HELPER_INFO(xgetbv, 0);

/* (): XSETBV: CPL 0, ECX 0, EDX:EAX a supported XCR0 with the x87 bit, else #GP(0) */
HELPER(xsetbv)
{
    CPUState *env = env_;
    check_available(env, false);
    uint64_t v = (env->regs[R_EDX] & 0xffffffffull) << 32 | (env->regs[R_EAX] & 0xffffffffull);
    if ((env->hflags & HF_CPL_MASK) != 0 || (uint32_t)env->regs[R_ECX] != 0 || !(v & XSTATE_X87) ||
        (v & ~XSTATE_SUPPORTED))
        cpu_raise_exception(env, EXCP_GP, 0);
    env->xcr0 = v;
    return 0;
}
DEF_HELPER_INFO(xsetbv, 0);
