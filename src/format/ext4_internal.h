/* What the two libext2fs io_managers of unifw share (src/format/ext4.c over a read-only stream,
 * src/format/ext4_edit.c over an overlay): making, closing and sizing their io_channel. Internal. */
#ifndef UNIFW_EXT4_INTERNAL_H
#define UNIFW_EXT4_INTERNAL_H

#include <ext2fs/ext2fs.h>

/* A channel named `name` of `manager` carrying `private_data`, block size 1024 until libext2fs sets it. */
errcode_t ext4_channel_new(const char *name, io_manager manager, void *private_data, io_channel *channel);
errcode_t ext4_channel_close(io_channel io);
errcode_t ext4_channel_set_blksize(io_channel io, int blksize);

#endif
