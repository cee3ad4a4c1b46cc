/* The backup's journal (include/unifw/backup.h, docs/backup.md "Resume"): the plan and how far each image
 * got, written atomically after every chunk, read back through the typed JSON reader by --resume. */
#include "unifw/backup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/io.h"
#include "unifw/json.h"

#define JOURNAL_MAX (1u << 20)
#define JOURNAL_DEPTH 8u

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

/* One items[] entry: the typed reader checks each key, this checks how they relate. */
static int journal_item_load(const struct unifw_jv *x, size_t i, struct unifw_backup_item *it, const char *path,
			     struct unifw_error *err)
{
	uint64_t part = 0;
	char what[48];
	const struct unifw_jv_field fields[] = {
		{"name", UNIFW_JF_STR, true, it->name, sizeof it->name, 0, 0, false},
		{"image", UNIFW_JF_STR, true, it->file, sizeof it->file, 0, 0, false},
		{"part", UNIFW_JF_U64, true, &part, 0, 0, 0, false},
		{"offset", UNIFW_JF_U64, true, &it->offset, 0, 0, 0, false},
		{"size", UNIFW_JF_U64, true, &it->size, 0, 0, 0, false},
		{"done", UNIFW_JF_U64, true, &it->done, 0, 0, 0, false},
		{"complete", UNIFW_JF_BOOL, false, &it->complete, 0, 0, 0, false},
		{"digest", UNIFW_JF_STR, true, it->sha256, sizeof it->sha256, 0, 0, false},
		{"holes", UNIFW_JF_U64, true, &it->holes, 0, 0, 0, false},
	};
	snprintf(what, sizeof what, "backup journal items.%zu", i);
	int rc = unifw_jv_read(x, fields, sizeof fields / sizeof *fields, path, what, err);
	if (rc)
		return rc;
	if (it->done > it->size || (part != UNIFW_PHONE_BOOT1 && part != UNIFW_PHONE_USER))
		return jfail(err, path, "an item is inconsistent (done past size, or an unknown part)");
	it->part = (enum unifw_phone_part)part;
	if (it->complete && (it->done != it->size || strlen(it->sha256) != 64))
		return jfail(err, path, "an item marked complete lacks its bytes or digest");
	return 0;
}

int unifw_backup_journal_load(const char *path, struct unifw_backup_journal *j, struct unifw_error *err)
{
	uint8_t *text;
	size_t len;
	struct unifw_jv *o = NULL;
	int rc = unifw_file_read_all(path, JOURNAL_MAX, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = unifw_jv_parse((const char *)text, len, path, JOURNAL_MAX, JOURNAL_DEPTH, &o, err);
	free(text);
	if (rc < 0)
		return rc;
	memset(j, 0, sizeof *j);
	char kind[32] = "";
	uint64_t version = 0;
	const struct unifw_jv *arr = NULL;
	const struct unifw_jv_field fields[] = {
		{"kind", UNIFW_JF_STR, true, kind, sizeof kind, 0, 0, false},
		{"version", UNIFW_JF_U64, true, &version, 0, 0, 0, false},
		{"cid", UNIFW_JF_STR, true, j->cid, sizeof j->cid, 0, 0, false},
		{"user_size", UNIFW_JF_U64, true, &j->user_size, 0, 0, 0, false},
		{"boot1_size", UNIFW_JF_U64, true, &j->boot1_size, 0, 0, 0, false},
		{"boot_region", UNIFW_JF_U64, true, &j->boot_region, 0, 0, 0, false},
		{"skip_empty", UNIFW_JF_BOOL, false, &j->skip_empty, 0, 0, 0, false},
		{"identity_only", UNIFW_JF_BOOL, false, &j->identity_only, 0, 0, 0, false},
		{"state", UNIFW_JF_STR, false, j->state, sizeof j->state, 0, 0, false}, /* none before issue 10 */
		{"items", UNIFW_JF_ARRAY, true, &arr, 0, 0, UNIFW_BACKUP_MAX_ITEMS, false},
	};
	rc = unifw_jv_read(o, fields, 2, path, "backup journal", err);
	if (rc == 0 && strcmp(kind, "unifw-backup-journal"))
		rc = jfail(err, path, "not a unifw backup journal (kind)");
	else if (rc == 0 && version != UNIFW_BACKUP_VERSION)
		rc = jfail(err, path, "unknown version");
	if (rc == 0)
		rc = unifw_jv_read(o, fields + 2, sizeof fields / sizeof *fields - 2, path, "backup journal", err);
	for (size_t i = 0; rc == 0 && i < unifw_jv_len(arr); i++)
		rc = journal_item_load(unifw_jv_at(arr, i), i, &j->item[j->count++], path, err);
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

