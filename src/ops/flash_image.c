/* The flash job's view of a package image: opening it (folder file or archive member), cutting it into
 * ranges (raw images in slices, sparse images chunk by chunk without ever expanding DONT_CARE), handing
 * the bytes of a range to a write command, and the EMMC_BOOT form of a preloader for boot1. */
#include "ops/flash_internal.h"
#include "ops/flash_repartition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/hash.h"
#include "unifw/preloader.h"
#include "util/bytes.h"

/* Sparse images with more chunk pieces than this are refused: the range list stays in memory. */
#define FLASH_MAX_PIECES (1u << 20)

/* ---------------------------------------------------------------- opening images */

static int open_member(const struct unifw_package *pkg, const struct unifw_package_item *it, struct flash_image *img,
		       struct unifw_error *err)
{
	struct unifw_archive_member m;
	int rc = unifw_archive_open(pkg->path, &img->ar, err);
	if (rc)
		return rc;
	for (;;) {
		rc = unifw_archive_next(img->ar, &m, err);
		if (rc < 0)
			break;
		if (rc == 0) {
			rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, pkg->path, UNIFW_NO_OFFSET,
					     "member %s is no longer in the archive", it->path);
			break;
		}
		if (m.kind == UNIFW_MEMBER_FILE && (!strcmp(m.name, it->path) || !strcmp(m.raw_name, it->path))) {
			rc = unifw_archive_member_stream(img->ar, &img->s, err);
			if (!rc)
				img->open = true;
			return rc;
		}
	}
	unifw_archive_close(img->ar);
	img->ar = NULL;
	return rc;
}

int flash_image_open(const struct unifw_package *pkg, const struct unifw_package_item *it, struct flash_image *img,
		     struct unifw_error *err)
{
	memset(img, 0, sizeof *img);
	if (!pkg || !it)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "no image to open");
	if (pkg->source == UNIFW_PACKAGE_ARCHIVE)
		return open_member(pkg, it, img, err);
	char path[8192];
	if (snprintf(path, sizeof path, "%s/%s", pkg->path, it->path) >= (int)sizeof path)
		return unifw_error_set(err, UNIFW_E_INVALID, it->path, UNIFW_NO_OFFSET, "path too long");
	int rc = unifw_stream_open_file(&img->s, path, err);
	if (!rc)
		img->open = true;
	return rc;
}

void flash_image_close(struct flash_image *img)
{
	if (img->open && img->s.close)
		unifw_stream_close(&img->s);
	if (img->ar)
		unifw_archive_close(img->ar);
	memset(img, 0, sizeof *img);
}

int flash_image_read_all(const struct unifw_package *pkg, const struct unifw_package_item *it, size_t max,
			 uint8_t **buf, size_t *len, struct unifw_error *err)
{
	struct flash_image img;
	*buf = NULL;
	*len = 0;
	if (it->size > max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, it->path, max, "image of %llu bytes, at most %zu expected",
				       (unsigned long long)it->size, max);
	int rc = flash_image_open(pkg, it, &img, err);
	if (rc)
		return rc;
	rc = unifw_stream_read_all(&img.s, max, buf, len, err); /* refuses more than max, as it reads */
	flash_image_close(&img);
	return rc;
}

/* ---------------------------------------------------------------- ranges */

void flash_ranges_free(struct flash_ranges *r)
{
	free(r->pieces);
	free(r->ranges);
	memset(r, 0, sizeof *r);
}

static int grow(void **v, size_t *cap, size_t need, size_t elem, size_t limit, const char *what,
		struct unifw_error *err)
{
	if (need <= *cap)
		return 0;
	if (need > limit)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, what, UNIFW_NO_OFFSET, "more than %zu pieces", limit);
	size_t n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	void *p = realloc(*v, n * elem);
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOMEM, what, UNIFW_NO_OFFSET, "out of memory for %zu ranges", n);
	*v = p;
	*cap = n;
	return 0;
}

/* Append a piece at image offset `off`; it joins the last range when it continues it and fits. */
static int add_piece(struct flash_ranges *r, uint64_t off, const struct flash_piece *pc, uint64_t max,
		     struct unifw_error *err)
{
	struct flash_range *last = r->count ? &r->ranges[r->count - 1] : NULL;
	if (!last || last->off + last->len != off || last->len + pc->len > max) {
		int rc = grow((void **)&r->ranges, &r->cap, r->count + 1, sizeof *r->ranges, FLASH_MAX_PIECES, "ranges",
			      err);
		if (rc)
			return rc;
		last = &r->ranges[r->count++];
		*last = (struct flash_range){.off = off, .first = r->piece_count};
	}
	int rc = grow((void **)&r->pieces, &r->piece_cap, r->piece_count + 1, sizeof *r->pieces, FLASH_MAX_PIECES,
		      "ranges", err);
	if (rc)
		return rc;
	r->pieces[r->piece_count++] = *pc;
	last->len += pc->len;
	last->count++;
	r->wire_bytes += pc->len;
	return 0;
}

/* A run of `len` image bytes starting at `off`, cut where ranges fill up (every cut on a multiple of max,
 * a multiple of 512, so that each range starts on a sector). */
static int add_run(struct flash_ranges *r, uint64_t off, uint64_t len, uint8_t kind, uint64_t src, uint32_t fill,
		   uint64_t max, struct unifw_error *err)
{
	while (len) {
		const struct flash_range *last = r->count ? &r->ranges[r->count - 1] : NULL;
		uint64_t room = max;
		if (last && last->off + last->len == off && last->len < max)
			room = max - last->len;
		uint64_t take = len < room ? len : room;
		struct flash_piece pc = {.kind = kind, .fill = fill, .len = take, .src = src};
		int rc = add_piece(r, off, &pc, max, err);
		if (rc)
			return rc;
		off += take;
		len -= take;
		if (kind != FLASH_PIECE_FILL)
			src += take;
	}
	return 0;
}

static int check_max(uint64_t max, struct unifw_error *err)
{
	if (!unifw_flash_range_size_ok(max))
		return unifw_error_set(err, UNIFW_E_INVALID, "range size", UNIFW_NO_OFFSET,
				       "expected a non-zero multiple of 512 up to %llu, found %llu",
				       (unsigned long long)UNIFW_FLASH_RANGE_MAX, (unsigned long long)max);
	return 0;
}

int flash_ranges_raw(uint64_t size, uint64_t max, struct flash_ranges *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = check_max(max, err);
	if (!rc)
		rc = add_run(out, 0, size, FLASH_PIECE_RAW, 0, 0, max, err);
	out->extent = size;
	if (rc)
		flash_ranges_free(out);
	return rc;
}

int flash_ranges_mem(const uint8_t *buf, uint64_t size, uint64_t max, struct flash_ranges *out,
		     struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = check_max(max, err);
	if (!rc)
		rc = add_run(out, 0, size, FLASH_PIECE_MEM, 0, 0, max, err);
	out->extent = size;
	out->mem = buf;
	if (rc)
		flash_ranges_free(out);
	return rc;
}

/* --repartition: a partition of the new layout with no image is zeroed (flash_repartition.c). */
int flash_ranges_zero(uint64_t size, uint64_t max, struct flash_ranges *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = check_max(max, err);
	if (!rc)
		rc = add_run(out, 0, size, FLASH_PIECE_FILL, 0, 0, max, err);
	out->extent = size;
	if (rc)
		flash_ranges_free(out);
	return rc;
}

struct sparse_walk {
	struct flash_ranges *r;
	uint64_t max;
	const char *name;
};

static int on_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	struct sparse_walk *w = ctx;
	uint64_t end = c->out_offset + c->out_size;
	if (end > w->r->extent)
		w->r->extent = end;
	switch (c->type) {
	case UNIFW_SPARSE_DONT_CARE:
		w->r->skipped_bytes += c->out_size;
		return 0;
	case UNIFW_SPARSE_CRC32:
		return 0;
	case UNIFW_SPARSE_RAW:
	case UNIFW_SPARSE_FILL:
		break;
	default:
		return unifw_error_set(err, UNIFW_E_FORMAT, w->name, c->file_offset, "unknown chunk type 0x%04x", c->type);
	}
	if (c->out_offset % UNIFW_FLASH_SECTOR)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, w->name, c->file_offset,
				       "chunk %u lands at 0x%llx, not on a 512-byte sector: the block size must be a "
				       "multiple of 512 to be written to eMMC",
				       c->index, (unsigned long long)c->out_offset);
	uint8_t kind = c->type == UNIFW_SPARSE_RAW ? FLASH_PIECE_RAW : FLASH_PIECE_FILL;
	return add_run(w->r, c->out_offset, c->out_size, kind, c->data_offset, c->value, w->max, err);
}

int flash_ranges_sparse(struct unifw_stream *s, uint64_t max, struct flash_ranges *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = check_max(max, err);
	if (rc)
		return rc;
	struct sparse_walk w = {.r = out, .max = max, .name = s->name};
	/* verify_crc: the data of a damaged image must never reach the phone, so it is checked before the
	 * first write of the image rather than while it is written (a resume would skip the ranges already
	 * done and could not check a CRC32 chunk that covers them). */
	struct unifw_sparse_sink sink = {.chunk = on_chunk, .ctx = &w, .verify_crc = true};
	struct unifw_sparse_header h;
	rc = unifw_sparse_walk(s, &sink, &h, NULL, err);
	if (!rc) {
		uint64_t declared = (uint64_t)h.total_blocks * h.block_size;
		if (declared > out->extent)
			out->extent = declared;
	}
	if (rc)
		flash_ranges_free(out);
	return rc;
}

/* ---------------------------------------------------------------- range source */

static int read_raw(struct flash_source *fs, uint8_t *buf, size_t n, uint64_t at, struct unifw_error *err)
{
	struct unifw_stream *s = fs->img;
	if (!s)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, at, "no image stream for RAW data");
	if (s->pread)
		return s->pread(s->ctx, buf, n, at, err);
	/* Archive members read forward only: ranges come in image order, so skipping is enough. */
	if (s->pos > at)
		return unifw_error_set(err, UNIFW_E_INVALID, s->name, at,
				       "image data wanted at 0x%llx but the stream is already at 0x%llx",
				       (unsigned long long)at, (unsigned long long)s->pos);
	if (s->pos < at) {
		int rc = unifw_stream_skip(s, at - s->pos, err);
		if (rc)
			return rc;
	}
	return unifw_stream_read_exact(s, buf, n, "image data", err);
}

static void put_fill(uint8_t *buf, size_t n, uint32_t pattern, uint64_t phase)
{
	uint8_t p[4];
	put_le32(p, pattern);
	for (size_t i = 0; i < n; i++)
		buf[i] = p[(phase + i) & 3];
}

int flash_source_fill(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct flash_source *fs = ctx;
	const struct flash_range *r = fs->range;
	size_t filled = 0;
	(void)off; /* the source tracks its own position: calls come in order */
	while (filled < len) {
		if (fs->done >= r->len || fs->piece >= r->first + r->count) {
			memset(buf + filled, 0, len - filled); /* sector padding: not part of the image */
			break;
		}
		const struct flash_piece *pc = &fs->rs->pieces[fs->piece];
		uint64_t avail = pc->len - fs->piece_pos;
		size_t take = (size_t)(avail < len - filled ? avail : len - filled);
		int rc = 0;
		switch (pc->kind) {
		case FLASH_PIECE_RAW:
			rc = read_raw(fs, buf + filled, take, pc->src + fs->piece_pos, err);
			break;
		case FLASH_PIECE_FILL:
			put_fill(buf + filled, take, pc->fill, fs->piece_pos);
			break;
		default:
			memcpy(buf + filled, fs->rs->mem + pc->src + fs->piece_pos, take);
			break;
		}
		if (rc)
			return rc;
		if (fs->copy)
			memcpy(fs->copy + fs->done, buf + filled, take);
		filled += take;
		fs->done += take;
		fs->piece_pos += take;
		if (fs->piece_pos == pc->len) {
			fs->piece++;
			fs->piece_pos = 0;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- preloader for boot1 */

/* Layout of the boot1 header (docs/format-preloader.md, U-Boot mtk_image.h; fill bytes as in the corpus
 * Mobiwire S10 boot-region dump): device header 0x000-0x1FF, BRLYT 0x200 with 8 descriptors of 20 bytes
 * (0x214-0x2B3), 0xFF to 0x3FF, zeros to the image at 0x800. */
#define BRLYT_OFFSET 0x200u
#define BRLYT_DESC_END 0x2B4u
#define BRLYT_FF_END 0x400u

int unifw_flash_wrap_preloader(const uint8_t *img, size_t len, const char *name, uint8_t **out, size_t *out_len,
			       struct unifw_error *err)
{
	struct unifw_preloader pl;
	*out = NULL;
	*out_len = 0;
	int rc = unifw_preloader_parse(img, len, name, &pl, err);
	if (rc)
		return rc;
	if (pl.container == UNIFW_PRELOADER_NO_GFH)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, name, 0,
				       "a preloader without GFH (_NO_GFH build) cannot boot from boot1: the BROM loads "
				       "the GFH form; use preloader_<project>.bin");
	if (pl.container == UNIFW_PRELOADER_EMMC_BOOT) {
		uint8_t *copy = malloc(len ? len : 1);
		if (!copy)
			return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
		memcpy(copy, img, len);
		*out = copy;
		*out_len = len;
		return 0;
	}
	uint32_t max_size = pl.file_info.max_size ? pl.file_info.max_size : 0x20000u;
	uint64_t boundary = (uint64_t)UNIFW_FLASH_BOOT1_GFH_OFFSET + max_size;
	if (boundary > UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0x24, "FILE_INFO max_size 0x%x does not fit a BRLYT",
				       max_size);
	size_t total = UNIFW_FLASH_BOOT1_GFH_OFFSET + len;
	uint8_t *p = calloc(1, total);
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	memcpy(p, "EMMC_BOOT", 9);
	put_le32(p + 0x0C, 1);
	put_le32(p + 0x10, UNIFW_FLASH_SECTOR);
	memset(p + 0x14, 0xFF, BRLYT_OFFSET - 0x14);
	uint8_t *l = p + BRLYT_OFFSET;
	memcpy(l, "BRLYT", 5);
	put_le32(l + 0x08, 1);
	put_le32(l + 0x0C, UNIFW_FLASH_BOOT1_GFH_OFFSET);
	put_le32(l + 0x10, (uint32_t)boundary);
	memcpy(l + 0x14, "BBBB", 4);
	put_le16(l + 0x18, 5); /* flash_dev: eMMC boot region */
	put_le16(l + 0x1A, 1); /* file_type: ARM_BL */
	put_le32(l + 0x1C, UNIFW_FLASH_BOOT1_GFH_OFFSET);
	put_le32(l + 0x20, (uint32_t)boundary);
	put_le32(l + 0x24, 1);
	memset(p + BRLYT_DESC_END, 0xFF, BRLYT_FF_END - BRLYT_DESC_END);
	memcpy(p + UNIFW_FLASH_BOOT1_GFH_OFFSET, img, len);
	*out = p;
	*out_len = total;
	return 0;
}

/* ---------------------------------------------------------------- PMT for a phone without one */

int flash_pmt_from_scatter(const struct unifw_scatter *sc, uint8_t *out, struct unifw_error *err)
{
	struct unifw_pmt pmt;
	memset(&pmt, 0, sizeof pmt);
	snprintf(pmt.version, sizeof pmt.version, "1.0"); /* the MT6572 sources' PMT_VER_V1 */
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *sp = &sc->parts[i];
		if (!sp->name[0])
			continue;
		if (pmt.count >= UNIFW_PMT_MAX_ENTRIES)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, "PMT", UNIFW_NO_OFFSET,
					       "the scatter has more than %u partitions: a PMT holds 40",
					       UNIFW_PMT_MAX_ENTRIES);
		struct unifw_pmt_entry *e = &pmt.entry[pmt.count++];
		snprintf(e->name, sizeof e->name, "%s", sp->name);
		e->offset = sp->linear_start;
		e->size = sp->size;
	}
	return unifw_pmt_build(&pmt, out, UNIFW_FLASH_PMT_BYTES, err);
}

/* ---------------------------------------------------------------- small helpers */

void flash_cid_hex(const uint8_t cid[16], char out[33])
{
	unifw_hex(cid, 16, out);
}
