/* The flash plan: per scatter partition, write / skip / refuse and why, decided from the package and the
 * phone's facts alone (no I/O on the phone), so that every safety rule runs before a byte is sent.
 * The rules and their reason codes are documented in docs/flash.md. */
#include "ops/flash_internal.h"
#include "ops/flash_plan_internal.h"
#include "ops/flash_repartition.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/check.h"
#include "unifw/emi.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/partname.h"
#include "unifw/preloader.h"
#include "unifw/sparse.h"

/* Bytes hashed at each end of an image that carries no package SHA-256 (a large folder file). */
#define FINGERPRINT_EDGE (1u << 20)

static const char *const identity_names[] = {"NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S"};

bool unifw_flash_is_identity(const char *name, const char *operation_type)
{
	for (size_t i = 0; i < sizeof identity_names / sizeof *identity_names; i++)
		if (name && !strcasecmp(name, identity_names[i]))
			return true;
	/* ptgen marks NVRAM as BINREGION and PRO_INFO/PROTECT_F/PROTECT_S as PROTECTED (docs/format-scatter.md). */
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
	case UNIFW_FLASH_FORM_CARRY: return "carry";
	case UNIFW_FLASH_FORM_ZERO: return "zero";
	case UNIFW_FLASH_FORM_NONE: break;
	}
	return "none";
}

void flash_plan_reason(struct unifw_flash_entry *e, enum unifw_flash_action a, const char *code, const char *fmt, ...)
{
	va_list ap;
	e->action = a;
	e->code = code;
	va_start(ap, fmt);
	unifw_vsnprintf_words(e->reason, sizeof e->reason, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- one partition */

int flash_plan_fingerprint(const struct unifw_package *pkg, const struct unifw_package_item *it, uint8_t out[32],
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
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "unknown_region",
			   "region %s is not one unifw writes (EMMC_BOOT_1 or EMMC_USER)", sp->region);
		return false;
	}
	e->part = UNIFW_PHONE_USER;
	if (unifw_scatter_addr_is_from_end(sp->linear_start) || sp->linear_start < boot_region) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "bad_address",
			   "linear address 0x%llx is not in the user area (which starts at the MBR, 0x%llx)",
			   (unsigned long long)sp->linear_start, (unsigned long long)boot_region);
		return false;
	}
	e->offset = sp->linear_start - boot_region;
	return true;
}

/* Size and placement rules for an image that is otherwise to be written. */
void flash_plan_check_fit(struct unifw_flash_entry *e, const struct unifw_flash_facts *f)
{
	char a[32], b[32];
	if (e->size && e->image_bytes > e->size) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "too_big",
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
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "beyond_device",
			   "%s would end at 0x%llx but the phone's %s is %s", e->name,
			   (unsigned long long)(e->offset + e->image_bytes),
			   e->part == UNIFW_PHONE_BOOT1 ? "boot1 partition" : "user area", hsize(room, a, sizeof a));
		return;
	}
	if (e->offset % UNIFW_FLASH_SECTOR)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "unaligned",
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
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "unreadable", "image %s cannot be read: %s", it->path,
			   unifw_error_format(&ierr, m, sizeof m));
		return 0;
	}
	if (pv.code)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, pv.code,
			   "%s. Identity images are written only from a unifw backup of this phone, whatever the options",
			   pv.why);
	else
		snprintf(own, own_len, "%s", pv.why);
	return 0;
}

bool flash_plan_selected(const struct unifw_flash_plan_opts *o, const char *name)
{
	if (!o->only[0])
		return true;
	char list[sizeof o->only], *save = NULL;
	snprintf(list, sizeof list, "%s", o->only);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (unifw_partname_matches(t, name))
			return true;
	return false;
}

/* A donor's USRDATA and FAT are its owner's files; USRDATA also holds /data/nvram, the working copy of the
 * donor's identity that nvram_daemon uses before the NVRAM partition (docs/sim.md "Boot evaluation"). */
static bool is_user_data(const char *name)
{
	return !strcasecmp(name, "USRDATA") || !strcasecmp(name, "FAT");
}

/* The skip rules that come before any look at the image: --only, the scatter's download flag (which a
 * restore overrides: the whole phone goes back), a missing image (a restore refuses: the backup is
 * incomplete), the identity partitions (a restore of this phone's own backup writes them; a donor's never)
 * and a donor's user data. */
static void plan_skips(const struct unifw_flash_plan *plan, struct unifw_flash_entry *e,
		       const struct unifw_package_partition *pp, const struct unifw_flash_facts *f)
{
	const struct unifw_scatter_part *sp = pp->part;
	const struct unifw_flash_plan_opts *o = &plan->opts;
	bool restoring = flash_restoring(plan), donor = plan->mode == UNIFW_FLASH_MODE_DONOR;
	const char *backup_cid = plan->backup_cid[0] ? plan->backup_cid : "(unknown)";
	char cid[33];
	flash_cid_hex(f->cid, cid);
	if (!flash_plan_selected(o, sp->name))
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "not_selected", "not selected: --only names %s", o->only);
	else if (donor && e->identity && !o->include_identity)
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "donor_identity",
			   "donor backup of CID %s: this phone keeps its own identity (CID %s); the backup's %s is "
			   "another phone's IMEI record and calibration and is never written here",
			   backup_cid, cid, pp->item ? pp->item->path : sp->file_name);
	/* a donor's identity image asked for with --include-identity goes on to the provenance rule, which
	 * refuses it as another phone's (identity_other_phone) */
	else if (!sp->is_download && plan->mode != UNIFW_FLASH_MODE_RESTORE && !(donor && e->identity))
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "not_downloaded", "the scatter marks it is_download: false%s",
				  donor ? " (a donor gives its firmware, not the rest of its phone)" : "");
	else if (!pp->item && !strcmp(pp->status, "no_image"))
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "no_image", "the scatter names no image for it (file_name: NONE)");
	else if (donor && is_user_data(sp->name))
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "donor_user_data",
			   "donor backup of CID %s: its user data stays off this phone (%s), which keeps its own: "
			   "USRDATA also holds /data/nvram, the donor's working copy of its identity", backup_cid,
			   pp->item ? pp->item->path : sp->file_name);
	else if (!pp->item && restoring)
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "backup_file_missing",
			   "%s (file_name) is not in the backup folder: the backup is incomplete, nothing is written",
			   sp->file_name);
	else if (!pp->item)
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "missing_image",
			   "%s (file_name) is not in the package: the partition stays as it is on the phone",
			   sp->file_name);
	else if (e->identity && plan->mode != UNIFW_FLASH_MODE_RESTORE && !o->include_identity)
		flash_plan_reason(e, UNIFW_FLASH_SKIP, "identity",
			   "identity partition (IMEI, calibration, MAC addresses live here): kept as it is unless "
			   "--include-identity; it is backed up before the first write either way");
}

/* The phone's chip: unifw flashes MT6572 phones (the BROM/DA handshake already said so). */
#define UNIFW_FLASH_PLATFORM "MT6572"

/* AND_ROMINFO platform of a preloader image, as the package's describe found it (NULL unknown). */
static const char *preloader_platform(const struct unifw_package_item *it)
{
	static const char *const keys[] = {"platform", "chip", "rom_info.platform"};
	for (size_t i = 0; it && it->detail && i < sizeof keys / sizeof *keys; i++) {
		const char *s = unifw_jv_str(unifw_jv_path(it->detail, keys[i]));
		if (s && *s)
			return s;
	}
	return NULL;
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
	plan_skips(plan, e, pp, f);
	if (e->code)
		return 0;
	char own[480] = "";
	if (e->identity) {
		int rc = check_identity_provenance(e, plan->pkg, pp->item, f, own, sizeof own, err);
		if (rc || e->code)
			return rc;
	}
	if (plan->mode == UNIFW_FLASH_MODE_RESTORE && unifw_scatter_addr_is_from_end(sp->linear_start)) {
		if (!flash_restore_place(plan, e, f))
			return 0;
	} else if (!place_entry(e, sp, plan->boot_region)) {
		return 0;
	}
	if (!strcmp(pp->status, "unreadable")) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "unreadable", "image %s cannot be read: %s", e->image,
			   pp->item->error ? pp->item->error : "unknown error");
		return 0;
	}
	/* The package marks a preloader whose platform is not its scatter's; what matters here is the PHONE's
	 * chip: an MT6572 preloader in a package whose scatter says another chip is not the wrong one (the
	 * scatter is: plan_platform refuses that). */
	const char *pl_platform = preloader_platform(pp->item);
	if (!strcmp(pp->status, "wrong_platform") && pl_platform && strcasecmp(pl_platform, UNIFW_FLASH_PLATFORM)) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "wrong_platform",
			   "image %s is a preloader for %s, this phone is %s: it cannot boot it", e->image, pl_platform,
			   UNIFW_FLASH_PLATFORM);
		return 0;
	}
	if (!strcmp(pp->status, "wrong_type")) {
		if (is_table(sp->name)) {
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "wrong_type",
				   "image %s is %s content, not what %s must hold: the phone would not boot", e->image,
				   pp->item->type, sp->name);
			return 0;
		}
		unifw_snprintf_words(e->warning, sizeof e->warning, "image content is %s, unusual for %s", pp->item->type, sp->name);
	}
	if (e->part == UNIFW_PHONE_BOOT1) {
		int rc = flash_plan_preloader(e, plan->pkg, f, o, err);
		if (rc || e->action != UNIFW_FLASH_WRITE)
			return rc;
	} else {
		e->form = !strcmp(pp->item->type, "sparse") ? UNIFW_FLASH_FORM_SPARSE : UNIFW_FLASH_FORM_RAW;
		struct unifw_error ferr;
		unifw_error_clear(&ferr);
		if (flash_plan_fingerprint(plan->pkg, pp->item, e->fingerprint, &ferr) < 0) {
			char m[600];
			flash_plan_reason(e, UNIFW_FLASH_REFUSE, "unreadable", "image %s cannot be read: %s", e->image,
				   unifw_error_format(&ferr, m, sizeof m));
			return 0;
		}
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "write", "%s image %s%s%s",
			   e->form == UNIFW_FLASH_FORM_SPARSE ? "sparse" : "raw", e->image, own[0] ? ": " : "", own);
	}
	flash_plan_check_fit(e, f);
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
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "pmt_unplaced",
			   "the phone has no PMT and its user-area size is unknown, so a new one cannot be placed");
	} else if (flash_pmt_from_scatter(sc, buf, &perr)) {
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "pmt_unbuildable", "the phone has no PMT and the scatter's cannot be "
			   "built: %s", perr.msg);
	} else {
		unifw_sha256(buf, UNIFW_FLASH_PMT_BYTES, e->fingerprint);
		flash_plan_reason(e, UNIFW_FLASH_WRITE, "write_pmt",
			   "the phone has no PMT: the package's layout is written as one, last (SP Flash Tool's DA does "
			   "the same), else the preloader finds no LK");
		for (size_t i = 0; i < plan->count - 1; i++) {
			const struct unifw_flash_entry *w = &plan->entries[i];
			if (w->action != UNIFW_FLASH_SKIP && w->part == UNIFW_PHONE_USER && w->offset < e->offset + e->size &&
			    e->offset < w->offset + w->image_bytes)
				flash_plan_reason(e, UNIFW_FLASH_REFUSE, "pmt_overlap",
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
	/* what a restore or --only changes shows in the entries; said here too so that the hash says it */
	if (plan->mode != UNIFW_FLASH_MODE_PACKAGE || plan->opts.only[0])
		hash_line(&h, "mode %s backup %s only %.400s\n", unifw_flash_mode_name(plan->mode), plan->backup_cid,
			  plan->opts.only);
	if (plan->opts.repartition) /* --repartition: its own entries, order and PMT (flash_repartition.c) */
		hash_line(&h, "repartition 1\n");
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

/* Refusals and writes counted, the plan hash made: the end of every plan. */
static int plan_settle(struct unifw_flash_plan *plan, const char *where, struct unifw_error *err)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_flash_entry *e = &plan->entries[i];
		plan->refusals += e->action == UNIFW_FLASH_REFUSE;
		if (e->action == UNIFW_FLASH_WRITE) {
			plan->writes++;
			plan->write_bytes += e->image_bytes;
		}
	}
	plan->refusals += unifw_findings_count(&plan->findings, UNIFW_SEV_ERROR);
	if (!plan->writes && !plan->refusals)
		unifw_findings_add(&plan->findings, UNIFW_SEV_WARNING, "nothing-to-write", where, 0, NULL,
				   "no partition is to be written");
	return plan_hash(plan, err);
}


/* A scatter for another chip: its loaders, kernel and layout are another SoC's (SP Flash Tool refuses a
 * scatter whose platform is not the phone's). */
static void plan_platform(struct unifw_flash_plan *plan, const struct unifw_scatter *sc, const char *where)
{
	if (sc->platform[0] && strcasecmp(sc->platform, UNIFW_FLASH_PLATFORM))
		unifw_findings_add(&plan->findings, UNIFW_SEV_ERROR, "wrong-platform", where, 0, NULL,
				   "the package's scatter is for %s, this phone is %s: its loaders, kernel and layout are "
				   "another chip's", sc->platform, UNIFW_FLASH_PLATFORM);
}

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
	flash_restore_detect(plan, facts);
	plan_platform(plan, sc, scatter_name);
	/* + the backup's unallocated space (a restore) + a PMT for a phone without one */
	size_t extra = flash_restoring(plan) ? unifw_jv_len(unifw_jv_get(pkg->manifest, "partitions")) : 0;
	plan->entries = calloc(pkg->part_count + extra + 1, sizeof *plan->entries);
	if (!plan->entries)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	plan->count = pkg->part_count;
	rc = flash_plan_universal_detect(plan, facts, scatter_name, err);
	/* a universal package goes into the phone's own table by name: no layout to compare */
	if (!rc && !plan->universal)
		rc = flash_plan_check_layout(plan, sc, facts, scatter_name, err);
	for (size_t i = 0; i < plan->count && !rc; i++) {
		if (!plan->univ_pp) {
			rc = plan_entry(plan, &plan->entries[i], &pkg->parts[i], facts, err);
			continue;
		}
		if (flash_plan_universal_entry(plan, &plan->entries[i], i, facts))
			continue;
		rc = plan_entry(plan, &plan->entries[i], &plan->univ_pp[i], facts, err);
		flash_plan_universal_fit(&plan->entries[i]);
	}
	if (!rc && flash_restoring(plan)) {
		if (plan->mode == UNIFW_FLASH_MODE_RESTORE) /* a donor gives its firmware, not its free space */
			rc = flash_restore_extras(plan, facts, err);
		if (!rc)
			flash_restore_order(plan);
		if (!rc)
			rc = flash_restore_check_files(plan, err);
	}
	if (!rc && opts->repartition) /* Firmware Upgrade: tables, carried identity, firmware (flash_repartition.c) */
		rc = flash_repart_plan(plan, facts, scatter_name, err);
	else if (!rc && !plan->universal && (!facts->have_layout || !facts->layout.have_pmt || opts->force_pmt) &&
		 !flash_restore_carries_pmt(plan, facts))
		rc = plan_pmt(plan, sc, facts, err);
	if (!rc && !opts->repartition)
		flash_plan_identity_regions(plan, facts);
	if (!rc)
		rc = flash_plan_scatter_overlaps(plan, sc, scatter_name, err);
	if (!rc)
		rc = flash_plan_check(plan, facts, scatter_name, err);
	if (!rc)
		rc = plan_settle(plan, scatter_name, err);
	if (rc)
		unifw_flash_plan_free(plan);
	return rc;
}

int unifw_flash_plan_partition(const struct unifw_package *pkg, const struct unifw_package_partition *pp,
			       const struct unifw_flash_facts *facts, const struct unifw_flash_plan_opts *opts,
			       struct unifw_flash_plan *plan, struct unifw_error *err)
{
	memset(plan, 0, sizeof *plan);
	if (!pkg || !pp || !pp->part || !pp->item || !facts || !opts)
		return unifw_error_set(err, UNIFW_E_INVALID, "plan", UNIFW_NO_OFFSET, "missing image, partition or facts");
	plan->opts = *opts;
	plan->opts.only[0] = 0;
	if (!plan->opts.range_size)
		plan->opts.range_size = UNIFW_FLASH_RANGE_DEFAULT;
	if (!unifw_flash_range_size_ok(plan->opts.range_size))
		return unifw_error_set(err, UNIFW_E_INVALID, "range size", UNIFW_NO_OFFSET,
				       "expected a multiple of 512 up to %llu, found %llu",
				       (unsigned long long)UNIFW_FLASH_RANGE_MAX, (unsigned long long)plan->opts.range_size);
	plan->pkg = pkg;
	memcpy(plan->cid, facts->cid, 16);
	plan->boot_region = facts->have_layout ? facts->layout.boot_region : facts->boot_region;
	plan->entries = calloc(1, sizeof *plan->entries);
	if (!plan->entries)
		return unifw_error_set(err, UNIFW_E_NOMEM, "plan", UNIFW_NO_OFFSET, "out of memory");
	plan->count = 1;
	struct unifw_flash_entry *e = &plan->entries[0];
	int rc = plan_entry(plan, e, pp, facts, err);
	/* one partition named on purpose: an identity partition left out is a refusal, not a quiet skip */
	if (!rc && e->code && !strcmp(e->code, "identity"))
		flash_plan_reason(e, UNIFW_FLASH_REFUSE, "identity",
				  "%s is an identity partition (IMEI, calibration, MAC addresses): written only with "
				  "--include-identity, and only from a unifw backup of this phone", e->name);
	if (!rc)
		flash_plan_identity_regions(plan, facts);
	if (!rc)
		rc = plan_settle(plan, pp->item->path, err);
	if (rc)
		unifw_flash_plan_free(plan);
	return rc;
}

void unifw_flash_plan_free(struct unifw_flash_plan *plan)
{
	free(plan->entries);
	free(plan->restore_parts);
	free(plan->diffs);
	free(plan->check);
	free(plan->univ_sc);
	free(plan->univ_pp);
	flash_repart_free(plan);
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
	unifw_jv_set_str(o, "mode", unifw_flash_mode_name(plan->mode));
	if (plan->mode != UNIFW_FLASH_MODE_PACKAGE)
		unifw_jv_set_str(o, "backup_cid", plan->backup_cid);
	unifw_jv_set_hex(o, "boot_region", plan->boot_region);
	unifw_hex(plan->sha256, 32, hex);
	unifw_jv_set_str(o, "plan_sha256", hex);
	struct unifw_jv *opt = unifw_jv_set_obj(o, "options");
	unifw_jv_set_str(opt, "type", "flash_options");
	unifw_jv_set_bool(opt, "with_preloader", plan->opts.with_preloader);
	unifw_jv_set_bool(opt, "include_identity", plan->opts.include_identity);
	unifw_jv_set_bool(opt, "verify", plan->opts.verify);
	unifw_jv_set_uint(opt, "range_size", plan->opts.range_size);
	if (plan->opts.only[0]) {
		struct unifw_jv *only = unifw_jv_set_arr(opt, "only");
		char list[sizeof plan->opts.only], *save = NULL;
		snprintf(list, sizeof list, "%s", plan->opts.only);
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
			unifw_jv_push_str(only, t);
	}
	unifw_jv_set_bool(opt, "repartition", plan->opts.repartition);
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
	if (plan->repart)
		flash_repart_to_json(plan, o);
	if (plan->check)
		unifw_jv_set(o, "check", unifw_check_to_json(plan->check));
	if (plan->universal) { /* docs/flash.md "A universal package" */
		struct unifw_jv *u = unifw_jv_set_obj(o, "universal");
		unifw_jv_set_str(u, "type", "flash_universal");
		unifw_jv_set_uint(u, "variants", plan->universal_variants);
		unifw_jv_set_str(u, "placed_by", "name");
	}
	unifw_jv_set(o, "findings", unifw_findings_to_json(&plan->findings));
	return o;
}
