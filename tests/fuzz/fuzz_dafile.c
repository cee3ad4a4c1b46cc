/* Fuzz the DA container: parse (full buffer and header-only with a larger claimed size), selection,
 * stage ranges (must lie inside the file), describe; and the writer on fuzz-chosen blobs, parsed back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/dafile.h"

static void check_parsed(const struct unifw_dafile *da, uint64_t file_size)
{
	struct unifw_error err;
	for (size_t i = 0; i < da->count; i++) {
		struct unifw_da_region r;
		for (unsigned st = 1; st <= 2; st++)
			if (unifw_dafile_stage(da, i, st, &r, &err) == 0 && (uint64_t)r.offset + r.length > file_size)
				abort();
	}
	size_t idx;
	if (da->count)
		(void)unifw_dafile_select(da, da->entry[0].hw_code, 0xFFFF, 0xFFFF, &idx, &err);
}

static void writer_round_trip(const uint8_t *data, size_t size)
{
	if (size < 8)
		return;
	struct unifw_da_blob blobs[3];
	size_t part = (size - 8) / 3;
	for (int r = 0; r < 3; r++)
		blobs[r] = (struct unifw_da_blob){data + 8 + (size_t)r * part, part, 0x2007000u + (uint32_t)r,
						  (uint32_t)(part ? data[r] % (part + 1) : 0)};
	struct unifw_da_build_entry e = {(uint16_t)(data[3] << 8 | data[4]), 0, (uint16_t)(data[5] << 8), 0, 0x800, 1,
					 blobs, 3};
	struct unifw_da_build b = {"fuzz", (data[6] & 1) != 0, &e, 1};
	uint8_t *file;
	size_t len;
	struct unifw_error err;
	if (unifw_dafile_build(&b, &file, &len, &err))
		return;
	struct unifw_dafile da;
	if (unifw_dafile_parse(file, len, len, "rt", &da, &err) || da.count != 1 ||
	    memcmp(file + da.entry[0].region[1].offset, blobs[1].data, blobs[1].len))
		abort(); /* whatever the writer builds, the parser must read back */
	unifw_dafile_free(&da);
	free(file);
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	struct unifw_dafile da;
	struct unifw_error err;
	(void)unifw_dafile_probe(data, size, size);
	if (unifw_dafile_parse(data, size, size, "fuzz", &da, &err) == 0) {
		check_parsed(&da, size);
		unifw_dafile_free(&da);
	}
	if (unifw_dafile_parse(data, size, (uint64_t)size * 2, "fuzz", &da, &err) == 0)
		unifw_dafile_free(&da);
	writer_round_trip(data, size);
	struct unifw_stream s;
	struct unifw_jv *obj = unifw_jv_object();
	unifw_stream_from_mem(&s, data, size, "fuzz");
	(void)unifw_dafile_describe(&s, obj, &err);
	unifw_stream_close(&s);
	unifw_jv_free(obj);
}

const struct fuzz_target fuzz_target = { .name = "dafile", .run = fuzz_one };
