/* The flash journal: a small JSON file per phone (keyed by its eMMC CID) that says which plan is being
 * executed and how far each partition got, so that `unifw flash --resume` continues a cut job. It is
 * rewritten whole, atomically (temporary file, fsync, rename, fsync of the directory), at every step;
 * a reader therefore sees the old or the new state, never a mix. Format: docs/flash.md "Journal". */
#include "ops/flash_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unifw/hash.h"
#include "unifw/json.h"
#include "unifw/package.h"

#define JOURNAL_TYPE "unifw-flash-journal"
#define JOURNAL_VERSION 2u /* 2: the check_sha256 integrity check */
#define JOURNAL_MAX_PARTS 256u
#define JOURNAL_MAX_BYTES (256u << 10)

int unifw_flash_state_dir(char *out, size_t len, struct unifw_error *err)
{
	const char *env = getenv("UNIFW_STATE_DIR");
	int n;
	if (env && env[0])
		n = snprintf(out, len, "%s", env);
	else if ((env = getenv("XDG_STATE_HOME")) && env[0] == '/')
		n = snprintf(out, len, "%s/unifw", env);
	else if ((env = getenv("HOME")) && env[0])
		n = snprintf(out, len, "%s/.local/state/unifw", env);
	else
		return unifw_error_set(err, UNIFW_E_INVALID, "state directory", UNIFW_NO_OFFSET,
				       "neither UNIFW_STATE_DIR, XDG_STATE_HOME nor HOME is set");
	if (n < 0 || (size_t)n >= len)
		return unifw_error_set(err, UNIFW_E_INVALID, "state directory", UNIFW_NO_OFFSET, "path too long");
	return 0;
}

int unifw_flash_journal_path(const uint8_t cid[16], char *out, size_t len, struct unifw_error *err)
{
	char dir[PATH_MAX], hex[33];
	int rc = unifw_flash_state_dir(dir, sizeof dir, err);
	if (rc)
		return rc;
	flash_cid_hex(cid, hex);
	int n = snprintf(out, len, "%s/flash/%s.journal", dir, hex);
	if (n < 0 || (size_t)n >= len)
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "journal path too long");
	return 0;
}

/* ---------------------------------------------------------------- save */

static struct unifw_jv *journal_to_json(const struct unifw_flash_journal *j)
{
	struct unifw_jv *o = unifw_jv_object();
	char hex[65];
	unifw_jv_set_str(o, "type", JOURNAL_TYPE);
	unifw_jv_set_uint(o, "version", JOURNAL_VERSION);
	unifw_jv_set_str(o, "state", j->state);
	flash_cid_hex(j->cid, hex);
	unifw_jv_set_str(o, "cid", hex);
	unifw_hex(j->plan_sha256, 32, hex);
	unifw_jv_set_str(o, "plan_sha256", hex);
	unifw_jv_set_str(o, "package", j->package);
	struct unifw_jv *opt = unifw_jv_set_obj(o, "options");
	unifw_jv_set_bool(opt, "with_preloader", j->opts.with_preloader);
	unifw_jv_set_bool(opt, "include_identity", j->opts.include_identity);
	unifw_jv_set_bool(opt, "verify", j->opts.verify);
	unifw_jv_set_uint(opt, "range_size", j->opts.range_size);
	unifw_jv_set_str(o, "started", j->started);
	unifw_jv_set_str(o, "updated", j->updated);
	if (j->identity_backup[0])
		unifw_jv_set_str(o, "identity_backup", j->identity_backup);
	else
		unifw_jv_set(o, "identity_backup", NULL);
	unifw_jv_set_str(o, "last_error", j->last_error);
	struct unifw_jv *parts = unifw_jv_set_arr(o, "partitions");
	for (size_t i = 0; i < j->part_count; i++) {
		struct unifw_jv *p = unifw_jv_push_obj(parts);
		unifw_jv_set_str(p, "name", j->parts[i].name);
		unifw_jv_set_uint(p, "ranges", j->parts[i].ranges);
		unifw_jv_set_uint(p, "written", j->parts[i].written);
		unifw_jv_set_uint(p, "verified", j->parts[i].verified);
	}
	return o;
}

/* The integrity check: SHA-256 of the journal's content in one canonical form (the compact JSON of every
 * field but the check itself, keys in the order journal_to_json writes them). A reader recomputes it from
 * what it parsed, so a journal edited by hand or damaged in a way the JSON still parses is refused. It is
 * not a signature: whoever can write the file can recompute it. What a resume skips is therefore also
 * read back from the phone (flash.c). */
static int journal_check_sum(const struct unifw_flash_journal *j, uint8_t out[32])
{
	struct unifw_jv *o = journal_to_json(j);
	char *text = unifw_jv_oom(o) ? NULL : unifw_jv_to_string(o, false);
	unifw_jv_free(o);
	if (!text)
		return -1;
	unifw_sha256(text, strlen(text), out);
	free(text);
	return 0;
}

/* rename() is durable only once the directory entry is on disk too. */
static int fsync_dir_of(const char *path, struct unifw_error *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return unifw_error_sys(err, dir, "open directory to sync the journal");
	int rc = fsync(fd) < 0 && errno != EINVAL ? unifw_error_sys(err, dir, "fsync directory") : 0;
	close(fd);
	return rc;
}

int unifw_flash_journal_save(const char *path, const struct unifw_flash_journal *j, struct unifw_error *err)
{
	uint8_t check[32];
	char hex[65];
	struct unifw_jv *o = journal_check_sum(j, check) ? NULL : journal_to_json(j);
	if (o) {
		unifw_hex(check, 32, hex);
		unifw_jv_set_str(o, "check_sha256", hex);
	}
	char *text = !o || unifw_jv_oom(o) ? NULL : unifw_jv_to_string(o, true);
	unifw_jv_free(o);
	if (!text)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory writing the journal");
	size_t len = strlen(text);
	text[len] = '\n'; /* replaces the NUL: the buffer is not used as a string afterwards */
	int rc = unifw_file_write_atomic(path, text, len + 1, err);
	free(text);
	return rc ? rc : fsync_dir_of(path, err);
}

/* ---------------------------------------------------------------- load */

struct jread {
	const char *path;
	struct unifw_error *err;
	int rc;
};

static const struct unifw_jv *want(struct jread *r, const struct unifw_jv *obj, const char *key, enum unifw_jv_type t,
				   const char *what)
{
	const struct unifw_jv *v = unifw_jv_get(obj, key);
	bool ok = v && (unifw_jv_type(v) == t || (t == UNIFW_JV_UINT && unifw_jv_type(v) == UNIFW_JV_INT &&
						   unifw_jv_i64(v) >= 0));
	if (!ok && !r->rc)
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET, "journal key \"%s\": expected %s, %s",
					key, what, v ? "found another type" : "missing");
	return ok ? v : NULL;
}

static void want_str(struct jread *r, const struct unifw_jv *obj, const char *key, char *out, size_t len)
{
	const struct unifw_jv *v = want(r, obj, key, UNIFW_JV_STRING, "a string");
	const char *s = unifw_jv_str(v);
	if (!s)
		return;
	if (strlen(s) >= len && !r->rc)
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
					"journal key \"%s\": longer than %zu bytes", key, len - 1);
	else
		snprintf(out, len, "%s", s);
}

static uint64_t want_uint(struct jread *r, const struct unifw_jv *obj, const char *key)
{
	return unifw_jv_u64(want(r, obj, key, UNIFW_JV_UINT, "a non-negative number"));
}

static void want_hex(struct jread *r, const struct unifw_jv *obj, const char *key, uint8_t *out, size_t n)
{
	char s[129] = "";
	want_str(r, obj, key, s, sizeof s);
	if (r->rc)
		return;
	if (!unifw_unhex(s, out, n))
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
					"journal key \"%s\": expected %zu hex digits, found \"%s\"", key, 2 * n, s);
}

static void read_parts(struct jread *r, const struct unifw_jv *root, struct unifw_flash_journal *j)
{
	const struct unifw_jv *arr = want(r, root, "partitions", UNIFW_JV_ARRAY, "an array");
	if (!arr)
		return;
	size_t n = unifw_jv_len(arr);
	if (n > JOURNAL_MAX_PARTS) {
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
					"journal lists %zu partitions; a scatter has at most %u", n, JOURNAL_MAX_PARTS);
		return;
	}
	j->parts = calloc(n ? n : 1, sizeof *j->parts);
	if (!j->parts) {
		r->rc = unifw_error_set(r->err, UNIFW_E_NOMEM, r->path, UNIFW_NO_OFFSET, "out of memory");
		return;
	}
	j->part_count = n;
	for (size_t i = 0; i < n && !r->rc; i++) {
		const struct unifw_jv *p = unifw_jv_at(arr, i);
		struct unifw_flash_journal_part *jp = &j->parts[i];
		if (unifw_jv_type(p) != UNIFW_JV_OBJECT) {
			r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
						"journal partitions.%zu: expected an object", i);
			break;
		}
		want_str(r, p, "name", jp->name, sizeof jp->name);
		jp->ranges = want_uint(r, p, "ranges");
		jp->written = want_uint(r, p, "written");
		jp->verified = want_uint(r, p, "verified");
		if (!r->rc && (jp->written > jp->ranges || jp->verified > jp->written))
			r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
						"journal partitions.%zu (%s): expected verified <= written <= ranges, found "
						"%llu, %llu, %llu", i, jp->name, (unsigned long long)jp->verified,
						(unsigned long long)jp->written, (unsigned long long)jp->ranges);
	}
}

static void check_integrity(struct jread *r, const struct unifw_jv *root, const struct unifw_flash_journal *j)
{
	uint8_t stored[32], now[32];
	char a[65], b[65];
	want_hex(r, root, "check_sha256", stored, 32);
	if (r->rc)
		return;
	if (journal_check_sum(j, now)) {
		r->rc = unifw_error_set(r->err, UNIFW_E_NOMEM, r->path, UNIFW_NO_OFFSET, "out of memory");
		return;
	}
	if (memcmp(stored, now, 32)) {
		unifw_hex(stored, 32, a);
		unifw_hex(now, 32, b);
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
					"journal integrity check failed: its content hashes to %.16s..., its check_sha256 says "
					"%.16s...: it was edited or damaged, and its progress cannot be trusted (flash again "
					"without --resume)", b, a);
	}
}

static void read_root(struct jread *r, const struct unifw_jv *root, struct unifw_flash_journal *j)
{
	char type[64] = "";
	if (unifw_jv_type(root) != UNIFW_JV_OBJECT) {
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, 0, "journal: expected a JSON object");
		return;
	}
	want_str(r, root, "type", type, sizeof type);
	if (!r->rc && strcmp(type, JOURNAL_TYPE))
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
					"journal key \"type\": expected \"%s\", found \"%s\"", JOURNAL_TYPE, type);
	uint64_t version = want_uint(r, root, "version");
	if (!r->rc && version != JOURNAL_VERSION)
		r->rc = unifw_error_set(r->err, UNIFW_E_UNSUPPORTED, r->path, UNIFW_NO_OFFSET,
					"journal version %llu; this unifw reads version %u", (unsigned long long)version,
					JOURNAL_VERSION);
	want_str(r, root, "state", j->state, sizeof j->state);
	if (!r->rc && strcmp(j->state, "running") && strcmp(j->state, "interrupted") && strcmp(j->state, "done"))
		r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
					"journal key \"state\": expected running, interrupted or done, found \"%s\"", j->state);
	want_hex(r, root, "cid", j->cid, 16);
	want_hex(r, root, "plan_sha256", j->plan_sha256, 32);
	want_str(r, root, "package", j->package, sizeof j->package);
	const struct unifw_jv *opt = want(r, root, "options", UNIFW_JV_OBJECT, "an object");
	if (opt) {
		j->opts.with_preloader = unifw_jv_truthy(want(r, opt, "with_preloader", UNIFW_JV_BOOL, "true or false"));
		j->opts.include_identity = unifw_jv_truthy(want(r, opt, "include_identity", UNIFW_JV_BOOL, "true or false"));
		j->opts.verify = unifw_jv_truthy(want(r, opt, "verify", UNIFW_JV_BOOL, "true or false"));
		j->opts.range_size = want_uint(r, opt, "range_size");
		if (!r->rc && !unifw_flash_range_size_ok(j->opts.range_size))
			r->rc = unifw_error_set(r->err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
						"journal key \"range_size\": expected a multiple of 512 up to %llu, found %llu",
						(unsigned long long)UNIFW_FLASH_RANGE_MAX, (unsigned long long)j->opts.range_size);
	}
	want_str(r, root, "started", j->started, sizeof j->started);
	want_str(r, root, "updated", j->updated, sizeof j->updated);
	const struct unifw_jv *ib = unifw_jv_get(root, "identity_backup");
	if (ib && unifw_jv_type(ib) != UNIFW_JV_NULL)
		want_str(r, root, "identity_backup", j->identity_backup, sizeof j->identity_backup);
	want_str(r, root, "last_error", j->last_error, sizeof j->last_error);
	if (!r->rc)
		read_parts(r, root, j);
	check_integrity(r, root, j);
}

int unifw_flash_journal_parse(const char *text, size_t len, const char *name, struct unifw_flash_journal *j,
			      struct unifw_error *err)
{
	struct unifw_jv *root = NULL;
	memset(j, 0, sizeof *j);
	int rc = len > JOURNAL_MAX_BYTES ? unifw_error_set(err, UNIFW_E_TOO_BIG, name, JOURNAL_MAX_BYTES,
							  "a journal of %zu bytes; at most %u expected", len,
							  JOURNAL_MAX_BYTES)
					 : unifw_package_parse_json(text, len, name, &root, err);
	if (rc) {
		if (rc != UNIFW_E_NOMEM)
			unifw_error_prefix(err, "damaged flash journal: ");
		return rc;
	}
	struct jread r = {.path = name, .err = err};
	read_root(&r, root, j);
	unifw_jv_free(root);
	if (r.rc)
		unifw_flash_journal_free(j);
	return r.rc;
}

int unifw_flash_journal_load(const char *path, struct unifw_flash_journal *j, struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	memset(j, 0, sizeof *j);
	int rc = unifw_file_read_all(path, JOURNAL_MAX_BYTES, &buf, &len, err);
	if (!rc)
		rc = unifw_flash_journal_parse((const char *)buf, len, path, j, err);
	else if (rc != UNIFW_E_IO && rc != UNIFW_E_NOMEM)
		unifw_error_prefix(err, "damaged flash journal: ");
	free(buf);
	return rc;
}

void unifw_flash_journal_free(struct unifw_flash_journal *j)
{
	free(j->parts);
	j->parts = NULL;
	j->part_count = 0;
}

int unifw_flash_journal_check_phone(const struct unifw_flash_journal *j, const uint8_t cid[16], struct unifw_error *err)
{
	char a[33], b[33];
	if (!memcmp(j->cid, cid, 16))
		return 0;
	flash_cid_hex(j->cid, a);
	flash_cid_hex(cid, b);
	return unifw_error_set(err, UNIFW_E_UNSAFE, "resume", UNIFW_NO_OFFSET,
			       "the interrupted flash was on the phone with eMMC CID %s; this phone's CID is %s: "
			       "a journal is never applied to another phone", a, b);
}

int unifw_flash_journal_check(const struct unifw_flash_journal *j, const struct unifw_flash_plan *plan,
			      struct unifw_error *err)
{
	char a[65], b[65];
	int rc = unifw_flash_journal_check_phone(j, plan->cid, err);
	if (rc)
		return rc;
	if (!strcmp(j->state, "done"))
		return unifw_error_set(err, UNIFW_E_INVALID, "resume", UNIFW_NO_OFFSET,
				       "the last flash of this phone finished (%s): nothing to resume", j->updated);
	if (memcmp(j->plan_sha256, plan->sha256, 32)) {
		unifw_hex(j->plan_sha256, 32, a);
		unifw_hex(plan->sha256, 32, b);
		return unifw_error_set(err, UNIFW_E_UNSAFE, "resume", UNIFW_NO_OFFSET,
				       "the package, its images or the options differ from those of the interrupted flash "
				       "(%s; plan %.16s..., now %.16s...): resume with the same package, or flash again "
				       "without --resume", j->package, a, b);
	}
	size_t writes = 0;
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_flash_entry *e = &plan->entries[i];
		if (e->action != UNIFW_FLASH_WRITE)
			continue;
		if (writes >= j->part_count || strcmp(j->parts[writes].name, e->name))
			return unifw_error_set(err, UNIFW_E_FORMAT, "resume", UNIFW_NO_OFFSET,
					       "journal partition %zu is %s, the plan writes %s there", writes,
					       writes < j->part_count ? j->parts[writes].name : "(none)", e->name);
		writes++;
	}
	if (writes != j->part_count)
		return unifw_error_set(err, UNIFW_E_FORMAT, "resume", UNIFW_NO_OFFSET,
				       "journal lists %zu partitions, the plan writes %zu", j->part_count, writes);
	return 0;
}
