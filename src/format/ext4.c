/* ext2/3/4 images through libext2fs with an io_manager over a unifw_stream (pread). Superblock
 * offsets and the make_ext4fs UUID derivation: docs/format-sparse-ext4.md, with their sources. */
#include "unifw/ext4.h"

#include <errno.h>
#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/ext4_internal.h"
#include "util/bytes.h"

#define SB_OFF UNIFW_EXT4_SUPERBLOCK_OFFSET
#define HEAD_LEN 2048u

/* ---------------------------------------------------------------- superblock */

int unifw_ext4_parse_super(const uint8_t *head, size_t len, const char *name, struct unifw_ext4_super *sb,
			   struct unifw_error *err)
{
	uint16_t magic = 0;
	uint32_t log_bs = 0, lo = 0, hi = 0, flo = 0, fhi = 0;
	memset(sb, 0, sizeof *sb);
	if (len < HEAD_LEN)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "an ext4 superblock ends at byte 2048; the input has %zu bytes", len);
	get_le16(head, len, SB_OFF + 0x38, &magic);
	if (magic != UNIFW_EXT4_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, SB_OFF + 0x38,
				       "expected ext2/3/4 superblock magic 0xef53, found 0x%04x", magic);
	get_le32(head, len, SB_OFF + 0x18, &log_bs);
	if (log_bs > 6) /* 1 KiB .. 64 KiB */
		return unifw_error_set(err, UNIFW_E_FORMAT, name, SB_OFF + 0x18,
				       "log block size: expected 0..6 (1-64 KiB blocks), found %u", log_bs);
	sb->block_size = 1024u << log_bs;
	get_le32(head, len, SB_OFF + 0x00, &sb->inodes);
	get_le32(head, len, SB_OFF + 0x04, &lo);
	get_le32(head, len, SB_OFF + 0x0C, &flo);
	get_le32(head, len, SB_OFF + 0x10, &sb->free_inodes);
	get_le32(head, len, SB_OFF + 0x14, &sb->first_data_block);
	get_le32(head, len, SB_OFF + 0x20, &sb->blocks_per_group);
	get_le32(head, len, SB_OFF + 0x28, &sb->inodes_per_group);
	get_le16(head, len, SB_OFF + 0x3A, &sb->state);
	get_le32(head, len, SB_OFF + 0x4C, &sb->rev_level);
	get_le32(head, len, SB_OFF + 0x5C, &sb->feature_compat);
	get_le32(head, len, SB_OFF + 0x60, &sb->feature_incompat);
	get_le32(head, len, SB_OFF + 0x64, &sb->feature_ro_compat);
	get_bytes(head, len, SB_OFF + 0x68, sb->uuid, 16);
	memcpy(sb->label, head + SB_OFF + 0x78, 16);
	sb->label[16] = 0;
	if (sb->feature_incompat & EXT4_FEATURE_INCOMPAT_64BIT) {
		get_le32(head, len, SB_OFF + 0x150, &hi);
		get_le32(head, len, SB_OFF + 0x158, &fhi);
	}
	sb->blocks = (uint64_t)hi << 32 | lo;
	sb->free_blocks = (uint64_t)fhi << 32 | flo;
	if (sb->blocks == 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, SB_OFF + 0x04, "blocks count: expected > 0, found 0");
	if (sb->blocks_per_group == 0 || sb->inodes_per_group == 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, SB_OFF + (sb->blocks_per_group ? 0x28 : 0x20),
				       "blocks/inodes per group: expected > 0, found %u/%u", sb->blocks_per_group,
				       sb->inodes_per_group);
	return 0;
}

struct feature { uint32_t bit; const char *name; };

/* Names as e2fsprogs (lib/e2p/feature.c) prints them. */
static const struct feature compat_names[] = {
	{0x1, "dir_prealloc"}, {0x2, "imagic_inodes"}, {0x4, "has_journal"}, {0x8, "ext_attr"},
	{0x10, "resize_inode"}, {0x20, "dir_index"}, {0x40, "lazy_bg"}, {0x200, "sparse_super2"},
	{0x400, "fast_commit"}, {0x800, "stable_inodes"}, {0x1000, "orphan_file"},
};
static const struct feature incompat_names[] = {
	{0x1, "compression"}, {0x2, "filetype"}, {0x4, "needs_recovery"}, {0x8, "journal_dev"},
	{0x10, "meta_bg"}, {0x40, "extent"}, {0x80, "64bit"}, {0x100, "mmp"}, {0x200, "flex_bg"},
	{0x400, "ea_inode"}, {0x1000, "dirdata"}, {0x2000, "metadata_csum_seed"}, {0x4000, "large_dir"},
	{0x8000, "inline_data"}, {0x10000, "encrypt"}, {0x20000, "casefold"},
};
static const struct feature ro_compat_names[] = {
	{0x1, "sparse_super"}, {0x2, "large_file"}, {0x4, "btree_dir"}, {0x8, "huge_file"},
	{0x10, "uninit_bg"}, {0x20, "dir_nlink"}, {0x40, "extra_isize"}, {0x100, "quota"},
	{0x200, "bigalloc"}, {0x400, "metadata_csum"}, {0x800, "replica"}, {0x1000, "read-only"},
	{0x2000, "project"}, {0x4000, "shared_blocks"}, {0x8000, "verity"}, {0x10000, "orphan_present"},
};

static void push_features(struct unifw_jv *arr, uint32_t bits, const struct feature *t, size_t n, const char *kind)
{
	for (size_t i = 0; i < n; i++)
		if (bits & t[i].bit) {
			unifw_jv_push_str(arr, t[i].name);
			bits &= ~t[i].bit;
		}
	for (int b = 0; b < 32; b++)
		if (bits & (1u << b)) {
			char s[40];
			snprintf(s, sizeof s, "%s_0x%x", kind, 1u << b);
			unifw_jv_push_str(arr, s);
		}
}

void unifw_ext4_feature_names(const struct unifw_ext4_super *sb, struct unifw_jv *arr)
{
	push_features(arr, sb->feature_compat, compat_names, sizeof compat_names / sizeof *compat_names, "compat");
	push_features(arr, sb->feature_incompat, incompat_names, sizeof incompat_names / sizeof *incompat_names,
		      "incompat");
	push_features(arr, sb->feature_ro_compat, ro_compat_names, sizeof ro_compat_names / sizeof *ro_compat_names,
		      "ro_compat");
}

void unifw_ext4_uuid_string(const uint8_t u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
		 u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* AOSP ext4_utils generate_uuid("extandroid/make_ext4fs", label): SHA-1 of namespace||label,
 * copied into a struct {u32 time_low; u16 time_mid; u16 time_hi_and_version; ...}, the first
 * three fields passed through ntohl/ntohs on a little-endian CPU, version 5 and the RFC 4122
 * variant bits set, then the struct's memory stored as s_uuid. */
bool unifw_ext4_uuid_from_label(const uint8_t uuid[16], const char *label)
{
	static const char ns[] = "extandroid/make_ext4fs";
	uint8_t in[sizeof ns + 16], h[SHA_DIGEST_LENGTH], u[16];
	size_t ll = strnlen(label, 16);
	memcpy(in, ns, sizeof ns - 1);
	memcpy(in + sizeof ns - 1, label, ll);
	SHA1(in, sizeof ns - 1 + ll, h);
	u[0] = h[3], u[1] = h[2], u[2] = h[1], u[3] = h[0];
	u[4] = h[5], u[5] = h[4];
	u[6] = h[7], u[7] = (uint8_t)((h[6] & 0x0F) | 0x50);
	u[8] = (uint8_t)((h[8] & ~0x40) | 0x80);
	memcpy(u + 9, h + 9, 7);
	return memcmp(u, uuid, 16) == 0;
}

/* ---------------------------------------------------------------- io_manager over a stream */

/* ext2fs_open2 calls the manager's open() synchronously from unifw_ext4_open on this thread. */
static _Thread_local struct unifw_stream *pending_stream;

static struct struct_io_manager stream_io_manager;

/* The channel pieces shared with ext4_edit.c's overlay manager (ext4_internal.h). */
errcode_t ext4_channel_new(const char *name, io_manager manager, void *private_data, io_channel *channel)
{
	io_channel io;
	errcode_t r = ext2fs_get_memzero(sizeof(struct struct_io_channel), &io);
	if (r)
		return r;
	r = ext2fs_get_mem(strlen(name) + 1, &io->name);
	if (r) {
		ext2fs_free_mem(&io);
		return r;
	}
	strcpy(io->name, name);
	io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	io->manager = manager;
	io->block_size = 1024;
	io->refcount = 1;
	io->private_data = private_data;
	*channel = io;
	return 0;
}

errcode_t ext4_channel_close(io_channel io)
{
	if (--io->refcount > 0)
		return 0;
	ext2fs_free_mem(&io->name);
	ext2fs_free_mem(&io);
	return 0;
}

errcode_t ext4_channel_set_blksize(io_channel io, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	io->block_size = blksize;
	return 0;
}

static errcode_t sio_open(const char *name, int flags, io_channel *channel)
{
	(void)flags;
	if (!pending_stream)
		return EXT2_ET_BAD_DEVICE_NAME;
	return ext4_channel_new(name, &stream_io_manager, pending_stream, channel);
}

static errcode_t sio_read_blk64(io_channel io, unsigned long long block, int count, void *data)
{
	struct unifw_stream *s = io->private_data;
	uint64_t size = count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * (uint64_t)io->block_size, off;
	if (!mul_u64(block, (uint64_t)io->block_size, &off) || (s->size != UNIFW_SIZE_UNKNOWN && (off > s->size ||
	    size > s->size - off)) || size > SIZE_MAX)
		return EXT2_ET_SHORT_READ;
	if (size && s->pread(s->ctx, data, (size_t)size, off, NULL))
		return EXT2_ET_SHORT_READ;
	return 0;
}

static errcode_t sio_read_blk(io_channel io, unsigned long block, int count, void *data)
{
	return sio_read_blk64(io, block, count, data);
}

static errcode_t sio_write_blk64(io_channel io, unsigned long long block, int count, const void *data)
{
	(void)io, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t sio_write_blk(io_channel io, unsigned long block, int count, const void *data)
{
	return sio_write_blk64(io, block, count, data);
}

static errcode_t sio_write_byte(io_channel io, unsigned long offset, int count, const void *data)
{
	(void)io, (void)offset, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t sio_flush(io_channel io)
{
	(void)io;
	return 0;
}

static errcode_t sio_set_option(io_channel io, const char *option, const char *arg)
{
	(void)io, (void)option, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager stream_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "unifw stream I/O manager",
	.open = sio_open,
	.close = ext4_channel_close,
	.set_blksize = ext4_channel_set_blksize,
	.read_blk = sio_read_blk,
	.write_blk = sio_write_blk,
	.flush = sio_flush,
	.write_byte = sio_write_byte,
	.set_option = sio_set_option,
	.read_blk64 = sio_read_blk64,
	.write_blk64 = sio_write_blk64,
};

/* ---------------------------------------------------------------- open / read */

struct unifw_ext4 {
	ext2_filsys fs;
	struct unifw_stream *s;
};

static pthread_once_t error_table_once = PTHREAD_ONCE_INIT;
static void register_error_table(void) { add_error_table(&et_ext2_error_table); }

static int lib_error(struct unifw_error *err, const char *where, uint64_t off, errcode_t code, const char *what)
{
	pthread_once(&error_table_once, register_error_table);
	return unifw_error_set(err, UNIFW_E_LIBRARY, where, off, "%s: libext2fs: %s", what, error_message(code));
}

static int check_size(const struct unifw_ext4_super *sb, const struct unifw_stream *s, struct unifw_error *err)
{
	uint64_t need;
	if (!mul_u64(sb->blocks, sb->block_size, &need) || (s->size != UNIFW_SIZE_UNKNOWN && need > s->size))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, s->name, SB_OFF + 0x04,
				       "superblock says %llu blocks of %u bytes; the image has %llu bytes",
				       (unsigned long long)sb->blocks, sb->block_size, (unsigned long long)s->size);
	return 0;
}

int unifw_ext4_open(struct unifw_stream *s, struct unifw_ext4 **out, struct unifw_error *err)
{
	uint8_t head[HEAD_LEN];
	struct unifw_ext4_super sb;
	if (!s->pread)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, s->name, UNIFW_NO_OFFSET,
				       "reading an ext4 filesystem needs a seekable input (not an archive member)");
	int rc = s->pread(s->ctx, head, sizeof head, 0, err);
	if (rc) {
		unifw_error_where(err, s->name);
		return rc;
	}
	rc = unifw_ext4_parse_super(head, sizeof head, s->name, &sb, err);
	if (!rc)
		rc = check_size(&sb, s, err);
	if (rc)
		return rc;
	struct unifw_ext4 *e = calloc(1, sizeof *e);
	if (!e)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	e->s = s;
	pending_stream = s;
	errcode_t r = ext2fs_open2("unifw-stream", NULL, EXT2_FLAG_64BITS, 0, 0, &stream_io_manager, &e->fs);
	pending_stream = NULL;
	if (r) {
		free(e);
		return lib_error(err, s->name, SB_OFF, r, "opening the filesystem");
	}
	/* Group descriptors pointing outside their group (a hostile or damaged image) would send
	 * every later read astray: check them once, as e2fsck does first. */
	r = ext2fs_check_desc(e->fs);
	if (r) {
		uint64_t gdt = ((uint64_t)sb.first_data_block + 1) * sb.block_size;
		ext2fs_close_free(&e->fs);
		free(e);
		return lib_error(err, s->name, gdt, r, "checking the group descriptors");
	}
	*out = e;
	return 0;
}

void unifw_ext4_close(struct unifw_ext4 *e)
{
	if (!e)
		return;
	ext2fs_close_free(&e->fs);
	free(e);
}

void unifw_ext4_get_super(const struct unifw_ext4 *e, struct unifw_ext4_super *sb)
{
	const struct ext2_super_block *s = e->fs->super;
	memset(sb, 0, sizeof *sb);
	memcpy(sb->label, s->s_volume_name, 16);
	memcpy(sb->uuid, s->s_uuid, 16);
	sb->block_size = (uint32_t)e->fs->blocksize;
	sb->blocks = ext2fs_blocks_count(e->fs->super);
	sb->free_blocks = ext2fs_free_blocks_count(e->fs->super);
	sb->inodes = s->s_inodes_count;
	sb->free_inodes = s->s_free_inodes_count;
	sb->blocks_per_group = s->s_blocks_per_group;
	sb->inodes_per_group = s->s_inodes_per_group;
	sb->first_data_block = s->s_first_data_block;
	sb->feature_compat = s->s_feature_compat;
	sb->feature_incompat = s->s_feature_incompat;
	sb->feature_ro_compat = s->s_feature_ro_compat;
	sb->state = s->s_state;
	sb->rev_level = s->s_rev_level;
}

static int lookup(struct unifw_ext4 *e, const char *path, ext2_ino_t *ino, struct ext2_inode *inode,
		  struct unifw_error *err)
{
	char where[300];
	snprintf(where, sizeof where, "%.200s:%.90s", e->s->name, path);
	errcode_t r = ext2fs_namei(e->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);
	if (r == EXT2_ET_FILE_NOT_FOUND)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, where, UNIFW_NO_OFFSET, "no such file in the filesystem");
	if (!r)
		r = ext2fs_read_inode(e->fs, *ino, inode);
	return r ? lib_error(err, where, UNIFW_NO_OFFSET, r, "looking up the path") : 0;
}

int ext4_read_inode_file(ext2_filsys fs, ext2_ino_t ino, const struct ext2_inode *inode, const char *path, size_t max,
			 ext4_lib_error_fn report, void *ctx, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	if (!LINUX_S_ISREG(inode->i_mode))
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "not a regular file (mode 0%o)",
				       inode->i_mode);
	uint64_t size = EXT2_I_SIZE(inode);
	if (max > UNIFW_EXT4_MAX_FILE)
		max = UNIFW_EXT4_MAX_FILE;
	if (size > max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET, "file is %llu bytes; limit %zu",
				       (unsigned long long)size, max);
	ext2_file_t f;
	errcode_t r = ext2fs_file_open(fs, ino, 0, &f);
	if (r)
		return report(ctx, err, path, UNIFW_NO_OFFSET, r, "opening the file");
	uint8_t *b = malloc(size ? (size_t)size : 1);
	size_t got = 0;
	while (b && got < size) {
		unsigned int n = 0;
		r = ext2fs_file_read(f, b + got, (unsigned int)(size - got), &n);
		if (r || n == 0)
			break;
		got += n;
	}
	ext2fs_file_close(f);
	if (!b)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	if (r || got != size) {
		free(b);
		return r ? report(ctx, err, path, got, r, "reading the file")
			 : unifw_error_set(err, UNIFW_E_TRUNCATED, path, got, "file ends after %zu of %llu bytes", got,
					   (unsigned long long)size);
	}
	*buf = b;
	*len = got;
	return 0;
}

static int stream_lib_error(void *ctx, struct unifw_error *err, const char *where, uint64_t off, errcode_t code,
			    const char *what)
{
	(void)ctx;
	return lib_error(err, where, off, code, what);
}

int unifw_ext4_read_file(struct unifw_ext4 *e, const char *path, size_t max, uint8_t **buf, size_t *len,
			 struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = lookup(e, path, &ino, &inode, err);
	return rc ? rc : ext4_read_inode_file(e->fs, ino, &inode, path, max, stream_lib_error, NULL, buf, len, err);
}

struct dir_ctx {
	struct unifw_ext4_dirent *v;
	size_t n, cap, max;
	bool truncated, nomem;
};

static int dir_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *d, int offset, int blocksize, char *buf,
		  void *priv)
{
	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	struct dir_ctx *c = priv;
	int nl = ext2fs_dirent_name_len(d);
	if ((nl == 1 && d->name[0] == '.') || (nl == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	if (c->n == c->max) {
		c->truncated = true;
		return DIRENT_ABORT;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		struct unifw_ext4_dirent *nv = realloc(c->v, ncap * sizeof *nv);
		if (!nv) {
			c->nomem = true;
			return DIRENT_ABORT;
		}
		c->v = nv;
		c->cap = ncap;
	}
	struct unifw_ext4_dirent *de = &c->v[c->n++];
	memset(de, 0, sizeof *de);
	memcpy(de->name, d->name, (size_t)nl);
	de->inode = d->inode;
	switch (ext2fs_dirent_file_type(d)) {
	case EXT2_FT_REG_FILE: de->kind = 'f'; break;
	case EXT2_FT_DIR: de->kind = 'd'; break;
	case EXT2_FT_SYMLINK: de->kind = 'l'; break;
	default: de->kind = 'o'; break;
	}
	return 0;
}

int unifw_ext4_list_dir(struct unifw_ext4 *e, const char *path, size_t max_entries,
			struct unifw_ext4_dirent **entries, size_t *count, bool *truncated, struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = lookup(e, path, &ino, &inode, err);
	if (rc)
		return rc;
	if (!LINUX_S_ISDIR(inode.i_mode))
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "not a directory");
	struct dir_ctx c = {.max = max_entries < UNIFW_EXT4_MAX_DIR_ENTRIES ? max_entries : UNIFW_EXT4_MAX_DIR_ENTRIES};
	errcode_t r = ext2fs_dir_iterate2(e->fs, ino, 0, NULL, dir_cb, &c);
	if (r || c.nomem) {
		free(c.v);
		return c.nomem ? unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory")
			       : lib_error(err, path, UNIFW_NO_OFFSET, r, "reading the directory");
	}
	for (size_t i = 0; i < c.n; i++) {
		struct ext2_inode in;
		if (ext2fs_read_inode(e->fs, c.v[i].inode, &in) == 0)
			c.v[i].size = EXT2_I_SIZE(&in);
	}
	*entries = c.v;
	*count = c.n;
	if (truncated)
		*truncated = c.truncated;
	return 0;
}

/* ---------------------------------------------------------------- build.prop */

#define MAX_PROP_KEYS 256

size_t unifw_ext4_build_prop(const char *text, size_t len, struct unifw_jv *obj)
{
	size_t keys = 0, i = 0;
	while (i < len && keys < MAX_PROP_KEYS) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		const char *line = text + i, *eq = memchr(line, '=', end - i);
		size_t ll = end - i;
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (eq && (size_t)(eq - line) < ll && (!strncmp(line, "ro.product.", 11) || !strncmp(line, "ro.build.", 9))) {
			char key[128];
			size_t kl = (size_t)(eq - line);
			if (kl < sizeof key) {
				memcpy(key, line, kl);
				key[kl] = 0;
				size_t vl = ll - kl - 1;
				unifw_jv_set(obj, key, unifw_jv_stringn(eq + 1, vl)); /* whole: build.prop is read up to 1 MiB */
				keys++;
			}
		}
		i = end + 1;
	}
	return keys;
}

/* ---------------------------------------------------------------- probe / describe */

bool unifw_ext4_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	uint16_t magic;
	uint32_t log_bs, blocks;
	(void)total_size;
	return get_le16(head, head_len, SB_OFF + 0x38, &magic) && magic == UNIFW_EXT4_MAGIC &&
	       get_le32(head, head_len, SB_OFF + 0x18, &log_bs) && log_bs <= 6 &&
	       get_le32(head, head_len, SB_OFF + 0x04, &blocks) && blocks != 0;
}

static void describe_super(struct unifw_jv *obj, const struct unifw_ext4_super *sb)
{
	char uuid[37];
	unifw_ext4_uuid_string(sb->uuid, uuid);
	unifw_jv_set_str(obj, "type", "ext4");
	unifw_jv_set_str(obj, "label", sb->label);
	unifw_jv_set_str(obj, "uuid", uuid);
	unifw_jv_set_bool(obj, "uuid_from_label", unifw_ext4_uuid_from_label(sb->uuid, sb->label));
	unifw_jv_set_uint(obj, "block_size", sb->block_size);
	unifw_jv_set_uint(obj, "blocks", sb->blocks);
	unifw_jv_set_uint(obj, "size", sb->blocks * sb->block_size);
	unifw_jv_set_uint(obj, "free_bytes", sb->free_blocks * sb->block_size);
	unifw_jv_set_uint(obj, "inodes", sb->inodes);
	unifw_jv_set_uint(obj, "free_inodes", sb->free_inodes);
	unifw_jv_set_str(obj, "state", sb->state & 2 ? "errors" : sb->state & 1 ? "clean" : "not_clean");
	unifw_ext4_feature_names(sb, unifw_jv_set_arr(obj, "features"));
}

static void describe_build_prop(struct unifw_ext4 *e, struct unifw_jv *obj)
{
	static const char *paths[] = {"/build.prop", "/system/build.prop"};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		uint8_t *b;
		size_t n;
		if (unifw_ext4_read_file(e, paths[i], 1u << 20, &b, &n, NULL) == 0) {
			struct unifw_jv *bp = unifw_jv_set_obj(obj, "build_prop");
			unifw_jv_set_str(bp, "type", "properties");
			unifw_ext4_build_prop((const char *)b, n, bp);
			free(b);
			return;
		}
	}
}

int unifw_ext4_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t head[HEAD_LEN];
	struct unifw_ext4_super sb;
	int rc = s->pread ? s->pread(s->ctx, head, sizeof head, 0, err)
			  : unifw_stream_read_exact(s, head, sizeof head, "ext4 superblock", err);
	if (rc) {
		unifw_error_where(err, s->name);
		return rc;
	}
	rc = unifw_ext4_parse_super(head, sizeof head, s->name, &sb, err);
	if (rc)
		return rc;
	if (!s->pread) {
		/* An archive member: only the superblock is at hand. */
		describe_super(obj, &sb);
		unifw_jv_set_bool(obj, "partial", true);
		return 0;
	}
	if (check_size(&sb, s, NULL)) {
		describe_super(obj, &sb);
		unifw_jv_set_bool(obj, "truncated", true);
		return 0;
	}
	struct unifw_ext4 *e;
	rc = unifw_ext4_open(s, &e, err);
	if (rc)
		return rc;
	unifw_ext4_get_super(e, &sb);
	describe_super(obj, &sb);
	describe_build_prop(e, obj);
	unifw_ext4_close(e);
	return 0;
}

/* ---------------------------------------------------------------- lstat / readlink (the identity vault) */

static char kind_of_mode(uint16_t mode)
{
	return LINUX_S_ISREG(mode) ? 'f' : LINUX_S_ISDIR(mode) ? 'd' : LINUX_S_ISLNK(mode) ? 'l' : 'o';
}

int unifw_ext4_lstat(struct unifw_ext4 *e, const char *path, struct unifw_ext4_stat *st, struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = lookup(e, path, &ino, &inode, err); /* ext2fs_namei leaves a final symlink alone */
	if (rc)
		return rc;
	memset(st, 0, sizeof *st);
	st->kind = kind_of_mode(inode.i_mode);
	st->mode = inode.i_mode;
	st->uid = inode_uid(inode);
	st->gid = inode_gid(inode);
	st->size = EXT2_I_SIZE(&inode);
	return 0;
}

int unifw_ext4_readlink(struct unifw_ext4 *e, const char *path, char *out, size_t cap, struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = lookup(e, path, &ino, &inode, err); /* ext2fs_namei leaves a final symlink alone */
	if (rc)
		return rc;
	if (!LINUX_S_ISLNK(inode.i_mode))
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "not a symbolic link (mode 0%o)",
				       inode.i_mode);
	uint64_t size = EXT2_I_SIZE(&inode);
	if (!cap || size > cap - 1)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET,
				       "symbolic link target of %llu bytes; limit %zu", (unsigned long long)size,
				       cap ? cap - 1 : 0);
	if (ext2fs_is_fast_symlink(&inode)) { /* the target is kept in i_block itself */
		if (size > sizeof inode.i_block)
			return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
					       "fast symbolic link of %llu bytes (at most %zu fit the inode)",
					       (unsigned long long)size, sizeof inode.i_block);
		memcpy(out, inode.i_block, (size_t)size);
		out[size] = 0;
		return 0;
	}
	ext2_file_t f;
	errcode_t r = ext2fs_file_open(e->fs, ino, 0, &f);
	if (r)
		return lib_error(err, path, UNIFW_NO_OFFSET, r, "opening the symbolic link");
	unsigned int n = 0;
	r = ext2fs_file_read(f, out, (unsigned int)size, &n);
	ext2fs_file_close(f);
	if (r || n != size)
		return r ? lib_error(err, path, n, r, "reading the symbolic link")
			 : unifw_error_set(err, UNIFW_E_TRUNCATED, path, n, "symbolic link target ends after %u of %llu bytes",
					   n, (unsigned long long)size);
	out[size] = 0;
	return 0;
}

/* ---------------------------------------------------------------- extended attributes */

/* The attribute `name` of inode ino through libext2fs's handle API (in-inode and block attributes alike), copied
 * into a malloc'd buffer with a NUL after it. Shared with the overlay (ext4_internal.h). */
int ext4_inode_xattr(ext2_filsys fs, ext2_ino_t ino, const char *path, const char *name, uint8_t **value, size_t *len,
		     ext4_lib_error_fn report, void *ctx, struct unifw_error *err)
{
	struct ext2_xattr_handle *h = NULL;
	void *v = NULL;
	size_t vl = 0;
	errcode_t r = ext2fs_xattrs_open(fs, ino, &h);
	if (!r)
		r = ext2fs_xattrs_read(h);
	if (!r)
		r = ext2fs_xattr_get(h, name, &v, &vl);
	if (h)
		ext2fs_xattrs_close(&h);
	if (r == EXT2_ET_EA_KEY_NOT_FOUND)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, path, UNIFW_NO_OFFSET, "no extended attribute %s", name);
	if (r)
		return report(ctx, err, path, UNIFW_NO_OFFSET, r, "reading the extended attributes");
	int rc = 0;
	if (vl > UNIFW_EXT4_MAX_XATTR)
		rc = unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET,
				     "extended attribute %s of %zu bytes; limit %u", name, vl, UNIFW_EXT4_MAX_XATTR);
	else if (!(*value = malloc(vl + 1)))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	if (!rc) {
		if (vl)
			memcpy(*value, v, vl);
		(*value)[vl] = 0;
		*len = vl;
	}
	ext2fs_free_mem(&v);
	return rc;
}

int unifw_ext4_get_xattr(struct unifw_ext4 *e, const char *path, const char *name, uint8_t **value, size_t *len,
			 struct unifw_error *err)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int rc = lookup(e, path, &ino, &inode, err);
	return rc ? rc : ext4_inode_xattr(e->fs, ino, path, name, value, len, stream_lib_error, NULL, err);
}
