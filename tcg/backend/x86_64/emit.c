/*
 * tcg/backend/x86_64/emit.c — see emit.h. Encodings from the Intel SDM vol. 2, chapter 2
 * (REX, ModRM, SIB) and the instruction pages.
 */
#include "tcg/backend/x86_64/emit.h"

#include <string.h>

void x86_u64(X86Emit *e, uint64_t v)
{
    x86_u32(e, (uint32_t)v);
    x86_u32(e, (uint32_t)(v >> 32));
}

static bool fits_i8(int64_t v) { return v >= -128 && v <= 127; }

/* Legacy prefixes, then REX (when any bit is needed, or to reach SPL..DIL as bytes), then
 * the opcode. r/x/b are the registers whose high bit goes to REX.R/X/B. */
static void prefix_and_opcode(X86Emit *e, unsigned opc, bool w, int r, int x, int b, bool byte_regs_low)
{
    if (opc & OPC_66)
        x86_byte(e, 0x66);
    if (opc & OPC_F3)
        x86_byte(e, 0xf3);
    uint8_t rex = (uint8_t)((w ? 8 : 0) | (r > 7 ? 4 : 0) | (x > 7 ? 2 : 0) | (b > 7 ? 1 : 0));
    if (rex || byte_regs_low)
        x86_byte(e, 0x40 | rex);
    if (opc & OPC_0F)
        x86_byte(e, 0x0f);
    x86_byte(e, (uint8_t)opc);
}

static bool needs_byte_rex(unsigned opc, int reg)
{
    return (opc & OPC_BYTEREG) && reg >= RSP && reg <= RDI;
}

void x86_rm(X86Emit *e, unsigned opc, bool w, int reg, X86Mem m)
{
    prefix_and_opcode(e, opc, w, reg, m.index == NO_REG ? 0 : m.index, m.base, needs_byte_rex(opc, reg));
    /* [rbp]/[r13] without displacement is not encodable (that ModRM means disp32 or RIP). */
    int mod = (m.disp == 0 && (m.base & 7) != RBP) ? 0 : fits_i8(m.disp) ? 1 : 2;
    bool sib = m.index != NO_REG || (m.base & 7) == RSP;
    x86_byte(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | (sib ? 4 : (m.base & 7))));
    if (sib) {
        int scale_bits = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
        int index = m.index == NO_REG ? RSP : m.index;     /* index field 100: none */
        x86_byte(e, (uint8_t)(scale_bits << 6 | (index & 7) << 3 | (m.base & 7)));
    }
    if (mod == 1)
        x86_byte(e, (uint8_t)m.disp);
    else if (mod == 2)
        x86_u32(e, (uint32_t)m.disp);
}

void x86_rr(X86Emit *e, unsigned opc, bool w, int reg, int rm)
{
    prefix_and_opcode(e, opc, w, reg, 0, rm, needs_byte_rex(opc, reg) || needs_byte_rex(opc, rm));
    x86_byte(e, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

void x86_mov_imm(X86Emit *e, int reg, uint64_t imm)
{
    if (imm <= 0xffffffffu) {                   /* mov r32, imm32 zero-extends */
        prefix_and_opcode(e, 0xb8 + (reg & 7), false, 0, 0, reg, false);
        x86_u32(e, (uint32_t)imm);
    } else if ((int64_t)imm == (int32_t)imm) {  /* mov r/m64, imm32 sign-extends */
        x86_rr(e, 0xc7, true, 0, reg);
        x86_u32(e, (uint32_t)imm);
    } else {
        prefix_and_opcode(e, 0xb8 + (reg & 7), true, 0, 0, reg, false);
        x86_u64(e, imm);
    }
}

void x86_alu_imm(X86Emit *e, int digit, bool w, int reg, int32_t imm)
{
    if (fits_i8(imm)) {
        x86_rr(e, 0x83, w, digit, reg);
        x86_byte(e, (uint8_t)imm);
    } else {
        x86_rr(e, 0x81, w, digit, reg);
        x86_u32(e, (uint32_t)imm);
    }
}

void x86_shift_imm(X86Emit *e, int digit, bool w, int reg, uint8_t count)
{
    x86_rr(e, 0xc1, w, digit, reg);
    x86_byte(e, count);
}

void x86_push(X86Emit *e, int reg)
{
    prefix_and_opcode(e, 0x50 + (reg & 7), false, 0, 0, reg, false);
}

void x86_pop(X86Emit *e, int reg)
{
    prefix_and_opcode(e, 0x58 + (reg & 7), false, 0, 0, reg, false);
}

void x86_bswap(X86Emit *e, bool w, int reg)
{
    prefix_and_opcode(e, OPC_0F | (0xc8 + (reg & 7)), w, 0, 0, reg, false);
}

void x86_call_reg(X86Emit *e, int reg)
{
    x86_rr(e, 0xff, false, 2, reg);
}

void x86_ret(X86Emit *e) { x86_byte(e, 0xc3); }

void x86_ud2(X86Emit *e)
{
    x86_byte(e, 0x0f);
    x86_byte(e, 0x0b);
}

void x86_nops(X86Emit *e, unsigned n)
{
    while (n--)
        x86_byte(e, 0x90);
}

size_t x86_jmp32(X86Emit *e, uintptr_t target)
{
    x86_byte(e, 0xe9);
    size_t at = e->pos;
    x86_u32(e, 0);
    if (target)
        x86_patch_rel32(e, at, target);
    return at;
}

size_t x86_jcc32(X86Emit *e, int cc, uintptr_t target)
{
    x86_byte(e, 0x0f);
    x86_byte(e, (uint8_t)(0x80 | cc));
    size_t at = e->pos;
    x86_u32(e, 0);
    if (target)
        x86_patch_rel32(e, at, target);
    return at;
}

/* Buffers are far smaller than 2 GiB, so every displacement inside one fits. */
void x86_patch_rel32(X86Emit *e, size_t disp_pos, uintptr_t target)
{
    if (disp_pos + 4 > e->cap)
        return;                                 /* overflowed: the block is discarded */
    int32_t rel = (int32_t)(int64_t)(target - (e->rx + disp_pos + 4));
    memcpy(e->rw + disp_pos, &rel, 4);
}
