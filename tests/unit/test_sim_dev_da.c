/* unifw-sim device core, sans-io: the DA (booting it from BROM and preloader, the EMI step, stage 2,
 * reads, writes, format, USB re-enumeration), checked against docs/protocol.md. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_dev_client.h"

/* ---------- DA ---------- */

static void test_da_preloader_boot(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	tx1(h, 0x72);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_u8(h), 0);
	tx1(h, 0x77); /* unknown DA command */
	assert_int_equal(rx_u8(h), 0xBB);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "da");
	assert_true(info.dram_ready);
	h_free(h);
}

static void test_da_brom_emi(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	boot_to_da(h, true);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_true(info.dram_ready);
	h_free(h);
}

static void brom_to_emi(struct h *h)
{
	size_t l1;
	uint8_t *da1 = sim_dablob_build(1, 0x6572, 0xCA00, &l1);
	handshake(h);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, da1, (uint32_t)l1, SIM_DA_SIG_LEN), 0);
	assert_int_equal(jump_da(h, SIM_DA1_ADDR), 0);
	uint8_t r[1 + 40 + 3];
	rx_n(h, r, 41);
	tx1(h, 0x5A);
	rx_n(h, r, 3);
	stage2_config(h);
	free(da1);
}

static void test_emi_mismatch_fails(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	brom_to_emi(h);
	uint8_t e[SIM_EMI_ENTRY_LEN];
	static const uint8_t hynix[9] = { 0x90, 0x01, 0x4A, 'H', '8', 'G', '1', 'e', 0 };
	emi_entry(e, hynix, 9);
	assert_int_equal(emi_step(h, e), SIM_DA_SETUP_DRAM_FAIL);
	rx_none(h);
	tx_be32(h, SIM_DA2_ADDR); /* the DA stopped: a DA2 header gets nothing */
	rx_none(h);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_false(info.dram_ready);
	assert_string_equal(info.state, "hung");
	h_free(h);

	/* an unsupported EMI version is refused with NACK */
	struct h *v = mk(SIM_MODE_BROM, NULL);
	brom_to_emi(v);
	uint8_t buf[64];
	rx_n(v, buf, 4 + 4 + 16 + 4 + 2 + 14);
	tx1(v, 0xE8);
	tx_be32(v, 0xFFFFFFFF);
	assert_int_equal(rx_u8(v), 0xA5);
	rx_none(v);
	h_free(v);
}

static void test_da2_rules(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	brom_to_emi(h);
	assert_int_equal(rx_be32(h), 0);
	tx_be32(h, 0x40000000); /* not DRAM */
	tx_be32(h, 0x100);
	tx_be32(h, 0x1000);
	assert_int_equal(rx_u8(h), 0xA5);
	h_free(h);

	struct h *f = mk(SIM_MODE_PRELOADER, NULL);
	brom_to_emi(f);
	assert_int_equal(rx_be32(f), 0);
	size_t len;
	uint8_t *da2 = sim_dablob_build(2, 0x6580, 0xCA00, &len); /* a DA2 for another chip */
	upload_da2(f, da2, (uint32_t)len);
	rx_none(f);
	free(da2);
	h_free(f);
}

static void test_write_read_back(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	size_t n = 0x180000 + 100; /* two packets, the last one not sector-sized */
	uint8_t *data = malloc(n), *back = malloc(n);
	uint64_t seed = 3;
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)sim_rng_next(&seed);
	assert_int_equal(da_write(h, SIM_PART_USER, 0x200, data, n, 0x100000), 0x69);
	assert_int_equal(da_read(h, 0x200, back, n, 0x100000), 0);
	assert_memory_equal(back, data, n);
	assert_memory_equal(sim_memstore_part(h->ms, SIM_PART_USER) + 0x200, data, n);
	assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0x200 + n], 0); /* padding not written */
	/* boot1 through SWITCH_PART; packet size chosen by the host */
	tx1(h, 0x60);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, SIM_PART_BOOT1);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(da_write(h, SIM_PART_BOOT1, 0, data, 4096, 0x1000), 0x69);
	assert_int_equal(da_read(h, 0, back, 4096, 0x400), 0);
	assert_memory_equal(back, data, 4096);
	assert_memory_equal(sim_memstore_part(h->ms, SIM_PART_BOOT1), data, 4096);
	free(data);
	free(back);
	h_free(h);
}

static void test_da_strictness(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	uint8_t buf[1024] = { 1, 2, 3 };
	/* out of range read: NACK, status 0xBE0 (u32 LE) on the host's NACK */
	assert_int_equal(da_read(h, USER_SIZE - 512, buf, 1024, 0x100000), SIM_DA_INVALID_RANGE);
	assert_int_equal(da_read(h, UINT64_MAX - 10, buf, 512, 0x100000), SIM_DA_INVALID_RANGE);
	assert_int_equal(da_read(h, 0, buf, 0, 0x100000), SIM_DA_INVALID_RANGE);
	assert_int_equal(da_read(h, 0, buf, 512, 0), SIM_DA_INVALID_RANGE);
	/* write past the partition, unaligned, to RPMB, wrong storage */
	assert_int_equal(da_write(h, SIM_PART_USER, USER_SIZE, buf, 512, 0x100000), 0xA5);
	tx1(h, 0xA5);
	rx_n(h, buf, 4);
	assert_int_equal(da_write(h, SIM_PART_USER, 100, buf, 512, 0x100000), 0xA5);
	tx1(h, 0xA5);
	uint8_t st[4];
	rx_n(h, st, 4);
	assert_int_equal(st[0] | st[1] << 8, SIM_DA_INVALID_BEGIN_ADDR);
	assert_int_equal(da_write(h, SIM_PART_RPMB, 0, buf, 512, 0x100000), 0xA5);
	tx1(h, 0x72); /* the host moves on instead of asking: the byte is its next command */
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_u8(h), 0);
	/* bad checksum: NACK, nothing written, status 0xBF9 */
	memset(buf, 0xEE, 512);
	da_header(h, 0x62, 1, SIM_PART_USER, 0, 512, 0x100000);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, 0x5A);
	tx(h, buf, 512);
	tx(h, "\x12\x34", 2);
	assert_int_equal(nack_status(h), SIM_DA_UART_DATA_CKSUM_ERROR);
	assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0], 0);
	/* SWITCH_PART to an absent GP partition */
	tx1(h, 0x60);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, 5);
	assert_int_equal(nack_status(h), SIM_DA_INVALID_RANGE);
	/* a READ header naming NAND storage */
	da_header(h, 0xD6, 0x0C, 1, 0, 512, 0x1000);
	assert_int_equal(nack_status(h), SIM_DA_INVALID_STORAGE_TYPE);
	/* a host that NACKs a read packet aborts the transfer */
	da_header(h, 0xD6, 0x0C, 2, 0, 0x3000, 0x1000);
	assert_int_equal(rx_u8(h), 0x5A);
	static uint8_t pkt[0x1002];
	rx_n(h, pkt, 0x1002);
	tx1(h, 0xA5);
	rx_none(h);
	tx1(h, 0x72);
	assert_int_equal(rx_u8(h), 0x5A);
	h_free(h);
}

static void test_format_pmt_regs(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	/* no PMT yet */
	tx1(h, 0xA5);
	assert_int_equal(nack_status(h), SIM_DA_PART_NO_VALID_TABLE);
	/* write a PMT region (header, one entry, trailer) where docs/format-partition-tables.md puts it */
	static uint8_t pmt[0x1000];
	memcpy(pmt, "PTv1", 4);
	memcpy(pmt + 4, "1.0", 4);
	memcpy(pmt + 8, "PRELOADER", 9);
	pmt[8 + 0x40 + 2] = 0x04; /* size 0x40000 LE */
	memcpy(pmt + 8 + 0x58, "MBR", 3);
	memcpy(pmt + 0x1000 - 4, "PTv1", 4);
	assert_int_equal(da_write(h, SIM_PART_USER, USER_SIZE - 0x100000, pmt, sizeof pmt, 0x100000), 0x69);
	tx1(h, 0xA5);
	assert_int_equal(rx_u8(h), 0x5A);
	uint32_t len = rx_be32(h);
	assert_int_equal(len, 40 * 0x58);
	rx_none(h);
	tx1(h, 0x5A);
	static uint8_t got[40 * 0x58];
	rx_n(h, got, len);
	assert_memory_equal(got, pmt + 8, len);
	tx1(h, 0x5A);
	rx_none(h);
	/* format: progress to 100, then ACK ACK; the range reads back as zeros */
	static uint8_t ones[0x3000];
	memset(ones, 0xFF, sizeof ones);
	assert_int_equal(da_write(h, SIM_PART_USER, 0x10000, ones, sizeof ones, 0x100000), 0x69);
	format_header(h, 0x10000, 0x2000);
	int last = -1, steps = 0;
	while (last != 100) {
		assert_int_equal(rx_u8(h), 0x5A);
		assert_int_equal(rx_u8(h), 0x5A);
		assert_int_equal(rx_be32(h), 0);
		int p = rx_u8(h);
		assert_true(p > last && p <= 100);
		last = p;
		steps++;
		tx1(h, 0x5A);
	}
	assert_true(steps > 1);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_u8(h), 0x5A);
	rx_none(h);
	for (size_t i = 0; i < 0x2000; i++)
		assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0x10000 + i], 0);
	assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0x12000], 0xFF);
	/* format outside the partition */
	format_header(h, USER_SIZE - 0x1000, 0x2000);
	assert_int_equal(nack_status(h), SIM_DA_INVALID_RANGE);
	/* registers */
	uint8_t wr[9] = { 0x7B, 0x10, 0x00, 0x70, 0x00, 0x22, 0x00, 0x00, 0x00 };
	tx(h, wr, sizeof wr);
	assert_int_equal(rx_u8(h), 0x5A);
	uint8_t rd[5] = { 0x7A, 0x10, 0x00, 0x70, 0x00 };
	tx(h, rd, sizeof rd);
	assert_int_equal(rx_be32(h), 0);
	assert_int_equal(rx_u8(h), 0x5A);
	uint8_t bad[5] = { 0x7A, 0x70, 0x00, 0x00, 0x00 };
	tx(h, bad, sizeof bad);
	assert_int_equal(rx_be32(h), 0);
	assert_int_equal(rx_u8(h), 0xA5);
	uint8_t wdt[9] = { 0xDB, 0, 0, 0x13, 0x88, 0, 1, 0, 0 };
	tx(h, wdt, sizeof wdt);
	assert_int_equal(rx_u8(h), 0x5A);
	h_free(h);
}

static void test_usb_reenumeration_and_finish(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	tx1(h, 0x72);
	assert_int_equal(rx_be16(h), 0x5A00);
	tx(h, "\x70\x01", 2);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	struct sim_event ev;
	assert_true(sim_dev_next_event(h->d, &ev));
	assert_int_equal(ev.kind, SIM_EV_REENUMERATE);
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	/* no handshake: the DA answers at once, now at high speed */
	tx1(h, 0x72);
	assert_int_equal(rx_be16(h), 0x5A01);
	tx1(h, 0xD9);
	assert_int_equal(rx_u8(h), 0x5A);
	tx_be32(h, 0);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	assert_true(sim_dev_next_event(h->d, &ev));
	assert_int_equal(ev.kind, SIM_EV_FINISH);
	assert_true(traced(h, "reboot requested"));
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h); /* rebooted: preloader again */
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_da_preloader_boot),
		cmocka_unit_test(test_da_brom_emi),
		cmocka_unit_test(test_emi_mismatch_fails),
		cmocka_unit_test(test_da2_rules),
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_da_strictness),
		cmocka_unit_test(test_format_pmt_regs),
		cmocka_unit_test(test_usb_reenumeration_and_finish),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
