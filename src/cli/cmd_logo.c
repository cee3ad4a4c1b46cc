/* unifw logo unpack|repack: logo.bin frames <-> PNG files plus a manifest. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/io.h"
#include "unifw/logo.h"

static void logo_usage(FILE *out)
{
	fprintf(out,
		"usage: unifw logo unpack LOGO.BIN -o DIR [--size WxH] [--json]\n"
		"       unifw logo repack DIR -o LOGO.BIN [--pad-to SIZE] [--json]\n\n"
		"unpack  writes every frame as DIR/frame_NNN.png (RGB565 -> RGB888) and DIR/%s\n"
		"        (frame order and sizes). Frame sizes are inferred from each frame's byte\n"
		"        count; --size WxH sets the size of every frame of W*H*2 bytes.\n"
		"repack  rebuilds LOGO.BIN from the manifest and PNGs (zlib level 9, MTK \"LOGO\"\n"
		"        header). Unchanged PNGs give back the original bytes. --pad-to SIZE pads\n"
		"        the file (e.g. to the LOGO partition size: 3M, 3145728 or 0x300000).\n"
		"--json  prints the description of the input (unpack) or the output (repack), as\n"
		"        'unifw info --json' describes a logo image.\n",
		UNIFW_LOGO_MANIFEST);
}

static bool parse_size_arg(const char *s, uint32_t *w, uint32_t *h)
{
	char *end;
	errno = 0;
	unsigned long a = strtoul(s, &end, 10);
	if (errno || *end != 'x' || a == 0 || a > UNIFW_LOGO_MAX_DIM)
		return false;
	unsigned long b = strtoul(end + 1, &end, 10);
	if (errno || *end || b == 0 || b > UNIFW_LOGO_MAX_DIM)
		return false;
	*w = (uint32_t)a;
	*h = (uint32_t)b;
	return true;
}

struct logo_args {
	const char *input, *output;
	uint32_t w, h;
	uint64_t pad_to;
	bool json;
};

enum { OPT_SIZE = 0x200, OPT_PAD_TO, OPT_JSON };

static const struct option unpack_opts[] = {
	{"output", required_argument, NULL, 'o'}, {"size", required_argument, NULL, OPT_SIZE},
	{"json", no_argument, NULL, OPT_JSON}, {"help", no_argument, NULL, 'h'}, {0},
};
static const struct option repack_opts[] = {
	{"output", required_argument, NULL, 'o'}, {"pad-to", required_argument, NULL, OPT_PAD_TO},
	{"json", no_argument, NULL, OPT_JSON}, {"help", no_argument, NULL, 'h'}, {0},
};

/* argv[0] is the subcommand. CLI_OK parsed, -1 --help printed, else the exit status of a usage error. */
static int parse_args(int argc, char **argv, bool unpack, struct logo_args *a)
{
	const char *cmd = unpack ? "logo unpack" : "logo repack";
	struct cli_getopt g;
	int c;
	memset(a, 0, sizeof *a);
	cli_getopt_init(&g, cmd, argc, argv, "ho:", unpack ? unpack_opts : repack_opts);
	while ((c = cli_getopt_next(&g)) != -1) {
		switch (c) {
		case CLI_OPT_ERROR: return CLI_USAGE;
		case 'h': logo_usage(stdout); return -1;
		case 'o': a->output = g.arg; break;
		case OPT_JSON: a->json = true; break;
		case OPT_SIZE:
			if (!parse_size_arg(g.arg, &a->w, &a->h))
				return cli_usage_error(cmd, "--size: expected WxH such as 480x854, found '%s'", g.arg);
			break;
		case OPT_PAD_TO:
			if (!cli_parse_size(g.arg, UNIFW_LOGO_MAX_FILE, &a->pad_to) || !a->pad_to)
				return cli_usage_error(cmd, "--pad-to: expected a size such as 3M or 0x300000, found '%s'", g.arg);
			break;
		default: return cli_usage_error(cmd, "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		a->input = argv[g.optind];
	if (argc - g.optind > 1)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[g.optind + 1]);
	if (!a->input)
		return cli_usage_error(cmd, "missing %s", unpack ? "LOGO.BIN" : "DIR");
	if (!a->output)
		return cli_usage_error(cmd, "missing -o %s", unpack ? "DIR" : "LOGO.BIN");
	return CLI_OK;
}

static int do_unpack(const struct logo_args *a)
{
	struct unifw_error err;
	uint8_t *buf;
	size_t len;
	struct unifw_logo lg;
	unifw_error_clear(&err);
	if (unifw_file_read_all(a->input, UNIFW_LOGO_MAX_FILE, &buf, &len, &err))
		return cli_error(&err);
	if (unifw_logo_parse(buf, len, a->input, &lg, &err)) {
		free(buf);
		return cli_error(&err);
	}
	if (a->w && unifw_logo_force_size(&lg, a->w, a->h) == 0) {
		unifw_logo_free(&lg);
		free(buf);
		return cli_usage_error("logo unpack", "--size %ux%u: no frame has %llu bytes of pixels", a->w, a->h,
				       (unsigned long long)a->w * a->h * 2);
	}
	int rc = unifw_logo_unpack(&lg, a->output, &err);
	if (rc == 0 && a->json) {
		unifw_logo_free(&lg);
		free(buf);
		return cli_print_description(a->input, unifw_logo_describe);
	}
	if (rc == 0) {
		printf("unpacked %u frames", lg.count);
		if (lg.width)
			printf(" (panel %ux%u)", lg.width, lg.height);
		printf(" to %s; manifest %s/%s\n", a->output, a->output, UNIFW_LOGO_MANIFEST);
		if (lg.payload_padding)
			printf("note: the source has %llu bytes of padding after the payload (a partition dump); "
			       "repack with --pad-to %llu to keep its size\n",
			       (unsigned long long)lg.payload_padding, (unsigned long long)lg.file_size);
	}
	unifw_logo_free(&lg);
	free(buf);
	return rc ? cli_error(&err) : CLI_OK;
}

static int do_repack(const struct logo_args *a)
{
	struct unifw_error err;
	uint8_t *out;
	size_t len;
	unifw_error_clear(&err);
	if (unifw_logo_repack(a->input, a->pad_to, &out, &len, &err))
		return cli_error(&err);
	int rc = unifw_file_write_atomic(a->output, out, len, &err);
	free(out);
	if (rc)
		return cli_error(&err);
	if (a->json)
		return cli_print_description(a->output, unifw_logo_describe);
	printf("wrote %s (%zu bytes)\n", a->output, len);
	return CLI_OK;
}

int cmd_logo(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		logo_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	bool unpack = !strcmp(argv[1], "unpack");
	if (!unpack && strcmp(argv[1], "repack"))
		return cli_usage_error("logo", "unknown subcommand '%s' (expected unpack or repack)", argv[1]);
	struct logo_args a;
	int rc = parse_args(argc - 1, argv + 1, unpack, &a);
	if (rc != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	return unpack ? do_unpack(&a) : do_repack(&a);
}
