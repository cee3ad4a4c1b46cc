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
#include <pthread.h>
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
#include "unifw/package.h"
#include "unifw/preloader.h"
#include "ops/reread.h"
#include "util/clock.h"

#define BLOCK 4096u              /* hole granularity for skip_empty */
#define JOURNAL_MAX (1u << 20)
#define HASH_BUF (1u << 20)

/* --- names and scatter conventions ------------------------------------------------------------- */

/* ptgen's MT6572 conventions by partition name (formats.md "Canonical MT6572 eMMC layout", the
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
		p->physical_start = 0; /* ptgen writes 0x0 for every MT6572 partition (formats.md) */
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
		if (o->only[i] && !strcasecmp(o->only[i], name))
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
				found = !strcasecmp(j->item[i].name, o->only[k]);
			if (!found)
				return unifw_error_set(err, UNIFW_E_NOT_FOUND, "backup", UNIFW_NO_OFFSET,
						       "the phone's partition table has no partition named %s", o->only[k]);
		}
	return 0;
}

/* --- journal ------------------------------------------------------------------------------------- */

int unifw_backup_journal_save(const char *path, const struct unifw_backup_journal *j, struct unifw_error *err)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "kind", "unifw-backup-journal");
	unifw_jv_set_uint(o, "version", UNIFW_BACKUP_VERSION);
	unifw_jv_set_str(o, "cid", j->cid);
	unifw_jv_set_uint(o, "user_size", j->user_size);
	unifw_jv_set_uint(o, "boot1_size", j->boot1_size);
	unifw_jv_set_uint(o, "boot_region", j->boot_region);
	unifw_jv_set_bool(o, "skip_empty", j->skip_empty);
	unifw_jv_set_bool(o, "identity_only", j->identity_only);
	unifw_jv_set_str(o, "state", j->state[0] ? j->state : "running");
	struct unifw_jv *arr = unifw_jv_set_arr(o, "items");
	for (size_t i = 0; i < j->count; i++) {
		const struct unifw_backup_item *it = &j->item[i];
		struct unifw_jv *x = unifw_jv_push_obj(arr);
		unifw_jv_set_str(x, "name", it->name);
		unifw_jv_set_str(x, "image", it->file); /* not "file": info checks file+sha256 pairs */
		unifw_jv_set_uint(x, "part", (uint64_t)it->part);
		unifw_jv_set_uint(x, "offset", it->offset);
		unifw_jv_set_uint(x, "size", it->size);
		unifw_jv_set_uint(x, "done", it->done);
		unifw_jv_set_bool(x, "complete", it->complete);
		unifw_jv_set_str(x, "digest", it->sha256);
		unifw_jv_set_uint(x, "holes", it->holes);
	}
	char *text = unifw_jv_to_string(o, true);
	unifw_jv_free(o);
	if (!text)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	int rc = unifw_file_write_atomic(path, text, strlen(text), err);
	free(text);
	return rc;
}

static int jfail(struct unifw_error *err, const char *path, const char *what)
{
	return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET, "backup journal: %s", what);
}

static bool jstr(const struct unifw_jv *o, const char *key, char *out, size_t cap)
{
	const char *s = unifw_jv_str(unifw_jv_get(o, key));
	if (!s || strlen(s) >= cap)
		return false;
	snprintf(out, cap, "%s", s);
	return true;
}

static bool jnum(const struct unifw_jv *o, const char *key, uint64_t *v)
{
	const struct unifw_jv *x = unifw_jv_get(o, key);
	if (!x || unifw_jv_type(x) != UNIFW_JV_UINT)
		return false;
	*v = unifw_jv_u64(x);
	return true;
}

int unifw_backup_journal_load(const char *path, struct unifw_backup_journal *j, struct unifw_error *err)
{
	uint8_t *text;
	size_t len;
	struct unifw_jv *o = NULL;
	int rc = unifw_file_read_all(path, JOURNAL_MAX, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = unifw_package_parse_json((const char *)text, len, path, &o, err);
	free(text);
	if (rc < 0)
		return rc;
	memset(j, 0, sizeof *j);
	const char *kind = unifw_jv_str(unifw_jv_get(o, "kind"));
	uint64_t v;
	const struct unifw_jv *arr = unifw_jv_get(o, "items");
	rc = 0;
	if (!kind || strcmp(kind, "unifw-backup-journal"))
		rc = jfail(err, path, "not a unifw backup journal (kind)");
	else if (!jnum(o, "version", &v) || v != UNIFW_BACKUP_VERSION)
		rc = jfail(err, path, "unknown version");
	else if (!jstr(o, "cid", j->cid, sizeof j->cid) || !jnum(o, "user_size", &j->user_size) ||
		 !jnum(o, "boot1_size", &j->boot1_size) || !jnum(o, "boot_region", &j->boot_region))
		rc = jfail(err, path, "phone identity missing");
	else if (!arr || unifw_jv_type(arr) != UNIFW_JV_ARRAY || unifw_jv_len(arr) > UNIFW_BACKUP_MAX_ITEMS)
		rc = jfail(err, path, "items missing or too many");
	j->skip_empty = unifw_jv_truthy(unifw_jv_get(o, "skip_empty"));
	j->identity_only = unifw_jv_truthy(unifw_jv_get(o, "identity_only"));
	if (!jstr(o, "state", j->state, sizeof j->state)) /* journals before issue 10 have none */
		j->state[0] = 0;
	for (size_t i = 0; rc == 0 && i < unifw_jv_len(arr); i++) {
		const struct unifw_jv *x = unifw_jv_at(arr, i);
		struct unifw_backup_item *it = &j->item[j->count++];
		uint64_t part;
		if (!jstr(x, "name", it->name, sizeof it->name) || !jstr(x, "image", it->file, sizeof it->file) ||
		    !jnum(x, "part", &part) || !jnum(x, "offset", &it->offset) || !jnum(x, "size", &it->size) ||
		    !jnum(x, "done", &it->done) || !jstr(x, "digest", it->sha256, sizeof it->sha256) ||
		    !jnum(x, "holes", &it->holes) || it->done > it->size ||
		    (part != UNIFW_PHONE_BOOT1 && part != UNIFW_PHONE_USER)) {
			rc = jfail(err, path, "an item is incomplete or inconsistent");
			break;
		}
		it->part = (enum unifw_phone_part)part;
		it->complete = unifw_jv_truthy(unifw_jv_get(x, "complete"));
		if (it->complete && (it->done != it->size || strlen(it->sha256) != 64))
			rc = jfail(err, path, "an item marked complete lacks its bytes or digest");
	}
	unifw_jv_free(o);
	return rc;
}

int unifw_backup_journal_adopt(const struct unifw_backup_journal *saved, struct unifw_backup_journal *now,
			       struct unifw_error *err)
{
	if (strcasecmp(saved->cid, now->cid))
		return unifw_error_set(err, UNIFW_E_UNSAFE, "--resume", UNIFW_NO_OFFSET,
				       "this is another phone: the interrupted backup was of eMMC CID %s, the phone "
				       "connected now has CID %s",
				       saved->cid, now->cid);
	if (saved->user_size != now->user_size || saved->boot1_size != now->boot1_size ||
	    saved->boot_region != now->boot_region)
		return unifw_error_set(err, UNIFW_E_UNSAFE, "--resume", UNIFW_NO_OFFSET,
				       "the eMMC geometry differs from the interrupted backup's");
	if (saved->skip_empty != now->skip_empty || saved->identity_only != now->identity_only)
		return unifw_error_set(err, UNIFW_E_INVALID, "--resume", UNIFW_NO_OFFSET,
				       "the interrupted backup was made with%s --skip-empty and scope %s: resume with the "
				       "same options",
				       saved->skip_empty ? "" : "out", saved->identity_only ? "identity" : "full");
	if (saved->count != now->count)
		return unifw_error_set(err, UNIFW_E_UNSAFE, "--resume", UNIFW_NO_OFFSET,
				       "the phone's partition table changed since the interrupted backup (%zu items then, "
				       "%zu now): start a new backup",
				       saved->count, now->count);
	for (size_t i = 0; i < now->count; i++) {
		const struct unifw_backup_item *a = &saved->item[i];
		struct unifw_backup_item *b = &now->item[i];
		if (strcmp(a->name, b->name) || strcmp(a->file, b->file) || a->part != b->part || a->offset != b->offset ||
		    a->size != b->size)
			return unifw_error_set(err, UNIFW_E_UNSAFE, "--resume", UNIFW_NO_OFFSET,
					       "the phone's partition table changed since the interrupted backup (item %zu: "
					       "%s at 0x%llx+0x%llx then, %s at 0x%llx+0x%llx now): start a new backup",
					       i, a->name, (unsigned long long)a->offset, (unsigned long long)a->size, b->name,
					       (unsigned long long)b->offset, (unsigned long long)b->size);
	}
	for (size_t i = 0; i < now->count; i++) {
		now->item[i].done = saved->item[i].done;
		now->item[i].complete = saved->item[i].complete;
		now->item[i].holes = saved->item[i].holes;
		snprintf(now->item[i].sha256, sizeof now->item[i].sha256, "%s", saved->item[i].sha256);
	}
	return 0;
}

/* --- streaming one item -------------------------------------------------------------------------- */

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

/* The READ protocol is stop-and-wait: the phone sends the next packet only after the host's ACK.
 * The sink therefore only copies each packet into a ring of slots; two worker threads take it from
 * there in parallel, one hashing (SHA-256, the largest cost) and one writing, reading back and
 * comparing. A slot is reused once both have passed it. Each worker goes through the slots in
 * order, so the hash and the file see the bytes in the phone's order. */
#define QDEPTH 8u
#define QSLOT (1u << 20)

typedef int (*slot_work)(struct writer *w, const uint8_t *data, size_t len, uint64_t pos, struct unifw_error *err);

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

/* The slots and the read-back buffer live as long as the backup: fresh 1 MiB buffers for every
 * image would cost a page fault per 4 KiB on first touch. */
struct buffers {
	uint8_t *slot[QDEPTH];
	uint8_t *check;
};

static int buffers_get(struct buffers *b, const char *path, struct unifw_error *err)
{
	for (size_t i = 0; i < QDEPTH; i++)
		if (!b->slot[i] && !(b->slot[i] = malloc(QSLOT)))
			return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	if (!b->check && !(b->check = malloc(QSLOT)))
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	return 0;
}

static void buffers_free(struct buffers *b)
{
	for (size_t i = 0; i < QDEPTH; i++)
		free(b->slot[i]);
	free(b->check);
}

static int queue_start(struct queue *q, struct writer *w, struct buffers *b, struct unifw_error *err)
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
static int queue_drain(struct queue *q, struct unifw_error *err)
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

static void queue_stop(struct queue *q)
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

static int queue_sink(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
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
static int hash_file(int fd, uint64_t n, struct unifw_sha256 *h, const char *path, struct unifw_error *err)
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
	else if (it->done && (rc = hash_file(w.fd, it->done, &w.sha, path, err)) == 0)
		w.done = it->done;
	w.holes = it->holes;
	w.flushed = w.dropped = w.done;
	struct queue q;
	memset(&q, 0, sizeof q);
	if (rc == 0)
		rc = queue_start(&q, &w, &r->bufs, err);
	while (rc == 0 && w.done < it->size) {
		uint64_t n = it->size - w.done < r->chunk ? it->size - w.done : r->chunk;
		/* a safe point: every byte before it is synced and counted by the journal */
		if ((rc = unifw_cancel_check(r->o->cancel, it->name, "between two reads", err)) < 0)
			break;
		rc = unifw_phone_read(r->ph, it->part, it->offset + w.done, n, queue_sink, &q, err);
		/* what was queued before a failure still goes to disk; the journal counts only synced bytes */
		struct unifw_error e2;
		int drc = queue_drain(&q, rc < 0 ? &e2 : err);
		if (rc == 0)
			rc = drc;
		if (rc < 0)
			break;
		it->done = w.done;
		it->holes = w.holes;
		rc = journal_checkpoint(r, false, err);
	}
	queue_stop(&q);
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
			rc = hash_file(fd, it->size, &h, path, err);
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
	char summary[128];
	snprintf(summary, sizeof summary, "%s, sha256 %.16s...", it->file, it->sha256);
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
	buffers_free(&r.bufs);
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
