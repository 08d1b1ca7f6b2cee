/*
 * tests/decode/test_decode_capstone.c — cross-check x86_decode() against Capstone.
 *
 * A seeded generator builds, for each code size, every opcode of the one-byte, 0F, 0F38 and
 * 0F3A maps many times over with random prefixes (legacy, REX, sometimes too many) and
 * random ModRM/SIB/displacement/immediate bytes. Each case is decoded by both; they must
 * agree on valid vs invalid, on the length, on the mnemonic (integer instructions; x87 and
 * SIMD by length only) and, for instructions with explicit operands, on the operands.
 *
 * Capstone 4 is wrong in known places. Each such place is one category in the table of
 * known disagreements below, with the reason; a disagreement that no category explains fails
 * the test. `test_decode_capstone -v` lists every explained disagreement as well.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "cpu/decode.h"

#define CASES_PER_OPCODE 200    /* x 4 maps x 256 opcodes = 204,800 per mode */
#define BUF_LEN 24

/* ------------------------------------------------------------------ known disagreements */

typedef enum KnownCategory {
    /* LOCK is only legal on the lockable instructions with a memory destination (SDM Vol. 2
     * "LOCK"); Capstone accepts it on anything. Detected as: ferry accepts the same bytes
     * with the F0 replaced by a harmless prefix. */
    K_LOCK,
    /* x87 encodings the SDM opcode maps (Tables A-7..A-22) leave blank: FSTP1/8/9, FXCH4/7,
     * FCOM2, FCOMP3/5, FFREEP, FENI/FDISI/FSETPM... Capstone decodes the undocumented
     * aliases; ferry follows the SDM. */
    K_X87_RESERVED,
    /* Hint space 0F 0D and 0F 18-1F: the SDM defines 0F 19-1F as "NOP Ev" (reserved-NOP)
     * in every form and 0F 0D /r as PREFETCHW-class m8 hints; Capstone 4 rejects many of
     * those forms, or decodes them as MPX BND* (MPX is not modelled: NOPs, as on CPUs
     * without MPX). */
    K_HINT_NOP,
    /* Near-branch sizes. In 64-bit mode Intel CPUs give Jcc/JMP/CALL near a 64-bit operand
     * size whatever 66 says (SDM Vol. 2 Jcc/JMP/CALL); Capstone follows AMD (rel16,
     * truncated target). In every mode Capstone lets 67 (address size) shorten the
     * displacement or truncate the target, which only the operand size controls. */
    K_BRANCH_SIZE,
    /* 16-bit mode: Capstone 4 truncates branch targets to 16 bits even when 66 makes the
     * operand size 32 (EIP is then 32-bit), spells CBW/CWD as CWDE/CDQ without 66, and
     * rejects SSE/CRC32 encodings it accepts in 32-bit mode with the same prefixes. */
    K_CAPSTONE_16BIT,
    /* Register encodings that do not exist: MOV to CS, Sreg 6/7, CR1 CR5-CR7 CR9-CR15,
     * DR8-DR15 (#UD per the SDM); Capstone prints them. */
    K_BAD_REGISTER,
    /* Intel: SYSCALL, SYSRET and SWAPGS are #UD outside 64-bit mode; Capstone decodes them
     * in every mode (SYSCALL/SYSRET there are AMD behaviour). */
    K_LONG_MODE_ONLY,
    /* Capstone does not stop at the architectural 15-byte limit (#GP(0) on the CPU). */
    K_TOO_LONG,
    /* Intel: UD0 (0F FF) and UD1 (0F B9) take a ModRM byte; Capstone 4 decodes them
     * without one (and rejects UD0 behind some prefixes). */
    K_UD_MODRM,
    /* Mandatory prefixes: the SDM opcode maps give each SSE/MMX/SHA/AES/MOVBE opcode a
     * column per prefix (none, 66, F3, F2); a prefix whose column is empty makes the
     * encoding reserved (#UD; SDM 2.1 "NP"), and F2/F3 take precedence over 66. Capstone
     * ignores such prefixes, accepts some 66-only forms without the 66, rejects valid
     * forms when another prefix sits between the mandatory prefix and the opcode, and
     * ignores F2/F3 when 66 is also present (F3 66 0F BC = TZCNT r16, F3 66 90 = PAUSE).
     * Detected by re-decoding with the prefixes removed, reordered or added: Capstone must
     * then print the same instruction and ferry must accept it. */
    K_MANDATORY_PREFIX,
    /* Capstone's verdict depends on the order of the legacy prefixes (it drops a 66 or 67
     * followed by certain other prefixes, and wants a mandatory prefix adjacent to the
     * opcode); the CPU does not care except that the last F2/F3 and the last segment
     * override win. Detected as: Capstone agrees with ferry once the same prefixes are put
     * in a canonical order that keeps those two. */
    K_PREFIX_ORDER,
    /* Prefix rules Capstone gets wrong: REX.R is ignored when ModRM.reg names a segment
     * register (SDM 2.2.1.2) but Capstone rejects MOV Sreg with REX.R; a REX followed by a
     * legacy prefix is ignored (SDM 2.2.1) but Capstone applies it and drops the 67 after
     * it; of several REX bytes only the last counts; REX.W takes precedence over 66 (SDM 2.2.1.2) including on OUTS/INS (which have
     * no 64-bit form: 32-bit); MOVSXD takes its operand size from 66/REX.W (SDM: MOVSXD
     * r16,r/m16 / r32,r/m32 / r64,r/m32) where Capstone always prints r64, r/m32. */
    K_PREFIX_RULES,
    /* LFENCE/MFENCE/SFENCE ignore ModRM.rm (SDM: "0F AE E8-EF" etc. all encode LFENCE);
     * Capstone accepts only rm=0. */
    K_FENCE_RM,
    /* Instructions newer than Capstone 4: RDPID (F3 0F C7 /7, register form; SDM Vol. 2
     * "RDPID") is read by Capstone as RDSEED with the F3 ignored. */
    K_NEWER_THAN_CAPSTONE,
    /* Not a Capstone error: instructions ferry's CPU model does not implement and decodes
     * as #UD on purpose (VMX, SVM, SMX, TSX, MPX, RDRAND/RDSEED, 3DNow!, AVX VEX/EVEX,
     * XOP, SSE4a, ADX, XSAVES, CLWB/CLFLUSHOPT, WAITPKG, PKU, ...). Listed so that every one
     * is explicit. */
    K_NOT_MODELLED,
    NB_KNOWN
} KnownCategory;

static const char *const known_names[NB_KNOWN] = {
    "lock", "x87-reserved", "hint-nop", "branch-size", "capstone-16bit", "bad-register",
    "long-mode-only", "too-long", "ud-modrm", "mandatory-prefix", "prefix-order", "prefix-rules", "fence-rm",
    "newer-than-capstone", "not-modelled",
};

/* ------------------------------------------------------------------ generator */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static const uint8_t legacy_prefixes[] = {
    0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65,
};

/* One case: prefixes, the map escape, the opcode, random bytes. Returns its byte count. */
static void generate_case(int bits, int map, int opcode, uint8_t *buf)
{
    unsigned n = 0;
    unsigned r = (unsigned)rng();
    unsigned nprefix = (r & 3) == 0 ? 0 : (r & 3) == 1 ? 1 : (r >> 2) % 3;
    if ((r >> 4) % 64 == 0)
        nprefix = 8 + (r >> 10) % 8;            /* near or over the 15-byte limit */
    for (unsigned i = 0; i < nprefix; i++) {
        unsigned pick = (unsigned)(rng() % sizeof(legacy_prefixes));
        /* LOCK and F2/F3 are rarer so lockable memory forms are not drowned out */
        if (legacy_prefixes[pick] == 0xF0 && rng() % 3)
            pick = 0;
        buf[n++] = legacy_prefixes[pick];
    }
    if (bits == 64 && (r >> 16) % 3 == 0) {
        buf[n++] = (uint8_t)(0x40 | (rng() & 15));
        if ((r >> 18) % 16 == 0)                /* REX then a legacy prefix: REX ignored */
            buf[n++] = legacy_prefixes[rng() % sizeof(legacy_prefixes)];
    }
    if (map >= 1)
        buf[n++] = 0x0F;
    if (map == 2)
        buf[n++] = 0x38;
    if (map == 3)
        buf[n++] = 0x3A;
    buf[n++] = (uint8_t)opcode;
    while (n < BUF_LEN)
        buf[n++] = (uint8_t)rng();
}

/* ------------------------------------------------------------------ Capstone registers */

typedef struct RegInfo { int num; int size; bool hibyte; int kind; } RegInfo;

static RegInfo capstone_reg(x86_reg r)
{
    static const x86_reg r64[16] = { X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX,
        X86_REG_RSP, X86_REG_RBP, X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9,
        X86_REG_R10, X86_REG_R11, X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15 };
    static const x86_reg r32[16] = { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
        X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D,
        X86_REG_R10D, X86_REG_R11D, X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D };
    static const x86_reg r16[16] = { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
        X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W,
        X86_REG_R10W, X86_REG_R11W, X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W };
    static const x86_reg r8[16] = { X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL,
        X86_REG_SPL, X86_REG_BPL, X86_REG_SIL, X86_REG_DIL, X86_REG_R8B, X86_REG_R9B,
        X86_REG_R10B, X86_REG_R11B, X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B };
    static const x86_reg hi8[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };
    static const x86_reg seg[6] = { X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS,
        X86_REG_FS, X86_REG_GS };
    for (int i = 0; i < 16; i++) {
        if (r == r64[i]) return (RegInfo){ i, 8, false, X86_OPK_REG };
        if (r == r32[i]) return (RegInfo){ i, 4, false, X86_OPK_REG };
        if (r == r16[i]) return (RegInfo){ i, 2, false, X86_OPK_REG };
        if (r == r8[i]) return (RegInfo){ i, 1, false, X86_OPK_REG };
        if (i < 4 && r == hi8[i]) return (RegInfo){ i, 1, true, X86_OPK_REG };
        if (i < 6 && r == seg[i]) return (RegInfo){ i, 2, false, X86_OPK_SEG };
        if ((int)r == X86_REG_CR0 + i) return (RegInfo){ i, 0, false, X86_OPK_CR };
        if ((int)r == X86_REG_DR0 + i) return (RegInfo){ i, 0, false, X86_OPK_DR };
    }
    return (RegInfo){ -1, 0, false, X86_OPK_NONE };
}

/* ------------------------------------------------------------------ comparison */

typedef struct Case {
    int bits;
    const uint8_t *buf;
    uint64_t pc;
    int rc;                 /* x86_decode result */
    const X86Insn *insn;
    const cs_insn *cs;      /* NULL: Capstone rejected it */
} Case;

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Capstone's mnemonic without the prefixes it folds in ("rep movsb", "lock add") */
static const char *capstone_base_mnemonic(const char *m)
{
    static const char *const folded[] = { "rep ", "repe ", "repne ", "repz ", "repnz ",
        "lock ", "bnd ", "notrack ", "xacquire ", "xrelease ", "data16 " };
    for (bool again = true; again;) {
        again = false;
        for (size_t i = 0; i < sizeof(folded) / sizeof(folded[0]); i++)
            if (starts_with(m, folded[i])) {
                m += strlen(folded[i]);
                again = true;
            }
    }
    return m;
}

/* Different spellings of one instruction: not disagreements */
static bool same_name(const char *ours, const char *cs)
{
    static const char *const aliases[][2] = {
        { "ud1", "ud2b" },          /* Capstone's older name for 0F B9 */
        { "mov", "movabs" },        /* moffs64 and imm64 forms of MOV */
    };
    if (strcmp(ours, cs) == 0)
        return true;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(ours, aliases[i][0]) == 0 && strcmp(cs, aliases[i][1]) == 0)
            return true;
    /* ferry keeps one mnemonic for the prefetch hints (PREFETCHh, PREFETCHW(T1)) */
    return strcmp(ours, "prefetch") == 0 && starts_with(cs, "prefetch");
}

static uint64_t mask_bytes(uint64_t v, unsigned size)
{
    return size >= 8 || size == 0 ? v : v & ((1ull << (8 * size)) - 1);
}

/* Compare explicit operands. Returns NULL if they agree, else what differs. */
static const char *compare_operands(const Case *c)
{
    const X86Insn *in = c->insn;
    const cs_x86 *x = &c->cs->detail->x86;
    if (x->op_count != in->nops)
        return "operand count";
    for (int i = 0; i < in->nops; i++) {
        const X86Operand *o = &in->op[i];
        const cs_x86_op *co = &x->operands[i];
        switch (o->kind) {
        case X86_OPK_REG: case X86_OPK_SEG: case X86_OPK_CR: case X86_OPK_DR: {
            if (co->type != X86_OP_REG)
                return "operand type (reg)";
            RegInfo ri = capstone_reg(co->reg);
            if (ri.kind != o->kind || ri.num != o->reg)
                return "register";
            if (o->kind == X86_OPK_REG && (ri.size != o->size || ri.hibyte != o->hibyte))
                return "register size";
            break;
        }
        case X86_OPK_IMM: case X86_OPK_REL:
            if (co->type != X86_OP_IMM)
                return "operand type (imm)";
            if (mask_bytes(o->imm, o->size) != mask_bytes((uint64_t)co->imm, o->size))
                return "immediate";
            break;
        case X86_OPK_MEM: {
            if (co->type != X86_OP_MEM)
                return "operand type (mem)";
            const x86_op_mem *m = &co->mem;
            if (m->base == X86_REG_RIP || m->base == X86_REG_EIP) {
                uint64_t target = mask_bytes(c->pc + in->len + (uint64_t)m->disp, in->addrsize);
                if (!in->rip_rel || (uint64_t)in->disp != target)
                    return "rip-relative address";
                break;
            }
            RegInfo b = capstone_reg(m->base), ix = capstone_reg(m->index);
            if (b.num != in->ea_base || ix.num != in->ea_index)
                return "base/index";
            if (ix.num >= 0 && (1 << in->ea_scale) != m->scale)
                return "scale";
            if (mask_bytes((uint64_t)m->disp, in->addrsize) !=
                mask_bytes((uint64_t)in->disp, in->addrsize))
                return "displacement";
            if (m->segment != X86_REG_INVALID) {
                RegInfo s = capstone_reg(m->segment);
                /* 64-bit mode ignores ES/CS/SS/DS overrides; Capstone still prints them */
                bool ignored = c->bits == 64 && s.num < 4;
                if (!ignored && (!in->seg_override || in->seg != s.num))
                    return "segment";
            }
            break;
        }
        case X86_OPK_FAR:
            break;      /* Capstone splits ptr16:32 into two immediates; checked by unit tests */
        default:
            return "operand kind";
        }
    }
    return NULL;
}

/* Mnemonics whose operands Capstone lists the way ferry does (explicit operands only) */
static bool operands_comparable(const X86Insn *in)
{
    static const uint16_t mnems[] = {
        MN_add, MN_or, MN_adc, MN_sbb, MN_and, MN_sub, MN_xor, MN_cmp, MN_test, MN_inc,
        MN_dec, MN_neg, MN_not, MN_mov, MN_movsx, MN_movzx, MN_movsxd, MN_lea, MN_cmovcc,
        MN_setcc, MN_rol, MN_ror, MN_rcl, MN_rcr, MN_shl, MN_shr, MN_sal, MN_sar, MN_shld,
        MN_shrd, MN_bt, MN_bts, MN_btr, MN_btc, MN_bsf, MN_bsr, MN_jcc, MN_jmp, MN_call,
        MN_loop, MN_loope, MN_loopne, MN_jcxz, MN_int, MN_ret, MN_xadd, MN_cmpxchg,
        MN_popcnt, MN_tzcnt, MN_lzcnt, MN_mov_cr, MN_mov_dr, MN_bswap, MN_imul,
    };
    for (size_t i = 0; i < sizeof(mnems) / sizeof(mnems[0]); i++)
        if (in->mnem == mnems[i])
            return true;
    return false;
}

/* An independent look at the raw bytes: where the prefixes end and what follows */
typedef struct RawShape {
    int nprefix;            /* legacy + REX bytes */
    bool lock, rep_f2, rep_f3, opsize66, adsize67, rex_r, rex_w;
    bool rex_ignored;       /* a REX followed by a legacy prefix */
    int nrex;               /* REX bytes directly before the opcode */
    int map;                /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A */
    int opcode;
    int modrm;
} RawShape;

static RawShape raw_shape(const Case *c)
{
    RawShape r = { 0 };
    int n = 0, rex = 0;
    for (; n < BUF_LEN; n++) {
        uint8_t b = c->buf[n];
        if (c->bits == 64 && (b & 0xF0) == 0x40) {
            rex = b;
            r.nrex++;
            continue;
        }
        if (!memchr(legacy_prefixes, b, sizeof(legacy_prefixes)))
            break;
        r.rex_ignored |= rex != 0;
        rex = 0;
        r.nrex = 0;
        r.lock |= b == 0xF0;
        r.rep_f2 |= b == 0xF2;
        r.rep_f3 |= b == 0xF3;
        r.opsize66 |= b == 0x66;
        r.adsize67 |= b == 0x67;
    }
    r.nprefix = n;
    r.rex_r = rex & 4;
    r.rex_w = rex & 8;
    const uint8_t *p = c->buf + n;
    if (p[0] == 0x0F && (p[1] == 0x38 || p[1] == 0x3A)) {
        r.map = p[1] == 0x38 ? 2 : 3;
        r.opcode = p[2];
        r.modrm = p[3];
    } else if (p[0] == 0x0F) {
        r.map = 1;
        r.opcode = p[1];
        r.modrm = p[2];
    } else {
        r.opcode = p[0];
        r.modrm = p[1];
    }
    return r;
}

static csh cs_handles[65];

/* Decode a variant of a case's bytes with both decoders: ferry's verdict, Capstone's name */
static int decode_variant(const Case *c, const uint8_t *buf, char *cs_name, size_t cs_name_len,
                          int *cs_len)
{
    X86Insn insn;
    cs_insn *ci;
    cs_name[0] = 0;
    *cs_len = 0;
    if (cs_disasm(cs_handles[c->bits], buf, BUF_LEN, c->pc, 1, &ci) == 1) {
        snprintf(cs_name, cs_name_len, "%s", capstone_base_mnemonic(ci->mnemonic));
        *cs_len = ci->size;
        cs_free(ci, 1);
    }
    return x86_decode(buf, BUF_LEN, c->bits, c->pc, &insn);
}

/* Variant: every prefix byte in `which` replaced by 2E (a segment override: no effect on
 * validity, ignored in 64-bit mode) */
static void variant_without(const Case *c, const RawShape *r, const char *which, uint8_t *buf)
{
    memcpy(buf, c->buf, BUF_LEN);
    for (int i = 0; i < r->nprefix; i++)
        if (strchr(which, buf[i] == 0x66 ? '6' : buf[i] == 0xF2 ? '2' : buf[i] == 0xF3 ? '3' : 'x'))
            buf[i] = 0x2E;
}

/* Variant: the same prefixes with 66/F2/F3 moved next to the opcode (before any REX) and
 * only the last of F2/F3 kept (the others become 2E, so the length stays) */
static void variant_reordered(const Case *c, const RawShape *r, uint8_t *buf)
{
    uint8_t others[BUF_LEN], mand[BUF_LEN];
    int no = 0, nm = 0, last_rep = -1, rex = -1;
    for (int i = 0; i < r->nprefix; i++) {
        uint8_t b = c->buf[i];
        if (c->bits == 64 && (b & 0xF0) == 0x40)
            rex = b;
        else if (b == 0xF2 || b == 0xF3) {
            if (last_rep >= 0)
                others[no++] = 0x2E;
            last_rep = b, rex = -1;
        }
        else if (b == 0x66)
            mand[nm++] = b, rex = -1;
        else
            others[no++] = b, rex = -1;
    }
    if (last_rep >= 0)
        mand[nm++] = (uint8_t)last_rep;
    int n = 0;
    memcpy(buf, others, no);
    n += no;
    memcpy(buf + n, mand, nm);
    n += nm;
    if (rex >= 0)
        buf[n++] = (uint8_t)rex;
    memcpy(buf + n, c->buf + r->nprefix, BUF_LEN - n);
}

/* Variant: the legacy prefixes in a canonical order: segment/LOCK first, then 67, 66 and the
 * last F2/F3 in the order `tail` gives ('7', '6', 'R'), any REX last. The other F2/F3 bytes
 * become 2E placed before the segment bytes, so the last segment override still wins. */
static void variant_canonical(const Case *c, const RawShape *r, const char *tail, uint8_t *buf)
{
    int n = 0, last_rep = -1, rex = -1;
    int n66 = 0, n67 = 0;
    for (int i = 0; i < r->nprefix; i++) {
        uint8_t b = c->buf[i];
        if (c->bits == 64 && (b & 0xF0) == 0x40)
            rex = b;
        else if (b == 0xF2 || b == 0xF3)
            last_rep = b, rex = -1;
        else
            rex = -1;
    }
    bool first_rep = true;
    for (int i = 0; i < r->nprefix; i++)
        if (c->buf[i] == 0xF2 || c->buf[i] == 0xF3) {
            if (!first_rep)
                buf[n++] = 0x2E;
            first_rep = false;
        }
    for (int i = 0; i < r->nprefix; i++) {
        uint8_t b = c->buf[i];
        if (b == 0x66) n66++;
        else if (b == 0x67) n67++;
        else if (b != 0xF2 && b != 0xF3 && !(c->bits == 64 && (b & 0xF0) == 0x40))
            buf[n++] = b;
    }
    for (const char *t = tail; *t; t++) {
        for (int k = 0; *t == '6' && k < n66; k++) buf[n++] = 0x66;
        for (int k = 0; *t == '7' && k < n67; k++) buf[n++] = 0x67;
        if (*t == 'R' && last_rep >= 0) buf[n++] = (uint8_t)last_rep;
    }
    if (rex >= 0)
        buf[n++] = (uint8_t)rex;
    memcpy(buf + n, c->buf + r->nprefix, BUF_LEN - n);
}

/* Does Capstone agree with ferry (same length, same name) on a reordered variant, with
 * ferry's own decoding of the variant unchanged? */
static bool reorder_explains(const Case *c, const uint8_t *buf)
{
    char name[32];
    int cs_len;
    X86Insn insn;
    int rc = decode_variant(c, buf, name, sizeof(name), &cs_len);
    if (rc != c->rc || rc <= 0 || cs_len != rc)
        return false;
    x86_decode(buf, BUF_LEN, c->bits, c->pc, &insn);
    if (insn.mnem != c->insn->mnem || insn.opsize != c->insn->opsize)
        return false;
    return insn.mnem == MN_x87 || insn.mnem == MN_mmx_sse || same_name(x86_insn_name(&insn), name);
}

/* Variant: F2/F3 neutralised and 66 added in front */
static void variant_with_66(const Case *c, const RawShape *r, uint8_t *buf)
{
    uint8_t tmp[BUF_LEN];
    variant_without(c, r, "23", tmp);
    buf[0] = 0x66;
    memcpy(buf + 1, tmp, BUF_LEN - 1);
}

/* Does a variant show the disagreement was only about mandatory prefixes? ferry accepts the
 * variant and Capstone prints the same instruction for it as for the original (or, when
 * Capstone rejected the original, accepts the variant as what ferry decoded) */
static bool prefix_variant_explains(const Case *c, const uint8_t *buf)
{
    char name[32];
    int cs_len;
    int rc = decode_variant(c, buf, name, sizeof(name), &cs_len);
    if (rc <= 0 || !name[0])
        return false;
    if (c->cs)
        return strcmp(name, capstone_base_mnemonic(c->cs->mnemonic)) == 0;
    return rc == cs_len;
}

static bool in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(name, *list) == 0)
            return true;
    return false;
}

/* Capstone mnemonics of instructions ferry does not model (see K_NOT_MODELLED) */
static bool not_modelled_name(const char *m)
{
    static const char *const names[] = {
        "vmread", "vmwrite", "vmcall", "vmlaunch", "vmresume", "vmxoff", "vmxon", "vmclear",
        "vmptrld", "vmptrst", "invept", "invvpid", "vmfunc", "getsec", "femms", "rdrand",
        "rdseed", "xsaves", "xrstors", "xsaves64", "xrstors64", "xend", "xtest",
        "xabort", "xbegin", "adcx", "adox", "clwb", "clflushopt", "monitorx", "mwaitx",
        "clzero", "vmrun", "vmmcall", "vmload", "vmsave", "stgi", "clgi", "skinit", "invlpga",
        "encls", "enclu", "rdpkru", "wrpkru", "extrq", "insertq", "movntss", "movntsd",
        "tpause", "umonitor", "umwait", "ptwrite", "cldemote",
        /* VIA PadLock (0F A6 / 0F A7) */
        "montmul", "xsha1", "xsha256", "xstorerng", "xcryptecb", "xcryptcbc", "xcryptctr",
        "xcryptcfb", "xcryptofb", NULL,
    };
    if (in_list(m, names) || starts_with(m, "bnd"))
        return true;
    /* 3DNow! (0F 0F) and AVX/XOP/EVEX encodings */
    return starts_with(m, "pf") || starts_with(m, "pi2f") || starts_with(m, "pavgusb") ||
           starts_with(m, "pmulhrw") || starts_with(m, "pswapd") || m[0] == 'v' ||
           starts_with(m, "kmov") || starts_with(m, "kand") || starts_with(m, "kor") ||
           starts_with(m, "kxor") || starts_with(m, "kxnor") || starts_with(m, "knot") ||
           starts_with(m, "kshift") || starts_with(m, "kunpck") || starts_with(m, "ktest") ||
           starts_with(m, "kadd") || starts_with(m, "kortest");
}

static bool is_near_branch(const RawShape *r)
{
    if (r->map == 0)
        return (r->opcode >= 0x70 && r->opcode <= 0x7F) || r->opcode == 0xE8 ||
               r->opcode == 0xE9 || r->opcode == 0xEB || r->opcode == 0xC2 ||
               r->opcode == 0xC3 || (r->opcode >= 0xE0 && r->opcode <= 0xE3);
    return r->map == 1 && r->opcode >= 0x80 && r->opcode <= 0x8F;
}

static bool capstone32_accepts(const uint8_t *buf)
{
    cs_insn *ci;
    if (cs_disasm(cs_handles[32], buf, BUF_LEN, 0, 1, &ci) != 1)
        return false;
    cs_free(ci, 1);
    return true;
}

static const char *const lockable_names[] = {
    "add", "adc", "and", "btc", "btr", "bts", "cmpxchg", "cmpxchg8b", "cmpxchg16b", "dec",
    "inc", "neg", "not", "or", "sbb", "sub", "xadd", "xchg", "xor", NULL,
};

/* Which known category explains a disagreement, or -1. `what` says what differs. */
static int classify(const Case *c, const char *what)
{
    RawShape r = raw_shape(c);
    bool ferry_rejects = c->rc <= 0 && c->cs;
    bool capstone_rejects = c->rc > 0 && !c->cs;
    const char *csname = c->cs ? capstone_base_mnemonic(c->cs->mnemonic) : "";
    bool sizes = strcmp(what, "length") == 0 || strcmp(what, "immediate") == 0;
    uint8_t variant[BUF_LEN];

    if (c->rc == X86_DECODE_TOO_LONG && c->cs && c->cs->size > 15)
        return K_TOO_LONG;
    if (c->rc > 0 && c->insn->mnem == MN_rdpid && strcmp(csname, "rdseed") == 0)
        return K_NEWER_THAN_CAPSTONE;
    if (ferry_rejects && not_modelled_name(csname))
        return K_NOT_MODELLED;
    if (ferry_rejects && r.lock) {
        X86Insn insn;
        memcpy(variant, c->buf, BUF_LEN);
        for (int i = 0; i < r.nprefix; i++)
            if (variant[i] == 0xF0)
                variant[i] = 0x2E;
        if (x86_decode(variant, BUF_LEN, c->bits, c->pc, &insn) > 0)
            return K_LOCK;
    }
    if (ferry_rejects && r.map == 0 && r.opcode >= 0xD8 && r.opcode <= 0xDF)
        return K_X87_RESERVED;
    if (r.map == 1 && (r.opcode == 0x0D || (r.opcode >= 0x18 && r.opcode <= 0x1F)))
        return K_HINT_NOP;
    if (r.map == 1 && (r.opcode == 0xB9 || r.opcode == 0xFF))
        return K_UD_MODRM;
    if (c->bits != 64 && ferry_rejects && (strcmp(csname, "syscall") == 0 ||
        strcmp(csname, "sysret") == 0 || strcmp(csname, "swapgs") == 0))
        return K_LONG_MODE_ONLY;
    if (is_near_branch(&r) && ((c->bits == 64 && r.opsize66) || r.adsize67) &&
        (sizes || (c->rc == X86_DECODE_TOO_LONG && c->cs)))
        return K_BRANCH_SIZE;
    if (c->bits == 16 && is_near_branch(&r) && r.opsize66 && strcmp(what, "immediate") == 0)
        return K_CAPSTONE_16BIT;
    if (c->bits == 16 && r.map == 0 && (r.opcode == 0x98 || r.opcode == 0x99) &&
        strcmp(what, "mnemonic") == 0)
        return K_CAPSTONE_16BIT;
    if (c->bits == 16 && capstone_rejects && r.map >= 1) {
        if (capstone32_accepts(c->buf))
            return K_CAPSTONE_16BIT;
        /* the same instruction for 32-bit mode: 67 keeps 16-bit addressing, one 66 and the
         * last F2/F3 stay, redundant prefixes go */
        int n = 0, last_rep = -1;
        for (int i = 0; i < r.nprefix; i++)
            if (c->buf[i] == 0xF2 || c->buf[i] == 0xF3)
                last_rep = c->buf[i];
        if (!r.adsize67)
            variant[n++] = 0x67;
        if (r.opsize66)
            variant[n++] = 0x66;
        if (last_rep >= 0)
            variant[n++] = (uint8_t)last_rep;
        memcpy(variant + n, c->buf + r.nprefix, BUF_LEN - n);
        if (capstone32_accepts(variant))
            return K_CAPSTONE_16BIT;
    }
    if (ferry_rejects && r.map == 1 && r.opcode >= 0x20 && r.opcode <= 0x23 && !r.lock)
        return K_BAD_REGISTER;
    if (ferry_rejects && r.map == 0 && (r.opcode == 0x8C || r.opcode == 0x8E)) {
        int sreg = (r.modrm >> 3) & 7;
        if (sreg > 5 || (r.opcode == 0x8E && sreg == 1))
            return K_BAD_REGISTER;
    }
    if (capstone_rejects && c->bits == 64 && r.rex_r && r.map == 0 &&
        (r.opcode == 0x8C || r.opcode == 0x8E))
        return K_PREFIX_RULES;
    if (c->rc > 0 && c->insn->mnem == MN_movsxd && strcmp(what, "register size") == 0)
        return K_PREFIX_RULES;
    if (ferry_rejects && r.lock && !in_list(csname, lockable_names))
        return K_LOCK;
    if (c->bits == 64 && r.opsize66 && r.rex_w && !r.rex_ignored && c->rc > 0 && c->cs)
        return K_PREFIX_RULES;      /* REX.W overrides 66 */
    if (c->bits == 64 && r.rex_ignored && (capstone_rejects || (c->rc > 0 && c->cs)))
        return K_PREFIX_RULES;      /* a REX followed by a legacy prefix is ignored */
    if (c->bits == 64 && r.nrex > 1 && c->rc > 0 && c->cs)
        return K_PREFIX_RULES;      /* of several REX bytes only the last counts */
    if (c->bits == 64 && r.rex_w && c->rc > 0 && c->cs &&
        (c->insn->mnem == MN_ins || c->insn->mnem == MN_outs || c->insn->mnem == MN_jcxz ||
         c->insn->mnem == MN_pause))
        return K_PREFIX_RULES;      /* REX.W: no 64-bit I/O, no effect on address size */
    static const char *const orders[] = { "76R", "7R6", "R76", "67R", "6R7", "R67" };
    for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]) && c->rc > 0; i++) {
        variant_canonical(c, &r, orders[i], variant);
        if (reorder_explains(c, variant))
            return K_PREFIX_ORDER;
    }
    if (capstone_rejects && r.map == 1 && r.opcode == 0xAE && (r.modrm >> 6) == 3 &&
        ((r.modrm >> 3) & 7) >= 5)
        return K_FENCE_RM;
    if (r.map >= 1 || (r.map == 0 && r.opcode == 0x90)) {
        if (c->cs) {
            variant_without(c, &r, "23", variant);
            if (prefix_variant_explains(c, variant))
                return K_MANDATORY_PREFIX;
            variant_without(c, &r, "623", variant);
            if (prefix_variant_explains(c, variant))
                return K_MANDATORY_PREFIX;
            variant_with_66(c, &r, variant);
            if (ferry_rejects && !r.opsize66 && prefix_variant_explains(c, variant))
                return K_MANDATORY_PREFIX;
        }
        variant_reordered(c, &r, variant);
        if (capstone_rejects && prefix_variant_explains(c, variant))
            return K_MANDATORY_PREFIX;
    }
    return -1;
}

/* ------------------------------------------------------------------ driver */

typedef struct Stats {
    unsigned long cases, agreed, operand_checked, known[NB_KNOWN], unexplained;
} Stats;

static void describe(const Case *c, const char *what)
{
    printf("MISMATCH (%s) mode %d pc %#" PRIx64 " bytes", what, c->bits, c->pc);
    for (int i = 0; i < 16; i++)
        printf(" %02x", c->buf[i]);
    if (c->rc > 0)
        printf("\n  ferry:    len %d %s (mnem %s) nops %d\n", c->rc, x86_insn_name(c->insn),
               x86_mnem_name((X86Mnem)c->insn->mnem), c->insn->nops);
    else
        printf("\n  ferry:    error %d\n", c->rc);
    if (c->cs)
        printf("  capstone: len %u %s %s\n", c->cs->size, c->cs->mnemonic, c->cs->op_str);
    else
        printf("  capstone: invalid\n");
}

static void record(Stats *st, const Case *c, const char *what, bool verbose)
{
    int k = classify(c, what);
    if (k >= 0) {
        st->known[k]++;
        if (verbose) {
            printf("[known %s] ", known_names[k]);
            describe(c, what);
        }
        return;
    }
    if (st->unexplained++ < 25 || verbose)
        describe(c, what);
}

/* NULL if ferry and Capstone agree on this case */
static const char *compare_case(const Case *c, Stats *st)
{
    bool ours_valid = c->rc > 0;
    if (!ours_valid && !c->cs)
        return NULL;
    if (ours_valid != (c->cs != NULL))
        return ours_valid ? "capstone rejects" : "ferry rejects";
    if (c->rc != c->cs->size)
        return "length";
    uint16_t mn = c->insn->mnem;
    if (mn == MN_x87 || mn == MN_mmx_sse)
        return NULL;
    if (!same_name(x86_insn_name(c->insn), capstone_base_mnemonic(c->cs->mnemonic)))
        return "mnemonic";
    if (operands_comparable(c->insn)) {
        st->operand_checked++;
        return compare_operands(c);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    bool verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
    static const int modes[3] = { 16, 32, 64 };
    Stats total = { 0 };

    for (int m = 0; m < 3; m++) {
        int bits = modes[m];
        csh h;
        if (cs_open(CS_ARCH_X86, bits == 16 ? CS_MODE_16 : bits == 32 ? CS_MODE_32 : CS_MODE_64,
                    &h) != CS_ERR_OK) {
            fprintf(stderr, "cs_open failed\n");
            return 2;
        }
        cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
        cs_handles[bits] = h;
    }
    for (int m = 0; m < 3; m++) {
        int bits = modes[m];
        csh h = cs_handles[bits];
        cs_insn *cs = cs_malloc(h);
        Stats st = { 0 };
        for (int map = 0; map < 4; map++) {
            for (int opcode = 0; opcode < 256; opcode++) {
                for (int k = 0; k < CASES_PER_OPCODE; k++) {
                    uint8_t buf[BUF_LEN];
                    X86Insn insn;
                    generate_case(bits, map, opcode, buf);
                    uint64_t pc = rng();
                    pc = bits == 16 ? pc & 0xFFFF : bits == 32 ? pc & 0xFFFFFFFF
                       : (pc & 1) ? pc : pc & 0xFFFFFFFF;
                    const uint8_t *code = buf;
                    size_t size = BUF_LEN;
                    uint64_t address = pc;
                    bool cs_ok = cs_disasm_iter(h, &code, &size, &address, cs);
                    Case c = { bits, buf, pc, x86_decode(buf, BUF_LEN, bits, pc, &insn), &insn,
                               cs_ok ? cs : NULL };
                    st.cases++;
                    const char *what = compare_case(&c, &st);
                    if (!what)
                        st.agreed++;
                    else
                        record(&st, &c, what, verbose);
                }
            }
        }
        printf("mode %2d: %lu cases, %lu agreed (%lu operand-checked), %lu unexplained;"
               " known:", bits, st.cases, st.agreed, st.operand_checked, st.unexplained);
        for (int k = 0; k < NB_KNOWN; k++) {
            if (st.known[k])
                printf(" %s=%lu", known_names[k], st.known[k]);
            total.known[k] += st.known[k];
        }
        printf("\n");
        total.cases += st.cases;
        total.agreed += st.agreed;
        total.operand_checked += st.operand_checked;
        total.unexplained += st.unexplained;
        cs_free(cs, 1);
    }
    for (int m = 0; m < 3; m++)
        cs_close(&cs_handles[modes[m]]);
    printf("total: %lu cases, %lu agreed, %lu operand-checked, %lu unexplained\n",
           total.cases, total.agreed, total.operand_checked, total.unexplained);
    return total.unexplained ? 1 : 0;
}
