/* Recorded-transcript driver for the sans-io protocol cores (tests only).
 *
 * A script is the conversation written down in order: H(...) = bytes the host must send,
 * D(...) = bytes the device sends. A device byte becomes readable only once every host byte
 * written before it in the script has been sent (causality), so a core that reads before it
 * writes, or writes the wrong bytes, fails the test; a device byte written BEFORE a host byte
 * models a device that answers unprompted. When the core wants bytes and none are readable the
 * driver reports a timeout, which is how silence is tested. */
#ifndef UNIFW_TEST_PROTO_SCRIPT_H
#define UNIFW_TEST_PROTO_SCRIPT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/proto.h"

struct script {
	uint8_t *host;       /* expected host stream */
	size_t host_len, host_cap;
	uint8_t *dev;        /* device stream */
	size_t *dev_gate;    /* host bytes that must be sent before each device byte */
	size_t dev_len, dev_cap;
	/* run state */
	size_t host_sent, dev_read;
	char mismatch[512];
	/* DATA received / FILL source */
	uint8_t *data;
	size_t data_len, data_cap;
	size_t data_steps;
	const uint8_t *fill_src;
	size_t fill_len;
	size_t fill_steps;
	size_t fill_sizes[64];
	size_t timeouts;
};

static inline void scr_grow(uint8_t **b, size_t *cap, size_t need, size_t **gate)
{
	if (need <= *cap)
		return;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	*b = realloc(*b, nc);
	if (gate)
		*gate = realloc(*gate, nc * sizeof **gate);
	*cap = nc;
}

static inline void scr_h(struct script *s, const void *b, size_t n)
{
	scr_grow(&s->host, &s->host_cap, s->host_len + n, NULL);
	memcpy(s->host + s->host_len, b, n);
	s->host_len += n;
}

static inline void scr_d(struct script *s, const void *b, size_t n)
{
	scr_grow(&s->dev, &s->dev_cap, s->dev_len + n, &s->dev_gate);
	memcpy(s->dev + s->dev_len, b, n);
	for (size_t i = 0; i < n; i++)
		s->dev_gate[s->dev_len + i] = s->host_len;
	s->dev_len += n;
}

static inline void scr_be16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
static inline void scr_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}
static inline void scr_be64(uint8_t *b, uint64_t v) { scr_be32(b, (uint32_t)(v >> 32)); scr_be32(b + 4, (uint32_t)v); }
static inline void scr_h8(struct script *s, uint8_t v) { scr_h(s, &v, 1); }
static inline void scr_d8(struct script *s, uint8_t v) { scr_d(s, &v, 1); }
static inline void scr_h32(struct script *s, uint32_t v) { uint8_t b[4]; scr_be32(b, v); scr_h(s, b, 4); }
static inline void scr_d16(struct script *s, uint16_t v) { uint8_t b[2]; scr_be16(b, v); scr_d(s, b, 2); }
static inline void scr_d32(struct script *s, uint32_t v) { uint8_t b[4]; scr_be32(b, v); scr_d(s, b, 4); }
static inline void scr_d64(struct script *s, uint64_t v) { uint8_t b[8]; scr_be64(b, v); scr_d(s, b, 8); }
/* A BROM echo: host sends, device returns the same bytes. */
static inline void scr_echo(struct script *s, const void *b, size_t n) { scr_h(s, b, n); scr_d(s, b, n); }
static inline void scr_echo8(struct script *s, uint8_t v) { scr_echo(s, &v, 1); }
static inline void scr_echo32(struct script *s, uint32_t v) { uint8_t b[4]; scr_be32(b, v); scr_echo(s, b, 4); }

#define H(s, ...) do { static const uint8_t b_[] = {__VA_ARGS__}; scr_h((s), b_, sizeof b_); } while (0)
#define D(s, ...) do { static const uint8_t b_[] = {__VA_ARGS__}; scr_d((s), b_, sizeof b_); } while (0)

static inline void scr_free(struct script *s)
{
	free(s->host);
	free(s->dev);
	free(s->dev_gate);
	free(s->data);
	memset(s, 0, sizeof *s);
}

/* Run the core's current operation against the script, feeding at most `chunk` bytes per call
 * (1 exercises partial receives). Returns the core's final status (0 = DONE). */
static inline int scr_run(struct script *s, struct unifw_proto *p, size_t chunk)
{
	for (size_t guard = 0; guard < 100000000; guard++) {
		const struct unifw_step *st = unifw_proto_current(p);
		switch (st->kind) {
		case UNIFW_STEP_DONE:
			return 0;
		case UNIFW_STEP_ERROR:
			return unifw_proto_error(p)->code;
		case UNIFW_STEP_IDLE:
			return -1000;
		case UNIFW_STEP_SEND:
			if (!s->mismatch[0]) {
				for (size_t i = 0; i < st->len; i++) {
					size_t at = s->host_sent + i;
					if (at >= s->host_len || s->host[at] != st->data[i]) {
						snprintf(s->mismatch, sizeof s->mismatch,
							 "%s/%s: host byte %zu: expected %s%02x, sent %02x", st->op, st->what, at,
							 at >= s->host_len ? "(end of script) " : "",
							 at >= s->host_len ? 0 : s->host[at], st->data[i]);
						break;
					}
				}
			}
			s->host_sent += st->len;
			unifw_proto_sent(p);
			break;
		case UNIFW_STEP_RECV: {
			size_t avail = 0;
			while (s->dev_read + avail < s->dev_len && s->dev_gate[s->dev_read + avail] <= s->host_sent)
				avail++;
			if (avail == 0) {
				s->timeouts++;
				unifw_proto_timeout(p);
				break;
			}
			size_t n = avail < chunk ? avail : chunk;
			size_t used = 0;
			int left = unifw_proto_feed(p, s->dev + s->dev_read, n, &used);
			s->dev_read += used;
			if (left < 0)
				return left;
			break;
		}
		case UNIFW_STEP_DATA:
			scr_grow(&s->data, &s->data_cap, s->data_len + st->len, NULL);
			memcpy(s->data + s->data_len, st->data, st->len);
			s->data_len += st->len;
			s->data_steps++;
			unifw_proto_advance(p);
			break;
		case UNIFW_STEP_FILL:
			if (s->fill_steps < 64)
				s->fill_sizes[s->fill_steps] = st->len;
			s->fill_steps++;
			for (size_t i = 0; i < st->len; i++)
				st->buf[i] = st->offset + i < s->fill_len ? s->fill_src[st->offset + i] : 0xEE;
			unifw_proto_advance(p);
			break;
		}
	}
	return -1001;
}

/* The run matched the script exactly: every host byte as written, every device byte consumed. */
#define assert_script_complete(s)                                                                      \
	do {                                                                                           \
		if ((s)->mismatch[0])                                                                  \
			fail_msg("%s", (s)->mismatch);                                                  \
		assert_int_equal((s)->host_sent, (s)->host_len);                                       \
		assert_int_equal((s)->dev_read, (s)->dev_len);                                         \
	} while (0)

#endif
