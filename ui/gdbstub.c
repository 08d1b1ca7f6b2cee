/*
 * ui/gdbstub.c — the gdb remote serial protocol over TCP: one client at a time, reconnect
 * after a detach or a vanished client. Registers follow the target description we send
 * (qXfer:features:read), so g/G/p/P use its order; memory addresses are linear (through the
 * current page tables); breakpoints go to ui/debug.c and never touch guest memory.
 *
 * Real and virtual-8086 mode: the pc gdb sees is CS base + IP, so breakpoints and
 * disassembly at $pc name the bytes that really execute.
 *
 * Beyond gdb's own features (core, sse, segments for x86-64) the description carries the
 * control registers (cr0 cr2 cr3 cr4 cr8 efer) in a feature of ferry's: gdb 13 documents no
 * feature for them and shows registers of features it does not know under their names
 * (`info registers cr3`). Watchpoints (Z2 write, Z3 read, Z4 access) go to mmu/watch.c and
 * stop after the accessing instruction, reported as watch/rwatch/awatch. QEMU's packets
 * for physical memory (Qqemu.PhyMemMode) and single-step flags (qqemu.sstepbits,
 * qqemu.sstep, Qqemu.sstep=) work as they do with QEMU's `maintenance packet`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "ui/ui.h"

#define PACKET_MAX 4096
#define MAX_MEM_XFER 2048           /* bytes per m/M: fits PacketSize in hex */
#define XML_MAX 12288

/* ---------------------------------------------------------------- register file */

typedef enum RegKind { RK_GPR, RK_PC, RK_EFLAGS, RK_SEG, RK_ST, RK_FCTRL, RK_FSTAT, RK_FTAG,
                       RK_FZERO, RK_XMM, RK_MXCSR, RK_SEGBASE, RK_CR, RK_CR8, RK_EFER } RegKind;

#define FEATURE_CORE "org.gnu.gdb.i386.core"
#define FEATURE_SSE "org.gnu.gdb.i386.sse"
#define FEATURE_SEGMENTS "org.gnu.gdb.i386.segments"
#define FEATURE_SYS "org.ferry.i386.sys"      /* not one of gdb's: see the top of the file */

typedef struct GdbReg {
    char name[8];
    uint8_t bits;
    uint8_t kind;
    uint8_t index;
    const char *type;
    const char *feature;            /* FEATURE_* */
} GdbReg;

#define MAX_REGS 80              /* x86-64 has 65 */
static GdbReg regs[MAX_REGS];
static int nb_regs;
static bool target_64;

static void add_reg(const char *name, unsigned bits, RegKind kind, unsigned index,
                    const char *type, const char *feature)
{
    GdbReg *r = &regs[nb_regs++];
    snprintf(r->name, sizeof(r->name), "%s", name);
    r->bits = (uint8_t)bits;
    r->kind = (uint8_t)kind;
    r->index = (uint8_t)index;
    r->type = type;
    r->feature = feature;
}

/* gdb's own order for each architecture (it validates the names of the core feature) */
static void build_register_file(bool is_64bit)
{
    static const char *const gpr64[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
                                           "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
    static const uint8_t gpr64_index[16] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI, R_EDI, R_EBP, R_ESP,
                                             8, 9, 10, 11, 12, 13, 14, 15 };
    static const char *const gpr32[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
    static const char *const segs[6] = { "cs", "ss", "ds", "es", "fs", "gs" };
    static const uint8_t seg_index[6] = { R_CS, R_SS, R_DS, R_ES, R_FS, R_GS };
    static const char *const fzero[5] = { "fiseg", "fioff", "foseg", "fooff", "fop" };
    char name[8];

    target_64 = is_64bit;
    nb_regs = 0;
    unsigned w = is_64bit ? 64 : 32;
    for (int i = 0; i < (is_64bit ? 16 : 8); i++) {
        const char *type = (is_64bit ? gpr64_index[i] : i) == R_ESP || (is_64bit ? gpr64_index[i] : i) == R_EBP
                           ? "data_ptr" : is_64bit ? "int64" : "int32";
        add_reg(is_64bit ? gpr64[i] : gpr32[i], w, RK_GPR, is_64bit ? gpr64_index[i] : (unsigned)i, type, FEATURE_CORE);
    }
    add_reg(is_64bit ? "rip" : "eip", w, RK_PC, 0, "code_ptr", FEATURE_CORE);
    add_reg("eflags", 32, RK_EFLAGS, 0, "int32", FEATURE_CORE);
    for (int i = 0; i < 6; i++) add_reg(segs[i], 32, RK_SEG, seg_index[i], "int32", FEATURE_CORE);
    for (int i = 0; i < 8; i++) {
        snprintf(name, sizeof(name), "st%d", i);
        add_reg(name, 80, RK_ST, (unsigned)i, "i387_ext", FEATURE_CORE);
    }
    add_reg("fctrl", 32, RK_FCTRL, 0, "int", FEATURE_CORE);
    add_reg("fstat", 32, RK_FSTAT, 0, "int", FEATURE_CORE);
    add_reg("ftag", 32, RK_FTAG, 0, "int", FEATURE_CORE);
    for (int i = 0; i < 5; i++) add_reg(fzero[i], 32, RK_FZERO, 0, "int", FEATURE_CORE);
    for (int i = 0; i < (is_64bit ? 16 : 8); i++) {
        snprintf(name, sizeof(name), "xmm%d", i);
        add_reg(name, 128, RK_XMM, (unsigned)i, "vec128", FEATURE_SSE);
    }
    add_reg("mxcsr", 32, RK_MXCSR, 0, "int", FEATURE_SSE);
    /* gdb 13 numbers an i386 segments feature beyond the registers it allocates without
     * AVX-512/PKU (internal error in tdesc_use_registers): there the bases go with the CRs */
    const char *base_feature = is_64bit ? FEATURE_SEGMENTS : FEATURE_SYS;
    add_reg("fs_base", w, RK_SEGBASE, R_FS, "int", base_feature);
    add_reg("gs_base", w, RK_SEGBASE, R_GS, "int", base_feature);
    static const char *const crs[4] = { "cr0", "cr2", "cr3", "cr4" };
    static const uint8_t cr_index[4] = { 0, 2, 3, 4 };
    for (int i = 0; i < 4; i++) add_reg(crs[i], w, RK_CR, cr_index[i], "int", FEATURE_SYS);
    add_reg("cr8", w, RK_CR8, 0, "int", FEATURE_SYS);
    add_reg("efer", 64, RK_EFER, 0, "int", FEATURE_SYS);
}

static void put_le(uint8_t *out, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && i < 8; i++) v |= (uint64_t)in[i] << (8 * i);
    return v;
}

static bool segmented_mode(const CPUState *env)
{
    return !(env->hflags & HF_PE) || (env->hflags & HF_VM);
}

/* Register n into out (bits/8 bytes) */
static void reg_read(CPUState *env, const GdbReg *r, uint8_t *out)
{
    unsigned bytes = r->bits / 8u;
    memset(out, 0, bytes);
    switch ((RegKind)r->kind) {
    case RK_GPR: put_le(out, env->regs[r->index], bytes); break;
    case RK_PC: put_le(out, debug_pc(env), bytes); break;
    case RK_EFLAGS: put_le(out, cpu_get_eflags(env), 4); break;
    case RK_SEG: put_le(out, env->seg[r->index].selector, 4); break;
    case RK_ST: put_le(out, env->fpregs[r->index].mant, 8); put_le(out + 8, env->fpregs[r->index].exp, 2); break;
    case RK_FCTRL: put_le(out, env->fpuc, 4); break;
    case RK_FSTAT: put_le(out, env->fpus, 4); break;
    case RK_FTAG: put_le(out, env->fptag, 4); break;
    case RK_FZERO: break;       /* last-instruction pointers are not modelled */
    case RK_XMM: put_le(out, env->xmm[r->index][0], 8); put_le(out + 8, env->xmm[r->index][1], 8); break;
    case RK_MXCSR: put_le(out, env->mxcsr, 4); break;
    case RK_SEGBASE: put_le(out, env->seg[r->index].base, bytes); break;
    case RK_CR: put_le(out, env->cr[r->index], bytes); break;
    case RK_CR8: put_le(out, env->cr8, bytes); break;
    case RK_EFER: put_le(out, env->efer, bytes); break;
    }
}

/* Returns false for a register gdb may not change here: protected-mode selectors need a
 * descriptor load, which can fault, and CR0/CR3/CR4/CR8/EFER changes have side effects
 * (mode, TLB, interrupt priority) that only the guest's own MOV/WRMSR make consistently;
 * writing the value a register already holds is accepted (gdb's G writes them all). */
static bool reg_write(CPUState *env, const GdbReg *r, const uint8_t *in)
{
    unsigned bytes = r->bits / 8u;
    uint64_t v = get_le(in, bytes);
    switch ((RegKind)r->kind) {
    case RK_GPR:
        env->regs[r->index] = target_64 ? v : (uint32_t)v;
        return true;
    case RK_PC:
        env->rip = segmented_mode(env) ? (uint16_t)(v - env->seg[R_CS].base) : v;
        return true;
    case RK_EFLAGS:
        cpu_set_eflags(env, (uint32_t)v, ~0u);
        return true;
    case RK_SEG:
        if (!segmented_mode(env)) return (uint16_t)v == env->seg[r->index].selector;
        cpu_load_seg_real(env, r->index, (uint16_t)v);
        cpu_update_hflags(env);
        return true;
    case RK_ST: env->fpregs[r->index].mant = v; env->fpregs[r->index].exp = (uint16_t)get_le(in + 8, 2); return true;
    case RK_FCTRL: env->fpuc = (uint16_t)v; return true;
    case RK_FSTAT: env->fpus = (uint16_t)v; return true;
    case RK_FTAG: env->fptag = (uint16_t)v; return true;
    case RK_FZERO: return true;
    case RK_XMM: env->xmm[r->index][0] = v; env->xmm[r->index][1] = get_le(in + 8, 8); return true;
    case RK_MXCSR: env->mxcsr = (uint32_t)v; return true;
    case RK_SEGBASE: env->seg[r->index].base = v; return true;
    case RK_CR:
        if (r->index == 2) env->cr[2] = v;
        return r->index == 2 || v == (bytes < 8 ? (uint32_t)env->cr[r->index] : env->cr[r->index]);
    case RK_CR8: return v == env->cr8;
    case RK_EFER: return v == env->efer;
    }
    return false;
}

/* ---------------------------------------------------------------- target description */

static char target_xml[XML_MAX];
static size_t target_xml_len;

static void build_target_xml(void)
{
    static const char vec128_types[] =
        "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
        "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
        "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
        "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
        "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
        "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
        "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
        "<field name=\"v2_double\" type=\"v2d\"/><field name=\"v16_int8\" type=\"v16i8\"/>"
        "<field name=\"v8_int16\" type=\"v8i16\"/><field name=\"v4_int32\" type=\"v4i32\"/>"
        "<field name=\"v2_int64\" type=\"v2i64\"/><field name=\"uint128\" type=\"uint128\"/></union>";
    size_t n = 0;
    n += (size_t)snprintf(target_xml + n, XML_MAX - n,
                          "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
                          "<target version=\"1.0\"><architecture>%s</architecture>",
                          target_64 ? "i386:x86-64" : "i386");
    const char *open_feature = NULL;
    for (int i = 0; i < nb_regs && n < XML_MAX; i++) {
        const GdbReg *r = &regs[i];
        if (!open_feature || strcmp(open_feature, r->feature) != 0) {
            if (open_feature) n += (size_t)snprintf(target_xml + n, XML_MAX - n, "</feature>");
            n += (size_t)snprintf(target_xml + n, XML_MAX - n, "<feature name=\"%s\">%s",
                                  r->feature, strcmp(r->feature, FEATURE_SSE) == 0 ? vec128_types : "");
            open_feature = r->feature;
        }
        if (n < XML_MAX) {
            n += (size_t)snprintf(target_xml + n, XML_MAX - n, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\"/>",
                                  r->name, r->bits, r->type);
        }
    }
    if (n < XML_MAX) n += (size_t)snprintf(target_xml + n, XML_MAX - n, "</feature></target>");
    if (n >= XML_MAX) {
        fprintf(stderr, "ferry: internal error: gdb target description too long\n");
        n = XML_MAX - 1;
    }
    target_xml_len = n;
}

/* ---------------------------------------------------------------- connection */

static int listen_fd = -1, client_fd = -1;
static bool no_ack;
static bool phys_mem_mode;              /* Qqemu.PhyMemMode:1: m/M take physical addresses */
/* QEMU's single-step flags (qqemu.sstepbits): ENABLE makes s step (else it continues),
 * NOIRQ masks interrupts during the step; NOTIMER is accepted and always true here, as
 * timers only run between two cpu_exec calls and a step is one */
#define SSTEP_ENABLE 0x1
#define SSTEP_NOIRQ 0x2
#define SSTEP_NOTIMER 0x4
static unsigned sstep_flags = SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER;
static char in_buf[PACKET_MAX + 8];     /* packet being received: '$' seen */
static size_t in_len;
static enum { RX_IDLE, RX_DATA, RX_CSUM1, RX_CSUM2 } rx_state;
static uint8_t rx_csum;
static char rx_csum_text[2];

int gdbstub_fd(void) { return client_fd >= 0 ? client_fd : listen_fd; }

bool gdbstub_open(const char *spec, bool is_64bit)
{
    const char *port_text = NULL;
    if (!strncmp(spec, "tcp::", 5)) port_text = spec + 5;
    else if (!strncmp(spec, "tcp:localhost:", 14)) port_text = spec + 14;
    else if (!strncmp(spec, "tcp:127.0.0.1:", 14)) port_text = spec + 14;
    char *end;
    long port = port_text ? strtol(port_text, &end, 10) : 0;
    if (!port_text || *end || port <= 0 || port > 65535) {
        fprintf(stderr, "ferry: -gdb '%s': expected tcp::PORT\n", spec);
        return false;
    }
    build_register_file(is_64bit);
    build_target_xml();
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(listen_fd, 1) != 0) {
        fprintf(stderr, "ferry: -gdb %s: cannot listen on port %ld: %s\n", spec, port, strerror(errno));
        return false;
    }
    return true;
}

static void send_raw(const void *data, size_t len)
{
    const char *p = data;
    while (client_fd >= 0 && len > 0) {
        ssize_t n = send(client_fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            close(client_fd);       /* the client went away: the poll loop sees it closed */
            client_fd = -1;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void send_packet_bin(const char *data, size_t len)
{
    static char out[2 * PACKET_MAX + 8];
    size_t n = 0;
    uint8_t sum = 0;
    out[n++] = '$';
    for (size_t i = 0; i < len && n < sizeof(out) - 5; i++) {
        char c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {     /* escape for binary replies */
            out[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        out[n++] = c;
        sum += (uint8_t)c;
    }
    n += (size_t)snprintf(out + n, sizeof(out) - n, "#%02x", sum);
    send_raw(out, n);
}

static void send_packet(const char *s) { send_packet_bin(s, strlen(s)); }

static void disconnect(void)
{
    if (client_fd >= 0) close(client_fd);
    client_fd = -1;
    rx_state = RX_IDLE;
    no_ack = false;
    phys_mem_mode = false;
    /* nobody can continue a guest stopped for gdb: drop its breakpoints and let it run */
    debug_breakpoint_remove_all();
    mmu_watch_remove_all(first_cpu);
    if (debug_paused()) debug_resume(DEBUG_CLIENT_GDB, false);
}

void gdbstub_stopped(int signal, const WatchHit *watch)
{
    if (client_fd < 0) return;
    static const char *const watch_names[4] = { "", "watch", "rwatch", "awatch" };
    char reply[64];
    if (watch) {
        snprintf(reply, sizeof(reply), "T%02x%s:%llx;thread:01;", signal, watch_names[watch->kind & 3],
                 (unsigned long long)watch->addr);
    } else {
        snprintf(reply, sizeof(reply), "T%02xthread:01;", signal);
    }
    send_packet(reply);
}

/* ---------------------------------------------------------------- packet handlers */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parse hex digits into *v; returns the text after them, NULL if there were none */
static const char *parse_hex(const char *s, uint64_t *v)
{
    const char *start = s;
    *v = 0;
    while (hexval(*s) >= 0) *v = (*v << 4) | (uint64_t)hexval(*s++);
    return s == start ? NULL : s;
}

static bool hex_to_bytes(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void bytes_to_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

static void handle_read_registers(CPUState *env)
{
    static char out[PACKET_MAX];
    size_t n = 0;
    for (int i = 0; i < nb_regs; i++) {
        uint8_t v[16];
        reg_read(env, &regs[i], v);
        bytes_to_hex(v, regs[i].bits / 8u, out + n);
        n += regs[i].bits / 4u;
    }
    send_packet(out);
}

static void handle_write_registers(CPUState *env, const char *hex)
{
    for (int i = 0; i < nb_regs && *hex; i++) {
        uint8_t v[16];
        unsigned bytes = regs[i].bits / 8u;
        if (strlen(hex) < 2 * bytes || !hex_to_bytes(hex, v, bytes)) break;
        reg_write(env, &regs[i], v);
        hex += 2 * bytes;
    }
    send_packet("OK");
}

static void handle_register(CPUState *env, const char *args, bool write)
{
    uint64_t n;
    const char *rest = parse_hex(args, &n);
    if (!rest || n >= (uint64_t)nb_regs) {
        send_packet("E01");
        return;
    }
    const GdbReg *r = &regs[n];
    uint8_t v[16];
    if (!write) {
        char out[40];
        reg_read(env, r, v);
        bytes_to_hex(v, r->bits / 8u, out);
        send_packet(out);
        return;
    }
    unsigned bytes = r->bits / 8u;
    if (*rest != '=' || strlen(rest + 1) < 2 * bytes || !hex_to_bytes(rest + 1, v, bytes) || !reg_write(env, r, v)) {
        send_packet("E01");
        return;
    }
    send_packet("OK");
}

static void handle_memory(const char *args, bool write)
{
    uint64_t addr, len;
    const char *p = parse_hex(args, &addr);
    if (!p || *p != ',' || !(p = parse_hex(p + 1, &len)) || len > MAX_MEM_XFER) {
        send_packet("E01");
        return;
    }
    uint8_t buf[MAX_MEM_XFER];
    if (phys_mem_mode && addr + len < addr) {
        send_packet("E14");
        return;
    }
    if (write) {
        if (*p != ':' || strlen(p + 1) < 2 * len || !hex_to_bytes(p + 1, buf, len)) {
            send_packet("E01");
            return;
        }
        if (phys_mem_mode) phys_write(addr, buf, len);
        send_packet(phys_mem_mode || debug_write_linear(addr, buf, len) == len ? "OK" : "E14");
        return;
    }
    /* physical reads always succeed: unmapped space reads as all ones, as on the bus */
    size_t got = phys_mem_mode ? (phys_read(addr, buf, len), (size_t)len) : debug_read_linear(addr, buf, len);
    if (got == 0 && len > 0) {
        send_packet("E14");     /* EFAULT: not mapped */
        return;
    }
    char out[2 * MAX_MEM_XFER + 1];
    bytes_to_hex(buf, got, out);
    send_packet(out);
}

/* Z/z type,addr,kind: software (0) and hardware (1) breakpoints share one mechanism;
 * types 2, 3, 4 are write, read and access watchpoints of kind bytes */
static void handle_breakpoint(const char *args, bool insert)
{
    static const WatchKind watch_kinds[5] = { 0, 0, WATCH_WRITE, WATCH_READ, WATCH_ACCESS };
    uint64_t type, addr, kind;
    const char *p = parse_hex(args, &type);
    if (!p || *p != ',' || !(p = parse_hex(p + 1, &addr)) || *p != ',' || !parse_hex(p + 1, &kind)) {
        send_packet("E01");
        return;
    }
    bool ok;
    if (type <= 1) {
        ok = insert ? debug_breakpoint_insert(addr) : (debug_breakpoint_remove(addr), true);
    } else if (type <= 4) {
        ok = insert ? mmu_watch_insert(first_cpu, addr, kind, watch_kinds[type])
                    : (mmu_watch_remove(first_cpu, addr, kind, watch_kinds[type]), true);
    } else {
        send_packet("");        /* unknown type: gdb's convention for unsupported */
        return;
    }
    send_packet(ok ? "OK" : "E28");
}

/* c/s with an optional address to resume at */
static void resume(CPUState *env, const char *addr_text, bool step)
{
    uint64_t addr;
    if (addr_text && parse_hex(addr_text, &addr)) {
        env->rip = segmented_mode(env) ? (uint16_t)(addr - env->seg[R_CS].base) : addr;
    }
    debug_resume(DEBUG_CLIENT_GDB, step && (sstep_flags & SSTEP_ENABLE));
}

/* vCont;ACTION[:thread][;ACTION...]: one thread, so the first action decides */
static void handle_vcont(CPUState *env, const char *args)
{
    if (!strcmp(args, "?")) {
        send_packet("vCont;c;C;s;S");
        return;
    }
    if (*args != ';') {
        send_packet("E01");
        return;
    }
    char action = args[1];
    if (action == 'c' || action == 'C') resume(env, NULL, false);
    else if (action == 's' || action == 'S') resume(env, NULL, true);
    else send_packet("E01");
}

static void handle_xfer_features(const char *args)
{
    const char *annex = "target.xml:";
    uint64_t off, len;
    const char *p;
    if (strncmp(args, annex, strlen(annex)) != 0) {
        send_packet("E00");
        return;
    }
    p = parse_hex(args + strlen(annex), &off);
    if (!p || *p != ',' || !parse_hex(p + 1, &len)) {
        send_packet("E01");
        return;
    }
    if (len > PACKET_MAX - 16) len = PACKET_MAX - 16;
    char out[PACKET_MAX];
    if (off >= target_xml_len) {
        send_packet("l");
        return;
    }
    size_t n = target_xml_len - off < len ? target_xml_len - off : len;
    out[0] = off + n >= target_xml_len ? 'l' : 'm';
    memcpy(out + 1, target_xml + off, n);
    send_packet_bin(out, n + 1);
}

static void handle_query(const char *q)
{
    if (!strncmp(q, "qSupported", 10)) {
        send_packet("PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;vContSupported+");
    } else if (!strncmp(q, "qXfer:features:read:", 20)) {
        handle_xfer_features(q + 20);
    } else if (!strcmp(q, "qAttached")) {
        send_packet("1");
    } else if (!strcmp(q, "qC")) {
        send_packet("QC1");
    } else if (!strcmp(q, "qfThreadInfo")) {
        send_packet("m1");
    } else if (!strcmp(q, "qsThreadInfo")) {
        send_packet("l");
    } else if (!strcmp(q, "QStartNoAckMode")) {
        send_packet("OK");
        no_ack = true;
    } else if (!strncmp(q, "qSymbol", 7)) {
        send_packet("OK");
    } else if (!strncmp(q, "Qqemu.PhyMemMode:", 17) && (q[17] == '0' || q[17] == '1') && !q[18]) {
        phys_mem_mode = q[17] == '1';
        send_packet("OK");
    } else if (!strcmp(q, "qqemu.PhyMemMode")) {
        send_packet(phys_mem_mode ? "1" : "0");
    } else if (!strcmp(q, "qqemu.sstepbits")) {
        char reply[64];
        snprintf(reply, sizeof(reply), "ENABLE=%x,NOIRQ=%x,NOTIMER=%x", SSTEP_ENABLE, SSTEP_NOIRQ, SSTEP_NOTIMER);
        send_packet(reply);
    } else if (!strcmp(q, "qqemu.sstep")) {
        char reply[16];
        snprintf(reply, sizeof(reply), "0x%x", sstep_flags);
        send_packet(reply);
    } else if (!strncmp(q, "Qqemu.sstep=", 12)) {
        uint64_t v;
        const char *end = parse_hex(q + 12 + (!strncmp(q + 12, "0x", 2) ? 2 : 0), &v);
        if (!end || *end || v & ~(uint64_t)(SSTEP_ENABLE | SSTEP_NOIRQ | SSTEP_NOTIMER)) {
            send_packet("E22");
            return;
        }
        sstep_flags = (unsigned)v;
        debug_set_step_irqs(!(sstep_flags & SSTEP_NOIRQ));
        send_packet("OK");
    } else {
        send_packet("");        /* unsupported: gdb's convention is an empty reply */
    }
}

static void handle_packet(char *pkt)
{
    CPUState *env = first_cpu;
    char *args = pkt + 1;
    if (!debug_paused() && pkt[0] != 'k' && pkt[0] != 'D' && pkt[0] != 'q') {
        /* everything else needs a stopped CPU; gdb only sends it then */
        send_packet("E16");
        return;
    }
    switch (pkt[0]) {
    case '?': send_packet("T05thread:01;"); break;
    case 'g': handle_read_registers(env); break;
    case 'G': handle_write_registers(env, args); break;
    case 'p': handle_register(env, args, false); break;
    case 'P': handle_register(env, args, true); break;
    case 'm': handle_memory(args, false); break;
    case 'M': handle_memory(args, true); break;
    case 'c': resume(env, *args ? args : NULL, false); break;
    case 's': resume(env, *args ? args : NULL, true); break;
    case 'Z': handle_breakpoint(args, true); break;
    case 'z': handle_breakpoint(args, false); break;
    case 'H': case 'T': send_packet("OK"); break;
    case 'v':
        if (!strncmp(args, "Cont", 4)) handle_vcont(env, args + 4);
        else send_packet("");
        break;
    case 'q': case 'Q': handle_query(pkt); break;
    case 'D':
        send_packet("OK");
        disconnect();
        break;
    case 'k':
        machine_request_exit(env->machine, 0);
        disconnect();
        break;
    default: send_packet(""); break;
    }
}

/* Feed received bytes through the framing state machine: $data#xx, acks, Ctrl-C. */
static void receive(const char *data, size_t len)
{
    for (size_t i = 0; i < len && client_fd >= 0; i++) {
        char c = data[i];
        switch (rx_state) {
        case RX_IDLE:
            if (c == '$') {
                rx_state = RX_DATA;
                in_len = 0;
                rx_csum = 0;
            } else if (c == 0x03) {
                debug_request_stop(DEBUG_CLIENT_GDB);
            }
            break;          /* '+' and '-' acks need nothing: we never resend */
        case RX_DATA:
            if (c == '#') {
                rx_state = RX_CSUM1;
            } else if (in_len < PACKET_MAX) {
                in_buf[in_len++] = c;
                rx_csum += (uint8_t)c;
            } else {
                rx_state = RX_IDLE;     /* oversized: drop it; gdb will retry smaller */
            }
            break;
        case RX_CSUM1:
            rx_csum_text[0] = c;
            rx_state = RX_CSUM2;
            break;
        case RX_CSUM2: {
            rx_csum_text[1] = c;
            rx_state = RX_IDLE;
            int hi = hexval(rx_csum_text[0]), lo = hexval(rx_csum_text[1]);
            bool ok = hi >= 0 && lo >= 0 && (uint8_t)(hi << 4 | lo) == rx_csum;
            if (!no_ack) send_raw(ok ? "+" : "-", 1);
            if (!ok) break;
            in_buf[in_len] = 0;
            handle_packet(in_buf);
            break;
        }
        }
    }
}

static bool connect_stop_pending;   /* a client connected to a running guest */

void gdbstub_poll(void)
{
    if (listen_fd < 0) return;
    if (client_fd < 0) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        client_fd = fd;
        rx_state = RX_IDLE;
        no_ack = false;
            debug_request_stop(DEBUG_CLIENT_NONE);     /* a new client finds the CPU stopped */
        connect_stop_pending = true;
    }
    if (connect_stop_pending) {
        if (!debug_paused()) return;    /* gdb's first packets wait until the CPU stopped */
        connect_stop_pending = false;
    }
    char buf[1024];
    for (;;) {
        ssize_t n = recv(client_fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            receive(buf, (size_t)n);
            if (client_fd < 0) return;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        disconnect();           /* closed or broken */
        return;
    }
}
