/* libFuzzer: arbitrary bytes read as an archive through libarchive and our code: members listed, names
 * checked, every member streamed (detected, described, hashed), the package model built and reported.
 * Nothing is ever written to disk. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_driver.h"
#include "unifw/archive.h"
#include "unifw/package.h"

/* List and read members directly: odd-sized reads, names through the checker. */
static void walk_members(const uint8_t *d, size_t n)
{
	struct unifw_archive *a = NULL;
	struct unifw_archive_member m;
	struct unifw_error err;
	uint8_t buf[4099];
	unifw_error_clear(&err);
	if (unifw_archive_open_mem(d, n, "fuzz.zip", &a, &err) != 0)
		return;
	while (unifw_archive_next(a, &m, &err) == 1) {
		char norm[UNIFW_ARCHIVE_MAX_NAME + 1];
		(void)unifw_archive_check_name(m.raw_name);
		unifw_archive_normalise_name(m.raw_name, norm, sizeof norm);
		if (m.kind != UNIFW_MEMBER_FILE || m.index % 2)
			continue; /* every other member is left for libarchive to skip */
		struct unifw_stream s;
		if (unifw_archive_member_stream(a, &s, &err) != 0)
			continue;
		for (int i = 0; i < 64; i++) {
			ssize_t r = unifw_stream_read(&s, buf, sizeof buf, &err);
			if (r <= 0)
				break;
		}
	}
	unifw_archive_close(a);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	walk_members(d, n);
	struct unifw_package *p = NULL;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_package_open_archive_mem(d, n, "fuzz.zip", &p, &err) == 0) {
		struct unifw_jv *r = unifw_package_to_json(p);
		char *text = unifw_jv_to_string(r, true);
		free(text);
		unifw_jv_free(r);
		unifw_package_free(p);
	}
}

const struct fuzz_target fuzz_target = { .name = "archive", .run = fuzz_one };
