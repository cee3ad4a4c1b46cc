/* Android sparse images (system.img, userdata.img, cache.img of later MT6572 builds).
 * Format (AOSP libsparse sparse_format.h, see docs/format-sparse-ext4.md):
 *   28-byte header: magic 0xED26FF3A, major 1, minor, file_hdr_sz, chunk_hdr_sz, blk_sz,
 *   total_blks, total_chunks, image_checksum; then total_chunks chunks, each a 12-byte header
 *   (type u16, reserved, chunk_sz in blocks, total_sz in bytes incl. header) and its data:
 *   RAW 0xCAC1 (blocks of data), FILL 0xCAC2 (u32 pattern), DONT_CARE 0xCAC3 (nothing),
 *   CRC32 0xCAC4 (u32 CRC-32 of the expanded image so far, don't-care counted as zeros).
 * Readers stream (never load the image); the view gives random access through a chunk index. */
#ifndef UNIFW_SPARSE_H
#define UNIFW_SPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_SPARSE_MAGIC 0xED26FF3Au
#define UNIFW_SPARSE_HEADER_SIZE 28u
#define UNIFW_SPARSE_CHUNK_HEADER_SIZE 12u
#define UNIFW_SPARSE_MAX_BLOCK_SIZE (16u << 20)
#define UNIFW_SPARSE_MAX_EXPANDED (1ull << 44)   /* 16 TiB: far above any eMMC partition */
#define UNIFW_SPARSE_MAX_INDEX (16u << 20)       /* chunks kept by a random-access view */
#define UNIFW_SPARSE_MAX_RAW (64ull << 30)       /* default limit of an expansion to a raw file */

enum unifw_sparse_chunk_type {
	UNIFW_SPARSE_RAW = 0xCAC1,
	UNIFW_SPARSE_FILL = 0xCAC2,
	UNIFW_SPARSE_DONT_CARE = 0xCAC3,
	UNIFW_SPARSE_CRC32 = 0xCAC4,
};

struct unifw_sparse_header {
	uint16_t major, minor, file_hdr_sz, chunk_hdr_sz;
	uint32_t block_size, total_blocks, total_chunks, image_checksum;
};

struct unifw_sparse_chunk {
	uint32_t index;
	uint16_t type;             /* enum unifw_sparse_chunk_type */
	uint32_t blocks;           /* chunk_sz */
	uint64_t file_offset;      /* of the chunk header in the sparse file */
	uint64_t data_offset;      /* of the chunk's data in the sparse file */
	uint64_t out_offset;       /* where it lands in the expanded image */
	uint64_t out_size;         /* blocks * block_size */
	uint32_t value;            /* FILL pattern or CRC32 value, as stored (LE) */
};

struct unifw_sparse_stats {
	uint64_t raw, fill, dont_care, crc32;   /* chunk counts */
	uint64_t raw_bytes;                     /* expanded bytes carried as RAW data */
};

/* Check a 28-byte header (buf may be longer). Offsets in errors are file offsets. */
int unifw_sparse_parse_header(const uint8_t *buf, size_t len, const char *name, struct unifw_sparse_header *h,
			      struct unifw_error *err);

/* Streaming walk over a sparse stream (sequential reads only; pread not needed).
 * chunk() is called for every chunk; data() receives RAW bytes in pieces (out_offset is the
 * offset in the expanded image). With data == NULL and verify_crc false, RAW data is skipped.
 * With verify_crc, every CRC32 chunk is checked against the image expanded so far. */
struct unifw_sparse_sink {
	/* Optional: called once the header is checked, before any chunk (refuse by the declared size here). */
	int (*header)(void *ctx, const struct unifw_sparse_header *h, struct unifw_error *err);
	int (*chunk)(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err);
	int (*data)(void *ctx, uint64_t out_offset, const uint8_t *buf, size_t len, struct unifw_error *err);
	void *ctx;
	bool verify_crc;
};
int unifw_sparse_walk(struct unifw_stream *in, const struct unifw_sparse_sink *sink, struct unifw_sparse_header *h,
		      struct unifw_sparse_stats *st, struct unifw_error *err);

/* Expand to a raw image: fd must be a fresh seekable file (holes for zeros), or a path
 * written atomically. CRC32 chunks are verified. Before the first byte is written, the expanded size the
 * header declares (block size x blocks) is checked: more than UNIFW_SPARSE_MAX_RAW, or more than the free
 * space of out_fd's file system, fails with UNIFW_E_TOO_BIG naming both numbers. */
int unifw_sparse_expand_fd(struct unifw_stream *in, int out_fd, struct unifw_sparse_header *h,
			   struct unifw_error *err);
/* The same with another limit than UNIFW_SPARSE_MAX_RAW (max_size 0: that default). */
int unifw_sparse_expand_fd_max(struct unifw_stream *in, int out_fd, uint64_t max_size, struct unifw_sparse_header *h,
			       struct unifw_error *err);
int unifw_sparse_expand_file(struct unifw_stream *in, const char *out_path, struct unifw_error *err);

/* Write a sparse image from raw bytes. Blocks whose u32 words are all equal become FILL chunks
 * (zero blocks too, unless zeros_as_dont_care); file holes become DONT_CARE; the rest RAW.
 * A last partial block is padded with zeros (the expanded size rounds up to a block). */
struct unifw_sparse_write_opts {
	uint32_t block_size;        /* 0 = 4096 */
	bool zeros_as_dont_care;    /* DONT_CARE keeps old flash contents: only for fresh media */
};
/* From any stream (sequential). out_fd: seekable, positioned at 0 (header patched at the end). */
int unifw_sparse_write_stream(struct unifw_stream *raw, int out_fd, const struct unifw_sparse_write_opts *opts,
			      struct unifw_sparse_stats *st, struct unifw_error *err);
/* From a raw file path, using SEEK_DATA/SEEK_HOLE for holes; output written atomically. */
int unifw_sparse_write_file(const char *raw_path, const char *out_path, const struct unifw_sparse_write_opts *opts,
			    struct unifw_sparse_stats *st, struct unifw_error *err);

/* Random-access view of the expanded image, built by one scan of the chunk headers over a
 * pread-capable stream (which the view borrows: keep it open). Reads of DONT_CARE return zeros.
 * CRC32 chunks are not verified by the view (that needs the whole image). */
struct unifw_sparse_view;
int unifw_sparse_view_open(struct unifw_stream *s, struct unifw_sparse_view **out, struct unifw_error *err);
int unifw_sparse_view_pread(struct unifw_sparse_view *v, void *buf, size_t len, uint64_t off,
			    struct unifw_error *err);
uint64_t unifw_sparse_view_size(const struct unifw_sparse_view *v);
/* A stream (read + pread) over the expanded image; closing it does not close the view. */
void unifw_sparse_view_stream(struct unifw_sparse_view *v, struct unifw_stream *out);
void unifw_sparse_view_close(struct unifw_sparse_view *v);

bool unifw_sparse_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"sparse","block_size","total_blocks","total_chunks","expanded_size","image_checksum",
 *  "chunks":{"raw","fill","dont_care","crc32"},"raw_bytes","inner":{describe of the content}|null} */
int unifw_sparse_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
