/* unifw-sim — boot evaluation: the MT6572 boot chain walked over the eMMC image (boot_eval.h).
 * Rules and the public facts they rest on: docs/sim.md "Boot evaluation". */
#include "boot_eval.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "boot_chain.h"
#include "boot_modem.h"
#include "boot_panel.h"
#include "install_package.h"
#include "firmware/fw_build.h"
#include "unifw/bootimg.h"
#include "unifw/ext4.h"
#include "unifw/hash.h"
#include "unifw/kernel.h"
#include "unifw/lk.h"
#include "unifw/mbr.h"
#include "unifw/mtkhdr.h"
#include "unifw/nvram.h"
#include "unifw/preloader.h"
#include "unifw/ramdisk.h"
#include "util/bytes.h"


struct eval {
	struct sim_emmc *e;
	const struct sim_model *m;
	struct sim_boot_report *r;
	struct unifw_error *err;
	uint8_t cid[16];
	uint64_t user;
	bool halted;             /* a stage the boot never gets past was reached */
	bool lk_drives_panel;
	struct sim_lcm_choice lk_lcm; /* LK's LCM driver (boot_panel.h); its name points into lk */
	struct unifw_lk_info *lk;
	struct unifw_kernel_info *kernel;
	uint8_t *image; /* the kernel's decompressed Image (its partition table is read from it) */
	size_t image_len;
	/* The compiled tables (boot_chain.h) of the preloader, LK and the kernel: what each stage uses
	 * when the PMT is unusable, and the kernel's /emmc@NAME -> mmcblk0pN index map. */
	struct sim_ptab pl_tab, lk_tab, k_tab;
	bool pmt_fallback_noted;
};

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
__attribute__((format(printf, 5, 6))) static void reason(struct eval *v, const char *stage, const char *code,
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

__attribute__((format(printf, 4, 5))) static void fault(struct eval *v, const char *stage, const char *code,
							const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_item(v->r->faults, &v->r->fault_count, stage, code, SIM_VERDICT_BOOTS_WITH_FAULTS, fmt, ap);
	va_end(ap);
	if (v->r->verdict < SIM_VERDICT_BOOTS_WITH_FAULTS)
		v->r->verdict = SIM_VERDICT_BOOTS_WITH_FAULTS;
}

__attribute__((format(printf, 4, 5))) static void note(struct eval *v, const char *stage, const char *code,
						       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_item(v->r->notes, &v->r->note_count, stage, code, SIM_VERDICT_BOOTS, fmt, ap);
	va_end(ap);
}

static const char *errtext(const struct unifw_error *e, char *buf, size_t len)
{
	return unifw_error_format(e, buf, len);
}

static struct unifw_jv *names_json(const struct unifw_names *a, const struct unifw_names *b)
{
	struct unifw_jv *arr = unifw_names_to_json(a);
	for (size_t i = 0; b && i < b->count; i++)
		unifw_jv_push_str(arr, b->name[i]);
	return arr;
}

static void names_list(const struct unifw_names *l, char *out, size_t len)
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
static int read_region(struct eval *v, const struct sim_flash_loc *loc, uint64_t max, uint8_t **buf, size_t *len)
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

struct region_stream {
	struct sim_emmc *e;
	uint64_t base, size;
};

static int region_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct region_stream *rs = ctx;
	if (off > rs->size || len > rs->size - off)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, "partition", off, "read past the partition end");
	return sim_emmc_read(rs->e, SIM_PART_USER, rs->base + off, buf, len, err);
}

/* A pread-only stream over a user-area range: what libext2fs needs through unifw_ext4_open. */
static void region_open(struct region_stream *rs, struct unifw_stream *s, const char *name)
{
	memset(s, 0, sizeof *s);
	s->pread = region_pread;
	s->ctx = rs;
	s->size = rs->size;
	snprintf(s->name, sizeof s->name, "%s", name);
}

/* ------------------------------------------------------------------ brom + preloader */

/* The entry the preloader runs: MT6572 mt_emi.c mt_set_emi takes emi_settings[mt_get_mdl_number()], the
 * first eMMC entry of the COMPILED table whose ID[0..id_length) equals the CID; the appended
 * MTK_BLOADER_INFO tag is for flash tools and plays no part at power-on. */
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
		reason(v, "preloader", "no_emi_table", SIM_VERDICT_BROM_LOOP,
		       "the preloader carries no compiled EMI table emi_settings[] (%s): mt_get_mdl_number finds no "
		       "entry, it prints \"[EMI] EMI Set Fail 0xffffffff\" and DRAM is never set up; %s",
		       t && c ? errtext(&e, why, sizeof why) : "out of memory", BROM_LOOP_OUTCOME);
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
		reason(v, "preloader", "emi_no_match", SIM_VERDICT_BROM_LOOP,
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
static int stage_brom(struct eval *v)
{
	uint64_t boot1 = sim_emmc_geometry(v->e)->size[SIM_PART_BOOT1];
	struct sim_flash_loc loc = { SIM_PART_BOOT1, 0, boot1 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = read_region(v, &loc, UNIFW_PRELOADER_MAX_SIZE, &buf, &len);
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
		reason(v, "brom", "no_preloader", SIM_VERDICT_DEAD,
		       "boot1 holds %s: the BootROM finds no preloader, the screen stays off and only BROM download "
		       "mode answers", raw ? "a preloader without its EMMC_BOOT header (written raw)" : "no EMMC_BOOT header");
	} else if (unifw_preloader_parse(buf, len, "boot1", pl, &e) != 0) {
		reason(v, "brom", "preloader_invalid", SIM_VERDICT_DEAD, "the boot1 preloader is damaged (%s): BROM "
		       "refuses it", errtext(&e, why, sizeof why));
	} else if (!pl->has_rominfo || strcmp(pl->rominfo.platform, "MT6572")) {
		reason(v, "brom", "wrong_platform", SIM_VERDICT_DEAD, "the boot1 preloader is built for %s, not MT6572",
		       pl->has_rominfo ? pl->rominfo.platform : "an unknown chip");
	} else if (pl->file_info.flash_dev != 5 || pl->file_info.file_type != 1) {
		reason(v, "brom", "wrong_gfh", SIM_VERDICT_DEAD,
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
static int locate_in_chain(struct eval *v, const char *name, const char *alias, const struct sim_ptab *compiled,
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
			reason(v, stage, strcmp(name, "UBOOT") ? "no_boot_partition" : "no_lk_partition", verdict,
			       "%s cannot be located through the PMT (%s)%s", name, errtext(&e, why, sizeof why),
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
			note(v, stage, "pmt_fallback", "the PMT is erased or invalid: the preloader, LK and the kernel "
			     "use the partition tables compiled into them (\"get_pt_from_complier\"); the %s finds %s "
			     "at 0x%llx", stage, p->name, (unsigned long long)p->offset);
		v->pmt_fallback_noted = true;
		return 0;
	}
	reason(v, stage, strcmp(name, "UBOOT") ? "no_boot_partition" : "no_partition_table", verdict,
	       "the PMT is erased or invalid and the %s's compiled partition table %s %s%s", stage,
	       !compiled->found ? "is missing, so it cannot find" : p ? "puts outside the user area" : "lacks", name,
	       verdict == SIM_VERDICT_STUCK_BROM ? ": the preloader finds no LK and falls back to download mode (a "
						   "reflash fixes it, no test point needed)" : "");
	return 0;
}

/* LK and the kernel see one LCM_DRIVER list each, in link order; the parsers keep known names and
 * other plausible ones apart, so the order is exact when all are known (the sim's own firmware) [I]. */
static size_t ordered_lcm(const struct unifw_names *known, const struct unifw_names *other,
			  const char *out[2 * UNIFW_NAMES_MAX])
{
	size_t n = 0;
	for (size_t i = 0; i < known->count; i++)
		out[n++] = known->name[i];
	for (size_t i = 0; i < other->count; i++)
		out[n++] = other->name[i];
	return n;
}

static void lcm_choice_facts(struct unifw_jv *f, const struct sim_lcm_choice *c)
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
		reason(v, "lk", "lk_no_lcm", SIM_VERDICT_WHITE_SCREEN,
		       "LK has no LCM driver: the panel (controller 0x%04x, driver %s) is never initialised; a lit "
		       "backlight over it is taken as a white screen (unconfirmed)", ic, own);
	else if (c->rule == SIM_LCM_RULE_LAST_DRIVER)
		reason(v, "lk", "lk_no_lcm", SIM_VERDICT_WHITE_SCREEN,
		       "no compare_id of LK's %zu LCM drivers matches this panel (controller 0x%04x, driver %s): LK "
		       "keeps the last one, %s, and passes lcm=0-%s; that is another controller's init, the panel stays "
		       "uninitialised: white screen from power-on (what such a panel shows is unconfirmed)",
		       n, ic, own, c->name, c->name);
	else if (c->rule == SIM_LCM_RULE_ONLY_DRIVER)
		reason(v, "lk", "lk_wrong_lcm", SIM_VERDICT_WHITE_SCREEN,
		       "LK has one LCM driver, %s, and uses it without asking the panel (no compare_id for a single "
		       "driver); it is not for this panel's controller 0x%04x (driver %s): the panel stays "
		       "uninitialised: white screen from power-on (unconfirmed)", c->name, ic, own);
	else
		reason(v, "lk", "lk_wrong_lcm", SIM_VERDICT_WHITE_SCREEN,
		       "%s's compare_id answers yes for this panel and comes first in LK's list, but it drives another "
		       "controller (this panel: 0x%04x, driver %s): the panel stays uninitialised: white screen from "
		       "power-on (unconfirmed)", c->name, ic, own);
}

static void check_lk_panel(struct eval *v)
{
	const char *names[2 * UNIFW_NAMES_MAX];
	size_t n = ordered_lcm(&v->lk->lcm, &v->lk->lcm_unlisted, names);
	if (!v->m) {
		note(v, "lk", "panel_unknown", "the image names no phone model: the panel check is skipped");
		return;
	}
	struct sim_lcm_choice *c = &v->lk_lcm;
	sim_lk_choose_lcm(names, n, v->m, c);
	struct unifw_jv *f = unifw_jv_path(v->r->facts, "lk");
	lcm_choice_facts(f, c);
	if (c->name)
		unifw_jv_set_strf(f, "lcm_cmdline", "lcm=%d-%s", c->found ? 1 : 0, c->name);
	if (!c->fits) {
		judge_lk_lcm(v, c, n);
		return;
	}
	v->lk_drives_panel = true;
	if (!c->found) /* the last driver kept happens to be for this controller: it draws, LK still says 0 */
		note(v, "lk", "lk_lcm_not_detected",
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
		reason(v, "preloader", "lk_no_header", SIM_VERDICT_STUCK_BROM,
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
		reason(v, "preloader", "lk_invalid", SIM_VERDICT_BOOT_LOOP,
		       "UBOOT has an MTK header but no LK behind it (%s): the preloader jumps into it, nothing runs "
		       "and the watchdog resets the phone, over and over", errtext(&e, why, sizeof why));
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
	unifw_jv_set(f, "lcm_drivers", names_json(&v->lk->lcm, &v->lk->lcm_unlisted));
	check_lk_panel(v);
	return 0;
}

static int stage_lk(struct eval *v)
{
	struct sim_flash_loc loc;
	bool found;
	int rc = locate_in_chain(v, "UBOOT", "LK", &v->pl_tab, "preloader", SIM_VERDICT_STUCK_BROM, &loc, &found);
	if (rc || !found)
		return rc;
	uint8_t *buf = NULL;
	size_t len = 0;
	if ((rc = read_region(v, &loc, UNIFW_LK_MAX_FILE, &buf, &len)) != 0)
		return rc;
	rc = inspect_lk(v, buf, len);
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------ boot image */

/* What MT6572 LK does with a boot image it cannot use (mt_boot.c boot_linux_from_storage ->
 * msg_header_error / msg_img_error): it logs the error and stops in while(1) with the watchdog still
 * running, so the phone resets and does the same again; fastboot is not entered on this path. */
#define LK_BAD_IMAGE                                                                                         \
	"LK logs \"[MBOOT] Load 'Android Boot Image' partition Error\" and stops in while(1) with the "         \
	"watchdog armed; about 10 s later the watchdog resets the phone and the same happens again: a boot "   \
	"loop, without fastboot"

static bool check_ramdisk(struct eval *v, const uint8_t *p, size_t n)
{
	struct unifw_ramdisk rd;
	struct unifw_error e = { 0 };
	char why[600];
	unifw_ramdisk_init(&rd);
	bool ok = false;
	if (!unifw_mtkhdr_has_name(p, n, "ROOTFS"))
		reason(v, "lk", "ramdisk_header", SIM_VERDICT_BOOT_LOOP,
		       "the boot image's ramdisk lacks the MTK header named ROOTFS that LK requires (magic 0x58881688 "
		       "and name): %s", LK_BAD_IMAGE);
	else if (unifw_ramdisk_parse(p, n, "ramdisk", &rd, &e) != 0)
		reason(v, "kernel", "ramdisk_invalid", SIM_VERDICT_BOOT_LOOP,
		       "the ramdisk cannot be unpacked (%s): the kernel panics (no init) and the watchdog resets it",
		       errtext(&e, why, sizeof why));
	else if (!unifw_ramdisk_find(&rd, "init") || !unifw_ramdisk_find(&rd, "init.rc"))
		reason(v, "kernel", "ramdisk_no_init", SIM_VERDICT_BOOT_LOOP,
		       "the ramdisk has no init or init.rc: the kernel panics and the watchdog resets it");
	else
		ok = true;
	unifw_ramdisk_free(&rd);
	return ok;
}

static void kernel_facts(struct eval *v)
{
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "kernel");
	const struct unifw_kernel_info *k = v->kernel;
	unifw_jv_set_str(f, "version", k->version);
	unifw_jv_set_str(f, "compression", unifw_kernel_comp_name(k->compression));
	unifw_jv_set(f, "lcm_drivers", names_json(&k->lcm, &k->lcm_unlisted));
	unifw_jv_set(f, "touch_drivers", unifw_names_to_json(&k->touch));
}

static bool check_kernel_section(struct eval *v, const uint8_t *p, size_t n)
{
	struct unifw_error e = { 0 };
	char why[600];
	if (!unifw_mtkhdr_has_name(p, n, "KERNEL")) {
		reason(v, "lk", "kernel_header", SIM_VERDICT_BOOT_LOOP,
		       "the boot image's kernel lacks the MTK header named KERNEL that LK requires (magic 0x58881688 "
		       "and name): %s", LK_BAD_IMAGE);
		return false;
	}
	v->kernel = malloc(sizeof *v->kernel);
	struct unifw_kernel_opts ko = { .image = &v->image, .image_len = &v->image_len };
	if (!v->kernel || unifw_kernel_inspect(p, n, "kernel", &ko, v->kernel, &e) != 0) {
		reason(v, "kernel", "kernel_invalid", SIM_VERDICT_BOOT_LOOP,
		       "the kernel does not decompress (%s): the decompressor stops, the watchdog resets the phone",
		       v->kernel ? errtext(&e, why, sizeof why) : "out of memory");
		free(v->kernel);
		v->kernel = NULL;
		return false;
	}
	kernel_facts(v);
	return true;
}

/* LK loads BOOTIMG: header (page 2048 hard-coded), KERNEL and ROOTFS sections. *booted: both passed. */
static int stage_bootimg(struct eval *v, bool *booted)
{
	struct sim_flash_loc loc;
	bool found;
	int rc = locate_in_chain(v, "BOOTIMG", "BOOT", &v->lk_tab, "lk", SIM_VERDICT_BOOT_LOOP, &loc, &found);
	if (rc || !found)
		return rc;
	uint8_t *buf = NULL;
	size_t len = 0;
	if ((rc = read_region(v, &loc, UNIFW_BOOTIMG_MAX_FILE, &buf, &len)) != 0)
		return rc;
	struct unifw_bootimg img;
	struct unifw_error e = { 0 };
	char why[600];
	if (unifw_bootimg_parse(buf, len, "BOOTIMG", &img, &e) != 0) {
		reason(v, "lk", "bootimg_invalid", SIM_VERDICT_BOOT_LOOP,
		       "BOOTIMG holds no valid boot image (%s): %s", errtext(&e, why, sizeof why), LK_BAD_IMAGE);
	} else if (img.hdr.page_size != 2048) {
		reason(v, "lk", "bootimg_page_size", SIM_VERDICT_BOOT_LOOP,
		       "boot image page size %u: MT6572 LK ignores the header's page size and reads the kernel at "
		       "2048, where there is no KERNEL header: %s", img.hdr.page_size, LK_BAD_IMAGE);
		unifw_bootimg_free(&img);
	} else {
		const uint8_t *k = buf + img.kernel_off, *rd = buf + img.ramdisk_off;
		*booted = check_kernel_section(v, k, img.hdr.kernel_size) && check_ramdisk(v, rd, img.hdr.ramdisk_size);
		unifw_bootimg_free(&img);
	}
	free(buf);
	return 0;
}

/* ------------------------------------------------------------------ kernel: partitions, system */

static int mbr_read(void *ctx, uint64_t lba, uint8_t sector[UNIFW_MBR_SECTOR_SIZE], struct unifw_error *err)
{
	return sim_emmc_read(ctx, SIM_PART_USER, lba * UNIFW_MBR_SECTOR_SIZE, sector, UNIFW_MBR_SECTOR_SIZE, err);
}

static const struct unifw_mbr_part *mbr_index(const struct unifw_mbr_table *t, unsigned index)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->part[i].kernel_index == index)
			return &t->part[i];
	return NULL;
}

/* mmcblk0pN as the kernel sees it: the MBR/EBR entry's start and length (the last one runs to the end
 * of the user area). */
static struct sim_flash_loc mbr_loc(const struct eval *v, const struct unifw_mbr_part *p)
{
	uint64_t start = p->start_lba * UNIFW_MBR_SECTOR_SIZE;
	uint64_t size = p->to_end || start > v->user ? (start < v->user ? v->user - start : 0)
						     : (uint64_t)p->count * UNIFW_MBR_SECTOR_SIZE;
	if (start < v->user && size > v->user - start)
		size = v->user - start;
	return (struct sim_flash_loc){ SIM_PART_USER, start, start < v->user ? size : 0 };
}

static void android_facts(struct eval *v, const char *text, size_t len)
{
	struct unifw_jv *bp = unifw_jv_object();
	unifw_ext4_build_prop(text, len, bp);
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "android");
	const char *rel = unifw_jv_str(unifw_jv_get(bp, "ro.build.version.release"));
	const char *model = unifw_jv_str(unifw_jv_get(bp, "ro.product.model"));
	unifw_jv_set_str(f, "release", rel ? rel : "");
	unifw_jv_set_str(f, "product_model", model ? model : "");
	unifw_jv_free(bp);
}

/* The kernel's CCCI loader and the modem in /system (boot_modem.c): a rejected modem is a phone without
 * radio, its IMEI and calibration untouched. */
static void check_modem(struct eval *v, struct unifw_ext4 *fs)
{
	struct sim_modem_check c;
	sim_modem_check(fs, v->image, v->image_len, &c);
	if (!c.kernel_known) {
		note(v, "kernel", "no_kernel_ccci", "the kernel carries no CCCI record the sim knows: the modem is not checked");
		return;
	}
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "modem");
	unifw_jv_set_str(f, "type", c.type);
	unifw_jv_set_uint(f, "kernel_reserved", c.reserved);
	unifw_jv_set_str(f, "image", c.path);
	if (c.has_header) {
		unifw_jv_set_uint(f, "header_version", c.h.verno);
		unifw_jv_set_uint(f, "bind_sys_id", c.h.bind_sys_id);
		unifw_jv_set_uint(f, "mem_size", c.h.mem_size);
	}
	unifw_jv_set_bool(f, "mddb", c.mddb);
	unifw_jv_set_bool(f, "loaded", !c.rejected);
	if (c.rejected)
		fault(v, "android", "no_radio",
		      "the kernel's modem loader rejects %s (check_md_header: %s): Android boots without a radio (no "
		      "calls, SMS or mobile data); the IMEI and calibration in NVRAM are untouched, this is not an IMEI "
		      "loss", c.path[0] ? c.path : "the modem", c.why);
	else if (c.warning[0])
		note(v, "kernel", "modem_warning", "%s: %s", c.path, c.warning);
}

static void check_system(struct eval *v, const struct sim_flash_loc *loc)
{
	struct region_stream rs = { v->e, loc->offset, loc->size };
	struct unifw_stream s;
	struct unifw_ext4 *fs = NULL;
	struct unifw_error e = { 0 };
	char why[600];
	uint8_t *text = NULL;
	size_t len = 0;
	region_open(&rs, &s, "ANDROID");
	if (unifw_ext4_open(&s, &fs, &e) != 0 || unifw_ext4_read_file(fs, "/build.prop", 64 << 10, &text, &len, &e) != 0)
		reason(v, "kernel", "system_invalid", SIM_VERDICT_BOOT_LOOP,
		       "ANDROID holds no mountable system with /build.prop (%s): init cannot start Android and the "
		       "phone reboots in a loop", errtext(&e, why, sizeof why));
	else {
		android_facts(v, (const char *)text, len);
		check_modem(v, fs);
	}
	free(text);
	if (fs)
		unifw_ext4_close(fs);
}

/* The kernel's pick (disp_get_lcm_name_boot, disphal_get_lcm_driver, DISP_DetectDevice); judged only when
 * LK drew on the panel, else the white screen is already the outcome. */
static void check_kernel_panel(struct eval *v)
{
	if (!v->m)
		return;
	const char *names[2 * UNIFW_NAMES_MAX];
	size_t n = ordered_lcm(&v->kernel->lcm, &v->kernel->lcm_unlisted, names);
	struct sim_lcm_choice c;
	sim_kernel_choose_lcm(names, n, v->lk_lcm.name, v->m, &c);
	lcm_choice_facts(unifw_jv_path(v->r->facts, "kernel"), &c);
	if (!v->lk_drives_panel)
		return;
	if (!c.name)
		reason(v, "kernel", "kernel_no_lcm", SIM_VERDICT_BLACK_SCREEN,
		       "LK drives the panel and passes lcm=%d-%s, but the kernel's %zu LCM driver(s) include none of that "
		       "name and no compare_id matches: disphal_get_lcm_driver returns NULL and mtkfb_probe gets no "
		       "framebuffer; Android runs without a display (what the screen then shows is unconfirmed: the "
		       "sim says black_screen)", v->lk_lcm.found ? 1 : 0, v->lk_lcm.name, n);
	else if (!c.fits)
		reason(v, "kernel", "kernel_wrong_lcm", SIM_VERDICT_BLACK_SCREEN,
		       "the kernel takes %s (%s) for a panel with controller 0x%04x (driver %s): it drives the panel "
		       "with another controller's parameters after the boot logo; the screen is taken to go black "
		       "(unconfirmed)", c.name, sim_lcm_rule_name(c.rule), v->m->panel_ic, v->m->lcm);
}

/* The file systems the kernel's fstab mounts by name (/emmc@android, /emmc@cache, /emmc@usrdata) and
 * the volume label each one's image carries (factory.c fs_label). */
static const struct {
	const char *name, *mount, *label;
} mounted[] = { { "ANDROID", "/system", "system" }, { "CACHE", "/cache", "cache" }, { "USRDATA", "/data", "userdata" } };

/* /cache and /data: a file system made for another mount point there means the index map and the
 * MBR/EBR disagree (what reaches that mount is not its partition). */
static void check_mount_label(struct eval *v, size_t which, unsigned index, const struct sim_flash_loc *loc)
{
	uint8_t head[2048];
	struct unifw_ext4_super sb;
	if (loc->size < sizeof head || sim_emmc_read(v->e, SIM_PART_USER, loc->offset, head, sizeof head, NULL) != 0 ||
	    unifw_ext4_parse_super(head, sizeof head, mounted[which].name, &sb, NULL) != 0)
		return;
	for (size_t i = 0; i < sizeof mounted / sizeof *mounted; i++)
		if (i != which && !strcmp(sb.label, mounted[i].label))
			reason(v, "kernel", "mount_wrong_fs", SIM_VERDICT_BOOT_LOOP,
			       "the kernel mounts %s (/emmc@%s) from mmcblk0p%u, where the MBR/EBR put the %s file system "
			       "(label %s): the kernel's index map and the flash's MBR/EBR disagree, Android's init fails "
			       "and the phone reboots in a loop", mounted[which].mount, mounted[which].name, index,
			       mounted[i].mount, sb.label);
}

/* /emmc@NAME -> mmcblk0p<index of NAME in the kernel's compiled map>, and mmcblk0pN is the MBR/EBR's
 * N-th entry: no offset is compared anywhere, so a kernel from another layout with the same index
 * map mounts the right file systems. */
static void check_mounts(struct eval *v, const struct unifw_mbr_table *t)
{
	for (size_t i = 0; i < sizeof mounted / sizeof *mounted && !v->halted; i++) {
		const struct sim_ptab_entry *k = sim_ptab_find(&v->k_tab, mounted[i].name);
		const struct unifw_mbr_part *p = k && k->index ? mbr_index(t, k->index) : NULL;
		if (!k || !k->index) {
			if (i == 0)
				reason(v, "kernel", "no_system", SIM_VERDICT_BOOT_LOOP,
				       "the kernel's partition map has no ANDROID (/emmc@android): /system cannot be mounted");
			continue;
		}
		if (!p) {
			reason(v, "kernel", "ptable_no_partition", SIM_VERDICT_BOOT_LOOP,
			       "the kernel mounts %s from mmcblk0p%u (its index of %s), but the MBR/EBR on the flash define "
			       "no partition %u: the mount fails and the phone reboots in a loop", mounted[i].mount, k->index,
			       mounted[i].name, k->index);
			continue;
		}
		struct sim_flash_loc loc = mbr_loc(v, p);
		if (i == 0)
			check_system(v, &loc);
		else
			check_mount_label(v, i, k->index, &loc);
	}
}

static int stage_kernel(struct eval *v)
{
	check_kernel_panel(v);
	if (v->image)
		sim_ptab_parse(v->image, v->image_len, &v->k_tab);
	struct unifw_mbr_table *t = calloc(1, sizeof *t);
	struct unifw_error e = { 0 };
	char why[600];
	if (!t)
		return unifw_error_set(v->err, UNIFW_E_NOMEM, "eMMC", UNIFW_NO_OFFSET, "out of memory");
	struct sim_flash_loc sys;
	if (unifw_mbr_table_read(mbr_read, v->e, v->user / UNIFW_MBR_SECTOR_SIZE, "MBR", t, &e) != 0) {
		reason(v, "kernel", "mbr_invalid", SIM_VERDICT_BOOT_LOOP,
		       "no valid MBR/EBR chain at the start of the user area (%s): the kernel finds no mmcblk0pN, "
		       "/system cannot be mounted and the phone reboots in a loop", errtext(&e, why, sizeof why));
	} else if (!v->k_tab.found) {
		note(v, "kernel", "no_kernel_ptable", "the kernel carries no partition table the sim knows: the "
		     "MBR/EBR mapping is not checked");
		if (sim_flash_locate(v->e, "ANDROID", &sys, &e) == 0)
			check_system(v, &sys);
	} else {
		check_mounts(v, t);
	}
	free(t);
	return 0;
}

/* A raw partition as the running kernel finds it: through the PMT, or its compiled table when the
 * PMT is unusable (the kernel falls back like the preloader and LK). */
static int kernel_locate(struct eval *v, const char *name, struct sim_flash_loc *loc)
{
	bool pmt_ok = false;
	if (sim_pmt_usable(v->e, &pmt_ok, NULL) != 0 || pmt_ok)
		return sim_flash_locate(v->e, name, loc, NULL);
	const struct sim_ptab_entry *p = sim_ptab_find(&v->k_tab, name);
	if (!p || p->offset > v->user || p->size > v->user - p->offset)
		return UNIFW_E_NOT_FOUND;
	*loc = (struct sim_flash_loc){ SIM_PART_USER, p->offset, p->size };
	return 0;
}

/* ------------------------------------------------------------------ android: touch, NVRAM */

static void check_touch(struct eval *v)
{
	if (!v->m)
		return;
	const char *want = unifw_touch_name_canonical(v->m->touch);
	for (size_t i = 0; want && i < v->kernel->touch.count; i++)
		if (!strcasecmp(v->kernel->touch.name[i], want))
			return;
	char list[512];
	names_list(&v->kernel->touch, list, sizeof list);
	fault(v, "android", "no_touch",
	      "the kernel has no driver for this phone's touch controller %s (it has: %s): the screen does not "
	      "react to touch", v->m->touch, list);
}

/* What nvram_daemon sees: /data/nvram on USRDATA (working copy), else the BinRegion it restores from. */
struct nv_view {
	bool data_present, data_imei, data_wifi, data_bt;
	uint8_t data_mac[6], data_btaddr[6];
	bool bin_ok, bin_imei;
	enum unifw_nvram_addr_state bin_wifi_state, bin_bt_state;
	uint8_t bin_mac[6], bin_btaddr[6];
};

static bool data_file6(struct unifw_ext4 *fs, const char *path, size_t at, uint8_t out[6])
{
	uint8_t *b = NULL;
	size_t len = 0;
	bool ok = unifw_ext4_read_file(fs, path, 4096, &b, &len, NULL) == 0 && len >= at + 6;
	if (ok)
		memcpy(out, b + at, 6);
	free(b);
	return ok;
}

static void read_data_nvram(struct eval *v, struct nv_view *nv)
{
	struct sim_flash_loc loc;
	if (kernel_locate(v, "USRDATA", &loc) != 0)
		return;
	struct region_stream rs = { v->e, loc.offset, loc.size };
	struct unifw_stream s;
	struct unifw_ext4 *fs = NULL;
	region_open(&rs, &s, "USRDATA");
	if (unifw_ext4_open(&s, &fs, NULL) != 0)
		return;
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool trunc = false;
	nv->data_present = unifw_ext4_list_dir(fs, "/nvram", 1000, &ents, &n, &trunc, NULL) == 0;
	free(ents);
	ents = NULL;
	/* The IMEI record is checked by name and size only: its bytes are never read. */
	if (nv->data_present && unifw_ext4_list_dir(fs, "/nvram/md/NVRAM/NVD_IMEI", 1000, &ents, &n, &trunc, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			nv->data_imei |= !strcmp(ents[i].name, "MP0B_001") && ents[i].kind == 'f' && ents[i].size > 0;
	free(ents);
	if (nv->data_present) {
		nv->data_wifi = data_file6(fs, "/nvram/" UNIFW_NVRAM_WIFI, UNIFW_NVRAM_WIFI_MAC_OFFSET, nv->data_mac);
		nv->data_bt = data_file6(fs, "/nvram/" UNIFW_NVRAM_BT_ADDR, 0, nv->data_btaddr);
	}
	unifw_ext4_close(fs);
}

static int read_binregion(struct eval *v, struct nv_view *nv)
{
	struct sim_flash_loc loc;
	if (kernel_locate(v, "NVRAM", &loc) != 0)
		return 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = read_region(v, &loc, UNIFW_NVRAM_MAX_REGION, &buf, &len);
	if (rc)
		return rc;
	struct unifw_nvram nvr;
	if (unifw_nvram_parse(buf, len, "NVRAM", &nvr, NULL) == 0) {
		nv->bin_ok = true;
		const struct unifw_nvram_file *imei = unifw_nvram_find(&nvr, UNIFW_NVRAM_IMEI);
		nv->bin_imei = imei && imei->size > 0;
		nv->bin_wifi_state = unifw_nvram_wifi_mac(&nvr, buf, nv->bin_mac);
		nv->bin_bt_state = unifw_nvram_bt_addr(&nvr, buf, nv->bin_btaddr);
		unifw_nvram_free(&nvr);
	}
	free(buf);
	return 0;
}

static void address_fact(struct unifw_jv *f, const char *key, enum unifw_nvram_addr_state st, const uint8_t a[6])
{
	char s[18], k[32];
	snprintf(k, sizeof k, "%s_state", key);
	unifw_jv_set_str(f, k, unifw_nvram_addr_state_name(st));
	if (st == UNIFW_NVRAM_SET || st == UNIFW_NVRAM_DEFAULT) {
		unifw_nvram_format_mac(a, s);
		unifw_jv_set_str(f, key, s);
	}
}

/* WiFi: a blank (or missing) MAC and a stored 00:08:22 one are different troubles: the first changes
 * at every boot, the second is fixed but borrowed (unifw/nvram.h, docs/sim.md "Boot evaluation"). */
static void judge_wifi_mac(struct eval *v, enum unifw_nvram_addr_state st, const uint8_t mac[6])
{
	char s[18];
	unifw_nvram_format_mac(mac, s);
	if (st == UNIFW_NVRAM_BLANK || st == UNIFW_NVRAM_ABSENT)
		fault(v, "android", "mac_random_each_boot",
		      "the WiFi NVRAM file %s: the WLAN driver makes up 00:08:22 plus three bytes of its boot-time tick "
		      "(wlanUpdateNetworkAddress), so the phone shows a different MAC after every boot (restore its own "
		      "NVRAM backup or set a MAC)", st == UNIFW_NVRAM_ABSENT ? "is missing" : "holds no usable MAC");
	else if (st == UNIFW_NVRAM_DEFAULT)
		fault(v, "android", "mac_template",
		      "the WiFi NVRAM file stores %s, MediaTek's template prefix 00:08:22: the MAC stays the same from "
		      "boot to boot but is not this phone's own (copied from another phone's NVRAM or a template)", s);
}

static void judge_bt_address(struct eval *v, enum unifw_nvram_addr_state st, const uint8_t a[6])
{
	char s[18];
	unifw_nvram_format_mac(a, s);
	const char *chip = unifw_nvram_bt_default_chip(a);
	if (st == UNIFW_NVRAM_DEFAULT)
		fault(v, "android", "default_bt_address",
		      "the Bluetooth address is %s, MediaTek's default for the %s (CFG_BT_Default.h stBtDefault): every "
		      "phone without its own NVRAM has it", s, chip ? chip : "combo chip");
	else if (st != UNIFW_NVRAM_SET)
		fault(v, "android", "default_bt_address",
		      "the Bluetooth NVRAM file is %s: the phone comes up with MediaTek's default Bluetooth address "
		      "(nvram_daemon fills the record from CFG_BT_Default.h; its exact restore trigger is unconfirmed)",
		      unifw_nvram_addr_state_name(st));
}

static void judge_addresses(struct eval *v, const struct nv_view *nv, struct unifw_jv *f)
{
	enum unifw_nvram_addr_state wifi = nv->data_wifi ? unifw_nvram_wifi_mac_state(nv->data_mac)
				       : nv->bin_ok ? nv->bin_wifi_state : UNIFW_NVRAM_ABSENT;
	enum unifw_nvram_addr_state bt = nv->data_bt ? unifw_nvram_bt_addr_state(nv->data_btaddr)
				     : nv->bin_ok ? nv->bin_bt_state : UNIFW_NVRAM_ABSENT;
	const uint8_t *mac = nv->data_wifi ? nv->data_mac : nv->bin_mac;
	const uint8_t *bta = nv->data_bt ? nv->data_btaddr : nv->bin_btaddr;
	address_fact(f, "wifi_mac", wifi, mac);
	address_fact(f, "bt_address", bt, bta);
	judge_wifi_mac(v, wifi, mac);
	judge_bt_address(v, bt, bta);
}

static int stage_nvram(struct eval *v)
{
	struct nv_view nv = { 0 };
	read_data_nvram(v, &nv);
	int rc = read_binregion(v, &nv);
	if (rc)
		return rc;
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "nvram");
	unifw_jv_set_str(f, "source", nv.data_present ? "data" : nv.bin_ok ? "binregion" : "none");
	unifw_jv_set_bool(f, "binregion_valid", nv.bin_ok);
	bool imei = nv.data_imei || nv.bin_imei;
	unifw_jv_set_bool(f, "imei_record", imei);
	if (!imei)
		fault(v, "android", "imei_null",
		      "no IMEI record in /data/nvram nor in the NVRAM BinRegion (%s): the phone shows \"IMEI null\" and "
		      "has no network; only the phone's own NVRAM backup brings it back",
		      nv.bin_ok ? "it lacks md/NVRAM/NVD_IMEI/MP0B_001" : "the partition is blank or damaged");
	else if (!nv.bin_imei)
		note(v, "android", "binregion_without_imei",
		     "the NVRAM BinRegion holds no IMEI record: the IMEI lives only in /data/nvram and the next factory "
		     "reset or data format loses it (back the phone's NVRAM up now)");
	judge_addresses(v, &nv, f);
	return 0;
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
	int rc = stage_brom(v);
	if (rc == 0 && !v->halted)
		rc = stage_lk(v);
	if (rc == 0 && !v->halted)
		rc = stage_bootimg(v, &booted);
	if (rc == 0 && !v->halted && booted)
		rc = stage_kernel(v);
	if (rc == 0 && !v->halted && v->kernel) {
		check_touch(v);
		rc = stage_nvram(v);
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
	struct unifw_error local = { 0 };
	struct eval v = { .e = e, .m = model, .r = r, .err = err ? err : &local, .user = g->size[SIM_PART_USER] };
	memcpy(v.cid, g->cid, 16);
	r->model = model;
	r->facts = unifw_jv_object();
	model_facts(&v);
	if (g->model[0] && !model)
		note(&v, "brom", "unknown_model", "the image names model '%s', which this build does not know", g->model);
	int rc = run_stages(&v);
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
	int rc = stage_brom(&v);
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
