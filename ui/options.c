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

/* -serial / -debugcon backends */
static bool parse_chardev(const char *opt, const char *s, CharSink *sink)
{
    if (!strcmp(s, "stdio") || !strcmp(s, "mon:stdio")) {
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
/* ferry has no display yet; COM1 is on the terminal by default anyway */
static bool opt_nographic(ParseState *ps, const char *arg) { return true; }

static bool opt_serial(ParseState *ps, const char *arg)
{
    CharSink sink;
    if (!parse_chardev("-serial", arg, &sink)) return false;
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
    if (strcmp(arg, "none") != 0) return fail("display '%s' is not supported (only -display none)", arg);
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

static bool opt_device(ParseState *ps, const char *arg)
{
    MachineConfig *cfg = ps->cfg;
    const char *name = "isa-debug-exit";
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || (arg[n] && arg[n] != ',')) {
        return fail("unsupported device '%s' (only isa-debug-exit)", arg);
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
static bool opt_monitor(ParseState *ps, const char *arg) { ps->cfg->monitor = arg; return true; }
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
    { "kernel",     OPT_ARG,  opt_kernel,     "-kernel FILE       Multiboot kernel (ELF32)" },
    { "initrd",     OPT_ARG,  opt_initrd,     "-initrd FILES      Multiboot modules, 'file args,file args'" },
    { "append",     OPT_ARG,  opt_append,     "-append ARGS       kernel command line" },
    { "serial",     OPT_ARG,  opt_serial,     "-serial DEV        COM1: stdio, file:PATH, none" },
    { "debugcon",   OPT_ARG,  opt_debugcon,   "-debugcon DEV      port 0xe9 console: stdio, file:PATH, none" },
    { "nographic",  OPT_FLAG, opt_nographic,  "-nographic         no display; COM1 on stdio" },
    { "display",    OPT_ARG,  opt_display,    "-display none      no display" },
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
    { "d",          OPT_ARG,  opt_d,          "-d ITEMS           log in_asm,exec,cpu,int" },
    { "D",          OPT_ARG,  opt_D,          "-D FILE            write the -d log to FILE" },
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
    ParseState ps = { .cfg = cfg };
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
    return UI_RUN;
}
