/* The universal part of a fingerprint (fingerprint.h struct unifw_fp_universal; docs/check.md "A universal
 * package"): the probe table of the boot image's ramdisk, reduced to the matches and fallbacks the check's
 * prediction needs, and per overlay folder of the system (/system/unifw/<variant>/) the modem and touch
 * firmware the probe's binds put in place. JSON both ways ("universal" in docs/json.md "fingerprint"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/fingerprint_internal.h"
#include "unifw/universal.h"

void fp_universal_from_table(struct unifw_fingerprint *fp, const struct unifw_probe_table *t)
{
	struct unifw_fp_universal *u = &fp->universal;
	u->present = true;
	for (size_t i = 0; i < t->variant_count && i < UNIFW_PROBE_MAX_VARIANTS; i++)
		fp_copy(u->variant[u->variant_count++], sizeof u->variant[0], t->variant[i].name);
	for (size_t i = 0; i < t->match_count && u->match_count < UNIFW_FP_UNIV_MATCHES; i++) {
		const struct unifw_probe_match *m = &t->match[i];
		if (m->variant >= u->variant_count || (unsigned)m->component >= UNIFW_PROBE_COMPONENTS)
			continue;
		struct unifw_fp_univ_match *x = &u->match[u->match_count++];
		x->component = (uint8_t)m->component;
		x->variant = (uint8_t)m->variant;
		fp_copy(x->key, sizeof x->key, m->key);
	}
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		fp_copy(u->fallback[c], sizeof u->fallback[c], t->fallback[c]);
}

void fp_universal_from_bootimg(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name)
{
	bool found = false;
	struct unifw_probe_table t;
	struct unifw_error e;
	unifw_error_clear(&e);
	if (unifw_univ_bootimg_table(buf, len, name, &found, &t, &e) != 0) {
		fp_note(c->fp, "%s: the universal probe table cannot be read (%s)", name, e.msg);
		return;
	}
	if (found)
		fp_universal_from_table(c->fp, &t);
	unifw_probe_table_free(&t);
}

/* ------------------------------------------------------------------ overlays in the system image */

static bool is_modem_name(const char *n)
{
	size_t len = strlen(n);
	return !strcmp(n, "modem.img") || (len > 15 && len < 24 && !strncmp(n, "modem_1_", 8) && !strcmp(n + len - 6, "_n.img"));
}

static bool touch_fw_name(const char *n, char *touch, size_t cap)
{
	size_t len = strlen(n);
	if (len <= 7 || strcmp(n + len - 7, "_fw.bin") || len - 7 >= cap)
		return false;
	memcpy(touch, n, len - 7);
	touch[len - 7] = 0;
	return true;
}

/* The modem the kernel would load from the overlay: modem_1_<its MD1 type>_n.img when known, else the
 * first one found. */
static void overlay_modem(struct fp_ctx *c, struct unifw_ext4 *fs, struct unifw_fp_univ_overlay *o, const char *dir,
			  const char *name)
{
	char want[48] = "";
	if (c->fp->have_md1)
		snprintf(want, sizeof want, "modem_1_%s_n.img", c->fp->md1_type);
	if (o->modem_path[0] && strcmp(name, want))
		return;
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(o->modem_path, sizeof o->modem_path, "/system/etc/firmware/%.64s", name);
	o->modem_build_ver[0] = 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_md_header h;
	if (unifw_ext4_read_file(fs, path, FP_MAX_MODEM, &buf, &len, NULL) == 0 &&
	    unifw_md_header_parse(buf, len, path, &h, NULL) == 0)
		fp_copy(o->modem_build_ver, sizeof o->modem_build_ver, h.build_ver), o->modem_mem_size = h.mem_size;
	free(buf);
}

static void read_overlay(struct fp_ctx *c, struct unifw_ext4 *fs, const char *variant)
{
	struct unifw_fp_universal *u = &c->fp->universal;
	if (u->overlay_count >= UNIFW_PROBE_MAX_VARIANTS || strlen(variant) >= UNIFW_PROBE_NAME_MAX)
		return;
	struct unifw_fp_univ_overlay *o = &u->overlay[u->overlay_count++];
	memset(o, 0, sizeof *o);
	fp_copy(o->variant, sizeof o->variant, variant);
	char dir[128];
	snprintf(dir, sizeof dir, "/unifw/%s/etc/firmware", variant);
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool trunc = false;
	if (unifw_ext4_list_dir(fs, dir, 1000, &ents, &n, &trunc, NULL) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char touch[UNIFW_PROBE_KEY_MAX];
		if (ents[i].kind != 'f')
			continue;
		if (is_modem_name(ents[i].name))
			overlay_modem(c, fs, o, dir, ents[i].name);
		else if (ents[i].size && o->touch_fw_count < UNIFW_FP_UNIV_FW && touch_fw_name(ents[i].name, touch, sizeof touch))
			fp_copy(o->touch_fw[o->touch_fw_count++], sizeof o->touch_fw[0], touch);
	}
	free(ents);
}

void fp_universal_overlays(struct fp_ctx *c, struct unifw_ext4 *fs)
{
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool trunc = false;
	if (unifw_ext4_list_dir(fs, "/unifw", UNIFW_PROBE_MAX_VARIANTS * 2, &ents, &n, &trunc, NULL) != 0)
		return; /* no overlays: not a universal system */
	for (size_t i = 0; i < n; i++)
		if (ents[i].kind == 'd')
			read_overlay(c, fs, ents[i].name);
	free(ents);
}

/* ------------------------------------------------------------------ JSON */

void fp_universal_to_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	const struct unifw_fp_universal *u = &fp->universal;
	if (!u->present && !u->overlay_count)
		return;
	struct unifw_jv *o = unifw_jv_set_obj(r, "universal");
	unifw_jv_set_str(o, "type", "fp_universal");
	unifw_jv_set_bool(o, "present", u->present);
	struct unifw_jv *vs = unifw_jv_set_arr(o, "variants");
	for (size_t i = 0; i < u->variant_count; i++)
		unifw_jv_push_str(vs, u->variant[i]);
	struct unifw_jv *ms = unifw_jv_set_arr(o, "matches");
	for (size_t i = 0; i < u->match_count; i++) {
		struct unifw_jv *m = unifw_jv_push_obj(ms);
		unifw_jv_set_str(m, "type", "fp_universal_match");
		unifw_jv_set_str(m, "component", unifw_probe_component_name((enum unifw_probe_component)u->match[i].component));
		unifw_jv_set_uint(m, "variant", u->match[i].variant);
		unifw_jv_set_str(m, "key", u->match[i].key);
	}
	struct unifw_jv *fb = unifw_jv_set_arr(o, "fallbacks");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		unifw_jv_push_str(fb, u->fallback[c]);
	struct unifw_jv *os = unifw_jv_set_arr(o, "overlays");
	for (size_t i = 0; i < u->overlay_count; i++) {
		const struct unifw_fp_univ_overlay *v = &u->overlay[i];
		struct unifw_jv *x = unifw_jv_push_obj(os);
		unifw_jv_set_str(x, "type", "fp_universal_overlay");
		unifw_jv_set_str(x, "variant", v->variant);
		unifw_jv_set_str(x, "modem_path", v->modem_path);
		unifw_jv_set_str(x, "modem_build_ver", v->modem_build_ver);
		unifw_jv_set_hex(x, "modem_mem_size", v->modem_mem_size);
		struct unifw_jv *t = unifw_jv_set_arr(x, "touch_firmware");
		for (size_t k = 0; k < v->touch_fw_count; k++)
			unifw_jv_push_str(t, v->touch_fw[k]);
	}
}

/* A string of at most cap-1 bytes, or the error naming the key. */
static int take_str(const struct unifw_jv *v, const char *key, char *dst, size_t cap, struct unifw_error *err)
{
	const char *s = unifw_jv_str(v);
	if (!s || strlen(s) >= cap)
		return unifw_error_set(err, UNIFW_E_FORMAT, "fingerprint", UNIFW_NO_OFFSET,
				       "universal.%s: expected a string shorter than %zu bytes", key, cap);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int read_overlay_json(const struct unifw_jv *x, struct unifw_fp_univ_overlay *v, struct unifw_error *err)
{
	int rc = take_str(unifw_jv_get(x, "variant"), "overlays.variant", v->variant, sizeof v->variant, err);
	if (!rc)
		rc = take_str(unifw_jv_get(x, "modem_path"), "overlays.modem_path", v->modem_path, sizeof v->modem_path, err);
	if (!rc)
		rc = take_str(unifw_jv_get(x, "modem_build_ver"), "overlays.modem_build_ver", v->modem_build_ver,
			      sizeof v->modem_build_ver, err);
	const char *mem = unifw_jv_str(unifw_jv_get(x, "modem_mem_size"));
	v->modem_mem_size = mem ? (uint32_t)strtoul(mem, NULL, 16) : 0;
	const struct unifw_jv *t = unifw_jv_get(x, "touch_firmware");
	for (size_t k = 0; !rc && k < unifw_jv_len(t) && k < UNIFW_FP_UNIV_FW; k++)
		rc = take_str(unifw_jv_at(t, k), "overlays.touch_firmware", v->touch_fw[v->touch_fw_count++],
			      sizeof v->touch_fw[0], err);
	return rc;
}

int fp_universal_from_json(const struct unifw_jv *j, struct unifw_fingerprint *fp, struct unifw_error *err)
{
	const struct unifw_jv *o = unifw_jv_get(j, "universal");
	struct unifw_fp_universal *u = &fp->universal;
	if (!o)
		return 0;
	u->present = unifw_jv_truthy(unifw_jv_get(o, "present"));
	const struct unifw_jv *vs = unifw_jv_get(o, "variants"), *ms = unifw_jv_get(o, "matches"),
			      *fb = unifw_jv_get(o, "fallbacks"), *os = unifw_jv_get(o, "overlays");
	if (unifw_jv_len(vs) > UNIFW_PROBE_MAX_VARIANTS || unifw_jv_len(ms) > UNIFW_FP_UNIV_MATCHES ||
	    unifw_jv_len(fb) > UNIFW_PROBE_COMPONENTS || unifw_jv_len(os) > UNIFW_PROBE_MAX_VARIANTS)
		return unifw_error_set(err, UNIFW_E_FORMAT, "fingerprint", UNIFW_NO_OFFSET,
				       "universal: more variants, matches, fallbacks or overlays than a probe table holds");
	int rc = 0;
	for (size_t i = 0; !rc && i < unifw_jv_len(vs); i++)
		rc = take_str(unifw_jv_at(vs, i), "variants", u->variant[u->variant_count++], sizeof u->variant[0], err);
	for (size_t i = 0; !rc && i < unifw_jv_len(ms); i++) {
		const struct unifw_jv *m = unifw_jv_at(ms, i);
		struct unifw_fp_univ_match *x = &u->match[u->match_count++];
		enum unifw_probe_component c;
		const char *cs = unifw_jv_str(unifw_jv_get(m, "component"));
		uint64_t v = unifw_jv_u64(unifw_jv_get(m, "variant"));
		if (!cs || !unifw_probe_component_parse(cs, &c) || v >= u->variant_count)
			return unifw_error_set(err, UNIFW_E_FORMAT, "fingerprint", UNIFW_NO_OFFSET,
					       "universal.matches[%zu]: expected a component and a declared variant", i);
		x->component = (uint8_t)c;
		x->variant = (uint8_t)v;
		rc = take_str(unifw_jv_get(m, "key"), "matches.key", x->key, sizeof x->key, err);
	}
	for (size_t i = 0; !rc && i < unifw_jv_len(fb); i++)
		rc = take_str(unifw_jv_at(fb, i), "fallbacks", u->fallback[i], sizeof u->fallback[0], err);
	for (size_t i = 0; !rc && i < unifw_jv_len(os); i++)
		rc = read_overlay_json(unifw_jv_at(os, i), &u->overlay[u->overlay_count++], err);
	return rc;
}
