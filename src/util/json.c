/* The unifw_jv API (include/unifw/json.h) over jansson's value tree: a struct unifw_jv * is a json_t *,
 * cast here and nowhere else. Jansson does the tree, the parser and the serialiser; this file adds what
 * unifw documents on top: strings sanitised to UTF-8 before jansson sees them, uint64 numbers, sticky
 * allocation failures, dotted paths, the parse limits and the typed field reader. Why jansson:
 * docs/architecture.md "JSON". */
#include "unifw/json.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/hash.h"

static json_t *J(const struct unifw_jv *v) { return (json_t *)v; }
static struct unifw_jv *V(json_t *j) { return (struct unifw_jv *)j; }

/* --- sticky allocation failures ------------------------------------------------------------------
 * A json_t has no room for a flag, so the containers that lost a child are remembered here. Failures
 * are rare: the table is normally empty and costs nothing; if it ever fills, every tree reports OOM
 * (wrong only towards caution). */
#define OOM_SLOTS 64

static struct {
	pthread_mutex_t lock;
	const json_t *slot[OOM_SLOTS];
	size_t count;
	bool overflow;
} oom_table = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void oom_mark(const json_t *container)
{
	pthread_mutex_lock(&oom_table.lock);
	if (oom_table.count < OOM_SLOTS)
		oom_table.slot[oom_table.count++] = container;
	else
		oom_table.overflow = true;
	pthread_mutex_unlock(&oom_table.lock);
}

static bool oom_marked(const json_t *j)
{
	for (size_t i = 0; i < oom_table.count; i++)
		if (oom_table.slot[i] == j)
			return true;
	return false;
}

/* Calls f on every container of the tree (depth is bounded: parsed trees by max_depth, built trees by
 * their builders). */
static bool any_container(const json_t *j, bool (*f)(const json_t *))
{
	if (json_is_array(j)) {
		if (f(j))
			return true;
		for (size_t i = 0; i < json_array_size(j); i++)
			if (any_container(json_array_get(j, i), f))
				return true;
	} else if (json_is_object(j)) {
		if (f(j))
			return true;
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)j, k, x)
			if (any_container(x, f))
				return true;
	}
	return false;
}

static bool oom_forget(const json_t *j)
{
	for (size_t i = 0; i < oom_table.count; i++)
		if (oom_table.slot[i] == j)
			oom_table.slot[i--] = oom_table.slot[--oom_table.count];
	return false;
}

/* Before a subtree is freed: its containers' addresses may be reused. */
static void oom_purge(const json_t *j)
{
	pthread_mutex_lock(&oom_table.lock);
	if (oom_table.count)
		any_container(j, oom_forget);
	pthread_mutex_unlock(&oom_table.lock);
}

/* --- index access to objects ---------------------------------------------------------------------
 * Jansson iterates objects in insertion order but has no index; loops over unifw_jv_at(obj, i) would be
 * quadratic. The last position is cached per thread so that i, i+1, ... costs one step each. */
static _Thread_local struct {
	const json_t *obj;
	size_t i, size;
	void *iter;
} at_cache;

static void at_cache_drop(void) { at_cache.obj = NULL; }

static void *object_iter_at(const json_t *obj, size_t i)
{
	size_t size = json_object_size(obj);
	if (i >= size)
		return NULL;
	size_t k = 0;
	void *it;
	if (at_cache.obj == obj && at_cache.size == size && at_cache.i <= i) {
		k = at_cache.i;
		it = at_cache.iter;
	} else {
		it = json_object_iter((json_t *)obj);
	}
	for (; it && k < i; k++)
		it = json_object_iter_next((json_t *)obj, it);
	if (it) {
		at_cache.obj = obj;
		at_cache.i = i;
		at_cache.size = size;
		at_cache.iter = it;
	}
	return it;
}

/* --- strings: UTF-8 before jansson sees them ---------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes; no overlongs, surrogates or code points
 * past U+10FFFF, the rules jansson checks), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		if (s[0] == 0xE0)
			lo = 0xA0;
		else if (s[0] == 0xED)
			hi = 0x9F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		if (s[0] == 0xF0)
			lo = 0x90;
		else if (s[0] == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (len > n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

static bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = utf8_seq((const unsigned char *)s + i, n - i)))
			return false;
	return true;
}

/* Firmware strings are bytes: each invalid byte 0xXX becomes U+00XX, so it stays visible and the
 * output ("\u00XX" once serialised) stays valid JSON. Returns a malloc'd copy and its length. */
static char *utf8_sanitise(const char *s, size_t n, size_t *out_len)
{
	const unsigned char *u = (const unsigned char *)s;
	char *o = n <= (SIZE_MAX - 1) / 2 ? malloc(2 * n + 1) : NULL;
	size_t k = 0;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(u + i, n - i);
		if (l) {
			memcpy(o + k, s + i, l);
			k += l;
			i += l;
		} else {
			o[k++] = (char)(0xC0 | u[i] >> 6);
			o[k++] = (char)(0x80 | (u[i] & 0x3F));
			i++;
		}
	}
	o[k] = 0;
	*out_len = k;
	return o;
}

/* --- builders -------------------------------------------------------------------------------------- */

struct unifw_jv *unifw_jv_object(void) { return V(json_object()); }
struct unifw_jv *unifw_jv_array(void) { return V(json_array()); }
struct unifw_jv *unifw_jv_null(void) { return V(json_null()); }
struct unifw_jv *unifw_jv_bool(bool b) { return V(json_boolean(b)); }
struct unifw_jv *unifw_jv_int(int64_t i) { return V(json_integer((json_int_t)i)); }

struct unifw_jv *unifw_jv_uint(uint64_t u)
{
	return V(u <= INT64_MAX ? json_integer((json_int_t)u) : json_real((double)u));
}

struct unifw_jv *unifw_jv_stringn(const char *s, size_t n)
{
	if (utf8_valid(s, n))
		return V(json_stringn_nocheck(s, n));
	size_t len;
	char *clean = utf8_sanitise(s, n, &len);
	json_t *j = clean ? json_stringn_nocheck(clean, len) : NULL;
	free(clean);
	return V(j);
}

struct unifw_jv *unifw_jv_string(const char *s)
{
	return s ? unifw_jv_stringn(s, strlen(s)) : unifw_jv_null();
}

void unifw_jv_free(struct unifw_jv *v)
{
	if (!v)
		return;
	at_cache_drop();
	if (json_is_array(J(v)) || json_is_object(J(v)))
		oom_purge(J(v));
	json_decref(J(v));
}

/* obj[key] = j (j owned). A key that is not UTF-8 is sanitised like a value. */
static int object_put(json_t *obj, const char *key, json_t *j)
{
	size_t klen = strlen(key);
	if (utf8_valid(key, klen)) {
		json_t *old = json_object_getn(obj, key, klen);
		if (old && old != j)
			oom_purge(old);
		return json_object_setn_new_nocheck(obj, key, klen, j);
	}
	char *clean = utf8_sanitise(key, klen, &klen);
	if (!clean) {
		json_decref(j);
		return -1;
	}
	int rc = object_put(obj, clean, j);
	free(clean);
	return rc;
}

struct unifw_jv *unifw_jv_set(struct unifw_jv *obj, const char *key, struct unifw_jv *val)
{
	if (!json_is_object(J(obj)) || !key) {
		unifw_jv_free(val);
		return NULL;
	}
	at_cache_drop();
	json_t *j = val ? J(val) : json_null();
	if (object_put(J(obj), key, j) < 0) {
		oom_mark(J(obj));
		return NULL;
	}
	return V(j);
}

struct unifw_jv *unifw_jv_push(struct unifw_jv *arr, struct unifw_jv *val)
{
	if (!json_is_array(J(arr))) {
		unifw_jv_free(val);
		return NULL;
	}
	json_t *j = val ? J(val) : json_null();
	if (json_array_append_new(J(arr), j) < 0) {
		oom_mark(J(arr));
		return NULL;
	}
	return V(j);
}

/* A value the builder made itself: NULL here means its allocation failed, which the container keeps. */
static struct unifw_jv *set_made(struct unifw_jv *obj, const char *key, struct unifw_jv *made)
{
	if (!made) {
		if (json_is_object(J(obj)))
			oom_mark(J(obj));
		return NULL;
	}
	return unifw_jv_set(obj, key, made);
}

static struct unifw_jv *push_made(struct unifw_jv *arr, struct unifw_jv *made)
{
	if (!made) {
		if (json_is_array(J(arr)))
			oom_mark(J(arr));
		return NULL;
	}
	return unifw_jv_push(arr, made);
}

struct unifw_jv *unifw_jv_set_str(struct unifw_jv *o, const char *k, const char *s) { return set_made(o, k, unifw_jv_string(s)); }
struct unifw_jv *unifw_jv_set_uint(struct unifw_jv *o, const char *k, uint64_t v) { return set_made(o, k, unifw_jv_uint(v)); }
struct unifw_jv *unifw_jv_set_int(struct unifw_jv *o, const char *k, int64_t v) { return set_made(o, k, unifw_jv_int(v)); }
struct unifw_jv *unifw_jv_set_bool(struct unifw_jv *o, const char *k, bool v) { return set_made(o, k, unifw_jv_bool(v)); }
struct unifw_jv *unifw_jv_set_obj(struct unifw_jv *o, const char *k) { return set_made(o, k, unifw_jv_object()); }
struct unifw_jv *unifw_jv_set_arr(struct unifw_jv *o, const char *k) { return set_made(o, k, unifw_jv_array()); }
struct unifw_jv *unifw_jv_push_str(struct unifw_jv *a, const char *s) { return push_made(a, unifw_jv_string(s)); }
struct unifw_jv *unifw_jv_push_obj(struct unifw_jv *a) { return push_made(a, unifw_jv_object()); }

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

/* --- readers --------------------------------------------------------------------------------------- */

enum unifw_jv_type unifw_jv_type(const struct unifw_jv *v)
{
	switch (v ? json_typeof(J(v)) : JSON_NULL) {
	case JSON_OBJECT: return UNIFW_JV_OBJECT;
	case JSON_ARRAY: return UNIFW_JV_ARRAY;
	case JSON_STRING: return UNIFW_JV_STRING;
	case JSON_INTEGER: return json_integer_value(J(v)) < 0 ? UNIFW_JV_INT : UNIFW_JV_UINT;
	case JSON_REAL: return UNIFW_JV_UINT; /* only unifw_jv_uint makes reals: parsed ones become text */
	case JSON_TRUE:
	case JSON_FALSE: return UNIFW_JV_BOOL;
	default: return UNIFW_JV_NULL;
	}
}

struct unifw_jv *unifw_jv_get(const struct unifw_jv *obj, const char *key)
{
	return json_is_object(J(obj)) && key ? V(json_object_get(J(obj), key)) : NULL;
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
		if (json_is_array(J(cur))) {
			char *end;
			unsigned long idx = strtoul(part, &end, 10);
			cur = *end ? NULL : V(json_array_get(J(cur), idx));
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
	if (json_is_array(J(v)))
		return json_array_size(J(v));
	return json_is_object(J(v)) ? json_object_size(J(v)) : 0;
}

struct unifw_jv *unifw_jv_at(const struct unifw_jv *v, size_t i)
{
	if (json_is_array(J(v)))
		return V(json_array_get(J(v), i));
	if (!json_is_object(J(v)))
		return NULL;
	void *it = object_iter_at(J(v), i);
	return it ? V(json_object_iter_value(it)) : NULL;
}

const char *unifw_jv_key_at(const struct unifw_jv *obj, size_t i)
{
	if (!json_is_object(J(obj)))
		return NULL;
	void *it = object_iter_at(J(obj), i);
	return it ? json_object_iter_key(it) : NULL;
}

const char *unifw_jv_str(const struct unifw_jv *v) { return json_string_value(J(v)); }

uint64_t unifw_jv_u64(const struct unifw_jv *v)
{
	if (json_is_integer(J(v))) {
		json_int_t i = json_integer_value(J(v));
		return i < 0 ? 0 : (uint64_t)i;
	}
	if (json_is_real(J(v))) {
		double d = json_real_value(J(v));
		return d <= 0 ? 0 : d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
	}
	return 0;
}

int64_t unifw_jv_i64(const struct unifw_jv *v)
{
	if (json_is_integer(J(v)))
		return (int64_t)json_integer_value(J(v));
	return json_is_real(J(v)) ? INT64_MAX : 0; /* reals hold uint64 values above INT64_MAX */
}

bool unifw_jv_truthy(const struct unifw_jv *v)
{
	switch (unifw_jv_type(v)) {
	case UNIFW_JV_NULL: return false;
	case UNIFW_JV_BOOL: return json_is_true(J(v));
	case UNIFW_JV_INT:
	case UNIFW_JV_UINT: return unifw_jv_u64(v) != 0 || unifw_jv_i64(v) != 0;
	case UNIFW_JV_STRING: return json_string_length(J(v)) != 0;
	default: return true;
	}
}

bool unifw_jv_oom(const struct unifw_jv *v)
{
	if (!v)
		return true;
	pthread_mutex_lock(&oom_table.lock);
	bool oom = oom_table.overflow || (oom_table.count && any_container(J(v), oom_marked));
	pthread_mutex_unlock(&oom_table.lock);
	return oom;
}

/* --- serialisation ------------------------------------------------------------------------------- */

char *unifw_jv_to_string(const struct unifw_jv *v, bool pretty)
{
	if (!v)
		return strdup("null");
	size_t flags = JSON_ENCODE_ANY | JSON_ENSURE_ASCII | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
	return json_dumps(J(v), flags);
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

/* --- parsing ------------------------------------------------------------------------------------- */

static int parse_fail(struct unifw_error *err, int code, const char *name, size_t pos, int line, int col,
		      const char *what)
{
	return unifw_error_set(err, code, name, pos, "JSON line %d, column %d: %s", line, col, what);
}

/* Nesting is checked on the raw text before jansson recurses into it: a bomb of brackets costs a scan,
 * not a stack. */
static int check_depth(const char *buf, size_t len, const char *name, size_t max_depth, struct unifw_error *err)
{
	size_t depth = 0;
	int line = 1, col = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		col++;
		if (c == '\n') {
			line++;
			col = 0;
		} else if (in_str) {
			if (c == '\\')
				i++, col++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth) {
				char what[64];
				snprintf(what, sizeof what, "nesting deeper than %zu levels", max_depth);
				return parse_fail(err, UNIFW_E_FORMAT, name, i, line, col, what);
			}
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return 0;
}

/* Reals become the text they were written as (as near as %.17g gets): unifw's documents hold none, and
 * the tree's number types are integers. */
static int reals_to_text(json_t *j)
{
	if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++) {
			json_t *x = json_array_get(j, i);
			if (json_is_real(x) ? json_array_set_new(j, i, json_sprintf("%.17g", json_real_value(x)))
					    : reals_to_text(x))
				return -1;
		}
	} else if (json_is_object(j)) {
		for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
			json_t *x = json_object_iter_value(it);
			if (json_is_real(x) ? json_object_iter_set_new(j, it, json_sprintf("%.17g", json_real_value(x)))
					    : reals_to_text(x))
				return -1;
		}
	}
	return 0;
}

int unifw_jv_parse(const char *buf, size_t len, const char *name, size_t max_bytes, size_t max_depth,
		   struct unifw_jv **out, struct unifw_error *err)
{
	*out = NULL;
	if (len > max_bytes)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, UNIFW_NO_OFFSET, "JSON text of %zu bytes; at most %zu",
				       len, max_bytes);
	int rc = check_depth(buf, len, name, max_depth, err);
	if (rc)
		return rc;
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory reading JSON");
		return parse_fail(err, UNIFW_E_FORMAT, name, je.position < 0 ? 0 : (size_t)je.position, je.line,
				  je.column, je.text);
	}
	if (reals_to_text(j)) {
		json_decref(j);
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory reading JSON");
	}
	*out = V(j);
	return 0;
}

/* --- typed reader ------------------------------------------------------------------------------- */

static const char *found_what(const json_t *j)
{
	switch (j ? json_typeof(j) : JSON_NULL) {
	case JSON_OBJECT: return "found an object";
	case JSON_ARRAY: return "found an array";
	case JSON_STRING: return "found a string";
	case JSON_INTEGER:
	case JSON_REAL: return "found a number";
	case JSON_TRUE:
	case JSON_FALSE: return "found true or false";
	default: return j ? "found null" : "missing";
	}
}

static int field_fail(struct unifw_error *err, const char *file, const char *what, const char *key,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int field_fail(struct unifw_error *err, const char *file, const char *what, const char *key,
		      const char *fmt, ...)
{
	char detail[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return unifw_error_set(err, UNIFW_E_FORMAT, file, UNIFW_NO_OFFSET, "%s key \"%s\": expected %s", what, key,
			       detail);
}

static const char *type_wanted(enum unifw_jv_field_type t)
{
	switch (t) {
	case UNIFW_JF_STR:
	case UNIFW_JF_HEX: return "a string";
	case UNIFW_JF_U64: return "a non-negative number";
	case UNIFW_JF_BOOL: return "true or false";
	case UNIFW_JF_OBJECT: return "an object";
	default: return "an array";
	}
}

static bool type_fits(enum unifw_jv_field_type t, const json_t *j)
{
	switch (t) {
	case UNIFW_JF_STR:
	case UNIFW_JF_HEX: return json_is_string(j);
	case UNIFW_JF_U64: return json_is_integer(j) && json_integer_value(j) >= 0;
	case UNIFW_JF_BOOL: return json_is_boolean(j);
	case UNIFW_JF_OBJECT: return json_is_object(j);
	default: return json_is_array(j);
	}
}

static int read_field(const json_t *j, const struct unifw_jv_field *f, const char *file, const char *what,
		      struct unifw_error *err)
{
	const char *s = json_string_value(j);
	switch (f->type) {
	case UNIFW_JF_STR:
		if (json_string_length(j) >= f->cap || strlen(s) != json_string_length(j))
			return field_fail(err, file, what, f->key, "a string of at most %zu bytes, found %zu", f->cap - 1,
					  json_string_length(j));
		memcpy(f->dst, s, json_string_length(j) + 1);
		return 0;
	case UNIFW_JF_HEX:
		if (json_string_length(j) != 2 * f->cap || !unifw_unhex(s, f->dst, f->cap))
			return field_fail(err, file, what, f->key, "%zu hex digits, found \"%.80s\"", 2 * f->cap, s);
		return 0;
	case UNIFW_JF_U64: {
		uint64_t v = (uint64_t)json_integer_value(j);
		if (v < f->min || (f->max && v > f->max))
			return field_fail(err, file, what, f->key, "a number from %" PRIu64 " to %" PRIu64 ", found %" PRIu64,
					  f->min, f->max ? f->max : UINT64_MAX, v);
		*(uint64_t *)f->dst = v;
		return 0;
	}
	case UNIFW_JF_BOOL:
		*(bool *)f->dst = json_is_true(j);
		return 0;
	case UNIFW_JF_ARRAY:
		if (f->max && json_array_size(j) > f->max)
			return field_fail(err, file, what, f->key, "at most %" PRIu64 " items, found %zu", f->max,
					  json_array_size(j));
		/* fall through */
	default:
		*(const struct unifw_jv **)f->dst = V((json_t *)j);
		return 0;
	}
}

int unifw_jv_read(const struct unifw_jv *obj, const struct unifw_jv_field *fields, size_t count, const char *file,
		  const char *what, struct unifw_error *err)
{
	if (!json_is_object(J(obj)))
		return unifw_error_set(err, UNIFW_E_FORMAT, file, UNIFW_NO_OFFSET, "%s: expected an object, %s", what,
				       found_what(J(obj)));
	for (size_t i = 0; i < count; i++) {
		const struct unifw_jv_field *f = &fields[i];
		const json_t *j = json_object_get(J(obj), f->key);
		if (!j || (f->null_ok && json_is_null(j))) {
			if (f->required)
				return field_fail(err, file, what, f->key, "%s, missing", type_wanted(f->type));
			continue;
		}
		if (!type_fits(f->type, j))
			return field_fail(err, file, what, f->key, "%s, %s", type_wanted(f->type), found_what(j));
		int rc = read_field(j, f, file, what, err);
		if (rc)
			return rc;
	}
	return 0;
}
