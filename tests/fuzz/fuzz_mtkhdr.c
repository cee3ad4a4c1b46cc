/* libFuzzer harness: MTK header parse, describe, and writer round trip. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/mtkhdr.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_mtkhdr h;
	struct unifw_error err;
	struct unifw_stream s;
	struct unifw_jv *o = unifw_jv_object();

	(void)unifw_mtkhdr_probe(d, n, n);
	unifw_stream_from_mem(&s, d, n, "fuzz");
	(void)unifw_mtkhdr_describe(&s, o, &err);
	unifw_stream_close(&s);
	unifw_jv_free(o);
	if (unifw_mtkhdr_parse(d, n, n, &h, &err) == 0 && h.name_clean && h.fill_ok) {
		uint8_t again[UNIFW_MTKHDR_SIZE];
		if (unifw_mtkhdr_write(again, h.dsize, h.name, h.maddr, h.mode, &err) == 0 &&
		    memcmp(again, d, UNIFW_MTKHDR_SIZE) != 0)
			abort(); /* a standard header must round-trip */
	}
}

const struct fuzz_target fuzz_target = { .name = "mtkhdr", .run = fuzz_one };
