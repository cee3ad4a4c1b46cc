/* The JSON form of a fingerprint (docs/json.md "fingerprint"): what _to_json writes, _from_json reads
 * back field for field (the catalog stores it). Addresses and magic values are "0x..." strings, as
 * everywhere in unifw's JSON; a part that is absent has no key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/fingerprint_internal.h"
#include "unifw/hash.h"
#include "util/bytes.h"

/* --- writing -------------------------------------------------------------------------------------- */

static void set_hexbytes(struct unifw_jv *o, const char *key, const uint8_t *b, size_t n)
{
	char hex[2 * 32 + 1];
	unifw_hex(b, n, hex);
	unifw_jv_set_str(o, key, hex);
}

static void names_json(struct unifw_jv *o, const char *key, const struct unifw_names *l)
{
	struct unifw_jv *a = unifw_jv_set_arr(o, key);
	for (size_t i = 0; i < l->count; i++)
		unifw_jv_push_str(a, l->name[i]);
	if (l->truncated) {
		char k[64];
		snprintf(k, sizeof k, "%s_truncated", key);
		unifw_jv_set_bool(o, k, true);
	}
}

static void emi_json(struct unifw_jv *o, const char *key, const struct unifw_fp_emi *e, size_t n)
{
	struct unifw_jv *a = unifw_jv_set_arr(o, key);
	for (size_t i = 0; i < n; i++) {
		struct unifw_jv *m = unifw_jv_push_obj(a);
		unifw_jv_set_str(m, "type", "fp_memory_part");
		set_hexbytes(m, "id", e[i].id, sizeof e[i].id);
		unifw_jv_set_uint(m, "id_length", e[i].id_length);
		unifw_jv_set_hex(m, "emi_type", e[i].type);
		unifw_jv_set_hex(m, "dram_vendor", e[i].dram_vendor);
		struct unifw_jv *r = unifw_jv_set_arr(m, "rank_size");
		unifw_jv_push(r, unifw_jv_uint(e[i].rank_size[0]));
		unifw_jv_push(r, unifw_jv_uint(e[i].rank_size[1]));
	}
}

static void layout_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *l = unifw_jv_set_obj(r, "layout");
	unifw_jv_set_str(l, "type", "fp_layout");
	unifw_jv_set_hex(l, "boot_region", fp->boot_region);
	unifw_jv_set_uint(l, "user_size", fp->user_size);
	struct unifw_jv *a = unifw_jv_set_arr(l, "partitions");
	for (size_t i = 0; i < fp->part_count; i++) {
		const struct unifw_fp_part *p = &fp->parts[i];
		struct unifw_jv *o = unifw_jv_push_obj(a);
		unifw_jv_set_str(o, "type", "fp_partition");
		unifw_jv_set_str(o, "name", p->name);
		unifw_jv_set_hex(o, "linear", p->linear);
		unifw_jv_set_uint(o, "size", p->size);
		unifw_jv_set_uint(o, "mbr_index", p->mbr_index);
		unifw_jv_set_bool(o, "download", p->download);
		unifw_jv_set_uint(o, "image_bytes", p->image_bytes);
		unifw_jv_set_str(o, "content", p->content);
		if (p->has_sha256)
			set_hexbytes(o, "sha256", p->sha256, 32);
	}
}

static void preloader_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *o = unifw_jv_set_obj(r, "preloader");
	unifw_jv_set_str(o, "type", "fp_preloader");
	unifw_jv_set_str(o, "platform", fp->preloader_platform);
	unifw_jv_set_str(o, "project", fp->preloader_project);
	unifw_jv_set_bool(o, "dram_info_match", fp->preloader_dram_info_match);
	emi_json(o, "emi_tag", fp->emi_tag, fp->emi_tag_count);
	if (fp->have_emi_compiled)
		emi_json(o, "emi_compiled", fp->emi_compiled, fp->emi_compiled_count);
}

static void lk_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *o = unifw_jv_set_obj(r, "lk");
	unifw_jv_set_str(o, "type", "fp_lk");
	unifw_jv_set_bool(o, "has_header", fp->lk_has_header);
	unifw_jv_set_str(o, "platform", fp->lk_platform);
	unifw_jv_set_str(o, "project", fp->lk_project);
	names_json(o, "lcm", &fp->lk_lcm);
}

static void boot_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *o = unifw_jv_set_obj(r, "boot");
	unifw_jv_set_str(o, "type", "fp_boot");
	unifw_jv_set_bool(o, "valid", fp->boot_valid);
	if (fp->boot_problem[0])
		unifw_jv_set_str(o, "problem", fp->boot_problem);
	unifw_jv_set_uint(o, "page_size", fp->boot_page_size);
	unifw_jv_set_str(o, "kernel_name", fp->boot_kernel_name);
	unifw_jv_set_str(o, "ramdisk_name", fp->boot_ramdisk_name);
	unifw_jv_set_bool(o, "ramdisk_has_init", fp->ramdisk_has_init);
}

static void kernel_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *o = unifw_jv_set_obj(r, "kernel");
	unifw_jv_set_str(o, "type", "fp_kernel");
	unifw_jv_set_str(o, "version", fp->kernel_version);
	unifw_jv_set_str(o, "compression", fp->kernel_compression);
	names_json(o, "lcm", &fp->kernel_lcm);
	names_json(o, "touch", &fp->kernel_touch);
	names_json(o, "camera", &fp->kernel_camera);
}

static void kmap_md1_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	if (fp->have_kmap) {
		struct unifw_jv *o = unifw_jv_set_obj(r, "kmap");
		unifw_jv_set_str(o, "type", "fp_kmap");
		unifw_jv_set_bool(o, "assumed", fp->kmap_assumed);
		struct unifw_jv *a = unifw_jv_set_arr(o, "entries");
		for (size_t i = 0; i < fp->kmap_count; i++) {
			struct unifw_jv *e = unifw_jv_push_obj(a);
			unifw_jv_set_str(e, "type", "fp_kmap_entry");
			unifw_jv_set_str(e, "name", fp->kmap[i].name);
			unifw_jv_set_uint(e, "index", fp->kmap[i].index);
		}
	}
	if (fp->have_md1) {
		struct unifw_jv *o = unifw_jv_set_obj(r, "md1");
		unifw_jv_set_str(o, "type", "fp_md1");
		unifw_jv_set_bool(o, "assumed", fp->md1_assumed);
		unifw_jv_set_str(o, "modem_type", fp->md1_type);
		unifw_jv_set_hex(o, "reserved", fp->md1_reserved);
	}
}

static void android_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *o = unifw_jv_set_obj(r, "android");
	unifw_jv_set_str(o, "type", "fp_android");
	unifw_jv_set_bool(o, "system_valid", fp->system_valid);
	unifw_jv_set_str(o, "release", fp->android_release);
	unifw_jv_set_str(o, "board", fp->product_board);
	unifw_jv_set_str(o, "device", fp->product_device);
	unifw_jv_set_str(o, "model", fp->product_model);
	unifw_jv_set_str(o, "brand", fp->product_brand);
	unifw_jv_set_str(o, "display", fp->build_display);
	unifw_jv_set_bool(o, "modem_db", fp->have_mddb);
	if (fp->have_wlan) {
		unifw_jv_set_bool(o, "wlan_module_present", fp->wlan_module_present);
		unifw_jv_set_str(o, "wlan_module_vermagic", fp->wlan_module_vermagic);
	}
	if (fp->have_touch_fw)
		names_json(o, "touch_firmware", &fp->touch_fw);
}

static void modem_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *o = unifw_jv_set_obj(r, "modem");
	unifw_jv_set_str(o, "type", "fp_modem");
	unifw_jv_set_str(o, "path", fp->modem_path);
	unifw_jv_set_uint(o, "size", fp->modem_size);
	unifw_jv_set_bool(o, "has_header", fp->modem_has_header);
	if (!fp->modem_has_header)
		return;
	unifw_jv_set_uint(o, "header_version", fp->md_header_version);
	unifw_jv_set_uint(o, "bind_sys_id", fp->md_bind_sys_id);
	unifw_jv_set_hex(o, "mem_size", fp->md_mem_size);
	unifw_jv_set_uint(o, "md_img_size", fp->md_img_size);
	unifw_jv_set_str(o, "build_ver", fp->md_build_ver);
}

static void identity_json(struct unifw_jv *r, const struct unifw_fingerprint *fp)
{
	struct unifw_jv *o = unifw_jv_set_obj(r, "identity");
	unifw_jv_set_str(o, "type", "fp_identity");
	unifw_jv_set_bool(o, "binregion_valid", fp->binregion_valid);
	unifw_jv_set_bool(o, "binregion_imei", fp->binregion_imei);
	unifw_jv_set_bool(o, "data_nvram", fp->data_nvram);
	unifw_jv_set_bool(o, "data_imei", fp->data_imei);
	unifw_jv_set_str(o, "wifi", fp->wifi_state);
	unifw_jv_set_str(o, "bt", fp->bt_state);
}

struct unifw_jv *unifw_fingerprint_to_json(const struct unifw_fingerprint *fp)
{
	struct unifw_jv *r = unifw_jv_object();
	unifw_jv_set_str(r, "type", "fingerprint");
	unifw_jv_set_uint(r, "version", UNIFW_FP_VERSION);
	unifw_jv_set_str(r, "source", unifw_fp_source_name(fp->source));
	unifw_jv_set_str(r, "path", fp->path);
	unifw_jv_set_str(r, "platform", fp->platform);
	unifw_jv_set_hex(r, "hw_code", fp->hw_code);
	unifw_jv_set_str(r, "storage", fp->storage);
	unifw_jv_set_str(r, "project", fp->project);
	if (fp->have_layout)
		layout_json(r, fp);
	if (fp->have_cid)
		set_hexbytes(r, "cid", fp->cid, sizeof fp->cid);
	if (fp->have_preloader)
		preloader_json(r, fp);
	if (fp->have_lk)
		lk_json(r, fp);
	if (fp->panel_rule[0]) {
		struct unifw_jv *o = unifw_jv_set_obj(r, "panel");
		unifw_jv_set_str(o, "type", "fp_panel");
		unifw_jv_set_str(o, "lcm", fp->panel_lcm);
		unifw_jv_set_str(o, "rule", fp->panel_rule);
	}
	if (fp->have_boot)
		boot_json(r, fp);
	if (fp->have_kernel)
		kernel_json(r, fp);
	kmap_md1_json(r, fp);
	if (fp->have_android)
		android_json(r, fp);
	if (fp->have_logo) {
		struct unifw_jv *o = unifw_jv_set_obj(r, "logo");
		unifw_jv_set_str(o, "type", "fp_logo");
		unifw_jv_set_uint(o, "width", fp->logo_width);
		unifw_jv_set_uint(o, "height", fp->logo_height);
		unifw_jv_set_uint(o, "frames", fp->logo_frames);
	}
	if (fp->have_modem)
		modem_json(r, fp);
	if (fp->have_identity)
		identity_json(r, fp);
	fp_universal_to_json(r, fp); /* a universal image (fingerprint_universal.c) */
	struct unifw_jv *n = unifw_jv_set_arr(r, "notes");
	for (size_t i = 0; i < fp->note_count; i++)
		unifw_jv_push_str(n, fp->notes[i]);
	return r;
}

/* --- reading -------------------------------------------------------------------------------------- */

struct rd {
	const char *what; /* the object being read, for errors */
	struct unifw_error *err;
	int rc;
};

static int bad(struct rd *d, const char *key, const char *expected)
{
	if (!d->rc)
		d->rc = unifw_error_set(d->err, UNIFW_E_FORMAT, "fingerprint", UNIFW_NO_OFFSET, "%s.%s: expected %s",
					d->what, key, expected);
	return d->rc;
}

static void rd_str(struct rd *d, const struct unifw_jv *o, const char *key, char *dst, size_t cap)
{
	const struct unifw_jv *v = unifw_jv_get(o, key);
	if (!v)
		return;
	const char *s = unifw_jv_str(v);
	if (!s || strlen(s) >= cap) {
		bad(d, key, "a string shorter than its field");
		return;
	}
	memcpy(dst, s, strlen(s) + 1);
}

static void rd_bool(struct rd *d, const struct unifw_jv *o, const char *key, bool *dst)
{
	const struct unifw_jv *v = unifw_jv_get(o, key);
	if (!v)
		return;
	if (unifw_jv_type(v) != UNIFW_JV_BOOL)
		bad(d, key, "true or false");
	else
		*dst = unifw_jv_truthy(v);
}

/* A number, or a "0x..." string; at most max. */
static uint64_t rd_u64(struct rd *d, const struct unifw_jv *o, const char *key, uint64_t max, uint64_t dflt)
{
	const struct unifw_jv *v = unifw_jv_get(o, key);
	if (!v)
		return dflt;
	uint64_t x = 0;
	const char *s = unifw_jv_str(v);
	if (unifw_jv_type(v) == UNIFW_JV_UINT) {
		x = unifw_jv_u64(v);
	} else if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2] && strlen(s) <= 18) {
		char *end = NULL;
		x = strtoull(s + 2, &end, 16);
		if (*end) {
			bad(d, key, "a hexadecimal \"0x...\" string");
			return dflt;
		}
	} else {
		bad(d, key, "a number or a \"0x...\" string");
		return dflt;
	}
	if (x > max) {
		bad(d, key, "a smaller number");
		return dflt;
	}
	return x;
}

static void rd_hexbytes(struct rd *d, const struct unifw_jv *o, const char *key, uint8_t *dst, size_t n, bool *have)
{
	const struct unifw_jv *v = unifw_jv_get(o, key);
	if (!v)
		return;
	const char *s = unifw_jv_str(v);
	if (!s || strlen(s) != 2 * n) {
		bad(d, key, "a string of hexadecimal digits of the field's size");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int hi = unifw_hexval(s[2 * i]), lo = unifw_hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			bad(d, key, "hexadecimal digits");
			return;
		}
		dst[i] = (uint8_t)(hi << 4 | lo);
	}
	if (have)
		*have = true;
}

static const struct unifw_jv *rd_obj(struct rd *d, const struct unifw_jv *o, const char *key)
{
	const struct unifw_jv *v = unifw_jv_get(o, key);
	if (v && unifw_jv_type(v) != UNIFW_JV_OBJECT) {
		bad(d, key, "an object");
		return NULL;
	}
	return v;
}

static const struct unifw_jv *rd_arr(struct rd *d, const struct unifw_jv *o, const char *key, size_t max)
{
	const struct unifw_jv *v = unifw_jv_get(o, key);
	if (v && (unifw_jv_type(v) != UNIFW_JV_ARRAY || unifw_jv_len(v) > max)) {
		bad(d, key, "an array of bounded length");
		return NULL;
	}
	return v;
}

static void rd_names(struct rd *d, const struct unifw_jv *o, const char *key, struct unifw_names *l)
{
	const struct unifw_jv *a = rd_arr(d, o, key, UNIFW_NAMES_MAX);
	memset(l, 0, sizeof *l);
	for (size_t i = 0; i < unifw_jv_len(a); i++) {
		const char *s = unifw_jv_str(unifw_jv_at(a, i));
		if (!s || strlen(s) >= UNIFW_NAME_LEN) {
			bad(d, key, "driver names (strings)");
			return;
		}
		snprintf(l->name[l->count++], UNIFW_NAME_LEN, "%s", s);
	}
	char k[64];
	snprintf(k, sizeof k, "%s_truncated", key);
	rd_bool(d, o, k, &l->truncated);
}

static size_t rd_emi(struct rd *d, const struct unifw_jv *o, const char *key, struct unifw_fp_emi *e)
{
	const struct unifw_jv *a = rd_arr(d, o, key, UNIFW_FP_MAX_EMI);
	for (size_t i = 0; i < unifw_jv_len(a); i++) {
		const struct unifw_jv *m = unifw_jv_at(a, i);
		if (unifw_jv_type(m) != UNIFW_JV_OBJECT) {
			bad(d, key, "objects");
			return 0;
		}
		rd_hexbytes(d, m, "id", e[i].id, sizeof e[i].id, NULL);
		e[i].id_length = (uint32_t)rd_u64(d, m, "id_length", 16, 0);
		e[i].type = (uint32_t)rd_u64(d, m, "emi_type", UINT32_MAX, 0);
		e[i].dram_vendor = (uint32_t)rd_u64(d, m, "dram_vendor", UINT32_MAX, 0);
		const struct unifw_jv *r = rd_arr(d, m, "rank_size", 2);
		for (size_t k = 0; k < unifw_jv_len(r); k++)
			e[i].rank_size[k] = (uint32_t)unifw_jv_u64(unifw_jv_at(r, k));
	}
	return unifw_jv_len(a);
}

static void rd_layout(struct rd *d, const struct unifw_jv *l, struct unifw_fingerprint *fp)
{
	if (!l)
		return;
	fp->have_layout = true;
	fp->boot_region = rd_u64(d, l, "boot_region", UINT64_MAX, 0);
	fp->user_size = rd_u64(d, l, "user_size", UINT64_MAX, 0);
	const struct unifw_jv *a = rd_arr(d, l, "partitions", UNIFW_FP_MAX_PARTS);
	for (size_t i = 0; i < unifw_jv_len(a) && !d->rc; i++) {
		const struct unifw_jv *o = unifw_jv_at(a, i);
		struct unifw_fp_part *p = &fp->parts[fp->part_count++];
		rd_str(d, o, "name", p->name, sizeof p->name);
		p->linear = rd_u64(d, o, "linear", UINT64_MAX, 0);
		p->size = rd_u64(d, o, "size", UINT64_MAX, 0);
		p->mbr_index = (unsigned)rd_u64(d, o, "mbr_index", 255, 0);
		rd_bool(d, o, "download", &p->download);
		p->image_bytes = rd_u64(d, o, "image_bytes", UINT64_MAX, 0);
		rd_str(d, o, "content", p->content, sizeof p->content);
		rd_hexbytes(d, o, "sha256", p->sha256, 32, &p->has_sha256);
	}
}

static void rd_parts1(struct rd *d, const struct unifw_jv *j, struct unifw_fingerprint *fp)
{
	const struct unifw_jv *o;
	if ((o = rd_obj(d, j, "preloader")) != NULL) {
		fp->have_preloader = true;
		rd_str(d, o, "platform", fp->preloader_platform, sizeof fp->preloader_platform);
		rd_str(d, o, "project", fp->preloader_project, sizeof fp->preloader_project);
		rd_bool(d, o, "dram_info_match", &fp->preloader_dram_info_match);
		fp->emi_tag_count = rd_emi(d, o, "emi_tag", fp->emi_tag);
		fp->have_emi_compiled = unifw_jv_get(o, "emi_compiled") != NULL;
		fp->emi_compiled_count = rd_emi(d, o, "emi_compiled", fp->emi_compiled);
	}
	if ((o = rd_obj(d, j, "lk")) != NULL) {
		fp->have_lk = true;
		rd_bool(d, o, "has_header", &fp->lk_has_header);
		rd_str(d, o, "platform", fp->lk_platform, sizeof fp->lk_platform);
		rd_str(d, o, "project", fp->lk_project, sizeof fp->lk_project);
		rd_names(d, o, "lcm", &fp->lk_lcm);
	}
	if ((o = rd_obj(d, j, "panel")) != NULL) {
		rd_str(d, o, "lcm", fp->panel_lcm, sizeof fp->panel_lcm);
		rd_str(d, o, "rule", fp->panel_rule, sizeof fp->panel_rule);
	}
	if ((o = rd_obj(d, j, "boot")) != NULL) {
		fp->have_boot = true;
		rd_bool(d, o, "valid", &fp->boot_valid);
		rd_str(d, o, "problem", fp->boot_problem, sizeof fp->boot_problem);
		fp->boot_page_size = (uint32_t)rd_u64(d, o, "page_size", UINT32_MAX, 0);
		rd_str(d, o, "kernel_name", fp->boot_kernel_name, sizeof fp->boot_kernel_name);
		rd_str(d, o, "ramdisk_name", fp->boot_ramdisk_name, sizeof fp->boot_ramdisk_name);
		rd_bool(d, o, "ramdisk_has_init", &fp->ramdisk_has_init);
	}
	if ((o = rd_obj(d, j, "kernel")) != NULL) {
		fp->have_kernel = true;
		rd_str(d, o, "version", fp->kernel_version, sizeof fp->kernel_version);
		rd_str(d, o, "compression", fp->kernel_compression, sizeof fp->kernel_compression);
		rd_names(d, o, "lcm", &fp->kernel_lcm);
		rd_names(d, o, "touch", &fp->kernel_touch);
		rd_names(d, o, "camera", &fp->kernel_camera); /* absent before: none known */
	}
}

static void rd_parts2(struct rd *d, const struct unifw_jv *j, struct unifw_fingerprint *fp)
{
	const struct unifw_jv *o;
	if ((o = rd_obj(d, j, "kmap")) != NULL) {
		fp->have_kmap = true;
		rd_bool(d, o, "assumed", &fp->kmap_assumed);
		const struct unifw_jv *a = rd_arr(d, o, "entries", UNIFW_FP_MAX_PARTS);
		for (size_t i = 0; i < unifw_jv_len(a) && !d->rc; i++) {
			struct unifw_fp_kmap *k = &fp->kmap[fp->kmap_count++];
			rd_str(d, unifw_jv_at(a, i), "name", k->name, sizeof k->name);
			k->index = (unsigned)rd_u64(d, unifw_jv_at(a, i), "index", 255, 0);
		}
	}
	if ((o = rd_obj(d, j, "md1")) != NULL) {
		fp->have_md1 = true;
		rd_bool(d, o, "assumed", &fp->md1_assumed);
		rd_str(d, o, "modem_type", fp->md1_type, sizeof fp->md1_type);
		fp->md1_reserved = (uint32_t)rd_u64(d, o, "reserved", UINT32_MAX, 0);
	}
	if ((o = rd_obj(d, j, "android")) != NULL) {
		fp->have_android = true;
		rd_bool(d, o, "system_valid", &fp->system_valid);
		rd_str(d, o, "release", fp->android_release, sizeof fp->android_release);
		rd_str(d, o, "board", fp->product_board, sizeof fp->product_board);
		rd_str(d, o, "device", fp->product_device, sizeof fp->product_device);
		rd_str(d, o, "model", fp->product_model, sizeof fp->product_model);
		rd_str(d, o, "brand", fp->product_brand, sizeof fp->product_brand);
		rd_str(d, o, "display", fp->build_display, sizeof fp->build_display);
		rd_bool(d, o, "modem_db", &fp->have_mddb);
		/* absent in fingerprints from before issue 13: the module stays unknown */
		fp->have_wlan = unifw_jv_get(o, "wlan_module_present") != NULL;
		rd_bool(d, o, "wlan_module_present", &fp->wlan_module_present);
		rd_str(d, o, "wlan_module_vermagic", fp->wlan_module_vermagic, sizeof fp->wlan_module_vermagic);
		/* absent in fingerprints from before issue 14: the touch firmware stays unknown */
		fp->have_touch_fw = unifw_jv_get(o, "touch_firmware") != NULL;
		rd_names(d, o, "touch_firmware", &fp->touch_fw);
	}
	if ((o = rd_obj(d, j, "logo")) != NULL) {
		fp->have_logo = true;
		fp->logo_width = (uint32_t)rd_u64(d, o, "width", UINT32_MAX, 0);
		fp->logo_height = (uint32_t)rd_u64(d, o, "height", UINT32_MAX, 0);
		fp->logo_frames = (uint32_t)rd_u64(d, o, "frames", UINT32_MAX, 0);
	}
	if ((o = rd_obj(d, j, "modem")) != NULL) {
		fp->have_modem = true;
		rd_str(d, o, "path", fp->modem_path, sizeof fp->modem_path);
		fp->modem_size = rd_u64(d, o, "size", UINT64_MAX, 0);
		rd_bool(d, o, "has_header", &fp->modem_has_header);
		fp->md_header_version = (uint32_t)rd_u64(d, o, "header_version", UINT32_MAX, 0);
		fp->md_bind_sys_id = (uint32_t)rd_u64(d, o, "bind_sys_id", UINT32_MAX, 0);
		fp->md_mem_size = (uint32_t)rd_u64(d, o, "mem_size", UINT32_MAX, 0);
		fp->md_img_size = (uint32_t)rd_u64(d, o, "md_img_size", UINT32_MAX, 0);
		rd_str(d, o, "build_ver", fp->md_build_ver, sizeof fp->md_build_ver); /* "" before issue 14 */
	}
	if ((o = rd_obj(d, j, "identity")) != NULL) {
		fp->have_identity = true;
		rd_bool(d, o, "binregion_valid", &fp->binregion_valid);
		rd_bool(d, o, "binregion_imei", &fp->binregion_imei);
		rd_bool(d, o, "data_nvram", &fp->data_nvram);
		rd_bool(d, o, "data_imei", &fp->data_imei);
		rd_str(d, o, "wifi", fp->wifi_state, sizeof fp->wifi_state);
		rd_str(d, o, "bt", fp->bt_state, sizeof fp->bt_state);
	}
}

static void rd_source(struct rd *d, const struct unifw_jv *j, struct unifw_fingerprint *fp)
{
	char src[16] = "package";
	rd_str(d, j, "source", src, sizeof src);
	if (!strcmp(src, "backup"))
		fp->source = UNIFW_FP_BACKUP;
	else if (!strcmp(src, "phone"))
		fp->source = UNIFW_FP_PHONE;
	else if (strcmp(src, "package"))
		bad(d, "source", "\"package\", \"backup\" or \"phone\"");
}

int unifw_fingerprint_from_json(const struct unifw_jv *j, struct unifw_fingerprint *fp, struct unifw_error *err)
{
	struct rd d = { .what = "fingerprint", .err = err };
	memset(fp, 0, sizeof *fp);
	if (unifw_jv_type(j) != UNIFW_JV_OBJECT)
		return unifw_error_set(err, UNIFW_E_FORMAT, "fingerprint", UNIFW_NO_OFFSET, "expected a JSON object");
	if (rd_u64(&d, j, "version", UINT32_MAX, UNIFW_FP_VERSION) > UNIFW_FP_VERSION)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "fingerprint", UNIFW_NO_OFFSET,
				       "fingerprint version %llu: this unifw reads version %u and older",
				       (unsigned long long)unifw_jv_u64(unifw_jv_get(j, "version")), UNIFW_FP_VERSION);
	rd_source(&d, j, fp);
	rd_str(&d, j, "path", fp->path, sizeof fp->path);
	rd_str(&d, j, "platform", fp->platform, sizeof fp->platform);
	fp->hw_code = (uint16_t)rd_u64(&d, j, "hw_code", UINT16_MAX, 0);
	rd_str(&d, j, "storage", fp->storage, sizeof fp->storage);
	rd_str(&d, j, "project", fp->project, sizeof fp->project);
	rd_layout(&d, rd_obj(&d, j, "layout"), fp);
	rd_hexbytes(&d, j, "cid", fp->cid, sizeof fp->cid, &fp->have_cid);
	rd_parts1(&d, j, fp);
	rd_parts2(&d, j, fp);
	if (!d.rc)
		d.rc = fp_universal_from_json(j, fp, err);
	const struct unifw_jv *n = rd_arr(&d, j, "notes", UNIFW_FP_MAX_NOTES);
	for (size_t i = 0; i < unifw_jv_len(n) && !d.rc; i++) {
		const char *s = unifw_jv_str(unifw_jv_at(n, i));
		if (!s || strlen(s) >= sizeof fp->notes[0])
			bad(&d, "notes", "strings shorter than 256 bytes");
		else
			fp_note(fp, "%s", s);
	}
	return d.rc;
}
