/*
 * hw/clock.c — the virtual clock and its timers.
 *
 * The clock follows the host monotonic clock (instruction-count time under -icount is not
 * done yet). Armed timers sit in one list sorted by deadline; machine_run calls
 * timers_run_expired() between two cpu_exec calls, so every callback runs on the main
 * thread. What makes a running CPU come back in time is a watchdog thread: it sleeps on a
 * condition variable until the earliest deadline (woken early when a nearer deadline is
 * armed) and then asks cpu_exec to leave with cpu_interrupt(CPU_INT_EXIT), which is atomic.
 * The list is touched by both threads, so a mutex guards it; callbacks run unlocked so they
 * may re-arm timers.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "cpu/cpu.h"
#include "hw/board.h"

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

uint64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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
        struct timespec until = { (time_t)(due / 1000000000ull), (long)(due % 1000000000ull) };
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

Timer *timer_new(TimerFn fn, void *opaque)
{
    pthread_once(&watchdog_once, watchdog_start);
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
    unlink_timer(t);
    t->deadline_ns = deadline_ns;
    t->armed = true;
    t->armed_generation = ++arm_generation;
    Timer **p = &armed_head;
    while (*p && (*p)->deadline_ns <= deadline_ns) p = &(*p)->next;
    t->next = *p;
    *p = t;
    if (armed_head == t) pthread_cond_signal(&watchdog_wake);
    pthread_mutex_unlock(&timer_lock);
}

void timer_del(Timer *t)
{
    pthread_mutex_lock(&timer_lock);
    unlink_timer(t);
    pthread_mutex_unlock(&timer_lock);
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
    pthread_cond_signal(&watchdog_wake);    /* the watchdog looks at the new head */
    pthread_mutex_unlock(&timer_lock);
    return due;
}
