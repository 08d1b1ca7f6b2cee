/*
 * tcg/backend/aarch64/emit.c — the A64 encoder: one table of base encodings, and the
 * functions that place operand fields into them (Arm ARM, chapter C4 "A64 instruction set
 * encoding").
 */
#include "tcg/backend/aarch64/emit.h"

/* How an instruction's width is chosen: sf (bit 31) for 64-bit; bitfield moves also set N
 * (bit 22); some instructions exist in one width only. */
enum Width { W_SF, W_SF_N, W_FIXED };

static const struct {
    uint32_t base;
    uint8_t width;
} insn_table[NB_A64_INSNS] = {
    [I_ADD] = { 0x0b000000, W_SF },   [I_ADDS] = { 0x2b000000, W_SF },
    [I_SUB] = { 0x4b000000, W_SF },   [I_SUBS] = { 0x6b000000, W_SF },
    [I_AND] = { 0x0a000000, W_SF },   [I_ANDS] = { 0x6a000000, W_SF },
    [I_BIC] = { 0x0a200000, W_SF },   [I_ORR] = { 0x2a000000, W_SF },
    [I_ORN] = { 0x2a200000, W_SF },   [I_EOR] = { 0x4a000000, W_SF },
    [I_LSLV] = { 0x1ac02000, W_SF },  [I_LSRV] = { 0x1ac02400, W_SF },
    [I_ASRV] = { 0x1ac02800, W_SF },  [I_RORV] = { 0x1ac02c00, W_SF },
    [I_UMULH] = { 0x9bc07c00, W_FIXED }, [I_SMULH] = { 0x9b407c00, W_FIXED },
    [I_MADD] = { 0x1b000000, W_SF },
    [I_UMADDL] = { 0x9ba00000, W_FIXED }, [I_SMADDL] = { 0x9b200000, W_FIXED },
    [I_CLZ] = { 0x5ac01000, W_SF },   [I_RBIT] = { 0x5ac00000, W_SF },
    [I_REV32W] = { 0x5ac00800, W_FIXED }, [I_REV64] = { 0xdac00c00, W_FIXED },
    [I_ADDI] = { 0x11000000, W_SF },  [I_ADDSI] = { 0x31000000, W_SF },
    [I_SUBI] = { 0x51000000, W_SF },  [I_SUBSI] = { 0x71000000, W_SF },
    [I_ANDI] = { 0x12000000, W_SF },  [I_ORRI] = { 0x32000000, W_SF },
    [I_EORI] = { 0x52000000, W_SF },  [I_ANDSI] = { 0x72000000, W_SF },
    [I_SBFM] = { 0x13000000, W_SF_N }, [I_UBFM] = { 0x53000000, W_SF_N },
    [I_EXTR] = { 0x13800000, W_SF_N },
    [I_CSEL] = { 0x1a800000, W_SF },  [I_CSINC] = { 0x1a800400, W_SF },
    [I_MOVZ] = { 0x52800000, W_SF },  [I_MOVN] = { 0x12800000, W_SF },
    [I_MOVK] = { 0x72800000, W_SF },
    [I_FMOV_DX] = { 0x9e670000, W_FIXED }, [I_CNT8B] = { 0x0e205800, W_FIXED },
    [I_ADDV8B] = { 0x0e31b800, W_FIXED },  [I_FMOV_WS] = { 0x1e260000, W_FIXED },
};

static uint32_t base(A64Insn op, bool w64)
{
    uint32_t w = insn_table[op].base;
    if (w64 && insn_table[op].width != W_FIXED)
        w |= 1u << 31;
    if (w64 && insn_table[op].width == W_SF_N)
        w |= 1u << 22;
    return w;
}

static uint32_t reg(int r, unsigned at)
{
    return ((uint32_t)r & 31) << at;
}

void a64_rrr_shift(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm, int shift, unsigned amount)
{
    a64_word(e, base(op, w64) | (uint32_t)shift << 22 | reg(rm, 16) | (amount & 63) << 10 | reg(rn, 5) | reg(rd, 0));
}

void a64_rrr(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm)
{
    a64_rrr_shift(e, op, w64, rd, rn, rm, SH_LSL, 0);
}

void a64_rrrr(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm, int ra)
{
    a64_word(e, base(op, w64) | reg(rm, 16) | reg(ra, 10) | reg(rn, 5) | reg(rd, 0));
}

void a64_rr(A64Emit *e, A64Insn op, bool w64, int rd, int rn)
{
    a64_word(e, base(op, w64) | reg(rn, 5) | reg(rd, 0));
}

void a64_addsub_imm(A64Emit *e, A64Insn op, bool w64, int rd, int rn, uint32_t imm12, bool lsl12)
{
    a64_word(e, base(op, w64) | (lsl12 ? 1u << 22 : 0) | (imm12 & 0xfff) << 10 | reg(rn, 5) | reg(rd, 0));
}

/* A bitmask immediate is a run of ones, rotated, inside an element of 2, 4, ... 64 bits
 * that repeats across the register. Find the smallest element size that repeats, then the
 * rotation that turns the element into a run starting at bit 0. */
bool a64_logic_imm_encode(uint64_t value, bool w64, uint32_t *nrs)
{
    if (!w64)
        value = (value & 0xffffffffull) | value << 32;
    if (value == 0 || value == ~0ull)
        return false;
    unsigned size = 64;
    while (size > 2) {
        unsigned half = size / 2;
        uint64_t mask = (1ull << half) - 1;
        if ((value & mask) != ((value >> half) & mask))
            break;
        size = half;
    }
    const uint64_t emask = size == 64 ? ~0ull : (1ull << size) - 1;
    const uint64_t elem = value & emask;
    const unsigned ones = (unsigned)__builtin_popcountll(elem);
    const uint64_t run = (1ull << ones) - 1;      /* ones < size <= 64 */
    for (unsigned r = 0; r < size; r++) {
        /* rotating elem left by r gives the run: the element is the run rotated right by r */
        uint64_t rot = r ? ((elem << r) | (elem >> (size - r))) & emask : elem;
        if (rot == run) {
            uint32_t n = size == 64;
            uint32_t imms = ((~(size - 1) << 1) | (ones - 1)) & 0x3f;
            if (!w64 && n)
                return false;
            *nrs = n << 12 | r << 6 | imms;
            return true;
        }
    }
    return false;
}

void a64_logic_imm(A64Emit *e, A64Insn op, bool w64, int rd, int rn, uint32_t nrs)
{
    a64_word(e, base(op, w64) | nrs << 10 | reg(rn, 5) | reg(rd, 0));
}

void a64_bitfield(A64Emit *e, A64Insn op, bool w64, int rd, int rn, unsigned immr, unsigned imms)
{
    a64_word(e, base(op, w64) | (immr & 63) << 16 | (imms & 63) << 10 | reg(rn, 5) | reg(rd, 0));
}

void a64_extr(A64Emit *e, bool w64, int rd, int rn, int rm, unsigned lsb)
{
    a64_word(e, base(I_EXTR, w64) | reg(rm, 16) | (lsb & 63) << 10 | reg(rn, 5) | reg(rd, 0));
}

void a64_csel(A64Emit *e, A64Insn op, bool w64, int rd, int rn, int rm, enum A64Cond c)
{
    a64_word(e, base(op, w64) | reg(rm, 16) | (uint32_t)c << 12 | reg(rn, 5) | reg(rd, 0));
}

void a64_movw(A64Emit *e, A64Insn op, bool w64, int rd, uint16_t imm16, unsigned hw)
{
    a64_word(e, base(op, w64) | (hw & 3) << 21 | (uint32_t)imm16 << 5 | reg(rd, 0));
}

/* MOVZ (or MOVN when more halfwords are all ones) for the first halfword that differs from
 * the background, MOVK for the others; a single ORR when the value is a bitmask immediate
 * and would otherwise take more. 32-bit values use the W forms, which zero the top half. */
void a64_mov_imm(A64Emit *e, int rd, uint64_t value)
{
    const bool w64 = value >> 32 != 0;
    const unsigned nhw = w64 ? 4 : 2;
    unsigned zeros = 0, ones = 0;
    for (unsigned i = 0; i < nhw; i++) {
        uint16_t h = (uint16_t)(value >> (16 * i));
        zeros += h == 0;
        ones += h == 0xffff;
    }
    const bool inverted = ones > zeros;
    const uint16_t background = inverted ? 0xffff : 0;
    const unsigned needed = nhw - (inverted ? ones : zeros);
    uint32_t nrs;
    if (needed > 1 && a64_logic_imm_encode(value, w64, &nrs)) {
        a64_logic_imm(e, I_ORRI, w64, rd, A64_ZR, nrs);
        return;
    }
    if (needed == 0) {                          /* all zeros or all ones */
        a64_movw(e, inverted ? I_MOVN : I_MOVZ, w64, rd, 0, 0);
        return;
    }
    bool first = true;
    for (unsigned i = 0; i < nhw; i++) {
        uint16_t h = (uint16_t)(value >> (16 * i));
        if (h == background)
            continue;
        if (first)
            a64_movw(e, inverted ? I_MOVN : I_MOVZ, w64, rd, inverted ? (uint16_t)~h : h, i);
        else
            a64_movw(e, I_MOVK, w64, rd, h, i);
        first = false;
    }
}

bool a64_ldst_imm(A64Emit *e, enum A64LdSt op, int rt, int rn, uint64_t offset)
{
    const unsigned size = (uint32_t)op >> 30;
    if (offset & ((1u << size) - 1) || (offset >> size) > 0xfff)
        return false;
    a64_word(e, (uint32_t)op | (uint32_t)(offset >> size) << 10 | reg(rn, 5) | reg(rt, 0));
    return true;
}

void a64_ldst_reg(A64Emit *e, enum A64LdSt op, int rt, int rn, int rm)
{
    a64_word(e, ((uint32_t)op & ~0x01000000u) | 0x00206800u | reg(rm, 16) | reg(rn, 5) | reg(rt, 0));
}

void a64_ldr_literal(A64Emit *e, int rt, int32_t word_offset)
{
    a64_word(e, 0x58000000u | ((uint32_t)word_offset & 0x7ffff) << 5 | reg(rt, 0));
}

static void ldst_pair(A64Emit *e, uint32_t opc, int rt, int rt2, int rn, int32_t offset)
{
    a64_word(e, opc | ((uint32_t)(offset / 8) & 0x7f) << 15 | reg(rt2, 10) | reg(rn, 5) | reg(rt, 0));
}

void a64_stp_pre(A64Emit *e, int rt, int rt2, int rn, int32_t offset) { ldst_pair(e, 0xa9800000u, rt, rt2, rn, offset); }
void a64_ldp_post(A64Emit *e, int rt, int rt2, int rn, int32_t offset) { ldst_pair(e, 0xa8c00000u, rt, rt2, rn, offset); }
void a64_stp(A64Emit *e, int rt, int rt2, int rn, int32_t offset) { ldst_pair(e, 0xa9000000u, rt, rt2, rn, offset); }
void a64_ldp(A64Emit *e, int rt, int rt2, int rn, int32_t offset) { ldst_pair(e, 0xa9400000u, rt, rt2, rn, offset); }

/* ---------------------------------------------------------------- branches */

static size_t branch(A64Emit *e, uint32_t word, size_t target)
{
    size_t at = e->pos;
    a64_word(e, word);
    if (target != A64_UNRESOLVED && !e->overflow && !a64_patch_branch(e->buf, at, target))
        e->overflow = true;         /* cannot happen inside one block's code: treat as full */
    return at;
}

size_t a64_b(A64Emit *e, size_t target) { return branch(e, 0x14000000u, target); }
size_t a64_bl(A64Emit *e, size_t target) { return branch(e, 0x94000000u, target); }
size_t a64_bcond(A64Emit *e, enum A64Cond c, size_t target) { return branch(e, 0x54000000u | (uint32_t)c, target); }

size_t a64_cbz(A64Emit *e, bool w64, bool nonzero, int rt, size_t target)
{
    return branch(e, (nonzero ? 0x35000000u : 0x34000000u) | (w64 ? 1u << 31 : 0) | reg(rt, 0), target);
}

void a64_br(A64Emit *e, int rn) { a64_word(e, 0xd61f0000u | reg(rn, 5)); }
void a64_blr(A64Emit *e, int rn) { a64_word(e, 0xd63f0000u | reg(rn, 5)); }
void a64_ret(A64Emit *e) { a64_word(e, 0xd65f03c0u); }
void a64_brk(A64Emit *e, uint16_t imm) { a64_word(e, 0xd4200000u | (uint32_t)imm << 5); }

bool a64_patch_branch(uint32_t *buf, size_t at, size_t target)
{
    const int64_t disp = (int64_t)target - (int64_t)at;      /* in words */
    uint32_t w = buf[at];
    if ((w & 0x7c000000u) == 0x14000000u) {                   /* B, BL: imm26 */
        if (disp < -(1 << 25) || disp >= (1 << 25))
            return false;
        buf[at] = (w & 0xfc000000u) | ((uint32_t)disp & 0x3ffffff);
        return true;
    }
    if ((w & 0xff000010u) == 0x54000000u || (w & 0x7e000000u) == 0x34000000u) {   /* B.cond, CBZ/CBNZ: imm19 */
        if (disp < -(1 << 18) || disp >= (1 << 18))
            return false;
        buf[at] = (w & 0xff00001fu) | ((uint32_t)disp & 0x7ffff) << 5;
        return true;
    }
    return false;
}

bool a64_b_word(intptr_t from_byte, intptr_t to_byte, uint32_t *word)
{
    const intptr_t disp = (to_byte - from_byte) / 4;
    if (disp < -(1 << 25) || disp >= (1 << 25))
        return false;
    *word = 0x14000000u | ((uint32_t)disp & 0x3ffffff);
    return true;
}
