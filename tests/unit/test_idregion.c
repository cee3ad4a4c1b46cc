/* Identity regions by content (idregion.h): an NVRAM BinRegion built with the project's writer, placed in a
 * memory eMMC, is found at the standard position with no table at all, named after the table entry that
 * starts there (NVRAM_X: not a name the backup knows), sized by the phone's table; reads fail the scan;
 * the overlap test; the backup file is the region's bytes; format refuses an erase that overlaps a region
 * whatever the table calls the partition; the flash plan's rule: only the permitted write of that very identity
 * partition may cover a region. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/flash_internal.h"
#include "unifw/erase.h"
#include "unifw/hash.h"
#include "unifw/idregion.h"
#include "unifw/nvram.h"

#define EMMC_SIZE (48u << 20)

struct mem_emmc {
	uint8_t *bytes;
	size_t size;
	unsigned reads;
	bool fail;
	uint64_t flip_after;    /* 0: never; else once this many bytes were read, bump one byte per read */
	uint64_t read_bytes;
};

static int mem_read(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		    void *sink_ctx, struct unifw_error *err)
{
	struct mem_emmc *m = ctx;
	m->reads++;
	if (m->fail || part != UNIFW_PHONE_USER || off > m->size || len > m->size - off)
		return unifw_error_set(err, UNIFW_E_DEVICE, "user area", off, "read failed");
	uint8_t *buf = malloc(len ? (size_t)len : 1);
	assert_non_null(buf);
	memcpy(buf, m->bytes + off, (size_t)len);
	if (m->flip_after && m->read_bytes >= m->flip_after)
		buf[len / 2]++; /* what a second read over a link that corrupts compensating bits returns */
	m->read_bytes += len;
	int rc = sink(sink_ctx, buf, (size_t)len, off, err);
	free(buf);
	return rc;
}

/* A memory eMMC with a BinRegion (WIFI file only) at the standard NVRAM position; the rest is a pattern. */
static void emmc_with_nvram(struct mem_emmc *m)
{
	static uint8_t wifi[512];
	struct unifw_nvram_input in[1] = {{"/data/nvram/APCFG/APRDEB/WIFI", wifi, sizeof wifi, 0}};
	uint8_t *nv;
	size_t len;
	memset(m, 0, sizeof *m);
	m->size = EMMC_SIZE;
	m->bytes = malloc(m->size);
	assert_non_null(m->bytes);
	for (size_t i = 0; i < m->size; i++)
		m->bytes[i] = (uint8_t)(i * 7 + (i >> 12));
	assert_int_equal(unifw_nvram_build(in, 1, 0, &nv, &len, NULL), 0);
	assert_true(len <= UNIFW_NVRAM_DEFAULT_REGION);
	memcpy(m->bytes + UNIFW_IDREGION_STD_NVRAM, nv, len);
	free(nv);
}

static void layout_entry(struct unifw_phone_layout *l, const char *name, uint64_t off, uint64_t size)
{
	struct unifw_phone_part_entry *e = &l->part[l->count++];
	memset(e, 0, sizeof *e);
	snprintf(e->name, sizeof e->name, "%s", name);
	e->offset = off;
	e->size = size;
	e->in_pmt = true;
}

static void found_without_any_table(void **state)
{
	(void)state;
	struct mem_emmc m;
	struct unifw_idregions r;
	emmc_with_nvram(&m);
	assert_int_equal(unifw_idregions_scan(mem_read, &m, NULL, NULL, m.size, &r, NULL), 0);
	assert_true(r.scanned);
	assert_int_equal(r.candidates, 3); /* the standard positions */
	assert_int_equal(r.count, 1);
	assert_int_equal(r.r[0].kind, UNIFW_IDREGION_NVRAM);
	assert_int_equal(r.r[0].offset, UNIFW_IDREGION_STD_NVRAM);
	assert_int_equal(r.r[0].size, UNIFW_NVRAM_DEFAULT_REGION);
	assert_string_equal(r.r[0].name, "");
	assert_string_equal(r.r[0].found_by, "standard MT6572 position");
	assert_false(r.r[0].named_identity);
	/* a region clipped by a small user area */
	assert_int_equal(unifw_idregions_scan(mem_read, &m, NULL, NULL, UNIFW_IDREGION_STD_NVRAM + 0x100000, &r, NULL), 0);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.r[0].size, 0x100000);
	/* a device that fails to read fails the scan (never "nothing found") */
	m.fail = true;
	struct unifw_error e;
	assert_int_equal(unifw_idregions_scan(mem_read, &m, NULL, NULL, m.size, &r, &e), UNIFW_E_DEVICE);
	assert_non_null(strstr(e.msg, "user 0x400000"));
	assert_false(r.scanned);
	free(m.bytes);
}

static void named_by_the_table_under_another_name(void **state)
{
	(void)state;
	struct mem_emmc m;
	struct unifw_idregions r;
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	emmc_with_nvram(&m);
	layout_entry(l, "PRO_INFO", 0x100000, 0x300000);
	layout_entry(l, "NVRAM_X", UNIFW_IDREGION_STD_NVRAM, 0x300000);
	layout_entry(l, "OTHER", 0x2000000, 0x100000);
	assert_int_equal(unifw_idregions_scan(mem_read, &m, l, NULL, m.size, &r, NULL), 0);
	assert_int_equal(r.candidates, 5); /* 3 table starts + PROTECT_F and PROTECT_S positions */
	assert_int_equal(r.count, 1);
	assert_string_equal(r.r[0].name, "NVRAM_X");
	assert_string_equal(r.r[0].found_by, "phone table");
	assert_true(r.r[0].size_from_table);
	assert_int_equal(r.r[0].size, 0x300000);
	assert_false(r.r[0].named_identity); /* the backup by name does not read NVRAM_X */
	char s[200];
	unifw_idregion_describe(&r.r[0], s, sizeof s);
	assert_string_equal(s, "NVRAM_X at user 0x400000, 3 MiB (NVRAM BinRegion header)");
	/* under its own name the identity backup holds it */
	snprintf(l->part[1].name, sizeof l->part[1].name, "NVRAM");
	assert_int_equal(unifw_idregions_scan(mem_read, &m, l, NULL, m.size, &r, NULL), 0);
	assert_true(r.r[0].named_identity);
	free(l);
	free(m.bytes);
}

static void overlap_edges(void **state)
{
	(void)state;
	struct unifw_idregions r = {.count = 1};
	r.r[0].offset = 0x400000;
	r.r[0].size = 0x500000;
	assert_null(unifw_idregions_overlap(&r, 0, 0x400000));           /* ends where it starts */
	assert_non_null(unifw_idregions_overlap(&r, 0, 0x400001));
	assert_non_null(unifw_idregions_overlap(&r, 0x8FFFFF, 1));
	assert_null(unifw_idregions_overlap(&r, 0x900000, 0x100000));    /* starts where it ends */
	assert_null(unifw_idregions_overlap(&r, 0x400000, 0));
	assert_null(unifw_idregions_overlap(&r, UINT64_MAX - 10, 100)); /* wraps: never a match by accident */
	assert_null(unifw_idregions_overlap(NULL, 0, 100));
}

static void backup_holds_the_region_bytes(void **state)
{
	(void)state;
	struct mem_emmc m;
	struct unifw_idregions r;
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	char *dir = test_mkdtemp(), path[4200];
	emmc_with_nvram(&m);
	layout_entry(l, "NVRAM_X", UNIFW_IDREGION_STD_NVRAM, 0x300000);
	assert_int_equal(unifw_idregions_scan(mem_read, &m, l, NULL, m.size, &r, NULL), 0);
	assert_int_equal(unifw_idregions_backup(mem_read, &m, &r, dir, NULL), 0);
	snprintf(path, sizeof path, "%s/region-400000-nvram_x.bin", dir);
	size_t len;
	uint8_t *b = test_read_file(path, &len);
	assert_int_equal(len, 0x300000);
	assert_memory_equal(b, m.bytes + UNIFW_IDREGION_STD_NVRAM, len);
	free(b);
	snprintf(path, sizeof path, "%s/identity-regions.json", dir);
	char *json = (char *)test_read_file(path, &len);
	assert_non_null(strstr(json, "\"NVRAM BinRegion header\""));
	free(json);
	test_rmtree(dir);
	free(dir);
	/* a region the backup by name holds is not read twice; nothing to do writes no manifest */
	dir = test_mkdtemp();
	r.r[0].named_identity = true;
	unsigned before = m.reads;
	assert_int_equal(unifw_idregions_backup(mem_read, &m, &r, dir, NULL), 0);
	assert_int_equal(m.reads, before);
	snprintf(path, sizeof path, "%s/identity-regions.json", dir);
	FILE *f = fopen(path, "rb");
	assert_null(f);
	test_rmtree(dir);
	free(dir);
	free(l);
	free(m.bytes);
}

/* The region backup reads each region twice: a second read that differs stops it, naming the byte. */
static void backup_stops_when_the_second_read_differs(void **state)
{
	(void)state;
	struct mem_emmc m;
	struct unifw_idregions r;
	struct unifw_error err = {0};
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	char *dir = test_mkdtemp();
	emmc_with_nvram(&m);
	layout_entry(l, "NVRAM_X", UNIFW_IDREGION_STD_NVRAM, 0x300000);
	assert_int_equal(unifw_idregions_scan(mem_read, &m, l, NULL, m.size, &r, NULL), 0);
	m.read_bytes = 0;
	m.flip_after = 0x300000; /* the first read is clean, the second is not */
	assert_true(unifw_idregions_backup(mem_read, &m, &r, dir, &err) < 0);
	assert_non_null(strstr(err.msg, "two reads of the phone differ"));
	assert_non_null(strstr(err.msg, "NVRAM_X"));
	test_rmtree(dir);
	free(dir);
	free(l);
	free(m.bytes);
}

/* A PMT/MBR mismatch: the MBR's second entry starts 1 MiB inside NVRAM. */
static void format_refuses_an_erase_over_identity_content(void **state)
{
	(void)state;
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	struct unifw_erase_plan *plan = calloc(1, sizeof *plan);
	struct unifw_idregions r = {.scanned = true, .count = 1};
	r.r[0] = (struct unifw_idregion){.kind = UNIFW_IDREGION_NVRAM, .name = "NVRAM", .offset = 0x400000,
					 .size = 0x500000, .found_by = "phone table"};
	layout_entry(l, "NVRAM", 0x400000, 0x500000);
	layout_entry(l, "mmcblk0p2", 0x500000, 0xA00000);
	layout_entry(l, "CACHE", 0x2000000, 0x1000000);
	const char *names[] = {"mmcblk0p2"};
	struct unifw_erase_opts o = {.partitions = names, .count = 1, .identity_regions = &r};
	struct unifw_error e;
	assert_int_equal(unifw_erase_plan(l, &o, plan, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "NVRAM at user 0x400000, 5 MiB (NVRAM BinRegion header)"));
	/* --include-identity does not make another partition an identity erase */
	o.include_identity = true;
	assert_int_equal(unifw_erase_plan(l, &o, plan, &e), UNIFW_E_UNSAFE);
	/* the explicit, allowed erase of NVRAM itself goes through; so does CACHE */
	names[0] = "NVRAM";
	assert_int_equal(unifw_erase_plan(l, &o, plan, &e), 0);
	assert_int_equal(plan->erase_count, 1);
	names[0] = "CACHE";
	o.include_identity = false;
	assert_int_equal(unifw_erase_plan(l, &o, plan, &e), 0);
	/* --all-but-identity would erase mmcblk0p2: refused as well */
	o.count = 0;
	o.all_but_identity = true;
	assert_int_equal(unifw_erase_plan(l, &o, plan, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.where, "mmcblk0p2"));
	free(plan);
	free(l);
}

static struct unifw_flash_entry plan_entry(const char *name, enum unifw_flash_action a, bool identity, uint64_t off,
					    uint64_t size, uint64_t image_bytes)
{
	struct unifw_flash_entry e;
	memset(&e, 0, sizeof e);
	snprintf(e.name, sizeof e.name, "%s", name);
	e.action = a;
	e.code = a == UNIFW_FLASH_WRITE ? "write" : "identity";
	e.identity = identity;
	e.part = UNIFW_PHONE_USER;
	e.offset = off;
	e.size = size;
	e.image_bytes = image_bytes;
	return e;
}

static void flash_plan_refuses_writes_over_identity_content(void **state)
{
	(void)state;
	struct unifw_flash_facts *f = calloc(1, sizeof *f);
	struct unifw_flash_plan plan;
	struct unifw_flash_entry e[6];
	f->identity_regions.scanned = true;
	f->identity_regions.count = 2;
	f->identity_regions.r[0] = (struct unifw_idregion){.kind = UNIFW_IDREGION_NVRAM, .name = "CUSTOM",
							   .offset = 0x400000, .size = 0x500000};
	f->identity_regions.r[1] = (struct unifw_idregion){.kind = UNIFW_IDREGION_PROTECT, .name = "PROTECT_F",
							   .label = "protect_f", .offset = 0xA00000, .size = 0xA00000};
	e[0] = plan_entry("CUSTOM", UNIFW_FLASH_WRITE, false, 0x400000, 0x500000, 0x1000);   /* over NVRAM */
	e[1] = plan_entry("NVRAM", UNIFW_FLASH_WRITE, true, 0x400000, 0x500000, 0x500000);   /* its own write */
	e[2] = plan_entry("PROTECT_F", UNIFW_FLASH_SKIP, true, 0xA00000, 0xA00000, 0);       /* not written */
	e[3] = plan_entry("SECCFG", UNIFW_FLASH_WRITE, false, 0x1400000, 0x20000, 0x20000); /* after it: fine */
	e[4] = plan_entry("NVRAM", UNIFW_FLASH_WRITE, true, 0x500000, 0x500000, 0x500000);   /* shifted: no */
	e[5] = plan_entry("LOGO", UNIFW_FLASH_WRITE, false, 0x900000, 0x80000, 0x200000);   /* image spills into PROTECT_F */
	memset(&plan, 0, sizeof plan);
	plan.entries = e;
	plan.count = 6;
	flash_plan_identity_regions(&plan, f);
	assert_int_equal(plan.identity_regions.count, 2);
	assert_int_equal(e[0].action, UNIFW_FLASH_REFUSE);
	assert_string_equal(e[0].code, "identity_overlap");
	assert_non_null(strstr(e[0].reason, "CUSTOM at user 0x400000, 5 MiB (NVRAM BinRegion header)"));
	assert_int_equal(e[1].action, UNIFW_FLASH_WRITE);
	assert_int_equal(e[2].action, UNIFW_FLASH_SKIP);
	assert_int_equal(e[3].action, UNIFW_FLASH_WRITE);
	assert_int_equal(e[4].action, UNIFW_FLASH_REFUSE);
	assert_int_equal(e[5].action, UNIFW_FLASH_REFUSE);
	assert_non_null(strstr(e[5].reason, "ext4 volume label protect_f"));
	/* no regions known (a plan built without a phone): the rule changes nothing */
	memset(&f->identity_regions, 0, sizeof f->identity_regions);
	e[0] = plan_entry("CUSTOM", UNIFW_FLASH_WRITE, false, 0x400000, 0x500000, 0x1000);
	flash_plan_identity_regions(&plan, f);
	assert_int_equal(e[0].action, UNIFW_FLASH_WRITE);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(found_without_any_table),
		cmocka_unit_test(named_by_the_table_under_another_name),
		cmocka_unit_test(overlap_edges),
		cmocka_unit_test(backup_holds_the_region_bytes),
		cmocka_unit_test(backup_stops_when_the_second_read_differs),
		cmocka_unit_test(format_refuses_an_erase_over_identity_content),
		cmocka_unit_test(flash_plan_refuses_writes_over_identity_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
