/*
 * hw/ata.c — an ATA channel: two hard-disk devices (master, slave) on one task file, the
 * PIO and DMA data phases, and the channel's bus-master IDE engine (PRD tables in guest
 * memory). Commands: IDENTIFY DEVICE; READ/WRITE SECTORS, MULTIPLE and DMA in their LBA28
 * (and CHS) and LBA48 forms; SET MULTIPLE MODE; SET FEATURES; FLUSH CACHE (EXT);
 * INITIALIZE DEVICE PARAMETERS; SEEK; READ VERIFY; READ NATIVE MAX ADDRESS (EXT); the
 * power-mode commands; EXECUTE DEVICE DIAGNOSTIC; soft reset through SRST with the ATA
 * signature. Anything else (IDENTIFY PACKET DEVICE included: these are not ATAPI devices)
 * ends with ERR and ABRT. Commands complete synchronously: BSY is never left set.
 *
 * Guest values are never trusted: an address range that leaves the image ends with IDNF
 * before any data moves, the PIO buffer position is bounded by the block being moved, and
 * every PRD table entry and buffer must lie in guest RAM (else the bus master reports an
 * error), read through mmu/ so a transfer into RAM drops translated code it overwrites.
 */
#include <string.h>

#include "hw/ata.h"
#include "mmu/mmu.h"

#define ST_BSY 0x80
#define ST_DRDY 0x40
#define ST_DSC 0x10
#define ST_DRQ 0x08
#define ST_ERR 0x01
#define ST_IDLE (ST_DRDY | ST_DSC)

#define ERR_ABRT 0x04
#define ERR_IDNF 0x10
#define ERR_UNC 0x40
#define DIAG_PASSED 0x01

#define SEL_LBA 0x40
#define SEL_DEV 0x10
#define SEL_ALWAYS 0xa0             /* obsolete bits, set as drivers write them */

#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB 0x80

#define BM_CMD_START 0x01
#define BM_CMD_TO_MEMORY 0x08
#define BM_CMD_MASK (BM_CMD_START | BM_CMD_TO_MEMORY)
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR 0x02
#define BM_ST_INT 0x04
#define BM_ST_DMA_CAPABLE 0x60      /* drive 0/1 DMA capable: plain read/write bits */
#define PRD_EOT 0x8000
#define PRD_MAX_ENTRIES 8192        /* a table is at most 64 KiB */

#define SECTOR 512u
#define LBA28_LIMIT (1ull << 28)
#define DEFAULT_HEADS 16
#define DEFAULT_SPT 63
#define MAX_CYLINDERS 16383

const StateField ata_channel_fields[] = {
    STATE_FIELD(AtaChannelState, feature, 1),
    STATE_FIELD(AtaChannelState, nsector, 1),
    STATE_FIELD(AtaChannelState, lbal, 1),
    STATE_FIELD(AtaChannelState, lbam, 1),
    STATE_FIELD(AtaChannelState, lbah, 1),
    STATE_FIELD(AtaChannelState, select, 1),
    STATE_FIELD(AtaChannelState, control, 1),
    STATE_FIELD(AtaChannelState, intrq, 1),
    STATE_FIELD(AtaChannelState, command, 1),
    STATE_FIELD(AtaChannelState, transfer, 1),
    STATE_FIELD(AtaChannelState, transfer_drive, 1),
    STATE_FIELD(AtaChannelState, lba, 1),
    STATE_FIELD(AtaChannelState, remaining, 1),
    STATE_FIELD(AtaChannelState, data_pos, 1),
    STATE_FIELD(AtaChannelState, data_end, 1),
    STATE_FIELD(AtaChannelState, data, 1),
    STATE_FIELD(AtaChannelState, bm_command, 1),
    STATE_FIELD(AtaChannelState, bm_status, 1),
    STATE_FIELD(AtaChannelState, bm_prd, 1),
    STATE_FIELD(AtaChannelState, drive, 1),
    STATE_END
};

/* ---------------------------------------------------------------- helpers */

static unsigned selected(const AtaChannel *ch)
{
    return (ch->s.select & SEL_DEV) ? 1 : 0;
}

static AtaDriveState *drive(AtaChannel *ch)
{
    return &ch->s.drive[selected(ch)];
}

static bool any_disk(const AtaChannel *ch)
{
    return ch->disk[0] || ch->disk[1];
}

static void update_irq(AtaChannel *ch)
{
    int level = ch->s.intrq && !(ch->s.control & CTL_NIEN);
    if (level != ch->irq_level) {
        ch->irq_level = level;
        if (ch->irq >= 0) irq_set(ch->irq, level);
    }
}

static void raise_irq(AtaChannel *ch)
{
    ch->s.intrq = 1;
    ch->s.bm_status |= BM_ST_INT;
    update_irq(ch);
}

static void end_transfer(AtaChannel *ch)
{
    ch->s.transfer = ATA_XFER_NONE;
    ch->s.data_pos = ch->s.data_end = 0;
    ch->s.remaining = 0;
}

static void finish(AtaChannel *ch, uint8_t error)
{
    AtaDriveState *d = drive(ch);
    end_transfer(ch);
    d->error = error;
    d->status = ST_IDLE | (error ? ST_ERR : 0);
    raise_irq(ch);
}

static uint32_t sector_count(const AtaChannel *ch, bool lba48)
{
    uint32_t n = lba48 ? (uint32_t)ch->s.nsector[1] << 8 | ch->s.nsector[0] : ch->s.nsector[0];
    return n ? n : (lba48 ? 65536u : 256u);
}

/* The command's starting sector from the task file (LBA48, LBA28 or CHS); false if the
 * CHS address names no sector of the current geometry. */
static bool start_sector(AtaChannel *ch, bool lba48, uint64_t *lba)
{
    const AtaChannelState *s = &ch->s;
    if (lba48) {
        *lba = (uint64_t)s->lbal[0] | (uint64_t)s->lbam[0] << 8 | (uint64_t)s->lbah[0] << 16 |
               (uint64_t)s->lbal[1] << 24 | (uint64_t)s->lbam[1] << 32 | (uint64_t)s->lbah[1] << 40;
    } else if (s->select & SEL_LBA) {
        *lba = (uint64_t)s->lbal[0] | (uint64_t)s->lbam[0] << 8 | (uint64_t)s->lbah[0] << 16 |
               (uint64_t)(s->select & 0x0f) << 24;
    } else {
        const AtaDriveState *d = &s->drive[selected(ch)];
        unsigned head = s->select & 0x0f, sector = s->lbal[0];
        uint64_t cyl = (uint64_t)s->lbah[0] << 8 | s->lbam[0];
        if (!d->heads || !d->sectors || head >= d->heads || sector == 0 || sector > d->sectors) return false;
        *lba = (cyl * d->heads + head) * d->sectors + sector - 1;
    }
    return true;
}

/* Start sector and count of a read/write command, checked against the image. */
static bool command_range(AtaChannel *ch, bool lba48, uint64_t *lba, uint32_t *count)
{
    *count = sector_count(ch, lba48);
    uint64_t cap = block_sectors(ch->disk[selected(ch)]);
    return start_sector(ch, lba48, lba) && *lba <= cap && *count <= cap - *lba;
}

/* ---------------------------------------------------------------- IDENTIFY */

static void put_word(uint8_t *buf, unsigned word, uint16_t v)
{
    buf[2 * word] = (uint8_t)v;
    buf[2 * word + 1] = (uint8_t)(v >> 8);
}

/* ATA strings: two characters per word, the first in the high byte, padded with spaces. */
static void put_string(uint8_t *buf, unsigned word, unsigned chars, const char *str)
{
    size_t len = strlen(str);
    for (unsigned i = 0; i < chars; i++) {
        buf[2 * word + (i ^ 1)] = (uint8_t)(i < len ? str[i] : ' ');
    }
}

static void build_identify(AtaChannel *ch, uint8_t *buf)
{
    unsigned dev = selected(ch);
    const AtaDriveState *d = &ch->s.drive[dev];
    uint64_t cap = block_sectors(ch->disk[dev]);
    uint64_t cyls = cap / (DEFAULT_HEADS * DEFAULT_SPT);
    if (cyls > MAX_CYLINDERS) cyls = MAX_CYLINDERS;
    if (cyls == 0) cyls = 1;
    uint64_t cur_cyls = d->heads && d->sectors ? cap / ((uint64_t)d->heads * d->sectors) : 0;
    if (cur_cyls > 0xffff) cur_cyls = 0xffff;
    uint64_t cur_cap = cur_cyls * d->heads * d->sectors;
    uint64_t lba28 = cap < LBA28_LIMIT ? cap : LBA28_LIMIT - 1;
    char serial[21];
    snprintf(serial, sizeof(serial), "FERRY%05u", 2 * ch->index + dev + 1);
    unsigned mode = d->xfer_mode;

    memset(buf, 0, SECTOR);
    put_word(buf, 0, 0x0040);                        /* fixed ATA device */
    put_word(buf, 1, (uint16_t)cyls);
    put_word(buf, 3, DEFAULT_HEADS);
    put_word(buf, 6, DEFAULT_SPT);
    put_string(buf, 10, 20, serial);
    put_string(buf, 23, 8, "1.0");
    put_string(buf, 27, 40, "FERRY HARDDISK");
    put_word(buf, 47, 0x8000 | ATA_MAX_MULTIPLE);
    put_word(buf, 49, (1u << 11) | (1u << 9) | (1u << 8));   /* IORDY, LBA, DMA */
    put_word(buf, 51, 0x0200);
    put_word(buf, 53, 0x0007);                       /* words 54-58, 64-70 and 88 valid */
    put_word(buf, 54, (uint16_t)cur_cyls);
    put_word(buf, 55, d->heads);
    put_word(buf, 56, d->sectors);
    put_word(buf, 57, (uint16_t)cur_cap);
    put_word(buf, 58, (uint16_t)(cur_cap >> 16));
    put_word(buf, 59, d->multiple ? 0x0100 | d->multiple : 0);
    put_word(buf, 60, (uint16_t)lba28);
    put_word(buf, 61, (uint16_t)(lba28 >> 16));
    /* multiword DMA 0-2 supported, the one SET FEATURES chose selected */
    put_word(buf, 63, 0x0007 | ((mode & 0xf8) == 0x20 ? 0x100u << (mode & 7) : 0));
    put_word(buf, 64, 0x0003);                       /* PIO 3 and 4 */
    for (unsigned w = 65; w <= 68; w++) put_word(buf, w, 120);
    put_word(buf, 80, 0x00f0);                       /* ATA-4 to ATA-7 */
    put_word(buf, 82, (1u << 5) | (1u << 3));        /* write cache, power management */
    put_word(buf, 83, (1u << 14) | (1u << 13) | (1u << 12) | (1u << 10));  /* FLUSH EXT, FLUSH, LBA48 */
    put_word(buf, 84, 1u << 14);
    put_word(buf, 85, (d->write_cache ? 1u << 5 : 0) | (1u << 3));
    put_word(buf, 86, (1u << 13) | (1u << 12) | (1u << 10));
    put_word(buf, 87, 1u << 14);
    /* hardware reset result: device 0 tells whether a device 1 answered */
    put_word(buf, 93, dev ? 0x4100 : (ch->disk[1] ? 0x4009 : 0x4041));
    for (unsigned w = 0; w < 4; w++) put_word(buf, 100 + w, (uint16_t)(cap >> (16 * w)));
    put_word(buf, 106, 0x4000);                      /* one 512-byte logical sector per physical */
    uint8_t sum = 0xa5;
    for (unsigned i = 0; i < SECTOR - 2; i++) sum = (uint8_t)(sum + buf[i]);
    put_word(buf, 255, (uint16_t)(0xa5 | (uint8_t)-sum << 8));
}

/* ---------------------------------------------------------------- PIO data phase */

static unsigned block_size(const AtaChannel *ch, bool multiple)
{
    return multiple ? ch->s.drive[ch->s.transfer_drive].multiple : 1;
}

/* Next block of a PIO read into the buffer, then DRQ and an interrupt. */
static void pio_in_block(AtaChannel *ch, unsigned per_block)
{
    AtaChannelState *s = &ch->s;
    uint32_t n = s->remaining < per_block ? s->remaining : per_block;
    if (!block_read(ch->disk[s->transfer_drive], s->lba, s->data, n)) {
        finish(ch, ERR_UNC);
        return;
    }
    s->lba += n;
    s->remaining -= n;
    s->data_pos = 0;
    s->data_end = n * SECTOR;
    drive(ch)->status = ST_IDLE | ST_DRQ;
    raise_irq(ch);
}

/* Room for the next block of a PIO write; DRQ (the first block without an interrupt). */
static void pio_out_block(AtaChannel *ch, unsigned per_block, bool interrupt)
{
    AtaChannelState *s = &ch->s;
    uint32_t n = s->remaining < per_block ? s->remaining : per_block;
    s->data_pos = 0;
    s->data_end = n * SECTOR;
    drive(ch)->status = ST_IDLE | ST_DRQ;
    if (interrupt) raise_irq(ch);
}

static bool command_is_multiple(uint8_t cmd)
{
    return cmd == 0xc4 || cmd == 0xc5 || cmd == 0x29 || cmd == 0x39;
}

/* The guest has taken (read) or filled (write) the whole buffer. */
static void pio_block_done(AtaChannel *ch)
{
    AtaChannelState *s = &ch->s;
    unsigned per_block = block_size(ch, command_is_multiple(s->command));
    if (s->transfer == ATA_XFER_PIO_IN) {
        if (s->remaining) {
            pio_in_block(ch, per_block);
        } else {
            end_transfer(ch);
            drive(ch)->status = ST_IDLE;        /* no interrupt after the last block is read */
        }
        return;
    }
    uint32_t n = s->data_end / SECTOR;
    if (!block_write(ch->disk[s->transfer_drive], s->lba, s->data, n)) {
        finish(ch, ERR_ABRT);
        return;
    }
    s->lba += n;
    s->remaining -= n;
    if (s->remaining) pio_out_block(ch, per_block, true);
    else finish(ch, 0);
}

static uint32_t data_read(AtaChannel *ch, unsigned size)
{
    AtaChannelState *s = &ch->s;
    if (s->transfer != ATA_XFER_PIO_IN || s->data_pos >= s->data_end) return 0;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && s->data_pos < s->data_end; i++) {
        v |= (uint32_t)s->data[s->data_pos++] << (8 * i);
    }
    if (s->data_pos >= s->data_end) pio_block_done(ch);
    return v;
}

static void data_write(AtaChannel *ch, uint32_t value, unsigned size)
{
    AtaChannelState *s = &ch->s;
    if (s->transfer != ATA_XFER_PIO_OUT || s->data_pos >= s->data_end) return;
    for (unsigned i = 0; i < size && s->data_pos < s->data_end; i++) {
        s->data[s->data_pos++] = (uint8_t)(value >> (8 * i));
    }
    if (s->data_pos >= s->data_end) pio_block_done(ch);
}

/* ---------------------------------------------------------------- bus-master DMA */

typedef struct PrdCursor {
    uint32_t table;
    unsigned next;                  /* index of the next entry to load */
    uint64_t addr;                  /* current entry: where the rest of it starts */
    uint32_t left;                  /* bytes left in the current entry */
    bool last;                      /* the current entry ends the table */
} PrdCursor;

static bool prd_load(PrdCursor *c)
{
    if (c->last || c->next >= PRD_MAX_ENTRIES) return false;
    const uint8_t *e = phys_ram_ptr((uint64_t)c->table + 8ull * c->next, 8);
    if (!e) return false;
    c->next++;
    c->addr = (uint32_t)(e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24) & ~1u;
    uint32_t count = (uint32_t)(e[4] | e[5] << 8) & ~1u;
    c->left = count ? count : 0x10000;
    c->last = (e[6] | e[7] << 8) & PRD_EOT;
    return true;
}

/* Move one sector between buf and the memory the PRDs describe; false if the table ran out
 * or named memory that is not guest RAM. */
static bool prd_move(PrdCursor *c, uint8_t *buf, bool to_memory)
{
    uint32_t done = 0;
    while (done < SECTOR) {
        if (c->left == 0 && !prd_load(c)) return false;
        uint32_t n = SECTOR - done < c->left ? SECTOR - done : c->left;
        if (!phys_ram_ptr(c->addr, n)) return false;
        if (to_memory) phys_write(c->addr, buf + done, n);
        else phys_read(c->addr, buf + done, n);
        c->addr += n;
        c->left -= n;
        done += n;
    }
    return true;
}

/* Run a DMA command's data phase once both the command and the engine's START are there. */
static void dma_run(AtaChannel *ch)
{
    AtaChannelState *s = &ch->s;
    if ((s->transfer != ATA_XFER_DMA_IN && s->transfer != ATA_XFER_DMA_OUT) ||
        !(s->bm_command & BM_CMD_START)) {
        return;
    }
    bool to_memory = s->transfer == ATA_XFER_DMA_IN;
    BlockDev *disk = ch->disk[s->transfer_drive];
    PrdCursor c = { .table = s->bm_prd };
    uint8_t sector[SECTOR];
    uint8_t ata_error = 0;
    bool bus_error = false;
    for (; s->remaining; s->remaining--, s->lba++) {
        if (to_memory && !block_read(disk, s->lba, sector, 1)) {
            ata_error = ERR_UNC;
            break;
        }
        if (!prd_move(&c, sector, to_memory)) {
            bus_error = true;
            ata_error = ERR_ABRT;
            break;
        }
        if (!to_memory && !block_write(disk, s->lba, sector, 1)) {
            ata_error = ERR_ABRT;
            break;
        }
    }
    /* ACTIVE stays set when the PRDs describe more memory than the transfer used */
    if (bus_error || ata_error || (c.left == 0 && c.last)) s->bm_status &= (uint8_t)~BM_ST_ACTIVE;
    if (bus_error) s->bm_status |= BM_ST_ERROR;
    finish(ch, ata_error);
}

/* ---------------------------------------------------------------- commands */

typedef enum RwMode { RW_PIO, RW_MULTIPLE, RW_DMA } RwMode;

typedef struct RwCommand {
    uint8_t opcode;
    bool write, lba48;
    RwMode mode;
} RwCommand;

static const RwCommand rw_commands[] = {
    { 0x20, false, false, RW_PIO }, { 0x21, false, false, RW_PIO },
    { 0x24, false, true, RW_PIO },
    { 0xc4, false, false, RW_MULTIPLE }, { 0x29, false, true, RW_MULTIPLE },
    { 0xc8, false, false, RW_DMA }, { 0xc9, false, false, RW_DMA }, { 0x25, false, true, RW_DMA },
    { 0x30, true, false, RW_PIO }, { 0x31, true, false, RW_PIO },
    { 0x34, true, true, RW_PIO },
    { 0xc5, true, false, RW_MULTIPLE }, { 0x39, true, true, RW_MULTIPLE },
    { 0xca, true, false, RW_DMA }, { 0xcb, true, false, RW_DMA }, { 0x35, true, true, RW_DMA },
};

static void cmd_read_write(AtaChannel *ch, const RwCommand *rw)
{
    AtaChannelState *s = &ch->s;
    unsigned dev = selected(ch);
    uint64_t lba;
    uint32_t count;
    if (rw->mode == RW_MULTIPLE && !s->drive[dev].multiple) {
        finish(ch, ERR_ABRT);
        return;
    }
    if (rw->write && block_readonly(ch->disk[dev])) {
        finish(ch, ERR_ABRT);
        return;
    }
    if (!command_range(ch, rw->lba48, &lba, &count)) {
        finish(ch, ERR_IDNF);
        return;
    }
    s->transfer_drive = (uint8_t)dev;
    s->lba = lba;
    s->remaining = count;
    s->drive[dev].error = 0;
    if (rw->mode == RW_DMA) {
        s->transfer = rw->write ? ATA_XFER_DMA_OUT : ATA_XFER_DMA_IN;
        s->drive[dev].status = ST_IDLE | ST_DRQ;
        dma_run(ch);
        return;
    }
    unsigned per_block = rw->mode == RW_MULTIPLE ? s->drive[dev].multiple : 1;
    if (rw->write) {
        s->transfer = ATA_XFER_PIO_OUT;
        pio_out_block(ch, per_block, false);
    } else {
        s->transfer = ATA_XFER_PIO_IN;
        pio_in_block(ch, per_block);
    }
}

static void cmd_identify(AtaChannel *ch)
{
    AtaChannelState *s = &ch->s;
    build_identify(ch, s->data);
    s->transfer = ATA_XFER_PIO_IN;
    s->transfer_drive = (uint8_t)selected(ch);
    s->remaining = 0;
    s->data_pos = 0;
    s->data_end = SECTOR;
    drive(ch)->error = 0;
    drive(ch)->status = ST_IDLE | ST_DRQ;
    raise_irq(ch);
}

static void cmd_set_multiple(AtaChannel *ch)
{
    unsigned n = ch->s.nsector[0];
    if (n > ATA_MAX_MULTIPLE || (n & (n - 1))) {
        finish(ch, ERR_ABRT);
        return;
    }
    drive(ch)->multiple = (uint8_t)n;
    finish(ch, 0);
}

/* SET FEATURES 03: PIO default/flow control up to mode 4, multiword DMA 0-2. */
static bool transfer_mode_valid(uint8_t v)
{
    switch (v & 0xf8) {
    case 0x00: return (v & 7) <= 1;
    case 0x08: return (v & 7) <= 4;
    case 0x20: return (v & 7) <= 2;
    default:   return false;
    }
}

static void cmd_set_features(AtaChannel *ch)
{
    AtaDriveState *d = drive(ch);
    uint8_t value = ch->s.nsector[0];
    switch (ch->s.feature[0]) {
    case 0x02: d->write_cache = 1; break;
    case 0x82: d->write_cache = 0; break;
    case 0x03:
        if (!transfer_mode_valid(value)) {
            finish(ch, ERR_ABRT);
            return;
        }
        d->xfer_mode = value;
        break;
    default: break;             /* look-ahead, defaults and the like change nothing here */
    }
    finish(ch, 0);
}

static void cmd_flush(AtaChannel *ch)
{
    finish(ch, block_flush(ch->disk[selected(ch)]) ? 0 : ERR_ABRT);
}

static void cmd_init_params(AtaChannel *ch)
{
    AtaDriveState *d = drive(ch);
    d->heads = (uint8_t)((ch->s.select & 0x0f) + 1);
    d->sectors = ch->s.nsector[0];
    finish(ch, 0);
}

/* SEEK, RECALIBRATE, READ VERIFY: no data moves, but the address must exist. */
static void cmd_check_address(AtaChannel *ch, bool lba48)
{
    uint64_t lba;
    uint32_t count;
    finish(ch, command_range(ch, lba48, &lba, &count) ? 0 : ERR_IDNF);
}

static void cmd_seek(AtaChannel *ch)
{
    uint64_t lba;
    bool ok = start_sector(ch, false, &lba) && lba < block_sectors(ch->disk[selected(ch)]);
    finish(ch, ok ? 0 : ERR_IDNF);
}

static void cmd_read_native_max(AtaChannel *ch, bool lba48)
{
    AtaChannelState *s = &ch->s;
    uint64_t max = block_sectors(ch->disk[selected(ch)]) - 1;
    if (!lba48 && max >= LBA28_LIMIT) max = LBA28_LIMIT - 1;
    s->lbal[0] = (uint8_t)max;
    s->lbam[0] = (uint8_t)(max >> 8);
    s->lbah[0] = (uint8_t)(max >> 16);
    if (lba48) {
        s->lbal[1] = (uint8_t)(max >> 24);
        s->lbam[1] = (uint8_t)(max >> 32);
        s->lbah[1] = (uint8_t)(max >> 40);
    } else {
        s->select = (uint8_t)((s->select & 0xf0) | ((max >> 24) & 0x0f));
    }
    finish(ch, 0);
}

static void set_signature(AtaChannel *ch)
{
    AtaChannelState *s = &ch->s;
    s->nsector[0] = 1;
    s->lbal[0] = 1;
    s->lbam[0] = 0;
    s->lbah[0] = 0;
    s->select = SEL_ALWAYS;
    for (unsigned dev = 0; dev < 2; dev++) {
        if (!ch->disk[dev]) continue;
        s->drive[dev].status = ST_IDLE;
        s->drive[dev].error = DIAG_PASSED;
    }
}

static void cmd_diagnostic(AtaChannel *ch)
{
    end_transfer(ch);
    set_signature(ch);
    raise_irq(ch);
}

static void execute(AtaChannel *ch, uint8_t cmd)
{
    AtaChannelState *s = &ch->s;
    s->command = cmd;
    end_transfer(ch);
    for (size_t i = 0; i < sizeof(rw_commands) / sizeof(rw_commands[0]); i++) {
        if (rw_commands[i].opcode == cmd) {
            cmd_read_write(ch, &rw_commands[i]);
            return;
        }
    }
    if ((cmd & 0xf0) == 0x10) {             /* RECALIBRATE */
        finish(ch, 0);
        return;
    }
    if ((cmd & 0xf0) == 0x70) {             /* SEEK */
        cmd_seek(ch);
        return;
    }
    switch (cmd) {
    case 0xec: cmd_identify(ch); break;
    case 0xc6: cmd_set_multiple(ch); break;
    case 0xef: cmd_set_features(ch); break;
    case 0xe7: case 0xea: cmd_flush(ch); break;
    case 0x91: cmd_init_params(ch); break;
    case 0x40: case 0x41: cmd_check_address(ch, false); break;
    case 0x42: cmd_check_address(ch, true); break;
    case 0xf8: cmd_read_native_max(ch, false); break;
    case 0x27: cmd_read_native_max(ch, true); break;
    case 0xe5: s->nsector[0] = 0xff; finish(ch, 0); break;     /* CHECK POWER MODE: active */
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: finish(ch, 0); break;
    case 0x90: cmd_diagnostic(ch); break;
    default: finish(ch, ERR_ABRT); break;   /* IDENTIFY PACKET, NOP, DEVICE RESET, unknown */
    }
}

/* ---------------------------------------------------------------- registers */

uint32_t ata_cmd_read(AtaChannel *ch, unsigned reg, unsigned size)
{
    AtaChannelState *s = &ch->s;
    if (!any_disk(ch) || reg > 7) return 0;
    unsigned hob = (s->control & CTL_HOB) ? 1 : 0;
    switch (reg) {
    case 0: return ch->disk[selected(ch)] ? data_read(ch, size) : 0;
    case 1: return ch->disk[selected(ch)] ? drive(ch)->error : 0;
    case 2: return s->nsector[hob];
    case 3: return s->lbal[hob];
    case 4: return s->lbam[hob];
    case 5: return s->lbah[hob];
    case 6: return s->select;
    default:
        if (!ch->disk[selected(ch)]) return 0;
        s->intrq = 0;
        update_irq(ch);
        return drive(ch)->status;
    }
}

void ata_cmd_write(AtaChannel *ch, unsigned reg, uint32_t value, unsigned size)
{
    AtaChannelState *s = &ch->s;
    uint8_t v = (uint8_t)value;
    uint8_t *fifo[6] = { NULL, s->feature, s->nsector, s->lbal, s->lbam, s->lbah };
    if (reg == 0) {
        if (ch->disk[selected(ch)]) data_write(ch, value, size);
        return;
    }
    if (reg >= 1 && reg <= 5) {
        fifo[reg][1] = fifo[reg][0];
        fifo[reg][0] = v;
        s->control &= (uint8_t)~CTL_HOB;
        return;
    }
    if (reg == 6) {
        s->select = v | SEL_ALWAYS;
        s->control &= (uint8_t)~CTL_HOB;
        return;
    }
    if (reg != 7 || !ch->disk[selected(ch)] || (s->control & CTL_SRST)) return;
    execute(ch, v);
}

uint8_t ata_altstatus_read(AtaChannel *ch)
{
    if (!ch->disk[selected(ch)]) return 0;
    return drive(ch)->status;
}

void ata_control_write(AtaChannel *ch, uint8_t value)
{
    AtaChannelState *s = &ch->s;
    bool was_reset = s->control & CTL_SRST;
    s->control = value;
    if (!was_reset && (value & CTL_SRST)) {
        end_transfer(ch);
        s->intrq = 0;
        for (unsigned dev = 0; dev < 2; dev++) {
            if (ch->disk[dev]) s->drive[dev].status = ST_BSY | ST_DSC;
        }
    } else if (was_reset && !(value & CTL_SRST)) {
        set_signature(ch);
    }
    update_irq(ch);
}

static uint8_t bm_read_byte(const AtaChannel *ch, unsigned offset)
{
    switch (offset) {
    case 0: return ch->s.bm_command;
    case 2: return ch->s.bm_status;
    case 4: case 5: case 6: case 7: return (uint8_t)(ch->s.bm_prd >> (8 * (offset - 4)));
    default: return 0;
    }
}

static void bm_write_byte(AtaChannel *ch, unsigned offset, uint8_t v)
{
    AtaChannelState *s = &ch->s;
    switch (offset) {
    case 0: {
        uint8_t old = s->bm_command;
        s->bm_command = v & BM_CMD_MASK;
        if (!(old & BM_CMD_START) && (v & BM_CMD_START)) {
            s->bm_status |= BM_ST_ACTIVE;
            dma_run(ch);
        } else if (!(v & BM_CMD_START)) {
            s->bm_status &= (uint8_t)~BM_ST_ACTIVE;
        }
        break;
    }
    case 2:
        s->bm_status = (uint8_t)((s->bm_status & ~(BM_ST_DMA_CAPABLE | ((BM_ST_ERROR | BM_ST_INT) & v))) |
                                 (v & BM_ST_DMA_CAPABLE));
        break;
    case 4: case 5: case 6: case 7: {
        unsigned shift = 8 * (offset - 4);
        s->bm_prd = ((s->bm_prd & ~(0xffu << shift)) | (uint32_t)v << shift) & ~3u;
        break;
    }
    default: break;
    }
}

uint32_t ata_bm_read(AtaChannel *ch, unsigned offset, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size && offset + i < 8; i++) v |= (uint32_t)bm_read_byte(ch, offset + i) << (8 * i);
    return v;
}

void ata_bm_write(AtaChannel *ch, unsigned offset, uint32_t value, unsigned size)
{
    for (unsigned i = 0; i < size && offset + i < 8; i++) bm_write_byte(ch, offset + i, (uint8_t)(value >> (8 * i)));
}

/* ---------------------------------------------------------------- setup */

void ata_channel_reset(AtaChannel *ch)
{
    AtaChannelState *s = &ch->s;
    memset(s, 0, sizeof(*s));
    for (unsigned dev = 0; dev < 2; dev++) {
        s->drive[dev].heads = DEFAULT_HEADS;
        s->drive[dev].sectors = DEFAULT_SPT;
        s->drive[dev].write_cache = 1;
    }
    set_signature(ch);
    update_irq(ch);
}

void ata_channel_init(AtaChannel *ch, unsigned index, int irq, BlockDev *master, BlockDev *slave)
{
    memset(ch, 0, sizeof(*ch));
    ch->index = index;
    ch->irq = irq;
    ch->disk[0] = master;
    ch->disk[1] = slave;
    ata_channel_reset(ch);
}
