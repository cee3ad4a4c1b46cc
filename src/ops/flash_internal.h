/* Internals of the flash job shared by flash_plan.c, flash_image.c, flash_journal.c and flash.c (and their
 * unit tests): how an image of a package is opened, and how it is cut into ranges. */
#ifndef UNIFW_OPS_FLASH_INTERNAL_H
#define UNIFW_OPS_FLASH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/archive.h"
#include "unifw/flash.h"
#include "unifw/hash.h"
#include "unifw/io.h"
#include "unifw/pmt.h"
#include "unifw/sparse.h"

/* An image of the package opened for reading: a folder file (pread-capable) or an archive member
 * (sequential: the archive is walked to the member). */
struct flash_image {
	struct unifw_stream s;
	struct unifw_archive *ar;
	bool open;
};
int flash_image_open(const struct unifw_package *pkg, const struct unifw_package_item *it, struct flash_image *img,
		     struct unifw_error *err);
void flash_image_close(struct flash_image *img);
/* Read a whole (small) image, at most max bytes. Caller frees *buf. */
int flash_image_read_all(const struct unifw_package *pkg, const struct unifw_package_item *it, size_t max,
			 uint8_t **buf, size_t *len, struct unifw_error *err);

/* A piece of a range: RAW bytes of the image file at src, FILL bytes of a repeated u32, or bytes of a
 * buffer in memory (the wrapped preloader). */
enum flash_piece_kind { FLASH_PIECE_RAW, FLASH_PIECE_FILL, FLASH_PIECE_MEM };
struct flash_piece {
	uint8_t kind;
	uint32_t fill;             /* FILL: the pattern as stored (little-endian u32) */
	uint64_t len;
	uint64_t src;              /* RAW: offset in the image file; MEM: offset in the buffer */
};

/* A range: len bytes at off (relative to the partition start), contiguous on the phone, made of
 * pieces[first .. first+count). One write command, one read-back, one unit of journal progress. */
struct flash_range {
	uint64_t off, len;
	size_t first, count;
};

struct flash_ranges {
	struct flash_piece *pieces;
	size_t piece_count, piece_cap;
	struct flash_range *ranges;
	size_t count, cap;
	uint64_t wire_bytes;       /* bytes that go to the phone */
	uint64_t skipped_bytes;    /* DONT_CARE bytes never sent */
	uint64_t extent;           /* end of the last byte the image covers (sparse: expanded size) */
	const uint8_t *mem;        /* MEM pieces point here (not owned) */
};
void flash_ranges_free(struct flash_ranges *r);
/* A raw image of `size` bytes, cut into ranges of at most max bytes. */
int flash_ranges_raw(uint64_t size, uint64_t max, struct flash_ranges *out, struct unifw_error *err);
/* The same over a memory buffer (pieces of kind MEM). */
int flash_ranges_mem(const uint8_t *buf, uint64_t size, uint64_t max, struct flash_ranges *out,
		     struct unifw_error *err);
/* Walk a sparse image once before anything of it is written: RAW and FILL chunks become pieces,
 * consecutive ones merge into ranges of at most max bytes, DONT_CARE ends a range and is never sent.
 * Chunks must start on 512-byte boundaries (block size a multiple of 512). RAW data is read on the way:
 * CRC32 chunks and a nonzero header image checksum are verified, so a damaged image fails here. */
int flash_ranges_sparse(struct unifw_stream *s, uint64_t max, struct flash_ranges *out, struct unifw_error *err);

/* Fills write buffers from a range's pieces and, when `copy` is set, keeps a copy of what it handed out
 * (copy[i] = byte i of the range) for the read-back to be compared with. */
struct flash_source {
	const struct flash_ranges *rs;
	const struct flash_range *range;
	struct unifw_stream *img;  /* RAW pieces (pread when available, else forward reads) */
	size_t piece;              /* current piece (index into rs->pieces) */
	uint64_t piece_pos;        /* bytes of the current piece handed out */
	uint64_t done;             /* bytes of the range handed out */
	uint8_t *copy;             /* NULL, or room for the whole range */
};
/* unifw_phone_source callback: ctx = struct flash_source. Asks past the range end get zeros (not copied). */
int flash_source_fill(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err);

/* The PMT (primary "PTv1" + mirror "MPT1", 2 x 0x1000 bytes) for a scatter's layout: one entry per named
 * partition, offset = linear address (what MediaTek's tools and the virtual phone store), in scatter order,
 * at most 40. out must hold UNIFW_FLASH_PMT_BYTES. */
#define UNIFW_FLASH_PMT_BYTES (2u * UNIFW_PMT_REGION_SIZE)
int flash_pmt_from_scatter(const struct unifw_scatter *sc, uint8_t *out, struct unifw_error *err);

/* Lower-case hex of the CID (33 bytes incl. NUL). */
void flash_cid_hex(const uint8_t cid[16], char out[33]);

/* Layout rules of the plan that look past names (flash_layout.c): a write overlapping an identity region
 * the facts found by content is refused ("identity_overlap") unless it is the permitted write of that very
 * identity partition; the overlaps `unifw scatter validate` reports refuse the plan ("scatter-overlap"). */
void flash_plan_identity_regions(struct unifw_flash_plan *plan, const struct unifw_flash_facts *facts);
int flash_plan_scatter_overlaps(struct unifw_flash_plan *plan, const struct unifw_scatter *sc, const char *scatter_name,
				struct unifw_error *err);
/* Does an identity image (NVRAM, PRO_INFO, PROTECT_F, PROTECT_S) come from the connected phone? Only when the
 * package's unifw backup manifest lists the file, records this phone's CID and the image's SHA-256
 * (flash_provenance.c). code NULL: it does (why says so); else "identity_no_provenance",
 * "identity_other_phone" or "identity_hash_mismatch" with why naming the image. Negative: the image could
 * not be read (err). */
struct flash_provenance {
	const char *code;
	char why[480];
};
int flash_identity_provenance(const struct unifw_package *pkg, const struct unifw_package_item *it,
			      const uint8_t phone_cid[16], struct flash_provenance *out, struct unifw_error *err);
/* The package's backup manifest (flash_provenance.c): its path (and the length of its folder), the
 * partitions[] entry whose "file" is the image at package path `path`, the item of a manifest "file". */
const char *flash_manifest_path(const struct unifw_package *pkg, size_t *dir_len);
const struct unifw_jv *flash_manifest_entry(const struct unifw_package *pkg, const char *path);
const struct unifw_package_item *flash_manifest_item(const struct unifw_package *pkg, const char *file);
/* SHA-256 of a whole image: the package's own digest when it made one, else read through. */
int flash_image_sha256(const struct unifw_package *pkg, const struct unifw_package_item *it, uint8_t out[32],
		       struct unifw_error *err);

#endif
