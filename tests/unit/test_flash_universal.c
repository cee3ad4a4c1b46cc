/* The flash plan of a universal package (docs/flash.md "A universal package"; src/ops/flash_plan_universal.c)
 * and unifw_univ_package_table (src/ops/universal_package.c). The package: the sim factory's universal
 * firmware whose boot image gets a probe table (unifw_probe_table_write) through unifw_bootimg_unpack /
 * repack; the phone: a partition table built here, the way unifw_phone_layout_read hands it to the plan. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "firmware/factory.h"
#include "firmware/model.h"
#include "unifw/bootimg.h"
#include "unifw/flash.h"
#include "unifw/package.h"
#include "unifw/universal.h"

static char *tmp;
static char pkg_dir[1024], stock_dir[1024];

static void write_table(const char *path)
{
	struct unifw_probe_table t;
	struct unifw_error e = {0};
	unifw_probe_table_init(&t);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		snprintf(t.signal[c], sizeof t.signal[c], "the test reads the %s", unifw_probe_component_name(c));
		snprintf(t.fallback[c], sizeof t.fallback[c], "the base's %s files stay", unifw_probe_component_name(c));
	}
	t.variant_count = 1;
	snprintf(t.variant[0].name, sizeof t.variant[0].name, "phone-a");
	snprintf(t.variant[0].reason, sizeof t.variant[0].reason, "the test's phone");
	const char *keys[] = {"hx8389b_kelai_dsi_vdo_qhd", "msg2133a", "7001004d4d43303447"};
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		struct unifw_probe_match *m = &t.match[t.match_count++];
		m->component = (enum unifw_probe_component)c;
		snprintf(m->key, sizeof m->key, "%s", keys[c]);
		snprintf(m->reason, sizeof m->reason, "the test's key");
	}
	char *text = NULL;
	size_t len = 0;
	if (unifw_probe_table_write(&t, &text, &len, &e))
		fail_msg("table: %s", e.msg);
	test_write_file(path, text, len);
	free(text);
	unifw_probe_table_free(&t);
}

/* The universal firmware with rules (a probe table, or these bytes) in its boot image's ramdisk. */
static void make_universal(const char *dir, const char *rules_text)
{
	struct unifw_error e = {0};
	char boot[1100], unpacked[1100], path[1200];
	if (sim_factory_make(sim_firmware_universal(), NULL, dir, NULL, &e))
		fail_msg("factory: %s", e.msg);
	snprintf(boot, sizeof boot, "%s/boot.img", dir);
	snprintf(unpacked, sizeof unpacked, "%s.boot", dir);
	struct unifw_bootimg_unpack_opts uo = {.extract_ramdisk = true};
	if (unifw_bootimg_unpack(boot, unpacked, &uo, &e))
		fail_msg("unpack: %s", e.msg);
	snprintf(path, sizeof path, "%s/ramdisk.d/unifw", unpacked);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/ramdisk.d/unifw/probe.rules", unpacked);
	if (rules_text)
		test_write_file(path, rules_text, strlen(rules_text));
	else
		write_table(path);
	struct unifw_bootimg_repack_opts ro = {0};
	if (unifw_bootimg_repack(unpacked, boot, &ro, &e))
		fail_msg("repack: %s", e.msg);
}

static int setup(void **state)
{
	(void)state;
	struct unifw_error e = {0};
	tmp = test_mkdtemp();
	snprintf(pkg_dir, sizeof pkg_dir, "%s/universal", tmp);
	make_universal(pkg_dir, NULL);
	snprintf(stock_dir, sizeof stock_dir, "%s/stock", tmp);
	const struct sim_model *m = sim_model_find("s10-like");
	if (!m || sim_factory_make(m->stock, m, stock_dir, NULL, &e))
		fail_msg("stock factory: %s", e.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmtree(tmp);
	free(tmp);
	return 0;
}

static struct unifw_package *open_pkg(const char *dir)
{
	struct unifw_package *p = NULL;
	struct unifw_error e = {0};
	if (unifw_package_open(dir, &p, &e))
		fail_msg("open %s: %s", dir, e.msg);
	return p;
}

/* A phone whose table is not the base's: a 20 MiB boot region, its own sizes, no CACHE. */
#define PHONE_BR 0x1400000ull
static void phone_facts(struct unifw_flash_facts *f, uint64_t android_size)
{
	memset(f, 0, sizeof *f);
	f->mode = "preloader";
	for (int i = 0; i < 16; i++)
		f->cid[i] = (uint8_t)(0x70 + i);
	f->user_size = 1ull << 30;
	f->boot1_size = 4u << 20;
	f->boot_region = PHONE_BR;
	f->have_layout = true;
	struct unifw_phone_layout *l = &f->layout;
	l->boot_region = PHONE_BR;
	l->user_size = f->user_size;
	l->have_pmt = l->have_mbr = true;
	static const struct { const char *name; uint64_t off, size; } parts[] = {
		{"PRELOADER", UINT64_MAX, 0x40000}, {"MBR", 0, 0x80000},	   {"EBR1", 0x80000, 0x80000},
		{"NVRAM", 0x100000, 0x500000},	    {"UBOOT", 0x600000, 0x60000}, {"BOOTIMG", 0x700000, 0x800000},
		{"LOGO", 0xf00000, 0x300000},	    {"ANDROID", 0x1200000, 0},	   {"USRDATA", 0x20000000, 0x10000000},
	};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		struct unifw_phone_part_entry *p = &l->part[l->count++];
		snprintf(p->name, sizeof p->name, "%s", parts[i].name);
		p->offset = parts[i].off;
		p->size = parts[i].size ? parts[i].size : android_size;
		p->in_pmt = true;
	}
}

static const struct unifw_flash_entry *entry(const struct unifw_flash_plan *p, const char *name)
{
	for (size_t i = 0; i < p->count; i++)
		if (!strcmp(p->entries[i].name, name))
			return &p->entries[i];
	fail_msg("no plan entry %s", name);
	return NULL;
}

static bool has_finding(const struct unifw_flash_plan *p, const char *code, enum unifw_severity sev)
{
	for (size_t i = 0; i < p->findings.count; i++)
		if (!strcmp(p->findings.items[i].code, code) && p->findings.items[i].severity == sev)
			return true;
	return false;
}

static void table_of_a_universal_package_and_of_a_stock_one(void **state)
{
	(void)state;
	struct unifw_probe_table t;
	struct unifw_error e = {0};
	bool found = false;
	struct unifw_package *p = open_pkg(pkg_dir);
	assert_int_equal(unifw_univ_package_table(p, &found, &t, &e), 0);
	assert_true(found);
	assert_int_equal(t.variant_count, 1);
	assert_string_equal(t.variant[0].name, "phone-a");
	assert_int_equal(t.match_count, 3);
	unifw_probe_table_free(&t);
	unifw_package_free(p);
	p = open_pkg(stock_dir);
	found = true;
	assert_int_equal(unifw_univ_package_table(p, &found, &t, &e), 0);
	assert_false(found);
	unifw_probe_table_free(&t);
	unifw_package_free(p);
}

static void plan_writes_by_name_into_the_phones_own_table(void **state)
{
	(void)state;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	struct unifw_error e = {0};
	phone_facts(&f, 0x10000000);
	struct unifw_package *p = open_pkg(pkg_dir);
	assert_int_equal(unifw_flash_plan(p, &f, &o, &plan, &e), 0);
	assert_true(plan.universal);
	assert_int_equal(plan.universal_variants, 1);
	assert_int_equal(plan.boot_region, PHONE_BR);
	assert_int_equal(plan.diff_count, 0); /* the base's layout is not compared */
	const struct unifw_flash_entry *b = entry(&plan, "BOOTIMG"), *a = entry(&plan, "ANDROID"), *c = entry(&plan, "CACHE");
	assert_int_equal(b->action, UNIFW_FLASH_WRITE);
	assert_int_equal(b->offset, 0x700000);
	assert_int_equal(b->size, 0x800000);
	assert_int_equal(a->action, UNIFW_FLASH_WRITE);
	assert_int_equal(a->offset, 0x1200000);
	assert_int_equal(a->size, 0x10000000);
	/* the phone has no CACHE: refused, nothing written */
	assert_int_equal(c->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(c->code, "missing_on_phone");
	assert_non_null(strstr(c->reason, "has no CACHE"));
	assert_int_equal(plan.refusals, 1);
	/* the phone's own preloader, tables, LK, logo and identity stay */
	static const char *const kept[] = {"PRELOADER", "MBR", "EBR1", "UBOOT", "LOGO", "NVRAM", "USRDATA", "RECOVERY"};
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
		assert_int_equal(entry(&plan, kept[i])->action, UNIFW_FLASH_SKIP);
		assert_string_equal(entry(&plan, kept[i])->code, "universal_keeps");
	}
	for (size_t i = 0; i < plan.count; i++)
		assert_int_not_equal(plan.entries[i].form, UNIFW_FLASH_FORM_PMT);
	assert_true(has_finding(&plan, "universal", UNIFW_SEV_INFO));
	/* the same plan again: the same hash (a resume finds its journal's plan) */
	struct unifw_flash_plan again;
	assert_int_equal(unifw_flash_plan(p, &f, &o, &again, &e), 0);
	assert_memory_equal(plan.sha256, again.sha256, 32);
	unifw_flash_plan_free(&again);
	unifw_flash_plan_free(&plan);
	unifw_package_free(p);
}

static void plan_refuses_a_partition_smaller_than_the_image(void **state)
{
	(void)state;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	struct unifw_error e = {0};
	phone_facts(&f, 0x4000000); /* 64 MiB: the base's system file system is 128 MiB */
	struct unifw_package *p = open_pkg(pkg_dir);
	assert_int_equal(unifw_flash_plan(p, &f, &o, &plan, &e), 0);
	const struct unifw_flash_entry *a = entry(&plan, "ANDROID");
	assert_int_equal(a->action, UNIFW_FLASH_REFUSE);
	assert_string_equal(a->code, "too_big");
	assert_non_null(strstr(a->reason, "134217728 bytes"));
	assert_non_null(strstr(a->reason, "67108864 bytes"));
	unifw_flash_plan_free(&plan);
	unifw_package_free(p);
}

static void plan_refuses_without_a_pmt_and_with_repartition(void **state)
{
	(void)state;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	struct unifw_error e = {0};
	struct unifw_package *p = open_pkg(pkg_dir);
	phone_facts(&f, 0x10000000);
	f.layout.have_pmt = false;
	assert_int_equal(unifw_flash_plan(p, &f, &o, &plan, &e), 0);
	assert_true(has_finding(&plan, "universal-no-table", UNIFW_SEV_ERROR));
	assert_true(plan.refusals > 0);
	unifw_flash_plan_free(&plan);
	phone_facts(&f, 0x10000000);
	o.repartition = true;
	assert_int_equal(unifw_flash_plan(p, &f, &o, &plan, &e), 0);
	assert_true(has_finding(&plan, "universal-repartition", UNIFW_SEV_ERROR));
	assert_true(plan.refusals > 0);
	unifw_flash_plan_free(&plan);
	unifw_package_free(p);
}

static void a_probe_table_that_does_not_parse_is_an_error(void **state)
{
	(void)state;
	char dir[1100];
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct unifw_flash_plan_opts o = {.verify = true};
	struct unifw_error e = {0};
	snprintf(dir, sizeof dir, "%s/broken", tmp);
	make_universal(dir, "unifw-probe-rules 1\nvariant Bad!Name reason\n");
	struct unifw_package *p = open_pkg(dir);
	phone_facts(&f, 0x10000000);
	assert_int_equal(unifw_flash_plan(p, &f, &o, &plan, &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.where, "probe.rules"));
	unifw_package_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_of_a_universal_package_and_of_a_stock_one),
		cmocka_unit_test(plan_writes_by_name_into_the_phones_own_table),
		cmocka_unit_test(plan_refuses_a_partition_smaller_than_the_image),
		cmocka_unit_test(plan_refuses_without_a_pmt_and_with_repartition),
		cmocka_unit_test(a_probe_table_that_does_not_parse_is_an_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
