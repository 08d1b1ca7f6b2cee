/*
 * cpu/excp.c — raising exceptions (from helpers, the mmu and the loop) and delivering
 * events through the real-mode IVT, the protected-mode IDT (16- and 32-bit interrupt and
 * trap gates, with the ring-0 stack from the TSS) and the long-mode IDT (64-bit gates, IST).
 *
 * Delivery reads everything that can fault (gate, code descriptor, TSS, new stack) and
 * writes the new frame before it changes any register, so a fault during delivery leaves
 * the state of the interrupted instruction intact for the double-fault rules in exec.c.
 * Task gates switch tasks through task.c.
 */
#include <setjmp.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/helpers.h"

bool cpu_running_code;

/* Exceptions that push an error code: #DF #TS #NP #SS #GP #PF #AC */
static bool vector_has_error(int vector)
{
    return vector == EXCP_DF || (vector >= EXCP_TS && vector <= EXCP_PF) || vector == EXCP_AC;
}

/* The faulting instruction's rip: translated code knows it, anything else (delivery, the
 * block lookup) already has it in env */
static void restore_insn_rip(CPUState *env)
{
    if (cpu_running_code && tcg_in_block()) {
        env->rip = tcg_current_insn_pc();
    }
}

_Noreturn void cpu_loop_exit(CPUState *env)
{
    cpu_icount_sync(env, env->rip);     /* -icount: the block may end before its last insn */
    longjmp(env->jmp_env, 1);
}

_Noreturn void cpu_raise_exception(CPUState *env, int vector, uint32_t error_code)
{
    restore_insn_rip(env);
    env->exception_index = vector;
    env->error_code = error_code;
    env->exception_has_error = vector_has_error(vector);
    env->exception_is_int = false;
    cpu_loop_exit(env);
}

_Noreturn void cpu_raise_software_interrupt(CPUState *env, int vector, uint64_t next_rip)
{
    restore_insn_rip(env);
    env->exception_index = vector;
    env->error_code = 0;
    env->exception_has_error = false;
    env->exception_is_int = true;
    env->exception_next_rip = next_rip;
    cpu_loop_exit(env);
}

_Noreturn void cpu_raise_trap(CPUState *env, int vector, uint64_t next_rip)
{
    env->rip = next_rip;
    env->exception_index = vector;
    env->error_code = 0;
    env->exception_has_error = false;
    env->exception_is_int = false;
    cpu_loop_exit(env);
}

/* Mnemonics that reach the stack implicitly (through rSP, SS-relative) */
static bool implicit_stack_user(X86Mnem m)
{
    static const X86Mnem users[] = {
        MN_push, MN_pop, MN_pushf, MN_popf, MN_enter, MN_leave, MN_call, MN_callf, MN_ret,
        MN_retf, MN_iret,
    };
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
        if (users[i] == m) {
            return true;
        }
    }
    return false;
}

/* Whether the access to la that the current instruction of translated code attempted is a
 * stack reference. The mmu does not know the segment, the instruction does: it is decoded
 * again (its bytes through the side-effect-free walk). An access at the memory operand's
 * address belongs to that operand's segment (SS for rSP/rBP bases or an SS override);
 * any other access of a push/pop/call/ret-class instruction is its implicit stack access. */
static bool is_stack_reference(CPUState *env, uint64_t la)
{
    uint8_t code[15];
    unsigned n = 0;
    bool code64 = (env->hflags & HF_CS64) != 0;
    uint64_t pc = code64 ? env->rip : (uint32_t)(env->seg[R_CS].base + env->rip);
    for (; n < sizeof(code); n++) {
        uint64_t pa;
        if (!mmu_debug_translate(env, pc + n, &pa)) {
            break;
        }
        phys_read(pa, &code[n], 1);
    }
    int bits = code64 ? 64 : (env->hflags & HF_CS32) ? 32 : 16;
    X86Insn insn;
    if (x86_decode(code, n, bits, env->rip, &insn) <= 0) {
        return false;
    }
    if (insn.seg >= 0) {
        uint64_t ea = (uint64_t)insn.disp;
        if (insn.ea_base >= 0) {
            ea += env->regs[insn.ea_base];
        }
        if (insn.ea_index >= 0) {
            ea += env->regs[insn.ea_index] << insn.ea_scale;
        }
        if (insn.addrsize == 4) {
            ea = (uint32_t)ea;
        }
        if (insn.seg == R_FS || insn.seg == R_GS) {
            ea += env->seg[insn.seg].base;
        }
        if (la - ea < PAGE_SIZE) {
            return insn.seg == R_SS;
        }
    }
    return implicit_stack_user((X86Mnem)insn.mnem);
}

_Noreturn void cpu_raise_noncanonical(CPUState *env, uint64_t la)
{
    restore_insn_rip(env);
    bool stack = cpu_running_code && is_stack_reference(env, la);
    cpu_raise_exception(env, stack ? EXCP_SS : EXCP_GP, 0);
}

/* A data breakpoint matched an access that is about to be made. From translated code the
 * instruction is abandoned like a fault (nothing of it is done yet as far as the
 * architecture can tell) and re-run alone; in that one-instruction run the hit is only
 * recorded, the access goes on, and cpu_exec raises the #DB trap once the instruction has
 * completed. Accesses outside translated code (event delivery) are not reported. */
/* A data or I/O breakpoint matched (hits = its DR6.Bn bits): collect them if the instruction
 * already runs alone, else re-run it alone from its start */
static void dr_trap_after_insn(CPUState *env, uint32_t hits)
{
    if (!hits || !cpu_running_code) {
        return;
    }
    if (env->dbg_insn_alone) {
        env->dbg_data_hits |= hits;
        return;
    }
    restore_insn_rip(env);
    env->dbg_insn_alone = true;
    env->exception_index = EXCP_RETRY_INSN;
    cpu_loop_exit(env);
}

void cpu_dr_watch_access(CPUState *env, uint64_t la, unsigned size, bool write)
{
    dr_trap_after_insn(env, cpu_dr_data_match(env, la, size, write));
}

/* An I/O breakpoint (CR4.DE, DR7 R/W = 10) is a trap like a data breakpoint: the IN/OUT
 * (or INS/OUTS) re-runs alone before its access is made, and #DB follows it */
void cpu_dr_io_access(CPUState *env, uint16_t port, unsigned size)
{
    dr_trap_after_insn(env, cpu_dr_io_match(env, port, size));
}

void cpu_irq_window_check(CPUState *env)
{
    if ((env->eflags & IF_MASK) && (env->interrupt_request & CPU_INT_HARD)) {
        __atomic_store_n(&env->exit_req, 1, __ATOMIC_SEQ_CST);
    }
}

/* ---------------------------------------------------------------- real mode */

static void deliver_real(CPUState *env, int vector, uint64_t ret_rip)
{
    uint32_t entry = (uint32_t)vector * 4;
    if (entry + 3 > env->idt.limit) {
        cpu_raise_exception(env, EXCP_GP, 0);
    }
    uint64_t la = env->idt.base + entry;
    uint16_t ip = (uint16_t)mmu_ld(env, la, 2, MMU_KERNEL_IDX);
    uint16_t cs = (uint16_t)mmu_ld(env, la + 2, 2, MMU_KERNEL_IDX);

    StackCursor st = stack_current(env);
    stack_push(env, &st, cpu_get_eflags(env) & 0xffff, 2);
    stack_push(env, &st, env->seg[R_CS].selector, 2);
    stack_push(env, &st, ret_rip & 0xffff, 2);

    stack_commit(env, &st);
    cpu_load_seg_real(env, R_CS, cs);
    env->rip = ip;
    env->eflags &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
    cpu_update_hflags(env);
}

/* ---------------------------------------------------------------- protected and long mode */

/* Gate types (S = 0) */
enum { GATE_TASK = 0x5, GATE_INT16 = 0x6, GATE_TRAP16 = 0x7, GATE_INT32 = 0xe,
       GATE_TRAP32 = 0xf };

typedef struct Gate {
    uint16_t selector;
    uint64_t offset;
    unsigned type, dpl, ist;
} Gate;

/* What every delivery needs: the event and the values it pushes */
typedef struct Event {
    int vector;
    IntrKind kind;
    bool has_error;
    uint32_t error_code;
    uint64_t ret_rip;
    uint32_t ext;           /* EXT bit of error codes raised while delivering */
    uint32_t eflags;        /* the EFLAGS image the frame holds */
} Event;

/* Faults push EFLAGS with RF set, so the faulting instruction's breakpoint does not fire
 * again when the handler returns to it; the instruction-breakpoint #DB (a fault too) is
 * the exception, and traps, #DF, #MC and interrupts push RF as it is. */
static bool vector_is_fault(int vector)
{
    return vector == EXCP_DE || vector == EXCP_BR || vector == EXCP_UD || vector == EXCP_NM ||
           (vector >= EXCP_TS && vector <= EXCP_PF) || vector == EXCP_MF ||
           vector == EXCP_AC || vector == EXCP_XM;
}

static uint32_t gate_error(const Event *ev)
{
    return (uint32_t)ev->vector * 8 + 2 + ev->ext;
}

/* Read and check the IDT entry (8 bytes, or 16 in long mode) */
static Gate read_gate(CPUState *env, const Event *ev, bool long_mode)
{
    unsigned entry_size = long_mode ? 16 : 8;
    uint32_t entry = (uint32_t)ev->vector * entry_size;
    if (entry + entry_size - 1 > env->idt.limit) {
        cpu_raise_exception(env, EXCP_GP, gate_error(ev));
    }
    uint64_t la = env->idt.base + entry;
    uint32_t lo = (uint32_t)mmu_ld(env, la, 4, MMU_KERNEL_IDX);
    uint32_t hi = (uint32_t)mmu_ld(env, la + 4, 4, MMU_KERNEL_IDX);
    Gate g = {
        .selector = (uint16_t)(lo >> 16),
        .offset = (lo & 0xffff) | (hi & 0xffff0000u),
        .type = (hi >> 8) & 0x1f,     /* with the S bit: system gates have it clear */
        .dpl = (hi >> DESC_DPL_SHIFT) & 3,
        .ist = long_mode ? hi & 7 : 0,
    };
    bool type_ok;
    if (long_mode) {
        g.offset |= mmu_ld(env, la + 8, 4, MMU_KERNEL_IDX) << 32;
        type_ok = g.type == GATE_INT32 || g.type == GATE_TRAP32;   /* 64-bit gates */
    } else {
        type_ok = g.type == GATE_INT16 || g.type == GATE_TRAP16 || g.type == GATE_INT32 ||
                  g.type == GATE_TRAP32 || g.type == GATE_TASK;
        if (g.type == GATE_INT16 || g.type == GATE_TRAP16) {
            g.offset &= 0xffff;
        }
    }
    if (!type_ok) {
        cpu_raise_exception(env, EXCP_GP, gate_error(ev));
    }
    unsigned cpl = env->hflags & HF_CPL_MASK;
    if (ev->kind == INTR_SOFTWARE && g.dpl < cpl) {
        cpu_raise_exception(env, EXCP_GP, gate_error(ev));
    }
    if (!(hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, gate_error(ev));
    }
    return g;
}

/* The gate's code segment: present code with DPL <= CPL (64-bit code in long mode) */
static Descriptor read_gate_code(CPUState *env, const Event *ev, const Gate *g, bool long_mode)
{
    uint32_t err = (g->selector & ~3u) | ev->ext;
    if ((g->selector & ~3u) == 0) {
        cpu_raise_exception(env, EXCP_GP, ev->ext);
    }
    Descriptor d = cpu_read_descriptor(env, g->selector, EXCP_GP, ev->ext);
    bool code = (d.hi & DESC_S_MASK) && (d.hi & DESC_CS_MASK);
    if (!code || desc_dpl(d) > (env->hflags & HF_CPL_MASK)) {
        cpu_raise_exception(env, EXCP_GP, err);
    }
    if (long_mode && (!(d.hi & DESC_L_MASK) || (d.hi & DESC_B_MASK))) {
        cpu_raise_exception(env, EXCP_GP, err);
    }
    if (!(d.hi & DESC_P_MASK)) {
        cpu_raise_exception(env, EXCP_NP, err);
    }
    return d;
}

/* Bytes [offset, offset+size) of the current TSS, #TS if beyond its limit */
static uint64_t tss_read(CPUState *env, uint32_t ext, uint32_t offset, unsigned size)
{
    if (!(env->tr.flags & DESC_P_MASK) || offset + size - 1 > env->tr.limit) {
        cpu_raise_exception(env, EXCP_TS, (env->tr.selector & ~3u) | ext);
    }
    return mmu_ld(env, env->tr.base + offset, size, MMU_KERNEL_IDX);
}

SegmentCache cpu_tss_inner_stack(CPUState *env, unsigned cpl, uint32_t ext, uint64_t *sp)
{
    /* 32-bit TSS (types 9/11): ESPn at 4 + 8n, SSn at 8 + 8n; 16-bit (1/3): 2 + 4n, 4 + 4n */
    bool tss32 = ((env->tr.flags >> DESC_TYPE_SHIFT) & 8) != 0;
    uint16_t ss_sel;
    if (tss32) {
        *sp = tss_read(env, ext, 4 + cpl * 8, 4);
        ss_sel = (uint16_t)tss_read(env, ext, 8 + cpl * 8, 2);
    } else {
        *sp = tss_read(env, ext, 2 + cpl * 4, 2);
        ss_sel = (uint16_t)tss_read(env, ext, 4 + cpl * 4, 2);
    }
    return cpu_fetch_ss(env, ss_sel, cpl, false, EXCP_TS, ext);
}

uint64_t cpu_tss_rsp64(CPUState *env, unsigned cpl, uint32_t ext)
{
    uint64_t rsp = tss_read(env, ext, 4 + cpl * 8, 8);
    if (!cpu_is_canonical(env, rsp)) {
        cpu_raise_exception(env, EXCP_SS, ext);
    }
    return rsp;
}

static int stack_mmu_idx(unsigned cpl)
{
    return cpl == 3 ? MMU_USER_IDX : MMU_KERNEL_IDX;
}

/* Commit the transfer to the handler: CS, rip, rSP and the flags an event clears */
static void enter_handler(CPUState *env, const Gate *g, Descriptor code, unsigned new_cpl,
                          const StackCursor *st)
{
    cpu_descriptor_set_accessed(env, g->selector, &code);
    stack_commit(env, st);
    cpu_seg_cache_fill(&env->seg[R_CS], (uint16_t)((g->selector & ~3u) | new_cpl), code);
    env->rip = g->offset;
    uint32_t clear = TF_MASK | VM_MASK | RF_MASK | NT_MASK;
    if (g->type == GATE_INT16 || g->type == GATE_INT32) {
        clear |= IF_MASK;
    }
    env->eflags &= ~clear;
    cpu_update_hflags(env);
}

/* An event through a task gate: the handler is a task of its own, nested under the
 * interrupted one; the error code goes on the new task's stack */
static void deliver_task_gate(CPUState *env, const Event *ev, const Gate *g)
{
    Descriptor tss = cpu_task_gate_target(env, g->selector, ev->ext);
    cpu_task_switch(env, g->selector, tss, TASK_CALL, ev->ret_rip, ev->ext);
    if (ev->has_error) {
        StackCursor st = stack_current(env);
        stack_push(env, &st, ev->error_code, (env->tr.flags >> DESC_TYPE_SHIFT) & 8 ? 4 : 2);
        stack_commit(env, &st);
    }
}

static void deliver_protected(CPUState *env, const Event *ev)
{
    Gate g = read_gate(env, ev, false);
    if (g.type == GATE_TASK) {
        deliver_task_gate(env, ev, &g);
        return;
    }
    Descriptor code = read_gate_code(env, ev, &g, false);
    unsigned cpl = env->hflags & HF_CPL_MASK;
    bool conforming = (code.hi & DESC_C_MASK) != 0;
    unsigned new_cpl = conforming ? cpl : desc_dpl(code);
    bool v86 = (env->eflags & VM_MASK) != 0;
    unsigned size = (g.type == GATE_INT32 || g.type == GATE_TRAP32) ? 4 : 2;
    bool switch_stack = new_cpl < cpl;

    /* from virtual-8086 mode only a ring-0 non-conforming handler is allowed */
    if (v86 && new_cpl != 0) {
        cpu_raise_exception(env, EXCP_GP, (g.selector & ~3u) | ev->ext);
    }

    StackCursor st;
    SegmentCache new_ss = { 0 };
    if (switch_stack) {
        uint64_t sp;
        new_ss = cpu_tss_inner_stack(env, new_cpl, ev->ext, &sp);
        st = (StackCursor){
            .base = new_ss.base, .sp = sp,
            .mask = (new_ss.flags & DESC_B_MASK) ? 0xffffffffull : 0xffffull,
            .mmu_idx = stack_mmu_idx(new_cpl),
        };
        if (v86) {
            static const int v86_segs[] = { R_GS, R_FS, R_DS, R_ES };
            for (unsigned i = 0; i < 4; i++) {
                stack_push(env, &st, env->seg[v86_segs[i]].selector, size);
            }
        }
        stack_push(env, &st, env->seg[R_SS].selector, size);
        stack_push(env, &st, env->regs[R_ESP], size);
    } else {
        st = stack_current(env);
    }
    stack_push(env, &st, ev->eflags, size);
    stack_push(env, &st, env->seg[R_CS].selector, size);
    stack_push(env, &st, ev->ret_rip, size);
    if (ev->has_error) {
        stack_push(env, &st, ev->error_code, size);
    }

    if (switch_stack) {
        env->seg[R_SS] = new_ss;
        if (v86) {
            /* the handler starts with null data segments; IRET to V86 reloads them */
            static const int data_segs[] = { R_ES, R_DS, R_FS, R_GS };
            for (unsigned i = 0; i < 4; i++) {
                env->seg[data_segs[i]] = (SegmentCache){ 0 };
            }
        }
    }
    enter_handler(env, &g, code, new_cpl, &st);
}

static void deliver_long(CPUState *env, const Event *ev)
{
    Gate g = read_gate(env, ev, true);
    Descriptor code = read_gate_code(env, ev, &g, true);
    unsigned cpl = env->hflags & HF_CPL_MASK;
    bool conforming = (code.hi & DESC_C_MASK) != 0;
    unsigned new_cpl = conforming ? cpl : desc_dpl(code);
    bool switch_stack = new_cpl < cpl;

    if (!cpu_is_canonical(env, g.offset)) {
        cpu_raise_exception(env, EXCP_GP, ev->ext);
    }
    uint64_t rsp = env->regs[R_ESP];
    if (g.ist) {
        rsp = tss_read(env, ev->ext, 0x24 + (g.ist - 1) * 8, 8);    /* IST1..IST7 */
    } else if (switch_stack) {
        rsp = cpu_tss_rsp64(env, new_cpl, ev->ext);                 /* RSP0..RSP2 */
    }
    if (!cpu_is_canonical(env, rsp)) {
        cpu_raise_exception(env, EXCP_SS, ev->ext);
    }
    /* the 64-bit frame is always 16-byte aligned and always holds SS:RSP */
    StackCursor st = { .base = 0, .sp = rsp & ~0xfull, .mask = ~0ull, .wide = true,
                       .mmu_idx = stack_mmu_idx(new_cpl) };
    stack_push(env, &st, env->seg[R_SS].selector, 8);
    stack_push(env, &st, env->regs[R_ESP], 8);
    stack_push(env, &st, ev->eflags, 8);
    stack_push(env, &st, env->seg[R_CS].selector, 8);
    stack_push(env, &st, ev->ret_rip, 8);
    if (ev->has_error) {
        stack_push(env, &st, ev->error_code, 8);
    }

    if (switch_stack) {
        /* an inner-privilege entry runs on a null SS whose RPL (and cached DPL) is the CPL */
        env->seg[R_SS] = (SegmentCache){ .selector = (uint16_t)new_cpl,
                                         .flags = new_cpl << DESC_DPL_SHIFT };
    }
    enter_handler(env, &g, code, new_cpl, &st);
}

void cpu_do_interrupt(CPUState *env, int vector, IntrKind kind, bool has_error,
                      uint32_t error_code, uint64_t next_rip)
{
    Event ev = {
        .vector = vector & 0xff,
        .kind = kind,
        .has_error = has_error && kind == INTR_EXCEPTION,
        .error_code = error_code,
        .ret_rip = kind == INTR_SOFTWARE ? next_rip : env->rip,
        .ext = kind == INTR_SOFTWARE ? 0 : 1,
        .eflags = cpu_get_eflags(env) |
                  (kind == INTR_EXCEPTION && vector_is_fault(vector) ? RF_MASK : 0),
    };
    env->halted = false;
    if (!(env->cr[0] & CR0_PE)) {
        deliver_real(env, ev.vector, ev.ret_rip);
    } else if (env->hflags & HF_LMA) {
        deliver_long(env, &ev);
    } else {
        deliver_protected(env, &ev);
    }
}
