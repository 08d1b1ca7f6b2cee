/*
 * cpu/helpers_mmx.c — the MMX register file's x87 side (aliasing, the MMX transition,
 * EMMS) and the MMX encodings whose operations are not shared with an SSE2 form: PSHUFW,
 * the mm stores, MASKMOVQ/MASKMOVDQU and the conversions between mm and xmm lanes
 * (CVTPI2PS, CVTPS2PI, CVTTPS2PI, CVTPI2PD, CVTPD2PI, CVTTPD2PI). The MMX forms of the
 * integer operations share helpers_sse.c's entries (S_MMX_NP).
 *
 * mm registers are the significands of the physical x87 registers R0-R7 (not ST(i)): every
 * MMX instruction sets TOP to 0 and tags all eight registers valid, a write also sets the
 * register's sign and exponent to all ones (SDM Vol. 1, 9.5), EMMS tags them all empty.
 */
#include "cpu/helpers.h"
#include "cpu/softfloat.h"
#include "cpu/sse.h"

#define FSW_ES      0x0080u     /* x87 error summary: an unmasked exception is pending */
#define FSW_TOP     0x3800u
#define FTW_EMPTY   0xffffu     /* full tag word: 11 (empty) for every register */

void mmx_check_pending(CPUState *env)
{
    if (env->fpus & FSW_ES)
        cpu_raise_exception(env, EXCP_MF, 0);
}

void mmx_transition(CPUState *env)
{
    env->fpus &= (uint16_t)~FSW_TOP;
    env->fptag = 0;
}

void mmx_write(CPUState *env, unsigned i, uint64_t v)
{
    env->fpregs[i & 7].mant = v;
    env->fpregs[i & 7].exp = 0xffff;
}

/* EMMS: TOP = 0 as with any MMX instruction (as the hardware does), then every register
 * tagged empty */
static void op_emms(SseArgs *a, unsigned param)
{
    mmx_check_pending(a->env);
    mmx_transition(a->env);
    a->env->fptag = FTW_EMPTY;
}

/* PSHUFW mm, mm/m64, imm8 */
static void op_pshufw(SseArgs *a, unsigned param)
{
    Xmm r = { 0 };
    for (int i = 0; i < 4; i++)
        r.w[i] = a->src.w[(a->imm >> (2 * i)) & 3];
    *a->dst = r;
}

/* MOVQ mm/m64, mm (0F 7F) and MOVNTQ m64, mm (0F E7): the source is the reg operand */
static void op_mm_store(SseArgs *a, unsigned param)
{
    if (a->mem)
        mmu_st(a->env, a->la, a->dst->q[0], 8, a->mmu_idx);
    else
        mmx_write(a->env, a->rm, a->dst->q[0]);
}

/* MASKMOVQ / MASKMOVDQU: the reg operand's bytes whose mask byte (rm) has its top bit set
 * go to DS:rDI (the translator computed the linear address). Bytes are stored in order, so
 * a fault on a later page leaves the earlier bytes written. */
static void op_maskmov(SseArgs *a, unsigned param)
{
    for (unsigned i = 0; i < a->width; i++)
        if (a->src.b[i] & 0x80)
            mmu_st(a->env, a->la + i, a->dst->b[i], 1, a->mmu_idx);
}

/* CVTPI2PS (param 0): two int32 into the low two float lanes, the upper two kept;
 * CVTPI2PD (param 1): into both double lanes (exact) */
static void op_cvtpi2fp(SseArgs *a, unsigned param)
{
    SfStatus st = sse_fp_begin(a);
    Xmm r = *a->dst;
    SfFormat f = param ? SF_F64 : SF_F32;
    for (unsigned i = 0; i < 2; i++)
        sse_fp_lane_set(&r, f, i, sf_from_int(f, (int32_t)a->src.d[i], &st));
    sse_fp_end(a, &st);
    *a->dst = r;
}

/* CVT(T)PS2PI (no prefix) / CVT(T)PD2PI (66): two lanes to int32 in mm; param 1 truncates */
static void op_cvtfp2pi(SseArgs *a, unsigned param)
{
    SfFormat f = a->pfx == PX_66 ? SF_F64 : SF_F32;
    SfStatus st = sse_fp_begin(a);
    Xmm r = { 0 };
    for (unsigned i = 0; i < 2; i++)
        r.d[i] = (uint32_t)sf_to_int(f, sse_fp_lane(&a->src, f, i), 32, param, &st);
    sse_fp_end(a, &st);
    *a->dst = r;
}

#define OP(op, pm, ms, fl, fn, prm) { 1, op, pm, -1, ms, fl, fn, prm }

const SseOp mmx_ops[] = {
    OP(0x2A, NP, M_8, S_MMRM | S_XMM, op_cvtpi2fp, 0),
    OP(0x2A, P66, M_8, S_MMRM | S_XMM, op_cvtpi2fp, 1),
    OP(0x2C, NP, M_8, S_MMREG | S_XMM, op_cvtfp2pi, 1),
    OP(0x2C, P66, M_16A, S_MMREG | S_XMM, op_cvtfp2pi, 1),
    OP(0x2D, NP, M_8, S_MMREG | S_XMM, op_cvtfp2pi, 0),
    OP(0x2D, P66, M_16A, S_MMREG | S_XMM, op_cvtfp2pi, 0),
    OP(0x70, NP, M_8, S_MMREG | S_MMRM, op_pshufw, 0),
    OP(0x77, NP, M_NONE, S_EMMS, op_emms, 0),
    OP(0x7F, NP, M_8, S_MMREG | S_MMRM | S_STORE, op_mm_store, 0),
    OP(0xE7, NP, M_8, S_MMREG | S_STORE, op_mm_store, 0),
    OP(0xF7, NP, M_NONE, S_MMREG | S_MMRM | S_READONLY, op_maskmov, 0),
    OP(0xF7, P66, M_NONE, 0, op_maskmov, 0),
};
const unsigned mmx_nb_ops = sizeof(mmx_ops) / sizeof(mmx_ops[0]);
