/* unifw-sim — boot evaluation, the boot image LK loads and the kernel it starts: ramdisk, kernel
 * section, partitions (MBR/EBR), panel, modem, mounts and /system. docs/sim.md "Boot evaluation". */
#include "boot_eval_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_modem.h"
#include "unifw/bootimg.h"
#include "unifw/ext4.h"
#include "unifw/kernel.h"
#include "unifw/mbr.h"
#include "unifw/mtkhdr.h"
#include "unifw/ramdisk.h"

/* ------------------------------------------------------------------ boot image */

/* What MT6572 LK does with a boot image it cannot use (boot_linux_from_storage -> msg_header_error /
 * msg_img_error; docs/sim.md "Boot evaluation", lk "Boot image" row): it logs the error and stops in
 * while(1) with the watchdog still running, so the phone resets and does the same again; fastboot is
 * not entered on this path. */
#define LK_BAD_IMAGE                                                                                         \
	"LK logs \"[MBOOT] Load 'Android Boot Image' partition Error\" and stops in while(1) with the "         \
	"watchdog armed; about 10 s later the watchdog resets the phone and the same happens again: a boot "   \
	"loop, without fastboot"

static bool check_ramdisk(struct eval *v, const uint8_t *p, size_t n)
{
	struct unifw_ramdisk rd;
	struct unifw_error e = { 0 };
	char why[600];
	unifw_ramdisk_init(&rd);
	bool ok = false;
	if (!unifw_mtkhdr_has_name(p, n, "ROOTFS"))
		eval_reason(v, "lk", "ramdisk_header", SIM_VERDICT_BOOT_LOOP,
			    "the boot image's ramdisk lacks the MTK header named ROOTFS that LK requires (magic 0x58881688 "
			    "and name): %s", LK_BAD_IMAGE);
	else if (unifw_ramdisk_parse(p, n, "ramdisk", &rd, &e) != 0)
		eval_reason(v, "kernel", "ramdisk_invalid", SIM_VERDICT_BOOT_LOOP,
			    "the ramdisk cannot be unpacked (%s): the kernel panics (no init) and the watchdog resets it",
			    eval_errtext(&e, why, sizeof why));
	else if (!unifw_ramdisk_find(&rd, "init") || !unifw_ramdisk_find(&rd, "init.rc"))
		eval_reason(v, "kernel", "ramdisk_no_init", SIM_VERDICT_BOOT_LOOP,
			    "the ramdisk has no init or init.rc: the kernel panics and the watchdog resets it");
	else
		ok = true;
	if (ok)
		eval_probe_keep_ramdisk(v, &rd);
	unifw_ramdisk_free(&rd);
	return ok;
}

static void kernel_facts(struct eval *v)
{
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "kernel");
	const struct unifw_kernel_info *k = v->kernel;
	unifw_jv_set_str(f, "version", k->version);
	unifw_jv_set_str(f, "compression", unifw_kernel_comp_name(k->compression));
	unifw_jv_set(f, "lcm_drivers", eval_names_json(&k->lcm, &k->lcm_unlisted));
	unifw_jv_set(f, "touch_drivers", unifw_names_to_json(&k->touch));
}

static bool check_kernel_section(struct eval *v, const uint8_t *p, size_t n)
{
	struct unifw_error e = { 0 };
	char why[600];
	if (!unifw_mtkhdr_has_name(p, n, "KERNEL")) {
		eval_reason(v, "lk", "kernel_header", SIM_VERDICT_BOOT_LOOP,
			    "the boot image's kernel lacks the MTK header named KERNEL that LK requires (magic 0x58881688 "
			    "and name): %s", LK_BAD_IMAGE);
		return false;
	}
	v->kernel = malloc(sizeof *v->kernel);
	struct unifw_kernel_opts ko = { .image = &v->image, .image_len = &v->image_len };
	if (!v->kernel || unifw_kernel_inspect(p, n, "kernel", &ko, v->kernel, &e) != 0) {
		eval_reason(v, "kernel", "kernel_invalid", SIM_VERDICT_BOOT_LOOP,
			    "the kernel does not decompress (%s): the decompressor stops, the watchdog resets the phone",
			    v->kernel ? eval_errtext(&e, why, sizeof why) : "out of memory");
		free(v->kernel);
		v->kernel = NULL;
		return false;
	}
	kernel_facts(v);
	return true;
}

/* LK loads BOOTIMG: header (page 2048 hard-coded), KERNEL and ROOTFS sections. *booted: both passed. */
int eval_stage_bootimg(struct eval *v, bool *booted)
{
	struct sim_flash_loc loc;
	bool found;
	int rc = eval_locate_in_chain(v, "BOOTIMG", "BOOT", &v->lk_tab, "lk", SIM_VERDICT_BOOT_LOOP, &loc, &found);
	if (rc || !found)
		return rc;
	uint8_t *buf = NULL;
	size_t len = 0;
	if ((rc = eval_read_region(v, &loc, UNIFW_BOOTIMG_MAX_FILE, &buf, &len)) != 0)
		return rc;
	struct unifw_bootimg img;
	struct unifw_error e = { 0 };
	char why[600];
	if (unifw_bootimg_parse(buf, len, "BOOTIMG", &img, &e) != 0) {
		eval_reason(v, "lk", "bootimg_invalid", SIM_VERDICT_BOOT_LOOP,
			    "BOOTIMG holds no valid boot image (%s): %s", eval_errtext(&e, why, sizeof why), LK_BAD_IMAGE);
	} else if (img.hdr.page_size != 2048) {
		eval_reason(v, "lk", "bootimg_page_size", SIM_VERDICT_BOOT_LOOP,
			    "boot image page size %u: MT6572 LK ignores the header's page size and reads the kernel at "
			    "2048, where there is no KERNEL header: %s", img.hdr.page_size, LK_BAD_IMAGE);
		unifw_bootimg_free(&img);
	} else {
		const uint8_t *k = buf + img.kernel_off, *rd = buf + img.ramdisk_off;
		*booted = check_kernel_section(v, k, img.hdr.kernel_size) && check_ramdisk(v, rd, img.hdr.ramdisk_size);
		unifw_bootimg_free(&img);
	}
	free(buf);
	return 0;
}

/* ------------------------------------------------------------------ kernel: partitions, system */

static int mbr_read(void *ctx, uint64_t lba, uint8_t sector[UNIFW_MBR_SECTOR_SIZE], struct unifw_error *err)
{
	return sim_emmc_read(ctx, SIM_PART_USER, lba * UNIFW_MBR_SECTOR_SIZE, sector, UNIFW_MBR_SECTOR_SIZE, err);
}

static const struct unifw_mbr_part *mbr_index(const struct unifw_mbr_table *t, unsigned index)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->part[i].kernel_index == index)
			return &t->part[i];
	return NULL;
}

/* mmcblk0pN as the kernel sees it: the MBR/EBR entry's start and length (the last one runs to the end
 * of the user area). */
static struct sim_flash_loc mbr_loc(const struct eval *v, const struct unifw_mbr_part *p)
{
	uint64_t start = p->start_lba * UNIFW_MBR_SECTOR_SIZE;
	uint64_t size = p->to_end || start > v->user ? (start < v->user ? v->user - start : 0)
						     : (uint64_t)p->count * UNIFW_MBR_SECTOR_SIZE;
	if (start < v->user && size > v->user - start)
		size = v->user - start;
	return (struct sim_flash_loc){ SIM_PART_USER, start, start < v->user ? size : 0 };
}

static void android_facts(struct eval *v, const char *text, size_t len)
{
	struct unifw_jv *bp = unifw_jv_object();
	unifw_ext4_build_prop(text, len, bp);
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "android");
	const char *rel = unifw_jv_str(unifw_jv_get(bp, "ro.build.version.release"));
	const char *model = unifw_jv_str(unifw_jv_get(bp, "ro.product.model"));
	unifw_jv_set_str(f, "release", rel ? rel : "");
	unifw_jv_set_str(f, "product_model", model ? model : "");
	unifw_jv_free(bp);
}

/* A modem the loader accepts still has to be this board's: MD_CHECK_HEADER's build_ver ("project version",
 * dual_ccci ccci_platform.h; check_md_header only logs it) names the project it was built for, and a modem binary carries its board's RF front-end
 * and band configuration compiled in, so another board's modem starts but finds no network. The rule is a
 * modelling choice [I] (docs/sim.md "Boot evaluation", android modem rows); a unit of a model is the same
 * board (model->stock->project). */
static void judge_modem_board(struct eval *v, const struct sim_modem_check *c, struct unifw_jv *f)
{
	char board[SIM_MD_BUILD_VER_MAX];
	unifw_jv_set_str(f, "build_ver", c->h.build_ver);
	if (!sim_md_build_board(c->h.build_ver, board, sizeof board)) {
		eval_note(v, "android", "modem_board_unknown", "%s: build_ver \"%s\" names no board project the sim "
			  "recognises (\"<PROJECT>.MD...\"): which board the modem is for is not judged", c->path,
			  c->h.build_ver);
		return;
	}
	unifw_jv_set_str(f, "board", board);
	if (!v->m || !strcmp(board, v->m->stock->project))
		return;
	eval_fault(v, "android", "no_signal",
		   "the modem %s (read from %s) was built for board %s; this phone's board is %s: the modem starts but "
		   "its RF front-end and band settings are another board's: no network (no calls, SMS or mobile data); "
		   "NVRAM and the IMEI are untouched", c->path, c->from, board, v->m->stock->project);
}

/* The kernel's CCCI loader and the modem in /system (boot_modem.c): a rejected modem is a phone without
 * radio, its IMEI and calibration untouched. */
static void check_modem(struct eval *v, const struct sim_sysview *sys)
{
	struct sim_modem_check c;
	sim_modem_check(sys, v->image, v->image_len, &c);
	if (!c.kernel_known) {
		eval_note(v, "kernel", "no_kernel_ccci", "the kernel carries no CCCI record the sim knows: the modem is not checked");
		return;
	}
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "modem");
	unifw_jv_set_str(f, "type", c.type);
	unifw_jv_set_uint(f, "kernel_reserved", c.reserved);
	unifw_jv_set_str(f, "image", c.path);
	if (c.has_header) {
		unifw_jv_set_uint(f, "header_version", c.h.verno);
		unifw_jv_set_uint(f, "bind_sys_id", c.h.bind_sys_id);
		unifw_jv_set_uint(f, "mem_size", c.h.mem_size);
	}
	unifw_jv_set_bool(f, "mddb", c.mddb);
	unifw_jv_set_bool(f, "loaded", !c.rejected);
	if (c.rejected)
		eval_fault(v, "android", "no_radio",
			   "the kernel's modem loader rejects %s (check_md_header: %s): Android boots without a radio (no "
			   "calls, SMS or mobile data); the IMEI and calibration in NVRAM are untouched, this is not an IMEI "
			   "loss", c.path[0] ? c.path : "the modem", c.why);
	else if (c.warning[0])
		eval_note(v, "kernel", "modem_warning", "%s: %s", c.path, c.warning);
	if (!c.rejected && c.has_header)
		judge_modem_board(v, &c, f);
}

static void check_system(struct eval *v, const struct sim_flash_loc *loc)
{
	struct region_stream rs = { v->e, loc->offset, loc->size };
	struct unifw_stream s;
	struct unifw_ext4 *fs = NULL;
	struct unifw_error e = { 0 };
	char why[600];
	uint8_t *text = NULL;
	size_t len = 0;
	eval_region_open(&rs, &s, "ANDROID");
	if (unifw_ext4_open(&s, &fs, &e) != 0 || unifw_ext4_read_file(fs, "/build.prop", 64 << 10, &text, &len, &e) != 0)
		eval_reason(v, "kernel", "system_invalid", SIM_VERDICT_BOOT_LOOP,
			    "ANDROID holds no mountable system with /build.prop (%s): init cannot start Android and the "
			    "phone reboots in a loop", eval_errtext(&e, why, sizeof why));
	else {
		android_facts(v, (const char *)text, len);
		/* The universal image's probe runs at post-fs-data, before the services that read these files
		 * (boot_probe.c): what follows is judged through its bind mounts. */
		struct sim_sysview sys = { .fs = fs };
		eval_run_probe(v, &sys);
		check_modem(v, &sys);
		eval_check_wifi(v, &sys);
		eval_check_touch_firmware(v, &sys);
		sim_sysview_free(&sys);
	}
	free(text);
	if (fs)
		unifw_ext4_close(fs);
}

/* The kernel's pick (disp_get_lcm_name_boot, disphal_get_lcm_driver, DISP_DetectDevice); judged only when
 * LK drew on the panel, else the white screen is already the outcome. */
static void check_kernel_panel(struct eval *v)
{
	if (!v->m)
		return;
	const char *names[2 * UNIFW_NAMES_MAX];
	size_t n = eval_ordered_lcm(&v->kernel->lcm, &v->kernel->lcm_unlisted, names);
	struct sim_lcm_choice c;
	sim_kernel_choose_lcm(names, n, v->lk_lcm.name, v->m, &c);
	eval_lcm_choice_facts(unifw_jv_path(v->r->facts, "kernel"), &c);
	if (!v->lk_drives_panel)
		return;
	if (!c.name)
		eval_reason(v, "kernel", "kernel_no_lcm", SIM_VERDICT_BLACK_SCREEN,
			    "LK drives the panel and passes lcm=%d-%s, but the kernel's %zu LCM driver(s) include none of that "
			    "name and no compare_id matches: disphal_get_lcm_driver returns NULL and mtkfb_probe gets no "
			    "framebuffer; Android runs without a display (what the screen then shows is unconfirmed: the "
			    "sim says black_screen)", v->lk_lcm.found ? 1 : 0, v->lk_lcm.name, n);
	else if (!c.fits)
		eval_reason(v, "kernel", "kernel_wrong_lcm", SIM_VERDICT_BLACK_SCREEN,
			    "the kernel takes %s (%s) for a panel with controller 0x%04x (driver %s): it drives the panel "
			    "with another controller's parameters after the boot logo; the screen is taken to go black "
			    "(unconfirmed)", c.name, sim_lcm_rule_name(c.rule), v->m->panel_ic, v->m->lcm);
}

/* The file systems the kernel's fstab mounts by name (/emmc@android, /emmc@cache, /emmc@usrdata) and
 * the volume label each one's image carries (factory.c fs_label). */
static const struct {
	const char *name, *mount, *label;
} mounted[] = { { "ANDROID", "/system", "system" }, { "CACHE", "/cache", "cache" }, { "USRDATA", "/data", "userdata" } };

/* /cache and /data: a file system made for another mount point there means the index map and the
 * MBR/EBR disagree (what reaches that mount is not its partition). */
static void check_mount_label(struct eval *v, size_t which, unsigned index, const struct sim_flash_loc *loc)
{
	uint8_t head[2048];
	struct unifw_ext4_super sb;
	if (loc->size < sizeof head || sim_emmc_read(v->e, SIM_PART_USER, loc->offset, head, sizeof head, NULL) != 0 ||
	    unifw_ext4_parse_super(head, sizeof head, mounted[which].name, &sb, NULL) != 0)
		return;
	for (size_t i = 0; i < sizeof mounted / sizeof *mounted; i++)
		if (i != which && !strcmp(sb.label, mounted[i].label))
			eval_reason(v, "kernel", "mount_wrong_fs", SIM_VERDICT_BOOT_LOOP,
				    "the kernel mounts %s (/emmc@%s) from mmcblk0p%u, where the MBR/EBR put the %s file system "
				    "(label %s): the kernel's index map and the flash's MBR/EBR disagree, Android's init fails "
				    "and the phone reboots in a loop", mounted[which].mount, mounted[which].name, index,
				    mounted[i].mount, sb.label);
}

/* /emmc@NAME -> mmcblk0p<index of NAME in the kernel's compiled map>, and mmcblk0pN is the MBR/EBR's
 * N-th entry: no offset is compared anywhere, so a kernel from another layout with the same index
 * map mounts the right file systems. */
static void check_mounts(struct eval *v, const struct unifw_mbr_table *t)
{
	for (size_t i = 0; i < sizeof mounted / sizeof *mounted && !v->halted; i++) {
		const struct sim_ptab_entry *k = sim_ptab_find(&v->k_tab, mounted[i].name);
		const struct unifw_mbr_part *p = k && k->index ? mbr_index(t, k->index) : NULL;
		if (!k || !k->index) {
			if (i == 0)
				eval_reason(v, "kernel", "no_system", SIM_VERDICT_BOOT_LOOP,
					    "the kernel's partition map has no ANDROID (/emmc@android): /system cannot be mounted");
			continue;
		}
		if (!p) {
			eval_reason(v, "kernel", "ptable_no_partition", SIM_VERDICT_BOOT_LOOP,
				    "the kernel mounts %s from mmcblk0p%u (its index of %s), but the MBR/EBR on the flash define "
				    "no partition %u: the mount fails and the phone reboots in a loop", mounted[i].mount, k->index,
				    mounted[i].name, k->index);
			continue;
		}
		struct sim_flash_loc loc = mbr_loc(v, p);
		if (i == 0)
			check_system(v, &loc);
		else
			check_mount_label(v, i, k->index, &loc);
	}
}

int eval_stage_kernel(struct eval *v)
{
	check_kernel_panel(v);
	if (v->image)
		sim_ptab_parse(v->image, v->image_len, &v->k_tab);
	struct unifw_mbr_table *t = calloc(1, sizeof *t);
	struct unifw_error e = { 0 };
	char why[600];
	if (!t)
		return unifw_error_set(v->err, UNIFW_E_NOMEM, "eMMC", UNIFW_NO_OFFSET, "out of memory");
	struct sim_flash_loc sys;
	if (unifw_mbr_table_read(mbr_read, v->e, v->user / UNIFW_MBR_SECTOR_SIZE, "MBR", t, &e) != 0) {
		eval_reason(v, "kernel", "mbr_invalid", SIM_VERDICT_BOOT_LOOP,
			    "no valid MBR/EBR chain at the start of the user area (%s): the kernel finds no mmcblk0pN, "
			    "/system cannot be mounted and the phone reboots in a loop", eval_errtext(&e, why, sizeof why));
	} else if (!v->k_tab.found) {
		eval_note(v, "kernel", "no_kernel_ptable", "the kernel carries no partition table the sim knows: the "
			  "MBR/EBR mapping is not checked");
		if (sim_flash_locate(v->e, "ANDROID", &sys, &e) == 0)
			check_system(v, &sys);
	} else {
		check_mounts(v, t);
	}
	free(t);
	return 0;
}

/* A raw partition as the running kernel finds it: through the PMT, or its compiled table when the
 * PMT is unusable (the kernel falls back like the preloader and LK). */
int eval_kernel_locate(struct eval *v, const char *name, struct sim_flash_loc *loc)
{
	bool pmt_ok = false;
	if (sim_pmt_usable(v->e, &pmt_ok, NULL) != 0 || pmt_ok)
		return sim_flash_locate(v->e, name, loc, NULL);
	const struct sim_ptab_entry *p = sim_ptab_find(&v->k_tab, name);
	if (!p || p->offset > v->user || p->size > v->user - p->offset)
		return UNIFW_E_NOT_FOUND;
	*loc = (struct sim_flash_loc){ SIM_PART_USER, p->offset, p->size };
	return 0;
}
