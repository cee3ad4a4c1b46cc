/* Monotonic time for timeouts, rates, pacing and progress (never the wall clock, which can jump), and
 * the UTC time stamp of journals and manifests. One clock for the library, the CLI and unifw-sim. */
#ifndef UNIFW_UTIL_CLOCK_H
#define UNIFW_UTIL_CLOCK_H

#include <stddef.h>
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

/* UTC now as "2024-05-01T12:00:00Z" (journals, manifests): wall-clock time, for people to read. */
static inline void unifw_utc_iso(char *out, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

#endif
