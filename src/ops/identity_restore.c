/* unifw identity restore / set-mac / set-bt (idrestore.h, docs/identity.md "Restore", "Set the addresses"):
 * where the bytes come from and which of them change. The mechanics (plan file, journal, verified writes) are
 * in identity_write.c. Order of a job: facts (CID, table) -> source checked (CID, SHA-256) -> every write planned
 * (USRDATA through the ext4 overlay) -> vault backup of the current identity -> plan and journal saved ->
 * writes, each read back. */
#include "unifw/idrestore.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/idwrite_internal.h"
#include "ops/phone_ext4.h"
#include "unifw/backup.h"
#include "unifw/ext4_edit.h"
#include "unifw/hash.h"
#include "unifw/identify.h"
#include "unifw/io.h"
#include "unifw/nvram.h"
#include "unifw/vault.h"
#include "util/bytes.h"

#define PATH_CAP 4096
#define NVRAM_DIR "/nvram"
/* /data/nvram as MediaTek's init.rc creates it when absent (mkdir /data/nvram 0771 root system): used only
 * for a folder the backup does not describe. */
#define NVRAM_DIR_MODE 0771
#define AID_SYSTEM 1000u
#define NEW_FILE_MODE 0660

static const char *const identity_parts[] = { "NVRAM", "PRO_INFO", "PROTECT_F", "PROTECT_S" };
#define N_IDENTITY (sizeof identity_parts / sizeof *identity_parts)

struct source {
	const char *kind;            /* "vault_entry", "backup", "nvram_bin" */
	char path[PATH_CAP];         /* as given (or the vault entry chosen) */
	char dir[PATH_CAP];          /* the entry / backup folder whose manifest vouches */
	struct unifw_jv *manifest;
	uint8_t *img[N_IDENTITY];
	size_t len[N_IDENTITY];
	const struct unifw_jv *tree; /* vault.nvram_tree, NULL when the entry saved none */
};

struct job {
	struct unifw_phone *ph;
	const struct unifw_idrestore_opts *o;
	uint8_t cid[16];
	char cid_hex[33];
	struct unifw_phone_layout layout;
	struct idw_plan plan;
	struct unifw_jv *res;
	char journal[PATH_CAP], plan_path[PATH_CAP];
};

static void source_free(struct source *s)
{
	unifw_jv_free(s->manifest);
	for (size_t i = 0; i < N_IDENTITY; i++)
		free(s->img[i]);
}

static const struct unifw_phone_part_entry *find_part(const struct unifw_phone_layout *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcasecmp(l->part[i].name, name) && l->part[i].offset != UINT64_MAX)
			return &l->part[i];
	return NULL;
}

static bool allowed_target(const char *name)
{
	for (size_t i = 0; i < N_IDENTITY; i++)
		if (!strcasecmp(name, identity_parts[i]))
			return true;
	return !strcasecmp(name, "USRDATA");
}

/* Every range inside the user-area partition it names, and that partition one the identity writes may touch:
 * the check a plan passes before its first write (a fresh plan as much as one loaded to resume). */
static int check_plan_targets(const struct job *j, const struct idw_plan *p, struct unifw_error *err)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct idw_item *it = &p->items[i];
		const struct unifw_phone_part_entry *pe = find_part(&j->layout, it->name);
		if (it->off % UNIFW_FLASH_SECTOR || it->len % UNIFW_FLASH_SECTOR)
			return unifw_error_set(err, UNIFW_E_UNSUPPORTED, it->name, it->off,
					       "a range of %llu bytes at 0x%llx is not whole 512-byte sectors (an image of an odd "
					       "size?): eMMC writes are", (unsigned long long)it->len, (unsigned long long)it->off);
		if (!allowed_target(it->name) || it->part != UNIFW_PHONE_USER || !pe || it->off < pe->offset ||
		    it->off - pe->offset > pe->size || it->len > pe->size - (it->off - pe->offset))
			return unifw_error_set(err, UNIFW_E_UNSAFE, it->name, it->off,
					       "the identity write plan has a range (%llu bytes at 0x%llx) outside %s as the "
					       "phone's partition table places it: refused",
					       (unsigned long long)it->len, (unsigned long long)it->off, it->name);
	}
	return 0;
}

/* ---------------------------------------------------------------- sources */

static bool cid_of_manifest(const struct unifw_jv *m, uint8_t cid[16], const char **hex)
{
	*hex = unifw_jv_str(unifw_jv_path(m, "phone.emmc.cid.raw"));
	return *hex && strlen(*hex) == 32 && unifw_unhex(*hex, cid, 16);
}

static int load_manifest(const char *dir, struct unifw_jv **m, struct unifw_error *err)
{
	int rc = unifw_vault_manifest_load(dir, m, err);
	if (rc == UNIFW_E_NOT_FOUND || (rc && err && err->sys_errno == ENOENT))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, dir, UNIFW_NO_OFFSET,
				       "no manifest.json: not a vault entry nor a unifw backup folder");
	return rc;
}
/* Another phone's entry carries that phone's IMEI record and calibration: never written here. */
static int check_cid(const struct job *j, const struct unifw_jv *m, const char *dir, struct unifw_error *err)
{
	uint8_t cid[16];
	const char *hex;
	if (!cid_of_manifest(m, cid, &hex))
		return unifw_error_set(err, UNIFW_E_UNSAFE, dir, UNIFW_NO_OFFSET,
				       "the manifest records no phone CID (phone.emmc.cid.raw): nothing says whose identity it is");
	if (memcmp(cid, j->cid, 16))
		return unifw_error_set(err, UNIFW_E_UNSAFE, dir, UNIFW_NO_OFFSET,
				       "entry of another phone (CID %.32s; this phone's is %s): it carries that phone's IMEI "
				       "record, refused", hex, j->cid_hex);
	return 0;
}

static bool sha_matches(const uint8_t *b, size_t len, const char *want)
{
	uint8_t d[32];
	char hex[65];
	unifw_sha256(b, len, d);
	unifw_hex(d, 32, hex);
	return want && !strcasecmp(hex, want);
}

/* A file of the folder named by the manifest, read and checked against its SHA-256 (in memory: what is
 * checked is what gets written). */
static int read_checked(const char *dir, const char *rel, const char *sha, size_t max, uint8_t **buf, size_t *len,
			struct unifw_error *err)
{
	char path[PATH_CAP];
	if (!ops_rel_path_ok(rel) || strstr(rel, ".."))
		return unifw_error_set(err, UNIFW_E_FORMAT, dir, UNIFW_NO_OFFSET,
				       "the manifest names a file outside the folder: '%s'", rel ? rel : "(none)");
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	int rc = unifw_file_read_all(path, max, buf, len, err);
	if (rc)
		return rc;
	if (!sha_matches(*buf, *len, sha)) {
		free(*buf);
		*buf = NULL;
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "its SHA-256 is not the %.64s the manifest records: the file changed since the backup",
				       sha ? sha : "(none)");
	}
	return 0;
}

static int load_folder(const struct job *j, struct source *s, struct unifw_error *err)
{
	snprintf(s->dir, sizeof s->dir, "%s", s->path);
	int rc = load_manifest(s->dir, &s->manifest, err);
	if (!rc)
		rc = check_cid(j, s->manifest, s->dir, err);
	if (rc)
		return rc;
	const struct unifw_jv *vault = unifw_jv_get(s->manifest, "vault");
	s->kind = vault ? "vault_entry" : "backup";
	/* A vault entry is small: all of it is checked. A full backup folder: the files used (below). */
	if (vault && (rc = unifw_vault_entry_verify(s->dir, err)) < 0)
		return rc;
	s->tree = unifw_jv_get(vault, "nvram_tree");
	if (s->tree && unifw_jv_type(s->tree) != UNIFW_JV_ARRAY)
		s->tree = NULL;
	size_t found = 0;
	for (size_t i = 0; i < N_IDENTITY && !rc; i++) {
		const struct unifw_jv *p = unifw_vault_manifest_part(s->manifest, identity_parts[i]);
		if (!p)
			continue;
		rc = read_checked(s->dir, unifw_jv_str(unifw_jv_get(p, "file")), unifw_jv_str(unifw_jv_get(p, "sha256")),
				  UNIFW_IDRESTORE_MAX_IMAGE, &s->img[i], &s->len[i], err);
		found++;
	}
	if (!rc && !found)
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, s->dir, UNIFW_NO_OFFSET,
				     "the manifest lists none of NVRAM, PRO_INFO, PROTECT_F, PROTECT_S");
	return rc;
}

/* Is buf the NVRAM image of the backup folder `dir` of this phone (manifest CID and SHA-256)? */
static bool folder_vouches(const struct job *j, const char *dir, const uint8_t *buf, size_t len)
{
	struct unifw_jv *m = NULL;
	uint8_t cid[16];
	const char *hex;
	bool ok = load_manifest(dir, &m, NULL) == 0 && cid_of_manifest(m, cid, &hex) && !memcmp(cid, j->cid, 16);
	const struct unifw_jv *p = ok ? unifw_vault_manifest_part(m, "NVRAM") : NULL;
	ok = p && sha_matches(buf, len, unifw_jv_str(unifw_jv_get(p, "sha256")));
	if (ok && unifw_jv_get(m, "vault"))
		ok = unifw_vault_entry_verify(dir, NULL) == 0;
	unifw_jv_free(m);
	return ok;
}

/* A raw nvram.bin (SP Flash Tool's Readback): written only when a backup of this phone holds it byte for byte,
 * the folder it sits in or one of the phone's vault entries. */
static int load_nvram_bin(const struct job *j, struct source *s, struct unifw_error *err)
{
	s->kind = "nvram_bin";
	int rc = unifw_file_read_all(s->path, UNIFW_NVRAM_MAX_REGION, &s->img[0], &s->len[0], err);
	if (rc)
		return rc;
	char dir[PATH_CAP];
	const char *slash = strrchr(s->path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == s->path ? 1 : (int)(slash - s->path), s->path);
	if (folder_vouches(j, dir, s->img[0], s->len[0])) {
		snprintf(s->dir, sizeof s->dir, "%s", dir);
		return 0;
	}
	struct unifw_vault_phone *phones = NULL;
	size_t n = 0;
	if (unifw_vault_list(NULL, &phones, &n, NULL) == 0)
		for (size_t p = 0; p < n && !s->dir[0]; p++)
			for (size_t e = phones[p].count; !strcasecmp(phones[p].cid, j->cid_hex) && e-- > 0 && !s->dir[0];)
				if (phones[p].entries[e].complete &&
				    folder_vouches(j, phones[p].entries[e].path, s->img[0], s->len[0]))
					snprintf(s->dir, sizeof s->dir, "%s", phones[p].entries[e].path);
	unifw_vault_list_free(phones, n);
	if (!s->dir[0])
		return unifw_error_set(err, UNIFW_E_UNSAFE, s->path, UNIFW_NO_OFFSET,
				       "no backup of this phone (CID %s) holds this nvram.bin byte for byte (neither a manifest "
				       "beside it nor a vault entry): a raw NVRAM image may be another phone's IMEI record, "
				       "refused", j->cid_hex);
	return 0;
}

static int load_source(const struct job *j, struct source *s, struct unifw_error *err)
{
	const char *from = j->o->from;
	struct stat st;
	if (!from) {
		int rc = unifw_vault_newest_healthy(j->cid, s->path, sizeof s->path, err);
		if (rc) {
			unifw_error_prefix(err, "no source given and the vault has no healthy entry of this phone: ");
			return rc;
		}
		return load_folder(j, s, err);
	}
	snprintf(s->path, sizeof s->path, "%s", from);
	if (stat(from, &st) < 0)
		return unifw_error_sys(err, from, "cannot open the source");
	return S_ISDIR(st.st_mode) ? load_folder(j, s, err) : load_nvram_bin(j, s, err);
}

static void source_to_json(const struct source *s, struct unifw_jv *o)
{
	struct unifw_jv *src = unifw_jv_set_obj(o, "source");
	unifw_jv_set_str(src, "type", "identity_source");
	unifw_jv_set_str(src, "kind", s->kind);
	unifw_jv_set_str(src, "path", s->path);
	unifw_jv_set_str(src, "vouched_by", s->dir);
}

/* ---------------------------------------------------------------- identity partitions */

static int plan_images(struct job *j, const struct source *s, struct unifw_error *err)
{
	struct unifw_jv *arr = unifw_jv_set_arr(j->res, "partitions");
	for (size_t i = 0; i < N_IDENTITY; i++) {
		if (!s->img[i])
			continue;
		const struct unifw_phone_part_entry *pe = find_part(&j->layout, identity_parts[i]);
		if (!pe)
			return unifw_error_set(err, UNIFW_E_NOT_FOUND, identity_parts[i], UNIFW_NO_OFFSET,
					       "the phone's partition table has no %s to restore into", identity_parts[i]);
		if (s->len[i] > pe->size)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, identity_parts[i], pe->offset,
					       "the image is %zu bytes, the phone's partition %llu", s->len[i],
					       (unsigned long long)pe->size);
		int rc = idw_plan_add(&j->plan, pe->name, UNIFW_PHONE_USER, pe->offset, s->img[i], s->len[i], err);
		if (rc)
			return rc;
		uint8_t d[32];
		char hex[65];
		unifw_sha256(s->img[i], s->len[i], d);
		unifw_hex(d, 32, hex);
		struct unifw_jv *p = unifw_jv_push_obj(arr);
		unifw_jv_set_str(p, "type", "identity_partition");
		unifw_jv_set_str(p, "name", pe->name);
		unifw_jv_set_hex(p, "offset", pe->offset);
		unifw_jv_set_uint(p, "bytes", s->len[i]);
		unifw_jv_set_uint(p, "partition_size", pe->size);
		unifw_jv_set_str(p, "sha256", hex);
	}
	return 0;
}

/* ---------------------------------------------------------------- /nvram inside USRDATA */

struct usrdata {
	const struct unifw_phone_part_entry *pe;
	struct unifw_stream s;
	struct unifw_ext4_edit *ed;
	bool open_stream;
};

static void usrdata_close(struct usrdata *u)
{
	unifw_ext4_edit_free(u->ed);
	if (u->open_stream)
		unifw_stream_close(&u->s);
	memset(u, 0, sizeof *u);
}

/* 1 = open, 0 = no ext4 USRDATA (why in note), < 0 = error. */
static int usrdata_open(struct job *j, struct usrdata *u, char *note, size_t cap, struct unifw_error *err)
{
	memset(u, 0, sizeof *u);
	u->pe = find_part(&j->layout, "USRDATA");
	if (!u->pe) {
		snprintf(note, cap, "the phone's partition table has no USRDATA");
		return 0;
	}
	int rc = ops_phone_range_stream(j->ph, u->pe->offset, u->pe->size, "USRDATA", &u->s, err);
	if (rc)
		return rc;
	u->open_stream = true;
	uint8_t head[2048];
	struct unifw_ext4_super sb;
	struct unifw_error e;
	if (u->pe->size < sizeof head || (rc = u->s.pread(u->s.ctx, head, sizeof head, 0, err)) < 0 ||
	    unifw_ext4_parse_super(head, sizeof head, "USRDATA", &sb, &e) < 0) {
		if (!rc)
			snprintf(note, cap, "USRDATA holds no ext4 file system (blank, erased or encrypted)");
		usrdata_close(u);
		return rc;
	}
	rc = unifw_ext4_edit_open(&u->s, &u->ed, err);
	if (rc) {
		unifw_error_prefix(err, "USRDATA: ");
		usrdata_close(u);
		return rc;
	}
	return 1;
}

/* Commit the overlay and plan the blocks it changed. */
static int usrdata_plan(struct job *j, struct usrdata *u, struct unifw_jv *o, struct unifw_error *err)
{
	int rc = unifw_ext4_edit_commit(u->ed, err);
	if (rc)
		return rc;
	const struct unifw_ext4_change *c;
	size_t n;
	uint64_t bytes = 0;
	unifw_ext4_edit_changes(u->ed, &c, &n);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = idw_plan_add(&j->plan, u->pe->name, UNIFW_PHONE_USER, u->pe->offset + c[i].offset, c[i].data, c[i].len,
				  err);
		bytes += c[i].len;
	}
	unifw_jv_set_uint(o, "changed_bytes", bytes);
	unifw_jv_set_uint(o, "changed_extents", n);
	return rc;
}

/* mkdir -p of the folders above /nvram/<rel>, with the given owner for the ones created. */
static int make_parents(struct unifw_ext4_edit *ed, const char *rel, uint32_t uid, uint32_t gid,
			struct unifw_error *err)
{
	char path[UNIFW_EXT4_EDIT_MAX_PATH];
	if (snprintf(path, sizeof path, "%s/%s", NVRAM_DIR, rel) >= (int)sizeof path)
		return unifw_error_set(err, UNIFW_E_INVALID, rel, UNIFW_NO_OFFSET, "path too long");
	for (char *s = path + strlen(NVRAM_DIR) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		int rc = unifw_ext4_edit_mkdir(ed, path, NVRAM_DIR_MODE, uid, gid, err);
		*s = '/';
		if (rc)
			return rc;
	}
	return 0;
}

/* The file's bytes in place: an existing file keeps its inode, owner, mode and labels; a new one gets these. */
static int put_file(struct unifw_ext4_edit *ed, const char *rel, const uint8_t *data, size_t len, uint16_t mode,
		    uint32_t uid, uint32_t gid, struct unifw_error *err)
{
	char path[UNIFW_EXT4_EDIT_MAX_PATH];
	struct unifw_ext4_edit_stat st;
	struct unifw_error e;
	snprintf(path, sizeof path, "%s/%s", NVRAM_DIR, rel);
	int rc = make_parents(ed, rel, uid, gid, err);
	if (rc)
		return rc;
	rc = unifw_ext4_edit_stat(ed, path, &st, &e);
	if (rc == UNIFW_E_NOT_FOUND)
		return unifw_ext4_edit_create_file(ed, path, data, len, mode, uid, gid, err);
	if (rc) {
		*err = e;
		return rc;
	}
	if (st.kind != 'f')
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
				       "USRDATA has something else than a file there: not replaced");
	return unifw_ext4_edit_replace_file(ed, path, data, len, err);
}

static int nvram_root(struct unifw_ext4_edit *ed, uint32_t *uid, uint32_t *gid, struct unifw_error *err)
{
	struct unifw_ext4_edit_stat st;
	int rc = unifw_ext4_edit_mkdir(ed, NVRAM_DIR, NVRAM_DIR_MODE, 0, AID_SYSTEM, err);
	if (!rc)
		rc = unifw_ext4_edit_stat(ed, NVRAM_DIR, &st, err);
	if (!rc) {
		*uid = st.uid;
		*gid = st.gid;
	}
	return rc;
}

static uint16_t mode_of(const struct unifw_jv *f, uint16_t dflt)
{
	const struct unifw_jv *m = unifw_jv_get(f, "mode");
	const char *s = unifw_jv_str(m);
	unsigned long v = s ? strtoul(s, NULL, 8) : m ? (unsigned long)unifw_jv_u64(m) : dflt;
	return (uint16_t)(v & 07777);
}

/* The entry's saved tree: folders and files with their mode and owner; links and others are left out. */
static int tree_from_entry(struct unifw_ext4_edit *ed, const struct source *s, struct unifw_jv *o,
			   struct unifw_error *err)
{
	uint32_t ruid, rgid;
	size_t files = 0, dirs = 0, skipped = 0;
	int rc = nvram_root(ed, &ruid, &rgid, err);
	for (size_t i = 0; !rc && i < unifw_jv_len(s->tree); i++) {
		const struct unifw_jv *f = unifw_jv_at(s->tree, i);
		const char *kind = unifw_jv_str(unifw_jv_get(f, "kind")), *rel = unifw_jv_str(unifw_jv_get(f, "path"));
		uint32_t uid = (uint32_t)unifw_jv_u64(unifw_jv_get(f, "uid")), gid = (uint32_t)unifw_jv_u64(unifw_jv_get(f, "gid"));
		if (!ops_rel_path_ok(rel))
			return unifw_error_set(err, UNIFW_E_FORMAT, s->dir, UNIFW_NO_OFFSET,
					       "the manifest's nvram_tree names '%s', not a path inside /nvram", rel ? rel : "(none)");
		if (kind && !strcmp(kind, "dir")) {
			char path[UNIFW_EXT4_EDIT_MAX_PATH];
			snprintf(path, sizeof path, "%s/%s", NVRAM_DIR, rel);
			rc = make_parents(ed, rel, ruid, rgid, err);
			if (!rc)
				rc = unifw_ext4_edit_mkdir(ed, path, mode_of(f, NVRAM_DIR_MODE), uid, gid, err);
			dirs++;
		} else if (kind && !strcmp(kind, "file")) {
			char srel[1200];
			uint8_t *b = NULL;
			size_t len = 0;
			snprintf(srel, sizeof srel, "%s/%s", UNIFW_VAULT_NVRAM_TREE, rel);
			rc = read_checked(s->dir, srel, unifw_jv_str(unifw_jv_get(f, "sha256")), UNIFW_EXT4_MAX_FILE, &b, &len, err);
			if (!rc)
				rc = put_file(ed, rel, b, len, mode_of(f, NEW_FILE_MODE), uid, gid, err);
			free(b);
			files++;
		} else {
			skipped++;
		}
	}
	unifw_jv_set_uint(o, "files", files);
	unifw_jv_set_uint(o, "dirs", dirs);
	unifw_jv_set_uint(o, "skipped", skipped);
	return rc;
}

/* No saved tree: the files of the BinRegion (nvram_daemon's own backup of /data/nvram) at their paths. */
static int tree_from_binregion(struct unifw_ext4_edit *ed, const struct source *s, struct unifw_jv *o,
			       struct unifw_error *err)
{
	struct unifw_nvram nv;
	int rc = unifw_nvram_parse(s->img[0], s->len[0], "NVRAM", &nv, err);
	if (rc) {
		unifw_error_prefix(err, "the BinRegion to rebuild /nvram from: ");
		return rc;
	}
	uint32_t uid, gid;
	size_t files = 0, skipped = 0;
	rc = nvram_root(ed, &uid, &gid, err);
	for (size_t i = 0; !rc && i < nv.count; i++) {
		const struct unifw_nvram_file *f = &nv.files[i];
		const char *rel = !strncmp(f->name, "/data/nvram/", 12) ? f->name + 12 : NULL;
		if (!ops_rel_path_ok(rel)) {
			skipped++;
			continue;
		}
		rc = put_file(ed, rel, s->img[0] + f->offset, f->size, NEW_FILE_MODE, uid, gid, err);
		files++;
	}
	unifw_nvram_free(&nv);
	unifw_jv_set_uint(o, "files", files);
	unifw_jv_set_uint(o, "skipped", skipped);
	return rc;
}

static int plan_nvram_tree(struct job *j, const struct source *s, struct unifw_error *err)
{
	struct unifw_jv *o = unifw_jv_set_obj(j->res, "nvram_tree");
	unifw_jv_set_str(o, "type", "identity_nvram_tree");
	char note[256] = "";
	struct usrdata u;
	int rc = usrdata_open(j, &u, note, sizeof note, err);
	if (rc <= 0) {
		unifw_jv_set_str(o, "source", "none");
		if (note[0])
			unifw_jv_set_str(o, "note", note);
		return rc;
	}
	if (s->tree) {
		unifw_jv_set_str(o, "source", "entry");
		unifw_jv_set_str(o, "note", "the /nvram tree saved in the entry");
		rc = tree_from_entry(u.ed, s, o, err);
	} else if (s->img[0]) {
		unifw_jv_set_str(o, "source", "binregion");
		unifw_jv_set_str(o, "note", "no /nvram tree was saved: rebuilt from the files of the NVRAM BinRegion");
		rc = tree_from_binregion(u.ed, s, o, err);
	} else {
		unifw_jv_set_str(o, "source", "none");
		unifw_jv_set_str(o, "note", "neither a saved /nvram tree nor an NVRAM image in the source");
		usrdata_close(&u);
		return 0;
	}
	if (!rc)
		rc = usrdata_plan(j, &u, o, err);
	usrdata_close(&u);
	return rc;
}

/* ---------------------------------------------------------------- set-mac / set-bt */

struct phone_buf {
	uint8_t *b;
	uint64_t len, start;         /* start: the offset in the hardware partition the sink's offsets count from */
};

static int sink_buf(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct phone_buf *p = ctx;
	if (off < p->start || off - p->start > p->len || len > p->len - (off - p->start))
		return unifw_error_set(err, UNIFW_E_DEVICE, "NVRAM", off, "the phone sent bytes outside the range asked");
	memcpy(p->b + (off - p->start), data, len);
	return 0;
}

static void addr_json(struct unifw_jv *o, const char *key, const uint8_t a[6])
{
	char s[18];
	unifw_nvram_format_mac(a, s);
	unifw_jv_set_str(o, key, s);
}

static int plan_binregion_addr(struct job *j, bool bt, struct unifw_jv *o, struct unifw_error *err)
{
	const struct unifw_phone_part_entry *pe = find_part(&j->layout, "NVRAM");
	if (!pe)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "NVRAM", UNIFW_NO_OFFSET, "the phone's partition table has no NVRAM");
	if (pe->size > UNIFW_NVRAM_MAX_REGION || pe->size < UNIFW_NVRAM_BLOCK)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "NVRAM", pe->offset, "a %llu-byte NVRAM is not a BinRegion",
				       (unsigned long long)pe->size);
	struct phone_buf p = { malloc((size_t)pe->size), pe->size, pe->offset };
	uint8_t *now = malloc((size_t)pe->size), old_addr[6];
	int rc = p.b && now ? unifw_phone_read(j->ph, UNIFW_PHONE_USER, pe->offset, pe->size, sink_buf, &p, err)
			    : unifw_error_set(err, UNIFW_E_NOMEM, "NVRAM", UNIFW_NO_OFFSET, "out of memory");
	struct unifw_nvram nv;
	if (!rc && (rc = unifw_nvram_parse(p.b, (size_t)p.len, "NVRAM", &nv, err)) == 0) {
		enum unifw_nvram_addr_state st =
			bt ? unifw_nvram_bt_addr(&nv, p.b, old_addr) : unifw_nvram_wifi_mac(&nv, p.b, old_addr);
		if (st == UNIFW_NVRAM_ABSENT)
			rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, "NVRAM", UNIFW_NO_OFFSET, "the BinRegion has no %s file",
					     bt ? UNIFW_NVRAM_BT_ADDR : UNIFW_NVRAM_WIFI);
		/* Without a stored checksum that matches the data, the edit could not refresh it: the region
		 * nvram_daemon reads back would then fail its check. */
		else if (!nv.data_offset_checked)
			rc = unifw_error_set(err, UNIFW_E_UNSUPPORTED, "NVRAM", pe->offset,
					     "the BinRegion's stored checksum does not match its data (or its layout is not "
					     "confirmed): an address changed in it could not be vouched for; restore the "
					     "phone's NVRAM from a backup first");
		else {
			addr_json(o, "old", old_addr);
			unifw_jv_set_str(o, "old_state", unifw_nvram_addr_state_name(st));
		}
		unifw_nvram_free(&nv);
	}
	if (!rc) {
		memcpy(now, p.b, (size_t)p.len);
		rc = bt ? unifw_nvram_set_bt_addr(now, (size_t)p.len, j->o->addr, err)
			: unifw_nvram_set_wifi_mac(now, (size_t)p.len, j->o->addr, err);
	}
	if (!rc)
		rc = idw_plan_add_diff(&j->plan, pe->name, UNIFW_PHONE_USER, pe->offset, p.b, now, p.len, err);
	free(p.b);
	free(now);
	return rc;
}

static int plan_data_addr(struct job *j, bool bt, struct unifw_jv *o, struct unifw_error *err)
{
	char note[256] = "";
	struct usrdata u;
	int rc = usrdata_open(j, &u, note, sizeof note, err);
	if (rc <= 0) {
		unifw_jv_set_str(o, "data_nvram", "absent");
		if (note[0])
			unifw_jv_set_str(o, "data_nvram_note", note);
		return rc;
	}
	const char *path = bt ? NVRAM_DIR "/" UNIFW_NVRAM_BT_ADDR : NVRAM_DIR "/" UNIFW_NVRAM_WIFI;
	uint32_t at = bt ? 0 : UNIFW_NVRAM_WIFI_MAC_OFFSET;
	uint8_t *b = NULL;
	size_t len = 0;
	struct unifw_error e;
	rc = unifw_ext4_edit_read_file(u.ed, path, 1u << 20, &b, &len, &e);
	if (rc == UNIFW_E_NOT_FOUND) {
		unifw_jv_set_str(o, "data_nvram", "absent");
		unifw_jv_set_strf(o, "data_nvram_note", "USRDATA has no %s: nvram_daemon makes it from the BinRegion", path);
		usrdata_close(&u);
		return 0;
	}
	if (rc)
		*err = e;
	else if (len < at + 6)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET, "%zu bytes: too short for an address at %u",
				     len, at);
	if (!rc) {
		memcpy(b + at, j->o->addr, 6);
		rc = unifw_ext4_edit_replace_file(u.ed, path, b, len, err);
	}
	free(b);
	if (!rc) {
		unifw_jv_set_str(o, "data_nvram", "changed");
		rc = usrdata_plan(j, &u, o, err);
	}
	usrdata_close(&u);
	return rc;
}

/* ---------------------------------------------------------------- the job */

static int read_facts(struct job *j, struct unifw_error *err)
{
	const struct unifw_phone_info *info = unifw_phone_info(j->ph);
	if (!info || !info->have_cid || unifw_all_bytes(info->cid, 16, 0))
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "phone", UNIFW_NO_OFFSET,
				       "the phone did not report its eMMC CID: whose identity it holds cannot be checked");
	memcpy(j->cid, info->cid, 16);
	unifw_hex(j->cid, 16, j->cid_hex);
	int rc = unifw_phone_layout_read(j->ph, &j->layout, err);
	if (rc) {
		unifw_error_prefix(err, "reading the phone's partition table: ");
		return rc;
	}
	return unifw_idrestore_paths(j->cid, j->journal, j->plan_path, sizeof j->journal, err);
}

static int check_no_pending(const struct job *j, struct unifw_error *err)
{
	struct idw_journal jr;
	if (access(j->journal, F_OK) != 0)
		return 0;
	int rc = idw_journal_load(j->journal, &jr, err);
	if (rc) {
		unifw_error_prefix(err, "an identity write journal of this phone is damaged (remove it after checking the "
					"phone): ");
		return rc;
	}
	if (!strcmp(jr.state, "done"))
		return 0;
	return unifw_error_set(err, UNIFW_E_UNSAFE, j->journal, UNIFW_NO_OFFSET,
			       "an identity %s of this phone stopped after %llu of %llu ranges (%s): finish it first with "
			       "`unifw identity restore --resume`",
			       jr.op, (unsigned long long)jr.done, (unsigned long long)jr.total,
			       jr.last_error[0] ? jr.last_error : "no error recorded");
}

static void plan_json(const struct job *j)
{
	struct unifw_jv *p = unifw_jv_set_obj(j->res, "plan");
	unifw_jv_set_str(p, "type", "identity_write_plan");
	unifw_jv_set_uint(p, "ranges", j->plan.count);
	unifw_jv_set_uint(p, "bytes", j->plan.bytes);
}

static int execute(struct job *j, struct idw_journal *jr, struct unifw_error *err)
{
	struct unifw_flash_device dev;
	struct idw_result r;
	unifw_flash_device_from_phone(&dev, j->ph);
	int rc = idw_execute(&dev, &j->plan, jr, j->journal, j->o->progress, j->o->cancel, &r, err);
	struct unifw_jv *w = unifw_jv_set_obj(j->res, "written");
	unifw_jv_set_str(w, "type", "identity_write_result");
	unifw_jv_set_uint(w, "ranges", r.ranges_written);
	unifw_jv_set_uint(w, "bytes", r.bytes_written);
	unifw_jv_set_uint(w, "verified_bytes", r.bytes_verified);
	unifw_jv_set_uint(w, "resumed_after_ranges", r.ranges_resumed);
	unifw_jv_set_str(j->res, "state", jr->state);
	unifw_jv_set_str(j->res, "identity_backup", jr->backup);
	unifw_jv_set_str(j->res, "journal", j->journal);
	if (!rc)
		unlink(j->plan_path); /* the plan holds identity bytes: the vault keeps them, not the state folder */
	return rc;
}

static int resume(struct job *j, struct unifw_error *err)
{
	struct idw_journal jr;
	char sha[65];
	int rc = idw_journal_load(j->journal, &jr, err);
	if (rc == UNIFW_E_NOT_FOUND || (rc && err && err->sys_errno == ENOENT))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, j->journal, UNIFW_NO_OFFSET,
				       "nothing to resume: no identity write of this phone was interrupted");
	if (rc)
		return rc;
	if (strcasecmp(jr.cid, j->cid_hex))
		return unifw_error_set(err, UNIFW_E_UNSAFE, j->journal, UNIFW_NO_OFFSET,
				       "the journal is of another phone (CID %s, this one's is %s)", jr.cid, j->cid_hex);
	if (!strcmp(jr.state, "done"))
		return unifw_error_set(err, UNIFW_E_INVALID, j->journal, UNIFW_NO_OFFSET,
				       "nothing to resume: the last identity %s of this phone finished", jr.op);
	rc = idw_plan_load(j->plan_path, &j->plan, err);
	if (rc)
		return rc;
	unifw_hex(j->plan.sha256, 32, sha);
	if (strcasecmp(sha, jr.plan_sha256) || memcmp(j->plan.cid, j->cid, 16) || jr.total != j->plan.count)
		return unifw_error_set(err, UNIFW_E_UNSAFE, j->plan_path, UNIFW_NO_OFFSET,
				       "the saved plan is not the one the journal was started with (SHA-256 %.16s..., journal "
				       "%.16s...): refused", sha, jr.plan_sha256);
	rc = check_plan_targets(j, &j->plan, err);
	if (rc)
		return rc;
	unifw_jv_set_str(j->res, "op", jr.op);
	unifw_jv_set_bool(j->res, "resumed", true);
	unifw_jv_set_str(j->res, "source_path", jr.source);
	plan_json(j);
	if (j->o->plan_only) { /* what a resume would do, shown before the terminal's question */
		unifw_jv_set_str(j->res, "state", jr.state);
		return 0;
	}
	unifw_progress_note(j->o->progress, "info", "resuming the identity %s after %llu of %llu ranges", jr.op,
			    (unsigned long long)jr.done, (unsigned long long)jr.total);
	return execute(j, &jr, err);
}

static int plan_job(struct job *j, char *source, size_t cap, struct unifw_error *err)
{
	const enum unifw_idwrite_op op = j->o->op;
	if (op == UNIFW_IDWRITE_RESTORE) {
		struct source s = { 0 };
		int rc = load_source(j, &s, err);
		if (!rc) {
			source_to_json(&s, j->res);
			snprintf(source, cap, "%s", s.path);
			rc = plan_images(j, &s, err);
		}
		if (!rc)
			rc = plan_nvram_tree(j, &s, err);
		source_free(&s);
		return rc;
	}
	bool bt = op == UNIFW_IDWRITE_SET_BT;
	struct unifw_jv *o = unifw_jv_set_obj(j->res, "address");
	unifw_jv_set_str(o, "type", "identity_address");
	unifw_jv_set_str(o, "kind", bt ? "bt_address" : "wifi_mac");
	addr_json(o, "new", j->o->addr);
	snprintf(source, cap, "%s", bt ? "set-bt" : "set-mac");
	int rc = plan_binregion_addr(j, bt, o, err);
	return rc ? rc : plan_data_addr(j, bt, o, err);
}

static int fresh(struct job *j, struct unifw_error *err)
{
	char source[PATH_CAP] = "";
	int rc = check_no_pending(j, err);
	if (!rc)
		rc = plan_job(j, source, sizeof source, err);
	if (!rc)
		rc = check_plan_targets(j, &j->plan, err);
	if (rc)
		return rc;
	plan_json(j);
	if (j->o->plan_only) {
		unifw_jv_set_str(j->res, "state", "planned");
		return 0;
	}
	struct idw_journal jr = { 0 };
	struct unifw_vault_backup_opts vo = { .reason = unifw_idwrite_op_name(j->o->op), .progress = j->o->progress,
					      .cancel = j->o->cancel };
	rc = unifw_vault_backup(j->ph, &vo, jr.backup, sizeof jr.backup, NULL, err);
	if (rc) {
		unifw_error_prefix(err, "the identity backup before writing failed, nothing was written: ");
		return rc;
	}
	char dir[PATH_CAP];
	snprintf(dir, sizeof dir, "%s", j->journal);
	*strrchr(dir, '/') = 0;
	snprintf(j->plan.op, sizeof j->plan.op, "%s", unifw_idwrite_op_name(j->o->op));
	memcpy(j->plan.cid, j->cid, 16);
	rc = unifw_flash_make_dirs(dir, err);
	if (!rc)
		rc = idw_plan_save(j->plan_path, &j->plan, err);
	if (rc)
		return rc;
	snprintf(jr.op, sizeof jr.op, "%s", j->plan.op);
	snprintf(jr.cid, sizeof jr.cid, "%s", j->cid_hex);
	unifw_hex(j->plan.sha256, 32, jr.plan_sha256);
	snprintf(jr.source, sizeof jr.source, "%s", source);
	jr.total = j->plan.count;
	return execute(j, &jr, err);
}

int unifw_identity_write(struct unifw_phone *ph, const struct unifw_idrestore_opts *o, struct unifw_jv **result,
			 struct unifw_error *err)
{
	struct job j = { .ph = ph, .o = o, .res = unifw_jv_object() };
	unifw_jv_set_str(j.res, "type", "identity_write");
	unifw_jv_set_str(j.res, "op", unifw_idwrite_op_name(o->op));
	int rc = read_facts(&j, err);
	if (!rc) {
		unifw_jv_set_str(j.res, "cid", j.cid_hex);
		rc = o->resume ? resume(&j, err) : fresh(&j, err);
	}
	idw_plan_free(&j.plan);
	if (result)
		*result = j.res;
	else
		unifw_jv_free(j.res);
	return rc;
}
