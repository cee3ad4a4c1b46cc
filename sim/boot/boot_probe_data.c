/* unifw-sim — USRDATA /unifw/probe.txt (boot_probe_data.h). libext2fs opens the image file itself at
 * USRDATA's byte offset (unix io manager, "offset=" io option); inode creation follows e2fsprogs'
 * misc/create_inode.c do_write_internal (extent header through ext2fs_extent_open2, then the data through
 * ext2fs_file_write). */
#include "boot_probe_data.h"

#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "install_package.h"

#define RECORD_PATH "USRDATA /" SIM_PROBE_RECORD_DIR "/" SIM_PROBE_RECORD_NAME

static int lib_error(struct unifw_error *err, errcode_t rc, const char *what)
{
	return unifw_error_set(err, UNIFW_E_LIBRARY, RECORD_PATH, UNIFW_NO_OFFSET, "%s: %s", what, error_message(rc));
}

/* ext2fs_link and ext2fs_mkdir fail with EXT2_ET_DIR_NO_SPACE on a full directory block: expand, retry. */
static errcode_t link_entry(ext2_filsys fs, ext2_ino_t dir, const char *name, ext2_ino_t ino, int type)
{
	errcode_t rc = ext2fs_link(fs, dir, name, ino, type);
	if (rc == EXT2_ET_DIR_NO_SPACE && !(rc = ext2fs_expand_dir(fs, dir)))
		rc = ext2fs_link(fs, dir, name, ino, type);
	return rc;
}

/* /unifw, mode 0700 root:root (init.unifw.rc: mkdir /data/unifw 0700 root root). */
static errcode_t record_dir(ext2_filsys fs, ext2_ino_t *dir)
{
	errcode_t rc = ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, SIM_PROBE_RECORD_DIR, dir);
	if (rc != EXT2_ET_FILE_NOT_FOUND)
		return rc;
	fs->umask = 077;
	rc = ext2fs_mkdir(fs, EXT2_ROOT_INO, 0, SIM_PROBE_RECORD_DIR);
	if (rc == EXT2_ET_DIR_NO_SPACE && !(rc = ext2fs_expand_dir(fs, EXT2_ROOT_INO)))
		rc = ext2fs_mkdir(fs, EXT2_ROOT_INO, 0, SIM_PROBE_RECORD_DIR);
	return rc ? rc : ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, SIM_PROBE_RECORD_DIR, dir);
}

/* A new empty regular file, mode 0600 root:root. */
static errcode_t new_file(ext2_filsys fs, ext2_ino_t dir, ext2_ino_t *ino)
{
	errcode_t rc = ext2fs_new_inode(fs, dir, LINUX_S_IFREG | 0600, 0, ino);
	if (!rc)
		rc = link_entry(fs, dir, SIM_PROBE_RECORD_NAME, *ino, EXT2_FT_REG_FILE);
	if (rc)
		return rc;
	ext2fs_inode_alloc_stats2(fs, *ino, +1, 0);
	struct ext2_inode inode;
	memset(&inode, 0, sizeof inode);
	inode.i_mode = LINUX_S_IFREG | 0600;
	inode.i_atime = inode.i_ctime = inode.i_mtime = (uint32_t)time(NULL);
	inode.i_links_count = 1;
	if (ext2fs_has_feature_extents(fs->super)) {
		ext2_extent_handle_t h;
		if ((rc = ext2fs_extent_open2(fs, *ino, &inode, &h)))
			return rc;
		ext2fs_extent_free(h);
	}
	return ext2fs_write_new_inode(fs, *ino, &inode);
}

/* The record's bytes into ino, replacing what it held (an older record). */
static errcode_t fill(ext2_filsys fs, ext2_ino_t ino, const uint8_t *text, size_t len)
{
	ext2_file_t file;
	errcode_t rc = ext2fs_file_open(fs, ino, EXT2_FILE_WRITE, &file);
	if (rc)
		return rc;
	rc = ext2fs_file_set_size2(file, 0);
	for (size_t done = 0; !rc && done < len;) {
		unsigned int got = 0;
		size_t chunk = len - done < (1u << 20) ? len - done : (1u << 20);
		rc = ext2fs_file_write(file, text + done, (unsigned int)chunk, &got);
		if (!rc && !got)
			rc = EXT2_ET_SHORT_WRITE;
		done += got;
	}
	errcode_t c = ext2fs_file_close(file);
	return rc ? rc : c;
}

static errcode_t put(ext2_filsys fs, const uint8_t *text, size_t len)
{
	ext2_ino_t dir = 0, ino = 0;
	errcode_t rc = ext2fs_read_bitmaps(fs);
	if (!rc)
		rc = record_dir(fs, &dir);
	if (!rc) {
		rc = ext2fs_namei(fs, EXT2_ROOT_INO, dir, SIM_PROBE_RECORD_NAME, &ino);
		if (rc == EXT2_ET_FILE_NOT_FOUND)
			rc = new_file(fs, dir, &ino);
	}
	return rc ? rc : fill(fs, ino, text, len);
}

int sim_usrdata_put_record(struct sim_emmc *e, const uint8_t *text, size_t len, struct unifw_error *err)
{
	struct sim_flash_loc loc;
	const char *path = sim_emmc_path(e);
	if (!path || !*path)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, RECORD_PATH, UNIFW_NO_OFFSET,
				       "the eMMC image has no file to open");
	int urc = sim_flash_locate(e, "USRDATA", &loc, err);
	if (urc == 0)
		urc = sim_emmc_flush(e, err);
	if (urc)
		return urc;
	char opt[64];
	snprintf(opt, sizeof opt, "offset=%llu",
		 (unsigned long long)(sim_emmc_part_offset(e, loc.part) + loc.offset));
	ext2_filsys fs = NULL;
	errcode_t rc = ext2fs_open2(path, opt, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &fs);
	if (rc)
		return lib_error(err, rc, "cannot open USRDATA's file system");
	rc = put(fs, text, len);
	if (rc) {
		ext2fs_free(fs); /* nothing half-written is flushed: the old state stays */
		return lib_error(err, rc, "cannot write the record");
	}
	rc = ext2fs_close_free(&fs);
	return rc ? lib_error(err, rc, "cannot flush USRDATA's file system") : 0;
}
