/* SECCFG / SEC_RO: every corpus misc/ file recognised as what PROVENANCE.tsv says it is, with
 * its structure checked; damaged copies fail with the offset of the bad field. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/secimg.h"
#include "util/bytes.h"

/* PROVENANCE.tsv columns: local path, repo, path in repo, commit, license, description, size, ... */
static char *provenance_field(const char *rel, int col)
{
	size_t len;
	uint8_t *tsv = corpus_read("PROVENANCE.tsv", &len);
	char *text = malloc(len + 1), *out = NULL;
	memcpy(text, tsv, len);
	text[len] = 0;
	free(tsv);
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && !out; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, rel, strlen(rel)) || line[strlen(rel)] != '\t')
			continue;
		char *f = line;
		for (int c = 0; c < col && f; c++) {
			f = strchr(f, '\t');
			if (f)
				f++;
		}
		if (f)
			out = strndup(f, strcspn(f, "\t"));
	}
	free(text);
	if (!out)
		fail_msg("no PROVENANCE.tsv column %d for %s", col, rel);
	return out;
}

static struct unifw_jv *describe_buf(const uint8_t *b, size_t len, int expect, struct unifw_error *e)
{
	struct unifw_stream s;
	unifw_stream_from_mem(&s, b, len, "img");
	struct unifw_jv *o = unifw_jv_object();
	int rc = unifw_secimg_describe(&s, o, e);
	unifw_stream_close(&s);
	if (rc != expect)
		fail_msg("describe: expected %d, found %d (%s)", expect, rc, e->msg);
	return o;
}

static void every_corpus_misc_file_is_recognised(void **state)
{
	(void)state;
	size_t n, seccfg = 0, secro = 0;
	char **files = corpus_list("misc", &n);
	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++) {
		char *desc = provenance_field(files[i], 5), *size = provenance_field(files[i], 6);
		size_t len;
		uint8_t *b = corpus_read(files[i], &len);
		struct unifw_error e;
		assert_int_equal(len, strtoull(size, NULL, 10));
		assert_true(unifw_secimg_probe(b, len < 65536 ? len : 65536, len));
		struct unifw_jv *o = describe_buf(b, len, 0, &e);
		assert_string_equal(unifw_jv_key_at(o, 0), "type");
		const char *type = unifw_jv_str(unifw_jv_get(o, "type"));
		assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "file_size")), len);
		assert_true(unifw_jv_truthy(unifw_jv_get(o, "rest_blank")));
		if (strstr(desc, "AND_SECCFG_v")) {
			assert_string_equal(type, "seccfg");
			assert_string_equal(unifw_jv_str(unifw_jv_get(o, "magic")), "0x4d4d4d4d");
			/* SecCfgV3 (docs/format-nvram.md "seccfg"): version 3, 0x1860 bytes, 'EEEE' in the last word. */
			assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "version")), 3);
			assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "seccfg_size")), 0x1860);
			assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "end_flag_offset")), 0x185C);
			seccfg++;
		} else if (strstr(desc, "AND_AC_REGION")) {
			assert_string_equal(type, "secro");
			assert_string_equal(unifw_jv_str(unifw_jv_get(o, "magic")), "0x48484848");
			assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "sections.region.offset")), 0x40);
			assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "sections.hash.size")), 20); /* SHA-1 */
			uint64_t rend = 0x40 + unifw_jv_u64(unifw_jv_get(o, "region_size"));
			const char *secs[] = {"hash", "andro", "md", "md2"};
			for (int k = 0; k < 4; k++) {
				char p[64];
				snprintf(p, sizeof p, "sections.%s.offset", secs[k]);
				uint64_t off = unifw_jv_u64(unifw_jv_path(o, p));
				snprintf(p, sizeof p, "sections.%s.size", secs[k]);
				assert_true(off >= 0x40 && off + unifw_jv_u64(unifw_jv_path(o, p)) <= rend);
			}
			uint64_t copies = unifw_jv_u64(unifw_jv_get(o, "copies"));
			assert_true(copies >= 1);
			assert_int_equal(unifw_jv_len(unifw_jv_get(o, "copy_offsets")), copies);
			assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "copy_offsets.0")), 0);
			secro++;
		} else {
			fail_msg("%s: PROVENANCE.tsv names neither seccfg nor secro", files[i]);
		}
		unifw_jv_free(o);
		free(b);
		free(desc);
		free(size);
	}
	assert_int_equal(seccfg, 1);
	assert_int_equal(secro, 2);
	test_free_list(files, n);
}

static void damaged_seccfg_names_offsets(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read("misc/mt6572_mobiwire_s10_seccfg.bin", &len);
	struct unifw_seccfg c;
	struct unifw_error e;
	assert_int_equal(unifw_seccfg_parse(b, 0x18, "c", &c, &e), UNIFW_E_TRUNCATED);
	put_le32(b + 0x18, (uint32_t)len + 16); /* size past the file */
	assert_int_equal(unifw_seccfg_parse(b, len, "c", &c, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x18);
	put_le32(b + 0x18, 0x1000); /* no end flag there */
	assert_int_equal(unifw_seccfg_parse(b, len, "c", &c, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0xFFC);
	put_le32(b + 0x18, 0x1860);
	put_le32(b + 0x10, 0x4D4D4D4C);
	assert_int_equal(unifw_seccfg_parse(b, len, "c", &c, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x10);
	assert_false(unifw_secimg_probe(b, len, len));
	put_le32(b + 0x10, 0x4D4D4D4D);
	b[0x1900] = 0x42; /* data after the structure: no longer blank */
	assert_int_equal(unifw_seccfg_parse(b, len, "c", &c, &e), 0);
	assert_false(c.rest_blank);
	assert_int_equal(c.blank_byte, -1);
	b[0] = 'X';
	struct unifw_jv *o = describe_buf(b, len, UNIFW_E_FORMAT, &e);
	assert_int_equal(e.offset, 0);
	unifw_jv_free(o);
	free(b);
}

static void damaged_secro_names_offsets(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read("misc/mt6572_lenovo_a516_secro.img", &len);
	struct unifw_secro r;
	struct unifw_error e;
	assert_int_equal(unifw_secro_parse(b, len, "r", &r, &e), 0);
	assert_true(r.copy_count >= 1);
	assert_int_equal(unifw_secro_parse(b, 0x30, "r", &r, &e), UNIFW_E_TRUNCATED);
	uint32_t v = 0;
	get_le32(b, len, 0x28, &v);
	put_le32(b + 0x28, 0x7FFFFFF0); /* andro offset far outside */
	assert_int_equal(unifw_secro_parse(b, len, "r", &r, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x24);
	put_le32(b + 0x28, v);
	put_le32(b + 0x14, 0xFFFFFF00); /* region length past the file */
	assert_int_equal(unifw_secro_parse(b, len, "r", &r, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x14);
	put_le32(b + 0x10, 0x48484849);
	assert_int_equal(unifw_secro_parse(b, len, "r", &r, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0x10);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_misc_file_is_recognised),
		cmocka_unit_test(damaged_seccfg_names_offsets),
		cmocka_unit_test(damaged_secro_names_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
