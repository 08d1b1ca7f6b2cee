/*
 * hw/smbios.c — SMBIOS 2.7 (DMTF DSP0134) for -kernel boots: the 32-bit entry point
 * ("_SM_" with its "_DMI_" intermediate part) at FW_SMBIOS_BASE, where an OS without EFI
 * scans the BIOS area for it, followed by the structure table: BIOS (type 0), system (1),
 * processor (4), physical memory array (16), one memory device (17), system boot (32) and
 * the end marker (127). Linux prints the system and BIOS strings as its "DMI:" line.
 *
 * Each structure is its formatted part (type, length, handle, fields) and then its strings,
 * each NUL-terminated, the set ending with one more NUL (two NULs when there are none).
 */
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "hw/board.h"
#include "mmu/mmu.h"

#define ENTRY_POINT_SIZE 0x1f
#define TABLE_OFFSET 0x20
#define SMBIOS_MAJOR 2
#define SMBIOS_MINOR 7
#define MAX_FORMATTED 0x40

#define VENDOR "ferry"
#define BIOS_VERSION "ferry-direct-boot"
#define BIOS_DATE "01/01/2026"          /* the BIOS date field is mandatory; ferry has no build date */
#define PRODUCT "ferry PC (i440FX + PIIX3)"
#define BIOS_SEGMENT 0xf000
#define BIOS_NOT_SUPPORTED (1u << 3)    /* BIOS characteristics: "not supported" */
#define WAKEUP_POWER_SWITCH 6
#define PROCESSOR_CENTRAL 3
#define FAMILY_OTHER 1
#define CPU_POPULATED_ENABLED 0x41
#define UPGRADE_OTHER 1
#define NO_HANDLE 0xffff
#define NO_ERROR_INFO 0xfffe
#define ARRAY_SYSTEM_BOARD 3
#define ARRAY_SYSTEM_MEMORY 3
#define ECC_NONE 3
#define FORM_DIMM 9
#define MEMTYPE_RAM 7
#define TYPE_DETAIL_OTHER 2
#define HANDLE_ARRAY 0x1000

typedef struct SmbiosWriter {
    uint8_t *base;
    size_t used, limit;
    unsigned count, max_size;
    bool overflow;
} SmbiosWriter;

static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

/* A structure: f holds the formatted part (type and length already in f[0], f[1]); the
 * handle is given; strings are numbered 1.. in the order given (NULL ends the list). */
static void add(SmbiosWriter *w, uint8_t *f, uint16_t handle, const char *const *strings)
{
    size_t len = f[1];
    size_t need = len + 1;
    for (int i = 0; strings[i]; i++) need += strlen(strings[i]) + 1;
    if (need < len + 2) need = len + 2;
    if (w->overflow || need > w->limit - w->used) {
        w->overflow = true;
        return;
    }
    wr16(f + 2, handle);
    uint8_t *at = w->base + w->used;
    memcpy(at, f, len);
    size_t off = len;
    for (int i = 0; strings[i]; i++) {
        size_t n = strlen(strings[i]) + 1;
        memcpy(at + off, strings[i], n);
        off += n;
    }
    at[off++] = 0;
    if (off < need) at[off++] = 0;
    w->used += off;
    w->count++;
    if (off > w->max_size) w->max_size = (unsigned)off;
}

static uint8_t *formatted(uint8_t f[MAX_FORMATTED], uint8_t type, uint8_t len)
{
    memset(f, 0, MAX_FORMATTED);
    f[0] = type;
    f[1] = len;
    return f;
}

static void add_bios(SmbiosWriter *w)
{
    uint8_t f[MAX_FORMATTED];
    formatted(f, 0, 0x18);
    f[4] = 1;                               /* vendor */
    f[5] = 2;                               /* version */
    wr16(f + 6, BIOS_SEGMENT);
    f[8] = 3;                               /* release date */
    f[9] = 0;                               /* ROM size: 64 KiB */
    wr32(f + 10, BIOS_NOT_SUPPORTED);
    f[20] = 1;                              /* system BIOS release 1.0 */
    f[22] = f[23] = 0xff;                   /* no embedded controller */
    add(w, f, 0x0000, (const char *const[]){ VENDOR, BIOS_VERSION, BIOS_DATE, NULL });
}

static void add_system(SmbiosWriter *w)
{
    uint8_t f[MAX_FORMATTED];
    formatted(f, 1, 0x1b);
    f[4] = 1;                               /* manufacturer */
    f[5] = 2;                               /* product */
    f[6] = 3;                               /* version */
    /* UUID (8..23) left zero: "not present but settable" is all ones, zero is "not set" */
    f[24] = WAKEUP_POWER_SWITCH;
    add(w, f, 0x0100, (const char *const[]){ VENDOR, PRODUCT, "1.0", NULL });
}

static void add_processor(SmbiosWriter *w, const Machine *m)
{
    uint8_t f[MAX_FORMATTED];
    uint32_t id[4];
    cpu_cpuid(m->cpu, 1, 0, id);
    uint32_t mhz = (uint32_t)(clock_tsc_hz() / 1000000u);
    if (mhz > 0xffff) mhz = 0xffff;
    formatted(f, 4, 0x2a);
    f[4] = 1;                               /* socket designation */
    f[5] = PROCESSOR_CENTRAL;
    f[6] = FAMILY_OTHER;
    f[7] = 2;                               /* manufacturer */
    wr32(f + 8, id[0]);                     /* processor ID: CPUID 1 EAX, EDX */
    wr32(f + 12, id[3]);
    f[16] = 3;                              /* version */
    wr16(f + 20, mhz);                      /* maximum and current speed */
    wr16(f + 22, mhz);
    f[24] = CPU_POPULATED_ENABLED;
    f[25] = UPGRADE_OTHER;
    wr16(f + 26, NO_HANDLE);
    wr16(f + 28, NO_HANDLE);
    wr16(f + 30, NO_HANDLE);
    f[35] = f[36] = f[37] = 1;              /* cores, enabled cores, threads */
    wr16(f + 38, 0x0002);                   /* characteristics: unknown */
    wr16(f + 40, FAMILY_OTHER);
    add(w, f, 0x0400, (const char *const[]){ "CPU 0", VENDOR, "ferry x86-64", NULL });
}

static void add_memory(SmbiosWriter *w, const Machine *m)
{
    uint8_t f[MAX_FORMATTED];
    const uint64_t kib = m->cfg.ram_size >> 10, mib = m->cfg.ram_size >> 20;
    formatted(f, 16, 0x17);
    f[4] = ARRAY_SYSTEM_BOARD;
    f[5] = ARRAY_SYSTEM_MEMORY;
    f[6] = ECC_NONE;
    wr32(f + 7, kib < 0x80000000u ? (uint32_t)kib : 0x80000000u);
    wr16(f + 11, NO_ERROR_INFO);
    wr16(f + 13, 1);
    for (int i = 0; i < 8; i++) f[15 + i] = (uint8_t)((m->cfg.ram_size >> (8 * i)) & 0xff);
    add(w, f, HANDLE_ARRAY, (const char *const[]){ NULL });

    formatted(f, 17, 0x22);
    wr16(f + 4, HANDLE_ARRAY);
    wr16(f + 6, NO_ERROR_INFO);
    wr16(f + 8, 64);                        /* total and data width, bits */
    wr16(f + 10, 64);
    wr16(f + 12, (uint32_t)(mib < 0x7fff ? mib : 0x7fff));   /* MiB; 0x7FFF: see extended size */
    f[14] = FORM_DIMM;
    f[16] = 1;                              /* device locator */
    f[18] = MEMTYPE_RAM;
    wr16(f + 19, TYPE_DETAIL_OTHER);
    f[23] = 2;                              /* manufacturer */
    wr32(f + 28, (uint32_t)mib);            /* extended size, MiB */
    add(w, f, HANDLE_ARRAY + 0x100, (const char *const[]){ "DIMM 0", VENDOR, NULL });
}

static void add_simple(SmbiosWriter *w, uint8_t type, uint8_t len, uint16_t handle)
{
    uint8_t f[MAX_FORMATTED];
    formatted(f, type, len);                /* system boot: status 0, no errors */
    add(w, f, handle, (const char *const[]){ NULL });
}

bool smbios_write(const Machine *m)
{
    static uint8_t area[FW_SMBIOS_SIZE];       /* built here, then copied into guest RAM */
    memset(area, 0, sizeof(area));
    SmbiosWriter w = { area + TABLE_OFFSET, 0, FW_SMBIOS_SIZE - TABLE_OFFSET, 0, 0, false };
    add_bios(&w);
    add_system(&w);
    add_processor(&w, m);
    add_memory(&w, m);
    add_simple(&w, 32, 0x0b, 0x2000);
    add_simple(&w, 127, 0x04, 0x7f00);
    if (w.overflow) {
        fprintf(stderr, "ferry: internal error: the SMBIOS tables do not fit their area\n");
        return false;
    }
    memcpy(area, "_SM_", 4);
    area[5] = ENTRY_POINT_SIZE;
    area[6] = SMBIOS_MAJOR;
    area[7] = SMBIOS_MINOR;
    wr16(area + 8, w.max_size);
    memcpy(area + 16, "_DMI_", 5);
    wr16(area + 22, (uint32_t)w.used);
    wr32(area + 24, (uint32_t)(FW_SMBIOS_BASE + TABLE_OFFSET));
    wr16(area + 28, w.count);
    area[30] = SMBIOS_MAJOR << 4 | SMBIOS_MINOR;    /* BCD revision */
    area[21] = checksum(area + 16, ENTRY_POINT_SIZE - 16);
    area[4] = checksum(area, ENTRY_POINT_SIZE);
    phys_write(FW_SMBIOS_BASE, area, sizeof(area));
    return true;
}
