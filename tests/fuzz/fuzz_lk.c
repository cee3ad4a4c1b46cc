/* libFuzzer harness: lk.bin inspection (MTK header or raw vector table) and its JSON. */
#include <stdlib.h>

#include "fuzz_driver.h"
#include "unifw/lk.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	static struct unifw_lk_info lk;
	struct unifw_error err;
	(void)unifw_lk_probe(d, n, n);
	if (unifw_lk_inspect(d, n, "fuzz", &lk, &err) == 0) {
		struct unifw_jv *o = unifw_jv_object();
		unifw_lk_info_to_json(&lk, o);
		unifw_jv_free(o);
	}
}

const struct fuzz_target fuzz_target = { .name = "lk", .run = fuzz_one };
