/*
 * cpu/helpers.h — private to cpu/: the C helpers translated code calls through
 * tcg_gen_call(&helper_info_NAME, ...). Each translator part appends its own section.
 */
#ifndef FERRY_CPU_HELPERS_H
#define FERRY_CPU_HELPERS_H

#include "cpu/xlat.h"

/* ---------------------------------------------------------------- core and ALU
 * (xlat_core.c, flags.c, xlat_alu.c; defined in helpers_alu.c) */

/* The CC_MASK flags of a lazy state given explicitly (op, dst, src, src2): pure, so the
 * translator can call it on values it has in temps. */
uint32_t cc_compute_flags(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);

DECL_HELPER(raise_exception);   /* (vector, error_code): never returns */
DECL_HELPER(cc_compute_all);    /* (cc_op, dst, src, src2) -> CC_MASK bits; pure */
DECL_HELPER(div);               /* (size, divisor): rDX:rAX / divisor -> rAX, rDX; #DE */
DECL_HELPER(idiv);              /* (size, divisor): signed DIV */
/* (op, imm): DAA DAS AAA AAS AAM AAD on AL/AH; sets env's lazy flags (cc_op changes) */
enum { BCD_DAA, BCD_DAS, BCD_AAA, BCD_AAS, BCD_AAM, BCD_AAD };
DECL_HELPER(bcd);
/* (mode, value, count, cf): RCL/RCR of value through cf; pure. mode = operand size |
 * ROTC_RIGHT for RCR | ROTC_WANT_CF to return the new CF (0/1) instead of the result */
#define ROTC_RIGHT   0x10
#define ROTC_WANT_CF 0x20
DECL_HELPER(rotate_carry);

/* ---------------------------------------------------------------- strings and misc
 * (xlat_string.c, xlat_misc.c; defined in helpers_misc.c) */

/* String instructions. helper_string(desc, budget) executes the string instruction that
 * desc describes (STR_DESC). Without REP: one element, returns 1. With REP: at most budget
 * iterations (at least one when rCX != 0), rCX/rSI/rDI exact after every iteration, so a
 * fault leaves the state of the iterations done; returns 1 when the instruction is complete
 * and 0 when it must be restarted at the same rip (count left but budget spent or exit_req
 * set). cmps/scas leave SUB<size> lazy flags of the last comparison in env (unchanged when
 * REP ran no iteration). ins/outs do the I/O permission check. */
enum { STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS, STR_INS, STR_OUTS };
enum { STR_REP_NONE, STR_REP_E, STR_REP_NE };   /* REP / REPE, REPNE (F2 for cmps/scas) */
#define STR_DESC(kind, size_log2, asize_log2, src_seg, rep) \
    ((uint64_t)(kind) | (uint64_t)(size_log2) << 4 | (uint64_t)(asize_log2) << 6 | \
     (uint64_t)(src_seg) << 8 | (uint64_t)(rep) << 12)
#define STR_DESC_KIND(d)    ((unsigned)(d) & 0xf)
#define STR_DESC_SIZE(d)    (1u << (((unsigned)(d) >> 4) & 3))
#define STR_DESC_ASIZE(d)   (1u << (((unsigned)(d) >> 6) & 3))
#define STR_DESC_SEG(d)     (((unsigned)(d) >> 8) & 7)
#define STR_DESC_REP(d)     (((unsigned)(d) >> 12) & 3)
DECL_HELPER(string);

DECL_HELPER(io_in);         /* (port, size) -> value, after the I/O permission check */
DECL_HELPER(io_out);        /* (port, value, size) */
/* (seg, selector, next_rip): POP to DS ES SS FS GS through cpu_load_seg; POP SS starts
 * the interrupt shadow for the instruction at next_rip */
DECL_HELPER(pop_sreg);
/* (value, opsize): POPF with the SDM's per-mode masks; #GP(0) in V86 with IOPL < 3. Leaves
 * env's flags as CC_OP_EFLAGS. */
DECL_HELPER(popf);
DECL_HELPER(pushf_check);   /* (): #GP(0) for PUSHF in V86 mode with IOPL < 3 */
/* (linear, wide): CMPXCHG8B (wide = 0) / CMPXCHG16B (wide = 1, #GP(0) unless 16-byte
 * aligned). Only ZF changes: leaves env's flags as CC_OP_EFLAGS. */
DECL_HELPER(cmpxchg_pair);
DECL_HELPER(cpuid);         /* (): EAX..EDX from cpu_cpuid(EAX, ECX) */
DECL_HELPER(rdtsc);         /* (with_aux): EDX:EAX = TSC (and ECX = TSC_AUX); CR4.TSD check */
DECL_HELPER(fwait);         /* (): #NM when CR0.MP and CR0.TS */
DECL_HELPER(x87_wait);      /* (): FWAIT: that #NM, then a pending x87 exception (#MF or
                               FERR#/IRQ 13 with CR0.NE = 0): cpu/helpers_x87.c */

/* ---------------------------------------------------------------- cpu-system
 * (cpu.c, excp.c, exec.c, cpuid.c, xlat_ctrl.c, xlat_sys.c; helpers in helpers_ctrl.c) */

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_TSD        (1ull << 2)
#define CR4_DE         (1ull << 3)
#define CR4_PSE        (1ull << 4)
#define CR4_PAE        (1ull << 5)
#define CR4_PGE        (1ull << 7)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP       (1ull << 11)
#define CR4_LA57       (1ull << 12)
#define CR4_FSGSBASE   (1ull << 16)
#define CR4_OSXSAVE    (1ull << 18)   /* XSAVE family, XGETBV/XSETBV (cpu/helpers_xsave.c) */
#define CR4_PCIDE      (1ull << 17)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define DR6_BS     (1ull << 14)     /* single-step trap */
#define DR6_BD     (1ull << 13)     /* MOV DR with DR7.GD set */
#define DR6_HITS   0xfull           /* B0-B3: which breakpoints matched */
#define DR7_GD     (1ull << 13)     /* general detect: the next MOV DR raises #DB */
#define DR7_ENABLES 0xffull         /* L0 G0 .. L3 G3 */
#define DR6_FIXED1 0xffff0ff0ull
#define DR7_FIXED1 0x400ull
#define APIC_BASE_DEFAULT 0xfee00900ull    /* enabled, bootstrap processor */
#define PAT_DEFAULT 0x0007040600070406ull
#define SEL_TI 4u                   /* selector names an LDT entry */

/* CPUID (cpuid.c): the model's answer for (leaf, subleaf) as EAX EBX ECX EDX */
void cpu_cpuid(CPUState *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
uint32_t cpuid_signature(void);     /* family/model/stepping of leaf 1 (EDX at reset) */

void cpu_set_tsc(CPUState *env, uint64_t value);   /* WRMSR to the TSC */

/* Descriptors (cpu.c). A descriptor as its two little-endian dwords. */
typedef struct Descriptor { uint32_t lo, hi; } Descriptor;
static inline unsigned desc_dpl(Descriptor d) { return (d.hi >> DESC_DPL_SHIFT) & 3; }
/* Read the GDT/LDT entry sel names; beyond the table limit raises vector with error code
 * (sel & ~3) | ext. */
/* The descriptor sel names in the GDT/LDT: false if the table cannot hold it (no LDT, beyond
 * the limit). cpu_read_descriptor raises vector with error code (sel & ~3) | ext instead. */
bool cpu_peek_descriptor(CPUState *env, uint16_t sel, Descriptor *d);
Descriptor cpu_read_descriptor(CPUState *env, uint16_t sel, int vector, uint32_t ext);
void cpu_descriptor_set_accessed(CPUState *env, uint16_t sel, Descriptor *d);
void cpu_seg_cache_fill(SegmentCache *sc, uint16_t sel, Descriptor d);
/* Check a stack segment for CPL cpl and return its cache without loading it (null_ok: 64-bit
 * code may use a null SS below CPL 3). Raises vector((sel & ~3) | ext), #SS if absent. */
SegmentCache cpu_fetch_ss(CPUState *env, uint16_t selector, unsigned cpl, bool null_ok,
                          int vector, uint32_t ext);
/* MOV/POP/LDS-style load of DS ES SS FS GS in the current mode (real, V86 or protected) */
void cpu_load_seg(CPUState *env, int seg, uint16_t selector);

/* The guest stack as C helpers walk it: pushes and pops move a private copy of rSP, so
 * nothing is committed until stack_commit (precise if an access faults on the way). */
typedef struct StackCursor {
    uint64_t base, sp, mask;
    bool wide;          /* 64-bit code: linear addresses are not truncated to 32 bits */
    int mmu_idx;
} StackCursor;

static inline StackCursor stack_current(const CPUState *env)
{
    StackCursor c;
    bool flat = (env->hflags & HF_CS64) != 0;
    c.base = flat ? 0 : env->seg[R_SS].base;
    c.mask = flat ? ~0ull : (env->hflags & HF_SS32) ? 0xffffffffull : 0xffffull;
    c.sp = env->regs[R_ESP];
    c.wide = flat;
    c.mmu_idx = cpu_mmu_index(env);
    return c;
}

static inline uint64_t stack_linear(const StackCursor *c, uint64_t sp)
{
    uint64_t la = c->base + (sp & c->mask);
    return c->wide ? la : (uint32_t)la;
}

static inline void stack_push(CPUState *env, StackCursor *c, uint64_t v, unsigned size)
{
    c->sp = (c->sp & ~c->mask) | ((c->sp - size) & c->mask);
    mmu_st(env, stack_linear(c, c->sp), v, size, c->mmu_idx);
}

static inline uint64_t stack_pop(CPUState *env, StackCursor *c, unsigned size)
{
    uint64_t v = mmu_ld(env, stack_linear(c, c->sp), size, c->mmu_idx);
    c->sp = (c->sp & ~c->mask) | ((c->sp + size) & c->mask);
    return v;
}

static inline void stack_commit(CPUState *env, const StackCursor *c)
{
    env->regs[R_ESP] = c->sp;
}

/* Exceptions and interrupts (excp.c) */
typedef enum IntrKind {
    INTR_EXCEPTION,     /* fault or trap: pushes env->rip, EXT = 1 in error codes */
    INTR_SOFTWARE,      /* INT n / INT3 / INTO: pushes the next rip, gate DPL >= CPL */
    INTR_HARDWARE,      /* external interrupt or NMI: never an error code */
} IntrKind;
/* Deliver one event through the IVT/IDT; faults on the way are raised normally. */
void cpu_do_interrupt(CPUState *env, int vector, IntrKind kind, bool has_error,
                      uint32_t error_code, uint64_t next_rip);
/* The stack of ring cpl from the current TSS (SS checked for that ring, #TS otherwise) */
SegmentCache cpu_tss_inner_stack(CPUState *env, unsigned cpl, uint32_t ext, uint64_t *sp);
/* RSPn of the 64-bit TSS for ring cpl (#TS beyond its limit, #SS(ext) if not canonical) */
uint64_t cpu_tss_rsp64(CPUState *env, unsigned cpl, uint32_t ext);
/* Raise INT n / INT3 / INTO (pushes next_rip). */
_Noreturn void cpu_raise_software_interrupt(CPUState *env, int vector, uint64_t next_rip);
/* Raise a trap reported after its instruction (ICEBP's #DB): rip becomes next_rip. */
_Noreturn void cpu_raise_trap(CPUState *env, int vector, uint64_t next_rip);
/* Call after anything that may have set IF (STI, IRET, POPF): a pending interrupt makes
 * the running chain return to cpu_exec. */
void cpu_irq_window_check(CPUState *env);
/* Set by cpu_exec while translated code runs (tcg_in_block is meaningful only then). */
extern bool cpu_running_code;

/* Control transfers (helpers_ctrl.c) */
DECL_HELPER(raise_int);     /* (vector, next_rip, iopl_sensitive): INT n (sensitive in V86
                               mode: #GP(0) when IOPL < 3), INT3 */
DECL_HELPER(into);          /* (of, next_rip): #OF when of != 0 */
DECL_HELPER(int1);          /* (next_rip): ICEBP, a #DB trap */
DECL_HELPER(bound);         /* (index, lower, upper, size): #BR unless lower <= index <= upper */
DECL_HELPER(jmp_far);       /* (selector, offset, next_rip): sets CS and rip (or switches task) */
DECL_HELPER(call_far);      /* (selector, offset, opsize, next_rip) */
DECL_HELPER(retf);          /* (opsize, imm16) */
DECL_HELPER(iret);          /* (opsize, next_rip): leaves env's flags as CC_OP_EFLAGS */

/* System instructions (helpers_ctrl.c) */
DECL_HELPER(load_seg);      /* (seg, selector, shadow, next_rip): MOV/LxS to a segment */
DECL_HELPER(write_cr);      /* (n, value): CR0 CR2 CR3 CR4 CR8 with the reserved-bit checks */
DECL_HELPER(lmsw);          /* (value) */
DECL_HELPER(read_dr);       /* (n) -> DRn */
DECL_HELPER(write_dr);      /* (n, value) */
DECL_HELPER(hlt);           /* (next_rip): never returns */
DECL_HELPER(cli);           /* (): IOPL check */
DECL_HELPER(sti);           /* (next_rip): IOPL check, interrupt shadow */
DECL_HELPER(invlpg);        /* (linear) */
DECL_HELPER(invpcid);       /* (type, descriptor linear address) */
DECL_HELPER(set_ac);        /* (ac): STAC (1) / CLAC (0) */
DECL_HELPER(rdmsr);         /* (): EDX:EAX = MSR[ECX] */
DECL_HELPER(wrmsr);         /* (): MSR[ECX] = EDX:EAX */

/* Descriptor-table instructions and fast system calls (seg.c) */
DECL_HELPER(lldt);          /* (selector) */
DECL_HELPER(ltr);           /* (selector): marks the TSS busy */
/* (kind, selector) -> DESC_CHECK_OK | value (LAR: access rights, LSL: byte limit), or 0
 * when ZF is to be cleared; never faults on a bad selector */
enum { DESC_CHECK_LAR, DESC_CHECK_LSL, DESC_CHECK_VERR, DESC_CHECK_VERW };
#define DESC_CHECK_OK (1ull << 32)
DECL_HELPER(desc_check);
DECL_HELPER(syscall);       /* (next_rip) */
DECL_HELPER(sysret);        /* (opsize) */
DECL_HELPER(sysenter);      /* () */
DECL_HELPER(sysexit);       /* (opsize) */
DECL_HELPER(swapgs);        /* () */
DECL_HELPER(umip_check);    /* (): #GP(0) with CR4.UMIP (SGDT SIDT SLDT SMSW STR at CPL > 0) */
/* (op, value) RDFSBASE (0) RDGSBASE (1) -> base, WRFSBASE (2) WRGSBASE (3) value:
 * #UD without CR4.FSGSBASE, #GP(0) for a non-canonical base */
DECL_HELPER(fsgsbase);
/* IN/OUT/INS/OUTS: #GP(0) unless CPL <= IOPL (outside V86 mode) or the TSS I/O permission
 * bitmap clears every bit of [port, port + size) */
void cpu_check_io_permission(CPUState *env, uint16_t port, unsigned size);
/* I/O breakpoints (helpers_ctrl.c, excp.c): DR6.Bn bits of the enabled R/W = 10 breakpoints
 * overlapping ports [port, port + size); the access hook re-runs the instruction alone */
uint32_t cpu_dr_io_match(const CPUState *env, uint16_t port, unsigned size);
void cpu_dr_io_access(CPUState *env, uint16_t port, unsigned size);

/* Hardware task switches (task.c). JMP and IRET free the old task; CALL (and events
 * through a task gate) nest the new one under it (back link, NT). */
typedef enum TaskSwitchReason { TASK_JMP, TASK_CALL, TASK_IRET } TaskSwitchReason;
/* Switch to the task of TSS descriptor d (selector sel); the old task resumes at next_eip.
 * ext is the EXT bit of error codes (1 for events). */
void cpu_task_switch(CPUState *env, uint16_t sel, Descriptor d, TaskSwitchReason reason,
                     uint64_t next_eip, uint32_t ext);
/* The TSS descriptor a task gate names (checked: GDT, TSS type) */
Descriptor cpu_task_gate_target(CPUState *env, uint16_t tss_sel, uint32_t ext);

#endif
