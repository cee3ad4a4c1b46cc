/* Monotonic time for timeouts, rates, pacing and progress (never the wall clock, which can jump). One
 * clock for the library, the CLI and unifw-sim. */
#ifndef UNIFW_UTIL_CLOCK_H
#define UNIFW_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t unifw_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline uint64_t unifw_mono_ms(void)
{
	return unifw_mono_us() / 1000u;
}

static inline double unifw_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
