/* Internal: the step engine behind struct unifw_proto (see include/unifw/proto.h).
 *
 * An operation is a resume function with a program counter: each call looks at p->pc, reads what
 * the previous step received (p->rx), and sets up exactly one new step with one of the helpers
 * below (send, send_echo, recv, data, fill, done, fail). The engine calls it again when that step
 * completes. No I/O, no sleeping, no recursion into the driver. */
#ifndef UNIFW_PROTO_ENGINE_H
#define UNIFW_PROTO_ENGINE_H

#include <stdarg.h>

#include "unifw/proto.h"
#include "util/bytes.h"

/* Largest fixed-size field a core receives at once (the eMMC block of DA report 2 is 0x5C). */
#define PROTO_RX_MAX 256
/* Largest small message a core sends at once (READ/WRITE headers are 23 bytes). */
#define PROTO_TX_MAX 64

struct unifw_proto {
	const char *core;                         /* "brom" or "da", first word of error locations */
	int (*resume)(struct unifw_proto *p);     /* the running operation */
	void *owner;                              /* the core that embeds this engine */
	int pc;                                   /* position inside the operation */
	int next_pc;                              /* where to continue when the step completes */
	struct unifw_step step;

	bool echo_pending;                        /* after this SEND, receive and compare its echo */
	bool echo_checking;                       /* the current RECV is an echo to compare */
	size_t echo_len;
	const char *echo_what;
	bool timed_out;                           /* the last RECV ended in an expected timeout */

	uint8_t tx[PROTO_TX_MAX];
	uint8_t echo_tx[PROTO_TX_MAX];
	uint8_t rx[PROTO_RX_MAX];
	size_t recv_len;                          /* full length of the current receive (step.len is what is left) */

	uint64_t rx_total, tx_total;
	uint64_t recv_start;                      /* rx_total when the current receive began */
	uint64_t done, total;                     /* progress of the running operation */

	struct unifw_error err;
};

void proto_init(struct unifw_proto *p, const char *core, void *owner);
/* An operation is between its start and DONE/ERROR. */
/* Big-endian fields of the last answer received into p->rx (0 past its end). */
static inline uint16_t proto_rx_be16(const struct unifw_proto *p, size_t off)
{
	uint16_t v = 0;
	get_be16(p->rx, sizeof p->rx, off, &v);
	return v;
}

static inline uint32_t proto_rx_be32(const struct unifw_proto *p, size_t off)
{
	uint32_t v = 0;
	get_be32(p->rx, sizeof p->rx, off, &v);
	return v;
}

static inline uint64_t proto_rx_be64(const struct unifw_proto *p, size_t off)
{
	uint64_t v = 0;
	get_be64(p->rx, sizeof p->rx, off, &v);
	return v;
}

bool proto_running(const struct unifw_proto *p);
/* Start an operation (refused with UNIFW_E_INVALID while another one is running). */
/* Refuse to start op while another operation runs (0 when idle). A begin function calls it before it
 * stores its arguments in the core: the running operation reads those fields. */
int proto_check_idle(struct unifw_proto *p, const char *op);
int proto_begin(struct unifw_proto *p, const char *op, int (*resume)(struct unifw_proto *p));

/* Step setters; each returns 0 (or the failure status) so that resume functions can `return` them. */
int proto_send(struct unifw_proto *p, int next_pc, const void *data, size_t len, const char *what);
/* Send caller-owned memory (large payloads); it must stay valid until the step completes. */
int proto_send_ext(struct unifw_proto *p, int next_pc, const uint8_t *data, size_t len, const char *what);
/* Send, then receive the same bytes back and compare (BROM commands and u32 arguments). */
int proto_send_echo(struct unifw_proto *p, int next_pc, const void *data, size_t len, const char *what);
int proto_send_u8(struct unifw_proto *p, int next_pc, uint8_t v, const char *what);
int proto_send_be32(struct unifw_proto *p, int next_pc, uint32_t v, const char *what);
int proto_echo_u8(struct unifw_proto *p, int next_pc, uint8_t v, const char *what);
int proto_echo_be32(struct unifw_proto *p, int next_pc, uint32_t v, const char *what);
/* Receive n bytes into p->rx (n <= PROTO_RX_MAX). */
int proto_recv(struct unifw_proto *p, int next_pc, size_t n, unsigned timeout_ms, const char *what);
/* Same, but a timeout is an answer: the op resumes with p->timed_out set. */
int proto_recv_or_timeout(struct unifw_proto *p, int next_pc, size_t n, unsigned timeout_ms, const char *what);
/* Receive n bytes into caller/core memory (payloads). */
int proto_recv_into(struct unifw_proto *p, int next_pc, uint8_t *dst, size_t n, unsigned timeout_ms,
		    const char *what);
int proto_data(struct unifw_proto *p, int next_pc, const uint8_t *data, size_t len, uint64_t offset);
int proto_fill(struct unifw_proto *p, int next_pc, uint8_t *buf, size_t len, uint64_t offset);
int proto_done(struct unifw_proto *p);
/* Fail the operation. The error's where is "<core> <op>", its offset the device-stream position
 * where the offending field began; the message is prefixed with the step name. */
int proto_fail(struct unifw_proto *p, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Fail with "expected <hex>, found <hex>". */
int proto_fail_bytes(struct unifw_proto *p, const char *what, const uint8_t *expected, size_t elen,
		     const uint8_t *found, size_t flen);
/* Fail on a single unexpected byte, naming the known meaning of the byte found (NACK, SOC_FAIL...). */
int proto_fail_byte(struct unifw_proto *p, const char *what, uint8_t expected, uint8_t found);

/* Hex of up to n bytes into out (for messages). */
const char *proto_hex(const uint8_t *b, size_t n, char *out, size_t outlen);

/* Progress of the running operation (shown in step.done / step.total). */
static inline void proto_progress(struct unifw_proto *p, uint64_t done, uint64_t total)
{
	p->done = done;
	p->total = total;
}

#endif
