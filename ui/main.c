/*
 * ui/main.c — ferry's entry point: options, machine, translator, run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu.h"
#include "hw/hw.h"
#include "snapshot/snapshot.h"
#include "ui/ui.h"

int main(int argc, char **argv)
{
    MachineConfig cfg;
    switch (ui_parse_options(argc, argv, &cfg)) {
    case UI_EXIT_SUCCESS:
        return EXIT_SUCCESS;
    case UI_EXIT_FAILURE:
        return EXIT_FAILURE;
    case UI_RUN:
        break;
    }
    if (cfg.icount) clock_icount_enable(cfg.icount_shift);
    Machine *m = machine_create(&cfg);
    if (!m) return EXIT_FAILURE;
    if (!cpu_tcg_init(cfg.accel)) {
        fprintf(stderr, "ferry: cannot start the translator (-accel %s)\n", cfg.accel ? cfg.accel : "default");
        return EXIT_FAILURE;
    }
    if (cfg.loadvm && !snapshot_load(m, cfg.loadvm)) return EXIT_FAILURE;
    if (cfg.savevm_at && !snapshot_schedule_save(m, cfg.savevm_at_ns, cfg.savevm_at)) return EXIT_FAILURE;
    return machine_run(m);
}
