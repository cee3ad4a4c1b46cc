/* Transports: --port parsing (good and bad strings, the status that tells a malformed --port from an
 * absent device), socketpair / unix / tcp sockets and a pty pair (posix_openpt) exercising timeouts,
 * partial reads, hang-ups and reconnect, and the shipped udev rules. Discovery on a fake sysfs tree is
 * in test_transport_sysfs.c, the session driver in test_session.c. */
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
#include "unifw/phone.h"
#include "unifw/transport.h"
#include "util/clock.h"

#include "fd_util.h"

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
		assert_int_equal(unifw_port_spec_parse(bad[i].text, &s, &e), UNIFW_E_BAD_PORT);
		if (!strstr(e.msg, bad[i].says))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].text, e.msg, bad[i].says);
		assert_string_equal(e.where, "--port");
	}
	char longpath[200] = "unix:";
	memset(longpath + 5, 'a', 150);
	longpath[155] = 0;
	struct unifw_port_spec s;
	struct unifw_error e;
	assert_int_equal(unifw_port_spec_parse(longpath, &s, &e), UNIFW_E_BAD_PORT);
	assert_non_null(strstr(e.msg, "too long"));
	assert_int_equal(unifw_port_spec_parse(NULL, &s, &e), UNIFW_E_BAD_PORT);
	/* the accepted forms, one per transport of the table, in one sentence */
	assert_int_equal(unifw_port_spec_parse("COM3", &s, &e), UNIFW_E_BAD_PORT);
	assert_string_equal(e.msg, "expected auto, /dev/ttyACM0, usb:BUS:ADDR (e.g. usb:1:7), unix:/path/to.sock or "
				   "tcp:HOST:PORT, found 'COM3'");
	/* unifw_port_open says the same, before opening anything */
	struct unifw_port *port = NULL;
	assert_int_equal(unifw_port_open("usb:1:128", NULL, &port, &e), UNIFW_E_BAD_PORT);
	assert_null(port);
	/* ... and so does a job's phone open, which is where the CLI sees it */
	struct unifw_phone_open_opts o = {.port = "usb:0:1", .brom_only = true};
	struct unifw_phone *ph = NULL;
	assert_int_equal(unifw_phone_open(&o, &ph, &e), UNIFW_E_BAD_PORT);
	assert_null(ph);
}

/* A well-formed port whose device is not there is not a malformed --port (UNIFW_E_BAD_PORT is what lets
 * the CLI tell a usage error from a missing phone). */
static void absent_devices_are_not_bad_port_strings(void **state)
{
	(void)state;
	struct unifw_port *port = NULL;
	struct unifw_error e;
	static const char *absent[] = {"/dev/unifw-test-no-such-tty", "unix:/nonexistent/unifw-test.sock"};
	for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
		unifw_error_clear(&e);
		int rc = unifw_port_open(absent[i], NULL, &port, &e);
		assert_int_equal(rc, UNIFW_E_IO);
		assert_int_equal(e.sys_errno, ENOENT);
		assert_null(port);
	}
	/* a path that exists but is no serial port */
	unifw_error_clear(&e);
	assert_int_equal(unifw_port_open("/dev/null", NULL, &port, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "not a serial port"));
	assert_string_equal(unifw_status_name(UNIFW_E_BAD_PORT), "bad-port");
	assert_string_equal(unifw_port_kind_name(UNIFW_PORT_UNIX), "unix");
	assert_string_equal(unifw_port_kind_name(UNIFW_PORT_FD), "fd");
	assert_string_equal(unifw_port_kind_name(UNIFW_PORT_AUTO), "auto");
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
		cmocka_unit_test(absent_devices_are_not_bad_port_strings),
		cmocka_unit_test(socketpair_reads_exact_partial_and_times_out),
		cmocka_unit_test(pty_port_is_raw_921600_and_detects_hangup),
		cmocka_unit_test(pty_close_after_write_keeps_the_bytes),
		cmocka_unit_test(unix_socket_exchange_and_reconnect),
		cmocka_unit_test(tcp_socket_exchange),
		cmocka_unit_test(udev_rules_cover_every_download_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
