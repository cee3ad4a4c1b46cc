/* Packages, archives, detection and `unifw info`, on real corpus files.
 * Package fixtures are assembled at test time: the Lenovo A516 scatter (mt6572_lenovo_a516_S117.txt) with
 * the A516 preloader, MBR, EBR1, lk, logo and secro from the corpus, renamed to the scatter's file_name
 * values, as a folder and as archives written with libarchive's own writer (zip, 7z, tar.gz). */
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unifw/archive.h"
#include "unifw/bootimg.h"
#include "unifw/detect.h"
#include "unifw/hash.h"
#include "unifw/info.h"
#include "unifw/package.h"
#include "unifw/sparse.h"

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
#define A516_COUNT (sizeof a516 / sizeof *a516)

struct member {
	char name[256];
	uint8_t *data;
	size_t len;
};

static size_t a516_members(struct member *m, const char *prefix)
{
	for (size_t i = 0; i < A516_COUNT; i++) {
		snprintf(m[i].name, sizeof m[i].name, "%s%s", prefix, a516[i].name);
		m[i].data = corpus_read(a516[i].corpus, &m[i].len);
	}
	return A516_COUNT;
}

static void free_members(struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].data);
}

static void write_folder(const char *dir, const struct member *m, size_t n)
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
static void write_archive(const char *path, const char *format, const char *filter, bool store,
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

static struct unifw_package *open_ok(const char *path)
{
	struct unifw_package *p = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	if (unifw_package_open(path, &p, &e) != 0)
		fail_msg("unifw_package_open(%s): %s: offset %llu: %s", path, e.where, (unsigned long long)e.offset, e.msg);
	return p;
}

static size_t count_findings(const struct unifw_package *p, const char *code, const char *partition)
{
	size_t n = 0;
	for (size_t i = 0; i < p->findings.count; i++)
		n += !strcmp(p->findings.items[i].code, code) &&
		     (!partition || !strcmp(p->findings.items[i].partition, partition));
	return n;
}

static const struct unifw_package_partition *part(const struct unifw_package *p, const char *name)
{
	const struct unifw_package_partition *pp = unifw_package_find(p, name);
	if (!pp)
		fail_msg("partition %s not in the package model", name);
	return pp;
}

static void expect_part(const struct unifw_package *p, const char *name, const char *status, const char *type)
{
	const struct unifw_package_partition *pp = part(p, name);
	if (strcmp(pp->status, status))
		fail_msg("%s: status %s, expected %s", name, pp->status, status);
	if (type && (!pp->item || strcmp(pp->item->type, type)))
		fail_msg("%s: image type %s, expected %s", name, pp->item ? pp->item->type : "(none)", type);
}

static size_t unifw_test_find(const uint8_t *hay, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = from; i + n <= len; i++)
		if (!memcmp(hay + i, needle, n))
			return i;
	return SIZE_MAX;
}

static void sha_hex_of(const uint8_t *d, size_t n, char hex[65])
{
	uint8_t sha[32];
	unifw_sha256(d, n, sha);
	unifw_hex(sha, 32, hex);
}

/* The checks every complete A516 fixture must pass, whatever its container. */
static void check_a516_model(const struct unifw_package *p, const struct member *m)
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

/* --- archives ---------------------------------------------------------------------------------------- */

static void member_names_checked_and_normalised(void **state)
{
	(void)state;
	char out[256];
	assert_null(unifw_archive_check_name("Firmware/A516/lk.bin"));
	assert_null(unifw_archive_check_name("./lk.bin"));
	assert_null(unifw_archive_check_name("dir\\sub\\boot.img"));
	assert_non_null(unifw_archive_check_name("../evil"));
	assert_non_null(unifw_archive_check_name("ok/../../evil"));
	assert_non_null(unifw_archive_check_name("dir\\..\\..\\evil"));
	assert_non_null(unifw_archive_check_name("/etc/passwd"));
	assert_non_null(unifw_archive_check_name("\\\\server\\share"));
	assert_non_null(unifw_archive_check_name("C:\\Windows\\evil"));
	assert_non_null(unifw_archive_check_name("c:evil"));
	assert_non_null(unifw_archive_check_name("a\nb"));
	assert_non_null(unifw_archive_check_name(""));
	assert_non_null(unifw_archive_check_name("./"));
	assert_null(unifw_archive_check_name("..evil/x..y")); /* dots inside a name are fine */
	assert_string_equal(unifw_archive_normalise_name("./Firmware//A516\\lk.bin", out, sizeof out), "Firmware/A516/lk.bin");
	assert_string_equal(unifw_archive_normalise_name("/abs/./x", out, sizeof out), "/abs/x");
	assert_string_equal(unifw_archive_normalise_name("a/../b", out, sizeof out), "a/../b");
}

static void archive_probe_tells_packages_from_images(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	static const struct {
		const char *file, *format, *filter;
	} kinds[] = {{"p.zip", "zip", NULL}, {"p.7z", "7zip", NULL}, {"p.tar", "pax", NULL},
		     {"p.tar.gz", "pax", "gzip"}, {"p.tar.xz", "pax", "xz"}, {"p.cpio.gz", "cpio", "gzip"}};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, kinds[k].file);
		write_archive(path, kinds[k].format, kinds[k].filter, false, m, 3);
		size_t len;
		uint8_t *buf = test_read_file(path, &len);
		bool is_cpio = !strcmp(kinds[k].format, "cpio");
		/* A gzip'd cpio is how Android ramdisks look: an image, never a package. */
		if (unifw_archive_probe(buf, len < UNIFW_DETECT_HEAD ? len : UNIFW_DETECT_HEAD) == is_cpio)
			fail_msg("%s: archive probe says %d", kinds[k].file, !is_cpio);
		free(buf);
	}
	/* Compressed data that is not a tar is described as an image, not refused as a broken archive. */
	{
		char path[4096];
		uint8_t junk[300000];
		for (size_t i = 0; i < sizeof junk; i++)
			junk[i] = (uint8_t)(i * 7919u >> 5);
		struct member one = {"x", junk, sizeof junk};
		snprintf(path, sizeof path, "%s/raw.bz2", dir);
		write_archive(path, "raw", "bzip2", false, &one, 1);
		struct unifw_jv *r = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		assert_int_equal(unifw_info(path, &r, &e), 0);
		assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "unknown");
		assert_non_null(strstr(unifw_jv_str(unifw_jv_get(r, "hint")), "bzip2"));
		unifw_jv_free(r);
	}
	/* Corpus images are not archives. */
	size_t n;
	char **list = corpus_list("kernel", &n);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *buf = corpus_read(list[i], &len);
		assert_false(unifw_archive_probe(buf, len < UNIFW_DETECT_HEAD ? len : UNIFW_DETECT_HEAD));
		free(buf);
	}
	test_free_list(list, n);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void archive_members_stream_in_place(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096];
	struct member m[A516_COUNT];
	a516_members(m, "Firmware/A516/");
	snprintf(path, sizeof path, "%s/fw.zip", dir);
	write_archive(path, "zip", NULL, false, m, A516_COUNT);

	struct unifw_archive *a;
	struct unifw_archive_member am;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_archive_open(path, &a, &e), 0);
	size_t seen = 0;
	int rc;
	while ((rc = unifw_archive_next(a, &am, &e)) == 1) {
		assert_string_equal(am.name, m[seen].name);
		assert_int_equal(am.size, m[seen].len);
		assert_null(am.unsafe_reason);
		struct unifw_stream s;
		assert_int_equal(unifw_archive_member_stream(a, &s, &e), 0);
		assert_null(s.pread);
		uint8_t sha[32], want[32];
		/* odd-sized reads through the stream give the exact bytes */
		assert_int_equal(unifw_sha256_stream(&s, sha, &e), 0);
		unifw_sha256(m[seen].data, m[seen].len, want);
		assert_memory_equal(sha, want, 32);
		assert_int_equal(unifw_archive_member_consumed(a), m[seen].len);
		seen++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(seen, A516_COUNT);
	assert_non_null(strstr(unifw_archive_format(a), "ZIP"));
	unifw_archive_close(a);
	/* Not an archive: a clean format error at offset 0. */
	unifw_error_clear(&e);
	assert_int_equal(unifw_archive_open(corpus_path("lk/mt6572_lenovo_a516_S117_lk.bin"), &a, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0);
	assert_non_null(strstr(e.msg, "expected an archive"));
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

/* --- packages ------------------------------------------------------------------------------------------ */

static void package_folder_joins_scatter_and_images(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	write_folder(dir, m, A516_COUNT);
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->source, UNIFW_PACKAGE_FOLDER);
	check_a516_model(p, m);
	assert_string_equal(p->base_dir, "");
	assert_string_equal(unifw_package_type(p), "package");
	/* 6 MiB boot region: the A516 MBR sits at linear 0x600000 (corpus README). */
	assert_int_equal(unifw_scatter_boot_region(&p->chosen->sc), 0x600000);
	unifw_package_free(p);

	/* Through unifw_info: the report the CLI prints. */
	struct unifw_jv *r = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(dir, &r, &e), 0);
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "package");
	assert_string_equal(unifw_jv_key_at(r, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "source")), "folder");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.0.name")), "PRELOADER");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.0.linear_start")), "0x0");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "partitions.0.size")), 0x600000);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.0.image.type")), "preloader");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "partitions.0.image.size")), m[1].len);
	assert_int_equal(strlen(unifw_jv_str(unifw_jv_path(r, "partitions.0.image.sha256"))), 64);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.9.status")), "missing");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.platform")), "MT6572");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.project")), "a516_row");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.boot_region")), "0x600000");
	/* logo.bin: 43 frames of 480x854 (PROVENANCE) */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.logo.resolution")), "480x854");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "summary.logo.frame_count")), 43);
	/* The A516 preloader's EMI table lists the Samsung N5U00M part (formats.md). */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.preloader.project")), "a516_row");
	assert_true(unifw_jv_len(unifw_jv_path(r, "summary.preloader.memory_parts")) >= 1);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "summary.images.missing")), 5);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "summary.images.present")), 6);
	assert_int_equal(unifw_jv_len(unifw_jv_get(r, "extra_files")), 0);
	unifw_jv_free(r);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void package_archives_match_the_folder(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	static const struct {
		const char *file, *format, *filter;
		bool store;
	} kinds[] = {{"fw.zip", "zip", NULL, false}, {"fw-stored.zip", "zip", NULL, true}, {"fw.7z", "7zip", NULL, false},
		     {"fw.tar.gz", "pax", "gzip", false}, {"fw.tar.bz2", "pax", "bzip2", false}};
	/* Scatter and images in a nested folder, plus a readme the scatter does not name. */
	struct member m[A516_COUNT + 1];
	a516_members(m, "Firmware/Lenovo A516 S117/");
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "readme.txt");
	m[A516_COUNT].data = (uint8_t *)strdup("flash with SP Flash Tool\n");
	m[A516_COUNT].len = strlen((char *)m[A516_COUNT].data);
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, kinds[k].file);
		write_archive(path, kinds[k].format, kinds[k].filter, kinds[k].store, m, A516_COUNT + 1);
		struct unifw_package *p = open_ok(path);
		assert_int_equal(p->source, UNIFW_PACKAGE_ARCHIVE);
		check_a516_model(p, m);
		assert_string_equal(p->base_dir, "Firmware/Lenovo A516 S117");
		if (kinds[k].filter && !strcmp(kinds[k].filter, "bzip2")) {
			/* a bzip2 block yields nothing from the first 64 KiB: the probe cannot tell */
			size_t len;
			uint8_t *buf = test_read_file(path, &len);
			assert_true(len > UNIFW_DETECT_HEAD);
			assert_false(unifw_archive_probe(buf, UNIFW_DETECT_HEAD));
			assert_true(unifw_archive_compressed(buf, UNIFW_DETECT_HEAD));
			free(buf);
		}
		/* unifw_info finds the package from the file's content (the .tar.bz2 only by trying) */
		struct unifw_jv *r = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		assert_int_equal(unifw_info(path, &r, &e), 0);
		assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "package");
		unifw_jv_free(r);
		assert_int_equal(count_findings(p, "extra-files", NULL), 1);
		assert_true(p->archive_format[0] != 0);
		unifw_package_free(p);
	}
	free_members(m, A516_COUNT + 1);
	test_rmtree(dir);
	free(dir);
}

static void package_flags_too_big_and_wrong_content(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	/* lk.bin padded one byte past UBOOT's 0x60000 (still an lk image, just too big). */
	m[4].data = realloc(m[4].data, 0x60001);
	memset(m[4].data + m[4].len, 0, 0x60001 - m[4].len);
	m[4].len = 0x60001;
	/* The MBR sector where the preloader should be, the logo where SEC_RO's secro.img should be. */
	free(m[1].data);
	m[1].data = corpus_read("ptable/mt6572_lenovo_a516_MBR.bin", &m[1].len);
	free(m[6].data);
	m[6].data = corpus_read("logo/mt6572_lenovo_a516_logo.bin", &m[6].len);
	write_folder(dir, m, A516_COUNT);
	struct unifw_package *p = open_ok(dir);
	expect_part(p, "UBOOT", "too_big", "lk");
	assert_int_equal(count_findings(p, "image-too-big", "UBOOT"), 1);
	expect_part(p, "PRELOADER", "wrong_type", "mbr");
	expect_part(p, "SEC_RO", "wrong_type", "logo");
	assert_int_equal(count_findings(p, "image-wrong-type", NULL), 2);
	/* SEC_RO holds 0x40000 bytes; the 322362-byte logo does not fit either. */
	assert_int_equal(count_findings(p, "image-too-big", "SEC_RO"), 1);
	/* Too big (twice) and a wrong preloader are errors; a logo in SEC_RO is only a warning. */
	assert_int_equal(unifw_findings_count(&p->findings, UNIFW_SEV_ERROR), 3);
	assert_int_equal(unifw_findings_count(&p->findings, UNIFW_SEV_WARNING), 1 + 5 /* missing images */);
	unifw_package_free(p);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

/* The A516 boot image rebuilt with our boot image writer from the corpus pieces: the S117 boot header,
 * and the S117 zImage behind its own KERNEL header (no ramdisk in the corpus). */
static uint8_t *build_a516_boot(size_t *len)
{
	size_t hl, ml, zl;
	uint8_t *hdr = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_image.hdr", &hl);
	uint8_t *mtk = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr", &ml);
	uint8_t *zimg = corpus_read("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", &zl);
	struct unifw_bootimg_hdr h;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_bootimg_hdr_parse(hdr, hl, "boot.hdr", &h, &e), 0);
	uint8_t *kernel = malloc(ml + zl);
	memcpy(kernel, mtk, ml);
	memcpy(kernel + ml, zimg, zl);
	uint8_t *out = NULL;
	if (unifw_bootimg_build(&h, kernel, ml + zl, NULL, 0, NULL, 0, true, &out, len, &e) != 0)
		fail_msg("boot image writer: %s", e.msg);
	free(hdr);
	free(mtk);
	free(zimg);
	free(kernel);
	return out;
}

/* A516 package plus boot.img (A516 kernel 3.4.5, LCM otm8018b_dsi_vdo like its LK), recovery.img (the
 * Orange Pi 3G-IoT boot image: kernel 3.4.67, LCM st7701_fwvga_dsi_vdo_boe, touch gslX68X: not the
 * A516's display) and system.img (ext4 made by mke2fs -d from a folder holding build.prop, turned
 * sparse by our own writer). The summary reads them back; the foreign kernel's LCM list is flagged. */
static void package_summary_reads_kernel_and_android(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char cmd[8192], path[4096], raw[4096];
	struct member m[A516_COUNT + 2];
	a516_members(m, "pkg/");
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "pkg/boot.img");
	m[A516_COUNT].data = build_a516_boot(&m[A516_COUNT].len);
	snprintf(m[A516_COUNT + 1].name, sizeof m[A516_COUNT + 1].name, "pkg/recovery.img");
	m[A516_COUNT + 1].data = corpus_read("kernel/mt6572_orangepi3giot_boot_emmc.img", &m[A516_COUNT + 1].len);
	write_folder(dir, m, A516_COUNT + 2);
	snprintf(path, sizeof path, "%s/rootfs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/rootfs/build.prop", dir);
	const char *prop = "ro.build.version.release=4.2.2\nro.build.version.sdk=17\nro.product.model=Lenovo A516\n"
			   "ro.product.brand=Lenovo\nro.build.display.id=A516_S117\n";
	test_write_file(path, prop, strlen(prop));
	snprintf(raw, sizeof raw, "%s/system.raw", dir);
	snprintf(cmd, sizeof cmd, "mke2fs -q -F -t ext4 -b 4096 -L system -d '%s/rootfs' '%s' 8M >/dev/null 2>&1", dir,
		 raw);
	if (test_run(cmd, NULL) != 0)
		skip(); /* e2fsprogs missing */
	struct unifw_error e;
	unifw_error_clear(&e);
	snprintf(path, sizeof path, "%s/pkg/system.img", dir);
	if (unifw_sparse_write_file(raw, path, NULL, NULL, &e) != 0)
		fail_msg("sparse writer: %s", e.msg);

	snprintf(path, sizeof path, "%s/pkg", dir);
	struct unifw_package *p = open_ok(path);
	expect_part(p, "BOOTIMG", "ok", "bootimg");
	expect_part(p, "RECOVERY", "ok", "bootimg");
	expect_part(p, "ANDROID", "ok", "sparse");
	assert_int_equal(part(p, "ANDROID")->image_bytes, 8 << 20); /* expanded size, not the file's */
	assert_int_equal(count_findings(p, "image-missing", NULL), 2);
	assert_int_equal(count_findings(p, "lcm-mismatch", "RECOVERY"), 1);
	assert_int_equal(count_findings(p, "lcm-mismatch", "BOOTIMG"), 0);
	unifw_package_free(p);

	struct unifw_jv *r = NULL;
	assert_int_equal(unifw_info(path, &r, &e), 0);
	/* PROVENANCE: A516 S117 kernel is Linux 3.4.5; the OPi one 3.4.67 */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.boot.kernel_version")), "3.4.5");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.boot.lcm.0")), "otm8018b_dsi_vdo");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.recovery.kernel_version")), "3.4.67");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.recovery.lcm.0")), "st7701_fwvga_dsi_vdo_boe");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.recovery.touch.0")), "gslX68X");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.android.version")), "4.2.2");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "summary.android.build")), "A516_S117");
	const struct unifw_jv *prod = unifw_jv_path(r, "summary.android.product");
	assert_string_equal(unifw_jv_str(unifw_jv_get(prod, "ro.product.model")), "Lenovo A516");
	assert_string_equal(unifw_jv_str(unifw_jv_get(prod, "ro.product.brand")), "Lenovo");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "partitions.16.name")), "ANDROID");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(r, "partitions.16.image.written_size")), 8 << 20);
	unifw_jv_free(r);
	free_members(m, A516_COUNT + 2);
	test_rmtree(dir);
	free(dir);
}

/* The A516 preloader with its platform strings changed to MT6582 (a preloader for another chip). */
static void preloader_for_another_chip_is_an_error(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	size_t changed = 0;
	for (size_t at = 0; (at = unifw_test_find(m[1].data, m[1].len, at, "MT6572")) != SIZE_MAX; at += 6) {
		memcpy(m[1].data + at, "MT6582", 6);
		changed++;
	}
	assert_true(changed >= 1);
	write_folder(dir, m, A516_COUNT);
	struct unifw_package *p = open_ok(dir);
	expect_part(p, "PRELOADER", "wrong_platform", "preloader");
	assert_int_equal(count_findings(p, "preloader-wrong-platform", "PRELOADER"), 1);
	assert_int_equal(unifw_findings_count(&p->findings, UNIFW_SEV_ERROR), 1);
	unifw_package_free(p);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* A member larger than the limit is refused by its declared size before any file is created; one under it
 * is written whole. */
static void extraction_is_capped(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char zip[4096], target[4096], out[8192];
	struct member big = {"PRELOADER.bin", calloc(1, 1u << 20), 1u << 20};
	snprintf(zip, sizeof zip, "%s/big.zip", dir);
	write_archive(zip, "zip", NULL, false, &big, 1);
	snprintf(target, sizeof target, "%s/out", dir);
	mkdir(target, 0755);
	snprintf(out, sizeof out, "%s/PRELOADER.bin", target);
	struct unifw_archive *a;
	struct unifw_archive_member am;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_archive_open(zip, &a, &e), 0);
	assert_int_equal(unifw_archive_next(a, &am, &e), 1);
	assert_int_equal(unifw_archive_extract_current_max(a, target, 64 * 1024, &e), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(e.msg, "PRELOADER.bin"));
	assert_non_null(strstr(e.msg, "1048576"));
	assert_non_null(strstr(e.msg, "65536"));
	assert_false(exists(out));
	unifw_archive_close(a);
	assert_int_equal(unifw_archive_open(zip, &a, &e), 0);
	assert_int_equal(unifw_archive_next(a, &am, &e), 1);
	assert_int_equal(unifw_archive_extract_current_max(a, target, 1u << 20, &e), 0);
	unifw_archive_close(a);
	size_t len;
	uint8_t *got = test_read_file(out, &len);
	assert_int_equal(len, 1u << 20);
	free(got);
	free(big.data);
	test_rmtree(dir);
	free(dir);
}

static void evil_member_names_reported_and_never_written(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char zip[4096], target[4096], probe[8192];
	struct member m[A516_COUNT + 5];
	size_t n = a516_members(m, "");
	static const char *evil[] = {"../evil_up.txt", "/tmp/unifw_evil_abs.txt", "C:\\evil_drive.txt",
				     "ok/../../evil_deep.txt", "dir\\..\\..\\evil_bs.txt"};
	for (size_t i = 0; i < 5; i++) {
		snprintf(m[n].name, sizeof m[n].name, "%s", evil[i]);
		m[n].data = (uint8_t *)strdup("evil\n");
		m[n].len = 5;
		n++;
	}
	snprintf(zip, sizeof zip, "%s/evil.zip", dir);
	write_archive(zip, "zip", NULL, false, m, n);

	struct unifw_package *p = open_ok(zip);
	assert_int_equal(count_findings(p, "unsafe-member-name", NULL), 5);
	assert_int_equal(p->kind, UNIFW_PACKAGE_FIRMWARE); /* the package itself is still read */
	unifw_package_free(p);

	/* Extraction refuses every evil name and writes the rest inside the target only. */
	snprintf(target, sizeof target, "%s/out/in", dir);
	snprintf(probe, sizeof probe, "%s/out", dir);
	mkdir(probe, 0755);
	mkdir(target, 0755);
	struct unifw_archive *a;
	struct unifw_archive_member am;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_archive_open(zip, &a, &e), 0);
	size_t refused = 0, written = 0;
	while (unifw_archive_next(a, &am, &e) == 1) {
		int rc = unifw_archive_extract_current(a, target, &e);
		if (am.unsafe_reason) {
			assert_int_equal(rc, UNIFW_E_UNSAFE);
			refused++;
		} else {
			assert_int_equal(rc, 0);
			written++;
		}
	}
	unifw_archive_close(a);
	assert_int_equal(refused, 5);
	assert_int_equal(written, A516_COUNT);
	snprintf(probe, sizeof probe, "%s/out/evil_up.txt", dir);
	assert_false(exists(probe));
	snprintf(probe, sizeof probe, "%s/evil_deep.txt", dir);
	assert_false(exists(probe));
	snprintf(probe, sizeof probe, "%s/out/evil_bs.txt", dir);
	assert_false(exists(probe));
	assert_false(exists("/tmp/unifw_evil_abs.txt"));
	snprintf(probe, sizeof probe, "%s/lk.bin", target);
	size_t len;
	uint8_t *lk = test_read_file(probe, &len);
	assert_non_null(lk);
	assert_int_equal(len, m[4].len);
	assert_memory_equal(lk, m[4].data, len);
	free(lk);

	/* A second extraction does not overwrite, and a symlinked directory is not followed. */
	unifw_error_clear(&e);
	assert_int_equal(unifw_archive_open(zip, &a, &e), 0);
	assert_int_equal(unifw_archive_next(a, &am, &e), 1);
	assert_int_equal(unifw_archive_extract_current(a, target, &e), UNIFW_E_UNSAFE);
	unifw_archive_close(a);
	struct member sub = {"sub/x.bin", (uint8_t *)"x", 1};
	snprintf(probe, sizeof probe, "%s/sub.zip", dir);
	write_archive(probe, "zip", NULL, false, &sub, 1);
	char link[8192];
	snprintf(link, sizeof link, "%s/sub", target);
	assert_int_equal(symlink("/tmp", link), 0);
	assert_int_equal(unifw_archive_open(probe, &a, &e), 0);
	assert_int_equal(unifw_archive_next(a, &am, &e), 1);
	assert_int_equal(unifw_archive_extract_current(a, target, &e), UNIFW_E_UNSAFE);
	unifw_archive_close(a);
	assert_false(exists("/tmp/x.bin"));

	for (size_t i = A516_COUNT; i < n; i++)
		free(m[i].data);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void truncated_zip_is_a_clean_error(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char zip[4096], cut[4096];
	struct member m[A516_COUNT];
	a516_members(m, "");
	snprintf(zip, sizeof zip, "%s/fw.zip", dir);
	write_archive(zip, "zip", NULL, false, m, A516_COUNT);
	size_t len;
	uint8_t *buf = test_read_file(zip, &len);
	/* Cuts inside the first member's data, halfway, and inside the central directory. */
	size_t cuts[] = {200, len / 2, len - 200};
	for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
		snprintf(cut, sizeof cut, "%s/cut%zu.zip", dir, i);
		test_write_file(cut, buf, cuts[i]);
		struct unifw_jv *r = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		int rc = unifw_info(cut, &r, &e);
		if (rc == 0) {
			/* Everything before the cut is intact: reported, with the truncation as an error finding. */
			const struct unifw_jv *f = unifw_jv_get(r, "findings");
			bool seen = false;
			for (size_t j = 0; j < unifw_jv_len(f); j++)
				seen |= !strcmp(unifw_jv_str(unifw_jv_get(unifw_jv_at(f, j), "code")), "archive-truncated");
			if (!seen)
				fail_msg("cut at %zu of %zu: no error and no archive-truncated finding", cuts[i], len);
			unifw_jv_free(r);
			continue;
		}
		assert_true(rc < 0);
		assert_null(r);
		assert_non_null(strstr(e.where, "cut"));
		assert_true(e.offset != UNIFW_NO_OFFSET);
		assert_true(e.msg[0] != 0);
	}
	free(buf);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

/* Rewrite the size field of the tar header at `hdr` and its checksum (ustar: octal fields). */
static void tar_set_size(uint8_t *tar, size_t hdr, uint64_t size)
{
	char field[13];
	snprintf(field, sizeof field, "%011llo", (unsigned long long)size);
	memcpy(tar + hdr + 124, field, 12);
	memset(tar + hdr + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += tar[hdr + i];
	snprintf(field, sizeof field, "%06o", sum);
	memcpy(tar + hdr + 148, field, 7);
}

static void lying_member_sizes_are_errors_with_offsets(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096];
	struct member m[A516_COUNT];
	a516_members(m, "");
	/* ustar: lk.bin is member 4 (header then data rounded to 512) */
	snprintf(path, sizeof path, "%s/fw.tar", dir);
	write_archive(path, "ustar", NULL, false, m, A516_COUNT);
	size_t len;
	uint8_t *tar = test_read_file(path, &len);
	size_t hdr = 0;
	for (size_t i = 0; i < 4; i++)
		hdr += 512 + (m[i].len + 511) / 512 * 512;
	assert_memory_equal(tar + hdr, "lk.bin", 7);
	static const int64_t deltas[] = {+10 * 1024 * 1024, -1000};
	for (size_t d = 0; d < 2; d++) {
		uint8_t *bad = malloc(len);
		memcpy(bad, tar, len);
		tar_set_size(bad, hdr, (uint64_t)((int64_t)m[4].len + deltas[d]));
		snprintf(path, sizeof path, "%s/lie%zu.tar", dir, d);
		test_write_file(path, bad, len);
		free(bad);
		struct unifw_package *p = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		/* libarchive cannot go on past the lie (it reads into the next header, or past the end):
		 * the whole read fails with an error naming the archive and how far it got. */
		assert_true(unifw_package_open(path, &p, &e) < 0);
		assert_null(p);
		assert_non_null(strstr(e.where, "lie"));
		assert_true(e.offset != UNIFW_NO_OFFSET && e.offset > hdr);
		assert_non_null(strstr(e.msg, "libarchive"));
	}
	free(tar);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void duplicate_and_case_clashing_names_reported(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char zip[4096];
	struct member m[A516_COUNT + 1];
	a516_members(m, "");
	/* "LK.BIN" matches the scatter's "lk.bin" as well: Windows would extract one over the other. */
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "LK.BIN");
	m[A516_COUNT].data = corpus_read("lk/mt6572_lenovo_a516_S118_lk.bin", &m[A516_COUNT].len);
	snprintf(zip, sizeof zip, "%s/dup.zip", dir);
	write_archive(zip, "zip", NULL, false, m, A516_COUNT + 1);
	struct unifw_package *p = open_ok(zip);
	assert_int_equal(count_findings(p, "duplicate-name", NULL), 1);
	/* The first one (the S117 lk) is the partition's image, and it is refused as ambiguous. */
	const struct unifw_package_partition *pp = part(p, "UBOOT");
	assert_string_equal(pp->item->path, "lk.bin");
	assert_int_equal(pp->item->size, m[4].len);
	assert_string_equal(pp->status, "unreadable");
	assert_non_null(pp->item->error);
	assert_non_null(strstr(pp->item->error, "ambiguous"));
	assert_int_equal(count_findings(p, "image-unreadable", "UBOOT"), 1);
	unifw_package_free(p);
	free_members(m, A516_COUNT + 1);
	test_rmtree(dir);
	free(dir);
}

static void several_scatters_prefers_the_mt6572_one(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT + 2];
	a516_members(m, "");
	snprintf(m[A516_COUNT].name, sizeof m[A516_COUNT].name, "MT6592_Android_scatter.txt");
	m[A516_COUNT].data = corpus_read("scatter/mt6592_bq_aquaris_e10_kaito_wifi.txt", &m[A516_COUNT].len);
	snprintf(m[A516_COUNT + 1].name, sizeof m[A516_COUNT + 1].name, "ota/ota_scatter.txt");
	m[A516_COUNT + 1].data = corpus_read("scatter/mt6572_lenovo_a316i_spark_ota_scatter.txt", &m[A516_COUNT + 1].len);
	write_folder(dir, m, A516_COUNT + 2);
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->scatter_count, 3);
	assert_string_equal(p->chosen->item->path, "MT6572_Android_scatter.txt");
	assert_int_equal(count_findings(p, "several-scatters", NULL), 1);
	check_a516_model(p, m);
	unifw_package_free(p);
	free_members(m, A516_COUNT + 2);
	test_rmtree(dir);
	free(dir);
}

static void backup_folder_recognised_and_hashes_checked(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	write_folder(dir, m, A516_COUNT);
	char lk_hex[65], manifest[1024], path[4096];
	sha_hex_of(m[4].data, m[4].len, lk_hex);
	snprintf(manifest, sizeof manifest,
		 "{\"kind\": \"unifw-backup\", \"version\": 1, \"model\": \"Lenovo A516\",\n"
		 " \"images\": [{\"partition\": \"UBOOT\", \"file\": \"lk.bin\", \"sha256\": \"%s\"},\n"
		 "   {\"partition\": \"LOGO\", \"file\": \"logo.bin\", \"sha256\": \"%064d\"},\n"
		 "   {\"partition\": \"NVRAM\", \"file\": \"nvram.bin\", \"sha256\": \"%064d\"}]}\n",
		 lk_hex, 0, 0);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	test_write_file(path, manifest, strlen(manifest));
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_BACKUP);
	assert_string_equal(unifw_package_type(p), "backup");
	assert_string_equal(unifw_jv_str(unifw_jv_get(p->manifest, "model")), "Lenovo A516");
	assert_int_equal(count_findings(p, "backup-hash-mismatch", NULL), 1);
	assert_int_equal(count_findings(p, "backup-file-missing", NULL), 1);
	expect_part(p, "UBOOT", "ok", "lk");
	unifw_package_free(p);
	/* A backup without a scatter: still a backup, its files listed and hash-checked. */
	snprintf(path, sizeof path, "%s/MT6572_Android_scatter.txt", dir);
	snprintf(manifest, sizeof manifest, "%s.scatter", dir); /* beside the folder, unique like it */
	assert_int_equal(rename(path, manifest), 0);
	p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_BACKUP);
	assert_null(p->chosen);
	assert_int_equal(count_findings(p, "backup-hash-mismatch", NULL), 1);
	struct unifw_jv *r = unifw_package_to_json(p);
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "backup");
	assert_int_equal(unifw_jv_len(unifw_jv_get(r, "files")), A516_COUNT - 1);
	assert_null(unifw_jv_get(r, "extra_files"));
	unifw_jv_free(r);
	unifw_package_free(p);
	assert_int_equal(rename(manifest, path), 0);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	/* Another manifest kind is just a file. */
	const char *other = "{\"kind\": \"something-else\"}";
	test_write_file(path, other, strlen(other));
	p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_FIRMWARE);
	assert_int_equal(count_findings(p, "manifest-unreadable", NULL), 0);
	unifw_package_free(p);
	/* A unifw manifest whose keys do not read as such is reported, naming the key. */
	static const struct {
		const char *text, *needle;
		enum unifw_package_kind kind;
	} bad[] = {
		{"{\"kind\": \"unifw-backup\", \"version\": \"1\"}",
		 "manifest key \"version\": expected a non-negative number, found a string", UNIFW_PACKAGE_FIRMWARE},
		{"{\"kind\": \"unifw-backup\", \"version\": 7}",
		 "manifest key \"version\": expected a number from 1 to 1, found 7", UNIFW_PACKAGE_FIRMWARE},
		{"{\"kind\": \"unifw-backup\", \"version\": 1, \"partitions\": [{\"file\": \"lk.bin\", \"sha256\": \"zz\"}]}",
		 "manifest entry key \"sha256\": expected 64 hex digits, found \"zz\"", UNIFW_PACKAGE_BACKUP},
		{"{\"kind\": \"unifw-backup\", \"version\": 1,\n \"partitions\": [1, 2,]}",
		 "not valid JSON: JSON line 2, column 22", UNIFW_PACKAGE_FIRMWARE},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		test_write_file(path, bad[i].text, strlen(bad[i].text));
		p = open_ok(dir);
		assert_int_equal(p->kind, bad[i].kind);
		size_t hits = 0;
		for (size_t k = 0; k < p->findings.count; k++)
			hits += !strcmp(p->findings.items[k].code, "manifest-unreadable") &&
				strstr(p->findings.items[k].msg, bad[i].needle);
		if (hits != 1)
			fail_msg("%s: no manifest-unreadable finding with \"%s\"", bad[i].text, bad[i].needle);
		unifw_package_free(p);
	}
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void loose_folder_lists_described_files(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct member m[A516_COUNT];
	a516_members(m, "");
	write_folder(dir, m + 1, A516_COUNT - 1); /* no scatter */
	struct unifw_package *p = open_ok(dir);
	assert_int_equal(p->kind, UNIFW_PACKAGE_LOOSE);
	assert_string_equal(unifw_package_type(p), "folder");
	assert_int_equal(p->item_count, A516_COUNT - 1);
	assert_int_equal(count_findings(p, "no-scatter", NULL), 1);
	struct unifw_jv *r = unifw_package_to_json(p);
	assert_int_equal(unifw_jv_len(unifw_jv_get(r, "files")), A516_COUNT - 1);
	/* sorted by path: EBR1, MBR, lk.bin, logo.bin, preloader..., secro.img */
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "files.0.path")), "EBR1");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "files.0.type")), "ebr");
	assert_string_equal(unifw_jv_str(unifw_jv_path(r, "files.3.type")), "logo");
	unifw_jv_free(r);
	unifw_package_free(p);
	free_members(m, A516_COUNT);
	test_rmtree(dir);
	free(dir);
}

static void member_count_limit_enforced(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096];
	/* One member more than the limit: empty zip entries (~100 bytes each, ~10 MB in all). */
	snprintf(path, sizeof path, "%s/many.zip", dir);
	struct archive *a = archive_write_new();
	archive_write_set_format_zip(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (unsigned i = 0; i <= UNIFW_ARCHIVE_MAX_MEMBERS; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%u", i);
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, name);
		archive_entry_set_size(e, 0);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	struct unifw_package *p = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_package_open(path, &p, &e), UNIFW_E_TOO_BIG);
	assert_null(p);
	assert_non_null(strstr(e.msg, "members"));
	test_rmtree(dir);
	free(dir);
}

static void info_on_single_images_and_bad_paths(void **state)
{
	(void)state;
	struct unifw_jv *r = NULL;
	struct unifw_error e;
	const char *lk = corpus_path("lk/mt6572_lenovo_a516_S117_lk.bin");
	char lk_path[4096];
	snprintf(lk_path, sizeof lk_path, "%s", lk);
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(lk_path, &r, &e), 0);
	assert_string_equal(unifw_jv_key_at(r, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(r, "type")), "lk");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(r, "file_size")), 255856); /* PROVENANCE */
	assert_int_equal(strlen(unifw_jv_str(unifw_jv_get(r, "sha256"))), 64);
	unifw_jv_free(r);

	char *dir = test_mkdtemp();
	char path[4096];
	/* empty file: error at offset 0 */
	snprintf(path, sizeof path, "%s/empty.bin", dir);
	test_write_file(path, "", 0);
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(path, &r, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, 0);
	assert_string_equal(e.where, path);
	/* missing path */
	snprintf(path, sizeof path, "%s/nope.bin", dir);
	unifw_error_clear(&e);
	assert_int_equal(unifw_info(path, &r, &e), UNIFW_E_IO);
	assert_string_equal(e.where, path);
	/* a logo cut short: the logo module names the offset where it ends */
	size_t len;
	uint8_t *logo = corpus_read("logo/mt6572_lenovo_a516_logo.bin", &len);
	snprintf(path, sizeof path, "%s/logo_cut.bin", dir);
	test_write_file(path, logo, 4096);
	unifw_error_clear(&e);
	int rc = unifw_info(path, &r, &e);
	assert_true(rc < 0);
	assert_string_equal(e.where, path);
	assert_true(e.offset != UNIFW_NO_OFFSET);
	free(logo);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_every_corpus_image_by_content),
		cmocka_unit_test(detect_unknown_gives_hint_and_bytes),
		cmocka_unit_test(member_names_checked_and_normalised),
		cmocka_unit_test(archive_probe_tells_packages_from_images),
		cmocka_unit_test(archive_members_stream_in_place),
		cmocka_unit_test(extraction_is_capped),
		cmocka_unit_test(package_folder_joins_scatter_and_images),
		cmocka_unit_test(package_archives_match_the_folder),
		cmocka_unit_test(package_flags_too_big_and_wrong_content),
		cmocka_unit_test(package_summary_reads_kernel_and_android),
		cmocka_unit_test(preloader_for_another_chip_is_an_error),
		cmocka_unit_test(evil_member_names_reported_and_never_written),
		cmocka_unit_test(truncated_zip_is_a_clean_error),
		cmocka_unit_test(lying_member_sizes_are_errors_with_offsets),
		cmocka_unit_test(duplicate_and_case_clashing_names_reported),
		cmocka_unit_test(several_scatters_prefers_the_mt6572_one),
		cmocka_unit_test(backup_folder_recognised_and_hashes_checked),
		cmocka_unit_test(loose_folder_lists_described_files),
		cmocka_unit_test(member_count_limit_enforced),
		cmocka_unit_test(info_on_single_images_and_bad_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
