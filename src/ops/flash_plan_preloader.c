/* The flash plan's preloader rules: a preloader is written (or offered for DRAM setup) only when its EMI
 * table lists the phone's memory part (moved out of flash_plan.c along its section seam, issue 10).
 * Rules and reason codes: docs/flash.md. */
#include "ops/flash_internal.h"
#include "ops/flash_plan_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/emi.h"
#include "unifw/preloader.h"

static bool cid_known(const uint8_t cid[16])
{
	for (int i = 0; i < 16; i++)
		if (cid[i])
			return true;
	return false;
}

/* "Samsung N5U00M (15 01 00 4e 35 55 30 30 4d)" for the first 9 ID bytes (MID, CBX, OID, PNM). */
static void describe_part_id(const uint8_t *id, size_t id_len, char *out, size_t len)
{
	char pnm[7], hex[3 * 16 + 1] = "";
	const char *mfr = unifw_emi_mid_name(id[0]);
	for (int i = 0; i < 6; i++)
		pnm[i] = (id[3 + i] >= 0x20 && id[3 + i] < 0x7F) ? (char)id[3 + i] : '.';
	pnm[6] = 0;
	if (id_len > 16)
		id_len = 16;
	size_t used = 0;
	for (size_t i = 0; i < id_len; i++)
		used += (size_t)snprintf(hex + used, sizeof hex - used, "%s%02x", i ? " " : "", id[i]);
	if (mfr)
		snprintf(out, len, "%s %s (%s)", mfr, pnm, hex);
	else
		snprintf(out, len, "MID 0x%02x %s (%s)", id[0], pnm, hex);
}


struct preloader_fit {
	bool fits;
	bool cid_unknown;
	enum unifw_emi_fit fit;
	size_t matches;
	char verdict[640];
};

/* "3 memory part(s) (Samsung N5U00M (...), ...)" for the first four entries of a table. */
static void describe_parts(const struct unifw_emi_entry *entries, size_t count, char *out, size_t len)
{
	char parts[280] = "";
	size_t used = 0;
	for (size_t i = 0; i < count && i < 4; i++) {
		char one[96];
		describe_part_id(entries[i].id, entries[i].id_length ? entries[i].id_length : 9, one, sizeof one);
		int w = snprintf(parts + used, sizeof parts - used, "%s%s", i ? ", " : "", one);
		if (w < 0 || (size_t)w >= sizeof parts - used)
			break;
		used += (size_t)w;
	}
	snprintf(out, len, "%zu memory part(s) (%s%s)", count, parts, count > 4 ? ", ..." : "");
}

/* The verdict names the table that fails: the MTK_BLOADER_INFO tag is what flash tools read, the compiled
 * emi_settings[] is what the preloader runs at power-on (MT6572 mt_emi.c: mt_set_emi takes
 * emi_settings[mt_get_mdl_number()]); a preloader is fit only when both list the part, agreeing. */
static void fit_verdict(const struct unifw_emi_table *t, const struct unifw_emi_compiled *c,
			const struct unifw_emi_fit_result *r, const char *phone, struct preloader_fit *out)
{
	char tag_parts[320], comp_parts[320];
	describe_parts(t->entry, t->count, tag_parts, sizeof tag_parts);
	describe_parts(c->entry, c->count, comp_parts, sizeof comp_parts);
	switch (r->fit) {
	case UNIFW_EMI_FIT_OK:
		snprintf(out->verdict, sizeof out->verdict,
			 "its EMI table lists the phone's memory part %s (entry %zu of %zu) and its compiled "
			 "emi_settings[] agrees (entry %zu of %u)", phone, r->tag_index, t->count, r->compiled_index,
			 c->count);
		break;
	case UNIFW_EMI_FIT_NEITHER:
		snprintf(out->verdict, sizeof out->verdict, "its EMI table lists %s but not the phone's %s%s", tag_parts,
			 phone, c->count ? " (nor does its compiled emi_settings[])" : "");
		break;
	case UNIFW_EMI_FIT_TAG_LACKS:
		snprintf(out->verdict, sizeof out->verdict,
			 "its EMI table (MTK_BLOADER_INFO tag) lists %s but not the phone's %s, while its compiled "
			 "emi_settings[] does (entry %zu): the two tables disagree, the preloader is not what its tag "
			 "says", tag_parts, phone, r->compiled_index);
		break;
	case UNIFW_EMI_FIT_COMPILED_LACKS:
		snprintf(out->verdict, sizeof out->verdict,
			 "its EMI table (MTK_BLOADER_INFO tag) lists the phone's %s (entry %zu) but the compiled "
			 "emi_settings[] the preloader runs at power-on lists %s and not that part", phone,
			 r->tag_index, comp_parts);
		break;
	case UNIFW_EMI_FIT_DISAGREE:
		snprintf(out->verdict, sizeof out->verdict,
			 "both its EMI table (MTK_BLOADER_INFO tag, entry %zu) and its compiled emi_settings[] (entry "
			 "%zu) list the phone's %s, but with different DRAM settings: the preloader would run the "
			 "compiled ones, which no flash tool checks", r->tag_index, r->compiled_index, phone);
		break;
	case UNIFW_EMI_FIT_COMPILED_MISSING:
		snprintf(out->verdict, sizeof out->verdict,
			 "its EMI table (MTK_BLOADER_INFO tag) lists the phone's %s (entry %zu) but no compiled "
			 "emi_settings[] was found, so the table the preloader runs at power-on cannot be checked",
			 phone, r->tag_index);
		break;
	}
}

static int emi_fit(const uint8_t *buf, size_t len, const char *name, const struct unifw_flash_facts *f,
		   struct unifw_emi_table *t, struct unifw_emi_compiled *c, struct preloader_fit *out,
		   struct unifw_error *err)
{
	struct unifw_preloader pl;
	char phone[96];
	int rc = unifw_preloader_parse(buf, len, name, &pl, err);
	if (!rc && !pl.has_emi)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, name, UNIFW_NO_OFFSET,
				     "no EMI (DRAM) table (MTK_BLOADER_INFO) in the preloader");
	if (!rc)
		rc = unifw_preloader_emi_table(buf, len, &pl, t, err);
	if (rc)
		return rc;
	struct unifw_error cerr;
	bool have_compiled = unifw_preloader_emi_compiled(buf, len, &pl, c, &cerr) == 0;
	const uint8_t *cid = f->cid;
	if (!cid_known(cid) && cid_known(f->dram_info))
		cid = f->dram_info; /* the DA's DRAM info carries the same leading CID bytes */
	if (!cid_known(cid)) {
		out->cid_unknown = true;
		snprintf(out->verdict, sizeof out->verdict,
			 "the phone's eMMC CID is unknown, so its memory part cannot be checked against the EMI table");
		return 0;
	}
	describe_part_id(cid, 9, phone, sizeof phone);
	struct unifw_emi_fit_result r;
	out->fit = unifw_emi_check_fit(t, have_compiled ? c : NULL, cid, &r);
	out->fits = out->fit == UNIFW_EMI_FIT_OK;
	out->matches = unifw_emi_count_cid_matches(t, cid);
	fit_verdict(t, c, &r, phone, out);
	return 0;
}

/* Do the package preloader's EMI tables (tag and compiled) list the phone's memory part? */
static int preloader_fit(const uint8_t *buf, size_t len, const char *name, const struct unifw_flash_facts *f,
			 struct preloader_fit *out, struct unifw_error *err)
{
	struct unifw_emi_table *t = malloc(sizeof *t); /* ~11 KiB each: kept off the stack */
	struct unifw_emi_compiled *c = calloc(1, sizeof *c);
	memset(out, 0, sizeof *out);
	int rc = t && c ? emi_fit(buf, len, name, f, t, c, out, err)
			: unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	free(t);
	free(c);
	return rc;
}

/* The refusal code of a preloader that does not fit: which table failed (docs/flash.md). */
static const char *emi_refusal_code(enum unifw_emi_fit fit)
{
	switch (fit) {
	case UNIFW_EMI_FIT_COMPILED_LACKS:
	case UNIFW_EMI_FIT_DISAGREE: return "emi_settings_mismatch";
	case UNIFW_EMI_FIT_COMPILED_MISSING: return "emi_settings_missing";
	case UNIFW_EMI_FIT_TAG_LACKS:
	case UNIFW_EMI_FIT_NEITHER:
	case UNIFW_EMI_FIT_OK: break;
	}
	return "emi_mismatch";
}

int flash_plan_preloader(struct unifw_flash_entry *e, const struct unifw_package *pkg,
			  const struct unifw_flash_facts *f, const struct unifw_flash_plan_opts *o, struct unifw_error *err)
{
	uint8_t *buf = NULL, *wrapped = NULL;
	size_t len = 0, wlen = 0;
	struct preloader_fit fit;
	struct unifw_error perr;
	unifw_error_clear(&perr);
	int rc = flash_image_read_all(pkg, e->pp->item, UNIFW_FLASH_MAX_PRELOADER, &buf, &len, &perr);
	if (!rc)
		rc = preloader_fit(buf, len, e->image, f, &fit, &perr);
	if (!rc)
		rc = unifw_flash_wrap_preloader(buf, len, e->image, &wrapped, &wlen, &perr);
	if (rc) {
		char m[600];
		if (!o->with_preloader)
			flash_plan_reason(e, UNIFW_FLASH_SKIP, "preloader_not_requested",
				   "the preloader is written only with --with-preloader (and this one cannot be checked: %s)",
				   unifw_error_format(&perr, m, sizeof m));
		else
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "preloader_unreadable",
				   "the preloader cannot be checked, so it is not written: %s",
				   unifw_error_format(&perr, m, sizeof m));
		free(buf);
		return rc == UNIFW_E_NOMEM ? unifw_error_set(err, rc, e->image, UNIFW_NO_OFFSET, "out of memory") : 0;
	}
	unifw_sha256(buf, len, e->fingerprint);
	e->image_bytes = wlen;
	e->form = UNIFW_FLASH_FORM_PRELOADER;
	free(buf);
	free(wrapped);
	if (!o->with_preloader) {
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "preloader_not_requested",
			   "the preloader is written only with --with-preloader; %s%s", fit.verdict,
			   fit.fits ? "" : ": do not write it to this phone");
		return 0;
	}
	if (fit.cid_unknown) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "cid_unknown", "%s: a preloader that cannot initialise the DRAM leaves "
			   "the phone dead until a BROM/test-point recovery", fit.verdict);
		return 0;
	}
	if (!fit.fits) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, emi_refusal_code(fit.fit),
			   "%s: written, it could not initialise the phone's DRAM and the phone would be dead until a "
			   "BROM/test-point recovery (SP Flash Tool: 4032 S_FT_ENABLE_DRAM_FAIL at the next flash)",
			   fit.verdict);
		return 0;
	}
	if (fit.matches > 1)
		unifw_snprintf_words(e->warning, sizeof e->warning,
			 "%zu EMI entries match the phone's CID: newer preloaders then also compare the DRAM vendor and "
			 "ranks", fit.matches);
	flash_plan_reason(e, UNIFW_FLASH_WRITE, "write", "--with-preloader and %s; written to boot1 in its EMMC_BOOT form",
		   fit.verdict);
	return 0;
}

