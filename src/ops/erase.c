/* Erase partitions of a connected phone (include/unifw/erase.h). The plan is made from the
 * phone's own layout before anything is touched; identity partitions (NVRAM, PRO_INFO,
 * PROTECT_F/S: IMEI, calibration, MAC addresses) are only erased when named and explicitly allowed,
 * and are backed up first in every case, together with the phone's own preloader. */
#include "unifw/erase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/backup.h"
#include "unifw/vault.h"

static bool requested(const struct unifw_erase_opts *o, const char *name)
{
	for (size_t i = 0; i < o->count; i++)
		if (o->partitions[i] && !strcasecmp(o->partitions[i], name))
			return true;
	return false;
}

/* Areas --all-but-identity keeps besides the identity partitions. */
static const char *kept_by_all_but_identity(const char *name)
{
	if (!strcasecmp(name, "MBR") || !strncasecmp(name, "EBR", 3))
		return "partition table (kept so the phone still knows its partitions)";
	if (!strcasecmp(name, "BMTPOOL") || !strcasecmp(name, "OTP"))
		return "reserved area (holds the PMT)";
	return NULL;
}

/* An erase may only cover identity content as the explicit, allowed erase of that identity partition. */
static bool permitted_identity_erase(const struct unifw_erase_opts *o, const struct unifw_erase_step *s,
				     const struct unifw_idregion *r)
{
	return o->include_identity && requested(o, s->name) && unifw_backup_is_identity(s->name) &&
	       r->offset >= s->offset && r->offset + r->size <= s->offset + s->size;
}

/* Tables can disagree with the eMMC (a PMT/MBR mismatch left by a foreign layout: an MBR/EBR entry that
 * starts inside NVRAM): what is on the eMMC wins. */
static int check_identity_regions(const struct unifw_erase_plan *plan, const struct unifw_erase_opts *o,
				  struct unifw_error *err)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_erase_step *s = &plan->step[i];
		const struct unifw_idregion *r = s->erase ? unifw_idregions_overlap(o->identity_regions, s->offset, s->size) : NULL;
		if (!r || permitted_identity_erase(o, s, r))
			continue;
		char what[200];
		unifw_idregion_describe(r, what, sizeof what);
		return unifw_error_set(err, UNIFW_E_UNSAFE, s->name, UNIFW_NO_OFFSET,
				       "erasing %s (user 0x%llx..0x%llx) would erase identity content found on the phone: %s. "
				       "The partition table does not match what is on the eMMC (a layout from another "
				       "firmware?): nothing was erased",
				       s->name, (unsigned long long)s->offset, (unsigned long long)(s->offset + s->size), what);
	}
	return 0;
}

int unifw_erase_plan(const struct unifw_phone_layout *l, const struct unifw_erase_opts *o,
		      struct unifw_erase_plan *plan, struct unifw_error *err)
{
	memset(plan, 0, sizeof *plan);
	if (!o->all_but_identity && o->count == 0)
		return unifw_error_set(err, UNIFW_E_INVALID, "format", UNIFW_NO_OFFSET,
				       "nothing to erase: name partitions (--partition NAME) or use --all-but-identity");
	for (size_t i = 0; i < o->count; i++) {
		bool found = false;
		for (size_t k = 0; k < l->count && !found; k++)
			found = !strcasecmp(l->part[k].name, o->partitions[i]);
		if (!found)
			return unifw_error_set(err, UNIFW_E_NOT_FOUND, "format", UNIFW_NO_OFFSET,
					       "the phone's partition table has no partition named %s", o->partitions[i]);
		if (unifw_backup_is_identity(o->partitions[i]) && !o->include_identity)
			return unifw_error_set(err, UNIFW_E_UNSAFE, "format", UNIFW_NO_OFFSET,
					       "%s holds this phone's identity (IMEI, calibration, addresses): erasing it "
					       "needs --include-identity as well (it is backed up first either way)",
					       o->partitions[i]);
	}
	for (size_t k = 0; k < l->count && plan->count < UNIFW_PHONE_MAX_PARTS; k++) {
		const struct unifw_phone_part_entry *e = &l->part[k];
		struct unifw_erase_step *s = &plan->step[plan->count++];
		snprintf(s->name, sizeof s->name, "%s", e->name);
		s->offset = e->offset == UINT64_MAX ? 0 : e->offset;
		s->size = e->size;
		const char *keep = NULL;
		if (e->offset == UINT64_MAX)
			keep = "boot1 (the preloader) is not erased by FORMAT";
		else if (requested(o, e->name))
			keep = NULL;
		else if (!o->all_but_identity)
			keep = "not requested";
		else if (unifw_backup_is_identity(e->name))
			keep = "identity partition";
		else
			keep = kept_by_all_but_identity(e->name);
		s->erase = keep == NULL && e->size > 0;
		snprintf(s->why, sizeof s->why, "%s",
			 keep ? keep : requested(o, e->name) ? "requested" : "all but identity");
		if (s->erase) {
			plan->erase_count++;
			plan->erase_bytes += s->size;
		}
	}
	return check_identity_regions(plan, o, err);
}

void unifw_erase_plan_to_json(const struct unifw_erase_plan *plan, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "format_plan");
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "partitions");
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_erase_step *s = &plan->step[i];
		struct unifw_jv *x = unifw_jv_push_obj(arr);
		unifw_jv_set_str(x, "type", "erase_step");
		unifw_jv_set_str(x, "name", s->name);
		unifw_jv_set_hex(x, "offset", s->offset);
		unifw_jv_set_uint(x, "size", s->size);
		unifw_jv_set_bool(x, "erase", s->erase);
		unifw_jv_set_str(x, "why", s->why);
	}
	unifw_jv_set_uint(obj, "erase_count", plan->erase_count);
	unifw_jv_set_uint(obj, "erase_bytes", plan->erase_bytes);
}

/* 9e of issue 8: --all-but-identity leaves a phone without LK, boot image and system. */
#define NO_BOOT_WARNING                                                                                  \
	"after --all-but-identity the phone will not boot (no LK, boot image or system left) until a "    \
	"firmware is flashed (unifw flash PACKAGE); it stays reachable in preloader/BROM download mode"

static void note_identity_regions(const struct unifw_progress *p, const struct unifw_idregions *r)
{
	for (size_t i = 0; i < r->count; i++) {
		char what[200];
		unifw_idregion_describe(&r->r[i], what, sizeof what);
		unifw_progress_note(p, "plan", "identity content: %s, found at a start of the %s", what, r->r[i].found_by);
	}
}

/* ---------------------------------------------------------------- read-back of an erase */

struct erased_sink {
	uint64_t pos;              /* partition offset of the next byte */
	bool bad;
	uint64_t bad_at;           /* first byte that is not erased */
	uint8_t bad_value;
};

static int check_erased(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct erased_sink *e = ctx;
	(void)off;
	(void)err;
	for (size_t i = 0; i < len && !e->bad; i++)
		if (data[i]) {
			e->bad = true;
			e->bad_at = e->pos + i;
			e->bad_value = data[i];
		}
	e->pos += len;
	return 0;
}

/* Where sample k of n starts: spread from the first byte to the last sample's end at the partition's end,
 * on 512-byte sectors. */
static uint64_t sample_offset(uint64_t size, unsigned k, unsigned n)
{
	uint64_t span = size - UNIFW_ERASE_SAMPLE;
	uint64_t at = k + 1 == n ? span : span / (n - 1) * k;
	return at - at % 512;
}

/* An eMMC that acknowledges FORMAT and keeps the data (a worn or counterfeit part, or the sim's
 * lie:op=format) is only caught by reading back. */
static int verify_erase(struct unifw_phone *ph, const struct unifw_erase_step *s, const struct unifw_progress *p,
			struct unifw_jv *out, struct unifw_error *err)
{
	unifw_jv_set_str(out, "type", "erase_check");
	bool all = s->size <= UNIFW_ERASE_VERIFY_ALL || s->size < (uint64_t)UNIFW_ERASE_SAMPLES * UNIFW_ERASE_SAMPLE;
	unsigned n = all ? 1 : UNIFW_ERASE_SAMPLES;
	uint64_t read = 0;
	struct erased_sink e = {0};
	for (unsigned k = 0; k < n && !e.bad; k++) {
		uint64_t at = all ? 0 : sample_offset(s->size, k, n), len = all ? s->size : UNIFW_ERASE_SAMPLE;
		e.pos = at;
		int rc = unifw_phone_read(ph, UNIFW_PHONE_USER, s->offset + at, len, check_erased, &e, err);
		if (rc < 0) {
			unifw_error_prefix(err, "reading %s back after the erase: ", s->name);
			return rc;
		}
		read += len;
	}
	if (e.bad)
		return unifw_error_set(err, UNIFW_E_DEVICE, s->name, e.bad_at,
				       "not erased: byte 0x%llx of %s (user 0x%llx) reads 0x%02x after FORMAT, expected "
				       "0x00: the eMMC acknowledged the erase but the data is still there",
				       (unsigned long long)e.bad_at, s->name, (unsigned long long)(s->offset + e.bad_at),
				       e.bad_value);
	unifw_jv_set_str(out, "name", s->name);
	unifw_jv_set_uint(out, "bytes_read", read);
	unifw_jv_set_uint(out, "samples", all ? 0 : n);
	unifw_jv_set_bool(out, "all", all);
	if (all)
		unifw_progress_note(p, "info", "%s: verified by read-back: all %llu bytes are zero", s->name,
				    (unsigned long long)read);
	else
		unifw_progress_note(p, "info", "%s: verified by read-back: %u samples of %u KiB from start to end are zero",
				    s->name, n, UNIFW_ERASE_SAMPLE >> 10);
	return 0;
}

/* The erases a stopped run did not do, from step `from` on. */
static void remaining_to_json(const struct unifw_erase_plan *plan, size_t from, struct unifw_jv *arr)
{
	for (size_t i = from; i < plan->count; i++)
		if (plan->step[i].erase)
			unifw_jv_push_str(arr, plan->step[i].name);
}

int unifw_erase_run(struct unifw_phone *ph, const struct unifw_erase_opts *o, bool plan_only,
		     struct unifw_jv **result, struct unifw_error *err)
{
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	struct unifw_erase_plan *plan = calloc(1, sizeof *plan);
	struct unifw_idregions *regions = calloc(1, sizeof *regions);
	struct unifw_jv *res = unifw_jv_object();
	unifw_jv_set_str(res, "type", "format_result");
	int rc = 0;
	if (result)
		*result = NULL;
	if (!l || !plan || !regions) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "format", UNIFW_NO_OFFSET, "out of memory");
		goto out;
	}
	if ((rc = unifw_phone_layout_read(ph, l, err)) < 0) {
		unifw_error_prefix(err, "reading the phone's partition table: ");
		goto out;
	}
	if ((rc = unifw_idregions_scan_phone(ph, l, NULL, regions, err)) < 0)
		goto out;
	note_identity_regions(o->progress, regions);
	unifw_idregions_to_json(regions, unifw_jv_set_obj(res, "identity_regions"));
	struct unifw_erase_opts with_regions = *o;
	with_regions.identity_regions = regions;
	if ((rc = unifw_erase_plan(l, &with_regions, plan, err)) < 0)
		goto out;
	unifw_erase_plan_to_json(plan, unifw_jv_set_obj(res, "plan"));
	for (size_t i = 0; i < plan->count; i++)
		unifw_progress_note(o->progress, "plan", "%-10s %-5s %s", plan->step[i].name,
				    plan->step[i].erase ? "ERASE" : "keep", plan->step[i].why);
	if (o->all_but_identity && plan->erase_count) {
		unifw_progress_note(o->progress, "warning", "%s", NO_BOOT_WARNING);
		unifw_jv_set_str(res, "warning", NO_BOOT_WARNING);
	}
	if (plan_only || plan->erase_count == 0)
		goto out;

	char dir[UNIFW_VAULT_PATH];
	/* a vault entry (the identity images and /data/nvram), in the vault unless --backup-dir says where */
	struct unifw_vault_backup_opts vo = {.reason = "format", .phone_dir = o->backup_parent, .progress = o->progress,
					     .cancel = o->cancel};
	if ((rc = unifw_vault_backup(ph, &vo, dir, sizeof dir, NULL, err)) < 0 ||
	    (rc = unifw_idregions_backup(unifw_idregion_read_phone, ph, regions, dir, err)) < 0) {
		unifw_error_prefix(err, "identity backup before erasing (nothing was erased): ");
		goto out;
	}
	unifw_jv_set_str(res, "identity_backup", dir);
	struct unifw_jv *done = unifw_jv_set_arr(res, "erased");
	struct unifw_jv *checked = unifw_jv_set_arr(res, "verified");
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_erase_step *s = &plan->step[i];
		if (!s->erase)
			continue;
		if ((rc = unifw_cancel_check(o->cancel, s->name, "before its erase", err)) < 0) {
			remaining_to_json(plan, i, unifw_jv_set_arr(res, "remaining"));
			goto out;
		}
		unifw_progress_begin(o->progress, "format", s->name, s->size);
		rc = unifw_phone_format(ph, s->offset, s->size, err);
		unifw_progress_end(o->progress, rc, NULL);
		if (rc < 0) {
			unifw_error_prefix(err, "erasing %s: ", s->name);
			goto out;
		}
		if ((rc = verify_erase(ph, s, o->progress, unifw_jv_push_obj(checked), err)) < 0)
			goto out;
		unifw_jv_push_str(done, s->name);
	}
out:
	if ((rc == 0 || rc == UNIFW_E_CANCELLED) && result) {
		*result = res;
		res = NULL;
	}
	unifw_jv_free(res);
	free(regions);
	free(plan);
	free(l);
	return rc;
}
