/* A fake libusb-1.0 for test_usb.c (fake_libusb.h says why and how). The opaque libusb types
 * (context, device, device handle) are defined here; the descriptor structures are the real ones
 * from <libusb.h>, so usb.c compiles and runs unchanged. */
#include "fake_libusb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libusb.h>

#include "device/sim_dev.h"
#include "testutil.h"
#include "util/clock.h"

#define MAX_DEVS 8
#define MAX_GENS 8 /* enumerations of one device (first appearance + re-enumerations) */
#define CTX_MAGIC 0x43545846u
#define HANDLE_MAGIC 0x48445346u
#define EP_IN 0x81
#define EP_OUT 0x01
#define EP_NOTIFY 0x83

struct libusb_context {
	uint32_t magic;
};

/* One appearance of a device on the bus: a re-enumerated device is a new libusb_device. */
struct libusb_device {
	struct fake_usb_dev *owner;
	unsigned gen;
	uint8_t addr;
	uint16_t pid;
};

struct libusb_device_handle {
	uint32_t magic;
	struct fake_usb_dev *dev;
	unsigned gen;
	uint32_t claimed; /* bit per interface number */
};

struct bulk_fault {
	bool armed;
	unsigned skip;
	int lrc;
	size_t partial;
};

struct fake_usb_dev {
	struct fake_usb_config cfg;
	bool present;
	unsigned gen;
	uint64_t back_at; /* when absent: time of the return, UINT64_MAX = never */
	bool reenum_asked; /* the phone sent SIM_EV_REENUMERATE */
	struct libusb_device snap[MAX_GENS];
	struct fake_usb_log log;
	size_t out_cap, in_cap;
	struct libusb_endpoint_descriptor ep_comm[1], ep_data[2];
	struct libusb_interface_descriptor alt[2];
	struct libusb_interface itf[2];
	uint8_t n_itf;
	uint8_t *inq;
	size_t inq_len, inq_pos;
	uint8_t *outq;
	size_t outq_len, outq_cap;
	int open_lrc;
	int claim_iface, claim_lrc;
	struct bulk_fault fail_in, fail_out;
	unsigned stall_out;
	unsigned zlp_in;
};

static struct fake_usb_dev *g_devs[MAX_DEVS];
static size_t g_ndevs;
static unsigned g_init_calls;
static unsigned g_live;

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---------- control API ---------- */

static void build_interfaces(struct fake_usb_dev *d)
{
	const struct fake_usb_config *c = &d->cfg;
	uint16_t mp = c->max_packet ? c->max_packet : 512;
	uint8_t data_type = c->layout == FAKE_USB_NO_BULK ? LIBUSB_TRANSFER_TYPE_INTERRUPT : LIBUSB_TRANSFER_TYPE_BULK;

	d->ep_comm[0] = (struct libusb_endpoint_descriptor){.bLength = 7, .bDescriptorType = LIBUSB_DT_ENDPOINT,
							    .bEndpointAddress = EP_NOTIFY,
							    .bmAttributes = LIBUSB_TRANSFER_TYPE_INTERRUPT,
							    .wMaxPacketSize = 16, .bInterval = 8};
	/* OUT listed first: usb.c must not take the first endpoint for IN */
	d->ep_data[0] = (struct libusb_endpoint_descriptor){.bLength = 7, .bDescriptorType = LIBUSB_DT_ENDPOINT,
							    .bEndpointAddress = EP_OUT, .bmAttributes = data_type,
							    .wMaxPacketSize = mp};
	d->ep_data[1] = d->ep_data[0];
	d->ep_data[1].bEndpointAddress = EP_IN;
	struct libusb_interface_descriptor comm = {.bLength = 9, .bDescriptorType = LIBUSB_DT_INTERFACE,
						   .bInterfaceNumber = c->comm_if, .bNumEndpoints = 1,
						   .bInterfaceClass = LIBUSB_CLASS_COMM, .bInterfaceSubClass = 2,
						   .bInterfaceProtocol = 1, .endpoint = d->ep_comm};
	struct libusb_interface_descriptor data = {.bLength = 9, .bDescriptorType = LIBUSB_DT_INTERFACE,
						   .bInterfaceNumber = c->data_if, .bNumEndpoints = 2,
						   .bInterfaceClass = LIBUSB_CLASS_DATA, .endpoint = d->ep_data};
	switch (c->layout) {
	case FAKE_USB_CDC:
	case FAKE_USB_NO_BULK:
		d->alt[0] = comm;
		d->alt[1] = data;
		d->n_itf = 2;
		break;
	case FAKE_USB_NO_DATA:
		d->alt[0] = comm;
		d->n_itf = 1;
		break;
	case FAKE_USB_VENDOR:
		d->alt[0] = data;
		d->alt[0].bInterfaceClass = LIBUSB_CLASS_VENDOR_SPEC;
		d->n_itf = 1;
		break;
	}
	for (uint8_t i = 0; i < d->n_itf; i++)
		d->itf[i] = (struct libusb_interface){.altsetting = &d->alt[i], .num_altsetting = 1};
}

struct fake_usb_dev *fake_usb_add(const struct fake_usb_config *cfg)
{
	assert_true(g_ndevs < MAX_DEVS);
	assert_true(cfg->depth >= 1 && cfg->depth <= 7);
	struct fake_usb_dev *d = calloc(1, sizeof *d);
	assert_non_null(d);
	d->cfg = *cfg;
	if (!d->cfg.max_packet)
		d->cfg.max_packet = 512;
	d->present = true;
	d->snap[0] = (struct libusb_device){.owner = d, .gen = 0, .addr = cfg->addr, .pid = cfg->pid};
	d->claim_iface = -1;
	build_interfaces(d);
	if (d->cfg.sim)
		sim_dev_connect(d->cfg.sim, unifw_mono_ms()); /* the cable is plugged in */
	g_devs[g_ndevs++] = d;
	return d;
}

void fake_usb_reset(void)
{
	for (size_t i = 0; i < g_ndevs; i++) {
		free(g_devs[i]->log.out_len);
		free(g_devs[i]->log.in_req);
		free(g_devs[i]->inq);
		free(g_devs[i]->outq);
		free(g_devs[i]);
		g_devs[i] = NULL;
	}
	g_ndevs = 0;
	g_live = 0; /* a failed test's leftovers must not fail the next one */
}

const struct fake_usb_log *fake_usb_log(const struct fake_usb_dev *d)
{
	return &d->log;
}

static const struct libusb_device *current(const struct fake_usb_dev *d)
{
	return &d->snap[d->gen];
}

uint8_t fake_usb_addr(const struct fake_usb_dev *d)
{
	return current(d)->addr;
}

uint16_t fake_usb_pid(const struct fake_usb_dev *d)
{
	return current(d)->pid;
}

bool fake_usb_present(const struct fake_usb_dev *d)
{
	return d->present;
}

void fake_usb_queue_in(struct fake_usb_dev *d, const void *buf, size_t n)
{
	size_t left = d->inq_len - d->inq_pos;
	uint8_t *q = malloc(left + n + 1);
	assert_non_null(q);
	if (left)
		memcpy(q, d->inq + d->inq_pos, left);
	memcpy(q + left, buf, n);
	free(d->inq);
	d->inq = q;
	d->inq_pos = 0;
	d->inq_len = left + n;
}

size_t fake_usb_out_bytes(const struct fake_usb_dev *d, const uint8_t **buf)
{
	*buf = d->outq;
	return d->outq_len;
}

void fake_usb_fail_open(struct fake_usb_dev *d, int lrc)
{
	d->open_lrc = lrc;
}

void fake_usb_fail_claim(struct fake_usb_dev *d, int iface, int lrc)
{
	d->claim_iface = iface;
	d->claim_lrc = lrc;
}

void fake_usb_fail_bulk(struct fake_usb_dev *d, bool in, unsigned skip, int lrc, size_t partial)
{
	struct bulk_fault *f = in ? &d->fail_in : &d->fail_out;
	*f = (struct bulk_fault){.armed = true, .skip = skip, .lrc = lrc, .partial = partial};
}

void fake_usb_stall_out(struct fake_usb_dev *d, unsigned count)
{
	d->stall_out = count;
}

void fake_usb_in_zlp(struct fake_usb_dev *d, unsigned count)
{
	d->zlp_in = count;
}

unsigned fake_usb_init_calls(void)
{
	return g_init_calls;
}

unsigned fake_usb_live_objects(void)
{
	return g_live;
}

/* ---------- the bus: leaving and coming back ---------- */

static void leave_bus(struct fake_usb_dev *d, uint64_t back_at)
{
	d->present = false;
	d->back_at = back_at;
}

static bool address_taken(uint8_t bus, uint8_t addr)
{
	for (size_t i = 0; i < g_ndevs; i++)
		if (g_devs[i]->cfg.bus == bus && current(g_devs[i])->addr == addr)
			return true;
	return false;
}

/* Like a host controller: the next free address, as Linux hands them out. */
static void come_back_if_due(struct fake_usb_dev *d)
{
	if (d->present || d->back_at == UINT64_MAX || unifw_mono_ms() < d->back_at)
		return;
	assert_true(d->gen + 1 < MAX_GENS);
	uint8_t addr = current(d)->addr;
	do
		addr = (uint8_t)(addr % 127 + 1);
	while (address_taken(d->cfg.bus, addr));
	d->gen++;
	d->snap[d->gen] = (struct libusb_device){.owner = d, .gen = d->gen, .addr = addr, .pid = 0x2001};
	d->present = true;
	d->log.reenumerations++;
	if (d->cfg.max_packet_after) {
		d->cfg.max_packet = d->cfg.max_packet_after;
		build_interfaces(d);
	}
	if (d->cfg.sim)
		sim_dev_connect(d->cfg.sim, unifw_mono_ms());
}

void fake_usb_reenumerate(struct fake_usb_dev *d)
{
	uint64_t now = unifw_mono_ms();
	if (d->cfg.sim)
		sim_dev_disconnect(d->cfg.sim, now);
	leave_bus(d, d->cfg.return_ms == FAKE_USB_NEVER ? UINT64_MAX : now + d->cfg.return_ms);
}

/* Let the phone's timers run and notice when it closed the link (USB_SETUP_PORT, FINISH). */
static void phone_service(struct fake_usb_dev *d)
{
	struct sim_dev *s = d->cfg.sim;
	struct sim_event ev;
	if (!s || !d->present)
		return;
	uint64_t now = unifw_mono_ms();
	if (sim_dev_deadline(s) <= now)
		sim_dev_tick(s, now);
	while (sim_dev_next_event(s, &ev))
		if (ev.kind == SIM_EV_REENUMERATE)
			d->reenum_asked = true;
	if (sim_dev_link(s) == SIM_LINK_CLOSING && sim_dev_output_pending(s) == 0) {
		sim_dev_disconnect(s, now);
		bool back = d->reenum_asked && d->cfg.return_ms != FAKE_USB_NEVER;
		leave_bus(d, back ? now + d->cfg.return_ms : UINT64_MAX);
		d->reenum_asked = false;
	}
}

/* ---------- checks every call makes ---------- */

static struct fake_usb_dev *handle_dev(libusb_device_handle *h, const char *fn)
{
	if (!h || h->magic != HANDLE_MAGIC)
		fail_msg("%s: not a handle from the fake libusb_open (closed or foreign)", fn);
	return h->dev;
}

static bool handle_stale(const libusb_device_handle *h)
{
	return !h->dev->present || h->gen != h->dev->gen;
}

static void check_ctx(libusb_context *ctx, const char *fn)
{
	if (!ctx || ctx->magic != CTX_MAGIC)
		fail_msg("%s: context %p is not one the fake libusb_init made (the real libusb ran?)", fn, (void *)ctx);
}

static void check_device(libusb_device *dev, const char *fn)
{
	if (!dev || !dev->owner || &dev->owner->snap[dev->gen] != dev)
		fail_msg("%s: not a device from the fake libusb_get_device_list", fn);
}

static void push_size(size_t **arr, size_t *n, size_t *cap, size_t v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		size_t *a = realloc(*arr, nc * sizeof *a);
		assert_non_null(a);
		*arr = a;
		*cap = nc;
	}
	(*arr)[(*n)++] = v;
}

#define LOG_INT(arr, n, v)                                                                                             \
	do {                                                                                                           \
		if ((n) < sizeof(arr) / sizeof((arr)[0]))                                                              \
			(arr)[(n)++] = (v);                                                                            \
	} while (0)

/* ---------- libusb ---------- */

int LIBUSB_CALL libusb_init(libusb_context **ctx)
{
	assert_non_null(ctx); /* usb.c never uses the default context */
	struct libusb_context *c = calloc(1, sizeof *c);
	if (!c)
		return LIBUSB_ERROR_NO_MEM;
	c->magic = CTX_MAGIC;
	*ctx = c;
	g_init_calls++;
	g_live++;
	return 0;
}

void LIBUSB_CALL libusb_exit(libusb_context *ctx)
{
	check_ctx(ctx, "libusb_exit");
	ctx->magic = 0;
	free(ctx);
	g_live--;
}

const char *LIBUSB_CALL libusb_strerror(int errcode)
{
	switch (errcode) {
	case LIBUSB_SUCCESS: return "Success";
	case LIBUSB_ERROR_IO: return "Input/Output Error";
	case LIBUSB_ERROR_INVALID_PARAM: return "Invalid parameter";
	case LIBUSB_ERROR_ACCESS: return "Access denied (insufficient permissions)";
	case LIBUSB_ERROR_NO_DEVICE: return "No such device (it may have been disconnected)";
	case LIBUSB_ERROR_NOT_FOUND: return "Entity not found";
	case LIBUSB_ERROR_BUSY: return "Resource busy";
	case LIBUSB_ERROR_TIMEOUT: return "Operation timed out";
	case LIBUSB_ERROR_OVERFLOW: return "Overflow";
	case LIBUSB_ERROR_PIPE: return "Pipe error";
	case LIBUSB_ERROR_NO_MEM: return "Insufficient memory";
	default: return "Other error";
	}
}

ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	check_ctx(ctx, "libusb_get_device_list");
	libusb_device **l = calloc(g_ndevs + 1, sizeof *l);
	size_t n = 0;
	if (!l)
		return LIBUSB_ERROR_NO_MEM;
	for (size_t i = 0; i < g_ndevs; i++) {
		come_back_if_due(g_devs[i]);
		if (g_devs[i]->present)
			l[n++] = &g_devs[i]->snap[g_devs[i]->gen];
	}
	*list = l;
	g_live++;
	return (ssize_t)n;
}

void LIBUSB_CALL libusb_free_device_list(libusb_device **list, int unref_devices)
{
	(void)unref_devices;
	if (!list)
		return;
	free(list);
	g_live--;
}

int LIBUSB_CALL libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *desc)
{
	check_device(dev, "libusb_get_device_descriptor");
	const struct fake_usb_config *c = &dev->owner->cfg;
	memset(desc, 0, sizeof *desc);
	desc->bLength = LIBUSB_DT_DEVICE_SIZE;
	desc->bDescriptorType = LIBUSB_DT_DEVICE;
	desc->bcdUSB = 0x0200;
	desc->bDeviceClass = LIBUSB_CLASS_COMM;
	desc->bMaxPacketSize0 = 64;
	desc->idVendor = c->vid;
	desc->idProduct = dev->pid;
	desc->iProduct = c->product ? 1 : 0;
	desc->bNumConfigurations = 1;
	return 0;
}

int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **config)
{
	check_device(dev, "libusb_get_active_config_descriptor");
	struct fake_usb_dev *d = dev->owner;
	struct libusb_config_descriptor *c = calloc(1, sizeof *c);
	if (!c)
		return LIBUSB_ERROR_NO_MEM;
	c->bLength = LIBUSB_DT_CONFIG_SIZE;
	c->bDescriptorType = LIBUSB_DT_CONFIG;
	c->bNumInterfaces = d->n_itf;
	c->bConfigurationValue = 1;
	c->MaxPower = 250;
	c->interface = d->itf;
	*config = c;
	g_live++;
	return 0;
}

void LIBUSB_CALL libusb_free_config_descriptor(struct libusb_config_descriptor *config)
{
	if (!config)
		return;
	free(config);
	g_live--;
}

uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device *dev)
{
	check_device(dev, "libusb_get_bus_number");
	return dev->owner->cfg.bus;
}

uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device *dev)
{
	check_device(dev, "libusb_get_device_address");
	return dev->addr;
}

int LIBUSB_CALL libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers, int port_numbers_len)
{
	check_device(dev, "libusb_get_port_numbers");
	const struct fake_usb_config *c = &dev->owner->cfg;
	if (port_numbers_len <= 0)
		return LIBUSB_ERROR_INVALID_PARAM;
	if (port_numbers_len < c->depth)
		return LIBUSB_ERROR_OVERFLOW;
	memcpy(port_numbers, c->path, (size_t)c->depth);
	return c->depth;
}

int LIBUSB_CALL libusb_open(libusb_device *dev, libusb_device_handle **dev_handle)
{
	check_device(dev, "libusb_open");
	struct fake_usb_dev *d = dev->owner;
	if (!d->present || dev->gen != d->gen)
		return LIBUSB_ERROR_NO_DEVICE;
	if (d->open_lrc)
		return d->open_lrc;
	struct libusb_device_handle *h = calloc(1, sizeof *h);
	if (!h)
		return LIBUSB_ERROR_NO_MEM;
	*h = (struct libusb_device_handle){.magic = HANDLE_MAGIC, .dev = d, .gen = d->gen};
	if (d->log.opens < sizeof d->log.open_addr) {
		d->log.open_addr[d->log.opens] = dev->addr;
		d->log.open_pid[d->log.opens] = dev->pid;
	}
	d->log.opens++;
	*dev_handle = h;
	g_live++;
	return 0;
}

void LIBUSB_CALL libusb_close(libusb_device_handle *dev_handle)
{
	struct fake_usb_dev *d = handle_dev(dev_handle, "libusb_close");
	d->log.closes++;
	dev_handle->magic = 0;
	free(dev_handle);
	g_live--;
}

int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle *dev_handle, int enable)
{
	struct fake_usb_dev *d = handle_dev(dev_handle, "libusb_set_auto_detach_kernel_driver");
	LOG_INT(d->log.auto_detach, d->log.n_auto_detach, enable);
	return 0;
}

static bool has_interface(const struct fake_usb_dev *d, int iface)
{
	for (uint8_t i = 0; i < d->n_itf; i++)
		if (d->alt[i].bInterfaceNumber == iface)
			return true;
	return false;
}

int LIBUSB_CALL libusb_claim_interface(libusb_device_handle *dev_handle, int interface_number)
{
	struct fake_usb_dev *d = handle_dev(dev_handle, "libusb_claim_interface");
	LOG_INT(d->log.claims, d->log.n_claims, interface_number);
	if (handle_stale(dev_handle))
		return LIBUSB_ERROR_NO_DEVICE;
	if (interface_number < 0 || interface_number > 31 || !has_interface(d, interface_number))
		return LIBUSB_ERROR_NOT_FOUND;
	if (interface_number == d->claim_iface)
		return d->claim_lrc;
	dev_handle->claimed |= 1u << interface_number;
	return 0;
}

int LIBUSB_CALL libusb_release_interface(libusb_device_handle *dev_handle, int interface_number)
{
	struct fake_usb_dev *d = handle_dev(dev_handle, "libusb_release_interface");
	LOG_INT(d->log.releases, d->log.n_releases, interface_number);
	if (interface_number < 0 || interface_number > 31 || !(dev_handle->claimed & (1u << interface_number)))
		return LIBUSB_ERROR_NOT_FOUND;
	dev_handle->claimed &= ~(1u << interface_number);
	return handle_stale(dev_handle) ? LIBUSB_ERROR_NO_DEVICE : 0;
}

int LIBUSB_CALL libusb_control_transfer(libusb_device_handle *dev_handle, uint8_t request_type, uint8_t bRequest,
					uint16_t wValue, uint16_t wIndex, unsigned char *data, uint16_t wLength,
					unsigned int timeout)
{
	struct fake_usb_dev *d = handle_dev(dev_handle, "libusb_control_transfer");
	if (timeout == 0)
		fail_msg("libusb_control_transfer with timeout 0 (wait forever)");
	if (wLength && !data)
		fail_msg("libusb_control_transfer: wLength %u without data", wLength);
	if (handle_stale(dev_handle))
		return LIBUSB_ERROR_NO_DEVICE;
	if (d->log.n_ctrl < sizeof d->log.ctrl / sizeof d->log.ctrl[0]) {
		struct fake_usb_ctrl *c = &d->log.ctrl[d->log.n_ctrl++];
		*c = (struct fake_usb_ctrl){.bm_request_type = request_type, .b_request = bRequest, .w_value = wValue,
					    .w_index = wIndex, .w_length = wLength, .timeout = timeout};
		if (!(request_type & LIBUSB_ENDPOINT_IN) && wLength)
			memcpy(c->data, data, wLength < sizeof c->data ? wLength : sizeof c->data);
	}
	return wLength;
}

int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle *dev_handle, uint8_t desc_index,
						   unsigned char *data, int length)
{
	struct fake_usb_dev *d = handle_dev(dev_handle, "libusb_get_string_descriptor_ascii");
	if (handle_stale(dev_handle))
		return LIBUSB_ERROR_NO_DEVICE;
	if (desc_index != 1 || !d->cfg.product || length <= 0)
		return LIBUSB_ERROR_INVALID_PARAM;
	size_t n = strlen(d->cfg.product);
	if (n > (size_t)length - 1)
		n = (size_t)length - 1;
	memcpy(data, d->cfg.product, n);
	data[n] = 0;
	return (int)n;
}

/* The endpoint must belong to an interface the handle claimed (usbfs would claim it on the fly,
 * but usb.c promises to claim first so that cdc_acm is detached). */
static const struct libusb_interface_descriptor *endpoint_interface(const struct fake_usb_dev *d, uint8_t ep)
{
	for (uint8_t i = 0; i < d->n_itf; i++)
		for (uint8_t e = 0; e < d->alt[i].bNumEndpoints; e++)
			if (d->alt[i].endpoint[e].bEndpointAddress == ep)
				return &d->alt[i];
	return NULL;
}

static bool fault_fires(struct bulk_fault *f)
{
	if (!f->armed)
		return false;
	if (f->skip) {
		f->skip--;
		return false;
	}
	f->armed = false;
	return true;
}

static size_t device_send(struct fake_usb_dev *d, uint8_t *buf, size_t cap)
{
	if (d->cfg.sim)
		return sim_dev_output(d->cfg.sim, buf, cap, unifw_mono_ms());
	size_t n = d->inq_len - d->inq_pos;
	if (n > cap)
		n = cap;
	memcpy(buf, d->inq + d->inq_pos, n);
	d->inq_pos += n;
	return n;
}

static void device_take(struct fake_usb_dev *d, const uint8_t *buf, size_t n)
{
	if (d->cfg.sim) {
		sim_dev_feed(d->cfg.sim, buf, n, unifw_mono_ms());
		return;
	}
	if (d->outq_len + n > d->outq_cap) {
		size_t nc = (d->outq_len + n) * 2;
		uint8_t *q = realloc(d->outq, nc);
		assert_non_null(q);
		d->outq = q;
		d->outq_cap = nc;
	}
	memcpy(d->outq + d->outq_len, buf, n);
	d->outq_len += n;
}

/* Bulk IN as the host controller sees it: the device answers with what it has ready (a short
 * packet ends the transfer), never more than asked; nothing within the timeout is a timeout. The
 * phone is in-process and single-threaded, so waiting only makes sense for its own timers. */
static int bulk_in(struct fake_usb_dev *d, uint8_t *data, int length, int *actual, unsigned timeout)
{
	uint64_t deadline = unifw_mono_ms() + timeout;
	push_size(&d->log.in_req, &d->log.n_in, &d->in_cap, (size_t)length);
	if (length <= 0 || length % d->cfg.max_packet != 0)
		fail_msg("bulk IN request of %d bytes is not a multiple of wMaxPacketSize %u: the device may send a "
			 "full packet and overflow it", length, d->cfg.max_packet);
	if (fault_fires(&d->fail_in))
		return d->fail_in.lrc;
	if (d->zlp_in) {
		d->zlp_in--;
		return 0;
	}
	for (;;) {
		phone_service(d);
		if (!d->present)
			return LIBUSB_ERROR_NO_DEVICE;
		size_t n = device_send(d, data, (size_t)length);
		if (n) {
			*actual = (int)n;
			phone_service(d);
			return 0;
		}
		uint64_t due = d->cfg.sim ? sim_dev_deadline(d->cfg.sim) : UINT64_MAX;
		uint64_t now = unifw_mono_ms();
		if (due == UINT64_MAX || due > deadline) {
			d->log.in_timeouts++;
			return LIBUSB_ERROR_TIMEOUT;
		}
		if (due > now)
			sleep_ms(due - now);
	}
}

static int bulk_out(struct fake_usb_dev *d, const uint8_t *data, int length, int *actual)
{
	push_size(&d->log.out_len, &d->log.n_out, &d->out_cap, (size_t)length);
	if (length < 0 || (length > 0 && !data))
		fail_msg("bulk OUT of %d bytes from %p", length, (const void *)data);
	if (fault_fires(&d->fail_out)) {
		size_t part = d->fail_out.partial < (size_t)length ? d->fail_out.partial : (size_t)length;
		device_take(d, data, part);
		*actual = (int)part;
		return d->fail_out.lrc;
	}
	if (d->stall_out) {
		d->stall_out--;
		return 0;
	}
	phone_service(d);
	if (!d->present)
		return LIBUSB_ERROR_NO_DEVICE;
	if (length)
		device_take(d, data, (size_t)length);
	*actual = length;
	phone_service(d);
	return 0;
}

int LIBUSB_CALL libusb_bulk_transfer(libusb_device_handle *dev_handle, unsigned char endpoint, unsigned char *data,
				     int length, int *actual_length, unsigned int timeout)
{
	struct fake_usb_dev *d = handle_dev(dev_handle, "libusb_bulk_transfer");
	if (!actual_length)
		fail_msg("libusb_bulk_transfer without actual_length");
	*actual_length = 0;
	if (timeout == 0)
		fail_msg("libusb_bulk_transfer with timeout 0 (wait forever)");
	if (handle_stale(dev_handle))
		return LIBUSB_ERROR_NO_DEVICE;
	const struct libusb_interface_descriptor *itf = endpoint_interface(d, endpoint);
	if (!itf)
		fail_msg("libusb_bulk_transfer on endpoint 0x%02x that the device does not have", endpoint);
	if (!(dev_handle->claimed & (1u << itf->bInterfaceNumber)))
		fail_msg("libusb_bulk_transfer on endpoint 0x%02x of interface %u, which is not claimed", endpoint,
			 itf->bInterfaceNumber);
	if (endpoint & LIBUSB_ENDPOINT_IN)
		return bulk_in(d, data, length, actual_length, timeout);
	return bulk_out(d, data, length, actual_length);
}
