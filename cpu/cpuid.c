/*
 * cpu/cpuid.c — the CPUID model: one table of leaves that advertises exactly what ferry
 * implements, so a guest never takes a path we cannot run. A feature bit goes in when its
 * instructions (and control bits) work, not before.
 *
 * Choices:
 *  - vendor "FerryX86Emu!": honest; Linux and the firmware treat an unknown vendor with
 *    their generic paths instead of applying Intel/AMD model quirks to us.
 *  - FPU (cpu/helpers_x87.c: the x87 on softfloat's 80-bit core, the transcendentals,
 *    FPREM, FSCALE, FXTRACT and BCD in cpu/fptrans.c), FXSR, SSE and SSE2
 *    (cpu/helpers_sse.c); XSAVE for the x87 and SSE components with XSAVEOPT, XSAVEC and
 *    XGETBV ECX = 1 (cpu/helpers_xsave.c), OSXSAVE mirroring CR4.
 *  - APIC (hw/lapic.c, xAPIC only: x2APIC is not offered) with the TSC-deadline timer; an
 *    invariant TSC (it is the host's) whose frequency leaves 0x15/0x16 give: 0x15 names a
 *    1 GHz crystal (the local APIC timer's clock) and the ratio TSC kHz / 1,000,000.
 *  - PSE PAE NX: mmu/walk.c walks those formats; PGE: CR4.PGE is accepted and global
 *    entries are flushed with the rest on CR3 writes (a TLB may drop any entry at any time).
 *  - SEP (SYSENTER/SYSEXIT) and SYSCALL (SYSCALL/SYSRET, 64-bit code) are in cpu/seg.c.
 *  - SMEP, SMAP (with STAC/CLAC): mmu/walk.c checks them, EFLAGS.AC selects a TLB plane.
 *  - DE (CR4.DE: DR4/DR5 #UD, I/O breakpoints), UMIP, FSGSBASE, RDPID, RDTSCP (cpu/seg.c,
 *    xlat_sys.c); PCID and INVPCID: the TLB holds one PCID's translations and drops the
 *    non-global ones on every PCID change, which is exact (cpu/helpers_ctrl.c); 1 GiB pages
 *    and PAT (the MSR and the page-table bits; memory types do not change what an emulator
 *    does).
 *  - not advertised: LA57 — five-level paging works (mmu/walk.c, CR4.LA57 is accepted,
 *    tests/system/la57.asm), but Debian's kernel in 5-level mode failed its IO-APIC timer
 *    check (too few timer ticks during its delay). 4-level boots failed it too on a loaded
 *    host until late periodic timers owed their missed periods (TIMER_MAX_OWED, hw/hw.h).
 *    With that, a 5-level boot gets past the check and prints BOOT-OK, then /init dies of
 *    SIGSEGV: a 5-level bug in ferry still to be found before the bit goes in. VME (V86 interrupt redirection is not
 *    implemented), MTRR, MCE/MCA, x2APIC, RDRAND/RDSEED.
 *  - leaves above the maximum read as zeros (AMD's behaviour, simpler than Intel's echo of
 *    the highest basic leaf).
 */
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "hw/hw.h"

enum { R_A, R_B, R_C, R_D };

/* family 6, model 1, stepping 1 */
#define CPUID_FAMILY   6u
#define CPUID_MODEL    1u
#define CPUID_STEPPING 1u
#define CPUID_SIGNATURE ((CPUID_FAMILY << 8) | (CPUID_MODEL << 4) | CPUID_STEPPING)

/* leaf 1 */
#define F1_EDX_FPU    (1u << 0)
#define F1_EDX_PSE    (1u << 3)
#define F1_EDX_TSC    (1u << 4)
#define F1_EDX_MSR    (1u << 5)
#define F1_EDX_PAE    (1u << 6)
#define F1_EDX_CX8    (1u << 8)
#define F1_EDX_APIC   (1u << 9)
#define F1_EDX_SEP    (1u << 11)
#define F1_EDX_PGE    (1u << 13)   /* global entries may be flushed with the rest: allowed */
#define F1_EDX_CMOV   (1u << 15)
#define F1_EDX_FXSR   (1u << 24)
#define F1_EDX_SSE    (1u << 25)
#define F1_EDX_SSE2   (1u << 26)
#define F1_ECX_CX16   (1u << 13)
#define F1_EDX_MMX    (1u << 23)   /* MMX, and the SIMD extensions (cpu/helpers_mmx.c, */
#define F1_ECX_SSE3   (1u << 0)    /* helpers_sse4.c, helpers_sse42.c; SSE3's FISTTP is */
#define F1_ECX_PCLMULQDQ (1u << 1) /* in helpers_x87.c) */
#define F1_ECX_SSSE3  (1u << 9)
#define F1_ECX_SSE41  (1u << 19)
#define F1_ECX_SSE42  (1u << 20)
#define F1_ECX_POPCNT (1u << 23)
#define F1_ECX_TSC_DEADLINE (1u << 24)
#define F1_ECX_XSAVE   (1u << 26)   /* cpu/helpers_xsave.c: x87 and SSE components */
#define F1_ECX_OSXSAVE (1u << 27)   /* mirrors CR4.OSXSAVE */
/* leaf 0x80000007 */
#define FX7_EDX_INVARIANT_TSC (1u << 8)
/* leaf 0x80000001 */
/* leaf 7 subleaf 0 */
#define F7_EBX_SMEP   (1u << 7)
#define F7_EBX_SMAP   (1u << 20)
#define F7_EBX_FSGSBASE (1u << 0)
#define F7_EBX_INVPCID  (1u << 10)
#define F7_ECX_UMIP     (1u << 2)
#define F7_ECX_RDPID    (1u << 22)
#define F1_EDX_DE       (1u << 2)
#define F1_EDX_PAT      (1u << 16)
#define F1_ECX_PCID     (1u << 17)
#define FX_EDX_PAGE1GB  (1u << 26)
#define FX_EDX_RDTSCP   (1u << 27)
#define FX_ECX_LAHF_LM (1u << 0)
#define FX_ECX_ABM     (1u << 5)    /* LZCNT */
#define FX_EDX_SYSCALL (1u << 11)
#define FX_EDX_NX      (1u << 20)
#define FX_EDX_LM      (1u << 29)

#define PHYS_ADDR_BITS 40u
#define LINEAR_ADDR_BITS 48u

static const char cpuid_vendor[12] = { 'F', 'e', 'r', 'r', 'y', 'X', '8', '6', 'E', 'm', 'u', '!' };
static const char cpuid_brand[] = "ferry x86 emulator";

#define MAX_BASIC_LEAF 0x16u
#define MAX_EXT_LEAF 0x80000008u

typedef struct CpuidLeaf {
    uint32_t leaf;
    uint32_t regs[4];   /* EAX EBX ECX EDX; the vendor/brand leaves are filled from strings */
} CpuidLeaf;

static const CpuidLeaf cpuid_leaves[] = {
    { 0x00000000, { MAX_BASIC_LEAF, 0, 0, 0 } },
    { 0x00000001, { CPUID_SIGNATURE, 0,
                    F1_ECX_CX16 | F1_ECX_PCID | F1_ECX_POPCNT | F1_ECX_TSC_DEADLINE |
                    F1_ECX_PCLMULQDQ |
                    F1_ECX_XSAVE |
                    F1_ECX_SSE3 | F1_ECX_SSSE3 | F1_ECX_SSE41 | F1_ECX_SSE42,
                    F1_EDX_FPU | F1_EDX_PSE | F1_EDX_TSC | F1_EDX_MSR | F1_EDX_PAE | F1_EDX_CX8 |
                    F1_EDX_APIC | F1_EDX_SEP | F1_EDX_PGE | F1_EDX_CMOV | F1_EDX_DE | F1_EDX_PAT |
                    F1_EDX_FXSR | F1_EDX_SSE | F1_EDX_SSE2 | F1_EDX_MMX } },
    { 0x00000007, { 0, F7_EBX_FSGSBASE | F7_EBX_SMEP | F7_EBX_INVPCID | F7_EBX_SMAP,
                    F7_ECX_UMIP | F7_ECX_RDPID, 0 } },    /* subleaf 0 */
    { 0x80000000, { MAX_EXT_LEAF, 0, 0, 0 } },
    { 0x80000001, { 0, 0, FX_ECX_LAHF_LM | FX_ECX_ABM, FX_EDX_SYSCALL | FX_EDX_NX | FX_EDX_LM |
                                                            FX_EDX_PAGE1GB | FX_EDX_RDTSCP } },
    { 0x80000007, { 0, 0, 0, FX7_EDX_INVARIANT_TSC } },
    { 0x80000008, { (LINEAR_ADDR_BITS << 8) | PHYS_ADDR_BITS, 0, 0, 0 } },
};

uint32_t cpuid_signature(void)
{
    return CPUID_SIGNATURE;
}

static uint32_t le32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

void cpu_cpuid(CPUState *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    out[0] = out[1] = out[2] = out[3] = 0;
    if (leaf == 7 && subleaf != 0) {
        return;
    }
    for (size_t i = 0; i < sizeof(cpuid_leaves) / sizeof(cpuid_leaves[0]); i++) {
        if (cpuid_leaves[i].leaf == leaf) {
            memcpy(out, cpuid_leaves[i].regs, sizeof(cpuid_leaves[i].regs));
            break;
        }
    }
    if (leaf == 0) {
        /* the vendor string reads EBX, EDX, ECX */
        out[R_B] = le32(cpuid_vendor);
        out[R_D] = le32(cpuid_vendor + 4);
        out[R_C] = le32(cpuid_vendor + 8);
    } else if (leaf == 1 && (env->cr[4] & CR4_OSXSAVE)) {
        out[R_C] |= F1_ECX_OSXSAVE;
    } else if (leaf == 0xd && subleaf <= 1) {
        /* XSAVE: components x87 and SSE, 576 bytes (legacy region + header) in both
         * layouts; subleaf 1: XSAVEOPT, XSAVEC, XGETBV with ECX = 1 (no XSAVES) */
        out[R_A] = subleaf == 0 ? 3 : 7;
        out[R_B] = 576;
        out[R_C] = subleaf == 0 ? 576 : 0;
    } else if (leaf == 0x15) {
        /* TSC Hz = crystal (ECX) * EBX / EAX, exact to the kHz */
        out[R_A] = 1000000;
        out[R_B] = (uint32_t)((clock_tsc_hz() + 500) / 1000);
        out[R_C] = 1000000000;
    } else if (leaf == 0x16) {
        /* base and maximum MHz (the TSC's), bus (the APIC timer clock) MHz */
        out[R_A] = out[R_B] = (uint32_t)((clock_tsc_hz() + 500000) / 1000000);
        out[R_C] = 1000;
    } else if (leaf >= 0x80000002u && leaf <= 0x80000004u) {
        /* 48 bytes of brand string, NUL padded, 16 per leaf in EAX EBX ECX EDX */
        char brand[48] = { 0 };
        memcpy(brand, cpuid_brand, sizeof(cpuid_brand));
        const char *part = brand + (leaf - 0x80000002u) * 16;
        for (int r = 0; r < 4; r++) {
            out[r] = le32(part + r * 4);
        }
    }
}
