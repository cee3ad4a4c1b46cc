/* A small JSON value tree: every format describes what it found into one of these, the CLI prints
 * it as JSON (--json, stable keys documented in docs/json.md) or as a human report.
 * The tree is jansson's (docs/architecture.md "JSON"); this API keeps callers independent of it.
 * Ownership: a value added to an object/array belongs to it; unifw_jv_free frees the whole tree.
 * Allocation failures are sticky: a tree built after an OOM serialises as far as it got and
 * unifw_jv_oom() reports it, so builders need not check every call.
 * Numbers: an integer is UNIFW_JV_UINT when >= 0 and UNIFW_JV_INT when negative, whichever
 * constructor made it. A uint64 above INT64_MAX is kept as a double (JSON readers lose precision
 * past 2^53 anyway): it serialises as e.g. 1.8446744073709552e+19 and reads back clamped. */
#ifndef UNIFW_JSON_H
#define UNIFW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "unifw/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_jv_type { UNIFW_JV_NULL, UNIFW_JV_BOOL, UNIFW_JV_INT, UNIFW_JV_UINT, UNIFW_JV_STRING,
		     UNIFW_JV_ARRAY, UNIFW_JV_OBJECT };

struct unifw_jv;

struct unifw_jv *unifw_jv_object(void);
struct unifw_jv *unifw_jv_array(void);
/* Copies. Strings are UTF-8: an invalid byte 0xXX is stored as U+00XX and serialises as "\u00XX". */
struct unifw_jv *unifw_jv_string(const char *s);
struct unifw_jv *unifw_jv_stringn(const char *s, size_t n); /* copies n bytes (may contain NUL) */
struct unifw_jv *unifw_jv_uint(uint64_t v);
struct unifw_jv *unifw_jv_int(int64_t v);
struct unifw_jv *unifw_jv_bool(bool v);
struct unifw_jv *unifw_jv_null(void);
void unifw_jv_free(struct unifw_jv *v);

/* Object setters: add key (copied) -> value; a NULL value is stored as JSON null.
 * Return the value added (or NULL on OOM), so nested building reads naturally. */
struct unifw_jv *unifw_jv_set(struct unifw_jv *obj, const char *key, struct unifw_jv *val);
struct unifw_jv *unifw_jv_set_str(struct unifw_jv *obj, const char *key, const char *s);
struct unifw_jv *unifw_jv_set_strf(struct unifw_jv *obj, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct unifw_jv *unifw_jv_set_uint(struct unifw_jv *obj, const char *key, uint64_t v);
struct unifw_jv *unifw_jv_set_int(struct unifw_jv *obj, const char *key, int64_t v);
struct unifw_jv *unifw_jv_set_bool(struct unifw_jv *obj, const char *key, bool v);
/* Hex string "0x..." for addresses and magic values (JSON numbers lose precision past 2^53). */
struct unifw_jv *unifw_jv_set_hex(struct unifw_jv *obj, const char *key, uint64_t v);
struct unifw_jv *unifw_jv_set_obj(struct unifw_jv *obj, const char *key); /* new empty object */
struct unifw_jv *unifw_jv_set_arr(struct unifw_jv *obj, const char *key); /* new empty array */
struct unifw_jv *unifw_jv_push(struct unifw_jv *arr, struct unifw_jv *val);
struct unifw_jv *unifw_jv_push_str(struct unifw_jv *arr, const char *s);
struct unifw_jv *unifw_jv_push_obj(struct unifw_jv *arr);

/* Readers (for tests and for the human renderer). */
enum unifw_jv_type unifw_jv_type(const struct unifw_jv *v);
struct unifw_jv *unifw_jv_get(const struct unifw_jv *obj, const char *key); /* NULL if absent */
/* Dotted path lookup: "partitions.3.name" (array index as a number). */
struct unifw_jv *unifw_jv_path(const struct unifw_jv *v, const char *path);
size_t unifw_jv_len(const struct unifw_jv *v);                      /* array/object members */
struct unifw_jv *unifw_jv_at(const struct unifw_jv *v, size_t i);   /* array item or object value */
const char *unifw_jv_key_at(const struct unifw_jv *obj, size_t i);
const char *unifw_jv_str(const struct unifw_jv *v);                 /* NULL if not a string */
uint64_t unifw_jv_u64(const struct unifw_jv *v);                    /* 0 if not a number */
int64_t unifw_jv_i64(const struct unifw_jv *v);
bool unifw_jv_truthy(const struct unifw_jv *v);
bool unifw_jv_oom(const struct unifw_jv *v);

/* Serialise (ASCII only: anything else is a \u escape); pretty = 2-space indentation.
 * Returns 0 or -1 on write error. */
int unifw_jv_write(const struct unifw_jv *v, FILE *out, bool pretty);
/* Malloc'd string (caller frees), NULL on OOM. */
char *unifw_jv_to_string(const struct unifw_jv *v, bool pretty);

/* Parse JSON text (manifests, journals) into a tree. Strict: UTF-8, one value and nothing after it,
 * no \u0000, a duplicate key is an error, integers must fit int64 (fractions are kept as their text,
 * a string), at most max_bytes of text and max_depth nested arrays/objects. Errors: UNIFW_E_FORMAT
 * (UNIFW_E_TOO_BIG past max_bytes) with err->where = name, err->offset = the byte and "line L,
 * column C" in the message. Caller frees *out. */
int unifw_jv_parse(const char *buf, size_t len, const char *name, size_t max_bytes, size_t max_depth,
		   struct unifw_jv **out, struct unifw_error *err);

/* One typed reader for the documents unifw writes and reads back (backup manifest, backup journal,
 * flash journal): a table says, per key, the type, whether it is required, where it goes and its bounds.
 * Errors name the file (err->where), the object (`what`, e.g. "journal partitions.2") and the key, with
 * what was expected and what was found. An optional key that is absent (or null, with null_ok) leaves
 * its destination untouched. */
enum unifw_jv_field_type {
	UNIFW_JF_STR,    /* dst: char[cap]; a string shorter than cap */
	UNIFW_JF_U64,    /* dst: uint64_t; an integer in [min, max] (max 0: no upper bound) */
	UNIFW_JF_BOOL,   /* dst: bool */
	UNIFW_JF_HEX,    /* dst: uint8_t[cap]; a string of exactly 2 * cap hex digits */
	UNIFW_JF_OBJECT, /* dst: const struct unifw_jv *; an object (read it with its own table) */
	UNIFW_JF_ARRAY,  /* dst: const struct unifw_jv *; an array of at most max items (max 0: any) */
};

struct unifw_jv_field {
	const char *key;
	enum unifw_jv_field_type type;
	bool required;
	void *dst;
	size_t cap;
	uint64_t min, max;
	bool null_ok; /* null reads as absent */
};

/* Read every field of the table from obj (which must be an object). Returns 0 or the first error
 * (UNIFW_E_FORMAT). */
int unifw_jv_read(const struct unifw_jv *obj, const struct unifw_jv_field *fields, size_t count, const char *file,
		  const char *what, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
