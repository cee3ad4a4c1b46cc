/* Backup folders (package.c): manifest.json, read through the typed JSON reader, and each file it lists
 * checked against the file's own SHA-256. */
#include "unifw/package.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "package/package_internal.h"
#include "unifw/backup.h"
#include "unifw/hash.h"

/* manifest.json is the package's backup manifest when its "kind" says so; any other JSON file of that name
 * is just a file. A unifw backup manifest must then read as one (version, partitions), or it is reported. */
static bool manifest_is_ours(const struct unifw_jv *m, const char *path, struct unifw_error *e)
{
	char kind[32] = "";
	uint64_t version = 0;
	const struct unifw_jv *parts = NULL;
	const struct unifw_jv_field head[] = {{"kind", UNIFW_JF_STR, false, kind, sizeof kind, 0, 0, false}};
	const struct unifw_jv_field ours[] = {
		{"version", UNIFW_JF_U64, true, &version, 0, 1, UNIFW_BACKUP_VERSION, false},
		{"partitions", UNIFW_JF_ARRAY, false, &parts, 0, 0, UNIFW_BACKUP_MAX_ITEMS, false},
	};
	if (unifw_jv_type(m) != UNIFW_JV_OBJECT || unifw_jv_read(m, head, 1, path, "manifest", e) ||
	    strcmp(kind, BACKUP_KIND))
		return false;
	return unifw_jv_read(m, ours, sizeof ours / sizeof *ours, path, "manifest", e) == 0;
}

void pkg_load_manifest(struct builder *b)
{
	struct unifw_package *p = b->p;
	for (size_t i = 0; i < b->text_count && !p->manifest; i++) {
		struct unifw_package_item *it = &p->items[b->texts[i].item];
		if (strcasecmp(pkg_base_name(it->path), MANIFEST_NAME))
			continue;
		struct unifw_jv *m = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		if (unifw_jv_parse(b->texts[i].text, b->texts[i].len, it->path, UNIFW_PACKAGE_MAX_TEXT,
				   UNIFW_PACKAGE_JSON_DEPTH, &m, &e) < 0) {
			unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "manifest-unreadable", it->path, 0, NULL,
					   "manifest.json is not valid JSON: %s", e.msg);
			continue;
		}
		if (manifest_is_ours(m, it->path, &e)) {
			p->manifest = m;
			snprintf(it->type, sizeof it->type, "backup_manifest");
			it->matched = true;
			continue;
		}
		if (e.msg[0])
			unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "manifest-unreadable", it->path, 0, NULL,
					   "not a readable unifw backup manifest: %s", e.msg);
		unifw_jv_free(m);
	}
}

/* One manifest entry: an object with "sha256" names its file by "file" (what `unifw backup` writes) or
 * "path". Other objects are searched for entries, a few levels deep. */
static void check_manifest_entry(struct unifw_package *p, const struct unifw_jv *v, const char *dir)
{
	char file[1024] = "", path[1024] = "", hex[65], want[65];
	uint8_t sha[32];
	struct unifw_error e;
	const struct unifw_jv_field fields[] = {
		{"file", UNIFW_JF_STR, false, file, sizeof file, 0, 0, false},
		{"path", UNIFW_JF_STR, false, path, sizeof path, 0, 0, false},
		{"sha256", UNIFW_JF_HEX, true, sha, sizeof sha, 0, 0, false},
	};
	unifw_error_clear(&e);
	if (unifw_jv_read(v, fields, sizeof fields / sizeof *fields, p->path, "manifest entry", &e)) {
		unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "manifest-unreadable", p->path, 0, NULL, "%s", e.msg);
		return;
	}
	const char *name = file[0] ? file : path;
	const struct unifw_package_item *it = name[0] ? pkg_find_image(p, dir, name) : NULL;
	unifw_hex(sha, 32, want);
	if (!name[0])
		unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "manifest-unreadable", p->path, 0, NULL,
				   "manifest entry with SHA-256 %.16s... names no file (\"file\" or \"path\")", want);
	else if (!it)
		unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "backup-file-missing", p->path, 0, NULL,
				   "manifest lists %s but the backup folder has no such file", name);
	else if (it->has_sha256 && (unifw_hex(it->sha256, 32, hex), strcmp(hex, want)))
		unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "backup-hash-mismatch", it->path, 0, NULL,
				   "SHA-256 %s differs from the manifest's %s: the file changed since the backup", hex, want);
}

void pkg_check_manifest_hashes(struct unifw_package *p, const struct unifw_jv *v, const char *dir, int depth)
{
	if (!v || depth > 4)
		return;
	if (unifw_jv_type(v) == UNIFW_JV_OBJECT && unifw_jv_get(v, "sha256")) {
		check_manifest_entry(p, v, dir);
		return;
	}
	for (size_t i = 0; i < unifw_jv_len(v); i++)
		pkg_check_manifest_hashes(p, unifw_jv_at(v, i), dir, depth + 1);
}

