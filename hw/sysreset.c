/*
 * hw/sysreset.c — the chipset's two reset and A20 shortcuts beside the keyboard
 * controller: port 0x92 (PS/2 "system control port A": bit 1 the A20 gate, bit 0 a fast
 * reset on its 0 -> 1 edge) and the PIIX reset control register at 0xCF9 (a 0 -> 1 edge of
 * bit 2 resets the system; bit 1 chooses a hard reset, which is the only kind here).
 */
#include <stdlib.h>
#include <string.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define PORTA_RESET 0x01
#define PORTA_A20 0x02
#define RCR_SYS_RESET 0x02
#define RCR_RESET_CPU 0x04

typedef struct SysResetState {
    uint8_t port_a;             /* port 0x92 as last written (A20 is read back live) */
    uint8_t reset_control;      /* 0xCF9 bit 1 (bit 2 always reads 0) */
} SysResetState;

static const StateField sysreset_fields[] = {
    STATE_FIELD(SysResetState, port_a, 1),
    STATE_FIELD(SysResetState, reset_control, 1),
    STATE_END
};

typedef struct SysReset {
    SysResetState s;            /* first: DeviceOps hands us &s */
    Machine *machine;
} SysReset;

static uint64_t port_a_read(void *opaque, uint64_t offset, unsigned size)
{
    SysReset *r = opaque;
    /* the gate may also have been moved by the keyboard controller */
    return (r->s.port_a & ~PORTA_A20) | (phys_a20() ? PORTA_A20 : 0);
}

static void port_a_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    SysReset *r = opaque;
    uint8_t old = r->s.port_a;
    r->s.port_a = (uint8_t)value;
    phys_set_a20(value & PORTA_A20);
    if ((value & PORTA_RESET) && !(old & PORTA_RESET)) machine_request_reset(r->machine);
}

static uint64_t reset_control_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((SysReset *)opaque)->s.reset_control;
}

static void reset_control_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    SysReset *r = opaque;
    r->s.reset_control = (uint8_t)value & RCR_SYS_RESET;
    /* the register only ever holds bit 2 at 0, so every write with it set is a 0 -> 1 edge */
    if (value & RCR_RESET_CPU) machine_request_reset(r->machine);
}

static const MemOps port_a_ops = { port_a_read, port_a_write };
static const MemOps reset_control_ops = { reset_control_read, reset_control_write };

static void sysreset_reset(void *state)
{
    memset(state, 0, sizeof(SysResetState));
}

static const DeviceOps sysreset_device = {
    .name = "sysreset",
    .version = 1,
    .fields = sysreset_fields,
    .reset = sysreset_reset,
};

bool sysreset_create(Machine *m)
{
    SysReset *r = calloc(1, sizeof(*r));
    if (!r) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    r->machine = m;
    if (!port_register(0x92, 1, &port_a_ops, r) || !port_register(0xcf9, 1, &reset_control_ops, r)) {
        fprintf(stderr, "ferry: reset control: port 0x92 or 0xcf9 already in use\n");
        free(r);
        return false;
    }
    machine_add_device(m, &sysreset_device, &r->s);
    return true;
}
