/* Backup internals without a phone: the layout merge of a PMT and an MBR/EBR chain built with the
 * project's writers (linear vs user-area PMT offsets, disagreements, BMTPOOL inference, MBR-only),
 * the scatter rebuilt from it against every corpus MT6572 eMMC scatter (same partitions, starts,
 * sizes after a write/parse round trip), file names from hostile partition names, the journal
 * (round trip, refusal of another phone / another layout / other options, corrupted journals), and
 * the format plan (identity refusal, all-but-identity keeps tables and reserved areas). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/backup.h"
#include "unifw/erase.h"
#include "unifw/identify.h"
#include "unifw/mbr.h"
#include "unifw/pmt.h"
#include "unifw/scatter.h"

/* A phone layout from a corpus scatter: PMT entries (offset = linear, as the sim and scatters write
 * them; reserved partitions left out like unifw-sim's PMT) and the MBR/EBR chain ptgen would write. */
struct fixture {
	struct unifw_pmt pmt;
	struct unifw_mbr_table mbr;
	uint64_t boot_region, user_size;
};

static bool is_ext4(const char *name)
{
	static const char *const fs[] = {"PROTECT_F", "PROTECT_S", "PRELOAD", "ANDROID", "CACHE", "CUSTPACK", "USRDATA",
					 "FAT"};
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		if (!strcmp(name, fs[i]))
			return true;
	return false;
}

static bool fixture_from_scatter(const struct unifw_scatter *sc, bool pmt_linear, struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->boot_region = unifw_scatter_boot_region(sc);
	if (!f->boot_region)
		return false;
	uint64_t end = 0;
	struct unifw_mbr_layout_part lp[UNIFW_MBR_MAX_PARTS];
	uint64_t ebr[UNIFW_MBR_MAX_EBRS];
	size_t nlp = 0, nebr = 0;
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (unifw_scatter_addr_is_from_end(p->linear_start) || p->is_reserved)
			continue;
		if (f->pmt.count < UNIFW_PMT_MAX_ENTRIES) {
			struct unifw_pmt_entry *e = &f->pmt.entry[f->pmt.count++];
			snprintf(e->name, sizeof e->name, "%s", p->name);
			e->size = p->size;
			e->offset = pmt_linear || p->linear_start < f->boot_region ? p->linear_start
										  : p->linear_start - f->boot_region;
		}
		if (p->linear_start >= f->boot_region) {
			uint64_t off = p->linear_start - f->boot_region;
			if (!strncmp(p->name, "EBR", 3) && nebr < UNIFW_MBR_MAX_EBRS)
				ebr[nebr++] = off;
			if (is_ext4(p->name) && nlp < UNIFW_MBR_MAX_PARTS)
				lp[nlp++] = (struct unifw_mbr_layout_part){off, p->size, 0};
			if (off + p->size > end)
				end = off + p->size;
		}
	}
	/* a user area with room for BMTPOOL (0xA8 blocks) after the last partition */
	f->user_size = (end + 0x1500000 + 0x3FFFFF) & ~(uint64_t)0x3FFFFF;
	if (!nebr || !nlp)
		return false;
	/* build the sectors and read the chain back, like the phone layer does from the eMMC */
	uint8_t secs[(1 + UNIFW_MBR_MAX_EBRS) * 512];
	struct unifw_mbr_layout L = {lp, nlp, ebr, nebr, true};
	struct unifw_error e;
	if (unifw_mbr_build(&L, secs, sizeof secs, &e) != 0)
		return false;
	const uint8_t *sp[1 + UNIFW_MBR_MAX_EBRS];
	size_t sl[1 + UNIFW_MBR_MAX_EBRS];
	for (size_t k = 0; k <= nebr; k++) {
		sp[k] = secs + 512 * k;
		sl[k] = 512;
	}
	return unifw_mbr_table_from_sectors(sp, sl, 1 + nebr, f->user_size / 512, &f->mbr, &e) == 0;
}

static void rebuilt_scatter_equals_every_corpus_emmc_scatter(void **state)
{
	(void)state;
	size_t n = 0, checked = 0;
	char **files = corpus_list("scatter", &n);
	for (size_t i = 0; i < n; i++) {
		struct unifw_scatter sc;
		struct unifw_error e;
		if (unifw_scatter_load(corpus_path(files[i]), &sc, &e) != 0)
			continue;
		bool v1_emmc = sc.dialect == UNIFW_SCATTER_V1 && !strcasecmp(sc.storage, "EMMC") &&
			       !strcasecmp(sc.platform, "MT6572");
		for (int linear = 0; v1_emmc && linear <= 1; linear++) {
			static struct fixture f;
			if (!fixture_from_scatter(&sc, linear, &f)) {
				/* ext4 partitions under other names than ptgen's: no chain to build */
				print_message("%s: no MBR/EBR chain from its partition names, skipped\n", files[i]);
				break;
			}
			static struct unifw_phone_layout l;
			if (unifw_phone_layout_merge(&f.pmt, &f.mbr, f.boot_region, f.user_size, &l, &e) != 0)
				fail_msg("%s: merge: %s", files[i], e.msg);
			assert_int_equal(l.pmt_linear, linear);
			if (l.note[0])
				fail_msg("%s: unexpected note: %s", files[i], l.note);
			struct unifw_scatter rb, back;
			assert_int_equal(unifw_backup_scatter(&l, sc.platform, sc.project, NULL, &rb, &e), 0);
			char *text;
			size_t len;
			assert_int_equal(unifw_scatter_write(&rb, UNIFW_SCATTER_V1, &text, &len, &e), 0);
			assert_int_equal(unifw_scatter_parse(text, len, "rebuilt", &back, &e), 0);
			free(text);
			/* every stock partition but an OTP is rebuilt with the same start and size; BMTPOOL's
			 * 0xFFFFxxxx start only when the stock size is the canonical 0xA8 blocks */
			size_t k = 0;
			for (size_t s = 0; s < sc.count; s++) {
				const struct unifw_scatter_part *a = &sc.parts[s];
				if (!a->name[0] || !strcmp(a->name, "OTP") ||
				    (!strcmp(a->name, "BMTPOOL") &&
				     (a->size != 0x1500000 || (a->linear_start & 0xFFFF) != 0xA8)))
					continue; /* vendor files whose reserved area is not ptgen's 0xA8 blocks */
				const struct unifw_scatter_part *b = unifw_scatter_find(&back, a->name);
				if (!b)
					fail_msg("%s: %s missing from the rebuilt scatter", files[i], a->name);
				assert_int_equal(b->linear_start, a->linear_start);
				assert_int_equal(b->size, a->size);
				assert_string_equal(b->region, a->region);
				k++;
			}
			assert_true(k + 1 >= back.count); /* nothing invented beyond an inferred BMTPOOL */
			/* the flat form lists the same names and starts */
			struct unifw_scatter flat, fback;
			assert_int_equal(unifw_backup_scatter_flat(&back, &flat, &e), 0);
			assert_int_equal(unifw_scatter_write(&flat, UNIFW_SCATTER_FLAT, &text, &len, &e), 0);
			assert_int_equal(unifw_scatter_parse(text, len, "flat", &fback, &e), 0);
			free(text);
			assert_int_equal(fback.count, back.count);
			for (size_t s = 0; s < back.count; s++)
				assert_int_equal(fback.parts[s].linear_start, back.parts[s].linear_start);
			unifw_scatter_free(&fback);
			unifw_scatter_free(&flat);
			unifw_scatter_free(&rb);
			unifw_scatter_free(&back);
			checked++;
		}
		unifw_scatter_free(&sc);
	}
	test_free_list(files, n);
	print_message("%zu (scatter file, PMT convention) pairs checked\n", checked);
	assert_true(checked >= 8); /* at least 4 corpus phones in both PMT conventions */
}

static void merge_reports_disagreements_and_handles_mbr_only(void **state)
{
	(void)state;
	static struct fixture f;
	struct unifw_scatter sc;
	struct unifw_error e;
	static struct unifw_phone_layout l;
	assert_int_equal(unifw_scatter_load(corpus_path("scatter/mt6572_lenovo_a516_S117.txt"), &sc, &e), 0);
	assert_true(fixture_from_scatter(&sc, true, &f));
	/* ANDROID's PMT size disagrees with the MBR */
	for (size_t i = 0; i < f.pmt.count; i++)
		if (!strcmp(f.pmt.entry[i].name, "ANDROID"))
			f.pmt.entry[i].size += 0x100000;
	assert_int_equal(unifw_phone_layout_merge(&f.pmt, &f.mbr, f.boot_region, f.user_size, &l, &e), 0);
	assert_non_null(strstr(l.note, "ANDROID: MBR/EBR says"));
	assert_non_null(strstr(l.note, "overlaps"));
	/* no PMT: the MBR partitions are named by their kernel index, MBR and EBR1 by the chain */
	assert_int_equal(unifw_phone_layout_merge(NULL, &f.mbr, f.boot_region, f.user_size, &l, &e), 0);
	assert_false(l.have_pmt);
	bool p2 = false, mbr = false;
	for (size_t i = 0; i < l.count; i++) {
		p2 |= !strcmp(l.part[i].name, "mmcblk0p2") && l.part[i].offset == 0x900000;
		mbr |= !strcmp(l.part[i].name, "MBR") && l.part[i].offset == 0;
	}
	assert_true(p2 && mbr);
	/* neither table: NOT_FOUND */
	assert_int_equal(unifw_phone_layout_merge(NULL, NULL, f.boot_region, f.user_size, &l, &e), UNIFW_E_NOT_FOUND);
	/* a PMT entry beyond the user area is left out with a note, never trusted */
	f.pmt.entry[3].offset = f.boot_region + f.user_size + 0x1000;
	assert_int_equal(unifw_phone_layout_merge(&f.pmt, &f.mbr, f.boot_region, f.user_size, &l, &e), 0);
	assert_non_null(strstr(l.note, "outside the user area"));
	unifw_scatter_free(&sc);
}

static void file_names_are_scatter_names_and_safe(void **state)
{
	(void)state;
	char b[96];
	assert_string_equal(unifw_backup_file_name("ANDROID", "ext4", b, sizeof b), "system.img");
	assert_string_equal(unifw_backup_file_name("USRDATA", "ext4", b, sizeof b), "userdata.img");
	assert_string_equal(unifw_backup_file_name("UBOOT", "lk", b, sizeof b), "lk.bin");
	assert_string_equal(unifw_backup_file_name("MBR", NULL, b, sizeof b), "MBR");
	assert_string_equal(unifw_backup_file_name("NVRAM", NULL, b, sizeof b), "nvram.bin");
	assert_string_equal(unifw_backup_file_name("PROTECT_F", NULL, b, sizeof b), "protect_f.img");
	assert_string_equal(unifw_backup_file_name("VENDOR_X", "ext4", b, sizeof b), "vendor_x.img");
	/* names from a hostile phone cannot leave the folder or hide */
	assert_string_equal(unifw_backup_file_name("../../etc/passwd", NULL, b, sizeof b), "_._.._etc_passwd.bin");
	assert_string_equal(unifw_backup_file_name("..", NULL, b, sizeof b), "_..bin");
	assert_string_equal(unifw_backup_file_name("", NULL, b, sizeof b), "_.bin");
	assert_null(strchr(unifw_backup_file_name("a/b\\c", NULL, b, sizeof b), '/'));
	assert_true(unifw_backup_is_identity("nvram") && unifw_backup_is_identity("PROTECT_S"));
	assert_false(unifw_backup_is_identity("ANDROID") || unifw_backup_is_identity(NULL));
}

static void journal(struct unifw_backup_journal *j)
{
	memset(j, 0, sizeof *j);
	snprintf(j->cid, sizeof j->cid, "1501004e355530304d1100000516a6f9");
	j->user_size = 512u << 20;
	j->boot1_size = 2u << 20;
	j->boot_region = 6u << 20;
	j->count = 2;
	snprintf(j->item[0].name, sizeof j->item[0].name, "PRELOADER");
	snprintf(j->item[0].file, sizeof j->item[0].file, "preloader.bin");
	j->item[0].part = UNIFW_PHONE_BOOT1;
	j->item[0].size = 2u << 20;
	j->item[0].done = 2u << 20;
	j->item[0].complete = true;
	memset(j->item[0].sha256, 'a', 64);
	snprintf(j->item[1].name, sizeof j->item[1].name, "ANDROID");
	snprintf(j->item[1].file, sizeof j->item[1].file, "system.img");
	j->item[1].part = UNIFW_PHONE_USER;
	j->item[1].offset = 0x5740000;
	j->item[1].size = 160u << 20;
	j->item[1].done = 64u << 20;
	j->item[1].holes = 4096;
}

static void journal_round_trip_and_refusals(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[600];
	snprintf(path, sizeof path, "%s/j.json", dir);
	static struct unifw_backup_journal j, back, now;
	struct unifw_error e;
	journal(&j);
	assert_int_equal(unifw_backup_journal_save(path, &j, &e), 0);
	assert_int_equal(unifw_backup_journal_load(path, &back, &e), 0);
	assert_int_equal(back.count, 2);
	assert_string_equal(back.cid, j.cid);
	assert_true(back.item[0].complete);
	assert_int_equal(back.item[1].done, 64u << 20);
	assert_int_equal(back.item[1].holes, 4096);
	assert_int_equal(back.item[1].offset, 0x5740000);

	/* the plan made now, without progress, adopts the saved progress */
	journal(&now);
	now.item[0].complete = false;
	now.item[0].done = now.item[1].done = 0;
	assert_int_equal(unifw_backup_journal_adopt(&back, &now, &e), 0);
	assert_true(now.item[0].complete);
	assert_int_equal(now.item[1].done, 64u << 20);
	/* another phone */
	journal(&now);
	now.cid[5] ^= 1;
	assert_int_equal(unifw_backup_journal_adopt(&back, &now, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "another phone"));
	/* the partition table changed */
	journal(&now);
	now.item[1].size += 512;
	assert_int_equal(unifw_backup_journal_adopt(&back, &now, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "partition table changed"));
	/* other options */
	journal(&now);
	now.skip_empty = true;
	assert_int_equal(unifw_backup_journal_adopt(&back, &now, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "--skip-empty"));

	/* corrupted journals are refused, never half-used */
	static const char *const bad[] = {
		"{\"kind\":\"other\"}",
		"{\"kind\":\"unifw-backup-journal\",\"version\":9}",
		"{\"kind\":\"unifw-backup-journal\",\"version\":1,\"cid\":\"x\",\"user_size\":1,\"boot1_size\":1,"
		"\"boot_region\":1,\"items\":[{\"name\":\"A\",\"image\":\"a\",\"part\":8,\"offset\":0,\"size\":10,"
		"\"done\":11,\"digest\":\"\",\"holes\":0}]}",
		"{\"kind\":\"unifw-backup-journal\",\"version\":1,\"cid\":\"x\",\"user_size\":1,\"boot1_size\":1,"
		"\"boot_region\":1,\"items\":[{\"name\":\"A\",\"image\":\"a\",\"part\":3,\"offset\":0,\"size\":10,"
		"\"done\":1,\"digest\":\"\",\"holes\":0}]}",
		"{\"kind\":\"unifw-backup-journal\",\"version\":1,\"cid\":\"x\",\"user_size\":1,\"boot1_size\":1,"
		"\"boot_region\":1,\"items\":[{\"name\":\"A\",\"image\":\"a\",\"part\":8,\"offset\":0,\"size\":10,"
		"\"done\":10,\"complete\":true,\"digest\":\"short\",\"holes\":0}]}",
		"not json at all",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_write_file(path, bad[i], strlen(bad[i]));
		assert_true(unifw_backup_journal_load(path, &back, &e) < 0);
	}
	/* the typed reader names the file and the key */
	static const struct {
		const char *text, *msg;
	} keyed[] = {
		{"{\"kind\":\"unifw-backup-journal\",\"version\":1,\"user_size\":1}",
		 "backup journal key \"cid\": expected a string, missing"},
		{"{\"kind\":\"unifw-backup-journal\",\"version\":1,\"cid\":\"x\",\"user_size\":1,\"boot1_size\":1,"
		 "\"boot_region\":1,\"items\":[{\"name\":\"A\",\"image\":\"a\",\"part\":8,\"offset\":0,\"size\":\"10\","
		 "\"done\":1,\"digest\":\"\",\"holes\":0}]}",
		 "backup journal items.0 key \"size\": expected a non-negative number, found a string"},
	};
	for (size_t i = 0; i < sizeof keyed / sizeof keyed[0]; i++) {
		test_write_file(path, keyed[i].text, strlen(keyed[i].text));
		assert_int_equal(unifw_backup_journal_load(path, &back, &e), UNIFW_E_FORMAT);
		assert_string_equal(e.msg, keyed[i].msg);
		assert_string_equal(e.where, path);
	}
	test_rmtree(dir);
	free(dir);
}

static void format_plan_protects_identity_and_tables(void **state)
{
	(void)state;
	static struct fixture f;
	static struct unifw_phone_layout l;
	struct unifw_scatter sc;
	struct unifw_error e;
	static struct unifw_erase_plan plan;
	assert_int_equal(unifw_scatter_load(corpus_path("scatter/mt6572_lenovo_a516_S117.txt"), &sc, &e), 0);
	assert_true(fixture_from_scatter(&sc, true, &f));
	assert_int_equal(unifw_phone_layout_merge(&f.pmt, &f.mbr, f.boot_region, f.user_size, &l, &e), 0);

	const char *nv[] = {"nvram"};
	struct unifw_erase_opts o = {.partitions = nv, .count = 1};
	assert_int_equal(unifw_erase_plan(&l, &o, &plan, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "--include-identity"));
	o.include_identity = true;
	assert_int_equal(unifw_erase_plan(&l, &o, &plan, &e), 0);
	assert_int_equal(plan.erase_count, 1);
	const char *none[] = {"NOSUCH"};
	struct unifw_erase_opts o2 = {.partitions = none, .count = 1};
	assert_int_equal(unifw_erase_plan(&l, &o2, &plan, &e), UNIFW_E_NOT_FOUND);
	struct unifw_erase_opts empty = {0};
	assert_int_equal(unifw_erase_plan(&l, &empty, &plan, &e), UNIFW_E_INVALID);

	struct unifw_erase_opts all = {.all_but_identity = true};
	assert_int_equal(unifw_erase_plan(&l, &all, &plan, &e), 0);
	uint64_t bytes = 0;
	for (size_t i = 0; i < plan.count; i++) {
		const struct unifw_erase_step *s = &plan.step[i];
		bool keep = unifw_backup_is_identity(s->name) || !strcmp(s->name, "MBR") || !strcmp(s->name, "EBR1") ||
			    !strcmp(s->name, "BMTPOOL") || !strcmp(s->name, "PRELOADER");
		if (s->erase == keep)
			fail_msg("%s: erase=%d (%s)", s->name, s->erase, s->why);
		if (s->erase)
			bytes += s->size;
	}
	assert_int_equal(bytes, plan.erase_bytes);
	struct unifw_jv *j = unifw_jv_object();
	unifw_erase_plan_to_json(&plan, j);
	assert_int_equal(unifw_jv_len(unifw_jv_get(j, "partitions")), plan.count);
	unifw_jv_free(j);
	unifw_scatter_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rebuilt_scatter_equals_every_corpus_emmc_scatter),
		cmocka_unit_test(merge_reports_disagreements_and_handles_mbr_only),
		cmocka_unit_test(file_names_are_scatter_names_and_safe),
		cmocka_unit_test(journal_round_trip_and_refusals),
		cmocka_unit_test(format_plan_protects_identity_and_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
