/* Writing files into an ext2/3/4 file system through libext2fs, over an OVERLAY: libext2fs reads from a base
 * (any pread-capable unifw_stream: an image file, or a phone partition read on demand) and every block it
 * writes stays in memory. Nothing reaches the base: after unifw_ext4_edit_commit the caller gets the list of
 * changed byte ranges (offset, bytes) and writes them where it wants (to an image, or to the phone with
 * verified writes and a journal, so that a cut never leaves a half-planned file system).
 *
 * The base is hostile: the superblock is checked against the base's size, the group descriptors are checked
 * once (as e2fsck does first), a file system whose journal needs recovery is refused (writing under an
 * unreplayed journal would lose the writes at the next mount), and the memory the overlay may hold is capped.
 * Only the primary superblock and group descriptors are rewritten (as the kernel does), so a small edit changes
 * a few blocks: set-mac changes 2 KiB of USRDATA on the virtual phone.
 * Implemented in src/format/ext4_edit.c. */
#ifndef UNIFW_EXT4_EDIT_H
#define UNIFW_EXT4_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The overlay keeps base bytes it has read and bytes written, in 1 KiB units, up to this many bytes. */
#define UNIFW_EXT4_EDIT_MAX_BYTES (256u << 20)
#define UNIFW_EXT4_EDIT_MAX_PATH 1024u

struct unifw_ext4_edit;

/* Open read-write over base (borrowed: keep it open until unifw_ext4_edit_free). */
int unifw_ext4_edit_open(struct unifw_stream *base, struct unifw_ext4_edit **out, struct unifw_error *err);
/* Drop everything (no change list is kept unless unifw_ext4_edit_commit succeeded). */
void unifw_ext4_edit_free(struct unifw_ext4_edit *e);

struct unifw_ext4_edit_stat {
	char kind;                   /* 'f' file, 'd' dir, 'l' symlink, 'o' other */
	uint32_t inode;
	uint16_t mode;               /* permission bits (07777) */
	uint32_t uid, gid;
	uint64_t size;
};
/* UNIFW_E_NOT_FOUND when the path does not exist (the last component is not followed when a symlink). */
int unifw_ext4_edit_stat(struct unifw_ext4_edit *e, const char *path, struct unifw_ext4_edit_stat *st,
			 struct unifw_error *err);
/* A regular file's bytes as the overlay has them now (at most max, <= UNIFW_EXT4_MAX_FILE). Caller frees. */
int unifw_ext4_edit_read_file(struct unifw_ext4_edit *e, const char *path, size_t max, uint8_t **buf, size_t *len,
			      struct unifw_error *err);
/* Replace an existing regular file's contents: the same inode, owner, mode and extended attributes; blocks
 * are allocated or freed as the size changes (at most UNIFW_EXT4_MAX_FILE bytes). */
int unifw_ext4_edit_replace_file(struct unifw_ext4_edit *e, const char *path, const uint8_t *data, size_t len,
				 struct unifw_error *err);
/* A new regular file (the parent directory must exist; an existing path is refused). */
int unifw_ext4_edit_create_file(struct unifw_ext4_edit *e, const char *path, const uint8_t *data, size_t len,
				uint16_t mode, uint32_t uid, uint32_t gid, struct unifw_error *err);
/* A new directory (the parent must exist). An existing directory is left as it is (0); any other existing
 * path is refused. */
int unifw_ext4_edit_mkdir(struct unifw_ext4_edit *e, const char *path, uint16_t mode, uint32_t uid, uint32_t gid,
			  struct unifw_error *err);

/* Set extended attribute `name` ("security.selinux") of the inode at path (a final symbolic link not followed)
 * to value, replacing any previous value; at most UNIFW_EXT4_MAX_XATTR bytes. */
int unifw_ext4_edit_set_xattr(struct unifw_ext4_edit *e, const char *path, const char *name, const uint8_t *value,
			      size_t len, struct unifw_error *err);
/* An extended attribute as the overlay has it now (unifw_ext4_get_xattr's contract). */
int unifw_ext4_edit_get_xattr(struct unifw_ext4_edit *e, const char *path, const char *name, uint8_t **value,
			      size_t *len, struct unifw_error *err);

/* Flush libext2fs (superblock, group descriptors, bitmaps, inodes) into the overlay and close it; afterwards
 * only unifw_ext4_edit_changes and unifw_ext4_edit_free are valid. */
int unifw_ext4_edit_commit(struct unifw_ext4_edit *e, struct unifw_error *err);

struct unifw_ext4_change {
	uint64_t offset;             /* byte offset in the base */
	uint64_t len;
	const uint8_t *data;         /* owned by the edit */
};
/* The byte ranges that differ from the base, in offset order, adjacent ones merged (after commit). */
void unifw_ext4_edit_changes(const struct unifw_ext4_edit *e, const struct unifw_ext4_change **changes,
			     size_t *count);

#ifdef __cplusplus
}
#endif
#endif
