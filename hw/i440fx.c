/*
 * hw/i440fx.c — the i440FX PCI and memory controller (PMC), 8086:1237 at 00:00.0, the host
 * bridge of QEMU's "pc" machine.
 *
 * It holds the PAM registers (0x59-0x5F: read/write enables of the shadow-RAM segments
 * 0xC0000-0xFFFFF) and SMRAM (0x72). Both are stored and read back only: re-decoding
 * 0xC0000-0xFFFFF from the PAM settings is issue 10's work, and SMM does not exist (SMRAM
 * stays a plain byte, which is all SeaBIOS needs once the PM function says SMM is set up).
 */
#include <stdlib.h>

#include "hw/board.h"
#include "hw/pci.h"

#define I440FX_DEVFN PCI_DEVFN(0, 0)
#define PAM_FIRST 0x59
#define PAM_COUNT 7
#define SMRAM 0x72
#define SMRAM_C_BASE_A0000 0x02     /* bits 2:0 hard-wired: compatible SMRAM at 0xA0000 */

typedef struct I440fxState {
    uint8_t config[PCI_CONFIG_SIZE];
} I440fxState;

static const StateField i440fx_fields[] = {
    STATE_FIELD(I440fxState, config, 1),
    STATE_END
};

/* 0x58 (DRAM control) shares a dword with PAM0 and just stores what is written; PAM0's low
 * nibble is reserved; the PAM fields are bits 1:0 and 5:4 of each byte; SMRAM's D_OPEN,
 * D_CLS, D_LCK and G_SMRAME are writable, C_BASE is fixed. */
static const PciWritable i440fx_writable[] = {
    { 0x58, 1, 0xff },
    { PAM_FIRST, 1, 0x30 },
    { PAM_FIRST + 1, PAM_COUNT - 1, 0x33 },
    { SMRAM, 1, 0x78 },
    { 0, 0, 0 }
};

static const PciFunctionInfo i440fx_info = {
    .name = "i440FX",
    .vendor = 0x8086, .device = 0x1237, .revision = 0x02,
    .class_code = 0x060000,         /* host bridge */
    .header_type = 0x00,
    .writable = i440fx_writable,
};

static void i440fx_reset(void *state)
{
    I440fxState *s = state;
    pci_config_init(s->config, &i440fx_info);
    pci_set_word(s->config, PCI_COMMAND, 0x0006);   /* memory and bus master, as at power-on */
    pci_set_word(s->config, PCI_STATUS, 0x0280);    /* fast back-to-back, medium DEVSEL */
    s->config[SMRAM] = SMRAM_C_BASE_A0000;
}

static const DeviceOps i440fx_device = {
    .name = "i440fx",
    .version = 1,
    .fields = i440fx_fields,
    .reset = i440fx_reset,
};

bool i440fx_create(Machine *m)
{
    I440fxState *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    if (!pci_function_add(I440FX_DEVFN, &i440fx_info, s->config, s)) {
        free(s);
        return false;
    }
    machine_add_device(m, &i440fx_device, s);
    return true;
}
