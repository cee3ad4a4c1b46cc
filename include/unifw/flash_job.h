/* unifw — the flash job around the four steps of flash.h: the package opened and the phone's DRAM
 * preloader extracted before the phone is touched, the journal and identity-backup locations, the
 * resume rules (a journal continues only on its own phone with its own plan), then the execution.
 * The CLI (cmd_flash.c) renders the plan, asks, and reports; everything else is here, in
 * src/ops/flash_job.c. Nothing here prints: warnings go to the progress notes. */
#ifndef UNIFW_FLASH_JOB_H
#define UNIFW_FLASH_JOB_H

#include <stdbool.h>

#include "unifw/flash.h"
#include "unifw/job.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_FLASH_JOB_PATH 4096

struct unifw_flash_job_opts {
	const char *package;         /* folder, archive or scatter file (its folder, that scatter); NULL with
				      * resume: the journal's */
	const char *backup_dir;      /* parent of the identity backup (NULL: STATE/identity/CID) */
	const char *journal;         /* journal file (NULL: STATE/flash/CID.journal) */
	bool resume;                 /* continue the interrupted flash of this phone (its journal's options) */
	/* unifw write: one image into one partition of the phone's own table (partition: a ptgen name or an
	 * alias, include/unifw/partname.h; image: a raw or Android sparse file). package is then unused, the
	 * journal defaults to STATE/flash/CID.write.journal, and resume needs both again. */
	const char *partition, *image;
	struct unifw_flash_plan_opts plan; /* ignored with resume */
	bool reboot;                 /* FINISH after a successful flash */
	const struct unifw_progress *progress;
	const struct unifw_cancel *cancel; /* polled between ranges */
};

struct unifw_flash_job {
	struct unifw_flash_job_opts o;
	struct unifw_package *pkg;
	struct unifw_flash_facts facts;
	struct unifw_flash_plan plan;
	bool have_plan;
	struct unifw_flash_journal journal;
	bool have_journal;
	struct unifw_flash_result res;
	const char *outcome;         /* "flashed", "interrupted", "flashed_and_rebooted", or set by the caller */
	char state[UNIFW_FLASH_JOB_PATH], journal_path[UNIFW_FLASH_JOB_PATH], backup_dir[UNIFW_FLASH_JOB_PATH];
	char tmpdir[UNIFW_FLASH_JOB_PATH], preloader[UNIFW_FLASH_JOB_PATH];
	char warning[512];           /* from prepare, for the caller to show before the phone is waited for:
				      * the package's preloader is not offered for DRAM setup, and why */
	bool usage_error;            /* failed on what the user typed: an --only name the package lacks, a
				      * partition name unifw does not know or the phone does not have */
	struct unifw_scatter_part write_part;          /* unifw write: the phone's partition, as a scatter entry */
	struct unifw_package_partition write_target;   /* ... and the image for it */
};

/* Everything that can fail without the phone fails here, before the phone is touched: the state folder,
 * the package, the journal's folder; and for BROM mode, when open->emi_preloader_path is unset, the
 * package's preloader (extracted from an archive into a temporary folder, never more than its partition
 * holds) becomes open->emi_preloader_path. */
int unifw_flash_job_prepare(struct unifw_flash_job *j, const struct unifw_flash_job_opts *o,
			    struct unifw_phone_open_opts *open, struct unifw_error *err);
/* On the open phone: the facts, the journal's location (and with resume its load and checks: this
 * phone's journal, the same plan), the plan. The extracted preloader is gone before this returns. */
int unifw_flash_job_plan(struct unifw_flash_job *j, struct unifw_phone *ph, struct unifw_error *err);
/* Execute the plan (no refusals, something to write), then reboot when asked. */
int unifw_flash_job_execute(struct unifw_flash_job *j, struct unifw_phone *ph, struct unifw_error *err);
void unifw_flash_job_free(struct unifw_flash_job *j);

#ifdef __cplusplus
}
#endif
#endif
