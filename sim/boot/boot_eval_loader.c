/* unifw-sim — boot evaluation, the first stages: BootROM and preloader (boot1, the EMI table, the
 * PMT), then LK (its partition lookup and its panel choice). docs/sim.md "Boot evaluation". */
#include "boot_eval_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/hash.h"
#include "unifw/lk.h"
#include "unifw/mtkhdr.h"
#include "unifw/preloader.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ brom + preloader */

/* The entry the preloader runs: mt_set_emi takes emi_settings[mt_get_mdl_number()], the first eMMC
 * entry of the COMPILED table whose ID[0..id_length) equals the CID; the appended MTK_BLOADER_INFO tag
 * is for flash tools and plays no part at power-on (docs/sim.md "Boot evaluation", preloader EMI row). */
static bool pick_emi_entry(struct eval *v, const struct unifw_emi_compiled *c, bool dram_check, size_t *index)
{
	if (!unifw_emi_compiled_match_cid(c, v->cid, index))
		return false;
	if (!dram_check || !v->m)
		return true;
	size_t matches = 0;
	for (size_t i = 0; i < c->count; i++) {
		const struct unifw_emi_entry *e = &c->entry[i];
		matches += (e->type >> 8) == 2 && e->id_length && !memcmp(e->id, v->cid, e->id_length);
	}
	if (matches < 2)
		return true;
	/* Newer preloaders with several ID matches also compare the MR5 vendor and the rank sizes. */
	for (size_t i = 0; i < c->count; i++) {
		const struct unifw_emi_entry *e = &c->entry[i];
		if (memcmp(e->id, v->cid, e->id_length > UNIFW_EMI_COMPILED_ID_SIZE ? UNIFW_EMI_COMPILED_ID_SIZE : e->id_length) ||
		    e->dram_vendor != v->m->mem->dram_vendor || e->rank_size[0] != v->m->mem->rank_size[0] ||
		    e->rank_size[1] != v->m->mem->rank_size[1])
			continue;
		*index = i;
		return true;
	}
	return false;
}

static void emi_facts(const struct unifw_emi_table *t, const struct unifw_emi_compiled *c, struct unifw_jv *pl)
{
	struct unifw_jv *arr = unifw_jv_set_arr(pl, "emi_parts");
	for (size_t i = 0; i < t->count; i++) {
		char id[33];
		unifw_hex(t->entry[i].id, t->entry[i].id_length <= 16 ? t->entry[i].id_length : 16, id);
		unifw_jv_push_str(arr, id);
	}
	arr = unifw_jv_set_arr(pl, "emi_settings_parts");
	for (size_t i = 0; i < c->count; i++) {
		char id[33];
		const struct unifw_emi_entry *e = &c->entry[i];
		unifw_hex(e->id, e->id_length <= UNIFW_EMI_COMPILED_ID_SIZE ? e->id_length : UNIFW_EMI_COMPILED_ID_SIZE, id);
		unifw_jv_push_str(arr, id);
	}
}

/* What a preloader without a usable emi_settings[] entry does next (docs/sim.md "Boot evaluation"):
 * bldr_pre_process armed BROM download mode (platform_safe_mode) before platform_init's DRAM step. */
#define BROM_LOOP_OUTCOME                                                                                    \
	"it had armed BROM download mode before the DRAM step (platform_safe_mode), so the watchdog reset "   \
	"brings the phone back in BROM download mode (0e8d:0003) at every power-on: the screen stays off, "    \
	"the preloader port never opens; writing a preloader whose emi_settings[] lists the part (BROM-mode "  \
	"flash) recovers it, no test point needed"

static void check_emi(struct eval *v, const uint8_t *buf, size_t len, const struct unifw_preloader *pl,
		      struct unifw_jv *facts)
{
	struct unifw_emi_table *t = malloc(sizeof *t);
	struct unifw_emi_compiled *c = malloc(sizeof *c);
	struct unifw_error e = { 0 };
	char why[600], cid[33];
	unifw_hex(v->cid, 9, cid);
	/* The compiled table is what runs, so without it DRAM is never set up; the tag (read by flash tools)
	 * only names the project. Without a tag the compiled table lies somewhere in the image. */
	int rc = !t || !c ? UNIFW_E_NOMEM
		 : pl->has_emi ? unifw_preloader_emi_compiled(buf, len, pl, c, &e)
			       : unifw_emi_find_compiled(buf, pl->content_end < len ? (size_t)pl->content_end : len, c, &e);
	if (rc != 0) {
		/* num_of_emi_records 0 (or no table at all): mt_get_mdl_number's loop finds nothing, the same
		 * path as a table without the part. */
		eval_reason(v, "preloader", "no_emi_table", SIM_VERDICT_BROM_LOOP,
			    "the preloader carries no compiled EMI table emi_settings[] (%s): mt_get_mdl_number finds no "
			    "entry, it prints \"[EMI] EMI Set Fail 0xffffffff\" and DRAM is never set up; %s",
			    t && c ? eval_errtext(&e, why, sizeof why) : "out of memory", BROM_LOOP_OUTCOME);
		free(t);
		free(c);
		return;
	}
	if (!pl->has_emi || unifw_preloader_emi_table(buf, len, pl, t, &e) != 0)
		t->count = 0; /* no tag: nothing for flash tools to read, the preloader does not care */
	else
		unifw_jv_set_str(facts, "project", t->project);
	emi_facts(t, c, facts);
	size_t idx = 0;
	bool dram_check = unifw_memfind(buf, len, 0, "no DRAM info match", 18) != SIZE_MAX;
	if (!pick_emi_entry(v, c, dram_check, &idx)) {
		bool tag_lists = unifw_emi_match_cid(t, v->cid, NULL);
		eval_reason(v, "preloader", "emi_no_match", SIM_VERDICT_BROM_LOOP,
			    "the preloader's compiled emi_settings[] lists %u memory part(s), none with this phone's eMMC "
			    "id %s%s%s%s: it logs \"[EMI] FLASH ID=%x,%x,%x,%x,%x,%x,%x,%x,%x\", %s\"[EMI] EMI Set Fail "
			    "0xffffffff\" and never initialises DRAM; %s", c->count, cid, v->m ? " " : "",
			    v->m ? v->m->mem->label : "",
			    tag_lists ? " (its MTK_BLOADER_INFO tag does list it: flash tools are fooled, the preloader is not)"
				 : "",
		       v->cid[0], v->cid[1], v->cid[2], v->cid[3], v->cid[4], v->cid[5], v->cid[6], v->cid[7], v->cid[8],
		       dram_check ? "\"[EMI] no DRAM info match\", " : "", BROM_LOOP_OUTCOME);
	} else {
		unifw_jv_set_uint(facts, "emi_entry", idx);
	}
	free(t);
	free(c);
}

/* BROM: boot1 must start with the EMMC_BOOT header whose BRLYT points at an MT6572 GFH preloader. */
int eval_stage_brom(struct eval *v)
{
	uint64_t boot1 = sim_emmc_geometry(v->e)->size[SIM_PART_BOOT1];
	struct sim_flash_loc loc = { SIM_PART_BOOT1, 0, boot1 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = eval_read_region(v, &loc, UNIFW_PRELOADER_MAX_SIZE, &buf, &len);
	if (rc)
		return rc;
	struct unifw_preloader *pl = malloc(sizeof *pl);
	struct unifw_jv *facts = unifw_jv_set_obj(v->r->facts, "preloader");
	struct unifw_error e = { 0 };
	char why[600];
	if (!pl) {
		free(buf);
		return unifw_error_set(v->err, UNIFW_E_NOMEM, "eMMC", UNIFW_NO_OFFSET, "out of memory");
	}
	if (len < 9 || memcmp(buf, "EMMC_BOOT", 9)) {
		bool raw = unifw_preloader_probe(buf, len, len);
		eval_reason(v, "brom", "no_preloader", SIM_VERDICT_DEAD,
			    "boot1 holds %s: the BootROM finds no preloader, the screen stays off and only BROM download "
			    "mode answers", raw ? "a preloader without its EMMC_BOOT header (written raw)" : "no EMMC_BOOT header");
	} else if (unifw_preloader_parse(buf, len, "boot1", pl, &e) != 0) {
		eval_reason(v, "brom", "preloader_invalid", SIM_VERDICT_DEAD, "the boot1 preloader is damaged (%s): BROM "
			    "refuses it", eval_errtext(&e, why, sizeof why));
	} else if (!pl->has_rominfo || strcmp(pl->rominfo.platform, "MT6572")) {
		eval_reason(v, "brom", "wrong_platform", SIM_VERDICT_DEAD, "the boot1 preloader is built for %s, not MT6572",
			    pl->has_rominfo ? pl->rominfo.platform : "an unknown chip");
	} else if (pl->file_info.flash_dev != 5 || pl->file_info.file_type != 1) {
		eval_reason(v, "brom", "wrong_gfh", SIM_VERDICT_DEAD,
			    "GFH FILE_INFO says file_type %u flash_dev %u: BROM boots only an ARM_BL (1) for the eMMC boot "
			    "region (5)", pl->file_info.file_type, pl->file_info.flash_dev);
	} else {
		unifw_jv_set_str(facts, "platform", pl->rominfo.platform);
		unifw_jv_set_str(facts, "container", unifw_preloader_container_name(pl->container));
		check_emi(v, buf, len, pl, facts);
		sim_ptab_parse(buf, len, &v->pl_tab);
	}
	free(pl);
	free(buf);
	return 0;
}

/* ------------------------------------------------------------------ LK */

/* Where a stage finds a partition: through the PMT when it is valid, else through the stage's own
 * compiled table (part_init / get_part_tab_from_complier). *found false: a reason was added. */
int eval_locate_in_chain(struct eval *v, const char *name, const char *alias, const struct sim_ptab *compiled,
			 const char *stage, enum sim_verdict verdict, struct sim_flash_loc *loc, bool *found)
{
	struct unifw_error e = { 0 };
	char why[600];
	bool pmt_ok = false;
	*found = false;
	int rc = sim_pmt_usable(v->e, &pmt_ok, v->err);
	if (rc)
		return rc;
	if (pmt_ok) {
		rc = sim_flash_locate(v->e, name, loc, &e);
		if (rc == UNIFW_E_NOT_FOUND && alias)
			rc = sim_flash_locate(v->e, alias, loc, &e);
		if (rc == UNIFW_E_IO || rc == UNIFW_E_NOMEM) {
			*v->err = e;
			return rc;
		}
		*found = rc == 0;
		if (!*found)
			eval_reason(v, stage, strcmp(name, "UBOOT") ? "no_boot_partition" : "no_lk_partition", verdict,
				    "%s cannot be located through the PMT (%s)%s", name, eval_errtext(&e, why, sizeof why),
				    verdict == SIM_VERDICT_STUCK_BROM ? ": the preloader finds no LK and falls back to "
								   "download mode (a reflash fixes it, no test point needed)" : "");
		return 0;
	}
	const struct sim_ptab_entry *p = sim_ptab_find(compiled, name);
	if (!p && alias)
		p = sim_ptab_find(compiled, alias);
	uint64_t user = v->user;
	if (p && p->offset <= user && p->size <= user - p->offset) {
		*loc = (struct sim_flash_loc){ SIM_PART_USER, p->offset, p->size };
		*found = true;
		if (!v->pmt_fallback_noted)
			eval_note(v, stage, "pmt_fallback", "the PMT is erased or invalid: the preloader, LK and the kernel "
				  "use the partition tables compiled into them (\"get_pt_from_complier\"); the %s finds %s "
				  "at 0x%llx", stage, p->name, (unsigned long long)p->offset);
		v->pmt_fallback_noted = true;
		return 0;
	}
	eval_reason(v, stage, strcmp(name, "UBOOT") ? "no_boot_partition" : "no_partition_table", verdict,
		    "the PMT is erased or invalid and the %s's compiled partition table %s %s%s", stage,
		    !compiled->found ? "is missing, so it cannot find" : p ? "puts outside the user area" : "lacks", name,
		    verdict == SIM_VERDICT_STUCK_BROM ? ": the preloader finds no LK and falls back to download mode (a "
						   "reflash fixes it, no test point needed)" : "");
	return 0;
}

/* LK and the kernel see one LCM_DRIVER list each, in link order; the parsers keep known names and
 * other plausible ones apart, so the order is exact when all are known (the sim's own firmware) [I]. */
size_t eval_ordered_lcm(const struct unifw_names *known, const struct unifw_names *other,
			const char *out[2 * UNIFW_NAMES_MAX])
{
	size_t n = 0;
	for (size_t i = 0; i < known->count; i++)
		out[n++] = known->name[i];
	for (size_t i = 0; i < other->count; i++)
		out[n++] = other->name[i];
	return n;
}

void eval_lcm_choice_facts(struct unifw_jv *f, const struct sim_lcm_choice *c)
{
	if (c->name)
		unifw_jv_set_str(f, "lcm_chosen", c->name);
	else
		unifw_jv_set(f, "lcm_chosen", NULL);
	unifw_jv_set_str(f, "lcm_rule", sim_lcm_rule_name(c->rule));
}

/* LK's pick (disp_drv_get_lcm_driver): a driver not written for the panel's controller leaves the
 * panel uninitialised behind a lit backlight: the sim calls that white_screen [I]. */
static void judge_lk_lcm(struct eval *v, const struct sim_lcm_choice *c, size_t n)
{
	const char *own = v->m->lcm;
	unsigned ic = v->m->panel_ic;
	if (c->rule == SIM_LCM_RULE_NONE)
		eval_reason(v, "lk", "lk_no_lcm", SIM_VERDICT_WHITE_SCREEN,
			    "LK has no LCM driver: the panel (controller 0x%04x, driver %s) is never initialised; a lit "
			    "backlight over it is taken as a white screen (unconfirmed)", ic, own);
	else if (c->rule == SIM_LCM_RULE_LAST_DRIVER)
		eval_reason(v, "lk", "lk_no_lcm", SIM_VERDICT_WHITE_SCREEN,
			    "no compare_id of LK's %zu LCM drivers matches this panel (controller 0x%04x, driver %s): LK "
			    "keeps the last one, %s, and passes lcm=0-%s; that is another controller's init, the panel stays "
			    "uninitialised: white screen from power-on (what such a panel shows is unconfirmed)",
			    n, ic, own, c->name, c->name);
	else if (c->rule == SIM_LCM_RULE_ONLY_DRIVER)
		eval_reason(v, "lk", "lk_wrong_lcm", SIM_VERDICT_WHITE_SCREEN,
			    "LK has one LCM driver, %s, and uses it without asking the panel (no compare_id for a single "
			    "driver); it is not for this panel's controller 0x%04x (driver %s): the panel stays "
			    "uninitialised: white screen from power-on (unconfirmed)", c->name, ic, own);
	else
		eval_reason(v, "lk", "lk_wrong_lcm", SIM_VERDICT_WHITE_SCREEN,
			    "%s's compare_id answers yes for this panel and comes first in LK's list, but it drives another "
			    "controller (this panel: 0x%04x, driver %s): the panel stays uninitialised: white screen from "
			    "power-on (unconfirmed)", c->name, ic, own);
}

static void check_lk_panel(struct eval *v)
{
	const char *names[2 * UNIFW_NAMES_MAX];
	size_t n = eval_ordered_lcm(&v->lk->lcm, &v->lk->lcm_unlisted, names);
	if (!v->m) {
		eval_note(v, "lk", "panel_unknown", "the image names no phone model: the panel check is skipped");
		return;
	}
	struct sim_lcm_choice *c = &v->lk_lcm;
	sim_lk_choose_lcm(names, n, v->m, c);
	struct unifw_jv *f = unifw_jv_path(v->r->facts, "lk");
	eval_lcm_choice_facts(f, c);
	if (c->name)
		unifw_jv_set_strf(f, "lcm_cmdline", "lcm=%d-%s", c->found ? 1 : 0, c->name);
	if (!c->fits) {
		judge_lk_lcm(v, c, n);
		return;
	}
	v->lk_drives_panel = true;
	if (!c->found) /* the last driver kept happens to be for this controller: it draws, LK still says 0 */
		eval_note(v, "lk", "lk_lcm_not_detected",
			  "no compare_id of LK's LCM drivers matches this panel; the last one, %s, kept by LK, is for its "
			  "controller 0x%04x and initialises it, and LK passes lcm=0-%s", c->name, v->m->panel_ic, c->name);
}

/* The preloader loads UBOOT by its MTK header (part_load checks the magic 0x58881688 only, not the
 * name) and jumps to the payload. No header: it does not load it and stays in download mode. A header
 * over something that is not LK: it jumps into it; the safe mode was disarmed before the jump
 * (bldr_jump), so the hang ends in the watchdog's normal reset, over and over. */
static int inspect_lk(struct eval *v, const uint8_t *buf, size_t len)
{
	struct unifw_error e = { 0 };
	char why[600];
	if (!unifw_mtkhdr_is(buf, len) || len < UNIFW_MTKHDR_SIZE) {
		eval_reason(v, "preloader", "lk_no_header", SIM_VERDICT_STUCK_BROM,
			    "the UBOOT partition holds no MTK header (magic 0x58881688): part_load logs \"[PART] <ASSERT> "
			    "UBOOT image doesn't exist\", the preloader cannot hand over and stays in download mode (a "
			    "reflash fixes it, no test point needed)");
		return 0;
	}
	uint32_t dsize = le32_at(buf, len, 4);
	size_t plen = len - UNIFW_MTKHDR_SIZE < dsize ? len - UNIFW_MTKHDR_SIZE : dsize;
	v->lk = malloc(sizeof *v->lk);
	if (!v->lk)
		return unifw_error_set(v->err, UNIFW_E_NOMEM, "eMMC", UNIFW_NO_OFFSET, "out of memory");
	if (unifw_lk_inspect(buf + UNIFW_MTKHDR_SIZE, plen, "UBOOT", v->lk, &e) != 0) {
		eval_reason(v, "preloader", "lk_invalid", SIM_VERDICT_BOOT_LOOP,
			    "UBOOT has an MTK header but no LK behind it (%s): the preloader jumps into it, nothing runs "
			    "and the watchdog resets the phone, over and over", eval_errtext(&e, why, sizeof why));
		free(v->lk);
		v->lk = NULL;
		return 0;
	}
	char name[33] = "";
	memcpy(name, buf + 8, 32);
	sim_ptab_parse(buf, len, &v->lk_tab);
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "lk");
	unifw_jv_set_str(f, "project", v->lk->project);
	unifw_jv_set_str(f, "header_name", name);
	unifw_jv_set(f, "lcm_drivers", eval_names_json(&v->lk->lcm, &v->lk->lcm_unlisted));
	check_lk_panel(v);
	return 0;
}

int eval_stage_lk(struct eval *v)
{
	struct sim_flash_loc loc;
	bool found;
	int rc = eval_locate_in_chain(v, "UBOOT", "LK", &v->pl_tab, "preloader", SIM_VERDICT_STUCK_BROM, &loc, &found);
	if (rc || !found)
		return rc;
	uint8_t *buf = NULL;
	size_t len = 0;
	if ((rc = eval_read_region(v, &loc, UNIFW_LK_MAX_FILE, &buf, &len)) != 0)
		return rc;
	rc = inspect_lk(v, buf, len);
	free(buf);
	return rc;
}
