/* unifw-sim eMMC images from the models and the boot evaluation: every model's factory image boots;
 * the universal package flashed as-is gives the verdict its hardware dictates (white screen where no
 * compare_id of its LK matches the panel, no touch where its kernel lacks the touch driver), with its
 * preloader the phone keeps coming back in BROM download mode (brom_loop: no emi_settings[] entry for its
 * memory, issue 9.1); LK and kernel pick LCM drivers as MediaTek's source does (one driver
 * unconditionally, else compare_id in order, LK's last driver on no match; the kernel's only driver,
 * the lcm= name, compare_id, else no framebuffer); Format All + Download gives IMEI null; a blank WiFi
 * MAC is made up at every boot, a stored 00:08:22 one is a template, MediaTek's default BT address is
 * reported; a modem the kernel's CCCI loader refuses gives no radio; a bad boot image a boot loop without
 * fastboot; an erased PMT boots from the compiled tables, an LK without its MTK header leaves it stuck in
 * download mode (9.2); a kernel mounts by its index map, not by offsets (9.5); the image keeps its model
 * across reopening. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "boot_eval.h"
#include "boot_modem.h"
#include "boot_panel.h"
#include "emmc.h"
#include "factory.h"
#include "flash.h"
#include "model.h"
#include "unifw/nvram.h"
#include "unifw/pmt.h"
#include "unifw/preloader.h"

struct fixture {
	char *dir;
	char img[1024];
	struct sim_emmc *e;
	const struct sim_model *m;
};

static void phone_open(struct fixture *f, const char *model)
{
	memset(f, 0, sizeof *f);
	f->dir = test_mkdtemp();
	f->m = sim_model_find(model);
	assert_non_null(f->m);
	snprintf(f->img, sizeof f->img, "%s/%s.img", f->dir, model);
	struct unifw_error err = { 0 };
	if (sim_emmc_create_from_model(f->img, f->m, 1, &f->e, &err) != 0)
		fail_msg("image of %s: %s", model, err.msg);
}

static void phone_close(struct fixture *f)
{
	sim_emmc_close(f->e);
	test_rmtree(f->dir);
	free(f->dir);
}

/* A package built into the fixture's directory (name: a sub-folder). */
static void package(struct fixture *f, const struct sim_firmware *fw, const struct sim_model *m, const char *name,
		    char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
	struct unifw_error err = { 0 };
	if (sim_factory_make(fw, m, out, NULL, &err) != 0)
		fail_msg("package %s: %s", name, err.msg);
}

static void flash(struct fixture *f, const char *dir, const struct sim_flash_opts *o)
{
	struct unifw_error err = { 0 };
	if (sim_flash_package(f->e, dir, o, &err) != 0)
		fail_msg("flash %s: %s", dir, err.msg);
}

static void evaluate(struct fixture *f, struct sim_boot_report *r)
{
	struct unifw_error err = { 0 };
	if (sim_boot_evaluate(f->e, NULL, r, &err) != 0)
		fail_msg("evaluate: %s", err.msg);
}

static bool has_code(const struct sim_boot_item *items, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(items[i].code, code))
			return true;
	return false;
}

static void expect(struct fixture *f, enum sim_verdict v, const char *reason_code, const char *fault_code)
{
	struct sim_boot_report r;
	evaluate(f, &r);
	if (r.verdict != v || (reason_code && !has_code(r.reasons, r.reason_count, reason_code)) ||
	    (fault_code && !has_code(r.faults, r.fault_count, fault_code))) {
		sim_boot_report_text(&r, stderr);
		fail_msg("%s: expected %s (%s/%s), got %s", f->m->name, sim_verdict_name(v), reason_code ? reason_code : "-",
			 fault_code ? fault_code : "-", sim_verdict_name(r.verdict));
	}
	sim_boot_report_free(&r);
}

/* ------------------------------------------------------------------ stock */

static void test_every_model_boots(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_model_count(); i++) {
		struct fixture f;
		phone_open(&f, sim_model_at(i)->name);
		struct sim_boot_report r;
		evaluate(&f, &r);
		if (r.verdict != SIM_VERDICT_BOOTS || r.fault_count || r.reason_count) {
			sim_boot_report_text(&r, stderr);
			fail_msg("%s does not boot cleanly from its factory image", f.m->name);
		}
		assert_ptr_equal(r.model, f.m);
		assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "preloader.project")), f.m->stock->project);
		assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "lk.project")), f.m->stock->project);
		assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "kernel.version")),
				    sim_kernel_release(f.m->stock->android));
		assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "android.product_model")), f.m->stock->product_model);
		assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.source")), "data");
		assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "nvram.imei_record")));
		assert_int_equal(sim_verdict_exit_code(r.verdict), 0);
		sim_boot_report_free(&r);
		phone_close(&f);
	}
}

/* The image keeps its model (footer), CID and data when reopened; the sparse file stays small. */
static void test_image_keeps_its_model(void **state)
{
	(void)state;
	struct fixture f;
	phone_open(&f, "wiko-like");
	struct sim_emmc_geometry want;
	sim_model_geometry(f.m, &want);
	sim_emmc_close(f.e);
	struct unifw_error err = { 0 };
	assert_int_equal(sim_emmc_open(f.img, &f.e, &err), 0);
	const struct sim_emmc_geometry *g = sim_emmc_geometry(f.e);
	assert_string_equal(g->model, "wiko-like");
	assert_memory_equal(g->cid, want.cid, 16);
	assert_int_equal(sim_emmc_boot_region(f.e), 0xC00000);
	struct sim_flash_loc loc;
	assert_int_equal(sim_flash_locate(f.e, "UBOOT", &loc, &err), 0);
	assert_int_equal(loc.offset, 0x2920000 - 0xC00000); /* linear - boot region */
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	phone_close(&f);
}

/* The footer's model block: kept through encode/decode, absent in older images, refused when damaged. */
static void test_footer_model_block(void **state)
{
	(void)state;
	struct sim_emmc_geometry g, back;
	uint8_t f[SIM_EMMC_FOOTER_LEN];
	struct unifw_error err = { 0 };
	sim_model_geometry(sim_model_find("s10-like"), &g);
	sim_emmc_footer_encode(&g, f);
	assert_memory_equal(f + 0x80, "MODL", 4);
	assert_int_equal(sim_emmc_footer_decode(f, sizeof f, &back, "img", 0x1000, &err), 0);
	assert_string_equal(back.model, "s10-like");
	f[0x85] ^= 0x20; /* a changed name no longer matches its CRC */
	assert_int_equal(sim_emmc_footer_decode(f, sizeof f, &back, "img", 0x1000, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0x1000 + 0xA4);
	g.model[0] = 0; /* an image made without --model: zeros there, as in images from before the block */
	sim_emmc_footer_encode(&g, f);
	for (size_t i = 0x80; i < 0xA8; i++)
		assert_int_equal(f[i], 0);
	assert_int_equal(sim_emmc_footer_decode(f, sizeof f, &back, "img", 0, &err), 0);
	assert_string_equal(back.model, "");
}

/* ------------------------------------------------------------------ the universal package */

/* wiko-like's NT35512 answers none of the universal LK's compare_id: LK keeps its LAST driver and passes
 * lcm=0-NAME; the panel is never initialised (issue 9.3). */
static void test_universal_on_wiko_no_compare_id_match_keeps_last_driver(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "wiko-like"); /* same boot region as the universal ROM, panel nt35512 not in it */
	package(&f, sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	flash(&f, dir, NULL);
	expect(&f, SIM_VERDICT_WHITE_SCREEN, "lk_no_lcm", "no_touch");
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "lk.lcm_rule")), "last_driver");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "lk.lcm_cmdline")), "lcm=0-otm8018b_dsi_vdo_dijing");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* y600-like's OTM8018B module is matched by the universal LK's otm8018b_dsi_vdo_dijing, whose compare_id
 * accepts any OTM8018B: the panel works, the touch controller has no driver. */
static void test_universal_on_y600_otm8018b_probe_matches_no_touch(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "y600-like"); /* its panel driver is in the universal ROM, GT9XX_hotknot is not */
	package(&f, sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	flash(&f, dir, NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS_WITH_FAULTS);
	assert_int_equal(r.reason_count, 0);
	assert_int_equal(r.fault_count, 1);
	assert_string_equal(r.faults[0].code, "no_touch");
	/* the phone's identity survived the flash: /data/nvram was replaced, the BinRegion restores it */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.source")), "binregion");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "lk.project")), "universal72_generic");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* Issue 8.1: the preloader runs its compiled emi_settings[], not the MTK_BLOADER_INFO tag flash tools read.
 * A preloader whose tag lists the phone's part but whose compiled table lists another phone's parts finds
 * no entry (the evaluation used to read the tag and say "boots"). Issue 9.1: that is not a test-point
 * brick: the preloader armed BROM download mode before the DRAM step, so the phone keeps coming back
 * in BROM mode (brom_loop), where a fitting preloader recovers it. */
static void test_preloader_without_the_part_in_its_compiled_table_brom_loops(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "a516-like");
	struct sim_firmware fw = *f.m->stock;
	const struct sim_model *other = sim_model_find("wiko-like");
	assert_non_null(other);
	fw.emi_compiled = other->stock->emi;
	fw.emi_compiled_count = other->stock->emi_count;
	package(&f, &fw, f.m, "tampered", dir, sizeof dir);
	struct sim_flash_opts o = { .with_preloader = true };
	flash(&f, dir, &o);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BROM_LOOP);
	assert_int_equal(r.reason_count, 1);
	assert_string_equal(r.reasons[0].code, "emi_no_match");
	assert_non_null(strstr(r.reasons[0].message, "compiled emi_settings[]"));
	assert_non_null(strstr(r.reasons[0].message, "MTK_BLOADER_INFO tag does list it"));
	/* the preloader's own log lines (mt_emi.c mt_set_emi) and where the phone ends up */
	assert_non_null(strstr(r.reasons[0].message, "\"[EMI] FLASH ID=15,1,0,4e,35,55,30,30,4d\""));
	assert_non_null(strstr(r.reasons[0].message, "\"[EMI] EMI Set Fail 0xffffffff\""));
	assert_non_null(strstr(r.reasons[0].message, "BROM download mode (0e8d:0003) at every power-on"));
	assert_null(strstr(r.reasons[0].message, "needs test point"));
	bool loops = false;
	assert_int_equal(sim_boot_brom_loops(f.e, NULL, &loops, NULL), 0);
	assert_true(loops);
	/* the tag still lists the phone's part: a tag-only check would have passed it */
	struct unifw_jv *tag = unifw_jv_path(r.facts, "preloader.emi_parts");
	assert_non_null(tag);
	assert_int_equal(unifw_jv_len(tag), f.m->stock->emi_count);
	assert_int_equal(unifw_jv_len(unifw_jv_path(r.facts, "preloader.emi_settings_parts")), other->stock->emi_count);
	sim_boot_report_free(&r);

	/* the same firmware with one list (as a build makes it) boots */
	package(&f, f.m->stock, f.m, "stock", dir, sizeof dir);
	flash(&f, dir, &o);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	assert_int_equal(sim_boot_brom_loops(f.e, NULL, &loops, NULL), 0);
	assert_false(loops);
	phone_close(&f);
}

/* The appended tag is for flash tools: a preloader without it still runs its compiled table and boots;
 * without the compiled table (its num_of_emi_records zeroed) mt_get_mdl_number finds no entry, the same
 * path as a table without the part: BROM download mode at every power-on (issue 9.1), not a brick. */
static void test_preloader_without_compiled_table_brom_loops_tag_not_needed(void **state)
{
	(void)state;
	struct fixture f;
	struct unifw_error err = { 0 };
	phone_open(&f, "a516-like");
	size_t len = 0x40000;
	uint8_t *b = malloc(len);
	assert_int_equal(sim_emmc_read(f.e, SIM_PART_BOOT1, 0, b, len, &err), 0);
	struct unifw_preloader pl;
	struct unifw_emi_compiled c;
	assert_int_equal(unifw_preloader_parse(b, len, "boot1", &pl, &err), 0);
	assert_true(pl.has_emi);
	assert_int_equal(unifw_preloader_emi_compiled(b, len, &pl, &c, &err), 0);
	memset(b + pl.emi.tag_offset, 0, 18); /* "MTK_BLOADER_INFO_v" gone */
	assert_int_equal(sim_emmc_write(f.e, SIM_PART_BOOT1, 0, b, len, &err), 0);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	memset(b + c.offset, 0, 4); /* num_of_emi_records = 0: no compiled table */
	assert_int_equal(sim_emmc_write(f.e, SIM_PART_BOOT1, 0, b, len, &err), 0);
	expect(&f, SIM_VERDICT_BROM_LOOP, "no_emi_table", NULL);
	free(b);
	phone_close(&f);
}

/* Issue 9.1: the universal preloader lists no part of this phone: BROM download mode at every power-on
 * (exit 9), nothing after the DRAM step runs; it used to be called a dead phone. */
static void test_universal_preloader_brom_loops_not_dead(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "y600-like");
	package(&f, sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	struct sim_flash_opts o = { .with_preloader = true };
	flash(&f, dir, &o);
	expect(&f, SIM_VERDICT_BROM_LOOP, "emi_no_match", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(sim_verdict_exit_code(r.verdict), 9);
	assert_int_equal(r.reason_count, 1); /* nothing after the DRAM step runs */
	assert_null(unifw_jv_path(r.facts, "lk"));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* A package for a 12 MiB boot region on a 6 MiB phone lands 6 MiB off, its MBR too: the kernel mounts
 * mmcblk0pN of the old MBR/EBR left at the start of the user area (issue 9.5: by index, no offsets
 * compared), where the shifted images left no system: boot loop. On a 20 MiB phone it is refused. */
static void test_universal_on_a_smaller_boot_region_mounts_the_old_mbr_boot_loop(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "a516-like");
	package(&f, sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	flash(&f, dir, NULL);
	expect(&f, SIM_VERDICT_BOOT_LOOP, "system_invalid", NULL);
	phone_close(&f);
	phone_open(&f, "s10-like");
	package(&f, sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	struct unifw_error err = { 0 };
	struct sim_flash_opts o = { .with_preloader = true };
	assert_int_equal(sim_flash_package(f.e, dir, &o, &err), UNIFW_E_INVALID);
	assert_non_null(strstr(err.msg, "boot region"));
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL); /* nothing, not even the preloader, was written */
	phone_close(&f);
}

/* ------------------------------------------------------------------ NVRAM */

static void test_format_all_download_imei_null(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	struct unifw_error err = { 0 };
	phone_open(&f, "a516-like");
	/* the NVRAM partition wiped: the IMEI survives in /data/nvram only (a note, not yet a fault) */
	assert_int_equal(sim_flash_erase(f.e, "NVRAM", &err), 0);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_true(has_code(r.notes, r.note_count, "binregion_without_imei"));
	sim_boot_report_free(&r);
	/* ... then Download writes the stock userdata.img (no /data/nvram): IMEI null, and with no WiFi file
	 * anywhere the WLAN driver makes up a new 00:08:22 MAC at every boot */
	package(&f, f.m->stock, f.m, "stock", dir, sizeof dir);
	flash(&f, dir, NULL);
	expect(&f, SIM_VERDICT_BOOTS_WITH_FAULTS, NULL, "imei_null");
	expect(&f, SIM_VERDICT_BOOTS_WITH_FAULTS, NULL, "mac_random_each_boot");
	phone_close(&f);
}

/* The phone's BinRegion NVRAM with one file's address bytes replaced (checksums kept), then a stock
 * Download: /data/nvram is replaced by the stock userdata.img, so the phone restores from it. */
static void patch_binregion_then_download(struct fixture *f, const char *file, uint32_t at, const uint8_t a[6])
{
	char dir[1200];
	struct unifw_error err = { 0 };
	struct sim_flash_loc loc;
	assert_int_equal(sim_flash_locate(f->e, "NVRAM", &loc, &err), 0);
	uint8_t *nv = malloc(loc.size);
	assert_int_equal(sim_emmc_read(f->e, loc.part, loc.offset, nv, loc.size, &err), 0);
	assert_int_equal(unifw_nvram_patch_file(nv, loc.size, file, at, a, 6, &err), 0);
	assert_int_equal(sim_emmc_write(f->e, loc.part, loc.offset, nv, loc.size, &err), 0);
	free(nv);
	package(f, f->m->stock, f->m, "stock", dir, sizeof dir);
	flash(f, dir, NULL);
}

/* A blank WiFi MAC is not "the default MAC": the WLAN driver makes one up from its boot tick, a new
 * one at every boot (issue 9.7). */
static void test_blank_wifi_mac_changes_every_boot(void **state)
{
	(void)state;
	struct fixture f;
	phone_open(&f, "s10-like");
	static const uint8_t blank[6];
	patch_binregion_then_download(&f, UNIFW_NVRAM_WIFI, UNIFW_NVRAM_WIFI_MAC_OFFSET, blank);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS_WITH_FAULTS);
	assert_int_equal(r.fault_count, 1);
	assert_string_equal(r.faults[0].code, "mac_random_each_boot");
	assert_non_null(strstr(r.faults[0].message, "after every boot"));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.wifi_mac_state")), "blank");
	assert_null(unifw_jv_path(r.facts, "nvram.wifi_mac"));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "nvram.imei_record")));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* A stored 00:08:22 MAC is fixed but borrowed: its own code, with the address; MediaTek's MT6572 default
 * Bluetooth address (stBtDefault_6572) is reported as the default it is. */
static void test_stored_template_mac_and_default_bt_address(void **state)
{
	(void)state;
	struct fixture f;
	static const uint8_t template_mac[6] = { 0x00, 0x08, 0x22, 0x5C, 0x10, 0xE3 },
			     bt6572[6] = { 0x00, 0x00, 0x46, 0x65, 0x72, 0x01 };
	phone_open(&f, "a516-like");
	patch_binregion_then_download(&f, UNIFW_NVRAM_WIFI, UNIFW_NVRAM_WIFI_MAC_OFFSET, template_mac);
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS_WITH_FAULTS);
	assert_int_equal(r.fault_count, 1);
	assert_string_equal(r.faults[0].code, "mac_template");
	assert_non_null(strstr(r.faults[0].message, "00:08:22:5c:10:e3"));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.wifi_mac_state")), "default");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.wifi_mac")), "00:08:22:5c:10:e3");
	sim_boot_report_free(&r);
	phone_close(&f);

	phone_open(&f, "y600-like");
	patch_binregion_then_download(&f, UNIFW_NVRAM_BT_ADDR, 0, bt6572);
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS_WITH_FAULTS);
	assert_int_equal(r.fault_count, 1);
	assert_string_equal(r.faults[0].code, "default_bt_address");
	assert_non_null(strstr(r.faults[0].message, "MT6572"));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.bt_address_state")), "default");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.bt_address")), "00:00:46:65:72:01");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* ------------------------------------------------------------------ modem (issue 9.8) */

/* The universal system.img alone on a stock phone: its modem asks for 24 MiB, the stock kernel reserves
 * MT6572's 22 MiB: check_md_header refuses it and Android runs without radio, the IMEI untouched. */
static void test_foreign_modem_mem_size_no_radio_imei_kept(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "y600-like");
	package(&f, sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	static const char *const only[] = { "ANDROID" };
	struct sim_flash_opts o = { .only = only, .only_count = 1 };
	flash(&f, dir, &o);
	struct sim_boot_report r;
	evaluate(&f, &r);
	if (r.verdict != SIM_VERDICT_BOOTS_WITH_FAULTS || r.fault_count != 1 || strcmp(r.faults[0].code, "no_radio")) {
		sim_boot_report_text(&r, stderr);
		fail_msg("expected boots_with_faults with no_radio only");
	}
	assert_non_null(strstr(r.faults[0].message, "MD mem size mis-match"));
	assert_non_null(strstr(r.faults[0].message, "not an IMEI loss"));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "nvram.imei_record")));
	assert_false(unifw_jv_truthy(unifw_jv_path(r.facts, "modem.loaded")));
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r.facts, "modem.mem_size")), 24u << 20);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r.facts, "modem.kernel_reserved")), SIM_MD1_MEM_SIZE);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "modem.image")), "/system/etc/firmware/modem_1_wg_n.img");
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "modem.mddb")));
	sim_boot_report_free(&r);
	/* its own kernel with it (the whole universal ROM) reserves 24 MiB: the modem loads */
	flash(&f, dir, NULL);
	evaluate(&f, &r);
	assert_false(has_code(r.faults, r.fault_count, "no_radio"));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "modem.loaded")));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* check_md_header as MT6572 compiles it: bind_sys_id, memory size and image size reject; a missing header
 * or another header version is only logged (the source returns 0), a smaller request only warned. */
static void test_modem_header_rules(void **state)
{
	(void)state;
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_modem("wg", SIM_MD1_MEM_SIZE, 7, &img, &len, NULL), 0);
	assert_int_equal(len, SIM_MD_BODY_SIZE + SIM_MD_HEADER_SIZE);
	struct sim_md_header h, base;
	assert_true(sim_md_header_read(img, len, &base));
	assert_int_equal(base.verno, 2);
	assert_int_equal(base.bind_sys_id, 1);
	assert_int_equal(base.md_img_size, SIM_MD_BODY_SIZE);
	struct sim_modem_check c;
	sim_modem_judge_header(true, &base, len, SIM_MD1_MEM_SIZE, &c);
	assert_false(c.rejected);
	assert_string_equal(c.warning, "");

	h = base;
	h.bind_sys_id = 2; /* a modem for MD SYS2 */
	sim_md_header_write(img, len, &h);
	assert_true(sim_md_header_read(img, len, &h));
	sim_modem_judge_header(true, &h, len, SIM_MD1_MEM_SIZE, &c);
	assert_true(c.rejected);
	assert_non_null(strstr(c.why, "not for MD SYS1"));

	h = base;
	h.mem_size = SIM_MD1_MEM_SIZE + 0x100000;
	sim_modem_judge_header(true, &h, len, SIM_MD1_MEM_SIZE, &c);
	assert_true(c.rejected);
	assert_non_null(strstr(c.why, "mem size"));

	h = base;
	h.md_img_size = (uint32_t)len + 1; /* a cut image */
	sim_modem_judge_header(true, &h, len, SIM_MD1_MEM_SIZE, &c);
	assert_true(c.rejected);
	assert_non_null(strstr(c.why, "image size"));

	h = base;
	h.mem_size = 16u << 20;
	sim_modem_judge_header(true, &h, len, SIM_MD1_MEM_SIZE, &c);
	assert_false(c.rejected);
	assert_non_null(strstr(c.warning, "isn't sync"));

	h = base;
	h.verno = 1;
	h.bind_sys_id = 2; /* never looked at behind another header version */
	sim_modem_judge_header(true, &h, len, SIM_MD1_MEM_SIZE, &c);
	assert_false(c.rejected);
	assert_non_null(strstr(c.warning, "version 1"));

	memset(img + len - SIM_MD_HEADER_SIZE, 0, 12); /* no CHECK_HEADER magic */
	assert_false(sim_md_header_read(img, len, &h));
	sim_modem_judge_header(false, &h, len, SIM_MD1_MEM_SIZE, &c);
	assert_false(c.rejected);
	assert_non_null(strstr(c.warning, "not exist"));
	free(img);
}

/* ------------------------------------------------------------------ broken flashes */

static void overwrite(struct fixture *f, const char *part, uint64_t off, const void *b, size_t n)
{
	struct sim_flash_loc loc;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_flash_locate(f->e, part, &loc, &err), 0);
	assert_int_equal(sim_emmc_write(f->e, loc.part, loc.offset + off, b, n, &err), 0);
}

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

/* ------------------------------------------------------------------ panel choice (issue 9.3, 9.4) */

static void port_lk(struct fixture *f, const struct sim_firmware *fw, const char *const *lcm, size_t n)
{
	struct sim_driver_set d = { .lcm = lcm, .lcm_count = n };
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_lk(fw, lcm ? &d : NULL, 1, &img, &len, NULL), 0);
	overwrite(f, "UBOOT", 0, img, len);
	free(img);
}

static void port_kernel(struct fixture *f, const struct sim_firmware *fw, const char *const *lcm, size_t n)
{
	struct sim_driver_set d = { .lcm = lcm, .lcm_count = n };
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_bootimg(fw, lcm ? &d : NULL, false, 1, &img, &len, NULL), 0);
	overwrite(f, "BOOTIMG", 0, img, len);
	free(img);
}

static void expect_fact(const struct sim_boot_report *r, const char *path, const char *want)
{
	const char *got = unifw_jv_str(unifw_jv_path(r->facts, path));
	if (!got || strcmp(got, want)) {
		sim_boot_report_text(r, stderr);
		fail_msg("%s: expected %s, got %s", path, want, got ? got : "(none)");
	}
}

/* The universal ROM's LK and kernel (hx8379a ID, ili9806e ID, otm8018b_dijing any-OTM8018B, in that order)
 * on every model: the outcome follows from each panel's controller, not from driver names. */
static void test_universal_lk_and_kernel_panel_outcome_on_each_model(void **state)
{
	(void)state;
	static const struct {
		const char *model, *lk_rule, *cmdline, *lk_reason;
	} want[] = {
		{ "a516-like", "compare_id", "lcm=1-otm8018b_dsi_vdo_dijing", NULL },  /* another OTM8018B module */
		{ "wiko-like", "last_driver", "lcm=0-otm8018b_dsi_vdo_dijing", "lk_no_lcm" }, /* NT35512 */
		{ "s10-like", "last_driver", "lcm=0-otm8018b_dsi_vdo_dijing", "lk_no_lcm" },  /* HX8389B */
		{ "y600-like", "compare_id", "lcm=1-otm8018b_dsi_vdo_dijing", NULL },  /* its own OTM8018B module */
	};
	assert_int_equal(sizeof want / sizeof *want, sim_model_count());
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		struct fixture f;
		phone_open(&f, want[i].model);
		port_lk(&f, sim_firmware_universal(), NULL, 0);
		port_kernel(&f, sim_firmware_universal(), NULL, 0);
		struct sim_boot_report r;
		evaluate(&f, &r);
		expect_fact(&r, "lk.lcm_rule", want[i].lk_rule);
		expect_fact(&r, "lk.lcm_cmdline", want[i].cmdline);
		/* the kernel finds the name LK passed (both carry the same list) */
		expect_fact(&r, "kernel.lcm_rule", "lcm_name");
		expect_fact(&r, "kernel.lcm_chosen", "otm8018b_dsi_vdo_dijing");
		if (want[i].lk_reason) { /* the kernel's table may add a worse verdict later (another layout) */
			assert_true(has_code(r.reasons, r.reason_count, want[i].lk_reason));
			assert_int_equal(r.reasons[0].verdict, SIM_VERDICT_WHITE_SCREEN);
			assert_string_equal(r.reasons[0].code, want[i].lk_reason);
		}
		assert_false(has_code(r.reasons, r.reason_count, "lk_wrong_lcm"));
		assert_false(has_code(r.reasons, r.reason_count, "kernel_no_lcm"));
		assert_false(has_code(r.reasons, r.reason_count, "kernel_wrong_lcm"));
		if (!want[i].lk_reason)
			assert_false(has_code(r.reasons, r.reason_count, "lk_no_lcm"));
		sim_boot_report_free(&r);
		phone_close(&f);
	}
}

/* A one-driver LK never calls compare_id: it uses its driver even on a panel it was not written for,
 * and passes lcm=1-NAME. */
static void test_lk_single_driver_used_without_asking_the_panel(void **state)
{
	(void)state;
	struct fixture f;
	static const char *const hx[] = { "hx8389b_kelai_dsi_vdo_qhd" };
	phone_open(&f, "a516-like"); /* OTM8018B */
	port_lk(&f, f.m->stock, hx, 1);
	expect(&f, SIM_VERDICT_WHITE_SCREEN, "lk_wrong_lcm", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	expect_fact(&r, "lk.lcm_rule", "only_driver");
	expect_fact(&r, "lk.lcm_cmdline", "lcm=1-hx8389b_kelai_dsi_vdo_qhd");
	assert_non_null(strstr(r.reasons[0].message, "without asking the panel"));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* compare_id runs in list order: a driver whose compare_id returns 1 for any panel wins when it comes
 * first; after the panel's own driver it is never reached. */
static void test_lk_always_true_compare_id_wins_only_when_first(void **state)
{
	(void)state;
	struct fixture f;
	static const char *const nt_first[] = { "nt35512_wvga_dsi_vdo_dj", "otm8018b_dsi_vdo" };
	static const char *const nt_last[] = { "otm8018b_dsi_vdo", "nt35512_wvga_dsi_vdo_dj" };
	phone_open(&f, "a516-like");
	port_lk(&f, f.m->stock, nt_first, 2);
	expect(&f, SIM_VERDICT_WHITE_SCREEN, "lk_wrong_lcm", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	expect_fact(&r, "lk.lcm_rule", "compare_id");
	expect_fact(&r, "lk.lcm_cmdline", "lcm=1-nt35512_wvga_dsi_vdo_dj");
	sim_boot_report_free(&r);
	port_lk(&f, f.m->stock, nt_last, 2);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	evaluate(&f, &r);
	expect_fact(&r, "lk.lcm_cmdline", "lcm=1-otm8018b_dsi_vdo");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* The kernel: its only driver whatever lcm= says; else the name; else compare_id (DISP_DetectDevice). */
static void test_kernel_takes_only_driver_then_name_then_compare_id(void **state)
{
	(void)state;
	struct fixture f;
	static const char *const dijing[] = { "otm8018b_dsi_vdo_dijing" };
	static const char *const hx8379a[] = { "hx8379a_wvga_dsi_vdo" };
	static const char *const fallback[] = { "hx8379a_wvga_dsi_vdo", "otm8018b_dsi_vdo_dijing" };
	phone_open(&f, "a516-like"); /* LK passes lcm=1-otm8018b_dsi_vdo */
	port_kernel(&f, f.m->stock, dijing, 1); /* another name, the only driver: taken, and it fits OTM8018B */
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	expect_fact(&r, "kernel.lcm_rule", "only_driver");
	sim_boot_report_free(&r);
	port_kernel(&f, f.m->stock, hx8379a, 1); /* the only driver, for another controller */
	expect(&f, SIM_VERDICT_BLACK_SCREEN, "kernel_wrong_lcm", NULL);
	port_kernel(&f, f.m->stock, fallback, 2); /* no otm8018b_dsi_vdo: compare_id finds the OTM8018B one */
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	expect_fact(&r, "kernel.lcm_rule", "compare_id");
	expect_fact(&r, "kernel.lcm_chosen", "otm8018b_dsi_vdo_dijing");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* The choice rules alone, on a copy of s10-like whose HX8389B panel has another module ID: its
 * hx8389b_kelai driver (ID probe) then refuses it, though it is for the same controller. */
static void test_lcm_choice_rules(void **state)
{
	(void)state;
	struct sim_model other = *sim_model_find("s10-like");
	other.panel_module = 2;
	static const char *const list[] = { "ili9806e_wvga_dsi_vdo", "hx8389b_kelai_dsi_vdo_qhd" };
	struct sim_lcm_choice c;
	sim_lk_choose_lcm(list, 2, sim_model_find("s10-like"), &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_COMPARE_ID);
	assert_string_equal(c.name, "hx8389b_kelai_dsi_vdo_qhd");
	assert_true(c.found && c.fits);
	sim_lk_choose_lcm(list, 2, &other, &c); /* nothing matches: the last driver, lcm=0, but it fits */
	assert_int_equal(c.rule, SIM_LCM_RULE_LAST_DRIVER);
	assert_string_equal(c.name, "hx8389b_kelai_dsi_vdo_qhd");
	assert_false(c.found);
	assert_true(c.fits);
	sim_lk_choose_lcm(list, 0, &other, &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_NONE);
	assert_null(c.name);
	/* an unknown driver has no compare_id the sim knows: never picked by probing, but the only one is used */
	static const char *const unknown[] = { "abc1234_dsi_vdo", "ili9806e_wvga_dsi_vdo" };
	sim_kernel_choose_lcm(unknown, 2, "nonexistent_dsi_vdo", &other, &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_NONE);
	sim_kernel_choose_lcm(unknown, 1, NULL, &other, &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_ONLY_DRIVER);
	assert_false(c.fits);
	sim_kernel_choose_lcm(list, 2, "ili9806e_wvga_dsi_vdo", &other, &c); /* the name wins over compare_id */
	assert_int_equal(c.rule, SIM_LCM_RULE_BY_NAME);
	assert_string_equal(c.name, "ili9806e_wvga_dsi_vdo");
	assert_false(c.fits);

	/* the whole evaluation: the phone's image with that LK reports the note, not a screen fault */
	struct fixture f;
	phone_open(&f, "s10-like");
	f.m = &other;
	port_lk(&f, f.m->stock, list, 2);
	struct sim_boot_report r;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_boot_evaluate(f.e, &other, &r, &err), 0);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_true(has_code(r.notes, r.note_count, "lk_lcm_not_detected"));
	expect_fact(&r, "lk.lcm_cmdline", "lcm=0-hx8389b_kelai_dsi_vdo_qhd");
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

/* ------------------------------------------------------------------ report shapes */

static void test_report_json(void **state)
{
	(void)state;
	struct fixture f;
	char dir[1200];
	phone_open(&f, "wiko-like");
	package(&f, sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	flash(&f, dir, NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	struct unifw_jv *j = sim_boot_report_json(&r);
	assert_string_equal(unifw_jv_key_at(j, 0), "verdict");
	assert_string_equal(unifw_jv_str(unifw_jv_get(j, "verdict")), "white_screen");
	assert_string_equal(unifw_jv_str(unifw_jv_get(j, "model")), "wiko-like");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "reasons.0.stage")), "lk");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "reasons.0.code")), "lk_no_lcm");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "reasons.0.verdict")), "white_screen");
	assert_non_null(strstr(unifw_jv_str(unifw_jv_path(j, "reasons.0.message")), "nt35512_wvga_dsi_vdo_dj"));
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "faults.0.code")), "no_touch");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "facts.phone.panel_lcm")), "nt35512_wvga_dsi_vdo_dj");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "facts.kernel.compression")), "xz");
	unifw_jv_free(j);
	sim_boot_report_free(&r);
	static const char *const names[] = { "boots", "boots_with_faults", "black_screen", "white_screen", "boot_loop",
					     "stuck_brom", "brom_loop", "dead" };
	static const int codes[] = { 0, 3, 4, 5, 6, 7, 9, 8 }; /* brom_loop came later: dead keeps 8 */
	for (int v = SIM_VERDICT_BOOTS; v <= SIM_VERDICT_DEAD; v++) {
		assert_string_equal(sim_verdict_name((enum sim_verdict)v), names[v]);
		assert_int_equal(sim_verdict_exit_code((enum sim_verdict)v), codes[v]);
	}
	phone_close(&f);
}

/* An image made without a model: the stages still run; panel and touch checks are skipped. */
static void test_image_without_model(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), img[1024], pkg[1024];
	struct sim_emmc_geometry g;
	const struct sim_model *m = sim_model_find("y600-like");
	sim_model_geometry(m, &g);
	g.model[0] = 0;
	snprintf(img, sizeof img, "%s/plain.img", dir);
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_emmc_create(img, &g, &e, &err), 0);
	struct sim_boot_report r;
	assert_int_equal(sim_boot_evaluate(e, NULL, &r, &err), 0);
	assert_int_equal(r.verdict, SIM_VERDICT_DEAD); /* a blank chip */
	assert_null(r.model);
	sim_boot_report_free(&r);
	snprintf(pkg, sizeof pkg, "%s/stock", dir);
	assert_int_equal(sim_factory_make(m->stock, m, pkg, NULL, &err), 0);
	struct sim_flash_opts o = { .with_preloader = true, .factory = true };
	assert_int_equal(sim_flash_package(e, pkg, &o, &err), 0);
	assert_int_equal(sim_boot_evaluate(e, NULL, &r, &err), 0);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_true(has_code(r.notes, r.note_count, "panel_unknown"));
	sim_boot_report_free(&r);
	assert_int_equal(sim_boot_evaluate(e, m, &r, &err), 0); /* the hardware given explicitly */
	assert_int_equal(r.note_count, 0);
	sim_boot_report_free(&r);
	sim_emmc_close(e);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_model_boots),
		cmocka_unit_test(test_image_keeps_its_model),
		cmocka_unit_test(test_footer_model_block),
		cmocka_unit_test(test_universal_on_wiko_no_compare_id_match_keeps_last_driver),
		cmocka_unit_test(test_universal_on_y600_otm8018b_probe_matches_no_touch),
		cmocka_unit_test(test_preloader_without_the_part_in_its_compiled_table_brom_loops),
		cmocka_unit_test(test_preloader_without_compiled_table_brom_loops_tag_not_needed),
		cmocka_unit_test(test_universal_preloader_brom_loops_not_dead),
		cmocka_unit_test(test_universal_on_a_smaller_boot_region_mounts_the_old_mbr_boot_loop),
		cmocka_unit_test(test_format_all_download_imei_null),
		cmocka_unit_test(test_blank_wifi_mac_changes_every_boot),
		cmocka_unit_test(test_stored_template_mac_and_default_bt_address),
		cmocka_unit_test(test_foreign_modem_mem_size_no_radio_imei_kept),
		cmocka_unit_test(test_modem_header_rules),
		cmocka_unit_test(test_corrupt_boot_header_boot_loop),
		cmocka_unit_test(test_kernel_no_lcm_name_no_compare_id_match_no_framebuffer),
		cmocka_unit_test(test_universal_lk_and_kernel_panel_outcome_on_each_model),
		cmocka_unit_test(test_lk_single_driver_used_without_asking_the_panel),
		cmocka_unit_test(test_lk_always_true_compare_id_wins_only_when_first),
		cmocka_unit_test(test_kernel_takes_only_driver_then_name_then_compare_id),
		cmocka_unit_test(test_lcm_choice_rules),
		cmocka_unit_test(test_system_and_tables),
		cmocka_unit_test(test_kernel_from_another_layout_same_index_map_boots),
		cmocka_unit_test(test_uboot_erased_or_headerless_stuck_brom),
		cmocka_unit_test(test_pmt_erased_boots_from_compiled_tables),
		cmocka_unit_test(test_no_preloader_dead),
		cmocka_unit_test(test_other_models_preloader_brom_loops),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_image_without_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
