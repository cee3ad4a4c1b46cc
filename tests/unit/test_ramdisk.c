/* Ramdisks: built here with our own writer (libarchive), read back, edited, checked byte by byte
 * against the newc layout the kernel's unpacker reads, wrapped in MTK headers, damaged, and extracted
 * with hostile paths that must never escape the target directory. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/mtkhdr.h"
#include "unifw/ramdisk.h"

static const char init_rc[] = "on init\n    export PATH /sbin\n\nservice adbd /sbin/adbd\n";
static const char default_prop[] = "# comment\nro.secure=0\nro.debuggable=1\n\npersist.sys.usb.config=mass_storage,adb\n";

static void build_sample(struct unifw_ramdisk *rd)
{
	struct unifw_error err;
	unifw_ramdisk_init(rd);
	assert_int_equal(unifw_ramdisk_add_dir(rd, "dev", 0755, &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(rd, "init.rc", 0750, init_rc, strlen(init_rc), &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(rd, "default.prop", 0644, default_prop, strlen(default_prop), &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(rd, "sbin/adbd", 0750, "\x7f" "ELF", 4, &err), 0); /* adds sbin/ */
	assert_int_equal(unifw_ramdisk_add_symlink(rd, "sbin/ueventd", "../init", &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(rd, "empty", 0600, NULL, 0, &err), 0);
}

static uint8_t *write_rd(const struct unifw_ramdisk *rd, enum unifw_ramdisk_comp c, size_t *len)
{
	uint8_t *out;
	struct unifw_error err;
	if (unifw_ramdisk_write(rd, c, &out, len, &err))
		fail_msg("write: %s", err.msg);
	return out;
}

static void parse_ok(const uint8_t *b, size_t n, struct unifw_ramdisk *rd)
{
	struct unifw_error err;
	if (unifw_ramdisk_parse(b, n, "test", rd, &err))
		fail_msg("parse: %s (offset 0x%llx)", err.msg, (unsigned long long)err.offset);
}

static void round_trip_keeps_every_entry(void **state)
{
	(void)state;
	struct unifw_ramdisk a, b;
	size_t len;
	build_sample(&a);
	assert_int_equal(a.count, 7); /* dev, init.rc, default.prop, sbin (added), sbin/adbd, sbin/ueventd, empty */
	assert_string_equal(a.entries[3].path, "sbin");
	uint8_t *gz = write_rd(&a, UNIFW_RD_GZIP, &len);
	assert_int_equal(gz[0], 0x1f);
	assert_int_equal(gz[1], 0x8b);
	parse_ok(gz, len, &b);
	assert_int_equal(b.compression, UNIFW_RD_GZIP);
	assert_true(b.kernel_format);
	assert_int_equal(b.count, a.count);
	for (size_t i = 0; i < a.count; i++) {
		assert_string_equal(b.entries[i].path, a.entries[i].path);
		assert_int_equal(b.entries[i].mode, a.entries[i].mode);
		assert_int_equal(b.entries[i].type, a.entries[i].type);
		assert_int_equal(b.entries[i].size, a.entries[i].size);
		if (a.entries[i].size)
			assert_memory_equal(b.entries[i].data, a.entries[i].data, a.entries[i].size);
		if (a.entries[i].link)
			assert_string_equal(b.entries[i].link, a.entries[i].link);
	}
	const struct unifw_ramdisk_entry *e = unifw_ramdisk_find(&b, "./init.rc");
	assert_non_null(e);
	assert_memory_equal(e->data, init_rc, strlen(init_rc));
	assert_int_equal(e->mode & 07777, 0750);
	/* deterministic output: same model, same bytes */
	size_t len2;
	uint8_t *again = write_rd(&b, UNIFW_RD_GZIP, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, gz, len);
	free(again);
	free(gz);
	unifw_ramdisk_free(&a);
	unifw_ramdisk_free(&b);
}

/* Walk the uncompressed archive the way init/initramfs.c does: "070701", 13 8-digit hex fields,
 * name padded to 4 bytes after the 110-byte header, data padded to 4, ending with TRAILER!!!. */
static unsigned long hexfield(const uint8_t *p, int i)
{
	char f[9];
	memcpy(f, p + 6 + 8 * i, 8);
	f[8] = '\0';
	return strtoul(f, NULL, 16);
}

static void output_is_the_newc_layout_the_kernel_reads(void **state)
{
	(void)state;
	struct unifw_ramdisk rd;
	size_t len, off = 0, entries = 0;
	build_sample(&rd);
	uint8_t *p = write_rd(&rd, UNIFW_RD_NONE, &len);
	bool trailer = false;
	while (!trailer) {
		assert_true(off + 110 <= len);
		assert_memory_equal(p + off, "070701", 6);
		unsigned long mode = hexfield(p + off, 1), fsize = hexfield(p + off, 6), nsize = hexfield(p + off, 11);
		const char *name = (const char *)p + off + 110;
		assert_int_equal(name[nsize - 1], '\0');
		trailer = !strcmp(name, "TRAILER!!!");
		if (!trailer) {
			assert_string_equal(name, rd.entries[entries].path);
			assert_int_equal(mode, rd.entries[entries].mode);
			entries++;
		}
		off = (off + 110 + nsize + 3) & ~(size_t)3;
		off = (off + fsize + 3) & ~(size_t)3;
	}
	assert_int_equal(entries, rd.count);
	assert_int_equal(off, len); /* nothing after the trailer, and 4-byte aligned */
	free(p);

	/* an independent reader agrees: GNU cpio lists the same names (skipped when cpio is absent) */
	char *dir = test_mkdtemp(), path[4096], cmd[8300];
	size_t gl;
	uint8_t *gz = write_rd(&rd, UNIFW_RD_GZIP, &gl);
	snprintf(path, sizeof path, "%s/rd.gz", dir);
	test_write_file(path, gz, gl);
	snprintf(cmd, sizeof cmd, "command -v cpio >/dev/null || exit 77; gzip -dc '%s' | cpio -t --quiet 2>&1", path);
	char *out;
	int st = test_run(cmd, &out);
	if (st != 77) {
		assert_int_equal(st, 0);
		assert_string_equal(out, "dev\ninit.rc\ndefault.prop\nsbin\nsbin/adbd\nsbin/ueventd\nempty\n");
	}
	free(out);
	free(gz);
	test_rmtree(dir);
	free(dir);
	unifw_ramdisk_free(&rd);
}

static void edits_add_replace_delete(void **state)
{
	(void)state;
	struct unifw_ramdisk rd, back;
	struct unifw_error err;
	size_t len;
	build_sample(&rd);
	const char *new_rc = "on boot\n";
	assert_int_equal(unifw_ramdisk_add_file(&rd, "init.rc", 0750, new_rc, strlen(new_rc), &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "system/etc/init.d/99test", 0755, "#!/bin/sh\n", 10, &err), 0);
	assert_int_equal(unifw_ramdisk_remove(&rd, "sbin", &err), 0);
	assert_int_equal(unifw_ramdisk_remove(&rd, "sbin/adbd", &err), UNIFW_E_NOT_FOUND);
	uint8_t *gz = write_rd(&rd, UNIFW_RD_GZIP, &len);
	parse_ok(gz, len, &back);
	/* replaced in place, same position */
	assert_string_equal(back.entries[1].path, "init.rc");
	assert_int_equal(back.entries[1].size, strlen(new_rc));
	assert_memory_equal(back.entries[1].data, new_rc, strlen(new_rc));
	/* sbin and everything below it are gone */
	assert_null(unifw_ramdisk_find(&back, "sbin"));
	assert_null(unifw_ramdisk_find(&back, "sbin/ueventd"));
	/* new file with its parents created first, in order */
	ssize_t sys = -1, etc = -1, initd = -1, file = -1;
	for (size_t i = 0; i < back.count; i++) {
		const char *p = back.entries[i].path;
		if (!strcmp(p, "system")) sys = (ssize_t)i;
		if (!strcmp(p, "system/etc")) etc = (ssize_t)i;
		if (!strcmp(p, "system/etc/init.d")) initd = (ssize_t)i;
		if (!strcmp(p, "system/etc/init.d/99test")) file = (ssize_t)i;
	}
	assert_true(sys >= 0 && sys < etc && etc < initd && initd < file);
	assert_int_equal(back.entries[initd].type, UNIFW_RD_DIR);
	assert_int_equal(back.count, 8);
	free(gz);
	unifw_ramdisk_free(&back);

	/* refused edits */
	static const char *bad[] = {"../evil", "/abs", "a//b", "a/./b", "", "x/..", "trailing/"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(unifw_ramdisk_add_file(&rd, bad[i], 0644, "x", 1, &err), UNIFW_E_UNSAFE);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "dev", 0644, "x", 1, &err), UNIFW_E_INVALID);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "init.rc/sub", 0644, "x", 1, &err), UNIFW_E_INVALID);
	assert_int_equal(unifw_ramdisk_remove(&rd, ".", &err), UNIFW_E_INVALID);
	unifw_ramdisk_free(&rd);
}

static void describe_reports_init_rc_and_default_prop(void **state)
{
	(void)state;
	struct unifw_ramdisk rd;
	size_t len;
	build_sample(&rd);
	uint8_t *gz = write_rd(&rd, UNIFW_RD_GZIP, &len);
	/* wrapped like a MediaTek boot ramdisk */
	uint8_t *w = malloc(UNIFW_MTKHDR_SIZE + len);
	assert_int_equal(unifw_mtkhdr_write(w, (uint32_t)len, "ROOTFS", 0xFFFFFFFF, 0xFFFFFFFF, NULL), 0);
	memcpy(w + UNIFW_MTKHDR_SIZE, gz, len);
	assert_true(unifw_ramdisk_probe(w, UNIFW_MTKHDR_SIZE + len, UNIFW_MTKHDR_SIZE + len));
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, w, UNIFW_MTKHDR_SIZE + len, "ramdisk.img");
	assert_int_equal(unifw_ramdisk_describe(&s, o, &err), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "ramdisk");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "compression")), "gzip");
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "has_mtk_header")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "mtk_header.name")), "ROOTFS");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "entry_count")), 7);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "symlink_count")), 1);
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "has_init_rc")));
	assert_string_equal(unifw_jv_str(unifw_jv_get(unifw_jv_get(o, "default_prop"), "ro.secure")), "0");
	assert_string_equal(unifw_jv_str(unifw_jv_get(unifw_jv_get(o, "default_prop"), "persist.sys.usb.config")),
			    "mass_storage,adb");
	assert_int_equal(unifw_jv_len(unifw_jv_get(o, "default_prop")), 3 + 1); /* three properties and "type" */
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "files.4.path")), "sbin/adbd");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "files.4.mode")), "0750");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "files.5.link")), "../init");
	unifw_jv_free(o);

	/* size field past the input: truncated at the end of the input */
	struct unifw_ramdisk back;
	assert_int_equal(unifw_ramdisk_parse(w, UNIFW_MTKHDR_SIZE + len / 2, "w", &back, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, UNIFW_MTKHDR_SIZE + len / 2);
	free(w);
	free(gz);
	unifw_ramdisk_free(&rd);
}

static void damaged_archives_fail_with_an_offset(void **state)
{
	(void)state;
	struct unifw_ramdisk rd, back;
	struct unifw_error err;
	size_t len;
	build_sample(&rd);
	/* bigger content so that the damage lands inside deflate data */
	char *big = malloc(200000);
	for (size_t i = 0; i < 200000; i++)
		big[i] = (char)('a' + (i * 31 + i / 7) % 26);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "big.bin", 0644, big, 200000, &err), 0);
	uint8_t *gz = write_rd(&rd, UNIFW_RD_GZIP, &len);

	/* container damage: named at its offset in the input file */
	assert_int_equal(unifw_ramdisk_parse(gz, len / 2, "half", &back, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, len / 2);
	assert_string_equal(err.where, "half");

	for (size_t i = len / 2; i < len / 2 + 32; i++)
		gz[i] ^= 0xff;
	assert_int_equal(unifw_ramdisk_parse(gz, len, "flipped", &back, &err), UNIFW_E_FORMAT);
	assert_true(err.offset >= len / 2 && err.offset <= len);
	assert_non_null(strstr(err.msg, "gzip"));

	uint8_t junk[64];
	memset(junk, 'Q', sizeof junk);
	assert_int_equal(unifw_ramdisk_parse(junk, sizeof junk, "junk", &back, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 0);
	assert_false(unifw_ramdisk_probe(junk, sizeof junk, sizeof junk));

	/* a cpio header that lies about its name size */
	uint8_t *raw = write_rd(&rd, UNIFW_RD_NONE, &len);
	memcpy(raw + 6 + 8 * 11, "7FFFFFFF", 8);
	assert_int_equal(unifw_ramdisk_parse(raw, len, "lying", &back, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 94); /* the namesize field of the first header */
	memcpy(raw + 6 + 8 * 11, "0000000G", 8);
	assert_int_equal(unifw_ramdisk_parse(raw, len, "nothex", &back, &err), UNIFW_E_FORMAT);
	assert_int_equal(err.offset, 94);
	/* a data size past the end, in the second entry */
	free(raw);
	raw = write_rd(&rd, UNIFW_RD_NONE, &len);
	size_t second = (110 + strlen("dev") + 1 + 3) & ~(size_t)3; /* "dev" is a directory: no data */
	assert_memory_equal(raw + second, "070701", 6);
	memcpy(raw + second + 6 + 8 * 6, "00FFFFFF", 8);
	assert_int_equal(unifw_ramdisk_parse(raw, len, "long", &back, &err), UNIFW_E_TRUNCATED);
	assert_int_equal(err.offset, second + 54);
	/* old-style (odc) cpio is not what the kernel reads */
	memcpy(raw, "070707", 6);
	assert_int_equal(unifw_ramdisk_parse(raw, len, "odc", &back, &err), UNIFW_E_UNSUPPORTED);
	assert_int_equal(err.offset, 0);
	/* no trailer */
	free(raw);
	raw = write_rd(&rd, UNIFW_RD_NONE, &len);
	assert_int_equal(unifw_ramdisk_parse(raw, len - 124, "cut", &back, &err), UNIFW_E_TRUNCATED);
	free(raw);
	free(big);
	free(gz);
	unifw_ramdisk_free(&rd);
}

static void probe_tells_ramdisks_from_other_gzip(void **state)
{
	(void)state;
	struct unifw_ramdisk rd;
	size_t len, hl;
	build_sample(&rd);
	uint8_t *gz = write_rd(&rd, UNIFW_RD_GZIP, &len);
	uint8_t *raw = write_rd(&rd, UNIFW_RD_NONE, &hl);
	assert_true(unifw_ramdisk_probe(gz, len, len));
	assert_true(unifw_ramdisk_probe(raw, hl, hl));
	/* a gzip stream of something else (here: a gzip of the gzip) */
	struct unifw_ramdisk other;
	unifw_ramdisk_init(&other);
	assert_int_equal(unifw_ramdisk_add_file(&other, "x", 0644, gz, len, NULL), 0);
	free(raw);
	raw = write_rd(&other, UNIFW_RD_GZIP, &hl);
	assert_true(unifw_ramdisk_probe(raw, hl, hl)); /* still a cpio inside */
	free(raw);
	/* the bare ROOTFS header split out of the A516 boot image is not a ramdisk by itself */
	uint8_t *bare = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_ramdisk.mtkhdr", &hl);
	assert_false(unifw_ramdisk_probe(bare, hl, hl));
	struct unifw_error err;
	struct unifw_ramdisk back;
	assert_int_equal(unifw_ramdisk_parse(bare, hl, "bare", &back, &err), UNIFW_E_TRUNCATED);
	free(bare);
	/* a gzip'd kernel is not a ramdisk */
	uint8_t *k = corpus_read("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", &hl);
	assert_false(unifw_ramdisk_probe(k + 0x4828, 65536, 65536)); /* its gzip payload */
	free(k);
	free(gz);
	unifw_ramdisk_free(&other);
	unifw_ramdisk_free(&rd);
}

/* ------------------------------------------------------------------ extraction */

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Append an entry without the safety checks of the edit API (as a hostile archive would have it). */
static void raw_entry(struct unifw_ramdisk *rd, const char *path, uint32_t mode, const char *data, const char *link)
{
	if (rd->count == rd->cap) {
		rd->cap = rd->cap ? rd->cap * 2 : 16;
		rd->entries = realloc(rd->entries, rd->cap * sizeof *rd->entries);
	}
	struct unifw_ramdisk_entry *e = &rd->entries[rd->count++];
	memset(e, 0, sizeof *e);
	e->path = strdup(path);
	e->mode = mode;
	e->type = S_ISDIR(mode) ? UNIFW_RD_DIR : S_ISLNK(mode) ? UNIFW_RD_SYMLINK : S_ISREG(mode) ? UNIFW_RD_FILE
											      : UNIFW_RD_SPECIAL;
	if (data) {
		e->size = strlen(data);
		e->data = (uint8_t *)strdup(data);
	}
	e->link = link ? strdup(link) : NULL;
}

/* Serialise with our writer and parse again, so the hostile entries go through libarchive. */
static void via_archive(struct unifw_ramdisk *rd)
{
	size_t len;
	uint8_t *gz = write_rd(rd, UNIFW_RD_GZIP, &len);
	unifw_ramdisk_free(rd);
	parse_ok(gz, len, rd);
	free(gz);
}

/* The description's model read in bounded memory (unifw_ramdisk_scan) is the parser's, entry for entry:
 * the same JSON for gzip, plain and MTK-wrapped ramdisks with files, links, a device node, a hard link (our
 * writer stores it as a copy) and two default.prop entries (the last wins); the same error code and offset
 * for damaged ones. */
static void assert_scan_is_parse(const uint8_t *b, size_t n, const char *what)
{
	struct unifw_ramdisk p, s;
	struct unifw_error pe, se;
	int prc = unifw_ramdisk_parse(b, n, what, &p, &pe), src = unifw_ramdisk_scan(b, n, what, &s, &se);
	if (prc != src)
		fail_msg("%s: parse %d (%s), scan %d (%s)", what, prc, pe.msg, src, se.msg);
	if (prc) {
		if (pe.offset != se.offset)
			fail_msg("%s: parse fails at 0x%llx (%s), scan at 0x%llx (%s)", what,
				 (unsigned long long)pe.offset, pe.msg, (unsigned long long)se.offset, se.msg);
		return;
	}
	struct unifw_jv *a = unifw_jv_object(), *c = unifw_jv_object();
	unifw_ramdisk_to_json(&p, a, 64);
	unifw_ramdisk_to_json(&s, c, 64);
	char *ja = unifw_jv_to_string(a, false), *jc = unifw_jv_to_string(c, false);
	if (strcmp(ja, jc))
		fail_msg("%s:\nparse %s\nscan  %s", what, ja, jc);
	assert_int_equal(p.data_size, s.data_size);
	free(ja);
	free(jc);
	unifw_jv_free(a);
	unifw_jv_free(c);
	unifw_ramdisk_free(&p);
	unifw_ramdisk_free(&s);
}

static void scan_reads_what_parse_reads(void **state)
{
	(void)state;
	struct unifw_ramdisk rd;
	struct unifw_error err;
	size_t len, plen;
	build_sample(&rd);
	raw_entry(&rd, "dev/null", S_IFCHR | 0666, NULL, NULL);
	raw_entry(&rd, "sbin/adbd2", S_IFREG | 0750, NULL, "sbin/adbd");
	rd.entries[rd.count - 1].type = UNIFW_RD_HARDLINK;
	raw_entry(&rd, "./default.prop", S_IFREG | 0644, "ro.secure=1\nro.adb.secure=1\n", NULL);
	uint8_t *gz = write_rd(&rd, UNIFW_RD_GZIP, &len), *plain = write_rd(&rd, UNIFW_RD_NONE, &plen);
	assert_scan_is_parse(gz, len, "gzip");
	assert_scan_is_parse(plain, plen, "plain");
	uint8_t *w = malloc(UNIFW_MTKHDR_SIZE + len);
	assert_int_equal(unifw_mtkhdr_write(w, (uint32_t)len, "ROOTFS", 0xFFFFFFFF, 0xFFFFFFFF, NULL), 0);
	memcpy(w + UNIFW_MTKHDR_SIZE, gz, len);
	assert_scan_is_parse(w, UNIFW_MTKHDR_SIZE + len, "mtk");
	/* the last default.prop is the one described */
	struct unifw_ramdisk s;
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_ramdisk_scan(gz, len, "gzip", &s, &err), 0);
	unifw_ramdisk_to_json(&s, o, 64);
	assert_string_equal(unifw_jv_str(unifw_jv_get(unifw_jv_get(o, "default_prop"), "ro.adb.secure")), "1");
	unifw_jv_free(o);
	unifw_ramdisk_free(&s);

	/* damage: cut short, flipped deflate bytes, lying name and data sizes, odc, no trailer */
	assert_scan_is_parse(gz, len / 2, "half");
	uint8_t *flip = malloc(len);
	memcpy(flip, gz, len);
	for (size_t i = len / 2; i < len / 2 + 8; i++)
		flip[i] ^= 0xff;
	assert_scan_is_parse(flip, len, "flipped");
	uint8_t *raw = malloc(plen);
	size_t second = (110 + strlen("dev") + 1 + 3) & ~(size_t)3;
	const struct { size_t off; const char *text; } edits[] = {
		{6 + 8 * 11, "7FFFFFFF"}, {6 + 8 * 11, "0000000G"}, {second + 6 + 8 * 6, "00FFFFFF"}, {0, "070707"},
	};
	for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
		memcpy(raw, plain, plen);
		memcpy(raw + edits[i].off, edits[i].text, strlen(edits[i].text));
		assert_scan_is_parse(raw, plen, edits[i].text);
	}
	assert_scan_is_parse(plain, plen - 124, "cut");
	free(raw);
	free(flip);
	free(w);
	free(gz);
	free(plain);
	unifw_ramdisk_free(&rd);
}

/* A ramdisk that inflates past the limit is refused by the scan too, having held 64 KiB of it. */
static void scan_refuses_a_gzip_bomb(void **state)
{
	(void)state;
	struct unifw_ramdisk rd, s;
	struct unifw_error err;
	size_t len, big = UNIFW_RAMDISK_MAX_TOTAL + 4096;
	uint8_t *zeros = calloc(1, big);
	unifw_ramdisk_init(&rd);
	raw_entry(&rd, "big", S_IFREG | 0644, NULL, NULL);
	rd.entries[0].data = zeros;
	rd.entries[0].size = big;
	uint8_t *gz = write_rd(&rd, UNIFW_RD_GZIP, &len);
	assert_true(len < big / 100);
	assert_int_equal(unifw_ramdisk_scan(gz, len, "bomb", &s, &err), UNIFW_E_TOO_BIG);
	assert_int_equal(err.offset, 0); /* the entry's header: its size alone is too much */
	assert_non_null(strstr(err.msg, "big"));
	free(gz);
	unifw_ramdisk_free(&rd);

	/* 2500 names of 4000 bytes (10 MB, a few kB of gzip): more names than the scan keeps */
	unifw_ramdisk_init(&rd);
	char *path = malloc(4001);
	for (size_t i = 0; i < 2500; i++) {
		memset(path, 'n', 4000);
		snprintf(path + 3990, 11, "%010zu", i);
		raw_entry(&rd, path, S_IFREG | 0644, NULL, NULL);
	}
	gz = write_rd(&rd, UNIFW_RD_GZIP, &len);
	assert_int_equal(unifw_ramdisk_scan(gz, len, "names", &s, &err), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "names"));
	free(path);
	free(gz);
	unifw_ramdisk_free(&rd);
}

/* An archive entry with no file type (mode 0) cannot be written back: the error names the entry. */
static void writer_names_an_entry_it_cannot_write(void **state)
{
	(void)state;
	struct unifw_ramdisk rd;
	struct unifw_error err;
	uint8_t *out = (uint8_t *)"untouched";
	size_t len = 7;
	build_sample(&rd);
	raw_entry(&rd, "typeless", 0, NULL, NULL);
	assert_int_equal(unifw_ramdisk_write(&rd, UNIFW_RD_GZIP, &out, &len, &err), UNIFW_E_LIBRARY);
	assert_string_equal(err.where, "typeless");
	assert_null(out);
	assert_int_equal(len, 0);
	unifw_ramdisk_free(&rd);
}

static void extract_creates_the_tree(void **state)
{
	(void)state;
	struct unifw_ramdisk rd;
	struct unifw_error err;
	char *dir = test_mkdtemp(), out[4096], path[4200];
	size_t skipped = 99, n;
	build_sample(&rd);
	raw_entry(&rd, "dev/console", S_IFCHR | 0600, NULL, NULL);
	raw_entry(&rd, "./sbin/su", S_IFREG | 04755, "suid", NULL);
	via_archive(&rd);
	snprintf(out, sizeof out, "%s/root", dir);
	assert_int_equal(unifw_ramdisk_extract(&rd, out, &skipped, &err), 0);
	assert_int_equal(skipped, 1); /* no device node created */
	snprintf(path, sizeof path, "%s/init.rc", out);
	uint8_t *got = test_read_file(path, &n);
	assert_non_null(got);
	assert_int_equal(n, strlen(init_rc));
	assert_memory_equal(got, init_rc, n);
	free(got);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	snprintf(path, sizeof path, "%s/sbin/su", out);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* setuid dropped */
	snprintf(path, sizeof path, "%s/sbin/ueventd", out);
	char target[64];
	ssize_t tl = readlink(path, target, sizeof target - 1);
	assert_true(tl > 0);
	target[tl] = '\0';
	assert_string_equal(target, "../init");
	snprintf(path, sizeof path, "%s/dev/console", out);
	assert_false(exists(path));
	test_rmtree(dir);
	free(dir);
	unifw_ramdisk_free(&rd);
}

static void extract_never_escapes_the_directory(void **state)
{
	(void)state;
	struct {
		const char *what;
		const char *p1, *l1, *p2;
	} cases[] = {
		{"dot-dot", "../escaped", NULL, NULL},
		{"deep dot-dot", "a/../../escaped", NULL, NULL},
		{"absolute", "/tmp/unifw-escaped-abs", NULL, NULL},
		/* a symlink to outside, then a file through it */
		{"symlink dir", "link", "..", "link/escaped"},
		{"symlink abs", "link", "/tmp", "link/unifw-escaped-link"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct unifw_ramdisk rd;
		struct unifw_error err;
		char *dir = test_mkdtemp(), root[4096], probe[4200];
		unifw_ramdisk_init(&rd);
		raw_entry(&rd, "ok.txt", S_IFREG | 0644, "fine", NULL);
		if (cases[i].l1) {
			raw_entry(&rd, cases[i].p1, S_IFLNK | 0777, NULL, cases[i].l1);
			raw_entry(&rd, cases[i].p2, S_IFREG | 0644, "pwned", NULL);
		} else {
			raw_entry(&rd, cases[i].p1, S_IFREG | 0644, "pwned", NULL);
		}
		via_archive(&rd);
		snprintf(root, sizeof root, "%s/root", dir);
		int rc = unifw_ramdisk_extract(&rd, root, NULL, &err);
		if (rc != UNIFW_E_UNSAFE)
			fail_msg("%s: expected a refusal, got %d (%s)", cases[i].what, rc, err.msg);
		/* the error names the entry and its offset in the archive */
		assert_true(err.offset != UNIFW_NO_OFFSET && err.offset > 0);
		assert_non_null(strstr(err.where, "escaped"));
		/* nothing was written outside root */
		snprintf(probe, sizeof probe, "%s/escaped", dir);
		assert_false(exists(probe));
		assert_false(exists("/tmp/unifw-escaped-abs"));
		assert_false(exists("/tmp/unifw-escaped-link"));
		test_rmtree(dir);
		free(dir);
		unifw_ramdisk_free(&rd);
	}
}

/* A folder back into a ramdisk (unifw_ramdisk_from_dir, the repack of an edited ramdisk.d): what the
 * folder shows (contents, new and deleted entries, links) over what only the original knows (owners,
 * setuid bits, device nodes, absolute links), and the digest that tells an untouched folder. */
static void folder_back_into_a_ramdisk(void **state)
{
	(void)state;
	struct unifw_ramdisk rd, back;
	struct unifw_error err;
	char path[1024], d1[65], d2[65];
	build_sample(&rd);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "sbin/su", 04750, "su", 2, &err), 0);
	((struct unifw_ramdisk_entry *)unifw_ramdisk_find(&rd, "sbin/su"))->gid = 2000;
	assert_int_equal(unifw_ramdisk_add_symlink(&rd, "etc", "/system/etc", &err), 0);
	char *dir = test_mkdtemp();
	snprintf(path, sizeof path, "%s/rd", dir);
	assert_int_equal(unifw_ramdisk_extract(&rd, path, NULL, &err), 0);
	assert_int_equal(unifw_ramdisk_dir_digest(path, d1, &err), 0);
	assert_int_equal(unifw_ramdisk_dir_digest(path, d2, &err), 0);
	assert_string_equal(d1, d2);
	/* untouched: the same model (order, owners, setuid bit, the absolute link) */
	assert_int_equal(unifw_ramdisk_from_dir(&rd, path, &back, &err), 0);
	assert_int_equal(back.count, rd.count);
	for (size_t i = 0; i < rd.count; i++) {
		assert_string_equal(back.entries[i].path, rd.entries[i].path);
		assert_int_equal(back.entries[i].mode, rd.entries[i].mode);
		assert_int_equal(back.entries[i].gid, rd.entries[i].gid);
		assert_int_equal(back.entries[i].size, rd.entries[i].size);
	}
	unifw_ramdisk_free(&back);
	/* edited: a file changed, one added, one deleted */
	char f[1100];
	snprintf(f, sizeof f, "%s/default.prop", path);
	test_write_file(f, "ro.secure=1\n", 12);
	snprintf(f, sizeof f, "%s/sbin/new.rc", path);
	test_write_file(f, "on boot\n", 8);
	chmod(f, 0640);
	snprintf(f, sizeof f, "%s/empty", path);
	assert_int_equal(unlink(f), 0);
	assert_int_equal(unifw_ramdisk_dir_digest(path, d2, &err), 0);
	assert_string_not_equal(d1, d2);
	assert_int_equal(unifw_ramdisk_from_dir(&rd, path, &back, &err), 0);
	const struct unifw_ramdisk_entry *e = unifw_ramdisk_find(&back, "default.prop");
	assert_int_equal(e->size, 12);
	assert_memory_equal(e->data, "ro.secure=1\n", 12);
	assert_null(unifw_ramdisk_find(&back, "empty"));
	e = unifw_ramdisk_find(&back, "sbin/new.rc");
	assert_non_null(e);
	assert_int_equal(e->mode, 0100640);
	assert_int_equal(e->uid, 0);
	assert_int_equal(unifw_ramdisk_find(&back, "sbin/su")->mode, 0104750);
	assert_int_equal(unifw_ramdisk_find(&back, "sbin/su")->gid, 2000);
	assert_string_equal(unifw_ramdisk_find(&back, "etc")->link, "/system/etc");
	assert_string_equal(unifw_ramdisk_find(&back, "sbin/ueventd")->link, "../init");
	unifw_ramdisk_free(&back);
	test_rmtree(dir);
	free(dir);
	unifw_ramdisk_free(&rd);
}

static void expect_unsafe_folder(const struct unifw_ramdisk *rd, const char *path, const char *words)
{
	struct unifw_ramdisk back;
	struct unifw_error err;
	int rc = unifw_ramdisk_from_dir(rd, path, &back, &err);
	if (rc != UNIFW_E_UNSAFE || !strstr(err.msg, words))
		fail_msg("wanted UNSAFE \"%s\", got %d: %s", words, rc, err.msg);
	assert_int_equal(back.count, 0);
}

static void hostile_folder_is_refused(void **state)
{
	(void)state;
	struct unifw_ramdisk rd;
	struct unifw_error err;
	char path[1024], f[1100], link[1100];
	build_sample(&rd);
	char *dir = test_mkdtemp();
	snprintf(path, sizeof path, "%s/rd", dir);
	assert_int_equal(unifw_ramdisk_extract(&rd, path, NULL, &err), 0);
	/* a new link out of the folder: absolute, or climbing above its root */
	snprintf(f, sizeof f, "%s/evil", path);
	assert_int_equal(symlink("/etc/passwd", f), 0);
	expect_unsafe_folder(&rd, path, "points out of the ramdisk folder");
	unlink(f);
	snprintf(f, sizeof f, "%s/sbin/evil", path);
	assert_int_equal(symlink("../../x", f), 0);
	expect_unsafe_folder(&rd, path, "points out of the ramdisk folder");
	unlink(f);
	/* a file of the original turned into a link out */
	snprintf(f, sizeof f, "%s/default.prop", path);
	unlink(f);
	assert_int_equal(symlink("/etc/shadow", f), 0);
	expect_unsafe_folder(&rd, path, "points out of the ramdisk folder");
	unlink(f);
	test_write_file(f, "x=1\n", 4);
	/* a link inside stays a link and is fine */
	snprintf(f, sizeof f, "%s/sbin/ok", path);
	assert_int_equal(symlink("../init.rc", f), 0);
	struct unifw_ramdisk back;
	assert_int_equal(unifw_ramdisk_from_dir(&rd, path, &back, &err), 0);
	assert_string_equal(unifw_ramdisk_find(&back, "sbin/ok")->link, "../init.rc");
	unifw_ramdisk_free(&back);
	/* a FIFO in the folder */
	snprintf(f, sizeof f, "%s/fifo", path);
	assert_int_equal(mkfifo(f, 0600), 0);
	expect_unsafe_folder(&rd, path, "not a file, directory or symlink");
	unlink(f);
	/* the folder itself a symlink to elsewhere */
	snprintf(link, sizeof link, "%s/rd_link", dir);
	assert_int_equal(symlink(path, link), 0);
	expect_unsafe_folder(&rd, link, "not a directory");
	char hex[65];
	assert_int_equal(unifw_ramdisk_dir_digest(link, hex, &err), UNIFW_E_UNSAFE);
	test_rmtree(dir);
	free(dir);
	unifw_ramdisk_free(&rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_keeps_every_entry),
		cmocka_unit_test(output_is_the_newc_layout_the_kernel_reads),
		cmocka_unit_test(edits_add_replace_delete),
		cmocka_unit_test(describe_reports_init_rc_and_default_prop),
		cmocka_unit_test(damaged_archives_fail_with_an_offset),
		cmocka_unit_test(probe_tells_ramdisks_from_other_gzip),
		cmocka_unit_test(scan_reads_what_parse_reads),
		cmocka_unit_test(scan_refuses_a_gzip_bomb),
		cmocka_unit_test(writer_names_an_entry_it_cannot_write),
		cmocka_unit_test(extract_creates_the_tree),
		cmocka_unit_test(extract_never_escapes_the_directory),
		cmocka_unit_test(folder_back_into_a_ramdisk),
		cmocka_unit_test(hostile_folder_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
