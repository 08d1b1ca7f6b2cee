/*
 * tcg/backend/x86_64/codegen.c — IR block -> x86-64 code.
 *
 * First version: every temp lives in its slot of the temp file ([rbx + 8*t]); each op loads
 * its inputs into scratch registers (or uses them as memory operands), computes, and stores
 * its result back as a full 64-bit word. I32 results come from 32-bit instructions, which
 * zero-extend, so the I32 invariant (zero-extended slots) holds without extra masking, and
 * x86's own shift-count masking (31 / 63) is exactly the IR's "count modulo width".
 *
 * Code that is rarely run (TLB-miss calls, goto_tb exit stubs, the stop path) is emitted
 * after the block body, so the hot path falls straight through.
 *
 * Precise state for faults: tcg_exec_state.insn_pc is stored lazily, right before the first
 * helper call of each guest instruction and inside TLB-miss stubs, which are the only
 * places a fault can leave from. stop_request can only become true inside such a call, so
 * it is tested at the first insn_start of a block and at insn_starts that follow a call,
 * a guest-memory op or a label (a backward branch may come from after a call).
 */
#include "tcg/backend/x86_64/jit.h"
#include "tcg/eval.h"
#include "mmu/mmu.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(TLBEntry) == 32, "the TLB index scaling below assumes 32-byte entries");
#define TLB_ENTRY_SHIFT 5

enum StubKind { STUB_LD, STUB_ST, STUB_STOP, STUB_GOTO };

/* An out-of-line sequence: entered by the branch whose rel32 is at jcc_disp (and, for a
 * goto_tb, also by the patchable jmp at jmp_disp); returns to resume (if any). */
typedef struct Stub {
    enum StubKind kind;
    size_t jcc_disp, jmp_disp;
    uintptr_t resume;
    const TCGOp *op;
    uint64_t pc;
    bool have_pc;
    int slot;
} Stub;

typedef struct LabelRef {
    size_t disp;
    uint32_t label;
} LabelRef;

typedef struct Gen {
    X86Emit *e;
    const TCGBlock *b;
    TranslationBlock *tb;
    const JitTarget *target;
    JitBlockInfo *info;
    uintptr_t entry;            /* executable address of the block's first instruction */
    uint64_t pc;                /* guest pc of the current instruction */
    bool have_pc, pc_stored;    /* an insn_start was seen; its pc is in insn_pc already */
    bool may_stop;              /* stop_request may have been set since the last test */
    size_t goto_site[2];        /* position of each slot's exit sequence, or SIZE_MAX */
} Gen;

/* Growable scratch shared by all compilations (single compile at a time). */
static size_t *label_pos;
static uint32_t label_cap;
static LabelRef *label_refs;
static size_t nb_label_refs, label_refs_cap;
static Stub *stubs;
static size_t nb_stubs, stubs_cap;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    p = realloc(p, n * elem);
    if (!p)
        tcg_fatal("x86_64: out of memory compiling a block");
    *cap = n;
    return p;
}

/* ---------------------------------------------------------------- operand checks */

static X86Mem slot(const Gen *g, TCGArg t)
{
    if (t >= g->b->nb_temps)
        tcg_fatal("x86_64: op refers to temp %llu, block has %u", (unsigned long long)t, g->b->nb_temps);
    return x86_mem(JIT_TEMPS, (int32_t)(t * 8));
}

static TCGCond checked_cond(TCGArg c)
{
    if (c > TCG_COND_GTU)
        tcg_fatal("x86_64: bad condition %llu", (unsigned long long)c);
    return (TCGCond)c;
}

static uint32_t checked_label(const Gen *g, TCGArg l)
{
    if (l >= g->b->nb_labels)
        tcg_fatal("x86_64: label L%llu out of range", (unsigned long long)l);
    return (uint32_t)l;
}

static TCGMemOp checked_memop(TCGArg mo)
{
    if (mo & ~(TCGArg)(MO_SIZE | MO_SIGN))
        tcg_fatal("x86_64: bad memop %llu", (unsigned long long)mo);
    return (TCGMemOp)mo;
}

static int32_t checked_disp(uint64_t offset)
{
    if (offset > INT32_MAX)
        tcg_fatal("x86_64: env offset %llu does not fit a displacement", (unsigned long long)offset);
    return (int32_t)offset;
}

static int host_cond(TCGCond c)
{
    static const uint8_t cc[] = {
        [TCG_COND_EQ] = CC_E, [TCG_COND_NE] = CC_NE,
        [TCG_COND_LT] = CC_L, [TCG_COND_GE] = CC_GE, [TCG_COND_LE] = CC_LE, [TCG_COND_GT] = CC_G,
        [TCG_COND_LTU] = CC_B, [TCG_COND_GEU] = CC_AE, [TCG_COND_LEU] = CC_BE, [TCG_COND_GTU] = CC_A,
    };
    return cc[c];
}

/* ---------------------------------------------------------------- small sequences */

static void load(Gen *g, int reg, TCGArg t)
{
    x86_rm(g->e, 0x8b, true, reg, slot(g, t));
}

static void store(Gen *g, TCGArg t, int reg)
{
    x86_rm(g->e, 0x89, true, reg, slot(g, t));
}

static void mov_rr(Gen *g, bool w, int dst, int src)
{
    x86_rr(g->e, 0x8b, w, dst, src);
}

/* The instruction that loads a value of memop mo as an op of the given type holds it:
 * sign or zero extension to the type, 32-bit forms (which zero-extend) for I32. */
static void extend_opc(TCGMemOp mo, TCGType type, unsigned *opc, bool *w)
{
    bool sign = (mo & MO_SIGN) != 0, i64 = type == TCG_I64;
    switch (mo & MO_SIZE) {
    case MO_8:  *opc = OPC_0F | OPC_BYTEREG | (sign ? 0xbe : 0xb6); *w = sign && i64; break;
    case MO_16: *opc = OPC_0F | (sign ? 0xbf : 0xb7); *w = sign && i64; break;
    case MO_32: *opc = sign && i64 ? 0x63 : 0x8b; *w = sign && i64; break;
    default:    *opc = 0x8b; *w = i64; break;
    }
}

static void load_ext_mem(Gen *g, int reg, X86Mem m, TCGMemOp mo, TCGType type)
{
    unsigned opc;
    bool w;
    extend_opc(mo, type, &opc, &w);
    x86_rm(g->e, opc, w, reg, m);
}

/* Same extension applied to a register (the result of a slow-path call). */
static void extend_reg(Gen *g, int reg, TCGMemOp mo, TCGType type)
{
    unsigned opc;
    bool w;
    extend_opc(mo, type, &opc, &w);
    if (opc == 0x8b && w)
        return;                     /* 64 bits into I64: nothing to do */
    x86_rr(g->e, opc, w, reg, reg);
}

static void store_sized(Gen *g, X86Mem m, int reg, TCGMemOp size)
{
    static const unsigned opc[] = { [MO_8] = 0x88 | OPC_BYTEREG, [MO_16] = 0x89 | OPC_66, [MO_32] = 0x89, [MO_64] = 0x89 };
    x86_rm(g->e, opc[size], size == MO_64, reg, m);
}

static void mov_imm64_to_state(Gen *g, size_t field, uint64_t value)
{
    x86_mov_imm(g->e, RAX, value);
    x86_rm(g->e, 0x89, true, RAX, x86_mem(JIT_STATE, (int32_t)field));
}

static void store_insn_pc(Gen *g)
{
    if (g->have_pc && !g->pc_stored) {
        mov_imm64_to_state(g, offsetof(TCGExecState, insn_pc), g->pc);
        g->pc_stored = true;
    }
}

static void leave_block(Gen *g, TCGExitKind kind)
{
    x86_mov_imm(g->e, RAX, (uintptr_t)g->tb);
    x86_mov_imm(g->e, RDX, (uint64_t)kind);
    x86_jmp32(g->e, g->target->epilogue);
}

static Stub *new_stub(Gen *g, enum StubKind kind, size_t jcc_disp)
{
    stubs = grow(stubs, &stubs_cap, nb_stubs + 1, sizeof(*stubs));
    Stub *s = &stubs[nb_stubs++];
    *s = (Stub){ .kind = kind, .jcc_disp = jcc_disp, .jmp_disp = SIZE_MAX, .pc = g->pc, .have_pc = g->have_pc };
    return s;
}

static void branch_to_label(Gen *g, size_t disp, TCGArg label)
{
    label_refs = grow(label_refs, &label_refs_cap, nb_label_refs + 1, sizeof(*label_refs));
    label_refs[nb_label_refs++] = (LabelRef){ disp, checked_label(g, label) };
}

/* ---------------------------------------------------------------- value ops */

/* reg, r/m opcodes of the two-input ops that are one x86 instruction. */
static const unsigned binop_opc[NB_TCG_OPS] = {
    [INDEX_op_add] = 0x03, [INDEX_op_sub] = 0x2b, [INDEX_op_and] = 0x23,
    [INDEX_op_or] = 0x0b, [INDEX_op_xor] = 0x33, [INDEX_op_mul] = OPC_0F | 0xaf,
};
/* C1/D3 group digits, +1 so that 0 means "not a shift". */
static const uint8_t shift_digit1[NB_TCG_OPS] = {
    [INDEX_op_shl] = SH_SHL + 1, [INDEX_op_shr] = SH_SHR + 1, [INDEX_op_sar] = SH_SAR + 1,
    [INDEX_op_rotl] = SH_ROL + 1, [INDEX_op_rotr] = SH_ROR + 1,
};
/* Extensions and conversions, as the load of a narrower value; +1 keeps 0 as "none". */
static const uint8_t ext_memop1[NB_TCG_OPS] = {
    [INDEX_op_ext8s] = MO_SB + 1, [INDEX_op_ext8u] = MO_UB + 1,
    [INDEX_op_ext16s] = MO_SW + 1, [INDEX_op_ext16u] = MO_UW + 1,
    [INDEX_op_ext32s] = MO_SL + 1, [INDEX_op_ext32u] = MO_UL + 1,
    [INDEX_op_ext_i32_i64] = MO_SL + 1, [INDEX_op_extu_i32_i64] = MO_UL + 1,
    [INDEX_op_extrl_i64_i32] = MO_UL + 1,
};

/* Population count without popcnt: the classic SWAR reduction on the 64-bit value. */
static void ctpop_swar(Gen *g)
{
    X86Emit *e = g->e;
    mov_rr(g, true, RCX, RAX);
    x86_shift_imm(e, SH_SHR, true, RCX, 1);
    x86_mov_imm(e, RDX, 0x5555555555555555ull);
    x86_rr(e, 0x23, true, RCX, RDX);
    x86_rr(e, 0x2b, true, RAX, RCX);
    x86_mov_imm(e, RDX, 0x3333333333333333ull);
    mov_rr(g, true, RCX, RAX);
    x86_rr(e, 0x23, true, RCX, RDX);
    x86_shift_imm(e, SH_SHR, true, RAX, 2);
    x86_rr(e, 0x23, true, RAX, RDX);
    x86_rr(e, 0x03, true, RAX, RCX);
    mov_rr(g, true, RCX, RAX);
    x86_shift_imm(e, SH_SHR, true, RCX, 4);
    x86_rr(e, 0x03, true, RAX, RCX);
    x86_mov_imm(e, RDX, 0x0f0f0f0f0f0f0f0full);
    x86_rr(e, 0x23, true, RAX, RDX);
    x86_mov_imm(e, RDX, 0x0101010101010101ull);
    x86_rr(e, OPC_0F | 0xaf, true, RAX, RDX);
    x86_shift_imm(e, SH_SHR, true, RAX, 56);
}

/* Ops that compute one value from one or two temps. Returns false if op is not one. */
static bool gen_value_op(Gen *g, const TCGOp *op)
{
    X86Emit *e = g->e;
    const bool w = op->type == TCG_I64;
    const TCGArg d = op->args[0], a = op->args[1], b = op->args[2];
    const unsigned opc = op->opc;

    if (binop_opc[opc]) {
        x86_rm(e, 0x8b, w, RAX, slot(g, a));
        x86_rm(e, binop_opc[opc], w, RAX, slot(g, b));
    } else if (shift_digit1[opc]) {
        x86_rm(e, 0x8b, w, RAX, slot(g, a));
        x86_rm(e, 0x8b, false, RCX, slot(g, b));
        x86_grp_r(e, 0xd3, w, shift_digit1[opc] - 1, RAX);
    } else if (ext_memop1[opc]) {
        load_ext_mem(g, RAX, slot(g, a), (TCGMemOp)(ext_memop1[opc] - 1), (TCGType)op->type);
    } else {
        switch ((TCGOpcode)opc) {
        case INDEX_op_mov:
            load(g, RAX, a);
            break;
        case INDEX_op_andc:
            x86_rm(e, 0x8b, w, RCX, slot(g, b));
            x86_grp_r(e, 0xf7, w, 2, RCX);                      /* not */
            x86_rm(e, 0x23, w, RCX, slot(g, a));
            mov_rr(g, true, RAX, RCX);
            break;
        case INDEX_op_neg:
        case INDEX_op_not:
            x86_rm(e, 0x8b, w, RAX, slot(g, a));
            x86_grp_r(e, 0xf7, w, opc == INDEX_op_neg ? 3 : 2, RAX);
            break;
        case INDEX_op_clz:
            /* clz = bsr ^ (width-1); feed if_zero pre-xored so one final xor serves both */
            x86_rm(e, 0x8b, w, RCX, slot(g, b));
            x86_alu_imm(e, ALU_XOR, w, RCX, w ? 63 : 31);
            x86_rm(e, OPC_0F | 0xbd, w, RAX, slot(g, a));
            x86_rr(e, OPC_0F | (0x40 + CC_E), w, RAX, RCX);   /* source was zero */
            x86_alu_imm(e, ALU_XOR, w, RAX, w ? 63 : 31);
            break;
        case INDEX_op_ctz:
            x86_rm(e, 0x8b, w, RCX, slot(g, b));
            x86_rm(e, OPC_0F | 0xbc, w, RAX, slot(g, a));
            x86_rr(e, OPC_0F | (0x40 + CC_E), w, RAX, RCX);
            break;
        case INDEX_op_ctpop:
            if (g->target->has_popcnt) {
                x86_rm(e, OPC_F3 | OPC_0F | 0xb8, true, RAX, slot(g, a));
            } else {
                load(g, RAX, a);
                ctpop_swar(g);
            }
            break;
        case INDEX_op_bswap:
            x86_rm(e, 0x8b, w, RAX, slot(g, a));
            x86_bswap(e, w, RAX);
            break;
        case INDEX_op_extrh_i64_i32:
            load(g, RAX, a);
            x86_shift_imm(e, SH_SHR, true, RAX, 32);
            break;
        default:
            return false;
        }
    }
    store(g, d, RAX);
    return true;
}

static void gen_mul2(Gen *g, const TCGOp *op)
{
    X86Emit *e = g->e;
    const bool is_signed = op->opc == INDEX_op_muls2;
    const TCGArg lo = op->args[0], hi = op->args[1], a = op->args[2], b = op->args[3];

    if (op->type == TCG_I64) {
        load(g, RAX, a);
        x86_grp_m(e, 0xf7, true, is_signed ? 5 : 4, slot(g, b));   /* rdx:rax = rax * [b] */
    } else {
        /* the exact 64-bit product of the (sign- or zero-) extended halves, split */
        x86_rm(e, is_signed ? 0x63 : 0x8b, is_signed, RAX, slot(g, a));
        x86_rm(e, is_signed ? 0x63 : 0x8b, is_signed, RCX, slot(g, b));
        x86_rr(e, OPC_0F | 0xaf, true, RAX, RCX);
        mov_rr(g, true, RDX, RAX);
        x86_shift_imm(e, SH_SHR, true, RDX, 32);
        mov_rr(g, false, RAX, RAX);
    }
    store(g, lo, RAX);
    store(g, hi, RDX);          /* after lo: if lo and hi are one temp, hi wins, as in interp */
}

/* cmp a, b of the op's type; returns the host condition code. */
static int gen_compare(Gen *g, TCGType type, TCGArg a, TCGArg b, TCGCond c)
{
    x86_rm(g->e, 0x8b, type == TCG_I64, RAX, slot(g, a));
    x86_rm(g->e, 0x3b, type == TCG_I64, RAX, slot(g, b));
    return host_cond(c);
}

static void gen_setcond(Gen *g, const TCGOp *op)
{
    TCGCond c = checked_cond(op->args[3]);
    if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS) {
        slot(g, op->args[1]);
        slot(g, op->args[2]);
        x86_mov_imm(g->e, RAX, c == TCG_COND_ALWAYS);
    } else {
        int cc = gen_compare(g, (TCGType)op->type, op->args[1], op->args[2], c);
        x86_rr(g->e, OPC_0F | OPC_BYTEREG | (0x90 + cc), false, 0, RAX);
        x86_rr(g->e, OPC_0F | OPC_BYTEREG | 0xb6, false, RAX, RAX);
    }
    store(g, op->args[0], RAX);
}

static void gen_movcond(Gen *g, const TCGOp *op)
{
    TCGCond c = checked_cond(op->args[5]);
    const TCGArg v1 = op->args[3], v2 = op->args[4];
    if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS) {
        slot(g, op->args[1]);
        slot(g, op->args[2]);
        load(g, RAX, c == TCG_COND_ALWAYS ? v1 : v2);
    } else {
        int cc = gen_compare(g, (TCGType)op->type, op->args[1], op->args[2], c);
        load(g, RAX, v2);                                       /* mov keeps the flags */
        x86_rm(g->e, OPC_0F | (0x40 + cc), true, RAX, slot(g, v1));
    }
    store(g, op->args[0], RAX);
}

static void gen_brcond(Gen *g, const TCGOp *op)
{
    TCGCond c = checked_cond(op->args[2]);
    slot(g, op->args[0]);
    slot(g, op->args[1]);
    if (c == TCG_COND_NEVER) {
        checked_label(g, op->args[3]);
        return;
    }
    if (c == TCG_COND_ALWAYS) {
        branch_to_label(g, x86_jmp32(g->e, 0), op->args[3]);
        return;
    }
    int cc = gen_compare(g, (TCGType)op->type, op->args[0], op->args[1], c);
    branch_to_label(g, x86_jcc32(g->e, cc, 0), op->args[3]);
}

/* ---------------------------------------------------------------- memory */

static int checked_mmu_idx(TCGArg idx)
{
    if (idx >= NB_MMU_MODES)
        tcg_fatal("x86_64: bad mmu index %llu", (unsigned long long)idx);
    return (int)idx;
}

/* Inline TLB probe for an access of mo at the address in temp addr, through tag field
 * (addr_read or addr_write). On a hit, rax + rsi is the host address; a miss jumps to a
 * new stub of the given kind, returned for the caller to complete. */
static Stub *gen_tlb_probe(Gen *g, TCGArg addr, TCGMemOp mo, int mmu_idx, size_t tag_field, enum StubKind kind)
{
    X86Emit *e = g->e;
    const unsigned size = 1u << (mo & MO_SIZE);
    const uint64_t table = mmu_tlb_offset + offsetof(CPUTLB, e)
                         + (uint64_t)mmu_idx * TLB_ENTRIES * sizeof(TLBEntry);
    const int32_t tag_disp = checked_disp(table + tag_field);
    const int32_t addend_disp = checked_disp(table + offsetof(TLBEntry, addend));

    load(g, RSI, addr);
    /* rdx = index * sizeof(TLBEntry), straight from the address bits */
    mov_rr(g, false, RDX, RSI);
    x86_shift_imm(e, SH_SHR, false, RDX, PAGE_BITS - TLB_ENTRY_SHIFT);
    x86_alu_imm(e, ALU_AND, false, RDX, (int32_t)((TLB_ENTRIES - 1) << TLB_ENTRY_SHIFT));
    /* rcx = page of the access's last byte: a page-crossing access never matches */
    if (size > 1)
        x86_rm(e, 0x8d, true, RCX, x86_mem(RSI, (int32_t)size - 1));
    else
        mov_rr(g, true, RCX, RSI);
    x86_alu_imm(e, ALU_AND, true, RCX, (int32_t)PAGE_MASK);
    x86_rm(e, 0x3b, true, RCX, x86_mem_idx(JIT_ENV, RDX, tag_disp));
    Stub *s = new_stub(g, kind, x86_jcc32(e, CC_NE, 0));
    x86_rm(e, 0x8b, true, RAX, x86_mem_idx(JIT_ENV, RDX, addend_disp));
    return s;
}

static void gen_qemu_ld(Gen *g, const TCGOp *op)
{
    TCGMemOp mo = checked_memop(op->args[2]);
    slot(g, op->args[0]);
    Stub *s = gen_tlb_probe(g, op->args[1], mo, checked_mmu_idx(op->args[3]),
                            offsetof(TLBEntry, addr_read), STUB_LD);
    s->op = op;
    load_ext_mem(g, RAX, x86_mem_idx(RAX, RSI, 0), mo, (TCGType)op->type);
    s->resume = x86_here(g->e);
    store(g, op->args[0], RAX);
    g->may_stop = true;
}

static void gen_qemu_st(Gen *g, const TCGOp *op)
{
    TCGMemOp mo = checked_memop(op->args[2]);
    if (mo & MO_SIGN)
        tcg_fatal("x86_64: signed store memop");
    Stub *s = gen_tlb_probe(g, op->args[1], mo, checked_mmu_idx(op->args[3]),
                            offsetof(TLBEntry, addr_write), STUB_ST);
    s->op = op;
    load(g, RCX, op->args[0]);
    store_sized(g, x86_mem_idx(RAX, RSI, 0), RCX, mo);
    s->resume = x86_here(g->e);
    g->may_stop = true;
}

/* ---------------------------------------------------------------- calls and exits */

static void call_abs(Gen *g, const void *fn)
{
    x86_mov_imm(g->e, RAX, (uintptr_t)fn);
    x86_call_reg(g->e, RAX);
}

static void gen_call(Gen *g, const TCGOp *op)
{
    static const int arg_reg[4] = { RSI, RDX, RCX, R8 };
    const TCGHelperInfo *h = (const TCGHelperInfo *)(uintptr_t)op->args[5];
    if (!h || !h->fn)
        tcg_fatal("x86_64: call without helper");
    const TCGArg ret = op->args[0];
    if (ret != TCG_NOTEMP)
        slot(g, ret);

    store_insn_pc(g);
    for (int i = 0; i < 4; i++) {
        TCGArg t = op->args[1 + i];
        if (t == TCG_NOTEMP)
            x86_rr(g->e, 0x33, false, arg_reg[i], arg_reg[i]);          /* xor: absent = 0 */
        else
            load(g, arg_reg[i], t);
    }
    mov_rr(g, true, RDI, JIT_ENV);
    call_abs(g, (const void *)h->fn);
    if (ret != TCG_NOTEMP) {
        if (op->type == TCG_I32)
            mov_rr(g, false, RAX, RAX);
        store(g, ret, RAX);
    }
    g->may_stop = true;
}

/* The rarely taken end of insn_start: the running block was invalidated or flushed. */
static void jit_stop_at(void *env, uint64_t pc)
{
    tcg_exec_state.insn_pc = pc;
    tcg_frontend->set_pc(env, pc);
}

static void gen_insn_start(Gen *g, const TCGOp *op)
{
    g->pc = op->args[0];
    g->have_pc = true;
    g->pc_stored = false;
    if (g->may_stop) {
        x86_grp_m(g->e, 0x80, false, ALU_CMP, x86_mem(JIT_STATE, offsetof(TCGExecState, stop_request)));
        x86_byte(g->e, 0);
        new_stub(g, STUB_STOP, x86_jcc32(g->e, CC_NE, 0));
        g->may_stop = false;
    }
}

static bool chainable(const TranslationBlock *tb)
{
    return !(tb->key.cflags & (TB_CF_NO_CHAIN | TB_CF_SINGLE_INSN));
}

/* goto_tb: test exit_req (a chained successor must not run when it is set), then a jmp
 * whose rel32 link() rewrites; unlinked, it goes to a stub returning (tb, slot). */
static void gen_goto_tb(Gen *g, const TCGOp *op)
{
    X86Emit *e = g->e;
    if (op->args[0] > 1)
        tcg_fatal("x86_64: goto_tb slot %llu", (unsigned long long)op->args[0]);
    const int slot_n = (int)op->args[0];

    if (g->goto_site[slot_n] != SIZE_MAX) {         /* one patch site per slot: share it */
        x86_jmp32(e, g->e->rx + g->goto_site[slot_n]);
        return;
    }
    g->goto_site[slot_n] = e->pos;
    if (!chainable(g->tb)) {
        leave_block(g, (TCGExitKind)slot_n);
        return;
    }
    x86_grp_m(e, 0x83, false, ALU_CMP, x86_mem(JIT_ENV, checked_disp(tcg_frontend->exit_req_offset)));
    x86_byte(e, 0);
    Stub *s = new_stub(g, STUB_GOTO, x86_jcc32(e, CC_NE, 0));
    s->slot = slot_n;
    x86_nops(e, (unsigned)(-(x86_here(e) + 1) & 3));    /* rel32 4-byte aligned: atomic patch */
    s->jmp_disp = x86_jmp32(e, 0);
    g->info->goto_disp[slot_n] = (uint32_t)(e->rx + s->jmp_disp - g->entry);
}

/* ---------------------------------------------------------------- out-of-line code */

static void emit_stub(Gen *g, const Stub *s)
{
    X86Emit *e = g->e;
    uintptr_t start = x86_here(e);
    x86_patch_rel32(e, s->jcc_disp, start);

    switch (s->kind) {
    case STUB_LD:
    case STUB_ST: {
        const TCGOp *op = s->op;
        TCGMemOp mo = (TCGMemOp)op->args[2];
        bool is_load = s->kind == STUB_LD;
        if (s->have_pc)
            mov_imm64_to_state(g, offsetof(TCGExecState, insn_pc), s->pc);
        mov_rr(g, true, RDI, JIT_ENV);
        load(g, RSI, op->args[1]);
        if (is_load) {
            x86_mov_imm(e, RDX, 1u << (mo & MO_SIZE));
            x86_mov_imm(e, RCX, op->args[3]);
            call_abs(g, (const void *)mmu_ld_slow);
            extend_reg(g, RAX, mo, (TCGType)op->type);
        } else {
            load(g, RDX, op->args[0]);
            x86_mov_imm(e, RCX, 1u << (mo & MO_SIZE));
            x86_mov_imm(e, R8, op->args[3]);
            call_abs(g, (const void *)mmu_st_slow);
        }
        x86_jmp32(e, s->resume);
        break;
    }
    case STUB_STOP:
        mov_rr(g, true, RDI, JIT_ENV);
        x86_mov_imm(e, RSI, s->pc);
        call_abs(g, (const void *)jit_stop_at);
        leave_block(g, TCG_EXIT_STOPPED);
        break;
    case STUB_GOTO:
        /* the exit_req test and the unlinked jmp of a slot share this stub */
        if (s->jmp_disp != SIZE_MAX) {
            x86_patch_rel32(e, s->jmp_disp, start);
            g->info->goto_stub[s->slot] = (uint32_t)(start - g->entry);
        }
        leave_block(g, (TCGExitKind)s->slot);
        break;
    }
}

/* ---------------------------------------------------------------- driver */

bool jit_codegen(X86Emit *e, const TCGBlock *b, TranslationBlock *tb, const JitTarget *t, JitBlockInfo *info)
{
    if (b->nb_temps > JIT_MAX_TEMPS)
        tcg_fatal("x86_64: block has %u temps, at most %u", b->nb_temps, JIT_MAX_TEMPS);
    Gen g = { .e = e, .b = b, .tb = tb, .target = t, .info = info, .entry = x86_here(e),
              .may_stop = true, .goto_site = { SIZE_MAX, SIZE_MAX } };
    memset(info, 0, sizeof(*info));
    nb_stubs = nb_label_refs = 0;
    size_t cap = label_cap;
    label_pos = grow(label_pos, &cap, b->nb_labels, sizeof(*label_pos));
    label_cap = (uint32_t)cap;
    for (uint32_t l = 0; l < b->nb_labels; l++)
        label_pos[l] = SIZE_MAX;

    /* tcg_exec_state.tb names the block running now, also when entered through a chain,
     * so that invalidating it requests a stop */
    mov_imm64_to_state(&g, offsetof(TCGExecState, tb), (uintptr_t)tb);

    for (uint32_t n = 0; n < b->nb_ops; n++) {
        const TCGOp *op = &b->ops[n];
        if (op->opc >= NB_TCG_OPS || op->type > TCG_I64)
            tcg_fatal("x86_64: bad op %u type %u at %u", op->opc, op->type, n);
        if (gen_value_op(&g, op))
            continue;
        switch ((TCGOpcode)op->opc) {
        case INDEX_op_movi:
            slot(&g, op->args[0]);
            x86_mov_imm(e, RAX, op->args[1] & tcg_type_mask((TCGType)op->type));
            store(&g, op->args[0], RAX);
            break;
        case INDEX_op_mulu2:
        case INDEX_op_muls2:
            gen_mul2(&g, op);
            break;
        case INDEX_op_setcond:
            gen_setcond(&g, op);
            break;
        case INDEX_op_movcond:
            gen_movcond(&g, op);
            break;
        case INDEX_op_set_label: {
            uint32_t l = checked_label(&g, op->args[0]);
            label_pos[l] = e->pos;
            /* paths meeting here (also backward ones, from after a call) may differ */
            g.pc_stored = false;
            g.may_stop = true;
            break;
        }
        case INDEX_op_br:
            branch_to_label(&g, x86_jmp32(e, 0), op->args[0]);
            break;
        case INDEX_op_brcond:
            gen_brcond(&g, op);
            break;
        case INDEX_op_ld_env:
            slot(&g, op->args[0]);
            load_ext_mem(&g, RAX, x86_mem(JIT_ENV, checked_disp(op->args[1])), checked_memop(op->args[2]),
                         (TCGType)op->type);
            store(&g, op->args[0], RAX);
            break;
        case INDEX_op_st_env:
            load(&g, RAX, op->args[0]);
            store_sized(&g, x86_mem(JIT_ENV, checked_disp(op->args[1])), RAX,
                        (TCGMemOp)(checked_memop(op->args[2]) & MO_SIZE));
            break;
        case INDEX_op_qemu_ld:
            gen_qemu_ld(&g, op);
            break;
        case INDEX_op_qemu_st:
            gen_qemu_st(&g, op);
            break;
        case INDEX_op_call:
            gen_call(&g, op);
            break;
        case INDEX_op_insn_start:
            gen_insn_start(&g, op);
            break;
        case INDEX_op_goto_tb:
            gen_goto_tb(&g, op);
            break;
        case INDEX_op_exit_tb:
            leave_block(&g, TCG_EXIT_INDIRECT);
            break;
        default:
            tcg_fatal("x86_64: unhandled op %s", tcg_op_defs[op->opc].name);
        }
    }
    /* Running past the end is a front-end bug (a path without an exit): trap it. */
    x86_ud2(e);
    info->body_size = (uint32_t)e->pos;

    for (size_t i = 0; i < nb_stubs; i++)
        emit_stub(&g, &stubs[i]);
    for (size_t i = 0; i < nb_label_refs; i++) {
        size_t at = label_pos[label_refs[i].label];
        if (at == SIZE_MAX)
            tcg_fatal("x86_64: branch to label L%u that is never set", label_refs[i].label);
        x86_patch_rel32(e, label_refs[i].disp, e->rx + at);
    }
    info->code_size = (uint32_t)e->pos;
    return !e->overflow;
}
