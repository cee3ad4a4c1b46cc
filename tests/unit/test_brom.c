/* BROM / preloader core on recorded transcripts (docs/protocol.md "Handshake" and "BROM / preloader
 * commands"): every exchange written down byte by byte, host bytes checked, device bytes fed in
 * chunks of 1 byte and in one piece. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "proto_script.h"
#include "unifw/brom.h"
#include "unifw/chip.h"

static struct unifw_brom *new_core(void)
{
	struct unifw_brom *b = unifw_brom_new();
	assert_non_null(b);
	return b;
}

static void script_handshake(struct script *s)
{
	H(s, 0xA0);
	D(s, 0x5F);
	H(s, 0x0A);
	D(s, 0xF5);
	H(s, 0x50);
	D(s, 0xAF);
	H(s, 0x05);
	D(s, 0xFA);
}

static void handshake_answers_complements(void **state)
{
	(void)state;
	for (size_t chunk = 1; chunk <= 4; chunk += 3) {
		struct unifw_brom *b = new_core();
		struct script s = {0};
		script_handshake(&s);
		assert_int_equal(unifw_brom_begin_handshake(b, NULL), 0);
		assert_int_equal(scr_run(&s, unifw_brom_proto(b), chunk), 0);
		assert_script_complete(&s);
		assert_true(unifw_brom_info(b)->handshake_done);
		assert_int_equal(unifw_brom_info(b)->handshake_attempts, 1);
		scr_free(&s);
		unifw_brom_free(b);
	}
}

/* Device rule (docs/protocol.md): a wrong byte is answered with b+1 and the device restarts at A0. */
static void handshake_restarts_after_a_wrong_answer(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	H(&s, 0xA0);
	D(&s, 0x5F);
	H(&s, 0x0A);
	D(&s, 0x0B); /* not F5: the device lost sync */
	/* host drains (nothing more comes: one timeout) and starts again */
	script_handshake(&s);
	assert_int_equal(unifw_brom_begin_handshake(b, NULL), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_script_complete(&s);
	assert_int_equal(unifw_brom_info(b)->handshake_attempts, 2);
	scr_free(&s);
	unifw_brom_free(b);
}

/* Stale bytes after a lost sync (late answers) are drained before the restart, otherwise every
 * later answer would be off by one. */
static void handshake_drains_stale_bytes(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	H(&s, 0xA0);
	D(&s, 0x5F);
	H(&s, 0x0A);
	D(&s, 0x0B, 0x5F, 0xF5); /* a wrong answer, then late ones still in the line */
	script_handshake(&s);
	assert_int_equal(unifw_brom_begin_handshake(b, NULL), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_script_complete(&s);
	assert_int_equal(unifw_brom_info(b)->handshake_attempts, 2);
	assert_int_equal(s.timeouts, 1); /* one quiet period after the drain */
	scr_free(&s);
	unifw_brom_free(b);
}

/* A preloader whose host raised DTR sends "READY" every 20 ms while it listens (handshake_usb.c
 * usb_listen): before the first 5F those bytes are skipped, not taken as answers. */
static void handshake_skips_ready_before_the_first_answer(void **state)
{
	(void)state;
	for (size_t chunk = 1; chunk <= 4; chunk += 3) {
		struct unifw_brom *b = new_core();
		struct script s = {0};
		D(&s, 'R', 'E', 'A', 'D', 'Y'); /* already in the line before we send anything */
		H(&s, 0xA0);
		D(&s, 'R', 'E', 'A', 'D', 'Y', 0x5F);
		H(&s, 0x0A);
		D(&s, 0xF5);
		H(&s, 0x50);
		D(&s, 0xAF);
		H(&s, 0x05);
		D(&s, 0xFA);
		assert_int_equal(unifw_brom_begin_handshake(b, NULL), 0);
		assert_int_equal(scr_run(&s, unifw_brom_proto(b), chunk), 0);
		assert_script_complete(&s);
		assert_int_equal(unifw_brom_info(b)->handshake_attempts, 1);
		assert_int_equal(s.timeouts, 0);
		scr_free(&s);
		unifw_brom_free(b);
	}
}

/* A preloader drops the first chunk that starts with A0 unanswered and then allows 300 ms for the
 * whole start command (usb_listen, usbdl_check_start_command): after a silent A0 the next one goes
 * at once, with no drain period in between. */
static void handshake_resends_a0_at_once_after_silence(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	H(&s, 0xA0); /* dropped */
	script_handshake(&s);
	assert_int_equal(unifw_brom_begin_handshake(b, NULL), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_script_complete(&s);
	assert_int_equal(unifw_brom_info(b)->handshake_attempts, 2);
	assert_int_equal(s.timeouts, 1);
	scr_free(&s);
	unifw_brom_free(b);
}

static void handshake_gives_up_on_a_silent_device(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	struct unifw_brom_handshake_opts o = {.byte_timeout_ms = 20, .max_attempts = 3};
	H(&s, 0xA0, 0xA0, 0xA0);
	assert_int_equal(unifw_brom_begin_handshake(b, &o), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), UNIFW_E_TIMEOUT);
	const struct unifw_error *e = unifw_proto_error(unifw_brom_proto(b));
	assert_non_null(strstr(e->msg, "after 3 attempts"));
	assert_non_null(strstr(e->msg, "did not answer a0 within 20 ms"));
	assert_string_equal(e->where, "brom HANDSHAKE");
	assert_script_complete(&s);
	scr_free(&s);
	unifw_brom_free(b);
}

static void handshake_gives_up_on_garbage(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	struct unifw_brom_handshake_opts o = {.max_attempts = 2};
	H(&s, 0xA0);
	D(&s, 0xA1);
	H(&s, 0xA0);
	D(&s, 0xA1);
	assert_int_equal(unifw_brom_begin_handshake(b, &o), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(unifw_proto_error(unifw_brom_proto(b))->msg, "sent a0, expected 5f, found a1"));
	scr_free(&s);
	unifw_brom_free(b);
}

/* Preloader mode, as an MT6572 preloader answers: hw code 6572, hw ver CA00, FE answered with
 * the preloader's version, FF echoed (no such command), target config 0. */
static void script_preloader_identify(struct script *s)
{
	scr_echo8(s, 0xFD);
	D(s, 0x65, 0x72, 0x00, 0x00);
	scr_echo8(s, 0xFC);
	D(s, 0x8A, 0x00, 0xCA, 0x00, 0x00, 0x00, 0x00, 0x00);
	H(s, 0xFE);
	D(s, 0x01);
	H(s, 0xFF);
	D(s, 0xFF);
	scr_echo8(s, 0xD8);
	D(s, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
}

static int run_identify(struct unifw_brom *b, struct script *s, size_t chunk)
{
	int (*const ops[])(struct unifw_brom *) = {unifw_brom_begin_get_hw_code, unifw_brom_begin_get_hw_sw_ver,
						  unifw_brom_begin_get_bl_ver, unifw_brom_begin_get_version,
						  unifw_brom_begin_get_target_config};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		int rc = ops[i](b);
		if (rc)
			return rc;
		if ((rc = scr_run(s, unifw_brom_proto(b), chunk)) != 0)
			return rc;
	}
	return 0;
}

static void preloader_mode_identifies(void **state)
{
	(void)state;
	for (size_t chunk = 1; chunk <= 64; chunk *= 64) {
		struct unifw_brom *b = new_core();
		struct script s = {0};
		script_preloader_identify(&s);
		assert_int_equal(run_identify(b, &s, chunk), 0);
		assert_script_complete(&s);
		const struct unifw_brom_info *i = unifw_brom_info(b);
		assert_int_equal(i->hw_code, 0x6572);
		assert_int_equal(i->hw_subcode, 0x8A00);
		assert_int_equal(i->hw_ver, 0xCA00);
		assert_int_equal(i->mode, UNIFW_BROM_MODE_PRELOADER);
		assert_int_equal(i->bl_ver, 0x01);
		assert_false(i->have_brom_ver);
		assert_true(i->have_target_config);
		assert_false(i->sbc || i->sla || i->daa);
		/* The MT6572 preloader has no GET_ME_ID: refused before a byte is sent. */
		uint64_t before = unifw_proto_tx_total(unifw_brom_proto(b));
		assert_int_equal(unifw_brom_begin_get_me_id(b), UNIFW_E_UNSUPPORTED);
		assert_int_equal(unifw_proto_tx_total(unifw_brom_proto(b)), before);
		assert_int_equal(unifw_proto_current(unifw_brom_proto(b))->kind, UNIFW_STEP_ERROR);
		scr_free(&s);
		unifw_brom_free(b);
	}
}

static void brom_mode_identifies_and_reads_me_id(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	H(&s, 0xFE);
	D(&s, 0xFE); /* the BROM echoes FE */
	H(&s, 0xFF);
	D(&s, 0x05); /* BROM version */
	scr_echo8(&s, 0xD8);
	D(&s, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00); /* SBC | SLA | DAA */
	scr_echo8(&s, 0xE1);
	D(&s, 0x00, 0x00, 0x00, 0x10);
	D(&s, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00);
	D(&s, 0x00, 0x00);
	assert_int_equal(unifw_brom_begin_get_bl_ver(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_int_equal(unifw_brom_begin_get_version(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_int_equal(unifw_brom_begin_get_target_config(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_int_equal(unifw_brom_begin_get_me_id(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 3), 0);
	assert_script_complete(&s);
	const struct unifw_brom_info *i = unifw_brom_info(b);
	assert_int_equal(i->mode, UNIFW_BROM_MODE_BROM);
	assert_true(i->have_brom_ver);
	assert_int_equal(i->brom_ver, 5);
	assert_true(i->sbc && i->sla && i->daa);
	assert_int_equal(i->me_id_len, 16);
	assert_int_equal(i->me_id[0], 0x11);
	assert_int_equal(i->me_id[15], 0x00);
	scr_free(&s);
	unifw_brom_free(b);
}

static void me_id_length_ffffffff_is_refused(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	H(&s, 0xFE);
	D(&s, 0xFE);
	scr_echo8(&s, 0xE1);
	D(&s, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(unifw_brom_begin_get_bl_ver(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_int_equal(unifw_brom_begin_get_me_id(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), UNIFW_E_TOO_BIG);
	const struct unifw_error *e = unifw_proto_error(unifw_brom_proto(b));
	assert_non_null(strstr(e->msg, "ME ID length: expected an ME ID length of 1..64, found 4294967295"));
	assert_int_equal(e->offset, 2); /* FE answer at 0, E1 echo at 1, the length at 2 */
	assert_int_equal(unifw_brom_info(b)->me_id_len, 0);
	scr_free(&s);
	unifw_brom_free(b);
}

static void wrong_echo_names_step_and_offset(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	H(&s, 0xFD);
	D(&s, 0xFE);
	assert_int_equal(unifw_brom_begin_get_hw_code(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), UNIFW_E_DEVICE);
	const struct unifw_error *e = unifw_proto_error(unifw_brom_proto(b));
	char buf[1024];
	assert_string_equal(unifw_error_format(e, buf, sizeof buf),
			    "brom GET_HW_CODE: offset 0x0: command echo: echo: expected fd, found fe");
	scr_free(&s);
	unifw_brom_free(b);
}

static void error_status_stops_the_command(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	scr_echo8(&s, 0xFD);
	D(&s, 0x65, 0x72, 0x1D, 0x0C);
	assert_int_equal(unifw_brom_begin_get_hw_code(b), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(unifw_proto_error(unifw_brom_proto(b))->msg, "found error status 0x1d0c"));
	assert_false(unifw_brom_info(b)->have_hw_code);
	scr_free(&s);
	unifw_brom_free(b);
}

static void read32_echoes_and_collects_words(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	scr_echo8(&s, 0xD1);
	scr_echo32(&s, 0x08000000); /* devinfo: HW_VER, SW_VER, HW_CODE, SUBCODE */
	scr_echo32(&s, 4);
	D(&s, 0x00, 0x00);
	scr_d32(&s, 0xCA00);
	scr_d32(&s, 0x0000);
	scr_d32(&s, 0x6572);
	scr_d32(&s, 0x8A00);
	D(&s, 0x00, 0x00);
	assert_int_equal(unifw_brom_begin_read32(b, 0x08000000, 4), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 5), 0);
	assert_script_complete(&s);
	const struct unifw_brom_info *i = unifw_brom_info(b);
	assert_int_equal(i->words, 4);
	assert_int_equal(i->word[0], 0xCA00);
	assert_int_equal(i->word[2], 0x6572);
	assert_int_equal(i->word[3], 0x8A00);
	/* bounds: 0 and 65 words are refused before any byte */
	assert_int_equal(unifw_brom_begin_read32(b, 0, 0), UNIFW_E_INVALID);
	assert_int_equal(unifw_brom_begin_read32(b, 0, UNIFW_BROM_MAX_WORDS + 1), UNIFW_E_INVALID);
	scr_free(&s);
	unifw_brom_free(b);
}

static void watchdog_disable_writes_the_chip_value(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	scr_echo8(&s, 0xD4);
	scr_echo(&s, (const uint8_t[]){0x10, 0x00, 0x70, 0x00}, 4);
	scr_echo32(&s, 1);
	D(&s, 0x00, 0x01); /* a status <= 0xFF is fine (docs/transport.md: status words) */
	scr_echo(&s, (const uint8_t[]){0x22, 0x00, 0x00, 0x64}, 4);
	D(&s, 0x00, 0x00);
	assert_int_equal(unifw_brom_begin_disable_watchdog(b, unifw_chip_find(0x6572)), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), 0);
	assert_script_complete(&s);
	scr_free(&s);
	unifw_brom_free(b);
}

static void write32_value_echo_mismatch_fails(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct script s = {0};
	uint32_t v[2] = {0xAD98, 1};
	scr_echo8(&s, 0xD4);
	scr_echo32(&s, 0x1000141C);
	scr_echo32(&s, 2);
	D(&s, 0x00, 0x00);
	scr_echo32(&s, 0xAD98);
	scr_h32(&s, 1);
	scr_d32(&s, 2);
	assert_int_equal(unifw_brom_begin_write32(b, 0x1000141C, v, 2), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(unifw_proto_error(unifw_brom_proto(b))->msg,
			       "echo of a value: echo: expected 00 00 00 01, found 00 00 00 02"));
	scr_free(&s);
	unifw_brom_free(b);
}

static void da_checksum_is_xor_of_le_words(void **state)
{
	(void)state;
	/* 0x0201 ^ 0x0403 ^ 0x05 (odd trailing byte as the low byte) = 0x0607 */
	assert_int_equal(unifw_brom_da_checksum((const uint8_t[]){1, 2, 3, 4, 5}, 5), 0x0607);
	assert_int_equal(unifw_brom_da_checksum((const uint8_t[]){0x34, 0x12, 0x34, 0x12}, 4), 0);
	assert_int_equal(unifw_brom_da_checksum(NULL, 0), 0);
}

static uint8_t *pattern(size_t n)
{
	uint8_t *d = malloc(n);
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 7 + (i >> 8));
	return d;
}

static void script_send_da(struct script *s, const uint8_t *da, size_t len, uint32_t sig, uint16_t checksum)
{
	scr_echo8(s, 0xD7);
	scr_echo32(s, 0x02007000);
	scr_echo32(s, (uint32_t)len);
	scr_echo32(s, sig);
	D(s, 0x00, 0x00);
	scr_h(s, da, len); /* raw, not echoed */
	scr_d16(s, checksum);
	D(s, 0x00, 0x00);
}

static void send_da_uploads_and_verifies_checksum(void **state)
{
	(void)state;
	size_t len = 9999; /* odd: the trailing byte counts */
	uint8_t *da = pattern(len);
	struct unifw_brom *b = new_core();
	struct script s = {0};
	script_send_da(&s, da, len, 0x100, unifw_brom_da_checksum(da, len));
	assert_int_equal(unifw_brom_begin_send_da(b, 0x02007000, da, len, 0x100), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 4), 0);
	assert_script_complete(&s);
	assert_int_equal(unifw_brom_info(b)->da_checksum_device, unifw_brom_info(b)->da_checksum_host);

	/* JUMP_DA afterwards */
	struct script j = {0};
	scr_echo8(&j, 0xD5);
	scr_echo32(&j, 0x02007000);
	D(&j, 0x00, 0x00);
	assert_int_equal(unifw_brom_begin_jump_da(b, 0x02007000), 0);
	assert_int_equal(scr_run(&j, unifw_brom_proto(b), 1), 0);
	assert_script_complete(&j);
	scr_free(&j);
	scr_free(&s);
	unifw_brom_free(b);
	free(da);
}

static void send_da_checksum_mismatch_is_an_error(void **state)
{
	(void)state;
	size_t len = 4096;
	uint8_t *da = pattern(len);
	struct unifw_brom *b = new_core();
	struct script s = {0};
	uint16_t good = unifw_brom_da_checksum(da, len);
	script_send_da(&s, da, len, 0, (uint16_t)(good ^ 0x0100));
	assert_int_equal(unifw_brom_begin_send_da(b, 0x02007000, da, len, 0), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 64), UNIFW_E_DEVICE);
	const struct unifw_error *e = unifw_proto_error(unifw_brom_proto(b));
	char want[128];
	snprintf(want, sizeof want, "the host computed 0x%04x over 4096 bytes, the device 0x%04x", good, good ^ 0x0100);
	assert_non_null(strstr(e->msg, want));
	scr_free(&s);
	unifw_brom_free(b);
	free(da);
}

static void send_da_refuses_sla_without_sending_data(void **state)
{
	(void)state;
	uint8_t da[16] = {0};
	struct unifw_brom *b = new_core();
	struct script s = {0};
	scr_echo8(&s, 0xD7);
	scr_echo32(&s, 0x02007000);
	scr_echo32(&s, 16);
	scr_echo32(&s, 0);
	D(&s, 0x1D, 0x0D);
	assert_int_equal(unifw_brom_begin_send_da(b, 0x02007000, da, sizeof da, 0), 0);
	assert_int_equal(scr_run(&s, unifw_brom_proto(b), 1), UNIFW_E_UNSUPPORTED);
	assert_non_null(strstr(unifw_proto_error(unifw_brom_proto(b))->msg, "SLA"));
	assert_script_complete(&s); /* the data never went out */
	scr_free(&s);
	unifw_brom_free(b);
	/* bad arguments fail before any byte */
	b = new_core();
	assert_int_equal(unifw_brom_begin_send_da(b, 0, da, sizeof da, 17), UNIFW_E_INVALID);
	assert_int_equal(unifw_brom_begin_send_da(b, 0, NULL, 0, 0), UNIFW_E_INVALID);
	assert_int_equal(unifw_proto_tx_total(unifw_brom_proto(b)), 0);
	unifw_brom_free(b);
}

static void step_api_refuses_misuse(void **state)
{
	(void)state;
	struct unifw_brom *b = new_core();
	struct unifw_proto *p = unifw_brom_proto(b);
	assert_int_equal(unifw_proto_current(p)->kind, UNIFW_STEP_IDLE);
	assert_int_equal(unifw_brom_begin_get_hw_code(b), 0);
	assert_int_equal(unifw_proto_current(p)->kind, UNIFW_STEP_SEND);
	/* feeding during a SEND, starting another op while one runs */
	assert_int_equal(unifw_proto_feed(p, (const uint8_t[]){0xFD}, 1, NULL), UNIFW_E_INVALID);
	assert_int_equal(unifw_brom_begin_get_bl_ver(b), UNIFW_E_INVALID);
	/* ... also those with arguments, which must not land in the core the running op reads */
	assert_int_equal(unifw_brom_begin_read32(b, 0x10007000, 64), UNIFW_E_INVALID);
	assert_int_equal(unifw_brom_begin_write32(b, 0x10007000, (const uint32_t[]){1, 2}, 2), UNIFW_E_INVALID);
	assert_int_equal(unifw_brom_begin_jump_da(b, 0x2007000), UNIFW_E_INVALID);
	assert_non_null(strstr(unifw_proto_error(p)->msg, "cannot start JUMP_DA while GET_HW_CODE is still running"));
	assert_int_equal(unifw_proto_current(p)->kind, UNIFW_STEP_SEND); /* still running */
	assert_int_equal(unifw_proto_sent(p), 0);
	assert_int_equal(unifw_proto_current(p)->kind, UNIFW_STEP_RECV);
	assert_int_equal(unifw_proto_current(p)->len, 1);
	/* "need N more": one buffer carries the echo and the start of the answer */
	size_t used = 0;
	assert_int_equal(unifw_proto_feed(p, (const uint8_t[]){0xFD, 0x65}, 2, &used), 3);
	assert_int_equal(used, 2);
	assert_int_equal(unifw_proto_feed(p, (const uint8_t[]){0x72}, 1, &used), 2);
	assert_int_equal(unifw_proto_feed(p, (const uint8_t[]){0x00, 0x00, 0x99}, 3, &used), 0);
	assert_int_equal(used, 2); /* the extra byte was not taken */
	assert_int_equal(unifw_proto_current(p)->kind, UNIFW_STEP_DONE);
	assert_int_equal(unifw_brom_info(b)->hw_code, 0x6572);
	assert_int_equal(unifw_proto_rx_total(p), 5);
	assert_int_equal(unifw_proto_tx_total(p), 1);
	/* a timeout in the middle of an answer is an error that says how much came */
	assert_int_equal(unifw_brom_begin_get_hw_code(b), 0);
	unifw_proto_sent(p);
	assert_int_equal(unifw_proto_feed(p, (const uint8_t[]){0xFD, 0x65}, 2, NULL), 3);
	assert_int_equal(unifw_proto_timeout(p), UNIFW_E_TIMEOUT);
	assert_non_null(strstr(unifw_proto_error(p)->msg, "hw code and status: no answer from the device within 5000 ms "
							  "(got 1 of 4 bytes)"));
	unifw_brom_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_answers_complements),
		cmocka_unit_test(handshake_restarts_after_a_wrong_answer),
		cmocka_unit_test(handshake_drains_stale_bytes),
		cmocka_unit_test(handshake_skips_ready_before_the_first_answer),
		cmocka_unit_test(handshake_resends_a0_at_once_after_silence),
		cmocka_unit_test(handshake_gives_up_on_a_silent_device),
		cmocka_unit_test(handshake_gives_up_on_garbage),
		cmocka_unit_test(preloader_mode_identifies),
		cmocka_unit_test(brom_mode_identifies_and_reads_me_id),
		cmocka_unit_test(me_id_length_ffffffff_is_refused),
		cmocka_unit_test(wrong_echo_names_step_and_offset),
		cmocka_unit_test(error_status_stops_the_command),
		cmocka_unit_test(read32_echoes_and_collects_words),
		cmocka_unit_test(watchdog_disable_writes_the_chip_value),
		cmocka_unit_test(write32_value_echo_mismatch_fails),
		cmocka_unit_test(da_checksum_is_xor_of_le_words),
		cmocka_unit_test(send_da_uploads_and_verifies_checksum),
		cmocka_unit_test(send_da_checksum_mismatch_is_an_error),
		cmocka_unit_test(send_da_refuses_sla_without_sending_data),
		cmocka_unit_test(step_api_refuses_misuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
