/*
 * ui/ui.h — the contract of the command-line part: turn QEMU-style options into the
 * MachineConfig the board is built from.
 */
#ifndef FERRY_UI_H
#define FERRY_UI_H

#include "hw/hw.h"

typedef enum UiAction {
    UI_RUN,             /* cfg is complete: build and run the machine */
    UI_EXIT_SUCCESS,    /* -help, -version and the like were answered on stdout */
    UI_EXIT_FAILURE,    /* a bad option: one line starting "ferry: " is on stderr */
} UiAction;

/* Fill cfg from argv (defaults first: 128 MiB, COM1 on stdio unless -nodefaults). */
UiAction ui_parse_options(int argc, char *const argv[], MachineConfig *cfg);

#endif
