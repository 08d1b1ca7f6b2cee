/*
 * tcg/tcg.h — the contract of the translator core: the IR, how a front end emits it, the
 * translation-block cache with chaining and invalidation, and the backend interface.
 *
 * Nothing here knows x86. The front end (cpu/) registers a TCGFrontend with the callbacks
 * tcg needs (translate a block, compute the key of the block to run next, store a guest pc),
 * and emits IR with the tcg_gen_* functions while its translate callback runs.
 *
 * One translation context per process (ferry runs one vCPU on one host thread), so the
 * builder functions use an implicit current block.
 */
#ifndef FERRY_TCG_H
#define FERRY_TCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- IR */

typedef enum TCGType { TCG_I32 = 0, TCG_I64 = 1 } TCGType;

#define TCG_OPF_BB_START    0x01  /* starts a basic block (label) */
#define TCG_OPF_BB_END      0x02  /* ends a basic block (branch or exit) */
#define TCG_OPF_SIDE_EFFECTS 0x04 /* never removed by dead-code elimination */
#define TCG_OPF_MAY_RAISE   0x08  /* may leave the block through a guest fault */

typedef enum TCGOpcode {
#define DEF(name, oargs, iargs, cargs, flags) INDEX_op_##name,
#include "tcg/ops.def"
#undef DEF
    NB_TCG_OPS
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs, flags;
} TCGOpDef;
extern const TCGOpDef tcg_op_defs[NB_TCG_OPS];

/* Conditions for setcond/movcond/brcond. */
typedef enum TCGCond {
    TCG_COND_NEVER, TCG_COND_ALWAYS,
    TCG_COND_EQ, TCG_COND_NE,
    TCG_COND_LT, TCG_COND_GE, TCG_COND_LE, TCG_COND_GT,      /* signed */
    TCG_COND_LTU, TCG_COND_GEU, TCG_COND_LEU, TCG_COND_GTU,  /* unsigned */
} TCGCond;
TCGCond tcg_invert_cond(TCGCond c);

/* Memory operation: log2 size in the low two bits, MO_SIGN for sign extension on loads. */
typedef enum TCGMemOp {
    MO_8 = 0, MO_16 = 1, MO_32 = 2, MO_64 = 3, MO_SIZE = 3,
    MO_SIGN = 4,
    MO_UB = MO_8, MO_UW = MO_16, MO_UL = MO_32, MO_UQ = MO_64,
    MO_SB = MO_8 | MO_SIGN, MO_SW = MO_16 | MO_SIGN, MO_SL = MO_32 | MO_SIGN,
} TCGMemOp;

/* A temp is an index into the current block's temp table; temps live only inside a block.
 * TCG_NOTEMP marks an absent operand (a helper call without result or with fewer args). */
typedef uint16_t TCGv;
#define TCG_NOTEMP ((TCGv)0xffff)
typedef uint32_t TCGLabel;

typedef uint64_t TCGArg;
#define TCG_MAX_OP_ARGS 6

typedef struct TCGOp {
    uint8_t opc;        /* TCGOpcode */
    uint8_t type;       /* TCGType of the op */
    uint16_t pad;
    uint32_t pad2;
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

typedef struct TCGTempInfo {
    uint8_t type;       /* TCGType */
} TCGTempInfo;

/* Helpers: every helper has this one signature, so backends need a single calling
 * convention. Unused arguments arrive as 0; a helper without result returns 0. */
typedef uint64_t (*TCGHelperFn)(void *env, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

#define TCG_CALL_PURE        0x01  /* no side effects, does not read env: may be dropped or folded */
#define TCG_CALL_NO_RAISE    0x02  /* never raises a guest fault */
#define TCG_CALL_NO_READ_ENV 0x04  /* does not read env (so pending env stores may stay pending) */
#define TCG_CALL_NO_WRITE_ENV 0x08 /* does not write env (so cached env values stay valid) */

typedef struct TCGHelperInfo {
    TCGHelperFn fn;
    const char *name;
    unsigned flags;
} TCGHelperInfo;

/* The block being built, as the passes and the backends see it. */
typedef struct TCGBlock {
    TCGOp *ops;
    uint32_t nb_ops, max_ops;
    TCGTempInfo *temps;
    uint32_t nb_temps, max_temps;
    uint32_t nb_labels;
} TCGBlock;

/* ---------------------------------------------------------------- IR builder
 * Valid only inside TCGFrontend.translate. The output temp decides the op type; inputs must
 * have the same type (checked in debug builds). */

TCGv tcg_temp_new(TCGType type);
TCGv tcg_const(TCGType type, uint64_t value);   /* a new temp holding value */
TCGType tcg_temp_type(TCGv t);
TCGLabel tcg_label_new(void);

void tcg_gen_mov(TCGv d, TCGv s);
void tcg_gen_movi(TCGv d, uint64_t value);
void tcg_gen_add(TCGv d, TCGv a, TCGv b);
void tcg_gen_sub(TCGv d, TCGv a, TCGv b);
void tcg_gen_mul(TCGv d, TCGv a, TCGv b);
void tcg_gen_and(TCGv d, TCGv a, TCGv b);
void tcg_gen_or(TCGv d, TCGv a, TCGv b);
void tcg_gen_xor(TCGv d, TCGv a, TCGv b);
void tcg_gen_andc(TCGv d, TCGv a, TCGv b);
void tcg_gen_neg(TCGv d, TCGv a);
void tcg_gen_not(TCGv d, TCGv a);
void tcg_gen_shl(TCGv d, TCGv a, TCGv b);
void tcg_gen_shr(TCGv d, TCGv a, TCGv b);
void tcg_gen_sar(TCGv d, TCGv a, TCGv b);
void tcg_gen_rotl(TCGv d, TCGv a, TCGv b);
void tcg_gen_rotr(TCGv d, TCGv a, TCGv b);
void tcg_gen_mulu2(TCGv lo, TCGv hi, TCGv a, TCGv b);
void tcg_gen_muls2(TCGv lo, TCGv hi, TCGv a, TCGv b);
void tcg_gen_clz(TCGv d, TCGv a, TCGv if_zero);
void tcg_gen_ctz(TCGv d, TCGv a, TCGv if_zero);
void tcg_gen_ctpop(TCGv d, TCGv a);
void tcg_gen_bswap(TCGv d, TCGv a);
void tcg_gen_ext8s(TCGv d, TCGv a);
void tcg_gen_ext8u(TCGv d, TCGv a);
void tcg_gen_ext16s(TCGv d, TCGv a);
void tcg_gen_ext16u(TCGv d, TCGv a);
void tcg_gen_ext32s(TCGv d, TCGv a);
void tcg_gen_ext32u(TCGv d, TCGv a);
void tcg_gen_ext_i32_i64(TCGv d, TCGv a);
void tcg_gen_extu_i32_i64(TCGv d, TCGv a);
void tcg_gen_extrl_i64_i32(TCGv d, TCGv a);
void tcg_gen_extrh_i64_i32(TCGv d, TCGv a);
void tcg_gen_setcond(TCGCond c, TCGv d, TCGv a, TCGv b);
void tcg_gen_movcond(TCGCond c, TCGv d, TCGv a, TCGv b, TCGv v1, TCGv v2);

/* immediate forms: emit a constant temp and the op (constant folding cleans up) */
void tcg_gen_addi(TCGv d, TCGv a, int64_t imm);
void tcg_gen_subi(TCGv d, TCGv a, int64_t imm);
void tcg_gen_andi(TCGv d, TCGv a, int64_t imm);
void tcg_gen_ori(TCGv d, TCGv a, int64_t imm);
void tcg_gen_xori(TCGv d, TCGv a, int64_t imm);
void tcg_gen_shli(TCGv d, TCGv a, int64_t imm);
void tcg_gen_shri(TCGv d, TCGv a, int64_t imm);
void tcg_gen_sari(TCGv d, TCGv a, int64_t imm);
void tcg_gen_setcondi(TCGCond c, TCGv d, TCGv a, int64_t imm);
void tcg_gen_brcondi(TCGCond c, TCGv a, int64_t imm, TCGLabel l);

void tcg_gen_set_label(TCGLabel l);
void tcg_gen_br(TCGLabel l);
void tcg_gen_brcond(TCGCond c, TCGv a, TCGv b, TCGLabel l);

void tcg_gen_ld_env(TCGv d, size_t offset, TCGMemOp mo);
void tcg_gen_st_env(TCGv s, size_t offset, TCGMemOp mo);
/* addr must be an I64 temp holding the linear address */
void tcg_gen_qemu_ld(TCGv d, TCGv addr, TCGMemOp mo, int mmu_idx);
void tcg_gen_qemu_st(TCGv val, TCGv addr, TCGMemOp mo, int mmu_idx);

/* ret may be TCG_NOTEMP; missing args TCG_NOTEMP */
void tcg_gen_call(const TCGHelperInfo *h, TCGv ret, TCGv a0, TCGv a1, TCGv a2, TCGv a3);

void tcg_gen_insn_start(uint64_t guest_pc);
void tcg_gen_goto_tb(int slot);   /* direct exit through chaining slot 0 or 1 */
void tcg_gen_exit_tb(void);       /* indirect exit: the next block is looked up */

/* Number of ops emitted so far in the current block (the front end caps block size). */
uint32_t tcg_op_count(void);

/* ---------------------------------------------------------------- translation blocks */

/* Compile flags: how a block is compiled; part of its key, so a block compiled one way is
 * never run another way. */
#define TB_CF_SINGLE_INSN 0x01   /* exactly one guest instruction (single-step, debugger) */
#define TB_CF_NO_CHAIN    0x02   /* never chained to or from */

typedef struct TBKey {
    uint64_t pc;        /* guest pc as the front end defines it (x86: rip) */
    uint64_t cs_base;
    uint64_t phys_pc;   /* guest physical address of the first byte */
    uint32_t flags;     /* mode bits the translator specialised on */
    uint32_t cflags;    /* TB_CF_* */
} TBKey;

typedef struct TranslationBlock TranslationBlock;
struct TranslationBlock {
    TBKey key;
    uint32_t size;              /* guest bytes covered */
    uint32_t icount;            /* guest instructions */
    uint64_t page_addr[2];      /* guest physical pages covered; page_addr[1] = -1 if one */
    void *code;                 /* backend's compiled form */
    TranslationBlock *hash_next;
    /* chaining: jmp_dest[n] is the block slot n jumps to, or NULL */
    TranslationBlock *jmp_dest[2];
    /* incoming links: list of (block, slot) that jump here, encoded as tb | slot */
    uintptr_t jmp_list_head;
    uintptr_t jmp_list_next[2];
    /* per physical page list of blocks, encoded as tb | page index */
    uintptr_t page_next[2];
    bool invalid;
};

/* What the front end provides. env is opaque to tcg. */
typedef struct TCGFrontend {
    /* Emit IR for the block described by tb->key; set tb->size, tb->icount, tb->page_addr.
     * Runs with a fresh current block. */
    void (*translate)(void *env, TranslationBlock *tb);
    /* Compute the key of the block to run at the current guest state. May raise a guest
     * fault (instruction fetch) by the front end's own means. */
    void (*get_key)(void *env, TBKey *key);
    /* Optional split of get_key (both or neither): get_virt_key fills every field but
     * phys_pc, get_phys_pc then computes phys_pc for that key (and may raise the fetch
     * fault). get_key must equal the two in a row. With the split, a jump-cache hit on the
     * virtual key skips get_phys_pc: the cache is cleared whenever a linear page's mapping
     * may change (tcg_jmp_cache_clear*, from every TLB flush). */
    void (*get_virt_key)(void *env, TBKey *key);
    uint64_t (*get_phys_pc)(void *env, const TBKey *key);
    /* Store a guest pc (the instruction to resume at) into env; used when a block stops
     * early because the code it runs was overwritten. */
    void (*set_pc)(void *env, uint64_t pc);
    /* Byte offset in env of an int32 tested at every block entry: non-zero makes
     * tcg_exec return before running the block. */
    size_t exit_req_offset;
} TCGFrontend;

typedef enum TCGBackendKind { TCG_BACKEND_INTERP, TCG_BACKEND_X86_64, TCG_BACKEND_AARCH64 } TCGBackendKind;

/* One-time setup. code_size: bytes of code buffer (0 = default). */
bool tcg_init(const TCGFrontend *fe, TCGBackendKind backend, size_t code_size);
TCGBackendKind tcg_backend(void);

/* Run blocks starting at the current guest state, following chains and looking up
 * successors, until exit_req is non-zero at a block entry or a block compiled with
 * TB_CF_SINGLE_INSN / NO_CHAIN ends. Guest faults leave through the front end's own
 * longjmp; tcg holds no state that needs unwinding. */
void tcg_exec(void *env);

/* The guest pc of the instruction being executed, valid while a block runs (from a helper
 * or from a fault in a memory op): the front end uses it for precise exceptions. */
uint64_t tcg_current_insn_pc(void);
bool tcg_in_block(void);
/* Make the running block stop before its next instruction (the current one completes and
 * the pc of the next is stored with set_pc). For events an instruction causes that the exec
 * loop must see at once, such as an interrupt made deliverable by a device write. No effect
 * outside a block. Call only from the thread running the CPU. */
void tcg_request_stop(void);

/* Code invalidation: drop every block overlapping guest physical [start, end). If the block
 * running now is among them, it stops before its next instruction (pc stored with set_pc). */
void tb_invalidate_phys_range(uint64_t start, uint64_t end);
void tb_flush(void);            /* drop every block (mode change, snapshot load, buffer full) */
/* Forget the jump cache's virtual-to-block entries (all, or those of one linear page):
 * called by every TLB flush, as the page's mapping may have changed. */
void tcg_jmp_cache_clear(void);
void tcg_jmp_cache_clear_page(uint64_t linear_addr);

/* Statistics for tests and -d: counters since tcg_init. */
typedef struct TCGStats {
    uint64_t tb_translated, tb_invalidated, tb_flushes, chains_made, blocks_executed;
} TCGStats;
void tcg_get_stats(TCGStats *s);

/* Debug dump of an IR block (-d op). */
void tcg_dump_block(const TCGBlock *b, void (*out)(const char *line, void *opaque), void *opaque);

/* -d op / -d out_asm (tcg/dump.c): hooks the ui sets (NULL = off), called for every block
 * right after it compiled. host_code gets the backend's code, body_size bytes of straight-line
 * body followed by its out-of-line stubs, or code NULL for the interpreter (no host code). */
typedef struct TCGLogHooks {
    void (*ir)(const TranslationBlock *tb, const TCGBlock *b);
    void (*host_code)(const TranslationBlock *tb, const uint8_t *code, size_t size, size_t body_size);
} TCGLogHooks;
extern TCGLogHooks tcg_log_hooks;
void tcg_log_compiled(const TCGBlock *b, const TranslationBlock *tb);

#endif
