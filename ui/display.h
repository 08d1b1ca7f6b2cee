/*
 * ui/display.h — the machine's screen on the host: -display sdl|none (display.c picks,
 * sdl.c is the SDL2 window, compiled only when SDL2 was found) and the monitor's
 * screendump. The board calls display_start/display_service (declared in hw/hw.h).
 */
#ifndef FERRY_DISPLAY_H
#define FERRY_DISPLAY_H

#include <stdbool.h>

#include "hw/hw.h"

/* The current screen (hw/vga_render.c) as a PNG file; false with a message on stderr. */
bool display_screendump(const char *path);

/* sdl.c: open the window and arm its refresh timer; false with a message on failure. */
bool sdl_display_start(Machine *m);
/* sdl.c: keep the window alive while the debugger holds the CPU (no timers run then). */
void sdl_display_service(Machine *m);

#endif
