/* Partition names as people type them: the MT6572 ptgen names (NVRAM, BOOTIMG, ANDROID...) and the
 * Android names the same partitions go by (boot, system, userdata, lk...), case-insensitive, one table
 * (src/ops/partname.c). Used by unifw write/read --partition, flash --only, format/backup --partition, so
 * that a name is checked before the phone is contacted. */
#ifndef UNIFW_PARTNAME_H
#define UNIFW_PARTNAME_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ptgen name NAME stands for (a ptgen name in any case, or an alias: boot -> BOOTIMG), NULL when
 * the table knows neither. The result is a static string. */
const char *unifw_partname_resolve(const char *name);
/* The names accepted, for a message: "PRELOADER, MBR, ... (aliases: boot=BOOTIMG, ...)". */
void unifw_partname_accepted(char *out, size_t len);
/* Does the real partition name REAL (a phone's table, a scatter) answer to what the user typed? Equal
 * ignoring case, or both resolve to the same ptgen name. */
bool unifw_partname_matches(const char *typed, const char *real);

#ifdef __cplusplus
}
#endif
#endif
