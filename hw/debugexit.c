/*
 * hw/debugexit.c — isa-debug-exit, QEMU's test device: a write of value v to its ports ends
 * ferry with exit status (v << 1) | 1 (so a guest can never report plain success, 0, and
 * ferry's own failures stay distinguishable only by convention, as with QEMU). Reads see an
 * undriven bus.
 */
#include <stdlib.h>

#include "hw/board.h"
#include "mmu/mmu.h"

typedef struct DebugExitState {
    uint16_t iobase, iosize;    /* where the board put it; fixed after creation */
} DebugExitState;

static const StateField debugexit_fields[] = {
    STATE_FIELD(DebugExitState, iobase, 1),
    STATE_FIELD(DebugExitState, iosize, 1),
    STATE_END
};

typedef struct DebugExit {
    DebugExitState s;
    Machine *machine;
} DebugExit;

static uint64_t debugexit_read(void *opaque, uint64_t offset, unsigned size)
{
    return ~0ull;
}

static void debugexit_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    DebugExit *d = opaque;
    machine_request_exit(d->machine, (int)((value << 1) | 1));
}

static const MemOps debugexit_ops = { debugexit_read, debugexit_write };

static void debugexit_reset(void *state)
{
}

static const DeviceOps debugexit_device = {
    .name = "isa-debug-exit",
    .version = 1,
    .fields = debugexit_fields,
    .reset = debugexit_reset,
};

bool debugexit_create(Machine *m, uint16_t iobase, uint16_t iosize)
{
    DebugExit *d = calloc(1, sizeof(*d));
    if (!d) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    d->s = (DebugExitState){ iobase, iosize };
    d->machine = m;
    if (!port_register(iobase, iosize, &debugexit_ops, d)) {
        fprintf(stderr, "ferry: isa-debug-exit at 0x%x: ports already in use or out of range\n", iobase);
        free(d);
        return false;
    }
    machine_add_device(m, &debugexit_device, &d->s);
    return true;
}
