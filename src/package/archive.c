/* Archives read in place through libarchive (see include/unifw/archive.h for the model).
 * Formats: zip, 7z, rar (v4 and v5), tar in every flavour, with any compression filter libarchive has.
 * cpio, iso9660, ar, mtree and "raw" are deliberately NOT enabled: a gzip'd cpio is an Android ramdisk
 * (an image to describe, not a package) and mtree/raw would claim ordinary text or binary files. */
#include "unifw/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/bytes.h"

/* libarchive asks the file in blocks of this size; it bounds the read-ahead buffer, not correctness. */
#define ARCHIVE_BLOCK_SIZE (64 * 1024)

struct unifw_archive {
	struct archive *ar;
	char name[256];
	uint64_t next_index;
	/* current member */
	bool have_member;
	uint64_t declared;         /* UNIFW_SIZE_UNKNOWN if not declared */
	uint64_t consumed;
	enum unifw_member_kind kind;
	bool encrypted;
	bool name_too_long;
	bool end_checked;          /* looked for data past the declared size */
	char raw_name[UNIFW_ARCHIVE_MAX_NAME + 1];
	char norm_name[UNIFW_ARCHIVE_MAX_NAME + 1];
	char stream_name[256];
	char format[64];
};

static void enable_formats(struct archive *ar)
{
	archive_read_support_filter_all(ar);
	archive_read_support_format_zip(ar);
	archive_read_support_format_7zip(ar);
	archive_read_support_format_rar(ar);
	archive_read_support_format_rar5(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_format_gnutar(ar);
}

/* Position reached in the archive file itself (compressed bytes), for error offsets. */
static uint64_t archive_offset(const struct unifw_archive *a)
{
	la_int64_t n = archive_filter_bytes(a->ar, -1);
	return n < 0 ? UNIFW_NO_OFFSET : (uint64_t)n;
}

static int library_error(struct unifw_archive *a, int code, const char *what, struct unifw_error *err)
{
	const char *why = archive_error_string(a->ar);
	return unifw_error_set(err, code, a->name, archive_offset(a), "%s: libarchive: %s", what,
			       why ? why : "unknown error");
}

static struct unifw_archive *archive_alloc(const char *name, struct unifw_error *err)
{
	struct unifw_archive *a = calloc(1, sizeof *a);
	if (!a) {
		unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory opening the archive");
		return NULL;
	}
	a->ar = archive_read_new();
	if (!a->ar) {
		free(a);
		unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "libarchive could not start");
		return NULL;
	}
	enable_formats(a->ar);
	snprintf(a->name, sizeof a->name, "%s", name ? name : "(archive)");
	return a;
}

static int finish_open(struct unifw_archive *a, int rc, struct unifw_archive **out, struct unifw_error *err)
{
	if (rc != ARCHIVE_OK) {
		int e = archive_errno(a->ar);
		int code = e == ENOENT || e == EACCES || e == EPERM || e == EISDIR || e == EIO ? UNIFW_E_IO
											       : UNIFW_E_FORMAT;
		const char *why = archive_error_string(a->ar);
		unifw_error_set(err, code, a->name, 0, "expected an archive (zip, 7z, rar, tar[.gz|.xz|.bz2]), found %s",
				why ? why : "something libarchive does not read");
		unifw_archive_close(a);
		return code;
	}
	*out = a;
	return 0;
}

int unifw_archive_open(const char *path, struct unifw_archive **out, struct unifw_error *err)
{
	*out = NULL;
	struct unifw_archive *a = archive_alloc(path, err);
	if (!a)
		return UNIFW_E_NOMEM;
	return finish_open(a, archive_read_open_filename(a->ar, path, ARCHIVE_BLOCK_SIZE), out, err);
}

int unifw_archive_open_mem(const void *buf, size_t len, const char *name, struct unifw_archive **out,
			   struct unifw_error *err)
{
	*out = NULL;
	struct unifw_archive *a = archive_alloc(name, err);
	if (!a)
		return UNIFW_E_NOMEM;
	/* libarchive takes a non-const pointer but only reads it. */
	return finish_open(a, archive_read_open_memory(a->ar, (void *)(uintptr_t)buf, len), out, err);
}

void unifw_archive_close(struct unifw_archive *a)
{
	if (!a)
		return;
	archive_read_free(a->ar);
	free(a);
}

const char *unifw_archive_format(const struct unifw_archive *a) { return a->format; }
uint64_t unifw_archive_member_consumed(const struct unifw_archive *a) { return a->consumed; }

char *unifw_archive_normalise_name(const char *name, char *out, size_t out_len)
{
	size_t o = 0;
	const char *p = name;
	if (!out_len)
		return out;
	/* Keep one leading separator so that an absolute name still reads as one. */
	if (*p == '/' || *p == '\\') {
		if (o + 1 < out_len)
			out[o++] = '/';
		while (*p == '/' || *p == '\\')
			p++;
	}
	while (*p) {
		const char *end = p;
		while (*end && *end != '/' && *end != '\\')
			end++;
		size_t n = (size_t)(end - p);
		bool dot = n == 1 && p[0] == '.';
		if (n && !dot) {
			if (o && out[o - 1] != '/' && o + 1 < out_len)
				out[o++] = '/';
			for (size_t i = 0; i < n && o + 1 < out_len; i++)
				out[o++] = p[i];
		}
		p = end;
		while (*p == '/' || *p == '\\')
			p++;
	}
	out[o] = 0;
	return out;
}

const char *unifw_archive_check_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0)
		return "empty name";
	if (len > UNIFW_ARCHIVE_MAX_NAME)
		return "name too long";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return "control character in name";
	}
	if (name[0] == '/' || name[0] == '\\')
		return "absolute path";
	if (((name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z') && name[1] == ':')
		return "drive letter (absolute Windows path)";
	const char *p = name;
	bool any = false;
	while (*p) {
		const char *end = p;
		while (*end && *end != '/' && *end != '\\')
			end++;
		size_t n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "'..' component would escape the target directory";
		if (n > 255)
			return "path component longer than 255 bytes";
		if (n && !(n == 1 && p[0] == '.'))
			any = true;
		p = *end ? end + 1 : end;
	}
	return any ? NULL : "name has no file component";
}

static enum unifw_member_kind member_kind(struct archive_entry *e)
{
	switch (archive_entry_filetype(e)) {
	case AE_IFREG: return archive_entry_hardlink(e) ? UNIFW_MEMBER_LINK : UNIFW_MEMBER_FILE;
	case AE_IFDIR: return UNIFW_MEMBER_DIR;
	case AE_IFLNK: return UNIFW_MEMBER_LINK;
	default: return archive_entry_hardlink(e) ? UNIFW_MEMBER_LINK : UNIFW_MEMBER_OTHER;
	}
}

static void take_name(struct unifw_archive *a, struct archive_entry *e)
{
	const char *n = archive_entry_pathname_utf8(e);
	if (!n)
		n = archive_entry_pathname(e);
	if (!n || !*n)
		snprintf(a->raw_name, sizeof a->raw_name, "(unnamed #%llu)", (unsigned long long)a->next_index);
	else
		snprintf(a->raw_name, sizeof a->raw_name, "%s", n);
	/* A name cut to fit the buffer is not the real one: it is never safe to write. */
	a->name_too_long = n && strlen(n) > UNIFW_ARCHIVE_MAX_NAME;
	unifw_archive_normalise_name(a->raw_name, a->norm_name, sizeof a->norm_name);
	if (snprintf(a->stream_name, sizeof a->stream_name, "%s!%s", a->name, a->norm_name) >= (int)sizeof a->stream_name)
		a->stream_name[sizeof a->stream_name - 1] = 0;
}

int unifw_archive_next(struct unifw_archive *a, struct unifw_archive_member *m, struct unifw_error *err)
{
	struct archive_entry *e = NULL;
	a->have_member = false;
	if (a->next_index >= UNIFW_ARCHIVE_MAX_MEMBERS)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, a->name, archive_offset(a),
				       "more than %u members: expected a firmware package (tens of files)",
				       UNIFW_ARCHIVE_MAX_MEMBERS);
	int rc = archive_read_next_header(a->ar, &e);
	if (rc == ARCHIVE_EOF)
		return 0;
	if (rc == ARCHIVE_RETRY || rc == ARCHIVE_FAILED || rc == ARCHIVE_FATAL || !e)
		return library_error(a, UNIFW_E_FORMAT, "cannot read the next member header", err);
	/* ARCHIVE_WARN (e.g. a name not convertible to the locale) still gives a usable entry. */
	const char *fmt = archive_format_name(a->ar);
	snprintf(a->format, sizeof a->format, "%s", fmt ? fmt : "");
	take_name(a, e);
	a->kind = member_kind(e);
	a->declared = archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 ? (uint64_t)archive_entry_size(e)
										   : UNIFW_SIZE_UNKNOWN;
	if (a->kind == UNIFW_MEMBER_DIR)
		a->declared = 0;
	a->encrypted = archive_entry_is_data_encrypted(e) > 0;
	a->consumed = 0;
	a->end_checked = false;
	a->have_member = true;

	memset(m, 0, sizeof *m);
	m->index = a->next_index++;
	m->raw_name = a->raw_name;
	m->name = a->norm_name;
	m->kind = a->kind;
	m->size = a->declared;
	m->encrypted = a->encrypted;
	m->unsafe_reason = a->name_too_long ? "name too long" : unifw_archive_check_name(a->raw_name);
	return 1;
}

/* At the declared size: the data must end here too (a header that under-declares is a lie as well). */
static ssize_t member_end(struct unifw_archive *a, struct unifw_error *err)
{
	uint8_t extra;
	if (a->end_checked)
		return 0;
	a->end_checked = true;
	la_ssize_t n = archive_read_data(a->ar, &extra, 1);
	if (n > 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, a->stream_name, a->declared,
				       "member data continues past its size in the archive (%llu bytes)",
				       (unsigned long long)a->declared);
	return 0;
}

static ssize_t member_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct unifw_archive *a = ctx;
	if (!a->have_member)
		return unifw_error_set(err, UNIFW_E_INVALID, a->stream_name, UNIFW_NO_OFFSET, "no current member");
	if (a->declared != UNIFW_SIZE_UNKNOWN) {
		uint64_t left = a->declared - a->consumed;
		if (left == 0)
			return member_end(a, err);
		if (len > left)
			len = (size_t)left;
	}
	if (len == 0)
		return 0;
	la_ssize_t n = archive_read_data(a->ar, buf, len);
	if (n < 0) {
		const char *why = archive_error_string(a->ar);
		return unifw_error_set(err, a->encrypted ? UNIFW_E_UNSUPPORTED : UNIFW_E_FORMAT, a->stream_name,
				       a->consumed, "cannot read member data%s: libarchive: %s",
				       a->encrypted ? " (encrypted)" : "", why ? why : "unknown error");
	}
	if (n == 0 && a->declared != UNIFW_SIZE_UNKNOWN && a->consumed < a->declared)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, a->stream_name, a->consumed,
				       "member data ends here: expected %llu bytes (its size in the archive), found %llu",
				       (unsigned long long)a->declared, (unsigned long long)a->consumed);
	a->consumed += (uint64_t)n;
	return (ssize_t)n;
}

int unifw_archive_member_stream(struct unifw_archive *a, struct unifw_stream *s, struct unifw_error *err)
{
	memset(s, 0, sizeof *s);
	if (!a->have_member)
		return unifw_error_set(err, UNIFW_E_INVALID, a->name, UNIFW_NO_OFFSET, "no current member to read");
	if (a->consumed)
		return unifw_error_set(err, UNIFW_E_INVALID, a->stream_name, a->consumed,
				       "member already partly read; archives are read once, in order");
	s->read = member_read;
	s->pread = NULL;
	s->close = NULL;
	s->ctx = a;
	s->size = a->declared;
	snprintf(s->name, sizeof s->name, "%s", a->stream_name);
	return 0;
}

/* --- content probe ------------------------------------------------------------------------------- */

static bool has_magic(const uint8_t *h, size_t len, size_t off, const char *magic, size_t n)
{
	return unifw_in_bounds(len, off, n) && memcmp(h + off, magic, n) == 0;
}

/* A compressed stream is an archive here only if what it holds is a tar. */
static bool compressed_tar(const uint8_t *head, size_t len)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *e;
	bool ok = false;
	if (!ar)
		return false;
	archive_read_support_filter_all(ar);
	archive_read_support_format_tar(ar);
	archive_read_support_format_gnutar(ar);
	if (archive_read_open_memory(ar, (void *)(uintptr_t)head, len) == ARCHIVE_OK) {
		int rc = archive_read_next_header(ar, &e);
		ok = rc == ARCHIVE_OK || rc == ARCHIVE_WARN;
	}
	archive_read_free(ar);
	return ok;
}

bool unifw_archive_compressed(const uint8_t *head, size_t len)
{
	return has_magic(head, len, 0, "\x1f\x8b", 2) || has_magic(head, len, 0, "BZh", 3) ||
	       has_magic(head, len, 0, "\xfd" "7zXZ\0", 6) || has_magic(head, len, 0, "\x28\xb5\x2f\xfd", 4) ||
	       has_magic(head, len, 0, "\x5d\x00\x00", 3);
}

bool unifw_archive_probe(const uint8_t *head, size_t len)
{
	if (has_magic(head, len, 0, "PK\x03\x04", 4) || has_magic(head, len, 0, "PK\x05\x06", 4) ||
	    has_magic(head, len, 0, "PK\x07\x08PK\x03\x04", 8))
		return true;
	if (has_magic(head, len, 0, "7z\xbc\xaf\x27\x1c", 6) || has_magic(head, len, 0, "Rar!\x1a\x07", 6))
		return true;
	if (has_magic(head, len, 257, "ustar", 5))
		return true;
	return unifw_archive_compressed(head, len) && compressed_tar(head, len);
}

/* --- safe extraction ------------------------------------------------------------------------------ */

/* Walk (creating) the directories of `rel` under dirfd without following symlinks.
 * Returns an fd of the last directory and sets *base to the file component. */
static int open_parent(int dirfd, char *rel, char **base, struct unifw_error *err, const char *where)
{
	int cur = dup(dirfd);
	char *p = rel;
	if (cur < 0)
		return unifw_error_sys(err, where, "dup");
	for (;;) {
		char *slash = strchr(p, '/');
		if (!slash)
			break;
		*slash = 0;
		if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST) {
			int rc = unifw_error_sys(err, where, "create directory %s", p);
			close(cur);
			return rc;
		}
		int next = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int rc = errno == ELOOP || errno == ENOTDIR ?
					 unifw_error_set(err, UNIFW_E_UNSAFE, where, UNIFW_NO_OFFSET,
							 "refusing to write through '%s': not a plain directory", p) :
					 unifw_error_sys(err, where, "open directory %s", p);
			close(cur);
			return rc;
		}
		close(cur);
		cur = next;
		p = slash + 1;
	}
	*base = p;
	return cur;
}

/* Copy the current member's data to fd, stopping as soon as more than max bytes came. */
static int copy_member(struct unifw_archive *a, int fd, uint64_t max, const char *dir, struct unifw_error *err)
{
	struct unifw_stream s;
	uint64_t written = 0;
	int rc = unifw_archive_member_stream(a, &s, err);
	uint8_t *buf = rc ? NULL : malloc(ARCHIVE_BLOCK_SIZE);
	if (!rc && !buf)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, a->stream_name, UNIFW_NO_OFFSET, "out of memory");
	while (!rc) {
		/* one byte past the limit is enough to know the member is too big */
		uint64_t room = max - written + 1;
		ssize_t n = unifw_stream_read(&s, buf, room < ARCHIVE_BLOCK_SIZE ? (size_t)room : ARCHIVE_BLOCK_SIZE,
					      err);
		if (n < 0)
			rc = (int)n;
		else if (n == 0)
			break;
		else if ((written += (uint64_t)n) > max)
			rc = unifw_error_set(err, UNIFW_E_TOO_BIG, a->stream_name, max,
					     "member '%s' holds more than the limit of %llu bytes (the archive does not "
					     "give its size): extraction stopped, the partial file removed",
					     a->raw_name, (unsigned long long)max);
		else if (unifw_fd_write_all(fd, buf, (size_t)n, NULL, NULL) < 0) /* errno kept for this message */
			rc = unifw_error_sys(err, a->stream_name, "write %s/%s", dir, a->norm_name);
	}
	free(buf);
	return rc;
}

int unifw_archive_extract_current(struct unifw_archive *a, const char *dir, struct unifw_error *err)
{
	return unifw_archive_extract_current_max(a, dir, UNIFW_ARCHIVE_MAX_EXTRACT, err);
}

int unifw_archive_extract_current_max(struct unifw_archive *a, const char *dir, uint64_t max,
				      struct unifw_error *err)
{
	if (!a->have_member || a->kind != UNIFW_MEMBER_FILE)
		return unifw_error_set(err, UNIFW_E_INVALID, a->stream_name, UNIFW_NO_OFFSET,
				       "only regular files are extracted");
	const char *why = a->name_too_long ? "name too long" : unifw_archive_check_name(a->raw_name);
	if (why)
		return unifw_error_set(err, UNIFW_E_UNSAFE, a->stream_name, UNIFW_NO_OFFSET,
				       "refusing to write member '%s': %s", a->raw_name, why);
	if (max > UNIFW_ARCHIVE_MAX_EXTRACT)
		max = UNIFW_ARCHIVE_MAX_EXTRACT;
	/* Before anything is created: the archive's own word is enough to refuse. */
	if (a->declared != UNIFW_SIZE_UNKNOWN && a->declared > max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, a->stream_name, UNIFW_NO_OFFSET,
				       "member '%s' is %llu bytes (its size in the archive), more than the limit of %llu "
				       "bytes: not extracted",
				       a->raw_name, (unsigned long long)a->declared, (unsigned long long)max);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return unifw_error_sys(err, dir, "open target directory");
	char rel[UNIFW_ARCHIVE_MAX_NAME + 1], *base = NULL;
	snprintf(rel, sizeof rel, "%s", a->norm_name);
	int pfd = open_parent(dfd, rel, &base, err, a->stream_name);
	close(dfd);
	if (pfd < 0)
		return pfd;
	int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		int rc = errno == EEXIST ? unifw_error_set(err, UNIFW_E_UNSAFE, a->stream_name, UNIFW_NO_OFFSET,
							    "refusing to overwrite existing %s/%s", dir, a->norm_name)
					 : unifw_error_sys(err, a->stream_name, "create %s/%s", dir, a->norm_name);
		close(pfd);
		return rc;
	}
	int rc = copy_member(a, fd, max, dir, err);
	if (close(fd) < 0 && !rc)
		rc = unifw_error_sys(err, a->stream_name, "close %s/%s", dir, a->norm_name);
	if (rc)
		unlinkat(pfd, base, 0);
	close(pfd);
	return rc;
}
