#include "unifw/json.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct unifw_jv {
	enum unifw_jv_type type;
	bool oom; /* set on a container when a child could not be allocated */
	union {
		bool b;
		int64_t i;
		uint64_t u;
		struct { char *p; size_t n; } s;
		struct { struct unifw_jv **items; char **keys; size_t n, cap; } c;
	} as;
};

static struct unifw_jv *jv_new(enum unifw_jv_type t)
{
	struct unifw_jv *v = calloc(1, sizeof *v);
	if (v)
		v->type = t;
	return v;
}

struct unifw_jv *unifw_jv_object(void) { return jv_new(UNIFW_JV_OBJECT); }
struct unifw_jv *unifw_jv_array(void) { return jv_new(UNIFW_JV_ARRAY); }
struct unifw_jv *unifw_jv_null(void) { return jv_new(UNIFW_JV_NULL); }

struct unifw_jv *unifw_jv_bool(bool b)
{
	struct unifw_jv *v = jv_new(UNIFW_JV_BOOL);
	if (v)
		v->as.b = b;
	return v;
}

struct unifw_jv *unifw_jv_uint(uint64_t u)
{
	struct unifw_jv *v = jv_new(UNIFW_JV_UINT);
	if (v)
		v->as.u = u;
	return v;
}

struct unifw_jv *unifw_jv_int(int64_t i)
{
	struct unifw_jv *v = jv_new(UNIFW_JV_INT);
	if (v)
		v->as.i = i;
	return v;
}

struct unifw_jv *unifw_jv_stringn(const char *s, size_t n)
{
	struct unifw_jv *v = jv_new(UNIFW_JV_STRING);
	if (!v)
		return NULL;
	v->as.s.p = malloc(n + 1);
	if (!v->as.s.p) {
		free(v);
		return NULL;
	}
	if (n)
		memcpy(v->as.s.p, s, n);
	v->as.s.p[n] = 0;
	v->as.s.n = n;
	return v;
}

struct unifw_jv *unifw_jv_string(const char *s)
{
	return s ? unifw_jv_stringn(s, strlen(s)) : unifw_jv_null();
}

void unifw_jv_free(struct unifw_jv *v)
{
	if (!v)
		return;
	if (v->type == UNIFW_JV_STRING)
		free(v->as.s.p);
	if (v->type == UNIFW_JV_ARRAY || v->type == UNIFW_JV_OBJECT) {
		for (size_t i = 0; i < v->as.c.n; i++) {
			unifw_jv_free(v->as.c.items[i]);
			if (v->as.c.keys)
				free(v->as.c.keys[i]);
		}
		free(v->as.c.items);
		free(v->as.c.keys);
	}
	free(v);
}

static bool jv_grow(struct unifw_jv *c)
{
	if (c->as.c.n < c->as.c.cap)
		return true;
	size_t cap = c->as.c.cap ? c->as.c.cap * 2 : 8;
	struct unifw_jv **items = realloc(c->as.c.items, cap * sizeof *items);
	if (!items)
		return false;
	c->as.c.items = items;
	if (c->type == UNIFW_JV_OBJECT) {
		char **keys = realloc(c->as.c.keys, cap * sizeof *keys);
		if (!keys)
			return false;
		c->as.c.keys = keys;
	}
	c->as.c.cap = cap;
	return true;
}

struct unifw_jv *unifw_jv_set(struct unifw_jv *obj, const char *key, struct unifw_jv *val)
{
	if (!obj || obj->type != UNIFW_JV_OBJECT) {
		unifw_jv_free(val);
		return NULL;
	}
	if (!val)
		val = jv_new(UNIFW_JV_NULL);
	/* Replace an existing key so that the last writer wins and keys stay unique. */
	for (size_t i = 0; val && i < obj->as.c.n; i++) {
		if (strcmp(obj->as.c.keys[i], key) == 0) {
			unifw_jv_free(obj->as.c.items[i]);
			obj->as.c.items[i] = val;
			return val;
		}
	}
	char *k = strdup(key);
	if (!val || !k || !jv_grow(obj)) {
		obj->oom = true;
		free(k);
		unifw_jv_free(val);
		return NULL;
	}
	obj->as.c.keys[obj->as.c.n] = k;
	obj->as.c.items[obj->as.c.n++] = val;
	return val;
}

struct unifw_jv *unifw_jv_push(struct unifw_jv *arr, struct unifw_jv *val)
{
	if (!arr || arr->type != UNIFW_JV_ARRAY) {
		unifw_jv_free(val);
		return NULL;
	}
	if (!val)
		val = jv_new(UNIFW_JV_NULL);
	if (!val || !jv_grow(arr)) {
		arr->oom = true;
		unifw_jv_free(val);
		return NULL;
	}
	arr->as.c.items[arr->as.c.n++] = val;
	return val;
}

struct unifw_jv *unifw_jv_set_str(struct unifw_jv *o, const char *k, const char *s) { return unifw_jv_set(o, k, unifw_jv_string(s)); }
struct unifw_jv *unifw_jv_set_uint(struct unifw_jv *o, const char *k, uint64_t v) { return unifw_jv_set(o, k, unifw_jv_uint(v)); }
struct unifw_jv *unifw_jv_set_int(struct unifw_jv *o, const char *k, int64_t v) { return unifw_jv_set(o, k, unifw_jv_int(v)); }
struct unifw_jv *unifw_jv_set_bool(struct unifw_jv *o, const char *k, bool v) { return unifw_jv_set(o, k, unifw_jv_bool(v)); }
struct unifw_jv *unifw_jv_set_obj(struct unifw_jv *o, const char *k) { return unifw_jv_set(o, k, unifw_jv_object()); }
struct unifw_jv *unifw_jv_set_arr(struct unifw_jv *o, const char *k) { return unifw_jv_set(o, k, unifw_jv_array()); }
struct unifw_jv *unifw_jv_push_str(struct unifw_jv *a, const char *s) { return unifw_jv_push(a, unifw_jv_string(s)); }
struct unifw_jv *unifw_jv_push_obj(struct unifw_jv *a) { return unifw_jv_push(a, unifw_jv_object()); }

struct unifw_jv *unifw_jv_set_hex(struct unifw_jv *o, const char *k, uint64_t v)
{
	return unifw_jv_set_strf(o, k, "0x%" PRIx64, v);
}

struct unifw_jv *unifw_jv_set_strf(struct unifw_jv *o, const char *k, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return unifw_jv_set_str(o, k, buf);
}

enum unifw_jv_type unifw_jv_type(const struct unifw_jv *v) { return v ? v->type : UNIFW_JV_NULL; }

struct unifw_jv *unifw_jv_get(const struct unifw_jv *obj, const char *key)
{
	if (!obj || obj->type != UNIFW_JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->as.c.n; i++)
		if (strcmp(obj->as.c.keys[i], key) == 0)
			return obj->as.c.items[i];
	return NULL;
}

struct unifw_jv *unifw_jv_path(const struct unifw_jv *v, const char *path)
{
	char part[128];
	const char *p = path;
	struct unifw_jv *cur = (struct unifw_jv *)v;

	while (cur && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof part)
			return NULL;
		memcpy(part, p, n);
		part[n] = 0;
		if (cur->type == UNIFW_JV_ARRAY) {
			char *end;
			unsigned long idx = strtoul(part, &end, 10);
			cur = (*end || idx >= cur->as.c.n) ? NULL : cur->as.c.items[idx];
		} else {
			cur = unifw_jv_get(cur, part);
		}
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

size_t unifw_jv_len(const struct unifw_jv *v)
{
	return (v && (v->type == UNIFW_JV_ARRAY || v->type == UNIFW_JV_OBJECT)) ? v->as.c.n : 0;
}

struct unifw_jv *unifw_jv_at(const struct unifw_jv *v, size_t i)
{
	return i < unifw_jv_len(v) ? v->as.c.items[i] : NULL;
}

const char *unifw_jv_key_at(const struct unifw_jv *obj, size_t i)
{
	return (obj && obj->type == UNIFW_JV_OBJECT && i < obj->as.c.n) ? obj->as.c.keys[i] : NULL;
}

const char *unifw_jv_str(const struct unifw_jv *v) { return (v && v->type == UNIFW_JV_STRING) ? v->as.s.p : NULL; }

uint64_t unifw_jv_u64(const struct unifw_jv *v)
{
	if (!v)
		return 0;
	if (v->type == UNIFW_JV_UINT)
		return v->as.u;
	if (v->type == UNIFW_JV_INT)
		return v->as.i < 0 ? 0 : (uint64_t)v->as.i;
	return 0;
}

int64_t unifw_jv_i64(const struct unifw_jv *v)
{
	if (!v)
		return 0;
	if (v->type == UNIFW_JV_INT)
		return v->as.i;
	if (v->type == UNIFW_JV_UINT)
		return v->as.u > INT64_MAX ? INT64_MAX : (int64_t)v->as.u;
	return 0;
}

bool unifw_jv_truthy(const struct unifw_jv *v)
{
	if (!v)
		return false;
	switch (v->type) {
	case UNIFW_JV_NULL: return false;
	case UNIFW_JV_BOOL: return v->as.b;
	case UNIFW_JV_INT: return v->as.i != 0;
	case UNIFW_JV_UINT: return v->as.u != 0;
	case UNIFW_JV_STRING: return v->as.s.n != 0;
	default: return true;
	}
}

bool unifw_jv_oom(const struct unifw_jv *v)
{
	if (!v)
		return true;
	if (v->oom)
		return true;
	for (size_t i = 0; i < unifw_jv_len(v); i++)
		if (unifw_jv_oom(v->as.c.items[i]))
			return true;
	return false;
}

/* --- serialisation: into a growable buffer, then to FILE or string --- */
struct sbuf { char *p; size_t n, cap; bool fail; };

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->fail)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->fail = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_str(struct sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* Length of a valid UTF-8 sequence starting at s (max n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	if (s[0] < 0x80) return 1;
	else if ((s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2) len = 2;
	else if ((s[0] & 0xF0) == 0xE0) len = 3;
	else if ((s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4) len = 4;
	else return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

static void sb_quoted(struct sbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[8];
	sb_put(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			esc[0] = '\\'; esc[1] = (char)c;
			sb_put(b, esc, 2);
			i++;
		} else if (c == '\n') { sb_str(b, "\\n"); i++; }
		else if (c == '\t') { sb_str(b, "\\t"); i++; }
		else if (c == '\r') { sb_str(b, "\\r"); i++; }
		else if (c < 0x20 || c == 0x7F) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			sb_str(b, esc);
			i++;
		} else {
			size_t l = utf8_seq(u + i, n - i);
			if (l == 0) {
				/* Firmware strings are bytes; keep them visible instead of producing invalid JSON. */
				snprintf(esc, sizeof esc, "\\u%04x", c);
				sb_str(b, esc);
				i++;
			} else {
				sb_put(b, s + i, l);
				i += l;
			}
		}
	}
	sb_put(b, "\"", 1);
}

static void sb_indent(struct sbuf *b, bool pretty, int depth)
{
	if (!pretty)
		return;
	sb_put(b, "\n", 1);
	for (int i = 0; i < depth; i++)
		sb_put(b, "  ", 2);
}

static void sb_value(struct sbuf *b, const struct unifw_jv *v, bool pretty, int depth)
{
	char num[32];
	switch (v ? v->type : UNIFW_JV_NULL) {
	case UNIFW_JV_NULL: sb_str(b, "null"); break;
	case UNIFW_JV_BOOL: sb_str(b, v->as.b ? "true" : "false"); break;
	case UNIFW_JV_INT: snprintf(num, sizeof num, "%" PRId64, v->as.i); sb_str(b, num); break;
	case UNIFW_JV_UINT: snprintf(num, sizeof num, "%" PRIu64, v->as.u); sb_str(b, num); break;
	case UNIFW_JV_STRING: sb_quoted(b, v->as.s.p, v->as.s.n); break;
	case UNIFW_JV_ARRAY:
	case UNIFW_JV_OBJECT: {
		bool obj = v->type == UNIFW_JV_OBJECT;
		sb_str(b, obj ? "{" : "[");
		for (size_t i = 0; i < v->as.c.n; i++) {
			if (i)
				sb_str(b, ",");
			sb_indent(b, pretty, depth + 1);
			if (obj) {
				sb_quoted(b, v->as.c.keys[i], strlen(v->as.c.keys[i]));
				sb_str(b, pretty ? ": " : ":");
			}
			sb_value(b, v->as.c.items[i], pretty, depth + 1);
		}
		if (v->as.c.n)
			sb_indent(b, pretty, depth);
		sb_str(b, obj ? "}" : "]");
		break;
	}
	}
}

char *unifw_jv_to_string(const struct unifw_jv *v, bool pretty)
{
	struct sbuf b = {0};
	sb_value(&b, v, pretty, 0);
	if (b.fail) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int unifw_jv_write(const struct unifw_jv *v, FILE *out, bool pretty)
{
	char *s = unifw_jv_to_string(v, pretty);
	if (!s)
		return -1;
	int rc = (fputs(s, out) < 0 || fputc('\n', out) == EOF) ? -1 : 0;
	free(s);
	return rc;
}
