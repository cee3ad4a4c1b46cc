/* The libusb transport (src/transport/usb.c) run for real against a fake libusb (fake_libusb.c):
 * discovery, opening (interfaces, kernel-driver detach, CDC class requests, errors), writes (1 MiB
 * transfers, zero-length packets), reads (packet-size multiples, buffered leftovers, timeouts), the
 * reconnect by USB port after re-enumeration, and the whole protocol (src/ops/phone.c) against the
 * in-process virtual phone (sim_dev) behind the fake device's bulk endpoints, including the USB
 * speed switch. This machine has no USB at all: real hardware is still untested. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#include <libusb.h>

#include "fake_libusb.h"
#include "unifw/dafile.h"
#include "unifw/io.h"
#include "unifw/phone.h"
#include "unifw/transport.h"

#include "device/dablob.h"
#include "device/sim_dev.h"
#include "device/sim_proto.h"
#include "device/storage.h"
#include "util/clock.h"

#define MIB (1u << 20)

static char *g_dir; /* an empty sysfs/dev root, so that discovery sees no real ttyACM */

static int setup(void **state)
{
	(void)state;
	fake_usb_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsigned live = fake_usb_live_objects();
	fake_usb_reset();
	assert_int_equal(live, 0); /* usb.c gave back every context, handle, list and descriptor */
	return 0;
}

static struct fake_usb_dev *add(uint16_t pid, uint8_t bus, uint8_t addr, const char *path, const char *product,
				enum fake_usb_layout layout, uint16_t max_packet)
{
	struct fake_usb_config c = {.vid = 0x0E8D, .pid = pid, .bus = bus, .addr = addr, .product = product,
				    .layout = layout, .max_packet = max_packet, .comm_if = 0, .data_if = 1,
				    .return_ms = 20};
	for (const char *p = path; *p; p++)
		if (*p != '.')
			c.path[c.depth++] = (uint8_t)(*p - '0');
	return fake_usb_add(&c);
}

static struct unifw_port *open_ok(const char *text)
{
	struct unifw_port *port = NULL;
	struct unifw_error e;
	char buf[1200];
	unifw_error_clear(&e);
	if (unifw_port_open(text, NULL, &port, &e) != 0)
		fail_msg("open %s: %s", text, unifw_error_format(&e, buf, sizeof buf));
	return port;
}

static void pattern(uint8_t *b, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected '%s' in '%s'", needle, hay);
}

/* ---------- 1. discovery ---------- */

static const struct unifw_device *find_port(const struct unifw_device *l, size_t n, const char *port)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].port, port) == 0)
			return &l[i];
	return NULL;
}

static void list_reports_mediatek_devices(void **state)
{
	(void)state;
	add(0x0003, 1, 5, "1.4", "MT65xx Preloader", FAKE_USB_CDC, 512);
	add(0x2000, 2, 9, "3", "MT65xx Preloader", FAKE_USB_CDC, 64);
	add(0x2001, 1, 12, "1.2.3", "MT65xx DA", FAKE_USB_CDC, 512);
	struct fake_usb_dev *locked = add(0x2000, 3, 4, "2", "Locked", FAKE_USB_CDC, 512);
	fake_usb_fail_open(locked, LIBUSB_ERROR_ACCESS);
	struct fake_usb_config mouse = {.vid = 0x046D, .pid = 0xC52B, .bus = 1, .addr = 2, .path = {1, 1}, .depth = 2,
					.product = "USB Receiver", .layout = FAKE_USB_VENDOR, .max_packet = 64};
	fake_usb_add(&mouse);

	unsigned inits = fake_usb_init_calls();
	struct unifw_port_options opt = {.sysfs_root = g_dir, .dev_root = g_dir};
	struct unifw_device *l = NULL;
	size_t n = 0;
	struct unifw_error e;
	assert_int_equal(unifw_devices_list(&opt, &l, &n, &e), 0);
	assert_true(fake_usb_init_calls() > inits); /* the fake ran, not the real libusb */
	assert_int_equal(n, 4);                      /* the Logitech receiver is left out */
	assert_null(find_port(l, n, "usb:1:2"));

	const struct unifw_device *d = find_port(l, n, "usb:1:5");
	assert_non_null(d);
	assert_int_equal(d->kind, UNIFW_PORT_USB);
	assert_int_equal(d->mode, UNIFW_USB_MODE_BROM);
	assert_int_equal(d->vid, 0x0E8D);
	assert_int_equal(d->pid, 0x0003);
	assert_int_equal(d->bus, 1);
	assert_int_equal(d->addr, 5);
	assert_string_equal(d->location, "1-1.4");
	assert_string_equal(d->product, "MT65xx Preloader");

	d = find_port(l, n, "usb:2:9");
	assert_non_null(d);
	assert_int_equal(d->mode, UNIFW_USB_MODE_PRELOADER);
	assert_string_equal(d->location, "2-3");

	d = find_port(l, n, "usb:1:12");
	assert_non_null(d);
	assert_int_equal(d->mode, UNIFW_USB_MODE_DA);
	assert_string_equal(d->location, "1-1.2.3");
	assert_string_equal(d->product, "MT65xx DA");

	d = find_port(l, n, "usb:3:4"); /* listed, but its product string needs access */
	assert_non_null(d);
	assert_string_equal(d->product, "");
	unifw_devices_free(l);
	assert_int_equal(fake_usb_live_objects(), 0);
}

/* `auto` opens the first MediaTek device in a download mode (sorted by port string). */
static void auto_opens_a_download_mode_device(void **state)
{
	(void)state;
	struct fake_usb_config other = {.vid = 0x046D, .pid = 0xC52B, .bus = 1, .addr = 2, .path = {1}, .depth = 1,
					.layout = FAKE_USB_VENDOR, .max_packet = 64};
	fake_usb_add(&other);
	/* a product string `unifw devices` would read: the scan must not open the phone for it */
	struct fake_usb_dev *d = add(0x2000, 1, 33, "4", "MT65xx Preloader", FAKE_USB_CDC, 512);
	struct unifw_port_options opt = {.sysfs_root = g_dir, .dev_root = g_dir, .wait_ms = 500};
	struct unifw_port *port = NULL;
	struct unifw_error e;
	char buf[1200];
	if (unifw_port_open("auto", &opt, &port, &e) != 0)
		fail_msg("auto: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_string_equal(unifw_port_name(port), "usb:1:33");
	assert_int_equal(fake_usb_log(d)->opens, 1);
	unifw_port_close(port);
}

/* ---------- 2. opening ---------- */

static const uint8_t line_coding_921600_8n1[7] = {0x00, 0x10, 0x0E, 0x00, 0x00, 0x00, 0x08};

static bool claimed(const struct fake_usb_log *log, int iface)
{
	for (size_t i = 0; i < log->n_claims; i++)
		if (log->claims[i] == iface)
			return true;
	return false;
}

static void open_claims_and_sets_the_line(void **state)
{
	(void)state;
	struct fake_usb_config c = {.vid = 0x0E8D, .pid = 0x2000, .bus = 1, .addr = 5, .path = {1, 4}, .depth = 2,
				    .layout = FAKE_USB_CDC, .max_packet = 512, .comm_if = 2, .data_if = 3};
	struct fake_usb_dev *d = fake_usb_add(&c);
	struct unifw_port *port = open_ok("usb:1:5");
	const struct fake_usb_log *log = fake_usb_log(d);

	assert_string_equal(unifw_port_name(port), "usb:1:5");
	assert_int_equal(unifw_port_kind(port), UNIFW_PORT_USB);
	uint16_t vid, pid;
	assert_int_equal(unifw_port_usb_mode(port, &vid, &pid), UNIFW_USB_MODE_PRELOADER);
	assert_int_equal(vid, 0x0E8D);
	assert_int_equal(pid, 0x2000);
	assert_int_equal(log->opens, 1);
	assert_int_equal(log->n_auto_detach, 1);
	assert_int_equal(log->auto_detach[0], 1); /* cdc_acm is detached, and given back on close */
	assert_true(claimed(log, 3));               /* the class 0x0A interface */
	assert_true(claimed(log, 2));               /* and the class 0x02 one the requests go to */

	assert_int_equal(log->n_ctrl, 2);
	const struct fake_usb_ctrl *lc = &log->ctrl[0];
	assert_int_equal(lc->bm_request_type, 0x21);
	assert_int_equal(lc->b_request, 0x20); /* SET_LINE_CODING */
	assert_int_equal(lc->w_value, 0);
	assert_int_equal(lc->w_index, 2); /* the communication interface's number */
	assert_int_equal(lc->w_length, 7);
	assert_memory_equal(lc->data, line_coding_921600_8n1, 7);
	assert_true(lc->timeout > 0);
	const struct fake_usb_ctrl *ls = &log->ctrl[1];
	assert_int_equal(ls->bm_request_type, 0x21);
	assert_int_equal(ls->b_request, 0x22); /* SET_CONTROL_LINE_STATE */
	assert_int_equal(ls->w_value, 2);
	assert_int_equal(ls->w_index, 2);
	assert_int_equal(ls->w_length, 0);

	unifw_port_close(port);
	assert_int_equal(log->closes, 1);
	assert_int_equal(log->n_releases, 2); /* both interfaces given back */
	assert_int_equal(fake_usb_live_objects(), 0);
}

/* The comm interface is busy: the class requests still go out, addressed to the data interface. */
static void open_without_the_comm_interface(void **state)
{
	(void)state;
	struct fake_usb_dev *d = add(0x0003, 1, 6, "2", NULL, FAKE_USB_CDC, 64);
	fake_usb_fail_claim(d, 0, LIBUSB_ERROR_BUSY);
	struct unifw_port *port = open_ok("usb:1:6");
	const struct fake_usb_log *log = fake_usb_log(d);
	assert_int_equal(log->n_ctrl, 2);
	assert_int_equal(log->ctrl[0].w_index, 1);
	assert_int_equal(log->ctrl[1].w_index, 1);
	unifw_port_close(port);
	assert_int_equal(log->n_releases, 1); /* only the data interface was ours */
	assert_int_equal(log->releases[0], 1);
}

static int open_fails(const char *text, struct unifw_error *e)
{
	struct unifw_port *port = NULL;
	unifw_error_clear(e);
	int rc = unifw_port_open(text, NULL, &port, e);
	assert_true(rc < 0);
	assert_null(port);
	assert_int_equal(fake_usb_live_objects(), 0);
	return rc;
}

static void open_errors(void **state)
{
	(void)state;
	struct unifw_error e;
	add(0x2000, 1, 7, "1", NULL, FAKE_USB_NO_DATA, 512);
	add(0x2000, 1, 8, "2", NULL, FAKE_USB_NO_BULK, 512);
	struct fake_usb_dev *locked = add(0x2000, 1, 9, "3", NULL, FAKE_USB_CDC, 512);
	fake_usb_fail_open(locked, LIBUSB_ERROR_ACCESS);
	struct fake_usb_dev *busy = add(0x2000, 1, 10, "4", NULL, FAKE_USB_CDC, 512);
	fake_usb_fail_claim(busy, 1, LIBUSB_ERROR_BUSY);

	assert_int_equal(open_fails("usb:1:7", &e), UNIFW_E_DEVICE);
	assert_contains(e.msg, "no CDC data interface (class 0x0a)");
	assert_string_equal(e.where, "usb:1:7");
	assert_int_equal(open_fails("usb:1:8", &e), UNIFW_E_DEVICE); /* class 0x0A but no bulk endpoints */
	assert_contains(e.msg, "bulk IN and OUT");

	assert_int_equal(open_fails("usb:1:9", &e), UNIFW_E_IO);
	assert_int_equal(e.sys_errno, EACCES);
	assert_contains(e.msg, "Access denied");
	assert_contains(e.msg, "udev/60-unifw-mediatek.rules");
	assert_contains(e.msg, "docs/udev.md");

	assert_int_equal(open_fails("usb:1:10", &e), UNIFW_E_IO);
	assert_contains(e.msg, "claiming the CDC data interface");
	assert_contains(e.msg, "Resource busy");
	/* the comm interface it had claimed is given back (to cdc_acm), the data interface it never got is not */
	const struct fake_usb_log *blog = fake_usb_log(busy);
	assert_int_equal(blog->n_releases, 1);
	assert_int_equal(blog->releases[0], 0);

	assert_int_equal(open_fails("usb:1:99", &e), UNIFW_E_NOT_FOUND);
	assert_contains(e.msg, "no USB device at this bus/address");
	assert_int_equal(open_fails("usb:2:7", &e), UNIFW_E_NOT_FOUND); /* same address, other bus */
}

/* ---------- 3. writes ---------- */

static void write_ok(struct unifw_port *port, const uint8_t *b, size_t n)
{
	struct unifw_error e;
	char buf[1200];
	if (unifw_port_write(port, b, n, &e) != 0)
		fail_msg("write %zu: %s", n, unifw_error_format(&e, buf, sizeof buf));
}

/* The OUT transfer lengths since `from`, which must be exactly want[0..n). */
static void assert_out_lengths(const struct fake_usb_log *log, size_t from, const size_t *want, size_t n)
{
	assert_int_equal(log->n_out - from, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(log->out_len[from + i], want[i]);
}

static void writes_and_zero_length_packets(void **state)
{
	(void)state;
	struct fake_usb_dev *d = add(0x2001, 1, 5, "1", NULL, FAKE_USB_CDC, 512);
	struct fake_usb_dev *fs = add(0x0003, 1, 6, "2", NULL, FAKE_USB_CDC, 64);
	const struct fake_usb_log *log = fake_usb_log(d);
	struct unifw_port *port = open_ok("usb:1:5");
	size_t big = 2 * MIB + 100;
	uint8_t *b = malloc(3 * MIB);
	assert_non_null(b);
	pattern(b, 3 * MIB, 1);

	size_t mark = log->n_out;
	write_ok(port, b, 1024);
	assert_out_lengths(log, mark, (const size_t[]){1024, 0}, 2); /* one ZLP after a packet multiple */
	mark = log->n_out;
	write_ok(port, b, 1000);
	assert_out_lengths(log, mark, (const size_t[]){1000}, 1);
	mark = log->n_out;
	write_ok(port, b, 512);
	assert_out_lengths(log, mark, (const size_t[]){512, 0}, 2);
	mark = log->n_out;
	write_ok(port, b, 64); /* a packet multiple only on a full-speed device */
	assert_out_lengths(log, mark, (const size_t[]){64}, 1);
	mark = log->n_out;
	write_ok(port, b, big);
	assert_out_lengths(log, mark, (const size_t[]){MIB, MIB, 100}, 3);
	mark = log->n_out;
	write_ok(port, b, 2 * MIB);
	assert_out_lengths(log, mark, (const size_t[]){MIB, MIB, 0}, 3);

	const uint8_t *got;
	size_t n = fake_usb_out_bytes(d, &got);
	assert_int_equal(n, 1024 + 1000 + 512 + 64 + big + 2 * MIB);
	assert_memory_equal(got + 1024 + 1000 + 512 + 64, b, big); /* the bytes, in order */
	unifw_port_close(port);

	port = open_ok("usb:1:6");
	mark = fake_usb_log(fs)->n_out;
	write_ok(port, b, 64);
	write_ok(port, b, 100);
	write_ok(port, b, 192);
	assert_out_lengths(fake_usb_log(fs), mark, (const size_t[]){64, 0, 100, 192, 0}, 5);
	unifw_port_close(port);
	free(b);
}

static void write_errors(void **state)
{
	(void)state;
	struct fake_usb_dev *d = add(0x2001, 1, 5, "1", NULL, FAKE_USB_CDC, 512);
	struct unifw_port *port = open_ok("usb:1:5");
	struct unifw_error e;
	uint8_t *b = calloc(1, 3 * MIB);
	assert_non_null(b);

	/* The phone is pulled during the second 1 MiB transfer. */
	fake_usb_fail_bulk(d, false, 1, LIBUSB_ERROR_NO_DEVICE, 4096);
	assert_int_equal(unifw_port_write(port, b, 3 * MIB, &e), UNIFW_E_IO);
	assert_contains(e.msg, "bulk write");
	assert_contains(e.msg, "disconnected");
	assert_string_equal(e.where, "usb:1:5");

	fake_usb_fail_bulk(d, false, 0, LIBUSB_ERROR_TIMEOUT, 0);
	assert_int_equal(unifw_port_write(port, b, 10, &e), UNIFW_E_TIMEOUT);

	/* The ZLP itself fails. */
	fake_usb_fail_bulk(d, false, 1, LIBUSB_ERROR_PIPE, 0);
	assert_int_equal(unifw_port_write(port, b, 512, &e), UNIFW_E_IO);
	assert_contains(e.msg, "zero-length packet");

	/* libusb says success but took nothing: an error, not an endless loop. */
	size_t mark = fake_usb_log(d)->n_out;
	fake_usb_stall_out(d, 100000);
	assert_true(unifw_port_write(port, b, 100, &e) < 0);
	assert_contains(e.msg, "0 of 100");
	assert_true(fake_usb_log(d)->n_out - mark < 10);
	fake_usb_stall_out(d, 0);
	unifw_port_close(port);
	free(b);
}

/* ---------- 4. reads ---------- */

static void assert_in_multiples(const struct fake_usb_log *log, size_t mp)
{
	assert_true(log->n_in > 0);
	for (size_t i = 0; i < log->n_in; i++) {
		assert_true(log->in_req[i] > 0);
		assert_int_equal(log->in_req[i] % mp, 0);
		assert_true(log->in_req[i] <= MIB);
	}
}

static void small_reads_keep_the_leftovers(void **state)
{
	(void)state;
	struct fake_usb_dev *d = add(0x2001, 1, 5, "1", NULL, FAKE_USB_CDC, 512);
	const struct fake_usb_log *log = fake_usb_log(d);
	struct unifw_port *port = open_ok("usb:1:5");
	struct unifw_error e;
	uint8_t src[10], buf[100];
	size_t got = 0;
	pattern(src, sizeof src, 2);
	fake_usb_queue_in(d, src, sizeof src);

	assert_int_equal(unifw_port_read_some(port, buf, 4, 1000, &got, &e), 0);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, src, 4);
	assert_int_equal(log->n_in, 1);
	assert_int_equal(log->in_req[0], 16384); /* usb.c's own buffer, not a 4-byte request */
	assert_int_equal(unifw_port_read_some(port, buf, 4, 1000, &got, &e), 0);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, src + 4, 4);
	assert_int_equal(unifw_port_read_some(port, buf, sizeof buf, 1000, &got, &e), 0);
	assert_int_equal(got, 2); /* the rest of the buffered packet, before asking the device again */
	assert_memory_equal(buf, src + 8, 2);
	assert_int_equal(log->n_in, 1);

	/* Nothing queued: a timeout at once (nothing can arrive in a single-threaded test). */
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_read_some(port, buf, 1, 5000, &got, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 < 1000);
	assert_contains(e.msg, "nothing received within 5000 ms");
	assert_int_equal(log->in_timeouts, 1);
	fake_usb_queue_in(d, src, 3);
	assert_int_equal(unifw_port_read(port, buf, 10, 100, &e), UNIFW_E_TIMEOUT);
	assert_contains(e.msg, "got 3 of 10 bytes");

	/* An injected timeout, then the data that was waiting. */
	fake_usb_queue_in(d, src, 5);
	fake_usb_fail_bulk(d, true, 0, LIBUSB_ERROR_TIMEOUT, 0);
	assert_int_equal(unifw_port_read_some(port, buf, 5, 100, &got, &e), UNIFW_E_TIMEOUT);
	assert_int_equal(unifw_port_read(port, buf, 5, 100, &e), 0);
	assert_memory_equal(buf, src, 5);

	/* Zero-length packets are not data: usb.c asks again, until its deadline. */
	size_t mark = log->n_in;
	fake_usb_queue_in(d, src, 5);
	fake_usb_in_zlp(d, 2);
	assert_int_equal(unifw_port_read_some(port, buf, sizeof buf, 1000, &got, &e), 0);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, src, 5);
	assert_int_equal(log->n_in - mark, 3);
	fake_usb_in_zlp(d, 1000000000);
	t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_read_some(port, buf, sizeof buf, 50, &got, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 >= 50 && unifw_mono_ms() - t0 < 1000);
	fake_usb_in_zlp(d, 0);

	fake_usb_fail_bulk(d, true, 0, LIBUSB_ERROR_NO_DEVICE, 0);
	assert_int_equal(unifw_port_read_some(port, buf, 5, 100, &got, &e), UNIFW_E_IO);
	assert_contains(e.msg, "bulk read");
	assert_contains(e.msg, "disconnected");
	assert_in_multiples(log, 512);
	unifw_port_close(port);
}

static void large_reads(void **state)
{
	(void)state;
	struct fake_usb_dev *d = add(0x2001, 1, 5, "1", NULL, FAKE_USB_CDC, 512);
	const struct fake_usb_log *log = fake_usb_log(d);
	struct unifw_port *port = open_ok("usb:1:5");
	struct unifw_error e;
	size_t n = 3 * MIB / 2 + 7;
	uint8_t *src = malloc(n), *buf = malloc(n);
	assert_non_null(src);
	assert_non_null(buf);
	pattern(src, n, 3);

	fake_usb_queue_in(d, src, 5000);
	assert_int_equal(unifw_port_read(port, buf, 5000, 1000, &e), 0);
	assert_memory_equal(buf, src, 5000);
	assert_int_equal(log->n_in, 2);
	assert_int_equal(log->in_req[0], 4608); /* straight into the caller's buffer: 9 packets */
	assert_int_equal(log->in_req[1], 16384); /* the last 392 bytes through usb.c's buffer */

	fake_usb_queue_in(d, src, n);
	assert_int_equal(unifw_port_read(port, buf, n, 1000, &e), 0);
	assert_memory_equal(buf, src, n);
	assert_int_equal(log->in_req[2], MIB); /* at most 1 MiB per transfer */
	assert_in_multiples(log, 512);
	unifw_port_close(port);
	free(src);
	free(buf);
}

static void reads_on_64_byte_endpoints(void **state)
{
	(void)state;
	struct fake_usb_dev *d = add(0x0003, 1, 5, "1", NULL, FAKE_USB_CDC, 64);
	struct unifw_port *port = open_ok("usb:1:5");
	struct unifw_error e;
	static const size_t sizes[] = {1, 63, 64, 65, 100, 511, 512, 1000, 20000};
	uint8_t src[20000], buf[20000];
	pattern(src, sizeof src, 4);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		fake_usb_queue_in(d, src, sizes[i]);
		assert_int_equal(unifw_port_read(port, buf, sizes[i], 1000, &e), 0);
		assert_memory_equal(buf, src, sizes[i]);
	}
	assert_in_multiples(fake_usb_log(d), 64);
	unifw_port_close(port);
}

/* ---------- re-enumeration at the port level ---------- */

static void reconnect_finds_the_device_by_port(void **state)
{
	(void)state;
	/* A DA-mode decoy on another port of the same hub, listed first, at the address the phone
	 * would get next. */
	struct fake_usb_dev *decoy = add(0x2001, 1, 21, "2.2", NULL, FAKE_USB_CDC, 512);
	struct fake_usb_dev *d = add(0x2000, 1, 20, "2.1", NULL, FAKE_USB_CDC, 512);
	struct unifw_port *port = open_ok("usb:1:20");
	struct unifw_error e;
	char buf[1200];
	uint8_t b[3] = {1, 2, 3};

	fake_usb_reenumerate(d);
	assert_int_equal(unifw_port_write(port, b, 3, &e), UNIFW_E_IO);
	assert_contains(e.msg, "disconnected");
	if (unifw_port_reconnect(port, 2000, &e) != 0)
		fail_msg("reconnect: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_int_equal(fake_usb_addr(d), 22);
	assert_string_equal(unifw_port_name(port), "usb:1:22");
	uint16_t pid;
	assert_int_equal(unifw_port_usb_mode(port, NULL, &pid), UNIFW_USB_MODE_DA);
	assert_int_equal(pid, 0x2001);
	assert_int_equal(fake_usb_log(decoy)->opens, 0);
	const struct fake_usb_log *log = fake_usb_log(d);
	assert_int_equal(log->opens, 2);
	assert_int_equal(log->open_addr[1], 22);
	assert_int_equal(log->n_ctrl, 4); /* the line set up again */
	write_ok(port, b, 3);
	const uint8_t *got;
	assert_int_equal(fake_usb_out_bytes(d, &got), 3);
	assert_memory_equal(got, b, 3);
	unifw_port_close(port);
}

static void reconnect_gives_up_naming_the_port(void **state)
{
	(void)state;
	struct fake_usb_config c = {.vid = 0x0E8D, .pid = 0x2000, .bus = 2, .addr = 3, .path = {1, 5}, .depth = 2,
				    .layout = FAKE_USB_CDC, .max_packet = 512, .comm_if = 0, .data_if = 1,
				    .return_ms = FAKE_USB_NEVER};
	struct fake_usb_dev *d = fake_usb_add(&c);
	struct unifw_port *port = open_ok("usb:2:3");
	struct unifw_error e;
	uint8_t b = 0;
	fake_usb_reenumerate(d);
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_reconnect(port, 300, &e), UNIFW_E_TIMEOUT);
	uint64_t took = unifw_mono_ms() - t0;
	assert_true(took >= 300 && took < 2000);
	assert_string_equal(e.where, "2-1.5");
	assert_contains(e.msg, "did not come back on USB port 2-1.5 within 300 ms");
	assert_contains(e.msg, "no device on the USB port any more");
	assert_int_equal(fake_usb_live_objects(), 0); /* the old handle and the context are gone */
	assert_int_equal(unifw_port_write(port, &b, 1, &e), UNIFW_E_IO);
	assert_contains(e.msg, "port is closed");
	unifw_port_close(port);

	/* It comes back as 0E8D:2001, which the udev rules do not let us open: the last problem is told. */
	struct fake_usb_dev *d2 = add(0x2000, 3, 8, "4", NULL, FAKE_USB_CDC, 512);
	port = open_ok("usb:3:8");
	fake_usb_fail_open(d2, LIBUSB_ERROR_ACCESS);
	fake_usb_reenumerate(d2);
	assert_int_equal(unifw_port_reconnect(port, 300, &e), UNIFW_E_TIMEOUT);
	assert_true(fake_usb_present(d2));
	assert_contains(e.msg, "did not come back on USB port 3-4");
	assert_contains(e.msg, "Access denied");
	assert_contains(e.msg, "udev");
	unifw_port_close(port);
}

/* ---------- 5. the protocol over usb.c, against the virtual phone ---------- */

#define USER_SIZE (4u << 20)
#define BOOT_SIZE (128u << 10)

struct phone_rig {
	struct sim_emmc_geometry g;
	struct sim_memstore *ms;
	struct sim_dev *sim;
	struct fake_usb_dev *usb;
	char da_path[600];
};

/* The sim's synthetic DA in a real MTK_AllInOne_DA container, built with the project's writers. */
static void write_da(const char *path)
{
	size_t l1, l2, len = 0;
	uint8_t *da1 = sim_dablob_build(1, SIM_MT6572_HW_CODE, SIM_MT6572_HW_VER, &l1);
	uint8_t *da2 = sim_dablob_build(2, SIM_MT6572_HW_CODE, SIM_MT6572_HW_VER, &l2);
	uint8_t *out = NULL;
	static const uint8_t region0[0x100] = "region 0 is unused";
	struct unifw_error e;
	assert_non_null(da1);
	assert_non_null(da2);
	struct unifw_da_blob r[3] = {{region0, sizeof region0, 0, 0},
				     {da1, l1, SIM_DA1_ADDR, SIM_DA_SIG_LEN},
				     {da2, l2, SIM_DA2_ADDR, SIM_DA_SIG_LEN}};
	struct unifw_da_build_entry ent = {.hw_code = SIM_MT6572_HW_CODE, .hw_sub_code = 0x8A00,
					   .hw_ver = SIM_MT6572_HW_VER, .region_index = 1, .regions = r,
					   .region_count = 3};
	struct unifw_da_build b = {.version = "test_usb synthetic DA", .entries = &ent, .count = 1};
	assert_int_equal(unifw_dafile_build(&b, &out, &len, &e), 0);
	assert_int_equal(unifw_file_write_atomic(path, out, len, &e), 0);
	free(out);
	free(da1);
	free(da2);
}

static void rig_up(struct phone_rig *r, unsigned return_ms)
{
	static const uint8_t cid[16] = {0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x10,
					0x5A, 0x17, 0x6A, 0x2C, 0xB3, 0x01};
	memset(r, 0, sizeof *r);
	r->g.size[SIM_PART_BOOT1] = BOOT_SIZE;
	r->g.size[SIM_PART_BOOT2] = BOOT_SIZE;
	r->g.size[SIM_PART_RPMB] = BOOT_SIZE;
	r->g.size[SIM_PART_USER] = USER_SIZE;
	memcpy(r->g.cid, cid, sizeof cid);
	r->ms = sim_memstore_new(&r->g);
	assert_non_null(r->ms);
	pattern(sim_memstore_part(r->ms, SIM_PART_USER), USER_SIZE, 5);
	struct sim_config cfg = {.mode = SIM_MODE_PRELOADER, .preloader_window_ms = 0,
				 .storage = sim_memstore_storage(r->ms), .seed = 11};
	sim_personality_default(&cfg.pers, &r->g); /* full-speed USB: the host will switch */
	r->sim = sim_dev_new(&cfg);
	assert_non_null(r->sim);
	/* A full-speed preloader (64-byte packets) that comes back as a high-speed DA (512). */
	struct fake_usb_config c = {.vid = 0x0E8D, .pid = 0x2000, .bus = 1, .addr = 7, .path = {1, 3}, .depth = 2,
				    .product = "MT65xx Preloader", .layout = FAKE_USB_CDC, .max_packet = 64,
				    .max_packet_after = 512, .comm_if = 0, .data_if = 1, .sim = r->sim,
				    .return_ms = return_ms};
	r->usb = fake_usb_add(&c);
	snprintf(r->da_path, sizeof r->da_path, "%s/MTK_AllInOne_DA.bin", g_dir);
	write_da(r->da_path);
}

static void rig_down(struct phone_rig *r)
{
	sim_dev_free(r->sim);
	sim_memstore_free(r->ms);
	remove(r->da_path);
}

struct mem {
	uint8_t *buf;
	uint64_t base;
	size_t len;
};

static int sink(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem *m = ctx;
	if (off < m->base || off - m->base + len > m->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", off, "beyond the buffer");
	memcpy(m->buf + (off - m->base), data, len);
	return 0;
}

static int source(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem *m = ctx;
	if (off < m->base || off - m->base + len > m->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", off, "beyond the buffer");
	memcpy(buf, m->buf + (off - m->base), len);
	return 0;
}

static void phone_over_usb(void **state)
{
	(void)state;
	struct phone_rig r;
	rig_up(&r, 30);
	struct unifw_phone_open_opts o = {.port = "usb:1:7", .da_path = r.da_path, .high_speed = true,
					  .wait_ms = 3000};
	struct unifw_phone *ph = NULL;
	struct unifw_error e;
	char buf[1200];
	unifw_error_clear(&e);
	if (unifw_phone_open(&o, &ph, &e) != 0)
		fail_msg("phone open: %s", unifw_error_format(&e, buf, sizeof buf));

	const struct unifw_phone_info *i = unifw_phone_info(ph);
	assert_string_equal(i->mode, "preloader");
	assert_int_equal(i->hw_code, 0x6572);
	assert_string_equal(i->chip_name, "MT6572");
	assert_true(i->have_da);
	assert_true(i->have_cid);
	assert_memory_equal(i->cid, r.g.cid, 16);
	assert_int_equal(i->user_size, USER_SIZE);
	assert_int_equal(i->boot1_size, BOOT_SIZE);
	assert_string_equal(i->port, "usb:1:7");

	/* The speed switch: the phone left the bus and came back on port 1-1.3 as a DA (0E8D:2001) at a
	 * new address, and usb.c found it there. */
	assert_true(i->usb_high_speed);
	const struct fake_usb_log *log = fake_usb_log(r.usb);
	assert_int_equal(log->reenumerations, 1);
	assert_int_equal(log->opens, 2);
	assert_int_equal(log->open_addr[0], 7);
	assert_int_equal(log->open_pid[0], 0x2000);
	assert_int_equal(log->open_addr[1], fake_usb_addr(r.usb));
	assert_true(fake_usb_addr(r.usb) != 7);
	assert_int_equal(log->open_pid[1], 0x2001);
	assert_int_equal(log->n_ctrl, 4); /* the line was set up on both */
	for (size_t k = 0; k < log->n_in; k++) /* 64-byte packets before the switch, 512 after */
		assert_int_equal(log->in_req[k] % 64, 0);
	size_t in_before = log->n_in, zlp_before = 0, out_before = log->n_out;
	for (size_t k = 0; k < log->n_out; k++)
		zlp_before += log->out_len[k] == 0;
	assert_true(zlp_before > 0); /* the DA upload's 4 KiB packets end on a packet boundary */

	/* Read: bytes equal to the eMMC's. */
	const uint8_t *user = sim_memstore_part(r.ms, SIM_PART_USER);
	size_t rlen = 300001;
	struct mem m = {.buf = malloc(rlen), .base = 0x10000, .len = rlen};
	assert_non_null(m.buf);
	if (unifw_phone_read(ph, UNIFW_PHONE_USER, m.base, rlen, sink, &m, &e) != 0)
		fail_msg("read: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_memory_equal(m.buf, user + m.base, rlen);
	for (size_t k = in_before; k < log->n_in; k++)
		assert_int_equal(log->in_req[k] % 512, 0);

	/* Write, then read back. */
	size_t wlen = 70000;
	struct mem w = {.buf = malloc(wlen), .base = 0x200000, .len = wlen};
	assert_non_null(w.buf);
	pattern(w.buf, wlen, 6);
	assert_memory_not_equal(user + w.base, w.buf, wlen);
	if (unifw_phone_write(ph, UNIFW_PHONE_USER, w.base, wlen, source, &w, &e) != 0)
		fail_msg("write: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_memory_equal(user + w.base, w.buf, wlen);
	struct mem back = {.buf = calloc(1, wlen), .base = w.base, .len = wlen};
	assert_non_null(back.buf);
	if (unifw_phone_read(ph, UNIFW_PHONE_USER, back.base, wlen, sink, &back, &e) != 0)
		fail_msg("read back: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_memory_equal(back.buf, w.buf, wlen);
	assert_true(log->n_out > out_before);

	unifw_phone_close(ph);
	assert_int_equal(fake_usb_live_objects(), 0);
	free(m.buf);
	free(w.buf);
	free(back.buf);
	rig_down(&r);
}

static void phone_that_never_comes_back(void **state)
{
	(void)state;
	struct phone_rig r;
	rig_up(&r, FAKE_USB_NEVER);
	struct unifw_phone_open_opts o = {.port = "usb:1:7", .da_path = r.da_path, .high_speed = true, .wait_ms = 300};
	struct unifw_phone *ph = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_phone_open(&o, &ph, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 < 5000);
	assert_null(ph);
	assert_contains(e.msg, "reconnecting after the USB speed switch");
	assert_contains(e.msg, "did not come back on USB port 1-1.3 within 300 ms");
	assert_false(fake_usb_present(r.usb));
	assert_int_equal(fake_usb_log(r.usb)->opens, 1);
	assert_int_equal(fake_usb_live_objects(), 0);
	rig_down(&r);
}

int main(void)
{
	g_dir = test_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(list_reports_mediatek_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(auto_opens_a_download_mode_device, setup, teardown),
		cmocka_unit_test_setup_teardown(open_claims_and_sets_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(open_without_the_comm_interface, setup, teardown),
		cmocka_unit_test_setup_teardown(open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(writes_and_zero_length_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(write_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(small_reads_keep_the_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(large_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(reads_on_64_byte_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(reconnect_finds_the_device_by_port, setup, teardown),
		cmocka_unit_test_setup_teardown(reconnect_gives_up_naming_the_port, setup, teardown),
		cmocka_unit_test_setup_teardown(phone_over_usb, setup, teardown),
		cmocka_unit_test_setup_teardown(phone_that_never_comes_back, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_rmtree(g_dir);
	free(g_dir);
	return rc;
}
