/* libFuzzer: arbitrary bytes as the tail of a modem image (MD_CHECK_HEADER, modem.h) read from memory,
 * through a random-access stream and through a sequential one; the same bytes as a decompressed kernel
 * Image searched for the virtual phone's records (kernel.h unifw_kernel_find_records), and as the JSON
 * form of a fingerprint read back (fingerprint.h unifw_fingerprint_from_json). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/fingerprint.h"
#include "unifw/kernel.h"
#include "unifw/modem.h"

static void modem(const uint8_t *d, size_t n)
{
	struct unifw_md_header h, h2;
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = unifw_md_header_parse(d, n, "fuzz.img", &h, &err);
	struct unifw_stream s;
	unifw_stream_from_mem(&s, d, n, "fuzz.img");
	if (unifw_md_header_read(&s, &h2, &err) != rc || (rc == 0 && memcmp(&h, &h2, sizeof h)))
		abort(); /* the stream must see what the buffer holds */
	unifw_stream_close(&s);
	unifw_stream_from_mem(&s, d, n, "fuzz.img");
	s.pread = NULL;
	if (unifw_md_header_read(&s, &h2, &err) != rc || (rc == 0 && memcmp(&h, &h2, sizeof h)))
		abort();
	unifw_stream_close(&s);
	if (rc == 0) {
		struct unifw_jv *j = unifw_jv_object();
		unifw_md_header_to_json(&h, j);
		free(unifw_jv_to_string(j, false));
		unifw_jv_free(j);
	}
}

static void fingerprint_json(const uint8_t *d, size_t n)
{
	struct unifw_jv *j = NULL;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_jv_parse((const char *)d, n, "fuzz.json", 1u << 20, 16, &j, &err) != 0)
		return;
	struct unifw_fingerprint *fp = malloc(sizeof *fp), *back = malloc(sizeof *back);
	if (fp && back && unifw_fingerprint_from_json(j, fp, &err) == 0) {
		/* what was read writes and reads back to the same */
		struct unifw_jv *again = unifw_fingerprint_to_json(fp);
		if (unifw_fingerprint_from_json(again, back, &err) != 0 || memcmp(fp, back, sizeof *fp))
			abort();
		unifw_jv_free(again);
	}
	free(fp);
	free(back);
	unifw_jv_free(j);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	modem(d, n);
	struct unifw_kernel_records *r = malloc(sizeof *r);
	if (r)
		unifw_kernel_find_records(d, n, r);
	free(r);
	fingerprint_json(d, n);
}

const struct fuzz_target fuzz_target = { .name = "modem", .run = fuzz_one };
