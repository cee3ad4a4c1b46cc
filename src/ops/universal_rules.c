/* unifw universal: the engine's rules file, data/universal.rules (unifw/universal.h, docs/universal.md "Rules").
 *
 * The section/key text is read by rules_text.c (shared with data/port.rules: bounded lines, required bounded
 * keys, unique ids, errors naming the file and the line). Here: what a header's words mean, the patterns
 * checked (relative to /system, no "..", only {touch} and {lcm} as placeholders), one signal and one
 * fallback rule per component, and the pattern matcher the build uses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_text.h"
#include "unifw/universal.h"

extern const char unifw_universal_rules_text[];
extern const size_t unifw_universal_rules_text_len;

#define UNIV_MAX_RULES 256u

struct univ_parser {
	struct unifw_univ_rules *out;
	unsigned signal_line[UNIFW_PROBE_COMPONENTS], fallback_line[UNIFW_PROBE_COMPONENTS];
};

static const struct {
	const char *word;
	enum unifw_univ_rule_kind kind;
	unsigned words;                  /* header words including the kind */
	const char *form;
} kinds[] = {
	{ "signal", UNIFW_UNIV_SIGNAL, 2, "[signal COMPONENT]" },
	{ "fallback", UNIFW_UNIV_FALLBACK, 2, "[fallback COMPONENT]" },
	{ "file", UNIFW_UNIV_FILE, 3, "[file COMPONENT PATTERN]" },
	{ "prop", UNIFW_UNIV_PROP, 3, "[prop COMPONENT KEY]" },
	{ "never", UNIFW_UNIV_NEVER, 2, "[never PATTERN]" },
};

static bool pattern_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._/+*-", c);
}

/* A /system-relative path pattern: safe characters, '*', and the two placeholders. */
static const char *pattern_problem(const char *p)
{
	if (!p[0] || p[0] == '/' || p[strlen(p) - 1] == '/')
		return "is empty or starts or ends with '/' (patterns are relative to /system)";
	if (strstr(p, "..") || strstr(p, "//"))
		return "holds \"..\" or \"//\"";
	for (const char *s = p; *s; s++) {
		if (*s == '{') {
			if (strncmp(s, "{touch}", 7) && strncmp(s, "{lcm}", 5))
				return "has a placeholder other than {touch} or {lcm}";
			s = strchr(s, '}');
			continue;
		}
		if (!pattern_char(*s))
			return "has a character outside [A-Za-z0-9._/+*-] and the placeholders";
	}
	return NULL;
}

static bool prop_key_ok(const char *k)
{
	if (!k[0])
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || strchr("._-", *k)))
			return false;
	return true;
}

/* Signal and fallback rules: one each per component. */
static int once_per_component(struct univ_parser *ps, struct rules_text *rt, enum unifw_univ_rule_kind kind,
			      enum unifw_probe_component c)
{
	unsigned *seen = kind == UNIFW_UNIV_SIGNAL ? ps->signal_line : kind == UNIFW_UNIV_FALLBACK ? ps->fallback_line
												  : NULL;
	if (!seen)
		return 0;
	if (seen[c])
		return rules_text_error(rt, "a second [%s %s] rule (the first at line %u)", kind == UNIFW_UNIV_SIGNAL ? "signal" : "fallback",
					unifw_probe_component_name(c), seen[c]);
	seen[c] = rules_text_line(rt);
	return 0;
}

/* The pattern (or key) word of a rule, checked. */
static int take_pattern(struct rules_text *rt, struct unifw_univ_rule *r, const char *w)
{
	if (strlen(w) >= sizeof r->pattern)
		return rules_text_error(rt, "pattern of %zu bytes (at most %zu)", strlen(w), sizeof r->pattern - 1);
	if (r->kind == UNIFW_UNIV_PROP && !prop_key_ok(w))
		return rules_text_error(rt, "property key \"%.80s\": only letters, digits, '.', '_' and '-'", w);
	const char *why = r->kind == UNIFW_UNIV_PROP ? NULL : pattern_problem(w);
	if (why)
		return rules_text_error(rt, "pattern \"%.80s\" %s", w, why);
	memcpy(r->pattern, w, strlen(w) + 1);
	return 0;
}

static int univ_header(void *ctx, struct rules_text *rt, char **w, unsigned n, const char *line,
		       struct rules_text_keys *keys)
{
	struct univ_parser *ps = ctx;
	unsigned k = 0;
	while (n && k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].word, w[0]))
		k++;
	if (n == 0 || k == sizeof kinds / sizeof kinds[0])
		return rules_text_error(rt, "unknown rule [%.60s] (signal, fallback, file, prop or never)", line);
	if (n != kinds[k].words)
		return rules_text_error(rt, "a %s rule is %s, found \"[%.80s]\"", kinds[k].word, kinds[k].form, line);
	if (ps->out->count >= UNIV_MAX_RULES)
		return rules_text_error(rt, "more than %u rules", UNIV_MAX_RULES);
	struct unifw_univ_rule *r = &ps->out->rule[ps->out->count];
	memset(r, 0, sizeof *r);
	r->kind = kinds[k].kind;
	r->line = rules_text_line(rt);
	int rc = 0;
	if (r->kind != UNIFW_UNIV_NEVER && !unifw_probe_component_parse(w[1], &r->component))
		return rules_text_error(rt, "unknown component \"%.40s\" (panel, touch or board)", w[1]);
	if (r->kind == UNIFW_UNIV_NEVER)
		rc = take_pattern(rt, r, w[1]);
	else if (n == 3)
		rc = take_pattern(rt, r, w[2]);
	if (!rc)
		rc = once_per_component(ps, rt, r->kind, r->component);
	if (rc)
		return rc;
	ps->out->count++;
	*keys = (struct rules_text_keys){ .id = r->id, .id_cap = sizeof r->id, .reason = r->reason,
					  .reason_cap = sizeof r->reason, .source = r->source, .source_cap = sizeof r->source };
	return 0;
}

/* The probe table needs a signal and a fallback reason for every component. */
static int univ_complete(const struct univ_parser *ps, const char *name, struct unifw_error *err)
{
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const char *miss = !ps->signal_line[c] ? "signal" : !ps->fallback_line[c] ? "fallback" : NULL;
		if (miss)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, UNIFW_NO_OFFSET, "no [%s %s] rule (every component needs one)",
					       miss, unifw_probe_component_name((enum unifw_probe_component)c));
	}
	return 0;
}

int unifw_univ_rules_parse(const char *text, size_t len, const char *name, struct unifw_univ_rules *out,
			   struct unifw_error *err)
{
	static const struct rules_text_ops ops = { .header_form = "[KIND ...]", .header = univ_header };
	struct univ_parser ps = { .out = out };
	name = name ? name : "universal.rules";
	memset(out, 0, sizeof *out);
	out->rule = calloc(UNIV_MAX_RULES, sizeof *out->rule);
	if (!out->rule)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	int rc = rules_text_parse(text, len, name, &ops, &ps, err);
	if (!rc)
		rc = univ_complete(&ps, name, err);
	if (rc)
		unifw_univ_rules_free(out);
	return rc;
}

int unifw_univ_rules_builtin(struct unifw_univ_rules *out, struct unifw_error *err)
{
	return unifw_univ_rules_parse(unifw_universal_rules_text, unifw_universal_rules_text_len,
				      "data/universal.rules (built in)", out, err);
}

void unifw_univ_rules_free(struct unifw_univ_rules *r)
{
	free(r->rule);
	memset(r, 0, sizeof *r);
}

const struct unifw_univ_rule *unifw_univ_rules_find(const struct unifw_univ_rules *r, enum unifw_univ_rule_kind kind,
						     enum unifw_probe_component c)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->rule[i].kind == kind && (kind == UNIFW_UNIV_NEVER || r->rule[i].component == c))
			return &r->rule[i];
	return NULL;
}

/* The pattern with {touch} / {lcm} replaced; false when a name it needs is unknown, would act as a wildcard
 * or a separator, or the result does not fit. */
static bool expand(const char *p, const char *touch, const char *lcm, char *out, size_t cap)
{
	size_t at = 0;
	while (*p) {
		const char *value = NULL;
		size_t pl = !strncmp(p, "{touch}", 7) ? (value = touch, 7u) : !strncmp(p, "{lcm}", 5) ? (value = lcm, 5u) : 0u;
		const char *piece = pl ? value : p;
		size_t n = pl ? (value ? strlen(value) : 0) : 1;
		if (pl && (!n || strpbrk(value, "*/{}")))
			return false;
		if (at + n >= cap)
			return false;
		memcpy(out + at, piece, n);
		at += n;
		p += pl ? pl : 1;
	}
	out[at] = '\0';
	return true;
}

/* One path segment against one pattern segment ('*' = any run of characters): the linear wildcard walk that
 * backs up only to the last '*', enough when '*' is the only wildcard. */
static bool match_segment(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pn && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

bool unifw_univ_pattern_match(const char *pattern, const char *path, const char *touch, const char *lcm)
{
	char pat[512];
	if (!pattern || !path || !expand(pattern, touch, lcm, pat, sizeof pat))
		return false;
	while (*path == '/')
		path++;
	/* segment by segment: '*' never crosses a '/' */
	const char *p = pat, *s = path;
	for (;;) {
		size_t pn = strcspn(p, "/"), sn = strcspn(s, "/");
		if (!match_segment(p, pn, s, sn))
			return false;
		if (!p[pn] || !s[sn])
			return !p[pn] && !s[sn];
		p += pn + 1;
		s += sn + 1;
	}
}
