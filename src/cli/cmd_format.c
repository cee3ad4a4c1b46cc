/* unifw format --partition NAME... | --all-but-identity [--include-identity] [--plan] [--yes]:
 * erase partitions after a plan and an automatic backup of the identity partitions. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/erase.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw format (--partition NAME... | --all-but-identity) [--include-identity] [--plan] [--yes]\n"
		"                    [--backup-dir DIR] [--json] [phone options]\n\n"
		"Erase partitions of the phone's user area. A plan comes first (what is erased, why the rest is\n"
		"kept); the preloader and the identity partitions (NVRAM, PRO_INFO, PROTECT_F, PROTECT_S) are\n"
		"backed up into DIR/identity-<UTC stamp> before anything is erased. Identity content found on the\n"
		"eMMC (NVRAM BinRegion, protect_f/protect_s ext4) is never erased under another name, and every erase\n"
		"is verified by reading it back.\n\n"
		"  --partition NAME     erase this partition (repeatable)\n"
		"  --all-but-identity   erase every partition except identity partitions, MBR/EBR and BMTPOOL;\n"
		"                       the phone then does not boot until a firmware is flashed\n"
		"  --include-identity   allow identity partitions named with --partition\n"
		"  --plan               show the plan and stop\n"
		"  --yes                do not ask for confirmation (required when not on a terminal)\n"
		"  --backup-dir DIR     where the identity backup goes (default: the current folder)\n"
		"  --json               JSON event lines, the result last\n"
		"%s",
		cli_phone_usage);
}

static bool confirm(void)
{
	char line[32];
	fprintf(stderr, "Erase these partitions? Type 'yes' to go on: ");
	fflush(stderr);
	if (!fgets(line, sizeof line, stdin))
		return false;
	return !strcmp(line, "yes\n") || !strcmp(line, "yes");
}

struct erase_run {
	struct unifw_erase_opts *opts;
	bool plan_only, ask, declined;
	struct unifw_jv *res;
};

static int erase_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct erase_run *r = ctx;
	if (r->ask) {
		/* show the plan, then ask */
		int rc = unifw_erase_run(ph, r->opts, true, NULL, err);
		if (rc < 0)
			return rc;
		if (!confirm()) {
			r->declined = true;
			return 0;
		}
		r->opts->progress = NULL; /* the plan was shown once */
	}
	return unifw_erase_run(ph, r->opts, r->plan_only, &r->res, err);
}

/* A stopped erase: what was erased, and the command that erases the rest (there is no journal: each
 * partition is erased and verified whole, so the rest is just named). */
static void print_rest(const struct cli_phone_args *pa, const struct unifw_erase_opts *fo, const struct unifw_jv *res,
		       bool json)
{
	const struct unifw_jv *erased = unifw_jv_get(res, "erased"), *rest = unifw_jv_get(res, "remaining");
	if (!json)
		fprintf(stderr, "unifw: %zu partition(s) erased and verified before the stop, %zu not erased; identity "
				"backup: %s\n", unifw_jv_len(erased), unifw_jv_len(rest),
			unifw_jv_str(unifw_jv_get(res, "identity_backup")));
	if (!unifw_jv_len(rest))
		return;
	struct cli_cmdline c;
	cli_cmdline_init(&c, "unifw format");
	for (size_t i = 0; i < unifw_jv_len(rest); i++)
		cli_cmdline_add2(&c, "--partition", unifw_jv_str(unifw_jv_at(rest, i)));
	if (fo->include_identity)
		cli_cmdline_add(&c, "--include-identity");
	if (fo->backup_parent)
		cli_cmdline_add2(&c, "--backup-dir", fo->backup_parent);
	cli_cmdline_add(&c, "--yes");
	if (json)
		cli_cmdline_add(&c, "--json");
	cli_cmdline_add_phone(&c, pa);
	cli_print_resume(&c);
}

int cmd_format(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	struct unifw_erase_opts fo = {0};
	const char *names[64];
	bool json = false, plan_only = false, yes = false;
	for (int i = 1; i < argc; i++) {
		int r = cli_phone_arg("format", argc, argv, &i, &pa);
		if (r < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		const char *a = argv[i];
		if (!strcmp(a, "--partition") && i + 1 < argc) {
			if (fo.count >= sizeof names / sizeof names[0])
				return cli_usage_error("format", "too many --partition options");
			names[fo.count++] = argv[++i];
		} else if (!strcmp(a, "--all-but-identity"))
			fo.all_but_identity = true;
		else if (!strcmp(a, "--include-identity"))
			fo.include_identity = true;
		else if (!strcmp(a, "--plan"))
			plan_only = true;
		else if (!strcmp(a, "--yes") || !strcmp(a, "-y"))
			yes = true;
		else if (!strcmp(a, "--backup-dir") && i + 1 < argc)
			fo.backup_parent = argv[++i];
		else if (!strcmp(a, "--json"))
			json = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return CLI_OK;
		} else
			return cli_usage_error("format", "unknown argument '%s'", a);
	}
	if (!fo.count && !fo.all_but_identity)
		return cli_usage_error("format", "name what to erase: --partition NAME... or --all-but-identity");
	if (!yes && !plan_only && (json || !isatty(STDIN_FILENO)))
		return cli_usage_error("format", "erasing needs --yes when there is no terminal to ask (or --plan to look)");
	fo.partitions = names;
	struct cli_progress prog;
	cli_progress_init(&prog, json);
	fo.progress = cli_progress_cb(&prog);
	struct erase_run run = {.opts = &fo, .plan_only = plan_only, .ask = !yes && !plan_only};
	struct unifw_job job;
	cli_job_init(&job, "erase", &pa, cli_progress_cb(&prog));
	job.run = erase_job;
	job.ctx = &run;
	fo.cancel = job.cancel;
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = unifw_job_run(&job, &err);
	struct unifw_jv *res = run.res;
	if (run.declined) {
		fprintf(stderr, "Nothing was erased.\n");
		return CLI_FAIL;
	}
	if (rc == UNIFW_E_CANCELLED && res) {
		int code = json ? cli_json_result(res, &err) : cli_error(&err);
		print_rest(&pa, &fo, res, json);
		unifw_jv_free(res);
		return cli_job_exit(rc, code);
	}
	if (json) {
		int code = cli_json_result(res, rc < 0 ? &err : NULL);
		unifw_jv_free(res);
		return code;
	}
	if (rc < 0)
		return cli_error(&err);
	const char *dir = unifw_jv_str(unifw_jv_get(res, "identity_backup"));
	if (plan_only)
		fprintf(stderr, "Plan only: nothing was erased.\n");
	else if (dir)
		fprintf(stderr, "Erased %zu partition(s), each verified by read-back; identity backup: %s\n",
			unifw_jv_len(unifw_jv_get(res, "erased")), dir);
	else
		fprintf(stderr, "Nothing to erase.\n");
	const char *warning = unifw_jv_str(unifw_jv_get(res, "warning"));
	if (warning && !plan_only && dir)
		fprintf(stderr, "Note: %s.\n", warning);
	unifw_jv_free(res);
	return CLI_OK;
}
