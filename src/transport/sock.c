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
#include <stdlib.h>
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

static ssize_t sock_write_once(int fd, const uint8_t *buf, size_t n)
{
	ssize_t w = send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0 && errno == ENOTSOCK) /* a pipe handed to unifw_port_wrap_fd */
		w = write(fd, buf, n);
	return w;
}

static const char *sock_write_failed(int errnum)
{
	return errnum == EPIPE || errnum == ECONNRESET ? "send (the device closed the connection)" : "send";
}

/* A socket's state behind port->state: only its descriptor. */
static int sock_attach(struct unifw_port *port, int fd, const struct unifw_transport_ops *ops,
		       struct unifw_error *err)
{
	struct fd_port *fp = calloc(1, sizeof *fp);
	if (!fp)
		return unifw_error_set(err, UNIFW_E_NOMEM, port->name, UNIFW_NO_OFFSET, "out of memory");
	fp->fd = fd;
	fp->write_once = sock_write_once;
	fp->write_failed = sock_write_failed;
	port->state = fp;
	port->ops = ops;
	return 0;
}

static int sock_fd(const struct unifw_port *port)
{
	return ((const struct fd_port *)port->state)->fd;
}

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
	snprintf(port->name, sizeof port->name, "unix:%s", port->spec.path);
	int rc = sock_attach(port, fd, &unifw_unix_ops, err);
	if (rc < 0)
		close(fd);
	return rc;
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
	snprintf(port->name, sizeof port->name, "%s", where);
	rc = sock_attach(port, fd, &unifw_tcp_ops, err);
	if (rc < 0)
		close(fd);
	return rc;
}

/* A wrapped descriptor reads and writes like a Unix socket (without the busy poll: its spec is FD). */
int unifw_sock_wrap(struct unifw_port *port, int fd, struct unifw_error *err)
{
	return sock_attach(port, fd, &unifw_unix_ops, err);
}

/* One receive that does not block: 1 when bytes came (*got), 0 when none are there yet, or an error. */
static int try_receive(struct unifw_port *port, uint8_t *buf, size_t max, size_t *got, struct unifw_error *err)
{
	ssize_t r = recv(sock_fd(port), buf, max, MSG_DONTWAIT);
	if (r < 0 && errno == ENOTSOCK) /* a pipe handed to unifw_port_wrap_fd */
		r = read(sock_fd(port), buf, max);
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
		struct pollfd pfd = {.fd = sock_fd(port), .events = POLLIN};
		if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
			return unifw_error_sys(err, port->name, "poll");
	}
}

static int sock_write(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err)
{
	return unifw_port_fd_write(port, port->state, buf, n, err);
}

static void sock_close(struct unifw_port *port)
{
	struct fd_port *fp = port->state;
	if (fp && fp->fd >= 0)
		close(fp->fd);
	free(fp);
	port->state = NULL;
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
		if (port->spec.kind == UNIFW_PORT_UNIX ? open_unix(port, &last) == 0 : open_tcp(port, &last) == 0)
			return 0;
		if (unifw_mono_ms() >= deadline)
			break;
		unifw_sleep_ms(20);
	}
	return unifw_error_set(err, UNIFW_E_TIMEOUT, last.where, UNIFW_NO_OFFSET,
			       "could not reconnect within %u ms: %s", timeout_ms, last.msg);
}

/* ---- --port: unix:/path and tcp:HOST:PORT ---- */

static int unix_match(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	if (strncmp(text, "unix:", 5) != 0)
		return PORT_SPEC_NOT_MINE;
	const char *path = text + 5;
	struct sockaddr_un sun;
	if (!*path)
		return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET,
				       "expected unix:/path/to.sock, found an empty path in '%s'", text);
	if (strlen(path) >= sizeof sun.sun_path)
		return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET,
				       "unix socket path of %zu bytes is too long (at most %zu)", strlen(path),
				       sizeof sun.sun_path - 1);
	spec->kind = UNIFW_PORT_UNIX;
	snprintf(spec->path, sizeof spec->path, "%s", path);
	return 0;
}

static int tcp_match(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	if (strncmp(text, "tcp:", 4) != 0)
		return PORT_SPEC_NOT_MINE;
	const char *hp = text + 4;
	const char *colon = strrchr(hp, ':');
	const char *host = hp;
	size_t hlen;
	unsigned long port;

	if (!colon || !unifw_port_parse_uint(colon + 1, strlen(colon + 1), 1, 65535, &port))
		return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET,
				       "expected tcp:HOST:PORT with PORT 1..65535 (e.g. tcp:127.0.0.1:5555), found '%s'",
				       text);
	hlen = (size_t)(colon - hp);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') { /* tcp:[::1]:5555 */
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof spec->host || (memchr(host, ':', hlen) && hp[0] != '['))
		return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET,
				       "expected a host name or address before the port in '%s' (IPv6 in brackets: "
				       "tcp:[::1]:5555)", text);
	spec->kind = UNIFW_PORT_TCP;
	memcpy(spec->host, host, hlen);
	spec->host[hlen] = 0;
	spec->tcp_port = (uint16_t)port;
	return 0;
}

const struct unifw_transport_ops unifw_unix_ops = {
	.kind = "unix",
	.port_kind = UNIFW_PORT_UNIX,
	.form = "unix:/path/to.sock",
	.match = unix_match,
	.open = open_unix,
	.read_some = sock_read_some,
	.write = sock_write,
	.reopen = sock_reopen,
	.close = sock_close,
};

const struct unifw_transport_ops unifw_tcp_ops = {
	.kind = "tcp",
	.port_kind = UNIFW_PORT_TCP,
	.form = "tcp:HOST:PORT",
	.match = tcp_match,
	.open = open_tcp,
	.read_some = sock_read_some,
	.write = sock_write,
	.reopen = sock_reopen,
	.close = sock_close,
};
