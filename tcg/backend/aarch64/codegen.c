/*
 * tcg/backend/aarch64/codegen.c — IR block -> A64 code.
 *
 * Temps: every temp has a home slot in the temp file ([x21 + 8*t]); values live in host
 * registers while they are used. A backward liveness pass marks, per op, the operands whose
 * value is not needed after it; a local allocator hands out registers, frees them at a
 * temp's last use, keeps movi constants as immediates until an op needs them in a register,
 * and writes a register back to its slot only when it must (out of registers, across a
 * helper call when no callee-saved register is free, before a branch or label for temps that
 * another region reads).
 *
 * A temp referenced in more than one label-delimited region, or read before it is written
 * in its region, is "global": its slot is made current before every branch and label, and
 * nothing is assumed cached after a label. Temps are dead at block exits.
 *
 * A64 is a three-operand machine: an op's result gets a register of its own (inputs stay
 * locked until the op ends), so multi-instruction sequences never overwrite an input they
 * still read. I32 temps hold zero-extended values; W-register instructions keep that
 * invariant for free and their shift counts are taken modulo 32, as the IR wants.
 *
 * Flags: the IR computes x86 flags itself (lazy flags in the front end); NZCV is used only
 * inside one op (compare + branch/select), where the mapping is exact by construction.
 *
 * Rare paths (TLB-miss calls, goto_tb exits, the stop path) are stubs after the body. A
 * TLB-miss stub saves the caller-saved registers holding live temps around its call.
 *
 * Precise faults: tcg_exec_state.insn_pc is stored lazily, before the first helper call of
 * each guest instruction and inside TLB-miss stubs, the only places a fault leaves from.
 * stop_request can only become true inside such a call, so it is tested at the first
 * insn_start of a block and at insn_starts that follow a call, a guest-memory op or a label.
 */
#include "tcg/backend/aarch64/a64jit.h"
#include "tcg/eval.h"
#include "mmu/mmu.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(TLBEntry) == 32, "the TLB index scaling below assumes 32-byte entries");
#define TLB_ENTRY_SHIFT 5

/* Hooks for x86 TSO if vCPUs ever run in parallel (see a64jit.h): nothing with one vCPU. */
#define A64_TSO_LOAD_BARRIER(g)  ((void)(g))
#define A64_TSO_STORE_BARRIER(g) ((void)(g))

#define REG_BIT(r) (1u << (r))
/* The allocation pool, callee-saved first: values in them survive helper calls. */
static const uint8_t alloc_order[] = { X22, X23, X24, X25, X26, X27, X28,
                                       X8, X9, X10, X11, X12, X13, X14, X15 };
#define NB_ALLOC_REGS (sizeof(alloc_order) / sizeof(alloc_order[0]))
#define CALLER_SAVED_POOL (REG_BIT(X8) | REG_BIT(X9) | REG_BIT(X10) | REG_BIT(X11) | REG_BIT(X12) \
                           | REG_BIT(X13) | REG_BIT(X14) | REG_BIT(X15))
#define SCRATCH0 X16
#define SCRATCH1 X17
#define NO_OWNER (-1)

enum StubKind { STUB_LD, STUB_ST, STUB_STOP, STUB_EXIT };

/* An out-of-line sequence entered by the branch at word branch_at (and, for a goto_tb, by
 * the patchable B at site_at); returns to word resume if it returns. */
typedef struct Stub {
    enum StubKind kind;
    size_t branch_at, site_at, resume;
    const TCGOp *op;
    uint64_t pc;
    bool have_pc;
    int slot;
    int8_t addr_reg, val_reg;
    uint32_t save_mask;
    TCGv saved_temp[32];
} Stub;

typedef struct LabelRef {
    size_t at;
    uint32_t label;
} LabelRef;

enum TempLoc { LOC_MEM, LOC_REG, LOC_CONST };

typedef struct TempState {
    uint8_t loc;            /* enum TempLoc */
    uint8_t reg;            /* LOC_REG */
    bool dirty;             /* register or constant newer than the slot */
    bool global;
    uint64_t value;         /* LOC_CONST, masked to the temp's type */
} TempState;

typedef struct Gen {
    A64Emit *e;
    const TCGBlock *b;
    TranslationBlock *tb;
    A64BlockInfo *info;
    size_t epilogue;            /* word position of the epilogue relative to the entry */
    uint64_t pc;
    bool have_pc, pc_stored, may_stop, reachable;
    size_t goto_site[2], indirect_site;
    const TCGOp *op;
    uint8_t dead;
    uint32_t locked;
    int32_t owner[32];
    TempState *ts;
} Gen;

static size_t *label_pos;
static size_t label_cap;
static LabelRef *label_refs;
static size_t nb_label_refs, label_refs_cap;
static Stub *stubs;
static size_t nb_stubs, stubs_cap;
static TempState *temp_states;
static size_t temp_states_cap;
static uint32_t *temp_work;
static size_t temp_work_cap;
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
        tcg_fatal("aarch64: out of memory compiling a block");
    *cap = n;
    return p;
}

/* ---------------------------------------------------------------- operand checks */

static TCGCond checked_cond(TCGArg c)
{
    if (c > TCG_COND_GTU)
        tcg_fatal("aarch64: bad condition %llu", (unsigned long long)c);
    return (TCGCond)c;
}

static uint32_t checked_label(const Gen *g, TCGArg l)
{
    if (l >= g->b->nb_labels)
        tcg_fatal("aarch64: label L%llu out of range", (unsigned long long)l);
    return (uint32_t)l;
}

static TCGMemOp checked_memop(TCGArg mo)
{
    if (mo & ~(TCGArg)(MO_SIZE | MO_SIGN))
        tcg_fatal("aarch64: bad memop %llu", (unsigned long long)mo);
    return (TCGMemOp)mo;
}

static enum A64Cond host_cond(TCGCond c)
{
    static const uint8_t cc[] = {
        [TCG_COND_EQ] = A64_EQ, [TCG_COND_NE] = A64_NE,
        [TCG_COND_LT] = A64_LT, [TCG_COND_GE] = A64_GE, [TCG_COND_LE] = A64_LE, [TCG_COND_GT] = A64_GT,
        [TCG_COND_LTU] = A64_LO, [TCG_COND_GEU] = A64_HS, [TCG_COND_LEU] = A64_LS, [TCG_COND_GTU] = A64_HI,
    };
    return (enum A64Cond)cc[c];
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

/* Validate temp operands, find the globals, then walk back computing op_dead. */
static void analyze(Gen *g)
{
    const TCGBlock *b = g->b;
    temp_states = grow(temp_states, &temp_states_cap, b->nb_temps, sizeof(*temp_states));
    temp_work = grow(temp_work, &temp_work_cap, b->nb_temps, sizeof(*temp_work));
    op_dead = grow(op_dead, &op_dead_cap, b->nb_ops, sizeof(*op_dead));
    g->ts = temp_states;
    uint32_t *first_region = temp_work;
    for (uint32_t t = 0; t < b->nb_temps; t++) {
        temp_states[t] = (TempState){ .loc = LOC_MEM };
        first_region[t] = UINT32_MAX;
    }
    uint32_t region = 0;
    for (uint32_t n = 0; n < b->nb_ops; n++) {
        const TCGOp *op = &b->ops[n];
        if (op->opc >= NB_TCG_OPS || op->type > TCG_I64)
            tcg_fatal("aarch64: bad op %u type %u at %u", op->opc, op->type, n);
        const TCGOpDef *d = &tcg_op_defs[op->opc];
        const unsigned nargs = (unsigned)d->nb_oargs + d->nb_iargs;
        if (op->opc == INDEX_op_set_label)
            region++;
        for (unsigned k = 0; k < nargs; k++) {
            unsigned i = (k + d->nb_oargs) % nargs;     /* inputs first: they are read first */
            TCGArg t = op->args[i];
            if (t == TCG_NOTEMP && op->opc == INDEX_op_call)
                continue;
            if (t >= b->nb_temps)
                tcg_fatal("aarch64: op %s refers to temp %llu, block has %u", d->name,
                          (unsigned long long)t, b->nb_temps);
            if (first_region[t] == UINT32_MAX) {
                first_region[t] = region;
                temp_states[t].global = i >= d->nb_oargs;
            } else if (first_region[t] != region) {
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

    uint32_t *live = temp_work;
    memset(live, 0, b->nb_temps * sizeof(*live));
    for (uint32_t n = b->nb_ops; n-- > 0;) {
        const TCGOp *op = &b->ops[n];
        const TCGOpDef *d = &tcg_op_defs[op->opc];
        /* nothing is live at a block exit; only the globals after a label or a jump, and
         * they are live at every branch */
        const bool exit = op->opc == INDEX_op_goto_tb || op->opc == INDEX_op_exit_tb;
        const bool join = op->opc == INDEX_op_set_label || op->opc == INDEX_op_br;
        if (exit || join)
            memset(live, 0, b->nb_temps * sizeof(*live));
        if (join || op->opc == INDEX_op_brcond)
            for (uint32_t i = 0; i < nb_globals; i++)
                live[globals[i]] = 1;
        uint8_t dead = 0;
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

/* ---------------------------------------------------------------- memory addressing */

/* Load or store rt at [base + offset]; tmp (may equal rt for loads) forms large offsets. */
static void ldst(Gen *g, enum A64LdSt op, int rt, int base, uint64_t offset, int tmp)
{
    if (a64_ldst_imm(g->e, op, rt, base, offset))
        return;
    const uint64_t low = offset & 0xfff, high = offset >> 12;
    if (high <= 0xfff) {
        a64_addsub_imm(g->e, I_ADDI, true, tmp, base, (uint32_t)high, true);
        if (a64_ldst_imm(g->e, op, rt, tmp, low))
            return;
        a64_addsub_imm(g->e, I_ADDI, true, tmp, tmp, (uint32_t)low, false);
    } else {
        a64_mov_imm(g->e, tmp, offset);
        a64_rrr(g->e, I_ADD, true, tmp, base, tmp);
    }
    a64_ldst_imm(g->e, op, rt, tmp, 0);
}

static enum A64LdSt load_op(TCGMemOp mo, TCGType type)
{
    static const uint32_t unsigned_ld[4] = { LS_LDRB, LS_LDRH, LS_LDRW, LS_LDRX };
    static const uint32_t signed_ld[2][4] = {
        { LS_LDRSBW, LS_LDRSHW, LS_LDRW, LS_LDRW },     /* into I32 */
        { LS_LDRSBX, LS_LDRSHX, LS_LDRSW, LS_LDRX },    /* into I64 */
    };
    const unsigned size = mo & MO_SIZE;
    if (size == MO_64 && type == TCG_I32)
        return LS_LDRW;                                 /* the low half, as the type masks */
    return (enum A64LdSt)((mo & MO_SIGN) ? signed_ld[type][size] : unsigned_ld[size]);
}

static enum A64LdSt store_op(TCGMemOp mo)
{
    static const uint32_t st[4] = { LS_STRB, LS_STRH, LS_STRW, LS_STRX };
    return (enum A64LdSt)st[mo & MO_SIZE];
}

/* dst = src extended as a load of memop mo into an op of the given type. */
static void extend(Gen *g, int dst, int src, TCGMemOp mo, TCGType type)
{
    const unsigned bits = 8u << (mo & MO_SIZE);
    const bool w64 = type == TCG_I64;
    if (bits < 32)
        a64_bitfield(g->e, (mo & MO_SIGN) ? I_SBFM : I_UBFM, w64 && (mo & MO_SIGN), dst, src, 0, bits - 1);
    else if (bits == 32 && (mo & MO_SIGN) && w64)
        a64_bitfield(g->e, I_SBFM, true, dst, src, 0, 31);
    else if (!w64 || bits == 32)
        a64_mov(g->e, false, dst, src);
    else if (dst != src)
        a64_mov(g->e, true, dst, src);
}

/* ---------------------------------------------------------------- registers and slots */

static uint64_t slot_offset(TCGArg t)
{
    return (uint64_t)t * 8;
}

static bool dies(const Gen *g, unsigned i)
{
    return (g->dead >> i) & 1;
}

static void sync_temp(Gen *g, TCGv t)
{
    TempState *s = &g->ts[t];
    if (!s->dirty)
        return;
    if (s->loc == LOC_REG) {
        ldst(g, LS_STRX, s->reg, A64_TEMPS, slot_offset(t), SCRATCH1);
    } else if (s->loc == LOC_CONST) {
        int r = A64_ZR;
        if (s->value) {
            a64_mov_imm(g->e, SCRATCH0, s->value);
            r = SCRATCH0;
        }
        ldst(g, LS_STRX, r, A64_TEMPS, slot_offset(t), SCRATCH1);
    }
    s->dirty = false;
}

static void forget(Gen *g, TCGv t)
{
    TempState *s = &g->ts[t];
    if (s->loc == LOC_REG && g->owner[s->reg] == (int32_t)t)
        g->owner[s->reg] = NO_OWNER;
    s->loc = LOC_MEM;
    s->dirty = false;
}

static void spill(Gen *g, TCGv t)
{
    sync_temp(g, t);
    forget(g, t);
}

static int find_free(const Gen *g, uint32_t avoid)
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
static int alloc_reg(Gen *g)
{
    int r = find_free(g, 0);
    if (r < 0) {
        for (size_t i = 0; i < NB_ALLOC_REGS; i++) {
            int c = alloc_order[i];
            if (g->locked & REG_BIT(c))
                continue;
            if (r < 0 || (!g->ts[g->owner[c]].dirty && g->ts[g->owner[r]].dirty))
                r = c;
        }
        if (r < 0)
            tcg_fatal("aarch64: out of host registers");
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
        int r = alloc_reg(g);
        if (s->loc == LOC_CONST) {
            a64_mov_imm(g->e, r, s->value);
        } else {
            ldst(g, LS_LDRX, r, A64_TEMPS, slot_offset(t), r);
            s->dirty = false;
        }
        s->loc = LOC_REG;
        s->reg = (uint8_t)r;
        g->owner[r] = (int32_t)t;
    }
    g->locked |= REG_BIT(s->reg);
    return s->reg;
}

static void bind(Gen *g, TCGArg t, int r)
{
    TempState *s = &g->ts[t];
    if (s->loc == LOC_REG && s->reg != r && g->owner[s->reg] == (int32_t)t)
        g->owner[s->reg] = NO_OWNER;
    if (g->owner[r] != NO_OWNER && g->owner[r] != (int32_t)t)
        tcg_fatal("aarch64: result register still holds temp %d", g->owner[r]);
    s->loc = LOC_REG;
    s->reg = (uint8_t)r;
    s->dirty = true;
    g->owner[r] = (int32_t)t;
    g->locked |= REG_BIT(r);
}

/* A register for output args[i]. */
static int out_reg(Gen *g)
{
    return alloc_reg(g);
}

static void bind_const(Gen *g, TCGArg t, uint64_t value)
{
    forget(g, (TCGv)t);
    g->ts[t].loc = LOC_CONST;
    g->ts[t].value = value;
    g->ts[t].dirty = true;
}

static bool is_const(const Gen *g, unsigned i)
{
    return g->ts[g->op->args[i]].loc == LOC_CONST;
}

static uint64_t const_value(const Gen *g, unsigned i)
{
    return g->ts[g->op->args[i]].value;
}

static void sync_globals(Gen *g)
{
    for (uint32_t i = 0; i < nb_globals; i++)
        sync_temp(g, globals[i]);
}

static void reset_regs(Gen *g)
{
    for (int r = 0; r < 32; r++)
        if (g->owner[r] != NO_OWNER)
            forget(g, (TCGv)g->owner[r]);
    for (uint32_t t = 0; t < g->b->nb_temps; t++)
        if (g->ts[t].loc == LOC_CONST)
            forget(g, (TCGv)t);
}

static void end_op(Gen *g)
{
    const TCGOp *op = g->op;
    const TCGOpDef *d = &tcg_op_defs[op->opc];
    for (unsigned i = 0; i < (unsigned)d->nb_oargs + d->nb_iargs; i++)
        if (dies(g, i) && is_temp_arg(op, i))
            forget(g, (TCGv)op->args[i]);
    g->locked = 0;
}

/* ---------------------------------------------------------------- small sequences */

static void store_state64(Gen *g, size_t field, uint64_t value)
{
    int r = A64_ZR;
    if (value) {
        a64_mov_imm(g->e, SCRATCH0, value);
        r = SCRATCH0;
    }
    ldst(g, LS_STRX, r, A64_STATE, field, SCRATCH1);
}

static void store_insn_pc(Gen *g)
{
    if (g->have_pc && !g->pc_stored) {
        store_state64(g, offsetof(TCGExecState, insn_pc), g->pc);
        g->pc_stored = true;
    }
}

static void call_abs(Gen *g, const void *fn)
{
    a64_mov_imm(g->e, SCRATCH0, (uintptr_t)fn);
    a64_blr(g->e, SCRATCH0);
}

/* x0 = the block (from its A64BlockInfo, just before the entry), x1 = kind, to the epilogue. */
static void leave_block(Gen *g, TCGExitKind kind)
{
    a64_ldr_literal(g->e, X0, -2 - (int32_t)g->e->pos);
    a64_mov_imm(g->e, X1, (uint64_t)kind);
    a64_b(g->e, g->epilogue);
}

static Stub *new_stub(Gen *g, enum StubKind kind, size_t branch_at)
{
    stubs = grow(stubs, &stubs_cap, nb_stubs + 1, sizeof(*stubs));
    Stub *s = &stubs[nb_stubs++];
    *s = (Stub){ .kind = kind, .branch_at = branch_at, .site_at = SIZE_MAX, .pc = g->pc,
                 .have_pc = g->have_pc, .addr_reg = -1, .val_reg = -1 };
    return s;
}

static void branch_to_label(Gen *g, size_t at, TCGArg label)
{
    label_refs = grow(label_refs, &label_refs_cap, nb_label_refs + 1, sizeof(*label_refs));
    label_refs[nb_label_refs++] = (LabelRef){ at, checked_label(g, label) };
}

/* ---------------------------------------------------------------- value ops */

/* Register forms and immediate forms of the two-input ops that are one instruction. The
 * immediate kind says which immediates the op takes: add/sub imm12, bitmask, or none. */
enum ImmKind { IMM_NONE, IMM_ARITH, IMM_LOGIC };
static const struct {
    bool binop, shift, commutative;
    uint8_t reg_insn, imm_insn, imm_kind;
} binops[NB_TCG_OPS] = {
    [INDEX_op_add] = { 1, 0, 1, I_ADD, I_ADDI, IMM_ARITH },
    [INDEX_op_sub] = { 1, 0, 0, I_SUB, I_SUBI, IMM_ARITH },
    [INDEX_op_and] = { 1, 0, 1, I_AND, I_ANDI, IMM_LOGIC },
    [INDEX_op_or]  = { 1, 0, 1, I_ORR, I_ORRI, IMM_LOGIC },
    [INDEX_op_xor] = { 1, 0, 1, I_EOR, I_EORI, IMM_LOGIC },
    [INDEX_op_andc] = { 1, 0, 0, I_BIC, I_ANDI, IMM_LOGIC },
    [INDEX_op_mul] = { 1, 0, 1, I_MADD, 0, IMM_NONE },
    [INDEX_op_shl] = { 0, 1, 0, I_LSLV, 0, IMM_NONE },
    [INDEX_op_shr] = { 0, 1, 0, I_LSRV, 0, IMM_NONE },
    [INDEX_op_sar] = { 0, 1, 0, I_ASRV, 0, IMM_NONE },
    [INDEX_op_rotr] = { 0, 1, 0, I_RORV, 0, IMM_NONE },
    [INDEX_op_rotl] = { 0, 1, 0, I_RORV, 0, IMM_NONE },
};

/* add/sub of an immediate: imm12, imm12 << 12, or the negated value with the other op. */
static bool arith_imm(Gen *g, bool is_sub, bool w64, int rd, int rn, uint64_t v)
{
    const uint64_t mask = w64 ? ~0ull : 0xffffffffull;
    for (int neg = 0; neg < 2; neg++) {
        uint64_t x = (neg ? -v : v) & mask;
        A64Insn op = (is_sub ^ neg) ? I_SUBI : I_ADDI;
        if (x <= 0xfff) {
            a64_addsub_imm(g->e, op, w64, rd, rn, (uint32_t)x, false);
            return true;
        }
        if (!(x & 0xfff) && x <= 0xfff000) {
            a64_addsub_imm(g->e, op, w64, rd, rn, (uint32_t)(x >> 12), true);
            return true;
        }
    }
    return false;
}

/* Shift or rotate by a constant, as bitfield moves and EXTR. */
static void shift_imm(Gen *g, unsigned opc, bool w64, int rd, int rn, unsigned c)
{
    const unsigned width = w64 ? 64 : 32;
    c &= width - 1;
    switch (opc) {
    case INDEX_op_shl:  a64_bitfield(g->e, I_UBFM, w64, rd, rn, (width - c) & (width - 1), width - 1 - c); break;
    case INDEX_op_shr:  a64_bitfield(g->e, I_UBFM, w64, rd, rn, c, width - 1); break;
    case INDEX_op_sar:  a64_bitfield(g->e, I_SBFM, w64, rd, rn, c, width - 1); break;
    case INDEX_op_rotr: a64_extr(g->e, w64, rd, rn, rn, c); break;
    default:            a64_extr(g->e, w64, rd, rn, rn, (width - c) & (width - 1)); break;  /* rotl */
    }
}

static void gen_binop(Gen *g, TCGType type)
{
    const unsigned opc = g->op->opc;
    const bool w64 = type == TCG_I64;
    unsigned ia = 1, ib = 2;
    if (binops[opc].commutative && is_const(g, 1) && !is_const(g, 2)) {
        ia = 2;
        ib = 1;
    }
    const TCGArg d = g->op->args[0];
    if (is_const(g, ib) && binops[opc].imm_kind != IMM_NONE) {
        uint64_t v = const_value(g, ib);
        uint32_t nrs;
        int ra = in_reg(g, g->op->args[ia]);
        if (binops[opc].imm_kind == IMM_ARITH) {
            int rd = out_reg(g);
            if (arith_imm(g, opc == INDEX_op_sub, w64, rd, ra, v)) {
                bind(g, d, rd);
                return;
            }
            g->locked &= ~REG_BIT(rd);          /* not used: give it back to the pool */
        } else if (a64_logic_imm_encode(opc == INDEX_op_andc ? ~v : v, w64, &nrs)) {
            int rd = out_reg(g);
            a64_logic_imm(g->e, binops[opc].imm_insn, w64, rd, ra, nrs);
            bind(g, d, rd);
            return;
        }
    }
    int ra = in_reg(g, g->op->args[ia]), rb = in_reg(g, g->op->args[ib]);
    int rd = out_reg(g);
    if (opc == INDEX_op_mul)
        a64_rrrr(g->e, I_MADD, w64, rd, ra, rb, A64_ZR);
    else
        a64_rrr(g->e, binops[opc].reg_insn, w64, rd, ra, rb);
    bind(g, d, rd);
}

static void gen_shift(Gen *g, TCGType type)
{
    const unsigned opc = g->op->opc;
    const bool w64 = type == TCG_I64;
    int ra = in_reg(g, g->op->args[1]);
    if (is_const(g, 2)) {
        int rd = out_reg(g);
        shift_imm(g, opc, w64, rd, ra, (unsigned)const_value(g, 2));
        bind(g, g->op->args[0], rd);
        return;
    }
    int rc = in_reg(g, g->op->args[2]);
    int rd = out_reg(g);
    if (opc == INDEX_op_rotl) {
        /* rotate left by c = rotate right by -c, modulo the width */
        a64_rrr(g->e, I_SUB, false, SCRATCH0, A64_ZR, rc);
        a64_rrr(g->e, I_RORV, w64, rd, ra, SCRATCH0);
    } else {
        a64_rrr(g->e, binops[opc].reg_insn, w64, rd, ra, rc);
    }
    bind(g, g->op->args[0], rd);
}

/* Extensions and conversions, as the load of a narrower value; +1 keeps 0 as "none". */
static const uint8_t ext_memop1[NB_TCG_OPS] = {
    [INDEX_op_ext8s] = MO_SB + 1, [INDEX_op_ext8u] = MO_UB + 1,
    [INDEX_op_ext16s] = MO_SW + 1, [INDEX_op_ext16u] = MO_UW + 1,
    [INDEX_op_ext32s] = MO_SL + 1, [INDEX_op_ext32u] = MO_UL + 1,
    [INDEX_op_ext_i32_i64] = MO_SL + 1, [INDEX_op_extu_i32_i64] = MO_UL + 1,
    [INDEX_op_extrl_i64_i32] = MO_UL + 1,
};

static void gen_unary(Gen *g, TCGType type)
{
    const TCGOp *op = g->op;
    const bool w64 = type == TCG_I64;
    int ra = in_reg(g, op->args[1]);
    int rd = out_reg(g);
    switch ((TCGOpcode)op->opc) {
    case INDEX_op_neg:   a64_rrr(g->e, I_SUB, w64, rd, A64_ZR, ra); break;
    case INDEX_op_not:   a64_rrr(g->e, I_ORN, w64, rd, A64_ZR, ra); break;
    case INDEX_op_bswap: a64_rr(g->e, w64 ? I_REV64 : I_REV32W, w64, rd, ra); break;
    case INDEX_op_extrh_i64_i32: a64_bitfield(g->e, I_UBFM, true, rd, ra, 32, 63); break;
    case INDEX_op_ctpop:
        /* the SIMD byte count: v16 is caller-saved scratch nothing else uses */
        a64_rr(g->e, I_FMOV_DX, true, 16, ra);
        a64_rr(g->e, I_CNT8B, false, 16, 16);
        a64_rr(g->e, I_ADDV8B, false, 16, 16);
        a64_rr(g->e, I_FMOV_WS, false, rd, 16);
        break;
    default:
        extend(g, rd, ra, (TCGMemOp)(ext_memop1[op->opc] - 1), type);
        break;
    }
    bind(g, op->args[0], rd);
}

/* clz/ctz: the count, then the if_zero operand selected when the input was zero. */
static void gen_count_zeros(Gen *g, TCGType type)
{
    const bool w64 = type == TCG_I64;
    int ra = in_reg(g, g->op->args[1]), rz = in_reg(g, g->op->args[2]);
    int rd = out_reg(g);
    if (g->op->opc == INDEX_op_ctz) {
        a64_rr(g->e, I_RBIT, w64, rd, ra);
        a64_rr(g->e, I_CLZ, w64, rd, rd);
    } else {
        a64_rr(g->e, I_CLZ, w64, rd, ra);
    }
    a64_addsub_imm(g->e, I_SUBSI, w64, A64_ZR, ra, 0, false);
    a64_csel(g->e, I_CSEL, w64, rd, rz, rd, A64_EQ);
    bind(g, g->op->args[0], rd);
}

static void gen_mul2(Gen *g)
{
    const TCGOp *op = g->op;
    const bool is_signed = op->opc == INDEX_op_muls2;
    int ra = in_reg(g, op->args[2]), rb = in_reg(g, op->args[3]);
    int lo = out_reg(g), hi = out_reg(g);
    if (op->type == TCG_I64) {
        a64_rrrr(g->e, I_MADD, true, lo, ra, rb, A64_ZR);
        a64_rrr(g->e, is_signed ? I_SMULH : I_UMULH, true, hi, ra, rb);
    } else {
        a64_rrrr(g->e, is_signed ? I_SMADDL : I_UMADDL, true, SCRATCH0, ra, rb, A64_ZR);
        a64_mov(g->e, false, lo, SCRATCH0);
        a64_bitfield(g->e, I_UBFM, true, hi, SCRATCH0, 32, 63);
    }
    bind(g, op->args[0], lo);
    bind(g, op->args[1], hi);   /* after lo: if lo and hi are one temp, hi wins, as in interp */
}

/* cmp args[ia], args[ib] with an imm12 where the constant allows. Must come after every
 * register fetch of the op: only flag-neutral instructions may follow until the use. */
static enum A64Cond gen_compare(Gen *g, TCGType type, unsigned ia, unsigned ib, TCGCond c)
{
    const bool w64 = type == TCG_I64;
    int ra = in_reg(g, g->op->args[ia]);
    if (is_const(g, ib)) {
        uint64_t v = const_value(g, ib);
        const uint64_t mask = w64 ? ~0ull : 0xffffffffull;
        if (v <= 0xfff) {
            a64_addsub_imm(g->e, I_SUBSI, w64, A64_ZR, ra, (uint32_t)v, false);
            return host_cond(c);
        }
        if (((-v) & mask) <= 0xfff) {
            a64_addsub_imm(g->e, I_ADDSI, w64, A64_ZR, ra, (uint32_t)((-v) & mask), false);
            return host_cond(c);
        }
    }
    int rb = in_reg(g, g->op->args[ib]);
    a64_rrr(g->e, I_SUBS, w64, A64_ZR, ra, rb);
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
    int rd = out_reg(g);
    enum A64Cond cc = gen_compare(g, (TCGType)op->type, 1, 2, c);
    a64_csel(g->e, I_CSINC, false, rd, A64_ZR, A64_ZR, (enum A64Cond)(cc ^ 1));   /* cset */
    bind(g, op->args[0], rd);
}

static void gen_movcond(Gen *g)
{
    const TCGOp *op = g->op;
    const TCGType type = (TCGType)op->type;
    TCGCond c = checked_cond(op->args[5]);
    if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS) {
        unsigned i = c == TCG_COND_ALWAYS ? 3 : 4;
        if (is_const(g, i)) {
            bind_const(g, op->args[0], const_value(g, i));
        } else {
            int rs = in_reg(g, op->args[i]);
            int rd = out_reg(g);
            a64_mov(g->e, true, rd, rs);
            bind(g, op->args[0], rd);
        }
        return;
    }
    int r1 = in_reg(g, op->args[3]), r2 = in_reg(g, op->args[4]);
    int rd = out_reg(g);
    in_reg(g, op->args[1]);                 /* fetched before the compare, like the rest */
    if (!is_const(g, 2))
        in_reg(g, op->args[2]);
    enum A64Cond cc = gen_compare(g, type, 1, 2, c);
    a64_csel(g->e, I_CSEL, type == TCG_I64, rd, r1, r2, cc);
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
        branch_to_label(g, a64_b(g->e, A64_UNRESOLVED), op->args[3]);
        reset_regs(g);
        g->reachable = false;
        return;
    }
    const bool w64 = op->type == TCG_I64;
    if ((c == TCG_COND_EQ || c == TCG_COND_NE) && is_const(g, 1) && const_value(g, 1) == 0) {
        int ra = in_reg(g, op->args[0]);    /* compare with zero fused: cbz / cbnz */
        branch_to_label(g, a64_cbz(g->e, w64, c == TCG_COND_NE, ra, A64_UNRESOLVED), op->args[3]);
        return;
    }
    enum A64Cond cc = gen_compare(g, (TCGType)op->type, 0, 1, c);
    branch_to_label(g, a64_bcond(g->e, cc, A64_UNRESOLVED), op->args[3]);
}

/* ---------------------------------------------------------------- guest memory */

static int checked_mmu_idx(TCGArg idx)
{
    if (idx >= NB_MMU_MODES)
        tcg_fatal("aarch64: bad mmu index %llu", (unsigned long long)idx);
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

/* Inline TLB probe for an access of mo at the address in ra, through tag field, with the
 * scratch register x: on a hit x17 holds the addend (host = ra + x17); a miss branches to
 * a new stub of the given kind, returned for the caller to complete. */
static Stub *gen_tlb_probe(Gen *g, int ra, int x, TCGMemOp mo, size_t tag_field, enum StubKind kind)
{
    A64Emit *e = g->e;
    const unsigned size = 1u << (mo & MO_SIZE);
    const uint64_t table = mmu_tlb_offset + offsetof(CPUTLB, e)
                         + (uint64_t)checked_mmu_idx(g->op->args[3]) * TLB_ENTRIES * sizeof(TLBEntry);
    const uint64_t high = table >> 12, low = table & 0xfff;
    if (high > 0xfff || (table & 7))
        tcg_fatal("aarch64: TLB at env offset %llu cannot be addressed", (unsigned long long)table);

    /* x16 = &env->tlb entry, minus the table's offset */
    a64_bitfield(e, I_UBFM, true, SCRATCH0, ra, PAGE_BITS, PAGE_BITS + TLB_BITS - 1);
    a64_rrr_shift(e, I_ADD, true, SCRATCH0, A64_ENV, SCRATCH0, SH_LSL, TLB_ENTRY_SHIFT);
    if (high)
        a64_addsub_imm(e, I_ADDI, true, SCRATCH0, SCRATCH0, (uint32_t)high, true);
    a64_ldst_imm(e, LS_LDRX, SCRATCH1, SCRATCH0, low + tag_field);
    /* x = page of the access's last byte: a page-crossing access never matches */
    uint32_t page_mask;
    a64_logic_imm_encode(PAGE_MASK, true, &page_mask);
    if (size > 1) {
        a64_addsub_imm(e, I_ADDI, true, x, ra, size - 1, false);
        a64_logic_imm(e, I_ANDI, true, x, x, page_mask);
    } else {
        a64_logic_imm(e, I_ANDI, true, x, ra, page_mask);
    }
    a64_rrr(e, I_SUBS, true, A64_ZR, SCRATCH1, x);
    Stub *s = new_stub(g, kind, a64_bcond(e, A64_NE, A64_UNRESOLVED));
    a64_ldst_imm(e, LS_LDRX, SCRATCH1, SCRATCH0, low + offsetof(TLBEntry, addend));
    s->op = g->op;
    s->addr_reg = (int8_t)ra;
    return s;
}

/* The miss stub's call clobbers x8-x15: note those holding temps needed after the op. */
static void note_live_regs(Gen *g, Stub *s, int keep)
{
    for (int r = 0; r < 32; r++) {
        int32_t t = g->owner[r];
        if ((CALLER_SAVED_POOL & REG_BIT(r)) && t != NO_OWNER && r != keep && !dying_input(g, t)) {
            s->save_mask |= REG_BIT(r);
            s->saved_temp[r] = (TCGv)t;
        }
    }
}

static void gen_qemu_ld(Gen *g)
{
    const TCGOp *op = g->op;
    TCGMemOp mo = checked_memop(op->args[2]);
    int ra = in_reg(g, op->args[1]);
    int rd = out_reg(g);
    Stub *s = gen_tlb_probe(g, ra, rd, mo, offsetof(TLBEntry, addr_read), STUB_LD);
    a64_ldst_reg(g->e, load_op(mo, (TCGType)op->type), rd, ra, SCRATCH1);
    A64_TSO_LOAD_BARRIER(g);
    s->resume = g->e->pos;
    s->val_reg = (int8_t)rd;
    bind(g, op->args[0], rd);
    note_live_regs(g, s, rd);
    g->may_stop = true;
}

static void gen_qemu_st(Gen *g)
{
    const TCGOp *op = g->op;
    TCGMemOp mo = checked_memop(op->args[2]);
    if (mo & MO_SIGN)
        tcg_fatal("aarch64: signed store memop");
    int rv = in_reg(g, op->args[0]), ra = in_reg(g, op->args[1]);
    int x = alloc_reg(g);
    Stub *s = gen_tlb_probe(g, ra, x, mo, offsetof(TLBEntry, addr_write), STUB_ST);
    A64_TSO_STORE_BARRIER(g);
    a64_ldst_reg(g->e, store_op(mo), rv, ra, SCRATCH1);
    s->resume = g->e->pos;
    s->val_reg = (int8_t)rv;
    note_live_regs(g, s, -1);
    g->may_stop = true;
}

/* ---------------------------------------------------------------- calls and exits */

/* Move an argument temp into x(1+i): absent = 0. The pool never includes x0-x7, so the
 * sources are never argument registers and the moves are independent. */
static void load_arg(Gen *g, int dst, TCGArg t)
{
    if (t == TCG_NOTEMP)
        a64_mov_imm(g->e, dst, 0);
    else if (g->ts[t].loc == LOC_CONST)
        a64_mov_imm(g->e, dst, g->ts[t].value);
    else if (g->ts[t].loc == LOC_REG)
        a64_mov(g->e, true, dst, g->ts[t].reg);
    else
        ldst(g, LS_LDRX, dst, A64_TEMPS, slot_offset(t), dst);
}

static void gen_call(Gen *g)
{
    const TCGOp *op = g->op;
    const TCGHelperInfo *h = (const TCGHelperInfo *)(uintptr_t)op->args[5];
    if (!h || !h->fn)
        tcg_fatal("aarch64: call without helper");

    /* temps needed after the call leave x8-x15: to a free callee-saved register, else to
     * their slot; dying inputs stay where they are, as sources */
    for (int r = 0; r < 32; r++) {
        int32_t t = g->owner[r];
        if (!(CALLER_SAVED_POOL & REG_BIT(r)) || t == NO_OWNER || dying_input(g, t))
            continue;
        int to = find_free(g, CALLER_SAVED_POOL);
        if (to < 0) {
            spill(g, (TCGv)t);
            continue;
        }
        a64_mov(g->e, true, to, r);
        g->owner[to] = t;
        g->owner[r] = NO_OWNER;
        g->ts[t].reg = (uint8_t)to;
    }
    store_insn_pc(g);
    for (int i = 0; i < 4; i++)
        load_arg(g, X1 + i, op->args[1 + i]);
    a64_mov(g->e, true, X0, A64_ENV);
    call_abs(g, (const void *)h->fn);
    for (int r = 0; r < 32; r++)
        if ((CALLER_SAVED_POOL & REG_BIT(r)) && g->owner[r] != NO_OWNER)
            forget(g, (TCGv)g->owner[r]);
    if (op->args[0] != TCG_NOTEMP) {
        int rd = out_reg(g);
        a64_mov(g->e, op->type == TCG_I64, rd, X0);
        bind(g, op->args[0], rd);
    }
    g->may_stop = true;
}

/* The rarely taken end of insn_start: the running block was invalidated or flushed. */
static void a64_stop_at(void *env, uint64_t pc)
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
        ldst(g, LS_LDRB, SCRATCH0, A64_STATE, offsetof(TCGExecState, stop_request), SCRATCH0);
        new_stub(g, STUB_STOP, a64_cbz(g->e, false, true, SCRATCH0, A64_UNRESOLVED));
        g->may_stop = false;
    }
}

static bool chainable(const TranslationBlock *tb)
{
    return !(tb->key.cflags & (TB_CF_NO_CHAIN | TB_CF_SINGLE_INSN));
}

/* goto_tb: test exit_req, then a B that link() repoints; unlinked it goes to a stub
 * returning (tb, slot). */
static void gen_goto_tb(Gen *g)
{
    A64Emit *e = g->e;
    if (g->op->args[0] > 1)
        tcg_fatal("aarch64: goto_tb slot %llu", (unsigned long long)g->op->args[0]);
    const int slot_n = (int)g->op->args[0];
    if (g->goto_site[slot_n] != SIZE_MAX) {
        a64_b(e, g->goto_site[slot_n]);
        return;
    }
    g->goto_site[slot_n] = e->pos;
    if (!chainable(g->tb)) {
        leave_block(g, (TCGExitKind)slot_n);
        return;
    }
    ldst(g, LS_LDRW, SCRATCH0, A64_ENV, tcg_frontend->exit_req_offset, SCRATCH0);
    Stub *s = new_stub(g, STUB_EXIT, a64_cbz(e, false, true, SCRATCH0, A64_UNRESOLVED));
    s->slot = slot_n;
    s->site_at = a64_b(e, A64_UNRESOLVED);
    g->info->goto_site[slot_n] = (uint32_t)(s->site_at * 4);
}

/* exit_tb: ask tcg for the next block and branch straight into it; NULL returns to the
 * exec loop. Nothing is live here. */
static void gen_exit_tb(Gen *g)
{
    A64Emit *e = g->e;
    if (g->indirect_site != SIZE_MAX) {
        a64_b(e, g->indirect_site);
        return;
    }
    g->indirect_site = e->pos;
    if (!chainable(g->tb)) {
        leave_block(g, TCG_EXIT_INDIRECT);
        return;
    }
    a64_mov(e, true, X0, A64_ENV);
    call_abs(g, (const void *)tcg_lookup_indirect);
    Stub *s = new_stub(g, STUB_EXIT, a64_cbz(e, true, false, X0, A64_UNRESOLVED));
    s->slot = TCG_EXIT_INDIRECT;
    ldst(g, LS_LDRX, SCRATCH0, X0, offsetof(TranslationBlock, code), SCRATCH0);
    a64_br(e, SCRATCH0);
}

/* ---------------------------------------------------------------- out-of-line code */

static void save_regs(Gen *g, const Stub *s, bool restore)
{
    for (int r = 0; r < 32; r++)
        if (s->save_mask & REG_BIT(r))
            ldst(g, restore ? LS_LDRX : LS_STRX, r, A64_TEMPS, slot_offset(s->saved_temp[r]),
                 restore ? r : SCRATCH1);
}

static void emit_tlb_miss(Gen *g, const Stub *s)
{
    const TCGOp *op = s->op;
    TCGMemOp mo = (TCGMemOp)op->args[2];
    const uint64_t size = 1u << (mo & MO_SIZE);
    save_regs(g, s, false);
    a64_mov(g->e, true, X1, s->addr_reg);
    if (s->kind == STUB_LD) {
        a64_mov_imm(g->e, X2, size);
        a64_mov_imm(g->e, X3, op->args[3]);
    } else {
        a64_mov(g->e, true, X2, s->val_reg);
        a64_mov_imm(g->e, X3, size);
        a64_mov_imm(g->e, X4, op->args[3]);
    }
    a64_mov(g->e, true, X0, A64_ENV);
    if (s->have_pc)
        store_state64(g, offsetof(TCGExecState, insn_pc), s->pc);
    call_abs(g, s->kind == STUB_LD ? (const void *)mmu_ld_slow : (const void *)mmu_st_slow);
    if (s->kind == STUB_LD)
        extend(g, s->val_reg, X0, mo, (TCGType)op->type);
    save_regs(g, s, true);
    a64_b(g->e, s->resume);
}

static void emit_stub(Gen *g, const Stub *s)
{
    A64Emit *e = g->e;
    const size_t start = e->pos;
    if (!a64_patch_branch(e->buf, s->branch_at, start))
        tcg_fatal("aarch64: block too large for its stub branches");
    switch (s->kind) {
    case STUB_LD:
    case STUB_ST:
        emit_tlb_miss(g, s);
        break;
    case STUB_STOP:
        a64_mov(e, true, X0, A64_ENV);
        a64_mov_imm(e, X1, s->pc);
        call_abs(g, (const void *)a64_stop_at);
        leave_block(g, TCG_EXIT_STOPPED);
        break;
    case STUB_EXIT:
        if (s->site_at != SIZE_MAX) {
            a64_patch_branch(e->buf, s->site_at, start);
            g->info->goto_stub[s->slot] = (uint32_t)(start * 4);
        }
        leave_block(g, (TCGExitKind)s->slot);
        break;
    }
}

/* ---------------------------------------------------------------- driver */

static bool is_dead_op(const Gen *g)
{
    const TCGOpDef *d = &tcg_op_defs[g->op->opc];
    return d->nb_oargs > 0 && !(d->flags & TCG_OPF_SIDE_EFFECTS)
        && (g->dead & ((1u << d->nb_oargs) - 1)) == (1u << d->nb_oargs) - 1;
}

static void gen_op(Gen *g)
{
    const TCGOp *op = g->op;
    const TCGType type = (TCGType)op->type;
    const unsigned opc = op->opc;
    if (binops[opc].shift) {
        gen_shift(g, type);
        return;
    }
    if (binops[opc].binop) {
        gen_binop(g, type);
        return;
    }
    if (ext_memop1[opc]) {
        gen_unary(g, type);
        return;
    }
    switch ((TCGOpcode)opc) {
    case INDEX_op_mov:
        if (op->args[0] == op->args[1])
            break;
        if (is_const(g, 1)) {
            bind_const(g, op->args[0], const_value(g, 1));
        } else if (g->ts[op->args[1]].loc == LOC_REG && dies(g, 1)) {
            int r = g->ts[op->args[1]].reg;        /* the register changes hands, no code */
            forget(g, (TCGv)op->args[1]);
            bind(g, op->args[0], r);
        } else if (g->ts[op->args[1]].loc == LOC_MEM && dies(g, 1)) {
            int rd = out_reg(g);
            ldst(g, LS_LDRX, rd, A64_TEMPS, slot_offset(op->args[1]), rd);
            bind(g, op->args[0], rd);
        } else {
            int rs = in_reg(g, op->args[1]);
            int rd = out_reg(g);
            a64_mov(g->e, true, rd, rs);
            bind(g, op->args[0], rd);
        }
        break;
    case INDEX_op_movi:
        bind_const(g, op->args[0], op->args[1] & tcg_type_mask(type));
        break;
    case INDEX_op_neg:
    case INDEX_op_not:
    case INDEX_op_bswap:
    case INDEX_op_ctpop:
    case INDEX_op_extrh_i64_i32:
        gen_unary(g, type);
        break;
    case INDEX_op_clz:
    case INDEX_op_ctz:
        gen_count_zeros(g, type);
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
        label_pos[l] = g->e->pos;
        g->pc_stored = false;
        g->may_stop = true;
        break;
    }
    case INDEX_op_br:
        sync_globals(g);
        branch_to_label(g, a64_b(g->e, A64_UNRESOLVED), op->args[0]);
        reset_regs(g);
        g->reachable = false;
        break;
    case INDEX_op_brcond:
        gen_brcond(g);
        break;
    case INDEX_op_ld_env: {
        int rd = out_reg(g);
        ldst(g, load_op(checked_memop(op->args[2]), type), rd, A64_ENV, op->args[1], rd);
        bind(g, op->args[0], rd);
        break;
    }
    case INDEX_op_st_env: {
        TCGMemOp mo = checked_memop(op->args[2]);
        int rv = is_const(g, 0) && const_value(g, 0) == 0 ? A64_ZR : in_reg(g, op->args[0]);
        ldst(g, store_op(mo), rv, A64_ENV, op->args[1], SCRATCH1);
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
        if (opc == INDEX_op_goto_tb)
            gen_goto_tb(g);
        else
            gen_exit_tb(g);
        reset_regs(g);
        g->reachable = false;
        break;
    default:
        tcg_fatal("aarch64: unhandled op %s", tcg_op_defs[opc].name);
    }
}

bool a64_codegen(A64Emit *e, const TCGBlock *b, TranslationBlock *tb, uintptr_t entry_rx,
                 uintptr_t epilogue_rx, A64BlockInfo *info)
{
    if (b->nb_temps > A64_MAX_TEMPS)
        tcg_fatal("aarch64: block has %u temps, at most %u", b->nb_temps, A64_MAX_TEMPS);
    Gen g = { .e = e, .b = b, .tb = tb, .info = info,
              .epilogue = (size_t)(((intptr_t)epilogue_rx - (intptr_t)entry_rx) / 4),
              .may_stop = true, .reachable = true, .goto_site = { SIZE_MAX, SIZE_MAX },
              .indirect_site = SIZE_MAX };
    for (int r = 0; r < 32; r++)
        g.owner[r] = NO_OWNER;
    memset(info, 0, sizeof(*info));
    info->tb = (uintptr_t)tb;
    nb_stubs = nb_label_refs = 0;
    label_pos = grow(label_pos, &label_cap, b->nb_labels, sizeof(*label_pos));
    for (uint32_t l = 0; l < b->nb_labels; l++)
        label_pos[l] = SIZE_MAX;
    analyze(&g);

    /* tcg_exec_state.tb names the block running now, also when entered through a chain */
    a64_ldr_literal(e, SCRATCH0, -2);
    ldst(&g, LS_STRX, SCRATCH0, A64_STATE, offsetof(TCGExecState, tb), SCRATCH1);

    for (uint32_t n = 0; n < b->nb_ops; n++) {
        g.op = &b->ops[n];
        g.dead = op_dead[n];
        if (!is_dead_op(&g))
            gen_op(&g);
        end_op(&g);
    }
    a64_brk(e, 0);                  /* a path without an exit is a front-end bug: trap it */
    info->body_size = (uint32_t)(e->pos * 4);

    for (size_t i = 0; i < nb_stubs && !e->overflow; i++)
        emit_stub(&g, &stubs[i]);
    for (size_t i = 0; i < nb_label_refs && !e->overflow; i++) {
        size_t at = label_pos[label_refs[i].label];
        if (at == SIZE_MAX)
            tcg_fatal("aarch64: branch to label L%u that is never set", label_refs[i].label);
        if (!a64_patch_branch(e->buf, label_refs[i].at, at))
            tcg_fatal("aarch64: branch to label L%u out of range", label_refs[i].label);
    }
    info->code_size = (uint32_t)(e->pos * 4);
    return !e->overflow;
}
