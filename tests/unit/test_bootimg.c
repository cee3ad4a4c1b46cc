/* Boot images: the real Orange Pi boot.img, the bare Lenovo A516 headers, an image we build from a
 * corpus kernel and a ramdisk made with ramdisk.c; unpack -> repack byte-exact, replaced parts,
 * edited header fields, damaged inputs and header.txt errors. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/bootimg.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "unifw/ramdisk.h"
#include "util/bytes.h"

#define OPI "kernel/mt6572_orangepi3giot_boot_emmc.img"

static char *path_in(const char *dir, const char *name)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static struct unifw_jv *describe_buf(const uint8_t *b, size_t n, const char *name)
{
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, b, n, name);
	if (unifw_bootimg_describe(&s, o, &err))
		fail_msg("describe %s: %s", name, err.msg);
	unifw_stream_close(&s);
	return o;
}

static uint8_t *unpack_repack(const char *img_path, const struct unifw_bootimg_repack_opts *o, char **dir_out,
			      size_t *len)
{
	struct unifw_error err;
	char *dir = test_mkdtemp();
	char *up = path_in(dir, "unpacked"), *out = path_in(dir, "new.img");
	if (unifw_bootimg_unpack(img_path, up, NULL, &err))
		fail_msg("unpack: %s", err.msg);
	if (unifw_bootimg_repack(up, out, o, &err))
		fail_msg("repack: %s (offset 0x%llx)", err.msg, (unsigned long long)err.offset);
	uint8_t *b = test_read_file(out, len);
	assert_non_null(b);
	free(up);
	free(out);
	*dir_out = dir;
	return b;
}

/* ------------------------------------------------------------------ real images */

static void orange_pi_boot_img_is_described(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read(OPI, &len);
	struct unifw_bootimg img;
	struct unifw_error err;
	assert_true(unifw_bootimg_probe(b, len, len));
	assert_int_equal(unifw_bootimg_parse(b, len, OPI, &img, &err), 0);
	/* PROVENANCE: ramdisk_size 0, kernel 0x10008000, tags 0x10000100, page 2048, name '2016.07.04' */
	assert_int_equal(img.hdr.page_size, 2048);
	assert_int_equal(img.hdr.ramdisk_size, 0);
	assert_int_equal(img.hdr.kernel_addr, 0x10008000);
	assert_int_equal(img.hdr.tags_addr, 0x10000100);
	assert_string_equal((const char *)img.hdr.name, "2016.07.04");
	assert_true(img.id_ok);
	assert_int_equal(img.layout_end, len);
	assert_int_equal(unifw_findings_count(&img.findings, UNIFW_SEV_WARNING) +
				 unifw_findings_count(&img.findings, UNIFW_SEV_ERROR),
			 0);
	unifw_bootimg_free(&img);

	struct unifw_jv *o = describe_buf(b, len, OPI);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "bootimg");
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "id_ok")));
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "kernel_addr")), "0x10008000");
	assert_int_equal(unifw_jv_type(unifw_jv_get(o, "ramdisk")), UNIFW_JV_NULL);
	/* PROVENANCE: MTK-header kernel, Linux 3.4.67 #3 2020-03-17 */
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "kernel.container")), "mtk_header");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "kernel.version")), "3.4.67");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "kernel.compression")), "xz");
	assert_non_null(strstr(unifw_jv_str(unifw_jv_path(o, "kernel.banner")), "#3 SMP PREEMPT Tue Mar 17"));
	assert_non_null(strstr(unifw_jv_str(unifw_jv_path(o, "kernel.banner")), "2020"));
	unifw_jv_free(o);
	free(b);
}

static void orange_pi_unpack_repack_is_byte_exact(void **state)
{
	(void)state;
	size_t len, olen;
	char *dir;
	uint8_t *orig = corpus_read(OPI, &len);
	uint8_t *again = unpack_repack(corpus_path(OPI), NULL, &dir, &olen);
	assert_int_equal(olen, len);
	assert_memory_equal(again, orig, len);
	/* the directory holds the zImage without its MTK header, and the header apart */
	char *k = path_in(dir, "unpacked/kernel"), *kh = path_in(dir, "unpacked/kernel.mtkhdr");
	size_t kl, hl;
	uint8_t *kb = test_read_file(k, &kl), *hb = test_read_file(kh, &hl);
	assert_non_null(kb);
	assert_true(unifw_zimage_is(kb, kl));
	assert_int_equal(hl, 512);
	assert_true(unifw_mtkhdr_has_name(hb, hl, "KERNEL"));
	assert_int_equal(kl + hl, 0x399d80);
	char *rd = path_in(dir, "unpacked/ramdisk");
	size_t rl;
	uint8_t *none = test_read_file(rd, &rl);
	assert_null(none); /* no ramdisk in this image */
	free(rd);
	free(kb);
	free(hb);
	free(k);
	free(kh);
	free(again);
	free(orig);
	test_rmtree(dir);
	free(dir);
}

/* PROVENANCE facts on the bare 1632-byte headers split out of the Lenovo A516 images. */
static void bare_a516_headers_are_boot_headers(void **state)
{
	(void)state;
	static const struct {
		const char *file, *name;
		uint32_t kernel_size, ramdisk_size;
		const char *kernel_hdr, *ramdisk_hdr; /* MTK headers of the same image, when in the corpus */
	} h[] = {
		{"bootimg/mt6572_lenovo_a516_S117_boot_image.hdr", "", 4007936, 600077, NULL,
		 "bootimg/mt6572_lenovo_a516_S117_boot_ramdisk.mtkhdr"},
		{"bootimg/mt6572_lenovo_a516_S118_boot_image.hdr", "14", 4006024, 638726,
		 "bootimg/mt6572_lenovo_a516_S118_boot_zImage.mtkhdr", NULL},
		{"bootimg/mt6572_lenovo_a516_recovery_image.hdr", "", 4006016, 2455377,
		 "bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr", "bootimg/mt6572_lenovo_a516_recovery_ramdisk.mtkhdr"},
	};
	for (size_t i = 0; i < sizeof h / sizeof *h; i++) {
		size_t len;
		uint8_t *b = corpus_read(h[i].file, &len);
		assert_int_equal(len, UNIFW_BOOTIMG_HDR_SIZE);
		struct unifw_jv *o = describe_buf(b, len, h[i].file);
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "boot_header");
		assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "page_size")), 2048);
		assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "kernel_size")), h[i].kernel_size);
		assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "ramdisk_size")), h[i].ramdisk_size);
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "name")), h[i].name);
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "ramdisk_addr")), "0x11000000");
		uint64_t expect = 2048 + (h[i].kernel_size + 2047) / 2048 * 2048 + (h[i].ramdisk_size + 2047) / 2048 * 2048;
		assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "expected_image_size")), expect);
		unifw_jv_free(o);
		/* sizes include the 512-byte MTK headers of the sections */
		struct unifw_mtkhdr m;
		size_t ml;
		if (h[i].kernel_hdr) {
			uint8_t *mh = corpus_read(h[i].kernel_hdr, &ml);
			assert_int_equal(unifw_mtkhdr_parse(mh, ml, ml, &m, NULL), 0);
			assert_int_equal(h[i].kernel_size, 512 + m.dsize);
			free(mh);
		}
		if (h[i].ramdisk_hdr) {
			uint8_t *mh = corpus_read(h[i].ramdisk_hdr, &ml);
			assert_int_equal(unifw_mtkhdr_parse(mh, ml, ml, &m, NULL), 0);
			assert_int_equal(h[i].ramdisk_size, 512 + m.dsize);
			free(mh);
		}
		/* a bare header is not an image: parse/unpack refuse it with the offset where data should be */
		struct unifw_bootimg img;
		struct unifw_error err;
		assert_int_equal(unifw_bootimg_parse(b, len, h[i].file, &img, &err), UNIFW_E_TRUNCATED);
		assert_int_equal(err.offset, len);
		assert_int_equal(unifw_bootimg_unpack(corpus_path(h[i].file), "/nonexistent/never", NULL, &err),
				 UNIFW_E_INVALID);
		free(b);
	}
}

/* The S117 header says kernel_size 4007936 while its KERNEL header + zImage are 4006016 bytes (mixed
 * builds in the source repo). Put the real S117 pieces into an image with that header: the mismatch
 * must be reported, and the kernel still read. */
static void a516_s117_size_mismatch_is_reported(void **state)
{
	(void)state;
	size_t hl, ml, zl, rl;
	uint8_t *hdr = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_image.hdr", &hl);
	uint8_t *kh = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr", &ml);
	uint8_t *z = corpus_read("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", &zl);
	uint8_t *rh = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_ramdisk.mtkhdr", &rl);
	struct unifw_bootimg_hdr h;
	struct unifw_error err;
	assert_int_equal(unifw_bootimg_hdr_parse(hdr, hl, "hdr", &h, &err), 0);
	assert_true(512 + zl < h.kernel_size);
	/* kernel slot as long as the header says; ramdisk slot: the real ROOTFS header, zeros for data */
	uint8_t *kslot = calloc(1, h.kernel_size), *rslot = calloc(1, h.ramdisk_size);
	memcpy(kslot, kh, ml);
	memcpy(kslot + ml, z, zl);
	memcpy(rslot, rh, rl);
	uint8_t *img;
	size_t len;
	assert_int_equal(unifw_bootimg_build(&h, kslot, h.kernel_size, rslot, h.ramdisk_size, NULL, 0, false, &img, &len,
					     &err), 0);
	struct unifw_bootimg b;
	assert_int_equal(unifw_bootimg_parse(img, len, "s117.img", &b, &err), 0);
	bool mismatch = false;
	for (size_t i = 0; i < b.findings.count; i++)
		if (!strcmp(b.findings.items[i].code, "mtk-size-mismatch") && strstr(b.findings.items[i].msg, "1920 bytes"))
			mismatch = true;
	assert_true(mismatch);
	assert_false(b.id_ok); /* the stored id is of the original sections */
	unifw_bootimg_free(&b);
	struct unifw_jv *o = describe_buf(img, len, "s117.img");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "kernel.version")), "3.4.5");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "kernel.trailing_bytes")), 1920);
	/* the zero-filled ramdisk cannot be read: reported inside, no failure of the whole */
	assert_non_null(unifw_jv_str(unifw_jv_path(o, "ramdisk.error")));
	assert_true(unifw_jv_len(unifw_jv_get(o, "findings")) >= 1);
	unifw_jv_free(o);
	free(img);
	free(kslot);
	free(rslot);
	free(hdr);
	free(kh);
	free(z);
	free(rh);
}

/* ------------------------------------------------------------------ built images */

static uint8_t *sample_ramdisk(const char *extra, size_t *len)
{
	struct unifw_ramdisk rd;
	struct unifw_error err;
	uint8_t *out;
	const char *rc = "on init\n    mkdir /system\n";
	const char *prop = "ro.secure=1\nro.build.product=a516\n";
	unifw_ramdisk_init(&rd);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "init.rc", 0750, rc, strlen(rc), &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "default.prop", 0644, prop, strlen(prop), &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "sbin/adbd", 0750, "ELF", 3, &err), 0);
	if (extra)
		assert_int_equal(unifw_ramdisk_add_file(&rd, extra, 0644, "x\n", 2, &err), 0);
	assert_int_equal(unifw_ramdisk_write(&rd, UNIFW_RD_GZIP, &out, len, &err), 0);
	unifw_ramdisk_free(&rd);
	return out;
}

static uint8_t *wrap(const uint8_t *p, size_t n, const char *name, size_t *len)
{
	uint8_t *w = malloc(n + 512);
	assert_int_equal(unifw_mtkhdr_write(w, (uint32_t)n, name, 0xFFFFFFFF, 0xFFFFFFFF, NULL), 0);
	memcpy(w + 512, p, n);
	*len = n + 512;
	return w;
}

/* An MT6572-style image: A516 header fields, the Explay MTK-header kernel, a ROOTFS-wrapped ramdisk. */
static uint8_t *build_image(size_t *len, bool with_second)
{
	size_t hl, kl, rl, wl;
	uint8_t *hdr = corpus_read("bootimg/mt6572_lenovo_a516_S118_boot_image.hdr", &hl);
	uint8_t *k = corpus_read("kernel/mt6572_explay_joytv_kernel_3.4.67_mtkhdr.bin", &kl);
	uint8_t *r = sample_ramdisk(NULL, &rl);
	uint8_t *rw = wrap(r, rl, "ROOTFS", &wl);
	struct unifw_bootimg_hdr h;
	struct unifw_error err;
	uint8_t *img;
	assert_int_equal(unifw_bootimg_hdr_parse(hdr, hl, "hdr", &h, &err), 0);
	memcpy(h.cmdline, "console=ttyMT0 lcm=1-ili9806e_wvga_dsi_vdo", 43);
	const char second[] = "second stage";
	assert_int_equal(unifw_bootimg_build(&h, k, kl, rw, wl, with_second ? (const uint8_t *)second : NULL,
					     with_second ? sizeof second : 0, true, &img, len, &err), 0);
	free(hdr);
	free(k);
	free(r);
	free(rw);
	return img;
}

static void built_image_reads_back_and_repacks_exactly(void **state)
{
	(void)state;
	for (int second = 0; second < 2; second++) {
		size_t len, olen;
		uint8_t *img = build_image(&len, second);
		struct unifw_bootimg b;
		struct unifw_error err;
		assert_int_equal(unifw_bootimg_parse(img, len, "built", &b, &err), 0);
		assert_true(b.id_ok);
		assert_int_equal(b.findings.count, 0);
		assert_int_equal(b.hdr.kernel_size, 3367392); /* the whole MTK-header kernel file */
		unifw_bootimg_free(&b);
		struct unifw_jv *o = describe_buf(img, len, "built");
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "kernel.version")), "3.4.67");
		assert_string_equal(unifw_jv_str(unifw_jv_path(o, "ramdisk.mtk_header.name")), "ROOTFS");
		assert_true(unifw_jv_truthy(unifw_jv_path(o, "ramdisk.has_init_rc")));
		assert_string_equal(unifw_jv_str(unifw_jv_get(unifw_jv_path(o, "ramdisk.default_prop"), "ro.build.product")),
				    "a516");
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "cmdline")), "console=ttyMT0 lcm=1-ili9806e_wvga_dsi_vdo");
		assert_string_equal(unifw_jv_str(unifw_jv_get(o, "name")), "14");
		if (second)
			assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "second.size")), 13);
		unifw_jv_free(o);

		char *dir = test_mkdtemp(), *p = path_in(dir, "built.img"), *d2;
		test_write_file(p, img, len);
		uint8_t *again = unpack_repack(p, NULL, &d2, &olen);
		assert_int_equal(olen, len);
		assert_memory_equal(again, img, len);
		free(again);
		test_rmtree(d2);
		free(d2);
		test_rmtree(dir);
		free(dir);
		free(p);
		free(img);
	}
}

/* Non-zero bytes in the header page, a stale id, a partition-dump tail: still byte-exact. */
static void odd_bytes_survive_the_round_trip(void **state)
{
	(void)state;
	size_t len, olen;
	uint8_t *img = build_image(&len, false);
	img[1700] = 0x5a;   /* header page padding */
	img[0x240] ^= 0xff; /* id no longer matches */
	img[0x30 + 3] = 0; /* name "14\0" then junk after the NUL */
	img[0x30 + 5] = 'j';
	size_t big = len + 3 * 4096;
	img = realloc(img, big);
	memset(img + len, 0, 3 * 4096);
	img[len + 4000] = 0xff; /* tail of a partition dump */
	char *dir = test_mkdtemp(), *p = path_in(dir, "odd.img"), *d2;
	test_write_file(p, img, big);
	uint8_t *again = unpack_repack(p, NULL, &d2, &olen);
	assert_int_equal(olen, big);
	assert_memory_equal(again, img, big);
	free(again);
	test_rmtree(d2);
	free(d2);

	/* a zero tail is not stored as a file but still reproduced */
	img[len + 4000] = 0;
	test_write_file(p, img, big);
	again = unpack_repack(p, NULL, &d2, &olen);
	char *tail = path_in(d2, "unpacked/tail.bin");
	size_t tl;
	uint8_t *tb = test_read_file(tail, &tl);
	assert_null(tb);
	assert_int_equal(olen, big);
	assert_memory_equal(again, img, big);
	free(tail);
	free(again);
	test_rmtree(d2);
	free(d2);
	test_rmtree(dir);
	free(dir);
	free(p);
	free(img);
}

static void replaced_parts_get_new_sizes_headers_and_id(void **state)
{
	(void)state;
	size_t len, olen;
	uint8_t *img = build_image(&len, false);
	char *dir = test_mkdtemp(), *p = path_in(dir, "built.img"), *d2;
	test_write_file(p, img, len);

	/* a raw zImage replaces the kernel: wrapped in a rebuilt KERNEL header */
	struct unifw_bootimg_repack_opts o = {.kernel = corpus_path("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin")};
	size_t zl;
	uint8_t *z = corpus_read("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", &zl);
	uint8_t *out = unpack_repack(p, &o, &d2, &olen);
	struct unifw_bootimg b, orig;
	struct unifw_error err;
	assert_int_equal(unifw_bootimg_parse(out, olen, "new", &b, &err), 0);
	assert_int_equal(unifw_bootimg_parse(img, len, "old", &orig, &err), 0);
	assert_int_equal(b.hdr.kernel_size, 512 + zl);
	assert_true(unifw_mtkhdr_has_name(out + b.kernel_off, 512, "KERNEL"));
	struct unifw_mtkhdr m;
	assert_int_equal(unifw_mtkhdr_parse(out + b.kernel_off, b.hdr.kernel_size, b.hdr.kernel_size, &m, NULL), 0);
	assert_int_equal(m.dsize, zl);
	assert_memory_equal(out + b.kernel_off + 512, z, zl);
	assert_true(b.id_ok);
	assert_memory_not_equal(b.hdr.id, orig.hdr.id, 20);
	/* the ramdisk section is carried over untouched */
	assert_int_equal(b.hdr.ramdisk_size, orig.hdr.ramdisk_size);
	assert_memory_equal(out + b.ramdisk_off, img + orig.ramdisk_off, orig.hdr.ramdisk_size);
	assert_memory_equal(b.hdr.cmdline, orig.hdr.cmdline, sizeof b.hdr.cmdline);
	struct unifw_jv *j = describe_buf(out, olen, "new");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "kernel.version")), "3.4.5");
	unifw_jv_free(j);
	unifw_bootimg_free(&b);
	free(out);
	test_rmtree(d2);
	free(d2);

	/* an edited ramdisk replaces the old one: ROOTFS header rebuilt around it */
	size_t rl;
	uint8_t *r = sample_ramdisk("system/etc/added.txt", &rl);
	char *rp = path_in(dir, "new-ramdisk.gz");
	test_write_file(rp, r, rl);
	struct unifw_bootimg_repack_opts o2 = {.ramdisk = rp};
	out = unpack_repack(p, &o2, &d2, &olen);
	assert_int_equal(unifw_bootimg_parse(out, olen, "new", &b, &err), 0);
	assert_int_equal(b.hdr.ramdisk_size, 512 + rl);
	assert_true(unifw_mtkhdr_has_name(out + b.ramdisk_off, 512, "ROOTFS"));
	assert_memory_equal(out + b.ramdisk_off + 512, r, rl);
	assert_memory_equal(out + b.kernel_off, img + orig.kernel_off, orig.hdr.kernel_size);
	assert_true(b.id_ok);
	assert_int_equal(b.findings.count, 0);
	j = describe_buf(out, olen, "new");
	bool added = false;
	struct unifw_jv *files = unifw_jv_path(j, "ramdisk.files");
	for (size_t i = 0; i < unifw_jv_len(files); i++)
		added |= !strcmp(unifw_jv_str(unifw_jv_get(unifw_jv_at(files, i), "path")), "system/etc/added.txt");
	assert_true(added);
	unifw_jv_free(j);
	unifw_bootimg_free(&b);
	unifw_bootimg_free(&orig);
	free(out);
	test_rmtree(d2);
	free(d2);

	/* not a zImage / not a ramdisk: refused */
	struct unifw_bootimg_repack_opts bad = {.kernel = rp};
	char *up = path_in(dir, "up"), *np = path_in(dir, "x.img");
	assert_int_equal(unifw_bootimg_unpack(p, up, NULL, &err), 0);
	assert_int_equal(unifw_bootimg_repack(up, np, &bad, &err), UNIFW_E_INVALID);
	assert_int_equal(err.offset, 0x24);
	struct unifw_bootimg_repack_opts bad2 = {.ramdisk = o.kernel};
	assert_int_not_equal(unifw_bootimg_repack(up, np, &bad2, &err), 0);
	free(up);
	free(np);
	free(rp);
	free(r);
	free(z);
	test_rmtree(dir);
	free(dir);
	free(p);
	free(img);
}

static void header_txt_edits_and_errors(void **state)
{
	(void)state;
	size_t len, n;
	struct unifw_error err;
	uint8_t *img = build_image(&len, false);
	char *dir = test_mkdtemp(), *p = path_in(dir, "b.img"), *up = path_in(dir, "up"), *out = path_in(dir, "o.img");
	char *txt = path_in(up, UNIFW_BOOTIMG_HEADER_FILE);
	test_write_file(p, img, len);
	assert_int_equal(unifw_bootimg_unpack(p, up, NULL, &err), 0);
	uint8_t *t = test_read_file(txt, &n);
	char *s = malloc(n + 256);
	memcpy(s, t, n);
	s[n] = '\0';
	/* edit the command line (with a trailing space, escaped) */
	char *line = strstr(s, "cmdline = ");
	assert_non_null(line);
	char *eol = strchr(line, '\n');
	char edited[8192];
	snprintf(edited, sizeof edited, "%.*scmdline = console=ttyMT3 \\x20\\\\x%s", (int)(line - s), s, eol);
	test_write_file(txt, edited, strlen(edited));
	assert_int_equal(unifw_bootimg_repack(up, out, NULL, &err), 0);
	size_t ol;
	uint8_t *o = test_read_file(out, &ol);
	struct unifw_bootimg b;
	assert_int_equal(unifw_bootimg_parse(o, ol, "o", &b, &err), 0);
	assert_string_equal((const char *)b.hdr.cmdline, "console=ttyMT3  \\x");
	assert_true(b.id_ok); /* sections unchanged: id unchanged and right */
	assert_int_equal(ol, len);
	unifw_bootimg_free(&b);
	free(o);

	/* an unknown key names the byte offset of its line */
	snprintf(edited, sizeof edited, "%s# comment\nbogus_key = 1\n", s);
	test_write_file(txt, edited, strlen(edited));
	assert_int_equal(unifw_bootimg_repack(up, out, NULL, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, n + strlen("# comment\n"));
	assert_non_null(strstr(err.where, UNIFW_BOOTIMG_HEADER_FILE));
	/* a bad value */
	snprintf(edited, sizeof edited, "%spage_size = 0x1000000000\n", s);
	test_write_file(txt, edited, strlen(edited));
	assert_int_equal(unifw_bootimg_repack(up, out, NULL, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, n);
	/* a name longer than its 16-byte field */
	snprintf(edited, sizeof edited, "%sname = 0123456789abcdefX\n", s);
	test_write_file(txt, edited, strlen(edited));
	assert_int_equal(unifw_bootimg_repack(up, out, NULL, &err), UNIFW_E_FORMAT);
	/* a page size that is not a power of two */
	snprintf(edited, sizeof edited, "%spage_size = 3000\n", s);
	test_write_file(txt, edited, strlen(edited));
	assert_int_equal(unifw_bootimg_repack(up, out, NULL, &err), UNIFW_E_INVALID);
	/* a missing key */
	test_write_file(txt, "page_size = 2048\n", 17);
	assert_int_equal(unifw_bootimg_repack(up, out, NULL, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "missing"));
	/* no header.txt at all */
	char *none = path_in(dir, "nothing-here");
	assert_int_not_equal(unifw_bootimg_repack(none, out, NULL, &err), 0);
	assert_non_null(strstr(err.where, "nothing-here"));
	free(none);
	free(t);
	free(s);
	free(txt);
	free(out);
	free(up);
	test_rmtree(dir);
	free(dir);
	free(p);
	free(img);
}

static void damaged_images_name_the_offset(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = corpus_read(OPI, &len);
	struct unifw_bootimg img;
	struct unifw_error err;
	assert_int_equal(unifw_bootimg_parse(b, len / 2, OPI, &img, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, len / 2);
	assert_non_null(strstr(err.msg, "kernel"));
	put_le32(b + 0x24, 3000);
	assert_int_equal(unifw_bootimg_parse(b, len, OPI, &img, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0x24);
	put_le32(b + 0x24, 2048);
	b[0] = 'X';
	assert_false(unifw_bootimg_probe(b, len, len));
	assert_int_equal(unifw_bootimg_parse(b, len, OPI, &img, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0);
	assert_int_equal(unifw_bootimg_parse(b, 100, OPI, &img, &err), UNIFW_E_FORMAT);
	b[0] = 'A';
	assert_int_equal(unifw_bootimg_parse(b, 100, OPI, &img, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, 100);
	/* a corrupted kernel inside: the image is described, the kernel error reported inside it */
	for (size_t i = 0x100000; i < 0x100040; i++)
		b[i] ^= 0x77;
	struct unifw_jv *o = describe_buf(b, len, OPI);
	const char *e = unifw_jv_str(unifw_jv_path(o, "kernel.error"));
	assert_non_null(e);
	assert_non_null(strstr(e, "offset 0x"));
	assert_false(unifw_jv_truthy(unifw_jv_get(o, "id_ok")));
	unifw_jv_free(o);
	free(b);
}

static void unpack_can_extract_the_ramdisk_tree(void **state)
{
	(void)state;
	size_t len, n;
	struct unifw_error err;
	uint8_t *img = build_image(&len, false);
	char *dir = test_mkdtemp(), *p = path_in(dir, "b.img"), *up = path_in(dir, "up");
	test_write_file(p, img, len);
	struct unifw_bootimg_unpack_opts o = {.extract_ramdisk = true};
	assert_int_equal(unifw_bootimg_unpack(p, up, &o, &err), 0);
	char *rc = path_in(up, "ramdisk.d/init.rc");
	uint8_t *b = test_read_file(rc, &n);
	assert_non_null(b);
	assert_memory_equal(b, "on init\n", 8);
	free(b);
	free(rc);
	free(up);
	test_rmtree(dir);
	free(dir);
	free(p);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(orange_pi_boot_img_is_described),
		cmocka_unit_test(orange_pi_unpack_repack_is_byte_exact),
		cmocka_unit_test(bare_a516_headers_are_boot_headers),
		cmocka_unit_test(a516_s117_size_mismatch_is_reported),
		cmocka_unit_test(built_image_reads_back_and_repacks_exactly),
		cmocka_unit_test(odd_bytes_survive_the_round_trip),
		cmocka_unit_test(replaced_parts_get_new_sizes_headers_and_id),
		cmocka_unit_test(header_txt_edits_and_errors),
		cmocka_unit_test(damaged_images_name_the_offset),
		cmocka_unit_test(unpack_can_extract_the_ramdisk_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
