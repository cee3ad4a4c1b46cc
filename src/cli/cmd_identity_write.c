/* unifw identity restore | set-mac ADDR | set-bt ADDR (docs/identity.md "Restore", "Set the addresses"): the
 * phone's own identity written back, or one address changed, after a vault backup, each write verified and
 * journaled (unifw/idrestore.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/idrestore.h"
#include "unifw/nvram.h"

static void usage(FILE *out, enum unifw_idwrite_op op)
{
	if (op == UNIFW_IDWRITE_RESTORE)
		fprintf(out,
			"usage: unifw identity restore [--from ENTRY|DIR|nvram.bin] [--plan] [--yes] [--resume] [--json]\n"
			"                              [phone options]\n\n"
			"Write the phone's own identity back: NVRAM (BinRegion), PRO_INFO, PROTECT_F, PROTECT_S and, when\n"
			"USRDATA is ext4, the /nvram folder inside it (/data/nvram). The source must be this phone's (its\n"
			"manifest's eMMC CID) and every file's SHA-256 is checked first; another phone's entry is refused.\n"
			"The current identity is backed up into the vault first; every range is read back and compared,\n"
			"and a journal lets --resume finish a cut restore.\n\n"
			"  --from ENTRY|DIR     a vault entry or a unifw backup folder of this phone (default: the vault's\n"
			"                       newest entry that passes its health check)\n"
			"  --from nvram.bin     a raw NVRAM image (SP Flash Tool Readback): only when a backup of this\n"
			"                       phone holds it byte for byte (a manifest beside it or a vault entry)\n"
			"  --plan               show what would be written and stop\n"
			"  --yes                do not ask for confirmation (required when not on a terminal)\n"
			"  --resume             finish this phone's interrupted identity restore / set-mac / set-bt\n"
			"  --json               JSON event lines, the result last\n"
			"%s",
			cli_phone_usage);
	else
		fprintf(out,
			"usage: unifw identity %s ADDR [--plan] [--yes] [--json] [phone options]\n"
			"       unifw identity %s --resume [--json] [phone options]\n\n"
			"Change the %s in the NVRAM BinRegion (%s; its checksum and the bitmap-block copy refreshed,\n"
			"every other byte kept) and in /data/nvram's copy of the file inside USRDATA, after a vault backup,\n"
			"each write read back. ADDR is AA:BB:CC:DD:EE:FF (or '-' separated); multicast, all-zero and\n"
			"broadcast addresses are refused.\n\n"
			"  --plan               show what would be written and stop\n"
			"  --yes                do not ask for confirmation (required when not on a terminal)\n"
			"  --resume             finish this phone's interrupted identity write\n"
			"  --json               JSON event lines, the result last\n"
			"%s",
			unifw_idwrite_op_name(op), unifw_idwrite_op_name(op),
			op == UNIFW_IDWRITE_SET_BT ? "Bluetooth address" : "WiFi MAC address",
			op == UNIFW_IDWRITE_SET_BT ? UNIFW_NVRAM_BT_ADDR : UNIFW_NVRAM_WIFI, cli_phone_usage);
}

enum { OPT_FROM = CLI_OPT_OWN, OPT_PLAN, OPT_RESUME, OPT_JSON };

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"from", required_argument, NULL, OPT_FROM},
	{"plan", no_argument, NULL, OPT_PLAN},
	{"resume", no_argument, NULL, OPT_RESUME},
	{"yes", no_argument, NULL, 'y'},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

struct args {
	struct cli_phone_args pa;
	struct unifw_idrestore_opts o;
	const char *cmd, *addr_text;
	bool json, yes;
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct args *a)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, a->cmd, argc, argv, "hy" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, &a->pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_FROM:
			if (a->o.op != UNIFW_IDWRITE_RESTORE)
				return cli_usage_error(a->cmd, "--from belongs to 'identity restore'");
			a->o.from = g.arg;
			break;
		case OPT_PLAN: a->o.plan_only = true; break;
		case OPT_RESUME: a->o.resume = true; break;
		case 'y': a->yes = true; break;
		case OPT_JSON: a->json = true; break;
		case 'h': usage(stdout, a->o.op); return -1;
		default: return cli_usage_error(a->cmd, "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	int operands = argc - g.optind;
	if (a->o.op != UNIFW_IDWRITE_RESTORE && !a->o.resume) {
		if (operands != 1)
			return cli_usage_error(a->cmd, "name the new address: %s AA:BB:CC:DD:EE:FF", a->cmd);
		a->addr_text = argv[g.optind];
		struct unifw_error e;
		if (unifw_nvram_parse_mac(a->addr_text, a->o.addr, &e))
			return cli_usage_error(a->cmd, "%s", e.msg);
	} else if (operands > 0) {
		return cli_usage_error(a->cmd, "unexpected argument '%s'", argv[g.optind]);
	}
	if (a->o.resume && (a->o.plan_only || a->o.from))
		return cli_usage_error(a->cmd, "--resume continues the saved plan: no --plan, no --from");
	if (!a->yes && !a->o.plan_only && (a->json || !isatty(STDIN_FILENO)))
		return cli_usage_error(a->cmd, "writing the identity needs --yes when there is no terminal to ask (or --plan "
					       "to look)");
	return 0;
}

static bool confirm(void)
{
	char line[32];
	fprintf(stderr, "Write this to the phone? Type 'yes' to go on: ");
	fflush(stderr);
	return fgets(line, sizeof line, stdin) && (!strcmp(line, "yes\n") || !strcmp(line, "yes"));
}

/* The plan in words (stderr: the result's JSON is the machine form). */
static void print_plan(const struct unifw_jv *res)
{
	const struct unifw_jv *src = unifw_jv_get(res, "source"), *parts = unifw_jv_get(res, "partitions");
	const struct unifw_jv *tree = unifw_jv_get(res, "nvram_tree"), *addr = unifw_jv_get(res, "address");
	if (src)
		fprintf(stderr, "Source: %s (%s)\n", unifw_jv_str(unifw_jv_get(src, "path")),
			unifw_jv_str(unifw_jv_get(src, "kind")));
	for (size_t i = 0; i < unifw_jv_len(parts); i++) {
		const struct unifw_jv *p = unifw_jv_at(parts, i);
		fprintf(stderr, "  %-10s %llu bytes, SHA-256 %.16s...\n", unifw_jv_str(unifw_jv_get(p, "name")),
			(unsigned long long)unifw_jv_u64(unifw_jv_get(p, "bytes")), unifw_jv_str(unifw_jv_get(p, "sha256")));
	}
	if (tree)
		fprintf(stderr, "  /nvram     source %s: %s (%llu bytes of USRDATA change)\n",
			unifw_jv_str(unifw_jv_get(tree, "source")), unifw_jv_str(unifw_jv_get(tree, "note")),
			(unsigned long long)unifw_jv_u64(unifw_jv_get(tree, "changed_bytes")));
	if (addr)
		fprintf(stderr, "  %s: %s -> %s in the BinRegion; /data/nvram copy: %s\n",
			unifw_jv_str(unifw_jv_get(addr, "kind")), unifw_jv_str(unifw_jv_get(addr, "old")),
			unifw_jv_str(unifw_jv_get(addr, "new")), unifw_jv_str(unifw_jv_get(addr, "data_nvram")));
	const struct unifw_jv *plan = unifw_jv_get(res, "plan");
	if (plan)
		fprintf(stderr, "Plan: %llu range(s), %llu bytes, each read back after writing\n",
			(unsigned long long)unifw_jv_u64(unifw_jv_get(plan, "ranges")),
			(unsigned long long)unifw_jv_u64(unifw_jv_get(plan, "bytes")));
}

struct run {
	struct args *a;
	bool ask, declined;
	struct unifw_jv *res;
};

static int write_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct run *r = ctx;
	if (r->ask) {
		struct unifw_idrestore_opts po = r->a->o;
		po.plan_only = true;
		int rc = unifw_identity_write(ph, &po, &r->res, err);
		if (rc < 0)
			return rc;
		print_plan(r->res);
		unifw_jv_free(r->res);
		r->res = NULL;
		if (!confirm()) {
			r->declined = true;
			return 0;
		}
	}
	return unifw_identity_write(ph, &r->a->o, &r->res, err);
}

static void print_resume(const struct args *a)
{
	struct cli_cmdline c;
	char first[64];
	snprintf(first, sizeof first, "unifw identity %s", unifw_idwrite_op_name(a->o.op));
	cli_cmdline_init(&c, first);
	cli_cmdline_add(&c, "--resume");
	cli_cmdline_add(&c, "--yes");
	if (a->json)
		cli_cmdline_add(&c, "--json");
	cli_cmdline_add_phone(&c, &a->pa);
	cli_print_resume(&c);
}

static int run_cmd(int argc, char **argv, enum unifw_idwrite_op op)
{
	char cmd[40];
	struct args a = { .o.op = op, .cmd = cmd };
	snprintf(cmd, sizeof cmd, "identity %s", unifw_idwrite_op_name(op));
	int prc = parse(argc, argv, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	cli_set_json(a.json);
	struct cli_progress prog;
	cli_progress_init(&prog, a.json);
	a.o.progress = cli_progress_cb(&prog);
	struct run run = { .a = &a, .ask = !a.yes && !a.o.plan_only };
	struct unifw_job job;
	cli_job_init(&job, cmd, &a.pa, cli_progress_cb(&prog));
	job.run = write_job;
	job.ctx = &run;
	a.o.cancel = job.cancel;
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = unifw_job_run(&job, &err);
	if (run.declined) {
		fprintf(stderr, "Nothing was written.\n");
		unifw_jv_free(run.res);
		return CLI_FAIL;
	}
	const char *state = unifw_jv_str(unifw_jv_get(run.res, "state"));
	bool stopped = rc < 0 && state && !strcmp(state, "interrupted");
	int status = rc == UNIFW_E_UNSAFE ? CLI_FINDINGS : CLI_FAIL;
	int code;
	if (a.json)
		code = cli_json_result_status(run.res, rc < 0 ? &err : NULL, rc < 0 ? status : CLI_OK);
	else if (rc < 0)
		code = cli_fail(&err, status);
	else {
		print_plan(run.res);
		if (a.o.plan_only)
			fprintf(stderr, "Plan only: nothing was backed up or written.\n");
		else
			fprintf(stderr, "Written and verified by read-back; identity backup taken first: %s\n",
				unifw_jv_str(unifw_jv_get(run.res, "identity_backup")));
		code = CLI_OK;
	}
	if (stopped)
		print_resume(&a);
	unifw_jv_free(run.res);
	return cli_job_exit(rc, code);
}

int cmd_identity_restore(int argc, char **argv)
{
	return run_cmd(argc, argv, UNIFW_IDWRITE_RESTORE);
}

int cmd_identity_set_mac(int argc, char **argv)
{
	return run_cmd(argc, argv, UNIFW_IDWRITE_SET_MAC);
}

int cmd_identity_set_bt(int argc, char **argv)
{
	return run_cmd(argc, argv, UNIFW_IDWRITE_SET_BT);
}
