/*
 * hw/clock.c — the virtual clock. It follows the host monotonic clock (instruction-count
 * time under -icount comes with the timer work).
 */
#include <time.h>

#include "hw/hw.h"

uint64_t clock_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
