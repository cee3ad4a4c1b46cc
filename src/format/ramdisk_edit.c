/* Ramdisk: editing the model (add, remove) (include/unifw/ramdisk.h, docs/format-boot.md). */
#include "unifw/ramdisk.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "format/ramdisk_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ edit */

static int check_safe(const char *path, struct unifw_error *err)
{
	if (!unifw_ramdisk_path_safe(path))
		return unifw_error_set(err, UNIFW_E_UNSAFE, path, UNIFW_NO_OFFSET,
				       "ramdisk path must be relative without \".\", \"..\" or empty components");
	return 0;
}

static int set_entry(struct unifw_ramdisk_entry *e, const char *path, uint32_t mode, const void *data, size_t len,
		     const char *link, struct unifw_error *err)
{
	char *p = strdup(path), *l = link ? strdup(link) : NULL;
	uint8_t *d = len ? malloc(len) : NULL;
	if (!p || (link && !l) || (len && !d)) {
		free(p);
		free(l);
		free(d);
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	if (len)
		memcpy(d, data, len);
	ramdisk_entry_free(e);
	e->path = p;
	e->link = l;
	e->data = d;
	e->size = len;
	e->mode = mode;
	e->type = ramdisk_type_of(mode);
	return 0;
}

/* Add every missing parent directory of path, outermost first. */
static int ensure_parents(struct unifw_ramdisk *rd, const char *path, struct unifw_error *err)
{
	char prefix[MAX_PATH_LEN + 1];
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - path);
		memcpy(prefix, path, n);
		prefix[n] = '\0';
		const struct unifw_ramdisk_entry *have = unifw_ramdisk_find(rd, prefix);
		if (have && have->type != UNIFW_RD_DIR)
			return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
					       "parent %s is not a directory in the ramdisk", prefix);
		if (!have) {
			struct unifw_ramdisk_entry *e = ramdisk_entry_append(rd, err);
			if (!e)
				return err ? err->code : UNIFW_E_NOMEM;
			int rc = set_entry(e, prefix, S_IFDIR | 0755, NULL, 0, NULL, err);
			if (rc) {
				rd->count--;
				return rc;
			}
		}
	}
	return 0;
}

static int put_entry(struct unifw_ramdisk *rd, const char *path, uint32_t mode, const void *data, size_t len,
		     const char *link, struct unifw_error *err)
{
	int rc = check_safe(path, err);
	if (rc)
		return rc;
	ssize_t i = ramdisk_find_index(rd, path);
	if (i >= 0) {
		struct unifw_ramdisk_entry *e = &rd->entries[i];
		if ((e->type == UNIFW_RD_DIR) != ((mode & S_IFMT) == S_IFDIR))
			return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
					       "cannot replace a %s with a %s", e->type == UNIFW_RD_DIR ? "directory" : "file",
					       (mode & S_IFMT) == S_IFDIR ? "directory" : "file");
		uint32_t uid = e->uid, gid = e->gid;
		int64_t mtime = e->mtime;
		rd->data_size -= e->size;
		/* keep the stored spelling of the path ("./init.rc") so the archive order and names hold */
		char *keep = strdup(e->path);
		if (!keep)
			return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
		rc = set_entry(e, keep, mode, data, len, link, err);
		free(keep);
		e->uid = uid;
		e->gid = gid;
		e->mtime = mtime;
		rd->data_size += e->size;
		return rc;
	}
	if ((rc = ensure_parents(rd, path, err)) != 0)
		return rc;
	struct unifw_ramdisk_entry *e = ramdisk_entry_append(rd, err);
	if (!e)
		return err ? err->code : UNIFW_E_NOMEM;
	if ((rc = set_entry(e, path, mode, data, len, link, err)) != 0) {
		rd->count--;
		return rc;
	}
	rd->data_size += len;
	return 0;
}

int unifw_ramdisk_add_file(struct unifw_ramdisk *rd, const char *path, uint32_t perm, const void *data, size_t len,
			   struct unifw_error *err)
{
	if (len > UNIFW_RAMDISK_MAX_TOTAL - rd->data_size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET, "ramdisk data would exceed %llu bytes",
				       (unsigned long long)UNIFW_RAMDISK_MAX_TOTAL);
	return put_entry(rd, path, S_IFREG | (perm & 07777), data, len, NULL, err);
}

int unifw_ramdisk_add_dir(struct unifw_ramdisk *rd, const char *path, uint32_t perm, struct unifw_error *err)
{
	return put_entry(rd, path, S_IFDIR | (perm & 07777), NULL, 0, NULL, err);
}

int unifw_ramdisk_add_symlink(struct unifw_ramdisk *rd, const char *path, const char *target,
			      struct unifw_error *err)
{
	if (!target || !target[0] || strlen(target) > MAX_PATH_LEN)
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "symlink target must be 1..%u bytes",
				       MAX_PATH_LEN);
	return put_entry(rd, path, S_IFLNK | 0777, NULL, 0, target, err);
}

static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && path[n] == '/';
}

int unifw_ramdisk_remove(struct unifw_ramdisk *rd, const char *path, struct unifw_error *err)
{
	const char *want = unifw_ramdisk_canonical(path);
	size_t kept = 0, removed = 0;
	if (!want[0])
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "cannot remove the ramdisk root");
	for (size_t i = 0; i < rd->count; i++) {
		struct unifw_ramdisk_entry *e = &rd->entries[i];
		const char *c = unifw_ramdisk_canonical(e->path);
		if (!strcmp(c, want) || below(c, want)) {
			rd->data_size -= e->size;
			ramdisk_entry_free(e);
			removed++;
		} else {
			rd->entries[kept++] = *e;
		}
	}
	rd->count = kept;
	if (!removed)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, path, UNIFW_NO_OFFSET, "no such entry in the ramdisk");
	return 0;
}
