/*
 * tcg/backend/x86_64/emit.h — a small x86-64 instruction encoder: legacy prefixes, REX,
 * ModRM, SIB, displacement and immediates, for the few instruction shapes the code
 * generator uses (register-register, register-memory, immediate, branches).
 *
 * Bytes go to a writable view of the code buffer; addresses used for relative branches are
 * those of the executable view (the two differ when the host refuses RWX mappings).
 */
#ifndef FERRY_TCG_X86_64_EMIT_H
#define FERRY_TCG_X86_64_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum X86Reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    NO_REG = -1,
};

/* Condition codes as the low nibble of Jcc/SETcc/CMOVcc. */
enum X86Cond {
    CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6, CC_A = 0x7,
    CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf,
};

/* Opcode words: the opcode byte(s) in the low bits plus prefix flags. */
#define OPC_0F      0x100       /* two-byte opcode 0F xx */
#define OPC_66      0x200       /* operand-size prefix (16-bit operand) */
#define OPC_F3      0x400       /* REP prefix, part of popcnt */
#define OPC_BYTEREG 0x800       /* 8-bit register operand: SPL..DIL need a REX */

/* A memory operand [base + index*scale + disp]; index NO_REG for none. */
typedef struct X86Mem {
    int base, index, scale;
    int32_t disp;
} X86Mem;

static inline X86Mem x86_mem(int base, int32_t disp) { return (X86Mem){ base, NO_REG, 1, disp }; }
static inline X86Mem x86_mem_idx(int base, int index, int32_t disp) { return (X86Mem){ base, index, 1, disp }; }

typedef struct X86Emit {
    uint8_t *rw;            /* where bytes are written */
    uintptr_t rx;           /* where the same bytes execute */
    size_t pos, cap;
    bool overflow;          /* ran out of room: bytes after cap were dropped */
} X86Emit;

/* Inline: every instruction byte goes through these, and compile time is what guests that
 * rewrite their code pay for. */
static inline void x86_byte(X86Emit *e, uint8_t b)
{
    if (e->pos < e->cap)
        e->rw[e->pos] = b;
    else
        e->overflow = true;
    e->pos++;
}

static inline void x86_u32(X86Emit *e, uint32_t v)
{
    if (e->pos + 4 <= e->cap) {
        for (int i = 0; i < 4; i++)
            e->rw[e->pos + i] = (uint8_t)(v >> (8 * i));
    } else {
        e->overflow = true;
    }
    e->pos += 4;
}
void x86_u64(X86Emit *e, uint64_t v);
static inline uintptr_t x86_here(const X86Emit *e) { return e->rx + e->pos; }

/* op reg, r/m (or r/m, reg, as the opcode defines). w: REX.W. */
void x86_rm(X86Emit *e, unsigned opc, bool w, int reg, X86Mem m);
void x86_rr(X86Emit *e, unsigned opc, bool w, int reg, int rm);
/* Group opcodes whose ModRM.reg is an extension digit (F7 /3, C1 /4 ...). */
static inline void x86_grp_r(X86Emit *e, unsigned opc, bool w, int digit, int rm) { x86_rr(e, opc, w, digit, rm); }
static inline void x86_grp_m(X86Emit *e, unsigned opc, bool w, int digit, X86Mem m) { x86_rm(e, opc, w, digit, m); }

/* Short forms. */
void x86_mov_imm(X86Emit *e, int reg, uint64_t imm);          /* shortest exact encoding */
void x86_alu_imm(X86Emit *e, int digit, bool w, int reg, int32_t imm);  /* 81/83 /digit */
void x86_shift_imm(X86Emit *e, int digit, bool w, int reg, uint8_t count);
void x86_push(X86Emit *e, int reg);
void x86_pop(X86Emit *e, int reg);
void x86_bswap(X86Emit *e, bool w, int reg);
void x86_call_reg(X86Emit *e, int reg);
void x86_ret(X86Emit *e);
void x86_ud2(X86Emit *e);
void x86_nops(X86Emit *e, unsigned n);

/* Branches with a 32-bit displacement. They return the offset of the displacement (for
 * x86_patch_rel32) and take a target address in the executable view, or 0 to patch later. */
size_t x86_jmp32(X86Emit *e, uintptr_t target);
size_t x86_jcc32(X86Emit *e, int cc, uintptr_t target);
void x86_patch_rel32(X86Emit *e, size_t disp_pos, uintptr_t target);

/* ALU digit for 81/83 and the reg-form opcodes (x86 order: add or adc sbb and sub xor cmp). */
enum { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };
/* Shift-group digit for C1/D3. */
enum { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

#endif
