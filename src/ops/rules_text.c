/* The section/key text of the rules files (rules_text.h): data/port.rules and data/universal.rules are data
 * the user may replace, so they are parsed as hostile input: lines bounded, every key required once and
 * bounded by its field (never silently truncated), unknown keys refused, ids unique, and every error names
 * the file and the line. */
#include "rules_text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_ID = 1u, F_REASON = 2u, F_SOURCE = 4u };
static const char *const key_names[] = { "id", "reason", "source" };

struct rules_text {
	const char *name;
	const struct rules_text_ops *ops;
	void *ctx;
	struct unifw_error *err;
	unsigned line;
	uint64_t off;
	/* the open section */
	bool open;
	struct rules_text_keys keys;
	unsigned seen, header_line;
	char header[200];
	/* ids given so far (pointers into the caller's sections) and their lines */
	const char **ids;
	unsigned *id_lines;
	size_t id_count, id_cap;
};

unsigned rules_text_line(const struct rules_text *rt)
{
	return rt->line;
}

static int rt_errv(struct rules_text *rt, unsigned line, const char *fmt, va_list ap)
{
	char msg[400];
	vsnprintf(msg, sizeof msg, fmt, ap);
	return unifw_error_set(rt->err, UNIFW_E_FORMAT, rt->name, rt->off, "line %u: %s", line, msg);
}

int rules_text_error(struct rules_text *rt, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = rt_errv(rt, rt->line, fmt, ap);
	va_end(ap);
	return rc;
}

__attribute__((format(printf, 3, 4))) static int error_at(struct rules_text *rt, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = rt_errv(rt, line, fmt, ap);
	va_end(ap);
	return rc;
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

/* A section is complete when its three keys were given; checked at the next header and at the end. */
static int close_section(struct rules_text *rt)
{
	if (!rt->open)
		return 0;
	for (unsigned k = 0; k < 3; k++)
		if (!(rt->seen & (1u << k)))
			return error_at(rt, rt->header_line, "the rule [%s] has no \"%s =\" line", rt->header, key_names[k]);
	rt->open = false;
	return 0;
}

/* "[W1 W2 ...]": words separated by spaces or tabs, handed to the file's parser. */
static int parse_header(struct rules_text *rt, char *s, size_t n)
{
	char *w[RULES_TEXT_MAX_WORDS + 1];
	unsigned k = 0;
	int rc = close_section(rt);
	if (rc)
		return rc;
	if (n < 2 || s[n - 1] != ']')
		return rules_text_error(rt, "a rule header must end with ']'");
	s[n - 1] = '\0';
	for (char *p = s + 1; *p && k < RULES_TEXT_MAX_WORDS + 1;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		w[k++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	size_t at = 0;
	rt->header[0] = '\0';
	for (unsigned i = 0; i < k && at < sizeof rt->header; i++)
		at += (size_t)snprintf(rt->header + at, sizeof rt->header - at, "%s%s", i ? " " : "", w[i]);
	memset(&rt->keys, 0, sizeof rt->keys);
	rc = rt->ops->header(rt->ctx, rt, w, k, rt->header, &rt->keys);
	if (rc)
		return rc;
	rt->open = true;
	rt->seen = 0;
	rt->header_line = rt->line;
	return 0;
}

static int remember_id(struct rules_text *rt, const char *id)
{
	for (size_t i = 0; i < rt->id_count; i++)
		if (!strcmp(rt->ids[i], id))
			return rules_text_error(rt, "duplicate id \"%s\" (first used by the rule at line %u)", id,
						rt->id_lines[i]);
	if (rt->id_count == rt->id_cap) {
		size_t cap = rt->id_cap ? rt->id_cap * 2 : 64;
		const char **ids = realloc(rt->ids, cap * sizeof *ids);
		if (ids)
			rt->ids = ids;
		unsigned *lines = ids ? realloc(rt->id_lines, cap * sizeof *lines) : NULL;
		if (!lines)
			return unifw_error_set(rt->err, UNIFW_E_NOMEM, rt->name, UNIFW_NO_OFFSET, "out of memory");
		rt->id_lines = lines;
		rt->id_cap = cap;
	}
	rt->ids[rt->id_count] = id;
	rt->id_lines[rt->id_count++] = rt->header_line;
	return 0;
}

static int check_id(struct rules_text *rt, const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!id_char(v[i]))
			return rules_text_error(rt, "id \"%.*s\": only letters, digits, '-', '_' and '.'", (int)n, v);
	return 0;
}

/* "key = value" inside a section. */
static int parse_key(struct rules_text *rt, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	if (!rt->open)
		return rules_text_error(rt, "\"%.60s\" before the first %s header", s, rt->ops->header_form);
	if (!eq)
		return rules_text_error(rt, "expected \"key = value\" or a %s header, found \"%.60s\"", rt->ops->header_form,
					s);
	size_t kl = (size_t)(eq - s);
	while (kl && (s[kl - 1] == ' ' || s[kl - 1] == '\t'))
		kl--;
	const char *v = eq + 1;
	while (v < s + n && (*v == ' ' || *v == '\t'))
		v++;
	size_t vl = (size_t)(s + n - v);
	int k = -1;
	for (int i = 0; i < 3; i++)
		if (strlen(key_names[i]) == kl && !strncmp(key_names[i], s, kl))
			k = i;
	if (k < 0)
		return rules_text_error(rt, "unknown key \"%.*s\" (id, reason or source)", (int)(kl > 40 ? 40 : kl), s);
	if (rt->seen & (1u << k))
		return rules_text_error(rt, "\"%s\" given twice in the rule of line %u", key_names[k], rt->header_line);
	if (!vl)
		return rules_text_error(rt, "\"%s\" is empty", key_names[k]);
	char *dst = k == 0 ? rt->keys.id : k == 1 ? rt->keys.reason : rt->keys.source;
	size_t cap = k == 0 ? rt->keys.id_cap : k == 1 ? rt->keys.reason_cap : rt->keys.source_cap;
	if (vl >= cap)
		return rules_text_error(rt, "\"%s\" of %zu bytes (at most %zu)", key_names[k], vl, cap - 1);
	int rc = k == 0 ? check_id(rt, v, vl) : 0;
	if (rc)
		return rc;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
	rt->seen |= 1u << k;
	return k == 0 ? remember_id(rt, dst) : 0;
}

static int parse_line(struct rules_text *rt, const char *s, size_t n)
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
		return rules_text_error(rt, "control character in the line");
	char buf[RULES_TEXT_MAX_LINE + 1];
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf[0] == '[' ? parse_header(rt, buf, n) : parse_key(rt, buf, n);
}

int rules_text_parse(const char *text, size_t len, const char *name, const struct rules_text_ops *ops, void *ctx,
		     struct unifw_error *err)
{
	struct rules_text rt = { .name = name ? name : "rules", .ops = ops, .ctx = ctx, .err = err };
	int rc = 0;
	if (len > RULES_TEXT_MAX_TEXT)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, rt.name, UNIFW_NO_OFFSET, "rules file of %zu bytes (at most %u)",
				       len, RULES_TEXT_MAX_TEXT);
	rt.line = 1;
	for (size_t at = 0; at < len && rc == 0; rt.line++) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		rt.off = at;
		if (end - at > RULES_TEXT_MAX_LINE)
			rc = rules_text_error(&rt, "line of %zu bytes (at most %u)", end - at, RULES_TEXT_MAX_LINE);
		else if (memchr(text + at, '\0', end - at))
			rc = rules_text_error(&rt, "NUL byte in the line");
		else
			rc = parse_line(&rt, text + at, end - at);
		at = end + 1;
	}
	rt.off = UNIFW_NO_OFFSET;
	if (rc == 0)
		rc = close_section(&rt);
	free(rt.ids);
	free(rt.id_lines);
	return rc;
}
