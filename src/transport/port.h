/* Internal: struct unifw_port and the per-transport operations (flashrom's programmer table idea:
 * one file per transport, each filling a struct unifw_transport_ops). */
#ifndef UNIFW_TRANSPORT_PORT_H
#define UNIFW_TRANSPORT_PORT_H

#include <sys/types.h>

#include "unifw/transport.h"
#include "util/clock.h"

struct unifw_device_list;

/* One row of the transports[] table (transport.c). Adding a transport = one file filling this struct
 * and one line in the table: the --port matcher, open, listing and the byte moves are all here. */
struct unifw_transport_ops {
	const char *kind;               /* unifw_port_kind_name(): "tty", "usb", "unix", "tcp" */
	enum unifw_port_kind port_kind;
	const char *form;               /* its --port form for messages: "usb:BUS:ADDR (e.g. usb:1:7)" */
	/* Is `text` this transport's --port form? PORT_SPEC_NOT_MINE when not; 0 with *spec filled; or
	 * UNIFW_E_BAD_PORT when it is this transport's form but malformed (the message says why). */
	int (*match)(const char *text, struct unifw_port_spec *spec, struct unifw_error *err);
	/* Open port->spec: sets port->name, port->state (the backend's, opaque here) and port->ops. */
	int (*open)(struct unifw_port *port, struct unifw_error *err);
	/* Append the devices of this transport that are MediaTek phones; NULL = nothing to list. */
	int (*list)(const struct unifw_port_options *opt, bool with_product, struct unifw_device_list *out,
		    struct unifw_error *err);
	/* 1..max bytes into buf (*got), UNIFW_E_TIMEOUT when nothing came within timeout_ms. */
	int (*read_some)(struct unifw_port *port, uint8_t *buf, size_t max, unsigned timeout_ms, size_t *got,
			 struct unifw_error *err);
	int (*write)(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err);
	/* Reopen after the device went away (same kind, same place); NULL = not possible. */
	int (*reopen)(struct unifw_port *port, unsigned timeout_ms, struct unifw_error *err);
	/* Release port->state (and set it to NULL). */
	void (*close)(struct unifw_port *port);
};

#define PORT_SPEC_NOT_MINE 1
#define PORT_WRITE_TIMEOUT_MS 10000

struct unifw_port {
	const struct unifw_transport_ops *ops;
	struct unifw_port_spec spec;
	char name[300];
	uint16_t vid, pid;      /* USB identity when known (unifw_port_usb_mode) */
	char location[64];      /* sysfs USB device name, for finding the device after re-enumeration */
	char sysfs_root[256];
	char dev_root[256];
	unsigned wait_ms;
	void *state;            /* the transport's own (struct tty_state, struct usb_state, struct fd_port) */
};

/* Decimal number in [min, max] made only of digits, len characters of s (the --port forms' numbers). */
bool unifw_port_parse_uint(const char *s, size_t len, unsigned long min, unsigned long max, unsigned long *out);

/* A growing array of devices (unifw_devices_list). */
struct unifw_device_list {
	struct unifw_device *items;
	size_t count, cap;
};
int unifw_device_append(struct unifw_device_list *list, const struct unifw_device *d, struct unifw_error *err);

extern const struct unifw_transport_ops unifw_tty_ops;
extern const struct unifw_transport_ops unifw_usb_ops;
extern const struct unifw_transport_ops unifw_unix_ops;
extern const struct unifw_transport_ops unifw_tcp_ops;

/* Take over an open descriptor (unifw_port_wrap_fd): a tty gets the serial rules, anything else is a
 * stream socket or pipe. Neither can be reopened. */
int unifw_tty_wrap(struct unifw_port *port, int fd, struct unifw_error *err);
int unifw_sock_wrap(struct unifw_port *port, int fd, struct unifw_error *err);

/* ttyACM ports from sysfs (appends). */
int unifw_tty_list_in(const char *sysfs_root, const char *dev_root, struct unifw_device_list *out,
		      struct unifw_error *err);
/* sysfs USB identity of a tty name ("ttyACM0"): vid, pid, location. false if not a USB tty. */
bool unifw_tty_usb_identity(const char *sysfs_root, const char *ttyname, uint16_t *vid, uint16_t *pid,
			    char *location, size_t loclen, uint8_t *bus, uint8_t *addr, char *product, size_t plen);

/* ---- descriptor-based transports (tty.c, sock.c; fd.c) ---- */

/* The state of a descriptor transport starts with this, so that one write loop serves both. */
struct fd_port {
	int fd;
	/* One non-blocking write attempt: write(2) on a tty, send(2) with MSG_NOSIGNAL on a socket. */
	ssize_t (*write_once)(int fd, const uint8_t *buf, size_t n);
	/* What a failed write with this errno means, e.g. "write (device disconnected)" for EIO. */
	const char *(*write_failed)(int errnum);
};
/* Write all n bytes: a device that takes nothing for PORT_WRITE_TIMEOUT_MS is UNIFW_E_TIMEOUT (with how
 * many bytes went), a failed write is an I/O error worded by fp->write_failed. */
int unifw_port_fd_write(struct unifw_port *port, struct fd_port *fp, const uint8_t *buf, size_t n,
		       struct unifw_error *err);
/* A short sleep (transports may wait; the protocol cores never do). Time: util/clock.h. */
void unifw_sleep_ms(unsigned ms);

#endif
