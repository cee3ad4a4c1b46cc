/* Fuzz the device-information text parsers: kind detection, dumchar table, describe. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_driver.h"
#include "unifw/devtext.h"

static void fuzz_one(const uint8_t *data, size_t size)
{
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_dumchar d;
	struct unifw_jv *obj = unifw_jv_object();

	(void)unifw_devtext_probe(data, size, size);
	if (unifw_dumchar_parse((const char *)data, size, "fuzz", &d, &err) == 0)
		unifw_dumchar_free(&d);
	unifw_stream_from_mem(&s, data, size, "fuzz");
	(void)unifw_devtext_describe(&s, obj, &err);
	unifw_stream_close(&s);
	unifw_jv_free(obj);
}

const struct fuzz_target fuzz_target = { .name = "devtext", .run = fuzz_one };
