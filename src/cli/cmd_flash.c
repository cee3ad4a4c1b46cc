/* unifw flash PACKAGE [--plan] [--resume] [--with-preloader] [--include-identity] [--no-verify] [--yes]
 * [--json] [phone options]: plan, safety checks, identity backup, writes verified by read-back, a journal
 * that `--resume` continues (docs/flash.md). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "unifw/archive.h"
#include "unifw/flash.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/identify.h"

/* Exit codes beyond cli.h's: the plan said no (nothing written), a range read back wrong. */
enum { FLASH_REFUSED = 3, FLASH_VERIFY_FAILED = 4 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw flash PACKAGE [--plan] [--with-preloader] [--include-identity] [--no-verify] [--yes]\n"
		"                   [--backup-dir DIR] [--journal FILE] [--reboot] [--json] [phone options]\n"
		"       unifw flash --resume [PACKAGE] [--yes] [--json] [phone options]\n\n"
		"Write a firmware package (folder or archive with a scatter file) to the connected phone. A plan comes\n"
		"first: per partition write, skip or refuse, and why. Nothing is written when the plan refuses\n"
		"anything: an image larger than its partition (SP Flash Tool 5056/5069), a scatter that is not the\n"
		"phone's partition layout (8038 \"PMT changed\"), a preloader whose EMI table does not list the phone's\n"
		"memory part. Before the first write the identity partitions (NVRAM, PRO_INFO, PROTECT_F, PROTECT_S)\n"
		"and the phone's preloader are backed up. Every range written is read back and compared byte for byte.\n"
		"A journal keyed by the phone's eMMC CID records the progress: after a cut, --resume finishes.\n\n"
		"  --plan               show the plan and stop\n"
		"  --with-preloader     also write the preloader (only if its EMI table lists the phone's memory)\n"
		"  --include-identity   also write NVRAM, PRO_INFO, PROTECT_F, PROTECT_S from the package: only\n"
		"                       images of this phone's own unifw backup (manifest CID and SHA-256)\n"
		"  --no-verify          do not read back what was written (faster, and a lying eMMC goes unseen)\n"
		"  --resume             continue the interrupted flash of this phone (options come from its journal)\n"
		"  --yes                do not ask for confirmation (required when not on a terminal)\n"
		"  --backup-dir DIR     parent of the identity backup (default: STATE/identity/CID)\n"
		"  --journal FILE       journal file (default: STATE/flash/CID.journal)\n"
		"  --range-size SIZE    bytes per write command, read-back and journal step (default 8M, max 32M)\n"
		"  --reboot             boot the phone normally when the flash succeeded\n"
		"  --json               JSON event lines on stdout, the plan and result last\n"
		"%s\n"
		"STATE is $UNIFW_STATE_DIR, else $XDG_STATE_HOME/unifw, else ~/.local/state/unifw.\n"
		"In BROM mode without --preloader, the DRAM settings come from the package's preloader (only if its\n"
		"EMI table lists the phone's memory part; otherwise the phone is left alone before DRAM setup).\n\n"
		"exit status: 0 flashed (or plan shown), 1 failed (the message says where; --resume continues),\n"
		"2 usage, 3 the plan refuses (nothing written), 4 a range read back different from what was written\n",
		cli_phone_usage);
}

struct args {
	struct cli_phone_args pa;
	const char *package, *backup_dir, *journal;
	bool plan_only, resume, with_preloader, include_identity, no_verify, yes, json, reboot;
	uint64_t range_size;
};

enum {
	OPT_PLAN = CLI_OPT_OWN, OPT_RESUME, OPT_WITH_PRELOADER, OPT_INCLUDE_IDENTITY, OPT_NO_VERIFY, OPT_JSON,
	OPT_REBOOT, OPT_BACKUP_DIR, OPT_JOURNAL, OPT_RANGE_SIZE
};

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"plan", no_argument, NULL, OPT_PLAN},
	{"resume", no_argument, NULL, OPT_RESUME},
	{"with-preloader", no_argument, NULL, OPT_WITH_PRELOADER},
	{"include-identity", no_argument, NULL, OPT_INCLUDE_IDENTITY},
	{"no-verify", no_argument, NULL, OPT_NO_VERIFY},
	{"yes", no_argument, NULL, 'y'},
	{"json", no_argument, NULL, OPT_JSON},
	{"reboot", no_argument, NULL, OPT_REBOOT},
	{"backup-dir", required_argument, NULL, OPT_BACKUP_DIR},
	{"journal", required_argument, NULL, OPT_JOURNAL},
	{"range-size", required_argument, NULL, OPT_RANGE_SIZE},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* One option into *a: 0 stored, -1 --help printed, else the exit status of a usage error. */
static int parse_opt(const struct cli_getopt *g, int c, struct args *a)
{
	switch (c) {
	case OPT_PLAN: a->plan_only = true; break;
	case OPT_RESUME: a->resume = true; break;
	case OPT_WITH_PRELOADER: a->with_preloader = true; break;
	case OPT_INCLUDE_IDENTITY: a->include_identity = true; break;
	case OPT_NO_VERIFY: a->no_verify = true; break;
	case 'y': a->yes = true; break;
	case OPT_JSON: a->json = true; break;
	case OPT_REBOOT: a->reboot = true; break;
	case OPT_BACKUP_DIR: a->backup_dir = g->arg; break;
	case OPT_JOURNAL: a->journal = g->arg; break;
	case OPT_RANGE_SIZE:
		if (!cli_parse_size(g->arg, UNIFW_FLASH_RANGE_MAX, &a->range_size) ||
		    !unifw_flash_range_size_ok(a->range_size))
			return cli_usage_error("flash", "--range-size takes a multiple of 512 up to 32M, not '%s'", g->arg);
		break;
	case 'h': usage(stdout); return -1;
	default: return cli_usage_error("flash", "unknown option '%s'", cli_getopt_name(g, c));
	}
	return 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	struct cli_getopt g;
	int c, r;
	memset(a, 0, sizeof *a);
	cli_getopt_init(&g, "flash", argc, argv, "hy" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, &a->pa)) < 0)
			return CLI_USAGE;
		if (r == 0 && (r = parse_opt(&g, c, a)) != 0)
			return r;
	}
	if (g.optind < argc)
		a->package = argv[g.optind];
	if (argc - g.optind > 1)
		return cli_usage_error("flash", "one package at a time ('%s' and '%s')", a->package, argv[g.optind + 1]);
	if (!a->package && !a->resume)
		return cli_usage_error("flash", "name the firmware package (a folder or an archive with a scatter file)");
	if (a->resume && (a->with_preloader || a->include_identity || a->no_verify || a->range_size))
		return cli_usage_error("flash", "--resume takes the options of the interrupted flash from its journal: "
						"drop --with-preloader, --include-identity, --no-verify and --range-size");
	if (a->resume && a->plan_only)
		return cli_usage_error("flash", "--plan and --resume do not go together");
	if (!a->yes && !a->plan_only && (a->json || !isatty(STDIN_FILENO)))
		return cli_usage_error("flash", "flashing needs --yes when there is no terminal to ask (or --plan to look)");
	return 0;
}

/* ---------------------------------------------------------------- the plan for humans */

static void print_identity_regions(FILE *out, const struct unifw_idregions *r)
{
	if (!r->scanned)
		return;
	fprintf(out, "  identity content on the phone (%zu start(s) looked at): %s\n", r->candidates,
		r->count ? "never written over, backed up first" : "none found");
	for (size_t i = 0; i < r->count; i++) {
		char what[200];
		unifw_idregion_describe(&r->r[i], what, sizeof what);
		fprintf(out, "      %s, found at a start of the %s\n", what, r->r[i].found_by);
	}
}

static void print_plan(FILE *out, const struct unifw_flash_plan *p, const struct unifw_flash_facts *f)
{
	char a[32], b[32], cid[33];
	struct unifw_cid c;
	unifw_cid_decode(f->cid, &c);
	unifw_hex(f->cid, 16, cid);
	fprintf(out, "Flash plan for %s\n", p->pkg->path);
	fprintf(out, "  phone: eMMC %s %s (CID %s), user area %s, boot region 0x%llx%s\n",
		c.manufacturer ? c.manufacturer : "?", c.product, cid, unifw_human_size(f->user_size, a, sizeof a),
		(unsigned long long)p->boot_region, p->layout_checked ? ", partition table compared" : "");
	fprintf(out, "  %-12s %-7s %-20s %10s  %s\n", "PARTITION", "ACTION", "WHERE", "BYTES", "IMAGE");
	for (size_t i = 0; i < p->count; i++) {
		const struct unifw_flash_entry *e = &p->entries[i];
		char where[32];
		if (e->offset == UINT64_MAX)
			snprintf(where, sizeof where, "linear 0x%llx", (unsigned long long)e->linear);
		else
			snprintf(where, sizeof where, "%s 0x%llx", e->part == UNIFW_PHONE_BOOT1 ? "boot1" : "user",
				 (unsigned long long)e->offset);
		fprintf(out, "  %-12s %-7s %-20s %10s  %s%s\n", e->name, unifw_flash_action_name(e->action), where,
			e->image_bytes ? unifw_human_size(e->image_bytes, b, sizeof b) : "-",
			e->image ? e->image : e->form == UNIFW_FLASH_FORM_PMT ? "(built from the scatter)" : "-",
			e->form == UNIFW_FLASH_FORM_SPARSE ? " (sparse)" : "");
		if (e->action != UNIFW_FLASH_WRITE || e->form == UNIFW_FLASH_FORM_PRELOADER || e->form == UNIFW_FLASH_FORM_PMT)
			fprintf(out, "      %s: %s\n", e->action == UNIFW_FLASH_REFUSE ? "REFUSED" : "why", e->reason);
		if (e->warning[0])
			fprintf(out, "      note: %s\n", e->warning);
	}
	print_identity_regions(out, &p->identity_regions);
	for (size_t i = 0; i < p->findings.count; i++) {
		const struct unifw_finding *x = &p->findings.items[i];
		fprintf(out, "  %s: %s\n", x->severity == UNIFW_SEV_ERROR ? "REFUSED" : unifw_severity_name(x->severity),
			x->msg);
	}
	for (size_t i = 0; i < p->diff_count; i++)
		fprintf(out, "      - %s\n", p->diffs[i].text);
	fprintf(out, "  %zu partition(s) to write (%s)%s%s\n", p->writes, unifw_human_size(p->write_bytes, a, sizeof a),
		p->opts.verify ? ", each range read back and compared" : ", NOT verified (--no-verify)",
		p->refusals ? "; the plan REFUSES: nothing will be written" : "");
}

static bool confirm(const struct unifw_flash_plan *p)
{
	char line[32], a[32];
	fprintf(stderr, "Write %zu partition(s) (%s) to the phone? Type 'yes' to go on: ", p->writes,
		unifw_human_size(p->write_bytes, a, sizeof a));
	fflush(stderr);
	if (!fgets(line, sizeof line, stdin))
		return false;
	return !strcmp(line, "yes\n") || !strcmp(line, "yes");
}

/* ---------------------------------------------------------------- setup */

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
	if (rc > 0 && !(rc = unifw_archive_extract_current_max(ar, tmpdir, max, err)))
		snprintf(path, len, "%s/%s", tmpdir, m.name);
	else if (rc == 0)
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, pkg->path, UNIFW_NO_OFFSET,
				     "member %s is no longer in the archive", name);
	unifw_archive_close(ar);
	return rc;
}

/* BROM mode needs DRAM settings before the DA can run: the package's preloader is offered (the DA core
 * sends an entry only when its ID is the phone's memory part). Archive members are extracted to tmp,
 * never more than the preloader's partition holds: *path stays "" when the package has no preloader. */
static int package_preloader(const struct unifw_package *pkg, char *path, size_t len, char *tmpdir, size_t tlen,
			     struct unifw_error *err)
{
	const struct unifw_package_partition *pp = unifw_package_find(pkg, "PRELOADER");
	path[0] = 0;
	if (!pp || !pp->item || strcmp(pp->item->type, "preloader"))
		return 0;
	const struct unifw_package_item *it = pp->item;
	if (it->error) { /* e.g. two members of that name: which one is the phone's DRAM setup? Neither. */
		fprintf(stderr, "unifw: warning: the package's preloader is not offered for DRAM setup: %s\n", it->error);
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

static void remove_tmp(const char *tmpdir)
{
	if (!unifw_remove_tree(tmpdir)) /* not a shell: $TMPDIR may hold any character */
		fprintf(stderr, "unifw: warning: could not remove %s\n", tmpdir);
}

struct session {
	struct args a;
	struct unifw_package *pkg;
	struct unifw_phone *ph;
	struct unifw_flash_facts facts;
	struct unifw_flash_plan plan;
	bool have_plan;
	struct unifw_flash_journal journal;
	bool have_journal;
	struct unifw_flash_result res;
	char state[PATH_MAX], journal_path[PATH_MAX], backup_dir[PATH_MAX], tmpdir[PATH_MAX];
	struct cli_progress prog;
	const char *outcome;
};

static int open_package(struct session *s, const char *path, struct unifw_error *err)
{
	int rc = unifw_package_open(path, &s->pkg, err);
	if (rc)
		return rc;
	/* a folder with a scatter and a unifw backup manifest flashes like a package (its identity images are
	 * then this phone's own only if the manifest says so: docs/flash.md "Identity images") */
	if ((s->pkg->kind != UNIFW_PACKAGE_FIRMWARE && s->pkg->kind != UNIFW_PACKAGE_BACKUP) || !s->pkg->chosen)
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
				       "not a firmware package: no scatter file found (a %s)", unifw_package_type(s->pkg));
	return 0;
}

/* Everything that can fail without the phone fails here, before the phone is touched. */
static int prepare(struct session *s, struct unifw_error *err)
{
	int rc = unifw_flash_state_dir(s->state, sizeof s->state, err);
	if (!rc && s->a.package)
		rc = open_package(s, s->a.package, err);
	char dir[PATH_MAX + 8];
	snprintf(dir, sizeof dir, "%s/flash", s->state);
	if (!rc && !s->a.journal)
		rc = unifw_flash_make_dirs(dir, err);
	if (!rc && s->a.backup_dir)
		rc = unifw_flash_make_dirs(s->a.backup_dir, err);
	return rc;
}

static int open_phone(struct session *s, struct unifw_error *err)
{
	struct unifw_phone_open_opts o;
	char pl[PATH_MAX];
	cli_phone_opts(&s->a.pa, cli_progress_cb(&s->prog), &o);
	if (!o.emi_preloader_path && s->pkg) {
		int rc = package_preloader(s->pkg, pl, sizeof pl, s->tmpdir, sizeof s->tmpdir, err);
		if (rc)
			return rc;
		if (pl[0])
			o.emi_preloader_path = pl;
	}
	int rc = unifw_phone_open(&o, &s->ph, err);
	/* The phone layer read the preloader before it waited for the phone ("files first"): the extracted
	 * copy goes now, so that an interrupted flash (Ctrl-C, a kill) does not leave it in $TMPDIR. */
	if (s->tmpdir[0]) {
		remove_tmp(s->tmpdir);
		s->tmpdir[0] = 0;
	}
	if (!rc)
		rc = unifw_flash_facts_read(s->ph, &s->facts, err);
	return rc;
}

static int locate_journal(struct session *s, struct unifw_error *err)
{
	char hex[33];
	unifw_hex(s->facts.cid, 16, hex);
	int rc = 0;
	if (s->a.journal)
		snprintf(s->journal_path, sizeof s->journal_path, "%s", s->a.journal);
	else if ((rc = unifw_flash_journal_path(s->facts.cid, s->journal_path, sizeof s->journal_path, err)) != 0)
		return rc;
	if (s->a.backup_dir)
		snprintf(s->backup_dir, sizeof s->backup_dir, "%s", s->a.backup_dir);
	else if (snprintf(s->backup_dir, sizeof s->backup_dir, "%s/identity/%s", s->state, hex) >=
		 (int)sizeof s->backup_dir)
		return unifw_error_set(err, UNIFW_E_INVALID, s->state, UNIFW_NO_OFFSET, "path too long");
	return 0;
}

static int make_plan(struct session *s, struct unifw_error *err)
{
	struct unifw_flash_plan_opts o = {.with_preloader = s->a.with_preloader,
					  .include_identity = s->a.include_identity,
					  .verify = !s->a.no_verify,
					  .range_size = s->a.range_size};
	if (s->a.resume) {
		int rc = unifw_flash_journal_load(s->journal_path, &s->journal, err);
		if (rc == UNIFW_E_IO && access(s->journal_path, F_OK) != 0)
			return unifw_error_set(err, UNIFW_E_NOT_FOUND, s->journal_path, UNIFW_NO_OFFSET,
					       "no interrupted flash of this phone to resume (no journal)");
		if (rc) {
			unifw_error_prefix(err, "cannot resume: ");
			return rc;
		}
		s->have_journal = true;
		/* another phone's journal is refused for what it is, not for the layout its plan would meet */
		if ((rc = unifw_flash_journal_check_phone(&s->journal, s->facts.cid, err)) != 0)
			return rc;
		o = s->journal.opts;
		/* a PMT this job wrote for a blank phone is on the phone now: it is still part of the job */
		for (size_t i = 0; i < s->journal.part_count; i++)
			o.force_pmt |= !strcmp(s->journal.parts[i].name, "PMT");
		if (!s->pkg && (rc = open_package(s, s->journal.package, err)))
			return rc;
	} else if (!access(s->journal_path, F_OK)) {
		struct unifw_flash_journal old;
		struct unifw_error ignore;
		if (!unifw_flash_journal_load(s->journal_path, &old, &ignore) && strcmp(old.state, "done"))
			unifw_progress_note(cli_progress_cb(&s->prog), "warning",
					    "an unfinished flash of %s (%s) is replaced by this one; its identity backup "
					    "stays in %s", old.package, old.updated,
					    old.identity_backup[0] ? old.identity_backup : "(none made)");
		unifw_flash_journal_free(&old);
	}
	int rc = s->ph ? unifw_flash_facts_scan_identity(s->ph, &s->pkg->chosen->sc, &s->facts, err) : 0;
	if (!rc)
		rc = unifw_flash_plan(s->pkg, &s->facts, &o, &s->plan, err);
	s->have_plan = rc == 0;
	if (!rc && s->have_journal && !s->plan.refusals)
		rc = unifw_flash_journal_check(&s->journal, &s->plan, err);
	return rc;
}

static struct unifw_jv *result_json(const struct session *s)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "flash");
	unifw_jv_set_str(o, "outcome", s->outcome ? s->outcome : "failed");
	if (s->journal_path[0])
		unifw_jv_set_str(o, "journal", s->journal_path);
	const struct unifw_flash_result *r = &s->res;
	if (r->identity_backup[0])
		unifw_jv_set_str(o, "identity_backup", r->identity_backup);
	unifw_jv_set_uint(o, "partitions_written", r->partitions_written);
	unifw_jv_set_uint(o, "bytes_sent", r->bytes_sent);
	unifw_jv_set_uint(o, "bytes_skipped", r->bytes_skipped);
	unifw_jv_set_uint(o, "bytes_verified", r->bytes_verified);
	unifw_jv_set_uint(o, "ranges_resumed", r->ranges_resumed);
	unifw_jv_set_uint(o, "ranges_reverified", r->ranges_reverified);
	unifw_jv_set_uint(o, "ranges_rewritten", r->ranges_rewritten);
	/* milliseconds (monotonic): the identity backup, and the writes with their read-backs */
	unifw_jv_set_uint(o, "backup_ms", (uint64_t)(r->backup_seconds * 1000.0 + 0.5));
	unifw_jv_set_uint(o, "write_ms", (uint64_t)(r->write_seconds * 1000.0 + 0.5));
	unifw_jv_set_bool(o, "verify_failed", r->verify_failed);
	if (r->failed_step)
		unifw_jv_set_str(o, "failed_step", r->failed_step);
	if (r->failed_partition[0])
		unifw_jv_set_str(o, "failed_partition", r->failed_partition);
	if (s->have_plan)
		unifw_jv_set(o, "plan", unifw_flash_plan_to_json(&s->plan));
	return o;
}

static int execute(struct session *s, struct unifw_error *err)
{
	struct unifw_flash_device dev;
	struct unifw_flash_exec_opts eo = {.journal_path = s->journal_path,
					   .backup_dir = s->backup_dir,
					   .package_path = s->pkg->path,
					   .resume = s->have_journal ? &s->journal : NULL,
					   .progress = cli_progress_cb(&s->prog)};
	char abs[PATH_MAX];
	if (realpath(s->pkg->path, abs))
		eo.package_path = abs;
	unifw_flash_device_from_phone(&dev, s->ph);
	int rc = unifw_flash_execute(&dev, &s->plan, &eo, &s->res, err);
	s->outcome = rc ? "interrupted" : "flashed";
	if (!rc && s->a.reboot) {
		rc = unifw_phone_reboot(s->ph, err);
		if (!rc)
			s->outcome = "flashed_and_rebooted";
	}
	return rc;
}

static void print_summary(const struct session *s)
{
	char a[32], b[32];
	const struct unifw_flash_result *r = &s->res;
	fprintf(stderr, "Flashed %zu partition(s): %s sent%s%s%s.\n", r->partitions_written,
		unifw_human_size(r->bytes_sent, a, sizeof a), r->bytes_skipped ? ", " : "",
		r->bytes_skipped ? unifw_human_size(r->bytes_skipped, b, sizeof b) : "",
		r->bytes_skipped ? " of sparse DONT_CARE never sent" : "");
	if (s->plan.opts.verify)
		fprintf(stderr, "Every range read back equal, byte for byte.\n");
	else
		fprintf(stderr, "Not verified (--no-verify).\n");
	if (r->ranges_resumed)
		fprintf(stderr, "Resumed: the journal listed %llu range(s) as done: %llu read back equal to the package, "
			"%llu found different and written again.\n", (unsigned long long)r->ranges_resumed,
			(unsigned long long)r->ranges_reverified, (unsigned long long)r->ranges_rewritten);
	fprintf(stderr, "Identity backup: %s\n", r->identity_backup[0] ? r->identity_backup : "(none)");
}

static void print_failure(const struct session *s, const struct unifw_error *err)
{
	cli_error(err);
	if (s->res.failed_step && s->journal_path[0])
		fprintf(stderr,
			"unifw: the flash stopped at step %s%s%s; the journal %s keeps its progress.\n"
			"unifw: reconnect the phone and run: unifw flash --resume%s%s\n",
			s->res.failed_step, s->res.failed_partition[0] ? ", partition " : "", s->res.failed_partition,
			s->journal_path, s->a.pa.port ? " --port " : "", s->a.pa.port ? s->a.pa.port : "");
}

static void session_free(struct session *s)
{
	if (s->have_plan)
		unifw_flash_plan_free(&s->plan);
	if (s->have_journal)
		unifw_flash_journal_free(&s->journal);
	if (s->ph)
		unifw_phone_close(s->ph);
	unifw_package_free(s->pkg);
	remove_tmp(s->tmpdir);
}

static int finish(struct session *s, int code, const struct unifw_error *err)
{
	if (s->a.json) {
		struct unifw_jv *r = result_json(s);
		cli_json_result_status(r, err, code);
		unifw_jv_free(r);
	} else if (err) {
		print_failure(s, err);
	}
	session_free(s);
	return code;
}

int cmd_flash(int argc, char **argv)
{
	static struct session s;
	memset(&s, 0, sizeof s);
	int rc = parse(argc, argv, &s.a);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	struct unifw_error err;
	unifw_error_clear(&err);
	cli_progress_init(&s.prog, s.a.json);
	if ((rc = prepare(&s, &err)) || (rc = open_phone(&s, &err)) || (rc = locate_journal(&s, &err)) ||
	    (rc = make_plan(&s, &err)))
		return finish(&s, CLI_FAIL, &err);
	FILE *out = s.a.json ? stderr : stdout;
	if (!s.a.json) {
		print_plan(out, &s.plan, &s.facts);
		/* The plan comes before the first write and before any error or progress on stderr, also when
		 * stdout is a pipe or a log file. */
		fflush(out);
	}
	if (s.plan.refusals) {
		s.outcome = "refused";
		unifw_error_set(&err, UNIFW_E_UNSAFE, "plan", UNIFW_NO_OFFSET,
				"the plan refuses %zu thing(s) (see above): nothing was written", s.plan.refusals);
		return finish(&s, FLASH_REFUSED, &err);
	}
	if (s.a.plan_only) {
		s.outcome = "plan_only";
		if (!s.a.json)
			fprintf(stderr, "Plan only: nothing was written.\n");
		return finish(&s, CLI_OK, NULL);
	}
	if (!s.plan.writes) {
		s.outcome = "nothing_to_write";
		return finish(&s, CLI_OK, NULL);
	}
	if (!s.a.yes && !confirm(&s.plan)) {
		s.outcome = "declined";
		fprintf(stderr, "Nothing was written.\n");
		return finish(&s, CLI_FAIL, NULL);
	}
	if ((rc = execute(&s, &err)))
		return finish(&s, s.res.verify_failed ? FLASH_VERIFY_FAILED : CLI_FAIL, &err);
	if (!s.a.json)
		print_summary(&s);
	return finish(&s, CLI_OK, NULL);
}
