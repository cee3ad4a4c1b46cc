/* unifw sparse to-raw|to-sparse: Android sparse images <-> raw images (what simg2img/img2simg do),
 * streamed: the raw side keeps file holes, nothing is held in memory. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/sparse.h"

static void sparse_usage(FILE *out)
{
	fprintf(out, "usage: unifw sparse to-raw SPARSE.img -o RAW.img [--max-size SIZE] [--json]\n"
		     "       unifw sparse to-sparse RAW.img -o SPARSE.img [--block-size SIZE] [--json]\n\n"
		     "to-raw     expands an Android sparse image (system.img, userdata.img of a firmware\n"
		     "           package); zero and DONT_CARE blocks become holes, CRC32 chunks and a nonzero\n"
		     "           header checksum are verified. Refused before anything is written when the size\n"
		     "           the header declares is more than --max-size (default 64G) or than the free\n"
		     "           space of the output's file system.\n"
		     "to-sparse  writes a sparse image: runs of equal 32-bit words become FILL chunks, file\n"
		     "           holes DONT_CARE, the rest RAW (block size default 4096).\n"
		     "--json     prints the sparse image (the input of to-raw, the output of to-sparse) as\n"
		     "           'unifw info --json' describes it. Sizes take K, M, G suffixes (unifw(1) SIZES).\n"
		     "Output files are written atomically (a temporary file next to the output, removed on\n"
		     "error, Ctrl-C or SIGTERM).\n");
}

/* The temporary output, removed by the signal handler: a killed expansion leaves nothing behind. */
static char temp_path[PATH_MAX];

static void remove_temp_and_die(int sig)
{
	if (temp_path[0])
		unlink(temp_path); /* async-signal-safe */
	raise(sig);             /* SA_RESETHAND: the default action now, exit status says which signal */
}

static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
static struct sigaction saved_actions[sizeof cleanup_signals / sizeof *cleanup_signals];

/* Install the handler, except for signals the caller ignores (nohup: SIGHUP must stay ignored). */
static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = remove_temp_and_die;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof cleanup_signals / sizeof *cleanup_signals; i++) {
		sigaction(cleanup_signals[i], NULL, &saved_actions[i]);
		if (saved_actions[i].sa_handler != SIG_IGN)
			sigaction(cleanup_signals[i], &sa, NULL);
	}
}

static void restore_signals(void)
{
	for (size_t i = 0; i < sizeof cleanup_signals / sizeof *cleanup_signals; i++)
		sigaction(cleanup_signals[i], &saved_actions[i], NULL);
}

/* Expand into a temporary file next to out, then rename it over out (fsync'd); removed on any failure. */
static int expand_atomic(struct unifw_stream *s, const char *out, uint64_t max, struct unifw_error *err)
{
	if (snprintf(temp_path, sizeof temp_path, "%s.tmp.XXXXXX", out) >= (int)sizeof temp_path)
		return unifw_error_set(err, UNIFW_E_INVALID, out, UNIFW_NO_OFFSET, "output path too long");
	/* handlers first: a signal between mkstemp and them would leave the file */
	catch_signals();
	int fd = mkstemp(temp_path);
	if (fd < 0) {
		temp_path[0] = 0;
		restore_signals();
		return unifw_error_sys(err, out, "create a temporary file next to it");
	}
	int rc = unifw_sparse_expand_fd_max(s, fd, max, NULL, err);
	if (!rc && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = unifw_error_sys(err, temp_path, "fsync");
	if (close(fd) < 0 && !rc)
		rc = unifw_error_sys(err, temp_path, "close");
	if (!rc && rename(temp_path, out) < 0)
		rc = unifw_error_sys(err, out, "rename %s", temp_path);
	if (rc)
		unlink(temp_path);
	restore_signals();
	temp_path[0] = 0;
	return rc;
}

static int to_raw(const char *in, const char *out, uint64_t max, bool json)
{
	struct unifw_stream s;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_stream_open_file(&s, in, &err))
		return cli_error(&err);
	int rc = expand_atomic(&s, out, max, &err);
	unifw_stream_close(&s);
	if (rc) {
		cli_error(&err);
		if (rc == UNIFW_E_TOO_BIG && strstr(err.msg, "limit"))
			fprintf(stderr, "unifw: --max-size BYTES raises the limit\n");
		return CLI_FAIL;
	}
	if (json) /* the sparse image, as 'unifw info --json' describes it */
		return cli_print_description(in, unifw_sparse_describe);
	printf("%s: expanded to %s\n", in, out);
	return CLI_OK;
}

static int to_sparse(const char *in, const char *out, uint32_t block, bool json)
{
	struct unifw_error err;
	struct unifw_sparse_stats st;
	struct unifw_sparse_write_opts o = {.block_size = block};
	unifw_error_clear(&err);
	memset(&st, 0, sizeof st);
	if (unifw_sparse_write_file(in, out, &o, &st, &err))
		return cli_error(&err);
	if (json)
		return cli_print_description(out, unifw_sparse_describe);
	printf("%s: sparse image %s written\n", in, out);
	return CLI_OK;
}

enum { OPT_BLOCK_SIZE = 0x200, OPT_MAX_SIZE, OPT_JSON };

static const struct option longopts[] = {
	{"output", required_argument, NULL, 'o'}, {"block-size", required_argument, NULL, OPT_BLOCK_SIZE},
	{"max-size", required_argument, NULL, OPT_MAX_SIZE}, {"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'}, {0},
};

struct sparse_args {
	const char *in, *out;
	uint64_t block, max;
	bool json;
};

/* argv[0] is the subcommand. 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct sparse_args *a)
{
	struct cli_getopt g;
	char cmd[32];
	int c;
	snprintf(cmd, sizeof cmd, "sparse %.16s", argv[0]);
	cli_getopt_init(&g, cmd, argc, argv, "ho:", longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		switch (c) {
		case CLI_OPT_ERROR: return CLI_USAGE;
		case 'h': sparse_usage(stdout); return -1;
		case 'o': a->out = g.arg; break;
		case OPT_JSON: a->json = true; break;
		case OPT_BLOCK_SIZE:
			if (!cli_parse_size(g.arg, 1u << 24, &a->block) || a->block < 1024 || a->block % 4)
				return cli_usage_error(cmd, "--block-size: expected a multiple of 4 from 1024 to 16M, found '%s'",
						       g.arg);
			break;
		case OPT_MAX_SIZE:
			if (!cli_parse_size(g.arg, UNIFW_SPARSE_MAX_EXPANDED, &a->max) || !a->max)
				return cli_usage_error(cmd, "--max-size: expected a size up to 16T (e.g. 8G), found '%s'", g.arg);
			break;
		default: return cli_usage_error(cmd, "unknown option '%s'", cli_getopt_name(&g, c));
		}
	}
	if (g.optind < argc)
		a->in = argv[g.optind];
	if (argc - g.optind > 1)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[g.optind + 1]);
	return 0;
}

int cmd_sparse(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct sparse_args a = {0};
	if (!sub || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		sparse_usage(sub ? stdout : stderr);
		return sub ? CLI_OK : CLI_USAGE;
	}
	bool raw = !strcmp(sub, "to-raw");
	if (!raw && strcmp(sub, "to-sparse"))
		return cli_usage_error("sparse", "unknown subcommand '%s' (to-raw, to-sparse)", sub);
	int rc = parse(argc - 1, argv + 1, &a);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	if (!a.in || !a.out)
		return cli_usage_error(raw ? "sparse to-raw" : "sparse to-sparse", "needs an input file and -o OUTPUT");
	if (raw && a.block)
		return cli_usage_error("sparse to-raw", "--block-size applies to to-sparse");
	if (!raw && a.max)
		return cli_usage_error("sparse to-sparse", "--max-size applies to to-raw");
	rc = raw ? to_raw(a.in, a.out, a.max, a.json) : to_sparse(a.in, a.out, (uint32_t)a.block, a.json);
	return rc;
}
