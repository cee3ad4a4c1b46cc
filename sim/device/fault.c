/* Fault SPEC parsing (grammar in fault.h and docs/sim.md). */
#include "fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[SIM_OP_COUNT] = {
	[SIM_OP_NONE] = "none", [SIM_OP_ANY] = "any", [SIM_OP_HANDSHAKE] = "handshake", [SIM_OP_BROM] = "brom",
	[SIM_OP_DA1] = "da1", [SIM_OP_DA2] = "da2", [SIM_OP_REPORT] = "report", [SIM_OP_DA] = "da",
	[SIM_OP_SEND_DA] = "send_da", [SIM_OP_ME_ID] = "me_id", [SIM_OP_EMI] = "emi", [SIM_OP_READ] = "read",
	[SIM_OP_WRITE] = "write", [SIM_OP_FORMAT] = "format", [SIM_OP_PMT] = "pmt", [SIM_OP_FINISH] = "finish",
};

static const char *const kind_names[] = { "cut", "reset", "flip", "stall", "lie", "oversize", "negative", "twin" };

const char *sim_op_name(enum sim_op op) { return op < SIM_OP_COUNT ? op_names[op] : "?"; }

const char *sim_fault_kind_name(enum sim_fault_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

enum sim_dir sim_op_payload_dir(enum sim_op op)
{
	return op == SIM_OP_WRITE || op == SIM_OP_SEND_DA || op == SIM_OP_DA2 || op == SIM_OP_HANDSHAKE
		       ? SIM_DIR_IN
		       : SIM_DIR_OUT;
}

bool sim_op_is_phase(enum sim_op op) { return op >= SIM_OP_HANDSHAKE && op <= SIM_OP_DA; }

uint64_t sim_rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static int bad(struct unifw_error *err, const char *spec, const char *fmt, const char *what)
{
	return unifw_error_set(err, UNIFW_E_INVALID, "--fault", UNIFW_NO_OFFSET, "\"%s\": %s%s", spec, fmt, what);
}

static bool parse_u64(const char *s, uint64_t *v)
{
	if (!*s || *s == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

/* "12.5%" -> 12500 thousandths */
static bool parse_percent(const char *s, uint32_t *milli)
{
	char *end;
	errno = 0;
	double p = strtod(s, &end);
	if (errno || end == s || strcmp(end, "%") != 0 || !(p >= 0.0 && p <= 100.0))
		return false;
	*milli = (uint32_t)(p * 1000.0 + 0.5);
	return true;
}

static bool parse_kind(const char *s, size_t n, enum sim_fault_kind *k)
{
	for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (strlen(kind_names[i]) == n && strncmp(s, kind_names[i], n) == 0) {
			*k = (enum sim_fault_kind)i;
			return true;
		}
	return false;
}

static bool parse_op(const char *s, enum sim_op *op)
{
	for (int i = SIM_OP_ANY; i < SIM_OP_COUNT; i++)
		if (strcmp(s, op_names[i]) == 0) {
			*op = (enum sim_op)i;
			return true;
		}
	return false;
}

static int parse_trigger(const char *val, struct sim_fault *f)
{
	if (strcmp(val, "random") == 0) {
		f->trig = SIM_TRIG_RANDOM;
		return 0;
	}
	f->trig = SIM_TRIG_PERCENT;
	return parse_percent(val, &f->pct_milli) ? 0 : -1;
}

static int parse_u32_field(const char *val, uint32_t *out)
{
	uint64_t v;
	if (!parse_u64(val, &v) || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* One key=value; returns 0, -1 for a bad value, -2 for an unknown key. */
static int parse_param(const char *key, const char *val, struct sim_fault *f, bool *dir_set, bool *times_set)
{
	if (strcmp(key, "op") == 0)
		return parse_op(val, &f->op) ? 0 : -1;
	if (strcmp(key, "dir") == 0) {
		*dir_set = true;
		if (strcmp(val, "out") == 0 || strcmp(val, "in") == 0) {
			f->dir = val[0] == 'o' ? SIM_DIR_OUT : SIM_DIR_IN;
			return 0;
		}
		return -1;
	}
	if (strcmp(key, "after") == 0) {
		f->trig = SIM_TRIG_AFTER;
		return parse_u64(val, &f->after) ? 0 : -1;
	}
	if (strcmp(key, "at") == 0)
		return parse_trigger(val, f);
	if (strcmp(key, "every") == 0)
		return parse_u64(val, &f->every) && f->every > 0 ? 0 : -1;
	if (strcmp(key, "value") == 0)
		return parse_u64(val, &f->value) && f->value <= UINT32_MAX ? 0 : -1;
	if (strcmp(key, "bits") == 0)
		return parse_u32_field(val, &f->bits) == 0 && f->bits >= 1 && f->bits <= 8 ? 0 : -1;
	if (strcmp(key, "ms") == 0)
		return parse_u32_field(val, &f->ms);
	if (strcmp(key, "count") == 0)
		return parse_u32_field(val, &f->count);
	if (strcmp(key, "addr") == 0) {
		f->has_addr = true;
		return parse_u64(val, &f->addr) ? 0 : -1;
	}
	if (strcmp(key, "times") == 0) {
		*times_set = true;
		return parse_u32_field(val, &f->times);
	}
	return -2;
}

static int check_combination(const char *spec, struct sim_fault *f, struct unifw_error *err)
{
	if (f->trig != SIM_TRIG_AFTER && (f->op == SIM_OP_ANY || sim_op_is_phase(f->op)) && f->op != SIM_OP_DA2)
		return bad(err, spec, "at=P% needs an operation of known length: ", "send_da, da2, read, write, format, pmt");
	if (f->kind == SIM_FAULT_STALL && f->dir == SIM_DIR_IN)
		return bad(err, spec, "a stall holds the device's output: ", "dir=in is not meaningful");
	if (f->kind == SIM_FAULT_TWIN && (f->op != SIM_OP_READ || f->dir != SIM_DIR_OUT))
		return bad(err, spec, "twin changes READ data packets: ", "op=read (dir=out)");
	if (f->has_addr && f->kind != SIM_FAULT_TWIN)
		return bad(err, spec, "addr=A is a parameter of ", "twin");
	if (f->kind == SIM_FAULT_LIE && f->op != SIM_OP_WRITE && f->op != SIM_OP_FORMAT)
		return bad(err, spec, "lie needs ", "op=write or op=format");
	if ((f->kind == SIM_FAULT_OVERSIZE || f->kind == SIM_FAULT_NEGATIVE) && f->op != SIM_OP_PMT &&
	    f->op != SIM_OP_ME_ID && f->op != SIM_OP_DA1 && f->op != SIM_OP_EMI && f->op != SIM_OP_REPORT)
		return bad(err, spec, "oversize/negative lengths exist in ", "op=pmt, me_id, da1, emi or report");
	return 0;
}

static void set_defaults(struct sim_fault *f, enum sim_fault_kind kind)
{
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->op = SIM_OP_ANY;
	f->trig = SIM_TRIG_AFTER;
	f->bits = 1;
	f->ms = 5000;
	f->count = 1;
	f->times = 1;
	if (kind == SIM_FAULT_OVERSIZE)
		f->value = 0x7FFFFFF0;
	if (kind == SIM_FAULT_NEGATIVE)
		f->value = 0xFFFFFFF6; /* -10 as a signed 32-bit length */
}

int sim_fault_parse(const char *spec, struct sim_fault *f, struct unifw_error *err)
{
	const char *colon = strchr(spec, ':');
	size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
	enum sim_fault_kind kind;
	if (!parse_kind(spec, klen, &kind))
		return bad(err, spec, "unknown kind; expected ", "cut, reset, flip, stall, lie, oversize, negative or twin");
	set_defaults(f, kind);
	bool dir_set = false, times_set = false;
	char params[256];
	if (colon && snprintf(params, sizeof params, "%s", colon + 1) >= (int)sizeof params)
		return bad(err, spec, "too long", "");
	char *save = NULL;
	for (char *tok = colon ? strtok_r(params, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return bad(err, spec, "expected key=value, found ", tok);
		*eq = 0;
		int rc = parse_param(tok, eq + 1, f, &dir_set, &times_set);
		if (rc == -2)
			return bad(err, spec, "unknown parameter ", tok);
		if (rc)
			return bad(err, spec, "bad value for ", tok);
	}
	if (!dir_set)
		f->dir = f->kind == SIM_FAULT_STALL ? SIM_DIR_OUT
			 : f->kind == SIM_FAULT_LIE ? SIM_DIR_IN
						    : sim_op_payload_dir(f->op);
	if (f->kind == SIM_FAULT_LIE && f->op == SIM_OP_FORMAT)
		f->dir = SIM_DIR_OUT;
	if (f->every && !times_set)
		f->times = 0; /* a repeating fault repeats until told otherwise */
	return check_combination(spec, f, err);
}
