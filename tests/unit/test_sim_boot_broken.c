/* unifw-sim boot evaluation of broken and ported flashes: a bad boot image gives a boot loop without
 * fastboot; an erased PMT boots from the compiled tables, an LK without its MTK header leaves it stuck in
 * download mode (9.2); a kernel mounts by its index map, not by offsets (9.5); no preloader is dead,
 * another model's preloader loops in BROM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_boot_fixture.h"

/* ------------------------------------------------------------------ broken flashes */
static void test_corrupt_boot_header_boot_loop(void **state)
{
	(void)state;
	struct fixture f;
	phone_open(&f, "y600-like");
	overwrite(&f, "BOOTIMG", 0, "ANDROIX!", 8);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "bootimg_invalid", NULL);
	phone_close(&f);
	phone_open(&f, "a516-like"); /* a kernel section without its KERNEL header */
	overwrite(&f, "BOOTIMG", 2048 + 8, "KERNEX", 6);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "kernel_header", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r); /* issue 9.6: LK's while(1) and its watchdog, never fastboot */
	assert_non_null(strstr(r.reasons[0].message, "while(1)"));
	assert_non_null(strstr(r.reasons[0].message, "without fastboot"));
	sim_boot_report_free(&r);
	phone_close(&f);
	phone_open(&f, "a516-like"); /* the MTK header's magic right, its name not ROOTFS */
	struct sim_flash_loc loc;
	uint8_t hdr[2048];
	assert_int_equal(sim_flash_locate(f.e, "BOOTIMG", &loc, NULL), 0);
	assert_int_equal(sim_emmc_read(f.e, loc.part, loc.offset, hdr, sizeof hdr, NULL), 0);
	uint32_t ksize = (uint32_t)hdr[8] | (uint32_t)hdr[9] << 8 | (uint32_t)hdr[10] << 16 | (uint32_t)hdr[11] << 24;
	uint64_t rd = 2048 + ((uint64_t)ksize + 2047) / 2048 * 2048;
	overwrite(&f, "BOOTIMG", rd + 8, "RECOVERY", 8);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "ramdisk_header", NULL);
	phone_close(&f);
	phone_open(&f, "y600-like"); /* page size 4096 in the header: LK reads at 2048 all the same */
	uint8_t page[4] = { 0x00, 0x10, 0x00, 0x00 };
	overwrite(&f, "BOOTIMG", 36, page, 4);
	struct sim_boot_report r2;
	evaluate(&f, &r2);
	assert_int_equal(r2.verdict, SIM_VERDICT_BOOT_LOOP);
	assert_true(has_code(r2.reasons, r2.reason_count, "bootimg_page_size") ||
		    has_code(r2.reasons, r2.reason_count, "bootimg_invalid"));
	assert_non_null(strstr(r2.reasons[0].message, "without fastboot"));
	sim_boot_report_free(&r2);
	phone_close(&f);
}

/* LK drives the panel and passes its name; the kernel has neither that name nor a driver whose compare_id
 * matches: no framebuffer (what the screen shows is unconfirmed; the sim says black_screen). */
static void test_kernel_no_lcm_name_no_compare_id_match_no_framebuffer(void **state)
{
	(void)state;
	struct fixture f;
	phone_open(&f, "wiko-like");
	/* a port: the phone's LK stays, the kernel carries other LCM drivers */
	static const char *const lcm[] = { "hx8379a_wvga_dsi_vdo", "ili9806e_wvga_dsi_vdo" };
	struct sim_driver_set d = { .lcm = lcm, .lcm_count = 2 };
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_bootimg(f.m->stock, &d, false, 1, &img, &len, NULL), 0);
	overwrite(&f, "BOOTIMG", 0, img, len);
	free(img);
	expect(&f, SIM_VERDICT_BLACK_SCREEN, "kernel_no_lcm", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_non_null(strstr(r.reasons[0].message, "unconfirmed"));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "lk.lcm_cmdline")), "lcm=1-nt35512_wvga_dsi_vdo_dj");
	assert_int_equal(unifw_jv_type(unifw_jv_path(r.facts, "kernel.lcm_chosen")), UNIFW_JV_NULL);
	sim_boot_report_free(&r);
	phone_close(&f);
}

static void test_system_and_tables(void **state)
{
	(void)state;
	struct fixture f;
	struct unifw_error err = { 0 };
	phone_open(&f, "s10-like");
	assert_int_equal(sim_flash_erase(f.e, "ANDROID", &err), 0);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "system_invalid", NULL);
	phone_close(&f);
	phone_open(&f, "s10-like"); /* the MBR gone: the kernel finds no mmcblk0pN */
	assert_int_equal(sim_flash_erase(f.e, "MBR", &err), 0);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "mbr_invalid", NULL);
	phone_close(&f);
}

/* Issue 9.2: the preloader loads UBOOT only behind an MTK header (magic 0x58881688); erased, or the LK
 * payload written without its header: stuck in download mode (an erased UBOOT used to be lk_invalid).
 * The header's name is not checked. */
/* A layout like the phone's with the partition before ANDROID grown (offsets differ, order kept), or with
 * one more MBR partition before ANDROID (indices shifted). */
static void layout_variant(const struct sim_firmware *stock, struct sim_part_def *parts, struct sim_firmware *fw,
			   bool shift_index)
{
	size_t n = 0;
	for (size_t i = 0; i < stock->part_count; i++) {
		parts[n] = stock->parts[i];
		if (parts[n].role == SIM_ROLE_SYSTEM && shift_index) /* an extra ext4 partition first */
			parts[n++] = (struct sim_part_def){ "CUSTPACK", 16u << 20, SIM_ROLE_CUSTPACK };
		if (parts[n].role == SIM_ROLE_SYSTEM && !shift_index && n > 0)
			parts[n - 1].size += 8u << 20;
		parts[n++] = stock->parts[i];
	}
	*fw = *stock;
	fw->parts = parts;
	fw->part_count = n;
}

/* Issue 9.5: the kernel mounts /emmc@NAME as mmcblk0p<its index of NAME>, mmcblk0pN comes from the
 * MBR/EBR on the flash and no offset is compared: a kernel from another layout with the same index map
 * boots (it used to be a ptable_mismatch boot loop); one whose map points /system at another index
 * mounts the wrong partition. */
static void test_kernel_from_another_layout_same_index_map_boots(void **state)
{
	(void)state;
	struct fixture f;
	struct sim_part_def parts[SIM_MAX_PARTS];
	struct sim_firmware fw;
	phone_open(&f, "a516-like");
	layout_variant(f.m->stock, parts, &fw, false);
	struct sim_fw_part a[SIM_MAX_PARTS], b[SIM_MAX_PARTS];
	size_t na = sim_firmware_layout(f.m->stock, a), nb = sim_firmware_layout(&fw, b);
	const struct sim_fw_part *sa = sim_layout_find(a, na, SIM_ROLE_SYSTEM), *sb = sim_layout_find(b, nb, SIM_ROLE_SYSTEM);
	assert_true(sa && sb && sa->linear != sb->linear); /* ANDROID elsewhere in the kernel's table */
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_bootimg(&fw, NULL, false, 1, &img, &len, NULL), 0);
	overwrite(&f, "BOOTIMG", 0, img, len);
	free(img);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	layout_variant(f.m->stock, parts, &fw, true); /* ANDROID one index later: mmcblk0pN+1 is CACHE */
	assert_int_equal(sim_build_bootimg(&fw, NULL, false, 1, &img, &len, NULL), 0);
	overwrite(&f, "BOOTIMG", 0, img, len);
	free(img);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "system_invalid", NULL);
	phone_close(&f);
}

static void test_uboot_erased_or_headerless_stuck_brom(void **state)
{
	(void)state;
	struct fixture f;
	struct unifw_error err = { 0 };
	phone_open(&f, "a516-like");
	assert_int_equal(sim_flash_erase(f.e, "UBOOT", &err), 0);
	expect(&f, SIM_VERDICT_STUCK_BROM, "lk_no_header", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(sim_verdict_exit_code(r.verdict), 7);
	sim_boot_report_free(&r);
	uint8_t *lk = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_lk(f.m->stock, NULL, 1, &lk, &len, &err), 0);
	overwrite(&f, "UBOOT", 0, lk + 512, len - 512); /* the payload alone */
	expect(&f, SIM_VERDICT_STUCK_BROM, "lk_no_header", NULL);
	memcpy(lk + 8, "UBOOT\0", 6); /* the header back, named UBOOT: part_load does not look at the name */
	overwrite(&f, "UBOOT", 0, lk, len);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	/* a right header over something that is not LK: loaded and jumped into after the safe mode was
	 * disarmed, so no download mode: the watchdog resets it over and over */
	memset(lk + 512, 0, len - 512);
	overwrite(&f, "UBOOT", 0, lk, len);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "lk_invalid", NULL);
	free(lk);
	phone_close(&f);
}

/* Issue 9.2: an erased PMT (primary and mirror) does not stop the boot: the preloader, LK and the kernel
 * fall back to their compiled tables (get_part_tab_from_complier), which the factory builds into each
 * image; it used to be stuck_brom. Without the preloader's table the preloader finds no LK. */
static void test_pmt_erased_boots_from_compiled_tables(void **state)
{
	(void)state;
	struct fixture f;
	struct unifw_error err = { 0 };
	static const char *const models[] = { "a516-like", "s10-like" };
	for (size_t i = 0; i < 2; i++) {
		phone_open(&f, models[i]);
		assert_int_equal(sim_flash_erase(f.e, "PMT", &err), 0);
		struct sim_flash_loc loc;
		assert_int_not_equal(sim_flash_locate(f.e, "UBOOT", &loc, NULL), 0); /* no PMT left */
		struct sim_boot_report r;
		evaluate(&f, &r);
		if (r.verdict != SIM_VERDICT_BOOTS)
			sim_boot_report_text(&r, stderr);
		assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
		assert_true(has_code(r.notes, r.note_count, "pmt_fallback"));
		assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "nvram.imei_record"))); /* NVRAM found too */
		sim_boot_report_free(&r);
		phone_close(&f);
	}
	phone_open(&f, "a516-like"); /* a preloader without the table: nothing tells it where UBOOT is */
	size_t len = 0x40000;
	uint8_t *b = malloc(len);
	assert_int_equal(sim_emmc_read(f.e, SIM_PART_BOOT1, 0, b, len, &err), 0);
	size_t at = 0;
	for (; at + 8 < len && memcmp(b + at, "unifw-sim partition table v1", 28); at++)
		;
	assert_true(at + 8 < len);
	b[at] = 'X';
	assert_int_equal(sim_emmc_write(f.e, SIM_PART_BOOT1, 0, b, len, &err), 0);
	free(b);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL); /* the PMT is still there */
	assert_int_equal(sim_flash_erase(f.e, "PMT", &err), 0);
	expect(&f, SIM_VERDICT_STUCK_BROM, "no_partition_table", NULL);
	phone_close(&f);
}

static void test_no_preloader_dead(void **state)
{
	(void)state;
	struct fixture f;
	struct unifw_error err = { 0 };
	phone_open(&f, "wiko-like");
	assert_int_equal(sim_flash_erase(f.e, "PRELOADER", &err), 0);
	expect(&f, SIM_VERDICT_DEAD, "no_preloader", NULL);
	/* the GFH image written raw (without EMMC_BOOT): BROM does not find it either */
	uint8_t *pl = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_preloader(f.m->stock, 1, &pl, &len, &err), 0);
	assert_int_equal(sim_emmc_write(f.e, SIM_PART_BOOT1, 0, pl, len, &err), 0);
	free(pl);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_DEAD);
	assert_non_null(strstr(r.reasons[0].message, "written raw"));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* Another model's stock preloader: no emi_settings[] entry for this memory part, BROM download mode at
 * every power-on (issue 9.1; it used to be called dead). */
static void test_other_models_preloader_brom_loops(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "wiko-like");
	const struct sim_model *y = sim_model_find("y600-like");
	package(&f, y->stock, y, "y600", dir, sizeof dir);
	struct sim_flash_opts o = { .with_preloader = true, .only = (const char *const[]){ "PRELOADER" }, .only_count = 1 };
	flash(&f, dir, &o);
	expect(&f, SIM_VERDICT_BROM_LOOP, "emi_no_match", NULL);
	phone_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corrupt_boot_header_boot_loop),
		cmocka_unit_test(test_kernel_no_lcm_name_no_compare_id_match_no_framebuffer),
		cmocka_unit_test(test_system_and_tables),
		cmocka_unit_test(test_kernel_from_another_layout_same_index_map_boots),
		cmocka_unit_test(test_uboot_erased_or_headerless_stuck_brom),
		cmocka_unit_test(test_pmt_erased_boots_from_compiled_tables),
		cmocka_unit_test(test_no_preloader_dead),
		cmocka_unit_test(test_other_models_preloader_brom_loops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
