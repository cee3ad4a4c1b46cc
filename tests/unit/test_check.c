/* unifw check (src/ops/check*.c): every rule both ways, with fingerprints built here in C (a phone shaped
 * like the virtual a516-like phone and its stock package), the verdict order, the prediction's halt and
 * the JSON keys. The agreement with the virtual phone itself is tests/e2e/check_agree.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "unifw/check.h"
#include "unifw/fingerprint.h"

#define MIB (1024ull * 1024)
static const uint8_t CID[16] = { 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };

static void add_part(struct unifw_fingerprint *fp, const char *name, uint64_t linear, uint64_t size, unsigned mbr,
		     const char *content)
{
	struct unifw_fp_part *p = &fp->parts[fp->part_count++];
	snprintf(p->name, sizeof p->name, "%s", name);
	p->linear = linear;
	p->size = size;
	p->mbr_index = mbr;
	snprintf(p->content, sizeof p->content, "%s", content);
	p->download = true;
	p->image_bytes = size < 4 * MIB ? size : 4 * MIB;
}

static void names(struct unifw_names *l, const char *a, const char *b)
{
	memset(l, 0, sizeof *l);
	if (a)
		snprintf(l->name[l->count++], sizeof l->name[0], "%s", a);
	if (b)
		snprintf(l->name[l->count++], sizeof l->name[0], "%s", b);
}

/* A layout starting at boot region br: MBR, EBR1, NVRAM, UBOOT, BOOTIMG, LOGO, ANDROID(p2), CACHE(p3),
 * USRDATA(p4). */
static void layout(struct unifw_fingerprint *fp, uint64_t br)
{
	fp->have_layout = true;
	fp->boot_region = br;
	fp->part_count = 0;
	add_part(fp, "PRELOADER", 0, 256 * 1024, 0, "");
	add_part(fp, "MBR", br, 512 * 1024, 0, "mbr");
	add_part(fp, "EBR1", br + 512 * 1024, 512 * 1024, 0, "ebr");
	add_part(fp, "NVRAM", br + 1 * MIB, 5 * MIB, 1, "nvram");
	add_part(fp, "UBOOT", br + 6 * MIB, 1 * MIB, 0, "lk");
	add_part(fp, "BOOTIMG", br + 7 * MIB, 6 * MIB, 0, "bootimg");
	add_part(fp, "LOGO", br + 13 * MIB, 3 * MIB, 0, "logo");
	add_part(fp, "ANDROID", br + 16 * MIB, 160 * MIB, 2, "ext4");
	add_part(fp, "CACHE", br + 176 * MIB, 32 * MIB, 3, "ext4");
	add_part(fp, "USRDATA", br + 208 * MIB, 160 * MIB, 4, "ext4");
}

static void kmap(struct unifw_fingerprint *fp, unsigned android, unsigned cache, unsigned data)
{
	static const char *const n[] = { "NVRAM", "ANDROID", "CACHE", "USRDATA" };
	const unsigned idx[] = { 1, android, cache, data };
	fp->have_kmap = true;
	fp->kmap_count = 4;
	for (size_t i = 0; i < 4; i++) {
		snprintf(fp->kmap[i].name, sizeof fp->kmap[i].name, "%s", n[i]);
		fp->kmap[i].index = idx[i];
	}
}

static void emi(struct unifw_fp_emi *e, const uint8_t *id)
{
	memset(e, 0, sizeof *e);
	memcpy(e->id, id, 9);
	e->id_length = 9;
	e->type = 0x0202;
	e->dram_vendor = 1;
	e->rank_size[0] = 512 * MIB;
}

/* The firmware half, the same on the phone and in its stock package. */
static void firmware(struct unifw_fingerprint *fp)
{
	snprintf(fp->platform, sizeof fp->platform, "MT6572");
	snprintf(fp->storage, sizeof fp->storage, "EMMC");
	layout(fp, 6 * MIB);
	fp->have_preloader = true;
	snprintf(fp->preloader_platform, sizeof fp->preloader_platform, "MT6572");
	fp->have_emi_compiled = true;
	fp->emi_compiled_count = 1;
	emi(&fp->emi_compiled[0], CID);
	fp->emi_tag_count = 1;
	fp->emi_tag[0] = fp->emi_compiled[0];
	fp->have_lk = fp->lk_has_header = true;
	names(&fp->lk_lcm, "otm8018b_dsi_vdo", NULL);
	fp->have_boot = fp->boot_valid = fp->ramdisk_has_init = fp->have_kernel = true;
	fp->boot_page_size = 2048;
	snprintf(fp->boot_kernel_name, sizeof fp->boot_kernel_name, "KERNEL");
	snprintf(fp->boot_ramdisk_name, sizeof fp->boot_ramdisk_name, "ROOTFS");
	names(&fp->kernel_lcm, "otm8018b_dsi_vdo", NULL);
	names(&fp->kernel_touch, "GT9XX", NULL);
	names(&fp->kernel_camera, "ov5645_mipi_yuv", NULL);
	snprintf(fp->kernel_version, sizeof fp->kernel_version, "3.4.5");
	kmap(fp, 2, 3, 4);
	fp->have_md1 = true;
	snprintf(fp->md1_type, sizeof fp->md1_type, "wg");
	fp->md1_reserved = 22 * MIB;
	fp->have_android = fp->system_valid = true;
	fp->have_modem = fp->modem_has_header = true;
	snprintf(fp->modem_path, sizeof fp->modem_path, "/system/etc/firmware/modem_1_wg_n.img");
	fp->modem_size = 10 * MIB;
	fp->md_header_version = 2;
	fp->md_bind_sys_id = 1;
	fp->md_mem_size = 22 * MIB;
	fp->md_img_size = 9 * MIB;
	snprintf(fp->md_build_ver, sizeof fp->md_build_ver, "sim72_a516.MD.MT6572.W1410");
	fp->have_touch_fw = true;
	names(&fp->touch_fw, "GT9XX", NULL);
	fp->have_logo = true;
	fp->logo_width = 480;
	fp->logo_height = 854;
	fp->have_wlan = fp->wlan_module_present = true;
	snprintf(fp->wlan_module_vermagic, sizeof fp->wlan_module_vermagic, "3.4.5 SMP preempt mod_unload ARMv7 ");
}

static struct unifw_fingerprint *phone(void)
{
	struct unifw_fingerprint *fp = calloc(1, sizeof *fp);
	assert_non_null(fp);
	firmware(fp);
	fp->source = UNIFW_FP_BACKUP;
	fp->hw_code = 0x6572;
	fp->user_size = 512 * MIB;
	fp->have_cid = true;
	memcpy(fp->cid, CID, 16);
	snprintf(fp->panel_lcm, sizeof fp->panel_lcm, "otm8018b_dsi_vdo");
	snprintf(fp->panel_rule, sizeof fp->panel_rule, "only_driver");
	fp->have_identity = fp->binregion_valid = fp->binregion_imei = fp->data_nvram = fp->data_imei = true;
	snprintf(fp->wifi_state, sizeof fp->wifi_state, "set");
	snprintf(fp->bt_state, sizeof fp->bt_state, "set");
	return fp;
}

/* The stock package: NVRAM is not downloaded (SP Flash Tool never writes it), the rest is. */
static struct unifw_fingerprint *package(void)
{
	struct unifw_fingerprint *fp = calloc(1, sizeof *fp);
	assert_non_null(fp);
	firmware(fp);
	fp->source = UNIFW_FP_PACKAGE;
	for (size_t i = 0; i < fp->part_count; i++)
		if (!strcmp(fp->parts[i].name, "NVRAM"))
			fp->parts[i].download = false, fp->parts[i].image_bytes = 0;
	return fp;
}

struct fixture {
	struct unifw_fingerprint *pkg, *ph;
	struct unifw_check_result r;
	struct unifw_check_opts o;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->pkg = package();
	f->ph = phone();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->pkg);
	free(f->ph);
	free(f);
	return 0;
}

static void run(struct fixture *f)
{
	unifw_check(f->pkg, f->ph, &f->o, &f->r);
}

static const struct unifw_check_item *item(const struct unifw_check_result *r, const char *code)
{
	for (size_t i = 0; i < r->item_count; i++)
		if (!strcmp(r->items[i].code, code))
			return &r->items[i];
	return NULL;
}

static bool has_fault(const struct unifw_check_result *r, const char *code)
{
	for (size_t i = 0; i < r->predicted_fault_count; i++)
		if (!strcmp(r->predicted_faults[i], code))
			return true;
	return false;
}

static struct unifw_fp_part *part(struct unifw_fingerprint *fp, const char *name)
{
	for (size_t i = 0; i < fp->part_count; i++)
		if (!strcmp(fp->parts[i].name, name))
			return &fp->parts[i];
	fail_msg("no partition %s", name);
	return NULL;
}

static void test_stock_is_safe(void **state)
{
	struct fixture *f = *state;
	run(f);
	assert_int_equal(f->r.verdict, UNIFW_CHECK_SAFE);
	assert_string_equal(f->r.predicted_boot, "boots");
	assert_int_equal(f->r.item_count, 0);
	assert_true(f->r.compared_count >= 5);
	assert_int_equal(unifw_check_exit_code(f->r.verdict), 0);
	assert_string_equal(f->r.preloader_fit, "fits");
	assert_false(f->r.preloader_written);
}

static void test_platform(void **state)
{
	struct fixture *f = *state;
	snprintf(f->pkg->platform, sizeof f->pkg->platform, "MT6582");
	run(f);
	const struct unifw_check_item *it = item(&f->r, "wrong_platform");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_BRICK_RISK);
	assert_true(it->flash_refuses);
	assert_non_null(strstr(it->evidence, "MT6582"));
	assert_int_equal(unifw_check_exit_code(f->r.verdict), 5);
}

static void test_preloader_emi(void **state)
{
	struct fixture *f = *state;
	static const uint8_t other[9] = { 0x90, 0x01, 0x4a, 'H', '4', 'G', '1', 'd', 4 };
	emi(&f->pkg->emi_compiled[0], other);
	run(f); /* not written: no item, but said */
	assert_int_equal(f->r.verdict, UNIFW_CHECK_SAFE);
	assert_string_equal(f->r.preloader_fit, "emi_no_match");
	assert_non_null(strstr(f->r.preloader_text, "would brick"));
	f->o.with_preloader = true;
	run(f);
	const struct unifw_check_item *it = item(&f->r, "emi_no_match");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_BRICK_RISK);
	assert_string_equal(it->boot_effect, "brom_loop");
	assert_string_equal(f->r.predicted_boot, "brom_loop");
	assert_non_null(strstr(it->evidence, "15010"));
	/* the tag listing the part does not make it fit, and the evidence says so */
	f->pkg->emi_tag_count = 1;
	emi(&f->pkg->emi_tag[0], CID);
	run(f);
	assert_string_equal(f->r.predicted_boot, "brom_loop");
	assert_non_null(strstr(item(&f->r, "emi_no_match")->message, "tag"));
}

static void test_lk_single_wrong_driver(void **state)
{
	struct fixture *f = *state;
	names(&f->pkg->lk_lcm, "nt35512_wvga_dsi_vdo_dj", NULL);
	run(f);
	const struct unifw_check_item *it = item(&f->r, "lk_wrong_lcm");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_WILL_NOT_BOOT);
	assert_string_equal(f->r.predicted_boot, "white_screen");
	assert_int_equal(unifw_check_exit_code(f->r.verdict), 4);
}

static void test_lk_no_match_keeps_last(void **state)
{
	struct fixture *f = *state;
	/* s10-like panel (HX8389B) on LK with drivers for other controllers: LK keeps the last */
	snprintf(f->ph->panel_lcm, sizeof f->ph->panel_lcm, "hx8389b_kelai_dsi_vdo_qhd");
	names(&f->ph->lk_lcm, "hx8389b_kelai_dsi_vdo_qhd", NULL);
	names(&f->ph->kernel_lcm, "hx8389b_kelai_dsi_vdo_qhd", NULL);
	names(&f->pkg->lk_lcm, "hx8379a_wvga_dsi_vdo", "otm8018b_dsi_vdo_dijing");
	run(f);
	const struct unifw_check_item *it = item(&f->r, "lk_no_lcm");
	assert_non_null(it);
	assert_non_null(strstr(it->message, "otm8018b_dsi_vdo_dijing"));
	assert_string_equal(f->r.predicted_boot, "white_screen");
	/* the other way: an OTM8018B panel is found by compare_id among several drivers */
	snprintf(f->ph->panel_lcm, sizeof f->ph->panel_lcm, "otm8018b_dsi_vdo");
	run(f);
	assert_null(item(&f->r, "lk_no_lcm"));
	assert_string_equal(f->r.predicted_boot, "boots");
}

static void test_kernel_panel(void **state)
{
	struct fixture *f = *state;
	names(&f->pkg->kernel_lcm, "hx8379a_wvga_dsi_vdo", "ili9806e_wvga_dsi_vdo");
	run(f);
	assert_non_null(item(&f->r, "kernel_no_lcm"));
	assert_string_equal(f->r.predicted_boot, "black_screen");
	names(&f->pkg->kernel_lcm, "nt35512_wvga_dsi_vdo_dj", NULL);
	run(f);
	assert_non_null(item(&f->r, "kernel_wrong_lcm"));
	assert_string_equal(f->r.predicted_boot, "black_screen");
}

static void test_bootimg(void **state)
{
	struct fixture *f = *state;
	f->pkg->boot_page_size = 4096;
	run(f);
	assert_non_null(item(&f->r, "bootimg_page_size"));
	assert_string_equal(f->r.predicted_boot, "boot_loop");
	f->pkg->boot_page_size = 2048;
	snprintf(f->pkg->boot_kernel_name, sizeof f->pkg->boot_kernel_name, "KERNEL2");
	run(f);
	assert_non_null(item(&f->r, "kernel_header"));
	/* a package that does not write BOOTIMG keeps the phone's own */
	part(f->pkg, "BOOTIMG")->download = false;
	run(f);
	assert_string_equal(f->r.predicted_boot, "boots");
}

static void test_lk_header(void **state)
{
	struct fixture *f = *state;
	f->pkg->lk_has_header = false;
	run(f);
	assert_non_null(item(&f->r, "lk_no_header"));
	assert_string_equal(f->r.predicted_boot, "stuck_brom");
	assert_int_equal(f->r.verdict, UNIFW_CHECK_WILL_NOT_BOOT);
}

static void test_modem(void **state)
{
	struct fixture *f = *state;
	f->pkg->md_mem_size = 24 * MIB;
	run(f);
	const struct unifw_check_item *it = item(&f->r, "no_radio");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_CAVEATS);
	assert_string_equal(f->r.predicted_boot, "boots_with_faults");
	assert_true(has_fault(&f->r, "no_radio"));
	assert_int_equal(unifw_check_exit_code(f->r.verdict), 3);
	/* with a kernel that reserves as much, it loads */
	f->pkg->md1_reserved = 24 * MIB;
	run(f);
	assert_null(item(&f->r, "no_radio"));
	/* bind_sys_id and a missing image */
	f->pkg->md_bind_sys_id = 2;
	run(f);
	assert_non_null(item(&f->r, "no_radio"));
	f->pkg->md_bind_sys_id = 1;
	f->pkg->have_modem = false;
	run(f);
	assert_non_null(item(&f->r, "no_radio"));
}

static void test_touch(void **state)
{
	struct fixture *f = *state;
	names(&f->pkg->kernel_touch, "ft6x06", "msg2133a");
	run(f);
	assert_non_null(item(&f->r, "no_touch"));
	assert_true(has_fault(&f->r, "no_touch"));
	names(&f->pkg->kernel_touch, "ft6x06", "gt9xx"); /* the table's names compare without case */
	run(f);
	assert_null(item(&f->r, "no_touch"));
}

/* A modem the phone's kernel accepts, built for another board (MD_CHECK_HEADER build_ver): no_signal; a rejected
 * one is no_radio only; unknown on either side or the phone's own system: nothing. */
static void test_modem_board(void **state)
{
	struct fixture *f = *state;
	run(f);
	assert_null(item(&f->r, "no_signal"));
	snprintf(f->pkg->md_build_ver, sizeof f->pkg->md_build_ver, "universal72_generic.MD.MT6572.W1410");
	run(f);
	const struct unifw_check_item *it = item(&f->r, "no_signal");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_CAVEATS);
	assert_string_equal(it->area, "modem");
	assert_string_equal(it->partition, "ANDROID");
	assert_string_equal(it->boot_effect, "boots_with_faults");
	assert_string_equal(f->r.predicted_boot, "boots_with_faults");
	assert_true(has_fault(&f->r, "no_signal"));
	assert_non_null(strstr(it->message, "no network"));
	assert_non_null(strstr(it->evidence, "build_ver 'universal72_generic.MD.MT6572.W1410'; the phone's own modem: "
					     "build_ver 'sim72_a516.MD.MT6572.W1410'"));
	assert_int_equal(unifw_check_exit_code(f->r.verdict), 3);
	/* the package's kernel alone: the phone's own modem stays */
	snprintf(f->o.only, sizeof f->o.only, "BOOTIMG");
	run(f);
	assert_null(item(&f->r, "no_signal"));
	f->o.only[0] = 0;
	/* a modem the kernel rejects never starts: no_radio, not no_signal */
	f->pkg->md_mem_size = 24 * MIB;
	run(f);
	assert_non_null(item(&f->r, "no_radio"));
	assert_null(item(&f->r, "no_signal"));
	assert_false(has_fault(&f->r, "no_signal"));
	f->pkg->md_mem_size = 22 * MIB;
	/* unknown on either side (no header, a fingerprint from before): no prediction */
	f->ph->md_build_ver[0] = 0;
	run(f);
	assert_null(item(&f->r, "no_signal"));
	snprintf(f->ph->md_build_ver, sizeof f->ph->md_build_ver, "sim72_a516.MD.MT6572.W1410");
	f->pkg->md_build_ver[0] = 0;
	run(f);
	assert_null(item(&f->r, "no_signal"));
}

/* The touch controller's firmware file: the phone's own system has GT9XX_fw.bin for its kernel's GT9XX driver;
 * a system without it (or with an empty one: not listed) under a kernel with GT9XX -> touch_uncalibrated. */
static void test_touch_firmware(void **state)
{
	struct fixture *f = *state;
	run(f);
	assert_null(item(&f->r, "touch_uncalibrated"));
	names(&f->pkg->touch_fw, "ft6x06", NULL);
	run(f);
	const struct unifw_check_item *it = item(&f->r, "touch_uncalibrated");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_CAVEATS);
	assert_string_equal(it->area, "touch");
	assert_string_equal(it->partition, "ANDROID");
	assert_string_equal(it->boot_effect, "boots_with_faults");
	assert_true(has_fault(&f->r, "touch_uncalibrated"));
	assert_non_null(strstr(it->evidence, "/system/etc/firmware/GT9XX_fw.bin: missing or empty in the package's system"));
	/* the package's kernel alone: the phone's system keeps its file */
	snprintf(f->o.only, sizeof f->o.only, "BOOTIMG");
	run(f);
	assert_null(item(&f->r, "touch_uncalibrated"));
	f->o.only[0] = 0;
	/* a kernel without the driver: no_touch says it, not touch_uncalibrated */
	names(&f->pkg->kernel_touch, "ft6x06", NULL);
	run(f);
	assert_non_null(item(&f->r, "no_touch"));
	assert_null(item(&f->r, "touch_uncalibrated"));
	/* the phone's kernel with the package's system: still missing */
	snprintf(f->o.only, sizeof f->o.only, "ANDROID");
	run(f);
	assert_non_null(item(&f->r, "touch_uncalibrated"));
	f->o.only[0] = 0;
	names(&f->pkg->kernel_touch, "GT9XX", NULL);
	/* unknown on either side, or a phone whose own system has no such file: nothing */
	f->pkg->have_touch_fw = false;
	run(f);
	assert_null(item(&f->r, "touch_uncalibrated"));
	f->pkg->have_touch_fw = true;
	names(&f->ph->touch_fw, "ft6x06", NULL);
	run(f);
	assert_null(item(&f->r, "touch_uncalibrated"));
}

/* The WLAN module of the system that mounts vs the kernel that runs, whichever side each comes from. */
static void kk_firmware(struct unifw_fingerprint *fp)
{
	snprintf(fp->kernel_version, sizeof fp->kernel_version, "3.4.67");
	snprintf(fp->wlan_module_vermagic, sizeof fp->wlan_module_vermagic, "3.4.67 SMP preempt mod_unload ARMv7 ");
}

static void test_wifi_module(void **state)
{
	struct fixture *f = *state;
	kk_firmware(f->pkg);
	run(f); /* kernel and system both the package's: they fit */
	assert_null(item(&f->r, "no_wifi"));
	assert_int_equal(f->r.verdict, UNIFW_CHECK_SAFE);
	/* the package's KK system under the phone's JB kernel (the port case without the phone's modules) */
	snprintf(f->o.only, sizeof f->o.only, "ANDROID");
	run(f);
	const struct unifw_check_item *it = item(&f->r, "no_wifi");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_CAVEATS);
	assert_string_equal(it->area, "wifi");
	assert_string_equal(it->partition, "ANDROID");
	assert_string_equal(it->boot_effect, "boots_with_faults");
	assert_string_equal(f->r.predicted_boot, "boots_with_faults");
	assert_true(has_fault(&f->r, "no_wifi"));
	assert_non_null(strstr(it->evidence, "wlan_mt.ko from the package: version magic '3.4.67 SMP"));
	assert_non_null(strstr(it->evidence, "kernel from the phone: 3.4.5"));
	assert_int_equal(unifw_check_exit_code(f->r.verdict), 3);
	/* the other way: the package's KK kernel over the phone's JB modules */
	snprintf(f->o.only, sizeof f->o.only, "BOOTIMG");
	run(f);
	it = item(&f->r, "no_wifi");
	assert_non_null(it);
	assert_non_null(strstr(it->evidence, "wlan_mt.ko from the phone: version magic '3.4.5 SMP"));
	assert_non_null(strstr(it->evidence, "kernel from the package: 3.4.67"));
	/* a module without a readable vermagic is refused as well */
	f->o.only[0] = 0;
	f->pkg->wlan_module_vermagic[0] = 0;
	run(f);
	assert_non_null(item(&f->r, "no_wifi"));
	/* no module at all: WiFi is lost when the phone's own system loads it as a module... */
	f->pkg->wlan_module_present = false;
	run(f);
	it = item(&f->r, "no_wifi");
	assert_non_null(it);
	assert_non_null(strstr(it->message, "no WLAN driver module"));
	/* ... not when neither side has one (a kernel with the driver built in), nor when it is unknown */
	f->ph->wlan_module_present = false;
	run(f);
	assert_null(item(&f->r, "no_wifi"));
	f->ph->wlan_module_present = true;
	f->pkg->have_wlan = false;
	run(f);
	assert_null(item(&f->r, "no_wifi"));
}

/* The camera sensor's driver: a caveat the simulated boot does not see (no boot effect). */
static void test_camera(void **state)
{
	struct fixture *f = *state;
	names(&f->ph->kernel_camera, "ov5645_mipi_yuv", "sp0a19yuv");
	names(&f->pkg->kernel_camera, "gc0329_yuv", "hi704yuv");
	run(f);
	const struct unifw_check_item *it = item(&f->r, "no_camera");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_CAVEATS);
	assert_string_equal(it->area, "kernel");
	assert_string_equal(it->boot_effect, "");
	assert_false(has_fault(&f->r, "no_camera"));
	assert_int_equal(f->r.verdict, UNIFW_CHECK_CAVEATS);
	assert_non_null(strstr(it->evidence, "ov5645_mipi_yuv, sp0a19yuv"));
	assert_non_null(strstr(it->evidence, "gc0329_yuv, hi704yuv"));
	/* one driver in common is enough: the phone's kernel list holds more than its own sensor */
	names(&f->pkg->kernel_camera, "gc0329_yuv", "sp0a19yuv");
	run(f);
	assert_null(item(&f->r, "no_camera"));
	/* an empty list is unknown, not "none": no finding */
	names(&f->pkg->kernel_camera, NULL, NULL);
	run(f);
	assert_null(item(&f->r, "no_camera"));
	names(&f->pkg->kernel_camera, "gc0329_yuv", NULL);
	names(&f->ph->kernel_camera, NULL, NULL);
	run(f);
	assert_null(item(&f->r, "no_camera"));
	/* the phone keeps its own kernel when BOOTIMG is not written */
	names(&f->ph->kernel_camera, "ov5645_mipi_yuv", NULL);
	run(f);
	assert_non_null(item(&f->r, "no_camera"));
	snprintf(f->o.only, sizeof f->o.only, "UBOOT,ANDROID");
	run(f);
	assert_null(item(&f->r, "no_camera"));
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	/* NVRAM erased on the phone, /data/nvram still there: the stock userdata.img replaces it */
	f->ph->binregion_valid = f->ph->binregion_imei = false;
	run(f);
	const struct unifw_check_item *it = item(&f->r, "imei_null");
	assert_non_null(it);
	assert_non_null(strstr(it->message, "plain flash would lose"));
	assert_true(has_fault(&f->r, "imei_null"));
	assert_true(has_fault(&f->r, "mac_random_each_boot"));
	assert_true(has_fault(&f->r, "default_bt_address"));
	/* not writing USRDATA keeps /data/nvram: fine */
	snprintf(f->o.only, sizeof f->o.only, "UBOOT,BOOTIMG,ANDROID");
	run(f);
	assert_null(item(&f->r, "imei_null"));
	assert_string_equal(f->r.predicted_boot, "boots");
	/* the phone already without any IMEI: the same fault, said to be the phone's state */
	f->ph->data_nvram = f->ph->data_imei = false;
	run(f);
	assert_non_null(strstr(item(&f->r, "imei_null")->message, "already the phone's state"));
}

static void test_logo(void **state)
{
	struct fixture *f = *state;
	f->pkg->logo_width = 540;
	f->pkg->logo_height = 960;
	run(f);
	const struct unifw_check_item *it = item(&f->r, "logo_resolution");
	assert_non_null(it);
	assert_int_equal(it->verdict, UNIFW_CHECK_CAVEATS);
	assert_string_equal(it->boot_effect, "");
	assert_string_equal(f->r.predicted_boot, "boots");
}

/* A package made for a 12 MiB boot region on a 6 MiB phone: everything lands 6 MiB further, the
 * phone's MBR stays at LBA 0 and its mmcblk0p2 now holds the package's something else. */
static void test_layout_bigger_boot_region(void **state)
{
	struct fixture *f = *state;
	layout(f->pkg, 12 * MIB);
	part(f->pkg, "NVRAM")->download = false;
	run(f);
	const struct unifw_check_item *it = item(&f->r, "layout_changed");
	assert_non_null(it);
	assert_true(it->flash_refuses);
	assert_int_equal(f->r.verdict, UNIFW_CHECK_BRICK_RISK);
	assert_non_null(item(&f->r, "system_invalid"));
	assert_string_equal(f->r.predicted_boot, "boot_loop");
	/* the same layout: no finding */
	layout(f->pkg, 6 * MIB);
	part(f->pkg, "NVRAM")->download = false;
	run(f);
	assert_null(item(&f->r, "layout_changed"));
}

static void test_layout_smaller_boot_region_refused(void **state)
{
	struct fixture *f = *state;
	layout(f->ph, 12 * MIB);
	run(f);
	const struct unifw_check_item *it = item(&f->r, "layout_boot_region");
	assert_non_null(it);
	assert_true(it->flash_refuses);
	assert_string_equal(f->r.predicted_boot, "boots"); /* nothing is written: the phone keeps its firmware */
}

static void test_index_map(void **state)
{
	struct fixture *f = *state;
	kmap(f->pkg, 3, 2, 4); /* /system on CACHE's entry */
	run(f);
	assert_non_null(item(&f->r, "system_invalid"));
	kmap(f->pkg, 2, 4, 3); /* /cache on USRDATA */
	run(f);
	assert_non_null(item(&f->r, "mount_wrong_fs"));
	kmap(f->pkg, 9, 3, 4);
	run(f);
	assert_non_null(item(&f->r, "ptable_no_partition"));
	kmap(f->pkg, 0, 3, 4);
	run(f);
	assert_non_null(item(&f->r, "no_system"));
	assert_string_equal(f->r.predicted_boot, "boot_loop");
}

/* --repartition writes the package's layout as its own (offsets from its own boot region), carrying NVRAM:
 * no layout finding, and the boot is judged on the new layout. */
static void test_repartition(void **state)
{
	struct fixture *f = *state;
	layout(f->pkg, 12 * MIB);
	part(f->pkg, "NVRAM")->download = false;
	f->o.repartition = true;
	run(f);
	assert_null(item(&f->r, "layout_changed"));
	assert_null(item(&f->r, "system_invalid"));
	assert_null(item(&f->r, "imei_null"));
	assert_string_equal(f->r.predicted_boot, "boots");
}

/* A blank phone (no partition table, boot region unknown): the package's layout is where the flash puts it. */
static void test_blank_phone(void **state)
{
	struct fixture *f = *state;
	f->ph->have_layout = false;
	f->ph->part_count = 0;
	f->ph->boot_region = 0;
	f->ph->have_identity = false;
	run(f);
	assert_null(item(&f->r, "ptable_no_partition"));
	assert_null(item(&f->r, "system_invalid"));
	assert_string_equal(f->r.predicted_boot, "boots");
}

/* Another phone's backup as the package (a donor): its identity partitions and user data are never written,
 * so this phone keeps its /data/nvram even with its BinRegion erased. */
static void test_donor_backup(void **state)
{
	struct fixture *f = *state;
	f->pkg->source = UNIFW_FP_BACKUP;
	part(f->pkg, "NVRAM")->download = true;
	part(f->pkg, "NVRAM")->image_bytes = 5 * MIB;
	f->ph->binregion_valid = f->ph->binregion_imei = false;
	run(f);
	assert_null(item(&f->r, "imei_null"));
	f->pkg->source = UNIFW_FP_PACKAGE; /* a package's userdata.img replaces /data/nvram */
	run(f);
	assert_non_null(item(&f->r, "imei_null"));
}

/* An image larger than its partition: the Download refuses the package (nothing written). */
static void test_image_too_big(void **state)
{
	struct fixture *f = *state;
	part(f->pkg, "ANDROID")->image_bytes = 1088 * MIB;
	run(f);
	const struct unifw_check_item *it = item(&f->r, "image_too_big");
	assert_non_null(it);
	assert_true(it->flash_refuses);
	assert_int_equal(f->r.verdict, UNIFW_CHECK_BRICK_RISK);
	assert_string_equal(f->r.predicted_boot, "boots"); /* the phone keeps its firmware */
}

/* Worst first; the prediction stops where the boot stops, later findings stay reported. */
static void test_order_and_halt(void **state)
{
	struct fixture *f = *state;
	static const uint8_t other[9] = { 0x90, 0x01, 0x4a, 'H', '4', 'G', '1', 'd', 4 };
	emi(&f->pkg->emi_compiled[0], other);
	f->o.with_preloader = true;
	names(&f->pkg->kernel_touch, "ft6x06", NULL);
	names(&f->pkg->lk_lcm, "nt35512_wvga_dsi_vdo_dj", NULL);
	run(f);
	assert_string_equal(f->r.predicted_boot, "brom_loop");
	assert_int_equal(f->r.predicted_fault_count, 0);
	for (size_t i = 1; i < f->r.item_count; i++)
		assert_true(f->r.items[i - 1].verdict >= f->r.items[i].verdict);
	const struct unifw_check_item *lk = item(&f->r, "lk_wrong_lcm");
	assert_non_null(lk);
	assert_string_equal(lk->boot_effect, ""); /* the phone never reaches LK */
	assert_int_equal(f->r.items[0].verdict, UNIFW_CHECK_BRICK_RISK);
	bool part_seen = false;
	for (size_t i = 0; i < f->r.part_count; i++)
		if (!strcmp(f->r.parts[i].name, "UBOOT")) {
			assert_int_equal(f->r.parts[i].verdict, UNIFW_CHECK_WILL_NOT_BOOT);
			part_seen = true;
		}
	assert_true(part_seen);
}

/* A universal package (src/ops/check_universal.c): judged as unifw flash writes it, by name into the phone's
 * own layout (the base's is another); the probe's binding predicted per component; the bound board overlay's
 * modem and touch overlay's firmware judged instead of the base's. */
static void universal_package(struct unifw_fingerprint *pkg)
{
	static const char *const keys[] = {"otm8018b_dsi_vdo", "GT9XX", "1501004e355530304d"};
	struct unifw_fp_universal *u = &pkg->universal;
	layout(pkg, 12 * MIB); /* the base's layout: another boot region */
	names(&pkg->lk_lcm, "hx8389b_kelai_dsi_vdo_qhd", NULL);
	pkg->logo_width = 480, pkg->logo_height = 800;
	snprintf(pkg->md_build_ver, sizeof pkg->md_build_ver, "universal72_generic.MD.MT6572.W1410");
	names(&pkg->touch_fw, NULL, NULL); /* the base has only the empty placeholder */
	u->present = true;
	u->variant_count = 1;
	snprintf(u->variant[0], sizeof u->variant[0], "phone-a");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		u->match[u->match_count].component = (uint8_t)c;
		snprintf(u->match[u->match_count++].key, sizeof u->match[0].key, "%s", keys[c]);
		snprintf(u->fallback[c], sizeof u->fallback[c], "the base's %s files stay", unifw_probe_component_name(c));
	}
	u->overlay_count = 1;
	snprintf(u->overlay[0].variant, sizeof u->overlay[0].variant, "phone-a");
	snprintf(u->overlay[0].modem_path, sizeof u->overlay[0].modem_path, "/system/etc/firmware/modem_1_wg_n.img");
	snprintf(u->overlay[0].modem_build_ver, sizeof u->overlay[0].modem_build_ver, "sim72_a516.MD.MT6572.W1410");
	u->overlay[0].modem_mem_size = 22 * MIB;
	snprintf(u->overlay[0].touch_fw[u->overlay[0].touch_fw_count++], sizeof u->overlay[0].touch_fw[0], "GT9XX");
}

static void test_universal(void **state)
{
	struct fixture *f = *state;
	universal_package(f->pkg);
	run(f);
	assert_true(f->r.universal);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		assert_string_equal(f->r.univ[c].variant, "phone-a");
	assert_string_equal(f->r.univ[UNIFW_PROBE_BOARD].key, "1501004e355530304d");
	assert_non_null(item(&f->r, "universal_bind"));
	/* by name into the phone's layout: no layout refusal, the phone's own LK and logo stay */
	assert_null(item(&f->r, "layout_changed"));
	assert_null(item(&f->r, "lk_wrong_lcm"));
	assert_null(item(&f->r, "lk_no_lcm"));
	assert_null(item(&f->r, "logo_resolution"));
	/* the bound overlays: the phone's own modem and touch firmware */
	assert_null(item(&f->r, "no_signal"));
	assert_null(item(&f->r, "touch_uncalibrated"));
	assert_string_equal(f->r.predicted_boot, "boots");
	/* another board (a CID the table lacks): the board falls back to the base's modem, built for another board */
	f->ph->cid[0] = 0x90;
	run(f);
	assert_string_equal(f->r.univ[UNIFW_PROBE_PANEL].variant, "phone-a");
	assert_string_equal(f->r.univ[UNIFW_PROBE_BOARD].variant, "");
	assert_string_equal(f->r.univ[UNIFW_PROBE_BOARD].fallback, "the base's board files stay");
	assert_non_null(item(&f->r, "universal_fallback"));
	assert_non_null(item(&f->r, "no_signal"));
	assert_true(has_fault(&f->r, "no_signal"));
	assert_false(has_fault(&f->r, "touch_uncalibrated"));
	struct unifw_jv *j = unifw_check_to_json(&f->r);
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "universal.components.0.variant")), "phone-a");
	assert_int_equal(unifw_jv_type(unifw_jv_path(j, "universal.components.2.variant")), UNIFW_JV_NULL);
	unifw_jv_free(j);
	/* a package that is not universal: no binding */
	f->pkg->universal.present = false;
	run(f);
	assert_false(f->r.universal);
	assert_null(item(&f->r, "universal_bind"));
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	f->pkg->md_mem_size = 24 * MIB;
	run(f);
	struct unifw_jv *j = unifw_check_to_json(&f->r);
	assert_string_equal(unifw_jv_str(unifw_jv_get(j, "verdict")), "caveats");
	assert_string_equal(unifw_jv_str(unifw_jv_get(j, "verdict_text")), "WORKS WITH CAVEATS");
	assert_string_equal(unifw_jv_str(unifw_jv_get(j, "predicted_boot")), "boots_with_faults");
	assert_string_equal(unifw_jv_str(unifw_jv_at(unifw_jv_get(j, "predicted_faults"), 0)), "no_radio");
	struct unifw_jv *it = unifw_jv_at(unifw_jv_get(j, "items"), 0);
	static const char *const keys[] = { "verdict", "code", "area", "partition", "message", "evidence",
					    "boot_effect", "flash_refuses" };
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		assert_non_null(unifw_jv_get(it, keys[i]));
	assert_true(unifw_jv_len(unifw_jv_get(j, "partitions")) > 0);
	assert_true(unifw_jv_len(unifw_jv_get(j, "compared")) > 0);
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "preloader_fit.result")), "fits");
	unifw_jv_free(j);
	assert_string_equal(unifw_check_verdict_text(UNIFW_CHECK_BRICK_RISK), "BRICK RISK");
	assert_string_equal(unifw_check_verdict_code(UNIFW_CHECK_WILL_NOT_BOOT), "will_not_boot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stock_is_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_platform, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preloader_emi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lk_single_wrong_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lk_no_match_keeps_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_panel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bootimg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lk_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_touch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wifi_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modem_board, setup, teardown),
		cmocka_unit_test_setup_teardown(test_touch_firmware, setup, teardown),
		cmocka_unit_test_setup_teardown(test_camera, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout_bigger_boot_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout_smaller_boot_region_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repartition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blank_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_donor_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_and_halt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_universal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
