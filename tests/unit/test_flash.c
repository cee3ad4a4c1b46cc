/* unifw flash without a phone: the plan (every refusal with its message), the EMMC_BOOT wrapper against
 * the corpus boot-region dump, sparse images cut into ranges without expanding DONT_CARE, the journal
 * (round trip, damage, another phone, another package) and the executor against an in-memory phone
 * (bit-exact result, cuts at ten points each resumed, a lying eMMC caught by the read-back, nothing sent
 * for a refused plan or bad options). Packages are built in a temporary folder with the project's
 * writers (scatter, MBR/EBR, sparse) around the real Lenovo A516 preloader and Mobiwire S10 lk. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ops/flash_internal.h"
#include "unifw/emi.h"
#include "unifw/flash.h"
#include "unifw/identify.h"
#include "unifw/mbr.h"
#include "unifw/package.h"
#include "unifw/pmt.h"
#include "unifw/preloader.h"
#include "unifw/scatter.h"
#include "unifw/sparse.h"
#include "util/bytes.h"

#define BOOT_REGION 0xC00000u
#define USER_SIZE (48u << 20)
#define BOOT1_SIZE (4u << 20)
#define RANGE (256u << 10)
#define A516_PRELOADER "preloader/mt6572_lenovo_a516_S118_preloader_a516_row.bin"

/* The Lenovo A516's eMMC (Samsung KMN5U000ZM "N5U00M", which the A516 preloader's EMI table lists);
 * serial, date and CRC made up. */
static const uint8_t A516_CID[16] = {0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30,
				     0x4D, 0x10, 0x5A, 0x17, 0x6A, 0x2C, 0xB3, 0x01};
/* A Hynix part that preloader does not list. */
static const uint8_t HYNIX_CID[16] = {0x90, 0x01, 0x4A, 0x48, 0x38, 0x47, 0x31, 0x65,
				      0x02, 0x10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x01};

struct part_def {
	const char *name;
	uint64_t linear, size;
	const char *file;
	bool download;
	const char *type, *region, *optype;
	bool in_mbr;
};

static const struct part_def LAYOUT[] = {
	{"PRELOADER", 0, BOOT_REGION, "preloader_a516_row.bin", true, "SV5_BL_BIN", "EMMC_BOOT_1", "BOOTLOADERS", false},
	{"MBR", 0xC00000, 0x80000, "MBR", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"EBR1", 0xC80000, 0x80000, "EBR1", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"PRO_INFO", 0xD00000, 0x100000, "pro_info.bin", true, "NORMAL_ROM", "EMMC_USER", "PROTECTED", false},
	{"NVRAM", 0xE00000, 0x100000, "nvram.bin", true, "NORMAL_ROM", "EMMC_USER", "BINREGION", false},
	{"PROTECT_F", 0xF00000, 0x100000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "PROTECTED", true},
	{"PROTECT_S", 0x1000000, 0x100000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "PROTECTED", true},
	{"UBOOT", 0x1100000, 0x80000, "lk.bin", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"BOOTIMG", 0x1180000, 0x200000, "boot.img", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"ANDROID", 0x1380000, 0x800000, "system.img", true, "YAFFS_IMG", "EMMC_USER", "UPDATE", true},
	{"CACHE", 0x1B80000, 0x200000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "INVISIBLE", true},
	{"USRDATA", 0x1D80000, 0x400000, "userdata.img", true, "YAFFS_IMG", "EMMC_USER", "UPDATE", true},
	{"BMTPOOL", 0xFFFF0008, 0x100000, "NONE", false, "NONE", "EMMC_USER", "RESERVED", false},
};
#define NPARTS (sizeof LAYOUT / sizeof *LAYOUT)

static void fill_random(uint8_t *b, size_t n, uint32_t seed)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
	for (size_t i = 0; i < n; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		b[i] = (uint8_t)s;
	}
}

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* ---------------------------------------------------------------- package fixture */

static void write_scatter(const char *dir, const struct part_def *parts, size_t n)
{
	struct unifw_scatter sc;
	struct unifw_error e;
	char path[4096];
	memset(&sc, 0, sizeof sc);
	sc.dialect = UNIFW_SCATTER_V1;
	snprintf(sc.config_version, sizeof sc.config_version, "V1.1.1");
	snprintf(sc.platform, sizeof sc.platform, "MT6572");
	snprintf(sc.project, sizeof sc.project, "unifwtest");
	snprintf(sc.storage, sizeof sc.storage, "EMMC");
	snprintf(sc.boot_channel, sizeof sc.boot_channel, "MSDC_0");
	sc.block_size = 0x20000;
	sc.info_keys = (1u << UNIFW_SCATTER_I_COUNT) - 1;
	sc.parts = calloc(n, sizeof *sc.parts);
	sc.count = n;
	for (size_t i = 0; i < n; i++) {
		struct unifw_scatter_part *p = &sc.parts[i];
		p->index = (int)i;
		snprintf(p->name, sizeof p->name, "%s", parts[i].name);
		snprintf(p->file_name, sizeof p->file_name, "%s", parts[i].file);
		p->is_download = parts[i].download;
		snprintf(p->type, sizeof p->type, "%s", parts[i].type);
		p->linear_start = parts[i].linear;
		p->size = parts[i].size;
		snprintf(p->region, sizeof p->region, "%s", parts[i].region);
		snprintf(p->storage, sizeof p->storage, "HW_STORAGE_EMMC");
		p->boundary_check = true;
		snprintf(p->operation_type, sizeof p->operation_type, "%s", parts[i].optype);
		p->keys = (1u << UNIFW_SCATTER_K_COUNT) - 1;
	}
	path_in(path, sizeof path, dir, "MT6572_Android_scatter.txt");
	if (unifw_scatter_save(&sc, UNIFW_SCATTER_V1, path, &e))
		fail_msg("scatter_save: %s", e.msg);
	free(sc.parts);
}

/* MBR and EBR1 sectors for the ext4 partitions of a layout, as ptgen writes them. */
static void build_mbr(const struct part_def *parts, size_t n, uint8_t out[1024])
{
	struct unifw_mbr_layout_part lp[16];
	size_t k = 0;
	uint64_t ebr1 = 0;
	struct unifw_error e;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].in_mbr)
			lp[k++] = (struct unifw_mbr_layout_part){.offset = parts[i].linear - BOOT_REGION, .size = parts[i].size};
		if (!strcmp(parts[i].name, "EBR1"))
			ebr1 = parts[i].linear - BOOT_REGION;
	}
	struct unifw_mbr_layout l = {.parts = lp, .count = k, .ebr_offsets = &ebr1, .ebr_count = 1, .last_to_end = false};
	if (unifw_mbr_build(&l, out, 1024, &e))
		fail_msg("mbr_build: %s", e.msg);
}

/* A raw image with holes, data, a repeated pattern and zeros, turned into a sparse image whose zero
 * and hole blocks are DONT_CARE. */
static void write_sparse(const char *dir, const char *name, uint64_t raw_size, uint32_t seed)
{
	char raw[4096], out[4096];
	struct unifw_error e;
	snprintf(raw, sizeof raw, "%s/%s.raw", dir, name);
	path_in(out, sizeof out, dir, name);
	int fd = open(raw, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)raw_size), 0);
	size_t chunk = 640u << 10;
	uint8_t *b = malloc(chunk);
	fill_random(b, chunk, seed);
	assert_int_equal(pwrite(fd, b, chunk, 0), (ssize_t)chunk);
	for (size_t i = 0; i < chunk; i += 4)
		memcpy(b + i, "\xAB\xCD\x12\x34", 4);
	assert_int_equal(pwrite(fd, b, 256u << 10, 1u << 20), (ssize_t)(256u << 10));
	fill_random(b, chunk, seed + 7);
	if (raw_size > (3u << 20))
		assert_int_equal(pwrite(fd, b, chunk, 3u << 20), (ssize_t)chunk);
	memset(b, 0, chunk);
	assert_int_equal(pwrite(fd, b, 64u << 10, 2u << 20), (ssize_t)(64u << 10));
	free(b);
	close(fd);
	struct unifw_sparse_write_opts o = {.block_size = 4096, .zeros_as_dont_care = true};
	if (unifw_sparse_write_file(raw, out, &o, NULL, &e))
		fail_msg("sparse: %s", e.msg);
}

static void write_random(const char *dir, const char *name, size_t len, uint32_t seed)
{
	char path[4096];
	uint8_t *b = malloc(len ? len : 1);
	fill_random(b, len, seed);
	path_in(path, sizeof path, dir, name);
	test_write_file(path, b, len);
	free(b);
}

static void copy_corpus(const char *dir, const char *rel, const char *name)
{
	size_t len;
	uint8_t *b = corpus_read(rel, &len);
	char path[4096];
	path_in(path, sizeof path, dir, name);
	test_write_file(path, b, len);
	free(b);
}

/* The package folder: <root>/pkg; the raw sources of sparse images stay in <root>. */
static char *make_package(const char *root, const struct part_def *parts, size_t n)
{
	char *pkg;
	uint8_t mbr[1024];
	assert_true(asprintf(&pkg, "%s/pkg", root) > 0);
	mkdir(pkg, 0755);
	write_scatter(pkg, parts, n);
	copy_corpus(pkg, A516_PRELOADER, "preloader_a516_row.bin");
	build_mbr(parts, n, mbr);
	char path[4096];
	path_in(path, sizeof path, pkg, "MBR");
	test_write_file(path, mbr, 512);
	path_in(path, sizeof path, pkg, "EBR1");
	test_write_file(path, mbr + 512, 512);
	write_random(pkg, "pro_info.bin", 64u << 10, 11);
	write_random(pkg, "nvram.bin", 96u << 10, 12);
	copy_corpus(pkg, "lk/mt6572_mobiwire_s10_lk.bin", "lk.bin");
	write_random(pkg, "boot.img", (1u << 20) + 3, 13);
	write_sparse(pkg, "system.img", 6u << 20, 14);
	write_sparse(pkg, "userdata.img", 4u << 20, 15);
	/* the raw sources are not part of the package */
	snprintf(path, sizeof path, "mv '%s'/*.raw '%s'/", pkg, root);
	assert_int_equal(system(path), 0);
	return pkg;
}

static struct unifw_package *open_pkg(const char *path)
{
	struct unifw_package *p = NULL;
	struct unifw_error e;
	if (unifw_package_open(path, &p, &e))
		fail_msg("package_open: %s", e.msg);
	assert_int_equal(p->kind, UNIFW_PACKAGE_FIRMWARE);
	return p;
}

/* ---------------------------------------------------------------- phone facts */

struct phone_tables {
	struct unifw_pmt pmt;
	uint8_t mbr[1024];
};

static void tables_from_layout(struct phone_tables *t, const struct part_def *parts, size_t n)
{
	memset(t, 0, sizeof *t);
	snprintf(t->pmt.version, sizeof t->pmt.version, "1.0");
	for (size_t i = 0; i < n && i < UNIFW_PMT_MAX_ENTRIES; i++) {
		snprintf(t->pmt.entry[i].name, sizeof t->pmt.entry[i].name, "%s", parts[i].name);
		t->pmt.entry[i].offset = parts[i].linear;
		t->pmt.entry[i].size = parts[i].size;
		t->pmt.count++;
	}
	build_mbr(parts, n, t->mbr);
}

static void facts_from_tables(struct unifw_flash_facts *f, const struct phone_tables *t, const uint8_t cid[16])
{
	struct unifw_mbr_table mbr;
	struct unifw_error e;
	const uint8_t *secs[2] = {t->mbr, t->mbr + 512};
	const size_t lens[2] = {512, 512};
	memset(f, 0, sizeof *f);
	f->mode = "preloader";
	if (cid)
		memcpy(f->cid, cid, 16);
	f->boot1_size = BOOT1_SIZE;
	f->user_size = USER_SIZE;
	f->boot_region = BOOT_REGION;
	if (unifw_mbr_table_from_sectors(secs, lens, 2, USER_SIZE / 512, &mbr, &e))
		fail_msg("mbr table: %s", e.msg);
	if (unifw_phone_layout_merge(t->pmt.count ? &t->pmt : NULL, &mbr, BOOT_REGION, USER_SIZE, &f->layout, &e))
		fail_msg("layout merge: %s", e.msg);
	f->have_layout = true;
}

static void default_facts(struct unifw_flash_facts *f, const uint8_t cid[16])
{
	static struct phone_tables t;
	tables_from_layout(&t, LAYOUT, NPARTS);
	facts_from_tables(f, &t, cid);
}

static const struct unifw_flash_entry *entry(const struct unifw_flash_plan *p, const char *name)
{
	for (size_t i = 0; i < p->count; i++)
		if (!strcmp(p->entries[i].name, name))
			return &p->entries[i];
	fail_msg("no plan entry %s", name);
	return NULL;
}

static void plan_ok(const struct unifw_package *pkg, const struct unifw_flash_facts *f,
		    const struct unifw_flash_plan_opts *o, struct unifw_flash_plan *plan)
{
	struct unifw_error e;
	if (unifw_flash_plan(pkg, f, o, plan, &e))
		fail_msg("plan: %s", e.msg);
}

static bool has_finding(const struct unifw_flash_plan *p, const char *code, const char *needle)
{
	for (size_t i = 0; i < p->findings.count; i++)
		if (!strcmp(p->findings.items[i].code, code) && (!needle || strstr(p->findings.items[i].msg, needle)))
			return true;
	return false;
}

struct fixture {
	char *root;
	char *pkg_path;
	struct unifw_package *pkg;
};

static void fixture_open(struct fixture *fx, const struct part_def *parts, size_t n)
{
	fx->root = test_mkdtemp();
	fx->pkg_path = make_package(fx->root, parts, n);
	fx->pkg = open_pkg(fx->pkg_path);
}

static void fixture_close(struct fixture *fx)
{
	unifw_package_free(fx->pkg);
	test_rmtree(fx->root);
	free(fx->root);
	free(fx->pkg_path);
}

/* ---------------------------------------------------------------- plan */

static void plan_writes_skips_and_says_why(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	fixture_open(&fx, LAYOUT, NPARTS);
	default_facts(&f, A516_CID);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_int_equal(plan.refusals, 0);
	assert_true(plan.layout_checked);
	assert_int_equal(plan.diff_count, 0);
	assert_int_equal(plan.boot_region, BOOT_REGION);

	const struct unifw_flash_entry *e = entry(&plan, "PRELOADER");
	assert_int_equal(e->action, UNIFW_FLASH_SKIP);
	assert_string_equal(e->code, "preloader_not_requested");
	assert_non_null(strstr(e->reason, "--with-preloader"));
	assert_non_null(strstr(e->reason, "lists the phone's memory part Samsung N5U00M"));
	e = entry(&plan, "NVRAM");
	assert_int_equal(e->action, UNIFW_FLASH_SKIP);
	assert_string_equal(e->code, "identity");
	assert_true(e->identity);
	assert_non_null(strstr(e->reason, "--include-identity"));
	assert_string_equal(entry(&plan, "PRO_INFO")->code, "identity");
	assert_string_equal(entry(&plan, "PROTECT_F")->code, "not_downloaded");
	assert_string_equal(entry(&plan, "BMTPOOL")->code, "not_downloaded");

	e = entry(&plan, "MBR");
	assert_int_equal(e->action, UNIFW_FLASH_WRITE);
	assert_int_equal(e->part, UNIFW_PHONE_USER);
	assert_int_equal(e->offset, 0);
	assert_int_equal(e->form, UNIFW_FLASH_FORM_RAW);
	e = entry(&plan, "UBOOT");
	assert_int_equal(e->action, UNIFW_FLASH_WRITE);
	assert_int_equal(e->offset, 0x1100000 - BOOT_REGION);
	assert_int_equal(e->image_bytes, 0x60000); /* the Mobiwire lk dump */
	e = entry(&plan, "ANDROID");
	assert_int_equal(e->action, UNIFW_FLASH_WRITE);
	assert_int_equal(e->form, UNIFW_FLASH_FORM_SPARSE);
	assert_int_equal(e->image_bytes, 6u << 20); /* expanded, not the file size */
	assert_true(e->image_size < e->image_bytes);
	assert_int_equal(plan.writes, 6); /* MBR EBR1 UBOOT BOOTIMG ANDROID USRDATA */

	/* JSON: type first, stable keys */
	struct unifw_jv *j = unifw_flash_plan_to_json(&plan);
	assert_string_equal(unifw_jv_key_at(j, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(j, "type")), "flash_plan");
	assert_true(unifw_jv_truthy(unifw_jv_get(j, "ok")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "partitions.0.action")), "skip");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "partitions.9.form")), "sparse");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "partitions.9.offset")), "0x780000");
	assert_string_equal(unifw_jv_str(unifw_jv_get(j, "cid")), "1501004e355530304d105a176a2cb301");
	unifw_jv_free(j);
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

/* Replace one image of the fixture's package and open it again. */
static void fixture_reopen(struct fixture *fx)
{
	unifw_package_free(fx->pkg);
	fx->pkg = open_pkg(fx->pkg_path);
}

static void plan_refuses_an_image_larger_than_its_partition(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	fixture_open(&fx, LAYOUT, NPARTS);
	default_facts(&f, A516_CID);
	write_random(fx.pkg_path, "boot.img", 0x200000 + 512, 21);
	write_sparse(fx.pkg_path, "system.img", 9u << 20, 22); /* expands past the 8 MiB ANDROID */
	fixture_reopen(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_int_equal(plan.refusals, 2);
	const struct unifw_flash_entry *e = entry(&plan, "BOOTIMG");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "too_big");
	assert_non_null(strstr(e->reason, "5056/5069"));
	assert_non_null(strstr(e->reason, "holds 2 MiB (2097152 bytes)"));
	assert_non_null(strstr(e->reason, "512 bytes into the next partition"));
	e = entry(&plan, "ANDROID");
	assert_string_equal(e->code, "too_big");
	assert_non_null(strstr(e->reason, "once unsparsed"));
	assert_non_null(strstr(e->reason, "1048576 bytes into the next partition"));
	struct unifw_jv *j = unifw_flash_plan_to_json(&plan);
	assert_false(unifw_jv_truthy(unifw_jv_get(j, "ok")));
	assert_int_equal(unifw_jv_u64(unifw_jv_get(j, "refusals")), 2);
	unifw_jv_free(j);
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

static const struct unifw_flash_layout_diff *diff(const struct unifw_flash_plan *p, const char *code, const char *name)
{
	for (size_t i = 0; i < p->diff_count; i++)
		if (!strcmp(p->diffs[i].code, code) && !strcmp(p->diffs[i].name, name))
			return &p->diffs[i];
	return NULL;
}

/* SP Flash Tool's 8038 "PMT changed": the phone's table and the package's scatter disagree. */
static void plan_refuses_a_package_for_another_layout(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	static struct phone_tables t;
	fixture_open(&fx, LAYOUT, NPARTS);
	tables_from_layout(&t, LAYOUT, NPARTS);
	for (size_t i = 0; i < UNIFW_PMT_MAX_ENTRIES; i++) {
		struct unifw_pmt_entry *pe = &t.pmt.entry[i];
		if (!strcmp(pe->name, "ANDROID")) {
			pe->offset += 0x100000;
			pe->size -= 0x100000;
		} else if (!strcmp(pe->name, "CACHE")) {
			snprintf(pe->name, sizeof pe->name, "FAT"); /* the phone has FAT where the package has CACHE */
			pe->offset = 0x2180000;
		}
	}
	facts_from_tables(&f, &t, A516_CID);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_true(plan.refusals >= 1);
	const struct unifw_flash_layout_diff *d = diff(&plan, "start", "ANDROID");
	assert_non_null(d);
	assert_int_equal(d->package_start, 0x1380000);
	assert_int_equal(d->phone_start, 0x1480000);
	assert_non_null(strstr(d->text, "starts at 0x1380000 in the package but at 0x1480000 on the phone"));
	d = diff(&plan, "size", "ANDROID");
	assert_non_null(d);
	assert_non_null(strstr(d->text, "8 MiB in the package but 7 MiB on the phone"));
	assert_non_null(diff(&plan, "missing_on_phone", "CACHE"));
	d = diff(&plan, "not_in_package", "FAT");
	assert_non_null(d);
	assert_int_equal(d->phone_start, 0x2180000);
	assert_true(has_finding(&plan, "layout-changed", "8038 \"PMT changed\""));
	assert_true(has_finding(&plan, "layout-changed", "Format All + Download would erase NVRAM"));
	assert_true(has_finding(&plan, "layout-changed", "ANDROID starts at 0x1380000"));
	struct unifw_jv *j = unifw_flash_plan_to_json(&plan);
	assert_true(unifw_jv_len(unifw_jv_path(j, "layout.differences")) >= 4);
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "findings.0.code")), "layout-changed");
	unifw_jv_free(j);
	unifw_flash_plan_free(&plan);

	/* a phone without PMT: the MBR/EBR positions still have to agree */
	static struct part_def moved[NPARTS];
	memcpy(moved, LAYOUT, sizeof moved);
	for (size_t i = 0; i < NPARTS; i++)
		if (!strcmp(moved[i].name, "USRDATA"))
			moved[i].linear += 0x80000;
	tables_from_layout(&t, moved, NPARTS);
	memset(&t.pmt, 0, sizeof t.pmt);
	facts_from_tables(&f, &t, A516_CID);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_true(has_finding(&plan, "no-pmt", NULL));
	d = diff(&plan, "mbr_start", "mmcblk0p6");
	assert_non_null(d);
	assert_int_equal(d->phone_start, 0x1E00000);
	assert_true(plan.refusals >= 1);
	unifw_flash_plan_free(&plan);

	/* ...and an unchanged MBR without PMT passes */
	tables_from_layout(&t, LAYOUT, NPARTS);
	memset(&t.pmt, 0, sizeof t.pmt);
	facts_from_tables(&f, &t, A516_CID);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_int_equal(plan.diff_count, 0);
	assert_int_equal(plan.refusals, 0);
	assert_string_equal(entry(&plan, "PMT")->code, "write_pmt");
	unifw_flash_plan_free(&plan);

	/* a blank eMMC: nothing to compare, said so */
	memset(&f, 0, sizeof f);
	memcpy(f.cid, A516_CID, 16);
	f.boot1_size = BOOT1_SIZE;
	f.user_size = USER_SIZE;
	f.boot_region = BOOT_REGION;
	snprintf(f.layout_note, sizeof f.layout_note, "neither a PMT nor an MBR");
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_false(plan.layout_checked);
	assert_true(has_finding(&plan, "no-partition-table", "neither a PMT nor an MBR"));
	assert_false(has_finding(&plan, "boot-region-differs", NULL));
	assert_int_equal(plan.refusals, 0);
	/* ... and gets the package's layout as a PMT, written last */
	const struct unifw_flash_entry *pe = &plan.entries[plan.count - 1];
	assert_string_equal(pe->name, "PMT");
	assert_string_equal(pe->code, "write_pmt");
	assert_int_equal(pe->offset, USER_SIZE - 0x100000);
	assert_int_equal(pe->form, UNIFW_FLASH_FORM_PMT);
	unifw_flash_plan_free(&plan);
	/* a resumed job whose PMT is already on the phone still plans it, with the same plan hash */
	struct unifw_flash_plan again;
	struct unifw_flash_facts full;
	struct unifw_flash_plan_opts forced = o;
	forced.force_pmt = true;
	default_facts(&full, A516_CID);
	plan_ok(fx.pkg, &full, &forced, &again);
	assert_string_equal(again.entries[again.count - 1].name, "PMT");
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_memory_equal(again.sha256, plan.sha256, 32);
	unifw_flash_plan_free(&again);
	unifw_flash_plan_free(&plan);
	/* boot partitions of another size than the package's boot region: said */
	f.boot_region = 0x600000;
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_true(has_finding(&plan, "boot-region-differs", "at linear 0xc00000, the phone's boot partitions end at 0x600000"));
	unifw_flash_plan_free(&plan);
	/* a user area so small that the PMT's place falls inside an image: refused */
	f.user_size = 0x1380000;
	plan_ok(fx.pkg, &f, &o, &plan);
	pe = &plan.entries[plan.count - 1];
	assert_string_equal(pe->code, "pmt_overlap");
	assert_non_null(strstr(pe->reason, "inside USRDATA"));
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

static void plan_writes_the_preloader_only_when_asked_and_fitting(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true};
	size_t pl_len;
	free(corpus_read(A516_PRELOADER, &pl_len));
	fixture_open(&fx, LAYOUT, NPARTS);

	default_facts(&f, A516_CID);
	plan_ok(fx.pkg, &f, &o, &plan);
	const struct unifw_flash_entry *e = entry(&plan, "PRELOADER");
	assert_int_equal(e->action, UNIFW_FLASH_WRITE);
	assert_int_equal(e->form, UNIFW_FLASH_FORM_PRELOADER);
	assert_int_equal(e->part, UNIFW_PHONE_BOOT1);
	assert_int_equal(e->offset, 0);
	assert_int_equal(e->image_bytes, UNIFW_FLASH_BOOT1_GFH_OFFSET + pl_len);
	assert_non_null(strstr(e->reason, "Samsung N5U00M"));
	assert_int_equal(plan.refusals, 0);
	unifw_flash_plan_free(&plan);

	/* a phone with a Hynix part: refused with the parts the table does list */
	default_facts(&f, HYNIX_CID);
	plan_ok(fx.pkg, &f, &o, &plan);
	e = entry(&plan, "PRELOADER");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "emi_mismatch");
	assert_non_null(strstr(e->reason, "Samsung N5U00M (15 01 00 4e 35 55 30 30 4d)"));
	assert_non_null(strstr(e->reason, "not the phone's Hynix H8G1e"));
	assert_non_null(strstr(e->reason, "nor does its compiled emi_settings[]"));
	assert_non_null(strstr(e->reason, "BROM/test-point recovery"));
	assert_int_equal(plan.refusals, 1);
	unifw_flash_plan_free(&plan);

	/* not asked for: skipped, and told not to */
	o.with_preloader = false;
	plan_ok(fx.pkg, &f, &o, &plan);
	e = entry(&plan, "PRELOADER");
	assert_int_equal(e->action, UNIFW_FLASH_SKIP);
	assert_non_null(strstr(e->reason, "do not write it to this phone"));
	assert_int_equal(plan.refusals, 0);
	unifw_flash_plan_free(&plan);

	/* CID unknown: cannot be checked, refused */
	o.with_preloader = true;
	default_facts(&f, NULL);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_string_equal(entry(&plan, "PRELOADER")->code, "cid_unknown");
	unifw_flash_plan_free(&plan);

	/* BROM mode before report 2: the DA's DRAM info carries the same ID */
	memcpy(f.dram_info, A516_CID, 9);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_int_equal(entry(&plan, "PRELOADER")->action, UNIFW_FLASH_WRITE);
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

/* The A516 preloader with one of its two EMI tables edited through the project's parsers: `compiled`
 * picks emi_settings[] (else the MTK_BLOADER_INFO tag); in every entry listing the A516 part, `field`
 * (an offset from the entry's start) gets `value`. Written over the package's preloader. */
static void edit_emi_table(const struct fixture *fx, bool compiled, size_t field, uint8_t value)
{
	size_t len;
	uint8_t *b = corpus_read(A516_PRELOADER, &len);
	struct unifw_preloader pl;
	struct unifw_emi_table t;
	struct unifw_emi_compiled c;
	struct unifw_error e;
	assert_int_equal(unifw_preloader_parse(b, len, "pl", &pl, &e), 0);
	assert_int_equal(unifw_preloader_emi_table(b, len, &pl, &t, &e), 0);
	assert_int_equal(unifw_preloader_emi_compiled(b, len, &pl, &c, &e), 0);
	size_t edited = 0, n = compiled ? c.count : t.count;
	for (size_t i = 0; i < n; i++) {
		const struct unifw_emi_entry *x = compiled ? &c.entry[i] : &t.entry[i];
		if ((x->type >> 8) != 2 || memcmp(x->id, A516_CID, x->id_length))
			continue;
		uint64_t at = compiled ? c.offset + 4 + i * UNIFW_EMI_COMPILED_ENTRY_SIZE
				       : t.entries_offset + i * UNIFW_EMI_ENTRY_SIZE;
		b[at + field] = value;
		edited++;
	}
	assert_true(edited >= 1);
	char path[4096];
	path_in(path, sizeof path, fx->pkg_path, "preloader_a516_row.bin");
	test_write_file(path, b, len);
	free(b);
}

/* Issue 8.1: the compiled emi_settings[] is what the preloader runs; a tag that lists the part is not enough. */
static void plan_refuses_a_preloader_whose_compiled_emi_table_lacks_the_part(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true};
	fixture_open(&fx, LAYOUT, NPARTS);
	default_facts(&f, A516_CID);

	/* emi_settings[] entry ID[0] (after the u32 type) becomes Hynix's MID: the tag still lists the part */
	edit_emi_table(&fx, true, 4, 0x90);
	fixture_reopen(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	const struct unifw_flash_entry *e = entry(&plan, "PRELOADER");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "emi_settings_mismatch");
	assert_non_null(strstr(e->reason, "MTK_BLOADER_INFO tag) lists the phone's Samsung N5U00M"));
	assert_non_null(strstr(e->reason, "compiled emi_settings[] the preloader runs at power-on lists"));
	assert_non_null(strstr(e->reason, "and not that part"));
	assert_int_equal(plan.refusals, 1);
	unifw_flash_plan_free(&plan);
	/* not asked for: skipped, with the same warning */
	o.with_preloader = false;
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_string_equal(entry(&plan, "PRELOADER")->code, "preloader_not_requested");
	assert_non_null(strstr(entry(&plan, "PRELOADER")->reason, "do not write it to this phone"));
	unifw_flash_plan_free(&plan);
	o.with_preloader = true;

	/* both list the part, but the compiled entry's EMI_Freq (tail +0x04, after type and 12-byte ID) differs */
	edit_emi_table(&fx, true, 4 + UNIFW_EMI_COMPILED_ID_SIZE + 4, 0x55);
	fixture_reopen(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	e = entry(&plan, "PRELOADER");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "emi_settings_mismatch");
	assert_non_null(strstr(e->reason, "with different DRAM settings"));
	unifw_flash_plan_free(&plan);

	/* the tag lacks the part, emi_settings[] lists it: refused naming the tag */
	edit_emi_table(&fx, false, 4, 0x90);
	fixture_reopen(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	e = entry(&plan, "PRELOADER");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "emi_mismatch");
	assert_non_null(strstr(e->reason, "while its compiled emi_settings[] does"));
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

/* A unifw backup manifest (the backup job's keys, docs/backup.md) in the package folder: the phone by its
 * CID (phone.emmc.cid.raw) and each listed file's SHA-256 as it is on disk now. The package then opens
 * as kind "backup" (a folder with a scatter and a manifest), which flashes like a firmware package. */
static void write_manifest(const char *dir, const uint8_t cid[16], const char *const *files, size_t n)
{
	struct unifw_jv *m = unifw_jv_object();
	char hex[65], path[4096];
	unifw_jv_set_str(m, "kind", "unifw-backup");
	unifw_jv_set_uint(m, "version", 1);
	unifw_hex(cid, 16, hex);
	unifw_jv_set_str(unifw_jv_set_obj(unifw_jv_set_obj(unifw_jv_set_obj(m, "phone"), "emmc"), "cid"), "raw", hex);
	struct unifw_jv *arr = unifw_jv_set_arr(m, "partitions");
	for (size_t i = 0; i < n; i++) {
		size_t len;
		path_in(path, sizeof path, dir, files[i]);
		uint8_t *b = test_read_file(path, &len);
		assert_non_null(b);
		uint8_t d[32];
		unifw_sha256(b, len, d);
		free(b);
		unifw_hex(d, 32, hex);
		struct unifw_jv *x = unifw_jv_push_obj(arr);
		unifw_jv_set_str(x, "file", files[i]);
		unifw_jv_set_str(x, "sha256", hex);
	}
	char *text = unifw_jv_to_string(m, true);
	path_in(path, sizeof path, dir, "manifest.json");
	test_write_file(path, text, strlen(text));
	free(text);
	unifw_jv_free(m);
}

static void reopen_any(struct fixture *fx)
{
	struct unifw_error e;
	unifw_package_free(fx->pkg);
	fx->pkg = NULL;
	if (unifw_package_open(fx->pkg_path, &fx->pkg, &e))
		fail_msg("package_open: %s", e.msg);
}

static void plan_keeps_identity_partitions_unless_asked(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true, .include_identity = true};
	static const char *const own[] = {"nvram.bin", "pro_info.bin"};
	fixture_open(&fx, LAYOUT, NPARTS);
	write_manifest(fx.pkg_path, A516_CID, own, 2);
	reopen_any(&fx);
	assert_int_equal(fx.pkg->kind, UNIFW_PACKAGE_BACKUP);
	default_facts(&f, A516_CID);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_int_equal(entry(&plan, "NVRAM")->action, UNIFW_FLASH_WRITE);
	assert_true(entry(&plan, "NVRAM")->identity);
	assert_non_null(strstr(entry(&plan, "NVRAM")->reason, "nvram.bin is this phone's own"));
	assert_int_equal(entry(&plan, "PRO_INFO")->action, UNIFW_FLASH_WRITE);
	assert_int_equal(plan.writes, 8);
	assert_int_equal(plan.refusals, 0);
	unifw_flash_plan_free(&plan);
	assert_true(unifw_flash_is_identity("protect_s", NULL));
	assert_true(unifw_flash_is_identity("SOMETHING", "BINREGION"));
	assert_false(unifw_flash_is_identity("ANDROID", "UPDATE"));
	fixture_close(&fx);
}

/* Issue 8.4: identity images are written only from this phone's own backup; anything else is refused,
 * naming the image and why, and no option lets them through. Without --include-identity they are skipped. */
static void plan_refuses_identity_images_of_unknown_or_other_phones(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true, .include_identity = true, .with_preloader = true};
	static const char *const own[] = {"nvram.bin", "pro_info.bin"};
	fixture_open(&fx, LAYOUT, NPARTS);
	default_facts(&f, A516_CID);

	/* a firmware package's own NVRAM: no provenance */
	plan_ok(fx.pkg, &f, &o, &plan);
	const struct unifw_flash_entry *e = entry(&plan, "NVRAM");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "identity_no_provenance");
	assert_non_null(strstr(e->reason, "nvram.bin has no provenance"));
	assert_non_null(strstr(e->reason, "no unifw backup manifest"));
	assert_string_equal(entry(&plan, "PRO_INFO")->code, "identity_no_provenance");
	assert_int_equal(plan.refusals, 2);
	unifw_flash_plan_free(&plan);
	/* without --include-identity they stay skipped, nothing refused */
	o.include_identity = false;
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_string_equal(entry(&plan, "NVRAM")->code, "identity");
	assert_int_equal(plan.refusals, 0);
	unifw_flash_plan_free(&plan);
	o.include_identity = true;

	/* a backup of another phone (its CID): refused naming both CIDs */
	write_manifest(fx.pkg_path, HYNIX_CID, own, 2);
	reopen_any(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	e = entry(&plan, "NVRAM");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "identity_other_phone");
	assert_non_null(strstr(e->reason, "90014a48384731650210112233445501")); /* the manifest's */
	assert_non_null(strstr(e->reason, "this phone's is 1501004e35553030"));
	assert_int_equal(entry(&plan, "PRO_INFO")->action, UNIFW_FLASH_REFUSE);
	unifw_flash_plan_free(&plan);

	/* this phone's backup, but nvram.bin changed since: hash mismatch; pro_info.bin still its own */
	write_manifest(fx.pkg_path, A516_CID, own, 2);
	write_random(fx.pkg_path, "nvram.bin", 96u << 10, 77);
	reopen_any(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	e = entry(&plan, "NVRAM");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "identity_hash_mismatch");
	assert_non_null(strstr(e->reason, "nvram.bin: SHA-256"));
	assert_int_equal(entry(&plan, "PRO_INFO")->action, UNIFW_FLASH_WRITE);
	unifw_flash_plan_free(&plan);

	/* the manifest lists only pro_info.bin: nvram.bin has no provenance */
	write_manifest(fx.pkg_path, A516_CID, own + 1, 1);
	reopen_any(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_string_equal(entry(&plan, "NVRAM")->code, "identity_no_provenance");
	assert_non_null(strstr(entry(&plan, "NVRAM")->reason, "manifest does not list it"));
	assert_int_equal(entry(&plan, "PRO_INFO")->action, UNIFW_FLASH_WRITE);
	unifw_flash_plan_free(&plan);

	/* the phone's CID unknown: nothing can be shown to be its own */
	default_facts(&f, NULL);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_string_equal(entry(&plan, "PRO_INFO")->code, "identity_no_provenance");
	assert_non_null(strstr(entry(&plan, "PRO_INFO")->reason, "CID is unknown"));
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

/* Partitions unifw does not know where to put: a region it does not write, a name the phone lacks. */
static void plan_refuses_unknown_partitions(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	static struct part_def more[NPARTS + 2];
	memcpy(more, LAYOUT, sizeof LAYOUT);
	more[NPARTS] = (struct part_def){"BOOT2BLOB", 0, 0x100000, "blob.bin", true, "NORMAL_ROM", "EMMC_BOOT_2",
					 "UPDATE", false};
	more[NPARTS + 1] = (struct part_def){"CUSTOM", 0x2200000, 0x100000, "custom.bin", true, "NORMAL_ROM", "EMMC_USER",
					     "UPDATE", false};
	fixture_open(&fx, more, NPARTS + 2);
	write_random(fx.pkg_path, "blob.bin", 4096, 31);
	write_random(fx.pkg_path, "custom.bin", 4096, 32);
	fixture_reopen(&fx);
	default_facts(&f, A516_CID); /* the phone's table is LAYOUT: neither extra partition */
	plan_ok(fx.pkg, &f, &o, &plan);
	const struct unifw_flash_entry *e = entry(&plan, "BOOT2BLOB");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "unknown_region");
	assert_non_null(strstr(e->reason, "EMMC_BOOT_2"));
	assert_non_null(diff(&plan, "missing_on_phone", "CUSTOM"));
	assert_non_null(diff(&plan, "missing_on_phone", "BOOT2BLOB"));
	assert_true(has_finding(&plan, "layout-changed", "CUSTOM (package: at 0x2200000, 1 MiB) does not exist"));
	assert_true(plan.refusals >= 2);
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

static void plan_bad_parameters_fail(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_error e;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = 1000};
	fixture_open(&fx, LAYOUT, NPARTS);
	default_facts(&f, A516_CID);
	assert_int_equal(unifw_flash_plan(fx.pkg, &f, &o, &plan, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "multiple of 512"));
	o.range_size = 0;
	assert_int_equal(unifw_flash_plan(NULL, &f, &o, &plan, &e), UNIFW_E_INVALID);
	/* a folder without a scatter is not a package to flash */
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/loose", fx.root);
	mkdir(dir, 0755);
	write_random(dir, "x.bin", 100, 1);
	struct unifw_package *loose = NULL;
	assert_int_equal(unifw_package_open(dir, &loose, &e), 0);
	assert_int_equal(unifw_flash_plan(loose, &f, &o, &plan, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "not a firmware package"));
	unifw_package_free(loose);
	fixture_close(&fx);
}

static void plan_hash_follows_images_and_options(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan a, b;
	struct unifw_flash_plan_opts o = {.verify = true};
	fixture_open(&fx, LAYOUT, NPARTS);
	default_facts(&f, A516_CID);
	plan_ok(fx.pkg, &f, &o, &a);
	plan_ok(fx.pkg, &f, &o, &b);
	assert_memory_equal(a.sha256, b.sha256, 32);
	unifw_flash_plan_free(&b);
	o.verify = false; /* verification does not change what is written */
	plan_ok(fx.pkg, &f, &o, &b);
	assert_memory_equal(a.sha256, b.sha256, 32);
	unifw_flash_plan_free(&b);
	o.include_identity = true;
	plan_ok(fx.pkg, &f, &o, &b);
	assert_memory_not_equal(a.sha256, b.sha256, 32);
	unifw_flash_plan_free(&b);
	o.include_identity = false;
	default_facts(&f, HYNIX_CID); /* another phone */
	plan_ok(fx.pkg, &f, &o, &b);
	assert_memory_not_equal(a.sha256, b.sha256, 32);
	unifw_flash_plan_free(&b);
	default_facts(&f, A516_CID);
	write_random(fx.pkg_path, "boot.img", (1u << 20) + 3, 99); /* same size, other bytes */
	fixture_reopen(&fx);
	plan_ok(fx.pkg, &f, &o, &b);
	assert_memory_not_equal(a.sha256, b.sha256, 32);
	unifw_flash_plan_free(&b);
	unifw_flash_plan_free(&a);
	fixture_close(&fx);
}

/* ---------------------------------------------------------------- preloader wrapper */

static void wrap_reproduces_the_corpus_boot_region(void **state)
{
	(void)state;
	size_t len, out_len;
	uint8_t *dump = corpus_read("preloader/mt6572_mobiwire_s10_preloader_emmcboot.bin", &len);
	uint8_t *out;
	struct unifw_preloader pl;
	struct unifw_error e;
	assert_int_equal(unifw_preloader_parse(dump, len, "dump", &pl, &e), 0);
	assert_int_equal(pl.container, UNIFW_PRELOADER_EMMC_BOOT);
	assert_int_equal(pl.gfh_offset, UNIFW_FLASH_BOOT1_GFH_OFFSET);
	size_t gfh_len = pl.file_info.file_len;
	assert_int_equal(gfh_len, 0x18F34 - 0x800); /* PROVENANCE: data ends ~0x18f34 */
	/* the GFH image alone, wrapped, is the dump's first bytes exactly */
	assert_int_equal(unifw_flash_wrap_preloader(dump + 0x800, gfh_len, "gfh", &out, &out_len, &e), 0);
	assert_int_equal(out_len, 0x800 + gfh_len);
	assert_memory_equal(out, dump, out_len);
	free(out);
	/* an image already in that form is written as it is */
	assert_int_equal(unifw_flash_wrap_preloader(dump, len, "dump", &out, &out_len, &e), 0);
	assert_int_equal(out_len, len);
	assert_memory_equal(out, dump, len);
	free(out);
	free(dump);

	/* the A516 build output wrapped: a boot1 image the parser reads back with the same EMI table */
	uint8_t *gfh = corpus_read(A516_PRELOADER, &len);
	struct unifw_emi_table t1, t2;
	struct unifw_preloader p2;
	assert_int_equal(unifw_preloader_parse(gfh, len, "a516", &pl, &e), 0);
	assert_int_equal(unifw_preloader_emi_table(gfh, len, &pl, &t1, &e), 0);
	assert_int_equal(unifw_flash_wrap_preloader(gfh, len, "a516", &out, &out_len, &e), 0);
	assert_int_equal(unifw_preloader_parse(out, out_len, "wrapped", &p2, &e), 0);
	assert_int_equal(p2.container, UNIFW_PRELOADER_EMMC_BOOT);
	assert_int_equal(p2.emmc_boot.desc[0].begin, 0x800);
	assert_int_equal(p2.emmc_boot.desc[0].boundary - p2.emmc_boot.desc[0].begin, pl.file_info.max_size);
	assert_int_equal(unifw_preloader_emi_table(out, out_len, &p2, &t2, &e), 0);
	assert_int_equal(t1.count, t2.count);
	assert_memory_equal(t1.entry, t2.entry, t1.count * sizeof t1.entry[0]);
	free(out);
	free(gfh);

	/* raw code without GFH cannot boot from boot1 */
	gfh = corpus_read("preloader/mt6572_orangepi3giot_preloader_hexing72_cwet_kk_NO_GFH.bin", &len);
	assert_int_equal(unifw_flash_wrap_preloader(gfh, len, "nogfh", &out, &out_len, &e), UNIFW_E_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "_NO_GFH"));
	free(gfh);
}

/* ---------------------------------------------------------------- sparse ranges */

struct chunk_log {
	uint64_t raw, fill, dont_care;
	uint64_t dc_off[4096], dc_len[4096];
	size_t dc_count;
};

static int log_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	struct chunk_log *l = ctx;
	(void)err;
	if (c->type == UNIFW_SPARSE_RAW)
		l->raw += c->out_size;
	else if (c->type == UNIFW_SPARSE_FILL)
		l->fill += c->out_size;
	else if (c->type == UNIFW_SPARSE_DONT_CARE && l->dc_count < 4096) {
		l->dont_care += c->out_size;
		l->dc_off[l->dc_count] = c->out_offset;
		l->dc_len[l->dc_count++] = c->out_size;
	}
	return 0;
}

/* A stream that only reads forward, like an archive member. */
struct fwd {
	struct unifw_stream *inner;
};
static ssize_t fwd_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct fwd *f = ctx;
	return f->inner->read(f->inner->ctx, buf, len, err);
}

static void sparse_chunks_stream_without_expanding_dont_care(void **state)
{
	(void)state;
	struct fixture fx;
	char path[4096], raw_path[4096];
	struct unifw_stream s, s2;
	struct unifw_error e;
	struct flash_ranges rs;
	static struct chunk_log log;
	fixture_open(&fx, LAYOUT, NPARTS);
	path_in(path, sizeof path, fx.pkg_path, "system.img");
	snprintf(raw_path, sizeof raw_path, "%s/system.img.raw", fx.root);

	assert_int_equal(unifw_stream_open_file(&s, path, &e), 0);
	struct unifw_sparse_sink sink = {.chunk = log_chunk, .ctx = &log};
	struct unifw_sparse_header h;
	assert_int_equal(unifw_sparse_walk(&s, &sink, &h, NULL, &e), 0);
	unifw_stream_close(&s);
	assert_true(log.fill > 0);
	assert_true(log.dont_care >= (1u << 20)); /* the holes and the zero run */

	assert_int_equal(unifw_stream_open_file(&s, path, &e), 0);
	assert_int_equal(flash_ranges_sparse(&s, RANGE, &rs, &e), 0);
	unifw_stream_close(&s);
	assert_int_equal(rs.wire_bytes, log.raw + log.fill);
	assert_int_equal(rs.skipped_bytes, log.dont_care);
	assert_int_equal(rs.extent, 6u << 20);
	size_t fills = 0;
	for (size_t i = 0; i < rs.piece_count; i++)
		fills += rs.pieces[i].kind == FLASH_PIECE_FILL;
	assert_true(fills > 0);
	for (size_t i = 0; i < rs.count; i++) {
		const struct flash_range *r = &rs.ranges[i];
		assert_true(r->len <= RANGE);
		assert_int_equal(r->off % 512, 0);
		for (size_t k = 0; k < log.dc_count; k++) /* no range touches a DONT_CARE run */
			assert_true(r->off + r->len <= log.dc_off[k] || r->off >= log.dc_off[k] + log.dc_len[k]);
	}

	/* the bytes handed out equal the raw image; once with pread, once forward-only, in odd pieces */
	size_t raw_len;
	uint8_t *raw = test_read_file(raw_path, &raw_len);
	assert_non_null(raw);
	for (int pass = 0; pass < 2; pass++) {
		struct fwd fw;
		assert_int_equal(unifw_stream_open_file(&s, path, &e), 0);
		struct unifw_stream *img = &s;
		if (pass == 1) {
			fw.inner = &s;
			memset(&s2, 0, sizeof s2);
			s2.read = fwd_read;
			s2.ctx = &fw;
			s2.size = s.size;
			img = &s2;
		}
		uint8_t buf[7777];
		for (size_t i = 0; i < rs.count; i++) {
			const struct flash_range *r = &rs.ranges[i];
			/* the kept copy (what a verified flash compares the read-back with) is the range's bytes;
			 * one spare byte past the range must stay untouched */
			uint8_t *copy = malloc((size_t)r->len + 1);
			assert_non_null(copy);
			copy[r->len] = 0xA5;
			struct flash_source src = {.rs = &rs, .range = r, .img = img, .piece = r->first, .copy = copy};
			for (uint64_t done = 0; done < r->len;) {
				size_t n = r->len - done < sizeof buf ? (size_t)(r->len - done) : sizeof buf;
				assert_int_equal(flash_source_fill(&src, buf, n, done, &e), 0);
				assert_memory_equal(buf, raw + r->off + done, n);
				done += n;
			}
			assert_memory_equal(copy, raw + r->off, (size_t)r->len);
			assert_int_equal(copy[r->len], 0xA5);
			free(copy);
		}
		unifw_stream_close(&s);
	}
	free(raw);
	flash_ranges_free(&rs);

	/* raw images cut on the range size; a zero-length image has no range */
	assert_int_equal(flash_ranges_raw(3 * RANGE + 100, RANGE, &rs, &e), 0);
	assert_int_equal(rs.count, 4);
	assert_int_equal(rs.ranges[3].len, 100);
	flash_ranges_free(&rs);
	assert_int_equal(flash_ranges_raw(0, RANGE, &rs, &e), 0);
	assert_int_equal(rs.count, 0);
	flash_ranges_free(&rs);
	assert_int_equal(flash_ranges_raw(10, 1000, &rs, &e), UNIFW_E_INVALID);
	fixture_close(&fx);
}

/* A sparse image whose checksums do not match its data (damaged after the plan was made) never becomes
 * ranges: the walk that cuts it verifies CRC32 chunks and the header checksum, before any write. */
static void sparse_ranges_verify_checksums(void **state)
{
	(void)state;
	struct fixture fx;
	char path[4096], raw_path[4096];
	struct unifw_stream s;
	struct unifw_error e;
	struct flash_ranges rs;
	fixture_open(&fx, LAYOUT, NPARTS);
	path_in(path, sizeof path, fx.pkg_path, "system.img");
	snprintf(raw_path, sizeof raw_path, "%s/system.img.raw", fx.root);
	size_t len, raw_len;
	uint8_t *b = test_read_file(path, &len), *raw = test_read_file(raw_path, &raw_len);
	uint32_t bs = 0, blocks = 0;
	get_le32(b, len, 12, &bs);
	get_le32(b, len, 16, &blocks);
	uint64_t size = (uint64_t)bs * blocks;
	uint8_t *padded = calloc(1, (size_t)size);
	memcpy(padded, raw, raw_len < size ? raw_len : (size_t)size);
	uint32_t crc = (uint32_t)crc32(0, padded, (uInt)size);
	for (int good = 1; good >= 0; good--) {
		put_le32(b + 24, good ? crc : crc ^ 0x80);
		unifw_stream_from_mem(&s, b, len, "system.img");
		int rc = flash_ranges_sparse(&s, RANGE, &rs, &e);
		unifw_stream_close(&s);
		if (good) {
			assert_int_equal(rc, 0);
			flash_ranges_free(&rs);
		} else {
			assert_int_equal(rc, UNIFW_E_FORMAT);
			assert_int_equal(e.offset, 24);
			assert_non_null(strstr(e.msg, "image checksum"));
			assert_int_equal(rs.count, 0);
		}
	}
	free(padded);
	free(raw);
	free(b);
	fixture_close(&fx);
}

/* ---------------------------------------------------------------- an in-memory phone */

#define PACKET 0x9000u /* odd on purpose: sources are asked for pieces that do not follow the ranges */
#define ERASED 0xEE

struct memphone {
	uint8_t *boot1, *user;
	size_t calls, reads, writes, backups;
	size_t first_write_call, backup_call;
	uint64_t written;      /* payload bytes stored (or lied about) */
	uint64_t cut_at;       /* a write fails when `written` would pass this (0 = never; fires once) */
	uint64_t read_bytes;
	uint64_t read_cut_at;  /* a read fails when read_bytes would pass this (0 = never; fires once) */
	size_t lie_write;      /* this write call (1-based) is acknowledged but not stored (0 = none) */
	size_t flip_write;     /* this write call (1-based) stores byte flip_at of its range inverted */
	uint64_t flip_at;
	uint64_t flip_phone_off; /* set: where on the phone the inverted byte went */
	bool fail_backup;      /* the next identity backup fails (the link drops while reading NVRAM) */
	bool no_table;         /* the identity backup finds no partition table (a blank or wiped eMMC) */
	bool twin_armed;       /* the next read of user byte twin_off gets it +1 and the next byte -1 (once): */
	uint64_t twin_off;     /* an error a 16-bit byte-sum checksum does not see */
	char last_backup[4096];
};

static uint8_t *mp_area(struct memphone *m, enum unifw_phone_part part, uint64_t off, uint64_t len, struct unifw_error *err)
{
	uint64_t size = part == UNIFW_PHONE_BOOT1 ? BOOT1_SIZE : part == UNIFW_PHONE_USER ? USER_SIZE : 0;
	if (!size || off > size || len > size - off) {
		unifw_error_set(err, UNIFW_E_INVALID, "memphone", off, "range outside partition %d", (int)part);
		return NULL;
	}
	return (part == UNIFW_PHONE_BOOT1 ? m->boot1 : m->user) + off;
}

static int mp_write(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_source src,
		    void *sctx, struct unifw_error *err)
{
	struct memphone *m = ctx;
	m->calls++;
	m->writes++;
	if (!m->first_write_call)
		m->first_write_call = m->calls;
	uint8_t *dst = mp_area(m, part, off, len, err);
	if (!dst)
		return UNIFW_E_INVALID;
	static uint8_t buf[PACKET];
	for (uint64_t pos = 0; pos < len;) {
		size_t n = len - pos < PACKET ? (size_t)(len - pos) : PACKET;
		int rc = src(sctx, buf, n, pos, err);
		if (rc)
			return rc;
		if (m->cut_at && m->written + n > m->cut_at) {
			m->cut_at = 0;
			return unifw_error_set(err, UNIFW_E_IO, "WRITE", pos, "the link dropped (cable pulled)");
		}
		if (m->writes != m->lie_write)
			memcpy(dst + pos, buf, n);
		if (m->writes == m->flip_write && m->flip_at >= pos && m->flip_at < pos + n) {
			dst[m->flip_at] ^= 0xFF;
			m->flip_phone_off = off + m->flip_at;
		}
		m->written += n;
		pos += n;
	}
	return 0;
}

static int mp_read(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		   void *sctx, struct unifw_error *err)
{
	struct memphone *m = ctx;
	m->calls++;
	m->reads++;
	const uint8_t *p = mp_area(m, part, off, len, err);
	if (!p)
		return UNIFW_E_INVALID;
	for (uint64_t pos = 0; pos < len;) {
		size_t n = len - pos < 0x7000 ? (size_t)(len - pos) : 0x7000;
		if (m->read_cut_at && m->read_bytes + n > m->read_cut_at) {
			m->read_cut_at = 0;
			return unifw_error_set(err, UNIFW_E_TIMEOUT, "READ", pos, "no answer within 5000 ms");
		}
		const uint8_t *data = p + pos;
		uint8_t twin[0x7000];
		uint64_t at = off + pos;
		if (m->twin_armed && part == UNIFW_PHONE_USER && m->twin_off >= at && m->twin_off + 1 < at + n) {
			memcpy(twin, data, n);
			twin[m->twin_off - at]++;
			twin[m->twin_off - at + 1]--;
			data = twin;
			m->twin_armed = false;
		}
		int rc = sink(sctx, data, n, pos, err);
		if (rc)
			return rc;
		m->read_bytes += n;
		pos += n;
	}
	return 0;
}

static int mp_backup(void *ctx, const char *dir, struct unifw_error *err)
{
	struct memphone *m = ctx;
	struct stat st;
	m->calls++;
	m->backups++;
	m->backup_call = m->calls;
	if (m->no_table)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "partition table", UNIFW_NO_OFFSET,
				       "the phone has neither a PMT nor an MBR");
	if (m->fail_backup) {
		m->fail_backup = false;
		return unifw_error_set(err, UNIFW_E_IO, "READ", 0x3000, "the link dropped (cable pulled)");
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return unifw_error_set(err, UNIFW_E_IO, dir, UNIFW_NO_OFFSET, "backup folder missing");
	snprintf(m->last_backup, sizeof m->last_backup, "%s", dir);
	char path[4200];
	snprintf(path, sizeof path, "%s/nvram.bin", dir);
	test_write_file(path, m->user + (0xE00000 - BOOT_REGION), 0x100000);
	return 0;
}

static void mp_init(struct memphone *m, struct unifw_flash_device *dev)
{
	memset(m, 0, sizeof *m);
	m->boot1 = malloc(BOOT1_SIZE);
	m->user = malloc(USER_SIZE);
	memset(m->boot1, ERASED, BOOT1_SIZE);
	memset(m->user, ERASED, USER_SIZE);
	*dev = (struct unifw_flash_device){.read = mp_read, .write = mp_write, .backup_identity = mp_backup, .ctx = m};
}

static void mp_free(struct memphone *m)
{
	free(m->boot1);
	free(m->user);
	m->boot1 = m->user = NULL;
}

/* What the phone must hold after the plan ran: erased bytes, and each written image at its offset
 * (sparse: RAW and FILL chunks only; DONT_CARE keeps what was there). */
struct expect_ctx {
	uint8_t *dst;
};

static int expect_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	struct expect_ctx *x = ctx;
	(void)err;
	if (c->type == UNIFW_SPARSE_FILL)
		for (uint64_t i = 0; i < c->out_size; i += 4)
			memcpy(x->dst + c->out_offset + i, &c->value, 4);
	return 0;
}

static int expect_data(void *ctx, uint64_t out, const uint8_t *buf, size_t len, struct unifw_error *err)
{
	struct expect_ctx *x = ctx;
	(void)err;
	memcpy(x->dst + out, buf, len);
	return 0;
}

static void expected_phone(const struct unifw_flash_plan *plan, uint8_t *boot1, uint8_t *user)
{
	struct unifw_error e;
	memset(boot1, ERASED, BOOT1_SIZE);
	memset(user, ERASED, USER_SIZE);
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_flash_entry *en = &plan->entries[i];
		if (en->action != UNIFW_FLASH_WRITE)
			continue;
		if (en->form == UNIFW_FLASH_FORM_PMT) {
			static uint8_t pmt[UNIFW_FLASH_PMT_BYTES];
			assert_int_equal(flash_pmt_from_scatter(&plan->pkg->chosen->sc, pmt, &e), 0);
			memcpy(user + en->offset, pmt, sizeof pmt);
			continue;
		}
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", plan->pkg->path, en->image);
		size_t len;
		uint8_t *img = test_read_file(path, &len);
		assert_non_null(img);
		uint8_t *dst = (en->part == UNIFW_PHONE_BOOT1 ? boot1 : user) + en->offset;
		if (en->form == UNIFW_FLASH_FORM_SPARSE) {
			struct unifw_stream s;
			struct expect_ctx x = {dst};
			struct unifw_sparse_sink sink = {.chunk = expect_chunk, .data = expect_data, .ctx = &x};
			struct unifw_sparse_header h;
			unifw_stream_from_mem(&s, img, len, en->image);
			assert_int_equal(unifw_sparse_walk(&s, &sink, &h, NULL, &e), 0);
			unifw_stream_close(&s);
		} else if (en->form == UNIFW_FLASH_FORM_PRELOADER) {
			uint8_t *w;
			size_t wl;
			assert_int_equal(unifw_flash_wrap_preloader(img, len, en->image, &w, &wl, &e), 0);
			memcpy(dst, w, wl);
			free(w);
		} else {
			memcpy(dst, img, len);
		}
		free(img);
	}
}

static void assert_phone_is(const struct memphone *m, const uint8_t *boot1, const uint8_t *user)
{
	for (size_t off = 0; off < USER_SIZE; off += 4096)
		if (memcmp(m->user + off, user + off, 4096))
			fail_msg("user area differs in the 4 KiB block at 0x%zx (linear 0x%zx)", off, off + BOOT_REGION);
	assert_memory_equal(m->boot1, boot1, BOOT1_SIZE);
}

struct job {
	char journal[4096], backups[4096];
	struct unifw_flash_exec_opts o;
};

static void job_init(struct job *j, const struct fixture *fx)
{
	memset(j, 0, sizeof *j);
	char hex[33];
	flash_cid_hex(A516_CID, hex);
	snprintf(j->journal, sizeof j->journal, "%s/state/flash/%s.journal", fx->root, hex);
	snprintf(j->backups, sizeof j->backups, "%s/identity", fx->root);
	j->o.journal_path = j->journal;
	j->o.backup_dir = j->backups;
	j->o.package_path = fx->pkg_path;
}

/* Progress seen by the executor's caller. */
struct seen {
	size_t begins, ends, notes;
	uint64_t last_total, last_done;
	bool done_beyond_total;
};
static void s_begin(void *ctx, const char *step, const char *item, uint64_t total)
{
	struct seen *s = ctx;
	(void)step;
	(void)item;
	s->begins++;
	s->last_total = total;
}
static void s_update(void *ctx, uint64_t done)
{
	struct seen *s = ctx;
	s->last_done = done;
	s->done_beyond_total |= done > s->last_total;
}
static void s_end(void *ctx, int status, const char *summary)
{
	(void)status;
	(void)summary;
	((struct seen *)ctx)->ends++;
}
static void s_note(void *ctx, const char *level, const char *msg)
{
	(void)level;
	(void)msg;
	((struct seen *)ctx)->notes++;
}

/* What every executor test starts from (cmocka setup/teardown): the fixture package, an A516 phone in
 * memory, a job in the fixture's folder, room for what the phone must hold afterwards. The test plans
 * with its own options. */
struct exec_case {
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct memphone m;
	struct unifw_flash_device dev;
	struct unifw_flash_result res;
	struct job job;
	struct unifw_error e;
	uint8_t *boot1, *user;
};

static int exec_case_setup(void **state)
{
	struct exec_case *c = calloc(1, sizeof *c);
	assert_non_null(c);
	fixture_open(&c->fx, LAYOUT, NPARTS);
	default_facts(&c->f, A516_CID);
	mp_init(&c->m, &c->dev);
	job_init(&c->job, &c->fx);
	c->boot1 = malloc(BOOT1_SIZE);
	c->user = malloc(USER_SIZE);
	assert_true(c->boot1 && c->user);
	*state = c;
	return 0;
}

static int exec_case_teardown(void **state)
{
	struct exec_case *c = *state;
	mp_free(&c->m);
	unifw_flash_plan_free(&c->plan);
	fixture_close(&c->fx);
	free(c->boot1);
	free(c->user);
	free(c);
	return 0;
}

#define exec_test(t) cmocka_unit_test_setup_teardown(t, exec_case_setup, exec_case_teardown)

static void execute_writes_every_image_bit_exact(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true, .range_size = RANGE};
	struct seen seen = {0};
	struct unifw_progress prog = {s_begin, s_update, s_end, s_note, &seen};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	assert_int_equal(c->plan.refusals, 0);
	c->job.o.progress = &prog;
	if (unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e))
		fail_msg("execute: %s", c->e.msg);
	expected_phone(&c->plan, c->boot1, c->user);
	assert_phone_is(&c->m, c->boot1, c->user);
	/* the preloader landed in its EMMC_BOOT form, the identity partitions were not touched */
	assert_memory_equal(c->m.boot1, "EMMC_BOOT", 9);
	assert_int_equal(c->m.user[0xE00000 - BOOT_REGION], ERASED);
	/* the identity backup came first, once, into a fresh folder under backup_dir */
	assert_int_equal(c->m.backups, 1);
	assert_true(c->m.backup_call < c->m.first_write_call);
	assert_non_null(strstr(c->m.last_backup, c->job.backups));
	assert_string_equal(c->res.identity_backup, c->m.last_backup);
	/* DONT_CARE never went over the wire: what was sent is exactly RAW + FILL */
	assert_int_equal(c->res.bytes_sent, c->m.written);
	assert_true(c->res.bytes_skipped >= (2u << 20));
	assert_int_equal(c->res.bytes_sent + c->res.bytes_skipped, c->plan.write_bytes);
	assert_int_equal(c->res.bytes_verified, c->res.bytes_sent);
	assert_int_equal(c->res.partitions_written, 7);
	assert_false(c->res.verify_failed);
	/* progress: one bar per partition, never past its total */
	assert_int_equal(seen.begins, 7);
	assert_int_equal(seen.ends, 7);
	assert_false(seen.done_beyond_total);
	assert_true(seen.notes >= 1);
	/* the journal says done, and a resume of it is refused */
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	assert_string_equal(j.state, "done");
	assert_int_equal(j.part_count, 7);
	for (size_t i = 0; i < j.part_count; i++) {
		assert_int_equal(j.parts[i].written, j.parts[i].ranges);
		assert_int_equal(j.parts[i].verified, j.parts[i].ranges);
	}
	assert_int_equal(unifw_flash_journal_check(&j, &c->plan, &c->e), UNIFW_E_INVALID);
	assert_non_null(strstr(c->e.msg, "nothing to resume"));
	unifw_flash_journal_free(&j);
}

/* A wiped phone: the backup job finds no table; the identity partitions are read where the package puts
 * them (their bytes may well still be there) before the first write. */
static void execute_backs_up_identity_by_scatter_on_a_phone_without_tables(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	memset(&c->f, 0, sizeof c->f);
	memcpy(c->f.cid, A516_CID, 16);
	c->f.boot1_size = BOOT1_SIZE;
	c->f.user_size = USER_SIZE;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->m.no_table = true;
	fill_random(c->m.user + (0xE00000 - BOOT_REGION), 0x100000, 5); /* NVRAM bytes left behind */
	if (unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e))
		fail_msg("execute: %s", c->e.msg);
	static const struct {
		const char *file;
		uint64_t linear;
	} want[] = {{"pro_info.bin", 0xD00000}, {"nvram.bin", 0xE00000}, {"protect_f.bin", 0xF00000},
		    {"protect_s.bin", 0x1000000}};
	uint8_t *nv = malloc(0x100000);
	fill_random(nv, 0x100000, 5);
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		char path[8192];
		size_t len;
		snprintf(path, sizeof path, "%s/%s", c->res.identity_backup, want[i].file);
		uint8_t *b = test_read_file(path, &len);
		if (!b)
			fail_msg("no %s in the identity backup", want[i].file);
		assert_int_equal(len, 0x100000);
		if (!strcmp(want[i].file, "nvram.bin"))
			assert_memory_equal(b, nv, len); /* read before ... */
		free(b);
	}
	char path[8192];
	size_t len;
	snprintf(path, sizeof path, "%s/identity-by-scatter.json", c->res.identity_backup);
	char *manifest = (char *)test_read_file(path, &len);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"name\": \"NVRAM\""));
	assert_non_null(strstr(manifest, "\"offset\": \"0x200000\""));
	free(manifest);
	assert_true(c->m.first_write_call > 0); /* ... the flash went on */
	assert_int_equal(c->res.partitions_written, 7); /* six images and a PMT, the phone had none */
	const struct unifw_flash_entry *pe = entry(&c->plan, "PMT");
	assert_int_equal(pe->action, UNIFW_FLASH_WRITE);
	assert_int_equal(pe->offset, USER_SIZE - 0x100000);
	assert_int_equal(&c->plan.entries[c->plan.count - 1], pe); /* written last */
	struct unifw_pmt back;
	assert_int_equal(unifw_pmt_parse(c->m.user + pe->offset, 0x2000, "PMT", &back, &c->e), 0);
	assert_true(back.has_mirror && back.mirror_matches);
	assert_int_equal(back.count, NPARTS);
	assert_string_equal(back.entry[9].name, "ANDROID");
	assert_int_equal(back.entry[9].offset, 0x1380000);
	assert_int_equal(back.entry[9].size, 0x800000);
	expected_phone(&c->plan, c->boot1, c->user);
	memcpy(c->user + (0xE00000 - BOOT_REGION), nv, 0x100000); /* the phone's own NVRAM stays */
	assert_phone_is(&c->m, c->boot1, c->user);
	free(nv);
}

/* The by-scatter identity backup reads every partition twice: an error the READ checksum lets through
 * (two bytes that cancel in a 16-bit sum) in the first read of NVRAM stops the job before any write. */
static void execute_stops_when_an_identity_reread_differs(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	memset(&c->f, 0, sizeof c->f);
	memcpy(c->f.cid, A516_CID, 16);
	c->f.boot1_size = BOOT1_SIZE;
	c->f.user_size = USER_SIZE;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->m.no_table = true;
	uint64_t nv = 0xE00000 - BOOT_REGION, bad = nv + 0x1234;
	fill_random(c->m.user + nv, 0x100000, 5);
	c->m.user[bad] = 0x10;
	c->m.user[bad + 1] = 0x20;
	c->m.twin_armed = true;
	c->m.twin_off = bad;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_DEVICE);
	assert_false(c->m.twin_armed); /* the fault did happen */
	assert_string_equal(c->res.failed_step, "backup");
	assert_int_equal(c->m.writes, 0);
	assert_false(c->res.wrote_anything);
	assert_non_null(strstr(c->e.msg, "identity backup (nothing written yet)"));
	assert_non_null(strstr(c->e.msg, "NVRAM"));
	char want[128];
	snprintf(want, sizeof want, "differs from the first at user area offset 0x%llx (byte 0x1234 of NVRAM: first read "
		 "0x11, second 0x10)", (unsigned long long)bad);
	if (!strstr(c->e.msg, want))
		fail_msg("\"%s\" lacks \"%s\"", c->e.msg, want);
	/* without the fault the same backup passes and the flash goes on */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	assert_true(c->m.writes > 0);
}

/* Resume: load the journal, plan again from the same package and phone, check, continue. */
static void resume(struct fixture *fx, const struct unifw_flash_facts *f, const struct unifw_flash_plan_opts *o,
		   struct unifw_flash_device *dev, struct job *job, struct unifw_flash_result *res)
{
	struct unifw_flash_journal j;
	struct unifw_flash_plan plan;
	struct unifw_error e;
	if (unifw_flash_journal_load(job->journal, &j, &e))
		fail_msg("journal: %s", e.msg);
	assert_string_equal(j.state, "interrupted");
	assert_true(j.last_error[0] != 0);
	struct unifw_flash_plan_opts jo = j.opts; /* options come from the journal */
	assert_int_equal(jo.verify, o->verify);
	plan_ok(fx->pkg, f, &jo, &plan);
	if (unifw_flash_journal_check(&j, &plan, &e))
		fail_msg("check: %s", e.msg);
	job->o.resume = &j;
	if (unifw_flash_execute(dev, &plan, &job->o, res, &e))
		fail_msg("resume: %s", e.msg);
	job->o.resume = NULL;
	unifw_flash_journal_free(&j);
	unifw_flash_plan_free(&plan);
}

static void execute_resumes_after_cuts_at_ten_points(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	expected_phone(&c->plan, c->boot1, c->user);

	/* total bytes a clean run sends */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	uint64_t total = c->m.written;
	mp_free(&c->m);

	for (unsigned k = 1; k <= 10; k++) {
		uint64_t cut = total * k / 11 + k * 4099; /* not on a packet or range boundary */
		mp_init(&c->m, &c->dev);
		c->m.cut_at = cut;
		assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
		assert_string_equal(c->res.failed_step, "write");
		assert_true(c->res.failed_partition[0] != 0);
		assert_non_null(strstr(c->e.msg, "the link dropped"));
		assert_non_null(strstr(c->e.msg, c->res.failed_partition)); /* the error names the partition */
		assert_int_equal(c->m.backups, 1);
		uint64_t first = c->m.written;
		c->m.written = 0;
		resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
		assert_phone_is(&c->m, c->boot1, c->user);
		assert_int_equal(c->m.backups, 1); /* not again on resume */
		/* the resume did not start over: at most one journal step is sent twice */
		assert_true(c->m.written + first <= total + UNIFW_FLASH_JOURNAL_EVERY + RANGE);
		assert_true(c->res.ranges_resumed > 0 || first < UNIFW_FLASH_JOURNAL_EVERY);
		mp_free(&c->m);
	}

	/* a cut while reading back */
	mp_init(&c->m, &c->dev);
	c->m.read_cut_at = total / 2;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_TIMEOUT);
	assert_string_equal(c->res.failed_step, "verify");
	assert_non_null(strstr(c->e.msg, "verify "));
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);
	mp_free(&c->m);

	/* a cut during the identity backup: nothing written, the resume backs up and flashes */
	mp_init(&c->m, &c->dev);
	c->m.fail_backup = true;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	assert_string_equal(c->res.failed_step, "backup");
	assert_non_null(strstr(c->e.msg, "identity backup (nothing written yet)"));
	assert_int_equal(c->m.writes, 0);
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_int_equal(c->m.backups, 2);
	assert_phone_is(&c->m, c->boot1, c->user);
	mp_free(&c->m);

	/* no way to back up: refused before anything is sent */
	mp_init(&c->m, &c->dev);
	c->dev.backup_identity = NULL;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_INVALID);
	assert_int_equal(c->m.calls, 0);
}

static void execute_catches_an_emmc_that_lies(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	expected_phone(&c->plan, c->boot1, c->user);
	c->m.lie_write = 5;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_DEVICE);
	assert_true(c->res.verify_failed);
	assert_string_equal(c->res.failed_step, "verify");
	assert_non_null(strstr(c->e.msg, "reads back different from what was written"));
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);

	/* one bad byte in the middle of a range (past the first packet): found, and named to the byte */
	mp_free(&c->m);
	mp_init(&c->m, &c->dev);
	job_init(&c->job, &c->fx);
	c->m.flip_write = 5;
	c->m.flip_at = PACKET + 1234;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_DEVICE);
	assert_true(c->res.verify_failed);
	assert_true(c->m.flip_phone_off != 0);
	char want[96];
	snprintf(want, sizeof want, "first at byte 0x%llx of the range", (unsigned long long)c->m.flip_at);
	assert_non_null(strstr(c->e.msg, want));
	snprintf(want, sizeof want, "offset 0x%llx: read ", (unsigned long long)c->m.flip_phone_off);
	assert_non_null(strstr(c->e.msg, want));
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);

	/* without verification the lie goes unnoticed: that is what --no-verify gives up */
	mp_free(&c->m);
	mp_init(&c->m, &c->dev);
	c->m.lie_write = 5;
	unifw_flash_plan_free(&c->plan);
	o.verify = false;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	assert_int_equal(c->m.reads, 0);
	assert_int_equal(c->res.bytes_verified, 0);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	assert_false(j.opts.verify);
	assert_int_equal(j.parts[0].verified, 0);
	assert_int_equal(j.parts[0].written, j.parts[0].ranges);
	unifw_flash_journal_free(&j);
}

/* flashrom's lifecycle rule: bad parameters fail before a single byte reaches the device. */
static void execute_sends_nothing_for_a_refused_plan_or_bad_options(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true};

	default_facts(&c->f, HYNIX_CID); /* the preloader does not fit: refused */
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(c->e.msg, "nothing is written"));
	assert_int_equal(c->m.calls, 0);
	assert_false(c->res.wrote_anything);
	unifw_flash_plan_free(&c->plan);

	default_facts(&c->f, A516_CID);
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->job.o.journal_path = NULL;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_INVALID);
	c->job.o.journal_path = c->job.journal;
	c->job.o.backup_dir = NULL;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_INVALID);
	c->job.o.backup_dir = c->job.backups;
	/* a journal that cannot be written (its folder is a file) */
	char bad[4096];
	snprintf(bad, sizeof bad, "%s/afile", c->fx.root);
	test_write_file(bad, "x", 1);
	snprintf(bad, sizeof bad, "%s/afile/flash.journal", c->fx.root);
	c->job.o.journal_path = bad;
	assert_true(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e) < 0);
	c->job.o.journal_path = c->job.journal;
	/* an identity backup folder that cannot be made */
	snprintf(bad, sizeof bad, "%s/afile/identity", c->fx.root);
	c->job.o.backup_dir = bad;
	assert_true(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e) < 0);
	c->job.o.backup_dir = c->job.backups;
	assert_int_equal(c->m.calls, 0);

	/* a journal of another phone */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	snprintf(j.state, sizeof j.state, "interrupted");
	j.cid[5] ^= 1;
	size_t calls = c->m.calls;
	c->job.o.resume = &j;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(c->e.msg, "never applied to another phone"));
	assert_int_equal(c->m.calls, calls);
	unifw_flash_journal_free(&j);
}

/* A zip package: images stream from the archive (forward only), sparse ones opened twice. */
static void execute_from_a_zip_package(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	char cmd[8192], zip[4096];
	if (system("command -v zip >/dev/null 2>&1") != 0)
		skip();
	snprintf(zip, sizeof zip, "%s/fw.zip", c->fx.root);
	snprintf(cmd, sizeof cmd, "cd '%s' && zip -q -r '%s' .", c->fx.pkg_path, zip);
	assert_int_equal(system(cmd), 0);
	struct unifw_package *zp = open_pkg(zip);
	assert_int_equal(zp->source, UNIFW_PACKAGE_ARCHIVE);
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan); /* the folder's plan: the expected result */
	expected_phone(&c->plan, c->boot1, c->user);
	unifw_flash_plan_free(&c->plan);
	plan_ok(zp, &c->f, &o, &c->plan);
	c->m.cut_at = 2u << 20;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	c->job.o.resume = &j;
	if (unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e))
		fail_msg("zip resume: %s", c->e.msg);
	assert_phone_is(&c->m, c->boot1, c->user);
	unifw_flash_journal_free(&j);
	unifw_package_free(zp);
}

/* ---------------------------------------------------------------- journal */

static void journal_round_trip_damage_and_refusals(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096];
	struct unifw_flash_journal j, k;
	struct unifw_error e;
	snprintf(path, sizeof path, "%s/x.journal", dir);
	memset(&j, 0, sizeof j);
	snprintf(j.state, sizeof j.state, "running");
	memcpy(j.cid, A516_CID, 16);
	for (int i = 0; i < 32; i++)
		j.plan_sha256[i] = (uint8_t)(i * 7);
	snprintf(j.package, sizeof j.package, "/tmp/pkg \"quoted\"");
	j.opts = (struct unifw_flash_plan_opts){.with_preloader = true, .verify = true, .range_size = RANGE};
	snprintf(j.started, sizeof j.started, "2024-01-02T03:04:05Z");
	snprintf(j.updated, sizeof j.updated, "2024-01-02T03:04:06Z");
	snprintf(j.identity_backup, sizeof j.identity_backup, "/tmp/id/20240102T030405Z");
	struct unifw_flash_journal_part parts[2] = {{"BOOTIMG", 4, 3, 3}, {"ANDROID", 0, 0, 0}};
	j.parts = parts;
	j.part_count = 2;
	assert_int_equal(unifw_flash_journal_save(path, &j, &e), 0);
	assert_int_equal(unifw_flash_journal_load(path, &k, &e), 0);
	assert_string_equal(k.state, "running");
	assert_memory_equal(k.cid, j.cid, 16);
	assert_memory_equal(k.plan_sha256, j.plan_sha256, 32);
	assert_string_equal(k.package, j.package);
	assert_true(k.opts.with_preloader && k.opts.verify && !k.opts.include_identity);
	assert_int_equal(k.opts.range_size, RANGE);
	assert_string_equal(k.identity_backup, j.identity_backup);
	assert_int_equal(k.part_count, 2);
	assert_string_equal(k.parts[0].name, "BOOTIMG");
	assert_int_equal(k.parts[0].ranges, 4);
	assert_int_equal(k.parts[0].written, 3);
	assert_int_equal(k.parts[0].verified, 3);
	unifw_flash_journal_free(&k);

	/* damaged files: each names what is wrong */
	size_t len;
	uint8_t *text = test_read_file(path, &len);
	test_write_file(path, text, len / 2); /* cut in the middle */
	assert_true(unifw_flash_journal_load(path, &k, &e) < 0);
	assert_non_null(strstr(e.msg, "damaged flash journal"));
	assert_string_equal(e.where, path);
	struct {
		const char *from, *to, *needle;
	} edits[] = {
		{"\"written\": 3", "\"written\": \"3\"", "\"written\": expected a non-negative number"},
		{"\"written\": 3", "\"written\": 5", "verified <= written <= ranges"},
		{"\"type\": \"unifw-flash-journal\"", "\"type\": \"other\"", "expected \"unifw-flash-journal\""},
		{"\"cid\": \"1501", "\"cid\": \"zz01", "expected 32 hex digits"},
		{"\"state\": \"running\"", "\"state\": \"half\"", "expected running, interrupted or done"},
		{"\"range_size\": 262144", "\"range_size\": 1000", "multiple of 512"},
		{"\"version\": 2", "\"version\": 9", "journal version 9"},
		/* edits that leave a well-formed journal: the integrity check refuses them */
		{"\"verified\": 3", "\"verified\": 2", "journal integrity check failed"},
		{"\"with_preloader\": true", "\"with_preloader\": false", "journal integrity check failed"},
		{"\"check_sha256\": \"", "\"check_sha256\": \"0", "expected 64 hex digits"},
		{"\"check_sha256\"", "\"no_check\"", "journal key \"check_sha256\": expected a string, missing"},
	};
	for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
		char *copy = malloc(len + 64), *at = strstr((char *)text, edits[i].from);
		if (!at)
			fail_msg("fixture text lacks %s", edits[i].from);
		size_t pre = (size_t)(at - (char *)text), fl = strlen(edits[i].from);
		memcpy(copy, text, pre);
		strcpy(copy + pre, edits[i].to);
		memcpy(copy + pre + strlen(edits[i].to), at + fl, len - pre - fl);
		test_write_file(path, copy, len - fl + strlen(edits[i].to));
		free(copy);
		assert_true(unifw_flash_journal_load(path, &k, &e) < 0);
		if (!strstr(e.msg, edits[i].needle))
			fail_msg("edit %zu: message \"%s\" lacks \"%s\"", i, e.msg, edits[i].needle);
	}
	test_write_file(path, "not json at all", 15);
	assert_int_equal(unifw_flash_journal_load(path, &k, &e), UNIFW_E_FORMAT);
	assert_true(e.offset != UNIFW_NO_OFFSET);
	snprintf(path, sizeof path, "%s/absent.journal", dir);
	assert_int_equal(unifw_flash_journal_load(path, &k, &e), UNIFW_E_IO);
	free(text);

	/* where journals live */
	setenv("UNIFW_STATE_DIR", dir, 1);
	assert_int_equal(unifw_flash_journal_path(A516_CID, path, sizeof path, &e), 0);
	char want[4200];
	snprintf(want, sizeof want, "%s/flash/1501004e355530304d105a176a2cb301.journal", dir);
	assert_string_equal(path, want);
	unsetenv("UNIFW_STATE_DIR");
	setenv("XDG_STATE_HOME", "/x/state", 1);
	assert_int_equal(unifw_flash_state_dir(path, sizeof path, &e), 0);
	assert_string_equal(path, "/x/state/unifw");
	unsetenv("XDG_STATE_HOME");
	test_rmtree(dir);
	free(dir);
}

/* A journal that claims more than was done: as a "consistent lie" (edited, its integrity check computed
 * again, so it loads) the resume reads back every range it claims and writes the ones the phone lacks; as
 * a plain edit (check not recomputed) it is refused before anything is sent. */
static void journal_claims_are_checked_on_resume(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	expected_phone(&c->plan, c->boot1, c->user);
	/* a clean run gives every partition's range count, and the job's size */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	uint64_t total = c->m.written;
	struct unifw_flash_journal full;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &full, &c->e), 0);
	mp_free(&c->m);

	mp_init(&c->m, &c->dev);
	c->m.cut_at = total / 3 + 4099;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	assert_int_equal(j.part_count, full.part_count);
	uint64_t claimed = 0, true_done = 0;
	for (size_t i = 0; i < j.part_count; i++) {
		true_done += j.parts[i].verified;
		j.parts[i].ranges = j.parts[i].written = j.parts[i].verified = full.parts[i].ranges;
		claimed += full.parts[i].ranges;
	}
	assert_true(true_done < claimed);
	assert_int_equal(unifw_flash_journal_save(c->job.journal, &j, &c->e), 0); /* the lie, consistent */
	unifw_flash_journal_free(&j);

	/* tampered by hand: refused, nothing sent */
	size_t len;
	uint8_t *text = test_read_file(c->job.journal, &len);
	const char *from = "\"state\": \"interrupted\"", *to = "\"state\": \"running\"";
	char *at = strstr((char *)text, from);
	assert_non_null(at);
	char *edited = malloc(len + 1);
	assert_non_null(edited);
	size_t pre = (size_t)(at - (char *)text);
	memcpy(edited, text, pre);
	memcpy(edited + pre, to, strlen(to));
	memcpy(edited + pre + strlen(to), at + strlen(from), len - pre - strlen(from));
	char tampered[4200];
	snprintf(tampered, sizeof tampered, "%s.tampered", c->job.journal);
	test_write_file(tampered, edited, len - strlen(from) + strlen(to));
	free(edited);
	free(text);
	assert_int_equal(unifw_flash_journal_load(tampered, &j, &c->e), UNIFW_E_FORMAT);
	assert_non_null(strstr(c->e.msg, "journal integrity check failed"));
	assert_string_equal(c->e.where, tampered);

	/* the consistent lie loads and passes the plan check; the resume finds the missing ranges */
	size_t writes_before = c->m.writes;
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);
	assert_int_equal(c->res.ranges_resumed, claimed);
	assert_int_equal(c->res.ranges_reverified + c->res.ranges_rewritten, claimed);
	assert_true(c->res.ranges_rewritten > 0);
	assert_true(c->res.ranges_reverified >= true_done); /* what was written is read back equal */
	assert_true(c->m.writes > writes_before);
	assert_false(c->res.verify_failed);
	mp_free(&c->m);
	unifw_flash_journal_free(&full);

	/* the same with --no-verify: written ranges are still read back before they are skipped */
	unifw_flash_plan_free(&c->plan);
	o.verify = false;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	mp_init(&c->m, &c->dev);
	c->m.cut_at = total / 2;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	for (size_t i = 0; i < j.part_count; i++)
		j.parts[i].written = j.parts[i].ranges; /* started partitions claim all their ranges */
	assert_int_equal(unifw_flash_journal_save(c->job.journal, &j, &c->e), 0);
	unifw_flash_journal_free(&j);
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);
	assert_true(c->res.ranges_rewritten > 0);
}

static void journal_resume_refuses_another_package(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan other;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->m.cut_at = 3u << 20;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	/* the same package with one image changed */
	write_random(c->fx.pkg_path, "boot.img", (1u << 20) + 3, 77);
	fixture_reopen(&c->fx);
	plan_ok(c->fx.pkg, &c->f, &j.opts, &other);
	assert_int_equal(unifw_flash_journal_check(&j, &other, &c->e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(c->e.msg, "differ from those of the interrupted flash"));
	c->job.o.resume = &j;
	size_t calls = c->m.calls;
	assert_int_equal(unifw_flash_execute(&c->dev, &other, &c->job.o, &c->res, &c->e), UNIFW_E_UNSAFE);
	assert_int_equal(c->m.calls, calls);
	unifw_flash_journal_free(&j);
	unifw_flash_plan_free(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_writes_skips_and_says_why),
		cmocka_unit_test(plan_refuses_an_image_larger_than_its_partition),
		cmocka_unit_test(plan_refuses_a_package_for_another_layout),
		cmocka_unit_test(plan_writes_the_preloader_only_when_asked_and_fitting),
		cmocka_unit_test(plan_refuses_a_preloader_whose_compiled_emi_table_lacks_the_part),
		cmocka_unit_test(plan_keeps_identity_partitions_unless_asked),
		cmocka_unit_test(plan_refuses_identity_images_of_unknown_or_other_phones),
		cmocka_unit_test(plan_refuses_unknown_partitions),
		cmocka_unit_test(plan_bad_parameters_fail),
		cmocka_unit_test(plan_hash_follows_images_and_options),
		cmocka_unit_test(wrap_reproduces_the_corpus_boot_region),
		cmocka_unit_test(sparse_chunks_stream_without_expanding_dont_care),
		cmocka_unit_test(sparse_ranges_verify_checksums),
		exec_test(execute_writes_every_image_bit_exact),
		exec_test(execute_backs_up_identity_by_scatter_on_a_phone_without_tables),
		exec_test(execute_stops_when_an_identity_reread_differs),
		exec_test(execute_resumes_after_cuts_at_ten_points),
		exec_test(execute_catches_an_emmc_that_lies),
		exec_test(execute_sends_nothing_for_a_refused_plan_or_bad_options),
		exec_test(execute_from_a_zip_package),
		cmocka_unit_test(journal_round_trip_damage_and_refusals),
		exec_test(journal_resume_refuses_another_package),
		exec_test(journal_claims_are_checked_on_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
