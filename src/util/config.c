/* The user's configuration file (unifw/config.h). One scanner reads it for both the check and the
 * lookups, so that what unifw_config_check accepts is exactly what unifw_config_get reads. */
#include "unifw/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_keys[] = {"da", "port"};

const char *unifw_config_path(char *out, size_t cap)
{
	const char *env = getenv("UNIFW_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (env && *env)
		snprintf(out, cap, "%s", env);
	else if (xdg && *xdg)
		snprintf(out, cap, "%s/unifw/config", xdg);
	else if (home && *home)
		snprintf(out, cap, "%s/.config/unifw/config", home);
	else
		return NULL;
	return out;
}

static bool known_key(const char *k)
{
	for (size_t i = 0; i < sizeof known_keys / sizeof *known_keys; i++)
		if (!strcmp(k, known_keys[i]))
			return true;
	return false;
}

/* After a value: nothing, or blanks and then nothing or a comment. */
static bool only_comment_left(const char *p)
{
	if (*p && !isspace((unsigned char)*p) && *p != '\n')
		return false;
	while (isspace((unsigned char)*p))
		p++;
	return !*p || *p == '#';
}

/* A quoted value: "..." (with \" and \\) or '...' (taken as is). p is at the opening quote. */
static int quoted_value(const char *p, char *val, size_t cap, const char **end)
{
	char q = *p++;
	size_t n = 0;
	for (; *p && *p != q && *p != '\n'; p++) {
		if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		if (n + 1 < cap)
			val[n++] = *p;
	}
	val[n] = 0;
	if (*p != q)
		return -1;
	*end = p + 1;
	return 0;
}

/* An unquoted value: up to the end of the line or a '#' after a blank (so "tcp:host#1" keeps its '#'),
 * trailing blanks dropped. */
static void plain_value(const char *p, char *val, size_t cap)
{
	size_t n = 0;
	for (; *p && *p != '\n'; p++) {
		if (*p == '#' && n && isspace((unsigned char)val[n - 1]))
			break;
		if (n + 1 < cap)
			val[n++] = *p;
	}
	while (n && isspace((unsigned char)val[n - 1]))
		n--;
	val[n] = 0;
}

/* One line: 1 with key/value filled, 0 for a blank or comment line, a negative status with err set. */
static int parse_line(char *line, const char *path, unsigned no, char *key, size_t kcap, char *val, size_t vcap,
		      bool *quoted, struct unifw_error *err)
{
	char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	char *eq = strchr(p, '=');
	if (!eq)
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "line %u: expected 'key = value' (keys: da, port), found '%.60s'", no, p);
	size_t klen = (size_t)(eq - p);
	while (klen && isspace((unsigned char)p[klen - 1]))
		klen--;
	snprintf(key, kcap, "%.*s", (int)klen, p);
	if (!known_key(key))
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "line %u: unknown key '%.60s' (keys: da, port)", no, key);
	p = eq + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	*quoted = *p == '"' || *p == '\'';
	if (!*quoted) {
		plain_value(p, val, vcap);
		return 1;
	}
	const char *end;
	if (quoted_value(p, val, vcap, &end) < 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "line %u: the value's closing %c is missing", no, *p);
	if (!only_comment_left(end))
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "line %u: text after the quoted value: '%.40s'", no, end);
	return 1;
}

/* Read the file: with key, copy its last value into out and set *found. 0, or a negative status with err set. A file
 * that is not there is fine at the default place, an error when $UNIFW_CONFIG names it. */
static int scan(const char *key, char *out, size_t cap, const char **found, struct unifw_error *err)
{
	char path[4096], line[4096], k[64], v[4096];
	if (!unifw_config_path(path, sizeof path))
		return 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		const char *env = getenv("UNIFW_CONFIG");
		if (errno == ENOENT && !(env && *env))
			return 0;
		return unifw_error_sys(err, path, "cannot open the configuration file%s",
				       env && *env ? " named by $UNIFW_CONFIG" : "");
	}
	int rc = 0;
	for (unsigned no = 1; rc == 0 && fgets(line, sizeof line, f); no++) {
		bool quoted;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET, "line %u: longer than %zu bytes", no,
					     sizeof line - 2);
			break;
		}
		int r = parse_line(line, path, no, k, sizeof k, v, sizeof v, &quoted, err);
		if (r < 0)
			rc = r;
		if (r <= 0 || !key || strcmp(k, key) || !cap)
			continue;
		/* The last assignment wins, as in shell-style files; "~/" expands in unquoted values only. */
		const char *home = getenv("HOME");
		if (!quoted && !strncmp(v, "~/", 2) && home)
			snprintf(out, cap, "%s/%s", home, v + 2);
		else
			snprintf(out, cap, "%s", v);
		*found = out;
	}
	fclose(f);
	return rc;
}

int unifw_config_check(struct unifw_error *err)
{
	const char *found = NULL;
	return scan(NULL, NULL, 0, &found, err);
}

const char *unifw_config_get(const char *key, char *out, size_t cap)
{
	const char *found = NULL;
	struct unifw_error ignore;
	if (!cap || scan(key, out, cap, &found, &ignore) < 0)
		return NULL;
	return found;
}
