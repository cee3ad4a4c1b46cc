/* MD_CHECK_HEADER at the end of an MT6572 modem image (include/unifw/modem.h). The loader reads it at
 * the image end minus sizeof(MD_CHECK_HEADER) (l33tnoob/MT65x2_kernel_lk, mediatek/kernel/drivers/
 * dual_ccci: ccci_md.c check_md_header); the file is hostile: every read is bounded by the tail. */
#include "unifw/modem.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

int unifw_md_header_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_md_header *out,
			  struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	if (!buf || len < UNIFW_MD_HEADER_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "modem image of %zu bytes: expected at least the %u-byte MD_CHECK_HEADER", len,
				       UNIFW_MD_HEADER_SIZE);
	size_t at = len - UNIFW_MD_HEADER_SIZE;
	const uint8_t *h = buf + at;
	const size_t n = UNIFW_MD_HEADER_SIZE;
	if (memcmp(h, UNIFW_MD_HEADER_MAGIC, 12) != 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at,
				       "no MD_CHECK_HEADER: expected \"CHECK_HEADER\" at the start of the last %u bytes",
				       UNIFW_MD_HEADER_SIZE);
	out->header_version = le32_at(h, n, UNIFW_MD_OFF_VERNO);
	out->product_ver = le32_at(h, n, UNIFW_MD_OFF_PRODUCT);
	out->image_type = le32_at(h, n, UNIFW_MD_OFF_TYPE);
	unifw_copy_field(out->platform, sizeof out->platform, h + UNIFW_MD_OFF_PLATFORM, 16);
	unifw_copy_field(out->build_time, sizeof out->build_time, h + UNIFW_MD_OFF_BUILD_TIME, 64);
	unifw_copy_field(out->build_ver, sizeof out->build_ver, h + UNIFW_MD_OFF_BUILD_VER, 64);
	out->bind_sys_id = h[UNIFW_MD_OFF_SYS_ID];
	out->mem_size = le32_at(h, n, UNIFW_MD_OFF_MEM_SIZE);
	out->md_img_size = le32_at(h, n, UNIFW_MD_OFF_IMG_SIZE);
	out->size = le32_at(h, n, UNIFW_MD_OFF_SIZE);
	return 0;
}

/* A stream without random access: keep the last 188 bytes read (a ring the size of the header). */
static int read_tail_sequential(struct unifw_stream *s, uint8_t tail[UNIFW_MD_HEADER_SIZE], size_t *got,
				struct unifw_error *err)
{
	uint8_t chunk[16384];
	size_t have = 0;
	for (;;) {
		ssize_t r = unifw_stream_read(s, chunk, sizeof chunk, err);
		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		size_t k = (size_t)r;
		if (k >= UNIFW_MD_HEADER_SIZE) {
			memcpy(tail, chunk + k - UNIFW_MD_HEADER_SIZE, UNIFW_MD_HEADER_SIZE);
			have = UNIFW_MD_HEADER_SIZE;
		} else {
			size_t keep = have + k > UNIFW_MD_HEADER_SIZE ? UNIFW_MD_HEADER_SIZE - k : have;
			memmove(tail, tail + have - keep, keep);
			memcpy(tail + keep, chunk, k);
			have = keep + k;
		}
		if ((uint64_t)s->pos > UNIFW_MD_MAX_FILE)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, s->pos,
					       "modem image larger than %llu bytes", (unsigned long long)UNIFW_MD_MAX_FILE);
	}
	*got = have;
	return 0;
}

int unifw_md_header_read(struct unifw_stream *s, struct unifw_md_header *out, struct unifw_error *err)
{
	uint8_t tail[UNIFW_MD_HEADER_SIZE] = { 0 };
	size_t got = 0;
	memset(out, 0, sizeof *out);
	if (s->pread && s->size != UNIFW_SIZE_UNKNOWN) {
		if (s->size < UNIFW_MD_HEADER_SIZE)
			return unifw_md_header_parse(tail, (size_t)s->size, s->name, out, err);
		int rc = s->pread(s->ctx, tail, UNIFW_MD_HEADER_SIZE, s->size - UNIFW_MD_HEADER_SIZE, err);
		if (rc)
			return rc;
		got = UNIFW_MD_HEADER_SIZE;
	} else {
		int rc = read_tail_sequential(s, tail, &got, err);
		if (rc)
			return rc;
	}
	return unifw_md_header_parse(tail, got, s->name, out, err);
}

void unifw_md_header_to_json(const struct unifw_md_header *h, struct unifw_jv *obj)
{
	unifw_jv_set_uint(obj, "header_version", h->header_version);
	unifw_jv_set_uint(obj, "image_type", h->image_type);
	unifw_jv_set_str(obj, "platform", h->platform);
	unifw_jv_set_str(obj, "build_time", h->build_time);
	unifw_jv_set_str(obj, "build_ver", h->build_ver);
	unifw_jv_set_uint(obj, "bind_sys_id", h->bind_sys_id);
	unifw_jv_set_hex(obj, "mem_size", h->mem_size);
	unifw_jv_set_uint(obj, "md_img_size", h->md_img_size);
	unifw_jv_set_uint(obj, "header_size", h->size);
}
