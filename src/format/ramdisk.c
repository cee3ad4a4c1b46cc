/* Ramdisk: [MTK header +] gzip newc cpio, via libarchive (include/unifw/ramdisk.h, docs/format-boot.md). */
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

#include "util/bytes.h"

#define MAX_PATH_LEN 4095u
#define FIRST_INODE 300000u /* what AOSP mkbootfs uses; any distinct numbers would do */
#define PROP_MAX_KEYS 256u

static const uint8_t gzip_magic[2] = {0x1f, 0x8b};

/* ------------------------------------------------------------------ model */

void unifw_ramdisk_init(struct unifw_ramdisk *rd)
{
	memset(rd, 0, sizeof *rd);
	rd->compression = UNIFW_RD_GZIP;
	rd->kernel_format = true;
	snprintf(rd->format, sizeof rd->format, "ASCII cpio (SVR4 with no CRC)"); /* libarchive's name for newc */
}

static void entry_free(struct unifw_ramdisk_entry *e)
{
	free(e->path);
	free(e->data);
	free(e->link);
	memset(e, 0, sizeof *e);
}

void unifw_ramdisk_free(struct unifw_ramdisk *rd)
{
	if (!rd)
		return;
	for (size_t i = 0; i < rd->count; i++)
		entry_free(&rd->entries[i]);
	free(rd->entries);
	rd->entries = NULL;
	rd->count = rd->cap = 0;
}

static struct unifw_ramdisk_entry *entry_append(struct unifw_ramdisk *rd, struct unifw_error *err)
{
	if (rd->count >= UNIFW_RAMDISK_MAX_ENTRIES) {
		unifw_error_set(err, UNIFW_E_TOO_BIG, NULL, UNIFW_NO_OFFSET, "more than %u ramdisk entries",
				UNIFW_RAMDISK_MAX_ENTRIES);
		return NULL;
	}
	if (rd->count == rd->cap) {
		size_t ncap = rd->cap ? rd->cap * 2 : 64;
		struct unifw_ramdisk_entry *n = realloc(rd->entries, ncap * sizeof *n);
		if (!n) {
			unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
			return NULL;
		}
		rd->entries = n;
		rd->cap = ncap;
	}
	struct unifw_ramdisk_entry *e = &rd->entries[rd->count++];
	memset(e, 0, sizeof *e);
	return e;
}

static enum unifw_rd_type type_of(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return UNIFW_RD_FILE;
	case S_IFDIR: return UNIFW_RD_DIR;
	case S_IFLNK: return UNIFW_RD_SYMLINK;
	default: return UNIFW_RD_SPECIAL;
	}
}

const char *unifw_ramdisk_canonical(const char *path)
{
	for (;;) {
		if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '/')
			path += 2;
		else if (path[0] == '.' && path[1] == '\0')
			path++;
		else
			return path;
	}
}

bool unifw_ramdisk_path_safe(const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || len > MAX_PATH_LEN || path[0] == '/')
		return false;
	for (const char *c = path; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c == '/' && *++c == '\0')
			return false; /* trailing slash: an empty last component */
	}
	return true;
}

static ssize_t find_index(const struct unifw_ramdisk *rd, const char *path)
{
	const char *want = unifw_ramdisk_canonical(path);
	/* the last entry of a name wins, as when the kernel unpacks */
	for (size_t i = rd->count; i-- > 0;)
		if (!strcmp(unifw_ramdisk_canonical(rd->entries[i].path), want))
			return (ssize_t)i;
	return -1;
}

const struct unifw_ramdisk_entry *unifw_ramdisk_find(const struct unifw_ramdisk *rd, const char *path)
{
	ssize_t i = find_index(rd, path);
	return i < 0 ? NULL : &rd->entries[i];
}

/* ------------------------------------------------------------------ parse */

static int archive_fail(struct archive *a, const char *name, const char *what, struct unifw_error *err)
{
	int e = archive_errno(a);
	const char *msg = archive_error_string(a);
	int64_t pos = archive_filter_bytes(a, 0);
	uint64_t at = pos > 0 ? (uint64_t)pos : 0; /* -1 before the first header is read */
	return unifw_error_set(err, e == ENOMEM ? UNIFW_E_NOMEM : UNIFW_E_FORMAT, name, at,
			       "%s (offset in the uncompressed cpio): %s", what, msg ? msg : "libarchive error");
}

static int read_entry_data(struct archive *a, struct unifw_ramdisk_entry *e, int64_t size, const char *name,
			   struct unifw_error *err)
{
	if (size <= 0)
		return 0;
	e->data = malloc((size_t)size);
	if (!e->data)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory (%lld bytes)",
				       (long long)size);
	size_t done = 0;
	while (done < (size_t)size) {
		la_ssize_t n = archive_read_data(a, e->data + done, (size_t)size - done);
		if (n < 0)
			return archive_fail(a, name, "cannot read the data of an entry", err);
		if (n == 0)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, (uint64_t)archive_filter_bytes(a, 0),
					       "entry %s ends after %zu of %lld bytes (offset in the uncompressed cpio)",
					       e->path, done, (long long)size);
		done += (size_t)n;
	}
	e->size = done;
	return 0;
}

static int add_parsed_entry(struct unifw_ramdisk *rd, struct archive *a, struct archive_entry *ae, const char *name,
			    struct unifw_error *err)
{
	const char *path = archive_entry_pathname(ae);
	int64_t size = archive_entry_size(ae);
	uint64_t at = (uint64_t)archive_read_header_position(a);

	if (!path || !path[0] || strlen(path) > MAX_PATH_LEN)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at,
				       "entry with an empty or over-long name (offset in the uncompressed cpio)");
	if (size < 0 || (uint64_t)size > UNIFW_RAMDISK_MAX_TOTAL - rd->data_size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, at,
				       "entry %s of %lld bytes takes the ramdisk past %llu bytes of data", path,
				       (long long)size, (unsigned long long)UNIFW_RAMDISK_MAX_TOTAL);
	struct unifw_ramdisk_entry *e = entry_append(rd, err);
	if (!e) {
		unifw_error_where(err, name);
		return err ? err->code : UNIFW_E_NOMEM;
	}
	e->header_offset = at;
	e->mode = (uint32_t)archive_entry_mode(ae);
	e->type = type_of(e->mode);
	e->uid = (uint32_t)archive_entry_uid(ae);
	e->gid = (uint32_t)archive_entry_gid(ae);
	e->mtime = (int64_t)archive_entry_mtime(ae);
	e->rdev_major = (uint32_t)archive_entry_rdevmajor(ae);
	e->rdev_minor = (uint32_t)archive_entry_rdevminor(ae);
	e->path = strdup(path);
	const char *hl = archive_entry_hardlink(ae), *sl = archive_entry_symlink(ae);
	if (hl) {
		e->type = UNIFW_RD_HARDLINK;
		e->link = strdup(hl);
	} else if (sl) {
		e->link = strdup(sl);
	}
	if (!e->path || ((hl || sl) && !e->link))
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	if (e->type == UNIFW_RD_SYMLINK)
		return 0; /* libarchive returned the target as the link, not as data */
	int rc = read_entry_data(a, e, size, name, err);
	rd->data_size += e->size;
	return rc;
}

/* 8 hex digits of a newc header field. */
static bool newc_field(const uint8_t *h, int i, uint32_t *v)
{
	uint32_t x = 0;
	for (int k = 0; k < 8; k++) {
		int c = h[6 + 8 * i + k], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return false;
		x = x << 4 | (uint32_t)d;
	}
	*v = x;
	return true;
}

/* Walk the newc headers as the kernel's unpacker does (init/initramfs.c: 110-byte header, name and
 * data each padded to 4 bytes, "TRAILER!!!" last) and check every size against the bytes that are
 * there, before libarchive reads it: damage is named at its offset, and no header can make a reader
 * allocate what the archive does not hold. */
static int newc_walk(const uint8_t *p, size_t n, const char *name, struct unifw_error *err)
{
	size_t off = 0, entries = 0;
	for (;;) {
		uint32_t namesize, filesize;
		if (n - off < 110)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, off,
					       "cpio ends before its TRAILER!!! entry (offset in the uncompressed cpio)");
		if (memcmp(p + off, "070701", 6) && memcmp(p + off, "070702", 6))
			return unifw_error_set(err, !memcmp(p + off, "070707", 6) ? UNIFW_E_UNSUPPORTED : UNIFW_E_FORMAT, name,
					       off, "expected a newc cpio header \"070701\" (offset in the uncompressed cpio)");
		for (int i = 0; i < 13; i++)
			if (!newc_field(p + off, i, &filesize))
				return unifw_error_set(err, UNIFW_E_FORMAT, name, off + 6 + 8 * (size_t)i,
						       "cpio header field is not hexadecimal (offset in the uncompressed cpio)");
		newc_field(p + off, 6, &filesize);
		newc_field(p + off, 11, &namesize);
		if (namesize == 0 || namesize > MAX_PATH_LEN + 1 || namesize > n - off - 110)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, off + 94,
					       "cpio name size %u does not fit (offset in the uncompressed cpio)", namesize);
		const uint8_t *nm = p + off + 110;
		bool trailer = namesize == 11 && !memcmp(nm, "TRAILER!!!", 11);
		size_t data = (off + 110 + namesize + 3) & ~(size_t)3;
		if (data > n || filesize > n - data)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, off + 54,
					       "cpio entry of %u bytes runs past the end (offset in the uncompressed cpio)",
					       filesize);
		if (trailer)
			return 0;
		if (++entries > UNIFW_RAMDISK_MAX_ENTRIES)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, name, off, "more than %u cpio entries",
					       UNIFW_RAMDISK_MAX_ENTRIES);
		off = (data + filesize + 3) & ~(size_t)3;
		if (off > n)
			off = n;
	}
}

static int parse_cpio(const uint8_t *p, size_t n, const char *name, struct unifw_ramdisk *rd, struct unifw_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int rc = 0;

	if ((rc = newc_walk(p, n, name, err)) != 0) {
		archive_read_free(a);
		return rc;
	}
	if (!a)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "libarchive: out of memory");
	archive_read_support_format_cpio(a);
	if (archive_read_open_memory(a, p, n) != ARCHIVE_OK) {
		rc = archive_fail(a, name, "not a readable cpio archive", err);
		goto out;
	}
	for (;;) {
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = archive_fail(a, name, rd->count ? "bad cpio entry header" : "not a cpio archive", err);
			goto out;
		}
		if ((rc = add_parsed_entry(rd, a, ae, name, err)) != 0)
			goto out;
	}
	snprintf(rd->format, sizeof rd->format, "%s", archive_format_name(a) ? archive_format_name(a) : "cpio");
	rd->kernel_format = archive_format(a) == ARCHIVE_FORMAT_CPIO_SVR4_NOCRC ||
			    archive_format(a) == ARCHIVE_FORMAT_CPIO_SVR4_CRC;
	rd->uncompressed_size = (uint64_t)archive_filter_bytes(a, 0);
out:
	archive_read_free(a);
	return rc;
}

/* Inflate the gzip stream with zlib so that container damage is reported at its input offset and
 * the size is bounded before libarchive reads the cpio. Bytes after the stream end in *trailing. */
static int gunzip(const uint8_t *in, size_t n, uint64_t in_off, const char *name, uint8_t **out, size_t *out_len,
		  uint64_t *trailing, struct unifw_error *err)
{
	z_stream z;
	size_t cap = n < (1u << 20) ? (4u << 20) : 4 * n, len = 0;
	uint8_t *buf = NULL;
	int rc = 0;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return unifw_error_set(err, UNIFW_E_LIBRARY, name, in_off, "zlib inflateInit2 failed");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	for (;;) {
		if (len == cap || !buf) {
			if (buf && cap > UNIFW_RAMDISK_MAX_CPIO) {
				rc = unifw_error_set(err, UNIFW_E_TOO_BIG, name, in_off + z.total_in,
						     "ramdisk inflates to more than %llu bytes",
						     (unsigned long long)UNIFW_RAMDISK_MAX_CPIO);
				break;
			}
			size_t ncap = buf ? cap * 2 : cap;
			uint8_t *q = realloc(buf, ncap);
			if (!q) {
				rc = unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
				break;
			}
			buf = q;
			cap = ncap;
		}
		z.next_out = buf + len;
		z.avail_out = (uInt)(cap - len);
		int zr = inflate(&z, Z_NO_FLUSH);
		len = cap - z.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK || (zr == Z_BUF_ERROR && z.avail_in > 0))
			continue;
		if (zr == Z_BUF_ERROR)
			rc = unifw_error_set(err, UNIFW_E_TRUNCATED, name, in_off + z.total_in,
					     "gzip stream ends early: input stops after %llu compressed bytes",
					     (unsigned long long)z.total_in);
		else if (zr == Z_MEM_ERROR)
			rc = unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "zlib: out of memory");
		else
			rc = unifw_error_set(err, UNIFW_E_FORMAT, name, in_off + z.total_in, "corrupt gzip data: %s",
					     z.msg ? z.msg : "inflate failed");
		break;
	}
	*trailing = n - z.total_in;
	inflateEnd(&z);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* Where the cpio (or its gzip stream) starts and how long it is: after an MTK ROOTFS/RECOVERY header if
 * there is one. Sets rd's has_mtk_header, mtk and compression. */
static int locate_payload(const uint8_t *buf, size_t len, const char *name, struct unifw_ramdisk *rd, uint64_t *off,
			  size_t *n, struct unifw_error *err)
{
	int rc;
	*off = 0;
	*n = len;
	if (unifw_mtkhdr_is(buf, len)) {
		if ((rc = unifw_mtkhdr_parse(buf, len, len, &rd->mtk, err)) != 0) {
			unifw_error_where(err, name);
			return rc;
		}
		if (rd->mtk.missing)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
					       "%s header says the ramdisk is %u bytes, only %llu follow the header",
					       rd->mtk.name, rd->mtk.dsize, (unsigned long long)rd->mtk.available);
		rd->has_mtk_header = true;
		*off = UNIFW_MTKHDR_SIZE;
		*n = rd->mtk.dsize;
	}
	const uint8_t *p = buf + *off;
	if (*n >= 2 && !memcmp(p, gzip_magic, 2))
		rd->compression = UNIFW_RD_GZIP;
	else if (*n >= 6 && !memcmp(p, "0707", 4))
		rd->compression = UNIFW_RD_NONE;
	else
		return unifw_error_set(err, *n < 6 ? UNIFW_E_TRUNCATED : UNIFW_E_FORMAT, name, *off,
				       "expected a gzip stream (1f 8b) or a cpio archive (\"070701\")");
	return 0;
}

int unifw_ramdisk_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_ramdisk *rd,
			struct unifw_error *err)
{
	uint64_t off = 0;
	size_t n = len;
	int rc;

	unifw_ramdisk_init(rd);
	if (!name)
		name = "ramdisk";
	if ((rc = locate_payload(buf, len, name, rd, &off, &n, err)) != 0)
		return rc;
	const uint8_t *p = buf + off;
	uint8_t *cpio = NULL;
	size_t cpio_len = n;
	if (rd->compression == UNIFW_RD_GZIP) {
		if ((rc = gunzip(p, n, off, name, &cpio, &cpio_len, &rd->trailing, err)) != 0)
			return rc;
		p = cpio;
	}
	rc = parse_cpio(p, cpio_len, name, rd, err);
	rd->uncompressed_size = cpio_len;
	free(cpio);
	if (rc)
		unifw_ramdisk_free(rd);
	return rc;
}

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
		if (!newc_field(h, i, &f[i]))
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
	if (type_of(f[1]) != UNIFW_RD_SYMLINK && f[6] > UNIFW_RAMDISK_MAX_TOTAL - rd->data_size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, at,
				       "entry %s of %u bytes takes the ramdisk past %llu bytes of data", path, f[6],
				       (unsigned long long)UNIFW_RAMDISK_MAX_TOTAL);
	int rc = scan_keep(s, strlen(path) + 1, at, err);
	if (rc)
		return rc;
	struct unifw_ramdisk_entry *e = entry_append(rd, err);
	if (!e) {
		unifw_error_where(err, name);
		return err ? err->code : UNIFW_E_NOMEM;
	}
	e->header_offset = at;
	e->mode = f[1];
	e->type = type_of(f[1]);
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
	if (!rc && type_of(f[1]) != UNIFW_RD_SYMLINK)
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
	int rc = locate_payload(buf, len, name, rd, &off, &n, err);
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

/* ------------------------------------------------------------------ edit */

static int check_safe(const char *path, struct unifw_error *err)
{
	if (!unifw_ramdisk_path_safe(path))
		return unifw_error_set(err, UNIFW_E_UNSAFE, path, UNIFW_NO_OFFSET,
				       "ramdisk path must be relative without \".\", \"..\" or empty components");
	return 0;
}

static int set_entry(struct unifw_ramdisk_entry *e, const char *path, uint32_t mode, const void *data, size_t len,
		     const char *link, struct unifw_error *err)
{
	char *p = strdup(path), *l = link ? strdup(link) : NULL;
	uint8_t *d = len ? malloc(len) : NULL;
	if (!p || (link && !l) || (len && !d)) {
		free(p);
		free(l);
		free(d);
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	if (len)
		memcpy(d, data, len);
	entry_free(e);
	e->path = p;
	e->link = l;
	e->data = d;
	e->size = len;
	e->mode = mode;
	e->type = type_of(mode);
	return 0;
}

/* Add every missing parent directory of path, outermost first. */
static int ensure_parents(struct unifw_ramdisk *rd, const char *path, struct unifw_error *err)
{
	char prefix[MAX_PATH_LEN + 1];
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - path);
		memcpy(prefix, path, n);
		prefix[n] = '\0';
		const struct unifw_ramdisk_entry *have = unifw_ramdisk_find(rd, prefix);
		if (have && have->type != UNIFW_RD_DIR)
			return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
					       "parent %s is not a directory in the ramdisk", prefix);
		if (!have) {
			struct unifw_ramdisk_entry *e = entry_append(rd, err);
			if (!e)
				return err ? err->code : UNIFW_E_NOMEM;
			int rc = set_entry(e, prefix, S_IFDIR | 0755, NULL, 0, NULL, err);
			if (rc) {
				rd->count--;
				return rc;
			}
		}
	}
	return 0;
}

static int put_entry(struct unifw_ramdisk *rd, const char *path, uint32_t mode, const void *data, size_t len,
		     const char *link, struct unifw_error *err)
{
	int rc = check_safe(path, err);
	if (rc)
		return rc;
	ssize_t i = find_index(rd, path);
	if (i >= 0) {
		struct unifw_ramdisk_entry *e = &rd->entries[i];
		if ((e->type == UNIFW_RD_DIR) != ((mode & S_IFMT) == S_IFDIR))
			return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
					       "cannot replace a %s with a %s", e->type == UNIFW_RD_DIR ? "directory" : "file",
					       (mode & S_IFMT) == S_IFDIR ? "directory" : "file");
		uint32_t uid = e->uid, gid = e->gid;
		int64_t mtime = e->mtime;
		rd->data_size -= e->size;
		/* keep the stored spelling of the path ("./init.rc") so the archive order and names hold */
		char *keep = strdup(e->path);
		if (!keep)
			return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
		rc = set_entry(e, keep, mode, data, len, link, err);
		free(keep);
		e->uid = uid;
		e->gid = gid;
		e->mtime = mtime;
		rd->data_size += e->size;
		return rc;
	}
	if ((rc = ensure_parents(rd, path, err)) != 0)
		return rc;
	struct unifw_ramdisk_entry *e = entry_append(rd, err);
	if (!e)
		return err ? err->code : UNIFW_E_NOMEM;
	if ((rc = set_entry(e, path, mode, data, len, link, err)) != 0) {
		rd->count--;
		return rc;
	}
	rd->data_size += len;
	return 0;
}

int unifw_ramdisk_add_file(struct unifw_ramdisk *rd, const char *path, uint32_t perm, const void *data, size_t len,
			   struct unifw_error *err)
{
	if (len > UNIFW_RAMDISK_MAX_TOTAL - rd->data_size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET, "ramdisk data would exceed %llu bytes",
				       (unsigned long long)UNIFW_RAMDISK_MAX_TOTAL);
	return put_entry(rd, path, S_IFREG | (perm & 07777), data, len, NULL, err);
}

int unifw_ramdisk_add_dir(struct unifw_ramdisk *rd, const char *path, uint32_t perm, struct unifw_error *err)
{
	return put_entry(rd, path, S_IFDIR | (perm & 07777), NULL, 0, NULL, err);
}

int unifw_ramdisk_add_symlink(struct unifw_ramdisk *rd, const char *path, const char *target,
			      struct unifw_error *err)
{
	if (!target || !target[0] || strlen(target) > MAX_PATH_LEN)
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "symlink target must be 1..%u bytes",
				       MAX_PATH_LEN);
	return put_entry(rd, path, S_IFLNK | 0777, NULL, 0, target, err);
}

static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && path[n] == '/';
}

int unifw_ramdisk_remove(struct unifw_ramdisk *rd, const char *path, struct unifw_error *err)
{
	const char *want = unifw_ramdisk_canonical(path);
	size_t kept = 0, removed = 0;
	if (!want[0])
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "cannot remove the ramdisk root");
	for (size_t i = 0; i < rd->count; i++) {
		struct unifw_ramdisk_entry *e = &rd->entries[i];
		const char *c = unifw_ramdisk_canonical(e->path);
		if (!strcmp(c, want) || below(c, want)) {
			rd->data_size -= e->size;
			entry_free(e);
			removed++;
		} else {
			rd->entries[kept++] = *e;
		}
	}
	rd->count = kept;
	if (!removed)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, path, UNIFW_NO_OFFSET, "no such entry in the ramdisk");
	return 0;
}

/* ------------------------------------------------------------------ write */

struct membuf {
	uint8_t *p;
	size_t len, cap;
};

static la_ssize_t membuf_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct membuf *m = ctx;
	if (n > m->cap - m->len) {
		size_t ncap = m->cap ? m->cap : 65536;
		while (ncap - m->len < n)
			ncap *= 2;
		uint8_t *q = realloc(m->p, ncap);
		if (!q) {
			archive_set_error(a, ENOMEM, "out of memory");
			return -1;
		}
		m->p = q;
		m->cap = ncap;
	}
	memcpy(m->p + m->len, buf, n);
	m->len += n;
	return (la_ssize_t)n;
}

/* Data a hard-link entry stands for: its own, else its target's (newc keeps it on one link only). */
static const struct unifw_ramdisk_entry *link_data(const struct unifw_ramdisk *rd, const struct unifw_ramdisk_entry *e)
{
	if (e->type != UNIFW_RD_HARDLINK || e->size || !e->link)
		return e;
	const struct unifw_ramdisk_entry *t = unifw_ramdisk_find(rd, e->link);
	return t && t->type == UNIFW_RD_FILE ? t : e;
}

static int write_entry(struct archive *a, struct archive_entry *ae, const struct unifw_ramdisk *rd, size_t i)
{
	const struct unifw_ramdisk_entry *e = &rd->entries[i];
	const struct unifw_ramdisk_entry *d = link_data(rd, e);
	archive_entry_clear(ae);
	archive_entry_set_pathname(ae, e->path);
	/* hard links are written as plain files carrying the data: the kernel needs no link table */
	archive_entry_set_mode(ae, e->type == UNIFW_RD_HARDLINK ? (S_IFREG | (e->mode & 07777)) : e->mode);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_mtime(ae, (time_t)e->mtime, 0);
	archive_entry_set_ino(ae, FIRST_INODE + (int64_t)i);
	archive_entry_set_nlink(ae, e->type == UNIFW_RD_DIR ? 2 : 1);
	if (e->type == UNIFW_RD_SYMLINK)
		archive_entry_set_symlink(ae, e->link ? e->link : "");
	if (e->type == UNIFW_RD_SPECIAL) {
		archive_entry_set_rdevmajor(ae, e->rdev_major);
		archive_entry_set_rdevminor(ae, e->rdev_minor);
	}
	bool has_data = e->type == UNIFW_RD_FILE || e->type == UNIFW_RD_HARDLINK;
	archive_entry_set_size(ae, has_data ? (la_int64_t)d->size : 0);
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		return -1;
	if (has_data && d->size && archive_write_data(a, d->data, d->size) != (la_ssize_t)d->size)
		return -1;
	return 0;
}

int unifw_ramdisk_write(const struct unifw_ramdisk *rd, enum unifw_ramdisk_comp comp, uint8_t **out, size_t *len,
			struct unifw_error *err)
{
	struct membuf m = {0};
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (!a || !ae) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "ramdisk", UNIFW_NO_OFFSET, "libarchive: out of memory");
		goto out;
	}
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    (comp == UNIFW_RD_GZIP && (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
				       archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
				       archive_write_set_filter_option(a, "gzip", "compression-level", "9") != ARCHIVE_OK)) ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &m, NULL, membuf_write, NULL) != ARCHIVE_OK)
		goto fail;
	for (size_t i = 0; i < rd->count; i++)
		if (write_entry(a, ae, rd, i) != 0) {
			rc = unifw_error_set(err, archive_errno(a) == ENOMEM ? UNIFW_E_NOMEM : UNIFW_E_LIBRARY,
					     rd->entries[i].path, UNIFW_NO_OFFSET, "libarchive cannot write this entry (mode 0%o): %s",
					     rd->entries[i].mode, archive_error_string(a) ? archive_error_string(a) : "unknown error");
			goto out;
		}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto fail;
	*out = m.p;
	*len = m.len;
	m.p = NULL;
	goto out;
fail:
	rc = unifw_error_set(err, archive_errno(a) == ENOMEM ? UNIFW_E_NOMEM : UNIFW_E_LIBRARY, "ramdisk",
			     UNIFW_NO_OFFSET, "libarchive cannot write the cpio: %s",
			     archive_error_string(a) ? archive_error_string(a) : "unknown error");
out:
	archive_entry_free(ae);
	/* free the writer first: on the error path it still flushes into m */
	if (a)
		archive_write_free(a);
	free(m.p);
	return rc;
}

/* ------------------------------------------------------------------ extract */

static int unsafe(const struct unifw_ramdisk_entry *e, const char *why, struct unifw_error *err)
{
	return unifw_error_set(err, UNIFW_E_UNSAFE, e->path, e->header_offset,
			       "refusing to extract this entry (offset in the uncompressed cpio): %s", why);
}

/* Open the directory that will hold the last component of rel, creating missing directories and
 * never following a symlink. *last points at the last component inside rel. */
static int open_parent(int root, const struct unifw_ramdisk_entry *e, const char *rel, const char **last,
		       struct unifw_error *err)
{
	char comp[256];
	int fd = dup(root);
	if (fd < 0)
		return unifw_error_sys(err, e->path, "dup");
	const char *c = rel;
	for (;;) {
		size_t n = strcspn(c, "/");
		if (c[n] == '\0') {
			*last = c;
			return fd;
		}
		if (n >= sizeof comp) {
			close(fd);
			return unsafe(e, "a path component is longer than 255 bytes", err);
		}
		memcpy(comp, c, n);
		comp[n] = '\0';
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && mkdirat(fd, comp, 0755) == 0)
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int saved = errno;
			close(fd);
			if (saved == ELOOP || saved == ENOTDIR)
				return unsafe(e, "a directory on its path is a symlink or a file", err);
			errno = saved;
			return unifw_error_sys(err, e->path, "create directory %s", comp);
		}
		close(fd);
		fd = next;
		c += n + 1;
	}
}

/* Remove what is at name (a file or symlink; never follows it) so that a new node can be created. */
static int clear_slot(int dirfd, const char *name, const struct unifw_ramdisk_entry *e, struct unifw_error *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return unsafe(e, "a directory of the same name was extracted before", err);
	if (unlinkat(dirfd, name, 0) != 0)
		return unifw_error_sys(err, e->path, "replace");
	return 0;
}

static int write_file_at(int dirfd, const char *name, const struct unifw_ramdisk_entry *e,
			 const struct unifw_ramdisk_entry *d, struct unifw_error *err)
{
	int rc = clear_slot(dirfd, name, e, err);
	if (rc)
		return rc;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return unifw_error_sys(err, e->path, "create");
	if ((rc = unifw_fd_write_all(fd, d->data, d->size, e->path, err)) != 0) {
		close(fd);
		return rc;
	}
	/* permissions as stored, without setuid/setgid/sticky: this is an inspection copy */
	if (fchmod(fd, e->mode & 0777) != 0)
		rc = unifw_error_sys(err, e->path, "chmod");
	close(fd);
	return rc;
}

static int extract_entry(int root, const struct unifw_ramdisk *rd, const struct unifw_ramdisk_entry *e,
			 size_t *skipped, struct unifw_error *err)
{
	const char *rel = e->path, *last = NULL;
	if (rel[0] == '/')
		return unsafe(e, "absolute path", err);
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (!strcmp(rel, ".") || !rel[0])
		return 0; /* the root itself */
	if (!unifw_ramdisk_path_safe(rel))
		return unsafe(e, "path has \"..\", \".\" or empty components", err);
	if (e->type == UNIFW_RD_SPECIAL) {
		(*skipped)++;
		return 0;
	}
	int dirfd = open_parent(root, e, rel, &last, err);
	if (dirfd < 0)
		return dirfd;
	int rc = 0;
	struct stat st;
	switch (e->type) {
	case UNIFW_RD_DIR:
		if (mkdirat(dirfd, last, 0700 | (e->mode & 0777)) != 0) {
			if (errno != EEXIST)
				rc = unifw_error_sys(err, e->path, "mkdir");
			else if (fstatat(dirfd, last, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
				rc = unsafe(e, "a file or symlink of the same name was extracted before", err);
		}
		break;
	case UNIFW_RD_SYMLINK:
		if ((rc = clear_slot(dirfd, last, e, err)) == 0 && symlinkat(e->link ? e->link : "", dirfd, last) != 0)
			rc = unifw_error_sys(err, e->path, "symlink");
		break;
	default:
		rc = write_file_at(dirfd, last, e, link_data(rd, e), err);
		break;
	}
	close(dirfd);
	return rc;
}

int unifw_ramdisk_extract(const struct unifw_ramdisk *rd, const char *dir, size_t *skipped, struct unifw_error *err)
{
	size_t skip = 0;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return unifw_error_sys(err, dir, "create directory");
	int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return unifw_error_sys(err, dir, "open directory");
	int rc = 0;
	for (size_t i = 0; i < rd->count && rc == 0; i++)
		rc = extract_entry(root, rd, &rd->entries[i], &skip, err);
	close(root);
	if (skipped)
		*skipped = skip;
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
		unifw_jv_set_str(f, "path", e->path);
		unifw_jv_set_str(f, "type", type_name(e->type));
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
