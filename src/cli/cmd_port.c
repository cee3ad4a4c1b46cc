/* unifw port UNIVERSAL --stock BACKUP_DIR -o OUT_DIR [--json] [--html FILE] (docs/port.md): a firmware
 * for this phone from a universal base and the phone's own parts, every decision reported, the result
 * checked against the phone. Exit status: 0 SAFE or WORKS WITH CAVEATS, 4 WILL NOT BOOT, 5 BRICK RISK,
 * 1 error, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_html_cli.h"
#include "cli/cli.h"
#include "unifw/check.h"
#include "unifw/port.h"

static void usage(FILE *out)
{
	fputs("usage: unifw port UNIVERSAL --stock BACKUP_DIR -o OUT_DIR [--json] [--html FILE]\n"
	      "\n"
	      "A firmware for this phone: Android from UNIVERSAL (a package folder, archive or scatter file), what\n"
	      "must match the hardware from the phone's own backup (`unifw backup -o BACKUP_DIR`). OUT_DIR (new or\n"
	      "empty) gets the phone's partition table as its scatter and:\n"
	      "  from the phone   PRELOADER, LK (UBOOT), MBR/EBR, LOGO: copied, not downloaded (the phone keeps them);\n"
	      "                   the kernel, inside the base's boot.img and recovery.img; the files data/port.rules\n"
	      "                   names (fstab, modules, keylayouts, touch and WiFi firmware, the modem when the\n"
	      "                   phone's kernel would reject the base's, hardware properties)\n"
	      "  from the base    the ramdisks, the system image, cache and userdata (fitted to the phone's sizes)\n"
	      "  never            identity partitions (NVRAM, PRO_INFO, PROTECT_F/S: not copied, not downloaded),\n"
	      "                   the base's preloader or LK, an IMEI, a change of the phone's layout\n"
	      "OUT is then checked against the phone (its backup) as `unifw check` would.\n"
	      "\n"
	      "  --stock DIR        the phone's unifw backup folder\n"
	      "  -o, --output DIR   the folder to create (it must not exist, or be empty)\n"
	      "  --json             one JSON object (docs/json.md \"port\")\n"
	      "  --html FILE        also write the check's HTML page with a \"Port\" section listing every decision\n"
	      "\n"
	      "Next: `unifw flash OUT_DIR` with the phone's port, as it is: OUT has the phone's layout and downloads\n"
	      "no preloader (neither repartitioning nor the preloader option is needed or wanted).\n"
	      "Exit status: 0 SAFE or WORKS WITH CAVEATS, 4 WILL NOT BOOT, 5 BRICK RISK, 1 error, 2 usage.\n"
	      "See docs/port.md.\n",
	      out);
}

enum { OPT_STOCK = CLI_OPT_OWN, OPT_JSON, OPT_HTML };

static const struct option longopts[] = {
	{"stock", required_argument, NULL, OPT_STOCK}, {"output", required_argument, NULL, 'o'},
	{"json", no_argument, NULL, OPT_JSON},         {"html", required_argument, NULL, OPT_HTML},
	{"help", no_argument, NULL, 'h'},              {0},
};

struct port_args {
	struct unifw_port_opts o;
	bool json;
	const char *html;
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct port_args *a)
{
	struct cli_getopt g;
	int c;
	cli_getopt_init(&g, "port", argc, argv, "ho:", longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR)
			return CLI_USAGE;
		if (c == OPT_STOCK)
			a->o.stock = g.arg;
		else if (c == 'o')
			a->o.out_dir = g.arg;
		else if (c == OPT_JSON)
			a->json = true;
		else if (c == OPT_HTML)
			a->html = g.arg;
		else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("port", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind >= argc)
		return cli_usage_error("port", "missing UNIVERSAL (the base: a package folder, archive or scatter file)");
	a->o.base = argv[g.optind++];
	if (g.optind < argc)
		return cli_usage_error("port", "unexpected argument '%s'", argv[g.optind]);
	if (!a->o.stock)
		return cli_usage_error("port", "missing --stock BACKUP_DIR (the phone's unifw backup folder)");
	if (!a->o.out_dir)
		return cli_usage_error("port", "missing -o OUT_DIR (the folder to create)");
	return 0;
}

/* ------------------------------------------------------------------ text */

static const char *js(const struct unifw_jv *o, const char *key)
{
	const char *s = unifw_jv_str(unifw_jv_get(o, key));
	return s ? s : "";
}

static void print_partitions(const struct unifw_port_report *rep)
{
	printf("partitions (the phone's table):\n");
	for (size_t i = 0; i < rep->count; i++) {
		const struct unifw_port_change *c = &rep->items[i];
		if (!c->path[0])
			printf("  %-10s %-8s from %-10s %s\n", c->partition, c->action, c->source, c->reason);
	}
}

static void print_files(const struct unifw_port_report *rep)
{
	bool any = false;
	for (size_t i = 0; i < rep->count; i++) {
		const struct unifw_port_change *c = &rep->items[i];
		if (!c->path[0])
			continue;
		bool first = true; /* the partition's heading once, before its first file */
		for (size_t k = 0; k < i; k++)
			if (rep->items[k].path[0] && !strcmp(rep->items[k].partition, c->partition))
				first = false;
		if (!first)
			continue;
		if (!any)
			printf("files:\n");
		any = true;
		printf("  %s\n", c->partition);
		for (size_t k = i; k < rep->count; k++) {
			const struct unifw_port_change *f = &rep->items[k];
			if (!f->path[0] || strcmp(f->partition, c->partition))
				continue;
			printf("    %-8s %-10s /%s%s%s%s: %s\n", f->action, f->source, f->path, f->rule[0] ? " [" : "", f->rule,
			       f->rule[0] ? "]" : "", f->reason);
		}
	}
	if (!any)
		printf("files: none changed\n");
}

/* "caveats" -> "WORKS WITH CAVEATS" (the check JSON's items carry the code only). */
static const char *verdict_words(const char *code)
{
	for (int v = UNIFW_CHECK_SAFE; v <= UNIFW_CHECK_BRICK_RISK; v++)
		if (!strcmp(code, unifw_check_verdict_code((enum unifw_check_verdict)v)))
			return unifw_check_verdict_text((enum unifw_check_verdict)v);
	return code;
}

static void print_check(const struct unifw_jv *check)
{
	printf("check of OUT against the phone: %s (predicted boot: %s", js(check, "verdict_text"),
	       js(check, "predicted_boot"));
	const struct unifw_jv *faults = unifw_jv_get(check, "predicted_faults");
	for (size_t i = 0; i < unifw_jv_len(faults); i++)
		printf("%s%s", i ? ", " : ": ", unifw_jv_str(unifw_jv_at(faults, i)) ? unifw_jv_str(unifw_jv_at(faults, i)) : "");
	printf(")\n");
	const struct unifw_jv *items = unifw_jv_get(check, "items");
	for (size_t i = 0; i < unifw_jv_len(items); i++) {
		const struct unifw_jv *it = unifw_jv_at(items, i);
		printf("  %-18s [%s] %s%s%s%s: %s\n", verdict_words(js(it, "verdict")), js(it, "area"), js(it, "code"),
		       js(it, "partition")[0] ? " (" : "", js(it, "partition"), js(it, "partition")[0] ? ")" : "",
		       js(it, "message"));
		printf("      evidence: %s\n", js(it, "evidence"));
	}
}

static void print_text(const struct port_args *a, const struct unifw_port_result *r)
{
	printf("unifw port: %s with the phone of %s -> %s\n", a->o.base, a->o.stock, a->o.out_dir);
	print_partitions(&r->report);
	print_files(&r->report);
	print_check(r->check);
	printf("scatter: %s\n", r->scatter);
	printf("next: unifw flash %s --port PORT   (no --repartition, no --with-preloader: the phone keeps its own "
	       "preloader, LK and identity)\n",
	       a->o.out_dir);
}

/* ------------------------------------------------------------------ the verdict */

static int exit_status(const char *verdict)
{
	for (int v = UNIFW_CHECK_SAFE; v <= UNIFW_CHECK_BRICK_RISK; v++)
		if (!strcmp(verdict, unifw_check_verdict_code((enum unifw_check_verdict)v)))
			return v <= UNIFW_CHECK_CAVEATS ? CLI_OK : unifw_check_exit_code((enum unifw_check_verdict)v);
	return CLI_FAIL;
}

/* A deep copy through the text form (a report of some KiB); JSON null when absent or out of memory. */
static struct unifw_jv *jv_copy(const struct unifw_jv *v)
{
	char *text = v ? unifw_jv_to_string(v, false) : NULL;
	struct unifw_jv *out = NULL;
	if (!text || unifw_jv_parse(text, strlen(text), "report", strlen(text) + 1, 256, &out, NULL) != 0)
		out = unifw_jv_null();
	free(text);
	return out;
}

/* --html: the check's page ({"check", "package": OUT, "phone": the backup, "logos"}) with "port", which
 * check_html.c renders as the "Port" section. 0, or the exit status of a page not written (printed). */
static int write_html(const struct port_args *a, const struct unifw_port_result *r, const struct unifw_jv *port_doc)
{
	struct unifw_jv *doc = unifw_jv_object();
	unifw_jv_set_str(doc, "type", "check_report");
	unifw_jv_set(doc, "check", jv_copy(r->check));
	unifw_jv_set(doc, "package", jv_copy(r->out_fingerprint));
	unifw_jv_set(doc, "phone", jv_copy(r->phone_fingerprint));
	unifw_jv_set(doc, "port", jv_copy(port_doc));
	int st = cli_check_html(doc, a->html, a->o.out_dir, a->o.stock, NULL);
	unifw_jv_free(doc);
	return st;
}

int cmd_port(int argc, char **argv)
{
	struct port_args a = {0};
	int prc = parse(argc, argv, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	cli_set_json(a.json);
	struct cli_progress prog;
	cli_progress_init(&prog, false); /* --json prints one document: progress stays on stderr */
	a.o.progress = cli_progress_cb(&prog);
	struct unifw_error err;
	unifw_error_clear(&err);
	struct unifw_port_result r;
	int rc = unifw_port_run(&a.o, &r, &err);
	if (rc) {
		unifw_port_result_free(&r);
		return cli_error(&err);
	}
	struct unifw_jv *doc = unifw_port_result_to_json(&r, &a.o);
	int status = a.html ? write_html(&a, &r, doc) : 0;
	if (!status) {
		if (a.json)
			cli_print_json(doc);
		else {
			print_text(&a, &r);
			if (a.html)
				printf("page: %s\n", a.html);
		}
		status = exit_status(r.verdict);
	}
	unifw_jv_free(doc);
	unifw_port_result_free(&r);
	return status;
}
