/*
 * tcg/opt.c — IR passes run on every block before the backend compiles it:
 * constant folding with copy propagation (one forward pass), then dead-code elimination
 * (one backward liveness pass).
 *
 * Ops are only rewritten in place or dropped, never moved. Ops with side effects (st_env,
 * qemu_ld/st, calls, insn_start, exits) are never dropped, except calls to TCG_CALL_PURE
 * helpers whose result is unused.
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
} TempKnowledge;

typedef struct OptState {
    TCGBlock *b;
    TempKnowledge *k;
    bool *dropped;          /* per op */
} OptState;

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
    }
}

/* Record a write to t; the op just emitted decides what is known afterwards. */
static void note_write(OptState *s, TCGv t)
{
    TempKnowledge *k = &s->k[t];
    k->writes++;
    k->is_const = false;
    k->copy_of = TCG_NOTEMP;
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

/* Forward pass over one op: substitute copies, fold, and update the knowledge. */
static void forward_op(OptState *s, uint32_t n)
{
    TCGOp *op = &s->b->ops[n];
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    const int first_in = def->nb_oargs, end_in = def->nb_oargs + def->nb_iargs;

    for (int i = first_in; i < end_in; i++)
        if (op->args[i] != TCG_NOTEMP)
            op->args[i] = resolve(s, (TCGv)op->args[i]);

    switch (op->opc) {
    case INDEX_op_set_label:
        forget_all(s);
        return;
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
        break;
    }
    for (int i = 0; i < def->nb_oargs; i++)
        if (op->args[i] != TCG_NOTEMP)
            note_write(s, (TCGv)op->args[i]);
}

static bool op_removable_if_unused(const TCGOp *op)
{
    const TCGOpDef *def = &tcg_op_defs[op->opc];
    if (op->opc == INDEX_op_call) {
        const TCGHelperInfo *h = (const TCGHelperInfo *)(uintptr_t)op->args[5];
        return (h->flags & TCG_CALL_PURE) != 0;
    }
    return !(def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_START | TCG_OPF_BB_END));
}

/* Backward liveness. Temps do not outlive the block, so nothing is live after an exit. A
 * branch may reach any label, and everything a label reaches lies after the first label,
 * so at a branch the live set is (at most) every temp read after the first label. */
static void eliminate_dead(OptState *s)
{
    TCGBlock *b = s->b;
    uint32_t nt = b->nb_temps;
    uint8_t *live = calloc(nt ? nt : 1, 2);
    uint8_t *after_label = live + nt;
    if (!live)
        tcg_fatal("out of memory in the optimizer");

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
    free(live);
}

void tcg_optimize(TCGBlock *b)
{
    if (!tcg_optimize_enabled || b->nb_ops == 0)
        return;
    OptState s = { .b = b };
    s.k = calloc(b->nb_temps ? b->nb_temps : 1, sizeof(*s.k));
    s.dropped = calloc(b->nb_ops, sizeof(*s.dropped));
    if (!s.k || !s.dropped)
        tcg_fatal("out of memory in the optimizer");
    forget_all(&s);

    for (uint32_t n = 0; n < b->nb_ops; n++)
        if (!s.dropped[n])
            forward_op(&s, n);
    eliminate_dead(&s);

    uint32_t kept = 0;
    for (uint32_t n = 0; n < b->nb_ops; n++)
        if (!s.dropped[n])
            b->ops[kept++] = b->ops[n];
    b->nb_ops = kept;
    free(s.k);
    free(s.dropped);
}
