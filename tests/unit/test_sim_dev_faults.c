/* unifw-sim device core, sans-io: the fault specs of docs/sim.md "Faults" (cuts, flips, stalls, lies,
 * resets) and the link-rate token bucket (device/linkrate.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_dev_client.h"

/* ---------- faults ---------- */

static void test_fault_cut_after_bytes(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, "cut:after=6", NULL);
	handshake(h);
	tx1(h, 0xFD); /* 4 + 1 + 4 would be 9 bytes: the link drops after byte 6 */
	uint8_t b[8];
	assert_int_equal(rx(h, b, sizeof b), 2);
	assert_memory_equal(b, "\xFD\x65", 2);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	tx1(h, 0xFD);
	rx_none(h);
	/* the fault fires once: the replugged phone works */
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h);
	echo8(h, 0xFD);
	assert_int_equal(rx_be32(h), 0x65720000);
	h_free(h);
}

static void test_fault_cut_percent_of_read(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "cut:op=read,at=50%", NULL);
	boot_to_da(h, false);
	da_header(h, 0xD6, 0x0C, 2, 0, 0x10000, 0x1000);
	static uint8_t buf[0x20000];
	size_t total = 0, n;
	while ((n = rx(h, buf + total, sizeof buf - total)) > 0) {
		total += n;
		tx1(h, 0x5A);
	}
	assert_int_equal(total, 0x8000); /* ACK and checksums count too: cut at byte 0x8000 of the read */
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	h_free(h);
}

static void test_fault_flip_reproducible(void **state)
{
	(void)state;
	uint8_t first[4], second[4];
	for (int run = 0; run < 2; run++) {
		struct h *h = mk(SIM_MODE_BROM, "flip:after=6,bits=3", NULL);
		handshake(h);
		echo8(h, 0xFD);
		rx_n(h, run ? second : first, 4);
		h_free(h);
	}
	assert_memory_equal(first, second, 4);
	assert_int_equal(first[0], 0x65);
	assert_int_equal(__builtin_popcount(first[1] ^ 0x72), 3);
	assert_int_equal(be16(first + 2), 0);
	/* flipping a host byte of a write packet makes the checksum fail */
	struct h *w = mk(SIM_MODE_PRELOADER, "flip:op=write,after=100", NULL);
	boot_to_da(w, false);
	uint8_t data[512] = { 0 };
	assert_int_equal(da_write(w, SIM_PART_USER, 0, data, sizeof data, 0x100000), 0xA5);
	tx1(w, 0xA5);
	uint8_t st[4];
	rx_n(w, st, 4);
	assert_int_equal(st[0] | st[1] << 8, SIM_DA_UART_DATA_CKSUM_ERROR);
	h_free(w);
}

static void test_fault_flip_every(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "flip:op=read,after=1,every=512", NULL);
	boot_to_da(h, false);
	da_header(h, 0xD6, 0x0C, 2, 0, 0x1000, 0x1000); /* zeros: every flipped byte shows */
	static uint8_t buf[0x1003];
	rx_n(h, buf, sizeof buf);
	size_t flipped = 0;
	for (size_t i = 1; i < 0x1001; i++)
		flipped += buf[i] != 0;
	assert_int_equal(flipped, 8); /* bytes 1, 513, ... 3585 of the read */
	assert_int_not_equal(buf[1], 0);
	assert_int_not_equal(buf[513], 0);
	h_free(h);
}

static void test_fault_stall(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, "stall:after=5,ms=1500", NULL);
	handshake(h);
	tx1(h, 0xFD);
	uint8_t b[8];
	assert_int_equal(rx(h, b, sizeof b), 1); /* the echo, then silence */
	assert_int_equal(sim_dev_deadline(h->d), 1500);
	h->now = 1499;
	assert_int_equal(rx(h, b, sizeof b), 0);
	h->now = 1500;
	assert_int_equal(rx(h, b, sizeof b), 4);
	assert_memory_equal(b, "\x65\x72\x00\x00", 4);
	h_free(h);
}

static void test_fault_lie_about_write(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "lie:op=write,at=60%", NULL);
	boot_to_da(h, false);
	static uint8_t data[0x4000];
	memset(data, 0xAB, sizeof data);
	assert_int_equal(da_write(h, SIM_PART_USER, 0, data, sizeof data, 0x1000), 0x69); /* every packet "OK" */
	const uint8_t *flash = sim_memstore_part(h->ms, SIM_PART_USER);
	assert_memory_equal(flash, data, 0x2000);
	/* 60% of 0x4000 is in the third packet: it was acknowledged but not stored */
	assert_int_equal(flash[0x2000], 0);
	assert_int_equal(flash[0x2FFF], 0);
	assert_memory_equal(flash + 0x3000, data, 0x1000);
	assert_true(traced(h, "lie"));
	h_free(h);
}

/* Two bytes of one READ packet changed so that its 16-bit byte sum stays: da_read's checksum check passes,
 * the data is still wrong, and only once (a second read is right). */
static void twin_read_check(const char *spec, size_t want_at)
{
	struct h *h = mk(SIM_MODE_PRELOADER, spec, NULL);
	boot_to_da(h, false);
	static uint8_t data[0x4000], got[0x4000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8)); /* 0x00 and 0xFF both occur: the edges are exercised */
	data[want_at] = 0xFF; /* cannot go up: it goes down and its partner up */
	assert_int_equal(da_write(h, SIM_PART_USER, 0, data, sizeof data, 0x1000), 0x69);
	assert_int_equal(da_read(h, 0, got, sizeof got, 0x1000), 0); /* every packet checksum matched */
	size_t diffs = 0, first = SIZE_MAX, last = 0;
	for (size_t i = 0; i < sizeof got; i++)
		if (got[i] != data[i]) {
			diffs++;
			first = first < i ? first : i;
			last = i;
		}
	assert_int_equal(diffs, 2);
	assert_int_equal(first, want_at);
	assert_int_equal(got[want_at], 0xFE);
	assert_int_equal(first / 0x1000, last / 0x1000); /* one packet */
	assert_int_equal(got[last], (uint8_t)(data[last] + 1));
	assert_int_equal(sum16(got, sizeof got), sum16(data, sizeof data));
	assert_true(traced(h, "twin in read"));
	assert_int_equal(da_read(h, 0, got, sizeof got, 0x1000), 0);
	assert_memory_equal(got, data, sizeof data);
	h_free(h);
}

static void test_fault_twin_keeps_checksum(void **state)
{
	(void)state;
	twin_read_check("twin:op=read,addr=0x1801", 0x1801);
	/* by the READ's byte counter: the ACK (1 byte) and the first packet with its checksum (0x1002) come
	 * first, so counter 0x1003 + 0x20 is byte 0x1020 of the data */
	twin_read_check("twin:op=read,after=0x1023", 0x1020);
}

static void test_fault_oversize_negative(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "oversize:op=pmt,value=0x10000000", NULL);
	boot_to_da(h, false);
	static uint8_t pmt[0x1000];
	memcpy(pmt, "PTv1", 4);
	assert_int_equal(da_write(h, SIM_PART_USER, USER_SIZE - 0x100000, pmt, sizeof pmt, 0x100000), 0x69);
	tx1(h, 0xA5);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_be32(h), 0x10000000);
	h_free(h);

	struct h *n = mk(SIM_MODE_BROM, "negative:op=me_id", NULL);
	handshake(n);
	echo8(n, 0xE1);
	assert_int_equal(rx_be32(n), 0xFFFFFFF6);
	h_free(n);

	struct h *r = mk(SIM_MODE_PRELOADER, "oversize:op=da1,value=0xFFFF", NULL);
	size_t l1;
	uint8_t *da1 = sim_dablob_build(1, 0x6572, 0xCA00, &l1);
	handshake(r);
	send_da(r, SIM_DA1_ADDR, da1, (uint32_t)l1, SIM_DA_SIG_LEN);
	jump_da(r, SIM_DA1_ADDR);
	assert_int_equal(rx_u8(r), 0xC0);
	assert_int_equal(rx_be32(r), 0xBC4);
	assert_int_equal(rx_be16(r), 0xFFFF); /* a hostile NAND id count */
	free(da1);
	h_free(r);
}

static void test_fault_reset_and_cut_in(void **state)
{
	(void)state;
	/* reset during the write: the link drops mid-packet and the phone powers on again */
	struct h *h = mk(SIM_MODE_PRELOADER, "reset:op=write,at=75%", NULL);
	boot_to_da(h, false);
	static uint8_t data[0x2000];
	da_header(h, 0x62, 1, SIM_PART_USER, 0, sizeof data, 0x1000);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, 0x5A);
	tx(h, data, 0x1000);
	tx(h, "\x00\x00", 2);
	assert_int_equal(rx_u8(h), 0x69);
	tx1(h, 0x5A);
	tx(h, data, 0x1000);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h);
	h_free(h);
}

static void test_fault_spec_parse(void **state)
{
	(void)state;
	struct sim_fault f;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_fault_parse("cut:after=100", &f, &err), 0);
	assert_int_equal(f.kind, SIM_FAULT_CUT);
	assert_int_equal(f.op, SIM_OP_ANY);
	assert_int_equal(f.after, 100);
	assert_int_equal(sim_fault_parse("flip:op=read,at=12.5%,bits=2,every=4096,times=0", &f, &err), 0);
	assert_int_equal(f.pct_milli, 12500);
	assert_int_equal(f.dir, SIM_DIR_OUT);
	assert_int_equal(f.every, 4096);
	assert_int_equal(f.times, 0);
	assert_int_equal(sim_fault_parse("flip:every=10", &f, &err), 0);
	assert_int_equal(f.times, 0); /* every= repeats unless times= says otherwise */
	assert_int_equal(sim_fault_parse("flip:every=10,times=3", &f, &err), 0);
	assert_int_equal(f.times, 3);
	assert_int_equal(sim_fault_parse("lie:op=write,at=random,count=0", &f, &err), 0);
	assert_int_equal(f.dir, SIM_DIR_IN);
	assert_int_equal(sim_fault_parse("stall:op=write,ms=100", &f, &err), 0);
	assert_int_equal(f.dir, SIM_DIR_OUT); /* a stall always holds the device's output */
	assert_int_equal(sim_fault_parse("twin:op=read,addr=0x1801", &f, &err), 0);
	assert_true(f.has_addr);
	assert_int_equal(f.addr, 0x1801);
	assert_int_equal(f.dir, SIM_DIR_OUT);
	const char *bad[] = { "explode", "cut:after=-1", "cut:after", "cut:op=nothing", "flip:bits=9",
			      "cut:at=50%", "lie:op=read", "oversize:op=read", "stall:dir=in,ms=5",
			      "cut:at=150%", "cut:size=3", "negative:op=pmt,value=0x100000000", "twin:op=write",
			      "twin:op=read,dir=in", "flip:op=read,addr=4096" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		assert_int_not_equal(sim_fault_parse(bad[i], &f, &err), 0);
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

/* --link: 1 MB through a 1 MB/s bucket takes one simulated second, in 10 ms bursts at most */
static void test_link_rate(void **state)
{
	(void)state;
	enum sim_link_kind k;
	assert_true(sim_link_parse("usb2", &k));
	assert_false(sim_link_parse("usb3", &k));
	assert_int_equal(sim_link_speeds(SIM_LINK_FAST, false).out_bps, 0);
	assert_int_equal(sim_link_speeds(SIM_LINK_USB2, false).out_bps, 1000000);
	assert_int_equal(sim_link_speeds(SIM_LINK_USB2, true).out_bps, 20000000);
	assert_int_equal(sim_link_speeds(SIM_LINK_USB2, true).in_bps, 8000000);
	struct sim_rate r = { 0 };
	sim_rate_set(&r, 1000000, 1);
	uint64_t now = 1, sent = 0;
	size_t biggest = 0;
	while (sent < 1000000) {
		size_t n = sim_rate_allow(&r, now, 65536);
		if (n > biggest)
			biggest = n;
		sim_rate_take(&r, n);
		sent += n;
		if (sent < 1000000) {
			uint64_t w = sim_rate_wait_ms(&r);
			now += w ? w : 1;
		}
	}
	assert_true(now >= 985 && now <= 1015);
	assert_true(biggest <= 10001);
	struct sim_rate u = { 0 };
	sim_rate_set(&u, 0, 5);
	assert_int_equal(sim_rate_allow(&u, 5, 1 << 20), 1 << 20);
	assert_int_equal(sim_rate_wait_ms(&u), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_cut_after_bytes),
		cmocka_unit_test(test_fault_cut_percent_of_read),
		cmocka_unit_test(test_fault_flip_reproducible),
		cmocka_unit_test(test_fault_flip_every),
		cmocka_unit_test(test_fault_stall),
		cmocka_unit_test(test_fault_lie_about_write),
		cmocka_unit_test(test_fault_twin_keeps_checksum),
		cmocka_unit_test(test_fault_oversize_negative),
		cmocka_unit_test(test_fault_reset_and_cut_in),
		cmocka_unit_test(test_fault_spec_parse),
		cmocka_unit_test(test_link_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
