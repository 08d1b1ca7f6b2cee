/*
 * tests/diff/known.c — hand-computed cases: the result of each is worked out from the
 * manuals, not taken from any run. Both the host (checking the stubs and fault capture)
 * and the model must produce it; then the usual full comparison applies as well.
 */
#include <stdio.h>
#include <string.h>

#include "diff.h"

typedef struct Known {
    const char *what;
    int mode;
    uint8_t code[16];
    uint8_t len;
    uint64_t rax, rbx, rcx;       /* others start at 0, rSP in the stack area */
    uint32_t flags;
    int32_t vector;
    uint8_t rip_off;              /* expected rip, from DIFF_CODE_BASE */
    int8_t reg;                   /* register to check, or -1 */
    uint64_t reg_value;
    uint32_t flags_mask, flags_want;
    int32_t mem_off;              /* data region offset to check (8 bytes), or -1 */
    uint64_t mem_value;
    uint8_t mem_size;             /* bytes compared at mem_off (0: 8) */
} Known;

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define CC (CF | PF | AF | ZF | SF | OF)

static const Known known[] = {
    /* 0x7fffffff + 1: signed overflow, AF from bit 3, PF of 0x00; upper half cleared */
    { "add eax, ebx", 64, { 0x01, 0xd8 }, 2, 0xffffffff7fffffffull, 1, 0, 0x202,
      DIFF_NO_FAULT, 2, 0, 0x80000000, CC, OF | SF | AF | PF, -1, 0 },
    { "add eax, ebx", 32, { 0x01, 0xd8 }, 2, 0x7fffffff, 1, 0, 0x202,
      DIFF_NO_FAULT, 2, 0, 0x80000000, CC, OF | SF | AF | PF, -1, 0 },
    /* 0x81 << 1 = 0x02, CF = old bit 7, OF = CF ^ new bit 7; AF undefined */
    { "shl al, 1", 64, { 0xd0, 0xe0 }, 2, 0x81, 0, 0, 0x202,
      DIFF_NO_FAULT, 2, 0, 0x02, CC & ~AF, CF | OF, -1, 0 },
    { "div ecx (ecx = 0)", 64, { 0xf7, 0xf1 }, 2, 7, 0, 0, 0x202, 0, 0, 0, 7, 0, 0, -1, 0 },
    { "mov eax, 5; int3", 64, { 0xb8, 5, 0, 0, 0, 0xcc }, 6, 0, 0, 0, 0x202, 3, 5, 0, 5, 0, 0, -1, 0 },
    { "ud2", 64, { 0x0f, 0x0b }, 2, 0, 0, 0, 0x202, 6, 0, -1, 0, 0, 0, -1, 0 },
    { "push rbx; pop rcx", 64, { 0x53, 0x59 }, 2, 0, 0x1122334455667788ull, 0, 0x202,
      DIFF_NO_FAULT, 2, 1, 0x1122334455667788ull, 0, 0, 0x800 - 8, 0x1122334455667788ull },
    { "mov [0x401000], rax", 64, { 0x48, 0x89, 0x04, 0x25, 0x00, 0x10, 0x40, 0x00 }, 8,
      0xa5a5a5a5deadbeefull, 0, 0, 0x202, DIFF_NO_FAULT, 8, -1, 0, 0, 0, 0x1000, 0xa5a5a5a5deadbeefull },
    { "stc; setc dl", 64, { 0xf9, 0x0f, 0x92, 0xc2 }, 4, 0, 0, 0, 0x202,
      DIFF_NO_FAULT, 4, 2, 1, CF, CF, -1, 0 },
    /* misaligned cmpxchg16b: #GP(0) before anything changes */
    { "lock cmpxchg16b [0x401008]", 64, { 0xf0, 0x48, 0x0f, 0xc7, 0x0c, 0x25, 0x08, 0x10, 0x40, 0x00 }, 10,
      0, 0, 0, 0x202, 13, 0, -1, 0, 0, 0, -1, 0 },
    /* 0x79 + 0x35 = 0xae; DAA: low nibble 0xe > 9 -> +6, AF; 0xae > 0x99 -> +0x60, CF:
     * al = 0x14, PF (two bits set), OF undefined */
    { "mov al, 0x79; add al, 0x35; daa", 32, { 0xb0, 0x79, 0x04, 0x35, 0x27 }, 5, 0, 0, 0, 0x202,
      DIFF_NO_FAULT, 5, 0, 0x14, CC & ~OF, CF | AF | PF, -1, 0 },
    { "into (OF = 1)", 32, { 0xce }, 1, 0, 0, 0, 0xa02, 4, 0, -1, 0, OF, OF, -1, 0 },
    { "aam 0", 32, { 0xd4, 0x00 }, 2, 0x1234, 0, 0, 0x202, 0, 0, 0, 0x1234, 0, 0, -1, 0 },
    { "salc (CF = 1)", 32, { 0xd6 }, 1, 0x1234, 0, 0, 0x203, DIFF_NO_FAULT, 1, 0, 0x12ff, 0, 0, -1, 0 },
    { "push 0x12345678; pop eax", 32, { 0x68, 0x78, 0x56, 0x34, 0x12, 0x58 }, 6, 0, 0, 0, 0x202,
      DIFF_NO_FAULT, 6, 0, 0x12345678, 0, 0, 0x800 - 4, 0x12345678, 4 },
};

#define NKNOWN (sizeof known / sizeof known[0])

static bool check(const Known *k, const DiffResult *r, const char *who)
{
    bool ok = r->st.vector == k->vector && r->st.rip == DIFF_CODE_BASE + k->rip_off &&
              (k->reg < 0 || r->st.regs[k->reg] == k->reg_value) &&
              (r->st.flags & k->flags_mask) == k->flags_want;
    if (k->mem_off >= 0) {
        uint64_t v = 0;
        memcpy(&v, r->data + k->mem_off, k->mem_size ? k->mem_size : 8);
        ok = ok && v == k->mem_value;
    }
    if (!ok)
        printf("KNOWN %s (%d-bit): %s got vector %d rip %#llx reg %#llx flags %#x\n", k->what, k->mode, who,
               r->st.vector, (unsigned long long)r->st.rip,
               (unsigned long long)(k->reg >= 0 ? r->st.regs[k->reg] : 0), r->st.flags);
    return ok;
}

/* Run the known cases of `mode`; returns the number that failed. `native` may be NULL
 * (replay-only hosts). */
unsigned diff_run_known(int mode, void (*native)(const DiffCase *, DiffResult *, unsigned),
                        bool (*agree)(const DiffCase *, const DiffResult *, const DiffResult *),
                        DiffCase *cases, DiffResult *want, DiffResult *got)
{
    unsigned n = 0, failed = 0;
    const Known *picked[NKNOWN];
    for (unsigned i = 0; i < NKNOWN; i++) {
        const Known *k = &known[i];
        if (k->mode != mode)
            continue;
        DiffCase *c = &cases[n];
        memset(c, 0, sizeof *c);
        c->seed = i;
        c->mode = mode;
        c->code_len = k->len;
        memcpy(c->code, k->code, k->len);
        c->init.regs[0] = k->rax;
        c->init.regs[3] = k->rbx;
        c->init.regs[1] = k->rcx;
        c->init.regs[4] = DIFF_DATA_BASE + 0x800;
        c->init.rip = DIFF_CODE_BASE;
        c->init.flags = k->flags;
        c->data_seed = 0x5eed + i;
        c->taint[0] = (DiffTaint){ .offset = k->rip_off, .flags = CC & ~k->flags_mask };
        c->ntaint = 1;
        picked[n++] = k;
    }
    if (native) {
        native(cases, want, n);
        for (unsigned i = 0; i < n; i++)
            failed += !check(picked[i], &want[i], "native");
    }
    diff_model_run_batch(cases, got, n);
    for (unsigned i = 0; i < n; i++) {
        bool ok = check(picked[i], &got[i], diff_model_name);
        if (ok && native && !agree(&cases[i], &want[i], &got[i])) {
            printf("KNOWN %s (%d-bit): %s and native differ beyond the checked fields\n",
                   picked[i]->what, mode, diff_model_name);
            ok = false;
        }
        failed += !ok;
    }
    printf("known%d: %u cases, %u failed\n", mode, n, failed);
    return failed;
}
