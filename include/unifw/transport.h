/* unifw — transports: move bytes to and from a phone (or the virtual phone); never parse them.
 *
 * A struct unifw_port is opened from a --port string (docs/transport.md):
 *   auto                 wait for a MediaTek device (BROM 0E8D:0003, preloader 0E8D:2000/3000,
 *                        DA 0E8D:2001) on /dev/ttyACM* or USB, calling opt->notify once
 *   /dev/ttyACM0         a serial port (termios raw, 921600 8N1, poll-based timeouts)
 *   usb:BUS:ADDR         libusb: the CDC data interface (class 0x0A), kernel driver detached
 *   unix:/path/to.sock   a Unix stream socket (unifw-sim --socket)
 *   tcp:HOST:PORT        a TCP connection
 * All reads take a timeout; writes send every byte. Nothing here prints. */
#ifndef UNIFW_TRANSPORT_H
#define UNIFW_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/chip.h"
#include "unifw/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_port_kind {
	UNIFW_PORT_AUTO = 0,
	UNIFW_PORT_TTY,
	UNIFW_PORT_USB,
	UNIFW_PORT_UNIX,
	UNIFW_PORT_TCP,
	UNIFW_PORT_FD, /* an already open descriptor (unifw_port_wrap_fd) */
};

struct unifw_port_spec {
	enum unifw_port_kind kind;
	char path[256];     /* TTY device path, UNIX socket path */
	char host[256];     /* TCP host name or address (IPv6 in brackets on the command line) */
	uint16_t tcp_port;
	uint8_t usb_bus, usb_addr;
};

/* Parse a --port string. A string that is none of the accepted forms is UNIFW_E_BAD_PORT (a usage
 * error), with a message that says what was wrong and shows the forms; unifw_port_open returns it too,
 * before opening anything. A well-formed port whose device is absent is never UNIFW_E_BAD_PORT. */
int unifw_port_spec_parse(const char *text, struct unifw_port_spec *spec, struct unifw_error *err);
const char *unifw_port_kind_name(enum unifw_port_kind kind);

struct unifw_port_options {
	unsigned wait_ms;   /* auto: how long to wait for a device (0 = 60 s); reconnect default too */
	unsigned poll_ms;   /* auto: scan interval (0 = 20 ms, to catch the preloader's ~0.3 s window) */
	/* auto: called once before waiting ("plug in the powered-off phone now ..."). */
	void (*notify)(void *ctx, const char *message);
	void *ctx;
	const char *sysfs_root; /* where /sys is (tests); NULL = "/sys" */
	const char *dev_root;   /* where /dev is (tests); NULL = "/dev" */
	bool no_usb;            /* auto/devices: do not look at libusb (tests, tty-only setups) */
};

struct unifw_port;

int unifw_port_open(const char *text, const struct unifw_port_options *opt, struct unifw_port **out,
		    struct unifw_error *err);
int unifw_port_open_spec(const struct unifw_port_spec *spec, const struct unifw_port_options *opt,
			 struct unifw_port **out, struct unifw_error *err);
/* Take over an open descriptor (a socket or a tty; tests, an inherited connection). The port owns
 * and closes it. Reconnect is not possible. */
int unifw_port_wrap_fd(int fd, const char *name, struct unifw_port **out, struct unifw_error *err);

/* Read exactly n bytes. timeout_ms is the longest silence allowed between bytes (a slow but
 * steady device is fine); UNIFW_E_TIMEOUT says how many of the n bytes arrived. */
int unifw_port_read(struct unifw_port *port, uint8_t *buf, size_t n, unsigned timeout_ms, struct unifw_error *err);
/* Read what is available, 1..max bytes, waiting up to timeout_ms for the first one. */
int unifw_port_read_some(struct unifw_port *port, uint8_t *buf, size_t max, unsigned timeout_ms, size_t *got,
			 struct unifw_error *err);
/* Write all n bytes (a device that takes nothing for 10 s is a timeout). */
int unifw_port_write(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err);
/* Close and open the same kind of port again, waiting up to timeout_ms (0 = options' wait or
 * 30 s): after USB_SETUP_PORT the phone re-enumerates, so USB and tty ports look for the device on
 * the same USB port (bus and port path), sockets connect again to the same address. */
int unifw_port_reconnect(struct unifw_port *port, unsigned timeout_ms, struct unifw_error *err);
void unifw_port_close(struct unifw_port *port);

const char *unifw_port_name(const struct unifw_port *port);
enum unifw_port_kind unifw_port_kind(const struct unifw_port *port);
/* USB identity when known (USB ports, ttyACM ports with sysfs): vid/pid 0 otherwise. */
enum unifw_usb_mode unifw_port_usb_mode(const struct unifw_port *port, uint16_t *vid, uint16_t *pid);

/* MediaTek devices visible now: libusb devices with a known VID:PID and ttyACM ports whose USB
 * parent has one (sysfs idVendor/idProduct). */
struct unifw_device {
	enum unifw_port_kind kind; /* UNIFW_PORT_USB or UNIFW_PORT_TTY */
	char port[280];            /* a --port string that opens it */
	uint16_t vid, pid;
	enum unifw_usb_mode mode;
	uint8_t bus, addr;
	char location[64];         /* sysfs USB device name, e.g. "1-1.2" (same across re-enumeration) */
	char product[64];          /* USB product string when readable */
};
int unifw_devices_list(const struct unifw_port_options *opt, struct unifw_device **out, size_t *count,
		       struct unifw_error *err);
void unifw_devices_free(struct unifw_device *list);

#ifdef __cplusplus
}
#endif
#endif
