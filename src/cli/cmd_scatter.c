/* unifw scatter validate | show | convert: the scatter module behind a command line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/findings.h"
#include "unifw/human.h"
#include "unifw/scatter.h"

static const char usage_main[] =
	"usage: unifw scatter validate FILE [--images DIR] [--device-size SIZE] [--json]\n"
	"       unifw scatter show FILE [--json]\n"
	"       unifw scatter convert FILE --to v1|plain|braces [-o OUT [--json]]\n"
	"\n"
	"Scatter files (SP Flash Tool partition maps) in any dialect: V1.1.x YAML-like (ptgen),\n"
	"flat 'NAME 0xADDR' (ota_scatter.txt) and the old brace style.\n"
	"Run 'unifw scatter <subcommand> --help' for details.\n";

static const char usage_validate[] =
	"usage: unifw scatter validate FILE [--images DIR] [--device-size SIZE] [--json]\n"
	"\n"
	"Check a scatter file: overlaps, order, alignment, regions, storage, names, sizes, the\n"
	"physical_start_addr convention; with --images, compare each downloaded image with its\n"
	"partition (an image larger than its partition is an error, as in SP Flash Tool).\n"
	"\n"
	"  --images DIR        folder holding the image files the scatter names\n"
	"  --device-size SIZE  storage size (boot region included) to check the layout against, in\n"
	"                      bytes or with a suffix K, M, G (e.g. 4G; see unifw(1) SIZES)\n"
	"  --json              print the findings as JSON\n"
	"\n"
	"Exit status: 0 no errors (warnings allowed), 3 errors found, 1 unreadable input, 2 usage.\n";

static const char usage_show[] =
	"usage: unifw scatter show FILE [--json]\n"
	"\n"
	"Print the partition table of a scatter file: name, start, size, image file, download\n"
	"flag, region. Sizes marked '*' were computed (the file states none); '?' = unknown.\n"
	"  --json   the full description (same keys as 'unifw info --json')\n";

static const char usage_convert[] =
	"usage: unifw scatter convert FILE --to v1|plain|braces [-o OUT [--json]]\n"
	"\n"
	"Rewrite a scatter file in another dialect: v1 = V1.1.x YAML-like in ptgen's layout,\n"
	"plain = flat 'NAME 0xADDR' lines (ota_scatter.txt), braces = old 'NAME 0xADDR { }'.\n"
	"Only what the input says is written: a flat file converted to v1 carries names, starts and\n"
	"the sizes computed from them, nothing invented.\n"
	"  --to DIALECT      output dialect (required)\n"
	"  -o, --output OUT  write OUT atomically instead of standard output\n"
	"  --json            with -o: print OUT as 'scatter show --json' describes it\n";

struct opts {
	const char *file;
	const char *images;
	const char *out;
	const char *to;
	uint64_t device_size;
	bool json;
	bool help;
};

enum { OPT_JSON = 0x200, OPT_IMAGES, OPT_DEVICE_SIZE, OPT_TO };

static const struct option validate_opts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"images", required_argument, NULL, OPT_IMAGES},
	{"device-size", required_argument, NULL, OPT_DEVICE_SIZE},
	{"help", no_argument, NULL, 'h'},
	{0},
};
static const struct option show_opts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};
static const struct option convert_opts[] = {
	{"to", required_argument, NULL, OPT_TO},
	{"output", required_argument, NULL, 'o'},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* The options of one subcommand (its table says which it takes). */
static int parse_opts(const char *cmd, int argc, char **argv, const char *shortopts, const struct option *lo,
		      struct opts *o)
{
	struct cli_getopt g;
	int c;
	cli_getopt_init(&g, cmd, argc, argv, shortopts, lo);
	while ((c = cli_getopt_next(&g)) != -1) {
		switch (c) {
		case CLI_OPT_ERROR: return CLI_USAGE;
		case 'h': o->help = true; return 0;
		case OPT_JSON: o->json = true; break;
		case OPT_IMAGES: o->images = g.arg; break;
		case OPT_DEVICE_SIZE:
			if (!cli_parse_size(g.arg, UINT64_MAX, &o->device_size) || o->device_size == 0)
				return cli_usage_error(cmd, "--device-size: expected a size such as 4G or 0x100000000, found '%s'",
						       g.arg);
			break;
		case OPT_TO: o->to = g.arg; break;
		case 'o': o->out = g.arg; break;
		default: return cli_usage_error(cmd, "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		o->file = argv[g.optind];
	if (argc - g.optind > 1)
		return cli_usage_error(cmd, "one FILE expected, found a second one: '%s'", argv[g.optind + 1]);
	if (!o->file)
		return cli_usage_error(cmd, "FILE missing");
	return 0;
}

static int load(const char *file, struct unifw_scatter *sc)
{
	struct unifw_error err = {0};
	if (unifw_scatter_load(file, sc, &err))
		return cli_error(&err);
	return 0;
}

static void print_findings(FILE *out, const struct unifw_findings *f)
{
	for (size_t i = 0; i < f->count; i++) {
		const struct unifw_finding *x = &f->items[i];
		if (x->line)
			fprintf(out, "%s:%u: %s: %s (%s)\n", x->where, x->line, unifw_severity_name(x->severity), x->msg,
				x->code);
		else
			fprintf(out, "%s: %s: %s (%s)\n", x->where, unifw_severity_name(x->severity), x->msg, x->code);
	}
}

static int run_validate(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse_opts("scatter validate", argc, argv, "h", validate_opts, &o);
	if (rc || o.help) {
		if (o.help)
			fputs(usage_validate, stdout);
		return rc;
	}
	struct unifw_scatter sc;
	if ((rc = load(o.file, &sc)))
		return rc;
	struct unifw_scatter_check chk = {.image_dir = o.images, .device_size = o.device_size};
	struct unifw_findings f = {0};
	struct unifw_error err = {0};
	if (unifw_scatter_validate(&sc, o.file, &chk, &f, &err)) {
		unifw_scatter_free(&sc);
		return cli_error(&err);
	}
	size_t errors = unifw_findings_count(&f, UNIFW_SEV_ERROR);
	size_t warnings = unifw_findings_count(&f, UNIFW_SEV_WARNING);
	if (o.json) {
		struct unifw_jv *obj = unifw_jv_object();
		unifw_jv_set_str(obj, "type", "scatter_validation");
		unifw_jv_set_str(obj, "path", o.file);
		unifw_jv_set_str(obj, "dialect", unifw_scatter_dialect_name(sc.dialect));
		unifw_jv_set_uint(obj, "partition_count", sc.count);
		unifw_jv_set_uint(obj, "errors", errors);
		unifw_jv_set_uint(obj, "warnings", warnings);
		unifw_jv_set_uint(obj, "infos", unifw_findings_count(&f, UNIFW_SEV_INFO));
		unifw_jv_set(obj, "findings", unifw_findings_to_json(&f));
		cli_print_json(obj);
		unifw_jv_free(obj);
	} else {
		print_findings(stdout, &f);
		printf("%s: %zu partitions (%s): %zu errors, %zu warnings\n", o.file, sc.count,
		       unifw_scatter_dialect_name(sc.dialect), errors, warnings);
	}
	unifw_findings_free(&f);
	unifw_scatter_free(&sc);
	return errors ? CLI_FINDINGS : CLI_OK;
}

static void show_table(const char *file, const struct unifw_scatter *sc)
{
	char hs[32], bs[32];
	printf("%s: %s scatter", file, unifw_scatter_dialect_name(sc->dialect));
	if (sc->config_version[0])
		printf(" %s", sc->config_version);
	if (sc->platform[0])
		printf(", platform %s", sc->platform);
	if (sc->project[0])
		printf(", project %s", sc->project);
	printf(", storage %s%s", sc->storage, sc->storage_inferred ? " (inferred)" : "");
	uint64_t boot = unifw_scatter_boot_region(sc);
	if (boot)
		printf(", boot region 0x%" PRIx64 " (%s)", boot, unifw_human_size(boot, bs, sizeof bs));
	printf(", %zu partitions\n\n", sc->count);
	printf("%-6s %-16s %-12s %-11s %-32s %-3s %s\n", "INDEX", "NAME", "START", "SIZE", "FILE", "DL", "REGION");
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		char idx[16] = "-", start[24], size[40];
		if (p->index >= 0)
			snprintf(idx, sizeof idx, "SYS%d", p->index);
		if (unifw_scatter_addr_is_from_end(p->linear_start)) /* as ptgen writes it: 0xFFFF00a8 */
			snprintf(start, sizeof start, "0xFFFF%04" PRIx64, p->linear_start & 0xFFFF);
		else
			snprintf(start, sizeof start, "0x%" PRIx64, p->linear_start);
		if (p->size_derived && !p->size)
			snprintf(size, sizeof size, "?");
		else
			snprintf(size, sizeof size, "%s%s", unifw_human_size(p->size, hs, sizeof hs),
				 p->size_derived ? "*" : "");
		const char *dl = (p->keys & (1u << UNIFW_SCATTER_K_DOWNLOAD)) ? (p->is_download ? "yes" : "no") : "-";
		printf("%-6s %-16s %-12s %-11s %-32s %-3s %s\n", idx, p->name[0] ? p->name : "(empty)", start, size,
		       (p->keys & (1u << UNIFW_SCATTER_K_FILE)) ? p->file_name : "-", dl,
		       (p->keys & (1u << UNIFW_SCATTER_K_REGION)) ? p->region : "-");
	}
}

/* 'scatter show --json' of file: the description as the loader reads it. */
static int show_json(const char *file)
{
	struct unifw_scatter sc;
	int rc = load(file, &sc);
	if (rc)
		return rc;
	struct unifw_error err = {0};
	struct unifw_jv *obj = unifw_jv_object();
	if (unifw_scatter_to_json(&sc, file, obj, &err))
		rc = cli_error(&err);
	else
		cli_print_json(obj);
	unifw_jv_free(obj);
	unifw_scatter_free(&sc);
	return rc;
}

static int run_show(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse_opts("scatter show", argc, argv, "h", show_opts, &o);
	if (rc || o.help) {
		if (o.help)
			fputs(usage_show, stdout);
		return rc;
	}
	if (o.json)
		return show_json(o.file);
	struct unifw_scatter sc;
	if ((rc = load(o.file, &sc)))
		return rc;
	show_table(o.file, &sc);
	unifw_scatter_free(&sc);
	return rc;
}

static int run_convert(int argc, char **argv)
{
	struct opts o = {0};
	int rc = parse_opts("scatter convert", argc, argv, "ho:", convert_opts, &o);
	if (rc || o.help) {
		if (o.help)
			fputs(usage_convert, stdout);
		return rc;
	}
	enum unifw_scatter_dialect d;
	if (!o.to)
		return cli_usage_error("scatter convert", "--to v1|plain|braces is required");
	if (!strcmp(o.to, "v1"))
		d = UNIFW_SCATTER_V1;
	else if (!strcmp(o.to, "plain") || !strcmp(o.to, "flat"))
		d = UNIFW_SCATTER_FLAT;
	else if (!strcmp(o.to, "braces"))
		d = UNIFW_SCATTER_BRACES;
	else
		return cli_usage_error("scatter convert", "--to: expected v1, plain or braces, found '%s'", o.to);
	if (o.json && !o.out)
		return cli_usage_error("scatter convert", "--json needs -o OUT (without it the converted text is the output)");
	struct unifw_scatter sc;
	if ((rc = load(o.file, &sc)))
		return rc;
	struct unifw_error err = {0};
	if (o.out) {
		if (unifw_scatter_save(&sc, d, o.out, &err))
			rc = cli_error(&err);
		else if (o.json)
			rc = show_json(o.out); /* the output as it reads back, as 'scatter show --json' shows it */
	} else {
		char *text;
		size_t len;
		if (unifw_scatter_write(&sc, d, &text, &len, &err)) {
			rc = cli_error(&err);
		} else {
			if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
				fprintf(stderr, "unifw: error: writing to standard output: %s\n", strerror(errno));
				rc = CLI_FAIL;
			}
			free(text);
		}
	}
	unifw_scatter_free(&sc);
	return rc;
}

int cmd_scatter(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return CLI_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		fputs(usage_main, stdout);
		return CLI_OK;
	}
	if (!strcmp(sub, "validate"))
		return run_validate(argc - 1, argv + 1);
	if (!strcmp(sub, "show"))
		return run_show(argc - 1, argv + 1);
	if (!strcmp(sub, "convert"))
		return run_convert(argc - 1, argv + 1);
	return cli_usage_error("scatter", "unknown subcommand '%s' (validate, show, convert)", sub);
}
