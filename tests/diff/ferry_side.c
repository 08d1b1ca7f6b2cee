/*
 * tests/diff/ferry_side.c — ferry as the model under test: cpu/ + tcg/ as a library on a
 * flat memory model (guest RAM covering the fixed code and data addresses, flat 32-bit
 * protected mode or flat 64-bit code), exceptions returned instead of delivered.
 *
 * The code bytes go in through phys_write() on purpose: the same addresses are reused by
 * every case, so this exercises the invalidation of the previous case's translations.
 * The sequence is followed by HLT, which makes cpu_exec return EXCP_HLT (library mode with
 * no machine); natively the exit stub sits at the same address.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "diff.h"

const char diff_model_name[] = "ferry";

static CPUState cpu;
static int current_mode;

bool diff_model_init(void)
{
    if (!phys_init(DIFF_RAM_SIZE))
        return false;
    cpu_init(&cpu, NULL);
    /* FERRY_DIFF_ACCEL=jit runs the same cases through the native backend */
    const char *accel = getenv("FERRY_DIFF_ACCEL");
    return cpu_tcg_init(accel && *accel ? accel : "interp");
}

static void run_one(const DiffCase *c, DiffResult *r)
{
    if (c->mode != current_mode) {
        if (c->mode == 64)
            cpu_reset_flat64(&cpu);
        else
            cpu_reset_flat32(&cpu);
        current_mode = c->mode;
    }
    cpu.exit_on_exception = true;

    uint8_t code[DIFF_CODE_MAX + 1];
    memcpy(code, c->code, c->code_len);
    code[c->code_len] = 0xf4;        /* hlt */
    phys_write(DIFF_CODE_BASE, code, c->code_len + 1u);
    uint8_t *data = phys_ram_ptr(DIFF_DATA_BASE, DIFF_DATA_SIZE);
    diff_fill_data(c->data_seed, data);

    memcpy(cpu.regs, c->init.regs, sizeof cpu.regs);
    cpu.rip = c->init.rip;
    cpu_set_eflags(&cpu, c->init.flags, ~0u);
    cpu.halted = false;
    cpu.interrupt_request = 0;
    cpu.exit_req = 0;
    cpu.exception_index = -1;

    int ret = cpu_exec(&cpu);

    memcpy(r->st.regs, cpu.regs, sizeof r->st.regs);
    r->st.rip = cpu.rip;
    r->st.flags = cpu_get_eflags(&cpu);
    uint64_t end = DIFF_CODE_BASE + c->code_len;
    if (ret == EXCP_HLT) {
        r->st.vector = DIFF_NO_FAULT;
        if (r->st.rip == end + 1)    /* rip past the HLT: the same point as native's stub */
            r->st.rip = end;
    } else {
        /* a vector, or an unexpected exit reason kept distinct (>= 256) so it mismatches */
        r->st.vector = ret;
    }
    if (c->mode == 32) {
        for (int i = 0; i < 16; i++)
            r->st.regs[i] = i < 8 ? (uint32_t)r->st.regs[i] : 0;
        r->st.rip = (uint32_t)r->st.rip;
    }
    memcpy(r->data, data, DIFF_DATA_SIZE);
}

void diff_model_run_batch(const DiffCase *cases, DiffResult *results, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        run_one(&cases[i], &results[i]);
}
