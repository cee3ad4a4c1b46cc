/* The flash plan runs unifw check (check.h) on the package and the phone: one code path with `unifw
 * check`. The phone's fingerprint was read once by the job, before the plan (facts->fingerprint); the
 * package's is taken from the package already open. BRICK RISK refuses; WILL NOT BOOT refuses unless
 * --allow-unbootable; caveats are warnings. Findings the plan refuses by its own rules (flash_refuses:
 * the EMI fit, the layout, the platform) are not repeated. A restore (a backup of this very phone) is the
 * phone's own firmware: not checked. docs/flash.md "The check in the plan". */
#include "ops/flash_internal.h"
#include "ops/flash_plan_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/check.h"
#include "unifw/fingerprint.h"

static void check_opts(const struct unifw_flash_plan *plan, struct unifw_check_opts *o)
{
	memset(o, 0, sizeof *o);
	o->with_preloader = plan->opts.with_preloader;
	o->include_identity = plan->opts.include_identity;
	o->repartition = plan->opts.repartition;
	snprintf(o->only, sizeof o->only, "%s", plan->opts.only);
}

static void add_findings(struct unifw_flash_plan *plan, const char *where)
{
	const struct unifw_check_result *r = plan->check;
	for (size_t i = 0; i < r->item_count; i++) {
		const struct unifw_check_item *it = &r->items[i];
		if (it->flash_refuses)
			continue;
		bool refuse = it->verdict == UNIFW_CHECK_BRICK_RISK ||
			      (it->verdict == UNIFW_CHECK_WILL_NOT_BOOT && !plan->opts.allow_unbootable);
		enum unifw_severity sev = refuse ? UNIFW_SEV_ERROR
					  : it->verdict == UNIFW_CHECK_SAFE ? UNIFW_SEV_INFO : UNIFW_SEV_WARNING;
		char code[48];
		snprintf(code, sizeof code, "check-%s", it->code);
		unifw_findings_add(&plan->findings, sev, code, where, 0, it->partition[0] ? it->partition : NULL,
				   "check: %s: %s (%s)%s%s%s", unifw_check_verdict_text(it->verdict), it->message, it->evidence,
				   it->boot_effect[0] ? "; boot: " : "", it->boot_effect,
				   refuse && it->verdict == UNIFW_CHECK_WILL_NOT_BOOT ? "; --allow-unbootable writes it anyway" : "");
	}
}

int flash_plan_check(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f, const char *where,
		     struct unifw_error *err)
{
	if (!f->fingerprint || plan->mode == UNIFW_FLASH_MODE_RESTORE)
		return 0;
	struct unifw_fingerprint *pkg = calloc(1, sizeof *pkg);
	plan->check = calloc(1, sizeof *plan->check);
	if (!pkg || !plan->check) {
		free(pkg);
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	}
	int rc = unifw_fingerprint_package(plan->pkg, pkg, err);
	if (rc) {
		free(pkg);
		return rc;
	}
	struct unifw_check_opts o;
	check_opts(plan, &o);
	unifw_check(pkg, f->fingerprint, &o, plan->check);
	free(pkg);
	add_findings(plan, where);
	return 0;
}
