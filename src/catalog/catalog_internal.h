/* Private pieces of the catalog (src/catalog): the database handle, the schema migrations and the
 * content hash. docs/catalog.md documents the schema these build. */
#ifndef UNIFW_CATALOG_INTERNAL_H
#define UNIFW_CATALOG_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/catalog.h"

struct unifw_catalog {
	sqlite3 *db;
	char path[4096];
};

/* One migration: the SQL that takes a database from version (index) to version (index + 1). */
struct catalog_migration {
	const char *sql;
};

/* The steps this build knows: catalog_migrations[0] takes an empty database (version 0) to version 1. */
extern const struct catalog_migration catalog_migrations[];
extern const size_t catalog_migration_count;

/* Bring db (opened from path) to version `count` by applying steps[from..count-1], each in its own
 * transaction with its PRAGMA user_version; a database newer than `count` is refused
 * (UNIFW_E_UNSUPPORTED), so is a file that is another program's database. Tests pass their own steps
 * (a v2 step appended) to prove the framework. */
int catalog_migrate(sqlite3 *db, const char *path, const struct catalog_migration *steps, size_t count,
		    struct unifw_error *err);
/* unifw_catalog_open with its own migration list (tests). */
int catalog_open_with(const char *path, const struct catalog_migration *steps, size_t count,
		      struct unifw_catalog **out, struct unifw_error *err);
/* PRAGMA user_version of an open catalog (tests, `catalog list --json`). */
int catalog_schema_version(struct unifw_catalog *c, struct unifw_error *err);

/* Store one fingerprint as an entry (kind "package" or "backup"): 1 inserted (*id the new row), 0 the
 * content hash was there already (*id that row), < 0 error. */
int catalog_insert(struct unifw_catalog *c, const char *kind, const char *path, const char *hex, uint64_t size,
		   const struct unifw_fingerprint *fp, int64_t *id, struct unifw_error *err);
/* A row's fingerprint_json parsed (errors name the database and the entry). */
int catalog_parse_fingerprint(const struct unifw_catalog *c, int64_t id, const char *text, size_t len,
			      struct unifw_jv **out, struct unifw_error *err);

/* An sqlite failure as a unifw error naming the database and sqlite's own message. */
int catalog_sql_error(sqlite3 *db, const char *path, const char *what, struct unifw_error *err);

/* Content hash of a package or backup (docs/catalog.md "Content hash"): an archive or scatter file's
 * bytes (streamed), a folder's sorted (relative path, size, SHA-256) list. */
int catalog_hash_file(const char *path, const struct unifw_progress *progress, uint8_t out[32], uint64_t *size,
		      struct unifw_error *err);
struct unifw_package;
int catalog_hash_folder(const struct unifw_package *p, uint8_t out[32], uint64_t *size, struct unifw_error *err);

/* The fingerprint cache (catalog_cache.c, schema v2): used only when this build's struct unifw_fingerprint
 * is the layout catalog_fp_sanitize was reviewed for. */
bool catalog_cache_enabled(void);
const char *catalog_cache_layout(void); /* "fp<sizeof>-v<UNIFW_FP_VERSION>": the rows this build reads */
void catalog_fp_sanitize(struct unifw_fingerprint *fp);
int catalog_cache_put(struct unifw_catalog *c, int64_t id, const struct unifw_fingerprint *fp, struct unifw_error *err);
/* A cache row into *fp (sanitized); false when it is unusable (then read the JSON). */
bool catalog_cache_get(const void *blob, size_t len, struct unifw_fingerprint *fp);

/* Rank order of a predicted boot outcome (docs/sim.md "Boot evaluation"): 0 boots ... 7 dead; unknown
 * outcomes rank after every known one. */
int catalog_boot_rank(const char *predicted_boot);

#endif
