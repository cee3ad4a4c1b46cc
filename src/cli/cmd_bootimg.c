/* unifw bootimg unpack|repack|info: Android boot/recovery images of MT6572 phones
 * (kernel and ramdisk behind MediaTek 512-byte headers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/bootimg.h"
#include "unifw/io.h"
#include "unifw/json.h"

static void bootimg_usage(FILE *out)
{
	fprintf(out,
		"usage: unifw bootimg unpack IMAGE -o DIR [--json] [--extract-ramdisk]\n"
		"       unifw bootimg repack DIR -o IMAGE [--kernel FILE] [--ramdisk FILE] [--json]\n"
		"       unifw bootimg info IMAGE [--json]\n\n"
		"unpack  writes DIR/%s (every header field), DIR/kernel (the zImage) and\n"
		"        DIR/kernel.mtkhdr (its 512-byte MediaTek header), DIR/ramdisk (gzip cpio) and\n"
		"        DIR/ramdisk.mtkhdr, DIR/second, and pad_*.bin / tail.bin when those bytes are\n"
		"        not zero. --extract-ramdisk also unpacks the ramdisk tree into DIR/ramdisk.d.\n"
		"repack  rebuilds IMAGE from DIR. Unchanged parts come back byte for byte; a changed\n"
		"        or replaced kernel/ramdisk gets a new MTK header, new sizes and a new SHA-1 id.\n"
		"        An edited DIR/ramdisk.d is packed into the ramdisk (owners, setuid bits and\n"
		"        device nodes from DIR/ramdisk; a symlink out of the folder is refused).\n"
		"        --kernel FILE   a zImage, with or without MTK header (e.g. kernel_<project>.bin)\n"
		"        --ramdisk FILE  a gzip'd newc cpio, with or without ROOTFS/RECOVERY header\n"
		"info    describes IMAGE: header, kernel version and drivers, ramdisk contents, findings.\n"
		"--json  prints the description of the input (unpack, info) or the output (repack).\n",
		UNIFW_BOOTIMG_HEADER_FILE);
}

struct bootimg_args {
	const char *input, *output, *kernel, *ramdisk;
	bool json, extract;
};

enum { OPT_KERNEL = 0x200, OPT_RAMDISK, OPT_JSON, OPT_EXTRACT };

static const struct option unpack_opts[] = {
	{"output", required_argument, NULL, 'o'}, {"json", no_argument, NULL, OPT_JSON},
	{"extract-ramdisk", no_argument, NULL, OPT_EXTRACT}, {"help", no_argument, NULL, 'h'}, {0},
};
static const struct option repack_opts[] = {
	{"output", required_argument, NULL, 'o'}, {"kernel", required_argument, NULL, OPT_KERNEL},
	{"ramdisk", required_argument, NULL, OPT_RAMDISK}, {"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'}, {0},
};
static const struct option info_opts[] = {
	{"json", no_argument, NULL, OPT_JSON}, {"help", no_argument, NULL, 'h'}, {0},
};

/* argv[0] is the subcommand. CLI_OK parsed, -1 --help printed, else the exit status of a usage error. */
static int parse_args(int argc, char **argv, const char *sub, struct bootimg_args *a)
{
	char cmd[32];
	bool repack = !strcmp(sub, "repack"), info = !strcmp(sub, "info");
	struct cli_getopt g;
	int c;
	snprintf(cmd, sizeof cmd, "bootimg %s", sub);
	memset(a, 0, sizeof *a);
	cli_getopt_init(&g, cmd, argc, argv, info ? "h" : "ho:", repack ? repack_opts : info ? info_opts : unpack_opts);
	while ((c = cli_getopt_next(&g)) != -1) {
		switch (c) {
		case CLI_OPT_ERROR: return CLI_USAGE;
		case 'h': bootimg_usage(stdout); return -1;
		case 'o': a->output = g.arg; break;
		case OPT_KERNEL: a->kernel = g.arg; break;
		case OPT_RAMDISK: a->ramdisk = g.arg; break;
		case OPT_JSON: a->json = true; break;
		case OPT_EXTRACT: a->extract = true; break;
		default: return cli_usage_error(cmd, "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		a->input = argv[g.optind];
	if (argc - g.optind > 1)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[g.optind + 1]);
	if (!a->input)
		return cli_usage_error(cmd, "missing %s", repack ? "DIR" : "IMAGE");
	if (!info && !a->output)
		return cli_usage_error(cmd, "missing -o %s", repack ? "IMAGE" : "DIR");
	return CLI_OK;
}

/* Describe an image file; print it as JSON or as the human report. */
static int print_description(const char *path, bool json)
{
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *o = unifw_jv_object();
	unifw_error_clear(&err);
	int rc = unifw_stream_open_file(&s, path, &err);
	if (rc == 0) {
		rc = unifw_bootimg_describe(&s, o, &err);
		unifw_stream_close(&s);
	}
	if (rc == 0) {
		if (json) {
			cli_print_json(o);
		} else {
			cli_render_human(stdout, o);
		}
	}
	unifw_jv_free(o);
	return rc ? cli_error(&err) : CLI_OK;
}

static int do_unpack(const struct bootimg_args *a)
{
	struct unifw_error err;
	struct unifw_bootimg_unpack_opts o = {.extract_ramdisk = a->extract};
	unifw_error_clear(&err);
	if (unifw_bootimg_unpack(a->input, a->output, &o, &err))
		return cli_error(&err);
	if (a->json)
		return print_description(a->input, true);
	printf("unpacked %s to %s (header fields in %s/%s)%s\n", a->input, a->output, a->output,
	       UNIFW_BOOTIMG_HEADER_FILE, a->extract ? "; ramdisk tree in ramdisk.d" : "");
	return CLI_OK;
}

static int do_repack(const struct bootimg_args *a)
{
	struct unifw_error err;
	struct unifw_bootimg_repack_opts o = {.kernel = a->kernel, .ramdisk = a->ramdisk};
	unifw_error_clear(&err);
	if (unifw_bootimg_repack(a->input, a->output, &o, &err))
		return cli_error(&err);
	if (a->json)
		return print_description(a->output, true);
	printf("wrote %s%s%s\n", a->output, a->kernel ? " with the new kernel" : "",
	       a->ramdisk ? (a->kernel ? " and ramdisk" : " with the new ramdisk") : "");
	return CLI_OK;
}

int cmd_bootimg(int argc, char **argv)
{
	struct bootimg_args a;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		bootimg_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "unpack") && strcmp(sub, "repack") && strcmp(sub, "info"))
		return cli_usage_error("bootimg", "unknown subcommand '%s' (expected unpack, repack or info)", sub);
	int rc = parse_args(argc - 1, argv + 1, sub, &a);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (!strcmp(sub, "unpack"))
		return do_unpack(&a);
	if (!strcmp(sub, "repack"))
		return do_repack(&a);
	return print_description(a.input, a.json);
}
