/*
 * tcg/backend/interp/interp.c — the portable backend: IR blocks are compiled into arrays
 * of pre-decoded ops (opcode specialised by type, condition and access size; temps as
 * register-file indexes; branch targets as op indexes) and run by a threaded interpreter
 * (GCC computed gotos). Everything that could go out of bounds is checked at compile time,
 * so the run loop has no checks.
 *
 * Temps live in one static register file: a block never runs inside another (one vCPU,
 * helpers do not re-enter tcg_exec). I32 values stay zero-extended in their 64-bit slots.
 */
#include "tcg/backend.h"
#include "tcg/eval.h"
#include "mmu/mmu.h"

#include <stdlib.h>
#include <string.h>

/* Register file slots: 0 always reads 0 (absent helper arguments), 1 swallows the result
 * of a helper whose result is unused; temp t lives in slot t + 2. */
#define REG_ZERO    0
#define REG_DISCARD 1
#define REG_FIRST_TEMP 2
#define MAX_TEMPS   (UINT16_MAX - REG_FIRST_TEMP)

/* Comparison flavours. With zero-extended I32 values, equality and unsigned order do not
 * depend on the width; signed order does. X(name, cond, type) */
#define CMP_FLAVOURS(X) \
    X(eq, TCG_COND_EQ, TCG_I64)  X(ne, TCG_COND_NE, TCG_I64) \
    X(ltu, TCG_COND_LTU, TCG_I64) X(geu, TCG_COND_GEU, TCG_I64) \
    X(leu, TCG_COND_LEU, TCG_I64) X(gtu, TCG_COND_GTU, TCG_I64) \
    X(lt32, TCG_COND_LT, TCG_I32) X(ge32, TCG_COND_GE, TCG_I32) \
    X(le32, TCG_COND_LE, TCG_I32) X(gt32, TCG_COND_GT, TCG_I32) \
    X(lt64, TCG_COND_LT, TCG_I64) X(ge64, TCG_COND_GE, TCG_I64) \
    X(le64, TCG_COND_LE, TCG_I64) X(gt64, TCG_COND_GT, TCG_I64)

#define ACCESS_SIZES(X) X(8) X(16) X(32) X(64)

/* Interpreter opcodes. Families that are indexed arithmetically at compile time (type,
 * condition flavour, access size) are laid out contiguously in the order used there. */
enum InterpOpc {
#define EVAL_IOPS(name, nin) IOP_##name##_i32, IOP_##name##_i64,
    TCG_EVAL_OPS(EVAL_IOPS)
#undef EVAL_IOPS
#define CMP_IOPS(name, cond, type) IOP_setcond_##name, IOP_movcond_##name, IOP_brcond_##name,
    CMP_FLAVOURS(CMP_IOPS)
#undef CMP_IOPS
#define SIZE_IOPS(bits) IOP_ld_env##bits, IOP_st_env##bits, IOP_qemu_ld##bits, IOP_qemu_st##bits,
    ACCESS_SIZES(SIZE_IOPS)
#undef SIZE_IOPS
    IOP_mulu2_i32, IOP_mulu2_i64, IOP_muls2_i32, IOP_muls2_i64,
    IOP_movi, IOP_call, IOP_call_i32, IOP_br, IOP_insn_start, IOP_goto_tb, IOP_exit_tb,
    IOP_fell_off,
    NB_IOPS
};

/* Operand layout per family:
 *   eval ops:   r0 = d, r1 = a, r2 = b
 *   setcond:    r0 = d, r1 = a, r2 = b;  movcond: r0 = d, r1 = a, r2 = b, r3 = v1, r4 = v2
 *   brcond:     r1 = a, r2 = b, x = target op index;  br: x = target
 *   loads:      r0 = d, r1 = address (qemu_ld), r2 = sign shift, r3 = TCGType, x = mmu idx,
 *               imm = env offset (ld_env)
 *   stores:     r1 = value, r2 = address (qemu_st), x = mmu idx, imm = env offset (st_env)
 *   mul2:       r0 = lo, r1 = hi, r2 = a, r3 = b
 *   call:       r0 = result, r1..r4 = arguments, fn
 *   movi:       r0 = d, imm;  insn_start: imm = pc;  goto_tb: x = slot */
typedef struct IOp {
    uint16_t opc;
    uint16_t r[5];
    uint32_t x;
    union {
        uint64_t imm;
        TCGHelperFn fn;
    };
} IOp;

typedef struct InterpCode {
    uint32_t nb_ops;
    uint32_t reserved;
    IOp ops[];
} InterpCode;

static uint64_t interp_regs[REG_FIRST_TEMP + MAX_TEMPS];

static uint8_t *arena;
static size_t arena_size, arena_used;

static uint32_t *label_target;     /* scratch for compile: op index of each label */
static uint32_t label_capacity;

static bool interp_init(size_t code_size)
{
    arena_size = code_size;
    arena = malloc(arena_size);
    arena_used = 0;
    return arena != NULL;
}

static void interp_fini(void)
{
    free(arena);
    free(label_target);
    arena = NULL;
    label_target = NULL;
    label_capacity = 0;
    arena_size = arena_used = 0;
}

static void interp_reset(void)
{
    arena_used = 0;
}

/* ---------------------------------------------------------------- compile */

typedef struct Compiler {
    const TCGBlock *b;
    IOp *out;
    uint32_t n;
} Compiler;

static uint16_t reg(const Compiler *c, TCGArg t)
{
    if (t >= c->b->nb_temps)
        tcg_fatal("interp: op refers to temp %llu, block has %u", (unsigned long long)t, c->b->nb_temps);
    return (uint16_t)(t + REG_FIRST_TEMP);
}

/* Helper arguments and results may be absent. */
static uint16_t reg_or(const Compiler *c, TCGArg t, uint16_t absent)
{
    return t == TCG_NOTEMP ? absent : reg(c, t);
}

static IOp *new_iop(Compiler *c, int opc)
{
    IOp *io = &c->out[c->n++];
    memset(io, 0, sizeof(*io));
    io->opc = (uint16_t)opc;
    return io;
}

static int eval_iop(TCGOpcode opc)
{
    switch (opc) {
#define EVAL_CASE(name, nin) case INDEX_op_##name: return IOP_##name##_i32;
    TCG_EVAL_OPS(EVAL_CASE)
#undef EVAL_CASE
    default: return -1;
    }
}

static int eval_nb_inputs(TCGOpcode opc)
{
    return tcg_op_defs[opc].nb_iargs;
}

/* Index of the comparison flavour in CMP_FLAVOURS; cond is neither NEVER nor ALWAYS. */
static int cmp_flavour(TCGCond cond, TCGType type)
{
    switch (cond) {
    case TCG_COND_EQ:  return 0;
    case TCG_COND_NE:  return 1;
    case TCG_COND_LTU: return 2;
    case TCG_COND_GEU: return 3;
    case TCG_COND_LEU: return 4;
    case TCG_COND_GTU: return 5;
    case TCG_COND_LT: case TCG_COND_GE: case TCG_COND_LE: case TCG_COND_GT:
        return (type == TCG_I32 ? 6 : 10) + (int)(cond - TCG_COND_LT);
    default:
        tcg_fatal("interp: bad condition %d", (int)cond);
    }
}

static TCGCond checked_cond(TCGArg c)
{
    if (c > TCG_COND_GTU)
        tcg_fatal("interp: bad condition %llu", (unsigned long long)c);
    return (TCGCond)c;
}

static uint32_t checked_label(const Compiler *c, TCGArg l)
{
    if (l >= c->b->nb_labels)
        tcg_fatal("interp: label L%llu out of range", (unsigned long long)l);
    return (uint32_t)l;
}

static int access_family(TCGArg mo, int first)
{
    const int stride = IOP_ld_env16 - IOP_ld_env8;
    return first + stride * (int)(mo & MO_SIZE);
}

static void compile_load(Compiler *c, const TCGOp *op, int first, uint16_t addr_reg, uint32_t mmu_idx, uint64_t imm)
{
    TCGMemOp mo = (TCGMemOp)op->args[2];
    if (mo & ~(MO_SIZE | MO_SIGN))
        tcg_fatal("interp: bad memop %d", (int)mo);
    IOp *io = new_iop(c, access_family(mo, first));
    io->r[0] = reg(c, op->args[0]);
    io->r[1] = addr_reg;
    io->r[2] = (uint16_t)tcg_memop_sign_shift(mo);
    io->r[3] = op->type;
    io->x = mmu_idx;
    io->imm = imm;
}

static void compile_op(Compiler *c, const TCGOp *op, uint32_t op_index)
{
    const TCGType type = (TCGType)op->type;
    const int t = type == TCG_I64;
    IOp *io;

    if (op->opc >= NB_TCG_OPS || op->type > TCG_I64)
        tcg_fatal("interp: bad op %u type %u at %u", op->opc, op->type, op_index);

    int base = eval_iop((TCGOpcode)op->opc);
    if (base >= 0) {
        io = new_iop(c, base + t);
        io->r[0] = reg(c, op->args[0]);
        io->r[1] = reg(c, op->args[1]);
        io->r[2] = eval_nb_inputs((TCGOpcode)op->opc) == 2 ? reg(c, op->args[2]) : REG_ZERO;
        return;
    }

    switch ((TCGOpcode)op->opc) {
    case INDEX_op_movi:
        io = new_iop(c, IOP_movi);
        io->r[0] = reg(c, op->args[0]);
        io->imm = op->args[1] & tcg_type_mask(type);
        return;
    case INDEX_op_setcond:
    case INDEX_op_movcond: {
        bool is_set = op->opc == INDEX_op_setcond;
        TCGCond cond = checked_cond(op->args[is_set ? 3 : 5]);
        if (cond == TCG_COND_NEVER || cond == TCG_COND_ALWAYS) {
            bool taken = cond == TCG_COND_ALWAYS;
            io = new_iop(c, is_set ? IOP_movi : IOP_mov_i64);
            io->r[0] = reg(c, op->args[0]);
            if (is_set)
                io->imm = taken;
            else
                io->r[1] = reg(c, op->args[taken ? 3 : 4]);
            return;
        }
        int flavour = cmp_flavour(cond, type);
        io = new_iop(c, IOP_setcond_eq + 3 * flavour + (is_set ? 0 : 1));
        for (int i = 0; i < (is_set ? 3 : 5); i++)
            io->r[i] = reg(c, op->args[i]);
        return;
    }
    case INDEX_op_set_label:
        label_target[checked_label(c, op->args[0])] = c->n;
        return;
    case INDEX_op_br:
        io = new_iop(c, IOP_br);
        io->x = checked_label(c, op->args[0]);
        return;
    case INDEX_op_brcond: {
        TCGCond cond = checked_cond(op->args[2]);
        uint32_t label = checked_label(c, op->args[3]);
        if (cond == TCG_COND_NEVER)
            return;
        io = new_iop(c, cond == TCG_COND_ALWAYS ? IOP_br : IOP_setcond_eq + 3 * cmp_flavour(cond, type) + 2);
        io->r[1] = reg(c, op->args[0]);
        io->r[2] = reg(c, op->args[1]);
        io->x = label;
        return;
    }
    case INDEX_op_ld_env:
        compile_load(c, op, IOP_ld_env8, REG_ZERO, 0, op->args[1]);
        return;
    case INDEX_op_qemu_ld:
        if (op->args[3] >= NB_MMU_MODES)
            tcg_fatal("interp: bad mmu index %llu", (unsigned long long)op->args[3]);
        compile_load(c, op, IOP_qemu_ld8, reg(c, op->args[1]), (uint32_t)op->args[3], 0);
        return;
    case INDEX_op_st_env:
        io = new_iop(c, access_family(op->args[2], IOP_st_env8));
        io->r[1] = reg(c, op->args[0]);
        io->imm = op->args[1];
        return;
    case INDEX_op_qemu_st:
        if (op->args[3] >= NB_MMU_MODES)
            tcg_fatal("interp: bad mmu index %llu", (unsigned long long)op->args[3]);
        io = new_iop(c, access_family(op->args[2], IOP_qemu_st8));
        io->r[1] = reg(c, op->args[0]);
        io->r[2] = reg(c, op->args[1]);
        io->x = (uint32_t)op->args[3];
        return;
    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        io = new_iop(c, (op->opc == INDEX_op_mulu2 ? IOP_mulu2_i32 : IOP_muls2_i32) + t);
        for (int i = 0; i < 4; i++)
            io->r[i] = reg(c, op->args[i]);
        return;
    case INDEX_op_call: {
        const TCGHelperInfo *h = (const TCGHelperInfo *)(uintptr_t)op->args[5];
        if (!h || !h->fn)
            tcg_fatal("interp: call without helper");
        io = new_iop(c, type == TCG_I32 ? IOP_call_i32 : IOP_call);
        io->r[0] = reg_or(c, op->args[0], REG_DISCARD);
        for (int i = 1; i <= 4; i++)
            io->r[i] = reg_or(c, op->args[i], REG_ZERO);
        io->fn = h->fn;
        return;
    }
    case INDEX_op_insn_start:
        new_iop(c, IOP_insn_start)->imm = op->args[0];
        return;
    case INDEX_op_goto_tb:
        if (op->args[0] > 1)
            tcg_fatal("interp: goto_tb slot %llu", (unsigned long long)op->args[0]);
        new_iop(c, IOP_goto_tb)->x = (uint32_t)op->args[0];
        return;
    case INDEX_op_exit_tb:
        new_iop(c, IOP_exit_tb);
        return;
    default:
        tcg_fatal("interp: unhandled op %s", tcg_op_defs[op->opc].name);
    }
}

/* Arena bytes for a block of n ops, rounded so the next block stays aligned. */
static size_t code_bytes(size_t n)
{
    return (sizeof(InterpCode) + n * sizeof(IOp) + 15) & ~(size_t)15;
}

static bool interp_compile(const TCGBlock *b, TranslationBlock *tb)
{
    if (b->nb_temps > MAX_TEMPS)
        tcg_fatal("interp: block has %u temps, at most %u", b->nb_temps, (unsigned)MAX_TEMPS);
    /* every op yields at most one interpreter op, plus the trap after the last */
    size_t bytes = code_bytes((size_t)b->nb_ops + 1);
    if (bytes > arena_size - arena_used)
        return false;

    if (b->nb_labels > label_capacity) {
        free(label_target);
        label_capacity = b->nb_labels * 2;
        label_target = malloc(label_capacity * sizeof(*label_target));
        if (!label_target)
            tcg_fatal("out of memory compiling a block");
    }
    for (uint32_t l = 0; l < b->nb_labels; l++)
        label_target[l] = UINT32_MAX;

    InterpCode *code = (InterpCode *)(arena + arena_used);
    Compiler c = { .b = b, .out = code->ops, .n = 0 };
    for (uint32_t n = 0; n < b->nb_ops; n++)
        compile_op(&c, &b->ops[n], n);
    /* Running past the end is a front-end bug (a path without an exit): trap it. */
    new_iop(&c, IOP_fell_off);

    for (uint32_t n = 0; n < c.n; n++) {
        IOp *io = &code->ops[n];
        bool is_branch = io->opc == IOP_br
                      || (io->opc >= IOP_setcond_eq && io->opc <= IOP_brcond_gt64
                          && (io->opc - IOP_setcond_eq) % 3 == 2);
        if (!is_branch)
            continue;
        if (label_target[io->x] == UINT32_MAX)
            tcg_fatal("interp: branch to label L%u that is never set", io->x);
        io->x = label_target[io->x];
    }
    code->nb_ops = c.n;
    arena_used += code_bytes(c.n);
    tb->code = code;
    return true;
}

/* ---------------------------------------------------------------- execute */

static TCGExit interp_exec(void *env, TranslationBlock *tb)
{
    static const void *const dispatch[NB_IOPS] = {
#define EVAL_LABELS(name, nin) [IOP_##name##_i32] = &&do_##name##_i32, [IOP_##name##_i64] = &&do_##name##_i64,
        TCG_EVAL_OPS(EVAL_LABELS)
#undef EVAL_LABELS
#define CMP_LABELS(name, cond, type) \
        [IOP_setcond_##name] = &&do_setcond_##name, [IOP_movcond_##name] = &&do_movcond_##name, \
        [IOP_brcond_##name] = &&do_brcond_##name,
        CMP_FLAVOURS(CMP_LABELS)
#undef CMP_LABELS
#define SIZE_LABELS(bits) \
        [IOP_ld_env##bits] = &&do_ld_env##bits, [IOP_st_env##bits] = &&do_st_env##bits, \
        [IOP_qemu_ld##bits] = &&do_qemu_ld##bits, [IOP_qemu_st##bits] = &&do_qemu_st##bits,
        ACCESS_SIZES(SIZE_LABELS)
#undef SIZE_LABELS
        [IOP_mulu2_i32] = &&do_mulu2_i32, [IOP_mulu2_i64] = &&do_mulu2_i64,
        [IOP_muls2_i32] = &&do_muls2_i32, [IOP_muls2_i64] = &&do_muls2_i64,
        [IOP_movi] = &&do_movi, [IOP_call] = &&do_call, [IOP_call_i32] = &&do_call_i32,
        [IOP_br] = &&do_br, [IOP_insn_start] = &&do_insn_start, [IOP_goto_tb] = &&do_goto_tb,
        [IOP_exit_tb] = &&do_exit_tb, [IOP_fell_off] = &&do_fell_off,
    };
    uint64_t *const R = interp_regs;
    const IOp *const ops = ((const InterpCode *)tb->code)->ops;
    const IOp *op = ops;
    char *const env_bytes = env;
    struct CPUState *const cpu = env;

#define DISPATCH() goto *dispatch[op->opc]
#define NEXT() do { op++; DISPATCH(); } while (0)
#define JUMP(target) do { op = ops + (target); DISPATCH(); } while (0)

    DISPATCH();

#define EVAL_HANDLERS(name, nin) \
    do_##name##_i32: \
        R[op->r[0]] = tcg_eval(INDEX_op_##name, TCG_I32, R[op->r[1]], nin == 2 ? R[op->r[2]] : 0); \
        NEXT(); \
    do_##name##_i64: \
        R[op->r[0]] = tcg_eval(INDEX_op_##name, TCG_I64, R[op->r[1]], nin == 2 ? R[op->r[2]] : 0); \
        NEXT();
    TCG_EVAL_OPS(EVAL_HANDLERS)
#undef EVAL_HANDLERS

#define CMP_HANDLERS(name, cond, type) \
    do_setcond_##name: \
        R[op->r[0]] = tcg_eval_cond(cond, type, R[op->r[1]], R[op->r[2]]); \
        NEXT(); \
    do_movcond_##name: \
        R[op->r[0]] = tcg_eval_cond(cond, type, R[op->r[1]], R[op->r[2]]) ? R[op->r[3]] : R[op->r[4]]; \
        NEXT(); \
    do_brcond_##name: \
        if (tcg_eval_cond(cond, type, R[op->r[1]], R[op->r[2]])) \
            JUMP(op->x); \
        NEXT();
    CMP_FLAVOURS(CMP_HANDLERS)
#undef CMP_HANDLERS

#define SIZE_HANDLERS(bits) \
    do_ld_env##bits: { \
        uint##bits##_t v; \
        memcpy(&v, env_bytes + op->imm, sizeof(v)); \
        R[op->r[0]] = tcg_eval_extend_load(v, op->r[2], (TCGType)op->r[3]); \
        NEXT(); \
    } \
    do_st_env##bits: { \
        uint##bits##_t v = (uint##bits##_t)R[op->r[1]]; \
        memcpy(env_bytes + op->imm, &v, sizeof(v)); \
        NEXT(); \
    } \
    do_qemu_ld##bits: \
        R[op->r[0]] = tcg_eval_extend_load(mmu_ld(cpu, R[op->r[1]], bits / 8, (int)op->x), \
                                           op->r[2], (TCGType)op->r[3]); \
        NEXT(); \
    do_qemu_st##bits: \
        mmu_st(cpu, R[op->r[2]], R[op->r[1]], bits / 8, (int)op->x); \
        NEXT();
    ACCESS_SIZES(SIZE_HANDLERS)
#undef SIZE_HANDLERS

#define MUL2_HANDLER(label, is_signed, type) \
    label: { \
        uint64_t lo, hi; \
        tcg_eval_mul2(is_signed, type, R[op->r[2]], R[op->r[3]], &lo, &hi); \
        R[op->r[0]] = lo; \
        R[op->r[1]] = hi; \
        NEXT(); \
    }
    MUL2_HANDLER(do_mulu2_i32, false, TCG_I32)
    MUL2_HANDLER(do_mulu2_i64, false, TCG_I64)
    MUL2_HANDLER(do_muls2_i32, true, TCG_I32)
    MUL2_HANDLER(do_muls2_i64, true, TCG_I64)
#undef MUL2_HANDLER

do_movi:
    R[op->r[0]] = op->imm;
    NEXT();
do_call:
    R[op->r[0]] = op->fn(env, R[op->r[1]], R[op->r[2]], R[op->r[3]], R[op->r[4]]);
    NEXT();
do_call_i32:
    R[op->r[0]] = (uint32_t)op->fn(env, R[op->r[1]], R[op->r[2]], R[op->r[3]], R[op->r[4]]);
    NEXT();
do_br:
    JUMP(op->x);
do_insn_start:
    tcg_exec_state.insn_pc = op->imm;
    if (__builtin_expect(tcg_exec_state.stop_request, 0)) {
        tcg_frontend->set_pc(env, op->imm);
        return (TCGExit){ tb, TCG_EXIT_STOPPED };
    }
    NEXT();
do_goto_tb:
    return (TCGExit){ tb, (TCGExitKind)op->x };
do_exit_tb:
    return (TCGExit){ tb, TCG_EXIT_INDIRECT };
do_fell_off:
    tcg_fatal("interp: block at pc 0x%llx ran past its last op (missing exit)",
              (unsigned long long)tb->key.pc);

#undef DISPATCH
#undef NEXT
#undef JUMP
}

const TCGBackend tcg_backend_interp = {
    .name = "interp",
    .init = interp_init,
    .fini = interp_fini,
    .compile = interp_compile,
    .reset = interp_reset,
    .exec = interp_exec,
};
