/* unifw flash without a phone: the plan (every refusal with its message) and the EMMC_BOOT wrapper
 * against the corpus boot-region dump. The executor, sparse ranges and the journal: test_flash_exec.c;
 * the shared package fixture: flash_fixture.c. */
#include "flash_fixture.h"

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

/* Issue 11: a full unifw backup (manifest scope full, its scatter in scatter_files) as the package. */
static const char *const BACKUP_FILES[] = {"preloader_a516_row.bin", "MBR", "EBR1", "pro_info.bin", "nvram.bin",
					    "lk.bin", "boot.img", "system.img", "userdata.img"};
#define NBACKUP_FILES (sizeof BACKUP_FILES / sizeof *BACKUP_FILES)

static void write_full_manifest(const char *dir, const uint8_t cid[16])
{
	write_manifest(dir, cid, BACKUP_FILES, NBACKUP_FILES);
	char path[4096];
	size_t len;
	path_in(path, sizeof path, dir, "manifest.json");
	char *text = (char *)test_read_file(path, &len);
	struct unifw_jv *m = NULL;
	struct unifw_error e;
	assert_non_null(text);
	assert_int_equal(unifw_jv_parse(text, len, path, 1u << 20, 32, &m, &e), 0);
	free(text);
	unifw_jv_set_str(m, "scope", "full");
	unifw_jv_push_str(unifw_jv_set_arr(m, "scatter_files"), "MT6572_Android_scatter.txt");
	text = unifw_jv_to_string(m, true);
	test_write_file(path, text, strlen(text));
	free(text);
	unifw_jv_free(m);
}

static void plan_restores_a_backup_of_this_phone_and_takes_only_firmware_from_a_donor(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	fixture_open(&fx, LAYOUT, NPARTS);
	default_facts(&f, A516_CID);

	/* this phone's backup: a restore, its identity written without --include-identity */
	write_full_manifest(fx.pkg_path, A516_CID);
	reopen_any(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_int_equal(plan.mode, UNIFW_FLASH_MODE_RESTORE);
	assert_string_equal(entry(&plan, "NVRAM")->code, "write");
	assert_non_null(strstr(entry(&plan, "NVRAM")->reason, "nvram.bin is this phone's own"));
	assert_string_equal(entry(&plan, "PRO_INFO")->code, "write");
	assert_string_equal(entry(&plan, "USRDATA")->code, "write");
	assert_int_equal(plan.refusals, 0);
	uint8_t restore_hash[32];
	memcpy(restore_hash, plan.sha256, 32);
	unifw_flash_plan_free(&plan);

	/* --only: the rest is not selected, and the plan hash says so */
	snprintf(o.only, sizeof o.only, "BOOTIMG");
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_string_equal(entry(&plan, "BOOTIMG")->code, "write");
	assert_string_equal(entry(&plan, "NVRAM")->code, "not_selected");
	assert_int_equal(plan.writes, 1);
	assert_memory_not_equal(plan.sha256, restore_hash, 32);
	unifw_flash_plan_free(&plan);
	o.only[0] = 0;

	/* a file changed since the backup: refused before anything, naming the file and both digests */
	write_random(fx.pkg_path, "boot.img", 64u << 10, 991);
	reopen_any(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	const struct unifw_flash_entry *e = entry(&plan, "BOOTIMG");
	assert_int_equal(e->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e->code, "backup_hash_mismatch");
	assert_non_null(strstr(e->reason, "boot.img: SHA-256 "));
	assert_non_null(strstr(e->reason, "but the backup manifest records "));
	assert_true(plan.refusals >= 1);
	unifw_flash_plan_free(&plan);

	/* another phone's backup: a donor; its identity and user data stay off this phone */
	write_full_manifest(fx.pkg_path, HYNIX_CID);
	reopen_any(&fx);
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_int_equal(plan.mode, UNIFW_FLASH_MODE_DONOR);
	assert_string_equal(plan.backup_cid, "90014a48384731650210112233445501");
	e = entry(&plan, "NVRAM");
	assert_int_equal(e->action, UNIFW_FLASH_SKIP);
	assert_string_equal(e->code, "donor_identity");
	assert_non_null(strstr(e->reason, "donor backup of CID 90014a48384731650210112233445501: this phone keeps its own identity"));
	assert_string_equal(entry(&plan, "USRDATA")->code, "donor_user_data");
	assert_string_equal(entry(&plan, "BOOTIMG")->code, "write");
	assert_int_equal(plan.refusals, 0);
	unifw_flash_plan_free(&plan);
	/* --include-identity does not let a donor's identity through */
	o.include_identity = true;
	plan_ok(fx.pkg, &f, &o, &plan);
	assert_string_equal(entry(&plan, "NVRAM")->code, "identity_other_phone");
	assert_string_equal(entry(&plan, "PRO_INFO")->code, "identity_other_phone");
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
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
		cmocka_unit_test(plan_restores_a_backup_of_this_phone_and_takes_only_firmware_from_a_donor),
		cmocka_unit_test(plan_refuses_unknown_partitions),
		cmocka_unit_test(plan_bad_parameters_fail),
		cmocka_unit_test(plan_hash_follows_images_and_options),
		cmocka_unit_test(wrap_reproduces_the_corpus_boot_region),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
