/* The MediaTek 512-byte image header that wraps kernels (KERNEL), boot and recovery ramdisks
 * (ROOTFS, RECOVERY), lk.bin (LK) and logo.bin (LOGO). Layout (docs/format-boot.md):
 *   0x00 magic 88 16 88 58, 0x04 dsize u32 LE (payload length), 0x08 name[32] NUL-padded,
 *   0x28 maddr u32 (0xFFFFFFFF), 0x2C mode u32 (0xFFFFFFFF), 0x30..0x1FF 0xFF fill.
 * The size field may be smaller than what follows the header (page padding, partition dumps), and a
 * header may stand alone (the bare headers split out of boot images): both are reported, not errors. */
#ifndef UNIFW_MTKHDR_H
#define UNIFW_MTKHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_MTKHDR_SIZE 512u
#define UNIFW_MTKHDR_MAGIC 0x58881688u /* bytes 88 16 88 58 */
#define UNIFW_MTKHDR_NAME_LEN 32u
#define UNIFW_MTKHDR_DEFAULT_ADDR 0xFFFFFFFFu

struct unifw_mtkhdr {
	uint32_t dsize;                          /* payload length the header claims */
	char name[UNIFW_MTKHDR_NAME_LEN + 1];    /* the name field up to its first NUL */
	uint32_t maddr;                          /* load address field, 0xFFFFFFFF when unused */
	uint32_t mode;
	bool name_clean;     /* the name field is text then only NULs */
	bool fill_ok;        /* bytes 0x30..0x1FF are all 0xFF */
	uint64_t available;  /* bytes that follow the header in the input (total size - 512) */
	uint64_t padding;    /* available - dsize when the input is longer than the payload, else 0 */
	uint64_t missing;    /* dsize - available when the input stops early (e.g. a bare header), else 0 */
};

/* True when buf starts with the 4-byte magic. */
bool unifw_mtkhdr_is(const uint8_t *buf, size_t len);
/* True when buf starts with the magic and the name field equals name (e.g. "KERNEL"). */
bool unifw_mtkhdr_has_name(const uint8_t *buf, size_t len, const char *name);

/* Parse the header at buf[0..512). total = size of the whole input (header + what follows), used for
 * padding/missing. Fails with UNIFW_E_TRUNCATED (offset = len) when fewer than 512 bytes, and
 * UNIFW_E_FORMAT at offset 0 for a wrong magic. */
int unifw_mtkhdr_parse(const uint8_t *buf, size_t len, uint64_t total, struct unifw_mtkhdr *h,
		       struct unifw_error *err);

/* Write a header in the layout every MediaTek tool produces: name NUL-padded, 0xFF fill.
 * The name must be shorter than 32 bytes (UNIFW_E_INVALID otherwise). */
int unifw_mtkhdr_write(uint8_t out[UNIFW_MTKHDR_SIZE], uint32_t dsize, const char *name, uint32_t maddr,
		       uint32_t mode, struct unifw_error *err);

/* Same header fields into a JSON object (no "type" key): name, payload_size, maddr, mode, ... */
void unifw_mtkhdr_to_json(const struct unifw_mtkhdr *h, struct unifw_jv *obj);

/* {"type":"mtk_header", ...} for a file that starts with the header (stream at offset 0). */
int unifw_mtkhdr_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);
/* Magic at offset 0 and a printable name. */
bool unifw_mtkhdr_probe(const uint8_t *head, size_t head_len, uint64_t total_size);

#ifdef __cplusplus
}
#endif
#endif
