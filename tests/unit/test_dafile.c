/* DA container: no real DA may be shipped, so every fixture is built by unifw_dafile_build from synthetic
 * region blobs; the parser reads them back, selects the MT6572 entry (0x6572 / 0xCA00) and returns DA1/DA2
 * byte ranges; wrong chips, truncated files and lying offsets fail naming the offset. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "unifw/dafile.h"
#include "unifw/io.h"

#define DA1_ADDR 0x2007000u
#define DA2_ADDR 0x80000000u

struct fixture {
	uint8_t region[3][3][0x900]; /* entry x region x bytes */
	struct unifw_da_blob blobs[3][3];
	struct unifw_da_build_entry entries[3];
	uint8_t *file;
	size_t len;
};

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31u + i * 7u);
}

/* Entries: [0] MT6572 for a NEWER hw_ver (0xCB00), [1] MT6572 0xCA00, [2] MT6580. */
static struct fixture *make_fixture(bool old_layout)
{
	struct fixture *f = calloc(1, sizeof *f);
	static const uint16_t codes[3] = {0x6572, 0x6572, 0x6580};
	static const uint16_t vers[3] = {0xCB00, 0xCA00, 0xCA00};
	static const size_t lens[3] = {0x100, 0x900, 0x700};
	static const uint32_t addrs[3] = {0x00100000, DA1_ADDR, DA2_ADDR};
	for (int e = 0; e < 3; e++) {
		for (int r = 0; r < 3; r++) {
			size_t len = lens[r] - (size_t)e * 0x10;
			fill(f->region[e][r], len, (unsigned)(e * 3 + r));
			f->blobs[e][r] = (struct unifw_da_blob){f->region[e][r], len, addrs[r], r ? 0x100u : 0u};
		}
		f->entries[e] = (struct unifw_da_build_entry){codes[e], 0x8A00, vers[e], 0, 0x800, 1, f->blobs[e], 3};
	}
	struct unifw_da_build b = {"unifw synthetic DA for tests", old_layout, f->entries, 3};
	struct unifw_error err;
	if (unifw_dafile_build(&b, &f->file, &f->len, &err))
		fail_msg("build: %s", err.msg);
	return f;
}

static void free_fixture(struct fixture *f)
{
	free(f->file);
	free(f);
}

static void built_file_parses_back_field_by_field(void **state)
{
	(void)state;
	struct fixture *f = make_fixture(false);
	struct unifw_dafile da;
	struct unifw_error e;
	assert_int_equal(unifw_dafile_parse(f->file, f->len, f->len, "da", &da, &e), 0);
	assert_string_equal(da.identifier, "MTK_DOWNLOAD_AGENT");
	assert_string_equal(da.version, "unifw synthetic DA for tests");
	assert_int_equal(da.info_ver, 4);
	assert_int_equal(da.magic, 0x22668899);
	assert_false(da.old_layout);
	assert_int_equal(da.entry_size, 0xDC);
	assert_int_equal(da.count, 3);
	/* entry 1 starts at 0x6C + 0xDC with magic DADA (the layout check docs/protocol.md describes) */
	assert_int_equal(f->file[0x6C + 0xDC], 0xDA);
	assert_int_equal(f->file[0x6C + 0xDC + 1], 0xDA);
	for (int i = 0; i < 3; i++) {
		const struct unifw_da_entry *x = &da.entry[i];
		assert_int_equal(x->hw_code, f->entries[i].hw_code);
		assert_int_equal(x->hw_ver, f->entries[i].hw_ver);
		assert_int_equal(x->hw_sub_code, 0x8A00);
		assert_int_equal(x->page_size, 0x800);
		assert_int_equal(x->region_index, 1);
		assert_int_equal(x->region_count, 3);
		for (int r = 0; r < 3; r++) {
			const struct unifw_da_region *rg = &x->region[r];
			assert_int_equal(rg->length, f->blobs[i][r].len);
			assert_int_equal(rg->load_addr, f->blobs[i][r].load_addr);
			assert_int_equal(rg->sig_len, f->blobs[i][r].sig_len);
			assert_int_equal(rg->start_offset, rg->length - rg->sig_len);
			assert_int_equal(rg->offset % 16, 0);
			assert_memory_equal(f->file + rg->offset, f->blobs[i][r].data, rg->length);
		}
	}
	unifw_dafile_free(&da);
	free_fixture(f);
}

static void mt6572_entry_is_selected_and_gives_da1_da2(void **state)
{
	(void)state;
	struct fixture *f = make_fixture(false);
	struct unifw_dafile da;
	struct unifw_error e;
	size_t idx = 99;
	assert_int_equal(unifw_dafile_parse(f->file, f->len, f->len, "da", &da, &e), 0);
	/* entry 0 is for a newer hw_ver: the MT6572 0xCA00 device gets entry 1 */
	assert_int_equal(unifw_dafile_select(&da, 0x6572, 0xCA00, 0x0000, &idx, &e), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(unifw_dafile_select(&da, 0x6572, 0xCB00, 0x0000, &idx, &e), 0);
	assert_int_equal(idx, 0);
	struct unifw_da_region da1, da2;
	assert_int_equal(unifw_dafile_stage(&da, 1, 1, &da1, &e), 0);
	assert_int_equal(unifw_dafile_stage(&da, 1, 2, &da2, &e), 0);
	assert_int_equal(da1.load_addr, DA1_ADDR);
	assert_int_equal(da2.load_addr, DA2_ADDR);
	assert_memory_equal(f->file + da1.offset, f->blobs[1][1].data, da1.length);
	assert_memory_equal(f->file + da2.offset, f->blobs[1][2].data, da2.length);
	assert_int_equal(da1.sig_len, 0x100);
	assert_int_equal(unifw_dafile_stage(&da, 1, 3, &da1, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_dafile_stage(&da, 7, 1, &da1, &e), UNIFW_E_INVALID);
	/* wrong chip, and a chip older than every entry */
	assert_int_equal(unifw_dafile_select(&da, 0x6582, 0xCA00, 0, &idx, &e), UNIFW_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "no entry for hw_code 0x6582"));
	assert_int_equal(unifw_dafile_select(&da, 0x6572, 0xC900, 0, &idx, &e), UNIFW_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "newer"));
	unifw_dafile_free(&da);
	free_fixture(f);
}

static void old_layout_is_detected_by_the_second_entry(void **state)
{
	(void)state;
	struct fixture *f = make_fixture(true);
	struct unifw_dafile da;
	struct unifw_error e;
	size_t idx;
	assert_int_equal(f->file[0x6C + 0xD8], 0xDA);
	assert_int_equal(unifw_dafile_parse(f->file, f->len, f->len, "da", &da, &e), 0);
	assert_true(da.old_layout);
	assert_int_equal(da.entry_size, 0xD8);
	assert_int_equal(unifw_dafile_select(&da, 0x6572, 0xCA00, 0, &idx, &e), 0);
	assert_int_equal(idx, 1);
	struct unifw_da_region da1;
	assert_int_equal(unifw_dafile_stage(&da, idx, 1, &da1, &e), 0);
	assert_memory_equal(f->file + da1.offset, f->blobs[1][1].data, da1.length);
	unifw_dafile_free(&da);
	/* a single-entry old file: no second magic, the region table decides */
	struct unifw_da_build one = {"one", true, &f->entries[1], 1};
	uint8_t *file;
	size_t len;
	assert_int_equal(unifw_dafile_build(&one, &file, &len, &e), 0);
	assert_int_equal(unifw_dafile_parse(file, len, len, "da", &da, &e), 0);
	assert_true(da.old_layout);
	assert_int_equal(da.entry[0].region[2].load_addr, DA2_ADDR);
	unifw_dafile_free(&da);
	free(file);
	/* the old layout cannot store sw_ver */
	struct unifw_da_build_entry with_sw = f->entries[1];
	with_sw.sw_ver = 1;
	struct unifw_da_build bad = {"x", true, &with_sw, 1};
	assert_int_equal(unifw_dafile_build(&bad, &file, &len, &e), UNIFW_E_INVALID);
	free_fixture(f);
}

static void truncated_and_lying_files_fail_naming_the_offset(void **state)
{
	(void)state;
	struct fixture *f = make_fixture(false);
	struct unifw_dafile da;
	struct unifw_error e;
	assert_int_equal(unifw_dafile_parse(f->file, 0x60, 0x60, "da", &da, &e), UNIFW_E_TRUNCATED);
	/* entry table cut */
	assert_int_equal(unifw_dafile_parse(f->file, 0x200, 0x200, "da", &da, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, 0x200);
	/* region data cut: the last region of entry 2 lies beyond the end */
	size_t cut = f->len - 0x40;
	assert_int_equal(unifw_dafile_parse(f->file, cut, cut, "da", &da, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x6C + 2 * 0xDC + 0x14 + 2 * 20);
	assert_non_null(strstr(e.msg, "beyond the file"));
	/* a lying offset in entry 1 region 1 */
	uint8_t *copy = malloc(f->len);
	memcpy(copy, f->file, f->len);
	uint64_t ro = 0x6C + 0xDC + 0x14 + 20;
	copy[ro + 3] = 0xFF;
	assert_int_equal(unifw_dafile_parse(copy, f->len, f->len, "da", &da, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, ro);
	memcpy(copy, f->file, f->len);
	copy[ro + 16 + 2] = 0x10; /* sig_len 0x100100 > length */
	assert_int_equal(unifw_dafile_parse(copy, f->len, f->len, "da", &da, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, ro + 16);
	memcpy(copy, f->file, f->len);
	copy[0x6C + 0x12] = 11; /* 11 regions */
	assert_int_equal(unifw_dafile_parse(copy, f->len, f->len, "da", &da, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x6C + 0x12);
	memcpy(copy, f->file, f->len);
	copy[0x6C + 0xDC] = 0; /* entry 1 magic gone: neither layout */
	assert_int_equal(unifw_dafile_parse(copy, f->len, f->len, "da", &da, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x6C + 0xDC);
	memcpy(copy, f->file, f->len);
	copy[0x68 + 1] = 0x27; /* 9987 entries */
	assert_int_equal(unifw_dafile_parse(copy, f->len, f->len, "da", &da, &e), UNIFW_E_TOO_BIG);
	assert_int_equal(e.offset, 0x68);
	memcpy(copy, f->file, f->len);
	copy[0x64] = 0;
	assert_int_equal(unifw_dafile_parse(copy, f->len, f->len, "da", &da, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x64);
	assert_false(unifw_dafile_probe(copy, f->len, f->len));
	copy[0] = 'X';
	assert_int_equal(unifw_dafile_parse(copy, f->len, f->len, "da", &da, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0);
	free(copy);
	free_fixture(f);
}

static void builder_refuses_impossible_containers(void **state)
{
	(void)state;
	struct fixture *f = make_fixture(false);
	struct unifw_error e;
	uint8_t *file;
	size_t len;
	struct unifw_da_build none = {"x", false, f->entries, 0};
	assert_int_equal(unifw_dafile_build(&none, &file, &len, &e), UNIFW_E_INVALID);
	struct unifw_da_build_entry many = f->entries[0];
	many.region_count = 11;
	struct unifw_da_build b = {"x", false, &many, 1};
	assert_int_equal(unifw_dafile_build(&b, &file, &len, &e), UNIFW_E_INVALID);
	struct unifw_da_blob sig[1] = {{f->region[0][0], 0x10, 0, 0x20}};
	struct unifw_da_build_entry badsig = {0x6572, 0, 0xCA00, 0, 0, 0, sig, 1};
	b.entries = &badsig;
	assert_int_equal(unifw_dafile_build(&b, &file, &len, &e), UNIFW_E_INVALID);
	char longv[80];
	memset(longv, 'v', sizeof longv - 1);
	longv[79] = 0;
	struct unifw_da_build lv = {longv, false, f->entries, 1};
	assert_int_equal(unifw_dafile_build(&lv, &file, &len, &e), UNIFW_E_INVALID);
	free_fixture(f);
}

static void probe_and_describe(void **state)
{
	(void)state;
	struct fixture *f = make_fixture(false);
	assert_true(unifw_dafile_probe(f->file, f->len, f->len));
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, f->file, f->len, "MTK_AllInOne_DA.bin");
	assert_int_equal(unifw_dafile_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "da");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "entry_count")), 3);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "magic")), "0x22668899");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.1.hw_code")), "0x6572");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.1.hw_ver")), "0xca00");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.1.regions.1.load_address")), "0x2007000");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "entries.1.regions.2.sig_len")), 0x100);
	unifw_jv_free(o);
	/* a stream that ends inside the entry table */
	o = unifw_jv_object();
	unifw_stream_from_mem(&s, f->file, 0x100, "cut");
	assert_int_equal(unifw_dafile_describe(&s, o, &e), UNIFW_E_TRUNCATED);
	unifw_stream_close(&s);
	unifw_jv_free(o);
	free_fixture(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(built_file_parses_back_field_by_field),
		cmocka_unit_test(mt6572_entry_is_selected_and_gives_da1_da2),
		cmocka_unit_test(old_layout_is_detected_by_the_second_entry),
		cmocka_unit_test(truncated_and_lying_files_fail_naming_the_offset),
		cmocka_unit_test(builder_refuses_impossible_containers),
		cmocka_unit_test(probe_and_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
