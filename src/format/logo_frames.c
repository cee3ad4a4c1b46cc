/* The first frames of a logo.bin as base64 PNG in JSON: what `unifw check` puts in its report's "logos"
 * so that the HTML page (src/ops/check_html.c) shows both sides' boot logos without any file beside it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/logo.h"

/* RFC 4648 base64 with padding, NUL-terminated; NULL on overflow or OOM. */
static char *base64_encode(const uint8_t *src, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
		return NULL;
	size_t out_len = (len + 2) / 3 * 4;
	char *out = malloc(out_len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)src[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)src[i + 1] << 8;
		if (i + 2 < len)
			v |= src[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* Frame i as a PNG, or *png = NULL when its size is unknown (nothing to draw). */
static int frame_png(const struct unifw_logo *lg, uint32_t i, uint8_t **png, size_t *png_len,
		     struct unifw_error *err)
{
	*png = NULL;
	const struct unifw_logo_frame *f = &lg->frames[i];
	if (f->width == 0 || f->height == 0 || (uint64_t)f->width * f->height * 2 != f->inflated_size)
		return 0;
	uint8_t *px = NULL;
	size_t px_len = 0;
	int rc = unifw_logo_frame_pixels(lg, i, &px, &px_len, err);
	if (!rc && px_len != (size_t)f->width * f->height * 2)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, NULL, f->offset, "frame %u: expected %llu bytes, inflated %zu", i,
				     (unsigned long long)f->inflated_size, px_len);
	if (!rc)
		rc = unifw_logo_png_encode(px, f->width, f->height, png, png_len, err);
	free(px);
	return rc;
}

static int push_frame(struct unifw_jv *arr, uint32_t i, const struct unifw_logo_frame *f, const uint8_t *png,
		      size_t png_len, struct unifw_error *err)
{
	char *b64 = base64_encode(png, png_len);
	if (!b64)
		return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
	struct unifw_jv *o = unifw_jv_push_obj(arr);
	unifw_jv_set_str(o, "type", "logo_frame");
	unifw_jv_set_uint(o, "index", i);
	unifw_jv_set_uint(o, "width", f->width);
	unifw_jv_set_uint(o, "height", f->height);
	unifw_jv_set_str(o, "png_base64", b64);
	free(b64);
	return 0;
}

static int collect_frames(const struct unifw_logo *lg, size_t max_frames, size_t max_png_bytes,
			  struct unifw_jv *arr, struct unifw_error *err)
{
	size_t shown = 0, png_total = 0;
	for (uint32_t i = 0; i < lg->count && shown < max_frames; i++) {
		uint8_t *png = NULL;
		size_t png_len = 0;
		int rc = frame_png(lg, i, &png, &png_len, err);
		if (rc)
			return rc;
		if (!png)
			continue;
		/* A page the browser can still open: one large frame must not push the rest (and the maps) out. */
		if (png_len > max_png_bytes - png_total) {
			free(png);
			break;
		}
		rc = push_frame(arr, i, &lg->frames[i], png, png_len, err);
		free(png);
		if (rc)
			return rc;
		png_total += png_len;
		shown++;
	}
	return 0;
}

int unifw_logo_frames_json(const uint8_t *logo, size_t len, const char *name, size_t max_frames,
			   size_t max_png_bytes, struct unifw_jv **out, struct unifw_error *err)
{
	*out = NULL;
	if (max_frames == 0)
		max_frames = UNIFW_LOGO_JSON_FRAMES;
	if (max_png_bytes == 0)
		max_png_bytes = UNIFW_LOGO_JSON_PNG_BYTES;
	struct unifw_logo lg;
	int rc = unifw_logo_parse(logo, len, name, &lg, err);
	if (rc)
		return rc;
	struct unifw_jv *arr = unifw_jv_array();
	if (!arr) {
		unifw_logo_free(&lg);
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	}
	rc = collect_frames(&lg, max_frames, max_png_bytes, arr, err);
	unifw_logo_free(&lg);
	if (!rc && unifw_jv_oom(arr))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	if (rc) {
		if (err && !err->where[0] && name)
			snprintf(err->where, sizeof err->where, "%s", name);
		unifw_jv_free(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
