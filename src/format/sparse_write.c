/* Android sparse images: the writer (raw -> sparse). Layout facts: docs/format-sparse-ext4.md. */
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
	int fd = unifw_file_temp_beside(out_path, &tmp, err);
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
	return unifw_file_temp_finish(fd, tmp, out_path, rc, err);
}
