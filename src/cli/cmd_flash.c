/* unifw flash PACKAGE [--plan] [--resume] [--with-preloader] [--include-identity] [--no-verify] [--yes]
 * [--json] [phone options]: plan, safety checks, identity backup, writes verified by read-back, a journal
 * that `--resume` continues (docs/flash.md). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/check.h"
#include "unifw/flash_job.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/identify.h"
#include "unifw/partname.h"
#include "cli/cmd_flash.h"

/* Exit codes beyond cli.h's: the plan said no (nothing written), a range read back wrong. */
enum { FLASH_REFUSED = 3, FLASH_VERIFY_FAILED = 4 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw flash PACKAGE [--plan] [--with-preloader] [--include-identity] [--only NAME[,NAME...]]\n"
		"                   [--repartition] [--no-verify] [--yes] [--backup-dir DIR] [--journal FILE] [--reboot]\n"
		"                   [--json] [phone options]\n"
		"       unifw flash --resume [PACKAGE] [--yes] [--json] [phone options]\n\n"
		"Write a firmware package (folder, archive, or a scatter file: its folder) to the connected phone, or\n"
		"put the phone back as it was from a full unifw backup folder (a restore; another phone's backup is a\n"
		"donor: its firmware is written, this phone keeps its own identity). A plan comes\n"
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
		"  --only NAME[,NAME]   write only these partitions (repeatable; Android names such as boot, system,\n"
		"                       userdata accepted); the others are skipped (not selected)\n"
		"  --repartition        Firmware Upgrade: when the package's layout differs from the phone's, write\n"
		"                       the package's layout and every partition at its new place, carrying NVRAM,\n"
		"                       PRO_INFO, PROTECT_F, PROTECT_S across from the identity backup. ERASES USER DATA\n"
		"  --allow-unbootable   write a package that unifw check says will not boot on this phone (white or\n"
		"                       black screen, boot loop); a BRICK RISK is refused all the same\n"
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

static void usage_write(FILE *out)
{
	fprintf(out,
		"usage: unifw write --partition NAME FILE [--plan] [--include-identity] [--no-verify] [--yes]\n"
		"                   [--backup-dir DIR] [--journal FILE] [--range-size SIZE] [--json] [phone options]\n"
		"       unifw write --resume --partition NAME FILE [--yes] [--json] [phone options]\n\n"
		"Write one image (raw, or Android sparse) into one partition of the phone's own partition table,\n"
		"with the rules of unifw flash: a plan first (the image must fit; the preloader's EMI table must list\n"
		"the phone's memory part), the identity partitions and the preloader backed up before the write, every\n"
		"range read back and compared, a journal that --resume continues (STATE/flash/CID.write.journal).\n"
		"NAME is an MT6572 partition name or an Android alias (boot, recovery, system, userdata, lk, logo...,\n"
		"case-insensitive); an unknown name is refused before the phone is contacted. An identity partition\n"
		"(NVRAM, PRO_INFO, PROTECT_F, PROTECT_S) only with --include-identity and only a file that a unifw\n"
		"backup manifest of this phone (manifest.json next to it) vouches for.\n\n"
		"  --partition NAME     the partition to write\n"
		"  --plan               show the plan and stop\n"
		"  --include-identity   allow an identity partition (this phone's own backup file only)\n"
		"  --no-verify          do not read back what was written\n"
		"  --resume             continue the interrupted write of this phone (same NAME and FILE)\n"
		"  --yes                do not ask for confirmation (required when not on a terminal)\n"
		"  --backup-dir DIR     parent of the identity backup (default: STATE/identity/CID)\n"
		"  --journal FILE       journal file (default: STATE/flash/CID.write.journal)\n"
		"  --range-size SIZE    bytes per write command, read-back and journal step (default 8M, max 32M)\n"
		"  --json               JSON event lines on stdout, the plan and result last\n"
		"%s\n"
		"exit status: 0 written (or plan shown), 1 failed (--resume continues), 2 usage or a partition name\n"
		"unifw or the phone does not know, 3 the plan refuses (nothing written), 4 a range read back different\n",
		cli_phone_usage);
}

struct args {
	struct cli_phone_args pa;
	bool write;              /* unifw write: --partition NAME FILE */
	const char *cmd, *partition;
	const char *package, *backup_dir, *journal;
	bool plan_only, resume, with_preloader, include_identity, no_verify, yes, json, reboot, repartition;
	bool allow_unbootable;
	uint64_t range_size;
	char only[512];          /* --only names, comma-separated as typed */
};

enum {
	OPT_PLAN = CLI_OPT_OWN, OPT_RESUME, OPT_WITH_PRELOADER, OPT_INCLUDE_IDENTITY, OPT_NO_VERIFY, OPT_JSON,
	OPT_REBOOT, OPT_BACKUP_DIR, OPT_JOURNAL, OPT_RANGE_SIZE, OPT_ONLY, OPT_PARTITION, OPT_REPARTITION,
	OPT_ALLOW_UNBOOTABLE
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
	{"only", required_argument, NULL, OPT_ONLY},
	{"partition", required_argument, NULL, OPT_PARTITION},
	{"repartition", no_argument, NULL, OPT_REPARTITION},
	{"allow-unbootable", no_argument, NULL, OPT_ALLOW_UNBOOTABLE},
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
	case OPT_REPARTITION: a->repartition = true; break;
	case OPT_ALLOW_UNBOOTABLE: a->allow_unbootable = true; break;
	case OPT_BACKUP_DIR: a->backup_dir = g->arg; break;
	case OPT_JOURNAL: a->journal = g->arg; break;
	case OPT_RANGE_SIZE:
		if (!cli_parse_size(g->arg, UNIFW_FLASH_RANGE_MAX, &a->range_size) ||
		    !unifw_flash_range_size_ok(a->range_size))
			return cli_usage_error(a->cmd, "--range-size takes a multiple of 512 up to 32M, not '%s'", g->arg);
		break;
	case OPT_ONLY: {
		size_t used = strlen(a->only);
		if (!*g->arg || strspn(g->arg, ",") == strlen(g->arg))
			return cli_usage_error(a->cmd, "--only takes partition names, not '%s'", g->arg);
		if (snprintf(a->only + used, sizeof a->only - used, "%s%s", used ? "," : "", g->arg) >=
		    (int)(sizeof a->only - used))
			return cli_usage_error(a->cmd, "--only: too many names");
		break;
	}
	case OPT_PARTITION:
		if (!a->write)
			return cli_usage_error(a->cmd, "--partition is unifw write's (flash takes --only)");
		a->partition = g->arg;
		break;
	case 'h': a->write ? usage_write(stdout) : usage(stdout); return -1;
	default: return cli_usage_error(a->cmd, "unknown option '%s'", cli_getopt_name(g, c));
	}
	return 0;
}

/* What only unifw write checks: NAME and FILE, no package options. */
static int check_write(const struct args *a)
{
	if (!a->partition)
		return cli_usage_error(a->cmd, "name the partition to write (--partition NAME)");
	if (!a->package)
		return cli_usage_error(a->cmd, "name the image file to write into %s", a->partition);
	if (a->only[0] || a->with_preloader || a->reboot || a->repartition)
		return cli_usage_error(a->cmd, "--only, --with-preloader, --reboot and --repartition are unifw flash's");
	return 0;
}

static int parse(int argc, char **argv, struct args *a, bool write)
{
	struct cli_getopt g;
	int c, r;
	memset(a, 0, sizeof *a);
	a->write = write;
	a->cmd = write ? "write" : "flash";
	cli_getopt_init(&g, a->cmd, argc, argv, "hy" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, &a->pa)) < 0)
			return CLI_USAGE;
		if (r == 0 && (r = parse_opt(&g, c, a)) != 0)
			return r;
	}
	if (g.optind < argc)
		a->package = argv[g.optind];
	if (argc - g.optind > 1)
		return cli_usage_error(a->cmd, "one package at a time ('%s' and '%s')", a->package, argv[g.optind + 1]);
	if (write && (r = check_write(a)) != 0)
		return r;
	if (!a->package && !a->resume)
		return cli_usage_error(a->cmd, "name the firmware package (a folder or an archive with a scatter file)");
	if (a->resume && (a->with_preloader || a->include_identity || a->no_verify || a->range_size || a->only[0] ||
			  a->repartition))
		return cli_usage_error(a->cmd, "--resume takes the options of the interrupted flash from its journal: "
						"drop --with-preloader, --include-identity, --only, --no-verify, --range-size and "
						"--repartition");
	if (a->repartition && a->include_identity)
		return cli_usage_error(a->cmd, "--repartition carries the phone's own identity partitions across: "
						"--include-identity does not go with it");
	if (a->resume && a->plan_only)
		return cli_usage_error(a->cmd, "--plan and --resume do not go together");
	if (!a->yes && !a->plan_only && (a->json || !isatty(STDIN_FILENO)))
		return cli_usage_error(a->cmd, "flashing needs --yes when there is no terminal to ask (or --plan to look)");
	return 0;
}

/* ---------------------------------------------------------------- the plan for humans */

static void print_identity_regions(FILE *out, const struct unifw_idregions *r, bool repartition)
{
	if (!r->scanned)
		return;
	fprintf(out, "  identity content on the phone (%zu start(s) looked at): %s\n", r->candidates,
		!r->count ? "none found" : repartition ? "backed up first, then carried to the new layout"
						       : "never written over, backed up first");
	for (size_t i = 0; i < r->count; i++) {
		char what[200];
		unifw_idregion_describe(&r->r[i], what, sizeof what);
		fprintf(out, "      %s, found at a start of the %s\n", what, r->r[i].found_by);
	}
}

/* --repartition: the phone's layout and the package's side by side (user-area offsets). */
static void print_layouts(FILE *out, const struct unifw_flash_plan *p)
{
	struct unifw_flash_repart_row rows[2 * UNIFW_PHONE_MAX_PARTS];
	size_t n = unifw_flash_repart_rows(p, rows, sizeof rows / sizeof *rows);
	if (!n)
		return;
	char a[32], b[32];
	fprintf(out, "  Firmware Upgrade (--repartition): the phone's layout becomes the package's. USER DATA IS ERASED.\n");
	fprintf(out, "  %-12s %-24s %-24s\n", "PARTITION", "NOW (user offset, size)", "AFTER (user offset, size)");
	for (size_t i = 0; i < n && i < sizeof rows / sizeof *rows; i++) {
		const struct unifw_flash_repart_row *r = &rows[i];
		char now[40] = "-", after[40] = "-";
		if (r->in_old)
			snprintf(now, sizeof now, "0x%llx %s", (unsigned long long)r->old_offset, unifw_human_size(r->old_size, a, sizeof a));
		if (r->in_new)
			snprintf(after, sizeof after, "0x%llx %s", (unsigned long long)r->new_offset, unifw_human_size(r->new_size, b, sizeof b));
		fprintf(out, "  %-12s %-24s %-24s%s\n", r->name, now, after,
			r->in_old && r->in_new && (r->old_offset != r->new_offset || r->old_size != r->new_size) ? "  moved" : "");
	}
}

/* unifw check in the plan: the verdict and predicted boot (its findings follow with the plan's). */
static void print_check(FILE *out, const struct unifw_flash_plan *p)
{
	const struct unifw_check_result *r = p->check;
	if (!r) {
		if (p->mode == UNIFW_FLASH_MODE_RESTORE)
			fprintf(out, "  check: not run (a restore puts this phone's own firmware back)\n");
		return;
	}
	fprintf(out, "  check: %s, predicted boot: %s", unifw_check_verdict_text(r->verdict), r->predicted_boot);
	for (size_t i = 0; i < r->predicted_fault_count; i++)
		fprintf(out, "%s%s", i ? ", " : " (", r->predicted_faults[i]);
	fprintf(out, "%s\n", r->predicted_fault_count ? ")" : "");
	if (r->preloader_text[0] && !r->preloader_written)
		fprintf(out, "      %s\n", r->preloader_text);
}

static void print_plan(FILE *out, const struct unifw_flash_plan *p, const struct unifw_flash_facts *f)
{
	char a[32], b[32], cid[33];
	struct unifw_cid c;
	unifw_cid_decode(f->cid, &c);
	unifw_hex(f->cid, 16, cid);
	if (p->pkg->chosen)
		fprintf(out, "Flash plan for %s\n", p->pkg->path);
	else /* unifw write: one image */
		fprintf(out, "Write plan for %s\n", p->count && p->entries[0].image ? p->entries[0].image : p->pkg->path);
	fprintf(out, "  phone: eMMC %s %s (CID %s), user area %s, boot region 0x%llx%s\n",
		c.manufacturer ? c.manufacturer : "?", c.product, cid, unifw_human_size(f->user_size, a, sizeof a),
		(unsigned long long)p->boot_region, p->layout_checked ? ", partition table compared" : "");
	if (p->mode == UNIFW_FLASH_MODE_RESTORE)
		fprintf(out, "  restore: a full unifw backup of this phone (CID %s): every partition goes back as it was, "
			"identity included; each file was checked against the manifest's SHA-256\n", p->backup_cid);
	else if (p->mode == UNIFW_FLASH_MODE_DONOR)
		fprintf(out, "  donor: a full unifw backup of another phone (CID %s): its firmware is written, this phone "
			"keeps its own identity; each file was checked against the manifest's SHA-256\n",
			p->backup_cid[0] ? p->backup_cid : "unknown");
	print_layouts(out, p);
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
			e->image ? e->image : e->form == UNIFW_FLASH_FORM_PMT ? "(built from the scatter)" :
			e->form == UNIFW_FLASH_FORM_CARRY ? "(from the identity backup)" :
			e->form == UNIFW_FLASH_FORM_ZERO ? "(zeros)" : "-",
			e->form == UNIFW_FLASH_FORM_SPARSE ? " (sparse)" : "");
		if (e->action != UNIFW_FLASH_WRITE || e->form == UNIFW_FLASH_FORM_PRELOADER || e->form == UNIFW_FLASH_FORM_PMT ||
		    e->form == UNIFW_FLASH_FORM_CARRY)
			fprintf(out, "      %s: %s\n", e->action == UNIFW_FLASH_REFUSE ? "REFUSED" : "why", e->reason);
		if (e->warning[0])
			fprintf(out, "      note: %s\n", e->warning);
	}
	print_identity_regions(out, &p->identity_regions, p->opts.repartition);
	print_check(out, p);
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
	fprintf(stderr, "Write %zu partition(s) (%s) to the phone%s? Type 'yes' to go on: ", p->writes,
		unifw_human_size(p->write_bytes, a, sizeof a),
		p->opts.repartition ? ", replacing its partition layout and ERASING ITS USER DATA" : "");
	fflush(stderr);
	if (!fgets(line, sizeof line, stdin))
		return false;
	return !strcmp(line, "yes\n") || !strcmp(line, "yes");
}

/* ---------------------------------------------------------------- the job */

struct session {
	struct args a;
	struct unifw_flash_job job;
	struct cli_progress prog;
	int code;                /* the exit status when the job did not fail */
};

static struct unifw_jv *result_json(const struct session *s)
{
	const struct unifw_flash_job *j = &s->job;
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", s->a.cmd);
	unifw_jv_set_str(o, "outcome", j->outcome ? j->outcome : "failed");
	if (j->journal_path[0])
		unifw_jv_set_str(o, "journal", j->journal_path);
	const struct unifw_flash_result *r = &j->res;
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
	if (j->have_plan)
		unifw_jv_set(o, "plan", unifw_flash_plan_to_json(&j->plan));
	return o;
}

static void print_summary(const struct session *s)
{
	char a[32], b[32];
	const struct unifw_flash_result *r = &s->job.res;
	fprintf(stderr, "Flashed %zu partition(s): %s sent%s%s%s.\n", r->partitions_written,
		unifw_human_size(r->bytes_sent, a, sizeof a), r->bytes_skipped ? ", " : "",
		r->bytes_skipped ? unifw_human_size(r->bytes_skipped, b, sizeof b) : "",
		r->bytes_skipped ? " of sparse DONT_CARE never sent" : "");
	if (s->job.plan.opts.verify)
		fprintf(stderr, "Every range read back equal, byte for byte.\n");
	else
		fprintf(stderr, "Not verified (--no-verify).\n");
	if (r->ranges_resumed)
		fprintf(stderr, "Resumed: the journal listed %llu range(s) as done: %llu read back equal to the package, "
			"%llu found different and written again.\n", (unsigned long long)r->ranges_resumed,
			(unsigned long long)r->ranges_reverified, (unsigned long long)r->ranges_rewritten);
	fprintf(stderr, "Identity backup: %s\n", r->identity_backup[0] ? r->identity_backup : "(none)");
}

/* The command that continues this flash: --resume takes the package and the options from the journal;
 * the phone options and a --journal given here are not in it. */
static void print_resume(const struct session *s)
{
	struct cli_cmdline c;
	cli_cmdline_init(&c, s->a.write ? "unifw write --resume" : "unifw flash --resume");
	if (s->a.write) {
		cli_cmdline_add2(&c, "--partition", s->a.partition);
		cli_cmdline_add(&c, s->a.package);
	}
	if (s->a.journal)
		cli_cmdline_add2(&c, "--journal", s->a.journal);
	if (s->a.yes)
		cli_cmdline_add(&c, "--yes");
	if (s->a.json)
		cli_cmdline_add(&c, "--json");
	cli_cmdline_add_phone(&c, &s->a.pa);
	cli_print_resume(&c);
}

static void print_failure(const struct session *s, const struct unifw_error *err)
{
	const struct unifw_flash_job *j = &s->job;
	if (!s->a.json)
		cli_error(err);
	if (!j->res.failed_step || !j->journal_path[0])
		return;
	fprintf(stderr, "unifw: the %s stopped at step %s%s%s; the journal %s keeps its progress.\n", s->a.cmd,
		j->res.failed_step, j->res.failed_partition[0] ? ", partition " : "", j->res.failed_partition,
		j->journal_path);
	if (err->code != UNIFW_E_CANCELLED)
		fprintf(stderr, "unifw: reconnect the phone, then:\n");
	print_resume(s);
}

/* On the open phone: the plan, shown; then what the plan and the user allow. */
static int flash_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct session *s = ctx;
	struct unifw_flash_job *j = &s->job;
	int rc = unifw_flash_job_plan(j, ph, err);
	if (rc && j->usage_error)
		s->code = CLI_USAGE;
	if (rc)
		return rc;
	FILE *out = s->a.json ? stderr : stdout;
	if (!s->a.json) {
		print_plan(out, &j->plan, &j->facts);
		/* The plan comes before the first write and before any error or progress on stderr, also when
		 * stdout is a pipe or a log file. */
		fflush(out);
	}
	if (j->plan.refusals) {
		j->outcome = "refused";
		s->code = FLASH_REFUSED;
		return unifw_error_set(err, UNIFW_E_UNSAFE, "plan", UNIFW_NO_OFFSET,
				       "the plan refuses %zu thing(s) (see above): nothing was written", j->plan.refusals);
	}
	if (s->a.plan_only) {
		j->outcome = "plan_only";
		if (!s->a.json)
			fprintf(stderr, "Plan only: nothing was written.\n");
		return 0;
	}
	if (!j->plan.writes) {
		j->outcome = "nothing_to_write";
		return 0;
	}
	if (!s->a.yes && !confirm(&j->plan)) {
		j->outcome = "declined";
		s->code = CLI_FAIL;
		fprintf(stderr, "Nothing was written.\n");
		return 0;
	}
	rc = unifw_flash_job_execute(j, ph, err);
	if (rc)
		s->code = j->res.verify_failed ? FLASH_VERIFY_FAILED : CLI_FAIL;
	else if (!s->a.json)
		print_summary(s);
	return rc;
}

static int finish(struct session *s, int rc, const struct unifw_error *err)
{
	int code = rc ? (s->code ? s->code : CLI_FAIL) : s->code;
	if (s->a.json) {
		struct unifw_jv *r = result_json(s);
		cli_json_result_status(r, rc ? err : NULL, code);
		unifw_jv_free(r);
	}
	if (rc) /* on stderr after the JSON result: the resume command is the last line */
		print_failure(s, err);
	unifw_flash_job_free(&s->job);
	return cli_job_exit(rc, code);
}

static int run(int argc, char **argv, bool write)
{
	static struct session s;
	memset(&s, 0, sizeof s);
	int rc = parse(argc, argv, &s.a, write);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	struct unifw_error err;
	unifw_error_clear(&err);
	cli_progress_init(&s.prog, s.a.json);
	struct unifw_job job;
	cli_job_init(&job, s.a.cmd, &s.a.pa, cli_progress_cb(&s.prog));
	job.run = flash_job;
	job.ctx = &s;
	struct unifw_flash_job_opts o = {.package = write ? NULL : s.a.package,
					 .partition = write ? s.a.partition : NULL,
					 .image = write ? s.a.package : NULL,
					 .backup_dir = s.a.backup_dir,
					 .journal = s.a.journal,
					 .resume = s.a.resume,
					 /* unifw write --partition preloader: naming it asks for it (its EMI rule still holds) */
					 .plan = {.with_preloader = s.a.with_preloader ||
								    (write && unifw_partname_resolve(s.a.partition) &&
								     !strcmp(unifw_partname_resolve(s.a.partition), "PRELOADER")),
						  .include_identity = s.a.include_identity,
						  .verify = !s.a.no_verify,
						  .range_size = s.a.range_size,
						  .repartition = s.a.repartition,
						  .allow_unbootable = s.a.allow_unbootable},
					 .reboot = s.a.reboot,
					 .progress = cli_progress_cb(&s.prog),
					 .cancel = job.cancel};
	snprintf(o.plan.only, sizeof o.plan.only, "%s", s.a.only);
	rc = unifw_flash_job_prepare(&s.job, &o, &job.open, &err);
	if (rc && s.job.usage_error)
		s.code = CLI_USAGE;
	if (s.job.warning[0])
		fprintf(stderr, "unifw: warning: %s\n", s.job.warning);
	if (!rc)
		rc = unifw_job_run(&job, &err);
	return finish(&s, rc, &err);
}

int cmd_flash(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_flash_write(int argc, char **argv)
{
	return run(argc, argv, true);
}
