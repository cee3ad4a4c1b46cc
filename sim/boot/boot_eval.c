/* unifw-sim — boot evaluation: the MT6572 boot chain walked over the eMMC image (boot_eval.h).
 * Rules and the public facts they rest on: docs/sim.md "Boot evaluation". This file holds the report
 * items, reading the flash, the stage driver and the output; the stages are in boot_eval_loader.c
 * (BootROM, preloader, LK), boot_eval_kernel.c (boot image, kernel) and boot_eval_android.c. */
#include "boot_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_eval_internal.h"
#include "unifw/hash.h"

/* ------------------------------------------------------------------ report helpers */

const char *sim_verdict_name(enum sim_verdict v)
{
	static const char *const names[] = { "boots", "boots_with_faults", "black_screen", "white_screen",
					      "boot_loop", "stuck_brom", "brom_loop", "dead" };
	return (unsigned)v < sizeof names / sizeof *names ? names[v] : "unknown";
}

int sim_verdict_exit_code(enum sim_verdict v)
{
	/* brom_loop came after the others: the older codes stay what scripts already test for. */
	if (v == SIM_VERDICT_BROM_LOOP)
		return 9;
	if (v == SIM_VERDICT_DEAD)
		return 8;
	return v == SIM_VERDICT_BOOTS ? 0 : 2 + (int)v;
}

__attribute__((format(printf, 6, 0))) static void add_item(struct sim_boot_item *list, size_t *count,
							   const char *stage, const char *code, enum sim_verdict verdict,
							   const char *fmt, va_list ap)
{
	if (*count >= SIM_BOOT_MAX_ITEMS)
		return;
	struct sim_boot_item *it = &list[(*count)++];
	snprintf(it->stage, sizeof it->stage, "%s", stage);
	snprintf(it->code, sizeof it->code, "%s", code);
	vsnprintf(it->message, sizeof it->message, fmt, ap);
	it->verdict = verdict;
}

/* A reason: raises the verdict; dead, stuck_brom and boot_loop end the boot there. */
__attribute__((format(printf, 5, 6))) void eval_reason(struct eval *v, const char *stage, const char *code,
						       enum sim_verdict verdict, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_item(v->r->reasons, &v->r->reason_count, stage, code, verdict, fmt, ap);
	va_end(ap);
	if (verdict > v->r->verdict)
		v->r->verdict = verdict;
	if (verdict >= SIM_VERDICT_BOOT_LOOP)
		v->halted = true;
}

__attribute__((format(printf, 4, 5))) void eval_fault(struct eval *v, const char *stage, const char *code,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_item(v->r->faults, &v->r->fault_count, stage, code, SIM_VERDICT_BOOTS_WITH_FAULTS, fmt, ap);
	va_end(ap);
	if (v->r->verdict < SIM_VERDICT_BOOTS_WITH_FAULTS)
		v->r->verdict = SIM_VERDICT_BOOTS_WITH_FAULTS;
}

__attribute__((format(printf, 4, 5))) void eval_note(struct eval *v, const char *stage, const char *code,
						     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_item(v->r->notes, &v->r->note_count, stage, code, SIM_VERDICT_BOOTS, fmt, ap);
	va_end(ap);
}

const char *eval_errtext(const struct unifw_error *e, char *buf, size_t len)
{
	return unifw_error_format(e, buf, len);
}

struct unifw_jv *eval_names_json(const struct unifw_names *a, const struct unifw_names *b)
{
	struct unifw_jv *arr = unifw_names_to_json(a);
	for (size_t i = 0; b && i < b->count; i++)
		unifw_jv_push_str(arr, b->name[i]);
	return arr;
}

void eval_names_list(const struct unifw_names *l, char *out, size_t len)
{
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < l->count && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", l->name[i]);
	if (!l->count)
		snprintf(out, len, "none");
}

/* ------------------------------------------------------------------ reading the flash */

/* A partition's bytes (at most max; the caller frees). */
int eval_read_region(struct eval *v, const struct sim_flash_loc *loc, uint64_t max, uint8_t **buf, size_t *len)
{
	size_t n = (size_t)(loc->size < max ? loc->size : max);
	*buf = malloc(n ? n : 1);
	if (!*buf)
		return unifw_error_set(v->err, UNIFW_E_NOMEM, "eMMC", UNIFW_NO_OFFSET, "out of memory");
	int rc = sim_emmc_read(v->e, loc->part, loc->offset, *buf, n, v->err);
	if (rc) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	*len = n;
	return 0;
}

static int region_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct region_stream *rs = ctx;
	if (off > rs->size || len > rs->size - off)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, "partition", off, "read past the partition end");
	return sim_emmc_read(rs->e, SIM_PART_USER, rs->base + off, buf, len, err);
}

/* A pread-only stream over a user-area range: what libext2fs needs through unifw_ext4_open. */
void eval_region_open(struct region_stream *rs, struct unifw_stream *s, const char *name)
{
	memset(s, 0, sizeof *s);
	s->pread = region_pread;
	s->ctx = rs;
	s->size = rs->size;
	snprintf(s->name, sizeof s->name, "%s", name);
}

/* ------------------------------------------------------------------ driver */

static void model_facts(struct eval *v)
{
	char cid[33];
	unifw_hex(v->cid, 16, cid);
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "phone");
	unifw_jv_set_str(f, "cid", cid);
	unifw_jv_set_uint(f, "boot_region", sim_emmc_boot_region(v->e));
	unifw_jv_set_uint(f, "user_size", v->user);
	if (v->m) {
		unifw_jv_set_str(f, "model", v->m->name);
		unifw_jv_set_str(f, "memory_part", v->m->mem->label);
		unifw_jv_set_str(f, "panel_lcm", v->m->lcm);
		unifw_jv_set_strf(f, "panel_ic", "0x%04x", v->m->panel_ic);
		unifw_jv_set_strf(f, "panel", "%ux%u", v->m->panel_width, v->m->panel_height);
		unifw_jv_set_str(f, "touch", v->m->touch);
	}
}

static void summarise(struct sim_boot_report *r)
{
	const char *rel = unifw_jv_str(unifw_jv_path(r->facts, "android.release"));
	if (r->reason_count) {
		const struct sim_boot_item *worst = &r->reasons[0];
		for (size_t i = 1; i < r->reason_count; i++)
			if (r->reasons[i].verdict > worst->verdict)
				worst = &r->reasons[i];
		snprintf(r->summary, sizeof r->summary, "%s: %s (%s stage)", sim_verdict_name(r->verdict), worst->code,
			 worst->stage);
	} else if (r->fault_count) {
		size_t used = (size_t)snprintf(r->summary, sizeof r->summary, "Android %s boots, with faults:",
					       rel ? rel : "?");
		for (size_t i = 0; i < r->fault_count && used < sizeof r->summary; i++)
			used += (size_t)snprintf(r->summary + used, sizeof r->summary - used, " %s", r->faults[i].code);
	} else {
		snprintf(r->summary, sizeof r->summary, "Android %s boots normally", rel ? rel : "?");
	}
}

static int run_stages(struct eval *v)
{
	bool booted = false;
	int rc = eval_stage_brom(v);
	if (rc == 0 && !v->halted)
		rc = eval_stage_lk(v);
	if (rc == 0 && !v->halted)
		rc = eval_stage_bootimg(v, &booted);
	if (rc == 0 && !v->halted && booted)
		rc = eval_stage_kernel(v);
	if (rc == 0)
		rc = v->fatal_rc;
	if (rc == 0 && !v->halted && v->kernel) {
		eval_check_touch(v);
		rc = eval_stage_nvram(v);
	}
	return rc;
}

int sim_boot_evaluate(struct sim_emmc *e, const struct sim_model *model, struct sim_boot_report *r,
		      struct unifw_error *err)
{
	memset(r, 0, sizeof *r);
	const struct sim_emmc_geometry *g = sim_emmc_geometry(e);
	if (!model && g->model[0])
		model = sim_model_find(g->model);
	if (model && sim_model_mem_for_cid(model, g->cid) != model->mem) {
		sim_model_with_part(model, sim_model_mem_for_cid(model, g->cid), &r->second_source);
		model = &r->second_source;
	}
	struct unifw_error local = { 0 };
	struct eval v = { .e = e, .m = model, .r = r, .err = err ? err : &local, .user = g->size[SIM_PART_USER] };
	memcpy(v.cid, g->cid, 16);
	r->model = model;
	r->facts = unifw_jv_object();
	model_facts(&v);
	if (g->model[0] && !model)
		eval_note(&v, "brom", "unknown_model", "the image names model '%s', which this build does not know", g->model);
	int rc = run_stages(&v);
	eval_probe_free(&v);
	free(v.lk);
	free(v.kernel);
	free(v.image);
	if (rc) {
		sim_boot_report_free(r);
		return rc;
	}
	summarise(r);
	return 0;
}

int sim_boot_brom_loops(struct sim_emmc *e, const struct sim_model *model, bool *loops, struct unifw_error *err)
{
	struct sim_boot_report *r = calloc(1, sizeof *r);
	const struct sim_emmc_geometry *g = sim_emmc_geometry(e);
	if (!r)
		return unifw_error_set(err, UNIFW_E_NOMEM, "eMMC", UNIFW_NO_OFFSET, "out of memory");
	if (!model && g->model[0])
		model = sim_model_find(g->model);
	struct unifw_error local = { 0 };
	struct eval v = { .e = e, .m = model, .r = r, .err = err ? err : &local, .user = g->size[SIM_PART_USER] };
	memcpy(v.cid, g->cid, 16);
	r->facts = unifw_jv_object();
	int rc = eval_stage_brom(&v);
	*loops = rc == 0 && r->verdict == SIM_VERDICT_BROM_LOOP;
	sim_boot_report_free(r);
	free(r);
	return rc;
}

void sim_boot_report_free(struct sim_boot_report *r)
{
	unifw_jv_free(r->facts);
	r->facts = NULL;
}

/* ------------------------------------------------------------------ output */

static void items_json(struct unifw_jv *arr, const struct sim_boot_item *items, size_t n, bool with_verdict)
{
	for (size_t i = 0; i < n; i++) {
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "stage", items[i].stage);
		unifw_jv_set_str(o, "code", items[i].code);
		unifw_jv_set_str(o, "message", items[i].message);
		if (with_verdict)
			unifw_jv_set_str(o, "verdict", sim_verdict_name(items[i].verdict));
	}
}

/* The facts tree stays the report's: the JSON gets a copy (the tree is a few levels deep). */
static struct unifw_jv *copy_tree(const struct unifw_jv *v, int depth)
{
	struct unifw_jv *c;
	if (!v || depth > 16)
		return unifw_jv_null();
	switch (unifw_jv_type(v)) {
	case UNIFW_JV_BOOL: return unifw_jv_bool(unifw_jv_truthy(v));
	case UNIFW_JV_INT: return unifw_jv_int(unifw_jv_i64(v));
	case UNIFW_JV_UINT: return unifw_jv_uint(unifw_jv_u64(v));
	case UNIFW_JV_STRING: return unifw_jv_string(unifw_jv_str(v));
	case UNIFW_JV_ARRAY:
		c = unifw_jv_array();
		for (size_t i = 0; i < unifw_jv_len(v); i++)
			unifw_jv_push(c, copy_tree(unifw_jv_at(v, i), depth + 1));
		return c;
	case UNIFW_JV_OBJECT:
		c = unifw_jv_object();
		for (size_t i = 0; i < unifw_jv_len(v); i++)
			unifw_jv_set(c, unifw_jv_key_at(v, i), copy_tree(unifw_jv_at(v, i), depth + 1));
		return c;
	default: return unifw_jv_null();
	}
}

struct unifw_jv *sim_boot_report_json(const struct sim_boot_report *r)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "verdict", sim_verdict_name(r->verdict));
	unifw_jv_set_str(o, "summary", r->summary);
	if (r->model)
		unifw_jv_set_str(o, "model", r->model->name);
	else
		unifw_jv_set(o, "model", NULL);
	items_json(unifw_jv_set_arr(o, "reasons"), r->reasons, r->reason_count, true);
	items_json(unifw_jv_set_arr(o, "faults"), r->faults, r->fault_count, false);
	items_json(unifw_jv_set_arr(o, "notes"), r->notes, r->note_count, false);
	unifw_jv_set(o, "facts", copy_tree(r->facts, 0));
	return o;
}

static void items_text(FILE *out, const char *kind, const struct sim_boot_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %-6s [%s] %s: %s\n", kind, items[i].stage, items[i].code, items[i].message);
}

void sim_boot_report_text(const struct sim_boot_report *r, FILE *out)
{
	fprintf(out, "verdict: %s\n  %s\n", sim_verdict_name(r->verdict), r->summary);
	if (r->model)
		fprintf(out, "phone: %s (%s, panel %s, touch %s)\n", r->model->name, r->model->mem->label, r->model->lcm,
			r->model->touch);
	items_text(out, "reason", r->reasons, r->reason_count);
	items_text(out, "fault", r->faults, r->fault_count);
	items_text(out, "note", r->notes, r->note_count);
	const char *lk = unifw_jv_str(unifw_jv_path(r->facts, "lk.project"));
	const char *kv = unifw_jv_str(unifw_jv_path(r->facts, "kernel.version"));
	const char *pl = unifw_jv_str(unifw_jv_path(r->facts, "preloader.project"));
	const char *rel = unifw_jv_str(unifw_jv_path(r->facts, "android.release"));
	fprintf(out, "found: preloader %s, lk %s, kernel %s, Android %s\n", pl ? pl : "-", lk ? lk : "-", kv ? kv : "-",
		rel ? rel : "-");
}
