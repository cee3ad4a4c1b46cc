/* EMI tables: every corpus MTK_BLOADER_INFO_v11 block parses with the facts its file name and
 * PROVENANCE.tsv give (project, size, entry count; the block that says 24 entries but holds 18), and the
 * CID match says yes for a phone whose CID starts with a listed ID and no for one byte off. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/emi.h"
#include "unifw/io.h"

/* Column 7 (size) of the PROVENANCE.tsv row whose first column is `rel`; 0 if absent. */
static uint64_t provenance_size(const char *rel)
{
	size_t len;
	char *t = (char *)corpus_read("PROVENANCE.tsv", &len);
	t = realloc(t, len + 1);
	t[len] = 0;
	uint64_t size = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		size_t n = strlen(rel);
		if (strncmp(line, rel, n) || line[n] != '\t')
			continue;
		char *col = line;
		for (int c = 0; c < 6 && col; c++) {
			col = strchr(col, '\t');
			if (col)
				col++;
		}
		if (col)
			size = strtoull(col, NULL, 10);
	}
	free(t);
	return size;
}

/* "preloader/emi_info/mt6572_<project>_bloader_info.bin" -> "<project>" */
static void project_from_name(const char *rel, char *out, size_t cap)
{
	const char *b = strrchr(rel, '/') + 1;
	b += strlen("mt6572_");
	size_t n = strlen(b) - strlen("_bloader_info.bin");
	snprintf(out, cap, "%.*s", (int)n, b);
}

static struct unifw_emi_table *parse_file(const char *rel, uint8_t **buf, size_t *len)
{
	struct unifw_emi_table *t = malloc(sizeof *t);
	struct unifw_error e;
	*buf = corpus_read(rel, len);
	if (unifw_emi_parse(*buf, *len, 0, rel, t, &e))
		fail_msg("%s: %s", rel, e.msg);
	return t;
}

static void every_emi_block_parses_with_its_documented_facts(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("preloader/emi_info", &n);
	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		uint8_t *b;
		size_t len;
		struct unifw_emi_table *t = parse_file(files[i], &b, &len);
		assert_int_equal(len, provenance_size(files[i]));
		assert_true(unifw_emi_probe(b, len, len));
		char want[64];
		project_from_name(files[i], want, sizeof want);
		if (strcmp(t->project, want))
			fail_msg("%s: project %s, expected %s", files[i], t->project, want);
		assert_string_equal(t->version, "11");
		assert_string_equal(t->bin_version, "V116");
		assert_string_equal(t->bin_identifier, "MTK_BIN");
		assert_int_equal(t->chksum_seed, 0x33448822);
		assert_int_equal(t->start_addr, 0x00700090);
		/* the corpus blocks are cut without the trailer: entries fill the file exactly */
		assert_int_equal(0x70 + t->count * 0xA8, len);
		assert_int_equal(t->count_mismatch, t->declared_count != t->count);
		for (size_t k = 0; k < t->count; k++) {
			const struct unifw_emi_entry *e = &t->entry[k];
			assert_string_equal(unifw_emi_kind_name(e->type), "emmc");
			assert_int_equal(e->id_length, 9); /* MID + CBX + OID + PNM in every corpus entry */
			assert_int_equal(e->freq_mhz, 266);
			assert_non_null(unifw_emi_mid_name(e->id[0]));
			assert_true(unifw_emi_rank_count(e) >= 1);
			assert_int_equal(e->match_flag, 0);
		}
		struct unifw_emi_compiled *c = malloc(sizeof *c);
		struct unifw_error e;
		assert_int_equal(unifw_emi_find_compiled(b, len, c, &e), UNIFW_E_NOT_FOUND); /* tag only */
		free(c);
		free(t);
		free(b);
	}
	test_free_list(files, n);
}

static void yuanda_block_says_24_entries_but_holds_18(void **state)
{
	(void)state;
	uint8_t *b;
	size_t len;
	struct unifw_emi_table *t = parse_file("preloader/emi_info/mt6572_yuanda72_cwet_kk_bloader_info.bin", &b, &len);
	assert_int_equal(len, 3136);
	assert_int_equal(t->declared_count, 24);
	assert_int_equal(t->count, 18);
	assert_true(t->count_mismatch);
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, b, len, "yuanda");
	assert_int_equal(unifw_emi_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "emi_info");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "declared_count")), 24);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "entry_count")), 18);
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "count_mismatch")));
	assert_false(unifw_jv_truthy(unifw_jv_get(o, "has_trailer")));
	/* entry 8: Micron (FE) "NP0XXX", vendor 0xFF = Micron */
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.8.manufacturer")), "Micron");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.8.dram_vendor_name")), "Micron");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.0.pnm")), "N5WZMB");
	unifw_jv_free(o);
	free(t);
	free(b);
}

static void lava_block_lists_two_rank_parts(void **state)
{
	(void)state;
	uint8_t *b;
	size_t len;
	struct unifw_emi_table *t = parse_file("preloader/emi_info/mt6572_lava72_sp51_bloader_info.bin", &b, &len);
	assert_int_equal(t->count, 4);
	assert_int_equal(unifw_emi_rank_count(&t->entry[0]), 2); /* GEND 0x30000 */
	assert_int_equal(t->entry[0].rank_size[1], 0x20000000);
	assert_int_equal(t->entry[2].type, 0x0204);
	assert_int_equal(unifw_emi_rank_count(&t->entry[2]), 1);
	assert_int_equal(t->entry[2].rank_size[0], 0x40000000);
	assert_string_equal(unifw_emi_dram_type_name(t->entry[0].type), "LPDDR2");
	free(t);
	free(b);
}

/* A CID built from a listed ID plus the bytes a real CID has after PNM (PRV, PSN, MDT, CRC). */
static void cid_from_entry(const struct unifw_emi_entry *e, uint8_t cid[16])
{
	memcpy(cid, e->id, e->id_length);
	for (size_t i = e->id_length; i < 16; i++)
		cid[i] = (uint8_t)(0xA0 + i);
}

static void cid_matching_picks_the_listed_part_and_refuses_a_byte_off(void **state)
{
	(void)state;
	uint8_t *b;
	size_t len, idx = 99;
	struct unifw_emi_table *t = parse_file("preloader/emi_info/mt6572_mbk72_wet_jb3_bloader_info.bin", &b, &len);
	uint8_t cid[16];
	for (size_t k = 0; k < t->count; k++) {
		cid_from_entry(&t->entry[k], cid);
		assert_true(unifw_emi_match_cid(t, cid, &idx));
		assert_int_equal(idx, k);
		cid[5] ^= 0x01; /* one PNM byte differs: another part */
		assert_false(unifw_emi_match_cid(t, cid, &idx));
		assert_int_equal(unifw_emi_count_cid_matches(t, cid), 0);
	}
	/* bytes past id_length do not matter */
	cid_from_entry(&t->entry[1], cid);
	memset(cid + 9, 0x55, 7);
	assert_true(unifw_emi_match_cid(t, cid, NULL));
	/* the A516's Samsung part is not in this list */
	static const uint8_t a516[16] = {0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30, 0x4D};
	assert_false(unifw_emi_match_cid(t, a516, &idx));
	/* a NAND entry or an id_length beyond 16 never matches an eMMC CID */
	cid_from_entry(&t->entry[0], cid);
	t->entry[0].type = 0x0102;
	assert_false(unifw_emi_match_cid(t, cid, &idx));
	t->entry[0].type = 0x0202;
	t->entry[0].id_length = 17;
	assert_false(unifw_emi_match_cid(t, cid, &idx));
	t->entry[0].id_length = 0;
	assert_false(unifw_emi_match_cid(t, cid, &idx));
	free(t);
	free(b);
}

static void duplicate_ids_count_as_several_matches(void **state)
{
	(void)state;
	uint8_t *b;
	size_t len, idx;
	struct unifw_emi_table *t = parse_file("preloader/emi_info/mt6572_yuanda72_cwet_kk_bloader_info.bin", &b, &len);
	/* entries 7 and 15: Toshiba "004G90" twice (DRAM vendor Elpida vs Hynix) */
	assert_memory_equal(t->entry[7].id, t->entry[15].id, 9);
	uint8_t cid[16];
	cid_from_entry(&t->entry[15], cid);
	assert_true(unifw_emi_match_cid(t, cid, &idx));
	assert_int_equal(idx, 7);
	assert_int_equal(unifw_emi_count_cid_matches(t, cid), 2);
	assert_int_not_equal(t->entry[7].dram_vendor, t->entry[15].dram_vendor);
	free(t);
	free(b);
}

/* Issue 8.1: a preloader fits only when the tag and the compiled emi_settings[] both list the part, agreeing. */
static void fit_needs_both_tables_to_list_the_part_and_agree(void **state)
{
	(void)state;
	uint8_t *b;
	size_t len;
	struct unifw_emi_table *t = parse_file("preloader/emi_info/mt6572_mbk72_wet_jb3_bloader_info.bin", &b, &len);
	struct unifw_emi_compiled *c = calloc(1, sizeof *c);
	/* the compiled copy as the build makes it: the same entries with a 12-byte ID */
	c->count = (uint32_t)t->count;
	for (size_t i = 0; i < t->count; i++) {
		c->entry[i] = t->entry[i];
		memset(c->entry[i].id + UNIFW_EMI_COMPILED_ID_SIZE, 0, UNIFW_EMI_ID_SIZE - UNIFW_EMI_COMPILED_ID_SIZE);
		memset(t->entry[i].id + UNIFW_EMI_COMPILED_ID_SIZE, 0, UNIFW_EMI_ID_SIZE - UNIFW_EMI_COMPILED_ID_SIZE);
	}
	assert_int_equal(unifw_emi_cross_check(t, c), 0);
	uint8_t cid[16];
	struct unifw_emi_fit_result r;
	cid_from_entry(&t->entry[1], cid);
	assert_int_equal(unifw_emi_check_fit(t, c, cid, &r), UNIFW_EMI_FIT_OK);
	assert_int_equal(r.tag_index, 1);
	assert_int_equal(r.compiled_index, 1);
	assert_string_equal(unifw_emi_fit_name(r.fit), "fits");
	/* no compiled table found: the part cannot be said to fit */
	assert_int_equal(unifw_emi_check_fit(t, NULL, cid, &r), UNIFW_EMI_FIT_COMPILED_MISSING);
	/* the compiled entry lists another part */
	c->entry[1].id[3] ^= 0x20;
	assert_int_equal(unifw_emi_check_fit(t, c, cid, &r), UNIFW_EMI_FIT_COMPILED_LACKS);
	assert_true(r.tag_lists);
	assert_false(r.compiled_lists);
	assert_string_equal(unifw_emi_fit_name(r.fit), "emi_settings_lacks_part");
	/* ... and the tag too: neither; only the compiled one: the tag lacks it */
	assert_int_equal(unifw_emi_check_fit(t, c, (uint8_t[16]){0x99, 1, 2}, &r), UNIFW_EMI_FIT_NEITHER);
	c->entry[1].id[3] ^= 0x20;
	t->entry[1].id[3] ^= 0x20;
	assert_int_equal(unifw_emi_check_fit(t, c, cid, &r), UNIFW_EMI_FIT_TAG_LACKS);
	t->entry[1].id[3] ^= 0x20;
	/* the same part with other DRAM settings */
	c->entry[1].con_j ^= 1;
	assert_int_equal(unifw_emi_check_fit(t, c, cid, &r), UNIFW_EMI_FIT_DISAGREE);
	c->entry[1].con_j ^= 1;
	/* the compiled ID has 12 bytes: an id_length beyond that never matches there */
	c->entry[1].id_length = 13;
	assert_false(unifw_emi_compiled_match_cid(c, cid, NULL));
	free(c);
	free(t);
	free(b);
}

static void bad_blocks_fail_naming_the_offset(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read("preloader/emi_info/mt6572_oppo72t_13033_bloader_info.bin", &len);
	struct unifw_emi_table *t = malloc(sizeof *t);
	struct unifw_error e;
	assert_int_equal(unifw_emi_parse(b, 0x50, 0, "x", t, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(unifw_emi_parse(b, len, 4, "x", t, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 4);
	/* a count far beyond the input: read what fits */
	b[0x6C] = 0xFF;
	b[0x6D] = 0xFF;
	assert_int_equal(unifw_emi_parse(b, len, 0, "x", t, &e), 0);
	assert_int_equal(t->count, 3);
	assert_true(t->count_mismatch);
	/* the last entry cut in half: only two are read */
	assert_int_equal(unifw_emi_parse(b, len - 0x50, 0, "x", t, &e), 0);
	assert_int_equal(t->count, 2);
	/* another layout version */
	b[19] = '2';
	assert_int_equal(unifw_emi_parse(b, len, 0, "x", t, &e), UNIFW_E_UNSUPPORTED);
	assert_int_equal(e.offset, 18);
	assert_true(unifw_emi_probe(b, len, len));
	b[0x64] = 'X';
	assert_false(unifw_emi_probe(b, len, len));
	assert_int_equal(unifw_emi_find_tag(b, len, 0), 0);
	assert_int_equal(unifw_emi_find_tag(b, len, 1), UINT64_MAX);
	free(t);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_emi_block_parses_with_its_documented_facts),
		cmocka_unit_test(yuanda_block_says_24_entries_but_holds_18),
		cmocka_unit_test(lava_block_lists_two_rank_parts),
		cmocka_unit_test(cid_matching_picks_the_listed_part_and_refuses_a_byte_off),
		cmocka_unit_test(duplicate_ids_count_as_several_matches),
		cmocka_unit_test(fit_needs_both_tables_to_list_the_part_and_agree),
		cmocka_unit_test(bad_blocks_fail_naming_the_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
