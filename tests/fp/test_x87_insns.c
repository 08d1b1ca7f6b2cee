/*
 * tests/fp/test_x87_insns.c — random x87 instructions (every escape D8-DF, register forms and
 * [rsi] memory forms) run natively and through ferry from the same state: control word
 * (random rounding and precision, exceptions masked), status word, tags, the eight
 * registers (hard cases: NaNs, infinities, denormals, unsupported encodings, empty slots),
 * a 16-byte memory operand, AX and the flags. The native state is set and read with
 * FXRSTOR/FXSAVE. Control, status, abridged tag, registers, memory, AX and CF/PF/ZF must
 * agree, except that a transcendental's result may be one ulp away (and C1 differ), which is
 * counted and reported. Encodings ferry does not implement (#UD) are counted, not compared;
 * the environment instructions (FLDENV FNSTENV FRSTOR FNSAVE) are skipped because they
 * expose the instruction pointers ferry does not track.
 *
 * usage: test_x87_insns [interp|jit] [iterations]
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/xlat.h"

typedef struct FxImage {
    uint16_t fcw, fsw;
    uint8_t ftw, rsvd1;
    uint16_t fop;
    uint64_t fip, fdp;
    uint32_t mxcsr, mxcsr_mask;
    struct { uint64_t mant; uint16_t se; uint16_t pad[3]; } st[8];
    uint8_t rest[512 - 160];
} FxImage;

static uint64_t rng = 0x123456789abcdefull;
static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static void rnd_x80(uint64_t *mant, uint16_t *se)
{
    uint64_t m = rnd() | (1ull << 63);
    uint16_t sign = (uint16_t)((rnd() & 1) << 15);
    switch (rnd() % 10) {
    case 0: *mant = 0; *se = sign; return;
    case 1: *mant = m >> (1 + rnd() % 63); *se = sign; return;
    case 2: *mant = 1ull << 63; *se = sign | 0x7fff; return;
    case 3: *mant = m; *se = sign | 0x7fff; return;                   /* NaNs */
    case 4: *mant = m >> 1; *se = (uint16_t)(sign | (1 + rnd() % 0x7ffe)); return; /* unnormal */
    case 5: *mant = m & (~0ull << (rnd() % 64)); *se = (uint16_t)(sign | (16383 + rnd() % 64)); return;
    default: *mant = m; *se = (uint16_t)(sign | (16383 - 40 + rnd() % 80)); return;
    }
}

static CPUState cpu;

static int run_translated(CPUState *env)
{
    env->exit_on_exception = true;
    cpu_running_code = true;
    if (setjmp(env->jmp_env) == 0)
        tcg_exec(env);
    cpu_running_code = false;
    return env->exception_index;
}

#define GUEST_CODE 0x1000
#define GUEST_DATA 0x2000

/* memory forms skipped: FLDENV FNSTENV (D9 /4 /6), FRSTOR FNSAVE (DD /4 /6) */
/* The transcendentals (F2XM1 FYL2X FPTAN FPATAN FYL2XP1 FSINCOS FSIN FCOS) may differ from
 * the host by one ulp, and then in C1 (tests/fp/test_fptrans.c measures how often) */
static bool is_transcendental(uint8_t esc, uint8_t modrm)
{
    return esc == 0xd9 && (modrm == 0xf0 || modrm == 0xf1 || modrm == 0xf2 || modrm == 0xf3 ||
                           modrm == 0xf9 || modrm == 0xfb || modrm == 0xfe || modrm == 0xff);
}

/* equal, or adjacent values of one sign (encodings ordered with the integer bit dropped) */
static bool within_one_ulp(uint64_t m1, uint16_t e1, uint64_t m2, uint16_t e2)
{
    if ((e1 ^ e2) & 0x8000)
        return false;
    unsigned __int128 k1 = ((unsigned __int128)(e1 & 0x7fff) << 63) + (m1 & ~(1ull << 63));
    unsigned __int128 k2 = ((unsigned __int128)(e2 & 0x7fff) << 63) + (m2 & ~(1ull << 63));
    return k1 - k2 <= 1 || k2 - k1 <= 1;
}

static bool skipped(uint8_t esc, uint8_t modrm)
{
    unsigned reg = (modrm >> 3) & 7;
    return (modrm >> 6) != 3 && (esc == 0xd9 || esc == 0xdd) && (reg == 4 || reg == 6);
}

int main(int argc, char **argv)
{
    int iterations = argc > 2 ? atoi(argv[2]) : 20000;
    uint8_t *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static _Alignas(16) FxImage in, out;
    static _Alignas(16) uint8_t native_data[16];
    if (native == MAP_FAILED || !phys_init(1 << 20))
        return 77;
    cpu_init(&cpu, NULL);
    if (!cpu_tcg_init(argc > 1 ? argv[1] : "interp"))
        return 1;
    int failures = 0;
    long compared = 0, unimplemented = 0, one_ulp = 0;
    for (int iter = 0; iter < iterations; iter++) {
        uint8_t code[4];
        code[0] = (uint8_t)(0xd8 + rnd() % 8);
        code[1] = rnd() % 2 ? (uint8_t)(0xc0 | rnd()) : (uint8_t)((rnd() & 0x38) | 6);
        X86Insn insn;
        if (x86_decode(code, 2, 64, GUEST_CODE, &insn) != 2 || insn.mnem != MN_x87 ||
            skipped(code[0], code[1]))
            continue;

        memset(&in, 0, sizeof(in));
        in.fcw = (uint16_t)(0x7f | (rnd() % 2 ? 0x300 : (rnd() & 0x300)) | (rnd() & 0xc00));
        if (((in.fcw >> 8) & 3) == 1)
            in.fcw |= 0x300;
        in.fsw = (uint16_t)((rnd() & 0x4700) | (rnd() % 8) << 11);
        in.ftw = (uint8_t)(rnd() | rnd());
        in.mxcsr = 0x1f80;
        for (int i = 0; i < 8; i++)
            rnd_x80(&in.st[i].mant, &in.st[i].se);
        uint8_t data[16];
        for (int b = 0; b < 16; b += 8) {
            uint64_t v = rnd() % 2 ? rnd() : (rnd() % 3 ? 0x3ff0000000000000ull ^ (rnd() & 0x800fffffff000000ull) : rnd() % 100);
            memcpy(data + b, &v, 8);
        }
        uint64_t flags = (rnd() & CC_MASK) | 0x202, rax = rnd();

        /* ferry */
        cpu_reset_flat64(&cpu);
        cpu.cr[4] |= CR4_OSFXSR;
        cpu.cr[0] |= CR0_NE;
        cpu_update_hflags(&cpu);
        unsigned top = (in.fsw >> 11) & 7;
        cpu.fpuc = in.fcw;
        cpu.fpus = in.fsw;
        cpu.fptag = 0;
        for (int i = 0; i < 8; i++) {
            if (!((in.ftw >> i) & 1))
                cpu.fptag |= (uint16_t)(3u << (2 * i));
            cpu.fpregs[(top + i) & 7].mant = in.st[i].mant;
            cpu.fpregs[(top + i) & 7].exp = in.st[i].se;
        }
        cpu.regs[R_EAX] = rax;
        cpu.regs[R_ESI] = GUEST_DATA;
        cpu_set_eflags(&cpu, (uint32_t)flags, CC_MASK);
        uint8_t buf[4] = { code[0], code[1], 0x0f, 0x0b };
        tb_flush();
        phys_write(GUEST_CODE, buf, 4);
        phys_write(GUEST_DATA, data, 16);
        cpu.rip = GUEST_CODE;
        int vec = run_translated(&cpu);
        if (vec == EXCP_UD && cpu.rip == GUEST_CODE) {
            unimplemented++;
            continue;
        }

        /* native */
        memcpy(native, code, 2);
        native[2] = 0xc3;
        memcpy(native_data, data, 16);
        uint64_t nflags = flags, nrax = rax;
        __asm__ volatile("sub $128, %%rsp\n\tfxrstor (%[in])\n\tpush %[fl]\n\tpopfq\n\t"
                         "call *%[code]\n\tfxsave (%[out])\n\tpushfq\n\tpop %[fl]\n\t"
                         "fninit\n\tadd $128, %%rsp"
                         : [fl] "+r"(nflags), "+a"(nrax)
                         : [in] "r"(&in), [out] "r"(&out), [code] "r"(native),
                           "S"(native_data)
                         : "memory", "cc");
        compared++;

        uint8_t ours_data[16];
        phys_read(GUEST_DATA, ours_data, 16);
        unsigned otop = (cpu.fpus >> 11) & 7;
        uint8_t oftw = 0;
        bool bad = vec != EXCP_UD || cpu.rip != GUEST_CODE + 2;
        bool inexact_ok = is_transcendental(code[0], code[1]), near = false;
        for (int i = 0; i < 8; i++) {
            if (((cpu.fptag >> (2 * i)) & 3) != 3)
                oftw |= (uint8_t)(1u << i);
            const X87Reg *r = &cpu.fpregs[(otop + i) & 7];
            if (r->mant == out.st[i].mant && r->exp == out.st[i].se)
                continue;
            if (inexact_ok && within_one_ulp(r->mant, r->exp, out.st[i].mant, out.st[i].se))
                near = true;
            else
                bad = true;
        }
        uint16_t sw_mask = inexact_ok ? (uint16_t)~0x200 : 0xffff;    /* C1 */
        if (inexact_ok && (cpu.fpus ^ out.fsw) & 0x200)
            near = true;
        one_ulp += near && !bad;
        if (cpu.fpuc != out.fcw || ((cpu.fpus ^ out.fsw) & sw_mask) || oftw != out.ftw ||
            memcmp(ours_data, native_data, 16) || cpu.regs[R_EAX] != nrax ||
            ((cpu_get_eflags(&cpu) ^ nflags) & (CC_C | CC_P | CC_Z)))
            bad = true;
        if (bad && failures++ < 25) {
            printf("FAIL %02x %02x: vec %d cw %04x sw in %04x host %04x ours %04x tag in %02x "
                   "host %02x ours %02x flags host %03llx ours %03x\n", code[0], code[1], vec,
                   in.fcw, in.fsw, out.fsw, cpu.fpus, in.ftw, out.ftw, oftw,
                   (unsigned long long)nflags & CC_MASK, cpu_get_eflags(&cpu) & CC_MASK);
            for (int i = 0; i < 8; i++) {
                const X87Reg *r = &cpu.fpregs[(otop + i) & 7];
                if (r->mant != out.st[i].mant || r->exp != out.st[i].se || i < 2)
                    printf("  st%d in %04x:%016llx host %04x:%016llx ours %04x:%016llx\n", i,
                           in.st[i].se, (unsigned long long)in.st[i].mant, out.st[i].se,
                           (unsigned long long)out.st[i].mant, r->exp,
                           (unsigned long long)r->mant);
            }
            if (memcmp(ours_data, native_data, 16))
                printf("  memory differs\n");
            if (cpu.fpuc != out.fcw)
                printf("  control word host %04x ours %04x\n", out.fcw, cpu.fpuc);
            if (cpu.regs[R_EAX] != nrax)
                printf("  rax differs\n");
        }
    }
    printf("x87 instructions vs host: %ld compared, %ld unimplemented (#UD), %ld transcendental "
           "results one ulp or C1 apart, %d failures\n", compared, unimplemented, one_ulp,
           failures);
    return failures != 0;
}
