/*
 * tests/diff/gen_internal.h — the generator's private pieces shared by gen.c (state,
 * encoder, operands, sequence driver) and gen_templates.c (the instruction templates).
 */
#ifndef FERRY_DIFF_GEN_INTERNAL_H
#define FERRY_DIFF_GEN_INTERNAL_H

#include "diff.h"

/* flags (same bits as EFLAGS) */
#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ALL (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)
#define F_SZP (F_SF | F_ZF | F_PF)

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };
#define RM_(r) (1u << (r))

/* A ModRM r/m operand: a register or a memory reference. */
typedef struct RM {
    bool mem;
    int reg;             /* register operand */
    int base, index;     /* -1: none */
    int scale;           /* log2 */
    int64_t disp;
    int dispsize;        /* 0, 1 or 4 */
    bool riprel;         /* [rip + disp32]: disp is computed from target at emit time */
    bool absolute;       /* [disp32] with neither base nor index */
    bool addr32;         /* 67 prefix in 64-bit mode */
    uint32_t target;     /* the linear address the generator aimed at */
} RM;

/* One instruction to encode. */
typedef struct Insn {
    uint8_t legacy[4];   /* F0 / F2 / F3 / segment prefixes, in this order */
    int nlegacy;
    bool opsize16;       /* 66 */
    bool addr32;         /* 67 (also set from rm.addr32) */
    bool rexw, rex_force;/* REX.W; an (empty) REX even if no bit is set */
    bool no_rex;         /* AH..BH named: REX forbidden (generator guarantees regs < 8) */
    uint8_t opc[3];
    int nopc;
    int opreg;           /* -1, or a register added to the last opcode byte (+r forms) */
    bool modrm;
    int regf;            /* ModRM.reg: register or /digit */
    RM rm;
    uint64_t imm;
    int immsize;         /* 0 1 2 4 8 */
    uint64_t imm2;       /* ENTER's second immediate (1 byte) */
    int imm2size;
} Insn;

#define MAX_PENDING 16

typedef struct PendingJump {
    uint16_t disp_pos;   /* where the displacement goes */
    uint8_t disp_size;   /* 1 or 4 */
    uint16_t next_off;   /* offset after the branch */
    uint8_t target_item; /* the item it lands before (or the end) */
    uint16_t rtaint;     /* taint on the taken path */
    uint32_t ftaint;
} PendingJump;

typedef struct Gen {
    DiffCase *c;
    uint64_t rng;
    int mode;
    int nregs;           /* 8 or 16 */
    uint32_t ftaint;     /* flags undefined right now */
    uint16_t rtaint;     /* registers undefined right now */
    bool in_body;        /* inside a call block: no stack or control-flow items */
    bool overflow;       /* the code buffer or taint table would overflow */
    int item;            /* index of the item being generated */
    int npending;
    PendingJump pending[MAX_PENDING];
} Gen;

/* randomness */
uint64_t gen_rand(Gen *g);
unsigned gen_below(Gen *g, unsigned n);          /* 0 .. n-1 */
bool gen_chance(Gen *g, unsigned percent);
uint64_t gen_value(Gen *g);                      /* interesting operand values */

/* registers */
int gen_pick_reg(Gen *g, bool dest, bool low8, unsigned size, bool legacy8, uint16_t avoid);
bool gen_regs_clean(const Gen *g, uint16_t mask);
void gen_set_reg(Gen *g, int reg, uint64_t value);   /* emits a setup mov */

/* memory operands: emits the setup moves for base/index (never using `avoid`) */
void gen_mem(Gen *g, RM *rm, unsigned access_size, bool low8, uint16_t avoid);
void gen_mem_aligned(Gen *g, RM *rm, unsigned align, bool low8, uint16_t avoid);
uint32_t gen_window_addr(Gen *g, unsigned room);
uint32_t gen_stack_addr(Gen *g);

/* encoding */
void gen_emit(Gen *g, const Insn *in);
void gen_insn_init(Insn *in);
void gen_set_size(const Gen *g, Insn *in, unsigned size, bool default64);
void gen_apply_flags(Gen *g, uint32_t fdef, uint32_t fundef);

/* control flow */
void gen_branch_pending(Gen *g, unsigned disp_pos, unsigned disp_size, unsigned skip_items);
void gen_item(Gen *g);

/* templates (gen_templates.c) */
typedef struct Template Template;
bool gen_template_item(Gen *g);
/* one MMX/SSE..SSE4.2 or CRC32 item with its setup and result stores (gen_simd.c) */
bool gen_simd_template(Gen *g, const Template *t);

#endif
