/* libFuzzer: content detection over every module, then the detected module's describe, from a memory
 * stream with random access and (chosen by the last input byte) from a sequential one like an archive
 * member. The same bytes also go through the JSON parser (manifests and journals), whose trees must
 * serialise into text that parses again, and through the flash journal's typed reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/detect.h"
#include "unifw/flash.h"
#include "unifw/json.h"
#include "unifw/package.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	size_t head_len = n < UNIFW_DETECT_HEAD ? n : UNIFW_DETECT_HEAD;
	const char *type = unifw_detect(d, head_len, n);
	if (!type || !*type)
		__builtin_trap();

	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *obj = unifw_jv_object();
	unifw_error_clear(&err);
	unifw_stream_from_mem(&s, d, n, "fuzz.bin");
	if (n && (d[n - 1] & 1))
		s.pread = NULL; /* sequential only, like a zip member */
	int rc = unifw_detect_describe(&s, d, head_len, obj, &err);
	/* A describe that succeeds always says what it described. */
	if (rc == 0 && !unifw_jv_str(unifw_jv_get(obj, "type")))
		__builtin_trap();
	char *text = unifw_jv_to_string(obj, false);
	free(text);
	unifw_jv_free(obj);
	unifw_stream_close(&s);

	struct unifw_jv *manifest = NULL;
	unifw_error_clear(&err);
	if (unifw_jv_parse((const char *)d, n, "manifest.json", UNIFW_PACKAGE_MAX_TEXT, UNIFW_PACKAGE_JSON_DEPTH,
			   &manifest, &err) == 0) {
		struct unifw_jv *again = NULL;
		text = unifw_jv_to_string(manifest, false);
		if (!text || unifw_jv_parse(text, strlen(text), "again", SIZE_MAX, UNIFW_PACKAGE_JSON_DEPTH, &again,
					    &err))
			__builtin_trap();
		free(text);
		unifw_jv_free(again);
		unifw_jv_free(manifest);
	}
	struct unifw_flash_journal j;
	if (unifw_flash_journal_parse((const char *)d, n, "fuzz.journal", &j, &err) == 0)
		unifw_flash_journal_free(&j);
}

const struct fuzz_target fuzz_target = { .name = "detect", .run = fuzz_one };
