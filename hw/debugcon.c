/*
 * hw/debugcon.c — the Bochs/QEMU debug console: bytes written to port 0xe9 go to the
 * -debugcon sink. SeaBIOS logs to port 0x402, which lands in the same sink. Reading either
 * port returns 0xe9, the value firmware probes for to detect the console.
 */
#include <stdlib.h>

#include "hw/board.h"
#include "mmu/mmu.h"

#define DEBUGCON_PORT 0xe9
#define SEABIOS_LOG_PORT 0x402
#define DEBUGCON_READBACK 0xe9

typedef struct DebugconState {
    uint8_t readback;
} DebugconState;

static const StateField debugcon_fields[] = {
    STATE_FIELD(DebugconState, readback, 1),
    STATE_END
};

typedef struct Debugcon {
    DebugconState s;
    FILE *out;
} Debugcon;

static uint64_t debugcon_read(void *opaque, uint64_t offset, unsigned size)
{
    const Debugcon *d = opaque;
    return d->s.readback;
}

static void debugcon_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Debugcon *d = opaque;
    fputc((int)(value & 0xff), d->out);
}

static const MemOps debugcon_ops = { debugcon_read, debugcon_write };

static void debugcon_reset(void *state)
{
    DebugconState *s = state;
    s->readback = DEBUGCON_READBACK;
}

static void debugcon_tick(void *state, uint64_t now_ns)
{
    Debugcon *d = state;    /* state is the first member */
    fflush(d->out);
}

static const DeviceOps debugcon_device = {
    .name = "isa-debugcon",
    .version = 1,
    .fields = debugcon_fields,
    .reset = debugcon_reset,
    .tick = debugcon_tick,
};

bool debugcon_create(Machine *m, const CharSink *sink)
{
    Debugcon *d = calloc(1, sizeof(*d));
    if (!d) {
        fprintf(stderr, "ferry: out of memory\n");
        return false;
    }
    d->out = charsink_open(sink);
    if (!d->out) {
        free(d);
        return false;
    }
    if (!port_register(DEBUGCON_PORT, 1, &debugcon_ops, d) ||
        !port_register(SEABIOS_LOG_PORT, 1, &debugcon_ops, d)) {
        /* d may already be wired to the first port: keep it (machine creation fails anyway) */
        fprintf(stderr, "ferry: debugcon ports 0x%x/0x%x already in use\n", DEBUGCON_PORT, SEABIOS_LOG_PORT);
        return false;
    }
    machine_add_device(m, &debugcon_device, &d->s);
    return true;
}
