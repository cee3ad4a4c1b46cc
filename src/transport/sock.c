/* Stream sockets: unix:/path (the virtual phone, unifw-sim --socket) and tcp:HOST:PORT.
 * Non-blocking descriptor, poll() for timeouts, MSG_NOSIGNAL so a vanished peer is an error and
 * not a SIGPIPE. TCP_NODELAY: the protocol is many tiny request/answer pairs, and Nagle plus
 * delayed ACKs would add ~40 ms to each. */
#include "transport/port.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SOCK_CONNECT_TIMEOUT_MS 5000
/* A WRITE packet is 1 MiB + 2 bytes: with the default send buffer (~200 KiB) it leaves in five
 * writes, each waiting for the phone to read the one before. The kernel caps the size at
 * net.core.wmem_max; a smaller buffer only costs speed. */
#define SOCK_UNIX_SNDBUF (4 << 20)
/* A read on a Unix socket first polls without sleeping for this long. Its peer is the virtual phone,
 * which answers a packet within microseconds: sleeping in poll() would add a scheduler
 * wake-up to every packet of the stop-and-wait READ and WRITE (20-40 us on a virtual machine, ~8 % of
 * a 1 MiB packet), which is what the kernel's own busy polling (SO_BUSY_POLL, cpuidle haltpoll) is
 * for. Bounded, and per read call: an idle wait costs at most this much CPU before it sleeps. Serial
 * and USB ports do not do this: a real phone's answers take longer than a wake-up. */
#define SOCK_BUSY_POLL_US 500

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* connect() with a timeout on a non-blocking socket. Returns 0, or -1 with errno set. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len, unsigned timeout_ms)
{
	if (set_nonblock(fd) < 0)
		return -1;
	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return -1;
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int n;
	do
		n = poll(&pfd, 1, (int)timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (n < 0)
		return -1;
	int soerr = 0;
	socklen_t sl = sizeof soerr;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return -1;
	if (soerr) {
		errno = soerr;
		return -1;
	}
	return 0;
}

static int open_unix(struct unifw_port *port, struct unifw_error *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;
	if (strlen(port->spec.path) >= sizeof sun.sun_path)
		return unifw_error_set(err, UNIFW_E_INVALID, port->spec.path, UNIFW_NO_OFFSET, "socket path too long");
	memcpy(sun.sun_path, port->spec.path, strlen(port->spec.path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return unifw_error_sys(err, port->spec.path, "socket");
	int sndbuf = SOCK_UNIX_SNDBUF;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (connect_timeout(fd, (struct sockaddr *)&sun, sizeof sun, SOCK_CONNECT_TIMEOUT_MS) < 0) {
		int rc = unifw_error_sys(err, port->spec.path, "cannot connect to the unix socket%s",
					 errno == ENOENT || errno == ECONNREFUSED ? " (is unifw-sim --socket running?)" : "");
		close(fd);
		return rc;
	}
	port->fd = fd;
	snprintf(port->name, sizeof port->name, "unix:%s", port->spec.path);
	return 0;
}

static int open_tcp(struct unifw_port *port, struct unifw_error *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char service[8], where[300];
	int rc, fd = -1, saved = 0;

	snprintf(service, sizeof service, "%u", port->spec.tcp_port);
	snprintf(where, sizeof where, "tcp:%s:%u", port->spec.host, port->spec.tcp_port);
	rc = getaddrinfo(port->spec.host, service, &hints, &res);
	if (rc != 0)
		return unifw_error_set(err, UNIFW_E_IO, where, UNIFW_NO_OFFSET, "cannot resolve '%s': %s", port->spec.host,
				       gai_strerror(rc));
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, SOCK_CONNECT_TIMEOUT_MS) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		errno = saved;
		return unifw_error_sys(err, where, "cannot connect");
	}
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	port->fd = fd;
	snprintf(port->name, sizeof port->name, "%s", where);
	return 0;
}

int unifw_sock_open(struct unifw_port *port, struct unifw_error *err)
{
	int rc = port->spec.kind == UNIFW_PORT_UNIX ? open_unix(port, err) : open_tcp(port, err);
	if (rc == 0)
		port->ops = &unifw_sock_ops;
	return rc;
}

/* One receive that does not block: 1 when bytes came (*got), 0 when none are there yet, or an error. */
static int try_receive(struct unifw_port *port, uint8_t *buf, size_t max, size_t *got, struct unifw_error *err)
{
	ssize_t r = recv(port->fd, buf, max, MSG_DONTWAIT);
	if (r < 0 && errno == ENOTSOCK) /* a pipe handed to unifw_port_wrap_fd */
		r = read(port->fd, buf, max);
	if (r > 0) {
		*got = (size_t)r;
		return 1;
	}
	if (r == 0)
		return unifw_error_set(err, UNIFW_E_IO, port->name, UNIFW_NO_OFFSET, "the device closed the connection");
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return unifw_error_sys(err, port->name, "receive");
	return 0;
}

static int sock_read_some(struct unifw_port *port, uint8_t *buf, size_t max, unsigned timeout_ms, size_t *got,
			  struct unifw_error *err)
{
	uint64_t deadline = unifw_mono_ms() + timeout_ms;
	/* Unix sockets only: a TCP peer may be a phone behind a network, whose answers take longer. */
	uint64_t busy_until = port->spec.kind == UNIFW_PORT_UNIX ? unifw_mono_us() + SOCK_BUSY_POLL_US : 0;
	for (;;) {
		int rc = try_receive(port, buf, max, got, err);
		if (rc)
			return rc > 0 ? 0 : rc;
		if (unifw_mono_us() < busy_until) {
			sched_yield(); /* a peer on this CPU runs now: spinning must not hold it off */
			continue;
		}
		uint64_t now = unifw_mono_ms();
		if (now >= deadline)
			return UNIFW_E_TIMEOUT;
		struct pollfd pfd = {.fd = port->fd, .events = POLLIN};
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return unifw_error_sys(err, port->name, "poll");
	}
}

static int sock_write(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err)
{
	size_t done = 0;
	uint64_t deadline = unifw_mono_ms() + PORT_WRITE_TIMEOUT_MS;
	while (done < n) {
		ssize_t w = send(port->fd, buf + done, n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == ENOTSOCK)
			w = write(port->fd, buf + done, n - done);
		if (w > 0) {
			done += (size_t)w;
			deadline = unifw_mono_ms() + PORT_WRITE_TIMEOUT_MS;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return unifw_error_sys(err, port->name,
					       errno == EPIPE || errno == ECONNRESET ? "send (the device closed the connection)"
										     : "send");
		int rc = unifw_port_wait_writable(port, deadline, done, n, err);
		if (rc)
			return rc;
	}
	return 0;
}

static void sock_close(struct unifw_port *port)
{
	if (port->fd >= 0)
		close(port->fd);
	port->fd = -1;
}

/* The virtual phone's USB re-enumeration is a new connection to the same address. */
static int sock_reopen(struct unifw_port *port, unsigned timeout_ms, struct unifw_error *err)
{
	uint64_t deadline = unifw_mono_ms() + timeout_ms;
	struct unifw_error last;
	if (port->spec.kind != UNIFW_PORT_UNIX && port->spec.kind != UNIFW_PORT_TCP)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, port->name, UNIFW_NO_OFFSET,
				       "a wrapped descriptor cannot be reopened");
	sock_close(port);
	port->ops = NULL;
	for (;;) {
		unifw_error_clear(&last);
		if (unifw_sock_open(port, &last) == 0)
			return 0;
		if (unifw_mono_ms() >= deadline)
			break;
		unifw_sleep_ms(20);
	}
	return unifw_error_set(err, UNIFW_E_TIMEOUT, last.where, UNIFW_NO_OFFSET,
			       "could not reconnect within %u ms: %s", timeout_ms, last.msg);
}

const struct unifw_transport_ops unifw_sock_ops = {
	.kind = "socket",
	.read_some = sock_read_some,
	.write = sock_write,
	.reopen = sock_reopen,
	.close = sock_close,
};
