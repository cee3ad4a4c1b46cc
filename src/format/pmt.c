/* MediaTek eMMC PMT. Layout from the load_pt / load_pt_from_fixed_addr readers of the public MT65xx
 * preloader, LK and kernel trees (PMT_REGION_SIZE 0x1000, PMT_REGION_OFFSET 0x100000, PT_SIG "PTv1",
 * MPT_SIG "MPT1", PMT_VER "1.0"/"1.1", pt_resident {name[64], size, offset, mask_flags}); no corpus file
 * holds a PMT, so the tests prove the parser against this module's own writer. */
#include "unifw/pmt.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define TAIL_OFFSET (UNIFW_PMT_REGION_SIZE - 4u)
#define DESCRIBE_MAX (2u * UNIFW_PMT_REGION_SIZE)

static bool version_known(const uint8_t *v)
{
	return !memcmp(v, "1.0", 4) || !memcmp(v, "1.1", 4);
}

static int parse_entry(const uint8_t *buf, size_t len, uint64_t off, const char *name, struct unifw_pmt_entry *e,
		       struct unifw_error *err)
{
	if (!unifw_in_bounds(len, off, UNIFW_PMT_ENTRY_SIZE))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len, "PMT entry at 0x%llx cut short",
				       (unsigned long long)off);
	size_t n = unifw_fieldlen(buf + off, UNIFW_PMT_NAME_LEN);
	if (n == UNIFW_PMT_NAME_LEN) /* the readers strcmp() the field: it must hold its NUL */
		return unifw_error_set(err, UNIFW_E_FORMAT, name, off,
				       "expected a NUL-terminated partition name within 64 bytes, found none");
	for (size_t i = 0; i < n; i++)
		if (buf[off + i] < 0x20 || buf[off + i] > 0x7E)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, off + i,
					       "expected a printable partition name, found byte 0x%02X", buf[off + i]);
	memcpy(e->name, buf + off, n);
	e->name[n] = 0;
	get_le64(buf, len, off + 64, &e->size);
	get_le64(buf, len, off + 72, &e->offset);
	get_le64(buf, len, off + 80, &e->mask_flags);
	return UNIFW_OK;
}

static int parse_entry_array(const uint8_t *buf, size_t len, uint64_t at, size_t max, const char *name,
			     struct unifw_pmt *out, struct unifw_error *err)
{
	out->count = 0;
	for (size_t i = 0; i < max; i++) {
		int rc = parse_entry(buf, len, at + i * UNIFW_PMT_ENTRY_SIZE, name, &out->entry[i], err);
		if (rc)
			return rc;
		if (out->entry[i].name[0])
			out->count++;
	}
	return UNIFW_OK;
}

/* One 0x1000-byte copy at `base` with signature `sig`. */
static int parse_region(const uint8_t *buf, size_t len, uint64_t base, uint32_t sig, const char *name,
			struct unifw_pmt *out, struct unifw_error *err)
{
	const char *signame = sig == UNIFW_PMT_SIG ? "PTv1" : "MPT1";
	if (!unifw_in_bounds(len, base, UNIFW_PMT_REGION_SIZE))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "expected a 0x1000-byte PMT region at 0x%llx, the input ends at 0x%zx",
				       (unsigned long long)base, len);
	uint32_t head = 0, tail = 0;
	get_le32(buf, len, base, &head);
	if (head != sig)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, base, "expected PMT signature %s (0x%08X), found 0x%08X",
				       signame, sig, head);
	if (!version_known(buf + base + 4))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, base + 4,
				       "expected PMT version \"1.0\" or \"1.1\", found %02X %02X %02X %02X", buf[base + 4],
				       buf[base + 5], buf[base + 6], buf[base + 7]);
	get_le32(buf, len, base + TAIL_OFFSET, &tail);
	if (tail != sig)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, base + TAIL_OFFSET,
				       "expected the trailing %s signature, found 0x%08X", signame, tail);
	memcpy(out->version, buf + base + 4, 3);
	out->version[3] = 0;
	return parse_entry_array(buf, len, base + UNIFW_PMT_ENTRIES_OFFSET, UNIFW_PMT_MAX_ENTRIES, name, out, err);
}

static bool same_entries(const struct unifw_pmt *a, const struct unifw_pmt *b)
{
	for (size_t i = 0; i < UNIFW_PMT_MAX_ENTRIES; i++) {
		const struct unifw_pmt_entry *x = &a->entry[i], *y = &b->entry[i];
		if (strcmp(x->name, y->name) || x->size != y->size || x->offset != y->offset ||
		    x->mask_flags != y->mask_flags)
			return false;
	}
	return strcmp(a->version, b->version) == 0;
}

int unifw_pmt_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_pmt *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	uint32_t head = 0;
	get_le32(buf, len, 0, &head);
	if (head == UNIFW_PMT_MIRROR_SIG) { /* only the mirror was given */
		out->from_mirror = true;
		return parse_region(buf, len, 0, UNIFW_PMT_MIRROR_SIG, name, out, err);
	}
	int rc = parse_region(buf, len, 0, UNIFW_PMT_SIG, name, out, err);
	struct unifw_pmt *mirror = calloc(1, sizeof *mirror);
	if (!mirror)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	struct unifw_error merr;
	bool mirror_ok = len >= 2 * UNIFW_PMT_REGION_SIZE &&
			 parse_region(buf, len, UNIFW_PMT_REGION_SIZE, UNIFW_PMT_MIRROR_SIG, name, mirror, &merr) == 0;
	if (rc && mirror_ok) { /* the readers fall back to the mirror the same way */
		*out = *mirror;
		out->from_mirror = true;
		rc = UNIFW_OK;
	} else if (!rc && mirror_ok) {
		out->has_mirror = true;
		out->mirror_matches = same_entries(out, mirror);
	}
	free(mirror);
	return rc;
}

int unifw_pmt_parse_entries(const uint8_t *buf, size_t len, const char *name, struct unifw_pmt *out,
			    struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	if (len == 0 || len % UNIFW_PMT_ENTRY_SIZE)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, len,
				       "expected a multiple of the 0x58-byte PMT entry, found %zu bytes", len);
	size_t n = len / UNIFW_PMT_ENTRY_SIZE;
	if (n > UNIFW_PMT_MAX_ENTRIES)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, UNIFW_PMT_MAX_ENTRIES * UNIFW_PMT_ENTRY_SIZE,
				       "expected at most %u PMT entries, found %zu", UNIFW_PMT_MAX_ENTRIES, n);
	return parse_entry_array(buf, len, 0, n, name, out, err);
}

static void write_region(const struct unifw_pmt *pmt, const char *version, uint32_t sig, uint8_t *r)
{
	memset(r, 0, UNIFW_PMT_REGION_SIZE);
	put_le32(r, sig);
	memcpy(r + 4, version, 4);
	for (size_t i = 0; i < UNIFW_PMT_MAX_ENTRIES; i++) {
		uint8_t *e = r + UNIFW_PMT_ENTRIES_OFFSET + i * UNIFW_PMT_ENTRY_SIZE;
		memcpy(e, pmt->entry[i].name, strlen(pmt->entry[i].name));
		put_le64(e + 64, pmt->entry[i].size);
		put_le64(e + 72, pmt->entry[i].offset);
		put_le64(e + 80, pmt->entry[i].mask_flags);
	}
	put_le32(r + TAIL_OFFSET, sig);
}

int unifw_pmt_build(const struct unifw_pmt *pmt, uint8_t *out, size_t out_len, struct unifw_error *err)
{
	if (out_len < 2 * UNIFW_PMT_REGION_SIZE)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "PMT needs 0x2000 bytes (primary + mirror), buffer has 0x%zx", out_len);
	char version[4] = "1.0";
	if (pmt->version[0]) {
		if (strlen(pmt->version) != 3 || !version_known((const uint8_t *)pmt->version))
			return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
					       "PMT version \"%.4s\" unknown (1.0 or 1.1)", pmt->version);
		memcpy(version, pmt->version, 4);
	}
	for (size_t i = 0; i < UNIFW_PMT_MAX_ENTRIES; i++) {
		size_t n = strnlen(pmt->entry[i].name, sizeof pmt->entry[i].name);
		if (n >= UNIFW_PMT_NAME_LEN) /* keep a NUL inside the field, as the readers expect a C string */
			return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
					       "PMT entry %zu: name longer than 63 bytes", i);
		for (size_t k = 0; k < n; k++)
			if ((uint8_t)pmt->entry[i].name[k] < 0x20 || (uint8_t)pmt->entry[i].name[k] > 0x7E)
				return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
						       "PMT entry %zu: name has a non-printable byte", i);
	}
	write_region(pmt, version, UNIFW_PMT_SIG, out);
	write_region(pmt, version, UNIFW_PMT_MIRROR_SIG, out + UNIFW_PMT_REGION_SIZE);
	return UNIFW_OK;
}

uint64_t unifw_pmt_location(uint64_t user_area_size)
{
	return user_area_size >= UNIFW_PMT_OFFSET_FROM_END ? user_area_size - UNIFW_PMT_OFFSET_FROM_END : 0;
}

bool unifw_pmt_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	(void)total_size;
	uint32_t sig, tail;
	if (!get_le32(head, head_len, 0, &sig) || (sig != UNIFW_PMT_SIG && sig != UNIFW_PMT_MIRROR_SIG))
		return false;
	if (!unifw_in_bounds(head_len, 4, 4) || !version_known(head + 4))
		return false;
	/* The tail signature needs the whole region; a head shorter than that is not a PMT dump. */
	return get_le32(head, head_len, TAIL_OFFSET, &tail) && tail == sig;
}

int unifw_pmt_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf = malloc(DESCRIBE_MAX);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	ssize_t n = unifw_stream_read(s, buf, DESCRIBE_MAX, err);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	struct unifw_pmt *pmt = malloc(sizeof *pmt);
	int rc = pmt ? unifw_pmt_parse(buf, (size_t)n, s->name, pmt, err)
		     : unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	free(buf);
	if (rc) {
		free(pmt);
		return rc;
	}
	unifw_jv_set_str(obj, "type", "pmt");
	unifw_jv_set_str(obj, "version", pmt->version);
	unifw_jv_set_bool(obj, "from_mirror", pmt->from_mirror);
	unifw_jv_set_bool(obj, "has_mirror", pmt->has_mirror);
	if (pmt->has_mirror)
		unifw_jv_set_bool(obj, "mirror_matches", pmt->mirror_matches);
	unifw_jv_set_uint(obj, "entry_count", pmt->count);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "entries");
	for (size_t i = 0; i < UNIFW_PMT_MAX_ENTRIES; i++) {
		const struct unifw_pmt_entry *e = &pmt->entry[i];
		if (!e->name[0])
			continue;
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "pmt_partition");
		unifw_jv_set_uint(o, "index", i);
		unifw_jv_set_str(o, "name", e->name);
		unifw_jv_set_hex(o, "offset", e->offset);
		unifw_jv_set_uint(o, "size", e->size);
		unifw_jv_set_hex(o, "mask_flags", e->mask_flags);
	}
	free(pmt);
	return UNIFW_OK;
}
