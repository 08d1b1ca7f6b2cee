/*
 * hw/irq.c — interrupt lines. Devices drive a line's level; the interrupt controller (the
 * 8259 pair, later the IO-APIC) samples the levels and raises CPU_INT_HARD. No controller
 * exists yet, so a raised line is recorded and visible through irq_level() but cannot
 * interrupt the CPU: machine_irq_ack() reports nothing pending.
 */
#include "hw/hw.h"

static int line_level[NB_IRQ_LINES];

void irq_set(int line, int level)
{
    if (line < 0 || line >= NB_IRQ_LINES) return;
    line_level[line] = level != 0;
}

int irq_level(int line)
{
    return (line >= 0 && line < NB_IRQ_LINES) ? line_level[line] : 0;
}
