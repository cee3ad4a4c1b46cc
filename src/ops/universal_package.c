/* Is a package a universal image (unifw/universal.h)? It is when its boot image's ramdisk carries the probe
 * table /unifw/probe.rules (unifw/probe.h): `unifw universal build` puts it there, and the probe reads it at
 * every boot. `unifw flash` then writes the package into the phone's own partitions by name, `unifw info`
 * and `unifw check` say which variants it covers (docs/universal.md, docs/flash.md "A universal package").
 *
 * What is not a universal image is not an error here (no boot image, one that does not parse, a ramdisk
 * without the table): other code judges those. A probe table that is there but does not parse is one: the
 * package says it is universal and cannot say for which phones. */
#include "ops/flash_internal.h"
#include "unifw/bootimg.h"
#include "unifw/package.h"
#include "unifw/ramdisk.h"
#include "unifw/universal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the build puts the table in the ramdisk (include/unifw/probe.h). */
#define PROBE_RULES_PATH "unifw/probe.rules"

int unifw_univ_bootimg_table(const uint8_t *buf, size_t len, const char *name, bool *found,
			     struct unifw_probe_table *t, struct unifw_error *err)
{
	*found = false;
	unifw_probe_table_init(t);
	struct unifw_bootimg img;
	struct unifw_error ignore;
	unifw_error_clear(&ignore);
	if (unifw_bootimg_parse(buf, len, name, &img, &ignore))
		return 0; /* not a boot image: whatever reads it says so */
	struct unifw_ramdisk rd;
	int rc = unifw_ramdisk_parse(buf + img.ramdisk_off, img.hdr.ramdisk_size, name, &rd, &ignore);
	unifw_bootimg_free(&img);
	if (rc)
		return 0;
	const struct unifw_ramdisk_entry *e = unifw_ramdisk_find(&rd, PROBE_RULES_PATH);
	if (e && e->type != UNIFW_RD_FILE) {
		rc = unifw_error_set(err, UNIFW_E_FORMAT, name, UNIFW_NO_OFFSET,
				     "the ramdisk's /%s is not a regular file: the probe cannot read its table",
				     PROBE_RULES_PATH);
	} else if (e) {
		char where[600];
		snprintf(where, sizeof where, "%s: /%s", name, PROBE_RULES_PATH);
		rc = unifw_probe_table_parse(e->data ? (const char *)e->data : "", e->size, where, t, err);
		*found = rc == 0;
	}
	unifw_ramdisk_free(&rd);
	if (rc)
		unifw_probe_table_free(t);
	return rc;
}

int unifw_univ_package_table(const struct unifw_package *p, bool *found, struct unifw_probe_table *t,
			     struct unifw_error *err)
{
	*found = false;
	unifw_probe_table_init(t);
	const struct unifw_package_partition *pp = p ? unifw_package_find(p, "BOOTIMG") : NULL;
	if (!pp || !pp->item || pp->item->error || strcmp(pp->item->type, "bootimg") ||
	    pp->item->size > UNIFW_BOOTIMG_MAX_FILE)
		return 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = flash_image_read_all(p, pp->item, UNIFW_BOOTIMG_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	rc = unifw_univ_bootimg_table(buf, len, pp->item->path, found, t, err);
	free(buf);
	return rc;
}

static void variant_json(struct unifw_jv *v, const struct unifw_probe_table *t, unsigned i)
{
	unifw_jv_set_str(v, "type", "universal_image_variant");
	unifw_jv_set_str(v, "name", t->variant[i].name);
	unifw_jv_set_str(v, "reason", t->variant[i].reason);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		struct unifw_jv *keys = unifw_jv_set_arr(v, unifw_probe_component_name((enum unifw_probe_component)c));
		for (size_t m = 0; m < t->match_count; m++)
			if (t->match[m].variant == i && (unsigned)t->match[m].component == c)
				unifw_jv_push_str(keys, t->match[m].key);
	}
	size_t binds = 0, props = 0;
	for (size_t b = 0; b < t->bind_count; b++)
		binds += t->bind[b].variant == i;
	for (size_t p = 0; p < t->prop_count; p++)
		props += t->prop[p].variant == i;
	unifw_jv_set_uint(v, "binds", binds);
	unifw_jv_set_uint(v, "props", props);
}

struct unifw_jv *unifw_univ_table_to_json(const struct unifw_probe_table *t)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "universal_image");
	unifw_jv_set_uint(o, "variant_count", t->variant_count);
	struct unifw_jv *vs = unifw_jv_set_arr(o, "variants");
	for (unsigned i = 0; i < t->variant_count && i < UNIFW_PROBE_MAX_VARIANTS; i++)
		variant_json(unifw_jv_push_obj(vs), t, i);
	struct unifw_jv *cs = unifw_jv_set_arr(o, "components");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		struct unifw_jv *x = unifw_jv_push_obj(cs);
		unifw_jv_set_str(x, "type", "universal_image_component");
		unifw_jv_set_str(x, "name", unifw_probe_component_name((enum unifw_probe_component)c));
		unifw_jv_set_str(x, "signal", t->signal[c]);
		unifw_jv_set_str(x, "fallback", t->fallback[c]);
	}
	return o;
}

/* Does the report's boot image list the probe table in its ramdisk (or was the list cut short)? */
static bool report_may_be_universal(const struct unifw_jv *report)
{
	const struct unifw_jv *parts = unifw_jv_get(report, "partitions");
	for (size_t i = 0; i < unifw_jv_len(parts); i++) {
		const struct unifw_jv *p = unifw_jv_at(parts, i);
		const char *name = unifw_jv_str(unifw_jv_get(p, "name"));
		if (!name || strcmp(name, "BOOTIMG"))
			continue;
		const struct unifw_jv *rd = unifw_jv_path(p, "image.detail.ramdisk");
		if (unifw_jv_truthy(unifw_jv_get(rd, "files_truncated")))
			return true;
		const struct unifw_jv *files = unifw_jv_get(rd, "files");
		for (size_t k = 0; k < unifw_jv_len(files); k++) {
			const char *f = unifw_jv_str(unifw_jv_get(unifw_jv_at(files, k), "path"));
			if (f && !strcmp(unifw_ramdisk_canonical(f), PROBE_RULES_PATH))
				return true;
		}
	}
	return false;
}

static void add_report_finding(struct unifw_jv *report, const char *file, const char *msg)
{
	struct unifw_jv *f = unifw_jv_get(report, "findings");
	if (!f)
		f = unifw_jv_set_arr(report, "findings");
	struct unifw_jv *o = unifw_jv_push_obj(f);
	unifw_jv_set_str(o, "type", "finding");
	unifw_jv_set_str(o, "severity", "error");
	unifw_jv_set_str(o, "code", "universal-table");
	unifw_jv_set_str(o, "file", file);
	unifw_jv_set_str(o, "partition", "BOOTIMG");
	unifw_jv_set_str(o, "message", msg);
}

int unifw_univ_info(const char *path, struct unifw_jv *report, struct unifw_error *err)
{
	struct unifw_jv *sum = unifw_jv_get(report, "summary");
	if (!sum || !report_may_be_universal(report))
		return 0;
	struct unifw_package *p = NULL;
	int rc = unifw_package_open_path(path, &p, err);
	if (rc)
		return rc;
	bool found = false;
	struct unifw_probe_table t;
	struct unifw_error terr;
	unifw_error_clear(&terr);
	rc = unifw_univ_package_table(p, &found, &t, &terr);
	if (rc == UNIFW_E_NOMEM) {
		*err = terr;
	} else if (rc) {
		char m[700];
		add_report_finding(report, p->path, unifw_error_format(&terr, m, sizeof m));
		rc = 0;
	} else if (found) {
		unifw_jv_set(sum, "universal", unifw_univ_table_to_json(&t));
	}
	unifw_probe_table_free(&t);
	unifw_package_free(p);
	return rc;
}
