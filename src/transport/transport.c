/* --port parsing, the generic port calls (exact reads, reconnect), device listing and the
 * `auto` port that waits for a phone. The per-kind code is in tty.c, usb.c and sock.c. */
#include "transport/port.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define AUTO_WAIT_DEFAULT_MS 60000
#define AUTO_POLL_DEFAULT_MS 20
#define RECONNECT_DEFAULT_MS 30000

static const char port_forms[] =
	"auto, /dev/ttyACM0, usb:BUS:ADDR (e.g. usb:1:7), unix:/path/to.sock or tcp:HOST:PORT";

int unifw_port_wait_writable(struct unifw_port *port, uint64_t deadline, size_t done, size_t n,
			     struct unifw_error *err)
{
	uint64_t now = unifw_mono_ms();
	if (now >= deadline)
		return unifw_error_set(err, UNIFW_E_TIMEOUT, port->name, UNIFW_NO_OFFSET,
				       "the device took no data for %d ms (%zu of %zu bytes written)", PORT_WRITE_TIMEOUT_MS,
				       done, n);
	struct pollfd pfd = {.fd = port->fd, .events = POLLOUT};
	if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
		return unifw_error_sys(err, port->name, "poll");
	return 0;
}

void unifw_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

const char *unifw_port_kind_name(enum unifw_port_kind kind)
{
	switch (kind) {
	case UNIFW_PORT_AUTO: return "auto";
	case UNIFW_PORT_TTY: return "tty";
	case UNIFW_PORT_USB: return "usb";
	case UNIFW_PORT_UNIX: return "unix";
	case UNIFW_PORT_TCP: return "tcp";
	case UNIFW_PORT_FD: return "fd";
	}
	return "unknown";
}

/* Decimal number in [min, max] made only of digits. */
static bool parse_uint(const char *s, size_t len, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_usb(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	const char *rest = text + 4;
	const char *colon = strchr(rest, ':');
	unsigned long bus, addr;
	if (!colon || !parse_uint(rest, (size_t)(colon - rest), 1, 255, &bus) ||
	    !parse_uint(colon + 1, strlen(colon + 1), 1, 127, &addr))
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET,
				       "expected usb:BUS:ADDR with BUS 1..255 and ADDR 1..127 as `lsusb` shows them "
				       "(e.g. usb:1:7), found '%s'", text);
	spec->kind = UNIFW_PORT_USB;
	spec->usb_bus = (uint8_t)bus;
	spec->usb_addr = (uint8_t)addr;
	return 0;
}

static int parse_unix(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	const char *path = text + 5;
	struct sockaddr_un sun;
	if (!*path)
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET,
				       "expected unix:/path/to.sock, found an empty path in '%s'", text);
	if (strlen(path) >= sizeof sun.sun_path)
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET,
				       "unix socket path of %zu bytes is too long (at most %zu)", strlen(path),
				       sizeof sun.sun_path - 1);
	spec->kind = UNIFW_PORT_UNIX;
	snprintf(spec->path, sizeof spec->path, "%s", path);
	return 0;
}

static int parse_tcp(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	const char *hp = text + 4;
	const char *colon = strrchr(hp, ':');
	const char *host = hp;
	size_t hlen;
	unsigned long port;

	if (!colon || !parse_uint(colon + 1, strlen(colon + 1), 1, 65535, &port))
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET,
				       "expected tcp:HOST:PORT with PORT 1..65535 (e.g. tcp:127.0.0.1:5555), found '%s'",
				       text);
	hlen = (size_t)(colon - hp);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') { /* tcp:[::1]:5555 */
		host++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof spec->host || (memchr(host, ':', hlen) && hp[0] != '['))
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET,
				       "expected a host name or address before the port in '%s' (IPv6 in brackets: "
				       "tcp:[::1]:5555)", text);
	spec->kind = UNIFW_PORT_TCP;
	memcpy(spec->host, host, hlen);
	spec->host[hlen] = 0;
	spec->tcp_port = (uint16_t)port;
	return 0;
}

int unifw_port_spec_parse(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	memset(spec, 0, sizeof *spec);
	if (!text || !*text)
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET, "empty port; expected %s",
				       port_forms);
	if (strcmp(text, "auto") == 0) {
		spec->kind = UNIFW_PORT_AUTO;
		return 0;
	}
	if (strncmp(text, "usb:", 4) == 0)
		return parse_usb(text, spec, err);
	if (strncmp(text, "unix:", 5) == 0)
		return parse_unix(text, spec, err);
	if (strncmp(text, "tcp:", 4) == 0)
		return parse_tcp(text, spec, err);
	if (text[0] == '/') {
		if (strlen(text) >= sizeof spec->path)
			return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET,
					       "serial port path too long (%zu bytes)", strlen(text));
		spec->kind = UNIFW_PORT_TTY;
		snprintf(spec->path, sizeof spec->path, "%s", text);
		return 0;
	}
	return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET, "expected %s, found '%s'", port_forms,
			       text);
}

static struct unifw_port *port_new(const struct unifw_port_spec *spec, const struct unifw_port_options *opt)
{
	struct unifw_port *port = calloc(1, sizeof *port);
	if (!port)
		return NULL;
	port->fd = -1;
	if (spec)
		port->spec = *spec;
	snprintf(port->sysfs_root, sizeof port->sysfs_root, "%s", opt && opt->sysfs_root ? opt->sysfs_root : "/sys");
	snprintf(port->dev_root, sizeof port->dev_root, "%s", opt && opt->dev_root ? opt->dev_root : "/dev");
	port->wait_ms = opt && opt->wait_ms ? opt->wait_ms : 0;
	return port;
}

static int open_direct(struct unifw_port *port, struct unifw_error *err)
{
	switch (port->spec.kind) {
	case UNIFW_PORT_TTY:
		return unifw_tty_open(port, port->spec.path, err);
	case UNIFW_PORT_USB:
		return unifw_usb_open(port, err);
	case UNIFW_PORT_UNIX:
	case UNIFW_PORT_TCP:
		return unifw_sock_open(port, err);
	default:
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET, "cannot open a %s port directly",
				       unifw_port_kind_name(port->spec.kind));
	}
}

static int device_cmp(const void *a, const void *b)
{
	const struct unifw_device *x = a, *y = b;
	if (x->kind != y->kind) /* ttys first: no kernel driver to detach */
		return x->kind == UNIFW_PORT_TTY ? -1 : 1;
	return strcmp(x->port, y->port);
}

static int devices_scan(const struct unifw_port_options *opt, bool with_product, struct unifw_device **out,
			size_t *count, struct unifw_error *err);

/* One scan for `auto`: open the first MediaTek device in a download mode. Returns 1 when
 * opened, 0 when none is there yet, negative on an error that waiting will not fix. */
static int auto_try_once(struct unifw_port *port, const struct unifw_port_options *opt, char *note, size_t notelen,
			 struct unifw_error *err)
{
	struct unifw_device *list = NULL;
	size_t n = 0;
	int rc = devices_scan(opt, false, &list, &n, err); /* no product strings: no extra open */
	if (rc < 0)
		return rc;
	if (n > 1)
		qsort(list, n, sizeof *list, device_cmp);
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct unifw_error e;
		if (list[i].mode == UNIFW_USB_MODE_UNKNOWN)
			continue;
		unifw_error_clear(&e);
		if (unifw_port_spec_parse(list[i].port, &port->spec, &e) < 0)
			continue;
		if (open_direct(port, &e) == 0) {
			rc = 1;
			break;
		}
		/* A tty we may not open will not change by waiting; libusb access may be missing while
		 * the ttyACM node works, so keep looking. */
		snprintf(note, notelen, "%.80s: %.200s", list[i].port, e.msg);
		if (list[i].kind == UNIFW_PORT_TTY && e.sys_errno == EACCES) {
			*err = e;
			rc = e.code;
		}
	}
	unifw_devices_free(list);
	return rc;
}

static int open_auto(struct unifw_port *port, const struct unifw_port_options *opt, struct unifw_error *err)
{
	unsigned wait = opt && opt->wait_ms ? opt->wait_ms : AUTO_WAIT_DEFAULT_MS;
	unsigned poll_ms = opt && opt->poll_ms ? opt->poll_ms : AUTO_POLL_DEFAULT_MS;
	uint64_t deadline = unifw_mono_ms() + wait;
	char note[320] = "";

	if (opt && opt->notify) {
		char msg[200];
		snprintf(msg, sizeof msg,
			 "Waiting up to %u s for a MediaTek phone: plug in the powered-off phone now "
			 "(hold Volume-Up or Volume-Down for BROM mode if needed).",
			 (wait + 999) / 1000);
		opt->notify(opt->ctx, msg);
	}
	for (;;) {
		int rc = auto_try_once(port, opt, note, sizeof note, err);
		if (rc < 0)
			return rc;
		if (rc > 0)
			return 0;
		if (unifw_mono_ms() >= deadline)
			break;
		unifw_sleep_ms(poll_ms);
	}
	return unifw_error_set(err, UNIFW_E_TIMEOUT, "--port auto", UNIFW_NO_OFFSET,
			       "no MediaTek device (0e8d:0003 BROM, 0e8d:2000 preloader, 0e8d:2001 DA) appeared within "
			       "%u s%s%s; see docs/udev.md",
			       (wait + 999) / 1000, note[0] ? "; last problem: " : "", note);
}

int unifw_port_open_spec(const struct unifw_port_spec *spec, const struct unifw_port_options *opt,
			 struct unifw_port **out, struct unifw_error *err)
{
	struct unifw_port *port = port_new(spec, opt);
	int rc;
	*out = NULL;
	if (!port)
		return unifw_error_set(err, UNIFW_E_NOMEM, "--port", UNIFW_NO_OFFSET, "out of memory");
	rc = spec->kind == UNIFW_PORT_AUTO ? open_auto(port, opt, err) : open_direct(port, err);
	if (rc < 0) {
		free(port);
		return rc;
	}
	*out = port;
	return 0;
}

int unifw_port_open(const char *text, const struct unifw_port_options *opt, struct unifw_port **out,
		    struct unifw_error *err)
{
	struct unifw_port_spec spec;
	int rc = unifw_port_spec_parse(text, &spec, err);
	*out = NULL;
	if (rc < 0)
		return rc;
	return unifw_port_open_spec(&spec, opt, out, err);
}

int unifw_port_read_some(struct unifw_port *port, uint8_t *buf, size_t max, unsigned timeout_ms, size_t *got,
			 struct unifw_error *err)
{
	*got = 0;
	if (max == 0)
		return 0;
	if (!port->ops)
		return unifw_error_set(err, UNIFW_E_IO, port->name, UNIFW_NO_OFFSET, "port is closed");
	int rc = port->ops->read_some(port, buf, max, timeout_ms, got, err);
	if (rc == UNIFW_E_TIMEOUT)
		unifw_error_set(err, UNIFW_E_TIMEOUT, port->name, UNIFW_NO_OFFSET, "nothing received within %u ms",
				timeout_ms);
	return rc;
}

int unifw_port_read(struct unifw_port *port, uint8_t *buf, size_t n, unsigned timeout_ms, struct unifw_error *err)
{
	size_t have = 0;
	while (have < n) {
		size_t got = 0;
		int rc = unifw_port_read_some(port, buf + have, n - have, timeout_ms, &got, err);
		if (rc == UNIFW_E_TIMEOUT)
			return unifw_error_set(err, UNIFW_E_TIMEOUT, port->name, UNIFW_NO_OFFSET,
					       "got %zu of %zu bytes, then nothing for %u ms", have, n, timeout_ms);
		if (rc < 0)
			return rc;
		have += got;
	}
	return 0;
}

int unifw_port_write(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err)
{
	if (n == 0)
		return 0;
	if (!port->ops)
		return unifw_error_set(err, UNIFW_E_IO, port->name, UNIFW_NO_OFFSET, "port is closed");
	return port->ops->write(port, buf, n, err);
}

int unifw_port_reconnect(struct unifw_port *port, unsigned timeout_ms, struct unifw_error *err)
{
	if (!port->ops || !port->ops->reopen)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, port->name, UNIFW_NO_OFFSET,
				       "this port (%s) cannot be reopened", port->ops ? port->ops->kind : "closed");
	if (timeout_ms == 0)
		timeout_ms = port->wait_ms ? port->wait_ms : RECONNECT_DEFAULT_MS;
	return port->ops->reopen(port, timeout_ms, err);
}

void unifw_port_close(struct unifw_port *port)
{
	if (!port)
		return;
	if (port->ops)
		port->ops->close(port);
	free(port);
}

const char *unifw_port_name(const struct unifw_port *port)
{
	return port->name;
}

enum unifw_port_kind unifw_port_kind(const struct unifw_port *port)
{
	return port->spec.kind;
}

enum unifw_usb_mode unifw_port_usb_mode(const struct unifw_port *port, uint16_t *vid, uint16_t *pid)
{
	if (vid)
		*vid = port->vid;
	if (pid)
		*pid = port->pid;
	return unifw_usb_mode_from_ids(port->vid, port->pid);
}

int unifw_port_wrap_fd(int fd, const char *name, struct unifw_port **out, struct unifw_error *err)
{
	struct unifw_port *port;
	*out = NULL;
	if (fd < 0)
		return unifw_error_set(err, UNIFW_E_INVALID, name, UNIFW_NO_OFFSET, "invalid descriptor %d", fd);
	port = port_new(NULL, NULL);
	if (!port)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	port->spec.kind = UNIFW_PORT_FD;
	port->fd = fd;
	snprintf(port->name, sizeof port->name, "%s", name ? name : "fd");
	/* A tty gets the serial rules (no output flush, hangup detection); anything else is a
	 * stream socket or pipe. */
	port->ops = isatty(fd) ? &unifw_tty_ops : &unifw_sock_ops;
	/* Every transport waits in poll(), never in read()/write(). */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	*out = port;
	return 0;
}

int unifw_device_append(struct unifw_device **list, size_t *count, size_t *cap, const struct unifw_device *d,
			struct unifw_error *err)
{
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct unifw_device *nl;
		if (ncap > 4096)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, "devices", UNIFW_NO_OFFSET, "more than 4096 devices");
		nl = realloc(*list, ncap * sizeof *nl);
		if (!nl)
			return unifw_error_set(err, UNIFW_E_NOMEM, "devices", UNIFW_NO_OFFSET, "out of memory");
		*list = nl;
		*cap = ncap;
	}
	(*list)[(*count)++] = *d;
	return 0;
}

/* ttyACM ports and libusb devices; with_product asks USB devices for their product string. */
static int devices_scan(const struct unifw_port_options *opt, bool with_product, struct unifw_device **out,
			size_t *count, struct unifw_error *err)
{
	struct unifw_device *list = NULL;
	size_t n = 0, cap = 0;
	int rc;
	*out = NULL;
	*count = 0;
	rc = unifw_tty_list(opt && opt->sysfs_root ? opt->sysfs_root : "/sys", opt && opt->dev_root ? opt->dev_root : "/dev",
			    &list, &n, &cap, err);
	if (rc == 0 && !(opt && opt->no_usb))
		rc = unifw_usb_list(&list, &n, &cap, with_product, err);
	if (rc < 0) {
		free(list);
		return rc;
	}
	*out = list;
	*count = n;
	return 0;
}

int unifw_devices_list(const struct unifw_port_options *opt, struct unifw_device **out, size_t *count,
		       struct unifw_error *err)
{
	return devices_scan(opt, true, out, count, err);
}

void unifw_devices_free(struct unifw_device *list)
{
	free(list);
}
