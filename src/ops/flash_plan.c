/* The flash plan: per scatter partition, write / skip / refuse and why, decided from the package and the
 * phone's facts alone (no I/O on the phone), so that every safety rule runs before a byte is sent.
 * The rules and their reason codes are documented in docs/flash.md. */
#include "ops/flash_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/emi.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/preloader.h"
#include "unifw/sparse.h"

/* Bytes hashed at each end of an image that carries no package SHA-256 (a large folder file). */
#define FINGERPRINT_EDGE (1u << 20)
#define MAX_DIFFS_IN_TEXT 4u

static const char *const identity_names[] = {"NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S"};

bool unifw_flash_is_identity(const char *name, const char *operation_type)
{
	for (size_t i = 0; i < sizeof identity_names / sizeof *identity_names; i++)
		if (name && !strcasecmp(name, identity_names[i]))
			return true;
	/* ptgen marks NVRAM as BINREGION and PRO_INFO/PROTECT_F/PROTECT_S as PROTECTED (formats.md). */
	return operation_type && (!strcasecmp(operation_type, "BINREGION") || !strcasecmp(operation_type, "PROTECTED"));
}

const char *unifw_flash_action_name(enum unifw_flash_action a)
{
	switch (a) {
	case UNIFW_FLASH_WRITE: return "write";
	case UNIFW_FLASH_SKIP: return "skip";
	case UNIFW_FLASH_REFUSE: return "refuse";
	}
	return "?";
}

const char *unifw_flash_form_name(enum unifw_flash_form f)
{
	switch (f) {
	case UNIFW_FLASH_FORM_RAW: return "raw";
	case UNIFW_FLASH_FORM_SPARSE: return "sparse";
	case UNIFW_FLASH_FORM_PRELOADER: return "preloader";
	case UNIFW_FLASH_FORM_PMT: return "pmt";
	case UNIFW_FLASH_FORM_NONE: break;
	}
	return "none";
}

static const char *hsize(uint64_t n, char *buf, size_t len) { return unifw_human_size(n, buf, len); }

static void set_reason(struct unifw_flash_entry *e, enum unifw_flash_action a, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_reason(struct unifw_flash_entry *e, enum unifw_flash_action a, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->action = a;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
}

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

/* ---------------------------------------------------------------- layout: scatter vs the phone */

static int add_diff(struct unifw_flash_plan *plan, const char *code, const char *name, uint64_t pkg_start,
		    uint64_t pkg_size, uint64_t ph_start, uint64_t ph_size, struct unifw_error *err)
{
	struct unifw_flash_layout_diff *v = realloc(plan->diffs, (plan->diff_count + 1) * sizeof *v);
	if (!v)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	plan->diffs = v;
	struct unifw_flash_layout_diff *d = &v[plan->diff_count++];
	char a[32], b[32];
	memset(d, 0, sizeof *d);
	d->code = code;
	snprintf(d->name, sizeof d->name, "%s", name);
	d->package_start = pkg_start;
	d->package_size = pkg_size;
	d->phone_start = ph_start;
	d->phone_size = ph_size;
	if (!strcmp(code, "missing_on_phone"))
		snprintf(d->text, sizeof d->text, "%s (package: at 0x%llx, %s) does not exist on the phone", name,
			 (unsigned long long)pkg_start, hsize(pkg_size, a, sizeof a));
	else if (!strcmp(code, "not_in_package"))
		snprintf(d->text, sizeof d->text, "%s (phone: at 0x%llx, %s) is not in the package's scatter", name,
			 (unsigned long long)ph_start, hsize(ph_size, a, sizeof a));
	else if (!strcmp(code, "start"))
		snprintf(d->text, sizeof d->text, "%s starts at 0x%llx in the package but at 0x%llx on the phone", name,
			 (unsigned long long)pkg_start, (unsigned long long)ph_start);
	else if (!strcmp(code, "size"))
		snprintf(d->text, sizeof d->text, "%s is %s in the package but %s on the phone", name,
			 hsize(pkg_size, a, sizeof a), hsize(ph_size, b, sizeof b));
	else
		snprintf(d->text, sizeof d->text,
			 "the phone's MBR/EBR puts %s at 0x%llx, where no partition of the package starts", name,
			 (unsigned long long)ph_start);
	return 0;
}

static const struct unifw_phone_part_entry *layout_find(const struct unifw_phone_layout *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcasecmp(l->part[i].name, name))
			return &l->part[i];
	return NULL;
}

static const struct unifw_scatter_part *scatter_at(const struct unifw_scatter *sc, uint64_t linear)
{
	for (size_t i = 0; i < sc->count; i++)
		if (sc->parts[i].linear_start == linear && !unifw_scatter_addr_is_from_end(linear))
			return &sc->parts[i];
	return NULL;
}

/* A partition the MBR/EBR lists but the PMT does not name (a phone without PMT): identify.c calls it
 * mmcblk0pN. Such entries are compared by position. */
static bool unnamed(const struct unifw_phone_part_entry *p)
{
	return !p->in_pmt && !strncmp(p->name, "mmcblk0p", 8);
}

static int compare_scatter_side(struct unifw_flash_plan *plan, const struct unifw_scatter *sc,
				const struct unifw_phone_layout *l, struct unifw_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < sc->count && !rc; i++) {
		const struct unifw_scatter_part *sp = &sc->parts[i];
		/* PRELOADER lives in boot1, outside the tables' address space. */
		if (!sp->name[0] || !strcasecmp(sp->name, "PRELOADER"))
			continue;
		const struct unifw_phone_part_entry *pe = layout_find(l, sp->name);
		if (!pe) {
			/* Without a PMT only MBR, EBRn and the ext4 partitions have names (by position). */
			if (l->have_pmt)
				rc = add_diff(plan, "missing_on_phone", sp->name, sp->linear_start, sp->size, 0, 0, err);
			continue;
		}
		uint64_t phone_linear = pe->offset + l->boot_region;
		/* 0xFFFFxxxx addresses count blocks from the end (BMTPOOL): the layout resolved them, the scatter
		 * keeps the raw form; both say "at the end", which is all that can be compared. */
		bool from_end = pe->from_end || unifw_scatter_addr_is_from_end(sp->linear_start);
		if (!from_end && phone_linear != sp->linear_start)
			rc = add_diff(plan, "start", sp->name, sp->linear_start, sp->size, phone_linear, pe->size, err);
		/* Sizes are the PMT's (the MBR's last entry only says "to the end of the disk"). */
		if (!rc && !from_end && pe->in_pmt && sp->size && pe->size && pe->size != sp->size)
			rc = add_diff(plan, "size", sp->name, sp->linear_start, sp->size, phone_linear, pe->size, err);
	}
	return rc;
}

static int compare_phone_side(struct unifw_flash_plan *plan, const struct unifw_scatter *sc,
			      const struct unifw_phone_layout *l, struct unifw_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < l->count && !rc; i++) {
		const struct unifw_phone_part_entry *pe = &l->part[i];
		if (pe->offset == UINT64_MAX)
			continue; /* PRELOADER (boot1) */
		uint64_t phone_linear = pe->offset + l->boot_region;
		if (unnamed(pe)) {
			if (!scatter_at(sc, phone_linear))
				rc = add_diff(plan, "mbr_start", pe->name, 0, 0, phone_linear, pe->size, err);
		} else if (!unifw_scatter_find(sc, pe->name)) {
			rc = add_diff(plan, "not_in_package", pe->name, 0, 0, phone_linear, pe->size, err);
		}
	}
	return rc;
}

static int check_layout(struct unifw_flash_plan *plan, const struct unifw_scatter *sc,
			const struct unifw_flash_facts *f, const char *scatter_name, struct unifw_error *err)
{
	int rc = 0;
	if (f->have_layout) {
		plan->layout_checked = true;
		rc = compare_scatter_side(plan, sc, &f->layout, err);
		if (!rc)
			rc = compare_phone_side(plan, sc, &f->layout, err);
		if (!f->layout.have_pmt)
			unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "no-pmt", scatter_name, 0, NULL,
					   "the phone returned no PMT: only the MBR/EBR partitions (by position) and the "
					   "tables themselves could be compared");
	} else {
		if (f->boot_region && f->boot_region != plan->boot_region)
			unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "boot-region-differs", scatter_name, 0,
					   NULL, "the package's layout starts its user area (MBR) at linear 0x%llx, the "
					   "phone's boot partitions end at 0x%llx: images go to linear address minus "
					   "0x%llx as the scatter says; a package made for this eMMC would agree",
					   (unsigned long long)plan->boot_region, (unsigned long long)f->boot_region,
					   (unsigned long long)plan->boot_region);
		unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "no-partition-table", scatter_name, 0, NULL,
				   "nothing to compare the package's layout with (%s): it is taken as it is and "
				   "written as the phone's PMT", f->layout_note[0] ? f->layout_note : "no PMT, no MBR");
	}
	if (rc || !plan->diff_count)
		return rc;
	char list[1024] = "";
	size_t used = 0;
	for (size_t i = 0; i < plan->diff_count && i < MAX_DIFFS_IN_TEXT; i++) {
		int w = snprintf(list + used, sizeof list - used, "%s%s", i ? "; " : "", plan->diffs[i].text);
		if (w < 0 || (size_t)w >= sizeof list - used)
			break;
		used += (size_t)w;
	}
	/* The meaning first, the list last: a finding holds 512 bytes and the plan's "layout" lists them all. */
	unifw_findings_add(
		&plan->findings, UNIFW_SEV_ERROR, "layout-changed", scatter_name, 0, NULL,
		"the package's scatter is not this phone's partition layout (SP Flash Tool: 8038 \"PMT changed\"). "
		"The phone finds its partitions through its own table: images written at the package's addresses "
		"would land in other partitions (NVRAM with the IMEI among them). Format All + Download would erase "
		"NVRAM; unifw writes nothing. %zu difference(s): %s%s",
		plan->diff_count, list, plan->diff_count > MAX_DIFFS_IN_TEXT ? "; ..." : "");
	return 0;
}

/* ---------------------------------------------------------------- preloader */

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

static int plan_preloader(struct unifw_flash_entry *e, const struct unifw_package *pkg,
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
			set_reason(e, UNIFW_FLASH_SKIP, "preloader_not_requested",
				   "the preloader is written only with --with-preloader (and this one cannot be checked: %s)",
				   unifw_error_format(&perr, m, sizeof m));
		else
			set_reason(e, UNIFW_FLASH_REFUSE, "preloader_unreadable",
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
		set_reason(e, UNIFW_FLASH_SKIP, "preloader_not_requested",
			   "the preloader is written only with --with-preloader; %s%s", fit.verdict,
			   fit.fits ? "" : ": do not write it to this phone");
		return 0;
	}
	if (fit.cid_unknown) {
		set_reason(e, UNIFW_FLASH_REFUSE, "cid_unknown", "%s: a preloader that cannot initialise the DRAM leaves "
			   "the phone dead until a BROM/test-point recovery", fit.verdict);
		return 0;
	}
	if (!fit.fits) {
		set_reason(e, UNIFW_FLASH_REFUSE, emi_refusal_code(fit.fit),
			   "%s: written, it could not initialise the phone's DRAM and the phone would be dead until a "
			   "BROM/test-point recovery (SP Flash Tool: 4032 S_FT_ENABLE_DRAM_FAIL at the next flash)",
			   fit.verdict);
		return 0;
	}
	if (fit.matches > 1)
		snprintf(e->warning, sizeof e->warning,
			 "%zu EMI entries match the phone's CID: newer preloaders then also compare the DRAM vendor and "
			 "ranks", fit.matches);
	set_reason(e, UNIFW_FLASH_WRITE, "write", "--with-preloader and %s; written to boot1 in its EMMC_BOOT form",
		   fit.verdict);
	return 0;
}

/* ---------------------------------------------------------------- one partition */

static int fingerprint(const struct unifw_package *pkg, const struct unifw_package_item *it, uint8_t out[32],
		       struct unifw_error *err)
{
	if (it->has_sha256) {
		memcpy(out, it->sha256, 32);
		return 0;
	}
	/* A large folder file the package did not hash: size and both ends identify it well enough to tie a
	 * journal to it (a changed file is also caught by the read-back of every range). */
	struct flash_image img;
	int rc = flash_image_open(pkg, it, &img, err);
	if (rc)
		return rc;
	uint8_t *buf = malloc(FINGERPRINT_EDGE);
	struct unifw_sha256 h;
	uint8_t sz[8];
	if (!buf || unifw_sha256_init(&h) < 0) {
		free(buf);
		flash_image_close(&img);
		return unifw_error_set(err, UNIFW_E_NOMEM, it->path, UNIFW_NO_OFFSET, "out of memory");
	}
	for (int i = 0; i < 8; i++)
		sz[i] = (uint8_t)(it->size >> (8 * i));
	unifw_sha256_update(&h, sz, sizeof sz);
	uint64_t head = it->size < FINGERPRINT_EDGE ? it->size : FINGERPRINT_EDGE;
	uint64_t tail_at = it->size > FINGERPRINT_EDGE ? it->size - FINGERPRINT_EDGE : 0;
	rc = unifw_stream_read_exact(&img.s, buf, (size_t)head, "image head", err);
	if (!rc)
		unifw_sha256_update(&h, buf, (size_t)head);
	if (!rc && tail_at >= head) {
		if (img.s.pread)
			rc = img.s.pread(img.s.ctx, buf, FINGERPRINT_EDGE, tail_at, err);
		else if (!(rc = unifw_stream_skip(&img.s, tail_at - head, err)))
			rc = unifw_stream_read_exact(&img.s, buf, FINGERPRINT_EDGE, "image tail", err);
		if (!rc)
			unifw_sha256_update(&h, buf, FINGERPRINT_EDGE);
	}
	unifw_sha256_final(&h, out);
	free(buf);
	flash_image_close(&img);
	return rc;
}

static bool is_boot1(const struct unifw_scatter_part *sp)
{
	return !strcasecmp(sp->region, "EMMC_BOOT_1") || (!sp->region[0] && !strcasecmp(sp->name, "PRELOADER"));
}

static bool is_table(const char *name)
{
	return !strcasecmp(name, "MBR") || !strncasecmp(name, "EBR", 3) || !strcasecmp(name, "PRELOADER");
}

/* Where the partition is, for every entry (skipped ones too, so that the plan shows it); an address the
 * user area cannot hold (0xFFFFxxxx, below the MBR) is UINT64_MAX. */
static void locate(struct unifw_flash_entry *e, const struct unifw_scatter_part *sp, uint64_t boot_region)
{
	bool boot1 = is_boot1(sp);
	e->part = boot1 ? UNIFW_PHONE_BOOT1 : UNIFW_PHONE_USER;
	if (boot1)
		e->offset = sp->linear_start;
	else if (unifw_scatter_addr_is_from_end(sp->linear_start) || sp->linear_start < boot_region)
		e->offset = UINT64_MAX;
	else
		e->offset = sp->linear_start - boot_region;
}

/* Where the partition is on the phone; false (with the entry refused or skipped) if nowhere writable. */
static bool place_entry(struct unifw_flash_entry *e, const struct unifw_scatter_part *sp, uint64_t boot_region)
{
	if (is_boot1(sp)) {
		e->part = UNIFW_PHONE_BOOT1;
		e->offset = sp->linear_start;
		return true;
	}
	if (sp->region[0] && strcasecmp(sp->region, "EMMC_USER")) {
		set_reason(e, UNIFW_FLASH_REFUSE, "unknown_region",
			   "region %s is not one unifw writes (EMMC_BOOT_1 or EMMC_USER)", sp->region);
		return false;
	}
	e->part = UNIFW_PHONE_USER;
	if (unifw_scatter_addr_is_from_end(sp->linear_start) || sp->linear_start < boot_region) {
		set_reason(e, UNIFW_FLASH_REFUSE, "bad_address",
			   "linear address 0x%llx is not in the user area (which starts at the MBR, 0x%llx)",
			   (unsigned long long)sp->linear_start, (unsigned long long)boot_region);
		return false;
	}
	e->offset = sp->linear_start - boot_region;
	return true;
}

/* Size and placement rules for an image that is otherwise to be written. */
static void check_fit(struct unifw_flash_entry *e, const struct unifw_flash_facts *f)
{
	char a[32], b[32];
	if (e->size && e->image_bytes > e->size) {
		set_reason(e, UNIFW_FLASH_REFUSE, "too_big",
			   "image %s is %s (%llu bytes%s) but partition %s holds %s (%llu bytes): written, it would run "
			   "%llu bytes into the next partition. SP Flash Tool refuses this with error 5056/5069; the "
			   "image is for another layout or damaged",
			   e->image, hsize(e->image_bytes, a, sizeof a), (unsigned long long)e->image_bytes,
			   e->form == UNIFW_FLASH_FORM_SPARSE ? " once unsparsed" :
			   e->form == UNIFW_FLASH_FORM_PRELOADER ? " with its EMMC_BOOT header" : "",
			   e->name, hsize(e->size, b, sizeof b), (unsigned long long)e->size,
			   (unsigned long long)(e->image_bytes - e->size));
		return;
	}
	uint64_t room = e->part == UNIFW_PHONE_BOOT1 ? f->boot1_size : f->user_size;
	if (room && (e->offset > room || e->image_bytes > room - e->offset)) {
		set_reason(e, UNIFW_FLASH_REFUSE, "beyond_device",
			   "%s would end at 0x%llx but the phone's %s is %s", e->name,
			   (unsigned long long)(e->offset + e->image_bytes),
			   e->part == UNIFW_PHONE_BOOT1 ? "boot1 partition" : "user area", hsize(room, a, sizeof a));
		return;
	}
	if (e->offset % UNIFW_FLASH_SECTOR)
		set_reason(e, UNIFW_FLASH_REFUSE, "unaligned",
			   "offset 0x%llx is not on a 512-byte sector: the DA writes whole sectors",
			   (unsigned long long)e->offset);
}

/* --include-identity: an identity image is written only when it is this phone's own (flash_provenance.c);
 * anything else is refused, with no option to override. On success `own` says why it may be written. */
static int check_identity_provenance(struct unifw_flash_entry *e, const struct unifw_package *pkg,
				     const struct unifw_package_item *it, const struct unifw_flash_facts *f, char *own,
				     size_t own_len, struct unifw_error *err)
{
	struct flash_provenance pv;
	struct unifw_error ierr;
	unifw_error_clear(&ierr);
	int rc = flash_identity_provenance(pkg, it, f->cid, &pv, &ierr);
	if (rc == UNIFW_E_NOMEM)
		return unifw_error_set(err, rc, it->path, UNIFW_NO_OFFSET, "out of memory");
	if (rc) {
		char m[600];
		set_reason(e, UNIFW_FLASH_REFUSE, "unreadable", "image %s cannot be read: %s", it->path,
			   unifw_error_format(&ierr, m, sizeof m));
		return 0;
	}
	if (pv.code)
		set_reason(e, UNIFW_FLASH_REFUSE, pv.code,
			   "%s. Identity images are written only from a unifw backup of this phone, whatever the options",
			   pv.why);
	else
		snprintf(own, own_len, "%s", pv.why);
	return 0;
}

static int plan_entry(struct unifw_flash_plan *plan, struct unifw_flash_entry *e, const struct unifw_package_partition *pp,
		      const struct unifw_flash_facts *f, struct unifw_error *err)
{
	const struct unifw_scatter_part *sp = pp->part;
	const struct unifw_flash_plan_opts *o = &plan->opts;
	snprintf(e->name, sizeof e->name, "%s", sp->name);
	e->pp = pp;
	e->linear = sp->linear_start;
	e->size = unifw_scatter_addr_is_from_end(sp->linear_start) ? 0 : sp->size;
	e->identity = unifw_flash_is_identity(sp->name, sp->operation_type);
	e->image = pp->item ? pp->item->path : NULL;
	e->image_size = pp->item ? pp->item->size : 0;
	e->image_bytes = pp->image_bytes;
	locate(e, sp, plan->boot_region);
	if (!sp->is_download)
		set_reason(e, UNIFW_FLASH_SKIP, "not_downloaded", "the scatter marks it is_download: false");
	else if (!pp->item && !strcmp(pp->status, "no_image"))
		set_reason(e, UNIFW_FLASH_SKIP, "no_image", "the scatter names no image for it (file_name: NONE)");
	else if (!pp->item)
		set_reason(e, UNIFW_FLASH_SKIP, "missing_image",
			   "%s (file_name) is not in the package: the partition stays as it is on the phone",
			   sp->file_name);
	else if (e->identity && !o->include_identity)
		set_reason(e, UNIFW_FLASH_SKIP, "identity",
			   "identity partition (IMEI, calibration, MAC addresses live here): kept as it is unless "
			   "--include-identity; it is backed up before the first write either way");
	if (e->code)
		return 0;
	char own[480] = "";
	if (e->identity) {
		int rc = check_identity_provenance(e, plan->pkg, pp->item, f, own, sizeof own, err);
		if (rc || e->code)
			return rc;
	}
	if (!place_entry(e, sp, plan->boot_region))
		return 0;
	if (!strcmp(pp->status, "unreadable")) {
		set_reason(e, UNIFW_FLASH_REFUSE, "unreadable", "image %s cannot be read: %s", e->image,
			   pp->item->error ? pp->item->error : "unknown error");
		return 0;
	}
	if (!strcmp(pp->status, "wrong_platform")) {
		set_reason(e, UNIFW_FLASH_REFUSE, "wrong_platform",
			   "image %s is a preloader for another chip (package: %s): it cannot boot this phone", e->image,
			   plan->pkg->chosen->sc.platform);
		return 0;
	}
	if (!strcmp(pp->status, "wrong_type")) {
		if (is_table(sp->name)) {
			set_reason(e, UNIFW_FLASH_REFUSE, "wrong_type",
				   "image %s is %s content, not what %s must hold: the phone would not boot", e->image,
				   pp->item->type, sp->name);
			return 0;
		}
		snprintf(e->warning, sizeof e->warning, "image content is %s, unusual for %s", pp->item->type, sp->name);
	}
	if (e->part == UNIFW_PHONE_BOOT1) {
		int rc = plan_preloader(e, plan->pkg, f, o, err);
		if (rc || e->action != UNIFW_FLASH_WRITE)
			return rc;
	} else {
		e->form = !strcmp(pp->item->type, "sparse") ? UNIFW_FLASH_FORM_SPARSE : UNIFW_FLASH_FORM_RAW;
		struct unifw_error ferr;
		unifw_error_clear(&ferr);
		if (fingerprint(plan->pkg, pp->item, e->fingerprint, &ferr) < 0) {
			char m[600];
			set_reason(e, UNIFW_FLASH_REFUSE, "unreadable", "image %s cannot be read: %s", e->image,
				   unifw_error_format(&ferr, m, sizeof m));
			return 0;
		}
		set_reason(e, UNIFW_FLASH_WRITE, "write", "%s image %s%s%.480s",
			   e->form == UNIFW_FLASH_FORM_SPARSE ? "sparse" : "raw", e->image, own[0] ? ": " : "", own);
	}
	check_fit(e, f);
	return 0;
}

/* ---------------------------------------------------------------- a PMT for a phone without one */

/* The phone's preloader and LK find LK, boot and the rest through the PMT; SP Flash Tool's DA writes one
 * during a download. A phone without one (blank, wiped) gets the package's layout as a PMT, written last
 * (an interrupted flash then leaves the phone in download mode, not booting half a firmware). */
static int plan_pmt(struct unifw_flash_plan *plan, const struct unifw_scatter *sc, const struct unifw_flash_facts *f,
		    struct unifw_error *err)
{
	struct unifw_flash_entry *e = &plan->entries[plan->count++];
	uint8_t *buf = malloc(UNIFW_FLASH_PMT_BYTES);
	struct unifw_error perr;
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, "PMT", UNIFW_NO_OFFSET, "out of memory");
	snprintf(e->name, sizeof e->name, "PMT");
	e->part = UNIFW_PHONE_USER;
	e->offset = unifw_pmt_location(f->user_size);
	e->linear = e->offset + plan->boot_region;
	e->size = e->image_bytes = UNIFW_FLASH_PMT_BYTES;
	e->form = UNIFW_FLASH_FORM_PMT;
	unifw_error_clear(&perr);
	if (!f->user_size) {
		set_reason(e, UNIFW_FLASH_REFUSE, "pmt_unplaced",
			   "the phone has no PMT and its user-area size is unknown, so a new one cannot be placed");
	} else if (flash_pmt_from_scatter(sc, buf, &perr)) {
		set_reason(e, UNIFW_FLASH_REFUSE, "pmt_unbuildable", "the phone has no PMT and the scatter's cannot be "
			   "built: %s", perr.msg);
	} else {
		unifw_sha256(buf, UNIFW_FLASH_PMT_BYTES, e->fingerprint);
		set_reason(e, UNIFW_FLASH_WRITE, "write_pmt",
			   "the phone has no PMT: the package's layout is written as one, last (SP Flash Tool's DA does "
			   "the same), else the preloader finds no LK");
		for (size_t i = 0; i < plan->count - 1; i++) {
			const struct unifw_flash_entry *w = &plan->entries[i];
			if (w->action != UNIFW_FLASH_SKIP && w->part == UNIFW_PHONE_USER && w->offset < e->offset + e->size &&
			    e->offset < w->offset + w->image_bytes)
				set_reason(e, UNIFW_FLASH_REFUSE, "pmt_overlap",
					   "the phone has no PMT, and the place of a new one (user-area offset 0x%llx) "
					   "lies inside %s, which this flash writes", (unsigned long long)e->offset, w->name);
		}
	}
	free(buf);
	return 0;
}

/* ---------------------------------------------------------------- plan hash */

static void hash_line(struct unifw_sha256 *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hash_line(struct unifw_sha256 *h, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		unifw_sha256_update(h, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* The identity of a job: phone, options that change what is written, and per partition the decision,
 * where it goes and what is written there. The phone's tables are not part of it: they passed the check
 * before the first write and a cut MBR write must not block its own resume. */
static int plan_hash(struct unifw_flash_plan *plan, struct unifw_error *err)
{
	struct unifw_sha256 h;
	char cid[33], fp[65];
	if (unifw_sha256_init(&h) < 0)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	flash_cid_hex(plan->cid, cid);
	hash_line(&h, "unifw-flash-plan 1\ncid %s\nwith_preloader %d include_identity %d range %llu\nboot_region %llx\n",
		  cid, plan->opts.with_preloader, plan->opts.include_identity, (unsigned long long)plan->opts.range_size,
		  (unsigned long long)plan->boot_region);
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_flash_entry *e = &plan->entries[i];
		unifw_hex(e->fingerprint, 32, fp);
		hash_line(&h, "%s %s %s part %d off %llx bytes %llu form %d image %s fp %s\n", e->name,
			  unifw_flash_action_name(e->action), e->code, (int)e->part, (unsigned long long)e->offset,
			  (unsigned long long)e->image_bytes, (int)e->form, e->image ? e->image : "-",
			  e->action == UNIFW_FLASH_WRITE ? fp : "-");
	}
	unifw_sha256_final(&h, plan->sha256);
	return 0;
}

/* ---------------------------------------------------------------- the plan */

static int check_package(struct unifw_flash_plan *plan, const struct unifw_package *pkg, struct unifw_error *err)
{
	/* A folder with a scatter and a unifw backup manifest (kind backup) drives a download like any package;
	 * the manifest is what lets its identity images through (flash_provenance.c). */
	if ((pkg->kind != UNIFW_PACKAGE_FIRMWARE && pkg->kind != UNIFW_PACKAGE_BACKUP) || !pkg->chosen ||
	    !pkg->chosen->parsed)
		return unifw_error_set(err, UNIFW_E_INVALID, pkg->path, UNIFW_NO_OFFSET,
				       "not a firmware package: expected a folder or archive with a scatter file and its "
				       "images, found a %s", unifw_package_type(pkg));
	const struct unifw_scatter *sc = &pkg->chosen->sc;
	if (sc->dialect != UNIFW_SCATTER_V1)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, pkg->chosen->item->path, UNIFW_NO_OFFSET,
				       "this scatter (%s style) names no image files, so it cannot drive a download",
				       unifw_scatter_dialect_name(sc->dialect));
	if (!strcasecmp(sc->storage, "NAND"))
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, pkg->chosen->item->path, UNIFW_NO_OFFSET,
				       "NAND packages are not supported: unifw flashes eMMC phones");
	plan->boot_region = unifw_scatter_boot_region(sc);
	if (!plan->boot_region)
		return unifw_error_set(err, UNIFW_E_FORMAT, pkg->chosen->item->path, UNIFW_NO_OFFSET,
				       "the scatter has no MBR partition, so the start of the user area is unknown");
	return 0;
}

int unifw_flash_plan(const struct unifw_package *pkg, const struct unifw_flash_facts *facts,
		     const struct unifw_flash_plan_opts *opts, struct unifw_flash_plan *plan, struct unifw_error *err)
{
	memset(plan, 0, sizeof *plan);
	if (!pkg || !facts || !opts)
		return unifw_error_set(err, UNIFW_E_INVALID, "plan", UNIFW_NO_OFFSET, "missing package, facts or options");
	plan->opts = *opts;
	if (!plan->opts.range_size)
		plan->opts.range_size = UNIFW_FLASH_RANGE_DEFAULT;
	if (!unifw_flash_range_size_ok(plan->opts.range_size))
		return unifw_error_set(err, UNIFW_E_INVALID, "range size", UNIFW_NO_OFFSET,
				       "expected a multiple of 512 up to %llu, found %llu",
				       (unsigned long long)UNIFW_FLASH_RANGE_MAX, (unsigned long long)plan->opts.range_size);
	plan->pkg = pkg;
	memcpy(plan->cid, facts->cid, 16);
	int rc = check_package(plan, pkg, err);
	if (rc)
		return rc;
	const struct unifw_scatter *sc = &pkg->chosen->sc;
	const char *scatter_name = pkg->chosen->item->path;
	plan->entries = calloc(pkg->part_count + 1, sizeof *plan->entries); /* + a PMT for a phone without one */
	if (!plan->entries)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	plan->count = pkg->part_count;
	rc = check_layout(plan, sc, facts, scatter_name, err);
	for (size_t i = 0; i < plan->count && !rc; i++)
		rc = plan_entry(plan, &plan->entries[i], &pkg->parts[i], facts, err);
	if (!rc && (!facts->have_layout || !facts->layout.have_pmt || opts->force_pmt))
		rc = plan_pmt(plan, sc, facts, err);
	if (!rc)
		flash_plan_identity_regions(plan, facts);
	if (!rc)
		rc = flash_plan_scatter_overlaps(plan, sc, scatter_name, err);
	if (!rc)
		for (size_t i = 0; i < plan->count; i++) {
			const struct unifw_flash_entry *e = &plan->entries[i];
			plan->refusals += e->action == UNIFW_FLASH_REFUSE;
			if (e->action == UNIFW_FLASH_WRITE) {
				plan->writes++;
				plan->write_bytes += e->image_bytes;
			}
		}
	plan->refusals += unifw_findings_count(&plan->findings, UNIFW_SEV_ERROR);
	if (!rc && !plan->writes && !plan->refusals)
		unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "nothing-to-write", scatter_name, 0, NULL,
				   "no partition of this package is to be written");
	if (!rc)
		rc = plan_hash(plan, err);
	if (rc)
		unifw_flash_plan_free(plan);
	return rc;
}

void unifw_flash_plan_free(struct unifw_flash_plan *plan)
{
	free(plan->entries);
	free(plan->diffs);
	unifw_findings_free(&plan->findings);
	memset(plan, 0, sizeof *plan);
}

/* ---------------------------------------------------------------- JSON */

struct unifw_jv *unifw_flash_plan_to_json(const struct unifw_flash_plan *plan)
{
	struct unifw_jv *o = unifw_jv_object();
	char hex[65];
	unifw_jv_set_str(o, "type", "flash_plan");
	if (plan->pkg) {
		unifw_jv_set_str(o, "package", plan->pkg->path);
		if (plan->pkg->chosen)
			unifw_jv_set_str(o, "scatter", plan->pkg->chosen->item->path);
	}
	flash_cid_hex(plan->cid, hex);
	unifw_jv_set_str(o, "cid", hex);
	unifw_jv_set_bool(o, "ok", plan->refusals == 0);
	unifw_jv_set_uint(o, "refusals", plan->refusals);
	unifw_jv_set_uint(o, "writes", plan->writes);
	unifw_jv_set_uint(o, "write_bytes", plan->write_bytes);
	unifw_jv_set_hex(o, "boot_region", plan->boot_region);
	unifw_hex(plan->sha256, 32, hex);
	unifw_jv_set_str(o, "plan_sha256", hex);
	struct unifw_jv *opt = unifw_jv_set_obj(o, "options");
	unifw_jv_set_str(opt, "type", "flash_options");
	unifw_jv_set_bool(opt, "with_preloader", plan->opts.with_preloader);
	unifw_jv_set_bool(opt, "include_identity", plan->opts.include_identity);
	unifw_jv_set_bool(opt, "verify", plan->opts.verify);
	unifw_jv_set_uint(opt, "range_size", plan->opts.range_size);
	struct unifw_jv *parts = unifw_jv_set_arr(o, "partitions");
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_flash_entry *e = &plan->entries[i];
		struct unifw_jv *p = unifw_jv_push_obj(parts);
		unifw_jv_set_str(p, "type", "plan_partition");
		unifw_jv_set_str(p, "name", e->name);
		unifw_jv_set_str(p, "action", unifw_flash_action_name(e->action));
		unifw_jv_set_str(p, "code", e->code ? e->code : "");
		unifw_jv_set_str(p, "reason", e->reason);
		if (e->warning[0])
			unifw_jv_set_str(p, "warning", e->warning);
		unifw_jv_set_bool(p, "identity", e->identity);
		unifw_jv_set_str(p, "region", e->part == UNIFW_PHONE_BOOT1 ? "EMMC_BOOT_1" : "EMMC_USER");
		unifw_jv_set_hex(p, "linear", e->linear);
		if (e->offset == UINT64_MAX)
			unifw_jv_set(p, "offset", NULL);
		else
			unifw_jv_set_hex(p, "offset", e->offset);
		unifw_jv_set_uint(p, "size", e->size);
		if (e->image) {
			unifw_jv_set_str(p, "file", e->image);
			unifw_jv_set_uint(p, "file_size", e->image_size);
			unifw_jv_set_uint(p, "written_size", e->image_bytes);
		} else {
			unifw_jv_set(p, "file", NULL);
		}
		unifw_jv_set_str(p, "form", unifw_flash_form_name(e->form));
	}
	struct unifw_jv *lay = unifw_jv_set_obj(o, "layout");
	unifw_jv_set_str(lay, "type", "layout");
	unifw_jv_set_bool(lay, "checked", plan->layout_checked);
	struct unifw_jv *diffs = unifw_jv_set_arr(lay, "differences");
	for (size_t i = 0; i < plan->diff_count; i++) {
		const struct unifw_flash_layout_diff *d = &plan->diffs[i];
		struct unifw_jv *x = unifw_jv_push_obj(diffs);
		unifw_jv_set_str(x, "type", "layout_difference");
		unifw_jv_set_str(x, "code", d->code);
		unifw_jv_set_str(x, "name", d->name);
		unifw_jv_set_hex(x, "package_start", d->package_start);
		unifw_jv_set_uint(x, "package_size", d->package_size);
		unifw_jv_set_hex(x, "phone_start", d->phone_start);
		unifw_jv_set_uint(x, "phone_size", d->phone_size);
		unifw_jv_set_str(x, "text", d->text);
	}
	unifw_idregions_to_json(&plan->identity_regions, unifw_jv_set_obj(o, "identity_regions"));
	unifw_jv_set(o, "findings", unifw_findings_to_json(&plan->findings));
	return o;
}
