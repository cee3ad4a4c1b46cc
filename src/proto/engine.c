/* The step engine shared by the BROM and legacy DA cores: it keeps the current step, buffers
 * received bytes, checks echoes, counts bytes for error offsets and calls the operation back when
 * a step completes. See engine.h for the contract. */
#include "proto/engine.h"

#include <stdio.h>
#include <string.h>

#include "util/bytes.h"

/* How long a device may take to echo a command byte. */
#define PROTO_ECHO_TIMEOUT_MS 5000

void proto_init(struct unifw_proto *p, const char *core, void *owner)
{
	memset(p, 0, sizeof *p);
	p->core = core;
	p->owner = owner;
	p->step.kind = UNIFW_STEP_IDLE;
	p->step.op = "";
	p->step.what = "";
	unifw_error_clear(&p->err);
}

bool proto_running(const struct unifw_proto *p)
{
	switch (p->step.kind) {
	case UNIFW_STEP_SEND:
	case UNIFW_STEP_RECV:
	case UNIFW_STEP_DATA:
	case UNIFW_STEP_FILL:
		return true;
	default:
		return false;
	}
}

static void set_step(struct unifw_proto *p, enum unifw_step_kind kind, int next_pc, const char *what)
{
	p->step = (struct unifw_step){
		.kind = kind,
		.op = p->step.op,
		.what = what,
		.done = p->done,
		.total = p->total,
	};
	p->next_pc = next_pc;
	p->echo_pending = false;
	p->echo_checking = false;
}

/* Run the operation until it has set up its next step. */
static int proto_resume(struct unifw_proto *p)
{
	if (!p->resume)
		return proto_fail(p, UNIFW_E_INVALID, "no operation is running");
	p->pc = p->next_pc;
	p->step.kind = UNIFW_STEP_IDLE; /* the op must set a new step; IDLE afterwards is a core bug */
	p->resume(p);
	if (p->step.kind == UNIFW_STEP_IDLE)
		return proto_fail(p, UNIFW_E_INVALID, "internal: operation step %d set no next step", p->pc);
	return p->step.kind == UNIFW_STEP_ERROR ? p->err.code : 0;
}

int proto_check_idle(struct unifw_proto *p, const char *op)
{
	if (proto_running(p))
		return unifw_error_set(&p->err, UNIFW_E_INVALID, p->core, UNIFW_NO_OFFSET,
				       "cannot start %s while %s is still running", op, p->step.op);
	return 0;
}

int proto_begin(struct unifw_proto *p, const char *op, int (*resume)(struct unifw_proto *p))
{
	int rc = proto_check_idle(p, op);
	if (rc)
		return rc;
	unifw_error_clear(&p->err);
	p->resume = resume;
	p->step.op = op;
	p->step.what = "start";
	p->next_pc = 0;
	p->timed_out = false;
	p->recv_start = p->rx_total;
	p->done = p->total = 0;
	return proto_resume(p);
}

int proto_send(struct unifw_proto *p, int next_pc, const void *data, size_t len, const char *what)
{
	if (len == 0 || len > sizeof p->tx)
		return proto_fail(p, UNIFW_E_INVALID, "internal: send of %zu bytes", len);
	memcpy(p->tx, data, len);
	set_step(p, UNIFW_STEP_SEND, next_pc, what);
	p->step.data = p->tx;
	p->step.len = len;
	return 0;
}

int proto_send_ext(struct unifw_proto *p, int next_pc, const uint8_t *data, size_t len, const char *what)
{
	if (len == 0 || !data)
		return proto_fail(p, UNIFW_E_INVALID, "internal: empty payload send");
	set_step(p, UNIFW_STEP_SEND, next_pc, what);
	p->step.data = data;
	p->step.len = len;
	return 0;
}

int proto_send_echo(struct unifw_proto *p, int next_pc, const void *data, size_t len, const char *what)
{
	int rc = proto_send(p, next_pc, data, len, what);
	if (rc)
		return rc;
	memcpy(p->echo_tx, data, len);
	p->echo_pending = true;
	p->echo_len = len;
	p->echo_what = what;
	return 0;
}

int proto_send_u8(struct unifw_proto *p, int next_pc, uint8_t v, const char *what)
{
	return proto_send(p, next_pc, &v, 1, what);
}

int proto_send_be32(struct unifw_proto *p, int next_pc, uint32_t v, const char *what)
{
	uint8_t b[4];
	put_be32(b, v);
	return proto_send(p, next_pc, b, 4, what);
}

int proto_echo_u8(struct unifw_proto *p, int next_pc, uint8_t v, const char *what)
{
	return proto_send_echo(p, next_pc, &v, 1, what);
}

int proto_echo_be32(struct unifw_proto *p, int next_pc, uint32_t v, const char *what)
{
	uint8_t b[4];
	put_be32(b, v);
	return proto_send_echo(p, next_pc, b, 4, what);
}

static int recv_setup(struct unifw_proto *p, int next_pc, uint8_t *dst, size_t n, unsigned timeout_ms,
		      bool timeout_expected, const char *what)
{
	if (n == 0)
		return proto_fail(p, UNIFW_E_INVALID, "internal: receive of 0 bytes");
	set_step(p, UNIFW_STEP_RECV, next_pc, what);
	p->step.buf = dst;
	p->step.len = n;
	p->step.timeout_ms = timeout_ms;
	p->step.timeout_expected = timeout_expected;
	p->recv_len = n;
	p->recv_start = p->rx_total;
	p->timed_out = false;
	return 0;
}

int proto_recv(struct unifw_proto *p, int next_pc, size_t n, unsigned timeout_ms, const char *what)
{
	if (n > sizeof p->rx)
		return proto_fail(p, UNIFW_E_INVALID, "internal: receive of %zu bytes into the field buffer", n);
	return recv_setup(p, next_pc, p->rx, n, timeout_ms, false, what);
}

int proto_recv_or_timeout(struct unifw_proto *p, int next_pc, size_t n, unsigned timeout_ms, const char *what)
{
	if (n > sizeof p->rx)
		return proto_fail(p, UNIFW_E_INVALID, "internal: receive of %zu bytes into the field buffer", n);
	return recv_setup(p, next_pc, p->rx, n, timeout_ms, true, what);
}

int proto_recv_into(struct unifw_proto *p, int next_pc, uint8_t *dst, size_t n, unsigned timeout_ms,
		    const char *what)
{
	if (!dst)
		return proto_fail(p, UNIFW_E_INVALID, "internal: receive into no buffer");
	return recv_setup(p, next_pc, dst, n, timeout_ms, false, what);
}

int proto_data(struct unifw_proto *p, int next_pc, const uint8_t *data, size_t len, uint64_t offset)
{
	if (len == 0)
		return proto_fail(p, UNIFW_E_INVALID, "internal: empty data step");
	set_step(p, UNIFW_STEP_DATA, next_pc, "payload for the caller");
	p->step.data = data;
	p->step.len = len;
	p->step.offset = offset;
	return 0;
}

int proto_fill(struct unifw_proto *p, int next_pc, uint8_t *buf, size_t len, uint64_t offset)
{
	if (len == 0)
		return proto_fail(p, UNIFW_E_INVALID, "internal: empty fill step");
	set_step(p, UNIFW_STEP_FILL, next_pc, "payload from the caller");
	p->step.buf = buf;
	p->step.len = len;
	p->step.offset = offset;
	return 0;
}

int proto_done(struct unifw_proto *p)
{
	set_step(p, UNIFW_STEP_DONE, 0, "done");
	p->step.done = p->done;
	p->step.total = p->total;
	p->resume = NULL;
	return 0;
}

int proto_fail(struct unifw_proto *p, int code, const char *fmt, ...)
{
	char where[64], msg[sizeof p->err.msg];
	va_list ap;
	const char *what = p->step.what && p->step.what[0] ? p->step.what : "start";

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(where, sizeof where, "%s %s", p->core, p->step.op && p->step.op[0] ? p->step.op : "(idle)");
	unifw_error_set(&p->err, code, where, p->recv_start, "%s: %s", what, msg);
	p->step.kind = UNIFW_STEP_ERROR;
	p->step.len = 0;
	p->step.data = NULL;
	p->step.buf = NULL;
	p->resume = NULL;
	p->echo_pending = p->echo_checking = false;
	return code;
}

const char *proto_hex(const uint8_t *b, size_t n, char *out, size_t outlen)
{
	size_t pos = 0, shown = n > 24 ? 24 : n;
	if (outlen == 0)
		return out;
	out[0] = 0;
	for (size_t i = 0; i < shown && pos + 4 < outlen; i++)
		pos += (size_t)snprintf(out + pos, outlen - pos, i ? " %02x" : "%02x", b[i]);
	if (shown < n && pos + 5 < outlen)
		snprintf(out + pos, outlen - pos, " ...");
	return out;
}

int proto_fail_bytes(struct unifw_proto *p, const char *what, const uint8_t *expected, size_t elen,
		     const uint8_t *found, size_t flen)
{
	char e[96], f[96];
	return proto_fail(p, UNIFW_E_DEVICE, "%s: expected %s, found %s", what, proto_hex(expected, elen, e, sizeof e),
			  proto_hex(found, flen, f, sizeof f));
}

/* The legacy DA and BROM answer with a few well-known single bytes; naming them makes an error
 * readable ("found a5 (NACK)"). Source: docs/protocol.md "Legacy DA commands" (answer bytes). */
static const char *byte_meaning(uint8_t b)
{
	switch (b) {
	case 0x5A: return " (ACK)";
	case 0xA5: return " (NACK)";
	case 0x69: return " (CONT_CHAR)";
	case 0x96: return " (STOP_CHAR)";
	case 0xC0: return " (SYNC_CHAR)";
	case 0xC1: return " (SOC_OK)";
	case 0xCF: return " (SOC_FAIL)";
	case 0xBB: return " (UNKNOWN_CMD)";
	default: return "";
	}
}

int proto_fail_byte(struct unifw_proto *p, const char *what, uint8_t expected, uint8_t found)
{
	return proto_fail(p, UNIFW_E_DEVICE, "%s: expected %02x%s, found %02x%s", what, expected, byte_meaning(expected),
			  found, byte_meaning(found));
}

/* ---- driver-facing API (proto.h) ---- */

const struct unifw_step *unifw_proto_current(const struct unifw_proto *p)
{
	return &p->step;
}

const struct unifw_error *unifw_proto_error(const struct unifw_proto *p)
{
	return &p->err;
}

uint64_t unifw_proto_rx_total(const struct unifw_proto *p)
{
	return p->rx_total;
}

uint64_t unifw_proto_tx_total(const struct unifw_proto *p)
{
	return p->tx_total;
}

static int wrong_step(struct unifw_proto *p, const char *call, enum unifw_step_kind want)
{
	static const char *const names[] = {"IDLE", "SEND", "RECV", "DATA", "FILL", "DONE", "ERROR"};
	if (p->step.kind == UNIFW_STEP_ERROR)
		return p->err.code;
	return unifw_error_set(&p->err, UNIFW_E_INVALID, p->core, UNIFW_NO_OFFSET,
			       "%s called during a %s step (expected %s)", call, names[p->step.kind], names[want]);
}

int unifw_proto_sent(struct unifw_proto *p)
{
	if (p->step.kind != UNIFW_STEP_SEND)
		return wrong_step(p, "unifw_proto_sent", UNIFW_STEP_SEND);
	p->tx_total += p->step.len;
	if (p->echo_pending) {
		size_t n = p->echo_len;
		int next = p->next_pc;
		const char *what = p->echo_what;
		int rc = recv_setup(p, next, p->rx, n, PROTO_ECHO_TIMEOUT_MS, false, what);
		if (rc)
			return rc;
		p->echo_checking = true;
		return 0;
	}
	return proto_resume(p);
}

static int recv_complete(struct unifw_proto *p)
{
	if (p->echo_checking) {
		p->echo_checking = false;
		if (memcmp(p->rx, p->echo_tx, p->echo_len) != 0)
			return proto_fail_bytes(p, "echo", p->echo_tx, p->echo_len, p->rx, p->echo_len);
	}
	return proto_resume(p);
}

int unifw_proto_received(struct unifw_proto *p, size_t n)
{
	if (p->step.kind != UNIFW_STEP_RECV)
		return wrong_step(p, "unifw_proto_received", UNIFW_STEP_RECV);
	if (n > p->step.len)
		return proto_fail(p, UNIFW_E_INVALID, "driver reported %zu bytes for a receive of %zu", n, p->step.len);
	p->rx_total += n;
	p->step.buf += n;
	p->step.len -= n;
	if (p->step.len > 0)
		return (int)(p->step.len > INT32_MAX ? INT32_MAX : p->step.len);
	int rc = recv_complete(p);
	return rc < 0 ? rc : 0;
}

int unifw_proto_feed(struct unifw_proto *p, const uint8_t *data, size_t len, size_t *used)
{
	size_t total = 0;
	int rc = 0;
	if (used)
		*used = 0;
	if (p->step.kind != UNIFW_STEP_RECV)
		return wrong_step(p, "unifw_proto_feed", UNIFW_STEP_RECV);
	/* Keep feeding while the core keeps asking for bytes: one buffer may hold the end of one
	 * answer and the start of the next. */
	while (p->step.kind == UNIFW_STEP_RECV) {
		size_t take = len - total < p->step.len ? len - total : p->step.len;
		if (take == 0)
			break;
		memcpy(p->step.buf, data + total, take);
		total += take;
		rc = unifw_proto_received(p, take);
		if (rc < 0)
			break;
	}
	if (used)
		*used = total;
	if (rc < 0)
		return rc;
	if (p->step.kind == UNIFW_STEP_RECV)
		return (int)(p->step.len > INT32_MAX ? INT32_MAX : p->step.len);
	return 0;
}

int unifw_proto_timeout(struct unifw_proto *p)
{
	if (p->step.kind != UNIFW_STEP_RECV)
		return wrong_step(p, "unifw_proto_timeout", UNIFW_STEP_RECV);
	if (p->step.timeout_expected) {
		p->timed_out = true;
		return proto_resume(p);
	}
	return proto_fail(p, UNIFW_E_TIMEOUT, "no answer from the device within %u ms (got %zu of %zu bytes)",
			  p->step.timeout_ms, p->recv_len - p->step.len, p->recv_len);
}

int unifw_proto_advance(struct unifw_proto *p)
{
	if (p->step.kind != UNIFW_STEP_DATA && p->step.kind != UNIFW_STEP_FILL)
		return wrong_step(p, "unifw_proto_advance", UNIFW_STEP_DATA);
	return proto_resume(p);
}
