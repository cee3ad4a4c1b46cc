/* Fuzz the preloader parser: container detection, GFH walk, EMMC_BOOT/BRLYT, ROM info, the EMI blob
 * recipe (trailer and search), the EMI table inside, the compiled copy and describe. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_driver.h"
#include "unifw/emi.h"
#include "unifw/preloader.h"

static void fuzz_one(const uint8_t *data, size_t size)
{
	static struct unifw_preloader pl;
	static struct unifw_emi_table t;
	struct unifw_error err;
	struct unifw_emi_location loc;
	(void)unifw_preloader_probe(data, size < 65536 ? size : 65536, size);
	if (unifw_preloader_parse(data, size, "fuzz", &pl, &err) == 0) {
		if (pl.content_end > size || pl.block_count > UNIFW_GFH_MAX_BLOCKS)
			abort();
		if (pl.has_emi && (pl.emi.blob_offset + pl.emi.blob_len > size))
			abort(); /* a located blob must lie inside the input */
		(void)unifw_preloader_emi_table(data, size, &pl, &t, &err);
	}
	if (unifw_preloader_emi_blob(data, size, &loc, &err) == 0 && loc.blob_offset + loc.blob_len > size)
		abort();
	struct unifw_stream s;
	struct unifw_jv *obj = unifw_jv_object();
	unifw_stream_from_mem(&s, data, size, "fuzz");
	(void)unifw_preloader_describe(&s, obj, &err);
	unifw_stream_close(&s);
	unifw_jv_free(obj);
}

const struct fuzz_target fuzz_target = { .name = "preloader", .run = fuzz_one };
