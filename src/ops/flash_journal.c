/* The flash journal: a small JSON file per phone (keyed by its eMMC CID) that says which plan is being
 * executed and how far each partition got, so that `unifw flash --resume` continues a cut job. It is
 * rewritten whole, atomically (temporary file, fsync, rename, fsync of the directory), at every step;
 * a reader therefore sees the old or the new state, never a mix. Format: docs/flash.md "Journal". */
#include "ops/flash_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unifw/hash.h"
#include "unifw/json.h"

#define JOURNAL_TYPE "unifw-flash-journal"
#define JOURNAL_VERSION 2u /* 2: the check_sha256 integrity check */
#define JOURNAL_MAX_PARTS 256u
#define JOURNAL_MAX_BYTES (256u << 10)
#define JOURNAL_MAX_DEPTH 8u

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
	if (j->opts.only[0]) /* --only (issue 11): absent when not given, so older journals read the same */
		unifw_jv_set_str(opt, "only", j->opts.only);
	if (j->opts.repartition) /* only then: older journals keep their canonical form */
		unifw_jv_set_bool(opt, "repartition", true);
	unifw_jv_set_str(o, "started", j->started);
	unifw_jv_set_str(o, "updated", j->updated);
	if (j->identity_backup[0])
		unifw_jv_set_str(o, "identity_backup", j->identity_backup);
	else
		unifw_jv_set(o, "identity_backup", NULL);
	if (j->phase[0]) /* --repartition: backup, table, identity, firmware, done */
		unifw_jv_set_str(o, "phase", j->phase);
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
static int tree_check_sum(const struct unifw_jv *o, uint8_t out[32])
{
	char *text = !o || unifw_jv_oom(o) ? NULL : unifw_jv_to_string(o, false);
	if (!text)
		return -1;
	unifw_sha256(text, strlen(text), out);
	free(text);
	return 0;
}

static int journal_check_sum(const struct unifw_flash_journal *j, uint8_t out[32])
{
	struct unifw_jv *o = journal_to_json(j);
	int rc = tree_check_sum(o, out);
	unifw_jv_free(o);
	return rc;
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
	/* One tree: its compact form is what the check covers, then the check joins it for the file. */
	struct unifw_jv *o = journal_to_json(j);
	char *text = NULL;
	if (tree_check_sum(o, check) == 0) {
		unifw_hex(check, 32, hex);
		unifw_jv_set_str(o, "check_sha256", hex);
		text = unifw_jv_oom(o) ? NULL : unifw_jv_to_string(o, true);
	}
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

static int jerr(struct unifw_error *err, int code, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int jerr(struct unifw_error *err, int code, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = unifw_error_setv(err, code, path, UNIFW_NO_OFFSET, fmt, ap);
	va_end(ap);
	return rc;
}

static int read_part(const struct unifw_jv *p, size_t i, struct unifw_flash_journal_part *jp, const char *path,
		     struct unifw_error *err)
{
	char what[48];
	const struct unifw_jv_field fields[] = {
		{"name", UNIFW_JF_STR, true, jp->name, sizeof jp->name, 0, 0, false},
		{"ranges", UNIFW_JF_U64, true, &jp->ranges, 0, 0, 0, false},
		{"written", UNIFW_JF_U64, true, &jp->written, 0, 0, 0, false},
		{"verified", UNIFW_JF_U64, true, &jp->verified, 0, 0, 0, false},
	};
	snprintf(what, sizeof what, "journal partitions.%zu", i);
	int rc = unifw_jv_read(p, fields, sizeof fields / sizeof *fields, path, what, err);
	if (!rc && (jp->written > jp->ranges || jp->verified > jp->written))
		rc = jerr(err, UNIFW_E_FORMAT, path,
			  "journal partitions.%zu (%s): expected verified <= written <= ranges, found %llu, %llu, %llu", i,
			  jp->name, (unsigned long long)jp->verified, (unsigned long long)jp->written,
			  (unsigned long long)jp->ranges);
	return rc;
}

static int read_parts(const struct unifw_jv *arr, struct unifw_flash_journal *j, const char *path,
		      struct unifw_error *err)
{
	size_t n = unifw_jv_len(arr);
	j->parts = calloc(n ? n : 1, sizeof *j->parts);
	if (!j->parts)
		return jerr(err, UNIFW_E_NOMEM, path, "out of memory");
	j->part_count = n;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = read_part(unifw_jv_at(arr, i), i, &j->parts[i], path, err);
	return rc;
}

static int check_integrity(const uint8_t stored[32], const struct unifw_flash_journal *j, const char *path,
			   struct unifw_error *err)
{
	uint8_t now[32];
	char a[65], b[65];
	if (journal_check_sum(j, now))
		return jerr(err, UNIFW_E_NOMEM, path, "out of memory");
	if (!memcmp(stored, now, 32))
		return 0;
	unifw_hex(stored, 32, a);
	unifw_hex(now, 32, b);
	return jerr(err, UNIFW_E_FORMAT, path,
		    "journal integrity check failed: its content hashes to %.16s..., its check_sha256 says %.16s...: it "
		    "was edited or damaged, and its progress cannot be trusted (flash again without --resume)", b, a);
}

/* What the keys say beyond their types. */
static int check_values(const char *type, uint64_t version, const struct unifw_flash_journal *j, const char *path,
			struct unifw_error *err)
{
	if (strcmp(type, JOURNAL_TYPE))
		return jerr(err, UNIFW_E_FORMAT, path, "journal key \"type\": expected \"%s\", found \"%s\"", JOURNAL_TYPE,
			    type);
	if (version != JOURNAL_VERSION)
		return jerr(err, UNIFW_E_UNSUPPORTED, path, "journal version %llu; this unifw reads version %u",
			    (unsigned long long)version, JOURNAL_VERSION);
	if (strcmp(j->state, "running") && strcmp(j->state, "interrupted") && strcmp(j->state, "done"))
		return jerr(err, UNIFW_E_FORMAT, path,
			    "journal key \"state\": expected running, interrupted or done, found \"%s\"", j->state);
	/* --repartition's phase: informational, but a journal is hostile input like any file */
	if (j->phase[0] && strcmp(j->phase, "backup") && strcmp(j->phase, "table") && strcmp(j->phase, "identity") &&
	    strcmp(j->phase, "firmware") && strcmp(j->phase, "done"))
		return jerr(err, UNIFW_E_FORMAT, path,
			    "journal key \"phase\": expected backup, table, identity, firmware or done, found \"%s\"", j->phase);
	if (!unifw_flash_range_size_ok(j->opts.range_size))
		return jerr(err, UNIFW_E_FORMAT, path,
			    "journal key \"range_size\": expected a multiple of 512 up to %llu, found %llu",
			    (unsigned long long)UNIFW_FLASH_RANGE_MAX, (unsigned long long)j->opts.range_size);
	return 0;
}

static int read_root(const struct unifw_jv *root, struct unifw_flash_journal *j, const char *path,
		     struct unifw_error *err)
{
	char type[64] = "";
	uint64_t version = 0;
	uint8_t stored[32];
	const struct unifw_jv *opt = NULL, *parts = NULL;
	const struct unifw_jv_field fields[] = {
		{"type", UNIFW_JF_STR, true, type, sizeof type, 0, 0, false},
		{"version", UNIFW_JF_U64, true, &version, 0, 0, 0, false},
		{"state", UNIFW_JF_STR, true, j->state, sizeof j->state, 0, 0, false},
		{"cid", UNIFW_JF_HEX, true, j->cid, sizeof j->cid, 0, 0, false},
		{"plan_sha256", UNIFW_JF_HEX, true, j->plan_sha256, sizeof j->plan_sha256, 0, 0, false},
		{"package", UNIFW_JF_STR, true, j->package, sizeof j->package, 0, 0, false},
		{"options", UNIFW_JF_OBJECT, true, &opt, 0, 0, 0, false},
		{"started", UNIFW_JF_STR, true, j->started, sizeof j->started, 0, 0, false},
		{"updated", UNIFW_JF_STR, true, j->updated, sizeof j->updated, 0, 0, false},
		{"identity_backup", UNIFW_JF_STR, false, j->identity_backup, sizeof j->identity_backup, 0, 0, true},
		{"phase", UNIFW_JF_STR, false, j->phase, sizeof j->phase, 0, 0, false},
		{"last_error", UNIFW_JF_STR, true, j->last_error, sizeof j->last_error, 0, 0, false},
		{"partitions", UNIFW_JF_ARRAY, true, &parts, 0, 0, JOURNAL_MAX_PARTS, false},
		{"check_sha256", UNIFW_JF_HEX, true, stored, sizeof stored, 0, 0, false},
	};
	const struct unifw_jv_field options[] = {
		{"with_preloader", UNIFW_JF_BOOL, true, &j->opts.with_preloader, 0, 0, 0, false},
		{"include_identity", UNIFW_JF_BOOL, true, &j->opts.include_identity, 0, 0, 0, false},
		{"verify", UNIFW_JF_BOOL, true, &j->opts.verify, 0, 0, 0, false},
		{"range_size", UNIFW_JF_U64, true, &j->opts.range_size, 0, 0, 0, false},
		{"only", UNIFW_JF_STR, false, j->opts.only, sizeof j->opts.only, 0, 0, false},
		{"repartition", UNIFW_JF_BOOL, false, &j->opts.repartition, 0, 0, 0, false},
	};
	int rc = unifw_jv_read(root, fields, sizeof fields / sizeof *fields, path, "journal", err);
	if (!rc)
		rc = unifw_jv_read(opt, options, sizeof options / sizeof *options, path, "journal options", err);
	if (!rc)
		rc = check_values(type, version, j, path, err);
	if (!rc)
		rc = read_parts(parts, j, path, err);
	return rc ? rc : check_integrity(stored, j, path, err);
}

int unifw_flash_journal_parse(const char *text, size_t len, const char *name, struct unifw_flash_journal *j,
			      struct unifw_error *err)
{
	struct unifw_jv *root = NULL;
	memset(j, 0, sizeof *j);
	int rc = len > JOURNAL_MAX_BYTES ? unifw_error_set(err, UNIFW_E_TOO_BIG, name, JOURNAL_MAX_BYTES,
							  "a journal of %zu bytes; at most %u expected", len,
							  JOURNAL_MAX_BYTES)
					 : unifw_jv_parse(text, len, name, JOURNAL_MAX_BYTES, JOURNAL_MAX_DEPTH, &root, err);
	if (rc) {
		if (rc != UNIFW_E_NOMEM)
			unifw_error_prefix(err, "damaged flash journal: ");
		return rc;
	}
	rc = read_root(root, j, name, err);
	unifw_jv_free(root);
	if (rc)
		unifw_flash_journal_free(j);
	return rc;
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
