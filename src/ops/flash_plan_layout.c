/* The flash plan's layout check: the package's scatter against the phone's own partition table (moved
 * out of flash_plan.c along its section seam, issue 10). Rules and reason codes: docs/flash.md. */
#include "ops/flash_internal.h"
#include "ops/flash_plan_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DIFFS_IN_TEXT 4u

static int add_diff(struct unifw_flash_plan *plan, const char *code, const char *name, uint64_t pkg_start,
		    uint64_t pkg_size, uint64_t ph_start, uint64_t ph_size, struct unifw_error *err)
{
	struct unifw_flash_layout_diff *v = realloc(plan->diffs, (plan->diff_count + 1) * sizeof *v);
	if (!v)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	plan->diffs = v;
	struct unifw_flash_layout_diff *d = &v[plan->diff_count++];
	char a[32], b[32];
	memset(d, 0, sizeof *d);
	d->code = code;
	snprintf(d->name, sizeof d->name, "%s", name);
	d->package_start = pkg_start;
	d->package_size = pkg_size;
	d->phone_start = ph_start;
	d->phone_size = ph_size;
	if (!strcmp(code, "missing_on_phone"))
		unifw_snprintf_words(d->text, sizeof d->text, "%s (package: at 0x%llx, %s) does not exist on the phone", name,
			 (unsigned long long)pkg_start, hsize(pkg_size, a, sizeof a));
	else if (!strcmp(code, "not_in_package"))
		unifw_snprintf_words(d->text, sizeof d->text, "%s (phone: at 0x%llx, %s) is not in the package's scatter", name,
			 (unsigned long long)ph_start, hsize(ph_size, a, sizeof a));
	else if (!strcmp(code, "start"))
		unifw_snprintf_words(d->text, sizeof d->text, "%s starts at 0x%llx in the package but at 0x%llx on the phone", name,
			 (unsigned long long)pkg_start, (unsigned long long)ph_start);
	else if (!strcmp(code, "size"))
		unifw_snprintf_words(d->text, sizeof d->text, "%s is %s in the package but %s on the phone", name,
			 hsize(pkg_size, a, sizeof a), hsize(ph_size, b, sizeof b));
	else
		unifw_snprintf_words(d->text, sizeof d->text,
			 "the phone's MBR/EBR puts %s at 0x%llx, where no partition of the package starts", name,
			 (unsigned long long)ph_start);
	return 0;
}

static const struct unifw_phone_part_entry *layout_find(const struct unifw_phone_layout *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcasecmp(l->part[i].name, name))
			return &l->part[i];
	return NULL;
}

static const struct unifw_scatter_part *scatter_at(const struct unifw_scatter *sc, uint64_t linear)
{
	for (size_t i = 0; i < sc->count; i++)
		if (sc->parts[i].linear_start == linear && !unifw_scatter_addr_is_from_end(linear))
			return &sc->parts[i];
	return NULL;
}

/* A partition the MBR/EBR lists but the PMT does not name (a phone without PMT): identify.c calls it
 * mmcblk0pN. Such entries are compared by position. */
static bool unnamed(const struct unifw_phone_part_entry *p)
{
	return !p->in_pmt && !strncmp(p->name, "mmcblk0p", 8);
}

static int compare_scatter_side(struct unifw_flash_plan *plan, const struct unifw_scatter *sc,
				const struct unifw_phone_layout *l, struct unifw_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < sc->count && !rc; i++) {
		const struct unifw_scatter_part *sp = &sc->parts[i];
		/* PRELOADER lives in boot1, outside the tables' address space. */
		if (!sp->name[0] || !strcasecmp(sp->name, "PRELOADER"))
			continue;
		const struct unifw_phone_part_entry *pe = layout_find(l, sp->name);
		if (!pe) {
			/* Without a PMT only MBR, EBRn and the ext4 partitions have names (by position). */
			if (l->have_pmt)
				rc = add_diff(plan, "missing_on_phone", sp->name, sp->linear_start, sp->size, 0, 0, err);
			continue;
		}
		uint64_t phone_linear = pe->offset + l->boot_region;
		/* 0xFFFFxxxx addresses count blocks from the end (BMTPOOL): the layout resolved them, the scatter
		 * keeps the raw form; both say "at the end", which is all that can be compared. */
		bool from_end = pe->from_end || unifw_scatter_addr_is_from_end(sp->linear_start);
		if (!from_end && phone_linear != sp->linear_start)
			rc = add_diff(plan, "start", sp->name, sp->linear_start, sp->size, phone_linear, pe->size, err);
		/* Sizes are the PMT's (the MBR's last entry only says "to the end of the disk"). */
		if (!rc && !from_end && pe->in_pmt && sp->size && pe->size && pe->size != sp->size)
			rc = add_diff(plan, "size", sp->name, sp->linear_start, sp->size, phone_linear, pe->size, err);
	}
	return rc;
}

static int compare_phone_side(struct unifw_flash_plan *plan, const struct unifw_scatter *sc,
			      const struct unifw_phone_layout *l, struct unifw_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < l->count && !rc; i++) {
		const struct unifw_phone_part_entry *pe = &l->part[i];
		if (pe->offset == UINT64_MAX)
			continue; /* PRELOADER (boot1) */
		uint64_t phone_linear = pe->offset + l->boot_region;
		if (unnamed(pe)) {
			if (!scatter_at(sc, phone_linear))
				rc = add_diff(plan, "mbr_start", pe->name, 0, 0, phone_linear, pe->size, err);
		} else if (!unifw_scatter_find(sc, pe->name)) {
			rc = add_diff(plan, "not_in_package", pe->name, 0, 0, phone_linear, pe->size, err);
		}
	}
	return rc;
}

int flash_plan_check_layout(struct unifw_flash_plan *plan, const struct unifw_scatter *sc,
			const struct unifw_flash_facts *f, const char *scatter_name, struct unifw_error *err)
{
	int rc = 0;
	if (f->have_layout) {
		plan->layout_checked = true;
		rc = compare_scatter_side(plan, sc, &f->layout, err);
		if (!rc)
			rc = compare_phone_side(plan, sc, &f->layout, err);
		if (!f->layout.have_pmt)
			unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "no-pmt", scatter_name, 0, NULL,
					   "the phone returned no PMT: only the MBR/EBR partitions (by position) and the "
					   "tables themselves could be compared");
	} else {
		if (f->boot_region && f->boot_region != plan->boot_region)
			unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "boot-region-differs", scatter_name, 0,
					   NULL, "the package's layout starts its user area (MBR) at linear 0x%llx, the "
					   "phone's boot partitions end at 0x%llx: images go to linear address minus "
					   "0x%llx as the scatter says; a package made for this eMMC would agree",
					   (unsigned long long)plan->boot_region, (unsigned long long)f->boot_region,
					   (unsigned long long)plan->boot_region);
		unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "no-partition-table", scatter_name, 0, NULL,
				   "nothing to compare the package's layout with (%s): it is taken as it is and "
				   "written as the phone's PMT%s", f->layout_note[0] ? f->layout_note : "no PMT, no MBR",
				   plan->mode == UNIFW_FLASH_MODE_RESTORE ? " (the backup's own, in its BMTPOOL image)" : "");
	}
	if (rc || !plan->diff_count)
		return rc;
	char list[1024] = "";
	size_t used = 0;
	for (size_t i = 0; i < plan->diff_count && i < MAX_DIFFS_IN_TEXT; i++) {
		int w = snprintf(list + used, sizeof list - used, "%s%s", i ? "; " : "", plan->diffs[i].text);
		if (w < 0 || (size_t)w >= sizeof list - used)
			break;
		used += (size_t)w;
	}
	if (plan->opts.repartition) { /* Firmware Upgrade: the differences are what it writes (flash_repartition.c) */
		unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "layout-replaced", scatter_name, 0, NULL,
				   "--repartition: the phone's partition layout is replaced by the package's (%zu "
				   "difference(s): %s%s)", plan->diff_count, list, plan->diff_count > MAX_DIFFS_IN_TEXT ? "; ..." : "");
		return 0;
	}
	/* The meaning first, the list last: a finding holds 512 bytes and the plan's "layout" lists them all. */
	unifw_findings_add(
		&plan->findings, UNIFW_SEV_ERROR, "layout-changed", scatter_name, 0, NULL,
		"the package's scatter is not this phone's partition layout (SP Flash Tool: 8038 \"PMT changed\"). "
		"The phone finds its partitions through its own table: images written at the package's addresses "
		"would land in other partitions (NVRAM with the IMEI among them). Format All + Download would erase "
		"NVRAM; unifw writes nothing (or: --repartition). %zu difference(s): %s%s",
		plan->diff_count, list, plan->diff_count > MAX_DIFFS_IN_TEXT ? "; ..." : "");
	return 0;
}

