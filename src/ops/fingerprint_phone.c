/* Fingerprint of a connected phone (include/unifw/fingerprint.h): its tables (unifw_flash_facts_read),
 * then only what the extractors need: boot1's preloader, UBOOT, the boot image's header, kernel and
 * ramdisk (sizes from its header, bounded), LOGO's payload (size from its MTK header), /build.prop and
 * the modem of ANDROID through libext2fs over the DA (phone_ext4.h), and the identity health of NVRAM and
 * /nvram (identity_health.c). The same extractors as a package's and a backup's (fingerprint.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/fingerprint_internal.h"
#include "ops/phone_ext4.h"
#include "unifw/bootimg.h"
#include "unifw/flash.h"
#include "unifw/mtkhdr.h"
#include "unifw/phone.h"
#include "util/bytes.h"

struct buf_sink {
	uint8_t *buf;
	size_t len;
	uint64_t base; /* the sink is called with partition offsets */
};

static int to_buf(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct buf_sink *b = ctx;
	if (off < b->base || off - b->base > b->len || len > b->len - (off - b->base))
		return unifw_error_set(err, UNIFW_E_DEVICE, "phone", off, "data beyond the range asked for");
	memcpy(b->buf + (off - b->base), data, len);
	return 0;
}

/* [off, off+len) of a hardware partition into a new buffer. */
static int read_range(struct unifw_phone *ph, enum unifw_phone_part part, uint64_t off, size_t len, uint8_t **out,
		      struct unifw_error *err)
{
	struct buf_sink b = { malloc(len ? len : 1), len, off };
	*out = NULL;
	if (!b.buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, "phone", off, "out of memory for %zu bytes", len);
	int rc = unifw_phone_read(ph, part, off, len, to_buf, &b, err);
	if (rc) {
		free(b.buf);
		return rc;
	}
	*out = b.buf;
	return 0;
}

static const struct unifw_phone_part_entry *layout_part(const struct unifw_phone_layout *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcasecmp(l->part[i].name, name))
			return &l->part[i];
	return NULL;
}

static void layout(struct fp_ctx *c, const struct unifw_flash_facts *f)
{
	struct unifw_fingerprint *fp = c->fp;
	fp->have_layout = true;
	fp->boot_region = f->boot_region;
	fp->user_size = f->user_size;
	for (size_t i = 0; i < f->layout.count && fp->part_count < UNIFW_FP_MAX_PARTS; i++) {
		const struct unifw_phone_part_entry *e = &f->layout.part[i];
		struct unifw_fp_part *d = &fp->parts[fp->part_count++];
		fp_copy(d->name, sizeof d->name, e->name);
		d->linear = e->offset == UINT64_MAX ? 0 : f->boot_region + e->offset;
		d->size = e->size;
		d->mbr_index = e->kernel_index;
		bool empty = !strcmp(e->content, "empty") || !strcmp(e->content, "blank");
		fp_copy(d->content, sizeof d->content, empty ? "blank" : e->content);
		d->download = e->content[0] && !empty;
		d->image_bytes = d->download ? e->size : 0;
		if (e->offset == UINT64_MAX && d->download && f->boot1_size) /* boot1: what a backup stores of it */
			d->image_bytes = f->boot1_size;
	}
}

/* A whole partition of the user area, at most max bytes of it. */
static int read_part(struct unifw_phone *ph, const struct unifw_phone_layout *l, const char *name, size_t max,
		     uint8_t **buf, size_t *len, struct unifw_error *err)
{
	const struct unifw_phone_part_entry *e = layout_part(l, name);
	if (!e || e->offset == UINT64_MAX)
		return UNIFW_E_NOT_FOUND;
	*len = e->size < max ? (size_t)e->size : max;
	return read_range(ph, UNIFW_PHONE_USER, e->offset, *len, buf, err);
}

static int phone_preloader(struct fp_ctx *c, struct unifw_phone *ph, struct unifw_error *err)
{
	uint64_t size = unifw_phone_part_size(ph, UNIFW_PHONE_BOOT1);
	size_t len = size && size < FP_MAX_PRELOADER ? (size_t)size : FP_MAX_PRELOADER;
	uint8_t *buf = NULL;
	int rc = read_range(ph, UNIFW_PHONE_BOOT1, 0, len, &buf, err);
	if (rc)
		return rc;
	fp_from_preloader(c, buf, len, "boot1");
	free(buf);
	return 0;
}

static int phone_lk(struct fp_ctx *c, struct unifw_phone *ph, const struct unifw_phone_layout *l,
		    struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = read_part(ph, l, "UBOOT", FP_MAX_LK, &buf, &len, err);
	if (rc == UNIFW_E_NOT_FOUND) {
		fp_note(c->fp, "the phone's table has no UBOOT");
		return 0;
	}
	if (rc)
		return rc;
	fp_from_lk(c, buf, len, "UBOOT");
	free(buf);
	return 0;
}

static uint64_t page_up(uint64_t n, uint64_t page) { return (n + page - 1) / page * page; }

/* The header page first; then header + kernel + ramdisk + second as the header sizes them, within the
 * partition and FP_MAX_BOOT. */
static int phone_boot(struct fp_ctx *c, struct unifw_phone *ph, const struct unifw_phone_layout *l,
		      struct unifw_error *err)
{
	const struct unifw_phone_part_entry *e = layout_part(l, "BOOTIMG");
	if (!e || e->offset == UINT64_MAX) {
		fp_note(c->fp, "the phone's table has no BOOTIMG");
		return 0;
	}
	uint8_t *buf = NULL;
	size_t len = e->size < 4096 ? (size_t)e->size : 4096;
	int rc = read_range(ph, UNIFW_PHONE_USER, e->offset, len, &buf, err);
	if (rc)
		return rc;
	struct unifw_bootimg_hdr h;
	if (unifw_bootimg_hdr_parse(buf, len, "BOOTIMG", &h, NULL) == 0) {
		uint64_t want = h.page_size + page_up(h.kernel_size, h.page_size) + page_up(h.ramdisk_size, h.page_size) +
				page_up(h.second_size, h.page_size);
		if (want > e->size)
			want = e->size;
		if (want > FP_MAX_BOOT)
			want = FP_MAX_BOOT;
		free(buf);
		len = (size_t)want;
		if ((rc = read_range(ph, UNIFW_PHONE_USER, e->offset, len, &buf, err)) != 0)
			return rc;
	}
	fp_from_bootimg(c, buf, len, "BOOTIMG");
	free(buf);
	return 0;
}

static int phone_logo(struct fp_ctx *c, struct unifw_phone *ph, const struct unifw_phone_layout *l,
		      struct unifw_error *err)
{
	const struct unifw_phone_part_entry *e = layout_part(l, "LOGO");
	if (!e || e->offset == UINT64_MAX) {
		fp_note(c->fp, "the phone's table has no LOGO");
		return 0;
	}
	uint8_t *buf = NULL;
	size_t len = e->size < UNIFW_MTKHDR_SIZE ? (size_t)e->size : UNIFW_MTKHDR_SIZE;
	int rc = read_range(ph, UNIFW_PHONE_USER, e->offset, len, &buf, err);
	if (rc)
		return rc;
	uint32_t payload = 0;
	if (unifw_mtkhdr_is(buf, len) && get_le32(buf, len, 4, &payload)) {
		uint64_t want = (uint64_t)UNIFW_MTKHDR_SIZE + payload;
		if (want > e->size)
			want = e->size;
		if (want > FP_MAX_LOGO)
			want = FP_MAX_LOGO;
		free(buf);
		len = (size_t)want;
		if ((rc = read_range(ph, UNIFW_PHONE_USER, e->offset, len, &buf, err)) != 0)
			return rc;
	}
	fp_from_logo(c, buf, len, "LOGO");
	free(buf);
	return 0;
}

static void phone_system(struct fp_ctx *c, struct unifw_phone *ph, const struct unifw_phone_layout *l)
{
	struct ops_phone_ext4 *pe = NULL;
	struct unifw_error e = { 0 };
	if (ops_phone_ext4_open(ph, l, "ANDROID", &pe, &e) != 0) {
		fp_note(c->fp, "ANDROID: %s", e.msg);
		if (e.code == UNIFW_E_FORMAT)
			c->fp->have_android = true; /* there, but nothing Android could mount */
		return;
	}
	fp_from_system(c, ops_phone_ext4_fs(pe), "ANDROID");
	ops_phone_ext4_close(pe);
}

static void phone_identity(struct fp_ctx *c, struct unifw_phone *ph)
{
	struct unifw_idhealth h;
	struct unifw_error e = { 0 };
	if (unifw_idhealth_of_phone(ph, &h, &e) != 0) {
		fp_note(c->fp, "identity: %s", e.msg);
		return;
	}
	fp_from_idhealth(c, &h);
	unifw_idhealth_free(&h);
}

static void phone_facts(struct unifw_fingerprint *fp, struct unifw_phone *ph, const struct unifw_flash_facts *f)
{
	const struct unifw_phone_info *info = unifw_phone_info(ph);
	fp->hw_code = info->hw_code;
	fp_copy(fp->platform, sizeof fp->platform, info->chip_name);
	if (info->storage) {
		for (size_t i = 0; info->storage[i] && i + 1 < sizeof fp->storage; i++)
			fp->storage[i] = (char)(info->storage[i] >= 'a' && info->storage[i] <= 'z' ? info->storage[i] - 32
												: info->storage[i]);
	}
	static const uint8_t zero[16] = { 0 };
	if (memcmp(f->cid, zero, 16)) {
		fp->have_cid = true;
		memcpy(fp->cid, f->cid, 16);
	}
}

static int phone_images(struct fp_ctx *c, struct unifw_phone *ph, const struct unifw_phone_layout *l,
			struct unifw_error *err)
{
	int rc = phone_preloader(c, ph, err);
	if (!rc)
		rc = phone_lk(c, ph, l, err);
	if (!rc)
		rc = phone_boot(c, ph, l, err);
	if (!rc)
		rc = phone_logo(c, ph, l, err);
	if (rc)
		return rc;
	phone_system(c, ph, l);
	phone_identity(c, ph);
	return 0;
}

int unifw_fingerprint_phone(struct unifw_phone *ph, struct unifw_fingerprint *fp, struct unifw_error *err)
{
	memset(fp, 0, sizeof *fp);
	fp->source = UNIFW_FP_PHONE;
	struct unifw_flash_facts *f = calloc(1, sizeof *f);
	struct fp_ctx *c = calloc(1, sizeof *c);
	int rc = 0;
	if (!f || !c) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "phone", UNIFW_NO_OFFSET, "out of memory");
		goto out;
	}
	c->fp = fp;
	if ((rc = unifw_flash_facts_read(ph, f, err)) != 0)
		goto out;
	phone_facts(fp, ph, f);
	const struct unifw_phone_info *info = unifw_phone_info(ph);
	fp_copy(fp->path, sizeof fp->path, info->port[0] ? info->port : "phone");
	if (!f->have_layout) {
		fp_note(fp, "no partition table: %s", f->layout_note);
		rc = phone_preloader(c, ph, err);
	} else {
		layout(c, f);
		rc = phone_images(c, ph, &f->layout, err);
	}
	if (!rc) {
		/* no scatter: the project the preloader was built for names the phone's firmware */
		fp_copy(fp->project, sizeof fp->project, fp->preloader_project[0] ? fp->preloader_project : fp->lk_project);
		fp_finish(c);
	}
out:
	free(f);
	free(c);
	return rc;
}
