/* unifw-sim — /system through the probe's bind mounts (boot_sysview.h). */
#include "boot_sysview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/io.h"

const struct sim_bind *sim_sysview_bind(const struct sim_sysview *sv, const char *path)
{
	for (size_t i = 0; i < sv->bind_count; i++)
		if (!strcmp(sv->binds[i].target, path))
			return &sv->binds[i];
	return NULL;
}

int sim_sysview_read(const struct sim_sysview *sv, const char *path, size_t max, uint8_t **buf, size_t *len,
		     char *from, size_t from_len, struct unifw_error *err)
{
	const struct sim_bind *b = sim_sysview_bind(sv, path);
	const char *fs_path = b && b->source_fs_path[0] ? b->source_fs_path : path;
	if (from)
		snprintf(from, from_len, "%s%s", b && !b->source_fs_path[0] ? "" : "/system",
			 b && !b->source_fs_path[0] ? b->source_host : fs_path);
	if (b && !b->source_fs_path[0])
		return unifw_file_read_all(b->source_host, max, buf, len, err);
	return unifw_ext4_read_file(sv->fs, fs_path, max, buf, len, err);
}

void sim_sysview_free(struct sim_sysview *sv)
{
	free(sv->binds);
	sv->binds = NULL;
	sv->bind_count = 0;
}
