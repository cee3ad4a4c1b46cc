/* Fuzz the scatter module: probe, parse (any dialect), validate, describe, and for every input that
 * parses: write it in each dialect and re-parse. A writer output the parser refuses is a bug: abort. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_driver.h"
#include "unifw/scatter.h"

static void rewrite(const struct unifw_scatter *sc, enum unifw_scatter_dialect d)
{
	struct unifw_error err = {0};
	char *text;
	size_t len;
	/* The flat forms cannot hold every name (blanks, ':'): refusing is fine, output must re-parse. */
	if (unifw_scatter_write(sc, d, &text, &len, &err))
		return;
	struct unifw_scatter back;
	if (unifw_scatter_parse(text, len, "rewrite", &back, &err)) {
		char buf[1024];
		fprintf(stderr, "re-parse of %s output failed: %s\n--- text ---\n%.*s\n", unifw_scatter_dialect_name(d),
			unifw_error_format(&err, buf, sizeof buf), (int)(len > 4000 ? 4000 : len), text);
		abort();
	}
	if (back.count != sc->count) {
		fprintf(stderr, "%s rewrite: %zu entries became %zu\n", unifw_scatter_dialect_name(d), sc->count,
			back.count);
		abort();
	}
	unifw_scatter_free(&back);
	free(text);
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	(void)unifw_scatter_probe(data, size, size);
	struct unifw_error err = {0};
	struct unifw_scatter sc;
	if (unifw_scatter_parse((const char *)data, size, "fuzz", &sc, &err))
		return;
	struct unifw_findings f = {0};
	struct unifw_scatter_check chk = {.device_size = 0x100000000ull};
	unifw_scatter_validate(&sc, "fuzz", &chk, &f, &err);
	unifw_findings_free(&f);
	(void)unifw_scatter_physical_convention(&sc);
	(void)unifw_scatter_boot_region(&sc);
	rewrite(&sc, UNIFW_SCATTER_V1);
	rewrite(&sc, UNIFW_SCATTER_FLAT);
	rewrite(&sc, UNIFW_SCATTER_BRACES);
	struct unifw_jv *o = unifw_jv_object();
	unifw_scatter_to_json(&sc, "fuzz", o, &err);
	unifw_jv_free(o);
	unifw_scatter_free(&sc);
}

const struct fuzz_target fuzz_target = { .name = "scatter", .run = fuzz_one };
