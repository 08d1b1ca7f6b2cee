/*
 * tests/singlestep/singlestep.c — runs the SingleStepTests 80286 real-mode sample
 * (../shared/singlestep-80286) on ferry's CPU and compares against what a modern x86 must
 * show (ss_modern.c). Each test: RAM (1 MiB + 64 KiB, A20 on) filled with HLT, the listed
 * bytes written, the 14 registers loaded (FLAGS & 0x0FFF), exceptions delivered through
 * the real-mode IVT, cpu_exec until it returns EXCP_HLT, then every register, every listed
 * byte and the pushed FLAGS word compared.
 *
 * Each data file runs in a child process, so a crash or a hang in the CPU costs that
 * file's remaining tests, not the run. Prints per-file counts to the log, a summary with
 * the pass rate of the comparable tests, and fails below --min-pass-rate.
 *
 * usage: singlestep [--only FORM] [--verbose [N]] [--no-fork] [--min-pass-rate PCT]
 *                   [--log FILE] DATA_DIR
 */
#include "ss_data.h"
#include "ss_modern.h"

#include "cpu/cpu.h"
#include "mmu/mmu.h"
#include "tcg/tcg.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define RAM_SIZE SS_ADDR_LIMIT      /* 1 MiB + 64 KiB: every address the data names */
#define TEST_WATCHDOG_S 2           /* a test still running after this is stopped and fails */
#define FILE_WATCHDOG_MS 60000      /* a child silent for this long is killed */
#define DEFAULT_VERBOSE_FAILS 10

typedef struct Options {
    const char *data_dir;
    const char *only;
    const char *log_path;
    const char *accel;              /* backend: interp or jit */
    int verbose_fails;              /* failing tests to print in full; 0 = none */
    bool no_fork;
    double min_pass_rate;           /* percent of comparable tests */
} Options;

/* What a child reports per test. */
typedef struct TestRecord {
    uint8_t rule;                   /* SSRule */
    uint8_t passed;
} TestRecord;

typedef struct RuleCount {
    uint32_t total, passed;
} RuleCount;

/* ---------------------------------------------------------------- running one test */

static CPUState *watched_cpu;

/* Async-signal context: cpu_interrupt only sets request bits the loop polls. */
static void on_test_watchdog(int sig)
{
    if (watched_cpu)
        cpu_interrupt(watched_cpu, CPU_INT_EXIT);
}

static void arm_test_watchdog(int seconds)
{
    struct itimerval it = { .it_value = { .tv_sec = seconds } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static const int seg_of_reg[SS_NB_REGS] = {
    [SS_CS] = R_CS, [SS_SS] = R_SS, [SS_DS] = R_DS, [SS_ES] = R_ES,
};
static const int gpr_of_reg[SS_NB_REGS] = {
    [SS_AX] = R_EAX, [SS_BX] = R_EBX, [SS_CX] = R_ECX, [SS_DX] = R_EDX,
    [SS_SP] = R_ESP, [SS_BP] = R_EBP, [SS_SI] = R_ESI, [SS_DI] = R_EDI,
};
static bool is_segment(int r) { return r == SS_CS || r == SS_SS || r == SS_DS || r == SS_ES; }

/* The machine state after a test, in the data's terms. */
typedef struct Outcome {
    int exit_reason;                /* cpu_exec's return value */
    uint64_t regs[SS_NB_REGS];      /* full width: upper bits must stay 0 */
    bool seg_base_ok[SS_NB_REGS];   /* base == selector * 16 */
} Outcome;

static void load_state(CPUState *env, const SSTest *t)
{
    uint8_t *ram = phys_ram_ptr(0, RAM_SIZE);
    memset(ram, SS_FILL_BYTE, RAM_SIZE);
    for (uint32_t i = 0; i < t->initial.nb_ram; i++)
        ram[t->initial.ram[i].addr] = t->initial.ram[i].value;
    tb_flush();                     /* RAM was written behind the code bitmap's back */

    cpu_init(env, NULL);
    cpu_reset(env);
    tlb_flush(env);
    env->exit_on_exception = false; /* the data expects delivery through the IVT */
    const uint16_t *in = t->initial.regs;
    for (int r = 0; r < SS_NB_REGS; r++) {
        if (is_segment(r))
            cpu_load_seg_real(env, seg_of_reg[r], in[r]);
        else if (r != SS_IP && r != SS_FLAGS)
            env->regs[gpr_of_reg[r]] = in[r];
    }
    env->rip = in[SS_IP];
    /* README "How to run one test" 2: bits 12-15 never took effect on the 286 */
    cpu_set_eflags(env, (in[SS_FLAGS] & 0x0FFFu) | 2u, ~0u);
}

static void run_test(CPUState *env, const SSTest *t, Outcome *o)
{
    load_state(env, t);
    watched_cpu = env;
    arm_test_watchdog(TEST_WATCHDOG_S);
    o->exit_reason = cpu_exec(env);
    arm_test_watchdog(0);
    watched_cpu = NULL;
    for (int r = 0; r < SS_NB_REGS; r++) {
        if (is_segment(r)) {
            const SegmentCache *s = &env->seg[seg_of_reg[r]];
            o->regs[r] = s->selector;
            o->seg_base_ok[r] = s->base == (uint64_t)s->selector * 16;
        } else if (r == SS_IP) {
            o->regs[r] = env->rip;
        } else if (r == SS_FLAGS) {
            o->regs[r] = cpu_get_eflags(env);
        } else {
            o->regs[r] = env->regs[gpr_of_reg[r]];
        }
    }
}

/* addr + 1 < RAM_SIZE: the parser bounds every address */
static uint16_t ram_word(uint32_t addr)
{
    const uint8_t *ram = phys_ram_ptr(0, RAM_SIZE);
    return (uint16_t)(ram[addr] | ram[addr + 1] << 8);
}

static bool reg_matches(const SSExpect *e, const Outcome *o, int r)
{
    if (r == SS_FLAGS)
        return ((o->regs[r] ^ e->regs[r]) & e->flags_mask) == 0;
    return o->regs[r] == e->regs[r] && (!is_segment(r) || o->seg_base_ok[r]);
}

static bool outcome_matches(const SSExpect *e, const Outcome *o)
{
    if (o->exit_reason != EXCP_HLT)
        return false;
    for (int r = 0; r < SS_NB_REGS; r++)
        if (!reg_matches(e, o, r))
            return false;
    if (!e->compare_ram)
        return true;
    const uint8_t *ram = phys_ram_ptr(0, RAM_SIZE);
    for (uint32_t i = 0; i < e->nb_ram; i++)
        if (ram[e->ram[i].addr] != e->ram[i].value)
            return false;
    return !e->has_flag_word || ((ram_word(e->flag_address) ^ e->flag_word) & e->flags_mask) == 0;
}

static void print_failure(const char *form, uint32_t index, const SSTest *t, const SSExpect *e, const Outcome *o)
{
    printf("FAIL %s #%u \"%s\" bytes", form, index, t->name);
    for (uint32_t i = 0; i < t->nb_bytes; i++)
        printf(" %02x", t->bytes[i]);
    printf("\n  rule: %s; cpu_exec returned %d%s\n", ss_rule_names[e->rule], o->exit_reason,
           o->exit_reason == EXCP_HLT ? " (EXCP_HLT)" : ", want EXCP_HLT");
    printf("  %-6s %-8s %-8s %-10s\n", "reg", "initial", "expected", "got");
    for (int r = 0; r < SS_NB_REGS; r++) {
        bool ok = reg_matches(e, o, r);
        char got[24];
        snprintf(got, sizeof(got), "%04llx", (unsigned long long)o->regs[r]);
        printf("  %-6s %04x     %04x     %-10s%s", ss_reg_names[r], t->initial.regs[r], e->regs[r], got,
               ok ? "" : " *");
        if (r == SS_FLAGS)
            printf(" (mask %04x)", e->flags_mask);
        if (is_segment(r) && !o->seg_base_ok[r])
            printf(" (base is not selector*16)");
        printf("\n");
    }
    if (!e->compare_ram)
        return;
    const uint8_t *ram = phys_ram_ptr(0, RAM_SIZE);
    for (uint32_t i = 0; i < e->nb_ram; i++)
        if (ram[e->ram[i].addr] != e->ram[i].value)
            printf("  ram %06x: expected %02x got %02x *\n", e->ram[i].addr, e->ram[i].value, ram[e->ram[i].addr]);
    if (e->has_flag_word)
        printf("  pushed FLAGS at %06x: expected %04x got %04x (mask %04x)%s\n", e->flag_address, e->flag_word,
               ram_word(e->flag_address), e->flags_mask,
               ((ram_word(e->flag_address) ^ e->flag_word) & e->flags_mask) ? " *" : "");
}

/* ---------------------------------------------------------------- one file (in the child) */

typedef struct FileRun {
    const char *form;
    CPUState *env;
    SSExpect expect;
    Outcome outcome;
    int out_fd;                     /* records go here */
    int verbose_left;
    bool write_failed;
} FileRun;

static bool run_file_test(const SSTest *t, uint32_t index, void *opaque)
{
    FileRun *fr = opaque;
    TestRecord rec = { 0, 0 };
    ss_expect_modern(t, &fr->expect);
    rec.rule = (uint8_t)fr->expect.rule;
    if (fr->expect.rule < SS_RULE_FIRST_NC) {
        run_test(fr->env, t, &fr->outcome);
        rec.passed = outcome_matches(&fr->expect, &fr->outcome);
        if (!rec.passed && fr->verbose_left > 0) {
            fr->verbose_left--;
            print_failure(fr->form, index, t, &fr->expect, &fr->outcome);
            fflush(stdout);
        }
    }
    if (write(fr->out_fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec)) {
        fr->write_failed = true;
        return false;
    }
    return true;
}

/* Runs a file, writing one TestRecord per test to out_fd; returns the process status. */
static int run_file(const Options *opt, const char *form, CPUState *env, int out_fd, int verbose_left)
{
    FileRun *fr = calloc(1, sizeof(*fr));
    if (!fr)
        return 1;
    *fr = (FileRun){ .form = form, .env = env, .out_fd = out_fd, .verbose_left = verbose_left };
    long n = ss_for_each_test(opt->data_dir, form, run_file_test, fr);
    bool ok = n >= 0 && !fr->write_failed;
    free(fr);
    return ok ? 0 : 1;
}

/* ---------------------------------------------------------------- the parent */

typedef struct Summary {
    RuleCount rules[SS_NB_RULES];
    uint32_t tests, comparable, passed, lost, files_failed;
    int verbose_left;
} Summary;

/* Reads a child's records until EOF or silence; returns how many arrived. */
static uint32_t collect_records(int fd, pid_t child, Summary *sum, uint32_t *file_comparable, uint32_t *file_passed)
{
    uint32_t got = 0;
    TestRecord rec;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, FILE_WATCHDOG_MS);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && child > 0) {
            printf("  no progress for %d s: stopping the child\n", FILE_WATCHDOG_MS / 1000);
            kill(child, SIGKILL);
        }
        ssize_t n = read(fd, &rec, sizeof(rec));
        if (n != (ssize_t)sizeof(rec))
            return got;
        got++;
        if (rec.rule >= SS_NB_RULES)
            continue;
        sum->rules[rec.rule].total++;
        if (rec.rule < SS_RULE_FIRST_NC) {
            (*file_comparable)++;
            *file_passed += rec.passed;
            sum->rules[rec.rule].passed += rec.passed;
            if (!rec.passed && sum->verbose_left > 0)
                sum->verbose_left--;
        }
    }
}

static void run_file_in_child(const Options *opt, const SSFile *file, CPUState *env, Summary *sum, FILE *log)
{
    uint32_t comparable = 0, passed = 0, got = 0;
    int status = 0;
    int fds[2];
    fflush(stdout);
    if (opt->no_fork) {
        /* for debuggers: run here, records into a temporary file, then read them back */
        FILE *tmp = tmpfile();
        if (!tmp) {
            perror("tmpfile");
            status = 1;
        } else {
            status = run_file(opt, file->form, env, fileno(tmp), sum->verbose_left);
            lseek(fileno(tmp), 0, SEEK_SET);
            got = collect_records(fileno(tmp), 0, sum, &comparable, &passed);
            fclose(tmp);
        }
    } else if (pipe(fds) != 0) {
        perror("pipe");
        status = 1;
    } else {
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            int rc = run_file(opt, file->form, env, fds[1], sum->verbose_left);
            fflush(stdout);
            _exit(rc);
        }
        close(fds[1]);
        if (pid > 0) {
            got = collect_records(fds[0], pid, sum, &comparable, &passed);
            waitpid(pid, &status, 0);
        } else {
            perror("fork");
            status = 1;
        }
        close(fds[0]);
    }
    uint32_t lost = got < file->nb_tests ? file->nb_tests - got : 0;
    sum->tests += got + lost;
    sum->comparable += comparable + lost;
    sum->passed += passed;
    sum->lost += lost;
    bool failed_run = status != 0 || lost;
    sum->files_failed += failed_run;
    fprintf(log, "%-6s %2u/%-2u passed, %2u not comparable", file->form, passed, comparable + lost,
            got - comparable);
    if (failed_run) {
        char why[64];
        if (WIFSIGNALED(status))
            snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(status));
        else
            snprintf(why, sizeof(why), "exit status %d", WIFEXITED(status) ? WEXITSTATUS(status) : status);
        fprintf(log, "  RUN FAILED (%s) after %u of %u tests", why, got, file->nb_tests);
        printf("%s: run failed (%s) after %u of %u tests; the rest count as failed\n", file->form, why, got,
               file->nb_tests);
    }
    fprintf(log, "\n");
}

static void print_summary(const Options *opt, const Summary *sum)
{
    printf("singlestep-80286: %u tests, %u comparable on a modern x86, %u not comparable\n", sum->tests,
           sum->comparable, sum->tests - sum->comparable);
    for (int r = 0; r < SS_NB_RULES; r++) {
        if (!sum->rules[r].total)
            continue;
        if (r < SS_RULE_FIRST_NC)
            printf("  %-56s %5u/%-5u passed\n", ss_rule_names[r], sum->rules[r].passed, sum->rules[r].total);
        else
            printf("  %-56s %5u not comparable\n", ss_rule_names[r], sum->rules[r].total);
    }
    if (sum->lost)
        printf("  %-56s %5u (counted as failed)\n", "lost to a crash or a hang", sum->lost);
    printf("per-file counts: %s\n", opt->log_path);
}

static int parse_options(int argc, char **argv, Options *opt)
{
    *opt = (Options){ .log_path = "singlestep-80286.log", .accel = "interp" };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--only") && i + 1 < argc)
            opt->only = argv[++i];
        else if (!strcmp(a, "--verbose")) {
            char *end;
            long n = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            opt->verbose_fails = DEFAULT_VERBOSE_FAILS;
            if (i + 1 < argc && *end == 0 && n > 0) {
                opt->verbose_fails = (int)n;
                i++;
            }
        } else if (!strcmp(a, "--no-fork"))
            opt->no_fork = true;
        else if (!strcmp(a, "--min-pass-rate") && i + 1 < argc)
            opt->min_pass_rate = strtod(argv[++i], NULL);
        else if (!strcmp(a, "--log") && i + 1 < argc)
            opt->log_path = argv[++i];
        else if (!strcmp(a, "--accel") && i + 1 < argc)
            opt->accel = argv[++i];
        else if (a[0] != '-' && !opt->data_dir)
            opt->data_dir = a;
        else
            return -1;
    }
    return opt->data_dir ? 0 : -1;
}

int main(int argc, char **argv)
{
    Options opt;
    if (parse_options(argc, argv, &opt) != 0) {
        fprintf(stderr, "usage: %s [--only FORM] [--verbose [N]] [--no-fork] [--min-pass-rate PCT] "
                        "[--log FILE] [--accel interp|jit] DATA_DIR\n", argv[0]);
        return 2;
    }
    SSFile *files;
    int nb_files = ss_read_index(opt.data_dir, &files);
    if (nb_files <= 0) {
        fprintf(stderr, "singlestep: FAIL: no test data in %s\n", opt.data_dir);
        return 1;
    }
    FILE *log = fopen(opt.log_path, "w");
    if (!log) {
        perror(opt.log_path);
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!phys_init(RAM_SIZE) || !cpu_tcg_init(opt.accel)) {
        fprintf(stderr, "singlestep: FAIL: cannot set up memory or the translator\n");
        return 1;
    }
    phys_set_a20(true);             /* README 1: addresses reach 0x10FFEF without wrapping */
    struct sigaction sa = { .sa_handler = on_test_watchdog, .sa_flags = SA_RESTART };
    sigaction(SIGALRM, &sa, NULL);
    CPUState *env = calloc(1, sizeof(*env));
    Summary *sum = calloc(1, sizeof(*sum));
    if (!env || !sum)
        return 1;
    sum->verbose_left = opt.verbose_fails;

    int files_run = 0;
    for (int f = 0; f < nb_files; f++) {
        if (opt.only && strcmp(opt.only, files[f].form) != 0)
            continue;
        run_file_in_child(&opt, &files[f], env, sum, log);
        files_run++;
    }
    fclose(log);
    if (files_run == 0) {
        fprintf(stderr, "singlestep: FAIL: no file matches --only %s\n", opt.only);
        return 1;
    }
    print_summary(&opt, sum);
    double rate = sum->comparable ? 100.0 * sum->passed / sum->comparable : 0.0;
    bool ok = sum->comparable > 0 && rate >= opt.min_pass_rate && sum->files_failed == 0;
    printf("pass rate %.2f%% (%u/%u comparable tests), threshold %.2f%%%s\n", rate, sum->passed, sum->comparable,
           opt.min_pass_rate, sum->files_failed ? "; some files did not run to the end" : "");
    printf("%s\n", ok ? "PASS" : "FAIL");
    free(env);
    free(sum);
    free(files);
    return ok ? 0 : 1;
}
