/* unifw-sim — a slow link for realistic demos (--link): a token bucket per direction, fed with
 * time like the device core (sans-io), used by the serving loop to pace reads and writes. */
#ifndef UNIFW_SIM_LINKRATE_H
#define UNIFW_SIM_LINKRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sim_link_kind { SIM_LINK_FAST, SIM_LINK_USB1, SIM_LINK_USB2 };

/* Bytes per second; 0 = unlimited. */
struct sim_link_speeds {
	uint64_t out_bps; /* device -> host (readback) */
	uint64_t in_bps;  /* host -> device (writes land in eMMC) */
};

/* usb1: 12 Mbit/s full speed, about 1 MB/s each way. usb2: full speed until the DA switches to
 * high speed (USB_SETUP_PORT), then 20 MB/s readback and 8 MB/s writes: what cheap MT6572 eMMC
 * parts sustain behind a USB 2.0 DA ([I] typical SP Flash Tool figures, not a measurement). */
bool sim_link_parse(const char *name, enum sim_link_kind *kind);
struct sim_link_speeds sim_link_speeds(enum sim_link_kind kind, bool high_speed);

struct sim_rate {
	uint64_t bps;       /* 0 = unlimited */
	uint64_t last_ms;
	double tokens;      /* bytes that may pass now (at most one 10 ms burst) */
};

void sim_rate_set(struct sim_rate *r, uint64_t bps, uint64_t now_ms);
/* How many of `want` bytes may pass at now_ms (does not consume). */
size_t sim_rate_allow(struct sim_rate *r, uint64_t now_ms, size_t want);
void sim_rate_take(struct sim_rate *r, size_t n);
/* Milliseconds until at least one byte may pass (0 = now). */
uint64_t sim_rate_wait_ms(const struct sim_rate *r);

#endif
