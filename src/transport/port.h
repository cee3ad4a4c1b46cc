/* Internal: struct unifw_port and the per-transport operations (flashrom's programmer table idea:
 * one file per transport, each filling a struct unifw_transport_ops). */
#ifndef UNIFW_TRANSPORT_PORT_H
#define UNIFW_TRANSPORT_PORT_H

#include "unifw/transport.h"
#include "util/clock.h"

struct unifw_transport_ops {
	const char *kind;
	/* 1..max bytes into buf (*got), UNIFW_E_TIMEOUT when nothing came within timeout_ms. */
	int (*read_some)(struct unifw_port *port, uint8_t *buf, size_t max, unsigned timeout_ms, size_t *got,
			 struct unifw_error *err);
	int (*write)(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err);
	/* Reopen after the device went away (same kind, same place); NULL = not possible. */
	int (*reopen)(struct unifw_port *port, unsigned timeout_ms, struct unifw_error *err);
	void (*close)(struct unifw_port *port);
};

#define PORT_WRITE_TIMEOUT_MS 10000

struct unifw_port {
	const struct unifw_transport_ops *ops;
	struct unifw_port_spec spec;
	char name[300];
	int fd;
	uint16_t vid, pid;
	char location[64];      /* sysfs USB device name, for finding the device after re-enumeration */
	char tty_node[300];     /* tty: the device node the path led to at open (a symlink resolved) */
	unsigned long long tty_rdev, tty_ino; /* ... and its identity: a re-enumerated device is a new node */
	char sysfs_root[256];
	char dev_root[256];
	unsigned wait_ms;
	void *usb;              /* usb.c state */
};

extern const struct unifw_transport_ops unifw_tty_ops;
extern const struct unifw_transport_ops unifw_sock_ops;
extern const struct unifw_transport_ops unifw_usb_ops;

int unifw_tty_open(struct unifw_port *port, const char *path, struct unifw_error *err);
int unifw_sock_open(struct unifw_port *port, struct unifw_error *err); /* spec.kind UNIX or TCP */
/* Open the libusb device at the spec's bus/address. (After re-enumeration, reopen finds it again by
 * the USB port path recorded at open.) */
int unifw_usb_open(struct unifw_port *port, struct unifw_error *err);

/* MediaTek libusb devices (appends to a growing array). Returns 0 or negative. */
/* product: also ask each device for its product string (opens it: `unifw devices` only, not the `auto`
 * scan that must not touch a preloader in its short window). */
int unifw_usb_list(struct unifw_device **list, size_t *count, size_t *cap, bool product, struct unifw_error *err);
/* ttyACM ports from sysfs (appends). */
int unifw_tty_list(const char *sysfs_root, const char *dev_root, struct unifw_device **list, size_t *count,
		   size_t *cap, struct unifw_error *err);
/* sysfs USB identity of a tty name ("ttyACM0"): vid, pid, location. false if not a USB tty. */
bool unifw_tty_usb_identity(const char *sysfs_root, const char *ttyname, uint16_t *vid, uint16_t *pid,
			    char *location, size_t loclen, uint8_t *bus, uint8_t *addr, char *product, size_t plen);
int unifw_device_append(struct unifw_device **list, size_t *count, size_t *cap, const struct unifw_device *d,
			struct unifw_error *err);

/* A descriptor-based write loop met EAGAIN: wait until the device takes data again, or fail with
 * UNIFW_E_TIMEOUT when it took nothing since `deadline` (done of n bytes written so far). */
int unifw_port_wait_writable(struct unifw_port *port, uint64_t deadline, size_t done, size_t n,
			     struct unifw_error *err);
/* A short sleep (transports may wait; the protocol cores never do). Time: util/clock.h. */
void unifw_sleep_ms(unsigned ms);

#endif
