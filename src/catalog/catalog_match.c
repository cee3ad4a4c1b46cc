/* `unifw catalog match`: every indexed package checked against one phone (unifw_check, the code path of
 * `unifw check`), ranked best first (docs/catalog.md "Ranking"): the verdict (SAFE first), then the
 * predicted boot outcome (boots first), then fewer findings, then a package of the phone's own project,
 * then one made for the phone's boot region, then the older entry. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog_internal.h"

/* docs/sim.md "Boot evaluation", from the best outcome to the worst. */
static const char *const boot_order[] = {"boots", "boots_with_faults", "black_screen", "white_screen",
					 "boot_loop", "stuck_brom", "brom_loop", "dead"};

int catalog_boot_rank(const char *predicted_boot)
{
	for (size_t i = 0; i < sizeof boot_order / sizeof boot_order[0]; i++)
		if (predicted_boot && !strcmp(predicted_boot, boot_order[i]))
			return (int)i;
	return (int)(sizeof boot_order / sizeof boot_order[0]);
}

/* unifw_check_to_json's object itself, retyped "catalog_candidate" (the key keeps its first place), with
 * id, path and project added: no copy of the check's items (building JSON is most of match's time). */
static struct unifw_jv *candidate_json(int64_t id, const unsigned char *path, const unsigned char *project,
				       const struct unifw_check_result *r)
{
	struct unifw_jv *o = unifw_check_to_json(r);
	unifw_jv_set_str(o, "type", "catalog_candidate");
	unifw_jv_set_int(o, "id", id);
	unifw_jv_set_str(o, "path", path ? (const char *)path : "");
	unifw_jv_set_str(o, "project", project ? (const char *)project : "");
	if (!o || unifw_jv_oom(o)) {
		unifw_jv_free(o);
		return NULL;
	}
	return o;
}

struct candidate {
	int64_t id;
	int verdict, boot, items;
	bool same_project, same_region;
	struct unifw_jv *json; /* unifw_check_to_json plus id, path, project */
};

static int by_rank(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->verdict != y->verdict)
		return x->verdict - y->verdict;
	if (x->boot != y->boot)
		return x->boot - y->boot;
	if (x->items != y->items)
		return x->items - y->items;
	if (x->same_project != y->same_project)
		return y->same_project - x->same_project;
	if (x->same_region != y->same_region)
		return y->same_region - x->same_region;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct match_run {
	struct unifw_catalog *c;
	const struct unifw_fingerprint *phone;
	const struct unifw_check_opts *opts;
	struct unifw_fingerprint *pkg;     /* reused for every row */
	struct unifw_check_result *result; /* reused for every row */
	struct candidate *cands;
	size_t count, cap;
};

static int grow(struct match_run *m, struct unifw_error *err)
{
	if (m->count < m->cap)
		return 0;
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct candidate *n = realloc(m->cands, cap * sizeof *n);
	if (!n)
		return unifw_error_set(err, UNIFW_E_NOMEM, m->c->path, UNIFW_NO_OFFSET, "out of memory ranking the catalog");
	m->cands = n;
	m->cap = cap;
	return 0;
}

/* The row's fingerprint: from its cache row when usable, else from its JSON (then *stale). */
static int row_fingerprint(struct match_run *m, sqlite3_stmt *st, int64_t id, bool *stale, struct unifw_error *err)
{
	*stale = false;
	if (catalog_cache_get(sqlite3_column_blob(st, 4), (size_t)sqlite3_column_bytes(st, 4), m->pkg))
		return 0;
	*stale = catalog_cache_enabled();
	struct unifw_jv *fj = NULL;
	int rc = catalog_parse_fingerprint(m->c, id, (const char *)sqlite3_column_text(st, 3),
					   (size_t)sqlite3_column_bytes(st, 3), &fj, err);
	if (rc)
		return rc;
	rc = unifw_fingerprint_from_json(fj, m->pkg, err);
	unifw_jv_free(fj);
	if (rc)
		unifw_error_prefix(err, "catalog %s, entry %lld: ", m->c->path, (long long)id);
	return rc;
}

/* One row: its fingerprint read, checked against the phone, kept with its rank keys. */
static int check_row(struct match_run *m, sqlite3_stmt *st, struct unifw_error *err)
{
	int64_t id = sqlite3_column_int64(st, 0);
	bool stale;
	int rc = row_fingerprint(m, st, id, &stale, err);
	if (rc || (rc = grow(m, err)) != 0)
		return rc;
	/* an entry an older build added, or one whose cache row another layout wrote: cached now */
	if (stale)
		catalog_cache_put(m->c, id, m->pkg, &(struct unifw_error){0});
	unifw_check(m->pkg, m->phone, m->opts, m->result);
	struct candidate *k = &m->cands[m->count];
	k->id = id;
	k->verdict = (int)m->result->verdict;
	k->boot = catalog_boot_rank(m->result->predicted_boot);
	k->items = (int)m->result->item_count;
	k->same_project = m->phone->project[0] && !strcasecmp(m->phone->project, m->pkg->project);
	k->same_region = m->phone->have_layout && m->pkg->have_layout && m->phone->boot_region == m->pkg->boot_region;
	k->json = candidate_json(id, sqlite3_column_text(st, 1), sqlite3_column_text(st, 2), m->result);
	if (!k->json)
		return unifw_error_set(err, UNIFW_E_NOMEM, m->c->path, UNIFW_NO_OFFSET, "out of memory ranking the catalog");
	m->count++;
	return 0;
}

static int check_rows(struct match_run *m, struct unifw_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(m->c->db,
			       "SELECT e.id, e.path, e.project, e.fingerprint_json, c.fp FROM entries e"
			       " LEFT JOIN fp_cache c ON c.entry_id = e.id AND c.layout = ?1"
			       " WHERE e.kind = 'package' ORDER BY e.id",
			       -1, &st, NULL) != SQLITE_OK)
		return catalog_sql_error(m->c->db, m->c->path, "read the packages", err);
	sqlite3_bind_text(st, 1, catalog_cache_layout(), -1, SQLITE_STATIC);
	/* one transaction: the rows read are one state of the catalog, and cache rows written on the way
	 * commit together (a read-only database simply stays without them) */
	bool txn = sqlite3_exec(m->c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = check_row(m, st, err);
	if (!rc && step != SQLITE_DONE)
		rc = catalog_sql_error(m->c->db, m->c->path, "read the packages", err);
	sqlite3_finalize(st);
	if (txn && sqlite3_exec(m->c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(m->c->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int unifw_catalog_match(struct unifw_catalog *c, const struct unifw_fingerprint *phone,
			const struct unifw_check_opts *opts, struct unifw_jv **out, struct unifw_error *err)
{
	*out = NULL;
	struct match_run m = {.c = c, .phone = phone, .opts = opts};
	m.pkg = malloc(sizeof *m.pkg);
	m.result = malloc(sizeof *m.result);
	int rc = m.pkg && m.result ? check_rows(&m, err)
				   : unifw_error_set(err, UNIFW_E_NOMEM, c->path, UNIFW_NO_OFFSET, "out of memory");
	struct unifw_jv *arr = rc ? NULL : unifw_jv_array();
	if (!rc) {
		qsort(m.cands, m.count, sizeof *m.cands, by_rank);
		for (size_t i = 0; i < m.count; i++) {
			unifw_jv_set_uint(m.cands[i].json, "rank", i + 1);
			unifw_jv_push(arr, m.cands[i].json);
			m.cands[i].json = NULL;
		}
		if (!arr || unifw_jv_oom(arr))
			rc = unifw_error_set(err, UNIFW_E_NOMEM, c->path, UNIFW_NO_OFFSET, "out of memory ranking the catalog");
	}
	for (size_t i = 0; i < m.count; i++)
		unifw_jv_free(m.cands[i].json);
	free(m.cands);
	free(m.pkg);
	free(m.result);
	if (rc) {
		unifw_jv_free(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
