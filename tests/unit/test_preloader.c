/* Preloaders: every corpus preloader is recognised in its container (GFH build, EMMC_BOOT dump, NO_GFH),
 * with the size from PROVENANCE.tsv, the project named by its repository path, a GFH block chain that ends
 * at content_offset, and an EMI table whose tag and compiled emi_settings[] agree entry by entry. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/emi.h"
#include "unifw/io.h"
#include "unifw/preloader.h"

/* Column `col` (1-based) of the PROVENANCE.tsv row for `rel`, copied into out. */
static bool provenance_field(const char *rel, int col, char *out, size_t cap)
{
	size_t len;
	char *t = (char *)corpus_read("PROVENANCE.tsv", &len);
	t = realloc(t, len + 1);
	t[len] = 0;
	bool found = false;
	for (char *line = strtok(t, "\n"); line && !found; line = strtok(NULL, "\n")) {
		size_t n = strlen(rel);
		if (strncmp(line, rel, n) || line[n] != '\t')
			continue;
		char *c = line;
		for (int i = 1; i < col && c; i++) {
			c = strchr(c, '\t');
			if (c)
				c++;
		}
		if (c) {
			size_t k = strcspn(c, "\t");
			snprintf(out, cap, "%.*s", (int)k, c);
			found = true;
		}
	}
	free(t);
	return found;
}

/* Project from the repository path: ".../preloader_<project>[_NO_GFH].bin"; "" when the path says none. */
static void expected_project(const char *rel, char *out, size_t cap)
{
	char path[512];
	out[0] = 0;
	assert_true(provenance_field(rel, 3, path, sizeof path));
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (strncmp(b, "preloader_", 10) || !strstr(b, ".bin"))
		return;
	b += 10;
	size_t n = strstr(b, ".bin") - b;
	if (n > 7 && !strncmp(b + n - 7, "_NO_GFH", 7))
		n -= 7;
	snprintf(out, cap, "%.*s", (int)n, b);
}

static const char *expected_container(const char *rel)
{
	if (strstr(rel, "emmcboot"))
		return "emmc_boot";
	if (strstr(rel, "NO_GFH"))
		return "no_gfh";
	return "gfh";
}

static struct unifw_jv *describe_file(const char *rel)
{
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_stream_open_file(&s, corpus_path(rel), &e), 0);
	int rc = unifw_preloader_describe(&s, o, &e);
	unifw_stream_close(&s);
	if (rc)
		fail_msg("%s: %s", rel, e.msg);
	return o;
}

static void check_gfh(const char *rel, const struct unifw_preloader *pl, size_t len)
{
	const struct unifw_gfh_file_info *fi = &pl->file_info;
	assert_string_equal(fi->identifier, "FILE_INFO");
	assert_int_equal(fi->file_type, 1); /* ARM_BL */
	assert_int_equal(fi->flash_dev, 5); /* eMMC boot region */
	assert_int_equal(fi->load_addr, 0x02007200);
	assert_true(fi->file_len <= fi->max_size);
	if (pl->container == UNIFW_PRELOADER_GFH && fi->file_len != len) /* a build output is exactly file_len */
		fail_msg("%s: file_len 0x%x, file size 0x%zx", rel, fi->file_len, len);
	/* the block chain starts with FILE_INFO and ends exactly at content_offset */
	assert_true(pl->block_count >= 6);
	assert_int_equal(pl->block[0].type, 0);
	const struct unifw_gfh_block *last = &pl->block[pl->block_count - 1];
	assert_int_equal(last->offset + last->size, pl->gfh_offset + fi->content_offset);
	static const char *const want[] = {"file_info", "bl_info", "brom_cfg", "bl_sec_key", "anti_clone", "brom_sec_cfg"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(unifw_gfh_type_name(pl->block[i].type), want[i]);
}

static void check_emi(const char *rel, const uint8_t *b, size_t len, const struct unifw_preloader *pl)
{
	struct unifw_error e;
	assert_true(pl->has_emi);
	assert_true(pl->emi.from_trailer); /* the docs/protocol.md recipe works on every corpus preloader */
	struct unifw_emi_table *t = malloc(sizeof *t);
	struct unifw_emi_compiled *c = malloc(sizeof *c);
	if (unifw_preloader_emi_table(b, len, pl, t, &e))
		fail_msg("%s: %s", rel, e.msg);
	assert_false(t->count_mismatch);
	assert_true(t->count >= 1);
	assert_int_equal(pl->emi.block_len, 0x70 + t->count * 0xA8);
	assert_int_equal(pl->emi.blob_offset, pl->emi.tag_offset + 0x70);
	assert_int_equal(pl->emi.blob_len, t->count * 0xA8);
	struct unifw_emi_location loc;
	assert_int_equal(unifw_preloader_emi_blob(b, len, &loc, &e), 0);
	assert_int_equal(loc.blob_offset, pl->emi.blob_offset);
	assert_int_equal(loc.blob_len, pl->emi.blob_len);
	/* the compiled copy exists and agrees with the tag, entry by entry */
	if (unifw_emi_find_compiled(b, (size_t)pl->emi.tag_offset, c, &e))
		fail_msg("%s: %s", rel, e.msg);
	assert_int_equal(c->count, t->count);
	if (unifw_emi_cross_check(t, c))
		fail_msg("%s: tag and emi_settings[] differ at entry %zu", rel, unifw_emi_cross_check(t, c) - 1);
	char want[128];
	expected_project(rel, want, sizeof want);
	if (want[0] && strcmp(t->project, want))
		fail_msg("%s: project %s, expected %s", rel, t->project, want);
	assert_true(t->project[0] != 0);
	free(t);
	free(c);
}

static void every_corpus_preloader_parses_in_its_container(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("preloader", &n);
	assert_true(n >= 7);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *b = corpus_read(files[i], &len);
		char size[32];
		assert_true(provenance_field(files[i], 7, size, sizeof size));
		assert_int_equal(len, strtoull(size, NULL, 10));
		if (!unifw_preloader_probe(b, len < 65536 ? len : 65536, len))
			fail_msg("probe rejects %s", files[i]);
		struct unifw_preloader *pl = malloc(sizeof *pl);
		struct unifw_error e;
		if (unifw_preloader_parse(b, len, files[i], pl, &e))
			fail_msg("%s: %s", files[i], e.msg);
		assert_string_equal(unifw_preloader_container_name(pl->container), expected_container(files[i]));
		assert_true(pl->has_rominfo);
		assert_string_equal(pl->rominfo.platform, "MT6572");
		assert_int_equal(pl->rominfo.offset, pl->code_offset + 0x1FC);
		if (pl->container != UNIFW_PRELOADER_NO_GFH)
			check_gfh(files[i], pl, len);
		check_emi(files[i], b, len, pl);
		struct unifw_jv *o = describe_file(files[i]);
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "preloader");
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "platform")), "MT6572");
		assert_true(unifw_jv_truthy(unifw_jv_path(o, "emi_settings.agrees_with_tag")));
		unifw_jv_free(o);
		free(pl);
		free(b);
	}
	test_free_list(files, n);
}

static void a516_preloader_lists_its_samsung_part(void **state)
{
	(void)state;
	static const char *const files[] = {"preloader/mt6572_lenovo_a516_S117_preloader_a516_row.bin",
					    "preloader/mt6572_lenovo_a516_S118_preloader_a516_row.bin"};
	static const uint8_t id[9] = {0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30, 0x4D};
	for (size_t f = 0; f < 2; f++) {
		struct unifw_jv *o = describe_file(files[f]);
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "project")), "a516_row");
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "container")), "gfh");
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "gfh.load_address")), "0x2007200");
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "gfh.sig_type_name")), "single_and_phash");
		assert_int_equal(unifw_jv_len(unifw_jv_get(o, "gfh_blocks")), 6);
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "emi_match_style")), "first_match");
		assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "emi.entry_count")), 1);
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "emi.entries.0.type_id")), "0x202");
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "emi.entries.0.manufacturer")), "Samsung");
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "emi.entries.0.pnm")), "N5U00M");
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "emi.entries.0.id")), "1501004e355530304d00000000000000");
		assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "emi.entries.0.emi_freq_mhz")), 266);
		assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "emi.entries.0.rank_count")), 1);
		assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "emi.entries.0.rank_sizes.0")), 512u << 20);
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "emi.entries.0.dram_type")), "LPDDR2");
		unifw_jv_free(o);
		/* the "never write a preloader that does not fit" check, with the A516's own CID */
		size_t len, idx = 9;
		uint8_t *b = corpus_read(files[f], &len);
		struct unifw_preloader pl;
		struct unifw_emi_table *t = malloc(sizeof *t);
		struct unifw_error e;
		assert_int_equal(unifw_preloader_parse(b, len, "a516", &pl, &e), 0);
		assert_int_equal(unifw_preloader_emi_table(b, len, &pl, t, &e), 0);
		uint8_t cid[16] = {0};
		memcpy(cid, id, 9);
		cid[9] = 0x03; /* PRV, PSN... differ per chip and are not compared */
		assert_true(unifw_emi_match_cid(t, cid, &idx));
		assert_int_equal(idx, 0);
		cid[8] = 'N';
		assert_false(unifw_emi_match_cid(t, cid, &idx));
		free(t);
		free(b);
	}
}

/* PROVENANCE: the NO_GFH file is the same build without the GFH header and the signature. */
static void no_gfh_file_is_the_code_of_its_gfh_sibling(void **state)
{
	(void)state;
	size_t glen, nlen;
	uint8_t *g = corpus_read("preloader/mt6572_orangepi3giot_preloader_hexing72_cwet_kk.bin", &glen);
	uint8_t *r = corpus_read("preloader/mt6572_orangepi3giot_preloader_hexing72_cwet_kk_NO_GFH.bin", &nlen);
	struct unifw_preloader pg, pn;
	struct unifw_error e;
	assert_int_equal(unifw_preloader_parse(g, glen, "gfh", &pg, &e), 0);
	assert_int_equal(unifw_preloader_parse(r, nlen, "raw", &pn, &e), 0);
	assert_int_equal(pn.container, UNIFW_PRELOADER_NO_GFH);
	assert_int_equal(nlen, pg.content_end - pg.code_offset);
	assert_memory_equal(r, g + pg.code_offset, nlen);
	assert_int_equal(pn.emi.tag_offset + pg.code_offset, pg.emi.tag_offset);
	struct unifw_jv *o = describe_file("preloader/mt6572_orangepi3giot_preloader_hexing72_cwet_kk_NO_GFH.bin");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "container")), "no_gfh");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "project")), "hexing72_cwet_kk");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "entry_instruction")), "0xea000003");
	assert_null(unifw_jv_get(o, "gfh"));
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "emi_match_style")), "dram_info_check");
	unifw_jv_free(o);
	free(g);
	free(r);
}

static void emmc_boot_dump_points_at_the_gfh_at_0x800(void **state)
{
	(void)state;
	const char *rel = "preloader/mt6572_mobiwire_s10_preloader_emmcboot.bin";
	size_t len;
	uint8_t *b = corpus_read(rel, &len);
	struct unifw_preloader pl;
	struct unifw_error e;
	assert_int_equal(unifw_preloader_parse(b, len, rel, &pl, &e), 0);
	const struct unifw_emmc_boot *eb = &pl.emmc_boot;
	assert_string_equal(eb->identifier, "EMMC_BOOT");
	assert_int_equal(eb->dev_rw_unit, 0x200);
	assert_int_equal(eb->desc_count, 1);
	assert_int_equal(eb->desc[0].begin, 0x800);
	assert_int_equal(eb->desc[0].dev, 5);
	assert_int_equal(eb->desc[0].type, 1);
	/* the descriptor reserves exactly max_size for the preloader */
	assert_int_equal(eb->desc[0].boundary - eb->desc[0].begin, pl.file_info.max_size);
	assert_int_equal(eb->boot_region_addr, 0x800);
	assert_int_equal(pl.gfh_offset, 0x800);
	/* PROVENANCE: data ends ~0x18f34, then 0x00/0xFF fill to the end of the 2 MiB region */
	uint64_t end = pl.gfh_offset + pl.file_info.file_len;
	assert_int_equal(end, 0x18F34);
	for (uint64_t i = end; i < len; i++)
		if (b[i] != 0x00 && b[i] != 0xFF)
			fail_msg("byte 0x%02x at 0x%llx after the image", b[i], (unsigned long long)i);
	struct unifw_jv *o = describe_file(rel);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "container")), "emmc_boot");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "gfh_offset")), 0x800);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "emmc_boot.descriptors.0.begin")), "0x800");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "emmc_boot.descriptors.0.dev_name")), "emmc_boot_region");
	/* its repository path names no project; the tag says up40_h405f_meo (read by hand with xxd) */
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "project")), "up40_h405f_meo");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "emi.entry_count")), 6);
	unifw_jv_free(o);
	free(b);
}

/* The recipe's "trailer is 0: drop 0x800 bytes and read again" branch, on a build padded that way. */
static void zero_trailer_falls_back_0x800_bytes(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read("preloader/mt6572_preloader_bird_a101.bin", &len);
	struct unifw_preloader pl;
	struct unifw_error e;
	assert_int_equal(unifw_preloader_parse(b, len, "bird", &pl, &e), 0);
	size_t padded_len = len + 0x800;
	uint8_t *p = calloc(1, padded_len);
	memcpy(p, b, pl.content_end);
	memcpy(p + pl.content_end + 0x800, b + pl.content_end, len - pl.content_end); /* signature */
	for (int i = 0; i < 4; i++) /* FILE_INFO file_len, little-endian */
		p[0x20 + i] = (uint8_t)(padded_len >> (8 * i));
	struct unifw_emi_location loc;
	assert_int_equal(unifw_preloader_emi_blob(p, padded_len, &loc, &e), 0);
	assert_true(loc.from_trailer);
	assert_int_equal(loc.blob_offset, pl.emi.blob_offset);
	assert_int_equal(loc.blob_len, pl.emi.blob_len);
	free(p);
	free(b);
}

static void lying_headers_fail_naming_the_offset(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read("preloader/mt6572_preloader_lightning72_wet_l_jb3.bin", &len);
	struct unifw_preloader pl;
	struct unifw_error e;
	assert_int_equal(unifw_preloader_parse(b, 0x10000, "cut", &pl, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, 0x20);
	uint8_t save = b[0x28];
	b[0x28] = 0x10; /* content_offset 0x7F0310: beyond file_len */
	b[0x2A] = 0x7F;
	assert_int_equal(unifw_preloader_parse(b, len, "x", &pl, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x28);
	b[0x28] = save;
	b[0x2A] = 0;
	b[0x38 + 4] = 0; /* BL_INFO block size 0 */
	b[0x38 + 5] = 0;
	assert_int_equal(unifw_preloader_parse(b, len, "x", &pl, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x38 + 4);
	b[0x38 + 4] = 0x0C;
	b[0x38] = 'X'; /* not a GFH block */
	assert_int_equal(unifw_preloader_parse(b, len, "x", &pl, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x38);
	b[0x38] = 'M';
	assert_int_equal(unifw_preloader_parse(b, len, "x", &pl, &e), 0);
	b[0] = 'X';
	assert_int_equal(unifw_preloader_parse(b, len, "x", &pl, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0);
	free(b);

	b = corpus_read("preloader/mt6572_mobiwire_s10_preloader_emmcboot.bin", &len);
	assert_memory_equal(b + 0x214, "BBBB", 4); /* BRLYT descriptor 0: magic, dev, type, begin @+8 */
	b[0x21C + 1] = 0x00; /* begin 0x800 -> 0x000: no GFH there */
	assert_int_equal(unifw_preloader_parse(b, len, "x", &pl, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0);
	b[0x200] = 'X'; /* no BRLYT */
	assert_int_equal(unifw_preloader_parse(b, len, "x", &pl, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x200);
	assert_false(unifw_preloader_probe(b, 65536, len));
	free(b);
}

/* The NO_GFH heuristic is conservative: other ARM images of the corpus are not taken for a preloader. */
static void probe_does_not_fire_on_other_arm_images(void **state)
{
	(void)state;
	static const char *const dirs[] = {"lk", "kernel", "ptable", "logo", "bootimg", "misc", "preloader/emi_info"};
	for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
		size_t n;
		char **files = corpus_list(dirs[d], &n);
		for (size_t i = 0; i < n; i++) {
			size_t len;
			uint8_t *b = corpus_read(files[i], &len);
			if (unifw_preloader_probe(b, len < 65536 ? len : 65536, len))
				fail_msg("preloader probe fires on %s", files[i]);
			free(b);
		}
		test_free_list(files, n);
	}
	/* an ARM branch alone is not enough */
	uint8_t arm[0x400] = {0x03, 0x00, 0x00, 0xEA};
	assert_false(unifw_preloader_probe(arm, sizeof arm, sizeof arm));
	memcpy(arm + 0x1FC, "AND_ROMINFO_v", 13);
	assert_true(unifw_preloader_probe(arm, sizeof arm, sizeof arm));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_preloader_parses_in_its_container),
		cmocka_unit_test(a516_preloader_lists_its_samsung_part),
		cmocka_unit_test(no_gfh_file_is_the_code_of_its_gfh_sibling),
		cmocka_unit_test(emmc_boot_dump_points_at_the_gfh_at_0x800),
		cmocka_unit_test(zero_trailer_falls_back_0x800_bytes),
		cmocka_unit_test(lying_headers_fail_naming_the_offset),
		cmocka_unit_test(probe_does_not_fire_on_other_arm_images),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
