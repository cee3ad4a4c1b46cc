/* `unifw check`: will this firmware work on this phone? Two fingerprints (fingerprint.h) in, verdicts out:
 * per finding, per partition and overall, worst first, each with the evidence behind it (docs/check.md).
 * Sans-io: nothing is read here; `unifw check`, `unifw flash --plan`, `unifw flash` and `unifw catalog
 * match` all call unifw_check (one code path).
 *
 *   BRICK RISK          the package preloader's EMI lacks the phone's memory part, another platform or
 *                       storage type, a layout a flash would break (what `unifw flash` refuses)
 *   WILL NOT BOOT       LK that cannot drive the panel, a kernel without the panel's driver, a kernel whose
 *                       partition index map misses its file systems, an invalid boot image
 *   WORKS WITH CAVEATS  no touch driver, a modem the kernel rejects (no radio), another logo resolution,
 *                       identity a plain flash would lose
 *   SAFE                with the list of what was compared
 *
 * Besides the verdict, the check predicts what the boot would end in, in the virtual phone's words
 * (docs/sim.md "Boot evaluation": dead, brom_loop, stuck_brom, boot_loop, white_screen, black_screen,
 * boots_with_faults, boots) and its fault codes: tests/e2e/check_agree.sh compares both with unifw-sim's
 * boot evaluation for every pair the suite builds (docs/check.md "Agreement"). */
#ifndef UNIFW_CHECK_H
#define UNIFW_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/fingerprint.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* In rank order: a larger value is worse. */
enum unifw_check_verdict {
	UNIFW_CHECK_SAFE = 0,
	UNIFW_CHECK_CAVEATS,
	UNIFW_CHECK_WILL_NOT_BOOT,
	UNIFW_CHECK_BRICK_RISK,
};

#define UNIFW_CHECK_MAX_ITEMS 64u
#define UNIFW_CHECK_MAX_COMPARED 48u

struct unifw_check_item {
	enum unifw_check_verdict verdict;
	char code[40];         /* stable: "emi_no_match", "lk_wrong_lcm", "kernel_no_lcm", "no_touch", ... */
	char area[16];         /* platform, layout, preloader, lk, boot, kernel, android, modem, logo, identity */
	char partition[32];    /* the partition concerned, "" if none */
	char message[512];     /* what it means for the phone, in plain words */
	char evidence[768];    /* what was compared: both sides' values */
	/* The boot outcome this finding alone leads to (the sim's vocabulary), "" when the boot does not see
	 * it (a stretched logo, a refusal of unifw flash only). */
	char boot_effect[24];
	bool flash_refuses;    /* `unifw flash` refuses the package for this (BRICK RISK findings) */
};

struct unifw_check_opts {
	/* What the flash would write: the same choices `unifw flash` takes. */
	bool with_preloader;   /* PRELOADER is written (SP Flash Tool's Download with it ticked) */
	bool include_identity;
	bool repartition;      /* --repartition: the package's layout is written on purpose */
	char only[512];        /* --only (scatter names, comma-separated), "" = every downloadable partition */
};

struct unifw_check_result {
	enum unifw_check_verdict verdict;  /* the worst item's, SAFE when none */
	char predicted_boot[24];           /* dead ... boots: what the boot would end in */
	char predicted_faults[8][32];      /* with boots_with_faults: the fault codes (no_touch, no_radio, imei_null, ...) */
	size_t predicted_fault_count;
	struct unifw_check_item items[UNIFW_CHECK_MAX_ITEMS]; /* worst first */
	size_t item_count;
	char compared[UNIFW_CHECK_MAX_COMPARED][96];          /* what was compared ("preloader EMI vs CID", ...) */
	size_t compared_count;
	/* Per partition of the package: the worst verdict of the items naming it (SAFE otherwise). */
	struct {
		char name[32];
		enum unifw_check_verdict verdict;
	} parts[UNIFW_FP_MAX_PARTS];
	size_t part_count;
	/* The package's preloader against this phone's memory part, whether or not it is written (a
	 * Download with PRELOADER ticked would run it): "fits", "emi_no_match", "no_emi_table",
	 * "not_compared" (no preloader in the package, or the phone's CID unknown). */
	char preloader_fit[24];
	bool preloader_written;
	char preloader_text[512];
	/* A universal package (fingerprint universal.present; docs/check.md "A universal package"): the flash
	 * writes its boot image, system and cache into the phone's own partitions by name, and at boot the
	 * probe binds per component the first variant whose key is the phone's (unifw_probe_table_choose):
	 * the key read from the phone ("" unknown), the variant ("" = the fallback) and the fallback's reason. */
	bool universal;
	struct {
		char key[UNIFW_PROBE_KEY_MAX];
		char variant[UNIFW_PROBE_NAME_MAX];
		char fallback[192];
	} univ[UNIFW_PROBE_COMPONENTS];
};

/* Compare a package (or backup used as one) with a phone (or its backup). Never fails: missing facts make
 * items of their own ("cannot tell: the phone's panel is unknown"). opts NULL: a Download of every
 * downloadable partition, without the preloader. */
void unifw_check(const struct unifw_fingerprint *package, const struct unifw_fingerprint *phone,
		 const struct unifw_check_opts *opts, struct unifw_check_result *r);

/* "BRICK RISK", "WILL NOT BOOT", "WORKS WITH CAVEATS", "SAFE" */
const char *unifw_check_verdict_text(enum unifw_check_verdict v);
/* "brick_risk", "will_not_boot", "caveats", "safe" (JSON) */
const char *unifw_check_verdict_code(enum unifw_check_verdict v);
/* Exit status of `unifw check`: 0 SAFE, 3 CAVEATS, 4 WILL NOT BOOT, 5 BRICK RISK (1 error, 2 usage). */
int unifw_check_exit_code(enum unifw_check_verdict v);

/* {"verdict","verdict_text","predicted_boot","predicted_faults","items":[...],"partitions":[...],
 *  "compared":[...],"preloader_fit":{"result","written","text"}} (docs/json.md "check"). Caller frees. */
struct unifw_jv *unifw_check_to_json(const struct unifw_check_result *r);

/* The self-contained HTML page of a check report (docs/check.md "HTML report"): report is the JSON of
 * `unifw check --json` ({"check":..., "package": fingerprint, "phone": fingerprint, "logos": {...}});
 * written to out. No network, no script from elsewhere. */
int unifw_check_html_write(const struct unifw_jv *report, const char *out_path, struct unifw_error *err);
/* The "logos" of one side of that report: the first frames of the LOGO image of a package (folder, archive
 * or scatter file) or of a unifw backup folder's LOGO file, as unifw_logo_frames_json gives them (at most
 * UNIFW_LOGO_JSON_FRAMES frames and UNIFW_LOGO_JSON_PNG_BYTES of PNG). A side without a LOGO image gives an
 * empty array; an unreadable or broken one fails (err names it). Caller frees *frames. */
int unifw_check_logo_frames(const char *path, struct unifw_jv **frames, struct unifw_error *err);
/* The same from a connected phone whose DA runs (phone.h): its LOGO partition, found through its tables,
 * read up to the end of the logo's payload. */
struct unifw_phone;
int unifw_check_logo_frames_phone(struct unifw_phone *ph, struct unifw_jv **frames, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
