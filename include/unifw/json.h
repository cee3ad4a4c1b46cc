/* A small JSON value tree: every format describes what it found into one of these, the CLI prints
 * it as JSON (--json, stable keys documented in docs/json.md) or as a human report.
 * Ownership: a value added to an object/array belongs to it; unifw_jv_free frees the whole tree.
 * Allocation failures are sticky: a tree built after an OOM serialises as far as it got and
 * unifw_jv_oom() reports it, so builders need not check every call. */
#ifndef UNIFW_JSON_H
#define UNIFW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_jv_type { UNIFW_JV_NULL, UNIFW_JV_BOOL, UNIFW_JV_INT, UNIFW_JV_UINT, UNIFW_JV_STRING,
		     UNIFW_JV_ARRAY, UNIFW_JV_OBJECT };

struct unifw_jv;

struct unifw_jv *unifw_jv_object(void);
struct unifw_jv *unifw_jv_array(void);
struct unifw_jv *unifw_jv_string(const char *s);           /* copies; invalid UTF-8 bytes become \u00XX */
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

/* Serialise; pretty = 2-space indentation. Returns 0 or -1 on write error. */
int unifw_jv_write(const struct unifw_jv *v, FILE *out, bool pretty);
/* Malloc'd string (caller frees), NULL on OOM. */
char *unifw_jv_to_string(const struct unifw_jv *v, bool pretty);

#ifdef __cplusplus
}
#endif
#endif
