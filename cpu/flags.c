/*
 * cpu/flags.c — the lazy arithmetic flags: CF PF AF ZF SF OF from (cc_op, cc_dst, cc_src,
 * cc_src2) as cpu.h's CCOp comment defines them, and the architectural EFLAGS view.
 *
 * ZF, SF and PF always come from the result (dst) the same way; each operation family
 * supplies only CF, OF and AF. Values in the cc fields may carry garbage above the operand
 * size, so everything is masked here.
 */
#include "cpu/cpu.h"
#include "cpu/helpers.h"

typedef struct CCArgs {
    uint64_t dst, src, src2;    /* masked to the operand size (src2 unmasked: a 0/1 input) */
    uint64_t mask, sign;        /* all-ones and top bit of the operand size */
} CCArgs;

/* CF | OF | AF of one operation family */
typedef uint32_t (*CCFamilyFn)(const CCArgs *a);

static uint32_t af_of(uint64_t src1, uint64_t src2, uint64_t res)
{
    return ((src1 ^ src2 ^ res) & 0x10) ? CC_A : 0;
}

static uint32_t flag_if(bool cond, uint32_t flag)
{
    return cond ? flag : 0;
}

/* OF of an addition res = a + b (+carry): operands agree in sign, result differs */
static uint32_t add_of(const CCArgs *a, uint64_t src1)
{
    return flag_if((~(src1 ^ a->src) & (src1 ^ a->dst)) & a->sign, CC_O);
}

/* OF of a subtraction res = a - b (-borrow): operands differ in sign, result differs from a */
static uint32_t sub_of(const CCArgs *a, uint64_t src1)
{
    return flag_if(((src1 ^ a->src) & (src1 ^ a->dst)) & a->sign, CC_O);
}

static uint32_t cc_add(const CCArgs *a)
{
    uint64_t src1 = (a->dst - a->src) & a->mask;
    return flag_if(a->dst < a->src, CC_C) | add_of(a, src1) | af_of(src1, a->src, a->dst);
}

static uint32_t cc_adc(const CCArgs *a)
{
    uint64_t cin = a->src2 & 1;
    uint64_t src1 = (a->dst - a->src - cin) & a->mask;
    bool cf = cin ? a->dst <= a->src : a->dst < a->src;
    return flag_if(cf, CC_C) | add_of(a, src1) | af_of(src1, a->src, a->dst);
}

static uint32_t cc_sub(const CCArgs *a)
{
    uint64_t src1 = (a->dst + a->src) & a->mask;
    return flag_if(src1 < a->src, CC_C) | sub_of(a, src1) | af_of(src1, a->src, a->dst);
}

static uint32_t cc_sbb(const CCArgs *a)
{
    uint64_t bin = a->src2 & 1;
    uint64_t src1 = (a->dst + a->src + bin) & a->mask;
    bool cf = bin ? src1 <= a->src : src1 < a->src;
    return flag_if(cf, CC_C) | sub_of(a, src1) | af_of(src1, a->src, a->dst);
}

static uint32_t cc_logic(const CCArgs *a)
{
    return 0;
}

/* INC/DEC keep CF (src holds it) */
static uint32_t cc_inc(const CCArgs *a)
{
    return flag_if(a->src & 1, CC_C) | flag_if(a->dst == a->sign, CC_O) |
           flag_if((a->dst & 0xf) == 0, CC_A);
}

static uint32_t cc_dec(const CCArgs *a)
{
    return flag_if(a->src & 1, CC_C) | flag_if(a->dst == a->sign - 1, CC_O) |
           flag_if((a->dst & 0xf) == 0xf, CC_A);
}

/* SHL: src = value << (count - 1): its top bit is the last bit shifted out */
static uint32_t cc_shl(const CCArgs *a)
{
    bool cf = (a->src & a->sign) != 0;
    bool msb = (a->dst & a->sign) != 0;
    return flag_if(cf, CC_C) | flag_if(cf != msb, CC_O);
}

/* SHR/SAR: src = value >> (count - 1): bit 0 is the last bit shifted out; OF in src2 */
static uint32_t cc_sar(const CCArgs *a)
{
    return flag_if(a->src & 1, CC_C) | flag_if(a->src2 & 1, CC_O);
}

static uint32_t cc_mul(const CCArgs *a)
{
    return flag_if(a->src != 0, CC_C | CC_O);
}

/* indexed by (cc_op - 1) / 4 */
static const CCFamilyFn cc_families[] = {
    cc_add, cc_adc, cc_sub, cc_sbb, cc_logic, cc_inc, cc_dec, cc_shl, cc_sar, cc_mul,
};
_Static_assert(sizeof(cc_families) / sizeof(cc_families[0]) * 4 + 1 == NB_CC_OPS,
               "one flag function per CCOp family");

uint32_t cc_compute_flags(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (cc_op == CC_OP_EFLAGS || cc_op >= NB_CC_OPS) {
        return (uint32_t)src & CC_MASK;
    }
    unsigned bits = 8u << ((cc_op - 1) & 3);
    CCArgs a;
    a.mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    a.sign = 1ull << (bits - 1);
    a.dst = dst & a.mask;
    a.src = src & a.mask;
    a.src2 = src2;
    uint32_t f = cc_families[(cc_op - 1) / 4](&a);
    f |= flag_if(a.dst == 0, CC_Z) | flag_if(a.dst & a.sign, CC_S);
    f |= flag_if(!__builtin_parity((unsigned)(a.dst & 0xff)), CC_P);
    return f;
}

uint32_t cpu_cc_compute_all(const CPUState *env)
{
    return cc_compute_flags(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
}

uint32_t cpu_cc_compute_c(const CPUState *env)
{
    return cpu_cc_compute_all(env) & CC_C;
}

/* EFLAGS bits that exist (besides the arithmetic ones); bit 1 reads as 1 */
#define EFLAGS_SYSTEM_BITS (TF_MASK | IF_MASK | DF_MASK | IOPL_MASK | NT_MASK | RF_MASK | \
                            VM_MASK | AC_MASK | VIF_MASK | VIP_MASK | ID_MASK)
#define EFLAGS_FIXED1 0x2u

uint32_t cpu_get_eflags(CPUState *env)
{
    return (env->eflags & EFLAGS_SYSTEM_BITS) | EFLAGS_FIXED1 | cpu_cc_compute_all(env);
}

void cpu_set_eflags(CPUState *env, uint32_t value, uint32_t mask)
{
    if (mask & CC_MASK) {
        uint32_t cc = (cpu_cc_compute_all(env) & ~mask) | (value & mask & CC_MASK);
        env->cc_src = cc;
        env->cc_op = CC_OP_EFLAGS;
    }
    uint32_t sys = (env->eflags & ~mask) | (value & mask);
    env->eflags = (sys & EFLAGS_SYSTEM_BITS) | EFLAGS_FIXED1;
    cpu_update_hflags(env);
}
