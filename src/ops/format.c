/* Erase partitions of a connected phone (include/unifw/format.h). The plan is made from the
 * phone's own layout before anything is touched; identity partitions (NVRAM, PRO_INFO,
 * PROTECT_F/S: IMEI, calibration, MAC addresses) are only erased when named and explicitly allowed,
 * and are backed up first in every case, together with the phone's own preloader. */
#include "unifw/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/backup.h"

static bool requested(const struct unifw_format_opts *o, const char *name)
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

int unifw_format_plan(const struct unifw_phone_layout *l, const struct unifw_format_opts *o,
		      struct unifw_format_plan *plan, struct unifw_error *err)
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
		struct unifw_format_step *s = &plan->step[plan->count++];
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
	return 0;
}

void unifw_format_plan_to_json(const struct unifw_format_plan *plan, struct unifw_jv *obj)
{
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "partitions");
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_format_step *s = &plan->step[i];
		struct unifw_jv *x = unifw_jv_push_obj(arr);
		unifw_jv_set_str(x, "name", s->name);
		unifw_jv_set_hex(x, "offset", s->offset);
		unifw_jv_set_uint(x, "size", s->size);
		unifw_jv_set_bool(x, "erase", s->erase);
		unifw_jv_set_str(x, "why", s->why);
	}
	unifw_jv_set_uint(obj, "erase_count", plan->erase_count);
	unifw_jv_set_uint(obj, "erase_bytes", plan->erase_bytes);
}

int unifw_format_run(struct unifw_phone *ph, const struct unifw_format_opts *o, bool plan_only,
		     struct unifw_jv **result, struct unifw_error *err)
{
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	struct unifw_format_plan *plan = calloc(1, sizeof *plan);
	struct unifw_jv *res = unifw_jv_object();
	int rc = 0;
	if (result)
		*result = NULL;
	if (!l || !plan) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "format", UNIFW_NO_OFFSET, "out of memory");
		goto out;
	}
	if ((rc = unifw_phone_layout_read(ph, l, err)) < 0) {
		unifw_error_prefix(err, "reading the phone's partition table: ");
		goto out;
	}
	if ((rc = unifw_format_plan(l, o, plan, err)) < 0)
		goto out;
	unifw_format_plan_to_json(plan, unifw_jv_set_obj(res, "plan"));
	for (size_t i = 0; i < plan->count; i++)
		unifw_progress_note(o->progress, "plan", "%-10s %-5s %s", plan->step[i].name,
				    plan->step[i].erase ? "ERASE" : "keep", plan->step[i].why);
	if (plan_only || plan->erase_count == 0)
		goto out;

	char dir[4200];
	if ((rc = unifw_backup_stamp_dir(o->backup_parent, "identity", dir, sizeof dir, err)) < 0)
		goto out;
	unifw_progress_note(o->progress, "info", "backing up the phone's identity partitions and preloader to %s", dir);
	if ((rc = unifw_backup_identity(ph, dir, o->progress, NULL, err)) < 0) {
		unifw_error_prefix(err, "identity backup before erasing (nothing was erased): ");
		goto out;
	}
	unifw_jv_set_str(res, "identity_backup", dir);
	struct unifw_jv *done = unifw_jv_set_arr(res, "erased");
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_format_step *s = &plan->step[i];
		if (!s->erase)
			continue;
		unifw_progress_begin(o->progress, "format", s->name, s->size);
		rc = unifw_phone_format(ph, s->offset, s->size, err);
		unifw_progress_end(o->progress, rc, NULL);
		if (rc < 0) {
			unifw_error_prefix(err, "erasing %s: ", s->name);
			goto out;
		}
		unifw_jv_push_str(done, s->name);
	}
out:
	if (rc == 0 && result) {
		*result = res;
		res = NULL;
	}
	unifw_jv_free(res);
	free(plan);
	free(l);
	return rc;
}
