/*
 * hw/clock.c — the virtual clock and its timers.
 *
 * By default the clock follows the host monotonic clock (plus an offset, so a restored
 * snapshot reads on from the time it was saved at). Armed timers sit in one list sorted by
 * deadline; machine_run calls timers_run_expired() between two cpu_exec calls, so every
 * callback runs on the main thread. What makes a running CPU come back in time is a
 * watchdog thread: it sleeps on a condition variable until the earliest deadline (woken
 * early when a nearer deadline is armed) and then asks cpu_exec to leave with
 * cpu_interrupt(CPU_INT_EXIT), which is atomic. The list is touched by both threads, so a
 * mutex guards it; callbacks run unlocked so they may re-arm timers.
 *
 * Under -icount nothing here looks at the host: virtual time is the count of retired guest
 * instructions shifted left by N (plus the time skipped while the CPU was halted), and
 * there is no watchdog. Instead the earliest deadline becomes an instruction count in
 * env->icount_limit, which the block prologue (cpu/translate.c) compares with: the CPU
 * leaves at exactly that count, so a timer fires at the same instruction in every run.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "cpu/cpu.h"
#include "hw/board.h"

/* The RTC's wall clock under -icount: 2026-01-01 00:00:00 UTC plus virtual time, so that
 * it too is the same in every run. */
#define ICOUNT_WALL_EPOCH_NS (1767225600ll * 1000000000ll)

struct Timer {
    TimerFn fn;
    void *opaque;
    uint64_t deadline_ns;
    uint64_t armed_generation;  /* value of arm_generation when last armed */
    bool armed;
    Timer *next;                /* in the armed list, sorted by deadline */
};

static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watchdog_wake;
static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;
static Timer *armed_head;
static uint64_t arm_generation;
/* The deadline the watchdog already kicked the CPU for: one kick per deadline, not a spin
 * while the main thread is busy getting to it. */
static uint64_t kicked_deadline = UINT64_MAX;
/* armed_head's deadline, for timers_due() to read without the lock */
static uint64_t head_deadline_ns = UINT64_MAX;

/* host time: added to the monotonic clock (snapshot restore) */
static int64_t host_offset_ns;
/* -icount */
static bool icount_on;
static unsigned icount_shift;
static uint64_t icount_warp_ns;

static uint64_t host_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void clock_icount_enable(unsigned shift)
{
    icount_on = true;
    icount_shift = shift;
}

bool clock_icount_enabled(void)
{
    return icount_on;
}

uint64_t clock_now_ns(void)
{
    if (icount_on) {
        uint64_t count = first_cpu ? cpu_icount_now(first_cpu) : 0;
        return icount_warp_ns + (count << icount_shift);
    }
    return host_monotonic_ns() + (uint64_t)host_offset_ns;
}

int64_t clock_wall_ns(void)
{
    if (icount_on) return ICOUNT_WALL_EPOCH_NS + (int64_t)clock_now_ns();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* -icount: the instruction count at which virtual time reaches deadline_ns (rounded up, so
 * the timer never fires early). Caller holds timer_lock. */
static void icount_update_limit(void)
{
    if (!icount_on || !first_cpu) return;
    uint64_t limit = UINT64_MAX;
    if (armed_head) {
        uint64_t due = armed_head->deadline_ns;
        uint64_t ns = due > icount_warp_ns ? due - icount_warp_ns : 0;
        limit = (ns >> icount_shift) + ((ns & ((1ull << icount_shift) - 1)) != 0);
    }
    cpu_icount_set_limit(first_cpu, limit);
}

static void *watchdog_main(void *unused)
{
    pthread_mutex_lock(&timer_lock);
    for (;;) {
        if (!armed_head) {
            pthread_cond_wait(&watchdog_wake, &timer_lock);
            continue;
        }
        uint64_t due = armed_head->deadline_ns;
        if (clock_now_ns() >= due) {
            if (due != kicked_deadline && first_cpu) {
                kicked_deadline = due;
                cpu_interrupt(first_cpu, CPU_INT_EXIT);
            }
            /* wait for the main thread to run or re-arm it */
            pthread_cond_wait(&watchdog_wake, &timer_lock);
            continue;
        }
        /* the condition variable waits on the raw monotonic clock */
        uint64_t host_due = due - (uint64_t)host_offset_ns;
        struct timespec until = { (time_t)(host_due / 1000000000ull), (long)(host_due % 1000000000ull) };
        pthread_cond_timedwait(&watchdog_wake, &timer_lock, &until);
    }
    return NULL;
}

static void watchdog_start(void)
{
    /* absolute timed waits on the same clock as clock_now_ns */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&watchdog_wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_t thread;
    if (pthread_create(&thread, NULL, watchdog_main, NULL) != 0) {
        fprintf(stderr, "ferry: cannot start the timer thread\n");
        abort();
    }
    pthread_detach(thread);
}

/* Wake the watchdog (host time) or move the instruction limit (-icount): the head of the
 * list changed. Caller holds timer_lock. */
static void head_changed(void)
{
    __atomic_store_n(&head_deadline_ns, armed_head ? armed_head->deadline_ns : UINT64_MAX,
                     __ATOMIC_RELAXED);
    if (icount_on) icount_update_limit();
    else pthread_cond_signal(&watchdog_wake);
}

Timer *timer_new(TimerFn fn, void *opaque)
{
    if (!icount_on) pthread_once(&watchdog_once, watchdog_start);
    Timer *t = calloc(1, sizeof(*t));
    if (!t) {
        fprintf(stderr, "ferry: out of memory\n");
        abort();
    }
    t->fn = fn;
    t->opaque = opaque;
    return t;
}

/* Caller holds timer_lock. */
static void unlink_timer(Timer *t)
{
    if (!t->armed) return;
    for (Timer **p = &armed_head; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->armed = false;
    t->next = NULL;
}

void timer_mod(Timer *t, uint64_t deadline_ns)
{
    pthread_mutex_lock(&timer_lock);
    bool was_head = armed_head == t;
    unlink_timer(t);
    t->deadline_ns = deadline_ns;
    t->armed = true;
    t->armed_generation = ++arm_generation;
    Timer **p = &armed_head;
    while (*p && (*p)->deadline_ns <= deadline_ns) p = &(*p)->next;
    t->next = *p;
    *p = t;
    if (armed_head == t || was_head) head_changed();
    pthread_mutex_unlock(&timer_lock);
}

void timer_del(Timer *t)
{
    pthread_mutex_lock(&timer_lock);
    bool was_head = armed_head == t;
    unlink_timer(t);
    if (was_head) head_changed();
    pthread_mutex_unlock(&timer_lock);
}

bool timers_due(void)
{
    return !icount_on && clock_now_ns() >= __atomic_load_n(&head_deadline_ns, __ATOMIC_RELAXED);
}

bool timer_pending(const Timer *t)
{
    return t->armed;    /* only the main thread changes it */
}

uint64_t timers_next_deadline(void)
{
    pthread_mutex_lock(&timer_lock);
    uint64_t due = armed_head ? armed_head->deadline_ns : UINT64_MAX;
    pthread_mutex_unlock(&timer_lock);
    return due;
}

bool clock_idle_warp(void)
{
    if (!icount_on || !first_cpu || !first_cpu->halted) return false;
    uint64_t due = timers_next_deadline();
    if (due == UINT64_MAX) return false;    /* only the user can wake it */
    uint64_t now = clock_now_ns();
    pthread_mutex_lock(&timer_lock);
    if (due > now) icount_warp_ns += due - now;
    icount_update_limit();
    pthread_mutex_unlock(&timer_lock);
    return true;
}

uint64_t timers_run_expired(void)
{
    uint64_t now = clock_now_ns();
    pthread_mutex_lock(&timer_lock);
    /* A callback that re-arms its timer at a deadline already past runs on the next call,
     * not in this one, so a badly programmed device cannot keep the loop here forever. */
    uint64_t generation_at_entry = arm_generation;
    while (armed_head && armed_head->deadline_ns <= now &&
           armed_head->armed_generation <= generation_at_entry) {
        Timer *t = armed_head;
        unlink_timer(t);
        pthread_mutex_unlock(&timer_lock);
        t->fn(t->opaque, now);
        pthread_mutex_lock(&timer_lock);
    }
    uint64_t due = armed_head ? armed_head->deadline_ns : UINT64_MAX;
    kicked_deadline = UINT64_MAX;           /* a head still overdue earns a fresh kick */
    head_changed();                         /* the watchdog looks at the new head */
    pthread_mutex_unlock(&timer_lock);
    return due;
}

void clock_get_state(ClockState *out)
{
    out->now_ns = clock_now_ns();
    out->icount = first_cpu ? first_cpu->icount : 0;
    out->warp_ns = icount_warp_ns;
    out->icount_shift = icount_on ? icount_shift : UINT32_MAX;
}

void clock_set_state(const ClockState *in)
{
    pthread_mutex_lock(&timer_lock);
    if (icount_on) {
        /* a snapshot from a host-time run starts counting here, at its time */
        uint64_t count = in->icount_shift == icount_shift ? in->icount : 0;
        if (first_cpu) first_cpu->icount = count;
        uint64_t counted_ns = count << icount_shift;
        icount_warp_ns = in->now_ns > counted_ns ? in->now_ns - counted_ns : 0;
        icount_update_limit();
    } else {
        host_offset_ns = (int64_t)(in->now_ns - host_monotonic_ns());
        kicked_deadline = UINT64_MAX;
        pthread_cond_signal(&watchdog_wake);
    }
    pthread_mutex_unlock(&timer_lock);
}
