/*
 * cpu/decode.h — the x86 decoder: bytes in, one decoded instruction out. A pure function
 * of the bytes and the code size (no CPU state, no memory access), driven by one opcode
 * table; the translators, the disassembly cross-check and the fuzz target all use it.
 */
#ifndef FERRY_DECODE_H
#define FERRY_DECODE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum X86Mnem {
#define M(name) MN_##name,
#include "cpu/insns.def"
#undef M
    NB_MNEMS
} X86Mnem;

/* prefixes seen (after the legacy rules: last segment override wins, 66/67 toggle once) */
#define PFX_LOCK   0x01
#define PFX_REP    0x02   /* F3 */
#define PFX_REPNE  0x04   /* F2 */
#define PFX_OPSIZE 0x08   /* 66 */
#define PFX_ADSIZE 0x10   /* 67 */

typedef enum X86OpKind {
    X86_OPK_NONE,
    X86_OPK_REG,     /* general register: reg 0-15; hibyte for AH CH DH BH */
    X86_OPK_MEM,     /* the instruction's memory operand, described by the ea_* fields */
    X86_OPK_IMM,     /* immediate, already sign- or zero-extended to the operand size as the
                       instruction defines it */
    X86_OPK_REL,     /* branch target: imm = absolute target rip, already truncated to the
                       operand size */
    X86_OPK_FAR,     /* ptr16:16/32 immediate: imm = offset, sel = selector */
    X86_OPK_SEG,     /* segment register: reg = R_ES..R_GS */
    X86_OPK_CR,      /* control register: reg 0-15 */
    X86_OPK_DR,      /* debug register: reg 0-15 */
    X86_OPK_XMM,     /* xmm register (for the SIMD issue) */
    X86_OPK_MMX,     /* mmx register */
} X86OpKind;

typedef struct X86Operand {
    uint8_t kind;   /* X86OpKind */
    uint8_t size;   /* bytes: 1 2 4 8; far pointers in memory 4/6/10; xmm 16 */
    uint8_t reg;
    bool hibyte;
    uint16_t sel;
    uint64_t imm;
} X86Operand;

typedef struct X86Insn {
    uint64_t pc;        /* address of the first byte, as given to x86_decode() */
    uint8_t len;
    uint16_t mnem;      /* X86Mnem */
    uint8_t cond;       /* jcc/setcc/cmovcc: x86 condition 0-15 (O NO B AE E NE BE A S NS
                           P NP L GE LE G); loop/jcxz unused */
    uint8_t opsize;     /* operand size in bytes after prefixes and mode (1 for byte forms) */
    uint8_t addrsize;   /* address size in bytes: 2, 4 or 8 */
    uint8_t prefixes;   /* PFX_* */
    int8_t seg;         /* effective segment of the memory operand: override, or the default
                           (SS for rBP/rSP bases, DS otherwise); -1 if no memory operand */
    bool seg_override;  /* seg came from a prefix */
    uint8_t rex;        /* REX byte, 0 if none */
    uint8_t map;        /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A */
    uint8_t opcode;     /* the opcode byte within its map */
    uint8_t mandatory;  /* SIMD mandatory prefix: 0, 0x66, 0xF3, 0xF2 */
    bool has_modrm;
    uint8_t modrm;
    uint8_t mod, reg, rm;   /* reg and rm extended by REX.R/REX.B */

    /* memory operand: linear = seg base + ((base + index << scale + disp) truncated to
     * addrsize). For RIP-relative addressing, base = index = -1, rip_rel is set, and disp
     * already holds the absolute address (next rip + disp32). */
    int8_t ea_base;     /* register or -1 */
    int8_t ea_index;    /* register or -1 */
    uint8_t ea_scale;   /* log2: 0..3 */
    bool rip_rel;
    int64_t disp;

    uint8_t nops;
    X86Operand op[3];   /* op[0] is the destination for instructions that write one */
    uint64_t imm2;      /* ENTER's nesting level */
} X86Insn;

#define X86_DECODE_NEED_MORE (-1)   /* avail ran out before the instruction ended */
#define X86_DECODE_UD        (-2)   /* invalid or undefined encoding: #UD (len still set to the
                                       bytes examined) */
#define X86_DECODE_TOO_LONG  (-3)   /* more than 15 bytes: #GP(0) */

/* Decode one instruction from buf[0..avail). code_bits is 16, 32 or 64. Returns the length
 * (1..15) or one of the X86_DECODE_* codes. Never reads past buf[avail-1] nor past 15 bytes. */
int x86_decode(const uint8_t *buf, unsigned avail, int code_bits, uint64_t pc, X86Insn *out);

/* The mnemonic as Intel/Capstone spell it for this instance (size-specific for cbw/movs...). */
const char *x86_insn_name(const X86Insn *insn);
const char *x86_mnem_name(X86Mnem m);

#endif
