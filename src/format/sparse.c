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
#include "util/bytes.h"

#define PIECE (1u << 20) /* RAW data is moved in pieces of at most this size */

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
static int decode_chunk(const uint8_t ch[12], const struct unifw_sparse_header *h, uint64_t at, uint64_t out_blocks,
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

static int end_check(const struct unifw_sparse_header *h, uint64_t out_blocks, uint64_t at, const char *name,
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

static void count_chunk(struct unifw_sparse_stats *st, const struct unifw_sparse_chunk *c)
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
			rc = decode_chunk(ch, h, at, out_blocks, i, name, &c, err);
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
		count_chunk(st, &c);
		out_blocks += c.blocks * (c.type != UNIFW_SPARSE_CRC32);
	}
	return end_check(h, out_blocks, w->fpos, name, err);
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

/* Create path.tmp.XXXXXX next to path; *tmp receives the malloc'd temp name. */
static int create_temp(const char *path, char **tmp, struct unifw_error *err)
{
	if (asprintf(tmp, "%s.tmp.XXXXXX", path) < 0)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	int fd = mkstemp(*tmp);
	if (fd < 0) {
		int rc = unifw_error_sys(err, path, "create temporary file");
		free(*tmp);
		*tmp = NULL;
		return rc;
	}
	return fd;
}

/* fsync + rename on success (rc == 0), unlink on failure; closes fd, frees tmp. */
static int finish_temp(int fd, char *tmp, const char *path, int rc, struct unifw_error *err)
{
	if (!rc && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = unifw_error_sys(err, tmp, "fsync");
	close(fd);
	if (!rc && rename(tmp, path) < 0)
		rc = unifw_error_sys(err, path, "rename %s", tmp);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

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
	int fd = create_temp(out_path, &tmp, err);
	if (fd < 0)
		return fd;
	int rc = unifw_sparse_expand_fd(in, fd, NULL, err);
	return finish_temp(fd, tmp, out_path, rc, err);
}

/* ---------------------------------------------------------------- writer */

#define MAX_RAW_CHUNK_BYTES (16u << 20) /* split long RAW runs into chunks of this size */

struct swriter {
	int fd;
	const char *name;
	uint32_t bs;
	bool zeros_dc;
	uint64_t pos;              /* output offset */
	uint32_t chunks;
	uint64_t blocks;
	/* the chunk being built */
	uint16_t type;             /* 0 = none */
	uint32_t count;
	uint32_t value;
	uint64_t raw_hdr_pos;
	struct unifw_sparse_stats *st;
};

static void chunk_header(uint8_t ch[12], uint16_t type, uint32_t blocks, uint32_t total)
{
	put_le16(ch, type);
	put_le16(ch + 2, 0);
	put_le32(ch + 4, blocks);
	put_le32(ch + 8, total);
}

static int sw_flush(struct swriter *w, struct unifw_error *err)
{
	uint8_t ch[16];
	int rc = 0;
	if (!w->type)
		return 0;
	if (w->type == UNIFW_SPARSE_RAW) {
		uint64_t bytes = (uint64_t)w->count * w->bs;
		chunk_header(ch, w->type, w->count, (uint32_t)(12 + bytes));
		rc = unifw_fd_pwrite_all(w->fd, ch, 12, w->raw_hdr_pos, w->name, err);
		w->st->raw++;
		w->st->raw_bytes += bytes;
	} else if (w->type == UNIFW_SPARSE_FILL) {
		chunk_header(ch, w->type, w->count, 16);
		put_le32(ch + 12, w->value);
		rc = unifw_fd_pwrite_all(w->fd, ch, 16, w->pos, w->name, err);
		w->pos += 16;
		w->st->fill++;
	} else {
		chunk_header(ch, w->type, w->count, 12);
		rc = unifw_fd_pwrite_all(w->fd, ch, 12, w->pos, w->name, err);
		w->pos += 12;
		w->st->dont_care++;
	}
	w->chunks++;
	w->type = 0;
	w->count = 0;
	return rc;
}

static bool uniform_block(const uint8_t *b, uint32_t bs, uint32_t *value)
{
	uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	/* b is uniform in u32 words iff it equals itself shifted by one word. */
	if (memcmp(b, b + 4, bs - 4))
		return false;
	*value = v;
	return true;
}

/* Add one block: block == NULL means a hole. */
static int sw_block(struct swriter *w, const uint8_t *block, struct unifw_error *err)
{
	uint16_t type = UNIFW_SPARSE_DONT_CARE;
	uint32_t value = 0;
	if (block) {
		type = uniform_block(block, w->bs, &value) ? UNIFW_SPARSE_FILL : UNIFW_SPARSE_RAW;
		if (type == UNIFW_SPARSE_FILL && value == 0 && w->zeros_dc)
			type = UNIFW_SPARSE_DONT_CARE;
	}
	if (w->blocks >= UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, w->name, UNIFW_NO_OFFSET, "more than 2^32-1 blocks");
	bool same = type == w->type && (type != UNIFW_SPARSE_FILL || value == w->value) &&
		    (type != UNIFW_SPARSE_RAW || (uint64_t)(w->count + 1) * w->bs <= MAX_RAW_CHUNK_BYTES);
	if (!same) {
		int rc = sw_flush(w, err);
		if (rc)
			return rc;
		w->type = type;
		w->value = value;
		if (type == UNIFW_SPARSE_RAW) {
			w->raw_hdr_pos = w->pos;
			w->pos += 12;
		}
	}
	if (type == UNIFW_SPARSE_RAW) {
		int rc = unifw_fd_pwrite_all(w->fd, block, w->bs, w->pos, w->name, err);
		if (rc)
			return rc;
		w->pos += w->bs;
	}
	w->count++;
	w->blocks++;
	return 0;
}

static int sw_finish(struct swriter *w, struct unifw_error *err)
{
	int rc = sw_flush(w, err);
	uint8_t hb[UNIFW_SPARSE_HEADER_SIZE];
	put_le32(hb, UNIFW_SPARSE_MAGIC);
	put_le16(hb + 4, 1);
	put_le16(hb + 6, 0);
	put_le16(hb + 8, UNIFW_SPARSE_HEADER_SIZE);
	put_le16(hb + 10, UNIFW_SPARSE_CHUNK_HEADER_SIZE);
	put_le32(hb + 12, w->bs);
	put_le32(hb + 16, (uint32_t)w->blocks);
	put_le32(hb + 20, w->chunks);
	put_le32(hb + 24, 0); /* image_checksum: 0 as img2simg writes it */
	if (!rc)
		rc = unifw_fd_pwrite_all(w->fd, hb, sizeof hb, 0, w->name, err);
	if (!rc && ftruncate(w->fd, (off_t)w->pos) < 0)
		rc = unifw_error_sys(err, w->name, "truncate");
	return rc;
}

static int sw_init(struct swriter *w, int fd, const char *name, const struct unifw_sparse_write_opts *o,
		   struct unifw_sparse_stats *st, struct unifw_error *err)
{
	memset(w, 0, sizeof *w);
	memset(st, 0, sizeof *st);
	w->fd = fd;
	w->name = name;
	w->bs = o && o->block_size ? o->block_size : 4096;
	w->zeros_dc = o && o->zeros_as_dont_care;
	w->pos = UNIFW_SPARSE_HEADER_SIZE;
	w->st = st;
	if (w->bs < 8 || w->bs % 4 || w->bs > UNIFW_SPARSE_MAX_BLOCK_SIZE)
		return unifw_error_set(err, UNIFW_E_INVALID, name, UNIFW_NO_OFFSET,
				       "block size: expected a multiple of 4 from 8 to %u, found %u",
				       UNIFW_SPARSE_MAX_BLOCK_SIZE, w->bs);
	return 0;
}

int unifw_sparse_write_stream(struct unifw_stream *raw, int out_fd, const struct unifw_sparse_write_opts *opts,
			      struct unifw_sparse_stats *st, struct unifw_error *err)
{
	struct swriter w;
	struct unifw_sparse_stats local;
	int rc = sw_init(&w, out_fd, raw->name, opts, st ? st : &local, err);
	if (rc)
		return rc;
	uint8_t *block = malloc(w.bs);
	if (!block)
		return unifw_error_set(err, UNIFW_E_NOMEM, raw->name, UNIFW_NO_OFFSET, "out of memory");
	for (;;) {
		ssize_t n = unifw_stream_read(raw, block, w.bs, err);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			break;
		memset(block + n, 0, w.bs - (size_t)n);
		rc = sw_block(&w, block, err);
		if (rc || (size_t)n < w.bs)
			break;
	}
	free(block);
	return rc ? rc : sw_finish(&w, err);
}

/* Blocks fully inside file holes become DONT_CARE; everything else is read. */
static int write_from_fd(struct swriter *w, int in, uint64_t size, const char *name, uint8_t *block,
			 struct unifw_error *err)
{
	uint64_t o = 0, bs = w->bs;
	while (o < size) {
		off_t d = lseek(in, (off_t)o, SEEK_DATA);
		uint64_t data = d < 0 ? (errno == ENXIO ? size : o) : (uint64_t)d;
		for (; o + bs <= data && o < size; o += bs) {
			int rc = sw_block(w, NULL, err);
			if (rc)
				return rc;
		}
		if (o >= size)
			break;
		off_t hl = lseek(in, (off_t)o, SEEK_HOLE);
		uint64_t hole = hl < 0 ? size : (uint64_t)hl, end = (hole + bs - 1) / bs * bs;
		for (; o < end && o < size; o += bs) {
			ssize_t n = pread(in, block, (size_t)bs, (off_t)o);
			if (n < 0)
				return unifw_error_sys(err, name, "read at 0x%llx", (unsigned long long)o);
			memset(block + n, 0, (size_t)(bs - (uint64_t)n));
			int rc = sw_block(w, block, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int unifw_sparse_write_file(const char *raw_path, const char *out_path, const struct unifw_sparse_write_opts *opts,
			    struct unifw_sparse_stats *st, struct unifw_error *err)
{
	struct stat sb;
	int in = open(raw_path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return unifw_error_sys(err, raw_path, "open");
	if (fstat(in, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(in);
		return unifw_error_set(err, UNIFW_E_INVALID, raw_path, UNIFW_NO_OFFSET, "expected a regular file");
	}
	char *tmp;
	int fd = create_temp(out_path, &tmp, err);
	if (fd < 0) {
		close(in);
		return fd;
	}
	struct swriter w;
	struct unifw_sparse_stats local;
	int rc = sw_init(&w, fd, out_path, opts, st ? st : &local, err);
	uint8_t *block = rc ? NULL : malloc(w.bs);
	if (!rc && !block)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, raw_path, UNIFW_NO_OFFSET, "out of memory");
	if (!rc)
		rc = write_from_fd(&w, in, (uint64_t)sb.st_size, raw_path, block, err);
	if (!rc)
		rc = sw_finish(&w, err);
	free(block);
	close(in);
	return finish_temp(fd, tmp, out_path, rc, err);
}

/* ---------------------------------------------------------------- random-access view */

struct view_chunk {
	uint64_t out_offset, out_size, data_offset;
	uint16_t type;
	uint32_t value;
};

struct unifw_sparse_view {
	struct unifw_stream *s;
	struct unifw_sparse_header h;
	struct unifw_sparse_stats st;
	struct view_chunk *chunks;
	size_t count;
	uint64_t size;
};

static int view_add(struct unifw_sparse_view *v, const struct unifw_sparse_chunk *c, size_t *cap,
		    struct unifw_error *err)
{
	if (c->out_size == 0)
		return 0;
	if (v->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		if (ncap > UNIFW_SPARSE_MAX_INDEX)
			ncap = UNIFW_SPARSE_MAX_INDEX;
		if (v->count >= ncap)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, v->s->name, c->file_offset,
					       "more than %u data chunks", UNIFW_SPARSE_MAX_INDEX);
		struct view_chunk *n = realloc(v->chunks, ncap * sizeof *n);
		if (!n)
			return unifw_error_set(err, UNIFW_E_NOMEM, v->s->name, UNIFW_NO_OFFSET, "out of memory");
		v->chunks = n;
		*cap = ncap;
	}
	v->chunks[v->count++] = (struct view_chunk){c->out_offset, c->out_size, c->data_offset, c->type, c->value};
	return 0;
}

static int view_scan(struct unifw_sparse_view *v, struct unifw_error *err)
{
	const char *name = v->s->name;
	uint64_t at = v->h.file_hdr_sz, out_blocks = 0;
	size_t cap = 0;
	for (uint32_t i = 0; i < v->h.total_chunks; i++) {
		uint8_t ch[UNIFW_SPARSE_CHUNK_HEADER_SIZE + 4];
		struct unifw_sparse_chunk c;
		int rc = v->s->pread(v->s->ctx, ch, UNIFW_SPARSE_CHUNK_HEADER_SIZE, at, err);
		if (!rc)
			rc = decode_chunk(ch, &v->h, at, out_blocks, i, name, &c, err);
		if (!rc && c.type != UNIFW_SPARSE_RAW && c.type != UNIFW_SPARSE_DONT_CARE) {
			rc = v->s->pread(v->s->ctx, ch + 12, 4, c.data_offset, err);
			get_le32(ch, sizeof ch, 12, &c.value);
		}
		if (!rc)
			rc = view_add(v, &c, &cap, err);
		if (rc) {
			unifw_error_where(err, name);
			return rc;
		}
		count_chunk(&v->st, &c);
		out_blocks += c.type == UNIFW_SPARSE_CRC32 ? 0 : c.blocks;
		at = c.data_offset + (c.type == UNIFW_SPARSE_RAW ? c.out_size : c.type == UNIFW_SPARSE_DONT_CARE ? 0 : 4);
	}
	if (v->s->size != UNIFW_SIZE_UNKNOWN && at > v->s->size)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, v->s->size,
				       "the last RAW chunk's data runs to 0x%llx, past the end of the file",
				       (unsigned long long)at);
	return end_check(&v->h, out_blocks, at, name, err);
}

int unifw_sparse_view_open(struct unifw_stream *s, struct unifw_sparse_view **out, struct unifw_error *err)
{
	uint8_t hb[UNIFW_SPARSE_HEADER_SIZE];
	if (!s->pread)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, s->name, UNIFW_NO_OFFSET,
				       "random access to a sparse image needs a seekable input (not an archive member)");
	struct unifw_sparse_view *v = calloc(1, sizeof *v);
	if (!v)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	v->s = s;
	int rc = s->pread(s->ctx, hb, sizeof hb, 0, err);
	if (rc)
		unifw_error_where(err, s->name);
	if (!rc)
		rc = unifw_sparse_parse_header(hb, sizeof hb, s->name, &v->h, err);
	if (!rc)
		rc = view_scan(v, err);
	if (rc) {
		unifw_sparse_view_close(v);
		return rc;
	}
	v->size = (uint64_t)v->h.total_blocks * v->h.block_size;
	*out = v;
	return 0;
}

static size_t find_chunk(const struct unifw_sparse_view *v, uint64_t off)
{
	size_t lo = 0, hi = v->count; /* first chunk whose end is beyond off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->chunks[mid].out_offset + v->chunks[mid].out_size <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int view_piece(struct unifw_sparse_view *v, const struct view_chunk *c, uint8_t *dst, size_t n, uint64_t off,
		      struct unifw_error *err)
{
	uint64_t in = off - c->out_offset;
	if (c->type == UNIFW_SPARSE_RAW) {
		int rc = v->s->pread(v->s->ctx, dst, n, c->data_offset + in, err);
		if (rc)
			unifw_error_where(err, v->s->name);
		return rc;
	}
	if (c->type == UNIFW_SPARSE_DONT_CARE || c->value == 0) {
		memset(dst, 0, n);
		return 0;
	}
	uint8_t pat[4];
	put_le32(pat, c->value);
	for (size_t i = 0; i < n; i++)
		dst[i] = pat[(in + i) % 4];
	return 0;
}

int unifw_sparse_view_pread(struct unifw_sparse_view *v, void *buf, size_t len, uint64_t off,
			    struct unifw_error *err)
{
	if (off > v->size || len > v->size - off)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, v->s->name, off,
				       "read of %zu bytes past the expanded image's %llu bytes", len,
				       (unsigned long long)v->size);
	uint8_t *dst = buf;
	size_t i = find_chunk(v, off);
	while (len) {
		/* Chunks are contiguous and cover the image (checked when the index was built). */
		if (i >= v->count)
			return unifw_error_set(err, UNIFW_E_FORMAT, v->s->name, UNIFW_NO_OFFSET,
					       "no chunk covers expanded offset 0x%llx", (unsigned long long)off);
		const struct view_chunk *c = &v->chunks[i++];
		uint64_t avail = c->out_offset + c->out_size - off;
		size_t n = avail < len ? (size_t)avail : len;
		int rc = view_piece(v, c, dst, n, off, err);
		if (rc)
			return rc;
		dst += n;
		off += n;
		len -= n;
	}
	return 0;
}

uint64_t unifw_sparse_view_size(const struct unifw_sparse_view *v) { return v->size; }

void unifw_sparse_view_close(struct unifw_sparse_view *v)
{
	if (!v)
		return;
	free(v->chunks);
	free(v);
}

struct view_stream { struct unifw_sparse_view *v; uint64_t pos; };

static ssize_t vs_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct view_stream *vs = ctx;
	uint64_t left = vs->v->size - vs->pos;
	size_t n = left < len ? (size_t)left : len;
	int rc = n ? unifw_sparse_view_pread(vs->v, buf, n, vs->pos, err) : 0;
	if (rc)
		return rc;
	vs->pos += n;
	return (ssize_t)n;
}

static int vs_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	return unifw_sparse_view_pread(((struct view_stream *)ctx)->v, buf, len, off, err);
}

void unifw_sparse_view_stream(struct unifw_sparse_view *v, struct unifw_stream *out)
{
	memset(out, 0, sizeof *out);
	struct view_stream *vs = calloc(1, sizeof *vs);
	if (vs) {
		vs->v = v;
		out->read = vs_read;
		out->pread = vs_pread;
		out->close = free;
	}
	out->ctx = vs;
	out->size = v->size;
	snprintf(out->name, sizeof out->name, "%.200s (expanded)", v->s->name);
}

/* ---------------------------------------------------------------- probe / describe */

/* The magic alone claims the file: one with the magic and a broken header is a broken sparse image (its
 * describe fails and says why), never something else that a flash would write raw. */
bool unifw_sparse_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	uint32_t magic = 0;
	(void)total_size;
	return head_len >= 4 && get_le32(head, head_len, 0, &magic) && magic == UNIFW_SPARSE_MAGIC;
}

static void describe_header(struct unifw_jv *obj, const struct unifw_sparse_header *h,
			    const struct unifw_sparse_stats *st)
{
	unifw_jv_set_str(obj, "type", "sparse");
	unifw_jv_set_uint(obj, "block_size", h->block_size);
	unifw_jv_set_uint(obj, "total_blocks", h->total_blocks);
	unifw_jv_set_uint(obj, "total_chunks", h->total_chunks);
	unifw_jv_set_uint(obj, "expanded_size", (uint64_t)h->total_blocks * h->block_size);
	unifw_jv_set_hex(obj, "image_checksum", h->image_checksum);
	struct unifw_jv *c = unifw_jv_set_obj(obj, "chunks");
	unifw_jv_set_uint(c, "raw", st->raw);
	unifw_jv_set_uint(c, "fill", st->fill);
	unifw_jv_set_uint(c, "dont_care", st->dont_care);
	unifw_jv_set_uint(c, "crc32", st->crc32);
	unifw_jv_set_uint(obj, "raw_bytes", st->raw_bytes);
}

#define HEAD_BYTES 65536u

/* Describe the expanded content: ext4 is the only filesystem MT6572 ships sparse. */
static void describe_inner(struct unifw_jv *obj, struct unifw_stream *inner, const uint8_t *head, size_t head_len)
{
	struct unifw_error e;
	if (unifw_ext4_probe(head, head_len, inner->size)) {
		struct unifw_jv *in = unifw_jv_set_obj(obj, "inner");
		unifw_error_clear(&e);
		if (unifw_ext4_describe(inner, in, &e)) {
			char buf[600];
			unifw_jv_set_str(in, "type", "ext4");
			unifw_jv_set_str(in, "error", unifw_error_format(&e, buf, sizeof buf));
		}
		return;
	}
	unifw_jv_set(obj, "inner", NULL);
}

/* A forward stream over a pread-capable one, from offset 0 (whatever its read position is). */
struct from_start { struct unifw_stream *s; uint64_t pos; };

static ssize_t from_start_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct from_start *f = ctx;
	uint64_t left = f->s->size == UNIFW_SIZE_UNKNOWN ? len : f->s->size - f->pos;
	size_t n = left < len ? (size_t)left : len;
	int rc = n ? f->s->pread(f->s->ctx, buf, n, f->pos, err) : 0;
	if (rc)
		return rc;
	f->pos += n;
	return (ssize_t)n;
}

/* An image that carries checksums (CRC32 chunks, a nonzero image_checksum) is read once to verify them:
 * a damaged one is a broken sparse image here already, so a flash plan refuses it before any write.
 * Images without (img2simg writes none) cost nothing more than the chunk-header scan. */
static int verify_checksums(struct unifw_stream *s, struct unifw_error *err)
{
	struct from_start f = {.s = s};
	struct unifw_stream fs = {.read = from_start_read, .ctx = &f, .size = s->size};
	struct unifw_sparse_sink sink = {.verify_crc = true};
	struct unifw_sparse_header h;
	snprintf(fs.name, sizeof fs.name, "%s", s->name);
	return unifw_sparse_walk(&fs, &sink, &h, NULL, err);
}

static int describe_seekable(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	struct unifw_sparse_view *v;
	int rc = unifw_sparse_view_open(s, &v, err);
	if (rc)
		return rc;
	if ((v->st.crc32 || v->h.image_checksum) && (rc = verify_checksums(s, err)) != 0) {
		unifw_sparse_view_close(v);
		return rc;
	}
	describe_header(obj, &v->h, &v->st);
	uint8_t *head = malloc(HEAD_BYTES);
	size_t hl = v->size < HEAD_BYTES ? (size_t)v->size : HEAD_BYTES;
	if (head && unifw_sparse_view_pread(v, head, hl, 0, NULL) == 0) {
		struct unifw_stream inner;
		unifw_sparse_view_stream(v, &inner);
		describe_inner(obj, &inner, head, hl);
		unifw_stream_close(&inner);
	}
	free(head);
	unifw_sparse_view_close(v);
	return 0;
}

/* Non-seekable input (an archive member): keep the first 64 KiB of the expanded image while
 * walking; the inner describe then only has those bytes (ext4: superblock facts, "partial"). */
struct head_capture { uint8_t buf[HEAD_BYTES]; };

static int capture_data(void *ctx, uint64_t off, const uint8_t *buf, size_t len, struct unifw_error *err)
{
	(void)err;
	struct head_capture *hc = ctx;
	if (off < HEAD_BYTES)
		memcpy(hc->buf + off, buf, (size_t)(HEAD_BYTES - off < len ? HEAD_BYTES - off : len));
	return 0;
}

static int capture_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	(void)err;
	struct head_capture *hc = ctx;
	if (c->type == UNIFW_SPARSE_FILL && c->out_offset < HEAD_BYTES) {
		uint8_t pat[4];
		put_le32(pat, c->value);
		uint64_t end = c->out_offset + c->out_size < HEAD_BYTES ? c->out_offset + c->out_size : HEAD_BYTES;
		for (uint64_t i = c->out_offset; i < end; i++)
			hc->buf[i] = pat[i % 4];
	}
	return 0;
}

static int describe_streaming(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	struct head_capture *hc = calloc(1, sizeof *hc);
	if (!hc)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	/* every RAW byte streams past anyway: checking the CRCs on the way costs little */
	struct unifw_sparse_sink sink = {.chunk = capture_chunk, .data = capture_data, .ctx = hc, .verify_crc = true};
	struct unifw_sparse_header h;
	struct unifw_sparse_stats st;
	int rc = unifw_sparse_walk(s, &sink, &h, &st, err);
	if (!rc) {
		describe_header(obj, &h, &st);
		uint64_t size = (uint64_t)h.total_blocks * h.block_size;
		size_t hl = size < HEAD_BYTES ? (size_t)size : HEAD_BYTES;
		struct unifw_stream inner;
		unifw_stream_from_mem(&inner, hc->buf, hl, s->name);
		inner.pread = NULL; /* only the head is known: describers must not seek */
		inner.size = size;
		describe_inner(obj, &inner, hc->buf, hl);
		unifw_stream_close(&inner);
	}
	free(hc);
	return rc;
}

int unifw_sparse_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	int rc = s->pread ? describe_seekable(s, obj, err) : describe_streaming(s, obj, err);
	if (rc && rc != UNIFW_E_NOMEM && rc != UNIFW_E_IO)
		unifw_error_prefix(err, "broken sparse image: ");
	return rc;
}
