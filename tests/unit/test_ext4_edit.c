/* ext4 writes through libext2fs over an in-memory overlay (ext4_edit.h): images made at test time with mke2fs -d
 * and the feature set the virtual phone's factory gives USRDATA (sim/firmware/fw_fs.c), edited, the change list
 * applied to a copy, the copy checked with e2fsck -fn and read back with unifw_ext4_read_file; the base file is
 * never written. Hostile bases: truncated, journal needing recovery, bad group descriptors, failing reads. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unifw/ext4.h"
#include "unifw/ext4_edit.h"
#include "unifw/io.h"
#include "util/bytes.h"

#define FEATURES "none,has_journal,ext_attr,resize_inode,dir_index,filetype,extent,flex_bg,sparse_super,large_file," \
		 "huge_file,dir_nlink,extra_isize"

struct fixture { char *dir, *img, *copy; };

static bool run_ok(const char *cmd) { return test_run(cmd, NULL) == 0; }

/* root/nvram/APCFG/APRDEB/{WIFI,BT_Addr}, root/nvram/big (300 KB), root/nvram/md/ (empty), root/app/ */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = test_mkdtemp();
	assert_true(asprintf(&f->img, "%s/userdata.img", f->dir) > 0);
	assert_true(asprintf(&f->copy, "%s/edited.img", f->dir) > 0);
	char cmd[8192];
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && mkdir -p root/nvram/APCFG/APRDEB root/nvram/md root/app &&"
		 " head -c 512 /dev/urandom > root/nvram/APCFG/APRDEB/WIFI && head -c 64 /dev/urandom > "
		 "root/nvram/APCFG/APRDEB/BT_Addr && head -c 300000 /dev/urandom > root/nvram/big &&"
		 " chmod 0660 root/nvram/APCFG/APRDEB/WIFI &&"
		 " PATH=$PATH:/usr/sbin:/sbin mke2fs -q -F -t ext4 -b 4096 -I 256 -L userdata -O " FEATURES
		 " -E root_owner=0:0 -d root userdata.img 16M >/dev/null 2>&1 &&"
		 " PATH=$PATH:/usr/sbin:/sbin debugfs -w -R 'ea_set /nvram/APCFG/APRDEB/WIFI security.selinux "
		 "u:object_r:nvdata_file:s0' userdata.img >/dev/null 2>&1",
		 f->dir);
	if (!run_ok(cmd)) {
		print_message("SKIP: mke2fs -d / debugfs could not build the fixture image\n");
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	test_rmtree(f->dir);
	free(f->dir);
	free(f->img);
	free(f->copy);
	free(f);
	return 0;
}

static char *sha_of(const char *path)
{
	char cmd[4200], *out = NULL;
	snprintf(cmd, sizeof cmd, "sha256sum '%s' | cut -c1-64", path);
	assert_int_equal(test_run(cmd, &out), 0);
	return out;
}

/* Copy the base to f->copy and write the edit's changes into it. Returns how many bytes changed. */
static uint64_t apply(struct fixture *f, const struct unifw_ext4_edit *e)
{
	char cmd[8300];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", f->img, f->copy);
	assert_true(run_ok(cmd));
	const struct unifw_ext4_change *c;
	size_t n;
	uint64_t total = 0;
	unifw_ext4_edit_changes(e, &c, &n);
	int fd = open(f->copy, O_WRONLY);
	assert_true(fd >= 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(c[i].offset > c[i - 1].offset + c[i - 1].len); /* sorted, merged */
		assert_int_equal(pwrite(fd, c[i].data, c[i].len, (off_t)c[i].offset), (ssize_t)c[i].len);
		total += c[i].len;
	}
	close(fd);
	return total;
}

static void assert_fsck_clean(const char *img)
{
	char cmd[4200], *out = NULL;
	snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin:/sbin e2fsck -fn '%s' 2>&1", img);
	int rc = test_run(cmd, &out);
	if (rc != 0)
		print_message("e2fsck: %s\n", out ? out : "");
	assert_int_equal(rc, 0);
	free(out);
}

static void assert_file(const char *img, const char *path, const uint8_t *want, size_t len)
{
	struct unifw_stream s;
	struct unifw_ext4 *fs;
	struct unifw_error e;
	uint8_t *b = NULL;
	size_t n = 0;
	assert_int_equal(unifw_stream_open_file(&s, img, &e), 0);
	assert_int_equal(unifw_ext4_open(&s, &fs, &e), 0);
	assert_int_equal(unifw_ext4_read_file(fs, path, UNIFW_EXT4_MAX_FILE, &b, &n, &e), 0);
	assert_int_equal(n, len);
	assert_memory_equal(b, want, len);
	free(b);
	unifw_ext4_close(fs);
	unifw_stream_close(&s);
}

static struct unifw_ext4_edit *open_edit(struct fixture *f, struct unifw_stream *s)
{
	struct unifw_error e;
	struct unifw_ext4_edit *ed = NULL;
	assert_int_equal(unifw_stream_open_file(s, f->img, &e), 0);
	int rc = unifw_ext4_edit_open(s, &ed, &e);
	if (rc)
		print_message("open: %s\n", e.msg);
	assert_int_equal(rc, 0);
	return ed;
}

static uint8_t *pattern(size_t len, uint8_t seed)
{
	uint8_t *b = malloc(len ? len : 1);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seed + i * 7 + (i >> 9));
	return b;
}

/* Same size: the same inode, mode, owner and xattr; only the file's block and metadata change. */
static void replace_keeps_inode_and_xattr(void **state)
{
	struct fixture *f = *state;
	char *before = sha_of(f->img);
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_ext4_edit *ed = open_edit(f, &s);
	struct unifw_ext4_edit_stat st0, st1;
	assert_int_equal(unifw_ext4_edit_stat(ed, "/nvram/APCFG/APRDEB/WIFI", &st0, &e), 0);
	assert_int_equal(st0.kind, 'f');
	assert_int_equal(st0.mode, 0660);
	uint8_t *want = pattern(512, 3);
	assert_int_equal(unifw_ext4_edit_replace_file(ed, "/nvram/APCFG/APRDEB/WIFI", want, 512, &e), 0);
	uint8_t *b = NULL;
	size_t n = 0;
	assert_int_equal(unifw_ext4_edit_read_file(ed, "/nvram/APCFG/APRDEB/WIFI", 4096, &b, &n, &e), 0);
	assert_int_equal(n, 512);
	assert_memory_equal(b, want, 512);
	free(b);
	assert_int_equal(unifw_ext4_edit_stat(ed, "/nvram/APCFG/APRDEB/WIFI", &st1, &e), 0);
	assert_int_equal(st1.inode, st0.inode);
	assert_int_equal(st1.mode, st0.mode);
	assert_int_equal(st1.uid, st0.uid);
	assert_int_equal(unifw_ext4_edit_commit(ed, &e), 0);
	uint64_t changed = apply(f, ed);
	assert_true(changed > 0 && changed <= 64 * 1024); /* a data block, an inode, the superblock: not the image */
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	char *after = sha_of(f->img);
	assert_string_equal(before, after); /* the base is never written */
	assert_fsck_clean(f->copy);
	assert_file(f->copy, "/nvram/APCFG/APRDEB/WIFI", want, 512);
	char cmd[8300], *out = NULL;
	snprintf(cmd, sizeof cmd,
		 "PATH=$PATH:/usr/sbin:/sbin debugfs -R 'ea_get /nvram/APCFG/APRDEB/WIFI security.selinux' '%s' 2>/dev/null",
		 f->copy);
	assert_int_equal(test_run(cmd, &out), 0);
	assert_non_null(strstr(out, "nvdata_file"));
	free(out);
	free(want);
	free(before);
	free(after);
}

/* Grow a small file past one block and shrink a big one: blocks allocated and freed, e2fsck agrees. */
static void grow_and_shrink(void **state)
{
	struct fixture *f = *state;
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_ext4_edit *ed = open_edit(f, &s);
	uint8_t *big = pattern(200000, 9), *small = pattern(10, 1);
	assert_int_equal(unifw_ext4_edit_replace_file(ed, "/nvram/APCFG/APRDEB/BT_Addr", big, 200000, &e), 0);
	assert_int_equal(unifw_ext4_edit_replace_file(ed, "/nvram/big", small, 10, &e), 0);
	assert_int_equal(unifw_ext4_edit_commit(ed, &e), 0);
	apply(f, ed);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	assert_fsck_clean(f->copy);
	assert_file(f->copy, "/nvram/APCFG/APRDEB/BT_Addr", big, 200000);
	assert_file(f->copy, "/nvram/big", small, 10);
	free(big);
	free(small);
}

/* New directories and files with their mode and owner; enough names to grow a directory past one block. */
static void create_files_and_dirs(void **state)
{
	struct fixture *f = *state;
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_ext4_edit *ed = open_edit(f, &s);
	assert_int_equal(unifw_ext4_edit_mkdir(ed, "/nvram/md/NVRAM", 0771, 1000, 1001, &e), 0);
	assert_int_equal(unifw_ext4_edit_mkdir(ed, "/nvram/md/NVRAM", 0771, 1000, 1001, &e), 0); /* exists: ok */
	uint8_t *data = pattern(5000, 4);
	char path[128];
	for (int i = 0; i < 150; i++) {
		snprintf(path, sizeof path, "/nvram/md/NVRAM/file_with_a_long_name_%03d", i);
		assert_int_equal(unifw_ext4_edit_create_file(ed, path, data, (size_t)(i * 33), 0660, 1000, 1001, &e), 0);
	}
	assert_int_equal(unifw_ext4_edit_create_file(ed, "/nvram/md/NVRAM/file_with_a_long_name_000", data, 1, 0660, 0,
						     0, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_ext4_edit_create_file(ed, "/nvram/nodir/x", data, 1, 0660, 0, 0, &e), UNIFW_E_NOT_FOUND);
	assert_int_equal(unifw_ext4_edit_mkdir(ed, "/nvram/big", 0755, 0, 0, &e), UNIFW_E_INVALID);
	struct unifw_ext4_edit_stat st;
	assert_int_equal(unifw_ext4_edit_stat(ed, "/nvram/md/NVRAM/file_with_a_long_name_007", &st, &e), 0);
	assert_int_equal(st.mode, 0660);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.gid, 1001);
	assert_int_equal(st.size, 7 * 33);
	assert_int_equal(unifw_ext4_edit_stat(ed, "/nvram/md/NVRAM", &st, &e), 0);
	assert_int_equal(st.kind, 'd');
	assert_int_equal(st.mode, 0771);
	assert_int_equal(unifw_ext4_edit_commit(ed, &e), 0);
	assert_int_equal(unifw_ext4_edit_mkdir(ed, "/x", 0755, 0, 0, &e), UNIFW_E_INVALID); /* committed */
	apply(f, ed);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	assert_fsck_clean(f->copy);
	assert_file(f->copy, "/nvram/md/NVRAM/file_with_a_long_name_149", data, 149 * 33);
	assert_file(f->copy, "/nvram/md/NVRAM/file_with_a_long_name_000", data, 0);
	free(data);
}

/* Nothing edited, nothing to write; the same contents written back change nothing either. */
static void no_edit_no_changes(void **state)
{
	struct fixture *f = *state;
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_ext4_edit *ed = open_edit(f, &s);
	assert_int_equal(unifw_ext4_edit_commit(ed, &e), 0);
	const struct unifw_ext4_change *c;
	size_t n = 1;
	unifw_ext4_edit_changes(ed, &c, &n);
	assert_int_equal(n, 0);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
}

/* The base bytes are the overlay's edited bytes before the changes exist only in memory: a committed edit
 * whose changes are written back, opened again and edited again, stays consistent. */
static void edit_twice(void **state)
{
	struct fixture *f = *state;
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_ext4_edit *ed = open_edit(f, &s);
	uint8_t *a = pattern(3000, 5);
	assert_int_equal(unifw_ext4_edit_create_file(ed, "/app/a", a, 3000, 0644, 0, 0, &e), 0);
	assert_int_equal(unifw_ext4_edit_commit(ed, &e), 0);
	apply(f, ed);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	char cmd[8300];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.2' && mv '%s.2' '%s'", f->copy, f->img, f->img, f->img);
	assert_true(run_ok(cmd));
	ed = open_edit(f, &s);
	assert_int_equal(unifw_ext4_edit_replace_file(ed, "/app/a", a + 1000, 100, &e), 0);
	assert_int_equal(unifw_ext4_edit_commit(ed, &e), 0);
	apply(f, ed);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	assert_fsck_clean(f->copy);
	assert_file(f->copy, "/app/a", a + 1000, 100);
	free(a);
}

/* The host's mke2fs defaults (metadata_csum, 64bit, ...): libext2fs keeps the checksums right through the
 * overlay too. */
static void default_features_image(void **state)
{
	struct fixture *f = *state;
	char cmd[8300];
	snprintf(cmd, sizeof cmd, "cd '%s' && PATH=$PATH:/usr/sbin:/sbin mke2fs -q -F -t ext4 -d root userdata.img 16M "
		 ">/dev/null 2>&1", f->dir);
	assert_true(run_ok(cmd));
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_ext4_edit *ed = open_edit(f, &s);
	uint8_t *a = pattern(9000, 6), *b = pattern(700, 8);
	assert_int_equal(unifw_ext4_edit_replace_file(ed, "/nvram/APCFG/APRDEB/WIFI", a, 9000, &e), 0);
	assert_int_equal(unifw_ext4_edit_mkdir(ed, "/nvram/md", 0771, 0, 1000, &e), 0);
	assert_int_equal(unifw_ext4_edit_mkdir(ed, "/nvram/md/NVRAM", 0771, 0, 1000, &e), 0);
	assert_int_equal(unifw_ext4_edit_create_file(ed, "/nvram/md/NVRAM/x", b, 700, 0660, 0, 1000, &e), 0);
	assert_int_equal(unifw_ext4_edit_commit(ed, &e), 0);
	apply(f, ed);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	assert_fsck_clean(f->copy);
	assert_file(f->copy, "/nvram/APCFG/APRDEB/WIFI", a, 9000);
	assert_file(f->copy, "/nvram/md/NVRAM/x", b, 700);
	free(a);
	free(b);
}

/* ---- hostile bases ---- */

static int open_mem(uint8_t *b, size_t len, struct unifw_error *e)
{
	struct unifw_stream s;
	struct unifw_ext4_edit *ed = NULL;
	unifw_stream_from_mem(&s, b, len, "base");
	int rc = unifw_ext4_edit_open(&s, &ed, e);
	unifw_ext4_edit_free(ed);
	unifw_stream_close(&s);
	return rc;
}

static void hostile_bases_refused(void **state)
{
	struct fixture *f = *state;
	size_t len = 0;
	uint8_t *b = test_read_file(f->img, &len);
	struct unifw_error e;
	/* garbage */
	uint8_t junk[4096] = { 0 };
	assert_int_equal(open_mem(junk, sizeof junk, &e), UNIFW_E_FORMAT);
	/* shorter than its superblock says */
	assert_int_equal(open_mem(b, len / 2, &e), UNIFW_E_TRUNCATED);
	assert_non_null(strstr(e.msg, "superblock says"));
	/* journal needs recovery */
	uint32_t inc = 0;
	get_le32(b, len, 1024 + 0x60, &inc);
	put_le32(b + 1024 + 0x60, inc | 0x4);
	assert_int_equal(open_mem(b, len, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "needs recovery"));
	put_le32(b + 1024 + 0x60, inc);
	/* the first group descriptor's block bitmap far outside the file system */
	uint8_t save[4];
	memcpy(save, b + 4096, 4);
	put_le32(b + 4096, 0x7FFFFFF0u);
	assert_true(open_mem(b, len, &e) < 0);
	memcpy(b + 4096, save, 4);
	assert_int_equal(open_mem(b, len, &e), 0);
	free(b);
}

/* A base whose reads fail past the superblock: the failure comes back with the base's own words. */
struct failing { const uint8_t *b; size_t len; };
static int failing_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct failing *fl = ctx;
	if (off >= 8192)
		return unifw_error_set(err, UNIFW_E_IO, "phone USRDATA", off, "the phone stopped answering");
	memcpy(buf, fl->b + off, len);
	return 0;
}

static void base_read_failure_is_reported(void **state)
{
	struct fixture *f = *state;
	size_t len = 0;
	uint8_t *b = test_read_file(f->img, &len);
	struct failing fl = { b, len };
	struct unifw_stream s = { .pread = failing_pread, .ctx = &fl, .size = len, .name = "phone USRDATA" };
	struct unifw_ext4_edit *ed = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_true(unifw_ext4_edit_open(&s, &ed, &e) < 0);
	assert_non_null(strstr(e.msg, "stopped answering"));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(replace_keeps_inode_and_xattr, setup, teardown),
		cmocka_unit_test_setup_teardown(grow_and_shrink, setup, teardown),
		cmocka_unit_test_setup_teardown(create_files_and_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(no_edit_no_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(edit_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(default_features_image, setup, teardown),
		cmocka_unit_test_setup_teardown(hostile_bases_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(base_read_failure_is_reported, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
