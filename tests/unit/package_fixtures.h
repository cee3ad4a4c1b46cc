/* Package fixtures shared by test_package.c and test_archive.c: the Lenovo A516 scatter with the A516
 * preloader, MBR, EBR1, lk, logo and secro from the corpus, renamed to the scatter's file_name values, as a
 * folder and as archives written with libarchive's own writer (zip, 7z, tar.gz). */
#ifndef UNIFW_TEST_PACKAGE_FIXTURES_H
#define UNIFW_TEST_PACKAGE_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/package.h"

#define A516_COUNT 7u

struct member {
	char name[256];
	uint8_t *data;
	size_t len;
};

size_t a516_members(struct member *m, const char *prefix);
void free_members(struct member *m, size_t n);
void write_folder(const char *dir, const struct member *m, size_t n);
/* format: "zip", "7zip", "pax", "cpio"; filter: NULL or "gzip"; store: zip without compression. */
void write_archive(const char *path, const char *format, const char *filter, bool store,
		   const struct member *m, size_t n);
struct unifw_package *open_ok(const char *path);
size_t count_findings(const struct unifw_package *p, const char *code, const char *partition);
const struct unifw_package_partition *part(const struct unifw_package *p, const char *name);
void expect_part(const struct unifw_package *p, const char *name, const char *status, const char *type);
size_t unifw_test_find(const uint8_t *hay, size_t len, size_t from, const char *needle);
void sha_hex_of(const uint8_t *d, size_t n, char hex[65]);
/* The checks every complete A516 fixture must pass, whatever its container. */
void check_a516_model(const struct unifw_package *p, const struct member *m);

#endif
