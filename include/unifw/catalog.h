/* `unifw catalog`: an SQLite index of firmware packages and backups (folders and archives, streamed, never
 * extracted) by their fingerprints (fingerprint.h), and the ranking of every indexed package for a phone
 * with the reasons `unifw check` gives (check.h). docs/catalog.md documents the schema; its version is the
 * database's user_version, and an older database is migrated step by step, never rebuilt. */
#ifndef UNIFW_CATALOG_H
#define UNIFW_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/check.h"
#include "unifw/error.h"
#include "unifw/fingerprint.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_CATALOG_SCHEMA 2 /* the schema this build writes (PRAGMA user_version) */

struct unifw_catalog;
struct unifw_progress;

/* Open (creating and migrating) the database at path; NULL = the default, $XDG_DATA_HOME/unifw/catalog.db
 * (~/.local/share/unifw/catalog.db). A database of a NEWER schema is refused (UNIFW_E_UNSUPPORTED). */
int unifw_catalog_open(const char *path, struct unifw_catalog **out, struct unifw_error *err);
void unifw_catalog_close(struct unifw_catalog *c);
/* The default database path (as above) into out; creates nothing. */
int unifw_catalog_default_path(char *out, size_t cap, struct unifw_error *err);
/* The path of the open database (messages). */
const char *unifw_catalog_path(const struct unifw_catalog *c);

/* Index one package or backup (folder, archive or scatter file). Skips (added false, *id the existing row)
 * when an entry with the same content hash is already there. */
int unifw_catalog_add(struct unifw_catalog *c, const char *path, const struct unifw_progress *progress,
		      int64_t *id, bool *added, struct unifw_error *err);

/* Every entry as a JSON array [{id, kind, path, content_sha256, added, platform, project, android, ...}]. */
int unifw_catalog_list(struct unifw_catalog *c, struct unifw_jv **out, struct unifw_error *err);
/* One entry with its whole fingerprint; UNIFW_E_NOT_FOUND when there is no such id. */
int unifw_catalog_show(struct unifw_catalog *c, int64_t id, struct unifw_jv **out, struct unifw_error *err);
/* Every indexed package ranked for the phone, best first: [{id, path, verdict, predicted_boot, items}]. */
int unifw_catalog_match(struct unifw_catalog *c, const struct unifw_fingerprint *phone,
			const struct unifw_check_opts *opts, struct unifw_jv **out, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
