/* The transports[] table and what is generic over it: --port matching, open, device listing, the
 * `auto` port that waits for a phone, exact reads and reconnect. Each transport's own code (its --port
 * form, open, list, byte moves) is in tty.c, usb.c and sock.c; the descriptor write loop in fd.c. */
#include "transport/port.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define AUTO_WAIT_DEFAULT_MS 60000
#define AUTO_POLL_DEFAULT_MS 20
#define RECONNECT_DEFAULT_MS 30000

void unifw_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Every transport, in the order `unifw devices` lists them and --port forms are shown. */
static const struct unifw_transport_ops *const transports[] = {
	&unifw_tty_ops,
	&unifw_usb_ops,
	&unifw_unix_ops,
	&unifw_tcp_ops,
};
#define TRANSPORT_COUNT (sizeof transports / sizeof transports[0])

static const struct unifw_transport_ops *transport_of_kind(enum unifw_port_kind kind)
{
	for (size_t i = 0; i < TRANSPORT_COUNT; i++)
		if (transports[i]->port_kind == kind)
			return transports[i];
	return NULL;
}

const char *unifw_port_kind_name(enum unifw_port_kind kind)
{
	const struct unifw_transport_ops *t = transport_of_kind(kind);
	if (t)
		return t->kind;
	if (kind == UNIFW_PORT_AUTO)
		return "auto";
	return kind == UNIFW_PORT_FD ? "fd" : "unknown";
}

/* Decimal number in [min, max] made only of digits (the --port forms' numbers). */
bool unifw_port_parse_uint(const char *s, size_t len, unsigned long min, unsigned long max, unsigned long *out)
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

/* "auto, /dev/ttyACM0, usb:BUS:ADDR (e.g. usb:1:7), unix:/path/to.sock or tcp:HOST:PORT" */
static void port_forms(char *out, size_t len)
{
	size_t pos = (size_t)snprintf(out, len, "auto");
	for (size_t i = 0; i < TRANSPORT_COUNT && pos < len; i++)
		pos += (size_t)snprintf(out + pos, len - pos, "%s%s", i + 1 == TRANSPORT_COUNT ? " or " : ", ",
					transports[i]->form);
}

int unifw_port_spec_parse(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	char forms[200];
	memset(spec, 0, sizeof *spec);
	port_forms(forms, sizeof forms);
	if (!text || !*text)
		return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET, "empty port; expected %s",
				       forms);
	if (strcmp(text, "auto") == 0) {
		spec->kind = UNIFW_PORT_AUTO;
		return 0;
	}
	for (size_t i = 0; i < TRANSPORT_COUNT; i++) {
		int rc = transports[i]->match(text, spec, err);
		if (rc != PORT_SPEC_NOT_MINE)
			return rc;
		memset(spec, 0, sizeof *spec);
	}
	return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET, "expected %s, found '%s'", forms,
			       text);
}

static struct unifw_port *port_new(const struct unifw_port_spec *spec, const struct unifw_port_options *opt)
{
	struct unifw_port *port = calloc(1, sizeof *port);
	if (!port)
		return NULL;
	if (spec)
		port->spec = *spec;
	snprintf(port->sysfs_root, sizeof port->sysfs_root, "%s", opt && opt->sysfs_root ? opt->sysfs_root : "/sys");
	snprintf(port->dev_root, sizeof port->dev_root, "%s", opt && opt->dev_root ? opt->dev_root : "/dev");
	port->wait_ms = opt && opt->wait_ms ? opt->wait_ms : 0;
	return port;
}

static int open_direct(struct unifw_port *port, struct unifw_error *err)
{
	const struct unifw_transport_ops *t = transport_of_kind(port->spec.kind);
	if (!t)
		return unifw_error_set(err, UNIFW_E_INVALID, "--port", UNIFW_NO_OFFSET, "cannot open a %s port directly",
				       unifw_port_kind_name(port->spec.kind));
	return t->open(port, err);
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
	snprintf(port->name, sizeof port->name, "%s", name ? name : "fd");
	/* A tty gets the serial rules (no output flush, hangup detection); anything else is a
	 * stream socket or pipe. */
	int rc = isatty(fd) ? unifw_tty_wrap(port, fd, err) : unifw_sock_wrap(port, fd, err);
	if (rc < 0) {
		free(port);
		return rc;
	}
	/* Every transport waits in poll(), never in read()/write(). */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	*out = port;
	return 0;
}

int unifw_device_append(struct unifw_device_list *list, const struct unifw_device *d, struct unifw_error *err)
{
	if (list->count == list->cap) {
		size_t ncap = list->cap ? list->cap * 2 : 8;
		struct unifw_device *nl;
		if (ncap > 4096)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, "devices", UNIFW_NO_OFFSET, "more than 4096 devices");
		nl = realloc(list->items, ncap * sizeof *nl);
		if (!nl)
			return unifw_error_set(err, UNIFW_E_NOMEM, "devices", UNIFW_NO_OFFSET, "out of memory");
		list->items = nl;
		list->cap = ncap;
	}
	list->items[list->count++] = *d;
	return 0;
}

/* Every transport's devices (ttyACM ports, libusb devices); with_product asks USB devices for their
 * product string. */
static int devices_scan(const struct unifw_port_options *opt, bool with_product, struct unifw_device **out,
			size_t *count, struct unifw_error *err)
{
	struct unifw_device_list list = {0};
	int rc = 0;
	*out = NULL;
	*count = 0;
	for (size_t i = 0; i < TRANSPORT_COUNT && rc == 0; i++)
		if (transports[i]->list)
			rc = transports[i]->list(opt, with_product, &list, err);
	if (rc < 0) {
		free(list.items);
		return rc;
	}
	*out = list.items;
	*count = list.count;
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
