/*
 * tcg/backend/x86_64/codegen.c — IR block -> x86-64 code.
 *
 * Every temp has a home slot in the temp file ([rbx + 8*t]), but values live in host
 * registers while they are used: a liveness pass marks, for every op, the temps whose value
 * is not needed after it, and a local allocator hands out registers from a fixed pool,
 * frees them at a temp's last use, keeps movi constants as immediates until an op needs
 * them in a register, and writes a register back to its slot only when it must (out of
 * registers, across a helper call without a callee-saved register to move to, or at a
 * control-flow join).
 *
 * Control flow: temps may live across labels. A temp referenced in more than one
 * label-delimited region, or read before it is written in its region, is "global": its slot
 * is made current before every branch and label, and nothing is assumed cached after a
 * label. Other temps are never seen by another region, so they need no write-back at all.
 * Temps are dead at block exits.
 *
 * I32 temps hold zero-extended values in registers and slots alike (32-bit instructions
 * zero-extend), and x86's own shift-count masking (31 / 63) is the IR's "count modulo width".
 *
 * Code that is rarely run (TLB-miss calls, goto_tb exit stubs, the stop path) is emitted
 * after the block body, so the hot path falls straight through. A TLB-miss stub saves the
 * caller-saved registers that hold live temps to their slots around its call and reloads
 * them, so the fast path keeps its registers.
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

#define REG_BIT(r) (1u << (r))
/* SysV: what a call may clobber. */
#define CALLER_SAVED (REG_BIT(RAX) | REG_BIT(RCX) | REG_BIT(RDX) | REG_BIT(RSI) | REG_BIT(RDI) \
                      | REG_BIT(R8) | REG_BIT(R9) | REG_BIT(R10) | REG_BIT(R11))
/* The allocation pool in order of preference: registers without fixed duties first (rcx
 * is the shift count), the callee-saved ones (saved by the trampoline) last, kept for
 * values that live across helper calls. rbx, rsp, r14 and r15 are reserved (jit.h). */
static const uint8_t alloc_order[] = { RAX, RDX, RSI, RDI, R8, R9, R10, R11, RCX, R12, R13, RBP };
#define NB_ALLOC_REGS (sizeof(alloc_order) / sizeof(alloc_order[0]))
#define NO_OWNER (-1)

/* STUB_EXIT returns (tb, slot) to the exec loop: a goto_tb's unlinked or exit_req path, or
 * an exit_tb whose successor was not found from generated code (slot TCG_EXIT_INDIRECT). */
enum StubKind { STUB_LD, STUB_ST, STUB_STOP, STUB_EXIT };

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
    /* TLB miss: the registers of the address, the stored value / the loaded result, and
     * the caller-saved registers holding live temps (saved_temp[r] for each bit r) */
    int8_t addr_reg, val_reg;
    uint16_t save_mask;
    TCGv saved_temp[16];
} Stub;

typedef struct LabelRef {
    size_t disp;
    uint32_t label;
} LabelRef;

enum TempLoc { LOC_MEM, LOC_REG, LOC_CONST };

/* Where a temp's current value is. The slot is current unless dirty. */
typedef struct TempState {
    uint8_t loc;            /* enum TempLoc */
    uint8_t reg;            /* LOC_REG */
    bool dirty;             /* the register or constant is newer than the slot */
    bool global;            /* seen by more than one region (see the top of the file) */
    uint64_t value;         /* LOC_CONST, masked to the temp's type */
} TempState;

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
    bool reachable;             /* false after an unconditional exit, until a label */
    bool narrow;                /* the op's 64-bit result only feeds the next op's ext32u */
    TCGv zext_temp;             /* the previous op's result if it was narrow (a live result
                                   is never skipped as dead, so it was computed) */
    size_t goto_site[2];        /* position of each slot's exit sequence, or SIZE_MAX */
    size_t indirect_site;       /* position of the exit_tb sequence, or SIZE_MAX */
    /* register allocation */
    const TCGOp *op;            /* the op being compiled */
    uint8_t dead;               /* its args whose value is not needed after it (bit i = args[i]) */
    unsigned locked;            /* registers the op uses: never handed out or evicted */
    int32_t owner[16];          /* temp held by each host register, or NO_OWNER */
    TempState *ts;
} Gen;

/* Growable scratch shared by all compilations (single compile at a time). */
static size_t *label_pos;
static uint32_t label_cap;
static LabelRef *label_refs;
static size_t nb_label_refs, label_refs_cap;
static Stub *stubs;
static size_t nb_stubs, stubs_cap;
static TempState *temp_states;
static size_t temp_states_cap;
static uint32_t *temp_region;           /* liveness pass: first region of each temp / live flag */
static size_t temp_region_cap;
static TCGv *globals;
static size_t globals_cap;
static uint32_t nb_globals;
static uint8_t *op_dead;
static size_t op_dead_cap;

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
    if (offset > INT32_MAX - 8)
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

/* ---------------------------------------------------------------- liveness */

static bool is_temp_arg(const TCGOp *op, unsigned i)
{
    const TCGOpDef *d = &tcg_op_defs[op->opc];
    return i < (unsigned)d->nb_oargs + d->nb_iargs && op->args[i] != TCG_NOTEMP;
}

static bool is_output(const TCGOp *op, TCGArg t)
{
    for (unsigned i = 0; i < tcg_op_defs[op->opc].nb_oargs; i++)
        if (op->args[i] == t)
            return true;
    return false;
}

static void set_live_globals(uint32_t *live, uint32_t nb_temps, bool only_them)
{
    if (only_them)
        memset(live, 0, nb_temps * sizeof(*live));
    for (uint32_t i = 0; i < nb_globals; i++)
        live[globals[i]] = 1;
}

/* Validate the temp operands, find the global temps, and compute op_dead: walking back,
 * a temp is live after an op if a later op of its region reads it before writing it; at a
 * branch or the end of a region every global is live, at a block exit nothing is. */
static void analyze(Gen *g)
{
    const TCGBlock *b = g->b;
    temp_states = grow(temp_states, &temp_states_cap, b->nb_temps, sizeof(*temp_states));
    temp_region = grow(temp_region, &temp_region_cap, b->nb_temps, sizeof(*temp_region));
    op_dead = grow(op_dead, &op_dead_cap, b->nb_ops, sizeof(*op_dead));
    g->ts = temp_states;
    for (uint32_t t = 0; t < b->nb_temps; t++) {
        temp_states[t] = (TempState){ .loc = LOC_MEM };
        temp_region[t] = UINT32_MAX;
    }

    uint32_t region = 0;
    for (uint32_t n = 0; n < b->nb_ops; n++) {
        const TCGOp *op = &b->ops[n];
        if (op->opc >= NB_TCG_OPS || op->type > TCG_I64)
            tcg_fatal("x86_64: bad op %u type %u at %u", op->opc, op->type, n);
        const TCGOpDef *d = &tcg_op_defs[op->opc];
        if (op->opc == INDEX_op_set_label)
            region++;
        /* inputs before outputs: an op reads its inputs first */
        for (unsigned k = 0; k < (unsigned)d->nb_oargs + d->nb_iargs; k++) {
            unsigned i = (k + d->nb_oargs) % (d->nb_oargs + d->nb_iargs);
            TCGArg t = op->args[i];
            if (t == TCG_NOTEMP && op->opc == INDEX_op_call)
                continue;
            if (t >= b->nb_temps)
                tcg_fatal("x86_64: op %s refers to temp %llu, block has %u", d->name,
                          (unsigned long long)t, b->nb_temps);
            if (temp_region[t] == UINT32_MAX) {
                temp_region[t] = region;
                temp_states[t].global = i >= d->nb_oargs;      /* read before any write */
            } else if (temp_region[t] != region) {
                temp_states[t].global = true;
            }
        }
    }
    nb_globals = 0;
    for (uint32_t t = 0; t < b->nb_temps; t++)
        if (temp_states[t].global) {
            globals = grow(globals, &globals_cap, nb_globals + 1, sizeof(*globals));
            globals[nb_globals++] = (TCGv)t;
        }

    uint32_t *live = temp_region;       /* reused: the region numbers are no longer needed */
    memset(live, 0, b->nb_temps * sizeof(*live));
    for (uint32_t n = b->nb_ops; n-- > 0;) {
        const TCGOp *op = &b->ops[n];
        const TCGOpDef *d = &tcg_op_defs[op->opc];
        uint8_t dead = 0;
        switch ((TCGOpcode)op->opc) {
        case INDEX_op_set_label:
        case INDEX_op_br:
            set_live_globals(live, b->nb_temps, true);
            break;
        case INDEX_op_brcond:
            set_live_globals(live, b->nb_temps, false);
            break;
        case INDEX_op_goto_tb:
        case INDEX_op_exit_tb:
            memset(live, 0, b->nb_temps * sizeof(*live));
            break;
        default:
            break;
        }
        for (unsigned i = 0; i < d->nb_oargs; i++)
            if (is_temp_arg(op, i)) {
                if (!live[op->args[i]])
                    dead |= (uint8_t)(1u << i);
                live[op->args[i]] = 0;
            }
        for (unsigned i = d->nb_oargs; i < (unsigned)d->nb_oargs + d->nb_iargs; i++)
            if (is_temp_arg(op, i)) {
                if (!live[op->args[i]] && !is_output(op, op->args[i]))
                    dead |= (uint8_t)(1u << i);
                live[op->args[i]] = 1;
            }
        op_dead[n] = dead;
    }
}

/* ---------------------------------------------------------------- registers and slots */

static X86Mem slot(TCGArg t)
{
    return x86_mem(JIT_TEMPS, (int32_t)(t * 8));       /* t < nb_temps <= 0xffff: analyze() */
}

static bool dies(const Gen *g, unsigned i)
{
    return (g->dead >> i) & 1;
}

static void mov_rr(Gen *g, bool w, int dst, int src)
{
    if (dst != src)
        x86_rr(g->e, 0x8b, w, dst, src);
}

/* mov of an immediate of the given size to memory; a 64-bit value that is not a
 * sign-extended imm32 takes two 32-bit stores, so no register is needed. */
static void store_imm(Gen *g, X86Mem m, TCGMemOp size, uint64_t v)
{
    X86Emit *e = g->e;
    switch (size) {
    case MO_8:
        x86_rm(e, 0xc6, false, 0, m);
        x86_byte(e, (uint8_t)v);
        break;
    case MO_16:
        x86_rm(e, OPC_66 | 0xc7, false, 0, m);
        x86_byte(e, (uint8_t)v);
        x86_byte(e, (uint8_t)(v >> 8));
        break;
    case MO_32:
        x86_rm(e, 0xc7, false, 0, m);
        x86_u32(e, (uint32_t)v);
        break;
    default:
        if ((int64_t)v == (int32_t)v) {
            x86_rm(e, 0xc7, true, 0, m);
            x86_u32(e, (uint32_t)v);
        } else {
            store_imm(g, m, MO_32, v);
            m.disp += 4;
            store_imm(g, m, MO_32, v >> 32);
        }
        break;
    }
}

/* Make the temp's slot current. */
static void sync_temp(Gen *g, TCGv t)
{
    TempState *s = &g->ts[t];
    if (!s->dirty)
        return;
    if (s->loc == LOC_REG)
        x86_rm(g->e, 0x89, true, s->reg, slot(t));
    else if (s->loc == LOC_CONST)
        store_imm(g, slot(t), MO_64, s->value);
    s->dirty = false;
}

/* The temp's value is dead, or from now on only in its slot: drop its register/constant. */
static void forget(Gen *g, TCGv t)
{
    TempState *s = &g->ts[t];
    if (s->loc == LOC_REG && g->owner[s->reg] == t)
        g->owner[s->reg] = NO_OWNER;
    s->loc = LOC_MEM;
    s->dirty = false;
}

static void spill(Gen *g, TCGv t)
{
    sync_temp(g, t);
    forget(g, t);
}

/* A register that holds nothing and is neither locked nor in avoid, or -1. */
static int find_free(const Gen *g, unsigned avoid)
{
    for (size_t i = 0; i < NB_ALLOC_REGS; i++) {
        int r = alloc_order[i];
        if (g->owner[r] == NO_OWNER && !((g->locked | avoid) & REG_BIT(r)))
            return r;
    }
    return -1;
}

/* A register for the current op, locked: a free one, else one whose temp is spilled
 * (preferably a clean one, which costs no store). */
static int alloc_reg(Gen *g, unsigned avoid)
{
    int r = find_free(g, avoid);
    if (r < 0) {
        for (size_t i = 0; i < NB_ALLOC_REGS; i++) {
            int c = alloc_order[i];
            if ((g->locked | avoid) & REG_BIT(c))
                continue;
            if (r < 0 || (!g->ts[g->owner[c]].dirty && g->ts[g->owner[r]].dirty))
                r = c;
        }
        if (r < 0)
            tcg_fatal("x86_64: out of host registers");
        spill(g, (TCGv)g->owner[r]);
    }
    g->locked |= REG_BIT(r);
    return r;
}

/* The temp's value in a register, locked for the current op. */
static int in_reg(Gen *g, TCGArg t)
{
    TempState *s = &g->ts[t];
    if (s->loc != LOC_REG) {
        int r = alloc_reg(g, 0);
        if (s->loc == LOC_CONST) {
            x86_mov_imm(g->e, r, s->value);
        } else {
            x86_rm(g->e, 0x8b, true, r, slot(t));
            s->dirty = false;
        }
        s->loc = LOC_REG;
        s->reg = (uint8_t)r;
        g->owner[r] = (int32_t)t;
    }
    g->locked |= REG_BIT(s->reg);
    return s->reg;
}

/* The temp becomes the value in register r (an op's result). */
static void bind(Gen *g, TCGArg t, int r)
{
    TempState *s = &g->ts[t];
    if (s->loc == LOC_REG && s->reg != r && g->owner[s->reg] == (int32_t)t)
        g->owner[s->reg] = NO_OWNER;
    if (g->owner[r] != NO_OWNER && g->owner[r] != (int32_t)t)
        tcg_fatal("x86_64: result register still holds temp %d", g->owner[r]);
    s->loc = LOC_REG;
    s->reg = (uint8_t)r;
    s->dirty = true;
    g->owner[r] = (int32_t)t;
    g->locked |= REG_BIT(r);
}

static void bind_const(Gen *g, TCGArg t, uint64_t value)
{
    forget(g, (TCGv)t);
    g->ts[t].loc = LOC_CONST;
    g->ts[t].value = value;
    g->ts[t].dirty = true;
}

/* Free register r for a fixed use by the current op (shift count, rdx:rax): its temp moves
 * to a free register, or to its slot if none is free. */
static void claim_reg(Gen *g, int r)
{
    int32_t t = g->owner[r];
    g->locked |= REG_BIT(r);
    if (t == NO_OWNER)
        return;
    int to = find_free(g, 0);
    if (to < 0) {
        spill(g, (TCGv)t);
        return;
    }
    mov_rr(g, true, to, r);
    g->owner[to] = t;
    g->owner[r] = NO_OWNER;
    g->ts[t].reg = (uint8_t)to;
}

/* The register of an op's result computed in place over input args[i] (two-address
 * form): that input's own register when its value is not needed after the op, else a copy.
 * Call after fetching the op's other inputs (this one stops being cached). */
static int result_over(Gen *g, unsigned i)
{
    TCGArg a = g->op->args[i];
    int ra = in_reg(g, a);
    if (a == g->op->args[0] || dies(g, i)) {
        g->owner[ra] = NO_OWNER;
        g->ts[a].loc = LOC_MEM;
        g->ts[a].dirty = false;
        return ra;
    }
    int rd = alloc_reg(g, 0);
    mov_rr(g, true, rd, ra);
    return rd;
}

/* Write back the dirty globals (before a branch or label): the other region reads slots. */
static void sync_globals(Gen *g)
{
    for (uint32_t i = 0; i < nb_globals; i++)
        sync_temp(g, globals[i]);
}

/* Nothing is cached any more (at a label, after an unconditional exit). */
static void reset_regs(Gen *g)
{
    for (int r = 0; r < 16; r++)
        if (g->owner[r] != NO_OWNER)
            forget(g, (TCGv)g->owner[r]);
    for (uint32_t t = 0; t < g->b->nb_temps; t++)
        if (g->ts[t].loc == LOC_CONST)
            forget(g, (TCGv)t);
}

/* After an op: free what died in it; the op's locks end. */
static void end_op(Gen *g)
{
    const TCGOp *op = g->op;
    const TCGOpDef *d = &tcg_op_defs[op->opc];
    for (unsigned i = 0; i < (unsigned)d->nb_oargs + d->nb_iargs; i++)
        if (dies(g, i) && is_temp_arg(op, i))
            forget(g, (TCGv)op->args[i]);
    g->locked = 0;
}

/* ---------------------------------------------------------------- operands */

enum { ALLOW_IMM = 1, ALLOW_MEM = 2 };

typedef struct Operand {
    enum { OPND_REG, OPND_IMM, OPND_MEM } kind;
    int reg;
    int32_t imm;
    X86Mem mem;
} Operand;

/* Whether an op of this type can take v as its imm32 (sign-extended for 64-bit ops). */
static bool imm_fits(uint64_t v, TCGType type)
{
    return type == TCG_I32 || (int64_t)v == (int32_t)v;
}

/* Input args[i] as an instruction operand: an immediate or its slot where allowed (the slot
 * only when the value dies here, else it is worth a register), else a register. */
static Operand operand(Gen *g, unsigned i, TCGType type, unsigned allow)
{
    TCGArg t = g->op->args[i];
    const TempState *s = &g->ts[t];
    if (s->loc == LOC_CONST && (allow & ALLOW_IMM) && imm_fits(s->value, type))
        return (Operand){ .kind = OPND_IMM, .imm = (int32_t)(uint32_t)s->value };
    if (s->loc == LOC_MEM && (allow & ALLOW_MEM) && dies(g, i))
        return (Operand){ .kind = OPND_MEM, .mem = slot(t) };
    return (Operand){ .kind = OPND_REG, .reg = in_reg(g, t) };
}

/* op reg, operand (register or memory form of the same opcode). */
static void emit_rm(Gen *g, unsigned opc, bool w, int reg, Operand o)
{
    if (o.kind == OPND_MEM)
        x86_rm(g->e, opc, w, reg, o.mem);
    else
        x86_rr(g->e, opc, w, reg, o.reg);
}

/* mov reg, operand of any kind. */
static void load_operand(Gen *g, bool w, int reg, Operand o)
{
    if (o.kind == OPND_IMM)
        x86_mov_imm(g->e, reg, w ? (uint64_t)(int64_t)o.imm : (uint32_t)o.imm);
    else if (o.kind == OPND_MEM || o.reg != reg)
        emit_rm(g, 0x8b, w, reg, o);
}

/* ---------------------------------------------------------------- small sequences */

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

/* Same extension from register src to dst (the result of a slow-path call, ext ops). */
static void extend_reg(Gen *g, int dst, int src, TCGMemOp mo, TCGType type)
{
    unsigned opc;
    bool w;
    extend_opc(mo, type, &opc, &w);
    if (opc == 0x8b && w)
        mov_rr(g, true, dst, src);      /* 64 bits into I64: a plain copy */
    else
        x86_rr(g->e, opc, w, dst, src);
}

static void store_sized(Gen *g, X86Mem m, int reg, TCGMemOp size)
{
    static const unsigned opc[] = { [MO_8] = 0x88 | OPC_BYTEREG, [MO_16] = 0x89 | OPC_66, [MO_32] = 0x89, [MO_64] = 0x89 };
    x86_rm(g->e, opc[size], size == MO_64, reg, m);
}

static X86Mem state_field(size_t field)
{
    return x86_mem(JIT_STATE, (int32_t)field);
}

/* A 64-bit store of value to a tcg_exec_state field; scratch is used only if the value is
 * not a sign-extended imm32. */
static void store_state64(Gen *g, size_t field, uint64_t value, int scratch)
{
    if ((int64_t)value == (int32_t)value) {
        store_imm(g, state_field(field), MO_64, value);
    } else {
        x86_mov_imm(g->e, scratch, value);
        x86_rm(g->e, 0x89, true, scratch, state_field(field));
    }
}

static void store_insn_pc(Gen *g, int scratch)
{
    if (g->have_pc && !g->pc_stored) {
        store_state64(g, offsetof(TCGExecState, insn_pc), g->pc, scratch);
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
    *s = (Stub){ .kind = kind, .jcc_disp = jcc_disp, .jmp_disp = SIZE_MAX, .pc = g->pc, .have_pc = g->have_pc,
                 .addr_reg = -1, .val_reg = -1 };
    return s;
}

static void branch_to_label(Gen *g, size_t disp, TCGArg label)
{
    label_refs = grow(label_refs, &label_refs_cap, nb_label_refs + 1, sizeof(*label_refs));
    label_refs[nb_label_refs++] = (LabelRef){ disp, checked_label(g, label) };
}

/* ---------------------------------------------------------------- value ops */

/* reg, r/m opcodes and 81/83 digits of the two-input ops that are one x86 instruction. */
static const unsigned binop_opc[NB_TCG_OPS] = {
    [INDEX_op_add] = 0x03, [INDEX_op_sub] = 0x2b, [INDEX_op_and] = 0x23,
    [INDEX_op_or] = 0x0b, [INDEX_op_xor] = 0x33, [INDEX_op_mul] = OPC_0F | 0xaf,
};
static const uint8_t binop_digit[NB_TCG_OPS] = {
    [INDEX_op_add] = ALU_ADD, [INDEX_op_sub] = ALU_SUB, [INDEX_op_and] = ALU_AND,
    [INDEX_op_or] = ALU_OR, [INDEX_op_xor] = ALU_XOR,
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

static bool is_const(const Gen *g, unsigned i)
{
    return g->ts[g->op->args[i]].loc == LOC_CONST;
}

/* d = a op b for the one-instruction ops: an immediate or memory b where it fits, lea for
 * an add that must keep a, the three-operand imul for a constant factor. */
static void gen_binop(Gen *g, TCGType type)
{
    X86Emit *e = g->e;
    const unsigned opc = g->op->opc;
    const bool w = type == TCG_I64;
    unsigned ia = 1, ib = 2;
    if (opc != INDEX_op_sub && is_const(g, ia) && !is_const(g, ib)) {
        ia = 2;                                 /* commutative: the constant goes second */
        ib = 1;
    }
    Operand ob = operand(g, ib, type, ALLOW_IMM | ALLOW_MEM);
    int rd;
    if (g->op->args[ia] == g->op->args[0] || dies(g, ia)) {
        rd = result_over(g, ia);
    } else {
        int ra = in_reg(g, g->op->args[ia]);
        rd = alloc_reg(g, 0);
        if (opc == INDEX_op_add && ob.kind != OPND_MEM) {
            /* a 32-bit lea keeps the low half of the 64-bit sum: the I32 add */
            X86Mem m = ob.kind == OPND_IMM ? x86_mem(ra, ob.imm) : x86_mem_idx(ra, ob.reg, 0);
            x86_rm(e, 0x8d, w, rd, m);
            bind(g, g->op->args[0], rd);
            return;
        }
        if (opc == INDEX_op_mul && ob.kind == OPND_IMM) {
            x86_rr(e, 0x69, w, rd, ra);
            x86_u32(e, (uint32_t)ob.imm);
            bind(g, g->op->args[0], rd);
            return;
        }
        mov_rr(g, true, rd, ra);
    }
    if (ob.kind != OPND_IMM)
        emit_rm(g, binop_opc[opc], w, rd, ob);
    else if (opc == INDEX_op_mul) {
        x86_rr(e, 0x69, w, rd, rd);
        x86_u32(e, (uint32_t)ob.imm);
    } else
        x86_alu_imm(e, binop_digit[opc], w, rd, ob.imm);
    bind(g, g->op->args[0], rd);
}

/* The register of a result that overwrites its destination without reading it, from input
 * args[i] already fetched as oa: that input's register if its value is not needed after. */
static int result_reg(Gen *g, unsigned i, Operand oa)
{
    if (oa.kind == OPND_REG && (g->op->args[i] == g->op->args[0] || dies(g, i)))
        return result_over(g, i);
    return alloc_reg(g, 0);
}

static void gen_shift(Gen *g, TCGType type)
{
    const bool w = type == TCG_I64;
    const int digit = shift_digit1[g->op->opc] - 1;
    if (is_const(g, 2)) {
        uint8_t count = (uint8_t)(g->ts[g->op->args[2]].value & (w ? 63 : 31));
        int rd = result_over(g, 1);
        x86_shift_imm(g->e, digit, w, rd, count);
        bind(g, g->op->args[0], rd);
        return;
    }
    claim_reg(g, RCX);
    load_operand(g, false, RCX, operand(g, 2, type, ALLOW_MEM));
    int rd = result_over(g, 1);
    x86_grp_r(g->e, 0xd3, w, digit, rd);
    bind(g, g->op->args[0], rd);
}

/* Population count without popcnt: the classic SWAR reduction of the 64-bit value in v,
 * with two scratch registers. */
static void ctpop_swar(Gen *g, int v, int x, int y)
{
    X86Emit *e = g->e;
    mov_rr(g, true, x, v);
    x86_shift_imm(e, SH_SHR, true, x, 1);
    x86_mov_imm(e, y, 0x5555555555555555ull);
    x86_rr(e, 0x23, true, x, y);
    x86_rr(e, 0x2b, true, v, x);
    x86_mov_imm(e, y, 0x3333333333333333ull);
    mov_rr(g, true, x, v);
    x86_rr(e, 0x23, true, x, y);
    x86_shift_imm(e, SH_SHR, true, v, 2);
    x86_rr(e, 0x23, true, v, y);
    x86_rr(e, 0x03, true, v, x);
    mov_rr(g, true, x, v);
    x86_shift_imm(e, SH_SHR, true, x, 4);
    x86_rr(e, 0x03, true, v, x);
    x86_mov_imm(e, y, 0x0f0f0f0f0f0f0f0full);
    x86_rr(e, 0x23, true, v, y);
    x86_mov_imm(e, y, 0x0101010101010101ull);
    x86_rr(e, OPC_0F | 0xaf, true, v, y);
    x86_shift_imm(e, SH_SHR, true, v, 56);
}

/* clz / ctz: bsr / bsf, and the if_zero value moved in when the input was zero; clz feeds
 * it pre-xored so that one final xor (bsr ^ (width-1)) serves both cases. */
static void gen_count_zeros(Gen *g, TCGType type)
{
    const bool w = type == TCG_I64, clz = g->op->opc == INDEX_op_clz;
    const int32_t top = w ? 63 : 31;
    int x = alloc_reg(g, 0);
    if (is_const(g, 2)) {
        uint64_t v = g->ts[g->op->args[2]].value;
        x86_mov_imm(g->e, x, clz ? v ^ (uint64_t)top : v);
    } else {
        load_operand(g, w, x, operand(g, 2, type, ALLOW_MEM));
        if (clz)
            x86_alu_imm(g->e, ALU_XOR, w, x, top);
    }
    Operand oa = operand(g, 1, type, ALLOW_MEM);
    int rd = result_reg(g, 1, oa);
    emit_rm(g, OPC_0F | (clz ? 0xbd : 0xbc), w, rd, oa);
    x86_rr(g->e, OPC_0F | (0x40 + CC_E), w, rd, x);     /* the source was zero */
    if (clz)
        x86_alu_imm(g->e, ALU_XOR, w, rd, top);
    bind(g, g->op->args[0], rd);
}

/* Ops that compute one value from one or two temps. Returns false if op is not one. */
static bool gen_value_op(Gen *g)
{
    X86Emit *e = g->e;
    const TCGOp *op = g->op;
    const TCGType type = (TCGType)op->type;
    const bool w = type == TCG_I64;
    const unsigned opc = op->opc;

    if (binop_opc[opc]) {
        gen_binop(g, g->narrow ? TCG_I32 : type);
    } else if (shift_digit1[opc]) {
        gen_shift(g, type);
    } else if (opc == INDEX_op_ext32u && op->args[1] == g->zext_temp) {
        bind(g, op->args[0], result_over(g, 1));     /* already zero-extended: no code */
    } else if (ext_memop1[opc]) {
        const TCGMemOp mo = (TCGMemOp)(ext_memop1[opc] - 1);
        Operand oa = operand(g, 1, type, ALLOW_MEM);
        int rd = result_reg(g, 1, oa);
        if (oa.kind == OPND_MEM)
            load_ext_mem(g, rd, oa.mem, mo, type);
        else
            extend_reg(g, rd, oa.reg, mo, type);
        bind(g, op->args[0], rd);
    } else {
        int rd;
        switch ((TCGOpcode)opc) {
        case INDEX_op_mov: {
            const TempState *s = &g->ts[op->args[1]];
            if (op->args[0] == op->args[1])
                break;
            if (s->loc == LOC_CONST) {
                bind_const(g, op->args[0], s->value);
                break;
            }
            if (s->loc == LOC_REG && dies(g, 1)) {
                rd = result_over(g, 1);         /* the register changes hands, no code */
            } else {
                rd = alloc_reg(g, 0);
                load_operand(g, true, rd, operand(g, 1, type, ALLOW_MEM));
            }
            bind(g, op->args[0], rd);
            break;
        }
        case INDEX_op_andc: {
            int x = alloc_reg(g, 0);
            load_operand(g, w, x, operand(g, 2, type, ALLOW_IMM | ALLOW_MEM));
            x86_grp_r(e, 0xf7, w, 2, x);                        /* not */
            emit_rm(g, 0x23, w, x, operand(g, 1, type, ALLOW_MEM));
            bind(g, op->args[0], x);
            break;
        }
        case INDEX_op_neg:
        case INDEX_op_not:
            rd = result_over(g, 1);
            x86_grp_r(e, 0xf7, w, opc == INDEX_op_neg ? 3 : 2, rd);
            bind(g, op->args[0], rd);
            break;
        case INDEX_op_clz:
        case INDEX_op_ctz:
            gen_count_zeros(g, type);
            break;
        case INDEX_op_ctpop:
            if (g->target->has_popcnt) {
                Operand oa = operand(g, 1, type, ALLOW_MEM);
                rd = result_reg(g, 1, oa);
                emit_rm(g, OPC_F3 | OPC_0F | 0xb8, true, rd, oa);
            } else {
                rd = result_over(g, 1);
                ctpop_swar(g, rd, alloc_reg(g, 0), alloc_reg(g, 0));
            }
            bind(g, op->args[0], rd);
            break;
        case INDEX_op_bswap:
            rd = result_over(g, 1);
            x86_bswap(e, w, rd);
            bind(g, op->args[0], rd);
            break;
        case INDEX_op_extrh_i64_i32:
            rd = result_over(g, 1);
            x86_shift_imm(e, SH_SHR, true, rd, 32);
            bind(g, op->args[0], rd);
            break;
        default:
            return false;
        }
    }
    return true;
}

static void gen_mul2(Gen *g)
{
    X86Emit *e = g->e;
    const TCGOp *op = g->op;
    const bool is_signed = op->opc == INDEX_op_muls2;
    const TCGType type = (TCGType)op->type;

    if (type == TCG_I64) {
        claim_reg(g, RAX);
        claim_reg(g, RDX);
        Operand ob = operand(g, 3, type, ALLOW_MEM);
        load_operand(g, true, RAX, operand(g, 2, type, ALLOW_MEM));
        if (ob.kind == OPND_MEM)
            x86_grp_m(e, 0xf7, true, is_signed ? 5 : 4, ob.mem);   /* rdx:rax = rax * b */
        else
            x86_grp_r(e, 0xf7, true, is_signed ? 5 : 4, ob.reg);
        bind(g, op->args[0], RAX);
        bind(g, op->args[1], RDX);  /* after lo: if lo and hi are one temp, hi wins, as in interp */
        return;
    }
    /* the exact 64-bit product of the (sign- or zero-) extended halves, split */
    const unsigned load = is_signed ? 0x63 : 0x8b;
    int x = alloc_reg(g, 0), y = alloc_reg(g, 0);
    emit_rm(g, load, is_signed, x, operand(g, 2, type, ALLOW_MEM));
    emit_rm(g, load, is_signed, y, operand(g, 3, type, ALLOW_MEM));
    x86_rr(e, OPC_0F | 0xaf, true, x, y);
    mov_rr(g, true, y, x);
    x86_shift_imm(e, SH_SHR, true, y, 32);
    x86_rr(e, 0x8b, false, x, x);                       /* keep the low half */
    bind(g, op->args[0], x);
    bind(g, op->args[1], y);
}

/* cmp args[ia], args[ib] of the op's type (test for a compare with 0, which sets the
 * flags every condition reads the same way); returns the host condition code. */
static int gen_compare(Gen *g, TCGType type, unsigned ia, unsigned ib, TCGCond c)
{
    const bool w = type == TCG_I64;
    Operand ob = operand(g, ib, type, ALLOW_IMM | ALLOW_MEM);
    int ra = in_reg(g, g->op->args[ia]);
    if (ob.kind == OPND_IMM && ob.imm == 0)
        x86_rr(g->e, 0x85, w, ra, ra);
    else if (ob.kind == OPND_IMM)
        x86_alu_imm(g->e, ALU_CMP, w, ra, ob.imm);
    else
        emit_rm(g, 0x3b, w, ra, ob);
    return host_cond(c);
}

static void gen_setcond(Gen *g)
{
    const TCGOp *op = g->op;
    TCGCond c = checked_cond(op->args[3]);
    if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS) {
        bind_const(g, op->args[0], c == TCG_COND_ALWAYS);
        return;
    }
    int cc = gen_compare(g, (TCGType)op->type, 1, 2, c);
    int rd = alloc_reg(g, 0);                   /* mov-only work: the flags survive */
    x86_rr(g->e, OPC_0F | OPC_BYTEREG | (0x90 + cc), false, 0, rd);
    x86_rr(g->e, OPC_0F | OPC_BYTEREG | 0xb6, false, rd, rd);
    bind(g, op->args[0], rd);
}

static void gen_movcond(Gen *g)
{
    const TCGOp *op = g->op;
    const TCGType type = (TCGType)op->type;
    TCGCond c = checked_cond(op->args[5]);
    if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS) {
        unsigned i = c == TCG_COND_ALWAYS ? 3 : 4;
        const TempState *s = &g->ts[op->args[i]];
        if (s->loc == LOC_CONST) {
            bind_const(g, op->args[0], s->value);
        } else {
            int rd = alloc_reg(g, 0);
            mov_rr(g, true, rd, in_reg(g, op->args[i]));
            bind(g, op->args[0], rd);
        }
        return;
    }
    /* everything that may load or allocate comes before the compare; after it only movs */
    Operand o1 = operand(g, 3, type, ALLOW_MEM);
    Operand o2 = operand(g, 4, type, ALLOW_IMM | ALLOW_MEM);
    int rd = alloc_reg(g, 0);
    int cc = gen_compare(g, type, 1, 2, c);
    load_operand(g, type == TCG_I64, rd, o2);
    emit_rm(g, OPC_0F | (0x40 + cc), true, rd, o1);
    bind(g, op->args[0], rd);
}

static void gen_brcond(Gen *g)
{
    const TCGOp *op = g->op;
    TCGCond c = checked_cond(op->args[2]);
    checked_label(g, op->args[3]);
    if (c == TCG_COND_NEVER)
        return;
    sync_globals(g);
    if (c == TCG_COND_ALWAYS) {
        branch_to_label(g, x86_jmp32(g->e, 0), op->args[3]);
        reset_regs(g);
        g->reachable = false;
        return;
    }
    int cc = gen_compare(g, (TCGType)op->type, 0, 1, c);
    branch_to_label(g, x86_jcc32(g->e, cc, 0), op->args[3]);
}

/* ---------------------------------------------------------------- memory */

static int checked_mmu_idx(TCGArg idx)
{
    if (idx >= NB_MMU_MODES)
        tcg_fatal("x86_64: bad mmu index %llu", (unsigned long long)idx);
    return (int)idx;
}

static bool dying_input(const Gen *g, int32_t t)
{
    const TCGOpDef *d = &tcg_op_defs[g->op->opc];
    for (unsigned i = d->nb_oargs; i < (unsigned)d->nb_oargs + d->nb_iargs; i++)
        if (g->op->args[i] == (TCGArg)t && dies(g, i))
            return true;
    return false;
}

/* Inline TLB probe for an access of mo at the address in register ra, through tag field
 * (addr_read or addr_write), with scratch registers x and y. On a hit, x + ra is the host
 * address; a miss jumps to a new stub of the given kind, returned for the caller to
 * complete. */
static Stub *gen_tlb_probe(Gen *g, int ra, int x, int y, TCGMemOp mo, size_t tag_field, enum StubKind kind)
{
    X86Emit *e = g->e;
    const unsigned size = 1u << (mo & MO_SIZE);
    const uint64_t table = mmu_tlb_offset + offsetof(CPUTLB, e)
                         + (uint64_t)checked_mmu_idx(g->op->args[3]) * TLB_ENTRIES * sizeof(TLBEntry);
    const int32_t tag_disp = checked_disp(table + tag_field);
    const int32_t addend_disp = checked_disp(table + offsetof(TLBEntry, addend));

    /* x = index * sizeof(TLBEntry), straight from the address bits */
    x86_rr(e, 0x8b, false, x, ra);
    x86_shift_imm(e, SH_SHR, false, x, PAGE_BITS - TLB_ENTRY_SHIFT);
    x86_alu_imm(e, ALU_AND, false, x, (int32_t)((TLB_ENTRIES - 1) << TLB_ENTRY_SHIFT));
    /* y = page of the access's last byte: a page-crossing access never matches */
    if (size > 1)
        x86_rm(e, 0x8d, true, y, x86_mem(ra, (int32_t)size - 1));
    else
        mov_rr(g, true, y, ra);
    x86_alu_imm(e, ALU_AND, true, y, (int32_t)PAGE_MASK);
    x86_rm(e, 0x3b, true, y, x86_mem_idx(JIT_ENV, x, tag_disp));
    Stub *s = new_stub(g, kind, x86_jcc32(e, CC_NE, 0));
    x86_rm(e, 0x8b, true, x, x86_mem_idx(JIT_ENV, x, addend_disp));
    s->op = g->op;
    s->addr_reg = (int8_t)ra;
    return s;
}

/* The stub's call clobbers the caller-saved registers: note those that hold temps still
 * needed after the op (other than keep, the stub's own result). */
static void note_live_regs(Gen *g, Stub *s, int keep)
{
    for (int r = 0; r < 16; r++) {
        int32_t t = g->owner[r];
        if ((CALLER_SAVED & REG_BIT(r)) && t != NO_OWNER && r != keep && !dying_input(g, t)) {
            s->save_mask |= (uint16_t)REG_BIT(r);
            s->saved_temp[r] = (TCGv)t;
        }
    }
}

static void gen_qemu_ld(Gen *g)
{
    const TCGOp *op = g->op;
    TCGMemOp mo = checked_memop(op->args[2]);
    int ra = in_reg(g, op->args[1]);
    int x = alloc_reg(g, 0), y = alloc_reg(g, 0);
    Stub *s = gen_tlb_probe(g, ra, x, y, mo, offsetof(TLBEntry, addr_read), STUB_LD);
    load_ext_mem(g, x, x86_mem_idx(x, ra, 0), mo, (TCGType)op->type);
    s->resume = x86_here(g->e);
    s->val_reg = (int8_t)x;
    bind(g, op->args[0], x);
    note_live_regs(g, s, x);
    g->may_stop = true;
}

static void gen_qemu_st(Gen *g)
{
    const TCGOp *op = g->op;
    TCGMemOp mo = checked_memop(op->args[2]);
    if (mo & MO_SIGN)
        tcg_fatal("x86_64: signed store memop");
    int rv = in_reg(g, op->args[0]), ra = in_reg(g, op->args[1]);
    int x = alloc_reg(g, 0), y = alloc_reg(g, 0);
    Stub *s = gen_tlb_probe(g, ra, x, y, mo, offsetof(TLBEntry, addr_write), STUB_ST);
    store_sized(g, x86_mem_idx(x, ra, 0), rv, mo);
    s->resume = x86_here(g->e);
    s->val_reg = (int8_t)rv;
    note_live_regs(g, s, -1);
    g->may_stop = true;
}

/* ---------------------------------------------------------------- calls and exits */

static void call_abs(Gen *g, const void *fn)
{
    x86_mov_imm(g->e, RAX, (uintptr_t)fn);
    x86_call_reg(g->e, RAX);
}

/* Register-to-register moves done as if at once: a move waits while its destination is
 * still the source of another; what is left then are cycles, broken with xchg. */
typedef struct RegMove {
    int dst, src;
} RegMove;

static void parallel_moves(Gen *g, RegMove *mv, int n)
{
    while (n > 0) {
        int k = 0;
        for (; k < n; k++) {
            bool blocked = false;
            for (int j = 0; j < n; j++)
                blocked |= j != k && mv[j].src == mv[k].dst;
            if (!blocked)
                break;
        }
        if (k < n) {
            mov_rr(g, true, mv[k].dst, mv[k].src);
            mv[k] = mv[--n];
            continue;
        }
        const int d = mv[0].dst, s = mv[0].src;
        x86_rr(g->e, 0x87, true, d, s);             /* d gets its value; s holds d's old one */
        mv[0] = mv[--n];
        for (int j = 0; j < n; j++)
            mv[j].src = mv[j].src == d ? s : mv[j].src == s ? d : mv[j].src;
        for (int j = 0; j < n; j++)
            if (mv[j].src == mv[j].dst)
                mv[j--] = mv[--n];
    }
}

static void gen_call(Gen *g)
{
    static const int arg_reg[4] = { RSI, RDX, RCX, R8 };
    const TCGOp *op = g->op;
    const TCGHelperInfo *h = (const TCGHelperInfo *)(uintptr_t)op->args[5];
    if (!h || !h->fn)
        tcg_fatal("x86_64: call without helper");

    /* temps needed after the call leave the registers it clobbers: to a free callee-saved
     * register, else to their slot; the dying inputs stay where they are, as sources */
    for (int r = 0; r < 16; r++) {
        int32_t t = g->owner[r];
        if (!(CALLER_SAVED & REG_BIT(r)) || t == NO_OWNER || dying_input(g, t))
            continue;
        int to = find_free(g, CALLER_SAVED);
        if (to < 0) {
            spill(g, (TCGv)t);
            continue;
        }
        mov_rr(g, true, to, r);
        g->owner[to] = t;
        g->owner[r] = NO_OWNER;
        g->ts[t].reg = (uint8_t)to;
    }
    store_insn_pc(g, find_free(g, ~CALLER_SAVED & 0xffffu));  /* at most 4 of 9 are taken */

    RegMove mv[4];
    int n = 0;
    for (int i = 0; i < 4; i++) {
        TCGArg t = op->args[1 + i];
        if (t != TCG_NOTEMP && g->ts[t].loc == LOC_REG && g->ts[t].reg != arg_reg[i])
            mv[n++] = (RegMove){ arg_reg[i], g->ts[t].reg };
    }
    parallel_moves(g, mv, n);
    for (int i = 0; i < 4; i++) {
        TCGArg t = op->args[1 + i];
        if (t == TCG_NOTEMP)
            x86_rr(g->e, 0x33, false, arg_reg[i], arg_reg[i]);      /* xor: absent = 0 */
        else if (g->ts[t].loc == LOC_CONST)
            x86_mov_imm(g->e, arg_reg[i], g->ts[t].value);
        else if (g->ts[t].loc == LOC_MEM)
            x86_rm(g->e, 0x8b, true, arg_reg[i], slot(t));
    }
    mov_rr(g, true, RDI, JIT_ENV);
    call_abs(g, (const void *)h->fn);
    for (int r = 0; r < 16; r++)
        if ((CALLER_SAVED & REG_BIT(r)) && g->owner[r] != NO_OWNER)
            forget(g, (TCGv)g->owner[r]);
    if (op->args[0] != TCG_NOTEMP) {
        if (op->type == TCG_I32)
            x86_rr(g->e, 0x8b, false, RAX, RAX);
        bind(g, op->args[0], RAX);
    }
    g->may_stop = true;
}

/* The rarely taken end of insn_start: the running block was invalidated or flushed. */
static void jit_stop_at(void *env, uint64_t pc)
{
    tcg_exec_state.insn_pc = pc;
    tcg_frontend->set_pc(env, pc);
}

static void gen_insn_start(Gen *g)
{
    g->pc = g->op->args[0];
    g->have_pc = true;
    g->pc_stored = false;
    if (g->may_stop) {
        x86_grp_m(g->e, 0x80, false, ALU_CMP, state_field(offsetof(TCGExecState, stop_request)));
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
static void gen_goto_tb(Gen *g)
{
    X86Emit *e = g->e;
    if (g->op->args[0] > 1)
        tcg_fatal("x86_64: goto_tb slot %llu", (unsigned long long)g->op->args[0]);
    const int slot_n = (int)g->op->args[0];

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
    Stub *s = new_stub(g, STUB_EXIT, x86_jcc32(e, CC_NE, 0));
    s->slot = slot_n;
    x86_nops(e, (unsigned)(-(x86_here(e) + 1) & 3));    /* rel32 4-byte aligned: atomic patch */
    s->jmp_disp = x86_jmp32(e, 0);
    g->info->goto_disp[slot_n] = (uint32_t)(e->rx + s->jmp_disp - g->entry);
}

/* exit_tb: ask tcg for the next block (it tests exit_req and stop_request, computes the key
 * and probes the jump cache) and jump straight into it; tcg_exec_state.tb is set by that
 * block's entry. Only a NULL answer returns to the exec loop. Nothing is live here. */
static void gen_exit_tb(Gen *g)
{
    X86Emit *e = g->e;
    if (g->indirect_site != SIZE_MAX) {
        x86_jmp32(e, e->rx + g->indirect_site);
        return;
    }
    g->indirect_site = e->pos;
    if (!chainable(g->tb)) {
        leave_block(g, TCG_EXIT_INDIRECT);
        return;
    }
    mov_rr(g, true, RDI, JIT_ENV);
    call_abs(g, (const void *)tcg_lookup_indirect);
    x86_rr(e, 0x85, true, RAX, RAX);
    Stub *s = new_stub(g, STUB_EXIT, x86_jcc32(e, CC_E, 0));
    s->slot = TCG_EXIT_INDIRECT;
    x86_rm(e, 0xff, false, 4, x86_mem(RAX, (int32_t)offsetof(TranslationBlock, code)));  /* jmp [rax+code] */
}

/* ---------------------------------------------------------------- out-of-line code */

static void save_regs(Gen *g, const Stub *s, bool restore)
{
    for (int r = 0; r < 16; r++)
        if (s->save_mask & REG_BIT(r))
            x86_rm(g->e, restore ? 0x8b : 0x89, true, r, slot(s->saved_temp[r]));
}

static void emit_tlb_miss(Gen *g, const Stub *s)
{
    X86Emit *e = g->e;
    const TCGOp *op = s->op;
    TCGMemOp mo = (TCGMemOp)op->args[2];
    const uint64_t size = 1u << (mo & MO_SIZE);

    save_regs(g, s, false);
    if (s->kind == STUB_LD) {
        mov_rr(g, true, RSI, s->addr_reg);
        x86_mov_imm(e, RDX, size);
        x86_mov_imm(e, RCX, op->args[3]);
    } else {
        /* rsi = address, rdx = value, whichever registers they are in */
        RegMove mv[2] = { { RSI, s->addr_reg }, { RDX, s->val_reg } };
        int n = 0;
        for (int i = 0; i < 2; i++)
            if (mv[i].src != mv[i].dst)
                mv[n++] = mv[i];
        parallel_moves(g, mv, n);
        x86_mov_imm(e, RCX, size);
        x86_mov_imm(e, R8, op->args[3]);
    }
    mov_rr(g, true, RDI, JIT_ENV);
    if (s->have_pc)
        store_state64(g, offsetof(TCGExecState, insn_pc), s->pc, RAX);
    call_abs(g, s->kind == STUB_LD ? (const void *)mmu_ld_slow : (const void *)mmu_st_slow);
    if (s->kind == STUB_LD)
        extend_reg(g, s->val_reg, RAX, mo, (TCGType)op->type);
    save_regs(g, s, true);
    x86_jmp32(e, s->resume);
}

static void emit_stub(Gen *g, const Stub *s)
{
    X86Emit *e = g->e;
    uintptr_t start = x86_here(e);
    x86_patch_rel32(e, s->jcc_disp, start);

    switch (s->kind) {
    case STUB_LD:
    case STUB_ST:
        emit_tlb_miss(g, s);
        break;
    case STUB_STOP:
        mov_rr(g, true, RDI, JIT_ENV);
        x86_mov_imm(e, RSI, s->pc);
        call_abs(g, (const void *)jit_stop_at);
        leave_block(g, TCG_EXIT_STOPPED);
        break;
    case STUB_EXIT:
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

/* The 32-bit guest ALU: the front end computes a 64-bit result and zero-extends it. When
 * nothing but that ext32u reads the result, the 32-bit instruction (which zero-extends, and
 * whose low half is the same for these ops) computes it and the ext32u costs nothing. */
static bool feeds_only_ext32u(const TCGBlock *b, uint32_t n)
{
    const TCGOp *op = &b->ops[n];
    if (op->type != TCG_I64 || !binop_opc[op->opc] || n + 1 >= b->nb_ops)
        return false;
    const TCGOp *next = &b->ops[n + 1];
    return next->opc == INDEX_op_ext32u && next->args[1] == op->args[0]
        && (next->args[0] == next->args[1] || (op_dead[n + 1] & 2));
}

/* An op without side effects whose every output is unused computes nothing needed. */
static bool is_dead_op(const Gen *g)
{
    const TCGOpDef *d = &tcg_op_defs[g->op->opc];
    return d->nb_oargs > 0 && !(d->flags & TCG_OPF_SIDE_EFFECTS)
        && (g->dead & ((1u << d->nb_oargs) - 1)) == (1u << d->nb_oargs) - 1;
}

static void gen_op(Gen *g)
{
    X86Emit *e = g->e;
    const TCGOp *op = g->op;
    if (gen_value_op(g))
        return;
    switch ((TCGOpcode)op->opc) {
    case INDEX_op_movi:
        bind_const(g, op->args[0], op->args[1] & tcg_type_mask((TCGType)op->type));
        break;
    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        gen_mul2(g);
        break;
    case INDEX_op_setcond:
        gen_setcond(g);
        break;
    case INDEX_op_movcond:
        gen_movcond(g);
        break;
    case INDEX_op_set_label: {
        uint32_t l = checked_label(g, op->args[0]);
        if (g->reachable)
            sync_globals(g);
        reset_regs(g);
        g->reachable = true;
        label_pos[l] = e->pos;
        /* paths meeting here (also backward ones, from after a call) may differ */
        g->pc_stored = false;
        g->may_stop = true;
        break;
    }
    case INDEX_op_br:
        sync_globals(g);
        branch_to_label(g, x86_jmp32(e, 0), op->args[0]);
        reset_regs(g);
        g->reachable = false;
        break;
    case INDEX_op_brcond:
        gen_brcond(g);
        break;
    case INDEX_op_ld_env: {
        int rd = alloc_reg(g, 0);
        load_ext_mem(g, rd, x86_mem(JIT_ENV, checked_disp(op->args[1])), checked_memop(op->args[2]),
                     (TCGType)op->type);
        bind(g, op->args[0], rd);
        break;
    }
    case INDEX_op_st_env: {
        X86Mem m = x86_mem(JIT_ENV, checked_disp(op->args[1]));
        TCGMemOp size = (TCGMemOp)(checked_memop(op->args[2]) & MO_SIZE);
        if (g->ts[op->args[0]].loc == LOC_CONST)
            store_imm(g, m, size, g->ts[op->args[0]].value);
        else
            store_sized(g, m, in_reg(g, op->args[0]), size);
        break;
    }
    case INDEX_op_qemu_ld:
        gen_qemu_ld(g);
        break;
    case INDEX_op_qemu_st:
        gen_qemu_st(g);
        break;
    case INDEX_op_call:
        gen_call(g);
        break;
    case INDEX_op_insn_start:
        gen_insn_start(g);
        break;
    case INDEX_op_goto_tb:
    case INDEX_op_exit_tb:
        if (op->opc == INDEX_op_goto_tb)
            gen_goto_tb(g);
        else
            gen_exit_tb(g);
        reset_regs(g);              /* temps are dead at block exits */
        g->reachable = false;
        break;
    default:
        tcg_fatal("x86_64: unhandled op %s", tcg_op_defs[op->opc].name);
    }
}

bool jit_codegen(X86Emit *e, const TCGBlock *b, TranslationBlock *tb, const JitTarget *t, JitBlockInfo *info)
{
    if (b->nb_temps > JIT_MAX_TEMPS)
        tcg_fatal("x86_64: block has %u temps, at most %u", b->nb_temps, JIT_MAX_TEMPS);
    Gen g = { .e = e, .b = b, .tb = tb, .target = t, .info = info, .entry = x86_here(e),
              .may_stop = true, .reachable = true, .goto_site = { SIZE_MAX, SIZE_MAX },
              .indirect_site = SIZE_MAX };
    for (int r = 0; r < 16; r++)
        g.owner[r] = NO_OWNER;
    memset(info, 0, sizeof(*info));
    nb_stubs = nb_label_refs = 0;
    size_t cap = label_cap;
    label_pos = grow(label_pos, &cap, b->nb_labels, sizeof(*label_pos));
    label_cap = (uint32_t)cap;
    for (uint32_t l = 0; l < b->nb_labels; l++)
        label_pos[l] = SIZE_MAX;
    analyze(&g);

    /* tcg_exec_state.tb names the block running now, also when entered through a chain,
     * so that invalidating it requests a stop */
    store_state64(&g, offsetof(TCGExecState, tb), (uintptr_t)tb, RAX);

    for (uint32_t n = 0; n < b->nb_ops; n++) {
        g.op = &b->ops[n];
        g.dead = op_dead[n];
        g.zext_temp = g.narrow ? (TCGv)b->ops[n - 1].args[0] : TCG_NOTEMP;
        g.narrow = feeds_only_ext32u(b, n);
        if (!is_dead_op(&g))
            gen_op(&g);
        end_op(&g);
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
