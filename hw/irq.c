/*
 * hw/irq.c — interrupt lines. Devices drive a line's level; every interrupt controller
 * (the 8259 pair, the IO-APIC) registers a sink at creation and sees every change. After
 * the controllers have looked, machine_update_intr() recomputes the CPU's interrupt input.
 */
#include "hw/board.h"

#define MAX_IRQ_SINKS 4

static int line_level[NB_IRQ_LINES];
static IrqSink sinks[MAX_IRQ_SINKS];
static int nb_sinks;

void irq_add_sink(IrqSink fn)
{
    if (nb_sinks == MAX_IRQ_SINKS) {
        fprintf(stderr, "ferry: internal error: more than %d interrupt controllers\n", MAX_IRQ_SINKS);
        return;
    }
    sinks[nb_sinks++] = fn;
}

void irq_set(int line, int level)
{
    if (line < 0 || line >= NB_IRQ_LINES) return;
    level = level != 0;
    line_level[line] = level;
    /* forwarded even when unchanged: each controller keeps its own view of the pins */
    for (int i = 0; i < nb_sinks; i++) sinks[i](line, level);
    machine_update_intr();
}

int irq_level(int line)
{
    return (line >= 0 && line < NB_IRQ_LINES) ? line_level[line] : 0;
}
