/* unifw-sim — the virtual MT6572 as a pure state machine ("sans-io").
 *
 * The device never touches a file descriptor. Its driver (serve.c, or a test) tells it when a
 * host connects or goes away, feeds it the host's bytes, takes the bytes it answers, and calls
 * sim_dev_tick when sim_dev_deadline says a timer is due. Time is passed in, in milliseconds on
 * any monotonic clock, so tests run without sleeping. Flash access goes through struct sim_storage.
 *
 *   sim_dev_connect(d, now);                      // a cable was plugged in
 *   sim_dev_feed(d, host_bytes, n, now);          // bytes from the host
 *   n = sim_dev_output(d, buf, cap, now);         // bytes for the host (ready now)
 *   if (sim_dev_link(d) == SIM_LINK_CLOSING && !sim_dev_output_pending(d)) close the link,
 *       then sim_dev_disconnect(d, now);          // the device went away (reboot, re-enumeration)
 *   while (sim_dev_next_event(d, &ev)) ...        // FINISH (run the boot evaluator), etc.
 *
 * A new connection is a replugged phone: it powers on in its boot mode (BROM or preloader),
 * except after USB_SETUP_PORT, where the DA re-enumerates and the next connection continues
 * in the DA command loop without a handshake. */
#ifndef UNIFW_SIM_DEV_H
#define UNIFW_SIM_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fault.h"
#include "storage.h"

enum sim_boot_mode { SIM_MODE_PRELOADER, SIM_MODE_BROM };

/* What the phone says about itself. */
struct sim_personality {
	uint16_t hw_code;       /* GET_HW_CODE: 0x6572 */
	uint16_t hw_subcode;    /* GET_HW_SW_VER */
	uint16_t hw_ver;        /* 0xCA00 on MT6572 */
	uint16_t sw_ver;
	uint8_t brom_ver;       /* GET_VERSION (BROM only) */
	uint8_t bl_ver;         /* GET_BL_VER answer of the preloader */
	uint32_t target_config; /* GET_TARGET_CONFIG (bit1 SLA makes SEND_DA answer 0x1D0D) */
	uint8_t me_id[16];
	uint8_t soc_id[32];
	uint8_t dram_id[16];    /* the ID of this phone's EMI entry (DRAM info of the 0xBC3 step) */
	uint64_t dram_size;
	uint8_t usb_speed;      /* USB_CHECK_STATUS answer: 0 full speed, 1 high speed */
	/* A misbehaving DA: report 2 gives this CID instead of the eMMC's (report 1 keeps the eMMC's). */
	bool report2_cid_set;
	uint8_t report2_cid[16];
};

struct sim_config {
	enum sim_boot_mode mode;
	struct sim_personality pers;
	uint32_t preloader_window_ms; /* 0 = the window never closes */
	/* The preloader's tool_is_present(): the host has set DTR, so the listening preloader sends
	 * "READY" at every 20 ms poll. A pty or socket has no DTR: off unless asked for. */
	bool tool_present;
	struct sim_storage storage;
	const struct sim_fault *faults; /* copied */
	size_t n_faults;
	uint64_t seed;
	/* One line per protocol event, without a newline (NULL = no trace). */
	void (*trace)(void *ctx, const char *line);
	void *trace_ctx;
};

/* Defaults for an MT6572 whose eMMC has geometry g: dram_id = the first 9 CID bytes (the
 * id_length of every MT6572 EMI entry), 512 MiB DRAM, full-speed USB, ME/SOC id derived from the
 * CID (made-up, stable values). */
void sim_personality_default(struct sim_personality *p, const struct sim_emmc_geometry *g);

struct sim_dev;
/* NULL on allocation failure. The storage must outlive the device. */
struct sim_dev *sim_dev_new(const struct sim_config *cfg);
void sim_dev_free(struct sim_dev *d);

/* The mode the phone powers on in from the next connection on: BROM when its flash makes it come
 * back in BROM download mode (boot verdict brom_loop), the configured mode again once it boots. */
void sim_dev_set_mode(struct sim_dev *d, enum sim_boot_mode mode);

void sim_dev_connect(struct sim_dev *d, uint64_t now_ms);
void sim_dev_disconnect(struct sim_dev *d, uint64_t now_ms);
/* Consumes all n bytes (bytes arriving while the device is closing the link are dropped). */
size_t sim_dev_feed(struct sim_dev *d, const uint8_t *in, size_t n, uint64_t now_ms);
/* The same without a copy: sim_dev_feed_room gives where the bytes the device waits for go and how
 * many it waits for (0: use sim_dev_feed); after reading n <= that many there, sim_dev_feed_commit
 * takes them as sim_dev_feed would. */
size_t sim_dev_feed_room(struct sim_dev *d, uint8_t **at);
void sim_dev_feed_commit(struct sim_dev *d, size_t n, uint64_t now_ms);
/* Copies up to cap bytes that are ready now; returns the count. */
size_t sim_dev_output(struct sim_dev *d, uint8_t *out, size_t cap, uint64_t now_ms);
/* The same without a copy: the bytes ready now, in place (valid until the next call into the
 * device); sim_dev_output_take(d, n) marks the first n of them as sent. */
size_t sim_dev_output_peek(struct sim_dev *d, const uint8_t **out, uint64_t now_ms);
void sim_dev_output_take(struct sim_dev *d, size_t n);
/* Bytes queued for the host, ready or held back by a stall. */
size_t sim_dev_output_pending(const struct sim_dev *d);
void sim_dev_tick(struct sim_dev *d, uint64_t now_ms);
/* Next time sim_dev_tick (or sim_dev_output) has something to do; UINT64_MAX = none. */
uint64_t sim_dev_deadline(const struct sim_dev *d);

enum sim_link { SIM_LINK_DOWN, SIM_LINK_UP, SIM_LINK_CLOSING };
enum sim_link sim_dev_link(const struct sim_dev *d);

enum sim_event_kind {
	SIM_EV_FINISH,        /* FINISH: the phone reboots; arg = mode the host sent */
	SIM_EV_REENUMERATE,   /* USB_SETUP_PORT: reconnect to continue in the DA */
	SIM_EV_WINDOW_CLOSED, /* the preloader saw no handshake in time and booted on */
	SIM_EV_FAULT,         /* a fault fired; arg = enum sim_fault_kind */
};
struct sim_event {
	enum sim_event_kind kind;
	uint32_t arg;
};
bool sim_dev_next_event(struct sim_dev *d, struct sim_event *ev);

/* What tests and the trace want to know about the device's state. */
struct sim_dev_info {
	const char *state;         /* "off", "handshake", "brom", "preloader", "da1", "emi", "da2", "da", "hung" */
	uint32_t connections;
	bool watchdog_disabled;    /* a WRITE32 of WDT_MODE with the key and bit0 clear was seen */
	uint32_t wdt_mode;
	bool dram_ready;
	unsigned partition;        /* selected by SWITCH_PART */
	uint8_t usb_speed;
	uint32_t finish_mode;
	bool finished;
};
void sim_dev_get_info(const struct sim_dev *d, struct sim_dev_info *info);

#endif
