/* unifw-sim boot evaluation, what Android finds in NVRAM and the modem: Format All + Download gives
 * IMEI null; a blank WiFi MAC is made up at every boot, a stored 00:08:22 one is a template, MediaTek's
 * default BT address is reported; a modem the kernel's CCCI loader refuses gives no radio (issue 9.8); a
 * WLAN module built for another kernel is refused by insmod, WiFi stays off (issue 13); another board's
 * modem finds no network, a touch controller without its firmware file is uncalibrated (issue 14). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/fw_build.h"
#include "sim_boot_fixture.h"
#include "unifw/ext4_edit.h"
#include "unifw/kernel.h"

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
	/* the universal system's modules are KK 3.4.67's, the y600-like's kernel JB 3.4.5: no WiFi either; its
	 * system has no firmware for the y600-like's touch controller (the refused modem gets no no_signal) */
	if (r.verdict != SIM_VERDICT_BOOTS_WITH_FAULTS || r.fault_count != 3 || strcmp(r.faults[0].code, "no_radio") ||
	    strcmp(r.faults[1].code, "no_wifi") || strcmp(r.faults[2].code, "touch_uncalibrated")) {
		sim_boot_report_text(&r, stderr);
		fail_msg("expected boots_with_faults with no_radio, no_wifi and touch_uncalibrated only");
	}
	assert_non_null(strstr(r.faults[0].message, "MD mem size mis-match"));
	assert_non_null(strstr(r.faults[0].message, "not an IMEI loss"));
	assert_non_null(strstr(r.faults[1].message, "version magic '3.4.67 SMP preempt mod_unload ARMv7 ' should be "
						      "'3.4.5 SMP preempt mod_unload ARMv7 '"));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "nvram.imei_record")));
	assert_false(unifw_jv_truthy(unifw_jv_path(r.facts, "modem.loaded")));
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r.facts, "modem.mem_size")), 24u << 20);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r.facts, "modem.kernel_reserved")), SIM_MD1_MEM_SIZE);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "modem.image")), "/system/etc/firmware/modem_1_wg_n.img");
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "modem.mddb")));
	sim_boot_report_free(&r);
	/* its own kernel with it (the whole universal ROM) reserves 24 MiB: the modem loads, and the KK modules
	 * fit the KK kernel */
	flash(&f, dir, NULL);
	evaluate(&f, &r);
	assert_false(has_code(r.faults, r.fault_count, "no_radio"));
	assert_false(has_code(r.faults, r.fault_count, "no_wifi"));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "wifi.loaded")));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "modem.loaded")));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* ------------------------------------------------------------------ the WLAN module (issue 13) */

/* The universal ROM's KK kernel (3.4.67) written alone onto a JB phone whose system's modules were built
 * for 3.4.5: insmod of the WLAN module fails on its version magic and WiFi stays off (the other direction,
 * a KK system on the JB kernel, is the universal ANDROID-only case above). The phone's own stock boot
 * image back: the module loads again. */
static void test_kernel_of_another_release_refuses_the_wlan_module(void **state)
{
	(void)state;
	struct fixture f;
	char uni[1200], own[1200];
	phone_open(&f, "y600-like");
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "wifi.loaded")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "wifi.module")), "/system/lib/modules/wlan_mt.ko");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "wifi.vermagic")), "3.4.5 SMP preempt mod_unload ARMv7 ");
	sim_boot_report_free(&r);

	package(&f, sim_firmware_universal(), NULL, "universal", uni, sizeof uni);
	static const char *const only[] = { "BOOTIMG" };
	struct sim_flash_opts o = { .only = only, .only_count = 1 };
	flash(&f, uni, &o);
	evaluate(&f, &r);
	if (r.verdict != SIM_VERDICT_BOOTS_WITH_FAULTS || !has_code(r.faults, r.fault_count, "no_wifi")) {
		sim_boot_report_text(&r, stderr);
		fail_msg("expected boots_with_faults with no_wifi");
	}
	const struct sim_boot_item *it = &r.faults[0];
	assert_string_equal(it->code, "no_wifi");
	assert_non_null(strstr(it->message, "version magic '3.4.5 SMP preempt mod_unload ARMv7 ' should be "
					    "'3.4.67 SMP preempt mod_unload ARMv7 '"));
	assert_non_null(strstr(it->message, "check_modinfo"));
	assert_false(unifw_jv_truthy(unifw_jv_path(r.facts, "wifi.loaded")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "kernel.version")), "3.4.67");
	sim_boot_report_free(&r);

	package(&f, f.m->stock, f.m, "stock", own, sizeof own);
	flash(&f, own, &o);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	phone_close(&f);
}

/* The module file as the kernel's loader reads it: the factory's module parses; cut, mangled or
 * vermagic-less copies fail with an error instead of a read past the end. */
static void test_module_vermagic_parse_hostile(void **state)
{
	(void)state;
	uint8_t *ko = NULL;
	size_t len = 0;
	char vm[UNIFW_KMOD_VERMAGIC_MAX];
	struct unifw_error e = { 0 };
	assert_int_equal(sim_build_kmod("wlan_mt", "3.4.67" SIM_KMOD_VERMAGIC_TAIL, 3, &ko, &len, NULL), 0);
	assert_int_equal(unifw_kmod_vermagic(ko, len, "wlan_mt.ko", vm, &e), 0);
	assert_string_equal(vm, "3.4.67 SMP preempt mod_unload ARMv7 ");
	assert_true(unifw_kmod_release_matches(vm, "3.4.67"));
	assert_false(unifw_kmod_release_matches(vm, "3.4.6"));
	assert_false(unifw_kmod_release_matches(vm, "3.4.5"));
	assert_false(unifw_kmod_release_matches("", "3.4.5"));
	/* every cut: the section headers are at the end, so each shorter copy fails */
	for (size_t cut = 0; cut < len; cut += 7)
		assert_int_not_equal(unifw_kmod_vermagic(ko, cut, "cut", vm, NULL), 0);
	uint8_t *copy = malloc(len);
	assert_non_null(copy);
	/* not an ELF, or big-endian */
	memcpy(copy, ko, len);
	copy[0] = 0;
	assert_int_equal(unifw_kmod_vermagic(copy, len, "x", vm, &e), UNIFW_E_FORMAT);
	memcpy(copy, ko, len);
	copy[5] = 2;
	assert_int_equal(unifw_kmod_vermagic(copy, len, "x", vm, &e), UNIFW_E_FORMAT);
	/* section headers pointing past the end, a name-table index out of range */
	memcpy(copy, ko, len);
	copy[0x20] = 0xF0, copy[0x21] = 0xFF, copy[0x22] = 0xFF, copy[0x23] = 0xFF;
	assert_int_equal(unifw_kmod_vermagic(copy, len, "x", vm, &e), UNIFW_E_TRUNCATED);
	memcpy(copy, ko, len);
	copy[0x32] = 0x40;
	assert_int_equal(unifw_kmod_vermagic(copy, len, "x", vm, &e), UNIFW_E_FORMAT);
	/* the vermagic tag renamed: .modinfo without one; its NUL removed: a value running to the end */
	memcpy(copy, ko, len);
	uint8_t *tag = memmem(copy, len, "vermagic=", 9);
	assert_non_null(tag);
	tag[0] = 'V';
	assert_int_equal(unifw_kmod_vermagic(copy, len, "x", vm, &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "no vermagic"));
	memcpy(copy, ko, len);
	tag = memmem(copy, len, "vermagic=", 9);
	tag[9 + strlen("3.4.67" SIM_KMOD_VERMAGIC_TAIL)] = 'x';
	assert_int_not_equal(unifw_kmod_vermagic(copy, len, "x", vm, &e), 0);
	free(copy);
	free(ko);
}

/* check_md_header as MT6572 compiles it: bind_sys_id, memory size and image size reject; a missing header
 * or another header version is only logged (the source returns 0), a smaller request only warned. */
static void test_modem_header_rules(void **state)
{
	(void)state;
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_modem("wg", "sim72_a516", SIM_MD1_MEM_SIZE, 7, &img, &len, NULL), 0);
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

/* ------------------------------------------------------------------ per-board files (issue 14) */

/* Rewrite one file of the phone's /system in place (ext4_edit over a copy of ANDROID, the changed ranges
 * written back): edit(data, len) returns the new length (the buffer is at least len + 1 bytes). */
static void system_edit(struct fixture *f, const char *path, size_t (*edit)(uint8_t *data, size_t len))
{
	struct unifw_error err = { 0 };
	struct sim_flash_loc loc;
	assert_int_equal(sim_flash_locate(f->e, "ANDROID", &loc, &err), 0);
	uint8_t *sys = malloc(loc.size);
	assert_non_null(sys);
	assert_int_equal(sim_emmc_read(f->e, loc.part, loc.offset, sys, loc.size, &err), 0);
	struct unifw_stream s;
	unifw_stream_from_mem(&s, sys, loc.size, "ANDROID");
	struct unifw_ext4_edit *ed = NULL;
	assert_int_equal(unifw_ext4_edit_open(&s, &ed, &err), 0);
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(unifw_ext4_edit_read_file(ed, path, 16u << 20, &buf, &len, &err), 0);
	uint8_t *grown = realloc(buf, len + 1);
	assert_non_null(grown);
	len = edit(grown, len);
	assert_int_equal(unifw_ext4_edit_replace_file(ed, path, grown, len, &err), 0);
	free(grown);
	assert_int_equal(unifw_ext4_edit_commit(ed, &err), 0);
	const struct unifw_ext4_change *ch = NULL;
	size_t n = 0;
	unifw_ext4_edit_changes(ed, &ch, &n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sim_emmc_write(f->e, loc.part, loc.offset + ch[i].offset, ch[i].data, ch[i].len, &err), 0);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	free(sys);
}

static size_t empty_file(uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	return 0;
}

/* The modem's build_ver rewritten: another board's (the s10-like's project), or a real MOLY-style string
 * without the "<PROJECT>.MD." form (no board to compare). */
static size_t s10_build_ver(uint8_t *data, size_t len)
{
	struct sim_md_header h;
	assert_true(sim_md_header_read(data, len, &h));
	snprintf(h.build_ver, sizeof h.build_ver, "sim72_s10%s", SIM_MD_BUILD_VER_TAIL);
	sim_md_header_write(data, len, &h);
	return len;
}

static size_t unknown_build_ver(uint8_t *data, size_t len)
{
	struct sim_md_header h;
	assert_true(sim_md_header_read(data, len, &h));
	snprintf(h.build_ver, sizeof h.build_ver, "MOLY.WR8.W1315.WG.MP.V1");
	sim_md_header_write(data, len, &h);
	return len;
}

/* The wiko-like's own system with the modem of another board (the header otherwise its own: the loader
 * accepts it) and an empty ft5206_fw.bin (the universal build's bind placeholder): no network, touch
 * uncalibrated. A build_ver the sim does not know is only a note. (A missing firmware file: the universal
 * system on the y600-like above.) */
static void test_modem_and_touch_firmware_of_another_board(void **state)
{
	(void)state;
	struct fixture f;
	char own[1200];
	phone_open(&f, "wiko-like");
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "modem.build_ver")), "sim72_s4050.MD.MT6572.W1410");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "modem.board")), "sim72_s4050");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "touch.firmware")), "/system/etc/firmware/ft5206_fw.bin");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r.facts, "touch.firmware_size")), 16u << 10);
	sim_boot_report_free(&r);

	system_edit(&f, "/etc/firmware/modem_1_wg_n.img", s10_build_ver);
	system_edit(&f, "/etc/firmware/ft5206_fw.bin", empty_file);
	evaluate(&f, &r);
	if (r.verdict != SIM_VERDICT_BOOTS_WITH_FAULTS || r.fault_count != 2 || strcmp(r.faults[0].code, "no_signal") ||
	    strcmp(r.faults[1].code, "touch_uncalibrated")) {
		sim_boot_report_text(&r, stderr);
		fail_msg("expected boots_with_faults with no_signal and touch_uncalibrated only");
	}
	assert_non_null(strstr(r.faults[0].message, "the modem /system/etc/firmware/modem_1_wg_n.img (read from "
						    "/system/etc/firmware/modem_1_wg_n.img) was built for board sim72_s10; "
						    "this phone's board is sim72_s4050"));
	assert_non_null(strstr(r.faults[0].message, "no network"));
	assert_non_null(strstr(r.faults[0].message, "the IMEI are untouched"));
	assert_non_null(strstr(r.faults[1].message, "requests ft5206_fw.bin through ueventd"));
	assert_non_null(strstr(r.faults[1].message, "ft5206_fw.bin is empty"));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "modem.loaded")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "modem.board")), "sim72_s10");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r.facts, "touch.firmware_size")), 0);
	sim_boot_report_free(&r);

	package(&f, f.m->stock, f.m, "stock", own, sizeof own);
	static const char *const only[] = { "ANDROID" };
	struct sim_flash_opts o = { .only = only, .only_count = 1 };
	flash(&f, own, &o);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	system_edit(&f, "/etc/firmware/modem_1_wg_n.img", unknown_build_ver);
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_true(has_code(r.notes, r.note_count, "modem_board_unknown"));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "modem.build_ver")), "MOLY.WR8.W1315.WG.MP.V1");
	assert_null(unifw_jv_path(r.facts, "modem.board"));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* The loader reads the modem through the probe's bind mounts (boot_sysview.h): a bind of another file over
 * modem_1_wg_n.img is what is checked, and where it came from is said. The kernel's CCCI record is the
 * line the sim's kernel carries (fw_kernel.c); the system is the wiko-like's factory ANDROID. */
static void test_modem_read_through_a_bind(void **state)
{
	(void)state;
	struct fixture f;
	struct unifw_error err = { 0 };
	phone_open(&f, "wiko-like");
	struct sim_flash_loc loc;
	assert_int_equal(sim_flash_locate(f.e, "ANDROID", &loc, &err), 0);
	uint8_t *sys = malloc(loc.size);
	assert_non_null(sys);
	assert_int_equal(sim_emmc_read(f.e, loc.part, loc.offset, sys, loc.size, &err), 0);
	struct unifw_stream st;
	unifw_stream_from_mem(&st, sys, loc.size, "ANDROID");
	struct unifw_ext4 *fs = NULL;
	assert_int_equal(unifw_ext4_open(&st, &fs, &err), 0);
	char kimg[64];
	int kl = snprintf(kimg, sizeof kimg, "%swg 0x%x\n", SIM_KERNEL_CCCI_TAG, SIM_MD1_MEM_SIZE);

	struct sim_sysview sv = { .fs = fs };
	struct sim_modem_check c;
	sim_modem_check(&sv, (const uint8_t *)kimg, (size_t)kl, &c);
	assert_true(c.kernel_known && !c.rejected);
	assert_string_equal(c.from, "/system/etc/firmware/modem_1_wg_n.img");
	assert_string_equal(c.h.build_ver, "sim72_s4050.MD.MT6572.W1410");

	uint8_t *img = NULL;
	size_t len = 0;
	char host[1200];
	snprintf(host, sizeof host, "%s/bound_modem.img", f.dir);
	assert_int_equal(sim_build_modem("wg", "sim72_s10", SIM_MD1_MEM_SIZE, 3, &img, &len, &err), 0);
	assert_int_equal(unifw_file_write_atomic(host, img, len, &err), 0);
	free(img);
	struct sim_bind b = { .target = "/etc/firmware/modem_1_wg_n.img" };
	snprintf(b.source_host, sizeof b.source_host, "%s", host);
	sv.binds = &b;
	sv.bind_count = 1;
	sim_modem_check(&sv, (const uint8_t *)kimg, (size_t)kl, &c);
	assert_true(c.kernel_known && !c.rejected);
	assert_string_equal(c.path, "/system/etc/firmware/modem_1_wg_n.img");
	assert_string_equal(c.from, host);
	assert_string_equal(c.h.build_ver, "sim72_s10.MD.MT6572.W1410");
	unifw_ext4_close(fs);
	unifw_stream_close(&st);
	free(sys);
	phone_close(&f);
}

/* The board a build_ver names, and what is not one. */
static void test_modem_build_ver_board(void **state)
{
	(void)state;
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_modem("wg", "universal72_generic", SIM_MD1_MEM_SIZE, 7, &img, &len, NULL), 0);
	struct sim_md_header h;
	assert_true(sim_md_header_read(img, len, &h));
	assert_string_equal(h.build_ver, "universal72_generic.MD.MT6572.W1410");
	char board[SIM_MD_BUILD_VER_MAX];
	assert_true(sim_md_build_board(h.build_ver, board, sizeof board));
	assert_string_equal(board, "universal72_generic");
	char small[8];
	assert_true(sim_md_build_board(h.build_ver, small, sizeof small));
	assert_string_equal(small, "univers");
	assert_false(sim_md_build_board(".MD.MT6572.W1410", board, sizeof board));
	assert_false(sim_md_build_board("MOLY.WR8.W1315", board, sizeof board));
	assert_false(sim_md_build_board("", board, sizeof board));
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_all_download_imei_null),
		cmocka_unit_test(test_blank_wifi_mac_changes_every_boot),
		cmocka_unit_test(test_stored_template_mac_and_default_bt_address),
		cmocka_unit_test(test_foreign_modem_mem_size_no_radio_imei_kept),
		cmocka_unit_test(test_modem_header_rules),
		cmocka_unit_test(test_kernel_of_another_release_refuses_the_wlan_module),
		cmocka_unit_test(test_module_vermagic_parse_hostile),
		cmocka_unit_test(test_modem_and_touch_firmware_of_another_board),
		cmocka_unit_test(test_modem_build_ver_board),
		cmocka_unit_test(test_modem_read_through_a_bind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
