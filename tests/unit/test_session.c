/* unifw_session_run, the one loop that does I/O for the sans-io cores, driving the BROM and DA cores
 * over a socketpair against a scripted peer: commands and echoes, a READ streamed to the DATA hook with
 * progress, and a peer that hangs up. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "unifw/brom.h"
#include "unifw/da_legacy.h"
#include "unifw/transport.h"
#include "util/clock.h"

#include "fd_util.h"

/* ---- session driver over a socketpair with a scripted peer ---- */

struct exchange {
	const uint8_t *expect; /* what the host must send next */
	size_t expect_len;
	const uint8_t *reply;  /* what the peer answers */
	size_t reply_len;
};

struct peer {
	int fd;
	const struct exchange *ex;
	size_t count;
	char mismatch[256];
	bool close_at_end;
};

static void *peer_run(void *arg)
{
	struct peer *pr = arg;
	uint8_t buf[0x3000];
	for (size_t i = 0; i < pr->count; i++) {
		const struct exchange *x = &pr->ex[i];
		if (x->expect_len) {
			size_t got = read_fd_exact(pr->fd, buf, x->expect_len, 3000);
			if (got != x->expect_len || memcmp(buf, x->expect, x->expect_len) != 0) {
				snprintf(pr->mismatch, sizeof pr->mismatch, "exchange %zu: host bytes differ (got %zu)", i, got);
				break;
			}
		}
		if (x->reply_len)
			write_all_fd(pr->fd, x->reply, x->reply_len);
	}
	if (pr->close_at_end)
		close(pr->fd);
	return NULL;
}

#define X(e, r) {(const uint8_t *)(e), sizeof(e) - 1, (const uint8_t *)(r), sizeof(r) - 1}

static void session_runs_brom_ops_over_a_socket(void **state)
{
	(void)state;
	static const struct exchange ex[] = {
		X("\xA0", "\x5F"), X("\x0A", "\xF5"), X("\x50", "\xAF"), X("\x05", "\xFA"),
		X("\xFD", "\xFD\x65\x72\x00\x00"),
	};
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct peer pr = {.fd = sv[1], .ex = ex, .count = sizeof ex / sizeof ex[0]};
	pthread_t th;
	pthread_create(&th, NULL, peer_run, &pr);
	struct unifw_port *port;
	struct unifw_error e;
	assert_int_equal(unifw_port_wrap_fd(sv[0], "pair", &port, &e), 0);
	struct unifw_brom *b = unifw_brom_new();
	assert_int_equal(unifw_brom_begin_handshake(b, NULL), 0);
	assert_int_equal(unifw_session_run(port, unifw_brom_proto(b), NULL, &e), 0);
	assert_int_equal(unifw_brom_begin_get_hw_code(b), 0);
	assert_int_equal(unifw_session_run(port, unifw_brom_proto(b), NULL, &e), 0);
	assert_int_equal(unifw_brom_info(b)->hw_code, 0x6572);
	pthread_join(th, NULL);
	assert_string_equal(pr.mismatch, "");

	/* a silent device: the core's timeout (scaled down to 2 %) names the op and step */
	struct unifw_session_hooks fast = {.timeout_percent = 2};
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_brom_begin_get_hw_code(b), 0);
	assert_int_equal(unifw_session_run(port, unifw_brom_proto(b), &fast, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 < 2000);
	assert_string_equal(e.where, "brom GET_HW_CODE");
	assert_non_null(strstr(e.msg, "command echo: no answer from the device within 5000 ms"));

	/* a device that vanishes: the port's error with the op and step in front */
	close(sv[1]);
	assert_int_equal(unifw_brom_begin_get_hw_code(b), 0);
	int rc = unifw_session_run(port, unifw_brom_proto(b), &fast, &e);
	assert_int_equal(rc, UNIFW_E_IO);
	assert_non_null(strstr(e.msg, "GET_HW_CODE: "));
	unifw_brom_free(b);
	unifw_port_close(port);
}

struct sink {
	uint8_t buf[4096];
	size_t len;
	unsigned progress_calls;
	uint64_t last_done;
};

static int sink_data(void *ctx, const uint8_t *data, size_t len, uint64_t offset, struct unifw_error *err)
{
	struct sink *s = ctx;
	if (offset != s->len || s->len + len > sizeof s->buf)
		return unifw_error_set(err, UNIFW_E_INVALID, "sink", offset, "unexpected offset");
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

static void sink_progress(void *ctx, const char *op, uint64_t done, uint64_t total)
{
	struct sink *s = ctx;
	assert_string_equal(op, "READ");
	assert_int_equal(total, 1300);
	assert_true(done > s->last_done || s->progress_calls == 0);
	s->last_done = done;
	s->progress_calls++;
}

static void session_streams_a_read_to_the_hook(void **state)
{
	(void)state;
	static uint8_t disk[1300];
	/* D6, host os 0C (Linux), storage 02 (eMMC), addr 0x1000, length 0x514, packet 0x200 */
	static const uint8_t header[23] = {0xD6, 0x0C, 0x02, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 0, 0, 0,
					   0, 0, 0x05, 0x14, 0x00, 0x00, 0x02, 0x00};
	static const uint8_t ack = 0x5A;
	for (size_t i = 0; i < sizeof disk; i++)
		disk[i] = (uint8_t)(i * 5 + 1);
	/* the peer: ACK and packet 1 after the header, then each packet after our ACK, each with its
	 * 16-bit byte sum */
	uint8_t pk[3][1 + 512 + 2];
	size_t pl[3];
	for (size_t i = 0; i < 3; i++) {
		size_t off = i * 512, n = sizeof disk - off < 512 ? sizeof disk - off : 512, at = 0;
		if (i == 0)
			pk[i][at++] = 0x5A;
		memcpy(pk[i] + at, disk + off, n);
		uint16_t sum = unifw_da_bytesum(disk + off, n, 0);
		pk[i][at + n] = (uint8_t)(sum >> 8);
		pk[i][at + n + 1] = (uint8_t)sum;
		pl[i] = at + n + 2;
	}
	const struct exchange ex[4] = {
		{header, sizeof header, pk[0], pl[0]},
		{&ack, 1, pk[1], pl[1]},
		{&ack, 1, pk[2], pl[2]},
		{&ack, 1, NULL, 0},
	};
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct peer pr = {.fd = sv[1], .ex = ex, .count = 4, .close_at_end = true};
	pthread_t th;
	pthread_create(&th, NULL, peer_run, &pr);
	struct unifw_port *port;
	struct unifw_error e;
	assert_int_equal(unifw_port_wrap_fd(sv[0], "pair", &port, &e), 0);
	struct unifw_da *da = unifw_da_new();
	struct sink sk = {0};
	struct unifw_session_hooks hooks = {.on_data = sink_data, .on_progress = sink_progress, .ctx = &sk};
	assert_int_equal(unifw_da_begin_read(da, 2, 0x1000, 1300, 512), 0);
	assert_int_equal(unifw_session_run(port, unifw_da_proto(da), &hooks, &e), 0);
	pthread_join(th, NULL);
	assert_string_equal(pr.mismatch, "");
	assert_int_equal(sk.len, sizeof disk);
	assert_memory_equal(sk.buf, disk, sizeof disk);
	assert_int_equal(sk.last_done, 1300);
	assert_true(sk.progress_calls >= 3);
	/* the peer hung up after the last ACK: the next command fails with the step named */
	assert_int_equal(unifw_da_begin_usb_check_status(da), 0);
	assert_int_equal(unifw_session_run(port, unifw_da_proto(da), NULL, &e), UNIFW_E_IO);
	assert_non_null(strstr(e.msg, "USB_CHECK_STATUS: "));
	unifw_da_free(da);
	unifw_port_close(port);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_runs_brom_ops_over_a_socket),
		cmocka_unit_test(session_streams_a_read_to_the_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
