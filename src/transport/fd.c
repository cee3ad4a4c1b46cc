/* The write loop of the descriptor transports (tty.c, sock.c): non-blocking writes, poll() while the
 * device takes nothing, and a timeout that counts from the last byte it took. */
#include "transport/port.h"

#include <errno.h>
#include <poll.h>

/* A write met EAGAIN: wait until the device takes data again, or fail with UNIFW_E_TIMEOUT when it took
 * nothing since `deadline` (done of n bytes written so far). */
static int fd_wait_writable(struct unifw_port *port, int fd, uint64_t deadline, size_t done, size_t n,
			    struct unifw_error *err)
{
	uint64_t now = unifw_mono_ms();
	if (now >= deadline)
		return unifw_error_set(err, UNIFW_E_TIMEOUT, port->name, UNIFW_NO_OFFSET,
				       "the device took no data for %d ms (%zu of %zu bytes written)", PORT_WRITE_TIMEOUT_MS,
				       done, n);
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
		return unifw_error_sys(err, port->name, "poll");
	return 0;
}

int unifw_port_fd_write(struct unifw_port *port, struct fd_port *fp, const uint8_t *buf, size_t n,
		       struct unifw_error *err)
{
	size_t done = 0;
	uint64_t deadline = unifw_mono_ms() + PORT_WRITE_TIMEOUT_MS;
	while (done < n) {
		ssize_t w = fp->write_once(fp->fd, buf + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			deadline = unifw_mono_ms() + PORT_WRITE_TIMEOUT_MS;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return unifw_error_sys(err, port->name, "%s", fp->write_failed(errno));
		int rc = fd_wait_writable(port, fp->fd, deadline, done, n, err);
		if (rc)
			return rc;
	}
	return 0;
}
