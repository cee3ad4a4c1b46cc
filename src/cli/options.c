/* Argument parsing shared by every unifw command: getopt_long with one wording for option errors (so
 * that `unifw backup --bogus` and `unifw scatter show --bogus` say the same thing and both exit 2), the
 * one size parser every size option uses, and the phone options of the device commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/config.h"
#include "unifw/transport.h"

/* --- getopt_long with one wording ---------------------------------------------------------------- */

void cli_getopt_init(struct cli_getopt *g, const char *cmd, int argc, char **argv, const char *shortopts,
		     const struct option *longopts)
{
	memset(g, 0, sizeof *g);
	g->cmd = cmd;
	g->argc = argc;
	g->argv = argv;
	g->longopts = longopts;
	/* ':' first: a missing value is reported as ':' (not '?'), and getopt itself prints nothing */
	snprintf(g->spec, sizeof g->spec, ":%s", shortopts);
	optind = 0; /* glibc: 0 re-initialises, also for a second parse in one process (subcommands) */
	opterr = 0;
	/* --json anywhere before "--": usage errors found before the option itself is reached are JSON too */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			cli_set_json(true);
}

/* The long option named by "--name[=value]", NULL if none or more than one match the prefix. */
static const struct option *find_long(const struct option *lo, const char *text, size_t *matches)
{
	const char *eq = strchr(text, '=');
	size_t n = eq ? (size_t)(eq - text) : strlen(text);
	const struct option *hit = NULL;
	*matches = 0;
	for (; lo && lo->name; lo++) {
		if (strncmp(lo->name, text, n))
			continue;
		if (strlen(lo->name) == n) { /* exact beats any prefix */
			*matches = 1;
			return lo;
		}
		hit = lo;
		++*matches;
	}
	return *matches == 1 ? hit : NULL;
}

/* The option as the user wrote it, without its "=value". */
static void option_text(const char *arg, char *out, size_t cap)
{
	size_t n = strcspn(arg, "=");
	snprintf(out, cap, "%.*s", (int)(n < 64 ? n : 64), arg);
}

static int report_bad_option(struct cli_getopt *g, int c)
{
	const char *prev = optind > 0 && optind <= g->argc ? g->argv[optind - 1] : "";
	bool is_long = !strncmp(prev, "--", 2) && prev[2];
	char name[80];
	if (is_long)
		option_text(prev, name, sizeof name);
	else
		snprintf(name, sizeof name, "-%c", optopt ? optopt : '?');
	if (c == ':') {
		cli_usage_error(g->cmd, "option '%s' needs a value", name);
		return CLI_OPT_ERROR;
	}
	size_t matches = 0;
	const struct option *o = is_long ? find_long(g->longopts, prev + 2, &matches) : NULL;
	if (is_long && o && optopt && o->val == optopt && o->has_arg == no_argument)
		cli_usage_error(g->cmd, "option '--%s' takes no value", o->name);
	else if (is_long && matches > 1)
		cli_usage_error(g->cmd, "option '%s' is ambiguous", name);
	else
		cli_usage_error(g->cmd, "unknown option '%s'", name);
	return CLI_OPT_ERROR;
}

int cli_getopt_next(struct cli_getopt *g)
{
	int c = getopt_long(g->argc, g->argv, g->spec, g->longopts, NULL);
	g->arg = optarg;
	g->optind = optind;
	if (c == '?' || c == ':')
		return report_bad_option(g, c);
	return c;
}

const char *cli_getopt_name(const struct cli_getopt *g, int c)
{
	static char buf[80];
	for (const struct option *o = g->longopts; o && o->name; o++)
		if (o->val == c) {
			snprintf(buf, sizeof buf, "--%s", o->name);
			return buf;
		}
	snprintf(buf, sizeof buf, "-%c", c);
	return buf;
}

/* --- sizes ---------------------------------------------------------------------------------------- */

bool cli_parse_size(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned shift = 0;
	errno = 0;
	/* strtoull would take "-1" as its two's complement, and skips leading blanks and '+' */
	if (!s || !(*s >= '0' && *s <= '9'))
		return false;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	static const char units[] = "KMGT";
	const char *u = *end ? strchr(units, *end & ~0x20) : NULL; /* K or k, M or m, ... */
	if (u && *u) {
		shift = 10u * (unsigned)(u - units + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B")) /* 4GiB, 4GB: unifw prints binary units */
			end += strlen(end);
	}
	if (*end || v > (max >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

/* --- phone options -------------------------------------------------------------------------------- */

int cli_phone_opt(const struct cli_getopt *g, int c, struct cli_phone_args *a)
{
	switch (c) {
	case 'p': {
		struct unifw_port_spec spec;
		struct unifw_error err;
		unifw_error_clear(&err);
		/* a malformed spec is a usage error (2), found before anything is opened */
		if (unifw_port_spec_parse(g->arg, &spec, &err) < 0) {
			cli_usage_error(g->cmd, "--port: %s", err.msg);
			return CLI_OPT_ERROR;
		}
		a->port = g->arg;
		return 1;
	}
	case CLI_OPT_DA:
		a->da = g->arg;
		return 1;
	case CLI_OPT_PRELOADER:
		a->preloader = g->arg;
		return 1;
	case CLI_OPT_TRACE:
		a->trace = g->arg;
		return 1;
	case CLI_OPT_NO_HIGH_SPEED:
		a->no_high_speed = true;
		return 1;
	case CLI_OPT_WAIT: {
		char *end;
		errno = 0;
		unsigned long v = g->arg[0] >= '0' && g->arg[0] <= '9' ? strtoul(g->arg, &end, 10) : 0;
		if (!v || errno || *end || v > 3600) {
			cli_usage_error(g->cmd, "--wait takes seconds (1..3600), not '%s'", g->arg);
			return CLI_OPT_ERROR;
		}
		a->wait_s = (unsigned)v;
		return 1;
	}
	default:
		return 0;
	}
}

void cli_phone_opts(const struct cli_phone_args *a, const struct unifw_progress *p, struct unifw_phone_open_opts *o)
{
	static char conf_port[512];
	memset(o, 0, sizeof *o);
	/* --port, else `port = ...` in the configuration file, else wait for a USB phone. */
	o->port = a->port ? a->port : unifw_config_get("port", conf_port, sizeof conf_port);
	if (!o->port || !*o->port)
		o->port = "auto";
	o->da_path = a->da;
	o->emi_preloader_path = a->preloader;
	o->trace_path = a->trace;
	o->high_speed = !a->no_high_speed;
	o->progress = p;
	o->wait_ms = a->wait_s * 1000u;
}

const char cli_phone_usage[] =
	"phone options:\n"
	"  -p, --port PORT     auto (default: wait for the phone), /dev/ttyACM0, usb:BUS:ADDR, unix:PATH, tcp:HOST:PORT\n"
	"                      (default from 'port = ...' in ~/.config/unifw/config, or $UNIFW_CONFIG)\n"
	"  --da FILE           MTK_AllInOne_DA.bin (default: $UNIFW_DA, else 'da = ...' in the configuration file)\n"
	"  --preloader FILE    BROM mode: the phone's own preloader (e.g. preloader.bin of its backup) for the\n"
	"                      DRAM (EMI) settings\n"
	"  --wait SECONDS      how long --port auto waits for the phone (default 60)\n"
	"  --no-high-speed     stay at USB full speed\n"
	"  --trace FILE        append a protocol log to FILE\n";
