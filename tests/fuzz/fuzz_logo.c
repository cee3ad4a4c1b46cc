/* libFuzzer: logo.bin parse, frame extraction, the frames as PNG JSON and a rebuild round trip of what parsed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/logo.h"

/* Rebuild from the inflated frames and check the result parses to the same pixels. */
static void round_trip(const struct unifw_logo *lg)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < lg->count; i++) {
		if (!lg->frames[i].width)
			return;
		total += lg->frames[i].inflated_size;
	}
	if (total > (8u << 20))
		return; /* keep each run fast */
	struct unifw_logo_image *imgs = calloc(lg->count, sizeof *imgs);
	uint32_t got = 0;
	for (; got < lg->count; got++) {
		uint8_t *px;
		size_t len;
		if (unifw_logo_frame_pixels(lg, got, &px, &len, NULL))
			break;
		imgs[got] = (struct unifw_logo_image){px, lg->frames[got].width, lg->frames[got].height};
	}
	uint8_t *out;
	size_t olen;
	if (got == lg->count && unifw_logo_build(imgs, got, 0, 0, &out, &olen, NULL) == 0) {
		struct unifw_logo again;
		if (unifw_logo_parse(out, olen, "rebuilt", &again, NULL) != 0 || again.count != lg->count)
			abort();
		for (uint32_t i = 0; i < again.count; i++) {
			uint8_t *px;
			size_t len;
			if (unifw_logo_frame_pixels(&again, i, &px, &len, NULL) || len != lg->frames[i].inflated_size ||
			    memcmp(px, imgs[i].pixels, len))
				abort();
			free(px);
		}
		unifw_logo_free(&again);
		free(out);
	}
	for (uint32_t i = 0; i < got; i++)
		free((void *)imgs[i].pixels);
	free(imgs);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_logo lg;
	struct unifw_error e;
	(void)unifw_logo_probe(d, n, n);
	if (unifw_logo_parse(d, n, "fuzz", &lg, &e) == 0) {
		round_trip(&lg);
		unifw_logo_free(&lg);
	}
	/* The frames a check report embeds: small bounds keep each run fast; a failure leaves no array. */
	struct unifw_jv *frames = NULL;
	int rc = unifw_logo_frames_json(d, n, "fuzz", 2, 256u << 10, &frames, &e);
	if ((rc == 0) != (frames != NULL) || unifw_jv_len(frames) > 2)
		abort();
	unifw_jv_free(frames);
	struct unifw_stream s;
	unifw_stream_from_mem(&s, d, n, "fuzz");
	struct unifw_jv *o = unifw_jv_object();
	(void)unifw_logo_describe(&s, o, &e);
	unifw_jv_free(o);
	unifw_stream_close(&s);
}

const struct fuzz_target fuzz_target = { .name = "logo", .run = fuzz_one };
