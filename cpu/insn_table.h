/*
 * cpu/insn_table.h — the opcode table that drives cpu/decode.c (private to the decoder).
 *
 * Each opcode of the one-byte, 0F, 0F38 and 0F3A maps has one InsnDesc: the mnemonic, up to
 * three operand specifications named as in the Intel SDM opcode maps (Eb Ev Gv Ib Iz Jz ...)
 * and flags. An entry may instead point somewhere else to be resolved further: a group
 * (selected by ModRM.reg, and for mod=3 optionally by reg and rm), or a mandatory-prefix
 * selection (none / 66 / F3 / F2), as the SDM's opcode extension tables do.
 */
#ifndef FERRY_INSN_TABLE_H
#define FERRY_INSN_TABLE_H

#include <stdint.h>

#include "cpu/decode.h"

/* Operand specifications (SDM Appendix A naming where one exists) */
typedef enum OpSpec {
    O_NONE,
    O_Eb, O_Ev, O_Ew, O_Ed, O_Ey,   /* ModRM r/m: byte, opsize, word, dword, dword/qword */
    O_Ez,       /* r/m: word with a 16-bit operand size, else dword (MOVSXD) */
    O_Ewv,      /* r/m: a word in memory, opsize in a register (MOV Ev,Sw; SLDT; STR; SMSW) */
    O_Gb, O_Gw, O_Gv, O_Gy,         /* ModRM reg: byte, word, opsize, dword/qword */
    O_Ib,       /* imm8, zero-extended (counts, ports, vectors, byte-sized operations) */
    O_Ibs,      /* imm8, sign-extended to the operand size */
    O_Iw,       /* imm16 */
    O_Iz,       /* imm16 or imm32 (sign-extended to 64 for 64-bit operations) */
    O_Iv,       /* imm16, imm32 or imm64 */
    O_Jb, O_Jz, /* relative branch targets */
    O_Ob, O_Ov, /* moffs: absolute offset of address size */
    O_Sw,       /* segment register in ModRM.reg */
    O_Cd, O_Dd, /* control / debug register in ModRM.reg */
    O_Ry,       /* general register in ModRM.rm, 32-bit (64-bit in long mode) */
    O_Ryw,      /* general register in ModRM.rm, 32-bit (64-bit with REX.W) */
    O_M,        /* memory only, operand size */
    O_Mb,       /* memory only, byte (INVLPG, CLFLUSH, PREFETCH) */
    O_Mp,       /* memory only, far pointer: 16:16, 16:32 or 16:64 */
    O_Ms,       /* memory only, descriptor-table pointer: 6 bytes, 10 in long mode */
    O_Ma,       /* memory only, BOUND pair: twice the operand size */
    O_Mq,       /* memory only, CMPXCHG8B/16B: 8 bytes, 16 with REX.W */
    O_Mx,       /* memory only, INVPCID descriptor: 16 bytes */
    O_Ap,       /* direct far pointer ptr16:16 / ptr16:32 */
    O_Zb, O_Zv, /* register in the low three opcode bits (plus REX.B) */
    O_AL, O_rAX, O_CL, O_DX, O_One,
    O_ES, O_CS, O_SS, O_DS, O_FS, O_GS,
} OpSpec;

/* Flags */
enum {
    F_MODRM    = 1u << 0,   /* a ModRM byte follows the opcode */
    F_GROUP    = 1u << 1,   /* resolve through x86_groups[ext] by ModRM */
    F_PFXSEL   = 1u << 2,   /* resolve through x86_prefix_sel[ext] by mandatory prefix */
    F_INV64    = 1u << 3,   /* #UD in 64-bit mode */
    F_ONLY64   = 1u << 4,   /* #UD outside 64-bit mode */
    F_DEF64    = 1u << 5,   /* 64-bit default operand size in long mode (66 gives 16) */
    F_FORCE64  = 1u << 6,   /* 64-bit operand size in long mode whatever 66 says (Intel) */
    F_NATIVE   = 1u << 7,   /* operand size is 32, or 64 in long mode; 66 and REX.W ignored */
    F_LOCK     = 1u << 8,   /* LOCK allowed when the destination is memory */
    F_MEMONLY  = 1u << 9,   /* mod=3 is #UD */
    F_REGONLY  = 1u << 10,  /* mod!=3 is #UD */
    F_BYTE     = 1u << 11,  /* byte operation: opsize 1 */
    F_COND     = 1u << 12,  /* cond = low four opcode bits */
    F_SIMD     = 1u << 13,  /* SIMD: 66/F2/F3 are mandatory prefixes; ext = allowed set */
    F_STRING   = 1u << 14,  /* implicit DS:rSI / ES:rDI memory (string ops, XLAT) */
    F_MAX32    = 1u << 15,  /* operand size capped at 32 (IN/OUT/INS/OUTS ignore REX.W) */
    F_X87      = 1u << 16,  /* x87 escape: validity from the x87 tables */
    F_NOP90    = 1u << 17,  /* 90: XCHG r8,rAX with REX.B, PAUSE with F3, else NOP */
    F_REGFORM  = 1u << 18,  /* mod is ignored: r/m always names a register (MOV CR/DR) */
};

/* allowed mandatory prefixes of an F_SIMD entry (ext) */
enum { P_NP = 1, P_66 = 2, P_F3 = 4, P_F2 = 8, P_ALL = 15 };

typedef struct InsnDesc {
    uint16_t mnem;      /* X86Mnem */
    uint8_t op[3];      /* OpSpec */
    uint8_t ext;        /* group index, prefix-selection index or SIMD prefix set */
    uint32_t flags;
} InsnDesc;

/* A group: members by ModRM.reg; mod=3 may resolve differently, by reg or by reg and rm */
typedef struct InsnGroup {
    InsnDesc by_reg[8];
    const InsnDesc *mod3_by_reg;    /* 8 entries, or NULL: same as by_reg */
    const InsnDesc *mod3_by_regrm;  /* 64 entries indexed reg*8+rm, or NULL */
} InsnGroup;

/* Mandatory-prefix selection, indexed by PSEL_* */
enum { PSEL_NONE, PSEL_66, PSEL_F3, PSEL_F2 };
typedef struct InsnPrefixSel {
    InsnDesc by_prefix[4];
} InsnPrefixSel;

extern const InsnDesc x86_map_onebyte[256];
extern const InsnDesc x86_map_0f[256];
extern const InsnDesc x86_map_0f38[256];
extern const InsnDesc x86_map_0f3a[256];
extern const InsnDesc x86_movsxd;     /* 63 in 64-bit mode (ARPL elsewhere) */
extern const InsnDesc x86_xchg_r8;    /* 90 with REX.B */
extern const InsnGroup x86_groups[];
extern const unsigned x86_nb_groups;
extern const InsnPrefixSel x86_prefix_sel[];
extern const unsigned x86_nb_prefix_sel;

/* x87: which ModRM forms of escape D8+i are defined (SDM Tables A-7..A-22): memory forms by
 * reg field (bit n = /n), register forms by (reg*8 + rm) */
extern const uint8_t x87_mem_valid[8];
extern const uint64_t x87_reg_valid[8];

#endif
