/*
 * hw/hw.h — the contract of the board part: the machine (RAM map, devices, loaders, the run
 * loop around cpu_exec), the device model every device follows, interrupt lines, and the
 * virtual clock.
 *
 * A device is one file in hw/: a plain state struct (guest-visible data only, no host
 * pointers), a static StateField table describing it (all snapshot/ needs), and a DeviceOps
 * table. Devices claim ports and MMIO through mmu/ and raise interrupts with irq_set().
 */
#ifndef FERRY_HW_H
#define FERRY_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct CPUState;

/* ---------------------------------------------------------------- state descriptors */

typedef struct StateField {
    const char *name;
    size_t offset;
    size_t size;        /* bytes; arrays are one field of their whole size */
    uint32_t version;   /* the device state version that introduced the field */
} StateField;
#define STATE_FIELD(type, field, ver) { #field, offsetof(type, field), sizeof(((type *)0)->field), ver }
#define STATE_END { NULL, 0, 0, 0 }

typedef struct DeviceOps {
    const char *name;
    uint32_t version;               /* current state version */
    const StateField *fields;       /* describes the struct at Device.state */
    void (*reset)(void *state);
    void (*tick)(void *state, uint64_t now_ns);   /* optional: timers due */
    /* optional: after snapshot/ replaced the state, re-arm Timers from the deadlines in
     * it and redo host-side effects of the state (mappings, lines) */
    void (*post_load)(void *state);
} DeviceOps;

typedef struct Device {
    const DeviceOps *ops;
    void *state;
} Device;

/* ---------------------------------------------------------------- machine */

typedef enum SerialBackend { SERIAL_NONE, SERIAL_STDIO, SERIAL_FILE } SerialBackend;

typedef struct CharSink {
    SerialBackend kind;
    const char *path;               /* for SERIAL_FILE */
} CharSink;

/* A disk image on the IDE controller (-hda..-hdd, -drive if=ide) */
typedef struct DriveConfig {
    const char *file;               /* raw image; NULL = no drive */
    bool readonly;                  /* readonly=on */
} DriveConfig;
#define MAX_IDE_DRIVES 4            /* primary master, primary slave, secondary master, slave */

typedef struct MachineConfig {
    uint64_t ram_size;
    const char *bios;               /* -bios FILE */
    const char *kernel;             /* -kernel FILE */
    const char *initrd;             /* -initrd FILE */
    const char *append;             /* -append ARGS */
    const char *cpu_model;          /* -cpu NAME */
    const char *accel;              /* -accel interp|jit */
    CharSink serial;                /* COM1 */
    CharSink debugcon;              /* port 0xe9 */
    bool debug_exit;                /* -device isa-debug-exit */
    uint16_t debug_exit_base, debug_exit_size;
    bool no_reboot;
    /* debugging (ui/debug.c): -gdb/-s, -S, -monitor, -d/-D */
    const char *gdb;                /* "tcp::PORT" or NULL */
    const char *gdb_arch;           /* "i386" or "x86-64"; NULL = from the kernel */
    bool start_paused;              /* -S */
    const char *monitor;            /* "stdio" or NULL */
    const char *log_items;          /* -d in_asm,exec,cpu,int,op,out_asm */
    const char *log_file;           /* -D FILE (stderr without) */
    /* snapshots (snapshot/): -icount shift=N, -loadvm FILE */
    bool icount;
    unsigned icount_shift;
    const char *loadvm;
    const char *savevm_at;          /* -savevm-at NS,FILE: save when virtual time is NS */
    uint64_t savevm_at_ns;
    /* disks and firmware boot (hw/piix3_ide.c, hw/fw_cfg.c) */
    DriveConfig ide[MAX_IDE_DRIVES];
    bool snapshot;                  /* -snapshot: disk writes stay in memory */
    const char *boot_order;         /* -boot order=LETTERS (a floppy, c disk, d CD, n network) */
    bool boot_menu;                 /* -boot menu=on */
    /* display (hw/vga.c, ui/display.c) */
    bool vga;                       /* the standard VGA (default; not with -nodefaults, -vga none) */
    const char *display;            /* -display sdl|none; NULL = SDL when it can show */
} MachineConfig;

#define MAX_DEVICES 32

typedef struct Machine {
    MachineConfig cfg;
    struct CPUState *cpu;
    Device devices[MAX_DEVICES];
    int nb_devices;
    bool exit_requested;
    int exit_status;
    bool reset_requested;           /* machine_request_reset: handled by machine_run */
} Machine;

/* Build the board from cfg (RAM, firmware or kernel, devices). On a bad file or option,
 * prints one line to stderr and returns NULL. */
Machine *machine_create(const MachineConfig *cfg);
/* Run until the guest or the user ends the machine; returns the process exit status. */
int machine_run(Machine *m);
/* Stop the machine at the next block boundary with this exit status. */
void machine_request_exit(Machine *m, int status);
void machine_add_device(Machine *m, const DeviceOps *ops, void *state);
/* The guest asked for a system reset (triple fault, reset port): with -no-reboot the machine
 * exits with status 0 as QEMU does, otherwise CPU and devices are reset and the firmware or
 * kernel is loaded again, at the next block boundary. */
void machine_request_reset(Machine *m);

/* The debugger's side of the run loop (ui/debug.c); inert without -gdb/-S/-monitor/-d.
 * debug_start opens sockets and logs (false with a message on failure); debug_service runs
 * before each cpu_exec and returns true while the debugger holds the CPU (it then waited a
 * bounded time for input); debug_cpu_returned sees every cpu_exec exit reason. */
bool debug_start(Machine *m);
bool debug_service(Machine *m);
void debug_cpu_returned(Machine *m, int reason);
/* The display's side of the run loop (ui/display.c): display_start opens the window (false
 * with a message on failure); display_service keeps it alive while the debugger holds the
 * CPU (while running, its own timer refreshes it). */
bool display_start(Machine *m);
void display_service(Machine *m);

/* Interrupt acknowledge from the CPU: vector of the highest pending interrupt, or -1. */
int machine_irq_ack(Machine *m);

/* The local APIC shares state with the CPU (hw/lapic.c): the CPU stores CR8, IA32_APIC_BASE
 * or IA32_TSC_DEADLINE in CPUState, then tells the APIC, which follows (TPR = CR8 << 4,
 * relocation or global disable, timer arming). Harmless without an APIC (m may be NULL). */
#define MSR_IA32_APIC_BASE 0x1bu
#define MSR_IA32_TSC_DEADLINE 0x6e0u
void lapic_cr8_written(Machine *m);
void lapic_msr_written(Machine *m, uint32_t index);
/* The host TSC frequency (measured once against the monotonic clock): the guest TSC runs
 * at it, so CPUID 0x15/0x16 report it and the TSC-deadline timer converts with it. */
uint64_t clock_tsc_hz(void);

/* ---------------------------------------------------------------- interrupt lines */

#define NB_IRQ_LINES 24
void irq_set(int line, int level);
/* Current level of a line (0 for lines out of range): for the interrupt controller. */
int irq_level(int line);

/* ---------------------------------------------------------------- virtual clock */

/* Nanoseconds of virtual time: the host monotonic clock by default; derived from retired
 * instructions under -icount. */
uint64_t clock_now_ns(void);

/* -icount shift=N: from now on virtual time is (instructions retired << N) ns (plus the
 * time skipped while the CPU waits for a timer), the guest TSC counts those ns, and no host
 * thread drives timers: call before the machine is created. */
void clock_icount_enable(unsigned shift);
bool clock_icount_enabled(void);
/* Wall-clock time for the RTC: the host's, or under -icount a fixed epoch plus virtual time */
int64_t clock_wall_ns(void);
/* A halted CPU under -icount: jump virtual time to the earliest deadline (nothing else would
 * move it). True when it did, so the caller does not sleep. */
bool clock_idle_warp(void);
/* What snapshot/ saves of the clock and restores: virtual time and the instruction count. */
typedef struct ClockState {
    uint64_t now_ns;        /* clock_now_ns() when saved */
    uint64_t icount;        /* instructions retired (-icount) */
    uint64_t warp_ns;       /* virtual time skipped while halted (-icount) */
    uint32_t icount_shift;  /* UINT32_MAX without -icount */
} ClockState;
void clock_get_state(ClockState *out);
/* Make the clock read out->now_ns now; under -icount, set the count and skipped time. */
void clock_set_state(const ClockState *in);

/* Timers on the virtual clock. A device keeps its own deadline in its state struct (that is
 * what a snapshot saves) and (re)arms a Timer from it; the callback runs on the main thread,
 * from machine_run between two cpu_exec calls, once the deadline has passed. A running CPU is
 * made to return in time (the clock asks cpu_exec to leave when the earliest deadline is
 * due), so timer latency does not depend on what the guest executes. */
typedef struct Timer Timer;
typedef void (*TimerFn)(void *opaque, uint64_t now_ns);
/* Periodic interrupt sources (8254 counter 0, HPET periodic timers) owe the periods a late
 * timer missed (ferry descheduled on a loaded host) and deliver them this far apart, up to
 * this many; a longer stall is not replayed. Guests that count timer interrupts against
 * the TSC over a short window then see the count they expect. */
#define TIMER_CATCHUP_GAP_NS 20000ull
#define TIMER_MAX_OWED 32
Timer *timer_new(TimerFn fn, void *opaque);
void timer_mod(Timer *t, uint64_t deadline_ns);   /* (re)arm: fires once at deadline */
void timer_del(Timer *t);                          /* disarm */
bool timer_pending(const Timer *t);
/* Run the callbacks of every timer whose deadline has passed (machine_run). Returns the
 * earliest remaining deadline, or UINT64_MAX. */
uint64_t timers_run_expired(void);
/* Whether a timer is due (never under -icount, where the instruction limit is exact). The
 * CPU asks when the guest reads the clock (RDTSC) and leaves its block if so: the guest then
 * never sees a time later than an interrupt it has not been given. The timer thread alone
 * cannot promise that on a loaded host, where it runs late: Linux's IO-APIC timer check
 * spins on RDTSC for 10 timer periods and panics when fewer than 5 interrupts came. */
bool timers_due(void);

/* ---------------------------------------------------------------- character output */

/* Open a sink (stdio, file); NULL on failure with a message on stderr. */
FILE *charsink_open(const CharSink *s);

#endif
