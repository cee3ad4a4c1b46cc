/* Internals of the identity writes (idrestore.h): the plan (every byte to write, decided before the first
 * write), its file, the journal and the executor. Shared by identity_restore.c and the unit tests. */
#ifndef UNIFW_OPS_IDWRITE_INTERNAL_H
#define UNIFW_OPS_IDWRITE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/flash.h"
#include "unifw/idrestore.h"

#define IDW_MAX_ITEMS 100000u
#define IDW_MAX_PLAN_BYTES (512ull << 20)

struct idw_item {
	char name[32];               /* partition */
	enum unifw_phone_part part;
	uint64_t off, len;           /* in the hardware partition; len <= UNIFW_IDRESTORE_RANGE */
	uint8_t *data;
};

struct idw_plan {
	char op[16];
	uint8_t cid[16];
	struct idw_item *items;
	size_t count, cap;
	uint64_t bytes;
	uint8_t sha256[32];          /* of the plan file's contents (idw_plan_save / load) */
};

/* Append len bytes at off, cut into ranges of at most UNIFW_IDRESTORE_RANGE (data copied). */
int idw_plan_add(struct idw_plan *p, const char *name, enum unifw_phone_part part, uint64_t off, const uint8_t *data,
		 uint64_t len, struct unifw_error *err);
/* Append only the 512-byte sectors where now differs from before (runs merged). */
int idw_plan_add_diff(struct idw_plan *p, const char *name, enum unifw_phone_part part, uint64_t off,
		      const uint8_t *before, const uint8_t *now, uint64_t len, struct unifw_error *err);
void idw_plan_free(struct idw_plan *p);
/* Binary file: "UNIFWIDW", version, op, CID, items (name, part, offset, length, bytes), SHA-256 of it all.
 * save fills p->sha256; load checks every bound and the SHA-256 (a damaged file: UNIFW_E_FORMAT). */
int idw_plan_save(const char *path, struct idw_plan *p, struct unifw_error *err);
int idw_plan_load(const char *path, struct idw_plan *p, struct unifw_error *err);

struct idw_journal {
	char op[16];
	char cid[33];
	char plan_sha256[65];
	char state[16];              /* "running", "interrupted", "done" */
	uint64_t total, done;        /* ranges of the plan; ranges written and verified, in order */
	char backup[4096];           /* the vault entry taken before the first write */
	char source[4096];
	char updated[32];
	char last_error[512];
};
int idw_journal_save(const char *path, const struct idw_journal *j, struct unifw_error *err);
int idw_journal_load(const char *path, struct idw_journal *j, struct unifw_error *err);

struct idw_result {
	uint64_t ranges_written, bytes_written, bytes_verified, ranges_resumed;
};
/* Write the plan's ranges from j->done on, each read back and compared; the journal is saved after each
 * verified range, and with state "interrupted" and the error on a failure or a stop. */
int idw_execute(const struct unifw_flash_device *dev, const struct idw_plan *p, struct idw_journal *j,
		const char *journal_path, const struct unifw_progress *progress, const struct unifw_cancel *cancel,
		struct idw_result *res, struct unifw_error *err);

#endif
