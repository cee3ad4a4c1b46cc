/* unifw port: the rule table (include/unifw/port.h, data/port.rules, docs/port.md "Rules").
 *
 * The rules file is data the user may replace, so it is parsed as hostile input: the section/key text is
 * read by rules_text.c (shared with data/universal.rules: bounded lines, required bounded keys, unique ids,
 * errors naming the file and the line); this file says what a header's words mean and refuses unknown
 * scopes and takes. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_text.h"
#include "unifw/port.h"

extern const char unifw_port_rules_text[];
extern const size_t unifw_port_rules_text_len;

static const char *const scope_names[] = {"ramdisk", "system", "prop"};
static const char *const take_names[] = {"phone", "base", "phone-if-modem-rejected"};

static int lookup(const char *const *names, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], word))
			return i;
	return -1;
}

/* "[SCOPE TAKE PATTERN]" opens a rule; its id/reason/source lines go into it (rules_text.c reads them). */
static int port_header(void *ctx, struct rules_text *rt, char **w, unsigned n, const char *line,
		       struct rules_text_keys *keys)
{
	struct unifw_port_rules *out = ctx;
	if (n != 3)
		return rules_text_error(rt, "a rule header is [SCOPE TAKE PATTERN] (three words), found \"[%.80s]\"", line);
	int scope = lookup(scope_names, 3, w[0]);
	int take = lookup(take_names, 3, w[1]);
	size_t pl = strlen(w[2]);
	if (scope < 0)
		return rules_text_error(rt, "unknown scope \"%.40s\" (ramdisk, system or prop)", w[0]);
	if (take < 0)
		return rules_text_error(rt, "unknown take \"%.40s\" (phone, base or phone-if-modem-rejected)", w[1]);
	if (pl >= sizeof out->rule[0].pattern)
		return rules_text_error(rt, "pattern of %zu bytes (at most %zu)", pl, sizeof out->rule[0].pattern - 1);
	if (w[2][0] == '/')
		return rules_text_error(rt, "pattern \"%s\" starts with '/' (patterns are relative to the image root)", w[2]);
	if (out->count >= UNIFW_PORT_MAX_RULES)
		return rules_text_error(rt, "more than %u rules", UNIFW_PORT_MAX_RULES);
	struct unifw_port_rule *r = &out->rule[out->count++];
	memset(r, 0, sizeof *r);
	r->scope = (enum unifw_port_scope)scope;
	r->take = (enum unifw_port_take)take;
	memcpy(r->pattern, w[2], pl + 1);
	r->line = rules_text_line(rt);
	*keys = (struct rules_text_keys){ .id = r->id, .id_cap = sizeof r->id, .reason = r->reason,
					  .reason_cap = sizeof r->reason, .source = r->source, .source_cap = sizeof r->source };
	return 0;
}

int unifw_port_rules_parse(const char *text, size_t len, const char *name, struct unifw_port_rules *out,
			   struct unifw_error *err)
{
	static const struct rules_text_ops ops = { .header_form = "[SCOPE TAKE PATTERN]", .header = port_header };
	memset(out, 0, sizeof *out);
	out->rule = calloc(UNIFW_PORT_MAX_RULES, sizeof *out->rule);
	if (!out->rule)
		return unifw_error_set(err, UNIFW_E_NOMEM, name ? name : "rules", UNIFW_NO_OFFSET, "out of memory");
	int rc = rules_text_parse(text, len, name, &ops, out, err);
	if (rc)
		unifw_port_rules_free(out);
	return rc;
}

int unifw_port_rules_builtin(struct unifw_port_rules *out, struct unifw_error *err)
{
	return unifw_port_rules_parse(unifw_port_rules_text, unifw_port_rules_text_len, "data/port.rules (built in)",
				      out, err);
}

void unifw_port_rules_free(struct unifw_port_rules *r)
{
	free(r->rule);
	memset(r, 0, sizeof *r);
}

const struct unifw_port_rule *unifw_port_rules_match(const struct unifw_port_rules *r, enum unifw_port_scope scope,
						     const char *path)
{
	/* ramdisk archives store "./init.rc" or "init.rc", file systems "/system/..." relative to their root */
	for (;;) {
		if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '/')
			path += 2;
		else
			break;
	}
	for (size_t i = 0; i < r->count; i++)
		if (r->rule[i].scope == scope && fnmatch(r->rule[i].pattern, path, FNM_PATHNAME) == 0)
			return &r->rule[i];
	return NULL;
}
