/*
 * cpu/helpers_misc.c — C helpers of xlat_string.c and xlat_misc.c: the string instructions
 * (REP loops that stay exact at every iteration and return to translated code in bounded
 * chunks), port I/O with its permission check, POP to a segment register, POPF/PUSHF,
 * CMPXCHG8B/16B, CPUID, RDTSC/RDTSCP and FWAIT.
 */
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "hw/hw.h"

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Register write of size bytes with x86's rules: 8/16-bit writes merge, 32-bit writes clear
 * bits 63..32, 64-bit writes replace. Used for operand and for address-size updates. */
static void set_reg_sized(CPUState *env, int reg, unsigned size, uint64_t v)
{
    if (size == 4) {
        env->regs[reg] = (uint32_t)v;
        return;
    }
    uint64_t m = size_mask(size);
    env->regs[reg] = (env->regs[reg] & ~m) | (v & m);
}

static bool real_or_v86(const CPUState *env)
{
    return !(env->hflags & HF_PE) || (env->hflags & HF_VM);
}

static unsigned env_cpl(const CPUState *env)
{
    return env->hflags & HF_CPL_MASK;
}

static unsigned env_iopl(const CPUState *env)
{
    return (env->eflags & IOPL_MASK) >> 12;
}

/* Flags become CC_OP_EFLAGS with ZF replaced and the other arithmetic flags kept */
static void set_zf_only(CPUState *env, bool zf)
{
    uint32_t f = cpu_cc_compute_all(env);
    env->cc_src = zf ? (f | CC_Z) : (f & ~CC_Z);
    env->cc_op = CC_OP_EFLAGS;
}

/* ---------------------------------------------------------------- string instructions */

typedef struct StrCtx {
    CPUState *env;
    unsigned size;      /* element bytes: 1 2 4 8 */
    unsigned asize;     /* address size: 2 4 8 (rSI rDI rCX width) */
    uint64_t amask;
    int src_seg;        /* DS or the override; the destination is always ES */
    int64_t step;       /* bytes rSI/rDI move per element: -size when DF = 1 */
    int mmu_idx;
    bool equal;         /* cmps/scas: the last comparison found the operands equal */
} StrCtx;

/* Linear address of offset off in seg, as gen_linear computes it, without the limit check */
static uint64_t str_linear_raw(const StrCtx *c, int seg, uint64_t off)
{
    const CPUState *env = c->env;
    if (env->hflags & HF_CS64) {
        return (seg == R_FS || seg == R_GS) ? env->seg[seg].base + off : off;
    }
    return (uint32_t)(env->seg[seg].base + off);
}

/* Linear address of the element at offset off in seg; in real and V86 mode with 16-bit
 * addressing an element that runs past 0xFFFF faults (#SS for SS, #GP otherwise). */
static uint64_t str_linear(const StrCtx *c, int seg, uint64_t off)
{
    if (c->asize == 2 && real_or_v86(c->env) && off > 0x10000 - c->size) {
        cpu_raise_exception(c->env, seg == R_SS ? EXCP_SS : EXCP_GP, 0);
    }
    return str_linear_raw(c, seg, off);
}

static uint64_t str_offset(const StrCtx *c, int reg)
{
    return c->env->regs[reg] & c->amask;
}

static void str_advance(const StrCtx *c, int reg, uint64_t elems)
{
    set_reg_sized(c->env, reg, c->asize, c->env->regs[reg] + (uint64_t)c->step * elems);
}

/* Host pointer to the guest page of la if the TLB maps it as plain RAM for this access
 * right now (no MMIO, code or watchpoint flag), else NULL. */
static uint8_t *str_host_page(const StrCtx *c, uint64_t la, bool write)
{
    const TLBEntry *e = &mmu_tlb(c->env)->e[c->mmu_idx][(la >> PAGE_BITS) & (TLB_ENTRIES - 1)];
    uint64_t tag = write ? e->addr_write : e->addr_read;
    if ((la & PAGE_MASK) != tag) {
        return NULL;
    }
    return (uint8_t *)(uintptr_t)(la + e->addend);
}

/* How many elements a forward run may cover from offset off (linear la): la must continue
 * the element just done at prev_la inside the same page, and the run stops at the end of
 * that page and where the address size would wrap. */
static uint64_t str_run_room(const StrCtx *c, uint64_t prev_la, uint64_t off, uint64_t la)
{
    if (la != prev_la + c->size || ((la ^ prev_la) & PAGE_MASK)) {
        return 0;
    }
    uint64_t bytes = PAGE_SIZE - (la & (PAGE_SIZE - 1));
    if (c->asize < 8) {
        bytes = min_u64(bytes, c->amask - off + 1);
    }
    return bytes / c->size;
}

static void str_compare(StrCtx *c, uint64_t a, uint64_t b)
{
    uint64_t m = size_mask(c->size);
    CPUState *env = c->env;
    env->cc_dst = (a - b) & m;
    env->cc_src = b & m;
    env->cc_op = cc_op_sized(CC_OP_SUBB, (int)c->size);
    c->equal = env->cc_dst == 0;
}

/* Each element function performs one element through mmu_ld/mmu_st (which may fault before
 * any register changed), advances rSI/rDI, and may then go on with up to max - 1 further
 * elements that cannot fault (a host-memory run); it returns the elements done (>= 1). */

static uint64_t str_movs(StrCtx *c, uint64_t max)
{
    CPUState *env = c->env;
    uint64_t sla = str_linear(c, c->src_seg, str_offset(c, R_ESI));
    uint64_t dla = str_linear(c, R_ES, str_offset(c, R_EDI));
    uint64_t v = mmu_ld(env, sla, c->size, c->mmu_idx);
    bool want_run = max > 1 && c->step > 0;
    /* the source page's host pointer is taken before the store, which may evict it when
     * both pages share a TLB slot */
    const uint8_t *src = want_run ? str_host_page(c, sla, false) : NULL;
    mmu_st(env, dla, v, c->size, c->mmu_idx);
    uint8_t *dst = src ? str_host_page(c, dla, true) : NULL;
    str_advance(c, R_ESI, 1);
    str_advance(c, R_EDI, 1);
    if (!dst) {
        return 1;
    }
    uint64_t si = str_offset(c, R_ESI), di = str_offset(c, R_EDI);
    uint64_t n = max - 1;
    n = min_u64(n, str_run_room(c, sla, si, str_linear_raw(c, c->src_seg, si)));
    n = min_u64(n, str_run_room(c, dla, di, str_linear_raw(c, R_ES, di)));
    uintptr_t s_addr = (uintptr_t)src + c->size, d_addr = (uintptr_t)dst + c->size;
    if (d_addr > s_addr && d_addr < s_addr + n * c->size) {
        /* an element-wise forward copy onto its own source repeats what it copied: copy
         * only up to where the destination starts to overlap, the next run goes on */
        n = min_u64(n, (d_addr - s_addr) / c->size);
    }
    if (n == 0) {
        return 1;
    }
    memmove((void *)d_addr, (const void *)s_addr, n * c->size);
    str_advance(c, R_ESI, n);
    str_advance(c, R_EDI, n);
    return 1 + n;
}

static uint64_t str_stos(StrCtx *c, uint64_t max)
{
    CPUState *env = c->env;
    uint64_t v = env->regs[R_EAX] & size_mask(c->size);
    uint64_t dla = str_linear(c, R_ES, str_offset(c, R_EDI));
    mmu_st(env, dla, v, c->size, c->mmu_idx);
    uint8_t *dst = (max > 1 && c->step > 0) ? str_host_page(c, dla, true) : NULL;
    str_advance(c, R_EDI, 1);
    if (!dst) {
        return 1;
    }
    uint64_t di = str_offset(c, R_EDI);
    uint64_t n = min_u64(max - 1, str_run_room(c, dla, di, str_linear_raw(c, R_ES, di)));
    if (n == 0) {
        return 1;
    }
    if (c->size == 1) {
        memset(dst + 1, (int)v, n);
    } else {
        /* the element just stored is the pattern: double the filled part each step */
        uint64_t total = (n + 1) * c->size, filled = c->size;
        while (filled < total) {
            uint64_t chunk = min_u64(filled, total - filled);
            memcpy(dst + filled, dst, chunk);
            filled += chunk;
        }
    }
    str_advance(c, R_EDI, n);
    return 1 + n;
}

static uint64_t str_lods(StrCtx *c, uint64_t max)
{
    uint64_t sla = str_linear(c, c->src_seg, str_offset(c, R_ESI));
    uint64_t v = mmu_ld(c->env, sla, c->size, c->mmu_idx);
    set_reg_sized(c->env, R_EAX, c->size, v);
    str_advance(c, R_ESI, 1);
    return 1;
}

static uint64_t str_cmps(StrCtx *c, uint64_t max)
{
    uint64_t sla = str_linear(c, c->src_seg, str_offset(c, R_ESI));
    uint64_t dla = str_linear(c, R_ES, str_offset(c, R_EDI));
    uint64_t a = mmu_ld(c->env, sla, c->size, c->mmu_idx);
    uint64_t b = mmu_ld(c->env, dla, c->size, c->mmu_idx);
    str_compare(c, a, b);
    str_advance(c, R_ESI, 1);
    str_advance(c, R_EDI, 1);
    return 1;
}

static uint64_t str_scas(StrCtx *c, uint64_t max)
{
    uint64_t dla = str_linear(c, R_ES, str_offset(c, R_EDI));
    uint64_t b = mmu_ld(c->env, dla, c->size, c->mmu_idx);
    str_compare(c, c->env->regs[R_EAX], b);
    str_advance(c, R_EDI, 1);
    return 1;
}

/* Port accesses are at most 4 bytes (the decoder caps INS/OUTS at 32 bits) */
static unsigned io_size(unsigned size)
{
    return size > 4 ? 4 : size;
}

static uint64_t str_ins(StrCtx *c, uint64_t max)
{
    CPUState *env = c->env;
    cpu_check_io_permission(env, (uint16_t)env->regs[R_EDX], io_size(c->size));
    uint64_t dla = str_linear(c, R_ES, str_offset(c, R_EDI));
    uint32_t v = port_read((uint16_t)env->regs[R_EDX], io_size(c->size));
    mmu_st(env, dla, v, c->size, c->mmu_idx);
    str_advance(c, R_EDI, 1);
    return 1;
}

static uint64_t str_outs(StrCtx *c, uint64_t max)
{
    CPUState *env = c->env;
    cpu_check_io_permission(env, (uint16_t)env->regs[R_EDX], io_size(c->size));
    uint64_t sla = str_linear(c, c->src_seg, str_offset(c, R_ESI));
    uint64_t v = mmu_ld(env, sla, c->size, c->mmu_idx);
    port_write((uint16_t)env->regs[R_EDX], (uint32_t)v, io_size(c->size));
    str_advance(c, R_ESI, 1);
    return 1;
}

typedef uint64_t (*StrElementFn)(StrCtx *c, uint64_t max);
static const StrElementFn str_elements[] = {
    [STR_MOVS] = str_movs, [STR_CMPS] = str_cmps, [STR_STOS] = str_stos,
    [STR_LODS] = str_lods, [STR_SCAS] = str_scas, [STR_INS] = str_ins, [STR_OUTS] = str_outs,
};

HELPER(string)
{
    CPUState *env = env_;
    uint64_t desc = a0, budget = a1 ? a1 : 1;
    unsigned kind = STR_DESC_KIND(desc), rep = STR_DESC_REP(desc);
    unsigned seg = STR_DESC_SEG(desc);
    if (kind >= sizeof(str_elements) / sizeof(str_elements[0]) || seg >= NB_SEGS) {
        cpu_raise_exception(env, EXCP_UD, 0);   /* not a descriptor xlat_string.c builds */
    }
    StrCtx c = {
        .env = env,
        .size = STR_DESC_SIZE(desc),
        .asize = STR_DESC_ASIZE(desc),
        .src_seg = (int)seg,
        .mmu_idx = cpu_mmu_index(env),
    };
    c.amask = size_mask(c.asize);
    c.step = (env->eflags & DF_MASK) ? -(int64_t)c.size : (int64_t)c.size;
    StrElementFn element = str_elements[kind];
    bool compares = kind == STR_CMPS || kind == STR_SCAS;

    if (rep == STR_REP_NONE) {
        element(&c, 1);
        return 1;
    }
    if ((env->regs[R_ECX] & c.amask) == 0) {
        return 1;
    }
    for (;;) {
        /* an iteration boundary: everything in env is the architectural state */
        uint64_t count = env->regs[R_ECX] & c.amask;
        uint64_t done = element(&c, min_u64(count, budget));
        set_reg_sized(env, R_ECX, c.asize, env->regs[R_ECX] - done);
        if (compares && c.equal != (rep == STR_REP_E)) {
            return 1;
        }
        if ((env->regs[R_ECX] & c.amask) == 0) {
            return 1;
        }
        budget -= done;
        if (budget == 0 || env->exit_req) {
            return 0;   /* translated code restarts the instruction (interrupts first) */
        }
    }
}
DEF_HELPER_INFO(string, 0);

/* ---------------------------------------------------------------- port I/O */

HELPER(io_in)
{
    CPUState *env = env_;
    cpu_check_io_permission(env, (uint16_t)a0, io_size((unsigned)a1));
    return port_read((uint16_t)a0, io_size((unsigned)a1));
}
DEF_HELPER_INFO(io_in, 0);

HELPER(io_out)
{
    CPUState *env = env_;
    cpu_check_io_permission(env, (uint16_t)a0, io_size((unsigned)a2));
    port_write((uint16_t)a0, (uint32_t)a1, io_size((unsigned)a2));
    return 0;
}
DEF_HELPER_INFO(io_out, 0);

/* ---------------------------------------------------------------- stack and flags */

HELPER(pop_sreg)
{
    CPUState *env = env_;
    int seg = (int)a0;
    uint16_t selector = (uint16_t)a1;
    if (seg < 0 || seg >= NB_SEGS || seg == R_CS) {
        cpu_raise_exception(env, EXCP_UD, 0);   /* POP CS does not exist */
    }
    cpu_load_seg(env, seg, selector);
    if (seg == R_SS) {
        /* no interrupt between POP SS and the next instruction (which loads rSP) */
        env->inhibit_irq = true;
        env->inhibit_irq_rip = a2;
        env->inhibit_debug = true;
    }
    return 0;
}
DEF_HELPER_INFO(pop_sreg, 0);

/* Arithmetic flags and the system flags POPF may change at all; the mode then narrows it */
#define POPF_BITS (CC_MASK | TF_MASK | IF_MASK | DF_MASK | IOPL_MASK | NT_MASK | AC_MASK | \
                   ID_MASK)

HELPER(popf)
{
    CPUState *env = env_;
    uint32_t value = (uint32_t)a0;
    unsigned opsize = (unsigned)a1;
    uint32_t mask = POPF_BITS;
    if (env->hflags & HF_VM) {
        if (env_iopl(env) < 3) {
            cpu_raise_exception(env, EXCP_GP, 0);   /* CR4.VME's virtual IF is not modelled */
        }
        mask &= ~IOPL_MASK;
    } else if (env->hflags & HF_PE) {
        if (env_cpl(env) > 0) {
            mask &= ~IOPL_MASK;
        }
        if (env_cpl(env) > env_iopl(env)) {
            mask &= ~IF_MASK;
        }
    }
    if (opsize == 2) {
        mask &= 0xffff;     /* the upper half of EFLAGS stays */
    } else {
        mask |= RF_MASK;    /* RF is cleared; VM, VIF and VIP never change */
        value &= ~RF_MASK;
    }
    cpu_set_eflags(env, value, mask);
    /* the generator relies on CC_OP_EFLAGS, whatever cpu_set_eflags chose */
    env->cc_src = cpu_cc_compute_all(env);
    env->cc_op = CC_OP_EFLAGS;
    cpu_irq_window_check(env);      /* IF may have just opened the window for a pending IRQ */
    return 0;
}
DEF_HELPER_INFO(popf, 0);

HELPER(pushf_check)
{
    CPUState *env = env_;
    if ((env->hflags & HF_VM) && env_iopl(env) < 3) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    return 0;
}
DEF_HELPER_INFO(pushf_check, 0);

/* ---------------------------------------------------------------- CMPXCHG8B / 16B */

HELPER(cmpxchg_pair)
{
    CPUState *env = env_;
    uint64_t la = a0;
    bool wide = a1 != 0;
    int idx = cpu_mmu_index(env);
    uint64_t *r = env->regs;
    uint64_t lo, hi;
    bool equal;

    if (wide) {
        if (la & 15) {
            cpu_raise_exception(env, EXCP_GP, 0);
        }
        lo = mmu_ld(env, la, 8, idx);
        hi = mmu_ld(env, la + 8, 8, idx);
        equal = lo == r[R_EAX] && hi == r[R_EDX];
        /* the memory operand is written back even when the comparison fails */
        mmu_st(env, la, equal ? r[R_EBX] : lo, 8, idx);
        mmu_st(env, la + 8, equal ? r[R_ECX] : hi, 8, idx);
    } else {
        uint64_t m = mmu_ld(env, la, 8, idx);
        uint64_t expected = (uint32_t)r[R_EAX] | (uint64_t)(uint32_t)r[R_EDX] << 32;
        uint64_t desired = (uint32_t)r[R_EBX] | (uint64_t)(uint32_t)r[R_ECX] << 32;
        equal = m == expected;
        mmu_st(env, la, equal ? desired : m, 8, idx);
        lo = (uint32_t)m;
        hi = m >> 32;
    }
    if (!equal) {
        /* rDX:rAX receive the memory value only on failure (32-bit halves zero-extend) */
        r[R_EAX] = lo;
        r[R_EDX] = hi;
    }
    set_zf_only(env, equal);
    return 0;
}
DEF_HELPER_INFO(cmpxchg_pair, 0);

/* ---------------------------------------------------------------- CPUID, TSC, FWAIT */

HELPER(cpuid)
{
    CPUState *env = env_;
    uint32_t out[4];
    cpu_cpuid(env, (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_ECX], out);
    env->regs[R_EAX] = out[0];
    env->regs[R_EBX] = out[1];
    env->regs[R_ECX] = out[2];
    env->regs[R_EDX] = out[3];
    return 0;
}
DEF_HELPER_INFO(cpuid, TCG_CALL_NO_RAISE);

HELPER(rdtsc)
{
    CPUState *env = env_;
    if ((env->cr[4] & CR4_TSD) && env_cpl(env) > 0) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint64_t tsc = cpu_get_tsc(env);
    env->regs[R_EAX] = (uint32_t)tsc;
    env->regs[R_EDX] = tsc >> 32;
    if (a0) {
        env->regs[R_ECX] = (uint32_t)env->tsc_aux;   /* RDTSCP */
    }
    if (timers_due())
        cpu_interrupt(env, CPU_INT_EXIT);
    return 0;
}
DEF_HELPER_INFO(rdtsc, 0);

HELPER(fwait)
{
    CPUState *env = env_;
    if ((env->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        cpu_raise_exception(env, EXCP_NM, 0);
    }
    return 0;
}
DEF_HELPER_INFO(fwait, 0);
