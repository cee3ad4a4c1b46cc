/* logo.bin: the boot logo / charging animation partition (LOGO).
 * Layout (checked on the corpus A516 and Mobiwire dumps, see docs/format-logo.md):
 *   512-byte MediaTek header (88 16 88 58, u32 payload size, name "LOGO", 0xFF fill)
 *   payload: u32 count, u32 total size, count x u32 offsets relative to the payload start,
 *            then count zlib streams, each inflating to a raw little-endian RGB565 frame.
 *   partition dumps carry padding after the payload.
 * Frames have no stored width/height: sizes are inferred per frame from the inflated size. */
#ifndef UNIFW_LOGO_H
#define UNIFW_LOGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_LOGO_HEADER_SIZE 512u
#define UNIFW_LOGO_MAX_FILE (64u << 20)          /* LOGO partitions are 3-8 MiB */
#define UNIFW_LOGO_MAX_FRAMES 4096u
#define UNIFW_LOGO_MAX_FRAME_BYTES (32u << 20)   /* one inflated frame (4096x4096 RGB565) */
#define UNIFW_LOGO_MAX_TOTAL_INFLATED (512u << 20) /* bound on all frames together (zlib bombs) */
#define UNIFW_LOGO_MAX_DIM 8192u

/* Where a frame's width x height came from. */
enum unifw_logo_size_source {
	UNIFW_LOGO_SIZE_UNKNOWN = 0, /* odd byte count or no plausible shape */
	UNIFW_LOGO_SIZE_PANEL,       /* exact match with a known panel resolution */
	UNIFW_LOGO_SIZE_SPRITE,      /* exact match with a known charging-animation sprite size */
	UNIFW_LOGO_SIZE_GUESS,       /* chosen by row correlation of the pixels */
	UNIFW_LOGO_SIZE_USER,        /* given by the user (--size) */
};

struct unifw_logo_frame {
	uint64_t offset;            /* from the payload start, as in the offset table */
	uint64_t compressed_size;   /* bytes up to the next offset (or the total size) */
	uint64_t inflated_size;     /* bytes the zlib stream inflates to */
	uint32_t width, height;     /* 0 x 0 when unknown */
	enum unifw_logo_size_source size_source;
};

struct unifw_logo {
	uint64_t file_size;
	uint64_t header_size;       /* payload length from the MTK header */
	uint64_t payload_padding;   /* file bytes after 512 + header_size (partition dumps) */
	int pad_byte;               /* the padding's single byte value, -1 if mixed or none */
	uint32_t count;
	uint32_t total_size;        /* the payload's own total-size field */
	uint32_t width, height;     /* panel resolution: frame 0's size if it is a panel size */
	struct unifw_logo_frame *frames;
	const uint8_t *payload;     /* borrowed from the parsed buffer: keep it alive */
};

/* Parse a whole logo.bin image held in memory. Inflates every frame (bounded) to learn its
 * size. The result borrows buf (payload pointer). Free with unifw_logo_free. */
int unifw_logo_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_logo *out,
		     struct unifw_error *err);
void unifw_logo_free(struct unifw_logo *logo);

/* Inflate frame i into a malloc'd RGB565 buffer (caller frees). */
int unifw_logo_frame_pixels(const struct unifw_logo *logo, uint32_t i, uint8_t **pixels, size_t *len,
			    struct unifw_error *err);

/* Infer width x height for an RGB565 frame of len bytes: panel table, sprite table, then the
 * shape whose rows correlate best. pixels may be NULL (tables only). Returns the source. */
enum unifw_logo_size_source unifw_logo_infer_size(const uint8_t *pixels, size_t len, uint32_t *width,
						  uint32_t *height);
/* Apply a user size to every frame whose inflated size is width*height*2; returns how many. */
uint32_t unifw_logo_force_size(struct unifw_logo *logo, uint32_t width, uint32_t height);
const char *unifw_logo_size_source_name(enum unifw_logo_size_source s);

/* One frame to build: RGB565 little-endian pixels, width*height*2 bytes (borrowed). */
struct unifw_logo_image {
	const uint8_t *pixels;
	uint32_t width, height;
};

/* Build logo.bin: MTK header "LOGO" + payload with zlib level 9 frames (the level the stock
 * files use, so unchanged frames come out byte-identical). pad_to > 0 pads the file with
 * pad_byte up to that size (error if the image is larger). Caller frees *out. */
int unifw_logo_build(const struct unifw_logo_image *images, uint32_t count, uint64_t pad_to, uint8_t pad_byte,
		     uint8_t **out, size_t *out_len, struct unifw_error *err);

/* PNG <-> RGB565 through libpng. The PNG is RGB 8-bit; RGB565 expands by bit replication, so
 * PNG -> RGB565 of an unpacked frame gives back the original pixels exactly. */
int unifw_logo_png_write(const char *path, const uint8_t *rgb565, uint32_t width, uint32_t height,
			 struct unifw_error *err);
int unifw_logo_png_read(const char *path, uint8_t **rgb565, uint32_t *width, uint32_t *height,
			struct unifw_error *err);
/* The same PNG in memory (malloc'd, caller frees *png): what reports embed. */
int unifw_logo_png_encode(const uint8_t *rgb565, uint32_t width, uint32_t height, uint8_t **png, size_t *png_len,
			  struct unifw_error *err);

/* Bounds of unifw_logo_frames_json for one side of a report (`unifw check --html`). */
#define UNIFW_LOGO_JSON_FRAMES 4u
#define UNIFW_LOGO_JSON_PNG_BYTES (2u << 20)

/* The first frames of a logo.bin (a package's LOGO image, a backup's LOGO file or the partition read from
 * a phone) as PNG images in JSON: [{"type": "logo_frame", "index", "width", "height", "png_base64"}...].
 * At most max_frames frames and max_png_bytes of PNG in total (0 = the UNIFW_LOGO_JSON_* defaults); frames
 * of unknown size are skipped, a frame that would pass the byte bound ends the list. A logo that does not
 * parse fails (name is the error's where). Caller frees *out. */
int unifw_logo_frames_json(const uint8_t *logo, size_t len, const char *name, size_t max_frames,
			   size_t max_png_bytes, struct unifw_jv **out, struct unifw_error *err);

/* Unpack every frame to dir/frame_NNN.png plus dir/logo.manifest (order, sizes, padding facts).
 * Frames of unknown size fail unless the caller forced a size for them. */
int unifw_logo_unpack(const struct unifw_logo *logo, const char *dir, struct unifw_error *err);
/* Read dir/logo.manifest and the PNGs it names, build logo.bin (see unifw_logo_build).
 * pad_to = 0: no padding. Caller frees *out. */
int unifw_logo_repack(const char *dir, uint64_t pad_to, uint8_t **out, size_t *out_len, struct unifw_error *err);

#define UNIFW_LOGO_MANIFEST "logo.manifest"

bool unifw_logo_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"logo", "header_size", "payload_padding", "frame_count", "total_size", "resolution",
 *  "frames":[{"index","width","height","compressed_size","inflated_size","size_source"}...]} */
int unifw_logo_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
