/* Private to the backup job: the hash-and-store pipeline (backup_store.c) that backup.c streams each
 * image through. */
#ifndef UNIFW_OPS_BACKUP_INTERNAL_H
#define UNIFW_OPS_BACKUP_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/hash.h"
#include "unifw/progress.h"

/* The READ protocol is stop-and-wait: the phone sends the next packet only after the host's ACK.
 * The sink therefore only copies each packet into a ring of slots; two worker threads take it from
 * there in parallel, one hashing (SHA-256, the largest cost) and one writing, reading back and
 * comparing. A slot is reused once both have passed it. Each worker goes through the slots in
 * order, so the hash and the file see the bytes in the phone's order. */
#define QDEPTH 8u
#define QSLOT (1u << 20)

struct writer {
	int fd;
	const char *path;
	uint64_t base;        /* hardware-partition offset of file offset 0 */
	uint64_t done;        /* file bytes handled (written or left as holes) */
	struct unifw_sha256 sha;
	bool skip_empty;
	uint64_t holes;
	uint64_t flushed, dropped; /* file offsets: disk write started / left the page cache */
	const struct unifw_progress *progress;
	uint8_t *check;       /* read-back buffer of the writer thread */
};

struct queue {
	pthread_t hasher, storer;
	pthread_mutex_t mu;
	pthread_cond_t work;  /* workers wait here for a filled slot */
	pthread_cond_t space; /* the sink waits here for a free slot, the drain for the end */
	uint8_t *buf[QDEPTH];
	size_t len[QDEPTH];
	uint64_t pos[QDEPTH];
	uint64_t filled, hashed, stored; /* slots handed over / hashed / stored so far */
	bool stop, failed;
	int threads;
	struct unifw_error err;
	struct writer *w;
};

/* The slots and the read-back buffer live as long as the backup: fresh 1 MiB buffers for every
 * image would cost a page fault per 4 KiB on first touch. */
struct buffers {
	uint8_t *slot[QDEPTH];
	uint8_t *check;
};

/* One image: start the two threads (taking the buffers, allocated on first use), feed the bytes through
 * backup_queue_sink (a unifw read sink, ctx = the queue), wait with backup_queue_drain, end with
 * backup_queue_stop. */
int backup_queue_start(struct queue *q, struct writer *w, struct buffers *b, struct unifw_error *err);
int backup_queue_drain(struct queue *q, struct unifw_error *err);
void backup_queue_stop(struct queue *q);
int backup_queue_sink(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err);
void backup_buffers_free(struct buffers *b);
/* SHA-256 of a file's first n bytes, into an open context (resume) or a fresh digest. */
int backup_hash_file(int fd, uint64_t n, struct unifw_sha256 *h, const char *path, struct unifw_error *err);

#endif
