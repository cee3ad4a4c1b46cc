/* Identify a connected phone (include/unifw/identify.h): the eMMC CID decoded, the partition tables
 * read from the phone (PMT from the DA, MBR/EBR walked in the user area) merged into one layout and
 * confirmed by the signatures at each partition's start, all as JSON (docs/identify.md). */
#include "ops/identify_probe.h"
#include "unifw/identify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/detect.h"
#include "unifw/emi.h"
#include "unifw/hash.h"
#include "unifw/mbr.h"
#include "unifw/pmt.h"
#include "util/bytes.h"

/* --- CID --------------------------------------------------------------------------------------- */

uint8_t unifw_cid_crc7(const uint8_t *bytes, size_t n)
{
	uint8_t crc = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = bytes[i];
		for (int bit = 7; bit >= 0; bit--) {
			uint8_t in = (uint8_t)(((b >> bit) & 1) ^ ((crc >> 6) & 1));
			crc = (uint8_t)((crc << 1) & 0x7F);
			if (in)
				crc ^= 0x09;
		}
	}
	return crc;
}

void unifw_cid_decode(const uint8_t cid[16], struct unifw_cid *out)
{
	memset(out, 0, sizeof *out);
	out->mid = cid[0];
	out->manufacturer = unifw_emi_mid_name(cid[0]);
	out->cbx = cid[1] & 3;
	out->oid = cid[2];
	for (size_t i = 0; i < 6; i++) {
		uint8_t c = cid[3 + i];
		out->product[i] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
	}
	out->product[6] = 0;
	for (int i = 5; i >= 0 && (out->product[i] == ' '); i--)
		out->product[i] = 0;
	out->prv_major = cid[9] >> 4;
	out->prv_minor = cid[9] & 0xF;
	out->serial = (uint32_t)cid[10] << 24 | (uint32_t)cid[11] << 16 | (uint32_t)cid[12] << 8 | cid[13];
	out->month = cid[14] >> 4;
	out->year = 1997u + (cid[14] & 0xF);
	if (out->year < 2010)
		out->year += 16;
	out->crc = cid[15] >> 1;
	out->crc_ok = (cid[15] & 1) && unifw_cid_crc7(cid, 15) == out->crc;
}

void unifw_cid_to_json(const uint8_t cid[16], struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "cid");
	struct unifw_cid c;
	char hex[33], buf[32];
	unifw_cid_decode(cid, &c);
	unifw_hex(cid, 16, hex);
	unifw_jv_set_str(obj, "raw", hex);
	unifw_jv_set_hex(obj, "manufacturer_id", c.mid);
	unifw_jv_set_str(obj, "manufacturer", c.manufacturer ? c.manufacturer : "unknown");
	unifw_jv_set_uint(obj, "cbx", c.cbx);
	unifw_jv_set_hex(obj, "oem_id", c.oid);
	unifw_jv_set_str(obj, "product", c.product);
	snprintf(buf, sizeof buf, "%u.%u", c.prv_major, c.prv_minor);
	unifw_jv_set_str(obj, "revision", buf);
	unifw_jv_set_hex(obj, "serial", c.serial);
	if (c.month >= 1 && c.month <= 12)
		snprintf(buf, sizeof buf, "%04u-%02u", c.year, c.month);
	else
		snprintf(buf, sizeof buf, "%04u-??", c.year);
	unifw_jv_set_str(obj, "manufactured", buf);
	unifw_jv_set_bool(obj, "crc_ok", c.crc_ok);
}

/* --- partition layout from the phone's own tables ------------------------------------------------ */

#define SIG_HEAD (64u * 1024u) /* what detection looks at (ext4 superblock at 1 KiB, NVRAM deeper) */
#define BMT_BLOCK 0x20000u      /* 0xFFFFxxxx addresses count 128 KiB blocks from the end */

static bool name_eq(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

/* PMT offsets for eMMC are not documented (docs/format-partition-tables.md): decide between linear
 * addresses and user-area offsets by the partitions both tables list, else by where MBR sits. */
static bool pmt_is_linear(const struct unifw_pmt *pmt, const struct unifw_mbr_table *mbr, uint64_t boot_region)
{
	int linear = 0, user = 0;
	for (size_t i = 0; mbr && i < mbr->count; i++) {
		uint64_t off = mbr->part[i].start_lba * 512;
		for (size_t k = 0; k < UNIFW_PMT_MAX_ENTRIES; k++) {
			if (!pmt->entry[k].name[0])
				continue;
			linear += pmt->entry[k].offset == off + boot_region;
			user += pmt->entry[k].offset == off && boot_region != 0;
		}
	}
	if (linear != user)
		return linear > user;
	for (size_t k = 0; k < UNIFW_PMT_MAX_ENTRIES; k++)
		if (name_eq(pmt->entry[k].name, "MBR"))
			return pmt->entry[k].offset != 0;
	return true; /* what MediaTek's tools write into scatters, and what the virtual phone stores */
}

static void add_part(struct unifw_phone_layout *l, const char *name, uint64_t off, uint64_t size)
{
	if (l->count >= UNIFW_PHONE_MAX_PARTS)
		return;
	struct unifw_phone_part_entry *p = &l->part[l->count++];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->offset = off;
	p->size = size;
}

static int cmp_part(const void *a, const void *b)
{
	const struct unifw_phone_part_entry *x = a, *y = b;
	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	return 0;
}

static void note(struct unifw_phone_layout *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct unifw_phone_layout *l, const char *fmt, ...)
{
	size_t have = strlen(l->note);
	if (have + 4 >= sizeof l->note)
		return;
	if (have)
		have += (size_t)snprintf(l->note + have, sizeof l->note - have, "; ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->note + have, sizeof l->note - have, fmt, ap);
	va_end(ap);
}

/* The PMT entry's user-area offset; false when it does not lie in the user area. */
static bool pmt_user_offset(const struct unifw_pmt_entry *e, bool linear, uint64_t boot_region, uint64_t user_size,
			    uint64_t *off)
{
	uint64_t o = e->offset;
	if (o >= 0xFFFF0000u && o <= 0xFFFFFFFFu && o - 0xFFFF0000u <= user_size / BMT_BLOCK &&
	    user_size < 0xFFFF0000u) {
		/* 0xFFFFxxxx: xxxx blocks of 128 KiB counted from the end (BMTPOOL as ptgen writes it) */
		*off = user_size - (o & 0xFFFF) * (uint64_t)BMT_BLOCK;
		return true;
	}
	if (linear) {
		if (o < boot_region)
			return false;
		o -= boot_region;
	}
	*off = o;
	return o < user_size;
}

static void infer_bmtpool(struct unifw_phone_layout *l)
{
	uint64_t end = 0, bmt = (uint64_t)UNIFW_PHONE_BMTPOOL_BLOCKS * UNIFW_PHONE_BMT_BLOCK;
	for (size_t k = 0; k < l->count; k++) {
		if (!strcasecmp(l->part[k].name, "BMTPOOL"))
			return;
		if (l->part[k].offset + l->part[k].size > end)
			end = l->part[k].offset + l->part[k].size;
	}
	if (l->count == 0 || l->user_size < bmt || end > l->user_size - bmt || l->count >= UNIFW_PHONE_MAX_PARTS)
		return;
	add_part(l, "BMTPOOL", l->user_size - bmt, bmt);
	l->part[l->count - 1].inferred = true;
	l->part[l->count - 1].from_end = true;
}

int unifw_phone_layout_merge(const struct unifw_pmt *pmt, const struct unifw_mbr_table *mbr, uint64_t boot_region,
			     uint64_t user_size, struct unifw_phone_layout *l, struct unifw_error *err)
{
	memset(l, 0, sizeof *l);
	l->boot_region = boot_region;
	l->user_size = user_size;
	l->have_pmt = pmt && pmt->count > 0;
	l->have_mbr = mbr && mbr->count > 0;
	l->ebr_count = mbr ? (unsigned)mbr->ebr_count : 0;
	if (!l->have_pmt && !l->have_mbr)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "partition table", UNIFW_NO_OFFSET,
				       "the phone has neither a PMT nor an MBR (a blank or wiped eMMC)");
	if (l->have_pmt) {
		l->pmt_linear = pmt_is_linear(pmt, mbr, boot_region);
		for (size_t k = 0; k < UNIFW_PMT_MAX_ENTRIES; k++) {
			const struct unifw_pmt_entry *e = &pmt->entry[k];
			uint64_t off;
			if (!e->name[0])
				continue;
			if (name_eq(e->name, "PRELOADER") || !pmt_user_offset(e, l->pmt_linear, boot_region, user_size, &off)) {
				if (!name_eq(e->name, "PRELOADER"))
					note(l, "PMT entry %s at 0x%llx lies outside the user area", e->name,
					     (unsigned long long)e->offset);
				continue;
			}
			uint64_t size = e->size;
			if (size > user_size - off) {
				note(l, "PMT entry %s (0x%llx bytes) runs past the end of the user area: cut", e->name,
				     (unsigned long long)size);
				size = user_size - off;
			}
			add_part(l, e->name, off, size);
			l->part[l->count - 1].in_pmt = true;
			l->part[l->count - 1].from_end = e->offset >= 0xFFFF0000u && e->offset <= 0xFFFFFFFFu &&
							 user_size < 0xFFFF0000u;
			l->part[l->count - 1].pmt_mask_flags = e->mask_flags;
		}
	}
	for (size_t i = 0; l->have_mbr && i < mbr->count; i++) {
		const struct unifw_mbr_part *m = &mbr->part[i];
		uint64_t off = m->start_lba * 512, size = m->sectors * 512;
		struct unifw_phone_part_entry *hit = NULL;
		if (m->sectors == 0 && !m->to_end)
			continue; /* zero-size slots (Orange Pi) */
		for (size_t k = 0; k < l->count; k++)
			if (l->part[k].offset == off && l->part[k].in_pmt && !l->part[k].in_mbr)
				hit = &l->part[k];
		if (hit) {
			hit->in_mbr = true;
			hit->kernel_index = m->kernel_index;
			/* the last one "extends to the end of the disk": the PMT's size is the real one */
			if (!m->to_end && size != hit->size)
				note(l, "%s: MBR/EBR says 0x%llx bytes, PMT 0x%llx", hit->name, (unsigned long long)size,
				     (unsigned long long)hit->size);
			continue;
		}
		if (l->have_pmt)
			note(l, "mmcblk0p%u at 0x%llx is in the MBR/EBR but not in the PMT", m->kernel_index,
			     (unsigned long long)off);
		char name[32];
		snprintf(name, sizeof name, "mmcblk0p%u", m->kernel_index);
		if (off >= user_size)
			continue;
		if (size == 0 || size > user_size - off)
			size = user_size - off;
		add_part(l, name, off, size);
		l->part[l->count - 1].in_mbr = true;
		l->part[l->count - 1].kernel_index = m->kernel_index;
	}
	if (l->have_mbr && !l->have_pmt) {
		/* Without a PMT the raw partitions are unnamed; the tables themselves are known. */
		add_part(l, "MBR", 0, mbr->ebr_count ? mbr->ebr_lba[0] * 512 : 512);
		for (size_t k = 0; k < mbr->ebr_count; k++) {
			char name[32];
			snprintf(name, sizeof name, "EBR%u", (unsigned)(k + 1));
			add_part(l, name, mbr->ebr_lba[k] * 512, 512);
		}
	}
	qsort(l->part, l->count, sizeof l->part[0], cmp_part);
	infer_bmtpool(l);
	/* Overlaps are reported, not fixed: the phone's table is what it is. */
	for (size_t k = 1; k < l->count; k++)
		if (l->part[k - 1].size && l->part[k].size && l->part[k - 1].offset + l->part[k - 1].size > l->part[k].offset)
			note(l, "%s overlaps %s", l->part[k - 1].name, l->part[k].name);
	/* PRELOADER lives in boot1; it is listed first, as in a scatter file. */
	if (l->count < UNIFW_PHONE_MAX_PARTS) {
		memmove(&l->part[1], &l->part[0], l->count * sizeof l->part[0]);
		l->count++;
		memset(&l->part[0], 0, sizeof l->part[0]);
		snprintf(l->part[0].name, sizeof l->part[0].name, "PRELOADER");
		l->part[0].offset = UINT64_MAX;
		l->part[0].size = boot_region;
		for (size_t k = 0; pmt && k < UNIFW_PMT_MAX_ENTRIES; k++)
			if (name_eq(pmt->entry[k].name, "PRELOADER"))
				l->part[0].in_pmt = true;
	}
	return 0;
}

/* --- reading the tables through the phone --------------------------------------------------------- */

struct membuf {
	uint8_t *buf;
	size_t len;
	uint64_t base;
};

static int mem_sink(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct membuf *m = ctx;
	if (off < m->base || off - m->base > m->len || len > m->len - (off - m->base))
		return unifw_error_set(err, UNIFW_E_DEVICE, "READ", off, "data outside the requested range");
	memcpy(m->buf + (off - m->base), data, len);
	return 0;
}

static int read_user(struct unifw_phone *ph, uint64_t off, uint8_t *buf, size_t len, struct unifw_error *err)
{
	struct membuf m = {buf, len, off};
	return unifw_phone_read(ph, UNIFW_PHONE_USER, off, len, mem_sink, &m, err);
}

static int mbr_read_sector(void *ctx, uint64_t lba, uint8_t sector[UNIFW_MBR_SECTOR_SIZE], struct unifw_error *err)
{
	struct unifw_phone *ph = ctx;
	return read_user(ph, lba * 512, sector, 512, err);
}

/* What the first bytes of a partition are ("ext4", "lk", "bootimg", "empty", ...). */
static void classify(const uint8_t *head, size_t n, uint64_t size, char *out, size_t cap)
{
	if (unifw_all_bytes(head, n, 0))
		snprintf(out, cap, "empty");
	else if (unifw_all_bytes(head, n, 0xFF))
		snprintf(out, cap, "erased");
	else
		snprintf(out, cap, "%s", unifw_detect(head, n, size));
}

int unifw_phone_layout_read(struct unifw_phone *ph, struct unifw_phone_layout *out, struct unifw_error *err)
{
	const struct unifw_phone_info *info = unifw_phone_info(ph);
	struct unifw_pmt *pmt = calloc(1, sizeof *pmt);
	struct unifw_mbr_table *mbr = calloc(1, sizeof *mbr);
	uint8_t *raw = NULL, *head = malloc(SIG_HEAD);
	size_t raw_len = 0;
	int rc = 0;
	if (!pmt || !mbr || !head) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "partition table", UNIFW_NO_OFFSET, "out of memory");
		goto out;
	}
	struct unifw_error e;
	unifw_error_clear(&e);
	rc = unifw_phone_read_pmt(ph, &raw, &raw_len, &e);
	if (rc == 0) {
		/* the DA hands over the entries (docs/sim.md); a whole region starts with "PTv1" */
		if (raw_len >= UNIFW_PMT_REGION_SIZE && !memcmp(raw, "\x31\x76\x54\x50", 4))
			rc = unifw_pmt_parse(raw, raw_len, "PMT (from the DA)", pmt, err);
		else
			rc = unifw_pmt_parse_entries(raw, raw_len, "PMT (from the DA)", pmt, err);
		if (rc < 0)
			goto out;
	} else if (rc != UNIFW_E_NOT_FOUND) {
		*err = e;
		goto out;
	}
	uint8_t sec[512];
	if ((rc = read_user(ph, 0, sec, sizeof sec, err)) < 0)
		goto out;
	if (sec[510] == 0x55 && sec[511] == 0xAA) {
		rc = unifw_mbr_table_read(mbr_read_sector, ph, info->user_size / 512, "user area", mbr, err);
		if (rc < 0)
			goto out;
	}
	if ((rc = unifw_phone_layout_merge(pmt, mbr, unifw_phone_boot_region(ph), info->user_size, out, err)) < 0)
		goto out;
	for (size_t k = 0; k < out->count; k++) {
		struct unifw_phone_part_entry *p = &out->part[k];
		size_t n = p->size < SIG_HEAD ? (size_t)p->size : SIG_HEAD;
		if (n == 0)
			continue;
		if (p->offset == UINT64_MAX) {
			struct membuf m = {head, n, 0};
			if (info->boot1_size < n)
				continue;
			rc = unifw_phone_read(ph, UNIFW_PHONE_BOOT1, 0, n, mem_sink, &m, err);
		} else {
			rc = read_user(ph, p->offset, head, n, err);
		}
		if (rc < 0) {
			unifw_error_prefix(err, "partition %s: ", p->name);
			goto out;
		}
		classify(head, n, p->size, p->content, sizeof p->content);
	}
out:
	free(raw);
	free(head);
	free(pmt);
	free(mbr);
	return rc;
}

/* --- identify JSON ------------------------------------------------------------------------------ */

void unifw_phone_layout_to_json(const struct unifw_phone_layout *l, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "partition_table");
	unifw_jv_set_hex(obj, "boot_region", l->boot_region);
	unifw_jv_set_bool(obj, "pmt", l->have_pmt);
	if (l->have_pmt)
		unifw_jv_set_str(obj, "pmt_offsets", l->pmt_linear ? "linear" : "user_area");
	unifw_jv_set_bool(obj, "mbr", l->have_mbr);
	unifw_jv_set_uint(obj, "ebr_count", l->ebr_count);
	if (l->note[0])
		unifw_jv_set_str(obj, "note", l->note);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "partitions");
	for (size_t k = 0; k < l->count; k++) {
		const struct unifw_phone_part_entry *p = &l->part[k];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "phone_partition");
		unifw_jv_set_str(o, "name", p->name);
		unifw_jv_set_str(o, "region", p->offset == UINT64_MAX ? "EMMC_BOOT_1" : "EMMC_USER");
		unifw_jv_set_hex(o, "linear", p->offset == UINT64_MAX ? 0 : p->offset + l->boot_region);
		unifw_jv_set_hex(o, "offset", p->offset == UINT64_MAX ? 0 : p->offset);
		unifw_jv_set_uint(o, "size", p->size);
		struct unifw_jv *src = unifw_jv_set_arr(o, "listed_by");
		if (p->in_pmt)
			unifw_jv_push_str(src, "pmt");
		if (p->in_mbr)
			unifw_jv_push_str(src, "mbr");
		if (p->inferred)
			unifw_jv_set_bool(o, "inferred", true);
		if (p->kernel_index)
			unifw_jv_set_uint(o, "kernel_index", p->kernel_index);
		if (p->content[0])
			unifw_jv_set_str(o, "content", p->content);
	}
}

int unifw_identify(struct unifw_phone *ph, struct unifw_jv **out, struct unifw_error *err)
{
	struct unifw_jv *o = unifw_phone_info_to_json(ph);
	*out = NULL;
	if (!o)
		return unifw_error_set(err, UNIFW_E_NOMEM, "identify", UNIFW_NO_OFFSET, "out of memory");
	const struct unifw_phone_info *i = unifw_phone_info(ph);
	if (i->have_report2 && !strcmp(i->storage, "emmc")) {
		struct unifw_phone_layout *l = calloc(1, sizeof *l);
		struct unifw_error e;
		unifw_error_clear(&e);
		if (!l) {
			unifw_jv_free(o);
			return unifw_error_set(err, UNIFW_E_NOMEM, "identify", UNIFW_NO_OFFSET, "out of memory");
		}
		int rc = unifw_phone_layout_read(ph, l, &e);
		struct unifw_jv *t = unifw_jv_set_obj(o, "partition_table");
		unifw_jv_set_str(t, "type", "partition_table");
		if (rc == 0) {
			unifw_phone_layout_to_json(l, t);
			ops_identify_probe(ph, l, o); /* a universal image's probe record, if any */
		} else if (rc == UNIFW_E_NOT_FOUND || rc == UNIFW_E_FORMAT || rc == UNIFW_E_TRUNCATED) {
			char buf[900];
			unifw_jv_set_str(t, "error", unifw_error_format(&e, buf, sizeof buf));
			unifw_jv_set_arr(t, "partitions");
		} else {
			free(l);
			unifw_jv_free(o);
			*err = e;
			return rc;
		}
		free(l);
	}
	*out = o;
	return 0;
}
