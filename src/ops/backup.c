/* Back up a connected phone (include/unifw/backup.h, docs/backup.md).
 *
 * Plan: boot1 as preloader.bin, then every partition of the phone's own layout (identify.c: PMT +
 * MBR/EBR), then any user-area space no table lists ("unallocated"), so that the images together
 * are the whole eMMC. Each item is read in chunks; after each chunk the image is synced and the
 * journal (JSON, written atomically) records how many bytes are safe, so --resume continues where
 * the last run stopped. SHA-256 is computed while streaming and checked against the file as it lies
 * on disk; --verify reads the phone a second time. The manifest is written last, atomically. */
#include "unifw/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unifw/emi.h"
#include "unifw/hash.h"
#include "unifw/io.h"
#include "unifw/partname.h"
#include "unifw/preloader.h"
#include "ops/backup_internal.h"
#include "ops/reread.h"
#include "util/clock.h"


/* --- names and scatter conventions ------------------------------------------------------------- */

/* ptgen's MT6572 conventions by partition name (docs/format-scatter.md, the canonical MT6572 layout, the
 * corpus scatters): file name, type, operation type, downloaded. */
struct role {
	const char *name, *file, *type, *op;
	bool download;
};

static const struct role roles[] = {
	{"PRELOADER", "preloader.bin", "SV5_BL_BIN", "BOOTLOADERS", true},
	{"MBR", "MBR", "NORMAL_ROM", "UPDATE", true},
	{"EBR1", "EBR1", "NORMAL_ROM", "UPDATE", true},
	{"EBR2", "EBR2", "NORMAL_ROM", "UPDATE", true},
	{"PRO_INFO", "pro_info.bin", "NONE", "PROTECTED", false},
	{"NVRAM", "nvram.bin", "NONE", "BINREGION", false},
	{"PROTECT_F", "protect_f.img", "NONE", "PROTECTED", false},
	{"PROTECT_S", "protect_s.img", "NONE", "PROTECTED", false},
	{"SECCFG", "seccfg.bin", "NONE", "INVISIBLE", false},
	{"UBOOT", "lk.bin", "NORMAL_ROM", "UPDATE", true},
	{"BOOTIMG", "boot.img", "NORMAL_ROM", "UPDATE", true},
	{"RECOVERY", "recovery.img", "NORMAL_ROM", "UPDATE", true},
	{"SEC_RO", "secro.img", "NORMAL_ROM", "UPDATE", true},
	{"MISC", "misc.bin", "NONE", "INVISIBLE", false},
	{"LOGO", "logo.bin", "NORMAL_ROM", "UPDATE", true},
	{"EXPDB", "expdb.bin", "NONE", "INVISIBLE", false},
	{"PRELOAD", "preload.img", "YAFFS_IMG", "UPDATE", true},
	{"ANDROID", "system.img", "YAFFS_IMG", "UPDATE", true},
	{"CACHE", "cache.img", "YAFFS_IMG", "UPDATE", true},
	{"CUSTPACK", "custpack.img", "YAFFS_IMG", "UPDATE", true},
	{"USRDATA", "userdata.img", "YAFFS_IMG", "UPDATE", true},
	{"FAT", "fat.bin", "NONE", "INVISIBLE", false},
	{"BMTPOOL", "bmtpool.bin", "NONE", "RESERVED", false},
	{"OTP", "otp.bin", "NONE", "RESERVED", false},
};

static const struct role *role_of(const char *name)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
		if (!strcasecmp(roles[i].name, name))
			return &roles[i];
	return NULL;
}

bool unifw_backup_is_identity(const char *p)
{
	return p && (!strcasecmp(p, "NVRAM") || !strcasecmp(p, "PRO_INFO") || !strcasecmp(p, "PROTECT_F") ||
		     !strcasecmp(p, "PROTECT_S"));
}

const char *unifw_backup_file_name(const char *partition, const char *content, char *buf, size_t cap)
{
	const struct role *r = role_of(partition);
	if (r) {
		snprintf(buf, cap, "%s", r->file);
		return buf;
	}
	size_t n = 0;
	for (const char *s = partition; *s && n + 5 < cap && n < 64; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			c = '_';
		if (n == 0 && c == '.')
			c = '_'; /* no hidden files, no ".." */
		buf[n++] = c;
	}
	if (n == 0)
		buf[n++] = '_';
	snprintf(buf + n, cap - n, "%s", content && !strcmp(content, "ext4") ? ".img" : ".bin");
	return buf;
}

/* --- scatter rebuild ----------------------------------------------------------------------------- */

#define K(x) (1u << UNIFW_SCATTER_K_##x)
#define I(x) (1u << UNIFW_SCATTER_I_##x)

int unifw_backup_scatter(const struct unifw_phone_layout *l, const char *platform, const char *project,
			 const char *const *files, struct unifw_scatter *sc, struct unifw_error *err)
{
	memset(sc, 0, sizeof *sc);
	sc->dialect = UNIFW_SCATTER_V1;
	snprintf(sc->config_version, sizeof sc->config_version, "V1.1.1");
	snprintf(sc->platform, sizeof sc->platform, "%s", platform && *platform ? platform : "MT6572");
	snprintf(sc->project, sizeof sc->project, "%s", project && *project ? project : "unknown");
	snprintf(sc->storage, sizeof sc->storage, "EMMC");
	snprintf(sc->boot_channel, sizeof sc->boot_channel, "MSDC_0");
	sc->block_size = UNIFW_SCATTER_DEFAULT_BLOCK;
	sc->info_keys = I(VERSION) | I(PLATFORM) | I(PROJECT) | I(STORAGE) | I(BOOT_CHANNEL) | I(BLOCK_SIZE);
	sc->parts = calloc(l->count ? l->count : 1, sizeof *sc->parts);
	if (!sc->parts)
		return unifw_error_set(err, UNIFW_E_NOMEM, "scatter", UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; i < l->count; i++) {
		const struct unifw_phone_part_entry *e = &l->part[i];
		struct unifw_scatter_part *p = &sc->parts[sc->count];
		const struct role *r = role_of(e->name);
		bool boot = e->offset == UINT64_MAX;
		p->index = (int)sc->count;
		snprintf(p->name, sizeof p->name, "%.63s", e->name);
		snprintf(p->file_name, sizeof p->file_name, "%s", files && files[i] ? files[i] : "NONE");
		p->is_download = r ? r->download : false;
		snprintf(p->type, sizeof p->type, "%s", r ? r->type : (!strcmp(e->content, "ext4") ? "YAFFS_IMG" : "NONE"));
		p->size = e->size;
		bool at_end = !boot && e->offset + e->size == l->user_size;
		if (!boot && (e->from_end || (at_end && r && !strcmp(r->op, "RESERVED"))) && e->size % sc->block_size == 0 &&
		    e->size / sc->block_size <= 0xFFFF)
			p->linear_start = 0xFFFF0000u | (e->size / sc->block_size);
		else
			p->linear_start = boot ? 0 : e->offset + l->boot_region;
		p->physical_start = 0; /* ptgen writes 0x0 for every MT6572 partition (docs/format-scatter.md) */
		snprintf(p->region, sizeof p->region, "%s", boot ? "EMMC_BOOT_1" : "EMMC_USER");
		snprintf(p->storage, sizeof p->storage, "HW_STORAGE_EMMC");
		p->boundary_check = !(r && !strcmp(r->op, "RESERVED")); /* ptgen: false for BMTPOOL */
		p->is_reserved = r && !strcmp(r->op, "RESERVED");
		snprintf(p->operation_type, sizeof p->operation_type, "%s", r ? r->op : "INVISIBLE");
		p->reserve = 0;
		p->keys = K(INDEX) | K(NAME) | K(FILE) | K(DOWNLOAD) | K(TYPE) | K(LINEAR) | K(PHYSICAL) | K(SIZE) |
			  K(REGION) | K(STORAGE) | K(BOUNDARY) | K(RESERVED) | K(OPTYPE) | K(RESERVE);
		sc->count++;
	}
	return 0;
}

int unifw_backup_scatter_flat(const struct unifw_scatter *v1, struct unifw_scatter *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	out->dialect = UNIFW_SCATTER_FLAT;
	out->parts = calloc(v1->count ? v1->count : 1, sizeof *out->parts);
	if (!out->parts)
		return unifw_error_set(err, UNIFW_E_NOMEM, "scatter", UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; i < v1->count; i++) {
		struct unifw_scatter_part *p = &out->parts[out->count++];
		snprintf(p->name, sizeof p->name, "%s", v1->parts[i].name);
		p->linear_start = v1->parts[i].linear_start;
		p->index = -1;
		p->keys = K(NAME) | K(LINEAR);
	}
	return 0;
}

/* --- plan ---------------------------------------------------------------------------------------- */

static bool wanted(const struct unifw_backup_opts *o, const char *name)
{
	if (o->identity_only && !unifw_backup_is_identity(name) && strcasecmp(name, "PRELOADER"))
		return false;
	if (!o->only)
		return true;
	for (size_t i = 0; i < o->only_count; i++)
		if (o->only[i] && unifw_partname_matches(o->only[i], name)) /* a ptgen name or an alias (boot) */
			return true;
	return false;
}

static struct unifw_backup_item *plan_add(struct unifw_backup_journal *j, const char *name, const char *file,
					  enum unifw_phone_part part, uint64_t off, uint64_t size, int layout_index)
{
	if (j->count >= UNIFW_BACKUP_MAX_ITEMS)
		return NULL;
	struct unifw_backup_item *it = &j->item[j->count++];
	memset(it, 0, sizeof *it);
	snprintf(it->name, sizeof it->name, "%s", name);
	snprintf(it->file, sizeof it->file, "%s", file);
	it->part = part;
	it->offset = off;
	it->size = size;
	it->layout_index = layout_index;
	return it;
}

/* Two partitions whose names map to the same file (names from the phone) get "-2", "-3"... */
static void unique_file(const struct unifw_backup_journal *j, char *file, size_t cap)
{
	char base[96];
	snprintf(base, sizeof base, "%s", file);
	for (unsigned n = 2; n < 1000; n++) {
		bool clash = !strcmp(file, UNIFW_BACKUP_MANIFEST) || !strcmp(file, UNIFW_BACKUP_JOURNAL);
		for (size_t i = 0; i < j->count && !clash; i++)
			clash = !strcasecmp(j->item[i].file, file);
		if (!clash)
			return;
		snprintf(file, cap, "%.80s-%u", base, n);
	}
}

static int make_plan(const struct unifw_phone *ph, const struct unifw_phone_layout *l,
		     const struct unifw_backup_opts *o, struct unifw_backup_journal *j, struct unifw_error *err)
{
	const struct unifw_phone_info *info = unifw_phone_info(ph);
	memset(j, 0, sizeof *j);
	unifw_hex(info->cid, 16, j->cid);
	j->user_size = info->user_size;
	j->boot1_size = info->boot1_size;
	j->boot_region = l->boot_region;
	j->skip_empty = o->skip_empty;
	j->identity_only = o->identity_only;
	uint64_t covered = 0;
	for (size_t i = 0; i < l->count; i++) {
		const struct unifw_phone_part_entry *e = &l->part[i];
		char file[96];
		struct unifw_backup_item *it;
		if (e->offset == UINT64_MAX) { /* PRELOADER: the whole boot1, the phone's own preloader */
			if (!wanted(o, e->name) || info->boot1_size == 0)
				continue;
			it = plan_add(j, e->name, "preloader.bin", UNIFW_PHONE_BOOT1, 0, info->boot1_size, (int)i);
		} else {
			/* space before this partition that no table lists */
			if (e->offset > covered && !o->only && !o->identity_only) {
				snprintf(file, sizeof file, "unallocated_0x%llx.bin", (unsigned long long)covered);
				it = plan_add(j, "(unallocated)", file, UNIFW_PHONE_USER, covered, e->offset - covered, -1);
				if (it)
					it->unallocated = true;
			}
			if (e->offset + e->size > covered)
				covered = e->offset + e->size;
			if (!wanted(o, e->name) || e->size == 0)
				continue;
			unifw_backup_file_name(e->name, e->content, file, sizeof file);
			unique_file(j, file, sizeof file);
			it = plan_add(j, e->name, file, UNIFW_PHONE_USER, e->offset, e->size, (int)i);
		}
		if (!it)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, "backup", UNIFW_NO_OFFSET, "too many partitions");
		snprintf(it->content, sizeof it->content, "%s", e->content);
	}
	if (covered < info->user_size && !o->only && !o->identity_only) {
		char file[96];
		snprintf(file, sizeof file, "unallocated_0x%llx.bin", (unsigned long long)covered);
		struct unifw_backup_item *it =
			plan_add(j, "(unallocated)", file, UNIFW_PHONE_USER, covered, info->user_size - covered, -1);
		if (!it)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, "backup", UNIFW_NO_OFFSET, "too many partitions");
		it->unallocated = true;
	}
	if (o->only) /* every name asked for must exist */
		for (size_t k = 0; k < o->only_count; k++) {
			bool found = false;
			for (size_t i = 0; i < j->count && !found; i++)
				found = unifw_partname_matches(o->only[k], j->item[i].name);
			if (!found)
				return unifw_error_set(err, UNIFW_E_NOT_FOUND, "backup", UNIFW_NO_OFFSET,
						       "the phone's partition table has no partition named %s", o->only[k]);
		}
	return 0;
}

struct run {
	struct unifw_phone *ph;
	const struct unifw_backup_opts *o;
	struct unifw_backup_journal *j;
	char journal_path[4200];
	uint64_t chunk;
	int dirfd;
	double last_save;
	struct buffers bufs; /* shared by every image's queue */
};

/* The journal may only claim bytes that are on disk: flush the folder's file system first. Saved at
 * most every 2 s (each save costs two syncs): an interruption repeats at most that much reading. */
#define CHECKPOINT_S 2.0
static int journal_checkpoint(struct run *r, bool force, struct unifw_error *err)
{
	double t = unifw_mono_s();
	if (!force && t - r->last_save < CHECKPOINT_S)
		return 0;
	if (syncfs(r->dirfd) < 0)
		return unifw_error_sys(err, r->o->dir, "syncfs");
	r->last_save = t;
	return unifw_backup_journal_save(r->journal_path, r->j, err);
}

/* [0, len) of an item read from the phone again and compared with its file (reread.h). */
static int item_reread(struct run *r, const struct unifw_backup_item *it, const char *path, uint64_t len,
		       struct ops_reread *v, struct unifw_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return unifw_error_sys(err, path, "cannot open the image to compare it with the phone");
	int rc = ops_reread_compare(ops_reread_phone, r->ph, it->part, it->offset, len, fd, 0, path, r->o->progress, v,
				    err);
	close(fd);
	return rc;
}

/* The whole image read a second time and compared with the file: a READ packet's 16-bit sum lets two
 * compensating bit errors through, and an identity backup is what a flash or format relies on. */
static int item_verify_phone(struct run *r, struct unifw_backup_item *it, const char *path, struct unifw_error *err)
{
	struct ops_reread v;
	unifw_progress_begin(r->o->progress, "verify", it->name, it->size);
	int rc = item_reread(r, it, path, it->size, &v, err);
	if (rc == 0 && v.first_diff != UINT64_MAX) {
		char was[16] = "(none)";
		if (v.file_byte >= 0)
			snprintf(was, sizeof was, "0x%02x", (unsigned)v.file_byte);
		rc = unifw_error_set(err, UNIFW_E_DEVICE, it->name, it->offset + v.first_diff,
				     "a second read from the phone differs from the first at %s offset 0x%llx (byte 0x%llx "
				     "of %s: first read %s, second 0x%02x): the eMMC or the link is unreliable, so this "
				     "backup cannot be trusted and the job stops here",
				     unifw_phone_part_name(it->part), (unsigned long long)(it->offset + v.first_diff),
				     (unsigned long long)v.first_diff, it->name, was, v.phone_byte);
	}
	unifw_progress_end(r->o->progress, rc, rc ? NULL : "same bytes on a second read");
	return rc;
}

/* Resume: what the interrupted run left on disk is compared with the phone before it is built on (the
 * journal only says how far the run got; the file may have been altered since, or read wrong). From the
 * first difference on it is read again: the file is cut at its 512-byte sector (at 0 with --skip-empty,
 * whose hole count covers the whole prefix). */
static int item_check_partial(struct run *r, struct unifw_backup_item *it, const char *path, struct unifw_error *err)
{
	struct ops_reread v;
	unifw_progress_begin(r->o->progress, "check", it->name, it->done);
	int rc = item_reread(r, it, path, it->done, &v, err);
	if (rc < 0) {
		unifw_progress_end(r->o->progress, rc, NULL);
		return rc;
	}
	if (v.first_diff == UINT64_MAX) {
		unifw_progress_end(r->o->progress, 0, "the saved part equals the phone");
		return 0;
	}
	uint64_t keep = r->o->skip_empty ? 0 : v.first_diff / 512 * 512;
	unifw_progress_end(r->o->progress, 0, "the saved part differs from the phone");
	unifw_progress_note(r->o->progress, "warning",
			    "%s: %s differs from the phone at byte 0x%llx (the file was altered or read wrong): read "
			    "again from 0x%llx",
			    it->name, it->file, (unsigned long long)v.first_diff, (unsigned long long)keep);
	it->done = keep;
	it->complete = false;
	it->sha256[0] = 0;
	if (keep == 0)
		it->holes = 0;
	return 0;
}

static int item_stream(struct run *r, struct unifw_backup_item *it, const char *path, struct unifw_error *err)
{
	struct writer w = {.path = path, .base = it->offset, .skip_empty = r->o->skip_empty,
			   .progress = r->o->progress};
	int rc;
	w.fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | (it->done ? 0 : O_TRUNC), 0644);
	if (w.fd < 0)
		return unifw_error_sys(err, path, "cannot create the image");
	if ((rc = unifw_sha256_init(&w.sha)) < 0) {
		close(w.fd);
		return rc;
	}
	/* Resume: whatever lies past the journal's mark was not confirmed; the prefix is hashed from disk. */
	if (ftruncate(w.fd, (off_t)it->done) < 0)
		rc = unifw_error_sys(err, path, "ftruncate");
	else if (it->done && (rc = backup_hash_file(w.fd, it->done, &w.sha, path, err)) == 0)
		w.done = it->done;
	w.holes = it->holes;
	w.flushed = w.dropped = w.done;
	struct queue q;
	memset(&q, 0, sizeof q);
	if (rc == 0)
		rc = backup_queue_start(&q, &w, &r->bufs, err);
	while (rc == 0 && w.done < it->size) {
		uint64_t n = it->size - w.done < r->chunk ? it->size - w.done : r->chunk;
		/* a safe point: every byte before it is synced and counted by the journal */
		if ((rc = unifw_cancel_check(r->o->cancel, it->name, "between two reads", err)) < 0)
			break;
		rc = unifw_phone_read(r->ph, it->part, it->offset + w.done, n, backup_queue_sink, &q, err);
		/* what was queued before a failure still goes to disk; the journal counts only synced bytes */
		struct unifw_error e2;
		int drc = backup_queue_drain(&q, rc < 0 ? &e2 : err);
		if (rc == 0)
			rc = drc;
		if (rc < 0)
			break;
		it->done = w.done;
		it->holes = w.holes;
		rc = journal_checkpoint(r, false, err);
	}
	backup_queue_stop(&q);
	uint8_t d[32];
	unifw_sha256_final(&w.sha, d);
	if (rc == 0 && ftruncate(w.fd, (off_t)it->size) < 0) /* trailing holes */
		rc = unifw_error_sys(err, path, "ftruncate");
	close(w.fd);
	if (rc == 0)
		unifw_hex(d, 32, it->sha256);
	return rc;
}

static int item_backup(struct run *r, struct unifw_backup_item *it, struct unifw_error *err)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/%s", r->o->dir, it->file);
	int rc0 = it->done ? item_check_partial(r, it, path, err) : 0; /* only a resumed item has bytes */
	if (rc0 < 0)
		return rc0;
	if (it->complete) {
		/* Finished in an earlier run: still verified against the journal's digest. */
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		struct unifw_sha256 h;
		uint8_t d[32];
		char hex[65];
		if (fd < 0)
			return unifw_error_sys(err, path, "the image of a completed partition is missing");
		int rc = unifw_sha256_init(&h);
		if (rc == 0) {
			rc = backup_hash_file(fd, it->size, &h, path, err);
			unifw_sha256_final(&h, d);
		}
		close(fd);
		unifw_hex(d, 32, hex);
		if (rc == 0 && strcmp(hex, it->sha256))
			rc = unifw_error_set(err, UNIFW_E_UNSAFE, path, UNIFW_NO_OFFSET,
					     "changed since the interrupted run (SHA-256 %s, journal %s): start a new backup",
					     hex, it->sha256);
		return rc;
	}
	char label[160];
	snprintf(label, sizeof label, "%s", it->name);
	unifw_progress_begin(r->o->progress, "read", label, it->size);
	unifw_progress_update(r->o->progress, it->done);
	int rc = item_stream(r, it, path, err);
	if (rc < 0) {
		unifw_error_prefix(err, "partition %s (%s 0x%llx+0x%llx, %llu of %llu bytes saved; --resume continues): ",
				   it->name, unifw_phone_part_name(it->part), (unsigned long long)it->offset,
				   (unsigned long long)it->size, (unsigned long long)it->done, (unsigned long long)it->size);
		unifw_progress_end(r->o->progress, rc, NULL);
		return rc;
	}
	char summary[sizeof it->file + sizeof it->sha256 + 16]; /* the whole hash: JSON text is never cut */
	snprintf(summary, sizeof summary, "%s, sha256 %s", it->file, it->sha256);
	unifw_progress_end(r->o->progress, 0, summary);
	/* An identity image is read twice in every backup, not only with --verify: its manifest hash is what
	 * flash --include-identity trusts when it writes the image back to this phone. */
	if ((r->o->verify || unifw_backup_is_identity(it->name)) && (rc = item_verify_phone(r, it, path, err)) < 0)
		return rc;
	it->complete = true;
	return journal_checkpoint(r, false, err);
}

/* --- manifest ------------------------------------------------------------------------------------ */

static struct unifw_jv *manifest_build(struct run *r, const struct unifw_phone_layout *l, const char *const *scatters,
				       size_t nscatters)
{
	struct unifw_jv *m = unifw_jv_object();
	unifw_jv_set_str(m, "type", "backup_manifest");
	char now[32];
	unifw_utc_iso(now, sizeof now);
	unifw_jv_set_str(m, "kind", UNIFW_BACKUP_KIND);
	unifw_jv_set_uint(m, "version", UNIFW_BACKUP_VERSION);
	unifw_jv_set_str(m, "created", now);
	unifw_jv_set_str(m, "tool", "unifw 0.1.0");
	unifw_jv_set_str(m, "scope", r->o->identity_only ? "identity" : r->o->only ? "partial" : "full");
	unifw_jv_set(m, "phone", unifw_phone_info_to_json(r->ph));
	struct unifw_jv *lt = unifw_jv_set_obj(m, "partition_table");
	unifw_phone_layout_to_json(l, lt);
	struct unifw_jv *sc = unifw_jv_set_arr(m, "scatter_files");
	for (size_t i = 0; i < nscatters; i++)
		unifw_jv_push_str(sc, scatters[i]);
	unifw_jv_set_bool(m, "skip_empty", r->o->skip_empty);
	unifw_jv_set_bool(m, "verified_by_second_read", r->o->verify);
	struct unifw_jv *arr = unifw_jv_set_arr(m, "partitions");
	uint64_t total = 0, stored = 0;
	for (size_t i = 0; i < r->j->count; i++) {
		const struct unifw_backup_item *it = &r->j->item[i];
		struct unifw_jv *x = unifw_jv_push_obj(arr);
		unifw_jv_set_str(x, "type", "backup_partition");
		unifw_jv_set_str(x, "name", it->name);
		unifw_jv_set_str(x, "file", it->file);
		unifw_jv_set_str(x, "region", it->part == UNIFW_PHONE_BOOT1 ? "EMMC_BOOT_1" : "EMMC_USER");
		unifw_jv_set_hex(x, "offset", it->offset);
		unifw_jv_set_hex(x, "linear", it->part == UNIFW_PHONE_BOOT1 ? it->offset : it->offset + l->boot_region);
		unifw_jv_set_uint(x, "size", it->size);
		unifw_jv_set_str(x, "sha256", it->sha256);
		if (it->content[0])
			unifw_jv_set_str(x, "content", it->content);
		if (it->unallocated)
			unifw_jv_set_bool(x, "unallocated", true);
		if (unifw_backup_is_identity(it->name))
			unifw_jv_set_bool(x, "identity", true);
		struct unifw_jv *sp = unifw_jv_set_obj(x, "sparse");
		unifw_jv_set_str(sp, "type", "sparse_storage");
		unifw_jv_set_str(sp, "method", r->o->skip_empty ? "holes" : "none");
		unifw_jv_set_uint(sp, "hole_bytes", it->holes);
		total += it->size;
		stored += it->size - it->holes;
	}
	unifw_jv_set_uint(m, "total_bytes", total);
	unifw_jv_set_uint(m, "stored_bytes", stored);
	return m;
}

/* platform and project for the scatter: the preloader's EMI tag names its project
 * ("preloader_<project>.bin"), its ROM info the platform. */
static void preloader_names(const char *path, char *platform, size_t pcap, char *project, size_t jcap)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error e;
	struct unifw_preloader *pl = malloc(sizeof *pl);
	struct unifw_emi_table *t = malloc(sizeof *t);
	snprintf(platform, pcap, "MT6572");
	project[0] = 0;
	if (pl && t && unifw_file_read_all(path, 16u << 20, &buf, &len, &e) == 0 &&
	    unifw_preloader_parse(buf, len, path, pl, &e) == 0) {
		if (pl->has_rominfo && pl->rominfo.platform[0])
			snprintf(platform, pcap, "%.16s", pl->rominfo.platform);
		if (pl->has_emi && unifw_preloader_emi_table(buf, len, pl, t, &e) == 0 && t->project[0])
			snprintf(project, jcap, "%.63s", t->project);
	}
	free(buf);
	free(pl);
	free(t);
}

static int write_scatters(struct run *r, const struct unifw_phone_layout *l, char names[2][96],
			  struct unifw_error *err)
{
	const char *files[UNIFW_PHONE_MAX_PARTS] = {0};
	for (size_t i = 0; i < r->j->count; i++)
		if (r->j->item[i].layout_index >= 0)
			files[r->j->item[i].layout_index] = r->j->item[i].file;
	char platform[32], project[64], pre[4300];
	snprintf(pre, sizeof pre, "%s/preloader.bin", r->o->dir);
	preloader_names(pre, platform, sizeof platform, project, sizeof project);
	struct unifw_scatter v1, flat;
	int rc = unifw_backup_scatter(l, platform, project, files, &v1, err);
	if (rc < 0)
		return rc;
	rc = unifw_backup_scatter_flat(&v1, &flat, err);
	if (rc < 0) {
		unifw_scatter_free(&v1);
		return rc;
	}
	char path[4300];
	snprintf(names[0], 96, "%s_Android_scatter.txt", platform);
	snprintf(names[1], 96, "%s_Android_scatter_flat.txt", platform);
	snprintf(path, sizeof path, "%s/%s", r->o->dir, names[0]);
	rc = unifw_scatter_save(&v1, UNIFW_SCATTER_V1, path, err);
	if (rc == 0) {
		snprintf(path, sizeof path, "%s/%s", r->o->dir, names[1]);
		rc = unifw_scatter_save(&flat, UNIFW_SCATTER_FLAT, path, err);
	}
	unifw_scatter_free(&v1);
	unifw_scatter_free(&flat);
	return rc;
}

/* --- the job ------------------------------------------------------------------------------------- */

static int prepare_dir(const struct unifw_backup_opts *o, const char *journal, struct unifw_error *err)
{
	char manifest[4300];
	if (mkdir(o->dir, 0755) < 0 && errno != EEXIST)
		return unifw_error_sys(err, o->dir, "cannot create the backup folder");
	struct stat st;
	if (stat(o->dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return unifw_error_set(err, UNIFW_E_INVALID, o->dir, UNIFW_NO_OFFSET, "not a folder");
	snprintf(manifest, sizeof manifest, "%s/%s", o->dir, UNIFW_BACKUP_MANIFEST);
	bool has_journal = access(journal, F_OK) == 0, has_manifest = access(manifest, F_OK) == 0;
	if (o->resume && !has_journal)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, o->dir, UNIFW_NO_OFFSET,
				       has_manifest ? "this backup is already complete (manifest.json): nothing to resume"
						    : "no interrupted backup here (no %s) to resume",
				       UNIFW_BACKUP_JOURNAL);
	if (!o->resume && has_journal)
		return unifw_error_set(err, UNIFW_E_INVALID, o->dir, UNIFW_NO_OFFSET,
				       "holds an interrupted backup: add --resume to finish it, or choose another folder");
	if (!o->resume && has_manifest)
		return unifw_error_set(err, UNIFW_E_INVALID, o->dir, UNIFW_NO_OFFSET,
				       "already holds a backup (manifest.json): choose another folder");
	return 0;
}

int unifw_backup(struct unifw_phone *ph, const struct unifw_backup_opts *opts, struct unifw_jv **summary,
		 struct unifw_error *err)
{
	struct unifw_backup_opts o = *opts;
	struct run r = {.ph = ph, .o = &o, .dirfd = -1};
	const struct unifw_phone_info *info = unifw_phone_info(ph);
	int rc;
	if (summary)
		*summary = NULL;
	if (!o.dir || !*o.dir)
		return unifw_error_set(err, UNIFW_E_INVALID, "backup", UNIFW_NO_OFFSET, "no output folder");
	if (!info->have_report2 || strcmp(info->storage, "emmc"))
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "backup", UNIFW_NO_OFFSET,
				       "backup needs the DA running on an eMMC phone (storage: %s)", info->storage);
	r.chunk = o.chunk ? o.chunk / 512 * 512 : UNIFW_BACKUP_DEFAULT_CHUNK;
	if (r.chunk == 0)
		r.chunk = 512;
	snprintf(r.journal_path, sizeof r.journal_path, "%s/%s", o.dir, UNIFW_BACKUP_JOURNAL);
	if ((rc = prepare_dir(&o, r.journal_path, err)) < 0)
		return rc;
	r.dirfd = open(o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.dirfd < 0)
		return unifw_error_sys(err, o.dir, "cannot open the backup folder");
	r.last_save = unifw_mono_s();

	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	struct unifw_backup_journal *j = calloc(1, sizeof *j), *saved = NULL;
	struct unifw_jv *m = NULL;
	if (!l || !j) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "backup", UNIFW_NO_OFFSET, "out of memory");
		goto out;
	}
	r.j = j;
	unifw_progress_begin(o.progress, "partition table", NULL, 0);
	rc = unifw_phone_layout_read(ph, l, err);
	unifw_progress_end(o.progress, rc, rc ? NULL : l->have_pmt ? "PMT and MBR/EBR" : "MBR/EBR only");
	if (rc == UNIFW_E_NOT_FOUND && !o.only && !o.identity_only) {
		/* A blank eMMC still has bytes: back up boot1 and the whole user area as raw images. */
		memset(l, 0, sizeof *l);
		l->boot_region = unifw_phone_boot_region(ph);
		l->user_size = info->user_size;
		l->count = 1;
		snprintf(l->part[0].name, sizeof l->part[0].name, "PRELOADER");
		l->part[0].offset = UINT64_MAX;
		l->part[0].size = l->boot_region;
		unifw_progress_note(o.progress, "warning", "no partition table on the phone: the user area is saved as "
							   "one raw image");
		rc = 0;
	}
	if (rc < 0)
		goto out;
	if (l->note[0])
		unifw_progress_note(o.progress, "warning", "partition tables: %s", l->note);
	if ((rc = make_plan(ph, l, &o, j, err)) < 0)
		goto out;
	if (o.resume) {
		saved = calloc(1, sizeof *saved);
		if (!saved) {
			rc = unifw_error_set(err, UNIFW_E_NOMEM, "backup", UNIFW_NO_OFFSET, "out of memory");
			goto out;
		}
		if ((rc = unifw_backup_journal_load(r.journal_path, saved, err)) < 0 ||
		    (rc = unifw_backup_journal_adopt(saved, j, err)) < 0)
			goto out;
		uint64_t have = 0;
		for (size_t i = 0; i < j->count; i++)
			have += j->item[i].done;
		unifw_progress_note(o.progress, "info", "resuming: %llu bytes were saved by the interrupted run",
				    (unsigned long long)have);
	}
	if ((rc = unifw_backup_journal_save(r.journal_path, j, err)) < 0)
		goto out;
	for (size_t i = 0; i < j->count && rc == 0; i++)
		rc = item_backup(&r, &j->item[i], err);
	if (rc < 0) {
		struct unifw_error e2; /* keep what is safe for --resume; the first error is the one to tell */
		snprintf(j->state, sizeof j->state, "interrupted");
		journal_checkpoint(&r, true, &e2);
		goto out;
	}

	char names[2][96] = {"", ""};
	const char *scat[2];
	size_t nscat = 0;
	if (!o.identity_only && !o.only && l->count > 1) {
		if ((rc = write_scatters(&r, l, names, err)) < 0)
			goto out;
		scat[nscat++] = names[0];
		scat[nscat++] = names[1];
	}
	if (syncfs(r.dirfd) < 0) { /* every image on disk before the manifest says so */
		rc = unifw_error_sys(err, o.dir, "syncfs");
		goto out;
	}
	m = manifest_build(&r, l, scat, nscat);
	char *text = unifw_jv_to_string(m, true);
	char path[4300];
	snprintf(path, sizeof path, "%s/%s", o.dir, UNIFW_BACKUP_MANIFEST);
	if (!text || unifw_jv_oom(m))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "backup", UNIFW_NO_OFFSET, "out of memory");
	else
		rc = unifw_file_write_atomic(path, text, strlen(text), err);
	free(text);
	if (rc == 0 && unlink(r.journal_path) < 0)
		rc = unifw_error_sys(err, r.journal_path, "cannot remove the finished journal");
	if (rc == 0 && summary) {
		*summary = m;
		m = NULL;
	}
out:
	if (r.dirfd >= 0)
		close(r.dirfd);
	backup_buffers_free(&r.bufs);
	unifw_jv_free(m);
	free(saved);
	free(j);
	free(l);
	return rc;
}

int unifw_backup_identity(struct unifw_phone *ph, const char *dir, const struct unifw_progress *progress,
			  struct unifw_jv **summary, struct unifw_error *err)
{
	/* verify: every identity image is read twice and compared before a flash or format may rely on it */
	struct unifw_backup_opts o = {.dir = dir, .identity_only = true, .verify = true, .progress = progress};
	return unifw_backup(ph, &o, summary, err);
}

int unifw_backup_stamp_dir(const char *parent, const char *prefix, char *out, size_t cap, struct unifw_error *err)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 1; n < 100; n++) {
		if (n == 1)
			snprintf(out, cap, "%s/%s-%s", parent && *parent ? parent : ".", prefix, stamp);
		else
			snprintf(out, cap, "%s/%s-%s-%u", parent && *parent ? parent : ".", prefix, stamp, n);
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return unifw_error_sys(err, out, "cannot create the folder");
	}
	return unifw_error_set(err, UNIFW_E_IO, out, UNIFW_NO_OFFSET, "too many folders with this name");
}

