/* MediaTek MBR/EBR partition tables of the eMMC user area, as MediaTek's ptgen writes them.
 * Only the ext4/FAT partitions get table entries; the raw ones (NVRAM, LK, BOOTIMG...) live in the PMT and
 * the scatter file. The packing is not the PC one (docs/format-partition-tables.md):
 *   MBR  slot 0: type 05, start = EBR1 LBA (relative to the MBR), count 0xFFFFFFFF;
 *        slots 1-3: data, start relative to the MBR;
 *   EBRk slots 0-2: data, start relative to THAT EBR;
 *        slot 3: type 05 link to the next EBR, start relative to EBR1, count 0xFFFFFFFF;
 *   the last partition's count is 0xFFFFFFFF - (start - EBR1 start) ("rest of the disk").
 * All LBAs are 512-byte sectors of the user area (MBR at LBA 0). */
#ifndef UNIFW_MBR_H
#define UNIFW_MBR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_MBR_SECTOR_SIZE 512u
#define UNIFW_MBR_MAX_EBRS 8u                                 /* chain limit (MT6572 uses 1 or 2) */
#define UNIFW_MBR_MAX_PARTS (4u + 3u * UNIFW_MBR_MAX_EBRS)
#define UNIFW_MBR_COUNT_TO_END 0xFFFFFFFFu

enum unifw_mbr_kind {
	UNIFW_MBR_KIND_UNKNOWN = 0,
	UNIFW_MBR_KIND_MBR = 1, /* slot 0 is the extended partition (type 05) */
	UNIFW_MBR_KIND_EBR = 2, /* slots 0-2 data or empty, slot 3 empty or a type 05 link */
};

/* One 16-byte table entry as stored (only type, LBA start and count are meaningful on MediaTek). */
struct unifw_mbr_slot {
	uint8_t type;   /* 0 empty, 0x05 extended/link, 0x83 Linux, 0x0B/0x0C FAT32 */
	uint32_t start; /* LBA field, relative as described above */
	uint32_t count; /* sector count field */
};

struct unifw_mbr_sector {
	struct unifw_mbr_slot slot[4];
	/* True when the boot code area, the status and CHS bytes are all zero and every empty slot is all
	 * zero: ptgen writes nothing else, so this separates a MediaTek table from a PC one. */
	bool mtk_shape;
};

/* Parse one 512-byte sector (buf may be longer: a whole MBR partition dump; only the first sector is
 * read). Fails when the 55 AA signature is missing. `name` is used in errors. */
int unifw_mbr_sector_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_mbr_sector *out,
			   struct unifw_error *err);
/* Write a sector exactly as ptgen does: zeros, the four entries (type, start, count), 55 AA. */
void unifw_mbr_sector_write(const struct unifw_mbr_sector *sec, uint8_t out[UNIFW_MBR_SECTOR_SIZE]);
/* MBR or EBR by shape (see docs): slot 0 of type 05 = MBR; no 05 in slots 0-2 and slot 3 empty or 05 =
 * EBR. A table with three data entries and an empty slot 3 is called an EBR: MediaTek's MBR always has
 * its extended entry in slot 0. */
enum unifw_mbr_kind unifw_mbr_classify(const struct unifw_mbr_sector *sec);
const char *unifw_mbr_kind_name(enum unifw_mbr_kind kind);    /* "mbr", "ebr", "unknown" */
const char *unifw_mbr_type_name(uint8_t type);                /* "extended", "linux", "fat32", ... */

/* One partition resolved from a chain. */
struct unifw_mbr_part {
	unsigned kernel_index; /* N of mmcblk0pN: MBR slot s -> s+1, EBRk slot s -> 5 + 3(k-1) + s */
	unsigned table;        /* 0 = MBR, k = EBRk */
	unsigned slot;         /* 0..3 */
	uint8_t type;
	uint64_t start_lba;    /* absolute user-area LBA */
	uint32_t count;        /* as stored */
	bool to_end;           /* count is the "rest of the disk" form */
	uint64_t sectors;      /* count, or disk - start for to_end when the disk size is known, else 0 */
};

struct unifw_mbr_table {
	uint64_t ebr_lba[UNIFW_MBR_MAX_EBRS]; /* absolute LBA of EBR1, EBR2, ... */
	size_t ebr_count;
	struct unifw_mbr_part part[UNIFW_MBR_MAX_PARTS];
	size_t count;
	uint64_t disk_sectors; /* user-area size in sectors, 0 = unknown */
};

/* Reads the sector at an absolute user-area LBA into sector[]; returns 0 or a negative status. */
typedef int (*unifw_mbr_read_fn)(void *ctx, uint64_t lba, uint8_t sector[UNIFW_MBR_SECTOR_SIZE],
				 struct unifw_error *err);

/* Follow MBR -> EBR1 -> EBR2 ... through `read`. disk_sectors (0 = unknown) enables the "beyond the end of
 * the disk" checks. Loops, over-long chains, links into the MBR and entries beyond the disk are errors
 * naming the absolute byte offset of the offending slot; `name` (may be NULL) goes into err->where. */
int unifw_mbr_table_read(unifw_mbr_read_fn read, void *ctx, uint64_t disk_sectors, const char *name,
			 struct unifw_mbr_table *out, struct unifw_error *err);
/* The same from separate sector buffers: sectors[0] = MBR, sectors[k] = EBRk (the files ptgen writes).
 * The chain must use exactly the EBRs given. */
int unifw_mbr_table_from_sectors(const uint8_t *const sectors[], const size_t lens[], size_t n,
				 uint64_t disk_sectors, struct unifw_mbr_table *out, struct unifw_error *err);

/* Builder input: ext4/FAT partitions in table order, byte offsets/sizes in the user area (MBR at 0). */
struct unifw_mbr_layout_part {
	uint64_t offset;
	uint64_t size;   /* ignored for the last partition when last_to_end */
	uint8_t type;    /* 0 means 0x83, what ptgen always writes */
};

struct unifw_mbr_layout {
	const struct unifw_mbr_layout_part *parts;
	size_t count;
	const uint64_t *ebr_offsets; /* byte offsets of EBR1, EBR2, ... (raw partitions of the scatter) */
	size_t ebr_count;            /* >= 1 */
	bool last_to_end;            /* the last partition extends to the end of the disk (ptgen: always) */
};

/* Produce MBR, EBR1, EBR2... sectors (1 + ebr_count sectors of 512 bytes, in that order) exactly as ptgen:
 * 3 partitions in the MBR after the extended entry, 3 per EBR, a link in slot 3 when more follow.
 * out_len must be >= (1 + ebr_count) * 512. */
int unifw_mbr_build(const struct unifw_mbr_layout *layout, uint8_t *out, size_t out_len, struct unifw_error *err);

bool unifw_mbr_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"mbr"|"ebr", ...}: keys in docs/format-partition-tables.md. An MBR inside a larger image
 * (a user-area dump) is followed through its EBRs. */
int unifw_mbr_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
