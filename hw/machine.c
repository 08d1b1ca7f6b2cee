/*
 * hw/machine.c — the PC board: RAM, firmware or kernel, the devices, and the run loop
 * around cpu_exec.
 *
 * The loop runs the CPU until it stops: on an exit request it returns the status; on HLT
 * with nothing that could wake the CPU it sleeps in poll() on the serial input (so an idle
 * guest costs no host CPU), lets the devices catch up (input, output flushing), and tries
 * again. There is no interrupt controller yet, so a HLT with nothing else to do simply
 * waits for the user (Ctrl-C) or an exit request.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "hw/board.h"
#include "hw/pci.h"
#include "hw/vga.h"
#include "mmu/mmu.h"
#include "tcg/tcg.h"

#define COM1_IOBASE 0x3f8
#define COM1_IRQ 4
/* How long a halted CPU sleeps before devices are looked at again. */
#define HALT_WAIT_MS 100

/* The holes a PC BIOS leaves in low memory: its extended data area (1 KiB below 640 KiB)
 * and its own 64 KiB below 1 MiB. */
#define EBDA_START 0x9fc00ull
#define VGA_START 0xa0000ull
#define BIOS_AREA_START 0xf0000ull
#define ONE_MIB 0x100000ull
#define FOUR_GIB 0x100000000ull
#define PCI_HOLE_SPLIT_AT 0xe0000000ull
#define LOW_RAM_WITH_HOLE 0xc0000000ull

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
    if (first_cpu) cpu_interrupt(first_cpu, CPU_INT_EXIT);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void machine_add_device(Machine *m, const DeviceOps *ops, void *state)
{
    if (m->nb_devices == MAX_DEVICES) {
        fprintf(stderr, "ferry: internal error: more than %d devices\n", MAX_DEVICES);
        abort();
    }
    m->devices[m->nb_devices++] = (Device){ ops, state };
}

static void devices_reset(Machine *m)
{
    for (int i = 0; i < m->nb_devices; i++) {
        if (m->devices[i].ops->reset) m->devices[i].ops->reset(m->devices[i].state);
    }
}

static void devices_tick(Machine *m)
{
    uint64_t now = clock_now_ns();
    for (int i = 0; i < m->nb_devices; i++) {
        if (m->devices[i].ops->tick) m->devices[i].ops->tick(m->devices[i].state, now);
    }
}

/* Put the CPU where the machine starts: the firmware's reset vector, or the entry of a
 * Linux bzImage or Multiboot kernel (loaded again, as a real boot loader would on reboot). */
static bool machine_boot(Machine *m)
{
    cpu_reset(m->cpu);
    phys_set_a20(true);
    if (m->cfg.kernel) {
        /* no firmware: ferry leaves the tables a BIOS would have */
        if (!m->cfg.bios && (!acpi_tables_write(m) || !mptable_write(m) || !smbios_write(m))) return false;
        return linux_is_bzimage(m->cfg.kernel) ? linux_load(m) : multiboot_load(m);
    }
    return true;
}

/* QEMU's pc machine: RAM of 3.5 GiB or more keeps only 3 GiB below 4 GiB (the rest of
 * that gigabyte is the PCI hole: MMIO windows, I/O APIC, HPET, LAPIC, BIOS); the remainder
 * starts at 4 GiB. */
uint64_t board_ram_below_4g(const Machine *m)
{
    return m->cfg.ram_size >= PCI_HOLE_SPLIT_AT ? LOW_RAM_WITH_HOLE : m->cfg.ram_size;
}

int board_memory_map(const Machine *m, MemMapEntry *out, int max)
{
    /* RAM is at least 1 MiB (phys_init refuses less), so the lengths cannot wrap */
    const uint64_t below = board_ram_below_4g(m), above = m->cfg.ram_size - below;
    const MemMapEntry map[MEMMAP_MAX_ENTRIES] = {
        { 0, EBDA_START, MEMMAP_USABLE },
        { EBDA_START, VGA_START - EBDA_START, MEMMAP_RESERVED },
        { BIOS_AREA_START, ONE_MIB - BIOS_AREA_START, MEMMAP_RESERVED },
        { ONE_MIB, below - ONE_MIB, MEMMAP_USABLE },
        { FOUR_GIB, above, MEMMAP_USABLE },
    };
    int n = above ? MEMMAP_MAX_ENTRIES : MEMMAP_MAX_ENTRIES - 1;
    if (max < n) n = max;
    for (int i = 0; i < n; i++) out[i] = map[i];
    return n < 0 ? 0 : n;
}

static bool create_devices(Machine *m)
{
    const MachineConfig *cfg = &m->cfg;
    /* legacy ISA platform: interrupt controller first, so the others find their sink */
    if (!pic8259_create(m) || !pit8254_create(m) || !rtc_create(m) || !i8042_create(m) ||
        !sysreset_create(m) || !ferr_create(m)) {
        return false;
    }
    /* APIC platform: with -kernel nothing plays the BIOS, so the local APIC starts as one
     * leaves it; the PIIX4 PM function below moves the PM timer to its PMBA + 8 */
    if (!lapic_create(m, cfg->kernel != NULL) || !ioapic_create(m) || !hpet_create(m) ||
        !pm_timer_create(m, 0x608)) {
        return false;
    }
    /* ---- PCI platform (pci.c, i440fx.c, piix3.c, piix4_pm.c, fw_cfg.c); with -kernel the
     * chipset starts as a BIOS leaves it (PM block at 0x600, PCI interrupt links routed) */
    if (!pci_host_create(m) || !i440fx_create(m) || !piix3_create(m, cfg->kernel != NULL) ||
        !piix4_pm_create(m, cfg->kernel != NULL) || !fw_cfg_create(m)) {
        return false;
    }
    /* ---- end PCI platform */
    if (!piix3_ide_create(m, cfg->kernel != NULL) || !dma8237_create(m)) return false;
    /* the VGA needs its BIOS to set a mode: only on firmware boots */
    if (cfg->vga && (cfg->bios || !cfg->kernel) && !vga_create(m)) return false;
    if (cfg->serial.kind != SERIAL_NONE && !uart16550_create(m, COM1_IOBASE, COM1_IRQ, &cfg->serial)) {
        return false;
    }
    if (cfg->debugcon.kind != SERIAL_NONE && !debugcon_create(m, &cfg->debugcon)) return false;
    if (cfg->debug_exit && !debugexit_create(m, cfg->debug_exit_base, cfg->debug_exit_size)) {
        return false;
    }
    return true;
}

Machine *machine_create(const MachineConfig *cfg)
{
    Machine *m = calloc(1, sizeof(*m));
    CPUState *env = calloc(1, sizeof(*env));
    if (!m || !env) {
        fprintf(stderr, "ferry: out of memory\n");
        free(m);
        free(env);
        return NULL;
    }
    m->cfg = *cfg;
    m->cpu = env;
    if (!phys_init(cfg->ram_size)) {
        free(m);
        free(env);
        return NULL;
    }
    cpu_init(env, m);
    if (!first_cpu) first_cpu = env;    /* the one CPU of this process */
    if (!create_devices(m)) goto fail;
    /* without -kernel or -bios, Debian's SeaBIOS boots the machine (bios_load(NULL)) */
    if ((cfg->bios || !cfg->kernel) && !bios_load(cfg->bios)) goto fail;
    devices_reset(m);
    if (!machine_boot(m)) goto fail;
    return m;
fail:
    /* the partly built machine stays allocated (first_cpu and the port table point into it) */
    return NULL;
}

void machine_request_exit(Machine *m, int status)
{
    if (!m->exit_requested) {
        m->exit_requested = true;
        m->exit_status = status;
    }
    cpu_interrupt(m->cpu, CPU_INT_EXIT);
}

void machine_request_reset(Machine *m)
{
    if (m->cfg.no_reboot) {
        machine_request_exit(m, 0);
        return;
    }
    m->reset_requested = true;
    cpu_interrupt(m->cpu, CPU_INT_EXIT);
}

/* INTA: the local APIC's highest deliverable vector; else, when the 8259 reaches INTR
 * through LINT0 (ExtINT) or the APIC is globally disabled, the 8259's. */
int machine_irq_ack(Machine *m)
{
    int vector = -1;
    if (lapic_pending_vector() >= 0) vector = lapic_ack();
    else if (lapic_accepts_pic() && pic_intr_level()) vector = pic_ack();
    machine_update_intr();
    return vector;
}

/* The CPU's INTR input: the local APIC has an interrupt above its PPR, or the master 8259's
 * INT output passes through LINT0 in ExtINT mode (or around a globally disabled APIC). */
void machine_update_intr(void)
{
    if (!first_cpu) return;
    if (lapic_pending_vector() >= 0 || (lapic_accepts_pic() && pic_intr_level())) {
        cpu_interrupt(first_cpu, CPU_INT_HARD);
    } else {
        cpu_reset_interrupt(first_cpu, CPU_INT_HARD);
    }
}

/* Sleep until serial input arrives, a signal comes, the earliest timer is due, or the halt
 * timeout passes. */
static void wait_for_event(void)
{
    fflush(NULL);
    if (clock_idle_warp()) return;      /* -icount: time jumps to the next deadline */
    uint64_t now = clock_now_ns(), due = timers_next_deadline();
    if (due <= now) return;
    uint64_t wait_ns = due - now < HALT_WAIT_MS * 1000000ull ? due - now : HALT_WAIT_MS * 1000000ull;
    struct timespec timeout = { (time_t)(wait_ns / 1000000000ull), (long)(wait_ns % 1000000000ull) };
    struct pollfd p = { .fd = charsink_input_fd(), .events = POLLIN };
    if (p.fd < 0) {
        ppoll(NULL, 0, &timeout, NULL);
    } else if (ppoll(&p, 1, &timeout, NULL) < 0 && errno != EINTR) {
        ppoll(NULL, 0, &timeout, NULL);
    }
}

static bool do_reset(Machine *m)
{
    m->reset_requested = false;
    tb_flush();
    phys_code_clear_all();
    tlb_flush(m->cpu);
    devices_reset(m);
    return machine_boot(m);
}

int machine_run(Machine *m)
{
    install_signal_handlers();
    if (!debug_start(m) || !display_start(m)) return 1;
    while (!m->exit_requested && !stop_signal) {
        if (debug_service(m)) {             /* paused by the debugger or monitor */
            display_service(m);
            continue;
        }
        int reason = cpu_exec(m->cpu);
        if (m->exit_requested || stop_signal) break;
        debug_cpu_returned(m, reason);
        if (m->reset_requested && !do_reset(m)) {
            machine_request_exit(m, 1);
            break;
        }
        if (reason == EXCP_HLT) wait_for_event();
        timers_run_expired();       /* also why a cpu_exec returned without an exit request */
        devices_tick(m);
    }
    if (stop_signal && !m->exit_requested) {
        fprintf(stderr, "ferry: terminating on signal %d\n", (int)stop_signal);
        m->exit_status = 128 + stop_signal;
    }
    fflush(NULL);
    charsink_input_stop();
    return m->exit_status;
}
