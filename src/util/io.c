#include "unifw/io.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct file_ctx { int fd; };

static ssize_t file_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct file_ctx *f = ctx;
	ssize_t n;
	do
		n = read(f->fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return unifw_error_sys(err, NULL, "read");
	return n;
}

static int file_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct file_ctx *f = ctx;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(f->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return unifw_error_sys(err, NULL, "pread at 0x%llx", (unsigned long long)(off + done));
		if (n == 0)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, NULL, off + done,
					       "file ends; expected %zu more bytes", len - done);
		done += (size_t)n;
	}
	return 0;
}

static void file_close(void *ctx)
{
	struct file_ctx *f = ctx;
	close(f->fd);
	free(f);
}

int unifw_stream_open_file(struct unifw_stream *s, const char *path, struct unifw_error *err)
{
	struct stat st;
	struct file_ctx *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(s, 0, sizeof *s);
	if (fd < 0)
		return unifw_error_sys(err, path, "open");
	if (fstat(fd, &st) < 0) {
		close(fd);
		return unifw_error_sys(err, path, "stat");
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "is a directory, expected a file");
	}
	f = malloc(sizeof *f);
	if (!f) {
		close(fd);
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	f->fd = fd;
	s->read = file_read;
	s->pread = S_ISREG(st.st_mode) ? file_pread : NULL;
	s->close = file_close;
	s->ctx = f;
	s->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UNIFW_SIZE_UNKNOWN;
	snprintf(s->name, sizeof s->name, "%s", path);
	return 0;
}

struct mem_ctx { const uint8_t *p; size_t len, pos; };

static ssize_t mem_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	(void)err;
	struct mem_ctx *m = ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static int mem_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem_ctx *m = ctx;
	if (off > m->len || len > m->len - off)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, NULL, off, "data ends at 0x%zx; expected %zu bytes here",
				       m->len, len);
	memcpy(buf, m->p + off, len);
	return 0;
}

void unifw_stream_from_mem(struct unifw_stream *s, const void *buf, size_t len, const char *name)
{
	struct mem_ctx *m = malloc(sizeof *m);
	memset(s, 0, sizeof *s);
	if (m) {
		m->p = buf;
		m->len = len;
		m->pos = 0;
		s->read = mem_read;
		s->pread = mem_pread;
		s->close = free;
	}
	s->ctx = m;
	s->size = len;
	snprintf(s->name, sizeof s->name, "%s", name ? name : "(memory)");
}

void unifw_stream_close(struct unifw_stream *s)
{
	if (s && s->close && s->ctx)
		s->close(s->ctx);
	if (s) {
		s->ctx = NULL;
		s->close = NULL;
	}
}

ssize_t unifw_stream_read(struct unifw_stream *s, void *buf, size_t len, struct unifw_error *err)
{
	size_t done = 0;
	if (!s->read)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "stream not open");
	while (done < len) {
		ssize_t n = s->read(s->ctx, (uint8_t *)buf + done, len - done, err);
		if (n < 0) {
			unifw_error_where(err, s->name);
			return n;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	s->pos += done;
	return (ssize_t)done;
}

int unifw_stream_read_exact(struct unifw_stream *s, void *buf, size_t len, const char *what,
			    struct unifw_error *err)
{
	uint64_t at = s->pos;
	ssize_t n = unifw_stream_read(s, buf, len, err);
	if (n < 0)
		return (int)n;
	if ((size_t)n < len)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, s->name, at + (uint64_t)n,
				       "input ends inside %s: expected %zu bytes, found %zd", what ? what : "data", len, n);
	return 0;
}

int unifw_stream_skip(struct unifw_stream *s, uint64_t n, struct unifw_error *err)
{
	uint8_t tmp[65536];
	if (s->pread && s->size != UNIFW_SIZE_UNKNOWN) {
		/* Seekable: positions are tracked by pos; file_read uses the fd offset, so move it too. */
		if (s->pos + n > s->size)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, s->name, s->size,
					       "input ends; expected %llu more bytes", (unsigned long long)(s->pos + n - s->size));
		if (s->read == file_read) {
			struct file_ctx *f = s->ctx;
			if (lseek(f->fd, (off_t)(s->pos + n), SEEK_SET) < 0)
				return unifw_error_sys(err, s->name, "seek");
		} else if (s->read == mem_read) {
			((struct mem_ctx *)s->ctx)->pos = (size_t)(s->pos + n);
		} else {
			goto by_reading;
		}
		s->pos += n;
		return 0;
	}
by_reading:
	while (n) {
		size_t chunk = n < sizeof tmp ? (size_t)n : sizeof tmp;
		int rc = unifw_stream_read_exact(s, tmp, chunk, "skipped data", err);
		if (rc)
			return rc;
		n -= chunk;
	}
	return 0;
}

int unifw_stream_read_all(struct unifw_stream *s, uint64_t max, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	size_t cap, n = 0;
	uint8_t *p;

	*buf = NULL;
	*len = 0;
	if (s->size != UNIFW_SIZE_UNKNOWN && s->size - s->pos > max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, UNIFW_NO_OFFSET,
				       "file is %llu bytes; at most %llu bytes are read for this format",
				       (unsigned long long)s->size, (unsigned long long)max);
	/* Known size: room for all of it, the NUL and one spare byte so the end-of-stream read needs no growth. */
	cap = s->size != UNIFW_SIZE_UNKNOWN ? (size_t)(s->size - s->pos) + 2 : 1u << 20;
	p = malloc(cap);
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory (%zu bytes)", cap);
	for (;;) {
		if (cap - n < 2) {
			uint8_t *q = realloc(p, cap * 2);
			if (!q) {
				free(p);
				return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
			}
			p = q;
			cap *= 2;
		}
		ssize_t r = unifw_stream_read(s, p + n, cap - n - 1, err);
		if (r < 0) {
			free(p);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(p);
			return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, (uint64_t)max,
					       "input continues past %llu bytes, the limit for this format",
					       (unsigned long long)max);
		}
	}
	p[n] = 0;
	*buf = p;
	*len = n;
	return 0;
}

int unifw_file_read_head(const char *path, size_t max, uint8_t **buf, size_t *len, uint64_t *file_size,
			 struct unifw_error *err)
{
	struct unifw_stream s;
	int rc = unifw_stream_open_file(&s, path, err);
	if (rc)
		return rc;
	size_t want = (s.size != UNIFW_SIZE_UNKNOWN && s.size < max) ? (size_t)s.size : max;
	uint8_t *p = malloc(want ? want : 1);
	if (!p) {
		unifw_stream_close(&s);
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory reading %zu bytes", want);
	}
	ssize_t n = unifw_stream_read(&s, p, want, err);
	if (file_size)
		*file_size = s.size;
	unifw_stream_close(&s);
	if (n < 0) {
		free(p);
		return (int)n;
	}
	*buf = p;
	*len = (size_t)n;
	return 0;
}

int unifw_file_read_all(const char *path, size_t max, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	struct unifw_stream s;
	*buf = NULL;
	*len = 0;
	int rc = unifw_stream_open_file(&s, path, err);
	if (rc)
		return rc;
	rc = unifw_stream_read_all(&s, max, buf, len, err);
	unifw_stream_close(&s);
	return rc;
}

int unifw_fd_write_all(int fd, const void *buf, size_t n, const char *name, struct unifw_error *err)
{
	const uint8_t *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return unifw_error_sys(err, name, "write");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int unifw_fd_pwrite_all(int fd, const void *buf, size_t n, uint64_t off, const char *name, struct unifw_error *err)
{
	const uint8_t *p = buf;
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return unifw_error_sys(err, name, "write at 0x%llx", (unsigned long long)off);
		}
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

int unifw_file_temp_beside(const char *path, char **tmp, struct unifw_error *err)
{
	if (asprintf(tmp, "%s.tmp.XXXXXX", path) < 0) {
		*tmp = NULL;
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		int rc = unifw_error_sys(err, path, "create temporary file");
		free(*tmp);
		*tmp = NULL;
		return rc;
	}
	return fd;
}

int unifw_file_temp_finish(int fd, char *tmp, const char *path, int rc, struct unifw_error *err)
{
	if (!rc && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = unifw_error_sys(err, tmp, "fsync");
	close(fd);
	if (!rc && rename(tmp, path) < 0)
		rc = unifw_error_sys(err, path, "rename %s", tmp);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int unifw_file_write_atomic(const char *path, const void *buf, size_t len, struct unifw_error *err)
{
	char *tmp = NULL;
	int fd = unifw_file_temp_beside(path, &tmp, err);
	if (fd < 0)
		return fd;
	return unifw_file_temp_finish(fd, tmp, path, unifw_fd_write_all(fd, buf, len, tmp, err), err);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path); /* what cannot be removed shows in the check at the end */
	return 0;
}

bool unifw_remove_tree(const char *path)
{
	if (!path || !*path)
		return true;
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	struct stat st;
	return lstat(path, &st) != 0 && errno == ENOENT;
}

int unifw_dir_check_empty(const char *dir, bool *exists, struct unifw_error *err)
{
	struct stat st;
	*exists = false;
	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 0 : unifw_error_sys(err, dir, "cannot look at the output folder");
	DIR *d = S_ISDIR(st.st_mode) ? opendir(dir) : NULL;
	if (!d)
		return S_ISDIR(st.st_mode) ? unifw_error_sys(err, dir, "exists and cannot be read as a folder")
					   : unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "exists and is not a folder");
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	*exists = true;
	return empty ? 0
		     : unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET,
				       "the output folder exists and is not empty: give a new or empty folder");
}
