/* A fake libusb-1.0 for tests: the libusb functions src/transport/usb.c calls, defined in the test
 * executable so that they take precedence over the shared libusb the unifw libraries link (ELF
 * symbol interposition: the static linker resolves usb.o's references to these definitions).
 *
 * Each fake device has a USB identity (VID:PID, bus, address, port path, product string) and an
 * interface layout; its bulk endpoints either talk to an in-process virtual phone (struct sim_dev,
 * sans-io) or to byte queues the test fills and inspects. Everything usb.c does is recorded.
 * USB rules a real device would enforce fail the running cmocka test at once: a bulk IN request
 * whose length is not a multiple of wMaxPacketSize (a device may overflow it), an infinite (0)
 * timeout, a transfer on an endpoint of an interface that is not claimed, a stale handle.
 *
 * Single-threaded, like usb.c's callers. */
#ifndef UNIFW_TEST_FAKE_LIBUSB_H
#define UNIFW_TEST_FAKE_LIBUSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_dev;

enum fake_usb_layout {
	FAKE_USB_CDC,      /* comm interface (class 0x02) + data interface (class 0x0A, bulk IN/OUT) */
	FAKE_USB_NO_DATA,  /* only the comm interface (class 0x02) */
	FAKE_USB_NO_BULK,  /* a class 0x0A interface with two interrupt endpoints, no bulk */
	FAKE_USB_VENDOR,   /* one vendor-specific interface (class 0xFF) with bulk endpoints */
};

#define FAKE_USB_NEVER 0xFFFFFFFFu

struct fake_usb_config {
	uint16_t vid, pid;
	uint8_t bus, addr;
	uint8_t path[7];          /* port numbers from the root hub */
	int depth;
	const char *product;      /* NULL: no product string (iProduct 0) */
	enum fake_usb_layout layout;
	uint16_t max_packet;      /* wMaxPacketSize of the bulk endpoints: 512 (high speed) or 64 */
	uint16_t max_packet_after; /* after re-enumeration (full -> high speed); 0 = unchanged */
	uint8_t comm_if, data_if; /* interface numbers */
	/* The phone behind the bulk endpoints, connected by fake_usb_add (do not connect it yourself);
	 * NULL = the byte queues. */
	struct sim_dev *sim;
	/* After the phone closed the link for USB_SETUP_PORT it comes back on the same bus and port
	 * path, with a new address and PID 0x2001, this many ms later (FAKE_USB_NEVER: never). */
	unsigned return_ms;
};

struct fake_usb_dev;

struct fake_usb_ctrl {
	uint8_t bm_request_type, b_request;
	uint16_t w_value, w_index, w_length;
	uint8_t data[16];
	unsigned timeout;
};

struct fake_usb_log {
	unsigned opens, closes;
	uint8_t open_addr[16];     /* address of the device at each open */
	uint16_t open_pid[16];
	struct fake_usb_ctrl ctrl[32];
	size_t n_ctrl;
	int claims[16], releases[16], auto_detach[16];
	size_t n_claims, n_releases, n_auto_detach;
	size_t *out_len;           /* every bulk OUT transfer length, 0 = zero-length packet */
	size_t n_out;
	size_t *in_req;            /* every bulk IN request length */
	size_t n_in;
	unsigned in_timeouts;      /* bulk IN transfers that ended in LIBUSB_ERROR_TIMEOUT */
	unsigned reenumerations;   /* the device left the bus and came back */
};

/* Forget every device, record and injected error (a phone behind a device is the test's to free). */
void fake_usb_reset(void);
struct fake_usb_dev *fake_usb_add(const struct fake_usb_config *cfg);
const struct fake_usb_log *fake_usb_log(const struct fake_usb_dev *d);
/* Current bus address and PID (they change on re-enumeration); whether it is on the bus now. */
uint8_t fake_usb_addr(const struct fake_usb_dev *d);
uint16_t fake_usb_pid(const struct fake_usb_dev *d);
bool fake_usb_present(const struct fake_usb_dev *d);

/* Byte queues of a device without a phone: what the device will send on bulk IN, and every byte
 * the host sent on bulk OUT (take: copy and clear). */
void fake_usb_queue_in(struct fake_usb_dev *d, const void *buf, size_t n);
size_t fake_usb_out_bytes(const struct fake_usb_dev *d, const uint8_t **buf);

/* Injected errors (libusb codes). open: every libusb_open fails with lrc (0 clears). claim: claiming
 * interface `iface` fails. bulk: the bulk transfer in that direction after `skip` more successful
 * ones fails once with lrc (after transferring `partial` bytes for OUT). */
void fake_usb_fail_open(struct fake_usb_dev *d, int lrc);
void fake_usb_fail_claim(struct fake_usb_dev *d, int iface, int lrc);
void fake_usb_fail_bulk(struct fake_usb_dev *d, bool in, unsigned skip, int lrc, size_t partial);
/* The next `count` bulk IN transfers end with a zero-length packet (success, 0 bytes), as a device
 * sends after a response that filled whole packets. */
void fake_usb_in_zlp(struct fake_usb_dev *d, unsigned count);
/* The next bulk transfers report success with nothing transferred (a libusb oddity usb.c must
 * not spin on): OUT transfers while count > 0. */
void fake_usb_stall_out(struct fake_usb_dev *d, unsigned count);

/* Leave the bus now and come back after return_ms as after USB_SETUP_PORT (with a phone behind,
 * the phone is disconnected and connected again). */
void fake_usb_reenumerate(struct fake_usb_dev *d);

/* libusb_init calls so far (0 would mean the real libusb ran instead of the fake). */
unsigned fake_usb_init_calls(void);
/* Contexts, handles, device lists and configuration descriptors not given back yet. */
unsigned fake_usb_live_objects(void);

#endif
