/*
 * cpu/exec.c — the execution loop: deliver pending events, sample the interrupt lines at a
 * block boundary, run translated code until something asks to leave, and land here when a
 * helper or the mmu raises a fault (cpu_raise_exception longjmps to jmp_env).
 *
 * Nested faults follow the SDM's double-fault table: a contributory exception (#DE #TS #NP
 * #SS #GP) while delivering a contributory one, or a #PF or contributory exception while
 * delivering a #PF, becomes #DF(0); any fault while delivering #DF is a triple fault, which
 * resets the CPU (or ends the machine with -no-reboot).
 */
#include <setjmp.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "hw/hw.h"

typedef enum ExcpClass { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PAGE_FAULT,
                         CLASS_DOUBLE_FAULT } ExcpClass;

/* What is being delivered when a fault lands: no delivery, or the class of the event */
#define NOT_DELIVERING (-1)

static ExcpClass excp_class(int vector)
{
    switch (vector) {
    case EXCP_DE: case EXCP_TS: case EXCP_NP: case EXCP_SS: case EXCP_GP:
        return CLASS_CONTRIBUTORY;
    case EXCP_PF:
        return CLASS_PAGE_FAULT;
    case EXCP_DF:
        return CLASS_DOUBLE_FAULT;
    default:
        return CLASS_BENIGN;
    }
}

/* The pending event in env->exception_* (a vector below 256) */
static bool event_pending(const CPUState *env)
{
    return env->exception_index >= 0 && env->exception_index < 256;
}

static void set_pending(CPUState *env, int vector, bool has_error, uint32_t error_code)
{
    env->exception_index = vector;
    env->exception_has_error = has_error;
    env->error_code = error_code;
    env->exception_is_int = false;
}

/* A triple fault: reset (the machine's devices keep running), or stop with -no-reboot.
 * Returns EXCP_EXIT when cpu_exec should return. */
static int triple_fault(CPUState *env)
{
    fprintf(stderr, "ferry: triple fault at rip=%#llx, resetting\n",
            (unsigned long long)env->rip);
    Machine *m = env->machine;
    if (m && m->cfg.no_reboot) {
        machine_request_exit(m, 0);
        env->exception_index = -1;
        return EXCP_EXIT;
    }
    cpu_reset(env);
    return -1;
}

/* A fault landed while delivering an event of class `delivering`: decide what to deliver
 * instead. Returns EXCP_EXIT to leave cpu_exec, else -1. */
static int escalate(CPUState *env, int delivering)
{
    ExcpClass second = excp_class(env->exception_index);
    if (delivering == CLASS_DOUBLE_FAULT) {
        return triple_fault(env);
    }
    bool both_contributory = delivering == CLASS_CONTRIBUTORY && second == CLASS_CONTRIBUTORY;
    bool after_page_fault = delivering == CLASS_PAGE_FAULT &&
                            (second == CLASS_CONTRIBUTORY || second == CLASS_PAGE_FAULT);
    if (both_contributory || after_page_fault) {
        set_pending(env, EXCP_DF, true, 0);
    }
    /* otherwise the second event is delivered on its own (it is already pending) */
    return -1;
}

static void deliver_pending(CPUState *env, volatile int *delivering)
{
    int vector = env->exception_index;
    bool soft = env->exception_is_int;
    *delivering = soft ? CLASS_BENIGN : (int)excp_class(vector);
    if (cpu_log_mask & CPU_LOG_INT) {
        cpu_log_interrupt(env, vector, soft ? "software" : "exception",
                          env->exception_has_error, env->error_code);
    }
    cpu_do_interrupt(env, vector, soft ? INTR_SOFTWARE : INTR_EXCEPTION,
                     env->exception_has_error, env->error_code, env->exception_next_rip);
    *delivering = NOT_DELIVERING;
    env->exception_index = -1;
}

static bool irq_shadowed(const CPUState *env)
{
    return env->inhibit_irq && env->rip == env->inhibit_irq_rip;
}

/* Sample interrupt_request at a block boundary and deliver what is deliverable. Returns
 * an exit reason for cpu_exec, or -1 to go on running code. */
static int service_interrupts(CPUState *env, volatile int *delivering)
{
    uint32_t req = __atomic_load_n(&env->interrupt_request, __ATOMIC_SEQ_CST);
    if (req & CPU_INT_EXIT) {
        cpu_reset_interrupt(env, CPU_INT_EXIT);
        return EXCP_EXIT;
    }
    if (env->inhibit_irq && env->rip != env->inhibit_irq_rip) {
        env->inhibit_irq = false;       /* the shadowed instruction has run */
    }
    /* a debugger's single step masks interrupts (ui/debug.c decides) */
    if (!irq_shadowed(env) && !(env->debug_flags & CPU_DEBUG_STEP_NOIRQ)) {
        if (req & CPU_INT_NMI) {
            cpu_reset_interrupt(env, CPU_INT_NMI);
            *delivering = CLASS_BENIGN;
            cpu_do_interrupt(env, EXCP_NMI, INTR_HARDWARE, false, 0, env->rip);
            *delivering = NOT_DELIVERING;
        } else if ((req & CPU_INT_HARD) && (env->eflags & IF_MASK) && env->machine) {
            int vector = machine_irq_ack(env->machine);
            if (vector >= 0) {
                if (cpu_log_mask & CPU_LOG_INT) cpu_log_interrupt(env, vector, "hardware", false, 0);
                *delivering = CLASS_BENIGN;
                cpu_do_interrupt(env, vector, INTR_HARDWARE, false, 0, env->rip);
                *delivering = NOT_DELIVERING;
            }
        }
    }
    if (env->halted) {
        return EXCP_HLT;
    }
    return -1;
}

static uint64_t blocks_executed(void)
{
    TCGStats st;
    tcg_get_stats(&st);
    return st.blocks_executed;
}

/* Run translated code once. With TF set, each block is one instruction (translate.c keys
 * such blocks TB_CF_SINGLE_INSN, so tcg_exec returns after it) and the single-step trap is
 * reported here. An instruction that sets TF leaves the chain right after it
 * (cpu_update_hflags sets exit_req), so TF at the start of this run is TF at the start of
 * the instruction that ran. */
static void run_code(CPUState *env)
{
    bool tf = (env->hflags & HF_TF) != 0;
    bool shadow_before = irq_shadowed(env);
    uint64_t shadow_rip = env->inhibit_irq_rip;
    uint64_t blocks = tf ? blocks_executed() : 0;

    cpu_running_code = true;
    tcg_exec(env);
    cpu_running_code = false;

    if (shadow_before && env->inhibit_irq_rip == shadow_rip) {
        env->inhibit_irq = false;       /* the instruction it covered has run */
    }
    /* a data breakpoint's instruction ran alone (translate.c keys it TB_CF_SINGLE_INSN):
     * its #DB is a trap, reported with the matching DR6.Bn */
    env->dbg_insn_alone = false;
    if (env->dbg_data_hits) {
        env->dr[6] = (env->dr[6] & ~DR6_HITS) | env->dbg_data_hits;
        env->dbg_data_hits = 0;
        set_pending(env, EXCP_DB, false, 0);
    }
    /* a MOV SS / POP SS that just ran holds the single-step trap until after the next
     * instruction, which then reports it */
    bool debug_shadow = env->inhibit_irq && env->inhibit_debug && env->rip == env->inhibit_irq_rip;
    if (tf && blocks_executed() != blocks && !debug_shadow) {
        env->dr[6] |= DR6_BS;
        set_pending(env, EXCP_DB, false, 0);
    }
}

int cpu_exec(CPUState *env)
{
    volatile int delivering = NOT_DELIVERING;

    for (;;) {
        if (setjmp(env->jmp_env) != 0) {
            /* landed: a fault, a software interrupt, HLT or an exit request */
            cpu_running_code = false;
            int reason = env->exception_index;
            if (reason != EXCP_RETRY_INSN) {
                /* the instruction a data breakpoint re-runs did not complete */
                env->dbg_insn_alone = false;
                env->dbg_data_hits = 0;
            }
            if (reason >= 256) {
                env->exception_index = -1;
                if (reason == EXCP_EXIT || reason == EXCP_DEBUG) {
                    return reason;
                }
                continue;       /* EXCP_HLT and EXCP_INTERRUPT: the loop decides */
            }
            if (env->exit_on_exception) {
                /* library mode: report instead of delivering (error_code stays set) */
                delivering = NOT_DELIVERING;
                env->exception_index = -1;
                return reason;
            }
            if (delivering != NOT_DELIVERING) {
                int d = delivering;
                delivering = NOT_DELIVERING;
                if (escalate(env, d) == EXCP_EXIT) {
                    return EXCP_EXIT;
                }
            }
            continue;
        }

        for (;;) {
            if (event_pending(env)) {
                if (env->exit_on_exception) {
                    /* library mode: the single-step trap is reported like a fault */
                    int vector = env->exception_index;
                    env->exception_index = -1;
                    return vector;
                }
                deliver_pending(env, &delivering);
                /* a debugger's step into a fault or INT stops at the handler */
                if (env->debug_flags & CPU_DEBUG_STEP) return EXCP_DEBUG;
            }
            /* clear first, then sample: a request that arrives after the sample sets
             * exit_req again and tcg_exec returns at once */
            __atomic_store_n(&env->exit_req, 0, __ATOMIC_SEQ_CST);
            int reason = service_interrupts(env, &delivering);
            if (reason >= 0) {
                return reason;
            }
            uint64_t blocks = env->debug_flags & CPU_DEBUG_STEP ? blocks_executed() : 0;
            run_code(env);
            if ((env->debug_flags & CPU_DEBUG_STEP) && blocks_executed() != blocks) {
                return EXCP_DEBUG;      /* the one instruction of a debugger step ran */
            }
        }
    }
}
