#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *corpus_path(const char *rel)
{
	static char buf[4096];
	const char *root = getenv("UNIFW_CORPUS");
	snprintf(buf, sizeof buf, "%s/%s", root ? root : "../shared/corpus", rel);
	return buf;
}

uint8_t *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
	if (p && n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p)
		*len = (size_t)(n > 0 ? n : 0);
	return p;
}

uint8_t *corpus_read(const char *rel, size_t *len)
{
	uint8_t *p = test_read_file(corpus_path(rel), len);
	if (!p)
		fail_msg("cannot read corpus file %s", corpus_path(rel));
	return p;
}

void test_write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("cannot create %s", path);
	if (fwrite(buf, 1, len, f) != len)
		fail_msg("cannot write %s", path);
	fclose(f);
}

char *test_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;
	if (asprintf(&path, "%s/unifw-test-XXXXXX", tmp ? tmp : "/tmp") < 0 || !mkdtemp(path))
		fail_msg("mkdtemp failed");
	return path;
}

void test_rmtree(const char *dir)
{
	char *cmd;
	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "warning: could not remove %s\n", dir);
		free(cmd);
	}
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

char **corpus_list(const char *subdir, size_t *count)
{
	char dirpath[4096];
	snprintf(dirpath, sizeof dirpath, "%s", corpus_path(subdir));
	DIR *d = opendir(dirpath);
	if (!d)
		fail_msg("cannot open corpus directory %s", dirpath);
	char **list = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char full[8192];
		struct stat st;
		snprintf(full, sizeof full, "%s/%s", dirpath, e->d_name);
		if (e->d_name[0] == '.' || stat(full, &st) || !S_ISREG(st.st_mode))
			continue;
		list = realloc(list, (n + 1) * sizeof *list);
		asprintf(&list[n++], "%s/%s", subdir, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(list, n, sizeof *list, cmp_str);
	*count = n;
	return list;
}

void test_free_list(char **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

int test_run(const char *cmdline, char **out)
{
	FILE *p = popen(cmdline, "r");
	if (!p)
		fail_msg("popen failed: %s", cmdline);
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while ((r = fread(buf + n, 1, cap - n - 1, p)) > 0) {
		n += r;
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[n] = 0;
	int st = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *test_unifw_bin(void)
{
	const char *b = getenv("UNIFW_BIN");
	return b ? b : "unifw";
}
