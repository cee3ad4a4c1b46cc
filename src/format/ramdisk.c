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

#include "format/ramdisk_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ model */

void unifw_ramdisk_init(struct unifw_ramdisk *rd)
{
	memset(rd, 0, sizeof *rd);
	rd->compression = UNIFW_RD_GZIP;
	rd->kernel_format = true;
	snprintf(rd->format, sizeof rd->format, "ASCII cpio (SVR4 with no CRC)"); /* libarchive's name for newc */
}

void ramdisk_entry_free(struct unifw_ramdisk_entry *e)
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
		ramdisk_entry_free(&rd->entries[i]);
	free(rd->entries);
	rd->entries = NULL;
	rd->count = rd->cap = 0;
}

struct unifw_ramdisk_entry *ramdisk_entry_append(struct unifw_ramdisk *rd, struct unifw_error *err)
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

enum unifw_rd_type ramdisk_type_of(uint32_t mode)
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

ssize_t ramdisk_find_index(const struct unifw_ramdisk *rd, const char *path)
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
	ssize_t i = ramdisk_find_index(rd, path);
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

int ramdisk_add_parsed_entry(struct unifw_ramdisk *rd, struct archive *a, struct archive_entry *ae, const char *name,
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
	struct unifw_ramdisk_entry *e = ramdisk_entry_append(rd, err);
	if (!e) {
		unifw_error_where(err, name);
		return err ? err->code : UNIFW_E_NOMEM;
	}
	e->header_offset = at;
	e->mode = (uint32_t)archive_entry_mode(ae);
	e->type = ramdisk_type_of(e->mode);
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
bool ramdisk_newc_field(const uint8_t *h, int i, uint32_t *v)
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
int ramdisk_newc_walk(const uint8_t *p, size_t n, const char *name, struct unifw_error *err)
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
			if (!ramdisk_newc_field(p + off, i, &filesize))
				return unifw_error_set(err, UNIFW_E_FORMAT, name, off + 6 + 8 * (size_t)i,
						       "cpio header field is not hexadecimal (offset in the uncompressed cpio)");
		ramdisk_newc_field(p + off, 6, &filesize);
		ramdisk_newc_field(p + off, 11, &namesize);
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

	if ((rc = ramdisk_newc_walk(p, n, name, err)) != 0) {
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
		if ((rc = ramdisk_add_parsed_entry(rd, a, ae, name, err)) != 0)
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
int ramdisk_locate_payload(const uint8_t *buf, size_t len, const char *name, struct unifw_ramdisk *rd, uint64_t *off,
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
	if ((rc = ramdisk_locate_payload(buf, len, name, rd, &off, &n, err)) != 0)
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
