/*
 * cpu/decode.c — x86 instruction decoder driven by the opcode table in insn_table.c.
 *
 * Order of work: legacy prefixes and REX, the opcode (and escape maps), ModRM, resolution
 * of groups and mandatory prefixes to one table entry, SIB and displacement, immediates,
 * then the operands and the encoding rules that raise #UD (LOCK, mode, mod constraints).
 * The whole instruction is fetched before the #UD rules run, so a truncated buffer reports
 * NEED_MORE rather than a verdict on bytes not yet seen.
 */
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/insn_table.h"

#define X86_MAX_INSN_LEN 15

typedef struct Decoder {
    const uint8_t *buf;
    unsigned avail;
    unsigned pos;
    int err;            /* 0 or an X86_DECODE_* code */
    int code_bits;
    bool mode64;
    bool opsize_prefix; /* 66 seen */
    int8_t seg_prefix;  /* effective segment override or -1 */
    uint8_t last_rep;   /* the last of F2/F3, 0 if none */
    X86Insn *out;
} Decoder;

/* Fetch n (1, 2, 4 or 8) little-endian bytes; on failure set d->err and return 0. */
static uint64_t fetch(Decoder *d, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (d->pos >= X86_MAX_INSN_LEN) {
            d->err = X86_DECODE_TOO_LONG;
            return 0;
        }
        if (d->pos >= d->avail) {
            d->err = X86_DECODE_NEED_MORE;
            return 0;
        }
        v |= (uint64_t)d->buf[d->pos++] << (8 * i);
    }
    return v;
}

static int64_t sign_extend(uint64_t v, unsigned bytes)
{
    unsigned shift = 64 - 8 * bytes;
    return (int64_t)(v << shift) >> shift;
}

static uint64_t truncate_to(uint64_t v, unsigned bytes)
{
    return bytes >= 8 ? v : v & ((UINT64_C(1) << (8 * bytes)) - 1);
}

/* Legacy prefixes and REX. Returns the opcode byte (or -1 with d->err set). */
static int decode_prefixes(Decoder *d)
{
    static const int8_t seg_of_prefix[8] = { R_ES, R_CS, R_SS, R_DS };  /* 26 2E 36 3E */
    X86Insn *out = d->out;
    for (;;) {
        uint8_t b = (uint8_t)fetch(d, 1);
        if (d->err)
            return -1;
        if (d->mode64 && (b & 0xF0) == 0x40) {
            out->rex = b;           /* counts only if the opcode follows directly */
            continue;
        }
        switch (b) {
        case 0x26: case 0x2E: case 0x36: case 0x3E:
            /* 64-bit mode ignores these overrides (only FS/GS matter), bytes still count */
            if (!d->mode64)
                d->seg_prefix = seg_of_prefix[(b >> 3) & 3];
            break;
        case 0x64: d->seg_prefix = R_FS; break;
        case 0x65: d->seg_prefix = R_GS; break;
        case 0x66: out->prefixes |= PFX_OPSIZE; d->opsize_prefix = true; break;
        case 0x67: out->prefixes |= PFX_ADSIZE; break;
        case 0xF0: out->prefixes |= PFX_LOCK; break;
        case 0xF2: out->prefixes |= PFX_REPNE; d->last_rep = 0xF2; break;
        case 0xF3: out->prefixes |= PFX_REP; d->last_rep = 0xF3; break;
        default:
            return b;
        }
        out->rex = 0;               /* a legacy prefix after REX cancels it */
    }
}

/* Which column of a mandatory-prefix selection applies */
static unsigned prefix_key(const Decoder *d)
{
    if (d->last_rep == 0xF3)
        return PSEL_F3;
    if (d->last_rep == 0xF2)
        return PSEL_F2;
    return d->opsize_prefix ? PSEL_66 : PSEL_NONE;
}

static const uint8_t mandatory_of_key[4] = { 0, 0x66, 0xF3, 0xF2 };

/* Follow groups and prefix selections down to the final entry (NULL: undefined). */
static const InsnDesc *resolve_entry(Decoder *d, const InsnDesc *e, bool *mandatory66)
{
    X86Insn *out = d->out;
    for (int depth = 0; depth < 4; depth++) {
        if ((e->flags & F_INV64) && d->mode64)
            return NULL;
        if (e->flags & F_GROUP) {
            if (e->ext >= x86_nb_groups)
                return NULL;
            const InsnGroup *g = &x86_groups[e->ext];
            unsigned reg = (out->modrm >> 3) & 7, rm = out->modrm & 7;
            if (out->mod == 3 && g->mod3_by_regrm)
                e = &g->mod3_by_regrm[reg * 8 + rm];
            else if (out->mod == 3 && g->mod3_by_reg)
                e = &g->mod3_by_reg[reg];
            else
                e = &g->by_reg[reg];
        } else if (e->flags & F_PFXSEL) {
            if (e->ext >= x86_nb_prefix_sel)
                return NULL;
            const InsnPrefixSel *sel = &x86_prefix_sel[e->ext];
            unsigned key = prefix_key(d);
            e = &sel->by_prefix[key];
            /* F2/F3 selecting an entry are mandatory; 66 only if its column is a different
             * instruction from the no-prefix one (else it stays the operand-size prefix) */
            if (key == PSEL_F3 || key == PSEL_F2)
                d->out->mandatory = d->last_rep;
            else if (key == PSEL_66 && memcmp(e, &sel->by_prefix[PSEL_NONE], sizeof(*e)) != 0)
                *mandatory66 = true;
        } else {
            return e->mnem == MN_invalid ? NULL : e;
        }
    }
    return NULL;
}

static unsigned operand_size(const Decoder *d, const InsnDesc *e, bool opsize_prefix)
{
    bool rex_w = d->out->rex & 8;
    unsigned size;
    if (e->flags & F_BYTE)
        size = 1;
    else if (e->flags & F_NATIVE)
        size = d->mode64 ? 8 : 4;
    else if (d->mode64 && (rex_w || (e->flags & F_FORCE64)))
        size = 8;
    else if (d->mode64)
        size = opsize_prefix ? 2 : (e->flags & F_DEF64) ? 8 : 4;
    else
        size = ((d->code_bits == 16) != opsize_prefix) ? 2 : 4;
    if ((e->flags & F_MAX32) && size == 8)
        size = 4;
    return size;
}

/* SIB and displacement of a memory ModRM; fills the ea_* fields */
static void decode_modrm_memory(Decoder *d)
{
    X86Insn *out = d->out;
    unsigned rm = out->modrm & 7;
    bool default_ss = false;

    if (out->addrsize == 2) {
        /* 16-bit forms: BX+SI BX+DI BP+SI BP+DI SI DI BP BX */
        static const int8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
        static const int8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, -1, -1, -1, -1 };
        if (out->mod == 0 && rm == 6) {
            out->disp = (int16_t)fetch(d, 2);
        } else {
            out->ea_base = base16[rm];
            out->ea_index = index16[rm];
            default_ss = base16[rm] == R_EBP;
            if (out->mod == 1)
                out->disp = (int8_t)fetch(d, 1);
            else if (out->mod == 2)
                out->disp = (int16_t)fetch(d, 2);
        }
    } else {
        unsigned rex_b = (out->rex & 1) << 3, rex_x = (out->rex & 2) << 2;
        bool disp32 = out->mod == 2;
        if (rm == 4) {
            uint8_t sib = (uint8_t)fetch(d, 1);
            unsigned index = ((sib >> 3) & 7) | rex_x, base = sib & 7;
            out->ea_scale = sib >> 6;
            out->ea_index = index == 4 ? -1 : (int8_t)index;
            if (base == 5 && out->mod == 0) {
                disp32 = true;                  /* no base: disp32 */
            } else {
                out->ea_base = (int8_t)(base | rex_b);
            }
        } else if (rm == 5 && out->mod == 0) {
            disp32 = true;
            out->rip_rel = d->mode64;           /* resolved once the length is known */
        } else {
            out->ea_base = (int8_t)(rm | rex_b);
        }
        default_ss = out->ea_base == R_ESP || out->ea_base == R_EBP;
        if (out->mod == 1)
            out->disp = (int8_t)fetch(d, 1);
        else if (disp32)
            out->disp = (int32_t)fetch(d, 4);
    }
    out->seg = d->seg_prefix >= 0 ? d->seg_prefix : default_ss ? R_SS : R_DS;
}

static void set_reg(X86Operand *op, unsigned reg, unsigned size, bool any_rex)
{
    op->kind = X86_OPK_REG;
    op->size = (uint8_t)size;
    op->reg = (uint8_t)reg;
    /* without REX, byte registers 4-7 are AH CH DH BH */
    if (size == 1 && !any_rex && reg >= 4 && reg < 8) {
        op->hibyte = true;
        op->reg = (uint8_t)(reg - 4);
    }
}

/* Bytes of immediate data that spec takes */
static unsigned immediate_bytes(const X86Insn *out, uint8_t spec)
{
    switch (spec) {
    case O_Ib: case O_Ibs: case O_Jb: return 1;
    case O_Iw: return 2;
    case O_Iz: case O_Jz: return out->opsize == 2 ? 2 : 4;
    case O_Iv: return out->opsize;
    case O_Ob: case O_Ov: return out->addrsize;
    case O_Ap: return out->opsize == 2 ? 4 : 6;
    default: return 0;
    }
}

static unsigned memory_operand_size(const Decoder *d, uint8_t spec)
{
    unsigned opsize = d->out->opsize;
    switch (spec) {
    case O_Eb: case O_Mb: case O_Ob: return 1;
    case O_Ew: case O_Ewv: return 2;
    case O_Ed: return 4;
    case O_Ez: return opsize == 2 ? 2 : 4;
    case O_Ey: return opsize == 8 ? 8 : 4;
    case O_Mp: return opsize + 2;
    case O_Ms: return d->mode64 ? 10 : 6;
    case O_Ma: return 2 * opsize;
    case O_Mq: return (d->out->rex & 8) ? 16 : 8;
    case O_Mx: return 16;
    default: return opsize;
    }
}

static bool is_modrm_rm_spec(uint8_t spec)
{
    return (spec >= O_Eb && spec <= O_Ewv) || (spec >= O_M && spec <= O_Mx);
}

/* Build one operand; imm_raw holds the immediate bytes it took. false: #UD. */
static bool resolve_operand(Decoder *d, X86Operand *op, uint8_t spec, bool is_dest,
                            uint64_t imm_raw, unsigned imm_len)
{
    X86Insn *out = d->out;
    unsigned opsize = out->opsize;
    bool any_rex = out->rex != 0;
    unsigned reg3 = (out->modrm >> 3) & 7;

    if (is_modrm_rm_spec(spec)) {
        if (out->mod == 3) {
            unsigned size = spec == O_Ewv ? opsize : memory_operand_size(d, spec);
            set_reg(op, out->rm, size, any_rex);
        } else {
            op->kind = X86_OPK_MEM;
            op->size = (uint8_t)memory_operand_size(d, spec);
        }
        return true;
    }
    switch (spec) {
    case O_Gb: set_reg(op, out->reg, 1, any_rex); break;
    case O_Gw: set_reg(op, out->reg, 2, any_rex); break;
    case O_Gv: set_reg(op, out->reg, opsize, any_rex); break;
    case O_Gy: set_reg(op, out->reg, opsize == 8 ? 8 : 4, any_rex); break;
    case O_Ry: set_reg(op, out->rm, d->mode64 ? 8 : 4, any_rex); break;
    case O_Ryw: set_reg(op, out->rm, opsize == 8 ? 8 : 4, any_rex); break;
    case O_Zb: case O_Zv:
        set_reg(op, (out->opcode & 7) | ((out->rex & 1) << 3), spec == O_Zb ? 1 : opsize, any_rex);
        break;
    case O_AL: set_reg(op, R_EAX, 1, false); break;
    case O_rAX: set_reg(op, R_EAX, opsize, false); break;
    case O_CL: set_reg(op, R_ECX, 1, false); break;
    case O_DX: set_reg(op, R_EDX, 2, false); break;
    case O_One:
        op->kind = X86_OPK_IMM; op->size = 1; op->imm = 1;
        break;
    case O_Ib: case O_Iw:
        op->kind = X86_OPK_IMM; op->size = (uint8_t)imm_len; op->imm = imm_raw;
        break;
    case O_Ibs: case O_Iz: case O_Iv:
        op->kind = X86_OPK_IMM;
        op->size = (uint8_t)opsize;
        op->imm = truncate_to((uint64_t)sign_extend(imm_raw, imm_len), opsize);
        break;
    case O_Jb: case O_Jz:
        op->kind = X86_OPK_REL;
        op->size = (uint8_t)opsize;
        op->imm = truncate_to(out->pc + d->pos + (uint64_t)sign_extend(imm_raw, imm_len), opsize);
        break;
    case O_Ob: case O_Ov:
        op->kind = X86_OPK_MEM;
        op->size = spec == O_Ob ? 1 : (uint8_t)opsize;
        out->disp = (int64_t)imm_raw;
        out->seg = d->seg_prefix >= 0 ? d->seg_prefix : R_DS;
        break;
    case O_Ap:
        op->kind = X86_OPK_FAR;
        op->size = (uint8_t)opsize;
        op->imm = truncate_to(imm_raw, opsize);
        op->sel = (uint16_t)(imm_raw >> (8 * (imm_len - 2)));
        break;
    case O_Sw:
        /* only ES..GS exist; MOV to CS is #UD */
        if (reg3 > R_GS || (is_dest && reg3 == R_CS))
            return false;
        op->kind = X86_OPK_SEG; op->size = 2; op->reg = (uint8_t)reg3;
        break;
    case O_Cd:
        if (out->reg != 0 && out->reg != 2 && out->reg != 3 && out->reg != 4 && out->reg != 8)
            return false;
        op->kind = X86_OPK_CR; op->size = d->mode64 ? 8 : 4; op->reg = out->reg;
        break;
    case O_Dd:
        if (out->reg > 7)
            return false;
        op->kind = X86_OPK_DR; op->size = d->mode64 ? 8 : 4; op->reg = out->reg;
        break;
    case O_ES: case O_CS: case O_SS: case O_DS: case O_FS: case O_GS:
        op->kind = X86_OPK_SEG; op->size = 2; op->reg = (uint8_t)(spec - O_ES);
        break;
    default:
        break;
    }
    return true;
}

/* The opcode, its escape maps and the special cases the table marks. */
static const InsnDesc *lookup_opcode(Decoder *d, uint8_t b)
{
    X86Insn *out = d->out;
    if (b != 0x0F) {
        out->opcode = b;
        if (b == 0x63 && d->mode64)
            return &x86_movsxd;
        return &x86_map_onebyte[b];
    }
    b = (uint8_t)fetch(d, 1);
    if (d->err)
        return NULL;
    if (b == 0x38 || b == 0x3A) {
        out->map = b == 0x38 ? 2 : 3;
        out->opcode = (uint8_t)fetch(d, 1);
        if (d->err)
            return NULL;
        return b == 0x38 ? &x86_map_0f38[out->opcode] : &x86_map_0f3a[out->opcode];
    }
    out->map = 1;
    out->opcode = b;
    return &x86_map_0f[b];
}

static bool x87_form_defined(const X86Insn *out)
{
    unsigned esc = out->opcode & 7, reg = (out->modrm >> 3) & 7;
    if (out->mod != 3)
        return (x87_mem_valid[esc] >> reg) & 1;
    return (x87_reg_valid[esc] >> (out->modrm & 0x3F)) & 1;
}

static int fail(Decoder *d, int code)
{
    d->out->len = (uint8_t)d->pos;
    d->out->mnem = MN_invalid;
    return code;
}

int x86_decode(const uint8_t *buf, unsigned avail, int code_bits, uint64_t pc, X86Insn *out)
{
    memset(out, 0, sizeof(*out));
    out->pc = pc;
    out->seg = -1;
    out->ea_base = out->ea_index = -1;
    Decoder d = { .buf = buf, .avail = avail, .code_bits = code_bits,
                  .mode64 = code_bits == 64, .seg_prefix = -1, .out = out };
    if (code_bits != 16 && code_bits != 32 && code_bits != 64)
        return fail(&d, X86_DECODE_UD);

    int opcode = decode_prefixes(&d);
    if (opcode < 0)
        return fail(&d, d.err);
    const InsnDesc *e = lookup_opcode(&d, (uint8_t)opcode);
    if (d.err)
        return fail(&d, d.err);

    bool adsize_prefix = out->prefixes & PFX_ADSIZE;
    out->addrsize = d.mode64 ? (adsize_prefix ? 4 : 8)
                  : ((code_bits == 16) != adsize_prefix) ? 2 : 4;

    if (e->flags & F_MODRM) {
        out->has_modrm = true;
        out->modrm = (uint8_t)fetch(&d, 1);
        if (d.err)
            return fail(&d, d.err);
        out->mod = out->modrm >> 6;
        out->reg = (uint8_t)(((out->modrm >> 3) & 7) | ((out->rex & 4) << 1));
        out->rm = (uint8_t)((out->modrm & 7) | ((out->rex & 1) << 3));
    }
    bool mandatory66 = false;
    e = resolve_entry(&d, e, &mandatory66);
    if (!e)
        return fail(&d, X86_DECODE_UD);

    unsigned key = prefix_key(&d);
    if (e->flags & F_SIMD) {
        if (!((e->ext >> key) & 1))
            return fail(&d, X86_DECODE_UD);
        out->mandatory = mandatory_of_key[key];
    } else if (mandatory66) {
        out->mandatory = 0x66;
    }
    bool opsize_prefix = d.opsize_prefix && out->mandatory != 0x66;
    out->opsize = (uint8_t)operand_size(&d, e, opsize_prefix);
    out->mnem = e->mnem;
    if (e->flags & F_COND)
        out->cond = out->opcode & 15;

    bool memory_form = out->has_modrm && out->mod != 3 && !(e->flags & F_REGFORM);
    if (e->flags & F_REGFORM)
        out->mod = 3;
    if (memory_form)
        decode_modrm_memory(&d);
    else if (e->flags & F_STRING)
        out->seg = d.seg_prefix >= 0 ? d.seg_prefix : R_DS;

    /* immediates, in operand order */
    uint64_t imm_raw[3] = { 0 };
    unsigned imm_len[3] = { 0 };
    for (int i = 0; i < 3 && !d.err; i++) {
        imm_len[i] = immediate_bytes(out, e->op[i]);
        if (imm_len[i])
            imm_raw[i] = fetch(&d, imm_len[i]);
    }
    if (d.err)
        return fail(&d, d.err);
    out->len = (uint8_t)d.pos;

    if (out->rip_rel) {
        out->disp = (int64_t)truncate_to(pc + d.pos + (uint64_t)out->disp, out->addrsize);
    }

    /* the encoding rules */
    if ((e->flags & F_ONLY64) && !d.mode64)
        return fail(&d, X86_DECODE_UD);
    if (out->mod == 3 && out->has_modrm && (e->flags & F_MEMONLY))
        return fail(&d, X86_DECODE_UD);
    if (memory_form && (e->flags & F_REGONLY))
        return fail(&d, X86_DECODE_UD);
    if ((e->flags & F_X87) && !x87_form_defined(out))
        return fail(&d, X86_DECODE_UD);

    for (int i = 0; i < 3 && e->op[i] != O_NONE; i++) {
        if (!resolve_operand(&d, &out->op[i], e->op[i], i == 0, imm_raw[i], imm_len[i]))
            return fail(&d, X86_DECODE_UD);
        out->nops = (uint8_t)(i + 1);
    }
    if (out->mnem == MN_enter)
        out->imm2 = imm_raw[1];
    if ((out->prefixes & PFX_LOCK) &&
        !((e->flags & F_LOCK) && out->nops && out->op[0].kind == X86_OPK_MEM))
        return fail(&d, X86_DECODE_UD);

    /* encodings that rename the entry they share */
    if (e->flags & F_NOP90) {
        if (out->rex & 1) {
            out->mnem = x86_xchg_r8.mnem;
            for (int i = 0; i < 3 && x86_xchg_r8.op[i] != O_NONE; i++) {
                resolve_operand(&d, &out->op[i], x86_xchg_r8.op[i], i == 0, 0, 0);
                out->nops = (uint8_t)(i + 1);
            }
        } else if (d.last_rep == 0xF3) {
            out->mnem = MN_pause;
            out->mandatory = 0xF3;
        }
    }
    if (out->mnem == MN_cmpxchg8b && (out->rex & 8))
        out->mnem = MN_cmpxchg16b;
    if (out->mnem == MN_x87 && out->opcode == 0xDB && out->modrm == 0xE3)
        out->mnem = MN_fninit;
    out->seg_override = out->seg >= 0 && d.seg_prefix >= 0;
    return out->len;
}

/* names ---------------------------------------------------------------------------------- */

static const char *const mnem_names[NB_MNEMS] = {
#define M(name) #name,
#include "cpu/insns.def"
#undef M
};

const char *x86_mnem_name(X86Mnem m)
{
    return (unsigned)m < NB_MNEMS ? mnem_names[m] : "?";
}

static const char *size_suffixed(const char *const names[4], unsigned size)
{
    return names[size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3];
}

const char *x86_insn_name(const X86Insn *insn)
{
    static const char *const jcc[16] = { "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja",
        "js", "jns", "jp", "jnp", "jl", "jge", "jle", "jg" };
    static const char *const setcc[16] = { "seto", "setno", "setb", "setae", "sete", "setne",
        "setbe", "seta", "sets", "setns", "setp", "setnp", "setl", "setge", "setle", "setg" };
    static const char *const cmovcc[16] = { "cmovo", "cmovno", "cmovb", "cmovae", "cmove",
        "cmovne", "cmovbe", "cmova", "cmovs", "cmovns", "cmovp", "cmovnp", "cmovl", "cmovge",
        "cmovle", "cmovg" };
    /* by operand size 1 2 4 8 */
    static const char *const movs[4] = { "movsb", "movsw", "movsd", "movsq" };
    static const char *const cmps[4] = { "cmpsb", "cmpsw", "cmpsd", "cmpsq" };
    static const char *const stos[4] = { "stosb", "stosw", "stosd", "stosq" };
    static const char *const lods[4] = { "lodsb", "lodsw", "lodsd", "lodsq" };
    static const char *const scas[4] = { "scasb", "scasw", "scasd", "scasq" };
    static const char *const ins[4] = { "insb", "insw", "insd", "insd" };
    static const char *const outs[4] = { "outsb", "outsw", "outsd", "outsd" };
    static const char *const cbw[4] = { "cbw", "cbw", "cwde", "cdqe" };
    static const char *const cwd[4] = { "cwd", "cwd", "cdq", "cqo" };
    static const char *const iret[4] = { "iret", "iret", "iretd", "iretq" };
    static const char *const pusha[4] = { "pushaw", "pushaw", "pushal", "pushal" };
    static const char *const popa[4] = { "popaw", "popaw", "popal", "popal" };
    static const char *const pushf[4] = { "pushf", "pushf", "pushfd", "pushfq" };
    static const char *const popf[4] = { "popf", "popf", "popfd", "popfq" };
    static const char *const jcxz[4] = { "jcxz", "jcxz", "jecxz", "jrcxz" };
    /* the XSAVE family spells its REX.W forms with a 64 suffix */
    static const struct { uint16_t mnem; const char *name64; } rex_w_names[] = {
        { MN_fxsave, "fxsave64" }, { MN_fxrstor, "fxrstor64" }, { MN_xsave, "xsave64" },
        { MN_xrstor, "xrstor64" }, { MN_xsaveopt, "xsaveopt64" }, { MN_xsavec, "xsavec64" },
        { MN_retf, "retfq" },
    };
    unsigned size = insn->opsize, cond = insn->cond & 15;

    for (unsigned i = 0; i < sizeof(rex_w_names) / sizeof(rex_w_names[0]); i++)
        if (insn->mnem == rex_w_names[i].mnem && (insn->rex & 8))
            return rex_w_names[i].name64;
    switch (insn->mnem) {
    case MN_jcc: return jcc[cond];
    case MN_setcc: return setcc[cond];
    case MN_cmovcc: return cmovcc[cond];
    case MN_movs: return size_suffixed(movs, size);
    case MN_cmps: return size_suffixed(cmps, size);
    case MN_stos: return size_suffixed(stos, size);
    case MN_lods: return size_suffixed(lods, size);
    case MN_scas: return size_suffixed(scas, size);
    case MN_ins: return size_suffixed(ins, size);
    case MN_outs: return size_suffixed(outs, size);
    case MN_cbw: return size_suffixed(cbw, size);
    case MN_cwd: return size_suffixed(cwd, size);
    case MN_iret: return size_suffixed(iret, size);
    case MN_pusha: return size_suffixed(pusha, size);
    case MN_popa: return size_suffixed(popa, size);
    case MN_pushf: return size_suffixed(pushf, size);
    case MN_popf: return size_suffixed(popf, size);
    case MN_jcxz: return size_suffixed(jcxz, insn->addrsize);
    case MN_xlat: return "xlatb";
    case MN_mov_cr: case MN_mov_dr: case MN_mov_sreg: return "mov";
    case MN_callf: return "lcall";
    case MN_jmpf: return "ljmp";
    default: return x86_mnem_name((X86Mnem)insn->mnem);
    }
}
