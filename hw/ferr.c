/*
 * hw/ferr.c — the PC/AT's FERR# route for x87 errors: with CR0.NE = 0 the CPU reports an
 * unmasked x87 exception not as #MF but by asserting FERR#, which the board wires to IRQ 13
 * (cpu/helpers_x87.c raises the line). The handler acknowledges by writing any value to
 * port 0xF0 (the coprocessor busy latch), which lowers IRQ 13 again. Reads see an undriven
 * bus. No state of its own: the line's level is irq.c's.
 */
#include <stdio.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define FERR_PORT 0xf0
#define FERR_IRQ 13

static uint64_t ferr_read(void *opaque, uint64_t offset, unsigned size)
{
    return ~0ull;
}

static void ferr_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    irq_set(FERR_IRQ, 0);
}

static const MemOps ferr_ops = { ferr_read, ferr_write };

static const StateField ferr_fields[] = {
    STATE_END
};

static void ferr_reset(void *state)
{
    irq_set(FERR_IRQ, 0);
}

static const DeviceOps ferr_device = {
    .name = "ferr",
    .version = 1,
    .fields = ferr_fields,
    .reset = ferr_reset,
};

bool ferr_create(Machine *m)
{
    static uint8_t no_state;    /* the device has no state; the machine wants a pointer */
    if (!port_register(FERR_PORT, 1, &ferr_ops, NULL)) {
        fprintf(stderr, "ferry: FERR latch at 0x%x: port already in use\n", FERR_PORT);
        return false;
    }
    machine_add_device(m, &ferr_device, &no_state);
    return true;
}
