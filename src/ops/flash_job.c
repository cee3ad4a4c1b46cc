/* The flash job around the plan and the executor (include/unifw/flash_job.h): files first, then the
 * phone; journal location and resume rules; execution. Moved here from cmd_flash.c (issue 10). */
#include "unifw/flash_job.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "unifw/archive.h"
#include "unifw/fingerprint.h"
#include "unifw/hash.h"
#include "unifw/io.h"
#include "unifw/partname.h"
#include "unifw/vault.h"

/* ---------------------------------------------------------------- the package's preloader */

/* The most a preloader extracted for BROM mode may take: its partition (when the scatter sizes it), and
 * never more than any preloader is. */
static uint64_t preloader_limit(const struct unifw_package_partition *pp)
{
	uint64_t max = UNIFW_FLASH_MAX_PRELOADER;
	if (pp->part && pp->part->size && !unifw_scatter_addr_is_from_end(pp->part->linear_start) &&
	    pp->part->size < max)
		max = pp->part->size;
	return max;
}

/* Extract the archive member `name` into tmpdir (created), at most max bytes. */
static int extract_member(const struct unifw_package *pkg, const char *name, uint64_t max, char *path, size_t len,
			  char *tmpdir, size_t tlen, struct unifw_error *err)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, tlen, "%s/unifw-flash-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		int rc = unifw_error_sys(err, tmpdir, "create a temporary directory");
		tmpdir[0] = 0;
		return rc;
	}
	struct unifw_archive *ar;
	struct unifw_archive_member m;
	int rc = unifw_archive_open(pkg->path, &ar, err);
	if (rc)
		return rc;
	while ((rc = unifw_archive_next(ar, &m, err)) > 0)
		if (m.kind == UNIFW_MEMBER_FILE && !strcmp(m.name, name))
			break;
	if (rc > 0 && !(rc = unifw_archive_extract_current_max(ar, tmpdir, max, err))) {
		if (snprintf(path, len, "%s/%s", tmpdir, m.name) >= (int)len)
			rc = unifw_error_set(err, UNIFW_E_INVALID, tmpdir, UNIFW_NO_OFFSET, "path too long for %s", name);
	} else if (rc == 0)
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, pkg->path, UNIFW_NO_OFFSET,
				     "member %s is no longer in the archive", name);
	unifw_archive_close(ar);
	return rc;
}

/* BROM mode needs DRAM settings before the DA can run: the package's preloader is offered (the DA core
 * sends an entry only when its ID is the phone's memory part). Archive members are extracted to tmp,
 * never more than the preloader's partition holds: *path stays "" when the package has no preloader. */
static int package_preloader(const struct unifw_package *pkg, char *warning, size_t wlen, char *path, size_t len,
			     char *tmpdir, size_t tlen, struct unifw_error *err)
{
	const struct unifw_package_partition *pp = unifw_package_find(pkg, "PRELOADER");
	path[0] = 0;
	if (!pp || !pp->item || strcmp(pp->item->type, "preloader"))
		return 0;
	const struct unifw_package_item *it = pp->item;
	if (it->error) { /* e.g. two members of that name: which one is the phone's DRAM setup? Neither. */
		unifw_snprintf_words(warning, wlen, "the package's preloader is not offered for DRAM setup: %s", it->error);
		return 0;
	}
	if (pkg->source == UNIFW_PACKAGE_FOLDER) {
		snprintf(path, len, "%s/%s", pkg->path, it->path);
		return 0;
	}
	uint64_t max = preloader_limit(pp);
	/* Its size is known from reading the package: refuse before a byte reaches the disk. */
	if (it->size > max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, it->path, UNIFW_NO_OFFSET,
				       "the package's preloader is %llu bytes, more than the limit of %llu bytes (partition "
				       "%s, at most %u bytes for any preloader): not extracted",
				       (unsigned long long)it->size, (unsigned long long)max, pp->part->name,
				       UNIFW_FLASH_MAX_PRELOADER);
	int rc = extract_member(pkg, it->path, max, path, len, tmpdir, tlen, err);
	if (rc)
		path[0] = 0;
	return rc;
}

static void remove_tmp(struct unifw_flash_job *j)
{
	if (!j->tmpdir[0])
		return;
	if (!unifw_remove_tree(j->tmpdir)) /* not a shell: $TMPDIR may hold any character */
		unifw_progress_note(j->o.progress, "warning", "could not remove %s", j->tmpdir);
	j->tmpdir[0] = 0;
}

/* ---------------------------------------------------------------- before the phone */

/* A scatter FILE names its folder as the package, with that scatter (SP Flash Tool's "scatter-loading"). */
static bool is_scatter_file(const char *path)
{
	size_t n = strlen(path);
	return !unifw_package_is_folder(path) && n > 4 && !strcasecmp(path + n - 4, ".txt");
}

static int open_package(struct unifw_flash_job *j, const char *path, struct unifw_error *err)
{
	int rc = is_scatter_file(path) ? unifw_package_open_scatter(path, &j->pkg, err)
				       : unifw_package_open(path, &j->pkg, err);
	if (rc)
		return rc;
	/* a folder with a scatter and a unifw backup manifest flashes like a package (its identity images are
	 * then this phone's own only if the manifest says so: docs/flash.md "Identity images") */
	/* a backup's files are all checked against its manifest (plan: backup_hash_mismatch): hashed now,
	 * before the phone is contacted, not while it waits */
	if (j->pkg->kind == UNIFW_PACKAGE_BACKUP && j->pkg->chosen &&
	    (rc = unifw_package_hash_files(j->pkg, j->o.progress, err)) != 0)
		return rc;
	if (j->pkg->kind == UNIFW_PACKAGE_BACKUP && !j->pkg->chosen) {
		const char *scope = unifw_jv_str(unifw_jv_get(j->pkg->manifest, "scope"));
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
				       "a unifw backup of scope %s has no scatter file, so it cannot be flashed back: only a "
				       "full backup (unifw backup without --partition or --identity) restores a phone",
				       scope ? scope : "(none)");
	}
	if ((j->pkg->kind != UNIFW_PACKAGE_FIRMWARE && j->pkg->kind != UNIFW_PACKAGE_BACKUP) || !j->pkg->chosen)
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
				       "not a firmware package: no scatter file found (a %s)", unifw_package_type(j->pkg));
	return 0;
}

/* --only: every name (a scatter name or an alias, unifw_partname_matches) is one of the package's
 * partitions, checked before the phone is contacted; the list becomes the scatter's own spelling. */
static int check_only(struct unifw_flash_job *j, struct unifw_error *err)
{
	const struct unifw_scatter *sc = &j->pkg->chosen->sc;
	char typed[sizeof j->o.plan.only], names[sizeof j->o.plan.only] = "", *save = NULL;
	snprintf(typed, sizeof typed, "%s", j->o.plan.only);
	for (char *t = strtok_r(typed, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const char *hit = NULL;
		for (size_t i = 0; i < sc->count && !hit; i++)
			if (sc->parts[i].name[0] && unifw_partname_matches(t, sc->parts[i].name))
				hit = sc->parts[i].name;
		if (!hit) {
			char list[1024] = "";
			size_t used = 0;
			for (size_t i = 0; i < sc->count && used < sizeof list; i++) {
				int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", sc->parts[i].name);
				used += n > 0 ? (size_t)n : 0;
			}
			j->usage_error = true;
			return unifw_error_set(err, UNIFW_E_INVALID, t, UNIFW_NO_OFFSET,
					       "--only: the package's scatter has no partition %s (it has: %s; Android names "
					       "such as boot, system, userdata are accepted for theirs)", t, list);
		}
		size_t len = strlen(names);
		snprintf(names + len, sizeof names - len, "%s%s", len ? "," : "", hit);
	}
	snprintf(j->o.plan.only, sizeof j->o.plan.only, "%s", names);
	return 0;
}

/* unifw write, before the phone: the name is one unifw knows (else refused with the names it accepts), the
 * image opens (with its folder's backup manifest, which alone may vouch for an identity image). */
static int prepare_write(struct unifw_flash_job *j, struct unifw_error *err)
{
	if (!unifw_partname_resolve(j->o.partition)) {
		char names[2048];
		unifw_partname_accepted(names, sizeof names);
		j->usage_error = true;
		return unifw_error_set(err, UNIFW_E_INVALID, j->o.partition, UNIFW_NO_OFFSET,
				       "unknown partition name %s; the names unifw accepts: %s", j->o.partition, names);
	}
	if (!j->o.image)
		return unifw_error_set(err, UNIFW_E_INVALID, j->o.partition, UNIFW_NO_OFFSET, "no image to write");
	return unifw_package_open_image(j->o.image, &j->pkg, err);
}

int unifw_flash_job_prepare(struct unifw_flash_job *j, const struct unifw_flash_job_opts *o,
			    struct unifw_phone_open_opts *open, struct unifw_error *err)
{
	memset(j, 0, sizeof *j);
	j->o = *o;
	int rc = unifw_flash_state_dir(j->state, sizeof j->state, err);
	if (!rc && o->partition)
		rc = prepare_write(j, err);
	else if (!rc && o->package)
		rc = open_package(j, o->package, err);
	if (!rc && j->pkg && o->plan.only[0] && !o->resume)
		rc = check_only(j, err);
	char dir[UNIFW_FLASH_JOB_PATH + 8];
	snprintf(dir, sizeof dir, "%s/flash", j->state);
	if (!rc && !o->journal)
		rc = unifw_flash_make_dirs(dir, err);
	if (!rc && o->backup_dir)
		rc = unifw_flash_make_dirs(o->backup_dir, err);
	if (!rc && !(open->emi_preloader_path && *open->emi_preloader_path) && j->pkg) {
		rc = package_preloader(j->pkg, j->warning, sizeof j->warning, j->preloader, sizeof j->preloader, j->tmpdir,
				       sizeof j->tmpdir, err);
		if (!rc && j->preloader[0])
			open->emi_preloader_path = j->preloader;
	}
	return rc;
}

/* ---------------------------------------------------------------- on the phone */

static int locate_journal(struct unifw_flash_job *j, struct unifw_error *err)
{
	int rc = 0;
	if (j->o.journal)
		snprintf(j->journal_path, sizeof j->journal_path, "%s", j->o.journal);
	else if ((rc = unifw_flash_journal_path(j->facts.cid, j->journal_path, sizeof j->journal_path, err)) != 0)
		return rc;
	/* a single-partition write keeps its own journal: it neither replaces nor resumes a package's flash */
	else if (j->o.partition && strlen(j->journal_path) > 8 && strlen(j->journal_path) + 7 < sizeof j->journal_path)
		strcpy(j->journal_path + strlen(j->journal_path) - 8, ".write.journal");
	if (j->o.backup_dir)
		snprintf(j->backup_dir, sizeof j->backup_dir, "%s", j->o.backup_dir);
	else if ((rc = unifw_vault_phone_dir(j->facts.cid, j->backup_dir, sizeof j->backup_dir, err)) != 0)
		return rc; /* the identity vault: STATE/identity/<CID> */
	return 0;
}

/* --resume: this phone's journal, its options, its package when none is named. */
static int load_resume(struct unifw_flash_job *j, struct unifw_flash_plan_opts *o, struct unifw_error *err)
{
	int rc = unifw_flash_journal_load(j->journal_path, &j->journal, err);
	if (rc == UNIFW_E_IO && access(j->journal_path, F_OK) != 0)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, j->journal_path, UNIFW_NO_OFFSET,
				       "no interrupted flash of this phone to resume (no journal)");
	if (rc) {
		unifw_error_prefix(err, "cannot resume: ");
		return rc;
	}
	j->have_journal = true;
	/* another phone's journal is refused for what it is, not for the layout its plan would meet */
	if ((rc = unifw_flash_journal_check_phone(&j->journal, j->facts.cid, err)) != 0)
		return rc;
	*o = j->journal.opts;
	o->resuming = true; /* --repartition: the phone's table may be the package's already */
	/* a PMT this job wrote for a blank phone is on the phone now: it is still part of the job */
	for (size_t i = 0; i < j->journal.part_count; i++)
		o->force_pmt |= !strcmp(j->journal.parts[i].name, "PMT");
	if (!j->pkg && (rc = open_package(j, j->journal.package, err)))
		return rc;
	return 0;
}

/* A new flash replaces an unfinished one of the same phone: said, with where its identity backup is. */
static void note_replaced_journal(const struct unifw_flash_job *j)
{
	struct unifw_flash_journal old;
	struct unifw_error ignore;
	if (!unifw_flash_journal_load(j->journal_path, &old, &ignore) && strcmp(old.state, "done"))
		unifw_progress_note(j->o.progress, "warning",
				    "an unfinished flash of %s (%s) is replaced by this one; its identity backup "
				    "stays in %s", old.package, old.updated,
				    old.identity_backup[0] ? old.identity_backup : "(none made)");
	unifw_flash_journal_free(&old);
}

/* unifw write, on the phone: the partition of its own table the name stands for (refused, listing the
 * phone's names, when it has none), described as a scatter entry, and the image for it. */
static int write_target(struct unifw_flash_job *j, struct unifw_error *err)
{
	const struct unifw_flash_facts *f = &j->facts;
	const struct unifw_phone_part_entry *pe = NULL;
	for (size_t i = 0; f->have_layout && i < f->layout.count && !pe; i++)
		if (unifw_partname_matches(j->o.partition, f->layout.part[i].name))
			pe = &f->layout.part[i];
	if (!pe) {
		char names[1536] = "";
		size_t used = 0;
		for (size_t i = 0; f->have_layout && i < f->layout.count && used < sizeof names; i++) {
			int n = snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", f->layout.part[i].name);
			used += n > 0 ? (size_t)n : 0;
		}
		j->usage_error = true;
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, j->o.partition, UNIFW_NO_OFFSET,
				       "the phone has no partition %s (%s): nothing was written", j->o.partition,
				       f->have_layout ? names : "it has no partition table at all");
	}
	struct unifw_scatter_part *sp = &j->write_part;
	memset(sp, 0, sizeof *sp);
	snprintf(sp->name, sizeof sp->name, "%.63s", pe->name);
	snprintf(sp->file_name, sizeof sp->file_name, "%s", j->pkg->items[0].path);
	sp->is_download = true;
	bool boot1 = pe->offset == UINT64_MAX;
	snprintf(sp->region, sizeof sp->region, "%s", boot1 ? "EMMC_BOOT_1" : "EMMC_USER");
	sp->linear_start = boot1 ? 0 : pe->offset + f->layout.boot_region;
	sp->size = boot1 ? f->boot1_size : pe->size;
	const struct unifw_package_item *it = NULL;
	for (size_t i = 0; i < j->pkg->item_count && !it; i++)
		if (strcmp(j->pkg->items[i].type, "backup_manifest"))
			it = &j->pkg->items[i];
	struct unifw_package_partition *pp = &j->write_target;
	pp->part = sp;
	pp->item = it;
	bool table = !strcasecmp(pe->name, "MBR") || !strncasecmp(pe->name, "EBR", 3);
	pp->status = !it ? "missing" : it->error ? "unreadable" : table && strcmp(it->type, "mbr") ? "wrong_type" : "ok";
	pp->image_bytes = it ? unifw_package_item_written_size(it) : 0;
	return it ? 0 : unifw_error_set(err, UNIFW_E_NOT_FOUND, j->o.image, UNIFW_NO_OFFSET, "no image to write");
}

static int make_plan(struct unifw_flash_job *j, struct unifw_phone *ph, struct unifw_error *err)
{
	struct unifw_flash_plan_opts o = j->o.plan;
	int rc = 0;
	if (j->o.resume)
		rc = load_resume(j, &o, err);
	else if (!access(j->journal_path, F_OK))
		note_replaced_journal(j);
	if (!rc && j->o.partition)
		rc = write_target(j, err);
	if (!rc && ph)
		rc = unifw_flash_facts_scan_identity(ph, j->pkg->chosen ? &j->pkg->chosen->sc : NULL, &j->facts, err);
	if (!rc)
		rc = j->o.partition ? unifw_flash_plan_partition(j->pkg, &j->write_target, &j->facts, &o, &j->plan, err)
				    : unifw_flash_plan(j->pkg, &j->facts, &o, &j->plan, err);
	j->have_plan = rc == 0;
	if (!rc && j->have_journal && !j->plan.refusals)
		rc = unifw_flash_journal_check(&j->journal, &j->plan, err);
	return rc;
}

/* The phone's fingerprint for unifw check in the plan, read once, here (a resumed job was checked when it
 * started, and the phone is half written now; unifw write names one partition of the phone's own table). */
static int read_fingerprint(struct unifw_flash_job *j, struct unifw_phone *ph, struct unifw_error *err)
{
	if (j->o.resume || j->o.partition || !j->pkg || !j->pkg->chosen)
		return 0;
	j->facts.fingerprint = calloc(1, sizeof *j->facts.fingerprint);
	if (!j->facts.fingerprint)
		return unifw_error_set(err, UNIFW_E_NOMEM, "fingerprint", UNIFW_NO_OFFSET, "out of memory");
	int rc = unifw_fingerprint_phone(ph, j->facts.fingerprint, err);
	if (rc) {
		free(j->facts.fingerprint);
		j->facts.fingerprint = NULL;
	}
	return rc;
}

int unifw_flash_job_plan(struct unifw_flash_job *j, struct unifw_phone *ph, struct unifw_error *err)
{
	/* The phone layer read the preloader before it waited for the phone ("files first"): the extracted
	 * copy goes now, so that an interrupted flash (Ctrl-C, a kill) does not leave it in $TMPDIR. */
	remove_tmp(j);
	int rc = unifw_flash_facts_read(ph, &j->facts, err);
	if (!rc)
		rc = read_fingerprint(j, ph, err);
	if (!rc)
		rc = locate_journal(j, err);
	if (!rc)
		rc = make_plan(j, ph, err);
	return rc;
}

int unifw_flash_job_execute(struct unifw_flash_job *j, struct unifw_phone *ph, struct unifw_error *err)
{
	struct unifw_flash_device dev;
	struct unifw_flash_exec_opts eo = {.journal_path = j->journal_path,
					   .backup_dir = j->backup_dir,
					   .package_path = j->pkg->path,
					   .resume = j->have_journal ? &j->journal : NULL,
					   .progress = j->o.progress,
					   .cancel = j->o.cancel};
	char abs[PATH_MAX];
	if (realpath(j->pkg->path, abs))
		eo.package_path = abs;
	unifw_flash_device_from_phone(&dev, ph);
	int rc = unifw_flash_execute(&dev, &j->plan, &eo, &j->res, err);
	j->outcome = rc ? "interrupted" : "flashed";
	if (!rc && j->o.reboot) {
		rc = unifw_phone_reboot(ph, err);
		if (!rc)
			j->outcome = "flashed_and_rebooted";
	}
	return rc;
}

void unifw_flash_job_free(struct unifw_flash_job *j)
{
	if (j->have_plan)
		unifw_flash_plan_free(&j->plan);
	if (j->have_journal)
		unifw_flash_journal_free(&j->journal);
	unifw_package_free(j->pkg);
	j->pkg = NULL;
	free(j->facts.fingerprint);
	j->facts.fingerprint = NULL;
	j->have_plan = j->have_journal = false;
	remove_tmp(j);
}
