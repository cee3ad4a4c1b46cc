/* unifw — back up a connected phone: boot1 (the phone's own preloader) and every partition of its
 * own partition table into a folder, one image per partition named as a scatter would name it, a
 * scatter file rebuilt from the phone's tables (V1.1.1 and flat), and manifest.json with the phone's
 * identity and a SHA-256 per file, written atomically. Interrupted backups resume from a journal
 * (validated against the phone's CID and layout). docs/backup.md. Implemented in src/ops/backup.c. */
#ifndef UNIFW_BACKUP_H
#define UNIFW_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/identify.h"
#include "unifw/job.h"
#include "unifw/json.h"
#include "unifw/phone.h"
#include "unifw/progress.h"
#include "unifw/scatter.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_BACKUP_KIND "unifw-backup"
#define UNIFW_BACKUP_VERSION 1
#define UNIFW_BACKUP_MANIFEST "manifest.json"
#define UNIFW_BACKUP_JOURNAL ".unifw-backup-journal.json"
#define UNIFW_BACKUP_DEFAULT_CHUNK (64u << 20) /* bytes read between two journal updates */

struct unifw_backup_opts {
	const char *dir;            /* output folder (created when absent; must not hold another backup) */
	bool resume;                /* continue the interrupted backup in dir (journal) */
	bool skip_empty;            /* all-zero 4 KiB blocks become holes (sparse files on disk) */
	bool verify;                /* also read every partition from the phone a second time and compare */
	const char *const *only;    /* NULL = every partition; else only these names (case-insensitive) */
	size_t only_count;
	bool identity_only;         /* scope "identity": PRELOADER + the identity partitions, no scatter */
	uint64_t chunk;             /* bytes per READ between journal updates (0 = 64 MiB; multiple of 512) */
	const struct unifw_progress *progress;
	/* polled between two READs (the journal is then saved with state "interrupted"); NULL = never */
	const struct unifw_cancel *cancel;
};

/* Back up. *summary (may be NULL) receives the manifest object as written. */
int unifw_backup(struct unifw_phone *ph, const struct unifw_backup_opts *opts, struct unifw_jv **summary,
		 struct unifw_error *err);

/* The partitions that make a phone that phone (IMEI/calibration in NVRAM, PRO_INFO, PROTECT_F/S):
 * never erased or overwritten without an explicit request, always backed up first. */
bool unifw_backup_is_identity(const char *partition);
/* Back up PRELOADER (boot1: the phone's own EMI settings) and the identity partitions into dir
 * (scope "identity"). Called by flash and format before their first write/erase. */
int unifw_backup_identity(struct unifw_phone *ph, const char *dir, const struct unifw_progress *progress,
			  struct unifw_jv **summary, struct unifw_error *err);
/* "<parent>/<prefix>-YYYYMMDD-HHMMSS" (UTC; "-2", "-3"... when it exists), created. */
int unifw_backup_stamp_dir(const char *parent, const char *prefix, char *out, size_t cap, struct unifw_error *err);

/* The image file name a scatter would use (preloader.bin, MBR, EBR1, lk.bin, boot.img, system.img,
 * nvram.bin, protect_f.img, ...); other partitions: lower-case name + ".bin" (".img" for ext4 content).
 * Characters outside [A-Za-z0-9_.-] become '_' (names come from the phone). */
const char *unifw_backup_file_name(const char *partition, const char *content, char *buf, size_t cap);

/* A V1.1.1 scatter model of the layout as ptgen writes it for MT6572 (types, operation types,
 * download flags by partition name; BMTPOOL as 0xFFFFxxxx); files[i] (may be NULL) becomes
 * file_name of layout part i. Free with unifw_scatter_free. */
int unifw_backup_scatter(const struct unifw_phone_layout *l, const char *platform, const char *project,
			 const char *const *files, struct unifw_scatter *out, struct unifw_error *err);
/* The same partitions as a flat (ota_scatter) model: names and linear starts only. */
int unifw_backup_scatter_flat(const struct unifw_scatter *v1, struct unifw_scatter *out, struct unifw_error *err);

/* --- journal (exposed for tests) --------------------------------------------------------------- */
struct unifw_backup_item {
	char name[65];
	char file[96];
	enum unifw_phone_part part; /* BOOT1 or USER */
	uint64_t offset;            /* in that hardware partition */
	uint64_t size;
	uint64_t done;              /* bytes safely on disk */
	bool complete;
	char sha256[65];            /* when complete */
	uint64_t holes;             /* bytes left as holes (skip_empty) */
	bool unallocated;           /* space no table lists (kept so that the backup covers the whole eMMC) */
	int layout_index;           /* index in the layout, -1 for boot1 and gaps */
	char content[24];
};

#define UNIFW_BACKUP_MAX_ITEMS (2u * UNIFW_PHONE_MAX_PARTS + 2u)
struct unifw_backup_journal {
	char cid[33];               /* the phone's CID (hex): a resume on another phone is refused */
	uint64_t user_size, boot1_size, boot_region;
	bool skip_empty;
	bool identity_only;
	char state[16];             /* "running", or "interrupted" after a failure or a stop on request */
	size_t count;
	struct unifw_backup_item item[UNIFW_BACKUP_MAX_ITEMS];
};

int unifw_backup_journal_save(const char *path, const struct unifw_backup_journal *j, struct unifw_error *err);
int unifw_backup_journal_load(const char *path, struct unifw_backup_journal *j, struct unifw_error *err);
/* May `saved` be continued as `now` (the plan made from the phone connected now)? Refuses another
 * phone (CID), another geometry or another partition plan, naming the difference. On success the
 * progress (done/complete/sha256/holes) of saved is copied into now. */
int unifw_backup_journal_adopt(const struct unifw_backup_journal *saved, struct unifw_backup_journal *now,
			       struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
