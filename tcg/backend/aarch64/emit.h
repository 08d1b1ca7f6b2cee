/*
 * tcg/backend/aarch64/emit.h — a small AArch64 (A64) instruction encoder.
 *
 * Every A64 instruction is one 32-bit word. The encoder knows the instruction classes the
 * code generator uses (data processing on registers and immediates, bitfield moves,
 * conditional selects, loads and stores with scaled, register and literal addressing,
 * branches); the base opcode of each instruction is a named constant in emit.c's table and
 * the functions here fill in the operand fields.
 *
 * Words go to a writable staging area; branch displacements are computed from positions in
 * it, so the code can be copied anywhere as a whole (all branches inside it are relative).
 */
#ifndef FERRY_TCG_AARCH64_EMIT_H
#define FERRY_TCG_AARCH64_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register numbers. 31 is XZR or SP depending on the instruction (the encoder's callers
 * name it A64_ZR or A64_SP to say which they mean). */
enum {
    X0, X1, X2, X3, X4, X5, X6, X7, X8, X9, X10, X11, X12, X13, X14, X15,
    X16, X17, X18, X19, X20, X21, X22, X23, X24, X25, X26, X27, X28, X29, X30,
    A64_ZR = 31, A64_SP = 31,
};

/* Condition codes (the low bit inverts a condition). */
enum A64Cond {
    A64_EQ = 0, A64_NE, A64_HS, A64_LO, A64_MI, A64_PL, A64_VS, A64_VC,
    A64_HI, A64_LS, A64_GE, A64_LT, A64_GT, A64_LE, A64_AL,
};

/* Instructions, named as the architecture does; the encoding of each is in emit.c. */
typedef enum A64Insn {
    /* three registers, optional shift of the second source: Rd = Rn op (Rm shift #amount) */
    I_ADD, I_ADDS, I_SUB, I_SUBS, I_AND, I_ANDS, I_BIC, I_ORR, I_ORN, I_EOR,
    /* three registers */
    I_LSLV, I_LSRV, I_ASRV, I_RORV, I_UMULH, I_SMULH,
    /* four registers: Rd = Ra + Rn * Rm (the long forms take W sources) */
    I_MADD, I_UMADDL, I_SMADDL,
    /* two registers */
    I_CLZ, I_RBIT, I_REV32W, I_REV64,
    /* add/sub with a 12-bit immediate, optionally shifted by 12 */
    I_ADDI, I_ADDSI, I_SUBI, I_SUBSI,
    /* logical with a bitmask immediate */
    I_ANDI, I_ORRI, I_EORI, I_ANDSI,
    /* bitfield moves and extract */
    I_SBFM, I_UBFM, I_EXTR,
    /* conditional select */
    I_CSEL, I_CSINC,
    /* move wide */
    I_MOVZ, I_MOVN, I_MOVK,
    /* SIMD pieces of the population count */
    I_FMOV_DX, I_CNT8B, I_ADDV8B, I_FMOV_WS,
    NB_A64_INSNS
} A64Insn;

/* Loads and stores: the unsigned scaled offset form's base word; emit.c derives the
 * register-offset form from it. Size in bits 30-31, opc in 22-23. */
enum A64LdSt {
    LS_STRB = 0x39000000u, LS_LDRB = 0x39400000u, LS_LDRSBX = 0x39800000u, LS_LDRSBW = 0x39c00000u,
    LS_STRH = 0x79000000u, LS_LDRH = 0x79400000u, LS_LDRSHX = 0x79800000u, LS_LDRSHW = 0x79c00000u,
    LS_STRW = 0xb9000000u, LS_LDRW = 0xb9400000u, LS_LDRSW = 0xb9800000u,
    LS_STRX = 0xf9000000u, LS_LDRX = 0xf9400000u,
};

typedef struct A64Emit {
    uint32_t *buf;          /* where words are written */
    size_t pos, cap;        /* in words */
    bool overflow;          /* ran out of room: words after cap were dropped */
} A64Emit;

static inline void a64_word(A64Emit *e, uint32_t w)
{
    if (e->pos < e->cap)
        e->buf[e->pos] = w;
    else
        e->overflow = true;
    e->pos++;
}

/* Shift kinds of the shifted-register forms. */
enum { SH_LSL = 0, SH_LSR = 1, SH_ASR = 2 };

void a64_rrr(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm);
void a64_rrr_shift(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm, int shift, unsigned amount);
void a64_rrrr(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm, int ra);
void a64_rr(A64Emit *e, A64Insn op, bool w64, int rd, int rn);
/* imm12 (0..4095), optionally shifted left by 12 */
void a64_addsub_imm(A64Emit *e, A64Insn op, bool w64, int rd, int rn, uint32_t imm12, bool lsl12);
/* Whether value is a valid bitmask immediate for a 32/64-bit logical op; the encoding. */
bool a64_logic_imm_encode(uint64_t value, bool w64, uint32_t *nrs);
void a64_logic_imm(A64Emit *e, A64Insn op, bool w64, int rd, int rn, uint32_t nrs);
void a64_bitfield(A64Emit *e, A64Insn op, bool w64, int rd, int rn, unsigned immr, unsigned imms);
void a64_extr(A64Emit *e, bool w64, int rd, int rn, int rm, unsigned lsb);
void a64_csel(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm, enum A64Cond c);
void a64_movw(A64Emit *e, A64Insn op, bool w64, int rd, uint16_t imm16, unsigned hw);
/* Shortest sequence for a 64-bit (or, !w64, 32-bit) constant. */
void a64_mov_imm(A64Emit *e, int rd, uint64_t value);
static inline void a64_mov(A64Emit *e, bool w64, int rd, int rm) { a64_rrr(e, I_ORR, w64, rd, A64_ZR, rm); }
/* mov to or from sp */
static inline void a64_mov_sp(A64Emit *e, int rd, int rn) { a64_addsub_imm(e, I_ADDI, true, rd, rn, 0, false); }

/* [rn + uimm], uimm a multiple of the access size up to 4095 times it; false if it is not */
bool a64_ldst_imm(A64Emit *e, enum A64LdSt op, int rt, int rn, uint64_t offset);
/* [rn + rm] */
void a64_ldst_reg(A64Emit *e, enum A64LdSt op, int rt, int rn, int rm);
/* ldr xt, =literal at a word offset (negative: before this instruction) */
void a64_ldr_literal(A64Emit *e, int rt, int32_t word_offset);
/* stp/ldp of x registers, pre-indexed (stp) or post-indexed (ldp) or plain offset */
void a64_stp_pre(A64Emit *e, int rt, int rt2, int rn, int32_t offset);
void a64_ldp_post(A64Emit *e, int rt, int rt2, int rn, int32_t offset);
void a64_stp(A64Emit *e, int rt, int rt2, int rn, int32_t offset);
void a64_ldp(A64Emit *e, int rt, int rt2, int rn, int32_t offset);

/* Branches. Those with a target take it as a word position in the same emitter, or
 * A64_UNRESOLVED to be patched with a64_patch_branch once the target is known. */
#define A64_UNRESOLVED SIZE_MAX
size_t a64_b(A64Emit *e, size_t target);
size_t a64_bl(A64Emit *e, size_t target);
size_t a64_bcond(A64Emit *e, enum A64Cond c, size_t target);
size_t a64_cbz(A64Emit *e, bool w64, bool nonzero, int rt, size_t target);
void a64_br(A64Emit *e, int rn);
void a64_blr(A64Emit *e, int rn);
void a64_ret(A64Emit *e);
void a64_brk(A64Emit *e, uint16_t imm);
/* Point the branch at word position at to target; false if out of the branch's range. */
bool a64_patch_branch(uint32_t *buf, size_t at, size_t target);
/* The B instruction from at to target (±128 MiB), for chaining; false if out of range. */
bool a64_b_word(intptr_t from_byte, intptr_t to_byte, uint32_t *word);

#endif
