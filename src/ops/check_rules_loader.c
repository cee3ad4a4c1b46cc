/* unifw check: the rules of the first stages, in boot order: what the flash refuses (platform, storage,
 * layout), the preloader's EMI lookup, LK's partition and its LCM choice. Each rule cites the MediaTek
 * source it follows (l33tnoob/MT65x2_kernel_lk); docs/check.md "Rules". */
#include "ops/check_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "unifw/scatter.h"

/* ------------------------------------------------------------------ platform, storage */

static const char *phone_platform(const struct unifw_fingerprint *ph, char *buf, size_t len)
{
	if (ph->platform[0])
		return ph->platform;
	if (ph->hw_code) {
		snprintf(buf, len, "MT%04X", ph->hw_code);
		return buf;
	}
	return "MT6572";
}

/* The scatter's platform must be the phone's chip (MT6572, hw code 0x6572): a package for another SoC
 * carries loaders and kernels for other hardware; unifw flash refuses it (flash_plan.c). */
void ck_rules_platform(struct ck *c)
{
	char buf[16];
	const char *want = phone_platform(c->phone, buf, sizeof buf);
	const char *have = c->pkg->platform[0] ? c->pkg->platform : "";
	ck_compared(c, "platform: package %s vs phone %s", have[0] ? have : "(not stated)", want);
	if (have[0] && strcasecmp(have, want)) {
		struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_BRICK_RISK, "wrong_platform", "platform", "", "");
		it->flash_refuses = true;
		ck_msg(it, "the package is made for %s, this phone is %s: its loaders and kernel are for other hardware",
		       have, want);
		ck_evidence(it, "scatter platform %s; phone %s (hw code 0x%04x)", have, want, c->phone->hw_code);
	}
	const char *st = c->pkg->storage;
	ck_compared(c, "storage: package %s vs phone EMMC", st[0] ? st : "(not stated)");
	if (st[0] && strcasecmp(st, "EMMC")) {
		struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_BRICK_RISK, "wrong_storage", "platform", "", "");
		it->flash_refuses = true;
		ck_msg(it, "the package is for %s storage, this phone has an eMMC: the Download refuses it, nothing is "
		       "written", st);
		ck_evidence(it, "scatter storage %s; phone EMMC", st);
	}
}

/* ------------------------------------------------------------------ layout */

static bool from_end(uint64_t linear)
{
	return unifw_scatter_addr_is_from_end(linear);
}

/* An image larger than its partition: SP Flash Tool's 5054/5056, unifw flash's too_big. */
static bool too_big(struct ck *c, const struct unifw_fp_part *p)
{
	if (!p->size || p->image_bytes <= p->size)
		return false;
	struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_BRICK_RISK, "image_too_big", "layout", p->name, "");
	it->flash_refuses = true;
	ck_msg(it, "the image for %s is larger than its partition: it would overwrite the next one; the Download "
	       "refuses the package (SP Flash Tool 5054/5056)", p->name);
	ck_evidence(it, "%s: image %llu bytes (sparse: expanded), partition %llu bytes", p->name,
		    (unsigned long long)p->image_bytes, (unsigned long long)p->size);
	return true;
}

static void refused_layout(struct ck *c)
{
	for (size_t i = 0; i < c->pkg->part_count; i++) {
		const struct unifw_fp_part *p = &c->pkg->parts[i];
		if (!p->download || !p->image_bytes || !strcasecmp(p->name, "PRELOADER") || too_big(c, p))
			continue;
		bool before = ck_offset(c, c->pkg, p->linear) == UINT64_MAX;
		uint64_t off = before ? 0 : ck_offset(c, c->pkg, p->linear);
		if (!before && (!c->phone->user_size || (off <= c->phone->user_size && p->size <= c->phone->user_size - off)))
			continue;
		struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_BRICK_RISK,
						      before ? "layout_boot_region" : "layout_too_big", "layout", p->name, "");
		it->flash_refuses = true;
		if (before)
			ck_msg(it, "the package was made for a smaller boot region: %s would land inside this phone's boot "
			       "partitions; the Download refuses the package, nothing is written", p->name);
		else
			ck_msg(it, "%s lies beyond this phone's user area: the Download refuses the package, nothing is "
			       "written", p->name);
		ck_evidence(it, "%s at linear 0x%llx (%llu bytes); package boot region 0x%llx, phone boot region 0x%llx, "
			    "user area %llu bytes", p->name, (unsigned long long)p->linear, (unsigned long long)p->size,
			    (unsigned long long)c->pkg->boot_region, (unsigned long long)c->br,
			    (unsigned long long)c->phone->user_size);
		return;
	}
}

/* Partition by partition, as flash_plan_layout.c compares a scatter with the phone's PMT. */
static size_t layout_diffs(const struct ck *c, char *out, size_t len)
{
	size_t n = 0, used = 0;
	out[0] = 0;
	for (size_t i = 0; i < c->pkg->part_count; i++) {
		const struct unifw_fp_part *p = &c->pkg->parts[i];
		if (!strcasecmp(p->name, "PRELOADER") || !p->name[0])
			continue;
		const struct unifw_fp_part *q = ck_find_part(c->phone, p->name, NULL);
		bool differs = !q || (!from_end(p->linear) && !from_end(q->linear) &&
				      (p->linear != q->linear || (p->size && q->size && p->size != q->size)));
		if (!differs)
			continue;
		if (n++ < 4 && used < len) {
			int k = q ? snprintf(out + used, len - used, "%s%s package 0x%llx+0x%llx, phone 0x%llx+0x%llx",
					     used ? "; " : "", p->name, (unsigned long long)p->linear,
					     (unsigned long long)p->size, (unsigned long long)q->linear,
					     (unsigned long long)q->size)
				  : snprintf(out + used, len - used, "%s%s not on the phone", used ? "; " : "", p->name);
			used += k > 0 ? (size_t)k : 0;
		}
	}
	for (size_t i = 0; i < c->phone->part_count; i++) {
		const struct unifw_fp_part *q = &c->phone->parts[i];
		if (!q->name[0] || !strcasecmp(q->name, "PRELOADER") || ck_find_part(c->pkg, q->name, NULL))
			continue;
		if (n++ < 4 && used < len) {
			int k = snprintf(out + used, len - used, "%s%s not in the package", used ? "; " : "", q->name);
			used += k > 0 ? (size_t)k : 0;
		}
	}
	return n;
}

void ck_rules_layout(struct ck *c)
{
	if (c->refused && c->pkg->have_layout) {
		refused_layout(c);
		return;
	}
	if (!c->pkg->have_layout || !c->phone->have_layout) {
		ck_compared(c, "layout: not compared (%s has none)", c->pkg->have_layout ? "the phone" : "the package");
		return;
	}
	ck_compared(c, "layout: boot region 0x%llx vs 0x%llx, %zu vs %zu partitions",
		    (unsigned long long)c->pkg->boot_region, (unsigned long long)c->br,
		    c->pkg->part_count, c->phone->part_count);
	char list[600];
	size_t n = layout_diffs(c, list, sizeof list);
	if (!n && c->pkg->boot_region == c->br)
		return;
	if (c->opts.repartition) {
		ck_compared(c, "layout: the package's layout is written on purpose (--repartition)");
		return;
	}
	struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_BRICK_RISK, "layout_changed", "layout", "", "");
	it->flash_refuses = true;
	ck_msg(it, "the package's partition layout is not this phone's: a Download writes its images where the "
	       "package's scatter says (minus this phone's boot region) and rewrites the PMT, while identity partitions "
	       "and the MBR/EBR may stay where they were; unifw flash refuses it without --repartition");
	ck_evidence(it, "boot region: package 0x%llx, phone 0x%llx; %zu difference(s)%s%s",
		    (unsigned long long)c->pkg->boot_region, (unsigned long long)c->br, n, n ? ": " : "",
		    list);
}

/* ------------------------------------------------------------------ preloader */

static bool emi_matches(const struct unifw_fp_emi *e, const uint8_t cid[16])
{
	return (e->type >> 8) == 2 && e->id_length >= 1 && e->id_length <= 12 && !memcmp(e->id, cid, e->id_length);
}

/* mt_get_mdl_number (mediatek/platform/mt6572/preloader/src/drivers/mt_emi.c): the first eMMC entry of the
 * COMPILED emi_settings[] whose ID[0..id_length) equals the CID; with several matches a "no DRAM info
 * match" preloader also compares the MR5 vendor and the rank sizes [I], taken here from the entry the
 * phone's own preloader runs. */
static const char *emi_fit(const struct ck *c, const struct unifw_fingerprint *pl, size_t *index)
{
	if (!pl->have_emi_compiled || !pl->emi_compiled_count)
		return "no_emi_table";
	size_t n = pl->emi_compiled_count < UNIFW_FP_MAX_EMI ? pl->emi_compiled_count : UNIFW_FP_MAX_EMI;
	size_t matches = 0, first = n;
	for (size_t i = 0; i < n; i++)
		if (emi_matches(&pl->emi_compiled[i], c->phone->cid) && matches++ == 0)
			first = i;
	if (!matches)
		return "emi_no_match";
	*index = first;
	if (matches < 2 || !pl->preloader_dram_info_match || !c->phone->have_emi_compiled)
		return "fits";
	const struct unifw_fp_emi *own = NULL;
	for (size_t i = 0; i < c->phone->emi_compiled_count && i < UNIFW_FP_MAX_EMI && !own; i++)
		if (emi_matches(&c->phone->emi_compiled[i], c->phone->cid))
			own = &c->phone->emi_compiled[i];
	if (!own)
		return "fits";
	for (size_t i = 0; i < n; i++) {
		const struct unifw_fp_emi *e = &pl->emi_compiled[i];
		if (emi_matches(e, c->phone->cid) && e->dram_vendor == own->dram_vendor &&
		    e->rank_size[0] == own->rank_size[0] && e->rank_size[1] == own->rank_size[1]) {
			*index = i;
			return "fits";
		}
	}
	return "emi_no_match";
}

static bool tag_lists(const struct ck *c, const struct unifw_fingerprint *pl)
{
	for (size_t i = 0; i < pl->emi_tag_count && i < UNIFW_FP_MAX_EMI; i++) {
		const struct unifw_fp_emi *e = &pl->emi_tag[i];
		if ((e->type >> 8) == 2 && e->id_length >= 1 && e->id_length <= 16 && !memcmp(e->id, c->phone->cid, e->id_length))
			return true;
	}
	return false;
}

static void emi_ids(const struct unifw_fingerprint *pl, char *out, size_t len)
{
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < pl->emi_compiled_count && i < UNIFW_FP_MAX_EMI && used + 28 < len; i++) {
		const struct unifw_fp_emi *e = &pl->emi_compiled[i];
		used += (size_t)snprintf(out + used, len - used, "%s", i ? ", " : "");
		for (uint32_t k = 0; k < e->id_length && k < 12 && used + 3 < len; k++)
			used += (size_t)snprintf(out + used, len - used, "%02x", e->id[k]);
	}
	if (!out[0])
		snprintf(out, len, "none");
}

static bool preloader_written(const struct ck *c)
{
	const struct unifw_fp_part *p = ck_find_part(c->pkg, "PRELOADER", NULL);
	if (!c->opts.with_preloader || c->refused || !c->pkg->have_preloader || !p || !p->download)
		return false;
	if (!c->opts.only[0])
		return true;
	char only[520];
	snprintf(only, sizeof only, ",%s,", c->opts.only);
	for (char *s = only; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
	return strstr(only, ",PRELOADER,") != NULL;
}

static void emi_item(struct ck *c, const char *fit, bool written)
{
	char ids[400], cid[40];
	emi_ids(c->pkg, ids, sizeof ids);
	for (size_t i = 0; i < 9; i++)
		snprintf(cid + 2 * i, sizeof cid - 2 * i, "%02x", c->phone->cid[i]);
	bool tag = tag_lists(c, c->pkg);
	if (!written) {
		snprintf(c->r->preloader_text, sizeof c->r->preloader_text,
			 "package preloader: not written (no --with-preloader); its EMI lacks this phone's memory part "
			 "(eMMC %s): a Download with it ticked would brick the phone%s", cid,
			 tag ? " (its MTK_BLOADER_INFO tag lists the part, the compiled emi_settings[] does not)" : "");
		return;
	}
	struct unifw_check_item *it = ck_effect(c, CK_BROM_LOOP, fit, "preloader", "PRELOADER");
	it->flash_refuses = true;
	ck_msg(it, "the package preloader's emi_settings[] has no entry for this phone's memory part: it never sets up "
	       "DRAM and the phone comes back in BROM download mode at every power-on (a BROM-mode flash of a fitting "
	       "preloader recovers it)%s", tag ? "; its MTK_BLOADER_INFO tag does list the part: flash tools are fooled, "
	       "the preloader is not" : "");
	ck_evidence(it, "phone eMMC CID %s; package emi_settings[] ids: %s%s (mt_emi.c mt_get_mdl_number)", cid, ids,
		    tag ? "; tag lists it" : "");
	snprintf(c->r->preloader_text, sizeof c->r->preloader_text, "package preloader: written; its EMI lacks this "
		 "phone's memory part (eMMC %s)", cid);
}

void ck_rules_preloader(struct ck *c)
{
	bool written = preloader_written(c);
	c->r->preloader_written = written;
	if (!c->pkg->have_preloader || !c->phone->have_cid) {
		snprintf(c->r->preloader_fit, sizeof c->r->preloader_fit, "not_compared");
		snprintf(c->r->preloader_text, sizeof c->r->preloader_text, "package preloader: %s",
			 !c->pkg->have_preloader ? "none in the package" : "not compared (the phone's eMMC CID is unknown)");
		return;
	}
	if (written && c->pkg->preloader_platform[0] && strcasecmp(c->pkg->preloader_platform, "MT6572")) {
		struct unifw_check_item *it = ck_effect(c, CK_DEAD, "wrong_platform", "preloader", "PRELOADER");
		it->flash_refuses = true;
		ck_msg(it, "the package preloader is built for %s: the MT6572 BootROM does not start it, only BROM "
		       "download mode answers", c->pkg->preloader_platform);
		ck_evidence(it, "AND_ROMINFO platform %s; phone MT6572", c->pkg->preloader_platform);
	}
	size_t idx = 0;
	const char *fit = emi_fit(c, c->pkg, &idx);
	snprintf(c->r->preloader_fit, sizeof c->r->preloader_fit, "%s", fit);
	ck_compared(c, "preloader EMI vs the phone's eMMC CID: %s%s", fit, written ? "" : " (not written)");
	if (!strcmp(fit, "fits")) {
		snprintf(c->r->preloader_text, sizeof c->r->preloader_text, "package preloader: %s; its emi_settings[] "
			 "entry %zu is this phone's memory part", written ? "written" : "not written (no --with-preloader)",
			 idx);
		return;
	}
	emi_item(c, fit, written);
}

/* ------------------------------------------------------------------ LK */

static void judge_lk_pick(struct ck *c, const struct ck_lcm_pick *p, const struct ck_panel *panel,
			  const struct unifw_fingerprint *lk)
{
	char list[700];
	ck_names_text(&lk->lk_lcm, list, sizeof list);
	const char *code = p->rule == CK_RULE_NONE || p->rule == CK_RULE_LAST ? "lk_no_lcm" : "lk_wrong_lcm";
	struct unifw_check_item *it = ck_effect(c, CK_WHITE_SCREEN, code, "lk", "UBOOT");
	if (p->rule == CK_RULE_NONE)
		ck_msg(it, "LK has no LCM driver: the panel is never initialised, white screen from power-on");
	else if (p->rule == CK_RULE_LAST)
		ck_msg(it, "no compare_id of LK's LCM drivers matches this panel: LK keeps the last one, %s (lcm=0-%s), "
		       "another controller's init: white screen from power-on", p->name, p->name);
	else
		ck_msg(it, "LK picks %s (%s) for a panel it does not drive: white screen from power-on", p->name,
		       p->rule == CK_RULE_ONLY ? "its only driver, used without asking the panel" : "its compare_id answers yes first");
	ck_evidence(it, "LK's LCM drivers (%s): %s; phone panel: %s (controller 0x%04x); LK's pick: %s by %s "
		    "(disp_drv.c disp_drv_get_lcm_driver)", lk == c->pkg ? "package" : "phone", list, panel->driver,
		    panel->ic, p->name ? p->name : "none", ck_lcm_rule_name(p->rule));
}

static void lk_panel(struct ck *c, const struct unifw_fingerprint *lk)
{
	struct ck_panel panel;
	if (!ck_panel_of(c->phone, &panel)) {
		c->lk_drives_panel = true; /* cannot tell: nothing to judge the kernel's pick with either */
		if (lk == c->pkg) {
			struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_CAVEATS, "panel_unknown", "lk", "UBOOT", "");
			ck_msg(it, "cannot tell whether the package's LK drives this phone's panel: the phone's panel "
			       "driver is unknown");
			ck_evidence(it, "phone panel driver: unknown (%s)", c->phone->panel_rule[0] ? c->phone->panel_rule : "not read");
		}
		return;
	}
	struct ck_lcm_pick p;
	ck_lk_pick(&lk->lk_lcm, &panel, &p);
	ck_compared(c, "LK LCM drivers vs the phone's panel (%s)", panel.driver);
	if (!p.fits) {
		judge_lk_pick(c, &p, &panel, lk);
		return;
	}
	c->lk_pick = p.name;
	c->lk_drives_panel = true;
}

/* The preloader finds UBOOT through the PMT (partition_mt.c pmt_init, part.c part_get) and loads it by
 * its MTK header, magic only (part.c part_load); no header: "UBOOT image doesn't exist", download mode. */
void ck_rules_lk(struct ck *c)
{
	struct ck_placed at;
	char what[96];
	if (!ck_placed_by_name(c, "UBOOT", "LK", &at)) {
		struct unifw_check_item *it = ck_effect(c, CK_STUCK_BROM, "no_lk_partition", "lk", "UBOOT");
		ck_msg(it, "the partition table the phone ends up with has no UBOOT: the preloader finds no LK and stays in "
		       "download mode (a reflash fixes it)");
		ck_evidence(it, "PMT from %s: no UBOOT/LK entry", c->pmt_from_package ? "the package" : "the phone");
		return;
	}
	bool is_lk = (at.origin == CK_FROM_PACKAGE || at.origin == CK_FROM_PHONE) && ck_name_is(at.part->name, "UBOOT", "LK");
	const struct unifw_fingerprint *lk = is_lk ? at.fp : NULL;
	if (lk && !lk->have_lk) {
		ck_compared(c, "LK: %s not read", lk == c->pkg ? "the package's" : "the phone's");
		return;
	}
	if (!lk || !lk->lk_has_header) {
		ck_describe(&at, what, sizeof what);
		struct unifw_check_item *it = ck_effect(c, CK_STUCK_BROM, "lk_no_header", "lk", "UBOOT");
		ck_msg(it, "UBOOT holds no LK with the MTK header the preloader requires: it stays in download mode "
		       "(part.c part_load; a reflash fixes it)");
		ck_evidence(it, "UBOOT at user offset 0x%llx holds %s%s", (unsigned long long)at.offset, what,
			    lk ? " without the MTK header (magic 0x58881688)" : "");
		return;
	}
	c->lk_fp = lk;
	ck_compared(c, "LK: %s", lk == c->pkg ? "the package's" : "the phone's own (not written)");
	lk_panel(c, lk);
}
