/* Firmware archives (.zip, .7z, .rar, .tar, .tar.gz/.xz/.bz2...) read IN PLACE through libarchive:
 * members are listed and streamed one after the other, never extracted to a temporary directory.
 * libarchive reads members sequentially (a zip with a central directory can skip a member's data by
 * seeking; a .tar.gz or a solid .7z has to decompress it), so callers take one pass and do all the work
 * for a member while it is the current one.
 * Member names are untrusted: unifw_archive_check_name says whether a name could escape a target
 * directory, and unifw_archive_extract_current refuses such names (nothing is ever written outside). */
#ifndef UNIFW_ARCHIVE_H
#define UNIFW_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* unifw_archive_extract_current writes no member larger than this (more than any MT6572 partition holds). */
#define UNIFW_ARCHIVE_MAX_EXTRACT (8ull << 30)
/* More members than this is not a firmware package (an attack or a mistake): unifw_archive_next fails. */
#define UNIFW_ARCHIVE_MAX_MEMBERS 100000u
/* Names longer than this (bytes) are refused as unsafe. */
#define UNIFW_ARCHIVE_MAX_NAME 1024u

struct unifw_archive; /* opaque: one open archive, positioned on its current member */

enum unifw_member_kind { UNIFW_MEMBER_FILE, UNIFW_MEMBER_DIR, UNIFW_MEMBER_LINK, UNIFW_MEMBER_OTHER };

/* The current member as listed. Pointers stay valid until the next unifw_archive_next/close. */
struct unifw_archive_member {
	uint64_t index;            /* 0-based position in the archive */
	const char *raw_name;      /* the name as stored ("(unnamed)" if the archive has none) */
	const char *name;          /* normalised: '\' read as '/', leading "./" and repeated '/' dropped */
	enum unifw_member_kind kind;
	uint64_t size;             /* declared size, UNIFW_SIZE_UNKNOWN if the archive does not say */
	bool encrypted;            /* data cannot be read without a password */
	const char *unsafe_reason; /* NULL if the name is safe to write under a target directory */
};

/* Open a file; fails with UNIFW_E_FORMAT (offset 0) if it is not an archive libarchive reads. */
int unifw_archive_open(const char *path, struct unifw_archive **out, struct unifw_error *err);
/* Open an archive held in memory (the caller keeps buf alive until close). `name` is used in errors. */
int unifw_archive_open_mem(const void *buf, size_t len, const char *name, struct unifw_archive **out,
			   struct unifw_error *err);
void unifw_archive_close(struct unifw_archive *a);

/* Advance to the next member: 1 = *m filled, 0 = end of archive, negative = error (err names the archive,
 * the approximate byte offset reached in it and libarchive's message). */
int unifw_archive_next(struct unifw_archive *a, struct unifw_archive_member *m, struct unifw_error *err);
/* A sequential stream (pread NULL) over the current member's data, valid until the next
 * unifw_archive_next. Reads past the declared size fail (a lying header is an error, not a surprise). */
int unifw_archive_member_stream(struct unifw_archive *a, struct unifw_stream *s, struct unifw_error *err);
/* Bytes of the current member's data read so far through its stream. */
uint64_t unifw_archive_member_consumed(const struct unifw_archive *a);

/* libarchive's name of the container ("ZIP 2.0 (deflation)", "GNU tar format"...), "" before the first member. */
const char *unifw_archive_format(const struct unifw_archive *a);

/* Cheap content check on the first bytes of a file: zip, 7z, rar, tar (also inside gzip/bzip2/xz/zstd).
 * A gzip'd cpio (an Android ramdisk) is NOT an archive here: ramdisks are images. */
bool unifw_archive_probe(const uint8_t *head, size_t head_len);

/* True for a compressed stream (gzip, bzip2, xz, zstd, lzma): it may hold a tar that the first bytes alone
 * cannot show (a bzip2 block needs up to 900 kB of input before it yields a byte). Callers that find no
 * image type in such bytes try them as an archive. */
bool unifw_archive_compressed(const uint8_t *head, size_t head_len);

/* NULL if `name` is safe to create under a target directory, else why not: absolute path, drive letter,
 * ".." component, control character, empty, too long. Both '/' and '\' count as separators. */
const char *unifw_archive_check_name(const char *name);
/* Normalise a member name into out (see struct unifw_archive_member.name); returns out. */
char *unifw_archive_normalise_name(const char *name, char *out, size_t out_len);

/* Write the current member (a regular file) under dir, creating subdirectories. Refuses with
 * UNIFW_E_UNSAFE a name that fails unifw_archive_check_name, an existing file and any symlink on the way;
 * never follows links out of dir. Partial output is removed on error. */
int unifw_archive_extract_current(struct unifw_archive *a, const char *dir, struct unifw_error *err);
/* The same, capped at max bytes (and UNIFW_ARCHIVE_MAX_EXTRACT): a member whose declared size is larger is
 * refused before anything is created; one whose data runs past max (a size the archive does not declare,
 * or a header that lies) is stopped there and its partial file removed. UNIFW_E_TOO_BIG names the member,
 * the limit and the size. */
int unifw_archive_extract_current_max(struct unifw_archive *a, const char *dir, uint64_t max,
				      struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
