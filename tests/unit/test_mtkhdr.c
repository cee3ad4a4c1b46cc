/* MediaTek 512-byte header: every corpus file that carries one, bare headers, padding, round trip. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/mtkhdr.h"

/* Name the header must carry, from the corpus file's directory and name (corpus README/PROVENANCE). */
static const char *expected_name(const char *rel)
{
	if (!strncmp(rel, "lk/", 3))
		return "LK";
	if (!strncmp(rel, "logo/", 5))
		return "LOGO";
	if (strstr(rel, "recovery_ramdisk"))
		return "RECOVERY";
	if (strstr(rel, "ramdisk"))
		return "ROOTFS";
	return "KERNEL";
}

/* Facts from PROVENANCE.tsv: the size field is smaller than what follows the header. */
static const struct {
	const char *file;
	uint64_t padding;
} padded[] = {
	{"kernel/mt6572_symphony_w69_recovery_kernel_3.4.5_mtkhdr_padded.bin", 296},
	{"kernel/mt6572_alcatel_yaris_m_gsm_kernel_3.4.67_mtkhdr_padded.bin", 408},
	{"lk/mt6572_mobiwire_s10_lk.bin", 393216 - 512 - 0x40f20},
	{"logo/mt6572_mobiwire_s10_logo.bin", 3145728 - 512 - 0x35af6},
};

static uint64_t expected_padding(const char *rel)
{
	for (size_t i = 0; i < sizeof padded / sizeof *padded; i++)
		if (!strcmp(padded[i].file, rel))
			return padded[i].padding;
	return 0;
}

static void check_file(const char *rel, size_t *headers, size_t *bare)
{
	size_t len;
	uint8_t *buf = corpus_read(rel, &len);
	struct unifw_mtkhdr h;
	struct unifw_error err;
	uint8_t again[UNIFW_MTKHDR_SIZE];

	if (!unifw_mtkhdr_is(buf, len)) {
		assert_false(unifw_mtkhdr_probe(buf, len, len));
		free(buf);
		return;
	}
	(*headers)++;
	assert_true(unifw_mtkhdr_probe(buf, len, len));
	assert_int_equal(unifw_mtkhdr_parse(buf, len, len, &h, &err), 0);
	if (strcmp(h.name, expected_name(rel)))
		fail_msg("%s: name %s, expected %s", rel, h.name, expected_name(rel));
	assert_true(unifw_mtkhdr_has_name(buf, len, expected_name(rel)));
	assert_true(h.fill_ok && h.name_clean);
	assert_int_equal(h.maddr, UNIFW_MTKHDR_DEFAULT_ADDR);
	if (len == UNIFW_MTKHDR_SIZE) {
		/* bare header split out of a boot image: the whole payload is absent */
		(*bare)++;
		assert_int_equal(h.available, 0);
		assert_int_equal(h.missing, h.dsize);
	} else {
		assert_int_equal(h.missing, 0);
		if (h.padding != expected_padding(rel))
			fail_msg("%s: padding %llu, expected %llu", rel, (unsigned long long)h.padding,
				 (unsigned long long)expected_padding(rel));
		assert_int_equal(h.dsize + h.padding + UNIFW_MTKHDR_SIZE, len);
	}
	/* Our writer reproduces every real header byte for byte from the parsed fields. */
	assert_int_equal(unifw_mtkhdr_write(again, h.dsize, h.name, h.maddr, h.mode, &err), 0);
	assert_memory_equal(again, buf, UNIFW_MTKHDR_SIZE);
	free(buf);
}

static void every_corpus_header_parses_and_round_trips(void **state)
{
	(void)state;
	static const char *dirs[] = {"kernel", "bootimg", "lk", "logo"};
	size_t headers = 0, bare = 0;
	for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
		size_t n;
		char **list = corpus_list(dirs[d], &n);
		for (size_t i = 0; i < n; i++)
			check_file(list[i], &headers, &bare);
		test_free_list(list, n);
	}
	/* README: 7 kernels + 4 bare bootimg headers + 3 lk + logos carry the header */
	assert_true(headers >= 14);
	assert_int_equal(bare, 4);
}

static void bare_header_sizes_match_their_payload_files(void **state)
{
	(void)state;
	size_t hl, kl;
	uint8_t *hdr = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr", &hl);
	uint8_t *k = corpus_read("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", &kl);
	struct unifw_mtkhdr h;
	assert_int_equal(unifw_mtkhdr_parse(hdr, hl, hl, &h, NULL), 0);
	/* PROVENANCE: this header pairs with the raw S117 zImage */
	assert_int_equal(h.dsize, kl);
	/* header + payload: nothing missing, nothing padded */
	uint8_t *joined = malloc(hl + kl);
	memcpy(joined, hdr, hl);
	memcpy(joined + hl, k, kl);
	assert_int_equal(unifw_mtkhdr_parse(joined, hl + kl, hl + kl, &h, NULL), 0);
	assert_int_equal(h.missing, 0);
	assert_int_equal(h.padding, 0);
	free(joined);
	free(hdr);
	free(k);
}

static void describe_reports_type_first_and_padding(void **state)
{
	(void)state;
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_stream_open_file(&s, corpus_path("lk/mt6572_mobiwire_s10_lk.bin"), &err), 0);
	assert_int_equal(unifw_mtkhdr_describe(&s, o, &err), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "mtk_header");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "name")), "LK");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "payload_size")), 0x40f20);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "padding")), 393216 - 512 - 0x40f20);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "maddr")), "0xffffffff");
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "payload_present")));
	unifw_jv_free(o);

	/* a bare header: payload absent, not an error */
	o = unifw_jv_object();
	assert_int_equal(unifw_stream_open_file(&s, corpus_path("bootimg/mt6572_lenovo_a516_recovery_ramdisk.mtkhdr"),
						&err), 0);
	assert_int_equal(unifw_mtkhdr_describe(&s, o, &err), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "name")), "RECOVERY");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "payload_size")), 0x257551);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "missing")), 0x257551);
	assert_false(unifw_jv_truthy(unifw_jv_get(o, "payload_present")));
	unifw_jv_free(o);
}

static void describe_counts_a_stream_of_unknown_size(void **state)
{
	(void)state;
	uint8_t buf[UNIFW_MTKHDR_SIZE + 100];
	struct unifw_stream s;
	struct unifw_jv *o = unifw_jv_object();
	memset(buf, 0x5a, sizeof buf);
	assert_int_equal(unifw_mtkhdr_write(buf, 60, "ROOTFS", UNIFW_MTKHDR_DEFAULT_ADDR, UNIFW_MTKHDR_DEFAULT_ADDR,
					    NULL), 0);
	unifw_stream_from_mem(&s, buf, sizeof buf, "pipe");
	s.size = UNIFW_SIZE_UNKNOWN;
	assert_int_equal(unifw_mtkhdr_describe(&s, o, NULL), 0);
	unifw_stream_close(&s);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "bytes_after_header")), 100);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "padding")), 40);
	unifw_jv_free(o);
}

static void short_or_wrong_input_names_the_offset(void **state)
{
	(void)state;
	uint8_t buf[UNIFW_MTKHDR_SIZE];
	struct unifw_mtkhdr h;
	struct unifw_error err;
	assert_int_equal(unifw_mtkhdr_write(buf, 1000, "KERNEL", 0xFFFFFFFF, 0xFFFFFFFF, &err), 0);
	assert_int_equal(unifw_mtkhdr_parse(buf, 100, 100, &h, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, 100);
	buf[1] ^= 0xFF;
	assert_int_equal(unifw_mtkhdr_parse(buf, sizeof buf, sizeof buf, &h, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0);
	assert_non_null(strstr(err.msg, "88 16 88 58"));
	assert_false(unifw_mtkhdr_probe(buf, sizeof buf, sizeof buf));
	/* name rules of the writer */
	assert_int_equal(unifw_mtkhdr_write(buf, 1, "", 0, 0, &err), UNIFW_E_INVALID);
	assert_int_equal(unifw_mtkhdr_write(buf, 1, "0123456789abcdef0123456789abcdef", 0, 0, &err), UNIFW_E_INVALID);
	/* a non-printable name is not a header we recognise */
	assert_int_equal(unifw_mtkhdr_write(buf, 1, "LK", 0, 0, &err), 0);
	buf[9] = 0x01;
	assert_false(unifw_mtkhdr_probe(buf, sizeof buf, sizeof buf));
	assert_int_equal(unifw_mtkhdr_parse(buf, sizeof buf, sizeof buf, &h, &err), 0);
	assert_false(h.name_clean);
}

static void payload_shorter_than_size_is_reported_missing(void **state)
{
	(void)state;
	uint8_t buf[UNIFW_MTKHDR_SIZE + 10];
	struct unifw_mtkhdr h;
	memset(buf, 0, sizeof buf);
	assert_int_equal(unifw_mtkhdr_write(buf, 30, "LOGO", 0x1000, 0, NULL), 0);
	assert_int_equal(unifw_mtkhdr_parse(buf, sizeof buf, sizeof buf, &h, NULL), 0);
	assert_int_equal(h.missing, 20);
	assert_int_equal(h.padding, 0);
	assert_int_equal(h.maddr, 0x1000);
	assert_int_equal(h.mode, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_header_parses_and_round_trips),
		cmocka_unit_test(bare_header_sizes_match_their_payload_files),
		cmocka_unit_test(describe_reports_type_first_and_padding),
		cmocka_unit_test(describe_counts_a_stream_of_unknown_size),
		cmocka_unit_test(short_or_wrong_input_names_the_offset),
		cmocka_unit_test(payload_shorter_than_size_is_reported_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
