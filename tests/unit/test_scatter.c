/* Scatter files: every corpus file parses, validates (errors only where the file is really wrong),
 * and matches the facts the corpus README table and PROVENANCE.tsv state about it; the describe has the
 * documented keys and the probe knows scatter text by content. Round trips are in test_scatter_write.c,
 * hostile input and images next to the file in test_scatter_hostile.c. */
#include "scatter_test.h"

/* ---------------------------------------------------------------------------------------------- */
/* Corpus: parse and validate everything                                                           */

/* The one corpus file with real errors. Accu-Chek's scatter was written by a readback tool that appended a
 * nameless SYS20 entry at linear 0x0 with size 0x1500000: that range lies on the boot region and on MBR,
 * EBR1, PRO_INFO and NVRAM. Those are errors in the file, not in the parser. */
static void accuchek_errors_are_the_bogus_trailing_entry(const struct unifw_findings *f, const char *text)
{
	unsigned sys20 = line_of(text, "partition_index: SYS20");
	size_t errors = 0;
	for (size_t i = 0; i < f->count; i++) {
		const struct unifw_finding *x = &f->items[i];
		if (x->severity != UNIFW_SEV_ERROR)
			continue;
		errors++;
		assert_int_equal(x->line, sys20);
		assert_true(!strcmp(x->code, "overlap") || !strcmp(x->code, "in-boot-region"));
	}
	assert_int_equal(errors, 2);
	assert_non_null(find_code(f, "empty-name", UNIFW_SEV_WARNING));
	/* Its BMTPOOL at 0xFFFF0000 claims 0 blocks from the end but 21 MiB: inconsistent, reported. */
	assert_non_null(find_code(f, "from-end-size", UNIFW_SEV_WARNING));
	/* "BOOTLOADER" instead of ptgen's "BOOTLOADERS" (docs/format-scatter.md: third-party variants). */
	assert_non_null(find_code(f, "operation-type", UNIFW_SEV_WARNING));
}

static void every_corpus_file_parses_and_validates(void **state)
{
	(void)state;
	size_t n;
	char **list = corpus_list("scatter", &n);
	assert_int_equal(n, 25); /* the corpus README lists 25 scatter files */
	for (size_t i = 0; i < n; i++) {
		struct unifw_scatter sc;
		struct unifw_findings f;
		size_t len;
		char *text = (char *)corpus_read(list[i], &len);
		load_rel(list[i], &sc);
		assert_true(sc.count > 10);
		validate(&sc, NULL, &f);
		for (size_t k = 0; k < sc.count; k++)
			assert_true(sc.parts[k].line > 0 && sc.parts[k].line < 600);
		if (strstr(list[i], "accuchek")) {
			accuchek_errors_are_the_bogus_trailing_entry(&f, text);
		} else if (unifw_findings_count(&f, UNIFW_SEV_ERROR)) {
			dump_findings(list[i], &f, UNIFW_SEV_ERROR);
			fail_msg("%s: unexpected errors", list[i]);
		}
		/* Contrast chips are flagged; MT6572 files are not. */
		bool contrast = strncmp(base_name(list[i]), "mt6572_", 7) != 0;
		bool states_platform = sc.info_keys & (1u << UNIFW_SCATTER_I_PLATFORM);
		assert_int_equal(find_code(&f, "platform", UNIFW_SEV_WARNING) != NULL, contrast && states_platform);
		unifw_findings_free(&f);
		unifw_scatter_free(&sc);
		free(text);
	}
	test_free_list(list, n);
}

/* ---------------------------------------------------------------------------------------------- */
/* Corpus: facts from the README "Partition layout variation" table                                */

static char *readme_table(void)
{
	size_t len;
	char *readme = (char *)corpus_read("README.md", &len);
	char *start = strstr(readme, "## Partition layout variation");
	assert_non_null(start);
	start = strstr(start, "```");
	assert_non_null(start);
	start = strchr(start, '\n') + 1;
	char *end = strstr(start, "```");
	assert_non_null(end);
	char *table = strndup(start, (size_t)(end - start));
	free(readme);
	return table;
}

static uint64_t hexval(const char *s)
{
	return strtoull(s, NULL, 16);
}

/* The README column holds the size of the partition with this name (case-insensitively, as the table's
 * MT6580 row shows); ANDROID is SYSTEM where a vendor renamed it (OPi, PROVENANCE). */
static void check_size_column(const char *file, struct unifw_scatter *sc, const char *col, const char *val)
{
	if (!strcmp(val, "-"))
		return;
	const struct unifw_scatter_part *p = unifw_scatter_find(sc, col);
	if (!p && !strcmp(col, "ANDROID"))
		p = unifw_scatter_find(sc, "SYSTEM");
	if (!p)
		fail_msg("%s: README gives %s=%s but there is no such partition", file, col, val);
	if (p->size != hexval(val))
		fail_msg("%s: %s size 0x%llx, README says %s", file, col, (unsigned long long)p->size, val);
}

static void check_table_row(char **tok, size_t nt, const char *rel)
{
	struct unifw_scatter sc;
	load_rel(rel, &sc);
	const char *fmt = tok[1];
	enum unifw_scatter_dialect want = !strcmp(fmt, "yaml") ? UNIFW_SCATTER_V1
					  : !strcmp(fmt, "flat") ? UNIFW_SCATTER_FLAT : UNIFW_SCATTER_BRACES;
	assert_true(!strcmp(fmt, "yaml") || !strcmp(fmt, "flat") || !strcmp(fmt, "braces"));
	assert_int_equal(sc.dialect, want);
	assert_string_equal(sc.storage, tok[2]);
	if (strcmp(tok[3], "-")) {
		/* boot-rgn: where the user area starts (MBR) on eMMC; on NAND the table gives PRELOADER's extent. */
		if (!strcmp(tok[2], "NAND"))
			assert_int_equal(part(&sc, "PRELOADER")->size, hexval(tok[3]));
		else
			assert_int_equal(unifw_scatter_boot_region(&sc), hexval(tok[3]));
	}
	check_size_column(rel, &sc, "UBOOT", tok[4]);
	check_size_column(rel, &sc, "BOOTIMG", tok[5]);
	check_size_column(rel, &sc, "RECOVERY", tok[6]);
	check_size_column(rel, &sc, "ANDROID", tok[7]);
	for (size_t k = 8; k < nt; k++)
		if (!unifw_scatter_find(&sc, tok[k]))
			fail_msg("%s: README lists partition %s, not found", rel, tok[k]);
	unifw_scatter_free(&sc);
}

static void corpus_matches_readme_layout_table(void **state)
{
	(void)state;
	size_t n, rows = 0;
	char **list = corpus_list("scatter", &n);
	bool *seen = calloc(n, sizeof *seen);
	char *table = readme_table(), *save = NULL;
	for (char *line = strtok_r(table, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tok[32], *s2 = NULL;
		size_t nt = 0;
		for (char *t = strtok_r(line, " \t", &s2); t && nt < 32; t = strtok_r(NULL, " \t", &s2))
			tok[nt++] = t;
		if (nt < 8 || !strcmp(tok[0], "file"))
			continue;
		/* The table truncates long names ("..._lca_nand.tx"): match by prefix, exactly one file. */
		size_t hit = n;
		for (size_t i = 0; i < n; i++)
			if (!strncmp(base_name(list[i]), tok[0], strlen(tok[0]))) {
				assert_int_equal(hit, n);
				hit = i;
			}
		if (hit == n)
			fail_msg("README row %s matches no corpus file", tok[0]);
		seen[hit] = true;
		rows++;
		check_table_row(tok, nt, list[hit]);
	}
	assert_int_equal(rows, n);
	for (size_t i = 0; i < n; i++)
		assert_true(seen[i]);
	free(seen);
	free(table);
	test_free_list(list, n);
}

/* ---------------------------------------------------------------------------------------------- */
/* Corpus: facts from the PROVENANCE.tsv descriptions                                              */

/* Last matched capture group of `re` (extended, case-insensitive) in s, into buf; false if no match. */
static bool grab(const char *s, const char *re, char *buf, size_t n)
{
	regex_t rx;
	regmatch_t m[4];
	assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_ICASE), 0);
	bool ok = regexec(&rx, s, 4, m, 0) == 0;
	if (ok) {
		int at = 3;
		while (at > 0 && m[at].rm_so < 0)
			at--;
		snprintf(buf, n, "%.*s", (int)(m[at].rm_eo - m[at].rm_so), s + m[at].rm_so);
	}
	regfree(&rx);
	return ok;
}

static bool has_index_gap(const struct unifw_scatter *sc)
{
	for (size_t i = 1; i < sc->count; i++)
		if (sc->parts[i].index > sc->parts[i - 1].index + 1)
			return true;
	return false;
}

static size_t check_provenance_row(const char *rel, const char *d)
{
	struct unifw_scatter sc;
	char v[64];
	size_t facts = 0;
	load_rel(rel, &sc);
	if (grab(d, "([0-9]+) entries", v, sizeof v) && ++facts)
		assert_int_equal(sc.count, strtoul(v, NULL, 10));
	if (grab(d, "(V1\\.1\\.[0-9])", v, sizeof v) && ++facts)
		assert_string_equal(sc.config_version, v);
	if (sc.dialect == UNIFW_SCATTER_V1 && ++facts) {
		char plat[16];
		snprintf(plat, sizeof plat, "%.6s", base_name(rel));
		for (char *c = plat; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		assert_string_equal(sc.platform, plat); /* file names start with the chip: mt6572_... */
		if (grab(d, "project ([A-Za-z0-9_]+)", v, sizeof v) && ++facts)
			assert_string_equal(sc.project, v);
	}
	if (grab(d, "block_size (0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(sc.block_size, hexval(v));
	if (strstr(d, "UBI_IMG") && ++facts) {
		bool ubi = false;
		for (size_t i = 0; i < sc.count; i++)
			ubi |= !strcmp(sc.parts[i].type, "UBI_IMG");
		assert_true(ubi);
	}
	if (grab(d, "BMTPOOL (at )?(0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "BMTPOOL")->linear_start, hexval(v));
	if (grab(d, "OTP at (0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "OTP")->linear_start, hexval(v));
	if (grab(d, "preloader (region )?(0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "PRELOADER")->size, hexval(v));
	if (grab(d, "MBR (at )?(0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "MBR")->linear_start, hexval(v));
	if (grab(d, "PRO_INFO at (0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "PRO_INFO")->linear_start, hexval(v));
	if (grab(d, "USRDATA size (0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "USRDATA")->size, hexval(v));
	else if (grab(d, "USRDATA (0x[0-9a-f]+)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "USRDATA")->linear_start, hexval(v));
	if (grab(d, "PRELOAD partition \\((0x[0-9a-f]+)\\)", v, sizeof v) && ++facts)
		assert_int_equal(part(&sc, "PRELOAD")->size, hexval(v));
	if (grab(d, "(FAT (partition )?size 0x0)", v, sizeof v) && ++facts) {
		assert_int_equal(part(&sc, "FAT")->size, 0);
		assert_false(part(&sc, "FAT")->size_derived);
	}
	if (strstr(d, "CRLF") && ++facts)
		assert_true(sc.crlf);
	if (strstr(d, "uppercase hex") && ++facts)
		assert_true(sc.hex_upper);
	if (strstr(d, "EMPTY partition_name") && ++facts)
		assert_non_null(unifw_scatter_find(&sc, ""));
	if ((strstr(d, "NON-CONTIGUOUS partition_index") || strstr(d, "partition_index gap")) && ++facts)
		assert_true(has_index_gap(&sc));
	if (strstr(d, "ANDROID renamed SYSTEM") && ++facts) {
		assert_null(unifw_scatter_find(&sc, "ANDROID"));
		assert_non_null(unifw_scatter_find(&sc, "SYSTEM"));
	}
	if (grab(d, "SYSTEM=([a-z.]+)", v, sizeof v) && ++facts)
		assert_string_equal(part(&sc, "SYSTEM")->file_name, v);
	if ((strstr(d, "no MBR/EBR entries") || strstr(d, "no MBR")) && ++facts)
		assert_null(unifw_scatter_find(&sc, "MBR"));
	if (strstr(d, "__NODL_") && ++facts) {
		assert_int_equal(sc.dialect, UNIFW_SCATTER_BRACES);
		assert_false(part(&sc, "NVRAM")->is_download);
		assert_true(part(&sc, "UBOOT")->is_download);
	}
	if (strstr(d, "non-zero physical_start_addr") && ++facts)
		assert_string_equal(unifw_scatter_physical_convention(&sc), "linear");
	if (strstr(d, "MTK Droid Tools") && ++facts)
		assert_string_equal(unifw_scatter_physical_convention(&sc), "user_offset");
	if (strstr(d, "NAND") && ++facts)
		assert_string_equal(sc.storage, "NAND");
	unifw_scatter_free(&sc);
	return facts;
}

static void corpus_matches_provenance_descriptions(void **state)
{
	(void)state;
	size_t len, rows = 0, facts = 0;
	char *tsv = (char *)corpus_read("PROVENANCE.tsv", &len), *save = NULL;
	for (char *line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "scatter/", 8))
			continue;
		char *col[6] = {0}, *t = line;
		for (int c = 0; c < 6 && (col[c] = strsep(&t, "\t")); c++)
			;
		assert_non_null(col[5]);
		facts += check_provenance_row(col[0], col[5]);
		rows++;
	}
	assert_int_equal(rows, 25);
	print_message("%zu facts from PROVENANCE.tsv checked\n", facts);
	assert_true(facts >= 60); /* the descriptions carry many checkable facts; make sure they were read */
	free(tsv);
}

/* ---------------------------------------------------------------------------------------------- */
/* Corpus: specific facts                                                                          */

static void corpus_addressing_conventions(void **state)
{
	(void)state;
	static const struct { const char *file, *conv; } want[] = {
		{"scatter/mt6572_pe900s.txt", "zero"},                      /* ptgen */
		{"scatter/mt6572_lenovo_a516_S117.txt", "zero"},
		{"scatter/mt6572_orangepi3giot_hexing72_cwet_lca_nand.txt", "zero"},
		{"scatter/mt6572_mobiwire_s10_starshine5.txt", "user_offset"}, /* MTK Droid Tools */
		{"scatter/mt6572_accuchek_solo_rc.txt", "linear"},           /* readback tool */
		{"scatter/mt6592_bq_aquaris_e10_kaito_wifi.txt", "linear"},  /* V1.1.2: physical == linear */
		{"scatter/mt6580_tecno_pop4air_k80hd.txt", "linear"},
		{"scatter/mt6572_pe900s_ota_scatter.txt", "none"},
		{"scatter/mt6589_lenovo_s960_emmc_oldstyle.txt", "none"},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		struct unifw_scatter sc;
		struct unifw_findings f;
		load_rel(want[i].file, &sc);
		assert_string_equal(unifw_scatter_physical_convention(&sc), want[i].conv);
		validate(&sc, NULL, &f);
		const struct unifw_finding *x = find_code(&f, "physical-convention", UNIFW_SEV_INFO);
		if (strcmp(want[i].conv, "none"))
			assert_non_null(x);
		else
			assert_null(x);
		unifw_findings_free(&f);
		unifw_scatter_free(&sc);
	}
	/* Mobiwire: EBR1 L=0x1480000 P=0x80000 (corpus README) */
	struct unifw_scatter sc;
	load_rel("scatter/mt6572_mobiwire_s10_starshine5.txt", &sc);
	assert_int_equal(part(&sc, "EBR1")->linear_start, 0x1480000);
	assert_int_equal(part(&sc, "EBR1")->physical_start, 0x80000);
	assert_int_equal(unifw_scatter_boot_region(&sc), 0x1400000);
	/* One entry switched to "equal to linear": mixed conventions are a warning naming it. */
	part(&sc, "LOGO")->physical_start = part(&sc, "LOGO")->linear_start;
	struct unifw_findings f;
	validate(&sc, NULL, &f);
	const struct unifw_finding *x = find_code(&f, "physical-mixed", UNIFW_SEV_WARNING);
	assert_non_null(x);
	assert_non_null(strstr(x->msg, "LOGO"));
	assert_non_null(strstr(x->msg, "user_offset"));
	assert_string_equal(unifw_scatter_physical_convention(&sc), "mixed");
	unifw_findings_free(&f);
	unifw_scatter_free(&sc);
}

static void corpus_derived_sizes_and_from_end_entries(void **state)
{
	(void)state;
	struct unifw_scatter sc;
	/* Flat: size = next start - this start; the last one cannot be known. */
	load_rel("scatter/mt6572_alcatel_4035_ota_scatter.txt", &sc);
	assert_int_equal(sc.count, 21);
	assert_true(part(&sc, "BOOTIMG")->size_derived);
	assert_int_equal(part(&sc, "BOOTIMG")->size, 0x4180000 - 0x2d80000);
	assert_true(part(&sc, "USRDATA")->size_derived);
	assert_int_equal(part(&sc, "USRDATA")->size, 0);
	assert_int_equal(part(&sc, "USRDATA")->index, -1);
	assert_false(part(&sc, "USRDATA")->keys & K(DOWNLOAD));
	struct unifw_findings f;
	validate(&sc, NULL, &f);
	const struct unifw_finding *x = find_code(&f, "size-unknown", UNIFW_SEV_INFO);
	assert_non_null(x);
	assert_string_equal(x->partition, "USRDATA");
	assert_int_equal(x->line, 21);
	assert_non_null(find_code(&f, "storage-inferred", UNIFW_SEV_INFO));
	unifw_findings_free(&f);
	unifw_scatter_free(&sc);

	/* Braces: __NODL_BMTPOOL 0xFFFF00a8 = 0xa8 blocks of 128 KiB from the end: 21 MiB, derived. */
	load_rel("scatter/mt6589_lenovo_s960_emmc_oldstyle.txt", &sc);
	const struct unifw_scatter_part *bmt = part(&sc, "BMTPOOL");
	assert_true(unifw_scatter_addr_is_from_end(bmt->linear_start));
	assert_false(bmt->is_download);
	assert_true(bmt->size_derived);
	assert_int_equal(bmt->size, 0xa8 * 0x20000);
	assert_int_equal(part(&sc, "RECOVERY")->size, 0xc00000);
	assert_int_equal(part(&sc, "USRDATA")->size, 0); /* ends where BMTPOOL starts: device size unknown */
	unifw_scatter_free(&sc);

	/* Alcatel V1: OTP 0xFFFF0200 ends exactly where BMTPOOL (0xFFFF00a8) starts: consistent. */
	load_rel("scatter/mt6572_alcatel_5036_yarisl.txt", &sc);
	assert_int_equal(part(&sc, "OTP")->size + part(&sc, "BMTPOOL")->size, 0x200 * 0x20000ull);
	validate(&sc, NULL, &f);
	assert_null(find_code(&f, "from-end-size", UNIFW_SEV_WARNING));
	/* With a device size, the regions counted from the end are placed and checked against USRDATA. */
	struct unifw_scatter_check chk = {.device_size = 0x80000000ull}; /* too small: 2 GiB */
	unifw_findings_free(&f);
	validate(&sc, &chk, &f);
	/* USRDATA ends at 0x7c7c0000; OTP+BMTPOOL take the last 0x4000000 bytes from 0x7c000000 on. */
	x = find_code(&f, "overlap", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "USRDATA");
	assert_int_equal(x->line, part(&sc, "USRDATA")->line);
	unifw_findings_free(&f);
	chk.device_size = 0x70000000ull;
	validate(&sc, &chk, &f);
	x = find_code(&f, "exceeds-device", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "USRDATA");
	unifw_findings_free(&f);
	chk.device_size = 0x100000000ull; /* 4 GiB: fits */
	validate(&sc, &chk, &f);
	assert_int_equal(unifw_findings_count(&f, UNIFW_SEV_ERROR), 0);
	unifw_findings_free(&f);
	unifw_scatter_free(&sc);

	/* MT6580: flashinfo 0xFFFF0084 and sgpt 0xFFFF0004 (16 MiB + 512 KiB): chained from the end. */
	load_rel("scatter/mt6580_tecno_pop4air_k80hd.txt", &sc);
	assert_int_equal(part(&sc, "flashinfo")->size, (0x84 - 0x04) * 0x20000);
	assert_int_equal(part(&sc, "sgpt")->size, 0x04 * 0x20000);
	assert_int_equal(unifw_scatter_boot_region(&sc), 0);
	unifw_scatter_free(&sc);
}

static void corpus_nand_and_quirks(void **state)
{
	(void)state;
	struct unifw_scatter sc;
	load_rel("scatter/mt6572_orangepi3giot_hexing72_cwet_lca_nand.txt", &sc);
	assert_string_equal(sc.storage, "NAND");
	assert_false(sc.storage_inferred);
	assert_int_equal(sc.block_size, 0x40000);
	assert_string_equal(sc.boot_channel, "NONE");
	assert_string_equal(part(&sc, "SYSTEM")->type, "UBI_IMG");
	assert_string_equal(part(&sc, "UBOOT")->region, "NONE");
	assert_int_equal(unifw_scatter_boot_region(&sc), 0);
	/* A NAND partition off the 0x40000 erase block is an error (the block size is stated). */
	struct unifw_findings f;
	part(&sc, "LOGO")->linear_start += 0x20000;
	validate(&sc, NULL, &f);
	const struct unifw_finding *x = find_code(&f, "align", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "LOGO");
	unifw_findings_free(&f);
	/* Region other than NONE on NAND, storage key disagreeing with the file's storage. */
	part(&sc, "LOGO")->linear_start -= 0x20000;
	snprintf(part(&sc, "BOOTIMG")->region, 32, "EMMC_USER");
	snprintf(part(&sc, "RECOVERY")->storage, 32, "HW_STORAGE_EMMC");
	validate(&sc, NULL, &f);
	x = find_code(&f, "region", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "BOOTIMG");
	x = find_code(&f, "storage-mismatch", UNIFW_SEV_ERROR);
	assert_non_null(x);
	assert_string_equal(x->partition, "RECOVERY");
	unifw_findings_free(&f);
	unifw_scatter_free(&sc);

	/* Accu-Chek: CRLF, upper-case hex, empty trailing name; lookup finds names case-insensitively too. */
	load_rel("scatter/mt6572_accuchek_solo_rc.txt", &sc);
	assert_true(sc.crlf);
	assert_true(sc.hex_upper);
	assert_int_equal(part(&sc, "preloader")->size, 0xC00000);
	assert_int_equal(sc.parts[sc.count - 1].name[0], '\0');
	unifw_scatter_free(&sc);
}

/* ---------------------------------------------------------------------------------------------- */
/* Describe, probe                                                                                 */

static void describe_gives_the_documented_keys(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = corpus_read("scatter/mt6572_orangepi3giot_hexing72_cwet_lca_nand.txt", &len);
	struct unifw_stream s;
	struct unifw_error err = {0};
	unifw_stream_from_mem(&s, buf, len, "nand.txt");
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_scatter_describe(&s, o, &err), 0);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "scatter");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "dialect")), "v1");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "config_version")), "V1.1.1");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "platform")), "MT6572");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "project")), "hexing72_cwet_lca");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "storage")), "NAND");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "boot_region")), "0x0");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "partition_count")), 17);
	assert_int_equal(unifw_jv_len(unifw_jv_get(o, "partitions")), 17);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "physical_address_convention")), "zero");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.16.name")), "BMTPOOL");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.16.linear")), "0xffff0028");
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "partitions.16.from_end")));
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.16.size")), 0xa00000);
	/* SYS13 was removed by hand: the 14th entry is SYS14 */
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.13.index")), 14);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.name")), "SYSTEM");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.file")), "rootfs.img");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.kind")), "UBI_IMG");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.region")), "NONE");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.operation_type")), "UPDATE");
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "partitions.13.is_download")));
	assert_false(unifw_jv_truthy(unifw_jv_path(o, "partitions.13.size_derived")));
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.0.line")), 19);
	assert_true(unifw_jv_len(unifw_jv_get(o, "findings")) > 0);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "findings.0.severity")), "info");
	unifw_jv_free(o);
	unifw_stream_close(&s);
	free(buf);

	/* Flat: what the file does not say is null, not made up. */
	buf = corpus_read("scatter/mt6572_huawei_y600_ota_scatter.txt", &len);
	unifw_stream_from_mem(&s, buf, len, "ota.txt");
	o = unifw_jv_object();
	assert_int_equal(unifw_scatter_describe(&s, o, &err), 0);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "dialect")), "flat");
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "config_version")), UNIFW_JV_NULL);
	assert_int_equal(unifw_jv_type(unifw_jv_path(o, "partitions.3.file")), UNIFW_JV_NULL);
	assert_int_equal(unifw_jv_type(unifw_jv_path(o, "partitions.3.index")), UNIFW_JV_NULL);
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "partitions.3.size_derived")));
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "storage_inferred")));
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "boot_region")), "0xc00000");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "physical_address_convention")), "none");
	unifw_jv_free(o);
	unifw_stream_close(&s);
	free(buf);
}

static void probe_knows_scatter_text_by_content(void **state)
{
	(void)state;
	size_t n, len;
	char **list = corpus_list("scatter", &n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *b = corpus_read(list[i], &len);
		if (!unifw_scatter_probe(b, len, len))
			fail_msg("%s not recognised", list[i]);
		/* the head of a file whose size is not known (cut mid-line) still works */
		assert_true(unifw_scatter_probe(b, len > 1024 ? 1024 : len, UNIFW_SIZE_UNKNOWN));
		free(b);
	}
	test_free_list(list, n);
	/* Other text and binaries of the corpus are not scatter files. */
	static const char *const others[] = {"deviceinfo", "ptable", "names", "misc", "lk", "bootimg", "logo"};
	size_t checked = 0;
	for (size_t d = 0; d < sizeof others / sizeof *others; d++) {
		list = corpus_list(others[d], &n);
		for (size_t i = 0; i < n; i++) {
			uint8_t *b = corpus_read(list[i], &len);
			size_t head = len < 65536 ? len : 65536;
			if (unifw_scatter_probe(b, head, len))
				fail_msg("%s taken for a scatter file", list[i]);
			checked++;
			free(b);
		}
		test_free_list(list, n);
	}
	assert_true(checked > 40);
	assert_false(unifw_scatter_probe((const uint8_t *)"PRELOADER 0x0\n", 14, 14)); /* one line is not enough */
	assert_false(unifw_scatter_probe((const uint8_t *)"", 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_file_parses_and_validates),
		cmocka_unit_test(corpus_matches_readme_layout_table),
		cmocka_unit_test(corpus_matches_provenance_descriptions),
		cmocka_unit_test(corpus_addressing_conventions),
		cmocka_unit_test(corpus_derived_sizes_and_from_end_entries),
		cmocka_unit_test(corpus_nand_and_quirks),
		cmocka_unit_test(describe_gives_the_documented_keys),
		cmocka_unit_test(probe_knows_scatter_text_by_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
