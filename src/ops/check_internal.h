/* unifw check: what the rule files share (check.c: items, verdict order, the walk; check_flash.c: where
 * the flash puts each image; check_rules_loader.c: platform, preloader, layout, LK; check_rules_kernel.c:
 * boot image, kernel, mounts; check_rules_android.c: touch, modem, the WLAN module, logo, identity; check_lcm.c: the LCM
 * knowledge table and the drivers' choice). Private to src/ops/check*.c. docs/check.md "Rules". */
#ifndef UNIFW_OPS_CHECK_INTERNAL_H
#define UNIFW_OPS_CHECK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/check.h"
#include "unifw/fingerprint.h"

/* ---- the boot outcomes, in the virtual phone's order (docs/sim.md "Boot evaluation") ---- */
enum ck_boot {
	CK_BOOTS = 0,
	CK_BOOTS_WITH_FAULTS,
	CK_BLACK_SCREEN,
	CK_WHITE_SCREEN,
	CK_BOOT_LOOP,
	CK_STUCK_BROM,
	CK_BROM_LOOP,
	CK_DEAD,
};
const char *ck_boot_name(enum ck_boot b);

/* ---- where an image ends up after the flash (check_flash.c) ---- */
enum ck_origin {
	CK_FROM_NOTHING,   /* nothing known lies there (no partition starts there) */
	CK_FROM_PACKAGE,   /* the package's image of `part` starts there */
	CK_FROM_PHONE,     /* the phone's own partition `part`, untouched */
	CK_FROM_CLOBBERED, /* a package image covers the place without starting there */
};

struct ck_placed {
	enum ck_origin origin;
	const struct unifw_fingerprint *fp; /* whose content (package or phone); NULL with nothing/clobbered */
	const struct unifw_fp_part *part;   /* that side's partition; for clobbered the package part over it */
	uint64_t offset;                    /* user-area offset on the phone */
};

struct ck {
	const struct unifw_fingerprint *pkg, *phone;
	struct unifw_check_opts opts;
	struct unifw_check_result *r;
	bool halted;            /* the simulated boot stopped (dead, brom_loop, stuck_brom, boot_loop) */
	enum ck_boot boot;      /* the worst effect reached before the halt */
	uint64_t br;            /* the phone's boot region (linear of user offset 0); a phone without a table:
				   the package's, where the flash then puts it */
	uint64_t pkg_base;      /* what the package's linear addresses are counted from on this phone: br, or
				   with --repartition the package's own boot region */
	bool refused;           /* the Download itself refuses the package: nothing is written */
	bool pmt_from_package;  /* the flash rewrites the PMT from the package's scatter */
	/* what the walk found on the way, for the later stages */
	const struct unifw_fingerprint *lk_fp;      /* whose LK runs, NULL none */
	const struct unifw_fingerprint *kernel_fp;  /* whose kernel runs */
	const struct unifw_fingerprint *system_fp;  /* whose /system Android mounts, NULL none */
	const char *lk_pick;    /* LK's LCM driver (points into lk_fp), NULL none */
	bool lk_drives_panel;
};

/* check_universal.c: a universal package (docs/check.md "A universal package"). prepare fills r's
 * binding and, when the package is one, *mapped: the package as the flash writes it on this phone (its
 * layout, the bound overlays' modem and touch firmware; the caller frees it); rules reports the binding. */
void ck_universal_prepare(const struct unifw_fingerprint *pkg, const struct unifw_fingerprint *phone,
			  struct unifw_check_result *r, struct unifw_fingerprint **mapped);
void ck_rules_universal(struct ck *c);

/* Items. verdict and boot effect per finding; the boot effect counts in the prediction unless the
 * simulated boot already stopped. */
struct unifw_check_item *ck_item(struct ck *c, enum unifw_check_verdict v, const char *code, const char *area,
				 const char *partition, const char *boot_effect);
__attribute__((format(printf, 2, 3))) void ck_msg(struct unifw_check_item *it, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void ck_evidence(struct unifw_check_item *it, const char *fmt, ...);
/* A boot outcome reached (raises the prediction; dead .. boot_loop halt the walk). */
void ck_reach(struct ck *c, enum ck_boot b, const char *fault);
__attribute__((format(printf, 2, 3))) void ck_compared(struct ck *c, const char *fmt, ...);
/* The verdict a boot effect means (dead/brom_loop: BRICK RISK; stuck_brom .. black_screen: WILL NOT BOOT). */
enum unifw_check_verdict ck_verdict_of(enum ck_boot b);
/* One finding that is also a boot effect: item + ck_reach. */
struct unifw_check_item *ck_effect(struct ck *c, enum ck_boot b, const char *code, const char *area,
				   const char *partition);

bool ck_name_is(const char *name, const char *a, const char *b);
const struct unifw_fp_part *ck_find_part(const struct unifw_fingerprint *fp, const char *name, const char *alias);

/* check_flash.c */
bool ck_part_written(const struct ck *c, const struct unifw_fp_part *p);
/* User-area offset of a linear address of that side (package or phone), UINT64_MAX before the user area. */
uint64_t ck_offset(const struct ck *c, const struct unifw_fingerprint *side, uint64_t linear);
void ck_flash_model(struct ck *c);
/* The partition the running stages find by name (PMT: the package's when the flash rewrites it). */
bool ck_locate(const struct ck *c, const char *name, const char *alias, uint64_t *offset);
/* What lies at a user-area offset after the flash. */
void ck_at(const struct ck *c, uint64_t offset, struct ck_placed *out);
/* ck_locate + ck_at; false when the name is in no table. */
bool ck_placed_by_name(const struct ck *c, const char *name, const char *alias, struct ck_placed *out);
/* "the package's BOOTIMG", "the phone's ANDROID", "nothing", ... */
void ck_describe(const struct ck_placed *p, char *out, size_t len);

/* check_rules_loader.c */
void ck_rules_platform(struct ck *c);
void ck_rules_preloader(struct ck *c);
void ck_rules_layout(struct ck *c);
void ck_rules_lk(struct ck *c);

/* check_rules_kernel.c */
void ck_rules_bootimg(struct ck *c);
void ck_rules_kernel_panel(struct ck *c);
void ck_rules_mounts(struct ck *c);

/* check_rules_android.c */
void ck_rules_modem(struct ck *c);
void ck_rules_wifi(struct ck *c);
void ck_rules_touch(struct ck *c);
void ck_rules_touch_firmware(struct ck *c);
void ck_rules_camera(struct ck *c);
void ck_rules_identity(struct ck *c);
void ck_rules_logo(struct ck *c);

/* check_lcm.c: the LCM knowledge table (names -> controller, probe) and LK's / the kernel's pick. */
enum ck_probe { CK_PROBE_NONE, CK_PROBE_ID, CK_PROBE_FAMILY, CK_PROBE_ALWAYS };
struct ck_lcm {
	const char *name;
	uint16_t ic;      /* controller ID (0 unknown) */
	uint8_t module;   /* the module ID an ID probe also requires (0: any) */
	enum ck_probe probe;
	const char *source; /* where the probe behaviour was read */
};
const struct ck_lcm *ck_lcm_find(const char *name);
/* The panel as the phone's own driver describes it: its controller and module (false: unknown driver). */
struct ck_panel {
	const char *driver;
	uint16_t ic;
	uint8_t module;
};
bool ck_panel_of(const struct unifw_fingerprint *phone, struct ck_panel *panel);
bool ck_lcm_compare_id(const char *name, const struct ck_panel *panel);
bool ck_lcm_fits(const char *name, const struct ck_panel *panel);
enum ck_lcm_rule { CK_RULE_NONE, CK_RULE_ONLY, CK_RULE_BY_NAME, CK_RULE_COMPARE_ID, CK_RULE_LAST };
const char *ck_lcm_rule_name(enum ck_lcm_rule r);
struct ck_lcm_pick {
	const char *name;
	enum ck_lcm_rule rule;
	bool found;
	bool fits;
};
void ck_lk_pick(const struct unifw_names *list, const struct ck_panel *panel, struct ck_lcm_pick *out);
void ck_kernel_pick(const struct unifw_names *list, const char *lcm_name, const struct ck_panel *panel,
		    struct ck_lcm_pick *out);
void ck_names_text(const struct unifw_names *l, char *out, size_t len);

#endif
