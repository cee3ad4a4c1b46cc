/* The catalog (src/catalog): schema v1 on an empty database, a v1 database written by an older build
 * reopened, the migration framework with a test-only v2 step (applied in a transaction; a failing step
 * rolls back; a newer database refused), other files refused, add and skip by content hash (the A516
 * package from the corpus as a folder and a zip), list and show, and match's ranking over fingerprints
 * built here, with check's own reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <zlib.h>

#include "catalog/catalog_internal.h"
#include "package_fixtures.h"
#include "testutil.h"
#include "unifw/catalog.h"
#include "unifw/check.h"
#include "unifw/fingerprint.h"

/* The v1 schema as docs/catalog.md writes it down: what an older build (schema 1, before the cache) created. */
static const char older_v1[] =
	"CREATE TABLE entries (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind TEXT NOT NULL CHECK (kind IN ('package', 'backup')), path TEXT NOT NULL,"
	" content_sha256 TEXT NOT NULL UNIQUE CHECK (length(content_sha256) = 64), size INTEGER NOT NULL CHECK (size >= 0),"
	" added_utc TEXT NOT NULL, fp_version INTEGER NOT NULL, platform TEXT NOT NULL DEFAULT '',"
	" storage TEXT NOT NULL DEFAULT '', project TEXT NOT NULL DEFAULT '', boot_region INTEGER,"
	" android TEXT NOT NULL DEFAULT '', lk_lcm TEXT NOT NULL DEFAULT '', kernel_lcm TEXT NOT NULL DEFAULT '',"
	" has_preloader INTEGER NOT NULL DEFAULT 0, fingerprint_json TEXT NOT NULL);"
	"CREATE INDEX entries_kind_platform ON entries (kind, platform);"
	"INSERT INTO entries (kind, path, content_sha256, size, added_utc, fp_version, platform, project, boot_region,"
	" android, lk_lcm, kernel_lcm, has_preloader, fingerprint_json) VALUES ('package', '/old/pkg.zip',"
	" '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 1234, '2026-01-01T00:00:00Z', 1,"
	" 'MT6572', 'old_project', 12582912, '4.4.2', 'hx8379a_dsi_vdo,otm8018b_dsi_vdo', 'hx8379a_dsi_vdo', 1, '{}');"
	"PRAGMA application_id = 1970169463; PRAGMA user_version = 1;";

struct fx {
	char *dir;
	char db[4200];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	f->dir = test_mkdtemp();
	snprintf(f->db, sizeof f->db, "%s/catalog.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* ------------------------------------------------------------------------------------ schema */

static void empty_database_becomes_current(void **state)
{
	struct fx *f = *state;
	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), 0);
	assert_int_equal(catalog_schema_version(c, &err), UNIFW_CATALOG_SCHEMA);
	assert_string_equal(unifw_catalog_path(c), f->db);
	struct unifw_jv *list = NULL;
	assert_int_equal(unifw_catalog_list(c, &list, &err), 0);
	assert_int_equal(unifw_jv_len(list), 0);
	unifw_jv_free(list);
	unifw_catalog_close(c);
	assert_int_equal(raw_int(f->db, "PRAGMA user_version"), UNIFW_CATALOG_SCHEMA);
	assert_int_equal(raw_int(f->db, "PRAGMA application_id"), 0x756e6677);
	assert_int_equal(raw_int(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('entries', 'fp_cache')"), 2);
	/* reopened: nothing to migrate */
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), 0);
	assert_int_equal(catalog_schema_version(c, &err), UNIFW_CATALOG_SCHEMA);
	unifw_catalog_close(c);
}

static void older_v1_database_reopens(void **state)
{
	struct fx *f = *state;
	raw_exec(f->db, older_v1);
	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), 0);
	/* v1 -> v2: the cache table added, the entry kept */
	assert_int_equal(catalog_schema_version(c, &err), 2);
	assert_int_equal(raw_int(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'fp_cache'"), 1);
	struct unifw_jv *list = NULL;
	assert_int_equal(unifw_catalog_list(c, &list, &err), 0);
	assert_int_equal(unifw_jv_len(list), 1);
	const struct unifw_jv *e = unifw_jv_at(list, 0);
	assert_string_equal(unifw_jv_str(unifw_jv_get(e, "path")), "/old/pkg.zip");
	assert_string_equal(unifw_jv_str(unifw_jv_get(e, "project")), "old_project");
	assert_string_equal(unifw_jv_str(unifw_jv_get(e, "boot_region")), "0xc00000");
	assert_int_equal(unifw_jv_len(unifw_jv_get(e, "lk_lcm")), 2);
	assert_string_equal(unifw_jv_str(unifw_jv_path(e, "lk_lcm.1")), "otm8018b_dsi_vdo");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(e, "size")), 1234);
	assert_true(unifw_jv_truthy(unifw_jv_get(e, "has_preloader")));
	unifw_jv_free(list);
	struct unifw_jv *shown = NULL;
	assert_int_equal(unifw_catalog_show(c, 1, &shown, &err), 0);
	assert_int_equal(unifw_jv_type(unifw_jv_get(shown, "fingerprint")), UNIFW_JV_OBJECT);
	unifw_jv_free(shown);
	assert_int_equal(unifw_catalog_show(c, 2, &shown, &err), UNIFW_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "no catalog entry 2"));
	unifw_catalog_close(c);
}

/* The framework: a new version is one more array entry (here a test-only v3). */
static void next_step_applies_and_newer_is_refused(void **state)
{
	struct fx *f = *state;
	raw_exec(f->db, older_v1);
	struct catalog_migration steps[3] = {catalog_migrations[0], catalog_migrations[1],
					     {"ALTER TABLE entries ADD COLUMN note TEXT NOT NULL DEFAULT 'v3';"}};
	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	assert_int_equal(catalog_open_with(f->db, steps, 3, &c, &err), 0);
	assert_int_equal(catalog_schema_version(c, &err), 3);
	unifw_catalog_close(c);
	assert_int_equal(raw_int(f->db, "SELECT COUNT(*) FROM entries WHERE note = 'v3'"), 1); /* the row kept */
	/* this build knows version 2: a v3 file is a newer unifw's */
	unifw_error_clear(&err);
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), UNIFW_E_UNSUPPORTED);
	assert_null(c);
	assert_string_equal(err.where, f->db);
	assert_non_null(strstr(err.msg, "version 3 is newer"));
	/* and from empty, every step in a row */
	char db2[4300];
	snprintf(db2, sizeof db2, "%s/three.db", f->dir);
	assert_int_equal(catalog_open_with(db2, steps, 3, &c, &err), 0);
	assert_int_equal(catalog_schema_version(c, &err), 3);
	unifw_catalog_close(c);
}

static void failing_step_rolls_back(void **state)
{
	struct fx *f = *state;
	raw_exec(f->db, older_v1);
	struct catalog_migration steps[3] = {catalog_migrations[0], catalog_migrations[1],
					     {"ALTER TABLE entries ADD COLUMN x TEXT; CREATE TABLE entries (broken);"}};
	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	assert_int_equal(catalog_open_with(f->db, steps, 3, &c, &err), UNIFW_E_LIBRARY);
	assert_non_null(strstr(err.msg, "migration to catalog schema 3"));
	assert_non_null(strstr(err.msg, "already exists")); /* sqlite's own words */
	assert_int_equal(raw_int(f->db, "PRAGMA user_version"), 2); /* v1 -> v2 went through, v3 did not */
	/* the first statement of the step was rolled back with it */
	assert_int_equal(raw_int(f->db, "SELECT COUNT(*) FROM pragma_table_info('entries') WHERE name = 'x'"), 0);
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), 0);
	unifw_catalog_close(c);
}

static void other_files_are_refused(void **state)
{
	struct fx *f = *state;
	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	raw_exec(f->db, "CREATE TABLE contacts (name TEXT);");
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "not a unifw catalog"));
	assert_int_equal(raw_int(f->db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'entries'"), 0);

	char other[4300];
	snprintf(other, sizeof other, "%s/app.db", f->dir);
	raw_exec(other, "PRAGMA application_id = 42;");
	assert_int_equal(unifw_catalog_open(other, &c, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "application_id 0x2a"));

	char text[4300];
	snprintf(text, sizeof text, "%s/notes.txt", f->dir);
	test_write_file(text, "these are not the droids you are looking for, nor a database\n", 62);
	unifw_error_clear(&err);
	assert_int_equal(unifw_catalog_open(text, &c, &err), UNIFW_E_LIBRARY);
	assert_string_equal(err.where, text);
	assert_non_null(strstr(err.msg, "not a database"));
}

static void default_path_follows_xdg(void **state)
{
	(void)state;
	char out[4096];
	struct unifw_error err;
	char *old_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
	setenv("XDG_DATA_HOME", "/x/data", 1);
	assert_int_equal(unifw_catalog_default_path(out, sizeof out, &err), 0);
	assert_string_equal(out, "/x/data/unifw/catalog.db");
	setenv("XDG_DATA_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/tech", 1);
	assert_int_equal(unifw_catalog_default_path(out, sizeof out, &err), 0);
	assert_string_equal(out, "/home/tech/.local/share/unifw/catalog.db");
	if (old_xdg)
		setenv("XDG_DATA_HOME", old_xdg, 1);
	else
		unsetenv("XDG_DATA_HOME");
	free(old_xdg);
}

/* ------------------------------------------------------------------------------------ add */

static void add_skips_known_content(void **state)
{
	struct fx *f = *state;
	struct member m[A516_COUNT];
	size_t n = a516_members(m, "");
	char folder[4300], zip[4300], copy[4300], loose[4300];
	snprintf(folder, sizeof folder, "%s/a516", f->dir);
	snprintf(copy, sizeof copy, "%s/a516-copy", f->dir);
	snprintf(zip, sizeof zip, "%s/a516.zip", f->dir);
	snprintf(loose, sizeof loose, "%s/loose", f->dir);
	assert_int_equal(mkdir(folder, 0755) | mkdir(copy, 0755) | mkdir(loose, 0755), 0);
	write_folder(folder, m, n);
	write_folder(copy, m, n);
	write_archive(zip, "zip", NULL, false, m, n);
	write_folder(loose, m + 1, 1); /* one image, no scatter */
	free_members(m, n);

	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), 0);
	int64_t id1, id2, id3, id4;
	bool added;
	assert_int_equal(unifw_catalog_add(c, folder, NULL, &id1, &added, &err), 0);
	assert_true(added);
	assert_int_equal(unifw_catalog_add(c, folder, NULL, &id2, &added, &err), 0);
	assert_false(added);
	assert_int_equal(id2, id1);
	/* the same files elsewhere are the same content */
	assert_int_equal(unifw_catalog_add(c, copy, NULL, &id2, &added, &err), 0);
	assert_false(added);
	assert_int_equal(id2, id1);
	/* an archive's hash is its bytes: a new entry, skipped the second time */
	assert_int_equal(unifw_catalog_add(c, zip, NULL, &id3, &added, &err), 0);
	assert_true(added);
	assert_int_not_equal(id3, id1);
	assert_int_equal(unifw_catalog_add(c, zip, NULL, &id4, &added, &err), 0);
	assert_false(added);
	assert_int_equal(id4, id3);
	/* a folder that is neither package nor backup */
	unifw_error_clear(&err);
	assert_int_equal(unifw_catalog_add(c, loose, NULL, &id4, &added, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "nothing to index"));
	assert_int_equal(unifw_catalog_add(c, "/nonexistent/pkg.zip", NULL, &id4, &added, &err), UNIFW_E_IO);

	struct unifw_jv *list = NULL;
	assert_int_equal(unifw_catalog_list(c, &list, &err), 0);
	assert_int_equal(unifw_jv_len(list), 2);
	const struct unifw_jv *e = unifw_jv_at(list, 0);
	assert_string_equal(unifw_jv_str(unifw_jv_get(e, "kind")), "package");
	assert_string_equal(unifw_jv_str(unifw_jv_get(e, "platform")), "MT6572");
	assert_true(unifw_jv_truthy(unifw_jv_get(e, "has_preloader")));
	assert_int_equal(strlen(unifw_jv_str(unifw_jv_get(e, "content_sha256"))), 64);
	assert_string_equal(unifw_jv_str(unifw_jv_get(e, "path")), folder + (folder[0] != '/')); /* absolute */
	unifw_jv_free(list);

	/* show: the stored fingerprint reads back into the same fingerprint */
	struct unifw_jv *shown = NULL;
	assert_int_equal(unifw_catalog_show(c, id3, &shown, &err), 0);
	struct unifw_fingerprint *back = calloc(1, sizeof *back), *fresh = calloc(1, sizeof *fresh);
	assert_int_equal(unifw_fingerprint_from_json(unifw_jv_get(shown, "fingerprint"), back, &err), 0);
	assert_int_equal(unifw_fingerprint_path(zip, fresh, &err), 0);
	assert_string_equal(back->project, fresh->project);
	assert_int_equal(back->part_count, fresh->part_count);
	assert_int_equal(back->emi_tag_count, fresh->emi_tag_count);
	free(back);
	free(fresh);
	unifw_jv_free(shown);
	unifw_catalog_close(c);
}

/* ------------------------------------------------------------------------------------ match */

/* A phone (as its backup sees it) and packages made from it by changing one thing. */
static void base_fingerprint(struct unifw_fingerprint *fp, enum unifw_fp_source src, const char *project)
{
	memset(fp, 0, sizeof *fp);
	fp->source = src;
	snprintf(fp->path, sizeof fp->path, "/fixtures/%s", project);
	snprintf(fp->platform, sizeof fp->platform, "MT6572");
	fp->hw_code = 0x6572;
	snprintf(fp->storage, sizeof fp->storage, "EMMC");
	snprintf(fp->project, sizeof fp->project, "%s", project);
	fp->have_layout = true;
	fp->boot_region = 0xC00000;
	static const char *const names[] = {"PRELOADER", "MBR", "EBR1", "UBOOT", "BOOTIMG", "ANDROID", "USRDATA"};
	for (size_t i = 0; i < 7; i++) {
		struct unifw_fp_part *p = &fp->parts[fp->part_count++];
		snprintf(p->name, sizeof p->name, "%s", names[i]);
		p->linear = i ? 0xC00000 + (uint64_t)(i - 1) * 0x1000000 : 0;
		p->size = i ? 0x1000000 : 0xC00000;
		p->mbr_index = i >= 5 ? (unsigned)(i - 3) : 0;
		p->download = true;
		p->image_bytes = 0x10000; /* written by the Download: what check compares */
	}
	fp->have_lk = true;
	fp->lk_has_header = true;
	unifw_names_add(&fp->lk_lcm, "hx8379a_dsi_vdo");
	fp->have_kernel = true;
	unifw_names_add(&fp->kernel_lcm, "hx8379a_dsi_vdo");
	unifw_names_add(&fp->kernel_touch, "ft5x06");
	unifw_names_add(&fp->kernel_camera, "ov5645_mipi_yuv");
	snprintf(fp->android_release, sizeof fp->android_release, "4.2.2");
	fp->have_android = true;
	fp->system_valid = true;
	fp->have_wlan = fp->wlan_module_present = true;
	snprintf(fp->wlan_module_vermagic, sizeof fp->wlan_module_vermagic, "3.4.5 SMP preempt mod_unload ARMv7 ");
	if (src != UNIFW_FP_PACKAGE) {
		snprintf(fp->panel_lcm, sizeof fp->panel_lcm, "hx8379a_dsi_vdo");
		snprintf(fp->panel_rule, sizeof fp->panel_rule, "only_driver");
	}
}

static int64_t insert(struct unifw_catalog *c, const char *kind, const struct unifw_fingerprint *fp, int n)
{
	char hex[65];
	snprintf(hex, sizeof hex, "%064x", n);
	int64_t id = 0;
	struct unifw_error err;
	if (catalog_insert(c, kind, fp->path, hex, 1000u + (unsigned)n, fp, &id, &err) != 1)
		fail_msg("insert %s: %s", fp->path, err.msg);
	return id;
}

static void match_ranks_with_checks_reasons(void **state)
{
	struct fx *f = *state;
	struct unifw_fingerprint *phone = calloc(1, sizeof *phone), *pkg = calloc(1, sizeof *pkg);
	base_fingerprint(phone, UNIFW_FP_BACKUP, "phone_project");
	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), 0);

	base_fingerprint(pkg, UNIFW_FP_PACKAGE, "other_project"); /* identical but for the project */
	int64_t other = insert(c, "package", pkg, 1);
	base_fingerprint(pkg, UNIFW_FP_PACKAGE, "no_panel_driver");
	memset(&pkg->lk_lcm, 0, sizeof pkg->lk_lcm);
	unifw_names_add(&pkg->lk_lcm, "otm8018b_dsi_vdo");
	memset(&pkg->kernel_lcm, 0, sizeof pkg->kernel_lcm);
	unifw_names_add(&pkg->kernel_lcm, "otm8018b_dsi_vdo");
	int64_t wrong_lcm = insert(c, "package", pkg, 2);
	base_fingerprint(pkg, UNIFW_FP_PACKAGE, "phone_project"); /* the phone's own */
	int64_t own = insert(c, "package", pkg, 3);
	base_fingerprint(pkg, UNIFW_FP_PACKAGE, "phone_project");
	snprintf(pkg->platform, sizeof pkg->platform, "MT6582");
	int64_t mt6582 = insert(c, "package", pkg, 4);
	base_fingerprint(pkg, UNIFW_FP_BACKUP, "phone_project"); /* backups are not candidates */
	insert(c, "backup", pkg, 5);

	struct unifw_jv *ranked = NULL;
	assert_int_equal(unifw_catalog_match(c, phone, NULL, &ranked, &err), 0);
	assert_int_equal(unifw_jv_len(ranked), 4);
	/* the phone's own project before an identical package of another project */
	assert_int_equal(unifw_jv_i64(unifw_jv_path(ranked, "0.id")), own);
	int64_t pos_other = -1;
	int prev_verdict = -1, prev_boot = -1;
	for (size_t i = 0; i < unifw_jv_len(ranked); i++) {
		const struct unifw_jv *e = unifw_jv_at(ranked, i);
		assert_int_equal(unifw_jv_u64(unifw_jv_get(e, "rank")), i + 1);
		int64_t id = unifw_jv_i64(unifw_jv_get(e, "id"));
		pos_other = id == other ? (int64_t)i : pos_other;
		/* the same reasons unifw check gives for this pair */
		struct unifw_jv *shown = NULL;
		assert_int_equal(unifw_catalog_show(c, id, &shown, &err), 0);
		assert_int_equal(unifw_fingerprint_from_json(unifw_jv_get(shown, "fingerprint"), pkg, &err), 0);
		unifw_jv_free(shown);
		struct unifw_check_result *r = calloc(1, sizeof *r);
		unifw_check(pkg, phone, NULL, r);
		struct unifw_jv *direct = unifw_check_to_json(r);
		char *a = unifw_jv_to_string(unifw_jv_get(direct, "items"), false);
		char *b = unifw_jv_to_string(unifw_jv_get(e, "items"), false);
		assert_string_equal(a, b);
		assert_string_equal(unifw_jv_str(unifw_jv_get(e, "verdict")), unifw_check_verdict_code(r->verdict));
		/* best first: verdicts never improve down the list, nor boots within one verdict */
		int boot = catalog_boot_rank(r->predicted_boot);
		assert_true((int)r->verdict >= prev_verdict);
		if ((int)r->verdict == prev_verdict)
			assert_true(boot >= prev_boot);
		prev_verdict = (int)r->verdict;
		prev_boot = boot;
		if (id == wrong_lcm || id == mt6582)
			assert_int_not_equal(r->verdict, UNIFW_CHECK_SAFE);
		free(a);
		free(b);
		unifw_jv_free(direct);
		free(r);
	}
	assert_int_equal(pos_other, 1);
	unifw_jv_free(ranked);
	unifw_catalog_close(c);
	free(phone);
	free(pkg);
}

/* match reads the cache rows add wrote; without them (an older build's entries) it reads the JSON, gives
 * the same ranking and writes the rows. */
static void match_same_with_and_without_cache(void **state)
{
	struct fx *f = *state;
	if (!catalog_cache_enabled())
		fail_msg("the fingerprint cache is off: include/unifw/fingerprint.h changed (sizeof %zu, version %u); review "
			 "catalog_fp_sanitize in src/catalog/catalog_cache.c for the new fields, then CATALOG_FP_REVIEWED_*",
			 sizeof(struct unifw_fingerprint), (unsigned)UNIFW_FP_VERSION);
	struct unifw_fingerprint *phone = calloc(1, sizeof *phone), *pkg = calloc(1, sizeof *pkg);
	base_fingerprint(phone, UNIFW_FP_BACKUP, "phone_project");
	struct unifw_catalog *c = NULL;
	struct unifw_error err;
	assert_int_equal(unifw_catalog_open(f->db, &c, &err), 0);
	for (int i = 0; i < 6; i++) {
		base_fingerprint(pkg, UNIFW_FP_PACKAGE, i % 2 ? "phone_project" : "other");
		pkg->boot_region = i % 3 ? 0xC00000 : 0x600000;
		insert(c, "package", pkg, i + 1);
	}
	assert_int_equal(raw_int(f->db, "SELECT COUNT(*) FROM fp_cache"), 6);
	struct unifw_jv *cached = NULL, *fresh = NULL;
	assert_int_equal(unifw_catalog_match(c, phone, NULL, &cached, &err), 0);
	raw_exec(f->db, "DELETE FROM fp_cache; INSERT INTO fp_cache VALUES (1, 'fp1-v0', x'00');");
	assert_int_equal(unifw_catalog_match(c, phone, NULL, &fresh, &err), 0);
	char *a = unifw_jv_to_string(cached, false), *b = unifw_jv_to_string(fresh, false);
	assert_string_equal(a, b);
	/* the rows are back, with this build's layout */
	assert_int_equal(raw_int(f->db, "SELECT COUNT(*) FROM fp_cache WHERE layout != 'fp1-v0'"), 6);
	free(a);
	free(b);
	unifw_jv_free(cached);
	unifw_jv_free(fresh);
	unifw_catalog_close(c);
	free(phone);
	free(pkg);
}

/* A cache row is bytes from a file: whatever they hold, the struct read from them is safe to use. */
static void hostile_cache_rows_are_sanitized(void **state)
{
	(void)state;
	struct unifw_fingerprint *fp = malloc(sizeof *fp), *back = malloc(sizeof *back);
	memset(fp, 0xA5, sizeof *fp); /* no NUL anywhere, counts huge, bools 0xa5 */
	uLongf len = compressBound(sizeof *fp);
	Bytef *z = malloc(len);
	assert_int_equal(compress2(z, &len, (const Bytef *)fp, sizeof *fp, 1), Z_OK);
	assert_true(catalog_cache_get(z, len, back));
	assert_true(strlen(back->path) < sizeof back->path);
	assert_true(strlen(back->notes[UNIFW_FP_MAX_NOTES - 1]) < sizeof back->notes[0]);
	assert_true(strlen(back->parts[UNIFW_FP_MAX_PARTS - 1].content) < sizeof back->parts[0].content);
	assert_true(strlen(back->kernel_touch.name[UNIFW_NAMES_MAX - 1]) < UNIFW_NAME_LEN);
	assert_true(strlen(back->kernel_camera.name[UNIFW_NAMES_MAX - 1]) < UNIFW_NAME_LEN);
	assert_true(back->kernel_camera.count <= UNIFW_NAMES_MAX);
	assert_true(back->part_count <= UNIFW_FP_MAX_PARTS && back->kmap_count <= UNIFW_FP_MAX_PARTS);
	assert_true(back->emi_tag_count <= UNIFW_FP_MAX_EMI && back->emi_tag[3].id_length <= 16);
	assert_true(back->lk_lcm.count <= UNIFW_NAMES_MAX && back->note_count <= UNIFW_FP_MAX_NOTES);
	assert_true(back->source <= UNIFW_FP_PHONE);
	unsigned char raw;
	memcpy(&raw, &back->have_layout, 1);
	assert_int_equal(raw, 1);
	memcpy(&raw, &back->parts[7].download, 1);
	assert_int_equal(raw, 1);
	assert_true(strlen(back->wlan_module_vermagic) < sizeof back->wlan_module_vermagic);
	memcpy(&raw, &back->wlan_module_present, 1);
	assert_int_equal(raw, 1);
	assert_true(strlen(back->md_build_ver) < sizeof back->md_build_ver);
	assert_true(back->touch_fw.count <= UNIFW_NAMES_MAX);
	assert_true(strlen(back->touch_fw.name[UNIFW_NAMES_MAX - 1]) < UNIFW_NAME_LEN);
	memcpy(&raw, &back->have_touch_fw, 1);
	assert_int_equal(raw, 1);
	/* and the check runs on it (ASan/UBSan builds see any out-of-bounds read), also as a package that is
	 * not the phone itself (the rules comparing the two sides' modem and touch firmware) */
	struct unifw_check_result *r = malloc(sizeof *r);
	unifw_check(back, back, NULL, r);
	struct unifw_jv *j = unifw_check_to_json(r);
	assert_non_null(j);
	unifw_jv_free(j);
	struct unifw_fingerprint *other = malloc(sizeof *other);
	memcpy(other, back, sizeof *other);
	unifw_check(other, back, NULL, r);
	free(other);
	/* truncated or other-sized blobs are refused */
	assert_false(catalog_cache_get(z, len / 2, back));
	assert_false(catalog_cache_get("junk", 4, back));
	assert_false(catalog_cache_get(NULL, 0, back));
	free(r);
	free(z);
	free(fp);
	free(back);
}

static void boot_rank_orders_outcomes(void **state)
{
	(void)state;
	assert_true(catalog_boot_rank("boots") < catalog_boot_rank("boots_with_faults"));
	assert_true(catalog_boot_rank("boots_with_faults") < catalog_boot_rank("white_screen"));
	assert_true(catalog_boot_rank("boot_loop") < catalog_boot_rank("dead"));
	assert_true(catalog_boot_rank("dead") < catalog_boot_rank("something_new"));
	assert_true(catalog_boot_rank("dead") < catalog_boot_rank(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(empty_database_becomes_current, setup, teardown),
		cmocka_unit_test_setup_teardown(older_v1_database_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(next_step_applies_and_newer_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(failing_step_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(other_files_are_refused, setup, teardown),
		cmocka_unit_test(default_path_follows_xdg),
		cmocka_unit_test(boot_rank_orders_outcomes),
		cmocka_unit_test_setup_teardown(add_skips_known_content, setup, teardown),
		cmocka_unit_test_setup_teardown(match_ranks_with_checks_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(match_same_with_and_without_cache, setup, teardown),
		cmocka_unit_test(hostile_cache_rows_are_sanitized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
