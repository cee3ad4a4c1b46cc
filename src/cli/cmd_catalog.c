/* unifw catalog add|list|show|match: the firmware catalog (docs/catalog.md): packages and backups indexed
 * by content hash with their fingerprints in an SQLite database, and every indexed package ranked for a
 * phone with the reasons `unifw check` gives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/catalog.h"
#include "unifw/human.h"
#include "unifw/io.h"

static const char db_usage[] =
	"  --db FILE           the catalog database (default: $XDG_DATA_HOME/unifw/catalog.db, else\n"
	"                      ~/.local/share/unifw/catalog.db)\n";

static void usage_add(FILE *out)
{
	fprintf(out,
		"usage: unifw catalog add PATH... [--db FILE] [--json]\n\n"
		"Index firmware packages (folders, archives, scatter files) and unifw backup folders: each is read in\n"
		"one streamed pass (archives are never extracted) and its fingerprint stored. Content already in the\n"
		"catalog (same SHA-256: an archive's bytes, a folder's files) is skipped, wherever it lies.\n\n"
		"%s"
		"  --json              one JSON object on stdout: the database and every PATH's entry (docs/json.md)\n\n"
		"exit status: 0 every PATH indexed or already there, 1 a PATH failed (the others are indexed), 2 usage\n",
		db_usage);
}

static void usage_list(FILE *out)
{
	fprintf(out,
		"usage: unifw catalog list [--db FILE] [--json]\n\n"
		"Every entry of the catalog: id, kind (package or backup), project, platform, Android, LCM drivers, path.\n\n"
		"%s"
		"  --json              one JSON object on stdout (docs/json.md \"catalog\")\n",
		db_usage);
}

static void usage_show(FILE *out)
{
	fprintf(out,
		"usage: unifw catalog show ID [--db FILE] [--json]\n\n"
		"One entry with its whole fingerprint (as `unifw fingerprint` gives it).\n\n"
		"%s"
		"  --json              the entry as one JSON object\n\n"
		"exit status: 0 ok, 1 no such entry or an unreadable database, 2 usage\n",
		db_usage);
}

static void usage_match(FILE *out)
{
	fprintf(out,
		"usage: unifw catalog match (--backup DIR | --fingerprint FILE | --port PORT) [--with-preloader]\n"
		"                           [--db FILE] [--json] [phone options]\n\n"
		"Check every indexed package against one phone, as `unifw check` does, and list them best first:\n"
		"by verdict (SAFE, WORKS WITH CAVEATS, WILL NOT BOOT, BRICK RISK), then the predicted boot, then fewer\n"
		"findings, then the phone's own project, then its boot region. Each with the reasons check gives.\n\n"
		"  --backup DIR        the phone as a unifw backup of it\n"
		"  --fingerprint FILE  the phone as `unifw fingerprint --json` saved it\n"
		"  -p, --port PORT     the connected phone (its DA reads only what the fingerprint needs)\n"
		"  --with-preloader    the flash would write the preloader too\n"
		"%s"
		"  --json              one JSON object on stdout (docs/json.md \"catalog match\")\n"
		"%s\n"
		"exit status: 0 ok, 1 failed, 2 usage\n",
		db_usage, cli_phone_usage);
}

/* ------------------------------------------------------------------------------------------ common */

enum { OPT_DB = CLI_OPT_OWN, OPT_JSON, OPT_BACKUP, OPT_FINGERPRINT, OPT_WITH_PRELOADER };

struct catalog_args {
	const char *db;
	bool json;
	const char *backup, *fingerprint;
	bool with_preloader;
	struct cli_phone_args pa;
	bool port_given;
	int first, argc; /* operands: argv[first..argc-1] */
};

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"db", required_argument, NULL, OPT_DB},
	{"json", no_argument, NULL, OPT_JSON},
	{"backup", required_argument, NULL, OPT_BACKUP},
	{"fingerprint", required_argument, NULL, OPT_FINGERPRINT},
	{"with-preloader", no_argument, NULL, OPT_WITH_PRELOADER},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* 0 parsed, -1 --help printed, else a usage error's exit status. `phone`: match's options are allowed. */
static int parse(const char *cmd, int argc, char **argv, bool phone, void (*usage)(FILE *), struct catalog_args *a)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, cmd, argc, argv, phone ? "h" CLI_PHONE_SHORTOPTS : "h", longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR)
			return CLI_USAGE;
		if (phone && (r = cli_phone_opt(&g, c, &a->pa)) != 0) {
			if (r < 0)
				return CLI_USAGE;
			a->port_given |= c == 'p';
			continue;
		}
		switch (c) {
		case OPT_DB: a->db = g.arg; break;
		case OPT_JSON: a->json = true; break;
		case 'h': usage(stdout); return -1;
		case OPT_BACKUP:
		case OPT_FINGERPRINT:
		case OPT_WITH_PRELOADER:
			if (phone) {
				if (c == OPT_BACKUP)
					a->backup = g.arg;
				else if (c == OPT_FINGERPRINT)
					a->fingerprint = g.arg;
				else
					a->with_preloader = true;
				break;
			}
			/* fall through */
		default: return cli_usage_error(cmd, "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	a->first = g.optind;
	a->argc = argc;
	return 0;
}

static int open_db(const struct catalog_args *a, struct unifw_catalog **c)
{
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_catalog_open(a->db, c, &err) < 0)
		return cli_error(&err);
	return 0;
}

static const char *str_of(const struct unifw_jv *o, const char *key)
{
	const char *s = unifw_jv_str(unifw_jv_get(o, key));
	return s && s[0] ? s : "-";
}

/* ------------------------------------------------------------------------------------------ add */

static int catalog_add(int argc, char **argv)
{
	struct catalog_args a = {0};
	int prc = parse("catalog add", argc, argv, false, usage_add, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	if (a.first >= a.argc)
		return cli_usage_error("catalog add", "which package or backup? (PATH...)");
	struct unifw_catalog *c = NULL;
	int rc = open_db(&a, &c);
	if (rc)
		return rc;
	struct cli_progress prog;
	cli_progress_init(&prog, false); /* --json prints one object: progress goes to stderr */
	if (a.json && prog.mode == CLI_PROGRESS_BARS)
		prog.mode = CLI_PROGRESS_LINES;
	struct unifw_jv *doc = unifw_jv_object();
	unifw_jv_set_str(doc, "type", "catalog_add");
	unifw_jv_set_str(doc, "db", unifw_catalog_path(c));
	struct unifw_jv *list = unifw_jv_set_arr(doc, "entries");
	int status = CLI_OK;
	for (int i = a.first; i < a.argc; i++) {
		struct unifw_error err;
		unifw_error_clear(&err);
		int64_t id;
		bool added;
		struct unifw_jv *o = unifw_jv_push_obj(list);
		unifw_jv_set_str(o, "type", "catalog_add_entry");
		unifw_jv_set_str(o, "path", argv[i]);
		if (unifw_catalog_add(c, argv[i], cli_progress_cb(&prog), &id, &added, &err) < 0) {
			status = CLI_FAIL;
			char buf[1024];
			unifw_jv_set_str(o, "error", unifw_error_format(&err, buf, sizeof buf));
			if (!a.json)
				cli_error(&err);
			else
				fprintf(stderr, "unifw: error: %s\n", buf);
			continue;
		}
		unifw_jv_set_int(o, "id", id);
		unifw_jv_set_bool(o, "added", added);
		if (!a.json)
			printf(added ? "added %s as %lld\n" : "skipped %s: already indexed as %lld\n", argv[i], (long long)id);
	}
	if (a.json)
		cli_print_json(doc);
	unifw_jv_free(doc);
	unifw_catalog_close(c);
	return status;
}

/* ------------------------------------------------------------------------------------- list, show */

/* "first" or "first +N": the list's column stays readable; --json has every name. */
static void names_text(const struct unifw_jv *arr, char *out, size_t cap)
{
	size_t n = unifw_jv_len(arr);
	if (!n)
		snprintf(out, cap, "-");
	else if (n == 1)
		snprintf(out, cap, "%s", unifw_jv_str(unifw_jv_at(arr, 0)));
	else
		snprintf(out, cap, "%s +%zu", unifw_jv_str(unifw_jv_at(arr, 0)), n - 1);
}

static void print_entry_line(const struct unifw_jv *e)
{
	char lk[256], kern[256];
	names_text(unifw_jv_get(e, "lk_lcm"), lk, sizeof lk);
	names_text(unifw_jv_get(e, "kernel_lcm"), kern, sizeof kern);
	printf("%4lld  %-7s  %-20s  %-8s  %-7s  %-24s  %-24s  %s\n", (long long)unifw_jv_i64(unifw_jv_get(e, "id")),
	       str_of(e, "kind"), str_of(e, "project"), str_of(e, "platform"), str_of(e, "android"), lk, kern,
	       str_of(e, "path"));
}

static int catalog_list(int argc, char **argv)
{
	struct catalog_args a = {0};
	int prc = parse("catalog list", argc, argv, false, usage_list, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	if (a.first < a.argc)
		return cli_usage_error("catalog list", "unexpected argument '%s'", argv[a.first]);
	struct unifw_catalog *c = NULL;
	int rc = open_db(&a, &c);
	if (rc)
		return rc;
	struct unifw_error err;
	unifw_error_clear(&err);
	struct unifw_jv *entries = NULL;
	if (unifw_catalog_list(c, &entries, &err) < 0) {
		unifw_catalog_close(c);
		return cli_error(&err);
	}
	if (a.json) {
		struct unifw_jv *doc = unifw_jv_object();
		unifw_jv_set_str(doc, "type", "catalog");
		unifw_jv_set_str(doc, "db", unifw_catalog_path(c));
		unifw_jv_set_uint(doc, "schema", UNIFW_CATALOG_SCHEMA);
		unifw_jv_set(doc, "entries", entries);
		cli_print_json(doc);
		unifw_jv_free(doc);
	} else {
		printf("Catalog %s: %zu entries\n", unifw_catalog_path(c), unifw_jv_len(entries));
		if (unifw_jv_len(entries))
			printf("%4s  %-7s  %-20s  %-8s  %-7s  %-24s  %-24s  %s\n", "id", "kind", "project", "platform",
			       "android", "LK LCM", "kernel LCM", "path");
		for (size_t i = 0; i < unifw_jv_len(entries); i++)
			print_entry_line(unifw_jv_at(entries, i));
		unifw_jv_free(entries);
	}
	unifw_catalog_close(c);
	return CLI_OK;
}

static int catalog_show(int argc, char **argv)
{
	struct catalog_args a = {0};
	int prc = parse("catalog show", argc, argv, false, usage_show, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	if (a.argc - a.first != 1)
		return cli_usage_error("catalog show", "one entry id, as `unifw catalog list` shows it");
	char *end;
	errno = 0;
	long long id = strtoll(argv[a.first], &end, 10);
	if (errno || end == argv[a.first] || *end || id <= 0)
		return cli_usage_error("catalog show", "'%s' is not an entry id (a number from `unifw catalog list`)",
				       argv[a.first]);
	struct unifw_catalog *c = NULL;
	int rc = open_db(&a, &c);
	if (rc)
		return rc;
	struct unifw_error err;
	unifw_error_clear(&err);
	struct unifw_jv *e = NULL;
	rc = unifw_catalog_show(c, id, &e, &err);
	unifw_catalog_close(c);
	if (rc < 0)
		return cli_error(&err);
	if (a.json)
		cli_print_json(e);
	else
		cli_render_human(stdout, e);
	unifw_jv_free(e);
	return CLI_OK;
}

/* ------------------------------------------------------------------------------------------ match */

struct phone_run {
	struct unifw_fingerprint *fp;
};

static int phone_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct phone_run *r = ctx;
	return unifw_fingerprint_phone(ph, r->fp, err);
}

/* A fingerprint saved by `unifw fingerprint --json`: the object itself, or a report holding it under
 * "fingerprint". */
static int fingerprint_file(const char *path, struct unifw_fingerprint *fp, struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_jv *j = NULL;
	int rc = unifw_file_read_all(path, 16u << 20, &buf, &len, err);
	if (!rc)
		rc = unifw_jv_parse((const char *)buf, len, path, 16u << 20, 32, &j, err);
	free(buf);
	if (rc)
		return rc;
	const struct unifw_jv *inner = unifw_jv_get(j, "fingerprint");
	rc = unifw_fingerprint_from_json(inner && unifw_jv_type(inner) == UNIFW_JV_OBJECT ? inner : j, fp, err);
	unifw_jv_free(j);
	if (rc)
		unifw_error_where(err, path);
	return rc;
}

static int phone_fingerprint(const struct catalog_args *a, struct unifw_fingerprint *fp, struct unifw_error *err)
{
	if (a->backup)
		return unifw_fingerprint_path(a->backup, fp, err);
	if (a->fingerprint)
		return fingerprint_file(a->fingerprint, fp, err);
	struct cli_progress prog;
	cli_progress_init(&prog, false);
	if (a->json && prog.mode == CLI_PROGRESS_BARS)
		prog.mode = CLI_PROGRESS_LINES;
	struct phone_run run = {.fp = fp};
	struct unifw_job job;
	cli_job_init(&job, "catalog match", &a->pa, cli_progress_cb(&prog));
	job.run = phone_job;
	job.ctx = &run;
	return unifw_job_run(&job, err);
}

/* "BRICK RISK" for "brick_risk": an item's verdict as the check report words it. */
static const char *verdict_text(const char *code)
{
	for (int v = UNIFW_CHECK_SAFE; v <= UNIFW_CHECK_BRICK_RISK; v++)
		if (code && !strcmp(code, unifw_check_verdict_code((enum unifw_check_verdict)v)))
			return unifw_check_verdict_text((enum unifw_check_verdict)v);
	return code ? code : "-";
}

static void print_match(const struct unifw_jv *doc)
{
	const struct unifw_jv *pk = unifw_jv_get(doc, "packages");
	printf("Catalog %s: %zu packages ranked for %s %s\n", str_of(doc, "db"), unifw_jv_len(pk),
	       unifw_jv_str(unifw_jv_path(doc, "phone.source")), unifw_jv_str(unifw_jv_path(doc, "phone.path")));
	for (size_t i = 0; i < unifw_jv_len(pk); i++) {
		const struct unifw_jv *p = unifw_jv_at(pk, i);
		const struct unifw_jv *items = unifw_jv_get(p, "items");
		printf("%3zu. %-18s  boot: %-17s  #%lld  %s  (%s)\n", i + 1, str_of(p, "verdict_text"),
		       str_of(p, "predicted_boot"), (long long)unifw_jv_i64(unifw_jv_get(p, "id")), str_of(p, "path"),
		       str_of(p, "project"));
		for (size_t k = 0; k < unifw_jv_len(items); k++) {
			const struct unifw_jv *it = unifw_jv_at(items, k);
			printf("       %-18s  %s: %s\n", verdict_text(unifw_jv_str(unifw_jv_get(it, "verdict"))), str_of(it, "code"), str_of(it, "message"));
		}
	}
}

static int match_run(const struct catalog_args *a, struct unifw_fingerprint *phone)
{
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = phone_fingerprint(a, phone, &err);
	if (rc < 0)
		return cli_job_exit(rc, cli_error(&err));
	struct unifw_catalog *c = NULL;
	if ((rc = open_db(a, &c)) != 0)
		return rc;
	struct unifw_check_opts opts = {.with_preloader = a->with_preloader};
	struct unifw_jv *ranked = NULL;
	rc = unifw_catalog_match(c, phone, &opts, &ranked, &err);
	struct unifw_jv *doc = unifw_jv_object();
	unifw_jv_set_str(doc, "type", "catalog_match");
	unifw_jv_set_str(doc, "db", unifw_catalog_path(c));
	unifw_catalog_close(c);
	if (rc < 0) {
		unifw_jv_free(doc);
		return cli_error(&err);
	}
	struct unifw_jv *ph = unifw_jv_set_obj(doc, "phone");
	unifw_jv_set_str(ph, "type", "catalog_phone");
	unifw_jv_set_str(ph, "source", unifw_fp_source_name(phone->source));
	unifw_jv_set_str(ph, "path", phone->path);
	unifw_jv_set_str(ph, "project", phone->project);
	unifw_jv_set_bool(doc, "with_preloader", a->with_preloader);
	unifw_jv_set(doc, "packages", ranked);
	if (a->json)
		cli_print_json(doc);
	else
		print_match(doc);
	unifw_jv_free(doc);
	return CLI_OK;
}

static int catalog_match(int argc, char **argv)
{
	struct catalog_args a = {0};
	int prc = parse("catalog match", argc, argv, true, usage_match, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	if (a.first < a.argc)
		return cli_usage_error("catalog match", "unexpected argument '%s'", argv[a.first]);
	if ((a.backup != NULL) + (a.fingerprint != NULL) + a.port_given != 1)
		return cli_usage_error("catalog match", "which phone? one of --backup DIR, --fingerprint FILE, --port PORT");
	struct unifw_fingerprint *phone = calloc(1, sizeof *phone);
	if (!phone) {
		fprintf(stderr, "unifw: error: out of memory\n");
		return CLI_FAIL;
	}
	int rc = match_run(&a, phone);
	free(phone);
	return rc;
}

/* ------------------------------------------------------------------------------------------ dispatch */

struct catalog_sub {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct catalog_sub subs[] = {
	{"add", catalog_add, "index packages and backups (folders, archives); content already there is skipped"},
	{"list", catalog_list, "every entry: id, kind, project, platform, Android, LCM drivers, path"},
	{"show", catalog_show, "one entry with its whole fingerprint"},
	{"match", catalog_match, "every package ranked for a phone, best first, with check's reasons"},
};

static void catalog_usage(FILE *out)
{
	fprintf(out, "usage: unifw catalog <subcommand> [options]\n\nsubcommands:\n");
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		fprintf(out, "  %-6s %s\n", subs[i].name, subs[i].summary);
	fprintf(out, "\nRun 'unifw catalog <subcommand> --help' for its options; docs/catalog.md for details.\n");
}

int cmd_catalog(int argc, char **argv)
{
	if (argc < 2) {
		catalog_usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		catalog_usage(stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	return cli_usage_error("catalog", "unknown subcommand '%s'", argv[1]);
}
