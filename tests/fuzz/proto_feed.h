/* The step feeder shared by the protocol-core harnesses (fuzz_brom.c, fuzz_da_legacy.c; the input loop
 * itself is fuzz_driver.c): the fuzzer's input is everything the device says. Each RECV is fed from the
 * input in chunks (copied with unifw_proto_feed or written straight into the core's buffer), each SEND is
 * taken as written (and must not be empty), an empty input is a timeout. DATA payloads must arrive in
 * order inside the range asked for, FILL buffers are written in full; with FUZZ_ANY_RANGE both are only
 * advanced. The step count is bounded: each step consumes input, ends in a timeout, or is one of an
 * operation's finite sends; more than a million steps is a bug (unbounded work), and traps. */
#ifndef UNIFW_FUZZ_PROTO_FEED_H
#define UNIFW_FUZZ_PROTO_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unifw/proto.h"

#define FUZZ_ANY_RANGE UINT64_MAX

struct fuzz_feed {
	const uint8_t *d;
	size_t n;
	size_t chunk;      /* bytes offered per RECV */
	int zero_copy;     /* write into the core's buffer instead of unifw_proto_feed */
	uint64_t data_bytes; /* DATA bytes delivered by the current operation */
};

/* Feeding style from a selector byte: bits 0-2 chunk size, bit 3 a large chunk (big_chunk more),
 * bit 4 zero-copy. */
static inline struct fuzz_feed fuzz_feed_from(const uint8_t *d, size_t n, uint8_t sel, size_t big_chunk)
{
	struct fuzz_feed f = {d, n, (size_t)(sel & 7) + 1 + (sel & 8 ? big_chunk : 0), sel & 16, 0};
	return f;
}

static inline void fuzz_feed_recv(struct unifw_proto *p, const struct unifw_step *st, struct fuzz_feed *f)
{
	if (f->n == 0) {
		unifw_proto_timeout(p);
		return;
	}
	size_t n = f->n < f->chunk ? f->n : f->chunk;
	if (f->zero_copy) {
		if (n > st->len)
			n = st->len;
		memcpy(st->buf, f->d, n);
		unifw_proto_received(p, n);
	} else {
		size_t used = 0;
		unifw_proto_feed(p, f->d, n, &used);
		n = used;
	}
	f->d += n;
	f->n -= n;
}

static inline void fuzz_feed_payload(struct unifw_proto *p, const struct unifw_step *st, struct fuzz_feed *f,
				     uint64_t range)
{
	if (range != FUZZ_ANY_RANGE) {
		if (st->kind == UNIFW_STEP_DATA) {
			if (st->offset != f->data_bytes || st->offset + st->len > range)
				__builtin_trap();
			f->data_bytes += st->len;
			(void)st->data[st->len - 1];
		} else {
			if (st->offset + st->len > range)
				__builtin_trap();
			memset(st->buf, 0xA5, st->len);
		}
	}
	unifw_proto_advance(p);
}

/* Run the operation just begun on p to its end (done or error). */
static inline void fuzz_drive(struct unifw_proto *p, struct fuzz_feed *f, uint64_t range)
{
	f->data_bytes = 0;
	for (unsigned guard = 0; guard < 1000000; guard++) {
		const struct unifw_step *st = unifw_proto_current(p);
		switch (st->kind) {
		case UNIFW_STEP_SEND:
			if (st->len == 0 || !st->data)
				__builtin_trap();
			unifw_proto_sent(p);
			break;
		case UNIFW_STEP_RECV:
			fuzz_feed_recv(p, st, f);
			break;
		case UNIFW_STEP_DATA:
		case UNIFW_STEP_FILL:
			fuzz_feed_payload(p, st, f, range);
			break;
		default:
			return;
		}
	}
	__builtin_trap();
}

#endif
