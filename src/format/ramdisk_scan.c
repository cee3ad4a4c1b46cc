/* Ramdisk: the streaming scan (describe without holding the whole cpio) and the JSON describe
 * (include/unifw/ramdisk.h, docs/format-boot.md). */
#include "unifw/ramdisk.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "format/ramdisk_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ scan (describe without holding it) */

#define SCAN_WINDOW (64u * 1024u)
#define SCAN_PROP_MAX (1u << 20) /* default.prop text kept for the report; real ones are a few hundred bytes */
/* Names and link targets kept: a real ramdisk has a few hundred short ones; 65536 entries of 4 KiB names
 * (a few kB of gzip) would otherwise take 512 MiB. */
#define SCAN_MAX_STRINGS (8u << 20)

/* The uncompressed cpio as a forward-only byte source: inflated through a 64 KiB window (or read from
 * the plain buffer), never held whole. `off` is the offset in the uncompressed cpio of the next byte. */
struct cpio_src {
	const char *name;
	bool gz;
	z_stream z;
	uint64_t in_off;         /* of the gzip stream (or plain cpio) in the input, for error offsets */
	size_t in_len;
	const uint8_t *w;        /* the window: win, or the plain buffer */
	uint8_t win[SCAN_WINDOW];
	size_t have, pos;
	uint64_t off;
	bool end;                /* the gzip stream ended (or the plain buffer is used up) */
};

/* Make at least one byte available; 0 with src->pos < src->have, or 0 at the end (pos == have), or an error. */
static int src_fill(struct cpio_src *c, struct unifw_error *err)
{
	while (c->pos == c->have && !c->end) {
		c->z.next_out = c->win;
		c->z.avail_out = SCAN_WINDOW;
		int zr = inflate(&c->z, Z_NO_FLUSH);
		c->have = SCAN_WINDOW - c->z.avail_out;
		c->pos = 0;
		if (c->off + c->have > UNIFW_RAMDISK_MAX_CPIO)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, c->name, c->in_off + c->z.total_in,
					       "ramdisk inflates to more than %llu bytes",
					       (unsigned long long)UNIFW_RAMDISK_MAX_CPIO);
		if (zr == Z_STREAM_END)
			c->end = true;
		else if (zr == Z_OK || (zr == Z_BUF_ERROR && c->have))
			continue;
		else if (zr == Z_BUF_ERROR)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, c->name, c->in_off + c->z.total_in,
					       "gzip stream ends early: input stops after %llu compressed bytes",
					       (unsigned long long)c->z.total_in);
		else if (zr == Z_MEM_ERROR)
			return unifw_error_set(err, UNIFW_E_NOMEM, c->name, UNIFW_NO_OFFSET, "zlib: out of memory");
		else
			return unifw_error_set(err, UNIFW_E_FORMAT, c->name, c->in_off + c->z.total_in,
					       "corrupt gzip data: %s", c->z.msg ? c->z.msg : "inflate failed");
	}
	return 0;
}

/* Copy (dst) or drop (dst NULL) up to n bytes; *got says how many came before the end. */
static int src_take(struct cpio_src *c, uint8_t *dst, uint64_t n, uint64_t *got, struct unifw_error *err)
{
	*got = 0;
	while (*got < n) {
		int rc = src_fill(c, err);
		if (rc)
			return rc;
		if (c->pos == c->have)
			break;
		size_t k = c->have - c->pos;
		if (k > n - *got)
			k = (size_t)(n - *got);
		if (dst)
			memcpy(dst + *got, c->w + c->pos, k);
		c->pos += k;
		c->off += k;
		*got += k;
	}
	return 0;
}

static int src_skip_to(struct cpio_src *c, uint64_t to, struct unifw_error *err)
{
	uint64_t got;
	return to > c->off ? src_take(c, NULL, to - c->off, &got, err) : 0;
}

static int scan_truncated(const struct cpio_src *c, uint64_t at, struct unifw_error *err)
{
	return unifw_error_set(err, UNIFW_E_TRUNCATED, c->name, at,
			       "cpio ends before its TRAILER!!! entry (offset in the uncompressed cpio)");
}

/* A newc header: checked as newc_walk checks it, fields decoded (ino, mode, uid, gid, nlink, mtime,
 * filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check). */
static int scan_header(struct cpio_src *c, uint8_t h[110], uint32_t f[13], struct unifw_error *err)
{
	uint64_t at = c->off, got;
	int rc = src_take(c, h, 110, &got, err);
	if (rc)
		return rc;
	if (got < 110)
		return scan_truncated(c, at, err);
	if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
		return unifw_error_set(err, !memcmp(h, "070707", 6) ? UNIFW_E_UNSUPPORTED : UNIFW_E_FORMAT, c->name, at,
				       "expected a newc cpio header \"070701\" (offset in the uncompressed cpio)");
	for (int i = 0; i < 13; i++)
		if (!ramdisk_newc_field(h, i, &f[i]))
			return unifw_error_set(err, UNIFW_E_FORMAT, c->name, at + 6 + 8 * (uint64_t)i,
					       "cpio header field is not hexadecimal (offset in the uncompressed cpio)");
	if (f[11] == 0 || f[11] > MAX_PATH_LEN + 1)
		return unifw_error_set(err, UNIFW_E_FORMAT, c->name, at + 94,
				       "cpio name size %u does not fit (offset in the uncompressed cpio)", f[11]);
	return 0;
}

/* libarchive's rule (archive_read_support_format_cpio.c, record_hardlink): an entry with nlink > 1 whose
 * device and inode an earlier one had is a hard link to that one, until nlink - 1 links were seen. */
struct link_rec { uint32_t ino, dev_major, dev_minor, left; size_t entry; };
struct link_list { struct link_rec *v; size_t count, cap; };

static const char *scan_hardlink(struct link_list *l, const struct unifw_ramdisk *rd, const uint32_t f[13],
				 size_t entry, struct unifw_error *err, const char *name)
{
	if (f[4] <= 1)
		return NULL;
	for (size_t i = 0; i < l->count; i++) {
		struct link_rec *r = &l->v[i];
		if (r->ino == f[0] && r->dev_major == f[7] && r->dev_minor == f[8]) {
			const char *target = rd->entries[r->entry].path;
			if (--r->left == 0)
				l->v[i] = l->v[--l->count];
			return target;
		}
	}
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct link_rec *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
			return "";
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->count++] = (struct link_rec){f[0], f[7], f[8], f[4] - 1, entry};
	return NULL;
}

struct scan {
	struct cpio_src *c;
	struct unifw_ramdisk *rd;
	struct link_list links;
	size_t prop;             /* entry whose data is the kept default.prop, SIZE_MAX if none */
	size_t strings;          /* bytes of names and link targets kept */
};

static int scan_keep(struct scan *s, size_t n, uint64_t at, struct unifw_error *err)
{
	if (n > SCAN_MAX_STRINGS - s->strings)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, s->c->name, at,
				       "entry names and link targets take more than %u bytes (offset in the uncompressed "
				       "cpio)", SCAN_MAX_STRINGS);
	s->strings += n;
	return 0;
}

/* The data of one entry: a symlink's target and the last default.prop are kept, the rest is skipped. */
static int scan_data(struct scan *s, struct unifw_ramdisk_entry *e, uint32_t size, struct unifw_error *err)
{
	struct cpio_src *c = s->c;
	uint64_t got, end = c->off + size;
	bool prop = e->type == UNIFW_RD_FILE && !strcmp(unifw_ramdisk_canonical(e->path), "default.prop");
	int rc = 0;
	if (prop && s->prop != SIZE_MAX) { /* the last entry of a name wins: an earlier one's text goes */
		free(s->rd->entries[s->prop].data);
		s->rd->entries[s->prop].data = NULL;
		s->prop = SIZE_MAX;
	}
	if (e->type == UNIFW_RD_SYMLINK && !e->link) {
		if (size > MAX_PATH_LEN)
			return unifw_error_set(err, UNIFW_E_FORMAT, c->name, e->header_offset,
					       "symlink %s: target of %u bytes, more than %u (offset in the uncompressed cpio)",
					       e->path, size, MAX_PATH_LEN);
		int krc = scan_keep(s, (size_t)size + 1, e->header_offset, err);
		if (krc)
			return krc;
		e->link = calloc(1, (size_t)size + 1);
		if (!e->link)
			return unifw_error_set(err, UNIFW_E_NOMEM, c->name, UNIFW_NO_OFFSET, "out of memory");
		rc = src_take(c, (uint8_t *)e->link, size, &got, err);
		return rc ? rc : got < size ? scan_truncated(c, c->off, err) : 0;
	}
	e->size = size;
	s->rd->data_size += size;
	if (prop && size <= SCAN_PROP_MAX) {
		e->data = malloc(size ? size : 1);
		if (!e->data)
			return unifw_error_set(err, UNIFW_E_NOMEM, c->name, UNIFW_NO_OFFSET, "out of memory");
		s->prop = (size_t)(e - s->rd->entries);
		rc = src_take(c, e->data, size, &got, err);
	} else {
		rc = src_take(c, NULL, size, &got, err);
	}
	if (!rc && c->off < end) /* named where parse's newc_walk names it: the size field */
		rc = unifw_error_set(err, UNIFW_E_TRUNCATED, c->name, e->header_offset + 54,
				     "cpio entry of %u bytes runs past the end (offset in the uncompressed cpio)", size);
	return rc;
}

/* One entry after its header: name, checks and metadata as add_parsed_entry has them, then its data. */
static int scan_entry(struct scan *s, const uint32_t f[13], const char *path, uint64_t at, struct unifw_error *err)
{
	struct unifw_ramdisk *rd = s->rd;
	const char *name = s->c->name;
	if (!path[0])
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at,
				       "entry with an empty or over-long name (offset in the uncompressed cpio)");
	if (ramdisk_type_of(f[1]) != UNIFW_RD_SYMLINK && f[6] > UNIFW_RAMDISK_MAX_TOTAL - rd->data_size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, at,
				       "entry %s of %u bytes takes the ramdisk past %llu bytes of data", path, f[6],
				       (unsigned long long)UNIFW_RAMDISK_MAX_TOTAL);
	int rc = scan_keep(s, strlen(path) + 1, at, err);
	if (rc)
		return rc;
	struct unifw_ramdisk_entry *e = ramdisk_entry_append(rd, err);
	if (!e) {
		unifw_error_where(err, name);
		return err ? err->code : UNIFW_E_NOMEM;
	}
	e->header_offset = at;
	e->mode = f[1];
	e->type = ramdisk_type_of(f[1]);
	e->uid = f[2];
	e->gid = f[3];
	e->mtime = (int64_t)f[5];
	e->rdev_major = f[9];
	e->rdev_minor = f[10];
	e->path = strdup(path);
	if (!e->path)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	if (e->type == UNIFW_RD_SYMLINK) /* libarchive reads the target before it looks for hard links */
		rc = scan_data(s, e, f[6], err);
	const char *hl = rc ? NULL : scan_hardlink(&s->links, rd, f, (size_t)(e - rd->entries), err, name);
	if (hl && !hl[0])
		return UNIFW_E_NOMEM;
	if (hl && (rc = scan_keep(s, strlen(hl) + 1, at, err)) != 0)
		return rc;
	if (hl) {
		free(e->link);
		e->type = UNIFW_RD_HARDLINK;
		if (!(e->link = strdup(hl)))
			return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	}
	if (!rc && ramdisk_type_of(f[1]) != UNIFW_RD_SYMLINK)
		rc = scan_data(s, e, f[6], err);
	return rc;
}

static int scan_entries(struct scan *s, struct unifw_error *err)
{
	struct cpio_src *c = s->c;
	for (size_t entries = 0;; entries++) {
		uint8_t h[110];
		uint32_t f[13];
		char path[MAX_PATH_LEN + 2];
		uint64_t at = c->off, got;
		int rc = scan_header(c, h, f, err);
		if (!rc)
			rc = src_take(c, (uint8_t *)path, f[11], &got, err);
		if (rc)
			return rc;
		if (got < f[11])
			return unifw_error_set(err, UNIFW_E_FORMAT, c->name, at + 94,
					       "cpio name size %u does not fit (offset in the uncompressed cpio)", f[11]);
		path[f[11]] = 0;
		if (entries == 0) {
			bool crc = !memcmp(h, "070702", 6);
			snprintf(s->rd->format, sizeof s->rd->format, "ASCII cpio (SVR4 with %sCRC)", crc ? "" : "no ");
			s->rd->kernel_format = true;
		}
		if ((rc = src_skip_to(c, (at + 110 + f[11] + 3) & ~(uint64_t)3, err)) != 0)
			return rc;
		if (f[11] == 11 && !memcmp(path, "TRAILER!!!", 11))
			return 0;
		if (entries + 1 > UNIFW_RAMDISK_MAX_ENTRIES)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, c->name, at, "more than %u cpio entries",
					       UNIFW_RAMDISK_MAX_ENTRIES);
		if ((rc = scan_entry(s, f, path, at, err)) != 0)
			return rc;
		if ((rc = src_skip_to(c, (c->off + 3) & ~(uint64_t)3, err)) != 0)
			return rc;
	}
}

/* What follows TRAILER!!! (padding) counts in the uncompressed size, as the whole stream is inflated. */
static int scan_finish(struct cpio_src *c, struct unifw_ramdisk *rd, struct unifw_error *err)
{
	uint64_t got;
	int rc = src_take(c, NULL, UINT64_MAX, &got, err);
	if (rc)
		return rc;
	rd->uncompressed_size = c->off;
	rd->trailing = c->gz ? c->in_len - c->z.total_in : 0;
	return 0;
}

int unifw_ramdisk_scan(const uint8_t *buf, size_t len, const char *name, struct unifw_ramdisk *rd,
		       struct unifw_error *err)
{
	uint64_t off = 0;
	size_t n = len;
	unifw_ramdisk_init(rd);
	if (!name)
		name = "ramdisk";
	int rc = ramdisk_locate_payload(buf, len, name, rd, &off, &n, err);
	if (rc)
		return rc;
	struct cpio_src *c = calloc(1, sizeof *c);
	if (!c)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	c->name = name;
	c->in_off = off;
	c->in_len = n;
	c->gz = rd->compression == UNIFW_RD_GZIP;
	if (c->gz) {
		if (inflateInit2(&c->z, 16 + MAX_WBITS) != Z_OK) {
			free(c);
			return unifw_error_set(err, UNIFW_E_LIBRARY, name, off, "zlib inflateInit2 failed");
		}
		c->z.next_in = (Bytef *)(uintptr_t)(buf + off);
		c->z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
		c->w = c->win;
	} else {
		c->w = buf + off;
		c->have = n;
		c->end = true;
	}
	struct scan s = {.c = c, .rd = rd, .prop = SIZE_MAX};
	rc = scan_entries(&s, err);
	if (!rc)
		rc = scan_finish(c, rd, err);
	if (c->gz)
		inflateEnd(&c->z);
	free(s.links.v);
	free(c);
	if (rc)
		unifw_ramdisk_free(rd);
	return rc;
}

/* ------------------------------------------------------------------ describe */

static const char *type_name(enum unifw_rd_type t)
{
	switch (t) {
	case UNIFW_RD_FILE: return "file";
	case UNIFW_RD_DIR: return "dir";
	case UNIFW_RD_SYMLINK: return "symlink";
	case UNIFW_RD_HARDLINK: return "hardlink";
	default: return "special";
	}
}

/* default.prop: "key=value" lines; comments and blank lines skipped. */
static void props_to_json(const struct unifw_ramdisk_entry *e, struct unifw_jv *obj)
{
	size_t keys = 0;
	const char *p = (const char *)e->data, *end = p + e->size;
	unifw_jv_set_str(obj, "type", "properties"); /* a property named "type" (none in Android) is not listed */
	while (p && p < end && keys < PROP_MAX_KEYS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		if (eq && p[0] != '#' && eq > p && eq - p < 128 && le - eq < 1024) {
			char key[128], val[1024];
			size_t vl = (size_t)(le - eq - 1);
			if (vl && eq[vl] == '\r')
				vl--;
			memcpy(key, p, (size_t)(eq - p));
			key[eq - p] = '\0';
			memcpy(val, eq + 1, vl);
			val[vl] = '\0';
			if (strcmp(key, "type"))
				unifw_jv_set_str(obj, key, val);
			keys++;
		}
		p = nl ? nl + 1 : end;
	}
}

void unifw_ramdisk_to_json(const struct unifw_ramdisk *rd, struct unifw_jv *obj, size_t max_files)
{
	size_t counts[5] = {0};
	unifw_jv_set_str(obj, "type", "ramdisk");
	unifw_jv_set_str(obj, "compression", rd->compression == UNIFW_RD_GZIP ? "gzip" : "none");
	unifw_jv_set_str(obj, "format", rd->format);
	unifw_jv_set_bool(obj, "kernel_format", rd->kernel_format);
	unifw_jv_set_bool(obj, "has_mtk_header", rd->has_mtk_header);
	if (rd->has_mtk_header)
		unifw_mtkhdr_to_json(&rd->mtk, unifw_jv_set_obj(obj, "mtk_header"));
	unifw_jv_set_uint(obj, "uncompressed_size", rd->uncompressed_size);
	unifw_jv_set_uint(obj, "trailing_bytes", rd->trailing);
	unifw_jv_set_uint(obj, "entry_count", rd->count);
	for (size_t i = 0; i < rd->count; i++)
		counts[rd->entries[i].type]++;
	unifw_jv_set_uint(obj, "file_count", counts[UNIFW_RD_FILE] + counts[UNIFW_RD_HARDLINK]);
	unifw_jv_set_uint(obj, "dir_count", counts[UNIFW_RD_DIR]);
	unifw_jv_set_uint(obj, "symlink_count", counts[UNIFW_RD_SYMLINK]);
	unifw_jv_set_uint(obj, "special_count", counts[UNIFW_RD_SPECIAL]);
	size_t unsafe_paths = 0;
	for (size_t i = 0; i < rd->count; i++) {
		const char *rel = rd->entries[i].path;
		while (rel[0] == '.' && rel[1] == '/')
			rel += 2;
		if (rel[0] && strcmp(rel, ".") && !unifw_ramdisk_path_safe(rel))
			unsafe_paths++;
	}
	unifw_jv_set_uint(obj, "unsafe_paths", unsafe_paths);
	struct unifw_jv *files = unifw_jv_set_arr(obj, "files");
	for (size_t i = 0; i < rd->count && i < max_files; i++) {
		const struct unifw_ramdisk_entry *e = &rd->entries[i];
		struct unifw_jv *f = unifw_jv_push_obj(files);
		unifw_jv_set_str(f, "type", "ramdisk_entry");
		unifw_jv_set_str(f, "path", e->path);
		unifw_jv_set_str(f, "kind", type_name(e->type));
		unifw_jv_set_strf(f, "mode", "0%o", e->mode & 07777);
		unifw_jv_set_uint(f, "size", e->type == UNIFW_RD_SYMLINK && e->link ? strlen(e->link) : e->size);
		if (e->link)
			unifw_jv_set_str(f, "link", e->link);
	}
	unifw_jv_set_bool(obj, "files_truncated", rd->count > max_files);
	unifw_jv_set_bool(obj, "has_init_rc", unifw_ramdisk_find(rd, "init.rc") != NULL);
	const struct unifw_ramdisk_entry *prop = unifw_ramdisk_find(rd, "default.prop");
	if (prop && prop->type == UNIFW_RD_FILE)
		props_to_json(prop, unifw_jv_set_obj(obj, "default_prop"));
	else
		unifw_jv_set(obj, "default_prop", NULL);
}

int unifw_ramdisk_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf;
	size_t len;
	struct unifw_ramdisk rd;
	int rc = unifw_stream_read_all(s, UNIFW_RAMDISK_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	rc = unifw_ramdisk_scan(buf, len, s->name, &rd, err);
	if (rc == 0) {
		unifw_ramdisk_to_json(&rd, obj, 64);
		unifw_ramdisk_free(&rd);
	}
	free(buf);
	return rc;
}

bool unifw_ramdisk_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	uint8_t out[8];
	z_stream z;
	bool hit;
	(void)total_size;
	/* MTK-wrapped: judge the payload (a bare header split out of a boot image is no ramdisk) */
	if (unifw_mtkhdr_has_name(head, head_len, "ROOTFS") || unifw_mtkhdr_has_name(head, head_len, "RECOVERY"))
		return head_len > UNIFW_MTKHDR_SIZE &&
		       unifw_ramdisk_probe(head + UNIFW_MTKHDR_SIZE, head_len - UNIFW_MTKHDR_SIZE, total_size);
	if (head_len >= 6 && (!memcmp(head, "070701", 6) || !memcmp(head, "070702", 6)))
		return true;
	if (head_len < 18 || memcmp(head, gzip_magic, 2))
		return false;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return false;
	z.next_in = (Bytef *)(uintptr_t)head;
	z.avail_in = head_len > UINT32_MAX ? UINT32_MAX : (uInt)head_len;
	z.next_out = out;
	z.avail_out = 6;
	int zr = inflate(&z, Z_SYNC_FLUSH);
	hit = (zr == Z_OK || zr == Z_STREAM_END) && z.avail_out == 0 &&
	      (!memcmp(out, "070701", 6) || !memcmp(out, "070702", 6));
	inflateEnd(&z);
	return hit;
}
