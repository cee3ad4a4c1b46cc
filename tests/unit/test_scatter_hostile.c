/* Scatter files: hostile and broken input fails with the line and offset; validation findings carry
 * line numbers and partition names; images next to the scatter are compared with their partitions. */
#include "scatter_test.h"

/* ---------------------------------------------------------------------------------------------- */
/* Hostile and broken input                                                                        */

static void garbage_and_broken_lines_name_line_and_offset(void **state)
{
	(void)state;
	struct unifw_error err;
	char buf[1024];
	/* A line that is neither a comment nor "key: value" in a V1 file. */
	const char *t1 = "- general: MTK_PLATFORM_CFG\n  info:\n- partition_index: SYS0\n  partition_name: A\nhello world\n";
	assert_int_equal(parse_err(t1, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, (uint64_t)(strstr(t1, "hello") - t1));
	assert_non_null(strstr(err.msg, "line 5"));
	assert_non_null(strstr(err.msg, "hello world"));
	assert_string_equal(err.where, "bad.txt");
	/* Binary data */
	char bin[] = "PRELOADER 0x0\nMBR 0x6\0\0\x01";
	struct unifw_scatter sc;
	memset(&err, 0, sizeof err);
	assert_int_equal(unifw_scatter_parse(bin, sizeof bin - 1, "bin", &sc, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 21);
	/* Flat garbage: three tokens, a name without address */
	assert_int_equal(parse_err("PRELOADER 0x0\nMBR 0x600000 extra\n", &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_int_equal(err.offset, 14);
	assert_int_equal(parse_err("PRELOADER 0x0\nMBR\n", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("PRELOADER zero\n", &err), UNIFW_E_FORMAT);
	/* Braces: unclosed, stray, nested, content inside */
	assert_int_equal(parse_err("PRELOADER 0x0\n{\n}\nMBR 0x600000\n{\n", &err), UNIFW_E_TRUNCATED);
	assert_non_null(strstr(err.msg, "line 5"));
	assert_int_equal(parse_err("PRELOADER 0x0\n{\n}\n}\n", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("PRELOADER 0x0\n{\n{\n", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("{\n}\n", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("PRELOADER 0x0\n{\nsize = 4\n}\n", &err), UNIFW_E_UNSUPPORTED);
	/* Nothing at all */
	assert_int_equal(parse_err("", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("# only a comment\n\n", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("- general: MTK_PLATFORM_CFG\n  info:\n    - platform: MT6572\n", &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "no"));
	(void)buf;
}

static void bad_values_name_the_key_and_line(void **state)
{
	(void)state;
	struct unifw_error err;
	/* 2^64: one more than fits */
	assert_int_equal(parse_err("- partition_index: SYS0\n  partition_size: 0x10000000000000000\n", &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "partition_size"));
	assert_int_equal(err.offset, 24);
	assert_int_equal(parse_err("- partition_index: SYS0\n  linear_start_addr: 99999999999999999999999\n", &err),
			 UNIFW_E_FORMAT);
	assert_int_equal(parse_err("- partition_index: SYS0\n  linear_start_addr: 0x\n", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("- partition_index: SYS0\n  is_download: maybe\n", &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "true or false"));
	assert_int_equal(parse_err("- partition_index: PART0\n", &err), UNIFW_E_FORMAT);
	assert_int_equal(parse_err("- partition_index: SYS0\n  partition_name: A\n  partition_name: B\n", &err),
			 UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "line 3"));
	assert_non_null(strstr(err.msg, "twice"));
	/* Names longer than the model holds */
	char t[512];
	snprintf(t, sizeof t, "- partition_index: SYS0\n  partition_name: %0100d\n", 7);
	assert_int_equal(parse_err(t, &err), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "partition_name"));
	/* 0xFFFFFFFFFFFFFFFF fits in 64 bits: parsed, then reported by validation with its line. */
	const char *huge = "- partition_index: SYS0\n  partition_name: PRELOADER\n  linear_start_addr: 0x0\n"
			   "  partition_size: 0x600000\n\n- partition_index: SYS1\n  partition_name: MBR\n"
			   "  linear_start_addr: 0x600000\n  partition_size: 0xFFFFFFFFFFFFFFFF\n";
	struct unifw_scatter sc;
	struct unifw_findings f;
	parse_text(huge, strlen(huge), &sc);
	assert_int_equal(part(&sc, "MBR")->size, UINT64_MAX);
	validate(&sc, NULL, &f);
	const struct unifw_finding *x = find_code(&f, "size-overflow", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_int_equal(x->line, 6);
	assert_string_equal(x->partition, "MBR");
	unifw_findings_free(&f);
	unifw_scatter_free(&sc);
}

static void limits_refuse_oversized_input(void **state)
{
	(void)state;
	struct unifw_error err = {0};
	struct unifw_scatter sc;
	/* 257 partitions */
	size_t cap = 300 * 32, len = 0;
	char *t = malloc(cap);
	for (int i = 0; i < 257; i++)
		len += (size_t)snprintf(t + len, cap - len, "P%d 0x%x\n", i, i * 0x20000);
	assert_int_equal(unifw_scatter_parse(t, len, "many", &sc, &err), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "line 257"));
	/* 256 is fine */
	len -= strlen(strrchr(t, 'P'));
	assert_int_equal(unifw_scatter_parse(t, len, "many", &sc, &err), 0);
	assert_int_equal(sc.count, 256);
	unifw_scatter_free(&sc);
	free(t);
	/* More than 1 MiB of text (comments) */
	size_t big = UNIFW_SCATTER_MAX_FILE + 1;
	t = malloc(big);
	memset(t, '#', big);
	assert_int_equal(unifw_scatter_parse(t, big, "big", &sc, &err), UNIFW_E_TOO_BIG);
	free(t);
	/* Too many unknown keys in one entry */
	char u[4096];
	len = (size_t)snprintf(u, sizeof u, "- partition_index: SYS0\n");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(u + len, sizeof u - len, "  k%d: v\n", i);
	assert_int_equal(unifw_scatter_parse(u, len, "keys", &sc, &err), UNIFW_E_TOO_BIG);
}

static void truncated_entry_reports_missing_keys(void **state)
{
	(void)state;
	struct unifw_scatter sc, cut;
	size_t len;
	load_rel("scatter/mt6572_pe900s.txt", &sc);
	char *text = write_text(&sc, UNIFW_SCATTER_V1, &len);
	/* Cut the file right after the last entry's linear_start_addr line. */
	char *last = strstr(text, "partition_name: BMTPOOL");
	char *cutat = strchr(strstr(last, "linear_start_addr"), '\n') + 1;
	parse_text(text, (size_t)(cutat - text), &cut);
	assert_int_equal(cut.count, sc.count);
	struct unifw_findings f;
	validate(&cut, NULL, &f);
	const struct unifw_finding *x = find_code(&f, "missing-key", UNIFW_SEV_WARNING);
	assert_non_null(x);
	assert_string_equal(x->partition, "BMTPOOL");
	assert_int_equal(x->line, line_of(text, "partition_index: SYS19"));
	assert_non_null(strstr(x->msg, "partition_size"));
	/* Its size comes from the 0xFFFF00a8 block count, said so. */
	assert_true(part(&cut, "BMTPOOL")->size_derived);
	assert_int_equal(part(&cut, "BMTPOOL")->size, 0x1500000);
	unifw_findings_free(&f);
	unifw_scatter_free(&cut);
	/* Cut inside a key: a format error on that line. */
	char *mid = strstr(last, "physical_start") + 5;
	struct unifw_error err = {0};
	assert_int_equal(unifw_scatter_parse(text, (size_t)(mid - text), "cut", &cut, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, (uint64_t)(strstr(last, "physical_start") - 2 - text));
	/* An entry with no linear_start_addr is an error: its place is unknown. */
	char *lin = strstr(last, "  linear_start_addr");
	memcpy(lin, "  xlinear_start_add", 19);
	parse_text(text, len, &cut);
	validate(&cut, NULL, &f);
	x = find_code(&f, "missing-key", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "BMTPOOL");
	assert_non_null(find_code(&f, "unknown-key", UNIFW_SEV_INFO));
	unifw_findings_free(&f);
	unifw_scatter_free(&cut);
	free(text);
	unifw_scatter_free(&sc);
}

static void overlaps_duplicates_and_order_are_found(void **state)
{
	(void)state;
	struct unifw_scatter sc, back;
	struct unifw_findings f;
	size_t len;
	load_rel("scatter/mt6572_lenovo_a516_S117.txt", &sc);
	part(&sc, "BOOTIMG")->size += 0x100000;              /* runs into RECOVERY */
	snprintf(part(&sc, "MISC")->name, 64, "LOGO");        /* duplicate name */
	part(&sc, "EXPDB")->linear_start = 0x3000000;         /* before LOGO, out of order, and overlapping */
	part(&sc, "UBOOT")->size -= 0x100;                    /* off the 512-byte sector */
	snprintf(part(&sc, "PRELOADER")->region, 32, "EMMC_USER");
	part(&sc, "SECCFG")->name[0] = '\0';
	/* Build the fixture with the writer so that line numbers are real. */
	char *text = write_text(&sc, UNIFW_SCATTER_V1, &len);
	parse_text(text, len, &back);
	validate(&back, NULL, &f);
	const struct unifw_finding *x = find_code(&f, "overlap", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "RECOVERY");
	assert_int_equal(x->line, line_of(text, "partition_name: RECOVERY") - 1);
	assert_non_null(strstr(x->msg, "BOOTIMG"));
	x = find_code(&f, "duplicate-name", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "LOGO");
	x = find_code(&f, "order", UNIFW_SEV_WARNING);
	assert_non_null(x);
	assert_string_equal(x->partition, "EXPDB");
	x = find_code(&f, "align", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "UBOOT");
	x = find_code(&f, "region", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "PRELOADER");
	assert_non_null(strstr(x->msg, "EMMC_BOOT_1"));
	x = find_code(&f, "empty-name", UNIFW_SEV_WARNING);
	assert_non_null(x);
	assert_non_null(strstr(x->msg, "SYS7"));
	unifw_findings_free(&f);
	unifw_scatter_free(&back);
	free(text);
	unifw_scatter_free(&sc);
}

/* ---------------------------------------------------------------------------------------------- */
/* Images next to the scatter                                                                      */

static void write_image(const char *dir, const char *name, size_t size)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	char *b = calloc(1, size ? size : 1);
	test_write_file(path, b, size);
	free(b);
}

static void images_are_compared_with_partitions(void **state)
{
	(void)state;
	struct unifw_scatter sc;
	struct unifw_findings f;
	load_rel("scatter/mt6572_lenovo_a516_S117.txt", &sc);
	char *dir = test_mkdtemp();
	/* BOOTIMG is 0x600000: one byte more is refused, like SP Flash Tool. */
	write_image(dir, part(&sc, "BOOTIMG")->file_name, 0x600001);
	write_image(dir, part(&sc, "RECOVERY")->file_name, 0x600000); /* exactly full: fine */
	char upper[256];
	snprintf(upper, sizeof upper, "%s", part(&sc, "UBOOT")->file_name);
	for (char *c = upper; *c; c++)
		*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
	write_image(dir, upper, 1000); /* LK.BIN: a Windows-made package */
	snprintf(part(&sc, "LOGO")->file_name, 256, "../../etc/passwd");
	struct unifw_scatter_check chk = {.image_dir = dir};
	validate(&sc, &chk, &f);
	const struct unifw_finding *x = find_code(&f, "image-too-big", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "BOOTIMG");
	assert_int_equal(x->line, part(&sc, "BOOTIMG")->line);
	assert_non_null(strstr(x->msg, "larger than the partition"));
	assert_non_null(strstr(x->msg, "by 1 bytes"));
	assert_non_null(strstr(x->msg, "RECOVERY")); /* what a forced write would overwrite */
	for (size_t i = 0; i < f.count; i++)
		if (!strcmp(f.items[i].code, "image-too-big"))
			assert_string_equal(f.items[i].partition, "BOOTIMG");
	x = find_code(&f, "image-case", UNIFW_SEV_INFO);
	assert_non_null(x);
	assert_string_equal(x->partition, "UBOOT");
	x = find_code(&f, "unsafe-file-name", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "LOGO");
	x = find_code(&f, "image-missing", UNIFW_SEV_WARNING);
	assert_non_null(x); /* system.img etc. are not there */
	assert_null(find_code(&f, "image-missing", UNIFW_SEV_ERROR));
	/* Non-download partitions (NVRAM...) are not looked for. */
	for (size_t i = 0; i < f.count; i++)
		if (!strcmp(f.items[i].code, "image-missing"))
			assert_true(unifw_scatter_find(&sc, f.items[i].partition)->is_download);
	unifw_findings_free(&f);
	test_rmtree(dir);
	free(dir);
	unifw_scatter_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(garbage_and_broken_lines_name_line_and_offset),
		cmocka_unit_test(bad_values_name_the_key_and_line),
		cmocka_unit_test(limits_refuse_oversized_input),
		cmocka_unit_test(truncated_entry_reports_missing_keys),
		cmocka_unit_test(overlaps_duplicates_and_order_are_found),
		cmocka_unit_test(images_are_compared_with_partitions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
