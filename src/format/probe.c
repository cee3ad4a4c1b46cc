/* The probe table (/unifw/probe.rules) and the probe record (/data/unifw/probe.txt): unifw/probe.h,
 * docs/universal.md "The probe".
 *
 * Both texts are read by a POSIX shell's `read -r` at boot as well as by these parsers, so the parsers only
 * accept what the shell splits the same way: fields separated by exactly one space, no tabs or control
 * characters, no empty fields, every line ending in '\n' (`read` drops an unterminated last line). The
 * tokens the script uses as paths or compares against what the kernel reports are checked against narrow
 * character sets, so a table cannot make the probe bind something outside /system. The writer runs every
 * field through the same checks: what it writes parses back to the same table. Errors are
 * "NAME:LINE: expected ..., found ...". */
#include "unifw/probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_MAGIC "unifw-probe-rules 1"
#define RECORD_MAGIC "unifw-probe 1"
#define MAX_FIELDS 5u

const char *unifw_probe_component_name(enum unifw_probe_component c)
{
	static const char *const names[] = { "panel", "touch", "board" };
	return (unsigned)c < UNIFW_PROBE_COMPONENTS ? names[c] : "?";
}

bool unifw_probe_component_parse(const char *s, enum unifw_probe_component *out)
{
	for (unsigned i = 0; i < UNIFW_PROBE_COMPONENTS; i++)
		if (!strcmp(s, unifw_probe_component_name((enum unifw_probe_component)i))) {
			*out = (enum unifw_probe_component)i;
			return true;
		}
	return false;
}

void unifw_probe_table_init(struct unifw_probe_table *t)
{
	memset(t, 0, sizeof *t);
}

void unifw_probe_table_free(struct unifw_probe_table *t)
{
	free(t->bind);
	free(t->prop);
	unifw_probe_table_init(t);
}

/* ------------------------------------------------------------------ tokens (shared by parse and write) */

static bool in_set(char c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (extra && c && strchr(extra, c));
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* Variant names become directory names under /system/unifw: lowercase only, so two cannot differ by case. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n >= UNIFW_PROBE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!in_set(s[i], "._-"))
			return false;
	return true;
}

/* Keys are compared with what the kernel reports (i2c client names, LCM names, CID hex). */
static bool valid_key_len(const char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n < 1 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!in_set(s[i], "._-") && !is_upper(s[i]))
			return false;
	return true;
}

static bool valid_key(const char *s)
{
	return valid_key_len(s, UNIFW_PROBE_KEY_MAX);
}

/* The kernel prints the CID with "%08x": a prefix of it is lowercase hex. */
static bool valid_cid_prefix(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n >= UNIFW_PROBE_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A path relative to /system the probe hands to mount: no way out ("..", a leading '/'), no empty segment,
 * only characters a shell never expands or splits. */
static bool valid_rel_path(const char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n < 1 || n >= cap || s[0] == '/' || s[n - 1] == '/' || strstr(s, "..") || strstr(s, "//"))
		return false;
	if (!strcmp(s, ".") || !strncmp(s, "./", 2) || strstr(s, "/./") || (n >= 2 && !strcmp(s + n - 2, "/.")))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!in_set(s[i], "._/+-") && !is_upper(s[i]))
			return false;
	return true;
}

static bool valid_abs_path(const char *s, size_t cap)
{
	return s[0] == '/' && valid_rel_path(s + 1, cap - 1);
}

/* Free text (reasons, messages): printable, not empty, no space at either end (read -r would trim it). */
static bool valid_text(const char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n < 1 || n >= cap || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* A build.prop value the probe writes as one word: no spaces, no controls (may be empty). */
static bool valid_value(const char *s, size_t cap)
{
	size_t n = strlen(s);
	if (n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool valid_prop_key(const char *s, size_t cap)
{
	return valid_key_len(s, cap);
}

/* ------------------------------------------------------------------ lines */

struct lines {
	const char *text;
	size_t len, at;
	unsigned no;
	const char *name;
	struct unifw_error *err;
	char buf[UNIFW_PROBE_MAX_LINE + 1];
};

__attribute__((format(printf, 3, 4))) static int lerr(struct lines *l, int code, const char *fmt, ...)
{
	char where[sizeof l->err->where];
	char msg[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(where, sizeof where, "%.200s:%u", l->name, l->no);
	return unifw_error_set(l->err, code, where, UNIFW_NO_OFFSET, "%s", msg);
}

/* Next line into l->buf (without '\n'). 1: a line, 0: the end, <0: an error. */
static int next_line(struct lines *l)
{
	if (l->at >= l->len)
		return 0;
	l->no++;
	const char *s = l->text + l->at;
	const char *nl = memchr(s, '\n', l->len - l->at);
	size_t n = nl ? (size_t)(nl - s) : l->len - l->at;
	if (n > UNIFW_PROBE_MAX_LINE)
		return lerr(l, UNIFW_E_TOO_BIG, "expected a line of at most %u bytes, found %zu", UNIFW_PROBE_MAX_LINE, n);
	if (!nl)
		return lerr(l, UNIFW_E_TRUNCATED, "expected the line to end with a newline (the shell's read drops it), "
						  "found the end of the text");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return lerr(l, UNIFW_E_FORMAT, "expected printable text, found the control byte 0x%02x at column %zu",
				    (unsigned char)s[i], i + 1);
	memcpy(l->buf, s, n);
	l->buf[n] = '\0';
	l->at += n + 1;
	return 1;
}

/* Split l->buf into exactly `want` fields at single spaces; with `rest`, the last field is the rest of the
 * line (it may hold spaces). `form` is what the line should look like, for the error. */
static int split(struct lines *l, char **f, unsigned want, bool rest, const char *form)
{
	char *p = l->buf;
	for (unsigned i = 0; i < want; i++) {
		f[i] = p;
		bool last = i + 1 == want;
		char *sp = last && rest ? NULL : strchr(p, ' ');
		if (last && !rest && sp)
			return lerr(l, UNIFW_E_FORMAT, "expected \"%s\", found more fields: \"%.120s\"", form, f[0]);
		if (!last && !sp)
			return lerr(l, UNIFW_E_FORMAT, "expected \"%s\", found only %u field(s)", form, i + 1);
		if (sp)
			*sp = '\0', p = sp + 1;
		if (!f[i][0] || (last && rest && f[i][0] == ' '))
			return lerr(l, UNIFW_E_FORMAT, "expected \"%s\" with one space between fields, found an empty field %u",
				    form, i + 1);
	}
	return 0;
}

static int copy_field(struct lines *l, char *dst, size_t cap, const char *src, const char *what)
{
	size_t n = strlen(src);
	if (n >= cap)
		return lerr(l, UNIFW_E_TOO_BIG, "expected %s of at most %zu bytes, found %zu", what, cap - 1, n);
	memcpy(dst, src, n + 1);
	return 0;
}

static int want_text(struct lines *l, char *dst, size_t cap, const char *src, const char *what)
{
	int rc = copy_field(l, dst, cap, src, what);
	if (!rc && !valid_text(dst, cap))
		rc = lerr(l, UNIFW_E_FORMAT, "expected %s without a trailing space, found \"%.80s\"", what, src);
	return rc;
}

static int want_component(struct lines *l, const char *s, enum unifw_probe_component *c)
{
	if (!unifw_probe_component_parse(s, c))
		return lerr(l, UNIFW_E_FORMAT, "expected a component (panel, touch or board), found \"%.40s\"", s);
	return 0;
}

/* ------------------------------------------------------------------ the table: parse */

struct table_parser {
	struct lines l;
	struct unifw_probe_table *t;
	unsigned signal_line[UNIFW_PROBE_COMPONENTS], fallback_line[UNIFW_PROBE_COMPONENTS];
};

static int find_variant(const struct unifw_probe_table *t, const char *name)
{
	for (size_t i = 0; i < t->variant_count; i++)
		if (!strcmp(t->variant[i].name, name))
			return (int)i;
	return -1;
}

static int want_variant(struct table_parser *p, const char *name, unsigned *out)
{
	int v = find_variant(p->t, name);
	if (v < 0)
		return lerr(&p->l, UNIFW_E_FORMAT, "expected a variant declared by an earlier \"variant\" line, found \"%.40s\"",
			    name);
	*out = (unsigned)v;
	return 0;
}

/* signal / fallback <component> <reason>: once per component. */
static int parse_component_reason(struct table_parser *p, char (*dst)[UNIFW_PROBE_REASON_MAX], unsigned *seen,
				  const char *kw)
{
	char *f[3];
	enum unifw_probe_component c;
	char form[64];
	snprintf(form, sizeof form, "%s <component> <reason>", kw);
	int rc = split(&p->l, f, 3, true, form);
	if (!rc)
		rc = want_component(&p->l, f[1], &c);
	if (rc)
		return rc;
	if (seen[c])
		return lerr(&p->l, UNIFW_E_FORMAT, "expected one \"%s %s\" line, found a second one (the first at line %u)",
			    kw, f[1], seen[c]);
	seen[c] = p->l.no;
	return want_text(&p->l, dst[c], UNIFW_PROBE_REASON_MAX, f[2], "a reason");
}

static int parse_variant(struct table_parser *p)
{
	char *f[3];
	int rc = split(&p->l, f, 3, true, "variant <name> <reason>");
	if (rc)
		return rc;
	if (!valid_name(f[1]))
		return lerr(&p->l, UNIFW_E_FORMAT, "expected a variant name of 1..%u characters [a-z0-9._-], found \"%.40s\"",
			    UNIFW_PROBE_NAME_MAX - 1, f[1]);
	if (find_variant(p->t, f[1]) >= 0)
		return lerr(&p->l, UNIFW_E_FORMAT, "expected a new variant name, found \"%s\" declared before", f[1]);
	if (p->t->variant_count >= UNIFW_PROBE_MAX_VARIANTS)
		return lerr(&p->l, UNIFW_E_TOO_BIG, "expected at most %u variants, found more", UNIFW_PROBE_MAX_VARIANTS);
	struct unifw_probe_variant *v = &p->t->variant[p->t->variant_count];
	memcpy(v->name, f[1], strlen(f[1]) + 1);
	rc = want_text(&p->l, v->reason, sizeof v->reason, f[2], "a reason");
	if (!rc)
		p->t->variant_count++;
	return rc;
}

/* "<kw> <component> <variant> ...": the two fields every per-variant line starts with. */
static int parse_head(struct table_parser *p, char **f, enum unifw_probe_component *c, unsigned *v)
{
	int rc = want_component(&p->l, f[1], c);
	return rc ? rc : want_variant(p, f[2], v);
}

static int parse_match(struct table_parser *p)
{
	char *f[5];
	enum unifw_probe_component c;
	unsigned v;
	int rc = split(&p->l, f, 5, true, "match <component> <variant> <key> <reason>");
	if (!rc)
		rc = parse_head(p, f, &c, &v);
	if (rc)
		return rc;
	if (c == UNIFW_PROBE_BOARD ? !valid_cid_prefix(f[3]) : !valid_key(f[3]))
		return lerr(&p->l, UNIFW_E_FORMAT, "expected a %s key of 1..%u characters %s, found \"%.70s\"", f[1],
			    UNIFW_PROBE_KEY_MAX - 1, c == UNIFW_PROBE_BOARD ? "[0-9a-f] (a CID prefix)" : "[A-Za-z0-9._-]",
			    f[3]);
	if (p->t->match_count >= sizeof p->t->match / sizeof p->t->match[0])
		return lerr(&p->l, UNIFW_E_TOO_BIG, "expected at most %zu match lines, found more",
			    sizeof p->t->match / sizeof p->t->match[0]);
	struct unifw_probe_match *m = &p->t->match[p->t->match_count];
	m->component = c;
	m->variant = v;
	memcpy(m->key, f[3], strlen(f[3]) + 1);
	rc = want_text(&p->l, m->reason, sizeof m->reason, f[4], "a reason");
	if (!rc)
		p->t->match_count++;
	return rc;
}

static int parse_bind(struct table_parser *p)
{
	char *f[5];
	enum unifw_probe_component c;
	unsigned v;
	int rc = split(&p->l, f, 5, true, "bind <component> <variant> <path> <reason>");
	if (!rc)
		rc = parse_head(p, f, &c, &v);
	if (rc)
		return rc;
	if (!valid_rel_path(f[3], UNIFW_PROBE_PATH_MAX))
		return lerr(&p->l, UNIFW_E_UNSAFE,
			    "expected a path relative to /system of 1..%u characters [A-Za-z0-9._/+-] (no \"..\", no "
			    "leading '/', no \"//\"), found \"%.80s\"",
			    UNIFW_PROBE_PATH_MAX - 1, f[3]);
	if (p->t->bind_count >= UNIFW_PROBE_MAX_BINDS)
		return lerr(&p->l, UNIFW_E_TOO_BIG, "expected at most %u bind lines, found more", UNIFW_PROBE_MAX_BINDS);
	struct unifw_probe_bind *b = &p->t->bind[p->t->bind_count];
	b->component = c;
	b->variant = v;
	memcpy(b->path, f[3], strlen(f[3]) + 1);
	rc = want_text(&p->l, b->reason, sizeof b->reason, f[4], "a reason");
	if (!rc)
		p->t->bind_count++;
	return rc;
}

/* "KEY=VALUE" into key and value, checked. */
static int split_prop(struct lines *l, const char *s, char *key, size_t kcap, char *value, size_t vcap)
{
	const char *eq = strchr(s, '=');
	size_t kl = eq ? (size_t)(eq - s) : 0;
	if (!eq || kl == 0 || kl >= kcap)
		return lerr(l, UNIFW_E_FORMAT, "expected KEY=VALUE with a key of 1..%zu characters, found \"%.80s\"",
			    kcap - 1, s);
	memcpy(key, s, kl);
	key[kl] = '\0';
	if (!valid_prop_key(key, kcap))
		return lerr(l, UNIFW_E_FORMAT, "expected a property key [A-Za-z0-9._-], found \"%.80s\"", key);
	if (!valid_value(eq + 1, vcap))
		return lerr(l, UNIFW_E_FORMAT, "expected a property value of at most %zu bytes without spaces, found \"%.80s\"",
			    vcap - 1, eq + 1);
	memcpy(value, eq + 1, strlen(eq + 1) + 1);
	return 0;
}

static int parse_prop(struct table_parser *p)
{
	char *f[5];
	enum unifw_probe_component c;
	unsigned v;
	int rc = split(&p->l, f, 5, true, "prop <component> <variant> <key>=<value> <reason>");
	if (!rc)
		rc = parse_head(p, f, &c, &v);
	if (rc)
		return rc;
	if (p->t->prop_count >= UNIFW_PROBE_MAX_PROPS)
		return lerr(&p->l, UNIFW_E_TOO_BIG, "expected at most %u prop lines, found more", UNIFW_PROBE_MAX_PROPS);
	struct unifw_probe_prop *pr = &p->t->prop[p->t->prop_count];
	pr->component = c;
	pr->variant = v;
	rc = split_prop(&p->l, f[3], pr->key, sizeof pr->key, pr->value, sizeof pr->value);
	if (!rc)
		rc = want_text(&p->l, pr->reason, sizeof pr->reason, f[4], "a reason");
	if (!rc)
		p->t->prop_count++;
	return rc;
}

static int parse_table_line(struct table_parser *p)
{
	const char *s = p->l.buf;
	size_t n = strcspn(s, " ");
#define KW(k) (n == sizeof k - 1 && !strncmp(s, k, n))
	if (KW("signal"))
		return parse_component_reason(p, p->t->signal, p->signal_line, "signal");
	if (KW("fallback"))
		return parse_component_reason(p, p->t->fallback, p->fallback_line, "fallback");
	if (KW("variant"))
		return parse_variant(p);
	if (KW("match"))
		return parse_match(p);
	if (KW("bind"))
		return parse_bind(p);
	if (KW("prop"))
		return parse_prop(p);
#undef KW
	return lerr(&p->l, UNIFW_E_FORMAT,
		    "expected signal, fallback, variant, match, bind, prop or a '#' comment, found \"%.40s\"", s);
}

/* Every component needs its signal and fallback reason: the probe logs them. */
static int table_complete(struct table_parser *p)
{
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const char *miss = !p->signal_line[c] ? "signal" : !p->fallback_line[c] ? "fallback" : NULL;
		if (miss)
			return lerr(&p->l, UNIFW_E_FORMAT, "expected a \"%s %s <reason>\" line, found the end of the table", miss,
				    unifw_probe_component_name((enum unifw_probe_component)c));
	}
	return 0;
}

static int parse_table_lines(struct table_parser *p)
{
	int rc = next_line(&p->l);
	if (rc <= 0)
		return rc < 0 ? rc : lerr(&p->l, UNIFW_E_TRUNCATED, "expected \"%s\", found an empty text", TABLE_MAGIC);
	if (strcmp(p->l.buf, TABLE_MAGIC))
		return lerr(&p->l, UNIFW_E_FORMAT, "expected \"%s\", found \"%.40s\"", TABLE_MAGIC, p->l.buf);
	while ((rc = next_line(&p->l)) > 0) {
		if (!p->l.buf[0] || p->l.buf[0] == '#')
			continue;
		rc = parse_table_line(p);
		if (rc)
			return rc;
	}
	return rc < 0 ? rc : table_complete(p);
}

int unifw_probe_table_parse(const char *text, size_t len, const char *name, struct unifw_probe_table *t,
			    struct unifw_error *err)
{
	struct table_parser *p = calloc(1, sizeof *p);
	name = name ? name : "probe.rules";
	unifw_probe_table_init(t);
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	if (len > UNIFW_PROBE_MAX_TEXT) {
		free(p);
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, UNIFW_NO_OFFSET,
				       "expected a probe table of at most %u bytes, found %zu", UNIFW_PROBE_MAX_TEXT, len);
	}
	p->l = (struct lines){ .text = text, .len = len, .name = name, .err = err };
	p->t = t;
	t->bind = calloc(UNIFW_PROBE_MAX_BINDS, sizeof *t->bind);
	t->prop = calloc(UNIFW_PROBE_MAX_PROPS, sizeof *t->prop);
	int rc = t->bind && t->prop ? parse_table_lines(p)
				    : unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	free(p);
	if (rc)
		unifw_probe_table_free(t);
	return rc;
}

/* ------------------------------------------------------------------ the table: write */

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->buf ? o->cap - o->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = true;
			return;
		}
		if (o->buf && (size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = o->cap ? o->cap * 2 : 4096;
		while (cap < o->len + (size_t)n + 1)
			cap *= 2;
		char *nb = realloc(o->buf, cap);
		if (!nb) {
			o->oom = true;
			return;
		}
		o->buf = nb;
		o->cap = cap;
	}
}

__attribute__((format(printf, 2, 3))) static int werr(struct unifw_error *err, const char *fmt, ...)
{
	char msg[480];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return unifw_error_set(err, UNIFW_E_INVALID, "probe.rules", UNIFW_NO_OFFSET, "cannot write the probe table: %s",
			       msg);
}

static int check_variant_ref(const struct unifw_probe_table *t, unsigned v, enum unifw_probe_component c,
			     const char *what, struct unifw_error *err)
{
	if (v >= t->variant_count)
		return werr(err, "%s line names variant %u of %zu", what, v, t->variant_count);
	if ((unsigned)c >= UNIFW_PROBE_COMPONENTS)
		return werr(err, "%s line names component %u", what, (unsigned)c);
	return 0;
}

static int check_reason(const char *reason, const char *what, struct unifw_error *err)
{
	if (!valid_text(reason, UNIFW_PROBE_REASON_MAX))
		return werr(err, "the reason of %s is empty, has a control character or a space at an end: \"%.80s\"", what,
			    reason);
	return 0;
}

static int write_header(const struct unifw_probe_table *t, struct out *o, struct unifw_error *err)
{
	put(o, "%s\n# written by unifw universal build; read by /unifw/probe.sh at post-fs-data\n", TABLE_MAGIC);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const char *cn = unifw_probe_component_name((enum unifw_probe_component)c);
		int rc = check_reason(t->signal[c], "a signal line", err);
		if (!rc)
			rc = check_reason(t->fallback[c], "a fallback line", err);
		if (rc)
			return rc;
		put(o, "signal %s %s\nfallback %s %s\n", cn, t->signal[c], cn, t->fallback[c]);
	}
	if (t->variant_count > UNIFW_PROBE_MAX_VARIANTS)
		return werr(err, "%zu variants (at most %u)", t->variant_count, UNIFW_PROBE_MAX_VARIANTS);
	for (size_t i = 0; i < t->variant_count; i++) {
		const struct unifw_probe_variant *v = &t->variant[i];
		if (!valid_name(v->name))
			return werr(err, "variant name \"%.40s\" is not 1..%u characters [a-z0-9._-]", v->name,
				    UNIFW_PROBE_NAME_MAX - 1);
		if (find_variant(t, v->name) != (int)i)
			return werr(err, "variant name \"%s\" is used twice", v->name);
		int rc = check_reason(v->reason, "a variant line", err);
		if (rc)
			return rc;
		put(o, "variant %s %s\n", v->name, v->reason);
	}
	return 0;
}

static int write_matches(const struct unifw_probe_table *t, struct out *o, struct unifw_error *err)
{
	if (t->match_count > sizeof t->match / sizeof t->match[0])
		return werr(err, "%zu match lines (at most %zu)", t->match_count, sizeof t->match / sizeof t->match[0]);
	for (size_t i = 0; i < t->match_count; i++) {
		const struct unifw_probe_match *m = &t->match[i];
		int rc = check_variant_ref(t, m->variant, m->component, "a match", err);
		if (rc)
			return rc;
		if (m->component == UNIFW_PROBE_BOARD ? !valid_cid_prefix(m->key) : !valid_key(m->key))
			return werr(err, "match key \"%.70s\" of %s is not a valid %s", m->key,
				    unifw_probe_component_name(m->component),
				    m->component == UNIFW_PROBE_BOARD ? "lowercase hex CID prefix" : "name [A-Za-z0-9._-]");
		if ((rc = check_reason(m->reason, "a match line", err)))
			return rc;
		put(o, "match %s %s %s %s\n", unifw_probe_component_name(m->component), t->variant[m->variant].name, m->key,
		    m->reason);
	}
	return 0;
}

static int write_binds(const struct unifw_probe_table *t, struct out *o, struct unifw_error *err)
{
	if (t->bind_count > UNIFW_PROBE_MAX_BINDS)
		return werr(err, "%zu bind lines (at most %u)", t->bind_count, UNIFW_PROBE_MAX_BINDS);
	for (size_t i = 0; i < t->bind_count; i++) {
		const struct unifw_probe_bind *b = &t->bind[i];
		int rc = check_variant_ref(t, b->variant, b->component, "a bind", err);
		if (rc)
			return rc;
		if (!valid_rel_path(b->path, UNIFW_PROBE_PATH_MAX))
			return werr(err, "bind path \"%.80s\" is not a safe path relative to /system", b->path);
		if ((rc = check_reason(b->reason, "a bind line", err)))
			return rc;
		put(o, "bind %s %s %s %s\n", unifw_probe_component_name(b->component), t->variant[b->variant].name, b->path,
		    b->reason);
	}
	return 0;
}

static int write_props(const struct unifw_probe_table *t, struct out *o, struct unifw_error *err)
{
	if (t->prop_count > UNIFW_PROBE_MAX_PROPS)
		return werr(err, "%zu prop lines (at most %u)", t->prop_count, UNIFW_PROBE_MAX_PROPS);
	for (size_t i = 0; i < t->prop_count; i++) {
		const struct unifw_probe_prop *p = &t->prop[i];
		int rc = check_variant_ref(t, p->variant, p->component, "a prop", err);
		if (rc)
			return rc;
		if (!valid_prop_key(p->key, sizeof p->key) || !valid_value(p->value, sizeof p->value))
			return werr(err, "prop \"%.80s=%.80s\": the key must be [A-Za-z0-9._-], the value without spaces",
				    p->key, p->value);
		if ((rc = check_reason(p->reason, "a prop line", err)))
			return rc;
		put(o, "prop %s %s %s=%s %s\n", unifw_probe_component_name(p->component), t->variant[p->variant].name,
		    p->key, p->value, p->reason);
	}
	return 0;
}

int unifw_probe_table_write(const struct unifw_probe_table *t, char **text, size_t *len, struct unifw_error *err)
{
	struct out o = { 0 };
	int rc = write_header(t, &o, err);
	if (!rc)
		rc = write_matches(t, &o, err);
	if (!rc)
		rc = write_binds(t, &o, err);
	if (!rc)
		rc = write_props(t, &o, err);
	if (!rc && o.oom)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "probe.rules", UNIFW_NO_OFFSET, "out of memory");
	if (!rc && o.len > UNIFW_PROBE_MAX_TEXT)
		rc = werr(err, "%zu bytes (at most %u)", o.len, UNIFW_PROBE_MAX_TEXT);
	if (rc) {
		free(o.buf);
		return rc;
	}
	*text = o.buf;
	*len = o.len;
	return 0;
}

/* ------------------------------------------------------------------ choose */

static bool match_applies(const struct unifw_probe_match *m, const char *lcm, const char *const *i2c, size_t n,
			  const char *cid)
{
	switch (m->component) {
	case UNIFW_PROBE_PANEL:
		return lcm && !strcmp(lcm, m->key);
	case UNIFW_PROBE_TOUCH:
		for (size_t i = 0; i < n; i++)
			if (i2c[i] && !strcmp(i2c[i], m->key))
				return true;
		return false;
	case UNIFW_PROBE_BOARD:
		return cid && m->key[0] && !strncmp(cid, m->key, strlen(m->key));
	}
	return false;
}

int unifw_probe_table_choose(const struct unifw_probe_table *t, enum unifw_probe_component c, const char *lcm,
			     const char *const *i2c_names, size_t n, const char *cid_hex)
{
	for (size_t i = 0; i < t->match_count; i++) {
		const struct unifw_probe_match *m = &t->match[i];
		if (m->component == c && m->variant < t->variant_count && match_applies(m, lcm, i2c_names, n, cid_hex))
			return (int)m->variant;
	}
	return -1;
}

/* ------------------------------------------------------------------ the record */

struct record_parser {
	struct lines l;
	struct unifw_probe_record *r;
	unsigned lcm_line, cid_line, bound_line[UNIFW_PROBE_COMPONENTS], fallback_line[UNIFW_PROBE_COMPONENTS];
};

static int once(struct record_parser *p, unsigned *seen, const char *what)
{
	if (*seen)
		return lerr(&p->l, UNIFW_E_FORMAT, "expected one \"%s\" line, found a second one (the first at line %u)", what,
			    *seen);
	*seen = p->l.no;
	return 0;
}

/* lcm / cid <key>, "-" (not read) stored as "". */
static int parse_seen_key(struct record_parser *p, char *dst, unsigned *seen, const char *kw)
{
	char *f[2];
	int rc = split(&p->l, f, 2, false, kw[0] == 'l' ? "lcm <name>" : "cid <hex>");
	if (!rc)
		rc = once(p, seen, kw);
	if (rc)
		return rc;
	if (!strcmp(f[1], "-")) {
		dst[0] = '\0';
		return 0;
	}
	if (!valid_key(f[1]))
		return lerr(&p->l, UNIFW_E_FORMAT, "expected \"-\" or 1..%u characters [A-Za-z0-9._-], found \"%.70s\"",
			    UNIFW_PROBE_KEY_MAX - 1, f[1]);
	memcpy(dst, f[1], strlen(f[1]) + 1);
	return 0;
}

static int parse_i2c(struct record_parser *p)
{
	char *f[2];
	int rc = split(&p->l, f, 2, false, "i2c <name>");
	if (rc)
		return rc;
	if (!valid_key(f[1]))
		return lerr(&p->l, UNIFW_E_FORMAT, "expected an i2c name of 1..%u characters [A-Za-z0-9._-], found \"%.70s\"",
			    UNIFW_PROBE_KEY_MAX - 1, f[1]);
	if (p->r->i2c_count >= UNIFW_PROBE_MAX_I2C)
		return lerr(&p->l, UNIFW_E_TOO_BIG, "expected at most %u i2c lines, found more", UNIFW_PROBE_MAX_I2C);
	memcpy(p->r->i2c[p->r->i2c_count++], f[1], strlen(f[1]) + 1);
	return 0;
}

static int parse_bound(struct record_parser *p)
{
	char *f[3];
	enum unifw_probe_component c;
	int rc = split(&p->l, f, 3, false, "bound <component> <variant>");
	if (!rc)
		rc = want_component(&p->l, f[1], &c);
	if (!rc)
		rc = once(p, &p->bound_line[c], "bound <component>");
	if (rc)
		return rc;
	if (strcmp(f[2], "-") && !valid_name(f[2]))
		return lerr(&p->l, UNIFW_E_FORMAT, "expected \"-\" or a variant name [a-z0-9._-], found \"%.40s\"", f[2]);
	if (strcmp(f[2], "-"))
		memcpy(p->r->bound[c], f[2], strlen(f[2]) + 1);
	return 0;
}

static int parse_record_bind(struct record_parser *p)
{
	char *f[3];
	struct unifw_probe_record *r = p->r;
	int rc = split(&p->l, f, 3, false, "bind <source> <target>");
	if (rc)
		return rc;
	for (unsigned i = 1; i < 3; i++) {
		size_t cap = i == 1 ? sizeof r->bind[0].source : sizeof r->bind[0].target;
		if (!valid_abs_path(f[i], cap))
			return lerr(&p->l, UNIFW_E_UNSAFE,
				    "expected an absolute path of at most %zu characters [A-Za-z0-9._/+-] (no \"..\", no "
				    "\"//\"), found \"%.80s\"",
				    cap - 1, f[i]);
	}
	if (r->bind_count >= UNIFW_PROBE_MAX_RECORD_BINDS)
		return lerr(&p->l, UNIFW_E_TOO_BIG, "expected at most %u bind lines, found more", UNIFW_PROBE_MAX_RECORD_BINDS);
	memcpy(r->bind[r->bind_count].source, f[1], strlen(f[1]) + 1);
	memcpy(r->bind[r->bind_count].target, f[2], strlen(f[2]) + 1);
	r->bind_count++;
	return 0;
}

static int parse_record_prop(struct record_parser *p)
{
	char *f[2], key[96], value[96];
	int rc = split(&p->l, f, 2, false, "prop <key>=<value>");
	if (!rc)
		rc = split_prop(&p->l, f[1], key, sizeof key, value, sizeof value);
	if (rc)
		return rc;
	if (p->r->prop_count >= UNIFW_PROBE_MAX_PROPS)
		return lerr(&p->l, UNIFW_E_TOO_BIG, "expected at most %u prop lines, found more", UNIFW_PROBE_MAX_PROPS);
	snprintf(p->r->prop[p->r->prop_count++], sizeof p->r->prop[0], "%s=%s", key, value);
	return 0;
}

static int parse_record_fallback(struct record_parser *p)
{
	char *f[3];
	enum unifw_probe_component c;
	int rc = split(&p->l, f, 3, true, "fallback <component> <message>");
	if (!rc)
		rc = want_component(&p->l, f[1], &c);
	if (!rc)
		rc = once(p, &p->fallback_line[c], "fallback <component>");
	return rc ? rc : want_text(&p->l, p->r->fallback[c], sizeof p->r->fallback[c], f[2], "a message");
}

static int parse_record_line(struct record_parser *p)
{
	const char *s = p->l.buf;
	size_t n = strcspn(s, " ");
#define KW(k) (n == sizeof k - 1 && !strncmp(s, k, n))
	if (KW("lcm"))
		return parse_seen_key(p, p->r->lcm, &p->lcm_line, "lcm");
	if (KW("cid"))
		return parse_seen_key(p, p->r->cid, &p->cid_line, "cid");
	if (KW("i2c"))
		return parse_i2c(p);
	if (KW("bound"))
		return parse_bound(p);
	if (KW("bind"))
		return parse_record_bind(p);
	if (KW("prop"))
		return parse_record_prop(p);
	if (KW("fallback"))
		return parse_record_fallback(p);
	if (!strcmp(s, "done")) {
		p->r->done = true;
		return 0;
	}
#undef KW
	return lerr(&p->l, UNIFW_E_FORMAT, "expected lcm, i2c, cid, bound, bind, prop, fallback or done, found \"%.40s\"",
		    s);
}

/* A record that says "done" must say what it bound for every component. */
static int record_complete(struct record_parser *p)
{
	if (!p->r->done)
		return 0;
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		if (!p->bound_line[c])
			return lerr(&p->l, UNIFW_E_FORMAT, "expected a \"bound %s\" line before \"done\", found none",
				    unifw_probe_component_name((enum unifw_probe_component)c));
	return 0;
}

static int parse_record_lines(struct record_parser *p)
{
	int rc = next_line(&p->l);
	if (rc <= 0)
		return rc < 0 ? rc : lerr(&p->l, UNIFW_E_TRUNCATED, "expected \"%s\", found an empty text", RECORD_MAGIC);
	if (strcmp(p->l.buf, RECORD_MAGIC))
		return lerr(&p->l, UNIFW_E_FORMAT, "expected \"%s\", found \"%.40s\"", RECORD_MAGIC, p->l.buf);
	while ((rc = next_line(&p->l)) > 0) {
		if (p->r->done)
			return lerr(&p->l, UNIFW_E_FORMAT, "expected nothing after \"done\", found \"%.40s\"", p->l.buf);
		if (!p->l.buf[0] || p->l.buf[0] == '#')
			continue;
		if ((rc = parse_record_line(p)))
			return rc;
	}
	return rc < 0 ? rc : record_complete(p);
}

int unifw_probe_record_parse(const char *text, size_t len, const char *name, struct unifw_probe_record *r,
			     struct unifw_error *err)
{
	name = name ? name : "probe.txt";
	memset(r, 0, sizeof *r);
	if (len > UNIFW_PROBE_MAX_TEXT)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, UNIFW_NO_OFFSET,
				       "expected a probe record of at most %u bytes, found %zu", UNIFW_PROBE_MAX_TEXT, len);
	struct record_parser *p = calloc(1, sizeof *p);
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	p->l = (struct lines){ .text = text, .len = len, .name = name, .err = err };
	p->r = r;
	int rc = parse_record_lines(p);
	free(p);
	if (rc)
		memset(r, 0, sizeof *r);
	return rc;
}
