/*
 * tests/unit/test_cpu_sys.c — system-level CPU behaviour through cpu_exec on small nasm
 * programs (tests/unit/sys/, assembled at build time): real-mode interrupts and far
 * transfers, the switch to protected mode and a ring-3 round trip through a 32-bit gate and
 * the TSS stack, a triple fault resetting the CPU, library-mode exception exits, long-mode
 * entry with a 64-bit IDT and IST, and single-step traps.
 * Usage: test_cpu_sys BIN_DIR [interp|jit]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu/cpu.h"
#include "cpu/helpers.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)
#define CHECKEQ(a, b) do { unsigned long long _a = (a), _b = (b); if (_a != _b) { \
    printf("FAIL %s:%d: %s = %#llx, want %#llx\n", __FILE__, __LINE__, #a, _a, _b); failures++; } } while (0)

static const char *bin_dir;

static void load(const char *name, uint64_t pa)
{
    char file[4096];
    snprintf(file, sizeof file, "%s/%s", bin_dir, name);
    FILE *f = fopen(file, "rb");
    if (!f) { perror(file); exit(2); }
    uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    phys_write(pa, buf, n);
}

static CPUState cpu;

static void real_start(CPUState *env, uint64_t rip)
{
    cpu_reset(env);
    cpu_load_seg_real(env, R_CS, 0);
    env->rip = rip;
}

static void test_real(CPUState *env)
{
    load("real.bin", 0x1000);
    real_start(env, 0x1000);
    int r = cpu_exec(env);
    CHECKEQ(r, EXCP_HLT);
    CHECKEQ(env->regs[R_EBX] & 0xffff, 0x8155);
    CHECKEQ(env->regs[R_ECX] & 0xffff, 0x1234);
    CHECKEQ(env->regs[R_ESI] & 0xffff, 5);
    CHECKEQ(env->regs[R_EBP] & 0xffff, 0x4242);
    CHECKEQ(env->regs[R_ESP] & 0xffff, 0x100);
    CHECKEQ(env->seg[R_SS].base, 0x20000);
    CHECK(env->halted);
}

static void test_prot(CPUState *env)
{
    load("prot.bin", 0x1000);
    uint32_t tss = 0x1300;                 /* prot.asm pads to it */
    uint32_t esp0 = 0x8000, ss0 = 0x10;
    memcpy(phys_ram_ptr(tss + 4, 4), &esp0, 4);
    memcpy(phys_ram_ptr(tss + 8, 4), &ss0, 4);
    real_start(env, 0x1000);
    env->tr = (SegmentCache){ .selector = 0x28, .base = tss, .limit = 0x67,
                              .flags = DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    int r = cpu_exec(env);
    CHECKEQ(r, EXCP_HLT);
    CHECKEQ(env->regs[R_EBX], 0x40);
    CHECKEQ(env->regs[R_ECX], 0x1b);
    CHECKEQ(env->regs[R_EDX], 0x23);
    CHECKEQ(env->regs[R_ESI], 0x7000);
    CHECKEQ(env->regs[R_EDI], 0);               /* #GP(0) from CLI at CPL 3 */
    CHECKEQ(env->regs[R_EBP], 0x1041);          /* pushed eip = the CLI */
    CHECKEQ(env->hflags & HF_CPL_MASK, 0);
    CHECKEQ(env->seg[R_CS].selector, 0x08);
    CHECKEQ(env->seg[R_SS].selector, 0x10);
    CHECKEQ(env->regs[R_ESP], 0x8000 - 20);     /* 6-dword frame, error code popped */
    CHECKEQ(env->seg[R_DS].selector, 0);        /* nulled on the way to ring 3 */
    CHECK(env->hflags & HF_CS32);
    CHECK(env->hflags & HF_PE);
}

static void test_triple(CPUState *env)
{
    static uint8_t rom[0x10000];
    memset(rom, 0xf4, sizeof rom);      /* hlt everywhere */
    phys_map_rom(0xffff0000, rom, sizeof rom);
    load("flat.bin", 0x3000);
    cpu_reset_flat32(env);
    env->rip = 0x3000;
    env->regs[R_ESP] = 0x9000;
    int r = cpu_exec(env);
    CHECKEQ(r, EXCP_HLT);
    CHECKEQ(env->seg[R_CS].base, 0xffff0000);
    CHECKEQ(env->rip, 0xfff1);
    CHECK(!(env->hflags & HF_PE));
}

static void test_lib(CPUState *env)
{
    load("lib.bin", 0x4000);
    cpu_reset_flat32(env);
    env->rip = 0x4000;
    env->exit_on_exception = true;
    int r = cpu_exec(env);
    CHECKEQ(r, EXCP_GP);
    CHECKEQ(env->rip, 0x4000 + 0x1f);       /* the faulting rdmsr */
    CHECKEQ(env->regs[R_ESI], 0x1234);
    CHECKEQ(env->regs[R_EDI], 0x72726546);   /* "Ferr" */
    env->rip += 2;
    r = cpu_exec(env);
    CHECKEQ(r, EXCP_UD);
    env->exit_on_exception = false;
    uint32_t out[4];
    cpu_cpuid(env, 0x80000002, 0, out);
    CHECK(memcmp(out, "ferry x86 emulator", 16) == 0);
    cpu_cpuid(env, 1, 0, out);
    CHECKEQ(out[3] & 1, 1);     /* FPU: the x87 exists */
}

static void test_tf(CPUState *env)
{
    load("tf.bin", 0x1000);
    real_start(env, 0x1000);
    int r = cpu_exec(env);
    CHECKEQ(r, EXCP_HLT);
    CHECKEQ(env->regs[R_EBX] & 0xffff, 8);
}

static void test_long(CPUState *env, uint32_t tss)
{
    /* identity map of the first GiB with 2 MiB pages: pml4 0x100000, pdpt 0x101000, pd 0x102000 */
    uint64_t e = 0x101003;
    phys_write(0x100000, &e, 8);
    e = 0x102003;
    phys_write(0x101000, &e, 8);
    for (uint64_t i = 0; i < 512; i++) {
        e = (i << 21) | 0x83;
        phys_write(0x102000 + i * 8, &e, 8);
    }
    load("long.bin", 0x5000);
    uint64_t ist1 = 0xa008;
    phys_write(tss + 0x24, &ist1, 8);
    cpu_reset_flat32(env);
    env->efer = 0;
    env->cr[4] = 0;
    cpu_update_hflags(env);
    env->rip = 0x5000;
    env->regs[R_ESP] = 0x9000;
    env->tr = (SegmentCache){ .selector = 0x28, .base = tss, .limit = 0x67,
                              .flags = DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    int r = cpu_exec(env);
    CHECKEQ(r, EXCP_HLT);
    CHECK(env->hflags & HF_CS64);
    CHECK(env->hflags & HF_LMA);
    CHECK(env->efer & EFER_LMA);
    CHECKEQ(env->regs[R_EAX], 0x123456789ull);
    CHECKEQ(env->regs[R_R8], 0x9000 - 40);      /* aligned down, 5-qword frame */
    CHECKEQ(env->regs[R_R10], 0x9008);
    CHECKEQ(env->regs[R_R9], 0x9008);           /* iretq restored rsp */
    CHECKEQ(env->regs[R_R11], 0xa000 - 40);     /* IST1 stack, aligned */
    CHECKEQ(env->regs[R_ESP], 0x9008);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s BIN_DIR [interp|jit]\n", argv[0]);
        return 2;
    }
    bin_dir = argv[1];
    if (!phys_init(64 << 20) || !cpu_tcg_init(argc > 2 ? argv[2] : "interp")) return 2;
    cpu_init(&cpu, NULL);
    test_real(&cpu);
    test_prot(&cpu);
    test_triple(&cpu);
    test_lib(&cpu);
    test_long(&cpu, 0x5400);                    /* long.asm pads its TSS to there */
    test_tf(&cpu);
    printf("%s (%d failures)\n", failures ? "FAILED" : "ok", failures);
    return failures != 0;
}
