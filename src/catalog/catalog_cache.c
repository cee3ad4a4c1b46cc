/* The fingerprint cache of the catalog (schema v2, docs/catalog.md "Fingerprint cache"): every entry's
 * fingerprint as the struct this build uses, zlib-compressed, beside its JSON. `catalog match` reads 200
 * of these in a few milliseconds where parsing 200 fingerprint JSON texts takes 50 ms and more (jansson
 * builds a tree per text; bench/catalog.sh). The JSON stays the entry's record: a cache row is only used
 * when its layout tag is this build's, and is rebuilt from the JSON otherwise.
 *
 * A cache row is bytes from a file, so it is hostile like any other: after decompression every string is
 * cut at its array's end, every count bounded, every bool and enum made valid (catalog_fp_sanitize). That
 * sanitizer lists the fields of struct unifw_fingerprint as reviewed: when fingerprint.h changes size or
 * UNIFW_FP_VERSION changes, the cache is not used (JSON only: correct, slower) until the sanitizer is
 * reviewed and CATALOG_FP_REVIEWED_* updated; tests/unit/test_catalog.c fails meanwhile to say so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "catalog/catalog_internal.h"

#define CATALOG_FP_REVIEWED_SIZE 52584u
#define CATALOG_FP_REVIEWED_VERSION 1u

bool catalog_cache_enabled(void)
{
	return sizeof(struct unifw_fingerprint) == CATALOG_FP_REVIEWED_SIZE && UNIFW_FP_VERSION == CATALOG_FP_REVIEWED_VERSION;
}

const char *catalog_cache_layout(void)
{
	static char tag[48];
	if (!tag[0])
		snprintf(tag, sizeof tag, "fp%zu-v%u", sizeof(struct unifw_fingerprint), (unsigned)UNIFW_FP_VERSION);
	return tag;
}

#define CUT(s) ((s)[sizeof(s) - 1] = 0)
#define BOUND(n, max) ((n) = (n) > (max) ? (max) : (n))
#define BOOL(b) ((b) = *(volatile unsigned char *)&(b) != 0)

static void sanitize_names(struct unifw_names *n)
{
	BOUND(n->count, UNIFW_NAMES_MAX);
	BOOL(n->truncated);
	for (size_t i = 0; i < UNIFW_NAMES_MAX; i++)
		CUT(n->name[i]);
}

static void sanitize_parts(struct unifw_fingerprint *fp)
{
	BOUND(fp->part_count, UNIFW_FP_MAX_PARTS);
	for (size_t i = 0; i < UNIFW_FP_MAX_PARTS; i++) {
		struct unifw_fp_part *p = &fp->parts[i];
		CUT(p->name);
		CUT(p->content);
		BOOL(p->download);
		BOOL(p->has_sha256);
	}
	BOUND(fp->kmap_count, UNIFW_FP_MAX_PARTS);
	for (size_t i = 0; i < UNIFW_FP_MAX_PARTS; i++)
		CUT(fp->kmap[i].name);
	BOUND(fp->emi_tag_count, UNIFW_FP_MAX_EMI);
	BOUND(fp->emi_compiled_count, UNIFW_FP_MAX_EMI);
	for (size_t i = 0; i < UNIFW_FP_MAX_EMI; i++) {
		BOUND(fp->emi_tag[i].id_length, sizeof fp->emi_tag[i].id);
		BOUND(fp->emi_compiled[i].id_length, sizeof fp->emi_compiled[i].id);
	}
}

static void sanitize_flags(struct unifw_fingerprint *fp)
{
	BOOL(fp->have_layout);
	BOOL(fp->have_cid);
	BOOL(fp->have_preloader);
	BOOL(fp->preloader_dram_info_match);
	BOOL(fp->have_emi_compiled);
	BOOL(fp->have_lk);
	BOOL(fp->lk_has_header);
	BOOL(fp->have_boot);
	BOOL(fp->boot_valid);
	BOOL(fp->ramdisk_has_init);
	BOOL(fp->have_kernel);
	BOOL(fp->have_kmap);
	BOOL(fp->kmap_assumed);
	BOOL(fp->have_md1);
	BOOL(fp->md1_assumed);
	BOOL(fp->have_android);
	BOOL(fp->system_valid);
	BOOL(fp->have_logo);
	BOOL(fp->have_modem);
	BOOL(fp->modem_has_header);
	BOOL(fp->have_mddb);
	BOOL(fp->have_identity);
	BOOL(fp->binregion_valid);
	BOOL(fp->binregion_imei);
	BOOL(fp->data_nvram);
	BOOL(fp->data_imei);
	BOOL(fp->have_wlan);
	BOOL(fp->wlan_module_present);
	BOOL(fp->have_touch_fw);
	BOOL(fp->kmap_from_pmt);
}

static void sanitize_strings(struct unifw_fingerprint *fp)
{
	CUT(fp->path);
	BOUND(fp->note_count, UNIFW_FP_MAX_NOTES);
	for (size_t i = 0; i < UNIFW_FP_MAX_NOTES; i++)
		CUT(fp->notes[i]);
	CUT(fp->platform);
	CUT(fp->storage);
	CUT(fp->project);
	CUT(fp->preloader_platform);
	CUT(fp->preloader_project);
	CUT(fp->lk_platform);
	CUT(fp->lk_project);
	CUT(fp->panel_lcm);
	CUT(fp->panel_rule);
	CUT(fp->boot_problem);
	CUT(fp->boot_kernel_name);
	CUT(fp->boot_ramdisk_name);
	CUT(fp->kernel_version);
	CUT(fp->kernel_compression);
	CUT(fp->md1_type);
	CUT(fp->android_release);
	CUT(fp->product_board);
	CUT(fp->product_device);
	CUT(fp->product_model);
	CUT(fp->product_brand);
	CUT(fp->build_display);
	CUT(fp->modem_path);
	CUT(fp->wifi_state);
	CUT(fp->bt_state);
	CUT(fp->wlan_module_vermagic);
	CUT(fp->md_build_ver);
}

/* A universal image's probe table and overlays (issue 14): counts bounded, strings cut, indexes valid. */
static void sanitize_universal(struct unifw_fp_universal *u)
{
	BOOL(u->present);
	BOUND(u->variant_count, UNIFW_PROBE_MAX_VARIANTS);
	BOUND(u->match_count, UNIFW_FP_UNIV_MATCHES);
	BOUND(u->overlay_count, UNIFW_PROBE_MAX_VARIANTS);
	for (size_t i = 0; i < UNIFW_PROBE_MAX_VARIANTS; i++) {
		struct unifw_fp_univ_overlay *o = &u->overlay[i];
		CUT(u->variant[i]);
		CUT(o->variant);
		CUT(o->modem_path);
		CUT(o->modem_build_ver);
		BOUND(o->touch_fw_count, UNIFW_FP_UNIV_FW);
		for (size_t k = 0; k < UNIFW_FP_UNIV_FW; k++)
			CUT(o->touch_fw[k]);
	}
	for (size_t i = 0; i < UNIFW_FP_UNIV_MATCHES; i++) {
		CUT(u->match[i].key);
		BOUND(u->match[i].component, UNIFW_PROBE_COMPONENTS - 1);
		if (u->match[i].variant >= u->variant_count)
			u->match[i].variant = 0, u->match[i].key[0] = 0;
	}
	for (size_t c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		CUT(u->fallback[c]);
}

void catalog_fp_sanitize(struct unifw_fingerprint *fp)
{
	unsigned src = *(volatile unsigned *)&fp->source;
	fp->source = src <= UNIFW_FP_PHONE ? (enum unifw_fp_source)src : UNIFW_FP_PACKAGE;
	sanitize_strings(fp);
	sanitize_flags(fp);
	sanitize_parts(fp);
	sanitize_names(&fp->lk_lcm);
	sanitize_names(&fp->kernel_lcm);
	sanitize_names(&fp->kernel_touch);
	sanitize_names(&fp->kernel_camera);
	sanitize_names(&fp->touch_fw);
	sanitize_universal(&fp->universal);
}

int catalog_cache_put(struct unifw_catalog *c, int64_t id, const struct unifw_fingerprint *fp, struct unifw_error *err)
{
	if (!catalog_cache_enabled())
		return 0;
	uLongf len = compressBound(sizeof *fp);
	Bytef *z = malloc(len);
	if (!z)
		return unifw_error_set(err, UNIFW_E_NOMEM, c->path, UNIFW_NO_OFFSET, "out of memory");
	/* level 1: the struct is mostly zeros (fixed-size arrays), so even the fastest level shrinks it ~20x */
	if (compress2(z, &len, (const Bytef *)fp, sizeof *fp, 1) != Z_OK) {
		free(z);
		return unifw_error_set(err, UNIFW_E_LIBRARY, c->path, UNIFW_NO_OFFSET, "zlib could not compress a fingerprint");
	}
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(c->db, "INSERT OR REPLACE INTO fp_cache (entry_id, layout, fp) VALUES (?1, ?2, ?3)", -1, &st,
			       NULL) != SQLITE_OK)
		rc = catalog_sql_error(c->db, c->path, "prepare the cache row", err);
	if (!rc) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, catalog_cache_layout(), -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, z, (int)len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = catalog_sql_error(c->db, c->path, "write the cache row", err);
	}
	sqlite3_finalize(st);
	free(z);
	return rc;
}

bool catalog_cache_get(const void *blob, size_t len, struct unifw_fingerprint *fp)
{
	if (!catalog_cache_enabled() || !blob || !len)
		return false;
	uLongf out = sizeof *fp;
	if (uncompress((Bytef *)fp, &out, blob, (uLong)len) != Z_OK || out != sizeof *fp)
		return false;
	catalog_fp_sanitize(fp);
	return true;
}
