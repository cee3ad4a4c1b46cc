/* Android sparse images: streaming reader, writer, raw<->sparse conversion and a random-access
 * view. Layout facts: AOSP libsparse sparse_format.h (see docs/format-sparse-ext4.md); checked
 * against simg2img/img2simg in tests/unit/test_sparse.c. */
#include "unifw/sparse.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include "unifw/ext4.h"
#include "format/sparse_internal.h"
#include "util/bytes.h"

/* ---------------------------------------------------------------- CRC-32 helpers */

/* CRC-32 (802.3, zlib's crc32) of n copies of a block whose CRC is crc_block. Doubling with
 * crc32_combine keeps huge FILL/DONT_CARE runs O(log n). */
static uint32_t crc_repeat(uint32_t crc_block, uint64_t block_len, uint64_t n)
{
	uint32_t result = 0, cur = crc_block;
	uint64_t cur_len = block_len;
	while (n) {
		if (n & 1)
			result = (uint32_t)crc32_combine(result, cur, (z_off_t)cur_len);
		n >>= 1;
		if (n) {
			cur = (uint32_t)crc32_combine(cur, cur, (z_off_t)cur_len);
			cur_len *= 2;
		}
	}
	return result;
}

/* CRC of len bytes (a multiple of 4) of a repeated little-endian u32 pattern. */
static uint32_t crc_pattern(uint32_t value, uint64_t len)
{
	uint8_t buf[4096];
	for (size_t i = 0; i < sizeof buf; i += 4)
		put_le32(buf + i, value);
	uint32_t whole = crc_repeat((uint32_t)crc32(0, buf, sizeof buf), sizeof buf, len / sizeof buf);
	size_t rest = (size_t)(len % sizeof buf);
	return rest ? (uint32_t)crc32_combine(whole, crc32(0, buf, (uInt)rest), (z_off_t)rest) : whole;
}

/* ---------------------------------------------------------------- header and chunks */

int unifw_sparse_parse_header(const uint8_t *buf, size_t len, const char *name, struct unifw_sparse_header *h,
			      struct unifw_error *err)
{
	uint32_t magic = 0;
	memset(h, 0, sizeof *h);
	if (len < UNIFW_SPARSE_HEADER_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len, "sparse header needs 28 bytes, found %zu", len);
	get_le32(buf, len, 0, &magic);
	if (magic != UNIFW_SPARSE_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0, "expected sparse magic 0xed26ff3a, found 0x%08x", magic);
	get_le16(buf, len, 4, &h->major);
	get_le16(buf, len, 6, &h->minor);
	get_le16(buf, len, 8, &h->file_hdr_sz);
	get_le16(buf, len, 10, &h->chunk_hdr_sz);
	get_le32(buf, len, 12, &h->block_size);
	get_le32(buf, len, 16, &h->total_blocks);
	get_le32(buf, len, 20, &h->total_chunks);
	get_le32(buf, len, 24, &h->image_checksum);
	/* libsparse rejects a higher major version and accepts any minor one. */
	if (h->major != 1)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, name, 4, "sparse major version: expected 1, found %u", h->major);
	if (h->file_hdr_sz < UNIFW_SPARSE_HEADER_SIZE)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 8, "file header size: expected >= 28, found %u",
				       h->file_hdr_sz);
	if (h->chunk_hdr_sz < UNIFW_SPARSE_CHUNK_HEADER_SIZE)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 10, "chunk header size: expected >= 12, found %u",
				       h->chunk_hdr_sz);
	if (h->block_size == 0 || h->block_size % 4 || h->block_size > UNIFW_SPARSE_MAX_BLOCK_SIZE)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 12,
				       "block size: expected a multiple of 4 up to %u, found %u", UNIFW_SPARSE_MAX_BLOCK_SIZE,
				       h->block_size);
	if ((uint64_t)h->total_blocks * h->block_size > UNIFW_SPARSE_MAX_EXPANDED)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, 16, "expanded size %llu bytes exceeds %llu",
				       (unsigned long long)h->total_blocks * h->block_size,
				       (unsigned long long)UNIFW_SPARSE_MAX_EXPANDED);
	return 0;
}

static const char *chunk_type_name(uint16_t t)
{
	switch (t) {
	case UNIFW_SPARSE_RAW: return "RAW";
	case UNIFW_SPARSE_FILL: return "FILL";
	case UNIFW_SPARSE_DONT_CARE: return "DONT_CARE";
	case UNIFW_SPARSE_CRC32: return "CRC32";
	default: return "?";
	}
}

/* Decode and check one chunk header found at file offset at; out_blocks = blocks before it. */
int sparse_decode_chunk(const uint8_t ch[12], const struct unifw_sparse_header *h, uint64_t at, uint64_t out_blocks,
			uint32_t index, const char *name, struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	uint32_t total_sz = 0;
	memset(c, 0, sizeof *c);
	get_le16(ch, 12, 0, &c->type);
	get_le32(ch, 12, 4, &c->blocks);
	get_le32(ch, 12, 8, &total_sz);
	c->index = index;
	c->file_offset = at;
	c->data_offset = at + h->chunk_hdr_sz;
	c->out_offset = out_blocks * h->block_size;
	c->out_size = (uint64_t)c->blocks * h->block_size;
	uint64_t expect;
	switch (c->type) {
	case UNIFW_SPARSE_RAW: expect = h->chunk_hdr_sz + c->out_size; break;
	case UNIFW_SPARSE_FILL: case UNIFW_SPARSE_CRC32: expect = h->chunk_hdr_sz + 4ull; break;
	case UNIFW_SPARSE_DONT_CARE: expect = h->chunk_hdr_sz; break;
	default:
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at,
				       "chunk %u: expected type CAC1..CAC4 (RAW, FILL, DONT_CARE, CRC32), found 0x%04x",
				       index, c->type);
	}
	if (total_sz != expect)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at + 8,
				       "chunk %u (%s, %u blocks): total size expected %llu, found %u", index,
				       chunk_type_name(c->type), c->blocks, (unsigned long long)expect, total_sz);
	if (c->type != UNIFW_SPARSE_CRC32 && out_blocks + c->blocks > h->total_blocks)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at + 4,
				       "chunk %u: %u blocks at block %llu run past the image's %u blocks", index, c->blocks,
				       (unsigned long long)out_blocks, h->total_blocks);
	if (c->type == UNIFW_SPARSE_CRC32)
		c->out_size = 0;
	return 0;
}

int sparse_end_check(const struct unifw_sparse_header *h, uint64_t out_blocks, uint64_t at, const char *name,
		     struct unifw_error *err)
{
	if (out_blocks != h->total_blocks)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at,
				       "chunks cover %llu blocks; the header says %u", (unsigned long long)out_blocks,
				       h->total_blocks);
	return 0;
}

/* ---------------------------------------------------------------- streaming walk */

struct walk {
	struct unifw_stream *in;
	const struct unifw_sparse_sink *sink;
	const struct unifw_sparse_header *h;
	uint64_t fpos;          /* file offset of the next unread byte */
	uint32_t crc;           /* of the expanded image so far */
	uint8_t *piece;
};

static int walk_read(struct walk *w, void *buf, size_t len, const char *what, struct unifw_error *err)
{
	int rc = unifw_stream_read_exact(w->in, buf, len, what, err);
	if (rc == 0)
		w->fpos += len;
	return rc;
}

static int walk_skip(struct walk *w, uint64_t n, struct unifw_error *err)
{
	int rc = unifw_stream_skip(w->in, n, err);
	if (rc == 0)
		w->fpos += n;
	return rc;
}

static int walk_raw(struct walk *w, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	const struct unifw_sparse_sink *s = w->sink;
	if (!s->data && !s->verify_crc)
		return walk_skip(w, c->out_size, err);
	for (uint64_t done = 0; done < c->out_size;) {
		size_t n = c->out_size - done < PIECE ? (size_t)(c->out_size - done) : PIECE;
		int rc = walk_read(w, w->piece, n, "RAW chunk data", err);
		if (!rc && s->data)
			rc = s->data(s->ctx, c->out_offset + done, w->piece, n, err);
		if (rc)
			return rc;
		w->crc = (uint32_t)crc32(w->crc, w->piece, (uInt)n);
		done += n;
	}
	return 0;
}

static int walk_chunk_data(struct walk *w, struct unifw_sparse_chunk *c, const char *name, struct unifw_error *err)
{
	uint8_t v[4];
	int rc = 0;
	switch (c->type) {
	case UNIFW_SPARSE_RAW:
		return walk_raw(w, c, err);
	case UNIFW_SPARSE_FILL:
		rc = walk_read(w, v, 4, "FILL value", err);
		c->value = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
		if (!rc && w->sink->verify_crc)
			w->crc = (uint32_t)crc32_combine(w->crc, crc_pattern(c->value, c->out_size), (z_off_t)c->out_size);
		return rc;
	case UNIFW_SPARSE_DONT_CARE:
		if (w->sink->verify_crc) /* don't-care counts as zeros (sparse_format.h) */
			w->crc = (uint32_t)crc32_combine(w->crc, crc_pattern(0, c->out_size), (z_off_t)c->out_size);
		return 0;
	default:
		rc = walk_read(w, v, 4, "CRC32 value", err);
		c->value = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
		if (!rc && w->sink->verify_crc && c->value != w->crc)
			rc = unifw_error_set(err, UNIFW_E_FORMAT, name, c->data_offset,
					     "chunk %u: CRC32 of the image so far: expected 0x%08x (stored), computed 0x%08x",
					     c->index, c->value, w->crc);
		return rc;
	}
}

void sparse_count_chunk(struct unifw_sparse_stats *st, const struct unifw_sparse_chunk *c)
{
	switch (c->type) {
	case UNIFW_SPARSE_RAW: st->raw++; st->raw_bytes += c->out_size; break;
	case UNIFW_SPARSE_FILL: st->fill++; break;
	case UNIFW_SPARSE_DONT_CARE: st->dont_care++; break;
	default: st->crc32++; break;
	}
}

static int walk_chunks(struct walk *w, struct unifw_sparse_stats *st, struct unifw_error *err)
{
	const struct unifw_sparse_header *h = w->h;
	const char *name = w->in->name;
	uint64_t out_blocks = 0;
	for (uint32_t i = 0; i < h->total_chunks; i++) {
		uint8_t ch[UNIFW_SPARSE_CHUNK_HEADER_SIZE];
		struct unifw_sparse_chunk c;
		uint64_t at = w->fpos;
		int rc = walk_read(w, ch, sizeof ch, "chunk header", err);
		if (!rc)
			rc = sparse_decode_chunk(ch, h, at, out_blocks, i, name, &c, err);
		if (!rc)
			rc = walk_skip(w, h->chunk_hdr_sz - UNIFW_SPARSE_CHUNK_HEADER_SIZE, err);
		/* FILL/CRC32 values are read before chunk() so that it sees them. */
		if (!rc && c.type != UNIFW_SPARSE_RAW)
			rc = walk_chunk_data(w, &c, name, err);
		if (!rc && w->sink->chunk)
			rc = w->sink->chunk(w->sink->ctx, &c, err);
		if (!rc && c.type == UNIFW_SPARSE_RAW)
			rc = walk_raw(w, &c, err);
		if (rc)
			return rc;
		sparse_count_chunk(st, &c);
		out_blocks += c.blocks * (c.type != UNIFW_SPARSE_CRC32);
	}
	return sparse_end_check(h, out_blocks, w->fpos, name, err);
}

int unifw_sparse_walk(struct unifw_stream *in, const struct unifw_sparse_sink *sink, struct unifw_sparse_header *h,
		      struct unifw_sparse_stats *st, struct unifw_error *err)
{
	uint8_t hb[UNIFW_SPARSE_HEADER_SIZE];
	struct unifw_sparse_stats local;
	struct unifw_sparse_sink none = {0};
	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	struct walk w = {.in = in, .sink = sink ? sink : &none, .h = h};
	int rc = walk_read(&w, hb, sizeof hb, "sparse header", err);
	if (!rc)
		rc = unifw_sparse_parse_header(hb, sizeof hb, in->name, h, err);
	if (!rc && w.sink->header)
		rc = w.sink->header(w.sink->ctx, h, err);
	if (!rc)
		rc = walk_skip(&w, h->file_hdr_sz - UNIFW_SPARSE_HEADER_SIZE, err);
	if (rc)
		return rc;
	if (w.sink->data || w.sink->verify_crc) {
		w.piece = malloc(PIECE);
		if (!w.piece)
			return unifw_error_set(err, UNIFW_E_NOMEM, in->name, UNIFW_NO_OFFSET, "out of memory");
	}
	rc = walk_chunks(&w, st, err);
	free(w.piece);
	/* The header's checksum covers the whole expanded image (0: none, as img2simg writes it). */
	if (!rc && w.sink->verify_crc && h->image_checksum && w.crc != h->image_checksum)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, in->name, 24,
				     "image checksum: expected 0x%08x (header), computed 0x%08x over the %llu expanded "
				     "bytes: the image is damaged",
				     h->image_checksum, w.crc, (unsigned long long)h->total_blocks * h->block_size);
	return rc;
}

/* ---------------------------------------------------------------- fd helpers */

/* ---------------------------------------------------------------- expand */

struct expand { int fd; const char *name; uint8_t *pattern; uint64_t max; };

/* The declared size decides before anything is written: a 44-byte file can declare terabytes. */
static int expand_header(void *ctx, const struct unifw_sparse_header *h, struct unifw_error *err)
{
	struct expand *x = ctx;
	uint64_t size = (uint64_t)h->total_blocks * h->block_size;
	struct statvfs vfs;
	if (size > x->max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, x->name, 12,
				       "expands to %llu bytes (%u blocks of %u), more than the limit of %llu bytes",
				       (unsigned long long)size, h->total_blocks, h->block_size, (unsigned long long)x->max);
	/* f_blocks 0: a file system without a size (memfd, some FUSE ones) says nothing about free space */
	if (fstatvfs(x->fd, &vfs) == 0 && vfs.f_blocks && size > (uint64_t)vfs.f_bavail * vfs.f_frsize)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, x->name, 12,
				       "expands to %llu bytes (%u blocks of %u) but the output's file system has only %llu "
				       "bytes free",
				       (unsigned long long)size, h->total_blocks, h->block_size,
				       (unsigned long long)vfs.f_bavail * vfs.f_frsize);
	return 0;
}

static int expand_data(void *ctx, uint64_t off, const uint8_t *buf, size_t len, struct unifw_error *err)
{
	struct expand *x = ctx;
	return unifw_fd_pwrite_all(x->fd, buf, len, off, x->name, err);
}

static int expand_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	struct expand *x = ctx;
	/* Zero fills and don't-care stay holes: ftruncate at the end makes them read as zeros. */
	if (c->type != UNIFW_SPARSE_FILL || c->value == 0)
		return 0;
	for (size_t i = 0; i < PIECE; i += 4)
		put_le32(x->pattern + i, c->value);
	for (uint64_t done = 0; done < c->out_size;) {
		size_t n = c->out_size - done < PIECE ? (size_t)(c->out_size - done) : PIECE;
		int rc = unifw_fd_pwrite_all(x->fd, x->pattern, n, c->out_offset + done, x->name, err);
		if (rc)
			return rc;
		done += n;
	}
	return 0;
}

int unifw_sparse_expand_fd(struct unifw_stream *in, int out_fd, struct unifw_sparse_header *h,
			   struct unifw_error *err)
{
	return unifw_sparse_expand_fd_max(in, out_fd, 0, h, err);
}

int unifw_sparse_expand_fd_max(struct unifw_stream *in, int out_fd, uint64_t max_size, struct unifw_sparse_header *h,
			       struct unifw_error *err)
{
	struct unifw_sparse_header local;
	if (!h)
		h = &local;
	struct expand x = {.fd = out_fd, .name = in->name, .pattern = malloc(PIECE),
			   .max = max_size ? max_size : UNIFW_SPARSE_MAX_RAW};
	if (!x.pattern)
		return unifw_error_set(err, UNIFW_E_NOMEM, in->name, UNIFW_NO_OFFSET, "out of memory");
	struct unifw_sparse_sink sink = {.header = expand_header, .chunk = expand_chunk, .data = expand_data,
					 .ctx = &x, .verify_crc = true};
	int rc = unifw_sparse_walk(in, &sink, h, NULL, err);
	free(x.pattern);
	if (!rc && ftruncate(out_fd, (off_t)((uint64_t)h->total_blocks * h->block_size)) < 0)
		rc = unifw_error_sys(err, NULL, "set the expanded image size");
	return rc;
}

int unifw_sparse_expand_file(struct unifw_stream *in, const char *out_path, struct unifw_error *err)
{
	char *tmp;
	int fd = unifw_file_temp_beside(out_path, &tmp, err);
	if (fd < 0)
		return fd;
	int rc = unifw_sparse_expand_fd(in, fd, NULL, err);
	return unifw_file_temp_finish(fd, tmp, out_path, rc, err);
}
