/*
 * hw/fw_cfg.c — QEMU's firmware configuration interface, as SeaBIOS and test kernels use it
 * on a PC: the selector at port 0x510 (16-bit, little-endian; selecting rewinds the item),
 * the data byte at 0x511 (the next byte of the item, 0 past its end), and the DMA address
 * register at 0x514 (high half) and 0x518 (low half; writing it runs the transfer), both
 * big-endian. A DMA control block is { be32 control, be32 length, be64 address }: control
 * bit 3 selects the item in bits 31:16, then bit 1 reads, bit 2 skips `length` bytes (a read
 * past the item's end gives zeros); the device writes control back as 0, or with bit 0
 * (error) for what it does not do (writes). Reading the DMA register gives "QEMU CFG".
 *
 * Items: signature "QEMU", id (traditional and DMA interfaces), RAM size, CPU counts, and the
 * file directory (key 0x19: be32 count, then 64-byte entries be32 size, be16 key, be16
 * reserved, name[56]) with "etc/e820": the board's memory map, as the loaders give it
 * (usable RAM below 4 GiB with the EBDA and BIOS-area holes reserved), 20-byte entries le64
 * address, le64 length, le32 type. "etc/boot-fail-wait" is -1 as QEMU gives it without
 * reboot-timeout (SeaBIOS then stops at "No bootable device" instead of rebooting), the
 * boot-menu item follows -boot menu=, and -boot order= becomes a "bootorder" file: one
 * OpenFirmware device path per line, the IDE disks (c) in channel order, floppies (a, b)
 * and CDs (d) by their paths on a PC; SeaBIOS tries the listed devices first.
 * Items are built once at creation; they are not guest state.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "hw/pci.h"
#include "mmu/mmu.h"

#define FW_CFG_PORT 0x510           /* selector, and the data byte at +1 */
#define FW_CFG_DMA_PORT 0x514       /* 8 bytes: high half, then low half */

#define KEY_SIGNATURE 0x00
#define KEY_ID 0x01
#define KEY_RAM_SIZE 0x03
#define KEY_NB_CPUS 0x05
#define KEY_BOOT_MENU 0x0e
#define KEY_MAX_CPUS 0x0f
#define KEY_FILE_DIR 0x19
#define KEY_FIRST_FILE 0x20
#define KEY_NONE 0xffff

#define ID_TRADITIONAL 0x01
#define ID_DMA 0x02

#define DMA_ERROR 0x01
#define DMA_READ 0x02
#define DMA_SKIP 0x04
#define DMA_SELECT 0x08
#define DMA_WRITE 0x10
#define DMA_SIGNATURE 0x51454d5520434647ull    /* "QEMU CFG" */

#define FILE_NAME_SIZE 56
#define FILE_ENTRY_SIZE 64
#define MAX_ITEMS 16
#define MAX_FILES 8
#define BOOTORDER_MAX 512

#define E820_ENTRY_SIZE 20

typedef struct FwCfgState {
    uint16_t selector;
    uint32_t offset;                /* read position in the selected item */
    uint32_t dma_high;              /* high half of the DMA address as written */
} FwCfgState;

static const StateField fw_cfg_fields[] = {
    STATE_FIELD(FwCfgState, selector, 1),
    STATE_FIELD(FwCfgState, offset, 1),
    STATE_FIELD(FwCfgState, dma_high, 1),
    STATE_END
};

typedef struct FwCfgItem {
    uint16_t key;
    uint32_t size;
    uint8_t *data;
} FwCfgItem;

typedef struct FwCfg {
    FwCfgState s;                   /* first: DeviceOps hands us &s */
    FwCfgItem items[MAX_ITEMS];
    int nb_items;
    int nb_files;
    uint8_t file_dir[4 + MAX_FILES * FILE_ENTRY_SIZE];
} FwCfg;

static void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put_be32(uint8_t *p, uint32_t v) { put_be16(p, (uint16_t)(v >> 16)); put_be16(p + 2, (uint16_t)v); }
static uint32_t get_be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static const FwCfgItem *selected_item(const FwCfg *f)
{
    for (int i = 0; i < f->nb_items; i++) {
        if (f->items[i].key == f->s.selector) return &f->items[i];
    }
    return NULL;
}

/* Items keep their own copy of data (file_dir excepted: it lives in FwCfg and grows). */
static bool add_item(FwCfg *f, uint16_t key, const void *data, uint32_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy || f->nb_items == MAX_ITEMS) {
        free(copy);
        return false;
    }
    memcpy(copy, data, size);
    f->items[f->nb_items++] = (FwCfgItem){ key, size, copy };
    return true;
}

static bool add_file(FwCfg *f, const char *name, const void *data, uint32_t size)
{
    if (f->nb_files == MAX_FILES || strlen(name) >= FILE_NAME_SIZE) return false;
    uint16_t key = (uint16_t)(KEY_FIRST_FILE + f->nb_files);
    if (!add_item(f, key, data, size)) return false;
    uint8_t *e = f->file_dir + 4 + f->nb_files * FILE_ENTRY_SIZE;
    put_be32(e, size);
    put_be16(e + 4, key);
    memcpy(e + 8, name, strlen(name));
    f->nb_files++;
    put_be32(f->file_dir, (uint32_t)f->nb_files);
    for (int i = 0; i < f->nb_items; i++) {
        if (f->items[i].key == KEY_FILE_DIR) f->items[i].size = 4 + (uint32_t)f->nb_files * FILE_ENTRY_SIZE;
    }
    return true;
}

/* ---------------------------------------------------------------- I/O interface */

static uint64_t fw_cfg_read(void *opaque, uint64_t offset, unsigned size)
{
    FwCfg *f = opaque;
    if (offset != 1 || size != 1) return 0;     /* the selector is write-only */
    const FwCfgItem *item = selected_item(f);
    if (!item || f->s.offset >= item->size) return 0;
    return item->data[f->s.offset++];
}

static void select_item(FwCfg *f, uint16_t key)
{
    f->s.selector = key;
    f->s.offset = 0;
}

static void fw_cfg_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    if (offset == 0 && size == 2) select_item(opaque, (uint16_t)value);
    /* data writes are ignored: no item is writable */
}

/* Read or skip length bytes of the selected item; a read copies to guest memory at addr. */
static void dma_transfer(FwCfg *f, uint32_t length, uint64_t addr, bool read)
{
    static const uint8_t zeros[4096];
    const FwCfgItem *item = selected_item(f);
    uint32_t avail = item && f->s.offset < item->size ? item->size - f->s.offset : 0;
    uint32_t from_item = length < avail ? length : avail;
    if (read) {
        if (from_item) phys_write(addr, item->data + f->s.offset, from_item);
        for (uint32_t done = from_item; done < length;) {
            uint32_t n = length - done < sizeof(zeros) ? length - done : (uint32_t)sizeof(zeros);
            phys_write(addr + done, zeros, n);
            done += n;
        }
    }
    f->s.offset += from_item;
}

static void dma_run(FwCfg *f, uint64_t block)
{
    uint8_t b[16];
    phys_read(block, b, sizeof(b));
    uint32_t control = get_be32(b), length = get_be32(b + 4);
    uint64_t addr = (uint64_t)get_be32(b + 8) << 32 | get_be32(b + 12);
    if (control & DMA_SELECT) select_item(f, (uint16_t)(control >> 16));
    uint32_t result = 0;
    if (control & DMA_WRITE) result = DMA_ERROR;
    else if (control & DMA_READ) dma_transfer(f, length, addr, true);
    else if (control & DMA_SKIP) dma_transfer(f, length, addr, false);
    uint8_t out[4];
    put_be32(out, result);
    phys_write(block, out, sizeof(out));
}

static uint32_t bswap32(uint32_t v)
{
    return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static uint64_t fw_cfg_dma_read(void *opaque, uint64_t offset, unsigned size)
{
    /* the register reads as the big-endian signature: bytes "QEMU CFG" in port order */
    uint64_t v = 0;
    for (unsigned i = 0; i < size && offset + i < 8; i++) {
        v |= (uint64_t)(uint8_t)(DMA_SIGNATURE >> (8 * (7 - offset - i))) << (8 * i);
    }
    return v;
}

static void fw_cfg_dma_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    FwCfg *f = opaque;
    if (size != 4) return;
    if (offset == 0) f->s.dma_high = bswap32((uint32_t)value);
    else if (offset == 4) dma_run(f, (uint64_t)f->s.dma_high << 32 | bswap32((uint32_t)value));
}

static const MemOps fw_cfg_ops = { fw_cfg_read, fw_cfg_write };
static const MemOps fw_cfg_dma_ops = { fw_cfg_dma_read, fw_cfg_dma_write };

static void fw_cfg_reset(void *state)
{
    FwCfgState *s = state;
    s->selector = KEY_NONE;
    s->offset = 0;
    s->dma_high = 0;
}

static const DeviceOps fw_cfg_device = {
    .name = "fw_cfg",
    .version = 1,
    .fields = fw_cfg_fields,
    .reset = fw_cfg_reset,
};

/* ---------------------------------------------------------------- items */

/* The board's memory map without its empty entries (the RAM above 1 MiB with -m 1). */
static uint32_t build_e820(uint8_t *out, const Machine *m)
{
    MemMapEntry map[MEMMAP_MAX_ENTRIES];
    const int n_map = board_memory_map(m, map, MEMMAP_MAX_ENTRIES);
    uint32_t n = 0;
    for (int i = 0; i < n_map; i++) {
        if (!map[i].length) continue;
        put_le(out + n * E820_ENTRY_SIZE, map[i].base, 8);
        put_le(out + n * E820_ENTRY_SIZE + 8, map[i].length, 8);
        put_le(out + n * E820_ENTRY_SIZE + 16, map[i].type, 4);
        n++;
    }
    return n * E820_ENTRY_SIZE;
}

/* SeaBIOS's device paths on this board, for each -boot letter. */
static uint32_t build_bootorder(char *out, size_t max, const Machine *m)
{
    size_t n = 0;
    for (const char *c = m->cfg.boot_order ? m->cfg.boot_order : ""; *c; c++) {
        const char *path = *c == 'a' ? "/isa/fdc@03f0/floppy@0" : *c == 'b' ? "/isa/fdc@03f0/floppy@1" : NULL;
        for (int i = 0; i < MAX_IDE_DRIVES && *c == 'c'; i++) {
            if (!m->cfg.ide[i].file) continue;
            int w = snprintf(out + n, max - n, "/pci@i0cf8/ide@1,1/drive@%d/disk@%d\n", i / 2, i % 2);
            if (w > 0 && (size_t)w < max - n) n += (size_t)w;
        }
        if (path) {
            int w = snprintf(out + n, max - n, "%s\n", path);
            if (w > 0 && (size_t)w < max - n) n += (size_t)w;
        }
    }
    return (uint32_t)n;
}

static bool add_boot_items(FwCfg *f, const Machine *m)
{
    uint8_t menu[2], fail_wait[4];
    char bootorder[BOOTORDER_MAX];
    put_le(menu, m->cfg.boot_menu ? 1 : 0, 2);
    put_le(fail_wait, 0xffffffffu, 4);
    uint32_t order_size = build_bootorder(bootorder, sizeof(bootorder), m);
    return add_item(f, KEY_BOOT_MENU, menu, sizeof(menu)) &&
           add_file(f, "etc/boot-fail-wait", fail_wait, sizeof(fail_wait)) &&
           (!order_size || add_file(f, "bootorder", bootorder, order_size));
}

static bool add_items(FwCfg *f, const Machine *m, uint64_t ram)
{
    uint8_t id[4], ram_size[8], cpus[2], e820[MEMMAP_MAX_ENTRIES * E820_ENTRY_SIZE];
    put_le(id, ID_TRADITIONAL | ID_DMA, 4);
    put_le(ram_size, ram, 8);
    put_le(cpus, 1, 2);
    /* the directory item points at f->file_dir, which add_file keeps current */
    if (f->nb_items == MAX_ITEMS) return false;
    f->items[f->nb_items++] = (FwCfgItem){ KEY_FILE_DIR, 4, f->file_dir };
    return add_item(f, KEY_SIGNATURE, "QEMU", 4) && add_item(f, KEY_ID, id, sizeof(id)) &&
           add_item(f, KEY_RAM_SIZE, ram_size, sizeof(ram_size)) &&
           add_item(f, KEY_NB_CPUS, cpus, sizeof(cpus)) && add_item(f, KEY_MAX_CPUS, cpus, sizeof(cpus)) &&
           add_file(f, "etc/e820", e820, build_e820(e820, m)) && add_boot_items(f, m);
}

bool fw_cfg_create(Machine *m)
{
    FwCfg *f = calloc(1, sizeof(*f));
    if (!f) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    if (!add_items(f, m, phys_ram_size())) {
        fprintf(stderr, "ferry: fw_cfg: cannot build the items\n");
        return false;
    }
    if (!port_register(FW_CFG_PORT, 2, &fw_cfg_ops, f) ||
        !port_register(FW_CFG_DMA_PORT, 8, &fw_cfg_dma_ops, f)) {
        fprintf(stderr, "ferry: fw_cfg ports 0x510/0x514 already in use\n");
        return false;
    }
    machine_add_device(m, &fw_cfg_device, &f->s);
    return true;
}
