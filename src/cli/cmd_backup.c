/* unifw backup [-o DIR] [--resume] [--skip-empty] [--verify] [--partition NAME]... [--json]: full
 * readback of boot1 and every partition into DIR with a rebuilt scatter and manifest.json
 * (docs/backup.md). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/backup.h"
#include "unifw/human.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw backup [-o DIR] [--resume] [--skip-empty] [--verify] [--partition NAME]... [--json]\n"
		"                    [phone options]\n\n"
		"Read boot1 (the phone's own preloader) and every partition of the phone's own partition table into\n"
		"DIR: one image per partition named as a scatter names it, a rebuilt scatter (V1.1.1 and flat) and\n"
		"manifest.json with the phone's identity and a SHA-256 per file. Every image is checked against\n"
		"the bytes the phone sent. An interrupted backup continues with --resume.\n\n"
		"  -o, --output DIR    backup folder (default: backup-<UTC date>-<time>)\n"
		"  --resume            continue the interrupted backup in DIR (the same phone only)\n"
		"  --skip-empty        store all-zero 4 KiB blocks as holes (sparse files)\n"
		"  --verify            read every partition a second time and compare (the identity\n"
		"                      partitions NVRAM, PRO_INFO, PROTECT_F/S always are)\n"
		"  --partition NAME    only this partition (repeatable; no scatter is written)\n"
		"  --identity          only the preloader and the identity partitions (NVRAM, PRO_INFO, PROTECT_F/S)\n"
		"  --chunk SIZE        read between two journal updates: MiB, or a size with a suffix (default 64)\n"
		"  --json              JSON event lines on stdout, the manifest last\n"
		"%s\n"
		"exit status: 0 ok, 1 failed (see the message; --resume continues), 2 usage\n",
		cli_phone_usage);
}

struct backup_run {
	const struct unifw_backup_opts *opts;
	struct unifw_jv *manifest;
	bool started; /* the backup began: its folder holds a journal that --resume continues */
};

static int backup_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct backup_run *r = ctx;
	int rc = unifw_backup(ph, r->opts, &r->manifest, err);
	/* a journal in the folder is what --resume continues; a refusal before it (another backup's folder,
	 * nothing to resume) has none */
	char journal[4200];
	snprintf(journal, sizeof journal, "%s/%s", r->opts->dir, UNIFW_BACKUP_JOURNAL);
	r->started = rc < 0 && access(journal, F_OK) == 0;
	return rc;
}

/* The command that continues this backup: the same folder, scope and options, --resume. */
static void print_resume(const struct cli_phone_args *pa, const struct unifw_backup_opts *bo, const char *const *only,
			 size_t nonly)
{
	struct cli_cmdline c;
	cli_cmdline_init(&c, "unifw backup --resume");
	cli_cmdline_add2(&c, "-o", bo->dir);
	if (bo->skip_empty)
		cli_cmdline_add(&c, "--skip-empty");
	if (bo->verify)
		cli_cmdline_add(&c, "--verify");
	if (bo->identity_only)
		cli_cmdline_add(&c, "--identity");
	for (size_t i = 0; i < nonly; i++)
		cli_cmdline_add2(&c, "--partition", only[i]);
	if (bo->chunk) {
		char mib[24];
		snprintf(mib, sizeof mib, "%llu", (unsigned long long)(bo->chunk >> 20));
		cli_cmdline_add2(&c, "--chunk", mib);
	}
	cli_cmdline_add_phone(&c, pa);
	cli_print_resume(&c);
}

enum { OPT_RESUME = CLI_OPT_OWN, OPT_SKIP_EMPTY, OPT_VERIFY, OPT_IDENTITY, OPT_PARTITION, OPT_CHUNK, OPT_JSON };

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"output", required_argument, NULL, 'o'},
	{"resume", no_argument, NULL, OPT_RESUME},
	{"skip-empty", no_argument, NULL, OPT_SKIP_EMPTY},
	{"verify", no_argument, NULL, OPT_VERIFY},
	{"identity", no_argument, NULL, OPT_IDENTITY},
	{"partition", required_argument, NULL, OPT_PARTITION},
	{"chunk", required_argument, NULL, OPT_CHUNK},
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* --chunk: MiB between two journal updates; a bare number is MiB (as before sizes took suffixes). */
static bool parse_chunk(const char *s, uint64_t *out)
{
	uint64_t v;
	size_t n = strlen(s);
	bool bare = n && s[n - 1] >= '0' && s[n - 1] <= '9';
	if (!cli_parse_size(s, bare ? 4096 : 4096ull << 20, &v))
		return false;
	v = bare ? v << 20 : v;
	if (!v || v % (1u << 20))
		return false;
	*out = v;
	return true;
}

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct cli_phone_args *pa, struct unifw_backup_opts *bo, const char **only,
		 size_t *nonly, bool *json)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "backup", argc, argv, "ho:" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case 'o': bo->dir = g.arg; break;
		case OPT_RESUME: bo->resume = true; break;
		case OPT_SKIP_EMPTY: bo->skip_empty = true; break;
		case OPT_VERIFY: bo->verify = true; break;
		case OPT_IDENTITY: bo->identity_only = true; break;
		case OPT_PARTITION:
			if (*nonly >= 64)
				return cli_usage_error("backup", "too many --partition options");
			only[(*nonly)++] = g.arg;
			break;
		case OPT_CHUNK:
			if (!parse_chunk(g.arg, &bo->chunk))
				return cli_usage_error("backup", "--chunk takes MiB (1..4096, or a size such as 256M), not '%s'",
						       g.arg);
			break;
		case OPT_JSON: *json = true; break;
		case 'h': usage(stdout); return -1;
		default: return cli_usage_error("backup", "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		return cli_usage_error("backup", "unexpected argument '%s'", argv[g.optind]);
	return 0;
}

int cmd_backup(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	struct unifw_backup_opts bo = {0};
	const char *only[64];
	size_t nonly = 0;
	bool json = false;
	int prc = parse(argc, argv, &pa, &bo, only, &nonly, &json);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	if (bo.resume && !bo.dir)
		return cli_usage_error("backup", "--resume needs -o DIR (the folder of the interrupted backup)");
	char stamp[4200];
	struct unifw_error err;
	unifw_error_clear(&err);
	struct cli_progress prog;
	cli_progress_init(&prog, json);
	if (!bo.dir) {
		if (unifw_backup_stamp_dir(".", "backup", stamp, sizeof stamp, &err) < 0)
			return json ? cli_json_result(NULL, &err) : cli_error(&err);
		bo.dir = stamp;
	}
	if (nonly) {
		bo.only = only;
		bo.only_count = nonly;
	}
	bo.progress = cli_progress_cb(&prog);
	struct backup_run run = {.opts = &bo};
	struct unifw_job job;
	cli_job_init(&job, "backup", &pa, cli_progress_cb(&prog));
	job.run = backup_job;
	job.ctx = &run;
	bo.cancel = job.cancel;
	int rc = unifw_job_run(&job, &err);
	struct unifw_jv *manifest = run.manifest;
	if (rc < 0 && run.started) {
		int code = json ? cli_json_result(NULL, &err) : cli_error(&err);
		print_resume(&pa, &bo, only, nonly);
		return cli_job_exit(rc, code);
	}
	if (json) {
		int code = cli_json_result(manifest, rc < 0 ? &err : NULL);
		unifw_jv_free(manifest);
		return code;
	}
	if (rc < 0)
		return cli_error(&err);
	char total[32], stored[32];
	unifw_human_size(unifw_jv_u64(unifw_jv_get(manifest, "total_bytes")), total, sizeof total);
	unifw_human_size(unifw_jv_u64(unifw_jv_get(manifest, "stored_bytes")), stored, sizeof stored);
	printf("Backup complete: %s\n  %zu images, %s read from the phone, %s on disk, every image verified by SHA-256\n",
	       bo.dir, unifw_jv_len(unifw_jv_get(manifest, "partitions")), total, stored);
	const struct unifw_jv *sc = unifw_jv_get(manifest, "scatter_files");
	for (size_t i = 0; i < unifw_jv_len(sc); i++)
		printf("  scatter: %s\n", unifw_jv_str(unifw_jv_at(sc, i)));
	/* named only when this backup holds it: a --partition backup without PRELOADER has none */
	const struct unifw_jv *parts = unifw_jv_get(manifest, "partitions");
	for (size_t i = 0; i < unifw_jv_len(parts); i++) {
		const struct unifw_jv *p = unifw_jv_at(parts, i);
		const char *region = unifw_jv_str(unifw_jv_get(p, "region")), *file = unifw_jv_str(unifw_jv_get(p, "file"));
		if (region && file && !strcmp(region, "EMMC_BOOT_1"))
			printf("  the phone's own preloader (for BROM mode later): %s/%s\n", bo.dir, file);
	}
	unifw_jv_free(manifest);
	return CLI_OK;
}
