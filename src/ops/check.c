/* unifw check: two fingerprints in, verdicts and the predicted boot outcome out (check.h). This file
 * holds the items, the verdict order, the walk in boot order and the JSON; the rules are in
 * check_rules_*.c, each citing the MediaTek source it follows (docs/check.md "Rules"). The walk follows
 * the virtual phone's boot evaluation (docs/sim.md "Boot evaluation"), re-derived from fingerprints:
 * nothing of sim/ is included or linked. */
#include "ops/check_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *ck_boot_name(enum ck_boot b)
{
	static const char *const names[] = { "boots", "boots_with_faults", "black_screen", "white_screen",
					      "boot_loop", "stuck_brom", "brom_loop", "dead" };
	return (unsigned)b < sizeof names / sizeof *names ? names[b] : "boots";
}

const char *unifw_check_verdict_text(enum unifw_check_verdict v)
{
	switch (v) {
	case UNIFW_CHECK_BRICK_RISK: return "BRICK RISK";
	case UNIFW_CHECK_WILL_NOT_BOOT: return "WILL NOT BOOT";
	case UNIFW_CHECK_CAVEATS: return "WORKS WITH CAVEATS";
	default: return "SAFE";
	}
}

const char *unifw_check_verdict_code(enum unifw_check_verdict v)
{
	switch (v) {
	case UNIFW_CHECK_BRICK_RISK: return "brick_risk";
	case UNIFW_CHECK_WILL_NOT_BOOT: return "will_not_boot";
	case UNIFW_CHECK_CAVEATS: return "caveats";
	default: return "safe";
	}
}

int unifw_check_exit_code(enum unifw_check_verdict v)
{
	switch (v) {
	case UNIFW_CHECK_BRICK_RISK: return 5;
	case UNIFW_CHECK_WILL_NOT_BOOT: return 4;
	case UNIFW_CHECK_CAVEATS: return 3;
	default: return 0;
	}
}

/* dead and brom_loop need a BROM-mode flash to recover: BRICK RISK. stuck_brom ("a reflash fixes it":
 * the preloader's download mode still answers) and the screens/boot loops are WILL NOT BOOT. */
enum unifw_check_verdict ck_verdict_of(enum ck_boot b)
{
	if (b >= CK_BROM_LOOP)
		return UNIFW_CHECK_BRICK_RISK;
	if (b >= CK_BLACK_SCREEN)
		return UNIFW_CHECK_WILL_NOT_BOOT;
	return b == CK_BOOTS_WITH_FAULTS ? UNIFW_CHECK_CAVEATS : UNIFW_CHECK_SAFE;
}

bool ck_name_is(const char *name, const char *a, const char *b)
{
	return name && ((a && !strcasecmp(name, a)) || (b && !strcasecmp(name, b)));
}

const struct unifw_fp_part *ck_find_part(const struct unifw_fingerprint *fp, const char *name, const char *alias)
{
	for (size_t i = 0; fp && i < fp->part_count && i < UNIFW_FP_MAX_PARTS; i++)
		if (ck_name_is(fp->parts[i].name, name, alias))
			return &fp->parts[i];
	return NULL;
}

struct unifw_check_item *ck_item(struct ck *c, enum unifw_check_verdict v, const char *code, const char *area,
				 const char *partition, const char *boot_effect)
{
	static struct unifw_check_item overflow; /* items past the limit are dropped, the caller writes anyway */
	struct unifw_check_result *r = c->r;
	if (r->item_count >= UNIFW_CHECK_MAX_ITEMS) {
		memset(&overflow, 0, sizeof overflow);
		return &overflow;
	}
	struct unifw_check_item *it = &r->items[r->item_count++];
	memset(it, 0, sizeof *it);
	it->verdict = v;
	snprintf(it->code, sizeof it->code, "%s", code);
	snprintf(it->area, sizeof it->area, "%s", area);
	snprintf(it->partition, sizeof it->partition, "%s", partition ? partition : "");
	snprintf(it->boot_effect, sizeof it->boot_effect, "%s", boot_effect ? boot_effect : "");
	if (v > r->verdict)
		r->verdict = v;
	return it;
}

void ck_msg(struct unifw_check_item *it, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->message, sizeof it->message, fmt, ap);
	va_end(ap);
}

void ck_evidence(struct unifw_check_item *it, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->evidence, sizeof it->evidence, fmt, ap);
	va_end(ap);
}

void ck_compared(struct ck *c, const char *fmt, ...)
{
	struct unifw_check_result *r = c->r;
	if (r->compared_count >= UNIFW_CHECK_MAX_COMPARED)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->compared[r->compared_count++], sizeof r->compared[0], fmt, ap);
	va_end(ap);
}

/* The simulated boot: once it stopped, later findings are still reported but predict nothing (the
 * phone never gets there). Faults are listed in the order the stages meet them. */
void ck_reach(struct ck *c, enum ck_boot b, const char *fault)
{
	if (c->halted)
		return;
	if (b > c->boot)
		c->boot = b;
	if (b == CK_BOOTS_WITH_FAULTS && fault) {
		struct unifw_check_result *r = c->r;
		for (size_t i = 0; i < r->predicted_fault_count; i++)
			if (!strcmp(r->predicted_faults[i], fault))
				return;
		if (r->predicted_fault_count < sizeof r->predicted_faults / sizeof *r->predicted_faults)
			snprintf(r->predicted_faults[r->predicted_fault_count++], sizeof r->predicted_faults[0], "%s", fault);
	}
	if (b >= CK_BOOT_LOOP)
		c->halted = true;
}

struct unifw_check_item *ck_effect(struct ck *c, enum ck_boot b, const char *code, const char *area,
				   const char *partition)
{
	bool counted = !c->halted;
	struct unifw_check_item *it = ck_item(c, ck_verdict_of(b), code, area, partition, ck_boot_name(b));
	ck_reach(c, b, code);
	if (!counted)
		it->boot_effect[0] = 0; /* the phone stops before this stage: reported, not predicted */
	return it;
}

/* Worst first; equal verdicts keep the boot order they were found in. */
static void sort_items(struct unifw_check_result *r)
{
	for (size_t i = 1; i < r->item_count; i++) {
		struct unifw_check_item tmp = r->items[i];
		size_t j = i;
		while (j > 0 && r->items[j - 1].verdict < tmp.verdict) {
			r->items[j] = r->items[j - 1];
			j--;
		}
		r->items[j] = tmp;
	}
}

static void per_partition(struct ck *c)
{
	struct unifw_check_result *r = c->r;
	for (size_t i = 0; i < c->pkg->part_count && i < UNIFW_FP_MAX_PARTS && r->part_count < UNIFW_FP_MAX_PARTS; i++) {
		const struct unifw_fp_part *p = &c->pkg->parts[i];
		snprintf(r->parts[r->part_count].name, sizeof r->parts[0].name, "%s", p->name);
		enum unifw_check_verdict v = UNIFW_CHECK_SAFE;
		for (size_t k = 0; k < r->item_count; k++)
			if (r->items[k].partition[0] && !strcasecmp(r->items[k].partition, p->name) && r->items[k].verdict > v)
				v = r->items[k].verdict;
		r->parts[r->part_count++].verdict = v;
	}
}

/* In boot order, as the phone meets them (docs/sim.md "Boot evaluation": brom, preloader, lk, kernel,
 * android); the flash's own refusals (platform, storage, layout) come first. */
static void walk(struct ck *c)
{
	ck_flash_model(c);
	ck_rules_universal(c);
	ck_rules_platform(c);
	ck_rules_layout(c);
	ck_rules_preloader(c);
	ck_rules_lk(c);
	ck_rules_bootimg(c);
	ck_rules_kernel_panel(c);
	ck_rules_mounts(c);
	ck_rules_modem(c);
	ck_rules_wifi(c);
	ck_rules_touch(c);
	ck_rules_touch_firmware(c);
	ck_rules_camera(c);
	ck_rules_identity(c);
	ck_rules_logo(c);
}

void unifw_check(const struct unifw_fingerprint *package, const struct unifw_fingerprint *phone,
		 const struct unifw_check_opts *opts, struct unifw_check_result *r)
{
	static const struct unifw_check_opts download = { 0 };
	memset(r, 0, sizeof *r);
	struct unifw_fingerprint *mapped = NULL; /* a universal package as written on this phone */
	ck_universal_prepare(package, phone, r, &mapped);
	struct ck c = { .pkg = mapped ? mapped : package, .phone = phone, .opts = opts ? *opts : download, .r = r };
	c.opts.only[sizeof c.opts.only - 1] = 0;
	walk(&c);
	snprintf(r->predicted_boot, sizeof r->predicted_boot, "%s", ck_boot_name(c.boot));
	if (c.boot != CK_BOOTS_WITH_FAULTS)
		r->predicted_fault_count = 0; /* faults are only what a phone that boots shows */
	sort_items(r);
	per_partition(&c);
	free(mapped);
}

/* ------------------------------------------------------------------ JSON */

struct unifw_jv *unifw_check_to_json(const struct unifw_check_result *r)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "check");
	unifw_jv_set_str(o, "verdict", unifw_check_verdict_code(r->verdict));
	unifw_jv_set_str(o, "verdict_text", unifw_check_verdict_text(r->verdict));
	unifw_jv_set_str(o, "predicted_boot", r->predicted_boot);
	struct unifw_jv *a = unifw_jv_set_arr(o, "predicted_faults");
	for (size_t i = 0; i < r->predicted_fault_count; i++)
		unifw_jv_push_str(a, r->predicted_faults[i]);
	a = unifw_jv_set_arr(o, "items");
	for (size_t i = 0; i < r->item_count; i++) {
		const struct unifw_check_item *it = &r->items[i];
		struct unifw_jv *j = unifw_jv_push_obj(a);
		unifw_jv_set_str(j, "type", "check_item");
		unifw_jv_set_str(j, "verdict", unifw_check_verdict_code(it->verdict));
		unifw_jv_set_str(j, "code", it->code);
		unifw_jv_set_str(j, "area", it->area);
		unifw_jv_set_str(j, "partition", it->partition);
		unifw_jv_set_str(j, "message", it->message);
		unifw_jv_set_str(j, "evidence", it->evidence);
		if (it->boot_effect[0])
			unifw_jv_set_str(j, "boot_effect", it->boot_effect);
		else
			unifw_jv_set(j, "boot_effect", unifw_jv_null());
		unifw_jv_set_bool(j, "flash_refuses", it->flash_refuses);
	}
	a = unifw_jv_set_arr(o, "partitions");
	for (size_t i = 0; i < r->part_count; i++) {
		struct unifw_jv *j = unifw_jv_push_obj(a);
		unifw_jv_set_str(j, "type", "check_partition");
		unifw_jv_set_str(j, "name", r->parts[i].name);
		unifw_jv_set_str(j, "verdict", unifw_check_verdict_code(r->parts[i].verdict));
	}
	a = unifw_jv_set_arr(o, "compared");
	for (size_t i = 0; i < r->compared_count; i++)
		unifw_jv_push_str(a, r->compared[i]);
	struct unifw_jv *pf = unifw_jv_set_obj(o, "preloader_fit");
	unifw_jv_set_str(pf, "type", "check_preloader_fit");
	unifw_jv_set_str(pf, "result", r->preloader_fit[0] ? r->preloader_fit : "not_compared");
	unifw_jv_set_bool(pf, "written", r->preloader_written);
	unifw_jv_set_str(pf, "text", r->preloader_text);
	if (r->universal) { /* docs/check.md "A universal package" */
		struct unifw_jv *u = unifw_jv_set_obj(o, "universal");
		unifw_jv_set_str(u, "type", "check_universal");
		a = unifw_jv_set_arr(u, "components");
		for (unsigned k = 0; k < UNIFW_PROBE_COMPONENTS; k++) {
			struct unifw_jv *j = unifw_jv_push_obj(a);
			unifw_jv_set_str(j, "type", "probe_binding");
			unifw_jv_set_str(j, "name", unifw_probe_component_name((enum unifw_probe_component)k));
			unifw_jv_set_str(j, "key", r->univ[k].key);
			if (r->univ[k].variant[0])
				unifw_jv_set_str(j, "variant", r->univ[k].variant);
			else
				unifw_jv_set(j, "variant", NULL);
			if (!r->univ[k].variant[0])
				unifw_jv_set_str(j, "fallback", r->univ[k].fallback);
		}
	}
	return o;
}
