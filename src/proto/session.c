/* The driver loop: the one place where a protocol core meets a transport, with timeouts. It
 * performs each step the core asks for and hands payloads to the caller's hooks. */
#include <stdio.h>

#include "proto/engine.h"
#include "unifw/transport.h"

static unsigned scaled(unsigned ms, unsigned percent)
{
	uint64_t v = (uint64_t)ms * (percent ? percent : 100) / 100;
	return v > 0x7FFFFFFF ? 0x7FFFFFFF : (unsigned)(v ? v : 1);
}

static int copy_core_error(struct unifw_proto *p, struct unifw_error *err)
{
	if (err)
		*err = *unifw_proto_error(p);
	return unifw_proto_error(p)->code ? unifw_proto_error(p)->code : UNIFW_E_DEVICE;
}

/* An I/O failure: the port's error, with the operation and step in front. */
static int io_failure(const struct unifw_step *st, struct unifw_error *err, int rc)
{
	unifw_error_prefix(err, "%s: %s: ", st->op, st->what);
	return rc;
}

static int do_recv(struct unifw_port *port, struct unifw_proto *p, const struct unifw_step *st, unsigned percent,
		   struct unifw_error *err)
{
	size_t got = 0;
	/* A step where a timeout is an answer (the handshake's retry and drain) keeps its time: it paces
	 * the device's own windows (a preloader allows 300 ms for A0 0A 50 05), it is not patience. */
	unsigned timeout_ms = st->timeout_expected ? st->timeout_ms : scaled(st->timeout_ms, percent);
	int rc = unifw_port_read_some(port, st->buf, st->len, timeout_ms, &got, err);
	if (rc == UNIFW_E_TIMEOUT)
		return unifw_proto_timeout(p) < 0 ? copy_core_error(p, err) : 0;
	if (rc < 0)
		return io_failure(st, err, rc);
	return unifw_proto_received(p, got) < 0 ? copy_core_error(p, err) : 0;
}

int unifw_session_run(struct unifw_port *port, struct unifw_proto *p, const struct unifw_session_hooks *hooks,
		      struct unifw_error *err)
{
	unsigned percent = hooks ? hooks->timeout_percent : 0;
	uint64_t last_done = 0;
	for (;;) {
		const struct unifw_step *st = unifw_proto_current(p);
		int rc = 0;
		switch (st->kind) {
		case UNIFW_STEP_IDLE:
			return unifw_error_set(err, UNIFW_E_INVALID, "session", UNIFW_NO_OFFSET, "no operation was started");
		case UNIFW_STEP_DONE:
			return 0;
		case UNIFW_STEP_ERROR:
			return copy_core_error(p, err);
		case UNIFW_STEP_SEND:
			rc = unifw_port_write(port, st->data, st->len, err);
			if (rc < 0)
				return io_failure(st, err, rc);
			if (unifw_proto_sent(p) < 0)
				return copy_core_error(p, err);
			break;
		case UNIFW_STEP_RECV:
			if ((rc = do_recv(port, p, st, percent, err)) < 0)
				return rc;
			break;
		case UNIFW_STEP_DATA:
			if (!hooks || !hooks->on_data)
				return unifw_error_set(err, UNIFW_E_INVALID, "session", UNIFW_NO_OFFSET,
						       "%s delivers data but no on_data hook was given", st->op);
			if ((rc = hooks->on_data(hooks->ctx, st->data, st->len, st->offset, err)) < 0)
				return rc;
			if (unifw_proto_advance(p) < 0)
				return copy_core_error(p, err);
			break;
		case UNIFW_STEP_FILL:
			if (!hooks || !hooks->on_fill)
				return unifw_error_set(err, UNIFW_E_INVALID, "session", UNIFW_NO_OFFSET,
						       "%s needs data but no on_fill hook was given", st->op);
			if ((rc = hooks->on_fill(hooks->ctx, st->buf, st->len, st->offset, err)) < 0)
				return rc;
			if (unifw_proto_advance(p) < 0)
				return copy_core_error(p, err);
			break;
		}
		st = unifw_proto_current(p); /* the next step carries the updated progress */
		if (hooks && hooks->on_progress && st->total && st->done != last_done) {
			last_done = st->done;
			hooks->on_progress(hooks->ctx, st->op, st->done, st->total);
		}
	}
}
