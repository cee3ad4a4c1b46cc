/* unifw port: an ext4 image made to fit a partition (port.h unifw_port_fit_image, docs/port.md "Fitting a
 * partition"). An image that fits is copied as it is. One that does not is shrunk with e2fsprogs, whose
 * resize2fs knows what a file system needs better than any estimate of ours: e2fsck -fy (resize2fs refuses a
 * file system not checked since its last mount), resize2fs -P for the minimum, then resize2fs to the
 * partition's size in blocks. The tools run with fork+exec (no shell) and their messages land in the error. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ops/port_image.h"
#include "unifw/ext4.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/port.h"
#include "unifw/sparse.h"
#include "util/bytes.h"

extern char **environ;

#define COPY_PIECE (1u << 20)
#define TOOL_OUTPUT 4096u /* what is kept of a tool's messages for the error */

/* ---------------------------------------------------------------- image files (port_image.h) */

int port_image_probe(const char *path, struct port_image_info *info, struct unifw_error *err)
{
	uint8_t *head = NULL;
	size_t len = 0;
	uint64_t size = 0;
	memset(info, 0, sizeof *info);
	int rc = unifw_file_read_head(path, UNIFW_SPARSE_HEADER_SIZE, &head, &len, &size, err);
	if (rc)
		return rc;
	info->file_size = info->expanded = size;
	if (unifw_sparse_probe(head, len, size)) {
		struct unifw_sparse_header h;
		rc = unifw_sparse_parse_header(head, len, path, &h, err);
		if (!rc) {
			info->sparse = true;
			info->sparse_block_size = h.block_size;
			info->expanded = (uint64_t)h.total_blocks * h.block_size; /* u32 x u32: no overflow */
		}
	}
	free(head);
	return rc;
}

static bool all_zero(const uint8_t *b, size_t n)
{
	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* Copy in to out from offset 0; pieces of zeros are skipped (holes), the size set at the end. */
static int copy_fd(int in, int out, const char *in_name, const char *out_name, struct unifw_error *err)
{
	uint8_t *buf = malloc(COPY_PIECE);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, in_name, UNIFW_NO_OFFSET, "out of memory");
	uint64_t off = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = pread(in, buf, COPY_PIECE, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = unifw_error_sys(err, in_name, "read at 0x%llx", (unsigned long long)off);
			break;
		}
		if (n == 0)
			break;
		if (!all_zero(buf, (size_t)n))
			rc = unifw_fd_pwrite_all(out, buf, (size_t)n, off, out_name, err);
		if (rc)
			break;
		off += (uint64_t)n;
	}
	free(buf);
	if (!rc && ftruncate(out, (off_t)off) < 0)
		rc = unifw_error_sys(err, out_name, "cannot size to %llu bytes", (unsigned long long)off);
	return rc;
}

int port_copy_file(const char *in_path, const char *out_path, struct unifw_error *err)
{
	int in = open(in_path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return unifw_error_sys(err, in_path, "open");
	char *tmp;
	int fd = unifw_file_temp_beside(out_path, &tmp, err);
	if (fd < 0) {
		close(in);
		return fd;
	}
	int rc = copy_fd(in, fd, in_path, out_path, err);
	close(in);
	return unifw_file_temp_finish(fd, tmp, out_path, rc, err);
}

/* ---------------------------------------------------------------- e2fsprogs */

/* e2fsprogs lives in /sbin on Debian; a user's PATH often lacks it. */
static int find_tool(const char *name, char out[PATH_MAX], struct unifw_error *err)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin" };
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		snprintf(out, PATH_MAX, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return unifw_error_set(err, UNIFW_E_NOT_FOUND, name, UNIFW_NO_OFFSET,
			       "%s (e2fsprogs) not found in /usr/sbin or /sbin: fitting an ext4 image needs it", name);
}

/* The environment with LC_ALL=C in front (the tools' output is parsed and quoted in English). */
static char **c_locale_env(void)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	env[k++] = (char *)"LC_ALL=C";
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) && strncmp(environ[i], "LANGUAGE=", 9))
			env[k++] = environ[i];
	return env;
}

/* Run tool with args (argv[0] is replaced by its full path); stdout and stderr together into out (the first
 * TOOL_OUTPUT - 1 bytes, NUL-terminated), stdin from /dev/null. *status: the exit status, or -1 when killed. */
static int run_tool(const char *name, char **argv, char out[TOOL_OUTPUT], int *status, struct unifw_error *err)
{
	char path[PATH_MAX];
	int rc = find_tool(name, path, err);
	if (rc)
		return rc;
	argv[0] = path;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return unifw_error_sys(err, name, "pipe");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	char **env = c_locale_env();
	pid_t pid = -1;
	int sp = env ? posix_spawn(&pid, path, &fa, NULL, argv, env) : ENOMEM;
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	close(pipefd[1]);
	if (sp != 0) {
		close(pipefd[0]);
		errno = sp;
		return unifw_error_sys(err, path, "cannot run");
	}
	size_t got = 0;
	char drain[512];
	for (;;) { /* read everything (a full pipe would stall the tool), keep the start */
		bool keep = got < TOOL_OUTPUT - 1;
		ssize_t n = keep ? read(pipefd[0], out + got, TOOL_OUTPUT - 1 - got) : read(pipefd[0], drain, sizeof drain);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (keep)
			got += (size_t)n;
	}
	out[got] = 0;
	close(pipefd[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return unifw_error_sys(err, path, "waitpid");
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

/* The tool's last lines only: e2fsprogs prints its version banner first. */
static const char *tail_of(const char *out)
{
	size_t l = strlen(out);
	return l > 400 ? out + l - 400 : out;
}

static int e2fsck_fix(const char *raw, const char *partition, struct unifw_error *err)
{
	char out[TOOL_OUTPUT];
	int status;
	char *argv[] = { NULL, (char *)"-fy", (char *)raw, NULL };
	int rc = run_tool("e2fsck", argv, out, &status, err);
	/* 1: errors corrected, 2: corrected, a mounted system would need a reboot (an image has none) */
	if (!rc && (status < 0 || status > 2))
		rc = unifw_error_set(err, UNIFW_E_FORMAT, partition, UNIFW_NO_OFFSET,
				     "e2fsck -fy could not repair the file system (status %d): %s", status, tail_of(out));
	return rc;
}

/* resize2fs -P: "Estimated minimum size of the filesystem: N" (blocks). */
static int resize2fs_minimum(const char *raw, const char *partition, uint64_t *blocks, struct unifw_error *err)
{
	char out[TOOL_OUTPUT];
	int status;
	char *argv[] = { NULL, (char *)"-P", (char *)raw, NULL };
	int rc = run_tool("resize2fs", argv, out, &status, err);
	if (rc)
		return rc;
	static const char key[] = "minimum size of the filesystem:";
	const char *p = strstr(out, key);
	char *end = NULL;
	unsigned long long v = 0;
	if (p) {
		errno = 0;
		v = strtoull(p + sizeof key - 1, &end, 10);
	}
	if (status != 0 || !p || end == p + sizeof key - 1 || errno)
		return unifw_error_set(err, UNIFW_E_LIBRARY, partition, UNIFW_NO_OFFSET,
				       "resize2fs -P gave no minimum size (status %d): %s", status, tail_of(out));
	*blocks = v;
	return 0;
}

static int resize2fs_to(const char *raw, const char *partition, uint64_t blocks, struct unifw_error *err)
{
	char out[TOOL_OUTPUT], count[24];
	int status;
	snprintf(count, sizeof count, "%llu", (unsigned long long)blocks);
	char *argv[] = { NULL, (char *)raw, count, NULL };
	int rc = run_tool("resize2fs", argv, out, &status, err);
	if (!rc && status != 0)
		rc = unifw_error_set(err, UNIFW_E_LIBRARY, partition, UNIFW_NO_OFFSET,
				     "resize2fs to %llu blocks failed (status %d): %s", (unsigned long long)blocks, status,
				     tail_of(out));
	return rc;
}

/* ---------------------------------------------------------------- the fit */

struct fit {
	const char *in_path, *out_path, *partition, *name; /* name: the input's file name, for messages */
	uint64_t partition_size;
	struct port_image_info info;
	struct unifw_ext4_super sb;
	char *raw;        /* the working raw copy */
	bool raw_in_tmpdir;
};

static const char *hs(uint64_t bytes, char buf[32])
{
	return unifw_human_size(bytes, buf, 32);
}

/* The first 2048 bytes of the expanded image. */
static int read_head(struct fit *f, uint8_t head[2048], struct unifw_error *err)
{
	struct unifw_stream s;
	int rc = unifw_stream_open_file(&s, f->in_path, err);
	if (rc)
		return rc;
	if (f->info.sparse) {
		struct unifw_sparse_view *v = NULL;
		rc = unifw_sparse_view_open(&s, &v, err);
		if (!rc)
			rc = unifw_sparse_view_size(v) < 2048 ? unifw_error_set(err, UNIFW_E_TRUNCATED, f->in_path, 0,
										"expands to fewer than 2048 bytes")
							      : unifw_sparse_view_pread(v, head, 2048, 0, err);
		unifw_sparse_view_close(v);
	} else {
		rc = s.size < 2048 ? unifw_error_set(err, UNIFW_E_TRUNCATED, f->in_path, 0, "fewer than 2048 bytes")
				   : s.pread(s.ctx, head, 2048, 0, err);
	}
	unifw_stream_close(&s);
	return rc;
}

static int refuse_not_ext4(const struct fit *f, struct unifw_error *err)
{
	char a[32], b[32], c[32];
	return unifw_error_set(err, UNIFW_E_TOO_BIG, f->partition, UNIFW_NO_OFFSET,
			       "%s is %s, the partition has %s: %s over; it holds no ext4 file system, so it cannot be "
			       "shrunk: choose an image made for this partition",
			       f->name, hs(f->info.expanded, a), hs(f->partition_size, b),
			       hs(f->info.expanded - f->partition_size, c));
}

/* The superblock read, and checked against the image that carries it (a hostile one can claim anything). */
static int read_super(struct fit *f, struct unifw_error *err)
{
	uint8_t head[2048];
	int rc = read_head(f, head, err);
	if (rc == UNIFW_E_TRUNCATED)
		return refuse_not_ext4(f, err);
	if (rc)
		return rc;
	if (unifw_ext4_parse_super(head, sizeof head, f->in_path, &f->sb, NULL))
		return refuse_not_ext4(f, err);
	uint64_t fs_bytes;
	if (!mul_u64(f->sb.blocks, f->sb.block_size, &fs_bytes) || fs_bytes > f->info.expanded)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, f->in_path, UNIFW_EXT4_SUPERBLOCK_OFFSET + 4,
				       "superblock says %llu blocks of %u bytes; the image has %llu bytes",
				       (unsigned long long)f->sb.blocks, f->sb.block_size,
				       (unsigned long long)f->info.expanded);
	if (f->sb.free_blocks > f->sb.blocks)
		return unifw_error_set(err, UNIFW_E_FORMAT, f->in_path, UNIFW_EXT4_SUPERBLOCK_OFFSET + 0x0C,
				       "superblock says %llu free blocks of %llu", (unsigned long long)f->sb.free_blocks,
				       (unsigned long long)f->sb.blocks);
	return 0;
}

/* The working raw copy: a sparse input expanded into TMPDIR (its output is written sparse from there); a raw
 * input copied beside out_path (renamed over it at the end). */
static int make_raw(struct fit *f, struct unifw_error *err)
{
	int fd;
	if (f->info.sparse) {
		const char *tmpdir = getenv("TMPDIR");
		if (asprintf(&f->raw, "%s/unifw-fit-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") < 0) {
			f->raw = NULL;
			return unifw_error_set(err, UNIFW_E_NOMEM, f->in_path, UNIFW_NO_OFFSET, "out of memory");
		}
		fd = mkstemp(f->raw);
		if (fd < 0) {
			int rc = unifw_error_sys(err, f->raw, "cannot create a temporary file");
			free(f->raw);
			f->raw = NULL;
			return rc;
		}
		f->raw_in_tmpdir = true;
	} else {
		fd = unifw_file_temp_beside(f->out_path, &f->raw, err);
		if (fd < 0)
			return fd;
	}
	struct unifw_stream s;
	int rc = unifw_stream_open_file(&s, f->in_path, err);
	if (!rc) {
		if (f->info.sparse) {
			rc = unifw_sparse_expand_fd(&s, fd, NULL, err);
		} else {
			int in = open(f->in_path, O_RDONLY | O_CLOEXEC);
			rc = in < 0 ? unifw_error_sys(err, f->in_path, "open") : copy_fd(in, fd, f->in_path, f->raw, err);
			if (in >= 0)
				close(in);
		}
		unifw_stream_close(&s);
	}
	if (close(fd) < 0 && !rc)
		rc = unifw_error_sys(err, f->raw, "close");
	return rc;
}

static int refuse_too_big(const struct fit *f, uint64_t need, struct unifw_error *err)
{
	char a[32], b[32], c[32], d[32], e[32];
	uint64_t data = (f->sb.blocks - f->sb.free_blocks) * (uint64_t)f->sb.block_size;
	return unifw_error_set(err, UNIFW_E_TOO_BIG, f->partition, UNIFW_NO_OFFSET,
			       "%s needs %s (its file system has %s in use), the partition has %s: %s over; remove "
			       "at least that much from the image (apps, media, unused libraries) or choose a phone or "
			       "layout whose %s partition is at least %s",
			       f->name, hs(need, a), hs(data, b), hs(f->partition_size, c), hs(need - f->partition_size, d),
			       f->partition, hs(need, e));
}

/* The facts of the working copy after e2fsck (its free counts are now exact). */
static int reread_super(struct fit *f, struct unifw_error *err)
{
	uint8_t *head = NULL;
	size_t len = 0;
	uint64_t size = 0;
	int rc = unifw_file_read_head(f->raw, 2048, &head, &len, &size, err);
	if (!rc)
		rc = unifw_ext4_parse_super(head, len, f->raw, &f->sb, err);
	free(head);
	return rc;
}

static int shrink(struct fit *f, struct unifw_port_report *rep, struct unifw_error *err)
{
	uint64_t min_blocks = 0, min_bytes, bs = f->sb.block_size;
	uint64_t target = f->partition_size / bs;
	int rc = make_raw(f, err);
	if (!rc)
		rc = e2fsck_fix(f->raw, f->partition, err);
	if (!rc)
		rc = reread_super(f, err);
	if (!rc)
		rc = resize2fs_minimum(f->raw, f->partition, &min_blocks, err);
	if (rc)
		return rc;
	if (!mul_u64(min_blocks, bs, &min_bytes) || min_blocks > target)
		return refuse_too_big(f, mul_u64(min_blocks, bs, &min_bytes) ? min_bytes : UINT64_MAX, err);
	uint64_t old_bytes = f->sb.blocks * bs, data = (f->sb.blocks - f->sb.free_blocks) * bs;
	rc = resize2fs_to(f->raw, f->partition, target, err);
	if (!rc && truncate(f->raw, (off_t)(target * bs)) < 0) /* resize2fs leaves a regular file's length */
		rc = unifw_error_sys(err, f->raw, "cannot size to %llu bytes", (unsigned long long)(target * bs));
	if (!rc && f->info.sparse) {
		struct unifw_sparse_write_opts o = { .block_size = f->info.sparse_block_size };
		rc = unifw_sparse_write_file(f->raw, f->out_path, &o, NULL, err);
	} else if (!rc) {
		int fd = open(f->raw, O_RDWR | O_CLOEXEC);
		rc = fd < 0 ? unifw_error_sys(err, f->raw, "open") : unifw_file_temp_finish(fd, f->raw, f->out_path, 0, err);
		f->raw = NULL; /* renamed (or removed) and freed by unifw_file_temp_finish */
	}
	if (rc)
		return rc;
	char a[32], b[32], c[32], d[32], e[32];
	return unifw_port_report_add(rep, f->partition, "", UNIFW_PORT_ACT_SHRUNK, "base", "",
				     "%s: its file system shrunk from %s to %s (resize2fs) to fit the partition of %s; it "
				     "has %s in use, resize2fs's minimum is %s",
				     f->name, hs(old_bytes, a), hs(target * bs, b), hs(f->partition_size, c), hs(data, d),
				     hs(min_bytes, e));
}

const char *port_base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int unifw_port_fit_image(const char *in_path, uint64_t partition_size, const char *out_path, const char *partition,
			 struct unifw_port_report *rep, struct unifw_error *err)
{
	return port_fit_named(in_path, port_base_name(in_path), partition_size, out_path, partition, rep, err);
}

int port_fit_named(const char *in_path, const char *name, uint64_t partition_size, const char *out_path,
		   const char *partition, struct unifw_port_report *rep, struct unifw_error *err)
{
	struct fit f = { .in_path = in_path, .out_path = out_path, .partition = partition ? partition : "",
			 .name = name, .partition_size = partition_size };
	int rc = port_image_probe(in_path, &f.info, err);
	if (rc)
		return rc;
	if (f.info.expanded <= partition_size)
		return port_copy_file(in_path, out_path, err);
	rc = read_super(&f, err);
	if (!rc && partition_size < f.sb.block_size)
		rc = refuse_too_big(&f, f.info.expanded, err);
	if (!rc)
		rc = shrink(&f, rep, err);
	if (f.raw) {
		unlink(f.raw);
		free(f.raw);
	}
	return rc;
}
