/*
 * tests/diff/native_model.c — the host as the "model": every case runs natively twice (in
 * two child processes) and must agree with itself. This checks the harness — stubs,
 * fault capture, generator determinism and the taint bookkeeping — with no emulator.
 */
#include "diff.h"

const char diff_model_name[] = "native-again";

/* the host always runs with paging on: --paging changes nothing here */
bool diff_model_init(bool paging) { return true; }

void diff_model_run_batch(const DiffCase *cases, DiffResult *results, unsigned n)
{
    diff_native_run_batch(cases, results, n);
}
