/*
 * cpu/insn_table.c — the x86 opcode maps as data (Intel SDM Vol. 2, Appendix A).
 *
 * Entries not listed are zero: MN_invalid, which the decoder reports as #UD. Prefix bytes
 * (26 2E 36 3E 64-67 F0 F2 F3, REX) and the 0F/0F38/0F3A escapes are consumed by the
 * decoder before it looks here, so their slots stay empty.
 */
#include "cpu/insn_table.h"

#define E(mn, a, b, c, fl)  { MN_##mn, { O_##a, O_##b, O_##c }, 0, (fl) }
#define GRP(g, fl)          { MN_invalid, { O_NONE, O_NONE, O_NONE }, (g), F_GROUP | F_MODRM | (fl) }
#define PSEL(s, fl)         { MN_invalid, { O_NONE, O_NONE, O_NONE }, (s), F_PFXSEL | (fl) }
#define SSE(pfx, fl)        { MN_mmx_sse, { O_NONE, O_NONE, O_NONE }, (pfx), F_SIMD | F_MODRM | (fl) }
#define SSEI(pfx, fl)       { MN_mmx_sse, { O_Ib, O_NONE, O_NONE }, (pfx), F_SIMD | F_MODRM | (fl) }

#define M  F_MODRM
#define L  F_LOCK

/* the same entry at 2, 4, 8 or 16 consecutive opcodes (variadic: entries contain commas) */
#define X2(b, ...)  [(b)] = __VA_ARGS__, [(b) + 1] = __VA_ARGS__
#define X4(b, ...)  X2(b, __VA_ARGS__), X2((b) + 2, __VA_ARGS__)
#define X8(b, ...)  X4(b, __VA_ARGS__), X4((b) + 4, __VA_ARGS__)
#define X16(b, ...) X8(b, __VA_ARGS__), X8((b) + 8, __VA_ARGS__)

/* group indices */
enum {
    G1_80, G1_81, G1_82, G1_83, G1A_8F,
    G2_C0, G2_C1, G2_D0, G2_D1, G2_D2, G2_D3,
    G3_F6, G3_F7, G4_FE, G5_FF, G11_C6, G11_C7,
    G6_0F00, G7_0F01, G8_0FBA, G9_0FC7, G12_0F71, G13_0F72, G14_0F73, G15_0FAE,
    G16_0F18, GE_0F1E, NB_GROUPS
};

/* prefix-selection indices */
enum {
    S_POPCNT, S_BSF, S_BSR, S_ENDBR, S_MOVBE_F0, S_MOVBE_F1, S_0F12, S_0F16, S_0FD6,
    S_FSGSBASE_0, S_FSGSBASE_1, S_FSGSBASE_2, S_FSGSBASE_3, S_LFENCE, S_MFENCE, S_SFENCE,
    S_XSAVEOPT,
    S_CLFLUSH, S_INVPCID, S_RDPID, NB_PSEL
};

/* the eight classic ALU operations at 00-3D: Eb,Gb  Ev,Gv  Gb,Eb  Gv,Ev  AL,Ib  rAX,Iz */
#define ALU(b, mn, lk) \
    [(b)] = E(mn, Eb, Gb, NONE, M | F_BYTE | (lk)), [(b) + 1] = E(mn, Ev, Gv, NONE, M | (lk)), \
    [(b) + 2] = E(mn, Gb, Eb, NONE, M | F_BYTE), [(b) + 3] = E(mn, Gv, Ev, NONE, M), \
    [(b) + 4] = E(mn, AL, Ib, NONE, F_BYTE), [(b) + 5] = E(mn, rAX, Iz, NONE, 0)

const InsnDesc x86_map_onebyte[256] = {
    ALU(0x00, add, L), ALU(0x08, or, L), ALU(0x10, adc, L), ALU(0x18, sbb, L),
    ALU(0x20, and, L), ALU(0x28, sub, L), ALU(0x30, xor, L), ALU(0x38, cmp, 0),
    [0x06] = E(push, ES, NONE, NONE, F_INV64), [0x07] = E(pop, ES, NONE, NONE, F_INV64),
    [0x0E] = E(push, CS, NONE, NONE, F_INV64),
    [0x16] = E(push, SS, NONE, NONE, F_INV64), [0x17] = E(pop, SS, NONE, NONE, F_INV64),
    [0x1E] = E(push, DS, NONE, NONE, F_INV64), [0x1F] = E(pop, DS, NONE, NONE, F_INV64),
    [0x27] = E(daa, NONE, NONE, NONE, F_INV64), [0x2F] = E(das, NONE, NONE, NONE, F_INV64),
    [0x37] = E(aaa, NONE, NONE, NONE, F_INV64), [0x3F] = E(aas, NONE, NONE, NONE, F_INV64),
    /* 40-4F: REX in 64-bit mode (the decoder takes them as prefixes there) */
    X8(0x40, E(inc, Zv, NONE, NONE, F_INV64)), X8(0x48, E(dec, Zv, NONE, NONE, F_INV64)),
    X8(0x50, E(push, Zv, NONE, NONE, F_DEF64)), X8(0x58, E(pop, Zv, NONE, NONE, F_DEF64)),
    [0x60] = E(pusha, NONE, NONE, NONE, F_INV64), [0x61] = E(popa, NONE, NONE, NONE, F_INV64),
    [0x62] = E(bound, Gv, Ma, NONE, M | F_INV64 | F_MEMONLY),
    [0x63] = E(arpl, Ew, Gw, NONE, M | F_INV64),    /* MOVSXD in 64-bit mode: x86_movsxd */
    [0x68] = E(push, Iz, NONE, NONE, F_DEF64),
    [0x69] = E(imul, Gv, Ev, Iz, M),
    [0x6A] = E(push, Ibs, NONE, NONE, F_DEF64),
    [0x6B] = E(imul, Gv, Ev, Ibs, M),
    [0x6C] = E(ins, NONE, NONE, NONE, F_BYTE | F_STRING),
    [0x6D] = E(ins, NONE, NONE, NONE, F_STRING | F_MAX32),
    [0x6E] = E(outs, NONE, NONE, NONE, F_BYTE | F_STRING),
    [0x6F] = E(outs, NONE, NONE, NONE, F_STRING | F_MAX32),
    X16(0x70, E(jcc, Jb, NONE, NONE, F_COND | F_FORCE64)),
    [0x80] = GRP(G1_80, F_BYTE), [0x81] = GRP(G1_81, 0),
    [0x82] = GRP(G1_82, F_BYTE | F_INV64), [0x83] = GRP(G1_83, 0),
    [0x84] = E(test, Eb, Gb, NONE, M | F_BYTE), [0x85] = E(test, Ev, Gv, NONE, M),
    [0x86] = E(xchg, Eb, Gb, NONE, M | F_BYTE | L), [0x87] = E(xchg, Ev, Gv, NONE, M | L),
    [0x88] = E(mov, Eb, Gb, NONE, M | F_BYTE), [0x89] = E(mov, Ev, Gv, NONE, M),
    [0x8A] = E(mov, Gb, Eb, NONE, M | F_BYTE), [0x8B] = E(mov, Gv, Ev, NONE, M),
    [0x8C] = E(mov_sreg, Ewv, Sw, NONE, M), [0x8D] = E(lea, Gv, M, NONE, M | F_MEMONLY),
    [0x8E] = E(mov_sreg, Sw, Ew, NONE, M), [0x8F] = GRP(G1A_8F, 0),
    [0x90] = E(nop, NONE, NONE, NONE, F_NOP90),    /* with REX.B: xchg r8, rAX */
    [0x91] = E(xchg, Zv, rAX, NONE, 0), X2(0x92, E(xchg, Zv, rAX, NONE, 0)),
    X4(0x94, E(xchg, Zv, rAX, NONE, 0)),
    [0x98] = E(cbw, NONE, NONE, NONE, 0), [0x99] = E(cwd, NONE, NONE, NONE, 0),
    [0x9A] = E(callf, Ap, NONE, NONE, F_INV64), [0x9B] = E(wait, NONE, NONE, NONE, 0),
    [0x9C] = E(pushf, NONE, NONE, NONE, F_DEF64), [0x9D] = E(popf, NONE, NONE, NONE, F_DEF64),
    [0x9E] = E(sahf, NONE, NONE, NONE, 0), [0x9F] = E(lahf, NONE, NONE, NONE, 0),
    [0xA0] = E(mov, AL, Ob, NONE, F_BYTE), [0xA1] = E(mov, rAX, Ov, NONE, 0),
    [0xA2] = E(mov, Ob, AL, NONE, F_BYTE), [0xA3] = E(mov, Ov, rAX, NONE, 0),
    [0xA4] = E(movs, NONE, NONE, NONE, F_BYTE | F_STRING), [0xA5] = E(movs, NONE, NONE, NONE, F_STRING),
    [0xA6] = E(cmps, NONE, NONE, NONE, F_BYTE | F_STRING), [0xA7] = E(cmps, NONE, NONE, NONE, F_STRING),
    [0xA8] = E(test, AL, Ib, NONE, F_BYTE), [0xA9] = E(test, rAX, Iz, NONE, 0),
    [0xAA] = E(stos, NONE, NONE, NONE, F_BYTE | F_STRING), [0xAB] = E(stos, NONE, NONE, NONE, F_STRING),
    [0xAC] = E(lods, NONE, NONE, NONE, F_BYTE | F_STRING), [0xAD] = E(lods, NONE, NONE, NONE, F_STRING),
    [0xAE] = E(scas, NONE, NONE, NONE, F_BYTE | F_STRING), [0xAF] = E(scas, NONE, NONE, NONE, F_STRING),
    X8(0xB0, E(mov, Zb, Ib, NONE, F_BYTE)), X8(0xB8, E(mov, Zv, Iv, NONE, 0)),
    [0xC0] = GRP(G2_C0, F_BYTE), [0xC1] = GRP(G2_C1, 0),
    [0xC2] = E(ret, Iw, NONE, NONE, F_FORCE64), [0xC3] = E(ret, NONE, NONE, NONE, F_FORCE64),
    /* C4/C5 are VEX in 64-bit mode and with mod=3 elsewhere; VEX is not supported: #UD */
    [0xC4] = E(les, Gv, Mp, NONE, M | F_INV64 | F_MEMONLY),
    [0xC5] = E(lds, Gv, Mp, NONE, M | F_INV64 | F_MEMONLY),
    [0xC6] = GRP(G11_C6, F_BYTE), [0xC7] = GRP(G11_C7, 0),
    [0xC8] = E(enter, Iw, Ib, NONE, F_DEF64), [0xC9] = E(leave, NONE, NONE, NONE, F_DEF64),
    [0xCA] = E(retf, Iw, NONE, NONE, 0), [0xCB] = E(retf, NONE, NONE, NONE, 0),
    [0xCC] = E(int3, NONE, NONE, NONE, 0), [0xCD] = E(int, Ib, NONE, NONE, 0),
    [0xCE] = E(into, NONE, NONE, NONE, F_INV64), [0xCF] = E(iret, NONE, NONE, NONE, 0),
    [0xD0] = GRP(G2_D0, F_BYTE), [0xD1] = GRP(G2_D1, 0),
    [0xD2] = GRP(G2_D2, F_BYTE), [0xD3] = GRP(G2_D3, 0),
    [0xD4] = E(aam, Ib, NONE, NONE, F_INV64), [0xD5] = E(aad, Ib, NONE, NONE, F_INV64),
    [0xD6] = E(salc, NONE, NONE, NONE, F_INV64),
    [0xD7] = E(xlat, NONE, NONE, NONE, F_BYTE | F_STRING),
    X8(0xD8, E(x87, NONE, NONE, NONE, M | F_X87)),
    [0xE0] = E(loopne, Jb, NONE, NONE, F_FORCE64), [0xE1] = E(loope, Jb, NONE, NONE, F_FORCE64),
    [0xE2] = E(loop, Jb, NONE, NONE, F_FORCE64), [0xE3] = E(jcxz, Jb, NONE, NONE, F_FORCE64),
    [0xE4] = E(in, AL, Ib, NONE, F_BYTE), [0xE5] = E(in, rAX, Ib, NONE, F_MAX32),
    [0xE6] = E(out, Ib, AL, NONE, F_BYTE), [0xE7] = E(out, Ib, rAX, NONE, F_MAX32),
    [0xE8] = E(call, Jz, NONE, NONE, F_FORCE64), [0xE9] = E(jmp, Jz, NONE, NONE, F_FORCE64),
    [0xEA] = E(jmpf, Ap, NONE, NONE, F_INV64), [0xEB] = E(jmp, Jb, NONE, NONE, F_FORCE64),
    [0xEC] = E(in, AL, DX, NONE, F_BYTE), [0xED] = E(in, rAX, DX, NONE, F_MAX32),
    [0xEE] = E(out, DX, AL, NONE, F_BYTE), [0xEF] = E(out, DX, rAX, NONE, F_MAX32),
    [0xF1] = E(int1, NONE, NONE, NONE, 0), [0xF4] = E(hlt, NONE, NONE, NONE, 0),
    [0xF5] = E(cmc, NONE, NONE, NONE, 0),
    [0xF6] = GRP(G3_F6, F_BYTE), [0xF7] = GRP(G3_F7, 0),
    [0xF8] = E(clc, NONE, NONE, NONE, 0), [0xF9] = E(stc, NONE, NONE, NONE, 0),
    [0xFA] = E(cli, NONE, NONE, NONE, 0), [0xFB] = E(sti, NONE, NONE, NONE, 0),
    [0xFC] = E(cld, NONE, NONE, NONE, 0), [0xFD] = E(std, NONE, NONE, NONE, 0),
    [0xFE] = GRP(G4_FE, F_BYTE), [0xFF] = GRP(G5_FF, 0),
};

/* 63 in 64-bit mode */
const InsnDesc x86_movsxd = E(movsxd, Gv, Ez, NONE, M);
/* 90 with REX.B */
const InsnDesc x86_xchg_r8 = E(xchg, Zv, rAX, NONE, 0);

const InsnDesc x86_map_0f[256] = {
    [0x00] = GRP(G6_0F00, 0), [0x01] = GRP(G7_0F01, 0),
    [0x02] = E(lar, Gv, Ew, NONE, M), [0x03] = E(lsl, Gv, Ew, NONE, M),
    /* Intel: SYSCALL/SYSRET are #UD outside 64-bit mode */
    [0x05] = E(syscall, NONE, NONE, NONE, F_ONLY64), [0x06] = E(clts, NONE, NONE, NONE, 0),
    [0x07] = E(sysret, NONE, NONE, NONE, F_ONLY64), [0x08] = E(invd, NONE, NONE, NONE, 0),
    [0x09] = E(wbinvd, NONE, NONE, NONE, 0), [0x0B] = E(ud2, NONE, NONE, NONE, 0),
    /* 0F 0D /0 PREFETCH, /1 PREFETCHW, /2 PREFETCHWT1, the rest alias them: all m8 */
    [0x0D] = E(prefetch, Mb, NONE, NONE, M | F_MEMONLY),
    [0x10] = SSE(P_ALL, 0), [0x11] = SSE(P_ALL, 0),
    [0x12] = PSEL(S_0F12, M), [0x13] = SSE(P_NP | P_66, F_MEMONLY),
    [0x14] = SSE(P_NP | P_66, 0), [0x15] = SSE(P_NP | P_66, 0),
    [0x16] = PSEL(S_0F16, M), [0x17] = SSE(P_NP | P_66, F_MEMONLY),
    [0x18] = GRP(G16_0F18, 0),
    /* reserved-NOP space (SDM: "NOP Ev" at 0F 19-1F) */
    X4(0x19, E(nop, Ev, NONE, NONE, M)), [0x1D] = E(nop, Ev, NONE, NONE, M),
    [0x1E] = PSEL(S_ENDBR, M), [0x1F] = E(nop, Ev, NONE, NONE, M),
    /* MOV to/from CR/DR ignore mod: always a register */
    [0x20] = E(mov_cr, Ry, Cd, NONE, M | F_NATIVE | F_REGFORM),
    [0x21] = E(mov_dr, Ry, Dd, NONE, M | F_NATIVE | F_REGFORM),
    [0x22] = E(mov_cr, Cd, Ry, NONE, M | F_NATIVE | F_REGFORM),
    [0x23] = E(mov_dr, Dd, Ry, NONE, M | F_NATIVE | F_REGFORM),
    [0x28] = SSE(P_NP | P_66, 0), [0x29] = SSE(P_NP | P_66, 0), [0x2A] = SSE(P_ALL, 0),
    [0x2B] = SSE(P_NP | P_66, F_MEMONLY), [0x2C] = SSE(P_ALL, 0), [0x2D] = SSE(P_ALL, 0),
    [0x2E] = SSE(P_NP | P_66, 0), [0x2F] = SSE(P_NP | P_66, 0),
    [0x30] = E(wrmsr, NONE, NONE, NONE, 0), [0x31] = E(rdtsc, NONE, NONE, NONE, 0),
    [0x32] = E(rdmsr, NONE, NONE, NONE, 0), [0x33] = E(rdpmc, NONE, NONE, NONE, 0),
    [0x34] = E(sysenter, NONE, NONE, NONE, 0), [0x35] = E(sysexit, NONE, NONE, NONE, 0),
    X16(0x40, E(cmovcc, Gv, Ev, NONE, M | F_COND)),
    [0x50] = SSE(P_NP | P_66, F_REGONLY), [0x51] = SSE(P_ALL, 0),
    [0x52] = SSE(P_NP | P_F3, 0), [0x53] = SSE(P_NP | P_F3, 0),
    X4(0x54, SSE(P_NP | P_66, 0)), X2(0x58, SSE(P_ALL, 0)), [0x5A] = SSE(P_ALL, 0),
    [0x5B] = SSE(P_NP | P_66 | P_F3, 0), X4(0x5C, SSE(P_ALL, 0)),
    X8(0x60, SSE(P_NP | P_66, 0)), X4(0x68, SSE(P_NP | P_66, 0)),
    [0x6C] = SSE(P_66, 0), [0x6D] = SSE(P_66, 0),
    [0x6E] = SSE(P_NP | P_66, 0), [0x6F] = SSE(P_NP | P_66 | P_F3, 0),
    [0x70] = SSEI(P_ALL, 0),
    [0x71] = GRP(G12_0F71, 0), [0x72] = GRP(G13_0F72, 0), [0x73] = GRP(G14_0F73, 0),
    [0x74] = SSE(P_NP | P_66, 0), [0x75] = SSE(P_NP | P_66, 0), [0x76] = SSE(P_NP | P_66, 0),
    [0x77] = { MN_mmx_sse, { O_NONE, O_NONE, O_NONE }, P_NP, F_SIMD },     /* EMMS */
    [0x7C] = SSE(P_66 | P_F2, 0), [0x7D] = SSE(P_66 | P_F2, 0),
    [0x7E] = SSE(P_NP | P_66 | P_F3, 0), [0x7F] = SSE(P_NP | P_66 | P_F3, 0),
    X16(0x80, E(jcc, Jz, NONE, NONE, F_COND | F_FORCE64)),
    X16(0x90, E(setcc, Eb, NONE, NONE, M | F_COND | F_BYTE)),
    [0xA0] = E(push, FS, NONE, NONE, F_DEF64), [0xA1] = E(pop, FS, NONE, NONE, F_DEF64),
    [0xA2] = E(cpuid, NONE, NONE, NONE, 0), [0xA3] = E(bt, Ev, Gv, NONE, M),
    [0xA4] = E(shld, Ev, Gv, Ib, M), [0xA5] = E(shld, Ev, Gv, CL, M),
    [0xA8] = E(push, GS, NONE, NONE, F_DEF64), [0xA9] = E(pop, GS, NONE, NONE, F_DEF64),
    [0xAA] = E(rsm, NONE, NONE, NONE, 0), [0xAB] = E(bts, Ev, Gv, NONE, M | L),
    [0xAC] = E(shrd, Ev, Gv, Ib, M), [0xAD] = E(shrd, Ev, Gv, CL, M),
    [0xAE] = GRP(G15_0FAE, 0), [0xAF] = E(imul, Gv, Ev, NONE, M),
    [0xB0] = E(cmpxchg, Eb, Gb, NONE, M | F_BYTE | L), [0xB1] = E(cmpxchg, Ev, Gv, NONE, M | L),
    [0xB2] = E(lss, Gv, Mp, NONE, M | F_MEMONLY), [0xB3] = E(btr, Ev, Gv, NONE, M | L),
    [0xB4] = E(lfs, Gv, Mp, NONE, M | F_MEMONLY), [0xB5] = E(lgs, Gv, Mp, NONE, M | F_MEMONLY),
    [0xB6] = E(movzx, Gv, Eb, NONE, M), [0xB7] = E(movzx, Gv, Ew, NONE, M),
    [0xB8] = PSEL(S_POPCNT, M), [0xB9] = E(ud1, Gv, Ev, NONE, M),
    [0xBA] = GRP(G8_0FBA, 0), [0xBB] = E(btc, Ev, Gv, NONE, M | L),
    [0xBC] = PSEL(S_BSF, M), [0xBD] = PSEL(S_BSR, M),
    [0xBE] = E(movsx, Gv, Eb, NONE, M), [0xBF] = E(movsx, Gv, Ew, NONE, M),
    [0xC0] = E(xadd, Eb, Gb, NONE, M | F_BYTE | L), [0xC1] = E(xadd, Ev, Gv, NONE, M | L),
    [0xC2] = SSEI(P_ALL, 0), [0xC3] = SSE(P_NP, F_MEMONLY), [0xC4] = SSEI(P_NP | P_66, 0),
    [0xC5] = SSEI(P_NP | P_66, F_REGONLY), [0xC6] = SSEI(P_NP | P_66, 0),
    [0xC7] = GRP(G9_0FC7, 0),
    X8(0xC8, E(bswap, Zv, NONE, NONE, 0)),
    [0xD0] = SSE(P_66 | P_F2, 0), X4(0xD1, SSE(P_NP | P_66, 0)), [0xD5] = SSE(P_NP | P_66, 0),
    [0xD6] = PSEL(S_0FD6, M), [0xD7] = SSE(P_NP | P_66, F_REGONLY),
    X8(0xD8, SSE(P_NP | P_66, 0)),
    X4(0xE0, SSE(P_NP | P_66, 0)), X2(0xE4, SSE(P_NP | P_66, 0)),
    [0xE6] = SSE(P_66 | P_F3 | P_F2, 0), [0xE7] = SSE(P_NP | P_66, F_MEMONLY),
    X8(0xE8, SSE(P_NP | P_66, 0)),
    [0xF0] = SSE(P_F2, F_MEMONLY), X4(0xF1, SSE(P_NP | P_66, 0)), X2(0xF5, SSE(P_NP | P_66, 0)),
    [0xF7] = SSE(P_NP | P_66, F_REGONLY),
    X4(0xF8, SSE(P_NP | P_66, 0)), X2(0xFC, SSE(P_NP | P_66, 0)), [0xFE] = SSE(P_NP | P_66, 0),
    [0xFF] = E(ud0, Gv, Ev, NONE, M),  /* Intel: UD0 takes a ModRM byte */
};

const InsnDesc x86_map_0f38[256] = {
    X8(0x00, SSE(P_NP | P_66, 0)), X4(0x08, SSE(P_NP | P_66, 0)),
    [0x10] = SSE(P_66, 0), [0x14] = SSE(P_66, 0), [0x15] = SSE(P_66, 0), [0x17] = SSE(P_66, 0),
    [0x1C] = SSE(P_NP | P_66, 0), [0x1D] = SSE(P_NP | P_66, 0), [0x1E] = SSE(P_NP | P_66, 0),
    X4(0x20, SSE(P_66, 0)), X2(0x24, SSE(P_66, 0)),
    [0x28] = SSE(P_66, 0), [0x29] = SSE(P_66, 0), [0x2A] = SSE(P_66, F_MEMONLY),
    [0x2B] = SSE(P_66, 0),
    X4(0x30, SSE(P_66, 0)), X2(0x34, SSE(P_66, 0)),
    [0x37] = SSE(P_66, 0), X8(0x38, SSE(P_66, 0)), X2(0x40, SSE(P_66, 0)),
    [0x82] = PSEL(S_INVPCID, M),
    X4(0xC8, SSE(P_NP, 0)), X2(0xCC, SSE(P_NP, 0)),
    [0xDB] = SSE(P_66, 0), X4(0xDC, SSE(P_66, 0)),
    [0xF0] = PSEL(S_MOVBE_F0, M), [0xF1] = PSEL(S_MOVBE_F1, M),
};

const InsnDesc x86_map_0f3a[256] = {
    X4(0x08, SSEI(P_66, 0)), X2(0x0C, SSEI(P_66, 0)), [0x0E] = SSEI(P_66, 0),
    [0x0F] = SSEI(P_NP | P_66, 0),     /* PALIGNR mm / xmm */
    X4(0x14, SSEI(P_66, 0)), X2(0x20, SSEI(P_66, 0)), [0x22] = SSEI(P_66, 0),
    X2(0x40, SSEI(P_66, 0)), [0x42] = SSEI(P_66, 0), [0x44] = SSEI(P_66, 0),
    X4(0x60, SSEI(P_66, 0)),
    [0xCC] = SSEI(P_NP, 0), [0xDF] = SSEI(P_66, 0),
};

/* Group 1 (80-83) and group 2 (shifts): the same mnemonics with the parent's operands */
#define G1(a, b, fl) { { \
    E(add, a, b, NONE, M | L | (fl)), E(or, a, b, NONE, M | L | (fl)), \
    E(adc, a, b, NONE, M | L | (fl)), E(sbb, a, b, NONE, M | L | (fl)), \
    E(and, a, b, NONE, M | L | (fl)), E(sub, a, b, NONE, M | L | (fl)), \
    E(xor, a, b, NONE, M | L | (fl)), E(cmp, a, b, NONE, M | (fl)) } }
#define G2(a, b, fl) { { \
    E(rol, a, b, NONE, M | (fl)), E(ror, a, b, NONE, M | (fl)), E(rcl, a, b, NONE, M | (fl)), \
    E(rcr, a, b, NONE, M | (fl)), E(shl, a, b, NONE, M | (fl)), E(shr, a, b, NONE, M | (fl)), \
    E(sal, a, b, NONE, M | (fl)), E(sar, a, b, NONE, M | (fl)) } }
#define G3(a, imm, fl) { { \
    E(test, a, imm, NONE, M | (fl)), E(test, a, imm, NONE, M | (fl)), \
    E(not, a, NONE, NONE, M | L | (fl)), E(neg, a, NONE, NONE, M | L | (fl)), \
    E(mul, a, NONE, NONE, M | (fl)), E(imul, a, NONE, NONE, M | (fl)), \
    E(div, a, NONE, NONE, M | (fl)), E(idiv, a, NONE, NONE, M | (fl)) } }

/* 0F 01 with mod=3: by reg and rm */
static const InsnDesc grp7_mod3[64] = {
    [1 * 8 + 0] = E(monitor, NONE, NONE, NONE, M), [1 * 8 + 1] = E(mwait, NONE, NONE, NONE, M),
    [1 * 8 + 2] = E(clac, NONE, NONE, NONE, M), [1 * 8 + 3] = E(stac, NONE, NONE, NONE, M),
    [2 * 8 + 0] = E(xgetbv, NONE, NONE, NONE, M), [2 * 8 + 1] = E(xsetbv, NONE, NONE, NONE, M),
    X8(4 * 8, E(smsw, Ewv, NONE, NONE, M)),
    X8(6 * 8, E(lmsw, Ew, NONE, NONE, M)),
    [7 * 8 + 0] = E(swapgs, NONE, NONE, NONE, M | F_ONLY64),
    [7 * 8 + 1] = E(rdtscp, NONE, NONE, NONE, M),
};

/* 0F C7 with mod=3: F3 /7 is RDPID (RDRAND /6 and RDSEED /7 are not modelled) */
static const InsnDesc grp9_mod3[8] = { [7] = PSEL(S_RDPID, M) };

/* 0F AE with mod=3 */
static const InsnDesc grp15_mod3[8] = {
    PSEL(S_FSGSBASE_0, M), PSEL(S_FSGSBASE_1, M), PSEL(S_FSGSBASE_2, M), PSEL(S_FSGSBASE_3, M),
    /* the fences ignore rm (SDM: "0F AE E8-EF is LFENCE" ...); other prefixes select
     * different instructions (INCSSP, TPAUSE, UMWAIT...) not modelled */
    [5] = PSEL(S_LFENCE, M), [6] = PSEL(S_MFENCE, M), [7] = PSEL(S_SFENCE, M),
};

/* 0F 18 with mod=3: all reserved-NOP */
static const InsnDesc grp16_mod3[8] = {
    E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
    E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
    E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
};

/* F3 0F 1E: ENDBR64 = F3 0F 1E FA, ENDBR32 = F3 0F 1E FB; every other form is a NOP Ev */
static const InsnDesc grpe_mod3[64] = {
    X16(0, E(nop, Ev, NONE, NONE, M)), X16(16, E(nop, Ev, NONE, NONE, M)),
    X16(32, E(nop, Ev, NONE, NONE, M)), X8(48, E(nop, Ev, NONE, NONE, M)),
    X2(56, E(nop, Ev, NONE, NONE, M)),
    [58] = E(endbr64, NONE, NONE, NONE, M), [59] = E(endbr32, NONE, NONE, NONE, M),
    X4(60, E(nop, Ev, NONE, NONE, M)),
};

/* MMX/SSE shift groups 0F 71-73 (register form only, imm8) */
#define SHIFT_GROUP(r2, r3, r4, r6, r7) { .by_reg = { \
    [2] = SSEI(r2, F_REGONLY), [3] = SSEI(r3, F_REGONLY), [4] = SSEI(r4, F_REGONLY), \
    [6] = SSEI(r6, F_REGONLY), [7] = SSEI(r7, F_REGONLY) } }

const InsnGroup x86_groups[NB_GROUPS] = {
    [G1_80] = G1(Eb, Ib, F_BYTE), [G1_81] = G1(Ev, Iz, 0),
    [G1_82] = G1(Eb, Ib, F_BYTE), [G1_83] = G1(Ev, Ibs, 0),
    [G1A_8F] = { { E(pop, Ev, NONE, NONE, M | F_DEF64) } },
    [G2_C0] = G2(Eb, Ib, F_BYTE), [G2_C1] = G2(Ev, Ib, 0),
    [G2_D0] = G2(Eb, One, F_BYTE), [G2_D1] = G2(Ev, One, 0),
    [G2_D2] = G2(Eb, CL, F_BYTE), [G2_D3] = G2(Ev, CL, 0),
    [G3_F6] = G3(Eb, Ib, F_BYTE), [G3_F7] = G3(Ev, Iz, 0),
    [G4_FE] = { { E(inc, Eb, NONE, NONE, M | L | F_BYTE), E(dec, Eb, NONE, NONE, M | L | F_BYTE) } },
    [G5_FF] = { { E(inc, Ev, NONE, NONE, M | L), E(dec, Ev, NONE, NONE, M | L),
                  E(call, Ev, NONE, NONE, M | F_FORCE64), E(callf, Mp, NONE, NONE, M | F_MEMONLY),
                  E(jmp, Ev, NONE, NONE, M | F_FORCE64), E(jmpf, Mp, NONE, NONE, M | F_MEMONLY),
                  E(push, Ev, NONE, NONE, M | F_DEF64) } },
    [G11_C6] = { { E(mov, Eb, Ib, NONE, M | F_BYTE) } },
    [G11_C7] = { { E(mov, Ev, Iz, NONE, M) } },
    [G6_0F00] = { { E(sldt, Ewv, NONE, NONE, M), E(str, Ewv, NONE, NONE, M),
                    E(lldt, Ew, NONE, NONE, M), E(ltr, Ew, NONE, NONE, M),
                    E(verr, Ew, NONE, NONE, M), E(verw, Ew, NONE, NONE, M) } },
    [G7_0F01] = { .by_reg = {
                    E(sgdt, Ms, NONE, NONE, M | F_MEMONLY | F_NATIVE),
                    E(sidt, Ms, NONE, NONE, M | F_MEMONLY | F_NATIVE),
                    E(lgdt, Ms, NONE, NONE, M | F_MEMONLY | F_NATIVE),
                    E(lidt, Ms, NONE, NONE, M | F_MEMONLY | F_NATIVE),
                    E(smsw, Ewv, NONE, NONE, M), [6] = E(lmsw, Ew, NONE, NONE, M),
                    [7] = E(invlpg, Mb, NONE, NONE, M | F_MEMONLY) },
                  .mod3_by_regrm = grp7_mod3 },
    [G8_0FBA] = { { [4] = E(bt, Ev, Ib, NONE, M), [5] = E(bts, Ev, Ib, NONE, M | L),
                    [6] = E(btr, Ev, Ib, NONE, M | L), [7] = E(btc, Ev, Ib, NONE, M | L) } },
    /* 0F C7 /1 with REX.W is CMPXCHG16B (the decoder renames it) */
    [G9_0FC7] = { { [1] = E(cmpxchg8b, Mq, NONE, NONE, M | F_MEMONLY | L),
                    [4] = E(xsavec, M, NONE, NONE, M | F_MEMONLY) },
                  .mod3_by_reg = grp9_mod3 },
    [G12_0F71] = SHIFT_GROUP(P_NP | P_66, 0, P_NP | P_66, P_NP | P_66, 0),
    [G13_0F72] = SHIFT_GROUP(P_NP | P_66, 0, P_NP | P_66, P_NP | P_66, 0),
    [G14_0F73] = SHIFT_GROUP(P_NP | P_66, P_66, 0, P_NP | P_66, P_66),
    [G15_0FAE] = { { E(fxsave, M, NONE, NONE, M | F_MEMONLY), E(fxrstor, M, NONE, NONE, M | F_MEMONLY),
                     E(ldmxcsr, Ed, NONE, NONE, M | F_MEMONLY), E(stmxcsr, Ed, NONE, NONE, M | F_MEMONLY),
                     E(xsave, M, NONE, NONE, M | F_MEMONLY), E(xrstor, M, NONE, NONE, M | F_MEMONLY),
                     PSEL(S_XSAVEOPT, M), PSEL(S_CLFLUSH, M) },
                   .mod3_by_reg = grp15_mod3 },
    [G16_0F18] = { { E(prefetch, Mb, NONE, NONE, M), E(prefetch, Mb, NONE, NONE, M),
                     E(prefetch, Mb, NONE, NONE, M), E(prefetch, Mb, NONE, NONE, M),
                     E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
                     E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M) },
                   .mod3_by_reg = grp16_mod3 },
    [GE_0F1E] = { { E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
                    E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
                    E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
                    E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M) },
                  .mod3_by_regrm = grpe_mod3 },
};
const unsigned x86_nb_groups = NB_GROUPS;

/* Columns: none, 66, F3, F2. For integer instructions a 66 column equal to the none column
 * keeps 66 as the operand-size prefix. */
#define SAME4(e) { { e, e, e, e } }
const InsnPrefixSel x86_prefix_sel[NB_PSEL] = {
    [S_POPCNT] = { { [PSEL_F3] = E(popcnt, Gv, Ev, NONE, M) } },
    [S_BSF] = { { E(bsf, Gv, Ev, NONE, M), E(bsf, Gv, Ev, NONE, M),
                  E(tzcnt, Gv, Ev, NONE, M), E(bsf, Gv, Ev, NONE, M) } },
    [S_BSR] = { { E(bsr, Gv, Ev, NONE, M), E(bsr, Gv, Ev, NONE, M),
                  E(lzcnt, Gv, Ev, NONE, M), E(bsr, Gv, Ev, NONE, M) } },
    [S_ENDBR] = { { E(nop, Ev, NONE, NONE, M), E(nop, Ev, NONE, NONE, M),
                    GRP(GE_0F1E, 0), E(nop, Ev, NONE, NONE, M) } },
    [S_MOVBE_F0] = { { E(movbe, Gv, M, NONE, M | F_MEMONLY), E(movbe, Gv, M, NONE, M | F_MEMONLY),
                       [PSEL_F2] = E(crc32, Gy, Eb, NONE, M) } },
    [S_MOVBE_F1] = { { E(movbe, M, Gv, NONE, M | F_MEMONLY), E(movbe, M, Gv, NONE, M | F_MEMONLY),
                       [PSEL_F2] = E(crc32, Gy, Ev, NONE, M) } },
    /* MOVLPS/MOVHLPS, MOVLPD (memory), MOVSLDUP, MOVDDUP */
    [S_0F12] = { { SSE(P_NP, 0), SSE(P_66, F_MEMONLY), SSE(P_F3, 0), SSE(P_F2, 0) } },
    /* MOVHPS/MOVLHPS, MOVHPD (memory), MOVSHDUP */
    [S_0F16] = { { SSE(P_NP, 0), SSE(P_66, F_MEMONLY), SSE(P_F3, 0) } },
    /* MOVQ, MOVQ2DQ, MOVDQ2Q */
    [S_0FD6] = { { [PSEL_66] = SSE(P_66, 0), [PSEL_F3] = SSE(P_F3, F_REGONLY),
                   [PSEL_F2] = SSE(P_F2, F_REGONLY) } },
    [S_FSGSBASE_0] = { { [PSEL_F3] = E(rdfsbase, Ryw, NONE, NONE, M | F_ONLY64) } },
    [S_FSGSBASE_1] = { { [PSEL_F3] = E(rdgsbase, Ryw, NONE, NONE, M | F_ONLY64) } },
    [S_FSGSBASE_2] = { { [PSEL_F3] = E(wrfsbase, Ryw, NONE, NONE, M | F_ONLY64) } },
    [S_FSGSBASE_3] = { { [PSEL_F3] = E(wrgsbase, Ryw, NONE, NONE, M | F_ONLY64) } },
    [S_LFENCE] = { { E(lfence, NONE, NONE, NONE, M) } },
    [S_MFENCE] = { { E(mfence, NONE, NONE, NONE, M) } },
    [S_SFENCE] = { { E(sfence, NONE, NONE, NONE, M) } },
    /* 66 0F AE /6 is CLWB and 66 0F AE /7 CLFLUSHOPT: not modelled */
    [S_XSAVEOPT] = { { E(xsaveopt, M, NONE, NONE, M | F_MEMONLY) } },
    [S_CLFLUSH] = { { E(clflush, Mb, NONE, NONE, M | F_MEMONLY) } },
    [S_INVPCID] = { { [PSEL_66] = E(invpcid, Gy, Mx, NONE, M | F_MEMONLY | F_NATIVE) } },
    [S_RDPID] = { { [PSEL_F3] = E(rdpid, Ry, NONE, NONE, M) } },
};
const unsigned x86_nb_prefix_sel = NB_PSEL;

/* x87 ---------------------------------------------------------------------------------- */

const uint8_t x87_mem_valid[8] = {
    0xFF,   /* D8: fadd fmul fcom fcomp fsub fsubr fdiv fdivr m32fp */
    0xFD,   /* D9: fld - fst fstp fldenv fldcw fnstenv fnstcw */
    0xFF,   /* DA: fiadd .. fidivr m32int */
    0xAF,   /* DB: fild fisttp fist fistp - fld m80 - fstp m80 */
    0xFF,   /* DC: m64fp arithmetic */
    0xDF,   /* DD: fld fisttp fst fstp frstor - fnsave fnstsw */
    0xFF,   /* DE: m16int arithmetic */
    0xFF,   /* DF: fild fisttp fist fistp fbld fild fbstp fistp */
};

#define ROW(reg, bits) ((uint64_t)(bits) << ((reg) * 8))
const uint64_t x87_reg_valid[8] = {
    /* D8: every register form */
    ~(uint64_t)0,
    /* D9: fld, fxch, fnop, fchs fabs ftst fxam, the constants, the transcendental rows */
    ROW(0, 0xFF) | ROW(1, 0xFF) | ROW(2, 0x01) | ROW(4, 0x33) | ROW(5, 0x7F) |
        ROW(6, 0xFF) | ROW(7, 0xFF),
    /* DA: fcmovb fcmove fcmovbe fcmovu, fucompp */
    ROW(0, 0xFF) | ROW(1, 0xFF) | ROW(2, 0xFF) | ROW(3, 0xFF) | ROW(5, 0x02),
    /* DB: fcmovnb.., feni fdisi fnclex fninit fsetpm, fucomi, fcomi */
    ROW(0, 0xFF) | ROW(1, 0xFF) | ROW(2, 0xFF) | ROW(3, 0xFF) | ROW(4, 0x1F) |
        ROW(5, 0xFF) | ROW(6, 0xFF),
    /* DC: fadd fmul fcom2 fcomp3 (aliases) fsubr fsub fdivr fdiv (to st(i)) */
    ROW(0, 0xFF) | ROW(1, 0xFF) | ROW(2, 0xFF) | ROW(3, 0xFF) | ROW(4, 0xFF) | ROW(5, 0xFF) | ROW(6, 0xFF) | ROW(7, 0xFF),
    /* DD: ffree fxch4 (alias) fst fstp fucom fucomp */
    ROW(0, 0xFF) | ROW(1, 0xFF) | ROW(2, 0xFF) | ROW(3, 0xFF) | ROW(4, 0xFF) | ROW(5, 0xFF),
    /* DE: faddp fmulp fcomp5 (alias) fcompp fsubrp fsubp fdivrp fdivp */
    ROW(0, 0xFF) | ROW(1, 0xFF) | ROW(2, 0xFF) | ROW(3, 0x02) | ROW(4, 0xFF) | ROW(5, 0xFF) |
        ROW(6, 0xFF) | ROW(7, 0xFF),
    /* DF: ffreep, fxch7 fstp8 fstp9 (aliases), fnstsw ax, fucomip, fcomip */
    ROW(0, 0xFF) | ROW(1, 0xFF) | ROW(2, 0xFF) | ROW(3, 0xFF) | ROW(4, 0x01) | ROW(5, 0xFF) | ROW(6, 0xFF),
};
