/* unifw-sim — /system as Android sees it once the universal image's probe has run: the mounted ANDROID
 * file system with the probe's bind mounts on top (docs/universal.md "The probe", docs/sim.md "Boot
 * evaluation"). Every judgement of a file in /system reads through this view, so that what is judged is
 * what the probe bound. Without a probe (every stock and ported firmware) the view is the file system.
 * Private to sim/boot/. */
#ifndef UNIFW_SIM_BOOT_SYSVIEW_H
#define UNIFW_SIM_BOOT_SYSVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/ext4.h"

/* One bind mount the probe made: target (a path in /system, e.g. "/etc/firmware/modem_1_wg_n.img") now
 * shows source: a path in the same file system (source_fs_path, e.g. "/unifw/a516-like/etc/...") or a file
 * the probe wrote outside /system (source_host: a host file of the probe's fake root, e.g. its merged
 * build.prop under /dev/unifw). */
struct sim_bind {
	char target[320];
	char source_fs_path[320];  /* "" when source_host is used */
	char source_host[4096];
};

struct sim_sysview {
	struct unifw_ext4 *fs;      /* the mounted ANDROID (not owned) */
	struct sim_bind *binds;     /* owned; NULL without a probe */
	size_t bind_count;
};

/* Read a file of /system (path without the "/system" prefix, e.g. "/etc/firmware/x"): through a bind when
 * one covers it, else from fs. from (optional): where it was read ("/system/unifw/a516-like/...", or the
 * path itself). Errors as unifw_ext4_read_file (UNIFW_E_NOT_FOUND when absent). */
int sim_sysview_read(const struct sim_sysview *sv, const char *path, size_t max, uint8_t **buf, size_t *len,
		     char *from, size_t from_len, struct unifw_error *err);
/* The bind covering path, NULL if none. */
const struct sim_bind *sim_sysview_bind(const struct sim_sysview *sv, const char *path);
void sim_sysview_free(struct sim_sysview *sv);

#endif
