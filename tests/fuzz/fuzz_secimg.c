/* libFuzzer: seccfg / secro recognition and description. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_driver.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/secimg.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_seccfg c;
	struct unifw_secro r;
	(void)unifw_secimg_probe(d, n, n);
	(void)unifw_seccfg_parse(d, n, "fuzz", &c, NULL);
	(void)unifw_secro_parse(d, n, "fuzz", &r, NULL);
	struct unifw_stream s;
	unifw_stream_from_mem(&s, d, n, "fuzz");
	struct unifw_jv *o = unifw_jv_object();
	(void)unifw_secimg_describe(&s, o, NULL);
	unifw_jv_free(o);
	unifw_stream_close(&s);
}

const struct fuzz_target fuzz_target = { .name = "secimg", .run = fuzz_one };
