/* Content detection of every corpus image (src/package/detect.c). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "unifw/detect.h"

/* --- detection ------------------------------------------------------------------------------------- */

/* The type a corpus file must be detected as, from its directory and name (see corpus README). */
static const char *corpus_type(const char *rel)
{
	if (!strncmp(rel, "scatter/", 8))
		return "scatter";
	if (!strncmp(rel, "ptable/", 7))
		return "mbr"; /* detection's module type; the describe says mbr or ebr */
	if (!strncmp(rel, "preloader/emi_info/", 19))
		return "emi_info";
	if (!strncmp(rel, "preloader/", 10))
		return "preloader";
	if (!strncmp(rel, "kernel/", 7))
		return strstr(rel, ".img") ? "bootimg" : "kernel";
	if (!strncmp(rel, "bootimg/", 8))
		return strstr(rel, ".hdr") ? "bootimg" : "mtk_header";
	if (!strncmp(rel, "lk/", 3))
		return "lk";
	if (!strncmp(rel, "logo/", 5))
		return "logo";
	if (!strncmp(rel, "misc/", 5))
		return strstr(rel, "seccfg") ? "seccfg" : "secro";
	if (!strncmp(rel, "names/", 6))
		return "text";
	return NULL;
}

static void detect_every_corpus_image_by_content(void **state)
{
	(void)state;
	static const char *dirs[] = {"scatter", "ptable", "preloader", "preloader/emi_info", "kernel", "bootimg",
				     "lk", "logo", "misc", "names"};
	size_t checked = 0;
	uint8_t *head = malloc(UNIFW_DETECT_HEAD);
	for (size_t d = 0; d < sizeof dirs / sizeof *dirs; d++) {
		size_t n;
		char **list = corpus_list(dirs[d], &n);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			size_t len;
			uint8_t *buf = corpus_read(list[i], &len);
			size_t hl = len < UNIFW_DETECT_HEAD ? len : UNIFW_DETECT_HEAD;
			memcpy(head, buf, hl);
			const char *want = corpus_type(list[i]);
			const char *got = unifw_detect(head, hl, len);
			if (strcmp(got, want))
				fail_msg("%s: detected as %s, expected %s", list[i], got, want);
			/* Detection looks at content only: the same bytes under any name give the same type,
			 * and describing them from a sequential stream (no pread, like a zip member) works. */
			struct unifw_jv *o = unifw_jv_object();
			struct unifw_stream s;
			struct unifw_error e;
			unifw_error_clear(&e);
			unifw_stream_from_mem(&s, buf, len, list[i]);
			s.pread = NULL;
			if (unifw_detect_describe(&s, head, hl, o, &e) != 0)
				fail_msg("%s: describe failed: %s: %s", list[i], e.where, e.msg);
			const char *t = unifw_jv_str(unifw_jv_get(o, "type"));
			assert_non_null(t);
			/* "type" comes first in every describe. */
			assert_string_equal(unifw_jv_key_at(o, 0), "type");
			if (!strcmp(want, "mbr"))
				assert_string_equal(t, strstr(list[i], "_MBR") ? "mbr" : "ebr");
			else if (!strcmp(want, "bootimg"))
				assert_true(!strcmp(t, "bootimg") || !strcmp(t, "boot_header"));
			else
				assert_string_equal(t, want);
			unifw_stream_close(&s);
			unifw_jv_free(o);
			free(buf);
			checked++;
		}
		test_free_list(list, n);
	}
	free(head);
	assert_true(checked >= 70);
}

static void detect_unknown_gives_hint_and_bytes(void **state)
{
	(void)state;
	uint8_t ff[4096], text[] = "hello firmware\nsecond line\n", zeros[600] = {0};
	memset(ff, 0xFF, sizeof ff);
	struct unifw_jv *o = unifw_jv_object();
	assert_string_equal(unifw_detect(ff, sizeof ff, sizeof ff), "unknown");
	unifw_detect_unknown(ff, sizeof ff, 1 << 20, o);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "head_hex")), "ffffffffffffffffffffffffffffffff");
	assert_non_null(strstr(unifw_jv_str(unifw_jv_get(o, "hint")), "erased"));
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "size")), 1 << 20);
	unifw_jv_free(o);
	assert_string_equal(unifw_detect(text, sizeof text - 1, sizeof text - 1), "text");
	assert_string_equal(unifw_detect(zeros, sizeof zeros, sizeof zeros), "unknown");
	assert_string_equal(unifw_detect(NULL, 0, 0), "unknown");
	/* Every module in the order list has both functions once it has landed. */
	size_t n;
	const struct unifw_format *f = unifw_detect_formats(&n);
	assert_true(n >= 16);
	for (size_t i = 0; i < n; i++) {
		if (!f[i].probe || !f[i].describe)
			fail_msg("module %s has no probe/describe linked", f[i].module);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_every_corpus_image_by_content),
		cmocka_unit_test(detect_unknown_gives_hint_and_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
