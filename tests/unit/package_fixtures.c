/* Package fixtures (package_fixtures.h). */
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "package_fixtures.h"
#include "unifw/hash.h"
/* --- fixtures ------------------------------------------------------------------------------------- */

static const struct {
	const char *corpus, *name;
} a516[] = {
	{"scatter/mt6572_lenovo_a516_S117.txt", "MT6572_Android_scatter.txt"},
	{"preloader/mt6572_lenovo_a516_S117_preloader_a516_row.bin", "preloader_a516_row.bin"},
	{"ptable/mt6572_lenovo_a516_MBR.bin", "MBR"},
	{"ptable/mt6572_lenovo_a516_EBR1.bin", "EBR1"},
	{"lk/mt6572_lenovo_a516_S117_lk.bin", "lk.bin"},
	{"logo/mt6572_lenovo_a516_logo.bin", "logo.bin"},
	{"misc/mt6572_lenovo_a516_secro.img", "secro.img"},
};
_Static_assert(sizeof a516 / sizeof *a516 == A516_COUNT, "A516_COUNT counts the table");

size_t a516_members(struct member *m, const char *prefix)
{
	for (size_t i = 0; i < A516_COUNT; i++) {
		snprintf(m[i].name, sizeof m[i].name, "%s%s", prefix, a516[i].name);
		m[i].data = corpus_read(a516[i].corpus, &m[i].len);
	}
	return A516_COUNT;
}

void free_members(struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].data);
}

void write_folder(const char *dir, const struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, m[i].name);
		/* create intermediate directories */
		for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
			*s = 0;
			mkdir(path, 0755);
			*s = '/';
		}
		test_write_file(path, m[i].data, m[i].len);
	}
}

/* format: "zip", "7zip", "pax", "cpio"; filter: NULL or "gzip"; store: zip without compression. */
void write_archive(const char *path, const char *format, const char *filter, bool store,
		   const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_by_name(a, format), ARCHIVE_OK);
	if (filter)
		assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
	if (store)
		assert_int_equal(archive_write_set_options(a, "zip:compression=store"), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (m[i].len)
			assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

struct unifw_package *open_ok(const char *path)
{
	struct unifw_package *p = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	if (unifw_package_open(path, &p, &e) != 0)
		fail_msg("unifw_package_open(%s): %s: offset %llu: %s", path, e.where, (unsigned long long)e.offset, e.msg);
	return p;
}

size_t count_findings(const struct unifw_package *p, const char *code, const char *partition)
{
	size_t n = 0;
	for (size_t i = 0; i < p->findings.count; i++)
		n += !strcmp(p->findings.items[i].code, code) &&
		     (!partition || !strcmp(p->findings.items[i].partition, partition));
	return n;
}

const struct unifw_package_partition *part(const struct unifw_package *p, const char *name)
{
	const struct unifw_package_partition *pp = unifw_package_find(p, name);
	if (!pp)
		fail_msg("partition %s not in the package model", name);
	return pp;
}

void expect_part(const struct unifw_package *p, const char *name, const char *status, const char *type)
{
	const struct unifw_package_partition *pp = part(p, name);
	if (strcmp(pp->status, status))
		fail_msg("%s: status %s, expected %s", name, pp->status, status);
	if (type && (!pp->item || strcmp(pp->item->type, type)))
		fail_msg("%s: image type %s, expected %s", name, pp->item ? pp->item->type : "(none)", type);
}

size_t unifw_test_find(const uint8_t *hay, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = from; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return i;
	return SIZE_MAX;
}

void sha_hex_of(const uint8_t *d, size_t n, char hex[65])
{
	uint8_t sha[32];
	unifw_sha256(d, n, sha);
	unifw_hex(sha, 32, hex);
}

/* The checks every complete A516 fixture must pass, whatever its container. */
void check_a516_model(const struct unifw_package *p, const struct member *m)
{
	assert_int_equal(p->kind, UNIFW_PACKAGE_FIRMWARE);
	assert_non_null(p->chosen);
	assert_string_equal(p->chosen->sc.platform, "MT6572");
	assert_string_equal(p->chosen->sc.project, "a516_row");
	assert_int_equal(p->part_count, 20);
	expect_part(p, "PRELOADER", "ok", "preloader");
	expect_part(p, "MBR", "ok", "mbr");
	expect_part(p, "EBR1", "ok", "ebr");
	expect_part(p, "UBOOT", "ok", "lk");
	expect_part(p, "LOGO", "ok", "logo");
	expect_part(p, "SEC_RO", "ok", "secro");
	expect_part(p, "BOOTIMG", "missing", NULL);
	expect_part(p, "RECOVERY", "missing", NULL);
	expect_part(p, "ANDROID", "missing", NULL);
	expect_part(p, "CACHE", "missing", NULL);
	expect_part(p, "USRDATA", "missing", NULL);
	expect_part(p, "NVRAM", "no_image", NULL);
	/* The five downloadable images the corpus does not have are reported, nothing else is an error. */
	assert_int_equal(count_findings(p, "image-missing", NULL), 5);
	assert_int_equal(count_findings(p, "image-missing", "ANDROID"), 1);
	assert_int_equal(unifw_findings_count(&p->findings, UNIFW_SEV_ERROR), 0);
	/* Sizes and hashes are those of the bytes we put in. */
	for (size_t i = 1; i < A516_COUNT; i++) {
		const struct unifw_package_item *it = NULL;
		for (size_t j = 0; j < p->item_count; j++)
			if (!strcmp(p->items[j].path, m[i].name))
				it = &p->items[j];
		if (!it)
			fail_msg("%s not listed", m[i].name);
		assert_int_equal(it->size, m[i].len);
		assert_true(it->has_sha256);
		char want[65], got[65];
		sha_hex_of(m[i].data, m[i].len, want);
		unifw_hex(it->sha256, 32, got);
		assert_string_equal(got, want);
		assert_true(it->matched);
	}
}
