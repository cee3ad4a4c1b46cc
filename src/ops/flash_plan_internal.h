/* Helpers shared by the pieces of the flash plan: flash_plan.c (entries, PMT, hash, JSON),
 * flash_plan_layout.c (scatter vs the phone's table) and flash_plan_preloader.c (EMI fit). */
#ifndef UNIFW_OPS_FLASH_PLAN_INTERNAL_H
#define UNIFW_OPS_FLASH_PLAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "unifw/flash.h"
#include "unifw/human.h"

static inline const char *hsize(uint64_t n, char *buf, size_t len) { return unifw_human_size(n, buf, len); }

/* Set an entry's action, reason code and human reason. */
void flash_plan_reason(struct unifw_flash_entry *e, enum unifw_flash_action a, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* SHA-256 identifying an image for the plan hash: the package's own digest, else size and edges. */
int flash_plan_fingerprint(const struct unifw_package *pkg, const struct unifw_package_item *it, uint8_t out[32],
			   struct unifw_error *err);
/* flash_plan_layout.c: the scatter against the phone's table (diffs, refusals). */
int flash_plan_check_layout(struct unifw_flash_plan *plan, const struct unifw_scatter *sc,
			    const struct unifw_flash_facts *f, const char *scatter_name, struct unifw_error *err);
/* flash_plan_preloader.c: the PRELOADER entry (EMI fit, wrapping for boot1). */
int flash_plan_preloader(struct unifw_flash_entry *e, const struct unifw_package *pkg,
			 const struct unifw_flash_facts *f, const struct unifw_flash_plan_opts *o, struct unifw_error *err);

#endif
