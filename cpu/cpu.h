/*
 * cpu/cpu.h — the contract of the CPU part: the guest CPU state (one plain struct, all of
 * what the guest can observe), the execution loop, exceptions and interrupts, and the
 * mode bits translated code is specialised on.
 *
 * Arithmetic flags are lazy: CF PF AF ZF SF OF are described by (cc_op, cc_dst, cc_src,
 * cc_src2) and computed when read; every other EFLAGS bit lives in `eflags`. Use
 * cpu_get_eflags()/cpu_set_eflags() to see or replace the architectural value.
 */
#ifndef FERRY_CPU_H
#define FERRY_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/mmu.h"

struct Machine;

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, NB_SEGS };

/* EFLAGS bits */
#define CC_C   0x0001u
#define CC_P   0x0004u
#define CC_A   0x0010u
#define CC_Z   0x0040u
#define CC_S   0x0080u
#define CC_O   0x0800u
#define CC_MASK (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)
#define TF_MASK   0x00000100u
#define IF_MASK   0x00000200u
#define DF_MASK   0x00000400u
#define IOPL_MASK 0x00003000u
#define NT_MASK   0x00004000u
#define RF_MASK   0x00010000u
#define VM_MASK   0x00020000u
#define AC_MASK   0x00040000u
#define VIF_MASK  0x00080000u
#define VIP_MASK  0x00100000u
#define ID_MASK   0x00200000u

/* Lazy flag state: what (cc_dst, cc_src, cc_src2) hold. The size suffix B/W/L/Q is the
 * operand size; the four sizes of one operation are consecutive, in that order. */
typedef enum CCOp {
    CC_OP_EFLAGS,   /* flags computed: cc_src holds them (CC_MASK bits) */
    CC_OP_ADDB, CC_OP_ADDW, CC_OP_ADDL, CC_OP_ADDQ,   /* dst = result, src = 2nd operand */
    CC_OP_ADCB, CC_OP_ADCW, CC_OP_ADCL, CC_OP_ADCQ,   /* + src2 = carry in */
    CC_OP_SUBB, CC_OP_SUBW, CC_OP_SUBL, CC_OP_SUBQ,   /* dst = result, src = 2nd operand */
    CC_OP_SBBB, CC_OP_SBBW, CC_OP_SBBL, CC_OP_SBBQ,   /* + src2 = borrow in */
    CC_OP_LOGICB, CC_OP_LOGICW, CC_OP_LOGICL, CC_OP_LOGICQ, /* dst = result */
    CC_OP_INCB, CC_OP_INCW, CC_OP_INCL, CC_OP_INCQ,   /* dst = result, src = CF before */
    CC_OP_DECB, CC_OP_DECW, CC_OP_DECL, CC_OP_DECQ,   /* dst = result, src = CF before */
    CC_OP_SHLB, CC_OP_SHLW, CC_OP_SHLL, CC_OP_SHLQ,   /* dst = result, src = value << (count-1) */
    CC_OP_SARB, CC_OP_SARW, CC_OP_SARL, CC_OP_SARQ,   /* dst = result, src = value >> (count-1)
                                                        (SHR and SAR both), src2 = OF (0/1):
                                                        MSB of the operand for SHR, 0 for SAR */
    CC_OP_MULB, CC_OP_MULW, CC_OP_MULL, CC_OP_MULQ,   /* dst = low result, src = nonzero iff
                                                        CF=OF=1 */
    NB_CC_OPS
} CCOp;

/* Cached segment register: the hidden part loaded from the descriptor. `flags` holds the
 * descriptor's attribute bits in their positions of the descriptor's high dword: type
 * (8-11), S (12), DPL (13-14), P (15), AVL (20), L (21), D/B (22), G (23). */
typedef struct SegmentCache {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;     /* byte granular, already scaled by G */
    uint32_t flags;
} SegmentCache;

#define DESC_TYPE_SHIFT 8
#define DESC_S_MASK   (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_P_MASK   (1u << 15)
#define DESC_L_MASK   (1u << 21)
#define DESC_B_MASK   (1u << 22)
#define DESC_G_MASK   (1u << 23)
#define DESC_CS_MASK  (1u << 11)   /* code segment (type bit 3) */
#define DESC_C_MASK   (1u << 10)   /* conforming (code) / expand-down (data) */
#define DESC_W_MASK   (1u << 9)    /* writable (data) / readable (code) */
#define DESC_A_MASK   (1u << 8)

typedef struct DescTable {
    uint64_t base;
    uint32_t limit;
} DescTable;

/* Mode bits: everything the translator specialises on. Kept in CPUState.hflags, updated
 * whenever an input changes (segment loads, CR writes, EFLAGS writes), and part of the
 * translation-block key. */
#define HF_CPL_MASK   0x0003u
#define HF_CS32       (1u << 2)   /* CS.D: 32-bit default operand/address size */
#define HF_SS32       (1u << 3)   /* SS.B: 32-bit stack */
#define HF_CS64       (1u << 4)   /* 64-bit code (long mode and CS.L) */
#define HF_LMA        (1u << 5)   /* long mode active */
#define HF_PE         (1u << 6)   /* protected mode */
#define HF_VM         (1u << 7)   /* virtual-8086 mode */
#define HF_TF         (1u << 8)   /* single-step trap after each instruction */
#define HF_PG         (1u << 9)   /* paging on */
#define HF_OSFXSR     (1u << 10)  /* CR4.OSFXSR (SSE enabled) */
#define HF_EM_TS      (1u << 11)  /* CR0.EM or CR0.TS: FPU/SSE instructions fault */
/* Block-key-only mode bits: never in env->hflags, added by the translator's get_key */
#define HF_KEY_RF      (1u << 30) /* EFLAGS.RF: the block's one instruction clears it first */
#define HF_KEY_SMAP_AC (1u << 29) /* CPL < 3, CR4.SMAP and EFLAGS.AC: MMU_KERNEL_AC_IDX */

/* MMU indexes (TLB planes). */
#define MMU_KERNEL_IDX 0   /* CPL 0-2 */
#define MMU_USER_IDX   1   /* CPL 3 */
#define MMU_PHYS_IDX   2   /* no paging: physical, used by helpers that walk tables */
#define MMU_KERNEL_AC_IDX 3 /* CPL 0-2 explicit data access with CR4.SMAP and EFLAGS.AC set:
                               user pages allowed (MMU_KERNEL_IDX is the SMAP-checked plane,
                               also used for implicit supervisor accesses: GDT, IDT, TSS) */

/* Exception vectors */
enum {
    EXCP_DE = 0, EXCP_DB = 1, EXCP_NMI = 2, EXCP_BP = 3, EXCP_OF = 4, EXCP_BR = 5,
    EXCP_UD = 6, EXCP_NM = 7, EXCP_DF = 8, EXCP_TS = 10, EXCP_NP = 11, EXCP_SS = 12,
    EXCP_GP = 13, EXCP_PF = 14, EXCP_MF = 16, EXCP_AC = 17, EXCP_MC = 18, EXCP_XM = 19,
};
/* Exit reasons carried in exception_index beside real vectors (>= 256). */
#define EXCP_HLT      256   /* HLT executed: wait for an interrupt */
#define EXCP_EXIT     257   /* leave cpu_exec: the machine asked (exit port, monitor, debugger) */
#define EXCP_INTERRUPT 258  /* an interrupt became deliverable */
#define EXCP_DEBUG    259   /* the debugger stops the CPU: breakpoint hit, single step done */
#define EXCP_RETRY_INSN 260 /* a data breakpoint hit: re-run the instruction alone (exec.c) */

/* interrupt_request bits */
#define CPU_INT_HARD  0x1   /* maskable interrupt line from the interrupt controller */
#define CPU_INT_NMI   0x2
#define CPU_INT_EXIT  0x4   /* leave cpu_exec as soon as possible */

typedef struct X87Reg {
    uint64_t mant;
    uint16_t exp;       /* sign in bit 15 */
} X87Reg;

typedef struct CPUState {
    /* ---- guest-visible state (the snapshot) ---- */
    uint64_t regs[16];
    uint64_t rip;
    uint32_t eflags;    /* all EFLAGS bits except CC_MASK; bit 1 always set */
    uint32_t cc_op;     /* CCOp */
    uint64_t cc_dst, cc_src, cc_src2;

    SegmentCache seg[NB_SEGS];
    SegmentCache ldt, tr;
    DescTable gdt, idt;
    uint64_t cr[5];     /* CR0 CR1(unused) CR2 CR3 CR4 */
    uint64_t cr8;
    uint64_t efer;
    uint64_t dr[8];     /* DR0-DR7 (DR4/DR5 are never stored: they alias DR6/DR7) */
    /* model-specific registers ferry implements (cpu/helpers_ctrl.c has the table); the FS/GS
     * bases are seg[R_FS/R_GS].base, the TSC is tsc_offset */
    uint64_t apic_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t pat;
    uint64_t tsc_aux;
    uint64_t tsc_deadline;          /* IA32_TSC_DEADLINE: the local APIC (hw/lapic.c) arms it */
    uint32_t hflags;    /* HF_*: derived from the above, kept in step */

    /* x87 / SSE (filled in by the floating-point issue; FNINIT defaults here) */
    X87Reg fpregs[8];
    uint16_t fpuc, fpus, fptag;
    uint32_t mxcsr;
    uint64_t xmm[16][2];
    uint64_t xcr0;      /* XCR0 as XSETBV wrote it; bit 0 (x87) reads as 1 even before */

    /* time */
    uint64_t tsc_offset;            /* guest TSC = host TSC + tsc_offset */

    /* interrupts */
    uint32_t interrupt_request;     /* CPU_INT_* */
    bool halted;
    bool inhibit_irq;               /* interrupt shadow after STI / MOV SS / POP SS */
    uint64_t inhibit_irq_rip;       /* the shadow covers only the next instruction */
    bool inhibit_debug;             /* the shadow is MOV SS / POP SS's: it holds off the
                                       single-step #DB too (STI's does not) */

    /* ---- not state: caches and host-side bookkeeping (never in a snapshot) ---- */
    int32_t exit_req;               /* tested at every block entry */
    int exception_index;            /* vector or EXCP_* being delivered */
    uint32_t error_code;
    bool exception_has_error;
    uint64_t exception_next_rip;    /* for software interrupts: rip after the INT */
    bool exception_is_int;          /* INT n / INT3 / INTO (software) */
    jmp_buf jmp_env;                /* cpu_exec's landing pad for faults */
    bool exit_on_exception;         /* library mode (differential tests): cpu_exec returns
                                       the vector (0-255) instead of delivering it; rip is
                                       the faulting instruction's, error_code is set */
    struct Machine *machine;
    CPUTLB tlb;
    uint32_t debug_flags;           /* CPU_DEBUG_*: 0 unless a debugger or -d feature is on */
    /* DR7 data breakpoints (helpers_ctrl.c, excp.c, exec.c): the instruction that hit one
     * is re-run as a block of its own (dbg_insn_alone), which collects the DR6.Bn bits in
     * dbg_data_hits; the loop raises the #DB trap after it */
    bool dbg_insn_alone;
    uint32_t dbg_data_hits;
    /* -icount (cpu/translate.c, hw/clock.c): guest instructions retired. Each block's
     * prologue adds its whole instruction count at entry (remembering the count before in
     * icount_block_start and itself in icount_tb) and leaves before its first instruction
     * when that would pass icount_limit, the count at which the next timer is due; a block
     * left early (fault, trap, HLT, stop) sets icount back to what really retired. */
    uint64_t icount;
    uint64_t icount_limit;
    uint64_t icount_block_start;
    const void *icount_tb;
} CPUState;

/* ---------------------------------------------------------------- debugger and trace hooks
 * Owned by ui/ (debug.c, trace.c); the exec loop and the translator consult them. With
 * debug_flags zero every hook costs one predictable branch. */
#define CPU_DEBUG_BREAKPOINTS 0x1   /* breakpoints exist: checked when a block is looked up */
#define CPU_DEBUG_STEP        0x2   /* run exactly one instruction, then EXCP_DEBUG */
#define CPU_DEBUG_STEP_NOIRQ  0x4   /* no hardware interrupts during that step */
#define CPU_DEBUG_LOG_BLOCKS  0x8   /* -d exec/cpu: no chaining, log every block entry */

/* Called at block lookup (linear pc = CS base + rip) when CPU_DEBUG_BREAKPOINTS is set:
 * true if execution must stop before this instruction. */
bool cpu_debug_breakpoint_hit(CPUState *env, uint64_t linear_pc);
/* True if a breakpoint exists at this linear address (the translator ends blocks before it) */
bool cpu_debug_breakpoint_at(uint64_t linear_pc);
/* -d logging: which categories are on (CPU_LOG_*), and the hooks */
#define CPU_LOG_IN_ASM  0x01
#define CPU_LOG_EXEC    0x02
#define CPU_LOG_CPU     0x04
#define CPU_LOG_INT     0x08
#define CPU_LOG_OP      0x10
#define CPU_LOG_OUT_ASM 0x20
extern unsigned cpu_log_mask;
void cpu_log_block_entry(CPUState *env);
void cpu_log_interrupt(CPUState *env, int vector, const char *kind, bool has_error, uint32_t error_code);
void cpu_log_in_asm(CPUState *env, uint64_t pc, uint64_t cs_base, uint32_t hflags, uint32_t size);

/* ---------------------------------------------------------------- lifecycle and loop */

void cpu_init(CPUState *env, struct Machine *m);
/* Power-on reset: real mode at F000:FFF0 (CS base 0xFFFF0000). */
void cpu_reset(CPUState *env);
/* Test and loader conveniences: flat 32-bit protected mode (CPL 0, 4 GiB segments, paging
 * off) or flat 64-bit code (long mode, paging treated as identity: a library mode for the
 * differential harness, not an architectural state). */
void cpu_reset_flat32(CPUState *env);
void cpu_reset_flat64(CPUState *env);

/* Run until something asks to leave (CPU_INT_EXIT); returns the exception_index of the
 * reason (EXCP_EXIT, or EXCP_HLT when the machine should wait for an interrupt and has
 * nothing to wait for). */
int cpu_exec(CPUState *env);

/* Ask a running cpu_exec to look at interrupt_request at the next block boundary. */
void cpu_interrupt(CPUState *env, uint32_t mask);
void cpu_reset_interrupt(CPUState *env, uint32_t mask);

/* ---------------------------------------------------------------- exceptions */

/* Raise a guest exception from a helper or the mmu: restores the faulting instruction's
 * rip (precise), then leaves through jmp_env. error_code is pushed for the vectors that
 * have one. */
_Noreturn void cpu_raise_exception(CPUState *env, int vector, uint32_t error_code);
/* A non-canonical linear address (the mmu's check): #SS(0) for a stack reference, #GP(0)
 * otherwise (excp.c finds out which from the faulting instruction) */
_Noreturn void cpu_raise_noncanonical(CPUState *env, uint64_t la);
/* Leave translated code with exception_index already set (HLT, exit requests). */
_Noreturn void cpu_loop_exit(CPUState *env);

/* ---------------------------------------------------------------- flags and state */

uint32_t cpu_get_eflags(CPUState *env);
/* Sets EFLAGS bits selected by mask (CC bits and the rest), updating hflags. */
void cpu_set_eflags(CPUState *env, uint32_t value, uint32_t mask);
uint32_t cpu_cc_compute_all(const CPUState *env);   /* CC_MASK bits from the lazy state */
uint32_t cpu_cc_compute_c(const CPUState *env);     /* CF only */
void cpu_update_hflags(CPUState *env);              /* recompute hflags from segs/CRs/eflags */

/* Load a segment register as a real-mode / V86 segment (base = selector << 4). */
void cpu_load_seg_real(CPUState *env, int seg, uint16_t selector);
/* Load a segment register in protected mode from the GDT/LDT with the architectural
 * checks; raises #GP/#NP/#SS. */
void cpu_load_seg_prot(CPUState *env, int seg, uint16_t selector);

/* Host TSC read, and the guest's view of it */
uint64_t cpu_get_tsc(CPUState *env);

/* A canonical linear address of long mode: bits 63..47 all equal, or 63..56 with 5-level
 * paging (CR4.LA57, bit 12) */
static inline bool cpu_is_canonical(const CPUState *env, uint64_t a)
{
    unsigned shift = (env->cr[4] & (1ull << 12)) ? 7 : 16;
    return (uint64_t)(((int64_t)a << shift) >> shift) == a;
}

/* The mmu index for an explicit access at the current privilege */
static inline int cpu_mmu_index(const CPUState *env)
{
    if ((env->hflags & HF_CPL_MASK) == 3) return MMU_USER_IDX;
    return (env->eflags & AC_MASK) && (env->cr[4] & (1ull << 21)) ? MMU_KERNEL_AC_IDX
                                                                  : MMU_KERNEL_IDX;
}

/* ---------------------------------------------------------------- debug registers
 * (helpers_ctrl.c) DR0-DR3 breakpoints as DR7 enables them. Each returns the DR6.Bn bits
 * of the enabled breakpoints that match, 0 for none. */
/* instruction breakpoints (R/W = 00) at linear address la */
uint32_t cpu_dr_exec_match(const CPUState *env, uint64_t la);
/* data breakpoints (R/W = 01 writes, 11 reads and writes) overlapping [la, la + size) */
uint32_t cpu_dr_data_match(const CPUState *env, uint64_t la, uint64_t size, bool write);
/* the mmu's slow path reports an access to a page with TLB_WATCH (excp.c): a hit from
 * translated code re-runs the instruction alone and then raises the #DB trap */
void cpu_dr_watch_access(CPUState *env, uint64_t la, unsigned size, bool write);

/* ---------------------------------------------------------------- translator */

/* Register the x86 front end with tcg and pick the backend; call once before cpu_exec. */
bool cpu_tcg_init(const char *accel);   /* "interp" or "jit"; NULL = default */

/* -icount: instructions retired now, exact also in the middle of a block (for device reads
 * of the clock and RDTSC); and the correction when a block ends early, resume_pc being the
 * first instruction that did not retire. */
uint64_t cpu_icount_now(CPUState *env);
void cpu_icount_sync(CPUState *env, uint64_t resume_pc);
/* The clock's next deadline as an instruction count (UINT64_MAX: none). A limit inside the
 * running block stops it after the current instruction, so the CPU leaves exactly there. */
void cpu_icount_set_limit(CPUState *env, uint64_t limit);

/* The single CPU of this process (helpers reach devices through its machine). */
extern CPUState *first_cpu;

#endif
