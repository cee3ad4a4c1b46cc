/* Android sparse images: the random-access view, the probe and the describe. Layout facts:
 * docs/format-sparse-ext4.md. */
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
			rc = sparse_decode_chunk(ch, &v->h, at, out_blocks, i, name, &c, err);
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
		sparse_count_chunk(&v->st, &c);
		out_blocks += c.type == UNIFW_SPARSE_CRC32 ? 0 : c.blocks;
		at = c.data_offset + (c.type == UNIFW_SPARSE_RAW ? c.out_size : c.type == UNIFW_SPARSE_DONT_CARE ? 0 : 4);
	}
	if (v->s->size != UNIFW_SIZE_UNKNOWN && at > v->s->size)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, v->s->size,
				       "the last RAW chunk's data runs to 0x%llx, past the end of the file",
				       (unsigned long long)at);
	return sparse_end_check(&v->h, out_blocks, at, name, err);
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
	unifw_jv_set_str(c, "type", "sparse_chunks");
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
