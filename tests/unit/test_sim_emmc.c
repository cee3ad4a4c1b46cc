/* unifw-sim eMMC image backend: sparse creation, partition bounds, reopen, footer validation. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "device/emmc.h"

static void small_geometry(struct sim_emmc_geometry *g)
{
	sim_emmc_default_geometry(g);
	g->size[SIM_PART_BOOT1] = 1u << 20;
	g->size[SIM_PART_BOOT2] = 1u << 20;
	g->size[SIM_PART_RPMB] = 512u << 10;
	g->size[SIM_PART_USER] = 256u << 20;
}

static char *tmpfile_in(const char *dir, const char *name)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static void test_default_geometry(void **state)
{
	(void)state;
	struct sim_emmc_geometry g;
	sim_emmc_default_geometry(&g);
	assert_int_equal(sim_emmc_check_geometry(&g, NULL), 0);
	/* boot region 0xC00000 = one of the MBR linear addresses MT6572 scatters use */
	assert_int_equal(g.size[SIM_PART_BOOT1] + g.size[SIM_PART_BOOT2] + g.size[SIM_PART_RPMB], 0xC00000);
	assert_memory_equal(g.cid, "\x15\x01\x00N5U00M", 9); /* Samsung KMN5U000ZM as in the A516 EMI table */
	assert_int_equal(g.cid[15] & 1, 1);                 /* CID ends with CRC7 and the stop bit */
	/* CRC7 over the first 15 bytes, recomputed bit by bit */
	uint8_t crc = 0;
	for (int i = 0; i < 15; i++)
		for (int b = 7; b >= 0; b--) {
			int fb = ((g.cid[i] >> b) & 1) ^ ((crc >> 6) & 1);
			crc = (uint8_t)((crc << 1) & 0x7F);
			if (fb)
				crc ^= 0x09;
		}
	assert_int_equal(g.cid[15] >> 1, crc);
}

static void test_create_sparse_and_io(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), *path = tmpfile_in(dir, "e.img");
	struct sim_emmc_geometry g;
	small_geometry(&g);
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_emmc_create(path, &g, &e, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	uint64_t expect = (2u << 20) + (512u << 10) + (256u << 20) + SIM_EMMC_FOOTER_LEN;
	assert_int_equal((uint64_t)st.st_size, expect);
	assert_true((uint64_t)st.st_blocks * 512 < 1u << 20); /* sparse: only the footer holds blocks */
	/* partitions back to back: boot1, boot2, rpmb, user */
	assert_int_equal(sim_emmc_part_offset(e, SIM_PART_BOOT2), 1u << 20);
	assert_int_equal(sim_emmc_part_offset(e, SIM_PART_USER), (2u << 20) + (512u << 10));
	uint8_t buf[4096], back[4096];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 13);
	assert_int_equal(sim_emmc_write(e, SIM_PART_USER, 0x100000, buf, sizeof buf, &err), 0);
	assert_int_equal(sim_emmc_write(e, SIM_PART_BOOT1, 0, buf, 512, &err), 0);
	assert_int_equal(sim_emmc_read(e, SIM_PART_USER, 0x100000, back, sizeof back, &err), 0);
	assert_memory_equal(back, buf, sizeof buf);
	/* the bytes sit at partition offset + address in the file */
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, back, 512, (off_t)(sim_emmc_part_offset(e, SIM_PART_USER) + 0x100000)), 512);
	assert_memory_equal(back, buf, 512);
	close(fd);
	/* bounds */
	assert_int_equal(sim_emmc_read(e, SIM_PART_BOOT1, (1u << 20) - 100, back, 200, &err), UNIFW_E_INVALID);
	assert_int_equal(err.offset, (1u << 20) - 100);
	assert_non_null(strstr(err.msg, "partition 1"));
	assert_int_equal(sim_emmc_write(e, SIM_PART_USER, UINT64_MAX - 10, buf, 100, &err), UNIFW_E_INVALID);
	assert_int_equal(sim_emmc_read(e, SIM_PART_GP1, 0, back, 1, &err), UNIFW_E_INVALID);
	assert_int_equal(sim_emmc_read(e, 9, 0, back, 1, &err), UNIFW_E_INVALID);
	/* erase reads back as zeros and does not touch neighbours */
	assert_int_equal(sim_emmc_erase(e, SIM_PART_USER, 0x100200, 1024, &err), 0);
	assert_int_equal(sim_emmc_read(e, SIM_PART_USER, 0x100000, back, sizeof back, &err), 0);
	assert_memory_equal(back, buf, 512);
	for (size_t i = 512; i < 1536; i++)
		assert_int_equal(back[i], 0);
	assert_memory_equal(back + 1536, buf + 1536, sizeof buf - 1536);
	sim_emmc_close(e);
	/* creating over an existing file is refused */
	assert_int_not_equal(sim_emmc_create(path, &g, &e, &err), 0);
	/* reopen: geometry and data come back */
	assert_int_equal(sim_emmc_open(path, &e, &err), 0);
	assert_memory_equal(sim_emmc_geometry(e), &g, sizeof g);
	assert_int_equal(sim_emmc_read(e, SIM_PART_BOOT1, 0, back, 512, &err), 0);
	assert_memory_equal(back, buf, 512);
	struct sim_storage s = sim_emmc_storage(e);
	assert_int_equal(s.read(s.ctx, SIM_PART_USER, 0x100000, back, 16), 0);
	assert_memory_equal(back, buf, 16);
	assert_int_not_equal(s.write(s.ctx, SIM_PART_RPMB, 512u << 10, buf, 1), 0);
	sim_emmc_close(e);
	free(path);
	test_rmtree(dir);
	free(dir);
}

static void test_footer_damage(void **state)
{
	(void)state;
	struct sim_emmc_geometry g, out;
	small_geometry(&g);
	uint8_t f[SIM_EMMC_FOOTER_LEN];
	struct unifw_error err = { 0 };
	sim_emmc_footer_encode(&g, f);
	assert_int_equal(sim_emmc_footer_decode(f, sizeof f, &out, "x.img", 1000, &err), 0);
	assert_memory_equal(&out, &g, sizeof g);
	/* truncated */
	assert_int_equal(sim_emmc_footer_decode(f, 100, &out, "x.img", 1000, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, 1000);
	/* bad magic */
	uint8_t bad[SIM_EMMC_FOOTER_LEN];
	memcpy(bad, f, sizeof f);
	bad[0] ^= 1;
	assert_int_equal(sim_emmc_footer_decode(bad, sizeof bad, &out, "x.img", 1000, &err), UNIFW_E_FORMAT);
	assert_string_equal(err.where, "x.img");
	/* a flipped size: the CRC catches it and names its offset */
	memcpy(bad, f, sizeof f);
	bad[0x18] ^= 0x80;
	assert_int_equal(sim_emmc_footer_decode(bad, sizeof bad, &out, "x.img", 1000, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 1000 + 0x70);
	/* a consistent footer with an absurd size is still refused */
	struct sim_emmc_geometry huge = g;
	huge.size[SIM_PART_USER] = UINT64_C(1) << 50;
	sim_emmc_footer_encode(&huge, bad);
	assert_int_equal(sim_emmc_footer_decode(bad, sizeof bad, &out, "x.img", 1000, &err), UNIFW_E_TOO_BIG);
	struct sim_emmc_geometry odd = g;
	odd.size[SIM_PART_BOOT1] = 1000;
	assert_int_equal(sim_emmc_check_geometry(&odd, &err), UNIFW_E_INVALID);
	odd = g;
	odd.size[SIM_PART_USER] = 0;
	assert_int_equal(sim_emmc_check_geometry(&odd, &err), UNIFW_E_INVALID);
}

static void test_open_rejects(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), *path = tmpfile_in(dir, "e.img");
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	/* a file that is not an image */
	test_write_file(path, "hello", 5);
	assert_int_equal(sim_emmc_open(path, &e, &err), UNIFW_E_TRUNCATED);
	static uint8_t junk[8192];
	test_write_file(path, junk, sizeof junk);
	assert_int_equal(sim_emmc_open(path, &e, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, sizeof junk - SIM_EMMC_FOOTER_LEN);
	/* an image whose file was cut short: footer and size disagree */
	unlink(path);
	struct sim_emmc_geometry g;
	small_geometry(&g);
	assert_int_equal(sim_emmc_create(path, &g, &e, &err), 0);
	sim_emmc_close(e);
	uint8_t footer[SIM_EMMC_FOOTER_LEN];
	sim_emmc_footer_encode(&g, footer);
	char *cut = tmpfile_in(dir, "cut.img");
	int fd = open(cut, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1u << 20), 0);
	assert_int_equal(pwrite(fd, footer, sizeof footer, 1u << 20), (ssize_t)sizeof footer);
	close(fd);
	assert_int_equal(sim_emmc_open(cut, &e, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "footer describes"));
	assert_int_not_equal(sim_emmc_open("/nonexistent/e.img", &e, &err), 0);
	free(cut);
	free(path);
	test_rmtree(dir);
	free(dir);
}

static void test_temp_image(void **state)
{
	(void)state;
	struct sim_emmc_geometry g;
	small_geometry(&g);
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_emmc_create_temp(&g, &e, &err), 0);
	assert_string_equal(sim_emmc_path(e), "(temporary)");
	uint8_t v = 0x5A, back = 0;
	assert_int_equal(sim_emmc_write(e, SIM_PART_USER, (256u << 20) - 1, &v, 1, &err), 0);
	assert_int_equal(sim_emmc_read(e, SIM_PART_USER, (256u << 20) - 1, &back, 1, &err), 0);
	assert_int_equal(back, 0x5A);
	sim_emmc_close(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_geometry),
		cmocka_unit_test(test_create_sparse_and_io),
		cmocka_unit_test(test_footer_damage),
		cmocka_unit_test(test_open_rejects),
		cmocka_unit_test(test_temp_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
