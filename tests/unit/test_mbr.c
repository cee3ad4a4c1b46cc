/* MediaTek MBR/EBR: every corpus/ptable file parses, classifies by its name and is rewritten byte for byte;
 * every MBR/EBR set resolves to absolute offsets that match its paired scatter file (PROVENANCE.tsv) and is
 * rebuilt by the ptgen-style writer into the same sectors; hostile tables fail naming the offset. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unifw/io.h"
#include "unifw/mbr.h"

#define SEC UNIFW_MBR_SECTOR_SIZE

/* One MBR/EBR set and the scatter file it pairs with (PROVENANCE.tsv descriptions). */
struct ptable_set {
	const char *mbr;
	const char *ebr[2];
	const char *scatter; /* NULL: no usable scatter (see the OPi test) */
};

static const struct ptable_set SETS[] = {
	{"mt6572_lenovo_a516_MBR.bin", {"mt6572_lenovo_a516_EBR1.bin"}, "mt6572_lenovo_a516_S117.txt"},
	{"mt6572_alcatel_5036_yarisl_MBR.bin",
	 {"mt6572_alcatel_5036_yarisl_EBR1.bin", "mt6572_alcatel_5036_yarisl_EBR2.bin"}, "mt6572_alcatel_5036_yarisl.txt"},
	{"mt6572_pe900s_MBR.bin", {"mt6572_pe900s_EBR1.bin"}, "mt6572_pe900s.txt"},
	/* PROVENANCE: the Bird a101 MBR is byte-identical to the pe900s MBR; only its EBR1 is in the corpus. */
	{"mt6572_pe900s_MBR.bin", {"mt6572_bird_a101_EBR1.bin"}, "mt6572_bird_a101_xbasic.txt"},
	{"mt6572_wiko_sunset2_MBR.bin", {"mt6572_wiko_sunset2_EBR1.bin"}, "mt6572_wiko_sunset2_s4050ap.txt"},
	{"mt6572_mobiwire_s10_MBR.bin", {"mt6572_mobiwire_s10_EBR1.bin"}, "mt6572_mobiwire_s10_starshine5.txt"},
	/* PROVENANCE: this scatter is hand-edited (CACHE/USRDATA removed), so it is not compared. */
	{"mt6572_orangepi3giot_hexing72_cwet_kk_MBR.bin", {"mt6572_orangepi3giot_hexing72_cwet_kk_EBR1.bin"}, NULL},
};
#define NSETS (sizeof SETS / sizeof SETS[0])

struct loaded_set {
	uint8_t *buf[3];
	size_t len[3];
	size_t n;
};

static void load_set(const struct ptable_set *set, struct loaded_set *ls)
{
	char rel[256];
	memset(ls, 0, sizeof *ls);
	snprintf(rel, sizeof rel, "ptable/%s", set->mbr);
	ls->buf[0] = corpus_read(rel, &ls->len[0]);
	ls->n = 1;
	for (size_t k = 0; k < 2 && set->ebr[k]; k++) {
		snprintf(rel, sizeof rel, "ptable/%s", set->ebr[k]);
		ls->buf[ls->n] = corpus_read(rel, &ls->len[ls->n]);
		ls->n++;
	}
}

static void free_set(struct loaded_set *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		free(ls->buf[i]);
}

static void parse_set(const struct loaded_set *ls, struct unifw_mbr_table *t)
{
	struct unifw_error e;
	const uint8_t *secs[3] = {ls->buf[0], ls->buf[1], ls->buf[2]};
	if (unifw_mbr_table_from_sectors(secs, ls->len, ls->n, 0, t, &e))
		fail_msg("chain: %s (offset 0x%llx)", e.msg, (unsigned long long)e.offset);
}

static const struct unifw_mbr_part *by_kernel_index(const struct unifw_mbr_table *t, unsigned idx)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->part[i].kernel_index == idx)
			return &t->part[i];
	return NULL;
}

static void every_ptable_file_parses_classifies_and_rewrites_identically(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("ptable", &n);
	assert_true(n >= 14);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *b = corpus_read(files[i], &len);
		struct unifw_mbr_sector sec;
		struct unifw_error e;
		if (unifw_mbr_sector_parse(b, len, files[i], &sec, &e))
			fail_msg("%s: %s", files[i], e.msg);
		assert_true(sec.mtk_shape);
		if (!unifw_mbr_probe(b, len, len))
			fail_msg("probe rejects %s", files[i]);
		const char *want = strstr(files[i], "_MBR.bin") ? "mbr" : strstr(files[i], "_EBR") ? "ebr" : NULL;
		assert_non_null(want);
		if (strcmp(unifw_mbr_kind_name(unifw_mbr_classify(&sec)), want))
			fail_msg("%s classified as %s", files[i], unifw_mbr_kind_name(unifw_mbr_classify(&sec)));
		uint8_t out[SEC];
		unifw_mbr_sector_write(&sec, out);
		if (memcmp(out, b, SEC))
			fail_msg("%s: sector rewrite differs", files[i]);
		free(b);
	}
	test_free_list(files, n);
}

/* Every corpus table file belongs to one of SETS (so a new corpus file cannot be silently skipped). */
static void every_ptable_file_is_in_a_tested_set(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("ptable", &n);
	for (size_t i = 0; i < n; i++) {
		const char *base = strchr(files[i], '/') + 1;
		bool found = false;
		for (size_t s = 0; s < NSETS && !found; s++)
			found = !strcmp(SETS[s].mbr, base) || (SETS[s].ebr[0] && !strcmp(SETS[s].ebr[0], base)) ||
				(SETS[s].ebr[1] && !strcmp(SETS[s].ebr[1], base));
		if (!found)
			fail_msg("%s is in no tested MBR/EBR set", files[i]);
	}
	test_free_list(files, n);
}

static void every_set_rebuilds_byte_identical_with_the_writer(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSETS; s++) {
		struct loaded_set ls;
		struct unifw_mbr_table t;
		load_set(&SETS[s], &ls);
		parse_set(&ls, &t);
		assert_int_equal(t.ebr_count, ls.n - 1);
		struct unifw_mbr_layout_part parts[UNIFW_MBR_MAX_PARTS];
		uint64_t ebr_off[UNIFW_MBR_MAX_EBRS];
		for (size_t i = 0; i < t.count; i++)
			parts[i] = (struct unifw_mbr_layout_part){t.part[i].start_lba * SEC, (uint64_t)t.part[i].count * SEC,
								  t.part[i].type};
		for (size_t k = 0; k < t.ebr_count; k++)
			ebr_off[k] = t.ebr_lba[k] * SEC;
		struct unifw_mbr_layout L = {parts, t.count, ebr_off, t.ebr_count, t.part[t.count - 1].to_end};
		assert_true(L.last_to_end);
		uint8_t out[3 * SEC];
		struct unifw_error e;
		if (unifw_mbr_build(&L, out, sizeof out, &e))
			fail_msg("%s: build: %s", SETS[s].mbr, e.msg);
		for (size_t k = 0; k < ls.n; k++)
			if (memcmp(out + k * SEC, ls.buf[k], SEC))
				fail_msg("set %s: sector %zu differs after rebuild", SETS[s].mbr, k);
		free_set(&ls);
	}
}

/* The kernel map: MBR p2..p4, EBR1 p5..p7, EBR2 p8; partitions in disk order without overlaps. */
static void every_set_has_ordered_partitions_and_kernel_numbers(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSETS; s++) {
		struct loaded_set ls;
		struct unifw_mbr_table t;
		load_set(&SETS[s], &ls);
		parse_set(&ls, &t);
		for (size_t i = 0; i < t.count; i++) {
			const struct unifw_mbr_part *p = &t.part[i];
			assert_int_equal(p->kernel_index, p->table == 0 ? p->slot + 1 : 5 + 3 * (p->table - 1) + p->slot);
			assert_int_equal(p->kernel_index, i + 2);
			assert_int_equal(p->to_end, i + 1 == t.count);
			if (i > 0) /* in disk order, never overlapping (raw partitions may sit in between) */
				assert_true(p->start_lba >= t.part[i - 1].start_lba + t.part[i - 1].count);
		}
		free_set(&ls);
	}
}

static void a516_mbr_holds_the_documented_entries(void **state)
{
	(void)state;
	struct loaded_set ls;
	struct unifw_mbr_table t;
	load_set(&SETS[0], &ls);
	parse_set(&ls, &t);
	const struct unifw_mbr_part *p2 = by_kernel_index(&t, 2), *p3 = by_kernel_index(&t, 3), *p4 = by_kernel_index(&t, 4);
	assert_non_null(p2);
	assert_non_null(p3);
	assert_non_null(p4);
	/* docs/format-partition-tables.md: p2 protect_f LBA 0x4800 count 0x5000; p3 0x9800/0x5000; p4 preload 0x1BA00/0x64000. */
	assert_int_equal(p2->start_lba, 0x4800);
	assert_int_equal(p2->count, 0x5000);
	assert_int_equal(p3->start_lba, 0x9800);
	assert_int_equal(p3->count, 0x5000);
	assert_int_equal(p4->start_lba, 0x1BA00);
	assert_int_equal(p4->count, 0x64000);
	assert_int_equal(t.ebr_lba[0], 0x400); /* EBR1 at 0x80000 bytes after the MBR (scatter 0x680000 - 0x600000) */
	assert_int_equal(t.count, 6);
	assert_int_equal(by_kernel_index(&t, 7)->count, 0xFFFFFFFFu - (by_kernel_index(&t, 7)->start_lba - 0x400));
	free_set(&ls);
}

static void alcatel_three_level_chain_resolves_ebr2_relative_to_itself(void **state)
{
	(void)state;
	struct loaded_set ls;
	struct unifw_mbr_table t;
	load_set(&SETS[1], &ls);
	parse_set(&ls, &t);
	assert_int_equal(t.ebr_count, 2);
	/* EBR1 slot 3 link = 0x16600 relative to EBR1 (0x400) -> LBA 0x16A00 = scatter EBR2 0x3340000 - 0x600000. */
	assert_int_equal(t.ebr_lba[1], 0x16A00);
	assert_int_equal(t.ebr_lba[1] * SEC + 0x600000, 0x3340000);
	const struct unifw_mbr_part *p8 = by_kernel_index(&t, 8);
	assert_non_null(p8);
	assert_int_equal(p8->table, 2);
	assert_int_equal(p8->start_lba, 0x16A00 + 0x2C9C00);
	assert_true(p8->to_end);
	assert_int_equal(t.count, 7);
	free_set(&ls);
}

static void orangepi_zero_size_entries_sit_where_system_ends(void **state)
{
	(void)state;
	struct loaded_set ls;
	struct unifw_mbr_table t;
	load_set(&SETS[6], &ls);
	parse_set(&ls, &t);
	const struct unifw_mbr_part *p4 = by_kernel_index(&t, 4);
	uint64_t system_end = p4->start_lba + p4->count;
	/* scatter: SYSTEM at linear 0x4b40000 (boot region 0x1400000), size 0xde600000 */
	assert_int_equal(p4->start_lba * SEC + 0x1400000, 0x4b40000);
	assert_int_equal((uint64_t)p4->count * SEC, 0xde600000);
	for (unsigned k = 5; k <= 7; k++) {
		const struct unifw_mbr_part *p = by_kernel_index(&t, k);
		assert_non_null(p);
		assert_int_equal(p->start_lba, system_end);
		assert_int_equal(p->count == 0, k < 7);
	}
	assert_true(by_kernel_index(&t, 7)->to_end);
	free_set(&ls);
}

/* ---- paired scatter files: a tiny field scanner, enough for linear_start_addr / partition_size ---- */

struct sc_part { char name[64]; uint64_t linear, size; };

static size_t scan_scatter(const char *rel, struct sc_part *out, size_t cap)
{
	size_t len, n = 0;
	char *text = (char *)corpus_read(rel, &len);
	text = realloc(text, len + 1);
	text[len] = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char name[64];
		unsigned long long v;
		if (sscanf(line, " partition_name: %63s", name) == 1 && n < cap) {
			memset(&out[n], 0, sizeof out[n]);
			snprintf(out[n++].name, sizeof out[0].name, "%s", name);
		} else if (n && sscanf(line, " linear_start_addr: %llx", &v) == 1) {
			out[n - 1].linear = v;
		} else if (n && sscanf(line, " partition_size: %llx", &v) == 1) {
			out[n - 1].size = v;
		}
	}
	free(text);
	return n;
}

static void every_set_matches_its_scatter_file(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSETS; s++) {
		if (!SETS[s].scatter)
			continue;
		char rel[256];
		struct sc_part sc[64];
		snprintf(rel, sizeof rel, "scatter/%s", SETS[s].scatter);
		size_t n = scan_scatter(rel, sc, 64);
		uint64_t boot = UINT64_MAX;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(sc[i].name, "MBR"))
				boot = sc[i].linear;
		assert_true(boot != UINT64_MAX);
		struct loaded_set ls;
		struct unifw_mbr_table t;
		load_set(&SETS[s], &ls);
		parse_set(&ls, &t);
		for (size_t k = 0; k < t.ebr_count; k++) { /* EBRn partitions sit where the chain says */
			char ebr[32];
			snprintf(ebr, sizeof ebr, "EBR%zu", k + 1);
			bool ok = false;
			for (size_t i = 0; i < n; i++)
				ok |= !strcmp(sc[i].name, ebr) && sc[i].linear == boot + t.ebr_lba[k] * SEC;
			if (!ok)
				fail_msg("%s: %s not at LBA %llu", SETS[s].scatter, ebr, (unsigned long long)t.ebr_lba[k]);
		}
		for (size_t p = 0; p < t.count; p++) {
			const struct unifw_mbr_part *mp = &t.part[p];
			bool ok = false;
			for (size_t i = 0; i < n; i++)
				ok |= sc[i].linear == boot + mp->start_lba * SEC &&
				      (mp->to_end || sc[i].size == (uint64_t)mp->count * SEC);
			if (!ok)
				fail_msg("%s: p%u (LBA 0x%llx) matches no scatter partition", SETS[s].scatter,
					 mp->kernel_index, (unsigned long long)mp->start_lba);
		}
		free_set(&ls);
	}
}

/* ---- hostile input ---- */

static void sector_without_signature_fails_at_offset_510(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read("ptable/mt6572_lenovo_a516_MBR.bin", &len);
	struct unifw_mbr_sector sec;
	struct unifw_error e;
	b[511] = 0x00;
	assert_int_equal(unifw_mbr_sector_parse(b, len, "x", &sec, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 510);
	assert_non_null(strstr(e.msg, "55 AA"));
	assert_false(unifw_mbr_probe(b, len, len));
	assert_int_equal(unifw_mbr_sector_parse(b, 300, "x", &sec, &e), UNIFW_E_TRUNCATED);
	free(b);
}

static void probe_rejects_pc_shapes_and_empty_tables(void **state)
{
	(void)state;
	uint8_t b[SEC];
	struct unifw_mbr_sector sec;
	memset(&sec, 0, sizeof sec);
	unifw_mbr_sector_write(&sec, b);
	assert_false(unifw_mbr_probe(b, SEC, SEC)); /* 55 AA but no entry */
	sec.slot[1] = (struct unifw_mbr_slot){0x83, 0x800, 0x1000};
	unifw_mbr_sector_write(&sec, b);
	assert_true(unifw_mbr_probe(b, SEC, SEC));
	b[0] = 0xEB; /* boot code, as in a PC MBR or a FAT boot sector */
	assert_false(unifw_mbr_probe(b, SEC, SEC));
	unifw_mbr_sector_write(&sec, b);
	b[0x1BE + 16] = 0x80; /* bootable flag: ptgen never sets it */
	assert_false(unifw_mbr_probe(b, SEC, SEC));
	sec.slot[1].type = 0x07; /* NTFS: not a MediaTek data type */
	unifw_mbr_sector_write(&sec, b);
	assert_false(unifw_mbr_probe(b, SEC, SEC));
}

static int write_sectors(void *ctx, uint64_t lba, uint8_t sector[SEC], struct unifw_error *err)
{
	/* ctx: array of 64 sectors indexed by LBA (a tiny synthetic disk) */
	if (lba >= 64)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, "disk", lba * SEC, "beyond the test disk");
	memcpy(sector, (uint8_t *)ctx + lba * SEC, SEC);
	return 0;
}

static void put_table(uint8_t *disk, uint64_t lba, const struct unifw_mbr_slot s[4])
{
	struct unifw_mbr_sector sec;
	memset(&sec, 0, sizeof sec);
	memcpy(sec.slot, s, 4 * sizeof s[0]);
	unifw_mbr_sector_write(&sec, disk + lba * SEC);
}

static void looping_chains_are_refused(void **state)
{
	(void)state;
	uint8_t *disk = calloc(64, SEC);
	struct unifw_mbr_table t;
	struct unifw_error e;
	/* MBR -> EBR1 at 8 -> EBR2 at 16 -> link back to EBR1 */
	put_table(disk, 0, (struct unifw_mbr_slot[4]){{5, 8, ~0u}, {0x83, 1, 1}, {0}, {0}});
	put_table(disk, 8, (struct unifw_mbr_slot[4]){{0x83, 1, 1}, {0}, {0}, {5, 8, ~0u}});
	put_table(disk, 16, (struct unifw_mbr_slot[4]){{0x83, 1, 1}, {0}, {0}, {5, 0, ~0u}});
	assert_int_equal(unifw_mbr_table_read(write_sectors, disk, 64, "disk", &t, &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "loops"));
	assert_int_equal(e.offset, 16 * SEC + 0x1BE + 48); /* EBR2 slot 3 */
	/* an EBR that links to itself */
	put_table(disk, 16, (struct unifw_mbr_slot[4]){{0x83, 1, 1}, {0}, {0}, {5, 8, ~0u}});
	assert_int_equal(unifw_mbr_table_read(write_sectors, disk, 64, "disk", &t, &e), UNIFW_E_FORMAT);
	/* an extended entry pointing at the MBR itself */
	put_table(disk, 0, (struct unifw_mbr_slot[4]){{5, 0, ~0u}, {0}, {0}, {0}});
	assert_int_equal(unifw_mbr_table_read(write_sectors, disk, 64, "disk", &t, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x1BE);
	free(disk);
}

static void overlong_chains_stop_at_the_limit(void **state)
{
	(void)state;
	uint8_t *disk = calloc(64, SEC);
	struct unifw_mbr_table t;
	struct unifw_error e;
	put_table(disk, 0, (struct unifw_mbr_slot[4]){{5, 1, ~0u}, {0}, {0}, {0}});
	for (uint32_t k = 1; k < 40; k++) /* each EBR links to the next one: 39 EBRs */
		put_table(disk, k, (struct unifw_mbr_slot[4]){{0x83, 50, 1}, {0}, {0}, {5, k, ~0u}});
	assert_int_equal(unifw_mbr_table_read(write_sectors, disk, 64, "disk", &t, &e), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(e.msg, "at most"));
	free(disk);
}

static void entries_beyond_the_disk_are_refused(void **state)
{
	(void)state;
	struct loaded_set ls;
	struct unifw_mbr_table t;
	struct unifw_error e;
	load_set(&SETS[0], &ls);
	const uint8_t *secs[2] = {ls.buf[0], ls.buf[1]};
	/* A516: PRELOAD p4 ends at LBA 0x7FA00; a disk of 0x70000 sectors cannot hold it. */
	assert_int_equal(unifw_mbr_table_from_sectors(secs, ls.len, 2, 0x70000, &t, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x1BE + 3 * 16);
	assert_non_null(strstr(e.msg, "inside the disk"));
	/* a tiny disk: PROTECT_F already starts beyond it */
	assert_int_equal(unifw_mbr_table_from_sectors(secs, ls.len, 2, 0x300, &t, &e), UNIFW_E_FORMAT);
	/* A 4 GiB disk holds everything; the last partition is resolved to the end of the disk. */
	uint64_t disk = 0x800000;
	assert_int_equal(unifw_mbr_table_from_sectors(secs, ls.len, 2, disk, &t, &e), 0);
	assert_int_equal(t.part[t.count - 1].sectors, disk - t.part[t.count - 1].start_lba);
	/* missing or extra EBR sectors */
	assert_int_equal(unifw_mbr_table_from_sectors(secs, ls.len, 1, 0, &t, &e), UNIFW_E_NOT_FOUND);
	const uint8_t *three[3] = {ls.buf[0], ls.buf[1], ls.buf[1]};
	size_t lens3[3] = {ls.len[0], ls.len[1], ls.len[1]};
	assert_int_equal(unifw_mbr_table_from_sectors(three, lens3, 3, 0, &t, &e), UNIFW_E_INVALID);
	free_set(&ls);
}

static void builder_refuses_layouts_ptgen_cannot_express(void **state)
{
	(void)state;
	uint8_t out[3 * SEC];
	struct unifw_error e;
	uint64_t ebr[2] = {0x80000, 0x2000000};
	struct unifw_mbr_layout_part p[8];
	for (int i = 0; i < 8; i++)
		p[i] = (struct unifw_mbr_layout_part){0x100000 + (uint64_t)i * 0x100000, 0x100000, 0};
	struct unifw_mbr_layout L = {p, 7, ebr, 1, true};
	assert_int_equal(unifw_mbr_build(&L, out, sizeof out, &e), UNIFW_E_INVALID); /* 7 > 3 + 3 */
	L.count = 6;
	p[1].offset += 1; /* not sector aligned */
	assert_int_equal(unifw_mbr_build(&L, out, sizeof out, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "multiple of 512"));
	p[1].offset -= 1;
	L.ebr_count = 0;
	assert_int_equal(unifw_mbr_build(&L, out, sizeof out, &e), UNIFW_E_INVALID);
	/* EBR2 partitions must lie after EBR2: partition 6 before its EBR fails */
	L.ebr_count = 2;
	L.count = 7;
	assert_int_equal(unifw_mbr_build(&L, out, sizeof out, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "relative"));
	assert_int_equal(unifw_mbr_build(&L, out, SEC, &e), UNIFW_E_INVALID); /* buffer too small */
}

static void built_tables_read_back_through_the_chain(void **state)
{
	(void)state;
	/* 8 partitions, EBR1 and EBR2: a link appears in EBR1 slot 3, none in EBR2 */
	uint8_t out[3 * SEC];
	struct unifw_error e;
	uint64_t ebr[2] = {0x80000, 0x400000};
	struct unifw_mbr_layout_part p[8];
	for (int i = 0; i < 8; i++)
		p[i] = (struct unifw_mbr_layout_part){0x800000 + (uint64_t)i * 0x100000, 0x100000, i == 7 ? 0x0C : 0};
	struct unifw_mbr_layout L = {p, 8, ebr, 2, false};
	assert_int_equal(unifw_mbr_build(&L, out, sizeof out, &e), 0);
	const uint8_t *secs[3] = {out, out + SEC, out + 2 * SEC};
	size_t lens[3] = {SEC, SEC, SEC};
	struct unifw_mbr_table t;
	assert_int_equal(unifw_mbr_table_from_sectors(secs, lens, 3, 0, &t, &e), 0);
	assert_int_equal(t.count, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(t.part[i].start_lba * SEC, p[i].offset);
		assert_int_equal((uint64_t)t.part[i].count * SEC, p[i].size);
		assert_false(t.part[i].to_end);
	}
	assert_int_equal(t.part[7].type, 0x0C);
	assert_int_equal(t.part[7].kernel_index, 9);
	assert_int_equal(t.ebr_lba[1], 0x400000 / SEC);
	assert_true(unifw_mbr_probe(out + SEC, SEC, SEC));
	assert_true(unifw_mbr_probe(out + 2 * SEC, SEC, SEC));
}

static struct unifw_jv *describe_mem(const uint8_t *b, size_t len, int expect_rc)
{
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, b, len, "mem");
	assert_int_equal(unifw_mbr_describe(&s, o, &e), expect_rc);
	unifw_stream_close(&s);
	return o;
}

static void describe_reports_mbr_and_ebr_files(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read("ptable/mt6572_lenovo_a516_MBR.bin", &len);
	struct unifw_jv *o = describe_mem(b, len, 0);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "mbr");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "ebr1_lba")), 0x400);
	assert_int_equal(unifw_jv_len(unifw_jv_get(o, "partitions")), 3);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.0.kernel_index")), 2);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.0.offset")), "0x900000");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "slots.0.type_id")), "0x5");
	unifw_jv_free(o);
	free(b);
	b = corpus_read("ptable/mt6572_alcatel_5036_yarisl_EBR2.bin", &len);
	o = describe_mem(b, len, 0);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "ebr");
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "slots.0.to_end")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "slots.0.relative_to")), "this_ebr");
	unifw_jv_free(o);
	b[510] = 0;
	o = describe_mem(b, len, UNIFW_E_FORMAT);
	unifw_jv_free(o);
	free(b);
}

/* A user-area image with the Alcatel MBR, EBR1 and EBR2 at their LBAs is followed through the chain. */
static void describe_follows_the_chain_in_a_user_area_image(void **state)
{
	(void)state;
	struct loaded_set ls;
	load_set(&SETS[1], &ls);
	char *dir = test_mkdtemp();
	char path[4096];
	snprintf(path, sizeof path, "%s/userdata.img", dir);
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	uint64_t at[3] = {0, 0x400, 0x16A00};
	for (int k = 0; k < 3; k++)
		assert_int_equal(pwrite(fd, ls.buf[k], SEC, (off_t)(at[k] * SEC)), SEC);
	close(fd);
	struct unifw_stream s;
	struct unifw_error e;
	assert_int_equal(unifw_stream_open_file(&s, path, &e), 0);
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_mbr_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "chain_followed")));
	assert_int_equal(unifw_jv_len(unifw_jv_get(o, "partitions")), 7);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.6.kernel_index")), 8);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.6.table")), "ebr2");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "ebr_lbas.1")), 0x16A00);
	unifw_jv_free(o);
	test_rmtree(dir);
	free(dir);
	free_set(&ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_ptable_file_parses_classifies_and_rewrites_identically),
		cmocka_unit_test(every_ptable_file_is_in_a_tested_set),
		cmocka_unit_test(every_set_rebuilds_byte_identical_with_the_writer),
		cmocka_unit_test(every_set_has_ordered_partitions_and_kernel_numbers),
		cmocka_unit_test(a516_mbr_holds_the_documented_entries),
		cmocka_unit_test(alcatel_three_level_chain_resolves_ebr2_relative_to_itself),
		cmocka_unit_test(orangepi_zero_size_entries_sit_where_system_ends),
		cmocka_unit_test(every_set_matches_its_scatter_file),
		cmocka_unit_test(sector_without_signature_fails_at_offset_510),
		cmocka_unit_test(probe_rejects_pc_shapes_and_empty_tables),
		cmocka_unit_test(looping_chains_are_refused),
		cmocka_unit_test(overlong_chains_stop_at_the_limit),
		cmocka_unit_test(entries_beyond_the_disk_are_refused),
		cmocka_unit_test(builder_refuses_layouts_ptgen_cannot_express),
		cmocka_unit_test(built_tables_read_back_through_the_chain),
		cmocka_unit_test(describe_reports_mbr_and_ebr_files),
		cmocka_unit_test(describe_follows_the_chain_in_a_user_area_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
