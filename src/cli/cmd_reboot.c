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

int cmd_reboot(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	bool json = false;
	for (int i = 1; i < argc; i++) {
		int r = cli_phone_arg("reboot", argc, argv, &i, &pa);
		if (r < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return CLI_OK;
		} else
			return cli_usage_error("reboot", "unknown argument '%s'", argv[i]);
	}
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
