/* The flash plan of a universal package (unifw/universal.h; docs/flash.md "A universal package").
 *
 * A universal package's scatter is its BASE's layout; the phones it is for keep their own (another boot
 * region, other sizes). Its images are therefore not written at the scatter's addresses: each one the
 * universal image needs (the boot image, the system, the cache) goes into the partition of the same name
 * in the phone's OWN table (PMT and MBR/EBR, as a backup rebuilds its scatter from the phone), and the
 * scatter's layout is not compared with the phone's. Everything else of the package stays off the phone:
 * the phone keeps its preloader, LK, partition tables, logo and identity. A partition the phone lacks, or
 * one smaller than the image or its file system, is refused with the sizes. */
#include "ops/flash_internal.h"
#include "ops/flash_plan_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/partname.h"
#include "unifw/universal.h"

/* What a universal package writes: the base's Android. Its kernel and ramdisk (with the probe) in
 * BOOTIMG, its system (with the overlays) in ANDROID, its CACHE (the base's recovery and fstab expect
 * the base's file system there). Nothing that belongs to the phone's own hardware or identity. */
static const char *const written_by_name[] = {"BOOTIMG", "ANDROID", "CACHE"};

static bool universal_writes(const char *name)
{
	for (size_t i = 0; i < sizeof written_by_name / sizeof *written_by_name; i++)
		if (unifw_partname_matches(written_by_name[i], name))
			return true;
	return false;
}

static const struct unifw_phone_part_entry *phone_part(const struct unifw_flash_facts *f, const char *name)
{
	for (size_t i = 0; f->have_layout && i < f->layout.count; i++)
		if (!strcasecmp(f->layout.part[i].name, name))
			return &f->layout.part[i];
	for (size_t i = 0; f->have_layout && i < f->layout.count; i++)
		if (unifw_partname_matches(name, f->layout.part[i].name))
			return &f->layout.part[i];
	return NULL;
}

int flash_plan_universal_detect(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f,
				const char *where, struct unifw_error *err)
{
	const struct unifw_package *pkg = plan->pkg;
	/* A unifw backup is a phone's own layout (a phone flashed with a universal image carries the probe
	 * in its boot image too): restored by its own rules. --repartition asks for the package's layout. */
	if (pkg->kind != UNIFW_PACKAGE_FIRMWARE)
		return 0;
	bool found = false;
	struct unifw_probe_table t;
	int rc = unifw_univ_package_table(pkg, &found, &t, err);
	if (rc || !found)
		return rc;
	plan->universal = true;
	plan->universal_variants = t.variant_count;
	unifw_probe_table_free(&t);
	if (plan->opts.repartition) {
		unifw_findings_add(&plan->findings, UNIFW_SEV_ERROR, "universal-repartition", where, 0, NULL,
				   "a universal package is written into the phone's own partitions by name; "
				   "--repartition would give the phone its base's layout instead: flash it without "
				   "--repartition");
		return 0;
	}
	if (!f->have_layout || !f->layout.have_pmt) {
		unifw_findings_add(&plan->findings, UNIFW_SEV_ERROR, "universal-no-table", where, 0, NULL,
				   "a universal package is written into the phone's own partitions by name, and the "
				   "phone has no partition table (PMT) to find them in (%s); nothing is written",
				   f->layout_note[0] ? f->layout_note : f->have_layout ? "MBR/EBR only" : "none read");
		return 0;
	}
	plan->univ_sc = calloc(pkg->part_count ? pkg->part_count : 1, sizeof *plan->univ_sc);
	plan->univ_pp = calloc(pkg->part_count ? pkg->part_count : 1, sizeof *plan->univ_pp);
	if (!plan->univ_sc || !plan->univ_pp)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	/* Offsets are the phone's: user-area offset 0 is its MBR. */
	plan->boot_region = f->layout.boot_region;
	for (size_t i = 0; i < pkg->part_count; i++) {
		struct unifw_scatter_part *sp = &plan->univ_sc[i];
		*sp = *pkg->parts[i].part;
		plan->univ_pp[i] = pkg->parts[i];
		plan->univ_pp[i].part = sp;
		const struct unifw_phone_part_entry *pe = phone_part(f, sp->name);
		if (!universal_writes(sp->name) || !pe || pe->offset == UINT64_MAX)
			continue;
		/* the phone's own partition, as a backup's scatter describes it (backup_store.c) */
		sp->linear_start = pe->offset + f->layout.boot_region;
		sp->size = pe->size;
		snprintf(sp->region, sizeof sp->region, "EMMC_USER");
	}
	unifw_findings_add(&plan->findings, UNIFW_SEV_INFO, "universal", where, 0, NULL,
			   "a universal package (%zu variant(s) in its probe table): its boot image, system and cache "
			   "go into the phone's own partitions of those names; the phone keeps its layout, preloader, "
			   "LK, logo and identity", plan->universal_variants);
	return 0;
}

/* The entry of a package partition the universal rule decides alone: not one of the images it writes
 * (kept), or one the phone has no partition for (refused). False: the ordinary rules decide. */
bool flash_plan_universal_entry(struct unifw_flash_plan *plan, struct unifw_flash_entry *e, size_t i,
				const struct unifw_flash_facts *f)
{
	const struct unifw_package_partition *pp = &plan->univ_pp[i];
	const struct unifw_scatter_part *sp = pp->part;
	snprintf(e->name, sizeof e->name, "%s", sp->name);
	e->pp = pp;
	e->identity = unifw_flash_is_identity(sp->name, sp->operation_type);
	e->image = pp->item ? pp->item->path : NULL;
	e->image_size = pp->item ? pp->item->size : 0;
	e->image_bytes = pp->image_bytes;
	e->part = UNIFW_PHONE_USER;
	e->offset = UINT64_MAX;
	if (!universal_writes(sp->name)) {
		e->linear = sp->linear_start;
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "universal_keeps",
				  "a universal package writes only its boot image, system and cache: the phone keeps "
				  "its own %s", sp->name);
		return true;
	}
	if (!flash_plan_selected(&plan->opts, sp->name) || !pp->item || !sp->is_download)
		return false; /* skipped by the ordinary rules, which say why */
	const struct unifw_phone_part_entry *pe = phone_part(f, sp->name);
	if (pe && pe->offset != UINT64_MAX)
		return false;
	char a[32];
	e->linear = sp->linear_start;
	flash_plan_reason(e, UNIFW_FLASH_REFUSE, "missing_on_phone",
			  "the phone's partition table has no %s: the universal package's %s (%s) has nowhere to go",
			  sp->name, e->image, hsize(e->image_bytes, a, sizeof a));
	return true;
}

/* After the ordinary size rules: an image too big for the phone's partition is said in the phone's terms,
 * and the file system inside an image (raw ext4, or a sparse image's) may be larger than the image: a file
 * system of more blocks than its partition holds breaks at its first write past the end. */
void flash_plan_universal_fit(struct unifw_flash_entry *e)
{
	char a[32], b[32];
	if (e->code && !strcmp(e->code, "too_big")) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "too_big",
				  "the universal package's %s is %s (%llu bytes) but this phone's own %s partition holds "
				  "%s (%llu bytes): rebuild the package to fit the smallest phone's", e->image,
				  hsize(e->image_bytes, a, sizeof a), (unsigned long long)e->image_bytes, e->name,
				  hsize(e->size, b, sizeof b), (unsigned long long)e->size);
		return;
	}
	if (e->action != UNIFW_FLASH_WRITE || !e->pp || !e->pp->item || !e->size)
		return;
	const struct unifw_jv *d = e->pp->item->detail;
	const char *type = unifw_jv_str(unifw_jv_get(d, "type"));
	const struct unifw_jv *fs = type && !strcmp(type, "ext4") ? d : unifw_jv_get(d, "inner");
	const char *fstype = unifw_jv_str(unifw_jv_get(fs, "type"));
	uint64_t fs_size = fstype && !strcmp(fstype, "ext4") ? unifw_jv_u64(unifw_jv_get(fs, "size")) : 0;
	if (fs_size <= e->size)
		return;
	flash_plan_reason(e, UNIFW_FLASH_REFUSE, "fs_too_big",
			  "the ext4 file system in %s is %s (%llu bytes) but the phone's %s holds %s (%llu bytes): it "
			  "would reach past its partition at its first write there; rebuild the package to fit it",
			  e->image, hsize(fs_size, a, sizeof a), (unsigned long long)fs_size, e->name,
			  hsize(e->size, b, sizeof b), (unsigned long long)e->size);
}
