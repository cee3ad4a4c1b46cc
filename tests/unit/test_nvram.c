/* NVRAM BinRegion: regions built with our writer, parsed back; WiFi MAC / BT address reading and
 * editing (checksum and bitmap copy kept valid); the IMEI record only reported and never
 * writable; header found by scanning (shifted, 8-count variant); hostile tables. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/nvram.h"
#include "util/bytes.h"

#define DIR_RDEB "/data/nvram/APCFG/APRDEB/"
#define DIR_RDCL "/data/nvram/APCFG/APRDCL/"

static uint8_t wifi[512], bt[64], audio[3000], opaque[380];

/* A typical AP-side set plus a modem record named like the IMEI file. Its bytes are a filler
 * pattern, not an IMEI: the test only checks that the record is reported by size and refused
 * as an edit target. */
static size_t sample_files(struct unifw_nvram_input *in, const uint8_t mac[6], const uint8_t btaddr[6])
{
	memset(wifi, 0, sizeof wifi);
	put_le16(wifi, 0x0102);
	memcpy(wifi + 4, mac, 6);
	memset(bt, 0x11, sizeof bt);
	memcpy(bt, btaddr, 6);
	for (size_t i = 0; i < sizeof audio; i++)
		audio[i] = (uint8_t)(i * 31);
	memset(opaque, 0xA5, sizeof opaque);
	in[0] = (struct unifw_nvram_input){DIR_RDEB "WIFI", wifi, sizeof wifi, 0};
	in[1] = (struct unifw_nvram_input){DIR_RDEB "BT_Addr", bt, sizeof bt, 0};
	in[2] = (struct unifw_nvram_input){DIR_RDCL "AUXADC", audio, sizeof audio, 1};
	in[3] = (struct unifw_nvram_input){"/data/nvram/md/NVRAM/NVD_IMEI/MP0B_001", opaque, sizeof opaque, 3};
	in[4] = (struct unifw_nvram_input){DIR_RDEB "EMPTY", NULL, 0, 0};
	return 5;
}

static const uint8_t my_mac[6] = {0x00, 0x0C, 0xE7, 0x12, 0x34, 0x56};
static const uint8_t my_bt[6] = {0x00, 0x1A, 0x7D, 0xDA, 0x71, 0x13};

static uint8_t *build_sample(size_t *len, const uint8_t mac[6])
{
	struct unifw_nvram_input in[8];
	size_t n = sample_files(in, mac, my_bt);
	uint8_t *b;
	struct unifw_error e;
	if (unifw_nvram_build(in, n, 0, &b, len, &e))
		fail_msg("build: %s", e.msg);
	return b;
}

static void build_parse_round_trip(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = build_sample(&len, my_mac);
	struct unifw_nvram nv;
	struct unifw_error e;
	assert_int_equal(len, UNIFW_NVRAM_DEFAULT_REGION);
	assert_true(unifw_nvram_probe(b, 65536, len));
	assert_int_equal(unifw_nvram_parse(b, len, "nvram.bin", &nv, &e), 0);
	assert_int_equal(nv.count, 5);
	assert_int_equal(nv.header_counts, 10);
	assert_int_equal(nv.header_offset, 24);
	assert_int_equal(nv.backup_flag, UNIFW_NVRAM_DATA_FLAG);
	assert_true(nv.prefix);
	assert_true(nv.data_offset_checked);
	assert_int_equal(nv.data_offset, UNIFW_NVRAM_BLOCK);
	assert_int_equal(nv.erase_block, UNIFW_NVRAM_BLOCK);
	assert_int_equal(nv.counts[0], 3);
	assert_int_equal(nv.counts[1], 1);
	assert_int_equal(nv.counts[3], 1);
	/* Grouped by category in input order; bytes land where the table says. */
	assert_string_equal(nv.files[0].name, DIR_RDEB "WIFI");
	assert_string_equal(nv.files[2].name, DIR_RDEB "EMPTY");
	assert_string_equal(nv.files[3].name, DIR_RDCL "AUXADC");
	assert_int_equal(nv.files[3].category, 1);
	assert_int_equal(nv.files[4].category, 3);
	const struct unifw_nvram_file *f = unifw_nvram_find(&nv, "APCFG/APRDCL/AUXADC");
	assert_non_null(f);
	assert_int_equal(f->size, sizeof audio);
	assert_memory_equal(b + f->offset, audio, sizeof audio);
	f = unifw_nvram_find(&nv, "BT_Addr");
	assert_memory_equal(b + f->offset, bt, sizeof bt);
	assert_null(unifw_nvram_find(&nv, "Addr")); /* suffix must start at a path component */
	unifw_nvram_free(&nv);
	free(b);
}

static void mac_bt_and_imei_reporting(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = build_sample(&len, my_mac), a[6];
	struct unifw_nvram nv;
	assert_int_equal(unifw_nvram_parse(b, len, "nvram.bin", &nv, NULL), 0);
	assert_int_equal(unifw_nvram_wifi_mac(&nv, b, a), UNIFW_NVRAM_SET);
	assert_memory_equal(a, my_mac, 6);
	assert_int_equal(unifw_nvram_bt_addr(&nv, b, a), UNIFW_NVRAM_SET);
	assert_memory_equal(a, my_bt, 6);
	unifw_nvram_free(&nv);

	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, b, len, "nvram.bin");
	assert_int_equal(unifw_nvram_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "nvram");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "wifi_mac")), "00:0c:e7:12:34:56");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "wifi_mac_state")), "set");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "bt_address")), "00:1a:7d:da:71:13");
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "imei_record.present")));
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "imei_record.size")), sizeof opaque);
	assert_int_equal(unifw_jv_len(unifw_jv_get(o, "files")), 5);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "backup_flag")), "0xfecf");
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "checksum_ok")));
	/* The record's bytes appear nowhere in the report. */
	char *json = unifw_jv_to_string(o, false);
	assert_null(strstr(json, "a5a5"));
	free(json);
	unifw_jv_free(o);
	free(b);
}

static void default_blank_and_absent_addresses(void **state)
{
	(void)state;
	static const uint8_t mtk_default[6] = {0x00, 0x08, 0x22, 0x11, 0x22, 0x33}, zero[6];
	size_t len;
	uint8_t *b = build_sample(&len, mtk_default), a[6];
	struct unifw_nvram nv;
	assert_int_equal(unifw_nvram_parse(b, len, "n", &nv, NULL), 0);
	assert_int_equal(unifw_nvram_wifi_mac(&nv, b, a), UNIFW_NVRAM_DEFAULT);
	unifw_nvram_free(&nv);
	free(b);
	b = build_sample(&len, zero);
	assert_int_equal(unifw_nvram_parse(b, len, "n", &nv, NULL), 0);
	assert_int_equal(unifw_nvram_wifi_mac(&nv, b, a), UNIFW_NVRAM_BLANK);
	unifw_nvram_free(&nv);
	free(b);
	/* No WIFI / BT files at all. */
	struct unifw_nvram_input in[1] = {{DIR_RDCL "AUXADC", audio, 100, 1}};
	assert_int_equal(unifw_nvram_build(in, 1, 0, &b, &len, NULL), 0);
	assert_int_equal(unifw_nvram_parse(b, len, "n", &nv, NULL), 0);
	assert_int_equal(unifw_nvram_wifi_mac(&nv, b, a), UNIFW_NVRAM_ABSENT);
	assert_int_equal(unifw_nvram_bt_addr(&nv, b, a), UNIFW_NVRAM_ABSENT);
	assert_null(unifw_nvram_find(&nv, UNIFW_NVRAM_IMEI));
	unifw_nvram_free(&nv);
	free(b);
}

/* What each stored address means (issue 9.7): a blank WiFi MAC is made up at every boot, a stored
 * 00:08:22 one is a fixed template; MediaTek's default Bluetooth addresses (CFG_BT_Default.h) are
 * recognised, an ordinary one is not. */
static void wifi_and_bt_address_meanings(void **state)
{
	(void)state;
	static const uint8_t zero[6], ones[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
			     group[6] = { 0x01, 0x00, 0x5E, 0x00, 0x00, 0x01 },
			     template_mac[6] = { 0x00, 0x08, 0x22, 0x9A, 0x31, 0x07 },
			     own[6] = { 0x00, 0x0C, 0xE7, 0x12, 0x34, 0x56 },
			     bt6572[6] = { 0x00, 0x00, 0x46, 0x65, 0x72, 0x01 }, bt6626[6] = { 0x00, 0x00, 0x46, 0x66, 0x26, 0x01 },
			     bt6622[6] = { 0x00, 0x00, 0x46, 0x66, 0x22, 0x01 }, bt_near[6] = { 0x00, 0x00, 0x46, 0x65, 0x72, 0x02 };
	assert_int_equal(unifw_nvram_wifi_mac_state(zero), UNIFW_NVRAM_BLANK);
	assert_int_equal(unifw_nvram_wifi_mac_state(ones), UNIFW_NVRAM_BLANK);
	assert_int_equal(unifw_nvram_wifi_mac_state(group), UNIFW_NVRAM_BLANK); /* the driver replaces it too */
	assert_int_equal(unifw_nvram_wifi_mac_state(template_mac), UNIFW_NVRAM_DEFAULT);
	assert_int_equal(unifw_nvram_wifi_mac_state(own), UNIFW_NVRAM_SET);
	assert_int_equal(unifw_nvram_bt_addr_state(bt6572), UNIFW_NVRAM_DEFAULT);
	assert_string_equal(unifw_nvram_bt_default_chip(bt6572), "MT6572");
	assert_int_equal(unifw_nvram_bt_addr_state(bt6626), UNIFW_NVRAM_DEFAULT);
	assert_string_equal(unifw_nvram_bt_default_chip(bt6626), "MT6626");
	assert_int_equal(unifw_nvram_bt_addr_state(bt6622), UNIFW_NVRAM_DEFAULT);
	assert_int_equal(unifw_nvram_bt_addr_state(bt_near), UNIFW_NVRAM_SET);
	assert_null(unifw_nvram_bt_default_chip(bt_near));
	assert_int_equal(unifw_nvram_bt_addr_state(zero), UNIFW_NVRAM_BLANK);
	assert_int_equal(unifw_nvram_bt_addr_state(own), UNIFW_NVRAM_SET);
	/* the same through a BinRegion: the default BT address comes back as "default" with its bytes */
	size_t len;
	uint8_t *b = build_sample(&len, own), a[6];
	struct unifw_error e;
	assert_int_equal(unifw_nvram_set_bt_addr(b, len, bt6572, &e), 0);
	struct unifw_nvram nv;
	assert_int_equal(unifw_nvram_parse(b, len, "n", &nv, NULL), 0);
	assert_int_equal(unifw_nvram_bt_addr(&nv, b, a), UNIFW_NVRAM_DEFAULT);
	assert_memory_equal(a, bt6572, 6);
	unifw_nvram_free(&nv);
	free(b);
}

static void set_mac_and_bt_keep_checksums(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = build_sample(&len, my_mac), *orig = malloc(len), mac[6], a[6];
	memcpy(orig, b, len);
	struct unifw_error e;
	assert_int_equal(unifw_nvram_parse_mac("02:11:22:33:44:55", mac, &e), 0);
	assert_int_equal(unifw_nvram_set_wifi_mac(b, len, mac, &e), 0);
	assert_int_equal(unifw_nvram_parse_mac("00-25-48-AA-bb-0C", a, &e), 0);
	assert_int_equal(unifw_nvram_set_bt_addr(b, len, a, &e), 0);
	struct unifw_nvram nv;
	assert_int_equal(unifw_nvram_parse(b, len, "n", &nv, &e), 0);
	assert_true(nv.data_offset_checked); /* checksum recomputed */
	uint8_t got[6];
	assert_int_equal(unifw_nvram_wifi_mac(&nv, b, got), UNIFW_NVRAM_SET);
	assert_memory_equal(got, mac, 6);
	assert_int_equal(unifw_nvram_bt_addr(&nv, b, got), UNIFW_NVRAM_SET);
	assert_memory_equal(got, a, 6);
	/* The map copy in the last block carries the new checksum too. */
	uint64_t nblocks = len / UNIFW_NVRAM_BLOCK, copy = (nblocks - 1) * UNIFW_NVRAM_BLOCK + 3 * nblocks + 4;
	assert_memory_equal(b + copy, b, 64);
	/* Only the two addresses, the checksum and its copy changed. */
	size_t diff = 0;
	for (size_t i = 0; i < len; i++)
		diff += b[i] != orig[i];
	assert_true(diff >= 10 && diff <= 12 + 8);
	unifw_nvram_free(&nv);
	free(orig);
	free(b);
}

/* Issue 11.6: set-mac / set-bt on both header variants change exactly the six address bytes, the stored
 * checksum and its copy in the bitmap block: every other byte of the region is the same. */
static void assert_only_changed(const uint8_t *orig, const uint8_t *now, size_t len, const uint64_t *at,
				const size_t *n, size_t spans)
{
	for (size_t i = 0; i < len; i++) {
		bool allowed = false;
		for (size_t k = 0; k < spans; k++)
			allowed |= i >= at[k] && i < at[k] + n[k];
		if (!allowed && orig[i] != now[i])
			fail_msg("byte 0x%zx changed (0x%02x -> 0x%02x)", i, orig[i], now[i]);
	}
}

static void set_addresses_touch_nothing_else(void **state)
{
	(void)state;
	for (unsigned counts = 8; counts <= 10; counts += 2) {
		struct unifw_nvram_input in[8];
		size_t n = sample_files(in, my_mac, my_bt);
		in[3].category = 2; /* the 8-count header has categories 0..7 */
		uint8_t *b, *orig, mac[6] = {0x00, 0x90, 0x4C, 0x01, 0x02, 0x03};
		size_t len;
		struct unifw_error e;
		assert_int_equal(unifw_nvram_build_counts(in, n, 0, counts, &b, &len, &e), 0);
		orig = malloc(len);
		memcpy(orig, b, len);
		struct unifw_nvram nv;
		assert_int_equal(unifw_nvram_parse(b, len, "n", &nv, &e), 0);
		assert_int_equal(nv.header_counts, counts);
		assert_true(nv.data_offset_checked);
		const struct unifw_nvram_file *w = unifw_nvram_find(&nv, UNIFW_NVRAM_WIFI);
		const struct unifw_nvram_file *t = unifw_nvram_find(&nv, UNIFW_NVRAM_BT_ADDR);
		uint64_t nblocks = len / UNIFW_NVRAM_BLOCK;
		uint64_t cs = nv.header_offset - 12, copy_cs = (nblocks - 1) * UNIFW_NVRAM_BLOCK + 3 * nblocks + 4 + 12;
		uint64_t at[4] = {w->offset + UNIFW_NVRAM_WIFI_MAC_OFFSET, t->offset, cs, copy_cs};
		size_t sz[4] = {6, 6, 4, 4};
		unifw_nvram_free(&nv);

		assert_int_equal(unifw_nvram_set_wifi_mac(b, len, mac, &e), 0);
		assert_only_changed(orig, b, len, at, sz, 4);
		assert_int_equal(unifw_nvram_set_bt_addr(b, len, mac, &e), 0);
		assert_only_changed(orig, b, len, at, sz, 4);
		assert_memory_equal(b + at[0], mac, 6);
		assert_memory_equal(b + at[1], mac, 6);
		assert_memory_not_equal(b + cs, orig + cs, 4);
		assert_memory_equal(b + copy_cs, b + cs, 4);
		uint32_t stored = 0, dat = 0;
		get_le32(b, len, cs, &stored);
		get_le32(b, len, 4, &dat);
		assert_int_equal(stored, unifw_nvram_checksum(b + UNIFW_NVRAM_BLOCK, dat));
		assert_int_equal(unifw_nvram_parse(b, len, "n", &nv, &e), 0);
		assert_true(nv.data_offset_checked);
		unifw_nvram_free(&nv);
		free(orig);
		free(b);
	}
	struct unifw_nvram_input in[8];
	size_t n = sample_files(in, my_mac, my_bt);
	uint8_t *b;
	size_t len;
	struct unifw_error e;
	in[2].category = 8; /* no ninth count in the 8-count header */
	assert_int_equal(unifw_nvram_build_counts(in, n, 0, 8, &b, &len, &e), UNIFW_E_INVALID);
	in[2].category = 1;
	assert_int_equal(unifw_nvram_build_counts(in, n, 0, 9, &b, &len, &e), UNIFW_E_INVALID);
}

static void imei_record_is_never_a_target(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = build_sample(&len, my_mac), *orig = malloc(len), x[4] = {1, 2, 3, 4};
	memcpy(orig, b, len);
	struct unifw_error e;
	assert_int_equal(unifw_nvram_patch_file(b, len, UNIFW_NVRAM_IMEI, 0, x, 4, &e), UNIFW_E_UNSAFE);
	assert_int_equal(unifw_nvram_patch_file(b, len, "MP0B_001", 0, x, 4, &e), UNIFW_E_UNSAFE);
	assert_int_equal(unifw_nvram_patch_file(b, len, "/data/nvram/md/NVRAM/NVD_IMEI/MP0B_001", 0, x, 4, &e),
			 UNIFW_E_UNSAFE);
	assert_memory_equal(b, orig, len);
	/* Other guard rails. */
	assert_int_equal(unifw_nvram_patch_file(b, len, "WIFI", 510, x, 4, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_nvram_patch_file(b, len, "NOPE", 0, x, 4, &e), UNIFW_E_NOT_FOUND);
	uint8_t m[6];
	assert_int_equal(unifw_nvram_parse_mac("01:00:5e:00:00:01", m, &e), UNIFW_E_INVALID); /* multicast */
	assert_int_equal(unifw_nvram_parse_mac("00:00:00:00:00:00", m, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_nvram_parse_mac("00:11:22:33:44", m, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_nvram_parse_mac("00:11:22:33:44:55:66", m, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_nvram_parse_mac("0g:11:22:33:44:55", m, &e), UNIFW_E_INVALID);
	assert_memory_equal(b, orig, len);
	free(orig);
	free(b);
}

static void header_found_by_scanning(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = build_sample(&len, my_mac);
	/* The whole region shifted by 0x800 inside a larger dump. */
	uint8_t *big = calloc(1, len + 0x800);
	memcpy(big + 0x800, b, len);
	struct unifw_nvram nv;
	struct unifw_error e;
	assert_int_equal(unifw_nvram_parse(big, len + 0x800, "shifted", &nv, &e), 0);
	assert_int_equal(nv.header_offset, 0x800 + 24);
	assert_true(nv.data_offset_checked);
	uint8_t a[6];
	assert_int_equal(unifw_nvram_wifi_mac(&nv, big, a), UNIFW_NVRAM_SET);
	assert_memory_equal(a, my_mac, 6);
	unifw_nvram_free(&nv);
	free(big);
	/* The 8-count header variant: drop the last two counts, the ints and titles move up 4 bytes. */
	uint32_t map_size = 0;
	get_le32(b, len, 0, &map_size);
	memmove(b + 24 + 16, b + 24 + 20, map_size - 12 - 20);
	put_le32(b, map_size - 4);
	assert_int_equal(unifw_nvram_parse(b, len, "v8", &nv, &e), 0);
	assert_int_equal(nv.header_counts, 8);
	assert_int_equal(nv.count, 5);
	assert_true(nv.data_offset_checked);
	assert_string_equal(nv.files[4].name, "/data/nvram/md/NVRAM/NVD_IMEI/MP0B_001");
	unifw_nvram_free(&nv);
	/* Without the block-0 prefix the DATA_FLAG header is still found (data place unknown). */
	memset(b, 0, 24);
	assert_int_equal(unifw_nvram_parse(b, len, "noprefix", &nv, &e), 0);
	assert_false(nv.prefix);
	assert_false(nv.data_offset_checked);
	assert_int_equal(nv.count, 5);
	unifw_nvram_free(&nv);
	free(b);
}

static void hostile_tables_name_offsets(void **state)
{
	(void)state;
	size_t len;
	uint8_t *good = build_sample(&len, my_mac), *b = malloc(len);
	struct unifw_nvram nv;
	struct unifw_error e;
	const uint64_t t0 = 24 + 28, t1 = t0 + 140, t2 = t1 + 140;
	struct { uint64_t off; uint32_t val; int code; uint64_t err_off; } cases[] = {
		{t1 + 8, 0xFFFFFFF0, UNIFW_E_FORMAT, t1 + 8},      /* negative size */
		{t1 + 4, 0x80000000, UNIFW_E_FORMAT, t1 + 4},      /* negative start */
		{t1 + 4, 0, UNIFW_E_FORMAT, t1 + 4},               /* overlaps file 0 */
		{t1 + 8, 0x7FFFFFFF, UNIFW_E_FORMAT, t1 + 8},      /* runs past the data block */
		{t2 + 12, 0x00FF0102, UNIFW_E_FORMAT, t2 + 12},    /* unprintable name */
		{4, 0x7FFFFFF0, UNIFW_E_TRUNCATED, 0},             /* data size past the region */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memcpy(b, good, len);
		put_le32(b + cases[i].off, cases[i].val);
		int rc = unifw_nvram_parse(b, len, "hostile", &nv, &e);
		if (rc != cases[i].code)
			fail_msg("case %zu: expected %d, found %d (%s)", i, cases[i].code, rc, e.msg);
		if (cases[i].err_off)
			assert_int_equal(e.offset, cases[i].err_off);
		assert_string_equal(e.where, "hostile");
	}
	/* Huge counts: sum above the limit is no header; a large one runs past a short dump. */
	memcpy(b, good, len);
	put_le16(b + 24, 0x7FFF);
	assert_int_equal(unifw_nvram_parse(b, len, "huge", &nv, &e), UNIFW_E_NOT_FOUND);
	put_le16(b + 24, 4000);
	assert_int_equal(unifw_nvram_parse(b, 0x10000, "huge", &nv, &e), UNIFW_E_TRUNCATED);
	put_le16(b + 24, 0xFFFF); /* negative count */
	assert_int_equal(unifw_nvram_parse(b, len, "neg", &nv, &e), UNIFW_E_NOT_FOUND);
	/* Blank (erased) regions. */
	memset(b, 0, len);
	assert_int_equal(unifw_nvram_parse(b, len, "zero", &nv, &e), UNIFW_E_NOT_FOUND);
	assert_false(unifw_nvram_probe(b, 65536, len));
	memset(b, 0xFF, len);
	assert_int_equal(unifw_nvram_parse(b, len, "ff", &nv, &e), UNIFW_E_NOT_FOUND);
	assert_int_equal(unifw_nvram_parse(b, 10, "tiny", &nv, &e), UNIFW_E_NOT_FOUND);
	free(b);
	free(good);
}

static void writer_rejects_bad_input(void **state)
{
	(void)state;
	static uint8_t d[16];
	static struct unifw_nvram_input many[1000];
	char names[1000][32];
	for (int i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof names[i], DIR_RDEB "F%d", i);
		many[i] = (struct unifw_nvram_input){names[i], d, sizeof d, 0};
	}
	uint8_t *b;
	size_t len;
	struct unifw_error e;
	assert_int_equal(unifw_nvram_build(many, 1000, 0, &b, &len, &e), UNIFW_E_TOO_BIG); /* map > one block */
	assert_int_equal(unifw_nvram_build(many, 900, 0, &b, &len, &e), 0);
	free(b);
	assert_int_equal(unifw_nvram_build(many, 1, 0x30001, &b, &len, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_nvram_build(many, 0, 0, &b, &len, &e), UNIFW_E_INVALID);
	char longname[200];
	memset(longname, 'a', sizeof longname - 1);
	longname[199] = 0;
	struct unifw_nvram_input bad[2] = {{longname, d, 1, 0}, {"/x\n", d, 1, 0}};
	assert_int_equal(unifw_nvram_build(bad, 1, 0, &b, &len, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_nvram_build(bad + 1, 1, 0, &b, &len, &e), UNIFW_E_INVALID);
	struct unifw_nvram_input cat[1] = {{"/a", d, 1, 10}};
	assert_int_equal(unifw_nvram_build(cat, 1, 0, &b, &len, &e), UNIFW_E_INVALID);
	static uint8_t big[0x500000];
	struct unifw_nvram_input huge[1] = {{"/a", big, sizeof big, 0}};
	assert_int_equal(unifw_nvram_build(huge, 1, 0, &b, &len, &e), UNIFW_E_TOO_BIG);
}

static void checksum_matches_libfile_op_rule(void **state)
{
	(void)state;
	/* words 1,2,3 then tail byte 4: ((0 ^ 1) + 2) ^ 3 = 0, + 4 = 4, ^ len 13 = 9. */
	uint8_t d[13] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
	assert_int_equal(unifw_nvram_checksum(d, sizeof d), 9);
	assert_int_equal(unifw_nvram_checksum(d, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_parse_round_trip),
		cmocka_unit_test(mac_bt_and_imei_reporting),
		cmocka_unit_test(default_blank_and_absent_addresses),
		cmocka_unit_test(wifi_and_bt_address_meanings),
		cmocka_unit_test(set_mac_and_bt_keep_checksums),
		cmocka_unit_test(imei_record_is_never_a_target),
		cmocka_unit_test(header_found_by_scanning),
		cmocka_unit_test(hostile_tables_name_offsets),
		cmocka_unit_test(writer_rejects_bad_input),
		cmocka_unit_test(checksum_matches_libfile_op_rule),
		cmocka_unit_test(set_addresses_touch_nothing_else),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
