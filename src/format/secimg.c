/* SECCFG / SEC_RO recognition and structural description. Layouts (AND_AC_HEADER_T, SecCfgV3):
 * docs/format-nvram.md, "Security partitions", with their sources;
 * checked on the corpus misc/ files. Encrypted bodies are never interpreted. */
#include "unifw/secimg.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define ID_LEN 16u

static bool has_id(const uint8_t *b, size_t len, uint64_t off, const char *id)
{
	size_t n = strlen(id);
	return unifw_in_bounds(len, off, ID_LEN) && !memcmp(b + off, id, n);
}

/* Every byte in [from, len) is 0x00 or 0xFF; *uniform gets the byte if all are equal. */
static bool blank_tail(const uint8_t *b, size_t len, uint64_t from, int *uniform)
{
	*uniform = from < len ? b[from] : -1;
	for (uint64_t i = from; i < len; i++) {
		if (b[i] != 0x00 && b[i] != 0xFF) {
			*uniform = -1;
			return false;
		}
		if (b[i] != b[from])
			*uniform = -1;
	}
	return true;
}

/* ---------------------------------------------------------------- seccfg */

int unifw_seccfg_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_seccfg *out,
		       struct unifw_error *err)
{
	uint32_t magic = 0, end = 0;
	memset(out, 0, sizeof *out);
	if (!has_id(buf, len, 0, UNIFW_SECCFG_ID))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0, "expected the id \"%s\"", UNIFW_SECCFG_ID);
	if (!get_le32(buf, len, 0x10, &magic) || !get_le32(buf, len, 0x14, &out->version) ||
	    !get_le32(buf, len, 0x18, &out->size))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len, "seccfg header needs 0x1c bytes, found %zu", len);
	if (magic != UNIFW_SECCFG_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0x10, "expected magic 'MMMM' (0x4d4d4d4d), found 0x%08x",
				       magic);
	/* v3: 0x2c bytes of header before the encrypted body, 4 bytes of end flag after it. */
	if (out->size < 0x30 || out->size > len)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0x18,
				       "seccfg size: expected 0x30..0x%zx (inside the file), found 0x%x", len, out->size);
	get_le32(buf, len, out->size - 4, &end);
	if (end != UNIFW_SECCFG_END)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, out->size - 4,
				       "expected end flag 'EEEE' (0x45454545) at seccfg size - 4, found 0x%08x", end);
	out->file_size = len;
	out->rest_blank = blank_tail(buf, len, out->size, &out->blank_byte);
	return 0;
}

/* ---------------------------------------------------------------- secro */

static int read_section(const uint8_t *b, size_t len, uint64_t base, uint32_t field, const char *what,
			uint32_t region_end, const char *name, struct unifw_secro_section *s, struct unifw_error *err)
{
	get_le32(b, len, base + field, &s->length);
	get_le32(b, len, base + field + 4, &s->offset);
	if ((uint64_t)s->offset + s->length > region_end)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, base + field,
				       "%s section 0x%x+0x%x runs past the AC region end 0x%x", what, s->offset, s->length,
				       region_end);
	return 0;
}

static int read_ac_header(const uint8_t *b, size_t len, const char *name, struct unifw_secro *out,
			  struct unifw_error *err)
{
	uint32_t magic = 0;
	if (len < UNIFW_SECRO_HEADER_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len, "AC region header needs 0x40 bytes, found %zu", len);
	get_le32(b, len, 0x10, &magic);
	if (magic != UNIFW_SECRO_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0x10, "expected magic 'HHHH' (0x48484848), found 0x%08x",
				       magic);
	get_le32(b, len, 0x14, &out->region.length);
	get_le32(b, len, 0x18, &out->region.offset);
	out->region_length = out->region.length;
	/* region_length covers andro, md, md2 and the hash (corpus: 0x40 + 0x2bc0, hash at 0x2be0). */
	uint64_t limit = (uint64_t)out->region.offset + out->region.length;
	if (out->region.offset < UNIFW_SECRO_HEADER_SIZE || limit > len || limit > UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0x14,
				       "AC region 0x%x+0x%x: expected after the 0x40-byte header and inside the %zu-byte file",
				       out->region.offset, out->region.length, len);
	uint32_t end = (uint32_t)limit;
	int rc = read_section(b, len, 0, 0x1C, "hash", end, name, &out->hash, err);
	if (!rc)
		rc = read_section(b, len, 0, 0x24, "andro", end, name, &out->andro, err);
	if (!rc)
		rc = read_section(b, len, 0, 0x2C, "md", end, name, &out->md, err);
	if (!rc)
		rc = read_section(b, len, 0, 0x34, "md2", end, name, &out->md2, err);
	return rc;
}

int unifw_secro_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_secro *out,
		      struct unifw_error *err)
{
	uint32_t am = 0;
	memset(out, 0, sizeof *out);
	if (!has_id(buf, len, 0, UNIFW_SECRO_ID))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0, "expected the id \"%s\"", UNIFW_SECRO_ID);
	int rc = read_ac_header(buf, len, name, out, err);
	if (rc)
		return rc;
	out->andro_plaintext = get_le32(buf, len, out->andro.offset, &am) && am == UNIFW_SECRO_ANDRO_MAGIC;
	/* Partitions carry further AC blocks at 4 KiB-aligned offsets (every 0x3000 in the corpus). */
	for (uint64_t off = 0; off + UNIFW_SECRO_HEADER_SIZE <= len && out->copy_count < UNIFW_SECRO_MAX_COPIES;
	     off += 0x1000) {
		uint32_t m = 0;
		if (has_id(buf, len, off, UNIFW_SECRO_ID) && get_le32(buf, len, off + 0x10, &m) && m == UNIFW_SECRO_MAGIC)
			out->copies[out->copy_count++] = off;
	}
	uint64_t last = out->copies[out->copy_count - 1];
	out->end = last + out->hash.offset + out->hash.length;
	if (out->end > len)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, last, "the AC block at 0x%llx runs past the end",
				       (unsigned long long)last);
	out->file_size = len;
	out->rest_blank = blank_tail(buf, len, out->end, &out->blank_byte);
	return 0;
}

/* ---------------------------------------------------------------- probe / describe */

bool unifw_secimg_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	uint32_t m = 0;
	(void)total_size;
	return (has_id(head, head_len, 0, UNIFW_SECCFG_ID) && get_le32(head, head_len, 0x10, &m) &&
		m == UNIFW_SECCFG_MAGIC) ||
	       (has_id(head, head_len, 0, UNIFW_SECRO_ID) && get_le32(head, head_len, 0x10, &m) && m == UNIFW_SECRO_MAGIC);
}

static void set_blank(struct unifw_jv *obj, bool rest_blank, int blank_byte)
{
	unifw_jv_set_bool(obj, "rest_blank", rest_blank);
	if (blank_byte >= 0)
		unifw_jv_set_hex(obj, "blank_byte", (uint64_t)blank_byte);
	else
		unifw_jv_set(obj, "blank_byte", NULL);
}

static void describe_seccfg(struct unifw_jv *obj, const struct unifw_seccfg *c)
{
	unifw_jv_set_str(obj, "type", "seccfg");
	unifw_jv_set_hex(obj, "magic", UNIFW_SECCFG_MAGIC);
	unifw_jv_set_uint(obj, "magic_offset", 0x10);
	unifw_jv_set_uint(obj, "version", c->version);
	unifw_jv_set_uint(obj, "seccfg_size", c->size);
	unifw_jv_set_uint(obj, "end_flag_offset", c->size - 4);
	unifw_jv_set_uint(obj, "file_size", c->file_size);
	set_blank(obj, c->rest_blank, c->blank_byte);
}

static void section(struct unifw_jv *secs, const char *key, const struct unifw_secro_section *s)
{
	struct unifw_jv *o = unifw_jv_set_obj(secs, key);
	unifw_jv_set_str(o, "type", "secro_section");
	unifw_jv_set_uint(o, "offset", s->offset);
	unifw_jv_set_uint(o, "size", s->length);
}

static void describe_secro(struct unifw_jv *obj, const struct unifw_secro *r)
{
	unifw_jv_set_str(obj, "type", "secro");
	unifw_jv_set_hex(obj, "magic", UNIFW_SECRO_MAGIC);
	unifw_jv_set_uint(obj, "magic_offset", 0x10);
	unifw_jv_set_uint(obj, "region_size", r->region_length);
	struct unifw_jv *secs = unifw_jv_set_obj(obj, "sections");
	unifw_jv_set_str(secs, "type", "secro_sections");
	section(secs, "region", &r->region);
	section(secs, "hash", &r->hash);
	section(secs, "andro", &r->andro);
	section(secs, "md", &r->md);
	section(secs, "md2", &r->md2);
	unifw_jv_set_bool(obj, "andro_plaintext", r->andro_plaintext);
	unifw_jv_set_uint(obj, "copies", r->copy_count);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "copy_offsets");
	for (size_t i = 0; i < r->copy_count; i++)
		unifw_jv_push(arr, unifw_jv_uint(r->copies[i]));
	unifw_jv_set_uint(obj, "file_size", r->file_size);
	set_blank(obj, r->rest_blank, r->blank_byte);
}

int unifw_secimg_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = unifw_stream_read_all(s, UNIFW_SECIMG_MAX_FILE, &buf, &n, err);
	if (!rc && has_id(buf, n, 0, UNIFW_SECCFG_ID)) {
		struct unifw_seccfg c;
		rc = unifw_seccfg_parse(buf, n, s->name, &c, err);
		if (!rc)
			describe_seccfg(obj, &c);
	} else if (!rc) {
		struct unifw_secro r;
		rc = unifw_secro_parse(buf, n, s->name, &r, err);
		if (!rc)
			describe_secro(obj, &r);
	}
	free(buf);
	return rc;
}
