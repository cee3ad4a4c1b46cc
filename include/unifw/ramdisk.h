/* Android boot/recovery ramdisks: a newc cpio archive, gzip-compressed, on MediaTek phones behind a
 * 512-byte MTK header named ROOTFS (boot) or RECOVERY (recovery). Read, list, edit and write with
 * libarchive; extract to a directory without ever leaving it. docs/format-boot.md.
 *
 * Ownership: a struct unifw_ramdisk owns its entries and their data; unifw_ramdisk_free releases them. */
#ifndef UNIFW_RAMDISK_H
#define UNIFW_RAMDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/mtkhdr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_RAMDISK_MAX_FILE (64ull << 20)    /* compressed input read by describe */
#define UNIFW_RAMDISK_MAX_TOTAL (128ull << 20)  /* sum of uncompressed entry data */
#define UNIFW_RAMDISK_MAX_CPIO (160ull << 20)   /* inflated archive (data + headers) */
#define UNIFW_RAMDISK_MAX_ENTRIES 65536u

enum unifw_ramdisk_comp { UNIFW_RD_GZIP, UNIFW_RD_NONE };

enum unifw_rd_type { UNIFW_RD_FILE, UNIFW_RD_DIR, UNIFW_RD_SYMLINK, UNIFW_RD_HARDLINK, UNIFW_RD_SPECIAL };

struct unifw_ramdisk_entry {
	char *path;              /* as stored in the archive */
	enum unifw_rd_type type;
	uint32_t mode;           /* full st_mode: type bits and permissions */
	uint32_t uid, gid;
	int64_t mtime;
	uint32_t rdev_major, rdev_minor; /* device nodes */
	uint8_t *data;           /* file contents; NULL when size is 0 */
	size_t size;
	char *link;              /* symlink target or hard-link target path, else NULL */
	uint64_t header_offset;  /* offset of this entry's header in the uncompressed archive */
};

struct unifw_ramdisk {
	struct unifw_ramdisk_entry *entries;
	size_t count, cap;
	enum unifw_ramdisk_comp compression;
	bool has_mtk_header;
	struct unifw_mtkhdr mtk;     /* valid when has_mtk_header */
	char format[48];             /* libarchive's cpio variant, e.g. "ASCII cpio (SVR4 with no CRC)" = newc */
	bool kernel_format;          /* newc or crc: the only cpio forms the kernel unpacks */
	uint64_t uncompressed_size;  /* bytes of cpio after decompression */
	uint64_t trailing;           /* input bytes after the end of the gzip stream (padding) */
	uint64_t data_size;          /* sum of entry sizes */
};

/* An empty ramdisk (no entries, gzip) to build one from scratch. */
void unifw_ramdisk_init(struct unifw_ramdisk *rd);
void unifw_ramdisk_free(struct unifw_ramdisk *rd);

/* Parse [MTK ROOTFS/RECOVERY header +] gzip or plain cpio. The gzip stream is inflated with zlib
 * (damage reported at its input offset), the cpio read with libarchive (problems reported at their
 * offset in the uncompressed archive; the message says so). UNIFW_E_TOO_BIG past the limits above. */
int unifw_ramdisk_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_ramdisk *rd,
			struct unifw_error *err);

/* The same model for a description, in bounded memory (a gzip bomb cannot grow it): the gzip stream is
 * inflated through a 64 KiB window and the newc headers are read as they come. Entries have their
 * metadata, sizes and links; only the last default.prop keeps its data (up to 1 MiB), no other entry
 * has any. Same limits and errors as unifw_ramdisk_parse (newc and its CRC variant only). */
int unifw_ramdisk_scan(const uint8_t *buf, size_t len, const char *name, struct unifw_ramdisk *rd,
		       struct unifw_error *err);

/* Path without a leading "./" or "/", for lookups ("init.rc" finds "./init.rc"). */
const char *unifw_ramdisk_canonical(const char *path);
/* Safe to create under a directory: relative, no "." or ".." component, no empty component. */
bool unifw_ramdisk_path_safe(const char *path);
/* Lookup by canonical path; NULL if absent. */
const struct unifw_ramdisk_entry *unifw_ramdisk_find(const struct unifw_ramdisk *rd, const char *path);

/* Edits. Paths must be safe (UNIFW_E_UNSAFE otherwise). A file or symlink replaces an entry of the same
 * path in place; missing parent directories are added (0755) before it, as the kernel's unpacker
 * needs them. perm holds permission bits only (e.g. 0750). */
int unifw_ramdisk_add_file(struct unifw_ramdisk *rd, const char *path, uint32_t perm, const void *data, size_t len,
			   struct unifw_error *err);
int unifw_ramdisk_add_dir(struct unifw_ramdisk *rd, const char *path, uint32_t perm, struct unifw_error *err);
int unifw_ramdisk_add_symlink(struct unifw_ramdisk *rd, const char *path, const char *target,
			      struct unifw_error *err);
/* Remove an entry; a directory goes with everything below it. UNIFW_E_NOT_FOUND if absent. */
int unifw_ramdisk_remove(struct unifw_ramdisk *rd, const char *path, struct unifw_error *err);

/* Serialise as a newc cpio (TRAILER!!!, 4-byte alignment) with libarchive's writer, gzip-compressed
 * unless comp is UNIFW_RD_NONE. Deterministic: no gzip timestamp, inodes numbered from 300000 in
 * entry order. *out is malloc'd (caller frees). No MTK header is added. */
int unifw_ramdisk_write(const struct unifw_ramdisk *rd, enum unifw_ramdisk_comp comp, uint8_t **out, size_t *len,
			struct unifw_error *err);

/* Create the tree under dir (created if missing). Refuses (UNIFW_E_UNSAFE, naming the entry and its
 * header offset) absolute paths, "..", and any path whose directories are symlinks; never follows a
 * symlink; does not create device nodes or FIFOs (counted in *skipped); drops setuid/setgid bits. */
int unifw_ramdisk_extract(const struct unifw_ramdisk *rd, const char *dir, size_t *skipped, struct unifw_error *err);

/* A folder (what unifw_ramdisk_extract wrote, then edited) back into a ramdisk over the original `base`
 * (docs/format-boot.md "Editing the ramdisk folder"). Entries of base keep their order, path spelling,
 * owner, mtime and the mode bits the folder cannot show (setuid/setgid; a file whose permission bits
 * changed in the folder takes the new ones); files take the folder's contents; entries missing from the
 * folder are removed, except device nodes and FIFOs (extraction skips them: base's stay). New files,
 * directories and symlinks follow in walk order with the folder's permission bits and uid/gid 0.
 * The folder is read without following any symlink; a symlink base did not have (same path, same
 * target) must stay inside the folder (relative, its ".." never above the root): UNIFW_E_UNSAFE
 * otherwise, as for a device node or FIFO in the folder. *out is initialised here (free it). */
int unifw_ramdisk_from_dir(const struct unifw_ramdisk *base, const char *dir, struct unifw_ramdisk *out,
			   struct unifw_error *err);
/* SHA-256 (64 hex digits + NUL) of what the folder shows: sorted paths, types, the permission bits of
 * files, contents, link targets. Equal digests = an untouched folder. Same reading rules as above. */
int unifw_ramdisk_dir_digest(const char *dir, char hex[65], struct unifw_error *err);

/* {"type":"ramdisk", ...} with at most max_files paths listed. */
void unifw_ramdisk_to_json(const struct unifw_ramdisk *rd, struct unifw_jv *obj, size_t max_files);
int unifw_ramdisk_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);
/* MTK header named ROOTFS or RECOVERY over such a payload; or gzip whose first inflated bytes are a cpio magic; or cpio. */
bool unifw_ramdisk_probe(const uint8_t *head, size_t head_len, uint64_t total_size);

#ifdef __cplusplus
}
#endif
#endif
