/*
 * ui/options.c — the command line, QEMU-compatible where ferry has the feature: the same
 * option names and value syntax, so scripts written for qemu-system-x86_64 run unchanged.
 * Options take one leading dash or two. Anything ferry does not support is refused with one
 * line on stderr rather than ignored, so a run never silently differs from what was asked.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ferry_version.h"
#include "ui/ui.h"

#define DEFAULT_RAM_MIB 128
#define DEBUG_EXIT_DEFAULT_BASE 0x501   /* QEMU's defaults */
#define DEBUG_EXIT_DEFAULT_SIZE 2

typedef struct ParseState {
    MachineConfig *cfg;
    bool serial_given;
    bool nodefaults;
    int vga;                        /* -vga / -device VGA: 1 on, 0 off, -1 not given */
} ParseState;

static bool fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ferry: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

/* ---------------------------------------------------------------- value parsers */

/* A whole unsigned number in C syntax (decimal, 0x hex, 0 octal). */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s || !isdigit((unsigned char)*s)) return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max) return false;
    *out = v;
    return true;
}

/* "-m" sizes: a number with an optional K/M/G/T suffix; a bare number means MiB. */
static bool parse_ram_size(const char *s, uint64_t *out)
{
    if (strncmp(s, "size=", 5) == 0) s += 5;
    if (!isdigit((unsigned char)*s)) return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return false;
    unsigned shift;
    switch (toupper((unsigned char)*end)) {
    case 0:   shift = 20; break;
    case 'B': shift = 0; end++; break;
    case 'K': shift = 10; end++; break;
    case 'M': shift = 20; end++; break;
    case 'G': shift = 30; end++; break;
    case 'T': shift = 40; end++; break;
    default:  return false;
    }
    if (*end || v > (~0ull >> shift)) return false;
    *out = (uint64_t)v << shift;
    return true;
}

/* -chardev BACKEND,id=ID[,path=P]: named backends that -serial chardev:ID and
 * -device isa-debugcon,chardev=ID refer to (QEMU's mux/signal options change nothing here) */
#define MAX_CHARDEVS 8
static struct { char id[32]; CharSink sink; } chardevs[MAX_CHARDEVS];
static int nb_chardevs;

static bool chardev_lookup(const char *id, CharSink *sink)
{
    for (int i = 0; i < nb_chardevs; i++) {
        if (!strcmp(chardevs[i].id, id)) {
            *sink = chardevs[i].sink;
            return true;
        }
    }
    return false;
}

/* -serial / -debugcon backends */
static bool parse_chardev(const char *opt, const char *s, CharSink *sink)
{
    if (!strncmp(s, "chardev:", 8)) {
        if (!chardev_lookup(s + 8, sink)) return fail("%s: no -chardev with id '%s'", opt, s + 8);
    } else if (!strcmp(s, "stdio") || !strcmp(s, "mon:stdio")) {
        *sink = (CharSink){ SERIAL_STDIO, NULL };
    } else if (!strcmp(s, "none") || !strcmp(s, "null")) {
        *sink = (CharSink){ SERIAL_NONE, NULL };
    } else if (!strncmp(s, "file:", 5) && s[5]) {
        *sink = (CharSink){ SERIAL_FILE, s + 5 };
    } else {
        return fail("unsupported %s backend '%s' (use stdio, file:PATH or none)", opt, s);
    }
    return true;
}

/* ---------------------------------------------------------------- option handlers */

typedef bool (*OptionFn)(ParseState *ps, const char *arg);

static bool opt_m(ParseState *ps, const char *arg)
{
    if (!parse_ram_size(arg, &ps->cfg->ram_size)) return fail("invalid RAM size '%s' for -m", arg);
    return true;
}

static bool opt_bios(ParseState *ps, const char *arg) { ps->cfg->bios = arg; return true; }
static bool opt_kernel(ParseState *ps, const char *arg) { ps->cfg->kernel = arg; return true; }
static bool opt_initrd(ParseState *ps, const char *arg) { ps->cfg->initrd = arg; return true; }
static bool opt_append(ParseState *ps, const char *arg) { ps->cfg->append = arg; return true; }
static bool opt_name(ParseState *ps, const char *arg) { return true; }
static bool opt_no_reboot(ParseState *ps, const char *arg) { ps->cfg->no_reboot = true; return true; }
static bool opt_nodefaults(ParseState *ps, const char *arg) { ps->nodefaults = true; return true; }
/* no window; COM1 is on the terminal by default anyway */
static bool opt_nographic(ParseState *ps, const char *arg) { ps->cfg->display = "none"; return true; }

static bool opt_serial(ParseState *ps, const char *arg)
{
    CharSink sink;
    if (!parse_chardev("-serial", arg, &sink)) return false;
    /* mon:stdio: the monitor shares the terminal, reached with Ctrl-A c (ui/monitor.c) */
    if (!strcmp(arg, "mon:stdio") && !ps->cfg->monitor) ps->cfg->monitor = arg;
    if (!ps->serial_given) {
        ps->cfg->serial = sink;
        ps->serial_given = true;
        return true;
    }
    /* COM2-COM4 do not exist yet: only an explicit "none" for them is harmless */
    if (sink.kind != SERIAL_NONE) return fail("only one -serial port (COM1) is supported");
    return true;
}

static bool opt_debugcon(ParseState *ps, const char *arg)
{
    return parse_chardev("-debugcon", arg, &ps->cfg->debugcon);
}

static bool opt_display(ParseState *ps, const char *arg)
{
    if (strcmp(arg, "none") != 0 && strcmp(arg, "sdl") != 0) return fail("display '%s' is not supported (sdl, none)", arg);
    ps->cfg->display = arg;
    return true;
}

/* -vga std|none: the standard VGA (hw/vga.c) */
static bool opt_vga(ParseState *ps, const char *arg)
{
    if (strcmp(arg, "std") != 0 && strcmp(arg, "none") != 0) return fail("-vga '%s' is not supported (std, none)", arg);
    ps->vga = !strcmp(arg, "std");
    return true;
}

static bool opt_smp(ParseState *ps, const char *arg)
{
    if (strcmp(arg, "1") != 0 && strcmp(arg, "cpus=1") != 0) {
        return fail("only one CPU is supported (-smp 1), not '%s'", arg);
    }
    return true;
}

static bool opt_cpu(ParseState *ps, const char *arg)
{
    if (strcmp(arg, "max") != 0 && strcmp(arg, "ferry") != 0) {
        return fail("unknown CPU model '%s' (valid: max, ferry)", arg);
    }
    ps->cfg->cpu_model = arg;
    return true;
}

static bool opt_accel(ParseState *ps, const char *arg)
{
    if (!strcmp(arg, "tcg")) {
        ps->cfg->accel = NULL;          /* QEMU's name for "translate": our default backend */
    } else if (!strcmp(arg, "interp") || !strcmp(arg, "jit")) {
        ps->cfg->accel = arg;
    } else {
        return fail("unknown accelerator '%s' (valid: interp, jit, tcg)", arg);
    }
    return true;
}

static bool opt_machine(ParseState *ps, const char *arg)
{
    if (strcmp(arg, "pc") != 0 && strcmp(arg, "type=pc") != 0) {
        return fail("unsupported machine '%s' (only pc)", arg);
    }
    return true;
}

/* ---------------------------------------------------------------- disks, boot, chardevs */

/* The next "key=value" item of a comma-separated property list into item[]; false at the end. */
static bool next_property(const char **p, char *item, size_t max)
{
    if (!**p) return false;
    size_t len = strcspn(*p, ",");
    size_t n = len < max - 1 ? len : max - 1;
    memcpy(item, *p, n);
    item[n] = 0;
    *p += len + ((*p)[len] == ',');
    return true;
}

static bool parse_on_off(const char *opt, const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) *out = true;
    else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) *out = false;
    else return fail("%s: '%s' is not on or off", opt, v);
    return true;
}

static bool add_ide_drive(ParseState *ps, int index, const char *file, bool readonly)
{
    if (index < 0) {
        for (index = 0; index < MAX_IDE_DRIVES && ps->cfg->ide[index].file; index++) {}
        if (index == MAX_IDE_DRIVES) return fail("more than %d IDE drives", MAX_IDE_DRIVES);
    }
    if (ps->cfg->ide[index].file) return fail("IDE drive index %d is given twice", index);
    ps->cfg->ide[index] = (DriveConfig){ file, readonly };
    return true;
}

static bool opt_hd(ParseState *ps, const char *arg, int index) { return add_ide_drive(ps, index, arg, false); }
static bool opt_hda(ParseState *ps, const char *arg) { return opt_hd(ps, arg, 0); }
static bool opt_hdb(ParseState *ps, const char *arg) { return opt_hd(ps, arg, 1); }
static bool opt_hdc(ParseState *ps, const char *arg) { return opt_hd(ps, arg, 2); }
static bool opt_hdd(ParseState *ps, const char *arg) { return opt_hd(ps, arg, 3); }
static bool opt_snapshot(ParseState *ps, const char *arg) { ps->cfg->snapshot = true; return true; }

/* -drive file=F[,format=raw][,if=ide][,index=N][,media=disk][,readonly=on][,id=ID] */
static bool opt_drive(ParseState *ps, const char *arg)
{
    char item[4096];
    const char *file = NULL;
    uint64_t index = ~0ull;
    bool readonly = false;
    for (const char *p = arg; next_property(&p, item, sizeof(item));) {
        char *v = strchr(item, '=');
        if (!v) return fail("-drive: '%s' is not key=value", item);
        *v++ = 0;
        if (!strcmp(item, "file")) {
            file = strndup(v, strlen(v));
        } else if (!strcmp(item, "format")) {
            if (strcmp(v, "raw") != 0) return fail("-drive: format '%s' is not supported (only raw)", v);
        } else if (!strcmp(item, "if")) {
            if (strcmp(v, "ide") != 0) return fail("-drive: if=%s is not supported (only ide)", v);
        } else if (!strcmp(item, "index")) {
            if (!parse_uint(v, MAX_IDE_DRIVES - 1, &index)) return fail("-drive: invalid index '%s' (0-3)", v);
        } else if (!strcmp(item, "media")) {
            if (strcmp(v, "disk") != 0) return fail("-drive: media=%s is not supported (only disk)", v);
        } else if (!strcmp(item, "readonly")) {
            if (!parse_on_off("-drive readonly", v, &readonly)) return false;
        } else if (strcmp(item, "id") != 0) {
            return fail("-drive: unknown property '%s' (file, format, if, index, media, readonly, id)", item);
        }
    }
    if (!file || !*file) return fail("-drive needs file=FILE");
    return add_ide_drive(ps, index == ~0ull ? -1 : (int)index, file, readonly);
}

/* -boot [order=]LETTERS[,once=LETTERS][,menu=on|off][,strict=on|off] */
static bool opt_boot(ParseState *ps, const char *arg)
{
    char item[64];
    for (const char *p = arg; next_property(&p, item, sizeof(item));) {
        char *v = strchr(item, '=');
        const char *order = !v ? item : (!strncmp(item, "order=", 6) || !strncmp(item, "once=", 5)) ? v + 1 : NULL;
        if (order) {
            if (!*order || strspn(order, "abcdnop") != strlen(order)) {
                return fail("-boot: invalid boot order '%s' (letters a, b, c, d, n-p)", order);
            }
            ps->cfg->boot_order = strdup(order);
        } else if (!strncmp(item, "menu=", 5)) {
            if (!parse_on_off("-boot menu", v + 1, &ps->cfg->boot_menu)) return false;
        } else if (strncmp(item, "strict=", 7) != 0) {
            return fail("-boot: unknown property '%s' (order, once, menu, strict)", item);
        }
    }
    return true;
}

static bool opt_chardev(ParseState *ps, const char *arg)
{
    char item[4096], id[32] = "";
    CharSink sink;
    const char *p = arg;
    next_property(&p, item, sizeof(item));
    if (!strcmp(item, "stdio")) sink = (CharSink){ SERIAL_STDIO, NULL };
    else if (!strcmp(item, "null")) sink = (CharSink){ SERIAL_NONE, NULL };
    else if (!strcmp(item, "file")) sink = (CharSink){ SERIAL_FILE, NULL };
    else return fail("-chardev: backend '%s' is not supported (stdio, file, null)", item);
    while (next_property(&p, item, sizeof(item))) {
        if (!strncmp(item, "id=", 3) && strlen(item + 3) < sizeof(id)) strcpy(id, item + 3);
        else if (!strncmp(item, "path=", 5) && sink.kind == SERIAL_FILE) sink.path = strdup(item + 5);
        else if (strncmp(item, "mux=", 4) != 0 && strncmp(item, "signal=", 7) != 0) {
            return fail("-chardev: unknown property '%s'", item);
        }
    }
    if (!id[0]) return fail("-chardev needs id=ID");
    if (sink.kind == SERIAL_FILE && !sink.path) return fail("-chardev file needs path=PATH");
    if (nb_chardevs == MAX_CHARDEVS) return fail("too many -chardev options");
    strcpy(chardevs[nb_chardevs].id, id);
    chardevs[nb_chardevs++].sink = sink;
    return true;
}

/* -device isa-debugcon[,iobase=0xe9|0x402][,chardev=ID]: the debug console answers both ports */
static bool opt_isa_debugcon(ParseState *ps, const char *props)
{
    char item[64];
    uint64_t base;
    CharSink sink = { SERIAL_STDIO, NULL };
    for (const char *p = props + (*props == ','); next_property(&p, item, sizeof(item));) {
        if (!strncmp(item, "iobase=", 7)) {
            if (!parse_uint(item + 7, 0xffff, &base) || (base != 0xe9 && base != 0x402)) {
                return fail("isa-debugcon: iobase must be 0xe9 or 0x402");
            }
        } else if (!strncmp(item, "chardev=", 8)) {
            if (!chardev_lookup(item + 8, &sink)) return fail("isa-debugcon: no -chardev with id '%s'", item + 8);
        } else {
            return fail("unknown isa-debugcon property '%s' (iobase, chardev)", item);
        }
    }
    ps->cfg->debugcon = sink;
    return true;
}

static bool opt_device(ParseState *ps, const char *arg)
{
    MachineConfig *cfg = ps->cfg;
    const char *name = "isa-debug-exit";
    size_t n = strlen(name);
    if (!strncmp(arg, "isa-debugcon", 12) && (!arg[12] || arg[12] == ',')) return opt_isa_debugcon(ps, arg + 12);
    if (!strcmp(arg, "VGA")) return opt_vga(ps, "std");
    if (strncmp(arg, name, n) != 0 || (arg[n] && arg[n] != ',')) {
        return fail("unsupported device '%s' (only isa-debug-exit, isa-debugcon, VGA)", arg);
    }
    if (cfg->debug_exit) return fail("only one isa-debug-exit device is supported");
    uint64_t base = DEBUG_EXIT_DEFAULT_BASE, size = DEBUG_EXIT_DEFAULT_SIZE;
    for (const char *p = arg + n; *p == ',';) {
        p++;
        size_t len = strcspn(p, ",");
        char item[64];
        if (len >= sizeof(item)) return fail("invalid isa-debug-exit property '%.*s'", (int)len, p);
        memcpy(item, p, len);
        item[len] = 0;
        p += len;
        if (!strncmp(item, "iobase=", 7)) {
            if (!parse_uint(item + 7, 0xffff, &base)) return fail("invalid isa-debug-exit iobase '%s'", item + 7);
        } else if (!strncmp(item, "iosize=", 7)) {
            if (!parse_uint(item + 7, 0x10000, &size) || size == 0) {
                return fail("invalid isa-debug-exit iosize '%s'", item + 7);
            }
        } else {
            return fail("unknown isa-debug-exit property '%s' (iobase, iosize)", item);
        }
    }
    if (base + size > 0x10000) return fail("isa-debug-exit ports 0x%llx+%llu run past 0xffff",
                                           (unsigned long long)base, (unsigned long long)size);
    cfg->debug_exit = true;
    cfg->debug_exit_base = (uint16_t)base;
    cfg->debug_exit_size = (uint16_t)size;
    return true;
}

/* debugging: -gdb/-s, -S, -monitor, -d/-D (ui/debug.c) */
static bool opt_gdb(ParseState *ps, const char *arg) { ps->cfg->gdb = arg; return true; }
static bool opt_s(ParseState *ps, const char *arg) { ps->cfg->gdb = "tcp::1234"; return true; }
static bool opt_S(ParseState *ps, const char *arg) { ps->cfg->start_paused = true; return true; }
static bool opt_monitor(ParseState *ps, const char *arg)
{
    ps->cfg->monitor = strcmp(arg, "none") ? arg : NULL;
    return true;
}
static bool opt_d(ParseState *ps, const char *arg) { ps->cfg->log_items = arg; return true; }
static bool opt_D(ParseState *ps, const char *arg) { ps->cfg->log_file = arg; return true; }

static bool opt_gdb_arch(ParseState *ps, const char *arg)
{
    if (strcmp(arg, "i386") != 0 && strcmp(arg, "x86-64") != 0) {
        return fail("unknown -gdb-arch '%s' (valid: i386, x86-64)", arg);
    }
    ps->cfg->gdb_arch = arg;
    return true;
}

/* snapshots (snapshot/): -icount shift=N[,align=off,sleep=off] (QEMU's spelling; align and
 * sleep are accepted, ferry never sleeps for virtual time), -loadvm FILE */
static bool opt_icount(ParseState *ps, const char *arg)
{
    char spec[64];
    if (strlen(arg) >= sizeof(spec)) return fail("-icount '%s': too long", arg);
    strcpy(spec, arg);
    bool have_shift = false;
    for (char *item = strtok(spec, ","); item; item = strtok(NULL, ",")) {
        const char *value = strncmp(item, "shift=", 6) == 0 ? item + 6 : strchr(item, '=') ? NULL : item;
        if (value) {
            char *end;
            unsigned long shift = strtoul(value, &end, 10);
            if (!*value || *end || shift > 10) return fail("-icount: shift must be 0..10, not '%s'", value);
            ps->cfg->icount_shift = (unsigned)shift;
            have_shift = true;
        } else if (strcmp(item, "align=off") != 0 && strcmp(item, "sleep=off") != 0 &&
                   strcmp(item, "align=on") != 0 && strcmp(item, "sleep=on") != 0) {
            return fail("-icount: unknown item '%s' (shift=N, align=, sleep=)", item);
        }
    }
    if (!have_shift) return fail("-icount '%s': give shift=N", arg);
    ps->cfg->icount = true;
    return true;
}
static bool opt_loadvm(ParseState *ps, const char *arg) { ps->cfg->loadvm = arg; return true; }
static bool opt_savevm_at(ParseState *ps, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long ns = strtoull(arg, &end, 0);
    if (end == arg || *end != ',' || !end[1] || errno) return fail("-savevm-at '%s': expected NS,FILE", arg);
    ps->cfg->savevm_at_ns = ns;
    ps->cfg->savevm_at = end + 1;
    return true;
}

/* ---------------------------------------------------------------- the table */

typedef enum OptionKind { OPT_ARG, OPT_FLAG, OPT_HELP, OPT_VERSION } OptionKind;

typedef struct Option {
    const char *name;
    OptionKind kind;
    OptionFn fn;
    const char *help;
} Option;

static const Option options[] = {
    { "m",          OPT_ARG,  opt_m,          "-m SIZE            RAM size (MiB, or with K/M/G suffix; size=SIZE)" },
    { "bios",       OPT_ARG,  opt_bios,       "-bios FILE         firmware image (mapped below 4 GiB and 1 MiB)" },
    { "kernel",     OPT_ARG,  opt_kernel,     "-kernel FILE       Linux bzImage or Multiboot kernel (ELF32)" },
    { "initrd",     OPT_ARG,  opt_initrd,     "-initrd FILES      Linux initramfs; Multiboot modules 'file args,file args'" },
    { "append",     OPT_ARG,  opt_append,     "-append ARGS       kernel command line" },
    { "serial",     OPT_ARG,  opt_serial,     "-serial DEV        COM1: stdio, mon:stdio, file:PATH, chardev:ID, none" },
    { "debugcon",   OPT_ARG,  opt_debugcon,   "-debugcon DEV      port 0xe9 console: stdio, file:PATH, none" },
    { "nographic",  OPT_FLAG, opt_nographic,  "-nographic         no display; COM1 on stdio" },
    { "display",    OPT_ARG,  opt_display,    "-display sdl|none  SDL2 window or no display" },
    { "vga",        OPT_ARG,  opt_vga,        "-vga std|none      standard VGA (default) or none (-device VGA adds it)" },
    { "nodefaults", OPT_FLAG, opt_nodefaults, "-nodefaults        no default devices (no COM1 unless -serial)" },
    { "no-reboot",  OPT_FLAG, opt_no_reboot,  "-no-reboot         exit instead of rebooting" },
    { "smp",        OPT_ARG,  opt_smp,        "-smp 1             one CPU" },
    { "cpu",        OPT_ARG,  opt_cpu,        "-cpu NAME          CPU model: max, ferry" },
    { "accel",      OPT_ARG,  opt_accel,      "-accel NAME        interp, jit (tcg: the default)" },
    { "machine",    OPT_ARG,  opt_machine,    "-machine pc        board type (also -M)" },
    { "M",          OPT_ARG,  opt_machine,    NULL },
    { "device",     OPT_ARG,  opt_device,     "-device isa-debug-exit[,iobase=N][,iosize=N]" },
    { "gdb",        OPT_ARG,  opt_gdb,        "-gdb tcp::PORT     wait for gdb on a TCP port" },
    { "s",          OPT_FLAG, opt_s,          "-s                 shorthand for -gdb tcp::1234" },
    { "S",          OPT_FLAG, opt_S,          "-S                 start paused (at the kernel entry with -kernel)" },
    { "gdb-arch",   OPT_ARG,  opt_gdb_arch,   "-gdb-arch ARCH     gdb target: i386 or x86-64 (default: from -kernel)" },
    { "monitor",    OPT_ARG,  opt_monitor,    "-monitor stdio     the monitor on the terminal" },
    { "d",          OPT_ARG,  opt_d,          "-d ITEMS           log in_asm,exec,cpu,int,op,out_asm,mmu,tlb" },
    { "D",          OPT_ARG,  opt_D,          "-D FILE            write the -d log to FILE" },
    { "icount",     OPT_ARG,  opt_icount,     "-icount shift=N    virtual time = instructions << N ns (deterministic)" },
    { "loadvm",     OPT_ARG,  opt_loadvm,     "-loadvm FILE       start from a snapshot saved with savevm" },
    { "savevm-at",  OPT_ARG,  opt_savevm_at,  "-savevm-at NS,FILE save a snapshot when virtual time reaches NS (tests)" },
    { "hda",        OPT_ARG,  opt_hda,        "-hda FILE          raw disk image: IDE primary master (-hdb, -hdc, -hdd)" },
    { "hdb",        OPT_ARG,  opt_hdb,        NULL },
    { "hdc",        OPT_ARG,  opt_hdc,        NULL },
    { "hdd",        OPT_ARG,  opt_hdd,        NULL },
    { "drive",      OPT_ARG,  opt_drive,      "-drive file=F[,format=raw][,if=ide][,index=N][,media=disk][,readonly=on]" },
    { "snapshot",   OPT_FLAG, opt_snapshot,   "-snapshot          keep disk writes in memory, discard them at exit" },
    { "boot",       OPT_ARG,  opt_boot,       "-boot [order=]cdn[,menu=on]  firmware boot order and menu" },
    { "chardev",    OPT_ARG,  opt_chardev,    "-chardev stdio|file|null,id=ID[,path=P]  a backend for chardev:ID" },
    { "name",       OPT_ARG,  opt_name,       "-name NAME         guest name (accepted, unused)" },
    { "version",    OPT_VERSION, NULL,        "-version           print the version" },
    { "h",          OPT_HELP, NULL,           "-h, -help          this text" },
    { "help",       OPT_HELP, NULL,           NULL },
};

static const Option *find_option(const char *name)
{
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        if (!strcmp(options[i].name, name)) return &options[i];
    }
    return NULL;
}

static void print_help(void)
{
    printf("usage: ferry [options]\n\nferry %s: a full-system x86 emulator with a QEMU-compatible command line.\n\n",
           FERRY_VERSION);
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        if (options[i].help) printf("  %s\n", options[i].help);
    }
}

UiAction ui_parse_options(int argc, char *const argv[], MachineConfig *cfg)
{
    *cfg = (MachineConfig){
        .ram_size = (uint64_t)DEFAULT_RAM_MIB << 20,
        .cpu_model = "max",
        .debug_exit_base = DEBUG_EXIT_DEFAULT_BASE,
        .debug_exit_size = DEBUG_EXIT_DEFAULT_SIZE,
    };
    ParseState ps = { .cfg = cfg, .vga = -1 };
    nb_chardevs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            fail("unexpected argument '%s' (disk images are not supported yet)", a);
            return UI_EXIT_FAILURE;
        }
        const char *name = a + 1 + (a[1] == '-');
        const Option *o = find_option(name);
        if (!o) {
            fail("unknown option '%s' (see -help)", a);
            return UI_EXIT_FAILURE;
        }
        switch (o->kind) {
        case OPT_HELP:
            print_help();
            return UI_EXIT_SUCCESS;
        case OPT_VERSION:
            printf("ferry version %s\n", FERRY_VERSION);
            return UI_EXIT_SUCCESS;
        case OPT_FLAG:
            if (!o->fn(&ps, NULL)) return UI_EXIT_FAILURE;
            break;
        case OPT_ARG:
            if (i + 1 >= argc) {
                fail("option '%s' needs an argument", a);
                return UI_EXIT_FAILURE;
            }
            if (!o->fn(&ps, argv[++i])) return UI_EXIT_FAILURE;
            break;
        }
    }
    /* COM1's default: none with -nodefaults (as QEMU, even with -nographic), otherwise the
     * terminal: ferry has no graphical console to show it in. */
    if (!ps.serial_given) {
        cfg->serial = (CharSink){ ps.nodefaults ? SERIAL_NONE : SERIAL_STDIO, NULL };
    }
    cfg->vga = ps.vga < 0 ? !ps.nodefaults : ps.vga;
    return UI_RUN;
}
