/* PMT: no corpus file holds one, so fixtures are built with unifw_pmt_build from the raw partitions of a
 * real scatter layout (Lenovo A516, corpus/scatter/mt6572_lenovo_a516_S117.txt) and parsed back; damaged
 * copies fall back to the mirror or fail naming the offset. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "unifw/io.h"
#include "unifw/pmt.h"

/* A516 S117 scatter: name, linear_start_addr, partition_size (the raw partitions live in the PMT). */
static const struct { const char *name; uint64_t offset, size; } A516[] = {
	{"PRELOADER", 0x0, 0x600000},      {"MBR", 0x600000, 0x80000},       {"EBR1", 0x680000, 0x80000},
	{"PRO_INFO", 0x700000, 0x300000},  {"NVRAM", 0xa00000, 0x500000},    {"PROTECT_F", 0xf00000, 0xa00000},
	{"PROTECT_S", 0x1900000, 0xa00000}, {"SECCFG", 0x2300000, 0x20000},  {"UBOOT", 0x2320000, 0x60000},
	{"BOOTIMG", 0x2380000, 0x600000},  {"RECOVERY", 0x2980000, 0x600000}, {"SEC_RO", 0x2f80000, 0x40000},
	{"MISC", 0x2fc0000, 0x80000},      {"LOGO", 0x3040000, 0x300000},    {"EXPDB", 0x3340000, 0xa00000},
	{"PRELOAD", 0x3d40000, 0xc800000}, {"ANDROID", 0x10540000, 0x40000000}, {"CACHE", 0x50540000, 0x7e00000},
	{"USRDATA", 0x58340000, 0x60000000},
};
#define NA516 (sizeof A516 / sizeof A516[0])

static void a516_pmt(struct unifw_pmt *p)
{
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < NA516; i++) {
		snprintf(p->entry[i].name, sizeof p->entry[i].name, "%s", A516[i].name);
		p->entry[i].offset = A516[i].offset;
		p->entry[i].size = A516[i].size;
		p->entry[i].mask_flags = i == 0 ? 0x1 : 0x0;
	}
}

static uint8_t *built_a516(void)
{
	struct unifw_pmt p;
	struct unifw_error e;
	uint8_t *buf = malloc(2 * UNIFW_PMT_REGION_SIZE);
	a516_pmt(&p);
	assert_int_equal(unifw_pmt_build(&p, buf, 2 * UNIFW_PMT_REGION_SIZE, &e), 0);
	return buf;
}

static void built_pmt_parses_back_with_every_entry_and_mirror(void **state)
{
	(void)state;
	uint8_t *buf = built_a516();
	struct unifw_pmt p, q;
	struct unifw_error e;
	assert_memory_equal(buf, "1vTP1.0", 8); /* "PTv1" as LE u32, then the version */
	assert_memory_equal(buf + 0x1000, "1TPM1.0", 8);
	assert_int_equal(unifw_pmt_parse(buf, 0x2000, "pmt", &p, &e), 0);
	assert_string_equal(p.version, "1.0");
	assert_int_equal(p.count, NA516);
	assert_true(p.has_mirror);
	assert_true(p.mirror_matches);
	assert_false(p.from_mirror);
	for (size_t i = 0; i < NA516; i++) {
		assert_string_equal(p.entry[i].name, A516[i].name);
		assert_int_equal(p.entry[i].offset, A516[i].offset);
		assert_int_equal(p.entry[i].size, A516[i].size);
	}
	assert_int_equal(p.entry[0].mask_flags, 1);
	/* writer(parser(x)) == x */
	uint8_t again[0x2000];
	assert_int_equal(unifw_pmt_build(&p, again, sizeof again, &e), 0);
	assert_memory_equal(again, buf, sizeof again);
	/* entries sit at 8 + i * 0x58; tail signature in the last 4 bytes */
	assert_memory_equal(buf + 8 + 16 * 0x58, "ANDROID", 8);
	assert_memory_equal(buf + 0xFFC, "1vTP", 4);
	assert_int_equal(unifw_pmt_parse(buf, 0x1000, "pmt", &q, &e), 0); /* primary alone */
	assert_false(q.has_mirror);
	free(buf);
}

static void damaged_primary_falls_back_to_the_mirror(void **state)
{
	(void)state;
	uint8_t *buf = built_a516();
	struct unifw_pmt p;
	struct unifw_error e;
	buf[0xFFC] ^= 0xFF; /* primary tail */
	assert_int_equal(unifw_pmt_parse(buf, 0x2000, "pmt", &p, &e), 0);
	assert_true(p.from_mirror);
	assert_int_equal(p.count, NA516);
	buf[0x1000] ^= 0xFF; /* and the mirror head: nothing valid left; the primary's error is reported */
	assert_int_equal(unifw_pmt_parse(buf, 0x2000, "pmt", &p, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0xFFC);
	assert_non_null(strstr(e.msg, "trailing PTv1"));
	free(buf);
}

static void mirror_alone_and_mismatching_mirror_are_reported(void **state)
{
	(void)state;
	uint8_t *buf = built_a516();
	struct unifw_pmt p;
	struct unifw_error e;
	assert_int_equal(unifw_pmt_parse(buf + 0x1000, 0x1000, "mpt", &p, &e), 0);
	assert_true(p.from_mirror);
	assert_int_equal(p.count, NA516);
	buf[0x1000 + 8 + 3 * 0x58 + 64] ^= 1; /* PRO_INFO size in the mirror */
	assert_int_equal(unifw_pmt_parse(buf, 0x2000, "pmt", &p, &e), 0);
	assert_true(p.has_mirror);
	assert_false(p.mirror_matches);
	free(buf);
}

static void bad_regions_fail_naming_the_offset(void **state)
{
	(void)state;
	uint8_t *buf = built_a516();
	struct unifw_pmt p;
	struct unifw_error e;
	assert_int_equal(unifw_pmt_parse(buf, 0x800, "pmt", &p, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, 0x800);
	memcpy(buf + 4, "2.0", 4);
	assert_int_equal(unifw_pmt_parse(buf, 0x1000, "pmt", &p, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 4);
	memcpy(buf + 4, "1.0", 4);
	buf[8 + 2 * 0x58 + 1] = 0x01; /* "E\x01R1": control byte in EBR1's name */
	assert_int_equal(unifw_pmt_parse(buf, 0x1000, "pmt", &p, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 8 + 2 * 0x58 + 1);
	buf[8 + 2 * 0x58 + 1] = 'B';
	memset(buf + 8 + 5 * 0x58, 'N', 64); /* PROTECT_F's name without its NUL */
	assert_int_equal(unifw_pmt_parse(buf, 0x1000, "pmt", &p, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 8 + 5 * 0x58);
	buf[0] = 'X';
	assert_int_equal(unifw_pmt_parse(buf, 0x1000, "pmt", &p, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 0);
	assert_false(unifw_pmt_probe(buf, 0x1000, 0x1000));
	free(buf);
}

static void bare_entry_arrays_parse(void **state)
{
	(void)state;
	uint8_t *buf = built_a516();
	struct unifw_pmt p;
	struct unifw_error e;
	assert_int_equal(unifw_pmt_parse_entries(buf + 8, 40 * 0x58, "da", &p, &e), 0);
	assert_int_equal(p.count, NA516);
	assert_string_equal(p.entry[18].name, "USRDATA");
	assert_int_equal(unifw_pmt_parse_entries(buf + 8, 3 * 0x58, "da", &p, &e), 0);
	assert_int_equal(p.count, 3);
	assert_int_equal(unifw_pmt_parse_entries(buf + 8, 100, "da", &p, &e), UNIFW_E_FORMAT);
	uint8_t *big = calloc(41, 0x58);
	assert_int_equal(unifw_pmt_parse_entries(big, 41 * 0x58, "da", &p, &e), UNIFW_E_TOO_BIG);
	free(big);
	free(buf);
}

static void builder_refuses_what_readers_cannot_take(void **state)
{
	(void)state;
	struct unifw_pmt p;
	struct unifw_error e;
	uint8_t out[0x2000];
	a516_pmt(&p);
	memset(p.entry[3].name, 'A', 64);
	p.entry[3].name[64] = 0;
	assert_int_equal(unifw_pmt_build(&p, out, sizeof out, &e), UNIFW_E_INVALID);
	a516_pmt(&p);
	snprintf(p.version, sizeof p.version, "9.9");
	assert_int_equal(unifw_pmt_build(&p, out, sizeof out, &e), UNIFW_E_INVALID);
	snprintf(p.version, sizeof p.version, "1.1");
	assert_int_equal(unifw_pmt_build(&p, out, sizeof out, &e), 0);
	assert_memory_equal(out + 4, "1.1", 4);
	assert_int_equal(unifw_pmt_build(&p, out, 0x1000, &e), UNIFW_E_INVALID);
}

static void probe_and_describe(void **state)
{
	(void)state;
	uint8_t *buf = built_a516();
	assert_true(unifw_pmt_probe(buf, 0x2000, 0x2000));
	assert_true(unifw_pmt_probe(buf + 0x1000, 0x1000, 0x1000));
	assert_false(unifw_pmt_probe(buf, 0x800, 0x800)); /* tail unseen */
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, buf, 0x2000, "pmt.bin");
	assert_int_equal(unifw_pmt_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "pmt");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "entry_count")), NA516);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.16.name")), "ANDROID");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "entries.16.offset")), "0x10540000");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "entries.16.size")), 0x40000000);
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "mirror_matches")));
	unifw_jv_free(o);
	assert_int_equal(unifw_pmt_location(0xE8F800000ull), 0xE8F700000ull); /* 3.64 GiB user area - 1 MiB */
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(built_pmt_parses_back_with_every_entry_and_mirror),
		cmocka_unit_test(damaged_primary_falls_back_to_the_mirror),
		cmocka_unit_test(mirror_alone_and_mismatching_mirror_are_reported),
		cmocka_unit_test(bad_regions_fail_naming_the_offset),
		cmocka_unit_test(bare_entry_arrays_parse),
		cmocka_unit_test(builder_refuses_what_readers_cannot_take),
		cmocka_unit_test(probe_and_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
