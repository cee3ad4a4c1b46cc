/* USB through libusb: the phone's CDC-ACM function without the kernel's tty layer.
 *
 * docs/transport.md (with the public implementations it was checked in): pick the interface of
 * class 0x0A (CDC data) and its first bulk IN/OUT endpoints, detach the kernel driver (cdc_acm),
 * claim it, then SET_LINE_CODING (bmRequestType 0x21, bRequest 0x20, 921600 baud LE, 1 stop bit, no
 * parity, 8 bits) and SET_CONTROL_LINE_STATE (0x21, 0x22, wValue 2). The class requests go to the
 * communication interface (class 0x02) as the CDC spec says; other hosts send them with wIndex 1 and
 * the BROM accepts either (docs/transport.md "USB (libusb)"). */
#include "transport/port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#define USB_CTRL_TIMEOUT_MS 1000
#define USB_RBUF 16384       /* a multiple of every bulk max packet size (64/512) */
#define USB_MAX_TRANSFER (1u << 20)

struct usb_state {
	libusb_context *ctx;
	libusb_device_handle *h;
	int comm_if, data_if;
	bool comm_claimed, data_claimed;
	uint8_t ep_in, ep_out;
	uint16_t max_in, max_out;
	uint8_t bus;
	uint8_t path[8];
	int depth;
	uint8_t rbuf[USB_RBUF];
	size_t rpos, rlen;
};

static int usb_error(struct unifw_error *err, const char *where, int lrc, const char *what)
{
	int code = lrc == LIBUSB_ERROR_TIMEOUT ? UNIFW_E_TIMEOUT : UNIFW_E_IO;
	const char *hint = lrc == LIBUSB_ERROR_ACCESS ? " (permission denied: install udev/60-unifw-mediatek.rules, "
							"see docs/udev.md)"
		: lrc == LIBUSB_ERROR_NO_DEVICE ? " (the device disconnected)"
						 : "";
	int rc = unifw_error_set(err, code, where, UNIFW_NO_OFFSET, "%s: %s%s", what, libusb_strerror(lrc), hint);
	if (err && lrc == LIBUSB_ERROR_ACCESS)
		err->sys_errno = EACCES;
	return rc;
}

/* Find the CDC data interface and the communication interface in the active configuration. */
static int usb_find_interfaces(struct usb_state *u, libusb_device *dev, const char *where, struct unifw_error *err)
{
	struct libusb_config_descriptor *cfg = NULL;
	int lrc = libusb_get_active_config_descriptor(dev, &cfg);
	if (lrc < 0)
		return usb_error(err, where, lrc, "reading the configuration descriptor");
	u->comm_if = u->data_if = -1;
	u->ep_in = u->ep_out = 0;
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		if (itf->num_altsetting < 1)
			continue;
		const struct libusb_interface_descriptor *alt = &itf->altsetting[0];
		if (alt->bInterfaceClass == LIBUSB_CLASS_COMM && u->comm_if < 0)
			u->comm_if = alt->bInterfaceNumber;
		if (alt->bInterfaceClass != LIBUSB_CLASS_DATA || u->data_if >= 0)
			continue;
		uint8_t in = 0, out = 0;
		uint16_t min = 0, mout = 0;
		for (int e = 0; e < alt->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
			if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !in) {
				in = ep->bEndpointAddress;
				min = ep->wMaxPacketSize;
			} else if (!(ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !out) {
				out = ep->bEndpointAddress;
				mout = ep->wMaxPacketSize;
			}
		}
		if (in && out) {
			u->data_if = alt->bInterfaceNumber;
			u->ep_in = in;
			u->ep_out = out;
			u->max_in = min ? min : 64;
			u->max_out = mout ? mout : 64;
		}
	}
	libusb_free_config_descriptor(cfg);
	if (u->data_if < 0)
		return unifw_error_set(err, UNIFW_E_DEVICE, where, UNIFW_NO_OFFSET,
				       "no CDC data interface (class 0x0a) with bulk IN and OUT endpoints");
	return 0;
}

static void usb_set_line(struct usb_state *u)
{
	uint8_t coding[7] = {0x00, 0x10, 0x0E, 0x00, 0, 0, 8}; /* 921600 = 0x000E1000 LE, 1 stop, no parity, 8 bits */
	uint16_t idx = (uint16_t)(u->comm_if >= 0 ? u->comm_if : u->data_if);
	/* Best effort (docs/transport.md "USB (libusb)"): some download modes stall class requests and work anyway. */
	(void)libusb_control_transfer(u->h, 0x21, 0x20, 0, idx, coding, sizeof coding, USB_CTRL_TIMEOUT_MS);
	(void)libusb_control_transfer(u->h, 0x21, 0x22, 2, idx, NULL, 0, USB_CTRL_TIMEOUT_MS);
}

/* Release what was claimed and close the handle: with auto-detach, releasing an interface gives it back
 * to cdc_acm, so one claimed but not released would stay without a driver. */
static void usb_close_handle(struct usb_state *u)
{
	if (!u->h)
		return;
	if (u->data_claimed)
		libusb_release_interface(u->h, u->data_if);
	if (u->comm_claimed)
		libusb_release_interface(u->h, u->comm_if);
	u->data_claimed = u->comm_claimed = false;
	libusb_close(u->h);
	u->h = NULL;
}

static void usb_state_free(struct usb_state *u)
{
	if (!u)
		return;
	usb_close_handle(u);
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
}

static bool same_location(libusb_device *dev, const struct usb_state *want)
{
	uint8_t path[8];
	int depth = libusb_get_port_numbers(dev, path, sizeof path);
	return libusb_get_bus_number(dev) == want->bus && depth == want->depth && depth > 0 &&
	       memcmp(path, want->path, (size_t)depth) == 0;
}

static void location_name(const struct usb_state *u, char *out, size_t len)
{
	size_t pos = (size_t)snprintf(out, len, "%u-", u->bus);
	for (int i = 0; i < u->depth && pos < len; i++)
		pos += (size_t)snprintf(out + pos, len - pos, i ? ".%u" : "%u", u->path[i]);
}

/* Open the device at bus/addr (or, with by_location, the one on the same USB port as `u`). */
static int usb_open_device(struct unifw_port *port, struct usb_state *u, bool by_location, struct unifw_error *err)
{
	libusb_device **devs = NULL;
	libusb_device *found = NULL;
	char where[64];
	ssize_t n = libusb_get_device_list(u->ctx, &devs);
	int lrc;

	snprintf(where, sizeof where, "usb:%u:%u", port->spec.usb_bus, port->spec.usb_addr);
	if (n < 0)
		return usb_error(err, where, (int)n, "listing USB devices");
	for (ssize_t i = 0; i < n && !found; i++) {
		if (by_location ? same_location(devs[i], u)
				: (libusb_get_bus_number(devs[i]) == port->spec.usb_bus &&
				   libusb_get_device_address(devs[i]) == port->spec.usb_addr))
			found = devs[i];
	}
	if (!found) {
		libusb_free_device_list(devs, 1);
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, where, UNIFW_NO_OFFSET,
				       by_location ? "no device on the USB port any more" : "no USB device at this bus/address "
											"(see `unifw devices`)");
	}
	struct libusb_device_descriptor dd;
	if ((lrc = libusb_get_device_descriptor(found, &dd)) < 0 || (lrc = libusb_open(found, &u->h)) < 0) {
		libusb_free_device_list(devs, 1);
		return usb_error(err, where, lrc, "opening the device");
	}
	port->vid = dd.idVendor;
	port->pid = dd.idProduct;
	port->spec.usb_bus = libusb_get_bus_number(found);
	port->spec.usb_addr = libusb_get_device_address(found);
	u->bus = port->spec.usb_bus;
	u->depth = libusb_get_port_numbers(found, u->path, sizeof u->path);
	if (u->depth < 0)
		u->depth = 0;
	snprintf(where, sizeof where, "usb:%u:%u", port->spec.usb_bus, port->spec.usb_addr);
	int rc = usb_find_interfaces(u, found, where, err);
	libusb_free_device_list(devs, 1);
	if (rc < 0)
		return rc;
	(void)libusb_set_auto_detach_kernel_driver(u->h, 1);
	if (u->comm_if >= 0 && (lrc = libusb_claim_interface(u->h, u->comm_if)) < 0)
		u->comm_if = -1; /* control requests still go out on the default pipe */
	u->comm_claimed = u->comm_if >= 0;
	if ((lrc = libusb_claim_interface(u->h, u->data_if)) < 0)
		return usb_error(err, where, lrc, "claiming the CDC data interface");
	u->data_claimed = true;
	usb_set_line(u);
	snprintf(port->name, sizeof port->name, "%s", where);
	location_name(u, port->location, sizeof port->location);
	return 0;
}

static int usb_open(struct unifw_port *port, struct unifw_error *err)
{
	struct usb_state *u = calloc(1, sizeof *u);
	int lrc, rc;
	if (!u)
		return unifw_error_set(err, UNIFW_E_NOMEM, "usb", UNIFW_NO_OFFSET, "out of memory");
	u->comm_if = u->data_if = -1;
	if ((lrc = libusb_init(&u->ctx)) < 0) {
		u->ctx = NULL;
		usb_state_free(u);
		return usb_error(err, "usb", lrc, "initialising libusb");
	}
	rc = usb_open_device(port, u, false, err);
	if (rc < 0) {
		usb_state_free(u);
		return rc;
	}
	port->state = u;
	port->ops = &unifw_usb_ops;
	return 0;
}

static int usb_read_some(struct unifw_port *port, uint8_t *buf, size_t max, unsigned timeout_ms, size_t *got,
			 struct unifw_error *err)
{
	struct usb_state *u = port->state;
	uint64_t deadline = unifw_mono_ms() + timeout_ms;
	if (u->rpos < u->rlen) {
		size_t n = u->rlen - u->rpos < max ? u->rlen - u->rpos : max;
		memcpy(buf, u->rbuf + u->rpos, n);
		u->rpos += n;
		*got = n;
		return 0;
	}
	for (;;) {
		uint64_t now = unifw_mono_ms();
		unsigned wait = now >= deadline ? 1 : (unsigned)(deadline - now); /* 0 would mean forever */
		int transferred = 0, lrc;
		/* A request that is a multiple of the packet size can never overflow: large reads go
		 * straight into the caller's buffer, small ones through ours. */
		if (max >= u->max_in) {
			size_t n = max > USB_MAX_TRANSFER ? USB_MAX_TRANSFER : max;
			n -= n % u->max_in;
			lrc = libusb_bulk_transfer(u->h, u->ep_in, buf, (int)n, &transferred, wait);
			if (transferred > 0) {
				*got = (size_t)transferred;
				return 0;
			}
		} else {
			lrc = libusb_bulk_transfer(u->h, u->ep_in, u->rbuf, USB_RBUF - USB_RBUF % u->max_in, &transferred,
						   wait);
			if (transferred > 0) {
				size_t n = (size_t)transferred < max ? (size_t)transferred : max;
				memcpy(buf, u->rbuf, n);
				u->rpos = n;
				u->rlen = (size_t)transferred;
				*got = n;
				return 0;
			}
		}
		if (lrc == LIBUSB_ERROR_TIMEOUT)
			return UNIFW_E_TIMEOUT;
		if (lrc < 0)
			return usb_error(err, port->name, lrc, "bulk read");
		if (unifw_mono_ms() >= deadline) /* only zero-length packets came */
			return UNIFW_E_TIMEOUT;
	}
}

static int usb_write(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err)
{
	struct usb_state *u = port->state;
	size_t done = 0;
	while (done < n) {
		size_t chunk = n - done > USB_MAX_TRANSFER ? USB_MAX_TRANSFER : n - done;
		int transferred = 0;
		int lrc = libusb_bulk_transfer(u->h, u->ep_out, (uint8_t *)buf + done, (int)chunk, &transferred,
					       PORT_WRITE_TIMEOUT_MS);
		done += transferred > 0 ? (size_t)transferred : 0;
		if (lrc < 0)
			return usb_error(err, port->name, lrc, "bulk write");
		/* Success without progress would loop here for ever. */
		if (transferred <= 0)
			return unifw_error_set(err, UNIFW_E_IO, port->name, UNIFW_NO_OFFSET,
					       "bulk write: libusb reported success but sent 0 of %zu bytes (%zu of %zu "
					       "written)", chunk, done, n);
	}
	/* A transfer that ends exactly on a packet boundary is only complete for a device that
	 * posted a bigger read after a zero-length packet (hosts send one after uploads; docs/transport.md "USB (libusb)"). */
	if (n % u->max_out == 0) {
		int transferred = 0;
		int lrc = libusb_bulk_transfer(u->h, u->ep_out, (uint8_t *)buf, 0, &transferred, PORT_WRITE_TIMEOUT_MS);
		if (lrc < 0)
			return usb_error(err, port->name, lrc, "zero-length packet");
	}
	return 0;
}

static void usb_close(struct unifw_port *port)
{
	usb_state_free(port->state);
	port->state = NULL;
}

/* After USB_SETUP_PORT the phone leaves the bus and comes back with a new address (and often
 * PID 2001) on the same physical port: look for it there. */
static int usb_reopen(struct unifw_port *port, unsigned timeout_ms, struct unifw_error *err)
{
	struct usb_state *old = port->state;
	struct usb_state *u = calloc(1, sizeof *u);
	uint64_t deadline = unifw_mono_ms() + timeout_ms;
	struct unifw_error last;
	char loc[64];
	int lrc;

	snprintf(loc, sizeof loc, "%s", port->location);
	if (!u)
		return unifw_error_set(err, UNIFW_E_NOMEM, "usb", UNIFW_NO_OFFSET, "out of memory");
	u->bus = old->bus;
	u->depth = old->depth;
	memcpy(u->path, old->path, sizeof u->path);
	u->comm_if = u->data_if = -1;
	usb_state_free(old);
	port->state = NULL;
	port->ops = NULL;
	if ((lrc = libusb_init(&u->ctx)) < 0) {
		u->ctx = NULL;
		usb_state_free(u);
		return usb_error(err, "usb", lrc, "initialising libusb");
	}
	unifw_sleep_ms(100); /* let the old device leave the bus before looking for the new one */
	for (;;) {
		unifw_error_clear(&last);
		if (usb_open_device(port, u, true, &last) == 0) {
			port->state = u;
			port->ops = &unifw_usb_ops;
			return 0;
		}
		usb_close_handle(u);
		if (unifw_mono_ms() >= deadline)
			break;
		unifw_sleep_ms(50);
	}
	usb_state_free(u);
	return unifw_error_set(err, UNIFW_E_TIMEOUT, loc, UNIFW_NO_OFFSET,
			       "the device did not come back on USB port %s within %u ms: %s", loc, timeout_ms, last.msg);
}

/* product: also ask each device for its product string (opens it: `unifw devices` only, not the `auto`
 * scan that must not touch a preloader in its short window). */
static int usb_list(const struct unifw_port_options *opt, bool product, struct unifw_device_list *out,
		    struct unifw_error *err)
{
	libusb_context *ctx = NULL;
	libusb_device **devs = NULL;
	ssize_t n;
	int rc = 0;
	if (opt && opt->no_usb)
		return 0;
	if (libusb_init(&ctx) < 0)
		return 0; /* no USB access at all (container, no usbfs): nothing to list */
	n = libusb_get_device_list(ctx, &devs);
	for (ssize_t i = 0; i < n && rc == 0; i++) {
		struct libusb_device_descriptor dd;
		struct unifw_device d;
		struct usb_state loc = {0};
		if (libusb_get_device_descriptor(devs[i], &dd) < 0)
			continue;
		memset(&d, 0, sizeof d);
		d.mode = unifw_usb_mode_from_ids(dd.idVendor, dd.idProduct);
		if (dd.idVendor != UNIFW_USB_VID_MEDIATEK && d.mode == UNIFW_USB_MODE_UNKNOWN)
			continue;
		d.kind = UNIFW_PORT_USB;
		d.vid = dd.idVendor;
		d.pid = dd.idProduct;
		d.bus = libusb_get_bus_number(devs[i]);
		d.addr = libusb_get_device_address(devs[i]);
		snprintf(d.port, sizeof d.port, "usb:%u:%u", d.bus, d.addr);
		loc.bus = d.bus;
		loc.depth = libusb_get_port_numbers(devs[i], loc.path, sizeof loc.path);
		if (loc.depth < 0)
			loc.depth = 0;
		location_name(&loc, d.location, sizeof d.location);
		libusb_device_handle *h = NULL;
		if (product && dd.iProduct && libusb_open(devs[i], &h) == 0) {
			if (libusb_get_string_descriptor_ascii(h, dd.iProduct, (unsigned char *)d.product,
							       (int)sizeof d.product) < 0)
				d.product[0] = 0;
			libusb_close(h);
		}
		rc = unifw_device_append(out, &d, err);
	}
	if (n >= 0)
		libusb_free_device_list(devs, 1);
	libusb_exit(ctx);
	return rc;
}

/* ---- --port: usb:BUS:ADDR ---- */

static int usb_match(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	if (strncmp(text, "usb:", 4) != 0)
		return PORT_SPEC_NOT_MINE;
	const char *rest = text + 4;
	const char *colon = strchr(rest, ':');
	unsigned long bus, addr;
	if (!colon || !unifw_port_parse_uint(rest, (size_t)(colon - rest), 1, 255, &bus) ||
	    !unifw_port_parse_uint(colon + 1, strlen(colon + 1), 1, 127, &addr))
		return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET,
				       "expected usb:BUS:ADDR with BUS 1..255 and ADDR 1..127 as `lsusb` shows them "
				       "(e.g. usb:1:7), found '%s'", text);
	spec->kind = UNIFW_PORT_USB;
	spec->usb_bus = (uint8_t)bus;
	spec->usb_addr = (uint8_t)addr;
	return 0;
}

const struct unifw_transport_ops unifw_usb_ops = {
	.kind = "usb",
	.port_kind = UNIFW_PORT_USB,
	.form = "usb:BUS:ADDR (e.g. usb:1:7)",
	.match = usb_match,
	.open = usb_open,
	.list = usb_list,
	.read_some = usb_read_some,
	.write = usb_write,
	.reopen = usb_reopen,
	.close = usb_close,
};
