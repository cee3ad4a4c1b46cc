/* unifw — erase partitions of a connected phone (FORMAT), safely: a plan first (what is erased and
 * why the rest is not), identity partitions refused unless named explicitly with include_identity,
 * an automatic backup of PRELOADER and the identity partitions before the first erase.
 * docs/backup.md ("unifw format"). Implemented in src/ops/erase.c. */
#ifndef UNIFW_ERASE_H
#define UNIFW_ERASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/idregion.h"
#include "unifw/identify.h"
#include "unifw/job.h"
#include "unifw/json.h"
#include "unifw/phone.h"
#include "unifw/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

struct unifw_erase_opts {
	const char *const *partitions; /* names to erase (case-insensitive) */
	size_t count;
	bool all_but_identity;         /* every user-area partition except identity, tables and reserved areas */
	bool include_identity;         /* allow identity partitions that are named explicitly */
	const char *backup_parent;     /* the identity backup (a vault entry, vault.h) goes to <parent>/identity-<UTC
				        * stamp>; NULL = the identity vault, STATE/identity/<CID> */
	const struct unifw_progress *progress;
	/* Identity content found on the phone (idregion.h; unifw_erase_run scans and sets it): an erase that
	 * overlaps one is refused, whatever the table calls the partition, unless it is an identity partition
	 * named with include_identity that holds the whole region. NULL = none known. */
	const struct unifw_idregions *identity_regions;
	/* polled before each partition's erase (never inside one); NULL = never. A stopped run still hands
	 * back *result, "erased" naming what was done, "remaining" what was not. */
	const struct unifw_cancel *cancel;
};

struct unifw_erase_step {
	char name[65];
	uint64_t offset, size;         /* user-area bytes */
	bool erase;
	char why[96];                  /* why it is kept (or "requested" / "all but identity") */
};

struct unifw_erase_plan {
	struct unifw_erase_step step[UNIFW_PHONE_MAX_PARTS];
	size_t count;
	size_t erase_count;
	uint64_t erase_bytes;
};

/* Decide from the layout; refuses (UNSAFE) an identity partition named without include_identity, an erase
 * overlapping an identity region of o->identity_regions and (NOT_FOUND) a name the layout does not have,
 * before anything is touched. */
int unifw_erase_plan(const struct unifw_phone_layout *l, const struct unifw_erase_opts *o,
		      struct unifw_erase_plan *plan, struct unifw_error *err);
/* {"partitions":[{"name","offset","size","erase","why"}],"erase_count","erase_bytes"} */
void unifw_erase_plan_to_json(const struct unifw_erase_plan *plan, struct unifw_jv *obj);

/* Erases are verified by reading back: all of a partition up to this size, else this many samples of
 * UNIFW_ERASE_SAMPLE bytes spread from its first to its last byte. Erased eMMC reads as zeros. */
#define UNIFW_ERASE_VERIFY_ALL (8ull << 20)
#define UNIFW_ERASE_SAMPLES 16u
#define UNIFW_ERASE_SAMPLE (64u << 10)

/* Read the layout, look for identity content (idregion.h), plan, back up identity partitions into a
 * stamped folder, erase, read back. *result (may be NULL): {"plan":..., "identity_regions":{...},
 * "identity_backup": "<dir>", "erased": [...], "verified":[{"name","bytes_read","samples","all"}],
 * "warning", "remaining": [...] (stopped on request only)} */
int unifw_erase_run(struct unifw_phone *ph, const struct unifw_erase_opts *o, bool plan_only,
		     struct unifw_jv **result, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
