/* Shared helpers for cmocka tests: corpus paths, file reading, temp dirs, running the CLI. */
#ifndef UNIFW_TESTUTIL_H
#define UNIFW_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* $UNIFW_CORPUS/rel (static buffer, valid until the next call). */
const char *corpus_path(const char *rel);
/* Read a corpus file (fails the test if it cannot). Caller frees. */
uint8_t *corpus_read(const char *rel, size_t *len);
/* Read any file; NULL if missing. Caller frees. */
uint8_t *test_read_file(const char *path, size_t *len);
void test_write_file(const char *path, const void *buf, size_t len);
/* A fresh temporary directory (removed by test_rmtree). Caller frees the string. */
char *test_mkdtemp(void);
void test_rmtree(const char *dir);
/* List corpus files under subdir (non-recursive, sorted, regular files only). Caller frees with test_free_list. */
char **corpus_list(const char *subdir, size_t *count);
void test_free_list(char **list, size_t count);
/* Run a shell command line, capture stdout (caller frees); returns exit status. */
int test_run(const char *cmdline, char **out);
/* Path of the built unifw binary ($UNIFW_BIN). */
const char *test_unifw_bin(void);

#endif
