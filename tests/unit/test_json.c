/* The JSON layer (include/unifw/json.h over jansson): the builder/reader API, serialisation, the parser's
 * limits and hostile inputs, sticky allocation failures and the typed field reader. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/json.h"

#define NO_LIMIT ((size_t)1 << 20)

static struct unifw_jv *parse_ok(const char *text)
{
	struct unifw_jv *v = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	if (unifw_jv_parse(text, strlen(text), "t.json", NO_LIMIT, 32, &v, &e))
		fail_msg("'%s' does not parse: %s", text, e.msg);
	return v;
}

static void json_tree_serialises_escaped_and_stable(void **state)
{
	(void)state;
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "scatter");
	unifw_jv_set_uint(o, "size", 0x600000);
	unifw_jv_set_hex(o, "addr", 0xFFFF00A8);
	unifw_jv_set_str(o, "weird", "a\"b\\c\n\x01\xff");
	struct unifw_jv *a = unifw_jv_set_arr(o, "parts");
	unifw_jv_set_str(unifw_jv_push_obj(a), "name", "PRELOADER");
	unifw_jv_set_int(o, "neg", -5);
	unifw_jv_set_uint(o, "size", 7); /* replace keeps key order and uniqueness */
	char *s = unifw_jv_to_string(o, false);
	/* jansson writes \u escapes with capital hex digits */
	assert_string_equal(s, "{\"type\":\"scatter\",\"size\":7,\"addr\":\"0xffff00a8\","
			       "\"weird\":\"a\\\"b\\\\c\\n\\u0001\\u00FF\",\"parts\":[{\"name\":\"PRELOADER\"}],\"neg\":-5}");
	free(s);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "parts.0.name")), "PRELOADER");
	assert_null(unifw_jv_path(o, "parts.1.name"));
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "size")), 7);
	assert_false(unifw_jv_oom(o));
	unifw_jv_free(o);
}

/* Pretty output: 2-space indentation, "key": value, empty containers on one line. */
static void pretty_output_is_two_space_indented(void **state)
{
	(void)state;
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "x");
	unifw_jv_push_str(unifw_jv_set_arr(o, "list"), "a");
	unifw_jv_set_obj(o, "empty");
	unifw_jv_set(o, "nothing", NULL);
	unifw_jv_set_str(o, "utf8", "\xc3\xa9");
	char *s = unifw_jv_to_string(o, true);
	assert_string_equal(s, "{\n  \"type\": \"x\",\n  \"list\": [\n    \"a\"\n  ],\n  \"empty\": {},\n"
			       "  \"nothing\": null,\n  \"utf8\": \"\\u00E9\"\n}");
	free(s);
	unifw_jv_free(o);
}

/* Invalid bytes are kept visible (U+00XX), valid UTF-8 as it is; both read back as the same text. */
static void strings_are_sanitised_to_utf8(void **state)
{
	(void)state;
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "bad", "A\x80\xed\xa0\x80Z");     /* a stray continuation byte, a UTF-16 surrogate */
	unifw_jv_set_str(o, "good", "\xe2\x82\xac\xf0\x9f\x98\x80"); /* euro sign, an emoji */
	unifw_jv_set(o, "nul", unifw_jv_stringn("a\0b", 3));
	unifw_jv_set_str(o, "\xff key", "v");                  /* keys too */
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "bad")), "A\xc2\x80\xc3\xad\xc2\xa0\xc2\x80Z");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "good")), "\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_string_equal(unifw_jv_key_at(o, 3), "\xc3\xbf key");
	char *s = unifw_jv_to_string(o, false);
	assert_string_equal(s, "{\"bad\":\"A\\u0080\\u00ED\\u00A0\\u0080Z\",\"good\":\"\\u20AC\\uD83D\\uDE00\","
			       "\"nul\":\"a\\u0000b\",\"\\u00FF key\":\"v\"}");
	free(s);
	unifw_jv_free(o);
}

/* Integers are UINT when >= 0 and INT when negative; uint64 past INT64_MAX is kept as a double. */
static void numbers_keep_their_range(void **state)
{
	(void)state;
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_uint(o, "max63", INT64_MAX);
	unifw_jv_set_uint(o, "max64", UINT64_MAX);
	unifw_jv_set_uint(o, "big", (uint64_t)1 << 63);
	unifw_jv_set_int(o, "min", INT64_MIN);
	unifw_jv_set_int(o, "zero", 0);
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "max63")), UNIFW_JV_UINT);
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "max64")), UNIFW_JV_UINT);
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "min")), UNIFW_JV_INT);
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "zero")), UNIFW_JV_UINT);
	assert_true(unifw_jv_u64(unifw_jv_get(o, "max63")) == (uint64_t)INT64_MAX);
	assert_true(unifw_jv_u64(unifw_jv_get(o, "max64")) == UINT64_MAX);
	assert_true(unifw_jv_u64(unifw_jv_get(o, "big")) == (uint64_t)1 << 63);
	assert_true(unifw_jv_i64(unifw_jv_get(o, "max64")) == INT64_MAX);
	assert_true(unifw_jv_i64(unifw_jv_get(o, "min")) == INT64_MIN);
	assert_true(unifw_jv_u64(unifw_jv_get(o, "min")) == 0);
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "max64")));
	assert_false(unifw_jv_truthy(unifw_jv_get(o, "zero")));
	char *s = unifw_jv_to_string(o, false);
	assert_string_equal(s, "{\"max63\":9223372036854775807,\"max64\":1.8446744073709552e19,"
			       "\"big\":9.2233720368547758e18,\"min\":-9223372036854775808,\"zero\":0}");
	free(s);
	unifw_jv_free(o);
}

/* Objects answer by index in insertion order, also in long loops (the iterator is cached). */
static void objects_answer_by_index(void **state)
{
	(void)state;
	struct unifw_jv *o = unifw_jv_object();
	char key[16];
	for (unsigned i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%u", 4999 - i);
		unifw_jv_set_uint(o, key, i);
	}
	assert_int_equal(unifw_jv_len(o), 5000);
	for (size_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%zu", 4999 - i);
		assert_string_equal(unifw_jv_key_at(o, i), key);
		assert_int_equal(unifw_jv_u64(unifw_jv_at(o, i)), i);
	}
	assert_string_equal(unifw_jv_key_at(o, 7), "k4992"); /* backwards after the loop */
	assert_null(unifw_jv_key_at(o, 5000));
	assert_null(unifw_jv_at(o, 5000));
	unifw_jv_free(o);
}

/* The parser reads unifw's documents back into the same tree. */
static void parse_round_trips(void **state)
{
	(void)state;
	const char *good = "{\"a\":[1,-2,true,false,null,\"x\\u00e9\\ud83d\\ude00\\n\"],\"b\":{\"c\":1.5}}";
	struct unifw_jv *v = parse_ok(good);
	assert_int_equal(unifw_jv_i64(unifw_jv_path(v, "a.1")), -2);
	assert_int_equal(unifw_jv_type(unifw_jv_path(v, "a.0")), UNIFW_JV_UINT);
	assert_int_equal(unifw_jv_type(unifw_jv_path(v, "a.4")), UNIFW_JV_NULL);
	assert_string_equal(unifw_jv_str(unifw_jv_path(v, "a.5")), "x\xc3\xa9\xf0\x9f\x98\x80\n");
	assert_string_equal(unifw_jv_str(unifw_jv_path(v, "b.c")), "1.5"); /* fractions stay text */
	char *s = unifw_jv_to_string(v, true);
	struct unifw_jv *again = parse_ok(s);
	char *t = unifw_jv_to_string(again, true);
	assert_string_equal(s, t);
	free(s);
	free(t);
	unifw_jv_free(again);
	unifw_jv_free(v);
}

/* Bad text fails with the file, the byte offset, and the line and column. */
static void parse_errors_name_file_line_and_column(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		uint64_t offset;
		const char *where;
	} bad[] = {
		{"{\"kind\": \"x\",}", 14, "line 1, column 14"}, {"[1 2]", 4, "line 1, column 4"},
		{"{\"a\" 1}", 6, "line 1, column 6"},           {"\"abc", 4, "line 1, column 4"},
		{"{} x", 4, "line 1, column 4"},                {"[\"\\q\"]", 4, "line 1, column 4"},
		{"", 0, "line 1, column 0"},                    {"[01x]", 2, "line 1, column 2"},
		{"{\n  \"a\": 1,\n  \"b\": ]\n}", 20, "line 3, column 8"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct unifw_jv *v = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		int rc = unifw_jv_parse(bad[i].text, strlen(bad[i].text), "m.json", NO_LIMIT, 32, &v, &e);
		if (rc != UNIFW_E_FORMAT || e.offset != bad[i].offset || !strstr(e.msg, bad[i].where))
			fail_msg("'%s': rc %d offset %llu (%s), expected a format error at %llu, %s", bad[i].text, rc,
				 (unsigned long long)e.offset, e.msg, (unsigned long long)bad[i].offset, bad[i].where);
		assert_string_equal(e.where, "m.json");
		assert_null(v);
	}
}

static void expect_refused(const char *text, size_t len, size_t max_bytes, int code, const char *needle)
{
	struct unifw_jv *v = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	int rc = unifw_jv_parse(text, len, "h.json", max_bytes, 32, &v, &e);
	if (rc != code || !strstr(e.msg, needle))
		fail_msg("'%.40s': rc %d \"%s\", expected %d with \"%s\"", text, rc, e.msg, code, needle);
	assert_null(v);
}

/* Hostile text: nesting bombs, numbers past int64, bytes that are not UTF-8, duplicate keys (a document
 * that says two things is refused rather than read as the last one), NUL, and size. */
static void parse_refuses_hostile_text(void **state)
{
	(void)state;
	char *deep = malloc(200001);
	memset(deep, '[', 200000);
	deep[200000] = 0;
	expect_refused(deep, 200000, NO_LIMIT, UNIFW_E_FORMAT, "nesting deeper than 32 levels");
	for (size_t i = 0; i < 40; i++) {
		memcpy(deep + 5 * i, "{\"a\":", 5);
		deep[5 * 40 + 1 + i] = '}';
	}
	deep[5 * 40] = '1';
	expect_refused(deep, 5 * 40 + 41, NO_LIMIT, UNIFW_E_FORMAT, "nesting deeper than 32 levels");
	free(deep);
	const char *ok33 = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[[[\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
	unifw_jv_free(parse_ok(ok33)); /* 32 levels, brackets in a string */
	expect_refused("[9223372036854775808]", 21, NO_LIMIT, UNIFW_E_FORMAT, "too big");
	expect_refused("[-9223372036854775809]", 22, NO_LIMIT, UNIFW_E_FORMAT, "too big");
	expect_refused("[1e999]", 7, NO_LIMIT, UNIFW_E_FORMAT, "overflow");
	expect_refused("[\"\xff\"]", 5, NO_LIMIT, UNIFW_E_FORMAT, "unable to decode byte 0xff");
	expect_refused("[\"\xed\xa0\x80\"]", 7, NO_LIMIT, UNIFW_E_FORMAT, "unable to decode byte 0xed");
	expect_refused("[\"\\ud800\"]", 10, NO_LIMIT, UNIFW_E_FORMAT, "invalid Unicode");
	expect_refused("{\"a\":1,\"a\":2}", 13, NO_LIMIT, UNIFW_E_FORMAT, "duplicate object key");
	expect_refused("[\"a\\u0000b\"]", 12, NO_LIMIT, UNIFW_E_FORMAT, "\\u0000");
	expect_refused("[1]\0[2]", 7, NO_LIMIT, UNIFW_E_FORMAT, "line 1");
	expect_refused("[1, 2, 3]", 9, 8, UNIFW_E_TOO_BIG, "at most 8");
	struct unifw_jv *v = parse_ok("[9223372036854775807, -9223372036854775808]");
	assert_true(unifw_jv_u64(unifw_jv_at(v, 0)) == (uint64_t)INT64_MAX);
	assert_true(unifw_jv_i64(unifw_jv_at(v, 1)) == INT64_MIN);
	unifw_jv_free(v);
}

/* Allocation failures (injected through jansson's allocator hooks) are sticky: the tree reports them. */
static long allocs_left;
static void *failing_malloc(size_t n) { return allocs_left-- > 0 ? malloc(n) : NULL; }

static void allocation_failures_are_sticky(void **state)
{
	(void)state;
	json_malloc_t m0;
	json_free_t f0;
	json_get_alloc_funcs(&m0, &f0);
	bool seen_oom = false;
	for (long budget = 0; budget < 60; budget++) {
		allocs_left = budget;
		json_set_alloc_funcs(failing_malloc, free);
		struct unifw_jv *o = unifw_jv_object();
		unifw_jv_set_str(o, "type", "t");
		struct unifw_jv *a = unifw_jv_set_arr(o, "list");
		for (int i = 0; i < 4; i++)
			unifw_jv_set_uint(unifw_jv_push_obj(a), "i", (uint64_t)i);
		unifw_jv_set_str(unifw_jv_set_obj(o, "inner"), "name", "n");
		bool complete = allocs_left >= 0;
		json_set_alloc_funcs(m0, f0);
		if (o) {
			if (unifw_jv_oom(o) == complete)
				fail_msg("budget %ld: oom() says %d, the tree is %s", budget, unifw_jv_oom(o),
					 complete ? "complete" : "partial");
			seen_oom |= !complete;
		}
		unifw_jv_free(o);
	}
	assert_true(seen_oom);
	/* the table forgets freed trees: a fresh tree is whole */
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_obj(o, "x");
	assert_false(unifw_jv_oom(o));
	unifw_jv_free(o);
}

/* The typed reader: every type, bounds, optional and null keys, and errors naming file, object and key. */
struct rec {
	char name[8];
	uint64_t n;
	bool flag;
	uint8_t id[4];
	const struct unifw_jv *sub, *list;
};

static int read_rec(const char *text, struct rec *r, struct unifw_error *e)
{
	const struct unifw_jv_field f[] = {
		{"name", UNIFW_JF_STR, true, r->name, sizeof r->name, 0, 0, false},
		{"n", UNIFW_JF_U64, true, &r->n, 0, 2, 10, false},
		{"flag", UNIFW_JF_BOOL, false, &r->flag, 0, 0, 0, false},
		{"id", UNIFW_JF_HEX, false, r->id, sizeof r->id, 0, 0, true},
		{"sub", UNIFW_JF_OBJECT, false, &r->sub, 0, 0, 0, false},
		{"list", UNIFW_JF_ARRAY, false, &r->list, 0, 0, 2, false},
	};
	struct unifw_jv *v = NULL;
	unifw_error_clear(e);
	int rc = unifw_jv_parse(text, strlen(text), "r.json", NO_LIMIT, 8, &v, e);
	if (!rc)
		rc = unifw_jv_read(v, f, sizeof f / sizeof *f, "r.json", "record", e);
	unifw_jv_free(v);
	return rc;
}

static void typed_reader_checks_types_and_bounds(void **state)
{
	(void)state;
	struct rec r = {.flag = true};
	struct unifw_error e;
	assert_int_equal(read_rec("{\"name\":\"abc\",\"n\":3,\"id\":null,\"extra\":[]}", &r, &e), 0);
	assert_string_equal(r.name, "abc");
	assert_int_equal(r.n, 3);
	assert_true(r.flag); /* optional and absent: untouched */
	assert_int_equal(read_rec("{\"name\":\"abcdefg\",\"n\":10,\"flag\":false,\"id\":\"0a0B0c0D\",\"sub\":{},"
				  "\"list\":[1,2]}", &r, &e), 0);
	assert_false(r.flag);
	assert_memory_equal(r.id, "\x0a\x0b\x0c\x0d", 4);
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"{\"n\":3}", "record key \"name\": expected a string, missing"},
		{"{\"name\":1,\"n\":3}", "record key \"name\": expected a string, found a number"},
		{"{\"name\":\"abcdefgh\",\"n\":3}", "record key \"name\": expected a string of at most 7 bytes, found 8"},
		{"{\"name\":\"a\",\"n\":-1}", "record key \"n\": expected a non-negative number, found a number"},
		{"{\"name\":\"a\",\"n\":\"3\"}", "record key \"n\": expected a non-negative number, found a string"},
		{"{\"name\":\"a\",\"n\":1}", "record key \"n\": expected a number from 2 to 10, found 1"},
		{"{\"name\":\"a\",\"n\":11}", "record key \"n\": expected a number from 2 to 10, found 11"},
		{"{\"name\":\"a\",\"n\":3,\"flag\":1}", "record key \"flag\": expected true or false, found a number"},
		{"{\"name\":\"a\",\"n\":3,\"id\":\"0a0b0c\"}", "record key \"id\": expected 8 hex digits, found \"0a0b0c\""},
		{"{\"name\":\"a\",\"n\":3,\"id\":\"0a0b0c0g\"}", "record key \"id\": expected 8 hex digits, found \"0a0b0c0g\""},
		{"{\"name\":\"a\",\"n\":3,\"sub\":[]}", "record key \"sub\": expected an object, found an array"},
		{"{\"name\":\"a\",\"n\":3,\"list\":[1,2,3]}", "record key \"list\": expected at most 2 items, found 3"},
		{"{\"name\":null,\"n\":3}", "record key \"name\": expected a string, found null"},
		{"[]", "record: expected an object, found an array"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (read_rec(bad[i].text, &r, &e) != UNIFW_E_FORMAT || strcmp(e.msg, bad[i].msg))
			fail_msg("%s: \"%s\", expected \"%s\"", bad[i].text, e.msg, bad[i].msg);
		assert_string_equal(e.where, "r.json");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_tree_serialises_escaped_and_stable),
		cmocka_unit_test(pretty_output_is_two_space_indented),
		cmocka_unit_test(strings_are_sanitised_to_utf8),
		cmocka_unit_test(numbers_keep_their_range),
		cmocka_unit_test(objects_answer_by_index),
		cmocka_unit_test(parse_round_trips),
		cmocka_unit_test(parse_errors_name_file_line_and_column),
		cmocka_unit_test(parse_refuses_hostile_text),
		cmocka_unit_test(allocation_failures_are_sticky),
		cmocka_unit_test(typed_reader_checks_types_and_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
