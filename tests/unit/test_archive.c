/* Archives (src/package/archive.c and the package reader's member handling): member names, probing,
 * streaming, extraction limits, hostile names and sizes, truncated archives. Fixtures: package_fixtures.h. */
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "package_fixtures.h"
#include "unifw/archive.h"
#include "unifw/detect.h"
#include "unifw/hash.h"
#include "unifw/info.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(member_names_checked_and_normalised),
		cmocka_unit_test(archive_probe_tells_packages_from_images),
		cmocka_unit_test(archive_members_stream_in_place),
		cmocka_unit_test(extraction_is_capped),
		cmocka_unit_test(evil_member_names_reported_and_never_written),
		cmocka_unit_test(truncated_zip_is_a_clean_error),
		cmocka_unit_test(lying_member_sizes_are_errors_with_offsets),
		cmocka_unit_test(member_count_limit_enforced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
