/*
 * tests/singlestep/ss_check.c — checks the 80286 sample and this harness's reading of it,
 * without running a CPU: every file of index.tsv parses, holds the number of tests the
 * index says, each test's bytes sit at CS:IP in initial.ram, the final CS:IP-1 is a listed
 * HLT, an exception's flag_address matches the frame at the final SP, the tag and exception totals are the README's, and every test gets a modern
 * expectation (the counts per rule are printed; the runner uses the same rules).
 *
 * usage: ss_check DATA_DIR
 */
#include "ss_data.h"
#include "ss_modern.h"

#include <stdio.h>
#include <stdlib.h>

/* README "Counts of tags in this sample" and "Totals". */
static const uint32_t readme_tag_counts[SS_NB_TAGS] = {
    [SS_TAG_LOCK_UD] = 357, [SS_TAG_FLAGS_12_15] = 120, [SS_TAG_SEG_OVERRUN] = 85,
    [SS_TAG_SALC] = 60, [SS_TAG_X87] = 60, [SS_TAG_LEN_GT_10] = 5, [SS_TAG_FS_GS] = 3,
    [SS_TAG_RTM] = 0,
};
#define README_TESTS 19500
#define README_EXCEPTIONS 530

typedef struct Totals {
    const char *form;
    uint32_t tests, exceptions, bad;
    uint32_t tags[SS_NB_TAGS];
    uint32_t rules[SS_NB_RULES];
    SSExpect expect;
} Totals;

static bool listed_as(const SSTest *t, uint32_t addr, uint8_t value)
{
    for (uint32_t i = 0; i < t->initial.nb_ram; i++)
        if (t->initial.ram[i].addr == addr)
            return t->initial.ram[i].value == value;
    return false;
}

static bool check_test(const SSTest *t, uint32_t index, void *opaque)
{
    Totals *tot = opaque;
    const uint16_t *in = t->initial.regs, *out = t->final.regs;
    bool ok = true;
    for (uint32_t i = 0; i < t->nb_bytes; i++)
        ok &= listed_as(t, (uint32_t)in[SS_CS] * 16 + (uint16_t)(in[SS_IP] + i), t->bytes[i]);
    ok &= listed_as(t, (uint32_t)out[SS_CS] * 16 + (uint16_t)(out[SS_IP] - 1), 0xF4);
    if (t->has_exception) {     /* the data's flag_address: the frame's, rounded down to even */
        uint32_t frame = ss_frame_flags_address(t);
        ok &= t->flag_address == frame || t->flag_address == (frame & ~1u);
    }
    if (!ok) {
        fprintf(stderr, "%s test %u (%s): bytes, final HLT or exception frame not where the README says\n", tot->form,
                index, t->name);
        tot->bad++;
    }
    tot->tests++;
    tot->exceptions += t->has_exception;
    for (int tag = 0; tag < SS_NB_TAGS; tag++)
        tot->tags[tag] += t->tags >> tag & 1;
    ss_expect_modern(t, &tot->expect);
    tot->rules[tot->expect.rule]++;
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    SSFile *files;
    int nb_files = ss_read_index(argv[1], &files);
    if (nb_files < 0)
        return 1;
    Totals *tot = calloc(1, sizeof(*tot));
    if (!tot)
        return 1;
    bool ok = nb_files > 0;
    for (int f = 0; f < nb_files; f++) {
        tot->form = files[f].form;
        long n = ss_for_each_test(argv[1], files[f].form, check_test, tot);
        if (n != (long)files[f].nb_tests) {
            fprintf(stderr, "%s: %ld tests read, index.tsv says %u\n", files[f].form, n, files[f].nb_tests);
            ok = false;
        }
    }
    printf("%d files, %u tests, %u with an exception, %u inconsistent\n", nb_files, tot->tests,
           tot->exceptions, tot->bad);
    ok &= tot->bad == 0 && tot->tests == README_TESTS && tot->exceptions == README_EXCEPTIONS;
    for (int tag = 0; tag < SS_NB_TAGS; tag++) {
        bool match = tot->tags[tag] == readme_tag_counts[tag];
        printf("  tag %-12s %5u%s\n", ss_tag_names[tag], tot->tags[tag], match ? "" : "  (README differs)");
        ok &= match;
    }
    printf("modern expectation per rule:\n");
    for (int r = 0; r < SS_NB_RULES; r++)
        printf("  %-58s %5u%s\n", ss_rule_names[r], tot->rules[r], r >= SS_RULE_FIRST_NC ? "  (not comparable)" : "");
    printf("%s\n", ok ? "data and harness consistent" : "FAILED: see the messages above");
    free(tot);
    free(files);
    return ok ? 0 : 1;
}
