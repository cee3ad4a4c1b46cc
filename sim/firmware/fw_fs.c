/* unifw-sim — ext4 images of the synthetic firmware: a staging directory, e2fsprogs' mke2fs -d (the
 * field's tool for a file system from a directory), then the project's sparse writer. */
#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fw_build.h"
#include "unifw/io.h"
#include "unifw/sparse.h"

/* Fixed file times inside the images (2013-09-24): with a fixed UUID and hash seed the images are
 * reproducible for a given seed. */
#define SIM_FS_TIME 1380000000L

static int mkdir_p(const char *path, struct unifw_error *err)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "path too long");
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return unifw_error_sys(err, tmp, "cannot create directory");
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return unifw_error_sys(err, tmp, "cannot create directory");
	return 0;
}

int sim_stage_dir(const char *root, const char *rel, struct unifw_error *err)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path)
		return unifw_error_set(err, UNIFW_E_INVALID, rel, UNIFW_NO_OFFSET, "path too long");
	return mkdir_p(path, err);
}

int sim_stage_file(const char *root, const char *rel, const void *data, size_t len, struct unifw_error *err)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path)
		return unifw_error_set(err, UNIFW_E_INVALID, rel, UNIFW_NO_OFFSET, "path too long");
	char *slash = strrchr(path, '/');
	*slash = 0;
	int rc = mkdir_p(path, err);
	*slash = '/';
	if (rc)
		return rc;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return unifw_error_sys(err, path, "cannot create");
	rc = unifw_fd_write_all(fd, data, len, path, err);
	close(fd);
	return rc;
}

static int set_time(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	const struct timespec t[2] = { { SIM_FS_TIME, 0 }, { SIM_FS_TIME, 0 } };
	utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* mke2fs lives in /sbin on Debian; a non-root PATH often lacks it. */
static const char *find_mke2fs(void)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin" };
	static char found[PATH_MAX];
	const char *env = getenv("UNIFW_SIM_MKE2FS");
	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(found, sizeof found, "%s/mke2fs", dirs[i]);
		if (access(found, X_OK) == 0)
			return found;
	}
	return NULL;
}

static void uuid_from_seed(uint64_t seed, const char *label, char out[37])
{
	struct sim_prng r;
	sim_prng_seed(&r, seed, label);
	uint8_t u[16];
	sim_prng_fill(&r, u, sizeof u);
	u[6] = (uint8_t)((u[6] & 0x0F) | 0x40); /* version 4 */
	u[8] = (uint8_t)((u[8] & 0x3F) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
		 u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* Runs mke2fs; its messages (stderr) go into the error when it fails. */
static int run_mke2fs(const char *staging, const char *label, const char *image, uint64_t seed,
		      struct unifw_error *err)
{
	const char *tool = find_mke2fs();
	if (!tool)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "mke2fs", UNIFW_NO_OFFSET,
				       "mke2fs (e2fsprogs) not found in /usr/sbin or /sbin: the factory needs it");
	char uuid[37], ext[128];
	uuid_from_seed(seed, label, uuid);
	snprintf(ext, sizeof ext, "root_owner=0:0,hash_seed=%s", uuid);
	/* The feature set make_ext4fs gave MT6572 images, which a 3.4 kernel mounts: spelled out so that
	 * newer e2fsprogs defaults (metadata_csum, 64bit, orphan_file) and the host's mke2fs.conf stay out. */
	char *const argv[] = { (char *)tool, "-q", "-F", "-t", "ext4", "-b", "4096", "-I", "256", "-L", (char *)label,
			       "-U", uuid, "-E", ext, "-O",
			       "none,has_journal,ext_attr,resize_inode,dir_index,filetype,extent,flex_bg,sparse_super,"
			       "large_file,huge_file,dir_nlink,extra_isize",
			       "-d", (char *)staging, (char *)image, NULL };
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return unifw_error_sys(err, "mke2fs", "pipe failed");
	pid_t pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 2);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		setenv("E2FSPROGS_FAKE_TIME", "1380000000", 1);
		execv(tool, argv);
		_exit(127);
	}
	close(pipefd[1]);
	char msg[512] = "";
	size_t got = 0;
	ssize_t n;
	while ((n = read(pipefd[0], msg + got, sizeof msg - 1 - got)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			got += (size_t)n;
	msg[got] = 0;
	close(pipefd[0]);
	int st = 0;
	if (pid < 0)
		return unifw_error_sys(err, "mke2fs", "fork failed");
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return unifw_error_set(err, UNIFW_E_LIBRARY, image, UNIFW_NO_OFFSET, "mke2fs -d %s failed (status %d): %s",
				       staging, WIFEXITED(st) ? WEXITSTATUS(st) : -1, msg);
	return 0;
}

/* mke2fs -d copies each staged file's ctime (and the nanoseconds of its times), which no call can set:
 * the same seed built in another second gave other bytes, so two units of one model (or two builds of
 * one package) differed in their system images. Every inode's times are pinned to SIM_FS_TIME. The
 * feature set has no metadata_csum, so an inode rewritten in place needs no checksum; the superblock is
 * left as mke2fs wrote it. */
static int pin_inode_times(const char *image, struct unifw_error *err)
{
	ext2_filsys fs = NULL;
	errcode_t e = ext2fs_open(image, EXT2_FLAG_RW, 0, 0, unix_io_manager, &fs);
	ext2_inode_scan scan = NULL;
	if (!e)
		e = ext2fs_open_inode_scan(fs, 0, &scan);
	struct ext2_inode_large inode;
	ext2_ino_t ino = 0;
	while (!e && !(e = ext2fs_get_next_inode_full(scan, &ino, (struct ext2_inode *)&inode, sizeof inode)) && ino) {
		if (!inode.i_links_count)
			continue;
		inode.i_atime = inode.i_ctime = inode.i_mtime = (uint32_t)SIM_FS_TIME;
		if (inode.i_extra_isize >= 24) { /* ctime, mtime, atime _extra, crtime, crtime_extra */
			inode.i_ctime_extra = inode.i_mtime_extra = inode.i_atime_extra = 0;
			inode.i_crtime = (uint32_t)SIM_FS_TIME;
			inode.i_crtime_extra = 0;
		}
		e = ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)&inode, sizeof inode);
	}
	if (scan)
		ext2fs_close_inode_scan(scan);
	if (fs) {
		fs->now = SIM_FS_TIME;
		fs->flags &= ~EXT2_FLAG_DIRTY; /* the inode tables are written; the superblock stays mke2fs's */
		errcode_t c = ext2fs_close_free(&fs);
		e = e ? e : c;
	}
	if (e)
		return unifw_error_set(err, UNIFW_E_LIBRARY, image, UNIFW_NO_OFFSET,
				       "pinning the inode times (inode %u): libext2fs: %s", ino, error_message(e));
	return 0;
}

static int make_sparse_file(const char *path, uint64_t size, struct unifw_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return unifw_error_sys(err, path, "cannot create");
	int rc = ftruncate(fd, (off_t)size) == 0 ? 0 : unifw_error_sys(err, path, "cannot size to %llu bytes",
								       (unsigned long long)size);
	close(fd);
	return rc;
}

int sim_make_ext4(const char *staging, uint64_t size, const char *label, const char *out_path, bool sparse,
		  uint64_t seed, struct unifw_error *err)
{
	char raw[PATH_MAX];
	if (snprintf(raw, sizeof raw, "%s%s", out_path, sparse ? ".raw" : "") >= (int)sizeof raw)
		return unifw_error_set(err, UNIFW_E_INVALID, out_path, UNIFW_NO_OFFSET, "path too long");
	nftw(staging, set_time, 16, FTW_PHYS);
	int rc = make_sparse_file(raw, size, err);
	if (rc == 0)
		rc = run_mke2fs(staging, label, raw, seed, err);
	if (rc == 0)
		rc = pin_inode_times(raw, err);
	if (rc == 0 && sparse) {
		struct unifw_sparse_write_opts opts = { .block_size = 4096 };
		rc = unifw_sparse_write_file(raw, out_path, &opts, NULL, err);
	}
	if (sparse || rc)
		unlink(raw);
	return rc;
}
