/*
 * ui/sdl.c — -display sdl: the VGA's picture in an SDL2 window, keyboard and mouse into the
 * i8042.
 *
 * Everything runs on the main thread: a Timer on the virtual clock fires at 60 Hz between
 * two cpu_exec calls (so device state is never touched concurrently), pumps SDL's events
 * and redraws when the VGA's picture changed. While the debugger holds the CPU no timers
 * run, so display_service keeps the window alive then (rate-limited on the host clock).
 *
 * The picture is scaled to the window keeping its aspect ratio (SDL's logical size).
 * Keys: SDL scancodes are USB HID usages; a table turns them into PS/2 set 2 codes (flag
 * for the E0 prefix), the i8042 translates to set 1 when the guest asked for it. Mouse:
 * relative motion as PS/2 AUX packets while the pointer is grabbed (click into the window
 * or Ctrl-Alt-G; Ctrl-Alt-G releases).
 */
#include <SDL.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hw/board.h"
#include "hw/vga.h"
#include "ui/display.h"
#include "ui/ui.h"

#define REFRESH_NS 16666667ull          /* 60 Hz */
#define E0 0x100                        /* the code needs the E0 prefix */
#define SET2_BREAK 0xf0

/* USB HID usage (= SDL_Scancode) -> PS/2 set 2 make code; 0 = no such key */
static const uint16_t hid_to_set2[256] = {
    [SDL_SCANCODE_A] = 0x1c, [SDL_SCANCODE_B] = 0x32, [SDL_SCANCODE_C] = 0x21, [SDL_SCANCODE_D] = 0x23,
    [SDL_SCANCODE_E] = 0x24, [SDL_SCANCODE_F] = 0x2b, [SDL_SCANCODE_G] = 0x34, [SDL_SCANCODE_H] = 0x33,
    [SDL_SCANCODE_I] = 0x43, [SDL_SCANCODE_J] = 0x3b, [SDL_SCANCODE_K] = 0x42, [SDL_SCANCODE_L] = 0x4b,
    [SDL_SCANCODE_M] = 0x3a, [SDL_SCANCODE_N] = 0x31, [SDL_SCANCODE_O] = 0x44, [SDL_SCANCODE_P] = 0x4d,
    [SDL_SCANCODE_Q] = 0x15, [SDL_SCANCODE_R] = 0x2d, [SDL_SCANCODE_S] = 0x1b, [SDL_SCANCODE_T] = 0x2c,
    [SDL_SCANCODE_U] = 0x3c, [SDL_SCANCODE_V] = 0x2a, [SDL_SCANCODE_W] = 0x1d, [SDL_SCANCODE_X] = 0x22,
    [SDL_SCANCODE_Y] = 0x35, [SDL_SCANCODE_Z] = 0x1a,
    [SDL_SCANCODE_1] = 0x16, [SDL_SCANCODE_2] = 0x1e, [SDL_SCANCODE_3] = 0x26, [SDL_SCANCODE_4] = 0x25,
    [SDL_SCANCODE_5] = 0x2e, [SDL_SCANCODE_6] = 0x36, [SDL_SCANCODE_7] = 0x3d, [SDL_SCANCODE_8] = 0x3e,
    [SDL_SCANCODE_9] = 0x46, [SDL_SCANCODE_0] = 0x45,
    [SDL_SCANCODE_RETURN] = 0x5a, [SDL_SCANCODE_ESCAPE] = 0x76, [SDL_SCANCODE_BACKSPACE] = 0x66,
    [SDL_SCANCODE_TAB] = 0x0d, [SDL_SCANCODE_SPACE] = 0x29, [SDL_SCANCODE_MINUS] = 0x4e,
    [SDL_SCANCODE_EQUALS] = 0x55, [SDL_SCANCODE_LEFTBRACKET] = 0x54, [SDL_SCANCODE_RIGHTBRACKET] = 0x5b,
    [SDL_SCANCODE_BACKSLASH] = 0x5d, [SDL_SCANCODE_NONUSHASH] = 0x5d, [SDL_SCANCODE_SEMICOLON] = 0x4c,
    [SDL_SCANCODE_APOSTROPHE] = 0x52, [SDL_SCANCODE_GRAVE] = 0x0e, [SDL_SCANCODE_COMMA] = 0x41,
    [SDL_SCANCODE_PERIOD] = 0x49, [SDL_SCANCODE_SLASH] = 0x4a, [SDL_SCANCODE_CAPSLOCK] = 0x58,
    [SDL_SCANCODE_F1] = 0x05, [SDL_SCANCODE_F2] = 0x06, [SDL_SCANCODE_F3] = 0x04, [SDL_SCANCODE_F4] = 0x0c,
    [SDL_SCANCODE_F5] = 0x03, [SDL_SCANCODE_F6] = 0x0b, [SDL_SCANCODE_F7] = 0x83, [SDL_SCANCODE_F8] = 0x0a,
    [SDL_SCANCODE_F9] = 0x01, [SDL_SCANCODE_F10] = 0x09, [SDL_SCANCODE_F11] = 0x78, [SDL_SCANCODE_F12] = 0x07,
    [SDL_SCANCODE_SCROLLLOCK] = 0x7e,
    [SDL_SCANCODE_INSERT] = E0 | 0x70, [SDL_SCANCODE_HOME] = E0 | 0x6c, [SDL_SCANCODE_PAGEUP] = E0 | 0x7d,
    [SDL_SCANCODE_DELETE] = E0 | 0x71, [SDL_SCANCODE_END] = E0 | 0x69, [SDL_SCANCODE_PAGEDOWN] = E0 | 0x7a,
    [SDL_SCANCODE_RIGHT] = E0 | 0x74, [SDL_SCANCODE_LEFT] = E0 | 0x6b, [SDL_SCANCODE_DOWN] = E0 | 0x72,
    [SDL_SCANCODE_UP] = E0 | 0x75,
    [SDL_SCANCODE_NUMLOCKCLEAR] = 0x77, [SDL_SCANCODE_KP_DIVIDE] = E0 | 0x4a, [SDL_SCANCODE_KP_MULTIPLY] = 0x7c,
    [SDL_SCANCODE_KP_MINUS] = 0x7b, [SDL_SCANCODE_KP_PLUS] = 0x79, [SDL_SCANCODE_KP_ENTER] = E0 | 0x5a,
    [SDL_SCANCODE_KP_1] = 0x69, [SDL_SCANCODE_KP_2] = 0x72, [SDL_SCANCODE_KP_3] = 0x7a,
    [SDL_SCANCODE_KP_4] = 0x6b, [SDL_SCANCODE_KP_5] = 0x73, [SDL_SCANCODE_KP_6] = 0x74,
    [SDL_SCANCODE_KP_7] = 0x6c, [SDL_SCANCODE_KP_8] = 0x75, [SDL_SCANCODE_KP_9] = 0x7d,
    [SDL_SCANCODE_KP_0] = 0x70, [SDL_SCANCODE_KP_PERIOD] = 0x71,
    [SDL_SCANCODE_NONUSBACKSLASH] = 0x61, [SDL_SCANCODE_APPLICATION] = E0 | 0x2f,
    [SDL_SCANCODE_INTERNATIONAL1] = 0x51, [SDL_SCANCODE_INTERNATIONAL2] = 0x13,
    [SDL_SCANCODE_INTERNATIONAL3] = 0x6a, [SDL_SCANCODE_INTERNATIONAL4] = 0x64,
    [SDL_SCANCODE_INTERNATIONAL5] = 0x67,
    [SDL_SCANCODE_LCTRL] = 0x14, [SDL_SCANCODE_LSHIFT] = 0x12, [SDL_SCANCODE_LALT] = 0x11,
    [SDL_SCANCODE_LGUI] = E0 | 0x1f, [SDL_SCANCODE_RCTRL] = E0 | 0x14, [SDL_SCANCODE_RSHIFT] = 0x59,
    [SDL_SCANCODE_RALT] = E0 | 0x11, [SDL_SCANCODE_RGUI] = E0 | 0x27,
};

/* Keys whose set 2 sequences are not "code" / "F0 code" */
static const uint8_t print_screen_make[] = { 0xe0, 0x12, 0xe0, 0x7c };
static const uint8_t print_screen_break[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
static const uint8_t pause_make[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };  /* no break */

static struct {
    Machine *machine;
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_Texture *texture;
    int tex_width, tex_height;
    Timer *timer;
    unsigned frame;
    bool grabbed;
    unsigned buttons;               /* PS/2 bits: 1 left, 2 right, 4 middle */
    int title_state;                /* what the title shows: -1 nothing yet */
    uint64_t last_service_ns;       /* host time of the last paused-state refresh */
} sdl;

static void send_bytes(const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) i8042_key_event(bytes[i]);
}

static void send_key(SDL_Scancode code, bool down)
{
    if (code == SDL_SCANCODE_PRINTSCREEN) {
        if (down) send_bytes(print_screen_make, sizeof(print_screen_make));
        else send_bytes(print_screen_break, sizeof(print_screen_break));
        return;
    }
    if (code == SDL_SCANCODE_PAUSE) {
        if (down) send_bytes(pause_make, sizeof(pause_make));
        return;
    }
    if ((unsigned)code >= 256 || !hid_to_set2[code]) return;
    uint16_t v = hid_to_set2[code];
    if (v & E0) i8042_key_event(0xe0);
    if (!down) i8042_key_event(SET2_BREAK);
    i8042_key_event((uint8_t)v);
}

static void update_title(void)
{
    int state = sdl.grabbed ? 2 : debug_paused() ? 1 : 0;
    if (state == sdl.title_state) return;
    static const char *const titles[3] = {
        "ferry - running", "ferry - paused", "ferry - grabbed, Ctrl-Alt-G releases",
    };
    SDL_SetWindowTitle(sdl.window, titles[state]);
    sdl.title_state = state;
}

static void set_grab(bool on)
{
    sdl.grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(sdl.window, on ? SDL_TRUE : SDL_FALSE);
    update_title();
}

static unsigned ps2_button(Uint8 sdl_button)
{
    switch (sdl_button) {
    case SDL_BUTTON_LEFT: return 1;
    case SDL_BUTTON_RIGHT: return 2;
    case SDL_BUTTON_MIDDLE: return 4;
    default: return 0;
    }
}

static void handle_event(const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        machine_request_exit(sdl.machine, 0);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP: {
        bool down = e->type == SDL_KEYDOWN;
        SDL_Keymod mod = e->key.keysym.mod;
        if (e->key.keysym.scancode == SDL_SCANCODE_G && (mod & KMOD_CTRL) && (mod & KMOD_ALT)) {
            if (down && !e->key.repeat) set_grab(!sdl.grabbed);
            break;
        }
        /* SDL's auto-repeat arrives as further make codes, as a typematic keyboard sends */
        send_key(e->key.keysym.scancode, down);
        break;
    }
    case SDL_MOUSEMOTION:
        /* PS/2 counts upwards motion as positive */
        if (sdl.grabbed) i8042_mouse_event(e->motion.xrel, -e->motion.yrel, sdl.buttons);
        break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (!sdl.grabbed) {
            if (e->type == SDL_MOUSEBUTTONDOWN && e->button.button == SDL_BUTTON_LEFT) set_grab(true);
            break;
        }
        if (e->type == SDL_MOUSEBUTTONDOWN) sdl.buttons |= ps2_button(e->button.button);
        else sdl.buttons &= ~ps2_button(e->button.button);
        i8042_mouse_event(0, 0, sdl.buttons);
        break;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_FOCUS_LOST && sdl.grabbed) set_grab(false);
        break;
    default:
        break;
    }
}

/* A new picture size: a new texture, and the window follows the mode (small modes doubled) */
static bool resize_texture(int width, int height)
{
    if (sdl.texture) SDL_DestroyTexture(sdl.texture);
    sdl.texture = SDL_CreateTexture(sdl.renderer, SDL_PIXELFORMAT_XRGB8888, SDL_TEXTUREACCESS_STREAMING, width, height);
    if (!sdl.texture) return false;
    sdl.tex_width = width;
    sdl.tex_height = height;
    SDL_RenderSetLogicalSize(sdl.renderer, width, height);
    int scale = width < 640 ? 2 : 1;
    if (!(SDL_GetWindowFlags(sdl.window) & SDL_WINDOW_MAXIMIZED)) SDL_SetWindowSize(sdl.window, width * scale, height * scale);
    return true;
}

static void refresh(void)
{
    SDL_Event e;
    while (SDL_PollEvent(&e)) handle_event(&e);
    update_title();
    const uint32_t *pixels;
    int width, height;
    bool changed = vga_render(sdl.frame++, &pixels, &width, &height);
    if (!pixels) return;
    if (width != sdl.tex_width || height != sdl.tex_height || !sdl.texture) {
        if (!resize_texture(width, height)) return;
        changed = true;
    }
    if (changed) SDL_UpdateTexture(sdl.texture, NULL, pixels, width * (int)sizeof(uint32_t));
    SDL_RenderClear(sdl.renderer);
    SDL_RenderCopy(sdl.renderer, sdl.texture, NULL, NULL);
    SDL_RenderPresent(sdl.renderer);
}

static void refresh_timer_fired(void *opaque, uint64_t now_ns)
{
    refresh();
    timer_mod(sdl.timer, now_ns + REFRESH_NS);
}

static uint64_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sdl_display_service(Machine *m)
{
    uint64_t now = host_now_ns();
    if (now - sdl.last_service_ns < REFRESH_NS) return;
    sdl.last_service_ns = now;
    refresh();
}

bool sdl_display_start(Machine *m)
{
    /* ferry's own SIGINT/SIGTERM handling stays in charge */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "ferry: -display sdl: cannot open a window: %s\n", SDL_GetError());
        return false;
    }
    atexit(SDL_Quit);
    /* with no display server SDL falls back to an invisible driver: say so, unless the
     * user chose that driver (SDL_VIDEODRIVER) */
    const char *driver = SDL_GetCurrentVideoDriver();
    if (!getenv("SDL_VIDEODRIVER") && driver && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy"))) {
        fprintf(stderr, "ferry: -display sdl: no display server ($DISPLAY and $WAYLAND_DISPLAY are unset)\n");
        return false;
    }
    sdl.machine = m;
    sdl.title_state = -1;
    sdl.window = SDL_CreateWindow("ferry", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 720, 400,
                                  SDL_WINDOW_RESIZABLE);
    if (sdl.window) {
        sdl.renderer = SDL_CreateRenderer(sdl.window, -1, 0);
        if (!sdl.renderer) sdl.renderer = SDL_CreateRenderer(sdl.window, -1, SDL_RENDERER_SOFTWARE);
    }
    sdl.timer = timer_new(refresh_timer_fired, NULL);
    if (!sdl.window || !sdl.renderer || !sdl.timer) {
        fprintf(stderr, "ferry: -display sdl: cannot create the window: %s\n", SDL_GetError());
        return false;
    }
    update_title();
    refresh();
    timer_mod(sdl.timer, clock_now_ns() + REFRESH_NS);
    return true;
}
