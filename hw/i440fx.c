/*
 * hw/i440fx.c — the i440FX PCI and memory controller (PMC), 8086:1237 at 00:00.0, the host
 * bridge of QEMU's "pc" machine.
 *
 * It holds the PAM registers (0x59-0x5F), which decide per segment of 0xC0000-0xFFFFF
 * whether reads and writes reach DRAM or the PCI/ISA bus (the BIOS ROM alias in the E and F
 * segments): every write re-decodes the window through mmu/'s shadow machinery, which also
 * discards the code translated from it. SeaBIOS rewrites them while running from the range
 * (to copy itself from the 4 GiB ROM into shadow RAM, then to lock it read-only).
 *
 * SMRAM (0x72) keeps the i440FX's rules (C_BASE fixed at 0xA0000, D_LCK makes D_OPEN zero
 * and itself and G_SMRAME sticky until reset) but maps nothing: there is no SMM, and
 * SeaBIOS never opens SMRAM once the PM function reports SMM as set up (PIIX4 0x5B).
 *
 * With a direct kernel boot nothing plays the BIOS, so the window starts as plain RAM.
 */
#include <stdlib.h>

#include "hw/board.h"
#include "hw/pci.h"
#include "mmu/mmu.h"

#define I440FX_DEVFN PCI_DEVFN(0, 0)
#define PAM_FIRST 0x59
#define PAM_COUNT 7
#define SMRAM 0x72
#define SMRAM_C_BASE_A0000 0x02     /* bits 2:0 hard-wired: compatible SMRAM at 0xA0000 */
#define SMRAM_G_SMRAME 0x08
#define SMRAM_D_LCK 0x10
#define SMRAM_D_OPEN 0x40

#define PAM_F_SEGMENT 0xf0000ull
#define PAM_F_SIZE 0x10000ull
#define PAM_LOW_BASE 0xc0000ull     /* PAM1-6: two 16 KiB segments each from here */
#define PAM_LOW_SIZE 0x4000ull
#define PAM_FIELD_MASK 0x3          /* bit 0 read enable, bit 1 write enable: PHYS_SHADOW_* */

typedef struct I440fxState {
    uint8_t config[PCI_CONFIG_SIZE];
} I440fxState;

static const StateField i440fx_fields[] = {
    STATE_FIELD(I440fxState, config, 1),
    STATE_END
};

typedef struct I440fx {
    I440fxState s;                  /* first: DeviceOps hands us &s */
    bool firmware_state;
    uint8_t smram;                  /* SMRAM as it stood before the write being handled */
} I440fx;

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

static void i440fx_config_written(void *opaque, unsigned offset, unsigned size);

static const PciFunctionInfo i440fx_info = {
    .name = "i440FX",
    .vendor = 0x8086, .device = 0x1237, .revision = 0x02,
    .class_code = 0x060000,         /* host bridge */
    .header_type = 0x00,
    .writable = i440fx_writable,
    .config_written = i440fx_config_written,
};

/* Re-decode the shadow window from the PAM registers (unchanged segments cost nothing). */
static void pam_apply(const uint8_t *config)
{
    unsigned f = (config[PAM_FIRST] >> 4) & PAM_FIELD_MASK;
    bool ok = phys_set_shadow(PAM_F_SEGMENT, PAM_F_SIZE, f);
    for (unsigned reg = 1; reg < PAM_COUNT; reg++) {
        for (unsigned half = 0; half < 2; half++) {
            uint64_t base = PAM_LOW_BASE + (2 * (reg - 1) + half) * PAM_LOW_SIZE;
            unsigned mode = (config[PAM_FIRST + reg] >> (4 * half)) & PAM_FIELD_MASK;
            ok &= phys_set_shadow(base, PAM_LOW_SIZE, mode);
        }
    }
    if (!ok) fprintf(stderr, "ferry: i440FX: the shadow RAM window could not be re-decoded\n");
}

static void smram_written(I440fx *d)
{
    uint8_t *c = d->s.config;
    if (d->smram & SMRAM_D_LCK) {
        /* locked: D_OPEN reads 0 and D_LCK, G_SMRAME keep their values until reset */
        uint8_t sticky = SMRAM_D_LCK | SMRAM_G_SMRAME;
        c[SMRAM] = (uint8_t)((c[SMRAM] & ~sticky & ~SMRAM_D_OPEN) | (d->smram & sticky));
    } else if (c[SMRAM] & SMRAM_D_LCK) {
        c[SMRAM] &= (uint8_t)~SMRAM_D_OPEN;
    }
    d->smram = c[SMRAM];
}

static void i440fx_config_written(void *opaque, unsigned offset, unsigned size)
{
    I440fx *d = opaque;
    if (offset < PAM_FIRST + PAM_COUNT && offset + size > PAM_FIRST) pam_apply(d->s.config);
    if (offset <= SMRAM && offset + size > SMRAM) smram_written(d);
}

static void i440fx_reset(void *state)
{
    I440fx *d = state;
    uint8_t *c = d->s.config;
    pci_config_init(c, &i440fx_info);
    pci_set_word(c, PCI_COMMAND, 0x0006);   /* memory and bus master, as at power-on */
    pci_set_word(c, PCI_STATUS, 0x0280);    /* fast back-to-back, medium DEVSEL */
    c[SMRAM] = SMRAM_C_BASE_A0000;
    d->smram = c[SMRAM];
    if (d->firmware_state) {
        c[PAM_FIRST] = 0x30;
        for (unsigned reg = 1; reg < PAM_COUNT; reg++) c[PAM_FIRST + reg] = 0x33;
    }
    pam_apply(c);
}

/* snapshot/: the restored PAM registers decide the shadow window again; the SMRAM lock
 * rules compare with the restored value */
static void i440fx_post_load(void *state)
{
    I440fx *d = state;
    d->smram = d->s.config[SMRAM];
    pam_apply(d->s.config);
}

static const DeviceOps i440fx_device = {
    .name = "i440fx",
    .version = 1,
    .fields = i440fx_fields,
    .reset = i440fx_reset,
    .post_load = i440fx_post_load,
};

bool i440fx_create(Machine *m)
{
    I440fx *d = calloc(1, sizeof(*d));
    if (!d) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    d->firmware_state = m->cfg.kernel != NULL;
    if (!pci_function_add(I440FX_DEVFN, &i440fx_info, d->s.config, d)) {
        free(d);
        return false;
    }
    machine_add_device(m, &i440fx_device, &d->s);
    return true;
}
