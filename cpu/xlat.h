/*
 * cpu/xlat.h — inside the x86 front end: the per-block translation context and the
 * building blocks every instruction generator uses. Internal to cpu/ (other parts include
 * only cpu/cpu.h).
 *
 * IR conventions
 *  - Guest state lives in CPUState; generators read and write it with tcg_gen_ld_env /
 *    tcg_gen_st_env at offsetof(CPUState, field). Temps never carry state across
 *    instructions.
 *  - Values handled by the helpers below are I64 temps holding the operand zero-extended
 *    from its size (1, 2, 4 or 8 bytes).
 *  - Precise exceptions: an instruction performs every access that can fault (memory loads
 *    and stores, helpers that raise) before it writes any register, rSP or flags. The pc of
 *    the faulting instruction is recovered from insn_start; cc_op is written to env at
 *    every change (gen_set_cc), so env is exact at every instruction boundary.
 *  - Lazy flags: gen_set_cc() records what the instruction computed; gen_cond() and
 *    gen_get_eflags() read it back. Dead-flag elimination happens later, in tcg/.
 */
#ifndef FERRY_XLAT_H
#define FERRY_XLAT_H

#include <stddef.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "tcg/tcg.h"

/* How the current block ends after this instruction */
typedef enum DisasEnd {
    DISAS_NEXT,         /* keep translating */
    DISAS_JUMPED,       /* the generator emitted the block exit itself */
    DISAS_STOP,         /* end the block after this instruction: rip = next_pc, no chaining
                           (mode changed, interrupts enabled, ...) */
} DisasEnd;

typedef struct DisasContext {
    CPUState *env;          /* for reading code bytes only: never translate on state values
                               other than the block key */
    TranslationBlock *tb;
    const X86Insn *insn;
    uint64_t pc;            /* rip of the current instruction */
    uint64_t next_pc;       /* rip after it */
    uint64_t cs_base;
    uint32_t flags;         /* hflags of the block */
    int code_bits;          /* 16, 32, 64 */
    int cpl;
    int mmu_idx;
    bool ss32;              /* 32-bit stack (SS.B) outside 64-bit mode */
    CCOp cc_op;             /* the lazy flag state as of this point in the block, or
                               CC_OP_DYNAMIC when only env->cc_op knows it */
    DisasEnd end;
    /* memory operand: linear address computed once per instruction (TCG_NOTEMP until then) */
    TCGv ea;
} DisasContext;

/* s->cc_op value meaning "unknown at translation time: read env->cc_op". A block starts
 * with it; a generator whose helper changes env's flag state (cpu_set_eflags...) or that sets
 * flags on only one path of a run-time branch must set s->cc_op = CC_OP_DYNAMIC after. */
#define CC_OP_DYNAMIC ((CCOp)NB_CC_OPS)

/* A generator for one mnemonic. It may assume the decoder's checks (lock, modrm form) held. */
typedef void (*XlatFn)(DisasContext *s, const X86Insn *insn);
typedef struct XlatEntry {
    uint16_t mnem;
    XlatFn fn;
} XlatEntry;
#define XLAT_END { MN_invalid, NULL }

/* Each translator file exports one table; translate.c merges them at start-up. */
extern const XlatEntry xlat_alu_entries[];     /* xlat_alu.c */
extern const XlatEntry xlat_ctrl_entries[];    /* xlat_ctrl.c */
extern const XlatEntry xlat_string_entries[];  /* xlat_string.c */
extern const XlatEntry xlat_misc_entries[];    /* xlat_misc.c */
extern const XlatEntry xlat_sys_entries[];     /* xlat_sys.c */
extern const XlatEntry xlat_sse_entries[];     /* xlat_sse.c */
extern const XlatEntry xlat_x87_entries[];     /* xlat_x87.c */

/* ---------------------------------------------------------------- helpers
 * Every helper has the uniform signature; declare with HELPER and describe with
 * DEF_HELPER_INFO so generators can call it with tcg_gen_call(&helper_info_NAME, ...). */
#define HELPER(name) \
    uint64_t helper_##name(void *env_, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
#define DEF_HELPER_INFO(name, fl) \
    const TCGHelperInfo helper_info_##name = { helper_##name, #name, fl }
#define DECL_HELPER(name) HELPER(name); extern const TCGHelperInfo helper_info_##name

/* ---------------------------------------------------------------- registers and operands */

/* Register value zero-extended from size bytes (hibyte: AH CH DH BH). */
TCGv gen_ld_reg(DisasContext *s, int reg, int size, bool hibyte);
/* Register write with x86's rules: 8/16-bit writes merge, 32-bit writes zero the upper
 * half, 64-bit writes replace. */
void gen_st_reg(DisasContext *s, int reg, int size, bool hibyte, TCGv v);

/* Effective address offset of the memory operand (no segment base), truncated to addrsize. */
TCGv gen_ea_offset(DisasContext *s);
/* Linear address of offset in segment seg: adds the base (except CS/DS/ES/SS in 64-bit
 * code), truncates outside 64-bit code, and checks the 0xFFFF limit for 16-bit segments in
 * real and V86 mode (#SS for SS, #GP otherwise). size is the access size. */
TCGv gen_linear(DisasContext *s, TCGv offset, int seg, int size);
/* Linear address of the instruction's memory operand (cached in s->ea). */
TCGv gen_ea_linear(DisasContext *s, int size);

TCGv gen_ld_mem(DisasContext *s, TCGv linear, int size);              /* zero-extended */
void gen_st_mem(DisasContext *s, TCGv linear, int size, TCGv v);

/* Operand access: register, memory operand, immediate, segment register. */
TCGv gen_ld_op(DisasContext *s, const X86Operand *op);
void gen_st_op(DisasContext *s, const X86Operand *op, TCGv v);

/* Sign/zero extension of a value of size bytes to 64 bits */
TCGv gen_sext(DisasContext *s, TCGv v, int size);
TCGv gen_zext(DisasContext *s, TCGv v, int size);

/* ---------------------------------------------------------------- stack */

int stack_size(const DisasContext *s);          /* 2, 4 or 8 bytes of rSP in use */
/* Push: store first, then update rSP (precise). size is the pushed width. */
void gen_push(DisasContext *s, TCGv v, int size);
/* Pop in two steps so a destination that faults leaves rSP intact:
 * v = gen_pop_peek(s, size); ...store v...; gen_pop_commit(s, size); */
TCGv gen_pop_peek(DisasContext *s, int size);
void gen_pop_commit(DisasContext *s, int size);

/* ---------------------------------------------------------------- flags */

/* Record the lazy flag state after an operation (src/src2 may be TCG_NOTEMP). Writes the
 * cc fields and, if changed, cc_op to env. */
void gen_set_cc(DisasContext *s, CCOp op, TCGv dst, TCGv src, TCGv src2);
/* Materialise the arithmetic flags: afterwards cc_op = CC_OP_EFLAGS and the returned I64
 * temp holds the CC_MASK bits. */
TCGv gen_compute_eflags(DisasContext *s);
TCGv gen_get_cf(DisasContext *s);               /* 0/1 */
/* Full architectural EFLAGS (for PUSHF, interrupts) as an I64 temp. */
TCGv gen_get_eflags(DisasContext *s);
/* x86 condition 0-15 as 0/1 in an I64 temp; inline for the common lazy states. */
TCGv gen_cond(DisasContext *s, int cond);
/* Branch to l when condition cond holds. */
void gen_jcc_label(DisasContext *s, int cond, TCGLabel l);
/* CCOp of an operation at operand size (op is the B variant: CC_OP_ADDB...) */
static inline CCOp cc_op_sized(CCOp op_b, int size)
{
    return (CCOp)(op_b + (size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3));
}

/* ---------------------------------------------------------------- block exits */

/* Jump to a known rip: stores it and exits through chaining slot (0 or 1). */
void gen_jmp_direct(DisasContext *s, uint64_t rip, int slot);
/* Jump to a computed rip (I64 temp): stores it and exits through the lookup. */
void gen_jmp_indirect(DisasContext *s, TCGv rip);
/* Raise an exception at the current instruction (for #UD, #GP(0)...). Ends the block. */
void gen_exception(DisasContext *s, int vector, uint32_t error_code);
/* Store the current instruction's next rip to env (before helpers that need it). */
void gen_update_rip(DisasContext *s, uint64_t rip);

#endif
