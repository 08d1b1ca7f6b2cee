/*
 * tests/singlestep/ss_modern.c — the modern expectation of an 80286 test, following the
 * README's section "80286 vs a modern x86 in real mode" (item numbers refer to it):
 *   len_gt_10 (3)    a modern CPU runs 11..15-byte instructions: not comparable
 *   fs_gs (5)        a modern CPU has FS/GS: not comparable
 *   lock_ud (2)      #UD instead of executing: the state is computed from the initial one
 *   wide operands    far pointers, BOUND and x87 m32 operands that straddle offset 0xFFFF:
 *                    the 286 wraps or faults where a modern CPU faults (4): not comparable
 *   x87 (9)          registers and FLAGS only
 *   seg_overrun (4)  #SS (12) instead of #GP (13) when the access was through SS, computed
 *                    from the recorded state; in string instructions (the 286 advances
 *                    SI/DI before it faults) not comparable
 *   flags_12_15 (1), salc (8), everything else: the recorded state under flags_mask_modern
 * Exceptions land on the HLT at the vector's IVT target; an IVT entry the data does not
 * list reads as the fill bytes F4F4:F4F4, whose target holds the fill HLT.
 */
#include "ss_modern.h"

#include <string.h>

const char *const ss_rule_names[SS_NB_RULES] = {
    [SS_RULE_RECORDED] = "as recorded",
    [SS_RULE_LOCK_UD] = "lock_ud: expect #UD",
    [SS_RULE_OVERRUN_SS] = "seg_overrun via SS: expect #SS",
    [SS_RULE_OVERRUN_GP] = "seg_overrun via DS/ES/CS: #GP as recorded",
    [SS_RULE_X87_REGS] = "x87: registers and flags only",
    [SS_RULE_NC_LEN_GT_10] = "len_gt_10: runs normally on a modern CPU",
    [SS_RULE_NC_FS_GS] = "fs_gs: MOV to/from FS/GS is valid on a modern CPU",
    [SS_RULE_NC_WIDE_STRADDLE] = "far pointer/BOUND/m32 operand straddling 0xFFFF",
    [SS_RULE_NC_OVERRUN_STRING] = "seg_overrun in a string insn: 286 advances SI/DI first",
    [SS_RULE_NC_OVERRUN_UNKNOWN] = "seg_overrun: segment not determined",
    [SS_RULE_NC_LANDING] = "computed exception target holds no HLT",
};

#define FLAGS_LOW_12 0x0FFFu    /* README item 1: what a modern CPU keeps of the data's FLAGS */
#define VECTOR_UD 6
#define VECTOR_SS 12

enum { SEG_NONE = -1 };

/* The segment register a segment-override prefix byte selects, or SEG_NONE. */
static int override_segment(uint8_t prefix)
{
    switch (prefix) {
    case 0x26: return SS_ES;
    case 0x2E: return SS_CS;
    case 0x36: return SS_SS;
    case 0x3E: return SS_DS;
    default: return SEG_NONE;
    }
}

static uint32_t linear(uint16_t seg, uint16_t off) { return (uint32_t)seg * 16 + off; }

/* Memory of the initial state with some bytes replaced (an exception frame). */
typedef struct Overlay {
    const SSTest *t;
    uint32_t n;
    SSRamByte bytes[8];
} Overlay;

static uint8_t overlay_byte(const Overlay *o, uint32_t addr)
{
    for (uint32_t i = o->n; i-- > 0;)
        if (o->bytes[i].addr == addr)
            return o->bytes[i].value;
    return ss_initial_byte(o->t, addr);
}

static void overlay_push_word(Overlay *o, uint16_t ss, uint16_t *sp, uint16_t value)
{
    *sp -= 2;
    o->bytes[o->n++] = (SSRamByte){ linear(ss, *sp), (uint8_t)value };
    o->bytes[o->n++] = (SSRamByte){ linear(ss, (uint16_t)(*sp + 1)), (uint8_t)(value >> 8) };
}

/* Sets CS:IP to the handler of vector as the IVT holds it, one past its HLT. False if the
 * target is not a HLT (the test would not stop where the data implies). */
static bool land_on_vector(const Overlay *o, int vector, uint16_t regs[SS_NB_REGS])
{
    uint32_t entry = (uint32_t)vector * 4;
    uint16_t ip = (uint16_t)(overlay_byte(o, entry) | overlay_byte(o, entry + 1) << 8);
    uint16_t cs = (uint16_t)(overlay_byte(o, entry + 2) | overlay_byte(o, entry + 3) << 8);
    if (overlay_byte(o, linear(cs, ip)) != 0xF4)
        return false;
    regs[SS_CS] = cs;
    regs[SS_IP] = (uint16_t)(ip + 1);
    return true;
}

static void add_ram(SSExpect *e, uint32_t addr, uint8_t value)
{
    if (e->has_flag_word && (addr == e->flag_address || addr == e->flag_address + 1))
        return;
    e->ram[e->nb_ram++] = (SSRamByte){ addr, value };
}

/* The frame is IP, CS, FLAGS upwards from the final SP (the handler's HLT leaves SP alone);
 * final SP >= 2 and <= 0xFFF9 (initial SP >= 8), so the word does not wrap. The data's
 * flag_address is this rounded down to even when SP is odd (a bus address), hence its
 * own computation here. */
uint32_t ss_frame_flags_address(const SSTest *t)
{
    return linear(t->final.regs[SS_SS], (uint16_t)(t->final.regs[SS_SP] + 4));
}

static void expect_recorded(const SSTest *t, SSExpect *e, SSRule rule)
{
    e->rule = rule;
    e->compare_ram = true;
    memcpy(e->regs, t->final.regs, sizeof(e->regs));
    e->flags_mask = t->flags_mask_modern;
    e->has_flag_word = t->has_exception;
    if (t->has_exception) {
        e->flag_address = ss_frame_flags_address(t);
        uint16_t word = 0;
        for (uint32_t i = 0; i < t->final.nb_ram; i++) {
            if (t->final.ram[i].addr == e->flag_address)
                word = (uint16_t)(word | t->final.ram[i].value);
            else if (t->final.ram[i].addr == e->flag_address + 1)
                word = (uint16_t)(word | t->final.ram[i].value << 8);
        }
        e->flag_word = word;
    }
    e->nb_ram = 0;
    for (uint32_t i = 0; i < t->final.nb_ram; i++)
        add_ram(e, t->final.ram[i].addr, t->final.ram[i].value);
}

/* README item 2: the LOCK prefix raises #UD before anything executes. The frame holds
 * FLAGS (bits 12-15 cleared at load), CS and the IP of the first prefix. */
static void expect_lock_ud(const SSTest *t, SSExpect *e)
{
    const uint16_t *in = t->initial.regs;
    Overlay o = { .t = t };
    uint16_t sp = in[SS_SP];
    uint16_t flags = (uint16_t)((in[SS_FLAGS] & FLAGS_LOW_12) | 2);

    memcpy(e->regs, in, sizeof(e->regs));
    overlay_push_word(&o, in[SS_SS], &sp, flags);
    overlay_push_word(&o, in[SS_SS], &sp, in[SS_CS]);
    overlay_push_word(&o, in[SS_SS], &sp, in[SS_IP]);
    e->regs[SS_SP] = sp;
    e->regs[SS_FLAGS] = flags;
    if (!land_on_vector(&o, VECTOR_UD, e->regs)) {
        e->rule = SS_RULE_NC_LANDING;
        return;
    }
    e->rule = SS_RULE_LOCK_UD;
    e->compare_ram = true;
    e->flags_mask = FLAGS_LOW_12;
    e->has_flag_word = true;
    e->flag_address = linear(in[SS_SS], (uint16_t)(in[SS_SP] - 2));
    e->flag_word = flags;
    e->nb_ram = 0;
    for (uint32_t i = 0; i < t->final.nb_ram; i++)
        add_ram(e, t->final.ram[i].addr, overlay_byte(&o, t->final.ram[i].addr));
    for (uint32_t i = 0; i < o.n; i++)
        add_ram(e, o.bytes[i].addr, o.bytes[i].value);
}

/* Opcodes that only read the stack (POP, POPA, POPF, RET, RETF, IRET, LEAVE). */
static bool is_stack_read(uint8_t op)
{
    return op == 0x07 || op == 0x17 || op == 0x1F || (op >= 0x58 && op <= 0x5F) || op == 0x61 ||
           op == 0x9D || op == 0xC2 || op == 0xC3 || op == 0xCA || op == 0xCB || op == 0xCF ||
           op == 0xC9;
}

static bool is_string_op(uint8_t op)
{
    return (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF) || (op >= 0x6C && op <= 0x6F);
}

/* One-byte opcodes of the 286 that take a ModRM byte. */
static bool has_modrm(uint8_t op)
{
    if (op < 0x40)
        return (op & 7) < 4;
    return op == 0x62 || op == 0x63 || op == 0x69 || op == 0x6B || (op >= 0x80 && op <= 0x8F) ||
           op == 0xC0 || op == 0xC1 || (op >= 0xC4 && op <= 0xC7) || (op >= 0xD0 && op <= 0xD3) ||
           (op >= 0xD8 && op <= 0xDF) || op == 0xF6 || op == 0xF7 || op == 0xFE || op == 0xFF;
}

/* Memory operands wider than a word (README item 4): far pointers (LES, LDS, CALL/JMP
 * FAR m16:16), BOUND's pair of bounds, and the x87 m32 of D8. */
static bool is_wide_operand(uint8_t op, uint8_t modrm)
{
    int reg = modrm >> 3 & 7;
    return op == 0x62 || op == 0xC4 || op == 0xC5 || op == 0xD8 || (op == 0xFF && (reg == 3 || reg == 5));
}

/* The instruction after its prefixes. */
typedef struct Insn {
    int override;               /* segment register of the last segment prefix, or SEG_NONE */
    uint8_t op;
    bool has_modrm_byte;        /* a byte follows the opcode */
    uint8_t modrm;
    uint32_t modrm_at;          /* index of that byte in t->bytes */
} Insn;

static bool decode_prefixes(const SSTest *t, Insn *d)
{
    uint32_t i = 0;
    d->override = SEG_NONE;
    for (; i < t->nb_bytes; i++) {
        uint8_t b = t->bytes[i];
        if (override_segment(b) != SEG_NONE)
            d->override = override_segment(b);     /* the last segment prefix wins */
        else if (b != 0xF0 && b != 0xF2 && b != 0xF3)
            break;
    }
    if (i >= t->nb_bytes)
        return false;
    d->op = t->bytes[i];
    d->modrm_at = i + 1;
    d->has_modrm_byte = i + 1 < t->nb_bytes;
    d->modrm = d->has_modrm_byte ? t->bytes[i + 1] : 0;
    return true;
}

/* 16-bit effective address of the ModRM memory operand from the initial registers; false
 * for a register operand or when the bytes end early. */
static bool modrm_ea16(const SSTest *t, const Insn *d, uint16_t *ea)
{
    static const int base_of_rm[8] = { SS_BX, SS_BX, SS_BP, SS_BP, SS_SI, SS_DI, SS_BP, SS_BX };
    static const int index_of_rm[8] = { SS_SI, SS_DI, SS_SI, SS_DI, -1, -1, -1, -1 };
    const uint16_t *in = t->initial.regs;
    int mod = d->modrm >> 6, rm = d->modrm & 7;
    uint32_t disp_at = d->modrm_at + 1;
    if (!d->has_modrm_byte || mod == 3)
        return false;
    if (mod == 0 && rm == 6) {
        if (disp_at + 2 > t->nb_bytes)
            return false;
        *ea = (uint16_t)(t->bytes[disp_at] | t->bytes[disp_at + 1] << 8);
        return true;
    }
    uint16_t sum = in[base_of_rm[rm]];
    if (index_of_rm[rm] >= 0)
        sum = (uint16_t)(sum + in[index_of_rm[rm]]);
    if (mod == 1) {
        if (disp_at + 1 > t->nb_bytes)
            return false;
        sum = (uint16_t)(sum + (int8_t)t->bytes[disp_at]);
    } else if (mod == 2) {
        if (disp_at + 2 > t->nb_bytes)
            return false;
        sum = (uint16_t)(sum + (t->bytes[disp_at] | t->bytes[disp_at + 1] << 8));
    }
    *ea = sum;
    return true;
}

/* A 4-byte memory operand that does not fit below offset 0x10000. */
static bool wide_operand_straddles(const SSTest *t)
{
    Insn d;
    uint16_t ea;
    return decode_prefixes(t, &d) && has_modrm(d.op) && is_wide_operand(d.op, d.modrm) &&
           modrm_ea16(t, &d, &ea) && ea > 0xFFFC;
}

/* The segment register of the access that overran offset 0xFFFF, or SEG_NONE with the
 * reason in *nc. Uses the initial registers: the faults are precise except in string
 * instructions, which are excluded. */
static int overrun_segment(const SSTest *t, SSRule *nc)
{
    const uint16_t *in = t->initial.regs;
    Insn d;
    *nc = SS_RULE_NC_OVERRUN_UNKNOWN;
    if (!decode_prefixes(t, &d))
        return SEG_NONE;
    if (is_string_op(d.op)) {
        *nc = SS_RULE_NC_OVERRUN_STRING;
        return SEG_NONE;
    }
    if (is_stack_read(d.op) || (d.op == 0x8F && in[SS_SP] == 0xFFFF))   /* POP r/m pops first */
        return SS_SS;
    if (d.op == 0xA1 || d.op == 0xA3)           /* MOV AX,moffs / moffs,AX */
        return d.override != SEG_NONE ? d.override : SS_DS;
    if (!has_modrm(d.op) || !d.has_modrm_byte || d.modrm >= 0xC0)
        return SEG_NONE;
    if (d.override != SEG_NONE)
        return d.override;
    int rm = d.modrm & 7, mod = d.modrm >> 6;
    return rm == 2 || rm == 3 || (rm == 6 && mod != 0) ? SS_SS : SS_DS;   /* BP-based: SS */
}

/* README item 4: the recorded fault, delivered through vector 12 instead of 13 when the
 * overrunning access went through SS; the frame is the same, only CS:IP differ. */
static void expect_seg_overrun(const SSTest *t, SSExpect *e)
{
    SSRule nc;
    int seg = overrun_segment(t, &nc);
    if (seg == SEG_NONE) {
        e->rule = nc;
        return;
    }
    expect_recorded(t, e, SS_RULE_OVERRUN_GP);
    if (seg != SS_SS)
        return;
    Overlay o = { .t = t };
    e->rule = land_on_vector(&o, VECTOR_SS, e->regs) ? SS_RULE_OVERRUN_SS : SS_RULE_NC_LANDING;
}

void ss_expect_modern(const SSTest *t, SSExpect *e)
{
    memset(e, 0, sizeof(*e));
    if (t->tags & 1u << SS_TAG_LEN_GT_10)
        e->rule = SS_RULE_NC_LEN_GT_10;
    else if (t->tags & 1u << SS_TAG_FS_GS)
        e->rule = SS_RULE_NC_FS_GS;
    else if (t->tags & 1u << SS_TAG_LOCK_UD)
        expect_lock_ud(t, e);
    else if (wide_operand_straddles(t))
        e->rule = SS_RULE_NC_WIDE_STRADDLE;
    else if (t->tags & 1u << SS_TAG_X87) {
        expect_recorded(t, e, SS_RULE_X87_REGS);
        e->compare_ram = false;
    } else if (t->tags & 1u << SS_TAG_SEG_OVERRUN && t->has_exception)
        expect_seg_overrun(t, e);
    else
        expect_recorded(t, e, SS_RULE_RECORDED);
}
