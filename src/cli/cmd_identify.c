/* unifw identify [--port P] [--da F] [--preloader F] [--json]: what the connected phone is — BROM or
 * preloader, chip, target config, ME ID, DA version, eMMC (CID decoded, sizes), DRAM, and the
 * partition table read from the phone. Without a DA only the BROM/preloader facts are shown. JSON keys:
 * docs/identify.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/human.h"
#include "unifw/identify.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw identify [--port PORT] [--da FILE] [--preloader FILE] [--json]\n\n"
		"Connect to a phone in BROM or preloader mode and show what it is: chip, boot mode, target config\n"
		"(secure boot, SLA, DAA), ME ID, and with a DA: DA version, eMMC (CID decoded, boot1/boot2/RPMB/user\n"
		"sizes), DRAM, and the partition table read from the phone (PMT and MBR/EBR).\n\n"
		"  --json              print one JSON object (keys: docs/identify.md)\n"
		"  --no-da             identification only: do not send a DA even if $UNIFW_DA is set\n"
		"%s\n"
		"exit status: 0 ok, 1 the phone could not be identified completely, 2 usage\n",
		cli_phone_usage);
}

static const char *js(const struct unifw_jv *v, const char *path)
{
	const char *s = unifw_jv_str(unifw_jv_path(v, path));
	return s ? s : "?";
}

static const char *size_of(const struct unifw_jv *v, const char *path, char *buf, size_t cap)
{
	const struct unifw_jv *x = unifw_jv_path(v, path);
	if (!x)
		return "?";
	return unifw_human_size(unifw_jv_u64(x), buf, cap);
}

static void print_human(const struct unifw_jv *r)
{
	char a[32], b[32], c[32], d[32];
	printf("Phone          %s in %s mode (hw code %s, subcode %s, hw ver %s, sw ver %s)\n", js(r, "chip.name"),
	       js(r, "mode"), js(r, "chip.hw_code"), js(r, "chip.hw_subcode"), js(r, "chip.hw_ver"),
	       js(r, "chip.sw_ver"));
	if (unifw_jv_get(r, "port"))
		printf("Port           %s\n", js(r, "port"));
	if (unifw_jv_get(r, "target_config"))
		printf("Target config  %s: secure boot %s, SLA %s, DAA %s\n", js(r, "target_config.value"),
		       unifw_jv_truthy(unifw_jv_path(r, "target_config.secure_boot")) ? "on" : "off",
		       unifw_jv_truthy(unifw_jv_path(r, "target_config.sla")) ? "on" : "off",
		       unifw_jv_truthy(unifw_jv_path(r, "target_config.daa")) ? "on" : "off");
	printf("ME ID          %s\n", unifw_jv_get(r, "me_id") ? js(r, "me_id") : "(only in BROM mode)");
	if (!unifw_jv_get(r, "da_version"))
		return;
	printf("DA             version %s\n", js(r, "da_version"));
	printf("Storage        %s\n", js(r, "storage"));
	if (unifw_jv_get(r, "emmc")) {
		printf("eMMC           %s (MID %s) %s rev %s, serial %s, made %s, CRC %s\n", js(r, "emmc.cid.manufacturer"),
		       js(r, "emmc.cid.manufacturer_id"), js(r, "emmc.cid.product"), js(r, "emmc.cid.revision"),
		       js(r, "emmc.cid.serial"), js(r, "emmc.cid.manufactured"),
		       unifw_jv_truthy(unifw_jv_path(r, "emmc.cid.crc_ok")) ? "ok" : "BAD");
		printf("               CID %s\n", js(r, "emmc.cid.raw"));
		if (unifw_jv_get(unifw_jv_get(r, "emmc"), "user_size"))
			printf("               boot1 %s, boot2 %s, RPMB %s, user %s (boot region %s)\n",
			       size_of(r, "emmc.boot1_size", a, sizeof a), size_of(r, "emmc.boot2_size", b, sizeof b),
			       size_of(r, "emmc.rpmb_size", c, sizeof c), size_of(r, "emmc.user_size", d, sizeof d),
			       js(r, "emmc.boot_region"));
	}
	printf("DRAM           %s%s%s, set up by %s\n", unifw_jv_path(r, "dram.size") ? size_of(r, "dram.size", a, sizeof a) : "size unknown",
	       unifw_jv_path(r, "dram.id") ? ", id " : "", unifw_jv_path(r, "dram.id") ? js(r, "dram.id") : "",
	       js(r, "dram.configured_by"));
	const struct unifw_jv *t = unifw_jv_get(r, "partition_table");
	if (!t)
		return;
	if (unifw_jv_get(t, "error")) {
		printf("Partitions     none: %s\n", js(t, "error"));
		return;
	}
	printf("Partitions     PMT %s%s%s, MBR/EBR %s (%llu EBR)\n", unifw_jv_truthy(unifw_jv_get(t, "pmt")) ? "yes" : "no",
	       unifw_jv_get(t, "pmt_offsets") ? ", offsets " : "", unifw_jv_get(t, "pmt_offsets") ? js(t, "pmt_offsets") : "",
	       unifw_jv_truthy(unifw_jv_get(t, "mbr")) ? "yes" : "no", (unsigned long long)unifw_jv_u64(unifw_jv_get(t, "ebr_count")));
	if (unifw_jv_get(t, "note"))
		printf("               note: %s\n", js(t, "note"));
	printf("\n  %-12s %-12s %-12s %-10s %-4s %-8s %s\n", "name", "linear", "offset", "size", "pN", "tables", "content");
	const struct unifw_jv *ps = unifw_jv_get(t, "partitions");
	for (size_t i = 0; i < unifw_jv_len(ps); i++) {
		const struct unifw_jv *p = unifw_jv_at(ps, i);
		char tables[16] = "";
		const struct unifw_jv *lb = unifw_jv_get(p, "listed_by");
		for (size_t k = 0; k < unifw_jv_len(lb); k++)
			snprintf(tables + strlen(tables), sizeof tables - strlen(tables), "%s%s", k ? "+" : "",
				 unifw_jv_str(unifw_jv_at(lb, k)));
		char pn[8] = "";
		if (unifw_jv_get(p, "kernel_index"))
			snprintf(pn, sizeof pn, "p%llu", (unsigned long long)unifw_jv_u64(unifw_jv_get(p, "kernel_index")));
		const char *region = js(p, "region");
		printf("  %-12s %-12s %-12s %-10s %-4s %-8s %s\n", js(p, "name"), js(p, "linear"),
		       strcmp(region, "EMMC_BOOT_1") ? js(p, "offset") : "boot1", size_of(p, "size", a, sizeof a), pn,
		       tables[0] ? tables : "-", unifw_jv_get(p, "content") ? js(p, "content") : "");
	}
}

/* The universal image's probe record (docs/identify.md "Universal probe record"): what the probe bound per
 * component at the phone's last boot, and the fallbacks it logged. */
static void print_probe(const struct unifw_jv *r)
{
	const struct unifw_jv *u = unifw_jv_get(r, "universal_probe");
	if (!u)
		return;
	if (unifw_jv_get(u, "error")) {
		printf("\nUniversal probe  note: the record could not be read: %s\n", js(u, "error"));
		return;
	}
	const struct unifw_jv *cs = unifw_jv_get(u, "components");
	printf("\nuniversal probe:");
	for (size_t i = 0; i < unifw_jv_len(cs); i++) {
		const struct unifw_jv *c = unifw_jv_at(cs, i);
		const char *v = unifw_jv_str(unifw_jv_get(c, "variant"));
		printf(" %s=%s", js(c, "name"), v ? v : "fallback");
	}
	printf("%s\n", unifw_jv_truthy(unifw_jv_get(u, "done")) ? "" : " (the probe did not finish)");
	printf("               read: lcm %s, cid %s; %llu binds, %llu props\n", js(u, "lcm"), js(u, "cid"),
	       (unsigned long long)unifw_jv_u64(unifw_jv_get(u, "binds")),
	       (unsigned long long)unifw_jv_u64(unifw_jv_get(u, "props")));
	for (size_t i = 0; i < unifw_jv_len(cs); i++) {
		const struct unifw_jv *c = unifw_jv_at(cs, i);
		if (unifw_jv_get(c, "fallback"))
			printf("               fallback %s: %s\n", js(c, "name"), js(c, "fallback"));
	}
}

struct identify_run {
	struct unifw_jv *report;
	bool opened; /* the phone opened: a failure after that has no partial report to show */
};

static int identify_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct identify_run *r = ctx;
	r->opened = true;
	return unifw_identify(ph, &r->report, err);
}

enum { OPT_JSON = CLI_OPT_OWN, OPT_NO_DA };

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"json", no_argument, NULL, OPT_JSON},
	{"no-da", no_argument, NULL, OPT_NO_DA},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct cli_phone_args *pa, bool *json, bool *no_da)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "identify", argc, argv, "h" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		if (c == OPT_JSON)
			*json = true;
		else if (c == OPT_NO_DA)
			*no_da = true;
		else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("identify", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind < argc)
		return cli_usage_error("identify", "unexpected argument '%s'", argv[g.optind]);
	return 0;
}

int cmd_identify(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	bool json = false, no_da = false;
	int prc = parse(argc, argv, &pa, &json, &no_da);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	struct cli_progress prog;
	cli_progress_init(&prog, false); /* --json prints one object: progress goes to stderr as lines/bars */
	if (json && prog.mode == CLI_PROGRESS_BARS)
		prog.mode = CLI_PROGRESS_LINES;
	struct unifw_job job;
	struct unifw_phone_info partial;
	struct identify_run run = {0};
	cli_job_init(&job, "identify", &pa, cli_progress_cb(&prog));
	job.open.partial = &partial;
	job.run = identify_job;
	job.ctx = &run;
	char conf_da[4096];
	if (no_da || !unifw_da_lookup(pa.da, conf_da, sizeof conf_da)) {
		job.open.brom_only = true;
		if (!no_da)
			fprintf(stderr, "unifw identify: no DA (--da, $UNIFW_DA or 'da =' in the configuration file): "
					"showing the BROM/preloader facts only; eMMC, DRAM and partitions need the DA\n");
	}
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = unifw_job_run(&job, &err);
	struct unifw_jv *report = run.report;
	if (!run.opened && rc < 0 && partial.mode && strcmp(partial.mode, "unknown"))
		report = unifw_phone_info_json(&partial); /* what was learned before the failure */
	if (report && rc < 0) {
		char buf[1024];
		unifw_jv_set_str(report, "error", unifw_error_format(&err, buf, sizeof buf));
	}
	if (report) {
		if (json) {
			cli_print_json(report); /* it carries the error: cli_error adds no second object */
		} else {
			print_human(report);
			print_probe(report);
		}
	}
	unifw_jv_free(report);
	if (rc < 0) /* identify writes nothing: a stopped identify is simply run again */
		return cli_job_exit(rc, cli_error(&err));
	return CLI_OK;
}
