/*
 * cpu/translate.c — the x86 front end as tcg sees it: the per-block loop (fetch through the
 * mmu, decode, dispatch to the generator registered for the mnemonic), the block key, and
 * start-up (generator registry, backend choice).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/helpers.h"
#include "cpu/xlat.h"
#include "hw/hw.h"
#include "tcg/backend.h"    /* tcg_current_block: the prologue's count is patched in */

/* Block size caps: long blocks delay the exit_req test and lengthen invalidation */
#define MAX_BLOCK_INSNS 64
#define MAX_BLOCK_OPS 512

static XlatFn xlat_generators[NB_MNEMS];

static void register_generators(void)
{
    static const XlatEntry *const tables[] = {
        xlat_alu_entries, xlat_ctrl_entries, xlat_string_entries, xlat_misc_entries,
        xlat_sys_entries, xlat_sse_entries, xlat_x87_entries,
    };
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const XlatEntry *e = tables[t]; e->fn; e++) {
            if (e->mnem < NB_MNEMS) {
                xlat_generators[e->mnem] = e->fn;
            }
        }
    }
}

static int code_bits_of(uint32_t hflags)
{
    return (hflags & HF_CS64) ? 64 : (hflags & HF_CS32) ? 32 : 16;
}

/* Linear address of a code byte: CS base + rip, wrapped to 32 bits outside 64-bit code */
static uint64_t code_linear(uint64_t cs_base, uint64_t rip, int code_bits)
{
    uint64_t la = cs_base + rip;
    return code_bits == 64 ? la : (uint32_t)la;
}

static uint64_t ip_mask(int code_bits)
{
    return code_bits == 64 ? ~0ull : code_bits == 32 ? 0xffffffffull : 0xffffull;
}

/* Copy up to len code bytes at linear la, all inside one page already translated */
static void fetch_bytes(CPUState *env, uint64_t la, uint8_t *buf, unsigned len, int mmu_idx)
{
    memcpy(buf, mmu_code_ptr(env, la, mmu_idx), len);
}

/* ---------------------------------------------------------------- -icount
 * The prologue of every block (when -icount is on) adds the block's instruction count to
 * env->icount, or leaves before the first instruction when that would pass
 * env->icount_limit. Near the limit, blocks are compiled one instruction each
 * (x86_get_virt_key), so the CPU stops at exactly the limit whatever the block layout: the
 * layout differs between a run and its restored snapshot, the count must not.
 *
 * A block that ends early (fault, trap, HLT, a stop request) retired only the instructions
 * before the one it resumes at: a table per block of its instruction offsets turns that pc
 * into a count. It is keyed by the block, which the prologue stores in env->icount_tb. */

typedef struct IcountBlockInfo {
    const TranslationBlock *tb;
    uint64_t pc;                        /* the block's first instruction */
    uint32_t count;
    uint16_t offset[MAX_BLOCK_INSNS];   /* instruction i starts at pc + offset[i] */
} IcountBlockInfo;

static IcountBlockInfo *icount_blocks;  /* open addressing on the block pointer */
static size_t icount_blocks_size, icount_blocks_used;

static size_t icount_slot(const IcountBlockInfo *table, size_t size, const TranslationBlock *tb)
{
    size_t i = ((uintptr_t)tb >> 4) * 0x9e3779b97f4a7c15ull >> 20;
    for (i &= size - 1; table[i].tb && table[i].tb != tb; i = (i + 1) & (size - 1)) {
    }
    return i;
}

static IcountBlockInfo *icount_block_entry(const TranslationBlock *tb)
{
    if (2 * (icount_blocks_used + 1) > icount_blocks_size) {
        size_t size = icount_blocks_size ? 2 * icount_blocks_size : 4096;
        IcountBlockInfo *table = calloc(size, sizeof(*table));
        if (!table) {
            fprintf(stderr, "ferry: out of memory (-icount block table)\n");
            abort();
        }
        for (size_t i = 0; i < icount_blocks_size; i++) {
            if (icount_blocks[i].tb) {
                table[icount_slot(table, size, icount_blocks[i].tb)] = icount_blocks[i];
            }
        }
        free(icount_blocks);
        icount_blocks = table;
        icount_blocks_size = size;
    }
    IcountBlockInfo *e = &icount_blocks[icount_slot(icount_blocks, icount_blocks_size, tb)];
    if (!e->tb) icount_blocks_used++;
    e->tb = tb;
    return e;
}

/* Instructions of the running block before the one at pc (all of them when pc is not one) */
static uint64_t icount_retired_before(const CPUState *env, uint64_t pc)
{
    if (!env->icount_tb || !icount_blocks) return env->icount - env->icount_block_start;
    const IcountBlockInfo *e = &icount_blocks[icount_slot(icount_blocks, icount_blocks_size, env->icount_tb)];
    if (e->tb == env->icount_tb) {
        for (uint32_t i = 0; i < e->count; i++) {
            if ((uint16_t)(pc - e->pc) == e->offset[i]) return i;
        }
    }
    return env->icount - env->icount_block_start;
}

static bool icount_in_block(void)
{
    return clock_icount_enabled() && cpu_running_code && tcg_in_block();
}

uint64_t cpu_icount_now(CPUState *env)
{
    if (!icount_in_block()) return env->icount;
    return env->icount_block_start + icount_retired_before(env, tcg_current_insn_pc());
}

void cpu_icount_sync(CPUState *env, uint64_t resume_pc)
{
    if (!icount_in_block()) return;
    env->icount = env->icount_block_start + icount_retired_before(env, resume_pc);
}

void cpu_icount_set_limit(CPUState *env, uint64_t limit)
{
    env->icount_limit = limit;
    /* counted to the block's end already: stop at the next instruction boundary, which
     * cpu_icount_sync makes exact, and let the key check see the limit */
    if (icount_in_block() && limit < env->icount) tcg_request_stop();
}

/* The prologue. Fills patch_ops with the indexes of the two ops that load the block's
 * instruction count, which x86_translate patches once it knows it. No temp is carried over
 * the label. */
static void gen_icount_prologue(TranslationBlock *tb, uint32_t patch_ops[2])
{
    TCGv count = tcg_temp_new(TCG_I64), limit = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(count, offsetof(CPUState, icount), MO_64);
    patch_ops[0] = tcg_op_count();
    TCGv n = tcg_const(TCG_I64, 0);
    tcg_gen_add(count, count, n);
    tcg_gen_ld_env(limit, offsetof(CPUState, icount_limit), MO_64);
    TCGLabel fits = tcg_label_new();
    tcg_gen_brcond(TCG_COND_LEU, count, limit, fits);
    /* over budget: back to the loop with nothing run; the key then asks for smaller blocks
     * or, at the limit, leaves cpu_exec */
    tcg_gen_st_env(tcg_const(TCG_I64, tb->key.pc), offsetof(CPUState, rip), MO_64);
    tcg_gen_st_env(tcg_const(TCG_I32, 1), offsetof(CPUState, exit_req), MO_32);
    tcg_gen_exit_tb();
    tcg_gen_set_label(fits);
    TCGv before = tcg_temp_new(TCG_I64), after = tcg_temp_new(TCG_I64);
    tcg_gen_ld_env(before, offsetof(CPUState, icount), MO_64);
    tcg_gen_st_env(before, offsetof(CPUState, icount_block_start), MO_64);
    patch_ops[1] = tcg_op_count();
    tcg_gen_add(after, before, tcg_const(TCG_I64, 0));
    tcg_gen_st_env(after, offsetof(CPUState, icount), MO_64);
    tcg_gen_st_env(tcg_const(TCG_I64, (uintptr_t)tb), offsetof(CPUState, icount_tb), MO_64);
}

typedef enum FetchResult { FETCH_OK, FETCH_STOP_BEFORE } FetchResult;

/* Decode the instruction at s->pc into insn (setting *rc to x86_decode's result). Fetches
 * the following page only when the instruction really extends into it, and only for the
 * block's first instruction: a later one that crosses starts a block of its own, so a #PF
 * on the second page is raised with env exactly at that instruction. */
static FetchResult fetch_and_decode(DisasContext *s, unsigned insn_index, X86Insn *insn, int *rc)
{
    CPUState *env = s->env;
    TranslationBlock *tb = s->tb;
    uint8_t buf[15];
    uint64_t la = code_linear(s->cs_base, s->pc, s->code_bits);
    unsigned in_page = (unsigned)(PAGE_SIZE - (la & (PAGE_SIZE - 1)));
    unsigned avail = in_page < sizeof(buf) ? in_page : (unsigned)sizeof(buf);

    mmu_translate_code(env, la, s->mmu_idx);
    fetch_bytes(env, la, buf, avail, s->mmu_idx);
    *rc = x86_decode(buf, avail, s->code_bits, s->pc, insn);
    if (*rc != X86_DECODE_NEED_MORE || avail == sizeof(buf)) {
        return FETCH_OK;
    }
    if (insn_index != 0) {
        return FETCH_STOP_BEFORE;
    }
    uint64_t la2 = code_linear(s->cs_base, s->pc + in_page, s->code_bits);
    uint64_t pa2 = mmu_translate_code(env, la2, s->mmu_idx);
    fetch_bytes(env, la2, buf + avail, (unsigned)sizeof(buf) - avail, s->mmu_idx);
    tb->page_addr[1] = pa2 & PAGE_MASK;
    *rc = x86_decode(buf, sizeof(buf), s->code_bits, s->pc, insn);
    return FETCH_OK;
}

static void translate_insn(DisasContext *s, const X86Insn *insn, int rc)
{
    if (rc == X86_DECODE_UD) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    if (rc < 0) {
        gen_exception(s, EXCP_GP, 0);   /* longer than 15 bytes */
        return;
    }
    XlatFn fn = insn->mnem < NB_MNEMS ? xlat_generators[insn->mnem] : NULL;
    if (!fn) {
        gen_exception(s, EXCP_UD, 0);
        return;
    }
    fn(s, insn);
}

static void x86_translate(void *env_, TranslationBlock *tb)
{
    CPUState *env = env_;
    uint32_t hflags = tb->key.flags;
    DisasContext s = {
        .env = env,
        .tb = tb,
        .cs_base = tb->key.cs_base,
        .flags = hflags,
        .code_bits = code_bits_of(hflags),
        .cpl = (int)(hflags & HF_CPL_MASK),
        .mmu_idx = (hflags & HF_CPL_MASK) == 3 ? MMU_USER_IDX
                 : (hflags & HF_KEY_SMAP_AC) ? MMU_KERNEL_AC_IDX : MMU_KERNEL_IDX,
        .ss32 = (hflags & HF_SS32) != 0,
        .cc_op = CC_OP_DYNAMIC,
    };
    bool one_insn = (tb->key.cflags & TB_CF_SINGLE_INSN) || (hflags & HF_TF);
    uint64_t first_page = code_linear(s.cs_base, tb->key.pc, s.code_bits) & PAGE_MASK;
    uint64_t pc = tb->key.pc;
    uint32_t size = 0, count = 0;

    tb->page_addr[0] = tb->key.phys_pc & PAGE_MASK;
    tb->page_addr[1] = (uint64_t)-1;
    bool icount = clock_icount_enabled();
    uint32_t icount_patch_ops[2] = { 0, 0 };
    if (icount) gen_icount_prologue(tb, icount_patch_ops);
    IcountBlockInfo *icount_info = icount ? icount_block_entry(tb) : NULL;
    if (icount_info) icount_info->pc = tb->key.pc;

    for (;;) {
        X86Insn insn;
        int rc;
        s.pc = pc;
        s.ea = TCG_NOTEMP;
        s.end = DISAS_NEXT;
        /* debugger: a breakpoint starts a block of its own (x86_get_key stops before it) */
        if (count > 0 && (env->debug_flags & CPU_DEBUG_BREAKPOINTS) &&
            cpu_debug_breakpoint_at(code_linear(s.cs_base, pc, s.code_bits))) {
            gen_jmp_direct(&s, pc, 0);
            break;
        }
        /* DR7 instruction breakpoints: likewise (x86_get_key raises their #DB) */
        if (count > 0 && (env->dr[7] & 0xff) &&
            cpu_dr_exec_match(env, code_linear(s.cs_base, pc, s.code_bits))) {
            gen_jmp_direct(&s, pc, 0);
            break;
        }
        if (fetch_and_decode(&s, count, &insn, &rc) == FETCH_STOP_BEFORE) {
            gen_jmp_direct(&s, pc, 0);
            break;
        }
        tcg_gen_insn_start(pc);
        if (icount_info) icount_info->offset[count] = (uint16_t)(pc - tb->key.pc);
        if (hflags & HF_KEY_RF) {
            /* RF holds off breakpoints for this one instruction: cleared before it runs,
             * which is also right when it faults (fault frames push RF set, excp.c) */
            TCGv f = tcg_temp_new(TCG_I64);
            tcg_gen_ld_env(f, offsetof(CPUState, eflags), MO_32);
            tcg_gen_andi(f, f, ~(int64_t)RF_MASK);
            tcg_gen_st_env(f, offsetof(CPUState, eflags), MO_32);
        }
        unsigned len = rc > 0 ? (unsigned)rc : insn.len ? insn.len : 1;
        s.insn = &insn;
        s.next_pc = (pc + len) & ip_mask(s.code_bits);
        translate_insn(&s, &insn, rc);
        size += len;
        count++;
        pc = s.next_pc;

        if (s.end == DISAS_JUMPED) {
            break;
        }
        bool page_end = (code_linear(s.cs_base, pc, s.code_bits) & PAGE_MASK) != first_page;
        if (s.end == DISAS_STOP || one_insn) {
            gen_update_rip(&s, pc);
            tcg_gen_exit_tb();
            break;
        }
        if (page_end || count >= MAX_BLOCK_INSNS || tcg_op_count() >= MAX_BLOCK_OPS) {
            gen_jmp_direct(&s, pc, 0);
            break;
        }
    }
    tb->size = size;
    tb->icount = count;
    if (icount) {
        icount_info->count = count;
        for (int i = 0; i < 2; i++) tcg_current_block()->ops[icount_patch_ops[i]].args[1] = count;
    }
    if (cpu_log_mask & CPU_LOG_IN_ASM) cpu_log_in_asm(env, tb->key.pc, s.cs_base, hflags, size);
}

/* Debugger and -d hooks at block lookup (only when some are on): stop at a breakpoint,
 * compile single instructions for steps and breakpoints, log block entries unchained. */
static void debug_adjust_key(CPUState *env, TBKey *key, int bits)
{
    uint64_t la = code_linear(key->cs_base, key->pc, bits);
    if ((env->debug_flags & CPU_DEBUG_BREAKPOINTS) && cpu_debug_breakpoint_at(la)) {
        if (cpu_debug_breakpoint_hit(env, la)) {
            env->exception_index = EXCP_DEBUG;
            cpu_loop_exit(env);
        }
        key->cflags |= TB_CF_SINGLE_INSN;
    }
    if (env->debug_flags & CPU_DEBUG_STEP) key->cflags |= TB_CF_SINGLE_INSN;
    if (env->debug_flags & CPU_DEBUG_LOG_BLOCKS) {
        key->cflags |= TB_CF_NO_CHAIN;
        cpu_log_block_entry(env);
    }
}

/* Debug registers at block lookup: an enabled instruction breakpoint here raises its #DB
 * (a fault: rip stays) unless EFLAGS.RF suppresses it; RF and a data breakpoint's re-run
 * make a one-instruction block (RF is cleared by that instruction's code). */
static void dr_adjust_key(CPUState *env, TBKey *key, int bits)
{
    bool rf = (env->eflags & RF_MASK) != 0;
    if (!rf && (env->dr[7] & 0xff)) {
        uint32_t hits = cpu_dr_exec_match(env, code_linear(key->cs_base, key->pc, bits));
        if (hits) {
            env->dr[6] = (env->dr[6] & ~0xfull) | hits;
            cpu_raise_exception(env, EXCP_DB, 0);
        }
    }
    if (rf) key->flags |= HF_KEY_RF;
    if (rf || env->dbg_insn_alone) key->cflags |= TB_CF_SINGLE_INSN;
}

/* -icount at block lookup: at the limit the CPU leaves for the timers; close to it, blocks
 * of one instruction reach it exactly. */
static void icount_adjust_key(CPUState *env, TBKey *key)
{
    if (env->icount >= env->icount_limit) {
        env->exception_index = EXCP_EXIT;
        cpu_loop_exit(env);
    }
    if (env->icount_limit - env->icount < MAX_BLOCK_INSNS) key->cflags |= TB_CF_SINGLE_INSN;
}

static void x86_get_virt_key(void *env_, TBKey *key)
{
    CPUState *env = env_;
    int bits = code_bits_of(env->hflags);
    key->pc = env->rip;
    key->cs_base = env->seg[R_CS].base;
    key->flags = env->hflags;
    /* One instruction per block where the loop must regain control after it: single-step
     * traps (TF), and the interrupt shadow of STI / MOV SS with an IRQ waiting behind it. */
    bool shadow_irq = env->inhibit_irq && env->rip == env->inhibit_irq_rip &&
                      (env->interrupt_request & CPU_INT_HARD);
    key->cflags = (env->hflags & HF_TF) || shadow_irq ? TB_CF_SINGLE_INSN : 0;
    if (env->debug_flags) debug_adjust_key(env, key, bits);
    if ((env->dr[7] & 0xff) || (env->eflags & RF_MASK) || env->dbg_insn_alone) {
        dr_adjust_key(env, key, bits);
    }
    if ((env->hflags & HF_CPL_MASK) != 3 && cpu_mmu_index(env) == MMU_KERNEL_AC_IDX) {
        key->flags |= HF_KEY_SMAP_AC;
    }
    if (clock_icount_enabled()) icount_adjust_key(env, key);
}

static uint64_t x86_get_phys_pc(void *env_, const TBKey *key)
{
    CPUState *env = env_;
    return mmu_translate_code(env, code_linear(key->cs_base, key->pc, code_bits_of(env->hflags)),
                              cpu_mmu_index(env));
}

static void x86_get_key(void *env_, TBKey *key)
{
    x86_get_virt_key(env_, key);
    key->phys_pc = x86_get_phys_pc(env_, key);
}

static void x86_set_pc(void *env_, uint64_t pc)
{
    ((CPUState *)env_)->rip = pc;
    cpu_icount_sync(env_, pc);   /* the block stops before the instruction at pc */
}

static const TCGFrontend x86_frontend = {
    .translate = x86_translate,
    .get_key = x86_get_key,
    .get_virt_key = x86_get_virt_key,
    .get_phys_pc = x86_get_phys_pc,
    .set_pc = x86_set_pc,
    .exit_req_offset = offsetof(CPUState, exit_req),
};

/* The native backend where one exists for this host, the interpreter elsewhere. */
#if defined(__x86_64__)
#define HOST_JIT_BACKEND TCG_BACKEND_X86_64
#endif
#if defined(__aarch64__)
#define HOST_JIT_BACKEND TCG_BACKEND_AARCH64
#endif

bool cpu_tcg_init(const char *accel)
{
    TCGBackendKind backend;
    if (accel && strcmp(accel, "interp") == 0) {
        backend = TCG_BACKEND_INTERP;
    } else if (!accel || strcmp(accel, "jit") == 0) {
#ifdef HOST_JIT_BACKEND
        backend = HOST_JIT_BACKEND;
#else
        if (accel) {
            fprintf(stderr, "ferry: -accel jit: no JIT backend for this host yet (use -accel interp)\n");
            return false;
        }
        backend = TCG_BACKEND_INTERP;
#endif
    } else {
        fprintf(stderr, "ferry: -accel %s: unknown accelerator (interp, jit)\n", accel);
        return false;
    }
    mmu_tlb_offset = offsetof(CPUState, tlb);
    register_generators();
    return tcg_init(&x86_frontend, backend, 0);
}
