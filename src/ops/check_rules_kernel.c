/* unifw check: the boot image LK loads, the kernel's panel pick and the partitions the kernel mounts.
 * Sources (l33tnoob/MT65x2_kernel_lk): mediatek/platform/mt6572/lk/load_image.c
 * mboot_android_check_bootimg_hdr / mboot_android_check_img_info, bootable/bootloader/lk/app/mt_boot/
 * mt_boot.c boot_linux_from_storage; mediatek/platform/mt6572/kernel/drivers/video/disp_hal.c
 * disphal_get_lcm_driver, mediatek/platform/common/kernel/drivers/video/mtkfb.c mtkfb_probe; the
 * kernel's index map /emmc@NAME -> mmcblk0pN (dum-char PartInfo[].partition_idx [I]). docs/check.md
 * "Rules". */
#include "ops/check_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ boot image */

#define LK_LOOP "LK logs \"Load 'Android Boot Image' partition Error\" and stops; its watchdog resets the phone and " \
		"the same happens again: a boot loop without fastboot"

static const char *bootimg_problem(const struct unifw_fingerprint *b, char *why, size_t len)
{
	if (b->boot_page_size && b->boot_page_size != 2048) {
		snprintf(why, len, "page size %u: MT6572 LK reads the kernel at 2048 whatever the header says", b->boot_page_size);
		return "bootimg_page_size";
	}
	if (!b->boot_valid) {
		snprintf(why, len, "%s", b->boot_problem[0] ? b->boot_problem : "no valid Android boot image");
		return "bootimg_invalid";
	}
	if (strcmp(b->boot_kernel_name, "KERNEL")) {
		snprintf(why, len, "the kernel's MTK header is named '%s', LK requires KERNEL", b->boot_kernel_name);
		return "kernel_header";
	}
	if (!b->have_kernel) {
		snprintf(why, len, "the kernel does not decompress");
		return "kernel_invalid";
	}
	if (strcmp(b->boot_ramdisk_name, "ROOTFS")) {
		snprintf(why, len, "the ramdisk's MTK header is named '%s', LK requires ROOTFS", b->boot_ramdisk_name);
		return "ramdisk_header";
	}
	if (!b->ramdisk_has_init) {
		snprintf(why, len, "the ramdisk has no init or init.rc");
		return "ramdisk_no_init";
	}
	return NULL;
}

/* LK finds BOOTIMG through the PMT (lk/partition_mt.c part_init_pmt) and checks ANDROID!, a 2048 page
 * (pg_sz = 2*KB), MTK headers KERNEL and ROOTFS (load_image.c); a bad image: while(1) + watchdog. */
void ck_rules_bootimg(struct ck *c)
{
	struct ck_placed at;
	char what[96], why[300];
	if (!ck_placed_by_name(c, "BOOTIMG", "BOOT", &at)) {
		struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "no_boot_partition", "boot", "BOOTIMG");
		ck_msg(it, "the partition table the phone ends up with has no BOOTIMG: LK finds no boot image, %s", LK_LOOP);
		ck_evidence(it, "PMT from %s: no BOOTIMG entry", c->pmt_from_package ? "the package" : "the phone");
		return;
	}
	bool is_boot = (at.origin == CK_FROM_PACKAGE || at.origin == CK_FROM_PHONE) &&
		       ck_name_is(at.part->name, "BOOTIMG", "BOOT");
	const struct unifw_fingerprint *b = is_boot ? at.fp : NULL;
	if (b && !b->have_boot) {
		ck_compared(c, "boot image: %s not read", b == c->pkg ? "the package's" : "the phone's");
		return;
	}
	const char *code = b ? bootimg_problem(b, why, sizeof why) : "bootimg_invalid";
	if (!b) {
		ck_describe(&at, what, sizeof what);
		snprintf(why, sizeof why, "BOOTIMG at user offset 0x%llx holds %s", (unsigned long long)at.offset, what);
	}
	ck_compared(c, "boot image: %s", b == c->pkg ? "the package's" : b ? "the phone's own (not written)" : "none");
	if (code) {
		struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, code, "boot", "BOOTIMG");
		ck_msg(it, "LK cannot load the boot image: %s", LK_LOOP);
		ck_evidence(it, "%s (%s)", why, b == c->pkg ? "package" : "phone");
		return;
	}
	c->kernel_fp = b;
}

/* ------------------------------------------------------------------ kernel panel */

/* Judged when LK drove the panel (else LK's white screen is the outcome): the kernel takes its only
 * driver, else the one LK named in lcm=, else compare_id in order; none -> no framebuffer. */
void ck_rules_kernel_panel(struct ck *c)
{
	struct ck_panel panel;
	if (!c->kernel_fp || !c->lk_drives_panel || !ck_panel_of(c->phone, &panel))
		return;
	const struct unifw_fingerprint *k = c->kernel_fp;
	struct ck_lcm_pick p;
	ck_kernel_pick(&k->kernel_lcm, c->lk_pick, &panel, &p);
	ck_compared(c, "kernel LCM drivers vs LK's lcm= name and the panel");
	if (p.name && p.fits)
		return;
	char list[600];
	ck_names_text(&k->kernel_lcm, list, sizeof list);
	struct unifw_check_item *it = ck_effect(c, CK_BLACK_SCREEN, p.name ? "kernel_wrong_lcm" : "kernel_no_lcm",
						"kernel", "BOOTIMG");
	if (p.name)
		ck_msg(it, "the kernel takes %s (%s), another controller's driver: after the boot logo the screen goes "
		       "black", p.name, ck_lcm_rule_name(p.rule));
	else
		ck_msg(it, "the kernel has no driver for this panel (none named %s, no compare_id matches): no framebuffer, "
		       "the screen goes black after the boot logo", c->lk_pick ? c->lk_pick : "by LK");
	ck_evidence(it, "kernel LCM drivers (%s): %s; LK passes lcm=%s; phone panel %s (controller 0x%04x) "
		    "(disp_hal.c disphal_get_lcm_driver, mtkfb.c mtkfb_probe)", k == c->pkg ? "package" : "phone", list,
		    c->lk_pick ? c->lk_pick : "-", panel.driver, panel.ic);
}

/* ------------------------------------------------------------------ partitions and mounts */

static const struct {
	const char *name, *alias, *mount;
} mounted[] = { { "ANDROID", "SYSTEM", "/system" }, { "CACHE", NULL, "/cache" }, { "USRDATA", "USERDATA", "/data" } };

static int mount_of(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (ck_name_is(name, mounted[i].name, mounted[i].alias))
			return i;
	return -1;
}

static unsigned kmap_index(const struct unifw_fingerprint *k, int which, bool *known)
{
	for (size_t i = 0; i < k->kmap_count && i < UNIFW_FP_MAX_PARTS; i++)
		if (ck_name_is(k->kmap[i].name, mounted[which].name, mounted[which].alias)) {
			*known = true;
			return k->kmap[i].index;
		}
	*known = false;
	return 0;
}

/* Whose MBR/EBR chain the kernel reads after the flash: the one at LBA 0 and its EBRs where they were. */
static const struct unifw_fingerprint *mbr_owner(struct ck *c)
{
	struct ck_placed at;
	ck_at(c, 0, &at);
	const struct unifw_fingerprint *owner = at.origin == CK_FROM_PACKAGE && ck_name_is(at.part->name, "MBR", NULL) ? c->pkg
					       : at.origin == CK_FROM_PHONE || at.origin == CK_FROM_NOTHING ? c->phone : NULL;
	if (!owner) {
		struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "mbr_invalid", "kernel", "MBR");
		ck_msg(it, "the flash leaves no MBR at the start of the user area: the kernel finds no mmcblk0pN and "
		       "cannot mount /system, the phone reboots in a loop");
		ck_evidence(it, "user offset 0 holds the package's %s", at.part ? at.part->name : "data");
		return NULL;
	}
	for (size_t i = 0; i < owner->part_count && i < UNIFW_FP_MAX_PARTS; i++) {
		const struct unifw_fp_part *e = &owner->parts[i];
		if (strncasecmp(e->name, "EBR", 3) || ck_offset(c, owner, e->linear) == UINT64_MAX)
			continue;
		ck_at(c, ck_offset(c, owner, e->linear), &at);
		bool same = at.fp == owner && at.part && !strcasecmp(at.part->name, e->name);
		if (!same) {
			struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "mbr_invalid", "kernel", e->name);
			ck_msg(it, "the MBR the kernel reads chains to %s, which the flash overwrote: the partition chain is "
			       "broken, /system cannot be mounted", e->name);
			ck_evidence(it, "%s's MBR points %s at linear 0x%llx, where the flash put %s",
				    owner == c->pkg ? "the package" : "the phone", e->name, (unsigned long long)e->linear,
				    at.part ? at.part->name : "nothing");
			return NULL;
		}
	}
	return owner;
}

static bool mbr_region(const struct ck *c, const struct unifw_fingerprint *owner, unsigned index, uint64_t *off)
{
	for (size_t i = 0; i < owner->part_count && i < UNIFW_FP_MAX_PARTS; i++)
		if (owner->parts[i].mbr_index == index && ck_offset(c, owner, owner->parts[i].linear) != UINT64_MAX) {
			*off = ck_offset(c, owner, owner->parts[i].linear);
			return true;
		}
	return false;
}

static void judge_system(struct ck *c, const struct ck_placed *at, unsigned index)
{
	bool is_sys = (at->origin == CK_FROM_PACKAGE || at->origin == CK_FROM_PHONE) && mount_of(at->part->name) == 0;
	if (is_sys && at->fp->system_valid) {
		c->system_fp = at->fp;
		return;
	}
	char what[96];
	ck_describe(at, what, sizeof what);
	struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "system_invalid", "kernel", "ANDROID");
	ck_msg(it, "the kernel mounts /system from mmcblk0p%u, where the flash leaves no Android system: init cannot "
	       "start Android and the phone reboots in a loop", index);
	ck_evidence(it, "the running kernel's index map: ANDROID = mmcblk0p%u; the MBR/EBR puts it at user offset "
		    "0x%llx, which holds %s%s", index, (unsigned long long)at->offset, what,
		    is_sys ? " (no mountable ext4 with /build.prop)" : "");
}

static void judge_mount(struct ck *c, int which, const struct ck_placed *at, unsigned index)
{
	if (at->origin != CK_FROM_PACKAGE && at->origin != CK_FROM_PHONE)
		return;
	int there = mount_of(at->part->name);
	if (there < 0 || there == which)
		return;
	struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "mount_wrong_fs", "kernel", mounted[which].name);
	ck_msg(it, "the kernel mounts %s from mmcblk0p%u, where the MBR/EBR put the %s file system: the index map "
	       "and the partition table disagree, Android's init fails and the phone reboots in a loop",
	       mounted[which].mount, index, mounted[there].mount);
	ck_evidence(it, "mmcblk0p%u at user offset 0x%llx holds %s's %s", index, (unsigned long long)at->offset,
		    at->fp == c->pkg ? "the package" : "the phone", at->part->name);
}

static void check_mount(struct ck *c, const struct unifw_fingerprint *owner, int which)
{
	bool known;
	unsigned idx = kmap_index(c->kernel_fp, which, &known);
	if (!known || !idx) {
		if (which == 0) {
			struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "no_system", "kernel", "ANDROID");
			ck_msg(it, "the kernel's partition map has no ANDROID (/emmc@android): /system cannot be mounted");
			ck_evidence(it, "running kernel (%s): %zu index map entries, none for ANDROID",
				    c->kernel_fp == c->pkg ? "package" : "phone", c->kernel_fp->kmap_count);
		}
		return;
	}
	uint64_t off;
	if (!mbr_region(c, owner, idx, &off)) {
		struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "ptable_no_partition", "kernel", mounted[which].name);
		ck_msg(it, "the kernel mounts %s from mmcblk0p%u, but the MBR/EBR on the flash define no partition %u: "
		       "the mount fails and the phone reboots in a loop", mounted[which].mount, idx, idx);
		ck_evidence(it, "%s's MBR/EBR chain has no entry %u", owner == c->pkg ? "the package" : "the phone", idx);
		return;
	}
	struct ck_placed at;
	ck_at(c, off, &at);
	if (which == 0)
		judge_system(c, &at, idx);
	else
		judge_mount(c, which, &at, idx);
}

/* The MBR/EBR entry (mmcblk0pN) of the chain the kernel reads that starts at user offset `off`; 0 = none. */
static unsigned mbr_index_at(const struct ck *c, const struct unifw_fingerprint *owner, uint64_t off)
{
	for (size_t i = 0; i < owner->part_count && i < UNIFW_FP_MAX_PARTS; i++)
		if (owner->parts[i].mbr_index && ck_offset(c, owner, owner->parts[i].linear) == off)
			return owner->parts[i].mbr_index;
	return 0;
}

/* A kernel without a compiled map (kmap_from_pmt): /emmc@NAME -> the PMT's entry NAME after the flash ->
 * the mmcblk0pN whose MBR/EBR entry starts there. Whatever the layout's order, it mounts the partition
 * of that name when the PMT and the MBR/EBR agree. */
static void check_mount_pmt(struct ck *c, const struct unifw_fingerprint *owner, int which)
{
	uint64_t off;
	if (!ck_locate(c, mounted[which].name, mounted[which].alias, &off)) {
		if (which == 0) {
			struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "no_system", "kernel", "ANDROID");
			ck_msg(it, "the PMT after the flash has no ANDROID (/emmc@android): the kernel, which resolves its "
			       "mounts through the PMT, cannot mount /system");
			ck_evidence(it, "%s's PMT: no ANDROID or SYSTEM entry", c->pmt_from_package ? "the package" : "the phone");
		}
		return;
	}
	unsigned idx = mbr_index_at(c, owner, off);
	if (!idx) {
		struct unifw_check_item *it = ck_effect(c, CK_BOOT_LOOP, "ptable_no_partition", "kernel", mounted[which].name);
		ck_msg(it, "the kernel resolves %s (/emmc@%s) through the PMT to user offset 0x%llx, but no MBR/EBR entry "
		       "starts there: the mount fails and the phone reboots in a loop", mounted[which].mount,
		       mounted[which].name, (unsigned long long)off);
		ck_evidence(it, "%s's MBR/EBR chain has no entry at 0x%llx", owner == c->pkg ? "the package" : "the phone",
			    (unsigned long long)off);
		return;
	}
	struct ck_placed at;
	ck_at(c, off, &at);
	if (which == 0)
		judge_system(c, &at, idx);
	else
		judge_mount(c, which, &at, idx);
}

/* The kernel mounts /emmc@android, @cache, @usrdata as mmcblk0p<its index>: the N-th MBR/EBR entry on the
 * flash; no offset is compared, so a kernel from another layout with the same index map boots. */
void ck_rules_mounts(struct ck *c)
{
	if (!c->kernel_fp)
		return;
	if (c->kernel_fp->kmap_from_pmt && !c->kernel_fp->have_kmap) {
		ck_compared(c, "kernel partition map taken from the PMT at boot (by name) vs the MBR/EBR after the flash");
		const struct unifw_fingerprint *owner = mbr_owner(c);
		for (int i = 0; owner && i < 3 && !c->halted; i++)
			check_mount_pmt(c, owner, i);
		return;
	}
	if (!c->kernel_fp->have_kmap) {
		struct ck_placed at;
		if (ck_placed_by_name(c, "ANDROID", "SYSTEM", &at))
			judge_system(c, &at, 0);
		return;
	}
	ck_compared(c, "kernel index map (%s) vs the MBR/EBR after the flash",
		    c->kernel_fp->kmap_assumed ? "assumed: its package's MBR order" : "read from the kernel");
	const struct unifw_fingerprint *owner = mbr_owner(c);
	for (int i = 0; owner && i < 3 && !c->halted; i++)
		check_mount(c, owner, i);
}
