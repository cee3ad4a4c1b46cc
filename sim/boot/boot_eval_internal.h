/* unifw-sim — what the pieces of the boot evaluator share (boot_eval.c: report items, reading the flash,
 * the stage driver and the output; boot_eval_loader.c: BootROM, preloader and LK;
 * boot_eval_kernel.c: the boot image and the kernel; boot_eval_android.c: touch and NVRAM).
 * Private to sim/boot/: the public interface is boot_eval.h. */
#ifndef UNIFW_SIM_BOOT_EVAL_INTERNAL_H
#define UNIFW_SIM_BOOT_EVAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot_chain.h"
#include "boot_eval.h"
#include "boot_panel.h"
#include "boot_sysview.h"
#include "install_package.h"
#include "unifw/io.h"
#include "unifw/kernel.h"
#include "unifw/lk.h"
#include "unifw/ramdisk.h"

struct eval {
	struct sim_emmc *e;
	const struct sim_model *m;
	struct sim_boot_report *r;
	struct unifw_error *err;
	uint8_t cid[16];
	uint64_t user;
	bool halted;             /* a stage the boot never gets past was reached */
	bool lk_drives_panel;
	struct sim_lcm_choice lk_lcm; /* LK's LCM driver (boot_panel.h); its name points into lk */
	struct unifw_lk_info *lk;
	struct unifw_kernel_info *kernel;
	uint8_t *image; /* the kernel's decompressed Image (its partition table is read from it) */
	size_t image_len;
	/* The compiled tables (boot_chain.h) of the preloader, LK and the kernel: what each stage uses
	 * when the PMT is unusable, and the kernel's /emmc@NAME -> mmcblk0pN index map. */
	struct sim_ptab pl_tab, lk_tab, k_tab;
	bool pmt_fallback_noted;
	/* The universal probe (boot_probe.c): what the ramdisk carries for it, kept by check_ramdisk, and
	 * its fake root, kept until the end of the evaluation (a bind's source_host lives there). */
	struct eval_probe *probe;
	/* An error found where a stage cannot return it (the probe's shell is missing): run_stages ends the
	 * evaluation with it (v->err holds the message). */
	int fatal_rc;
};

/* Report items (boot_eval.c). A reason raises the verdict (dead, stuck_brom and boot_loop end the boot
 * there); a fault means it boots, but with something broken; a note is worth knowing, harmless today. */
__attribute__((format(printf, 5, 6))) void eval_reason(struct eval *v, const char *stage, const char *code,
						       enum sim_verdict verdict, const char *fmt, ...);
__attribute__((format(printf, 4, 5))) void eval_fault(struct eval *v, const char *stage, const char *code,
						      const char *fmt, ...);
__attribute__((format(printf, 4, 5))) void eval_note(struct eval *v, const char *stage, const char *code,
						     const char *fmt, ...);
const char *eval_errtext(const struct unifw_error *e, char *buf, size_t len);
struct unifw_jv *eval_names_json(const struct unifw_names *a, const struct unifw_names *b);
void eval_names_list(const struct unifw_names *l, char *out, size_t len);

/* Reading the flash (boot_eval.c): a partition's bytes (at most max; the caller frees), and a
 * pread-only stream over a user-area range for libext2fs. */
struct region_stream {
	struct sim_emmc *e;
	uint64_t base, size;
};
int eval_read_region(struct eval *v, const struct sim_flash_loc *loc, uint64_t max, uint8_t **buf, size_t *len);
void eval_region_open(struct region_stream *rs, struct unifw_stream *s, const char *name);

/* BootROM, preloader and LK (boot_eval_loader.c). */
int eval_stage_brom(struct eval *v);
int eval_locate_in_chain(struct eval *v, const char *name, const char *alias, const struct sim_ptab *compiled,
			 const char *stage, enum sim_verdict verdict, struct sim_flash_loc *loc, bool *found);
size_t eval_ordered_lcm(const struct unifw_names *known, const struct unifw_names *other,
			const char *out[2 * UNIFW_NAMES_MAX]);
void eval_lcm_choice_facts(struct unifw_jv *f, const struct sim_lcm_choice *c);
int eval_stage_lk(struct eval *v);

/* The boot image and the kernel (boot_eval_kernel.c). */
int eval_stage_bootimg(struct eval *v, bool *booted);
int eval_stage_kernel(struct eval *v);
int eval_kernel_locate(struct eval *v, const char *name, struct sim_flash_loc *loc);

/* Android: touch, the WLAN module in /system (fs: the mounted system) and NVRAM (boot_eval_android.c). */
void eval_check_touch(struct eval *v);
/* The touch controller's firmware file in /system (through the probe's binds), when its driver is in the
 * kernel: missing or empty -> touch_uncalibrated. */
void eval_check_touch_firmware(struct eval *v, const struct sim_sysview *sys);
void eval_check_wifi(struct eval *v, const struct sim_sysview *sys);
int eval_stage_nvram(struct eval *v);

/* The universal image's probe (boot_probe.c): when the ramdisk carries /unifw/probe.sh started from init,
 * run it with busybox sh against a fake root made from the model's hardware (its /proc/cmdline with LK's
 * lcm=, /sys/bus/i2c/devices/(*)/name, /sys/block/mmcblk0/device/cid), put its bind mounts into sys, and
 * report what it bound or fell back to. Nothing happens for a ramdisk without the probe. */
void eval_run_probe(struct eval *v, struct sim_sysview *sys);
/* check_ramdisk: keep the probe script, its table and whether init starts it (nothing when the ramdisk
 * carries no /unifw/probe.sh). */
void eval_probe_keep_ramdisk(struct eval *v, const struct unifw_ramdisk *rd);
/* The end of the evaluation: remove the fake root, free what was kept. */
void eval_probe_free(struct eval *v);

#endif
