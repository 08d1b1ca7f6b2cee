/*
 * tests/fuzz/fuzz_decode.c — fuzz target for x86_decode(): arbitrary bytes in all three code
 * sizes. The decoder must never read past avail, never report a length over 15 or over
 * avail, and always leave a well-formed X86Insn (mnemonic in range, operand count <= 3).
 *
 * Built two ways: as a libFuzzer target (clang -fsanitize=fuzzer), and with
 * -DFUZZ_STANDALONE_MAIN as a plain program that feeds it seeded random inputs (CI).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/decode.h"

static void check(int cond, const char *what, const uint8_t *data, size_t size, int bits)
{
    if (cond)
        return;
    fprintf(stderr, "fuzz_decode: %s (mode %d, %zu bytes:", what, bits, size);
    for (size_t i = 0; i < size && i < 16; i++)
        fprintf(stderr, " %02x", data[i]);
    fprintf(stderr, ")\n");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int modes[3] = { 16, 32, 64 };
    /* a heap copy of exactly `size` bytes lets AddressSanitizer catch any over-read */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    for (int m = 0; m < 3; m++) {
        X86Insn insn;
        int rc = x86_decode(copy, (unsigned)size, modes[m], 0xFFFFFFFFFFFFFFF0ull, &insn);
        if (rc > 0) {
            check((size_t)rc <= size, "length beyond avail", data, size, modes[m]);
            check(rc <= 15, "length over 15", data, size, modes[m]);
            check(insn.len == rc, "len field differs from result", data, size, modes[m]);
            check(insn.mnem > MN_invalid && insn.mnem < NB_MNEMS, "mnemonic out of range", data,
                  size, modes[m]);
            check(insn.nops <= 3, "too many operands", data, size, modes[m]);
            check(x86_insn_name(&insn) != NULL, "no name", data, size, modes[m]);
        } else {
            check(rc == X86_DECODE_NEED_MORE || rc == X86_DECODE_UD ||
                  rc == X86_DECODE_TOO_LONG, "unknown result", data, size, modes[m]);
            check(insn.len <= 15 && insn.len <= size, "examined beyond limits", data, size,
                  modes[m]);
            /* NEED_MORE only when the input really ended early */
            if (rc == X86_DECODE_NEED_MORE)
                check(size < 15, "NEED_MORE with 15 bytes available", data, size, modes[m]);
        }
    }
    free(copy);
    return 0;
}

#ifdef FUZZ_STANDALONE_MAIN
int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
    uint64_t state = 0x243F6A8885A308D3ull;
    /* prefixes and escapes weighted in, so long prefix runs and all maps are reached */
    static const uint8_t interesting[] = { 0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x3E, 0x26,
        0x36, 0x64, 0x65, 0x40, 0x48, 0x4F, 0x0F, 0x38, 0x3A, 0xC4, 0xC5, 0x62, 0x8F };
    for (unsigned long i = 0; i < iterations; i++) {
        uint8_t buf[20];
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        size_t size = (size_t)(state % (sizeof(buf) + 1));
        for (size_t k = 0; k < size; k++) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            buf[k] = (state & 0x300) == 0 ? interesting[(state >> 16) % sizeof(interesting)]
                                          : (uint8_t)state;
        }
        LLVMFuzzerTestOneInput(buf, size);
    }
    printf("fuzz_decode: %lu inputs, no failures\n", iterations);
    return 0;
}
#endif
