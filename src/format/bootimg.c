/* Android boot image v0 with MediaTek-wrapped sections: parse, build, describe, unpack, repack
 * (include/unifw/bootimg.h, docs/format-boot.md). */
#include "unifw/bootimg.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unifw/hash.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "unifw/ramdisk.h"
#include "format/bootimg_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ header */

int unifw_bootimg_hdr_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_bootimg_hdr *h,
			    struct unifw_error *err)
{
	memset(h, 0, sizeof *h);
	if (len < 8 || memcmp(buf, UNIFW_BOOTIMG_MAGIC, 8))
		return unifw_error_set(err, len < 8 ? UNIFW_E_TRUNCATED : UNIFW_E_FORMAT, name, 0,
				       "expected boot image magic \"ANDROID!\"");
	if (len < UNIFW_BOOTIMG_HDR_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "boot image header is %u bytes, input has %zu", UNIFW_BOOTIMG_HDR_SIZE, len);
	uint32_t *fields[] = {&h->kernel_size, &h->kernel_addr, &h->ramdisk_size, &h->ramdisk_addr, &h->second_size,
			      &h->second_addr, &h->tags_addr, &h->page_size, &h->header_version, &h->os_version};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		get_le32(buf, len, 8 + 4 * i, fields[i]);
	memcpy(h->name, buf + OFF_NAME, sizeof h->name);
	memcpy(h->cmdline, buf + OFF_CMDLINE, sizeof h->cmdline);
	memcpy(h->id, buf + OFF_ID, sizeof h->id);
	memcpy(h->extra_cmdline, buf + OFF_EXTRA, sizeof h->extra_cmdline);
	if (h->page_size < MIN_PAGE || h->page_size > MAX_PAGE || (h->page_size & (h->page_size - 1)))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, OFF_PAGE_SIZE,
				       "expected a page size that is a power of two in 2048..131072, found %u",
				       h->page_size);
	return 0;
}

void unifw_bootimg_hdr_write(const struct unifw_bootimg_hdr *h, uint8_t out[UNIFW_BOOTIMG_HDR_SIZE])
{
	const uint32_t fields[] = {h->kernel_size, h->kernel_addr, h->ramdisk_size, h->ramdisk_addr, h->second_size,
				   h->second_addr, h->tags_addr, h->page_size, h->header_version, h->os_version};
	memset(out, 0, UNIFW_BOOTIMG_HDR_SIZE);
	memcpy(out, UNIFW_BOOTIMG_MAGIC, 8);
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		put_le32(out + 8 + 4 * i, fields[i]);
	memcpy(out + OFF_NAME, h->name, sizeof h->name);
	memcpy(out + OFF_CMDLINE, h->cmdline, sizeof h->cmdline);
	memcpy(out + OFF_ID, h->id, sizeof h->id);
	memcpy(out + OFF_EXTRA, h->extra_cmdline, sizeof h->extra_cmdline);
}

void unifw_bootimg_compute_id(const uint8_t *kernel, size_t kl, const uint8_t *ramdisk, size_t rl,
			      const uint8_t *second, size_t sl, uint8_t id[UNIFW_BOOTIMG_ID_SIZE])
{
	const uint8_t *parts[3] = {kernel, ramdisk, second};
	const size_t lens[3] = {kl, rl, sl};
	unsigned int n = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	memset(id, 0, UNIFW_BOOTIMG_ID_SIZE);
	if (!c || EVP_DigestInit_ex(c, EVP_sha1(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return;
	}
	for (int i = 0; i < 3; i++) {
		uint8_t le[4];
		put_le32(le, (uint32_t)lens[i]);
		if (lens[i])
			EVP_DigestUpdate(c, parts[i], lens[i]);
		EVP_DigestUpdate(c, le, sizeof le);
	}
	EVP_DigestFinal_ex(c, id, &n);
	EVP_MD_CTX_free(c);
}

/* ------------------------------------------------------------------ parse */

static void check_mtk_section(struct unifw_bootimg *img, const char *name, int s, const char *const *want)
{
	uint64_t off = s == SEC_KERNEL ? img->kernel_off : img->ramdisk_off, len = sec_size(&img->hdr, s);
	const uint8_t *p = img->base + off;
	struct unifw_mtkhdr h;
	if (len < UNIFW_MTKHDR_SIZE || !unifw_mtkhdr_is(p, (size_t)len) ||
	    unifw_mtkhdr_parse(p, (size_t)len, len, &h, NULL) != 0)
		return;
	if (strcmp(h.name, want[0]) && (!want[1] || strcmp(h.name, want[1])))
		unifw_findings_add(&img->findings, UNIFW_SEV_WARNING, "mtk-name", name, 0, "",
				   "the %s section's MTK header (offset 0x%llx) is named \"%s\"; MediaTek LK expects %s%s%s",
				   sec_names[s], (unsigned long long)off, h.name, want[0], want[1] ? " or " : "",
				   want[1] ? want[1] : "");
	if (h.missing)
		unifw_findings_add(&img->findings, UNIFW_SEV_ERROR, "mtk-size-overflow", name, 0, "",
				   "the %s header at offset 0x%llx says %u bytes follow it, the %s section holds only %llu",
				   h.name, (unsigned long long)off, h.dsize, sec_names[s], (unsigned long long)h.available);
	else if (h.padding)
		unifw_findings_add(&img->findings, UNIFW_SEV_WARNING, "mtk-size-mismatch", name, 0, "",
				   "%s_size in the boot header is %llu but its %s header covers 512 + %u bytes "
				   "(%llu bytes of the section unaccounted for; mixed build or page-rounded size)",
				   sec_names[s], (unsigned long long)len, h.name, h.dsize, (unsigned long long)h.padding);
}

int unifw_bootimg_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_bootimg *img,
			struct unifw_error *err)
{
	uint64_t off[SEC_COUNT];
	int rc;

	memset(img, 0, sizeof *img);
	if (!name)
		name = "boot.img";
	if ((rc = unifw_bootimg_hdr_parse(buf, len, name, &img->hdr, err)) != 0)
		return rc;
	img->base = buf;
	img->file_size = len;
	img->layout_end = layout(&img->hdr, off);
	img->kernel_off = off[SEC_KERNEL];
	img->ramdisk_off = off[SEC_RAMDISK];
	img->second_off = off[SEC_SECOND];
	for (int s = 0; s < SEC_COUNT; s++) {
		uint64_t end = off[s] + sec_size(&img->hdr, s);
		if (sec_size(&img->hdr, s) && end > len)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
					       "the %s section (%u bytes at 0x%llx) ends at 0x%llx, past the end of the file",
					       sec_names[s], sec_size(&img->hdr, s), (unsigned long long)off[s],
					       (unsigned long long)end);
		if (sec_size(&img->hdr, s))
			img->data_end = end;
	}
	if (!img->data_end)
		img->data_end = img->hdr.page_size;
	if (img->hdr.kernel_size == 0)
		unifw_findings_add(&img->findings, UNIFW_SEV_ERROR, "no-kernel", name, 0, "", "kernel_size is 0");
	if (img->hdr.header_version)
		unifw_findings_add(&img->findings, UNIFW_SEV_WARNING, "header-version", name, 0, "",
				   "header_version (0x28) is %u; MT6572 images are v0 and only v0 is unpacked",
				   img->hdr.header_version);
	uint8_t id[UNIFW_BOOTIMG_ID_SIZE];
	const struct unifw_bootimg_hdr *h = &img->hdr;
	unifw_bootimg_compute_id(h->kernel_size ? buf + img->kernel_off : NULL, h->kernel_size,
				 h->ramdisk_size ? buf + img->ramdisk_off : NULL, h->ramdisk_size,
				 h->second_size ? buf + img->second_off : NULL, h->second_size, id);
	img->id_ok = !memcmp(id, img->hdr.id, sizeof id);
	if (!img->id_ok)
		unifw_findings_add(&img->findings, UNIFW_SEV_INFO, "id-mismatch", name, 0, "",
				   "the id at 0x240 is not the SHA-1 of the sections (MediaTek LK does not check it)");
	static const char *const kernel_names[] = {"KERNEL", NULL};
	static const char *const ramdisk_names[] = {"ROOTFS", "RECOVERY"};
	check_mtk_section(img, name, SEC_KERNEL, kernel_names);
	if (img->hdr.ramdisk_size)
		check_mtk_section(img, name, SEC_RAMDISK, ramdisk_names);
	return 0;
}

void unifw_bootimg_free(struct unifw_bootimg *img)
{
	if (img)
		unifw_findings_free(&img->findings);
}

/* ------------------------------------------------------------------ build */

int unifw_bootimg_build(const struct unifw_bootimg_hdr *h, const uint8_t *kernel, size_t kl, const uint8_t *ramdisk,
			size_t rl, const uint8_t *second, size_t sl, bool set_id, uint8_t **out, size_t *out_len,
			struct unifw_error *err)
{
	struct unifw_bootimg_hdr hh = *h;
	uint64_t off[SEC_COUNT], total;
	const uint8_t *data[SEC_COUNT] = {kernel, ramdisk, second};
	const size_t lens[SEC_COUNT] = {kl, rl, sl};

	*out = NULL;
	*out_len = 0;
	if (hh.page_size < MIN_PAGE || hh.page_size > MAX_PAGE || (hh.page_size & (hh.page_size - 1)))
		return unifw_error_set(err, UNIFW_E_INVALID, "boot image", UNIFW_NO_OFFSET,
				       "page size must be a power of two in 2048..131072, got %u", hh.page_size);
	if (kl > UINT32_MAX || rl > UINT32_MAX || sl > UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, "boot image", UNIFW_NO_OFFSET, "a section exceeds 4 GiB");
	hh.kernel_size = (uint32_t)kl;
	hh.ramdisk_size = (uint32_t)rl;
	hh.second_size = (uint32_t)sl;
	if (set_id)
		unifw_bootimg_compute_id(kernel, kl, ramdisk, rl, second, sl, hh.id);
	total = layout(&hh, off);
	if (total > UNIFW_BOOTIMG_MAX_FILE)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, "boot image", UNIFW_NO_OFFSET,
				       "image would be %llu bytes, more than %llu", (unsigned long long)total,
				       (unsigned long long)UNIFW_BOOTIMG_MAX_FILE);
	uint8_t *img = calloc(1, (size_t)total);
	if (!img)
		return unifw_error_set(err, UNIFW_E_NOMEM, "boot image", UNIFW_NO_OFFSET, "out of memory");
	unifw_bootimg_hdr_write(&hh, img);
	for (int s = 0; s < SEC_COUNT; s++)
		if (lens[s])
			memcpy(img + off[s], data[s], lens[s]);
	*out = img;
	*out_len = (size_t)total;
	return 0;
}

/* ------------------------------------------------------------------ describe */

static void set_field_str(struct unifw_jv *obj, const char *key, const uint8_t *f, size_t n)
{
	unifw_jv_set(obj, key, unifw_jv_stringn((const char *)f, unifw_fieldlen(f, n)));
}

static void hdr_to_json(const struct unifw_bootimg_hdr *h, struct unifw_jv *obj)
{
	char id[2 * UNIFW_BOOTIMG_ID_SIZE + 1];
	unifw_jv_set_uint(obj, "page_size", h->page_size);
	unifw_jv_set_uint(obj, "kernel_size", h->kernel_size);
	unifw_jv_set_hex(obj, "kernel_addr", h->kernel_addr);
	unifw_jv_set_uint(obj, "ramdisk_size", h->ramdisk_size);
	unifw_jv_set_hex(obj, "ramdisk_addr", h->ramdisk_addr);
	unifw_jv_set_uint(obj, "second_size", h->second_size);
	unifw_jv_set_hex(obj, "second_addr", h->second_addr);
	unifw_jv_set_hex(obj, "tags_addr", h->tags_addr);
	unifw_jv_set_uint(obj, "header_version", h->header_version);
	unifw_jv_set_hex(obj, "os_version", h->os_version);
	set_field_str(obj, "name", h->name, sizeof h->name);
	set_field_str(obj, "cmdline", h->cmdline, sizeof h->cmdline);
	set_field_str(obj, "extra_cmdline", h->extra_cmdline, sizeof h->extra_cmdline);
	unifw_hex(h->id, sizeof h->id, id);
	unifw_jv_set_str(obj, "id", id);
}

static void kernel_json(const struct unifw_bootimg *img, struct unifw_jv *obj)
{
	struct unifw_kernel_info *k = malloc(sizeof *k);
	struct unifw_error e;
	char where[64];
	snprintf(where, sizeof where, "kernel section at 0x%llx", (unsigned long long)img->kernel_off);
	if (!k) {
		unifw_jv_set_str(obj, "error", "out of memory");
		return;
	}
	if (unifw_kernel_inspect(img->base + img->kernel_off, img->hdr.kernel_size, where, NULL, k, &e) == 0) {
		unifw_kernel_info_to_json(k, obj);
	} else {
		char msg[1024];
		unifw_jv_set_str(obj, "type", "kernel");
		unifw_jv_set_str(obj, "error", unifw_error_format(&e, msg, sizeof msg));
	}
	free(k);
}

static void ramdisk_json(const struct unifw_bootimg *img, struct unifw_jv *obj)
{
	struct unifw_ramdisk rd;
	struct unifw_error e;
	char where[64];
	snprintf(where, sizeof where, "ramdisk section at 0x%llx", (unsigned long long)img->ramdisk_off);
	/* scanned, not parsed: a description must not hold what a small ramdisk can inflate to */
	if (unifw_ramdisk_scan(img->base + img->ramdisk_off, img->hdr.ramdisk_size, where, &rd, &e) == 0) {
		unifw_ramdisk_to_json(&rd, obj, 64);
		unifw_ramdisk_free(&rd);
	} else {
		char msg[1024];
		unifw_jv_set_str(obj, "type", "ramdisk");
		unifw_jv_set_str(obj, "error", unifw_error_format(&e, msg, sizeof msg));
	}
}

void unifw_bootimg_to_json(const struct unifw_bootimg *img, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "bootimg");
	hdr_to_json(&img->hdr, obj);
	unifw_jv_set_bool(obj, "id_ok", img->id_ok);
	unifw_jv_set_uint(obj, "image_size", img->file_size);
	unifw_jv_set_uint(obj, "layout_size", img->layout_end);
	unifw_jv_set_uint(obj, "tail_size", img->file_size > img->layout_end ? img->file_size - img->layout_end : 0);
	kernel_json(img, unifw_jv_set_obj(obj, "kernel"));
	if (img->hdr.ramdisk_size)
		ramdisk_json(img, unifw_jv_set_obj(obj, "ramdisk"));
	else
		unifw_jv_set(obj, "ramdisk", NULL);
	if (img->hdr.second_size)
	{
		struct unifw_jv *second = unifw_jv_set_obj(obj, "second");
		unifw_jv_set_str(second, "type", "section");
		unifw_jv_set_uint(second, "size", img->hdr.second_size);
	}
	else
		unifw_jv_set(obj, "second", NULL);
	unifw_jv_set(obj, "findings", unifw_findings_to_json(&img->findings));
}

int unifw_bootimg_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf;
	size_t len;
	struct unifw_bootimg img;
	int rc = unifw_stream_read_all(s, UNIFW_BOOTIMG_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	rc = unifw_bootimg_hdr_parse(buf, len, s->name, &img.hdr, err);
	if (rc == 0 && len < img.hdr.page_size) {
		/* a bare header split out of an image (image.hdr): describe the fields */
		uint64_t off[SEC_COUNT];
		unifw_jv_set_str(obj, "type", "boot_header");
		hdr_to_json(&img.hdr, obj);
		unifw_jv_set_uint(obj, "header_size", len);
		unifw_jv_set_uint(obj, "expected_image_size", layout(&img.hdr, off));
	} else if (rc == 0 && (rc = unifw_bootimg_parse(buf, len, s->name, &img, err)) == 0) {
		unifw_bootimg_to_json(&img, obj);
		unifw_bootimg_free(&img);
	}
	free(buf);
	return rc;
}

bool unifw_bootimg_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	(void)total_size;
	return head && head_len >= 8 && !memcmp(head, UNIFW_BOOTIMG_MAGIC, 8);
}
