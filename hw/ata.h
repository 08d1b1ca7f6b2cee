/*
 * hw/ata.h — inside the board part: one ATA channel (a master and a slave hard disk on a
 * shared task file) with its bus-master DMA engine, as the PIIX3 IDE function wires two of
 * them to the legacy ports. The port-level entry points are what the PCI function and the
 * fuzz target drive; every guest-supplied LBA, count, buffer offset and PRD is checked here.
 */
#ifndef FERRY_ATA_H
#define FERRY_ATA_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/block.h"
#include "hw/hw.h"

#define ATA_MAX_MULTIPLE 16         /* sectors per READ/WRITE MULTIPLE block (IDENTIFY word 47) */
#define ATA_BUFFER_SIZE (ATA_MAX_MULTIPLE * 512)

typedef struct AtaDriveState {
    uint8_t status, error;
    uint8_t multiple;               /* SET MULTIPLE MODE: sectors per block, 0 = not set */
    uint8_t write_cache;            /* SET FEATURES 02/82 */
    uint8_t xfer_mode;              /* SET FEATURES 03: the selected transfer mode value */
    uint8_t heads, sectors;         /* logical CHS geometry (INITIALIZE DEVICE PARAMETERS) */
} AtaDriveState;

typedef struct AtaChannelState {
    uint8_t feature[2], nsector[2], lbal[2], lbam[2], lbah[2];  /* [0] current, [1] previous (HOB) */
    uint8_t select;                 /* device register */
    uint8_t control;                /* device control: nIEN, SRST, HOB */
    uint8_t intrq;                  /* the selected device's INTRQ (cleared by reading status) */
    uint8_t command;                /* command whose data phase is in progress */
    uint8_t transfer;               /* ATA_XFER_* */
    uint8_t transfer_drive;
    uint64_t lba;                   /* next sector of the transfer after the buffer's */
    uint32_t remaining;             /* sectors left after the buffer's */
    uint32_t data_pos, data_end;    /* PIO position in data[] */
    uint8_t data[ATA_BUFFER_SIZE];
    uint8_t bm_command, bm_status;  /* bus master IDE registers */
    uint32_t bm_prd;
    AtaDriveState drive[2];
} AtaChannelState;

enum { ATA_XFER_NONE, ATA_XFER_PIO_IN, ATA_XFER_PIO_OUT, ATA_XFER_DMA_IN, ATA_XFER_DMA_OUT };

typedef struct AtaChannel {
    AtaChannelState s;              /* first: the device's state */
    BlockDev *disk[2];              /* NULL: no device */
    int irq;
    unsigned index;                 /* channel number: serial numbers */
    int irq_level;
} AtaChannel;

extern const StateField ata_channel_fields[];

void ata_channel_init(AtaChannel *ch, unsigned index, int irq, BlockDev *master, BlockDev *slave);
void ata_channel_reset(AtaChannel *ch);         /* hardware reset */
/* Command block registers 0-7 (0 = data, 16 or 32 bits), the control block's register
 * (alternate status / device control), and the 8 bus-master registers. */
uint32_t ata_cmd_read(AtaChannel *ch, unsigned reg, unsigned size);
void ata_cmd_write(AtaChannel *ch, unsigned reg, uint32_t value, unsigned size);
uint8_t ata_altstatus_read(AtaChannel *ch);
void ata_control_write(AtaChannel *ch, uint8_t value);
uint32_t ata_bm_read(AtaChannel *ch, unsigned offset, unsigned size);
void ata_bm_write(AtaChannel *ch, unsigned offset, uint32_t value, unsigned size);

#endif
