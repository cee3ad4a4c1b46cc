/* `unifw check PACKAGE (--port P | --backup DIR) [--with-preloader] [--only LIST] [--json] [--html FILE]`:
 * will this firmware work on this phone? Both sides are fingerprinted (fingerprint.h), compared by
 * unifw_check (check.h) and reported worst first with the evidence; the exit status says the verdict
 * (0 SAFE, 3 CAVEATS, 4 WILL NOT BOOT, 5 BRICK RISK; 1 error, 2 usage). docs/check.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_html_cli.h"
#include "cli.h"
#include "jobs.h"
#include "unifw/check.h"
#include "unifw/fingerprint.h"
#include "unifw/job.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw check PACKAGE (--backup DIR | --port PORT) [--with-preloader] [--only LIST] [--json]\n"
		"                   [--html FILE]\n"
		"\n"
		"Will this firmware work on this phone? Compares the package (folder, archive or scatter) with the\n"
		"phone (a unifw backup folder of it, or the phone itself through its DA) the way a Download would\n"
		"write it, and predicts the boot outcome in unifw-sim's words.\n"
		"\n"
		"  --backup DIR       the phone, as its unifw backup folder\n"
		"  --with-preloader   the Download writes PRELOADER too (SP Flash Tool with it ticked)\n"
		"  --only LIST        the Download writes only these partitions (comma-separated)\n"
		"  --json             one JSON object: {\"check\", \"package\", \"phone\"} (docs/json.md \"check\")\n"
		"  --html FILE        also write the report as one self-contained HTML page: both partition maps,\n"
		"                     the findings, both logos (docs/check.md \"HTML report\")\n"
		"%s"
		"\n"
		"Exit status: 0 SAFE, 3 WORKS WITH CAVEATS, 4 WILL NOT BOOT, 5 BRICK RISK, 1 error, 2 usage.\n"
		"See docs/check.md.\n",
		cli_phone_usage);
}

enum { OPT_JSON = CLI_OPT_OWN, OPT_BACKUP, OPT_WITH_PRELOADER, OPT_ONLY, OPT_HTML };

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"backup", required_argument, NULL, OPT_BACKUP},
	{"with-preloader", no_argument, NULL, OPT_WITH_PRELOADER},
	{"only", required_argument, NULL, OPT_ONLY},
	{"json", no_argument, NULL, OPT_JSON},
	{"html", required_argument, NULL, OPT_HTML},
	{"help", no_argument, NULL, 'h'},
	{0},
};

struct check_args {
	struct cli_phone_args pa;
	const char *package, *backup;
	bool json;
	const char *html; /* --html FILE */
	struct unifw_check_opts opts;
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct check_args *a)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "check", argc, argv, "h" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, &a->pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		if (c == OPT_JSON)
			a->json = true;
		else if (c == OPT_HTML)
			a->html = g.arg;
		else if (c == OPT_BACKUP)
			a->backup = g.arg;
		else if (c == OPT_WITH_PRELOADER)
			a->opts.with_preloader = true;
		else if (c == OPT_ONLY) {
			if (strlen(g.arg) >= sizeof a->opts.only)
				return cli_usage_error("check", "--only list too long");
			snprintf(a->opts.only, sizeof a->opts.only, "%s", g.arg);
		} else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("check", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind >= argc)
		return cli_usage_error("check", "missing PACKAGE");
	a->package = argv[g.optind++];
	if (g.optind < argc)
		return cli_usage_error("check", "unexpected argument '%s'", argv[g.optind]);
	if (!a->backup == !a->pa.port)
		return cli_usage_error("check", "name the phone: --backup DIR or --port PORT (one of them)");
	return 0;
}

struct phone_job_ctx {
	struct unifw_fingerprint *fp;
	struct unifw_jv **logo; /* --html: the phone's logo frames, read in the same job; else NULL */
};

static int phone_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct phone_job_ctx *c = ctx;
	int rc = unifw_fingerprint_phone(ph, c->fp, err);
	if (!rc && c->logo)
		*c->logo = cli_check_html_phone_logo(ph);
	return rc;
}

static int fingerprint_phone(const struct check_args *a, struct unifw_fingerprint *fp, struct unifw_jv **logo,
			     struct unifw_error *err)
{
	if (a->backup)
		return unifw_fingerprint_path(a->backup, fp, err);
	struct cli_progress prog;
	cli_progress_init(&prog, false);
	if (prog.mode == CLI_PROGRESS_BARS)
		prog.mode = CLI_PROGRESS_LINES;
	struct unifw_job job;
	cli_job_init(&job, "check", &a->pa, cli_progress_cb(&prog));
	job.run = phone_job;
	struct phone_job_ctx ctx = {fp, a->html ? logo : NULL};
	job.ctx = &ctx;
	return unifw_job_run(&job, err);
}

static void print_text(const struct check_args *a, const struct unifw_check_result *r)
{
	printf("unifw check: %s on %s%s\n", a->package, a->backup ? a->backup : a->pa.port,
	       a->opts.with_preloader ? " (with the preloader)" : "");
	printf("verdict: %s (predicted boot: %s", unifw_check_verdict_text(r->verdict), r->predicted_boot);
	for (size_t i = 0; i < r->predicted_fault_count; i++)
		printf("%s%s", i ? ", " : ": ", r->predicted_faults[i]);
	printf(")\n");
	if (r->universal) { /* which variant the probe binds on this phone, per component */
		printf("universal image: the probe binds");
		for (unsigned k = 0; k < UNIFW_PROBE_COMPONENTS; k++)
			printf(" %s=%s", unifw_probe_component_name((enum unifw_probe_component)k),
			       r->univ[k].variant[0] ? r->univ[k].variant : "fallback");
		printf("\n");
		for (unsigned k = 0; k < UNIFW_PROBE_COMPONENTS; k++)
			if (!r->univ[k].variant[0])
				printf("  fallback %s: %s\n", unifw_probe_component_name((enum unifw_probe_component)k),
				       r->univ[k].fallback);
	}
	for (size_t i = 0; i < r->item_count; i++) {
		const struct unifw_check_item *it = &r->items[i];
		printf("  %-18s [%s] %s%s%s%s: %s\n", unifw_check_verdict_text(it->verdict), it->area, it->code,
		       it->partition[0] ? " (" : "", it->partition, it->partition[0] ? ")" : "", it->message);
		printf("      evidence: %s\n", it->evidence);
		if (it->boot_effect[0] || it->flash_refuses)
			printf("      %s%s%s%s\n", it->boot_effect[0] ? "boot effect: " : "", it->boot_effect,
			       it->boot_effect[0] && it->flash_refuses ? "; " : "",
			       it->flash_refuses ? "unifw flash refuses this" : "");
	}
	if (r->preloader_text[0])
		printf("%s\n", r->preloader_text);
	if (r->verdict == UNIFW_CHECK_SAFE)
		printf("SAFE: nothing found that would stop this firmware working on this phone.\n");
	printf("compared:\n");
	for (size_t i = 0; i < r->compared_count; i++)
		printf("  %s\n", r->compared[i]);
}

/* {"type": "check_report", "check", "package", "phone"}: what --json prints and --html draws. */
static struct unifw_jv *report_json(const struct unifw_fingerprint *pkg, const struct unifw_fingerprint *ph,
				    const struct unifw_check_result *r)
{
	struct unifw_jv *doc = unifw_jv_object();
	unifw_jv_set_str(doc, "type", "check_report");
	unifw_jv_set(doc, "check", unifw_check_to_json(r));
	unifw_jv_set(doc, "package", unifw_fingerprint_to_json(pkg));
	unifw_jv_set(doc, "phone", unifw_fingerprint_to_json(ph));
	return doc;
}

/* 0, or the exit status of a page that could not be written (printed). */
static int report(const struct check_args *a, const struct unifw_fingerprint *pkg, const struct unifw_fingerprint *ph,
		  const struct unifw_check_result *r, struct unifw_jv *phone_logo)
{
	struct unifw_jv *doc = a->json || a->html ? report_json(pkg, ph, r) : NULL;
	if (!a->html)
		unifw_jv_free(phone_logo);
	/* --html (docs/check.md "HTML report"): written first, so that --json also carries its "logos". */
	if (a->html) {
		int st = cli_check_html(doc, a->html, a->package, a->backup, phone_logo);
		if (st) {
			unifw_jv_free(doc);
			return st;
		}
	}
	if (a->json) {
		cli_print_json(doc);
	} else {
		print_text(a, r);
		if (a->html)
			printf("page: %s\n", a->html);
	}
	unifw_jv_free(doc);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct check_args a = {0};
	int prc = parse(argc, argv, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	cli_set_json(a.json);
	struct unifw_fingerprint *pkg = calloc(1, sizeof *pkg), *ph = calloc(1, sizeof *ph);
	struct unifw_check_result *r = calloc(1, sizeof *r);
	struct unifw_jv *phone_logo = NULL; /* --html --port */
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = pkg && ph && r ? 0 : unifw_error_set(&err, UNIFW_E_NOMEM, "check", UNIFW_NO_OFFSET, "out of memory");
	if (rc == 0)
		rc = unifw_fingerprint_path(a.package, pkg, &err);
	if (rc == 0)
		rc = fingerprint_phone(&a, ph, &phone_logo, &err);
	int status;
	if (rc) {
		status = a.pa.port ? cli_job_exit(rc, cli_error(&err)) : cli_error(&err);
	} else {
		unifw_check(pkg, ph, &a.opts, r);
		int st = report(&a, pkg, ph, r, phone_logo);
		phone_logo = NULL; /* report's */
		status = st ? st : unifw_check_exit_code(r->verdict);
	}
	unifw_jv_free(phone_logo);
	free(pkg);
	free(ph);
	free(r);
	return status;
}
