/* unifw read --partition NAME -o FILE and unifw write --partition NAME FILE: one partition of the phone
 * (docs/flash.md "One partition"). write is unifw flash's session for one image (cmd_flash.c); read is a
 * backup of that one partition (unifw_backup: read twice and compared, hashed while stored) into a private
 * folder next to FILE, whose image then becomes FILE. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_flash.h"
#include "cli/jobs.h"
#include "unifw/backup.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/partname.h"

static void usage_read(FILE *out)
{
	fprintf(out,
		"usage: unifw read --partition NAME -o FILE [--json] [phone options]\n\n"
		"Read one partition of the phone into FILE (created; an existing file is not overwritten). The\n"
		"partition is read twice and compared byte for byte, and its SHA-256 is computed as it is stored.\n"
		"NAME is an MT6572 partition name or an Android alias (boot, recovery, system, userdata, lk, logo...,\n"
		"case-insensitive); an unknown name is refused before the phone is contacted.\n\n"
		"  --partition NAME     the partition to read\n"
		"  -o, --output FILE    where its bytes go\n"
		"  --json               JSON event lines on stdout, the result last\n"
		"%s\n"
		"exit status: 0 read, 1 failed, 2 usage or a partition name unifw or the phone does not know\n",
		cli_phone_usage);
}

struct read_args {
	struct cli_phone_args pa;
	const char *partition, *output;
	bool json;
};

enum { OPT_PARTITION = CLI_OPT_OWN, OPT_JSON };

static const struct option read_longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"partition", required_argument, NULL, OPT_PARTITION},
	{"output", required_argument, NULL, 'o'},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static int parse_read(int argc, char **argv, struct read_args *a)
{
	struct cli_getopt g;
	int c, r;
	memset(a, 0, sizeof *a);
	cli_getopt_init(&g, "read", argc, argv, "ho:" CLI_PHONE_SHORTOPTS, read_longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, &a->pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case OPT_PARTITION: a->partition = g.arg; break;
		case 'o': a->output = g.arg; break;
		case OPT_JSON: a->json = true; break;
		case 'h': usage_read(stdout); return -1;
		default: return cli_usage_error("read", "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		return cli_usage_error("read", "unexpected argument '%s'", argv[g.optind]);
	if (!a->partition)
		return cli_usage_error("read", "name the partition to read (--partition NAME)");
	if (!a->output)
		return cli_usage_error("read", "name the file to read %s into (-o FILE)", a->partition);
	if (!unifw_partname_resolve(a->partition)) {
		char names[2048];
		unifw_partname_accepted(names, sizeof names);
		return cli_usage_error("read", "unknown partition name %s; the names unifw accepts: %s", a->partition, names);
	}
	return 0;
}

struct read_run {
	struct read_args *a;
	struct unifw_backup_opts bo;
	char real[65];               /* the phone's name for the partition */
	const char *only[1];
	struct unifw_jv *manifest;
	bool unknown_on_phone;
};

/* The phone's own name for what was typed (an alias, another case); refused listing its names. */
static int resolve_on_phone(struct read_run *r, struct unifw_phone *ph, struct unifw_error *err)
{
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	if (!l)
		return unifw_error_set(err, UNIFW_E_NOMEM, "layout", UNIFW_NO_OFFSET, "out of memory");
	int rc = unifw_phone_layout_read(ph, l, err);
	for (size_t i = 0; !rc && i < l->count && !r->real[0]; i++)
		if (unifw_partname_matches(r->a->partition, l->part[i].name))
			snprintf(r->real, sizeof r->real, "%s", l->part[i].name);
	if (!rc && !r->real[0]) {
		char names[1536] = "";
		size_t used = 0;
		for (size_t i = 0; i < l->count && used < sizeof names; i++) {
			int n = snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", l->part[i].name);
			used += n > 0 ? (size_t)n : 0;
		}
		r->unknown_on_phone = true;
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, r->a->partition, UNIFW_NO_OFFSET,
				     "the phone has no partition %s (%s)", r->a->partition, names);
	}
	free(l);
	return rc;
}

static int read_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct read_run *r = ctx;
	int rc = resolve_on_phone(r, ph, err);
	if (rc)
		return rc;
	r->only[0] = r->real;
	r->bo.only = r->only;
	r->bo.only_count = 1;
	r->bo.verify = true; /* "read": the bytes twice, compared, so that FILE is what the phone holds */
	return unifw_backup(ph, &r->bo, &r->manifest, err);
}

/* A string key of the manifest's entry, when it has one. */
static void copy_str(struct unifw_jv *o, const char *key, const struct unifw_jv *from, const char *from_key)
{
	const char *v = unifw_jv_str(unifw_jv_get(from, from_key));
	if (v)
		unifw_jv_set_str(o, key, v);
}

/* The backup's one image becomes FILE; the result says what it is. */
static int adopt_image(const char *tmp, const struct read_args *a, const struct unifw_jv *manifest,
		       struct unifw_jv **result, struct unifw_error *err)
{
	const struct unifw_jv *p = unifw_jv_at(unifw_jv_get(manifest, "partitions"), 0);
	const char *file = unifw_jv_str(unifw_jv_get(p, "file"));
	char from[PATH_MAX + 128];
	if (!file || strchr(file, '/'))
		return unifw_error_set(err, UNIFW_E_FORMAT, tmp, UNIFW_NO_OFFSET, "the read left no image");
	snprintf(from, sizeof from, "%s/%s", tmp, file);
	if (link(from, a->output) != 0) /* link, not rename: an existing FILE is never replaced */
		return unifw_error_sys(err, a->output, "create");
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "read");
	copy_str(o, "partition", p, "name");
	unifw_jv_set_str(o, "file", a->output);
	copy_str(o, "region", p, "region");
	copy_str(o, "offset", p, "offset");
	unifw_jv_set_uint(o, "size", unifw_jv_u64(unifw_jv_get(p, "size")));
	copy_str(o, "sha256", p, "sha256");
	copy_str(o, "content", p, "content");
	unifw_jv_set_bool(o, "verified_by_second_read", true);
	*result = o;
	return 0;
}

/* A private folder beside FILE (the same file system, so that the image is linked, not copied). */
static int make_tmp(const char *output, char *tmp, size_t len, struct unifw_error *err)
{
	const char *slash = strrchr(output, '/');
	int dl = slash ? (int)(slash - output) + (slash == output) : 1;
	if (snprintf(tmp, len, "%.*s/.unifw-read-XXXXXX", dl, slash ? output : ".") >= (int)len)
		return unifw_error_set(err, UNIFW_E_INVALID, output, UNIFW_NO_OFFSET, "path too long");
	if (!mkdtemp(tmp))
		return unifw_error_sys(err, tmp, "create a temporary directory");
	return 0;
}

int cmd_read(int argc, char **argv)
{
	struct read_args a;
	int prc = parse_read(argc, argv, &a);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (access(a.output, F_OK) == 0) {
		unifw_error_set(&err, UNIFW_E_INVALID, a.output, UNIFW_NO_OFFSET, "exists: not overwritten");
		return a.json ? cli_json_result(NULL, &err) : cli_error(&err);
	}
	char tmp[PATH_MAX];
	if (make_tmp(a.output, tmp, sizeof tmp, &err))
		return a.json ? cli_json_result(NULL, &err) : cli_error(&err);
	struct cli_progress prog;
	cli_progress_init(&prog, a.json);
	struct read_run run = {.a = &a};
	run.bo.dir = tmp;
	run.bo.progress = cli_progress_cb(&prog);
	struct unifw_job job;
	cli_job_init(&job, "read", &a.pa, cli_progress_cb(&prog));
	job.run = read_job;
	job.ctx = &run;
	run.bo.cancel = job.cancel;
	int rc = unifw_job_run(&job, &err);
	struct unifw_jv *result = NULL;
	if (!rc)
		rc = adopt_image(tmp, &a, run.manifest, &result, &err);
	unifw_jv_free(run.manifest);
	if (!unifw_remove_tree(tmp))
		fprintf(stderr, "unifw: warning: could not remove %s\n", tmp);
	int code = rc ? (run.unknown_on_phone ? CLI_USAGE : CLI_FAIL) : CLI_OK;
	if (a.json)
		cli_json_result_status(result, rc ? &err : NULL, code);
	else if (rc)
		cli_error(&err);
	else {
		char h[32];
		printf("Read %s (%s) into %s\n  SHA-256 %s; read twice from the phone and compared byte for byte\n",
		       unifw_jv_str(unifw_jv_get(result, "partition")) ? unifw_jv_str(unifw_jv_get(result, "partition")) : "?",
		       unifw_human_size(unifw_jv_u64(unifw_jv_get(result, "size")), h, sizeof h), a.output,
		       unifw_jv_str(unifw_jv_get(result, "sha256")) ? unifw_jv_str(unifw_jv_get(result, "sha256")) : "?");
	}
	unifw_jv_free(result);
	return cli_job_exit(rc, code);
}

int cmd_write(int argc, char **argv)
{
	return cmd_flash_write(argc, argv);
}
