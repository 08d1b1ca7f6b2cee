/*
 * hw/loader_multiboot.c — Multiboot v1 loading of -kernel FILE (an ELF32 kernel, or any
 * image with the a.out-kludge address fields), -initrd modules and -append arguments, then
 * the machine state the specification promises: 32-bit flat protected mode, paging off,
 * A20 on, EAX = 0x2BADB002, EBX = the information structure, interrupts disabled.
 *
 * As QEMU does, the command line is "<kernel path> <append>", and -initrd is a comma
 * separated list of modules "file [args]" whose string is the whole entry. The information
 * structure goes in low RAM at 0x8000 (under 640 KiB, where GRUB puts it too) unless the
 * kernel itself loads there, in which case it follows the last module.
 *
 * Everything here reads a file the user named: every offset and size from it is checked
 * against the file and against RAM before use.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "hw/board.h"
#include "mmu/mmu.h"

#define MB_HEADER_MAGIC   0x1BADB002u
#define MB_BOOT_MAGIC     0x2BADB002u
#define MB_SEARCH_LIMIT   8192
#define MB_HDR_AOUT_KLUDGE (1u << 16)
#define MB_HDR_KNOWN_REQUIRED 0x7u      /* page-align modules, memory info, video mode */
#define MB_HDR_REQUIRED_MASK 0xffffu

#define MBI_MEM         (1u << 0)
#define MBI_CMDLINE     (1u << 2)
#define MBI_MODS        (1u << 3)
#define MBI_MMAP        (1u << 6)
#define MBI_LOADER_NAME (1u << 9)
#define MBI_SIZE        128             /* through the VBE/framebuffer fields, zeroed */

#define LOW_AREA_BASE   0x8000u
#define LOW_AREA_END    0x9fc00u        /* start of the EBDA */
#define ONE_MIB         0x100000ull

#define MMAP_ENTRY_SIZE 24              /* the size field, then the 20 bytes it counts */

#define ELF_HDR_SIZE    52
#define ELF_PHDR_SIZE   32
#define EM_386          3
#define PT_LOAD         1

#define MAX_KERNEL_FILE (1ull << 30)

typedef struct LoadedImage {
    uint64_t low, high;     /* physical range the kernel occupies (bss included) */
    uint64_t entry;
} LoadedImage;

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* Copy file bytes to RAM at pa and zero-fill up to memsz. */
static bool place(const char *path, uint64_t pa, const uint8_t *src, uint64_t filesz, uint64_t memsz,
                  LoadedImage *img)
{
    uint8_t *dst = phys_ram_ptr(pa, memsz);
    if (!dst || memsz == 0) {
        fprintf(stderr, "ferry: kernel '%s': segment at 0x%llx (+0x%llx bytes) is outside RAM\n",
                path, (unsigned long long)pa, (unsigned long long)memsz);
        return false;
    }
    memcpy(dst, src, filesz);
    memset(dst + filesz, 0, memsz - filesz);
    if (pa < img->low) img->low = pa;
    if (pa + memsz > img->high) img->high = pa + memsz;
    return true;
}

/* Offset of a valid Multiboot header in the first 8 KiB, or -1. */
static long find_header(const uint8_t *file, uint64_t size)
{
    uint64_t limit = size < MB_SEARCH_LIMIT ? size : MB_SEARCH_LIMIT;
    for (uint64_t off = 0; off + 12 <= limit; off += 4) {
        uint32_t magic = rd32(file + off), flags = rd32(file + off + 4), sum = rd32(file + off + 8);
        if (magic == MB_HEADER_MAGIC && (uint32_t)(magic + flags + sum) == 0) return (long)off;
    }
    return -1;
}

static bool is_elf(const uint8_t *file, uint64_t size)
{
    return size >= 4 && file[0] == 0x7f && file[1] == 'E' && file[2] == 'L' && file[3] == 'F';
}

/* Check the ELF header and program headers lie in the file and describe an i386 image. */
static bool elf_check(const char *path, const uint8_t *file, uint64_t size)
{
    if (size < ELF_HDR_SIZE) {
        fprintf(stderr, "ferry: kernel '%s': truncated ELF header\n", path);
        return false;
    }
    if (file[4] == 2) {
        fprintf(stderr, "ferry: kernel '%s' is a 64-bit ELF; Multiboot needs an ELF32 image\n", path);
        return false;
    }
    if (file[4] != 1 || file[5] != 1 || rd16(file + 18) != EM_386) {
        fprintf(stderr, "ferry: kernel '%s' is not a little-endian i386 ELF32 image\n", path);
        return false;
    }
    uint64_t phoff = rd32(file + 28), phentsize = rd16(file + 42), phnum = rd16(file + 44);
    if (phnum == 0 || phentsize < ELF_PHDR_SIZE || phoff > size || phnum * phentsize > size - phoff) {
        fprintf(stderr, "ferry: kernel '%s': truncated or corrupt ELF program headers\n", path);
        return false;
    }
    return true;
}

static bool load_elf(const char *path, const uint8_t *file, uint64_t size, LoadedImage *img)
{
    uint64_t phoff = rd32(file + 28), phentsize = rd16(file + 42), phnum = rd16(file + 44);
    uint64_t entry = rd32(file + 24);
    img->entry = entry;
    bool any = false;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = file + phoff + i * phentsize;
        if (rd32(ph) != PT_LOAD) continue;
        uint64_t offset = rd32(ph + 4), vaddr = rd32(ph + 8), paddr = rd32(ph + 12);
        uint64_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (memsz == 0) continue;
        if (filesz > memsz || offset > size || filesz > size - offset) {
            fprintf(stderr, "ferry: kernel '%s': ELF segment %llu lies outside the file\n",
                    path, (unsigned long long)i);
            return false;
        }
        if (!place(path, paddr, file + offset, filesz, memsz, img)) return false;
        /* A kernel linked high (vaddr != paddr) names its entry virtually: run it from the
         * physical copy, as GRUB does. */
        if (entry >= vaddr && entry - vaddr < memsz) img->entry = entry - vaddr + paddr;
        any = true;
    }
    if (!any) {
        fprintf(stderr, "ferry: kernel '%s': no loadable ELF segment\n", path);
        return false;
    }
    return true;
}

/* The a.out kludge: the header's own fields say where the file goes. */
static bool load_kludge(const char *path, const uint8_t *file, uint64_t size, uint64_t hdr,
                        LoadedImage *img)
{
    if (hdr + 32 > size) {
        fprintf(stderr, "ferry: kernel '%s': truncated Multiboot header\n", path);
        return false;
    }
    uint64_t header_addr = rd32(file + hdr + 12), load_addr = rd32(file + hdr + 16);
    uint64_t load_end = rd32(file + hdr + 20), bss_end = rd32(file + hdr + 24);
    img->entry = rd32(file + hdr + 28);
    if (header_addr < load_addr || header_addr - load_addr > hdr) {
        fprintf(stderr, "ferry: kernel '%s': Multiboot header_addr/load_addr are inconsistent\n", path);
        return false;
    }
    uint64_t file_off = hdr - (header_addr - load_addr);
    uint64_t load_len = load_end ? load_end - load_addr : size - file_off;
    if (load_end && load_end < load_addr) load_len = ~0ull;
    if (load_len > size - file_off) {
        fprintf(stderr, "ferry: kernel '%s': Multiboot load range runs past the end of the file\n", path);
        return false;
    }
    uint64_t memsz = load_len;
    if (bss_end) {
        if (bss_end < load_addr + load_len) {
            fprintf(stderr, "ferry: kernel '%s': Multiboot bss_end_addr is below the loaded image\n", path);
            return false;
        }
        memsz = bss_end - load_addr;
    }
    return place(path, load_addr, file + file_off, load_len, memsz, img);
}

/* ---------------------------------------------------------------- boot information */

typedef struct BootArea {
    uint64_t next, end;
} BootArea;

/* Reserve n bytes in RAM; 0 if they do not fit. */
static uint64_t area_alloc(BootArea *a, uint64_t n, uint64_t align)
{
    uint64_t at = align_up(a->next, align);
    if (at > a->end || n > a->end - at || !phys_ram_ptr(at, n ? n : 1)) return 0;
    a->next = at + n;
    return at;
}

static uint32_t area_string(BootArea *a, const char *s)
{
    size_t n = strlen(s) + 1;
    uint64_t at = area_alloc(a, n, 1);
    if (at) memcpy(phys_ram_ptr(at, n), s, n);
    return (uint32_t)at;
}

typedef struct Module {
    char *text;             /* "file args": the module's string */
    uint64_t start, end;
} Module;

/* Split -initrd "f1 args,f2" into modules and load each page aligned from *next. */
static bool load_modules(const char *list, Module **mods_out, int *count, uint64_t *next)
{
    *mods_out = NULL;
    *count = 0;
    if (!list) return true;
    char *copy = strdup(list);
    size_t n_max = 1;
    for (const char *p = list; *p; p++) n_max += *p == ',';
    Module *mods = calloc(n_max, sizeof(*mods));
    if (!copy || !mods) {
        fprintf(stderr, "ferry: out of memory\n");
        free(copy);
        free(mods);
        return false;
    }
    int n = 0;
    bool ok = true;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        char *file = strdup(tok);
        if (!file) { ok = false; break; }
        file[strcspn(file, " ")] = 0;
        uint64_t size;
        uint8_t *data = load_file(file, "module", MAX_KERNEL_FILE, &size);
        free(file);
        if (!data) { ok = false; break; }
        uint64_t at = align_up(*next, PAGE_SIZE);
        uint8_t *dst = phys_ram_ptr(at, size ? size : 1);
        if (!dst || at > UINT32_MAX || size > UINT32_MAX - at) {
            fprintf(stderr, "ferry: module '%s' does not fit in RAM\n", tok);
            free(data);
            ok = false;
            break;
        }
        memcpy(dst, data, size);
        free(data);
        mods[n] = (Module){ strdup(tok), at, at + size };
        if (!mods[n].text) ok = false;
        n++;
        *next = at + size;
    }
    free(copy);
    *mods_out = mods;
    *count = n;
    return ok;
}

static void free_modules(Module *mods, int count)
{
    for (int i = 0; i < count; i++) free(mods[i].text);
    free(mods);
}

static char *kernel_cmdline(const MachineConfig *cfg)
{
    size_t n = strlen(cfg->kernel) + (cfg->append ? strlen(cfg->append) + 1 : 0) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s%s", cfg->kernel, cfg->append ? " " : "", cfg->append ? cfg->append : "");
    return s;
}

/* Write the information structure and what it points to; returns its address or 0. */
static uint32_t build_info(BootArea *a, const Machine *machine, const Module *mods, int nmods)
{
    const MachineConfig *cfg = &machine->cfg;
    uint64_t info = area_alloc(a, MBI_SIZE, 8);
    if (!info) return 0;
    uint8_t mbi[MBI_SIZE] = { 0 };
    uint64_t ram = phys_ram_size();
    uint32_t flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
    wr32(mbi + 4, LOW_AREA_END / 1024);                     /* mem_lower, KiB */
    uint64_t upper_kib = (ram - ONE_MIB) / 1024;
    wr32(mbi + 8, upper_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)upper_kib);

    char *cmdline = kernel_cmdline(cfg);
    uint32_t cmdline_pa = cmdline ? area_string(a, cmdline) : 0;
    free(cmdline);
    uint32_t name_pa = area_string(a, "ferry");
    if (!cmdline_pa || !name_pa) return 0;
    wr32(mbi + 16, cmdline_pa);
    wr32(mbi + 64, name_pa);

    if (nmods > 0) {
        uint64_t list = area_alloc(a, (uint64_t)nmods * 16, 4);
        if (!list) return 0;
        for (int i = 0; i < nmods; i++) {
            uint32_t str = area_string(a, mods[i].text);
            if (!str) return 0;
            uint8_t *m = phys_ram_ptr(list + (uint64_t)i * 16, 16);
            wr32(m, (uint32_t)mods[i].start);
            wr32(m + 4, (uint32_t)mods[i].end);
            wr32(m + 8, str);
            wr32(m + 12, 0);
        }
        flags |= MBI_MODS;
        wr32(mbi + 20, (uint32_t)nmods);
        wr32(mbi + 24, (uint32_t)list);
    }

    MemMapEntry map[MEMMAP_MAX_ENTRIES];
    const uint64_t n_map = (uint64_t)board_memory_map(machine, map, MEMMAP_MAX_ENTRIES);
    uint64_t mmap_pa = area_alloc(a, n_map * MMAP_ENTRY_SIZE, 4);
    if (!mmap_pa) return 0;
    for (uint64_t i = 0; i < n_map; i++) {
        uint8_t *e = phys_ram_ptr(mmap_pa + i * MMAP_ENTRY_SIZE, MMAP_ENTRY_SIZE);
        wr32(e, MMAP_ENTRY_SIZE - 4);       /* size of the entry after this field */
        wr64(e + 4, map[i].base);
        wr64(e + 12, map[i].length);
        wr32(e + 20, map[i].type);
    }
    wr32(mbi + 44, (uint32_t)(n_map * MMAP_ENTRY_SIZE));
    wr32(mbi + 48, (uint32_t)mmap_pa);

    wr32(mbi + 0, flags);
    memcpy(phys_ram_ptr(info, MBI_SIZE), mbi, MBI_SIZE);
    return (uint32_t)info;
}

bool multiboot_load(Machine *m)
{
    const MachineConfig *cfg = &m->cfg;
    const char *path = cfg->kernel;
    uint64_t size;
    uint8_t *file = load_file(path, "kernel", MAX_KERNEL_FILE, &size);
    if (!file) return false;

    bool ok = false;
    Module *mods = NULL;
    int nmods = 0;
    LoadedImage img = { ~0ull, 0, 0 };
    bool elf = is_elf(file, size);
    long hdr = find_header(file, size);
    if (elf && !elf_check(path, file, size)) goto out;
    if (hdr < 0) {
        fprintf(stderr, "ferry: kernel '%s' is not a Multiboot kernel (no header in its first 8 KiB)\n", path);
        goto out;
    }
    uint32_t hflags = rd32(file + hdr + 4);
    if (hflags & MB_HDR_REQUIRED_MASK & ~MB_HDR_KNOWN_REQUIRED) {
        fprintf(stderr, "ferry: kernel '%s' requires unsupported Multiboot features (flags 0x%x)\n",
                path, hflags);
        goto out;
    }
    if (hflags & MB_HDR_AOUT_KLUDGE) {
        if (!load_kludge(path, file, size, (uint64_t)hdr, &img)) goto out;
    } else if (elf) {
        if (!load_elf(path, file, size, &img)) goto out;
    } else {
        fprintf(stderr, "ferry: kernel '%s' is neither ELF nor has Multiboot load addresses\n", path);
        goto out;
    }

    uint64_t next = img.high;
    if (!load_modules(cfg->initrd, &mods, &nmods, &next)) goto out;

    /* Low memory unless the kernel lives there; then after the last module. */
    BootArea area = { LOW_AREA_BASE, LOW_AREA_END };
    if (img.low < LOW_AREA_END && img.high > LOW_AREA_BASE) {
        area = (BootArea){ align_up(next, PAGE_SIZE), phys_ram_size() };
    }
    uint32_t info = build_info(&area, m, mods, nmods);
    if (!info) {
        fprintf(stderr, "ferry: no room in RAM for the Multiboot information (try a larger -m)\n");
        goto out;
    }

    CPUState *env = m->cpu;
    phys_set_a20(true);
    cpu_reset_flat32(env);
    env->regs[R_EAX] = MB_BOOT_MAGIC;
    env->regs[R_EBX] = info;
    env->rip = img.entry;
    cpu_set_eflags(env, 0x2, ~0u);
    ok = true;
out:
    free_modules(mods, nmods);
    free(file);
    return ok;
}
