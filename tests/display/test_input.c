/*
 * tests/display/test_input.c — the user-interface input path into the i8042 at the port
 * level, as ui/sdl.c drives it: keyboard set 2 bytes come out as set 1 while the command
 * byte's translate bit is set (make and "F0 xx" break, E0 passed through) and unchanged
 * without it; mouse motion becomes 3-byte PS/2 packets (sign bits, buttons, "up" positive)
 * only once the guest enabled data reporting, and is dropped with the AUX clock off.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hw/board.h"
#include "mmu/mmu.h"

static int failures;

static void expect_bytes(const char *what, const uint8_t *want, int n)
{
    for (int i = 0; i < n; i++) {
        if (!(port_read(0x64, 1) & 0x01)) {
            printf("FAIL %s: byte %d missing\n", what, i);
            failures++;
            return;
        }
        uint8_t got = (uint8_t)port_read(0x60, 1);
        if (got != want[i]) {
            printf("FAIL %s: byte %d is 0x%02x, expected 0x%02x\n", what, i, got, want[i]);
            failures++;
        }
    }
    if (port_read(0x64, 1) & 0x01) {
        printf("FAIL %s: extra byte 0x%02x\n", what, (unsigned)port_read(0x60, 1));
        failures++;
    }
}

int main(void)
{
    static Machine machine;
    if (!phys_init(1u << 20) || !i8042_create(&machine)) return 1;
    machine.devices[0].ops->reset(machine.devices[0].state);

    /* translated (the reset state: as firmware leaves it): 'A' make/break, Right Ctrl */
    static const uint8_t a_set2[] = { 0x1c, 0xf0, 0x1c }, rctrl_set2[] = { 0xe0, 0x14, 0xe0, 0xf0, 0x14 };
    for (unsigned i = 0; i < sizeof(a_set2); i++) i8042_key_event(a_set2[i]);
    expect_bytes("A translated", (const uint8_t[]){ 0x1e, 0x9e }, 2);
    for (unsigned i = 0; i < sizeof(rctrl_set2); i++) i8042_key_event(rctrl_set2[i]);
    expect_bytes("Right Ctrl translated", (const uint8_t[]){ 0xe0, 0x1d, 0xe0, 0x9d }, 4);

    /* translation off: command byte 0x20 (keyboard IRQ off, translate off) */
    port_write(0x64, 0x60, 1);
    port_write(0x60, 0x00, 1);
    for (unsigned i = 0; i < sizeof(a_set2); i++) i8042_key_event(a_set2[i]);
    expect_bytes("A untranslated", a_set2, 3);

    /* mouse: nothing before the guest enables reporting */
    i8042_mouse_event(5, -3, 1);
    expect_bytes("mouse before F4", NULL, 0);
    port_write(0x64, 0xa8, 1);          /* AUX clock on */
    port_write(0x64, 0xd4, 1);          /* next byte to the mouse: enable reporting */
    port_write(0x60, 0xf4, 1);
    expect_bytes("mouse F4 ack", (const uint8_t[]){ 0xfa }, 1);
    i8042_mouse_event(5, -3, 1);
    expect_bytes("mouse packet", (const uint8_t[]){ 0x08 | 0x01 | 0x20, 0x05, 0xfd }, 3);
    i8042_mouse_event(-400, 300, 6);    /* clamped to the 9-bit range */
    expect_bytes("mouse packet clamped", (const uint8_t[]){ 0x08 | 0x06 | 0x10, 0x01, 0xff }, 3);
    port_write(0x64, 0xa7, 1);          /* AUX clock off: dropped */
    i8042_mouse_event(1, 1, 0);
    expect_bytes("mouse with the AUX clock off", NULL, 0);

    if (failures) return 1;
    printf("input: keyboard translation and mouse packets ok\n");
    return 0;
}
