/* What is this file? Content detection over every format module, by bytes, never by file name.
 * Each module exports a cheap probe over the first bytes (up to UNIFW_DETECT_HEAD bytes) and a describe
 * that fills a JSON object; detection asks the probes in an order that puts the most specific magic
 * first (sparse, ANDROID!, the MTK 512-byte header by its name field, GFH/EMMC_BOOT, ...) and text
 * formats (scatter, device-info files) last. */
#ifndef UNIFW_DETECT_H
#define UNIFW_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How many leading bytes the probes are given (fewer if the file is shorter). */
#define UNIFW_DETECT_HEAD (64u * 1024u)

/* One format module as seen by detection. */
struct unifw_format {
	const char *type;   /* detection's type string: "sparse", "bootimg", "lk", ... (see docs/json.md) */
	const char *module; /* src/format/<module>.c */
	bool (*probe)(const uint8_t *head, size_t head_len, uint64_t total_size);
	int (*describe)(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);
};

/* The module whose probe claims these bytes, or NULL. total_size = whole file size
 * (UNIFW_SIZE_UNKNOWN if not known, e.g. some archive members). */
const struct unifw_format *unifw_detect_format(const uint8_t *head, size_t head_len, uint64_t total_size);

/* Type string of the content: one of the module types, refined where the bytes say more
 * ("seccfg" / "secro" for secimg, the device-info kind for text files); "text" for other plain text,
 * "unknown" for other binary data. */
const char *unifw_detect(const uint8_t *head, size_t head_len, uint64_t total_size);

/* Describe a stream positioned at offset 0 whose first bytes are head[0..head_len):
 * the detected module's describe, or for unclaimed content the unifw_detect_unknown object.
 * Returns the module's status (negative with err filled on a describe failure). */
int unifw_detect_describe(struct unifw_stream *s, const uint8_t *head, size_t head_len, struct unifw_jv *obj,
			  struct unifw_error *err);

/* The object for content no module claims: {"type":"text"|"unknown", "size", "head_hex", "hint"}; the hint
 * names what the bytes look like (erased 0xFF/0x00, gzip, xz, ELF, zip, UBI...). */
void unifw_detect_unknown(const uint8_t *head, size_t head_len, uint64_t total_size, struct unifw_jv *obj);

/* Every module in detection order (for tests and docs); *count receives the number of entries. */
const struct unifw_format *unifw_detect_formats(size_t *count);

#ifdef __cplusplus
}
#endif
#endif
