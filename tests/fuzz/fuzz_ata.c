/*
 * tests/fuzz/fuzz_ata.c — fuzz target for the ATA channel's port interface (hw/ata.c): the
 * input is a sequence of 6-byte operations (kind, register, 32-bit value) applied to a
 * channel with a master disk on a small snapshot image (so the file is never written) and
 * a slave absent, with 2 MiB of guest RAM whose first bytes also come from the input (PRD
 * tables). Any LBA, count, PRD or register sequence must neither crash nor move data
 * outside the image: after every run the image's sector count is unchanged and the
 * channel's PIO position never passes its buffer.
 *
 * Built as a libFuzzer target, or with -DFUZZ_STANDALONE_MAIN as a plain program that feeds
 * seeded random inputs (CI).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/ata.h"
#include "mmu/mmu.h"

#define IMAGE_SECTORS 64
#define RAM_SIZE (2u << 20)

static BlockDev *disk;

static void setup(void)
{
    if (disk) return;
    char path[] = "/tmp/ferry-fuzz-ata-XXXXXX";
    int fd = mkstemp(path);
    static uint8_t zeros[IMAGE_SECTORS * 512];
    if (fd < 0 || write(fd, zeros, sizeof(zeros)) != (ssize_t)sizeof(zeros) || !phys_init(RAM_SIZE)) abort();
    close(fd);
    disk = block_open(path, false, true);
    unlink(path);
    if (!disk) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    AtaChannel ch;
    ata_channel_init(&ch, 0, -1, disk, NULL);
    /* the first 256 bytes seed low RAM, where PRD tables are likely to point */
    size_t seed = size < 256 ? size : 256;
    memcpy(phys_ram_ptr(0, 256), data, seed);
    for (size_t i = seed; i + 6 <= size; i += 6) {
        unsigned kind = data[i] % 6, reg = data[i + 1];
        uint32_t v = (uint32_t)data[i + 2] | (uint32_t)data[i + 3] << 8 | (uint32_t)data[i + 4] << 16 |
                     (uint32_t)data[i + 5] << 24;
        unsigned sz = 1u << (data[i + 1] >> 6 & 3);
        if (sz == 8) sz = 4;
        switch (kind) {
        case 0: ata_cmd_write(&ch, reg & 7, v, sz); break;
        case 1: ata_cmd_read(&ch, reg & 7, sz); break;
        case 2: ata_control_write(&ch, (uint8_t)v); break;
        case 3: ata_altstatus_read(&ch); break;
        case 4: ata_bm_write(&ch, reg & 7, v, sz); break;
        default: ata_bm_read(&ch, reg & 7, sz); break;
        }
        if (ch.s.data_pos > ch.s.data_end || ch.s.data_end > ATA_BUFFER_SIZE ||
            block_sectors(disk) != IMAGE_SECTORS) {
            fprintf(stderr, "fuzz_ata: state out of bounds (pos %u end %u)\n", ch.s.data_pos, ch.s.data_end);
            abort();
        }
    }
    return 0;
}

#ifdef FUZZ_STANDALONE_MAIN
/* Random inputs biased toward real command sequences: command bytes from the ATA set. */
int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
    static const uint8_t commands[] = { 0x20, 0x24, 0x29, 0x30, 0x34, 0x39, 0xc4, 0xc5, 0xc6, 0xc8,
                                        0xca, 0x25, 0x35, 0xec, 0xef, 0xe7, 0x91, 0x70, 0x40, 0xf8,
                                        0x27, 0x90, 0xa1, 0x00, 0xff };
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint8_t buf[1024];
    for (unsigned long it = 0; it < iterations; it++) {
        size_t size = 256 + (x % 768);
        for (size_t i = 0; i < size; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            buf[i] = (uint8_t)x;
        }
        for (size_t i = 256; i + 6 <= size; i += 6) {
            if (buf[i] % 6 == 0 && (buf[i + 1] & 7) == 7) buf[i + 2] = commands[buf[i + 2] % sizeof(commands)];
        }
        LLVMFuzzerTestOneInput(buf, size);
    }
    printf("fuzz_ata: %lu inputs, no fault\n", iterations);
    return 0;
}
#endif
