/* Fuzz the BROM / preloader core as a hostile device: the input is everything the device says.
 * The first byte picks feeding styles and arguments; then every operation runs in turn (an
 * operation may start after the previous one failed), each RECV fed from the input (copy or
 * zero-copy, in chunks), each SEND taken as written; an empty input is a timeout. The step count
 * is bounded: each step consumes input, ends in a timeout, or is one of an op's finite sends. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unifw/brom.h"
#include "unifw/chip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *d;
	size_t n;
	size_t chunk;
	int zero_copy;
};

static void drive(struct unifw_proto *p, struct feed *f)
{
	for (unsigned guard = 0; guard < 1000000; guard++) {
		const struct unifw_step *st = unifw_proto_current(p);
		switch (st->kind) {
		case UNIFW_STEP_SEND:
			if (st->len == 0 || !st->data)
				__builtin_trap();
			unifw_proto_sent(p);
			break;
		case UNIFW_STEP_RECV: {
			if (f->n == 0) {
				unifw_proto_timeout(p);
				break;
			}
			size_t n = f->n < f->chunk ? f->n : f->chunk;
			if (f->zero_copy) {
				if (n > st->len)
					n = st->len;
				memcpy(st->buf, f->d, n);
				unifw_proto_received(p, n);
				f->d += n;
				f->n -= n;
			} else {
				size_t used = 0;
				unifw_proto_feed(p, f->d, n, &used);
				f->d += used;
				f->n -= used;
			}
			break;
		}
		case UNIFW_STEP_DATA:
		case UNIFW_STEP_FILL:
			unifw_proto_advance(p);
			break;
		default:
			return;
		}
	}
	__builtin_trap(); /* unbounded work */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t da[3001];
	if (size < 2)
		return 0;
	uint8_t sel = data[0], arg = data[1];
	struct feed f = {data + 2, size - 2, (size_t)(sel & 7) + 1 + (sel & 8 ? 4000 : 0), sel & 16};
	struct unifw_brom *b = unifw_brom_new();
	if (!b)
		return 0;
	struct unifw_proto *p = unifw_brom_proto(b);
	struct unifw_brom_handshake_opts ho = {.byte_timeout_ms = 1, .max_attempts = 1 + (arg & 3)};
	uint32_t words[3] = {0xAD98, 1, 0};
	for (size_t i = 0; i < sizeof da; i++)
		da[i] = (uint8_t)(i * 7);

	unifw_brom_begin_handshake(b, &ho);
	drive(p, &f);
	unifw_brom_begin_get_hw_code(b);
	drive(p, &f);
	unifw_brom_begin_get_hw_sw_ver(b);
	drive(p, &f);
	unifw_brom_begin_get_bl_ver(b);
	drive(p, &f);
	unifw_brom_begin_get_version(b);
	drive(p, &f);
	unifw_brom_begin_get_target_config(b);
	drive(p, &f);
	unifw_brom_begin_get_me_id(b);
	drive(p, &f);
	unifw_brom_begin_read32(b, 0x08000000, (size_t)(arg >> 2) % (UNIFW_BROM_MAX_WORDS + 2));
	drive(p, &f);
	unifw_brom_begin_write32(b, 0x1000141C, words, 1 + (arg & 1) * 2);
	drive(p, &f);
	unifw_brom_begin_disable_watchdog(b, unifw_chip_find(0x6572));
	drive(p, &f);
	unifw_brom_begin_send_da(b, 0x02007000, da, 1 + (size_t)arg * 11, arg & 0x20 ? 0x100 : 0);
	drive(p, &f);
	unifw_brom_begin_jump_da(b, 0x02007000);
	drive(p, &f);

	const struct unifw_brom_info *i = unifw_brom_info(b);
	if (i->me_id_len > UNIFW_BROM_MAX_ME_ID || i->words > UNIFW_BROM_MAX_WORDS)
		__builtin_trap();
	unifw_brom_free(b);
	return 0;
}
