/* unifw-sim device core, sans-io: the handshake and the BootROM / preloader command loop. Bytes are
 * fed to the state machine and its answers checked against docs/protocol.md, with an in-memory eMMC.
 * Time is simulated. The DA is in test_sim_dev_da.c, faults and link pacing in test_sim_dev_faults.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_dev_client.h"

/* ---------- handshake and BROM/preloader ---------- */

static void test_handshake_rules(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	tx1(h, 0xA0);
	rx_none(h);   /* a preloader reads its FIFO every 20 ms ... */
	next_timer(h);
	rx_none(h);   /* ... and drops a chunk that starts with A0 unanswered */
	tx1(h, 0xA0);
	assert_int_equal(rx_u8(h), 0x5F);
	tx1(h, 0x50); /* wrong: 0x0A expected -> b+1, restart */
	assert_int_equal(rx_u8(h), 0x51);
	tx1(h, 0x0A); /* index is 0 again: 0x0A is wrong now */
	assert_int_equal(rx_u8(h), 0x0B);
	handshake(h);
	echo8(h, 0xFD);
	assert_int_equal(rx_be16(h), 0x6572);
	assert_int_equal(rx_be16(h), 0);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "preloader");
	h_free(h);
}

static void test_garbage_then_handshake(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	uint64_t seed = 99;
	for (int i = 0; i < 500; i++) {
		uint8_t v = (uint8_t)sim_rng_next(&seed);
		if (v == 0xA0)
			v = 0x42;
		tx1(h, v);
		assert_int_equal(rx_u8(h), (uint8_t)(v + 1));
	}
	handshake(h);
	echo8(h, 0xFD);
	assert_int_equal(rx_be32(h), 0x65720000);
	h_free(h);
}

static void test_brom_vs_preloader(void **state)
{
	(void)state;
	struct h *b = mk(SIM_MODE_BROM, NULL), *p = mk(SIM_MODE_PRELOADER, NULL);
	handshake(b);
	handshake(p);
	tx1(b, 0xFE);
	assert_int_equal(rx_u8(b), 0xFE); /* BROM echoes FE */
	tx1(p, 0xFE);
	assert_int_equal(rx_u8(p), 0x01); /* preloader: its version */
	tx1(b, 0xFF);
	assert_int_equal(rx_u8(b), 0x05);
	tx1(p, 0xFF); /* the MT6572 preloader lacks FF: echoed, ignored */
	assert_int_equal(rx_u8(p), 0xFF);
	rx_none(p);
	echo8(b, 0xE1);
	assert_int_equal(rx_be32(b), 16);
	uint8_t id[16];
	rx_n(b, id, 16);
	assert_int_equal(rx_be16(b), 0);
	echo8(b, 0xE7);
	assert_int_equal(rx_be32(b), 32);
	uint8_t soc[32];
	rx_n(b, soc, 32);
	assert_int_equal(rx_be16(b), 0);
	echo8(p, 0xE1); /* preloader: echoed then ignored */
	rx_none(p);
	echo8(p, 0xFC);
	assert_int_equal(rx_be16(p), 0x8A00);
	assert_int_equal(rx_be16(p), 0xCA00);
	assert_int_equal(rx_be16(p), 0x0000);
	assert_int_equal(rx_be16(p), 0);
	echo8(p, 0xD8);
	assert_int_equal(rx_be32(p), 0);
	assert_int_equal(rx_be16(p), 0);
	echo8(b, 0x42); /* unknown command */
	rx_none(b);
	h_free(b);
	h_free(p);
}

static void test_read_write_regs(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	handshake(h);
	echo8(h, 0xD1); /* devinfo */
	echo32(h, 0x08000000);
	echo32(h, 4);
	assert_int_equal(rx_be16(h), 0);
	assert_int_equal(rx_be32(h), 0xCA00);
	assert_int_equal(rx_be32(h), 0x0000);
	assert_int_equal(rx_be32(h), 0x6572);
	assert_int_equal(rx_be32(h), 0x8A00);
	assert_int_equal(rx_be16(h), 0);
	echo8(h, 0xD1); /* outside every region: status only */
	echo32(h, 0x40000000);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0x1D02);
	rx_none(h);
	echo8(h, 0xD1); /* runs past the end of devinfo */
	echo32(h, 0x0800000C);
	echo32(h, 2);
	assert_int_equal(rx_be16(h), 0x1D02);
	echo8(h, 0xD0); /* READ16 unaligned */
	echo32(h, 0x08000001);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0x1D02);
	/* watchdog: without the key the hardware ignores it; with it, bit0 clear disables */
	struct sim_dev_info info;
	echo8(h, 0xD4);
	echo32(h, 0x10007000);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	echo32(h, 0x00000064);
	assert_int_equal(rx_be16(h), 0);
	sim_dev_get_info(h->d, &info);
	assert_false(info.watchdog_disabled);
	echo8(h, 0xD4);
	echo32(h, 0x10007000);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	echo32(h, 0x22000064);
	assert_int_equal(rx_be16(h), 0);
	sim_dev_get_info(h->d, &info);
	assert_true(info.watchdog_disabled);
	assert_true(traced(h, "watchdog disabled"));
	/* a register written with WRITE16 reads back with READ32 */
	echo8(h, 0xD2);
	echo32(h, 0x1000141E);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	tx(h, "\xAD\x98", 2);
	rx_expect(h, "\xAD\x98", 2);
	assert_int_equal(rx_be16(h), 0);
	echo8(h, 0xD1);
	echo32(h, 0x1000141C);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	assert_int_equal(rx_be32(h), 0xAD980000);
	assert_int_equal(rx_be16(h), 0);
	h_free(h);
}

static void test_send_da_rules(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	handshake(h);
	uint8_t odd[301];
	for (size_t i = 0; i < sizeof odd; i++)
		odd[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, odd, sizeof odd, 0), 0); /* odd length: last byte XORed in */
	assert_int_equal(send_da(h, SIM_DA1_ADDR, odd, 0, 0), 0x1D13);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, odd, 16, 32), 0x1D14);
	assert_int_equal(send_da(h, 0x80000000, odd, 16, 0), 0x1D12);
	assert_int_equal(send_da(h, 0x0203FFF0, odd, 0x20, 0), 0x1D12);
	/* the code at the jump address is not a DA: the phone hangs after the status */
	assert_int_equal(jump_da(h, 0x00001000), 0x1D0F);
	assert_int_equal(jump_da(h, SIM_DA1_ADDR), 0);
	rx_none(h);
	tx1(h, 0x5A);
	rx_none(h);
	h_free(h);

	/* SLA in the target config: SEND_DA is refused with 0x1D0D before any data */
	struct h *s = mk(SIM_MODE_BROM, NULL);
	sim_dev_free(s->d);
	struct sim_config cfg = { .mode = SIM_MODE_BROM, .storage = sim_memstore_storage(s->ms) };
	sim_personality_default(&cfg.pers, &s->g);
	cfg.pers.target_config = SIM_TCFG_SLA;
	s->d = sim_dev_new(&cfg);
	sim_dev_connect(s->d, 0);
	handshake(s);
	echo8(s, 0xD8);
	assert_int_equal(rx_be32(s), SIM_TCFG_SLA);
	assert_int_equal(rx_be16(s), 0);
	assert_int_equal(send_da(s, SIM_DA1_ADDR, odd, 16, 0), 0x1D0D);
	echo8(s, 0xFD); /* back in the command loop */
	h_free(s);
}

static void test_foreign_da1_hangs(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	size_t len;
	uint8_t *da1 = sim_dablob_build(1, 0x6580, 0xCA00, &len);
	handshake(h);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, da1, (uint32_t)len, SIM_DA_SIG_LEN), 0);
	assert_int_equal(jump_da(h, SIM_DA1_ADDR), 0);
	rx_none(h); /* no sync byte */
	tx1(h, 0x5A);
	rx_none(h);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "hung");
	assert_true(traced(h, "0x6580"));
	/* a replug powers the phone on again */
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h);
	free(da1);
	h_free(h);
}

static void test_preloader_window(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	assert_int_equal(sim_dev_deadline(h->d), 20); /* the first poll was at power-on */
	h->now = 1999;
	sim_dev_tick(h->d, h->now);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	h->now = 2000;
	sim_dev_tick(h->d, h->now);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	struct sim_event ev;
	assert_true(sim_dev_next_event(h->d, &ev));
	assert_int_equal(ev.kind, SIM_EV_WINDOW_CLOSED);
	tx1(h, 0xA0); /* too late */
	rx_none(h);
	sim_dev_disconnect(h->d, h->now);
	/* next plug: a handshake in time keeps the preloader in download mode */
	sim_dev_connect(h->d, h->now);
	h->now += 100;
	handshake(h);
	assert_true(sim_dev_deadline(h->d) == UINT64_MAX);
	h->now += 10000;
	sim_dev_tick(h->d, h->now);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	echo8(h, 0xFD);
	h_free(h);

	/* BROM has no window */
	struct h *b = mk(SIM_MODE_BROM, NULL);
	assert_true(sim_dev_deadline(b->d) == UINT64_MAX);
	h_free(b);
}

/* usb_listen / usbdl_check_start_command (docs/sim.md "Preloader listening"): a poll every 20 ms takes up
 * to 8 bytes; a chunk starting with A0 is dropped and A0 0A 50 05 must follow within 300 ms, else
 * the preloader listens again (and drops again); READY every poll while a tool is present. */
static void test_preloader_listening(void **state)
{
	(void)state;
	g_tool_present = true;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	g_tool_present = false;
	rx_expect(h, "READY", 5); /* at power-on ... */
	next_timer(h);
	assert_int_equal(h->now, 20);
	rx_expect(h, "READY", 5); /* ... and at every poll */
	/* ten bytes from A0: the poll takes 8 (dropped), the last two are the first the loop reads */
	tx(h, "\xA0\x01\x02\x03\x04\x05\x06\x07\xA0\x0A", 10);
	rx_none(h);
	next_timer(h);
	rx_expect(h, "READY\x5F\xF5", 7);
	assert_int_equal(sim_dev_deadline(h->d), 40 + 300);
	/* no READY while the start command loop runs; 300 ms pass: listening again, polling at once */
	h->now = 339;
	sim_dev_tick(h->d, h->now);
	rx_none(h);
	h->now = 340;
	sim_dev_tick(h->d, h->now);
	rx_expect(h, "READY", 5);
	tx(h, "\xA0\x0A\x50\x05", 4); /* in one chunk: all dropped */
	next_timer(h);
	rx_expect(h, "READY", 5);
	handshake(h);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "preloader");
	assert_non_null(strstr(h->trace, "dropped unanswered"));
	h_free(h);

	/* 8 bytes without A0 first are a tool token the sim does not know: the phone boots on */
	h = mk(SIM_MODE_PRELOADER, NULL);
	tx(h, "META", 4);
	next_timer(h);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	tx(h, "META", 4);
	next_timer(h);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	rx_none(h); /* never answered */
	h_free(h);
}

static void test_truncated_command(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	handshake(h);
	echo8(h, 0xD1);
	tx(h, "\x08\x00", 2); /* half an address, then nothing */
	rx_none(h);
	h->now += 60000;
	sim_dev_tick(h->d, h->now);
	rx_none(h);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	/* the rest of the address arrives: the command completes */
	tx(h, "\x00\x00", 2);
	rx_expect(h, "\x08\x00\x00\x00", 4);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	assert_int_equal(rx_be32(h), 0xCA00);
	assert_int_equal(rx_be16(h), 0);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_rules),
		cmocka_unit_test(test_garbage_then_handshake),
		cmocka_unit_test(test_brom_vs_preloader),
		cmocka_unit_test(test_read_write_regs),
		cmocka_unit_test(test_send_da_rules),
		cmocka_unit_test(test_foreign_da1_hangs),
		cmocka_unit_test(test_preloader_window),
		cmocka_unit_test(test_preloader_listening),
		cmocka_unit_test(test_truncated_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
