/* libFuzzer: hostile host bytes against the unifw-sim device core (sans-io, in-memory eMMC).
 * Byte 0 picks the start: bit0 BROM/preloader mode, bit1 boot the DA first with a well-formed
 * host prefix (so that fuzzing reaches the DA command loop), bits 2-4 one fault spec, bit5 the
 * zero-copy driver calls unifw-sim's socket loop uses (feed_room/commit, output_peek/take).
 * The rest is fed in chunks whose sizes come from the input, with time moving and output drained,
 * like the serving loop does. The device must never crash, leak or hold unbounded output. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device/dablob.h"
#include "device/sim_dev.h"
#include "device/storage.h"
#include "fuzz_driver.h"

static const char *const fault_specs[] = {
	NULL, "cut:after=3000", "flip:op=read,after=5,every=97", "stall:op=da,after=10,ms=50",
	"lie:op=write,after=0,count=0", "oversize:op=pmt", "negative:op=da1", "reset:op=write,at=50%",
};

static size_t append(uint8_t *buf, size_t at, const void *b, size_t n)
{
	memcpy(buf + at, b, n);
	return at + n;
}

static size_t append_be32(uint8_t *buf, size_t at, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	return append(buf, at, b, 4);
}

/* What a correct host sends from power-on to the DA command loop in preloader mode (after the A0
 * that the preloader's first poll drops). */
static uint8_t *da_boot_prefix(size_t *len)
{
	size_t l1, l2;
	uint8_t *da1 = sim_dablob_build(1, 0x6572, 0xCA00, &l1), *da2 = sim_dablob_build(2, 0x6572, 0xCA00, &l2);
	uint8_t *p = malloc(l1 + l2 + 128);
	static const uint8_t hs[4] = { 0xA0, 0x0A, 0x50, 0x05 };
	static const uint8_t stage2[18] = { 5, 1, 0, 8, 0, 0x70, 0x07, 0xFF, 0xFF, 0, 0, 0, 0, 0xA8, 1, 1, 2, 0 };
	size_t n = append(p, 0, hs, 4);
	n = append(p, n, "\xD7", 1);
	n = append_be32(p, n, SIM_DA1_ADDR);
	n = append_be32(p, n, (uint32_t)l1);
	n = append_be32(p, n, SIM_DA_SIG_LEN);
	n = append(p, n, da1, l1);
	n = append(p, n, "\xD5", 1);
	n = append_be32(p, n, SIM_DA1_ADDR);
	n = append(p, n, "\x5A", 1);
	n = append(p, n, stage2, sizeof stage2);
	n = append_be32(p, n, SIM_DA2_ADDR);
	n = append_be32(p, n, (uint32_t)l2);
	n = append_be32(p, n, 0x1000);
	n = append(p, n, da2, l2);
	n = append(p, n, "\x5A", 1);
	free(da1);
	free(da2);
	*len = n;
	return p;
}

static void drain(struct sim_dev *d, uint64_t now)
{
	static uint8_t out[65536];
	while (sim_dev_output(d, out, sizeof out, now) > 0)
		;
	struct sim_event ev;
	while (sim_dev_next_event(d, &ev))
		;
}

/* The socket loop's way: host bytes land in the device's own buffer, output is read in place. */
static void feed_in_place(struct sim_dev *d, const uint8_t *b, size_t n, uint64_t now)
{
	while (n) {
		uint8_t *room;
		size_t k = sim_dev_feed_room(d, &room);
		if (k == 0) {
			sim_dev_feed(d, b, n, now);
			return;
		}
		if (k > n)
			k = n;
		memcpy(room, b, k);
		sim_dev_feed_commit(d, k, now);
		b += k;
		n -= k;
	}
}

static void drain_in_place(struct sim_dev *d, uint64_t now)
{
	const uint8_t *p;
	size_t n;
	volatile uint8_t sum = 0;
	while ((n = sim_dev_output_peek(d, &p, now)) > 0) {
		for (size_t i = 0; i < n; i++) /* every byte read: ASan checks the whole range */
			sum = (uint8_t)(sum + p[i]);
		sim_dev_output_take(d, n);
	}
	struct sim_event ev;
	while (sim_dev_next_event(d, &ev))
		;
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	struct sim_emmc_geometry g = { .size = { [SIM_PART_BOOT1] = 64 << 10, [SIM_PART_BOOT2] = 64 << 10,
						 [SIM_PART_RPMB] = 64 << 10, [SIM_PART_USER] = 2 << 20 } };
	memcpy(g.cid, "\x15\x01\x00N5U00M\x10\x12\x34\x56\x78\x9A\xBD", 16);
	struct sim_memstore *ms = sim_memstore_new(&g);
	if (!ms)
		return;
	struct sim_fault fault;
	const char *spec = fault_specs[(data[0] >> 2) & 7];
	struct sim_config cfg = { .mode = (data[0] & 1) ? SIM_MODE_BROM : SIM_MODE_PRELOADER,
				  .preloader_window_ms = 500, .storage = sim_memstore_storage(ms), .seed = data[0] };
	if (spec && sim_fault_parse(spec, &fault, NULL) == 0) {
		cfg.faults = &fault;
		cfg.n_faults = 1;
	}
	sim_personality_default(&cfg.pers, &g);
	struct sim_dev *d = sim_dev_new(&cfg);
	if (!d) {
		sim_memstore_free(ms);
		return;
	}
	uint64_t now = 0;
	sim_dev_connect(d, now);
	if (data[0] & 2) {
		if (!(data[0] & 1)) {
			/* a listening preloader drops the first chunk that starts with A0 at its next poll */
			sim_dev_feed(d, (const uint8_t *)"\xA0", 1, now);
			now = sim_dev_deadline(d);
			sim_dev_tick(d, now);
		}
		size_t plen;
		uint8_t *prefix = da_boot_prefix(&plen);
		sim_dev_feed(d, prefix, plen, now);
		free(prefix);
		drain(d, now);
	}
	size_t i = 1;
	while (i < size) {
		size_t chunk = 1 + data[i] % 64;
		i++;
		if (chunk > size - i)
			chunk = size - i;
		bool in_place = data[0] & 0x20;
		if (in_place)
			feed_in_place(d, data + i, chunk, now);
		else
			sim_dev_feed(d, data + i, chunk, now);
		i += chunk;
		now += 7;
		sim_dev_tick(d, now);
		if (in_place)
			drain_in_place(d, now);
		else
			drain(d, now);
		if (sim_dev_link(d) == SIM_LINK_CLOSING) { /* the driver's part: replug */
			sim_dev_disconnect(d, now);
			sim_dev_connect(d, now);
		}
	}
	sim_dev_free(d);
	sim_memstore_free(ms);
}

const struct fuzz_target fuzz_target = { .name = "sim_dev", .min_input = 1, .run = fuzz_one };
