/* The catalog's schema and its migrations (docs/catalog.md "Schema"). The version is the database's
 * PRAGMA user_version; the database is marked as unifw's by PRAGMA application_id. A database is brought
 * to this build's version one step at a time, each step and its new user_version in one transaction, so
 * an interrupted migration leaves the previous version intact. Steps are never edited once released:
 * a change of schema is a new entry at the end of catalog_migrations[] (and UNIFW_CATALOG_SCHEMA + 1). */
#include <stdio.h>
#include <string.h>

#include "catalog/catalog_internal.h"

/* 'unfw': tells a unifw catalog from another program's SQLite file. */
#define CATALOG_APPLICATION_ID 0x756e6677

/* Version 0 -> 1: the entries table. Columns besides fingerprint_json are what `catalog list` shows and
 * what match may filter on without parsing the fingerprint. */
static const char schema_v1[] =
	"CREATE TABLE entries ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind TEXT NOT NULL CHECK (kind IN ('package', 'backup')),"
	" path TEXT NOT NULL,"
	" content_sha256 TEXT NOT NULL UNIQUE CHECK (length(content_sha256) = 64),"
	" size INTEGER NOT NULL CHECK (size >= 0),"
	" added_utc TEXT NOT NULL,"
	" fp_version INTEGER NOT NULL,"
	" platform TEXT NOT NULL DEFAULT '',"
	" storage TEXT NOT NULL DEFAULT '',"
	" project TEXT NOT NULL DEFAULT '',"
	" boot_region INTEGER,"
	" android TEXT NOT NULL DEFAULT '',"
	" lk_lcm TEXT NOT NULL DEFAULT '',"
	" kernel_lcm TEXT NOT NULL DEFAULT '',"
	" has_preloader INTEGER NOT NULL DEFAULT 0,"
	" fingerprint_json TEXT NOT NULL"
	");"
	"CREATE INDEX entries_kind_platform ON entries (kind, platform);";

/* Version 1 -> 2: the fingerprint cache (catalog_cache.c). Rows are filled by add, and by match for the
 * entries an older build added. */
static const char schema_v2[] =
	"CREATE TABLE fp_cache ("
	" entry_id INTEGER PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE,"
	" layout TEXT NOT NULL,"
	" fp BLOB NOT NULL"
	");";

const struct catalog_migration catalog_migrations[] = {
	{schema_v1}, /* 0 -> 1 */
	{schema_v2}, /* 1 -> 2 */
};
const size_t catalog_migration_count = sizeof catalog_migrations / sizeof catalog_migrations[0];

_Static_assert(sizeof catalog_migrations / sizeof catalog_migrations[0] == UNIFW_CATALOG_SCHEMA,
	       "UNIFW_CATALOG_SCHEMA is the number of migration steps");

int catalog_sql_error(sqlite3 *db, const char *path, const char *what, struct unifw_error *err)
{
	return unifw_error_set(err, UNIFW_E_LIBRARY, path, UNIFW_NO_OFFSET, "catalog database: %s: %s (sqlite %d)", what,
			       db ? sqlite3_errmsg(db) : "cannot allocate", db ? sqlite3_extended_errcode(db) : 0);
}

/* One integer PRAGMA (user_version, application_id) or COUNT(*). */
static int query_int(sqlite3 *db, const char *path, const char *sql, int64_t *v, struct unifw_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return catalog_sql_error(db, path, sql, err);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : catalog_sql_error(db, path, sql, err);
}

static int exec(sqlite3 *db, const char *path, const char *sql, struct unifw_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	int rc = unifw_error_set(err, UNIFW_E_LIBRARY, path, UNIFW_NO_OFFSET, "catalog database: %.200s: %s", sql,
				 msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return rc;
}

/* An empty file (version 0, no tables) becomes a catalog; a version-0 file with tables of its own, or
 * one carrying another application id, is someone else's database and is left alone. */
static int check_owner(sqlite3 *db, const char *path, int64_t version, struct unifw_error *err)
{
	int64_t app = 0, tables = 0;
	int rc = query_int(db, path, "PRAGMA application_id", &app, err);
	if (!rc && version == 0)
		rc = query_int(db, path, "SELECT COUNT(*) FROM sqlite_master", &tables, err);
	if (rc)
		return rc;
	if (app != 0 && app != CATALOG_APPLICATION_ID)
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "not a unifw catalog: application_id 0x%llx, expected 0x%x ('unfw')",
				       (unsigned long long)app, CATALOG_APPLICATION_ID);
	if (version == 0 && tables > 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "not a unifw catalog: an SQLite database with %lld tables of its own and no "
				       "catalog version (user_version 0)", (long long)tables);
	return 0;
}

/* Version `to - 1` -> `to`: the step's SQL and the new user_version commit together or not at all. */
static int apply_step(sqlite3 *db, const char *path, const struct catalog_migration *step, size_t to,
		      struct unifw_error *err)
{
	char pragma[96];
	snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d; PRAGMA user_version = %zu;", CATALOG_APPLICATION_ID,
		 to);
	int rc = exec(db, path, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	/* another unifw may have taken this step while we waited for the write lock */
	int64_t now = 0;
	if ((rc = query_int(db, path, "PRAGMA user_version", &now, err)) == 0 && (uint64_t)now >= to)
		return exec(db, path, "COMMIT", err);
	if (!rc && (rc = exec(db, path, step->sql, err)) == 0 && (rc = exec(db, path, pragma, err)) == 0 &&
	    (rc = exec(db, path, "COMMIT", err)) == 0)
		return 0;
	unifw_error_prefix(err, "migration to catalog schema %zu: ", to);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int catalog_migrate(sqlite3 *db, const char *path, const struct catalog_migration *steps, size_t count,
		    struct unifw_error *err)
{
	int64_t version = 0;
	/* Version, owner and table count read in ONE read transaction: read one by one, another unifw's first
	 * migration could commit between them (tables there, version read as 0: "not a unifw catalog"). */
	int rc = exec(db, path, "BEGIN", err);
	if (rc)
		return rc;
	if ((rc = query_int(db, path, "PRAGMA user_version", &version, err)) == 0)
		rc = check_owner(db, path, version, err);
	if (rc) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if ((rc = exec(db, path, "COMMIT", err)) != 0)
		return rc;
	if (version < 0 || (uint64_t)version > count)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, path, UNIFW_NO_OFFSET,
				       "catalog schema version %lld is newer than this unifw's (%zu): a newer unifw "
				       "wrote it; use that one, or another --db",
				       (long long)version, count);
	for (size_t v = (size_t)version; v < count; v++)
		if ((rc = apply_step(db, path, &steps[v], v + 1, err)) != 0)
			return rc;
	return 0;
}
