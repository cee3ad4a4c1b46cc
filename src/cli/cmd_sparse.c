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
	fprintf(out, "usage: unifw sparse to-raw SPARSE.img -o RAW.img [--max-size BYTES]\n"
		     "       unifw sparse to-sparse RAW.img -o SPARSE.img [--block-size BYTES]\n\n"
		     "to-raw     expands an Android sparse image (system.img, userdata.img of a firmware\n"
		     "           package); zero and DONT_CARE blocks become holes, CRC32 chunks and a nonzero\n"
		     "           header checksum are verified. Refused before anything is written when the size\n"
		     "           the header declares is more than --max-size (default 64G) or than the free\n"
		     "           space of the output's file system.\n"
		     "to-sparse  writes a sparse image: runs of equal 32-bit words become FILL chunks, file\n"
		     "           holes DONT_CARE, the rest RAW (block size default 4096).\n"
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

static int to_raw(const char *in, const char *out, uint64_t max)
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
	uint64_t max = 0;
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
		} else if (!strcmp(argv[i], "--max-size") && i + 1 < argc) {
			if (!cli_parse_bytes(argv[++i], true, UNIFW_SPARSE_MAX_EXPANDED, &max) || !max)
				return cli_usage_error("sparse", "--max-size: expected a size up to 16T (e.g. 8G), found '%s'",
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
		return block ? cli_usage_error("sparse", "--block-size applies to to-sparse") : to_raw(in, out, max);
	if (!strcmp(sub, "to-sparse"))
		return max ? cli_usage_error("sparse", "--max-size applies to to-raw") : to_sparse(in, out, (uint32_t)block);
	return cli_usage_error("sparse", "unknown subcommand '%s' (to-raw, to-sparse)", sub);
}
