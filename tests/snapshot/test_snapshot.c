/*
 * tests/snapshot/test_snapshot.c — the snapshot format in-process, on a small machine
 * (-m 2, the ticks guest, every device registered) stopped under -icount part-way through
 * its run.
 *
 *   roundtrip GUEST ACCEL  save; scribble over the CPU's and every device's described state
 *                          and over RAM; load; every field and the RAM are back, byte for
 *                          byte, and saving again gives the same file. Then a configuration
 *                          mismatch and a newer format are refused with the machine intact.
 *   flip GUEST ACCEL       flip each byte of the snapshot in turn (and cut it at every
 *                          length): the loader reports one line and leaves the machine as it
 *                          was, or loads a state identical to the original; never crashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cpu/cpu.h"
#include "hw/hw.h"
#include "mmu/mmu.h"
#include "snapshot/snapshot.h"

#define RAM_SIZE (2ull << 20)
#define RUN_UNTIL_NS 2000000ull     /* about a third of the guest's run at shift 0 */
#define HEADER_SIZE 64

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static void stop_machine(void *opaque, uint64_t now_ns)
{
    machine_request_exit(opaque, 0);
}

/* The machine the tests use: stopped at RUN_UNTIL_NS of virtual time. */
static Machine *machine_at_run_point(const char *guest, const char *accel)
{
    MachineConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.ram_size = RAM_SIZE;
    cfg.kernel = guest;
    cfg.cpu_model = "max";
    cfg.accel = accel;
    cfg.serial = (CharSink){ SERIAL_FILE, "/dev/null" };
    cfg.debugcon = (CharSink){ SERIAL_FILE, "/dev/null" };
    cfg.debug_exit = true;
    cfg.debug_exit_base = 0xf4;
    cfg.debug_exit_size = 4;
    cfg.no_reboot = true;
    clock_icount_enable(0);
    Machine *m = machine_create(&cfg);
    if (!m || !cpu_tcg_init(accel)) {
        fprintf(stderr, "FAIL: cannot build the machine\n");
        exit(1);
    }
    timer_mod(timer_new(stop_machine, m), RUN_UNTIL_NS);
    machine_run(m);
    if (clock_now_ns() != RUN_UNTIL_NS) {
        fprintf(stderr, "FAIL: the machine stopped at %llu ns, not %llu\n",
                (unsigned long long)clock_now_ns(), RUN_UNTIL_NS);
        exit(1);
    }
    return m;
}

/* ---------------------------------------------------------------- described state */

/* The CPU's guest state is everything above exit_req (cpu/cpu.h); the devices' is their
 * StateField tables. A copy of both, and of RAM, to compare a loaded machine against. */
typedef struct StateCopy {
    uint8_t cpu[offsetof(CPUState, exit_req)];
    uint8_t *devices[MAX_DEVICES];
    uint8_t *ram;
} StateCopy;

/* The CPU's guest state as cpu/cpu.h draws the line (everything above exit_req) */
#define F(field) STATE_FIELD(CPUState, field, 1)
static const StateField cpu_state_fields[] = {
    F(regs), F(rip), F(eflags), F(cc_op), F(cc_dst), F(cc_src), F(cc_src2), F(seg), F(ldt), F(tr),
    F(gdt), F(idt), F(cr), F(cr8), F(efer), F(dr), F(apic_base), F(sysenter_cs), F(sysenter_esp),
    F(sysenter_eip), F(star), F(lstar), F(cstar), F(fmask), F(kernel_gs_base), F(pat), F(tsc_aux),
    F(tsc_deadline), F(hflags), F(fpregs), F(fpuc), F(fpus), F(fptag), F(mxcsr), F(xmm),
    F(tsc_offset), F(interrupt_request), F(halted), F(inhibit_irq), F(inhibit_irq_rip),
    STATE_END
};
#undef F

static size_t device_bytes(const Device *d)
{
    size_t n = 0;
    for (const StateField *f = d->ops->fields; f && f->name; f++) n += f->size;
    return n;
}

static void gather(const Device *d, uint8_t *out)
{
    for (const StateField *f = d->ops->fields; f && f->name; f++) {
        memcpy(out, (const uint8_t *)d->state + f->offset, f->size);
        out += f->size;
    }
}

static void copy_state(Machine *m, StateCopy *c)
{
    memcpy(c->cpu, m->cpu, sizeof(c->cpu));
    for (int i = 0; i < m->nb_devices; i++) {
        c->devices[i] = malloc(device_bytes(&m->devices[i]) + 1);
        gather(&m->devices[i], c->devices[i]);
    }
    c->ram = malloc(RAM_SIZE);
    for (uint64_t pa = 0; pa < RAM_SIZE; pa += PAGE_SIZE) {
        const uint8_t *p = phys_ram_ptr(pa, PAGE_SIZE);
        if (p) memcpy(c->ram + pa, p, PAGE_SIZE);
        else memset(c->ram + pa, 0, PAGE_SIZE);
    }
}

/* Which parts differ from the copy: 0 when none. Field by field, named in the message. */
static int compare_state(Machine *m, const StateCopy *c, bool verbose)
{
    int diffs = 0;
    /* field by field: padding is not state */
    for (const StateField *f = cpu_state_fields; f->name; f++) {
        if (memcmp(c->cpu + f->offset, (uint8_t *)m->cpu + f->offset, f->size)) {
            diffs++;
            if (verbose) fprintf(stderr, "  cpu field %s differs\n", f->name);
        }
    }
    for (int i = 0; i < m->nb_devices; i++) {
        size_t n = device_bytes(&m->devices[i]);
        uint8_t *now = malloc(n + 1);
        gather(&m->devices[i], now);
        if (memcmp(now, c->devices[i], n)) {
            diffs++;
            if (verbose) fprintf(stderr, "  device %s differs\n", m->devices[i].ops->name);
        }
        free(now);
    }
    for (uint64_t pa = 0; pa < RAM_SIZE; pa += PAGE_SIZE) {
        const uint8_t *p = phys_ram_ptr(pa, PAGE_SIZE);
        if (p && memcmp(p, c->ram + pa, PAGE_SIZE)) {
            diffs++;
            if (verbose) fprintf(stderr, "  RAM page %#llx differs\n", (unsigned long long)pa);
        }
    }
    return diffs;
}

static uint32_t rng = 12345;
static uint8_t random_byte(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

static void scribble(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] ^= (uint8_t)(random_byte() | 1);
}

/* Everything the load must put back, garbled. */
static void scribble_machine(Machine *m)
{
    for (const StateField *f = cpu_state_fields; f->name; f++) scribble((uint8_t *)m->cpu + f->offset, f->size);
    for (int i = 0; i < m->nb_devices; i++) {
        for (const StateField *f = m->devices[i].ops->fields; f && f->name; f++) {
            scribble((uint8_t *)m->devices[i].state + f->offset, f->size);
        }
    }
    for (uint64_t pa = 0; pa < RAM_SIZE; pa += 16 * PAGE_SIZE) {
        uint8_t *p = phys_ram_ptr(pa, PAGE_SIZE);
        if (p) scribble(p, PAGE_SIZE);
    }
}

static bool one_line(const char *err)
{
    return err[0] && !strchr(err, '\n');
}

/* ---------------------------------------------------------------- roundtrip */

static void test_roundtrip(Machine *m)
{
    uint8_t *first, *second;
    size_t first_len, second_len;
    StateCopy saved;
    char err[256];
    copy_state(m, &saved);
    CHECK(snapshot_save_buffer(m, &first, &first_len), "save failed");
    uint64_t clock_before = clock_now_ns(), tsc_before = cpu_get_tsc(m->cpu);

    scribble_machine(m);
    CHECK(compare_state(m, &saved, false) > m->nb_devices / 2, "the scribbling changed nothing");
    CHECK(snapshot_load_buffer(m, first, first_len, err, sizeof(err)), "load failed: %s", err);
    CHECK(compare_state(m, &saved, true) == 0, "the loaded state differs");
    CHECK(clock_now_ns() == clock_before && cpu_get_tsc(m->cpu) == tsc_before, "clock or TSC differ");
    CHECK(snapshot_save_buffer(m, &second, &second_len), "second save failed");
    CHECK(second_len == first_len && !memcmp(first, second, first_len), "saving the loaded machine gives another file");
    for (int i = 0; i < m->nb_devices; i++) {
        printf("roundtrip: %-14s %3zu bytes of state back\n", m->devices[i].ops->name, device_bytes(&m->devices[i]));
    }
    printf("roundtrip: cpu, clock, %llu KiB RAM back; snapshot %zu bytes\n",
           (unsigned long long)(RAM_SIZE >> 10), first_len);

    /* refused: another configuration, a newer format; the machine stays as it was */
    m->cfg.ram_size += 1 << 20;
    CHECK(!snapshot_load_buffer(m, first, first_len, err, sizeof(err)) && strstr(err, "configuration") &&
          one_line(err), "a configuration mismatch was not refused (%s)", err);
    m->cfg.ram_size -= 1 << 20;
    printf("refused: %s\n", err);
    uint8_t *newer = malloc(first_len);
    memcpy(newer, first, first_len);
    newer[8] = SNAPSHOT_FORMAT_VERSION + 1;
    uint32_t crc = (uint32_t)crc32(0, newer, 60);
    memcpy(newer + 60, &crc, 4);
    CHECK(!snapshot_load_buffer(m, newer, first_len, err, sizeof(err)) && strstr(err, "newer") && one_line(err),
          "a newer format was not refused (%s)", err);
    printf("refused: %s\n", err);
    CHECK(compare_state(m, &saved, true) == 0, "a refused load changed the machine");
    free(newer);
    free(first);
    free(second);
}

/* ---------------------------------------------------------------- flip */

static void test_flip(Machine *m)
{
    uint8_t *snap, *copy, *again;
    size_t len, again_len;
    char err[256];
    StateCopy saved;
    copy_state(m, &saved);
    CHECK(snapshot_save_buffer(m, &snap, &len), "save failed");
    copy = malloc(len);
    unsigned refused = 0, loaded = 0;
    for (size_t i = 0; i < len; i++) {
        memcpy(copy, snap, len);
        copy[i] ^= 0xff;
        err[0] = 0;
        if (snapshot_load_buffer(m, copy, len, err, sizeof(err))) {
            loaded++;   /* then it must be the same state */
            CHECK(snapshot_save_buffer(m, &again, &again_len) && again_len == len && !memcmp(again, snap, len),
                  "byte %zu flipped loaded a different state", i);
            free(again);
        } else {
            refused++;
            CHECK(one_line(err), "byte %zu: not one error line: '%s'", i, err);
            /* the loader must not have touched the machine: cheap check each time, the
             * whole file now and then */
            if (i % 97 == 0) {
                CHECK(snapshot_save_buffer(m, &again, &again_len) && again_len == len && !memcmp(again, snap, len),
                      "byte %zu flipped: the refused load changed the machine", i);
                free(again);
            } else if (i % 7 == 0) {
                CHECK(compare_state(m, &saved, false) == 0, "byte %zu flipped: the refused load changed the machine", i);
            }
        }
    }
    unsigned cut_refused = 0;
    for (size_t n = 0; n < len; n++) {
        cut_refused += !snapshot_load_buffer(m, snap, n, err, sizeof(err)) && one_line(err);
    }
    CHECK(cut_refused == len, "%zu of %zu truncated files were not refused cleanly", len - cut_refused, len);
    CHECK(compare_state(m, &saved, true) == 0, "the machine changed");
    printf("flip: %zu bytes: %u flips refused with one line, %u loaded the same state; %u cuts refused\n",
           len, refused, loaded, cut_refused);
    free(copy);
    free(snap);
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "roundtrip") && strcmp(argv[1], "flip"))) {
        fprintf(stderr, "usage: %s roundtrip|flip GUEST ACCEL\n", argv[0]);
        return 2;
    }
    Machine *m = machine_at_run_point(argv[2], argv[3]);
    if (!strcmp(argv[1], "roundtrip")) test_roundtrip(m);
    else test_flip(m);
    printf("%s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
