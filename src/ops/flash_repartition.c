/* Firmware Upgrade (`unifw flash PACKAGE --repartition`): SP Flash Tool's "Firmware Upgrade" done so that a cut
 * at any point resumes and the phone keeps its identity. docs/flash.md "Firmware Upgrade (--repartition)".
 *
 * The plan (flash_repart_plan, after the ordinary per-partition rules) turns the identity entries into carries
 * from the phone's old places to the package's, zeroes the partitions the package has no image for, adds a PMT
 * of the package's layout expressed in the phone's boot region, and orders the writes: tables, identity,
 * firmware. The executor (flash.c) takes the identity backup first (the vault entry), makes the carried images
 * from that entry (flash_repart_prepare: hashes checked against its manifest, ext4 resized on a temporary copy)
 * before the first write, and on a resume makes them again from the same entry: never from the phone, whose
 * old places may already hold the new layout. */
#include "ops/flash_repartition.h"
#include "ops/flash_plan_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unifw/hash.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/vault.h"
#include "util/bytes.h"

extern char **environ;

/* The carried images are kept in memory from before the first write to the end (four of them): MT6572
 * identity partitions are 3-10 MiB; a package that makes one larger than this is refused by the plan. */
#define CARRY_MAX_BYTES (64ull << 20)

/* ---------------------------------------------------------------- the plan */

static bool is_table_name(const char *n)
{
	return !strcasecmp(n, "MBR") || (!strncasecmp(n, "EBR", 3) && n[3] >= '1' && n[3] <= '9');
}

static bool is_ext4_identity(const char *n)
{
	return !strcasecmp(n, "PROTECT_F") || !strcasecmp(n, "PROTECT_S");
}

static const struct unifw_phone_part_entry *old_part(const struct unifw_flash_repart *r, const char *name)
{
	for (size_t i = 0; r->have_old_layout && i < r->old.count; i++)
		if (!strcasecmp(r->old.part[i].name, name) && r->old.part[i].offset != UINT64_MAX)
			return &r->old.part[i];
	return NULL;
}

static void fingerprint_words(struct unifw_flash_entry *e, const char *what)
{
	char line[160];
	int n = snprintf(line, sizeof line, "%s %s %llx %llu", what, e->name, (unsigned long long)e->offset,
			 (unsigned long long)e->size);
	unifw_sha256(line, n > 0 ? (size_t)n : 0, e->fingerprint);
}

static void place_carry(struct unifw_flash_entry *e, const struct flash_repart_carry *c)
{
	char a[32], b[32];
	if (!c->have_old) { /* a resume: the phone's table may be the package's already; the entry has the data */
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "carry_identity",
				  "identity: carried into user 0x%llx from the identity backup of the interrupted job",
				  (unsigned long long)c->new_offset);
		return;
	}
	if (c->old_size == c->new_size)
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "carry_identity",
				  "identity: carried byte for byte from the phone's old place (user 0x%llx) to user 0x%llx "
				  "through the identity backup (%s)", (unsigned long long)c->old_offset,
				  (unsigned long long)c->new_offset, hsize(c->new_size, a, sizeof a));
	else if (c->ext4)
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "carry_identity",
				  "identity: the ext4 file system at user 0x%llx (%s) is checked (e2fsck -fy) and resized to %s "
				  "(resize2fs) on a copy of the identity backup, so its files survive, then written at user "
				  "0x%llx", (unsigned long long)c->old_offset, hsize(c->old_size, a, sizeof a),
				  hsize(c->new_size, b, sizeof b), (unsigned long long)c->new_offset);
	else
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "carry_identity",
				  "identity: carried byte for byte from user 0x%llx (%s) to user 0x%llx through the identity "
				  "backup; the new partition's other %llu bytes are zeroed", (unsigned long long)c->old_offset,
				  hsize(c->old_size, a, sizeof a), (unsigned long long)c->new_offset,
				  (unsigned long long)(c->new_size - c->old_size));
}

/* An identity entry of the package becomes the carry of the phone's partition of that name. */
static void plan_carry(struct unifw_flash_plan *plan, struct unifw_flash_repart *r, struct unifw_flash_entry *e)
{
	char a[32], b[32];
	e->form = UNIFW_FLASH_FORM_CARRY;
	e->image = NULL;
	e->image_size = 0;
	e->image_bytes = e->size;
	e->warning[0] = 0;
	fingerprint_words(e, "carry");
	if (e->part != UNIFW_PHONE_USER || e->offset == UINT64_MAX || !e->size) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "carry_no_place",
				  "the package puts identity partition %s nowhere in the user area, so it cannot be carried",
				  e->name);
		return;
	}
	if (r->carry_count >= FLASH_REPART_MAX_CARRY) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "carry_no_source",
				  "%s is marked as identity (BINREGION/PROTECTED) but is none of NVRAM, PRO_INFO, PROTECT_F, "
				  "PROTECT_S: unifw does not know what to carry there", e->name);
		return;
	}
	struct flash_repart_carry *c = &r->carry[r->carry_count++];
	snprintf(c->name, sizeof c->name, "%s", e->name);
	c->ext4 = is_ext4_identity(e->name);
	c->new_offset = e->offset;
	c->new_size = e->size;
	const struct unifw_phone_part_entry *o = old_part(r, e->name);
	if (o) {
		c->have_old = true;
		c->old_offset = o->offset;
		c->old_size = o->size;
	}
	if (c->new_size > CARRY_MAX_BYTES)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "carry_too_big",
				  "the package makes identity partition %s %s: more than the %s unifw carries (MT6572 identity "
				  "partitions are 3-10 MiB)", e->name, hsize(c->new_size, a, sizeof a),
				  hsize(CARRY_MAX_BYTES, b, sizeof b));
	else if (!c->have_old && !plan->opts.resuming)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "carry_no_source",
				  "the phone's partition table has no %s: there is nothing to carry into the new layout, and a "
				  "repartition would leave the phone without it", e->name);
	else if (c->have_old && (!c->ext4 || !c->old_size) && c->old_size > c->new_size)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "carry_too_small",
				  "%s is %s on the phone but %s in the package's layout: its content would not fit (raw "
				  "content is never cut)", e->name, hsize(c->old_size, a, sizeof a), hsize(c->new_size, b, sizeof b));
	else
		place_carry(e, c);
	if (e->action == UNIFW_FLASH_WRITE && r->user_size && e->offset + e->size > r->user_size)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "beyond_device", "%s would end at 0x%llx but the phone's user area is %s",
				  e->name, (unsigned long long)(e->offset + e->size), hsize(r->user_size, a, sizeof a));
}

/* A user-area partition of the new layout that the package leaves without an image. */
static bool zeroable(const struct unifw_flash_entry *e)
{
	const struct unifw_scatter_part *sp = e->pp ? e->pp->part : NULL;
	if (!sp || e->action != UNIFW_FLASH_SKIP || e->identity || e->part != UNIFW_PHONE_USER || e->offset == UINT64_MAX ||
	    !e->size)
		return false;
	if (strcmp(e->code, "not_downloaded") && strcmp(e->code, "no_image") && strcmp(e->code, "missing_image"))
		return false;
	/* BMTPOOL is reserved at the end (the PMT lives in it); the tables must come from the package. */
	return !sp->is_reserved && !unifw_scatter_addr_is_from_end(sp->linear_start) && strcasecmp(e->name, "BMTPOOL") &&
	       !is_table_name(e->name);
}

static void plan_zero(struct unifw_flash_entry *e, uint64_t user_size)
{
	char a[32];
	e->form = UNIFW_FLASH_FORM_ZERO;
	e->image = NULL;
	e->image_size = 0;
	e->image_bytes = e->size;
	fingerprint_words(e, "zero");
	if (user_size && (e->offset > user_size || e->size > user_size - e->offset))
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "beyond_device", "%s would end at 0x%llx but the phone's user area is %s",
				  e->name, (unsigned long long)(e->offset + e->size), hsize(user_size, a, sizeof a));
	else
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "erase",
				  "the package has no image for it: zeroed (%s), as SP Flash Tool's Format leaves it; what lies "
				  "there now belongs to the old layout", hsize(e->size, a, sizeof a));
}

static bool is_pmt_source_boot1(const struct unifw_scatter_part *sp)
{
	return !strcasecmp(sp->region, "EMMC_BOOT_1") || !strcasecmp(sp->name, "PRELOADER");
}

int flash_repart_pmt(const struct unifw_flash_plan *plan, uint8_t *out, struct unifw_error *err)
{
	const struct unifw_flash_repart *r = plan->repart;
	const struct unifw_scatter *sc = &plan->pkg->chosen->sc;
	struct unifw_pmt pmt;
	memset(&pmt, 0, sizeof pmt);
	snprintf(pmt.version, sizeof pmt.version, "1.0");
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *sp = &sc->parts[i];
		if (!sp->name[0])
			continue;
		if (pmt.count >= UNIFW_PMT_MAX_ENTRIES)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, "PMT", UNIFW_NO_OFFSET,
					       "the scatter has more than %u partitions: a PMT holds 40", UNIFW_PMT_MAX_ENTRIES);
		struct unifw_pmt_entry *e = &pmt.entry[pmt.count++];
		snprintf(e->name, sizeof e->name, "%s", sp->name);
		e->size = sp->size;
		e->offset = sp->linear_start;
		/* The phone reads PMT offsets as linear addresses of ITS boot region (the MT6572 sources, unifw-sim's
		 * sim_flash_locate): the package's partition at user offset (linear - package boot region) is stored
		 * as that offset plus the phone's. A package for a 0xC00000 boot region on a 0x600000 phone. */
		if (!is_pmt_source_boot1(sp) && !unifw_scatter_addr_is_from_end(sp->linear_start) &&
		    sp->linear_start >= plan->boot_region)
			e->offset = sp->linear_start - plan->boot_region + r->phone_boot_region;
	}
	return unifw_pmt_build(&pmt, out, UNIFW_FLASH_PMT_BYTES, err);
}

static int plan_pmt(struct unifw_flash_plan *plan, struct unifw_flash_repart *r, struct unifw_error *err)
{
	/* one more entry, whatever room the plan left (other plan steps may have added entries) */
	struct unifw_flash_entry *v = realloc(plan->entries, (plan->count + 1) * sizeof *v);
	if (!v)
		return unifw_error_set(err, UNIFW_E_NOMEM, "PMT", UNIFW_NO_OFFSET, "out of memory");
	plan->entries = v;
	struct unifw_flash_entry *e = &plan->entries[plan->count++];
	struct unifw_error perr;
	uint8_t *buf = malloc(UNIFW_FLASH_PMT_BYTES);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, "PMT", UNIFW_NO_OFFSET, "out of memory");
	memset(e, 0, sizeof *e);
	snprintf(e->name, sizeof e->name, "PMT");
	e->part = UNIFW_PHONE_USER;
	e->offset = unifw_pmt_location(r->user_size);
	e->linear = e->offset + r->phone_boot_region;
	e->size = e->image_bytes = UNIFW_FLASH_PMT_BYTES;
	e->form = UNIFW_FLASH_FORM_PMT;
	unifw_error_clear(&perr);
	if (!r->user_size)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "pmt_unplaced",
				  "the phone's user-area size is unknown, so the new PMT cannot be placed");
	else if (flash_repart_pmt(plan, buf, &perr))
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "pmt_unbuildable", "the package's layout cannot be built as a PMT: %s",
				  perr.msg);
	else {
		unifw_sha256(buf, UNIFW_FLASH_PMT_BYTES, e->fingerprint);
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "write_pmt",
				  "the package's layout as the phone's PMT, its addresses in the phone's boot region (0x%llx; "
				  "the package's is 0x%llx): the preloader, LK and the kernel find the new partitions through it",
				  (unsigned long long)r->phone_boot_region, (unsigned long long)plan->boot_region);
		for (size_t i = 0; i + 1 < plan->count; i++) {
			const struct unifw_flash_entry *w = &plan->entries[i];
			if (w->action == UNIFW_FLASH_WRITE && w->part == UNIFW_PHONE_USER && w->offset < e->offset + e->size &&
			    e->offset < w->offset + w->image_bytes)
				flash_plan_reason(e, UNIFW_FLASH_REFUSE, "pmt_overlap",
						  "the PMT's place (user-area offset 0x%llx) lies inside %s, which this flash writes",
						  (unsigned long long)e->offset, w->name);
		}
	}
	free(buf);
	return 0;
}

/* Identity content the phone's table does not name as an identity partition would be overwritten by the new
 * layout without being carried (it is backed up, but nothing puts it back): refused on a fresh plan. */
static void check_unnamed_identity(struct unifw_flash_plan *plan, const char *scatter_name)
{
	for (size_t i = 0; !plan->opts.resuming && i < plan->identity_regions.count; i++) {
		const struct unifw_idregion *x = &plan->identity_regions.r[i];
		char what[200];
		if (x->named_identity)
			continue;
		unifw_idregion_describe(x, what, sizeof what);
		unifw_findings_add(&plan->findings, UNIFW_SEV_ERROR, "identity-not-carried", scatter_name, 0, NULL,
				   "identity content that the phone's table does not name NVRAM, PRO_INFO, PROTECT_F or "
				   "PROTECT_S: %s. A repartition carries identity partitions by name, so this one would be "
				   "lost: nothing is written", what);
	}
}

static int entry_class(const struct unifw_flash_entry *e)
{
	if (e->form == UNIFW_FLASH_FORM_PMT || is_table_name(e->name))
		return 0;
	return e->form == UNIFW_FLASH_FORM_CARRY ? 1 : 2;
}

const char *flash_repart_phase(const struct unifw_flash_entry *e)
{
	static const char *const names[] = {"table", "identity", "firmware"};
	return names[entry_class(e)];
}

/* Tables first, then the carried identity, then the firmware; scatter order within each (stable). */
static int reorder(struct unifw_flash_plan *plan, struct unifw_error *err)
{
	struct unifw_flash_entry *v = malloc(plan->count * sizeof *v);
	if (!v)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	size_t k = 0;
	for (int cls = 0; cls < 3; cls++)
		for (size_t i = 0; i < plan->count; i++)
			if (entry_class(&plan->entries[i]) == cls)
				v[k++] = plan->entries[i];
	memcpy(plan->entries, v, plan->count * sizeof *v);
	free(v);
	return 0;
}

static void check_tables(struct unifw_flash_plan *plan, const char *scatter_name)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_flash_entry *e = &plan->entries[i];
		if (!strcasecmp(e->name, "MBR") && e->action == UNIFW_FLASH_WRITE)
			return;
	}
	unifw_findings_add(&plan->findings, UNIFW_SEV_ERROR, "repartition-no-mbr", scatter_name, 0, NULL,
			   "--repartition writes the package's MBR/EBR images, and this package does not write an MBR "
			   "(no image, or refused): the phone would keep a table that does not describe the new layout");
}

int flash_repart_plan(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f, const char *scatter_name,
		      struct unifw_error *err)
{
	if (plan->opts.include_identity)
		return unifw_error_set(err, UNIFW_E_INVALID, "plan", UNIFW_NO_OFFSET,
				       "--repartition carries the phone's own identity partitions; --include-identity does not "
				       "go with it");
	struct unifw_flash_repart *r = calloc(1, sizeof *r);
	if (!r)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	plan->repart = r;
	r->have_old_layout = f->have_layout;
	if (f->have_layout)
		r->old = f->layout;
	r->phone_boot_region = f->boot_region ? f->boot_region : f->have_layout ? f->layout.boot_region : plan->boot_region;
	r->user_size = f->user_size ? f->user_size : f->have_layout ? f->layout.user_size : 0;
	for (size_t i = 0; i < plan->count; i++) {
		struct unifw_flash_entry *e = &plan->entries[i];
		if (e->identity)
			plan_carry(plan, r, e);
		else if (zeroable(e))
			plan_zero(e, r->user_size);
	}
	check_tables(plan, scatter_name);
	int rc = plan_pmt(plan, r, err);
	if (rc)
		return rc;
	plan->identity_regions = f->identity_regions;
	check_unnamed_identity(plan, scatter_name);
	unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "user-data-erased", scatter_name, 0, NULL,
			   "Firmware Upgrade: the phone's partition table becomes the package's and every partition is "
			   "written at its new place; USER DATA IS ERASED (USRDATA is written from the package's userdata "
			   "image, or zeroed). The identity partitions are carried across from the identity backup");
	return reorder(plan, err);
}

void flash_repart_free(struct unifw_flash_plan *plan)
{
	free(plan->repart);
	plan->repart = NULL;
}

/* ---------------------------------------------------------------- rows: old and new side by side */

size_t unifw_flash_repart_rows(const struct unifw_flash_plan *plan, struct unifw_flash_repart_row *rows, size_t cap)
{
	const struct unifw_flash_repart *r = plan ? plan->repart : NULL;
	if (!r || !plan->pkg || !plan->pkg->chosen)
		return 0;
	const struct unifw_scatter *sc = &plan->pkg->chosen->sc;
	size_t n = 0;
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *sp = &sc->parts[i];
		if (!sp->name[0] || is_pmt_source_boot1(sp))
			continue;
		if (n < cap) {
			struct unifw_flash_repart_row *w = &rows[n];
			memset(w, 0, sizeof *w);
			snprintf(w->name, sizeof w->name, "%s", sp->name);
			w->in_new = !unifw_scatter_addr_is_from_end(sp->linear_start) && sp->linear_start >= plan->boot_region;
			w->new_offset = w->in_new ? sp->linear_start - plan->boot_region : 0;
			w->new_size = sp->size;
			const struct unifw_phone_part_entry *o = old_part(r, sp->name);
			w->in_old = o != NULL;
			w->old_offset = o ? o->offset : 0;
			w->old_size = o ? o->size : 0;
		}
		n++;
	}
	for (size_t i = 0; r->have_old_layout && i < r->old.count; i++) {
		const struct unifw_phone_part_entry *o = &r->old.part[i];
		if (o->offset == UINT64_MAX || unifw_scatter_find(sc, o->name))
			continue;
		if (n < cap) {
			struct unifw_flash_repart_row *w = &rows[n];
			memset(w, 0, sizeof *w);
			snprintf(w->name, sizeof w->name, "%s", o->name);
			w->in_old = true;
			w->old_offset = o->offset;
			w->old_size = o->size;
		}
		n++;
	}
	return n;
}

void flash_repart_to_json(const struct unifw_flash_plan *plan, struct unifw_jv *o)
{
	const struct unifw_flash_repart *r = plan->repart;
	struct unifw_jv *x = unifw_jv_set_obj(o, "repartition");
	unifw_jv_set_str(x, "type", "repartition");
	unifw_jv_set_bool(x, "user_data_erased", true);
	unifw_jv_set_hex(x, "package_boot_region", plan->boot_region);
	unifw_jv_set_hex(x, "phone_boot_region", r->phone_boot_region);
	unifw_jv_set_bool(x, "old_layout_known", r->have_old_layout);
	struct unifw_flash_repart_row rows[2 * UNIFW_PHONE_MAX_PARTS];
	size_t n = unifw_flash_repart_rows(plan, rows, sizeof rows / sizeof *rows);
	struct unifw_jv *arr = unifw_jv_set_arr(x, "layouts");
	for (size_t i = 0; i < n && i < sizeof rows / sizeof *rows; i++) {
		struct unifw_jv *p = unifw_jv_push_obj(arr);
		unifw_jv_set_str(p, "type", "repartition_row");
		unifw_jv_set_str(p, "name", rows[i].name);
		if (rows[i].in_old) {
			unifw_jv_set_hex(p, "old_offset", rows[i].old_offset);
			unifw_jv_set_uint(p, "old_size", rows[i].old_size);
		} else {
			unifw_jv_set(p, "old_offset", NULL);
			unifw_jv_set(p, "old_size", NULL);
		}
		if (rows[i].in_new) {
			unifw_jv_set_hex(p, "new_offset", rows[i].new_offset);
			unifw_jv_set_uint(p, "new_size", rows[i].new_size);
		} else {
			unifw_jv_set(p, "new_offset", NULL);
			unifw_jv_set(p, "new_size", NULL);
		}
	}
	struct unifw_jv *carries = unifw_jv_set_arr(x, "identity");
	for (size_t i = 0; i < r->carry_count; i++) {
		const struct flash_repart_carry *c = &r->carry[i];
		struct unifw_jv *p = unifw_jv_push_obj(carries);
		unifw_jv_set_str(p, "type", "repartition_identity");
		unifw_jv_set_str(p, "name", c->name);
		unifw_jv_set_str(p, "kind", c->ext4 ? "ext4" : "raw");
		if (c->have_old) {
			unifw_jv_set_hex(p, "old_offset", c->old_offset);
			unifw_jv_set_uint(p, "old_size", c->old_size);
		} else {
			unifw_jv_set(p, "old_offset", NULL);
			unifw_jv_set(p, "old_size", NULL);
		}
		unifw_jv_set_hex(p, "new_offset", c->new_offset);
		unifw_jv_set_uint(p, "new_size", c->new_size);
		unifw_jv_set_bool(p, "resize", c->have_old && c->ext4 && c->old_size != c->new_size);
	}
}

/* ---------------------------------------------------------------- the carried images */

static int load_manifest(const char *entry, struct unifw_jv **out, struct unifw_error *err)
{
	int rc = unifw_vault_manifest_load(entry, out, err);
	if (rc)
		unifw_error_prefix(err, "identity backup %s: ", entry);
	return rc;
}
/* The file of partition `name` in the entry, read whole and checked against the manifest's size and SHA-256. */
static int read_verified(const char *entry, const struct unifw_jv *m, const char *name, uint8_t **buf, size_t *len,
			 struct unifw_error *err)
{
	const struct unifw_jv *p = unifw_vault_manifest_part(m, name);
	const char *file = p ? unifw_jv_str(unifw_jv_get(p, "file")) : NULL;
	const char *want = p ? unifw_jv_str(unifw_jv_get(p, "sha256")) : NULL;
	char path[PATH_MAX], got[65];
	uint8_t digest[32];
	if (!file || !want || strchr(file, '/') || !strcmp(file, "..") || strlen(want) != 64)
		return unifw_error_set(err, UNIFW_E_FORMAT, entry, UNIFW_NO_OFFSET,
				       "the identity backup's manifest lists no file with a SHA-256 for %s: nothing to carry",
				       name);
	if (snprintf(path, sizeof path, "%s/%s", entry, file) >= (int)sizeof path)
		return unifw_error_set(err, UNIFW_E_INVALID, entry, UNIFW_NO_OFFSET, "path too long");
	int rc = unifw_file_read_all(path, 256u << 20, buf, len, err);
	if (rc)
		return rc;
	unifw_sha256(*buf, *len, digest);
	unifw_hex(digest, 32, got);
	if (strcasecmp(got, want)) {
		free(*buf);
		*buf = NULL;
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "the identity backup's %s hashes to %.16s..., its manifest says %.16s...: the copy "
				       "changed since it was read from the phone, and is not carried", file, got, want);
	}
	return 0;
}

static bool has_ext4_magic(const uint8_t *b, size_t len)
{
	return len >= 1024 + 58 && b[1024 + 56] == 0x53 && b[1024 + 57] == 0xEF;
}

/* Run an e2fsprogs tool with its output discarded (stdout may be --json); exit status <= ok_max passes. */
static int run_tool(const char *const argv[], int ok_max, const char *what, struct unifw_error *err)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	/* e2fsprogs live in /usr/sbin or /sbin, which a normal user's PATH often lacks */
	for (const char *const *dir = (const char *const[]){"/usr/sbin", "/sbin", NULL}; e == ENOENT && *dir; dir++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", *dir, argv[0]);
		e = posix_spawn(&pid, path, &fa, NULL, (char *const *)argv, environ);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (e)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, argv[0], UNIFW_NO_OFFSET,
				       "cannot run %s (%s): e2fsprogs is needed to resize an ext4 identity partition",
				       argv[0], strerror(e));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return unifw_error_sys(err, argv[0], "wait");
	if (!WIFEXITED(status) || WEXITSTATUS(status) > ok_max)
		return unifw_error_set(err, UNIFW_E_FORMAT, what, UNIFW_NO_OFFSET, "%s failed (exit status %d)", argv[0],
				       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* An ext4 identity file system moved into a partition of another size: checked (e2fsck -fy: resize2fs wants
 * a freshly checked file system) and resized on a temporary copy, so that its files survive. The copy is made
 * again from the verified backup on every run, and removed. */
static int resize_ext4(const uint8_t *src, size_t len, uint64_t new_size, const char *name, uint8_t *out,
		       struct unifw_error *err)
{
	const char *t = getenv("TMPDIR");
	char path[PATH_MAX], size_arg[32];
	snprintf(path, sizeof path, "%s/unifw-repart-XXXXXX", t && *t ? t : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return unifw_error_sys(err, path, "create a temporary copy");
	int rc = unifw_fd_write_all(fd, src, len, path, err);
	/* growing: the file must be as large as the new file system before resize2fs sees it */
	if (!rc && new_size > len && ftruncate(fd, (off_t)new_size) < 0)
		rc = unifw_error_sys(err, path, "extend");
	snprintf(size_arg, sizeof size_arg, "%lluK", (unsigned long long)(new_size / 1024));
	const char *fsck[] = {"e2fsck", "-fy", path, NULL};
	const char *resize[] = {"resize2fs", path, size_arg, NULL};
	char what[96];
	snprintf(what, sizeof what, "%s (resize to %llu bytes)", name, (unsigned long long)new_size);
	if (!rc)
		rc = run_tool(fsck, 2, what, err); /* 1: errors corrected, 2: corrected, reboot advised */
	if (!rc)
		rc = run_tool(resize, 0, what, err);
	if (!rc && new_size < len && ftruncate(fd, (off_t)new_size) < 0)
		rc = unifw_error_sys(err, path, "shrink");
	if (!rc) {
		ssize_t n = pread(fd, out, (size_t)new_size, 0);
		if (n < 0)
			rc = unifw_error_sys(err, path, "read back");
		else if ((uint64_t)n < new_size)
			memset(out + n, 0, (size_t)(new_size - (uint64_t)n));
	}
	close(fd);
	unlink(path);
	if (rc)
		unifw_error_prefix(err, "%s cannot be moved into its new partition (nothing written yet): ", name);
	return rc;
}

static int make_image(const struct flash_repart_carry *c, const uint8_t *data, size_t len, struct flash_repart_image *img,
		      struct unifw_error *err)
{
	snprintf(img->name, sizeof img->name, "%s", c->name);
	img->len = c->new_size;
	img->buf = calloc(1, c->new_size ? (size_t)c->new_size : 1);
	if (!img->buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, c->name, UNIFW_NO_OFFSET, "out of memory");
	if (len == c->new_size || (!has_ext4_magic(data, len) || !c->ext4)) {
		if (len > c->new_size)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, c->name, UNIFW_NO_OFFSET,
					       "the backup of %s holds %zu bytes, its new partition %llu: raw content is never cut",
					       c->name, len, (unsigned long long)c->new_size);
		memcpy(img->buf, data, len); /* the rest stays zero: an erased partition, as ptgen's tools leave it */
		return 0;
	}
	img->resized = true;
	return resize_ext4(data, len, c->new_size, c->name, img->buf, err);
}

int flash_repart_prepare(const struct unifw_flash_plan *plan, const char *entry, struct flash_repart_images *out,
			 struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	const struct unifw_flash_repart *r = plan->repart;
	if (!r)
		return 0;
	if (!entry || !entry[0])
		return unifw_error_set(err, UNIFW_E_INVALID, "repartition", UNIFW_NO_OFFSET,
				       "no identity backup to carry the identity partitions from");
	struct unifw_jv *m = NULL;
	int rc = load_manifest(entry, &m, err);
	for (size_t i = 0; !rc && i < r->carry_count; i++) {
		uint8_t *data = NULL;
		size_t len = 0;
		rc = read_verified(entry, m, r->carry[i].name, &data, &len, err);
		if (!rc)
			rc = make_image(&r->carry[i], data, len, &out->img[out->count++], err);
		free(data);
	}
	unifw_jv_free(m);
	if (rc)
		flash_repart_images_free(out);
	return rc;
}

const struct flash_repart_image *flash_repart_find_image(const struct flash_repart_images *imgs, const char *name)
{
	for (size_t i = 0; i < imgs->count; i++)
		if (!strcasecmp(imgs->img[i].name, name))
			return &imgs->img[i];
	return NULL;
}

void flash_repart_images_free(struct flash_repart_images *imgs)
{
	for (size_t i = 0; i < imgs->count; i++)
		free(imgs->img[i].buf);
	memset(imgs, 0, sizeof *imgs);
}
