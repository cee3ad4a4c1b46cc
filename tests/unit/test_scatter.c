/* Scatter files: every corpus file parses, validates (errors only where the file is really wrong),
 * matches the facts the corpus README table and PROVENANCE.tsv state about it, and round-trips through
 * the V1 and flat writers; ptgen-written V1 files come back byte for byte. Hostile inputs fail with the
 * line and offset; validation findings carry line numbers and partition names. */
#include "testutil.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/scatter.h"

#define K(k) (1u << UNIFW_SCATTER_K_##k)

/* ---------------------------------------------------------------------------------------------- */
/* Helpers                                                                                         */

static const char *base_name(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? s + 1 : rel;
}

static void load_rel(const char *rel, struct unifw_scatter *sc)
{
	struct unifw_error err = {0};
	char buf[1024];
	if (unifw_scatter_load(corpus_path(rel), sc, &err))
		fail_msg("%s: %s", rel, unifw_error_format(&err, buf, sizeof buf));
}

static void parse_text(const char *text, size_t len, struct unifw_scatter *sc)
{
	struct unifw_error err = {0};
	char buf[1024];
	if (unifw_scatter_parse(text, len, "fixture", sc, &err))
		fail_msg("fixture: %s", unifw_error_format(&err, buf, sizeof buf));
}

static int parse_err(const char *text, struct unifw_error *err)
{
	struct unifw_scatter sc;
	memset(err, 0, sizeof *err);
	int rc = unifw_scatter_parse(text, strlen(text), "bad.txt", &sc, err);
	if (rc == 0)
		unifw_scatter_free(&sc);
	return rc;
}

static char *write_text(const struct unifw_scatter *sc, enum unifw_scatter_dialect d, size_t *len)
{
	struct unifw_error err = {0};
	char buf[1024], *text;
	if (unifw_scatter_write(sc, d, &text, len, &err))
		fail_msg("write %s: %s", unifw_scatter_dialect_name(d), unifw_error_format(&err, buf, sizeof buf));
	return text;
}

static void validate(const struct unifw_scatter *sc, const struct unifw_scatter_check *chk, struct unifw_findings *f)
{
	struct unifw_error err = {0};
	memset(f, 0, sizeof *f);
	assert_int_equal(unifw_scatter_validate(sc, "t.txt", chk, f, &err), 0);
}

static const struct unifw_finding *find_code(const struct unifw_findings *f, const char *code,
					     enum unifw_severity sev)
{
	for (size_t i = 0; i < f->count; i++)
		if (!strcmp(f->items[i].code, code) && f->items[i].severity == sev)
			return &f->items[i];
	return NULL;
}

static void dump_findings(const char *name, const struct unifw_findings *f, enum unifw_severity min)
{
	for (size_t i = 0; i < f->count; i++)
		if (f->items[i].severity >= min)
			print_message("%s:%u: %s %s: %s\n", name, f->items[i].line, unifw_severity_name(f->items[i].severity),
				      f->items[i].code, f->items[i].msg);
}

static struct unifw_scatter_part *part(struct unifw_scatter *sc, const char *name)
{
	const struct unifw_scatter_part *p = unifw_scatter_find(sc, name);
	if (!p)
		fail_msg("no partition %s", name);
	return (struct unifw_scatter_part *)p;
}

/* Line (1-based) of the first occurrence of `needle` in text. */
static unsigned line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	unsigned n = 1;
	assert_non_null(p);
	for (const char *c = text; c < p; c++)
		n += *c == '\n';
	return n;
}

/* ---------------------------------------------------------------------------------------------- */
/* Model comparison                                                                                */

enum cmp_mode {
	CMP_ALL,     /* V1 round trip: every field the model holds */
	CMP_FLAT,    /* flat round trip: what the flat form carries (names, starts, layout details) */
	CMP_BRACES,  /* braces: flat + the download flag */
};

static void cmp_kv(const char *what, const struct unifw_scatter_kv *a, size_t na, const struct unifw_scatter_kv *b,
		   size_t nb)
{
	if (na != nb)
		fail_msg("%s: %zu unknown keys vs %zu", what, na, nb);
	for (size_t i = 0; i < na; i++) {
		if (strcmp(a[i].key, b[i].key) || strcmp(a[i].value, b[i].value) || a[i].after != b[i].after)
			fail_msg("%s: unknown key %zu: %s=%s@%d vs %s=%s@%d", what, i, a[i].key, a[i].value, a[i].after,
				 b[i].key, b[i].value, b[i].after);
	}
}

#define CMP_FIELD_STR(f)                                                                                  \
	do {                                                                                              \
		if (strcmp(a->f, b->f))                                                                   \
			fail_msg("%s entry %zu: " #f " '%s' vs '%s'", what, i, a->f, b->f);               \
	} while (0)
#define CMP_FIELD_NUM(f)                                                                                  \
	do {                                                                                              \
		if (a->f != b->f)                                                                         \
			fail_msg("%s entry %zu: " #f " 0x%llx vs 0x%llx", what, i, (unsigned long long)a->f,     \
				 (unsigned long long)b->f);                                               \
	} while (0)

static void cmp_part(const char *what, size_t i, const struct unifw_scatter_part *a, const struct unifw_scatter_part *b,
		     enum cmp_mode mode)
{
	CMP_FIELD_STR(name);
	CMP_FIELD_NUM(linear_start);
	if (mode == CMP_BRACES && (a->keys & K(DOWNLOAD)))
		CMP_FIELD_NUM(is_download);
	if (mode != CMP_ALL)
		return;
	/* A size the parser computed is written out, so the SIZE bit may appear; nothing else may change. */
	if ((a->keys | K(SIZE)) != (b->keys | K(SIZE)))
		fail_msg("%s entry %zu: keys 0x%x vs 0x%x", what, i, a->keys, b->keys);
	CMP_FIELD_NUM(index);
	CMP_FIELD_STR(file_name);
	CMP_FIELD_NUM(is_download);
	CMP_FIELD_STR(type);
	CMP_FIELD_NUM(physical_start);
	CMP_FIELD_NUM(size);
	if (a->size == 0)
		CMP_FIELD_NUM(size_derived); /* "unknown" must stay unknown */
	CMP_FIELD_STR(region);
	CMP_FIELD_STR(storage);
	CMP_FIELD_NUM(boundary_check);
	CMP_FIELD_NUM(is_reserved);
	CMP_FIELD_STR(operation_type);
	CMP_FIELD_NUM(reserve);
	cmp_kv(what, a->extra, a->extra_count, b->extra, b->extra_count);
}

static void cmp_model(const char *what, const struct unifw_scatter *a, const struct unifw_scatter *b, enum cmp_mode mode)
{
	size_t i = 0;
	if (a->count != b->count)
		fail_msg("%s: %zu entries vs %zu", what, a->count, b->count);
	CMP_FIELD_NUM(crlf);
	CMP_FIELD_NUM(utf8_bom);
	CMP_FIELD_NUM(extra_blank_lines);
	CMP_FIELD_STR(storage);
	if (mode == CMP_ALL) {
		CMP_FIELD_NUM(info_keys);
		CMP_FIELD_STR(config_version);
		CMP_FIELD_STR(platform);
		CMP_FIELD_STR(project);
		CMP_FIELD_STR(boot_channel);
		CMP_FIELD_NUM(block_size);
		CMP_FIELD_NUM(storage_inferred);
		CMP_FIELD_NUM(hex_upper);
		CMP_FIELD_NUM(header_compact);
		CMP_FIELD_NUM(info_compact);
		cmp_kv(what, a->info_extra, a->info_extra_count, b->info_extra, b->info_extra_count);
	}
	for (i = 0; i < a->count; i++)
		cmp_part(what, i, &a->parts[i], &b->parts[i], mode);
}

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
	/* "BOOTLOADER" instead of ptgen's "BOOTLOADERS" (formats.md: third-party variants). */
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
/* Round trips                                                                                     */

/* Corpus V1 files that are not byte-exact after a rewrite, and why (everything else must be):
 *  - wiko: hand-edited, upper- and lower-case hex mixed in one file (0x3B80000 next to 0xc00000);
 *  - OPi NAND: hand-edited, a second blank line left where SYS13 was removed (PROVENANCE). */
static bool v1_hand_edited(const char *rel)
{
	return strstr(rel, "wiko_sunset2") || strstr(rel, "cwet_lca_nand");
}

static void round_trip_one(const char *rel, enum unifw_scatter_dialect to, enum cmp_mode mode, size_t *exact)
{
	struct unifw_scatter a, b;
	size_t len, olen;
	char what[256];
	load_rel(rel, &a);
	char *text = write_text(&a, to, &len);
	parse_text(text, len, &b);
	assert_int_equal(b.dialect, to);
	snprintf(what, sizeof what, "%s -> %s", rel, unifw_scatter_dialect_name(to));
	cmp_model(what, &a, &b, mode);
	uint8_t *orig = corpus_read(rel, &olen);
	bool same = olen == len && !memcmp(orig, text, len);
	if (a.dialect == to) {
		bool must = !(to == UNIFW_SCATTER_V1 && v1_hand_edited(rel));
		if (must && !same)
			fail_msg("%s: rewriting in its own dialect is not byte-exact", rel);
		*exact += same;
	}
	/* A second trip is stable: writing the re-read model gives the same text. */
	size_t len2;
	char *text2 = write_text(&b, to, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(text2, text, len);
	free(text2);
	free(orig);
	free(text);
	unifw_scatter_free(&a);
	unifw_scatter_free(&b);
}

static void every_corpus_file_round_trips(void **state)
{
	(void)state;
	size_t n, exact = 0;
	char **list = corpus_list("scatter", &n);
	for (size_t i = 0; i < n; i++) {
		round_trip_one(list[i], UNIFW_SCATTER_V1, CMP_ALL, &exact);
		round_trip_one(list[i], UNIFW_SCATTER_FLAT, CMP_FLAT, &exact);
		round_trip_one(list[i], UNIFW_SCATTER_BRACES, CMP_BRACES, &exact);
	}
	/* 12 V1 (10 exact), 12 flat, 1 braces: 23 files come back byte for byte in their own dialect. */
	assert_int_equal(exact, 23);
	test_free_list(list, n);
}

static void ptgen_file_is_reproduced_byte_for_byte(void **state)
{
	(void)state;
	struct unifw_scatter sc;
	size_t olen, len;
	load_rel("scatter/mt6572_pe900s.txt", &sc);
	uint8_t *orig = corpus_read("scatter/mt6572_pe900s.txt", &olen);
	char *text = write_text(&sc, UNIFW_SCATTER_V1, &len);
	assert_int_equal(len, olen);
	assert_memory_equal(text, orig, olen);
	free(text);
	/* unifw_scatter_save writes the same bytes to a file */
	char *dir = test_mkdtemp(), path[4096];
	struct unifw_error err = {0};
	snprintf(path, sizeof path, "%s/out.txt", dir);
	assert_int_equal(unifw_scatter_save(&sc, UNIFW_SCATTER_V1, path, &err), 0);
	uint8_t *saved = test_read_file(path, &len);
	assert_int_equal(len, olen);
	assert_memory_equal(saved, orig, olen);
	free(saved);
	free(orig);
	test_rmtree(dir);
	free(dir);
	unifw_scatter_free(&sc);
}

static void flat_to_v1_writes_only_what_is_known(void **state)
{
	(void)state;
	struct unifw_scatter sc, back;
	size_t len;
	load_rel("scatter/mt6572_bird_a101_ota_scatter.txt", &sc);
	char *text = write_text(&sc, UNIFW_SCATTER_V1, &len);
	/* No invented file names, regions or indexes; computed sizes are written; the unknown last one is not. */
	assert_null(strstr(text, "file_name"));
	assert_null(strstr(text, "region"));
	assert_null(strstr(text, "partition_index"));
	assert_non_null(strstr(text, "- partition_name: PRELOADER\n  linear_start_addr: 0x0\n  partition_size: 0x600000\n"));
	assert_non_null(strstr(text, "- partition_name: FAT\n  linear_start_addr: 0x64b40000\n\n"));
	parse_text(text, len, &back);
	assert_true(part(&back, "FAT")->size_derived);
	assert_int_equal(part(&back, "FAT")->size, 0);
	assert_false(part(&back, "ANDROID")->size_derived);
	assert_int_equal(part(&back, "ANDROID")->size, 0x29540000 - 0x3d40000);
	assert_true(back.storage_inferred);
	free(text);
	unifw_scatter_free(&back);
	unifw_scatter_free(&sc);
}

static void tolerant_syntax_is_accepted(void **state)
{
	(void)state;
	struct unifw_scatter a, b;
	size_t len;
	/* A UTF-8 byte-order mark (files saved by Windows editors) is skipped and written back. */
	uint8_t *orig = corpus_read("scatter/mt6572_pe900s.txt", &len);
	char *bom = malloc(len + 3);
	memcpy(bom, "\xEF\xBB\xBF", 3);
	memcpy(bom + 3, orig, len);
	parse_text((const char *)orig, len, &a);
	parse_text(bom, len + 3, &b);
	assert_true(b.utf8_bom);
	assert_false(a.utf8_bom);
	b.utf8_bom = false;
	cmp_model("bom", &a, &b, CMP_ALL);
	b.utf8_bom = true;
	size_t wlen;
	char *w = write_text(&b, UNIFW_SCATTER_V1, &wlen);
	assert_int_equal(wlen, len + 3);
	assert_memory_equal(w, bom, wlen);
	assert_true(unifw_scatter_probe((const uint8_t *)bom, len + 3, len + 3));
	free(w);
	free(bom);
	free(orig);
	unifw_scatter_free(&a);
	unifw_scatter_free(&b);
	/* No dash before partition_index, tabs, no blank after ':', upper-case booleans, decimal numbers. */
	const char *t = "partition_index: SYS0\n\tpartition_name:PRELOADER\n  is_download: TRUE\n"
			"  linear_start_addr: 0\n  partition_size: 6291456\n"
			"partition_index: SYS1\n  partition_name: MBR\n  linear_start_addr: 0x600000\n";
	parse_text(t, strlen(t), &a);
	assert_int_equal(a.dialect, UNIFW_SCATTER_V1);
	assert_int_equal(a.count, 2);
	assert_string_equal(a.parts[0].name, "PRELOADER");
	assert_true(a.parts[0].is_download);
	assert_int_equal(a.parts[0].size, 0x600000);
	assert_int_equal(a.parts[1].line, 6);
	assert_true(a.parts[1].size_derived);
	unifw_scatter_free(&a);
	/* Unknown keys keep their place: written back right after the key they followed. */
	t = "- partition_index: SYS0\n  partition_name: A\n  d_type: FALSE\n  linear_start_addr: 0x0\n";
	parse_text(t, strlen(t), &a);
	assert_int_equal(a.parts[0].extra_count, 1);
	assert_string_equal(a.parts[0].extra[0].key, "d_type");
	assert_int_equal(a.parts[0].extra[0].after, UNIFW_SCATTER_K_NAME);
	w = write_text(&a, UNIFW_SCATTER_V1, &wlen);
	assert_non_null(strstr(w, "- partition_index: SYS0\n  partition_name: A\n  d_type: FALSE\n  linear_start_addr: 0x0\n"));
	free(w);
	unifw_scatter_free(&a);
}

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
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "boot_region_size")), 0);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "partition_count")), 17);
	assert_int_equal(unifw_jv_len(unifw_jv_get(o, "partitions")), 17);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "physical_address_convention")), "zero");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.16.name")), "BMTPOOL");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.16.linear_start")), "0xffff0028");
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "partitions.16.from_end")));
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.16.size")), 0xa00000);
	/* SYS13 was removed by hand: the 14th entry is SYS14 */
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.13.index")), 14);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.name")), "SYSTEM");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.file_name")), "rootfs.img");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.13.type")), "UBI_IMG");
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
	assert_int_equal(unifw_jv_type(unifw_jv_path(o, "partitions.3.file_name")), UNIFW_JV_NULL);
	assert_int_equal(unifw_jv_type(unifw_jv_path(o, "partitions.3.index")), UNIFW_JV_NULL);
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "partitions.3.size_derived")));
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "storage_inferred")));
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "boot_region_size")), 0xc00000);
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
		cmocka_unit_test(every_corpus_file_round_trips),
		cmocka_unit_test(ptgen_file_is_reproduced_byte_for_byte),
		cmocka_unit_test(flat_to_v1_writes_only_what_is_known),
		cmocka_unit_test(tolerant_syntax_is_accepted),
		cmocka_unit_test(garbage_and_broken_lines_name_line_and_offset),
		cmocka_unit_test(bad_values_name_the_key_and_line),
		cmocka_unit_test(limits_refuse_oversized_input),
		cmocka_unit_test(truncated_entry_reports_missing_keys),
		cmocka_unit_test(overlaps_duplicates_and_order_are_found),
		cmocka_unit_test(images_are_compared_with_partitions),
		cmocka_unit_test(describe_gives_the_documented_keys),
		cmocka_unit_test(probe_knows_scatter_text_by_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
