/* libFuzzer harness: the universal probe's table and record (src/format/probe.c). Any text goes to both
 * parsers; a table that parses is written back and must parse again to the same text (the writer refuses
 * exactly what the parser refuses), choose() answers a declared variant or -1 for any signals taken from the
 * input, and a record that parses has bounded, checked fields. A refused text leaves nothing behind. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/probe.h"

static void check_table(const struct unifw_probe_table *t, const uint8_t *d, size_t n)
{
	char *text = NULL, *again = NULL;
	size_t len = 0, alen = 0;
	struct unifw_probe_table back;
	struct unifw_error err;
	if (t->variant_count > UNIFW_PROBE_MAX_VARIANTS || t->bind_count > UNIFW_PROBE_MAX_BINDS ||
	    t->prop_count > UNIFW_PROBE_MAX_PROPS)
		abort();
	if (unifw_probe_table_write(t, &text, &len, &err))
		abort(); /* what parsed must be writable */
	if (unifw_probe_table_parse(text, len, "again", &back, &err))
		abort(); /* and what is written must parse */
	if (unifw_probe_table_write(&back, &again, &alen, &err) || alen != len || memcmp(again, text, len))
		abort(); /* to the same table */
	free(text);
	free(again);
	unifw_probe_table_free(&back);
	/* signals from the input's head */
	char sig[64];
	size_t sl = n < sizeof sig - 1 ? n : sizeof sig - 1;
	memcpy(sig, d, sl);
	sig[sl] = '\0';
	const char *names[1] = { sig };
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		int v = unifw_probe_table_choose(t, (enum unifw_probe_component)c, sig, names, 1, sig);
		if (v < -1 || v >= (int)t->variant_count)
			abort();
	}
}

static void check_record(const struct unifw_probe_record *r)
{
	if (r->i2c_count > UNIFW_PROBE_MAX_I2C || r->bind_count > UNIFW_PROBE_MAX_RECORD_BINDS ||
	    r->prop_count > UNIFW_PROBE_MAX_PROPS)
		abort();
	for (size_t i = 0; i < r->bind_count; i++)
		if (r->bind[i].source[0] != '/' || r->bind[i].target[0] != '/' || strstr(r->bind[i].source, "..") ||
		    strstr(r->bind[i].target, ".."))
			abort(); /* never a path out of where it says */
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_probe_table t;
	struct unifw_error err;
	if (unifw_probe_table_parse((const char *)d, n, "fuzz.rules", &t, &err) == 0) {
		check_table(&t, d, n);
		unifw_probe_table_free(&t);
	} else if (t.bind || t.prop || t.variant_count) {
		abort();
	}
	struct unifw_probe_record *r = malloc(sizeof *r);
	if (!r)
		return;
	if (unifw_probe_record_parse((const char *)d, n, "fuzz.txt", r, &err) == 0)
		check_record(r);
	else if (r->done || r->bind_count)
		abort();
	free(r);
}

const struct fuzz_target fuzz_target = { .name = "probe", .run = fuzz_one };
