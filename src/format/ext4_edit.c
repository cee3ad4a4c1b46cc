/* Writing files into ext4 through libext2fs over an in-memory overlay (include/unifw/ext4_edit.h). The io_manager
 * below serves libext2fs from 1 KiB units: a unit read from the base is kept (libext2fs has no cache of its own
 * over a custom manager, and the base may be a phone), a unit written keeps its base bytes beside the new ones
 * so that the change list leaves out what ended up equal. Inode creation follows e2fsprogs' own
 * misc/create_inode.c (do_write_internal, do_mkdir_internal). */
#include "unifw/ext4_edit.h"

#include <errno.h>
#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unifw/ext4.h"
#include "format/ext4_internal.h"
#include "util/bytes.h"

#define UNIT 1024u
#define HEAD_LEN 2048u

struct unit {
	uint64_t idx;                /* offset / UNIT */
	uint8_t *base;               /* the base's bytes */
	uint8_t *data;               /* written bytes, NULL while unwritten */
};

struct unifw_ext4_edit {
	ext2_filsys fs;
	struct unifw_stream *base;
	struct unit *units;          /* sorted by idx */
	size_t n, cap;
	uint64_t bytes;              /* memory the units hold */
	struct unifw_error io_err;   /* the first base read failure, for the caller's message */
	bool io_failed, committed;
	struct unifw_ext4_change *changes;
	size_t change_count;
	uint8_t *change_buf;
};

/* ---------------------------------------------------------------- the overlay */

static size_t unit_find(const struct unifw_ext4_edit *e, uint64_t idx, bool *found)
{
	size_t lo = 0, hi = e->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->units[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < e->n && e->units[lo].idx == idx;
	return lo;
}

/* Load units [idx, idx+count) that are missing, each run of missing ones with one base read. */
static errcode_t units_load(struct unifw_ext4_edit *e, uint64_t idx, uint64_t count)
{
	uint64_t end = idx + count;
	while (idx < end) {
		bool found;
		size_t at = unit_find(e, idx, &found);
		if (found) {
			idx++;
			continue;
		}
		uint64_t run = 1;
		while (idx + run < end && (at >= e->n || e->units[at].idx > idx + run))
			run++;
		if (e->bytes + run * UNIT > UNIFW_EXT4_EDIT_MAX_BYTES)
			return EXT2_ET_NO_MEMORY;
		if (e->n + run > e->cap) {
			size_t ncap = e->cap ? e->cap * 2 : 256;
			while (ncap < e->n + run)
				ncap *= 2;
			struct unit *nv = realloc(e->units, ncap * sizeof *nv);
			if (!nv)
				return EXT2_ET_NO_MEMORY;
			e->units = nv;
			e->cap = ncap;
		}
		uint8_t *buf = calloc(run, UNIT);
		if (!buf)
			return EXT2_ET_NO_MEMORY;
		uint64_t off = idx * UNIT, want = run * UNIT, size = e->base->size;
		if (size != UNIFW_SIZE_UNKNOWN)
			want = off >= size ? 0 : (want < size - off ? want : size - off);
		struct unifw_error err;
		unifw_error_clear(&err);
		if (want && e->base->pread(e->base->ctx, buf, (size_t)want, off, &err)) {
			free(buf);
			if (!e->io_failed) {
				e->io_err = err;
				e->io_failed = true;
			}
			return EXT2_ET_SHORT_READ;
		}
		uint8_t **bases = calloc(run, sizeof *bases);
		bool ok = bases != NULL;
		for (uint64_t k = 0; ok && k < run; k++)
			ok = (bases[k] = malloc(UNIT)) != NULL;
		if (!ok) {
			for (uint64_t k = 0; bases && k < run; k++)
				free(bases[k]);
			free(bases);
			free(buf);
			return EXT2_ET_NO_MEMORY;
		}
		memmove(e->units + at + run, e->units + at, (e->n - at) * sizeof *e->units);
		for (uint64_t k = 0; k < run; k++) {
			memcpy(bases[k], buf + k * UNIT, UNIT);
			e->units[at + k] = (struct unit){ .idx = idx + k, .base = bases[k] };
		}
		e->n += run;
		e->bytes += run * UNIT;
		free(bases);
		free(buf);
		idx += run;
	}
	return 0;
}

static errcode_t overlay_read(struct unifw_ext4_edit *e, uint64_t off, uint64_t len, uint8_t *out)
{
	if (!len)
		return 0;
	uint64_t first = off / UNIT, last = (off + len - 1) / UNIT;
	errcode_t r = units_load(e, first, last - first + 1);
	if (r)
		return r;
	bool found;
	size_t at = unit_find(e, first, &found);
	for (uint64_t pos = off; pos < off + len; at++) {
		const struct unit *u = &e->units[at];
		uint64_t in = pos - u->idx * UNIT, n = UNIT - in;
		if (n > off + len - pos)
			n = off + len - pos;
		memcpy(out + (pos - off), (u->data ? u->data : u->base) + in, (size_t)n);
		pos += n;
	}
	return 0;
}

static errcode_t overlay_write(struct unifw_ext4_edit *e, uint64_t off, uint64_t len, const uint8_t *in)
{
	if (!len)
		return 0;
	uint64_t first = off / UNIT, last = (off + len - 1) / UNIT;
	errcode_t r = units_load(e, first, last - first + 1);
	if (r)
		return r;
	bool found;
	size_t at = unit_find(e, first, &found);
	for (uint64_t pos = off; pos < off + len; at++) {
		struct unit *u = &e->units[at];
		if (!u->data) {
			if (e->bytes + UNIT > UNIFW_EXT4_EDIT_MAX_BYTES || !(u->data = malloc(UNIT)))
				return EXT2_ET_NO_MEMORY;
			memcpy(u->data, u->base, UNIT);
			e->bytes += UNIT;
		}
		uint64_t at_in = pos - u->idx * UNIT, n = UNIT - at_in;
		if (n > off + len - pos)
			n = off + len - pos;
		memcpy(u->data + at_in, in + (pos - off), (size_t)n);
		pos += n;
	}
	return 0;
}

/* ---------------------------------------------------------------- io_manager */

/* ext2fs_open2 calls the manager's open() synchronously from unifw_ext4_edit_open on this thread. */
static _Thread_local struct unifw_ext4_edit *pending_edit;
static struct struct_io_manager overlay_io_manager;

static errcode_t oio_open(const char *name, int flags, io_channel *channel)
{
	(void)flags;
	if (!pending_edit)
		return EXT2_ET_BAD_DEVICE_NAME;
	return ext4_channel_new(name, &overlay_io_manager, pending_edit, channel);
}

/* The byte range of a block request, inside the base (count < 0: a byte count). */
static errcode_t oio_range(io_channel io, unsigned long long block, int count, uint64_t *off, uint64_t *size)
{
	struct unifw_ext4_edit *e = io->private_data;
	*size = count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * (uint64_t)io->block_size;
	if (!mul_u64(block, (uint64_t)io->block_size, off) || *size > SIZE_MAX ||
	    (e->base->size != UNIFW_SIZE_UNKNOWN && (*off > e->base->size || *size > e->base->size - *off)))
		return EXT2_ET_SHORT_READ;
	return 0;
}

static errcode_t oio_read_blk64(io_channel io, unsigned long long block, int count, void *data)
{
	uint64_t off, size;
	errcode_t r = oio_range(io, block, count, &off, &size);
	return r ? r : overlay_read(io->private_data, off, size, data);
}

static errcode_t oio_read_blk(io_channel io, unsigned long block, int count, void *data)
{
	return oio_read_blk64(io, block, count, data);
}

static errcode_t oio_write_blk64(io_channel io, unsigned long long block, int count, const void *data)
{
	uint64_t off, size;
	errcode_t r = oio_range(io, block, count, &off, &size);
	return r ? EXT2_ET_SHORT_WRITE : overlay_write(io->private_data, off, size, data);
}

static errcode_t oio_write_blk(io_channel io, unsigned long block, int count, const void *data)
{
	return oio_write_blk64(io, block, count, data);
}

static errcode_t oio_write_byte(io_channel io, unsigned long offset, int count, const void *data)
{
	struct unifw_ext4_edit *e = io->private_data;
	if (count < 0 || (e->base->size != UNIFW_SIZE_UNKNOWN &&
			  (offset > e->base->size || (uint64_t)count > e->base->size - offset)))
		return EXT2_ET_SHORT_WRITE;
	return overlay_write(e, offset, (uint64_t)count, data);
}

static errcode_t oio_flush(io_channel io)
{
	(void)io;
	return 0;
}

static errcode_t oio_set_option(io_channel io, const char *option, const char *arg)
{
	(void)io, (void)option, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager overlay_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "unifw overlay I/O manager",
	.open = oio_open,
	.close = ext4_channel_close,
	.set_blksize = ext4_channel_set_blksize,
	.read_blk = oio_read_blk,
	.write_blk = oio_write_blk,
	.flush = oio_flush,
	.write_byte = oio_write_byte,
	.set_option = oio_set_option,
	.read_blk64 = oio_read_blk64,
	.write_blk64 = oio_write_blk64,
};

/* ---------------------------------------------------------------- errors */

static pthread_once_t error_table_once = PTHREAD_ONCE_INIT;
static void register_error_table(void) { add_error_table(&et_ext2_error_table); }

static int lib_error(struct unifw_ext4_edit *e, struct unifw_error *err, const char *where, errcode_t code,
		     const char *what)
{
	if (e && e->io_failed) { /* libext2fs may report a failed read in its own words */
		*err = e->io_err;
		unifw_error_prefix(err, "%s: ", what);
		return err->code;
	}
	if (code == EXT2_ET_NO_MEMORY)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, where, UNIFW_NO_OFFSET,
				       "%s: the edit needs more than the %u MiB it may hold in memory (or memory ran out)",
				       what, UNIFW_EXT4_EDIT_MAX_BYTES >> 20);
	pthread_once(&error_table_once, register_error_table);
	return unifw_error_set(err, UNIFW_E_LIBRARY, where, UNIFW_NO_OFFSET, "%s: libext2fs: %s", what,
			       error_message(code));
}

/* ---------------------------------------------------------------- open / close */

static int check_base(struct unifw_stream *s, struct unifw_error *err)
{
	uint8_t head[HEAD_LEN];
	struct unifw_ext4_super sb;
	uint64_t need;
	if (!s->pread)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, s->name, UNIFW_NO_OFFSET,
				       "editing an ext4 file system needs a seekable base");
	int rc = s->pread(s->ctx, head, sizeof head, 0, err);
	if (!rc)
		rc = unifw_ext4_parse_super(head, sizeof head, s->name, &sb, err);
	if (rc)
		return rc;
	if (!mul_u64(sb.blocks, sb.block_size, &need) || (s->size != UNIFW_SIZE_UNKNOWN && need > s->size))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, s->name, UNIFW_EXT4_SUPERBLOCK_OFFSET + 4,
				       "superblock says %llu blocks of %u bytes; the base has %llu bytes",
				       (unsigned long long)sb.blocks, sb.block_size, (unsigned long long)s->size);
	if (sb.feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER)
		return unifw_error_set(err, UNIFW_E_UNSAFE, s->name, UNIFW_EXT4_SUPERBLOCK_OFFSET + 0x60,
				       "the file system's journal needs recovery (it was not unmounted cleanly): writing "
				       "under an unreplayed journal would be undone at the next mount; boot the phone once "
				       "or run e2fsck first");
	return 0;
}

int unifw_ext4_edit_open(struct unifw_stream *base, struct unifw_ext4_edit **out, struct unifw_error *err)
{
	int rc = check_base(base, err);
	if (rc)
		return rc;
	struct unifw_ext4_edit *e = calloc(1, sizeof *e);
	if (!e)
		return unifw_error_set(err, UNIFW_E_NOMEM, base->name, UNIFW_NO_OFFSET, "out of memory");
	e->base = base;
	pending_edit = e;
	errcode_t r = ext2fs_open2("unifw-overlay", NULL, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0, &overlay_io_manager,
				   &e->fs);
	pending_edit = NULL;
	if (!r) {
		/* Only the primary superblock and descriptors are rewritten, as the kernel does: the backups keep
		 * their bytes, so the change list holds no block in every other group of the partition. */
		e->fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
		/* Group descriptors pointing outside their group would send every allocation astray. */
		r = ext2fs_check_desc(e->fs);
		if (!r)
			r = ext2fs_read_bitmaps(e->fs);
		if (r)
			rc = lib_error(e, err, base->name, r, "checking the group descriptors and bitmaps");
	} else {
		rc = lib_error(e, err, base->name, r, "opening the file system");
	}
	if (rc) {
		unifw_ext4_edit_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void unifw_ext4_edit_free(struct unifw_ext4_edit *e)
{
	if (!e)
		return;
	if (e->fs)
		ext2fs_free(e->fs); /* no flush: nothing of an uncommitted edit is kept */
	for (size_t i = 0; i < e->n; i++) {
		free(e->units[i].base);
		free(e->units[i].data);
	}
	free(e->units);
	free(e->changes);
	free(e->change_buf);
	free(e);
}

/* ---------------------------------------------------------------- paths and inodes */

static int check_open(struct unifw_ext4_edit *e, const char *path, struct unifw_error *err)
{
	if (!e->fs)
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "the edit is already committed");
	size_t l = strnlen(path, UNIFW_EXT4_EDIT_MAX_PATH);
	if (l == 0 || l == UNIFW_EXT4_EDIT_MAX_PATH || path[0] != '/')
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
				       "expected an absolute path of at most %u bytes", UNIFW_EXT4_EDIT_MAX_PATH - 1);
	return 0;
}

static int lookup(struct unifw_ext4_edit *e, const char *path, ext2_ino_t *ino, struct ext2_inode *inode,
		  struct unifw_error *err)
{
	errcode_t r = ext2fs_namei(e->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);
	if (r == EXT2_ET_FILE_NOT_FOUND)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, path, UNIFW_NO_OFFSET, "no such file in the file system");
	if (!r)
		r = ext2fs_read_inode(e->fs, *ino, inode);
	return r ? lib_error(e, err, path, r, "looking up the path") : 0;
}

/* The parent directory's inode and the last component of path. */
static int split_parent(struct unifw_ext4_edit *e, const char *path, ext2_ino_t *parent, char name[256],
			struct unifw_error *err)
{
	char dir[UNIFW_EXT4_EDIT_MAX_PATH];
	size_t l = strlen(path);
	while (l > 1 && path[l - 1] == '/')
		l--;
	const char *slash = path + l;
	while (slash > path && slash[-1] != '/')
		slash--;
	size_t nl = (size_t)(path + l - slash), dl = (size_t)(slash - path);
	if (nl == 0 || nl > 255 || (nl == 1 && slash[0] == '.') || (nl == 2 && !memcmp(slash, "..", 2)))
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
				       "expected a file name of 1..255 bytes (not . or ..) as the last component");
	memcpy(name, slash, nl);
	name[nl] = 0;
	memcpy(dir, path, dl);
	dir[dl] = 0;
	struct ext2_inode inode;
	int rc = lookup(e, dir, parent, &inode, err);
	if (!rc && !LINUX_S_ISDIR(inode.i_mode))
		rc = unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "not a directory");
	return rc;
}

static char kind_of(uint16_t mode)
{
	return LINUX_S_ISREG(mode) ? 'f' : LINUX_S_ISDIR(mode) ? 'd' : LINUX_S_ISLNK(mode) ? 'l' : 'o';
}

int unifw_ext4_edit_stat(struct unifw_ext4_edit *e, const char *path, struct unifw_ext4_edit_stat *st,
			 struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = check_open(e, path, err);
	if (!rc)
		rc = lookup(e, path, &ino, &inode, err);
	if (rc)
		return rc;
	st->kind = kind_of(inode.i_mode);
	st->inode = ino;
	st->mode = inode.i_mode & 07777;
	st->uid = inode_uid(inode);
	st->gid = inode_gid(inode);
	st->size = EXT2_I_SIZE(&inode);
	return 0;
}

/* ext4_read_inode_file's way of saying a libext2fs failure: the overlay's (no byte offset: it names a path). */
static int overlay_lib_error(void *ctx, struct unifw_error *err, const char *where, uint64_t off, errcode_t code,
			     const char *what)
{
	(void)off;
	return lib_error(ctx, err, where, code, what);
}

int unifw_ext4_edit_read_file(struct unifw_ext4_edit *e, const char *path, size_t max, uint8_t **buf, size_t *len,
			      struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = check_open(e, path, err);
	if (!rc)
		rc = lookup(e, path, &ino, &inode, err);
	return rc ? rc : ext4_read_inode_file(e->fs, ino, &inode, path, max, overlay_lib_error, e, buf, len, err);
}

/* Write data from byte 0 of an open inode and make its size exactly len (blocks past it are freed). */
static errcode_t write_contents(struct unifw_ext4_edit *e, ext2_ino_t ino, const uint8_t *data, size_t len)
{
	ext2_file_t f;
	errcode_t r = ext2fs_file_open(e->fs, ino, EXT2_FILE_WRITE, &f);
	if (r)
		return r;
	size_t done = 0;
	while (!r && done < len) {
		unsigned int n = 0, want = len - done > (1u << 20) ? (1u << 20) : (unsigned int)(len - done);
		r = ext2fs_file_write(f, data + done, want, &n);
		if (!r && n == 0)
			r = EXT2_ET_SHORT_WRITE;
		done += n;
	}
	if (!r)
		r = ext2fs_file_set_size2(f, len);
	errcode_t rc = ext2fs_file_close(f);
	return r ? r : rc;
}

static errcode_t touch_times(struct unifw_ext4_edit *e, ext2_ino_t ino)
{
	struct ext2_inode inode;
	errcode_t r = ext2fs_read_inode(e->fs, ino, &inode);
	if (r)
		return r;
	inode.i_mtime = inode.i_ctime = (uint32_t)(e->fs->now ? e->fs->now : time(NULL));
	return ext2fs_write_inode(e->fs, ino, &inode);
}

int unifw_ext4_edit_replace_file(struct unifw_ext4_edit *e, const char *path, const uint8_t *data, size_t len,
				 struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = check_open(e, path, err);
	if (!rc)
		rc = lookup(e, path, &ino, &inode, err);
	if (rc)
		return rc;
	if (!LINUX_S_ISREG(inode.i_mode))
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "not a regular file (mode 0%o)",
				       inode.i_mode);
	if (len > UNIFW_EXT4_MAX_FILE)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET, "%zu bytes; limit %u", len,
				       UNIFW_EXT4_MAX_FILE);
	errcode_t r = write_contents(e, ino, data, len);
	if (!r)
		r = touch_times(e, ino);
	return r ? lib_error(e, err, path, r, "replacing the file's contents") : 0;
}

/* Link name -> ino in parent, growing the directory by a block when it is full. */
static errcode_t link_entry(struct unifw_ext4_edit *e, ext2_ino_t parent, const char *name, ext2_ino_t ino, int type)
{
	errcode_t r = ext2fs_link(e->fs, parent, name, ino, type);
	if (r == EXT2_ET_DIR_NO_SPACE) {
		r = ext2fs_expand_dir(e->fs, parent);
		if (!r)
			r = ext2fs_link(e->fs, parent, name, ino, type);
	}
	return r;
}

static void set_owner(struct ext2_inode *inode, uint32_t uid, uint32_t gid)
{
	inode->i_uid = (uint16_t)uid;
	ext2fs_set_i_uid_high(*inode, (uint16_t)(uid >> 16));
	inode->i_gid = (uint16_t)gid;
	ext2fs_set_i_gid_high(*inode, (uint16_t)(gid >> 16));
}

static int refuse_existing(struct unifw_ext4_edit *e, const char *path, ext2_ino_t parent, const char *name,
			   struct unifw_error *err)
{
	ext2_ino_t ino;
	errcode_t r = ext2fs_lookup(e->fs, parent, name, strlen(name), NULL, &ino);
	if (r == EXT2_ET_FILE_NOT_FOUND)
		return 0;
	if (r)
		return lib_error(e, err, path, r, "looking up the name");
	return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "already exists");
}

int unifw_ext4_edit_create_file(struct unifw_ext4_edit *e, const char *path, const uint8_t *data, size_t len,
				uint16_t mode, uint32_t uid, uint32_t gid, struct unifw_error *err)
{
	ext2_ino_t parent, ino;
	char name[256];
	int rc = check_open(e, path, err);
	if (!rc)
		rc = split_parent(e, path, &parent, name, err);
	if (!rc)
		rc = refuse_existing(e, path, parent, name, err);
	if (rc)
		return rc;
	if (len > UNIFW_EXT4_MAX_FILE)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET, "%zu bytes; limit %u", len,
				       UNIFW_EXT4_MAX_FILE);
	errcode_t r = ext2fs_new_inode(e->fs, parent, LINUX_S_IFREG | (mode & 07777), NULL, &ino);
	if (!r)
		r = link_entry(e, parent, name, ino, EXT2_FT_REG_FILE);
	if (r)
		return lib_error(e, err, path, r, "creating the file");
	ext2fs_inode_alloc_stats2(e->fs, ino, +1, 0);
	struct ext2_inode inode;
	memset(&inode, 0, sizeof inode);
	inode.i_mode = (uint16_t)(LINUX_S_IFREG | (mode & 07777));
	inode.i_atime = inode.i_ctime = inode.i_mtime = (uint32_t)(e->fs->now ? e->fs->now : time(NULL));
	inode.i_links_count = 1;
	set_owner(&inode, uid, gid);
	if (ext2fs_has_feature_extents(e->fs->super)) {
		ext2_extent_handle_t h;
		r = ext2fs_extent_open2(e->fs, ino, &inode, &h); /* writes the empty extent header into i_block */
		if (!r)
			ext2fs_extent_free(h);
	}
	if (!r)
		r = ext2fs_write_new_inode(e->fs, ino, &inode);
	if (!r)
		r = write_contents(e, ino, data, len);
	return r ? lib_error(e, err, path, r, "writing the new file") : 0;
}

int unifw_ext4_edit_mkdir(struct unifw_ext4_edit *e, const char *path, uint16_t mode, uint32_t uid, uint32_t gid,
			  struct unifw_error *err)
{
	ext2_ino_t parent, ino;
	char name[256];
	int rc = check_open(e, path, err);
	if (!rc)
		rc = split_parent(e, path, &parent, name, err);
	if (rc)
		return rc;
	errcode_t r = ext2fs_lookup(e->fs, parent, name, strlen(name), NULL, &ino);
	if (!r) {
		struct ext2_inode inode;
		r = ext2fs_read_inode(e->fs, ino, &inode);
		if (r)
			return lib_error(e, err, path, r, "reading the inode");
		return LINUX_S_ISDIR(inode.i_mode)
			       ? 0
			       : unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "exists and is not a directory");
	}
	if (r != EXT2_ET_FILE_NOT_FOUND)
		return lib_error(e, err, path, r, "looking up the name");
	r = ext2fs_mkdir(e->fs, parent, 0, name);
	if (r == EXT2_ET_DIR_NO_SPACE) {
		r = ext2fs_expand_dir(e->fs, parent);
		if (!r)
			r = ext2fs_mkdir(e->fs, parent, 0, name);
	}
	struct ext2_inode inode;
	if (!r)
		r = ext2fs_lookup(e->fs, parent, name, strlen(name), NULL, &ino);
	if (!r)
		r = ext2fs_read_inode(e->fs, ino, &inode);
	if (!r) {
		inode.i_mode = (uint16_t)(LINUX_S_IFDIR | (mode & 07777));
		set_owner(&inode, uid, gid);
		r = ext2fs_write_inode(e->fs, ino, &inode);
	}
	return r ? lib_error(e, err, path, r, "creating the directory") : 0;
}

/* ---------------------------------------------------------------- extended attributes */

int unifw_ext4_edit_set_xattr(struct unifw_ext4_edit *e, const char *path, const char *name, const uint8_t *value,
			      size_t len, struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = check_open(e, path, err);
	if (!rc)
		rc = lookup(e, path, &ino, &inode, err);
	if (rc)
		return rc;
	if (len > UNIFW_EXT4_MAX_XATTR)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET,
				       "extended attribute %s of %zu bytes; limit %u", name, len, UNIFW_EXT4_MAX_XATTR);
	struct ext2_xattr_handle *h = NULL;
	errcode_t r = ext2fs_xattrs_open(e->fs, ino, &h);
	if (!r)
		r = ext2fs_xattrs_read(h);
	if (!r) /* writes the inode's attribute area (or block) at once, as e2fsprogs' own callers expect */
		r = ext2fs_xattr_set(h, name, value, len);
	if (h) {
		errcode_t c = ext2fs_xattrs_close(&h);
		r = r ? r : c;
	}
	return r ? lib_error(e, err, path, r, "writing the extended attribute") : 0;
}

int unifw_ext4_edit_get_xattr(struct unifw_ext4_edit *e, const char *path, const char *name, uint8_t **value,
			      size_t *len, struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = check_open(e, path, err);
	if (!rc)
		rc = lookup(e, path, &ino, &inode, err);
	return rc ? rc : ext4_inode_xattr(e->fs, ino, path, name, value, len, overlay_lib_error, e, err);
}

/* ---------------------------------------------------------------- commit */

static int build_changes(struct unifw_ext4_edit *e, struct unifw_error *err)
{
	size_t changed = 0, runs = 0;
	for (size_t i = 0; i < e->n; i++)
		if (e->units[i].data && memcmp(e->units[i].data, e->units[i].base, UNIT)) {
			bool joins = changed && i > 0 && e->units[i - 1].idx + 1 == e->units[i].idx && e->units[i - 1].data &&
				     memcmp(e->units[i - 1].data, e->units[i - 1].base, UNIT);
			runs += !joins;
			changed++;
		}
	if (!changed)
		return 0;
	e->change_buf = malloc(changed * UNIT);
	e->changes = calloc(runs, sizeof *e->changes);
	if (!e->change_buf || !e->changes)
		return unifw_error_set(err, UNIFW_E_NOMEM, e->base->name, UNIFW_NO_OFFSET, "out of memory");
	uint8_t *p = e->change_buf;
	struct unifw_ext4_change *c = NULL;
	for (size_t i = 0; i < e->n; i++) {
		const struct unit *u = &e->units[i];
		if (!u->data || !memcmp(u->data, u->base, UNIT))
			continue;
		if (!c || c->offset + c->len != u->idx * UNIT) {
			c = &e->changes[e->change_count++];
			*c = (struct unifw_ext4_change){ .offset = u->idx * UNIT, .data = p };
		}
		memcpy(p, u->data, UNIT);
		p += UNIT;
		c->len += UNIT;
	}
	return 0;
}

int unifw_ext4_edit_commit(struct unifw_ext4_edit *e, struct unifw_error *err)
{
	if (!e->fs)
		return unifw_error_set(err, UNIFW_E_INVALID, e->base->name, UNIFW_NO_OFFSET, "the edit is already committed");
	errcode_t r = ext2fs_close_free(&e->fs);
	e->fs = NULL;
	if (r)
		return lib_error(e, err, e->base->name, r, "writing the file system's metadata");
	e->committed = true;
	return build_changes(e, err);
}

void unifw_ext4_edit_changes(const struct unifw_ext4_edit *e, const struct unifw_ext4_change **changes,
			     size_t *count)
{
	*changes = e->committed ? e->changes : NULL;
	*count = e->committed ? e->change_count : 0;
}
