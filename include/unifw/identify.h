/* unifw — identify a connected phone: the eMMC CID decoded, and everything the phone says about
 * itself (phone.h) plus its partition tables read from the phone (PMT via the DA, MBR/EBR walked in
 * the user area). Implemented in src/ops/identify.c; JSON keys in docs/identify.md. */
#ifndef UNIFW_IDENTIFY_H
#define UNIFW_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/json.h"
#include "unifw/phone.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An eMMC CID (JEDEC JESD84 "CID register"), bytes MSB first:
 * 0 MID, 1 CBX (bits 1:0), 2 OID, 3..8 PNM, 9 PRV (BCD n.m), 10..13 PSN, 14 MDT, 15 CRC7 << 1 | 1. */
struct unifw_cid {
	uint8_t mid;
	const char *manufacturer;   /* from the MID table (emi.h), NULL when unknown */
	uint8_t cbx;                /* 0 removable card, 1 BGA (discrete), 2 POP */
	uint8_t oid;
	char product[7];            /* PNM; bytes outside printable ASCII become '?', trailing blanks cut */
	uint8_t prv_major, prv_minor;
	uint32_t serial;            /* PSN */
	unsigned month;             /* 1..12 (0 = invalid) */
	unsigned year;              /* see unifw_cid_decode */
	uint8_t crc;                /* the stored CRC7 */
	bool crc_ok;                /* stored CRC7 == CRC7 of bytes 0..14 and the stop bit is set */
};

/* Decode 16 CID bytes. MDT: month = high nibble, year = 1997 + low nibble, plus 16 when that is
 * before 2010: every MT6572-era part is eMMC 4.41 or later, where the counter restarts at 2013
 * (JESD84-B451, the rule Linux's mmc_decode_cid applies for EXT_CSD_REV >= 5). */
void unifw_cid_decode(const uint8_t cid[16], struct unifw_cid *out);
/* CRC7 (polynomial x^7 + x^3 + 1) of n bytes, as the 7-bit value. */
uint8_t unifw_cid_crc7(const uint8_t *bytes, size_t n);
/* {"raw":"15010...","manufacturer_id":"0x15","manufacturer":"Samsung","cbx":1,"oem_id":"0x00",
 *  "product":"N5U00M","revision":"1.0","serial":"0x5a176a2c","manufactured":"2016-11","crc_ok":true} */
void unifw_cid_to_json(const uint8_t cid[16], struct unifw_jv *obj);

/* One partition as the phone's own tables tell it (identify and backup share this). Offsets are
 * user-area byte offsets (MBR at 0); linear = offset + boot region. */
struct unifw_phone_part_entry {
	char name[65];
	uint64_t offset;            /* user-area offset (UINT64_MAX: not in the user area, i.e. PRELOADER) */
	uint64_t size;
	bool in_mbr;                /* listed by MBR/EBR (ext4/FAT) */
	bool in_pmt;                /* listed by the PMT */
	unsigned kernel_index;      /* mmcblk0pN from the MBR/EBR walk, 0 if not there */
	uint64_t pmt_mask_flags;
	char content[24];           /* signature found at its start: "ext4", "lk", "bootimg", ... or "" */
	bool from_end;              /* the PMT stated a 0xFFFFxxxx "blocks from the end" address (BMTPOOL) */
	bool inferred;              /* listed by no table: BMTPOOL, which ptgen reserves at the end */
};

/* The phone's partition layout: PMT (when the DA returns one) and MBR/EBR (read from the user
 * area), merged and confirmed by signatures. NOT_FOUND when neither table exists (a blank eMMC). */
#define UNIFW_PHONE_MAX_PARTS 64u
struct unifw_phone_layout {
	uint64_t boot_region;       /* linear address of user offset 0 */
	uint64_t user_size;
	bool have_pmt, have_mbr;
	bool pmt_linear;            /* PMT offsets were linear addresses (else user-area offsets) */
	struct unifw_phone_part_entry part[UNIFW_PHONE_MAX_PARTS];
	size_t count;               /* in address order; PRELOADER first (boot1) */
	unsigned ebr_count;
	char note[256];             /* a disagreement between the tables, "" if none */
};

/* Read the PMT and walk MBR/EBR over ph, merge them (docs/identify.md: rebuilding a scatter from a
 * readback) and look at each partition's first bytes to confirm its content. */
int unifw_phone_layout_read(struct unifw_phone *ph, struct unifw_phone_layout *out, struct unifw_error *err);

/* MT6572 ptgen reserves BMTPOOL, 0xA8 blocks of 128 KiB, at the end of the user area (the chip
 * table's bmt_partsize); a PMT that lists no reserved partition leaves it out, so the merge adds it
 * when that much space at the end is listed by no table. */
#define UNIFW_PHONE_BMTPOOL_BLOCKS 0xA8u
#define UNIFW_PHONE_BMT_BLOCK 0x20000u

/* The merge step alone (unit-testable): pmt may be NULL/0, mbr_sectors as read; the reader reads
 * user-area sectors (for EBRs and signatures; may be NULL: no signatures). */
struct unifw_pmt;
struct unifw_mbr_table;
int unifw_phone_layout_merge(const struct unifw_pmt *pmt, const struct unifw_mbr_table *mbr, uint64_t boot_region,
			     uint64_t user_size, struct unifw_phone_layout *out, struct unifw_error *err);

/* {"boot_region","pmt","pmt_offsets","mbr","ebr_count","note","partitions":[{name,region,linear,offset,size,
 * listed_by,kernel_index,content}]} */
void unifw_phone_layout_to_json(const struct unifw_phone_layout *l, struct unifw_jv *obj);

/* Everything for `unifw identify --json`: the phone's info (unifw_phone_info_to_json) plus
 * "partition_table" (unifw_phone_layout_to_json). *out owned by the caller. A missing partition
 * table is not an error (blank eMMC): "partition_table.partitions" is then empty and
 * "partition_table.error" says why. */
int unifw_identify(struct unifw_phone *ph, struct unifw_jv **out, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
