/* unifw-sim: several phones of one model (docs/sim.md "Several phones of one model") and the damage a
 * user's "Format All + Download" does (docs/sim.md "Damage").
 *  - the unit derivation: CRC7 right for units 1..50 of every model (checked with this file's own
 *    long division), the serial the only CID change, CIDs / WiFi MACs / BT addresses distinct across
 *    units and models and never a vendor default, unit 1 = the model's table entry and its NVRAM;
 *  - factory images of units 1 and 2: identity partitions differ (NVRAM, PRO_INFO, PROTECT_F/S), every
 *    firmware partition is the same, both copies of NVRAM (BinRegion and /data/nvram) agree, both boot
 *    and the evaluation reads each unit's own MAC;
 *  - Format All + Download: blank identity partitions, imei_null, a made-up MAC, the default BT address;
 *    a package that does not fit leaves the image untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_boot_fixture.h"
#include "unifw/ext4.h"
#include "unifw/io.h"

#define UNITS 50u

/* CRC7 (x^7 + x^3 + 1) by long division of the 120 message bits followed by 7 zero bits: written
 * apart from model.c's shift register so that one checks the other. */
static uint8_t crc7_division(const uint8_t cid15[15])
{
	uint8_t bits[15 * 8 + 7] = { 0 };
	for (size_t i = 0; i < 15 * 8; i++)
		bits[i] = (uint8_t)((cid15[i / 8] >> (7 - i % 8)) & 1);
	static const uint8_t poly[8] = { 1, 0, 0, 0, 1, 0, 0, 1 }; /* 0x89 */
	for (size_t i = 0; i < 15 * 8; i++)
		if (bits[i])
			for (size_t k = 0; k < 8; k++)
				bits[i + k] ^= poly[k];
	uint8_t crc = 0;
	for (size_t i = 15 * 8; i < sizeof bits; i++)
		crc = (uint8_t)(crc << 1 | bits[i]);
	return crc;
}

static uint32_t psn_of(const uint8_t *cid)
{
	return (uint32_t)cid[10] << 24 | (uint32_t)cid[11] << 16 | (uint32_t)cid[12] << 8 | cid[13];
}

static void unit_of(const struct sim_model *m, unsigned n, struct sim_model *out)
{
	assert_true(sim_model_unit(m, n, out));
	assert_int_equal(sim_model_unit_number(out), n);
	assert_string_equal(out->name, m->name);
}

static void test_cid_crc7_and_serial(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_model_count(); i++) {
		const struct sim_model *m = sim_model_at(i);
		for (unsigned n = 1; n <= UNITS; n++) {
			struct sim_model u;
			struct sim_emmc_geometry g;
			unit_of(m, n, &u);
			sim_model_geometry(&u, &g);
			assert_int_equal(g.cid[15], crc7_division(g.cid) << 1 | 1);
			assert_int_equal(psn_of(g.cid), psn_of(m->cid) + (n - 1));
			/* MID..PRV (the memory part and its DRAM id) and MDT are the model's */
			assert_memory_equal(g.cid, m->cid, 10);
			assert_memory_equal(g.cid, m->mem->id, 9);
			assert_int_equal(g.cid[14], m->cid[14]);
			assert_string_equal(g.model, m->name);
		}
	}
}

static bool seen_before(const uint8_t (*list)[16], size_t n, const uint8_t *x, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(list[i], x, len))
			return true;
	return false;
}

static void test_identities_distinct(void **state)
{
	(void)state;
	size_t cap = sim_model_count() * UNITS, n = 0;
	uint8_t(*cids)[16] = calloc(cap, 16), (*macs)[16] = calloc(cap, 16), (*bts)[16] = calloc(cap, 16);
	assert_non_null(cids);
	assert_non_null(macs);
	assert_non_null(bts);
	for (size_t i = 0; i < sim_model_count(); i++)
		for (unsigned u = 1; u <= UNITS; u++, n++) {
			struct sim_model m;
			struct sim_emmc_geometry g;
			unit_of(sim_model_at(i), u, &m);
			sim_model_geometry(&m, &g);
			assert_false(seen_before(cids, n, g.cid, 16));
			assert_false(seen_before(macs, n, m.wifi_mac, 6));
			assert_false(seen_before(bts, n, m.bt_addr, 6));
			assert_false(seen_before(macs, n, m.bt_addr, 6)); /* no BT address is some WiFi MAC */
			memcpy(cids[n], g.cid, 16);
			memcpy(macs[n], m.wifi_mac, 6);
			memcpy(bts[n], m.bt_addr, 6);
			/* locally administered, unicast; never the driver's 00:08:22 nor a MediaTek BT default */
			assert_int_equal(m.wifi_mac[0] & 3, 2);
			assert_int_equal(m.bt_addr[0] & 3, 2);
			assert_int_equal(unifw_nvram_wifi_mac_state(m.wifi_mac), UNIFW_NVRAM_SET);
			assert_int_equal(unifw_nvram_bt_addr_state(m.bt_addr), UNIFW_NVRAM_SET);
			assert_null(unifw_nvram_bt_default_chip(m.bt_addr));
		}
	free(cids);
	free(macs);
	free(bts);
}

static void nvram_set(const struct sim_model *m, struct sim_nvram_set *s)
{
	sim_nvram_files(m, 1, s);
}

static void test_unit1_is_the_model(void **state)
{
	(void)state;
	struct sim_nvram_set *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < sim_model_count(); i++) {
		const struct sim_model *m = sim_model_at(i);
		struct sim_model u1, u2;
		unit_of(m, 1, &u1);
		unit_of(m, 2, &u2);
		assert_memory_equal(u1.cid, m->cid, 15);
		assert_memory_equal(u1.wifi_mac, m->wifi_mac, 6);
		assert_memory_equal(u1.bt_addr, m->bt_addr, 6);
		char buf[64];
		assert_string_equal(sim_unit_salt(&u1, "x", buf, sizeof buf), "x");
		assert_string_equal(sim_unit_salt(&u2, "x", buf, sizeof buf), "x#unit2");
		/* the factory NVRAM of unit 1 is the table entry's, byte for byte */
		nvram_set(m, a);
		nvram_set(&u1, b);
		for (size_t k = 0; k < SIM_NVRAM_FILES; k++) {
			assert_int_equal(a->file[k].size, b->file[k].size);
			assert_memory_equal(a->file[k].data, b->file[k].data, a->file[k].size);
		}
		/* unit 2: every file with content of its own differs (WIFI_CUSTOM is zeros on every phone) */
		nvram_set(&u2, b);
		for (size_t k = 0; k < SIM_NVRAM_FILES; k++)
			if (strcmp(a->file[k].path, "APCFG/APRDEB/WIFI_CUSTOM"))
				assert_memory_not_equal(a->file[k].data, b->file[k].data, a->file[k].size);
		assert_memory_equal(b->wifi + UNIFW_NVRAM_WIFI_MAC_OFFSET, u2.wifi_mac, 6);
		assert_memory_equal(b->bt, u2.bt_addr, 6);
		for (size_t k = 0; k < sizeof b->imei; k++) /* still opaque: no byte reads as a digit */
			assert_true(b->imei[k] >= 0xA0);
	}
	free(a);
	free(b);
}

static void test_unit_range(void **state)
{
	(void)state;
	const struct sim_model *m = sim_model_at(0);
	struct sim_model u;
	assert_false(sim_model_unit(m, 0, &u));
	assert_false(sim_model_unit(m, SIM_UNIT_MAX + 1, &u));
	assert_true(sim_model_unit(m, SIM_UNIT_MAX, &u));
	unsigned n = 0;
	assert_true(sim_parse_unit("2", &n));
	assert_int_equal(n, 2);
	assert_true(sim_parse_unit("65536", &n));
	static const char *const bad[] = { "", "0", "-1", "+2", "02", "2x", " 2", "65537", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_false(sim_parse_unit(bad[i], &n));
	/* every unit up to the maximum keeps its own MAC: bytes 3..4 step through all 65536 values */
	struct sim_model last;
	assert_true(sim_model_unit(m, SIM_UNIT_MAX, &last));
	assert_memory_not_equal(last.wifi_mac, m->wifi_mac, 6);
	assert_int_equal(last.wifi_mac[5], m->wifi_mac[5]);
}

/* ------------------------------------------------------------------ factory images */

struct phone {
	struct sim_model m;
	char img[1100];
	struct sim_emmc *e;
};

static void make_unit(const char *dir, const char *model, unsigned n, struct phone *p)
{
	unit_of(sim_model_find(model), n, &p->m);
	snprintf(p->img, sizeof p->img, "%s/%s-%u.img", dir, model, n);
	struct unifw_error err = { 0 };
	if (sim_emmc_create_from_model(p->img, &p->m, 1, &p->e, &err) != 0)
		fail_msg("unit %u of %s: %s", n, model, err.msg);
}

static uint8_t *read_part(struct sim_emmc *e, const char *name, size_t *len)
{
	struct sim_flash_loc loc;
	struct unifw_error err = { 0 };
	if (sim_flash_locate(e, name, &loc, &err) != 0)
		fail_msg("%s: %s", name, err.msg);
	uint8_t *b = malloc(loc.size);
	assert_non_null(b);
	assert_int_equal(sim_emmc_read(e, loc.part, loc.offset, b, loc.size, &err), 0);
	*len = (size_t)loc.size;
	return b;
}

static bool part_equal(struct phone *a, struct phone *b, const char *name)
{
	size_t la, lb;
	uint8_t *x = read_part(a->e, name, &la), *y = read_part(b->e, name, &lb);
	bool same = la == lb && !memcmp(x, y, la);
	free(x);
	free(y);
	return same;
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static const char *const identity_parts[] = { "NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S", "USRDATA" };

/* Both copies of NVRAM agree: every file of the BinRegion is in /data/nvram with the same bytes. */
static void check_nvram_copies_agree(struct phone *p)
{
	size_t nlen, ulen;
	uint8_t *nv = read_part(p->e, "NVRAM", &nlen), *ud = read_part(p->e, "USRDATA", &ulen);
	struct unifw_nvram bin;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_nvram_parse(nv, nlen, "NVRAM", &bin, &err), 0);
	assert_int_equal(bin.count, SIM_NVRAM_FILES);
	struct unifw_stream s;
	unifw_stream_from_mem(&s, ud, ulen, "USRDATA");
	struct unifw_ext4 *fs = NULL;
	assert_int_equal(unifw_ext4_open(&s, &fs, &err), 0);
	for (size_t i = 0; i < bin.count; i++) {
		const struct unifw_nvram_file *f = &bin.files[i];
		const char *rel = strstr(f->name, "/data/nvram/");
		assert_non_null(rel);
		char path[200];
		snprintf(path, sizeof path, "/nvram/%s", rel + strlen("/data/nvram/"));
		uint8_t *data = NULL;
		size_t len = 0;
		if (unifw_ext4_read_file(fs, path, 1 << 20, &data, &len, &err) != 0)
			fail_msg("%s: %s", path, err.msg);
		assert_int_equal(len, f->size);
		assert_memory_equal(data, nv + f->offset, len);
		free(data);
	}
	uint8_t mac[6];
	assert_int_equal(unifw_nvram_wifi_mac(&bin, nv, mac), UNIFW_NVRAM_SET);
	assert_memory_equal(mac, p->m.wifi_mac, 6);
	assert_int_equal(unifw_nvram_bt_addr(&bin, nv, mac), UNIFW_NVRAM_SET);
	assert_memory_equal(mac, p->m.bt_addr, 6);
	unifw_ext4_close(fs);
	unifw_stream_close(&s);
	unifw_nvram_free(&bin);
	free(nv);
	free(ud);
}

static void expect_boots_with_own_mac(struct phone *p)
{
	struct sim_boot_report r;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_boot_evaluate(p->e, NULL, &r, &err), 0);
	if (r.verdict != SIM_VERDICT_BOOTS) {
		sim_boot_report_text(&r, stderr);
		fail_msg("unit %u of %s does not boot", p->m.unit, p->m.name);
	}
	char mac[18];
	unifw_nvram_format_mac(p->m.wifi_mac, mac);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.wifi_mac")), mac);
	unifw_nvram_format_mac(p->m.bt_addr, mac);
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.bt_address")), mac);
	sim_boot_report_free(&r);
}

static void test_units_share_firmware_not_identity(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct phone a, b;
	make_unit(dir, "wiko-like", 1, &a);
	make_unit(dir, "wiko-like", 2, &b);
	assert_memory_not_equal(sim_emmc_geometry(a.e)->cid, sim_emmc_geometry(b.e)->cid, 16);
	assert_string_equal(sim_emmc_geometry(b.e)->model, "wiko-like");
	static const char *const firmware[] = { "PRELOADER", "MBR", "EBR1", "UBOOT", "BOOTIMG", "RECOVERY", "SEC_RO",
						"LOGO", "ANDROID", "CACHE" };
	for (size_t i = 0; i < sizeof firmware / sizeof *firmware; i++)
		if (!part_equal(&a, &b, firmware[i]))
			fail_msg("%s differs between units 1 and 2", firmware[i]);
	for (size_t i = 0; i < sizeof identity_parts / sizeof *identity_parts; i++)
		if (part_equal(&a, &b, identity_parts[i]))
			fail_msg("%s is the same on units 1 and 2", identity_parts[i]);
	size_t len;
	uint8_t *pi = read_part(b.e, "PRO_INFO", &len);
	assert_false(all_zero(pi, SIM_PRO_INFO_SIZE));
	assert_true(all_zero(pi + SIM_PRO_INFO_SIZE, len - SIM_PRO_INFO_SIZE));
	free(pi);
	check_nvram_copies_agree(&a);
	check_nvram_copies_agree(&b);
	expect_boots_with_own_mac(&a);
	expect_boots_with_own_mac(&b);
	sim_emmc_close(a.e);
	sim_emmc_close(b.e);
	test_rmtree(dir);
	free(dir);
}

/* ------------------------------------------------------------------ Format All + Download */

static void test_format_all_download(void **state)
{
	(void)state;
	struct fixture f;
	char pkg[1200];
	struct unifw_error err = { 0 };
	phone_open(&f, "y600-like");
	package(&f, f.m->stock, f.m, "stock", pkg, sizeof pkg);
	assert_int_equal(sim_format_all_download(f.e, pkg, &err), 0);
	for (size_t i = 0; i < 4; i++) { /* NVRAM, PRO_INFO, PROTECT_F, PROTECT_S */
		size_t len;
		uint8_t *b = read_part(f.e, identity_parts[i], &len);
		if (!all_zero(b, len))
			fail_msg("%s survived Format All + Download", identity_parts[i]);
		free(b);
	}
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS_WITH_FAULTS);
	assert_true(has_code(r.faults, r.fault_count, "imei_null"));
	assert_true(has_code(r.faults, r.fault_count, "mac_random_each_boot"));
	assert_true(has_code(r.faults, r.fault_count, "default_bt_address"));
	assert_false(unifw_jv_truthy(unifw_jv_path(r.facts, "nvram.imei_record")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(r.facts, "nvram.source")), "none");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* A package for a smaller boot region would land in boot2/RPMB: refused before Format All erases. */
static void test_format_all_download_refused_untouched(void **state)
{
	(void)state;
	struct fixture f;
	char pkg[1200];
	struct unifw_error err = { 0 };
	phone_open(&f, "s10-like");
	package(&f, sim_firmware_universal(), NULL, "universal", pkg, sizeof pkg);
	size_t len;
	uint8_t *before = read_part(f.e, "NVRAM", &len);
	assert_int_not_equal(sim_format_all_download(f.e, pkg, &err), 0);
	assert_non_null(strstr(err.msg, "Format All + Download"));
	assert_non_null(strstr(err.msg, "boot region"));
	uint8_t *after = read_part(f.e, "NVRAM", &len);
	assert_memory_equal(before, after, len);
	free(before);
	free(after);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	phone_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cid_crc7_and_serial),
		cmocka_unit_test(test_identities_distinct),
		cmocka_unit_test(test_unit1_is_the_model),
		cmocka_unit_test(test_unit_range),
		cmocka_unit_test(test_units_share_firmware_not_identity),
		cmocka_unit_test(test_format_all_download),
		cmocka_unit_test(test_format_all_download_refused_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
