/* The device core's plumbing: input framing, output queue, link, events, trace, faults. */
#include "dev_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/bytesum.h"

#define OUT_INITIAL 4096

/* ---------- personality ---------- */

void sim_personality_default(struct sim_personality *p, const struct sim_emmc_geometry *g)
{
	memset(p, 0, sizeof *p);
	p->hw_code = SIM_MT6572_HW_CODE;
	p->hw_subcode = 0x8A00;
	p->hw_ver = SIM_MT6572_HW_VER;
	p->sw_ver = 0x0000;
	p->brom_ver = 0x05;
	p->bl_ver = 0x01;
	p->target_config = 0;
	memcpy(p->dram_id, g->cid, 9); /* id_length 9: MID, CBX, OID, PNM[6] */
	p->dram_size = UINT64_C(512) << 20;
	p->usb_speed = 0;
	/* Stable made-up chip ids: a mix of the CID, never a real phone's value. */
	uint64_t s = 0x6572;
	for (int i = 0; i < 16; i++)
		s = s * 131 + g->cid[i];
	for (int i = 0; i < 16; i++)
		p->me_id[i] = (uint8_t)sim_rng_next(&s);
	for (int i = 0; i < 32; i++)
		p->soc_id[i] = (uint8_t)sim_rng_next(&s);
}

/* ---------- lifecycle ---------- */

struct sim_dev *sim_dev_new(const struct sim_config *cfg)
{
	struct sim_dev *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->cfg = *cfg;
	d->sram = calloc(1, SIM_SRAM_SIZE);
	d->out = malloc(OUT_INITIAL);
	d->out_cap = OUT_INITIAL;
	if (cfg->n_faults)
		d->faults = calloc(cfg->n_faults, sizeof *d->faults);
	if (!d->sram || !d->out || (cfg->n_faults && !d->faults)) {
		sim_dev_free(d);
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_faults; i++) {
		d->faults[i] = cfg->faults[i];
		d->faults[i].fired = 0;
		d->faults[i].armed = false;
	}
	d->cfg.faults = d->faults;
	d->rng = cfg->seed;
	d->state = ST_OFF;
	d->window_deadline = d->hs_deadline = UINT64_MAX;
	d->stall_until = 0;
	return d;
}

void sim_dev_free(struct sim_dev *d)
{
	if (!d)
		return;
	free(d->in);
	free(d->out);
	free(d->sram);
	free(d->da2);
	free(d->pkt);
	free(d->faults);
	free(d);
}

/* ---------- trace ---------- */

void dev_trace(struct sim_dev *d, const char *layer, char dir, const char *fmt, ...)
{
	if (!d->cfg.trace)
		return;
	char msg[448], line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	uint64_t t = d->now >= d->t0 ? d->now - d->t0 : 0;
	snprintf(line, sizeof line, "%6llu.%03llu c%u %-5s %c %s", (unsigned long long)(t / 1000),
		 (unsigned long long)(t % 1000), d->conn, layer, dir, msg);
	d->cfg.trace(d->cfg.trace_ctx, line);
}

const char *dev_state_name(const struct sim_dev *d)
{
	switch (d->state) {
	case ST_OFF: return "off";
	case ST_HANDSHAKE: return "handshake";
	case ST_BROM: return d->cfg.mode == SIM_MODE_BROM ? "brom" : "preloader";
	case ST_DA1: return "da1";
	case ST_EMI: return "emi";
	case ST_DA2: return "da2";
	case ST_DA: return "da";
	case ST_HUNG: return "hung";
	}
	return "?";
}

void sim_dev_get_info(const struct sim_dev *d, struct sim_dev_info *info)
{
	memset(info, 0, sizeof *info);
	info->state = dev_state_name(d);
	info->connections = d->conn;
	info->watchdog_disabled = d->wdt_disabled;
	info->wdt_mode = d->wdt_mode;
	info->dram_ready = d->dram_ready;
	info->partition = d->part;
	info->usb_speed = d->usb_speed;
	info->finished = d->finished;
	info->finish_mode = d->finish_mode;
}

/* ---------- events and link ---------- */

void dev_event(struct sim_dev *d, enum sim_event_kind kind, uint32_t arg)
{
	if (d->ev_count == SIM_EVENT_SLOTS) /* oldest dropped: the driver polls after every call */
		d->ev_head = (d->ev_head + 1) % SIM_EVENT_SLOTS, d->ev_count--;
	d->events[(d->ev_head + d->ev_count) % SIM_EVENT_SLOTS] = (struct sim_event){ kind, arg };
	d->ev_count++;
}

bool sim_dev_next_event(struct sim_dev *d, struct sim_event *ev)
{
	if (!d->ev_count)
		return false;
	*ev = d->events[d->ev_head];
	d->ev_head = (d->ev_head + 1) % SIM_EVENT_SLOTS;
	d->ev_count--;
	return true;
}

static void swallow(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)b;
	(void)n;
	dev_expect(d, 1, swallow);
}

void dev_close(struct sim_dev *d, const char *why)
{
	if (d->closing)
		return;
	dev_trace(d, "LINK", '!', "device closes the link: %s", why);
	d->closing = true;
	d->window_deadline = d->hs_deadline = UINT64_MAX;
	d->listening = false;
	dev_expect(d, 1, swallow);
}

void dev_hang(struct sim_dev *d, const char *why)
{
	dev_trace(d, "DEV", '!', "device hangs: %s", why);
	d->state = ST_HUNG;
	dev_expect(d, 1, swallow);
}

enum sim_link sim_dev_link(const struct sim_dev *d)
{
	if (!d->connected)
		return SIM_LINK_DOWN;
	return d->closing ? SIM_LINK_CLOSING : SIM_LINK_UP;
}

/* ---------- faults ---------- */

static bool fault_live(const struct sim_fault *f) { return f->times == 0 || f->fired < f->times; }

static void fault_arm(struct sim_dev *d, struct sim_fault *f, uint64_t total)
{
	f->armed = false;
	if (!fault_live(f))
		return;
	if (f->trig == SIM_TRIG_AFTER) {
		f->next = f->after;
	} else {
		if (total == 0)
			return; /* a percentage of nothing never comes */
		uint64_t milli = f->trig == SIM_TRIG_RANDOM ? 1000 + sim_rng_next(&d->rng) % 98001 : f->pct_milli;
		f->next = total / 100000 * milli + total % 100000 * milli / 100000;
	}
	f->lie_left = f->count ? f->count : UINT32_MAX;
	f->lying = false;
	f->armed = true;
}

static void arm_for(struct sim_dev *d, enum sim_op op, uint64_t total)
{
	for (size_t i = 0; i < d->cfg.n_faults; i++)
		if (d->faults[i].op == op)
			fault_arm(d, &d->faults[i], total);
}

/* The counter a fault watches, or NULL when its operation is not running. */
static uint64_t *fault_counter(struct sim_dev *d, const struct sim_fault *f)
{
	if (f->op == SIM_OP_ANY)
		return &d->conn_bytes[f->dir];
	if (f->op == d->phase)
		return &d->phase_bytes[f->dir];
	if (f->op == d->sub)
		return &d->sub_bytes[f->dir];
	return NULL;
}

static bool is_stream_fault(const struct sim_fault *f)
{
	return f->kind == SIM_FAULT_CUT || f->kind == SIM_FAULT_RESET || f->kind == SIM_FAULT_FLIP ||
	       f->kind == SIM_FAULT_STALL;
}

/* The armed stream fault that triggers first within the next n bytes of dir; *before = bytes
 * that pass untouched ahead of it (n when none triggers). */
static struct sim_fault *fault_next(struct sim_dev *d, enum sim_dir dir, size_t n, size_t *before)
{
	struct sim_fault *best = NULL;
	uint64_t best_gap = n;
	for (size_t i = 0; i < d->cfg.n_faults; i++) {
		struct sim_fault *f = &d->faults[i];
		if (!f->armed || f->dir != dir || !is_stream_fault(f) || !fault_live(f))
			continue;
		uint64_t *c = fault_counter(d, f);
		if (!c)
			continue;
		uint64_t gap = f->next > *c ? f->next - *c : 0;
		if (gap < best_gap) {
			best = f;
			best_gap = gap;
		}
	}
	*before = (size_t)best_gap;
	return best;
}

static void fault_fired(struct sim_dev *d, struct sim_fault *f)
{
	f->fired++;
	if (f->every)
		f->next += f->every;
	else
		f->armed = false;
	dev_event(d, SIM_EV_FAULT, f->kind);
}

static void count_bytes(struct sim_dev *d, enum sim_dir dir, uint64_t n)
{
	d->conn_bytes[dir] += n;
	d->phase_bytes[dir] += n;
	d->sub_bytes[dir] += n;
}

static uint8_t flip_bits(struct sim_dev *d, uint8_t v, uint32_t bits)
{
	uint8_t mask = 0;
	while (__builtin_popcount(mask) < (int)bits)
		mask |= (uint8_t)(1u << (sim_rng_next(&d->rng) % 8));
	return v ^ mask;
}

/* A cut or reset: the link drops at this byte; a reset also loses a pending re-enumeration. */
static void fault_cut(struct sim_dev *d, struct sim_fault *f)
{
	dev_trace(d, "FAULT", '!', "%s in %s after %llu bytes %s", sim_fault_kind_name(f->kind), sim_op_name(f->op),
		  (unsigned long long)f->next, f->dir == SIM_DIR_OUT ? "out" : "in");
	if (f->kind == SIM_FAULT_RESET)
		d->reenumerate = false;
	fault_fired(d, f);
	dev_close(d, f->kind == SIM_FAULT_RESET ? "fault: phone reset" : "fault: connection cut");
}

/* ---------- output ---------- */

/* Room for n more bytes at out[out_len..]: the sent prefix is dropped first, then the queue grows.
 * NULL when out of memory (the device then drops off the bus like a crashed one). */
static uint8_t *out_room(struct sim_dev *d, size_t n)
{
	if (d->out_off && d->out_len + n > d->out_cap) {
		memmove(d->out, d->out + d->out_off, d->out_len - d->out_off);
		d->out_len -= d->out_off;
		d->out_off = 0;
	}
	if (d->out_len + n > d->out_cap) {
		size_t cap = d->out_cap;
		while (cap < d->out_len + n)
			cap *= 2;
		uint8_t *p = realloc(d->out, cap);
		if (!p) {
			dev_close(d, "out of memory");
			return NULL;
		}
		d->out = p;
		d->out_cap = cap;
	}
	return d->out + d->out_len;
}

/* The next n bytes at out[out_len..] become output (they are already in place). */
static void out_commit(struct sim_dev *d, size_t n)
{
	d->out_len += n;
	count_bytes(d, SIM_DIR_OUT, n);
}

/* The output faults that fire inside the n bytes at out[out_len..] (already in place), as dev_emit
 * applies them: bytes before a cut go out and the rest is dropped, a flip changes its byte, a stall
 * holds back what follows it. */
static void emit_in_place(struct sim_dev *d, size_t n)
{
	while (n && !d->closing && d->connected) {
		size_t before;
		struct sim_fault *f = fault_next(d, SIM_DIR_OUT, n, &before);
		out_commit(d, before);
		n -= before;
		if (!f || !n)
			continue;
		uint8_t *b = d->out + d->out_len;
		if (f->kind == SIM_FAULT_CUT || f->kind == SIM_FAULT_RESET) {
			fault_cut(d, f);
		} else if (f->kind == SIM_FAULT_FLIP) {
			uint8_t v = flip_bits(d, *b, f->bits);
			dev_trace(d, "FAULT", '!', "flip in %s at byte %llu: 0x%02x -> 0x%02x", sim_op_name(f->op),
				  (unsigned long long)f->next, *b, v);
			fault_fired(d, f);
			*b = v;
			out_commit(d, 1);
			n--;
		} else { /* stall */
			dev_trace(d, "FAULT", '!', "stall in %s at byte %llu for %u ms", sim_op_name(f->op),
				  (unsigned long long)f->next, f->ms);
			d->stall_mark = d->conn_bytes[SIM_DIR_OUT];
			d->stall_until = d->now + f->ms;
			fault_fired(d, f);
		}
	}
}

void dev_emit(struct sim_dev *d, const void *buf, size_t n)
{
	if (n == 0 || d->closing || !d->connected)
		return;
	uint8_t *p = out_room(d, n);
	if (!p)
		return;
	memcpy(p, buf, n);
	emit_in_place(d, n);
}

uint8_t *dev_emit_begin(struct sim_dev *d, size_t n)
{
	if (d->closing || !d->connected)
		return NULL;
	return out_room(d, n ? n : 1);
}

void dev_emit_end(struct sim_dev *d, size_t n) { emit_in_place(d, n); }

void dev_emit_u8(struct sim_dev *d, uint8_t v) { dev_emit(d, &v, 1); }
void dev_emit_be16(struct sim_dev *d, uint16_t v) { uint8_t b[2]; put_be16(b, v); dev_emit(d, b, 2); }
void dev_emit_be32(struct sim_dev *d, uint32_t v) { uint8_t b[4]; put_be32(b, v); dev_emit(d, b, 4); }
void dev_emit_be64(struct sim_dev *d, uint64_t v) { uint8_t b[8]; put_be64(b, v); dev_emit(d, b, 8); }
void dev_emit_le32(struct sim_dev *d, uint32_t v) { uint8_t b[4]; put_le32(b, v); dev_emit(d, b, 4); }

static bool stalled(const struct sim_dev *d) { return d->now < d->stall_until; }

size_t sim_dev_output_pending(const struct sim_dev *d) { return d->out_len - d->out_off; }

size_t sim_dev_output_peek(struct sim_dev *d, const uint8_t **out, uint64_t now)
{
	sim_dev_tick(d, now);
	size_t avail = d->out_len - d->out_off;
	if (stalled(d)) {
		uint64_t taken = d->conn_bytes[SIM_DIR_OUT] - avail;
		uint64_t allowed = d->stall_mark > taken ? d->stall_mark - taken : 0;
		if (allowed < avail)
			avail = (size_t)allowed;
	}
	*out = d->out + d->out_off;
	return avail;
}

void sim_dev_output_take(struct sim_dev *d, size_t n)
{
	size_t avail = d->out_len - d->out_off;
	d->out_off += n < avail ? n : avail;
	if (d->out_off == d->out_len)
		d->out_off = d->out_len = 0;
}

size_t sim_dev_output(struct sim_dev *d, uint8_t *out, size_t cap, uint64_t now)
{
	const uint8_t *p;
	size_t n = sim_dev_output_peek(d, &p, now);
	if (n > cap)
		n = cap;
	memcpy(out, p, n);
	sim_dev_output_take(d, n);
	return n;
}

/* ---------- input ---------- */

void dev_expect(struct sim_dev *d, size_t n, sim_step_fn fn)
{
	d->in_need = n ? n : 1;
	d->in_have = 0;
	d->in_sum_len = 0;
	d->in_sum = 0;
	d->step = fn;
}

void dev_expect_summed(struct sim_dev *d, size_t n, size_t sum_len, sim_step_fn fn)
{
	dev_expect(d, n, fn);
	d->in_sum_len = sum_len;
}

/* in[from..in_have) has just arrived: add the part that lies in the summed prefix, while it is
 * still in the cache (a WRITE packet is summed as it comes, not after its last byte). */
static void in_landed(struct sim_dev *d, size_t from)
{
	size_t to = d->in_have < d->in_sum_len ? d->in_have : d->in_sum_len;
	if (from < to)
		d->in_sum = unifw_bytesum16(d->in + from, to - from, d->in_sum);
}

static bool grow_in(struct sim_dev *d)
{
	if (d->in_cap >= d->in_need)
		return true;
	uint8_t *p = realloc(d->in, d->in_need);
	if (!p)
		return false;
	d->in = p;
	d->in_cap = d->in_need;
	return true;
}

/* Take n host bytes the driver has put at d->in + in_have (n <= in_need - in_have) into the pending
 * expectation, applying the input faults: a flip changes its byte in place, a cut drops what follows.
 * Returns the bytes consumed (stops after a flipped byte, so the caller goes on with the rest). */
static size_t take_in_place(struct sim_dev *d, size_t n)
{
	size_t before, from = d->in_have;
	struct sim_fault *f = fault_next(d, SIM_DIR_IN, n, &before);
	d->in_have += before;
	count_bytes(d, SIM_DIR_IN, before);
	if (!f || before == n) {
		in_landed(d, from);
		return before;
	}
	if (f->kind == SIM_FAULT_FLIP) {
		uint8_t *b = d->in + d->in_have;
		uint8_t v = flip_bits(d, *b, f->bits);
		dev_trace(d, "FAULT", '!', "flip of a host byte in %s at byte %llu: 0x%02x -> 0x%02x",
			  sim_op_name(f->op), (unsigned long long)f->next, *b, v);
		fault_fired(d, f);
		*b = v;
		d->in_have++;
		count_bytes(d, SIM_DIR_IN, 1);
		in_landed(d, from);
		return before + 1;
	}
	fault_cut(d, f); /* stall is output-only (parse refuses dir=in) */
	return n;
}

size_t sim_dev_feed_room(struct sim_dev *d, uint8_t **at)
{
	if (!d->connected || d->closing || !grow_in(d))
		return 0;
	*at = d->in + d->in_have;
	return d->in_need - d->in_have;
}

/* n bytes have landed at d->in + in_have: take them, and run the step of every expectation they
 * complete. */
static void take_landed(struct sim_dev *d, size_t n)
{
	while (n && d->connected && !d->closing) {
		n -= take_in_place(d, n);
		if (d->in_have == d->in_need && !d->closing) {
			d->in_have = 0;
			d->step(d, d->in, d->in_need);
		}
	}
}

void sim_dev_feed_commit(struct sim_dev *d, size_t n, uint64_t now)
{
	sim_dev_tick(d, now);
	take_landed(d, n);
}

/* The copying feed is the zero-copy one in a loop: at most the expected bytes at a time are copied to
 * where sim_dev_feed_room says, then taken as sim_dev_feed_commit takes them. */
size_t sim_dev_feed(struct sim_dev *d, const uint8_t *b, size_t n, uint64_t now)
{
	sim_dev_tick(d, now);
	size_t total = n;
	while (n && d->connected && !d->closing) {
		uint8_t *at;
		size_t room = sim_dev_feed_room(d, &at); /* 0 here only when the input buffer cannot grow */
		if (!room) {
			dev_close(d, "out of memory");
			break;
		}
		size_t k = n < room ? n : room;
		memcpy(at, b, k);
		take_landed(d, k);
		b += k;
		n -= k;
	}
	return total;
}

void dev_replay(struct sim_dev *d, const uint8_t *b, size_t n)
{
	while (n && d->connected && !d->closing && grow_in(d)) {
		size_t k = d->in_need - d->in_have;
		if (k > n)
			k = n;
		memcpy(d->in + d->in_have, b, k);
		size_t from = d->in_have;
		d->in_have += k;
		in_landed(d, from);
		b += k;
		n -= k;
		if (d->in_have == d->in_need) {
			d->in_have = 0;
			d->step(d, d->in, d->in_need);
		}
	}
}

/* ---------- time ---------- */

void sim_dev_tick(struct sim_dev *d, uint64_t now)
{
	if (now > d->now)
		d->now = now;
	if (d->connected && !d->closing && d->state == ST_HANDSHAKE)
		brom_listen_tick(d);
}

uint64_t sim_dev_deadline(const struct sim_dev *d)
{
	uint64_t t = UINT64_MAX;
	if (d->connected && !d->closing && d->state == ST_HANDSHAKE)
		t = d->listening ? d->next_poll : d->hs_deadline;
	if (stalled(d) && d->stall_until < t)
		t = d->stall_until;
	return t;
}

/* ---------- operations (for faults) ---------- */

void dev_phase(struct sim_dev *d, enum sim_op phase, uint64_t total)
{
	d->phase = phase;
	d->phase_total = total;
	d->phase_bytes[0] = d->phase_bytes[1] = 0;
	arm_for(d, phase, total);
}

void dev_sub_begin(struct sim_dev *d, enum sim_op sub, uint64_t total)
{
	d->sub = sub;
	d->sub_total = total;
	d->sub_bytes[0] = d->sub_bytes[1] = 0;
	arm_for(d, sub, total);
}

void dev_sub_end(struct sim_dev *d) { d->sub = SIM_OP_NONE; }

/* The armed stream fault of the running sub-operation that fires within n bytes of progress. */
static struct sim_fault *progress_fault(struct sim_dev *d, uint64_t n, uint64_t *before)
{
	struct sim_fault *best = NULL;
	*before = n;
	for (size_t i = 0; i < d->cfg.n_faults; i++) {
		struct sim_fault *f = &d->faults[i];
		if (!f->armed || f->op != d->sub || f->dir != SIM_DIR_OUT || !is_stream_fault(f) || !fault_live(f))
			continue;
		uint64_t c = d->sub_bytes[SIM_DIR_OUT];
		uint64_t gap = f->next > c ? f->next - c : 0;
		if (gap < *before) {
			best = f;
			*before = gap;
		}
	}
	return best;
}

void dev_progress(struct sim_dev *d, uint64_t n)
{
	while (n && !d->closing) {
		uint64_t before;
		struct sim_fault *f = progress_fault(d, n, &before);
		d->sub_bytes[SIM_DIR_OUT] += before; /* progress, not wire bytes */
		n -= before;
		if (!f)
			continue;
		if (f->kind == SIM_FAULT_CUT || f->kind == SIM_FAULT_RESET) {
			fault_cut(d, f);
			continue;
		}
		if (f->kind == SIM_FAULT_STALL) {
			d->stall_mark = d->conn_bytes[SIM_DIR_OUT];
			d->stall_until = d->now + f->ms;
		}
		dev_trace(d, "FAULT", '!', "%s in %s at %llu bytes of progress", sim_fault_kind_name(f->kind),
			  sim_op_name(f->op), (unsigned long long)f->next);
		fault_fired(d, f); /* a flip has no byte to flip here: it only counts */
	}
}

bool dev_fault_lie(struct sim_dev *d)
{
	for (size_t i = 0; i < d->cfg.n_faults; i++) {
		struct sim_fault *f = &d->faults[i];
		if (f->kind != SIM_FAULT_LIE || !f->armed || f->op != d->sub)
			continue;
		if (f->op == SIM_OP_WRITE && d->sub_bytes[SIM_DIR_IN] <= f->next)
			continue; /* the trigger byte has not arrived yet */
		if (!f->lying) {
			f->lying = true;
			f->fired++;
			dev_event(d, SIM_EV_FAULT, f->kind);
		}
		if (f->lie_left != UINT32_MAX && --f->lie_left == 0)
			f->armed = false;
		dev_trace(d, "FAULT", '!', "lie: %s acknowledged but not done", sim_op_name(f->op));
		return true;
	}
	return false;
}

/* The partner of byte i for a twin change: the nearest byte after it (wrapping) that can move the
 * other way (down when i goes up, up when i goes down), or n when there is none. */
static size_t twin_partner(const uint8_t *pkt, size_t n, size_t i, bool up)
{
	for (size_t k = 1; k < n; k++) {
		size_t j = (i + k) % n;
		if (up ? pkt[j] > 0x00 : pkt[j] < 0xFF)
			return j;
	}
	return n;
}

/* Where in this packet an armed twin fault lands (n: not in this packet). */
static size_t twin_position(const struct sim_dev *d, const struct sim_fault *f, size_t n, uint64_t addr)
{
	if (f->has_addr)
		return d->x.part == SIM_PART_USER && f->addr >= addr && f->addr - addr < n ? (size_t)(f->addr - addr) : n;
	uint64_t c = d->sub_bytes[SIM_DIR_OUT]; /* the packet's first data byte (framing counts too) */
	return f->next <= c ? 0 : f->next - c < n ? (size_t)(f->next - c) : n;
}

void dev_fault_twin(struct sim_dev *d, uint8_t *pkt, size_t n, uint64_t addr)
{
	for (size_t k = 0; k < d->cfg.n_faults; k++) {
		struct sim_fault *f = &d->faults[k];
		if (f->kind != SIM_FAULT_TWIN || !f->armed || f->op != d->sub || !fault_live(f))
			continue;
		size_t i = twin_position(d, f, n, addr);
		if (i >= n)
			continue;
		/* +1 here and -1 there (or the reverse) keeps the byte sum: the host's checksum cannot see it */
		bool up = pkt[i] < 0xFF;
		size_t j = twin_partner(pkt, n, i, up);
		if (j >= n && pkt[i] > 0x00) {
			up = false;
			j = twin_partner(pkt, n, i, up);
		}
		if (j >= n)
			continue; /* a packet of one repeated 0x00 or 0xFF: wait for the next packet */
		uint8_t a = pkt[i], b = pkt[j];
		pkt[i] = (uint8_t)(up ? a + 1 : a - 1);
		pkt[j] = (uint8_t)(up ? b - 1 : b + 1);
		dev_trace(d, "FAULT", '!', "twin in %s at 0x%llX: 0x%02x -> 0x%02x, at 0x%llX: 0x%02x -> 0x%02x (same byte sum)",
			  sim_op_name(f->op), (unsigned long long)(addr + i), a, pkt[i], (unsigned long long)(addr + j), b,
			  pkt[j]);
		fault_fired(d, f);
	}
}

uint32_t dev_fault_length(struct sim_dev *d, enum sim_op op, uint32_t real)
{
	for (size_t i = 0; i < d->cfg.n_faults; i++) {
		struct sim_fault *f = &d->faults[i];
		if ((f->kind != SIM_FAULT_OVERSIZE && f->kind != SIM_FAULT_NEGATIVE) || f->op != op || !fault_live(f))
			continue;
		f->fired++;
		dev_event(d, SIM_EV_FAULT, f->kind);
		dev_trace(d, "FAULT", '!', "%s length in %s: 0x%llx instead of 0x%x", sim_fault_kind_name(f->kind),
			  sim_op_name(op), (unsigned long long)f->value, real);
		return (uint32_t)f->value;
	}
	return real;
}

/* ---------- connection ---------- */

static void reset_link_buffers(struct sim_dev *d)
{
	d->out_off = d->out_len = 0;
	d->in_have = 0;
	d->conn_bytes[0] = d->conn_bytes[1] = 0;
	d->phase_bytes[0] = d->phase_bytes[1] = 0;
	d->sub_bytes[0] = d->sub_bytes[1] = 0;
	d->stall_until = 0;
	d->stall_mark = 0;
	d->sub = SIM_OP_NONE;
}

void sim_dev_set_mode(struct sim_dev *d, enum sim_boot_mode mode)
{
	d->cfg.mode = mode;
}

void sim_dev_connect(struct sim_dev *d, uint64_t now)
{
	if (d->conn == 0)
		d->t0 = now;
	d->now = now > d->now ? now : d->now;
	d->conn++;
	d->connected = true;
	d->closing = false;
	reset_link_buffers(d);
	arm_for(d, SIM_OP_ANY, 0);
	if (d->reenumerate) {
		d->reenumerate = false;
		dev_trace(d, "LINK", '!', "connect: re-enumerated DA (high speed), no handshake");
		da_reenumerated(d);
		return;
	}
	dev_trace(d, "LINK", '!', "connect: phone powers on in %s mode",
		  d->cfg.mode == SIM_MODE_BROM ? "BROM" : "preloader");
	brom_power_on(d);
}

void sim_dev_disconnect(struct sim_dev *d, uint64_t now)
{
	if (!d->connected)
		return;
	sim_dev_tick(d, now);
	dev_trace(d, "LINK", '!', "disconnect%s", d->reenumerate ? " (USB re-enumeration)" : "");
	d->connected = false;
	d->closing = false;
	d->window_deadline = d->hs_deadline = UINT64_MAX;
	d->listening = false;
	reset_link_buffers(d);
	if (!d->reenumerate)
		d->state = ST_OFF;
}
