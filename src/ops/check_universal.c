/* unifw check of a universal package (docs/check.md "A universal package").
 *
 * The flash writes such a package into the phone's OWN partitions by name (flash_plan_universal.c): its
 * boot image, system and cache; the phone keeps its preloader, LK, tables, logo and identity. The check
 * judges the same flash: a copy of the package's fingerprint whose layout is the phone's, those three images
 * on the same-named partitions and nothing else downloaded, so that every rule (kernel index map, mounts,
 * LK, logo...) sees what the phone will hold.
 *
 * At boot the probe binds, per component, the first variant whose key is the phone's (the LCM its LK
 * passes, its touch controller's name, its CID prefix: unifw_probe_table_choose, the same rule as the
 * script), or keeps the base's files (the fallback). The modem and touch firmware the rules judge are then
 * the bound overlay's: the copy takes them from /system/unifw/<variant>/ (fingerprint's overlays). */
#include "ops/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What the flash writes of a universal package (flash_plan_universal.c). */
static bool written_by_name(const char *name)
{
	return ck_name_is(name, "BOOTIMG", "BOOT") || ck_name_is(name, "ANDROID", "SYSTEM") ||
	       ck_name_is(name, "CACHE", NULL);
}

/* The phone's layout with the package's images on the partitions of the same name. An image the phone
 * has no partition for is not written (the flash refuses it: missing_on_phone); one larger than the
 * phone's partition stays as large (the check's flash model refuses it like the flash: too_big). */
static void map_layout(struct unifw_fingerprint *m, const struct unifw_fingerprint *pkg,
		       const struct unifw_fingerprint *phone)
{
	m->boot_region = phone->boot_region;
	m->user_size = phone->user_size;
	m->part_count = phone->part_count;
	memcpy(m->parts, phone->parts, sizeof m->parts);
	for (size_t i = 0; i < m->part_count && i < UNIFW_FP_MAX_PARTS; i++) {
		struct unifw_fp_part *p = &m->parts[i];
		p->download = false;
		p->image_bytes = 0;
		p->has_sha256 = false;
		const struct unifw_fp_part *src = written_by_name(p->name) ? unifw_fp_find_part(pkg, p->name) : NULL;
		if (!src || !src->download)
			continue;
		p->download = true;
		p->image_bytes = src->image_bytes;
		memcpy(p->content, src->content, sizeof p->content);
		p->has_sha256 = src->has_sha256;
		memcpy(p->sha256, src->sha256, sizeof p->sha256);
	}
}

/* The keys the probe reads on this phone: the LCM its own LK passes (LK is not written), the touch
 * driver names of its kernel (the i2c client's name), the CID's first 9 bytes as lowercase hex. */
static void phone_keys(const struct unifw_fingerprint *phone, char lcm[UNIFW_PROBE_KEY_MAX],
		       char cid[UNIFW_PROBE_KEY_MAX])
{
	snprintf(lcm, UNIFW_PROBE_KEY_MAX, "%s", phone->panel_lcm);
	cid[0] = 0;
	if (phone->have_cid)
		for (size_t i = 0; i < 9; i++)
			snprintf(cid + 2 * i, UNIFW_PROBE_KEY_MAX - 2 * i, "%02x", phone->cid[i]);
}

/* unifw_probe_table_choose over the fingerprint's reduced table. */
static int choose(const struct unifw_fp_universal *u, enum unifw_probe_component c, const char *lcm,
		  const struct unifw_names *touch, const char *cid)
{
	struct unifw_probe_table *t = calloc(1, sizeof *t);
	if (!t)
		return -1;
	unifw_probe_table_init(t);
	t->variant_count = u->variant_count;
	for (size_t i = 0; i < u->variant_count; i++)
		snprintf(t->variant[i].name, sizeof t->variant[i].name, "%s", u->variant[i]);
	for (size_t i = 0; i < u->match_count; i++) {
		struct unifw_probe_match *m = &t->match[t->match_count++];
		m->component = (enum unifw_probe_component)u->match[i].component;
		m->variant = u->match[i].variant;
		snprintf(m->key, sizeof m->key, "%s", u->match[i].key);
	}
	/* The i2c client's name in sysfs is the driver's own string ("gt9xx"); a fingerprint gives the driver
	 * names in their catalog spelling ("GT9XX"). The table's touch keys are the kernel's spelling, so the
	 * phone's names are matched to them but for case, and the key's spelling is what the probe would read. */
	const char *names[UNIFW_NAMES_MAX];
	size_t n = 0;
	for (size_t i = 0; i < touch->count && i < UNIFW_NAMES_MAX; i++) {
		const char *as_read = touch->name[i];
		for (size_t k = 0; k < t->match_count; k++)
			if (t->match[k].component == UNIFW_PROBE_TOUCH && !strcasecmp(t->match[k].key, as_read))
				as_read = t->match[k].key;
		names[n++] = as_read;
	}
	int v = unifw_probe_table_choose(t, c, lcm[0] ? lcm : NULL, names, n, cid[0] ? cid : NULL);
	free(t);
	return v;
}

static const struct unifw_fp_univ_overlay *overlay_of(const struct unifw_fp_universal *u, const char *variant)
{
	for (size_t i = 0; i < u->overlay_count; i++)
		if (!strcmp(u->overlay[i].variant, variant))
			return &u->overlay[i];
	return NULL;
}

/* The bound board overlay's modem is bound over the base's at the same path (/system/etc/firmware/...):
 * what the modem rules read is its header. */
static void ck_universal_bind_modem(struct unifw_fingerprint *m, const struct unifw_fp_univ_overlay *o)
{
	snprintf(m->modem_path, sizeof m->modem_path, "%s", o->modem_path);
	snprintf(m->md_build_ver, sizeof m->md_build_ver, "%s", o->modem_build_ver);
}

/* The bound touch overlay's firmware files are bound over the base's (empty) placeholders. */
static void ck_universal_bind_touch(struct unifw_fingerprint *m, const struct unifw_fp_univ_overlay *o)
{
	for (size_t i = 0; i < o->touch_fw_count && i < UNIFW_FP_UNIV_FW; i++)
		if (!unifw_names_has(&m->touch_fw, o->touch_fw[i]))
			unifw_names_add(&m->touch_fw, o->touch_fw[i]);
}

/* What the bound board overlay puts in place of the base's modem: its header's facts. */
static void bind_modem(struct unifw_fingerprint *m, const struct unifw_fp_univ_overlay *o)
{
	if (!o || !o->modem_path[0])
		return;
	if (o->modem_mem_size)
		m->md_mem_size = o->modem_mem_size;
	ck_universal_bind_modem(m, o);
}

void ck_universal_prepare(const struct unifw_fingerprint *pkg, const struct unifw_fingerprint *phone,
			  struct unifw_check_result *r, struct unifw_fingerprint **mapped)
{
	*mapped = NULL;
	if (!pkg->universal.present || !phone)
		return;
	r->universal = true;
	const struct unifw_fp_universal *u = &pkg->universal;
	char lcm[UNIFW_PROBE_KEY_MAX], cid[UNIFW_PROBE_KEY_MAX];
	phone_keys(phone, lcm, cid);
	struct unifw_fingerprint *m = malloc(sizeof *m);
	if (m) {
		*m = *pkg;
		if (phone->have_layout)
			map_layout(m, pkg, phone);
	}
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const char *key = c == UNIFW_PROBE_PANEL ? lcm : c == UNIFW_PROBE_BOARD ? cid : "";
		if (c == UNIFW_PROBE_TOUCH)
			for (size_t i = 0; i < phone->kernel_touch.count; i++)
				snprintf(r->univ[c].key + strlen(r->univ[c].key), sizeof r->univ[c].key - strlen(r->univ[c].key),
					 "%s%s", i ? "," : "", phone->kernel_touch.name[i]);
		else
			snprintf(r->univ[c].key, sizeof r->univ[c].key, "%s", key);
		int v = choose(u, (enum unifw_probe_component)c, lcm, &phone->kernel_touch, cid);
		if (v >= 0 && (size_t)v < u->variant_count)
			snprintf(r->univ[c].variant, sizeof r->univ[c].variant, "%s", u->variant[v]);
		else
			snprintf(r->univ[c].fallback, sizeof r->univ[c].fallback, "%s", u->fallback[c]);
		if (!m || !r->univ[c].variant[0])
			continue;
		const struct unifw_fp_univ_overlay *o = overlay_of(u, r->univ[c].variant);
		if (c == UNIFW_PROBE_BOARD)
			bind_modem(m, o);
		else if (c == UNIFW_PROBE_TOUCH && o)
			ck_universal_bind_touch(m, o);
	}
	*mapped = m;
}

/* The binding, said: one SAFE item per component (what the probe will do on this phone), the fallback's
 * reason when no variant matches; the modem and touch rules then judge what that leaves in /system. */
void ck_rules_universal(struct ck *c)
{
	const struct unifw_check_result *r = c->r;
	if (!r->universal)
		return;
	for (unsigned k = 0; k < UNIFW_PROBE_COMPONENTS; k++) {
		const char *comp = unifw_probe_component_name((enum unifw_probe_component)k);
		const char *key = r->univ[k].key[0] ? r->univ[k].key : "(unknown)";
		struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_SAFE, r->univ[k].variant[0] ? "universal_bind"
											     : "universal_fallback",
						      "universal", NULL, NULL);
		if (r->univ[k].variant[0])
			ck_msg(it, "the universal image's probe binds the %s overlay of variant %s on this phone", comp,
			       r->univ[k].variant);
		else
			ck_msg(it, "no variant of the universal image matches this phone's %s: the base's files stay (%s)",
			       comp, r->univ[k].fallback);
		ck_evidence(it, "%s key read on this phone: %s", comp, key);
	}
	ck_compared(c, "universal probe: panel, touch, board keys vs the probe table");
}
