/*
 * tests/diff/gen_templates.c — the instruction templates: one table row per instruction
 * (or family), with its encodings, operand sizes, operand roles and its flag behaviour
 * (read / defined / left undefined). Rows with regular encodings share the generic
 * emitters; the rest (shifts, division, bit tests, strings, stack frames, branches...) have
 * a small emitter of their own that also works out count- or value-dependent flag rules.
 */
#include <string.h>

#include "gen_internal.h"

/* modes */
#define M32 1
#define M64 2
#define MALL (M32 | M64)
/* operand sizes: the bit is the size in bytes */
#define S1 1
#define S2 2
#define S4 4
#define S8 8
#define S248 (S2 | S4 | S8)
#define S1248 (S1 | S248)

/* operand roles and properties */
#define P_MEM     0x001   /* r/m may be memory */
#define P_MEMONLY 0x002   /* r/m must be memory */
#define P_REGSRC  0x004   /* ModRM.reg is a register operand that is read */
#define P_REGDST  0x008   /* ModRM.reg is a register operand that is written */
#define P_WRM     0x010   /* the r/m operand is written */
#define P_LOCK    0x020   /* LOCK allowed on the memory form */
#define P_CC      0x040   /* low opcode nibble is a condition */
#define P_DEF64   0x080   /* 64-bit operand size by default in 64-bit mode (stack ops) */
#define P_STACK   0x100   /* touches the stack: not inside a call block's body */
#define P_WREG    0x200   /* +r forms and xchg/xadd: the register operand is written */
#define P_BRANCH  0x400   /* control flow: not inside a call block's body */

enum { IMM_NONE, IMM_8, IMM_Z, IMM_V, IMM_16 };

struct Template {
    bool (*gen)(Gen *g, const Template *t);
    uint8_t modes, sizes;
    uint8_t pfx;          /* mandatory prefix (F3) */
    uint8_t map0f;        /* opcode in the 0F map */
    uint8_t opc8, opc;    /* byte form, other sizes */
    uint8_t ext;          /* ModRM.reg /digit (or a template parameter for specials) */
    uint16_t props;
    uint8_t imm;
    uint16_t implicit;    /* registers read implicitly: must not be tainted */
    uint32_t fread, fdef, fundef;
    uint8_t weight;
};

/* flags each condition code reads */
static const uint32_t cond_flags[16] = {
    F_OF, F_OF, F_CF, F_CF, F_ZF, F_ZF, F_CF | F_ZF, F_CF | F_ZF,
    F_SF, F_SF, F_PF, F_PF, F_SF | F_OF, F_SF | F_OF, F_ZF | F_SF | F_OF, F_ZF | F_SF | F_OF,
};

static bool flags_clean(const Gen *g, uint32_t f) { return (g->ftaint & f) == 0; }

static unsigned pick_size(Gen *g, unsigned sizes, bool default64)
{
    unsigned allowed = sizes & (g->mode == 64 ? 0xfu : 0x7u);
    if (g->mode == 64 && default64)
        allowed &= ~4u;              /* no 32-bit stack operations in 64-bit mode */
    unsigned cand[4], n = 0;
    for (unsigned s = 1; s <= 8; s <<= 1)
        if (allowed & s)
            cand[n++] = s;
    return n ? cand[gen_below(g, n)] : 0;
}

/* Byte registers: without REX, 4-7 are AH CH DH BH; with any REX they are SPL BPL SIL DIL
 * and 8-15 exist. `legacy8` picks the first meaning (all registers < 8, no REX at all). */
typedef struct Ctx {
    unsigned size;
    bool legacy8, low8;
} Ctx;

static Ctx make_ctx(Gen *g, Insn *in, unsigned size, bool byte_operand, bool needs_rex)
{
    Ctx x = { .size = size };
    x.legacy8 = byte_operand && (g->mode == 32 || (!needs_rex && gen_chance(g, 50)));
    x.low8 = x.legacy8 || g->mode == 32;
    in->no_rex = g->mode == 64 && x.legacy8;
    in->rex_force = g->mode == 64 && byte_operand && !x.legacy8;
    return x;
}

static int pick(Gen *g, const Ctx *x, bool dest, unsigned size, uint16_t avoid)
{
    return gen_pick_reg(g, dest, x->low8, size, x->legacy8, avoid);
}

/* Fill in->rm: memory (with its setup moves) or a register. */
static void pick_rm(Gen *g, Insn *in, const Ctx *x, unsigned props, bool dest, unsigned access, uint16_t avoid)
{
    bool mem = (props & P_MEMONLY) || ((props & P_MEM) && gen_chance(g, 50));
    if (mem) {
        gen_mem(g, &in->rm, access, x->low8, avoid);
        if (gen_chance(g, 5)) {      /* segment overrides that are no-ops in flat mode */
            static const uint8_t seg64[] = { 0x26, 0x2e, 0x36, 0x3e }, seg32[] = { 0x26, 0x36, 0x3e };
            in->legacy[in->nlegacy++] = g->mode == 64 ? seg64[gen_below(g, 4)] : seg32[gen_below(g, 3)];
        }
    } else {
        in->rm.mem = false;
        in->rm.reg = pick(g, x, dest, x->size, avoid);
    }
}

static void set_opcode(Insn *in, const Template *t, uint8_t opc)
{
    in->nopc = 0;
    if (t->map0f)
        in->opc[in->nopc++] = 0x0f;
    in->opc[in->nopc++] = opc;
}

static void set_imm(Gen *g, Insn *in, int kind, unsigned size)
{
    static const int bytes_z[9] = { 0, 1, 2, 0, 4, 0, 0, 0, 4 };
    switch (kind) {
    case IMM_8: in->immsize = 1; break;
    case IMM_Z: in->immsize = bytes_z[size]; break;
    case IMM_V: in->immsize = (int)size; break;
    case IMM_16: in->immsize = 2; break;
    default: in->immsize = 0; return;
    }
    in->imm = gen_value(g);
}

static void add_prefix(Insn *in, uint8_t p) { in->legacy[in->nlegacy++] = p; }

/* ---------------------------------------------------------------- generic emitters */

/* ModRM forms: op r/m, reg / op reg, r/m / op r/m (/digit), each with an optional imm. */
static bool gen_modrm(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, t->sizes, t->props & P_DEF64);
    uint8_t opc = size == 1 ? t->opc8 : t->opc;
    uint32_t fread = t->fread;
    if (t->props & P_CC) {
        unsigned cc = gen_below(g, 16);
        opc = (uint8_t)(opc + cc);
        fread |= cond_flags[cc];
    }
    if (!size || !flags_clean(g, fread) || !gen_regs_clean(g, t->implicit))
        return false;
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, size == 1, false);
    gen_set_size(g, &in, size, t->props & P_DEF64);
    if (t->props & P_DEF64 && g->mode == 64 && size == 8)
        in.rexw = gen_chance(g, 20);  /* REX.W is redundant there */
    set_opcode(&in, t, opc);
    in.modrm = true;
    if (t->props & (P_REGSRC | P_REGDST))
        in.regf = pick(g, &x, t->props & (P_REGDST | P_WREG), size, 0);
    else
        in.regf = t->ext;
    pick_rm(g, &in, &x, t->props, t->props & P_WRM, size, 0);
    if ((t->props & P_LOCK) && in.rm.mem && gen_chance(g, 25))
        add_prefix(&in, 0xf0);
    if (t->pfx)
        add_prefix(&in, t->pfx);
    set_imm(g, &in, t->imm, size);
    gen_emit(g, &in);
    gen_apply_flags(g, t->fdef, t->fundef);
    return true;
}

/* +r forms: push/pop reg, bswap, inc/dec (32-bit), xchg with rAX, mov reg, imm. */
static bool gen_opreg(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, t->sizes, t->props & P_DEF64);
    if (!size || !flags_clean(g, t->fread) || !gen_regs_clean(g, t->implicit))
        return false;
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, size == 1, false);
    gen_set_size(g, &in, size, t->props & P_DEF64);
    set_opcode(&in, t, size == 1 ? t->opc8 : t->opc);
    in.opreg = pick(g, &x, t->props & P_WREG, size, 0);
    set_imm(g, &in, t->imm, size);
    gen_emit(g, &in);
    gen_apply_flags(g, t->fdef, t->fundef);
    return true;
}

/* Opcode only (implicit operands), optional immediate; operand-size prefixes by size. */
static bool gen_plain(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, t->sizes, t->props & P_DEF64);
    if (!size || !flags_clean(g, t->fread) || !gen_regs_clean(g, t->implicit))
        return false;
    Insn in;
    gen_insn_init(&in);
    gen_set_size(g, &in, size, t->props & P_DEF64);
    set_opcode(&in, t, size == 1 ? t->opc8 : t->opc);
    set_imm(g, &in, t->imm, size);
    gen_emit(g, &in);
    gen_apply_flags(g, t->fdef, t->fundef);
    return true;
}

/* ---------------------------------------------------------------- arithmetic */

static const struct { uint32_t fread, fdef, fundef; bool writes; } alu_ops[8] = {
    { 0, F_ALL, 0, true },                          /* add */
    { 0, F_CF | F_OF | F_SZP, F_AF, true },         /* or */
    { F_CF, F_ALL, 0, true },                       /* adc */
    { F_CF, F_ALL, 0, true },                       /* sbb */
    { 0, F_CF | F_OF | F_SZP, F_AF, true },         /* and */
    { 0, F_ALL, 0, true },                          /* sub */
    { 0, F_CF | F_OF | F_SZP, F_AF, true },         /* xor */
    { 0, F_ALL, 0, false },                         /* cmp */
};

/* The eight ALU operations in their forms: r/m,reg  reg,r/m  acc,imm  80/81/83 (/op)
 * and 82 (the 32-bit-only alias of 80). */
static bool gen_alu(Gen *g, const Template *t)
{
    unsigned op = gen_below(g, 8), form = gen_below(g, g->mode == 32 ? 6 : 5);
    unsigned size = pick_size(g, form == 4 ? S248 : form == 5 ? S1 : S1248, false);
    if (!flags_clean(g, alu_ops[op].fread))
        return false;
    bool writes = alu_ops[op].writes;
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, size == 1, false);
    gen_set_size(g, &in, size, false);
    in.nopc = 1;
    unsigned props = P_MEM | (form != 1 && writes ? P_WRM : 0);
    switch (form) {
    case 0:                          /* op r/m, reg */
    case 1:                          /* op reg, r/m */
        in.opc[0] = (uint8_t)(op * 8 + (form == 1 ? 2 : 0) + (size == 1 ? 0 : 1));
        in.modrm = true;
        in.regf = pick(g, &x, form == 1 && writes, size, 0);
        pick_rm(g, &in, &x, props, form == 0 && writes, size, 0);
        break;
    case 2:                          /* op al/ax/eax/rax, imm */
        if (!gen_regs_clean(g, RM_(RAX)))
            return false;
        in.opc[0] = (uint8_t)(op * 8 + 4 + (size == 1 ? 0 : 1));
        set_imm(g, &in, IMM_Z, size);
        break;
    default:                         /* 80/81/83/82 /op r/m, imm */
        in.opc[0] = form == 3 ? (size == 1 ? 0x80 : 0x81) : form == 4 ? 0x83 : 0x82;
        in.modrm = true;
        in.regf = (int)op;
        pick_rm(g, &in, &x, props, writes, size, 0);
        set_imm(g, &in, form == 3 ? IMM_Z : IMM_8, size);
        break;
    }
    if (writes && form != 1 && in.rm.mem && gen_chance(g, 20))
        add_prefix(&in, 0xf0);
    gen_emit(g, &in);
    gen_apply_flags(g, alu_ops[op].fdef, alu_ops[op].fundef);
    return true;
}

/* mov cl, imm8 (a shift count; the rest of rCX keeps its value) */
static void set_cl(Gen *g, unsigned count)
{
    Insn in;
    gen_insn_init(&in);
    in.nopc = 1;
    in.opc[0] = 0xb1;
    in.no_rex = true;
    in.imm = count;
    in.immsize = 1;
    gen_emit(g, &in);
}

static unsigned shift_count(Gen *g)
{
    return gen_chance(g, 80) ? gen_below(g, 71) : gen_below(g, 256);
}

/* Group 2: rol ror rcl rcr shl shr sal(/6) sar, by 1, by imm8 and by CL. Flags depend on
 * the masked count: 0 changes nothing; OF is defined only for a count of 1; AF is
 * undefined after shifts; CF is undefined for SHL/SHR when the count is >= the width. */
static bool gen_shift(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S1248, false), ext = gen_below(g, 8), kind = gen_below(g, 3);
    unsigned count = kind == 0 ? 1 : shift_count(g);
    unsigned masked = count & (size == 8 ? 63u : 31u);
    uint32_t fread = 0, fdef = 0, fundef = 0;
    if (masked) {
        uint32_t of = masked == 1 ? 0 : F_OF;
        if (ext < 4) {               /* rotates: CF and OF only; RCL/RCR read CF */
            fread = ext >= 2 ? F_CF : 0;
            fdef = F_CF | (F_OF & ~of);
            fundef = of;
        } else {
            fdef = F_SZP | F_CF | (F_OF & ~of);
            fundef = F_AF | of;
            if (ext != 7 && masked >= size * 8) {
                fdef &= ~F_CF;
                fundef |= F_CF;
            }
        }
    }
    if (!flags_clean(g, fread) || (kind == 2 && !gen_regs_clean(g, RM_(RCX))))
        return false;
    if (kind == 2)
        set_cl(g, count);
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, size == 1, false);
    gen_set_size(g, &in, size, false);
    static const uint8_t opc_by_kind[3] = { 0xd1, 0xc1, 0xd3 };
    in.nopc = 1;
    in.opc[0] = (uint8_t)(opc_by_kind[kind] - (size == 1 ? 1 : 0));
    in.modrm = true;
    in.regf = (int)ext;
    pick_rm(g, &in, &x, P_MEM, true, size, kind == 2 ? RM_(RCX) : 0);
    if (kind == 1) {
        in.imm = count;
        in.immsize = 1;
    }
    gen_emit(g, &in);
    gen_apply_flags(g, fdef, fundef);
    return true;
}

/* shld/shrd by imm8 or CL. A 16-bit count above 16 leaves the result undefined: never
 * generated. */
static bool gen_shxd(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S248, false), kind = gen_below(g, 2), right = gen_below(g, 2);
    unsigned count;
    do
        count = shift_count(g);
    while (size == 2 && (count & 31) > 16);
    unsigned masked = count & (size == 8 ? 63u : 31u);
    uint32_t fdef = 0, fundef = 0;
    if (masked) {
        fdef = F_SZP | F_CF | (masked == 1 ? F_OF : 0);
        fundef = F_AF | (masked == 1 ? 0 : F_OF);
    }
    if (kind == 1 && !gen_regs_clean(g, RM_(RCX)))
        return false;
    if (kind == 1)
        set_cl(g, count);
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, false, false);
    gen_set_size(g, &in, size, false);
    in.nopc = 2;
    in.opc[0] = 0x0f;
    in.opc[1] = (uint8_t)(0xa4 + (right ? 8 : 0) + kind);
    in.modrm = true;
    in.regf = pick(g, &x, false, size, 0);
    pick_rm(g, &in, &x, P_MEM, true, size, kind == 1 ? RM_(RCX) : 0);
    if (kind == 0) {
        in.imm = count;
        in.immsize = 1;
    }
    gen_emit(g, &in);
    gen_apply_flags(g, fdef, fundef);
    return true;
}

/* div/idiv: random operands, so #DE happens; the dividend's high half is sometimes set up
 * (zero / sign extension) so that quotients fit too. All flags are undefined after. */
static bool gen_div(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S1248, false);
    bool is_signed = gen_chance(g, 50);
    uint16_t implicit = size == 1 ? RM_(RAX) : RM_(RAX) | RM_(RDX);
    if (!gen_regs_clean(g, implicit))
        return false;
    if (gen_chance(g, 60)) {
        Insn s;
        gen_insn_init(&s);
        s.nopc = 1;
        if (is_signed) {             /* cbw (byte) / cwd cdq cqo */
            gen_set_size(g, &s, size == 1 ? 2 : size, false);
            s.opc[0] = size == 1 ? 0x98 : 0x99;
            gen_emit(g, &s);
        } else if (size == 1) {      /* mov ah, small */
            s.opc[0] = 0xb4;
            s.no_rex = true;
            s.imm = gen_below(g, 4);
            s.immsize = 1;
            gen_emit(g, &s);
        } else {
            gen_set_reg(g, RDX, gen_below(g, 4));
        }
    }
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, size == 1, false);
    bool set_divisor = gen_chance(g, 30);
    if (set_divisor && !gen_chance(g, 50)) {
        int r = pick(g, &x, false, size, implicit | RM_(RSP));
        gen_set_reg(g, r, gen_value(g));
        in.rm.reg = r;
        in.rm.mem = false;
    } else {
        pick_rm(g, &in, &x, P_MEM, false, size, 0);
    }
    gen_set_size(g, &in, size, false);
    in.nopc = 1;
    in.opc[0] = size == 1 ? 0xf6 : 0xf7;
    in.modrm = true;
    in.regf = is_signed ? 7 : 6;
    gen_emit(g, &in);
    gen_apply_flags(g, 0, F_ALL);
    return true;
}

/* bt bts btr btc, by register and by imm8. A memory operand with a register bit offset
 * reaches outside the operand: the offset is set to a small signed value first. CF is
 * defined; OF SF AF PF are undefined; ZF is "unaffected" for Intel but not promised by
 * every vendor, so it is treated as undefined too. */
static bool gen_bt(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S248, false), op = gen_below(g, 4);
    bool by_imm = gen_chance(g, 40), mem = gen_chance(g, 50);
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, false, false);
    gen_set_size(g, &in, size, false);
    in.nopc = 2;
    in.opc[0] = 0x0f;
    in.modrm = true;
    uint16_t avoid = 0;
    if (by_imm) {
        in.opc[1] = 0xba;
        in.regf = (int)(4 + op);
        in.imm = gen_rand(g) & 0xff;
        in.immsize = 1;
    } else {
        in.opc[1] = (uint8_t)(0xa3 + 8 * op);
        in.regf = pick(g, &x, mem, size, 0);   /* set up below when mem: never rSP */
        if (mem) {
            int64_t offset = (int64_t)gen_below(g, 2048) - 1024;
            gen_set_reg(g, in.regf, size == 8 ? (uint64_t)offset : (uint32_t)offset);
            avoid = RM_(in.regf);
        }
    }
    if (mem)
        gen_mem(g, &in.rm, size, x.low8, avoid);
    else
        in.rm.reg = pick(g, &x, op != 0, size, 0);
    if (op != 0 && mem && gen_chance(g, 25))
        add_prefix(&in, 0xf0);
    gen_emit(g, &in);
    gen_apply_flags(g, F_CF, F_OF | F_SF | F_AF | F_PF | F_ZF);
    return true;
}

/* bsf/bsr with a known source value (set up first). A zero source leaves the destination
 * unchanged on the hosts we run on, except that a 32-bit destination in 64-bit mode may or
 * may not be zero-extended: that register is tainted. ZF defined, the rest undefined. */
static bool gen_bsf(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S248, false);
    uint64_t value = gen_chance(g, 15) ? 0 : gen_value(g);
    if (size == 8)
        value = (uint64_t)(int64_t)(int32_t)value;   /* what a sign-extended imm32 stores */
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, size, false, false);
    int dest = pick(g, &x, true, size, 0);
    if (gen_chance(g, 50)) {
        gen_mem(g, &in.rm, size, x.low8, 0);
        Insn st;                     /* mov r/m, imm with the same operand */
        gen_insn_init(&st);
        gen_set_size(g, &st, size, false);
        st.nopc = 1;
        st.opc[0] = 0xc7;
        st.modrm = true;
        st.rm = in.rm;
        st.imm = value;
        st.immsize = size == 2 ? 2 : 4;
        gen_emit(g, &st);
    } else {
        in.rm.reg = pick(g, &x, true, size, 0);
        gen_set_reg(g, in.rm.reg, value);
    }
    gen_set_size(g, &in, size, false);
    set_opcode(&in, t, t->opc);
    in.modrm = true;
    in.regf = dest;
    gen_emit(g, &in);
    gen_apply_flags(g, F_ZF, F_ALL & ~F_ZF);
    uint64_t mask = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
    if ((value & mask) == 0 && g->mode == 64 && size == 4)
        g->rtaint |= (uint16_t)RM_(dest);
    return true;
}

/* cmpxchg8b, and cmpxchg16b in 64-bit mode (16-byte aligned, or misaligned for #GP).
 * rDX:rAX is sometimes loaded from the operand so that the exchange happens. */
static bool gen_cmpxchg_wide(Gen *g, const Template *t)
{
    bool wide = g->mode == 64 && gen_chance(g, 40);
    unsigned half = wide ? 8 : 4;
    if (!gen_regs_clean(g, RM_(RAX) | RM_(RBX) | RM_(RCX) | RM_(RDX)))
        return false;
    Insn in;
    gen_insn_init(&in);
    gen_mem_aligned(g, &in.rm, wide ? 16 : 8, false, RM_(RAX) | RM_(RDX));
    if (wide && gen_chance(g, 10)) {
        in.rm.target += 8;           /* misaligned: #GP(0) */
        if (!in.rm.riprel)
            in.rm.disp += 8;
        if (in.rm.dispsize == 0 && in.rm.base >= 0)
            in.rm.dispsize = 1;
    }
    if (gen_chance(g, 50)) {
        for (unsigned part = 0; part < 2; part++) {
            Insn ld;
            gen_insn_init(&ld);
            ld.rexw = wide;
            ld.nopc = 1;
            ld.opc[0] = 0x8b;
            ld.modrm = true;
            ld.regf = part ? RDX : RAX;
            ld.rm = in.rm;
            ld.rm.target += part * half;
            if (!ld.rm.riprel)
                ld.rm.disp += part * half;
            if (ld.rm.base >= 0 && (ld.rm.dispsize == 0 || (ld.rm.dispsize == 1 && ld.rm.disp != (int8_t)ld.rm.disp)))
                ld.rm.dispsize = 4;
            gen_emit(g, &ld);
        }
    }
    in.rexw = wide;
    in.nopc = 2;
    in.opc[0] = 0x0f;
    in.opc[1] = 0xc7;
    in.modrm = true;
    in.regf = 1;
    if (in.rm.base >= 0 && in.rm.dispsize == 1 && in.rm.disp != (int8_t)in.rm.disp)
        in.rm.dispsize = 4;
    if (gen_chance(g, 30))
        add_prefix(&in, 0xf0);
    gen_emit(g, &in);
    gen_apply_flags(g, F_ZF, 0);
    return true;
}

/* ---------------------------------------------------------------- strings */

/* movs cmps stos lods scas, every size, with and without rep/repe/repne, both directions.
 * rSI/rDI start in the middle of the window (a count of at most 16 elements of at most 8
 * bytes reaches 128 bytes either way); with 67 in 64-bit mode their upper halves are
 * garbage that must be ignored. */
static bool gen_string(Gen *g, const Template *t)
{
    static const struct { uint8_t opc; bool src, dst, reads_acc, sets_flags; } ops[5] = {
        { 0xa4, true, true, false, false },   /* movs */
        { 0xa6, true, true, false, true },    /* cmps */
        { 0xaa, false, true, true, false },   /* stos */
        { 0xac, true, false, false, false },  /* lods */
        { 0xae, false, true, true, true },    /* scas */
    };
    unsigned op = gen_below(g, 5), size = pick_size(g, S1248, false);
    unsigned rep = gen_below(g, 3);
    if (rep == 2 && !ops[op].sets_flags)
        rep = 1;                     /* F2 only means something for cmps/scas */
    if (ops[op].reads_acc && !gen_regs_clean(g, RM_(RAX)))
        return false;
    bool addr32 = g->mode == 64 && gen_chance(g, 15);
    uint64_t garbage = addr32 ? gen_rand(g) << 32 : 0;
    if (ops[op].src)
        gen_set_reg(g, RSI, (gen_window_addr(g, 256) + 128) | garbage);
    if (ops[op].dst)
        gen_set_reg(g, RDI, (gen_window_addr(g, 256) + 128) | garbage);
    unsigned count = gen_below(g, 17);
    if (rep)
        gen_set_reg(g, RCX, count | garbage);
    Insn in;
    gen_insn_init(&in);
    in.addr32 = addr32;
    if (rep)
        add_prefix(&in, rep == 1 ? 0xf3 : 0xf2);
    gen_set_size(g, &in, size, false);
    in.nopc = 1;
    in.opc[0] = (uint8_t)(ops[op].opc + (size == 1 ? 0 : 1));
    gen_emit(g, &in);
    if (ops[op].sets_flags && !(rep && count == 0))
        gen_apply_flags(g, F_ALL, 0);
    return true;
}

/* ---------------------------------------------------------------- stack */

/* push imm; popf. The popped value keeps TF IF IOPL NT AC ID at what user mode (native)
 * and CPL 0 (ferry) both accept identically: TF=0 IF=1 IOPL=0 NT=0 AC=0 ID=0. */
static bool gen_popf(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S248, true);
    uint32_t value = ((uint32_t)gen_rand(g) & ~0x00247300u) | 0x200u;
    Insn push, popf;
    gen_insn_init(&push);
    gen_set_size(g, &push, size, true);
    push.nopc = 1;
    push.opc[0] = 0x68;
    push.imm = value;
    push.immsize = size == 2 ? 2 : 4;
    gen_emit(g, &push);
    gen_insn_init(&popf);
    gen_set_size(g, &popf, size, true);
    popf.nopc = 1;
    popf.opc[0] = 0x9d;
    gen_emit(g, &popf);
    gen_apply_flags(g, F_ALL, 0);
    return true;
}

/* enter imm16, level: a nesting level of 2 or more copies frame pointers from [rBP-...],
 * so rBP is pointed into the stack area first. */
static bool gen_enter(Gen *g, const Template *t)
{
    unsigned level = gen_chance(g, 70) ? gen_below(g, 4) : gen_below(g, 9);
    if (level >= 2 || !gen_regs_clean(g, RM_(RBP)))
        gen_set_reg(g, RBP, gen_stack_addr(g));
    Insn in;
    gen_insn_init(&in);
    in.nopc = 1;
    in.opc[0] = 0xc8;
    in.imm = gen_below(g, 0x41);
    in.immsize = 2;
    in.imm2 = level;
    in.imm2size = 1;
    gen_emit(g, &in);
    return true;
}

/* leave, with rBP pointing into the stack area (it becomes rSP). */
static bool gen_leave(Gen *g, const Template *t)
{
    gen_set_reg(g, RBP, gen_stack_addr(g));
    Insn in;
    gen_insn_init(&in);
    in.nopc = 1;
    in.opc[0] = 0xc9;
    gen_emit(g, &in);
    return true;
}

/* ---------------------------------------------------------------- control flow */

/* jcc (short and near), jmp (short and near), loop loope loopne, jcxz/jecxz/jrcxz: forward
 * over 0-3 later items, landing on an item boundary (or the end). */
static bool gen_branch(Gen *g, const Template *t)
{
    static const struct { uint8_t opc0, opc1; bool cc, uses_rcx; uint32_t fread; int dsize; } kinds[] = {
        { 0x70, 0, true, false, 0, 1 },       /* jcc rel8 */
        { 0x0f, 0x80, true, false, 0, 4 },    /* jcc rel32 */
        { 0xeb, 0, false, false, 0, 1 },      /* jmp rel8 */
        { 0xe9, 0, false, false, 0, 4 },      /* jmp rel32 */
        { 0xe2, 0, false, true, 0, 1 },       /* loop */
        { 0xe1, 0, false, true, F_ZF, 1 },    /* loope */
        { 0xe0, 0, false, true, F_ZF, 1 },    /* loopne */
        { 0xe3, 0, false, true, 0, 1 },       /* jcxz family */
    };
    static const uint8_t kind_pick[] = { 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 7 };
    unsigned k = kind_pick[gen_below(g, sizeof kind_pick)];
    Insn in;
    gen_insn_init(&in);
    uint32_t fread = kinds[k].fread;
    in.opc[0] = kinds[k].opc0;
    in.nopc = 1;
    if (kinds[k].opc1) {
        in.opc[1] = kinds[k].opc1;
        in.nopc = 2;
    }
    if (kinds[k].cc) {
        unsigned cc = gen_below(g, 16);
        in.opc[in.nopc - 1] = (uint8_t)(in.opc[in.nopc - 1] + cc);
        fread |= cond_flags[cc];
    }
    if (!flags_clean(g, fread) || (kinds[k].uses_rcx && !gen_regs_clean(g, RM_(RCX))))
        return false;
    if (kinds[k].uses_rcx && gen_chance(g, 15))
        in.addr32 = true;            /* 67: CX in 32-bit mode, ECX in 64-bit mode */
    in.immsize = kinds[k].dsize;
    gen_emit(g, &in);
    gen_branch_pending(g, g->c->code_len - (unsigned)kinds[k].dsize, (unsigned)kinds[k].dsize, gen_below(g, 4));
    return true;
}

/* call/ret pairs: "call L; jmp M; L: <one item>; ret [imm16]; M:" and "call $+5; pop reg". */
static bool gen_call(Gen *g, const Template *t)
{
    Insn call;
    gen_insn_init(&call);
    call.nopc = 1;
    call.opc[0] = 0xe8;
    call.immsize = 4;
    if (gen_chance(g, 30)) {
        gen_emit(g, &call);
        Insn pop;
        gen_insn_init(&pop);
        pop.nopc = 1;
        pop.opc[0] = 0x58;
        pop.opreg = gen_pick_reg(g, true, g->mode == 32, 8, false, 0);
        gen_emit(g, &pop);
        return true;
    }
    call.imm = 2;                    /* over the short jmp */
    gen_emit(g, &call);
    Insn jmp;
    gen_insn_init(&jmp);
    jmp.nopc = 1;
    jmp.opc[0] = 0xeb;
    jmp.immsize = 1;
    gen_emit(g, &jmp);
    unsigned jmp_end = g->c->code_len;
    g->in_body = true;
    gen_item(g);
    g->in_body = false;
    Insn ret;
    gen_insn_init(&ret);
    ret.nopc = 1;
    ret.opc[0] = 0xc3;
    if (gen_chance(g, 30)) {
        ret.opc[0] = 0xc2;
        ret.imm = gen_below(g, 3) * (g->mode == 64 ? 8u : 4u);
        ret.immsize = 2;
    }
    gen_emit(g, &ret);
    unsigned dist = g->c->code_len - jmp_end;
    if (g->overflow || dist > 127)
        return false;
    g->c->code[jmp_end - 1] = (uint8_t)dist;
    return true;
}

/* ---------------------------------------------------------------- moves */

/* mov al/ax/eax/rax <-> [moffs] (8-byte offset in 64-bit mode, 4 with 67) */
static bool gen_moffs(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S1248, false);
    if (!gen_regs_clean(g, RM_(RAX)))
        return false;
    bool store = gen_chance(g, 50);
    Insn in;
    gen_insn_init(&in);
    gen_set_size(g, &in, size, false);
    in.nopc = 1;
    in.opc[0] = (uint8_t)((store ? 0xa2 : 0xa0) + (size == 1 ? 0 : 1));
    in.imm = gen_window_addr(g, 16);
    in.addr32 = g->mode == 64 && gen_chance(g, 20);
    in.immsize = g->mode == 64 && !in.addr32 ? 8 : 4;
    gen_emit(g, &in);
    return true;
}

static bool gen_xlat(Gen *g, const Template *t)
{
    if (!gen_regs_clean(g, RM_(RAX)))
        return false;
    gen_set_reg(g, RBX, gen_window_addr(g, 256));
    Insn in;
    gen_insn_init(&in);
    in.rexw = g->mode == 64 && gen_chance(g, 30);
    in.nopc = 1;
    in.opc[0] = 0xd7;
    gen_emit(g, &in);
    return true;
}

/* lea: address arithmetic only, so any registers, displacements, scales, 66 and 67. */
static bool gen_lea(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, S248, false);
    Insn in;
    gen_insn_init(&in);
    gen_set_size(g, &in, size, false);
    in.nopc = 1;
    in.opc[0] = 0x8d;
    in.modrm = true;
    in.regf = gen_pick_reg(g, true, false, size, false, 0);
    RM *rm = &in.rm;
    rm->mem = true;
    unsigned form = gen_below(g, 10);
    if (g->mode == 64 && form == 0) {
        rm->riprel = true;
        rm->target = (uint32_t)gen_rand(g);
    } else if (form == 1) {
        rm->absolute = true;
        rm->disp = (int32_t)gen_rand(g);
    } else {
        rm->addr32 = g->mode == 64 && gen_chance(g, 20);
        if (gen_chance(g, 80))
            rm->base = gen_pick_reg(g, false, false, 8, false, 0);
        if (rm->base < 0 || gen_chance(g, 50)) {
            rm->index = gen_pick_reg(g, false, false, 8, false, RM_(RSP));
            rm->scale = (int)gen_below(g, 4);
        }
        static const int sizes[] = { 0, 1, 4 };
        rm->dispsize = rm->base < 0 ? 4 : sizes[gen_below(g, 3)];
        if (rm->base >= 0 && (rm->base & 7) == RBP && rm->dispsize == 0)
            rm->dispsize = 1;
        rm->disp = rm->dispsize == 1 ? (int8_t)gen_rand(g) : rm->dispsize == 4 ? (int32_t)gen_rand(g) : 0;
    }
    gen_emit(g, &in);
    return true;
}

/* movzx/movsx (source byte or word, ext = source size) and movsxd (64-bit mode). */
static bool gen_movx(Gen *g, const Template *t)
{
    unsigned size = pick_size(g, t->sizes, false), src = t->ext;
    if (!size)
        return false;
    Insn in;
    gen_insn_init(&in);
    Ctx x = make_ctx(g, &in, src, src == 1, size == 8);
    gen_set_size(g, &in, size, false);
    set_opcode(&in, t, t->opc);
    in.modrm = true;
    in.regf = pick(g, &x, true, size, 0);
    pick_rm(g, &in, &x, P_MEM, false, src, 0);
    gen_emit(g, &in);
    return true;
}

/* ---------------------------------------------------------------- faults */

/* ud2, or LOCK on a register-destination ALU op: both #UD */
static bool gen_ud(Gen *g, const Template *t)
{
    Insn in;
    gen_insn_init(&in);
    if (gen_chance(g, 50)) {
        in.nopc = 2;
        in.opc[0] = 0x0f;
        in.opc[1] = 0x0b;
    } else {
        add_prefix(&in, 0xf0);
        in.nopc = 1;
        in.opc[0] = 0x01;
        in.modrm = true;
        in.regf = gen_pick_reg(g, false, g->mode == 32, 4, false, 0);
        in.rm.reg = gen_pick_reg(g, true, g->mode == 32, 4, false, 0);
    }
    gen_emit(g, &in);
    return true;
}

/* ---------------------------------------------------------------- the table */

#define LOGIC (F_CF | F_OF | F_SZP), F_AF
#define MULF (F_CF | F_OF), (F_SZP | F_AF)
#define SZAPC (F_SZP | F_AF | F_CF)

static const Template templates[] = {
    /* gen        modes sizes pfx 0f opc8 opc  ext props                                  imm     implicit            fread fdef fundef weight */
    { gen_alu,    MALL, S1248, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12 },
    { gen_modrm,  MALL, S1248, 0, 0, 0x84, 0x85, 0, P_MEM | P_REGSRC, 0, 0, 0, LOGIC, 2 },       /* test r/m, reg */
    { gen_modrm,  MALL, S1248, 0, 0, 0xf6, 0xf7, 0, P_MEM, IMM_Z, 0, 0, LOGIC, 1 },              /* test r/m, imm */
    { gen_modrm,  MALL, S1248, 0, 0, 0xfe, 0xff, 0, P_MEM | P_WRM | P_LOCK, 0, 0, 0, F_ALL & ~F_CF, 0, 2 }, /* inc */
    { gen_modrm,  MALL, S1248, 0, 0, 0xfe, 0xff, 1, P_MEM | P_WRM | P_LOCK, 0, 0, 0, F_ALL & ~F_CF, 0, 2 }, /* dec */
    { gen_opreg,  M32,  S2 | S4, 0, 0, 0, 0x40, 0, P_WREG, 0, 0, 0, F_ALL & ~F_CF, 0, 1 },       /* inc r (short) */
    { gen_opreg,  M32,  S2 | S4, 0, 0, 0, 0x48, 0, P_WREG, 0, 0, 0, F_ALL & ~F_CF, 0, 1 },       /* dec r (short) */
    { gen_modrm,  MALL, S1248, 0, 0, 0xf6, 0xf7, 2, P_MEM | P_WRM | P_LOCK, 0, 0, 0, 0, 0, 1 },   /* not */
    { gen_modrm,  MALL, S1248, 0, 0, 0xf6, 0xf7, 3, P_MEM | P_WRM | P_LOCK, 0, 0, 0, F_ALL, 0, 2 }, /* neg */
    { gen_modrm,  MALL, S1248, 0, 0, 0xf6, 0xf7, 4, P_MEM, 0, RM_(RAX) | RM_(RDX), 0, MULF, 2 },  /* mul */
    { gen_modrm,  MALL, S1248, 0, 0, 0xf6, 0xf7, 5, P_MEM, 0, RM_(RAX) | RM_(RDX), 0, MULF, 2 },  /* imul (one operand) */
    { gen_modrm,  MALL, S248, 0, 1, 0, 0xaf, 0, P_MEM | P_REGDST, 0, 0, 0, MULF, 2 },            /* imul r, r/m */
    { gen_modrm,  MALL, S248, 0, 0, 0, 0x6b, 0, P_MEM | P_REGDST, IMM_8, 0, 0, MULF, 1 },        /* imul r, r/m, imm8 */
    { gen_modrm,  MALL, S248, 0, 0, 0, 0x69, 0, P_MEM | P_REGDST, IMM_Z, 0, 0, MULF, 1 },        /* imul r, r/m, imm */
    { gen_div,    MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4 },
    { gen_shift,  MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8 },
    { gen_shxd,   MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 },
    { gen_bt,     MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4 },
    { gen_bsf,    MALL, 0, 0, 1, 0, 0xbc, 0, 0, 0, 0, 0, 0, 0, 1 },                               /* bsf */
    { gen_bsf,    MALL, 0, 0, 1, 0, 0xbd, 0, 0, 0, 0, 0, 0, 0, 1 },                               /* bsr */
    { gen_modrm,  MALL, S248, 0xf3, 1, 0, 0xbc, 0, P_MEM | P_REGDST, 0, 0, 0, F_CF | F_ZF, F_OF | F_SF | F_AF | F_PF, 1 }, /* tzcnt */
    { gen_modrm,  MALL, S248, 0xf3, 1, 0, 0xbd, 0, P_MEM | P_REGDST, 0, 0, 0, F_CF | F_ZF, F_OF | F_SF | F_AF | F_PF, 1 }, /* lzcnt */
    { gen_modrm,  MALL, S248, 0xf3, 1, 0, 0xb8, 0, P_MEM | P_REGDST, 0, 0, 0, F_ALL, 0, 1 },      /* popcnt */
    { gen_opreg,  MALL, S4 | S8, 0, 1, 0, 0xc8, 0, P_WREG, 0, 0, 0, 0, 0, 1 },                   /* bswap */
    { gen_modrm,  MALL, S1, 0, 1, 0x90, 0, 0, P_MEM | P_WRM | P_CC, 0, 0, 0, 0, 0, 3 },          /* setcc */
    { gen_modrm,  MALL, S248, 0, 1, 0, 0x40, 0, P_MEM | P_REGDST | P_CC, 0, 0, 0, 0, 0, 3 },     /* cmovcc */
    { gen_plain,  MALL, S248, 0, 0, 0, 0x98, 0, 0, 0, RM_(RAX), 0, 0, 0, 1 },                    /* cbw cwde cdqe */
    { gen_plain,  MALL, S248, 0, 0, 0, 0x99, 0, 0, 0, RM_(RAX), 0, 0, 0, 1 },                    /* cwd cdq cqo */
    { gen_plain,  MALL, S4, 0, 0, 0, 0x9f, 0, 0, 0, RM_(RAX), SZAPC, 0, 0, 1 },                   /* lahf */
    { gen_plain,  MALL, S4, 0, 0, 0, 0x9e, 0, 0, 0, RM_(RAX), 0, SZAPC, 0, 1 },                   /* sahf */
    { gen_lea,    MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3 },
    { gen_modrm,  MALL, S1248, 0, 0, 0x88, 0x89, 0, P_MEM | P_REGSRC | P_WRM, 0, 0, 0, 0, 0, 3 }, /* mov r/m, reg */
    { gen_modrm,  MALL, S1248, 0, 0, 0x8a, 0x8b, 0, P_MEM | P_REGDST, 0, 0, 0, 0, 0, 3 },        /* mov reg, r/m */
    { gen_modrm,  MALL, S1248, 0, 0, 0xc6, 0xc7, 0, P_MEM | P_WRM, IMM_Z, 0, 0, 0, 0, 1 },       /* mov r/m, imm */
    { gen_opreg,  MALL, S1248, 0, 0, 0xb0, 0xb8, 0, P_WREG, IMM_V, 0, 0, 0, 0, 1 },              /* mov reg, imm */
    { gen_moffs,  MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
    { gen_movx,   MALL, S248, 0, 1, 0, 0xb6, 1, 0, 0, 0, 0, 0, 0, 1 },                           /* movzx r, r/m8 */
    { gen_movx,   MALL, S248, 0, 1, 0, 0xb7, 2, 0, 0, 0, 0, 0, 0, 1 },                           /* movzx r, r/m16 */
    { gen_movx,   MALL, S248, 0, 1, 0, 0xbe, 1, 0, 0, 0, 0, 0, 0, 1 },                           /* movsx r, r/m8 */
    { gen_movx,   MALL, S248, 0, 1, 0, 0xbf, 2, 0, 0, 0, 0, 0, 0, 1 },                           /* movsx r, r/m16 */
    { gen_movx,   M64,  S4 | S8, 0, 0, 0, 0x63, 4, 0, 0, 0, 0, 0, 0, 1 },                        /* movsxd */
    { gen_modrm,  MALL, S1248, 0, 0, 0x86, 0x87, 0, P_MEM | P_REGSRC | P_WREG | P_WRM | P_LOCK, 0, 0, 0, 0, 0, 2 }, /* xchg */
    { gen_opreg,  MALL, S248, 0, 0, 0, 0x90, 0, P_WREG, 0, RM_(RAX), 0, 0, 0, 1 },               /* xchg rAX, reg */
    { gen_modrm,  MALL, S1248, 0, 1, 0xc0, 0xc1, 0, P_MEM | P_REGSRC | P_WREG | P_WRM | P_LOCK, 0, 0, 0, F_ALL, 0, 2 }, /* xadd */
    { gen_modrm,  MALL, S1248, 0, 1, 0xb0, 0xb1, 0, P_MEM | P_REGSRC | P_WRM | P_LOCK, 0, RM_(RAX), 0, F_ALL, 0, 2 }, /* cmpxchg */
    { gen_cmpxchg_wide, MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
    { gen_opreg,  MALL, S248, 0, 0, 0, 0x50, 0, P_DEF64 | P_STACK, 0, 0, 0, 0, 0, 2 },           /* push reg */
    { gen_opreg,  MALL, S248, 0, 0, 0, 0x58, 0, P_DEF64 | P_STACK | P_WREG, 0, 0, 0, 0, 0, 2 },  /* pop reg */
    { gen_modrm,  MALL, S248, 0, 0, 0, 0xff, 6, P_MEM | P_DEF64 | P_STACK, 0, 0, 0, 0, 0, 1 },   /* push r/m */
    { gen_modrm,  MALL, S248, 0, 0, 0, 0x8f, 0, P_MEM | P_WRM | P_DEF64 | P_STACK, 0, 0, 0, 0, 0, 1 }, /* pop r/m */
    { gen_plain,  MALL, S248, 0, 0, 0, 0x6a, 0, P_DEF64 | P_STACK, IMM_8, 0, 0, 0, 0, 1 },       /* push imm8 */
    { gen_plain,  MALL, S248, 0, 0, 0, 0x68, 0, P_DEF64 | P_STACK, IMM_Z, 0, 0, 0, 0, 1 },       /* push imm */
    { gen_plain,  MALL, S248, 0, 0, 0, 0x9c, 0, P_DEF64 | P_STACK, 0, 0, F_ALL, 0, 0, 1 },       /* pushf */
    { gen_popf,   MALL, 0, 0, 0, 0, 0, 0, P_STACK, 0, 0, 0, 0, 0, 2 },
    { gen_plain,  M32,  S2 | S4, 0, 0, 0, 0x60, 0, P_STACK, 0, 0xff, 0, 0, 0, 1 },               /* pusha */
    { gen_plain,  M32,  S2 | S4, 0, 0, 0, 0x61, 0, P_STACK, 0, 0xff, 0, 0, 0, 1 },               /* popa */
    { gen_enter,  MALL, 0, 0, 0, 0, 0, 0, P_STACK, 0, 0, 0, 0, 0, 1 },
    { gen_leave,  MALL, 0, 0, 0, 0, 0, 0, P_STACK, 0, 0, 0, 0, 0, 1 },
    { gen_plain,  MALL, S4, 0, 0, 0, 0xf8, 0, 0, 0, 0, 0, F_CF, 0, 1 },                          /* clc */
    { gen_plain,  MALL, S4, 0, 0, 0, 0xf9, 0, 0, 0, 0, 0, F_CF, 0, 1 },                          /* stc */
    { gen_plain,  MALL, S4, 0, 0, 0, 0xf5, 0, 0, 0, 0, 0, 0, 0, 1 },                             /* cmc (CF keeps its taint) */
    { gen_plain,  MALL, S4, 0, 0, 0, 0xfc, 0, 0, 0, 0, 0, 0, 0, 1 },                             /* cld */
    { gen_plain,  MALL, S4, 0, 0, 0, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1 },                             /* std */
    { gen_string, MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 },
    { gen_plain,  M32,  S4, 0, 0, 0, 0x27, 0, 0, 0, RM_(RAX), F_CF | F_AF, F_ALL & ~F_OF, F_OF, 1 }, /* daa */
    { gen_plain,  M32,  S4, 0, 0, 0, 0x2f, 0, 0, 0, RM_(RAX), F_CF | F_AF, F_ALL & ~F_OF, F_OF, 1 }, /* das */
    { gen_plain,  M32,  S4, 0, 0, 0, 0x37, 0, 0, 0, RM_(RAX), F_AF, F_AF | F_CF, F_OF | F_SZP, 1 }, /* aaa */
    { gen_plain,  M32,  S4, 0, 0, 0, 0x3f, 0, 0, 0, RM_(RAX), F_AF, F_AF | F_CF, F_OF | F_SZP, 1 }, /* aas */
    { gen_plain,  M32,  S4, 0, 0, 0, 0xd4, 0, 0, IMM_8, RM_(RAX), 0, F_SZP, F_OF | F_AF | F_CF, 1 }, /* aam */
    { gen_plain,  M32,  S4, 0, 0, 0, 0xd5, 0, 0, IMM_8, RM_(RAX), 0, F_SZP, F_OF | F_AF | F_CF, 1 }, /* aad */
    { gen_plain,  M32,  S4, 0, 0, 0, 0xd6, 0, 0, 0, 0, F_CF, 0, 0, 1 },                          /* salc */
    { gen_plain,  M32,  S4, 0, 0, 0, 0xce, 0, 0, 0, 0, F_OF, 0, 0, 1 },                          /* into */
    { gen_plain,  MALL, S4, 0, 0, 0, 0xcc, 0, 0, 0, 0, 0, 0, 0, 1 },                             /* int3 */
    { gen_ud,     MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
    { gen_plain,  MALL, S4, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0, 0, 1 },                             /* nop */
    { gen_modrm,  MALL, S248, 0, 1, 0, 0x1f, 0, P_MEM, 0, 0, 0, 0, 0, 1 },                       /* nop r/m */
    { gen_xlat,   MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
    { gen_branch, MALL, 0, 0, 0, 0, 0, 0, P_BRANCH, 0, 0, 0, 0, 0, 6 },
    { gen_call,   MALL, 0, 0, 0, 0, 0, 0, P_BRANCH | P_STACK, 0, 0, 0, 0, 0, 2 },
    { gen_simd_template, MALL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8 },   /* gen_simd.c */
};

bool gen_template_item(Gen *g)
{
    static unsigned total_weight;
    if (!total_weight)
        for (size_t i = 0; i < sizeof templates / sizeof templates[0]; i++)
            total_weight += templates[i].weight;
    unsigned w = gen_below(g, total_weight);
    const Template *t = templates;
    while (w >= t->weight) {
        w -= t->weight;
        t++;
    }
    if (!(t->modes & (g->mode == 64 ? M64 : M32)))
        return false;
    if (g->in_body && (t->props & (P_STACK | P_BRANCH)))
        return false;
    return t->gen(g, t);
}
