/* Human-readable renderings shared by the CLI and reports. */
#ifndef UNIFW_HUMAN_H
#define UNIFW_HUMAN_H

#include <stddef.h>
#include <stdint.h>

/* "512 B", "1.5 KiB", "6 MiB", "3.47 GiB" (exact values print without decimals). */
const char *unifw_human_size(uint64_t bytes, char *buf, size_t len);

#endif
