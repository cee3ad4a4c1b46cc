/* The identity vault and identity health (vault.h, idhealth.h): the prune rule (a phone's oldest and newest
 * entries never go, keep N, dry run), entry verification (a changed byte or a missing file refused, naming
 * the file; an unfinished entry refused; a manifest naming a path outside the entry refused), the newest
 * healthy entry, and the health verdicts on BinRegions built with unifw_nvram_build. Entries are built
 * here as unifw_vault_backup lays them out: images + manifest.json (SHA-256s) + nvram/ tree. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unifw/backup.h"
#include "unifw/hash.h"
#include "unifw/idhealth.h"
#include "unifw/json.h"
#include "unifw/nvram.h"
#include "unifw/vault.h"
#include "util/bytes.h"

#define CID_HEX "1501004e355530304d1100000516a6f9"

static const uint8_t own_mac[6] = {0x02, 0x5a, 0x11, 0x05, 0x16, 0x01};
static const uint8_t own_bt[6] = {0x02, 0x5a, 0x21, 0x05, 0x16, 0x01};
static const uint8_t template_mac[6] = {0x00, 0x08, 0x22, 0x12, 0x34, 0x56};
static const uint8_t default_bt[6] = {0x00, 0x00, 0x46, 0x65, 0x72, 0x01}; /* CFG_BT_Default.h stBtDefault_6572 */

struct nv_spec {
	const uint8_t *mac, *bt;
	bool imei, imei2, calibration;
};

static uint8_t wifi[512], bt[64], cal[1024], rec[40], rec2[40];

/* A BinRegion with the files the spec asks for. The "IMEI record" is a filler pattern of the right name. */
static uint8_t *build_nvram(const struct nv_spec *s, size_t *len)
{
	struct unifw_nvram_input in[8];
	size_t n = 0;
	memset(wifi, 0, sizeof wifi);
	memcpy(wifi + UNIFW_NVRAM_WIFI_MAC_OFFSET, s->mac, 6);
	memset(bt, 0, sizeof bt);
	memcpy(bt, s->bt, 6);
	memset(cal, 0x5c, sizeof cal);
	memset(rec, 0xA7, sizeof rec);
	memset(rec2, 0xB3, sizeof rec2);
	in[n++] = (struct unifw_nvram_input){"/data/nvram/" UNIFW_NVRAM_WIFI, wifi, sizeof wifi, 0};
	in[n++] = (struct unifw_nvram_input){"/data/nvram/" UNIFW_NVRAM_BT_ADDR, bt, sizeof bt, 0};
	if (s->calibration)
		in[n++] = (struct unifw_nvram_input){"/data/nvram/md/NVRAM/CALIBRAT/ML1A_000", cal, sizeof cal, 2};
	if (s->imei)
		in[n++] = (struct unifw_nvram_input){"/data/nvram/" UNIFW_NVRAM_IMEI, rec, sizeof rec, 3};
	if (s->imei2)
		in[n++] = (struct unifw_nvram_input){"/data/nvram/md/NVRAM/NVD_IMEI/MP0B_002", rec2, sizeof rec2, 3};
	uint8_t *b = NULL;
	struct unifw_error e;
	if (unifw_nvram_build(in, n, 0, &b, len, &e))
		fail_msg("nvram build: %s", e.msg);
	return b;
}

static void sha_hex(const void *b, size_t n, char hex[65])
{
	uint8_t d[32];
	unifw_sha256(b, n, d);
	unifw_hex(d, 32, hex);
}

static void mkdirs(const char *path)
{
	char p[4096];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0700);
			*s = '/';
		}
	mkdir(p, 0700);
}

/* An entry <root>/<CID>/<name>: nvram.bin (+ pro_info.bin) and, when tree, nvram/ with the IMEI record
 * and the WiFi file, all listed in manifest.json with their SHA-256. */
static void make_entry(const char *root, const char *name, const struct nv_spec *s, bool tree)
{
	char dir[4096], path[4200], hex[65];
	snprintf(dir, sizeof dir, "%s/" CID_HEX "/%s", root, name);
	mkdirs(dir);
	size_t len;
	uint8_t *nv = build_nvram(s, &len);
	uint8_t pro[4096];
	memset(pro, 0x3c, sizeof pro);
	struct unifw_jv *m = unifw_jv_object();
	unifw_jv_set_str(m, "kind", UNIFW_BACKUP_KIND);
	unifw_jv_set_str(m, "scope", "identity");
	unifw_jv_set_strf(m, "created", "2026-12-%.2s", name + 15);
	struct unifw_jv *parts = unifw_jv_set_arr(m, "partitions");
	const struct {
		const char *file;
		const void *b;
		size_t n;
	} img[] = {{"nvram.bin", nv, len}, {"pro_info.bin", pro, sizeof pro}};
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, img[i].file);
		test_write_file(path, img[i].b, img[i].n);
		sha_hex(img[i].b, img[i].n, hex);
		struct unifw_jv *p = unifw_jv_push_obj(parts);
		unifw_jv_set_str(p, "file", img[i].file);
		unifw_jv_set_str(p, "sha256", hex);
	}
	struct unifw_jv *v = unifw_jv_set_obj(m, "vault");
	unifw_jv_set_str(v, "reason", "manual");
	if (tree) {
		struct unifw_jv *t = unifw_jv_set_arr(v, "nvram_tree");
		snprintf(path, sizeof path, "%s/nvram/md/NVRAM/NVD_IMEI", dir);
		mkdirs(path);
		snprintf(path, sizeof path, "%s/nvram/APCFG/APRDEB", dir);
		mkdirs(path);
		const struct {
			const char *rel;
			const void *b;
			size_t n;
		} f[] = {{UNIFW_NVRAM_IMEI, rec, sizeof rec}, {UNIFW_NVRAM_WIFI, wifi, sizeof wifi}};
		for (size_t i = 0; i < 2; i++) {
			snprintf(path, sizeof path, "%s/nvram/%s", dir, f[i].rel);
			test_write_file(path, f[i].b, f[i].n);
			sha_hex(f[i].b, f[i].n, hex);
			struct unifw_jv *o = unifw_jv_push_obj(t);
			unifw_jv_set_str(o, "path", f[i].rel);
			unifw_jv_set_str(o, "kind", "file");
			unifw_jv_set_uint(o, "size", f[i].n);
			unifw_jv_set_str(o, "sha256", hex);
		}
	} else {
		unifw_jv_set(v, "nvram_tree", NULL);
	}
	char *text = unifw_jv_to_string(m, true);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	test_write_file(path, text, strlen(text));
	free(text);
	unifw_jv_free(m);
	free(nv);
}

static const struct nv_spec healthy = {own_mac, own_bt, true, false, true};

/* ---------------------------------------------------------------- prune */

static void prune_select_rule(void **state)
{
	(void)state;
	struct unifw_vault_entry e[6];
	struct unifw_vault_phone p = {.entries = e};
	bool del[6];
	memset(e, 0, sizeof e);
	for (size_t n = 0; n <= 6; n++) {
		p.count = n;
		for (size_t keep = 0; keep <= 7; keep++) {
			size_t going = unifw_vault_prune_select(&p, keep, del), k = keep < 2 ? 2 : keep, count = 0;
			if (n) {
				assert_false(del[0]);     /* the oldest stays */
				assert_false(del[n - 1]); /* the newest stays */
			}
			for (size_t i = 0; i < n; i++)
				count += del[i];
			assert_int_equal(count, going);
			assert_int_equal(n - going, n > k ? k : n);
			/* the ones that go are the oldest after the first */
			for (size_t i = 1; i + 1 < n; i++)
				if (i <= going)
					assert_true(del[i]);
				else
					assert_false(del[i]);
		}
	}
}

static void prune_keep_and_dry_run(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	const char *names[] = {"identity-20261201-100000", "identity-20261202-100000", "identity-20261203-100000",
			       "identity-20261203-100000-2", "identity-20261203-100000-10", "identity-20261204-100000"};
	for (size_t i = 0; i < 6; i++)
		make_entry(dir, names[i], &healthy, i % 2);
	/* a link named like an entry is no entry: not listed, never deleted through */
	char link[4200], target[4200];
	snprintf(target, sizeof target, "%s/" CID_HEX "/%s", dir, names[2]);
	snprintf(link, sizeof link, "%s/" CID_HEX "/identity-20261209-100000", dir);
	assert_int_equal(symlink(target, link), 0);
	struct unifw_vault_phone *ph = NULL;
	size_t n = 0;
	struct unifw_error err;
	assert_int_equal(unifw_vault_list(dir, &ph, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ph[0].cid, CID_HEX);
	assert_int_equal(ph[0].count, 6);
	for (size_t i = 0; i < 6; i++) /* oldest first; "-10" after "-2" */
		assert_string_equal(ph[0].entries[i].name, names[i]);
	assert_true(ph[0].entries[0].complete);
	assert_false(ph[0].entries[0].has_nvram_tree);
	assert_true(ph[0].entries[1].has_nvram_tree);
	assert_string_equal(ph[0].entries[1].reason, "manual");
	assert_true(ph[0].entries[1].bytes > UNIFW_NVRAM_DEFAULT_REGION);
	unifw_vault_list_free(ph, n);

	struct unifw_vault_prune_result r;
	assert_int_equal(unifw_vault_prune(dir, NULL, 3, true, &r, &err), 0);
	assert_int_equal(r.deleted, 3);
	assert_true(r.bytes_freed > 3ull * UNIFW_NVRAM_DEFAULT_REGION);
	assert_int_equal(unifw_vault_list(dir, &ph, &n, &err), 0);
	assert_int_equal(ph[0].count, 6); /* dry run: nothing deleted */
	unifw_vault_list_free(ph, n);

	uint8_t other[16] = {0x11};
	assert_int_equal(unifw_vault_prune(dir, other, 2, false, &r, &err), 0);
	assert_int_equal(r.deleted, 0); /* another phone's CID: this one untouched */

	assert_int_equal(unifw_vault_prune(dir, NULL, 0, false, &r, &err), 0); /* keep 0 acts as 2 */
	assert_int_equal(r.deleted, 4);
	assert_int_equal(unifw_vault_list(dir, &ph, &n, &err), 0);
	assert_int_equal(ph[0].count, 2);
	assert_string_equal(ph[0].entries[0].name, names[0]);
	assert_string_equal(ph[0].entries[1].name, names[5]);
	unifw_vault_list_free(ph, n);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0); /* the link stays, its target went with the prune */
	assert_true(S_ISLNK(st.st_mode));
	test_rmtree(dir);
	free(dir);
}

/* ---------------------------------------------------------------- verify */

static void verify_refuses_damage(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), entry[4096], path[4200];
	make_entry(dir, "identity-20261201-100000", &healthy, true);
	snprintf(entry, sizeof entry, "%s/" CID_HEX "/identity-20261201-100000", dir);
	struct unifw_error err;
	unifw_error_clear(&err);
	assert_int_equal(unifw_vault_entry_verify(entry, &err), 0);

	/* one byte of the tree's copy of the WiFi file changed */
	size_t len;
	snprintf(path, sizeof path, "%s/nvram/%s", entry, UNIFW_NVRAM_WIFI);
	uint8_t *b = test_read_file(path, &len);
	b[7] ^= 1;
	test_write_file(path, b, len);
	assert_int_equal(unifw_vault_entry_verify(entry, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "nvram/APCFG/APRDEB/WIFI"));
	assert_non_null(strstr(err.msg, "damaged"));
	b[7] ^= 1;
	test_write_file(path, b, len);
	free(b);
	assert_int_equal(unifw_vault_entry_verify(entry, &err), 0);

	/* an image missing */
	snprintf(path, sizeof path, "%s/pro_info.bin", entry);
	b = test_read_file(path, &len);
	remove(path);
	assert_int_equal(unifw_vault_entry_verify(entry, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "pro_info.bin is missing"));
	test_write_file(path, b, len);
	free(b);

	/* an unfinished entry */
	snprintf(path, sizeof path, "%s/%s", entry, UNIFW_VAULT_INCOMPLETE);
	test_write_file(path, "x", 1);
	assert_int_equal(unifw_vault_entry_verify(entry, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "incomplete"));
	struct unifw_vault_phone *ph = NULL;
	size_t n = 0;
	assert_int_equal(unifw_vault_list(dir, &ph, &n, &err), 0);
	assert_false(ph[0].entries[0].complete);
	unifw_vault_list_free(ph, n);
	remove(path);

	/* a manifest that names a file outside the entry */
	snprintf(path, sizeof path, "%s/manifest.json", entry);
	char *m = (char *)test_read_file(path, &len);
	char *at = strstr(m, "\"pro_info.bin\"");
	assert_non_null(at);
	memcpy(at, "\"../xx/oo.bin\"", 14);
	test_write_file(path, m, len);
	free(m);
	assert_int_equal(unifw_vault_entry_verify(entry, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "outside the entry"));
	test_rmtree(dir);
	free(dir);
}

static void newest_healthy_skips_bad_entries(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), root[4096], got[4096], path[4200];
	setenv("UNIFW_STATE_DIR", dir, 1);
	snprintf(root, sizeof root, "%s/identity", dir);
	uint8_t cid[16];
	assert_true(unifw_unhex(CID_HEX, cid, 16));
	struct unifw_error err;
	unifw_error_clear(&err);
	assert_int_equal(unifw_vault_newest_healthy(cid, got, sizeof got, &err), UNIFW_E_NOT_FOUND);

	const struct nv_spec no_imei = {own_mac, own_bt, false, false, true};
	make_entry(root, "identity-20261201-100000", &healthy, false);  /* good */
	make_entry(root, "identity-20261202-100000", &healthy, true);   /* good, but damaged below */
	make_entry(root, "identity-20261203-100000", &no_imei, false);  /* verifies, IMEI record missing */
	snprintf(path, sizeof path, "%s/" CID_HEX "/identity-20261202-100000/nvram.bin", root);
	size_t len;
	uint8_t *b = test_read_file(path, &len);
	b[len - 1] ^= 0x40;
	test_write_file(path, b, len);
	free(b);
	assert_int_equal(unifw_vault_newest_healthy(cid, got, sizeof got, &err), 0);
	assert_non_null(strstr(got, "identity-20261201-100000"));

	snprintf(path, sizeof path, "%s/" CID_HEX "/identity-20261201-100000/nvram.bin", root);
	remove(path);
	assert_int_equal(unifw_vault_newest_healthy(cid, got, sizeof got, &err), UNIFW_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "identity-20261203-100000")); /* the newest one, and why */
	unsetenv("UNIFW_STATE_DIR");
	test_rmtree(dir);
	free(dir);
}

/* ---------------------------------------------------------------- health */

static bool has_verdict(const struct unifw_idhealth *h, const char *code, enum unifw_idh_level level)
{
	for (size_t i = 0; i < h->verdict_count; i++)
		if (!strcmp(h->verdict[i].code, code) && h->verdict[i].level == level)
			return true;
	return false;
}

static void check(const struct nv_spec *s, const struct unifw_idh_tree *tree, struct unifw_idhealth *h)
{
	size_t len;
	uint8_t *b = build_nvram(s, &len);
	struct unifw_error err;
	assert_int_equal(unifw_idhealth_check(b, len, tree, h, &err), 0);
	free(b);
}

static void health_binregion_verdicts(void **state)
{
	(void)state;
	struct unifw_idhealth h;
	check(&healthy, NULL, &h);
	assert_int_equal(h.worst, UNIFW_IDH_OK);
	assert_true(has_verdict(&h, "identity_complete", UNIFW_IDH_OK));
	assert_true(h.binregion.available);
	assert_int_equal(h.binregion.file_count, 4);
	assert_int_equal(h.binregion.wifi_state, UNIFW_NVRAM_SET);
	assert_memory_equal(h.binregion.wifi_mac, own_mac, 6);
	assert_int_equal(h.binregion.calibration_files, 1);
	assert_false(h.binregion.dual_sim);
	assert_true(h.binregion.items[0].present && h.binregion.items[0].size_ok);
	assert_int_equal(h.binregion.items[0].size, sizeof rec);
	assert_false(h.tree.available);
	unifw_idhealth_free(&h);

	const struct nv_spec no_imei = {own_mac, own_bt, false, false, true};
	check(&no_imei, NULL, &h);
	assert_int_equal(h.worst, UNIFW_IDH_ERROR);
	assert_true(has_verdict(&h, "imei_missing", UNIFW_IDH_ERROR));
	assert_non_null(strstr(h.verdict[0].text, "IMEI null"));
	unifw_idhealth_free(&h);

	const struct nv_spec borrowed = {template_mac, default_bt, true, true, false};
	check(&borrowed, NULL, &h);
	assert_true(has_verdict(&h, "wifi_mac_template", UNIFW_IDH_WARNING));
	assert_true(has_verdict(&h, "bt_address_default", UNIFW_IDH_WARNING));
	assert_true(has_verdict(&h, "calibration_missing", UNIFW_IDH_ERROR));
	assert_true(h.binregion.dual_sim);
	assert_int_equal(h.binregion.item_count, 4); /* SIM 2's record listed because present */
	unifw_idhealth_free(&h);

	/* not a BinRegion at all: said, and the IMEI record counts as missing */
	uint8_t blank[4096];
	memset(blank, 0xFF, sizeof blank);
	struct unifw_error err;
	assert_int_equal(unifw_idhealth_check(blank, sizeof blank, NULL, &h, &err), 0);
	assert_false(h.binregion.available);
	assert_true(has_verdict(&h, "imei_missing", UNIFW_IDH_ERROR));
	unifw_idhealth_free(&h);
}

/* The 8-count File_Title_Header variant: the builder writes the 10-count one only, so the variant is
 * made from it by dropping the last two counts (docs/format-nvram.md). */
static void health_eight_count_header(void **state)
{
	(void)state;
	size_t len;
	uint8_t *b = build_nvram(&healthy, &len);
	struct unifw_nvram nv;
	struct unifw_error err;
	/* counts 8 and 9 (4 bytes) go, the ints and titles move up; the map size in the prefix follows (as
	 * test_nvram.c makes the variant) */
	uint32_t map_size = 0;
	get_le32(b, len, 0, &map_size);
	memmove(b + 24 + 16, b + 24 + 20, map_size - 12 - 20);
	put_le32(b, map_size - 4);
	assert_int_equal(unifw_nvram_parse(b, len, "t", &nv, &err), 0);
	assert_int_equal(nv.header_counts, 8);
	unifw_nvram_free(&nv);
	struct unifw_idhealth hh;
	assert_int_equal(unifw_idhealth_check(b, len, NULL, &hh, &err), 0);
	assert_true(hh.binregion.available);
	assert_int_equal(hh.binregion.file_count, 4);
	assert_true(has_verdict(&hh, "identity_complete", UNIFW_IDH_OK));
	unifw_idhealth_free(&hh);
	free(b);
}

/* The /data/nvram copy: a tree that has the IMEI record the BinRegion lacks. */
static int mem_read(void *ctx, const char *rel, size_t max, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	(void)ctx;
	if (strcmp(rel, UNIFW_NVRAM_WIFI))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, rel, UNIFW_NO_OFFSET, "not in this test's tree");
	assert_true(max >= sizeof wifi);
	*buf = malloc(sizeof wifi);
	memcpy(*buf, wifi, sizeof wifi);
	*len = sizeof wifi;
	return 0;
}

static void health_tree_versus_binregion(void **state)
{
	(void)state;
	const struct unifw_idh_file files[] = {{UNIFW_NVRAM_WIFI, 512}, {UNIFW_NVRAM_IMEI, 40},
					       {"md/NVRAM/CALIBRAT/ML1A_000", 1024}};
	struct unifw_idh_tree t = {.files = files, .count = 3, .read = mem_read};
	const struct nv_spec no_imei = {own_mac, own_bt, false, false, true};
	struct unifw_idhealth h;
	check(&no_imei, &t, &h);
	assert_true(h.tree.available);
	assert_true(has_verdict(&h, "binregion_lacks_imei", UNIFW_IDH_WARNING));
	assert_non_null(strstr(h.verdict[0].text, "next data wipe loses it"));
	assert_false(has_verdict(&h, "imei_missing", UNIFW_IDH_ERROR));
	assert_int_equal(h.tree.wifi_state, UNIFW_NVRAM_SET);
	assert_int_equal(h.tree.bt_state, UNIFW_NVRAM_ABSENT);
	assert_true(h.worst < UNIFW_IDH_ERROR);
	struct unifw_jv *o = unifw_jv_object();
	unifw_idhealth_to_json(&h, o);
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "healthy")));
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "nvram_tree.file_count")), 3);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "binregion.wifi_mac")), "02:5a:11:05:16:01");
	unifw_jv_free(o);
	unifw_idhealth_free(&h);

	/* the other way round: the tree lost it, the BinRegion keeps it */
	const struct unifw_idh_file lost[] = {{UNIFW_NVRAM_WIFI, 512}, {"md/NVRAM/CALIBRAT/ML1A_000", 1024}};
	t.files = lost;
	t.count = 2;
	check(&healthy, &t, &h);
	assert_true(has_verdict(&h, "tree_lacks_imei", UNIFW_IDH_NOTE));
	assert_true(h.worst < UNIFW_IDH_ERROR);
	unifw_idhealth_free(&h);
}

/* A backup folder as the health check reads it: nvram.bin and the nvram/ tree on disk; an empty tree is
 * a copy without the IMEI record, a folder without nvram.bin has no BinRegion. */
static void health_of_folder(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), entry[4096], path[4200];
	make_entry(dir, "identity-20261201-100000", &healthy, true);
	snprintf(entry, sizeof entry, "%s/" CID_HEX "/identity-20261201-100000", dir);
	struct unifw_idhealth h;
	struct unifw_error err;
	assert_int_equal(unifw_idhealth_of_folder(entry, &h, &err), 0);
	assert_true(h.binregion.available && h.tree.available);
	assert_int_equal(h.tree.file_count, 2);
	assert_int_equal(h.tree.wifi_state, UNIFW_NVRAM_SET);
	assert_memory_equal(h.tree.wifi_mac, own_mac, 6);
	assert_true(has_verdict(&h, "identity_complete", UNIFW_IDH_OK));
	unifw_idhealth_free(&h);

	snprintf(path, sizeof path, "%s/nvram", entry);
	test_rmtree(path);
	mkdir(path, 0700);
	assert_int_equal(unifw_idhealth_of_folder(entry, &h, &err), 0);
	assert_true(h.tree.available);
	assert_int_equal(h.tree.file_count, 0);
	assert_true(has_verdict(&h, "tree_lacks_imei", UNIFW_IDH_NOTE));
	unifw_idhealth_free(&h);

	snprintf(path, sizeof path, "%s/nvram.bin", entry);
	remove(path);
	assert_int_equal(unifw_idhealth_of_folder(entry, &h, &err), 0);
	assert_false(h.binregion.available);
	assert_non_null(strstr(h.binregion.note, "no nvram.bin"));
	assert_true(has_verdict(&h, "imei_missing", UNIFW_IDH_ERROR));
	unifw_idhealth_free(&h);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prune_select_rule),
		cmocka_unit_test(prune_keep_and_dry_run),
		cmocka_unit_test(verify_refuses_damage),
		cmocka_unit_test(newest_healthy_skips_bad_entries),
		cmocka_unit_test(health_binregion_verdicts),
		cmocka_unit_test(health_eight_count_header),
		cmocka_unit_test(health_tree_versus_binregion),
		cmocka_unit_test(health_of_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
