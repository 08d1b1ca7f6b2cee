/*
 * cpu/xlat_string.c — MOVS CMPS STOS LODS SCAS INS OUTS, with and without REP.
 *
 * Every form calls helper_string (helpers_misc.c), which does the element work with the
 * address size, DF and the source segment override, keeps env exact after each iteration,
 * and copies page-sized runs through host pointers for forward REP MOVS/STOS over RAM.
 *
 * A REP instruction ends its block with two exits: to the next instruction when the helper
 * reports it complete, and back to itself when the helper stopped after a bounded chunk of
 * iterations (or because exit_req was set). The jump to itself passes a block entry, where
 * exit_req is tested, so a pending interrupt is taken between iterations with rip at the
 * REP instruction and rCX/rSI/rDI holding the remaining work, as on hardware.
 */
#include "cpu/xlat.h"

#include "cpu/helpers.h"

/* REP iterations per helper call: bounds the time between two exit_req tests (timers,
 * -icount) without making the 16 MiB memset/memcpy pay for many block re-entries. */
#define REP_CHUNK 65536

static unsigned log2_size(int size)
{
    return size >= 8 ? 3 : size >= 4 ? 2 : size >= 2 ? 1 : 0;
}

static unsigned rep_kind(const X86Insn *insn, bool compares)
{
    if (!(insn->prefixes & (PFX_REP | PFX_REPNE))) {
        return STR_REP_NONE;
    }
    /* F2 is REPNE only for CMPS/SCAS; on the other string instructions it repeats as F3 */
    if (compares && (insn->prefixes & PFX_REPNE) && !(insn->prefixes & PFX_REP)) {
        return STR_REP_NE;
    }
    return STR_REP_E;
}

static void gen_string(DisasContext *s, const X86Insn *insn, unsigned kind)
{
    bool compares = kind == STR_CMPS || kind == STR_SCAS;
    bool port_io = kind == STR_INS || kind == STR_OUTS;
    unsigned rep = rep_kind(insn, compares);
    int src_seg = (insn->seg_override && insn->seg >= 0) ? insn->seg : R_DS;
    uint64_t desc = STR_DESC(kind, log2_size(insn->opsize), log2_size(insn->addrsize),
                             src_seg, rep);
    /* with TF set, a single-step trap follows every iteration */
    uint64_t budget = (s->flags & HF_TF) ? 1 : REP_CHUNK;

    TCGv done = tcg_temp_new(TCG_I64);
    tcg_gen_call(&helper_info_string, done, tcg_const(TCG_I64, desc),
                 tcg_const(TCG_I64, budget), TCG_NOTEMP, TCG_NOTEMP);
    if (compares) {
        /* one comparison always ran without REP; with REP, a zero count runs none and leaves
         * the flags as they were */
        s->cc_op = rep == STR_REP_NONE ? cc_op_sized(CC_OP_SUBB, insn->opsize) : CC_OP_DYNAMIC;
    }
    if (rep == STR_REP_NONE) {
        if (port_io) {
            s->end = DISAS_STOP;    /* a device may have raised an interrupt or asked to exit */
        }
        return;
    }
    TCGLabel complete = tcg_label_new();
    tcg_gen_brcondi(TCG_COND_NE, done, 0, complete);
    gen_jmp_direct(s, s->pc, 1);
    tcg_gen_set_label(complete);
    gen_jmp_direct(s, s->next_pc, 0);
}

static void gen_movs(DisasContext *s, const X86Insn *insn) { gen_string(s, insn, STR_MOVS); }
static void gen_cmps(DisasContext *s, const X86Insn *insn) { gen_string(s, insn, STR_CMPS); }
static void gen_stos(DisasContext *s, const X86Insn *insn) { gen_string(s, insn, STR_STOS); }
static void gen_lods(DisasContext *s, const X86Insn *insn) { gen_string(s, insn, STR_LODS); }
static void gen_scas(DisasContext *s, const X86Insn *insn) { gen_string(s, insn, STR_SCAS); }
static void gen_ins(DisasContext *s, const X86Insn *insn) { gen_string(s, insn, STR_INS); }
static void gen_outs(DisasContext *s, const X86Insn *insn) { gen_string(s, insn, STR_OUTS); }

const XlatEntry xlat_string_entries[] = {
    { MN_movs, gen_movs }, { MN_cmps, gen_cmps }, { MN_stos, gen_stos },
    { MN_lods, gen_lods }, { MN_scas, gen_scas }, { MN_ins, gen_ins }, { MN_outs, gen_outs },
    XLAT_END
};
