/*
 * hw/block.c — raw image files as sector arrays (hw/block.h): pread/pwrite on the file,
 * and for -snapshot an overlay of written sectors kept in memory.
 *
 * The overlay is an open-addressing hash table from sector number to a malloc'd copy of the
 * sector, doubled when half full; it lives as long as the process, as QEMU's temporary
 * snapshot file does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw/block.h"

#define OVERLAY_INITIAL_SLOTS 1024u
#define SLOT_EMPTY UINT64_MAX

typedef struct OverlaySlot {
    uint64_t sector;
    uint8_t *data;
} OverlaySlot;

struct BlockDev {
    int fd;
    uint64_t file_size;
    uint64_t sectors;
    bool readonly;              /* the guest may not write (readonly=on) */
    bool snapshot;              /* writes go to the overlay */
    OverlaySlot *slots;
    size_t nb_slots, nb_used;   /* nb_slots is a power of two */
};

static size_t slot_hash(uint64_t sector, size_t nb_slots)
{
    return (size_t)((sector * 0x9e3779b97f4a7c15ull) >> 20) & (nb_slots - 1);
}

static OverlaySlot *overlay_find(const BlockDev *b, uint64_t sector)
{
    if (!b->slots) return NULL;
    for (size_t i = slot_hash(sector, b->nb_slots);; i = (i + 1) & (b->nb_slots - 1)) {
        if (b->slots[i].sector == sector) return &b->slots[i];
        if (b->slots[i].sector == SLOT_EMPTY) return NULL;
    }
}

static bool overlay_grow(BlockDev *b)
{
    size_t n = b->nb_slots ? b->nb_slots * 2 : OVERLAY_INITIAL_SLOTS;
    OverlaySlot *slots = malloc(n * sizeof(*slots));
    if (!slots) return false;
    for (size_t i = 0; i < n; i++) slots[i] = (OverlaySlot){ SLOT_EMPTY, NULL };
    for (size_t i = 0; i < b->nb_slots; i++) {
        if (b->slots[i].sector == SLOT_EMPTY) continue;
        size_t j = slot_hash(b->slots[i].sector, n);
        while (slots[j].sector != SLOT_EMPTY) j = (j + 1) & (n - 1);
        slots[j] = b->slots[i];
    }
    free(b->slots);
    b->slots = slots;
    b->nb_slots = n;
    return true;
}

static bool overlay_store(BlockDev *b, uint64_t sector, const uint8_t *data)
{
    OverlaySlot *s = overlay_find(b, sector);
    if (!s) {
        if ((b->nb_used + 1) * 2 > b->nb_slots && !overlay_grow(b)) return false;
        uint8_t *copy = malloc(BLOCK_SECTOR_SIZE);
        if (!copy) return false;
        size_t i = slot_hash(sector, b->nb_slots);
        while (b->slots[i].sector != SLOT_EMPTY) i = (i + 1) & (b->nb_slots - 1);
        s = &b->slots[i];
        *s = (OverlaySlot){ sector, copy };
        b->nb_used++;
    }
    memcpy(s->data, data, BLOCK_SECTOR_SIZE);
    return true;
}

BlockDev *block_open(const char *path, bool readonly, bool snapshot)
{
    int fd = open(path, (readonly || snapshot) ? O_RDONLY : O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "ferry: cannot open disk image '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)BLOCK_SECTOR_SIZE) {
        fprintf(stderr, "ferry: disk image '%s' is not a regular file of at least %u bytes\n",
                path, BLOCK_SECTOR_SIZE);
        close(fd);
        return NULL;
    }
    uint8_t probe[BLOCK_SECTOR_SIZE];
    if (pread(fd, probe, sizeof(probe), 0) != (ssize_t)sizeof(probe)) {
        fprintf(stderr, "ferry: cannot read disk image '%s'\n", path);
        close(fd);
        return NULL;
    }
    BlockDev *b = calloc(1, sizeof(*b));
    if (!b) {
        fprintf(stderr, "ferry: out of memory\n");
        close(fd);
        return NULL;
    }
    b->fd = fd;
    b->file_size = (uint64_t)st.st_size;
    b->sectors = b->file_size / BLOCK_SECTOR_SIZE;
    b->readonly = readonly;
    b->snapshot = snapshot;
    return b;
}

void block_close(BlockDev *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->nb_slots; i++) free(b->slots[i].data);
    free(b->slots);
    close(b->fd);
    free(b);
}

uint64_t block_sectors(const BlockDev *b) { return b->sectors; }
bool block_readonly(const BlockDev *b) { return b->readonly; }

static bool in_range(const BlockDev *b, uint64_t sector, uint32_t count)
{
    return sector <= b->sectors && count <= b->sectors - sector;
}

/* Whole byte range from the file; a failed or short read is an error. */
static bool file_read(const BlockDev *b, uint64_t offset, uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = pread(b->fd, buf, len, (off_t)offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buf += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static bool file_write(const BlockDev *b, uint64_t offset, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = pwrite(b->fd, buf, len, (off_t)offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buf += n;
        offset += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

bool block_read(BlockDev *b, uint64_t sector, void *buf, uint32_t count)
{
    if (!in_range(b, sector, count)) return false;
    uint8_t *out = buf;
    if (!b->nb_used) return file_read(b, sector * BLOCK_SECTOR_SIZE, out, (size_t)count * BLOCK_SECTOR_SIZE);
    for (uint32_t i = 0; i < count; i++, out += BLOCK_SECTOR_SIZE) {
        const OverlaySlot *s = overlay_find(b, sector + i);
        if (s) memcpy(out, s->data, BLOCK_SECTOR_SIZE);
        else if (!file_read(b, (sector + i) * BLOCK_SECTOR_SIZE, out, BLOCK_SECTOR_SIZE)) return false;
    }
    return true;
}

bool block_write(BlockDev *b, uint64_t sector, const void *buf, uint32_t count)
{
    if (b->readonly || !in_range(b, sector, count)) return false;
    const uint8_t *in = buf;
    if (!b->snapshot) return file_write(b, sector * BLOCK_SECTOR_SIZE, in, (size_t)count * BLOCK_SECTOR_SIZE);
    for (uint32_t i = 0; i < count; i++, in += BLOCK_SECTOR_SIZE) {
        if (!overlay_store(b, sector + i, in)) return false;
    }
    return true;
}

bool block_flush(BlockDev *b)
{
    return b->readonly || b->snapshot || fdatasync(b->fd) == 0;
}
