/* unifw flash --repartition (Firmware Upgrade, docs/flash.md "Firmware Upgrade (--repartition)"): the
 * plan's address rule (a package built for a 0xC00000 boot region on a 0x600000 phone: user offset = linear -
 * the PACKAGE's boot region, the PMT written in the PHONE's), its refusals, and the executor against an
 * in-memory phone whose identity partitions MOVE (NVRAM and PRO_INFO swap places, PROTECT_F grows and is
 * resized with e2fsprogs): a cut in the identity phase, after PRO_INFO overwrote NVRAM's old place, resumes
 * from the identity backup entry, never from the phone. The package is the flash fixture's (flash_fixture.c). */
#include "flash_fixture.h"

#include "ops/flash_repartition.h"
#include "unifw/hash.h"

#define PHONE_BR 0x600000u

/* The phone's layout, in the package's linear terms (0xC00000-based, as the fixture's table builder takes
 * them): NVRAM and PRO_INFO in each other's place, PROTECT_F half the package's size, the rest shifted. */
static const struct part_def OLD[] = {
	{"PRELOADER", 0, BOOT_REGION, "NONE", false, "SV5_BL_BIN", "EMMC_BOOT_1", "BOOTLOADERS", false},
	{"MBR", 0xC00000, 0x80000, "NONE", false, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"EBR1", 0xC80000, 0x80000, "NONE", false, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"NVRAM", 0xD00000, 0x100000, "NONE", false, "NORMAL_ROM", "EMMC_USER", "BINREGION", false},
	{"PRO_INFO", 0xE00000, 0x100000, "NONE", false, "NORMAL_ROM", "EMMC_USER", "PROTECTED", false},
	{"PROTECT_F", 0xF00000, 0x80000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "PROTECTED", true},
	{"PROTECT_S", 0xF80000, 0x100000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "PROTECTED", true},
	{"UBOOT", 0x1080000, 0x80000, "NONE", false, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"BOOTIMG", 0x1100000, 0x400000, "NONE", false, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"ANDROID", 0x1500000, 0x800000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "UPDATE", true},
	{"CACHE", 0x1D00000, 0x200000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "INVISIBLE", true},
	{"USRDATA", 0x1F00000, 0x600000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "UPDATE", true},
	{"BMTPOOL", 0xFFFF0008, 0x100000, "NONE", false, "NONE", "EMMC_USER", "RESERVED", false},
};
#define OLD_COUNT (sizeof OLD / sizeof *OLD)

/* Facts of a phone whose boot region is PHONE_BR and whose tables describe `parts`: the PMT holds linear
 * addresses of the phone's boot region (what it reads), the MBR/EBR user-area sectors. */
static void phone_facts(struct unifw_flash_facts *f, const struct part_def *parts, size_t n)
{
	static struct phone_tables t;
	struct unifw_mbr_table mbr;
	struct unifw_error e;
	tables_from_layout(&t, parts, n);
	for (size_t i = 0; i < t.pmt.count; i++)
		if (t.pmt.entry[i].offset >= BOOT_REGION && t.pmt.entry[i].offset < 0xFFFF0000u)
			t.pmt.entry[i].offset = t.pmt.entry[i].offset - BOOT_REGION + PHONE_BR;
	const uint8_t *secs[2] = {t.mbr, t.mbr + 512};
	const size_t lens[2] = {512, 512};
	memset(f, 0, sizeof *f);
	f->mode = "preloader";
	memcpy(f->cid, A516_CID, 16);
	f->boot1_size = BOOT1_SIZE;
	f->user_size = USER_SIZE;
	f->boot_region = PHONE_BR;
	if (unifw_mbr_table_from_sectors(secs, lens, 2, USER_SIZE / 512, &mbr, &e))
		fail_msg("mbr table: %s", e.msg);
	if (unifw_phone_layout_merge(&t.pmt, &mbr, PHONE_BR, USER_SIZE, &f->layout, &e))
		fail_msg("layout merge: %s", e.msg);
	f->have_layout = true;
}

static const struct unifw_flash_plan_opts REPART = {.verify = true, .range_size = RANGE, .repartition = true};

static uint64_t user_of(const struct part_def *parts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(parts[i].name, name))
			return parts[i].linear - BOOT_REGION;
	fail_msg("no %s", name);
	return 0;
}

static void address_rule_follows_the_package_boot_region(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_error e;
	fixture_open(&fx, LAYOUT, NPARTS);
	phone_facts(&f, OLD, OLD_COUNT);

	/* without --repartition: the 8038 refusal, which now names the way out */
	struct unifw_flash_plan_opts plain = REPART;
	plain.repartition = false;
	plan_ok(fx.pkg, &f, &plain, &plan);
	assert_true(plan.refusals > 0);
	assert_true(has_finding(&plan, "layout-changed", "--repartition"));
	unifw_flash_plan_free(&plan);

	plan_ok(fx.pkg, &f, &REPART, &plan);
	assert_int_equal(plan.refusals, 0);
	assert_true(has_finding(&plan, "user-data-erased", "USER DATA IS ERASED"));
	/* user offset = linear - the package's boot region (0xC00000), not - the phone's (SP Flash Tool's miss) */
	const struct unifw_flash_entry *lk = entry(&plan, "UBOOT");
	assert_int_equal(lk->offset, 0x1100000 - BOOT_REGION);
	assert_int_not_equal(lk->offset, 0x1100000 - PHONE_BR);
	assert_int_equal(entry(&plan, "MBR")->offset, 0);
	/* order: the tables, the carried identity, the firmware */
	const char *first[] = {"MBR", "EBR1", "PMT", "PRO_INFO", "NVRAM", "PROTECT_F", "PROTECT_S"};
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(plan.entries[i].name, first[i]);
	const struct unifw_flash_entry *nv = entry(&plan, "NVRAM");
	assert_int_equal(nv->form, UNIFW_FLASH_FORM_CARRY);
	assert_string_equal(nv->code, "carry_identity");
	assert_null(nv->image); /* the package's nvram.bin is never the source */
	assert_int_equal(nv->offset, 0x200000);
	assert_non_null(strstr(nv->reason, "user 0x100000"));
	assert_non_null(strstr(entry(&plan, "PROTECT_F")->reason, "resize2fs"));
	assert_int_equal(entry(&plan, "CACHE")->form, UNIFW_FLASH_FORM_ZERO);
	assert_int_equal(entry(&plan, "BMTPOOL")->action, UNIFW_FLASH_SKIP);

	/* the PMT: the package's partitions at user offset + the PHONE's boot region; read back through the
	 * phone's table merge (what `unifw identify` and the phone's loaders see) with the package's MBR, every
	 * partition is where the plan writes it */
	static uint8_t pmtb[UNIFW_FLASH_PMT_BYTES];
	struct unifw_pmt pmt;
	assert_int_equal(flash_repart_pmt(&plan, pmtb, &e), 0);
	assert_int_equal(unifw_pmt_parse(pmtb, sizeof pmtb, "PMT", &pmt, &e), 0);
	struct phone_tables pkg_tables;
	tables_from_layout(&pkg_tables, LAYOUT, NPARTS);
	struct unifw_mbr_table mbr;
	const uint8_t *secs[2] = {pkg_tables.mbr, pkg_tables.mbr + 512};
	const size_t lens[2] = {512, 512};
	assert_int_equal(unifw_mbr_table_from_sectors(secs, lens, 2, USER_SIZE / 512, &mbr, &e), 0);
	static struct unifw_phone_layout after;
	assert_int_equal(unifw_phone_layout_merge(&pmt, &mbr, PHONE_BR, USER_SIZE, &after, &e), 0);
	assert_true(after.pmt_linear);
	size_t matched = 0;
	for (size_t i = 0; i < after.count; i++)
		for (size_t k = 0; k < plan.count; k++)
			if (!strcmp(after.part[i].name, plan.entries[k].name) && plan.entries[k].action == UNIFW_FLASH_WRITE &&
			    plan.entries[k].part == UNIFW_PHONE_USER && strcmp(plan.entries[k].name, "PMT")) {
				assert_int_equal(after.part[i].offset, plan.entries[k].offset);
				matched++;
			}
	assert_true(matched >= 10);

	/* the JSON shows both layouts side by side */
	struct unifw_jv *j = unifw_flash_plan_to_json(&plan);
	char *text = unifw_jv_to_string(j, false);
	assert_non_null(strstr(text, "\"repartition\":{"));
	assert_non_null(strstr(text, "\"user_data_erased\":true"));
	assert_non_null(strstr(text, "\"name\":\"NVRAM\",\"old_offset\":\"0x100000\""));
	free(text);
	unifw_jv_free(j);
	unifw_flash_plan_free(&plan);
	fixture_close(&fx);
}

static void refusals(void **state)
{
	(void)state;
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_error e;
	fixture_open(&fx, LAYOUT, NPARTS);

	/* the phone's NVRAM is bigger than the package's: raw content is never cut */
	struct part_def big[OLD_COUNT];
	memcpy(big, OLD, sizeof big);
	big[3].size = 0x100000 * 2; /* NVRAM, over PRO_INFO's place: the table only has to say it */
	phone_facts(&f, big, OLD_COUNT);
	plan_ok(fx.pkg, &f, &REPART, &plan);
	assert_string_equal(entry(&plan, "NVRAM")->code, "carry_too_small");
	assert_true(plan.refusals > 0);
	unifw_flash_plan_free(&plan);

	/* a phone whose table has no PROTECT_S: nothing to carry, refused (not on a resume: its table may
	 * be the package's by then, and the backup entry has it) */
	struct part_def none[OLD_COUNT];
	memcpy(none, OLD, sizeof none);
	none[6].name = "PROTECT_X";
	phone_facts(&f, none, OLD_COUNT);
	plan_ok(fx.pkg, &f, &REPART, &plan);
	assert_string_equal(entry(&plan, "PROTECT_S")->code, "carry_no_source");
	unifw_flash_plan_free(&plan);
	struct unifw_flash_plan_opts resuming = REPART;
	resuming.resuming = true;
	plan_ok(fx.pkg, &f, &resuming, &plan);
	assert_string_equal(entry(&plan, "PROTECT_S")->code, "carry_identity");
	unifw_flash_plan_free(&plan);

	/* identity content the phone's table does not name as identity (NVRAM_X) would not be carried: refused
	 * on a fresh plan (it is backed up, but nothing would put it back), not on a resume */
	phone_facts(&f, OLD, OLD_COUNT);
	f.identity_regions.scanned = true;
	f.identity_regions.count = 1;
	f.identity_regions.r[0] = (struct unifw_idregion){.kind = UNIFW_IDREGION_NVRAM, .name = "NVRAM_X", .offset = 0x2000000,
							   .size = 0x100000, .found_by = "phone table"};
	plan_ok(fx.pkg, &f, &REPART, &plan);
	assert_true(has_finding(&plan, "identity-not-carried", "NVRAM_X"));
	assert_true(plan.refusals > 0);
	unifw_flash_plan_free(&plan);
	plan_ok(fx.pkg, &f, &resuming, &plan);
	assert_false(has_finding(&plan, "identity-not-carried", NULL));
	unifw_flash_plan_free(&plan);

	/* --include-identity does not go with it */
	struct unifw_flash_plan_opts both = REPART;
	both.include_identity = true;
	phone_facts(&f, OLD, OLD_COUNT);
	assert_int_equal(unifw_flash_plan(fx.pkg, &f, &both, &plan, &e), UNIFW_E_INVALID);
	fixture_close(&fx);
}

/* ---------------------------------------------------------------- execution */

static const char *const carried[] = {"NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S"};
static const char *const files[] = {"nvram.bin", "pro_info.bin", "protect_f.img", "protect_s.img"};

/* The layout the in-memory phone's identity backup reads (OLD unless a test changes it). */
static const struct part_def *backup_layout = OLD;

/* The identity backup of the phone's OLD places, with a manifest as unifw_backup_identity writes it. */
static int old_backup(void *ctx, const char *dir, struct unifw_error *err)
{
	struct memphone *m = ctx;
	(void)err;
	m->backups++;
	char path[4200], hex[65], *json = NULL;
	size_t cap = 0;
	FILE *mf = open_memstream(&json, &cap);
	fprintf(mf, "{\"kind\":\"unifw-backup\",\"scope\":\"identity\",\"partitions\":[");
	for (size_t i = 0; i < 4; i++) {
		uint64_t off = user_of(backup_layout, OLD_COUNT, carried[i]), size = 0;
		for (size_t k = 0; k < OLD_COUNT; k++)
			if (!strcmp(backup_layout[k].name, carried[i]))
				size = backup_layout[k].size;
		uint8_t d[32];
		unifw_sha256(m->user + off, (size_t)size, d);
		unifw_hex(d, 32, hex);
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		test_write_file(path, m->user + off, (size_t)size);
		fprintf(mf, "%s{\"name\":\"%s\",\"file\":\"%s\",\"size\":%llu,\"sha256\":\"%s\"}", i ? "," : "", carried[i],
			files[i], (unsigned long long)size, hex);
	}
	fprintf(mf, "]}");
	fclose(mf);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	test_write_file(path, json, strlen(json));
	free(json);
	snprintf(m->last_backup, sizeof m->last_backup, "%s", dir);
	return 0;
}

/* An ext4 labelled protect_f holding /md/cal.txt, made by mke2fs -d (features: "-O ^has_journal" for a
 * small one, "" for one with a journal, which resize2fs cannot shrink below it). */
static bool make_ext4(const char *root, uint8_t *dst, size_t size, const char *features)
{
	char cmd[24576], img[4200];
	snprintf(img, sizeof img, "%s/protect_f.src", root);
	snprintf(cmd, sizeof cmd,
		 "rm -f '%s' && mkdir -p '%s/pf/md' && echo 'calibration 0123456789' > '%s/pf/md/cal.txt' && "
		 "mke2fs -q -F -t ext4 %s -L protect_f -b 1024 -d '%s/pf' '%s' %zu >/dev/null 2>&1",
		 img, root, root, features, root, img, size / 1024);
	if (system(cmd) != 0)
		return false;
	size_t len;
	uint8_t *b = test_read_file(img, &len);
	assert_int_equal(len, size);
	memcpy(dst, b, size);
	free(b);
	return true;
}

static void executes_and_resumes_from_the_backup_entry(void **state)
{
	struct exec_case *c = *state;
	struct unifw_error e;
	struct unifw_flash_facts f2;
	c->dev.backup_identity = old_backup;
	/* the phone's identity at its old places */
	uint64_t nv_old = user_of(OLD, OLD_COUNT, "NVRAM"), pi_old = user_of(OLD, OLD_COUNT, "PRO_INFO");
	uint64_t pf_old = user_of(OLD, OLD_COUNT, "PROTECT_F"), ps_old = user_of(OLD, OLD_COUNT, "PROTECT_S");
	fill_random(c->m.user + nv_old, 0x100000, 101);
	fill_random(c->m.user + pi_old, 0x100000, 102);
	fill_random(c->m.user + ps_old, 0x100000, 104);
	if (!make_ext4(c->fx.root, c->m.user + pf_old, 0x80000, "-O ^has_journal"))
		skip();
	uint8_t *nv = malloc(0x100000), *pi = malloc(0x100000), *ps = malloc(0x100000);
	memcpy(nv, c->m.user + nv_old, 0x100000);
	memcpy(pi, c->m.user + pi_old, 0x100000);
	memcpy(ps, c->m.user + ps_old, 0x100000);

	phone_facts(&c->f, OLD, OLD_COUNT);
	plan_ok(c->fx.pkg, &c->f, &REPART, &c->plan);
	assert_int_equal(c->plan.refusals, 0);
	/* cut inside NVRAM's carry: PRO_INFO has already been written over NVRAM's old place */
	c->m.cut_at = 0x200 + 0x200 + UNIFW_FLASH_PMT_BYTES + 0x100000 + 0x30000;
	assert_int_not_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &e), 0);
	assert_int_equal(c->m.backups, 1);
	assert_memory_equal(c->m.user + nv_old, pi, 0x100000); /* the old NVRAM place is gone */

	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &e), 0);
	assert_string_equal(j.phase, "identity");
	assert_true(j.opts.repartition);
	assert_string_equal(j.identity_backup, c->m.last_backup);
	/* the phase is checked like every key: a journal is hostile input */
	size_t tlen;
	char *text = (char *)test_read_file(c->job.journal, &tlen);
	char *at = strstr(text, "\"phase\": \"identity\"");
	assert_non_null(at);
	memcpy(at + 10, "IDENTITY", 8);
	struct unifw_flash_journal bad;
	assert_int_equal(unifw_flash_journal_parse(text, tlen, "j", &bad, &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "journal key \"phase\""));
	free(text);
	/* the resume plans against the phone as it is now (the package's table): the same plan */
	phone_facts(&f2, LAYOUT, NPARTS);
	struct unifw_flash_plan p2;
	struct unifw_flash_plan_opts o = j.opts;
	o.resuming = true;
	plan_ok(c->fx.pkg, &f2, &o, &p2);
	assert_int_equal(unifw_flash_journal_check(&j, &p2, &e), 0);
	c->job.o.resume = &j;
	int rc = unifw_flash_execute(&c->dev, &p2, &c->job.o, &c->res, &e);
	if (rc)
		fail_msg("resume: %s", e.msg);
	assert_int_equal(c->m.backups, 1); /* never read from the phone again */

	/* every identity partition at its new place holds what its old place held before the flash */
	assert_memory_equal(c->m.user + 0x200000, nv, 0x100000);
	assert_memory_equal(c->m.user + 0x100000, pi, 0x100000);
	assert_memory_equal(c->m.user + 0x400000, ps, 0x100000);
	/* PROTECT_F grew from 512 KiB to 1 MiB (resize2fs): its file survives */
	char img[4200], cmd[13000], out[4300];
	snprintf(img, sizeof img, "%s/protect_f.after", c->fx.root);
	test_write_file(img, c->m.user + 0x300000, 0x100000);
	snprintf(out, sizeof out, "%s/cal.out", c->fx.root);
	snprintf(cmd, sizeof cmd, "debugfs -R 'cat /md/cal.txt' '%s' > '%s' 2>/dev/null && e2fsck -fn '%s' >/dev/null 2>&1",
		 img, out, img);
	assert_int_equal(system(cmd), 0);
	size_t len;
	uint8_t *cal = test_read_file(out, &len);
	assert_int_equal(len, strlen("calibration 0123456789\n"));
	assert_memory_equal(cal, "calibration 0123456789\n", len);
	free(cal);
	/* CACHE (no image) is zero; the journal says done */
	for (size_t i = 0; i < 0x200000; i++)
		if (c->m.user[0x1B80000 - BOOT_REGION + i])
			fail_msg("CACHE byte 0x%zx is not zero", i);
	unifw_flash_journal_free(&j);
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &e), 0);
	assert_string_equal(j.phase, "done");
	assert_string_equal(j.state, "done");
	unifw_flash_journal_free(&j);
	unifw_flash_plan_free(&p2);
	free(nv);
	free(pi);
	free(ps);
}

/* A PROTECT_S whose file system cannot shrink into the package's partition: the job stops while making the
 * carried images from the backup, before the first write; the phone is untouched. */
static void an_ext4_that_does_not_fit_stops_before_any_write(void **state)
{
	struct exec_case *c = *state;
	struct unifw_error e;
	static struct part_def big[OLD_COUNT];
	memcpy(big, OLD, sizeof big);
	big[6].size = 0x400000; /* PROTECT_S: 4 MiB with a journal, the package's is 1 MiB */
	backup_layout = big;
	c->dev.backup_identity = old_backup;
	if (!make_ext4(c->fx.root, c->m.user + user_of(big, OLD_COUNT, "PROTECT_S"), 0x400000, "")) {
		backup_layout = OLD;
		skip();
	}
	uint8_t *before = malloc(USER_SIZE);
	memcpy(before, c->m.user, USER_SIZE);
	phone_facts(&c->f, big, OLD_COUNT);
	plan_ok(c->fx.pkg, &c->f, &REPART, &c->plan);
	assert_int_equal(c->plan.refusals, 0); /* an ext4 may shrink: only resize2fs knows */
	int rc = unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &e);
	backup_layout = OLD;
	assert_int_not_equal(rc, 0);
	assert_string_equal(c->res.failed_step, "identity");
	assert_non_null(strstr(e.msg, "PROTECT_S cannot be moved into its new partition (nothing written yet)"));
	assert_int_equal(c->m.writes, 0);
	assert_memory_equal(c->m.user, before, USER_SIZE);
	free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(address_rule_follows_the_package_boot_region),
		cmocka_unit_test(refusals),
		exec_test(executes_and_resumes_from_the_backup_entry),
		exec_test(an_ext4_that_does_not_fit_stops_before_any_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
