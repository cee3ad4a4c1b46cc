/* unifw — identity regions found by CONTENT on a connected phone (docs/flash.md "Identity regions").
 *
 * Names lie: a phone whose PMT and MBR are gone has no names at all, a foreign layout can call NVRAM
 * "NVRAM_X" or put an MBR/EBR entry inside it, and a package's scatter can place any partition over it.
 * So flash and format also look at what is on the eMMC: the first bytes at every partition start of the
 * phone's tables and of the package's scatter, and at the standard MT6572 positions, are read and
 * recognised as
 *   - an NVRAM BinRegion (its File_Title_Header; unifw_nvram_probe, docs/format-nvram.md), or
 *   - an ext4 file system labelled protect_f / protect_s (docs/format-sparse-ext4.md).
 * A write or erase that overlaps such a region is refused unless it is the permitted identity write of that
 * very partition, and every region is backed up before the first write. Implemented in
 * src/ops/identity_regions.c. */
#ifndef UNIFW_IDREGION_H
#define UNIFW_IDREGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/identify.h"
#include "unifw/json.h"
#include "unifw/phone.h"
#include "unifw/scatter.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_IDREGION_MAX 16u
/* Bytes read at each candidate start: the NVRAM header lives in the first 64 KiB (UNIFW_NVRAM_SCAN_LIMIT);
 * the ext4 superblock at 1024. */
#define UNIFW_IDREGION_PROBE_BYTES 65536u
/* User-area offsets of PRO_INFO's neighbours in every MT6572 ptgen layout of the corpus (offsets from MBR):
 * NVRAM, PROTECT_F, PROTECT_S. Scanned even when no table or scatter names them. */
#define UNIFW_IDREGION_STD_NVRAM 0x400000u
#define UNIFW_IDREGION_STD_PROTECT_F 0x900000u
#define UNIFW_IDREGION_STD_PROTECT_S 0x1300000u

enum unifw_idregion_kind { UNIFW_IDREGION_NVRAM, UNIFW_IDREGION_PROTECT };

struct unifw_idregion {
	enum unifw_idregion_kind kind;
	char name[65];             /* partition starting there: the phone's table, else the scatter, else "" */
	char label[17];            /* ext4 volume label ("" for NVRAM) */
	uint64_t offset, size;     /* user-area bytes */
	char found_by[64];         /* "phone table", "package scatter", "standard MT6572 position" */
	bool size_from_table;      /* size is the phone table's entry; else the content's (ext4) or the default */
	/* The phone's table names it as an identity partition (NVRAM, PRO_INFO, PROTECT_F/S) of at least this
	 * size at this start: the identity backup by name already holds it. */
	bool named_identity;
};

struct unifw_idregions {
	bool scanned;              /* the phone was looked at (false: no phone, e.g. a plan built by a test) */
	size_t candidates;         /* starts read */
	struct unifw_idregion r[UNIFW_IDREGION_MAX];
	size_t count;              /* in offset order */
};

/* Recognise the first bytes of a region (pure). avail = bytes from `offset` to the end of the user area
 * (an ext4 size beyond it is cut). Returns true and fills kind, label, size when it is identity content. */
bool unifw_idregion_recognise(const uint8_t *head, size_t len, uint64_t avail, struct unifw_idregion *out);

/* Streams [off, off+len) of a hardware partition to sink (the regions are user-area ranges): the shape of
 * unifw_phone_read with the phone as void *, of a flash device's read and of the jobs' second reads, so
 * that the scan, the backup and its read-back share one reader (a phone, or a test's memory eMMC). */
typedef int (*unifw_idregion_reader)(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len,
				     unifw_phone_sink sink, void *sink_ctx, struct unifw_error *err);

/* Look at every candidate start: layout (may be NULL), scatter (may be NULL; its linear addresses minus
 * its MBR address), and the standard positions. user_size bounds everything. Regions come out in offset
 * order, one per start; a device read error fails the scan (the phone is not in a state to be written). */
int unifw_idregions_scan(unifw_idregion_reader read, void *ctx, const struct unifw_phone_layout *layout,
			 const struct unifw_scatter *sc, uint64_t user_size, struct unifw_idregions *out,
			 struct unifw_error *err);
/* unifw_idregion_reader over a connected phone (ctx = struct unifw_phone *): user-area reads. */
int unifw_idregion_read_phone(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
			      void *sink_ctx, struct unifw_error *err);
/* The scan over a connected phone. */
int unifw_idregions_scan_phone(struct unifw_phone *ph, const struct unifw_phone_layout *layout,
			       const struct unifw_scatter *sc, struct unifw_idregions *out, struct unifw_error *err);

/* The first region overlapping [off, off + len), or NULL. */
const struct unifw_idregion *unifw_idregions_overlap(const struct unifw_idregions *r, uint64_t off, uint64_t len);
/* "NVRAM BinRegion header" / "ext4 volume label protect_f". */
void unifw_idregion_how(const struct unifw_idregion *r, char *out, size_t len);
/* "NVRAM_X at user 0x400000, 5 MiB (NVRAM BinRegion header)". */
void unifw_idregion_describe(const struct unifw_idregion *r, char *out, size_t len);
/* {"scanned","candidates","regions":[{"name","kind","label","offset","size","recognised_by","found_by",
 *  "named_identity"}]} */
void unifw_idregions_to_json(const struct unifw_idregions *r, struct unifw_jv *obj);

/* Read every region the identity backup by name does not hold (named_identity false) into
 * <dir>/region-<offset hex>-<name>.bin, read each a second time and compare (a READ packet's 16-bit sum lets
 * compensating errors through), and list them in <dir>/identity-regions.json (name, offset, size, sha256,
 * how recognised). Nothing to do: no file. */
int unifw_idregions_backup(unifw_idregion_reader read, void *ctx, const struct unifw_idregions *r, const char *dir,
			   struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
