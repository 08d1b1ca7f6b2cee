/*
 * tcg/tcg.c — the op table, the IR builder with its implicit current block, and the IR dump.
 */
#include "tcg/backend.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const TCGOpDef tcg_op_defs[NB_TCG_OPS] = {
#define DEF(name, oargs, iargs, cargs, flags) { #name, oargs, iargs, cargs, flags },
#include "tcg/ops.def"
#undef DEF
};

void tcg_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tcg: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

TCGCond tcg_invert_cond(TCGCond c)
{
    static const TCGCond inverse[] = {
        [TCG_COND_NEVER] = TCG_COND_ALWAYS, [TCG_COND_ALWAYS] = TCG_COND_NEVER,
        [TCG_COND_EQ] = TCG_COND_NE,   [TCG_COND_NE] = TCG_COND_EQ,
        [TCG_COND_LT] = TCG_COND_GE,   [TCG_COND_GE] = TCG_COND_LT,
        [TCG_COND_LE] = TCG_COND_GT,   [TCG_COND_GT] = TCG_COND_LE,
        [TCG_COND_LTU] = TCG_COND_GEU, [TCG_COND_GEU] = TCG_COND_LTU,
        [TCG_COND_LEU] = TCG_COND_GTU, [TCG_COND_GTU] = TCG_COND_LEU,
    };
    assert((unsigned)c < sizeof(inverse) / sizeof(inverse[0]));
    return inverse[c];
}

/* ---------------------------------------------------------------- current block */

static TCGBlock cur;

TCGBlock *tcg_block_begin(void)
{
    cur.nb_ops = 0;
    cur.nb_temps = 0;
    cur.nb_labels = 0;
    return &cur;
}

TCGBlock *tcg_current_block(void)
{
    return &cur;
}

void tcg_builder_free(void)
{
    free(cur.ops);
    free(cur.temps);
    memset(&cur, 0, sizeof(cur));
}

/* Grow an array to hold at least need elements; doubling keeps emission amortised O(1). */
static void *grow(void *array, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return array;
    uint32_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(array, (size_t)n * elem);
    if (!p)
        tcg_fatal("out of memory growing the IR block");
    *cap = n;
    return p;
}

TCGv tcg_temp_new(TCGType type)
{
    if (cur.nb_temps >= TCG_NOTEMP)
        tcg_fatal("too many temps in one block");
    cur.temps = grow(cur.temps, &cur.max_temps, cur.nb_temps + 1, sizeof(TCGTempInfo));
    cur.temps[cur.nb_temps].type = (uint8_t)type;
    return (TCGv)cur.nb_temps++;
}

TCGType tcg_temp_type(TCGv t)
{
    assert(t < cur.nb_temps);
    return (TCGType)cur.temps[t].type;
}

TCGLabel tcg_label_new(void)
{
    return cur.nb_labels++;
}

uint32_t tcg_op_count(void)
{
    return cur.nb_ops;
}

static TCGOp *emit(TCGOpcode opc, TCGType type)
{
    cur.ops = grow(cur.ops, &cur.max_ops, cur.nb_ops + 1, sizeof(TCGOp));
    TCGOp *op = &cur.ops[cur.nb_ops++];
    memset(op, 0, sizeof(*op));
    op->opc = (uint8_t)opc;
    op->type = (uint8_t)type;
    return op;
}

/* Emit an op whose temps (outputs then inputs, n of them) all have the type of the first. */
static TCGOp *emit_same(TCGOpcode opc, int n, const TCGv *temps)
{
    TCGType type = tcg_temp_type(temps[0]);
    TCGOp *op = emit(opc, type);
    for (int i = 0; i < n; i++) {
        assert(tcg_temp_type(temps[i]) == type);
        op->args[i] = temps[i];
    }
    return op;
}

static void gen1(TCGOpcode opc, TCGv d, TCGv a) { emit_same(opc, 2, (TCGv[]){ d, a }); }
static void gen2(TCGOpcode opc, TCGv d, TCGv a, TCGv b) { emit_same(opc, 3, (TCGv[]){ d, a, b }); }

void tcg_gen_movi(TCGv d, uint64_t value)
{
    TCGType type = tcg_temp_type(d);
    TCGOp *op = emit(INDEX_op_movi, type);
    op->args[0] = d;
    op->args[1] = type == TCG_I32 ? (uint32_t)value : value;
}

TCGv tcg_const(TCGType type, uint64_t value)
{
    TCGv t = tcg_temp_new(type);
    tcg_gen_movi(t, value);
    return t;
}

void tcg_gen_mov(TCGv d, TCGv s)            { gen1(INDEX_op_mov, d, s); }
void tcg_gen_add(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_add, d, a, b); }
void tcg_gen_sub(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_sub, d, a, b); }
void tcg_gen_mul(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_mul, d, a, b); }
void tcg_gen_and(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_and, d, a, b); }
void tcg_gen_or(TCGv d, TCGv a, TCGv b)     { gen2(INDEX_op_or, d, a, b); }
void tcg_gen_xor(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_xor, d, a, b); }
void tcg_gen_andc(TCGv d, TCGv a, TCGv b)   { gen2(INDEX_op_andc, d, a, b); }
void tcg_gen_neg(TCGv d, TCGv a)            { gen1(INDEX_op_neg, d, a); }
void tcg_gen_not(TCGv d, TCGv a)            { gen1(INDEX_op_not, d, a); }
void tcg_gen_shl(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_shl, d, a, b); }
void tcg_gen_shr(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_shr, d, a, b); }
void tcg_gen_sar(TCGv d, TCGv a, TCGv b)    { gen2(INDEX_op_sar, d, a, b); }
void tcg_gen_rotl(TCGv d, TCGv a, TCGv b)   { gen2(INDEX_op_rotl, d, a, b); }
void tcg_gen_rotr(TCGv d, TCGv a, TCGv b)   { gen2(INDEX_op_rotr, d, a, b); }
void tcg_gen_clz(TCGv d, TCGv a, TCGv z)    { gen2(INDEX_op_clz, d, a, z); }
void tcg_gen_ctz(TCGv d, TCGv a, TCGv z)    { gen2(INDEX_op_ctz, d, a, z); }
void tcg_gen_ctpop(TCGv d, TCGv a)          { gen1(INDEX_op_ctpop, d, a); }
void tcg_gen_bswap(TCGv d, TCGv a)          { gen1(INDEX_op_bswap, d, a); }
void tcg_gen_ext8s(TCGv d, TCGv a)          { gen1(INDEX_op_ext8s, d, a); }
void tcg_gen_ext8u(TCGv d, TCGv a)          { gen1(INDEX_op_ext8u, d, a); }
void tcg_gen_ext16s(TCGv d, TCGv a)         { gen1(INDEX_op_ext16s, d, a); }
void tcg_gen_ext16u(TCGv d, TCGv a)         { gen1(INDEX_op_ext16u, d, a); }

void tcg_gen_ext32s(TCGv d, TCGv a)
{
    assert(tcg_temp_type(d) == TCG_I64);
    gen1(INDEX_op_ext32s, d, a);
}

void tcg_gen_ext32u(TCGv d, TCGv a)
{
    assert(tcg_temp_type(d) == TCG_I64);
    gen1(INDEX_op_ext32u, d, a);
}

void tcg_gen_mulu2(TCGv lo, TCGv hi, TCGv a, TCGv b) { emit_same(INDEX_op_mulu2, 4, (TCGv[]){ lo, hi, a, b }); }
void tcg_gen_muls2(TCGv lo, TCGv hi, TCGv a, TCGv b) { emit_same(INDEX_op_muls2, 4, (TCGv[]){ lo, hi, a, b }); }

/* Type conversions: the op has the output's type, the input has the other one. */
static void gen_convert(TCGOpcode opc, TCGv d, TCGType dtype, TCGv a)
{
    assert(tcg_temp_type(d) == dtype);
    assert(tcg_temp_type(a) != dtype);
    TCGOp *op = emit(opc, dtype);
    op->args[0] = d;
    op->args[1] = a;
}

void tcg_gen_ext_i32_i64(TCGv d, TCGv a)   { gen_convert(INDEX_op_ext_i32_i64, d, TCG_I64, a); }
void tcg_gen_extu_i32_i64(TCGv d, TCGv a)  { gen_convert(INDEX_op_extu_i32_i64, d, TCG_I64, a); }
void tcg_gen_extrl_i64_i32(TCGv d, TCGv a) { gen_convert(INDEX_op_extrl_i64_i32, d, TCG_I32, a); }
void tcg_gen_extrh_i64_i32(TCGv d, TCGv a) { gen_convert(INDEX_op_extrh_i64_i32, d, TCG_I32, a); }

void tcg_gen_setcond(TCGCond c, TCGv d, TCGv a, TCGv b)
{
    TCGOp *op = emit_same(INDEX_op_setcond, 3, (TCGv[]){ d, a, b });
    op->args[3] = c;
}

void tcg_gen_movcond(TCGCond c, TCGv d, TCGv a, TCGv b, TCGv v1, TCGv v2)
{
    TCGOp *op = emit_same(INDEX_op_movcond, 5, (TCGv[]){ d, a, b, v1, v2 });
    op->args[5] = c;
}

/* ---------------------------------------------------------------- immediate forms */

static TCGv const_like(TCGv a, int64_t imm)
{
    return tcg_const(tcg_temp_type(a), (uint64_t)imm);
}

void tcg_gen_addi(TCGv d, TCGv a, int64_t imm) { tcg_gen_add(d, a, const_like(a, imm)); }
void tcg_gen_subi(TCGv d, TCGv a, int64_t imm) { tcg_gen_sub(d, a, const_like(a, imm)); }
void tcg_gen_andi(TCGv d, TCGv a, int64_t imm) { tcg_gen_and(d, a, const_like(a, imm)); }
void tcg_gen_ori(TCGv d, TCGv a, int64_t imm)  { tcg_gen_or(d, a, const_like(a, imm)); }
void tcg_gen_xori(TCGv d, TCGv a, int64_t imm) { tcg_gen_xor(d, a, const_like(a, imm)); }
void tcg_gen_shli(TCGv d, TCGv a, int64_t imm) { tcg_gen_shl(d, a, const_like(a, imm)); }
void tcg_gen_shri(TCGv d, TCGv a, int64_t imm) { tcg_gen_shr(d, a, const_like(a, imm)); }
void tcg_gen_sari(TCGv d, TCGv a, int64_t imm) { tcg_gen_sar(d, a, const_like(a, imm)); }
void tcg_gen_setcondi(TCGCond c, TCGv d, TCGv a, int64_t imm) { tcg_gen_setcond(c, d, a, const_like(a, imm)); }
void tcg_gen_brcondi(TCGCond c, TCGv a, int64_t imm, TCGLabel l) { tcg_gen_brcond(c, a, const_like(a, imm), l); }

/* ---------------------------------------------------------------- control flow */

void tcg_gen_set_label(TCGLabel l)
{
    assert(l < cur.nb_labels);
    emit(INDEX_op_set_label, TCG_I64)->args[0] = l;
}

void tcg_gen_br(TCGLabel l)
{
    assert(l < cur.nb_labels);
    emit(INDEX_op_br, TCG_I64)->args[0] = l;
}

void tcg_gen_brcond(TCGCond c, TCGv a, TCGv b, TCGLabel l)
{
    assert(l < cur.nb_labels);
    TCGOp *op = emit_same(INDEX_op_brcond, 2, (TCGv[]){ a, b });
    op->args[2] = c;
    op->args[3] = l;
}

/* ---------------------------------------------------------------- state and memory */

/* An I32 op can move at most 32 bits. */
static void check_memop(TCGType type, TCGMemOp mo)
{
    assert((mo & ~(MO_SIZE | MO_SIGN)) == 0);
    assert(type == TCG_I64 || (mo & MO_SIZE) <= MO_32);
    (void)type;
    (void)mo;
}

void tcg_gen_ld_env(TCGv d, size_t offset, TCGMemOp mo)
{
    TCGType type = tcg_temp_type(d);
    check_memop(type, mo);
    TCGOp *op = emit(INDEX_op_ld_env, type);
    op->args[0] = d;
    op->args[1] = offset;
    op->args[2] = mo;
}

void tcg_gen_st_env(TCGv s, size_t offset, TCGMemOp mo)
{
    TCGType type = tcg_temp_type(s);
    check_memop(type, mo & MO_SIZE);
    TCGOp *op = emit(INDEX_op_st_env, type);
    op->args[0] = s;
    op->args[1] = offset;
    op->args[2] = mo & MO_SIZE;
}

void tcg_gen_qemu_ld(TCGv d, TCGv addr, TCGMemOp mo, int mmu_idx)
{
    TCGType type = tcg_temp_type(d);
    check_memop(type, mo);
    assert(tcg_temp_type(addr) == TCG_I64);
    assert(mmu_idx >= 0);
    TCGOp *op = emit(INDEX_op_qemu_ld, type);
    op->args[0] = d;
    op->args[1] = addr;
    op->args[2] = mo;
    op->args[3] = (TCGArg)mmu_idx;
}

void tcg_gen_qemu_st(TCGv val, TCGv addr, TCGMemOp mo, int mmu_idx)
{
    TCGType type = tcg_temp_type(val);
    check_memop(type, mo & MO_SIZE);
    assert(tcg_temp_type(addr) == TCG_I64);
    assert(mmu_idx >= 0);
    TCGOp *op = emit(INDEX_op_qemu_st, type);
    op->args[0] = val;
    op->args[1] = addr;
    op->args[2] = mo & MO_SIZE;
    op->args[3] = (TCGArg)mmu_idx;
}

void tcg_gen_call(const TCGHelperInfo *h, TCGv ret, TCGv a0, TCGv a1, TCGv a2, TCGv a3)
{
    const TCGv temps[5] = { ret, a0, a1, a2, a3 };
    for (int i = 0; i < 5; i++)
        assert(temps[i] == TCG_NOTEMP || temps[i] < cur.nb_temps);
    TCGOp *op = emit(INDEX_op_call, ret == TCG_NOTEMP ? TCG_I64 : tcg_temp_type(ret));
    for (int i = 0; i < 5; i++)
        op->args[i] = temps[i];
    op->args[5] = (uintptr_t)h;
}

void tcg_gen_insn_start(uint64_t guest_pc)
{
    emit(INDEX_op_insn_start, TCG_I64)->args[0] = guest_pc;
}

void tcg_gen_goto_tb(int slot)
{
    assert(slot == 0 || slot == 1);
    emit(INDEX_op_goto_tb, TCG_I64)->args[0] = (TCGArg)slot;
}

void tcg_gen_exit_tb(void)
{
    emit(INDEX_op_exit_tb, TCG_I64);
}

/* ---------------------------------------------------------------- dump */

static const char *const cond_names[] = {
    "never", "always", "eq", "ne", "lt", "ge", "le", "gt", "ltu", "geu", "leu", "gtu",
};

static const char *memop_name(TCGArg mo)
{
    static const char *const names[8] = { "ub", "uw", "ul", "uq", "sb", "sw", "sl", "sq" };
    return names[mo & 7];
}

/* How constant argument i of op is shown. */
static int format_const(char *buf, size_t len, const TCGOp *op, int i, TCGArg v)
{
    switch (op->opc) {
    case INDEX_op_setcond: case INDEX_op_movcond: case INDEX_op_brcond:
        if (i == 0)
            return snprintf(buf, len, "%s", v < 12 ? cond_names[v] : "?");
        return snprintf(buf, len, "L%" PRIu64, v);
    case INDEX_op_set_label: case INDEX_op_br:
        return snprintf(buf, len, "L%" PRIu64, v);
    case INDEX_op_ld_env: case INDEX_op_st_env:
        if (i == 0)
            return snprintf(buf, len, "env+0x%" PRIx64, v);
        return snprintf(buf, len, "%s", memop_name(v));
    case INDEX_op_qemu_ld: case INDEX_op_qemu_st:
        if (i == 0)
            return snprintf(buf, len, "%s", memop_name(v));
        return snprintf(buf, len, "mmu%" PRIu64, v);
    case INDEX_op_call: {
        const TCGHelperInfo *h = (const TCGHelperInfo *)(uintptr_t)v;
        return snprintf(buf, len, "%s", h && h->name ? h->name : "?");
    }
    case INDEX_op_insn_start:
        return snprintf(buf, len, "pc=0x%" PRIx64, v);
    default:
        return snprintf(buf, len, "$0x%" PRIx64, v);
    }
}

void tcg_dump_block(const TCGBlock *b, void (*out)(const char *line, void *opaque), void *opaque)
{
    char line[256];
    for (uint32_t n = 0; n < b->nb_ops; n++) {
        const TCGOp *op = &b->ops[n];
        const TCGOpDef *def = &tcg_op_defs[op->opc];
        size_t pos = 0;
        bool typed = def->nb_oargs + def->nb_iargs > 0;
        int w = op->opc == INDEX_op_set_label ? snprintf(line, sizeof(line), "L%" PRIu64 ":", op->args[0])
              : snprintf(line, sizeof(line), " %s%s", def->name,
                         typed ? (op->type == TCG_I64 ? "_i64" : "_i32") : "");
        pos = (size_t)w;
        if (op->opc != INDEX_op_set_label) {
            int nargs = def->nb_oargs + def->nb_iargs + def->nb_cargs;
            for (int i = 0; i < nargs && pos < sizeof(line); i++) {
                const char *sep = i == 0 ? " " : ", ";
                char arg[96];
                if (i < def->nb_oargs + def->nb_iargs) {
                    if (op->args[i] == TCG_NOTEMP)
                        snprintf(arg, sizeof(arg), "-");
                    else
                        snprintf(arg, sizeof(arg), "t%" PRIu64, op->args[i]);
                } else {
                    format_const(arg, sizeof(arg), op, i - def->nb_oargs - def->nb_iargs, op->args[i]);
                }
                w = snprintf(line + pos, sizeof(line) - pos, "%s%s", sep, arg);
                pos += (size_t)w;
            }
        }
        out(line, opaque);
    }
}
