/* Descriptor helpers of the transport tests (test_transport.c, test_transport_sysfs.c, test_session.c):
 * sleep, write and read a peer's end of a socketpair or pty, and open a pty pair (the way the virtual
 * phone's --pty and a real ttyACM look). */
#ifndef UNIFW_TEST_FD_UTIL_H
#define UNIFW_TEST_FD_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static inline void write_all_fd(int fd, const void *b, size_t n)
{
	const uint8_t *p = b;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			sleep_ms(1);
			continue;
		}
		assert_true(w > 0);
		p += w;
		n -= (size_t)w;
	}
}

static inline size_t read_fd_exact(int fd, void *b, size_t n, int timeout_ms)
{
	uint8_t *p = b;
	size_t have = 0;
	while (have < n) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, timeout_ms) <= 0)
			break;
		ssize_t r = read(fd, p + have, n - have);
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	return have;
}

static inline int open_pty(char *slave, size_t len)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, slave, len), 0);
	return m;
}

#endif
