/* unifw port: a device-matched firmware from a universal base and the phone's own parts (docs/port.md).
 *
 *   unifw port UNIVERSAL --stock BACKUP_DIR -o OUT_DIR [--json] [--html FILE]
 *
 * The base (a folder, zip or scatter file) gives Android: the ramdisk of boot/recovery, the system image,
 * cache and userdata. The phone (a `unifw backup` folder) gives everything that must match its hardware:
 * the partition table (OUT's scatter is the phone's), the boot chain (preloader, LK with its LCM driver), the
 * kernel (transplanted into the base's boot.img and recovery.img), the ramdisk and system files the rule
 * table names (data/port.rules: fstab, kernel modules, keylayouts, idc, touch and WiFi firmware, the modem
 * when its kernel would reject the base's, hardware properties of build.prop). Identity partitions are
 * never copied into OUT and never downloaded. Every decision lands in a report (partition or file, where
 * it came from, the rule and the reason).
 *
 * Pieces (each in its own file):
 *   port_rules.c   the rule table: parse, the built-in copy of data/port.rules, match
 *   port_boot.c    kernel transplant + ramdisk merge for one boot or recovery image
 *   port_system.c  the phone's files into the base's system image through libext2fs (sparse stays sparse)
 *   port_fit.c     an ext4 image made to fit a partition (copied, or shrunk with e2fsprogs' resize2fs)
 *   port_report.c  the report (add, JSON, text)
 *   port_layout.c  the per-partition decisions and OUT's scatter
 *   port.c         the driver: open both sides, decide, build, verify with unifw_check */
#ifndef UNIFW_PORT_H
#define UNIFW_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ the report */

struct unifw_port_change {
	char partition[32];  /* scatter name: "BOOTIMG", "ANDROID", "NVRAM", ... */
	char path[256];      /* a file inside the partition (ramdisk or system path, no leading '/'), "" = the partition */
	char action[16];     /* see UNIFW_PORT_ACT_* */
	char source[16];     /* "base", "phone", "base+phone", "none" */
	char rule[48];       /* the rule's id in data/port.rules, "" when the decision is built in */
	char reason[512];    /* why, in plain words (with the numbers: sizes, versions) */
};

/* Actions: what happened to a partition or file. */
#define UNIFW_PORT_ACT_BASE "base"         /* the base's, as it was */
#define UNIFW_PORT_ACT_PHONE "phone"       /* the phone's (copied from the backup) */
#define UNIFW_PORT_ACT_MERGED "merged"     /* built from both (boot image, system image) */
#define UNIFW_PORT_ACT_REPLACED "replaced" /* a file of the base replaced by the phone's */
#define UNIFW_PORT_ACT_ADDED "added"       /* a file of the phone the base lacked */
#define UNIFW_PORT_ACT_KEPT "kept"         /* a file the rule names but the phone lacks: the base's stays */
#define UNIFW_PORT_ACT_SHRUNK "shrunk"     /* an ext4 image shrunk to fit its partition */
#define UNIFW_PORT_ACT_SKIPPED "skipped"   /* not downloaded: the phone keeps what it has */

struct unifw_port_report {
	struct unifw_port_change *items;
	size_t count, cap;
};

void unifw_port_report_init(struct unifw_port_report *r);
void unifw_port_report_free(struct unifw_port_report *r);
/* Append one decision (strings are truncated to their fields). UNIFW_E_NOMEM only. */
__attribute__((format(printf, 7, 8))) int unifw_port_report_add(struct unifw_port_report *r, const char *partition,
								 const char *path, const char *action, const char *source,
								 const char *rule, const char *fmt, ...);
/* [{"type":"port_change","partition","path","action","source","rule","reason"}, ...] in the order added. */
struct unifw_jv *unifw_port_report_to_json(const struct unifw_port_report *r);

/* ------------------------------------------------------------------ the rule table (data/port.rules) */

enum unifw_port_scope { UNIFW_PORT_SCOPE_RAMDISK, UNIFW_PORT_SCOPE_SYSTEM, UNIFW_PORT_SCOPE_PROP };
enum unifw_port_take {
	UNIFW_PORT_TAKE_PHONE,           /* the phone's file (or property) replaces or joins the base's */
	UNIFW_PORT_TAKE_BASE,            /* the base's stays, even if the phone has one (listed to say why) */
	UNIFW_PORT_TAKE_PHONE_IF_MODEM,  /* the phone's, only when the base's modem would not work on the phone:
					    its kernel would reject it, or it is built for another board */
};

#define UNIFW_PORT_MAX_RULES 256u

struct unifw_port_rule {
	enum unifw_port_scope scope;
	enum unifw_port_take take;
	char pattern[128];   /* fnmatch(3) with FNM_PATHNAME over the path without leading '/' (ramdisk, system), or
			      * a property name pattern (prop) */
	char id[48];         /* unique */
	char reason[512];
	char source[512];    /* the public source the rule rests on */
	unsigned line;       /* in the rules file */
};

struct unifw_port_rules {
	struct unifw_port_rule *rule;
	size_t count;
};

/* Parse a rules text (format: docs/port.md "Rules"); errors name the file and line. */
int unifw_port_rules_parse(const char *text, size_t len, const char *name, struct unifw_port_rules *out,
			   struct unifw_error *err);
/* The copy of data/port.rules built into the program. */
int unifw_port_rules_builtin(struct unifw_port_rules *out, struct unifw_error *err);
void unifw_port_rules_free(struct unifw_port_rules *r);
/* The first rule of scope whose pattern matches path; NULL when none (the base's file stays as it is). */
const struct unifw_port_rule *unifw_port_rules_match(const struct unifw_port_rules *r, enum unifw_port_scope scope,
						     const char *path);

/* ------------------------------------------------------------------ kernel transplant (port_boot.c) */

struct unifw_port_boot_in {
	const uint8_t *base;      /* the base's boot.img or recovery.img (whole file) */
	size_t base_len;
	const uint8_t *stock;     /* the phone's image of the same partition (a backup holds the whole partition:
				   * bytes after the image are ignored) */
	size_t stock_len;
	bool recovery;            /* RECOVERY: the ramdisk's MTK header is named RECOVERY, else ROOTFS */
	const struct unifw_port_rules *rules;
	const char *partition;    /* "BOOTIMG" or "RECOVERY", for the report and errors */
};

/* The base's ramdisk merged with the phone's by the ramdisk rules, the phone's kernel section (with its
 * KERNEL MTK header; one is added when the stock kernel has none), header fields (page size, load
 * addresses, tags, cmdline, name) from the phone's image, a new SHA-1 id. *out is malloc'd. Every file
 * taken from the phone, and the kernel, lands in rep. */
int unifw_port_bootimg(const struct unifw_port_boot_in *in, uint8_t **out, size_t *out_len,
		       struct unifw_port_report *rep, struct unifw_error *err);

/* ------------------------------------------------------------------ system image (port_system.c, port_fit.c) */

struct unifw_port_system_in {
	const char *base_path;          /* the base's system image: sparse or raw ext4 (a file on disk) */
	struct unifw_stream *phone;     /* the phone's system partition (raw ext4, e.g. the backup's system.img) */
	uint64_t partition_size;        /* the phone's ANDROID size: the result must fit (shrunk with resize2fs if needed) */
	const struct unifw_port_rules *rules;
	bool take_modem;                /* the base's modem would not work on the phone (rejected by its kernel, or
					   built for another board): take the phone's modem + db */
	const char *out_path;           /* written atomically: sparse when the base was sparse, else raw */
	const char *partition;          /* "ANDROID" */
	const struct unifw_progress *progress;
};

/* Copy the base's system image to out_path with the phone's files the system and prop rules name
 * (replaced files keep the base's inode: owner, mode and xattrs; added files take the phone's owner, mode
 * and SELinux label). Files in rep. */
int unifw_port_system(const struct unifw_port_system_in *in, struct unifw_port_report *rep, struct unifw_error *err);

/* Files at given paths, the general form of the same machinery (unifw universal's overlays): each file of a
 * source file system (the read-only reader, ext4.h) goes to its destination in the base's image: a new file takes
 * the source's owner, mode and SELinux label, and missing parent directories mirror the source's (dest = PREFIX +
 * source_path: PREFIX's directories are 0755 root with the label of the base's root); a file the base has at
 * dest is replaced (its inode, owner, mode, label stay). Placeholders: an EMPTY file, root, 0644, labelled like the
 * base's files of its folder, for every path the base lacks (a bind mount needs an existing target). Paths are
 * relative to the image's root, no leading '/'. Written and fitted as unifw_port_system does; files in rep. */
struct unifw_ext4;
struct unifw_port_file {
	const char *dest;               /* in the base's image */
	struct unifw_ext4 *source;      /* the file system it comes from (borrowed) */
	const char *source_path;        /* its path there */
	const char *rule, *reason;      /* for the report ("" / NULL: none) */
};
struct unifw_port_files_in {
	const char *base_path;          /* the base's system image: sparse or raw ext4 */
	const struct unifw_port_file *files;
	size_t file_count;
	const char *const *placeholders;
	size_t placeholder_count;
	uint64_t partition_size;        /* the result must fit (shrunk with resize2fs if needed, else UNIFW_E_TOO_BIG) */
	const char *out_path;           /* written atomically: sparse when the base was sparse, else raw */
	const char *partition;          /* "ANDROID" */
	const struct unifw_progress *progress;
};
int unifw_port_system_files(const struct unifw_port_files_in *in, struct unifw_port_report *rep,
			    struct unifw_error *err);

/* An ext4 image (sparse or raw) made to fit a partition of partition_size bytes: copied when it fits;
 * else, when its file system uses less than that, shrunk with resize2fs (sparse stays sparse); else
 * UNIFW_E_TOO_BIG saying by how much it is over and what would make it fit. A copy adds no line to rep (the
 * caller reports the partition); a shrink adds one UNIFW_PORT_ACT_SHRUNK line with both sizes. e2fsck and
 * resize2fs (e2fsprogs) do the shrinking; a sparse input is expanded into $TMPDIR for them. */
int unifw_port_fit_image(const char *in_path, uint64_t partition_size, const char *out_path, const char *partition,
			 struct unifw_port_report *rep, struct unifw_error *err);

/* ------------------------------------------------------------------ the whole job (port.c) */

struct unifw_port_opts {
	const char *base;        /* UNIVERSAL: folder, zip or scatter file */
	const char *stock;       /* the phone's `unifw backup` folder */
	const char *out_dir;     /* created; must be empty or absent */
	const struct unifw_progress *progress;
};

struct unifw_port_result {
	struct unifw_port_report report;
	/* The result checked against the phone (unifw_check): unifw_check_to_json of it, with "verdict". */
	struct unifw_jv *check;
	char verdict[24];        /* the check's overall verdict code */
	char scatter[1024];      /* OUT's scatter file */
	/* Added by DRIVER: both sides of that check as unifw_fingerprint_to_json gives them (OUT as the package,
	 * the backup as the phone), what `unifw port --html` draws; NULL when the check did not run. */
	struct unifw_jv *out_fingerprint, *phone_fingerprint;
	bool take_modem;         /* the base's modem would not work on the phone: the phone's modem was taken */
};

/* Build OUT. Fails (nothing left in OUT but what was written so far) when an image cannot fit or a side
 * lacks what the port needs; the result's check verdict is in r even when it is BRICK RISK or WILL NOT
 * BOOT (the CLI turns that into its exit status). */
int unifw_port_run(const struct unifw_port_opts *opts, struct unifw_port_result *r, struct unifw_error *err);
void unifw_port_result_free(struct unifw_port_result *r);
/* {"type":"port","base","stock","out","scatter","take_modem","changes":[...],"check":{...},"verdict"}
 * (docs/json.md "port"). Caller frees. */
struct unifw_jv *unifw_port_result_to_json(const struct unifw_port_result *r, const struct unifw_port_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
