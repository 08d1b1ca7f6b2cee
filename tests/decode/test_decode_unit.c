/*
 * tests/decode/test_decode_unit.c — hand-written decoder cases with exact expected fields:
 * prefix rules, REX, the 15-byte limit, LOCK, addressing forms, immediates, branch targets,
 * mode-dependent opcodes and short buffers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"

static int failures;

#define EXPECT(cond) do { \
        if (!(cond)) { \
            printf("FAIL %s:%d: %s  [%s]\n", __FILE__, __LINE__, #cond, current); \
            failures++; \
        } \
    } while (0)

static const char *current;
static uint8_t bytes[32];

/* Decode a hex string ("66 0f b6 c0") in the given mode at pc */
static int decode_hex(const char *hex, int bits, uint64_t pc, X86Insn *insn)
{
    unsigned n = 0;
    current = hex;
    for (const char *p = hex; *p && n < sizeof(bytes);) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        if (sscanf(p, "%2x", &v) != 1)
            break;
        bytes[n++] = (uint8_t)v;
        p += 2;
    }
    return x86_decode(bytes, n, bits, pc, insn);
}

static void test_prefixes(void)
{
    X86Insn in;
    /* last segment override wins: ES then FS -> FS */
    EXPECT(decode_hex("26 64 8b 00", 32, 0, &in) == 4);
    EXPECT(in.seg == R_FS && in.seg_override);
    /* 64-bit mode: DS/ES/CS/SS overrides ignored, default segment applies */
    EXPECT(decode_hex("3e 8b 45 00", 64, 0, &in) == 4);
    EXPECT(in.seg == R_SS && !in.seg_override);          /* [rbp+0] -> SS */
    EXPECT(decode_hex("26 8b 00", 64, 0, &in) == 3);
    EXPECT(in.seg == R_DS && !in.seg_override);
    /* F2 then F3: F3 is the mandatory prefix -> tzcnt */
    EXPECT(decode_hex("f2 f3 0f bc c1", 32, 0, &in) == 5);
    EXPECT(in.mnem == MN_tzcnt && in.mandatory == 0xF3);
    EXPECT(decode_hex("f3 f2 0f bc c1", 32, 0, &in) == 5);
    EXPECT(in.mnem == MN_bsf);
    /* 66 with F3: popcnt r16 */
    EXPECT(decode_hex("66 f3 0f b8 c1", 32, 0, &in) == 5);
    EXPECT(in.mnem == MN_popcnt && in.opsize == 2 && in.op[0].size == 2);
    /* REX directly before the opcode counts, REX before a legacy prefix does not */
    EXPECT(decode_hex("48 89 c8", 64, 0, &in) == 3);
    EXPECT(in.opsize == 8 && in.rex == 0x48);
    EXPECT(decode_hex("48 66 89 c8", 64, 0, &in) == 4);
    EXPECT(in.opsize == 2 && in.rex == 0);
    /* REX.W beats 66 */
    EXPECT(decode_hex("66 48 89 c8", 64, 0, &in) == 4);
    EXPECT(in.opsize == 8);
    /* 16-bit mode: 66 selects 32-bit operands */
    EXPECT(decode_hex("66 89 c8", 16, 0, &in) == 3);
    EXPECT(in.opsize == 4 && in.op[0].reg == R_EAX && in.op[1].reg == R_ECX);
    /* byte registers: AH without REX, SPL with any REX */
    EXPECT(decode_hex("88 e0", 64, 0, &in) == 2);
    EXPECT(in.op[0].reg == R_EAX && !in.op[0].hibyte && in.op[1].reg == 0 && in.op[1].hibyte);
    EXPECT(decode_hex("40 88 e0", 64, 0, &in) == 3);
    EXPECT(in.op[1].reg == R_ESP && !in.op[1].hibyte);
}

static void test_lengths(void)
{
    X86Insn in;
    /* 14 prefixes + nop = 15 bytes: fine; 15 prefixes + nop: too long */
    EXPECT(decode_hex("66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 32, 0, &in) == 15);
    EXPECT(decode_hex("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", 32, 0, &in) ==
           X86_DECODE_TOO_LONG);
    /* an instruction whose immediate would end past byte 15 */
    EXPECT(decode_hex("66 66 66 66 66 66 66 66 66 66 2e 3e c7 00 11 22", 32, 0, &in) ==
           X86_DECODE_TOO_LONG);
    /* short buffers */
    EXPECT(decode_hex("b8 11 22", 32, 0, &in) == X86_DECODE_NEED_MORE);
    EXPECT(decode_hex("0f", 32, 0, &in) == X86_DECODE_NEED_MORE);
    EXPECT(decode_hex("66 66", 32, 0, &in) == X86_DECODE_NEED_MORE);
    EXPECT(decode_hex("8b 84", 32, 0, &in) == X86_DECODE_NEED_MORE);   /* SIB missing */
    EXPECT(x86_decode(bytes, 0, 32, 0, &in) == X86_DECODE_NEED_MORE);
    /* mov r64, imm64 */
    EXPECT(decode_hex("48 b8 88 77 66 55 44 33 22 11", 64, 0, &in) == 10);
    EXPECT(in.op[1].kind == X86_OPK_IMM && in.op[1].imm == 0x1122334455667788ull);
}

static void test_lock(void)
{
    X86Insn in;
    EXPECT(decode_hex("f0 01 08", 32, 0, &in) == 3);              /* lock add [eax], ecx */
    EXPECT(in.prefixes & PFX_LOCK);
    EXPECT(decode_hex("f0 01 c8", 32, 0, &in) == X86_DECODE_UD);  /* register destination */
    EXPECT(decode_hex("f0 3b 08", 32, 0, &in) == X86_DECODE_UD);  /* cmp not lockable */
    EXPECT(decode_hex("f0 83 38 01", 32, 0, &in) == X86_DECODE_UD); /* 83 /7 = cmp */
    EXPECT(decode_hex("f0 0f c7 08", 32, 0, &in) == 4);           /* lock cmpxchg8b */
    EXPECT(decode_hex("f0 48 0f c7 08", 64, 0, &in) == 5);
    EXPECT(in.mnem == MN_cmpxchg16b);
    EXPECT(decode_hex("f0 0f ba 28 03", 32, 0, &in) == 5);        /* lock bts [eax], 3 */
    EXPECT(decode_hex("f0 0f ba 20 03", 32, 0, &in) == X86_DECODE_UD); /* bt */
    EXPECT(decode_hex("f0 90", 32, 0, &in) == X86_DECODE_UD);
    EXPECT(decode_hex("f0 0f 20 c0", 32, 0, &in) == X86_DECODE_UD); /* no CR8 alias */
}

static void test_addressing(void)
{
    X86Insn in;
    /* RIP-relative: disp resolved to next rip + disp32 */
    EXPECT(decode_hex("8b 05 10 00 00 00", 64, 0x1000, &in) == 6);
    EXPECT(in.rip_rel && in.ea_base == -1 && in.ea_index == -1 && in.disp == 0x1016);
    /* with 67: EIP-relative, truncated to 32 bits */
    EXPECT(decode_hex("67 8b 05 00 00 00 00", 64, 0xFFFFFFF0ull, &in) == 7);
    EXPECT(in.rip_rel && in.addrsize == 4 && in.disp == (int64_t)0xFFFFFFF7ull);
    /* RIP-relative with an immediate after it: next rip counts the immediate */
    EXPECT(decode_hex("c7 05 00 01 00 00 78 56 34 12", 64, 0x2000, &in) == 10);
    EXPECT(in.disp == 0x2000 + 10 + 0x100 && in.op[1].imm == 0x12345678);
    /* 32-bit mode: mod=0 rm=5 is an absolute disp32 */
    EXPECT(decode_hex("8b 05 44 33 22 11", 32, 0x1000, &in) == 6);
    EXPECT(!in.rip_rel && in.ea_base == -1 && in.disp == 0x11223344);
    /* SIB without base, index*4 */
    EXPECT(decode_hex("8b 04 8d 10 00 00 00", 32, 0, &in) == 7);
    EXPECT(in.ea_base == -1 && in.ea_index == R_ECX && in.ea_scale == 2 && in.disp == 0x10);
    /* SIB index 4 = none; base ESP -> SS */
    EXPECT(decode_hex("8b 04 24", 32, 0, &in) == 3);
    EXPECT(in.ea_base == R_ESP && in.ea_index == -1 && in.seg == R_SS);
    /* REX.X makes index 4 = r12 */
    EXPECT(decode_hex("42 8b 04 20", 64, 0, &in) == 4);
    EXPECT(in.ea_index == 12 && in.ea_base == R_EAX);
    /* REX.B: base r13 (rm=5, mod=1); only rBP/rSP default to SS, not r13 */
    EXPECT(decode_hex("41 8b 45 08", 64, 0, &in) == 4);
    EXPECT(in.ea_base == 13 && in.disp == 8 && in.seg == R_DS);
    /* 16-bit forms: [bp+si+disp8] -> SS, [bx+di] -> DS, mod=0 rm=6 -> disp16 */
    EXPECT(decode_hex("8b 42 fe", 16, 0, &in) == 3);
    EXPECT(in.ea_base == R_EBP && in.ea_index == R_ESI && in.disp == -2 && in.seg == R_SS);
    EXPECT(decode_hex("8b 01", 16, 0, &in) == 2);
    EXPECT(in.ea_base == R_EBX && in.ea_index == R_EDI && in.seg == R_DS);
    EXPECT(decode_hex("8b 06 34 12", 16, 0, &in) == 4);
    EXPECT(in.ea_base == -1 && in.ea_index == -1 && in.disp == 0x1234);
    /* 67 in 16-bit mode gives 32-bit addressing */
    EXPECT(decode_hex("67 8b 04 24", 16, 0, &in) == 4);
    EXPECT(in.addrsize == 4 && in.ea_base == R_ESP);
    /* moffs: A1 with the address size's offset, no base/index */
    EXPECT(decode_hex("a1 78 56 34 12", 32, 0, &in) == 5);
    EXPECT(in.op[1].kind == X86_OPK_MEM && in.disp == 0x12345678 && in.ea_base == -1);
    EXPECT(decode_hex("48 a1 88 77 66 55 44 33 22 11", 64, 0, &in) == 10);
    EXPECT((uint64_t)in.disp == 0x1122334455667788ull && in.op[0].size == 8);
    EXPECT(decode_hex("67 a0 78 56 34 12", 64, 0, &in) == 6);
    EXPECT(in.disp == 0x12345678 && in.op[0].size == 1);
    EXPECT(decode_hex("a2 34 12", 16, 0, &in) == 3);
    EXPECT(in.disp == 0x1234 && in.op[0].kind == X86_OPK_MEM && in.op[1].reg == R_EAX);
}

static void test_immediates_and_branches(void)
{
    X86Insn in;
    /* 83 /0 ib sign-extends to the operand size */
    EXPECT(decode_hex("83 c0 ff", 32, 0, &in) == 3);
    EXPECT(in.op[1].imm == 0xFFFFFFFFu && in.op[1].size == 4);
    EXPECT(decode_hex("48 83 c0 80", 64, 0, &in) == 4);
    EXPECT(in.op[1].imm == 0xFFFFFFFFFFFFFF80ull);
    EXPECT(decode_hex("66 83 c0 ff", 32, 0, &in) == 4);
    EXPECT(in.op[1].imm == 0xFFFF);
    /* Iz sign-extends to 64 for 64-bit operations */
    EXPECT(decode_hex("48 05 00 00 00 80", 64, 0, &in) == 6);
    EXPECT(in.op[1].imm == 0xFFFFFFFF80000000ull);
    EXPECT(decode_hex("68 00 00 00 80", 64, 0, &in) == 5);        /* push imm32 -> 64 */
    EXPECT(in.opsize == 8 && in.op[0].imm == 0xFFFFFFFF80000000ull);
    /* ENTER Iw, Ib */
    EXPECT(decode_hex("c8 10 00 03", 32, 0, &in) == 4);
    EXPECT(in.mnem == MN_enter && in.op[0].imm == 0x10 && in.imm2 == 3);
    /* RET Iw */
    EXPECT(decode_hex("c2 08 00", 32, 0, &in) == 3);
    EXPECT(in.op[0].imm == 8);
    /* 16-bit mode: target wraps at 64 KiB */
    EXPECT(decode_hex("eb 10", 16, 0xFFF0, &in) == 2);
    EXPECT(in.op[0].kind == X86_OPK_REL && in.op[0].imm == 0x0002);
    EXPECT(decode_hex("e9 00 80", 16, 0x1000, &in) == 3);
    EXPECT(in.op[0].imm == 0x9003);
    /* 66 in 16-bit mode: rel32 and a 32-bit target */
    EXPECT(decode_hex("66 e9 00 00 01 00", 16, 0xFFF0, &in) == 6);
    EXPECT(in.op[0].imm == 0x1FFF6);
    /* 32-bit wrap; 64-bit: 66 ignored on near branches (Intel) */
    EXPECT(decode_hex("e8 00 00 00 00", 32, 0xFFFFFFFE, &in) == 5);
    EXPECT(in.op[0].imm == 0x3);
    EXPECT(decode_hex("66 e9 00 00 00 00", 64, 0x100000000ull, &in) == 6);
    EXPECT(in.opsize == 8 && in.op[0].imm == 0x100000006ull);
    /* jcc carries the condition */
    EXPECT(decode_hex("0f 8e 00 00 00 00", 32, 0, &in) == 6);
    EXPECT(in.mnem == MN_jcc && in.cond == 0xE);
    EXPECT(strcmp(x86_insn_name(&in), "jle") == 0);
    /* far pointer */
    EXPECT(decode_hex("ea 78 56 34 12 08 00", 32, 0, &in) == 7);
    EXPECT(in.op[0].kind == X86_OPK_FAR && in.op[0].imm == 0x12345678 && in.op[0].sel == 8);
    EXPECT(decode_hex("9a 34 12 00 f0", 16, 0, &in) == 5);
    EXPECT(in.op[0].imm == 0x1234 && in.op[0].sel == 0xF000);
    /* shifts: count 1 and CL, IN/OUT with DX and imm8 */
    EXPECT(decode_hex("d1 e0", 32, 0, &in) == 2);
    EXPECT(in.mnem == MN_shl && in.op[1].kind == X86_OPK_IMM && in.op[1].imm == 1);
    EXPECT(decode_hex("d3 f8", 32, 0, &in) == 2);
    EXPECT(in.mnem == MN_sar && in.op[1].kind == X86_OPK_REG && in.op[1].reg == R_ECX);
    EXPECT(decode_hex("ec", 32, 0, &in) == 1);
    EXPECT(in.op[0].reg == R_EAX && in.op[0].size == 1 && in.op[1].reg == R_EDX);
    EXPECT(decode_hex("e7 80", 32, 0, &in) == 2);
    EXPECT(in.op[0].kind == X86_OPK_IMM && in.op[0].imm == 0x80 && in.op[1].size == 4);
}

static void test_modes_and_invalid(void)
{
    X86Insn in;
    static const char *const invalid_in_64[] = { "06", "07", "0e", "16", "17", "1e", "1f",
        "27", "2f", "37", "3f", "60", "61", "62 00", "9a 00 00 00 00 00 00", "c4 00",
        "c5 00", "ce", "d4 0a", "d5 0a", "d6", "ea 00 00 00 00 00 00", "82 c0 01" };
    for (size_t i = 0; i < sizeof(invalid_in_64) / sizeof(invalid_in_64[0]); i++) {
        EXPECT(decode_hex(invalid_in_64[i], 64, 0, &in) == X86_DECODE_UD);
        EXPECT(decode_hex(invalid_in_64[i], 32, 0, &in) > 0);
    }
    EXPECT(decode_hex("40", 32, 0, &in) == 1 && in.mnem == MN_inc);
    EXPECT(decode_hex("40 90", 64, 0, &in) == 2 && in.mnem == MN_nop);
    EXPECT(decode_hex("63 c1", 32, 0, &in) == 2 && in.mnem == MN_arpl);
    EXPECT(decode_hex("48 63 c1", 64, 0, &in) == 3 && in.mnem == MN_movsxd);
    EXPECT(in.op[0].size == 8 && in.op[1].size == 4);
    EXPECT(decode_hex("d6", 32, 0, &in) == 1 && in.mnem == MN_salc);
    EXPECT(decode_hex("41 90", 64, 0, &in) == 2 && in.mnem == MN_xchg && in.op[0].reg == 8);
    EXPECT(decode_hex("f3 90", 32, 0, &in) == 2 && in.mnem == MN_pause);
    /* memory-only forms with mod=3, undefined group members, bad segment registers */
    EXPECT(decode_hex("8d c0", 32, 0, &in) == X86_DECODE_UD);
    EXPECT(decode_hex("c4 c0", 32, 0, &in) == X86_DECODE_UD);
    EXPECT(decode_hex("ff d8", 32, 0, &in) == X86_DECODE_UD);     /* FF /3 mod=3 */
    EXPECT(decode_hex("ff 38", 32, 0, &in) == X86_DECODE_UD);     /* FF /7 */
    EXPECT(decode_hex("fe 10", 32, 0, &in) == X86_DECODE_UD);     /* FE /2 */
    EXPECT(decode_hex("8f 08", 32, 0, &in) == X86_DECODE_UD);     /* 8F /1 */
    EXPECT(decode_hex("c6 f8 00", 32, 0, &in) == X86_DECODE_UD);  /* XABORT */
    EXPECT(decode_hex("0f ba 00 01", 32, 0, &in) == X86_DECODE_UD);
    EXPECT(decode_hex("0f 01 d0", 32, 0, &in) == 3 && in.mnem == MN_xgetbv);
    EXPECT(decode_hex("0f 01 f8", 64, 0, &in) == 3 && in.mnem == MN_swapgs);
    EXPECT(decode_hex("0f 01 f8", 32, 0, &in) == X86_DECODE_UD);
    EXPECT(decode_hex("0f 01 10", 32, 0, &in) == 3 && in.mnem == MN_lgdt && in.op[0].size == 6);
    EXPECT(decode_hex("0f 01 10", 64, 0, &in) == 3 && in.op[0].size == 10);
    EXPECT(decode_hex("0f 01 d8", 32, 0, &in) == X86_DECODE_UD);  /* lidt mod=3 (VMRUN) */
    EXPECT(decode_hex("8e c8", 32, 0, &in) == X86_DECODE_UD);     /* mov cs, ax */
    EXPECT(decode_hex("8c f0", 32, 0, &in) == X86_DECODE_UD);     /* sreg 6 */
    EXPECT(decode_hex("8e d8", 32, 0, &in) == 2 && in.op[0].kind == X86_OPK_SEG &&
           in.op[0].reg == R_DS);
    EXPECT(decode_hex("0f 20 c8", 32, 0, &in) == X86_DECODE_UD);  /* cr1 */
    EXPECT(decode_hex("44 0f 20 c0", 64, 0, &in) == 4 && in.op[1].reg == 8); /* cr8 */
    EXPECT(decode_hex("0f 22 18", 32, 0, &in) == 3);              /* mod ignored */
    EXPECT(in.op[0].kind == X86_OPK_CR && in.op[0].reg == 3 && in.op[1].reg == R_EAX);
    /* system/misc spellings */
    EXPECT(decode_hex("f3 0f 1e fa", 64, 0, &in) == 4 && in.mnem == MN_endbr64);
    EXPECT(decode_hex("0f 1f 44 00 00", 64, 0, &in) == 5 && in.mnem == MN_nop);
    EXPECT(decode_hex("0f b9 c0", 32, 0, &in) == 3 && in.mnem == MN_ud1);
    EXPECT(decode_hex("0f ff c0", 32, 0, &in) == 3 && in.mnem == MN_ud0);
    EXPECT(decode_hex("f2 0f 38 f1 c1", 32, 0, &in) == 5 && in.mnem == MN_crc32);
    EXPECT(decode_hex("0f 38 f0 01", 32, 0, &in) == 4 && in.mnem == MN_movbe);
    EXPECT(decode_hex("db e3", 32, 0, &in) == 2 && in.mnem == MN_fninit);
    EXPECT(decode_hex("dd 06 34 12", 16, 0, &in) == 4 && in.mnem == MN_x87);
    EXPECT(decode_hex("66 0f 70 c1 1b", 32, 0, &in) == 5 && in.mnem == MN_mmx_sse);
    EXPECT(in.mandatory == 0x66 && in.op[0].imm == 0x1b);
    EXPECT(decode_hex("66 0f 3a 0f c1 08", 32, 0, &in) == 6 && in.map == 3);
    EXPECT(decode_hex("98", 64, 0, &in) == 1 && strcmp(x86_insn_name(&in), "cwde") == 0);
    EXPECT(decode_hex("48 a5", 64, 0, &in) == 2 && strcmp(x86_insn_name(&in), "movsq") == 0);
    EXPECT(in.seg == R_DS);
}

int main(void)
{
    test_prefixes();
    test_lengths();
    test_lock();
    test_addressing();
    test_immediates_and_branches();
    test_modes_and_invalid();
    if (failures) {
        printf("test_decode_unit: %d failures\n", failures);
        return 1;
    }
    printf("test_decode_unit: all passed\n");
    return 0;
}
