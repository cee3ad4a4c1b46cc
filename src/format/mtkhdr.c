/* MediaTek 512-byte image header (include/unifw/mtkhdr.h, docs/format-boot.md). */
#include "unifw/mtkhdr.h"

#include <string.h>

#include "util/bytes.h"

#define OFF_DSIZE 0x04u
#define OFF_NAME 0x08u
#define OFF_MADDR 0x28u
#define OFF_MODE 0x2Cu
#define OFF_FILL 0x30u

bool unifw_mtkhdr_is(const uint8_t *buf, size_t len)
{
	uint32_t magic;
	return buf && get_le32(buf, len, 0, &magic) && magic == UNIFW_MTKHDR_MAGIC;
}

bool unifw_mtkhdr_has_name(const uint8_t *buf, size_t len, const char *name)
{
	size_t n = strlen(name);
	if (!unifw_mtkhdr_is(buf, len) || len < OFF_NAME + UNIFW_MTKHDR_NAME_LEN || n >= UNIFW_MTKHDR_NAME_LEN)
		return false;
	return unifw_fieldlen(buf + OFF_NAME, UNIFW_MTKHDR_NAME_LEN) == n && memcmp(buf + OFF_NAME, name, n) == 0;
}

static bool name_field_clean(const uint8_t *field, size_t *textlen)
{
	size_t n = unifw_fieldlen(field, UNIFW_MTKHDR_NAME_LEN);
	*textlen = n;
	for (size_t i = 0; i < n; i++)
		if (field[i] < 0x20 || field[i] > 0x7e)
			return false;
	for (size_t i = n; i < UNIFW_MTKHDR_NAME_LEN; i++)
		if (field[i] != 0)
			return false;
	return n > 0;
}

int unifw_mtkhdr_parse(const uint8_t *buf, size_t len, uint64_t total, struct unifw_mtkhdr *h,
		       struct unifw_error *err)
{
	uint32_t magic = 0;
	size_t n;

	memset(h, 0, sizeof *h);
	if (len < UNIFW_MTKHDR_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, NULL, len,
				       "MTK header needs 512 bytes, input has %zu", len);
	get_le32(buf, len, 0, &magic);
	if (magic != UNIFW_MTKHDR_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, NULL, 0,
				       "expected MTK header magic 88 16 88 58, found %02x %02x %02x %02x", buf[0],
				       buf[1], buf[2], buf[3]);
	get_le32(buf, len, OFF_DSIZE, &h->dsize);
	get_le32(buf, len, OFF_MADDR, &h->maddr);
	get_le32(buf, len, OFF_MODE, &h->mode);
	h->name_clean = name_field_clean(buf + OFF_NAME, &n);
	memcpy(h->name, buf + OFF_NAME, n);
	h->name[n] = '\0';
	h->fill_ok = true;
	for (size_t i = OFF_FILL; i < UNIFW_MTKHDR_SIZE; i++)
		if (buf[i] != 0xFF)
			h->fill_ok = false;
	if (total < UNIFW_MTKHDR_SIZE)
		total = len;
	h->available = total - UNIFW_MTKHDR_SIZE;
	if (h->available >= h->dsize)
		h->padding = h->available - h->dsize;
	else
		h->missing = h->dsize - h->available;
	return 0;
}

int unifw_mtkhdr_write(uint8_t out[UNIFW_MTKHDR_SIZE], uint32_t dsize, const char *name, uint32_t maddr,
		       uint32_t mode, struct unifw_error *err)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= UNIFW_MTKHDR_NAME_LEN)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "MTK header name must be 1..31 bytes, got %zu", n);
	memset(out, 0xFF, UNIFW_MTKHDR_SIZE);
	put_le32(out, UNIFW_MTKHDR_MAGIC);
	put_le32(out + OFF_DSIZE, dsize);
	memset(out + OFF_NAME, 0, UNIFW_MTKHDR_NAME_LEN);
	memcpy(out + OFF_NAME, name, n);
	put_le32(out + OFF_MADDR, maddr);
	put_le32(out + OFF_MODE, mode);
	return 0;
}

void unifw_mtkhdr_to_json(const struct unifw_mtkhdr *h, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "mtk_header");
	unifw_jv_set_str(obj, "name", h->name);
	unifw_jv_set_uint(obj, "payload_size", h->dsize);
	unifw_jv_set_hex(obj, "maddr", h->maddr);
	unifw_jv_set_hex(obj, "mode", h->mode);
	unifw_jv_set_uint(obj, "header_size", UNIFW_MTKHDR_SIZE);
	unifw_jv_set_uint(obj, "bytes_after_header", h->available);
	unifw_jv_set_uint(obj, "padding", h->padding);
	unifw_jv_set_uint(obj, "missing", h->missing);
	unifw_jv_set_bool(obj, "payload_present", h->available > 0 && h->missing == 0);
	unifw_jv_set_bool(obj, "standard_layout", h->fill_ok && h->name_clean);
}

int unifw_mtkhdr_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t buf[UNIFW_MTKHDR_SIZE];
	struct unifw_mtkhdr h;
	int rc = unifw_stream_read_exact(s, buf, sizeof buf, "MTK header", err);
	if (rc)
		return rc;
	uint64_t total = s->size;
	if (total == UNIFW_SIZE_UNKNOWN) {
		/* A pipe or archive member of unknown size: count what follows the header. */
		uint8_t chunk[65536];
		ssize_t n;
		total = UNIFW_MTKHDR_SIZE;
		while ((n = unifw_stream_read(s, chunk, sizeof chunk, err)) > 0)
			total += (uint64_t)n;
		if (n < 0)
			return (int)n;
	}
	rc = unifw_mtkhdr_parse(buf, sizeof buf, total, &h, err);
	if (rc) {
		unifw_error_where(err, s->name);
		return rc;
	}
	unifw_jv_set_str(obj, "type", "mtk_header");
	unifw_mtkhdr_to_json(&h, obj);
	unifw_jv_set_hex(obj, "magic", UNIFW_MTKHDR_MAGIC);
	return 0;
}

bool unifw_mtkhdr_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	size_t n;
	(void)total_size;
	if (!unifw_mtkhdr_is(head, head_len) || head_len < OFF_NAME + UNIFW_MTKHDR_NAME_LEN)
		return false;
	n = unifw_fieldlen(head + OFF_NAME, UNIFW_MTKHDR_NAME_LEN);
	for (size_t i = 0; i < n; i++)
		if (head[OFF_NAME + i] < 0x20 || head[OFF_NAME + i] > 0x7e)
			return false;
	return n > 0;
}
