/*
 * tests/fuzz/fuzz_snapshot.c — fuzz target for the snapshot loader (snapshot_load_buffer):
 * any bytes must be refused with one error line or loaded, never crash, hang or read out
 * of bounds. The machine is the ticks guest (tests/snapshot/ticks.asm) on -m 2 under
 * -icount, stopped part-way so its snapshot has RAM chunks and live timers.
 *
 * Built two ways: as a libFuzzer target (clang -fsanitize=fuzzer; the guest path comes from
 * FERRY_FUZZ_GUEST), and with -DFUZZ_STANDALONE_MAIN as a plain program that mutates a real
 * snapshot (CI): bit flips, random bytes, cuts, insertions, and half of the time the CRCs
 * recomputed afterwards, so that the mutation reaches the field, clock and RAM parsers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cpu/cpu.h"
#include "hw/hw.h"
#include "snapshot/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Machine *machine;

static void stop_machine(void *opaque, uint64_t now_ns)
{
    machine_request_exit(opaque, 0);
}

static Machine *fuzz_machine(const char *guest)
{
    if (machine) return machine;
    if (!guest) {
        fprintf(stderr, "fuzz_snapshot: set FERRY_FUZZ_GUEST to the ticks guest (ticks.elf)\n");
        abort();
    }
    MachineConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.ram_size = 2u << 20;
    cfg.kernel = guest;
    cfg.cpu_model = "max";
    cfg.accel = "interp";
    cfg.debug_exit = true;
    cfg.debug_exit_base = 0xf4;
    cfg.debug_exit_size = 4;
    cfg.no_reboot = true;
    clock_icount_enable(0);
    machine = machine_create(&cfg);
    if (!machine || !cpu_tcg_init(cfg.accel)) abort();
    timer_mod(timer_new(stop_machine, machine), 1000000);
    machine_run(machine);
    return machine;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Machine *m = fuzz_machine(getenv("FERRY_FUZZ_GUEST"));
    /* a heap copy of exactly `size` bytes lets AddressSanitizer catch any over-read */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) return 0;
    if (size) memcpy(copy, data, size);
    char err[256];
    err[0] = 0;
    if (!snapshot_load_buffer(m, copy, size, err, sizeof(err)) && (!err[0] || strchr(err, '\n'))) {
        fprintf(stderr, "fuzz_snapshot: a refused input without one error line\n");
        abort();
    }
    free(copy);
    return 0;
}

#ifdef FUZZ_STANDALONE_MAIN
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* The section walk of snapshot.h: recompute every CRC a mutation broke. */
static void fix_crcs(uint8_t *p, size_t len)
{
    if (len < 64) return;
    uint32_t crc = (uint32_t)crc32(0, p, 60);
    memcpy(p + 60, &crc, 4);
    for (size_t pos = 64; len - pos >= 48;) {
        uint64_t plen;
        memcpy(&plen, p + pos + 40, 8);
        if (plen > len - pos - 48) return;
        uLong c = crc32(0, p + pos, 36);
        c = crc32(c, p + pos + 40, 8);
        c = crc32(c, p + pos + 48, (uInt)plen);
        crc = (uint32_t)c;
        memcpy(p + pos + 36, &crc, 4);
        pos += 48 + plen;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s GUEST ITERATIONS\n", argv[0]);
        return 2;
    }
    Machine *m = fuzz_machine(argv[1]);
    long iterations = strtol(argv[2], NULL, 0);
    uint8_t *seed;
    size_t seed_len;
    if (!snapshot_save_buffer(m, &seed, &seed_len)) return 1;
    LLVMFuzzerTestOneInput(seed, seed_len);         /* the seed itself loads */
    uint8_t *buf = malloc(seed_len + 64);
    long loaded = 0;
    for (long i = 0; i < iterations; i++) {
        size_t len = seed_len;
        memcpy(buf, seed, len);
        int edits = 1 + (int)(rng() % 4);
        for (int e = 0; e < edits && len > 0; e++) {
            size_t at = rng() % len;
            switch (rng() % 5) {
            case 0: buf[at] ^= (uint8_t)(1u << (rng() % 8)); break;
            case 1: buf[at] = (uint8_t)rng(); break;
            case 2: len = at; break;
            case 3:     /* a large value in a length or count field */
                if (len - at >= 4) { uint32_t v = (uint32_t)(rng() % 3 == 0 ? 0xffffffffu : rng()); memcpy(buf + at, &v, 4); }
                break;
            case 4:
                if (len < seed_len + 64) { memmove(buf + at + 1, buf + at, len - at); buf[at] = (uint8_t)rng(); len++; }
                break;
            }
        }
        if (rng() % 2) fix_crcs(buf, len);
        char err[256];
        if (snapshot_load_buffer(m, buf, len, err, sizeof(err))) loaded++;
        else if (!err[0] || strchr(err, '\n')) {
            fprintf(stderr, "fuzz_snapshot: iteration %ld refused without one error line\n", i);
            return 1;
        }
    }
    printf("fuzz_snapshot: %ld mutations of a %zu-byte snapshot, %ld loaded, the rest refused\n",
           iterations, seed_len, loaded);
    free(buf);
    free(seed);
    return 0;
}
#endif
