/* MTK_AllInOne_DA.bin container. Field order as docs/format-da.md describes it, with its sources
 * (magic, hw_code, hw_sub_code, hw_version, sw_version, reserved1, pagesize, reserved3,
 * entry_region_index, entry_region_count, then 20-byte regions); the old 0xD8 layout lacks the
 * sw_version/reserved1 pair. No real DA is in the corpus (it is proprietary): tests use this writer. */
#include "unifw/dafile.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define OFF_VERSION 0x20u
#define OFF_INFO_VER 0x60u
#define OFF_MAGIC 0x64u
#define OFF_COUNT 0x68u
#define ID_FIELD 32u
#define VERSION_FIELD 64u
#define DATA_ALIGN 16u

/* Offsets inside an entry that differ between the layouts. */
struct entry_layout {
	size_t size;
	int sw_ver, reserved;            /* -1: absent */
	unsigned page_size, reserved2, region_index, region_count, regions;
};

static const struct entry_layout LAYOUT_NEW = {UNIFW_DA_ENTRY_SIZE, 0x08, 0x0A, 0x0C, 0x0E, 0x10, 0x12, 0x14};
static const struct entry_layout LAYOUT_OLD = {UNIFW_DA_ENTRY_SIZE_OLD, -1, -1, 0x08, 0x0A, 0x0C, 0x0E, 0x10};

/* Read and check entry `i` at `at` with layout L. */
static int read_entry(const uint8_t *b, size_t len, uint64_t at, size_t i, const struct entry_layout *L,
		      uint64_t file_size, const char *name, struct unifw_da_entry *e, struct unifw_error *err)
{
	memset(e, 0, sizeof *e);
	e->magic = le16_at(b, len, at);
	if (e->magic != UNIFW_DA_ENTRY_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at, "DA entry %zu: expected magic 0xDADA, found 0x%04X", i,
				       e->magic);
	e->hw_code = le16_at(b, len, at + 2);
	e->hw_sub_code = le16_at(b, len, at + 4);
	e->hw_ver = le16_at(b, len, at + 6);
	if (L->sw_ver >= 0) {
		e->sw_ver = le16_at(b, len, at + (unsigned)L->sw_ver);
		e->reserved = le16_at(b, len, at + (unsigned)L->reserved);
	}
	e->page_size = le16_at(b, len, at + L->page_size);
	e->reserved2 = le16_at(b, len, at + L->reserved2);
	e->region_index = le16_at(b, len, at + L->region_index);
	e->region_count = le16_at(b, len, at + L->region_count);
	if (e->region_count > UNIFW_DA_MAX_REGIONS)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, at + L->region_count,
				       "DA entry %zu: expected at most 10 regions, found %u", i, e->region_count);
	for (unsigned r = 0; r < e->region_count; r++) {
		uint64_t ro = at + L->regions + (uint64_t)r * UNIFW_DA_REGION_SIZE;
		struct unifw_da_region *rg = &e->region[r];
		rg->offset = le32_at(b, len, ro);
		rg->length = le32_at(b, len, ro + 4);
		rg->load_addr = le32_at(b, len, ro + 8);
		rg->start_offset = le32_at(b, len, ro + 12);
		rg->sig_len = le32_at(b, len, ro + 16);
		if ((uint64_t)rg->offset + rg->length > file_size)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, ro,
					       "DA entry %zu region %u: bytes 0x%X..0x%llX lie beyond the file (0x%llX bytes)", i,
					       r, rg->offset, (unsigned long long)rg->offset + rg->length,
					       (unsigned long long)file_size);
		if (rg->sig_len > rg->length)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, ro + 16,
					       "DA entry %zu region %u: signature of 0x%X bytes in a region of 0x%X", i, r,
					       rg->sig_len, rg->length);
	}
	return UNIFW_OK;
}

static int read_entries(const uint8_t *b, size_t len, const struct entry_layout *L, struct unifw_dafile *da,
			const char *name, struct unifw_error *err)
{
	uint64_t need = UNIFW_DA_HEADER_SIZE + (uint64_t)da->count * L->size;
	if (need > len)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "%zu DA entries of 0x%zX bytes need 0x%llX bytes, the input has 0x%zX", da->count,
				       L->size, (unsigned long long)need, len);
	for (size_t i = 0; i < da->count; i++) {
		int rc = read_entry(b, len, UNIFW_DA_HEADER_SIZE + i * L->size, i, L, da->file_size, name, &da->entry[i],
				    err);
		if (rc)
			return rc;
	}
	da->old_layout = L == &LAYOUT_OLD;
	da->entry_size = L->size;
	return UNIFW_OK;
}

/* docs/format-da.md: the old layout is recognised by entry 1's DADA at 0x6C + 0xD8. With a single entry there is
 * no second magic: the layout that reads a region table (1..10 regions, all inside the file) wins, the new
 * one first. Read with the wrong layout, region_count lands on a zero field (reserved2 or the high half of
 * region 0's offset), so the two do not both pass. */
static int read_any_layout(const uint8_t *b, size_t len, struct unifw_dafile *da, const char *name,
			   struct unifw_error *err)
{
	if (da->count >= 2) {
		uint64_t second_new = UNIFW_DA_HEADER_SIZE + UNIFW_DA_ENTRY_SIZE;
		uint64_t second_old = UNIFW_DA_HEADER_SIZE + UNIFW_DA_ENTRY_SIZE_OLD;
		if (le16_at(b, len, second_new) == UNIFW_DA_ENTRY_MAGIC)
			return read_entries(b, len, &LAYOUT_NEW, da, name, err);
		if (le16_at(b, len, second_old) == UNIFW_DA_ENTRY_MAGIC)
			return read_entries(b, len, &LAYOUT_OLD, da, name, err);
		if (len < second_new + 2)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len, "DA entry table cut short");
		return unifw_error_set(err, UNIFW_E_FORMAT, name, second_new,
				       "expected DA entry 1 (magic 0xDADA) at 0x148, or at 0x144 in the old layout");
	}
	int rc = read_entries(b, len, &LAYOUT_NEW, da, name, err);
	if (da->count == 0 || (rc == UNIFW_OK && da->entry[0].region_count > 0))
		return rc;
	struct unifw_error old_err;
	if (read_entries(b, len, &LAYOUT_OLD, da, name, &old_err) == UNIFW_OK && da->entry[0].region_count > 0)
		return UNIFW_OK;
	return read_entries(b, len, &LAYOUT_NEW, da, name, err); /* report the new layout's reading */
}

int unifw_dafile_parse(const uint8_t *buf, size_t len, uint64_t file_size, const char *name, struct unifw_dafile *out,
		       struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	if (file_size < len)
		file_size = len;
	out->file_size = file_size;
	if (len < UNIFW_DA_HEADER_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len, "expected a 0x6C-byte DA header, found %zu bytes",
				       len);
	if (memcmp(buf, UNIFW_DA_ID, sizeof UNIFW_DA_ID - 1))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0, "expected \"%s\"", UNIFW_DA_ID);
	unifw_copy_field(out->identifier, sizeof out->identifier, buf, ID_FIELD);
	unifw_copy_field(out->version, sizeof out->version, buf + OFF_VERSION, VERSION_FIELD);
	out->info_ver = le32_at(buf, len, OFF_INFO_VER);
	out->magic = le32_at(buf, len, OFF_MAGIC);
	if (out->magic != UNIFW_DA_MAGIC)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, OFF_MAGIC, "expected DA magic 0x%08X, found 0x%08X",
				       UNIFW_DA_MAGIC, out->magic);
	uint32_t count = le32_at(buf, len, OFF_COUNT);
	if (count > UNIFW_DA_MAX_ENTRIES)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, OFF_COUNT, "expected at most %u DA entries, found %u",
				       UNIFW_DA_MAX_ENTRIES, count);
	out->count = count;
	out->entry = calloc(count ? count : 1, sizeof *out->entry);
	if (!out->entry)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	int rc = read_any_layout(buf, len, out, name, err);
	if (rc)
		unifw_dafile_free(out);
	return rc;
}

void unifw_dafile_free(struct unifw_dafile *da)
{
	free(da->entry);
	da->entry = NULL;
	da->count = 0;
}

int unifw_dafile_select(const struct unifw_dafile *da, uint16_t hw_code, uint16_t hw_ver, uint16_t sw_ver,
			size_t *index, struct unifw_error *err)
{
	bool code_seen = false;
	for (size_t i = 0; i < da->count; i++) {
		const struct unifw_da_entry *e = &da->entry[i];
		if (e->hw_code != hw_code)
			continue;
		code_seen = true;
		if (e->hw_ver <= hw_ver && e->sw_ver <= sw_ver) {
			*index = i;
			return UNIFW_OK;
		}
	}
	if (code_seen)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, NULL, UNIFW_NO_OFFSET,
				       "the DA file has entries for hw_code 0x%04X, but all for a newer hw_ver/sw_ver than "
				       "the device's 0x%04X/0x%04X",
				       hw_code, hw_ver, sw_ver);
	return unifw_error_set(err, UNIFW_E_NOT_FOUND, NULL, UNIFW_NO_OFFSET,
			       "the DA file has no entry for hw_code 0x%04X (%zu entries)", hw_code, da->count);
}

int unifw_dafile_stage(const struct unifw_dafile *da, size_t index, unsigned stage, struct unifw_da_region *out,
		       struct unifw_error *err)
{
	if (index >= da->count)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "DA entry %zu of %zu", index, da->count);
	if (stage != 1 && stage != 2)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "DA stage %u (1 or 2)", stage);
	const struct unifw_da_entry *e = &da->entry[index];
	if (e->region_count <= stage)
		return unifw_error_set(err, UNIFW_E_FORMAT, NULL,
				       UNIFW_DA_HEADER_SIZE + index * da->entry_size + (da->old_layout ? 0x0E : 0x12),
				       "DA entry %zu has %u regions: no region %u for DA%u", index, e->region_count, stage,
				       stage);
	const struct unifw_da_region *r = &e->region[stage];
	if (r->length == 0 || r->sig_len >= r->length)
		return unifw_error_set(err, UNIFW_E_FORMAT, NULL, UNIFW_NO_OFFSET,
				       "DA entry %zu region %u: no code (length 0x%X, signature 0x%X)", index, stage, r->length,
				       r->sig_len);
	*out = *r;
	return UNIFW_OK;
}

/* ---- writer ---- */

static uint64_t align_up(uint64_t v)
{
	return (v + DATA_ALIGN - 1) / DATA_ALIGN * DATA_ALIGN;
}

static int check_build(const struct unifw_da_build *b, uint64_t *total, struct unifw_error *err)
{
	if (b->count == 0 || b->count > UNIFW_DA_MAX_ENTRIES)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "expected 1 to %u DA entries, found %zu",
				       UNIFW_DA_MAX_ENTRIES, b->count);
	if (b->version && strlen(b->version) >= VERSION_FIELD)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "DA version string longer than 63 bytes");
	size_t esize = b->old_layout ? UNIFW_DA_ENTRY_SIZE_OLD : UNIFW_DA_ENTRY_SIZE;
	uint64_t at = align_up(UNIFW_DA_HEADER_SIZE + b->count * esize);
	for (size_t i = 0; i < b->count; i++) {
		const struct unifw_da_build_entry *e = &b->entries[i];
		if (e->region_count > UNIFW_DA_MAX_REGIONS)
			return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "DA entry %zu: %zu regions (max 10)",
					       i, e->region_count);
		if (b->old_layout && e->sw_ver)
			return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
					       "DA entry %zu: the old layout has no sw_ver field", i);
		for (size_t r = 0; r < e->region_count; r++) {
			if (e->regions[r].sig_len > e->regions[r].len)
				return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
						       "DA entry %zu region %zu: signature longer than the region", i, r);
			at = align_up(at + e->regions[r].len);
		}
	}
	if (at > UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, NULL, UNIFW_NO_OFFSET, "DA file of 0x%llX bytes: offsets are 32-bit",
				       (unsigned long long)at);
	*total = at;
	return UNIFW_OK;
}

static void write_entry(uint8_t *e, const struct unifw_da_build_entry *be, const struct entry_layout *L,
			const uint32_t *offsets)
{
	put_le16(e, UNIFW_DA_ENTRY_MAGIC);
	put_le16(e + 2, be->hw_code);
	put_le16(e + 4, be->hw_sub_code);
	put_le16(e + 6, be->hw_ver);
	if (L->sw_ver >= 0)
		put_le16(e + L->sw_ver, be->sw_ver);
	put_le16(e + L->page_size, be->page_size);
	put_le16(e + L->region_index, be->region_index);
	put_le16(e + L->region_count, (uint16_t)be->region_count);
	for (size_t r = 0; r < be->region_count; r++) {
		uint8_t *ro = e + L->regions + r * UNIFW_DA_REGION_SIZE;
		const struct unifw_da_blob *blob = &be->regions[r];
		put_le32(ro, offsets[r]);
		put_le32(ro + 4, (uint32_t)blob->len);
		put_le32(ro + 8, blob->load_addr);
		put_le32(ro + 12, (uint32_t)(blob->len - blob->sig_len)); /* where the signature starts */
		put_le32(ro + 16, blob->sig_len);
	}
}

int unifw_dafile_build(const struct unifw_da_build *b, uint8_t **out, size_t *out_len, struct unifw_error *err)
{
	*out = NULL;
	*out_len = 0;
	uint64_t total = 0;
	int rc = check_build(b, &total, err);
	if (rc)
		return rc;
	uint8_t *buf = calloc(1, (size_t)total);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
	const struct entry_layout *L = b->old_layout ? &LAYOUT_OLD : &LAYOUT_NEW;
	memcpy(buf, UNIFW_DA_ID, sizeof UNIFW_DA_ID - 1);
	if (b->version)
		memcpy(buf + OFF_VERSION, b->version, strlen(b->version));
	put_le32(buf + OFF_INFO_VER, 4);
	put_le32(buf + OFF_MAGIC, UNIFW_DA_MAGIC);
	put_le32(buf + OFF_COUNT, (uint32_t)b->count);
	uint64_t at = align_up(UNIFW_DA_HEADER_SIZE + b->count * L->size);
	for (size_t i = 0; i < b->count; i++) {
		const struct unifw_da_build_entry *be = &b->entries[i];
		uint32_t offsets[UNIFW_DA_MAX_REGIONS];
		for (size_t r = 0; r < be->region_count; r++) {
			offsets[r] = (uint32_t)at;
			if (be->regions[r].len)
				memcpy(buf + at, be->regions[r].data, be->regions[r].len);
			at = align_up(at + be->regions[r].len);
		}
		write_entry(buf + UNIFW_DA_HEADER_SIZE + i * L->size, be, L, offsets);
	}
	*out = buf;
	*out_len = (size_t)total;
	return UNIFW_OK;
}

/* ---- probe / describe ---- */

bool unifw_dafile_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	(void)total_size;
	return head_len >= UNIFW_DA_HEADER_SIZE && !memcmp(head, UNIFW_DA_ID, sizeof UNIFW_DA_ID - 1) &&
	       le32_at(head, head_len, OFF_MAGIC) == UNIFW_DA_MAGIC;
}

static void describe_entry(const struct unifw_da_entry *e, size_t i, struct unifw_jv *o)
{
	unifw_jv_set_str(o, "type", "da_entry");
	unifw_jv_set_uint(o, "index", i);
	unifw_jv_set_hex(o, "hw_code", e->hw_code);
	unifw_jv_set_hex(o, "hw_sub_code", e->hw_sub_code);
	unifw_jv_set_hex(o, "hw_ver", e->hw_ver);
	unifw_jv_set_hex(o, "sw_ver", e->sw_ver);
	unifw_jv_set_uint(o, "page_size", e->page_size);
	unifw_jv_set_uint(o, "region_index", e->region_index);
	unifw_jv_set_uint(o, "region_count", e->region_count);
	struct unifw_jv *arr = unifw_jv_set_arr(o, "regions");
	for (unsigned r = 0; r < e->region_count; r++) {
		const struct unifw_da_region *rg = &e->region[r];
		struct unifw_jv *x = unifw_jv_push_obj(arr);
		unifw_jv_set_str(x, "type", "da_region");
		unifw_jv_set_uint(x, "index", r);
		unifw_jv_set_uint(x, "offset", rg->offset);
		unifw_jv_set_uint(x, "size", rg->length);
		unifw_jv_set_hex(x, "load_address", rg->load_addr);
		unifw_jv_set_uint(x, "start_offset", rg->start_offset);
		unifw_jv_set_uint(x, "sig_len", rg->sig_len);
	}
}

int unifw_dafile_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t head[UNIFW_DA_HEADER_SIZE];
	int rc = unifw_stream_read_exact(s, head, sizeof head, "DA header", err);
	if (rc)
		return rc;
	uint32_t count = le32_at(head, sizeof head, OFF_COUNT);
	if (count > UNIFW_DA_MAX_ENTRIES)
		count = UNIFW_DA_MAX_ENTRIES + 1; /* enough for the parser to refuse it */
	size_t want = UNIFW_DA_HEADER_SIZE + (size_t)count * UNIFW_DA_ENTRY_SIZE;
	uint8_t *buf = malloc(want);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	memcpy(buf, head, sizeof head);
	ssize_t n = unifw_stream_read(s, buf + sizeof head, want - sizeof head, err);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	/* Region bounds need the file size; a stream of unknown size only gets the table checked. */
	uint64_t size = s->size != UNIFW_SIZE_UNKNOWN ? s->size : UINT64_MAX;
	struct unifw_dafile da;
	rc = unifw_dafile_parse(buf, sizeof head + (size_t)n, size, s->name, &da, err);
	free(buf);
	if (rc)
		return rc;
	unifw_jv_set_str(obj, "type", "da");
	unifw_jv_set_str(obj, "identifier", da.identifier);
	unifw_jv_set_str(obj, "version", da.version);
	unifw_jv_set_uint(obj, "info_ver", da.info_ver);
	unifw_jv_set_hex(obj, "magic", da.magic);
	if (s->size != UNIFW_SIZE_UNKNOWN)
		unifw_jv_set_uint(obj, "size", s->size);
	unifw_jv_set_str(obj, "layout", da.old_layout ? "old_0xd8" : "0xdc");
	unifw_jv_set_uint(obj, "entry_size", da.entry_size);
	unifw_jv_set_uint(obj, "entry_count", da.count);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "entries");
	for (size_t i = 0; i < da.count; i++)
		describe_entry(&da.entry[i], i, unifw_jv_push_obj(arr));
	unifw_dafile_free(&da);
	return UNIFW_OK;
}
