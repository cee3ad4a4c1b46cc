/* unifw — the step interface shared by the sans-io protocol cores (brom.h, da_legacy.h).
 *
 * A core never touches a file descriptor and never sleeps. An operation is started with
 * unifw_brom_begin_*() / unifw_da_begin_*(); from then on the core says, one step at a time, what
 * has to happen next (unifw_proto_current()):
 *
 *   SEND  write data[0..len) to the device, then call unifw_proto_sent()
 *   RECV  read len more bytes from the device: either copy them in with unifw_proto_feed() (any
 *         chunk size), or read them straight into buf and call unifw_proto_received(n);
 *         when nothing arrives within timeout_ms call unifw_proto_timeout()
 *   DATA  verified payload for the caller (a READ packet): consume data[0..len) at `offset`,
 *         then call unifw_proto_advance()
 *   FILL  the core needs payload (a WRITE packet): write exactly len bytes into buf, the bytes of
 *         the caller's image at `offset`, then call unifw_proto_advance()
 *   DONE  the operation finished; its results are in the core's info
 *   ERROR the device broke the protocol (or the host refused to go on): unifw_proto_error() names
 *         the operation, the step, the byte offset in the device's stream and expected vs found
 *
 * unifw_session_run() (session.c) is the one driver loop that does this over a struct unifw_port;
 * tests and fuzzers drive cores with recorded byte sequences instead. */
#ifndef UNIFW_PROTO_H
#define UNIFW_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct unifw_proto; /* opaque: the step engine inside a BROM or DA core */
struct unifw_port;  /* opaque: transport.h */

enum unifw_step_kind {
	UNIFW_STEP_IDLE = 0, /* no operation started yet */
	UNIFW_STEP_SEND,
	UNIFW_STEP_RECV,
	UNIFW_STEP_DATA,
	UNIFW_STEP_FILL,
	UNIFW_STEP_DONE,
	UNIFW_STEP_ERROR,
};

struct unifw_step {
	enum unifw_step_kind kind;
	const uint8_t *data;    /* SEND: bytes to write; DATA: verified payload */
	uint8_t *buf;           /* RECV: where the next bytes go; FILL: where the payload goes */
	size_t len;             /* SEND/DATA/FILL: byte count; RECV: bytes still wanted */
	uint64_t offset;        /* DATA/FILL: position of this payload inside the operation */
	uint64_t done, total;   /* progress of the operation (bytes, or percent for FORMAT) */
	unsigned timeout_ms;    /* RECV: how long the device may stay silent */
	bool timeout_expected;  /* RECV: a timeout is an answer here (handshake retry, draining) */
	const char *op;         /* operation, e.g. "SEND_DA" */
	const char *what;       /* step, e.g. "echo of the address" */
};

/* The current step; never NULL. The pointers inside stay valid until the next call into the core. */
const struct unifw_step *unifw_proto_current(const struct unifw_proto *p);

/* SEND completed (every byte written). Returns 0 or a negative status (the step becomes ERROR). */
int unifw_proto_sent(struct unifw_proto *p);

/* Copy received bytes into the core, across as many RECV steps as it takes in a row (*used, may
 * be NULL, says how many were taken; the rest belongs after the core's next SEND). Returns the
 * number of bytes the core still waits for (> 0: "need N more"), 0 when it stopped waiting for
 * bytes (it wants to send, hand over data, or is DONE), or a negative status on a protocol error. */
int unifw_proto_feed(struct unifw_proto *p, const uint8_t *data, size_t len, size_t *used);

/* Zero-copy variant: n bytes (n <= step len) were written into the step's buf. Returns what is
 * still needed for this receive (> 0), 0 when it completed, or a negative status. */
int unifw_proto_received(struct unifw_proto *p, size_t n);

/* The device stayed silent for the step's timeout. An error unless the step expects timeouts. */
int unifw_proto_timeout(struct unifw_proto *p);

/* DATA consumed / FILL written. Returns 0 or negative. */
int unifw_proto_advance(struct unifw_proto *p);

/* The error of an ERROR step (code, where = "<core> <op>", offset in the device's byte stream). */
const struct unifw_error *unifw_proto_error(const struct unifw_proto *p);

/* Bytes the device sent / the host sent since the core was created. */
uint64_t unifw_proto_rx_total(const struct unifw_proto *p);
uint64_t unifw_proto_tx_total(const struct unifw_proto *p);

/* Driver loop: runs the current operation of p over port until DONE or ERROR. The only place where
 * protocol bytes meet I/O and timeouts. DATA and FILL steps go to the hooks (an operation that
 * needs one and finds it NULL fails with UNIFW_E_INVALID). */
struct unifw_session_hooks {
	/* A verified READ packet. Return 0 or a negative status (stops the operation). */
	int (*on_data)(void *ctx, const uint8_t *data, size_t len, uint64_t offset, struct unifw_error *err);
	/* Fill buf with len bytes of the image at offset. Return 0 or a negative status. */
	int (*on_fill)(void *ctx, uint8_t *buf, size_t len, uint64_t offset, struct unifw_error *err);
	/* Progress after each step that moved bytes (may be NULL). */
	void (*on_progress)(void *ctx, const char *op, uint64_t done, uint64_t total);
	void *ctx;
	/* Multiply every step timeout by this many percent (0 = 100): slow hosts, sanitizer builds. */
	unsigned timeout_percent;
};
int unifw_session_run(struct unifw_port *port, struct unifw_proto *p, const struct unifw_session_hooks *hooks,
		      struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
