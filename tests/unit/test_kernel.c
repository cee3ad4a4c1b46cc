/* zImage kernels: every corpus kernel (version, compression, container, padding, driver names checked
 * against the corpus README/PROVENANCE facts and names lists), synthetic kernels built here with zlib
 * and liblzma, and truncated / corrupted / oversized inputs. */
#include "testutil.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ helpers */

static bool is_bootimg(const uint8_t *b, size_t n) { return n >= 8 && !memcmp(b, "ANDROID!", 8); }

/* "..._kernel_3.4.5-BlackThunder_raw.bin" -> "3.4.5-BlackThunder" (the version the file name states). */
static void version_from_name(const char *rel, char *out, size_t cap)
{
	const char *p = strstr(rel, "_3.");
	out[0] = '\0';
	if (!p)
		return;
	p++;
	size_t n = strcspn(p, "_");
	snprintf(out, cap, "%.*s", (int)n, p);
}

/* A names file (name<TAB>repos per line) as one "\nname\n" haystack for exact lookups. */
static char *names_file(const char *rel)
{
	size_t len;
	uint8_t *raw = corpus_read(rel, &len);
	char *out = malloc(len + 2);
	size_t o = 0;
	out[o++] = '\n';
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (e < len && raw[e] != '\n')
			e++;
		size_t t = i;
		while (t < e && raw[t] != '\t')
			t++;
		memcpy(out + o, raw + i, t - i);
		o += t - i;
		out[o++] = '\n';
		i = e + 1;
	}
	out[o] = '\0';
	free(raw);
	return out;
}

static bool listed(const char *hay, const char *name)
{
	char key[UNIFW_NAME_LEN + 3];
	snprintf(key, sizeof key, "\n%s\n", name);
	return strstr(hay, key) != NULL;
}

static bool file_contains(const char *rel, const char *s)
{
	size_t len;
	uint8_t *b = corpus_read(rel, &len);
	bool hit = unifw_memfind(b, len, 0, s, strlen(s) + 1) != SIZE_MAX; /* with its NUL */
	free(b);
	return hit;
}

/* Builders of synthetic kernels: an "Image" with a banner and an LCM driver record, compressed with
 * the real libraries and wrapped in a zImage header (magic at 0x24, start/end at 0x28/0x2C). */
#define FAKE_BASE 0xC0008000u
static uint8_t *fake_image(size_t *len)
{
	size_t n = 256 * 1024;
	uint8_t *img = calloc(1, n);
	const char *banner = "Linux version 9.8.7-test (me@host) (gcc version 4.7 (GCC) ) #5 SMP PREEMPT Mon Jan 1\n";
	memcpy(img + 0x1000, banner, strlen(banner));
	/* strings: one table LCM name, one unlisted plausible name, one touch name */
	memcpy(img + 0x2000, "otm8018b_dsi_vdo", 17);
	memcpy(img + 0x2020, "abc1234_fwvga_dsi_vdo", 22);
	memcpy(img + 0x2040, "gt9xx", 6);
	/* LCM_DRIVER-like records: name pointer then 5 callbacks into the image */
	const uint32_t names[2] = {FAKE_BASE + 0x2000, FAKE_BASE + 0x2020};
	for (int r = 0; r < 2; r++) {
		put_le32(img + 0x3000 + 0x40 * r, names[r]);
		for (int k = 1; k <= 5; k++)
			put_le32(img + 0x3000 + 0x40 * r + 4 * k, FAKE_BASE + 0x100 * (uint32_t)k);
	}
	/* filler so that the image is bigger than the commit threshold and compresses */
	for (size_t i = 0x10000; i < n; i++)
		img[i] = (uint8_t)(i * 7 / 13);
	*len = n;
	return img;
}

static uint8_t *gzip_buf(const uint8_t *in, size_t n, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, n);
	uint8_t *out = malloc(cap);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static uint8_t *xz_buf(const uint8_t *in, size_t n, size_t *out_len)
{
	size_t cap = lzma_stream_buffer_bound(n), pos = 0;
	uint8_t *out = malloc(cap);
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, cap), LZMA_OK);
	*out_len = pos;
	return out;
}

/* zImage = 0x200 bytes of "decompressor" (with decoy magic bytes), then the stream, then 4 size bytes. */
static uint8_t *fake_zimage(bool xz, size_t *len)
{
	size_t il, cl;
	uint8_t *img = fake_image(&il);
	uint8_t *comp = xz ? xz_buf(img, il, &cl) : gzip_buf(img, il, &cl);
	size_t total = 0x200 + cl + 4;
	uint8_t *z = calloc(1, total);
	for (int i = 0; i < 9; i++)
		put_le32(z + 4 * i, 0xe1a00000); /* mov r0, r0 */
	put_le32(z + 0x24, UNIFW_ZIMAGE_MAGIC);
	put_le32(z + 0x28, 0);
	put_le32(z + 0x2C, (uint32_t)total);
	/* decoys: a gzip magic and an xz magic that do not start valid streams */
	memcpy(z + 0x100, "\x1f\x8b\x08\x00garbage", 11);
	memcpy(z + 0x140, "\xfd" "7zXZ\0\0\0junk", 13);
	memcpy(z + 0x200, comp, cl);
	put_le32(z + 0x200 + cl, (uint32_t)il);
	free(img);
	free(comp);
	*len = total;
	return z;
}

/* ------------------------------------------------------------------ corpus */

/* Builder strings from PROVENANCE.tsv descriptions. */
static const struct {
	const char *file_part, *builder;
} builders[] = {
	{"alps_generic", "whl@server0-br"},   {"explay_joytv", "root@sw14-Ljw"},
	{"alcatel_yaris", "serinity@SeriniTY"}, {"lenovo_a516_S117", "buildslave@nj-bs5"},
	{"hexing72_cwet_kk_kernel", "csy@linux"}, {"micromax_a102", "kirito9@aincrad"},
};

static void check_corpus_kernel(const char *rel, const char *lcm_list, const char *touch_list, size_t *with_lcm,
				size_t *with_touch)
{
	size_t len;
	uint8_t *buf = corpus_read(rel, &len);
	struct unifw_kernel_info *k = malloc(sizeof *k);
	struct unifw_error err;
	char want[64];

	if (is_bootimg(buf, len)) {
		/* covered by test_bootimg (boot image container) */
		assert_false(unifw_kernel_probe(buf, len, len));
		free(k);
		free(buf);
		return;
	}
	assert_true(unifw_kernel_probe(buf, len < 65536 ? len : 65536, len));
	if (unifw_kernel_inspect(buf, len, rel, NULL, k, &err) != 0)
		fail_msg("%s: %s (offset 0x%llx)", rel, err.msg, (unsigned long long)err.offset);

	version_from_name(rel, want, sizeof want);
	assert_true(want[0] != '\0');
	if (strncmp(k->version, want, strlen(want)))
		fail_msg("%s: version %s, file name says %s", rel, k->version, want);
	char head[128];
	snprintf(head, sizeof head, "Linux version %s ", k->version);
	assert_true(!strncmp(k->banner, head, strlen(head)));
	assert_non_null(strstr(k->toolchain, "gcc version"));

	/* README "Kernels": JB 3.4.5 builds are gzip, except the custom BlackThunder one; the rest xz */
	const char *comp = strstr(rel, "_3.4.5_") ? "gzip" : "xz";
	assert_string_equal(unifw_kernel_comp_name(k->compression), comp);
	if (k->compression == UNIFW_KCOMP_XZ) {
		uint64_t at = k->payload_offset - k->zimage_offset; /* README: 0x35fc-0x4a54 */
		assert_true(at >= 0x35fc && at <= 0x4a54);
	}
	if (strstr(rel, "micromax_a102"))
		assert_int_equal(k->payload_offset, 0x4a54); /* PROVENANCE: "XZ payload at 0x4a54" */
	if (strstr(rel, "BlackThunder"))
		assert_non_null(strstr(k->toolchain, "Linaro"));
	if (strstr(rel, "micromax_a102"))
		assert_non_null(strstr(k->toolchain, "UBERTC"));

	assert_int_equal(k->has_mtk_header, strstr(rel, "_mtkhdr") != NULL);
	if (k->has_mtk_header)
		assert_string_equal(k->mtk.name, "KERNEL");
	if (strstr(rel, "symphony_w69"))
		assert_int_equal(k->trailing, 296); /* PROVENANCE: +296 zero bytes page padding */
	else if (strstr(rel, "alcatel_yaris"))
		assert_int_equal(k->trailing, 408);
	else
		assert_int_equal(k->trailing, 0);
	assert_true(k->decompressed_size > 2 * k->zimage_size);
	for (size_t i = 0; i < sizeof builders / sizeof *builders; i++)
		if (strstr(rel, builders[i].file_part))
			assert_string_equal(k->builder, builders[i].builder);

	/* every reported table name is in names/lcm.txt / touch.txt; unlisted ones are not */
	for (size_t i = 0; i < k->lcm.count; i++)
		if (!listed(lcm_list, k->lcm.name[i]))
			fail_msg("%s: LCM %s not in names/lcm.txt", rel, k->lcm.name[i]);
	for (size_t i = 0; i < k->lcm_unlisted.count; i++) {
		assert_false(listed(lcm_list, k->lcm_unlisted.name[i]));
		assert_true(unifw_lcm_name_plausible(k->lcm_unlisted.name[i]));
	}
	for (size_t i = 0; i < k->touch.count; i++)
		if (!listed(touch_list, k->touch.name[i]))
			fail_msg("%s: touch %s not in names/touch.txt", rel, k->touch.name[i]);
	assert_false(k->lcm.truncated || k->touch.truncated);
	/* Every MT6572 device kernel registers its panel drivers. The generic alps JB build has no panel
	 * driver name in it at all (checked with strings(1) on its inflated image): it must report none. */
	if (strstr(rel, "alps_generic"))
		assert_int_equal(k->lcm.count + k->lcm_unlisted.count, 0);
	else
		assert_true(k->lcm.count + k->lcm_unlisted.count >= 1);
	if (k->lcm.count + k->lcm_unlisted.count)
		(*with_lcm)++;
	if (k->touch.count)
		(*with_touch)++;
	/* the driver tables are linked at PAGE_OFFSET + TEXT_OFFSET */
	assert_int_equal(k->image_base, 0xC0008000u);
	free(k);
	free(buf);
}

static void every_corpus_kernel_reports_version_compression_and_drivers(void **state)
{
	(void)state;
	size_t n, with_lcm = 0, with_touch = 0, kernels = 0;
	char **list = corpus_list("kernel", &n);
	char *lcm = names_file("names/lcm.txt"), *touch = names_file("names/touch.txt");
	for (size_t i = 0; i < n; i++) {
		check_corpus_kernel(list[i], lcm, touch, &with_lcm, &with_touch);
		kernels++;
	}
	assert_int_equal(kernels, 11); /* README: 11 kernels */
	assert_int_equal(with_lcm, kernels - 2); /* minus the boot image and the generic alps build */
	assert_true(with_touch >= 6);
	free(lcm);
	free(touch);
	test_free_list(list, n);
}

static void inspect_file(const char *rel, struct unifw_kernel_info *k)
{
	size_t len;
	uint8_t *buf = corpus_read(rel, &len);
	struct unifw_error err;
	if (unifw_kernel_inspect(buf, len, rel, NULL, k, &err) != 0)
		fail_msg("%s: %s", rel, err.msg);
	free(buf);
}

/* The LK of the same phone selects an LCM by name; the kernel must register that very name. */
static void kernel_lcm_names_match_the_same_phones_lk(void **state)
{
	(void)state;
	struct unifw_kernel_info *k = malloc(sizeof *k);
	inspect_file("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", k);
	size_t found = 0;
	for (size_t i = 0; i < k->lcm.count; i++)
		found += file_contains("lk/mt6572_lenovo_a516_S117_lk.bin", k->lcm.name[i]);
	for (size_t i = 0; i < k->lcm_unlisted.count; i++)
		found += file_contains("lk/mt6572_lenovo_a516_S117_lk.bin", k->lcm_unlisted.name[i]);
	assert_int_equal(found, k->lcm.count + k->lcm_unlisted.count);
	assert_int_equal(found, 2);

	inspect_file("kernel/mt6572_orangepi3giot_hexing72_cwet_kk_kernel_3.4.67_mtkhdr.bin", k);
	assert_int_equal(k->lcm.count + k->lcm_unlisted.count, 1);
	assert_true(file_contains("lk/mt6572_orangepi3giot_hexing72_cwet_kk_lk-no-mtk-header.bin", k->lcm.name[0]));
	free(k);
}

/* PROVENANCE: the Explay raw kernel is the MTK-header one minus its header. */
static void header_and_raw_forms_agree(void **state)
{
	(void)state;
	struct unifw_kernel_info *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	inspect_file("kernel/mt6572_explay_joytv_kernel_3.4.67_mtkhdr.bin", a);
	inspect_file("kernel/mt6572_explay_joytv_kernel_3.4.67_raw.bin", b);
	assert_true(a->has_mtk_header && !b->has_mtk_header);
	assert_int_equal(a->payload_offset, b->payload_offset + UNIFW_MTKHDR_SIZE);
	assert_int_equal(a->decompressed_size, b->decompressed_size);
	assert_string_equal(a->banner, b->banner);
	assert_memory_equal(&a->lcm, &b->lcm, sizeof a->lcm);
	assert_memory_equal(&a->touch, &b->touch, sizeof a->touch);
	assert_memory_equal(&a->camera, &b->camera, sizeof a->camera);
	free(a);
	free(b);
}

static void describe_emits_type_first_and_documented_keys(void **state)
{
	(void)state;
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_stream_open_file(&s, corpus_path("kernel/mt6572_alps_generic_kernel_3.4.5_mtkhdr.bin"),
						&err), 0);
	assert_int_equal(unifw_kernel_describe(&s, o, &err), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "kernel");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "container")), "mtk_header");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "compression")), "gzip");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "version")), "3.4.5");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "mtk_header.name")), "KERNEL");
	assert_true(unifw_jv_u64(unifw_jv_get(o, "decompressed_size")) > 8000000);
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "lcm_drivers")), UNIFW_JV_ARRAY);
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "touch_drivers")), UNIFW_JV_ARRAY);
	/* the alps generic tree ships the ft5306 driver (names/touch.txt) */
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "touch_drivers.0")), "ft5306");
	/* the generic tree's kdSensorList: "ov5645pipyuv" is its own spelling of the OV5645 driver */
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "camera_drivers.0")), "ov5645pipyuv");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "camera_drivers.1")), "ov7695yuv");
	assert_non_null(unifw_jv_get(o, "banner"));
	unifw_jv_free(o);
}

/* ------------------------------------------------------------------ synthetic */

static void synthetic_gzip_and_xz_kernels_are_read_back(void **state)
{
	(void)state;
	for (int xz = 0; xz < 2; xz++) {
		size_t len;
		uint8_t *z = fake_zimage(xz, &len);
		struct unifw_kernel_info *k = malloc(sizeof *k);
		struct unifw_error err;
		assert_true(unifw_kernel_probe(z, len, len));
		assert_int_equal(unifw_kernel_inspect(z, len, "fake", NULL, k, &err), 0);
		assert_string_equal(unifw_kernel_comp_name(k->compression), xz ? "xz" : "gzip");
		assert_int_equal(k->payload_offset, 0x200); /* the decoys before it were skipped */
		assert_int_equal(k->decompressed_size, 256 * 1024);
		assert_string_equal(k->version, "9.8.7-test");
		assert_string_equal(k->builder, "me@host");
		assert_string_equal(k->toolchain, "gcc version 4.7 (GCC)");
		assert_string_equal(k->build, "#5 SMP PREEMPT Mon Jan 1");
		assert_int_equal(k->lcm.count, 1);
		assert_string_equal(k->lcm.name[0], "otm8018b_dsi_vdo");
		assert_int_equal(k->lcm_unlisted.count, 1);
		assert_string_equal(k->lcm_unlisted.name[0], "abc1234_fwvga_dsi_vdo");
		assert_int_equal(k->touch.count, 1);
		assert_string_equal(k->touch.name[0], "GT9XX"); /* table spelling */

		/* behind an MTK header, page padded */
		size_t wl = UNIFW_MTKHDR_SIZE + len + 100;
		uint8_t *w = calloc(1, wl);
		assert_int_equal(unifw_mtkhdr_write(w, (uint32_t)len, "KERNEL", 0xFFFFFFFF, 0xFFFFFFFF, NULL), 0);
		memcpy(w + UNIFW_MTKHDR_SIZE, z, len);
		assert_true(unifw_kernel_probe(w, wl, wl));
		assert_int_equal(unifw_kernel_inspect(w, wl, "fake", NULL, k, &err), 0);
		assert_true(k->has_mtk_header);
		assert_int_equal(k->trailing, 100);
		assert_int_equal(k->payload_offset, 0x200 + UNIFW_MTKHDR_SIZE);
		free(w);
		free(k);
		free(z);
	}
}

static void decompression_is_bounded(void **state)
{
	(void)state;
	size_t len;
	uint8_t *z = fake_zimage(false, &len);
	struct unifw_kernel_info *k = malloc(sizeof *k);
	struct unifw_error err;
	struct unifw_kernel_opts o = {.max_decompressed = 100 * 1024};
	assert_int_equal(unifw_kernel_inspect(z, len, "fake", &o, k, &err), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "102400"));
	assert_true(err.offset >= 0x200 && err.offset < len);
	free(k);
	free(z);
}

static void truncated_and_corrupted_payloads_name_the_offset(void **state)
{
	(void)state;
	size_t len;
	const char *rel = "kernel/mt6572_explay_joytv_kernel_3.4.67_raw.bin";
	uint8_t *buf = corpus_read(rel, &len);
	struct unifw_kernel_info *k = malloc(sizeof *k);
	struct unifw_error err;

	/* file cut in half: the zImage header's end field says more */
	assert_int_equal(unifw_kernel_inspect(buf, len / 2, rel, NULL, k, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, len / 2);
	assert_string_equal(err.where, rel);

	/* cut in half with a consistent header: the xz stream itself ends early */
	put_le32(buf + 0x2C, (uint32_t)(len / 2));
	assert_int_equal(unifw_kernel_inspect(buf, len / 2, rel, NULL, k, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, len / 2);
	assert_non_null(strstr(err.msg, "xz"));
	put_le32(buf + 0x2C, (uint32_t)len);

	/* bytes flipped in the middle of the xz stream */
	assert_int_equal(unifw_kernel_inspect(buf, len, rel, NULL, k, &err), 0);
	uint64_t start = k->payload_offset, size = k->compressed_size, mid = start + size / 2;
	for (int i = 0; i < 64; i++)
		buf[mid + (size_t)i] ^= 0x5a;
	assert_int_equal(unifw_kernel_inspect(buf, len, rel, NULL, k, &err), UNIFW_E_FORMAT);
	assert_true(err.offset >= mid && err.offset <= start + size);
	free(buf);

	/* the same for gzip (Lenovo S117, JB) */
	rel = "kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin";
	buf = corpus_read(rel, &len);
	assert_int_equal(unifw_kernel_inspect(buf, len, rel, NULL, k, &err), 0);
	start = k->payload_offset;
	size = k->compressed_size;
	mid = start + size / 3;
	for (int i = 0; i < 64; i++)
		buf[mid + (size_t)i] ^= 0xa5;
	assert_int_equal(unifw_kernel_inspect(buf, len, rel, NULL, k, &err), UNIFW_E_FORMAT);
	assert_true(err.offset >= mid && err.offset <= start + size);
	assert_non_null(strstr(err.msg, "gzip"));
	free(buf);
	free(k);
}

static void not_a_kernel_is_refused_with_offset(void **state)
{
	(void)state;
	struct unifw_kernel_info *k = malloc(sizeof *k);
	struct unifw_error err;
	uint8_t junk[4096];
	memset(junk, 0x33, sizeof junk);
	assert_false(unifw_kernel_probe(junk, sizeof junk, sizeof junk));
	assert_int_equal(unifw_kernel_inspect(junk, sizeof junk, "junk", NULL, k, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0x24);

	/* a bare KERNEL header (split out of a boot image): payload missing */
	size_t hl;
	uint8_t *hdr = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr", &hl);
	assert_false(unifw_kernel_probe(hdr, hl, hl));
	assert_int_equal(unifw_kernel_inspect(hdr, hl, "hdr", NULL, k, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, hl);
	free(hdr);

	/* a zImage with no gzip/xz stream at all */
	uint8_t z[0x400];
	memset(z, 0, sizeof z);
	put_le32(z + 0x24, UNIFW_ZIMAGE_MAGIC);
	put_le32(z + 0x2C, sizeof z);
	assert_int_equal(unifw_kernel_inspect(z, sizeof z, "z", NULL, k, &err), UNIFW_E_UNSUPPORTED);
	/* end before start */
	put_le32(z + 0x28, 0x300);
	put_le32(z + 0x2C, 0x100);
	assert_int_equal(unifw_kernel_inspect(z, sizeof z, "z", NULL, k, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0x2C);
	free(k);

	/* lk.bin is not a kernel */
	size_t ll;
	uint8_t *lk = corpus_read("lk/mt6572_lenovo_a516_S117_lk.bin", &ll);
	assert_false(unifw_kernel_probe(lk, ll, ll));
	free(lk);
}

static void assert_names(const struct unifw_names *l, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n && i < l->count; i++)
		assert_string_equal(l->name[i], want[i]);
	assert_int_equal(l->count, n);
	assert_false(l->truncated);
}

/* kdSensorList drvname strings (kd_imgsensor.h SENSOR_DRVNAME_*), in image order. The Micromax A102
 * list was checked by hand against its kdSensorList table (40-byte records: id, drvname[32], init). */
static void corpus_kernels_list_their_camera_sensor_drivers(void **state)
{
	(void)state;
	static const char *const a102[] = {"hi351yuv", "s5k5eayx_mipi_yuv", "ov5645_mipi_yuv", "hi257yuv",
					   "sp2519yuv", "sp0a19yuv", "hi708yuv", "gc0329_yuv"};
	static const char *const a516[] = {"sp0a19yuv", "ov5645_mipi_yuv", "ov3640yuv"};
	static const char *const mt6582[] = {"s5k4h8mipiraw", "s5k3h7ymipiraw"};
	struct unifw_kernel_info *k = malloc(sizeof *k);
	inspect_file("kernel/mt6572_micromax_a102_kernel_3.4.113_raw.bin", k);
	assert_names(&k->camera, a102, sizeof a102 / sizeof *a102);
	inspect_file("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", k);
	assert_names(&k->camera, a516, sizeof a516 / sizeof *a516);
	inspect_file("kernel/mt6582_naimur_65x2_kernel_3.10.72_mtkhdr.bin", k);
	assert_names(&k->camera, mt6582, sizeof mt6582 / sizeof *mt6582);
	free(k);
}

static void driver_name_rules(void **state)
{
	(void)state;
	assert_true(unifw_camera_name_plausible("ov5645_mipi_yuv"));
	assert_true(unifw_camera_name_plausible("hi257yuv"));
	assert_true(unifw_camera_name_plausible("gc0329_yuv"));
	assert_true(unifw_camera_name_plausible("ov5647mipiraw"));
	assert_true(unifw_camera_name_plausible("s5k4ecgx_mipi_yuv"));
	assert_true(unifw_camera_name_plausible("gc2155mipi_yuv"));
	assert_false(unifw_camera_name_plausible("ov5645_mipi"));     /* no output format */
	assert_false(unifw_camera_name_plausible("OV5645_MIPI_YUV")); /* driver names are lower case */
	assert_false(unifw_camera_name_plausible("yuv"));
	assert_false(unifw_camera_name_plausible("mt_raw"));          /* no model number */
	assert_false(unifw_camera_name_plausible("rgb8_yuv"));        /* one digit only */
	assert_false(unifw_camera_name_plausible("camera_sensor_yuv"));
	assert_false(unifw_camera_name_plausible("ov5645_mipi_yuv_with_a_very_long_tail_yuv")); /* > 31 */
	assert_true(unifw_lcm_name_plausible("ili9806_dsi_6572"));
	assert_true(unifw_lcm_name_plausible("hx8369b_fwvga_dsi_vdo"));
	assert_true(unifw_lcm_name_plausible("otm9605a_qhd_dsi_vdo_tianma"));
	assert_false(unifw_lcm_name_plausible("wmt_dbg_cmd_test_api"));
	assert_false(unifw_lcm_name_plausible("mali_dma_get_cmd_buf"));
	assert_false(unifw_lcm_name_plausible("lcm_drv"));
	assert_false(unifw_lcm_name_plausible("nt35510_fwvga_vdo")); /* no interface token */
	assert_true(unifw_lcm_name_known("otm8018b_dsi_vdo"));
	assert_false(unifw_lcm_name_known("dummy"));
	assert_string_equal(unifw_touch_name_canonical("gt9xx"), "GT9XX");
	assert_string_equal(unifw_touch_name_canonical("MSG2133"), "MSG2133");
	assert_string_equal(unifw_touch_name_canonical("msg2133"), "msg2133");
	assert_null(unifw_touch_name_canonical("generic"));
	assert_null(unifw_touch_name_canonical("mt6573"));

	struct unifw_names l;
	memset(&l, 0, sizeof l);
	char nm[16];
	for (int i = 0; i < UNIFW_NAMES_MAX + 3; i++) {
		snprintf(nm, sizeof nm, "n%d", i);
		unifw_names_add(&l, nm);
		unifw_names_add(&l, nm);
	}
	assert_int_equal(l.count, UNIFW_NAMES_MAX);
	assert_true(l.truncated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_kernel_reports_version_compression_and_drivers),
		cmocka_unit_test(kernel_lcm_names_match_the_same_phones_lk),
		cmocka_unit_test(header_and_raw_forms_agree),
		cmocka_unit_test(describe_emits_type_first_and_documented_keys),
		cmocka_unit_test(synthetic_gzip_and_xz_kernels_are_read_back),
		cmocka_unit_test(decompression_is_bounded),
		cmocka_unit_test(truncated_and_corrupted_payloads_name_the_offset),
		cmocka_unit_test(not_a_kernel_is_refused_with_offset),
		cmocka_unit_test(corpus_kernels_list_their_camera_sensor_drivers),
		cmocka_unit_test(driver_name_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
