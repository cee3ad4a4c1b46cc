/* unifw-sim phone models and firmware factory: every model's stock package (and the universal one)
 * is built with the factory, then each image is read back with the project's own parsers and its
 * facts are checked against the model: scatter, preloader + EMI table (CID match, compiled copy =
 * tag), EMMC_BOOT wrapper, MBR/EBR chain against the layout, lk, boot/recovery (kernel banner, LCM and
 * touch drivers, ramdisk files), logo, sparse ext4 system (build.prop), NVRAM (MAC, BT, opaque IMEI
 * record), secro; then `unifw info` (the real binary) reads the package without error findings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "boot/install_package.h"
#include "firmware/factory.h"
#include "firmware/model.h"
#include "unifw/bootimg.h"
#include "unifw/emi.h"
#include "unifw/ext4.h"
#include "unifw/io.h"
#include "unifw/kernel.h"
#include "unifw/lk.h"
#include "unifw/logo.h"
#include "unifw/mbr.h"
#include "unifw/nvram.h"
#include "unifw/preloader.h"
#include "unifw/ramdisk.h"
#include "unifw/scatter.h"
#include "unifw/secimg.h"
#include "unifw/sparse.h"

static uint8_t *read_in(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	uint8_t *b = test_read_file(path, len);
	if (!b)
		fail_msg("%s missing", path);
	return b;
}

/* ------------------------------------------------------------------ model data */

static void test_models_differ_like_real_phones(void **state)
{
	(void)state;
	assert_true(sim_model_count() >= 3);
	uint64_t regions_seen = 0;
	for (size_t i = 0; i < sim_model_count(); i++) {
		const struct sim_model *m = sim_model_at(i);
		struct sim_emmc_geometry g;
		sim_model_geometry(m, &g);
		assert_int_equal(sim_emmc_check_geometry(&g, NULL), 0);
		assert_string_equal(g.model, m->name);
		/* the boot region the firmware expects is the one the eMMC has */
		uint64_t br = g.size[SIM_PART_BOOT1] + g.size[SIM_PART_BOOT2] + g.size[SIM_PART_RPMB];
		assert_int_equal(br, m->stock->boot_region);
		assert_true(br == 0x600000 || br == 0xC00000 || br == 0x1400000);
		regions_seen |= br == 0x600000 ? 1 : br == 0xC00000 ? 2 : 4;
		/* the MCP's EMI id is the CID's MID/CBX/OID/PNM, and the CID ends in a valid CRC7 */
		assert_memory_equal(g.cid, m->mem->id, 9);
		assert_int_equal(g.cid[15], sim_cid_crc7_byte(g.cid));
		assert_non_null(unifw_emi_mid_name(g.cid[0]));
		/* its panel and touch names are ones the kernel/LK parsers know */
		assert_true(unifw_lcm_name_known(m->lcm));
		assert_non_null(unifw_touch_name_canonical(m->touch));
		assert_ptr_equal(sim_model_find(m->name), m);
		/* the layout fits the user area below the BMT pool and the PMT */
		struct sim_fw_part parts[SIM_MAX_PARTS];
		size_t n = sim_firmware_layout(m->stock, parts);
		const struct sim_fw_part *bmt = sim_layout_find(parts, n, SIM_ROLE_BMTPOOL);
		assert_non_null(bmt);
		for (size_t k = 0; k < n; k++)
			if (&parts[k] != bmt && parts[k].def->role != SIM_ROLE_PRELOADER)
				assert_true(parts[k].linear - br + parts[k].size <= m->user_size - bmt->size);
		for (size_t j = 0; j < i; j++) { /* no two models are the same phone */
			const struct sim_model *o = sim_model_at(j);
			assert_true(memcmp(o->cid, m->cid, 9) != 0);
			assert_string_not_equal(o->lcm, m->lcm);
		}
	}
	assert_int_equal(regions_seen, 7); /* 0x600000, 0xC00000 and 0x1400000 all present */
	assert_null(sim_model_find("no-such-phone"));
	/* the universal ROM's preloader lists none of the models' memory parts */
	const struct sim_firmware *u = sim_firmware_universal();
	for (size_t i = 0; i < sim_model_count(); i++)
		for (size_t k = 0; k < u->emi_count; k++)
			assert_true(memcmp(u->emi[k]->id, sim_model_at(i)->mem->id, 9) != 0);
}

/* ------------------------------------------------------------------ package contents */

static void check_scatter(const char *dir, const struct sim_firmware *fw)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, SIM_SCATTER_NAME);
	struct unifw_scatter sc;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_scatter_load(path, &sc, &err), 0);
	assert_int_equal(sc.dialect, UNIFW_SCATTER_V1);
	assert_string_equal(sc.config_version, "V1.1.1");
	assert_string_equal(sc.platform, "MT6572");
	assert_string_equal(sc.project, fw->project);
	assert_int_equal(unifw_scatter_boot_region(&sc), fw->boot_region);
	struct unifw_findings fs = { 0 };
	struct unifw_scatter_check chk = { .image_dir = dir };
	assert_int_equal(unifw_scatter_validate(&sc, path, &chk, &fs, &err), 0);
	for (size_t i = 0; i < fs.count; i++)
		if (fs.items[i].severity >= UNIFW_SEV_WARNING)
			fail_msg("scatter finding %s: %s", fs.items[i].code, fs.items[i].msg);
	unifw_findings_free(&fs);
	assert_non_null(unifw_scatter_find(&sc, "ANDROID"));
	unifw_scatter_free(&sc);
}

static void check_preloader(const char *dir, const struct sim_firmware *fw, const struct sim_model *m)
{
	char name[128];
	size_t len, wlen;
	snprintf(name, sizeof name, "preloader_%s.bin", fw->project);
	uint8_t *b = read_in(dir, name, &len), *w = NULL;
	struct unifw_preloader *pl = malloc(sizeof *pl);
	struct unifw_emi_table *t = malloc(sizeof *t);
	struct unifw_emi_compiled *c = malloc(sizeof *c);
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_preloader_parse(b, len, name, pl, &err), 0);
	assert_int_equal(pl->container, UNIFW_PRELOADER_GFH);
	assert_int_equal(pl->file_info.file_len, len);
	assert_int_equal(pl->file_info.flash_dev, 5);
	assert_true(pl->block_count >= 2);
	assert_true(pl->has_rominfo);
	assert_string_equal(pl->rominfo.platform, "MT6572");
	assert_true(pl->has_emi && pl->emi.from_trailer);
	assert_int_equal(unifw_preloader_emi_table(b, len, pl, t, &err), 0);
	snprintf(name, sizeof name, "preloader_%s.bin", fw->project);
	assert_string_equal(t->filename, name);
	assert_int_equal(t->count, fw->emi_count);
	assert_false(t->count_mismatch);
	/* the compiled emi_settings[] agrees with the appended tag, entry for entry */
	assert_int_equal(unifw_emi_find_compiled(b, (size_t)pl->emi.tag_offset, c, &err), 0);
	assert_int_equal(unifw_emi_cross_check(t, c), 0);
	if (m) {
		struct sim_emmc_geometry g;
		sim_model_geometry(m, &g);
		size_t idx = 99;
		assert_true(unifw_emi_match_cid(t, g.cid, &idx));
		assert_int_equal(idx, 0);
		assert_int_equal(t->entry[0].rank_size[0] + t->entry[0].rank_size[1], sim_model_dram_size(m));
	}
	/* the boot1 form: EMMC_BOOT header, BRLYT at 0x200, the same GFH image at 0x800 */
	assert_int_equal(sim_wrap_emmc_boot(b, len, &w, &wlen, &err), 0);
	assert_int_equal(unifw_preloader_parse(w, wlen, "boot1", pl, &err), 0);
	assert_int_equal(pl->container, UNIFW_PRELOADER_EMMC_BOOT);
	assert_int_equal(pl->gfh_offset, 0x800);
	assert_int_equal(pl->emmc_boot.brlyt_offset, 0x200);
	assert_int_equal(pl->emmc_boot.desc_count, 1);
	free(w);
	free(c);
	free(t);
	free(pl);
	free(b);
}

/* MBR + EBRs from the package resolve to the layout's file-system partitions. */
static void check_mbr(const char *dir, const struct sim_firmware *fw)
{
	struct sim_fw_part parts[SIM_MAX_PARTS];
	size_t n = sim_firmware_layout(fw, parts), ebrs = sim_layout_find(parts, n, SIM_ROLE_EBR2) ? 2 : 1;
	const uint8_t *sec[3];
	size_t lens[3];
	uint8_t *bufs[3];
	static const char *const names[] = { "MBR", "EBR1", "EBR2" };
	for (size_t i = 0; i <= ebrs; i++) {
		bufs[i] = read_in(dir, names[i], &lens[i]);
		sec[i] = bufs[i];
		assert_int_equal(lens[i], 512);
	}
	struct unifw_mbr_table *t = calloc(1, sizeof *t);
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_mbr_table_from_sectors(sec, lens, 1 + ebrs, 0, t, &err), 0);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!parts[i].in_mbr)
			continue;
		assert_true(k < t->count);
		assert_int_equal(t->part[k].kernel_index, 2 + k);
		assert_int_equal(t->part[k].start_lba * 512, parts[i].linear - fw->boot_region);
		k++;
	}
	assert_int_equal(k, t->count);
	assert_int_equal(t->ebr_count, ebrs);
	free(t);
	for (size_t i = 0; i <= ebrs; i++)
		free(bufs[i]);
}

static void check_lk(const char *dir, const struct sim_firmware *fw)
{
	size_t len;
	uint8_t *b = read_in(dir, "lk.bin", &len);
	struct unifw_lk_info *lk = malloc(sizeof *lk);
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_lk_inspect(b, len, "lk.bin", lk, &err), 0);
	assert_true(lk->has_mtk_header);
	assert_string_equal(lk->project, fw->project);
	assert_string_equal(lk->platform, "mt6572");
	assert_string_equal(lk->base_project, "mt6572v1_phone");
	assert_int_equal(lk->load_address, 0x80020000u);
	assert_int_equal(lk->lcm.count, fw->lcm_count);
	for (size_t i = 0; i < fw->lcm_count; i++)
		assert_true(unifw_names_has(&lk->lcm, fw->lcm[i]));
	free(lk);
	free(b);
}

static void check_ramdisk(const uint8_t *p, size_t n, bool recovery)
{
	struct unifw_ramdisk rd;
	struct unifw_error err = { 0 };
	unifw_ramdisk_init(&rd);
	assert_int_equal(unifw_ramdisk_parse(p, n, "ramdisk", &rd, &err), 0);
	assert_true(rd.has_mtk_header);
	assert_string_equal(rd.mtk.name, recovery ? "RECOVERY" : "ROOTFS");
	assert_true(rd.kernel_format);
	static const char *const files[] = { "init", "init.rc", "default.prop", "fstab.mt6572" };
	for (size_t i = 0; i < 4; i++)
		assert_non_null(unifw_ramdisk_find(&rd, files[i]));
	const struct unifw_ramdisk_entry *fstab = unifw_ramdisk_find(&rd, "fstab.mt6572");
	assert_non_null(memmem(fstab->data, fstab->size, "/emmc@android", 13));
	if (recovery)
		assert_non_null(unifw_ramdisk_find(&rd, "sbin/recovery"));
	unifw_ramdisk_free(&rd);
}

static void check_bootimg(const char *dir, const char *name, const struct sim_firmware *fw)
{
	size_t len;
	uint8_t *b = read_in(dir, name, &len);
	struct unifw_bootimg img;
	struct unifw_kernel_info *k = malloc(sizeof *k);
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_bootimg_parse(b, len, name, &img, &err), 0);
	assert_int_equal(img.hdr.page_size, 2048);
	assert_int_equal(img.hdr.kernel_addr, 0x10008000u);
	assert_true(img.id_ok);
	assert_int_equal(img.findings.count, 0);
	assert_int_equal(unifw_kernel_inspect(b + img.kernel_off, img.hdr.kernel_size, "kernel", NULL, k, &err), 0);
	assert_true(k->has_mtk_header);
	assert_string_equal(k->mtk.name, "KERNEL");
	bool kk = fw->android == SIM_ANDROID_KK_442;
	assert_int_equal(k->compression, kk ? UNIFW_KCOMP_XZ : UNIFW_KCOMP_GZIP);
	assert_string_equal(k->version, kk ? "3.4.67" : "3.4.5");
	assert_string_equal(k->builder, fw->kernel_builder);
	assert_non_null(strstr(k->toolchain, "gcc version 4."));
	assert_string_equal(k->build, fw->kernel_date);
	assert_int_equal(k->image_base, 0xC0008000u);
	assert_int_equal(k->lcm.count, fw->lcm_count);
	for (size_t i = 0; i < fw->lcm_count; i++)
		assert_true(unifw_names_has(&k->lcm, fw->lcm[i]));
	assert_int_equal(k->touch.count, fw->touch_count);
	for (size_t i = 0; i < fw->touch_count; i++)
		assert_true(unifw_names_has(&k->touch, unifw_touch_name_canonical(fw->touch[i])));
	check_ramdisk(b + img.ramdisk_off, img.hdr.ramdisk_size, !strcmp(name, "recovery.img"));
	unifw_bootimg_free(&img);
	free(k);
	free(b);
}

static void check_logo(const char *dir, const struct sim_firmware *fw)
{
	size_t len;
	uint8_t *b = read_in(dir, "logo.bin", &len);
	struct unifw_logo logo;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_logo_parse(b, len, "logo.bin", &logo, &err), 0);
	assert_int_equal(logo.width, fw->logo_width);
	assert_int_equal(logo.height, fw->logo_height);
	assert_true(logo.count >= 3);
	assert_int_equal(logo.frames[0].size_source, UNIFW_LOGO_SIZE_PANEL);
	assert_int_equal(logo.frames[logo.count - 1].width, 38); /* a charging digit sprite */
	unifw_logo_free(&logo);
	free(b);
}

/* system.img: a sparse image whose ext4 holds /build.prop with the firmware's facts. */
static void check_system(const char *dir, const struct sim_firmware *fw)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/system.img", dir);
	struct unifw_stream s, view_stream;
	struct unifw_sparse_view *view = NULL;
	struct unifw_ext4 *fs = NULL;
	struct unifw_error err = { 0 };
	uint8_t *text = NULL;
	size_t len = 0;
	assert_int_equal(unifw_stream_open_file(&s, path, &err), 0);
	assert_int_equal(unifw_sparse_view_open(&s, &view, &err), 0);
	unifw_sparse_view_stream(view, &view_stream);
	assert_int_equal(unifw_ext4_open(&view_stream, &fs, &err), 0);
	assert_int_equal(unifw_ext4_read_file(fs, "/build.prop", 1 << 16, &text, &len, &err), 0);
	struct unifw_jv *bp = unifw_jv_object();
	assert_true(unifw_ext4_build_prop((const char *)text, len, bp) > 5);
	assert_string_equal(unifw_jv_str(unifw_jv_get(bp, "ro.product.model")), fw->product_model);
	assert_string_equal(unifw_jv_str(unifw_jv_get(bp, "ro.build.version.release")), sim_android_release(fw->android));
	assert_string_equal(unifw_jv_str(unifw_jv_get(bp, "ro.build.id")), sim_android_build_id(fw->android));
	assert_non_null(memmem(text, len, "ro.mediatek.platform=MT6572", 27));
	unifw_jv_free(bp);
	free(text);
	text = NULL;
	snprintf(path, sizeof path, "/usr/idc/%s.idc", fw->touch[0]);
	assert_int_equal(unifw_ext4_read_file(fs, path, 4096, &text, &len, &err), 0);
	free(text);
	text = NULL;
	snprintf(path, sizeof path, "/etc/firmware/%s_fw.bin", fw->touch[0]);
	assert_int_equal(unifw_ext4_read_file(fs, path, 1 << 20, &text, &len, &err), 0);
	assert_int_equal(len, 16 << 10);
	free(text);
	unifw_ext4_close(fs);
	unifw_stream_close(&view_stream);
	unifw_sparse_view_close(view);
	unifw_stream_close(&s);
}

static void check_nvram(const char *dir, const struct sim_model *m)
{
	size_t len;
	uint8_t *b = read_in(dir, "factory/nvram.bin", &len), mac[6];
	struct unifw_nvram nv;
	struct unifw_error err = { 0 };
	assert_int_equal(len, UNIFW_NVRAM_DEFAULT_REGION);
	assert_int_equal(unifw_nvram_parse(b, len, "nvram.bin", &nv, &err), 0);
	assert_true(nv.prefix && nv.data_offset_checked);
	assert_int_equal(unifw_nvram_wifi_mac(&nv, b, mac), UNIFW_NVRAM_SET);
	assert_memory_equal(mac, m->wifi_mac, 6);
	assert_int_equal(unifw_nvram_bt_addr(&nv, b, mac), UNIFW_NVRAM_SET);
	assert_memory_equal(mac, m->bt_addr, 6);
	/* the IMEI record exists but is opaque: every byte has a nibble above 9 (never IMEI-shaped) */
	const struct unifw_nvram_file *imei = unifw_nvram_find(&nv, UNIFW_NVRAM_IMEI);
	assert_non_null(imei);
	assert_true(imei->size > 0);
	for (uint32_t i = 0; i < imei->size; i++)
		assert_true((b[imei->offset + i] >> 4) >= 0xA);
	unifw_nvram_free(&nv);
	free(b);
}

static void check_secro(const char *dir)
{
	size_t len;
	uint8_t *b = read_in(dir, "secro.img", &len);
	struct unifw_secro r;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_secro_parse(b, len, "secro.img", &r, &err), 0);
	assert_true(r.andro_plaintext);
	assert_true(r.copy_count > 1);
	free(b);
}

static void check_package(const struct sim_firmware *fw, const struct sim_model *m)
{
	char *dir = test_mkdtemp();
	struct sim_factory_opts fo = { .seed = 7 };
	struct unifw_error err = { 0 };
	if (sim_factory_make(fw, m, dir, &fo, &err) != 0)
		fail_msg("factory %s: %s", fw->id, err.msg);
	check_scatter(dir, fw);
	check_preloader(dir, fw, m);
	check_mbr(dir, fw);
	check_lk(dir, fw);
	check_bootimg(dir, "boot.img", fw);
	check_bootimg(dir, "recovery.img", fw);
	check_logo(dir, fw);
	check_system(dir, fw);
	check_secro(dir);
	struct stat st;
	char path[1024];
	snprintf(path, sizeof path, "%s/factory", dir);
	if (m) {
		check_nvram(dir, m);
		snprintf(path, sizeof path, "%s/factory/protect_f.img", dir);
		assert_int_equal(stat(path, &st), 0);
	} else {
		assert_int_not_equal(stat(path, &st), 0); /* a universal ROM carries no phone identity */
	}
	test_rmtree(dir);
	free(dir);
}

static void test_stock_packages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_model_count(); i++)
		check_package(sim_model_at(i)->stock, sim_model_at(i));
}

static void test_universal_package(void **state)
{
	(void)state;
	const struct sim_firmware *u = sim_firmware_universal();
	assert_true(u->lcm_count > 1);
	check_package(u, NULL);
	/* several LCM drivers, but not every model's panel */
	size_t missing = 0;
	for (size_t i = 0; i < sim_model_count(); i++) {
		bool has = false;
		for (size_t k = 0; k < u->lcm_count; k++)
			has |= !strcmp(u->lcm[k], sim_model_at(i)->lcm);
		missing += !has;
	}
	assert_true(missing > 0 && missing < sim_model_count());
}

/* ------------------------------------------------------------------ the real `unifw info` */

static void test_unifw_info_reads_packages(void **state)
{
	(void)state;
	if (access(test_unifw_bin(), X_OK) != 0) {
		print_message("unifw binary %s not built: skipped\n", test_unifw_bin());
		skip();
	}
	for (size_t i = 0; i <= sim_model_count(); i++) {
		const struct sim_model *m = sim_model_at(i);
		const struct sim_firmware *fw = m ? m->stock : sim_firmware_universal();
		char *dir = test_mkdtemp(), cmd[2048], *out = NULL;
		struct unifw_error err = { 0 };
		assert_int_equal(sim_factory_make(fw, m, dir, NULL, &err), 0);
		/* --quiet prints only warnings and errors: a clean package prints nothing and exits 0 */
		snprintf(cmd, sizeof cmd, "'%s' info '%s' --quiet", test_unifw_bin(), dir);
		int rc = test_run(cmd, &out);
		if (rc != 0 || (out && *out))
			fail_msg("unifw info %s (%s): status %d: %s", fw->id, dir, rc, out ? out : "");
		free(out);
		out = NULL;
		snprintf(cmd, sizeof cmd, "'%s' info '%s' --json", test_unifw_bin(), dir);
		assert_int_equal(test_run(cmd, &out), 0);
		static const char *const types[] = { "\"preloader\"", "\"lk\"", "\"bootimg\"", "\"logo\"", "\"sparse\"",
						     "\"mbr\"", "\"ebr\"", "\"secro\"", "\"ext4\"" };
		for (size_t k = 0; k < sizeof types / sizeof *types; k++)
			if (!strstr(out, types[k]))
				fail_msg("unifw info %s: no %s item", fw->id, types[k]);
		assert_non_null(strstr(out, fw->project));
		assert_non_null(strstr(out, fw->lcm[0]));
		assert_non_null(strstr(out, fw->product_model));
		assert_non_null(strstr(out, sim_kernel_release(fw->android)));
		if (m) {
			assert_non_null(strstr(out, "\"nvram\""));
			char id[19];
			for (int b = 0; b < 9; b++)
				snprintf(id + 2 * b, 3, "%02x", m->mem->id[b]);
			assert_non_null(strstr(out, id)); /* the EMI part, as info prints its id */
		}
		free(out);
		test_rmtree(dir);
		free(dir);
	}
}

/* ------------------------------------------------------------------ determinism */

static void test_seeded_and_reproducible(void **state)
{
	(void)state;
	const struct sim_model *m = sim_model_at(0);
	uint8_t *a = NULL, *b = NULL, *c = NULL;
	size_t la, lb, lc;
	assert_int_equal(sim_build_bootimg(m->stock, NULL, false, 5, &a, &la, NULL), 0);
	assert_int_equal(sim_build_bootimg(m->stock, NULL, false, 5, &b, &lb, NULL), 0);
	assert_int_equal(sim_build_bootimg(m->stock, NULL, false, 6, &c, &lc, NULL), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_true(la != lc || memcmp(a, c, la) != 0);
	free(a);
	free(b);
	free(c);
	struct sim_nvram_set *s1 = malloc(sizeof *s1), *s2 = malloc(sizeof *s2);
	sim_nvram_files(m, 1, s1);
	sim_nvram_files(m, 2, s2);
	assert_memory_not_equal(s1->imei, s2->imei, sizeof s1->imei); /* per-seed opaque bytes */
	assert_memory_equal(s1->wifi, s2->wifi, sizeof s1->wifi);     /* the phone's own MAC either way */
	free(s1);
	free(s2);
}

/* The driver lists can be overridden (tests build kernels a port would carry). */
static void test_driver_override(void **state)
{
	(void)state;
	const struct sim_model *m = sim_model_at(0);
	static const char *const lcm[] = { "ili9806e_wvga_dsi_vdo" };
	static const char *const touch[] = { "ft5206" };
	struct sim_driver_set d = { lcm, 1, touch, 1 };
	uint8_t *k = NULL;
	size_t kl = 0;
	struct unifw_kernel_info *ki = malloc(sizeof *ki);
	assert_int_equal(sim_build_kernel(m->stock, &d, 1, &k, &kl, NULL), 0);
	assert_int_equal(unifw_kernel_inspect(k, kl, "k", NULL, ki, NULL), 0);
	assert_int_equal(ki->lcm.count, 1);
	assert_string_equal(ki->lcm.name[0], "ili9806e_wvga_dsi_vdo");
	assert_int_equal(ki->touch.count, 1);
	assert_string_equal(ki->touch.name[0], "ft5206");
	free(ki);
	free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_models_differ_like_real_phones),
		cmocka_unit_test(test_stock_packages),
		cmocka_unit_test(test_universal_package),
		cmocka_unit_test(test_unifw_info_reads_packages),
		cmocka_unit_test(test_seeded_and_reproducible),
		cmocka_unit_test(test_driver_override),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
