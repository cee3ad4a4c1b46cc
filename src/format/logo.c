/* logo.bin parser, frame size inference, PNG unpack and repack. See include/unifw/logo.h and
 * docs/format-logo.md for the layout and where each fact comes from. */
#include "unifw/logo.h"

#include <errno.h>
#include <limits.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "util/bytes.h"

#define MTK_MAGIC 0x58881688u
#define NAME_OFF 8u
#define NAME_LEN 32u
#define TABLE_OFF 8u /* payload: count, total, then the offsets */

/* ---------------------------------------------------------------- frame sizes */

/* Portrait panel resolutions of MT65xx-era phones (lcm drivers in the corpus names list use
 * these FRAME_WIDTH/FRAME_HEIGHT pairs). All pixel counts are distinct. */
static const struct { uint32_t w, h; } panel_sizes[] = {
	{240, 320}, {240, 400}, {320, 480}, {480, 640}, {480, 800}, {480, 854}, {540, 960},
	{600, 1024}, {720, 1280}, {768, 1024}, {800, 1280}, {1080, 1920},
};

/* Charging-animation sprites of the "ANIMATION_NEW" layout in MediaTek's cust_display.h:
 * NUMBER 38x54, PERCENT 48x54, TOP_ANIMATION 135x24 and the 135x1 line. The same four sizes
 * appear in both corpus logos (4104, 5184, 6480 and 270 bytes). */
static const struct { uint32_t w, h; } sprite_sizes[] = {
	{38, 54}, {48, 54}, {135, 24}, {135, 1},
};

const char *unifw_logo_size_source_name(enum unifw_logo_size_source s)
{
	switch (s) {
	case UNIFW_LOGO_SIZE_PANEL: return "panel_table";
	case UNIFW_LOGO_SIZE_SPRITE: return "sprite_table";
	case UNIFW_LOGO_SIZE_GUESS: return "row_correlation";
	case UNIFW_LOGO_SIZE_USER: return "user";
	default: return "unknown";
	}
}

static unsigned rgb565_luma(const uint8_t *p)
{
	unsigned v = (unsigned)p[0] | (unsigned)p[1] << 8;
	return ((v >> 11) & 31) * 2 + ((v >> 5) & 63) + (v & 31) * 2;
}

/* Mean absolute difference between each pixel and the one a row below, for width w.
 * Sampled so that the cost stays bounded on large frames. Scaled by 1024. */
static uint64_t vertical_cost(const uint8_t *px, uint64_t npix, uint32_t w)
{
	uint64_t pairs = npix - w, step = pairs / 262144 + 1, sum = 0, n = 0;
	for (uint64_t i = 0; i < pairs; i += step) {
		unsigned a = rgb565_luma(px + 2 * i), b = rgb565_luma(px + 2 * (i + w));
		sum += a > b ? a - b : b - a;
		n++;
	}
	return n ? sum * 1024 / n : UINT64_MAX;
}

static uint64_t squareness(uint32_t w, uint32_t h) { return w > h ? w - h : h - w; }

/* The true width makes vertically adjacent pixels similar; wrong widths compare unrelated
 * pixels. Candidates: w >= 8, h >= 2, aspect within 1:16. Ties go to the squarer shape. */
static bool guess_shape(const uint8_t *px, uint64_t npix, uint32_t *width, uint32_t *height)
{
	uint64_t best = UINT64_MAX;
	bool found = false;
	for (uint64_t w = 8; w <= UNIFW_LOGO_MAX_DIM && w * 2 <= npix; w++) {
		if (npix % w)
			continue;
		uint64_t h = npix / w;
		if (h > UNIFW_LOGO_MAX_DIM || w > 16 * h || h > 16 * w)
			continue;
		uint64_t c = vertical_cost(px, npix, (uint32_t)w);
		if (c < best || (c == best && found && squareness((uint32_t)w, (uint32_t)h) < squareness(*width, *height))) {
			best = c;
			*width = (uint32_t)w;
			*height = (uint32_t)h;
			found = true;
		}
	}
	return found;
}

enum unifw_logo_size_source unifw_logo_infer_size(const uint8_t *pixels, size_t len, uint32_t *width,
						  uint32_t *height)
{
	*width = *height = 0;
	if (len == 0 || len % 2)
		return UNIFW_LOGO_SIZE_UNKNOWN;
	uint64_t npix = len / 2;
	for (size_t i = 0; i < sizeof panel_sizes / sizeof *panel_sizes; i++)
		if ((uint64_t)panel_sizes[i].w * panel_sizes[i].h == npix) {
			*width = panel_sizes[i].w;
			*height = panel_sizes[i].h;
			return UNIFW_LOGO_SIZE_PANEL;
		}
	for (size_t i = 0; i < sizeof sprite_sizes / sizeof *sprite_sizes; i++)
		if ((uint64_t)sprite_sizes[i].w * sprite_sizes[i].h == npix) {
			*width = sprite_sizes[i].w;
			*height = sprite_sizes[i].h;
			return UNIFW_LOGO_SIZE_SPRITE;
		}
	if (pixels && guess_shape(pixels, npix, width, height))
		return UNIFW_LOGO_SIZE_GUESS;
	*width = *height = 0;
	return UNIFW_LOGO_SIZE_UNKNOWN;
}

uint32_t unifw_logo_force_size(struct unifw_logo *logo, uint32_t width, uint32_t height)
{
	uint32_t n = 0;
	uint64_t bytes = (uint64_t)width * height * 2;
	for (uint32_t i = 0; i < logo->count; i++)
		if (width && height && logo->frames[i].inflated_size == bytes) {
			logo->frames[i].width = width;
			logo->frames[i].height = height;
			logo->frames[i].size_source = UNIFW_LOGO_SIZE_USER;
			n++;
		}
	return n;
}

/* ---------------------------------------------------------------- inflate */

/* Inflate src into dst (cap bytes) or, with dst NULL, only count the output. Fails past limit.
 * *out = bytes produced. Returns 0 or a negative status with err naming frame/offset. */
static int inflate_bounded(const uint8_t *src, size_t srclen, uint8_t *dst, size_t cap, uint64_t limit,
			   uint64_t *out, const char *where, uint64_t at, uint32_t index, struct unifw_error *err)
{
	uint8_t scratch[65536];
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK)
		return unifw_error_set(err, UNIFW_E_LIBRARY, where, at, "zlib inflateInit failed");
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)(srclen > UINT_MAX ? UINT_MAX : srclen);
	uint64_t total = 0;
	int zr = Z_OK, rc = 0;
	while (zr != Z_STREAM_END) {
		if (dst && total < cap) {
			z.next_out = dst + total;
			z.avail_out = (uInt)((cap - total) > UINT_MAX ? UINT_MAX : cap - total);
		} else if (dst) {
			/* Full: one more byte of room shows whether the stream ends or overflows. */
			z.next_out = scratch;
			z.avail_out = 1;
		} else {
			z.next_out = scratch;
			z.avail_out = sizeof scratch;
		}
		uInt before = z.avail_out;
		zr = inflate(&z, Z_NO_FLUSH);
		total += before - z.avail_out;
		if (dst && total > cap) {
			rc = unifw_error_set(err, UNIFW_E_FORMAT, where, at, "frame %u inflates past its expected %zu bytes",
					     index, cap);
			break;
		}
		if (total > limit) {
			rc = unifw_error_set(err, UNIFW_E_TOO_BIG, where, at,
					     "frame %u inflates to more than %llu bytes (limit); a zlib bomb or not a logo",
					     index, (unsigned long long)limit);
			break;
		}
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			rc = unifw_error_set(err, UNIFW_E_TRUNCATED, where, at + srclen,
					     "frame %u: zlib stream ends early: expected more of its %zu compressed bytes",
					     index, srclen);
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = unifw_error_set(err, UNIFW_E_FORMAT, where, at + z.total_in,
					     "frame %u: expected a zlib stream, zlib says: %s", index,
					     z.msg ? z.msg : "data error");
			break;
		}
	}
	inflateEnd(&z);
	*out = total;
	return rc;
}

/* ---------------------------------------------------------------- parse */

static int check_header(const uint8_t *buf, size_t len, const char *name, struct unifw_error *err)
{
	uint32_t magic = 0;
	if (len < UNIFW_LOGO_HEADER_SIZE + TABLE_OFF)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "file is %zu bytes; a logo.bin needs at least %u (512-byte header + count + total)",
				       len, UNIFW_LOGO_HEADER_SIZE + TABLE_OFF);
	get_le32(buf, len, 0, &magic);
	if (magic != MTK_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0,
				       "expected MediaTek header magic 88 16 88 58, found %02x %02x %02x %02x",
				       buf[0], buf[1], buf[2], buf[3]);
	size_t nl = unifw_fieldlen(buf + NAME_OFF, NAME_LEN);
	if (nl != 4 || memcmp(buf + NAME_OFF, "LOGO", 4))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, NAME_OFF, "expected header name \"LOGO\", found \"%.*s\"",
				       (int)nl, (const char *)buf + NAME_OFF);
	return 0;
}

/* Read and validate the offset table; frames[] gets offsets and compressed sizes. */
static int read_table(const uint8_t *p, uint64_t plen, struct unifw_logo *lg, const char *name,
		      struct unifw_error *err)
{
	const uint64_t base = UNIFW_LOGO_HEADER_SIZE;
	uint64_t table_end = TABLE_OFF + (uint64_t)lg->count * 4;
	if (table_end > lg->total_size)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, base,
				       "offset table of %u entries ends at payload byte %llu, past the total size %u",
				       lg->count, (unsigned long long)table_end, lg->total_size);
	uint64_t prev = table_end;
	for (uint32_t i = 0; i < lg->count; i++) {
		uint32_t off;
		if (!get_le32(p, plen, TABLE_OFF + 4ull * i, &off))
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, base + TABLE_OFF + 4ull * i,
					       "offset table ends early at entry %u", i);
		if (off < prev || off >= lg->total_size)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, base + TABLE_OFF + 4ull * i,
					       "offset of frame %u: expected %llu..%u (after the previous frame, inside the payload), found %u",
					       i, (unsigned long long)prev, lg->total_size - 1, off);
		lg->frames[i].offset = off;
		if (i)
			lg->frames[i - 1].compressed_size = off - lg->frames[i - 1].offset;
		prev = (uint64_t)off + 1; /* a frame holds at least one byte */
	}
	lg->frames[lg->count - 1].compressed_size = lg->total_size - lg->frames[lg->count - 1].offset;
	return 0;
}

static void note_padding(const uint8_t *buf, size_t len, struct unifw_logo *lg)
{
	uint64_t start = UNIFW_LOGO_HEADER_SIZE + lg->header_size;
	lg->payload_padding = len - start;
	lg->pad_byte = -1;
	if (lg->payload_padding == 0)
		return;
	uint8_t b = buf[start];
	for (uint64_t i = start; i < len; i++)
		if (buf[i] != b)
			return;
	lg->pad_byte = b;
}

static int measure_frames(struct unifw_logo *lg, const char *name, struct unifw_error *err)
{
	uint64_t all = 0;
	uint32_t i;
	for (i = 0; i < lg->count; i++) {
		struct unifw_logo_frame *f = &lg->frames[i];
		uint64_t limit = UNIFW_LOGO_MAX_TOTAL_INFLATED - all;
		if (limit > UNIFW_LOGO_MAX_FRAME_BYTES)
			limit = UNIFW_LOGO_MAX_FRAME_BYTES;
		int rc = inflate_bounded(lg->payload + f->offset, (size_t)f->compressed_size, NULL, 0, limit,
					 &f->inflated_size, name, UNIFW_LOGO_HEADER_SIZE + f->offset, i, err);
		if (rc)
			return rc;
		all += f->inflated_size;
	}
	return 0;
}

static void infer_frame_sizes(struct unifw_logo *lg)
{
	for (uint32_t i = 0; i < lg->count; i++) {
		struct unifw_logo_frame *f = &lg->frames[i];
		f->size_source = unifw_logo_infer_size(NULL, (size_t)f->inflated_size, &f->width, &f->height);
		if (f->size_source == UNIFW_LOGO_SIZE_UNKNOWN && f->inflated_size % 2 == 0) {
			uint8_t *px;
			size_t n;
			if (unifw_logo_frame_pixels(lg, i, &px, &n, NULL) == 0) {
				f->size_source = unifw_logo_infer_size(px, n, &f->width, &f->height);
				free(px);
			}
		}
	}
	if (lg->count && lg->frames[0].size_source == UNIFW_LOGO_SIZE_PANEL) {
		lg->width = lg->frames[0].width;
		lg->height = lg->frames[0].height;
	}
}

int unifw_logo_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_logo *out,
		     struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	out->pad_byte = -1;
	int rc = check_header(buf, len, name, err);
	if (rc)
		return rc;
	uint32_t dsize = 0, count = 0, total = 0;
	get_le32(buf, len, 4, &dsize);
	if ((uint64_t)dsize > len - UNIFW_LOGO_HEADER_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, 4,
				       "header payload size %u runs past the end of the file (%zu payload bytes present)",
				       dsize, len - UNIFW_LOGO_HEADER_SIZE);
	const uint8_t *p = buf + UNIFW_LOGO_HEADER_SIZE;
	if (!get_le32(p, dsize, 0, &count) || !get_le32(p, dsize, 4, &total))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, UNIFW_LOGO_HEADER_SIZE,
				       "payload of %u bytes is too short for count and total size", dsize);
	if (count == 0 || count > UNIFW_LOGO_MAX_FRAMES)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, UNIFW_LOGO_HEADER_SIZE,
				       "frame count: expected 1..%u, found %u", UNIFW_LOGO_MAX_FRAMES, count);
	/* The total-size field equals the header's payload size in every corpus file; a larger
	 * total would point frames outside the payload. */
	if (total > dsize)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, UNIFW_LOGO_HEADER_SIZE + 4,
				       "payload total size %u exceeds the header's payload size %u", total, dsize);
	out->file_size = len;
	out->header_size = dsize;
	out->count = count;
	out->total_size = total;
	out->payload = p;
	out->frames = calloc(count, sizeof *out->frames);
	if (!out->frames)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory for %u frames", count);
	note_padding(buf, len, out);
	rc = read_table(p, dsize, out, name, err);
	if (!rc)
		rc = measure_frames(out, name, err);
	if (rc) {
		unifw_logo_free(out);
		return rc;
	}
	infer_frame_sizes(out);
	return 0;
}

void unifw_logo_free(struct unifw_logo *logo)
{
	if (!logo)
		return;
	free(logo->frames);
	logo->frames = NULL;
	logo->count = 0;
}

int unifw_logo_frame_pixels(const struct unifw_logo *logo, uint32_t i, uint8_t **pixels, size_t *len,
			    struct unifw_error *err)
{
	if (i >= logo->count)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "frame %u: only %u frames", i,
				       logo->count);
	const struct unifw_logo_frame *f = &logo->frames[i];
	uint8_t *px = malloc(f->inflated_size ? (size_t)f->inflated_size : 1);
	if (!px)
		return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory for frame %u", i);
	uint64_t got;
	int rc = inflate_bounded(logo->payload + f->offset, (size_t)f->compressed_size, px, (size_t)f->inflated_size,
				 f->inflated_size, &got, NULL, UNIFW_LOGO_HEADER_SIZE + f->offset, i, err);
	if (rc) {
		free(px);
		return rc;
	}
	*pixels = px;
	*len = (size_t)got;
	return 0;
}

/* ---------------------------------------------------------------- build */

static void put_header(uint8_t *h, uint32_t payload_size)
{
	memset(h, 0xFF, UNIFW_LOGO_HEADER_SIZE);
	put_le32(h, MTK_MAGIC);
	put_le32(h + 4, payload_size);
	memset(h + NAME_OFF, 0, NAME_LEN);
	memcpy(h + NAME_OFF, "LOGO", 4);
}

struct zframe { uint8_t *data; size_t len; };

static int compress_frames(const struct unifw_logo_image *images, uint32_t count, struct zframe *z,
			   struct unifw_error *err)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t raw = (uint64_t)images[i].width * images[i].height * 2;
		if (!images[i].width || !images[i].height || raw > UNIFW_LOGO_MAX_FRAME_BYTES)
			return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
					       "frame %u: size %ux%u is empty or above the %u-byte frame limit", i,
					       images[i].width, images[i].height, UNIFW_LOGO_MAX_FRAME_BYTES);
		uLongf cap = compressBound((uLong)raw);
		z[i].data = malloc(cap);
		if (!z[i].data)
			return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory compressing frame %u", i);
		/* Level 9 with default window/memLevel: what the stock files use (78 DA streams). */
		if (compress2(z[i].data, &cap, images[i].pixels, (uLong)raw, 9) != Z_OK)
			return unifw_error_set(err, UNIFW_E_LIBRARY, NULL, UNIFW_NO_OFFSET, "zlib compress2 failed on frame %u", i);
		z[i].len = cap;
	}
	return 0;
}

static int assemble(const struct zframe *z, uint32_t count, uint64_t pad_to, uint8_t pad_byte, uint8_t **out,
		    size_t *out_len, struct unifw_error *err)
{
	uint64_t payload = TABLE_OFF + 4ull * count;
	for (uint32_t i = 0; i < count; i++)
		payload += z[i].len;
	if (payload > UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, NULL, UNIFW_NO_OFFSET, "payload of %llu bytes does not fit u32",
				       (unsigned long long)payload);
	uint64_t size = UNIFW_LOGO_HEADER_SIZE + payload;
	if (pad_to && pad_to < size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, NULL, UNIFW_NO_OFFSET,
				       "logo is %llu bytes, larger than the --pad-to size %llu", (unsigned long long)size,
				       (unsigned long long)pad_to);
	uint64_t file = pad_to ? pad_to : size;
	if (file > UNIFW_LOGO_MAX_FILE)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, NULL, UNIFW_NO_OFFSET, "output of %llu bytes exceeds %u",
				       (unsigned long long)file, UNIFW_LOGO_MAX_FILE);
	uint8_t *b = malloc((size_t)file);
	if (!b)
		return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory for %llu bytes",
				       (unsigned long long)file);
	put_header(b, (uint32_t)payload);
	uint8_t *p = b + UNIFW_LOGO_HEADER_SIZE;
	put_le32(p, count);
	put_le32(p + 4, (uint32_t)payload);
	uint64_t at = TABLE_OFF + 4ull * count;
	for (uint32_t i = 0; i < count; i++) {
		put_le32(p + TABLE_OFF + 4 * i, (uint32_t)at);
		memcpy(p + at, z[i].data, z[i].len);
		at += z[i].len;
	}
	memset(b + size, pad_byte, (size_t)(file - size));
	*out = b;
	*out_len = (size_t)file;
	return 0;
}

int unifw_logo_build(const struct unifw_logo_image *images, uint32_t count, uint64_t pad_to, uint8_t pad_byte,
		     uint8_t **out, size_t *out_len, struct unifw_error *err)
{
	if (count == 0 || count > UNIFW_LOGO_MAX_FRAMES)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "frame count: expected 1..%u, found %u",
				       UNIFW_LOGO_MAX_FRAMES, count);
	struct zframe *z = calloc(count, sizeof *z);
	if (!z)
		return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
	int rc = compress_frames(images, count, z, err);
	if (!rc)
		rc = assemble(z, count, pad_to, pad_byte, out, out_len, err);
	for (uint32_t i = 0; i < count; i++)
		free(z[i].data);
	free(z);
	return rc;
}

/* ---------------------------------------------------------------- PNG */

int unifw_logo_png_encode(const uint8_t *rgb565, uint32_t width, uint32_t height, uint8_t **png, size_t *png_len,
			  struct unifw_error *err)
{
	size_t npix = (size_t)width * height;
	uint8_t *rgb = malloc(npix ? npix * 3 : 1);
	if (!rgb)
		return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; i < npix; i++) {
		unsigned v = (unsigned)rgb565[2 * i] | (unsigned)rgb565[2 * i + 1] << 8;
		unsigned r = (v >> 11) & 31, g = (v >> 5) & 63, b = v & 31;
		/* Bit replication: exact inverse of taking the top bits, so PNG -> RGB565 is lossless. */
		rgb[3 * i] = (uint8_t)(r << 3 | r >> 2);
		rgb[3 * i + 1] = (uint8_t)(g << 2 | g >> 4);
		rgb[3 * i + 2] = (uint8_t)(b << 3 | b >> 2);
	}
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = width;
	img.height = height;
	img.format = PNG_FORMAT_RGB;
	png_alloc_size_t size = 0;
	void *mem = NULL;
	int rc = 0;
	if (!png_image_write_to_memory(&img, NULL, &size, 0, rgb, 0, NULL))
		rc = unifw_error_set(err, UNIFW_E_LIBRARY, NULL, UNIFW_NO_OFFSET, "libpng: %s", img.message);
	else if (!(mem = malloc(size)))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
	else if (!png_image_write_to_memory(&img, mem, &size, 0, rgb, 0, NULL))
		rc = unifw_error_set(err, UNIFW_E_LIBRARY, NULL, UNIFW_NO_OFFSET, "libpng: %s", img.message);
	png_image_free(&img);
	free(rgb);
	if (rc) {
		free(mem);
		return rc;
	}
	*png = mem;
	*png_len = size;
	return 0;
}

int unifw_logo_png_write(const char *path, const uint8_t *rgb565, uint32_t width, uint32_t height,
			 struct unifw_error *err)
{
	uint8_t *png = NULL;
	size_t len = 0;
	int rc = unifw_logo_png_encode(rgb565, width, height, &png, &len, err);
	if (rc) {
		if (err && !err->where[0])
			snprintf(err->where, sizeof err->where, "%s", path);
		return rc;
	}
	rc = unifw_file_write_atomic(path, png, len, err);
	free(png);
	return rc;
}

int unifw_logo_png_read(const char *path, uint8_t **rgb565, uint32_t *width, uint32_t *height,
			struct unifw_error *err)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET, "expected a PNG image: libpng: %s",
				       img.message);
	if (img.width == 0 || img.height == 0 || img.width > UNIFW_LOGO_MAX_DIM || img.height > UNIFW_LOGO_MAX_DIM ||
	    (uint64_t)img.width * img.height * 2 > UNIFW_LOGO_MAX_FRAME_BYTES) {
		int rc = unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET,
					 "PNG is %ux%u; a logo frame is at most %ux%u and %u bytes", img.width, img.height,
					 UNIFW_LOGO_MAX_DIM, UNIFW_LOGO_MAX_DIM, UNIFW_LOGO_MAX_FRAME_BYTES);
		png_image_free(&img);
		return rc;
	}
	img.format = PNG_FORMAT_RGB;
	size_t npix = (size_t)img.width * img.height;
	uint8_t *rgb = malloc(npix * 3);
	uint8_t *out = malloc(npix * 2);
	if (!rgb || !out) {
		free(rgb);
		free(out);
		png_image_free(&img);
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	/* Black background for images with alpha: the panel shows no transparency. */
	png_color black = {0, 0, 0};
	if (!png_image_finish_read(&img, &black, rgb, 0, NULL)) {
		int rc = unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET, "libpng: %s", img.message);
		free(rgb);
		free(out);
		png_image_free(&img);
		return rc;
	}
	for (size_t i = 0; i < npix; i++) {
		unsigned v = (unsigned)(rgb[3 * i] >> 3) << 11 | (unsigned)(rgb[3 * i + 1] >> 2) << 5 | rgb[3 * i + 2] >> 3;
		put_le16(out + 2 * i, (uint16_t)v);
	}
	free(rgb);
	*rgb565 = out;
	*width = img.width;
	*height = img.height;
	png_image_free(&img);
	return 0;
}

/* ---------------------------------------------------------------- unpack / repack */

static int path_join(char *buf, size_t cap, const char *dir, const char *file, struct unifw_error *err)
{
	if (snprintf(buf, cap, "%s/%s", dir, file) >= (int)cap)
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	return 0;
}

static int ensure_dir(const char *dir, struct unifw_error *err)
{
	struct stat st;
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET,
								 "exists and is not a directory");
	if (mkdir(dir, 0755) < 0)
		return unifw_error_sys(err, dir, "mkdir");
	return 0;
}

static int write_manifest(const struct unifw_logo *lg, const char *dir, struct unifw_error *err)
{
	char path[PATH_MAX];
	int rc = path_join(path, sizeof path, dir, UNIFW_LOGO_MANIFEST, err);
	if (rc)
		return rc;
	char *text = NULL;
	size_t tlen = 0;
	FILE *m = open_memstream(&text, &tlen);
	if (!m)
		return unifw_error_sys(err, path, "open_memstream");
	fprintf(m, "unifw-logo-manifest 1\n"
		   "# frames in logo.bin order: frame INDEX FILE WIDTHxHEIGHT SIZE_SOURCE\n"
		   "# 'unifw logo repack' reads this file; edit the PNGs, keep their sizes.\n");
	fprintf(m, "source_file_size %llu\nsource_header_size %llu\nsource_padding %llu\n",
		(unsigned long long)lg->file_size, (unsigned long long)lg->header_size,
		(unsigned long long)lg->payload_padding);
	if (lg->pad_byte >= 0)
		fprintf(m, "pad_byte 0x%02x\n", lg->pad_byte);
	for (uint32_t i = 0; i < lg->count; i++)
		fprintf(m, "frame %u frame_%03u.png %ux%u %s\n", i, i, lg->frames[i].width, lg->frames[i].height,
			unifw_logo_size_source_name(lg->frames[i].size_source));
	fclose(m);
	rc = text ? unifw_file_write_atomic(path, text, tlen, err)
		  : unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	free(text);
	return rc;
}

int unifw_logo_unpack(const struct unifw_logo *lg, const char *dir, struct unifw_error *err)
{
	for (uint32_t i = 0; i < lg->count; i++)
		if (!lg->frames[i].width)
			return unifw_error_set(err, UNIFW_E_UNSUPPORTED, NULL, UNIFW_LOGO_HEADER_SIZE + lg->frames[i].offset,
					       "frame %u: cannot tell the size of a %llu-byte frame; give --size WxH", i,
					       (unsigned long long)lg->frames[i].inflated_size);
	int rc = ensure_dir(dir, err);
	for (uint32_t i = 0; !rc && i < lg->count; i++) {
		char path[PATH_MAX], file[32];
		uint8_t *px;
		size_t n;
		snprintf(file, sizeof file, "frame_%03u.png", i);
		rc = path_join(path, sizeof path, dir, file, err);
		if (!rc)
			rc = unifw_logo_frame_pixels(lg, i, &px, &n, err);
		if (rc)
			break;
		rc = unifw_logo_png_write(path, px, lg->frames[i].width, lg->frames[i].height, err);
		free(px);
	}
	if (!rc)
		rc = write_manifest(lg, dir, err);
	return rc;
}

/* A manifest names files inside DIR only: a plain name, no separators, no leading dot. */
static bool safe_file_name(const char *s)
{
	if (!*s || *s == '.' || strlen(s) > 200)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-' || *s == '.'))
			return false;
	return true;
}

struct manifest_frame { char file[256]; uint32_t w, h; };

static int parse_manifest_line(char *line, unsigned lineno, const char *mpath, struct manifest_frame *frames,
			       uint32_t *count, int *pad_byte, struct unifw_error *err)
{
	unsigned idx, w, h, pb;
	char file[256];
	if (line[0] == '#' || line[0] == 0 || !strncmp(line, "source_", 7) || !strncmp(line, "unifw-logo-manifest", 19))
		return 0;
	if (sscanf(line, "pad_byte %x", &pb) == 1 && pb <= 0xFF) {
		*pad_byte = (int)pb;
		return 0;
	}
	if (sscanf(line, "frame %u %255s %ux%u", &idx, file, &w, &h) != 4)
		return unifw_error_set(err, UNIFW_E_FORMAT, mpath, UNIFW_NO_OFFSET,
				       "line %u: expected 'frame INDEX FILE WxH', found \"%.60s\"", lineno, line);
	if (idx != *count || idx >= UNIFW_LOGO_MAX_FRAMES)
		return unifw_error_set(err, UNIFW_E_FORMAT, mpath, UNIFW_NO_OFFSET,
				       "line %u: expected frame index %u (frames in order, at most %u), found %u", lineno,
				       *count, UNIFW_LOGO_MAX_FRAMES, idx);
	if (!safe_file_name(file))
		return unifw_error_set(err, UNIFW_E_UNSAFE, mpath, UNIFW_NO_OFFSET,
				       "line %u: file name \"%s\" must be a plain name inside the directory", lineno, file);
	snprintf(frames[idx].file, sizeof frames[idx].file, "%s", file);
	frames[idx].w = w;
	frames[idx].h = h;
	(*count)++;
	return 0;
}

static int read_manifest(const char *dir, struct manifest_frame **frames, uint32_t *count, int *pad_byte,
			 struct unifw_error *err)
{
	char mpath[PATH_MAX];
	uint8_t *text;
	size_t len;
	int rc = path_join(mpath, sizeof mpath, dir, UNIFW_LOGO_MANIFEST, err);
	if (!rc)
		rc = unifw_file_read_all(mpath, 1u << 20, &text, &len, err);
	if (rc)
		return rc;
	if (len < 19 || memcmp(text, "unifw-logo-manifest", 19)) {
		free(text);
		return unifw_error_set(err, UNIFW_E_FORMAT, mpath, 0, "expected a first line 'unifw-logo-manifest 1'");
	}
	*frames = calloc(UNIFW_LOGO_MAX_FRAMES, sizeof **frames);
	char *s = (char *)text; /* unifw_file_read_all ends it with a NUL */
	if (!*frames) {
		free(s);
		return unifw_error_set(err, UNIFW_E_NOMEM, mpath, UNIFW_NO_OFFSET, "out of memory");
	}
	*count = 0;
	unsigned lineno = 0;
	for (char *save = NULL, *line = strtok_r(s, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[l - 1] = 0;
		rc = parse_manifest_line(line, ++lineno, mpath, *frames, count, pad_byte, err);
	}
	free(s);
	if (!rc && *count == 0)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, mpath, UNIFW_NO_OFFSET, "manifest lists no frames");
	return rc;
}

static int load_frames(const char *dir, const struct manifest_frame *mf, uint32_t count,
		       struct unifw_logo_image *imgs, struct unifw_error *err)
{
	for (uint32_t i = 0; i < count; i++) {
		char path[PATH_MAX];
		uint8_t *px;
		int rc = path_join(path, sizeof path, dir, mf[i].file, err);
		if (!rc)
			rc = unifw_logo_png_read(path, &px, &imgs[i].width, &imgs[i].height, err);
		if (rc)
			return rc;
		imgs[i].pixels = px;
		/* The bootloader blits a frame at a fixed size: a changed size would not display. */
		if (imgs[i].width != mf[i].w || imgs[i].height != mf[i].h)
			return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
					       "frame %u: the manifest says %ux%u, the PNG is %ux%u", i, mf[i].w, mf[i].h,
					       imgs[i].width, imgs[i].height);
	}
	return 0;
}

int unifw_logo_repack(const char *dir, uint64_t pad_to, uint8_t **out, size_t *out_len, struct unifw_error *err)
{
	struct manifest_frame *mf = NULL;
	uint32_t count = 0;
	int pad_byte = 0;
	int rc = read_manifest(dir, &mf, &count, &pad_byte, err);
	struct unifw_logo_image *imgs = NULL;
	if (!rc) {
		imgs = calloc(count, sizeof *imgs);
		if (!imgs)
			rc = unifw_error_set(err, UNIFW_E_NOMEM, dir, UNIFW_NO_OFFSET, "out of memory");
	}
	if (!rc)
		rc = load_frames(dir, mf, count, imgs, err);
	if (!rc)
		rc = unifw_logo_build(imgs, count, pad_to, (uint8_t)(pad_byte < 0 ? 0 : pad_byte), out, out_len, err);
	for (uint32_t i = 0; imgs && i < count; i++)
		free((void *)imgs[i].pixels);
	free(imgs);
	free(mf);
	return rc;
}

/* ---------------------------------------------------------------- probe / describe */

bool unifw_logo_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	uint32_t magic = 0;
	(void)total_size;
	if (!get_le32(head, head_len, 0, &magic) || magic != MTK_MAGIC || head_len < NAME_OFF + NAME_LEN)
		return false;
	return unifw_fieldlen(head + NAME_OFF, NAME_LEN) == 4 && !memcmp(head + NAME_OFF, "LOGO", 4);
}

static void describe_frames(const struct unifw_logo *lg, struct unifw_jv *obj)
{
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "frames");
	for (uint32_t i = 0; i < lg->count; i++) {
		const struct unifw_logo_frame *f = &lg->frames[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "frame");
		unifw_jv_set_uint(o, "index", i);
		unifw_jv_set_uint(o, "width", f->width);
		unifw_jv_set_uint(o, "height", f->height);
		unifw_jv_set_uint(o, "compressed_size", f->compressed_size);
		unifw_jv_set_uint(o, "inflated_size", f->inflated_size);
		unifw_jv_set_str(o, "size_source", unifw_logo_size_source_name(f->size_source));
	}
}

int unifw_logo_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = unifw_stream_read_all(s, UNIFW_LOGO_MAX_FILE, &buf, &n, err);
	struct unifw_logo lg;
	if (!rc)
		rc = unifw_logo_parse(buf, n, s->name, &lg, err);
	if (!rc) {
		unifw_jv_set_str(obj, "type", "logo");
		unifw_jv_set_uint(obj, "header_size", lg.header_size);
		unifw_jv_set_uint(obj, "payload_padding", lg.payload_padding);
		unifw_jv_set_uint(obj, "frame_count", lg.count);
		unifw_jv_set_uint(obj, "total_size", lg.total_size);
		if (lg.width)
			unifw_jv_set_strf(obj, "resolution", "%ux%u", lg.width, lg.height);
		else
			unifw_jv_set(obj, "resolution", NULL);
		describe_frames(&lg, obj);
		unifw_logo_free(&lg);
	}
	free(buf);
	return rc;
}
