/* Fuzz the MBR/EBR code: probe, sector parse/rewrite, chain walking over the input as a disk image,
 * chain from separate sectors, the ptgen-style writer on whatever parsed, and describe. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/mbr.h"

struct mem_disk { const uint8_t *d; size_t n; };

static int mem_read(void *ctx, uint64_t lba, uint8_t sector[UNIFW_MBR_SECTOR_SIZE], struct unifw_error *err)
{
	struct mem_disk *m = ctx;
	if (lba >= m->n / UNIFW_MBR_SECTOR_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, "fuzz", lba * UNIFW_MBR_SECTOR_SIZE, "beyond input");
	memcpy(sector, m->d + lba * UNIFW_MBR_SECTOR_SIZE, UNIFW_MBR_SECTOR_SIZE);
	return 0;
}

static void rebuild(const struct unifw_mbr_table *t)
{
	if (t->count == 0 || t->ebr_count == 0)
		return;
	struct unifw_mbr_layout_part parts[UNIFW_MBR_MAX_PARTS];
	uint64_t ebr[UNIFW_MBR_MAX_EBRS];
	for (size_t i = 0; i < t->count; i++)
		parts[i] = (struct unifw_mbr_layout_part){t->part[i].start_lba * UNIFW_MBR_SECTOR_SIZE,
							  (uint64_t)t->part[i].count * UNIFW_MBR_SECTOR_SIZE, t->part[i].type};
	for (size_t k = 0; k < t->ebr_count; k++)
		ebr[k] = t->ebr_lba[k] * UNIFW_MBR_SECTOR_SIZE;
	struct unifw_mbr_layout L = {parts, t->count, ebr, t->ebr_count, t->part[t->count - 1].to_end};
	uint8_t out[(1 + UNIFW_MBR_MAX_EBRS) * UNIFW_MBR_SECTOR_SIZE];
	struct unifw_error err;
	if (unifw_mbr_build(&L, out, sizeof out, &err) == 0) {
		const uint8_t *secs[1 + UNIFW_MBR_MAX_EBRS];
		size_t lens[1 + UNIFW_MBR_MAX_EBRS];
		for (size_t k = 0; k <= t->ebr_count; k++) {
			secs[k] = out + k * UNIFW_MBR_SECTOR_SIZE;
			lens[k] = UNIFW_MBR_SECTOR_SIZE;
		}
		struct unifw_mbr_table back;
		(void)unifw_mbr_table_from_sectors(secs, lens, 1 + t->ebr_count, 0, &back, &err);
	}
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	struct unifw_error err;
	struct unifw_mbr_sector sec, again;
	(void)unifw_mbr_probe(data, size, size);
	if (unifw_mbr_sector_parse(data, size, "fuzz", &sec, &err) == 0) {
		uint8_t out[UNIFW_MBR_SECTOR_SIZE];
		(void)unifw_mbr_classify(&sec);
		unifw_mbr_sector_write(&sec, out);
		if (unifw_mbr_sector_parse(out, sizeof out, "fuzz", &again, &err) ||
		    memcmp(sec.slot, again.slot, sizeof sec.slot))
			abort(); /* the writer must reproduce what the parser read */
	}
	struct mem_disk m = {data, size};
	struct unifw_mbr_table t;
	if (unifw_mbr_table_read(mem_read, &m, size / UNIFW_MBR_SECTOR_SIZE, "fuzz", &t, &err) == 0)
		rebuild(&t);
	size_t n = size / UNIFW_MBR_SECTOR_SIZE;
	if (n > 3)
		n = 3;
	if (n) {
		const uint8_t *secs[3];
		size_t lens[3];
		for (size_t k = 0; k < n; k++) {
			secs[k] = data + k * UNIFW_MBR_SECTOR_SIZE;
			lens[k] = UNIFW_MBR_SECTOR_SIZE;
		}
		if (unifw_mbr_table_from_sectors(secs, lens, n, 0, &t, &err) == 0)
			rebuild(&t);
	}
	struct unifw_stream s;
	struct unifw_jv *obj = unifw_jv_object();
	unifw_stream_from_mem(&s, data, size, "fuzz");
	(void)unifw_mbr_describe(&s, obj, &err);
	unifw_stream_close(&s);
	unifw_jv_free(obj);
}

const struct fuzz_target fuzz_target = { .name = "mbr", .run = fuzz_one };
