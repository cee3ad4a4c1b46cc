/* ext2/3/4 filesystem images (system, userdata, cache, PROTECT_F/S) read through libext2fs.
 * A custom io_manager serves libext2fs from any pread-capable unifw_stream: a raw image file or
 * the random-access view of a sparse image (unifw_sparse_view_stream): nothing is expanded to
 * disk. Streams without pread (archive members) get superblock facts only ("partial").
 * make_ext4fs derives the UUID from the label (docs/format-sparse-ext4.md): never use the UUID as
 * a device identity. */
#ifndef UNIFW_EXT4_H
#define UNIFW_EXT4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_EXT4_SUPERBLOCK_OFFSET 1024u
#define UNIFW_EXT4_MAGIC 0xEF53u
#define UNIFW_EXT4_MAX_FILE (64u << 20)      /* largest file read_file returns */
#define UNIFW_EXT4_MAX_DIR_ENTRIES 100000u

/* Superblock facts (from the raw bytes; no libext2fs needed). */
struct unifw_ext4_super {
	char label[17];
	uint8_t uuid[16];
	uint32_t block_size;
	uint64_t blocks, free_blocks;
	uint32_t inodes, free_inodes;
	uint32_t blocks_per_group, inodes_per_group, first_data_block;
	uint32_t feature_compat, feature_incompat, feature_ro_compat;
	uint16_t state;             /* 1 clean, 2 errors */
	uint32_t rev_level;
};

/* Parse the superblock from the first bytes of an image (at least 2048). */
int unifw_ext4_parse_super(const uint8_t *head, size_t len, const char *name, struct unifw_ext4_super *sb,
			   struct unifw_error *err);
/* Feature names as e2fsprogs prints them, in compat, incompat, ro_compat order. */
void unifw_ext4_feature_names(const struct unifw_ext4_super *sb, struct unifw_jv *arr);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes incl. NUL). */
void unifw_ext4_uuid_string(const uint8_t uuid[16], char out[37]);
/* True when uuid is what make_ext4fs computes from label (either generation of its uuid.c). */
bool unifw_ext4_uuid_from_label(const uint8_t uuid[16], const char *label);

/* An open filesystem over a pread-capable stream (borrowed: keep it open until close). */
struct unifw_ext4;
int unifw_ext4_open(struct unifw_stream *s, struct unifw_ext4 **out, struct unifw_error *err);
void unifw_ext4_close(struct unifw_ext4 *fs);
/* Live counts from the group descriptors (free blocks/inodes) plus the superblock. */
void unifw_ext4_get_super(const struct unifw_ext4 *fs, struct unifw_ext4_super *sb);

/* Read a regular file by absolute path (at most max bytes, <= UNIFW_EXT4_MAX_FILE). Caller frees. */
int unifw_ext4_read_file(struct unifw_ext4 *fs, const char *path, size_t max, uint8_t **buf, size_t *len,
			 struct unifw_error *err);

struct unifw_ext4_dirent {
	char name[256];
	uint32_t inode;
	char kind;                  /* 'f' file, 'd' dir, 'l' symlink, 'o' other */
	uint64_t size;
};
/* List a directory ('.' and '..' left out). At most max_entries (<= UNIFW_EXT4_MAX_DIR_ENTRIES);
 * *truncated tells whether more were present. Caller frees *entries. */
int unifw_ext4_list_dir(struct unifw_ext4 *fs, const char *path, size_t max_entries,
			struct unifw_ext4_dirent **entries, size_t *count, bool *truncated, struct unifw_error *err);

/* One inode's facts by absolute path, without following a final symbolic link (lstat). kind as in
 * unifw_ext4_dirent, from the inode's mode (not the directory entry's type byte). */
struct unifw_ext4_stat {
	char kind;
	uint32_t mode;              /* permission bits and type, as st_mode */
	uint32_t uid, gid;
	uint64_t size;
};
int unifw_ext4_lstat(struct unifw_ext4 *fs, const char *path, struct unifw_ext4_stat *st, struct unifw_error *err);
/* The target of a symbolic link (NUL-terminated; longer than cap-1: UNIFW_E_TOO_BIG). */
int unifw_ext4_readlink(struct unifw_ext4 *fs, const char *path, char *out, size_t cap, struct unifw_error *err);

/* Extended attributes: a value is at most this long (an SELinux label is tens of bytes). */
#define UNIFW_EXT4_MAX_XATTR 4096u
/* The value of extended attribute `name` ("security.selinux") of the inode at path, without following a final
 * symbolic link. UNIFW_E_NOT_FOUND when the inode has no such attribute; longer than UNIFW_EXT4_MAX_XATTR:
 * UNIFW_E_TOO_BIG. *value is malloc'd (caller frees; a NUL follows the *len bytes). */
int unifw_ext4_get_xattr(struct unifw_ext4 *fs, const char *path, const char *name, uint8_t **value, size_t *len,
			 struct unifw_error *err);

/* ro.product.* and ro.build.* keys of a build.prop text into obj (string values). Returns keys set. */
size_t unifw_ext4_build_prop(const char *text, size_t len, struct unifw_jv *obj);

bool unifw_ext4_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"ext4","label","uuid","uuid_from_label","block_size","blocks","size","free_bytes",
 *  "inodes","free_inodes","state","features":[...], "build_prop":{...} when /build.prop exists,
 *  "partial":true when only the superblock could be read, "truncated":true when the image is
 *  shorter than its superblock says} */
int unifw_ext4_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
