/* Identity writes, the mechanics (idwrite_internal.h): a plan of ranges held in memory and saved whole before
 * the first write (so that a resumed job writes exactly what the first run planned, even where the first run
 * already changed the phone, e.g. half of USRDATA's blocks), a journal of how many ranges are verified, and
 * the executor: write, read back, compare, journal. */
#include "ops/idwrite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/hash.h"
#include "unifw/io.h"
#include "util/bytes.h"
#include "util/clock.h"

#define PLAN_MAGIC "UNIFWIDW"
#define PLAN_VERSION 1u
#define ITEM_HEAD (32u + 4u + 8u + 8u)
#define PLAN_HEAD (8u + 4u + 4u + 16u + 16u)

const char *unifw_idwrite_op_name(enum unifw_idwrite_op op)
{
	switch (op) {
	case UNIFW_IDWRITE_SET_MAC: return "set-mac";
	case UNIFW_IDWRITE_SET_BT: return "set-bt";
	default: return "restore";
	}
}

int unifw_idrestore_paths(const uint8_t cid[16], char *journal, char *plan, size_t cap, struct unifw_error *err)
{
	char state[4096], hex[33];
	int rc = unifw_flash_state_dir(state, sizeof state, err);
	if (rc)
		return rc;
	unifw_hex(cid, 16, hex);
	if ((size_t)snprintf(journal, cap, "%s/%s/%s.journal", state, UNIFW_IDRESTORE_DIR, hex) >= cap ||
	    (size_t)snprintf(plan, cap, "%s/%s/%s.plan", state, UNIFW_IDRESTORE_DIR, hex) >= cap)
		return unifw_error_set(err, UNIFW_E_INVALID, state, UNIFW_NO_OFFSET, "state path too long");
	return 0;
}

/* ---------------------------------------------------------------- plan */

static int push_item(struct idw_plan *p, const char *name, enum unifw_phone_part part, uint64_t off,
		     const uint8_t *data, uint64_t len, struct unifw_error *err)
{
	if (p->count >= IDW_MAX_ITEMS || p->bytes + len > IDW_MAX_PLAN_BYTES)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, off, "the identity write plan outgrows %u ranges / %llu MiB",
				       IDW_MAX_ITEMS, (unsigned long long)(IDW_MAX_PLAN_BYTES >> 20));
	if (p->count == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 32;
		struct idw_item *nv = realloc(p->items, ncap * sizeof *nv);
		if (!nv)
			return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
		p->items = nv;
		p->cap = ncap;
	}
	struct idw_item *it = &p->items[p->count];
	memset(it, 0, sizeof *it);
	snprintf(it->name, sizeof it->name, "%s", name);
	it->part = part;
	it->off = off;
	it->len = len;
	it->data = malloc(len ? (size_t)len : 1);
	if (!it->data)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	memcpy(it->data, data, (size_t)len);
	p->count++;
	p->bytes += len;
	return 0;
}

int idw_plan_add(struct idw_plan *p, const char *name, enum unifw_phone_part part, uint64_t off, const uint8_t *data,
		 uint64_t len, struct unifw_error *err)
{
	for (uint64_t at = 0; at < len; at += UNIFW_IDRESTORE_RANGE) {
		uint64_t n = len - at < UNIFW_IDRESTORE_RANGE ? len - at : UNIFW_IDRESTORE_RANGE;
		int rc = push_item(p, name, part, off + at, data + at, n, err);
		if (rc)
			return rc;
	}
	return 0;
}

int idw_plan_add_diff(struct idw_plan *p, const char *name, enum unifw_phone_part part, uint64_t off,
		      const uint8_t *before, const uint8_t *now, uint64_t len, struct unifw_error *err)
{
	const uint64_t s = UNIFW_FLASH_SECTOR;
	for (uint64_t at = 0; at < len;) {
		uint64_t n = len - at < s ? len - at : s;
		if (!memcmp(before + at, now + at, (size_t)n)) {
			at += n;
			continue;
		}
		uint64_t end = at + n;
		while (end < len) {
			uint64_t m = len - end < s ? len - end : s;
			if (!memcmp(before + end, now + end, (size_t)m))
				break;
			end += m;
		}
		int rc = idw_plan_add(p, name, part, off + at, now + at, end - at, err);
		if (rc)
			return rc;
		at = end;
	}
	return 0;
}

void idw_plan_free(struct idw_plan *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->items[i].data);
	free(p->items);
	memset(p, 0, sizeof *p);
}

int idw_plan_save(const char *path, struct idw_plan *p, struct unifw_error *err)
{
	uint64_t size = PLAN_HEAD + p->count * (uint64_t)ITEM_HEAD + p->bytes + 32;
	uint8_t *b = calloc(1, (size_t)size), *w = b;
	if (!b)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	memcpy(w, PLAN_MAGIC, 8);
	put_le32(w + 8, PLAN_VERSION);
	put_le32(w + 12, (uint32_t)p->count);
	memcpy(w + 16, p->op, strnlen(p->op, 15));
	memcpy(w + 32, p->cid, 16);
	w += PLAN_HEAD;
	for (size_t i = 0; i < p->count; i++) {
		const struct idw_item *it = &p->items[i];
		memcpy(w, it->name, strnlen(it->name, 31));
		put_le32(w + 32, (uint32_t)it->part);
		put_le64(w + 36, it->off);
		put_le64(w + 44, it->len);
		memcpy(w + ITEM_HEAD, it->data, (size_t)it->len);
		w += ITEM_HEAD + it->len;
	}
	unifw_sha256(b, (size_t)(size - 32), p->sha256);
	memcpy(w, p->sha256, 32);
	int rc = unifw_file_write_atomic(path, b, (size_t)size, err);
	free(b);
	return rc;
}

static int plan_bad(struct unifw_error *err, const char *path, uint64_t off, const char *what)
{
	return unifw_error_set(err, UNIFW_E_FORMAT, path, off, "identity write plan: %s", what);
}

static int parse_item(const uint8_t *b, size_t len, uint64_t *at, const char *path, struct idw_plan *p,
		      struct unifw_error *err)
{
	uint32_t part = 0, lo = 0, hi = 0;
	uint64_t off, n;
	if (*at + ITEM_HEAD > len - 32)
		return plan_bad(err, path, *at, "a range runs past the end of the file");
	const uint8_t *h = b + *at;
	if (unifw_fieldlen(h, 32) == 32)
		return plan_bad(err, path, *at, "a partition name without its NUL");
	get_le32(b, len, *at + 32, &part);
	get_le32(b, len, *at + 36, &lo);
	get_le32(b, len, *at + 40, &hi);
	off = (uint64_t)hi << 32 | lo;
	get_le32(b, len, *at + 44, &lo);
	get_le32(b, len, *at + 48, &hi);
	n = (uint64_t)hi << 32 | lo;
	if ((part != UNIFW_PHONE_BOOT1 && part != UNIFW_PHONE_USER) || n == 0 || n > UNIFW_IDRESTORE_RANGE ||
	    n > len - 32 - *at - ITEM_HEAD || off > UINT64_MAX - n)
		return plan_bad(err, path, *at, "a range with a bad region, length or offset");
	char name[33];
	memcpy(name, h, 32);
	name[32] = 0;
	int rc = push_item(p, name, (enum unifw_phone_part)part, off, h + ITEM_HEAD, n, err);
	*at += ITEM_HEAD + n;
	return rc;
}

int idw_plan_load(const char *path, struct idw_plan *p, struct unifw_error *err)
{
	uint8_t *b = NULL, sum[32];
	size_t len = 0;
	memset(p, 0, sizeof *p);
	int rc = unifw_file_read_all(path, IDW_MAX_PLAN_BYTES + (64u << 20), &b, &len, err);
	if (rc)
		return rc;
	uint32_t version = 0, count = 0;
	if (len < PLAN_HEAD + 32 || memcmp(b, PLAN_MAGIC, 8))
		rc = plan_bad(err, path, 0, "not a plan file (magic UNIFWIDW)");
	else if (unifw_sha256(b, len - 32, sum), memcmp(sum, b + len - 32, 32))
		rc = plan_bad(err, path, len - 32, "its SHA-256 does not match its contents (damaged)");
	else if (get_le32(b, len, 8, &version), version != PLAN_VERSION)
		rc = plan_bad(err, path, 8, "unknown version");
	else if (get_le32(b, len, 12, &count), count > IDW_MAX_ITEMS || unifw_fieldlen(b + 16, 16) == 16)
		rc = plan_bad(err, path, 12, "bad range count or operation name");
	if (!rc) {
		memcpy(p->op, b + 16, 16);
		memcpy(p->cid, b + 32, 16);
		uint64_t at = PLAN_HEAD;
		for (uint32_t i = 0; !rc && i < count; i++)
			rc = parse_item(b, len, &at, path, p, err);
		if (!rc && at != len - 32)
			rc = plan_bad(err, path, at, "bytes after the last range");
		memcpy(p->sha256, sum, 32);
	}
	free(b);
	if (rc)
		idw_plan_free(p);
	return rc;
}

/* ---------------------------------------------------------------- journal */

int idw_journal_save(const char *path, const struct idw_journal *j, struct unifw_error *err)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "identity_write_journal");
	unifw_jv_set_uint(o, "version", 1);
	unifw_jv_set_str(o, "op", j->op);
	unifw_jv_set_str(o, "cid", j->cid);
	unifw_jv_set_str(o, "plan_sha256", j->plan_sha256);
	unifw_jv_set_str(o, "state", j->state);
	unifw_jv_set_uint(o, "ranges", j->total);
	unifw_jv_set_uint(o, "verified", j->done);
	unifw_jv_set_str(o, "identity_backup", j->backup);
	unifw_jv_set_str(o, "source", j->source);
	char now[32];
	unifw_utc_iso(now, sizeof now);
	unifw_jv_set_str(o, "updated", now);
	unifw_jv_set_str(o, "last_error", j->last_error);
	char *text = unifw_jv_oom(o) ? NULL : unifw_jv_to_string(o, true);
	unifw_jv_free(o);
	if (!text)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory writing the journal");
	int rc = unifw_file_write_atomic(path, text, strlen(text), err);
	free(text);
	return rc;
}

int idw_journal_load(const char *path, struct idw_journal *j, struct unifw_error *err)
{
	char *text = NULL;
	size_t len = 0;
	struct unifw_jv *root = NULL;
	memset(j, 0, sizeof *j);
	int rc = unifw_file_read_all(path, 1u << 20, (uint8_t **)&text, &len, err);
	if (!rc)
		rc = unifw_jv_parse(text, len, path, 1u << 20, 8, &root, err);
	char type[40] = "";
	uint64_t version = 0;
	const struct unifw_jv_field f[] = {
		{"type", UNIFW_JF_STR, true, type, sizeof type, 0, 0, false},
		{"version", UNIFW_JF_U64, true, &version, 0, 1, 1, false},
		{"op", UNIFW_JF_STR, true, j->op, sizeof j->op, 0, 0, false},
		{"cid", UNIFW_JF_STR, true, j->cid, sizeof j->cid, 0, 0, false},
		{"plan_sha256", UNIFW_JF_STR, true, j->plan_sha256, sizeof j->plan_sha256, 0, 0, false},
		{"state", UNIFW_JF_STR, true, j->state, sizeof j->state, 0, 0, false},
		{"ranges", UNIFW_JF_U64, true, &j->total, 0, 0, IDW_MAX_ITEMS, false},
		{"verified", UNIFW_JF_U64, true, &j->done, 0, 0, IDW_MAX_ITEMS, false},
		{"identity_backup", UNIFW_JF_STR, true, j->backup, sizeof j->backup, 0, 0, false},
		{"source", UNIFW_JF_STR, true, j->source, sizeof j->source, 0, 0, false},
		{"updated", UNIFW_JF_STR, false, j->updated, sizeof j->updated, 0, 0, false},
		{"last_error", UNIFW_JF_STR, false, j->last_error, sizeof j->last_error, 0, 0, false},
	};
	if (!rc)
		rc = unifw_jv_read(root, f, sizeof f / sizeof *f, path, "identity write journal", err);
	if (!rc && (strcmp(type, "identity_write_journal") || j->done > j->total || strlen(j->cid) != 32 ||
		    strlen(j->plan_sha256) != 64))
		rc = unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				     "not an identity write journal, or its counts, CID or plan hash are out of shape");
	unifw_jv_free(root);
	free(text);
	return rc;
}

/* ---------------------------------------------------------------- execute */

/* The source is pulled in order (phone.h); the sink gets offsets in the hardware partition. */
struct mem_src {
	const struct idw_item *it;
	uint64_t pos;
};

static int src_mem(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem_src *m = ctx;
	(void)off;
	if (len > m->it->len - m->pos)
		return unifw_error_set(err, UNIFW_E_INVALID, m->it->name, m->it->off + m->pos,
				       "the write asked for more bytes than the range holds");
	memcpy(buf, m->it->data + m->pos, len);
	m->pos += len;
	return 0;
}

struct readback {
	uint8_t *buf;
	uint64_t start, len;
};

static int sink_mem(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct readback *r = ctx;
	if (off < r->start || off - r->start > r->len || len > r->len - (off - r->start))
		return unifw_error_set(err, UNIFW_E_DEVICE, "read-back", off, "the phone sent bytes outside the range asked");
	memcpy(r->buf + (off - r->start), data, len);
	return 0;
}

static int write_verified(const struct unifw_flash_device *dev, const struct idw_item *it, uint8_t *scratch,
			  struct unifw_error *err)
{
	struct mem_src m = { it, 0 };
	int rc = dev->write(dev->ctx, it->part, it->off, it->len, src_mem, &m, err);
	if (rc)
		return rc;
	struct readback r = { scratch, it->off, it->len };
	rc = dev->read(dev->ctx, it->part, it->off, it->len, sink_mem, &r, err);
	if (rc)
		return rc;
	for (uint64_t i = 0; i < it->len; i++)
		if (scratch[i] != it->data[i])
			return unifw_error_set(err, UNIFW_E_DEVICE, it->name, it->off + i,
					       "read-back differs from what was written at byte 0x%llx of the range at 0x%llx "
					       "(wrote 0x%02x, read 0x%02x)",
					       (unsigned long long)i, (unsigned long long)it->off, it->data[i], scratch[i]);
	return 0;
}

static void journal_fail(struct idw_journal *j, const char *path, const struct unifw_error *e)
{
	snprintf(j->state, sizeof j->state, "interrupted");
	snprintf(j->last_error, sizeof j->last_error, "%s", e->msg);
	idw_journal_save(path, j, NULL);
}

int idw_execute(const struct unifw_flash_device *dev, const struct idw_plan *p, struct idw_journal *j,
		const char *journal_path, const struct unifw_progress *progress, const struct unifw_cancel *cancel,
		struct idw_result *res, struct unifw_error *err)
{
	memset(res, 0, sizeof *res);
	res->ranges_resumed = j->done;
	uint8_t *scratch = malloc(UNIFW_IDRESTORE_RANGE);
	if (!scratch)
		return unifw_error_set(err, UNIFW_E_NOMEM, "identity write", UNIFW_NO_OFFSET, "out of memory");
	snprintf(j->state, sizeof j->state, "running");
	j->last_error[0] = 0;
	int rc = idw_journal_save(journal_path, j, err);
	uint64_t total = 0, done = 0;
	for (size_t i = 0; i < p->count; i++)
		total += p->items[i].len;
	for (size_t i = 0; i < j->done && i < p->count; i++)
		done += p->items[i].len;
	unifw_progress_begin(progress, "write", "identity", total);
	unifw_progress_update(progress, done);
	for (size_t i = (size_t)j->done; !rc && i < p->count; i++) {
		const struct idw_item *it = &p->items[i];
		char what[64];
		snprintf(what, sizeof what, "before the range at 0x%llx", (unsigned long long)it->off);
		rc = unifw_cancel_check(cancel, it->name, what, err);
		if (!rc)
			rc = write_verified(dev, it, scratch, err);
		if (rc) {
			unifw_error_prefix(err, "%s, range %zu of %zu: ", it->name, i + 1, p->count);
			break;
		}
		res->ranges_written++;
		res->bytes_written += it->len;
		res->bytes_verified += it->len;
		done += it->len;
		unifw_progress_update(progress, done);
		j->done = i + 1;
		if (j->done == p->count)
			snprintf(j->state, sizeof j->state, "done");
		rc = idw_journal_save(journal_path, j, err);
	}
	unifw_progress_end(progress, rc, rc ? "stopped" : "written and verified");
	if (rc)
		journal_fail(j, journal_path, err);
	free(scratch);
	return rc;
}
