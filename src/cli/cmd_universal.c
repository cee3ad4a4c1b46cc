/* unifw universal build --base PACKAGE --phone BACKUP_OR_PACKAGE... -o OUT [--json] (docs/universal.md): one
 * image for many phones, a probe choosing each phone's overlay at boot. Exit status: 0 built, 4 refused (the
 * reasons, one a line; nothing left in OUT), 1 error, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/universal.h"

#define EXIT_REFUSED 4

static void usage(FILE *out)
{
	fputs("usage: unifw universal build --base PACKAGE --phone BACKUP_OR_PACKAGE... -o OUT [--json]\n"
	      "\n"
	      "One image for many phones. The base (a package folder, archive or scatter file) gives the kernel,\n"
	      "which must carry every listed phone's LCM and touch driver, the ramdisk and the system. Each --phone (a\n"
	      "`unifw backup` folder, or a stock package) becomes a variant: its hardware files (data/universal.rules:\n"
	      "panel, touch and board files, build.prop lines) go into the system image under /system/unifw/VARIANT/,\n"
	      "and the ramdisk gets the probe (/unifw/probe.sh, /unifw/probe.rules, /init.unifw.rc), which at boot binds\n"
	      "the overlay of each component whose key matches the phone (the LCM name on /proc/cmdline, the touch\n"
	      "controller's i2c name, the eMMC CID), or keeps the base's files with a log line.\n"
	      "OUT (new or empty) gets the base's scatter downloading only BOOTIMG, ANDROID and CACHE: never a\n"
	      "preloader, LK, logo, partition table or identity partition. The system image is fitted to the smallest\n"
	      "phone's ANDROID, the boot image must fit the smallest phone's BOOTIMG.\n"
	      "\n"
	      "  --base PACKAGE     the base: a package folder, archive or scatter file\n"
	      "  --phone PATH...    the phones (at most 16; repeat --phone or list them after it): each a unifw backup\n"
	      "                     folder or a stock package (folder, archive or scatter file)\n"
	      "  -o, --output DIR   the folder to create (it must not exist, or be empty)\n"
	      "  --json             one JSON object (docs/json.md \"universal\"; also OUT/universal.json)\n"
	      "\n"
	      "Refused (exit 4, one reason a line, nothing left in OUT): the base's kernel lacks a phone's LCM or touch\n"
	      "driver or would mount another partition as its /system (its compiled partition map), a phone's panel or\n"
	      "touch is unknown, the base has no boot or system image, two phones give the same variant name, more\n"
	      "than 16 phones, the images do not fit the smallest phone.\n"
	      "Next: `unifw flash OUT` on each phone (it writes OUT's images into the phone's own partitions by name).\n"
	      "Exit status: 0 built, 4 refused, 1 error, 2 usage. See docs/universal.md.\n",
	      out);
}

enum { OPT_BASE = CLI_OPT_OWN, OPT_PHONE, OPT_JSON };

static const struct option longopts[] = {
	{"base", required_argument, NULL, OPT_BASE}, {"phone", required_argument, NULL, OPT_PHONE},
	{"output", required_argument, NULL, 'o'},    {"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},            {0},
};

struct univ_args {
	struct unifw_univ_opts o;
	const char **phones;
	bool json;
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct univ_args *a)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		if (argc < 2)
			return cli_usage_error("universal", "missing the subcommand: unifw universal build ...");
		usage(stdout);
		return -1;
	}
	if (strcmp(argv[1], "build"))
		return cli_usage_error("universal", "unknown subcommand '%s' (the only one is build)", argv[1]);
	if (!(a->phones = calloc((size_t)argc, sizeof *a->phones)))
		return CLI_FAIL;
	struct cli_getopt g;
	int c;
	cli_getopt_init(&g, "universal build", argc - 1, argv + 1, "ho:", longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR)
			return CLI_USAGE;
		if (c == OPT_BASE)
			a->o.base = g.arg;
		else if (c == OPT_PHONE)
			a->phones[a->o.phone_count++] = g.arg;
		else if (c == 'o')
			a->o.out_dir = g.arg;
		else if (c == OPT_JSON)
			a->json = true;
		else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("universal", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	/* --phone A B C: the arguments after the options are phones too */
	for (int i = g.optind + 1; i < argc; i++) {
		if (!a->o.phone_count)
			return cli_usage_error("universal", "unexpected argument '%s' (phones follow --phone)", argv[i]);
		a->phones[a->o.phone_count++] = argv[i];
	}
	if (!a->o.base)
		return cli_usage_error("universal", "missing --base PACKAGE (the package whose kernel and Android all run)");
	if (!a->o.phone_count)
		return cli_usage_error("universal", "missing --phone (a phone's backup folder or stock package; repeat it)");
	if (!a->o.out_dir)
		return cli_usage_error("universal", "missing -o OUT (the folder to create)");
	a->o.phones = a->phones;
	return 0;
}

/* ------------------------------------------------------------------ text */

static void print_keys(const struct unifw_probe_table *t, unsigned v, enum unifw_probe_component c)
{
	bool any = false;
	for (size_t i = 0; i < t->match_count; i++)
		if (t->match[i].variant == v && t->match[i].component == c) {
			printf("%s%s", any ? "," : "", t->match[i].key);
			any = true;
		}
	if (!any)
		printf("-");
}

static void print_text(const struct univ_args *a, const struct unifw_univ_result *r)
{
	printf("unifw universal build: base %s, %zu phone%s -> %s\n", a->o.base, a->o.phone_count,
	       a->o.phone_count == 1 ? "" : "s", a->o.out_dir);
	if (r->refusal_count) {
		printf("refused (nothing written to %s):\n", a->o.out_dir);
		for (size_t i = 0; i < r->refusal_count; i++)
			printf("  %s\n", r->refusal[i]);
		return;
	}
	printf("variants:\n");
	for (size_t i = 0; i < r->variant_count; i++) {
		const struct unifw_univ_variant_report *v = &r->variant[i];
		printf("  %s (%s)\n", v->name, v->source);
		for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
			printf("    %-6s key ", unifw_probe_component_name((enum unifw_probe_component)c));
			print_keys(&r->table, (unsigned)i, (enum unifw_probe_component)c);
			printf("  files %zu  props %zu\n", v->files[c], v->props[c]);
		}
	}
	printf("system image: %llu bytes (fits the smallest ANDROID, %llu bytes); %zu overlay files bound by the probe, "
	       "%zu empty placeholders\n",
	       (unsigned long long)r->system_size, (unsigned long long)r->min_android, r->table.bind_count,
	       r->placeholder_count);
	printf("boot image: %llu bytes (the smallest BOOTIMG is %llu); the base's kernel, the probe in its ramdisk\n",
	       (unsigned long long)r->boot_size, (unsigned long long)r->min_boot);
	printf("downloaded:");
	for (size_t i = 0; i < r->downloaded_count; i++)
		printf(" %s", r->downloaded[i]);
	printf("\nnever downloaded (not in OUT: each phone keeps its own):");
	for (size_t i = 0; i < r->never_count; i++)
		printf(" %s", r->never[i]);
	printf("\nscatter: %s\n", r->scatter);
	for (size_t i = 0; i < r->note_count; i++)
		printf("note: %s\n", r->note[i]);
	printf("next: unifw flash %s --port PORT   (on each phone: its own partitions, by name)\n", a->o.out_dir);
}

int cmd_universal(int argc, char **argv)
{
	struct univ_args a = {0};
	int prc = parse(argc, argv, &a);
	if (prc) {
		free(a.phones);
		return prc < 0 ? CLI_OK : prc;
	}
	cli_set_json(a.json);
	struct cli_progress prog;
	cli_progress_init(&prog, false); /* --json prints one document: progress stays on stderr */
	a.o.progress = cli_progress_cb(&prog);
	struct unifw_error err;
	unifw_error_clear(&err);
	struct unifw_univ_result *r = calloc(1, sizeof *r);
	if (!r) {
		free(a.phones);
		return CLI_FAIL;
	}
	int rc = unifw_univ_build(&a.o, r, &err);
	int status;
	if (rc) {
		status = cli_error(&err);
	} else {
		if (a.json) {
			struct unifw_jv *doc = unifw_univ_result_to_json(r, &a.o);
			cli_print_json(doc);
			unifw_jv_free(doc);
		} else {
			print_text(&a, r);
		}
		status = r->refusal_count ? EXIT_REFUSED : CLI_OK;
	}
	unifw_univ_result_free(r);
	free(r);
	free(a.phones);
	return status;
}
