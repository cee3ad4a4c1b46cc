/* Transcript test: a small client written from docs/protocol.md alone (sim_raw_client.c) drives the
 * real unifw-sim binary over a Unix socket, one step at a time, and checks every reply.
 * The client shares no code with the simulator: raw bytes, its own checksums, its own parsing.
 * The DA stages come from the container `unifw-sim make-da` writes (selected and cut with the
 * project's DA-file reader, as a host does); the BROM-mode EMI entries from real corpus preloaders
 * (read with the project's EMI parser). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim_raw_client.h"

/* ---------- the transcripts ---------- */

static const uint8_t a516_cid[16] = { 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x10, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBD };

static void test_preloader_transcript(void **state)
{
	(void)state;
	struct da_stages da;
	da_from_container(0x6572, &da);
	struct sim s;
	char hook[1024];
	const char *extra[] = { "--mode", "preloader", "--emmc-size", "64M", "--boot-size", "1M", "--rpmb-size",
				"512K", "--cid", "1501004E355530304D10123456789ABD", "--on-finish", hook, NULL };
	snprintf(hook, sizeof hook, "echo \"$UNIFW_SIM_FINISH_MODE $UNIFW_SIM_EMMC\" > \"$(dirname \"$UNIFW_SIM_EMMC\")/finish.txt\"");
	sim_start(&s, extra);
	const struct geom g = { 1u << 20, 1u << 20, 512u << 10, 64u << 20,
				{ 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x10, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBD } };
	int fd = cl_connect(&s);
	/* the preloader drops the first chunk that starts with A0 unanswered (its 20 ms poll) */
	uint8_t r;
	wr8(fd, 0xA0);
	assert_false(rd8_within(fd, 100, &r));
	/* strictness next: a wrong handshake byte is not acknowledged */
	wr8(fd, 0xA0);
	assert_int_equal(rd8(fd), 0x5F);
	wr8(fd, 0xA0);
	assert_int_not_equal(rd8(fd), 0xF5);
	handshake(fd);
	identify(fd, false);
	disable_watchdog(fd);
	assert_true(start_da1(fd, &da));
	report1(fd, g.cid);
	stage2_config(fd);
	assert_int_equal(rd32(fd), 0); /* DRAM already up in preloader mode */
	upload_da2(fd, da.da2, da.l2);
	report2(fd, &g);
	/* full speed: the host asks for high speed and the DA re-enumerates */
	assert_int_equal(usb_check(fd), 0);
	wr8(fd, 0x70);
	wr8(fd, 0x01);
	assert_int_equal(rd8(fd), 0x5A);
	assert_true(eof_within(fd, WAIT_MS));
	close(fd);
	fd = cl_connect(&s);
	assert_int_equal(usb_check(fd), 1); /* no handshake: still the DA */
	switch_part(fd, 8);
	size_t n = 0x100000 + 0x2345;
	uint8_t *data = malloc(n), *back = malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 31 + (i >> 9));
	write_data(fd, 8, 0x400000, data, n);
	read_data(fd, 0x400000, back, n);
	assert_memory_equal(back, data, n);
	/* format part of it */
	format_range(fd, 0x400000, 0x10000);
	read_data(fd, 0x400000, back, 0x10200);
	for (size_t i = 0; i < 0x10000; i++)
		assert_int_equal(back[i], 0);
	assert_memory_equal(back + 0x10000, data + 0x10000, 0x200);
	/* a PMT where docs/format-partition-tables.md places it, read back with READ_PMT */
	static uint8_t pmt[0x1000];
	memcpy(pmt, "PTv1", 4);
	memcpy(pmt + 4, "1.0", 4);
	const char *names[] = { "PRELOADER", "MBR", "EBR1", "PRO_INFO" };
	for (int i = 0; i < 4; i++) {
		memcpy(pmt + 8 + i * 0x58, names[i], strlen(names[i]));
		pmt[8 + i * 0x58 + 0x40 + 2] = (uint8_t)(i + 1); /* size LE */
	}
	memcpy(pmt + 0x1000 - 4, "PTv1", 4);
	write_data(fd, 8, (64u << 20) - 0x100000, pmt, sizeof pmt);
	wr8(fd, 0xA5);
	assert_int_equal(rd8(fd), 0x5A);
	uint32_t plen = rd32(fd);
	assert_int_equal(plen, 40 * 0x58);
	wr8(fd, 0x5A);
	static uint8_t entries[40 * 0x58];
	rd(fd, entries, plen);
	wr8(fd, 0x5A);
	assert_memory_equal(entries, pmt + 8, plen);
	/* an out-of-range read is refused, with the reason on request */
	wr8(fd, 0xD6);
	wr8(fd, 0x0C);
	wr8(fd, 2);
	wr64(fd, 64u << 20);
	wr64(fd, 512);
	wr32(fd, 0x100000);
	assert_int_equal(rd8(fd), 0xA5);
	wr8(fd, 0xA5);
	uint8_t st[4];
	rd(fd, st, 4);
	assert_int_equal(st[0] | st[1] << 8 | st[2] << 16 | (uint32_t)st[3] << 24, 0xBE0);
	finish(fd);
	close(fd);
	assert_int_equal(sim_stop(&s, true), 0);
	/* the image on disk holds the data at boot1 + boot2 + rpmb + address */
	size_t ilen;
	uint8_t *img = test_read_file(s.emmc, &ilen);
	assert_non_null(img);
	uint64_t user = g.boot1 + g.boot2 + g.rpmb;
	assert_int_equal(ilen, user + g.user + 4096);
	assert_memory_equal(img + user + 0x410000, data + 0x10000, n - 0x10000);
	free(img);
	/* the FINISH hook ran with the mode and the image path; the trace saw every step */
	char path[1024];
	snprintf(path, sizeof path, "%s/finish.txt", s.dir);
	assert_true(file_contains(path, "0 "));
	assert_true(file_contains(path, s.emmc));
	assert_true(file_contains(s.log, "reboot requested"));
	assert_true(file_contains(s.trace, "handshake complete"));
	assert_true(file_contains(s.trace, "watchdog disabled"));
	assert_true(file_contains(s.trace, "SEND_DA addr=0x02007000"));
	assert_true(file_contains(s.trace, "report 2"));
	assert_true(file_contains(s.trace, "re-enumerat"));
	assert_true(file_contains(s.trace, "FINISH mode=0"));
	free(data);
	free(back);
	free(da.da1);
	free(da.da2);
	sim_cleanup(&s);
}

/* BROM mode: the DA needs the EMI settings of the phone's memory part, taken from a real
 * MT6572 preloader that lists six parts. */
static void brom_run(const char *cid_hex, const uint8_t cid[16], bool pick_matching, bool expect_ok)
{
	struct da_stages da;
	da_from_container(0x6572, &da);
	size_t pl_len;
	uint8_t *pl = corpus_read("preloader/mt6572_mobiwire_s10_preloader_emmcboot.bin", &pl_len);
	static struct unifw_emi_table t;
	struct unifw_error err = { 0 };
	uint64_t tag = unifw_emi_find_tag(pl, pl_len, 0);
	assert_true(tag != UINT64_MAX);
	assert_int_equal(unifw_emi_parse(pl, pl_len, tag, "mobiwire preloader", &t, &err), 0);
	assert_int_equal(t.count, 6);
	struct sim s;
	const char *extra[] = { "--mode", "brom", "--emmc-size", "32M", "--cid", cid_hex, NULL };
	sim_start(&s, extra);
	int fd = cl_connect(&s);
	handshake(fd);
	identify(fd, true);
	disable_watchdog(fd);
	assert_true(start_da1(fd, &da));
	report1(fd, cid);
	stage2_config(fd);
	uint32_t ret = emi_exchange(fd, pl, &t, pick_matching, cid);
	if (expect_ok) {
		assert_int_equal(ret, 0);
		upload_da2(fd, da.da2, da.l2);
		const struct geom g = { 4u << 20, 4u << 20, 4u << 20, 32u << 20, { 0 } };
		struct geom gc = g;
		memcpy(gc.cid, cid, 16);
		report2(fd, &gc);
		finish(fd);
		assert_int_equal(sim_stop(&s, true), 0);
		assert_true(file_contains(s.trace, "matches the memory part"));
	} else {
		assert_int_not_equal(ret, 0); /* S_FT_ENABLE_DRAM_FAIL territory */
		uint8_t b;
		wr32(fd, 0x80000000); /* a DA2 header gets no answer: the DA stopped */
		assert_int_equal(rd_within(fd, &b, 1, 500), 0);
		sim_stop(&s, false);
		assert_true(file_contains(s.trace, "does not match this phone's memory part"));
	}
	close(fd);
	free(pl);
	free(da.da1);
	free(da.da2);
	sim_cleanup(&s);
}

static void test_brom_emi_match(void **state)
{
	(void)state;
	/* Samsung "JZMB" (15 01 00 4E 4A 32 5A 4D 42), the third entry of the Mobiwire S10 table */
	static const uint8_t cid[16] = { 0x15, 0x01, 0x00, 'N', 'J', '2', 'Z', 'M', 'B', 0x10, 1, 2, 3, 4, 0x5A, 0x01 };
	brom_run("1501004E4A325A4D4210010203045A01", cid, true, true);
}

static void test_brom_emi_mismatch(void **state)
{
	(void)state;
	/* the A516's part is not in the Mobiwire table; a sloppy host sends the first entry anyway */
	brom_run("1501004E355530304D10123456789ABD", a516_cid, false, false);
}

static void test_foreign_da_no_sync(void **state)
{
	(void)state;
	struct da_stages da;
	da_from_container(0x6580, &da); /* the host took the wrong entry */
	struct sim s;
	const char *extra[] = { "--mode", "brom", "--emmc-size", "16M", NULL };
	sim_start(&s, extra);
	int fd = cl_connect(&s);
	handshake(fd);
	assert_false(start_da1(fd, &da)); /* JUMP_DA status 0, then silence */
	close(fd);
	sim_stop(&s, false);
	assert_true(file_contains(s.trace, "0x6580"));
	free(da.da1);
	free(da.da2);
	sim_cleanup(&s);
}

static void test_preloader_window_closes(void **state)
{
	(void)state;
	struct sim s;
	const char *extra[] = { "--preloader-window", "300", "--emmc-size", "16M", NULL };
	sim_start(&s, extra);
	int fd = cl_connect(&s);
	assert_true(eof_within(fd, WAIT_MS)); /* nobody said A0: the preloader booted on */
	close(fd);
	fd = cl_connect(&s); /* replug: a new window; this time in time */
	handshake(fd);
	sleep_ms(500);
	echo(fd, 0xFD);
	assert_int_equal(rd32(fd), 0x65720000);
	close(fd);
	sim_stop(&s, false);
	assert_true(file_contains(s.log, "preloader window"));
	sim_cleanup(&s);
}

/* --link usb1 paces readback to about 1 MB/s: 512 KiB take about half a second */
static void test_link_usb1_paces(void **state)
{
	(void)state;
	struct da_stages da;
	da_from_container(0x6572, &da);
	struct sim s;
	const char *extra[] = { "--link", "usb1", "--emmc-size", "16M", "--cid", "1501004E355530304D10123456789ABD", NULL };
	sim_start(&s, extra);
	int fd = cl_connect(&s);
	handshake(fd);
	assert_true(start_da1(fd, &da));
	report1(fd, a516_cid);
	stage2_config(fd);
	assert_int_equal(rd32(fd), 0);
	upload_da2(fd, da.da2, da.l2);
	const struct geom g = { 4u << 20, 4u << 20, 4u << 20, 16u << 20,
				{ 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x10, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBD } };
	report2(fd, &g);
	static uint8_t buf[512 << 10];
	uint64_t t0 = unifw_mono_ms();
	read_data(fd, 0, buf, sizeof buf);
	uint64_t ms = unifw_mono_ms() - t0;
	assert_true(ms >= 450);
	assert_true(ms < 5000);
	close(fd);
	sim_stop(&s, false);
	free(da.da1);
	free(da.da2);
	sim_cleanup(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preloader_transcript),
		cmocka_unit_test(test_brom_emi_match),
		cmocka_unit_test(test_brom_emi_mismatch),
		cmocka_unit_test(test_foreign_da_no_sync),
		cmocka_unit_test(test_preloader_window_closes),
		cmocka_unit_test(test_link_usb1_paces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
