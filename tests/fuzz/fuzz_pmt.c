/* Fuzz the PMT parser: region(s) with mirror fallback, bare entry arrays, probe, describe; whatever
 * parses must be rebuilt by the writer and parse back to the same entries. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/pmt.h"

static void round_trip(const struct unifw_pmt *p)
{
	static uint8_t out[2 * UNIFW_PMT_REGION_SIZE];
	struct unifw_error err;
	static struct unifw_pmt back;
	if (unifw_pmt_build(p, out, sizeof out, &err))
		abort(); /* anything the parser accepts, the writer must be able to write */
	if (unifw_pmt_parse(out, sizeof out, "rt", &back, &err) || back.count != p->count || !back.mirror_matches)
		abort();
	for (size_t i = 0; i < UNIFW_PMT_MAX_ENTRIES; i++)
		if (strcmp(back.entry[i].name, p->entry[i].name) || back.entry[i].size != p->entry[i].size ||
		    back.entry[i].offset != p->entry[i].offset || back.entry[i].mask_flags != p->entry[i].mask_flags)
			abort();
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	static struct unifw_pmt p;
	struct unifw_error err;
	(void)unifw_pmt_probe(data, size, size);
	if (unifw_pmt_parse(data, size, "fuzz", &p, &err) == 0)
		round_trip(&p);
	if (unifw_pmt_parse_entries(data, size, "fuzz", &p, &err) == 0)
		round_trip(&p);
	struct unifw_stream s;
	struct unifw_jv *obj = unifw_jv_object();
	unifw_stream_from_mem(&s, data, size, "fuzz");
	(void)unifw_pmt_describe(&s, obj, &err);
	unifw_stream_close(&s);
	unifw_jv_free(obj);
}

const struct fuzz_target fuzz_target = { .name = "pmt", .run = fuzz_one };
