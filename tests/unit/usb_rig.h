/* Shared by the libusb transport tests (test_usb.c, test_usb_phone.c): the fake libusb's reset and
 * leak check around each test, a MediaTek device on a USB port path, an open that must work, a data
 * pattern, and the empty sysfs/dev root that keeps real ttyACM ports out of discovery. */
#ifndef UNIFW_TEST_USB_RIG_H
#define UNIFW_TEST_USB_RIG_H

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

static inline int setup(void **state)
{
	(void)state;
	fake_usb_reset();
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	unsigned live = fake_usb_live_objects();
	fake_usb_reset();
	assert_int_equal(live, 0); /* usb.c gave back every context, handle, list and descriptor */
	return 0;
}

static inline struct fake_usb_dev *add(uint16_t pid, uint8_t bus, uint8_t addr, const char *path, const char *product,
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

static inline struct unifw_port *open_ok(const char *text)
{
	struct unifw_port *port = NULL;
	struct unifw_error e;
	char buf[1200];
	unifw_error_clear(&e);
	if (unifw_port_open(text, NULL, &port, &e) != 0)
		fail_msg("open %s: %s", text, unifw_error_format(&e, buf, sizeof buf));
	return port;
}

static inline void pattern(uint8_t *b, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
}

static inline void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("expected '%s' in '%s'", needle, hay);
}


#endif
