/* Token buckets for --link (see linkrate.h). */
#include "linkrate.h"

#include <string.h>

#define BURST_MS 10

bool sim_link_parse(const char *name, enum sim_link_kind *kind)
{
	static const struct {
		const char *name;
		enum sim_link_kind kind;
	} names[] = { { "fast", SIM_LINK_FAST }, { "usb1", SIM_LINK_USB1 }, { "usb2", SIM_LINK_USB2 } };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].name) == 0) {
			*kind = names[i].kind;
			return true;
		}
	return false;
}

struct sim_link_speeds sim_link_speeds(enum sim_link_kind kind, bool high_speed)
{
	const uint64_t mb = 1000000;
	if (kind == SIM_LINK_FAST)
		return (struct sim_link_speeds){ 0, 0 };
	if (kind == SIM_LINK_USB2 && high_speed)
		return (struct sim_link_speeds){ 20 * mb, 8 * mb };
	return (struct sim_link_speeds){ 1 * mb, 1 * mb };
}

static double burst(const struct sim_rate *r) { return (double)r->bps * BURST_MS / 1000.0 + 1.0; }

void sim_rate_set(struct sim_rate *r, uint64_t bps, uint64_t now_ms)
{
	if (r->bps == bps && r->last_ms)
		return;
	r->bps = bps;
	r->last_ms = now_ms;
	r->tokens = bps ? burst(r) : 0;
}

static void refill(struct sim_rate *r, uint64_t now_ms)
{
	if (now_ms <= r->last_ms)
		return;
	r->tokens += (double)r->bps * (double)(now_ms - r->last_ms) / 1000.0;
	if (r->tokens > burst(r))
		r->tokens = burst(r);
	r->last_ms = now_ms;
}

size_t sim_rate_allow(struct sim_rate *r, uint64_t now_ms, size_t want)
{
	if (!r->bps)
		return want;
	refill(r, now_ms);
	double t = r->tokens < 0 ? 0 : r->tokens;
	return (double)want < t ? want : (size_t)t;
}

void sim_rate_take(struct sim_rate *r, size_t n)
{
	if (r->bps)
		r->tokens -= (double)n;
}

uint64_t sim_rate_wait_ms(const struct sim_rate *r)
{
	if (!r->bps || r->tokens >= 1.0)
		return 0;
	double need = 1.0 - r->tokens;
	uint64_t ms = (uint64_t)(need * 1000.0 / (double)r->bps) + 1;
	return ms;
}
