/* Fingerprints (include/unifw/fingerprint.h), the modem header (modem.h) and the sim kernels' records
 * (kernel.h unifw_kernel_find_records): against the virtual phone's own firmware factory (every model and
 * the universal package, as a folder and as a zip), two served virtual phones, and the
 * real corpus images. */
#include "testutil.h"

#include <strings.h>
#include <sys/stat.h>

#include "firmware/factory.h"
#include "firmware/fw_build.h"
#include "firmware/model.h"
#include "firmware/modem.h"
#include "jobs_sim.h"
#include "ops/fingerprint_internal.h"
#include "package_fixtures.h"
#include "unifw/bootimg.h"
#include "unifw/fingerprint.h"
#include "unifw/kernel.h"
#include "unifw/modem.h"
#include "unifw/package.h"
#include "unifw/phone.h"

/* ---------------------------------------------------------------- modem header */

static void modem_header_of_sim_images(void **state)
{
	(void)state;
	static const char *const types[] = { "2g", "wg" };
	for (size_t i = 0; i < 2; i++) {
		uint8_t *img = NULL;
		size_t len = 0;
		struct unifw_md_header h;
		struct unifw_error e = { 0 };
		assert_int_equal(sim_build_modem(types[i], "sim72_a516", 24u << 20, 7, &img, &len, &e), 0);
		assert_int_equal(unifw_md_header_parse(img, len, "modem", &h, &e), 0);
		assert_int_equal(h.header_version, SIM_MD_HEADER_VERSION);
		assert_int_equal(h.bind_sys_id, 1);
		assert_int_equal(h.mem_size, 24u << 20);
		assert_int_equal(h.md_img_size, SIM_MD_BODY_SIZE);
		assert_int_equal(h.image_type, i == 0 ? 1 : 2);
		assert_string_equal(h.platform, "MT6572_S00");
		assert_int_equal(h.size, UNIFW_MD_HEADER_SIZE);
		/* the same through a stream with random access, and one without (an archive member) */
		struct unifw_stream s;
		unifw_stream_from_mem(&s, img, len, "modem");
		struct unifw_md_header h2;
		assert_int_equal(unifw_md_header_read(&s, &h2, &e), 0);
		assert_memory_equal(&h, &h2, sizeof h);
		unifw_stream_close(&s);
		unifw_stream_from_mem(&s, img, len, "modem");
		s.pread = NULL;
		memset(&h2, 0xAA, sizeof h2);
		assert_int_equal(unifw_md_header_read(&s, &h2, &e), 0);
		assert_memory_equal(&h, &h2, sizeof h);
		unifw_stream_close(&s);
		/* a foreign modem: the fields the builder rewrites are the fields read */
		struct sim_md_header sh = { .verno = 3, .image_type = 2, .bind_sys_id = 2, .mem_size = 0x1234567,
					    .md_img_size = 99 };
		sim_md_header_write(img, len, &sh);
		assert_int_equal(unifw_md_header_parse(img, len, "modem", &h, &e), 0);
		assert_int_equal(h.header_version, 3);
		assert_int_equal(h.bind_sys_id, 2);
		assert_int_equal(h.mem_size, 0x1234567);
		assert_int_equal(h.md_img_size, 99);
		free(img);
	}
}

static void modem_header_hostile(void **state)
{
	(void)state;
	uint8_t *img = NULL;
	size_t len = 0;
	struct unifw_md_header h;
	struct unifw_error e = { 0 };
	assert_int_equal(sim_build_modem("wg", "sim72_a516", 22u << 20, 1, &img, &len, &e), 0);
	/* the last 188 bytes alone are enough; one byte fewer is not */
	assert_int_equal(unifw_md_header_parse(img + len - UNIFW_MD_HEADER_SIZE, UNIFW_MD_HEADER_SIZE, "tail", &h, &e), 0);
	assert_int_equal(unifw_md_header_parse(img + len - UNIFW_MD_HEADER_SIZE + 1, UNIFW_MD_HEADER_SIZE - 1, "tail", &h,
					       &e), UNIFW_E_TRUNCATED);
	assert_non_null(strstr(e.msg, "187 bytes"));
	assert_int_equal(unifw_md_header_parse(NULL, 0, "none", &h, &e), UNIFW_E_TRUNCATED);
	/* a header that moved by one byte (a truncated file) has no magic where the loader looks */
	assert_int_equal(unifw_md_header_parse(img, len - 1, "cut", &h, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, len - 1 - UNIFW_MD_HEADER_SIZE);
	/* a short stream of either kind */
	struct unifw_stream s;
	unifw_stream_from_mem(&s, img, 100, "short");
	assert_int_equal(unifw_md_header_read(&s, &h, &e), UNIFW_E_TRUNCATED);
	unifw_stream_close(&s);
	unifw_stream_from_mem(&s, img, 100, "short");
	s.pread = NULL;
	assert_int_equal(unifw_md_header_read(&s, &h, &e), UNIFW_E_TRUNCATED);
	unifw_stream_close(&s);
	free(img);
}

/* ---------------------------------------------------------------- kernel records */

static void records_hostile(void **state)
{
	(void)state;
	struct unifw_kernel_records r;
	static const char good[] = "xx\0" UNIFW_KERNEL_PTABLE_TAG "ANDROID 0x5740000 0xa000000 p5\nNVRAM 0x400000 0x500000 -\n\0"
				   "yy\0" UNIFW_KERNEL_CCCI_TAG "wg 0x1600000\n";
	unifw_kernel_find_records((const uint8_t *)good, sizeof good - 1, &r);
	assert_true(r.have_kmap);
	assert_int_equal(r.kmap_count, 2);
	assert_string_equal(r.kmap[0].name, "ANDROID");
	assert_int_equal(r.kmap[0].index, 5);
	assert_int_equal(r.kmap[0].offset, 0x5740000);
	assert_int_equal(r.kmap[1].index, 0);
	assert_true(r.have_ccci);
	assert_string_equal(r.md1_type, "wg");
	assert_int_equal(r.md1_reserved, 0x1600000);
	/* a bad line ends the map; a line cut by the end of the Image is not read */
	static const char bad[] = UNIFW_KERNEL_PTABLE_TAG "A 0x0 0x10 p2\nB 0x10 0x10 p999\nC 0x20 0x10 p3\n";
	unifw_kernel_find_records((const uint8_t *)bad, sizeof bad - 1, &r);
	assert_true(r.have_kmap);
	assert_int_equal(r.kmap_count, 1);
	static const char cut[] = UNIFW_KERNEL_PTABLE_TAG "A 0x0 0x10 p2\nB 0x10 0x1";
	unifw_kernel_find_records((const uint8_t *)cut, sizeof cut - 1, &r);
	assert_int_equal(r.kmap_count, 1);
	static const char ccci_bad[] = UNIFW_KERNEL_CCCI_TAG "wg 0x1ffffffff\n";
	unifw_kernel_find_records((const uint8_t *)ccci_bad, sizeof ccci_bad - 1, &r);
	assert_false(r.have_ccci);
	unifw_kernel_find_records(NULL, 0, &r);
	assert_false(r.have_kmap || r.have_ccci);
}

/* The corpus kernels are real: neither record. */
static void records_absent_in_corpus(void **state)
{
	(void)state;
	size_t n = 0;
	char **list = corpus_list("kernel", &n);
	size_t inspected = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		uint8_t *buf = corpus_read(list[i], &len);
		struct unifw_kernel_info *k = malloc(sizeof *k);
		uint8_t *img = NULL;
		size_t img_len = 0;
		struct unifw_kernel_opts o = { .image = &img, .image_len = &img_len };
		if (unifw_kernel_inspect(buf, len, list[i], &o, k, NULL) == 0) {
			struct unifw_kernel_records r;
			unifw_kernel_find_records(img, img_len, &r);
			assert_false(r.have_kmap);
			assert_false(r.have_ccci);
			assert_true(img_len > (1u << 20));
			inspected++;
		}
		free(img);
		free(k);
		free(buf);
	}
	assert_true(inspected >= 5);
	test_free_list(list, n);
}

/* ---------------------------------------------------------------- packages of the factory */

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = test_mkdtemp();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmtree(tmp);
	free(tmp);
	return 0;
}

static void make_package(const struct sim_firmware *fw, const struct sim_model *m, const char *name, char *dir,
			 size_t cap)
{
	struct unifw_error e = { 0 };
	snprintf(dir, cap, "%s/%s", tmp, name);
	if (access(dir, F_OK) == 0)
		return;
	if (sim_factory_make(fw, m, dir, NULL, &e) != 0)
		fail_msg("factory %s: %s", name, e.msg);
}

static struct unifw_fingerprint *fingerprint_ok(const char *path)
{
	struct unifw_fingerprint *fp = malloc(sizeof *fp);
	struct unifw_error e = { 0 };
	if (unifw_fingerprint_path(path, fp, &e) != 0)
		fail_msg("fingerprint %s: %s", path, e.msg);
	return fp;
}

static void expect_names(const struct unifw_names *got, const char *const *want, size_t n)
{
	assert_int_equal(got->count, n);
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(got->name[i], want[i]))
			fail_msg("driver %zu: %s, expected %s", i, got->name[i], want[i]);
}

/* What the factory put in: every fact the fingerprint reports of the firmware. */
static void check_firmware(const struct unifw_fingerprint *fp, const struct sim_firmware *fw)
{
	assert_int_equal(fp->source, UNIFW_FP_PACKAGE);
	assert_string_equal(fp->platform, "MT6572");
	assert_string_equal(fp->project, fw->project);
	assert_true(fp->have_layout);
	assert_int_equal(fp->boot_region, fw->boot_region);
	/* layout: every partition at the factory's address; ext4 partitions numbered from p2 in MBR order */
	struct sim_fw_part parts[SIM_MAX_PARTS];
	size_t n = sim_firmware_layout(fw, parts), mbr = 0;
	assert_int_equal(fp->part_count, n);
	for (size_t i = 0; i < n; i++) {
		const struct unifw_fp_part *p = unifw_fp_find_part(fp, parts[i].def->name);
		assert_non_null(p);
		assert_int_equal(p->linear, parts[i].linear);
		assert_int_equal(p->size, parts[i].size);
		assert_int_equal(p->mbr_index, parts[i].in_mbr ? 2 + mbr++ : 0);
	}
	/* preloader: both tables list the firmware's memory parts, in order */
	assert_true(fp->have_preloader);
	assert_string_equal(fp->preloader_platform, "MT6572");
	assert_int_equal(fp->preloader_dram_info_match, fw->emi_dram_info_check);
	assert_int_equal(fp->emi_tag_count, fw->emi_count);
	assert_true(fp->have_emi_compiled);
	assert_int_equal(fp->emi_compiled_count, fw->emi_count);
	for (size_t i = 0; i < fw->emi_count; i++) {
		assert_memory_equal(fp->emi_tag[i].id, fw->emi[i]->id, 9);
		assert_int_equal(fp->emi_tag[i].id_length, 9);
		assert_int_equal(fp->emi_tag[i].type, fw->emi[i]->type);
		assert_int_equal(fp->emi_tag[i].dram_vendor, fw->emi[i]->dram_vendor);
		assert_int_equal(fp->emi_tag[i].rank_size[0], fw->emi[i]->rank_size[0]);
		assert_memory_equal(fp->emi_compiled[i].id, fw->emi[i]->id, 9);
	}
	/* LK and kernel: the LCM list in its order, the touch drivers */
	assert_true(fp->have_lk);
	assert_true(fp->lk_has_header);
	expect_names(&fp->lk_lcm, fw->lcm, fw->lcm_count);
	assert_string_equal(fp->panel_rule, ""); /* a package is no phone */
	assert_true(fp->have_boot && fp->boot_valid);
	assert_int_equal(fp->boot_page_size, 2048);
	assert_string_equal(fp->boot_kernel_name, "KERNEL");
	assert_string_equal(fp->boot_ramdisk_name, "ROOTFS");
	assert_true(fp->ramdisk_has_init);
	assert_true(fp->have_kernel);
	assert_string_equal(fp->kernel_compression, fw->android == SIM_ANDROID_KK_442 ? "xz" : "gzip");
	expect_names(&fp->kernel_lcm, fw->lcm, fw->lcm_count);
	expect_names(&fp->kernel_touch, fw->touch, fw->touch_count);
	expect_names(&fp->kernel_camera, fw->camera, fw->camera_count);
	assert_true(fw->camera_count > 0);
	/* the kernel's records: its index map equals the layout's MBR order, MD1 as the firmware reserves */
	assert_true(fp->have_kmap);
	assert_false(fp->kmap_assumed);
	assert_true(fp->kmap_count > 0);
	for (size_t i = 0; i < fp->kmap_count; i++) {
		const struct unifw_fp_part *p = unifw_fp_find_part(fp, fp->kmap[i].name);
		assert_non_null(p);
		assert_int_equal(fp->kmap[i].index, p->mbr_index);
	}
	assert_true(fp->have_md1);
	assert_false(fp->md1_assumed);
	assert_string_equal(fp->md1_type, "wg");
	assert_int_equal(fp->md1_reserved, fw->md_reserved ? fw->md_reserved : SIM_MD1_MEM_SIZE);
	/* system: build.prop, the modem the kernel loads and its header, the database */
	assert_true(fp->have_android && fp->system_valid);
	assert_string_equal(fp->android_release, fw->android == SIM_ANDROID_KK_442 ? "4.4.2" : "4.2.2");
	assert_string_equal(fp->product_model, fw->product_model);
	assert_string_equal(fp->product_board, fw->board);
	assert_string_equal(fp->product_device, fw->device);
	assert_string_equal(fp->product_brand, fw->brand);
	assert_string_equal(fp->build_display, fw->display_id);
	assert_true(fp->have_modem);
	assert_string_equal(fp->modem_path, "/system/etc/firmware/modem_1_wg_n.img");
	assert_true(fp->modem_has_header);
	assert_int_equal(fp->md_header_version, SIM_MD_HEADER_VERSION);
	assert_int_equal(fp->md_bind_sys_id, 1);
	assert_int_equal(fp->md_mem_size, fw->md_mem_size ? fw->md_mem_size : SIM_MD1_MEM_SIZE);
	assert_int_equal(fp->md_img_size, SIM_MD_BODY_SIZE);
	assert_int_equal(fp->modem_size, SIM_MD_BODY_SIZE + SIM_MD_HEADER_SIZE);
	assert_true(fp->have_mddb);
	/* the WLAN module and its vermagic: built for this firmware's kernel */
	char vermagic[UNIFW_KMOD_VERMAGIC_MAX];
	snprintf(vermagic, sizeof vermagic, "%s SMP preempt mod_unload ARMv7 ", sim_kernel_release(fw->android));
	assert_true(fp->have_wlan && fp->wlan_module_present);
	assert_string_equal(fp->wlan_module_vermagic, vermagic);
	assert_true(unifw_kmod_release_matches(fp->wlan_module_vermagic, fp->kernel_version));
	/* the modem names the board it was built for; one touch firmware per touch driver of the firmware */
	char build_ver[80];
	snprintf(build_ver, sizeof build_ver, "%s%s", fw->project, SIM_MD_BUILD_VER_TAIL);
	assert_string_equal(fp->md_build_ver, build_ver);
	assert_true(fp->have_touch_fw);
	assert_int_equal(fp->touch_fw.count, fw->touch_count);
	for (size_t i = 0; i < fw->touch_count; i++)
		if (!unifw_names_has(&fp->touch_fw, fw->touch[i]))
			fail_msg("no %s_fw.bin in the fingerprint's touch firmware", fw->touch[i]);
	assert_true(fp->have_logo);
	assert_int_equal(fp->logo_width, fw->logo_width);
	assert_int_equal(fp->logo_height, fw->logo_height);
	assert_false(fp->have_identity);
	assert_false(fp->have_cid);
}

static void package_every_model(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_model_count(); i++) {
		const struct sim_model *m = sim_model_at(i);
		char dir[1024];
		make_package(m->stock, m, m->name, dir, sizeof dir);
		struct unifw_fingerprint *fp = fingerprint_ok(dir);
		check_firmware(fp, m->stock);
		free(fp);
	}
	char dir[1024];
	make_package(sim_firmware_universal(), NULL, "universal", dir, sizeof dir);
	struct unifw_fingerprint *fp = fingerprint_ok(dir);
	check_firmware(fp, sim_firmware_universal());
	assert_true(fp->lk_lcm.count > 1);
	free(fp);
}

/* The same package as a zip (one streamed pass; the system member extracted alone) and as its scatter
 * file: the same fingerprint, but for the path. */
static void package_zip_and_scatter(void **state)
{
	(void)state;
	const struct sim_model *m = sim_model_find("wiko-like");
	char dir[1024], zip[1100], scatter[1100];
	make_package(m->stock, m, m->name, dir, sizeof dir);
	static const char *const files[] = { "MT6572_Android_scatter.txt", "MBR", "EBR1", "lk.bin", "boot.img",
					     "recovery.img", "logo.bin", "secro.img", "system.img", "cache.img",
					     "userdata.img" };
	struct member mem[16];
	size_t n = 0;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[1200];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		snprintf(mem[n].name, sizeof mem[n].name, "fw/%s", files[i]);
		mem[n].data = test_read_file(path, &mem[n].len);
		n++;
	}
	char pl[1200];
	snprintf(pl, sizeof pl, "%s/preloader_%s.bin", dir, m->stock->project);
	snprintf(mem[n].name, sizeof mem[n].name, "fw/preloader_%s.bin", m->stock->project);
	mem[n].data = test_read_file(pl, &mem[n].len);
	n++;
	snprintf(zip, sizeof zip, "%s/wiko.zip", tmp);
	write_archive(zip, "zip", NULL, false, mem, n);
	free_members(mem, n);
	snprintf(scatter, sizeof scatter, "%s/MT6572_Android_scatter.txt", dir);
	struct unifw_fingerprint *a = fingerprint_ok(dir), *b = fingerprint_ok(zip), *c = fingerprint_ok(scatter);
	check_firmware(b, m->stock);
	assert_string_equal(b->path, zip);
	memset(a->path, 0, sizeof a->path);
	memset(b->path, 0, sizeof b->path);
	memset(c->path, 0, sizeof c->path);
	assert_memory_equal(a, b, sizeof *a);
	assert_memory_equal(a, c, sizeof *a);
	free(a);
	free(b);
	free(c);
}

/* ---------------------------------------------------------------- JSON */

static void fill(struct unifw_fingerprint *fp)
{
	memset(fp, 0, sizeof *fp);
	fp->source = UNIFW_FP_BACKUP;
	snprintf(fp->path, sizeof fp->path, "/backups/phone one");
	fp_note(fp, "first note");
	fp_note(fp, "second \"quoted\" note");
	snprintf(fp->platform, sizeof fp->platform, "MT6572");
	fp->hw_code = 0x6572;
	snprintf(fp->storage, sizeof fp->storage, "EMMC");
	snprintf(fp->project, sizeof fp->project, "proj");
	fp->have_layout = true;
	fp->boot_region = 0xC00000;
	fp->user_size = 0x1D1000000ull;
	for (size_t i = 0; i < 3; i++) {
		struct unifw_fp_part *p = &fp->parts[fp->part_count++];
		snprintf(p->name, sizeof p->name, "PART%zu", i);
		p->linear = 0xC00000 + i * 0x80000;
		p->size = 0x80000 + i;
		p->mbr_index = (unsigned)i + 2;
		p->download = i != 1;
		p->image_bytes = 1000 + i;
		snprintf(p->content, sizeof p->content, "ext4");
		p->has_sha256 = i == 2;
		if (p->has_sha256)
			memset(p->sha256, 0xAB, 32);
	}
	fp->have_cid = true;
	for (size_t i = 0; i < 16; i++)
		fp->cid[i] = (uint8_t)(0x11 * i);
	fp->have_preloader = true;
	snprintf(fp->preloader_platform, sizeof fp->preloader_platform, "MT6572");
	snprintf(fp->preloader_project, sizeof fp->preloader_project, "a516_row");
	fp->preloader_dram_info_match = true;
	for (size_t i = 0; i < 2; i++) {
		struct unifw_fp_emi *e = &fp->emi_tag[fp->emi_tag_count++];
		e->id[0] = 0x15;
		e->id[8] = (uint8_t)i;
		e->id_length = 9;
		e->type = 0x0202;
		e->dram_vendor = 6;
		e->rank_size[0] = 0x20000000;
		e->rank_size[1] = 0x10000000;
		fp->emi_compiled[fp->emi_compiled_count++] = *e;
	}
	fp->have_emi_compiled = true;
	fp->have_lk = true;
	fp->lk_has_header = true;
	snprintf(fp->lk_platform, sizeof fp->lk_platform, "mt6572");
	snprintf(fp->lk_project, sizeof fp->lk_project, "a516");
	unifw_names_add(&fp->lk_lcm, "otm8018b_dsi_vdo");
	unifw_names_add(&fp->lk_lcm, "hx8369b_fwvga_dsi_vdo");
	fp->lk_lcm.truncated = true;
	snprintf(fp->panel_lcm, sizeof fp->panel_lcm, "otm8018b_dsi_vdo");
	snprintf(fp->panel_rule, sizeof fp->panel_rule, "only_driver");
	fp->have_boot = true;
	fp->boot_valid = false;
	snprintf(fp->boot_problem, sizeof fp->boot_problem, "bad page");
	fp->boot_page_size = 4096;
	snprintf(fp->boot_kernel_name, sizeof fp->boot_kernel_name, "KERNEL");
	snprintf(fp->boot_ramdisk_name, sizeof fp->boot_ramdisk_name, "ROOTFS");
	fp->ramdisk_has_init = true;
	fp->have_kernel = true;
	snprintf(fp->kernel_version, sizeof fp->kernel_version, "3.4.67");
	snprintf(fp->kernel_compression, sizeof fp->kernel_compression, "xz");
	unifw_names_add(&fp->kernel_lcm, "nt35512_dsi_vdo");
	unifw_names_add(&fp->kernel_touch, "ft5206");
	fp->kernel_touch.truncated = true;
	unifw_names_add(&fp->kernel_camera, "ov5645_mipi_yuv");
	unifw_names_add(&fp->kernel_camera, "gc0329_yuv");
	fp->kernel_camera.truncated = true;
	fp->have_kmap = true;
	fp->kmap_assumed = true;
	snprintf(fp->kmap[0].name, sizeof fp->kmap[0].name, "ANDROID");
	fp->kmap[0].index = 5;
	snprintf(fp->kmap[1].name, sizeof fp->kmap[1].name, "NVRAM");
	fp->kmap_count = 2;
	fp->have_md1 = true;
	fp->md1_assumed = true;
	snprintf(fp->md1_type, sizeof fp->md1_type, "3g");
	fp->md1_reserved = 0x1600000;
	fp->have_android = true;
	fp->system_valid = true;
	snprintf(fp->android_release, sizeof fp->android_release, "4.4.2");
	snprintf(fp->product_board, sizeof fp->product_board, "board");
	snprintf(fp->product_device, sizeof fp->product_device, "device");
	snprintf(fp->product_model, sizeof fp->product_model, "Model X");
	snprintf(fp->product_brand, sizeof fp->product_brand, "brand");
	snprintf(fp->build_display, sizeof fp->build_display, "BUILD.1");
	fp->have_logo = true;
	fp->logo_width = 480;
	fp->logo_height = 854;
	fp->logo_frames = 13;
	fp->have_modem = true;
	snprintf(fp->modem_path, sizeof fp->modem_path, "/system/etc/firmware/modem.img");
	fp->modem_size = 5u << 20;
	fp->modem_has_header = true;
	fp->md_header_version = 2;
	fp->md_bind_sys_id = 1;
	fp->md_mem_size = 0x1800000;
	fp->md_img_size = 0x4FFF44;
	fp->have_mddb = true;
	fp->have_identity = true;
	fp->binregion_valid = true;
	fp->binregion_imei = true;
	fp->data_nvram = true;
	fp->data_imei = false;
	snprintf(fp->wifi_state, sizeof fp->wifi_state, "set");
	snprintf(fp->bt_state, sizeof fp->bt_state, "blank");
	fp->have_wlan = true;
	fp->wlan_module_present = true;
	snprintf(fp->wlan_module_vermagic, sizeof fp->wlan_module_vermagic, "3.4.67 SMP preempt mod_unload ARMv7 ");
	snprintf(fp->md_build_ver, sizeof fp->md_build_ver, "sim72_s4050.MD.MT6572.W1410");
	fp->have_touch_fw = true;
	fp->touch_fw.count = 2;
	snprintf(fp->touch_fw.name[0], UNIFW_NAME_LEN, "ft5206");
	snprintf(fp->touch_fw.name[1], UNIFW_NAME_LEN, "GT9XX_hotknot");
}

static void json_round_trip(void **state)
{
	(void)state;
	struct unifw_fingerprint *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct unifw_error e = { 0 };
	fill(a);
	struct unifw_jv *j = unifw_fingerprint_to_json(a);
	/* through text, as the catalog stores it */
	char *text = unifw_jv_to_string(j, false);
	struct unifw_jv *back = NULL;
	assert_int_equal(unifw_jv_parse(text, strlen(text), "fp", 1u << 20, 16, &back, &e), 0);
	assert_int_equal(unifw_fingerprint_from_json(back, b, &e), 0);
	assert_memory_equal(a, b, sizeof *a); /* every field survives */
	/* an empty fingerprint too: absent parts stay absent */
	memset(a, 0, sizeof *a);
	unifw_jv_free(j);
	j = unifw_fingerprint_to_json(a);
	assert_int_equal(unifw_fingerprint_from_json(j, b, &e), 0);
	assert_memory_equal(a, b, sizeof *a);
	assert_null(unifw_jv_get(j, "preloader"));
	unifw_jv_free(j);
	unifw_jv_free(back);
	free(text);
	free(a);
	free(b);
}

static void json_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *text, *needle;
		int code;
	} bad[] = {
		{"[]", "expected a JSON object", UNIFW_E_FORMAT},
		{"{\"version\": 99}", "version 99", UNIFW_E_UNSUPPORTED},
		{"{\"source\": \"tablet\"}", "fingerprint.source", UNIFW_E_FORMAT},
		{"{\"hw_code\": \"0x10000\"}", "fingerprint.hw_code: expected a smaller number", UNIFW_E_FORMAT},
		{"{\"cid\": \"00\"}", "fingerprint.cid", UNIFW_E_FORMAT},
		{"{\"layout\": {\"partitions\": [{\"linear\": \"0xzz\"}]}}", "linear", UNIFW_E_FORMAT},
		{"{\"lk\": {\"lcm\": [1]}}", "lcm", UNIFW_E_FORMAT},
		{"{\"lk\": []}", "fingerprint.lk: expected an object", UNIFW_E_FORMAT},
		{"{\"platform\": \"MT6572 and then a very long name\"}", "platform", UNIFW_E_FORMAT},
		{"{\"identity\": {\"data_imei\": 1}}", "data_imei: expected true or false", UNIFW_E_FORMAT},
	};
	struct unifw_fingerprint *fp = malloc(sizeof *fp);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct unifw_jv *j = NULL;
		struct unifw_error e = { 0 };
		assert_int_equal(unifw_jv_parse(bad[i].text, strlen(bad[i].text), "t", 4096, 16, &j, &e), 0);
		assert_int_equal(unifw_fingerprint_from_json(j, fp, &e), bad[i].code);
		if (!strstr(e.msg, bad[i].needle))
			fail_msg("case %zu: %s (expected %s)", i, e.msg, bad[i].needle);
		unifw_jv_free(j);
	}
	free(fp);
}

/* ---------------------------------------------------------------- phones */

/* Served by unifw-sim: the panel LK selects (each stock LK has one driver), the CID, the identity, and the
 * layout of the phone's own tables. Two models of different build (JB/gzip, one EBR; KK/xz, EBR2, a 20 MiB
 * boot region); e2e_fingerprint_sim checks the panel of every model against the sim's boot evaluation. */
static void phone_two_models(void **state)
{
	(void)state;
	static const char *const models[] = { "a516-like", "s10-like" };
	for (size_t i = 0; i < 2; i++) {
		const struct sim_model *m = sim_model_find(models[i]);
		assert_non_null(m);
		char dir[400], cmd[4096];
		snprintf(dir, sizeof dir, "%s/phone-%s", tmp, m->name);
		assert_int_equal(mkdir(dir, 0700), 0);
		struct jsim s;
		jsim_paths(&s, dir);
		snprintf(cmd, sizeof cmd, "'%s' make-emmc --model %s -o '%s' >/dev/null", jsim_bin(), m->name, s.emmc);
		assert_int_equal(system(cmd), 0);
		static const char *const preloader_mode[] = { "--mode", "preloader", "--preloader-window", "0", NULL };
		jsim_start(&s, preloader_mode);
		struct unifw_phone_open_opts o = { .port = s.port, .da_path = s.da, .high_speed = true };
		struct unifw_phone *ph = NULL;
		struct unifw_error e = { 0 };
		if (unifw_phone_open(&o, &ph, &e) != 0)
			fail_msg("open %s: %s", m->name, e.msg);
		struct unifw_fingerprint *fp = malloc(sizeof *fp);
		if (unifw_fingerprint_phone(ph, fp, &e) != 0)
			fail_msg("fingerprint %s: %s", m->name, e.msg);
		unifw_phone_close(ph);
		jsim_stop(&s);
		assert_int_equal(fp->source, UNIFW_FP_PHONE);
		assert_int_equal(fp->hw_code, 0x6572);
		assert_true(fp->have_cid);
		assert_memory_equal(fp->cid, m->cid, 15);
		assert_int_equal(fp->boot_region, m->stock->boot_region);
		assert_int_equal(fp->user_size, m->user_size);
		assert_string_equal(fp->panel_rule, "only_driver");
		assert_string_equal(fp->panel_lcm, m->lcm);
		expect_names(&fp->lk_lcm, m->stock->lcm, m->stock->lcm_count);
		expect_names(&fp->kernel_touch, m->stock->touch, m->stock->touch_count);
		expect_names(&fp->kernel_camera, m->stock->camera, m->stock->camera_count);
		assert_true(unifw_names_has(&fp->kernel_camera, m->camera)); /* its own sensor's driver */
		assert_false(fp->kmap_assumed);
		assert_true(fp->have_modem && fp->modem_has_header);
		assert_int_equal(fp->logo_width, m->stock->logo_width);
		assert_true(fp->have_identity);
		assert_true(fp->binregion_valid && fp->binregion_imei);
		assert_true(fp->data_nvram && fp->data_imei);
		assert_string_equal(fp->wifi_state, "set");
		assert_true(fp->have_wlan && fp->wlan_module_present); /* read through the DA like the modem */
		assert_true(unifw_kmod_release_matches(fp->wlan_module_vermagic, sim_kernel_release(m->stock->android)));
		const struct unifw_fp_part *android = unifw_fp_find_part(fp, "ANDROID");
		assert_non_null(android);
		assert_true(android->mbr_index >= 2);
		free(fp);
		test_rmtree(dir);
	}
}

/* ---------------------------------------------------------------- the WLAN module of a system */

enum wlan_case { WLAN_MODULE, WLAN_NONE, WLAN_DIRECTORY, WLAN_GARBAGE };

/* A system image with /build.prop and /lib/modules/wlan_mt.ko as the case says, through fp_from_system. */
static void system_with(enum wlan_case k, struct unifw_fingerprint *fp)
{
	char *dir = test_mkdtemp(), stage[1100], img[1100];
	struct unifw_error e = { 0 };
	snprintf(stage, sizeof stage, "%s/root", dir);
	snprintf(img, sizeof img, "%s/system.img", dir);
	assert_int_equal(sim_stage_file(stage, "build.prop", "ro.build.version.release=4.2.2\n", 31, &e), 0);
	uint8_t *ko = NULL;
	size_t len = 0;
	if (k == WLAN_MODULE || k == WLAN_GARBAGE) {
		assert_int_equal(sim_build_kmod("wlan_mt", "3.4.5" SIM_KMOD_VERMAGIC_TAIL, 1, &ko, &len, &e), 0);
		if (k == WLAN_GARBAGE)
			memset(ko, 0x5A, 64); /* no ELF header */
		assert_int_equal(sim_stage_file(stage, "lib/modules/wlan_mt.ko", ko, len, &e), 0);
	} else if (k == WLAN_DIRECTORY) {
		assert_int_equal(sim_stage_dir(stage, "lib/modules/wlan_mt.ko", &e), 0);
	}
	free(ko);
	if (sim_make_ext4(stage, 8u << 20, "system", img, false, 1, &e) != 0)
		fail_msg("mke2fs: %s", e.msg);
	struct unifw_stream st;
	struct unifw_ext4 *fs = NULL;
	assert_int_equal(unifw_stream_open_file(&st, img, &e), 0);
	assert_int_equal(unifw_ext4_open(&st, &fs, &e), 0);
	memset(fp, 0, sizeof *fp);
	struct fp_ctx *c = calloc(1, sizeof *c);
	c->fp = fp;
	fp_from_system(c, fs, "system.img");
	free(c);
	unifw_ext4_close(fs);
	unifw_stream_close(&st);
	test_rmtree(dir);
	free(dir);
}

static void system_wlan_module_states(void **state)
{
	(void)state;
	struct unifw_fingerprint *fp = malloc(sizeof *fp);
	system_with(WLAN_MODULE, fp);
	assert_true(fp->system_valid && fp->have_wlan && fp->wlan_module_present);
	assert_string_equal(fp->wlan_module_vermagic, "3.4.5 SMP preempt mod_unload ARMv7 ");
	system_with(WLAN_NONE, fp); /* known absent */
	assert_true(fp->have_wlan);
	assert_false(fp->wlan_module_present);
	system_with(WLAN_GARBAGE, fp); /* there, but the kernel finds no vermagic: present, none */
	assert_true(fp->have_wlan && fp->wlan_module_present);
	assert_string_equal(fp->wlan_module_vermagic, "");
	assert_non_null(strstr(fp->notes[fp->note_count - 1], "no vermagic"));
	system_with(WLAN_DIRECTORY, fp); /* not a file that can be read: unknown, a note says why */
	assert_false(fp->have_wlan);
	assert_non_null(strstr(fp->notes[fp->note_count - 1], "wlan_mt.ko: not read"));
	/* unknown stays unknown through JSON; known absent stays known */
	struct unifw_fingerprint *back = malloc(sizeof *back);
	struct unifw_jv *j = unifw_fingerprint_to_json(fp);
	assert_null(unifw_jv_path(j, "android.wlan_module_present"));
	assert_int_equal(unifw_fingerprint_from_json(j, back, NULL), 0);
	assert_false(back->have_wlan);
	unifw_jv_free(j);
	system_with(WLAN_NONE, fp);
	j = unifw_fingerprint_to_json(fp);
	assert_int_equal(unifw_fingerprint_from_json(j, back, NULL), 0);
	assert_true(back->have_wlan);
	assert_false(back->wlan_module_present);
	unifw_jv_free(j);
	free(back);
	free(fp);
}

/* ---------------------------------------------------------------- touch controller firmware */

/* /system/etc/firmware: non-empty T_fw.bin files are listed; an empty one (the universal build's bind
 * placeholder), a directory of that name, a bare "_fw.bin" and other files are not. */
static void system_touch_firmware_listed(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), stage[1100], img[1100];
	struct unifw_error e = { 0 };
	snprintf(stage, sizeof stage, "%s/root", dir);
	snprintf(img, sizeof img, "%s/system.img", dir);
	static const uint8_t fw[64] = { 1, 2, 3 };
	assert_int_equal(sim_stage_file(stage, "build.prop", "ro.build.version.release=4.4.2\n", 31, &e), 0);
	assert_int_equal(sim_stage_file(stage, "etc/firmware/gt9xx_fw.bin", fw, sizeof fw, &e), 0);
	assert_int_equal(sim_stage_file(stage, "etc/firmware/ft5206_fw.bin", "", 0, &e), 0);
	assert_int_equal(sim_stage_file(stage, "etc/firmware/_fw.bin", fw, sizeof fw, &e), 0);
	assert_int_equal(sim_stage_file(stage, "etc/firmware/WIFI_RAM_CODE_MT6572", fw, sizeof fw, &e), 0);
	assert_int_equal(sim_stage_dir(stage, "etc/firmware/msg2133a_fw.bin", &e), 0);
	if (sim_make_ext4(stage, 8u << 20, "system", img, false, 1, &e) != 0)
		fail_msg("mke2fs: %s", e.msg);
	struct unifw_stream st;
	struct unifw_ext4 *fs = NULL;
	assert_int_equal(unifw_stream_open_file(&st, img, &e), 0);
	assert_int_equal(unifw_ext4_open(&st, &fs, &e), 0);
	struct unifw_fingerprint *fp = calloc(1, sizeof *fp), *back = calloc(1, sizeof *back);
	struct fp_ctx *c = calloc(1, sizeof *c);
	c->fp = fp;
	fp_from_system(c, fs, "system.img");
	assert_true(fp->have_touch_fw);
	assert_int_equal(fp->touch_fw.count, 1);
	assert_string_equal(fp->touch_fw.name[0], "gt9xx");
	assert_false(fp->touch_fw.truncated);
	/* through JSON; a fingerprint from before issue 14 has no android.touch_firmware: unknown */
	struct unifw_jv *j = unifw_fingerprint_to_json(fp);
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "android.touch_firmware.0")), "gt9xx");
	assert_int_equal(unifw_fingerprint_from_json(j, back, NULL), 0);
	assert_true(back->have_touch_fw);
	assert_true(unifw_names_has(&back->touch_fw, "gt9xx"));
	unifw_jv_free(j);
	fp->have_touch_fw = false;
	j = unifw_fingerprint_to_json(fp);
	assert_null(unifw_jv_path(j, "android.touch_firmware"));
	assert_int_equal(unifw_fingerprint_from_json(j, back, NULL), 0);
	assert_false(back->have_touch_fw);
	assert_int_equal(back->touch_fw.count, 0);
	unifw_jv_free(j);
	free(c);
	free(fp);
	free(back);
	unifw_ext4_close(fs);
	unifw_stream_close(&st);
	test_rmtree(dir);
	free(dir);
}

/* ---------------------------------------------------------------- the real corpus */

/* Each corpus preloader, LK, kernel, boot image and logo through its extractor: read, without error. */
static void corpus_images(void **state)
{
	(void)state;
	static const struct {
		const char *dir;
		void (*fn)(struct fp_ctx *, const uint8_t *, size_t, const char *);
	} kinds[] = {
		{"preloader", fp_from_preloader}, {"lk", fp_from_lk}, {"kernel", fp_from_kernel}, {"logo", fp_from_logo},
	};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		size_t n = 0, ok = 0;
		char **list = corpus_list(kinds[k].dir, &n);
		for (size_t i = 0; i < n; i++) {
			if (strstr(list[i], "boot_emmc.img"))
				continue; /* a whole boot image in kernel/: below */
			struct unifw_fingerprint *fp = calloc(1, sizeof *fp);
			struct fp_ctx c = { .fp = fp };
			size_t len = 0;
			uint8_t *buf = corpus_read(list[i], &len);
			kinds[k].fn(&c, buf, len, list[i]);
			bool got = k == 0 ? fp->have_preloader : k == 1 ? fp->have_lk : k == 2 ? fp->have_kernel : fp->have_logo;
			if (!got)
				fail_msg("%s: %s", list[i], fp->note_count ? fp->notes[0] : "nothing read");
			if (k == 0)
				assert_true(fp->emi_tag_count > 0 || strstr(list[i], "NO_GFH"));
			if (k == 1)
				assert_true(fp->lk_lcm.count > 0);
			if (k == 2) {
				assert_true(fp->kernel_version[0] == '3');
				assert_false(fp->have_kmap); /* fp_finish did not run: nothing assumed */
			}
			ok++;
			free(buf);
			free(fp);
		}
		assert_true(ok >= 2);
		test_free_list(list, n);
	}
}

/* A folder of corpus dumps (no scatter): each kind by its content, the kernel's map and MD1 assumed. */
static void corpus_loose_folder(void **state)
{
	(void)state;
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/corpus", tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	static const char *const files[] = { "preloader/mt6572_lenovo_a516_S117_preloader_a516_row.bin",
					     "lk/mt6572_lenovo_a516_S117_lk.bin", "logo/mt6572_lenovo_a516_logo.bin",
					     "kernel/mt6572_orangepi3giot_boot_emmc.img" };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		size_t len = 0;
		uint8_t *buf = corpus_read(files[i], &len);
		char path[1200];
		snprintf(path, sizeof path, "%s/%s", dir, strrchr(files[i], '/') + 1);
		test_write_file(path, buf, len);
		free(buf);
	}
	struct unifw_fingerprint *fp = fingerprint_ok(dir);
	assert_false(fp->have_layout);
	assert_true(fp->have_preloader);
	assert_string_equal(fp->preloader_project, "a516_row");
	assert_true(fp->have_emi_compiled);
	assert_true(fp->have_lk);
	assert_true(fp->have_logo);
	assert_int_equal(fp->logo_width, 480);
	assert_true(fp->have_boot && fp->boot_valid);
	assert_true(fp->have_kernel);
	assert_true(fp->have_md1 && fp->md1_assumed);
	assert_string_equal(fp->md1_type, "wg");
	assert_int_equal(fp->md1_reserved, 22u << 20);
	assert_false(fp->have_kmap); /* no layout to assume it from */
	free(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modem_header_of_sim_images),
		cmocka_unit_test(modem_header_hostile),
		cmocka_unit_test(system_touch_firmware_listed),
		cmocka_unit_test(records_hostile),
		cmocka_unit_test(records_absent_in_corpus),
		cmocka_unit_test(package_every_model),
		cmocka_unit_test(package_zip_and_scatter),
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(json_malformed),
		cmocka_unit_test(phone_two_models),
		cmocka_unit_test(system_wlan_module_states),
		cmocka_unit_test(corpus_images),
		cmocka_unit_test(corpus_loose_folder),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
