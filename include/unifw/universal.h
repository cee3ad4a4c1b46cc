/* unifw universal: one image for many phones (issue 14, docs/universal.md).
 *
 *   unifw universal build --base PACKAGE --phone BACKUP_OR_PACKAGE... -o OUT [--json]
 *
 * The base supplies the kernel (it must carry every listed phone's LCM and touch driver: refused otherwise,
 * naming what is missing), the ramdisk and the system. Each listed phone becomes a variant: its hardware
 * files (by the rules of data/universal.rules) go into the system image under /system/unifw/<variant>/,
 * grouped by component (panel, touch, board: unifw/probe.h); the ramdisk gets the probe (data/unifw-probe.sh
 * as /unifw/probe.sh, started from /init.unifw.rc, which init.rc imports) and the probe table
 * (/unifw/probe.rules). At boot the probe binds the overlay of each component that matches, or keeps the
 * base's files (fallback) with a log line. Never the preloader, LK, logo or identity: OUT downloads only what
 * the base's Android needs (BOOTIMG, ANDROID, and the base's CACHE), and `unifw flash OUT` writes them into the
 * connected phone's own partitions by name (its table, not the base's), refusing when one does not fit.
 *
 * Files: src/ops/universal_rules.c (the rules file), universal.c (the build), universal_report.c (text/JSON),
 * src/cli/cmd_universal.c; the probe formats: unifw/probe.h. */
#ifndef UNIFW_UNIVERSAL_H
#define UNIFW_UNIVERSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/json.h"
#include "unifw/probe.h"
#include "unifw/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ the engine's rules (data/universal.rules)
 *
 * One file, built into the program (tools/embed_text.py -> unifw_universal_rules_text). Sections:
 *   [signal <component>]            how the probe identifies the component (where it reads, why there)
 *   [fallback <component>]          what stays when no overlay matches, and why that is safe
 *   [file <component> <pattern>]    files of a phone's /system that go into its overlay for the component;
 *                                   the pattern is relative to /system, '*' matches within one path segment,
 *                                   {touch} and {lcm} stand for the phone's touch / LCM driver name
 *   [prop <component> <key>]        a build.prop key of the phone's that goes into the component's fragment
 *   [never <pattern>]               what is never taken from a phone, and why (kernel modules: the kernel is
 *                                   the base's)
 * each with keys id, reason, source (a public source). */
enum unifw_univ_rule_kind { UNIFW_UNIV_SIGNAL, UNIFW_UNIV_FALLBACK, UNIFW_UNIV_FILE, UNIFW_UNIV_PROP, UNIFW_UNIV_NEVER };

struct unifw_univ_rule {
	enum unifw_univ_rule_kind kind;
	enum unifw_probe_component component; /* not for NEVER */
	char pattern[160];                    /* FILE, NEVER: path pattern; PROP: the key; else "" */
	char id[48];
	char reason[UNIFW_PROBE_REASON_MAX];
	char source[512];
	unsigned line;
};
struct unifw_univ_rules {
	struct unifw_univ_rule *rule;
	size_t count;
};
int unifw_univ_rules_parse(const char *text, size_t len, const char *name, struct unifw_univ_rules *out,
			   struct unifw_error *err);
int unifw_univ_rules_builtin(struct unifw_univ_rules *out, struct unifw_error *err);
void unifw_univ_rules_free(struct unifw_univ_rules *r);
/* The rule of a kind and component (the first one), NULL if none. */
const struct unifw_univ_rule *unifw_univ_rules_find(const struct unifw_univ_rules *r, enum unifw_univ_rule_kind kind,
						     enum unifw_probe_component c);
/* Does /system-relative path match the FILE pattern, with {touch} / {lcm} replaced by these names? */
bool unifw_univ_pattern_match(const char *pattern, const char *path, const char *touch, const char *lcm);

/* The probe script (data/unifw-probe.sh), built into the program; NUL-terminated. */
extern const char unifw_probe_script_text[];
extern const size_t unifw_probe_script_text_len;

/* ------------------------------------------------------------------ the build (universal.c) */

#define UNIFW_UNIV_MAX_PHONES UNIFW_PROBE_MAX_VARIANTS

struct unifw_univ_opts {
	const char *base;                 /* folder, zip or scatter file */
	const char *const *phones;        /* `unifw backup` folders (or stock packages) */
	size_t phone_count;
	const char *out_dir;              /* created; must be empty or absent */
	const struct unifw_progress *progress;
};

/* One variant as built: the phone, its keys, what its overlay carries. */
struct unifw_univ_variant_report {
	char name[UNIFW_PROBE_NAME_MAX];
	char source[1024];                /* the --phone argument */
	char lcm[UNIFW_PROBE_KEY_MAX], touch[UNIFW_PROBE_KEY_MAX], cid_prefix[UNIFW_PROBE_KEY_MAX];
	size_t files[UNIFW_PROBE_COMPONENTS]; /* overlay files per component */
	size_t props[UNIFW_PROBE_COMPONENTS];
	uint64_t android_size;            /* the phone's ANDROID partition */
};

struct unifw_univ_result {
	char verdict[24];                 /* "built" or "refused" */
	/* refused: one line per reason ("the base's kernel has no LCM driver otm8018b_dsi_vdo (phone a516-like, its
	 * LK passes lcm=1-otm8018b_dsi_vdo)") */
	char (*refusal)[512];
	size_t refusal_count;
	struct unifw_univ_variant_report variant[UNIFW_UNIV_MAX_PHONES];
	size_t variant_count;
	char scatter[1024];               /* OUT's scatter */
	uint64_t system_size;             /* OUT's system image: the file system's size (fits every phone's ANDROID) */
	struct unifw_probe_table table;   /* what went into /unifw/probe.rules */
	/* Added by BUILD: OUT's scatter partitions downloaded (BOOTIMG, ANDROID, the base's CACHE) and never (file_name
	 * NONE, not copied), the empty placeholders made for bind targets the base lacks, the sizes fitted against. */
	char downloaded[8][64];
	size_t downloaded_count;
	char never[64][64];
	size_t never_count;
	size_t placeholder_count;
	uint64_t boot_size;               /* OUT's boot.img */
	uint64_t min_android, min_boot;   /* the smallest listed phone's ANDROID and BOOTIMG */
	/* what works but the user should know, one a line (the base's kernel mounts /data from a phone's CUSTPACK) */
	char (*note)[512];
	size_t note_count;
};

/* Build OUT. 0 with verdict "built"; 0 with verdict "refused" and the reasons (nothing is left in OUT); an
 * error code for what could not be read or written. */
int unifw_univ_build(const struct unifw_univ_opts *o, struct unifw_univ_result *r, struct unifw_error *err);
void unifw_univ_result_free(struct unifw_univ_result *r);
/* docs/json.md "universal". */
struct unifw_jv *unifw_univ_result_to_json(const struct unifw_univ_result *r, const struct unifw_univ_opts *o);

/* Is this package (opened folder/zip) a universal image? Reads the probe table out of its boot image's
 * ramdisk: 0 and *found false when it is not one. t is filled when found (free with unifw_probe_table_free). */
struct unifw_package;
int unifw_univ_package_table(const struct unifw_package *p, bool *found, struct unifw_probe_table *t,
			     struct unifw_error *err);
/* The same for one boot image in memory (name: for errors): the table of its ramdisk's /unifw/probe.rules.
 * Not a boot image, or a ramdisk without the table: 0 and *found false. Both in src/ops/universal_package.c. */
int unifw_univ_bootimg_table(const uint8_t *buf, size_t len, const char *name, bool *found,
			     struct unifw_probe_table *t, struct unifw_error *err);
/* What a probe table covers, for `unifw info` (docs/json.md "universal_image"): per variant its keys per
 * component and how many binds / props its overlay has, per component the signal and the fallback. */
struct unifw_jv *unifw_univ_table_to_json(const struct unifw_probe_table *t);
/* `unifw info PATH`: when the report (unifw_info) is a package whose boot image's ramdisk lists
 * /unifw/probe.rules, its summary gets "universal" (unifw_univ_table_to_json); the package is opened again
 * only then. A table that does not parse is an error finding of the report ("universal-table"). */
int unifw_univ_info(const char *path, struct unifw_jv *report, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
