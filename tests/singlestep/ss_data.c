/*
 * tests/singlestep/ss_data.c — parser for one SingleStepTests JSON line (see ss_data.h).
 * The cursor only moves forward: each field is found with strstr from where the previous
 * one ended, which the fixed key order allows.
 */
#include "ss_data.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

const char *const ss_reg_names[SS_NB_REGS] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags",
};

const char *const ss_tag_names[SS_NB_TAGS] = {
    "flags_12_15", "lock_ud", "len_gt_10", "seg_overrun", "fs_gs", "x87", "salc", "rtm",
};

typedef struct Cursor {
    const char *p;
    char *err;
    size_t err_len;
} Cursor;

static bool fail(Cursor *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->err_len, fmt, ap);
    va_end(ap);
    return false;
}

/* Moves the cursor just past the next occurrence of key. */
static bool seek(Cursor *c, const char *key)
{
    const char *at = strstr(c->p, key);
    if (!at)
        return fail(c, "missing %s", key);
    c->p = at + strlen(key);
    return true;
}

static bool read_uint(Cursor *c, uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(c->p, &end, 10);
    if (end == c->p || v > max)
        return fail(c, "bad number near \"%.20s\"", c->p);
    c->p = end;
    *out = (uint32_t)v;
    return true;
}

static bool expect_char(Cursor *c, char ch)
{
    if (*c->p != ch)
        return fail(c, "expected '%c' near \"%.20s\"", ch, c->p);
    c->p++;
    return true;
}

static bool read_regs(Cursor *c, SSState *s)
{
    if (!seek(c, "\"regs\":{"))
        return false;
    for (int r = 0; r < SS_NB_REGS; r++) {
        char key[16];
        uint32_t v = 0;
        snprintf(key, sizeof(key), "\"%s\":", ss_reg_names[r]);
        if (strncmp(c->p, key, strlen(key)) != 0)
            return fail(c, "expected register %s", key);
        c->p += strlen(key);
        if (!read_uint(c, 0xFFFF, &v) || !expect_char(c, r == SS_NB_REGS - 1 ? '}' : ','))
            return false;
        s->regs[r] = (uint16_t)v;
    }
    return true;
}

/* "ram":[[addr,value],...] or "ram":[] */
static bool read_ram(Cursor *c, SSState *s)
{
    if (!seek(c, "\"ram\":["))
        return false;
    s->nb_ram = 0;
    if (*c->p == ']') {
        c->p++;
        return true;
    }
    for (;;) {
        uint32_t addr = 0, value = 0;
        if (s->nb_ram == SS_MAX_RAM)
            return fail(c, "more than %d ram entries", SS_MAX_RAM);
        if (!expect_char(c, '[') || !read_uint(c, SS_ADDR_LIMIT - 1, &addr) || !expect_char(c, ',') ||
            !read_uint(c, 0xFF, &value) || !expect_char(c, ']'))
            return false;
        s->ram[s->nb_ram++] = (SSRamByte){ addr, (uint8_t)value };
        if (*c->p == ']') {
            c->p++;
            return true;
        }
        if (!expect_char(c, ','))
            return false;
    }
}

static bool read_name(Cursor *c, SSTest *t)
{
    if (!seek(c, "\"name\":\""))
        return false;
    const char *end = strchr(c->p, '"');
    if (!end)
        return fail(c, "unterminated name");
    size_t n = (size_t)(end - c->p);
    if (n >= sizeof(t->name))
        n = sizeof(t->name) - 1;
    memcpy(t->name, c->p, n);
    t->name[n] = 0;
    c->p = end + 1;
    return true;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static bool read_bytes(Cursor *c, SSTest *t)
{
    if (!seek(c, "\"bytes\":\""))
        return false;
    t->nb_bytes = 0;
    while (*c->p != '"') {
        int hi = hex_value(c->p[0]), lo = hi < 0 ? -1 : hex_value(c->p[1]);
        if (lo < 0)
            return fail(c, "bad hex in bytes");
        if (t->nb_bytes == SS_MAX_BYTES)
            return fail(c, "more than %d instruction bytes", SS_MAX_BYTES);
        t->bytes[t->nb_bytes++] = (uint8_t)(hi << 4 | lo);
        c->p += 2;
    }
    c->p++;
    return t->nb_bytes > 0 || fail(c, "empty bytes");
}

/* "modern_notes":["tag",...] — an unknown tag is an error, so a change in the data shows. */
static bool read_tags(Cursor *c, SSTest *t)
{
    if (!seek(c, "\"modern_notes\":["))
        return false;
    t->tags = 0;
    while (*c->p == '"') {
        const char *end = strchr(c->p + 1, '"');
        if (!end)
            return fail(c, "unterminated tag");
        size_t n = (size_t)(end - c->p - 1);
        int tag = 0;
        while (tag < SS_NB_TAGS && !(strlen(ss_tag_names[tag]) == n && !strncmp(ss_tag_names[tag], c->p + 1, n)))
            tag++;
        if (tag == SS_NB_TAGS)
            return fail(c, "unknown modern_notes tag %.*s", (int)n, c->p + 1);
        t->tags |= 1u << tag;
        c->p = end + 1;
        if (*c->p == ',')
            c->p++;
    }
    return expect_char(c, ']');
}

static bool read_exception(Cursor *c, SSTest *t)
{
    uint32_t vector = 0, addr = 0;
    if (!seek(c, "\"exception\":"))
        return false;
    if (!strncmp(c->p, "null", 4)) {
        t->has_exception = false;
        return true;
    }
    if (!seek(c, "{\"number\":") || !read_uint(c, 0xFF, &vector) || !seek(c, "\"flag_address\":") ||
        !read_uint(c, SS_ADDR_LIMIT - 2, &addr))
        return false;
    t->has_exception = true;
    t->exception_vector = (uint8_t)vector;
    t->flag_address = addr;
    return true;
}

bool ss_parse_test(const char *line, SSTest *t, char *err, size_t err_len)
{
    Cursor c = { line, err, err_len };
    uint32_t mask = 0;
    return read_name(&c, t) && read_bytes(&c, t) &&
           seek(&c, "\"flags_mask_modern\":") && read_uint(&c, 0xFFFF, &mask) &&
           (t->flags_mask_modern = (uint16_t)mask, read_tags(&c, t)) &&
           seek(&c, "\"initial\":{") && read_regs(&c, &t->initial) && read_ram(&c, &t->initial) &&
           seek(&c, "\"final\":{") && read_regs(&c, &t->final) && read_ram(&c, &t->final) &&
           read_exception(&c, t);
}

uint8_t ss_initial_byte(const SSTest *t, uint32_t addr)
{
    for (uint32_t i = 0; i < t->initial.nb_ram; i++)
        if (t->initial.ram[i].addr == addr)
            return t->initial.ram[i].value;
    return SS_FILL_BYTE;
}

int ss_read_index(const char *dir, SSFile **files)
{
    char path[4096], line[1024];
    snprintf(path, sizeof(path), "%s/index.tsv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "singlestep: cannot open %s: is ../shared/singlestep-80286 present?\n", path);
        return -1;
    }
    int n = 0, cap = 0;
    *files = NULL;
    /* columns: file opcode reg status arch flags flags_mask flags_mask_modern source_tests
     * revoked stride sampled ... (README "Files") */
    if (!fgets(line, sizeof(line), f) || strncmp(line, "file\t", 5) != 0) {
        fprintf(stderr, "singlestep: %s: unexpected header\n", path);
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *fields[12], *save = NULL, *tok = strtok_r(line, "\t\n", &save);
        int nf = 0;
        for (; tok && nf < 12; tok = strtok_r(NULL, "\t\n", &save))
            fields[nf++] = tok;
        char *suffix = nf == 12 ? strstr(fields[0], ".json.gz") : NULL;
        if (!suffix || (size_t)(suffix - fields[0]) >= sizeof((*files)->form)) {
            fprintf(stderr, "singlestep: %s: bad row %d\n", path, n + 2);
            fclose(f);
            free(*files);
            return -1;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 512;
            SSFile *grown = realloc(*files, (size_t)cap * sizeof(**files));
            if (!grown) {
                fprintf(stderr, "singlestep: out of memory\n");
                fclose(f);
                free(*files);
                return -1;
            }
            *files = grown;
        }
        SSFile *e = &(*files)[n++];
        memcpy(e->form, fields[0], (size_t)(suffix - fields[0]));
        e->form[suffix - fields[0]] = 0;
        e->nb_tests = (uint32_t)strtoul(fields[11], NULL, 10);
    }
    fclose(f);
    return n;
}

long ss_for_each_test(const char *dir, const char *form, SSTestFn fn, void *opaque)
{
    char path[4096], err[160];
    snprintf(path, sizeof(path), "%s/%s.json.gz", dir, form);
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        fprintf(stderr, "singlestep: cannot open %s\n", path);
        return -1;
    }
    char *line = malloc(SS_LINE_MAX);
    SSTest *t = malloc(sizeof(*t));
    long n = 0;
    while (line && t && gzgets(gz, line, SS_LINE_MAX)) {
        if (!strchr(line, '\n')) {
            fprintf(stderr, "singlestep: %s: test %ld: line longer than %d bytes\n", path, n, SS_LINE_MAX);
            n = -1;
            break;
        }
        if (!ss_parse_test(line, t, err, sizeof(err))) {
            fprintf(stderr, "singlestep: %s: test %ld: %s\n", path, n, err);
            n = -1;
            break;
        }
        if (!fn(t, (uint32_t)n++, opaque))
            break;
    }
    if (!line || !t)
        n = -1;
    free(line);
    free(t);
    gzclose(gz);
    return n;
}
