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
		"backed up into the identity vault (or DIR/identity-<UTC stamp>) before anything is erased, with the\n"
		"/data/nvram folder of USRDATA (docs/identity.md). Identity content found on the\n"
		"eMMC (NVRAM BinRegion, protect_f/protect_s ext4) is never erased under another name, and every erase\n"
		"is verified by reading it back.\n\n"
		"  --partition NAME     erase this partition (repeatable)\n"
		"  --all-but-identity   erase every partition except identity partitions, MBR/EBR and BMTPOOL;\n"
		"                       the phone then does not boot until a firmware is flashed\n"
		"  --include-identity   allow identity partitions named with --partition\n"
		"  --plan               show the plan and stop\n"
		"  --yes                do not ask for confirmation (required when not on a terminal)\n"
		"  --backup-dir DIR     where the identity backup goes (default: the vault, STATE/identity/<CID>)\n"
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

enum { OPT_PARTITION = CLI_OPT_OWN, OPT_ALL_BUT_IDENTITY, OPT_INCLUDE_IDENTITY, OPT_PLAN, OPT_BACKUP_DIR, OPT_JSON };

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"partition", required_argument, NULL, OPT_PARTITION},
	{"all-but-identity", no_argument, NULL, OPT_ALL_BUT_IDENTITY},
	{"include-identity", no_argument, NULL, OPT_INCLUDE_IDENTITY},
	{"plan", no_argument, NULL, OPT_PLAN},
	{"yes", no_argument, NULL, 'y'},
	{"backup-dir", required_argument, NULL, OPT_BACKUP_DIR},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct cli_phone_args *pa, struct unifw_erase_opts *fo, const char **names,
		 bool *json, bool *plan_only, bool *yes)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "format", argc, argv, "hy" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_PARTITION:
			if (fo->count >= 64)
				return cli_usage_error("format", "too many --partition options");
			names[fo->count++] = g.arg;
			break;
		case OPT_ALL_BUT_IDENTITY: fo->all_but_identity = true; break;
		case OPT_INCLUDE_IDENTITY: fo->include_identity = true; break;
		case OPT_PLAN: *plan_only = true; break;
		case 'y': *yes = true; break;
		case OPT_BACKUP_DIR: fo->backup_parent = g.arg; break;
		case OPT_JSON: *json = true; break;
		case 'h': usage(stdout); return -1;
		default: return cli_usage_error("format", "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		return cli_usage_error("format", "unexpected argument '%s'", argv[g.optind]);
	return 0;
}

int cmd_format(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	struct unifw_erase_opts fo = {0};
	const char *names[64];
	bool json = false, plan_only = false, yes = false;
	int prc = parse(argc, argv, &pa, &fo, names, &json, &plan_only, &yes);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
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
