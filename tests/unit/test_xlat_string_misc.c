/*
 * tests/unit/test_xlat_string_misc.c — string, stack, exchange and flag instructions
 * (cpu/xlat_string.c, cpu/xlat_misc.c, cpu/helpers_misc.c) against the host CPU. Each snippet
 * runs natively (x86-64 host) and through ferry's translator and interpreter in flat 64-bit
 * mode, from the same random registers and flags and the same 64 KiB of memory mapped at the
 * same address in both (so pointers compare directly). Registers, the arithmetic flags, DF
 * and the memory must agree. The translated run ends at a trailing UD2, the native one at an
 * absolute jump back to the runner.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/cpu.h"
#include "cpu/helpers.h"
#include "cpu/xlat.h"

#define BUF_ADDR 0x80000ull     /* guest physical = linear = host virtual */
#define BUF_SIZE 0x10000ull
#define CODE_ADDR 0x1000ull

typedef struct NativeState {
    uint64_t regs[16];          /* including rsp */
    uint64_t flags;
} NativeState;

/* Run code with every register (rsp too) and the flags from st; code ends with
 * `jmp [rip+0]` to native_back, which stores them back. */
void native_run(NativeState *st, const void *code);
void native_back(void);
__asm__(
    ".data\nnative_state_ptr: .quad 0\nnative_host_rsp: .quad 0\nnative_code: .quad 0\n"
    ".text\n.globl native_run\n.globl native_back\nnative_run:\n"
    "push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
    "mov %rdi, native_state_ptr(%rip)\nmov %rsi, native_code(%rip)\n"
    "mov %rsp, native_host_rsp(%rip)\n"
    "pushq 128(%rdi)\npopfq\n"
    "mov 0(%rdi),%rax\nmov 8(%rdi),%rcx\nmov 16(%rdi),%rdx\nmov 24(%rdi),%rbx\n"
    "mov 32(%rdi),%rsp\n"
    "mov 40(%rdi),%rbp\nmov 48(%rdi),%rsi\nmov 64(%rdi),%r8\nmov 72(%rdi),%r9\n"
    "mov 80(%rdi),%r10\nmov 88(%rdi),%r11\nmov 96(%rdi),%r12\nmov 104(%rdi),%r13\n"
    "mov 112(%rdi),%r14\nmov 120(%rdi),%r15\nmov 56(%rdi),%rdi\n"
    "jmp *native_code(%rip)\n"
    "native_back:\n"
    "xchg %rdi, native_state_ptr(%rip)\n"
    "mov %rax,0(%rdi)\nmov %rcx,8(%rdi)\nmov %rdx,16(%rdi)\nmov %rbx,24(%rdi)\n"
    "mov %rsp,32(%rdi)\n"
    "mov %rbp,40(%rdi)\nmov %rsi,48(%rdi)\nmov %r8,64(%rdi)\nmov %r9,72(%rdi)\n"
    "mov %r10,80(%rdi)\nmov %r11,88(%rdi)\nmov %r12,96(%rdi)\nmov %r13,104(%rdi)\n"
    "mov %r14,112(%rdi)\nmov %r15,120(%rdi)\n"
    "mov native_host_rsp(%rip), %rsp\n"
    "pushfq\npopq 128(%rdi)\ncld\n"
    "mov native_state_ptr(%rip), %rax\nmov %rax,56(%rdi)\n"
    "pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

enum { S_PUSHF = 1, S_POPF = 2 };   /* snippets whose registers hold flag images */

typedef struct Snippet {
    const char *name;
    const char *bytes;      /* hex */
    int kind;
} Snippet;

static const Snippet snippets[] = {
    { "rep movsb", "f3a4", 0 },
    { "rep movsd", "f3a5", 0 },
    { "rep movsq", "f348a5", 0 },
    { "std; rep movsb; cld", "fdf3a4fc", 0 },
    { "std; rep movsd; cld", "fdf3a5fc", 0 },
    { "lea rdi,[rsi+1]; rep movsb", "488d7e01f3a4", 0 },
    { "lea rdi,[rsi+3]; rep movsw", "488d7e03f366a5", 0 },
    { "lea rdi,[rsi-5]; rep movsq", "488d7efbf348a5", 0 },
    { "rep stosb", "f3aa", 0 },
    { "rep stosw", "f366ab", 0 },
    { "rep stosd", "f3ab", 0 },
    { "rep stosq", "f348ab", 0 },
    { "std; rep stosd; cld", "fdf3abfc", 0 },
    { "a32 rep movsb", "f367a4", 0 },
    { "movsb; movsw; movsd; movsq", "a466a5a548a5", 0 },
    { "lodsb; lodsw; lodsd; lodsq", "ac66adad48ad", 0 },
    { "std; lodsd; lodsq; cld", "fdad48adfc", 0 },
    { "stosb; stosw; stosd; stosq", "aa66abab48ab", 0 },
    { "repne scasb", "f2ae", 0 },
    { "repe scasb", "f3ae", 0 },
    { "repe cmpsb", "f3a6", 0 },
    { "repne cmpsd", "f2a7", 0 },
    { "lea rdi,[rsi]; repe cmpsq", "488d3ef348a7", 0 },
    { "cmpsb; scasw", "a666af", 0 },
    { "xor ecx,ecx; repe cmpsb", "31c9f3a6", 0 },
    { "xor ecx,ecx; rep movsb", "31c9f3a4", 0 },
    { "push rax; push rbx; pop rcx; pop rdx", "5053595a", 0 },
    { "push word 0x1234; pop ax", "666834126658", 0 },
    { "push qword -5; pop rsi", "6afb5e", 0 },
    { "push rsp; pop rax", "5458", 0 },
    { "pop qword [rsp]", "8f0424", 0 },
    { "pop qword [rsp+8]", "8f442408", 0 },
    { "push qword [rsp+8]; pop rcx", "ff74240859", 0 },
    { "push fs; pop rax", "0fa058", 0 },
    { "pushfq; pop rax", "9c58", S_PUSHF },
    { "push rcx; popfq", "519d", S_POPF },
    { "stc; pushf; pop ax", "f99c6658", S_PUSHF },
    { "push rbx; popf; pushfq; pop rdx", "539d9c5a", S_POPF },
    { "enter 0x20,0", "c8200000", 0 },
    { "enter 0x10,1", "c8100001", 0 },
    { "enter 0x8,3", "c8080003", 0 },
    { "o16 enter 0x8,2", "66c8080002", 0 },
    { "leave", "c9", 0 },
    { "o16 leave", "66c9", 0 },
    { "xchg rax,[rsi]", "488706", 0 },
    { "xchg cl,[rdi+3]", "864f03", 0 },
    { "xchg eax,ecx", "91", 0 },
    { "xchg r8,rax", "4990", 0 },
    { "xadd [rsi],ecx", "0fc10e", 0 },
    { "xadd eax,ebx", "0fc1d8", 0 },
    { "xadd eax,eax", "0fc1c0", 0 },
    { "cmpxchg [rsi],ecx", "0fb10e", 0 },
    { "mov eax,[rsi]; cmpxchg [rsi],ecx", "8b060fb10e", 0 },
    { "cmpxchg ecx,edx", "0fb1d1", 0 },
    { "cmpxchg eax,edx", "0fb1d0", 0 },
    { "cmpxchg bl,dl", "0fb0d3", 0 },
    { "cmpxchg8b [rsi]", "0fc70e", 0 },
    { "mov eax,[rsi]; mov edx,[rsi+4]; cmpxchg8b [rsi]", "8b068b56040fc70e", 0 },
    { "and rsi,-16; cmpxchg16b [rsi]", "4883e6f0480fc70e", 0 },
    { "and rsi,-16; mov rax,[rsi]; mov rdx,[rsi+8]; cmpxchg16b [rsi]", "4883e6f0488b06488b5608480fc70e", 0 },
    { "xlatb", "d7", 0 },
    { "clc; cmc; stc", "f8f5f9", 0 },
    { "cld; std; cld", "fcfdfc", 0 },
    { "nop; pause; nop dword [rax]; lfence; mfence; sfence; endbr64", "90f3900f1f000faee80faef00faef8f30f1efa", 0 },
    { "clflush [rsi]", "0fae3e", 0 },
    { "prefetcht0 [rax]", "0f1808", 0 },
    { "rep stosb; rep lodsb", "f3aaf3ac", 0 },
};

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static size_t parse_hex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p; p += 2) {
        out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
    }
    return n;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

/* Random registers: pointers into the buffer for rSI rDI rBX rBP rSP, small counts in rCX,
 * and values that often match memory so REPE/CMPXCHG take both paths. */
static void random_state(NativeState *st, const Snippet *sn)
{
    for (int r = 0; r < 16; r++) {
        st->regs[r] = (rnd() & 1) ? rnd() : rnd() & 0xff;
    }
    st->regs[R_ESI] = BUF_ADDR + 0x6000 + rnd() % 64;
    st->regs[R_EDI] = BUF_ADDR + 0xa000 + rnd() % 64;
    st->regs[R_EBX] = BUF_ADDR + 0x4000 + rnd() % 64;
    st->regs[R_EBP] = BUF_ADDR + 0xd000 + (rnd() % 32) * 8;
    st->regs[R_ESP] = BUF_ADDR + 0xe000 + (rnd() % 32) * 8;
    st->regs[R_ECX] = (rnd() % 4 == 0) ? rnd() % 8 : rnd() % 1200;
    if (rnd() % 2) {
        st->regs[R_EAX] = 0;    /* matches the zero-filled parts of memory */
    }
    st->flags = (rnd() & CC_MASK) | 0x202;
    if (sn->kind & S_POPF) {
        /* popped flag images: only what user mode may set without trapping (no TF, AC), and IF
         * as the host keeps it at CPL 3 */
        st->regs[R_ECX] = (rnd() & (CC_MASK | DF_MASK)) | IF_MASK | 0x2;
        st->regs[R_EBX] = (rnd() & (CC_MASK | DF_MASK)) | IF_MASK | 0x2;
    }
}

static void random_memory(uint8_t *buf)
{
    for (size_t i = 0; i < BUF_SIZE; i += 8) {
        uint64_t v = (rnd() % 3 == 0) ? 0 : rnd();
        memcpy(buf + i, &v, 8);
    }
}

static CPUState cpu;

/* REP instructions run through helper_string directly with small random budgets, restarted
 * until complete, as translated code does after a chunk or an exit request */
typedef struct ChunkCase {
    const char *name;
    const char *bytes;
    uint64_t desc;
} ChunkCase;

static const ChunkCase chunk_cases[] = {
    { "rep movsb", "f3a4", STR_DESC(STR_MOVS, 0, 3, R_DS, STR_REP_E) },
    { "rep movsq", "f348a5", STR_DESC(STR_MOVS, 3, 3, R_DS, STR_REP_E) },
    { "lea rdi,[rsi+3]; rep movsw", "488d7e03f366a5", STR_DESC(STR_MOVS, 1, 3, R_DS, STR_REP_E) },
    { "rep stosd", "f3ab", STR_DESC(STR_STOS, 2, 3, R_DS, STR_REP_E) },
    { "std; rep stosb; cld", "fdf3aafc", STR_DESC(STR_STOS, 0, 3, R_DS, STR_REP_E) },
    { "repne scasb", "f2ae", STR_DESC(STR_SCAS, 0, 3, R_DS, STR_REP_NE) },
    { "repe cmpsb", "f3a6", STR_DESC(STR_CMPS, 0, 3, R_DS, STR_REP_E) },
};

static int run_translated(CPUState *env)
{
    env->exit_on_exception = true;
    cpu_running_code = true;
    if (setjmp(env->jmp_env) == 0) {
        tcg_exec(env);
    }
    cpu_running_code = false;
    return env->exception_index;
}

static bool is_flag_reg(const Snippet *sn, int r)
{
    return sn->kind && (r == R_EAX || r == R_EDX);
}

int main(int argc, char **argv)
{
    uint8_t *native = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *buf = mmap((void *)(uintptr_t)BUF_ADDR, BUF_SIZE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    static uint8_t init[BUF_SIZE], guest_mem[BUF_SIZE];
    if (native == MAP_FAILED || buf != (uint8_t *)(uintptr_t)BUF_ADDR || !phys_init(1 << 20)) {
        printf("SKIP: cannot map the shared buffer at %#llx\n", BUF_ADDR);
        return 77;
    }
    cpu_init(&cpu, NULL);
    if (!cpu_tcg_init(argc > 1 ? argv[1] : "interp")) {
        return 1;
    }
    /* system bits a flag image may differ in between user-mode host and CPL-0 guest */
    const uint64_t sys_bits = TF_MASK | IF_MASK | IOPL_MASK | NT_MASK | RF_MASK | VM_MASK |
                              AC_MASK | VIF_MASK | VIP_MASK | ID_MASK;
    int failures = 0;
    for (size_t i = 0; i < sizeof(snippets) / sizeof(snippets[0]); i++) {
        const Snippet *sn = &snippets[i];
        uint8_t code[64];
        size_t len = parse_hex(sn->bytes, code);
        memcpy(native, code, len);
        native[len] = 0xff; native[len + 1] = 0x25;         /* jmp [rip+0] */
        memset(native + len + 2, 0, 4);
        uint64_t back = (uint64_t)(uintptr_t)native_back;
        memcpy(native + len + 6, &back, 8);
        code[len] = 0x0f; code[len + 1] = 0x0b;              /* ud2 */
        tb_flush();
        phys_write(CODE_ADDR, code, len + 2);
        for (int iter = 0; iter < 200; iter++) {
            NativeState ns, in;
            random_state(&ns, sn);
            random_memory(init);
            in = ns;
            memcpy(buf, init, BUF_SIZE);
            native_run(&ns, native);

            cpu_reset_flat64(&cpu);
            cpu.seg[R_FS].selector = 0;     /* as the host's user mode has it */
            phys_write(BUF_ADDR, init, BUF_SIZE);
            memcpy(cpu.regs, in.regs, sizeof(cpu.regs));
            cpu_set_eflags(&cpu, (uint32_t)in.flags, CC_MASK | DF_MASK | IF_MASK);
            cpu.rip = CODE_ADDR;
            int vec = run_translated(&cpu);
            phys_read(BUF_ADDR, guest_mem, BUF_SIZE);

            bool bad = vec != EXCP_UD || cpu.rip != CODE_ADDR + len;
            for (int r = 0; r < 16; r++) {
                uint64_t m = is_flag_reg(sn, r) ? ~sys_bits : ~0ull;
                if ((cpu.regs[r] & m) != (ns.regs[r] & m)) bad = true;
            }
            uint32_t fmask = CC_MASK | DF_MASK;
            uint32_t ours = cpu_get_eflags(&cpu) & fmask, host = (uint32_t)ns.flags & fmask;
            if (ours != host) bad = true;
            size_t diff_at = BUF_SIZE;
            for (size_t b = 0; b < BUF_SIZE; b++) {
                if (guest_mem[b] != buf[b]) { diff_at = b; bad = true; break; }
            }
            if (bad && failures++ < 20) {
                printf("FAIL %s: vec %d rip %llx flags host %03x ours %03x\n", sn->name, vec,
                       (unsigned long long)cpu.rip, host, ours);
                for (int r = 0; r < 16; r++) {
                    if (cpu.regs[r] != ns.regs[r])
                        printf("  r%d in %016llx host %016llx ours %016llx\n", r,
                               (unsigned long long)in.regs[r], (unsigned long long)ns.regs[r],
                               (unsigned long long)cpu.regs[r]);
                }
                if (diff_at < BUF_SIZE)
                    printf("  memory differs first at %#llx: host %02x ours %02x\n",
                           (unsigned long long)(BUF_ADDR + diff_at), buf[diff_at],
                           guest_mem[diff_at]);
            }
        }
    }
    for (size_t i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); i++) {
        const ChunkCase *cc = &chunk_cases[i];
        const Snippet sn = { cc->name, cc->bytes, 0 };
        uint8_t code[64];
        size_t len = parse_hex(cc->bytes, code);
        memcpy(native, code, len);
        native[len] = 0xff; native[len + 1] = 0x25;
        memset(native + len + 2, 0, 4);
        uint64_t back = (uint64_t)(uintptr_t)native_back;
        memcpy(native + len + 6, &back, 8);
        for (int iter = 0; iter < 200; iter++) {
            NativeState ns, in;
            random_state(&ns, &sn);
            random_memory(init);
            in = ns;
            memcpy(buf, init, BUF_SIZE);
            native_run(&ns, native);

            cpu_reset_flat64(&cpu);
            phys_write(BUF_ADDR, init, BUF_SIZE);
            memcpy(cpu.regs, in.regs, sizeof(cpu.regs));
            cpu_set_eflags(&cpu, (uint32_t)in.flags, CC_MASK | IF_MASK);
            bool backward = code[0] == 0xfd;
            if (len > 4) {
                cpu.regs[R_EDI] = cpu.regs[R_ESI] + 3;      /* the lea of the overlap case */
            }
            cpu_set_eflags(&cpu, backward ? DF_MASK : 0, DF_MASK);
            int calls = 0;
            while (!helper_string(&cpu, cc->desc, 1 + rnd() % 40, 0, 0)) {
                calls++;
            }
            cpu_set_eflags(&cpu, 0, DF_MASK);               /* the trailing cld */
            phys_read(BUF_ADDR, guest_mem, BUF_SIZE);
            bool bad = memcmp(cpu.regs, ns.regs, sizeof(cpu.regs)) != 0 ||
                       (cpu_get_eflags(&cpu) & CC_MASK) != (ns.flags & CC_MASK) ||
                       memcmp(guest_mem, buf, BUF_SIZE) != 0;
            if (bad && failures++ < 20) {
                printf("FAIL chunked %s after %d restarts\n", cc->name, calls);
            }
        }
    }
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("string/stack/exchange snippets agree with the host\n");
    return 0;
}
