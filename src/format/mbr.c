/* MediaTek MBR/EBR tables. The packing is ptgen's (MediaTek's partition table generator, GenMBRFile in
 * ptgen.pl of the public MT65xx build trees), checked on every corpus/ptable file; see
 * docs/format-partition-tables.md. */
#include "unifw/mbr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define TABLE_OFFSET 0x1BEu
#define SIG_OFFSET 510u
#define TYPE_EXTENDED 0x05u
#define TYPE_EXTENDED_LBA 0x0Fu
/* start + count at or past this (0xF0000000 sectors, ~1.9 TiB) can only be ptgen's "rest of the disk". */
#define BARE_TO_END_THRESHOLD 0xF0000000u

static bool is_extended(uint8_t type)
{
	return type == TYPE_EXTENDED || type == TYPE_EXTENDED_LBA;
}

const char *unifw_mbr_type_name(uint8_t type)
{
	switch (type) {
	case 0x00: return "empty";
	case 0x05: return "extended";
	case 0x0F: return "extended_lba";
	case 0x0B: return "fat32";
	case 0x0C: return "fat32_lba";
	case 0x83: return "linux";
	default: return "other";
	}
}

const char *unifw_mbr_kind_name(enum unifw_mbr_kind kind)
{
	switch (kind) {
	case UNIFW_MBR_KIND_MBR: return "mbr";
	case UNIFW_MBR_KIND_EBR: return "ebr";
	default: return "unknown";
	}
}

/* ptgen leaves the boot code, the status byte and both CHS triplets zero, and empty slots entirely zero. */
static bool has_mtk_shape(const uint8_t *b)
{
	if (!unifw_all_bytes(b, TABLE_OFFSET, 0))
		return false;
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = b + TABLE_OFFSET + 16 * i;
		if (!unifw_all_bytes(e, 4, 0) || !unifw_all_bytes(e + 5, 3, 0))
			return false;
		if (e[4] == 0 && !unifw_all_bytes(e, 16, 0))
			return false;
	}
	return true;
}

int unifw_mbr_sector_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_mbr_sector *out,
			   struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	if (len < UNIFW_MBR_SECTOR_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "expected a 512-byte partition table sector, found %zu bytes", len);
	uint8_t s0, s1;
	if (!get_u8(buf, len, SIG_OFFSET, &s0) || !get_u8(buf, len, SIG_OFFSET + 1, &s1) || s0 != 0x55 || s1 != 0xAA)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, SIG_OFFSET,
				       "expected boot signature 55 AA, found %02X %02X", buf[SIG_OFFSET], buf[SIG_OFFSET + 1]);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t e = TABLE_OFFSET + 16u * i;
		struct unifw_mbr_slot *sl = &out->slot[i];
		if (!get_u8(buf, len, e + 4, &sl->type) || !get_le32(buf, len, e + 8, &sl->start) ||
		    !get_le32(buf, len, e + 12, &sl->count))
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, e, "partition entry %u cut short", i);
	}
	out->mtk_shape = has_mtk_shape(buf);
	return UNIFW_OK;
}

void unifw_mbr_sector_write(const struct unifw_mbr_sector *sec, uint8_t out[UNIFW_MBR_SECTOR_SIZE])
{
	memset(out, 0, UNIFW_MBR_SECTOR_SIZE);
	for (unsigned i = 0; i < 4; i++) {
		uint8_t *e = out + TABLE_OFFSET + 16 * i;
		e[4] = sec->slot[i].type;
		put_le32(e + 8, sec->slot[i].start);
		put_le32(e + 12, sec->slot[i].count);
	}
	out[SIG_OFFSET] = 0x55;
	out[SIG_OFFSET + 1] = 0xAA;
}

enum unifw_mbr_kind unifw_mbr_classify(const struct unifw_mbr_sector *sec)
{
	if (is_extended(sec->slot[0].type)) {
		for (unsigned i = 1; i < 4; i++)
			if (is_extended(sec->slot[i].type))
				return UNIFW_MBR_KIND_UNKNOWN;
		return UNIFW_MBR_KIND_MBR;
	}
	for (unsigned i = 0; i < 3; i++)
		if (is_extended(sec->slot[i].type))
			return UNIFW_MBR_KIND_UNKNOWN;
	if (sec->slot[3].type != 0 && !is_extended(sec->slot[3].type))
		return UNIFW_MBR_KIND_UNKNOWN;
	return UNIFW_MBR_KIND_EBR;
}

/* Types ptgen writes (0x83) plus the FAT types other MediaTek tools use for the FAT partition. */
static bool is_data_type(uint8_t type)
{
	return type == 0x83 || type == 0x0B || type == 0x0C;
}

bool unifw_mbr_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	(void)total_size;
	struct unifw_mbr_sector sec;
	if (unifw_mbr_sector_parse(head, head_len, NULL, &sec, NULL) || !sec.mtk_shape)
		return false;
	enum unifw_mbr_kind kind = unifw_mbr_classify(&sec);
	if (kind == UNIFW_MBR_KIND_UNKNOWN)
		return false;
	unsigned data = 0;
	for (unsigned i = 0; i < 4; i++) {
		const struct unifw_mbr_slot *sl = &sec.slot[i];
		if (sl->type == 0)
			continue;
		if (is_extended(sl->type)) {
			/* The extended entry (MBR slot 0) and the link (EBR slot 3) always carry count 0xFFFFFFFF. */
			if (sl->type != TYPE_EXTENDED || sl->count != UNIFW_MBR_COUNT_TO_END || sl->start == 0)
				return false;
			continue;
		}
		if (!is_data_type(sl->type))
			return false;
		data++;
	}
	return data > 0;
}

/* ---- chain walking ---- */

struct chain_walk {
	unifw_mbr_read_fn read;
	void *ctx;
	const char *name;
	struct unifw_mbr_table *t;
	struct unifw_error *err;
};

static uint64_t slot_offset(uint64_t lba, unsigned slot)
{
	return lba * UNIFW_MBR_SECTOR_SIZE + TABLE_OFFSET + 16u * slot;
}

static const char *where_or(const char *name)
{
	return name ? name : "MBR/EBR chain";
}

/* ptgen: count = 0xFFFFFFFF - (start - EBR1 start) with EBRs, plain 0xFFFFFFFF without. */
static bool count_is_to_end(uint64_t abs_lba, uint32_t count, const struct unifw_mbr_table *t)
{
	if (count == UNIFW_MBR_COUNT_TO_END)
		return true;
	if (t->ebr_count == 0 || abs_lba < t->ebr_lba[0])
		return false;
	uint64_t rel = abs_lba - t->ebr_lba[0];
	return rel <= UNIFW_MBR_COUNT_TO_END && count == UNIFW_MBR_COUNT_TO_END - rel;
}

static int add_part(struct chain_walk *w, unsigned table, unsigned slot, uint64_t table_lba,
		    const struct unifw_mbr_slot *sl)
{
	struct unifw_mbr_table *t = w->t;
	if (t->count >= UNIFW_MBR_MAX_PARTS)
		return unifw_error_set(w->err, UNIFW_E_TOO_BIG, where_or(w->name), slot_offset(table_lba, slot),
				       "more than %u partitions in the chain", UNIFW_MBR_MAX_PARTS);
	struct unifw_mbr_part *p = &t->part[t->count];
	memset(p, 0, sizeof *p);
	p->table = table;
	p->slot = slot;
	p->kernel_index = table == 0 ? slot + 1 : 5 + 3 * (table - 1) + slot;
	p->type = sl->type;
	p->start_lba = table_lba + sl->start;
	p->count = sl->count;
	p->to_end = count_is_to_end(p->start_lba, sl->count, t);
	uint64_t disk = t->disk_sectors;
	char label[16];
	snprintf(label, sizeof label, table ? "EBR%u" : "MBR", table);
	if (disk && p->start_lba > disk)
		return unifw_error_set(w->err, UNIFW_E_FORMAT, where_or(w->name), slot_offset(table_lba, slot),
				       "%s slot %u: expected a start inside the disk (%llu sectors), found LBA %llu",
				       label, slot, (unsigned long long)disk, (unsigned long long)p->start_lba);
	if (p->to_end) {
		p->sectors = disk ? disk - p->start_lba : 0;
	} else {
		p->sectors = sl->count;
		if (disk && p->start_lba + sl->count > disk)
			return unifw_error_set(w->err, UNIFW_E_FORMAT, where_or(w->name), slot_offset(table_lba, slot),
					       "%s slot %u: expected an end inside the disk (%llu sectors), found LBA %llu + %u",
					       label, slot, (unsigned long long)disk, (unsigned long long)p->start_lba, sl->count);
	}
	t->count++;
	return UNIFW_OK;
}

static int read_table(struct chain_walk *w, uint64_t lba, const char *label, struct unifw_mbr_sector *sec)
{
	uint8_t buf[UNIFW_MBR_SECTOR_SIZE];
	int rc = w->read(w->ctx, lba, buf, w->err);
	if (rc)
		return rc;
	rc = unifw_mbr_sector_parse(buf, sizeof buf, where_or(w->name), sec, w->err);
	if (rc && w->err) {
		w->err->offset = lba * UNIFW_MBR_SECTOR_SIZE + SIG_OFFSET;
		unifw_error_prefix(w->err, "%s at LBA %llu: ", label, (unsigned long long)lba);
	}
	return rc;
}

static int walk_mbr(struct chain_walk *w, const struct unifw_mbr_sector *mbr, uint64_t *ebr1)
{
	*ebr1 = 0;
	int ext = -1;
	for (unsigned i = 0; i < 4; i++) {
		if (!is_extended(mbr->slot[i].type))
			continue;
		if (ext >= 0)
			return unifw_error_set(w->err, UNIFW_E_FORMAT, where_or(w->name), slot_offset(0, i),
					       "MBR slot %u: expected one extended entry, found a second one", i);
		ext = (int)i;
	}
	if (ext >= 0) {
		*ebr1 = mbr->slot[ext].start;
		if (*ebr1 == 0)
			return unifw_error_set(w->err, UNIFW_E_FORMAT, where_or(w->name), slot_offset(0, (unsigned)ext),
					       "MBR slot %d: the extended entry points at the MBR itself (loop)", ext);
		w->t->ebr_lba[0] = *ebr1; /* needed before the MBR slots: their to_end form is EBR1-relative */
		w->t->ebr_count = 1;
	}
	for (unsigned i = 0; i < 4; i++) {
		if ((int)i == ext || mbr->slot[i].type == 0)
			continue;
		int rc = add_part(w, 0, i, 0, &mbr->slot[i]);
		if (rc)
			return rc;
	}
	return UNIFW_OK;
}

static bool already_visited(const struct unifw_mbr_table *t, size_t upto, uint64_t lba)
{
	for (size_t i = 0; i < upto; i++)
		if (t->ebr_lba[i] == lba)
			return true;
	return false;
}

/* Parse EBRk at `lba`; *next = absolute LBA of the next EBR or 0. */
static int walk_ebr(struct chain_walk *w, unsigned k, uint64_t lba, uint64_t *next)
{
	char label[16];
	snprintf(label, sizeof label, "EBR%u", k);
	struct unifw_mbr_sector sec;
	int rc = read_table(w, lba, label, &sec);
	if (rc)
		return rc;
	*next = 0;
	for (unsigned i = 0; i < 3; i++) {
		if (sec.slot[i].type == 0)
			continue;
		if (is_extended(sec.slot[i].type))
			return unifw_error_set(w->err, UNIFW_E_FORMAT, where_or(w->name), slot_offset(lba, i),
					       "%s slot %u: expected a data entry, found an extended entry (links live in slot 3)",
					       label, i);
		if ((rc = add_part(w, k, i, lba, &sec.slot[i])))
			return rc;
	}
	const struct unifw_mbr_slot *link = &sec.slot[3];
	if (link->type == 0)
		return UNIFW_OK;
	if (!is_extended(link->type))
		return unifw_error_set(w->err, UNIFW_E_FORMAT, where_or(w->name), slot_offset(lba, 3),
				       "%s slot 3: expected empty or a type 05 link, found type 0x%02X", label, link->type);
	/* The link is relative to EBR1, not to this EBR (ptgen: ebr_start[k+1] - ebr_start[1]). */
	*next = w->t->ebr_lba[0] + link->start;
	return UNIFW_OK;
}

int unifw_mbr_table_read(unifw_mbr_read_fn read, void *ctx, uint64_t disk_sectors, const char *name,
			 struct unifw_mbr_table *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	out->disk_sectors = disk_sectors;
	struct chain_walk w = {read, ctx, name, out, err};
	struct unifw_mbr_sector mbr;
	int rc = read_table(&w, 0, "MBR", &mbr);
	if (rc)
		return rc;
	uint64_t lba;
	if ((rc = walk_mbr(&w, &mbr, &lba)))
		return rc;
	out->ebr_count = 0;
	uint64_t from = TABLE_OFFSET; /* slot offset of the entry that pointed here, for errors */
	for (unsigned k = 1; lba; k++) {
		if (k > UNIFW_MBR_MAX_EBRS)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, where_or(name), from,
					       "expected at most %u EBRs, the chain goes on", UNIFW_MBR_MAX_EBRS);
		if (already_visited(out, out->ebr_count, lba))
			return unifw_error_set(err, UNIFW_E_FORMAT, where_or(name), from,
					       "EBR chain loops: EBR%u would be LBA %llu again", k, (unsigned long long)lba);
		if (disk_sectors && lba >= disk_sectors)
			return unifw_error_set(err, UNIFW_E_FORMAT, where_or(name), from,
					       "expected EBR%u inside the disk (%llu sectors), found LBA %llu", k,
					       (unsigned long long)disk_sectors, (unsigned long long)lba);
		out->ebr_lba[out->ebr_count++] = lba;
		uint64_t next;
		if ((rc = walk_ebr(&w, k, lba, &next)))
			return rc;
		from = slot_offset(lba, 3);
		lba = next;
	}
	return UNIFW_OK;
}

/* ---- chain from separate sector files ---- */

struct sector_list {
	const uint8_t *const *sectors;
	const size_t *lens;
	size_t n;
	size_t next_ebr; /* index of the next EBR sector to hand out */
};

static int list_read(void *ctx, uint64_t lba, uint8_t sector[UNIFW_MBR_SECTOR_SIZE], struct unifw_error *err)
{
	struct sector_list *l = ctx;
	size_t idx = lba == 0 ? 0 : l->next_ebr;
	if (idx >= l->n)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "MBR/EBR chain", lba * UNIFW_MBR_SECTOR_SIZE,
				       "the chain continues to EBR%zu at LBA %llu but only %zu EBR sector(s) were given",
				       idx, (unsigned long long)lba, l->n - 1);
	if (l->lens[idx] < UNIFW_MBR_SECTOR_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, idx ? "EBR" : "MBR", l->lens[idx],
				       "expected a 512-byte sector, found %zu bytes", l->lens[idx]);
	memcpy(sector, l->sectors[idx], UNIFW_MBR_SECTOR_SIZE);
	if (lba != 0)
		l->next_ebr++;
	return UNIFW_OK;
}

int unifw_mbr_table_from_sectors(const uint8_t *const sectors[], const size_t lens[], size_t n,
				 uint64_t disk_sectors, struct unifw_mbr_table *out, struct unifw_error *err)
{
	if (n == 0)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "no MBR sector given");
	struct sector_list l = {sectors, lens, n, 1};
	int rc = unifw_mbr_table_read(list_read, &l, disk_sectors, NULL, out, err);
	if (rc)
		return rc;
	if (out->ebr_count + 1 != n)
		return unifw_error_set(err, UNIFW_E_INVALID, "MBR/EBR chain", UNIFW_NO_OFFSET,
				       "%zu EBR sector(s) given but the chain uses %zu", n - 1, out->ebr_count);
	return UNIFW_OK;
}

/* ---- builder ---- */

static int check_lba(const char *what, uint64_t bytes, uint64_t *lba, struct unifw_error *err)
{
	*lba = 0;
	if (bytes % UNIFW_MBR_SECTOR_SIZE)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "%s: expected a multiple of 512 bytes, found 0x%llx", what, (unsigned long long)bytes);
	*lba = bytes / UNIFW_MBR_SECTOR_SIZE;
	return UNIFW_OK;
}

static int relative32(const char *what, uint64_t lba, uint64_t base, uint32_t *out, struct unifw_error *err)
{
	*out = 0;
	if (lba < base || lba - base > UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "%s: LBA %llu cannot be stored relative to LBA %llu in 32 bits", what,
				       (unsigned long long)lba, (unsigned long long)base);
	*out = (uint32_t)(lba - base);
	return UNIFW_OK;
}

/* Fill one data slot of table `tbl` (0 = MBR) at base LBA `base`. */
static int build_data_slot(const struct unifw_mbr_layout *L, size_t i, uint64_t base, uint64_t ebr1,
			   struct unifw_mbr_slot *sl, struct unifw_error *err)
{
	const struct unifw_mbr_layout_part *p = &L->parts[i];
	char what[48];
	snprintf(what, sizeof what, "partition %zu offset", i);
	uint64_t start = 0, count = 0;
	int rc = check_lba(what, p->offset, &start, err);
	if (rc || (rc = relative32(what, start, base, &sl->start, err)))
		return rc;
	sl->type = p->type ? p->type : 0x83;
	if (L->last_to_end && i + 1 == L->count) {
		uint32_t rel = 0;
		if ((rc = relative32(what, start, ebr1, &rel, err)))
			return rc;
		sl->count = UNIFW_MBR_COUNT_TO_END - rel;
		return UNIFW_OK;
	}
	snprintf(what, sizeof what, "partition %zu size", i);
	if ((rc = check_lba(what, p->size, &count, err)))
		return rc;
	if (count > UINT32_MAX)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "%s: %llu sectors do not fit in 32 bits", what, (unsigned long long)count);
	sl->count = (uint32_t)count;
	return UNIFW_OK;
}

int unifw_mbr_build(const struct unifw_mbr_layout *L, uint8_t *out, size_t out_len, struct unifw_error *err)
{
	if (L->ebr_count < 1 || L->ebr_count > UNIFW_MBR_MAX_EBRS)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "expected 1 to %u EBRs (ptgen always has EBR1), found %zu", UNIFW_MBR_MAX_EBRS,
				       L->ebr_count);
	if (L->count > 3 + 3 * L->ebr_count)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "%zu partitions do not fit in an MBR and %zu EBR(s) (at most %zu)", L->count,
				       L->ebr_count, 3 + 3 * L->ebr_count);
	size_t need = (1 + L->ebr_count) * UNIFW_MBR_SECTOR_SIZE;
	if (out_len < need)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "output buffer of %zu bytes, %zu needed", out_len, need);
	uint64_t ebr[UNIFW_MBR_MAX_EBRS];
	int rc;
	for (size_t k = 0; k < L->ebr_count; k++) {
		char what[32];
		snprintf(what, sizeof what, "EBR%zu offset", k + 1);
		if ((rc = check_lba(what, L->ebr_offsets[k], &ebr[k], err)))
			return rc;
		if (ebr[k] == 0 || (k > 0 && ebr[k] <= ebr[0]))
			return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
					       "%s: expected after the MBR and after EBR1, found LBA %llu", what,
					       (unsigned long long)ebr[k]);
	}
	struct unifw_mbr_sector sec[1 + UNIFW_MBR_MAX_EBRS];
	memset(sec, 0, sizeof sec);
	sec[0].slot[0] = (struct unifw_mbr_slot){TYPE_EXTENDED, 0, UNIFW_MBR_COUNT_TO_END};
	if ((rc = relative32("EBR1 offset", ebr[0], 0, &sec[0].slot[0].start, err)))
		return rc;
	for (size_t i = 0; i < L->count; i++) {
		size_t tbl = i < 3 ? 0 : 1 + (i - 3) / 3;
		unsigned slot = (unsigned)(i < 3 ? i + 1 : (i - 3) % 3);
		uint64_t base = tbl ? ebr[tbl - 1] : 0;
		if ((rc = build_data_slot(L, i, base, ebr[0], &sec[tbl].slot[slot], err)))
			return rc;
		/* A full EBR links to the next one (relative to EBR1) only when more partitions follow. */
		if (tbl && slot == 2 && i + 1 < L->count) {
			sec[tbl].slot[3].type = TYPE_EXTENDED;
			sec[tbl].slot[3].count = UNIFW_MBR_COUNT_TO_END;
			if ((rc = relative32("EBR link", ebr[tbl], ebr[0], &sec[tbl].slot[3].start, err)))
				return rc;
		}
	}
	for (size_t k = 0; k <= L->ebr_count; k++)
		unifw_mbr_sector_write(&sec[k], out + k * UNIFW_MBR_SECTOR_SIZE);
	return UNIFW_OK;
}

/* ---- describe ---- */

static int stream_read_sector(void *ctx, uint64_t lba, uint8_t sector[UNIFW_MBR_SECTOR_SIZE], struct unifw_error *err)
{
	struct unifw_stream *s = ctx;
	uint64_t off = lba * UNIFW_MBR_SECTOR_SIZE;
	if (s->size != UNIFW_SIZE_UNKNOWN && (off > s->size || s->size - off < UNIFW_MBR_SECTOR_SIZE))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, s->name, off,
				       "expected a table sector at LBA %llu, the image ends at 0x%llx",
				       (unsigned long long)lba, (unsigned long long)s->size);
	return s->pread(s->ctx, sector, UNIFW_MBR_SECTOR_SIZE, off, err);
}

static void describe_slots(const struct unifw_mbr_sector *sec, enum unifw_mbr_kind kind, struct unifw_jv *obj)
{
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "slots");
	for (unsigned i = 0; i < 4; i++) {
		const struct unifw_mbr_slot *sl = &sec->slot[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "mbr_slot");
		unifw_jv_set_uint(o, "slot", i);
		unifw_jv_set_hex(o, "type_id", sl->type);
		unifw_jv_set_str(o, "type_name", unifw_mbr_type_name(sl->type));
		unifw_jv_set_uint(o, "start", sl->start);
		unifw_jv_set_uint(o, "count", sl->count);
		const char *rel = "mbr";
		if (kind == UNIFW_MBR_KIND_EBR)
			rel = i == 3 ? "ebr1" : "this_ebr";
		unifw_jv_set_str(o, "relative_to", rel);
		/* Without the chain the exact form cannot be checked (it depends on EBR1's LBA), but it always
		 * reaches near 2^32 sectors (2 TiB), far beyond any eMMC of the era. */
		bool to_end = sl->type && !is_extended(sl->type) &&
			      (uint64_t)sl->start + sl->count >= BARE_TO_END_THRESHOLD;
		unifw_jv_set_bool(o, "to_end", to_end);
	}
}

static void describe_table(const struct unifw_mbr_table *t, struct unifw_jv *obj)
{
	struct unifw_jv *ebrs = unifw_jv_set_arr(obj, "ebr_lbas");
	for (size_t k = 0; k < t->ebr_count; k++)
		unifw_jv_push(ebrs, unifw_jv_uint(t->ebr_lba[k]));
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "partitions");
	for (size_t i = 0; i < t->count; i++) {
		const struct unifw_mbr_part *p = &t->part[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "mbr_partition");
		unifw_jv_set_uint(o, "kernel_index", p->kernel_index);
		unifw_jv_set_strf(o, "table", p->table ? "ebr%u" : "mbr", p->table);
		unifw_jv_set_uint(o, "slot", p->slot);
		unifw_jv_set_hex(o, "type_id", p->type);
		unifw_jv_set_uint(o, "start_lba", p->start_lba);
		unifw_jv_set_uint(o, "count", p->count);
		unifw_jv_set_bool(o, "to_end", p->to_end);
		unifw_jv_set_hex(o, "offset", p->start_lba * UNIFW_MBR_SECTOR_SIZE);
		if (!p->to_end || p->sectors)
			unifw_jv_set_uint(o, "size", p->sectors * UNIFW_MBR_SECTOR_SIZE);
	}
}

int unifw_mbr_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t buf[UNIFW_MBR_SECTOR_SIZE];
	int rc = unifw_stream_read_exact(s, buf, sizeof buf, "partition table sector", err);
	if (rc)
		return rc;
	struct unifw_mbr_sector sec;
	if ((rc = unifw_mbr_sector_parse(buf, sizeof buf, s->name, &sec, err)))
		return rc;
	enum unifw_mbr_kind kind = unifw_mbr_classify(&sec);
	if (kind == UNIFW_MBR_KIND_UNKNOWN)
		return unifw_error_set(err, UNIFW_E_FORMAT, s->name, TABLE_OFFSET,
				       "expected an MBR (extended entry in slot 0) or an EBR (link in slot 3), found "
				       "extended entries elsewhere");
	unifw_jv_set_str(obj, "type", unifw_mbr_kind_name(kind));
	if (s->size != UNIFW_SIZE_UNKNOWN)
		unifw_jv_set_uint(obj, "image_size", s->size);
	unifw_jv_set_bool(obj, "mediatek_shape", sec.mtk_shape);
	describe_slots(&sec, kind, obj);
	if (kind != UNIFW_MBR_KIND_MBR)
		return UNIFW_OK;
	unifw_jv_set_uint(obj, "ebr1_lba", is_extended(sec.slot[0].type) ? sec.slot[0].start : 0);
	/* An MBR inside a larger image (a user-area dump) is followed through its EBRs; the image size is not
	 * taken as the disk size, since a partial dump is still worth describing. */
	struct unifw_mbr_table t;
	struct unifw_error cerr;
	unifw_error_clear(&cerr);
	uint64_t ebr1_end = ((uint64_t)sec.slot[0].start + 1) * UNIFW_MBR_SECTOR_SIZE;
	if (s->pread && s->size != UNIFW_SIZE_UNKNOWN && s->size >= ebr1_end) {
		if (unifw_mbr_table_read(stream_read_sector, s, 0, s->name, &t, &cerr) == 0) {
			unifw_jv_set_bool(obj, "chain_followed", true);
			describe_table(&t, obj);
			return UNIFW_OK;
		}
		char msg[1024];
		unifw_jv_set_str(obj, "chain_error", unifw_error_format(&cerr, msg, sizeof msg));
	}
	/* MBR alone: its own data slots are absolute already (MBR at LBA 0); EBR1's LBA is known from slot 0. */
	memset(&t, 0, sizeof t);
	struct chain_walk w = {NULL, NULL, s->name, &t, &cerr};
	uint64_t ebr1;
	if (walk_mbr(&w, &sec, &ebr1) == 0) {
		unifw_jv_set_bool(obj, "chain_followed", false);
		describe_table(&t, obj);
	}
	return UNIFW_OK;
}
