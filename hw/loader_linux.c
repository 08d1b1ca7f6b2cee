/*
 * hw/loader_linux.c — the Linux x86 boot protocol for -kernel bzImage, -initrd and -append
 * (Documentation/arch/x86/boot.rst, protocol 2.06 and later).
 *
 * ferry plays the part of a boot loader that skips the kernel's 16-bit setup code: it loads
 * the protected-mode kernel at its preferred address, the initrd as high as the kernel
 * allows, builds the "zero page" (struct boot_params: the file's setup header plus what a
 * BIOS-era setup would have filled in: e820 map, screen, memory sizes) and enters the
 * kernel through its 64-bit entry point (long mode, identity paging) when the header says
 * it has one, else through the 32-bit one (flat protected mode, paging off).
 *
 * Low-memory layout (all under 640 KiB, all usable RAM in the e820 map: the kernel is
 * free to reuse it once it has read boot_params and switched to its own GDT and tables):
 *   0x5000 GDT   0x7000 boot_params   0x10000-0x15fff page tables   0x20000 command line
 *
 * Every offset and size read from the file is checked against the file and RAM first.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "hw/board.h"
#include "mmu/mmu.h"

/* setup header fields: offsets in the file's first sectors and, identically, in
 * boot_params (the header is copied to the same place) */
#define HDR_START           0x1f1
#define HDR_SETUP_SECTS     0x1f1
#define HDR_SYSSIZE         0x1f4
#define HDR_BOOT_FLAG       0x1fe
#define HDR_JUMP_OFFSET     0x201   /* the short jump's displacement: the header ends there */
#define HDR_MAGIC           0x202
#define HDR_VERSION         0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS       0x211
#define HDR_CODE32_START    0x214
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_HEAP_END_PTR    0x224
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_RELOCATABLE     0x234
#define HDR_XLOADFLAGS      0x236
#define HDR_CMDLINE_SIZE    0x238
#define HDR_PREF_ADDRESS    0x258
#define HDR_INIT_SIZE       0x260

#define BOOT_FLAG_MAGIC     0xaa55u
#define MIN_PROTOCOL        0x0206u
#define PROTOCOL_PREF_ADDR  0x020au     /* pref_address and init_size exist */
#define PROTOCOL_XLOADFLAGS 0x020cu
#define LOADER_TYPE_UNKNOWN 0xff        /* no assigned boot loader id */

#define LOADED_HIGH         0x01u
#define CAN_USE_HEAP        0x80u
#define XLF_KERNEL_64       0x0001u
#define STARTUP_64_OFFSET   0x200       /* the 64-bit entry, fixed by the protocol */
/* The setup code's heap would end here (relative to its segment, minus 0x200) had it been
 * loaded at 0x90000 as for a 16-bit boot; the 32/64-bit entries never use it. */
#define HEAP_END_PTR        0xfe00u

/* boot_params fields outside the setup header */
#define BP_SCREEN_INFO      0x000
#define BP_EXT_MEM_K        0x002       /* screen_info.ext_mem_k */
#define BP_ACPI_RSDP_ADDR   0x070
#define BP_ALT_MEM_K        0x1e0
#define BP_E820_ENTRIES     0x1e8
#define BP_SENTINEL         0x1ef
#define BP_E820_TABLE       0x2d0
#define BP_E820_MAX         128
#define BP_SIZE             0x1000
#define E820_ENTRY_SIZE     20

#define GDT_ADDR            0x5000ull
#define BOOT_PARAMS_ADDR    0x7000ull
#define PAGE_TABLE_ADDR     0x10000ull  /* PML4, PDPT, then four page directories */
#define CMDLINE_ADDR        0x20000ull
#define CMDLINE_AREA        0x10000ull
#define ONE_MIB             0x100000ull
#define FOUR_GIB            0x100000000ull

#define BOOT_CS             0x10        /* __BOOT_CS and __BOOT_DS of the protocol */
#define BOOT_DS             0x18

/* architectural control bits the entry state needs */
#define CR0_PE              (1ull << 0)
#define CR0_ET              (1ull << 4)
#define CR0_NE              (1ull << 5)
#define CR0_PG              (1ull << 31)
#define CR4_PAE             (1ull << 5)
#define EFER_LME            (1ull << 8)
#define EFER_LMA            (1ull << 10)
#define PTE_PRESENT         0x1ull
#define PTE_WRITE           0x2ull
#define PTE_LARGE           0x80ull

#define MAX_KERNEL_FILE     (1ull << 30)
#define MAX_INITRD_FILE     (4ull << 30)

/* Flat 4 GiB descriptors, as their high dwords' attribute bits (SegmentCache.flags): the
 * same value goes into the GDT and into the segment caches, so the two agree. */
#define FLAT_DATA   (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | DESC_A_MASK | DESC_G_MASK | DESC_B_MASK)
#define FLAT_CODE32 (FLAT_DATA | DESC_CS_MASK)
#define FLAT_CODE64 ((FLAT_CODE32 & ~DESC_B_MASK) | DESC_L_MASK)

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

bool linux_is_bzimage(const char *path)
{
    uint8_t hdr[HDR_MAGIC + 4];
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    bool ok = fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && memcmp(hdr + HDR_MAGIC, "HdrS", 4) == 0;
    fclose(f);
    return ok;
}

/* What the header says about where and how the kernel runs. */
typedef struct KernelLayout {
    uint64_t setup_size;        /* bytes before the protected-mode kernel in the file */
    uint64_t pm_size;           /* protected-mode kernel bytes in the file */
    uint64_t header_end;        /* end of the setup header (offset) */
    uint64_t load_addr;
    uint64_t mem_size;          /* RAM the kernel needs from load_addr on (init_size) */
    uint64_t initrd_max;        /* highest address the initrd may touch, exclusive */
    uint64_t cmdline_max;       /* longest command line, without its NUL */
    bool entry64;
} KernelLayout;

static bool parse_header(const char *path, const uint8_t *file, uint64_t size, KernelLayout *k)
{
    if (size < HDR_MAGIC + 4 + 0x60) {
        fprintf(stderr, "ferry: kernel '%s': truncated bzImage setup header\n", path);
        return false;
    }
    uint32_t version = rd16(file + HDR_VERSION);
    if (version < MIN_PROTOCOL) {
        fprintf(stderr, "ferry: kernel '%s': Linux boot protocol %u.%02u is too old (2.06 or later needed)\n",
                path, version >> 8, version & 0xff);
        return false;
    }
    if (rd16(file + HDR_BOOT_FLAG) != BOOT_FLAG_MAGIC) {
        fprintf(stderr, "ferry: kernel '%s': bzImage boot flag is not 0xAA55\n", path);
        return false;
    }
    uint64_t setup_sects = file[HDR_SETUP_SECTS] ? file[HDR_SETUP_SECTS] : 4;
    k->setup_size = (setup_sects + 1) * 512;
    k->header_end = HDR_MAGIC + (uint64_t)file[HDR_JUMP_OFFSET];
    uint64_t sys_size = (uint64_t)rd32(file + HDR_SYSSIZE) * 16;
    if (k->setup_size > size || sys_size > size - k->setup_size || sys_size == 0) {
        fprintf(stderr, "ferry: kernel '%s': truncated bzImage (%llu bytes; the header promises %llu)\n",
                path, (unsigned long long)size, (unsigned long long)(k->setup_size + sys_size));
        return false;
    }
    bool header_short = version >= PROTOCOL_PREF_ADDR && k->header_end < HDR_INIT_SIZE + 4;
    if (k->header_end > k->setup_size || header_short) {
        fprintf(stderr, "ferry: kernel '%s': bzImage setup header has an impossible length\n", path);
        return false;
    }
    if (!(file[HDR_LOADFLAGS] & LOADED_HIGH)) {
        fprintf(stderr, "ferry: kernel '%s' is a zImage loaded low; only bzImage kernels are supported\n", path);
        return false;
    }
    k->pm_size = size - k->setup_size;
    k->mem_size = k->pm_size;
    k->load_addr = ONE_MIB;
    if (version >= PROTOCOL_PREF_ADDR) {
        uint64_t init_size = rd32(file + HDR_INIT_SIZE);
        if (init_size > k->mem_size) k->mem_size = init_size;
        if (file[HDR_RELOCATABLE]) k->load_addr = rd64(file + HDR_PREF_ADDRESS);
    }
    /* initrd_addr_max is the last byte it may use; the 32-bit fields cap it at 4 GiB */
    k->initrd_max = (uint64_t)rd32(file + HDR_INITRD_ADDR_MAX) + 1;
    k->cmdline_max = rd32(file + HDR_CMDLINE_SIZE);
    if (k->cmdline_max >= CMDLINE_AREA) k->cmdline_max = CMDLINE_AREA - 1;
    k->entry64 = version >= PROTOCOL_XLOADFLAGS && (rd16(file + HDR_XLOADFLAGS) & XLF_KERNEL_64);
    return true;
}

/* The board's physical memory map as the e820 table a BIOS-era setup would have read. */
static void fill_e820(uint8_t *bp, const Machine *m)
{
    _Static_assert(MEMMAP_MAX_ENTRIES <= BP_E820_MAX, "boot_params holds the whole map");
    MemMapEntry map[MEMMAP_MAX_ENTRIES];
    const int n = board_memory_map(m, map, MEMMAP_MAX_ENTRIES);
    for (int i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * E820_ENTRY_SIZE;
        wr64(e, map[i].base);
        wr64(e + 8, map[i].length);
        wr32(e + 16, map[i].type);
    }
    bp[BP_E820_ENTRIES] = (uint8_t)n;
}

/* Place the initrd as high as both RAM and the kernel allow, page aligned, above the
 * kernel's whole footprint. */
static bool load_initrd(const char *path, const KernelLayout *k, uint8_t *bp, const Machine *m)
{
    uint64_t size;
    uint8_t *data = load_file(path, "initrd", MAX_INITRD_FILE, &size);
    if (!data) return false;
    uint64_t top = board_ram_below_4g(m);
    if (top > k->initrd_max) top = k->initrd_max;
    if (top > FOUR_GIB) top = FOUR_GIB;
    uint64_t floor = k->load_addr + k->mem_size;
    uint64_t at = size <= top ? (top - size) & ~(uint64_t)(PAGE_SIZE - 1) : 0;
    if (size > top || at < floor) {
        fprintf(stderr, "ferry: initrd '%s' is too large (%llu bytes; %llu fit between the kernel and "
                "the end of RAM or initrd_addr_max; try a larger -m)\n", path, (unsigned long long)size,
                (unsigned long long)(top > floor ? top - floor : 0));
        free(data);
        return false;
    }
    if (size) memcpy(phys_ram_ptr(at, size), data, size);
    free(data);
    wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)at);
    wr32(bp + HDR_RAMDISK_SIZE, (uint32_t)size);
    return true;
}

/* The zero page: the file's setup header plus what the loader knows. */
static void build_boot_params(uint8_t *bp, const uint8_t *file, const KernelLayout *k, const Machine *m)
{
    const uint64_t ram = board_ram_below_4g(m);
    memset(bp, 0, BP_SIZE);
    memcpy(bp + HDR_START, file + HDR_START, k->header_end - HDR_START);
    bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNKNOWN;
    bp[HDR_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
    wr16(bp + HDR_HEAP_END_PTR, HEAP_END_PTR);
    wr32(bp + HDR_CODE32_START, (uint32_t)k->load_addr);
    wr32(bp + HDR_CMD_LINE_PTR, (uint32_t)CMDLINE_ADDR);
    wr32(bp + HDR_RAMDISK_IMAGE, 0);
    wr32(bp + HDR_RAMDISK_SIZE, 0);
    /* screen_info stays zero: with no VGA device, a zero text geometry tells the
     * decompressor and vgacon there is no screen (they then use only the serial console);
     * orig_video_isVGA is 0 for the same reason */
    uint64_t ext_kib = (ram - ONE_MIB) / 1024;
    wr16(bp + BP_EXT_MEM_K, (uint32_t)(ext_kib > 0xffff ? 0xffff : ext_kib));
    wr32(bp + BP_ALT_MEM_K, (uint32_t)(ext_kib > UINT32_MAX ? UINT32_MAX : ext_kib));
    /* the tables machine.c wrote (the kernel would also find the RSDP by its scan) */
    wr64(bp + BP_ACPI_RSDP_ADDR, m->cfg.bios ? 0 : ACPI_RSDP_ADDR);
    bp[BP_SENTINEL] = 0;
    fill_e820(bp, m);
}

/* Identity map of the first 4 GiB with 2 MiB pages: covers the kernel, boot_params, the
 * command line and the initrd, wherever they are below 4 GiB. */
static void build_identity_tables(void)
{
    uint8_t *pml4 = phys_ram_ptr(PAGE_TABLE_ADDR, 6 * PAGE_SIZE);
    memset(pml4, 0, 6 * PAGE_SIZE);
    uint8_t *pdpt = pml4 + PAGE_SIZE;
    wr64(pml4, (PAGE_TABLE_ADDR + PAGE_SIZE) | PTE_PRESENT | PTE_WRITE);
    for (uint64_t g = 0; g < 4; g++) {
        uint64_t pd_addr = PAGE_TABLE_ADDR + (2 + g) * PAGE_SIZE;
        uint8_t *pd = pml4 + (2 + g) * PAGE_SIZE;
        wr64(pdpt + g * 8, pd_addr | PTE_PRESENT | PTE_WRITE);
        for (uint64_t i = 0; i < 512; i++) {
            uint64_t pa = (g << 30) | (i << 21);
            wr64(pd + i * 8, pa | PTE_PRESENT | PTE_WRITE | PTE_LARGE);
        }
    }
}

static void set_flat_seg(CPUState *env, int seg, uint16_t selector, uint32_t flags)
{
    env->seg[seg] = (SegmentCache){ selector, 0, 0xffffffffu, flags };
}

/* GDT: null, null, __BOOT_CS, __BOOT_DS; the CPU's caches hold the same descriptors. */
static void enter_kernel(CPUState *env, const KernelLayout *k)
{
    uint32_t code = k->entry64 ? FLAT_CODE64 : FLAT_CODE32;
    uint8_t *gdt = phys_ram_ptr(GDT_ADDR, 32);
    memset(gdt, 0, 32);
    wr32(gdt + BOOT_CS, 0xffff);
    wr32(gdt + BOOT_CS + 4, code | 0xf0000u);           /* limit bits 19:16 */
    wr32(gdt + BOOT_DS, 0xffff);
    wr32(gdt + BOOT_DS + 4, FLAT_DATA | 0xf0000u);

    phys_set_a20(true);
    cpu_reset_flat32(env);
    env->gdt = (DescTable){ GDT_ADDR, 31 };
    /* no IDT until the kernel loads its own: a fault before that shuts the machine down
     * (triple fault) instead of jumping through the real-mode vector table */
    env->idt = (DescTable){ 0, 0 };
    for (int s = 0; s < NB_SEGS; s++) set_flat_seg(env, s, BOOT_DS, FLAT_DATA);
    set_flat_seg(env, R_CS, BOOT_CS, code);
    env->cr[0] = CR0_PE | CR0_ET | CR0_NE;
    if (k->entry64) {
        build_identity_tables();
        env->cr[3] = PAGE_TABLE_ADDR;
        env->cr[4] = CR4_PAE;
        env->efer = EFER_LME | EFER_LMA;
        env->cr[0] |= CR0_PG;
        env->rip = k->load_addr + STARTUP_64_OFFSET;
    } else {
        env->rip = k->load_addr;
    }
    env->regs[R_ESI] = BOOT_PARAMS_ADDR;
    cpu_set_eflags(env, 0x2, ~0u);                      /* interrupts off */
    cpu_update_hflags(env);
    tlb_flush(env);
}

bool linux_load(Machine *m)
{
    const MachineConfig *cfg = &m->cfg;
    const char *path = cfg->kernel;
    uint64_t size;
    uint8_t *file = load_file(path, "kernel", MAX_KERNEL_FILE, &size);
    if (!file) return false;

    bool ok = false;
    KernelLayout k;
    uint64_t ram = board_ram_below_4g(m);
    if (!parse_header(path, file, size, &k)) goto out;
    if (ram <= CMDLINE_ADDR + CMDLINE_AREA || k.load_addr < ONE_MIB || k.load_addr > ram ||
        k.mem_size > ram - k.load_addr) {
        fprintf(stderr, "ferry: RAM too small for kernel '%s': it needs %llu MiB from %llu MiB on, RAM is "
                "%llu MiB (use a larger -m)\n", path, (unsigned long long)(k.mem_size >> 20),
                (unsigned long long)(k.load_addr >> 20), (unsigned long long)(ram >> 20));
        goto out;
    }
    const char *append = cfg->append ? cfg->append : "";
    size_t cmdline_len = strlen(append);
    if (cmdline_len > k.cmdline_max) {
        fprintf(stderr, "ferry: -append is %zu bytes; kernel '%s' takes at most %llu\n", cmdline_len,
                path, (unsigned long long)k.cmdline_max);
        goto out;
    }

    uint8_t *bp = phys_ram_ptr(BOOT_PARAMS_ADDR, BP_SIZE);
    build_boot_params(bp, file, &k, m);
    memcpy(phys_ram_ptr(CMDLINE_ADDR, cmdline_len + 1), append, cmdline_len + 1);
    memcpy(phys_ram_ptr(k.load_addr, k.pm_size), file + k.setup_size, k.pm_size);
    /* init_size covers the decompressor's bss and its work area: start it zeroed */
    if (k.mem_size > k.pm_size) {
        memset(phys_ram_ptr(k.load_addr + k.pm_size, k.mem_size - k.pm_size), 0, k.mem_size - k.pm_size);
    }
    if (cfg->initrd && !load_initrd(cfg->initrd, &k, bp, m)) goto out;
    enter_kernel(m->cpu, &k);
    ok = true;
out:
    free(file);
    return ok;
}
