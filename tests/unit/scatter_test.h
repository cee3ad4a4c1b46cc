/* Helpers shared by the scatter tests (test_scatter.c: corpus, describe, probe; test_scatter_write.c:
 * round trips; test_scatter_hostile.c: hostile input, images next to the file). */
#ifndef UNIFW_TEST_SCATTER_TEST_H
#define UNIFW_TEST_SCATTER_TEST_H

#include "testutil.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/scatter.h"

#define K(k) (1u << UNIFW_SCATTER_K_##k)

/* ---------------------------------------------------------------------------------------------- */
/* Helpers                                                                                         */
/* (each test file uses some of them: an unused one is not an error) */

static __attribute__((unused)) const char *base_name(const char *rel)
{
	const char *s = strrchr(rel, '/');
	return s ? s + 1 : rel;
}

static __attribute__((unused)) void load_rel(const char *rel, struct unifw_scatter *sc)
{
	struct unifw_error err = {0};
	char buf[1024];
	if (unifw_scatter_load(corpus_path(rel), sc, &err))
		fail_msg("%s: %s", rel, unifw_error_format(&err, buf, sizeof buf));
}

static __attribute__((unused)) void parse_text(const char *text, size_t len, struct unifw_scatter *sc)
{
	struct unifw_error err = {0};
	char buf[1024];
	if (unifw_scatter_parse(text, len, "fixture", sc, &err))
		fail_msg("fixture: %s", unifw_error_format(&err, buf, sizeof buf));
}

static __attribute__((unused)) int parse_err(const char *text, struct unifw_error *err)
{
	struct unifw_scatter sc;
	memset(err, 0, sizeof *err);
	int rc = unifw_scatter_parse(text, strlen(text), "bad.txt", &sc, err);
	if (rc == 0)
		unifw_scatter_free(&sc);
	return rc;
}

static __attribute__((unused)) char *write_text(const struct unifw_scatter *sc, enum unifw_scatter_dialect d, size_t *len)
{
	struct unifw_error err = {0};
	char buf[1024], *text;
	if (unifw_scatter_write(sc, d, &text, len, &err))
		fail_msg("write %s: %s", unifw_scatter_dialect_name(d), unifw_error_format(&err, buf, sizeof buf));
	return text;
}

static __attribute__((unused)) void validate(const struct unifw_scatter *sc, const struct unifw_scatter_check *chk, struct unifw_findings *f)
{
	struct unifw_error err = {0};
	memset(f, 0, sizeof *f);
	assert_int_equal(unifw_scatter_validate(sc, "t.txt", chk, f, &err), 0);
}

static __attribute__((unused)) const struct unifw_finding *find_code(const struct unifw_findings *f, const char *code,
					     enum unifw_severity sev)
{
	for (size_t i = 0; i < f->count; i++)
		if (!strcmp(f->items[i].code, code) && f->items[i].severity == sev)
			return &f->items[i];
	return NULL;
}

static __attribute__((unused)) void dump_findings(const char *name, const struct unifw_findings *f, enum unifw_severity min)
{
	for (size_t i = 0; i < f->count; i++)
		if (f->items[i].severity >= min)
			print_message("%s:%u: %s %s: %s\n", name, f->items[i].line, unifw_severity_name(f->items[i].severity),
				      f->items[i].code, f->items[i].msg);
}

static __attribute__((unused)) struct unifw_scatter_part *part(struct unifw_scatter *sc, const char *name)
{
	const struct unifw_scatter_part *p = unifw_scatter_find(sc, name);
	if (!p)
		fail_msg("no partition %s", name);
	return (struct unifw_scatter_part *)p;
}

/* Line (1-based) of the first occurrence of `needle` in text. */
static __attribute__((unused)) unsigned line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	unsigned n = 1;
	assert_non_null(p);
	for (const char *c = text; c < p; c++)
		n += *c == '\n';
	return n;
}

#endif
