/*
 * tests/diff/gen_simd.c — MMX and SSE through SSE4.2 (and CRC32) in the differential
 * harness. The harness compares general registers, flags and the data region, not vector
 * registers, so one SIMD item is a small self-contained sequence whose results land where
 * they are compared:
 *
 *   mov dword [m], mxcsr ; ldmxcsr [m]         random rounding, DAZ, FTZ (exceptions masked)
 *   movdqu/movq dst, [m] ; movdqu/movq src, [m] operands from the random data region
 *   mov r32, special ; pinsrd xmm, r32, lane   some lanes replaced by NaN, infinity,
 *                                              denormal, zero and boundary patterns
 *   THE INSTRUCTION (register or memory source, random imm8)
 *   movdqu/movq [m], dst                       the vector result into the data region
 *   stmxcsr [m]                                the exception flags it raised
 *   emms                                       after MMX: the x87 stack empty again
 *
 * General-register results (PEXTR*, MOVMSK, CVT*2SI, PCMPxSTRI, CRC32) and EFLAGS (PTEST,
 * PCMPxSTR*, COMIS) are compared as the harness compares any other instruction's.
 */
#include "gen_internal.h"

/* operand shapes: reg operand first, then r/m (X xmm, M mm, G general register, E r/m
 * general register or memory) */
enum {
    K_XX,       /* xmm, xmm/m128 */
    K_MM,       /* mm, mm/m64 */
    K_XE,       /* xmm, r/m32/64 (PINSR*, MOVD, CVTSI2SS) */
    K_ME,       /* mm, r/m32 (MOVD, PINSRW) */
    K_GX,       /* r32/64, xmm/mem (CVT*2SI, MOVMSK, PEXTRW C5) */
    K_GM,       /* r32, mm (PEXTRW, PMOVMSKB) */
    K_EX,       /* r/m, xmm: the r/m operand written (PEXTR*, EXTRACTPS, MOVD) */
    K_EM,       /* r/m32, mm (MOVD) */
    K_XM,       /* xmm, mm/m64 (CVTPI2PS, CVTPI2PD, MOVQ2DQ) */
    K_MX,       /* mm, xmm/mem (CVT(T)PS2PI, CVT(T)PD2PI, MOVDQ2Q) */
    K_GRPX,     /* 66 0F 71-73 /n xmm, imm8 */
    K_GRPM,     /* 0F 71-73 /n mm, imm8 */
    K_CRC,      /* crc32 r32/64, r/m8/16/32/64 */
};
/* flags */
#define SO_IMM     0x01     /* an imm8 follows */
#define SO_W       0x02     /* REX.W (64-bit mode only) */
#define SO_FLAGS   0x04     /* defines all six arithmetic flags */
#define SO_LEN     0x08     /* reads EAX and EDX (explicit string lengths) */
#define SO_REGONLY 0x10
#define SO_MEMONLY 0x20
#define SO_XMM0    0x40     /* writes xmm0 (PCMPxSTRM) */
#define SO_ECX     0x80     /* writes ECX (PCMPxSTRI) */

typedef struct SimdOp {
    uint16_t pfx;           /* 0, 0x66, 0xF2, 0xF3, or 0x66F2 (66 and F2) */
    uint8_t map, opcode;    /* map 1 0F, 2 0F 38, 3 0F 3A */
    uint8_t kind, ext;      /* ext: the group's /digit, or K_CRC's source size */
    uint8_t flags;
} SimdOp;

#define X(p, m, op, fl) { p, m, op, K_XX, 0, fl }
#define MX2(op) { 0, 1, op, K_MM, 0, 0 }, { 0x66, 1, op, K_XX, 0, 0 }
#define S3(op) { 0, 2, op, K_MM, 0, 0 }, { 0x66, 2, op, K_XX, 0, 0 }
static const SimdOp simd_ops[] = {
    /* MMX and its SSE2 twins (the SSE2 forms also covered by tests/fp) */
    MX2(0x60), MX2(0x61), MX2(0x62), MX2(0x63), MX2(0x64), MX2(0x65), MX2(0x66), MX2(0x67),
    MX2(0x68), MX2(0x69), MX2(0x6A), MX2(0x6B), MX2(0x74), MX2(0x75), MX2(0x76),
    MX2(0xD1), MX2(0xD2), MX2(0xD3), MX2(0xD4), MX2(0xD5), MX2(0xD8), MX2(0xD9), MX2(0xDA),
    MX2(0xDB), MX2(0xDC), MX2(0xDD), MX2(0xDE), MX2(0xDF), MX2(0xE0), MX2(0xE1), MX2(0xE2),
    MX2(0xE3), MX2(0xE4), MX2(0xE5), MX2(0xE8), MX2(0xE9), MX2(0xEA), MX2(0xEB), MX2(0xEC),
    MX2(0xED), MX2(0xEE), MX2(0xEF), MX2(0xF1), MX2(0xF2), MX2(0xF3), MX2(0xF4), MX2(0xF5),
    MX2(0xF6), MX2(0xF8), MX2(0xF9), MX2(0xFA), MX2(0xFB), MX2(0xFC), MX2(0xFD), MX2(0xFE),
    { 0, 1, 0x6F, K_MM, 0, 0 }, { 0, 1, 0x70, K_MM, 0, SO_IMM },
    { 0, 1, 0x6E, K_ME, 0, 0 }, { 0, 1, 0x7E, K_EM, 0, 0 }, { 0, 1, 0xC4, K_ME, 0, SO_IMM },
    { 0, 1, 0xC5, K_GM, 0, SO_IMM }, { 0, 1, 0xD7, K_GM, 0, 0 },
    { 0, 1, 0x71, K_GRPM, 2, SO_IMM }, { 0, 1, 0x71, K_GRPM, 4, SO_IMM },
    { 0, 1, 0x71, K_GRPM, 6, SO_IMM }, { 0, 1, 0x72, K_GRPM, 2, SO_IMM },
    { 0, 1, 0x72, K_GRPM, 4, SO_IMM }, { 0, 1, 0x72, K_GRPM, 6, SO_IMM },
    { 0, 1, 0x73, K_GRPM, 2, SO_IMM }, { 0, 1, 0x73, K_GRPM, 6, SO_IMM },
    { 0x66, 1, 0x71, K_GRPX, 2, SO_IMM }, { 0x66, 1, 0x72, K_GRPX, 4, SO_IMM },
    { 0x66, 1, 0x73, K_GRPX, 3, SO_IMM }, { 0x66, 1, 0x73, K_GRPX, 7, SO_IMM },
    { 0, 1, 0x2A, K_XM, 0, 0 }, { 0x66, 1, 0x2A, K_XM, 0, 0 },
    { 0, 1, 0x2C, K_MX, 0, 0 }, { 0x66, 1, 0x2C, K_MX, 0, 0 },
    { 0, 1, 0x2D, K_MX, 0, 0 }, { 0x66, 1, 0x2D, K_MX, 0, 0 },
    { 0xF3, 1, 0xD6, K_XM, 0, SO_REGONLY }, { 0xF2, 1, 0xD6, K_MX, 0, SO_REGONLY },
    /* SSE and SSE2 floating point (the rest of SSE/SSE2 is in tests/fp) */
    X(0, 1, 0x58, 0), X(0x66, 1, 0x58, 0), X(0xF3, 1, 0x58, 0), X(0xF2, 1, 0x58, 0),
    X(0, 1, 0x59, 0), X(0x66, 1, 0x59, 0), X(0xF3, 1, 0x5E, 0), X(0xF2, 1, 0x5E, 0),
    X(0, 1, 0x5D, 0), X(0x66, 1, 0x5F, 0), X(0xF2, 1, 0x51, 0), X(0, 1, 0x5A, 0),
    X(0, 1, 0xC2, SO_IMM), X(0x66, 1, 0xC2, SO_IMM),
    X(0, 1, 0x2F, SO_FLAGS), X(0x66, 1, 0x2E, SO_FLAGS),
    { 0xF2, 1, 0x2D, K_GX, 0, 0 }, { 0xF3, 1, 0x2C, K_GX, 0, 0 }, { 0x66, 1, 0x50, K_GX, 0, SO_REGONLY },
    { 0xF3, 1, 0x2A, K_XE, 0, 0 },
    /* SSE3 */
    X(0xF2, 1, 0x7C, 0), X(0x66, 1, 0x7C, 0), X(0xF2, 1, 0x7D, 0), X(0x66, 1, 0x7D, 0),
    X(0x66, 1, 0xD0, 0), X(0xF2, 1, 0xD0, 0), X(0xF3, 1, 0x12, 0), X(0xF2, 1, 0x12, 0),
    X(0xF3, 1, 0x16, 0), X(0xF2, 1, 0xF0, SO_MEMONLY),
    /* SSSE3 */
    S3(0x00), S3(0x01), S3(0x02), S3(0x03), S3(0x04), S3(0x05), S3(0x06), S3(0x07), S3(0x08),
    S3(0x09), S3(0x0A), S3(0x0B), S3(0x1C), S3(0x1D), S3(0x1E),
    { 0, 3, 0x0F, K_MM, 0, SO_IMM }, X(0x66, 3, 0x0F, SO_IMM),
    /* SSE4.1 */
    X(0x66, 2, 0x10, 0), X(0x66, 2, 0x14, 0), X(0x66, 2, 0x15, 0), X(0x66, 2, 0x17, SO_FLAGS),
    X(0x66, 2, 0x20, 0), X(0x66, 2, 0x21, 0), X(0x66, 2, 0x22, 0), X(0x66, 2, 0x23, 0),
    X(0x66, 2, 0x24, 0), X(0x66, 2, 0x25, 0), X(0x66, 2, 0x28, 0), X(0x66, 2, 0x29, 0),
    X(0x66, 2, 0x2A, SO_MEMONLY), X(0x66, 2, 0x2B, 0), X(0x66, 2, 0x30, 0), X(0x66, 2, 0x31, 0),
    X(0x66, 2, 0x32, 0), X(0x66, 2, 0x33, 0), X(0x66, 2, 0x34, 0), X(0x66, 2, 0x35, 0),
    X(0x66, 2, 0x38, 0), X(0x66, 2, 0x39, 0), X(0x66, 2, 0x3A, 0), X(0x66, 2, 0x3B, 0),
    X(0x66, 2, 0x3C, 0), X(0x66, 2, 0x3D, 0), X(0x66, 2, 0x3E, 0), X(0x66, 2, 0x3F, 0),
    X(0x66, 2, 0x40, 0), X(0x66, 2, 0x41, 0),
    X(0x66, 3, 0x08, SO_IMM), X(0x66, 3, 0x09, SO_IMM), X(0x66, 3, 0x0A, SO_IMM),
    X(0x66, 3, 0x0B, SO_IMM), X(0x66, 3, 0x0C, SO_IMM), X(0x66, 3, 0x0D, SO_IMM),
    X(0x66, 3, 0x0E, SO_IMM), X(0x66, 3, 0x21, SO_IMM),
    X(0x66, 3, 0x40, SO_IMM), X(0x66, 3, 0x41, SO_IMM), X(0x66, 3, 0x42, SO_IMM),
    { 0x66, 3, 0x14, K_EX, 0, SO_IMM }, { 0x66, 3, 0x15, K_EX, 0, SO_IMM },
    { 0x66, 3, 0x16, K_EX, 0, SO_IMM }, { 0x66, 3, 0x16, K_EX, 0, SO_IMM | SO_W },
    { 0x66, 3, 0x17, K_EX, 0, SO_IMM }, { 0x66, 1, 0x7E, K_EX, 0, 0 },
    { 0x66, 3, 0x20, K_XE, 0, SO_IMM }, { 0x66, 3, 0x22, K_XE, 0, SO_IMM },
    { 0x66, 3, 0x22, K_XE, 0, SO_IMM | SO_W },
    /* SSE4.2, PCLMULQDQ, CRC32 */
    X(0x66, 2, 0x37, 0), X(0x66, 3, 0x44, SO_IMM),
    X(0x66, 3, 0x60, SO_IMM | SO_FLAGS | SO_LEN | SO_XMM0),
    X(0x66, 3, 0x61, SO_IMM | SO_FLAGS | SO_LEN | SO_ECX),
    X(0x66, 3, 0x62, SO_IMM | SO_FLAGS | SO_XMM0), X(0x66, 3, 0x63, SO_IMM | SO_FLAGS | SO_ECX),
    X(0x66, 3, 0x61, SO_IMM | SO_FLAGS | SO_LEN | SO_ECX | SO_W),
    { 0xF2, 2, 0xF0, K_CRC, 1, 0 }, { 0x66F2, 2, 0xF1, K_CRC, 2, 0 },
    { 0xF2, 2, 0xF1, K_CRC, 4, 0 }, { 0xF2, 2, 0xF1, K_CRC, 8, SO_W },
};
#define NB_SIMD_OPS (sizeof simd_ops / sizeof simd_ops[0])

/* dwords that make a float32 lane, or the high half of a float64 lane, a hard case */
static const uint32_t special_dwords[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001,
    0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0x3f800000, 0x4f000000, 0xcf000000,
    0x3f000000, 0x3fc00000, 0x7ff00000, 0xfff80000, 0x000fffff, 0x00100000, 0x7fefffff,
    0x3ff00000, 0x41e00000, 0xc1e00000, 0x43e00000,
};

static bool is_mmx(const SimdOp *op, bool reg_operand)
{
    switch (op->kind) {
    case K_MM: case K_GRPM: return true;
    case K_ME: case K_EM: case K_MX: return reg_operand;
    case K_GM: case K_XM: return !reg_operand;
    default: return false;
    }
}

static void set_map(Insn *in, unsigned map, uint8_t opcode)
{
    in->nopc = 0;
    in->opc[in->nopc++] = 0x0f;
    if (map == 2)
        in->opc[in->nopc++] = 0x38;
    else if (map == 3)
        in->opc[in->nopc++] = 0x3a;
    in->opc[in->nopc++] = opcode;
}

static void set_prefix(Insn *in, uint16_t pfx)
{
    if (pfx >> 8)
        in->opsize16 = true;            /* 66 F2 */
    uint8_t last = (uint8_t)pfx;
    if (last == 0x66)
        in->opsize16 = true;
    else if (last)
        in->legacy[in->nlegacy++] = last;
}

/* A vector load or store between register r and a fresh 16-byte aligned window address:
 * movdqu (F3 0F 6F / 7F) or, for mm, movq (0F 6F / 7F) */
static void emit_vec_move(Gen *g, int r, bool mm, bool store, uint16_t avoid)
{
    Insn in;
    gen_insn_init(&in);
    if (!mm)
        in.legacy[in.nlegacy++] = 0xf3;
    set_map(&in, 1, store ? 0x7f : 0x6f);
    in.modrm = true;
    in.regf = r;
    gen_mem_aligned(g, &in.rm, 16, g->mode == 32, avoid);
    gen_emit(g, &in);
}

/* 0F AE /2 LDMXCSR or /3 STMXCSR at a fresh window address; LDMXCSR first stores its
 * value there with mov dword [m], imm32 */
static void emit_mxcsr(Gen *g, bool load, uint16_t avoid)
{
    Insn in;
    gen_insn_init(&in);
    gen_mem_aligned(g, &in.rm, 16, g->mode == 32, avoid);
    if (load) {
        Insn mov = in;
        mov.nopc = 1;
        mov.opc[0] = 0xc7;
        mov.modrm = true;
        mov.regf = 0;
        mov.imm = 0x1f80 | (gen_rand(g) & 0x6000) | (gen_chance(g, 30) ? 0x8040 & gen_rand(g) : 0);
        mov.immsize = 4;
        gen_emit(g, &mov);
    }
    set_map(&in, 1, 0xae);
    in.modrm = true;
    in.regf = load ? 2 : 3;
    gen_emit(g, &in);
}

/* Replace a lane or two of xmm r by hard floating-point patterns: mov r32, v; pinsrd */
static void emit_specials(Gen *g, int r, uint16_t avoid)
{
    int n = (int)gen_below(g, 3);
    for (int i = 0; i < n; i++) {
        int gpr = gen_pick_reg(g, true, g->mode == 32, 4, false, avoid);
        gen_set_reg(g, gpr, special_dwords[gen_below(g, sizeof special_dwords / sizeof special_dwords[0])]);
        Insn in;
        gen_insn_init(&in);
        in.opsize16 = true;
        set_map(&in, 3, 0x22);
        in.modrm = true;
        in.regf = r;
        in.rm.reg = gpr;
        in.imm = gen_below(g, 4);
        in.immsize = 1;
        gen_emit(g, &in);
    }
}

/* A clean general register other than rSP and those in avoid, set to an interesting value */
static int setup_gpr(Gen *g, uint16_t avoid)
{
    int r = gen_pick_reg(g, true, g->mode == 32, 8, false, avoid | RM_(RSP));
    gen_set_reg(g, r, gen_value(g));
    return r;
}

bool gen_simd_template(Gen *g, const Template *t)
{
    const SimdOp *op = &simd_ops[gen_below(g, NB_SIMD_OPS)];
    if ((op->flags & SO_W) && g->mode != 64)
        return false;
    int nx = g->mode == 64 ? 16 : 8;
    bool reg_mm = is_mmx(op, true), rm_mm = is_mmx(op, false);
    bool any_mm = reg_mm || rm_mm;
    bool mem = (op->flags & SO_MEMONLY) ||
               (!(op->flags & SO_REGONLY) && op->kind != K_GM && op->kind != K_GRPX &&
                op->kind != K_GRPM && !(op->kind == K_GX && op->opcode == 0x50) &&
                gen_chance(g, 40));
    uint16_t avoid = 0;

    emit_mxcsr(g, true, 0);
    /* the reg operand */
    int reg = 0;
    bool reg_is_gpr = op->kind == K_GX || op->kind == K_GM || op->kind == K_CRC;
    if (reg_is_gpr) {
        reg = setup_gpr(g, 0);
        avoid |= RM_(reg);
    } else if (op->kind != K_GRPX && op->kind != K_GRPM) {
        reg = (int)gen_below(g, reg_mm ? 8 : (unsigned)nx);
        emit_vec_move(g, reg, reg_mm, false, avoid);
        if (!reg_mm && gen_chance(g, 60))
            emit_specials(g, reg, avoid);
    }
    /* the r/m operand */
    int rm = 0;
    bool rm_is_gpr = op->kind == K_XE || op->kind == K_ME || op->kind == K_EX ||
                     op->kind == K_EM || op->kind == K_CRC;
    if (!mem) {
        if (rm_is_gpr) {
            /* a byte source: AL CL DL BL mean the same with or without REX */
            rm = op->kind == K_CRC && op->ext == 1 ? (int)gen_below(g, 4) : -1;
            if (rm < 0 || (g->rtaint & RM_(rm)) || (avoid & RM_(rm)))
                rm = setup_gpr(g, avoid | (op->kind == K_CRC && op->ext == 1 ? 0xfff0 : 0));
            else
                gen_set_reg(g, rm, gen_value(g));
            avoid |= RM_(rm);
        } else {
            rm = (int)gen_below(g, rm_mm ? 8 : (unsigned)nx);
            emit_vec_move(g, rm, rm_mm, false, avoid);
            if (!rm_mm && gen_chance(g, 60))
                emit_specials(g, rm, avoid);
        }
    }
    if (op->opcode == 0x10 || op->opcode == 0x14 || op->opcode == 0x15) {
        if (op->map == 2)           /* PBLENDVB, BLENDVPS/PD: xmm0 is the mask */
            emit_vec_move(g, 0, false, false, avoid);
    }
    if (op->flags & SO_LEN) {       /* string lengths, mostly in range */
        for (int r = RAX; r <= RDX; r += RDX - RAX) {
            uint64_t v = gen_chance(g, 80) ? (uint64_t)(int64_t)((int)gen_below(g, 41) - 20)
                                           : gen_value(g);
            gen_set_reg(g, r, g->mode == 32 ? (uint32_t)v : v);
            avoid |= RM_(r);
        }
    }

    Insn in;
    gen_insn_init(&in);
    set_prefix(&in, op->pfx);
    in.rexw = (op->flags & SO_W) != 0;
    set_map(&in, op->map, op->opcode);
    in.modrm = true;
    in.regf = (op->kind == K_GRPX || op->kind == K_GRPM) ? op->ext : reg;
    if (mem) {
        gen_mem_aligned(g, &in.rm, 16, g->mode == 32, avoid);
    } else {
        in.rm.mem = false;
        in.rm.reg = rm;
    }
    if (op->flags & SO_IMM) {
        in.imm = gen_rand(g) & 0xff;
        in.immsize = 1;
    }
    gen_emit(g, &in);
    if (op->flags & SO_FLAGS)
        gen_apply_flags(g, F_ALL, 0);

    /* the vector results into the data region, without disturbing the general ones */
    if (op->flags & SO_ECX)
        avoid |= RM_(RCX);
    bool vec_dst = op->kind == K_XX || op->kind == K_MM || op->kind == K_XE ||
                   op->kind == K_ME || op->kind == K_XM || op->kind == K_MX;
    if (vec_dst)
        emit_vec_move(g, reg, reg_mm, true, avoid);
    if ((op->kind == K_GRPX || op->kind == K_GRPM) && !mem)
        emit_vec_move(g, rm, rm_mm, true, avoid);
    if (op->flags & SO_XMM0)
        emit_vec_move(g, 0, false, true, avoid);
    emit_mxcsr(g, false, avoid);
    if (any_mm) {
        Insn emms;
        gen_insn_init(&emms);
        set_map(&emms, 1, 0x77);
        gen_emit(g, &emms);
    }
    (void)t;
    return true;
}
