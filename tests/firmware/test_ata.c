/*
 * tests/firmware/test_ata.c — the ATA channel (hw/ata.c) and raw image backend (hw/block.c)
 * driven through their port-level entry points, as the PIIX3 IDE function wires them: the
 * IDENTIFY data, PIO, multiple and LBA48 transfers against a known sector pattern, CHS,
 * bus-master DMA through PRD tables in guest RAM, and the hostile cases: LBAs and counts
 * past the end of the image (IDNF, nothing read or written), PRD tables and buffers outside
 * guest RAM (bus-master error), short PRD tables, writes to a read-only image, -snapshot
 * (writes visible to the guest, the file untouched), soft reset's signature and nIEN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/ata.h"
#include "mmu/mmu.h"

#define SECTORS 2048u               /* 1 MiB image */
#define RAM_SIZE (4u << 20)

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* the byte at offset i of sector s in the pattern image */
static uint8_t pattern(uint64_t s, unsigned i) { return (uint8_t)(s * 7 + i * 13 + (s >> 8)); }

static char *make_image(void)
{
    static char path[] = "/tmp/ferry-ata-XXXXXX";
    int fd = mkstemp(path);
    uint8_t sec[512];
    for (uint64_t s = 0; s < SECTORS; s++) {
        for (unsigned i = 0; i < 512; i++) sec[i] = pattern(s, i);
        if (write(fd, sec, 512) != 512) abort();
    }
    close(fd);
    return path;
}

static uint8_t status(AtaChannel *ch) { return (uint8_t)ata_cmd_read(ch, 7, 1); }

static void lba28(AtaChannel *ch, uint32_t lba, uint8_t count)
{
    ata_cmd_write(ch, 6, 0xe0 | ((lba >> 24) & 0xf), 1);
    ata_cmd_write(ch, 2, count, 1);
    ata_cmd_write(ch, 3, lba & 0xff, 1);
    ata_cmd_write(ch, 4, (lba >> 8) & 0xff, 1);
    ata_cmd_write(ch, 5, (lba >> 16) & 0xff, 1);
}

static void lba48(AtaChannel *ch, uint64_t lba, uint16_t count)
{
    ata_cmd_write(ch, 6, 0xe0, 1);
    ata_cmd_write(ch, 2, count >> 8, 1);
    ata_cmd_write(ch, 3, (lba >> 24) & 0xff, 1);
    ata_cmd_write(ch, 4, (lba >> 32) & 0xff, 1);
    ata_cmd_write(ch, 5, (lba >> 40) & 0xff, 1);
    ata_cmd_write(ch, 2, count & 0xff, 1);
    ata_cmd_write(ch, 3, lba & 0xff, 1);
    ata_cmd_write(ch, 4, (lba >> 8) & 0xff, 1);
    ata_cmd_write(ch, 5, (lba >> 16) & 0xff, 1);
}

/* Read n sectors of PIO data; true if every byte matched the pattern from sector first. */
static bool pio_read_check(AtaChannel *ch, uint64_t first, unsigned n, unsigned per_block)
{
    bool ok = true;
    for (unsigned s = 0; s < n; s++) {
        if (s % per_block == 0 && (status(ch) & 0x89) != 0x08) return false;
        for (unsigned i = 0; i < 512; i += 2) {
            uint16_t w = (uint16_t)ata_cmd_read(ch, 0, 2);
            ok &= (w & 0xff) == pattern(first + s, i) && (w >> 8) == pattern(first + s, i + 1);
        }
    }
    return ok && (status(ch) & 0x89) == 0;
}

static void test_identify(AtaChannel *ch)
{
    ata_cmd_write(ch, 6, 0xa0, 1);
    ata_cmd_write(ch, 7, 0xec, 1);
    CHECK(status(ch) == 0x58, "IDENTIFY status %02x", status(ch));
    uint16_t w[256];
    for (int i = 0; i < 256; i++) w[i] = (uint16_t)ata_cmd_read(ch, 0, 2);
    CHECK(status(ch) == 0x50, "after IDENTIFY data: %02x", status(ch));
    char model[41];
    for (int i = 0; i < 20; i++) { model[2 * i] = (char)(w[27 + i] >> 8); model[2 * i + 1] = (char)w[27 + i]; }
    model[40] = 0;
    CHECK(!strncmp(model, "FERRY HARDDISK ", 15), "model '%s'", model);
    CHECK(w[0] == 0x0040 && (w[49] & 0x300) == 0x300, "words 0/49: %04x %04x", w[0], w[49]);
    CHECK((w[60] | (uint32_t)w[61] << 16) == SECTORS, "LBA28 capacity %u", w[60] | (uint32_t)w[61] << 16);
    CHECK(w[100] == SECTORS && !w[101] && !w[102] && !w[103], "LBA48 capacity");
    CHECK((w[83] & 0x400) && (w[86] & 0x400) && w[80] == 0xf0 && (w[47] & 0xff) == ATA_MAX_MULTIPLE, "features");
    uint8_t sum = 0;
    for (int i = 0; i < 256; i++) sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
    CHECK((w[255] & 0xff) == 0xa5 && sum == 0, "integrity word %04x sum %u", w[255], sum);
    /* not a packet device */
    ata_cmd_write(ch, 7, 0xa1, 1);
    CHECK(status(ch) == 0x51 && ata_cmd_read(ch, 1, 1) == 0x04, "IDENTIFY PACKET must abort");
    /* no slave: status reads 0 */
    ata_cmd_write(ch, 6, 0xb0, 1);
    CHECK(status(ch) == 0, "absent slave status");
    ata_cmd_write(ch, 6, 0xa0, 1);
}

static void test_pio(AtaChannel *ch)
{
    lba28(ch, 5, 3);
    ata_cmd_write(ch, 7, 0x20, 1);
    CHECK(pio_read_check(ch, 5, 3, 1), "READ SECTORS 5+3");
    /* count 0 = 256 sectors, to the last sector of the image */
    lba28(ch, SECTORS - 256, 0);
    ata_cmd_write(ch, 7, 0x20, 1);
    CHECK(pio_read_check(ch, SECTORS - 256, 256, 1), "READ SECTORS 256 at the end");
    /* hostile: one past the end, and a count that runs off the end */
    lba28(ch, SECTORS, 1);
    ata_cmd_write(ch, 7, 0x20, 1);
    CHECK(status(ch) == 0x51 && ata_cmd_read(ch, 1, 1) == 0x10, "read past the end: IDNF");
    CHECK(ata_cmd_read(ch, 0, 2) == 0, "no data after IDNF");
    lba28(ch, SECTORS - 1, 2);
    ata_cmd_write(ch, 7, 0x30, 1);
    CHECK(status(ch) == 0x51 && ata_cmd_read(ch, 1, 1) == 0x10, "write running off the end: IDNF");
    lba48(ch, 0xffffffffffffull, 0xffff);
    ata_cmd_write(ch, 7, 0x24, 1);
    CHECK(status(ch) == 0x51, "LBA48 huge: error");
    lba48(ch, 10, 0);   /* 65536 sectors */
    ata_cmd_write(ch, 7, 0x24, 1);
    CHECK(status(ch) == 0x51, "LBA48 count 65536 past the end: error");
    /* LBA48 read */
    lba48(ch, 1000, 2);
    ata_cmd_write(ch, 7, 0x24, 1);
    CHECK(pio_read_check(ch, 1000, 2, 1), "READ SECTORS EXT");
    /* CHS: cylinder 1, head 2, sector 3 with 16 heads, 63 sectors */
    ata_cmd_write(ch, 6, 0xa2, 1);
    ata_cmd_write(ch, 2, 1, 1);
    ata_cmd_write(ch, 3, 3, 1);
    ata_cmd_write(ch, 4, 1, 1);
    ata_cmd_write(ch, 5, 0, 1);
    ata_cmd_write(ch, 7, 0x20, 1);
    CHECK(pio_read_check(ch, (1 * 16 + 2) * 63 + 2, 1, 1), "CHS read");
    ata_cmd_write(ch, 3, 0, 1);   /* sector 0 does not exist */
    ata_cmd_write(ch, 7, 0x20, 1);
    CHECK(status(ch) == 0x51 && ata_cmd_read(ch, 1, 1) == 0x10, "CHS sector 0: IDNF");
    /* multiple: not set yet -> abort; then 4 per block, 32-bit data reads */
    lba28(ch, 20, 8);
    ata_cmd_write(ch, 7, 0xc4, 1);
    CHECK(status(ch) == 0x51, "READ MULTIPLE without SET MULTIPLE aborts");
    ata_cmd_write(ch, 2, 3, 1);
    ata_cmd_write(ch, 7, 0xc6, 1);
    CHECK(status(ch) == 0x51, "SET MULTIPLE 3 aborts");
    ata_cmd_write(ch, 2, 4, 1);
    ata_cmd_write(ch, 7, 0xc6, 1);
    CHECK(status(ch) == 0x50, "SET MULTIPLE 4");
    lba28(ch, 20, 8);
    ata_cmd_write(ch, 7, 0xc4, 1);
    CHECK(pio_read_check(ch, 20, 8, 4), "READ MULTIPLE 8 by 4");
    /* write two sectors, read them back */
    lba28(ch, 100, 2);
    ata_cmd_write(ch, 7, 0x30, 1);
    CHECK(status(ch) == 0x58, "WRITE SECTORS DRQ");
    for (unsigned i = 0; i < 512; i += 4) ata_cmd_write(ch, 0, 0x5a5a5a5au, 4);
    CHECK(ch->irq_level == 1 && status(ch) == 0x58, "second block requested with an interrupt");
    for (unsigned i = 0; i < 512; i += 2) ata_cmd_write(ch, 0, 0xa5a5, 2);
    CHECK(ch->irq_level == 1 && status(ch) == 0x50 && ch->irq_level == 0, "write complete, status acks");
    lba28(ch, 100, 2);
    ata_cmd_write(ch, 7, 0x20, 1);
    uint32_t a = ata_cmd_read(ch, 0, 4);
    for (unsigned i = 4; i < 512; i += 4) ata_cmd_read(ch, 0, 4);
    uint32_t b = ata_cmd_read(ch, 0, 4);
    CHECK(a == 0x5a5a5a5au && b == 0xa5a5a5a5u, "written data read back %08x %08x", a, b);
    for (unsigned i = 4; i < 512; i += 4) ata_cmd_read(ch, 0, 4);
    /* unknown command, SET FEATURES, flush, verify, native max */
    ata_cmd_write(ch, 7, 0x00, 1);
    CHECK(status(ch) == 0x51 && ata_cmd_read(ch, 1, 1) == 4, "NOP aborts");
    ata_cmd_write(ch, 1, 0x03, 1);
    ata_cmd_write(ch, 2, 0x22, 1);
    ata_cmd_write(ch, 7, 0xef, 1);
    CHECK(status(ch) == 0x50, "SET FEATURES MWDMA2");
    ata_cmd_write(ch, 2, 0x45, 1);
    ata_cmd_write(ch, 7, 0xef, 1);
    CHECK(status(ch) == 0x51, "SET FEATURES UDMA5 aborts (PIIX3)");
    ata_cmd_write(ch, 7, 0xe7, 1);
    CHECK(status(ch) == 0x50, "FLUSH CACHE");
    ata_cmd_write(ch, 7, 0xea, 1);
    CHECK(status(ch) == 0x50, "FLUSH CACHE EXT");
    ata_cmd_write(ch, 6, 0xe0, 1);
    ata_cmd_write(ch, 7, 0xf8, 1);
    CHECK(status(ch) == 0x50 && ata_cmd_read(ch, 3, 1) == ((SECTORS - 1) & 0xff) &&
          ata_cmd_read(ch, 4, 1) == ((SECTORS - 1) >> 8), "READ NATIVE MAX");
}

/* A PRD table at table: entries (addr, bytes), the last marked end of table. */
static void put_prds(uint32_t table, const uint32_t (*e)[2], int n)
{
    uint8_t *p = phys_ram_ptr(table, 8 * (uint64_t)n);
    for (int i = 0; i < n; i++) {
        uint32_t flags = (i == n - 1 ? 0x80000000u : 0) | (e[i][1] & 0xffff);
        memcpy(p + 8 * i, &e[i][0], 4);
        memcpy(p + 8 * i + 4, &flags, 4);
    }
}

static void dma_start(AtaChannel *ch, uint32_t table, bool to_memory, uint8_t cmd, uint32_t lba, uint8_t n)
{
    ata_bm_write(ch, 2, 0x06, 1);                   /* clear error and interrupt */
    ata_bm_write(ch, 4, table, 4);
    ata_bm_write(ch, 0, to_memory ? 0x08 : 0, 1);
    lba28(ch, lba, n);
    ata_cmd_write(ch, 7, cmd, 1);
    ata_bm_write(ch, 0, to_memory ? 0x09 : 0x01, 1);
}

static void test_dma(AtaChannel *ch)
{
    uint8_t *ram = phys_ram_ptr(0, RAM_SIZE);
    /* 3 sectors split over uneven pieces (a sector straddles two PRDs) */
    const uint32_t ok_prds[3][2] = { { 0x10000, 700 }, { 0x20000, 300 }, { 0x30000, 4096 } };
    put_prds(0x8000, ok_prds, 3);
    memset(ram + 0x10000, 0, 0x30000);
    dma_start(ch, 0x8000, true, 0xc8, 40, 3);
    uint8_t bm = (uint8_t)ata_bm_read(ch, 2, 1);
    CHECK((bm & 0x07) == 0x05, "DMA read: bm status %02x (int, still active: PRDs longer)", bm);
    CHECK(status(ch) == 0x50, "DMA read ATA status");
    bool same = true;
    for (unsigned i = 0; i < 1536; i++) {
        uint32_t at = i < 700 ? 0x10000 + i : i < 1000 ? 0x20000 + (i - 700) : 0x30000 + (i - 1000);
        same &= ram[at] == pattern(40 + i / 512, i % 512);
    }
    CHECK(same, "DMA read data");
    CHECK(ram[0x10000 + 700] == 0 && ram[0x20000 + 300] == 0, "DMA wrote only the PRD bytes");
    ata_bm_write(ch, 0, 0, 1);
    /* DMA write from RAM, read back by PIO */
    memset(ram + 0x10000, 0x3c, 1024);
    const uint32_t w_prds[1][2] = { { 0x10000, 1024 } };
    put_prds(0x8000, w_prds, 1);
    dma_start(ch, 0x8000, false, 0xca, 300, 2);
    bm = (uint8_t)ata_bm_read(ch, 2, 1);
    CHECK((bm & 0x07) == 0x04 && status(ch) == 0x50, "DMA write: bm %02x", bm);
    ata_bm_write(ch, 0, 0, 1);
    lba28(ch, 301, 1);
    ata_cmd_write(ch, 7, 0x20, 1);
    CHECK(ata_cmd_read(ch, 0, 2) == 0x3c3c, "DMA-written sector");
    for (unsigned i = 2; i < 512; i += 2) ata_cmd_read(ch, 0, 2);
    /* wild PRDs: buffer outside RAM, buffer crossing the end of RAM, table outside RAM */
    const uint32_t wild[][2] = { { 0xfee00000u, 512 } };
    const uint32_t edge[][2] = { { RAM_SIZE - 256, 512 } };
    const struct { const uint32_t (*prds)[2]; uint32_t table; const char *what; } bad[] = {
        { wild, 0x8000, "buffer at the LAPIC" }, { edge, 0x8000, "buffer across the end of RAM" },
        { NULL, 0xfffffff8u, "table outside RAM" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (bad[i].prds) put_prds(bad[i].table, bad[i].prds, 1);
        for (int dir = 0; dir < 2; dir++) {
            dma_start(ch, bad[i].table, dir == 0, dir == 0 ? 0xc8 : 0xca, 0, 1);
            bm = (uint8_t)ata_bm_read(ch, 2, 1);
            CHECK((bm & 0x07) == 0x06 && (status(ch) & 1), "%s (%s): bm %02x", bad[i].what, dir ? "write" : "read", bm);
            ata_bm_write(ch, 0, 0, 1);
        }
    }
    /* PRD table shorter than the transfer */
    const uint32_t short_prds[1][2] = { { 0x10000, 512 } };
    put_prds(0x8000, short_prds, 1);
    dma_start(ch, 0x8000, true, 0xc8, 0, 4);
    bm = (uint8_t)ata_bm_read(ch, 2, 1);
    CHECK((bm & 0x07) == 0x06 && (status(ch) & 1), "short PRD table: bm %02x", bm);
    ata_bm_write(ch, 0, 0, 1);
    /* DMA past the end of the image: IDNF, nothing moves */
    memset(ram + 0x10000, 0xee, 512);
    put_prds(0x8000, w_prds, 1);
    dma_start(ch, 0x8000, true, 0xc8, SECTORS - 1, 2);
    CHECK((status(ch) & 1) && ata_cmd_read(ch, 1, 1) == 0x10 && ram[0x10000] == 0xee, "DMA past the end");
    ata_bm_write(ch, 0, 0, 1);
}

static void test_reset(AtaChannel *ch)
{
    ata_control_write(ch, 0x02);                     /* nIEN */
    lba28(ch, 0, 1);
    ata_cmd_write(ch, 7, 0x20, 1);
    CHECK(ch->irq_level == 0, "nIEN masks INTRQ");
    ata_control_write(ch, 0x00);
    CHECK(ch->irq_level == 1, "INTRQ shows once nIEN is cleared");
    ata_control_write(ch, 0x06);
    CHECK((ata_altstatus_read(ch) & 0x80) && ch->irq_level == 0, "SRST: BSY");
    ata_control_write(ch, 0x02);
    CHECK(ata_altstatus_read(ch) == 0x50, "after SRST: %02x", ata_altstatus_read(ch));
    CHECK(ata_cmd_read(ch, 2, 1) == 1 && ata_cmd_read(ch, 3, 1) == 1 && ata_cmd_read(ch, 4, 1) == 0 &&
          ata_cmd_read(ch, 5, 1) == 0 && ata_cmd_read(ch, 1, 1) == 1, "ATA signature");
    CHECK(ata_cmd_read(ch, 0, 2) == 0, "the read was cancelled");
    ata_control_write(ch, 0x00);
}

static void test_readonly_and_snapshot(const char *path)
{
    AtaChannel ch;
    BlockDev *ro = block_open(path, true, false);
    ata_channel_init(&ch, 0, -1, ro, NULL);
    lba28(&ch, 7, 1);
    ata_cmd_write(&ch, 7, 0x30, 1);
    CHECK(status(&ch) == 0x51 && ata_cmd_read(&ch, 1, 1) == 4, "write to a read-only image aborts");
    block_close(ro);

    BlockDev *snap = block_open(path, false, true);
    ata_channel_init(&ch, 0, -1, snap, NULL);
    lba28(&ch, 7, 1);
    ata_cmd_write(&ch, 7, 0x30, 1);
    for (unsigned i = 0; i < 512; i += 2) ata_cmd_write(&ch, 0, 0x1234, 2);
    CHECK(status(&ch) == 0x50, "snapshot write");
    lba28(&ch, 7, 1);
    ata_cmd_write(&ch, 7, 0x20, 1);
    CHECK(ata_cmd_read(&ch, 0, 2) == 0x1234, "snapshot write visible to the guest");
    for (unsigned i = 2; i < 512; i += 2) ata_cmd_read(&ch, 0, 2);
    block_close(snap);
    FILE *f = fopen(path, "rb");
    uint8_t b[2];
    fseek(f, 7 * 512, SEEK_SET);
    CHECK(fread(b, 1, 2, f) == 2 && b[0] == pattern(7, 0) && b[1] == pattern(7, 1), "snapshot left the file alone");
    fclose(f);
    CHECK(block_open("/nonexistent/disk.img", false, false) == NULL, "missing image refused");
}

int main(void)
{
    char *path = make_image();
    if (!phys_init(RAM_SIZE)) return 1;
    BlockDev *disk = block_open(path, false, false);
    if (!disk) return 1;
    AtaChannel ch;
    ata_channel_init(&ch, 0, -1, disk, NULL);
    test_identify(&ch);
    test_pio(&ch);
    test_dma(&ch);
    test_reset(&ch);
    block_close(disk);
    test_readonly_and_snapshot(path);
    unlink(path);
    if (failures) {
        fprintf(stderr, "test_ata: %d failures\n", failures);
        return 1;
    }
    printf("test_ata: PASS\n");
    return 0;
}
