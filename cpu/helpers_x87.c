/*
 * cpu/helpers_x87.c — the x87 FPU on cpu/softfloat.c's 80-bit arithmetic: one helper runs
 * one D8-DF instruction, decoded again here from its escape byte and ModRM (the decoder has
 * already rejected undefined forms).
 *
 * State: fpregs[] are the physical registers R0-R7, ST(i) = R((TOP + i) & 7); fptag keeps
 * the full tag word but only "empty" (11) is authoritative, the other classes are computed
 * when the tag word is stored. Exceptions: flags accumulate in the status word; an unmasked
 * one sets ES and B and is reported as #MF by the next waiting instruction. Deviations
 * (listed in the report): unmasked IE/DE/ZE leave the destination unchanged as the hardware
 * does, but unmasked OE/UE store the masked result instead of the exponent-biased one; the
 * instruction and data pointers and the opcode register are not tracked (saved as zero).
 * The transcendentals, FPREM/FPREM1, FSCALE, FXTRACT and the BCD conversions compute in
 * cpu/fptrans.c.
 */
#include <string.h>

#include "cpu/helpers.h"
#include "cpu/softfloat.h"
#include "cpu/x87.h"
#include "hw/hw.h"

#define FERR_IRQ 13     /* the PC/AT's FERR# route (hw/ferr.c lowers it on port 0xF0) */

#define SW_C0 0x0100u
#define SW_C1 0x0200u
#define SW_C2 0x0400u
#define SW_C3 0x4000u
#define SW_CC (SW_C0 | SW_C1 | SW_C2 | SW_C3)
#define SW_SF 0x0040u
#define SW_ES 0x0080u
#define SW_B  0x8000u
#define SW_TOP_SHIFT 11

typedef struct X87Ctx {
    CPUState *env;
    uint64_t la;
    int mmu_idx;
    SfStatus st;
    int prec;
    bool stack_fault;
} X87Ctx;

static unsigned top(const CPUState *env)
{
    return (env->fpus >> SW_TOP_SHIFT) & 7;
}

static void set_top(CPUState *env, unsigned t)
{
    env->fpus = (uint16_t)((env->fpus & ~(7u << SW_TOP_SHIFT)) | ((t & 7) << SW_TOP_SHIFT));
}

static unsigned phys(const CPUState *env, unsigned i)
{
    return (top(env) + i) & 7;
}

static bool is_empty(const CPUState *env, unsigned i)
{
    return ((env->fptag >> (2 * phys(env, i))) & 3) == 3;
}

static void set_tag(CPUState *env, unsigned i, bool empty)
{
    unsigned p = phys(env, i);
    env->fptag = (uint16_t)((env->fptag & ~(3u << (2 * p))) | ((empty ? 3u : 0u) << (2 * p)));
}

static SfX80 reg_get(const CPUState *env, unsigned i)
{
    const X87Reg *r = &env->fpregs[phys(env, i)];
    return (SfX80){ r->mant, r->exp };
}

static void reg_set(CPUState *env, unsigned i, SfX80 v)
{
    X87Reg *r = &env->fpregs[phys(env, i)];
    r->mant = v.mant;
    r->exp = v.se;
    set_tag(env, i, false);
}

/* ---------------------------------------------------------------- exceptions */

static X87Ctx ctx_begin(CPUState *env, uint64_t la)
{
    static const int precisions[4] = { 24, 64, 53, 64 };   /* 01 is reserved: full */
    X87Ctx c = { .env = env, .la = la, .mmu_idx = cpu_mmu_index(env) };
    c.st.round = (uint8_t)((env->fpuc >> 10) & 3);
    c.st.masks = (uint8_t)(env->fpuc & 0x3f);
    c.prec = precisions[(env->fpuc >> 8) & 3];
    return c;
}

/* Stack fault: IE + SF, C1 = 1 for overflow, 0 for underflow */
static void stack_fault(X87Ctx *c, bool overflow)
{
    c->st.flags |= SF_IE;
    c->stack_fault = true;
    c->env->fpus = (uint16_t)((c->env->fpus & ~SW_C1) | (overflow ? SW_C1 : 0) | SW_SF);
}

/* Did an unmasked exception that suppresses the result occur? */
static bool suppressed(const X87Ctx *c)
{
    return c->st.flags & ~c->st.masks & (SF_IE | SF_DE | SF_ZE);
}

/* Commit the flags; C1 reports the rounding direction when the result is inexact */
static void ctx_end(X87Ctx *c, bool sets_c1)
{
    CPUState *env = c->env;
    if (sets_c1 && !c->stack_fault)
        env->fpus = (uint16_t)((env->fpus & ~SW_C1) |
                               ((c->st.flags & SF_PE) && c->st.rounded_up ? SW_C1 : 0));
    env->fpus |= c->st.flags;
    if (env->fpus & ~env->fpuc & 0x3f)
        env->fpus |= SW_ES | SW_B;
}

/* Operand ST(i): an empty register is a stack underflow; returns false if masked handling
 * already decided the result (stored as the default NaN in ST(dest) when masked) */
static bool read_st(X87Ctx *c, unsigned i, SfX80 *v)
{
    if (is_empty(c->env, i)) {
        stack_fault(c, false);
        return false;
    }
    *v = reg_get(c->env, i);
    return true;
}

static void push(X87Ctx *c, SfX80 v)
{
    CPUState *env = c->env;
    if (!is_empty(env, 7)) {
        stack_fault(c, true);
        if (!(c->st.masks & SF_IE))
            return;
        v = SFX80_DEFAULT_NAN;
    }
    set_top(env, top(env) - 1);
    reg_set(env, 0, v);
}

static void pop(CPUState *env)
{
    set_tag(env, 0, true);
    set_top(env, top(env) + 1);
}

/* FIST, FISTP, FISTTP: ST0 as a bytes-wide integer in the rounding c->st says (the integer
 * indefinite for an empty ST0 when #IA is masked); nothing is stored while an unmasked
 * exception is pending */
static void store_st0_int(X87Ctx *c, unsigned bytes, bool pop_after)
{
    SfX80 v;
    uint64_t bits = 1ull << (bytes * 8 - 1);
    if (read_st(c, 0, &v))
        bits = sfx_to_int(v, (int)bytes * 8, &c->st);
    else if (!(c->st.masks & SF_IE))
        return;
    if (suppressed(c))
        return;
    mmu_st(c->env, c->la, bits, bytes, c->mmu_idx);
    if (pop_after)
        pop(c->env);
}

/* ---------------------------------------------------------------- memory */

static SfX80 load_m80(X87Ctx *c)
{
    SfX80 v;
    v.mant = mmu_ld(c->env, c->la, 8, c->mmu_idx);
    v.se = (uint16_t)mmu_ld(c->env, c->la + 8, 2, c->mmu_idx);
    return v;
}

static void store_m80(X87Ctx *c, uint64_t la, SfX80 v)
{
    /* probe the last bytes first, so a fault on a second page comes before any store */
    mmu_ld(c->env, la + 8, 2, c->mmu_idx);
    mmu_st(c->env, la, v.mant, 8, c->mmu_idx);
    mmu_st(c->env, la + 8, v.se, 2, c->mmu_idx);
}

/* Memory operand of the arithmetic forms: m32real (D8), m32int (DA), m64real (DC),
 * m16int (DE) */
static SfX80 load_arith_operand(X87Ctx *c, unsigned esc, SfStatus *conv)
{
    switch (esc) {
    case 0: return sfx_from_float(SF_F32, mmu_ld(c->env, c->la, 4, c->mmu_idx), conv);
    case 2: return sfx_from_int((int32_t)mmu_ld(c->env, c->la, 4, c->mmu_idx));
    case 4: return sfx_from_float(SF_F64, mmu_ld(c->env, c->la, 8, c->mmu_idx), conv);
    default: return sfx_from_int((int16_t)mmu_ld(c->env, c->la, 2, c->mmu_idx));
    }
}

/* ---------------------------------------------------------------- arithmetic */

/* op by the D8 /reg numbering: ADD MUL COM COMP SUB SUBR DIV DIVR; d = d op s */
static SfX80 arith(X87Ctx *c, unsigned op, SfX80 d, SfX80 s)
{
    switch (op) {
    case 0: return sfx_add(d, s, c->prec, &c->st);
    case 1: return sfx_mul(d, s, c->prec, &c->st);
    case 4: return sfx_sub(d, s, c->prec, &c->st);
    case 5: return sfx_sub(s, d, c->prec, &c->st);
    case 6: return sfx_div(d, s, c->prec, &c->st);
    default: return sfx_div(s, d, c->prec, &c->st);
    }
}

/* C3 C2 C0 of a comparison: > 000, < 001, = 100, unordered 111 */
static void set_compare_cc(CPUState *env, SfRelation r)
{
    static const uint16_t cc[] = { [SF_GREATER] = 0, [SF_LESS] = SW_C0, [SF_EQUAL] = SW_C3,
                                   [SF_UNORDERED] = SW_C3 | SW_C2 | SW_C0 };
    env->fpus = (uint16_t)((env->fpus & ~SW_CC) | cc[r]);
}

static void compare(X87Ctx *c, SfX80 a, SfX80 b, bool signaling, bool to_eflags)
{
    SfRelation r = sfx_compare(a, b, signaling, &c->st);
    if (suppressed(c))
        return;
    if (to_eflags) {
        static const uint32_t fl[] = { [SF_GREATER] = 0, [SF_LESS] = CC_C, [SF_EQUAL] = CC_Z,
                                       [SF_UNORDERED] = CC_Z | CC_P | CC_C };
        c->env->cc_src = fl[r];
        c->env->cc_op = CC_OP_EFLAGS;
    } else {
        set_compare_cc(c->env, r);
    }
}

/* Compare with a stack underflow: unordered (masked) */
static void compare_underflow(X87Ctx *c, bool to_eflags)
{
    if (!(c->st.masks & SF_IE))
        return;
    if (to_eflags) {
        c->env->cc_src = CC_Z | CC_P | CC_C;
        c->env->cc_op = CC_OP_EFLAGS;
    } else {
        set_compare_cc(c->env, SF_UNORDERED);
    }
}

/* Write result v to ST(i) unless an unmasked exception suppresses it */
static void write_result(X87Ctx *c, unsigned i, SfX80 v)
{
    if (!suppressed(c))
        reg_set(c->env, i, v);
}

static void underflow_result(X87Ctx *c, unsigned i)
{
    if (c->st.masks & SF_IE)
        reg_set(c->env, i, SFX80_DEFAULT_NAN);
}

/* ---------------------------------------------------------------- constants, FXAM */

/* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ: the value rounded to nearest, and whether the
 * infinitely precise value lies above it (then rounding down/toward zero gives mant - 1) or
 * below (rounding up gives mant + 1) */
typedef struct X87Const {
    uint64_t mant;
    uint16_t se;
    int8_t residue;     /* +1: the exact value is above the RNE value, -1 below, 0 exact */
} X87Const;
static const X87Const x87_constants[7] = {
    { 0x8000000000000000ull, 0x3fff, 0 },   /* 1 */
    { 0xd49a784bcd1b8afeull, 0x4000, 1 },   /* log2(10) */
    { 0xb8aa3b295c17f0bcull, 0x3fff, -1 },  /* log2(e) */
    { 0xc90fdaa22168c235ull, 0x4000, -1 },  /* pi */
    { 0x9a209a84fbcff799ull, 0x3ffd, -1 },  /* log10(2) */
    { 0xb17217f7d1cf79acull, 0x3ffe, -1 },  /* ln(2) */
    { 0, 0, 0 },                            /* +0 */
};

static SfX80 load_constant(const X87Ctx *c, unsigned k)
{
    const X87Const *k_ = &x87_constants[k];
    SfX80 v = { k_->mant, k_->se };
    unsigned rc = c->st.round;
    if (k_->residue < 0 && (rc == SF_RDOWN || rc == SF_RZ))
        v.mant--;
    else if (k_->residue > 0 && rc == SF_RUP)
        v.mant++;
    return v;
}

/* FXAM: C3 C2 C0 class, C1 sign */
static void fxam(CPUState *env)
{
    SfX80 v = reg_get(env, 0);
    unsigned e = v.se & 0x7fff;
    uint16_t cc;
    if (is_empty(env, 0))
        cc = SW_C3 | SW_C0;
    else if (sfx_is_unsupported(v))
        cc = 0;
    else if (e == 0x7fff)
        cc = (v.mant << 1) ? SW_C0 : SW_C2 | SW_C0;
    else if (e == 0)
        cc = v.mant ? SW_C3 | SW_C2 : SW_C3;
    else
        cc = SW_C2;
    if (v.se & 0x8000)
        cc |= SW_C1;
    env->fpus = (uint16_t)((env->fpus & ~SW_CC) | cc);
}

/* ---------------------------------------------------------------- environment */

/* The full tag word from the registers' contents */
static uint16_t full_tag_word(const CPUState *env)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned t;
        const X87Reg *r = &env->fpregs[p];
        unsigned e = r->exp & 0x7fff;
        if (((env->fptag >> (2 * p)) & 3) == 3)
            t = 3;
        else if (e == 0 && r->mant == 0)
            t = 1;
        else if (e == 0x7fff || e == 0 || !(r->mant >> 63))
            t = 2;
        else
            t = 0;
        tw |= (uint16_t)(t << (2 * p));
    }
    return tw;
}

/* FNSTENV / FNSAVE header: 28 bytes (32-bit operand size) or 14; pointers are zero */
static unsigned store_env(X87Ctx *c, bool wide)
{
    unsigned step = wide ? 4 : 2, size = 7 * step;
    for (unsigned off = 0; off < size; off += step)
        mmu_ld(c->env, c->la + off, step, c->mmu_idx);     /* probe before storing */
    uint16_t words[3] = { c->env->fpuc, c->env->fpus, full_tag_word(c->env) };
    for (unsigned i = 0; i < 7; i++)
        mmu_st(c->env, c->la + i * step, i < 3 ? words[i] | (wide ? 0xffff0000u : 0) : 0,
               step, c->mmu_idx);
    return size;
}

static unsigned load_env(X87Ctx *c, bool wide)
{
    unsigned step = wide ? 4 : 2;
    uint16_t cw = (uint16_t)mmu_ld(c->env, c->la, 2, c->mmu_idx);
    uint16_t sw = (uint16_t)mmu_ld(c->env, c->la + step, 2, c->mmu_idx);
    uint16_t tw = (uint16_t)mmu_ld(c->env, c->la + 2 * step, 2, c->mmu_idx);
    c->env->fpuc = cw;
    c->env->fpus = sw;
    c->env->fptag = tw;
    /* ES follows the unmasked flags of the new status and control words */
    if (sw & ~cw & 0x3f)
        c->env->fpus |= SW_ES | SW_B;
    else
        c->env->fpus &= (uint16_t)~(SW_ES | SW_B);
    return 7 * step;
}

static void fninit(CPUState *env)
{
    env->fpuc = 0x37f;
    env->fpus = 0;
    env->fptag = 0xffff;
}

/* ---------------------------------------------------------------- dispatch */

static void fld_result(X87Ctx *c, SfX80 v)
{
    if (suppressed(c))
        return;
    push(c, v);
}

static void mem_form(X87Ctx *c, unsigned esc, unsigned reg, bool wide_env)
{
    CPUState *env = c->env;
    SfX80 v, a;
    bool arith_form = !(esc & 1);
    if (arith_form) {
        /* a denormal m32/m64 operand reports DE only as the operation would: not beside a
         * NaN operand, not when the result is a division by zero */
        SfStatus conv = c->st;
        conv.flags = 0;
        SfX80 m = load_arith_operand(c, esc, &conv);
        c->st.flags |= conv.flags & SF_IE;
        bool st0_ok = read_st(c, 0, &a);
        if (st0_ok && (conv.flags & SF_DE) && !sfx_is_nan(a) && !sfx_is_nan(m) &&
            !sfx_is_unsupported(a) && !(reg == 7 && !(a.se & 0x7fff) && !a.mant))
            c->st.flags |= SF_DE;
        if (!st0_ok) {
            if (reg == 2 || reg == 3)
                compare_underflow(c, false);
            else
                underflow_result(c, 0);
        } else if (reg == 2 || reg == 3) {
            compare(c, a, m, true, false);
        } else {
            write_result(c, 0, arith(c, reg, a, m));
        }
        if (reg == 3 && !suppressed(c))
            pop(env);
        ctx_end(c, reg != 2 && reg != 3);
        return;
    }
    unsigned int_bytes = esc == 3 ? 4 : esc == 7 ? 2 : 0;
    switch (esc << 3 | reg) {
    case 1 << 3 | 0: case 5 << 3 | 0: {     /* FLD m32 / m64 */
        SfStatus conv = c->st;
        conv.flags = 0;
        v = esc == 1 ? sfx_from_float(SF_F32, mmu_ld(env, c->la, 4, c->mmu_idx), &conv)
                     : sfx_from_float(SF_F64, mmu_ld(env, c->la, 8, c->mmu_idx), &conv);
        /* a stack overflow takes precedence over the operand's DE */
        c->st.flags |= is_empty(env, 7) ? conv.flags : conv.flags & SF_IE;
        fld_result(c, v);
        break;
    }
    case 3 << 3 | 5:    /* FLD m80 */
        push(c, load_m80(c));
        break;
    case 3 << 3 | 0: case 7 << 3 | 0:   /* FILD m32 / m16 */
        v = sfx_from_int(esc == 3 ? (int32_t)mmu_ld(env, c->la, 4, c->mmu_idx)
                                  : (int16_t)mmu_ld(env, c->la, 2, c->mmu_idx));
        push(c, v);
        break;
    case 7 << 3 | 5:    /* FILD m64 */
        push(c, sfx_from_int((int64_t)mmu_ld(env, c->la, 8, c->mmu_idx)));
        break;
    case 1 << 3 | 2: case 1 << 3 | 3: case 5 << 3 | 2: case 5 << 3 | 3: {  /* FST(P) m32/m64 */
        SfFormat f = esc == 1 ? SF_F32 : SF_F64;
        unsigned bytes = esc == 1 ? 4 : 8;
        uint64_t bits = f == SF_F32 ? 0xffc00000ull : 0xfff8000000000000ull;
        if (read_st(c, 0, &v))
            bits = sfx_to_float(f, v, &c->st);
        else if (!(c->st.masks & SF_IE))
            break;
        if (suppressed(c))
            break;
        mmu_st(env, c->la, bits, bytes, c->mmu_idx);
        if (reg == 3)
            pop(env);
        break;
    }
    case 3 << 3 | 7:    /* FSTP m80 */
        v = SFX80_DEFAULT_NAN;
        if (!read_st(c, 0, &v) && !(c->st.masks & SF_IE))
            break;
        store_m80(c, c->la, v);
        pop(env);
        break;
    case 3 << 3 | 2: case 3 << 3 | 3: case 7 << 3 | 2: case 7 << 3 | 3:
    case 7 << 3 | 7:    /* FIST(P) m32/m16, FISTP m64 */
        store_st0_int(c, reg == 7 ? 8 : int_bytes, reg != 2);
        break;
    case 3 << 3 | 1: case 5 << 3 | 1: case 7 << 3 | 1:     /* FISTTP m32 / m64 / m16 */
        c->st.round = SF_RZ;
        store_st0_int(c, esc == 3 ? 4 : esc == 5 ? 8 : 2, true);
        break;
    case 7 << 3 | 4: {  /* FBLD */
        uint8_t bcd[10];
        for (unsigned i = 0; i < 10; i++)
            bcd[i] = (uint8_t)mmu_ld(env, c->la + i, 1, c->mmu_idx);
        push(c, sfx_from_bcd(bcd));
        break;
    }
    case 7 << 3 | 6: {  /* FBSTP */
        uint8_t bcd[10];
        SfStatus indefinite = c->st;
        if (read_st(c, 0, &v))
            sfx_to_bcd(v, bcd, &c->st);
        else if (c->st.masks & SF_IE)
            sfx_to_bcd(SFX80_DEFAULT_NAN, bcd, &indefinite);
        else
            break;
        if (suppressed(c))
            break;
        mmu_ld(env, c->la + 9, 1, c->mmu_idx);     /* probe the last byte first */
        for (unsigned i = 0; i < 10; i++)
            mmu_st(env, c->la + i, bcd[i], 1, c->mmu_idx);
        pop(env);
        break;
    }
    case 1 << 3 | 4:    /* FLDENV */
        load_env(c, wide_env);
        return;
    case 1 << 3 | 5:    /* FLDCW */
        /* reserved bits 7 and 13-15 read as zero, bit 6 as one */
        env->fpuc = (uint16_t)((mmu_ld(env, c->la, 2, c->mmu_idx) & 0x1f3f) | 0x40);
        if (env->fpus & ~env->fpuc & 0x3f)
            env->fpus |= SW_ES | SW_B;
        else
            env->fpus &= (uint16_t)~(SW_ES | SW_B);
        return;
    case 1 << 3 | 6:    /* FNSTENV: then every exception is masked */
        store_env(c, wide_env);
        env->fpuc |= 0x3f;
        return;
    case 1 << 3 | 7:    /* FNSTCW */
        mmu_st(env, c->la, env->fpuc, 2, c->mmu_idx);
        return;
    case 5 << 3 | 7:    /* FNSTSW m16 */
        mmu_st(env, c->la, env->fpus, 2, c->mmu_idx);
        return;
    case 5 << 3 | 6: {  /* FNSAVE: environment, ST0-ST7, then FNINIT */
        unsigned off = wide_env ? 28 : 14;
        mmu_ld(env, c->la + off + 79, 1, c->mmu_idx);
        store_env(c, wide_env);
        for (unsigned i = 0; i < 8; i++) {
            const X87Reg *r = &env->fpregs[phys(env, i)];
            store_m80(c, c->la + off + 10 * i, (SfX80){ r->mant, r->exp });
        }
        fninit(env);
        return;
    }
    case 5 << 3 | 4: {  /* FRSTOR */
        unsigned off = wide_env ? 28 : 14;
        X87Reg regs[8];
        for (unsigned i = 0; i < 8; i++) {
            regs[i].mant = mmu_ld(env, c->la + off + 10 * i, 8, c->mmu_idx);
            regs[i].exp = (uint16_t)mmu_ld(env, c->la + off + 10 * i + 8, 2, c->mmu_idx);
        }
        load_env(c, wide_env);
        for (unsigned i = 0; i < 8; i++)
            env->fpregs[phys(env, i)] = regs[i];
        return;
    }
    default:
        cpu_raise_exception(env, EXCP_UD, 0);
    }
    ctx_end(c, true);
}

static bool fcmov_condition(CPUState *env, unsigned esc, unsigned reg)
{
    uint32_t fl = cpu_cc_compute_all(env);
    bool v;
    switch (reg & 3) {
    case 0: v = fl & CC_C; break;
    case 1: v = fl & CC_Z; break;
    case 2: v = fl & (CC_C | CC_Z); break;
    default: v = fl & CC_P; break;
    }
    return esc == 3 ? !v : v;   /* DB: the negated conditions */
}

/* F2XM1 FRNDINT FSIN FCOS FSQRT; FSIN/FCOS beyond 2^63 set C2 and leave ST0 */
static void unary_in_place(X87Ctx *c, unsigned modrm)
{
    SfX80 a, r;
    if (modrm >= 0xfe)      /* FSIN FCOS report the range in C2; the others keep it */
        c->env->fpus &= (uint16_t)~SW_C2;
    if (!read_st(c, 0, &a)) {
        underflow_result(c, 0);
        return;
    }
    switch (modrm) {
    case 0xf0: r = sfx_f2xm1(a, &c->st); break;
    case 0xfa: r = sfx_sqrt(a, c->prec, &c->st); break;
    case 0xfc: r = sfx_round_to_int(a, &c->st); break;
    default: {
        bool in_range = sfx_trig(modrm == 0xfe ? SF_SIN : SF_COS, a, &r, &c->st);
        if (!in_range) {
            c->env->fpus |= SW_C2;
            return;
        }
    }
    }
    write_result(c, 0, r);
}

/* FPTAN (ST0 = tan, push 1), FXTRACT (ST0 = exponent, push significand), FSINCOS (ST0 =
 * sin, push cos): two results, so both an empty ST0 and a full ST7 are stack faults, which
 * (masked) leave the default NaN in both places */
static void split_push(X87Ctx *c, unsigned modrm)
{
    CPUState *env = c->env;
    SfX80 a, first, second;
    if (modrm != 0xf4)      /* FPTAN FSINCOS report the range in C2; FXTRACT keeps it */
        env->fpus &= (uint16_t)~SW_C2;
    bool ok = read_st(c, 0, &a);
    if (ok && !is_empty(env, 7)) {
        stack_fault(c, true);
        ok = false;
    }
    if (!ok) {
        if (c->st.masks & SF_IE) {
            reg_set(env, 0, SFX80_DEFAULT_NAN);
            set_top(env, top(env) - 1);
            reg_set(env, 0, SFX80_DEFAULT_NAN);
        }
        return;
    }
    if (modrm == 0xf4) {
        sfx_fxtract(a, &first, &second, &c->st);
    } else {
        /* FSINCOS: C1 reports the sine's rounding, as the hardware does */
        SfStatus other = c->st;
        bool in_range = modrm == 0xf2 ? sfx_trig(SF_TAN, a, &first, &c->st)
                                      : sfx_trig(SF_COS, a, &second, &other) &&
                                        sfx_trig(SF_SIN, a, &first, &c->st);
        if (!in_range) {
            env->fpus |= SW_C2;
            return;
        }
        if (modrm == 0xf2)
            second = sfx_is_nan(first) ? first : (SfX80){ 1ull << 63, 0x3fff };
        else
            c->st.flags |= other.flags;
    }
    if (suppressed(c))
        return;
    reg_set(env, 0, first);
    set_top(env, top(env) - 1);
    reg_set(env, 0, second);
}

/* FPREM / FPREM1: ST0 = remainder of ST0 by ST1; C0 C3 C1 = quotient bits 2 1 0, C2 =
 * incomplete (the instruction must be repeated) */
static void partial_remainder(X87Ctx *c, bool nearest)
{
    SfX80 a, b;
    c->env->fpus &= (uint16_t)~SW_C2;
    if (!read_st(c, 0, &a) || !read_st(c, 1, &b)) {
        underflow_result(c, 0);
        return;
    }
    unsigned q;
    bool complete;
    SfX80 r = sfx_fprem(a, b, nearest, &q, &complete, &c->st);
    if (suppressed(c))
        return;
    reg_set(c->env, 0, r);
    if (sfx_is_nan(r)) {
        c->env->fpus &= (uint16_t)~SW_C1;   /* a NaN result leaves C0 and C3 as they were */
        return;
    }
    uint16_t cc = (uint16_t)((complete ? 0 : SW_C2) | (q & 4 ? SW_C0 : 0) | (q & 2 ? SW_C3 : 0) |
                             (q & 1 ? SW_C1 : 0));
    c->env->fpus = (uint16_t)((c->env->fpus & ~SW_CC) | cc);
}

static void reg_form(X87Ctx *c, unsigned esc, unsigned reg, unsigned i)
{
    CPUState *env = c->env;
    SfX80 a, b;
    unsigned modrm = 0xc0 | reg << 3 | i;
    /* arithmetic: D8 ST0 = ST0 op ST(i); DC ST(i) = ST(i) op ST0; DE the same and pop */
    if ((esc == 0 || esc == 4 || esc == 6) && !(esc != 0 && (reg == 2 || reg == 3))) {
        unsigned dest = esc == 0 ? 0 : i, src = esc == 0 ? i : 0;
        unsigned op = esc == 0 || reg < 4 ? reg : reg ^ 1;   /* DC/DE swap SUB/SUBR DIV/DIVR */
        if (esc == 0 && (reg == 2 || reg == 3)) {
            if (read_st(c, 0, &a) && read_st(c, i, &b))
                compare(c, a, b, true, false);
            else
                compare_underflow(c, false);
            if (reg == 3 && !suppressed(c))
                pop(env);
            ctx_end(c, false);
            return;
        }
        if (read_st(c, dest, &a) && read_st(c, src, &b))
            write_result(c, dest, arith(c, op, a, b));
        else
            underflow_result(c, dest);
        if (esc == 6 && !suppressed(c))
            pop(env);
        ctx_end(c, true);
        return;
    }
    switch (esc << 8 | modrm) {
    case 1 << 8 | 0xc0: case 1 << 8 | 0xc1: case 1 << 8 | 0xc2: case 1 << 8 | 0xc3:
    case 1 << 8 | 0xc4: case 1 << 8 | 0xc5: case 1 << 8 | 0xc6: case 1 << 8 | 0xc7:
        /* FLD ST(i) */
        if (read_st(c, i, &a)) {
            push(c, a);
        } else if (c->st.masks & SF_IE) {
            /* the underflow is reported, not a second fault for a full stack */
            set_top(env, top(env) - 1);
            reg_set(env, 0, SFX80_DEFAULT_NAN);
        }
        break;
    case 1 << 8 | 0xc8: case 1 << 8 | 0xc9: case 1 << 8 | 0xca: case 1 << 8 | 0xcb:
    case 1 << 8 | 0xcc: case 1 << 8 | 0xcd: case 1 << 8 | 0xce: case 1 << 8 | 0xcf: {
        /* FXCH: empty registers read as the default NaN (masked underflow) */
        bool ok0 = read_st(c, 0, &a), oki = read_st(c, i, &b);
        if (!ok0 || !oki) {
            if (!(c->st.masks & SF_IE))
                break;
            if (!ok0) a = SFX80_DEFAULT_NAN;
            if (!oki) b = SFX80_DEFAULT_NAN;
        }
        reg_set(env, 0, b);
        reg_set(env, i, a);
        env->fpus &= (uint16_t)~SW_C1;
        break;
    }
    case 1 << 8 | 0xd0:     /* FNOP */
        return;
    case 1 << 8 | 0xe0: case 1 << 8 | 0xe1:     /* FCHS, FABS */
        if (read_st(c, 0, &a)) {
            a.se = (uint16_t)(modrm == 0xe0 ? a.se ^ 0x8000 : a.se & 0x7fff);
            reg_set(env, 0, a);
            env->fpus &= (uint16_t)~SW_C1;
        } else {
            underflow_result(c, 0);
        }
        break;
    case 1 << 8 | 0xe4:     /* FTST */
        if (read_st(c, 0, &a))
            compare(c, a, (SfX80){ 0, 0 }, true, false);
        else
            compare_underflow(c, false);
        ctx_end(c, false);
        return;
    case 1 << 8 | 0xe5:     /* FXAM */
        fxam(env);
        return;
    case 1 << 8 | 0xe8: case 1 << 8 | 0xe9: case 1 << 8 | 0xea: case 1 << 8 | 0xeb:
    case 1 << 8 | 0xec: case 1 << 8 | 0xed: case 1 << 8 | 0xee:
        push(c, load_constant(c, i));
        break;
    case 1 << 8 | 0xf6:     /* FDECSTP */
        set_top(env, top(env) - 1);
        env->fpus &= (uint16_t)~SW_C1;
        return;
    case 1 << 8 | 0xf7:     /* FINCSTP */
        set_top(env, top(env) + 1);
        env->fpus &= (uint16_t)~SW_C1;
        return;
    case 1 << 8 | 0xf0: case 1 << 8 | 0xfc: case 1 << 8 | 0xfe: case 1 << 8 | 0xff:
    case 1 << 8 | 0xfa:     /* F2XM1 FRNDINT FSIN FCOS FSQRT: ST0 = f(ST0) */
        unary_in_place(c, modrm);
        break;
    case 1 << 8 | 0xf1: case 1 << 8 | 0xf3: case 1 << 8 | 0xf9:   /* FYL2X FPATAN FYL2XP1 */
        if (read_st(c, 0, &a) && read_st(c, 1, &b))
            write_result(c, 1, modrm == 0xf1 ? sfx_fyl2x(a, b, &c->st)
                             : modrm == 0xf3 ? sfx_fpatan(b, a, &c->st)
                             : sfx_fyl2xp1(a, b, &c->st));
        else
            underflow_result(c, 1);
        if (!suppressed(c))
            pop(env);
        break;
    case 1 << 8 | 0xf2: case 1 << 8 | 0xf4: case 1 << 8 | 0xfb:   /* FPTAN FXTRACT FSINCOS */
        split_push(c, modrm);
        break;
    case 1 << 8 | 0xfd:     /* FSCALE */
        if (read_st(c, 0, &a) && read_st(c, 1, &b))
            write_result(c, 0, sfx_fscale(a, b, &c->st));
        else
            underflow_result(c, 0);
        break;
    case 1 << 8 | 0xf5: case 1 << 8 | 0xf8:     /* FPREM1, FPREM */
        partial_remainder(c, modrm == 0xf5);
        ctx_end(c, false);
        return;
    case 3 << 8 | 0xe0: case 3 << 8 | 0xe1: case 3 << 8 | 0xe4:
        return;     /* FENI FDISI FSETPM: 8087/287 controls, no-ops since the 387 */
    case 2 << 8 | 0xe9:     /* FUCOMPP */
    case 6 << 8 | 0xd9:     /* FCOMPP */
        if (read_st(c, 0, &a) && read_st(c, 1, &b))
            compare(c, a, b, esc == 6, false);
        else
            compare_underflow(c, false);
        if (!suppressed(c)) {
            pop(env);
            pop(env);
        }
        ctx_end(c, false);
        return;
    case 3 << 8 | 0xe2:     /* FNCLEX */
        env->fpus &= (uint16_t)~(0x3f | SW_SF | SW_ES | SW_B);
        return;
    default:
        if ((esc == 2 || esc == 3) && reg < 4) {    /* FCMOVcc: C1 unchanged */
            if (!read_st(c, 0, &b) || !read_st(c, i, &a)) {
                env->fpus &= (uint16_t)~SW_C1;
                underflow_result(c, 0);
            } else if (fcmov_condition(env, esc, reg)) {
                reg_set(env, 0, a);
            }
            ctx_end(c, false);
            return;
        }
        if ((esc == 3 || esc == 7) && (reg == 5 || reg == 6)) {   /* F(U)COMI(P) */
            if (read_st(c, 0, &a) && read_st(c, i, &b))
                compare(c, a, b, reg == 6, true);
            else
                compare_underflow(c, true);
            if (esc == 7 && !suppressed(c))
                pop(env);
            ctx_end(c, false);
            return;
        }
        if ((esc == 5 || esc == 7) && reg == 0) {     /* FFREE, FFREEP */
            set_tag(env, i, true);
            if (esc == 7)
                pop(env);
            env->fpus &= (uint16_t)~SW_C1;
            return;
        }
        if (esc == 5 && (reg == 2 || reg == 3)) {   /* FST(P) ST(i) */
            if (read_st(c, 0, &a))
                reg_set(env, i, a);
            else if (c->st.masks & SF_IE)
                reg_set(env, i, SFX80_DEFAULT_NAN);
            if (reg == 3 && !suppressed(c))
                pop(env);
            break;
        }
        if (esc == 5 && (reg == 4 || reg == 5)) {   /* FUCOM(P) */
            if (read_st(c, 0, &a) && read_st(c, i, &b))
                compare(c, a, b, false, false);
            else
                compare_underflow(c, false);
            if (reg == 5 && !suppressed(c))
                pop(env);
            ctx_end(c, false);
            return;
        }
        if ((esc == 4 || esc == 6) && (reg == 2 || reg == 3)) {   /* FCOM2/FCOMP3/5 aliases */
            if (read_st(c, 0, &a) && read_st(c, i, &b))
                compare(c, a, b, true, false);
            else
                compare_underflow(c, false);
            if (!(esc == 4 && reg == 2) && !suppressed(c))
                pop(env);
            ctx_end(c, false);
            return;
        }
        if (esc == 7 && modrm == 0xe0) {   /* FNSTSW AX */
            env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | env->fpus;
            return;
        }
        cpu_raise_exception(env, EXCP_UD, 0);
    }
    ctx_end(c, true);
}

/* Instructions without the wait prefix semantics: they never report a pending exception */
static bool is_no_wait(unsigned esc, unsigned modrm)
{
    unsigned reg = (modrm >> 3) & 7;
    if ((modrm >> 6) != 3)
        return esc == 1 ? reg >= 4 : esc == 5 ? reg >= 6 || reg == 4 : false;
    return (esc == 3 && modrm >= 0xe0 && modrm <= 0xe4) || (esc == 7 && modrm == 0xe0);
}

/* A waiting instruction with an unmasked exception pending (ES): #MF with CR0.NE; without
 * it the PC's FERR# route raises IRQ 13 and the instruction goes on (the handler writes
 * port 0xF0 and clears the status word) */
static void report_pending(CPUState *env)
{
    if (!(env->fpus & SW_ES))
        return;
    if (env->cr[0] & CR0_NE)
        cpu_raise_exception(env, EXCP_MF, 0);
    irq_set(FERR_IRQ, 1);
}

/* (): FWAIT */
HELPER(x87_wait)
{
    CPUState *env = env_;
    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        cpu_raise_exception(env, EXCP_NM, 0);
    report_pending(env);
    return 0;
}
DEF_HELPER_INFO(x87_wait, 0);

/* (desc, linear): one x87 instruction; desc = X87_DESC(escape, modrm, wide_env) */
HELPER(x87)
{
    CPUState *env = env_;
    unsigned esc = X87_DESC_ESC(a0), modrm = X87_DESC_MODRM(a0);
    if (!is_no_wait(esc, modrm))
        report_pending(env);
    X87Ctx c = ctx_begin(env, a1);
    unsigned reg = (modrm >> 3) & 7;
    if ((modrm >> 6) != 3) {
        mem_form(&c, esc, reg, X87_DESC_WIDE(a0));
        return 0;
    }
    /* the undocumented register aliases: FXCH4/FXCH7 (DD C8, DF C8), FSTP8/FSTP9 (DF D0,
     * DF D8) behave as FXCH and FSTP ST(i). (D9 D8, FSTP1, stores an empty ST0 without a
     * stack fault on AMD: left undefined) */
    static const struct { uint8_t esc, reg, to_esc, to_reg; } aliases[] = {
        { 5, 1, 1, 1 }, { 7, 1, 1, 1 }, { 7, 2, 5, 3 }, { 7, 3, 5, 3 },
    };
    for (unsigned k = 0; k < sizeof aliases / sizeof aliases[0]; k++) {
        if (aliases[k].esc == esc && aliases[k].reg == reg) {
            esc = aliases[k].to_esc;
            reg = aliases[k].to_reg;
            break;
        }
    }
    reg_form(&c, esc, reg, modrm & 7);
    return 0;
}
DEF_HELPER_INFO(x87, 0);

/* (): x87 with CR0.EM or CR0.TS set */
HELPER(x87_unavailable)
{
    cpu_raise_exception((CPUState *)env_, EXCP_NM, 0);
}
DEF_HELPER_INFO(x87_unavailable, 0);

unsigned x87_mem_size(unsigned esc, unsigned reg, bool wide_env)
{
    static const uint8_t sizes[8][8] = {
        { 4, 4, 4, 4, 4, 4, 4, 4 },
        { 4, 0, 4, 4, 28, 2, 28, 2 },
        { 4, 4, 4, 4, 4, 4, 4, 4 },
        { 4, 4, 4, 4, 0, 10, 0, 10 },
        { 8, 8, 8, 8, 8, 8, 8, 8 },
        { 8, 8, 8, 8, 108, 0, 108, 2 },
        { 2, 2, 2, 2, 2, 2, 2, 2 },
        { 2, 2, 2, 2, 10, 8, 10, 8 },
    };
    unsigned s = sizes[esc & 7][reg & 7];
    if (!wide_env && (s == 28 || s == 108))
        s -= 14;    /* the 16-bit environment is 14 bytes instead of 28 */
    return s;
}
