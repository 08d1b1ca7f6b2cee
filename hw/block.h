/*
 * hw/block.h — inside the board part: raw disk images behind the emulated disks.
 *
 * A BlockDev is an image file seen as an array of 512-byte sectors. Every access names a
 * sector range and is refused (false) unless the whole range lies inside the image, so no
 * guest-supplied LBA or count reaches outside the file. With snapshot set, writes go to an
 * in-memory overlay (sector -> data) that later reads prefer and that is dropped at exit;
 * the file is then opened read-only.
 */
#ifndef FERRY_BLOCK_H
#define FERRY_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define BLOCK_SECTOR_SIZE 512u

typedef struct BlockDev BlockDev;

/* NULL with one line on stderr if the file cannot be opened or holds less than a sector. */
BlockDev *block_open(const char *path, bool readonly, bool snapshot);
void block_close(BlockDev *b);
uint64_t block_sectors(const BlockDev *b);      /* whole sectors (a partial tail is not addressable) */
bool block_readonly(const BlockDev *b);
bool block_read(BlockDev *b, uint64_t sector, void *buf, uint32_t count);
bool block_write(BlockDev *b, uint64_t sector, const void *buf, uint32_t count);
bool block_flush(BlockDev *b);

#endif
