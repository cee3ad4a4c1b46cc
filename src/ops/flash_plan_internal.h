/* Helpers shared by the pieces of the flash plan: flash_plan.c (entries, PMT, hash, JSON),
 * flash_plan_layout.c (scatter vs the phone's table) and flash_plan_preloader.c (EMI fit). */
#ifndef UNIFW_OPS_FLASH_PLAN_INTERNAL_H
#define UNIFW_OPS_FLASH_PLAN_INTERNAL_H

#include <stdbool.h>
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
/* flash_plan.c: the size and placement rules (too_big, beyond_device, unaligned) of an entry to write. */
void flash_plan_check_fit(struct unifw_flash_entry *e, const struct unifw_flash_facts *f);
/* flash_plan_restore.c: a full unifw backup as the package (docs/flash.md "Restore"). detect sets
 * plan->mode and backup_cid; restoring = restore or donor; place puts a 0xFFFFxxxx partition where the
 * backup read it (false: refused); extras adds the unallocated space (entries after plan->count);
 * check_files refuses a file whose SHA-256 is not the manifest's; order puts from-the-end partitions
 * last; carries_pmt: a restored BMTPOOL brings the phone's PMT back (no PMT built from the scatter). */
void flash_restore_detect(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f);
bool flash_restoring(const struct unifw_flash_plan *plan);
bool flash_restore_place(struct unifw_flash_plan *plan, struct unifw_flash_entry *e, const struct unifw_flash_facts *f);
int flash_restore_extras(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f, struct unifw_error *err);
int flash_restore_check_files(struct unifw_flash_plan *plan, struct unifw_error *err);
void flash_restore_order(struct unifw_flash_plan *plan);
bool flash_restore_carries_pmt(const struct unifw_flash_plan *plan, const struct unifw_flash_facts *f);
/* flash_plan_check.c: unifw check of the package on the phone (facts->fingerprint), its verdict turned into
 * plan findings; skipped for a restore (the phone's own firmware) and without a fingerprint. */
int flash_plan_check(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f, const char *where,
		     struct unifw_error *err);
/* flash_plan_universal.c: a universal package (docs/flash.md "A universal package"). detect reads the
 * package's probe table and, when it is one, sets plan->universal and maps the package's partitions onto
 * the phone's own table (plan->univ_pp, plan->boot_region = the phone's); entry decides the entries the
 * universal rule alone decides (kept, missing on the phone: true); fit words the size refusal in the
 * phone's terms and refuses a file system larger than the phone's partition. */
int flash_plan_universal_detect(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f, const char *where,
				struct unifw_error *err);
bool flash_plan_universal_entry(struct unifw_flash_plan *plan, struct unifw_flash_entry *e, size_t i,
				const struct unifw_flash_facts *f);
void flash_plan_universal_fit(struct unifw_flash_entry *e);
/* --only: is this scatter partition one of those selected ("" selects all)? */
bool flash_plan_selected(const struct unifw_flash_plan_opts *o, const char *name);

#endif
