/* MTK_BLOADER_INFO_v11 tag and compiled emi_settings[] of MT6572 preloaders.
 * Header field names: BLoaderInfo_v01_ST in MediaTek's rom_info_internal.h (public MT65xx trees);
 * entry fields: EMI_SETTINGS in the MT6572 preloader's mt_emi.h; both checked byte by byte on every corpus
 * preloader (docs/format-preloader.md). */
#include "unifw/emi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/hash.h"
#include "util/bytes.h"

#define TAG_LEN (sizeof UNIFW_EMI_TAG - 1)
#define OFF_FILENAME 0x18u
#define FILENAME_LEN 64u
#define OFF_VERSION 0x58u
#define OFF_CHKSUM_SEED 0x5Cu
#define OFF_START_ADDR 0x60u
#define OFF_BIN_ID 0x64u
#define OFF_COUNT 0x6Cu
/* Fields after the ID, as offsets from the end of the ID (tag: 0x14, compiled: 0x10): id_length at 0x00
 * through match_flag at 0x90. Both entry layouts are the u32 type, the ID, then this tail. */
#define TAIL_SIZE 0x94u
_Static_assert(4 + UNIFW_EMI_ID_SIZE + TAIL_SIZE == UNIFW_EMI_ENTRY_SIZE, "tag entry = type + ID + tail");
_Static_assert(4 + UNIFW_EMI_COMPILED_ID_SIZE + TAIL_SIZE == UNIFW_EMI_COMPILED_ENTRY_SIZE,
	       "compiled entry = type + ID + tail");
#define DESCRIBE_MAX (UNIFW_EMI_HEADER_SIZE + UNIFW_EMI_MAX_ENTRIES * UNIFW_EMI_ENTRY_SIZE + 4u)

uint64_t unifw_emi_find_tag(const uint8_t *buf, size_t len, uint64_t from)
{
	if (from > len)
		return UINT64_MAX;
	size_t at = unifw_memfind(buf, len, (size_t)from, UNIFW_EMI_TAG, TAG_LEN);
	return at == SIZE_MAX ? UINT64_MAX : at;
}

/* Entries the header at `tag` declares, cut to those that fit before len; the header must be in bounds. */
static uint64_t entries_present(const uint8_t *buf, size_t len, uint64_t tag)
{
	uint64_t fits = (len - tag - UNIFW_EMI_HEADER_SIZE) / UNIFW_EMI_ENTRY_SIZE;
	uint64_t n = le32_at(buf, len, tag + OFF_COUNT);
	return n < fits ? n : fits;
}

uint64_t unifw_emi_block_len(const uint8_t *buf, size_t len, uint64_t tag)
{
	if (!unifw_in_bounds(len, tag, UNIFW_EMI_HEADER_SIZE))
		return 0;
	return UNIFW_EMI_HEADER_SIZE + entries_present(buf, len, tag) * UNIFW_EMI_ENTRY_SIZE;
}

/* One entry at `base` with an ID of `id_size` bytes (16 in the tag, 12 compiled). */
static void read_entry(const uint8_t *b, size_t len, uint64_t base, size_t id_size, struct unifw_emi_entry *e)
{
	memset(e, 0, sizeof *e);
	e->type = le32_at(b, len, base);
	get_bytes(b, len, base + 4, e->id, id_size);
	uint64_t t = base + 4 + id_size;
	e->id_length = le32_at(b, len, t);
	e->freq_mhz = le32_at(b, len, t + 0x04);
	e->drva = le32_at(b, len, t + 0x08);
	e->drvb = le32_at(b, len, t + 0x0C);
	for (unsigned i = 0; i < 14; i++)
		e->odl[i] = le32_at(b, len, t + 0x10 + 4u * i);
	e->con_i = le32_at(b, len, t + 0x48);
	e->con_j = le32_at(b, len, t + 0x4C);
	e->con_k = le32_at(b, len, t + 0x50);
	e->con_l = le32_at(b, len, t + 0x54);
	e->con_n = le32_at(b, len, t + 0x58);
	for (unsigned i = 0; i < 3; i++)
		e->dut[i] = le32_at(b, len, t + 0x5C + 4u * i);
	e->duca = le32_at(b, len, t + 0x68);
	e->ducb = le32_at(b, len, t + 0x6C);
	e->duce = le32_at(b, len, t + 0x70);
	e->iocl = le32_at(b, len, t + 0x74);
	e->gend = le32_at(b, len, t + 0x78);
	for (unsigned i = 0; i < 4; i++)
		e->rank_size[i] = le32_at(b, len, t + 0x7C + 4u * i);
	e->dram_vendor = le32_at(b, len, t + 0x8C);
	e->match_flag = le32_at(b, len, t + 0x90);
}

/* m_filename: the corpus files start the field with three NUL bytes before "preloader_<project>.bin". */
static void read_filename(const uint8_t *field, struct unifw_emi_table *t)
{
	size_t skip = 0;
	while (skip < FILENAME_LEN && field[skip] == 0)
		skip++;
	unifw_copy_field(t->filename, sizeof t->filename, field + skip, FILENAME_LEN - skip);
	static const char pre[] = "preloader_", suf[] = ".bin";
	size_t n = strlen(t->filename);
	if (n > strlen(pre) + strlen(suf) && !strncmp(t->filename, pre, strlen(pre)) &&
	    !strcmp(t->filename + n - strlen(suf), suf)) {
		size_t m = n - strlen(pre) - strlen(suf);
		memcpy(t->project, t->filename + strlen(pre), m);
		t->project[m] = 0;
	}
}

int unifw_emi_parse(const uint8_t *buf, size_t len, uint64_t off, const char *name, struct unifw_emi_table *out,
		    struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	out->offset = off;
	if (!unifw_in_bounds(len, off, TAG_LEN) || memcmp(buf + off, UNIFW_EMI_TAG, TAG_LEN))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, off, "expected \"%s\"", UNIFW_EMI_TAG);
	if (!unifw_in_bounds(len, off, UNIFW_EMI_HEADER_SIZE))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "expected a 0x70-byte MTK_BLOADER_INFO header at 0x%llx, the input ends first",
				       (unsigned long long)off);
	const uint8_t *h = buf + off;
	unifw_copy_field(out->version, sizeof out->version, h + TAG_LEN, 2);
	read_filename(h + OFF_FILENAME, out);
	unifw_copy_field(out->bin_version, sizeof out->bin_version, h + OFF_VERSION, 4);
	out->chksum_seed = le32_at(buf, len, off + OFF_CHKSUM_SEED);
	out->start_addr = le32_at(buf, len, off + OFF_START_ADDR);
	unifw_copy_field(out->bin_identifier, sizeof out->bin_identifier, h + OFF_BIN_ID, 8);
	out->declared_count = le32_at(buf, len, off + OFF_COUNT);
	out->entries_offset = off + UNIFW_EMI_HEADER_SIZE;
	if (strcmp(out->version, "11"))
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, name, off + TAG_LEN,
				       "MTK_BLOADER_INFO_v%s: only the MT6572 layout v11 is known", out->version);
	uint64_t n = entries_present(buf, len, off);
	if (n > UNIFW_EMI_MAX_ENTRIES)
		n = UNIFW_EMI_MAX_ENTRIES;
	out->count = (size_t)n;
	out->count_mismatch = out->declared_count != n;
	for (size_t i = 0; i < out->count; i++)
		read_entry(buf, len, out->entries_offset + i * UNIFW_EMI_ENTRY_SIZE, UNIFW_EMI_ID_SIZE, &out->entry[i]);
	return UNIFW_OK;
}

/* ---- compiled emi_settings[] ---- */

static bool plausible_type(uint32_t type)
{
	uint32_t kind = type >> 8, dram = type & 0xFF;
	return type <= 0x2FF && kind <= 2 && dram >= 1 && dram <= 6;
}

static bool plausible_compiled(const uint8_t *b, size_t len, uint64_t at)
{
	if (!unifw_in_bounds(len, at, UNIFW_EMI_COMPILED_ENTRY_SIZE))
		return false;
	uint64_t t = at + 4 + UNIFW_EMI_COMPILED_ID_SIZE;
	uint32_t idlen = le32_at(b, len, t), freq = le32_at(b, len, t + 4), rank0 = le32_at(b, len, t + 0x7C);
	return plausible_type(le32_at(b, len, at)) && idlen <= UNIFW_EMI_COMPILED_ID_SIZE && freq >= 100 &&
	       freq <= 1066 && rank0 != 0 && rank0 % 0x100000 == 0;
}

int unifw_emi_find_compiled(const uint8_t *buf, size_t len, struct unifw_emi_compiled *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	for (uint64_t o = 0; o + 4 <= len; o += 4) { /* num_of_emi_records is an int: 4-aligned */
		uint32_t n = le32_at(buf, len, o);
		if (n == 0 || n > UNIFW_EMI_MAX_ENTRIES)
			continue;
		uint32_t i = 0;
		while (i < n && plausible_compiled(buf, len, o + 4 + (uint64_t)i * UNIFW_EMI_COMPILED_ENTRY_SIZE))
			i++;
		if (i < n)
			continue;
		out->offset = o;
		out->count = n;
		for (i = 0; i < n; i++)
			read_entry(buf, len, o + 4 + (uint64_t)i * UNIFW_EMI_COMPILED_ENTRY_SIZE, UNIFW_EMI_COMPILED_ID_SIZE,
				   &out->entry[i]);
		return UNIFW_OK;
	}
	return unifw_error_set(err, UNIFW_E_NOT_FOUND, NULL, UNIFW_NO_OFFSET,
			       "no compiled emi_settings[] (u32 count followed by 0xA4-byte entries) found");
}

bool unifw_emi_entries_agree(const struct unifw_emi_entry *tag, const struct unifw_emi_entry *c)
{
	/* The compiled ID is 12 bytes: the tag's last 4 ID bytes must be zero to match. */
	if (!unifw_all_bytes(tag->id + UNIFW_EMI_COMPILED_ID_SIZE, UNIFW_EMI_ID_SIZE - UNIFW_EMI_COMPILED_ID_SIZE, 0))
		return false;
	return memcmp(tag, c, sizeof *tag) == 0;
}

size_t unifw_emi_cross_check(const struct unifw_emi_table *tag, const struct unifw_emi_compiled *compiled)
{
	size_t n = tag->count < compiled->count ? tag->count : compiled->count;
	for (size_t i = 0; i < n; i++)
		if (!unifw_emi_entries_agree(&tag->entry[i], &compiled->entry[i]))
			return i + 1;
	if (tag->count != compiled->count || tag->declared_count != compiled->count)
		return n + 1;
	return 0;
}

/* ---- matching ---- */

static bool entry_matches(const struct unifw_emi_entry *e, const uint8_t *cid)
{
	return (e->type >> 8) == 2 && e->id_length >= 1 && e->id_length <= UNIFW_EMI_ID_SIZE &&
	       memcmp(e->id, cid, e->id_length) == 0;
}

bool unifw_emi_match_cid(const struct unifw_emi_table *table, const uint8_t cid[UNIFW_EMI_CID_SIZE],
			 size_t *entry_index)
{
	for (size_t i = 0; i < table->count; i++) {
		if (entry_matches(&table->entry[i], cid)) {
			if (entry_index)
				*entry_index = i;
			return true;
		}
	}
	return false;
}

size_t unifw_emi_count_cid_matches(const struct unifw_emi_table *table, const uint8_t cid[UNIFW_EMI_CID_SIZE])
{
	size_t n = 0;
	for (size_t i = 0; i < table->count; i++)
		n += entry_matches(&table->entry[i], cid);
	return n;
}

bool unifw_emi_compiled_match_cid(const struct unifw_emi_compiled *c, const uint8_t cid[UNIFW_EMI_CID_SIZE],
				  size_t *entry_index)
{
	for (size_t i = 0; i < c->count && i < UNIFW_EMI_MAX_ENTRIES; i++) {
		/* The compiled ID holds 12 bytes: a longer id_length would compare bytes it does not have. */
		if (c->entry[i].id_length <= UNIFW_EMI_COMPILED_ID_SIZE && entry_matches(&c->entry[i], cid)) {
			if (entry_index)
				*entry_index = i;
			return true;
		}
	}
	return false;
}

enum unifw_emi_fit unifw_emi_check_fit(const struct unifw_emi_table *tag, const struct unifw_emi_compiled *compiled,
				       const uint8_t cid[UNIFW_EMI_CID_SIZE], struct unifw_emi_fit_result *out)
{
	memset(out, 0, sizeof *out);
	out->tag_lists = unifw_emi_match_cid(tag, cid, &out->tag_index);
	out->compiled_lists = compiled && unifw_emi_compiled_match_cid(compiled, cid, &out->compiled_index);
	if (!out->tag_lists)
		out->fit = out->compiled_lists ? UNIFW_EMI_FIT_TAG_LACKS : UNIFW_EMI_FIT_NEITHER;
	else if (!compiled)
		out->fit = UNIFW_EMI_FIT_COMPILED_MISSING;
	else if (!out->compiled_lists)
		out->fit = UNIFW_EMI_FIT_COMPILED_LACKS;
	else if (!unifw_emi_entries_agree(&tag->entry[out->tag_index], &compiled->entry[out->compiled_index]))
		out->fit = UNIFW_EMI_FIT_DISAGREE;
	else
		out->fit = UNIFW_EMI_FIT_OK;
	return out->fit;
}

const char *unifw_emi_fit_name(enum unifw_emi_fit fit)
{
	switch (fit) {
	case UNIFW_EMI_FIT_OK: return "fits";
	case UNIFW_EMI_FIT_NEITHER: return "neither_lists_part";
	case UNIFW_EMI_FIT_TAG_LACKS: return "tag_lacks_part";
	case UNIFW_EMI_FIT_COMPILED_LACKS: return "emi_settings_lacks_part";
	case UNIFW_EMI_FIT_DISAGREE: return "tables_disagree";
	case UNIFW_EMI_FIT_COMPILED_MISSING: return "no_emi_settings";
	}
	return "unknown";
}

/* ---- names ---- */

const char *unifw_emi_kind_name(uint32_t type)
{
	if (type == 0)
		return "invalid";
	switch (type >> 8) {
	case 0: return "discrete";
	case 1: return "nand";
	case 2: return "emmc";
	default: return "unknown";
	}
}

const char *unifw_emi_dram_type_name(uint32_t type)
{
	/* MT6572 mt_emi.h: 1 (LP)DDR1, 2 LPDDR2, 3 LPDDR3; docs/format-preloader.md reads 4 as LPDDR3 in the newer enum
	 * (later chips' headers call 4 PCDDR3: docs/format-preloader.md marks this uncertain). */
	switch (type & 0xF) {
	case 1: return "LPDDR1";
	case 2: return "LPDDR2";
	case 3: return "LPDDR3";
	case 4: return "LPDDR3";
	default: return "unknown";
	}
}

const char *unifw_emi_mid_name(uint8_t mid)
{
	/* eMMC CID manufacturer ids seen in MT6572 EMI lists (docs/format-preloader.md). */
	switch (mid) {
	case 0x11: return "Toshiba";
	case 0x15: return "Samsung";
	case 0x37: return "KingMax";
	case 0x45: return "SanDisk";
	case 0x70: return "Kingston";
	case 0x79: return "Acsip";
	case 0x90: return "Hynix";
	case 0xC8: return "GigaDevice";
	case 0xF4: return "Biwin";
	case 0xFE: return "Micron";
	default: return NULL;
	}
}

const char *unifw_emi_dram_vendor_name(uint32_t vendor)
{
	switch (vendor) {
	case 0x01: return "Samsung";
	case 0x03: return "Elpida";
	case 0x05: return "Nanya";
	case 0x06: return "Hynix";
	case 0xFF: return "Micron";
	default: return NULL;
	}
}

unsigned unifw_emi_rank_count(const struct unifw_emi_entry *e)
{
	switch ((e->gend >> 16) & 3) {
	case 1: return 1;
	case 3: return 2;
	default: break;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < 4; i++)
		n += e->rank_size[i] != 0;
	return n;
}

/* ---- JSON ---- */

static void entry_to_json(const struct unifw_emi_entry *e, size_t index, struct unifw_jv *o)
{
	unifw_jv_set_str(o, "type", "emi_entry");
	char hex[2 * UNIFW_EMI_ID_SIZE + 1];
	unifw_jv_set_uint(o, "index", index);
	unifw_jv_set_hex(o, "type_id", e->type);
	unifw_jv_set_str(o, "storage", unifw_emi_kind_name(e->type));
	unifw_jv_set_str(o, "dram_type", unifw_emi_dram_type_name(e->type));
	unifw_hex(e->id, UNIFW_EMI_ID_SIZE, hex);
	unifw_jv_set_str(o, "id", hex);
	unifw_jv_set_uint(o, "id_length", e->id_length);
	if ((e->type >> 8) == 2) { /* CID: MID, CBX, OID, PNM[6] */
		unifw_jv_set_hex(o, "mid", e->id[0]);
		const char *mfr = unifw_emi_mid_name(e->id[0]);
		unifw_jv_set_str(o, "manufacturer", mfr ? mfr : "unknown");
		char pnm[7];
		for (int i = 0; i < 6; i++)
			pnm[i] = (e->id[3 + i] >= 0x20 && e->id[3 + i] < 0x7F) ? (char)e->id[3 + i] : '.';
		pnm[6] = 0;
		unifw_jv_set_str(o, "pnm", pnm);
	}
	unifw_jv_set_uint(o, "emi_freq_mhz", e->freq_mhz);
	unifw_jv_set_hex(o, "gend", e->gend);
	unifw_jv_set_uint(o, "rank_count", unifw_emi_rank_count(e));
	struct unifw_jv *ranks = unifw_jv_set_arr(o, "rank_sizes");
	uint64_t total = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (!e->rank_size[i])
			continue;
		unifw_jv_push(ranks, unifw_jv_uint(e->rank_size[i]));
		total += e->rank_size[i];
	}
	unifw_jv_set_uint(o, "dram_size", total);
	unifw_jv_set_hex(o, "dram_vendor", e->dram_vendor);
	const char *ven = unifw_emi_dram_vendor_name(e->dram_vendor);
	unifw_jv_set_str(o, "dram_vendor_name", ven ? ven : e->dram_vendor ? "unknown" : "not recorded");
}

void unifw_emi_table_to_json(const struct unifw_emi_table *t, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "version", t->version);
	unifw_jv_set_str(obj, "filename", t->filename);
	unifw_jv_set_str(obj, "project", t->project);
	unifw_jv_set_str(obj, "bin_version", t->bin_version);
	unifw_jv_set_hex(obj, "chksum_seed", t->chksum_seed);
	unifw_jv_set_hex(obj, "start_addr", t->start_addr);
	unifw_jv_set_uint(obj, "declared_count", t->declared_count);
	unifw_jv_set_uint(obj, "entry_count", t->count);
	unifw_jv_set_bool(obj, "count_mismatch", t->count_mismatch);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "entries");
	for (size_t i = 0; i < t->count; i++)
		entry_to_json(&t->entry[i], i, unifw_jv_push_obj(arr));
}

bool unifw_emi_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	(void)total_size;
	if (head_len < UNIFW_EMI_HEADER_SIZE || memcmp(head, UNIFW_EMI_TAG, TAG_LEN))
		return false;
	if (head[TAG_LEN] < '0' || head[TAG_LEN] > '9' || head[TAG_LEN + 1] < '0' || head[TAG_LEN + 1] > '9')
		return false;
	return memcmp(head + OFF_BIN_ID, "MTK_BIN", 8) == 0;
}

int unifw_emi_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf = malloc(DESCRIBE_MAX);
	struct unifw_emi_table *t = malloc(sizeof *t);
	int rc;
	if (!buf || !t) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
		goto out;
	}
	ssize_t n = unifw_stream_read(s, buf, DESCRIBE_MAX, err);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	rc = unifw_emi_parse(buf, (size_t)n, 0, s->name, t, err);
	if (rc && rc != UNIFW_E_UNSUPPORTED)
		goto out;
	unifw_jv_set_str(obj, "type", "emi_info");
	unifw_jv_set_uint(obj, "size", (uint64_t)n);
	unifw_emi_table_to_json(t, obj);
	uint64_t block = UNIFW_EMI_HEADER_SIZE + (uint64_t)t->count * UNIFW_EMI_ENTRY_SIZE;
	uint32_t trailer = 0;
	/* In a preloader the block is followed by its own length; the corpus blocks were cut without it. */
	unifw_jv_set_bool(obj, "has_trailer", get_le32(buf, (size_t)n, block, &trailer) && trailer == block);
	if (rc == UNIFW_E_UNSUPPORTED) {
		unifw_jv_set_str(obj, "note", err ? err->msg : "unsupported MTK_BLOADER_INFO version");
		rc = UNIFW_OK;
	}
out:
	free(buf);
	free(t);
	return rc;
}
