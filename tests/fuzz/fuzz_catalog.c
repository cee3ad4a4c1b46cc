/* libFuzzer: arbitrary bytes as a row of the catalog's fingerprint cache (src/catalog/catalog_cache.c), a
 * blob a file holds: once as it is (zlib data that rarely inflates), once as the struct's bytes (the
 * input repeated to fill struct unifw_fingerprint, compressed as the cache stores it). Whatever inflates
 * must come out sanitized: unifw_check and its JSON then run on it under the sanitizers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "catalog/catalog_internal.h"
#include "fuzz_driver.h"
#include "unifw/check.h"

static void use(const struct unifw_fingerprint *fp)
{
	struct unifw_check_result *r = malloc(sizeof *r);
	if (!r)
		return;
	unifw_check(fp, fp, NULL, r);
	struct unifw_jv *j = unifw_check_to_json(r);
	free(unifw_jv_to_string(j, false));
	unifw_jv_free(j);
	j = unifw_fingerprint_to_json(fp);
	free(unifw_jv_to_string(j, false));
	unifw_jv_free(j);
	free(r);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_fingerprint *fp = malloc(sizeof *fp), *raw = malloc(sizeof *raw);
	uLongf zlen = compressBound(sizeof *raw);
	Bytef *z = malloc(zlen);
	if (!fp || !raw || !z)
		goto out;
	if (catalog_cache_get(d, n, fp))
		use(fp);
	for (size_t i = 0; i < sizeof *raw; i++)
		((uint8_t *)raw)[i] = d[i % n];
	if (compress2(z, &zlen, (const Bytef *)raw, sizeof *raw, 1) == Z_OK && catalog_cache_get(z, zlen, fp))
		use(fp);
	else if (catalog_cache_enabled())
		abort(); /* a struct's worth of bytes, compressed, must read back */
out:
	free(z);
	free(raw);
	free(fp);
}

const struct fuzz_target fuzz_target = { .name = "catalog", .min_input = 1, .run = fuzz_one };
