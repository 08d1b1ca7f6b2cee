/*
 * tests/diff/main.c — the differential driver: generate cases, run them natively and in
 * the model, compare, report.
 *
 *   diff-x86 --mode 64 --seed 1 --cases 60000      run and compare (x86-64 hosts)
 *   diff-x86 --mode 32 --case-seed 0x1234          one case, by the seed a report printed
 *   diff-x86 --mode 64 --cases 1000 --record F     also write the native results to F
 *   diff-x86 --replay F                            model only, against recorded results
 *                                                  (what a non-x86 host can run)
 *   diff-x86 --mode 64 --paging --cases 30000      the model runs under real 4-level page
 *                                                  tables, and its A/D bits are checked too
 * Exit status: 0 when every case matched, 1 on any mismatch, 2 on usage or I/O errors.
 */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

#define BATCH 256

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* ---------------------------------------------------------------- comparing */

typedef struct Diffs {
    bool vector, rip, flags, data;
    uint16_t regs;
    uint32_t paging;     /* DIFF_PAGING_* bits in which the two differ */
} Diffs;

static Diffs compare(const DiffCase *c, const DiffResult *want, const DiffResult *got)
{
    Diffs d = { 0 };
    DiffTaint taint = diff_taint_at(c, want->st.rip);
    uint64_t mask = c->mode == 64 ? ~0ull : 0xffffffffull;
    int nregs = c->mode == 64 ? 16 : 8;
    d.vector = want->st.vector != got->st.vector;
    d.rip = ((want->st.rip ^ got->st.rip) & mask) != 0;
    for (int r = 0; r < nregs; r++)
        if (!(taint.regs & (1u << r)) && ((want->st.regs[r] ^ got->st.regs[r]) & mask))
            d.regs |= (uint16_t)(1u << r);
    d.flags = ((want->st.flags ^ got->st.flags) & DIFF_FLAGS_COMPARED & ~taint.flags) != 0;
    d.data = memcmp(want->data, got->data, DIFF_DATA_SIZE) != 0;
    d.paging = want->paging_defects ^ got->paging_defects;
    return d;
}

static bool any(const Diffs *d) { return d->vector || d->rip || d->flags || d->data || d->regs || d->paging; }

static bool results_agree(const DiffCase *c, const DiffResult *want, const DiffResult *got)
{
    Diffs d = compare(c, want, got);
    return !any(&d);
}

/* ---------------------------------------------------------------- reporting */

static void print_code(const DiffCase *c)
{
    printf("  bytes:");
    for (unsigned i = 0; i < c->code_len; i++)
        printf(" %02x", c->code[i]);
    printf("\n");
    csh h;
    if (cs_open(CS_ARCH_X86, c->mode == 64 ? CS_MODE_64 : CS_MODE_32, &h) != CS_ERR_OK)
        return;
    cs_insn *insn = cs_malloc(h);
    const uint8_t *p = c->code;
    size_t left = c->code_len;
    uint64_t addr = DIFF_CODE_BASE;
    while (left) {
        uint64_t at = addr;
        if (cs_disasm_iter(h, &p, &left, &addr, insn)) {
            printf("  %8" PRIx64 ":  %s %s\n", at, insn->mnemonic, insn->op_str);
        } else {                     /* deliberate #UD encodings: step over one byte */
            printf("  %8" PRIx64 ":  (byte %02x: capstone does not decode here)\n", at, *p);
            p++;
            left--;
            addr++;
        }
    }
    cs_free(insn, 1);
    cs_close(&h);
}

static const char *vector_name(int32_t v)
{
    static const char *const names[32] = {
        [0] = "#DE", [1] = "#DB", [3] = "#BP", [4] = "#OF", [5] = "#BR", [6] = "#UD",
        [7] = "#NM", [8] = "#DF", [10] = "#TS", [11] = "#NP", [12] = "#SS", [13] = "#GP",
        [14] = "#PF", [16] = "#MF", [17] = "#AC", [18] = "#MC", [19] = "#XM",
    };
    if (v == DIFF_NO_FAULT)
        return "none";
    if (v == DIFF_HOST_CRASH)
        return "host-crash";
    return v >= 0 && v < 32 && names[v] ? names[v] : "?";
}

static void print_paging_defects(uint32_t defects)
{
    static const struct { uint32_t bit; const char *what; } fixed[] = {
        { DIFF_PAGING_CORRUPT, "a page-table entry changed beyond its A/D bits (or has D without A)" },
        { DIFF_PAGING_CODE_NOT_ACCESSED, "an entry on the code page's path is not accessed" },
        { DIFF_PAGING_CODE_DIRTY, "the code page is dirty though nothing wrote it" },
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (defects & fixed[i].bit)
            printf("  paging: %s\n", fixed[i].what);
    for (unsigned n = 0; n < DIFF_DATA_PAGES_MAX; n++)
        if (defects & DIFF_PAGING_DATA_NOT_DIRTY(n))
            printf("  paging: data page %#x has changed bytes but is not accessed and dirty\n",
                   DIFF_DATA_BASE + n * 0x1000u);
}

static void print_case(const char *title, const DiffCase *c, const DiffResult *want, const DiffResult *got,
                       const Diffs *d)
{
    int w = c->mode == 64 ? 16 : 8, nregs = c->mode == 64 ? 16 : 8;
    uint64_t mask = c->mode == 64 ? ~0ull : 0xffffffffull;
    DiffTaint taint = diff_taint_at(c, want->st.rip);
    printf("%s diff%d case seed %#" PRIx64 " (rerun: --mode %d --case-seed %#" PRIx64 ")\n",
           title, c->mode, c->seed, c->mode, c->seed);
    print_code(c);
    printf("  %-6s %-*s %-*s %-*s\n", "", w + 2, "initial", w + 2, "native", w + 2, diff_model_name);
    for (int r = 0; r < nregs; r++)
        printf("  %-6s %0*" PRIx64 "   %0*" PRIx64 "   %0*" PRIx64 "%s\n", reg_names[r],
               w, c->init.regs[r] & mask, w, want->st.regs[r] & mask, w, got->st.regs[r] & mask,
               (d->regs >> r) & 1 ? "   <-- differs" : (taint.regs >> r) & 1 ? "   (undefined)" : "");
    printf("  %-6s %0*" PRIx64 "   %0*" PRIx64 "   %0*" PRIx64 "%s\n", "rip", w, c->init.rip, w,
           want->st.rip & mask, w, got->st.rip & mask, d->rip ? "   <-- differs" : "");
    printf("  %-6s %0*x   %0*x   %0*x%s (compared %#x, undefined here %#x)\n", "flags", w,
           c->init.flags, w, want->st.flags, w, got->st.flags, d->flags ? "   <-- differs" : "",
           DIFF_FLAGS_COMPARED, taint.flags);
    printf("  fault  %-*s   %-*s%s\n", w, vector_name(want->st.vector), w, vector_name(got->st.vector),
           d->vector ? "   <-- differs" : "");
    if (d->paging)
        print_paging_defects(d->paging);
    if (d->data) {
        unsigned shown = 0;
        for (unsigned i = 0; i < DIFF_DATA_SIZE && shown < 24; i++) {
            if (want->data[i] == got->data[i])
                continue;
            printf("  mem %#x: native %02x, %s %02x\n", DIFF_DATA_BASE + i, want->data[i],
                   diff_model_name, got->data[i]);
            shown++;
        }
    }
}

/* ---------------------------------------------------------------- record / replay
 * A record file is what a host without the oracle needs: each case itself (not the seed:
 * the generator may change) and the native outcome, with the data region as a diff from
 * its seeded fill. Little-endian fields (both x86-64 and AArch64 hosts are).
 *   header: "FERRYDF1", u32 mode
 *   record: u64 seed, u64 data_seed, u16 code_len, code bytes, u64 init_regs[16],
 *           u32 init_flags, i32 vector, u64 rip, u64 regs[16], u32 flags,
 *           u16 undefined_regs, u32 undefined_flags, u16 nchanged, nchanged x (u16 off, u8 byte)
 */
static const char record_magic[8] = "FERRYDF1";

static bool get(FILE *f, void *p, size_t n) { return fread(p, 1, n, f) == n; }

#if defined(__x86_64__)     /* only the x86-64 host records: its CPU is the oracle */
static void put(FILE *f, const void *p, size_t n) { fwrite(p, 1, n, f); }

static void record_case(FILE *f, const DiffCase *c, const DiffResult *want, const uint8_t *initial)
{
    DiffTaint taint = diff_taint_at(c, want->st.rip);
    put(f, &c->seed, 8);
    put(f, &c->data_seed, 8);
    put(f, &c->code_len, 2);
    put(f, c->code, c->code_len);
    put(f, c->init.regs, sizeof c->init.regs);
    put(f, &c->init.flags, 4);
    put(f, &want->st.vector, 4);
    put(f, &want->st.rip, 8);
    put(f, want->st.regs, sizeof want->st.regs);
    put(f, &want->st.flags, 4);
    put(f, &taint.regs, 2);
    put(f, &taint.flags, 4);
    uint16_t n = 0;
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i++)
        n = (uint16_t)(n + (want->data[i] != initial[i]));
    put(f, &n, 2);
    for (uint16_t i = 0; i < DIFF_DATA_SIZE; i++) {
        if (want->data[i] == initial[i])
            continue;
        put(f, &i, 2);
        put(f, &want->data[i], 1);
    }
}
#endif

static bool replay_case(FILE *f, int mode, DiffCase *c, DiffResult *want)
{
    memset(c, 0, sizeof *c);
    c->mode = mode;
    c->init.rip = DIFF_CODE_BASE;
    DiffTaint taint = { 0 };
    want->paging_defects = 0;
    uint16_t n;
    if (!get(f, &c->seed, 8))
        return false;
    bool ok = get(f, &c->data_seed, 8) && get(f, &c->code_len, 2) && c->code_len <= DIFF_CODE_MAX &&
              get(f, c->code, c->code_len) && get(f, c->init.regs, sizeof c->init.regs) &&
              get(f, &c->init.flags, 4) && get(f, &want->st.vector, 4) && get(f, &want->st.rip, 8) &&
              get(f, want->st.regs, sizeof want->st.regs) && get(f, &want->st.flags, 4) &&
              get(f, &taint.regs, 2) && get(f, &taint.flags, 4) && get(f, &n, 2);
    if (!ok)
        return false;
    diff_fill_data(c->data_seed, want->data);
    for (unsigned i = 0; i < n; i++) {
        uint16_t off;
        uint8_t b;
        if (!get(f, &off, 2) || !get(f, &b, 1) || off >= DIFF_DATA_SIZE)
            return false;
        want->data[off] = b;
    }
    taint.offset = (uint16_t)(want->st.rip - DIFF_CODE_BASE);
    c->taint[0] = taint;
    c->ntaint = 1;
    return true;
}

/* ---------------------------------------------------------------- driver */

typedef struct Options {
    int mode;
    uint64_t seed, cases, case_seed;
    bool one_case, verbose, known, paging;
    const char *record, *replay;
} Options;

typedef struct Tally {
    uint64_t cases, mismatches, by_vector[34];   /* 0-31, then "none", then "host crash" */
} Tally;

static void tally_case(Tally *t, const DiffCase *c, const DiffResult *want, const DiffResult *got, bool verbose,
                       bool dump)
{
    Diffs d = compare(c, want, got);
    int32_t v = want->st.vector;
    t->by_vector[v >= 0 && v < 32 ? v : v == DIFF_NO_FAULT ? 32 : 33]++;
    t->cases++;
    if (want->st.vector == DIFF_HOST_CRASH || any(&d)) {
        if (t->mismatches < 50 || verbose)
            print_case("MISMATCH", c, want, got, &d);
        t->mismatches++;
    } else if (dump) {
        print_case("MATCH", c, want, got, &d);
    } else if (verbose) {
        printf("ok %#" PRIx64 " (%s)\n", c->seed, vector_name(v));
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: diff-x86 --mode 32|64 [--known] [--seed N] [--cases N] [--case-seed X] [--record FILE] [--paging] [--verbose]\n"
                    "       diff-x86 --replay FILE [--paging] [--verbose]\n");
    return 2;
}

static bool parse(int argc, char **argv, Options *o)
{
    *o = (Options){ .mode = 64, .seed = 1, .cases = 1000 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool *flag = !strcmp(a, "--verbose") ? &o->verbose : !strcmp(a, "--known") ? &o->known
                   : !strcmp(a, "--paging") ? &o->paging : NULL;
        if (flag) {
            *flag = true;
            continue;
        }
        if (!v)
            return false;
        i++;
        if (!strcmp(a, "--mode"))
            o->mode = atoi(v);
        else if (!strcmp(a, "--seed"))
            o->seed = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--cases"))
            o->cases = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--case-seed")) {
            o->case_seed = strtoull(v, NULL, 0);
            o->one_case = true;
        } else if (!strcmp(a, "--record"))
            o->record = v;
        else if (!strcmp(a, "--replay"))
            o->replay = v;
        else
            return false;
    }
    /* paging is a 64-bit feature of the model (a replayed file's mode is checked on open) */
    return o->mode == 64 || (o->mode == 32 && !o->paging);
}

static void print_tally(const Tally *t, int mode)
{
    printf("outcomes:");
    for (int v = 0; v < 34; v++)
        if (t->by_vector[v])
            printf(" %s=%" PRIu64, v == 32 ? "end" : vector_name(v == 33 ? DIFF_HOST_CRASH : v), t->by_vector[v]);
    printf("\ndiff%d: %" PRIu64 " cases, %" PRIu64 " mismatches (model: %s)\n", mode, t->cases,
           t->mismatches, diff_model_name);
}

static int run_replay(const Options *o, DiffCase *cases, DiffResult *want, DiffResult *got)
{
    FILE *f = fopen(o->replay, "rb");
    char magic[8];
    uint32_t mode;
    if (!f || !get(f, magic, 8) || memcmp(magic, record_magic, 8) || !get(f, &mode, 4) || (mode != 32 && mode != 64)) {
        fprintf(stderr, "diff: %s is not a record file\n", o->replay);
        return 2;
    }
    if (o->paging && mode != 64) {
        fprintf(stderr, "diff: --paging needs a 64-bit record file\n");
        return 2;
    }
    Tally t = { 0 };
    for (;;) {
        unsigned n = 0;
        while (n < BATCH && replay_case(f, (int)mode, &cases[n], &want[n]))
            n++;
        if (n == 0)
            break;
        diff_model_run_batch(cases, got, n);
        for (unsigned i = 0; i < n; i++)
            tally_case(&t, &cases[i], &want[i], &got[i], o->verbose, false);
    }
    fclose(f);
    print_tally(&t, (int)mode);
    return t.mismatches ? 1 : 0;
}

#if defined(__x86_64__)
static int run_native(const Options *o, DiffCase *cases, DiffResult *want, DiffResult *got)
{
    FILE *rec = NULL;
    if (o->record) {
        rec = fopen(o->record, "wb");
        if (!rec) {
            perror(o->record);
            return 2;
        }
        uint32_t mode = (uint32_t)o->mode;
        put(rec, record_magic, 8);
        put(rec, &mode, 4);
    }
    static uint8_t initial[DIFF_DATA_SIZE];
    uint64_t total = o->one_case ? 1 : o->cases;
    Tally t = { 0 };
    for (uint64_t done = 0; done < total;) {
        unsigned n = total - done < BATCH ? (unsigned)(total - done) : BATCH;
        for (unsigned i = 0; i < n; i++)
            diff_generate(&cases[i], o->one_case ? o->case_seed : diff_case_seed(o->seed, o->mode, done + i), o->mode);
        diff_native_run_batch(cases, want, n);
        diff_model_run_batch(cases, got, n);
        for (unsigned i = 0; i < n; i++) {
            tally_case(&t, &cases[i], &want[i], &got[i], o->verbose, o->one_case);
            if (rec && want[i].st.vector != DIFF_HOST_CRASH) {
                diff_fill_data(cases[i].data_seed, initial);
                record_case(rec, &cases[i], &want[i], initial);
            }
        }
        done += n;
    }
    if (rec && fclose(rec) != 0) {
        perror(o->record);
        return 2;
    }
    print_tally(&t, o->mode);
    return t.mismatches ? 1 : 0;
}
#endif

int main(int argc, char **argv)
{
    Options o;
    if (!parse(argc, argv, &o))
        return usage();
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!diff_model_init(o.paging))
        return 2;
    DiffCase *cases = calloc(BATCH, sizeof *cases);
    DiffResult *want = calloc(BATCH, sizeof *want), *got = calloc(BATCH, sizeof *got);
    if (!cases || !want || !got)
        return 2;
    int rc;
    if (o.known) {
#if defined(__x86_64__)
        rc = diff_run_known(o.mode, diff_native_run_batch, results_agree, cases, want, got) ? 1 : 0;
#else
        rc = diff_run_known(o.mode, NULL, results_agree, cases, want, got) ? 1 : 0;
#endif
    } else if (o.replay) {
        rc = run_replay(&o, cases, want, got);
    } else {
#if defined(__x86_64__)
        rc = run_native(&o, cases, want, got);
#else
        fprintf(stderr, "diff: the native oracle needs an x86-64 host; use --replay FILE\n");
        rc = 2;
#endif
    }
    free(cases);
    free(want);
    free(got);
    return rc;
}
