/*
 * hw/acpi_aml.c — the AML encoder behind hw/acpi.c's DSDT (see hw/acpi_aml.h).
 *
 * Encodings (ACPI 6.x, 20.2): a PkgLength counts itself and the body; up to 63 it is one
 * byte, else the lead byte's bits 7:6 give how many bytes follow (1-3), its bits 3:0 are
 * the length's low nibble and each following byte the next 8 bits. A NameSeg is four
 * characters; a path of two segments takes DualNamePrefix, more take MultiNamePrefix and
 * a count.
 */
#include <string.h>

#include "hw/acpi_aml.h"

enum {
    AML_ZERO = 0x00, AML_ONE = 0x01, AML_NAME = 0x08, AML_BYTE = 0x0a, AML_WORD = 0x0b,
    AML_DWORD = 0x0c, AML_STRING = 0x0d, AML_QWORD = 0x0e, AML_SCOPE = 0x10,
    AML_BUFFER = 0x11, AML_PACKAGE = 0x12, AML_METHOD = 0x14, AML_DUAL_NAME = 0x2e,
    AML_MULTI_NAME = 0x2f, AML_EXT_PREFIX = 0x5b, AML_EXT_DEVICE = 0x82, AML_ROOT = 0x5c,
    AML_PARENT = 0x5e, AML_ARG_BASE = 0x68, AML_STORE = 0x70, AML_IF = 0xa0,
    AML_RETURN = 0xa4,
};

/* Resource descriptor tags (ACPI 6.x, 6.4.2 small and 6.4.3 large). */
enum {
    RES_IRQ_NOFLAGS = 0x22, RES_IO = 0x47, RES_END = 0x79,
    RES_MEM32_FIXED = 0x86, RES_DWORD_ADDRESS = 0x87, RES_WORD_ADDRESS = 0x88,
};
enum { SPACE_MEMORY = 0, SPACE_IO = 1, SPACE_BUS = 2 };
/* general flags of an address space descriptor: producer, MinFixed, MaxFixed */
#define ADDRESS_FIXED_WINDOW 0x0c
#define IO_ENTIRE_RANGE 0x03
#define MEM_CACHEABLE_RW 0x03

void aml_init(Aml *a)
{
    memset(a, 0, sizeof(*a));
}

void aml_bytes(Aml *a, const void *data, size_t len)
{
    if (a->failed || len > AML_MAX_SIZE - a->len) {
        a->failed = true;
        return;
    }
    memcpy(a->code + a->len, data, len);
    a->len += len;
}

static void put8(Aml *a, unsigned v)
{
    uint8_t b = (uint8_t)v;
    aml_bytes(a, &b, 1);
}

static void put_le(Aml *a, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) put8(a, (unsigned)(v >> (8 * i)) & 0xff);
}

/* Make room for len bytes at `at` (moving what follows), and fill them. */
static void insert(Aml *a, size_t at, const uint8_t *data, size_t len)
{
    if (a->failed || len > AML_MAX_SIZE - a->len || at > a->len) {
        a->failed = true;
        return;
    }
    memmove(a->code + at + len, a->code + at, a->len - at);
    memcpy(a->code + at, data, len);
    a->len += len;
}

static size_t encode_pkg_length(uint8_t out[4], size_t body)
{
    size_t n = body + 1 <= 0x3f ? 1 : body + 2 <= 0xfff ? 2 : body + 3 <= 0xfffff ? 3 : 4;
    size_t total = body + n;
    if (n == 1) {
        out[0] = (uint8_t)total;
        return 1;
    }
    out[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
    for (size_t i = 1; i < n; i++) out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    return n;
}

/* The smallest integer encoding into out; its length. */
static size_t encode_integer(uint8_t out[9], uint64_t v)
{
    static const struct { uint64_t max; uint8_t prefix; unsigned bytes; } forms[] = {
        { 0xff, AML_BYTE, 1 }, { 0xffff, AML_WORD, 2 }, { 0xffffffffu, AML_DWORD, 4 },
        { UINT64_MAX, AML_QWORD, 8 },
    };
    if (v <= 1) {
        out[0] = v ? AML_ONE : AML_ZERO;
        return 1;
    }
    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        if (v > forms[f].max) continue;
        out[0] = forms[f].prefix;
        for (unsigned i = 0; i < forms[f].bytes; i++) out[1 + i] = (uint8_t)(v >> (8 * i));
        return 1 + forms[f].bytes;
    }
    return 0;   /* not reached: the last form takes every value */
}

void aml_integer(Aml *a, uint64_t v)
{
    uint8_t enc[9];
    aml_bytes(a, enc, encode_integer(enc, v));
}

void aml_string(Aml *a, const char *s)
{
    put8(a, AML_STRING);
    aml_bytes(a, s, strlen(s) + 1);
}

void aml_name_string(Aml *a, const char *path)
{
    while (*path == '\\' || *path == '^') put8(a, *path++ == '\\' ? AML_ROOT : AML_PARENT);
    unsigned segs = *path ? 1 : 0;
    for (const char *p = path; *p; p++) segs += *p == '.';
    if (segs == 0) {
        put8(a, AML_ZERO);          /* NullName */
        return;
    }
    if (segs == 2) put8(a, AML_DUAL_NAME);
    if (segs > 2) {
        put8(a, AML_MULTI_NAME);
        put8(a, segs);
    }
    while (*path) {
        char seg[4] = { '_', '_', '_', '_' };
        for (int i = 0; *path && *path != '.'; path++, i++) {
            if (i == 4) {
                a->failed = true;   /* a NameSeg has four characters at most */
                return;
            }
            seg[i] = *path;
        }
        aml_bytes(a, seg, 4);
        if (*path == '.') path++;
    }
}

/* "PNP0A03": three letters of five bits each ('A' = 1), then four hex digits. */
void aml_eisa_id(Aml *a, const char *id)
{
    if (strlen(id) != 7) {
        a->failed = true;
        return;
    }
    unsigned c[3], h[4];
    for (int i = 0; i < 3; i++) c[i] = (unsigned)(id[i] - '@') & 0x1f;
    for (int i = 0; i < 4; i++) {
        char d = id[3 + i];
        h[i] = d >= 'A' ? (unsigned)(d - 'A' + 10) : (unsigned)(d - '0');
    }
    uint8_t b[4] = {
        (uint8_t)((c[0] << 2) | (c[1] >> 3)), (uint8_t)(((c[1] & 7) << 5) | c[2]),
        (uint8_t)((h[0] << 4) | h[1]), (uint8_t)((h[2] << 4) | h[3]),
    };
    put8(a, AML_DWORD);
    aml_bytes(a, b, 4);
}

void aml_name(Aml *a, const char *path)
{
    put8(a, AML_NAME);
    aml_name_string(a, path);
}

static void open_pkg(Aml *a, bool buffer)
{
    if (a->depth == AML_MAX_DEPTH) {
        a->failed = true;
        return;
    }
    a->open_buffer[a->depth] = buffer;
    a->open_at[a->depth++] = a->len;
}

void aml_close(Aml *a)
{
    if (a->depth == 0) {
        a->failed = true;
        return;
    }
    a->depth--;
    size_t at = a->open_at[a->depth];
    uint8_t head[4 + 9];
    size_t head_len = 0;
    if (a->open_buffer[a->depth]) {
        /* BufferSize precedes the bytes inside the package */
        uint8_t size[9];
        size_t n = encode_integer(size, a->len - at);
        head_len = encode_pkg_length(head, a->len - at + n);
        memcpy(head + head_len, size, n);
        head_len += n;
    } else {
        head_len = encode_pkg_length(head, a->len - at);
    }
    insert(a, at, head, head_len);
}

void aml_open_scope(Aml *a, const char *path)
{
    put8(a, AML_SCOPE);
    open_pkg(a, false);
    aml_name_string(a, path);
}

void aml_open_device(Aml *a, const char *path)
{
    put8(a, AML_EXT_PREFIX);
    put8(a, AML_EXT_DEVICE);
    open_pkg(a, false);
    aml_name_string(a, path);
}

void aml_open_method(Aml *a, const char *path, unsigned nargs, bool serialized)
{
    put8(a, AML_METHOD);
    open_pkg(a, false);
    aml_name_string(a, path);
    put8(a, (nargs & 7) | (serialized ? 0x08 : 0));
}

void aml_open_package(Aml *a, unsigned nb_elements)
{
    put8(a, AML_PACKAGE);
    open_pkg(a, false);
    if (nb_elements > 0xff) a->failed = true;
    put8(a, nb_elements);
}

void aml_open_buffer(Aml *a)
{
    put8(a, AML_BUFFER);
    open_pkg(a, true);
}

void aml_open_if(Aml *a)
{
    put8(a, AML_IF);
    open_pkg(a, false);
}

void aml_return(Aml *a)
{
    put8(a, AML_RETURN);
}

void aml_store(Aml *a)
{
    put8(a, AML_STORE);
}

void aml_arg(Aml *a, unsigned n)
{
    if (n > 6) a->failed = true;
    put8(a, AML_ARG_BASE + (n & 7));
}

/* ---------------------------------------------------------------- resource descriptors */

void aml_res_io(Aml *a, uint16_t base, uint8_t length)
{
    put8(a, RES_IO);
    put8(a, 0x01);                  /* decodes 16 address bits */
    put_le(a, base, 2);             /* minimum and maximum base: a fixed range */
    put_le(a, base, 2);
    put8(a, 0x01);                  /* alignment */
    put8(a, length);
}

void aml_res_irq(Aml *a, unsigned irq)
{
    put8(a, RES_IRQ_NOFLAGS);
    put_le(a, irq < 16 ? 1u << irq : 0, 2);
    if (irq >= 16) a->failed = true;
}

void aml_res_mem32_fixed(Aml *a, uint32_t base, uint32_t length, bool writable)
{
    put8(a, RES_MEM32_FIXED);
    put_le(a, 9, 2);
    put8(a, writable ? 1 : 0);
    put_le(a, base, 4);
    put_le(a, length, 4);
}

/* A Word or DWord address space descriptor for a window the bridge forwards as is
 * (granularity 0, no translation). */
static void address_window(Aml *a, unsigned space, unsigned type_flags, uint64_t first,
                           uint64_t last, unsigned field_bytes)
{
    put8(a, field_bytes == 2 ? RES_WORD_ADDRESS : RES_DWORD_ADDRESS);
    put_le(a, 3 + 5 * field_bytes, 2);
    put8(a, space);
    put8(a, ADDRESS_FIXED_WINDOW);
    put8(a, type_flags);
    put_le(a, 0, field_bytes);                  /* granularity */
    put_le(a, first, field_bytes);
    put_le(a, last, field_bytes);
    put_le(a, 0, field_bytes);                  /* translation offset */
    put_le(a, last - first + 1, field_bytes);
}

void aml_res_bus_numbers(Aml *a, uint16_t first, uint16_t last)
{
    address_window(a, SPACE_BUS, 0, first, last, 2);
}

void aml_res_io_window(Aml *a, uint16_t first, uint16_t last)
{
    address_window(a, SPACE_IO, IO_ENTIRE_RANGE, first, last, 2);
}

void aml_res_mem_window(Aml *a, uint32_t first, uint32_t last)
{
    address_window(a, SPACE_MEMORY, MEM_CACHEABLE_RW, first, last, 4);
}

void aml_res_end(Aml *a)
{
    put8(a, RES_END);
    put8(a, 0);                     /* checksum 0: "the template is consistent" */
}
