/*
 * hw/pm_timer.c — the ACPI power-management timer: a read-only 24-bit counter at
 * 3.579545 MHz (the NTSC colour-burst frequency every PC timer derives from), computed
 * from the virtual clock. It sits at port 0x608 on its own for now; the PIIX4 PM function
 * will own it and relocate it with its PMBA register later. TMR_VAL_EXT is 0 in the FADT's
 * flags, so the counter is 24 bits; the overflow status/interrupt (PM1 status TMR_STS)
 * belongs to the PM function too and is not modelled here.
 */
#include <stdlib.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define PM_TIMER_HZ 3579545ull
#define PM_TIMER_MASK 0xffffffull

/* No guest-writable state: the value is a function of the virtual clock alone. */
typedef struct PmTimerState {
    uint8_t unused;
} PmTimerState;

static const StateField pm_timer_fields[] = {
    STATE_END
};

static uint64_t pm_timer_read(void *opaque, uint64_t offset, unsigned size)
{
    uint64_t ns = clock_now_ns();
    /* ticks = ns * 3579545 / 1e9, split so the product cannot overflow 64 bits */
    uint64_t ticks = (ns / 1000000000u) * PM_TIMER_HZ +
                     (ns % 1000000000u) * PM_TIMER_HZ / 1000000000u;
    uint32_t v = (uint32_t)(ticks & PM_TIMER_MASK);
    return (v >> ((offset & 3) * 8)) & (size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
}

static void pm_timer_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    /* read-only */
}

static const MemOps pm_timer_ops = { pm_timer_read, pm_timer_write };

static const DeviceOps pm_timer_device = {
    .name = "acpi-pm-timer",
    .version = 1,
    .fields = pm_timer_fields,
};

bool pm_timer_create(Machine *m, uint16_t port)
{
    PmTimerState *s = calloc(1, sizeof(*s));
    if (!s || !port_register(port, 4, &pm_timer_ops, s)) {
        fprintf(stderr, "ferry: cannot set up the ACPI PM timer at port 0x%x\n", port);
        free(s);
        return false;
    }
    machine_add_device(m, &pm_timer_device, s);
    return true;
}
