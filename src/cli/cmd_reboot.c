/* unifw reboot [phone options] [--json]: bring up the DA and send FINISH (normal boot). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/jobs.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: unifw reboot [--port PORT] [--da FILE] [--preloader FILE] [--json]\n\n"
		     "Connect, start the DA and tell the phone to boot normally (FINISH).\n\n"
		     "  --json   JSON event lines, then {\"event\":\"result\",\"ok\":...}\n%s",
		cli_phone_usage);
}

static int reboot_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	(void)ctx;
	return unifw_phone_reboot(ph, err);
}

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"json", no_argument, NULL, 'j'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct cli_phone_args *pa, bool *json)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "reboot", argc, argv, "h" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		if (c == 'j')
			*json = true;
		else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("reboot", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind < argc)
		return cli_usage_error("reboot", "unexpected argument '%s'", argv[g.optind]);
	return 0;
}

int cmd_reboot(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	bool json = false;
	int prc = parse(argc, argv, &pa, &json);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	struct cli_progress prog;
	cli_progress_init(&prog, json);
	struct unifw_job job;
	cli_job_init(&job, "reboot", &pa, cli_progress_cb(&prog));
	job.run = reboot_job;
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = unifw_job_run(&job, &err);
	if (json)
		return cli_json_result(NULL, rc < 0 ? &err : NULL);
	if (rc < 0)
		return cli_error(&err);
	fprintf(stderr, "The phone is rebooting.\n");
	return CLI_OK;
}
