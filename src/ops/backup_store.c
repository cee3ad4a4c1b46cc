/* The backup's hash-and-store pipeline (ops/backup_internal.h): the image's bytes as the phone sends them
 * go through a ring of slots to a hashing thread and a writing thread, which leaves empty blocks as holes
 * (skip_empty), reads back what it wrote and keeps the page cache small. */
#include "ops/backup_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unifw/io.h"

#define BLOCK 4096u              /* hole granularity for skip_empty */
#define HASH_BUF (1u << 20)

static bool zero_block(const uint8_t *b, size_t n)
{
	/* word-wise: memcmp against a zero page costs twice the memory traffic */
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		if (w)
			return false;
	}
	for (; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static int store(struct writer *w, const uint8_t *data, size_t len, uint64_t pos, struct unifw_error *err);

/* Streaming to disk, from the writer thread: each verified block's disk write starts at once, so
 * the journal's syncfs and the final one find little left to do (instead of a whole image being
 * flushed when it is closed, stalling the READ loop); blocks written FLUSH_LAG earlier are waited
 * for and dropped from the page cache, so a backup of gigabytes keeps a few MiB of cache instead of
 * pushing out everything else (and reuses the same pages). Advice only: errors are ignored here,
 * the read-back has checked the bytes and syncfs reports what the disk says. */
#define FLUSH_LAG (8u << 20)
static void writer_flush(struct writer *w, uint64_t end)
{
	(void)sync_file_range(w->fd, (off_t)w->flushed, (off_t)(end - w->flushed), SYNC_FILE_RANGE_WRITE);
	w->flushed = end;
	if (end - w->dropped < 2 * FLUSH_LAG)
		return;
	uint64_t upto = end - FLUSH_LAG;
	(void)sync_file_range(w->fd, (off_t)w->dropped, (off_t)(upto - w->dropped),
			      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
	(void)posix_fadvise(w->fd, (off_t)w->dropped, (off_t)(upto - w->dropped), POSIX_FADV_DONTNEED);
	w->dropped = upto;
}

/* Store bytes at file offset pos, then read them back and compare: the file must hold exactly what
 * the phone sent (holes read as zeros). */
static int writer_store(struct writer *w, const uint8_t *data, size_t len, uint64_t pos, struct unifw_error *err)
{
	int rc = store(w, data, len, pos, err);
	if (rc < 0)
		return rc;
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(w->fd, w->check + got, len - got, (off_t)(pos + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return unifw_error_sys(err, w->path, "cannot read back at 0x%llx", (unsigned long long)(pos + got));
		if (r == 0) { /* trailing holes (skip_empty) are not part of the file yet: zeros */
			memset(w->check + got, 0, len - got);
			break;
		}
		got += (size_t)r;
	}
	if (memcmp(w->check, data, len))
		return unifw_error_set(err, UNIFW_E_IO, w->path, pos,
				       "the bytes read back from the file differ from what the phone sent");
	writer_flush(w, pos + len);
	return 0;
}

static int writer_hash(struct writer *w, const uint8_t *data, size_t len, uint64_t pos, struct unifw_error *err)
{
	(void)pos;
	(void)err;
	unifw_sha256_update(&w->sha, data, len);
	return 0;
}

static int store(struct writer *w, const uint8_t *data, size_t len, uint64_t pos, struct unifw_error *err)
{
	if (!w->skip_empty)
		return unifw_fd_pwrite_all(w->fd, data, len, pos, w->path, err);
	/* Blocks aligned to the file: all-zero ones are skipped (holes), runs of others written at once. */
	size_t i = 0;
	while (i < len) {
		size_t n = (size_t)(BLOCK - (pos + i) % BLOCK);
		if (n > len - i)
			n = len - i;
		if (n == BLOCK && zero_block(data + i, n)) {
			w->holes += n;
			i += n;
			continue;
		}
		size_t start = i;
		i += n;
		while (i < len) {
			size_t m = len - i < BLOCK ? len - i : BLOCK;
			if (m == BLOCK && zero_block(data + i, m))
				break;
			i += m;
		}
		int rc = unifw_fd_pwrite_all(w->fd, data + start, i - start, pos + start, w->path, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

typedef int (*slot_work)(struct writer *w, const uint8_t *data, size_t len, uint64_t pos, struct unifw_error *err);

/* One worker: apply work to every filled slot, counting them in *done. */
static void queue_serve(struct queue *q, uint64_t *done, slot_work work)
{
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (*done == q->filled && !q->stop)
			pthread_cond_wait(&q->work, &q->mu);
		if (*done == q->filled)
			break;
		size_t t = (size_t)(*done % QDEPTH);
		bool skip = q->failed;
		pthread_mutex_unlock(&q->mu);
		struct unifw_error e;
		unifw_error_clear(&e);
		int rc = skip ? 0 : work(q->w, q->buf[t], q->len[t], q->pos[t], &e);
		pthread_mutex_lock(&q->mu);
		if (rc < 0 && !q->failed) {
			q->failed = true;
			q->err = e;
		}
		(*done)++;
		pthread_cond_signal(&q->space); /* only the sink or the drain waits there */
	}
	pthread_mutex_unlock(&q->mu);
}

/* Named threads: a profile (perf, top -H) shows which stage costs what. */
static void *queue_hasher(void *arg)
{
	struct queue *q = arg;
	pthread_setname_np(pthread_self(), "unifw-hash");
	queue_serve(q, &q->hashed, writer_hash);
	return NULL;
}

static void *queue_storer(void *arg)
{
	struct queue *q = arg;
	pthread_setname_np(pthread_self(), "unifw-store");
	queue_serve(q, &q->stored, writer_store);
	return NULL;
}

static int buffers_get(struct buffers *b, const char *path, struct unifw_error *err)
{
	for (size_t i = 0; i < QDEPTH; i++)
		if (!b->slot[i] && !(b->slot[i] = malloc(QSLOT)))
			return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	if (!b->check && !(b->check = malloc(QSLOT)))
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	return 0;
}

void backup_buffers_free(struct buffers *b)
{
	for (size_t i = 0; i < QDEPTH; i++)
		free(b->slot[i]);
	free(b->check);
}

int backup_queue_start(struct queue *q, struct writer *w, struct buffers *b, struct unifw_error *err)
{
	memset(q, 0, sizeof *q);
	q->w = w;
	int rc = buffers_get(b, w->path, err);
	if (rc < 0)
		return rc;
	memcpy(q->buf, b->slot, sizeof q->buf);
	w->check = b->check;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->space, NULL);
	q->threads = 1; /* the mutex and the conditions exist from here on */
	if (pthread_create(&q->hasher, NULL, queue_hasher, q) != 0)
		return unifw_error_set(err, UNIFW_E_NOMEM, w->path, UNIFW_NO_OFFSET, "cannot start the hashing thread");
	q->threads = 2;
	if (pthread_create(&q->storer, NULL, queue_storer, q) != 0)
		return unifw_error_set(err, UNIFW_E_NOMEM, w->path, UNIFW_NO_OFFSET, "cannot start the writer thread");
	q->threads = 3;
	return 0;
}

/* Wait until everything queued is hashed and on disk (or failed). */
int backup_queue_drain(struct queue *q, struct unifw_error *err)
{
	pthread_mutex_lock(&q->mu);
	while (q->hashed < q->filled || q->stored < q->filled)
		pthread_cond_wait(&q->space, &q->mu);
	int rc = 0;
	if (q->failed) {
		*err = q->err;
		rc = q->err.code ? q->err.code : UNIFW_E_IO;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void backup_queue_stop(struct queue *q)
{
	if (q->threads) {
		pthread_mutex_lock(&q->mu);
		q->stop = true;
		pthread_cond_broadcast(&q->work);
		pthread_mutex_unlock(&q->mu);
		if (q->threads >= 2)
			pthread_join(q->hasher, NULL);
		if (q->threads >= 3)
			pthread_join(q->storer, NULL);
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->work);
		pthread_cond_destroy(&q->space);
	}
	q->threads = 0;
}

int backup_queue_sink(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct queue *q = ctx;
	struct writer *w = q->w;
	if (off != w->base + w->done)
		return unifw_error_set(err, UNIFW_E_DEVICE, w->path, w->done,
				       "the phone sent data for 0x%llx, expected 0x%llx", (unsigned long long)off,
				       (unsigned long long)(w->base + w->done));
	while (len) {
		size_t n = len < QSLOT ? len : QSLOT;
		pthread_mutex_lock(&q->mu);
		while (q->filled - (q->hashed < q->stored ? q->hashed : q->stored) == QDEPTH && !q->failed)
			pthread_cond_wait(&q->space, &q->mu);
		if (q->failed) {
			*err = q->err;
			pthread_mutex_unlock(&q->mu);
			return err->code ? err->code : UNIFW_E_IO;
		}
		size_t t = (size_t)(q->filled % QDEPTH);
		pthread_mutex_unlock(&q->mu);
		memcpy(q->buf[t], data, n); /* slot t is ours until filled covers it */
		pthread_mutex_lock(&q->mu);
		q->len[t] = n;
		q->pos[t] = w->done;
		q->filled++;
		pthread_cond_broadcast(&q->work);
		pthread_mutex_unlock(&q->mu);
		w->done += n;
		data += n;
		len -= n;
	}
	unifw_progress_update(w->progress, w->done);
	return 0;
}

/* SHA-256 of a file's first n bytes, into an open context (resume) or a fresh digest. */
int backup_hash_file(int fd, uint64_t n, struct unifw_sha256 *h, const char *path, struct unifw_error *err)
{
	uint8_t *buf = malloc(HASH_BUF);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	uint64_t off = 0;
	int rc = 0;
	while (off < n) {
		size_t want = n - off < HASH_BUF ? (size_t)(n - off) : HASH_BUF;
		ssize_t r = pread(fd, buf, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? unifw_error_sys(err, path, "cannot read back at 0x%llx", (unsigned long long)off)
				   : unifw_error_set(err, UNIFW_E_TRUNCATED, path, off, "the file ends early");
			break;
		}
		unifw_sha256_update(h, buf, (size_t)r);
		off += (uint64_t)r;
	}
	free(buf);
	return rc;
}

