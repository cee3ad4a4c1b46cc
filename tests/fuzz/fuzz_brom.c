/* Fuzz the BROM / preloader core as a hostile device: the input is everything the device says.
 * The first byte picks the feeding style, the second the operations' arguments; then every
 * operation runs in turn (an operation may start after the previous one failed), driven by
 * fuzz_drive (proto_feed.h). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_driver.h"
#include "proto_feed.h"
#include "unifw/brom.h"
#include "unifw/chip.h"

static void fuzz_one(const uint8_t *data, size_t size)
{
	static uint8_t da[3001];
	uint8_t sel = data[0], arg = data[1];
	struct fuzz_feed f = fuzz_feed_from(data + 2, size - 2, sel, 4000);
	struct unifw_brom *b = unifw_brom_new();
	if (!b)
		return;
	struct unifw_proto *p = unifw_brom_proto(b);
	struct unifw_brom_handshake_opts ho = {.byte_timeout_ms = 1, .max_attempts = 1 + (arg & 3)};
	uint32_t words[3] = {0xAD98, 1, 0};
	for (size_t i = 0; i < sizeof da; i++)
		da[i] = (uint8_t)(i * 7);

	unifw_brom_begin_handshake(b, &ho);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_get_hw_code(b);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_get_hw_sw_ver(b);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_get_bl_ver(b);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_get_version(b);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_get_target_config(b);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_get_me_id(b);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_read32(b, 0x08000000, (size_t)(arg >> 2) % (UNIFW_BROM_MAX_WORDS + 2));
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_write32(b, 0x1000141C, words, 1 + (arg & 1) * 2);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_disable_watchdog(b, unifw_chip_find(0x6572));
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_send_da(b, 0x02007000, da, 1 + (size_t)arg * 11, arg & 0x20 ? 0x100 : 0);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);
	unifw_brom_begin_jump_da(b, 0x02007000);
	fuzz_drive(p, &f, FUZZ_ANY_RANGE);

	const struct unifw_brom_info *i = unifw_brom_info(b);
	if (i->me_id_len > UNIFW_BROM_MAX_ME_ID || i->words > UNIFW_BROM_MAX_WORDS)
		__builtin_trap();
	unifw_brom_free(b);
}

const struct fuzz_target fuzz_target = { .name = "brom", .min_input = 2, .run = fuzz_one };
