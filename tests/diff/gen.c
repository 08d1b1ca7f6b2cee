/*
 * tests/diff/gen.c — random cases: the initial state, the data region's bytes, the
 * encoder, operand choice (registers, memory operands aimed into the data region), and
 * the sequence driver with its forward branches and taint tracking.
 *
 * Taint: a flag an instruction leaves undefined, or a register whose value is undefined,
 * is "tainted" until something defines it again. Templates refuse to run while a flag or
 * register they read is tainted, so a tainted value never flows into compared state; the
 * taint in force before each instruction is recorded so that a fault anywhere is compared
 * with exactly the right mask. At a branch target, the taint of both paths is merged.
 */
#include <string.h>

#include "gen_internal.h"

/* ---------------------------------------------------------------- randomness */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t gen_rand(Gen *g) { return splitmix64(&g->rng); }
unsigned gen_below(Gen *g, unsigned n) { return (unsigned)(gen_rand(g) % n); }
bool gen_chance(Gen *g, unsigned percent) { return gen_below(g, 100) < percent; }

uint64_t gen_value(Gen *g)
{
    static const uint64_t edges[] = {
        0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
        0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
    };
    switch (gen_below(g, 8)) {
    case 0: return 0;
    case 1: return gen_below(g, 17);
    case 2: return -(uint64_t)gen_below(g, 17);
    case 3: return 1ull << gen_below(g, 64);
    case 4: return edges[gen_below(g, sizeof edges / sizeof edges[0])] + gen_below(g, 3) - 1;
    case 5: return gen_rand(g) & 0xffffffffu;
    default: return gen_rand(g);
    }
}

uint64_t diff_case_seed(uint64_t run_seed, int mode, uint64_t index)
{
    uint64_t s = run_seed ^ ((uint64_t)mode << 56) ^ (index * 0xd1b54a32d192ed03ull);
    return splitmix64(&s);
}

void diff_fill_data(uint64_t data_seed, uint8_t *buf)
{
    uint64_t s = data_seed;
    for (unsigned off = 0; off < DIFF_DATA_SIZE; off += 8) {
        uint64_t r = splitmix64(&s), v;
        switch (r & 7) {             /* mostly random, with zeros and small numbers */
        case 0: v = 0; break;
        case 1: v = (r >> 8) & 0xff; break;
        default: v = splitmix64(&s); break;
        }
        memcpy(buf + off, &v, 8);
    }
}

/* ---------------------------------------------------------------- registers */

bool gen_regs_clean(const Gen *g, uint16_t mask) { return (g->rtaint & mask) == 0; }

int gen_pick_reg(Gen *g, bool dest, bool low8, unsigned size, bool legacy8, uint16_t avoid)
{
    int cand[16], n = 0;
    int limit = low8 ? 8 : g->nregs;
    for (int r = 0; r < limit; r++) {
        if ((g->rtaint | avoid) & RM_(r))
            continue;
        /* rSP is never a destination (it must keep pointing at the stack area), but the
         * byte register 4 without REX is AH */
        if (dest && r == RSP && !(size == 1 && legacy8))
            continue;
        cand[n++] = r;
    }
    return n ? cand[gen_below(g, (unsigned)n)] : RAX;
}

void gen_insn_init(Insn *in)
{
    memset(in, 0, sizeof *in);
    in->opreg = -1;
    in->rm.base = in->rm.index = -1;
}

void gen_set_reg(Gen *g, int reg, uint64_t value)
{
    if (reg == RSP) {                /* would lose the stack: a generator defect, drop the item */
        g->overflow = true;
        return;
    }
    Insn in;
    gen_insn_init(&in);
    in.nopc = 1;
    in.opreg = reg;
    if (g->mode == 32 || value <= 0xffffffffu) {
        in.opc[0] = 0xb8;            /* mov r32, imm32 (zero-extends) */
        in.imm = (uint32_t)value;
        in.immsize = 4;
    } else if ((uint64_t)(int64_t)(int32_t)value == value && gen_chance(g, 50)) {
        in.opc[0] = 0xc7;            /* mov r/m64, imm32 sign-extended */
        in.opreg = -1;
        in.modrm = true;
        in.rm.reg = reg;
        in.rexw = true;
        in.imm = (uint32_t)value;
        in.immsize = 4;
    } else {
        in.opc[0] = 0xb8;            /* mov r64, imm64 */
        in.rexw = true;
        in.imm = value;
        in.immsize = 8;
    }
    gen_emit(g, &in);
    g->rtaint &= (uint16_t)~RM_(reg);
}

/* ---------------------------------------------------------------- memory operands */

uint32_t gen_window_addr(Gen *g, unsigned room)
{
    uint32_t a = DIFF_WIN_LO + gen_below(g, DIFF_WIN_HI - DIFF_WIN_LO - room);
    return gen_chance(g, 50) ? a & ~7u : a;
}

uint32_t gen_stack_addr(Gen *g)
{
    return (DIFF_STACK_LO + gen_below(g, DIFF_STACK_HI - DIFF_STACK_LO)) & ~7u;
}

static void mem_at(Gen *g, RM *rm, uint32_t target, bool allow_rsp, bool low8, uint16_t avoid)
{
    memset(rm, 0, sizeof *rm);
    rm->mem = true;
    rm->base = rm->index = -1;
    rm->target = target;
    unsigned form = gen_below(g, 100);
    if (g->mode == 64 && form < 12) {
        rm->riprel = true;
        return;
    }
    if (form < 20) {
        rm->absolute = true;
        rm->disp = target;
        return;
    }
    /* [rsp + small]: rSP is always inside the stack area, well inside the data region.
     * Not inside a call block: the return address is there. */
    if (allow_rsp && !g->in_body && form < 26 && !(avoid & RM_(RSP))) {
        rm->base = RSP;
        rm->dispsize = gen_chance(g, 50) ? 1 : 0;
        rm->disp = rm->dispsize ? gen_below(g, 0x80) : 0;
        return;
    }
    rm->addr32 = g->mode == 64 && gen_chance(g, 15);
    uint64_t addr_mask = (g->mode == 32 || rm->addr32) ? 0xffffffffull : ~0ull;
    avoid |= RM_(RSP);
    bool no_base = form < 34;
    uint64_t index_value = 0;
    if (no_base || gen_chance(g, 50)) {
        rm->index = gen_pick_reg(g, false, low8, 8, false, avoid);
        rm->scale = (int)gen_below(g, 4);
        index_value = gen_below(g, 64);
        avoid |= RM_(rm->index);
    }
    if (no_base) {
        rm->dispsize = 4;
        rm->disp = (int64_t)(int32_t)(target - (uint32_t)(index_value << rm->scale));
    } else {
        rm->base = gen_pick_reg(g, false, low8, 8, false, avoid);
        static const int sizes[] = { 0, 1, 4 };
        rm->dispsize = sizes[gen_below(g, 3)];
        if ((rm->base & 7) == RBP && rm->dispsize == 0)
            rm->dispsize = 1;        /* mod=00 with rBP/r13 means something else */
        if (rm->dispsize == 1)
            rm->disp = (int8_t)gen_rand(g);
        else if (rm->dispsize == 4)
            rm->disp = gen_chance(g, 80) ? (int64_t)gen_below(g, 0x2000) - 0x1000
                                         : (int64_t)(int32_t)gen_rand(g);
        uint64_t base_value = ((uint64_t)target - (uint64_t)rm->disp - (index_value << rm->scale)) & addr_mask;
        if (rm->addr32)              /* the upper half must not matter */
            base_value |= gen_rand(g) << 32;
        gen_set_reg(g, rm->base, base_value);
    }
    if (rm->index >= 0)
        gen_set_reg(g, rm->index, rm->addr32 ? index_value | (gen_rand(g) << 32) : index_value);
}

void gen_mem(Gen *g, RM *rm, unsigned access_size, bool low8, uint16_t avoid)
{
    uint32_t target = gen_window_addr(g, access_size + 16);
    if (gen_chance(g, 40))
        target &= ~(access_size - 1);
    mem_at(g, rm, target, true, low8, avoid);
}

void gen_mem_aligned(Gen *g, RM *rm, unsigned align, bool low8, uint16_t avoid)
{
    mem_at(g, rm, gen_window_addr(g, 32) & ~(align - 1), false, low8, avoid);
}

/* ---------------------------------------------------------------- encoding */

void gen_set_size(const Gen *g, Insn *in, unsigned size, bool default64)
{
    in->opsize16 = size == 2;
    in->rexw = size == 8 && !default64;
}

void gen_apply_flags(Gen *g, uint32_t fdef, uint32_t fundef)
{
    g->ftaint = (g->ftaint & ~(fdef | fundef)) | fundef;
}

static unsigned put(uint8_t *p, uint64_t v, int size)
{
    memcpy(p, &v, (size_t)size);     /* little-endian host */
    return (unsigned)size;
}

void gen_emit(Gen *g, const Insn *in)
{
    DiffCase *c = g->c;
    if (g->overflow || c->code_len + 40 > DIFF_CODE_MAX || c->ntaint >= DIFF_MAX_INSNS) {
        g->overflow = true;
        return;
    }
    c->taint[c->ntaint++] = (DiffTaint){ .offset = c->code_len, .regs = g->rtaint, .flags = g->ftaint };
    uint8_t *start = c->code + c->code_len, *p = start;
    const RM *rm = &in->rm;
    for (int i = 0; i < in->nlegacy; i++)
        *p++ = in->legacy[i];
    if (in->opsize16)
        *p++ = 0x66;
    if (in->addr32 || (in->modrm && rm->mem && rm->addr32))
        *p++ = 0x67;
    if (g->mode == 64 && !in->no_rex) {
        unsigned rex = 0x40 | (in->rexw ? 8 : 0);
        if (in->modrm) {
            rex |= (in->regf & 8) ? 4 : 0;
            if (rm->mem) {
                rex |= (rm->index >= 0 && (rm->index & 8)) ? 2 : 0;
                rex |= (rm->base >= 0 && (rm->base & 8)) ? 1 : 0;
            } else {
                rex |= (rm->reg & 8) ? 1 : 0;
            }
        }
        if (in->opreg >= 0 && (in->opreg & 8))
            rex |= 1;
        if (rex != 0x40 || in->rex_force)
            *p++ = (uint8_t)rex;
    }
    for (int i = 0; i < in->nopc; i++)
        *p++ = in->opc[i];
    if (in->opreg >= 0)
        p[-1] = (uint8_t)(p[-1] + (in->opreg & 7));
    uint8_t *disp_at = NULL;
    if (in->modrm) {
        unsigned reg = (unsigned)(in->regf & 7) << 3;
        if (!rm->mem) {
            *p++ = (uint8_t)(0xc0 | reg | (rm->reg & 7));
        } else if (rm->riprel) {
            *p++ = (uint8_t)(reg | 5);
            disp_at = p;
            p += 4;
        } else if (rm->absolute) {
            if (g->mode == 64) {
                *p++ = (uint8_t)(reg | 4);
                *p++ = 0x25;
            } else {
                *p++ = (uint8_t)(reg | 5);
            }
            p += put(p, (uint64_t)rm->disp, 4);
        } else if (rm->base < 0) {
            *p++ = (uint8_t)(reg | 4);
            *p++ = (uint8_t)((rm->scale << 6) | ((rm->index & 7) << 3) | 5);
            p += put(p, (uint64_t)rm->disp, 4);
        } else {
            unsigned mod = rm->dispsize == 0 ? 0 : rm->dispsize == 1 ? 0x40 : 0x80;
            bool sib = rm->index >= 0 || (rm->base & 7) == RSP;
            *p++ = (uint8_t)(mod | reg | (sib ? 4 : (rm->base & 7)));
            if (sib) {
                unsigned idx = rm->index >= 0 ? (unsigned)(rm->index & 7) : 4;
                *p++ = (uint8_t)((rm->scale << 6) | (idx << 3) | (rm->base & 7));
            }
            if (rm->dispsize)
                p += put(p, (uint64_t)rm->disp, rm->dispsize);
        }
    }
    if (in->immsize)
        p += put(p, in->imm, in->immsize);
    if (in->imm2size)
        p += put(p, in->imm2, in->imm2size);
    c->code_len = (uint16_t)(c->code_len + (p - start));
    if (disp_at) {                   /* rip-relative: from the end of this instruction */
        uint32_t next = DIFF_CODE_BASE + c->code_len;
        put(disp_at, (uint64_t)(rm->target - next), 4);
    }
}

/* ---------------------------------------------------------------- branches and items */

void gen_branch_pending(Gen *g, unsigned disp_pos, unsigned disp_size, unsigned skip_items)
{
    if (g->npending >= MAX_PENDING) {
        g->overflow = true;
        return;
    }
    g->pending[g->npending++] = (PendingJump){
        .disp_pos = (uint16_t)disp_pos, .disp_size = (uint8_t)disp_size,
        .next_off = g->c->code_len, .target_item = (uint8_t)(g->item + 1 + skip_items),
        .rtaint = g->rtaint, .ftaint = g->ftaint,
    };
}

/* Land pending branches selected by `pred` at the current offset. */
static void resolve_pending(Gen *g, bool (*pred)(const Gen *, const PendingJump *))
{
    int kept = 0;
    for (int i = 0; i < g->npending; i++) {
        PendingJump *pj = &g->pending[i];
        if (!pred(g, pj)) {
            g->pending[kept++] = *pj;
            continue;
        }
        int64_t disp = (int64_t)g->c->code_len - pj->next_off;
        put(g->c->code + pj->disp_pos, (uint64_t)disp, pj->disp_size);
        g->ftaint |= pj->ftaint;
        g->rtaint |= pj->rtaint;
    }
    g->npending = kept;
}

static bool pending_due(const Gen *g, const PendingJump *pj) { return pj->target_item <= g->item; }
static bool pending_short(const Gen *g, const PendingJump *pj) { return pj->disp_size == 1; }
static bool pending_any(const Gen *g, const PendingJump *pj) { return true; }

static bool short_branch_out_of_reach(const Gen *g)
{
    for (int i = 0; i < g->npending; i++)
        if (g->pending[i].disp_size == 1 && g->c->code_len - g->pending[i].next_off > 127)
            return true;
    return false;
}

void gen_item(Gen *g)
{
    for (int tries = 0; tries < 64; tries++) {
        Gen saved = *g;
        uint16_t code_len = g->c->code_len, ntaint = g->c->ntaint;
        if (gen_template_item(g) && !g->overflow)
            return;
        uint64_t rng = g->rng;       /* keep the stream moving so a retry differs */
        *g = saved;
        g->rng = rng;
        g->c->code_len = code_len;
        g->c->ntaint = ntaint;
    }
}

static void random_initial_state(Gen *g)
{
    DiffState *st = &g->c->init;
    memset(st, 0, sizeof *st);
    for (int r = 0; r < g->nregs; r++) {
        uint64_t v = gen_value(g);
        st->regs[r] = g->mode == 32 ? (uint32_t)v : v;
    }
    st->regs[RSP] = gen_stack_addr(g) - (g->mode == 32 && gen_chance(g, 50) ? 4 : 0);
    st->rip = DIFF_CODE_BASE;
    st->flags = 0x202u | ((uint32_t)gen_rand(g) & F_ALL) | (gen_chance(g, 25) ? 0x400u : 0);
    st->vector = DIFF_NO_FAULT;
}

void diff_generate(DiffCase *c, uint64_t case_seed, int mode)
{
    memset(c, 0, sizeof *c);
    c->seed = case_seed;
    c->mode = mode;
    Gen g = { .c = c, .rng = case_seed, .mode = mode, .nregs = mode == 64 ? 16 : 8 };
    random_initial_state(&g);
    c->data_seed = gen_rand(&g);

    int nitems = 1 + (int)gen_below(&g, 8);
    for (g.item = 0; g.item < nitems && !g.overflow; g.item++) {
        resolve_pending(&g, pending_due);
        Gen saved = g;
        uint16_t code_len = c->code_len, ntaint = c->ntaint;
        gen_item(&g);
        if (!g.overflow && !short_branch_out_of_reach(&g))
            continue;
        /* undo the item; land the short branches here, where they still reach; retry once */
        uint64_t rng = g.rng;
        bool overflowed = g.overflow;
        g = saved;
        g.rng = rng;
        c->code_len = code_len;
        c->ntaint = ntaint;
        if (overflowed)
            break;
        resolve_pending(&g, pending_short);
        gen_item(&g);
        if (g.overflow || short_branch_out_of_reach(&g)) {
            g = saved;
            c->code_len = code_len;
            c->ntaint = ntaint;
            resolve_pending(&g, pending_short);
            break;
        }
    }
    g.overflow = false;
    resolve_pending(&g, pending_any);
    c->taint[c->ntaint++] = (DiffTaint){ .offset = c->code_len, .regs = g.rtaint, .flags = g.ftaint };
}

DiffTaint diff_taint_at(const DiffCase *c, uint64_t rip)
{
    uint64_t off = rip - DIFF_CODE_BASE;
    DiffTaint all = { .offset = 0xffff };
    for (unsigned i = 0; i < c->ntaint; i++) {
        if (c->taint[i].offset == off)
            return c->taint[i];
        all.regs |= c->taint[i].regs;
        all.flags |= c->taint[i].flags;
    }
    return all;
}
