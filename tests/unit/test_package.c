/* Packages, backup folders and `unifw info`, on real corpus files (fixtures: package_fixtures.h). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "package_fixtures.h"
#include "unifw/archive.h"
#include "unifw/bootimg.h"
#include "unifw/detect.h"
#include "unifw/info.h"
#include "unifw/package.h"
#include "unifw/sparse.h"

/* --- packages ------------------------------------------------------------------------------------------ */

static void package_folder_joins_scatter_and_images(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	write_folder(dir, m, A516_COUNT);
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->source, UNIFW_PACKAGE_FOLDER);
	check_a516_model(p, m);
	assert_string_equal(p->base_dir, "");
	assert_string_equal(unifw_package_type(p), "package");
	/* 6 MiB boot region: the A516 MBR sits at linear 0x600000 (corpus README). */
	assert_int_equal(unifw_scatter_boot_region(&p->chosen->sc), 0x600000);
	unifw_package_free(p);

	/* Through unifw_info: the report the CLI prints. */
	struct unifw_jv *r = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(dir, &r, &e), 0);
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "package");
	assert_string_equal(unifw_jv_key_at(r, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "source")), "folder");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.0.name")), "PRELOADER");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.0.linear")), "0x0");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "partitions.0.size")), 0x600000);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.0.image.kind")), "preloader");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "partitions.0.image.size")), m[1].len);
	assert_int_equal(strlen(unifw_jv_str(unifw_jv_path(r, "partitions.0.image.sha256"))), 64);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.9.status")), "missing");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.platform")), "MT6572");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.project")), "a516_row");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.boot_region")), "0x600000");
	/* logo.bin: 43 frames of 480x854 (PROVENANCE) */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.logo.resolution")), "480x854");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "summary.logo.frame_count")), 43);
	/* The A516 preloader's EMI table lists the Samsung N5U00M part (docs/format-preloader.md). */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.preloader.project")), "a516_row");
	assert_true(unifw_jv_len(unifw_jv_path(r, "summary.preloader.memory_parts")) >= 1);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "summary.images.missing")), 5);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "summary.images.present")), 6);
	assert_int_equal(unifw_jv_len(unifw_jv_get(r, "extra_files")), 0);
	unifw_jv_free(r);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void package_archives_match_the_folder(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	static const struct {
		const char *file, *format, *filter;
		bool store;
	} kinds[] = {{"fw.zip", "zip", NULL, false}, {"fw-stored.zip", "zip", NULL, true}, {"fw.7z", "7zip", NULL, false},
		     {"fw.tar.gz", "pax", "gzip", false}, {"fw.tar.bz2", "pax", "bzip2", false}};
	/* Scatter and images in a nested folder, plus a readme the scatter does not name. */
	struct member m[A516_COUNT + 1];
	a516_members(m, "Firmware/Lenovo A516 S117/");
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "readme.txt");
	m[A516_COUNT].data = (uint8_t *)strdup("flash with SP Flash Tool\n");
	m[A516_COUNT].len = strlen((char *)m[A516_COUNT].data);
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, kinds[k].file);
		write_archive(path, kinds[k].format, kinds[k].filter, kinds[k].store, m, A516_COUNT + 1);
		struct unifw_package *p = open_ok(path);
		assert_int_equal(p->source, UNIFW_PACKAGE_ARCHIVE);
		check_a516_model(p, m);
		assert_string_equal(p->base_dir, "Firmware/Lenovo A516 S117");
		if (kinds[k].filter && !strcmp(kinds[k].filter, "bzip2")) {
			/* a bzip2 block yields nothing from the first 64 KiB: the probe cannot tell */
			size_t len;
			uint8_t *buf = test_read_file(path, &len);
			assert_true(len > UNIFW_DETECT_HEAD);
			assert_false(unifw_archive_probe(buf, UNIFW_DETECT_HEAD));
			assert_true(unifw_archive_compressed(buf, UNIFW_DETECT_HEAD));
			free(buf);
		}
		/* unifw_info finds the package from the file's content (the .tar.bz2 only by trying) */
		struct unifw_jv *r = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		assert_int_equal(unifw_info(path, &r, &e), 0);
		assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "package");
		unifw_jv_free(r);
		assert_int_equal(count_findings(p, "extra-files", NULL), 1);
		assert_true(p->archive_format[0] != 0);
		unifw_package_free(p);
	}
	free_members(m, A516_COUNT + 1);
	test_rmtree(dir);
	free(dir);
}

static void package_flags_too_big_and_wrong_content(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	/* lk.bin padded one byte past UBOOT's 0x60000 (still an lk image, just too big). */
	m[4].data = realloc(m[4].data, 0x60001);
	memset(m[4].data + m[4].len, 0, 0x60001 - m[4].len);
	m[4].len = 0x60001;
	/* The MBR sector where the preloader should be, the logo where SEC_RO's secro.img should be. */
	free(m[1].data);
	m[1].data = corpus_read("ptable/mt6572_lenovo_a516_MBR.bin", &m[1].len);
	free(m[6].data);
	m[6].data = corpus_read("logo/mt6572_lenovo_a516_logo.bin", &m[6].len);
	write_folder(dir, m, A516_COUNT);
	struct unifw_package *p = open_ok(dir);
	expect_part(p, "UBOOT", "too_big", "lk");
	assert_int_equal(count_findings(p, "image-too-big", "UBOOT"), 1);
	expect_part(p, "PRELOADER", "wrong_type", "mbr");
	expect_part(p, "SEC_RO", "wrong_type", "logo");
	assert_int_equal(count_findings(p, "image-wrong-type", NULL), 2);
	/* SEC_RO holds 0x40000 bytes; the 322362-byte logo does not fit either. */
	assert_int_equal(count_findings(p, "image-too-big", "SEC_RO"), 1);
	/* Too big (twice) and a wrong preloader are errors; a logo in SEC_RO is only a warning. */
	assert_int_equal(unifw_findings_count(&p->findings, UNIFW_SEV_ERROR), 3);
	assert_int_equal(unifw_findings_count(&p->findings, UNIFW_SEV_WARNING), 1 + 5 /* missing images */);
	unifw_package_free(p);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

/* The A516 boot image rebuilt with our boot image writer from the corpus pieces: the S117 boot header,
 * and the S117 zImage behind its own KERNEL header (no ramdisk in the corpus). */
static uint8_t *build_a516_boot(size_t *len)
{
	size_t hl, ml, zl;
	uint8_t *hdr = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_image.hdr", &hl);
	uint8_t *mtk = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr", &ml);
	uint8_t *zimg = corpus_read("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", &zl);
	struct unifw_bootimg_hdr h;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_bootimg_hdr_parse(hdr, hl, "boot.hdr", &h, &e), 0);
	uint8_t *kernel = malloc(ml + zl);
	memcpy(kernel, mtk, ml);
	memcpy(kernel + ml, zimg, zl);
	uint8_t *out = NULL;
	if (unifw_bootimg_build(&h, kernel, ml + zl, NULL, 0, NULL, 0, true, &out, len, &e) != 0)
		fail_msg("boot image writer: %s", e.msg);
	free(hdr);
	free(mtk);
	free(zimg);
	free(kernel);
	return out;
}

/* A516 package plus boot.img (A516 kernel 3.4.5, LCM otm8018b_dsi_vdo like its LK), recovery.img (the
 * Orange Pi 3G-IoT boot image: kernel 3.4.67, LCM st7701_fwvga_dsi_vdo_boe, touch gslX68X: not the
 * A516's display) and system.img (ext4 made by mke2fs -d from a folder holding build.prop, turned
 * sparse by our own writer). The summary reads them back; the foreign kernel's LCM list is flagged. */
static void package_summary_reads_kernel_and_android(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char cmd[8192], path[4096], raw[4096];
	struct member m[A516_COUNT + 2];
	a516_members(m, "pkg/");
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "pkg/boot.img");
	m[A516_COUNT].data = build_a516_boot(&m[A516_COUNT].len);
	snprintf(m[A516_COUNT + 1].name, sizeof m[A516_COUNT + 1].name, "pkg/recovery.img");
	m[A516_COUNT + 1].data = corpus_read("kernel/mt6572_orangepi3giot_boot_emmc.img", &m[A516_COUNT + 1].len);
	write_folder(dir, m, A516_COUNT + 2);
	snprintf(path, sizeof path, "%s/rootfs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/rootfs/build.prop", dir);
	const char *prop = "ro.build.version.release=4.2.2\nro.build.version.sdk=17\nro.product.model=Lenovo A516\n"
			   "ro.product.brand=Lenovo\nro.build.display.id=A516_S117\n";
	test_write_file(path, prop, strlen(prop));
	snprintf(raw, sizeof raw, "%s/system.raw", dir);
	snprintf(cmd, sizeof cmd, "mke2fs -q -F -t ext4 -b 4096 -L system -d '%s/rootfs' '%s' 8M >/dev/null 2>&1", dir,
		 raw);
	if (test_run(cmd, NULL) != 0)
		skip(); /* e2fsprogs missing */
	struct unifw_error e;
	unifw_error_clear(&e);
	snprintf(path, sizeof path, "%s/pkg/system.img", dir);
	if (unifw_sparse_write_file(raw, path, NULL, NULL, &e) != 0)
		fail_msg("sparse writer: %s", e.msg);

	snprintf(path, sizeof path, "%s/pkg", dir);
	struct unifw_package *p = open_ok(path);
	expect_part(p, "BOOTIMG", "ok", "bootimg");
	expect_part(p, "RECOVERY", "ok", "bootimg");
	expect_part(p, "ANDROID", "ok", "sparse");
	assert_int_equal(part(p, "ANDROID")->image_bytes, 8 << 20); /* expanded size, not the file's */
	assert_int_equal(count_findings(p, "image-missing", NULL), 2);
	assert_int_equal(count_findings(p, "lcm-mismatch", "RECOVERY"), 1);
	assert_int_equal(count_findings(p, "lcm-mismatch", "BOOTIMG"), 0);
	unifw_package_free(p);

	struct unifw_jv *r = NULL;
	assert_int_equal(unifw_info(path, &r, &e), 0);
	/* PROVENANCE: A516 S117 kernel is Linux 3.4.5; the OPi one 3.4.67 */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.boot.kernel_version")), "3.4.5");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.boot.lcm.0")), "otm8018b_dsi_vdo");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.recovery.kernel_version")), "3.4.67");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.recovery.lcm.0")), "st7701_fwvga_dsi_vdo_boe");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.recovery.touch.0")), "gslX68X");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.android.version")), "4.2.2");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.android.build")), "A516_S117");
	const struct unifw_jv *prod = unifw_jv_path(r, "summary.android.product");
	assert_string_equal(unifw_jv_str(unifw_jv_get(prod, "ro.product.model")), "Lenovo A516");
	assert_string_equal(unifw_jv_str(unifw_jv_get(prod, "ro.product.brand")), "Lenovo");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.16.name")), "ANDROID");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "partitions.16.image.written_size")), 8 << 20);
	unifw_jv_free(r);
	free_members(m, A516_COUNT + 2);
	test_rmtree(dir);
	free(dir);
}

/* The A516 preloader with its platform strings changed to MT6582 (a preloader for another chip). */
static void preloader_for_another_chip_is_an_error(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	size_t changed = 0;
	for (size_t at = 0; (at = unifw_test_find(m[1].data, m[1].len, at, "MT6572")) != SIZE_MAX; at += 6) {
		memcpy(m[1].data + at, "MT6582", 6);
		changed++;
	}
	assert_true(changed >= 1);
	write_folder(dir, m, A516_COUNT);
	struct unifw_package *p = open_ok(dir);
	expect_part(p, "PRELOADER", "wrong_platform", "preloader");
	assert_int_equal(count_findings(p, "preloader-wrong-platform", "PRELOADER"), 1);
	assert_int_equal(unifw_findings_count(&p->findings, UNIFW_SEV_ERROR), 1);
	unifw_package_free(p);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void duplicate_and_case_clashing_names_reported(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char zip[4096];
	struct member m[A516_COUNT + 1];
	a516_members(m, "");
	/* "LK.BIN" matches the scatter's "lk.bin" as well: Windows would extract one over the other. */
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "LK.BIN");
	m[A516_COUNT].data = corpus_read("lk/mt6572_lenovo_a516_S118_lk.bin", &m[A516_COUNT].len);
	snprintf(zip, sizeof zip, "%s/dup.zip", dir);
	write_archive(zip, "zip", NULL, false, m, A516_COUNT + 1);
	struct unifw_package *p = open_ok(zip);
	assert_int_equal(count_findings(p, "duplicate-name", NULL), 1);
	/* The first one (the S117 lk) is the partition's image, and it is refused as ambiguous. */
	const struct unifw_package_partition *pp = part(p, "UBOOT");
	assert_string_equal(pp->item->path, "lk.bin");
	assert_int_equal(pp->item->size, m[4].len);
	assert_string_equal(pp->status, "unreadable");
	assert_non_null(pp->item->error);
	assert_non_null(strstr(pp->item->error, "ambiguous"));
	assert_int_equal(count_findings(p, "image-unreadable", "UBOOT"), 1);
	unifw_package_free(p);
	free_members(m, A516_COUNT + 1);
	test_rmtree(dir);
	free(dir);
}

static void several_scatters_prefers_the_mt6572_one(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT + 2];
	a516_members(m, "");
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "MT6592_Android_scatter.txt");
	m[A516_COUNT].data = corpus_read("scatter/mt6592_bq_aquaris_e10_kaito_wifi.txt", &m[A516_COUNT].len);
	snprintf(m[A516_COUNT + 1].name, sizeof m[A516_COUNT + 1].name, "ota/ota_scatter.txt");
	m[A516_COUNT + 1].data = corpus_read("scatter/mt6572_lenovo_a316i_spark_ota_scatter.txt", &m[A516_COUNT + 1].len);
	write_folder(dir, m, A516_COUNT + 2);
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->scatter_count, 3);
	assert_string_equal(p->chosen->item->path, "MT6572_Android_scatter.txt");
	assert_int_equal(count_findings(p, "several-scatters", NULL), 1);
	check_a516_model(p, m);
	unifw_package_free(p);
	free_members(m, A516_COUNT + 2);
	test_rmtree(dir);
	free(dir);
}

static void backup_folder_recognised_and_hashes_checked(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	write_folder(dir, m, A516_COUNT);
	char lk_hex[65], manifest[1024], path[4096];
	sha_hex_of(m[4].data, m[4].len, lk_hex);
	snprintf(manifest, sizeof manifest,
		 "{\"kind\": \"unifw-backup\", \"version\": 1, \"model\": \"Lenovo A516\",\n"
		 " \"images\": [{\"partition\": \"UBOOT\", \"file\": \"lk.bin\", \"sha256\": \"%s\"},\n"
		 "   {\"partition\": \"LOGO\", \"file\": \"logo.bin\", \"sha256\": \"%064d\"},\n"
		 "   {\"partition\": \"NVRAM\", \"file\": \"nvram.bin\", \"sha256\": \"%064d\"}]}\n",
		 lk_hex, 0, 0);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	test_write_file(path, manifest, strlen(manifest));
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_BACKUP);
	assert_string_equal(unifw_package_type(p), "backup");
	assert_string_equal(unifw_jv_str(unifw_jv_get(p->manifest, "model")), "Lenovo A516");
	assert_int_equal(count_findings(p, "backup-hash-mismatch", NULL), 1);
	assert_int_equal(count_findings(p, "backup-file-missing", NULL), 1);
	expect_part(p, "UBOOT", "ok", "lk");
	unifw_package_free(p);
	/* A backup without a scatter: still a backup, its files listed and hash-checked. */
	snprintf(path, sizeof path, "%s/MT6572_Android_scatter.txt", dir);
	snprintf(manifest, sizeof manifest, "%s.scatter", dir); /* beside the folder, unique like it */
	assert_int_equal(rename(path, manifest), 0);
	p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_BACKUP);
	assert_null(p->chosen);
	assert_int_equal(count_findings(p, "backup-hash-mismatch", NULL), 1);
	struct unifw_jv *r = unifw_package_to_json(p);
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "backup");
	assert_int_equal(unifw_jv_len(unifw_jv_get(r, "files")), A516_COUNT - 1);
	assert_null(unifw_jv_get(r, "extra_files"));
	unifw_jv_free(r);
	unifw_package_free(p);
	assert_int_equal(rename(manifest, path), 0);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	/* Another manifest kind is just a file. */
	const char *other = "{\"kind\": \"something-else\"}";
	test_write_file(path, other, strlen(other));
	p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_FIRMWARE);
	assert_int_equal(count_findings(p, "manifest-unreadable", NULL), 0);
	unifw_package_free(p);
	/* A unifw manifest whose keys do not read as such is reported, naming the key. */
	static const struct {
		const char *text, *needle;
		enum unifw_package_kind kind;
	} bad[] = {
		{"{\"kind\": \"unifw-backup\", \"version\": \"1\"}",
		 "manifest key \"version\": expected a non-negative number, found a string", UNIFW_PACKAGE_FIRMWARE},
		{"{\"kind\": \"unifw-backup\", \"version\": 7}",
		 "manifest key \"version\": expected a number from 1 to 1, found 7", UNIFW_PACKAGE_FIRMWARE},
		{"{\"kind\": \"unifw-backup\", \"version\": 1, \"partitions\": [{\"file\": \"lk.bin\", \"sha256\": \"zz\"}]}",
		 "manifest entry key \"sha256\": expected 64 hex digits, found \"zz\"", UNIFW_PACKAGE_BACKUP},
		{"{\"kind\": \"unifw-backup\", \"version\": 1,\n \"partitions\": [1, 2,]}",
		 "not valid JSON: JSON line 2, column 22", UNIFW_PACKAGE_FIRMWARE},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		test_write_file(path, bad[i].text, strlen(bad[i].text));
		p = open_ok(dir);
		assert_int_equal(p->kind, bad[i].kind);
		size_t hits = 0;
		for (size_t k = 0; k < p->findings.count; k++)
			hits += !strcmp(p->findings.items[k].code, "manifest-unreadable") &&
				strstr(p->findings.items[k].msg, bad[i].needle);
		if (hits != 1)
			fail_msg("%s: no manifest-unreadable finding with \"%s\"", bad[i].text, bad[i].needle);
		unifw_package_free(p);
	}
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void loose_folder_lists_described_files(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	write_folder(dir, m + 1, A516_COUNT - 1); /* no scatter */
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_LOOSE);
	assert_string_equal(unifw_package_type(p), "folder");
	assert_int_equal(p->item_count, A516_COUNT - 1);
	assert_int_equal(count_findings(p, "no-scatter", NULL), 1);
	struct unifw_jv *r = unifw_package_to_json(p);
	assert_int_equal(unifw_jv_len(unifw_jv_get(r, "files")), A516_COUNT - 1);
	/* sorted by path: EBR1, MBR, lk.bin, logo.bin, preloader..., secro.img */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "files.0.path")), "EBR1");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "files.0.kind")), "ebr");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "files.3.kind")), "logo");
	unifw_jv_free(r);
	unifw_package_free(p);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void info_on_single_images_and_bad_paths(void **state)
{
	(void)state;
	struct unifw_jv *r = NULL;
	struct unifw_error e;
	const char *lk = corpus_path("lk/mt6572_lenovo_a516_S117_lk.bin");
	char lk_path[4096];
	snprintf(lk_path, sizeof lk_path, "%s", lk);
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(lk_path, &r, &e), 0);
	assert_string_equal(unifw_jv_key_at(r, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "lk");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(r, "file_size")), 255856); /* PROVENANCE */
	assert_int_equal(strlen(unifw_jv_str(unifw_jv_get(r, "sha256"))), 64);
	unifw_jv_free(r);

	char *dir = test_mkdtemp();
	char path[4096];
	/* empty file: error at offset 0 */
	snprintf(path, sizeof path, "%s/empty.bin", dir);
	test_write_file(path, "", 0);
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(path, &r, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, 0);
	assert_string_equal(e.where, path);
	/* missing path */
	snprintf(path, sizeof path, "%s/nope.bin", dir);
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(path, &r, &e), UNIFW_E_IO);
	assert_string_equal(e.where, path);
	/* a logo cut short: the logo module names the offset where it ends */
	size_t len;
	uint8_t *logo = corpus_read("logo/mt6572_lenovo_a516_logo.bin", &len);
	snprintf(path, sizeof path, "%s/logo_cut.bin", dir);
	test_write_file(path, logo, 4096);
	unifw_error_clear(&e);
	int rc = unifw_info(path, &r, &e);
	assert_true(rc < 0);
	assert_string_equal(e.where, path);
	assert_true(e.offset != UNIFW_NO_OFFSET);
	free(logo);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(package_folder_joins_scatter_and_images),
		cmocka_unit_test(package_archives_match_the_folder),
		cmocka_unit_test(package_flags_too_big_and_wrong_content),
		cmocka_unit_test(package_summary_reads_kernel_and_android),
		cmocka_unit_test(preloader_for_another_chip_is_an_error),
		cmocka_unit_test(duplicate_and_case_clashing_names_reported),
		cmocka_unit_test(several_scatters_prefers_the_mt6572_one),
		cmocka_unit_test(backup_folder_recognised_and_hashes_checked),
		cmocka_unit_test(loose_folder_lists_described_files),
		cmocka_unit_test(info_on_single_images_and_bad_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
