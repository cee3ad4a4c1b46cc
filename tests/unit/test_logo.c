/* logo.bin: every corpus logo against PROVENANCE.tsv facts, byte-identical round trips (frames and
 * PNG), size inference, and hostile inputs (truncation, lying offsets, zlib bombs, bad manifests). */
#include "testutil.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/logo.h"
#include "util/bytes.h"

/* Facts about a corpus file taken from its PROVENANCE.tsv description. */
struct prov { unsigned count, width, height; unsigned long header_size; };

static char *provenance_row(const char *rel)
{
	size_t len;
	uint8_t *tsv = corpus_read("PROVENANCE.tsv", &len);
	char *text = malloc(len + 1), *row = NULL;
	memcpy(text, tsv, len);
	text[len] = 0;
	free(tsv);
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, rel, strlen(rel)) && line[strlen(rel)] == '\t')
			row = strdup(line);
	free(text);
	if (!row)
		fail_msg("no PROVENANCE.tsv row for %s", rel);
	return row;
}

static unsigned long regex_number(const char *text, const char *pattern, int base)
{
	regex_t re;
	regmatch_t m[2];
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED), 0);
	unsigned long v = 0;
	if (regexec(&re, text, 2, m, 0) == 0)
		v = strtoul(text + m[1].rm_so, NULL, base);
	regfree(&re);
	return v;
}

static struct prov provenance_facts(const char *rel)
{
	char *row = provenance_row(rel);
	struct prov p;
	/* "u32 count(43)" (A516) or "39 zlib images" (Mobiwire); "480x854"; "size 0x4e93a". */
	p.count = (unsigned)regex_number(row, "count\\(([0-9]+)\\)", 10);
	if (!p.count)
		p.count = (unsigned)regex_number(row, "([0-9]+) zlib images", 10);
	p.width = (unsigned)regex_number(row, "([0-9]{3,4})x[0-9]{3,4}", 10);
	p.height = (unsigned)regex_number(row, "[0-9]{3,4}x([0-9]{3,4})", 10);
	p.header_size = regex_number(row, "size (0x[0-9a-fA-F]+)", 16);
	free(row);
	if (!p.count || !p.width || !p.height || !p.header_size)
		fail_msg("PROVENANCE.tsv row for %s lacks count/resolution/header size", rel);
	return p;
}

static void every_corpus_logo_matches_provenance(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("logo", &n);
	assert_true(n >= 2);
	for (size_t i = 0; i < n; i++) {
		struct prov p = provenance_facts(files[i]);
		size_t len;
		uint8_t *buf = corpus_read(files[i], &len);
		struct unifw_logo lg;
		struct unifw_error e;
		assert_true(unifw_logo_probe(buf, len, len));
		assert_int_equal(unifw_logo_parse(buf, len, files[i], &lg, &e), 0);
		assert_int_equal(lg.count, p.count);
		assert_int_equal(lg.width, p.width);
		assert_int_equal(lg.height, p.height);
		assert_int_equal(lg.header_size, p.header_size);
		assert_int_equal(lg.total_size, lg.header_size);
		assert_int_equal(lg.payload_padding, len - 512 - lg.header_size);
		/* Every frame's size is known; full-screen ones come from the panel table and the
		 * charging sprites from the cust_display.h table. */
		unsigned full = 0;
		for (uint32_t f = 0; f < lg.count; f++) {
			assert_int_not_equal(lg.frames[f].size_source, UNIFW_LOGO_SIZE_UNKNOWN);
			assert_int_equal((uint64_t)lg.frames[f].width * lg.frames[f].height * 2, lg.frames[f].inflated_size);
			if (lg.frames[f].width == p.width && lg.frames[f].height == p.height)
				full++;
		}
		assert_true(full >= 10);
		unifw_logo_free(&lg);
		free(buf);
	}
	test_free_list(files, n);
}

static void mobiwire_dump_padding_is_zero_fill(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = corpus_read("logo/mt6572_mobiwire_s10_logo.bin", &len);
	struct unifw_logo lg;
	assert_int_equal(unifw_logo_parse(buf, len, "mobiwire", &lg, NULL), 0);
	assert_int_equal(len, 3u << 20);
	assert_true(lg.payload_padding > 2u << 20);
	assert_int_equal(lg.pad_byte, 0);
	unifw_logo_free(&lg);
	free(buf);
}

/* Inflate every frame and rebuild: the stock files use zlib level 9, so the output must be the
 * same bytes, padding included. */
static void corpus_frames_rebuild_byte_identical(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("logo", &n);
	for (size_t i = 0; i < n; i++) {
		size_t len, olen;
		uint8_t *buf = corpus_read(files[i], &len), *out;
		struct unifw_logo lg;
		assert_int_equal(unifw_logo_parse(buf, len, files[i], &lg, NULL), 0);
		struct unifw_logo_image *imgs = calloc(lg.count, sizeof *imgs);
		for (uint32_t f = 0; f < lg.count; f++) {
			uint8_t *px;
			size_t pl;
			assert_int_equal(unifw_logo_frame_pixels(&lg, f, &px, &pl, NULL), 0);
			imgs[f] = (struct unifw_logo_image){px, lg.frames[f].width, lg.frames[f].height};
		}
		struct unifw_error e;
		assert_int_equal(unifw_logo_build(imgs, lg.count, lg.payload_padding ? len : 0, 0, &out, &olen, &e), 0);
		assert_int_equal(olen, len);
		assert_memory_equal(out, buf, len);
		for (uint32_t f = 0; f < lg.count; f++)
			free((void *)imgs[f].pixels);
		free(imgs);
		free(out);
		unifw_logo_free(&lg);
		free(buf);
	}
	test_free_list(files, n);
}

static void corpus_png_unpack_repack_byte_identical(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("logo", &n);
	for (size_t i = 0; i < n; i++) {
		char *dir = test_mkdtemp();
		char sub[4096];
		snprintf(sub, sizeof sub, "%s/frames", dir);
		size_t len, olen;
		uint8_t *buf = corpus_read(files[i], &len), *out;
		struct unifw_logo lg;
		struct unifw_error e;
		assert_int_equal(unifw_logo_parse(buf, len, files[i], &lg, &e), 0);
		assert_int_equal(unifw_logo_unpack(&lg, sub, &e), 0);
		assert_int_equal(unifw_logo_repack(sub, lg.payload_padding ? len : 0, &out, &olen, &e), 0);
		assert_int_equal(olen, len);
		assert_memory_equal(out, buf, len);
		free(out);
		unifw_logo_free(&lg);
		free(buf);
		test_rmtree(dir);
		free(dir);
	}
	test_free_list(files, n);
}

/* A small synthetic logo from the project's own builder: 2 frames 240x320 + one 38x54 sprite. */
static uint8_t *build_sample(size_t *len)
{
	static uint8_t a[240 * 320 * 2], b[38 * 54 * 2];
	for (size_t i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)(i * 7 / 480);
	for (size_t i = 0; i < sizeof b; i++)
		b[i] = (uint8_t)(i % 13);
	struct unifw_logo_image imgs[3] = {{a, 240, 320}, {b, 38, 54}, {a, 240, 320}};
	uint8_t *out;
	assert_int_equal(unifw_logo_build(imgs, 3, 0, 0, &out, len, NULL), 0);
	return out;
}

static void synthetic_logo_parses_with_sizes(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len);
	struct unifw_logo lg;
	assert_int_equal(unifw_logo_parse(buf, len, "sample", &lg, NULL), 0);
	assert_int_equal(lg.count, 3);
	assert_int_equal(lg.width, 240);
	assert_int_equal(lg.frames[1].width, 38);
	assert_int_equal(lg.frames[1].size_source, UNIFW_LOGO_SIZE_SPRITE);
	assert_int_equal(lg.frames[0].offset, 8 + 3 * 4);
	assert_int_equal(lg.payload_padding, 0);
	unifw_logo_free(&lg);
	free(buf);
}

static void truncation_names_the_offset(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len);
	struct unifw_logo lg;
	struct unifw_error e;
	/* Cut inside the payload: the header size now runs past the end. */
	assert_int_equal(unifw_logo_parse(buf, len - 10, "cut", &lg, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, 4);
	assert_string_equal(e.where, "cut");
	/* Only a header. */
	assert_int_equal(unifw_logo_parse(buf, 300, "tiny", &lg, &e), UNIFW_E_TRUNCATED);
	/* Shrink header size and total so the last zlib stream is cut short. */
	uint32_t dsize = 0;
	get_le32(buf, len, 4, &dsize);
	put_le32(buf + 4, dsize - 40);
	put_le32(buf + 512 + 4, dsize - 40);
	assert_int_equal(unifw_logo_parse(buf, len, "short", &lg, &e), UNIFW_E_TRUNCATED);
	assert_true(e.offset > 512 && e.offset <= 512 + dsize);
	assert_non_null(strstr(e.msg, "frame 2"));
	free(buf);
}

static void lying_offsets_are_rejected(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len);
	struct unifw_logo lg;
	struct unifw_error e;
	uint32_t off1 = 0, total = 0;
	get_le32(buf, len, 512 + 12, &off1);
	get_le32(buf, len, 512 + 4, &total);
	/* Frame 1 offset beyond the payload. */
	put_le32(buf + 512 + 12, total + 100);
	assert_int_equal(unifw_logo_parse(buf, len, "lie", &lg, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 512 + 12);
	/* Offsets going backwards. */
	put_le32(buf + 512 + 12, 4);
	assert_int_equal(unifw_logo_parse(buf, len, "lie", &lg, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 512 + 12);
	/* Offset pointing into the middle of a zlib stream. */
	put_le32(buf + 512 + 12, off1 + 3);
	assert_int_not_equal(unifw_logo_parse(buf, len, "lie", &lg, &e), 0);
	/* Absurd frame count. */
	put_le32(buf + 512 + 12, off1);
	put_le32(buf + 512, 0x7FFFFFFF);
	assert_int_equal(unifw_logo_parse(buf, len, "count", &lg, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 512);
	/* Wrong header name. */
	put_le32(buf + 512, 3);
	memcpy(buf + 8, "LK\0\0", 4);
	assert_int_equal(unifw_logo_parse(buf, len, "name", &lg, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 8);
	assert_false(unifw_logo_probe(buf, len, len));
	free(buf);
}

/* A frame that inflates far past any panel: 40 MiB of zeros in one zlib stream, spliced into a
 * logo whose header and table come from the builder. */
static void zlib_bomb_frame_is_bounded(void **state)
{
	(void)state;
	size_t raw = 40u << 20;
	uint8_t *zeros = calloc(1, raw);
	uLongf zl = compressBound(raw);
	uint8_t *z = malloc(zl);
	assert_int_equal(compress2(z, &zl, zeros, raw, 9), Z_OK);
	free(zeros);
	size_t len;
	uint8_t *tmpl = build_sample(&len);
	size_t payload = 12 + zl, total = 512 + payload;
	uint8_t *buf = malloc(total);
	memcpy(buf, tmpl, 512);
	put_le32(buf + 4, (uint32_t)payload);
	put_le32(buf + 512, 1);
	put_le32(buf + 516, (uint32_t)payload);
	put_le32(buf + 520, 12);
	memcpy(buf + 524, z, zl);
	struct unifw_logo lg;
	struct unifw_error e;
	assert_int_equal(unifw_logo_parse(buf, total, "bomb", &lg, &e), UNIFW_E_TOO_BIG);
	assert_int_equal(e.offset, 512 + 12);
	assert_non_null(strstr(e.msg, "frame 0"));
	free(buf);
	free(tmpl);
	free(z);
}

/* Many frames each below the frame limit but together above the total bound. */
static void total_inflated_size_is_bounded(void **state)
{
	(void)state;
	static uint8_t px[4096 * 4096 * 2];
	struct unifw_logo_image imgs[17];
	for (int i = 0; i < 17; i++)
		imgs[i] = (struct unifw_logo_image){px, 4096, 4096};
	uint8_t *buf;
	size_t len;
	assert_int_equal(unifw_logo_build(imgs, 17, 0, 0, &buf, &len, NULL), 0);
	struct unifw_logo lg;
	struct unifw_error e;
	assert_int_equal(unifw_logo_parse(buf, len, "many", &lg, &e), UNIFW_E_TOO_BIG);
	assert_true(e.offset > 512);
	free(buf);
}

static void size_inference_tables_and_correlation(void **state)
{
	(void)state;
	uint32_t w, h;
	assert_int_equal(unifw_logo_infer_size(NULL, 480 * 854 * 2, &w, &h), UNIFW_LOGO_SIZE_PANEL);
	assert_int_equal(w, 480);
	assert_int_equal(h, 854);
	assert_int_equal(unifw_logo_infer_size(NULL, 135 * 24 * 2, &w, &h), UNIFW_LOGO_SIZE_SPRITE);
	assert_int_equal(w, 135);
	assert_int_equal(unifw_logo_infer_size(NULL, 135 * 2, &w, &h), UNIFW_LOGO_SIZE_SPRITE);
	assert_int_equal(h, 1);
	assert_int_equal(unifw_logo_infer_size(NULL, 1001, &w, &h), UNIFW_LOGO_SIZE_UNKNOWN);
	/* 100x37 vertical stripes: only width 100 makes every row identical to the next. */
	static uint8_t px[100 * 37 * 2];
	for (int y = 0; y < 37; y++)
		for (int x = 0; x < 100; x++)
			put_le16(px + 2 * (y * 100 + x), (uint16_t)((x * 2654435761u) >> 16));
	assert_int_equal(unifw_logo_infer_size(px, sizeof px, &w, &h), UNIFW_LOGO_SIZE_GUESS);
	assert_int_equal(w, 100);
	assert_int_equal(h, 37);
}

static void user_size_overrides_matching_frames(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len);
	struct unifw_logo lg;
	assert_int_equal(unifw_logo_parse(buf, len, "s", &lg, NULL), 0);
	assert_int_equal(unifw_logo_force_size(&lg, 320, 240), 2);
	assert_int_equal(lg.frames[0].width, 320);
	assert_int_equal(lg.frames[0].size_source, UNIFW_LOGO_SIZE_USER);
	assert_int_equal(lg.frames[1].width, 38);
	assert_int_equal(unifw_logo_force_size(&lg, 7, 7), 0);
	unifw_logo_free(&lg);
	free(buf);
}

static void manifest_cannot_escape_the_directory(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, UNIFW_LOGO_MANIFEST);
	const char *m = "unifw-logo-manifest 1\nframe 0 ../evil.png 10x10 user\n";
	test_write_file(path, m, strlen(m));
	uint8_t *out;
	size_t len;
	struct unifw_error e;
	assert_int_equal(unifw_logo_repack(dir, 0, &out, &len, &e), UNIFW_E_UNSAFE);
	const char *m2 = "unifw-logo-manifest 1\nframe 1 a.png 10x10 user\n";
	test_write_file(path, m2, strlen(m2));
	assert_int_equal(unifw_logo_repack(dir, 0, &out, &len, &e), UNIFW_E_FORMAT);
	/* A frame file that is not a PNG. */
	const char *m3 = "unifw-logo-manifest 1\nframe 0 a.png 10x10 user\n";
	test_write_file(path, m3, strlen(m3));
	snprintf(path, sizeof path, "%s/a.png", dir);
	test_write_file(path, "not a png", 9);
	assert_int_equal(unifw_logo_repack(dir, 0, &out, &len, &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.where, "a.png"));
	test_rmtree(dir);
	free(dir);
}

static void repack_rejects_changed_png_size_and_small_pad(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len), *out;
	struct unifw_logo lg;
	char *dir = test_mkdtemp();
	struct unifw_error e;
	assert_int_equal(unifw_logo_parse(buf, len, "s", &lg, NULL), 0);
	assert_int_equal(unifw_logo_unpack(&lg, dir, &e), 0);
	size_t olen;
	assert_int_equal(unifw_logo_repack(dir, 100, &out, &olen, &e), UNIFW_E_TOO_BIG);
	assert_int_equal(unifw_logo_repack(dir, len + 4096, &out, &olen, &e), 0);
	assert_int_equal(olen, len + 4096);
	assert_memory_equal(out, buf, len);
	free(out);
	char path[4096];
	static uint8_t px[10 * 10 * 2];
	snprintf(path, sizeof path, "%s/frame_001.png", dir);
	assert_int_equal(unifw_logo_png_write(path, px, 10, 10, &e), 0);
	assert_int_equal(unifw_logo_repack(dir, 0, &out, &olen, &e), UNIFW_E_INVALID);
	unifw_logo_free(&lg);
	free(buf);
	test_rmtree(dir);
	free(dir);
}

static void describe_reports_frames_and_resolution(void **state)
{
	(void)state;
	struct unifw_stream s;
	struct unifw_error e;
	assert_int_equal(unifw_stream_open_file(&s, corpus_path("logo/mt6572_lenovo_a516_logo.bin"), &e), 0);
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_logo_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "logo");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "resolution")), "480x854");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "frame_count")), 43);
	assert_int_equal(unifw_jv_len(unifw_jv_get(o, "frames")), 43);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "frames.4.width")), 38);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "frames.0.size_source")), "panel_table");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "payload_padding")), 0);
	unifw_jv_free(o);
}

/* ---------------------------------------------------------------- frames as base64 PNG (check reports) */

static size_t b64_value(char c)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(alphabet, c);
	assert_non_null(p);
	return (size_t)(p - alphabet);
}

/* The test's own decoder (RFC 4648), so that the encoder is checked against an independent reading. */
static uint8_t *b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s);
	assert_int_equal(n % 4, 0);
	uint8_t *out = malloc(n / 4 * 3 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			v <<= 6;
			if (s[i + k] == '=')
				pad++;
			else
				v |= (uint32_t)b64_value(s[i + k]);
		}
		out[o++] = (uint8_t)(v >> 16);
		if (pad < 2)
			out[o++] = (uint8_t)(v >> 8);
		if (pad < 1)
			out[o++] = (uint8_t)v;
	}
	*len = o;
	return out;
}

static uint32_t be32_at(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* Frame i of logo buf decoded from its JSON entry: a PNG of the stated size whose pixels are the frame's. */
static void assert_frame_entry_is_frame(const struct unifw_jv *o, const uint8_t *buf, size_t len, uint32_t i,
					const char *dir)
{
	struct unifw_logo lg;
	assert_int_equal(unifw_logo_parse(buf, len, "sample", &lg, NULL), 0);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "index")), i);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "width")), lg.frames[i].width);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "height")), lg.frames[i].height);
	size_t png_len;
	uint8_t *png = b64_decode(unifw_jv_str(unifw_jv_get(o, "png_base64")), &png_len);
	assert_true(png_len > 33);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(be32_at(png + 16), lg.frames[i].width);
	assert_int_equal(be32_at(png + 20), lg.frames[i].height);
	char path[512];
	snprintf(path, sizeof path, "%s/f%u.png", dir, i);
	test_write_file(path, png, png_len);
	uint8_t *back = NULL, *px = NULL;
	uint32_t w, h;
	size_t pl;
	assert_int_equal(unifw_logo_png_read(path, &back, &w, &h, NULL), 0);
	assert_int_equal(unifw_logo_frame_pixels(&lg, i, &px, &pl, NULL), 0);
	assert_int_equal(pl, (size_t)w * h * 2);
	assert_memory_equal(back, px, pl);
	free(back);
	free(px);
	free(png);
	unifw_logo_free(&lg);
}

static void frames_json_gives_each_frame_as_png(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len);
	struct unifw_jv *arr = NULL;
	struct unifw_error e = {0};
	assert_int_equal(unifw_logo_frames_json(buf, len, "sample", 0, 0, &arr, &e), 0);
	assert_int_equal(unifw_jv_len(arr), 3);
	char *dir = test_mkdtemp();
	for (uint32_t i = 0; i < 3; i++)
		assert_frame_entry_is_frame(unifw_jv_at(arr, i), buf, len, i, dir);
	test_rmtree(dir);
	free(dir);
	unifw_jv_free(arr);
	free(buf);
}

static void frames_json_is_bounded(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len);
	struct unifw_jv *arr = NULL;
	assert_int_equal(unifw_logo_frames_json(buf, len, "sample", 2, 0, &arr, NULL), 0);
	assert_int_equal(unifw_jv_len(arr), 2);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(arr, "1.index")), 1);
	unifw_jv_free(arr);
	/* One byte of room: frame 0 does not fit and ends the list (later, smaller frames are not picked). */
	assert_int_equal(unifw_logo_frames_json(buf, len, "sample", 0, 1, &arr, NULL), 0);
	assert_int_equal(unifw_jv_len(arr), 0);
	unifw_jv_free(arr);
	free(buf);
}

static void frames_json_rejects_what_is_not_a_logo(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = build_sample(&len);
	buf[0] ^= 0xFF; /* MTK header magic */
	struct unifw_jv *arr = (struct unifw_jv *)buf;
	struct unifw_error e = {0};
	assert_int_not_equal(unifw_logo_frames_json(buf, len, "LOGO of phone", 0, 0, &arr, &e), 0);
	assert_null(arr);
	assert_string_equal(e.where, "LOGO of phone");
	free(buf);
}

static void corpus_logo_frames_fit_the_report_bound(void **state)
{
	(void)state;
	size_t len;
	uint8_t *buf = corpus_read("logo/mt6572_mobiwire_s10_logo.bin", &len);
	struct unifw_jv *arr = NULL;
	assert_int_equal(unifw_logo_frames_json(buf, len, "mobiwire", 0, 0, &arr, NULL), 0);
	assert_true(unifw_jv_len(arr) >= 1 && unifw_jv_len(arr) <= UNIFW_LOGO_JSON_FRAMES);
	size_t total = 0;
	for (size_t i = 0; i < unifw_jv_len(arr); i++)
		total += strlen(unifw_jv_str(unifw_jv_get(unifw_jv_at(arr, i), "png_base64"))) / 4 * 3;
	assert_true(total <= UNIFW_LOGO_JSON_PNG_BYTES + 3 * UNIFW_LOGO_JSON_FRAMES);
	/* Frame 0 is the boot logo at the panel's resolution. */
	struct unifw_logo lg;
	assert_int_equal(unifw_logo_parse(buf, len, "mobiwire", &lg, NULL), 0);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(arr, "0.width")), lg.width);
	unifw_logo_free(&lg);
	unifw_jv_free(arr);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_logo_matches_provenance),
		cmocka_unit_test(mobiwire_dump_padding_is_zero_fill),
		cmocka_unit_test(corpus_frames_rebuild_byte_identical),
		cmocka_unit_test(corpus_png_unpack_repack_byte_identical),
		cmocka_unit_test(synthetic_logo_parses_with_sizes),
		cmocka_unit_test(truncation_names_the_offset),
		cmocka_unit_test(lying_offsets_are_rejected),
		cmocka_unit_test(zlib_bomb_frame_is_bounded),
		cmocka_unit_test(total_inflated_size_is_bounded),
		cmocka_unit_test(size_inference_tables_and_correlation),
		cmocka_unit_test(user_size_overrides_matching_frames),
		cmocka_unit_test(manifest_cannot_escape_the_directory),
		cmocka_unit_test(repack_rejects_changed_png_size_and_small_pad),
		cmocka_unit_test(describe_reports_frames_and_resolution),
		cmocka_unit_test(frames_json_gives_each_frame_as_png),
		cmocka_unit_test(frames_json_is_bounded),
		cmocka_unit_test(frames_json_rejects_what_is_not_a_logo),
		cmocka_unit_test(corpus_logo_frames_fit_the_report_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
