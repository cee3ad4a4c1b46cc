/* Content detection: which format module claims these bytes (include/unifw/detect.h).
 *
 * Order matters because some formats nest or share magics:
 *  - sparse and ANDROID! first: unique 4/8-byte magics at offset 0.
 *  - the MediaTek 512-byte header (88 16 88 58) wraps kernels, ramdisks, lk and logo; its name field
 *    says which (KERNEL, ROOTFS, RECOVERY, LK, LOGO), so we dispatch on the name and fall back to the
 *    generic mtk_header describe when the named module does not accept the payload (e.g. the bare
 *    512-byte headers split out of boot images).
 *  - preloader (GFH "MMM" / EMMC_BOOT) before DA, PMT, ext4 (magic at 1080), seccfg/secro, NVRAM.
 *  - MBR/EBR only have 0x55AA at 510, which many boot sectors share: late.
 *  - a bare MTK_BLOADER_INFO block, then raw zImage and raw lk (ARM code with weaker signatures),
 *    raw ramdisk (gzip'd cpio) and header-less logo.
 *  - text formats last: scatter, then the device-info files (dumchar_info, fstab, BoardConfig.mk...). */
#include "unifw/detect.h"

#include <stdio.h>
#include <string.h>

#include "package/formats.h"
#include "unifw/hash.h"
#include "util/bytes.h"

#define F(type, mod) {type, #mod, unifw_##mod##_probe, unifw_##mod##_describe}

/* Modules reached through the MTK header's name field (index into mtk_named below). */
static const struct unifw_format fmt_kernel = F("kernel", kernel);
static const struct unifw_format fmt_ramdisk = F("ramdisk", ramdisk);
static const struct unifw_format fmt_lk = F("lk", lk);
static const struct unifw_format fmt_logo = F("logo", logo);
static const struct unifw_format fmt_mtkhdr = F("mtk_header", mtkhdr);

static const struct {
	const char *name;
	const struct unifw_format *fmt;
} mtk_named[] = {
	{"KERNEL", &fmt_kernel}, {"ROOTFS", &fmt_ramdisk}, {"RECOVERY", &fmt_ramdisk},
	{"LK", &fmt_lk},         {"LOGO", &fmt_logo},
};

/* Detection order after the MTK-header stage; the first two run before it. */
static const struct unifw_format ordered[] = {
	F("sparse", sparse),
	F("bootimg", bootimg),
	/* (MTK 512-byte header stage runs here) */
	F("preloader", preloader),
	F("da", dafile),
	F("pmt", pmt),
	F("ext4", ext4),
	F("secro", secimg),
	F("nvram", nvram),
	F("mbr", mbr),
	F("emi_info", emi),
	F("kernel", kernel),
	F("lk", lk),
	F("ramdisk", ramdisk),
	F("logo", logo),
	F("mtk_header", mtkhdr),
	F("scatter", scatter),
	F("devtext", devtext),
};
#define MTK_STAGE_AT 2

static bool claims(const struct unifw_format *f, const uint8_t *head, size_t len, uint64_t total)
{
	return f->probe && f->describe && f->probe(head, len, total);
}

/* The MTK header names its payload; ask that module first, then the generic header module. */
static const struct unifw_format *mtk_header_stage(const uint8_t *head, size_t len, uint64_t total)
{
	static const uint8_t magic[4] = {0x88, 0x16, 0x88, 0x58};
	if (len < 40 || memcmp(head, magic, 4) != 0)
		return NULL;
	size_t n = unifw_fieldlen(head + 8, 32);
	for (size_t i = 0; i < sizeof mtk_named / sizeof *mtk_named; i++)
		if (strlen(mtk_named[i].name) == n && memcmp(head + 8, mtk_named[i].name, n) == 0 &&
		    claims(mtk_named[i].fmt, head, len, total))
			return mtk_named[i].fmt;
	return claims(&fmt_mtkhdr, head, len, total) ? &fmt_mtkhdr : NULL;
}

const struct unifw_format *unifw_detect_format(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	if (!head || head_len == 0)
		return NULL;
	for (size_t i = 0; i < sizeof ordered / sizeof *ordered; i++) {
		if (i == MTK_STAGE_AT) {
			const struct unifw_format *m = mtk_header_stage(head, head_len, total_size);
			if (m)
				return m;
		}
		if (claims(&ordered[i], head, head_len, total_size))
			return &ordered[i];
	}
	return NULL;
}

const struct unifw_format *unifw_detect_formats(size_t *count)
{
	*count = sizeof ordered / sizeof *ordered;
	return ordered;
}

static bool looks_text(const uint8_t *p, size_t n);

const char *unifw_detect(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	const struct unifw_format *f = unifw_detect_format(head, head_len, total_size);
	if (!f)
		return looks_text(head, head_len) ? "text" : "unknown";
	if (f->probe == unifw_secimg_probe)
		return unifw_memfind(head, head_len, 0, "AND_SECCFG", 10) != SIZE_MAX ? "seccfg" : "secro";
	if (f->probe == unifw_devtext_probe)
		return unifw_devtext_kind_name(unifw_devtext_kind((const char *)head, head_len));
	return f->type;
}

/* Printable ASCII / valid UTF-8 with ordinary whitespace; a multi-byte sequence cut by the end of the
 * head still counts (the head is a prefix of the file). */
static bool looks_text(const uint8_t *p, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return false;
	while (i < n) {
		uint8_t c = p[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (len == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4)
			return false;
		for (size_t k = 1; k < len; k++) {
			if (i + k >= n)
				return true;
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
		}
		i += len;
	}
	return true;
}

static const char *unknown_hint(const uint8_t *h, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *hint;
	} magics[] = {
		{"\x1f\x8b", 2, "gzip data (not a ramdisk: no cpio inside, or not recognised)"},
		{"\xfd" "7zXZ", 5, "xz data"},
		{"BZh", 3, "bzip2 data"},
		{"\x7f" "ELF", 4, "an ELF executable (a Linux program or library, not a partition image)"},
		{"PK\x03\x04", 4, "a zip archive"},
		{"UBI#", 4, "a UBI image (NAND flash)"},
		{"MZ", 2, "a Windows executable"},
		{"MMM\x01", 4, "a GFH header (MediaTek signed file) of a type not recognised"},
	};
	if (n && unifw_all_bytes(h, n, 0xFF))
		return "erased flash: every byte read is 0xFF";
	if (n && unifw_all_bytes(h, n, 0x00))
		return "zero-filled: every byte read is 0x00";
	for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
		if (n >= magics[i].len && memcmp(h, magics[i].magic, magics[i].len) == 0)
			return magics[i].hint;
	if (looks_text(h, n))
		return "plain text, but not a scatter file or a known device-information file";
	return "binary data of no known MT6572 firmware format";
}

void unifw_detect_unknown(const uint8_t *head, size_t head_len, uint64_t total_size, struct unifw_jv *obj)
{
	char hex[2 * 16 + 1];
	unifw_hex(head, head_len < 16 ? head_len : 16, hex);
	unifw_jv_set_str(obj, "type", looks_text(head, head_len) ? "text" : "unknown");
	if (total_size != UNIFW_SIZE_UNKNOWN)
		unifw_jv_set_uint(obj, "size", total_size);
	unifw_jv_set_str(obj, "head_hex", hex);
	unifw_jv_set_str(obj, "hint", unknown_hint(head, head_len));
}

/* The modem's IMEI record (md/NVRAM/NVD_IMEI/MP0B_00N) as a file of its own, as a vault entry's nvram/ tree
 * holds it: opaque and never shown, not even its first bytes (docs/identity.md). */
static bool names_imei_record(const char *name)
{
	return strstr(name, "NVD_IMEI/") || strstr(name, "MP0B_00");
}

int unifw_detect_describe(struct unifw_stream *s, const uint8_t *head, size_t head_len, struct unifw_jv *obj,
			  struct unifw_error *err)
{
	const struct unifw_format *f = unifw_detect_format(head, head_len, s->size);
	if (!f && names_imei_record(s->name)) {
		unifw_jv_set_str(obj, "type", "unknown");
		if (s->size != UNIFW_SIZE_UNKNOWN)
			unifw_jv_set_uint(obj, "size", s->size);
		unifw_jv_set_str(obj, "hint", "the modem's IMEI record: opaque, its bytes are never shown");
		return 0;
	}
	if (!f) {
		unifw_detect_unknown(head, head_len, s->size, obj);
		return 0;
	}
	int rc = f->describe(s, obj, err);
	if (rc == 0 && !unifw_jv_get(obj, "type"))
		unifw_jv_set_str(obj, "type", unifw_detect(head, head_len, s->size));
	if (rc < 0)
		unifw_error_where(err, s->name);
	return rc;
}
