/*
 * hw/loader_bios.c — -bios FILE: the firmware image is ROM ending at 4 GiB (where the reset
 * vector F000:FFF0 = 0xFFFFFFF0 fetches its first instruction), and its last 128 KiB (or the
 * whole image if smaller) is also visible as ROM ending at 1 MiB, the legacy BIOS area that
 * real-mode code reaches through segment F000 (the i440FX's PAM registers decide whether
 * that alias or the shadow RAM above it is seen). Without -bios and -kernel the machine
 * boots Debian's SeaBIOS.
 */
#include <stdlib.h>
#include <unistd.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define BIOS_MIN_SIZE (64ull << 10)
#define BIOS_MAX_SIZE (16ull << 20)
#define BIOS_GRANULE  (64ull << 10)
#define LEGACY_BIOS_SIZE (128ull << 10)
#define FOUR_GIB (1ull << 32)
#define ONE_MIB  (1ull << 20)

bool bios_load(const char *path)
{
    if (!path) {
        if (access(DEFAULT_BIOS_PATH, R_OK) != 0) {
            fprintf(stderr, "ferry: no firmware: %s is missing (install Debian's seabios package, "
                    "or give -bios FILE or -kernel FILE)\n", DEFAULT_BIOS_PATH);
            return false;
        }
        path = DEFAULT_BIOS_PATH;
    }
    uint64_t size;
    uint8_t *image = load_file(path, "BIOS image", BIOS_MAX_SIZE, &size);
    if (!image) return false;
    if (size < BIOS_MIN_SIZE || size % BIOS_GRANULE) {
        fprintf(stderr, "ferry: BIOS image '%s' has %llu bytes: it must be a multiple of 64 KiB "
                "between 64 KiB and 16 MiB\n", path, (unsigned long long)size);
        free(image);
        return false;
    }
    uint64_t legacy = size < LEGACY_BIOS_SIZE ? size : LEGACY_BIOS_SIZE;
    bool ok = phys_map_rom(FOUR_GIB - size, image, size) &&
              phys_map_rom(ONE_MIB - legacy, image + (size - legacy), legacy);
    free(image);
    return ok;
}
