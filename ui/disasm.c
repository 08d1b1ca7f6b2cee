/*
 * ui/disasm.c — Capstone behind one call: disassemble one x86 instruction in 16-, 32- or
 * 64-bit mode (guest code for the monitor and -d in_asm, host code for -d out_asm). Handles
 * are opened on first use and kept: the monitor and the trace log call this per line.
 */
#include <capstone/capstone.h>
#include <stdio.h>

#include "ui/ui.h"

static csh handles[3];
static bool opened[3], failed[3];

static int mode_slot(int bits) { return bits == 16 ? 0 : bits == 32 ? 1 : 2; }

static bool handle_for(int bits, csh *h)
{
    static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
    int slot = mode_slot(bits);
    if (!opened[slot] && !failed[slot]) {
        failed[slot] = cs_open(CS_ARCH_X86, modes[slot], &handles[slot]) != CS_ERR_OK;
        opened[slot] = !failed[slot];
    }
    *h = handles[slot];
    return opened[slot];
}

size_t disasm_one(const uint8_t *code, size_t len, uint64_t addr, int bits, bool host,
                  char *text, size_t text_size)
{
    csh h;
    if (!handle_for(host ? 64 : bits, &h)) {
        snprintf(text, text_size, "(capstone unavailable)");
        return 0;
    }
    cs_insn *insn;
    size_t count = cs_disasm(h, code, len, addr, 1, &insn);
    if (count == 0) {
        snprintf(text, text_size, "(bad)");
        return 0;
    }
    snprintf(text, text_size, "%s%s%s", insn->mnemonic, insn->op_str[0] ? " " : "", insn->op_str);
    size_t size = insn->size;
    cs_free(insn, count);
    return size;
}
