/* Legacy DA core on recorded transcripts, the commands after boot (docs/protocol.md "Legacy DA commands"
 * and the byte-exact notes): USB status and speed, partition switch, registers, watchdog and FINISH
 * (the command-ACK table), READ with checksum errors, WRITE padding, FORMAT progress, PMT, and the byte
 * sum. Bringing the DA up is in test_da_boot.c. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "da_script.h"
#include "unifw/da_legacy.h"

/* ---- small commands ---- */

static void usb_status_setup_switch_and_registers(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	H(&s, 0x72);
	D(&s, 0x5A, 0x00);
	assert_int_equal(run_op(da, &s, unifw_da_begin_usb_check_status(da), 1), 0);
	assert_true(unifw_da_info(da)->have_usb_speed);
	assert_int_equal(unifw_da_info(da)->usb_speed, 0);
	H(&s, 0x70, 0x01);
	D(&s, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_usb_setup_port(da, 1), 1), 0);
	H(&s, 0x60);
	D(&s, 0x5A);
	H(&s, 0x08);
	D(&s, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_switch_part(da, UNIFW_DA_PART_USER), 1), 0);
	H(&s, 0x7A, 0x10, 0x00, 0x70, 0x00);
	D(&s, 0x22, 0x00, 0x00, 0x64, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_read_reg32(da, 0x10007000), 1), 0);
	assert_int_equal(unifw_da_info(da)->reg_value, 0x22000064);
	H(&s, 0x7B, 0x10, 0x00, 0x70, 0x00, 0x22, 0x00, 0x00, 0x00);
	D(&s, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_write_reg32(da, 0x10007000, 0x22000000), 1), 0);
	H(&s, 0xDB, 0x00, 0x00, 0x0B, 0xB8, 0x01, 0x00, 0x00, 0x01);
	D(&s, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_enable_watchdog(da, 3000, true, false, false, true), 1), 0);
	H(&s, 0xD9);
	D(&s, 0x5A);
	H(&s, 0x00, 0x00, 0x00, 0x00);
	D(&s, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_finish(da, 0), 1), 0);
	assert_script_complete(&s);
	scr_free(&s);

	/* refusals */
	struct script bad = {0};
	H(&bad, 0x60);
	D(&bad, 0x5A);
	H(&bad, 0x01);
	D(&bad, 0xA5);
	assert_int_equal(run_op(da, &bad, unifw_da_begin_switch_part(da, UNIFW_DA_PART_BOOT1), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "ACK of the partition: expected 5a (ACK), found a5 (NACK)"));
	assert_int_equal(unifw_da_begin_switch_part(da, 9), UNIFW_E_INVALID);
	scr_free(&bad);
	struct script fin = {0};
	H(&fin, 0xD9);
	D(&fin, 0xBB);
	assert_int_equal(run_op(da, &fin, unifw_da_begin_finish(da, 0), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "found bb (UNKNOWN_CMD)"));
	scr_free(&fin);
	unifw_da_free(da);
}

/* Every row of the command-ACK table stops on a NACK in place of its first ACK, naming the operation
 * and the step, with nothing sent after it (the arguments of a two-ACK command stay unsent). */
static void command_ack_rows_stop_on_a_nack(void **state)
{
	(void)state;
	static const struct {
		const char *op, *step;
		uint8_t first[9];
		size_t first_len;
	} rows[] = {
		{"USB_SETUP_PORT", "ACK", {0x70, 0x01}, 2},
		{"SDMMC_SWITCH_PART", "ACK of the command", {0x60}, 1},
		{"WRITE_REG32", "ACK", {0x7B, 0x10, 0x00, 0x70, 0x00, 0x22, 0x00, 0x00, 0x00}, 9},
		{"ENABLE_WATCHDOG", "ACK", {0xDB, 0x00, 0x00, 0x0B, 0xB8, 0x01, 0x00, 0x00, 0x01}, 9},
		{"FINISH", "ACK of the command", {0xD9}, 1},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct unifw_da *da = new_da();
		struct script s = {0};
		scr_h(&s, rows[i].first, rows[i].first_len);
		D(&s, 0xA5);
		int rc;
		switch (i) {
		case 0: rc = unifw_da_begin_usb_setup_port(da, 1); break;
		case 1: rc = unifw_da_begin_switch_part(da, UNIFW_DA_PART_USER); break;
		case 2: rc = unifw_da_begin_write_reg32(da, 0x10007000, 0x22000000); break;
		case 3: rc = unifw_da_begin_enable_watchdog(da, 3000, true, false, false, true); break;
		default: rc = unifw_da_begin_finish(da, 0); break;
		}
		assert_int_equal(run_op(da, &s, rc, 1), UNIFW_E_DEVICE);
		const struct unifw_error *e = unifw_proto_error(unifw_da_proto(da));
		char want[96], text[1024];
		snprintf(want, sizeof want, "%s: expected 5a (ACK), found a5 (NACK)", rows[i].step);
		unifw_error_format(e, text, sizeof text);
		if (!strstr(text, rows[i].op) || !strstr(text, want))
			fail_msg("row %s: error '%s' lacks the operation or '%s'", rows[i].op, text, want);
		assert_script_complete(&s);
		scr_free(&s);
		unifw_da_free(da);
	}
}

/* ---- READ ---- */

static void script_read_header(struct script *s, uint64_t addr, uint64_t len, uint32_t packet)
{
	uint8_t h[23] = {0xD6, 0x0C, 0x02};
	scr_be64(h + 3, addr);
	scr_be64(h + 11, len);
	scr_be32(h + 19, packet);
	scr_h(s, h, sizeof h);
}

static void read_three_packets_verifies_each_checksum(void **state)
{
	(void)state;
	size_t len = 1300; /* 512 + 512 + 276 */
	uint8_t *disk = pattern(len, 7);
	for (int bad = 0; bad < 2; bad++) {
		struct unifw_da *da = new_da();
		struct script s = {0};
		script_read_header(&s, 0x1000, len, 512);
		D(&s, 0x5A);
		for (size_t off = 0, i = 0; off < len; off += 512, i++) {
			size_t n = len - off < 512 ? len - off : 512;
			uint16_t sum = unifw_da_bytesum(disk + off, n, 0);
			scr_d(&s, disk + off, n);
			scr_d16(&s, bad && i == 1 ? (uint16_t)(sum + 1) : sum);
			H(&s, 0x5A);
		}
		int rc = run_op(da, &s, unifw_da_begin_read(da, 2, 0x1000, len, 512), bad ? 100 : 512);
		if (!bad) {
			assert_int_equal(rc, 0);
			assert_script_complete(&s);
			assert_int_equal(s.data_steps, 3);
			assert_int_equal(s.data_len, len);
			assert_memory_equal(s.data, disk, len);
		} else {
			assert_int_equal(rc, UNIFW_E_DEVICE);
			assert_non_null(strstr(errmsg(da), "packet 2 of 3 (bytes 0x200..0x400 of the read): expected checksum"));
			assert_int_equal(s.data_steps, 1); /* only the good packet reached the caller */
			assert_int_equal(s.data_len, 512);
			assert_int_equal(s.host_sent, 23 + 1); /* the bad packet was not ACKed */
			/* the error points at the checksum field of packet 2 */
			assert_int_equal(unifw_proto_error(unifw_da_proto(da))->offset, 1 + 512 + 2 + 512);
		}
		scr_free(&s);
		unifw_da_free(da);
	}
	free(disk);
}

/* Starting another operation while a READ runs is refused before it touches the core: the READ's
 * length, buffer and packet size stay its own, and it ends as scripted. */
static void begin_while_running_leaves_the_running_op_alone(void **state)
{
	(void)state;
	size_t len = 1300;
	uint8_t *disk = pattern(len, 9);
	struct unifw_da *da = new_da();
	struct script s = {0};
	script_read_header(&s, 0x1000, len, 512);
	D(&s, 0x5A);
	for (size_t off = 0; off < len; off += 512) {
		size_t n = len - off < 512 ? len - off : 512;
		scr_d(&s, disk + off, n);
		scr_d16(&s, unifw_da_bytesum(disk + off, n, 0));
		H(&s, 0x5A);
	}
	struct unifw_proto *p = unifw_da_proto(da);
	assert_int_equal(unifw_da_begin_read(da, 2, 0x1000, len, 512), 0);
	assert_int_equal(unifw_da_begin_format(da, 2, 0, 1ull << 28), UNIFW_E_INVALID);
	assert_non_null(strstr(errmsg(da), "cannot start FORMAT while READ is still running"));
	assert_int_equal(unifw_da_begin_read(da, 2, 0, 1ull << 30, 0x100000), UNIFW_E_INVALID);
	assert_int_equal(unifw_da_begin_write(da, 2, 8, 0, 1ull << 20, 0x100000), UNIFW_E_INVALID);
	assert_int_equal(unifw_da_begin_switch_part(da, 3), UNIFW_E_INVALID);
	assert_int_equal(unifw_da_begin_write_reg32(da, 0x10007000, 1), UNIFW_E_INVALID);
	assert_int_equal(unifw_da_begin_finish(da, 1), UNIFW_E_INVALID);
	assert_int_equal(scr_run(&s, p, 512), 0);
	assert_script_complete(&s);
	assert_int_equal(s.data_len, len);
	assert_memory_equal(s.data, disk, len);
	scr_free(&s);
	unifw_da_free(da);
	free(disk);
}

static void read_refusal_reads_the_status(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	script_read_header(&s, 0, 0x200, 0x100000);
	D(&s, 0xA5);
	H(&s, 0xA5);
	D(&s, 0x0D, 0x0C, 0x00, 0x00); /* little-endian 0xC0D */
	assert_int_equal(run_op(da, &s, unifw_da_begin_read(da, 2, 0, 0x200, 0x100000), 1), UNIFW_E_DEVICE);
	assert_script_complete(&s);
	assert_int_equal(unifw_da_info(da)->read_error_status, 0xC0D);
	assert_non_null(strstr(errmsg(da), "answered a5 instead of 5a, status 0x00000c0d"));
	/* bad arguments never reach the device */
	assert_int_equal(unifw_da_begin_read(da, 2, 0, 0, 512), UNIFW_E_INVALID);
	assert_int_equal(unifw_da_begin_read(da, 2, UINT64_MAX, 2, 512), UNIFW_E_INVALID);
	assert_int_equal(unifw_da_begin_read(da, 2, 0, 512, 100), UNIFW_E_INVALID);
	assert_int_equal(unifw_da_begin_read(da, 2, 0, 512, 0x2000000), UNIFW_E_INVALID);
	scr_free(&s);
	unifw_da_free(da);
}

/* ---- WRITE ---- */

static void write_pads_to_512_and_checks_cont_char(void **state)
{
	(void)state;
	size_t len = 1000; /* wire length 1024 = 2 packets of 512 */
	uint8_t *img = pattern(len, 3);
	struct unifw_da *da = new_da();
	struct script s = {0};
	uint8_t h[23] = {0x62, 0x01, 0x08};
	scr_be64(h + 3, 0x40000);
	scr_be64(h + 11, 1024);
	scr_be32(h + 19, 512);
	scr_h(&s, h, sizeof h);
	D(&s, 0x5A);
	uint8_t pkt[512];
	for (size_t off = 0; off < 1024; off += 512) {
		memset(pkt, 0, sizeof pkt);
		memcpy(pkt, img + off, len - off < 512 ? len - off : 512);
		H(&s, 0x5A);
		scr_h(&s, pkt, 512);
		uint8_t sum[2];
		scr_be16(sum, unifw_da_bytesum(pkt, 512, 0));
		scr_h(&s, sum, 2);
		D(&s, 0x69);
	}
	s.fill_src = img;
	s.fill_len = len;
	assert_int_equal(run_op(da, &s, unifw_da_begin_write(da, 1, 8, 0x40000, len, 512), 5), 0);
	assert_script_complete(&s);
	assert_int_equal(s.fill_steps, 2);
	assert_int_equal(s.fill_sizes[0], 512);
	assert_int_equal(s.fill_sizes[1], 488); /* the caller is asked for its own bytes only */
	scr_free(&s);

	/* NACK instead of CONT_CHAR */
	struct script bad = {0};
	scr_h(&bad, h, sizeof h);
	D(&bad, 0x5A);
	memcpy(pkt, img, 512);
	H(&bad, 0x5A);
	scr_h(&bad, pkt, 512);
	uint8_t sum[2];
	scr_be16(sum, unifw_da_bytesum(pkt, 512, 0));
	scr_h(&bad, sum, 2);
	D(&bad, 0xA5);
	bad.fill_src = img;
	bad.fill_len = len;
	assert_int_equal(run_op(da, &bad, unifw_da_begin_write(da, 1, 8, 0x40000, len, 512), 5), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "packet 1 (bytes 0x0..0x200): expected 69 (CONT_CHAR), found a5"));
	scr_free(&bad);
	unifw_da_free(da);
	free(img);
}

/* ---- FORMAT ---- */

static void format_follows_progress_to_100(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	uint8_t h[21] = {0xD4, 0x02, 0x00, 0x00, 0x00};
	scr_be64(h + 5, 0x100000);
	scr_be64(h + 13, 0x800000);
	scr_h(&s, h, sizeof h);
	const uint8_t steps[] = {0, 50, 50, 100};
	for (size_t i = 0; i < sizeof steps; i++) {
		D(&s, 0x5A, 0x5A);
		scr_d32(&s, 0);
		scr_d8(&s, steps[i]);
		H(&s, 0x5A);
	}
	D(&s, 0x5A, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_format(da, 2, 0x100000, 0x800000), 2), 0);
	assert_script_complete(&s);
	assert_int_equal(unifw_da_info(da)->format_progress, 100);
	scr_free(&s);

	struct script back = {0};
	scr_h(&back, h, sizeof h);
	D(&back, 0x5A, 0x5A, 0, 0, 0, 0, 60);
	H(&back, 0x5A);
	D(&back, 0x5A, 0x5A, 0, 0, 0, 0, 20);
	assert_int_equal(run_op(da, &back, unifw_da_begin_format(da, 2, 0x100000, 0x800000), 2), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "expected a progress of 60..100 %, found 20"));
	scr_free(&back);

	struct script over = {0};
	scr_h(&over, h, sizeof h);
	D(&over, 0x5A, 0x5A, 0, 0, 0, 0, 101);
	assert_int_equal(run_op(da, &over, unifw_da_begin_format(da, 2, 0x100000, 0x800000), 2), UNIFW_E_DEVICE);
	scr_free(&over);
	unifw_da_free(da);
}

/* ---- PMT ---- */

static void read_pmt_and_a_hostile_length(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	uint8_t *pmt = pattern(0xC0, 9);
	H(&s, 0xA5);
	D(&s, 0x5A);
	scr_d32(&s, 0xC0);
	H(&s, 0x5A);
	scr_d(&s, pmt, 0xC0);
	H(&s, 0x5A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_read_pmt(da), 50), 0);
	assert_script_complete(&s);
	size_t n = 0;
	const uint8_t *got = unifw_da_pmt(da, &n);
	assert_int_equal(n, 0xC0);
	assert_memory_equal(got, pmt, 0xC0);
	scr_free(&s);

	struct script ff = {0};
	H(&ff, 0xA5);
	D(&ff, 0x5A);
	scr_d32(&ff, 0xFFFFFFFF);
	assert_int_equal(run_op(da, &ff, unifw_da_begin_read_pmt(da), 1), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(errmsg(da), "partition table length: expected a partition table of at most 262144 bytes, "
					   "found 4294967295"));
	assert_script_complete(&ff); /* no ACK was sent for the absurd length */
	unifw_da_pmt(da, &n);
	assert_int_equal(n, 0);
	scr_free(&ff);

	struct script empty = {0};
	H(&empty, 0xA5);
	D(&empty, 0x5A);
	scr_d32(&empty, 0);
	H(&empty, 0x5A, 0x5A);
	assert_int_equal(run_op(da, &empty, unifw_da_begin_read_pmt(da), 1), 0);
	assert_script_complete(&empty);
	scr_free(&empty);
	unifw_da_free(da);
	free(pmt);
}

/* The word-at-a-time byte sum equals the plain sum of bytes for every length, alignment and start value,
 * including all-0xFF data (the worst case for lane overflow) past several 128-word folds. */
static void bytesum_equals_plain_byte_sum(void **state)
{
	(void)state;
	enum { N = 5000 };
	static uint8_t buf[N + 8];
	uint32_t x = 12345;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof buf; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = pass ? 0xFF : (uint8_t)(x >> 16);
		}
		for (size_t off = 0; off < 8; off++)
			for (size_t len = 0; len <= N; len += (len < 64 ? 1 : 97)) {
				uint32_t plain = 0x1234;
				for (size_t i = 0; i < len; i++)
					plain += buf[off + i];
				assert_int_equal(unifw_da_bytesum(buf + off, len, 0x1234), (uint16_t)plain);
			}
	}
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bytesum_equals_plain_byte_sum),
		cmocka_unit_test(usb_status_setup_switch_and_registers),
		cmocka_unit_test(command_ack_rows_stop_on_a_nack),
		cmocka_unit_test(read_three_packets_verifies_each_checksum),
		cmocka_unit_test(begin_while_running_leaves_the_running_op_alone),
		cmocka_unit_test(read_refusal_reads_the_status),
		cmocka_unit_test(write_pads_to_512_and_checks_cont_char),
		cmocka_unit_test(format_follows_progress_to_100),
		cmocka_unit_test(read_pmt_and_a_hostile_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
