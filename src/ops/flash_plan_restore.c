/* A full unifw backup as the package (issue 11, docs/flash.md "Restore"): the plan writes the whole phone
 * as it was. The backup's scatter keeps ptgen's is_download: false for the identity partitions, SECCFG,
 * MISC, EXPDB and BMTPOOL, and no scatter names the unallocated space the backup also read: a restore
 * overrides the first and adds the second, so that the user area ends byte for byte as at the backup.
 * Whose phone it is decides the identity partitions: the same eMMC CID (all 16 bytes) = this phone's own
 * data, written back; another CID = a donor, whose identity is never written (whatever the options).
 * Every file is checked against the manifest's SHA-256 before anything is written. */
#include "ops/flash_internal.h"
#include "ops/flash_plan_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/hash.h"
#include "util/bytes.h"

const char *unifw_flash_mode_name(enum unifw_flash_mode m)
{
	switch (m) {
	case UNIFW_FLASH_MODE_RESTORE: return "restore";
	case UNIFW_FLASH_MODE_DONOR: return "donor";
	case UNIFW_FLASH_MODE_PACKAGE: break;
	}
	return "package";
}

/* Is the chosen scatter the backup's own (next to its manifest, one of its scatter_files)? A folder that
 * holds a backup and some other package's scatter is not a restore. */
static bool scatter_is_backups(const struct unifw_package *pkg)
{
	size_t dir_len = 0;
	const char *mpath = flash_manifest_path(pkg, &dir_len);
	const char *spath = pkg->chosen->item->path;
	const char *slash = strrchr(spath, '/');
	size_t sdir_len = slash ? (size_t)(slash - spath) : 0;
	if (!mpath || sdir_len != dir_len || strncmp(spath, mpath, dir_len))
		return false;
	const char *base = slash ? slash + 1 : spath;
	const struct unifw_jv *files = unifw_jv_get(pkg->manifest, "scatter_files");
	for (size_t i = 0; files && i < unifw_jv_len(files); i++) {
		const char *f = unifw_jv_str(unifw_jv_at(files, i));
		if (f && !strcmp(f, base))
			return true;
	}
	return false;
}

void flash_restore_detect(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f)
{
	const struct unifw_package *pkg = plan->pkg;
	plan->mode = UNIFW_FLASH_MODE_PACKAGE;
	if (pkg->kind != UNIFW_PACKAGE_BACKUP || !pkg->manifest || !pkg->chosen)
		return;
	const char *scope = unifw_jv_str(unifw_jv_get(pkg->manifest, "scope"));
	if (!scope || strcmp(scope, "full") || !scatter_is_backups(pkg))
		return;
	const char *hex = unifw_jv_str(unifw_jv_path(pkg->manifest, "phone.emmc.cid.raw"));
	uint8_t cid[16];
	bool known = hex && strlen(hex) == 32 && unifw_unhex(hex, cid, 16);
	if (known)
		snprintf(plan->backup_cid, sizeof plan->backup_cid, "%s", hex);
	/* An unknown CID on either side cannot show that the backup is this phone's: a donor. */
	plan->mode = known && !unifw_all_bytes(f->cid, 16, 0) && !memcmp(cid, f->cid, 16) ? UNIFW_FLASH_MODE_RESTORE
											     : UNIFW_FLASH_MODE_DONOR;
}

bool flash_restoring(const struct unifw_flash_plan *plan)
{
	return plan->mode != UNIFW_FLASH_MODE_PACKAGE;
}

/* "0x1eb00000" (what the manifest writes) -> value; false for anything else. */
static bool parse_hex(const char *s, uint64_t *out)
{
	if (!s || strncasecmp(s, "0x", 2) || !s[2])
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s + 2, &end, 16);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* Where the backup read a manifest entry: user-area offset and size; false when the entry says no such
 * thing (another region, a bad offset). */
static bool manifest_place(const struct unifw_jv *x, uint64_t *offset, uint64_t *size)
{
	const char *region = unifw_jv_str(unifw_jv_get(x, "region"));
	const struct unifw_jv *sz = unifw_jv_get(x, "size");
	if (!region || strcmp(region, "EMMC_USER") || !sz || unifw_jv_type(sz) != UNIFW_JV_UINT)
		return false;
	*size = unifw_jv_u64(sz);
	/* a manifest is input like any other: a range that wraps around is no place on an eMMC */
	return parse_hex(unifw_jv_str(unifw_jv_get(x, "offset")), offset) && *size && *offset + *size > *offset;
}

bool flash_restore_place(struct unifw_flash_plan *plan, struct unifw_flash_entry *e, const struct unifw_flash_facts *f)
{
	const struct unifw_jv *x = e->image ? flash_manifest_entry(plan->pkg, e->image) : NULL;
	uint64_t off = 0, size = 0;
	if (!x || !manifest_place(x, &off, &size)) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "bad_address",
				  "linear address 0x%llx counts from the end of the eMMC and the backup manifest does not "
				  "say where %s was read", (unsigned long long)e->linear, e->image ? e->image : e->name);
		return false;
	}
	/* "From the end" holds on the backed-up phone's eMMC: a donor of another size puts it elsewhere. */
	if (off + size != f->user_size) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "backup_other_geometry",
				  "%s counts from the end of the eMMC; the backup read it at user 0x%llx..0x%llx, but this "
				  "phone's user area ends at 0x%llx: the backup is of an eMMC of another size",
				  e->name, (unsigned long long)off, (unsigned long long)(off + size),
				  (unsigned long long)f->user_size);
		return false;
	}
	e->part = UNIFW_PHONE_USER;
	e->offset = off;
	e->size = size;
	return true;
}

/* The backup's files that no scatter entry names (user-area space no table lists): added as entries,
 * written raw where the backup read them. */
int flash_restore_extras(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f, struct unifw_error *err)
{
	const struct unifw_jv *parts = unifw_jv_get(plan->pkg->manifest, "partitions");
	size_t n = parts && unifw_jv_type(parts) == UNIFW_JV_ARRAY ? unifw_jv_len(parts) : 0, want = 0;
	for (size_t i = 0; i < n; i++)
		want += unifw_jv_truthy(unifw_jv_get(unifw_jv_at(parts, i), "unallocated"));
	if (!want)
		return 0;
	plan->restore_parts = calloc(want, sizeof *plan->restore_parts);
	if (!plan->restore_parts)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct unifw_jv *x = unifw_jv_at(parts, i);
		if (!unifw_jv_truthy(unifw_jv_get(x, "unallocated")))
			continue;
		const char *file = unifw_jv_str(unifw_jv_get(x, "file"));
		struct unifw_package_partition *pp = &plan->restore_parts[plan->restore_part_count++];
		struct unifw_flash_entry *e = &plan->entries[plan->count++];
		uint64_t off = 0, size = 0;
		pp->item = file ? flash_manifest_item(plan->pkg, file) : NULL;
		pp->status = pp->item ? "ok" : "missing";
		pp->image_bytes = pp->item ? pp->item->size : 0;
		bool placed = manifest_place(x, &off, &size);
		snprintf(e->name, sizeof e->name, "unallocated_0x%llx", (unsigned long long)off);
		e->pp = pp;
		e->part = UNIFW_PHONE_USER;
		e->offset = placed ? off : UINT64_MAX;
		e->linear = placed ? off + plan->boot_region : 0;
		e->size = size;
		e->image = pp->item ? pp->item->path : NULL;
		e->image_size = e->image_bytes = pp->image_bytes;
		e->form = UNIFW_FLASH_FORM_RAW;
		if (!flash_plan_selected(&plan->opts, e->name))
			flash_plan_reason(e, UNIFW_FLASH_SKIP, "not_selected", "not selected: --only names %s",
					  plan->opts.only);
		else if (!placed)
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "bad_address",
					  "the backup manifest's entry for %s says no user-area offset and size", file ? file : "?");
		else if (!pp->item)
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "backup_file_missing",
					  "the backup manifest lists %s (user space no table lists) but the folder has no such "
					  "file: the backup is incomplete, nothing is written", file ? file : "?");
		else
			flash_plan_reason(e, UNIFW_FLASH_WRITE, "write",
					  "raw image %s: user-area space no partition table lists, as the backup read it", e->image);
		if (e->action == UNIFW_FLASH_WRITE)
			flash_plan_check_fit(e, f);
	}
	return 0;
}

/* Every file the plan takes from the backup is the one the manifest records (SHA-256 of the whole file),
 * checked before anything is written: a changed or damaged file refuses the whole job. */
int flash_restore_check_files(struct unifw_flash_plan *plan, struct unifw_error *err)
{
	for (size_t i = 0; i < plan->count; i++) {
		struct unifw_flash_entry *e = &plan->entries[i];
		if (e->action == UNIFW_FLASH_REFUSE || !e->pp || !e->pp->item)
			continue;
		const struct unifw_package_item *it = e->pp->item;
		const struct unifw_jv *x = flash_manifest_entry(plan->pkg, it->path);
		const char *want = x ? unifw_jv_str(unifw_jv_get(x, "sha256")) : NULL;
		if (!want) {
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "backup_file_unlisted",
					  "%s is not in the backup manifest with a SHA-256: nothing shows it is what the backup "
					  "read, so nothing is written", it->path);
			continue;
		}
		uint8_t got[32];
		char hex[65], m[600];
		struct unifw_error ierr;
		unifw_error_clear(&ierr);
		int rc = flash_image_sha256(plan->pkg, it, got, &ierr);
		if (rc == UNIFW_E_NOMEM)
			return unifw_error_set(err, rc, it->path, UNIFW_NO_OFFSET, "out of memory");
		if (rc) {
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "unreadable", "image %s cannot be read: %s", it->path,
					  unifw_error_format(&ierr, m, sizeof m));
			continue;
		}
		unifw_hex(got, 32, hex);
		if (strcasecmp(want, hex)) {
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "backup_hash_mismatch",
					  "%s: SHA-256 %s, but the backup manifest records %.64s: the file changed since the "
					  "backup (or was damaged); nothing of the backup is written", it->path, hex, want);
			continue;
		}
		if (e->form == UNIFW_FLASH_FORM_RAW || e->form == UNIFW_FLASH_FORM_SPARSE)
			memcpy(e->fingerprint, got, 32);
	}
	return 0;
}

/* Partitions placed from the end (BMTPOOL, which holds the PMT) go last, after the unallocated space: a
 * cut before the end then leaves the phone's table as it was. */
void flash_restore_order(struct unifw_flash_plan *plan)
{
	size_t n = plan->count, k = 0;
	struct unifw_flash_entry *tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return; /* the order is a nicety, not a rule: keep the scatter's */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const struct unifw_flash_entry *e = &plan->entries[i];
			bool from_end = e->pp && e->pp->part && unifw_scatter_addr_is_from_end(e->pp->part->linear_start);
			if (from_end == (pass == 1))
				tmp[k++] = *e;
		}
	memcpy(plan->entries, tmp, n * sizeof *tmp);
	free(tmp);
}

bool flash_restore_carries_pmt(const struct unifw_flash_plan *plan, const struct unifw_flash_facts *f)
{
	uint64_t at = unifw_pmt_location(f->user_size);
	for (size_t i = 0; flash_restoring(plan) && f->user_size && i < plan->count; i++) {
		const struct unifw_flash_entry *e = &plan->entries[i];
		if (e->action == UNIFW_FLASH_WRITE && e->part == UNIFW_PHONE_USER && e->offset <= at &&
		    at + UNIFW_FLASH_PMT_BYTES <= e->offset + e->image_bytes)
			return true;
	}
	return false;
}
