/*
 * tests/platform/test_memmap.c — the board's memory map (hw/machine.c board_memory_map), as
 * the e820 table, Multiboot and fw_cfg report it: below 3.5 GiB all RAM sits under the PCI
 * hole; from 3.5 GiB on, as on QEMU's pc machine, 3 GiB stay below 4 GiB and the rest
 * starts at 4 GiB.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hw/board.h"

#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)

static int failures;

static void expect(bool ok, const char *what, uint64_t ram)
{
    if (!ok) {
        printf("FAIL: -m %" PRIu64 "M: %s\n", ram / MIB, what);
        failures++;
    }
}

/* Every case: RAM size, RAM below 4 GiB, RAM from 4 GiB on. */
static const struct { uint64_t ram, below, above; } cases[] = {
    { 1 * MIB, 1 * MIB, 0 },
    { 512 * MIB, 512 * MIB, 0 },
    { 3 * GIB, 3 * GIB, 0 },
    { 3584 * MIB - 4096, 3584 * MIB - 4096, 0 },
    { 3584 * MIB, 3 * GIB, 512 * MIB },
    { 4 * GIB, 3 * GIB, 1 * GIB },
    { 16 * GIB, 3 * GIB, 13 * GIB },
};

int main(void)
{
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        Machine m;
        memset(&m, 0, sizeof(m));
        m.cfg.ram_size = cases[c].ram;
        const uint64_t ram = cases[c].ram;
        expect(board_ram_below_4g(&m) == cases[c].below, "RAM below 4 GiB", ram);
        MemMapEntry map[MEMMAP_MAX_ENTRIES];
        int n = board_memory_map(&m, map, MEMMAP_MAX_ENTRIES);
        expect(n == (cases[c].above ? 5 : 4), "number of entries", ram);
        if (n < 4) continue;
        uint64_t usable = 0;
        for (int i = 0; i < n; i++) {
            if (map[i].type == MEMMAP_USABLE) usable += map[i].length;
            if (i > 0) expect(map[i].base >= map[i - 1].base + map[i - 1].length, "entries in order", ram);
        }
        /* everything but the EBDA's KiB and the BIOS area below 1 MiB is usable */
        expect(usable == ram - (0xa0000 - 0x9fc00) - (0x100000 - 0xa0000), "usable RAM", ram);
        expect(map[3].base == MIB && map[3].base + map[3].length == cases[c].below, "RAM from 1 MiB", ram);
        if (cases[c].above) {
            expect(map[4].base == 4 * GIB && map[4].length == cases[c].above, "RAM from 4 GiB", ram);
        }
        /* a short output array gets the first entries only */
        expect(board_memory_map(&m, map, 2) == 2 && map[1].base == 0x9fc00, "truncated map", ram);
    }
    printf(failures ? "memmap: %d failures\n" : "memmap: PASS\n", failures);
    return failures ? 1 : 0;
}
