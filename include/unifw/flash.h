/* unifw flash: write a firmware package to a phone without bricking it (docs/flash.md).
 *
 * Three layers, each testable on its own:
 *  1. facts   what the phone says about itself and its partition tables (PMT, MBR/EBR, eMMC sizes, CID,
 *             DRAM id), read once from a connected phone (unifw_flash_facts_read) or built by a test;
 *  2. plan    per scatter partition: write / skip / refuse and why, from the package and the facts alone.
 *             Every safety rule is here (image larger than its partition = SP Flash Tool 5056/5069,
 *             scatter vs the phone's partition table = 8038 "PMT changed", preloader only with
 *             --with-preloader and an EMI table that lists the phone's memory part, identity partitions
 *             only with --include-identity). A plan with a refusal is never executed;
 *  3. execute identity backup, then every write in ranges (raw images streamed, sparse images chunk by
 *             chunk: RAW written, FILL written as fill data, DONT_CARE never sent), each range read back and
 *             compared byte for byte with what was sent, progress kept in a journal (unifw_flash_journal_*) so that a cut job is
 *             resumed where it stopped and still ends bit-exact.
 * Nothing here prints; progress and notes go through progress.h. */
#ifndef UNIFW_FLASH_H
#define UNIFW_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/findings.h"
#include "unifw/idregion.h"
#include "unifw/identify.h"
#include "unifw/job.h"
#include "unifw/json.h"
#include "unifw/package.h"
#include "unifw/phone.h"
#include "unifw/progress.h"

struct unifw_fingerprint;
struct unifw_check_result;

#ifdef __cplusplus
extern "C" {
#endif

/* Default range: the unit of a write command, of read-back verification and of journal progress. */
#define UNIFW_FLASH_RANGE_DEFAULT (8ull << 20)
/* Largest range: a verified flash keeps the bytes of the range it is writing in memory to compare the
 * read-back with (a larger range buys nothing: the DA moves 1 MiB packets either way). */
#define UNIFW_FLASH_RANGE_MAX (32ull << 20)
/* The journal is saved at least every this many bytes of progress (and at each partition's end). */
#define UNIFW_FLASH_JOURNAL_EVERY (8ull << 20)
/* eMMC sector: every write starts on one. */
#define UNIFW_FLASH_SECTOR 512u
/* A range size the flash takes (option, plan, journal): a non-zero multiple of 512 up to the maximum. */
static inline bool unifw_flash_range_size_ok(uint64_t size)
{
	return size && size % UNIFW_FLASH_SECTOR == 0 && size <= UNIFW_FLASH_RANGE_MAX;
}
/* The EMMC_BOOT/BRLYT wrapper puts the preloader's GFH image at this offset of boot1 (corpus dump). */
#define UNIFW_FLASH_BOOT1_GFH_OFFSET 0x800u
/* A preloader image larger than this is not a preloader (boot1 is a few MiB). */
#define UNIFW_FLASH_MAX_PRELOADER (4u << 20)

/* ---- 1. facts ---- */

struct unifw_flash_facts {
	const char *mode;            /* "brom" | "preloader" | NULL (unknown) */
	uint8_t cid[16];             /* eMMC CID from report 2, MSB first; all zero = unknown */
	uint8_t dram_info[16];       /* the DA's DRAM info (BROM mode), zero otherwise */
	uint64_t boot1_size, user_size;
	uint64_t boot_region;        /* boot1 + boot2 + RPMB: the linear address of user-area offset 0 */
	bool have_layout;
	struct unifw_phone_layout layout; /* PMT and MBR/EBR merged (identify.h) */
	char layout_note[256];       /* why have_layout is false (a blank eMMC has no table) */
	/* Identity content found on the phone (unifw_flash_facts_scan_identity; idregion.h): NVRAM BinRegions
	 * and protect_f/protect_s ext4 wherever they are and whatever they are called. */
	struct unifw_idregions identity_regions;
	/* The phone's fingerprint (fingerprint.h), read once by the flash job before the plan
	 * (unifw_fingerprint_phone): unifw_flash_plan runs unifw check (check.h) with it on the package; NULL:
	 * no check (a resumed job, unifw write, a test's facts). Owned by whoever fills it. */
	struct unifw_fingerprint *fingerprint;
};

/* Read the facts from a connected phone: report 2 (unifw_phone_info) and its partition tables
 * (unifw_phone_layout_read). A phone without any table is not an error (have_layout false, the note says
 * why); a device that breaks the protocol is. */
int unifw_flash_facts_read(struct unifw_phone *ph, struct unifw_flash_facts *out, struct unifw_error *err);
/* Look for identity content at every partition start of the phone's table (when read) and of the package's
 * scatter, and at the standard MT6572 positions (unifw_idregions_scan_phone), into f->identity_regions. */
int unifw_flash_facts_scan_identity(struct unifw_phone *ph, const struct unifw_scatter *sc, struct unifw_flash_facts *f,
				    struct unifw_error *err);

/* ---- 2. plan ---- */

enum unifw_flash_action { UNIFW_FLASH_WRITE, UNIFW_FLASH_SKIP, UNIFW_FLASH_REFUSE };
/* How an image reaches the partition. */
enum unifw_flash_form {
	UNIFW_FLASH_FORM_NONE = 0,
	UNIFW_FLASH_FORM_RAW,        /* the file's bytes as they are */
	UNIFW_FLASH_FORM_SPARSE,     /* Android sparse: RAW and FILL chunks, DONT_CARE skipped */
	UNIFW_FLASH_FORM_PRELOADER,  /* a GFH preloader wrapped in EMMC_BOOT + BRLYT for boot1 */
	UNIFW_FLASH_FORM_PMT,        /* a PMT (primary + mirror) built from the scatter, for a phone without one */
	/* --repartition (flash_repartition.c, docs/flash.md "Firmware Upgrade (--repartition)"): */
	UNIFW_FLASH_FORM_CARRY,      /* an identity partition carried from the vault entry to its new place */
	UNIFW_FLASH_FORM_ZERO,       /* zeros: a partition of the new layout the package has no image for */
};

struct unifw_flash_plan_opts {
	bool with_preloader;         /* --with-preloader: write PRELOADER when its EMI table fits */
	bool include_identity;       /* --include-identity: write NVRAM, PRO_INFO, PROTECT_F, PROTECT_S too */
	bool verify;                 /* read back and compare every range (the default; --no-verify clears) */
	uint64_t range_size;         /* 0 = UNIFW_FLASH_RANGE_DEFAULT; a multiple of 512, at most UNIFW_FLASH_RANGE_MAX */
	/* Plan the PMT write even though the phone has a PMT now: a resumed job whose journal lists one (the
	 * cut came after the PMT was written, before it was verified). Not part of the plan hash. */
	bool force_pmt;
	/* --only: the partitions to plan for writing (scatter names as the scatter spells them, comma-separated,
	 * after unifw_partname_resolve); "" = all. Every other one is skipped ("not_selected"). */
	char only[512];
	/* --repartition: write the package's layout (MBR/EBR, a PMT) and carry the identity partitions from the
	 * phone's old places to the new ones through the identity backup (docs/flash.md "Firmware Upgrade").
	 * Part of the plan hash and of the journal. */
	bool repartition;
	/* The plan is made for --resume: the phone's table may already be the package's (not hashed). */
	bool resuming;
	/* --allow-unbootable: a package unifw check calls WILL NOT BOOT on this phone (a white or black screen,
	 * a boot loop) is written anyway, its findings kept as warnings; BRICK RISK is always refused. Not
	 * hashed (it changes no write). */
	bool allow_unbootable;
};

/* What the package is to the phone (docs/flash.md "Restore"): a firmware package, a full unifw backup of
 * this very phone (CID equal: everything it holds goes back, identity included), or a full backup of another
 * phone (a donor: its firmware is written, this phone keeps its own identity). */
enum unifw_flash_mode { UNIFW_FLASH_MODE_PACKAGE = 0, UNIFW_FLASH_MODE_RESTORE, UNIFW_FLASH_MODE_DONOR };
const char *unifw_flash_mode_name(enum unifw_flash_mode m); /* "package", "restore", "donor" */

struct unifw_flash_entry {
	char name[64];               /* scatter partition_name */
	enum unifw_flash_action action;
	const char *code;            /* stable reason code (docs/flash.md), static string */
	char reason[640];            /* the why, in words */
	char warning[256];           /* something to know even though it is written ("" if none) */
	const struct unifw_package_partition *pp; /* in the package the plan was built from (NULL: the PMT) */
	bool identity;               /* NVRAM, PRO_INFO, PROTECT_F, PROTECT_S (or BINREGION/PROTECTED) */
	enum unifw_phone_part part;  /* UNIFW_PHONE_BOOT1 or UNIFW_PHONE_USER */
	uint64_t linear;             /* scatter linear_start_addr */
	uint64_t offset;             /* byte offset inside `part` */
	uint64_t size;               /* partition size (0 = unknown) */
	const char *image;           /* package item path, NULL if none */
	uint64_t image_size;         /* file bytes */
	uint64_t image_bytes;        /* bytes it covers on the partition (sparse: expanded; preloader: wrapped) */
	enum unifw_flash_form form;
	uint8_t fingerprint[32];     /* SHA-256 identity of the image (docs/flash.md "plan hash") */
};

/* One difference between the package's scatter and the phone's partition tables (the 8038 case). */
struct unifw_flash_layout_diff {
	const char *code;            /* "missing_on_phone", "not_in_package", "start", "size", "mbr_start" */
	char name[64];
	uint64_t package_start, package_size, phone_start, phone_size;
	char text[256];              /* the difference in words */
};

struct unifw_flash_plan {
	struct unifw_flash_plan_opts opts;
	const struct unifw_package *pkg;
	uint8_t cid[16];
	uint64_t boot_region;        /* scatter MBR linear address: linear - boot_region = user-area offset */
	struct unifw_flash_entry *entries;
	size_t count;
	struct unifw_flash_layout_diff *diffs;
	size_t diff_count;
	bool layout_checked;         /* the phone had a table to compare with */
	struct unifw_findings findings; /* plan-level: error = refusal, warning/info = to know */
	size_t refusals;             /* refused entries + plan-level errors: > 0 means nothing may be written */
	size_t writes;
	uint64_t write_bytes;        /* image bytes the writes cover (sparse: expanded size, DONT_CARE included) */
	uint8_t sha256[32];          /* plan hash: what a journal is tied to */
	/* The facts' identity regions: no write may overlap one but the permitted identity write of that very
	 * partition (code "identity_overlap"), and the executor backs up each before the first write. */
	struct unifw_idregions identity_regions;
	/* Restore / donor (a full unifw backup as the package): the backup's CID (hex, "" when none), and the
	 * package partitions the plan made for the backup's files no scatter entry names (unallocated space). */
	enum unifw_flash_mode mode;
	char backup_cid[33];
	struct unifw_package_partition *restore_parts;
	size_t restore_part_count;
	/* --repartition: the phone's old layout and where each identity partition comes from
	 * (flash_repartition.c); NULL otherwise. */
	struct unifw_flash_repart *repart;
	/* unifw check of the package on this phone (facts->fingerprint set, not a restore): its verdict and
	 * findings, which the plan turned into refusals (BRICK RISK; WILL NOT BOOT unless allow_unbootable) and
	 * warnings (docs/flash.md "The check in the plan"); NULL when the check did not run. */
	struct unifw_check_result *check;
	/* A universal package (unifw/universal.h; docs/flash.md "A universal package"): its images are written
	 * into the phone's own partitions by name. variants: how many its probe table covers. univ_sc/univ_pp:
	 * per pkg->parts[i], the partition as the phone's table places it (owned; NULL otherwise). */
	bool universal;
	size_t universal_variants;
	struct unifw_scatter_part *univ_sc;
	struct unifw_package_partition *univ_pp;
};

/* Build the plan. Returns 0 with refusals counted in plan->refusals (a refused plan is a valid plan that
 * says no); negative only for bad arguments or I/O on the package (err says which image). The plan points
 * into pkg: keep the package open while the plan is used. */
int unifw_flash_plan(const struct unifw_package *pkg, const struct unifw_flash_facts *facts,
		     const struct unifw_flash_plan_opts *opts, struct unifw_flash_plan *plan, struct unifw_error *err);
/* The plan of one image into one partition of the phone's own table (unifw write): pp->part describes the
 * phone's partition (name, linear = user offset + boot region, size, region), pp->item the image in pkg
 * (unifw_package_open_image). The same rules as a package's partition (size, preloader EMI fit, identity
 * provenance, identity regions); an identity partition without --include-identity is refused. */
int unifw_flash_plan_partition(const struct unifw_package *pkg, const struct unifw_package_partition *pp,
			       const struct unifw_flash_facts *facts, const struct unifw_flash_plan_opts *opts,
			       struct unifw_flash_plan *plan, struct unifw_error *err);
void unifw_flash_plan_free(struct unifw_flash_plan *plan);
/* {"type":"flash_plan", ...}: keys in docs/flash.md. Caller frees. */
struct unifw_jv *unifw_flash_plan_to_json(const struct unifw_flash_plan *plan);
const char *unifw_flash_action_name(enum unifw_flash_action a); /* "write", "skip", "refuse" */
const char *unifw_flash_form_name(enum unifw_flash_form f);     /* "raw", "sparse", "preloader", "pmt", "carry", "zero", "none" */
/* True for the identity partitions (NVRAM, PRO_INFO, PROTECT_F, PROTECT_S, or operation_type BINREGION /
 * PROTECTED). */
bool unifw_flash_is_identity(const char *name, const char *operation_type);

/* --repartition: the phone's old layout and the package's side by side, one row per partition name (the
 * package's partitions in scatter order, then the phone's that the package lacks); user-area offsets.
 * Returns how many rows there are (fills at most cap); 0 for a plan without --repartition. */
struct unifw_flash_repart_row {
	char name[65];
	bool in_old, in_new;
	uint64_t old_offset, old_size, new_offset, new_size;
};
size_t unifw_flash_repart_rows(const struct unifw_flash_plan *plan, struct unifw_flash_repart_row *rows, size_t cap);

/* The EMMC_BOOT_1 form of a GFH preloader: "EMMC_BOOT" device header, "BRLYT" layout with one ARM_BL
 * descriptor (begin 0x800, boundary 0x800 + FILE_INFO max_size), the image at 0x800; fill bytes as in the
 * corpus boot-region dump. An image that is already in that form is copied. Caller frees *out. */
int unifw_flash_wrap_preloader(const uint8_t *img, size_t len, const char *name, uint8_t **out, size_t *out_len,
			       struct unifw_error *err);

/* ---- 3. journal ---- */

struct unifw_flash_journal_part {
	char name[64];
	uint64_t ranges;             /* ranges of this partition's image (0 = not started) */
	uint64_t written;            /* ranges written, in order */
	uint64_t verified;           /* ranges read back equal (<= written) */
};

struct unifw_flash_journal {
	char state[16];              /* "running", "interrupted", "done" */
	uint8_t cid[16];
	uint8_t plan_sha256[32];
	char package[4096];          /* absolute path of the package */
	struct unifw_flash_plan_opts opts;
	char started[32], updated[32]; /* UTC, ISO 8601 */
	char identity_backup[4096];  /* folder of the identity backup made before the first write, "" = none yet */
	char phase[16];              /* --repartition: "backup", "table", "identity", "firmware", "done" ("" otherwise) */
	char last_error[512];
	struct unifw_flash_journal_part *parts; /* one per WRITE entry of the plan, in plan order */
	size_t part_count;
};

/* Where journals live: $UNIFW_STATE_DIR, else $XDG_STATE_HOME/unifw, else $HOME/.local/state/unifw. */
int unifw_flash_state_dir(char *out, size_t len, struct unifw_error *err);
/* <state dir>/flash/<CID as 32 hex digits>.journal (directories are not created here). */
int unifw_flash_journal_path(const uint8_t cid[16], char *out, size_t len, struct unifw_error *err);
/* Write atomically (temporary file, fsync, rename, fsync of the directory). */
int unifw_flash_journal_save(const char *path, const struct unifw_flash_journal *j, struct unifw_error *err);
/* Read and validate; a damaged file fails with UNIFW_E_FORMAT naming the path and the key or offset. */
int unifw_flash_journal_load(const char *path, struct unifw_flash_journal *j, struct unifw_error *err);
/* The same from text in memory (`name` goes into errors). */
int unifw_flash_journal_parse(const char *text, size_t len, const char *name, struct unifw_flash_journal *j,
			      struct unifw_error *err);
void unifw_flash_journal_free(struct unifw_flash_journal *j);
/* Is this journal of the phone with this eMMC CID? Refuses (UNIFW_E_UNSAFE, naming both CIDs) another
 * phone's: checked as soon as the journal and the phone are known, before any plan or layout comparison. */
int unifw_flash_journal_check_phone(const struct unifw_flash_journal *j, const uint8_t cid[16],
				    struct unifw_error *err);
/* May this journal be resumed with this plan? Refuses (UNIFW_E_UNSAFE) another phone (CID), another plan
 * (package, images or options: plan hash) and a finished job. */
int unifw_flash_journal_check(const struct unifw_flash_journal *j, const struct unifw_flash_plan *plan,
			      struct unifw_error *err);

/* ---- 4. execute ---- */

/* What the executor needs from a phone (unifw_flash_device_from_phone), or from a test double. */
struct unifw_flash_device {
	int (*read)(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		    void *sink_ctx, struct unifw_error *err);
	int (*write)(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_source source,
		     void *source_ctx, struct unifw_error *err);
	/* Back up NVRAM, PRO_INFO, PROTECT_F, PROTECT_S into dir (created by the executor). */
	int (*backup_identity)(void *ctx, const char *dir, struct unifw_error *err);
	void *ctx;
};
void unifw_flash_device_from_phone(struct unifw_flash_device *dev, struct unifw_phone *ph);
/* mkdir -p with mode 0700 (identity backups and journals are private). */
int unifw_flash_make_dirs(const char *dir, struct unifw_error *err);

struct unifw_flash_exec_opts {
	const char *journal_path;    /* required: created or continued */
	const char *backup_dir;      /* identity backups go to <backup_dir>/identity-YYYYMMDD-HHMMSS/ (UTC) */
	const char *package_path;    /* recorded in the journal (absolute) */
	struct unifw_flash_journal *resume; /* a loaded journal that passed unifw_flash_journal_check, or NULL */
	const struct unifw_progress *progress;
	/* polled before each range is written (never inside a write command); a stop is recorded like a
	 * failure: journal state "interrupted", failed_step "cancelled". NULL = never. */
	const struct unifw_cancel *cancel;
};

struct unifw_flash_result {
	size_t partitions_written;
	uint64_t bytes_sent;         /* payload bytes written to the phone (sparse: RAW + FILL) */
	uint64_t bytes_skipped;      /* DONT_CARE bytes never sent */
	uint64_t bytes_verified;
	uint64_t ranges_resumed;     /* ranges found done in the journal */
	uint64_t ranges_reverified;  /* of those, read back from the phone equal to the package's bytes */
	uint64_t ranges_rewritten;   /* of those, found different on the phone and written (and verified) again */
	bool verify_failed;          /* a range read back different from what was written */
	bool wrote_anything;
	char identity_backup[4096];
	double backup_seconds;       /* the identity backup (monotonic clock) */
	double write_seconds;        /* the writes and read-backs, from the first to the last range */
	char failed_partition[64];
	const char *failed_step;     /* "backup", "write", "verify", "journal", "image", "cancelled" */
};

/* Run the plan. Refuses (nothing sent) a plan with refusals, missing options, a journal that cannot be
 * written. On failure the journal stays and names the partition; unifw_flash_journal_load + check +
 * exec with opts->resume continues. */
int unifw_flash_execute(const struct unifw_flash_device *dev, const struct unifw_flash_plan *plan,
			const struct unifw_flash_exec_opts *opts, struct unifw_flash_result *res, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
