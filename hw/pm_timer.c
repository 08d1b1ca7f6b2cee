/*
 * hw/pm_timer.c — the ACPI power-management timer: a read-only 24-bit counter at
 * 3.579545 MHz (the NTSC colour-burst frequency every PC timer derives from), computed
 * from the virtual clock. It starts at the port machine.c gives it; the PIIX4 PM function
 * (hw/piix4_pm.c) moves it to PMBA + 8 or takes it off the bus with pm_timer_relocate(). TMR_VAL_EXT is 0 in the FADT's
 * flags, so the counter is 24 bits; the overflow status/interrupt (PM1 status TMR_STS)
 * belongs to the PM function too and is not modelled here.
 */
#include <stdlib.h>

#include "hw/board.h"
#include "hw/pci.h"
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

/* Host side: where the timer is on the bus (0 = nowhere). */
static PmTimerState *pm_timer;
static uint16_t pm_timer_port;

void pm_timer_relocate(uint16_t port)
{
    if (!pm_timer || port == pm_timer_port) return;
    if (pm_timer_port) port_unregister(pm_timer_port, &pm_timer_ops, pm_timer);
    pm_timer_port = port && port_register(port, 4, &pm_timer_ops, pm_timer) ? port : 0;
}

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
    pm_timer = s;
    pm_timer_port = port;
    machine_add_device(m, &pm_timer_device, s);
    return true;
}
