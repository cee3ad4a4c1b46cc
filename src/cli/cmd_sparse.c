/* unifw sparse to-raw|to-sparse: Android sparse images <-> raw images (what simg2img/img2simg do),
 * streamed: the raw side keeps file holes, nothing is held in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/sparse.h"

static void sparse_usage(FILE *out)
{
	fprintf(out, "usage: unifw sparse to-raw SPARSE.img -o RAW.img\n"
		     "       unifw sparse to-sparse RAW.img -o SPARSE.img [--block-size BYTES]\n\n"
		     "to-raw     expands an Android sparse image (system.img, userdata.img of a firmware\n"
		     "           package); zero and DONT_CARE blocks become holes, CRC32 chunks are verified.\n"
		     "to-sparse  writes a sparse image: runs of equal 32-bit words become FILL chunks, file\n"
		     "           holes DONT_CARE, the rest RAW (block size default 4096).\n"
		     "Output files are written atomically.\n");
}

static int to_raw(const char *in, const char *out)
{
	struct unifw_stream s;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_stream_open_file(&s, in, &err))
		return cli_error(&err);
	int rc = unifw_sparse_expand_file(&s, out, &err);
	unifw_stream_close(&s);
	if (rc)
		return cli_error(&err);
	printf("%s: expanded to %s\n", in, out);
	return CLI_OK;
}

static int to_sparse(const char *in, const char *out, uint32_t block)
{
	struct unifw_error err;
	struct unifw_sparse_stats st;
	struct unifw_sparse_write_opts o = {.block_size = block};
	unifw_error_clear(&err);
	memset(&st, 0, sizeof st);
	if (unifw_sparse_write_file(in, out, &o, &st, &err))
		return cli_error(&err);
	printf("%s: sparse image %s written\n", in, out);
	return CLI_OK;
}

int cmd_sparse(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL, *in = NULL, *out = NULL;
	unsigned long block = 0;
	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		sparse_usage(sub ? stdout : stderr);
		return sub ? CLI_OK : CLI_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			sparse_usage(stdout);
			return CLI_OK;
		} else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--block-size") && i + 1 < argc) {
			char *end;
			block = strtoul(argv[++i], &end, 0);
			if (*end || block < 1024 || block > (1u << 24) || block % 4)
				return cli_usage_error("sparse", "--block-size: expected a multiple of 4 from 1024 to 16 MiB, found '%s'",
						       argv[i]);
		} else if (argv[i][0] == '-') {
			return cli_usage_error("sparse", "unknown option '%s'", argv[i]);
		} else if (!in) {
			in = argv[i];
		} else {
			return cli_usage_error("sparse", "unexpected argument '%s'", argv[i]);
		}
	}
	if (!in || !out)
		return cli_usage_error("sparse", "%s needs an input file and -o OUTPUT", sub);
	if (!strcmp(sub, "to-raw"))
		return block ? cli_usage_error("sparse", "--block-size applies to to-sparse") : to_raw(in, out);
	if (!strcmp(sub, "to-sparse"))
		return to_sparse(in, out, (uint32_t)block);
	return cli_usage_error("sparse", "unknown subcommand '%s' (to-raw, to-sparse)", sub);
}
