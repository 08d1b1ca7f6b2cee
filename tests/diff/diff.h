/*
 * tests/diff/diff.h — the differential harness: the host CPU is the oracle.
 *
 * A case is a short random instruction sequence plus a random initial state (registers,
 * flags, data region). It runs natively (native.c, in a forked child, faults caught) and
 * in ferry (ferry_side.c, the library in flat mode, or with --paging in long mode under
 * real page tables), and the two end states are compared: every general register, rip,
 * the defined arithmetic flags and DF, the whole data region, the fault raised, and with
 * --paging the accessed/dirty bits the case left in ferry's page tables.
 *
 * Fixed guest/host layout (same linear addresses natively and in ferry's guest RAM):
 *   DIFF_CODE_BASE  the sequence, followed natively by an exit stub and in ferry by HLT
 *   DIFF_CTRL_BASE  native only: the entry/exit control block (never compared)
 *   DIFF_DATA_BASE  DIFF_DATA_SIZE bytes: the stack area, then the operand windows
 */
#ifndef FERRY_DIFF_H
#define FERRY_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#define DIFF_CODE_BASE 0x200000u
#define DIFF_CODE_SIZE 0x1000u
#define DIFF_CTRL_BASE 0x300000u
#define DIFF_DATA_BASE 0x400000u
#define DIFF_DATA_SIZE 0x4000u
#define DIFF_RAM_SIZE  (8u << 20)    /* ferry's guest RAM: covers all of the above */

/* Stack area: rSP starts in [STACK_LO, STACK_HI); sequences move it by well under 1 KiB. */
#define DIFF_STACK_LO  (DIFF_DATA_BASE + 0xa00u)
#define DIFF_STACK_HI  (DIFF_DATA_BASE + 0xe00u)
/* Memory operands land in [WIN_LO, WIN_HI); every access stays inside the data region
 * even with the generator's largest displacement, index and bit offset. */
#define DIFF_WIN_LO    (DIFF_DATA_BASE + 0x1400u)
#define DIFF_WIN_HI    (DIFF_DATA_BASE + 0x3800u)

#define DIFF_CODE_MAX  512           /* sequence bytes */
#define DIFF_MAX_INSNS 96            /* instructions per sequence, setup moves included */

/* The flags compared: the six arithmetic flags and DF. */
#define DIFF_FLAGS_COMPARED 0x0cd5u

/* vector of a case that ran to its end */
#define DIFF_NO_FAULT (-1)
/* native only: the child died or hung outside the signal handler (a harness defect) */
#define DIFF_HOST_CRASH (-2)

typedef struct DiffState {
    uint64_t regs[16];   /* in 32-bit mode only regs[0..7] low halves are meaningful */
    uint64_t rip;        /* end of the sequence, or the faulting instruction's address */
    uint32_t flags;
    int32_t vector;      /* DIFF_NO_FAULT, an exception vector, or DIFF_HOST_CRASH */
} DiffState;

/* What is not comparable before one instruction of the sequence: flags left undefined
 * by an earlier instruction, registers whose value is undefined. */
typedef struct DiffTaint {
    uint16_t offset;     /* instruction start, from DIFF_CODE_BASE */
    uint16_t regs;       /* bit n: register n undefined */
    uint32_t flags;      /* CC bits undefined */
} DiffTaint;

typedef struct DiffCase {
    uint64_t seed;       /* regenerates the whole case */
    int mode;            /* 32 or 64 */
    uint16_t code_len;
    uint8_t code[DIFF_CODE_MAX];
    DiffState init;      /* regs, rip = DIFF_CODE_BASE, flags */
    uint64_t data_seed;  /* the data region's initial bytes: diff_fill_data() */
    uint16_t ntaint;     /* one entry per instruction, plus one for the end */
    DiffTaint taint[DIFF_MAX_INSNS + 1];
} DiffCase;

/* The model's own page-table checks with --paging (ferry_side.c): what the accessed and
 * dirty bits left behind contradict. Natively, and without --paging, always 0. */
#define DIFF_PAGING_CORRUPT           0x1u   /* an entry changed beyond its A/D bits, or D without A */
#define DIFF_PAGING_CODE_NOT_ACCESSED 0x2u   /* an entry on the code's path lacks A */
#define DIFF_PAGING_CODE_DIRTY        0x4u   /* the code page (never written) is dirty */
#define DIFF_PAGING_DATA_SHIFT        8      /* bit 8+n: data page n has a changed byte but */
#define DIFF_PAGING_DATA_NOT_DIRTY(n) (1u << (DIFF_PAGING_DATA_SHIFT + (n)))  /* lacks A or D */
#define DIFF_DATA_PAGES_MAX           (32 - DIFF_PAGING_DATA_SHIFT)

typedef struct DiffResult {
    DiffState st;
    uint32_t paging_defects;   /* DIFF_PAGING_* */
    uint8_t data[DIFF_DATA_SIZE];
} DiffResult;

/* ---- gen.c */
uint64_t diff_case_seed(uint64_t run_seed, int mode, uint64_t index);
void diff_generate(DiffCase *c, uint64_t case_seed, int mode);
void diff_fill_data(uint64_t data_seed, uint8_t *buf);
/* Taint in force at `rip` (an instruction start or the end of the sequence). */
DiffTaint diff_taint_at(const DiffCase *c, uint64_t rip);

/* ---- native.c (x86-64 hosts): run cases[0..n) natively in a forked child. */
void diff_native_run_batch(const DiffCase *cases, DiffResult *results, unsigned n);

/* ---- the model under test: ferry_side.c, or native_model.c for the harness's own
 * determinism self-test (the host against itself). `paging`: run 64-bit cases under real
 * 4-level page tables rather than flat identity (ferry; the host always pages). */
bool diff_model_init(bool paging);
void diff_model_run_batch(const DiffCase *cases, DiffResult *results, unsigned n);
extern const char diff_model_name[];

/* ---- known.c: hand-computed cases; returns how many failed */
unsigned diff_run_known(int mode, void (*native)(const DiffCase *, DiffResult *, unsigned),
                        bool (*agree)(const DiffCase *, const DiffResult *, const DiffResult *),
                        DiffCase *cases, DiffResult *want, DiffResult *got);

#endif
