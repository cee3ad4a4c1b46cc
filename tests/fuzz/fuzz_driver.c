/* The shared fuzz driver loop (fuzz_driver.h): libFuzzer's entry points, or with FUZZ_STANDALONE a
 * main that replays files and directories without libFuzzer. */
#include "fuzz_driver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fuzz_%s: ", fuzz_target.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static size_t max_input(void)
{
	return fuzz_target.max_input ? fuzz_target.max_input : FUZZ_MAX_INPUT;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fuzz_target.init && fuzz_target.init() != 0)
		fuzz_fail("setup failed: the harness cannot run");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < fuzz_target.min_input)
		return 0;
	fuzz_target.run(data, size < max_input() ? size : max_input());
	return 0;
}

#ifdef FUZZ_STANDALONE
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

/* One file, at most max_input() bytes of it, in a buffer of exactly its size (so a read past the
 * input's end is one past a heap block: ASan sees it as it would under libFuzzer). */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fuzz_%s: %s: cannot open\n", fuzz_target.name, path);
		return -1;
	}
	size_t cap = max_input(), len = 0;
	uint8_t *buf = malloc(cap);
	if (!buf)
		fuzz_fail("out of memory for %zu bytes", cap);
	len = fread(buf, 1, cap, f);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		fprintf(stderr, "fuzz_%s: %s: read error\n", fuzz_target.name, path);
		return -1;
	}
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact)
		fuzz_fail("out of memory for %zu bytes", len);
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

/* A directory's regular files (not recursive, as libFuzzer reads a corpus directory). */
static int run_dir(const char *path, size_t *count)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char file[4096];
		struct stat st;
		if (snprintf(file, sizeof file, "%s/%s", path, e->d_name) >= (int)sizeof file)
			continue;
		if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(file) != 0)
			rc = -1;
		else
			(*count)++;
	}
	closedir(d);
	return rc;
}

/* fuzz_<name> [-libFuzzer-flag=value ...] FILE-OR-DIR...: each input runs once. libFuzzer's flags
 * are accepted and ignored, so tests/fuzz/smoke.sh drives either build the same way. */
int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	size_t count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				rc = -1;
		} else if (run_file(argv[i]) != 0) {
			rc = -1;
		} else {
			count++;
		}
	}
	/* the line smoke.sh quotes, in libFuzzer's words */
	fprintf(stderr, "fuzz_%s: Done %zu runs (standalone replay)\n", fuzz_target.name, count);
	return rc ? 1 : 0;
}
#endif
