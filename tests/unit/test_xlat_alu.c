/*
 * tests/unit/test_xlat_alu.c — translated ALU code against the host CPU. Each snippet of
 * register-only instructions runs natively (x86-64 host) and through ferry's translator and
 * interpreter in flat 64-bit mode from the same random registers and flags; registers and
 * the flags the snippet defines must agree. The translated run ends at a trailing UD2.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/xlat.h"

typedef struct NativeState {
    uint64_t regs[16];
    uint64_t flags;
} NativeState;

void native_run(NativeState *st, const void *code);
/* load every register but rsp from st, call code, store them back with the flags */
__asm__(
    ".text\n.globl native_run\nnative_run:\n"
    "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "push %rdi\npush %rsi\n"
    "pushq 128(%rdi)\npopfq\n"
    "mov 0(%rdi),%rax\nmov 8(%rdi),%rcx\nmov 16(%rdi),%rdx\nmov 24(%rdi),%rbx\n"
    "mov 40(%rdi),%rbp\nmov 48(%rdi),%rsi\nmov 64(%rdi),%r8\nmov 72(%rdi),%r9\n"
    "mov 80(%rdi),%r10\nmov 88(%rdi),%r11\nmov 96(%rdi),%r12\nmov 104(%rdi),%r13\n"
    "mov 112(%rdi),%r14\nmov 120(%rdi),%r15\nmov 56(%rdi),%rdi\n"
    "call *(%rsp)\n"
    "xchg %rdi,8(%rsp)\n"
    "mov %rax,0(%rdi)\nmov %rcx,8(%rdi)\nmov %rdx,16(%rdi)\nmov %rbx,24(%rdi)\n"
    "mov %rbp,40(%rdi)\nmov %rsi,48(%rdi)\nmov %r8,64(%rdi)\nmov %r9,72(%rdi)\n"
    "mov %r10,80(%rdi)\nmov %r11,88(%rdi)\nmov %r12,96(%rdi)\nmov %r13,104(%rdi)\n"
    "mov %r14,112(%rdi)\nmov %r15,120(%rdi)\n"
    "pushfq\npopq 128(%rdi)\n"
    "pop %rax\npop %rax\nmov %rax,56(%rdi)\n"
    "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

typedef struct Snippet {
    const char *name;
    const char *bytes;      /* hex */
    uint32_t flag_mask;     /* flags the snippet defines at its end */
} Snippet;

#define ALL CC_MASK
static const Snippet snippets[] = {
    { "add eax,ebx; adc ecx,edx; sbb rsi,rdi", "01d811d14819fe", ALL },
    { "sub al,bl; das-free: cmp dx,si", "28d86639f2", ALL },
    { "xor r8,r9; and r10b,r11b", "4d31c84520da", ALL & ~CC_A },
    { "inc ax; dec r12d", "66ff c041ffcc", ALL },
    { "neg rbx; not ecx", "48f7dbf7d1", ALL },
    { "shl eax,cl", "d3e0", CC_C | CC_Z | CC_S | CC_P },
    { "shr dx,cl", "66d3ea", CC_C | CC_Z | CC_S | CC_P },
    { "sar bl,cl", "d2fb", CC_C | CC_Z | CC_S | CC_P },
    { "shl rax,1; shr ebx,1; sar cx,1", "48d1e0", ALL & ~CC_A },
    { "shr ebx,1", "d1eb", ALL & ~CC_A },
    { "sar cx,1", "66d1f9", ALL & ~CC_A },
    { "rol eax,cl", "d3c0", CC_C },
    { "ror r9w,cl", "6641d3c9", CC_C },
    { "rol dl,1", "d0c2", CC_C | CC_O },
    { "ror rsi,1", "48d1ce", CC_C | CC_O },
    { "rcl bl,cl", "d2d3", CC_C },
    { "rcr eax,cl", "d3d8", CC_C },
    { "rcl rdx,1", "48d1d2", CC_C | CC_O },
    { "rcr si,1", "66d1de", CC_C | CC_O },
    { "shld eax,ebx,5", "0fa4d805", CC_C | CC_Z | CC_S | CC_P },
    { "shrd rdx,rsi,cl", "480fadf2", CC_C | CC_Z | CC_S | CC_P },
    { "shld cx,dx,1", "660fa4d101", ALL & ~CC_A },
    { "imul ecx,edx", "0fafca", CC_C | CC_O },
    { "imul rbx,rsi,-7", "486bdef9", CC_C | CC_O },
    { "mul cl", "f6e1", CC_C | CC_O },
    { "mul rdi", "48f7e7", CC_C | CC_O },
    { "imul si", "66f7ee", CC_C | CC_O },
    { "bt eax,ecx; setc bl", "0fa3c80f92c3", CC_C },
    { "bts rdx,13; btr esi,ecx; btc ax,bx", "480fbaea0d0fb3ce660fbbd8", CC_C },
    { "bsf eax,ebx", "0fbcc3", CC_Z },
    { "bsr rcx,rdx", "480fbdca", CC_Z },
    { "popcnt r8,r9", "f34d0fb8c1", ALL },
    { "tzcnt eax,ecx", "f30fbcc1", CC_C | CC_Z },
    { "lzcnt dx,si", "66f30fbdd6", CC_C | CC_Z },
    { "bswap ecx; bswap r10", "0fc9490fca", 0 },
    { "cmp eax,ebx; cmovl ecx,edx; cmovbe rsi,rdi; setg r8b; setp r9b",
      "39d80f4cca480f46f7410f9fc0410f9ac1", ALL },
    { "test cl,dl; cmovs eax,ebx; setle bh", "84d10f48c30f9ec7", ALL & ~CC_A },
    { "add ax,bx; seto cl; setb ch; setbe dl; setl dh", "6601d80f90c10f92c50f96c20f9cc6", ALL },
    { "cbw; cwd", "6698 6699", 0 },
    { "cdqe; cqo", "48984899", 0 },
    { "lahf; sahf", "9f9e", ALL },
    { "lea eax,[rbx+rcx*4+0x10]; lea r8w,[rsi-1]", "8d448b1066448d46ff", 0 },
    { "movzx eax,bl; movsx rcx,dx; movsxd rdx,esi; mov r9d,r10d", "0fb6c3480fbfca4863d64589d1", 0 },
    { "mov ah,bh; mov ch,0x12", "88fc b512", 0 },
    { "xor edx,edx; or ecx,1; div ecx", "31d283c901f7f1", 0 },
    { "cmp rax,rbx; adc rcx,rdx", "4839d84811d1", ALL },
    { "sub esi,edi; sbb eax,ebx", "29fe19d8", ALL },
    { "inc rax; adc ebx,ecx", "48ffc011cb", ALL },
    /* conditions read back from a state only env knows (count may be 0) */
    { "shl edx,cl; setb setz sets setp setbe setae setnz setnp", "d3e2410f92c0410f94c1410f98c2410f9ac3410f96c4410f93c5410f95c6410f9bc7", ALL & ~CC_A & ~CC_O },
    { "sar r9w,cl; same", "6641d3f9410f92c0410f94c1410f98c2410f9ac3410f96c4410f93c5410f95c6410f9bc7", ALL & ~CC_A & ~CC_O },
    { "bsf eax,ebx; setz", "0fbcc3410f94c0", CC_Z },
    /* every condition after each lazy-flag state (r8b..r15b) */
    { "add ecx,edx; setcc 0-7", "01d1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "add ecx,edx; setcc 8-15", "01d1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "sub ecx,edx; setcc 0-7", "29d1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "sub ecx,edx; setcc 8-15", "29d1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "and ecx,edx; setcc 0-7", "21d1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "and ecx,edx; setcc 8-15", "21d1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "inc ecx; setcc 0-7", "ffc1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "inc ecx; setcc 8-15", "ffc1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "dec dx; setcc 0-7", "66ffca410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "dec dx; setcc 8-15", "66ffca410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "cmp cl,dl; setcc 0-7", "38d1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "cmp cl,dl; setcc 8-15", "38d1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "sbb cx,dx; setcc 0-7", "6619d1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "sbb cx,dx; setcc 8-15", "6619d1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "adc rcx,rdx; setcc 0-7", "4811d1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "adc rcx,rdx; setcc 8-15", "4811d1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "neg cl; setcc 0-7", "f6d9410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "neg cl; setcc 8-15", "f6d9410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "shl edx,1; setcc 0-7", "d1e2410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "shl edx,1; setcc 8-15", "d1e2410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "sar dl,1; setcc 0-7", "d0fa410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "sar dl,1; setcc 8-15", "d0fa410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "shr dx,1; setcc 0-7", "66d1ea410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "shr dx,1; setcc 8-15", "66d1ea410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "or r8,r9; setcc 0-7", "4d09c8410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "or r8,r9; setcc 8-15", "4d09c8410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
    { "cmp rcx,rdx; setcc 0-7", "4839d1410f90c0410f91c1410f92c2410f93c3410f94c4410f95c5410f96c6410f97c7", ALL & ~CC_A },
    { "cmp rcx,rdx; setcc 8-15", "4839d1410f98c0410f99c1410f9ac2410f9bc3410f9cc4410f9dc5410f9ec6410f9fc7", ALL & ~CC_A },
};

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static size_t parse_hex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') { p++; continue; }
        out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
        p += 2;
    }
    return n;
}

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    switch (rng % 6) {
    case 0: return rng & 0xff;
    case 1: return rng & 0x3f;
    case 2: return ~0ull << (rng >> 58);
    case 3: return 0;
    default: return rng * 0x2545f4914f6cdd1dull;
    }
}

static CPUState cpu;

static int run_translated(CPUState *env)
{
    env->exit_on_exception = true;
    /* what cpu_exec does around tcg_exec: faults recover the rip of their instruction */
    cpu_running_code = true;
    if (setjmp(env->jmp_env) == 0) {
        tcg_exec(env);
    }
    cpu_running_code = false;
    return env->exception_index;
}

int main(int argc, char **argv)
{
    uint8_t *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (native == MAP_FAILED || !phys_init(1 << 20)) {
        return 77;
    }
    cpu_init(&cpu, NULL);
    if (!cpu_tcg_init(argc > 1 ? argv[1] : "interp")) {
        return 1;
    }
    int failures = 0;
    for (size_t i = 0; i < sizeof(snippets) / sizeof(snippets[0]); i++) {
        const Snippet *sn = &snippets[i];
        uint8_t code[64];
        size_t len = parse_hex(sn->bytes, code);
        memcpy(native, code, len);
        native[len] = 0xc3;                              /* ret */
        code[len] = 0x0f; code[len + 1] = 0x0b;          /* ud2 */
        tb_flush();
        phys_write(0x1000, code, len + 2);
        for (int iter = 0; iter < 300; iter++) {
            NativeState ns;
            for (int r = 0; r < 16; r++) ns.regs[r] = rnd();
            ns.regs[R_ESP] = 0;
            ns.flags = (rnd() & CC_MASK) | 0x202;
            NativeState in = ns;
            native_run(&ns, native);

            cpu_reset_flat64(&cpu);
            memcpy(cpu.regs, in.regs, sizeof(cpu.regs));
            cpu_set_eflags(&cpu, (uint32_t)in.flags, CC_MASK);
            cpu.rip = 0x1000;
            int vec = run_translated(&cpu);
            bool bad = vec != EXCP_UD || cpu.rip != 0x1000 + len;
            for (int r = 0; r < 16; r++) {
                if (r != R_ESP && cpu.regs[r] != ns.regs[r]) bad = true;
            }
            uint32_t ours = cpu_get_eflags(&cpu) & sn->flag_mask;
            uint32_t host = (uint32_t)ns.flags & sn->flag_mask;
            if (ours != host) bad = true;
            if (bad && failures++ < 15) {
                printf("FAIL %s: vec %d rip %llx flags host %03x ours %03x\n", sn->name, vec,
                       (unsigned long long)cpu.rip, host, ours);
                for (int r = 0; r < 16; r++) {
                    if (r != R_ESP && cpu.regs[r] != ns.regs[r])
                        printf("  r%d in %016llx host %016llx ours %016llx\n", r,
                               (unsigned long long)in.regs[r], (unsigned long long)ns.regs[r],
                               (unsigned long long)cpu.regs[r]);
                }
                printf("  in flags %03llx\n", (unsigned long long)in.flags & CC_MASK);
            }
        }
    }
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("translated ALU snippets agree with the host\n");
    return 0;
}
