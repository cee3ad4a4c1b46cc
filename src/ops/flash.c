/* Executing a flash plan: identity backup, then every WRITE entry range by range (write, read back,
 * compare byte for byte with what was sent), with the journal saved as it goes so that a cut job resumes
 * where it stopped.
 * Everything that can be checked without the phone is checked before the first device call. */
#include "ops/flash_internal.h"
#include "ops/flash_repartition.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unifw/backup.h"
#include "unifw/hash.h"
#include "ops/reread.h"
#include "util/clock.h"

struct exec {
	const struct unifw_flash_device *dev;
	const struct unifw_flash_plan *plan;
	const struct unifw_flash_exec_opts *o;
	struct unifw_flash_journal own;   /* fresh job */
	struct unifw_flash_journal *j;    /* own or o->resume */
	struct unifw_flash_result *res;
	uint64_t since_save;
	uint64_t step_done;               /* progress within the current partition */
	uint8_t *sent;                    /* verify: the bytes of the range being written (range_size) */
	struct flash_repart_images carry; /* --repartition: the identity images, made from the backup entry */
};

int unifw_flash_make_dirs(const char *dir, struct unifw_error *err)
{
	char p[PATH_MAX];
	if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = 0;
		/* Identity backups hold the IMEI and calibration data: private to the user. */
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return unifw_error_sys(err, p, "create directory");
		*s = c;
		if (!c)
			break;
	}
	struct stat st;
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		return unifw_error_set(err, UNIFW_E_INVALID, p, UNIFW_NO_OFFSET, "exists but is not a directory");
	return 0;
}

static int parent_dirs(const char *path, struct unifw_error *err)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	return unifw_flash_make_dirs(dir, err);
}

static int save(struct exec *x, struct unifw_error *err)
{
	unifw_utc_iso(x->j->updated, sizeof x->j->updated);
	x->since_save = 0;
	int rc = unifw_flash_journal_save(x->o->journal_path, x->j, err);
	if (rc) {
		unifw_error_prefix(err, "journal: ");
		x->res->failed_step = "journal";
	}
	return rc;
}

/* ---------------------------------------------------------------- setup */

static int journal_start(struct exec *x, struct unifw_error *err)
{
	const struct unifw_flash_plan *plan = x->plan;
	if (x->o->resume) {
		x->j = x->o->resume;
		int rc = unifw_flash_journal_check(x->j, plan, err);
		if (rc)
			return rc;
		snprintf(x->j->state, sizeof x->j->state, "running");
		x->j->last_error[0] = 0;
		return 0;
	}
	struct unifw_flash_journal *j = &x->own;
	x->j = j;
	snprintf(j->state, sizeof j->state, "running");
	memcpy(j->cid, plan->cid, 16);
	memcpy(j->plan_sha256, plan->sha256, 32);
	snprintf(j->package, sizeof j->package, "%s", x->o->package_path ? x->o->package_path : plan->pkg->path);
	j->opts = plan->opts;
	j->opts.resuming = false;
	if (plan->repart)
		snprintf(j->phase, sizeof j->phase, "backup");
	unifw_utc_iso(j->started, sizeof j->started);
	j->parts = calloc(plan->writes ? plan->writes : 1, sizeof *j->parts);
	if (!j->parts)
		return unifw_error_set(err, UNIFW_E_NOMEM, "journal", UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; i < plan->count; i++)
		if (plan->entries[i].action == UNIFW_FLASH_WRITE)
			snprintf(j->parts[j->part_count++].name, sizeof j->parts->name, "%s", plan->entries[i].name);
	return 0;
}

static int validate(struct exec *x, struct unifw_error *err)
{
	const struct unifw_flash_plan *plan = x->plan;
	if (!x->dev || !x->dev->read || !x->dev->write || !x->dev->backup_identity)
		return unifw_error_set(err, UNIFW_E_INVALID, "flash", UNIFW_NO_OFFSET, "no device to flash");
	if (!plan->pkg || !plan->entries)
		return unifw_error_set(err, UNIFW_E_INVALID, "flash", UNIFW_NO_OFFSET, "no plan");
	if (plan->refusals)
		return unifw_error_set(err, UNIFW_E_UNSAFE, "plan", UNIFW_NO_OFFSET,
				       "the plan refuses %zu thing(s): nothing is written (see the plan)", plan->refusals);
	if (!x->o->journal_path || !x->o->journal_path[0])
		return unifw_error_set(err, UNIFW_E_INVALID, "flash", UNIFW_NO_OFFSET, "no journal path");
	if (!x->o->resume && (!x->o->backup_dir || !x->o->backup_dir[0]))
		return unifw_error_set(err, UNIFW_E_INVALID, "flash", UNIFW_NO_OFFSET,
				       "no folder for the identity backup");
	if (!unifw_flash_range_size_ok(plan->opts.range_size))
		return unifw_error_set(err, UNIFW_E_INVALID, "plan", UNIFW_NO_OFFSET,
				       "range size not a multiple of 512 up to %llu", (unsigned long long)UNIFW_FLASH_RANGE_MAX);
	return 0;
}

/* The identity partitions go to <backup_dir>/<UTC time>/ before the first write of a job. */
struct file_sink {
	int fd;
	struct unifw_sha256 sha;
	uint64_t got;
	const char *path;
};

static int file_data(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct file_sink *f = ctx;
	(void)off;
	int rc = unifw_fd_write_all(f->fd, data, len, f->path, err);
	if (rc)
		return rc;
	unifw_sha256_update(&f->sha, data, len);
	f->got += len;
	return 0;
}

/* The identity file read from the phone a second time and compared: a READ packet's 16-bit sum lets two
 * compensating bit errors through, and this copy is all that is left of the partition if the flash goes
 * wrong. */
static int reread_matches(struct exec *x, const struct unifw_flash_entry *e, int fd, const char *path,
			  struct unifw_error *err)
{
	struct ops_reread v;
	int rc = ops_reread_compare(x->dev->read, x->dev->ctx, e->part, e->offset, e->size, fd, 0, path, NULL, &v, err);
	if (rc || v.first_diff == UINT64_MAX)
		return rc;
	return unifw_error_set(err, UNIFW_E_DEVICE, e->name, e->offset + v.first_diff,
			       "a second read from the phone differs from the first at %s offset 0x%llx (byte 0x%llx of "
			       "%s: first read 0x%02x, second 0x%02x): the eMMC or the link is unreliable",
			       unifw_phone_part_name(e->part), (unsigned long long)(e->offset + v.first_diff),
			       (unsigned long long)v.first_diff, e->name, (unsigned)(v.file_byte & 0xFF), v.phone_byte);
}

/* One identity partition read where the plan places it, into dir/<name>.bin (fsync'd), then read again
 * and compared. */
static int read_to_file(struct exec *x, const struct unifw_flash_entry *e, const char *dir, struct unifw_jv *list,
			struct unifw_error *err)
{
	char name[64], path[PATH_MAX], hex[65];
	size_t k = 0;
	for (const char *c = e->name; *c && k + 1 < sizeof name; c++)
		name[k++] = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : (isalnum((unsigned char)*c) ? *c : '_'));
	name[k] = 0;
	if (snprintf(path, sizeof path, "%s/%s.bin", dir, name) >= (int)sizeof path)
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	struct file_sink f = {.fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600), .path = path};
	if (f.fd < 0)
		return unifw_error_sys(err, path, "create");
	int rc = unifw_sha256_init(&f.sha) < 0 ? unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory") : 0;
	if (!rc)
		rc = x->dev->read(x->dev->ctx, e->part, e->offset, e->size, file_data, &f, err);
	uint8_t digest[32];
	unifw_sha256_final(&f.sha, digest); /* frees the context; a NULL one (failed init) is a no-op */
	if (!rc && f.got != e->size)
		rc = unifw_error_set(err, UNIFW_E_DEVICE, e->name, f.got, "read %llu of %llu bytes",
				     (unsigned long long)f.got, (unsigned long long)e->size);
	if (!rc && fsync(f.fd) < 0)
		rc = unifw_error_sys(err, path, "fsync");
	if (!rc)
		rc = reread_matches(x, e, f.fd, path, err);
	close(f.fd);
	if (rc) {
		unifw_error_prefix(err, "%s: ", e->name);
		return rc;
	}
	unifw_hex(digest, 32, hex);
	struct unifw_jv *o = unifw_jv_push_obj(list);
	unifw_jv_set_str(o, "name", e->name);
	unifw_jv_set_str(o, "file", strrchr(path, '/') + 1);
	unifw_jv_set_hex(o, "offset", e->offset);
	unifw_jv_set_uint(o, "size", e->size);
	unifw_jv_set_str(o, "sha256", hex);
	return 0;
}

/* A phone without a partition table (blank or wiped eMMC) has no identity partitions the backup job can
 * find. Its NVRAM may still be there when only the tables were lost: read the identity partitions where
 * the package's scatter puts them (the package's layout is about to be written there) before anything
 * is written. A manifest, identity-by-scatter.json, says what was read from where. */
static int backup_by_scatter(struct exec *x, const char *dir, struct unifw_error *err)
{
	struct unifw_jv *m = unifw_jv_object();
	unifw_jv_set_str(m, "type", "unifw-identity-by-scatter");
	unifw_jv_set_str(m, "why", "the phone had no partition table: identity partitions read where the package's "
				  "scatter places them, before the flash");
	struct unifw_jv *list = unifw_jv_set_arr(m, "partitions");
	int rc = 0;
	for (size_t i = 0; i < x->plan->count && !rc; i++) {
		const struct unifw_flash_entry *e = &x->plan->entries[i];
		if (e->identity && e->part == UNIFW_PHONE_USER && e->offset != UINT64_MAX && e->size)
			rc = read_to_file(x, e, dir, list, err);
	}
	char path[PATH_MAX];
	char *text = rc ? NULL : unifw_jv_to_string(m, true);
	if (!rc && !text)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, dir, UNIFW_NO_OFFSET, "out of memory");
	if (!rc && snprintf(path, sizeof path, "%s/identity-by-scatter.json", dir) >= (int)sizeof path)
		rc = unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	if (!rc)
		rc = unifw_file_write_atomic(path, text, strlen(text), err);
	free(text);
	unifw_jv_free(m);
	return rc;
}

static int identity_backup(struct exec *x, const char *dir, struct unifw_error *err)
{
	unifw_progress_note(x->o->progress, "info", "backing up the identity partitions to %s", dir);
	int rc = x->dev->backup_identity(x->dev->ctx, dir, err);
	if (rc == UNIFW_E_NOT_FOUND) {
		unifw_progress_note(x->o->progress, "warning",
				    "the phone has no partition table: reading its identity partitions where the "
				    "package's scatter puts them (%s)", err->msg);
		unifw_error_clear(err);
		rc = backup_by_scatter(x, dir, err);
	}
	/* identity content the tables do not name as such (NVRAM_X, no table at all): idregion.h */
	if (!rc)
		rc = unifw_idregions_backup(x->dev->read, x->dev->ctx, &x->plan->identity_regions, dir, err);
	if (rc) {
		unifw_error_prefix(err, "identity backup (nothing written yet): ");
		x->res->failed_step = "backup";
		return rc;
	}
	snprintf(x->j->identity_backup, sizeof x->j->identity_backup, "%s", dir);
	return save(x, err);
}

/* ---------------------------------------------------------------- writing */

struct counting_source {
	struct flash_source fs;
	struct exec *x;
	bool source_failed; /* the package image could not be read (not the phone's fault) */
};

static int progress_source(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct counting_source *c = ctx;
	uint64_t before = c->fs.done;
	int rc = flash_source_fill(&c->fs, buf, len, off, err);
	c->source_failed = rc != 0;
	c->x->step_done += c->fs.done - before;
	unifw_progress_update(c->x->o->progress, c->x->step_done);
	return rc;
}

struct verify_sink {
	const uint8_t *sent;
	uint64_t got;
	uint64_t len;
	uint64_t first_diff; /* UINT64_MAX while the read-back matches */
	uint8_t read_byte;   /* what the phone returned there */
	struct exec *x;
};

static uint64_t first_difference(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return i;
	return UINT64_MAX;
}

/* The read-back is compared as it arrives; the whole range is still read so that the phone's DA ends
 * the command in step (an error in the middle of a READ leaves the link out of sync). */
static int verify_data(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct verify_sink *v = ctx;
	(void)off;
	if (len > v->len - v->got)
		return unifw_error_set(err, UNIFW_E_DEVICE, "verify", v->got,
				       "the phone sent %zu bytes more than the %llu asked for", len - (size_t)(v->len - v->got),
				       (unsigned long long)v->len);
	if (v->first_diff == UINT64_MAX && memcmp(data, v->sent + v->got, len)) {
		uint64_t i = first_difference(data, v->sent + v->got, len);
		v->first_diff = v->got + i;
		v->read_byte = data[i];
	}
	v->got += len;
	v->x->step_done += len;
	unifw_progress_update(v->x->o->progress, v->x->step_done);
	return 0;
}

/* One range to the phone. With verification, x->sent keeps a copy of every byte handed to the write
 * (a memcpy per packet: comparing with it costs far less than hashing both sides, and a difference can be
 * named to the byte). */
static int write_range(struct exec *x, const struct unifw_flash_entry *e, const struct flash_ranges *rs,
		       const struct flash_range *r, struct unifw_stream *img, struct unifw_error *err)
{
	struct counting_source c = {
		.fs = {.rs = rs, .range = r, .img = img, .piece = r->first, .copy = x->sent}, .x = x};
	uint64_t at = e->offset + r->off;
	int rc = x->dev->write(x->dev->ctx, e->part, at, r->len, progress_source, &c, err);
	if (!rc && c.fs.done != r->len)
		rc = unifw_error_set(err, UNIFW_E_DEVICE, e->name, r->off,
				     "the write took %llu of the range's %llu bytes", (unsigned long long)c.fs.done,
				     (unsigned long long)r->len);
	if (rc) {
		unifw_error_prefix(err, "write %s (%s 0x%llx, %llu bytes): ", e->name, unifw_phone_part_name(e->part),
				   (unsigned long long)at, (unsigned long long)r->len);
		x->res->failed_step = c.source_failed ? "image" : "write";
		return rc;
	}
	x->res->bytes_sent += r->len;
	x->res->wrote_anything = true;
	return 0;
}

/* Read a range back and compare it with x->sent (the verdict in v). */
static int read_back(struct exec *x, const struct unifw_flash_entry *e, const struct flash_range *r,
		     struct verify_sink *v, struct unifw_error *err)
{
	*v = (struct verify_sink){.sent = x->sent, .len = r->len, .first_diff = UINT64_MAX, .x = x};
	uint64_t at = e->offset + r->off;
	int rc = x->dev->read(x->dev->ctx, e->part, at, r->len, verify_data, v, err);
	if (!rc && v->got != r->len)
		rc = unifw_error_set(err, UNIFW_E_DEVICE, e->name, r->off, "read back %llu of %llu bytes",
				     (unsigned long long)v->got, (unsigned long long)r->len);
	if (rc) {
		unifw_error_prefix(err, "verify %s (read back %s 0x%llx, %llu bytes): ", e->name, unifw_phone_part_name(e->part),
				   (unsigned long long)at, (unsigned long long)r->len);
		x->res->failed_step = "verify";
	}
	return rc;
}

static int verify_range(struct exec *x, const struct unifw_flash_entry *e, const struct flash_range *r,
			struct unifw_error *err)
{
	struct verify_sink v;
	uint64_t at = e->offset + r->off;
	int rc = read_back(x, e, r, &v, err);
	if (rc)
		return rc;
	if (v.first_diff != UINT64_MAX) {
		uint64_t d = v.first_diff;
		x->res->verify_failed = true;
		x->res->failed_step = "verify";
		return unifw_error_set(err, UNIFW_E_DEVICE, e->name, r->off + d,
				       "verify: the phone's %s at 0x%llx (%llu bytes) reads back different from what was "
				       "written, first at byte 0x%llx of the range (%s offset 0x%llx: read 0x%02x, "
				       "wrote 0x%02x): the eMMC did not store the data; run the flash again with --resume, "
				       "and suspect the eMMC if it repeats",
				       unifw_phone_part_name(e->part), (unsigned long long)at, (unsigned long long)r->len,
				       (unsigned long long)d, unifw_phone_part_name(e->part), (unsigned long long)(at + d),
				       v.read_byte, x->sent[d]);
	}
	x->res->bytes_verified += r->len;
	return 0;
}

/* A range whose bytes are already in x->sent (a resume's re-check made them): written from there, so
 * that an image read forward only (an archive member) is not read twice. */
struct sent_source {
	struct exec *x;
	uint64_t len, done;
};

static int sent_fill(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct sent_source *s = ctx;
	(void)off;
	(void)err;
	size_t take = len < s->len - s->done ? len : (size_t)(s->len - s->done);
	memcpy(buf, s->x->sent + s->done, take);
	memset(buf + take, 0, len - take); /* sector padding, as flash_source_fill does */
	s->done += take;
	return 0;
}

static int rewrite_range(struct exec *x, const struct unifw_flash_entry *e, const struct flash_range *r,
			 struct unifw_error *err)
{
	struct sent_source src = {.x = x, .len = r->len};
	uint64_t at = e->offset + r->off;
	int rc = x->dev->write(x->dev->ctx, e->part, at, r->len, sent_fill, &src, err);
	if (!rc && src.done != r->len)
		rc = unifw_error_set(err, UNIFW_E_DEVICE, e->name, r->off, "the write took %llu of the range's %llu bytes",
				     (unsigned long long)src.done, (unsigned long long)r->len);
	if (rc) {
		unifw_error_prefix(err, "rewrite %s (%s 0x%llx, %llu bytes): ", e->name, unifw_phone_part_name(e->part),
				   (unsigned long long)at, (unsigned long long)r->len);
		x->res->failed_step = "write";
		return rc;
	}
	x->res->bytes_sent += r->len;
	x->res->wrote_anything = true;
	return verify_range(x, e, r, err); /* a rewritten range is verified, --no-verify or not */
}

/* Resume: a range the journal says is done is not taken on its word (a journal can claim more than was
 * written). Its bytes are made from the package (whose plan hash matched) and the phone's are read back
 * and compared; a range that differs is written again and verified. */
static int recheck_range(struct exec *x, const struct unifw_flash_entry *e, const struct flash_ranges *rs,
			 const struct flash_range *r, struct unifw_stream *img, struct unifw_error *err)
{
	struct flash_source fs = {.rs = rs, .range = r, .img = img, .piece = r->first};
	int rc = flash_source_fill(&fs, x->sent, (size_t)r->len, 0, err);
	if (rc) {
		unifw_error_prefix(err, "image of %s (range at 0x%llx): ", e->name, (unsigned long long)r->off);
		x->res->failed_step = "image";
		return rc;
	}
	struct verify_sink v;
	if ((rc = read_back(x, e, r, &v, err)) != 0)
		return rc;
	if (v.first_diff == UINT64_MAX) {
		x->res->ranges_reverified++;
		return 0;
	}
	unifw_progress_note(x->o->progress, "warning",
			    "%s: the journal says the range at 0x%llx (%llu bytes) was done, but the phone differs "
			    "from the package at its byte 0x%llx: writing it again",
			    e->name, (unsigned long long)r->off, (unsigned long long)r->len, (unsigned long long)v.first_diff);
	x->res->ranges_rewritten++;
	uint64_t shown = x->step_done; /* the progress total counts one read of a done range */
	rc = rewrite_range(x, e, r, err);
	x->step_done = shown;
	return rc;
}

/* --repartition: a carried identity image (made from the backup entry before the first write) or zeros. */
static int repart_ranges(struct exec *x, const struct unifw_flash_entry *e, struct flash_ranges *rs,
			 struct unifw_error *err)
{
	uint64_t max = x->plan->opts.range_size;
	if (e->form == UNIFW_FLASH_FORM_ZERO)
		return flash_ranges_zero(e->image_bytes, max, rs, err);
	const struct flash_repart_image *img = flash_repart_find_image(&x->carry, e->name);
	if (!img || img->len != e->image_bytes)
		return unifw_error_set(err, UNIFW_E_UNSAFE, e->name, UNIFW_NO_OFFSET,
				       "no carried image of %llu bytes was made for it from the identity backup",
				       (unsigned long long)e->image_bytes);
	return flash_ranges_mem(img->buf, img->len, max, rs, err);
}

/* The ranges of an entry's image; img is left open for RAW data (closed by the caller). */
static int build_ranges(struct exec *x, const struct unifw_flash_entry *e, struct flash_image *img,
			struct flash_ranges *rs, uint8_t **mem, struct unifw_error *err)
{
	const struct unifw_package *pkg = x->plan->pkg;
	uint64_t max = x->plan->opts.range_size;
	int rc;
	*mem = NULL;
	if (e->form == UNIFW_FLASH_FORM_CARRY || e->form == UNIFW_FLASH_FORM_ZERO)
		return repart_ranges(x, e, rs, err);
	if (e->form == UNIFW_FLASH_FORM_PMT) {
		uint8_t fp[32];
		*mem = malloc(UNIFW_FLASH_PMT_BYTES);
		if (!*mem)
			return unifw_error_set(err, UNIFW_E_NOMEM, "PMT", UNIFW_NO_OFFSET, "out of memory");
		rc = x->plan->repart ? flash_repart_pmt(x->plan, *mem, err) : flash_pmt_from_scatter(&pkg->chosen->sc, *mem, err);
		if (!rc) {
			unifw_sha256(*mem, UNIFW_FLASH_PMT_BYTES, fp);
			if (memcmp(fp, e->fingerprint, 32))
				rc = unifw_error_set(err, UNIFW_E_UNSAFE, "PMT", UNIFW_NO_OFFSET,
						     "the scatter changed since the plan was made");
		}
		return rc ? rc : flash_ranges_mem(*mem, UNIFW_FLASH_PMT_BYTES, max, rs, err);
	}
	const struct unifw_package_item *it = e->pp->item;
	if (e->form == UNIFW_FLASH_FORM_PRELOADER) {
		uint8_t *buf;
		size_t len, wlen;
		uint8_t fp[32];
		rc = flash_image_read_all(pkg, it, UNIFW_FLASH_MAX_PRELOADER, &buf, &len, err);
		if (rc)
			return rc;
		unifw_sha256(buf, len, fp);
		if (memcmp(fp, e->fingerprint, 32)) {
			free(buf);
			return unifw_error_set(err, UNIFW_E_UNSAFE, it->path, UNIFW_NO_OFFSET,
					       "the preloader changed since the plan was made");
		}
		rc = unifw_flash_wrap_preloader(buf, len, it->path, mem, &wlen, err);
		free(buf);
		return rc ? rc : flash_ranges_mem(*mem, wlen, max, rs, err);
	}
	rc = flash_image_open(pkg, it, img, err);
	if (rc)
		return rc;
	if (e->form == UNIFW_FLASH_FORM_RAW) {
		if (img->s.size != UNIFW_SIZE_UNKNOWN && img->s.size != e->image_size)
			return unifw_error_set(err, UNIFW_E_UNSAFE, it->path, UNIFW_NO_OFFSET,
					       "image is %llu bytes now, %llu when the plan was made",
					       (unsigned long long)img->s.size, (unsigned long long)e->image_size);
		return flash_ranges_raw(e->image_size, max, rs, err);
	}
	rc = flash_ranges_sparse(&img->s, max, rs, err);
	if (!rc && rs->extent != e->image_bytes)
		rc = unifw_error_set(err, UNIFW_E_UNSAFE, it->path, UNIFW_NO_OFFSET,
				     "sparse image expands to %llu bytes, %llu when the plan was made",
				     (unsigned long long)rs->extent, (unsigned long long)e->image_bytes);
	if (!rc && !img->s.pread) { /* an archive member: the walk consumed it, start again for the data */
		flash_image_close(img);
		rc = flash_image_open(pkg, it, img, err);
	}
	return rc;
}

static int stop_requested(struct exec *x, const struct unifw_flash_entry *e, const struct flash_range *r,
			  struct unifw_error *err)
{
	char what[96];
	snprintf(what, sizeof what, "before the range at offset 0x%llx", (unsigned long long)r->off);
	int rc = unifw_cancel_check(x->o->cancel, e->name, what, err);
	if (rc)
		x->res->failed_step = "cancelled";
	return rc;
}

static int flash_entry(struct exec *x, const struct unifw_flash_entry *e, struct unifw_flash_journal_part *jp,
		       struct unifw_error *err)
{
	bool verify = x->j->opts.verify;
	uint64_t start = verify ? jp->verified : jp->written;
	struct flash_image img;
	struct flash_ranges rs;
	uint8_t *mem = NULL;
	memset(&img, 0, sizeof img);
	memset(&rs, 0, sizeof rs);
	int rc = build_ranges(x, e, &img, &rs, &mem, err);
	if (!rc && jp->ranges && jp->ranges != rs.count)
		rc = unifw_error_set(err, UNIFW_E_UNSAFE, e->image, UNIFW_NO_OFFSET,
				     "the image now cuts into %zu ranges, the journal says %llu: it changed", rs.count,
				     (unsigned long long)jp->ranges);
	if (rc) {
		unifw_error_prefix(err, "image of %s: ", e->name);
		x->res->failed_step = "image";
	}
	if (!rc) {
		jp->ranges = rs.count;
		if (!start)
			x->res->bytes_skipped += rs.skipped_bytes;
		x->res->ranges_resumed += start;
		/* progress: a range the journal says is done is read back once, the others written (and read) */
		uint64_t total = 0;
		for (size_t i = 0; i < rs.count; i++)
			total += i < start || !verify ? rs.ranges[i].len : 2 * rs.ranges[i].len;
		x->step_done = 0;
		unifw_progress_begin(x->o->progress, verify ? "flash" : "write", e->name, total);
		unifw_progress_update(x->o->progress, 0);
	}
	for (uint64_t i = 0; !rc && i < start && i < rs.count; i++)
		rc = recheck_range(x, e, &rs, &rs.ranges[i], &img.s, err);
	for (uint64_t i = start; !rc && i < rs.count; i++) {
		const struct flash_range *r = &rs.ranges[i];
		/* the safe point: every range before this one is written, verified and counted by the journal */
		if ((rc = stop_requested(x, e, r, err)))
			break;
		rc = write_range(x, e, &rs, r, &img.s, err);
		if (!rc && verify)
			rc = verify_range(x, e, r, err);
		if (rc)
			break;
		jp->written = i + 1;
		if (verify)
			jp->verified = i + 1;
		x->since_save += r->len;
		if (x->since_save >= UNIFW_FLASH_JOURNAL_EVERY || i + 1 == rs.count)
			rc = save(x, err);
	}
	if (!rc && (!rs.count || start == rs.count))
		rc = save(x, err);
	if (rs.count || rc)
		unifw_progress_end(x->o->progress, rc, rc ? err->msg : verify ? "written and verified" : "written");
	if (!rc)
		x->res->partitions_written++;
	flash_ranges_free(&rs);
	free(mem);
	flash_image_close(&img);
	return rc;
}

/* ---------------------------------------------------------------- the job */

static void record_failure(struct exec *x, const struct unifw_flash_entry *e, const struct unifw_error *err)
{
	char msg[1024];
	struct unifw_error ignore;
	if (e)
		snprintf(x->res->failed_partition, sizeof x->res->failed_partition, "%s", e->name);
	snprintf(x->j->state, sizeof x->j->state, "interrupted");
	snprintf(x->j->last_error, sizeof x->j->last_error, "%s", unifw_error_format(err, msg, sizeof msg));
	/* Best effort: the progress in the file is what the last successful save recorded, which is safe. */
	unifw_flash_journal_save(x->o->journal_path, x->j, &ignore);
}

/* --repartition, before the first write of every run (a resume too): the identity images are made from the
 * backup entry the journal names, each file checked against the entry's manifest; never from the phone,
 * whose old places may already hold the new layout. */
static int repart_prepare(struct exec *x, struct unifw_error *err)
{
	unifw_progress_note(x->o->progress, "info", "carrying the identity partitions from %s", x->j->identity_backup);
	int rc = flash_repart_prepare(x->plan, x->j->identity_backup, &x->carry, err);
	if (rc)
		x->res->failed_step = "identity";
	return rc;
}

static int run(struct exec *x, struct unifw_error *err)
{
	const struct unifw_flash_plan *plan = x->plan;
	char dir[PATH_MAX] = "";
	int rc = journal_start(x, err);
	/* the bytes of a range: to compare a read-back with, and on resume to re-check what the journal says */
	if (!rc && (x->j->opts.verify || x->o->resume) && !(x->sent = malloc((size_t)plan->opts.range_size)))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "flash", UNIFW_NO_OFFSET, "out of memory for a %llu-byte range",
				     (unsigned long long)plan->opts.range_size);
	if (!rc)
		rc = parent_dirs(x->o->journal_path, err);
	if (!rc && !x->j->identity_backup[0]) {
		/* named like format's: <backup_dir>/identity-YYYYMMDD-HHMMSS */
		rc = unifw_flash_make_dirs(x->o->backup_dir, err);
		if (!rc)
			rc = unifw_backup_stamp_dir(x->o->backup_dir, "identity", dir, sizeof dir, err);
	}
	if (!rc)
		rc = save(x, err); /* the journal can be written: only now does the phone get a command */
	if (rc)
		return rc;
	double t0 = unifw_mono_s();
	if ((rc = unifw_cancel_check(x->o->cancel, "flash", "before the identity backup", err)))
		x->res->failed_step = "cancelled";
	else if (dir[0])
		rc = identity_backup(x, dir, err);
	x->res->backup_seconds = unifw_mono_s() - t0;
	snprintf(x->res->identity_backup, sizeof x->res->identity_backup, "%s", x->j->identity_backup);
	if (rc) {
		record_failure(x, NULL, err);
		return rc;
	}
	if (plan->repart && (rc = repart_prepare(x, err)) != 0) {
		record_failure(x, NULL, err);
		return rc;
	}
	size_t k = 0;
	t0 = unifw_mono_s();
	for (size_t i = 0; i < plan->count && !rc; i++) {
		const struct unifw_flash_entry *e = &plan->entries[i];
		if (e->action != UNIFW_FLASH_WRITE)
			continue;
		if (plan->repart)
			snprintf(x->j->phase, sizeof x->j->phase, "%s", flash_repart_phase(e));
		rc = flash_entry(x, e, &x->j->parts[k++], err);
		if (rc)
			record_failure(x, e, err);
	}
	x->res->write_seconds = unifw_mono_s() - t0;
	if (rc)
		return rc;
	snprintf(x->j->state, sizeof x->j->state, "done");
	if (plan->repart)
		snprintf(x->j->phase, sizeof x->j->phase, "done");
	return save(x, err);
}

int unifw_flash_execute(const struct unifw_flash_device *dev, const struct unifw_flash_plan *plan,
			const struct unifw_flash_exec_opts *opts, struct unifw_flash_result *res, struct unifw_error *err)
{
	struct unifw_flash_result scratch;
	if (!res)
		res = &scratch;
	memset(res, 0, sizeof *res);
	if (!plan || !opts)
		return unifw_error_set(err, UNIFW_E_INVALID, "flash", UNIFW_NO_OFFSET, "no plan or options");
	struct exec x = {.dev = dev, .plan = plan, .o = opts, .res = res};
	int rc = validate(&x, err);
	if (!rc)
		rc = run(&x, err);
	unifw_flash_journal_free(&x.own);
	flash_repart_images_free(&x.carry);
	free(x.sent);
	return rc;
}
