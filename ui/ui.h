/*
 * ui/ui.h — the contract of the command-line part: turn QEMU-style options into the
 * MachineConfig the board is built from.
 */
#ifndef FERRY_UI_H
#define FERRY_UI_H

#include "hw/hw.h"
#include "mmu/mmu.h"

typedef enum UiAction {
    UI_RUN,             /* cfg is complete: build and run the machine */
    UI_EXIT_SUCCESS,    /* -help, -version and the like were answered on stdout */
    UI_EXIT_FAILURE,    /* a bad option: one line starting "ferry: " is on stderr */
} UiAction;

/* Fill cfg from argv (defaults first: 128 MiB, COM1 on stdio unless -nodefaults). */
UiAction ui_parse_options(int argc, char *const argv[], MachineConfig *cfg);

/* ---------------------------------------------------------------- debugger (ui/ internal)
 * debug.c holds the run state (running, paused, stepping) and the breakpoints; gdbstub.c and
 * monitor.c are its two front ends; disasm.c wraps Capstone; trace.c writes the -d log. */
struct CPUState;

typedef enum DebugClient { DEBUG_CLIENT_NONE, DEBUG_CLIENT_GDB, DEBUG_CLIENT_MONITOR } DebugClient;

bool debug_paused(void);
/* Stop the CPU at the next block boundary; `who` hears about it when it stopped. */
void debug_request_stop(DebugClient who);
/* Resume; step = one instruction then stop (interrupts masked unless allowed below). */
void debug_resume(DebugClient who, bool step);
void debug_set_step_irqs(bool allowed);
bool debug_breakpoint_insert(uint64_t linear);
bool debug_breakpoint_remove(uint64_t linear);
void debug_breakpoint_remove_all(void);
/* Guest memory by linear address through the current page tables, side-effect free;
 * returns how many bytes were copied (short at the first unmapped page). */
size_t debug_read_linear(uint64_t la, void *buf, size_t len);
size_t debug_write_linear(uint64_t la, const void *buf, size_t len);
/* The pc a debugger shows: rip, or CS base + IP in real and virtual-8086 mode */
uint64_t debug_pc(const struct CPUState *env);
/* Execution mode width for disassembly: 16, 32 or 64 */
int debug_code_bits(const struct CPUState *env);

/* gdbstub.c: is_64bit picks the x86-64 target description over i386 */
bool gdbstub_open(const char *spec, bool is_64bit);
int gdbstub_fd(void);                 /* descriptor to poll (client or listener), -1 if none */
void gdbstub_poll(void);              /* handle pending input; never blocks */
/* the CPU stopped (watch: the watchpoint that stopped it, or NULL): send the stop reply */
void gdbstub_stopped(int signal, const WatchHit *watch);
/* monitor.c */
bool monitor_open(const char *spec);
int monitor_fd(void);
void monitor_poll(void);
void monitor_stopped(const WatchHit *watch);

/* disasm.c: one instruction at addr from code[0..len); text without a newline. Returns the
 * instruction length, 0 if the bytes do not decode (text then says so). */
size_t disasm_one(const uint8_t *code, size_t len, uint64_t addr, int bits, bool host,
                  char *text, size_t text_size);

/* trace.c: parse -d items and open -D; false with a message on a bad item or file */
bool trace_start(const char *items, const char *file);

#endif
