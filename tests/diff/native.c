/*
 * tests/diff/native.c — run cases on the host CPU.
 *
 * A batch runs in a forked child, so a sequence that somehow breaks the process (a harness
 * defect, not a guest fault) costs one case, not the run. The child maps the code page,
 * the control block and the data region at their fixed addresses, then for each case:
 * copies the code and appends the exit stub, fills the data region, loads the initial
 * state through the entry stub and runs. A fault arrives as a signal on an alternate
 * stack (the sequence's rSP points into the compared data region, which the kernel's
 * signal frame must not touch); the handler takes the registers from the ucontext, the
 * vector from its trap number, and siglongjmps back. Results go to shared memory.
 */
#include <signal.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "diff.h"
#include "native_ctrl.h"

_Static_assert(CTRL_ADDR == DIFF_CTRL_BASE, "control block address");

void diff_native_enter64(void);
void diff_native_enter32(void);
void diff_native_exit(void);

/* Linux x86-64 user code selectors: 64-bit and 32-bit (compatibility mode). */
#define USER_CS64 0x33
#define USER_CS32 0x23

typedef struct __attribute__((packed)) FarPtr32 {
    uint32_t offset;
    uint16_t selector;
} FarPtr32;

static uint8_t *ctrl(void) { return (uint8_t *)(uintptr_t)DIFF_CTRL_BASE; }
static uint64_t *ctrl_u64(unsigned off) { return (uint64_t *)(ctrl() + off); }

/* The bytes that follow the sequence natively (ferry sees HLT there instead). */
static unsigned exit_stub(int mode, uint8_t *out)
{
    uint32_t target;
    if (mode == 64) {             /* jmp qword [abs32 CTRL_EXIT_PTR] */
        target = DIFF_CTRL_BASE + CTRL_EXIT_PTR;
        out[0] = 0xff; out[1] = 0x24; out[2] = 0x25;
        memcpy(out + 3, &target, 4);
        return 7;
    }
    target = DIFF_CTRL_BASE + CTRL_FAR_EXIT32;   /* jmp far [abs32] (m16:32) */
    out[0] = 0xff; out[1] = 0x2d;
    memcpy(out + 2, &target, 4);
    return 6;
}

static void *map_fixed(uintptr_t addr, size_t size, int prot)
{
    void *p = mmap((void *)addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void *)addr) {
        fprintf(stderr, "diff: cannot map %#lx (+%#zx) natively\n", (unsigned long)addr, size);
        _exit(3);
    }
    return p;
}

static void setup_ctrl(void)
{
    uint8_t *c = ctrl();
    uint32_t exit_ptr_addr = DIFF_CTRL_BASE + CTRL_EXIT_PTR;
    c[CTRL_TRAMPOLINE + 0] = 0xff;    /* jmp qword [abs32]: reached in 64-bit mode */
    c[CTRL_TRAMPOLINE + 1] = 0x24;
    c[CTRL_TRAMPOLINE + 2] = 0x25;
    memcpy(c + CTRL_TRAMPOLINE + 3, &exit_ptr_addr, 4);
    *ctrl_u64(CTRL_EXIT_PTR) = (uint64_t)(uintptr_t)diff_native_exit;
    FarPtr32 entry32 = { DIFF_CODE_BASE, USER_CS32 };
    FarPtr32 exit32 = { DIFF_CTRL_BASE + CTRL_TRAMPOLINE, USER_CS64 };
    memcpy(c + CTRL_FAR_ENTRY32, &entry32, sizeof entry32);
    memcpy(c + CTRL_FAR_EXIT32, &exit32, sizeof exit32);
    *ctrl_u64(CTRL_ENTRY64) = DIFF_CODE_BASE;
}

/* ---------------------------------------------------------------- faults */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_sequence;
static DiffState fault_state;

static const int ucontext_reg[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    const ucontext_t *uc = ucv;
    if (!in_sequence) {             /* the harness itself faulted: die loudly */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    in_sequence = 0;
    for (int i = 0; i < 16; i++)
        fault_state.regs[i] = (uint64_t)uc->uc_mcontext.gregs[ucontext_reg[i]];
    fault_state.rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    fault_state.flags = (uint32_t)uc->uc_mcontext.gregs[REG_EFL];
    fault_state.vector = (int32_t)uc->uc_mcontext.gregs[REG_TRAPNO];
    /* #BP and #OF are traps: the saved rip is past INT3 / INTO (both one byte); report
     * the instruction itself, as ferry's library mode does. */
    if (fault_state.vector == 3 || fault_state.vector == 4)
        fault_state.rip -= 1;
    siglongjmp(fault_jmp, 1);
}

static void install_handlers(void)
{
    static uint8_t altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
    if (sigaltstack(&ss, NULL) != 0) {
        perror("diff: sigaltstack");
        _exit(3);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

/* ---------------------------------------------------------------- one case */

static void run_case(const DiffCase *c, DiffResult *r)
{
    uint8_t *code = (uint8_t *)(uintptr_t)DIFF_CODE_BASE;
    uint8_t *data = (uint8_t *)(uintptr_t)DIFF_DATA_BASE;
    memcpy(code, c->code, c->code_len);
    exit_stub(c->mode, code + c->code_len);
    diff_fill_data(c->data_seed, data);
    memcpy(ctrl_u64(CTRL_IN_REGS), c->init.regs, sizeof c->init.regs);
    *ctrl_u64(CTRL_IN_FLAGS) = c->init.flags;

    if (sigsetjmp(fault_jmp, 0) == 0) {
        in_sequence = 1;
        if (c->mode == 64)
            diff_native_enter64();
        else
            diff_native_enter32();
        in_sequence = 0;
        memcpy(r->st.regs, ctrl_u64(CTRL_OUT_REGS), sizeof r->st.regs);
        r->st.flags = (uint32_t)*ctrl_u64(CTRL_OUT_FLAGS);
        r->st.rip = DIFF_CODE_BASE + c->code_len;
        r->st.vector = DIFF_NO_FAULT;
    } else {
        r->st = fault_state;
    }
    if (c->mode == 32) {
        /* back to the 64-bit process's null data selectors */
        __asm__ volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"(0) : "memory");
        for (int i = 0; i < 16; i++)
            r->st.regs[i] = i < 8 ? (uint32_t)r->st.regs[i] : 0;
        r->st.rip = (uint32_t)r->st.rip;
    }
    memcpy(r->data, data, DIFF_DATA_SIZE);
    r->paging_defects = 0;
}

/* ---------------------------------------------------------------- batches */

typedef struct Shared {
    volatile unsigned next;      /* the case the child is about to run */
    DiffResult results[];
} Shared;

static void child_main(const DiffCase *cases, Shared *sh, unsigned first, unsigned n)
{
    map_fixed(DIFF_CODE_BASE, DIFF_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(DIFF_CTRL_BASE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_fixed(DIFF_DATA_BASE, DIFF_DATA_SIZE, PROT_READ | PROT_WRITE);
    setup_ctrl();
    install_handlers();
    for (unsigned i = first; i < n; i++) {
        sh->next = i;
        alarm(10);               /* a sequence never loops: this only catches harness bugs */
        run_case(&cases[i], &sh->results[i]);
    }
    alarm(0);
    sh->next = n;
    _exit(0);
}

void diff_native_run_batch(const DiffCase *cases, DiffResult *results, unsigned n)
{
    size_t size = sizeof(Shared) + (size_t)n * sizeof(DiffResult);
    Shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("diff: mmap");
        exit(2);
    }
    unsigned first = 0;
    while (first < n) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("diff: fork");
            exit(2);
        }
        if (pid == 0)
            child_main(cases, sh, first, n);
        int status;
        while (waitpid(pid, &status, 0) < 0)
            ;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            break;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
            exit(2);             /* setup failed: already explained on stderr */
        unsigned bad = sh->next;
        memset(&sh->results[bad], 0, sizeof sh->results[bad]);
        sh->results[bad].st.vector = DIFF_HOST_CRASH;
        fprintf(stderr, "diff: native child died on case seed %#llx (status %#x)\n",
                (unsigned long long)cases[bad].seed, status);
        first = bad + 1;
    }
    memcpy(results, sh->results, (size_t)n * sizeof(DiffResult));
    munmap(sh, size);
}
