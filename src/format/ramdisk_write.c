/* Ramdisk: writing the model out, as a cpio archive or as files in a folder (include/unifw/ramdisk.h,
 * docs/format-boot.md). */
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

/* ------------------------------------------------------------------ write */

struct membuf {
	uint8_t *p;
	size_t len, cap;
};

static la_ssize_t membuf_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct membuf *m = ctx;
	if (n > m->cap - m->len) {
		size_t ncap = m->cap ? m->cap : 65536;
		while (ncap - m->len < n)
			ncap *= 2;
		uint8_t *q = realloc(m->p, ncap);
		if (!q) {
			archive_set_error(a, ENOMEM, "out of memory");
			return -1;
		}
		m->p = q;
		m->cap = ncap;
	}
	memcpy(m->p + m->len, buf, n);
	m->len += n;
	return (la_ssize_t)n;
}

/* Data a hard-link entry stands for: its own, else its target's (newc keeps it on one link only). */
const struct unifw_ramdisk_entry *ramdisk_link_data(const struct unifw_ramdisk *rd, const struct unifw_ramdisk_entry *e)
{
	if (e->type != UNIFW_RD_HARDLINK || e->size || !e->link)
		return e;
	const struct unifw_ramdisk_entry *t = unifw_ramdisk_find(rd, e->link);
	return t && t->type == UNIFW_RD_FILE ? t : e;
}

static int write_entry(struct archive *a, struct archive_entry *ae, const struct unifw_ramdisk *rd, size_t i)
{
	const struct unifw_ramdisk_entry *e = &rd->entries[i];
	const struct unifw_ramdisk_entry *d = ramdisk_link_data(rd, e);
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, e->path);
	/* hard links are written as plain files carrying the data: the kernel needs no link table */
	archive_entry_set_mode(ae, e->type == UNIFW_RD_HARDLINK ? (S_IFREG | (e->mode & 07777)) : e->mode);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_mtime(ae, (time_t)e->mtime, 0);
	archive_entry_set_ino(ae, FIRST_INODE + (int64_t)i);
	archive_entry_set_nlink(ae, e->type == UNIFW_RD_DIR ? 2 : 1);
	if (e->type == UNIFW_RD_SYMLINK)
		archive_entry_set_symlink(ae, e->link ? e->link : "");
	if (e->type == UNIFW_RD_SPECIAL) {
		archive_entry_set_rdevmajor(ae, e->rdev_major);
		archive_entry_set_rdevminor(ae, e->rdev_minor);
	}
	bool has_data = e->type == UNIFW_RD_FILE || e->type == UNIFW_RD_HARDLINK;
	archive_entry_set_size(ae, has_data ? (la_int64_t)d->size : 0);
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		return -1;
	if (has_data && d->size && archive_write_data(a, d->data, d->size) != (la_ssize_t)d->size)
		return -1;
	return 0;
}

int unifw_ramdisk_write(const struct unifw_ramdisk *rd, enum unifw_ramdisk_comp comp, uint8_t **out, size_t *len,
			struct unifw_error *err)
{
	struct membuf m = {0};
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (!a || !ae) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "ramdisk", UNIFW_NO_OFFSET, "libarchive: out of memory");
		goto out;
	}
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    (comp == UNIFW_RD_GZIP && (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
				       archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
				       archive_write_set_filter_option(a, "gzip", "compression-level", "9") != ARCHIVE_OK)) ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &m, NULL, membuf_write, NULL) != ARCHIVE_OK)
		goto fail;
	for (size_t i = 0; i < rd->count; i++)
		if (write_entry(a, ae, rd, i) != 0) {
			rc = unifw_error_set(err, archive_errno(a) == ENOMEM ? UNIFW_E_NOMEM : UNIFW_E_LIBRARY,
					     rd->entries[i].path, UNIFW_NO_OFFSET, "libarchive cannot write this entry (mode 0%o): %s",
					     rd->entries[i].mode, archive_error_string(a) ? archive_error_string(a) : "unknown error");
			goto out;
		}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	*out = m.p;
	*len = m.len;
	m.p = NULL;
	goto out;
fail:
	rc = unifw_error_set(err, archive_errno(a) == ENOMEM ? UNIFW_E_NOMEM : UNIFW_E_LIBRARY, "ramdisk",
			     UNIFW_NO_OFFSET, "libarchive cannot write the cpio: %s",
			     archive_error_string(a) ? archive_error_string(a) : "unknown error");
out:
	archive_entry_free(ae);
	/* free the writer first: on the error path it still flushes into m */
	if (a)
		archive_write_free(a);
	free(m.p);
	return rc;
}

/* ------------------------------------------------------------------ extract */

static int unsafe(const struct unifw_ramdisk_entry *e, const char *why, struct unifw_error *err)
{
	return unifw_error_set(err, UNIFW_E_UNSAFE, e->path, e->header_offset,
			       "refusing to extract this entry (offset in the uncompressed cpio): %s", why);
}

/* Open the directory that will hold the last component of rel, creating missing directories and
 * never following a symlink. *last points at the last component inside rel. */
static int open_parent(int root, const struct unifw_ramdisk_entry *e, const char *rel, const char **last,
		       struct unifw_error *err)
{
	char comp[256];
	int fd = dup(root);
	if (fd < 0)
		return unifw_error_sys(err, e->path, "dup");
	const char *c = rel;
	for (;;) {
		size_t n = strcspn(c, "/");
		if (c[n] == '\0') {
			*last = c;
			return fd;
		}
		if (n >= sizeof comp) {
			close(fd);
			return unsafe(e, "a path component is longer than 255 bytes", err);
		}
		memcpy(comp, c, n);
		comp[n] = '\0';
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && mkdirat(fd, comp, 0755) == 0)
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int saved = errno;
			close(fd);
			if (saved == ELOOP || saved == ENOTDIR)
				return unsafe(e, "a directory on its path is a symlink or a file", err);
			errno = saved;
			return unifw_error_sys(err, e->path, "create directory %s", comp);
		}
		close(fd);
		fd = next;
		c += n + 1;
	}
}

/* Remove what is at name (a file or symlink; never follows it) so that a new node can be created. */
static int clear_slot(int dirfd, const char *name, const struct unifw_ramdisk_entry *e, struct unifw_error *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return unsafe(e, "a directory of the same name was extracted before", err);
	if (unlinkat(dirfd, name, 0) != 0)
		return unifw_error_sys(err, e->path, "replace");
	return 0;
}

static int write_file_at(int dirfd, const char *name, const struct unifw_ramdisk_entry *e,
			 const struct unifw_ramdisk_entry *d, struct unifw_error *err)
{
	int rc = clear_slot(dirfd, name, e, err);
	if (rc)
		return rc;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return unifw_error_sys(err, e->path, "create");
	if ((rc = unifw_fd_write_all(fd, d->data, d->size, e->path, err)) != 0) {
		close(fd);
		return rc;
	}
	/* permissions as stored, without setuid/setgid/sticky: this is an inspection copy */
	if (fchmod(fd, e->mode & 0777) != 0)
		rc = unifw_error_sys(err, e->path, "chmod");
	close(fd);
	return rc;
}

static int extract_entry(int root, const struct unifw_ramdisk *rd, const struct unifw_ramdisk_entry *e,
			 size_t *skipped, struct unifw_error *err)
{
	const char *rel = e->path, *last = NULL;
	if (rel[0] == '/')
		return unsafe(e, "absolute path", err);
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (!strcmp(rel, ".") || !rel[0])
		return 0; /* the root itself */
	if (!unifw_ramdisk_path_safe(rel))
		return unsafe(e, "path has \"..\", \".\" or empty components", err);
	if (e->type == UNIFW_RD_SPECIAL) {
		(*skipped)++;
		return 0;
	}
	int dirfd = open_parent(root, e, rel, &last, err);
	if (dirfd < 0)
		return dirfd;
	int rc = 0;
	struct stat st;
	switch (e->type) {
	case UNIFW_RD_DIR:
		if (mkdirat(dirfd, last, 0700 | (e->mode & 0777)) != 0) {
			if (errno != EEXIST)
				rc = unifw_error_sys(err, e->path, "mkdir");
			else if (fstatat(dirfd, last, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
				rc = unsafe(e, "a file or symlink of the same name was extracted before", err);
		}
		break;
	case UNIFW_RD_SYMLINK:
		if ((rc = clear_slot(dirfd, last, e, err)) == 0 && symlinkat(e->link ? e->link : "", dirfd, last) != 0)
			rc = unifw_error_sys(err, e->path, "symlink");
		break;
	default:
		rc = write_file_at(dirfd, last, e, ramdisk_link_data(rd, e), err);
		break;
	}
	close(dirfd);
	return rc;
}

int unifw_ramdisk_extract(const struct unifw_ramdisk *rd, const char *dir, size_t *skipped, struct unifw_error *err)
{
	size_t skip = 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return unifw_error_sys(err, dir, "create directory");
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return unifw_error_sys(err, dir, "open directory");
	int rc = 0;
	for (size_t i = 0; i < rd->count && rc == 0; i++)
		rc = extract_entry(root, rd, &rd->entries[i], &skip, err);
	close(root);
	if (skipped)
		*skipped = skip;
	return rc;
}
