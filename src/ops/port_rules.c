/* unifw port: the rule table (include/unifw/port.h, data/port.rules, docs/port.md "Rules").
 *
 * The rules file is data the user may replace, so it is parsed as hostile input: lines are bounded, every
 * field is required and bounded by its struct field (never silently truncated), unknown scopes, takes and
 * keys are refused, and ids are unique. Every error names the file and the line. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/port.h"

extern const char unifw_port_rules_text[];
extern const size_t unifw_port_rules_text_len;

#define RULES_MAX_LINE 1024u     /* longer than any field allows, short enough to print */
#define RULES_MAX_TEXT (1u << 20) /* 256 rules of ~1.2 KiB each fit many times over */

enum { F_ID = 1u, F_REASON = 2u, F_SOURCE = 4u, F_ALL = 7u };

struct rules_parser {
	const char *name;
	struct unifw_port_rules *out;
	struct unifw_port_rule *cur; /* the rule whose key lines are being read, NULL before the first header */
	unsigned seen;               /* F_* of cur */
	struct unifw_error *err;
};

__attribute__((format(printf, 4, 5))) static int perr(struct rules_parser *ps, unsigned line, uint64_t off,
						      const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return unifw_error_set(ps->err, UNIFW_E_FORMAT, ps->name, off, "line %u: %s", line, msg);
}

static const char *const scope_names[] = {"ramdisk", "system", "prop"};
static const char *const take_names[] = {"phone", "base", "phone-if-modem-rejected"};

static int lookup(const char *const *names, int n, const char *word, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && !strncmp(names[i], word, len))
			return i;
	return -1;
}

static bool id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.';
}

/* Printable text only: a rule's strings reach terminals, JSON and HTML reports. */
static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A rule is complete when its three keys were given; checked at the next header and at the end. */
static int close_rule(struct rules_parser *ps)
{
	static const char *const key_names[] = {"id", "reason", "source"};
	if (!ps->cur)
		return 0;
	for (unsigned k = 0; k < 3; k++)
		if (!(ps->seen & (1u << k)))
			return perr(ps, ps->cur->line, UNIFW_NO_OFFSET, "the rule [%s %s %s] has no \"%s =\" line",
				    scope_names[ps->cur->scope], take_names[ps->cur->take], ps->cur->pattern,
				    key_names[k]);
	ps->cur = NULL;
	return 0;
}

/* "[SCOPE TAKE PATTERN]": three words separated by single spaces or tabs. */
static int parse_header(struct rules_parser *ps, const char *s, size_t n, unsigned line, uint64_t off)
{
	const char *w[3];
	size_t wl[3], i = 1, k = 0;
	int rc = close_rule(ps);
	if (rc)
		return rc;
	if (n < 2 || s[n - 1] != ']')
		return perr(ps, line, off, "a rule header must end with ']'");
	n--;
	while (k < 3) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n)
			break;
		w[k] = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		wl[k] = (size_t)(s + i - w[k]);
		k++;
	}
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (k != 3 || i != n)
		return perr(ps, line, off, "a rule header is [SCOPE TAKE PATTERN] (three words), found \"%.80s\"", s);
	int scope = lookup(scope_names, 3, w[0], wl[0]);
	int take = lookup(take_names, 3, w[1], wl[1]);
	if (scope < 0)
		return perr(ps, line, off, "unknown scope \"%.*s\" (ramdisk, system or prop)", (int)(wl[0] > 40 ? 40 : wl[0]),
			    w[0]);
	if (take < 0)
		return perr(ps, line, off, "unknown take \"%.*s\" (phone, base or phone-if-modem-rejected)",
			    (int)(wl[1] > 40 ? 40 : wl[1]), w[1]);
	if (wl[2] >= sizeof ps->cur->pattern)
		return perr(ps, line, off, "pattern of %zu bytes (at most %zu)", wl[2], sizeof ps->cur->pattern - 1);
	if (w[2][0] == '/')
		return perr(ps, line, off, "pattern \"%.*s\" starts with '/' (patterns are relative to the image root)",
			    (int)wl[2], w[2]);
	if (ps->out->count >= UNIFW_PORT_MAX_RULES)
		return perr(ps, line, off, "more than %u rules", UNIFW_PORT_MAX_RULES);
	struct unifw_port_rule *r = &ps->out->rule[ps->out->count++];
	memset(r, 0, sizeof *r);
	r->scope = (enum unifw_port_scope)scope;
	r->take = (enum unifw_port_take)take;
	memcpy(r->pattern, w[2], wl[2]);
	r->line = line;
	ps->cur = r;
	ps->seen = 0;
	return 0;
}

static int check_id(struct rules_parser *ps, const char *v, size_t n, unsigned line, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		if (!id_char(v[i]))
			return perr(ps, line, off, "id \"%.*s\": only letters, digits, '-', '_' and '.'", (int)n, v);
	for (size_t i = 0; i + 1 < ps->out->count; i++) {
		const struct unifw_port_rule *o = &ps->out->rule[i];
		if (strlen(o->id) == n && !strncmp(o->id, v, n))
			return perr(ps, line, off, "duplicate id \"%.*s\" (first used by the rule at line %u)", (int)n, v,
				    o->line);
	}
	return 0;
}

/* "key = value" inside a rule. */
static int parse_key(struct rules_parser *ps, const char *s, size_t n, unsigned line, uint64_t off)
{
	static const char *const key_names[] = {"id", "reason", "source"};
	const char *eq = memchr(s, '=', n);
	if (!ps->cur)
		return perr(ps, line, off, "\"%.60s\" before the first [SCOPE TAKE PATTERN] header", s);
	if (!eq)
		return perr(ps, line, off, "expected \"key = value\" or a [SCOPE TAKE PATTERN] header, found \"%.60s\"", s);
	size_t kl = (size_t)(eq - s);
	while (kl && (s[kl - 1] == ' ' || s[kl - 1] == '\t'))
		kl--;
	const char *v = eq + 1;
	while (v < s + n && (*v == ' ' || *v == '\t'))
		v++;
	size_t vl = (size_t)(s + n - v);
	int k = lookup(key_names, 3, s, kl);
	if (k < 0)
		return perr(ps, line, off, "unknown key \"%.*s\" (id, reason or source)", (int)(kl > 40 ? 40 : kl), s);
	if (ps->seen & (1u << k))
		return perr(ps, line, off, "\"%s\" given twice in the rule of line %u", key_names[k], ps->cur->line);
	if (!vl)
		return perr(ps, line, off, "\"%s\" is empty", key_names[k]);
	char *dst = k == 0 ? ps->cur->id : k == 1 ? ps->cur->reason : ps->cur->source;
	size_t cap = k == 0 ? sizeof ps->cur->id : k == 1 ? sizeof ps->cur->reason : sizeof ps->cur->source;
	if (vl >= cap)
		return perr(ps, line, off, "\"%s\" of %zu bytes (at most %zu)", key_names[k], vl, cap - 1);
	int rc = k == 0 ? check_id(ps, v, vl, line, off) : 0;
	if (rc)
		return rc;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
	ps->seen |= 1u << k;
	return 0;
}

static int parse_line(struct rules_parser *ps, const char *s, size_t n, unsigned line, uint64_t off)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!n || *s == '#')
		return 0;
	if (!printable(s, n))
		return perr(ps, line, off, "control character in the line");
	char buf[RULES_MAX_LINE + 1];
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf[0] == '[' ? parse_header(ps, buf, n, line, off) : parse_key(ps, buf, n, line, off);
}

int unifw_port_rules_parse(const char *text, size_t len, const char *name, struct unifw_port_rules *out,
			   struct unifw_error *err)
{
	struct rules_parser ps = {.name = name ? name : "rules", .out = out, .err = err};
	unsigned line = 1;
	int rc = 0;
	memset(out, 0, sizeof *out);
	if (len > RULES_MAX_TEXT)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, ps.name, UNIFW_NO_OFFSET, "rules file of %zu bytes (at most %u)",
				       len, RULES_MAX_TEXT);
	out->rule = calloc(UNIFW_PORT_MAX_RULES, sizeof *out->rule);
	if (!out->rule)
		return unifw_error_set(err, UNIFW_E_NOMEM, ps.name, UNIFW_NO_OFFSET, "out of memory");
	for (size_t at = 0; at < len && rc == 0; line++) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		if (end - at > RULES_MAX_LINE)
			rc = perr(&ps, line, at, "line of %zu bytes (at most %u)", end - at, RULES_MAX_LINE);
		else if (memchr(text + at, '\0', end - at))
			rc = perr(&ps, line, at, "NUL byte in the line");
		else
			rc = parse_line(&ps, text + at, end - at, line, at);
		at = end + 1;
	}
	if (rc == 0)
		rc = close_rule(&ps);
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
