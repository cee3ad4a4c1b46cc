/* The flash plan's layout rules that do not trust names (docs/flash.md "Identity regions", "Scatter
 * overlaps"): kept apart from flash_plan.c's per-partition rules. */
#include "ops/flash_internal.h"
#include "ops/reread.h"

#include <stdio.h>
#include <string.h>

/* May entry e write over region r? Only as the identity write of that very partition: an identity entry the
 * plan lets through (--include-identity and its own rules) whose range starts where the region starts and
 * holds all of it. */
static bool permitted_identity_write(const struct unifw_flash_entry *e, const struct unifw_idregion *r)
{
	return e->identity && e->size && r->offset == e->offset && r->size <= e->size;
}

void flash_plan_identity_regions(struct unifw_flash_plan *plan, const struct unifw_flash_facts *facts)
{
	plan->identity_regions = facts->identity_regions;
	for (size_t i = 0; i < plan->count; i++) {
		struct unifw_flash_entry *e = &plan->entries[i];
		if (e->action != UNIFW_FLASH_WRITE || e->part != UNIFW_PHONE_USER || e->offset == UINT64_MAX)
			continue;
		uint64_t len = e->image_bytes > e->size ? e->image_bytes : e->size;
		const struct unifw_idregion *r = unifw_idregions_overlap(&plan->identity_regions, e->offset, len);
		if (!r || permitted_identity_write(e, r))
			continue;
		char what[200];
		unifw_idregion_describe(r, what, sizeof what);
		e->action = UNIFW_FLASH_REFUSE;
		e->code = "identity_overlap";
		snprintf(e->reason, sizeof e->reason,
			 "%s would write user 0x%llx..0x%llx, over identity content found on the phone: %s. Whatever "
			 "the tables or the scatter call it, this is the phone's IMEI/calibration store: nothing is "
			 "written (a layout that puts %s there is not this phone's)",
			 e->name, (unsigned long long)e->offset, (unsigned long long)(e->offset + len), what, e->name);
	}
}

int flash_plan_scatter_overlaps(struct unifw_flash_plan *plan, const struct unifw_scatter *sc, const char *scatter_name,
				struct unifw_error *err)
{
	struct unifw_findings f = {0};
	int rc = unifw_scatter_validate(sc, scatter_name, NULL, &f, err);
	for (size_t i = 0; !rc && i < f.count; i++) {
		const struct unifw_finding *x = &f.items[i];
		if (x->severity != UNIFW_SEV_ERROR || strcmp(x->code, "overlap"))
			continue;
		unifw_findings_add(&plan->findings, UNIFW_SEV_ERROR, "scatter-overlap", scatter_name, x->line,
				   x->partition[0] ? x->partition : NULL,
				   "the package's scatter places two partitions on the same bytes (unifw scatter validate: "
				   "%s): one would overwrite the other; nothing is written", x->msg);
	}
	unifw_findings_free(&f);
	return rc;
}
