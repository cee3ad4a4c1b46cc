/* `unifw info`: one report for whatever the user points at: a firmware package (folder or archive),
 * a unifw backup folder, a loose folder/archive, or a single image of any type (detected by content).
 * The report is a JSON tree (keys in docs/json.md); the CLI prints it as JSON or renders it for people. */
#ifndef UNIFW_INFO_H
#define UNIFW_INFO_H

#include "unifw/error.h"
#include "unifw/json.h"
#include "unifw/package.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Build the report for path. On success *report is a tree the caller frees with unifw_jv_free.
 * Fails (negative, err filled with file, offset, expected vs found) when the path cannot be read, an
 * archive is broken, or a single image does not parse as the type its content claims. Problems inside a
 * package are not failures: they are the report's "findings". */
int unifw_info(const char *path, struct unifw_jv **report, struct unifw_error *err);

/* The "summary" object of a package report: what matters to a user, pulled from the describes
 * (platform, project, storage, boot region, preloader project and memory parts, lk project and LCMs,
 * kernel version and drivers, Android version and ro.product.*, logo resolution). Caller frees. */
struct unifw_jv *unifw_info_summary(const struct unifw_package *p);

#ifdef __cplusplus
}
#endif
#endif
