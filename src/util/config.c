#include "unifw/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

const char *unifw_config_get(const char *key, char *out, size_t cap)
{
	char path[4096], line[4096];
	const char *found = NULL;
	if (!cap || !unifw_config_path(path, sizeof path))
		return NULL;
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#'), *eq = strchr(line, '=');
		if (hash)
			*hash = 0;
		if (!eq || (hash && hash < eq))
			continue;
		*eq = 0;
		if (strcmp(trim(line), key))
			continue;
		const char *v = trim(eq + 1), *home = getenv("HOME");
		/* The last assignment wins, as in shell-style files. */
		if (!strncmp(v, "~/", 2) && home)
			snprintf(out, cap, "%s/%s", home, v + 2);
		else
			snprintf(out, cap, "%s", v);
		found = out;
	}
	fclose(f);
	return found;
}
