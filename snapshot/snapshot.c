/*
 * snapshot/snapshot.c — the snapshot file: writing it from a stopped machine, and reading
 * it back (check everything into a staging copy first, then commit). snapshot.h describes
 * the format.
 *
 * The CPU and every device are walked through StateField tables (the CPU's is here, each
 * device's is its own), written as named fields, so a field a later version adds or a
 * field's position never breaks an older file. RAM goes in chunks of 256 pages: a bitmap
 * of the pages that are not all zero, then those pages deflated. A file is built in memory
 * and written at once; a loaded file is read (or mapped) whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "snapshot/snapshot.h"
#include "tcg/tcg.h"
#include "ui/ferry_version.h"

#define MAGIC "FERRYSNP"
#define HEADER_SIZE 64
#define VERSION_FIELD_SIZE 24
#define SECTION_NAME_SIZE 32
#define SECTION_HEADER_SIZE 48
#define CHUNK_PAGES 256
#define CHUNK_BYTES (CHUNK_PAGES * PAGE_SIZE)
#define CLOCK_SECTION_SIZE 40
#define RAM_HEADER_SIZE 16
#define CHUNK_HEADER_SIZE (8 + 4 + 4 + CHUNK_PAGES / 8)
#define CPU_VERSION 2   /* 2: xcr0 and inhibit_debug */
#define CLOCK_VERSION 1
#define RAM_VERSION 1
#define MMU_VERSION 1
#define MMU_SECTION_SIZE 1

/* ---------------------------------------------------------------- the CPU's fields
 * Everything above "not state" in CPUState (cpu/cpu.h); hflags is derived but kept, as the
 * translator keys on it. Below the line are caches, host pointers and loop bookkeeping. */
static const StateField cpu_fields[] = {
    STATE_FIELD(CPUState, regs, 1),
    STATE_FIELD(CPUState, rip, 1),
    STATE_FIELD(CPUState, eflags, 1),
    STATE_FIELD(CPUState, cc_op, 1),
    STATE_FIELD(CPUState, cc_dst, 1),
    STATE_FIELD(CPUState, cc_src, 1),
    STATE_FIELD(CPUState, cc_src2, 1),
    STATE_FIELD(CPUState, seg, 1),
    STATE_FIELD(CPUState, ldt, 1),
    STATE_FIELD(CPUState, tr, 1),
    STATE_FIELD(CPUState, gdt, 1),
    STATE_FIELD(CPUState, idt, 1),
    STATE_FIELD(CPUState, cr, 1),
    STATE_FIELD(CPUState, cr8, 1),
    STATE_FIELD(CPUState, efer, 1),
    STATE_FIELD(CPUState, dr, 1),
    STATE_FIELD(CPUState, apic_base, 1),
    STATE_FIELD(CPUState, sysenter_cs, 1),
    STATE_FIELD(CPUState, sysenter_esp, 1),
    STATE_FIELD(CPUState, sysenter_eip, 1),
    STATE_FIELD(CPUState, star, 1),
    STATE_FIELD(CPUState, lstar, 1),
    STATE_FIELD(CPUState, cstar, 1),
    STATE_FIELD(CPUState, fmask, 1),
    STATE_FIELD(CPUState, kernel_gs_base, 1),
    STATE_FIELD(CPUState, pat, 1),
    STATE_FIELD(CPUState, tsc_aux, 1),
    STATE_FIELD(CPUState, tsc_deadline, 1),
    STATE_FIELD(CPUState, hflags, 1),
    STATE_FIELD(CPUState, fpregs, 1),
    STATE_FIELD(CPUState, fpuc, 1),
    STATE_FIELD(CPUState, fpus, 1),
    STATE_FIELD(CPUState, fptag, 1),
    STATE_FIELD(CPUState, mxcsr, 1),
    STATE_FIELD(CPUState, xmm, 1),
    STATE_FIELD(CPUState, xcr0, 1),
    STATE_FIELD(CPUState, tsc_offset, 1),
    STATE_FIELD(CPUState, interrupt_request, 1),
    STATE_FIELD(CPUState, halted, 1),
    STATE_FIELD(CPUState, inhibit_irq, 1),
    STATE_FIELD(CPUState, inhibit_irq_rip, 1),
    STATE_FIELD(CPUState, inhibit_debug, 1),
    STATE_END
};

/* ---------------------------------------------------------------- little helpers */

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    return fnv1a(h, s ? s : "", (s ? strlen(s) : 0) + 1);
}

/* Everything a snapshot is only valid for: a file from another configuration is refused. */
static uint64_t config_hash(const Machine *m)
{
    uint64_t h = 0xcbf29ce484222325ull;
    uint8_t ram[8];
    put_le(ram, m->cfg.ram_size, 8);
    h = fnv1a(h, ram, sizeof(ram));
    h = hash_str(h, m->cfg.cpu_model);
    h = hash_str(h, tcg_backend() == TCG_BACKEND_INTERP ? "interp" : "jit");
    for (int i = 0; i < m->nb_devices; i++) {
        uint8_t version[4];
        put_le(version, m->devices[i].ops->version, 4);
        h = hash_str(h, m->devices[i].ops->name);
        h = fnv1a(h, version, sizeof(version));
    }
    /* Disks: which slots hold one, read-only or not, and each image's size. The contents
     * must be what the machine had when it was saved (as for QEMU's migration with shared
     * storage); a different or resized image in a slot is refused, hashing whole images to
     * catch the rest is not worth their size. */
    for (int i = 0; i < MAX_IDE_DRIVES; i++) {
        const DriveConfig *d = &m->cfg.ide[i];
        struct stat st;
        uint8_t disk[10] = { 0 };
        disk[0] = d->file != NULL;
        disk[1] = d->readonly;
        if (d->file && stat(d->file, &st) == 0) put_le(disk + 2, (uint64_t)st.st_size, 8);
        h = fnv1a(h, disk, sizeof(disk));
    }
    return h;
}

static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;
    for (size_t i = 0; i < PAGE_SIZE / 8; i += 8) {
        if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] | w[i + 7])
            return false;
    }
    return true;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Percent and MiB/s on a terminal, every few percent; nothing otherwise. */
typedef struct Progress {
    const char *verb;
    uint64_t total, last_percent;
    double start;
    bool on;
} Progress;

static void progress_begin(Progress *p, const char *verb, uint64_t total)
{
    *p = (Progress){ .verb = verb, .total = total ? total : 1, .start = now_seconds(),
                     .on = isatty(STDERR_FILENO) != 0, .last_percent = UINT64_MAX };
}

static void progress_update(Progress *p, uint64_t done)
{
    if (!p->on) return;
    uint64_t percent = done * 100 / p->total;
    if (percent == p->last_percent || (percent % 5 && percent != 100)) return;
    p->last_percent = percent;
    double t = now_seconds() - p->start;
    fprintf(stderr, "\rferry: %s %3llu%% %7.1f MiB/s", p->verb, (unsigned long long)percent,
            t > 0 ? (double)done / (1 << 20) / t : 0.0);
    if (percent == 100) fputc('\n', stderr);
}

/* ---------------------------------------------------------------- writing */

typedef struct Buf {
    uint8_t *data;
    size_t len, cap;
    bool failed;
} Buf;

static uint8_t *buf_reserve(Buf *b, size_t n)
{
    if (b->failed) return NULL;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n) cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return NULL;
        }
        b->data = d;
        b->cap = cap;
    }
    return b->data + b->len;
}

static void buf_put(Buf *b, const void *data, size_t n)
{
    uint8_t *p = buf_reserve(b, n);
    if (!p) return;
    memcpy(p, data, n);
    b->len += n;
}

static void buf_put_le(Buf *b, uint64_t v, unsigned n)
{
    uint8_t tmp[8];
    put_le(tmp, v, n);
    buf_put(b, tmp, n);
}

/* A section is begun with a placeholder header and finished once its payload is known. */
static size_t section_begin(Buf *b, const char *name, uint32_t version)
{
    size_t at = b->len;
    uint8_t header[SECTION_HEADER_SIZE] = { 0 };
    memcpy(header, name, strnlen(name, SECTION_NAME_SIZE - 1));
    put_le(header + 32, version, 4);
    buf_put(b, header, sizeof(header));
    return at;
}

static uint32_t section_crc(const uint8_t *header, const uint8_t *payload, uint64_t len)
{
    uLong crc = crc32(0, header, 36);           /* name, version */
    crc = crc32(crc, header + 40, 8);           /* length */
    for (uint64_t done = 0; done < len;) {
        uInt n = len - done > (1u << 30) ? 1u << 30 : (uInt)(len - done);
        crc = crc32(crc, payload + done, n);
        done += n;
    }
    return (uint32_t)crc;
}

static void section_end(Buf *b, size_t at)
{
    if (b->failed) return;
    uint8_t *header = b->data + at;
    uint64_t len = b->len - at - SECTION_HEADER_SIZE;
    put_le(header + 40, len, 8);
    put_le(header + 36, section_crc(header, header + SECTION_HEADER_SIZE, len), 4);
}

/* Fields as records: name length, name, size, bytes. */
static void put_fields(Buf *b, const StateField *fields, const void *state)
{
    for (const StateField *f = fields; f && f->name; f++) {
        size_t name_len = strlen(f->name);
        buf_put_le(b, name_len, 1);
        buf_put(b, f->name, name_len);
        buf_put_le(b, f->size, 4);
        buf_put(b, (const uint8_t *)state + f->offset, f->size);
    }
}

static void device_section_name(const Machine *m, int i, char out[SECTION_NAME_SIZE])
{
    snprintf(out, SECTION_NAME_SIZE, "dev:%d:%s", i, m->devices[i].ops->name);
}

static void put_clock(Buf *b, Machine *m)
{
    ClockState c;
    clock_get_state(&c);
    buf_put_le(b, c.now_ns, 8);
    buf_put_le(b, c.icount, 8);
    buf_put_le(b, c.warp_ns, 8);
    buf_put_le(b, c.icount_shift, 4);
    buf_put_le(b, 0, 4);
    buf_put_le(b, cpu_get_tsc(m->cpu), 8);      /* a host-time restore keeps the guest TSC */
}

/* ---------------------------------------------------------------- RAM chunks
 * Chunks are independent, so every host CPU deflates (and on load inflates) its share:
 * zlib is the cost of a snapshot. A chunk whose first page does not shrink is stored raw
 * (bit 31 of its page count), so incompressible memory costs a copy, not a deflate. */

#define CHUNK_RAW 0x80000000u
#define MAX_WORKERS 8

typedef struct RamChunk {
    uint64_t first;
    uint32_t count;
    uint8_t bitmap[CHUNK_PAGES / 8];
    const uint8_t *in;          /* load: the stored bytes */
    uint64_t in_len;
    uint8_t *out;               /* save: the stored bytes (malloc'd); load: the pages */
    uint64_t out_len;
    bool raw, failed;
} RamChunk;

typedef struct RamJob {
    RamChunk *chunks;
    size_t nb_chunks;
    size_t next;                /* next chunk to take (atomic) */
    size_t done;                /* chunks finished (atomic), for the progress line */
    void (*work)(RamChunk *c);
} RamJob;

static void *ram_worker(void *opaque)
{
    RamJob *job = opaque;
    for (;;) {
        size_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
        if (i >= job->nb_chunks) return NULL;
        job->work(&job->chunks[i]);
        __atomic_fetch_add(&job->done, 1, __ATOMIC_RELAXED);
    }
}

/* Run job->work on every chunk with every host CPU; the calling thread reports progress
 * (bytes = chunks done * bytes_per_chunk) between its own chunks. */
static void ram_run(RamJob *job, Progress *progress, uint64_t bytes_per_chunk)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int helpers = cpus > MAX_WORKERS ? MAX_WORKERS - 1 : cpus > 1 ? (int)cpus - 1 : 0;
    pthread_t threads[MAX_WORKERS];
    int started = 0;
    while (started < helpers && (size_t)started + 1 < job->nb_chunks &&
           pthread_create(&threads[started], NULL, ram_worker, job) == 0) {
        started++;
    }
    for (;;) {
        size_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
        if (i >= job->nb_chunks) break;
        job->work(&job->chunks[i]);
        size_t done = __atomic_add_fetch(&job->done, 1, __ATOMIC_RELAXED);
        progress_update(progress, done * bytes_per_chunk);
    }
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    progress_update(progress, job->nb_chunks * bytes_per_chunk);
}

/* Find the chunk's pages that are not all zero and store them, deflated or raw. */
static void encode_chunk(RamChunk *c)
{
    const uint8_t *pages[CHUNK_PAGES];
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->count; i++) {
        /* RAM hidden behind ROM or the shadow window is saved too (phys_ram_backing) */
        const uint8_t *page = phys_ram_backing((c->first + i) * PAGE_SIZE, PAGE_SIZE);
        if (!page || page_is_zero(page)) continue;
        c->bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
        pages[n++] = page;
    }
    if (!n) return;
    uint8_t sample[PAGE_SIZE + 64];
    uLongf sample_len = sizeof(sample);
    c->raw = compress2(sample, &sample_len, pages[0], PAGE_SIZE, Z_BEST_SPEED) != Z_OK ||
             sample_len > PAGE_SIZE * 7 / 8;
    uint64_t plain_len = (uint64_t)n * PAGE_SIZE;
    z_stream z = { 0 };
    c->out = malloc(c->raw ? plain_len : deflateBound(&z, plain_len) + 64);
    if (!c->out) {
        c->failed = true;
        return;
    }
    if (c->raw) {
        for (uint32_t i = 0; i < n; i++) memcpy(c->out + (uint64_t)i * PAGE_SIZE, pages[i], PAGE_SIZE);
        c->out_len = plain_len;
        return;
    }
    /* the pages are fed where they are, without a copy */
    if (deflateInit(&z, Z_BEST_SPEED) != Z_OK) {
        c->failed = true;
        return;
    }
    uLong bound = deflateBound(&z, plain_len);
    z.next_out = c->out;
    z.avail_out = (uInt)bound;
    int rc = Z_OK;
    for (uint32_t i = 0; i < n && rc == Z_OK; i++) {
        z.next_in = (Bytef *)pages[i];
        z.avail_in = PAGE_SIZE;
        rc = deflate(&z, i + 1 == n ? Z_FINISH : Z_NO_FLUSH);
        if (i + 1 < n && rc == Z_OK && z.avail_in) rc = Z_BUF_ERROR;
    }
    c->failed = rc != Z_STREAM_END;
    c->out_len = z.total_out;
    deflateEnd(&z);
}

static void put_ram(Buf *b, Progress *progress)
{
    uint64_t ram_size = phys_ram_size(), pages = ram_size / PAGE_SIZE;
    buf_put_le(b, ram_size, 8);
    buf_put_le(b, PAGE_SIZE, 4);
    buf_put_le(b, CHUNK_PAGES, 4);
    RamJob job = { .nb_chunks = (size_t)((pages + CHUNK_PAGES - 1) / CHUNK_PAGES), .work = encode_chunk };
    job.chunks = calloc(job.nb_chunks ? job.nb_chunks : 1, sizeof(RamChunk));
    if (!job.chunks) {
        b->failed = true;
        return;
    }
    for (size_t i = 0; i < job.nb_chunks; i++) {
        uint64_t first = (uint64_t)i * CHUNK_PAGES;
        job.chunks[i].first = first;
        job.chunks[i].count = pages - first < CHUNK_PAGES ? (uint32_t)(pages - first) : CHUNK_PAGES;
    }
    ram_run(&job, progress, CHUNK_BYTES);
    for (size_t i = 0; i < job.nb_chunks; i++) {
        RamChunk *c = &job.chunks[i];
        if (c->failed) b->failed = true;
        if (c->out_len && !b->failed) {
            uint8_t header[CHUNK_HEADER_SIZE];
            put_le(header, c->first, 8);
            put_le(header + 8, c->count | (c->raw ? CHUNK_RAW : 0), 4);
            put_le(header + 12, c->out_len, 4);
            memcpy(header + 16, c->bitmap, sizeof(c->bitmap));
            buf_put(b, header, sizeof(header));
            buf_put(b, c->out, c->out_len);
        }
        free(c->out);
    }
    free(job.chunks);
}

bool snapshot_save_buffer(Machine *m, uint8_t **out, size_t *len)
{
    Buf b = { 0 };
    uint8_t header[HEADER_SIZE] = { 0 };
    memcpy(header, MAGIC, 8);
    put_le(header + 8, SNAPSHOT_FORMAT_VERSION, 4);
    put_le(header + 12, HEADER_SIZE, 4);
    memcpy(header + 16, FERRY_VERSION, strnlen(FERRY_VERSION, VERSION_FIELD_SIZE - 1));
    put_le(header + 40, config_hash(m), 8);
    put_le(header + 60, crc32(0, header, 60), 4);
    buf_put(&b, header, sizeof(header));

    size_t at = section_begin(&b, "cpu", CPU_VERSION);
    put_fields(&b, cpu_fields, m->cpu);
    section_end(&b, at);
    for (int i = 0; i < m->nb_devices; i++) {
        char name[SECTION_NAME_SIZE];
        device_section_name(m, i, name);
        at = section_begin(&b, name, m->devices[i].ops->version);
        put_fields(&b, m->devices[i].ops->fields, m->devices[i].state);
        section_end(&b, at);
    }
    at = section_begin(&b, "clock", CLOCK_VERSION);
    put_clock(&b, m);
    section_end(&b, at);
    /* the A20 gate lives in mmu/ (ports 0x92 and the i8042 set it, neither keeps it) */
    at = section_begin(&b, "mmu", MMU_VERSION);
    buf_put_le(&b, phys_a20(), 1);
    section_end(&b, at);

    Progress progress;
    progress_begin(&progress, "savevm", phys_ram_size());
    at = section_begin(&b, "ram", RAM_VERSION);
    put_ram(&b, &progress);
    section_end(&b, at);
    section_end(&b, section_begin(&b, "end", 1));
    if (b.failed) {
        free(b.data);
        return false;
    }
    *out = b.data;
    *len = b.len;
    return true;
}

bool snapshot_save(Machine *m, const char *path)
{
    uint8_t *data;
    size_t len;
    if (!snapshot_save_buffer(m, &data, &len)) {
        fprintf(stderr, "ferry: savevm %s: out of memory\n", path);
        return false;
    }
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = false;
    if (!ok) fprintf(stderr, "ferry: savevm %s: %s\n", path, strerror(errno ? errno : EIO));
    free(data);
    return ok;
}

/* ---------------------------------------------------------------- reading: checking */

typedef struct Section {
    char name[SECTION_NAME_SIZE];
    uint32_t version;
    const uint8_t *payload;
    uint64_t len;
} Section;

/* What a checked file holds, before any of it reaches the machine. RAM pages are inflated
 * into `ram_pages` in file order; ram_index lists their page numbers. */
typedef struct Staging {
    Section cpu, clock, ram, mmu;
    Section devices[MAX_DEVICES];
    uint8_t *ram_pages;
    uint64_t *ram_index;
    uint64_t nb_ram_pages;
    char *err;
    size_t err_size;
} Staging;

static bool fail(Staging *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(Staging *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->err, st->err_size, fmt, ap);
    va_end(ap);
    /* names come from the file: keep the message one printable line */
    for (char *c = st->err; *c; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7f) *c = '?';
    }
    return false;
}

/* Field records against a table: every record well formed, known and of the right size. */
static bool check_fields(Staging *st, const Section *s, const StateField *fields)
{
    for (uint64_t pos = 0; pos < s->len;) {
        uint64_t name_len = s->payload[pos];
        if (s->len - pos < 1 + name_len + 4) return fail(st, "section %s: truncated field", s->name);
        const char *name = (const char *)s->payload + pos + 1;
        uint64_t size = get_le(s->payload + pos + 1 + name_len, 4);
        pos += 1 + name_len + 4;
        if (s->len - pos < size) return fail(st, "section %s: truncated field", s->name);
        const StateField *f = fields;
        while (f && f->name && (strlen(f->name) != name_len || memcmp(f->name, name, name_len))) f++;
        if (!f || !f->name) return fail(st, "section %s: unknown field '%.*s'", s->name, (int)name_len, name);
        if (f->size != size) return fail(st, "section %s: field %s has the wrong size", s->name, f->name);
        pos += size;
    }
    return true;
}

static void apply_fields(const Section *s, const StateField *fields, void *state)
{
    for (uint64_t pos = 0; pos < s->len;) {
        uint64_t name_len = s->payload[pos];
        const char *name = (const char *)s->payload + pos + 1;
        uint64_t size = get_le(s->payload + pos + 1 + name_len, 4);
        pos += 1 + name_len + 4;
        const StateField *f = fields;
        while (strlen(f->name) != name_len || memcmp(f->name, name, name_len)) f++;
        memcpy((uint8_t *)state + f->offset, s->payload + pos, size);
        pos += size;
    }
}

/* A stored chunk back to its pages, exactly as many bytes as the bitmap says. */
static void decode_chunk(RamChunk *c)
{
    if (c->raw) {
        c->failed = c->in_len != c->out_len;
        if (!c->failed) memcpy(c->out, c->in, c->out_len);
        return;
    }
    uLongf plain_len = c->out_len;
    c->failed = uncompress(c->out, &plain_len, c->in, c->in_len) != Z_OK || plain_len != c->out_len;
}

/* Every chunk inflated into the staging area; pages inside RAM, in increasing order. */
static bool check_ram(Staging *st, Progress *progress)
{
    const Section *s = &st->ram;
    if (s->len < RAM_HEADER_SIZE) return fail(st, "section ram: truncated");
    uint64_t ram_size = get_le(s->payload, 8);
    if (ram_size != phys_ram_size() || get_le(s->payload + 8, 4) != PAGE_SIZE ||
        get_le(s->payload + 12, 4) != CHUNK_PAGES) {
        return fail(st, "section ram: RAM size or layout does not match");
    }
    uint64_t pages = ram_size / PAGE_SIZE, stored = 0, next_first = 0;
    size_t max_chunks = (size_t)((pages + CHUNK_PAGES - 1) / CHUNK_PAGES);
    RamJob job = { .work = decode_chunk };
    job.chunks = calloc(max_chunks ? max_chunks : 1, sizeof(RamChunk));
    if (!job.chunks) return fail(st, "out of memory");
    /* first pass: the chunk headers, to size the staging area */
    bool ok = true;
    for (uint64_t pos = RAM_HEADER_SIZE; pos < s->len && ok;) {
        if (s->len - pos < CHUNK_HEADER_SIZE) {
            ok = fail(st, "section ram: truncated chunk");
            break;
        }
        const uint8_t *h = s->payload + pos;
        uint64_t first = get_le(h, 8), count = get_le(h + 8, 4) & ~(uint64_t)CHUNK_RAW, packed = get_le(h + 12, 4);
        if (first < next_first || first % CHUNK_PAGES || first >= pages || count == 0 ||
            count > CHUNK_PAGES || count > pages - first || job.nb_chunks == max_chunks) {
            ok = fail(st, "section ram: bad chunk at page %llu", (unsigned long long)first);
            break;
        }
        if (s->len - pos - CHUNK_HEADER_SIZE < packed) {
            ok = fail(st, "section ram: truncated chunk");
            break;
        }
        RamChunk *c = &job.chunks[job.nb_chunks++];
        *c = (RamChunk){ .first = first, .count = (uint32_t)count, .in = h + CHUNK_HEADER_SIZE,
                         .in_len = packed, .raw = (get_le(h + 8, 4) & CHUNK_RAW) != 0 };
        memcpy(c->bitmap, h + 16, sizeof(c->bitmap));
        uint64_t chunk_pages = 0;
        for (uint64_t i = 0; i < CHUNK_PAGES; i++) {
            bool set = c->bitmap[i / 8] & (1u << (i % 8));
            if (set && i >= count) ok = fail(st, "section ram: bad chunk bitmap");
            chunk_pages += set;
        }
        c->out_len = chunk_pages * PAGE_SIZE;
        stored += chunk_pages;
        next_first = first + count;
        pos += CHUNK_HEADER_SIZE + packed;
    }
    if (ok) {
        st->ram_pages = malloc(stored ? stored * PAGE_SIZE : 1);
        st->ram_index = malloc(stored ? stored * sizeof(uint64_t) : 1);
        if (!st->ram_pages || !st->ram_index) ok = fail(st, "out of memory");
    }
    if (ok) {
        /* second pass, on every CPU: inflate each chunk into its place */
        for (size_t k = 0; k < job.nb_chunks; k++) {
            RamChunk *c = &job.chunks[k];
            c->out = st->ram_pages + st->nb_ram_pages * PAGE_SIZE;
            for (uint64_t i = 0; i < CHUNK_PAGES; i++) {
                if (c->bitmap[i / 8] & (1u << (i % 8))) st->ram_index[st->nb_ram_pages++] = c->first + i;
            }
        }
        ram_run(&job, progress, s->len / (job.nb_chunks ? job.nb_chunks : 1));
        for (size_t k = 0; k < job.nb_chunks && ok; k++) {
            if (job.chunks[k].failed) {
                ok = fail(st, "section ram: corrupt data at page %llu", (unsigned long long)job.chunks[k].first);
            }
        }
    }
    free(job.chunks);
    return ok;
}

/* One section header at *pos: bounds, CRC. */
static bool read_section(Staging *st, const uint8_t *data, size_t len, size_t *pos, Section *out)
{
    if (len - *pos < SECTION_HEADER_SIZE) return fail(st, "truncated file (section header)");
    const uint8_t *h = data + *pos;
    if (memchr(h, 0, SECTION_NAME_SIZE) == NULL) return fail(st, "corrupt section name");
    memcpy(out->name, h, SECTION_NAME_SIZE);
    out->version = (uint32_t)get_le(h + 32, 4);
    out->len = get_le(h + 40, 8);
    if (len - *pos - SECTION_HEADER_SIZE < out->len) return fail(st, "truncated file (section %s)", out->name);
    out->payload = h + SECTION_HEADER_SIZE;
    if (section_crc(h, out->payload, out->len) != get_le(h + 36, 4)) {
        return fail(st, "section %s: CRC mismatch (corrupt file)", out->name);
    }
    *pos += SECTION_HEADER_SIZE + out->len;
    return true;
}

static bool check_version(Staging *st, const Section *s, uint32_t supported)
{
    if (s->version == 0 || s->version > supported) {
        return fail(st, "section %s has version %u, this ferry reads up to %u", s->name, s->version, supported);
    }
    return true;
}

static bool check_file(Machine *m, Staging *st, const uint8_t *data, size_t len)
{
    if (len < HEADER_SIZE || memcmp(data, MAGIC, 8) != 0) return fail(st, "not a ferry snapshot");
    if (get_le(data + 60, 4) != crc32(0, data, 60)) return fail(st, "header CRC mismatch (corrupt file)");
    uint32_t format = (uint32_t)get_le(data + 8, 4);
    if (format > SNAPSHOT_FORMAT_VERSION || format == 0) {
        return fail(st, "format version %u is newer than this ferry's (%u)", format, SNAPSHOT_FORMAT_VERSION);
    }
    if (get_le(data + 12, 4) != HEADER_SIZE) return fail(st, "bad header size");
    if (get_le(data + 40, 8) != config_hash(m)) {
        return fail(st, "saved by ferry %.*s with another machine configuration "
                        "(RAM size, -cpu, -accel, devices or disks differ)",
                    (int)strnlen((const char *)data + 16, VERSION_FIELD_SIZE), (const char *)data + 16);
    }
    int nb_devices = 0;
    bool end = false;
    for (size_t pos = HEADER_SIZE; !end;) {
        if (pos == len) return fail(st, "truncated file (no end section)");
        Section s;
        if (!read_section(st, data, len, &pos, &s)) return false;
        if (!strcmp(s.name, "end")) {
            if (pos != len) return fail(st, "data after the end section");
            end = true;
        } else if (!strcmp(s.name, "cpu") && !st->cpu.payload) {
            if (!check_version(st, &s, CPU_VERSION) || !check_fields(st, &s, cpu_fields)) return false;
            st->cpu = s;
        } else if (!strcmp(s.name, "clock") && !st->clock.payload) {
            if (!check_version(st, &s, CLOCK_VERSION)) return false;
            if (s.len != CLOCK_SECTION_SIZE) return fail(st, "section clock: wrong size");
            st->clock = s;
        } else if (!strcmp(s.name, "mmu") && !st->mmu.payload) {
            if (!check_version(st, &s, MMU_VERSION)) return false;
            if (s.len != MMU_SECTION_SIZE || s.payload[0] > 1) return fail(st, "section mmu: bad contents");
            st->mmu = s;
        } else if (!strcmp(s.name, "ram") && !st->ram.payload) {
            if (!check_version(st, &s, RAM_VERSION)) return false;
            st->ram = s;
        } else if (!strncmp(s.name, "dev:", 4) && nb_devices < m->nb_devices) {
            char expected[SECTION_NAME_SIZE];
            device_section_name(m, nb_devices, expected);
            const DeviceOps *ops = m->devices[nb_devices].ops;
            if (strcmp(s.name, expected)) return fail(st, "section %s: expected %s", s.name, expected);
            if (!check_version(st, &s, ops->version) || !check_fields(st, &s, ops->fields)) return false;
            st->devices[nb_devices++] = s;
        } else {
            return fail(st, "unexpected section '%s'", s.name);
        }
    }
    if (!st->cpu.payload || !st->clock.payload || !st->ram.payload || !st->mmu.payload ||
        nb_devices != m->nb_devices) {
        return fail(st, "incomplete snapshot (a section is missing)");
    }
    Progress progress;
    progress_begin(&progress, "loadvm", st->ram.len);
    return check_ram(st, &progress);
}

/* ---------------------------------------------------------------- reading: committing */

/* Zero guest RAM (pages not in the file are zero): contiguous runs of RAM are handed back
 * to the kernel, which is both faster than writing zeros and returns the memory. */
static void ram_clear(void)
{
    uint64_t pages = phys_ram_size() / PAGE_SIZE;
    for (uint64_t p = 0; p < pages;) {
        uint8_t *start = phys_ram_backing(p * PAGE_SIZE, PAGE_SIZE);
        if (!start) {
            p++;
            continue;
        }
        uint64_t n = 1;
        while (p + n < pages && phys_ram_backing((p + n) * PAGE_SIZE, PAGE_SIZE) == start + n * PAGE_SIZE) n++;
        if (madvise(start, n * PAGE_SIZE, MADV_DONTNEED) != 0) memset(start, 0, n * PAGE_SIZE);
        p += n;
    }
}

static void commit(Machine *m, const Staging *st)
{
    CPUState *env = m->cpu;
    apply_fields(&st->cpu, cpu_fields, env);
    for (int i = 0; i < m->nb_devices; i++) {
        apply_fields(&st->devices[i], m->devices[i].ops->fields, m->devices[i].state);
    }
    phys_set_a20(st->mmu.payload[0] != 0);
    ram_clear();
    for (uint64_t i = 0; i < st->nb_ram_pages; i++) {
        uint8_t *page = phys_ram_backing(st->ram_index[i] * PAGE_SIZE, PAGE_SIZE);
        if (page) memcpy(page, st->ram_pages + i * PAGE_SIZE, PAGE_SIZE);
    }
    const uint8_t *c = st->clock.payload;
    ClockState clock = { get_le(c, 8), get_le(c + 8, 8), get_le(c + 16, 8), (uint32_t)get_le(c + 24, 4) };
    clock_set_state(&clock);
    if (!clock_icount_enabled()) {
        /* host time: the guest TSC reads on from where it was saved */
        env->tsc_offset += get_le(c + 32, 8) - cpu_get_tsc(env);
    }
    /* the devices re-arm their timers on the restored clock and redo mappings and lines */
    for (int i = 0; i < m->nb_devices; i++) {
        if (m->devices[i].ops->post_load) m->devices[i].ops->post_load(m->devices[i].state);
    }
    /* caches are not state */
    env->exception_index = -1;
    env->dbg_insn_alone = false;
    env->dbg_data_hits = 0;
    env->icount_tb = NULL;
    cpu_interrupt(env, CPU_INT_EXIT);       /* a running loop looks at the new state */
    tb_flush();
    tlb_flush(env);
}

bool snapshot_load_buffer(Machine *m, const uint8_t *data, size_t len, char *err, size_t err_size)
{
    char scratch[8];
    Staging st = { .err = err ? err : scratch, .err_size = err ? err_size : sizeof(scratch) };
    bool ok = check_file(m, &st, data, len);
    if (ok) commit(m, &st);
    free(st.ram_pages);
    free(st.ram_index);
    return ok;
}

bool snapshot_load(Machine *m, const char *path)
{
    char err[256];
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "ferry: loadvm %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return false;
    }
    size_t len = (size_t)sb.st_size;
    const uint8_t *data = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (len && data == MAP_FAILED) {
        fprintf(stderr, "ferry: loadvm %s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = snapshot_load_buffer(m, data ? data : (const uint8_t *)"", len, err, sizeof(err));
    if (data) munmap((void *)data, len);
    if (!ok) fprintf(stderr, "ferry: loadvm %s: %s\n", path, err);
    return ok;
}

/* ---------------------------------------------------------------- -savevm-at */

typedef struct ScheduledSave {
    Machine *m;
    const char *path;
} ScheduledSave;

static void scheduled_save_fire(void *opaque, uint64_t now_ns)
{
    ScheduledSave *s = opaque;
    if (!snapshot_save(s->m, s->path)) machine_request_exit(s->m, 1);
}

bool snapshot_schedule_save(Machine *m, uint64_t at_ns, const char *path)
{
    ScheduledSave *s = malloc(sizeof(*s));
    if (!s) return false;
    *s = (ScheduledSave){ m, path };
    timer_mod(timer_new(scheduled_save_fire, s), at_ns);
    return true;
}
