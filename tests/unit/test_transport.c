/* Transports and the session driver: --port parsing (good and bad strings), socketpair / unix /
 * tcp sockets and a pty pair (posix_openpt) exercising timeouts, partial reads, hang-ups and
 * reconnect, MediaTek tty discovery from a fake sysfs tree (devices list, `auto`, reconnect to a
 * renumbered ttyACM), and unifw_session_run driving the cores against a scripted peer. */
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

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void write_all_fd(int fd, const void *b, size_t n)
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

static size_t read_fd_exact(int fd, void *b, size_t n, int timeout_ms)
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

/* ---- --port strings ---- */

static void port_strings_parse(void **state)
{
	(void)state;
	struct unifw_port_spec s;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_port_spec_parse("auto", &s, &e), 0);
	assert_int_equal(s.kind, UNIFW_PORT_AUTO);
	assert_int_equal(unifw_port_spec_parse("/dev/ttyACM0", &s, &e), 0);
	assert_int_equal(s.kind, UNIFW_PORT_TTY);
	assert_string_equal(s.path, "/dev/ttyACM0");
	assert_int_equal(unifw_port_spec_parse("usb:1:7", &s, &e), 0);
	assert_int_equal(s.kind, UNIFW_PORT_USB);
	assert_int_equal(s.usb_bus, 1);
	assert_int_equal(s.usb_addr, 7);
	assert_int_equal(unifw_port_spec_parse("usb:003:127", &s, &e), 0); /* lsusb's zero padding */
	assert_int_equal(s.usb_bus, 3);
	assert_int_equal(s.usb_addr, 127);
	assert_int_equal(unifw_port_spec_parse("unix:/tmp/unifw-sim.sock", &s, &e), 0);
	assert_int_equal(s.kind, UNIFW_PORT_UNIX);
	assert_string_equal(s.path, "/tmp/unifw-sim.sock");
	assert_int_equal(unifw_port_spec_parse("tcp:127.0.0.1:5555", &s, &e), 0);
	assert_int_equal(s.kind, UNIFW_PORT_TCP);
	assert_string_equal(s.host, "127.0.0.1");
	assert_int_equal(s.tcp_port, 5555);
	assert_int_equal(unifw_port_spec_parse("tcp:[::1]:65535", &s, &e), 0);
	assert_string_equal(s.host, "::1");
	assert_int_equal(s.tcp_port, 65535);
	assert_int_equal(unifw_port_spec_parse("tcp:phone.local:1", &s, &e), 0);
	assert_string_equal(s.host, "phone.local");
}

static void bad_port_strings_say_what_is_wrong(void **state)
{
	(void)state;
	static const struct {
		const char *text, *says;
	} bad[] = {
		{"", "empty port"},
		{"COM3", "expected auto, /dev/ttyACM0, usb:BUS:ADDR"},
		{"ttyACM0", "found 'ttyACM0'"},
		{"usb:1", "expected usb:BUS:ADDR"},
		{"usb:0:7", "BUS 1..255"},
		{"usb:1:128", "ADDR 1..127"},
		{"usb:x:7", "found 'usb:x:7'"},
		{"usb:1:7:9", "found 'usb:1:7:9'"},
		{"unix:", "empty path"},
		{"tcp:host", "expected tcp:HOST:PORT"},
		{"tcp::5555", "expected a host name"},
		{"tcp:h:0", "PORT 1..65535"},
		{"tcp:h:65536", "PORT 1..65535"},
		{"tcp:::1:5555", "IPv6 in brackets"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct unifw_port_spec s;
		struct unifw_error e;
		unifw_error_clear(&e);
		assert_int_equal(unifw_port_spec_parse(bad[i].text, &s, &e), UNIFW_E_INVALID);
		if (!strstr(e.msg, bad[i].says))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, e.msg, bad[i].says);
		assert_string_equal(e.where, "--port");
	}
	char longpath[200] = "unix:";
	memset(longpath + 5, 'a', 150);
	longpath[155] = 0;
	struct unifw_port_spec s;
	struct unifw_error e;
	assert_int_equal(unifw_port_spec_parse(longpath, &s, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "too long"));
	assert_int_equal(unifw_port_spec_parse(NULL, &s, &e), UNIFW_E_INVALID);
}

/* ---- socketpair ---- */

struct delayed_writer {
	int fd;
	unsigned delay_ms;
	const uint8_t *data;
	size_t len;
	bool close_after;
};

static void *delayed_write(void *arg)
{
	struct delayed_writer *w = arg;
	sleep_ms(w->delay_ms);
	if (w->len)
		write_all_fd(w->fd, w->data, w->len);
	if (w->close_after)
		close(w->fd);
	return NULL;
}

static void socketpair_reads_exact_partial_and_times_out(void **state)
{
	(void)state;
	int sv[2];
	struct unifw_port *port;
	struct unifw_error e;
	uint8_t buf[16];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(unifw_port_wrap_fd(sv[0], "pair", &port, &e), 0);
	assert_int_equal(unifw_port_kind(port), UNIFW_PORT_FD);
	assert_string_equal(unifw_port_name(port), "pair");

	/* write all, read at the peer */
	assert_int_equal(unifw_port_write(port, (const uint8_t *)"\xA0\x0A", 2, &e), 0);
	assert_int_equal(read_fd_exact(sv[1], buf, 2, 1000), 2);
	assert_memory_equal(buf, "\xA0\x0A", 2);

	/* an exact read assembled from two pieces 50 ms apart */
	write_all_fd(sv[1], "abc", 3);
	struct delayed_writer w = {.fd = sv[1], .delay_ms = 50, .data = (const uint8_t *)"de", .len = 2};
	pthread_t th;
	pthread_create(&th, NULL, delayed_write, &w);
	assert_int_equal(unifw_port_read(port, buf, 5, 1000, &e), 0);
	pthread_join(th, NULL);
	assert_memory_equal(buf, "abcde", 5);

	/* read_some returns what is there */
	write_all_fd(sv[1], "xyz", 3);
	size_t got = 0;
	sleep_ms(10);
	assert_int_equal(unifw_port_read_some(port, buf, sizeof buf, 1000, &got, &e), 0);
	assert_int_equal(got, 3);

	assert_int_equal(unifw_port_read_some(port, buf, sizeof buf, 30, &got, &e), UNIFW_E_TIMEOUT);
	assert_int_equal(got, 0);
	assert_string_equal(e.msg, "nothing received within 30 ms");

	/* silence: a timeout close to what was asked, saying how much came */
	write_all_fd(sv[1], "123", 3);
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_read(port, buf, 10, 120, &e), UNIFW_E_TIMEOUT);
	uint64_t took = unifw_mono_ms() - t0;
	assert_true(took >= 110 && took < 1000);
	assert_non_null(strstr(e.msg, "got 3 of 10 bytes, then nothing for 120 ms"));
	assert_string_equal(e.where, "pair");

	/* the peer goes away: an I/O error, not a hang, not a SIGPIPE */
	close(sv[1]);
	assert_int_equal(unifw_port_read(port, buf, 1, 1000, &e), UNIFW_E_IO);
	assert_non_null(strstr(e.msg, "closed the connection"));
	assert_int_equal(unifw_port_write(port, buf, 1, &e), UNIFW_E_IO);
	assert_int_equal(unifw_port_reconnect(port, 100, &e), UNIFW_E_UNSUPPORTED);
	unifw_port_close(port);
}

struct fd_reader {
	int fd;
	uint8_t *dst;
	size_t n, got;
};

static void *fd_reader_run(void *arg)
{
	struct fd_reader *rd = arg;
	rd->got = read_fd_exact(rd->fd, rd->dst, rd->n, 2000);
	return NULL;
}

/* ---- pty pair: the way the virtual phone's --pty and a real ttyACM look ---- */

static int open_pty(char *slave, size_t len)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	assert_int_equal(ptsname_r(m, slave, len), 0);
	return m;
}

static void pty_port_is_raw_921600_and_detects_hangup(void **state)
{
	(void)state;
	char slave[128];
	int master = open_pty(slave, sizeof slave);
	struct unifw_port *port;
	struct unifw_error e;
	uint8_t buf[4096];
	unifw_error_clear(&e);
	assert_int_equal(unifw_port_open(slave, NULL, &port, &e), 0);
	assert_int_equal(unifw_port_kind(port), UNIFW_PORT_TTY);
	assert_string_equal(unifw_port_name(port), slave);

	/* the line discipline is raw at 921600: check through a second descriptor */
	int probe = open(slave, O_RDWR | O_NOCTTY);
	if (probe >= 0) { /* TIOCEXCL may refuse a second open for non-root: fine, that is its job */
		struct termios t;
		assert_int_equal(tcgetattr(probe, &t), 0);
		assert_int_equal(cfgetospeed(&t), B921600);
		assert_int_equal(t.c_lflag & (ICANON | ECHO | ISIG), 0);
		assert_int_equal(t.c_oflag & OPOST, 0);
		assert_int_equal(t.c_iflag & (ICRNL | IXON), 0);
		close(probe);
	}

	/* bytes that a cooked tty would mangle (CR, ^C, ^S, ^D) pass untouched both ways */
	const uint8_t odd[] = {0x0D, 0x0A, 0x03, 0x13, 0x11, 0x04, 0x7F, 0x00, 0xFF};
	assert_int_equal(unifw_port_write(port, odd, sizeof odd, &e), 0);
	assert_int_equal(read_fd_exact(master, buf, sizeof odd, 1000), sizeof odd);
	assert_memory_equal(buf, odd, sizeof odd);
	write_all_fd(master, odd, sizeof odd);
	assert_int_equal(unifw_port_read(port, buf, sizeof odd, 1000, &e), 0);
	assert_memory_equal(buf, odd, sizeof odd);

	/* partial: 2 bytes now, 3 later */
	write_all_fd(master, "\x5F\xF5", 2);
	struct delayed_writer w = {.fd = master, .delay_ms = 40, .data = (const uint8_t *)"\xAF\xFA\x00", .len = 3};
	pthread_t th;
	pthread_create(&th, NULL, delayed_write, &w);
	assert_int_equal(unifw_port_read(port, buf, 5, 1000, &e), 0);
	pthread_join(th, NULL);
	assert_memory_equal(buf, "\x5F\xF5\xAF\xFA\x00", 5);

	/* a write larger than the pty buffer completes while the other side reads it */
	static uint8_t big[200000], copy[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 31);
	struct fd_reader rd = {.fd = master, .dst = copy, .n = sizeof copy};
	pthread_t rt;
	pthread_create(&rt, NULL, fd_reader_run, &rd);
	assert_int_equal(unifw_port_write(port, big, sizeof big, &e), 0);
	pthread_join(rt, NULL);
	assert_int_equal(rd.got, sizeof big);
	assert_memory_equal(copy, big, sizeof big);

	/* timeout on silence */
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_read(port, buf, 1, 80, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 >= 70);

	/* the other end goes away (phone unplugged): an error, promptly */
	close(master);
	t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_read(port, buf, 1, 5000, &e), UNIFW_E_IO);
	assert_true(unifw_mono_ms() - t0 < 2000);
	if (!strstr(e.msg, "disconnected"))
		fail_msg("hang-up message: %s", e.msg);
	unifw_port_close(port);
}

/* Closing the port right after a write must not throw the bytes away (no TCOFLUSH). */
static void pty_close_after_write_keeps_the_bytes(void **state)
{
	(void)state;
	char slave[128];
	int master = open_pty(slave, sizeof slave);
	struct unifw_port *port;
	struct unifw_error e;
	uint8_t out[1000], in[1000];
	for (size_t i = 0; i < sizeof out; i++)
		out[i] = (uint8_t)(i ^ 0x5A);
	assert_int_equal(unifw_port_open(slave, NULL, &port, &e), 0);
	assert_int_equal(unifw_port_write(port, out, sizeof out, &e), 0);
	unifw_port_close(port);
	assert_int_equal(read_fd_exact(master, in, sizeof in, 1000), sizeof in);
	assert_memory_equal(in, out, sizeof out);

	/* a wrapped tty descriptor gets the serial rules but cannot be reopened */
	int fd = open(slave, O_RDWR | O_NOCTTY);
	assert_true(fd >= 0);
	assert_int_equal(unifw_port_wrap_fd(fd, "inherited tty", &port, &e), 0);
	write_all_fd(master, "\xC0", 1);
	assert_int_equal(unifw_port_read(port, in, 1, 1000, &e), 0);
	assert_int_equal(in[0], 0xC0);
	assert_int_equal(unifw_port_reconnect(port, 100, &e), UNIFW_E_UNSUPPORTED);
	unifw_port_close(port);
	close(master);
}

/* ---- unix and tcp sockets ---- */

static int unix_listener(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(strlen(path) < sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void unix_socket_exchange_and_reconnect(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[512], spec[600];
	struct unifw_port *port;
	struct unifw_error e;
	uint8_t buf[8];
	snprintf(path, sizeof path, "%s/sim.sock", dir);
	snprintf(spec, sizeof spec, "unix:%s", path);

	/* nothing listening: the error says what to start */
	assert_int_equal(unifw_port_open(spec, NULL, &port, &e), UNIFW_E_IO);
	assert_non_null(strstr(e.msg, "is unifw-sim --socket running?"));

	int lfd = unix_listener(path);
	assert_int_equal(unifw_port_open(spec, NULL, &port, &e), 0);
	assert_int_equal(unifw_port_kind(port), UNIFW_PORT_UNIX);
	assert_string_equal(unifw_port_name(port), spec);
	int c1 = accept(lfd, NULL, NULL);
	assert_true(c1 >= 0);
	assert_int_equal(unifw_port_write(port, (const uint8_t *)"\x70\x01", 2, &e), 0);
	assert_int_equal(read_fd_exact(c1, buf, 2, 1000), 2);
	write_all_fd(c1, "\x5A", 1);
	assert_int_equal(unifw_port_read(port, buf, 1, 1000, &e), 0);
	assert_int_equal(buf[0], 0x5A);

	/* USB re-enumeration on the virtual phone: it drops the connection and listens again */
	close(c1);
	assert_int_equal(unifw_port_read(port, buf, 1, 1000, &e), UNIFW_E_IO);
	assert_int_equal(unifw_port_reconnect(port, 2000, &e), 0);
	int c2 = accept(lfd, NULL, NULL);
	assert_true(c2 >= 0);
	write_all_fd(c2, "\x72", 1);
	assert_int_equal(unifw_port_read(port, buf, 1, 1000, &e), 0);
	assert_int_equal(buf[0], 0x72);
	close(c2);

	/* a phone that never comes back: a timeout after the time asked for */
	close(lfd);
	unlink(path);
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_reconnect(port, 200, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 >= 190);
	assert_non_null(strstr(e.msg, "could not reconnect within 200 ms"));
	unifw_port_close(port);
	test_rmtree(dir);
	free(dir);
}

static void tcp_socket_exchange(void **state)
{
	(void)state;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sin;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	char spec[64];
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
	struct unifw_port *port;
	struct unifw_error e;
	uint8_t buf[4];
	assert_int_equal(unifw_port_open(spec, NULL, &port, &e), 0);
	assert_int_equal(unifw_port_kind(port), UNIFW_PORT_TCP);
	int c = accept(lfd, NULL, NULL);
	write_all_fd(c, "\x65\x72\x00\x00", 4);
	assert_int_equal(unifw_port_read(port, buf, 4, 1000, &e), 0);
	assert_memory_equal(buf, "\x65\x72\x00\x00", 4);
	assert_int_equal(unifw_port_write(port, (const uint8_t *)"\xFD", 1, &e), 0);
	assert_int_equal(read_fd_exact(c, buf, 1, 1000), 1);
	assert_int_equal(buf[0], 0xFD);
	close(c);
	close(lfd);
	unifw_port_close(port);
	/* a name that does not resolve */
	assert_int_equal(unifw_port_open("tcp:no-such-host.invalid:1", NULL, &port, &e), UNIFW_E_IO);
	assert_non_null(strstr(e.msg, "cannot resolve"));
}

/* ---- fake sysfs: discovery, auto, reconnect ---- */

static void put_file(const char *dir, const char *name, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	test_write_file(p, text, strlen(text));
}

static void mkdirs(const char *path)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* A USB device dir with idVendor/idProduct/busnum/devnum/product and one interface. */
static void fake_usb_device(const char *sys, const char *name, const char *vid, const char *pid, const char *tty,
			    const char *product)
{
	char dev[600], itf[700], cls[700], link[800];
	snprintf(dev, sizeof dev, "%s/devices/usb1/%s", sys, name);
	snprintf(itf, sizeof itf, "%s/%s:1.1", dev, name);
	mkdirs(itf);
	put_file(dev, "idVendor", vid);
	put_file(dev, "idProduct", pid);
	put_file(dev, "busnum", "1\n");
	put_file(dev, "devnum", "5\n");
	put_file(dev, "product", product);
	snprintf(cls, sizeof cls, "%s/class/tty/%s", sys, tty);
	mkdirs(cls);
	snprintf(link, sizeof link, "%s/device", cls);
	unlink(link);
	assert_int_equal(symlink(itf, link), 0);
}

static void notify_count(void *ctx, const char *msg)
{
	int *n = ctx;
	assert_non_null(strstr(msg, "plug in the powered-off phone now"));
	(*n)++;
}

static void devices_auto_and_reconnect_on_fake_sysfs(void **state)
{
	(void)state;
	char *root = test_mkdtemp();
	char sys[512], dev[512], link[700], slave[128], slave2[128];
	snprintf(sys, sizeof sys, "%s/sys", root);
	snprintf(dev, sizeof dev, "%s/dev", root);
	mkdirs(dev);
	mkdirs(sys);
	int notified = 0;
	struct unifw_port_options opt = {.sysfs_root = sys, .dev_root = dev, .no_usb = true, .wait_ms = 150,
					 .notify = notify_count, .ctx = &notified};
	struct unifw_port *port;
	struct unifw_error e;

	/* nothing plugged in: auto waits, then says what it looked for */
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_open("auto", &opt, &port, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 >= 140);
	assert_int_equal(notified, 1);
	assert_non_null(strstr(e.msg, "no MediaTek device (0e8d:0003 BROM, 0e8d:2000 preloader, 0e8d:2001 DA)"));

	/* a preloader on ttyACM0 and a foreign modem on ttyACM1 */
	int master = open_pty(slave, sizeof slave);
	fake_usb_device(sys, "1-1", "0e8d\n", "2000\n", "ttyACM0", "MT65xx Preloader\n");
	fake_usb_device(sys, "1-2", "1234\n", "5678\n", "ttyACM1", "Some Modem\n");
	snprintf(link, sizeof link, "%s/ttyACM0", dev);
	assert_int_equal(symlink(slave, link), 0);

	struct unifw_device *list;
	size_t n;
	assert_int_equal(unifw_devices_list(&opt, &list, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].kind, UNIFW_PORT_TTY);
	assert_string_equal(list[0].port, link);
	assert_int_equal(list[0].vid, 0x0E8D);
	assert_int_equal(list[0].pid, 0x2000);
	assert_int_equal(list[0].mode, UNIFW_USB_MODE_PRELOADER);
	assert_string_equal(list[0].location, "1-1");
	assert_int_equal(list[0].bus, 1);
	assert_int_equal(list[0].addr, 5);
	assert_string_equal(list[0].product, "MT65xx Preloader");
	unifw_devices_free(list);

	/* auto finds it and talks through it */
	opt.wait_ms = 2000;
	assert_int_equal(unifw_port_open("auto", &opt, &port, &e), 0);
	assert_int_equal(notified, 2);
	assert_int_equal(unifw_port_kind(port), UNIFW_PORT_TTY);
	assert_string_equal(unifw_port_name(port), link);
	uint16_t vid, pid;
	assert_int_equal(unifw_port_usb_mode(port, &vid, &pid), UNIFW_USB_MODE_PRELOADER);
	assert_int_equal(pid, 0x2000);
	uint8_t b = 0;
	assert_int_equal(unifw_port_write(port, (const uint8_t *)"\xA0", 1, &e), 0);
	assert_int_equal(read_fd_exact(master, &b, 1, 1000), 1);
	assert_int_equal(b, 0xA0);

	/* USB_SETUP_PORT: the phone re-enumerates as the DA (2001) and comes back as ttyACM2 on
	 * the same USB port; reconnect finds it by its USB location, not by the old name */
	close(master);
	snprintf(link, sizeof link, "%s/ttyACM0", dev);
	unlink(link);
	char cls[700];
	snprintf(cls, sizeof cls, "%s/class/tty/ttyACM0/device", sys);
	unlink(cls);
	snprintf(cls, sizeof cls, "%s/class/tty/ttyACM0", sys);
	rmdir(cls);
	int master2 = open_pty(slave2, sizeof slave2);
	fake_usb_device(sys, "1-1", "0e8d\n", "2001\n", "ttyACM2", "MT65xx DA\n");
	snprintf(link, sizeof link, "%s/ttyACM2", dev);
	assert_int_equal(symlink(slave2, link), 0);
	assert_int_equal(unifw_port_reconnect(port, 2000, &e), 0);
	assert_string_equal(unifw_port_name(port), link);
	assert_int_equal(unifw_port_usb_mode(port, NULL, &pid), UNIFW_USB_MODE_DA);
	assert_int_equal(pid, 0x2001);
	write_all_fd(master2, "\x5A", 1);
	assert_int_equal(unifw_port_read(port, &b, 1, 1000, &e), 0);
	assert_int_equal(b, 0x5A);
	unifw_port_close(port);
	close(master2);
	test_rmtree(root);
	free(root);
}

/* A re-enumerating phone, played by a thread: `after_ms` after the start the old device goes (its
 * pty master closes, its sysfs entry and /dev link vanish), and then the new one appears. */
struct replug {
	int old_master;
	char sys[512], dev[512], link[700], new_target[128];
	const char *new_tty, *new_location; /* NULL: no ttyACM, only `link` re-pointed to new_target */
	unsigned after_ms;
};

static void *replug_run(void *arg)
{
	struct replug *r = arg;
	char p[800];
	usleep(r->after_ms * 1000u);
	if (r->new_tty) {
		snprintf(p, sizeof p, "%s/ttyACM0", r->dev);
		unlink(p);
		snprintf(p, sizeof p, "%s/class/tty/ttyACM0/device", r->sys);
		unlink(p);
		snprintf(p, sizeof p, "%s/class/tty/ttyACM0", r->sys);
		rmdir(p);
	}
	close(r->old_master); /* the old node vanishes */
	usleep(30000);
	if (r->new_tty) {
		fake_usb_device(r->sys, r->new_location, "0e8d\n", "2001\n", r->new_tty, "MT65xx DA\n");
		snprintf(p, sizeof p, "%s/%s", r->dev, r->new_tty);
	} else {
		snprintf(p, sizeof p, "%s.new", r->link);
	}
	unlink(p);
	if (symlink(r->new_target, p) != 0)
		return NULL;
	if (!r->new_tty)
		rename(p, r->link); /* re-pointed atomically, as unifw-sim does */
	return NULL;
}

/* USB_SETUP_PORT on a real phone: the old ttyACM0 (0e8d:2000 on USB port 1-1) lingers for a while,
 * then the DA comes back as 0e8d:2001 with another number, here even on another port (a hub's
 * reset). Reconnect must not reopen the dying node, and must find the DA by VID:PID, not take the
 * foreign modem. */
static void reconnect_waits_for_the_old_tty_and_finds_the_da_by_vid_pid(void **state)
{
	(void)state;
	char *root = test_mkdtemp();
	/* static: should an assertion end the test early, the thread still finds valid paths */
	static struct replug r;
	r = (struct replug){.new_tty = "ttyACM3", .new_location = "1-4", .after_ms = 150};
	char slave[128], link[700];
	snprintf(r.sys, sizeof r.sys, "%s/sys", root);
	snprintf(r.dev, sizeof r.dev, "%s/dev", root);
	mkdirs(r.dev);
	r.old_master = open_pty(slave, sizeof slave);
	fake_usb_device(r.sys, "1-1", "0e8d\n", "2000\n", "ttyACM0", "MT65xx Preloader\n");
	fake_usb_device(r.sys, "1-2", "1234\n", "5678\n", "ttyACM1", "Some Modem\n");
	snprintf(link, sizeof link, "%s/ttyACM0", r.dev);
	assert_int_equal(symlink(slave, link), 0);
	int new_master = open_pty(r.new_target, sizeof r.new_target);
	struct unifw_port_options opt = {.sysfs_root = r.sys, .dev_root = r.dev, .no_usb = true};
	struct unifw_port *port;
	struct unifw_error e;
	assert_int_equal(unifw_port_open(link, &opt, &port, &e), 0);
	assert_int_equal(unifw_port_usb_mode(port, NULL, NULL), UNIFW_USB_MODE_PRELOADER);

	pthread_t t;
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(pthread_create(&t, NULL, replug_run, &r), 0);
	assert_int_equal(unifw_port_reconnect(port, 3000, &e), 0);
	assert_true(unifw_mono_ms() - t0 >= 150); /* not before the old device went */
	pthread_join(t, NULL);
	snprintf(link, sizeof link, "%s/ttyACM3", r.dev);
	assert_string_equal(unifw_port_name(port), link);
	uint16_t pid = 0;
	assert_int_equal(unifw_port_usb_mode(port, NULL, &pid), UNIFW_USB_MODE_DA);
	assert_int_equal(pid, 0x2001);
	uint8_t b = 0;
	write_all_fd(new_master, "\x5A", 1);
	assert_int_equal(unifw_port_read(port, &b, 1, 1000, &e), 0);
	assert_int_equal(b, 0x5A);

	/* the DA goes and does not come back: the error says how long and what was missing */
	close(new_master);
	char cls[800];
	snprintf(cls, sizeof cls, "%s/class/tty/ttyACM3/device", r.sys);
	unlink(cls);
	assert_int_equal(unifw_port_reconnect(port, 200, &e), UNIFW_E_TIMEOUT);
	assert_non_null(strstr(e.msg, "did not come back within 200 ms"));
	assert_non_null(strstr(e.msg, "no tty with 0e8d:2001"));
	unifw_port_close(port);
	test_rmtree(root);
	free(root);
}

/* The virtual phone's --pty-link: on re-enumeration the sim makes a new pty and re-points the link.
 * The old pty exists a while longer (the sim waits until its last bytes are read): reconnect must
 * wait for it to go, then follow the link to the new one. */
static void reconnect_follows_a_symlink_to_the_new_pty(void **state)
{
	(void)state;
	char *root = test_mkdtemp();
	static struct replug r; /* static: see above */
	r = (struct replug){.after_ms = 120};
	char slave[128];
	snprintf(r.link, sizeof r.link, "%s/ttyPHONE", root);
	r.old_master = open_pty(slave, sizeof slave);
	assert_int_equal(symlink(slave, r.link), 0);
	int new_master = open_pty(r.new_target, sizeof r.new_target);
	struct unifw_port *port;
	struct unifw_error e;
	assert_int_equal(unifw_port_open(r.link, NULL, &port, &e), 0);

	pthread_t t;
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(pthread_create(&t, NULL, replug_run, &r), 0);
	assert_int_equal(unifw_port_reconnect(port, 3000, &e), 0);
	assert_true(unifw_mono_ms() - t0 >= 120);
	pthread_join(t, NULL);
	assert_string_equal(unifw_port_name(port), r.link);
	uint8_t b = 0;
	write_all_fd(new_master, "\xC1", 1);
	assert_int_equal(unifw_port_read(port, &b, 1, 1000, &e), 0);
	assert_int_equal(b, 0xC1);
	/* the device never goes: the error names the node that stayed */
	assert_int_equal(unifw_port_reconnect(port, 200, &e), UNIFW_E_TIMEOUT);
	assert_non_null(strstr(e.msg, "did not come back within 200 ms"));
	assert_non_null(strstr(e.msg, r.new_target));
	assert_non_null(strstr(e.msg, "is still there"));
	unifw_port_close(port);
	close(new_master);
	test_rmtree(root);
	free(root);
}

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

/* The shipped udev rules cover every download mode, on both the USB device and its tty, keep
 * ModemManager off and grant access (docs/udev.md): exactly 0e8d:0003, 0e8d:2000 and 0e8d:2001, never a
 * whole vendor (issue 10: not every MediaTek device). */
static void udev_rules_cover_every_download_mode(void **state)
{
	(void)state;
	const char *src = getenv("UNIFW_SRCDIR");
	char path[1024];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/udev/60-unifw-mediatek.rules", src ? src : ".");
	char *text = (char *)test_read_file(path, &len);
	assert_non_null(text);
	text = realloc(text, len + 1);
	text[len] = 0;
	static const char *const pids[] = {"0003", "2000", "2001"};
	unsigned usb_ids[3] = {0}, tty_ids[3] = {0}, rules = 0;
	bool label = false, goto_end = false;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#' || line[0] == 0)
			continue;
		if (strcmp(line, "LABEL=\"unifw_mediatek_end\"") == 0) {
			label = true;
			continue;
		}
		if (strstr(line, "GOTO=\"unifw_mediatek_end\"")) {
			goto_end = true;
			continue;
		}
		rules++;
		/* every rule ignores the device for ModemManager and grants access */
		assert_non_null(strstr(line, "ENV{ID_MM_DEVICE_IGNORE}=\"1\""));
		assert_non_null(strstr(line, "TAG+=\"uaccess\""));
		assert_non_null(strstr(line, "MODE=\"0660\""));
		bool usb = strstr(line, "SUBSYSTEM==\"usb\"") != NULL, tty = strstr(line, "SUBSYSTEM==\"tty\"") != NULL;
		assert_true(usb != tty);
		assert_non_null(strstr(line, "idVendor}==\"0e8d\""));
		bool matched = false;
		for (size_t k = 0; k < 3; k++) {
			char want[32];
			snprintf(want, sizeof want, "idProduct}==\"%s\"", pids[k]);
			if (strstr(line, want)) {
				(usb ? usb_ids : tty_ids)[k]++;
				matched = true;
			}
		}
		assert_true(matched); /* a rule without one of the three products would match more */
		if (tty)
			assert_non_null(strstr(line, "KERNEL==\"ttyACM*\""));
	}
	assert_true(label && goto_end);
	assert_int_equal(rules, 6);
	for (size_t k = 0; k < 3; k++) {
		assert_int_equal(usb_ids[k], 1);
		assert_int_equal(tty_ids[k], 1);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_strings_parse),
		cmocka_unit_test(bad_port_strings_say_what_is_wrong),
		cmocka_unit_test(socketpair_reads_exact_partial_and_times_out),
		cmocka_unit_test(pty_port_is_raw_921600_and_detects_hangup),
		cmocka_unit_test(pty_close_after_write_keeps_the_bytes),
		cmocka_unit_test(unix_socket_exchange_and_reconnect),
		cmocka_unit_test(tcp_socket_exchange),
		cmocka_unit_test(devices_auto_and_reconnect_on_fake_sysfs),
		cmocka_unit_test(reconnect_waits_for_the_old_tty_and_finds_the_da_by_vid_pid),
		cmocka_unit_test(reconnect_follows_a_symlink_to_the_new_pty),
		cmocka_unit_test(session_runs_brom_ops_over_a_socket),
		cmocka_unit_test(session_streams_a_read_to_the_hook),
		cmocka_unit_test(udev_rules_cover_every_download_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
