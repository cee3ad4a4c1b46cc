/* MediaTek PMT (partition management table) on eMMC, as the MT65xx preloader/LK/kernel read it:
 * a 0x1000-byte region: u32 signature "PTv1" (0x50547631, little-endian), version "1.0\0" (or "1.1\0"),
 * 40 entries of {name[64], size u64, offset u64, mask_flags u64} (0x58 bytes), the signature again in the
 * last 4 bytes; the mirror copy "MPT1" (0x4D505431) follows in the next 0x1000 bytes.
 * Placement (user area size - 0x100000) differs between sources: see docs/format-partition-tables.md. */
#ifndef UNIFW_PMT_H
#define UNIFW_PMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_PMT_REGION_SIZE 0x1000u
#define UNIFW_PMT_ENTRY_SIZE 0x58u
#define UNIFW_PMT_MAX_ENTRIES 40u
#define UNIFW_PMT_NAME_LEN 64u
#define UNIFW_PMT_ENTRIES_OFFSET 8u
#define UNIFW_PMT_SIG 0x50547631u        /* "PTv1" as a little-endian u32 */
#define UNIFW_PMT_MIRROR_SIG 0x4D505431u /* "MPT1" */
#define UNIFW_PMT_OFFSET_FROM_END 0x100000u

struct unifw_pmt_entry {
	char name[UNIFW_PMT_NAME_LEN + 1]; /* NUL-terminated copy; "" = unused slot */
	uint64_t size;
	uint64_t offset;
	uint64_t mask_flags;
};

struct unifw_pmt {
	char version[5];                  /* "1.0" (MT6572 sources) or "1.1" */
	bool from_mirror;                 /* the primary copy was invalid; entries come from MPT1 */
	bool has_mirror;                  /* a valid mirror follows the primary */
	bool mirror_matches;              /* ...and holds the same entries */
	struct unifw_pmt_entry entry[UNIFW_PMT_MAX_ENTRIES];
	size_t count;                     /* slots with a non-empty name */
};

/* Parse a PMT region: buf holds the primary (0x1000 bytes) and optionally the mirror right after it.
 * When the primary is invalid, a valid mirror is used (from_mirror). Errors name the offset. */
int unifw_pmt_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_pmt *out, struct unifw_error *err);
/* Parse a bare array of up to 40 entries (no header or trailer), e.g. entries handed over by a DA. */
int unifw_pmt_parse_entries(const uint8_t *buf, size_t len, const char *name, struct unifw_pmt *out,
			    struct unifw_error *err);
/* Write the primary and the mirror (2 * 0x1000 bytes into out, out_len >= 0x2000). An empty version means
 * "1.0". Names longer than 63 bytes or a version other than "1.0"/"1.1" are refused. */
int unifw_pmt_build(const struct unifw_pmt *pmt, uint8_t *out, size_t out_len, struct unifw_error *err);
/* Where the sources put the primary copy: user-area size - 0x100000 ([?] see the docs). */
uint64_t unifw_pmt_location(uint64_t user_area_size);

bool unifw_pmt_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"pmt", ...}: keys in docs/format-partition-tables.md. */
int unifw_pmt_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
