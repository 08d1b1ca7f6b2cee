/*
 * tcg/opt.c — IR passes run on every block before the backend compiles it:
 *  1. one forward pass: constant folding, copy propagation, and env load forwarding (an
 *     ld_env of bytes a temp is known to hold becomes a mov or extension of that temp);
 *  2. one backward pass of dead env-store elimination (a st_env whose bytes are all
 *     overwritten before anything can read them is dropped: dead flags, mostly);
 *  3. one backward liveness pass of dead-code elimination, which removes the forwarded
 *     loads and the computations that only fed dropped stores.
 *
 * Ops are only rewritten in place or dropped, never moved. Ops with side effects (qemu_ld/st,
 * calls, insn_start, exits) are never dropped, except calls to TCG_CALL_PURE helpers whose
 * result is unused; st_env is dropped only by pass 2.
 *
 * env knowledge is kept per extended basic block: a label forgets it, a branch does not (the
 * op after a branch is reached only by falling through it, or is a label).
 */
#include "tcg/backend.h"
#include "tcg/eval.h"

#include <stdlib.h>
#include <string.h>

bool tcg_optimize_enabled = true;

/* What the forward pass knows about a temp since its last write. A temp is a copy of src
 * only while src still holds the value it had at the copy (src's write count unchanged). */
typedef struct TempKnowledge {
    uint64_t value;
    uint32_t writes;        /* bumped at every write: invalidates copies of this temp */
    uint32_t src_writes;    /* writes of copy_of when the copy was made */
    TCGv copy_of;           /* TCG_NOTEMP: not a known copy */
    bool is_const;
    uint8_t zext_bytes;     /* 1, 2 or 4: the value fits in that many bytes; 0: unknown */
    /* The temp is 1 if cond(cond_a, cond_b) of cond_type else 0, while both inputs keep the
     * values they had (write counts unchanged): a setcond, or its xor with 1. A branch on
     * the temp being (non)zero then branches on the comparison itself. */
    bool has_cond;
    uint8_t cond, cond_type;
    TCGv cond_a, cond_b;
    uint32_t cond_a_writes, cond_b_writes;
} TempKnowledge;

/* env bytes [off, off + size) equal the low size bytes of temp, while temp still has the
 * value it had then (its write count unchanged). load_mo: the memop of the ld_env that
 * produced temp (so temp is exactly that extension of the bytes), or -1 after a st_env. */
typedef struct EnvValue {
    uint64_t off;
    uint32_t size;
    uint32_t temp_writes;
    TCGv temp;
    int8_t load_mo;
} EnvValue;

/* Enough for the registers and flag fields a block of typical size touches; when full, the
 * oldest entry is forgotten (knowing less is always safe). */
#define MAX_ENV_VALUES 32

typedef struct OptState {
    TCGBlock *b;
    TempKnowledge *k;
    bool *dropped;          /* per op */
    EnvValue env[MAX_ENV_VALUES];
    unsigned nb_env;
} OptState;

/* The passes' per-block arrays live in buffers kept from block to block and zeroed for
 * each use: a heap round trip per array per block was a visible part of translating the
 * tiny blocks that self-modifying guests regenerate constantly. */
typedef struct Scratch {
    void *p;
    size_t cap;
} Scratch;

static void *scratch_zeroed(Scratch *s, size_t bytes)
{
    if (bytes == 0)
        bytes = 1;
    if (bytes > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < bytes)
            cap *= 2;
        void *p = realloc(s->p, cap);
        if (!p)
            tcg_fatal("out of memory in the optimizer");
        s->p = p;
        s->cap = cap;
    }
    memset(s->p, 0, bytes);
    return s->p;
}

static Scratch scratch_knowledge, scratch_dropped, scratch_may_stop, scratch_live;

static unsigned memop_bytes(TCGArg mo)
{
    return 1u << (mo & MO_SIZE);
}

static unsigned type_bytes(TCGType type)
{
    return type == TCG_I64 ? 8 : 4;
}

static TCGv resolve(const OptState *s, TCGv t)
{
    const TempKnowledge *k = &s->k[t];
    if (k->copy_of != TCG_NOTEMP && s->k[k->copy_of].writes == k->src_writes)
        return k->copy_of;
    return t;
}

static void forget_all(OptState *s)
{
    for (uint32_t t = 0; t < s->b->nb_temps; t++) {
        s->k[t].is_const = false;
        s->k[t].copy_of = TCG_NOTEMP;
        s->k[t].has_cond = false;
    }
}

/* Record a write to t; the op just emitted decides what is known afterwards. */
static void note_write(OptState *s, TCGv t)
{
    TempKnowledge *k = &s->k[t];
    k->writes++;
    k->is_const = false;
    k->copy_of = TCG_NOTEMP;
    k->zext_bytes = 0;
    k->has_cond = false;
}

static void make_movi(OptState *s, TCGOp *op, uint64_t value)
{
    TCGv d = (TCGv)op->args[0];
    op->opc = INDEX_op_movi;
    memset(&op->args[1], 0, sizeof(op->args) - sizeof(op->args[0]));
    op->args[1] = value & tcg_type_mask((TCGType)op->type);
    note_write(s, d);
    s->k[d].is_const = true;
    s->k[d].value = op->args[1];
}

static void make_mov(OptState *s, TCGOp *op, TCGv src)
{
    TCGv d = (TCGv)op->args[0];
    if (s->k[src].is_const) {
        make_movi(s, op, s->k[src].value);
        return;
    }
    op->opc = INDEX_op_mov;
    op->args[1] = src;
    memset(&op->args[2], 0, sizeof(op->args) - 2 * sizeof(op->args[0]));
    note_write(s, d);
    if (src != d) {
        s->k[d].copy_of = src;
        s->k[d].src_writes = s->k[src].writes;
    }
}

/* ---------------------------------------------------------------- env load forwarding */

static void env_forget_all(OptState *s)
{
    s->nb_env = 0;
}

/* Something may have written env bytes [off, off + size). */
static void env_forget_overlap(OptState *s, uint64_t off, uint64_t size)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < s->nb_env; i++) {
        const EnvValue *e = &s->env[i];
        if (e->off < off + size && off < e->off + e->size)
            continue;
        s->env[kept++] = *e;
    }
    s->nb_env = kept;
}

static void env_remember(OptState *s, uint64_t off, unsigned size, TCGv temp, int load_mo)
{
    if (s->nb_env == MAX_ENV_VALUES) {
        memmove(&s->env[0], &s->env[1], (MAX_ENV_VALUES - 1) * sizeof(s->env[0]));
        s->nb_env--;
    }
    s->env[s->nb_env++] = (EnvValue){
        .off = off, .size = size, .temp = temp, .temp_writes = s->k[temp].writes,
        .load_mo = (int8_t)load_mo,
    };
}

/* Extension that turns a value's low bytes into what a load of memop mo yields, for loads
 * narrower than the op type. Indexed by [log2 size][signed]. */
static const TCGOpcode load_extension[3][2] = {
    { INDEX_op_ext8u, INDEX_op_ext8s },
    { INDEX_op_ext16u, INDEX_op_ext16s },
    { INDEX_op_ext32u, INDEX_op_ext32s },
};

/* ld_env d, off, mo: if a temp of the op's type is known to hold these bytes in its low
 * bytes (the same range, or a wider one starting at off: env is little-endian on every host
 * we build for, like the front end assumes), rewrite the load into a mov from it or the
 * extension mo asks for. The rewritten op is then an ordinary value op for the rest of the
 * forward pass. */
static bool forward_env_load(OptState *s, TCGOp *op)
{
    const uint64_t off = op->args[1];
    const TCGMemOp mo = (TCGMemOp)op->args[2];
    const unsigned size = memop_bytes(mo);
    if (size > type_bytes((TCGType)op->type))
        return false;
    for (unsigned i = 0; i < s->nb_env; i++) {
        const EnvValue *e = &s->env[i];
        if (e->off != off || e->size < size || s->k[e->temp].writes != e->temp_writes
            || s->b->temps[e->temp].type != op->type)
            continue;
        /* the temp already is what the load yields when the load covers the whole type, or
         * when it repeats the load that produced the temp */
        bool same = size == type_bytes((TCGType)op->type) || (size == e->size && e->load_mo == (int)mo);
        TCGOpcode opc = same ? INDEX_op_mov : load_extension[mo & MO_SIZE][(mo & MO_SIGN) != 0];
        op->opc = (uint8_t)opc;
        op->args[1] = e->temp;
        memset(&op->args[2], 0, sizeof(op->args) - 2 * sizeof(op->args[0]));
        return true;
    }
    return false;
}

static const TCGHelperInfo *call_helper(const TCGOp *op)
{
    return (const TCGHelperInfo *)(uintptr_t)op->args[5];
}

/* ---------------------------------------------------------------- folding */

static bool is_const(const OptState *s, TCGArg t) { return s->k[t].is_const; }
static uint64_t const_value(const OptState *s, TCGArg t) { return s->k[t].value; }

static bool fold_eval(OptState *s, TCGOp *op)
{
    TCGType type = (TCGType)op->type;
    switch (op->opc) {
#define FOLD(name, nin) \
    case INDEX_op_##name: \
        if (!is_const(s, op->args[1]) || (nin == 2 && !is_const(s, op->args[2]))) \
            return false; \
        make_movi(s, op, tcg_eval(INDEX_op_##name, type, const_value(s, op->args[1]), \
                                  nin == 2 ? const_value(s, op->args[2]) : 0)); \
        return true;
    TCG_EVAL_OPS(FOLD)
#undef FOLD
    default:
        return false;
    }
}

/* Bytes the result of op is known to fit in, zero-extended (0: unknown or full width). */
static uint8_t result_zext_bytes(const TCGOp *op)
{
    switch (op->opc) {
    case INDEX_op_setcond: return 1;
    case INDEX_op_ext8u: return 1;
    case INDEX_op_ext16u: return 2;
    case INDEX_op_ext32u: case INDEX_op_extu_i32_i64: return 4;
    case INDEX_op_ld_env: case INDEX_op_qemu_ld:     /* c1 / args[2] = memop for both */
        return (op->args[2] & MO_SIGN) || memop_bytes(op->args[2]) >= 8 ? 0 : (uint8_t)memop_bytes(op->args[2]);
    default: return 0;
    }
}

/* A zero extension of a value already that narrow is a copy (common after forwarding: a
 * 32-bit register write stores ext32u(v), the next read of the register extends it again). */
static bool drop_redundant_zext(OptState *s, TCGOp *op)
{
    static const uint8_t ext_bytes[NB_TCG_OPS] = {
        [INDEX_op_ext8u] = 1, [INDEX_op_ext16u] = 2, [INDEX_op_ext32u] = 4,
    };
    unsigned known = s->k[op->args[1]].zext_bytes;
    if (!ext_bytes[op->opc] || !known || known > ext_bytes[op->opc])
        return false;
    make_mov(s, op, (TCGv)op->args[1]);
    return true;
}

/* ---------------------------------------------------------------- compare and branch */

static bool cond_valid(const OptState *s, const TempKnowledge *k)
{
    return k->has_cond && s->k[k->cond_a].writes == k->cond_a_writes
        && s->k[k->cond_b].writes == k->cond_b_writes;
}

/* What the result d of setcond d = c(a, b), or of d = x ^ 1 for such an x, will stand for;
 * computed before the op's write to d (x may be d). false: nothing known. */
static bool cond_of_result(const OptState *s, const TCGOp *op, TempKnowledge *r)
{
    TCGv d = (TCGv)op->args[0];
    if (op->opc == INDEX_op_setcond) {
        if (op->args[1] == d || op->args[2] == d)
            return false;
        r->cond = (uint8_t)op->args[3];
        r->cond_type = op->type;
        r->cond_a = (TCGv)op->args[1];
        r->cond_b = (TCGv)op->args[2];
        r->cond_a_writes = s->k[op->args[1]].writes;
        r->cond_b_writes = s->k[op->args[2]].writes;
        return true;
    }
    if (op->opc != INDEX_op_xor)
        return false;
    unsigned xi = is_const(s, op->args[2]) ? 1 : 2;
    TCGArg one = op->args[3 - xi];
    const TempKnowledge *x = &s->k[op->args[xi]];
    if (!is_const(s, one) || const_value(s, one) != 1 || !cond_valid(s, x) || x->cond_a == d || x->cond_b == d)
        return false;
    *r = *x;
    r->cond = (uint8_t)tcg_invert_cond((TCGCond)x->cond);
    return true;
}

/* brcond EQ/NE of a known condition temp against 0 becomes a brcond on the compared values
 * (the setcond and xor then usually die): one compare and jump in the backend. */
static void fuse_brcond(OptState *s, TCGOp *op)
{
    TCGCond c = (TCGCond)op->args[2];
    if ((c != TCG_COND_EQ && c != TCG_COND_NE) || !is_const(s, op->args[1]) || const_value(s, op->args[1]) != 0)
        return;
    const TempKnowledge *k = &s->k[op->args[0]];
    if (!cond_valid(s, k))
        return;
    TCGCond fused = (TCGCond)k->cond;
    op->args[2] = c == TCG_COND_NE ? fused : tcg_invert_cond(fused);
    op->type = k->cond_type;
    op->args[0] = k->cond_a;
    op->args[1] = k->cond_b;
}

/* Forward pass over one op: substitute copies, fold, and update the knowledge. */
static void forward_op(OptState *s, uint32_t n)
{
    TCGOp *op = &s->b->ops[n];
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    const int first_in = def->nb_oargs, end_in = def->nb_oargs + def->nb_iargs;

    for (int i = first_in; i < end_in; i++)
        if (op->args[i] != TCG_NOTEMP)
            op->args[i] = resolve(s, (TCGv)op->args[i]);

    if (op->opc == INDEX_op_ld_env)
        forward_env_load(s, op);

    switch (op->opc) {
    case INDEX_op_set_label:
        forget_all(s);
        env_forget_all(s);
        return;
    case INDEX_op_ld_env:
        note_write(s, (TCGv)op->args[0]);
        s->k[op->args[0]].zext_bytes = result_zext_bytes(op);
        env_remember(s, op->args[1], memop_bytes(op->args[2]), (TCGv)op->args[0], (int)op->args[2]);
        return;
    case INDEX_op_st_env:
        env_forget_overlap(s, op->args[1], memop_bytes(op->args[2]));
        if (memop_bytes(op->args[2]) <= type_bytes((TCGType)op->type))
            env_remember(s, op->args[1], memop_bytes(op->args[2]), (TCGv)op->args[0], -1);
        return;
    case INDEX_op_call:
        if (!(call_helper(op)->flags & TCG_CALL_NO_WRITE_ENV))
            env_forget_all(s);
        break;
    case INDEX_op_movi:
        make_movi(s, op, op->args[1]);
        return;
    case INDEX_op_mov:
        make_mov(s, op, (TCGv)op->args[1]);
        return;
    case INDEX_op_setcond: {
        TCGCond c = (TCGCond)op->args[3];
        if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS
            || (is_const(s, op->args[1]) && is_const(s, op->args[2]))) {
            make_movi(s, op, tcg_eval_cond(c, (TCGType)op->type, const_value(s, op->args[1]),
                                           const_value(s, op->args[2])));
            return;
        }
        break;
    }
    case INDEX_op_movcond: {
        TCGCond c = (TCGCond)op->args[5];
        if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS
            || (is_const(s, op->args[1]) && is_const(s, op->args[2]))) {
            bool taken = tcg_eval_cond(c, (TCGType)op->type, const_value(s, op->args[1]),
                                       const_value(s, op->args[2]));
            make_mov(s, op, (TCGv)op->args[taken ? 3 : 4]);
            return;
        }
        break;
    }
    case INDEX_op_brcond: {
        fuse_brcond(s, op);
        TCGCond c = (TCGCond)op->args[2];
        if (c == TCG_COND_NEVER || c == TCG_COND_ALWAYS
            || (is_const(s, op->args[0]) && is_const(s, op->args[1]))) {
            if (tcg_eval_cond(c, (TCGType)op->type, const_value(s, op->args[0]),
                              const_value(s, op->args[1]))) {
                TCGArg label = op->args[3];
                op->opc = INDEX_op_br;
                memset(op->args, 0, sizeof(op->args));
                op->args[0] = label;
            } else {
                s->dropped[n] = true;
            }
        }
        return;
    }
    default:
        if (fold_eval(s, op))
            return;
        if (drop_redundant_zext(s, op))
            return;
        break;
    }
    TempKnowledge cond;
    bool has_cond = cond_of_result(s, op, &cond);
    for (int i = 0; i < def->nb_oargs; i++)
        if (op->args[i] != TCG_NOTEMP)
            note_write(s, (TCGv)op->args[i]);
    if (def->nb_oargs == 1 && op->args[0] != TCG_NOTEMP)
        s->k[op->args[0]].zext_bytes = result_zext_bytes(op);
    if (has_cond) {
        TempKnowledge *k = &s->k[op->args[0]];
        k->cond = cond.cond;
        k->cond_type = cond.cond_type;
        k->cond_a = cond.cond_a;
        k->cond_b = cond.cond_b;
        k->cond_a_writes = cond.cond_a_writes;
        k->cond_b_writes = cond.cond_b_writes;
        k->has_cond = true;
    }
}

static bool op_removable_if_unused(const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (op->opc == INDEX_op_call)
        return (call_helper(op)->flags & TCG_CALL_PURE) != 0;
    return !(def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_START | TCG_OPF_BB_END));
}

/* ---------------------------------------------------------------- dead env stores */

/* env bytes that every path from here overwrites before anything can read them: disjoint,
 * non-adjacent half-open ranges. When full, a range is not recorded (knowing fewer bytes
 * dead is always safe). */
#define MAX_DEAD_RANGES 32

typedef struct DeadBytes {
    uint64_t lo[MAX_DEAD_RANGES], hi[MAX_DEAD_RANGES];
    unsigned n;
} DeadBytes;

static bool dead_covers(const DeadBytes *d, uint64_t lo, uint64_t hi)
{
    for (unsigned i = 0; i < d->n; i++)
        if (d->lo[i] <= lo && hi <= d->hi[i])
            return true;
    return false;
}

static void dead_add(DeadBytes *d, uint64_t lo, uint64_t hi)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < d->n; i++) {
        if (d->lo[i] <= hi && lo <= d->hi[i]) {     /* overlapping or adjacent: merge */
            lo = d->lo[i] < lo ? d->lo[i] : lo;
            hi = d->hi[i] > hi ? d->hi[i] : hi;
            continue;
        }
        d->lo[kept] = d->lo[i];
        d->hi[kept++] = d->hi[i];
    }
    d->n = kept;
    if (d->n < MAX_DEAD_RANGES) {
        d->lo[d->n] = lo;
        d->hi[d->n++] = hi;
    }
}

/* Bytes [lo, hi) may be read: they are no longer dead. Filtered in place (this runs for
 * every ld_env): a range straddling lo keeps its low piece where it was, and one
 * straddling hi has its high piece appended after the scan, so nothing is read twice. */
static void dead_remove(DeadBytes *d, uint64_t lo, uint64_t hi)
{
    unsigned kept = 0;
    uint64_t tail_lo = 0, tail_hi = 0;
    for (unsigned i = 0; i < d->n; i++) {
        uint64_t rlo = d->lo[i], rhi = d->hi[i];
        if (rhi <= lo || hi <= rlo) {
            d->lo[kept] = rlo;
            d->hi[kept++] = rhi;
            continue;
        }
        /* at most one range straddles each end of [lo, hi), so the pieces fit */
        if (rlo < lo) {
            d->lo[kept] = rlo;
            d->hi[kept++] = lo;
        }
        if (hi < rhi) {
            tail_lo = hi;
            tail_hi = rhi;
        }
    }
    if (tail_hi && kept < MAX_DEAD_RANGES) {
        d->lo[kept] = tail_lo;
        d->hi[kept++] = tail_hi;
    }
    d->n = kept;
}

/* May this op read env, or leave the block so that env is read after it? A guest fault
 * counts: the exception path reads the architectural state. */
static bool op_may_observe_env(const TCGOp *op, bool insn_start_may_stop)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (def->flags & (TCG_OPF_BB_START | TCG_OPF_BB_END))
        return true;            /* end of the basic block: treat all of env as live */
    switch (op->opc) {
    case INDEX_op_call: {
        unsigned f = call_helper(op)->flags;
        if (f & TCG_CALL_PURE)
            return false;
        return !(f & TCG_CALL_NO_READ_ENV) || !(f & TCG_CALL_NO_RAISE);
    }
    case INDEX_op_insn_start:
        return insn_start_may_stop;
    default:
        return (def->flags & TCG_OPF_MAY_RAISE) != 0;
    }
}

/* Can this op invalidate the running block (a store to its code, a flush), making the next
 * insn_start stop it with env as the architectural state? Guest-memory ops and helpers can;
 * a label can be reached by a backward branch from after one. */
static bool op_may_request_stop(const TCGOp *op)
{
    if (op->opc == INDEX_op_call)
        return !(call_helper(op)->flags & TCG_CALL_PURE);
    return op->opc == INDEX_op_set_label || (tcg_op_defs[op->opc].flags & TCG_OPF_MAY_RAISE);
}

static void eliminate_dead_env_stores(OptState *s)
{
    TCGBlock *b = s->b;
    /* insn_start is an exit (stop request) only when something since the previous one may
     * have asked for a stop; the first insn_start of a block always tests. */
    bool *may_stop = scratch_zeroed(&scratch_may_stop, b->nb_ops * sizeof(*may_stop));
    bool pending = true;
    for (uint32_t n = 0; n < b->nb_ops; n++) {
        const TCGOp *op = &b->ops[n];
        if (s->dropped[n])
            continue;
        if (op->opc == INDEX_op_insn_start) {
            may_stop[n] = pending;
            pending = false;
        }
        pending |= op_may_request_stop(op);
    }

    DeadBytes dead = { .n = 0 };
    for (uint32_t n = b->nb_ops; n-- > 0;) {
        const TCGOp *op = &b->ops[n];
        if (s->dropped[n])
            continue;
        if (op->opc == INDEX_op_st_env || op->opc == INDEX_op_ld_env) {
            uint64_t lo = op->args[1], hi = lo + memop_bytes(op->args[2]);
            if (op->opc == INDEX_op_ld_env)
                dead_remove(&dead, lo, hi);
            else if (dead_covers(&dead, lo, hi))
                s->dropped[n] = true;
            else
                dead_add(&dead, lo, hi);
        } else if (op_may_observe_env(op, may_stop[n])) {
            dead.n = 0;
        }
    }
}

/* Backward liveness. Temps do not outlive the block, so nothing is live after an exit. A
 * branch may reach any label, and everything a label reaches lies after the first label,
 * so at a branch the live set is (at most) every temp read after the first label. */
static void eliminate_dead(OptState *s)
{
    TCGBlock *b = s->b;
    uint32_t nt = b->nb_temps;
    uint8_t *live = scratch_zeroed(&scratch_live, 2 * (size_t)nt);
    uint8_t *after_label = live + nt;

    bool seen_label = false;
    for (uint32_t n = 0; n < b->nb_ops; n++) {
        const TCGOp *op = &b->ops[n];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        seen_label |= op->opc == INDEX_op_set_label;
        if (!seen_label || s->dropped[n])
            continue;
        for (int i = def->nb_oargs; i < def->nb_oargs + def->nb_iargs; i++)
            if (op->args[i] != TCG_NOTEMP)
                after_label[op->args[i]] = 1;
    }

    for (uint32_t n = b->nb_ops; n-- > 0;) {
        const TCGOp *op = &b->ops[n];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        if (s->dropped[n])
            continue;
        switch (op->opc) {
        case INDEX_op_goto_tb: case INDEX_op_exit_tb:
            memset(live, 0, nt);
            break;
        case INDEX_op_br:
            memcpy(live, after_label, nt);
            break;
        case INDEX_op_brcond:
            for (uint32_t t = 0; t < nt; t++)
                live[t] |= after_label[t];
            break;
        default:
            break;
        }
        if (op_removable_if_unused(op)) {
            bool used = false;
            for (int i = 0; i < def->nb_oargs; i++)
                used |= op->args[i] != TCG_NOTEMP && live[op->args[i]];
            if (!used) {
                s->dropped[n] = true;
                continue;
            }
        }
        for (int i = 0; i < def->nb_oargs; i++)
            if (op->args[i] != TCG_NOTEMP)
                live[op->args[i]] = 0;
        for (int i = def->nb_oargs; i < def->nb_oargs + def->nb_iargs; i++)
            if (op->args[i] != TCG_NOTEMP)
                live[op->args[i]] = 1;
    }
}

void tcg_optimize(TCGBlock *b)
{
    if (!tcg_optimize_enabled || b->nb_ops == 0)
        return;
    OptState s;
    s.b = b;
    s.nb_env = 0;
    s.k = scratch_zeroed(&scratch_knowledge, b->nb_temps * sizeof(*s.k));
    s.dropped = scratch_zeroed(&scratch_dropped, b->nb_ops * sizeof(*s.dropped));
    forget_all(&s);

    for (uint32_t n = 0; n < b->nb_ops; n++)
        if (!s.dropped[n])
            forward_op(&s, n);
    eliminate_dead_env_stores(&s);
    eliminate_dead(&s);

    uint32_t kept = 0;
    for (uint32_t n = 0; n < b->nb_ops; n++)
        if (!s.dropped[n])
            b->ops[kept++] = b->ops[n];
    b->nb_ops = kept;
}
