/*
 * ui/display.c — which display the machine gets: -display sdl opens the SDL2 window
 * (an error when ferry was built without SDL2), -display none and -nographic stay
 * headless, and without either option the window opens when SDL2 is built in, the
 * machine has a VGA and a display server is reachable ($DISPLAY or $WAYLAND_DISPLAY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ferry_display.h"
#include "hw/vga.h"
#include "ui/display.h"
#include "ui/png.h"

static bool sdl_active;

static bool display_server_reachable(void)
{
    const char *x = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
    return (x && *x) || (wayland && *wayland);
}

bool display_start(Machine *m)
{
    const char *want = m->cfg.display;
    if (!want) want = FERRY_HAVE_SDL && vga_state() && display_server_reachable() ? "sdl" : "none";
    if (!strcmp(want, "none")) return true;
    if (strcmp(want, "sdl") != 0) {
        fprintf(stderr, "ferry: display '%s' is not supported (sdl, none)\n", want);
        return false;
    }
#if FERRY_HAVE_SDL
    sdl_active = sdl_display_start(m);
    return sdl_active;
#else
    fprintf(stderr, "ferry: -display sdl: this ferry was built without SDL2 (install libsdl2-dev and rebuild)\n");
    return false;
#endif
}

void display_service(Machine *m)
{
#if FERRY_HAVE_SDL
    if (sdl_active) sdl_display_service(m);
#else
    (void)sdl_active;
#endif
}

bool display_screendump(const char *path)
{
    const uint32_t *pixels;
    int width, height;
    /* frame 0: blinking text and the cursor shown in their visible phase */
    vga_render(0, &pixels, &width, &height);
    return png_write(path, pixels, width, height);
}
