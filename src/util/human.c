#include "unifw/human.h"

#include <stdio.h>

const char *unifw_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;
	uint64_t whole = bytes;

	while (whole >= 1024 && u < 4) {
		whole /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (bytes % ((uint64_t)1 << (10 * u)) == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)whole, units[u]);
	else
		snprintf(buf, len, "%.2f %s", (double)bytes / (double)((uint64_t)1 << (10 * u)), units[u]);
	return buf;
}
