/* lk.bin: all corpus LKs (with and without the MTK header, the 384 KiB Mobiwire dump), project names
 * checked against file names and the same phone's preloader, LCM names against names/lcm.txt and
 * PROVENANCE, and synthetic / damaged inputs. */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/lk.h"
#include "unifw/mtkhdr.h"
#include "util/bytes.h"

static bool buf_has(const uint8_t *b, size_t n, const char *s)
{
	return unifw_memfind(b, n, 0, s, strlen(s)) != SIZE_MAX;
}

static bool names_txt_lists(const char *rel, const char *name)
{
	size_t len;
	uint8_t *b = corpus_read(rel, &len);
	char key[80];
	snprintf(key, sizeof key, "%s\t", name);
	bool hit = false;
	for (size_t at = 0; (at = unifw_memfind(b, len, at, key, strlen(key))) != SIZE_MAX; at++)
		if (at == 0 || b[at - 1] == '\n')
			hit = true;
	free(b);
	return hit;
}

/* The phone's project also names its preloader build ("preloader_<project>.bin" is compiled in):
 * look for it in the corpus preloaders of the same device (same first three name tokens). */
static bool preloader_confirms(const char *lk_rel, const char *project)
{
	const char *base = strchr(lk_rel, '/') + 1;
	size_t pre = 0;
	for (int tokens = 0; base[pre] && tokens < 3; pre++)
		if (base[pre] == '_')
			tokens++;
	char want[96];
	snprintf(want, sizeof want, "preloader_%s.bin", project);
	size_t n;
	char **list = corpus_list("preloader", &n);
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++) {
		if (strncmp(strchr(list[i], '/') + 1, base, pre))
			continue;
		size_t len;
		uint8_t *b = corpus_read(list[i], &len);
		hit = buf_has(b, len, want);
		free(b);
	}
	test_free_list(list, n);
	return hit;
}

static void every_corpus_lk_names_project_platform_and_lcm(void **state)
{
	(void)state;
	size_t n;
	char **list = corpus_list("lk", &n);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *buf = corpus_read(list[i], &len);
		struct unifw_lk_info *lk = malloc(sizeof *lk);
		struct unifw_error err;
		assert_true(unifw_lk_probe(buf, len < 65536 ? len : 65536, len));
		if (unifw_lk_inspect(buf, len, list[i], lk, &err))
			fail_msg("%s: %s", list[i], err.msg);
		assert_int_equal(lk->has_mtk_header, strstr(list[i], "no-mtk-header") == NULL);
		assert_string_equal(lk->platform, "mt6572");
		assert_string_equal(lk->base_project, "mt6572v1_phone");
		assert_int_equal(lk->load_address, 0x80020000u);
		/* project: stated by the file name (Orange Pi builds) or by the same phone's preloader */
		assert_true(strlen(lk->project) > 3);
		bool in_name = strstr(list[i], lk->project) != NULL;
		if (!in_name && !preloader_confirms(list[i], lk->project))
			fail_msg("%s: project %s confirmed neither by the file name nor a preloader", list[i], lk->project);
		for (size_t c = 0; lk->product[c]; c++)
			assert_int_equal(lk->project[c], tolower((unsigned char)lk->product[c]));
		/* every LCM name: in names/lcm.txt, or a plausible unlisted name; each LK has at least one */
		assert_true(lk->lcm.count + lk->lcm_unlisted.count >= 1);
		for (size_t c = 0; c < lk->lcm.count; c++)
			assert_true(names_txt_lists("names/lcm.txt", lk->lcm.name[c]));
		for (size_t c = 0; c < lk->lcm_unlisted.count; c++) {
			assert_false(names_txt_lists("names/lcm.txt", lk->lcm_unlisted.name[c]));
			assert_true(unifw_lcm_name_plausible(lk->lcm_unlisted.name[c]));
		}
		free(lk);
		free(buf);
	}
	test_free_list(list, n);
}

static void inspect(const char *rel, struct unifw_lk_info *lk)
{
	size_t len;
	uint8_t *buf = corpus_read(rel, &len);
	struct unifw_error err;
	if (unifw_lk_inspect(buf, len, rel, lk, &err))
		fail_msg("%s: %s", rel, err.msg);
	free(buf);
}

/* PROVENANCE: the Mobiwire S10 firmware.info reports "LCD st7701_wvga_dsi_vdo"; its LK must be able
 * to select that driver. The dump is 384 KiB with size field 0x40f20. */
static void mobiwire_dump_reports_its_lcd_and_padding(void **state)
{
	(void)state;
	size_t len;
	uint8_t *prov = corpus_read("PROVENANCE.tsv", &len);
	char *row = memmem(prov, len, "deviceinfo/mt6572_mobiwire_s10_firmware_info.txt", 48);
	assert_non_null(row);
	char *lcd = strstr(row, "LCD ");
	assert_non_null(lcd);
	char name[64];
	assert_int_equal(sscanf(lcd + 4, "%63[A-Za-z0-9_]", name), 1);
	free(prov);

	struct unifw_lk_info *lk = malloc(sizeof *lk);
	inspect("lk/mt6572_mobiwire_s10_lk.bin", lk);
	bool found = false;
	for (size_t i = 0; i < lk->lcm.count; i++)
		found |= !strcmp(lk->lcm.name[i], name);
	for (size_t i = 0; i < lk->lcm_unlisted.count; i++)
		found |= !strcmp(lk->lcm_unlisted.name[i], name);
	assert_true(found);
	assert_int_equal(lk->payload_size, 0x40f20);
	assert_int_equal(lk->padding, 393216 - 512 - 0x40f20);
	free(lk);
}

/* Two builds of the same board (eMMC kk and NAND lca) select the same panel. */
static void orange_pi_builds_agree_on_the_panel(void **state)
{
	(void)state;
	struct unifw_lk_info *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	inspect("lk/mt6572_orangepi3giot_hexing72_cwet_kk_lk-no-mtk-header.bin", a);
	inspect("lk/mt6572_orangepi3giot_hexing72_cwet_lca_lk-no-mtk-header.bin", b);
	assert_string_equal(a->project, "hexing72_cwet_kk");
	assert_string_equal(b->project, "hexing72_cwet_lca");
	assert_memory_equal(&a->lcm, &b->lcm, sizeof a->lcm);
	assert_int_equal(a->lcm.count, 1);
	free(a);
	free(b);
}

static void describe_emits_type_first(void **state)
{
	(void)state;
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_stream_open_file(&s, corpus_path("lk/mt6572_lenovo_a516_S117_lk.bin"), &err), 0);
	assert_int_equal(unifw_lk_describe(&s, o, &err), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "lk");
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "has_mtk_header")));
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "payload_size")), 0x3e570); /* PROVENANCE */
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "project")), "a516_row");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "load_address")), "0x80020000");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "mtk_header.name")), "LK");
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "lcm_drivers")), UNIFW_JV_ARRAY);
	unifw_jv_free(o);
}

/* A synthetic LK built here: vector table, literal pool, an LCM record, fastboot product strings. */
static uint8_t *fake_lk(size_t *len)
{
	const uint32_t base = 0x81E00000u;
	size_t n = 96 * 1024;
	uint8_t *p = calloc(1, n);
	for (int i = 0; i < 8; i++)
		put_le32(p + 4 * i, 0xEA000006u);
	put_le32(p + 0x80, base);
	memcpy(p + 0x1000, "product\0MYBOARD_X1\0", 19);
	memcpy(p + 0x1100, "nt35590_hd720_dsi_cmd", 22);
	memcpy(p + 0x1200, "mt6580v1_phone", 15);
	memcpy(p + 0x1300, "platform/mediatek/mt6580/lk/disp.c", 35);
	put_le32(p + 0x2000, base + 0x1100);
	for (int k = 1; k <= 5; k++)
		put_le32(p + 0x2000 + 4 * k, base + 0x401 + 0x10 * (uint32_t)k);
	*len = n;
	return p;
}

static void synthetic_lk_with_and_without_header(void **state)
{
	(void)state;
	size_t n;
	uint8_t *raw = fake_lk(&n);
	struct unifw_lk_info *lk = malloc(sizeof *lk);
	struct unifw_error err;
	assert_true(unifw_lk_probe(raw, n, n));
	assert_int_equal(unifw_lk_inspect(raw, n, "fake", lk, &err), 0);
	assert_false(lk->has_mtk_header);
	assert_int_equal(lk->load_address, 0x81E00000u);
	assert_string_equal(lk->product, "MYBOARD_X1");
	assert_string_equal(lk->project, "myboard_x1");
	assert_string_equal(lk->base_project, "mt6580v1_phone");
	assert_string_equal(lk->platform, "mt6580");
	assert_int_equal(lk->lcm.count, 1); /* nt35590_hd720_dsi_cmd is in the table */
	assert_string_equal(lk->lcm.name[0], "nt35590_hd720_dsi_cmd");

	/* wrapped, with partition padding after the payload */
	size_t wl = UNIFW_MTKHDR_SIZE + n + 4096;
	uint8_t *w = malloc(wl);
	memset(w, 0, wl);
	assert_int_equal(unifw_mtkhdr_write(w, (uint32_t)n, "LK", 0xFFFFFFFF, 0xFFFFFFFF, NULL), 0);
	memcpy(w + UNIFW_MTKHDR_SIZE, raw, n);
	assert_true(unifw_lk_probe(w, 65536, wl));
	assert_int_equal(unifw_lk_inspect(w, wl, "fake", lk, &err), 0);
	assert_true(lk->has_mtk_header);
	assert_int_equal(lk->padding, 4096);
	assert_string_equal(lk->project, "myboard_x1");

	/* size field beyond the input: truncated, offset = end of input */
	assert_int_equal(unifw_lk_inspect(w, UNIFW_MTKHDR_SIZE + 100, "fake", lk, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, UNIFW_MTKHDR_SIZE + 100);
	/* an MTK header with another name is not LK */
	assert_int_equal(unifw_mtkhdr_write(w, (uint32_t)n, "LOGO", 0xFFFFFFFF, 0xFFFFFFFF, NULL), 0);
	assert_false(unifw_lk_probe(w, 65536, wl));
	assert_int_equal(unifw_lk_inspect(w, wl, "fake", lk, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 8);
	/* no vector table */
	raw[3] = 0x00;
	assert_false(unifw_lk_probe(raw, n, n));
	assert_int_equal(unifw_lk_inspect(raw, n, "fake", lk, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0);
	free(w);
	free(raw);
	free(lk);
}

static void other_images_are_not_lk(void **state)
{
	(void)state;
	static const char *files[] = {
		"kernel/mt6572_explay_joytv_kernel_3.4.67_raw.bin",
		"preloader/mt6572_orangepi3giot_preloader_hexing72_cwet_kk_NO_GFH.bin",
		"bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr",
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		size_t len;
		uint8_t *b = corpus_read(files[i], &len);
		assert_false(unifw_lk_probe(b, len < 65536 ? len : 65536, len));
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_lk_names_project_platform_and_lcm),
		cmocka_unit_test(mobiwire_dump_reports_its_lcd_and_padding),
		cmocka_unit_test(orange_pi_builds_agree_on_the_panel),
		cmocka_unit_test(describe_emits_type_first),
		cmocka_unit_test(synthetic_lk_with_and_without_header),
		cmocka_unit_test(other_images_are_not_lk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
