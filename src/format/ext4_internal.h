/* What the two libext2fs io_managers of unifw share (src/format/ext4.c over a read-only stream,
 * src/format/ext4_edit.c over an overlay): making, closing and sizing their io_channel. Internal. */
#ifndef UNIFW_EXT4_INTERNAL_H
#define UNIFW_EXT4_INTERNAL_H

#include <ext2fs/ext2fs.h>
#include <stddef.h>
#include <stdint.h>

/* A channel named `name` of `manager` carrying `private_data`, block size 1024 until libext2fs sets it. */
errcode_t ext4_channel_new(const char *name, io_manager manager, void *private_data, io_channel *channel);
errcode_t ext4_channel_close(io_channel io);
errcode_t ext4_channel_set_blksize(io_channel io, int blksize);


struct unifw_error;
/* How a caller words a libext2fs failure (ext4.c and the overlay, which reports its base's read error). */
typedef int (*ext4_lib_error_fn)(void *ctx, struct unifw_error *err, const char *where, uint64_t off, errcode_t code,
				 const char *what);
/* The regular file at inode ino (path for messages) read whole into a new buffer: at most max bytes
 * (<= UNIFW_EXT4_MAX_FILE); not a regular file, too big, short or unreadable fails. */
int ext4_read_inode_file(ext2_filsys fs, ext2_ino_t ino, const struct ext2_inode *inode, const char *path, size_t max,
			 ext4_lib_error_fn lib_error, void *ctx, uint8_t **buf, size_t *len, struct unifw_error *err);
/* Extended attribute `name` of inode ino (unifw_ext4_get_xattr's contract), for both io_managers. */
int ext4_inode_xattr(ext2_filsys fs, ext2_ino_t ino, const char *path, const char *name, uint8_t **value, size_t *len,
		     ext4_lib_error_fn report, void *ctx, struct unifw_error *err);

#endif
