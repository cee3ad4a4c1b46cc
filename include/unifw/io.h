/* File and stream helpers. Small formats are read into memory with an explicit size limit;
 * large images (system, userdata, whole-eMMC dumps, zip members) are read as a stream. */
#ifndef UNIFW_IO_H
#define UNIFW_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "unifw/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_SIZE_UNKNOWN UINT64_MAX

/* A byte source: sequential read always; pread only when random access is possible
 * (a plain file yes, a zip member no). `name` is used in error messages. */
struct unifw_stream {
	/* Returns bytes read (0 at end) or a negative unifw_status with err filled. */
	ssize_t (*read)(void *ctx, void *buf, size_t len, struct unifw_error *err);
	/* Random access read of exactly len bytes at off; NULL if unsupported. Returns 0 or negative. */
	int (*pread)(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err);
	void (*close)(void *ctx);
	void *ctx;
	uint64_t size;      /* UNIFW_SIZE_UNKNOWN if not known */
	uint64_t pos;       /* bytes consumed by unifw_stream_read/skip so far */
	char name[256];
};

/* Open a file as a stream (read + pread). */
int unifw_stream_open_file(struct unifw_stream *s, const char *path, struct unifw_error *err);
/* A stream over memory the caller keeps alive. */
void unifw_stream_from_mem(struct unifw_stream *s, const void *buf, size_t len, const char *name);
void unifw_stream_close(struct unifw_stream *s);
/* Read up to len bytes, looping over short reads; returns bytes read (< len only at end) or negative. */
ssize_t unifw_stream_read(struct unifw_stream *s, void *buf, size_t len, struct unifw_error *err);
/* Read exactly len bytes or fail with UNIFW_E_TRUNCATED naming the offset. */
int unifw_stream_read_exact(struct unifw_stream *s, void *buf, size_t len, const char *what,
			    struct unifw_error *err);
/* Skip n bytes (pread-capable streams seek; others read and discard). */
int unifw_stream_skip(struct unifw_stream *s, uint64_t n, struct unifw_error *err);

/* Read what remains of a stream into one malloc'd buffer (caller frees *buf), refusing more than
 * max bytes with UNIFW_E_TOO_BIG (the size found and the limit in the message). The buffer has one
 * extra NUL byte after *len so that text formats can use it as a string. Streams of unknown size
 * (archive members) grow the buffer as they go. */
int unifw_stream_read_all(struct unifw_stream *s, uint64_t max, uint8_t **buf, size_t *len, struct unifw_error *err);

/* Read a whole file of at most max bytes into a malloc'd buffer (caller frees *buf), as
 * unifw_stream_read_all does: a larger file fails with UNIFW_E_TOO_BIG (size found and limit) before
 * anything is read, and the buffer has a NUL after *len. */
int unifw_file_read_all(const char *path, size_t max, uint8_t **buf, size_t *len, struct unifw_error *err);
/* Read at most max bytes from the start of a file (for detection / headers). */
int unifw_file_read_head(const char *path, size_t max, uint8_t **buf, size_t *len, uint64_t *file_size,
			 struct unifw_error *err);
/* Write a file atomically: temp file in the same directory, fsync, rename. */
int unifw_file_write_atomic(const char *path, const void *buf, size_t len, struct unifw_error *err);
/* A file written in steps, then put in place atomically. unifw_file_temp_beside creates path.tmp.XXXXXX in
 * path's directory (its malloc'd name in *tmp) and returns its fd (< 0: the error). unifw_file_temp_finish
 * closes fd; when rc is 0 it fsyncs and renames the temp over path, otherwise (or when that fails) it removes
 * the temp; it frees tmp and returns rc or the first error. */
int unifw_file_temp_beside(const char *path, char **tmp, struct unifw_error *err);
/* An output folder a job may fill: absent (*exists false) or an empty folder (*exists true) is 0; a file, or a
 * folder with anything in it, is UNIFW_E_INVALID ("... is not empty: give a new or empty folder"), so that a
 * job's files never mix with what was there. */
int unifw_dir_check_empty(const char *dir, bool *exists, struct unifw_error *err);
int unifw_file_temp_finish(int fd, char *tmp, const char *path, int rc, struct unifw_error *err);

/* Remove a directory tree (or a file) without following symbolic links: true when it is gone. */
bool unifw_remove_tree(const char *path);

/* Write all n bytes to fd, retrying after EINTR and short writes; a write that takes nothing is an
 * error (EIO) rather than a loop without end. UNIFW_E_IO names `name` ("write: <strerror>"). */
int unifw_fd_write_all(int fd, const void *buf, size_t n, const char *name, struct unifw_error *err);
/* The same at file offset off with pwrite ("write at 0x<off>: <strerror>", off where it failed). */
int unifw_fd_pwrite_all(int fd, const void *buf, size_t n, uint64_t off, const char *name, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
