/* unifw info PATH [--json] [--quiet]: describe a firmware package (folder or archive), a backup folder
 * or a single image. Exit status: 0 fine, 1 the input could not be read, 2 usage, 3 the report has
 * findings of severity "error" (e.g. an image larger than its partition, a preloader for another chip). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/info.h"
#include "unifw/universal.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw info PATH [--json] [--quiet]\n\n"
		"Describe what PATH holds, detected by content:\n"
		"  a firmware package   folder or .zip/.7z/.rar/.tar.* with a scatter file and its images\n"
		"  a backup folder      made by 'unifw backup' (manifest.json)\n"
		"  one image            preloader, MBR/EBR, lk, boot/recovery, logo, sparse/ext4, secro, ...\n\n"
		"options:\n"
		"  --json    print the report as JSON (keys: docs/json.md)\n"
		"  --quiet   print only findings of severity warning or error\n"
		"  -h, --help\n\n"
		"exit status: 0 ok, 1 unreadable or broken input, 2 usage, 3 findings of severity error\n");
}

static size_t count_errors(const struct unifw_jv *report)
{
	const struct unifw_jv *f = unifw_jv_get(report, "findings");
	size_t n = 0;
	for (size_t i = 0; i < unifw_jv_len(f); i++) {
		const char *sev = unifw_jv_str(unifw_jv_get(unifw_jv_at(f, i), "severity"));
		n += sev && !strcmp(sev, "error");
	}
	return n;
}

static void print_quiet(FILE *out, const struct unifw_jv *report)
{
	const struct unifw_jv *f = unifw_jv_get(report, "findings");
	for (size_t i = 0; i < unifw_jv_len(f); i++) {
		const struct unifw_jv *x = unifw_jv_at(f, i);
		const char *sev = unifw_jv_str(unifw_jv_get(x, "severity"));
		if (!sev || !strcmp(sev, "info"))
			continue;
		const char *part = unifw_jv_str(unifw_jv_get(x, "partition"));
		fprintf(out, "%s: %s: %s%s%s\n", sev, unifw_jv_str(unifw_jv_get(x, "code")), part ? part : "",
			part ? ": " : "", unifw_jv_str(unifw_jv_get(x, "message")));
	}
}

static const struct option longopts[] = {
	{"json", no_argument, NULL, 'j'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, const char **path, bool *json, bool *quiet)
{
	struct cli_getopt g;
	int c;
	cli_getopt_init(&g, "info", argc, argv, "hq", longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR)
			return CLI_USAGE;
		if (c == 'j')
			*json = true;
		else if (c == 'q')
			*quiet = true;
		else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("info", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind < argc)
		*path = argv[g.optind];
	if (argc - g.optind > 1)
		return cli_usage_error("info", "one PATH only (got '%s' and '%s')", argv[g.optind], argv[g.optind + 1]);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	const char *path = NULL;
	bool json = false, quiet = false;
	int prc = parse(argc, argv, &path, &json, &quiet);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	if (!path)
		return cli_usage_error("info", "missing PATH (a package folder or archive, a backup folder, or an image)");

	struct unifw_error err;
	struct unifw_jv *report = NULL;
	unifw_error_clear(&err);
	if (unifw_info(path, &report, &err) < 0)
		return cli_error(&err);
	/* a universal image: which variants its probe table covers (docs/universal.md) */
	if (unifw_univ_info(path, report, &err) < 0) {
		unifw_jv_free(report);
		return cli_error(&err);
	}
	if (json) {
		unifw_jv_write(report, stdout, true);
		fputc('\n', stdout);
	} else if (quiet) {
		print_quiet(stdout, report);
	} else {
		cli_render_human(stdout, report);
	}
	int rc = count_errors(report) ? CLI_FINDINGS : CLI_OK;
	unifw_jv_free(report);
	if (fflush(stdout) != 0)
		return CLI_FAIL;
	return rc;
}
