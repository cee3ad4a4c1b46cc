/* The catalog database (include/unifw/catalog.h, docs/catalog.md): opening (default path, migrations),
 * adding packages and backups by content hash, listing and showing entries. Every statement is prepared
 * with bound parameters: paths and fingerprint strings come from hostile files. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "catalog/catalog_internal.h"
#include "unifw/flash.h"
#include "unifw/hash.h"
#include "unifw/package.h"
#include "unifw/progress.h"
#include "util/clock.h"

/* A fingerprint's JSON is tens of KiB; a row far larger than this was not written by unifw. */
#define CATALOG_MAX_FP_JSON (16u << 20)
#define CATALOG_JSON_DEPTH 32u

int unifw_catalog_default_path(char *out, size_t cap, struct unifw_error *err)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;
	if (xdg && xdg[0] == '/') /* the XDG spec: a relative value is invalid and ignored */
		n = snprintf(out, cap, "%s/unifw/catalog.db", xdg);
	else if (home && home[0])
		n = snprintf(out, cap, "%s/.local/share/unifw/catalog.db", home);
	else
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "no catalog database: neither XDG_DATA_HOME nor HOME is set (use --db FILE)");
	if (n < 0 || (size_t)n >= cap)
		return unifw_error_set(err, UNIFW_E_INVALID, xdg ? xdg : home, UNIFW_NO_OFFSET, "path too long");
	return 0;
}

/* The default database's folders are created private (0700): a catalog lists what a user owns. */
static int make_parent(const char *path, struct unifw_error *err)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = 0;
	return unifw_flash_make_dirs(dir, err);
}

int catalog_open_with(const char *path, const struct catalog_migration *steps, size_t count,
		      struct unifw_catalog **out, struct unifw_error *err)
{
	*out = NULL;
	struct unifw_catalog *c = calloc(1, sizeof *c);
	if (!c)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	int rc = 0;
	if (path) {
		if (snprintf(c->path, sizeof c->path, "%s", path) >= (int)sizeof c->path)
			rc = unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "path too long");
	} else if ((rc = unifw_catalog_default_path(c->path, sizeof c->path, err)) == 0) {
		rc = make_parent(c->path, err);
	}
	if (!rc && sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		rc = catalog_sql_error(c->db, c->path, "open", err);
	if (!rc) {
		/* two unifw processes adding at once wait for each other instead of failing */
		sqlite3_busy_timeout(c->db, 10000);
		sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
		rc = catalog_migrate(c->db, c->path, steps, count, err);
	}
	if (rc) {
		unifw_catalog_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

int unifw_catalog_open(const char *path, struct unifw_catalog **out, struct unifw_error *err)
{
	return catalog_open_with(path, catalog_migrations, catalog_migration_count, out, err);
}

void unifw_catalog_close(struct unifw_catalog *c)
{
	if (!c)
		return;
	sqlite3_close(c->db);
	free(c);
}

const char *unifw_catalog_path(const struct unifw_catalog *c)
{
	return c->path;
}

int catalog_schema_version(struct unifw_catalog *c, struct unifw_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return catalog_sql_error(c->db, c->path, "PRAGMA user_version", err);
	int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return v < 0 ? catalog_sql_error(c->db, c->path, "PRAGMA user_version", err) : v;
}

/* ------------------------------------------------------------------------------------------ add */

/* The entry holding this content hash: 1 found (*id), 0 none, < 0 error. */
static int find_by_hash(struct unifw_catalog *c, const char *hex, int64_t *id, struct unifw_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT id FROM entries WHERE content_sha256 = ?1", -1, &st, NULL) != SQLITE_OK)
		return catalog_sql_error(c->db, c->path, "look up a content hash", err);
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : catalog_sql_error(c->db, c->path, "look up a content hash", err);
}

/* "a,b,c": the LCM drivers as a column list (driver names are C identifiers: no comma in them). */
static void join_names(const struct unifw_names *n, char *out, size_t cap)
{
	out[0] = 0;
	for (size_t i = 0; i < n->count; i++) {
		size_t len = strlen(out);
		if (snprintf(out + len, cap - len, "%s%s", i ? "," : "", n->name[i]) >= (int)(cap - len))
			break;
	}
}

struct new_entry {
	const char *kind, *path, *added;
	char hex[65];
	uint64_t size;
	const struct unifw_fingerprint *fp;
	const char *json;
};

static int insert_entry(struct unifw_catalog *c, const struct new_entry *e, int64_t *id, struct unifw_error *err)
{
	static const char sql[] =
		"INSERT INTO entries (kind, path, content_sha256, size, added_utc, fp_version, platform, storage, project,"
		" boot_region, android, lk_lcm, kernel_lcm, has_preloader, fingerprint_json)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
		return catalog_sql_error(c->db, c->path, "prepare the insert", err);
	char lk[UNIFW_NAMES_MAX * (UNIFW_NAME_LEN + 1)], kern[sizeof lk];
	join_names(&e->fp->lk_lcm, lk, sizeof lk);
	join_names(&e->fp->kernel_lcm, kern, sizeof kern);
	sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)(e->size > INT64_MAX ? INT64_MAX : e->size));
	sqlite3_bind_text(st, 5, e->added, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, UNIFW_FP_VERSION);
	sqlite3_bind_text(st, 7, e->fp->platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, e->fp->storage, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, e->fp->project, -1, SQLITE_STATIC);
	if (e->fp->have_layout && e->fp->boot_region <= INT64_MAX)
		sqlite3_bind_int64(st, 10, (sqlite3_int64)e->fp->boot_region);
	else
		sqlite3_bind_null(st, 10);
	sqlite3_bind_text(st, 11, e->fp->android_release, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, lk, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, kern, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 14, e->fp->have_preloader);
	sqlite3_bind_text(st, 15, e->json, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		*id = sqlite3_last_insert_rowid(c->db);
		return 1;
	}
	/* another unifw indexed the same content between our look-up and this insert */
	if (rc == SQLITE_CONSTRAINT && find_by_hash(c, e->hex, id, err) == 1)
		return 0;
	return catalog_sql_error(c->db, c->path, "insert the entry", err);
}

/* A scatter FILE names its folder as the package (as `unifw flash` takes it). */
static bool is_scatter_file(const char *path)
{
	size_t n = strlen(path);
	return !unifw_package_is_folder(path) && n > 4 && !strcasecmp(path + n - 4, ".txt");
}

struct add_run {
	struct unifw_catalog *c;
	const char *path;
	char abs[PATH_MAX];
	const struct unifw_progress *progress;
	struct unifw_package *pkg;
	struct unifw_fingerprint *fp;
	char hex[65];
	uint64_t size;
};

static int store(struct unifw_catalog *c, const struct new_entry *e, int64_t *id, struct unifw_error *err)
{
	int rc = insert_entry(c, e, id, err), crc;
	if (rc == 1 && (crc = catalog_cache_put(c, *id, e->fp, err)) < 0)
		return crc;
	return rc;
}

int catalog_insert(struct unifw_catalog *c, const char *kind, const char *path, const char *hex, uint64_t size,
		   const struct unifw_fingerprint *fp, int64_t *id, struct unifw_error *err)
{
	struct unifw_jv *j = unifw_fingerprint_to_json(fp);
	char *text = j && !unifw_jv_oom(j) ? unifw_jv_to_string(j, false) : NULL;
	unifw_jv_free(j);
	if (!text)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory writing the fingerprint");
	char added_utc[32];
	unifw_utc_iso(added_utc, sizeof added_utc);
	struct new_entry e = {.kind = kind, .path = path, .added = added_utc, .size = size, .fp = fp, .json = text};
	snprintf(e.hex, sizeof e.hex, "%s", hex);
	/* the entry and its cache row together, or neither */
	int rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
			 ? store(c, &e, id, err)
			 : catalog_sql_error(c->db, c->path, "begin the insert", err);
	if (rc >= 0 && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = catalog_sql_error(c->db, c->path, "commit the insert", err);
	if (rc < 0)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	free(text);
	return rc;
}

/* Fingerprint the opened package and store it. */
static int index_package(struct add_run *r, int64_t *id, bool *added, struct unifw_error *err)
{
	if (r->pkg->kind == UNIFW_PACKAGE_LOOSE)
		return unifw_error_set(err, UNIFW_E_FORMAT, r->path, UNIFW_NO_OFFSET,
				       "neither a firmware package (no scatter file found) nor a unifw backup "
				       "(no manifest.json): nothing to index");
	if (!(r->fp = malloc(sizeof *r->fp)))
		return unifw_error_set(err, UNIFW_E_NOMEM, r->path, UNIFW_NO_OFFSET, "out of memory");
	unifw_progress_begin(r->progress, "fingerprint", r->path, 0);
	int rc = unifw_fingerprint_package(r->pkg, r->fp, err);
	unifw_progress_end(r->progress, rc, NULL);
	if (rc)
		return rc;
	rc = catalog_insert(r->c, r->pkg->kind == UNIFW_PACKAGE_BACKUP ? "backup" : "package", r->abs, r->hex, r->size,
			    r->fp, id, err);
	if (rc < 0)
		return rc;
	*added = rc == 1;
	return 0;
}

static int add_one(struct add_run *r, int64_t *id, bool *added, struct unifw_error *err)
{
	if (!realpath(r->path, r->abs))
		return unifw_error_sys(err, r->path, "cannot be read");
	bool folder = unifw_package_is_folder(r->path), scatter = is_scatter_file(r->path);
	uint8_t sha[32];
	int rc;
	if (folder || scatter) {
		/* the folder's hash needs its files' hashes: the package is opened first */
		rc = scatter ? unifw_package_open_scatter(r->path, &r->pkg, err) : unifw_package_open(r->path, &r->pkg, err);
		if (!rc)
			rc = unifw_package_hash_files(r->pkg, r->progress, err);
		if (!rc)
			rc = catalog_hash_folder(r->pkg, sha, &r->size, err);
	} else {
		/* an archive's hash comes first: one already indexed is not opened at all */
		rc = catalog_hash_file(r->path, r->progress, sha, &r->size, err);
	}
	if (rc)
		return rc;
	unifw_hex(sha, 32, r->hex);
	if ((rc = find_by_hash(r->c, r->hex, id, err)) != 0) {
		*added = false;
		return rc < 0 ? rc : 0;
	}
	if (!r->pkg && (rc = unifw_package_open(r->path, &r->pkg, err)) != 0)
		return rc;
	return index_package(r, id, added, err);
}

int unifw_catalog_add(struct unifw_catalog *c, const char *path, const struct unifw_progress *progress,
		      int64_t *id, bool *added, struct unifw_error *err)
{
	struct add_run r = {.c = c, .path = path, .progress = progress};
	*id = 0;
	*added = false;
	int rc = add_one(&r, id, added, err);
	unifw_package_free(r.pkg);
	free(r.fp);
	if (rc)
		unifw_error_where(err, path);
	return rc;
}

/* ------------------------------------------------------------------------------------- list, show */

#define ROW_COLUMNS                                                                                          \
	"id, kind, path, content_sha256, size, added_utc, fp_version, platform, storage, project, boot_region, " \
	"android, lk_lcm, kernel_lcm, has_preloader"
enum { COL_FINGERPRINT = 15 };

static void set_text(struct unifw_jv *o, const char *key, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	unifw_jv_set_str(o, key, t ? (const char *)t : "");
}

static void set_names(struct unifw_jv *o, const char *key, sqlite3_stmt *st, int col)
{
	struct unifw_jv *a = unifw_jv_set_arr(o, key);
	const char *t = (const char *)sqlite3_column_text(st, col);
	while (t && *t) {
		const char *comma = strchr(t, ',');
		size_t n = comma ? (size_t)(comma - t) : strlen(t);
		unifw_jv_push(a, unifw_jv_stringn(t, n));
		t = comma ? comma + 1 : t + n;
	}
}

/* The row's columns as the list object (docs/json.md "catalog"). */
static struct unifw_jv *row_json(sqlite3_stmt *st)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "catalog_entry");
	unifw_jv_set_int(o, "id", sqlite3_column_int64(st, 0));
	set_text(o, "kind", st, 1);
	set_text(o, "path", st, 2);
	set_text(o, "content_sha256", st, 3);
	unifw_jv_set_int(o, "size", sqlite3_column_int64(st, 4));
	set_text(o, "added", st, 5);
	unifw_jv_set_int(o, "fp_version", sqlite3_column_int64(st, 6));
	set_text(o, "platform", st, 7);
	set_text(o, "storage", st, 8);
	set_text(o, "project", st, 9);
	if (sqlite3_column_type(st, 10) != SQLITE_NULL)
		unifw_jv_set_hex(o, "boot_region", (uint64_t)sqlite3_column_int64(st, 10));
	set_text(o, "android", st, 11);
	set_names(o, "lk_lcm", st, 12);
	set_names(o, "kernel_lcm", st, 13);
	unifw_jv_set_bool(o, "has_preloader", sqlite3_column_int(st, 14) != 0);
	return o;
}

int unifw_catalog_list(struct unifw_catalog *c, struct unifw_jv **out, struct unifw_error *err)
{
	*out = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT " ROW_COLUMNS " FROM entries ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return catalog_sql_error(c->db, c->path, "list the entries", err);
	struct unifw_jv *arr = unifw_jv_array();
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		unifw_jv_push(arr, row_json(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		unifw_jv_free(arr);
		return catalog_sql_error(c->db, c->path, "list the entries", err);
	}
	if (!arr || unifw_jv_oom(arr)) {
		unifw_jv_free(arr);
		return unifw_error_set(err, UNIFW_E_NOMEM, c->path, UNIFW_NO_OFFSET, "out of memory listing the catalog");
	}
	*out = arr;
	return 0;
}

int catalog_parse_fingerprint(const struct unifw_catalog *c, int64_t id, const char *text, size_t len,
			      struct unifw_jv **out, struct unifw_error *err)
{
	char name[64];
	snprintf(name, sizeof name, "entry %lld's fingerprint", (long long)id);
	int rc = unifw_jv_parse(text ? text : "", text ? len : 0, name, CATALOG_MAX_FP_JSON, CATALOG_JSON_DEPTH, out, err);
	if (rc)
		unifw_error_prefix(err, "catalog %s: ", c->path);
	return rc;
}

int unifw_catalog_show(struct unifw_catalog *c, int64_t id, struct unifw_jv **out, struct unifw_error *err)
{
	*out = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, "SELECT " ROW_COLUMNS ", fingerprint_json FROM entries WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return catalog_sql_error(c->db, c->path, "read an entry", err);
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return unifw_error_set(err, UNIFW_E_NOT_FOUND, c->path, UNIFW_NO_OFFSET, "no catalog entry %lld",
					       (long long)id);
		return catalog_sql_error(c->db, c->path, "read an entry", err);
	}
	struct unifw_jv *o = row_json(st), *fp = NULL;
	rc = catalog_parse_fingerprint(c, id, (const char *)sqlite3_column_text(st, COL_FINGERPRINT),
				       (size_t)sqlite3_column_bytes(st, COL_FINGERPRINT), &fp, err);
	sqlite3_finalize(st);
	if (rc) {
		unifw_jv_free(o);
		return rc;
	}
	unifw_jv_set(o, "fingerprint", fp);
	*out = o;
	return 0;
}
