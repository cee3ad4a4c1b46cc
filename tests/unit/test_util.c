/* Tests of the shared utilities: error formatting (the JSON tree: test_json.c), streams, atomic files, hashing. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "unifw/config.h"
#include "unifw/error.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "util/bytes.h"

static void error_names_file_offset_and_message(void **state)
{
	(void)state;
	struct unifw_error e;
	char buf[1024];
	unifw_error_clear(&e);
	int rc = unifw_error_set(&e, UNIFW_E_FORMAT, "boot.img", 0x24, "expected magic %s, found %s", "ANDROID!", "xxxx");
	assert_int_equal(rc, UNIFW_E_FORMAT);
	assert_string_equal(unifw_error_format(&e, buf, sizeof buf),
			    "boot.img: offset 0x24: expected magic ANDROID!, found xxxx");
	unifw_error_prefix(&e, "partition %s: ", "BOOTIMG");
	assert_non_null(strstr(unifw_error_format(&e, buf, sizeof buf), "partition BOOTIMG: expected"));
	unifw_error_where(&e, "other"); /* does not overwrite */
	assert_string_equal(e.where, "boot.img");
	assert_string_equal(unifw_status_name(UNIFW_E_TRUNCATED), "truncated");
}

/* Text that does not fit ends at a whole word with " [...]"; text that fits is untouched. */
static void long_messages_are_cut_at_a_word_never_inside_one(void **state)
{
	(void)state;
	struct unifw_error e;
	char words[2000] = "";
	for (int i = 0; strlen(words) < 1500; i++)
		snprintf(words + strlen(words), sizeof words - strlen(words), "word%d ", i);
	unifw_error_clear(&e);
	unifw_error_set(&e, UNIFW_E_INVALID, "x", UNIFW_NO_OFFSET, "%s", words);
	size_t n = strlen(e.msg);
	assert_true(n < sizeof e.msg);
	assert_string_equal(e.msg + n - 6, " [...]");
	/* the text before the marker is a prefix of the original that ends at the end of a word */
	assert_memory_equal(e.msg, words, n - 6);
	assert_true(words[n - 6] == ' ');
	/* a prefix that pushes a full message over its size keeps both ends honest */
	unifw_error_prefix(&e, "partition %s: ", "SYSTEM");
	n = strlen(e.msg);
	assert_true(strncmp(e.msg, "partition SYSTEM: word0 word1", 29) == 0);
	assert_string_equal(e.msg + n - 6, " [...]");
	assert_true(e.msg[n - 7] >= '0' && e.msg[n - 7] <= '9'); /* "wordNN" whole before the marker */
	/* fits: no marker */
	char small[32];
	assert_true(unifw_snprintf_words(small, sizeof small, "%s %s", "fits", "here"));
	assert_string_equal(small, "fits here");
	assert_false(unifw_snprintf_words(small, sizeof small, "%s", "aaaa bbbb cccc dddd eeee ffff gggg"));
	assert_string_equal(small, "aaaa bbbb cccc dddd eeee [...]"); /* 30 of 31 bytes */
}

static void checked_reads_refuse_out_of_bounds(void **state)
{
	(void)state;
	uint8_t b[6] = {1, 2, 3, 4, 5, 6};
	uint32_t v32;
	uint64_t v64;
	uint16_t v16;
	assert_true(get_le32(b, 6, 2, &v32));
	assert_int_equal(v32, 0x06050403);
	assert_false(get_le32(b, 6, 3, &v32));
	assert_false(get_le32(b, 6, UINT64_MAX - 1, &v32)); /* offset near wrap-around */
	assert_false(get_le64(b, 6, 0, &v64));
	assert_true(get_be16(b, 6, 4, &v16));
	assert_int_equal(v16, 0x0506);
	uint64_t r;
	assert_false(add_u64(UINT64_MAX, 1, &r));
	assert_false(mul_u64(UINT64_MAX / 2, 3, &r));
	assert_int_equal(unifw_memfind(b, 6, 0, "\x04\x05", 2), 3);
	assert_int_equal(unifw_memfind(b, 6, 4, "\x04\x05", 2), SIZE_MAX);
}

static void stream_reads_exact_and_reports_truncation(void **state)
{
	(void)state;
	struct unifw_stream s;
	struct unifw_error e;
	uint8_t data[10] = "abcdefghi", out[8];
	unifw_error_clear(&e);
	unifw_stream_from_mem(&s, data, 10, "mem.bin");
	assert_int_equal(unifw_stream_read_exact(&s, out, 4, "header", &e), 0);
	assert_memory_equal(out, "abcd", 4);
	assert_int_equal(unifw_stream_skip(&s, 2, &e), 0);
	assert_int_equal(unifw_stream_read_exact(&s, out, 2, "x", &e), 0);
	assert_memory_equal(out, "gh", 2);
	assert_int_equal(unifw_stream_read_exact(&s, out, 8, "chunk", &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, 10);
	assert_string_equal(e.where, "mem.bin");
	unifw_stream_close(&s);
}

/* A stream of unknown size that yields `left` bytes of 'x' a few at a time, like an archive member. */
struct drip { size_t left; };
static ssize_t drip_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	(void)err;
	struct drip *d = ctx;
	size_t n = len < 7 ? len : 7;
	if (n > d->left)
		n = d->left;
	memset(buf, 'x', n);
	d->left -= n;
	return (ssize_t)n;
}

static void read_all_grows_for_unknown_sizes_and_enforces_the_limit(void **state)
{
	(void)state;
	struct unifw_error e;
	uint8_t *buf;
	size_t len;
	struct drip d = {3u << 20}; /* 3 MiB: more than the first 1 MiB buffer */
	struct unifw_stream s = {.read = drip_read, .ctx = &d, .size = UNIFW_SIZE_UNKNOWN, .name = "member"};
	assert_int_equal(unifw_stream_read_all(&s, 4u << 20, &buf, &len, &e), 0);
	assert_int_equal(len, 3u << 20);
	assert_int_equal(buf[len - 1], 'x');
	assert_int_equal(buf[len], 0); /* NUL after the data for text formats */
	free(buf);
	d.left = 3u << 20;
	assert_int_equal(unifw_stream_read_all(&s, 1u << 20, &buf, &len, &e), UNIFW_E_TOO_BIG);
	assert_string_equal(e.where, "member");
	/* Known size over the limit is refused before reading. */
	uint8_t mem[16] = {0};
	unifw_stream_from_mem(&s, mem, sizeof mem, "small.bin");
	assert_int_equal(unifw_stream_read_all(&s, 8, &buf, &len, &e), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(e.msg, "16 bytes"));
	assert_int_equal(unifw_stream_read_all(&s, 16, &buf, &len, &e), 0);
	assert_int_equal(len, 16);
	free(buf);
	unifw_stream_close(&s);
}

static void atomic_write_then_read_all_with_limit(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096];
	struct unifw_error e;
	uint8_t *buf;
	size_t len;
	snprintf(path, sizeof path, "%s/f.bin", dir);
	assert_int_equal(unifw_file_write_atomic(path, "hello world", 11, &e), 0);
	assert_int_equal(unifw_file_read_all(path, 64, &buf, &len, &e), 0);
	assert_int_equal(len, 11);
	assert_memory_equal(buf, "hello world", 11);
	free(buf);
	assert_int_equal(unifw_file_read_all(path, 5, &buf, &len, &e), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(e.msg, "11 bytes"));
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(unifw_file_read_all(path, 5, &buf, &len, &e), UNIFW_E_IO);
	test_rmtree(dir);
	free(dir);
}

static void config_file_keys_comments_home_and_last_wins(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096], out[256];
	snprintf(path, sizeof path, "%s/config", dir);
	const char text[] = "# unifw configuration\n"
			    "port = /dev/ttyACM9   # the cable on the left\n"
			    "da=~/da/first.bin\n"
			    "  da = ~/da/MTK_AllInOne_DA.bin  \n"
			    "#da = /commented/out\n";
	test_write_file(path, text, sizeof text - 1);
	setenv("UNIFW_CONFIG", path, 1);
	setenv("HOME", "/home/tech", 1);
	assert_string_equal(unifw_config_path(out, sizeof out), path);
	assert_string_equal(unifw_config_get("port", out, sizeof out), "/dev/ttyACM9");
	assert_string_equal(unifw_config_get("da", out, sizeof out), "/home/tech/da/MTK_AllInOne_DA.bin");
	assert_null(unifw_config_get("missing", out, sizeof out));
	struct unifw_error e;
	assert_int_equal(unifw_config_check(&e), 0);
	setenv("UNIFW_CONFIG", "/nonexistent/unifw.conf", 1);
	assert_null(unifw_config_get("da", out, sizeof out));
	/* a file $UNIFW_CONFIG names must be there: an error naming it */
	assert_int_equal(unifw_config_check(&e), UNIFW_E_IO);
	assert_string_equal(e.where, "/nonexistent/unifw.conf");
	unsetenv("UNIFW_CONFIG");
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	assert_string_equal(unifw_config_path(out, sizeof out), "/xdg/unifw/config");
	unsetenv("XDG_CONFIG_HOME");
	assert_string_equal(unifw_config_path(out, sizeof out), "/home/tech/.config/unifw/config");
	test_rmtree(dir);
	free(dir);
}

/* Write text as the configuration file; unifw_config_check's status. */
static int check_config(const char *dir, const char *text, struct unifw_error *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/config", dir);
	test_write_file(path, text, strlen(text));
	setenv("UNIFW_CONFIG", path, 1);
	unifw_error_clear(e);
	return unifw_config_check(e);
}

static void config_quotes_hash_and_errors_with_line(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char out[256];
	struct unifw_error e;
	setenv("HOME", "/home/tech", 1);
	/* '#' is a comment only at the start of a line or after a blank */
	assert_int_equal(check_config(dir, "port = tcp:host#1\nda=/x/da#2.bin # the DA\n", &e), 0);
	assert_string_equal(unifw_config_get("port", out, sizeof out), "tcp:host#1");
	assert_string_equal(unifw_config_get("da", out, sizeof out), "/x/da#2.bin");
	/* quoted values keep blanks and '#'; "..." takes \" and \\; '...' is literal; no ~ expansion */
	assert_int_equal(check_config(dir, "da = \"/my da/a # b.bin\"  # comment\nport='unix:/t/s \\q'\n", &e), 0);
	assert_string_equal(unifw_config_get("da", out, sizeof out), "/my da/a # b.bin");
	assert_string_equal(unifw_config_get("port", out, sizeof out), "unix:/t/s \\q");
	assert_int_equal(check_config(dir, "da = \"~/x \\\"q\\\" \\\\\"\n", &e), 0);
	assert_string_equal(unifw_config_get("da", out, sizeof out), "~/x \"q\" \\");
	/* errors name the file and the line; a broken file gives no values */
	assert_int_equal(check_config(dir, "da = /a\n\n# c\nprot = /dev/ttyACM0\n", &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.where, "/config"));
	assert_non_null(strstr(e.msg, "line 4: unknown key 'prot'"));
	assert_null(unifw_config_get("da", out, sizeof out));
	assert_int_equal(check_config(dir, "da = /a\ngarbage line without equals\n", &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "line 2: expected 'key = value'"));
	assert_int_equal(check_config(dir, "port = \"tcp:h:1\n", &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "line 1: the value's closing \" is missing"));
	assert_int_equal(check_config(dir, "port = 'a' b\n", &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "line 1: text after the quoted value"));
	unsetenv("UNIFW_CONFIG");
	test_rmtree(dir);
	free(dir);
}

static void sha256_matches_known_vector(void **state)
{
	(void)state;
	uint8_t d[32];
	char hex[65];
	unifw_sha256("abc", 3, d);
	unifw_hex(d, 32, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void human_sizes_use_binary_units(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(unifw_human_size(512, b, sizeof b), "512 B");
	assert_string_equal(unifw_human_size(0x600000, b, sizeof b), "6 MiB");
	assert_string_equal(unifw_human_size(1536, b, sizeof b), "1.50 KiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_names_file_offset_and_message),
		cmocka_unit_test(long_messages_are_cut_at_a_word_never_inside_one),
		cmocka_unit_test(checked_reads_refuse_out_of_bounds),
		cmocka_unit_test(stream_reads_exact_and_reports_truncation),
		cmocka_unit_test(read_all_grows_for_unknown_sizes_and_enforces_the_limit),
		cmocka_unit_test(atomic_write_then_read_all_with_limit),
		cmocka_unit_test(config_file_keys_comments_home_and_last_wins),
		cmocka_unit_test(config_quotes_hash_and_errors_with_line),
		cmocka_unit_test(sha256_matches_known_vector),
		cmocka_unit_test(human_sizes_use_binary_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
