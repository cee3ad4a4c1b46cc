/* The identity vault (unifw/vault.h, docs/identity.md "The vault"): entries made by unifw_backup_identity
 * plus the /nvram tree of USRDATA, listed, verified against their manifests, and pruned under one rule
 * (never a phone's oldest nor its newest entry). */
#include "unifw/vault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/phone_ext4.h"
#include "unifw/backup.h"
#include "unifw/flash.h"
#include "unifw/hash.h"
#include "unifw/idhealth.h"
#include "unifw/identify.h"
#include "unifw/io.h"

#define MANIFEST_MAX (8u << 20)
#define MANIFEST_DEPTH 16u
#define ENTRY_PREFIX "identity-"
#define PATH_CAP (UNIFW_VAULT_PATH + 1200)

int unifw_vault_root(char *out, size_t cap, struct unifw_error *err)
{
	char state[UNIFW_VAULT_PATH];
	int rc = unifw_flash_state_dir(state, sizeof state, err);
	if (rc)
		return rc;
	if (snprintf(out, cap, "%s/identity", state) >= (int)cap)
		return unifw_error_set(err, UNIFW_E_INVALID, state, UNIFW_NO_OFFSET, "path too long");
	return 0;
}

int unifw_vault_phone_dir(const uint8_t cid[16], char *out, size_t cap, struct unifw_error *err)
{
	char root[UNIFW_VAULT_PATH], hex[33];
	int rc = unifw_vault_root(root, sizeof root, err);
	if (rc)
		return rc;
	unifw_hex(cid, 16, hex);
	if (snprintf(out, cap, "%s/%s", root, hex) >= (int)cap)
		return unifw_error_set(err, UNIFW_E_INVALID, root, UNIFW_NO_OFFSET, "path too long");
	return 0;
}

/* ---------------------------------------------------------------- backup: the /nvram tree */

static int write_private(const char *path, const uint8_t *buf, size_t len, struct unifw_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return unifw_error_sys(err, path, "cannot create the file");
	int rc = unifw_fd_write_all(fd, buf, len, path, err);
	if (!rc && fsync(fd) < 0)
		rc = unifw_error_sys(err, path, "fsync");
	close(fd);
	return rc;
}

static const char *kind_name(char k)
{
	return k == 'f' ? "file" : k == 'd' ? "dir" : k == 'l' ? "symlink" : "other";
}

/* One entry of the walk: copied (files), created (folders) or only recorded (links, others). */
static int copy_one(struct unifw_ext4 *fs, const char *tree, const struct ops_tree_entry *e, struct unifw_jv *arr,
		    struct unifw_error *err)
{
	char dst[PATH_CAP], src[1100];
	if (snprintf(dst, sizeof dst, "%s/%s", tree, e->path) >= (int)sizeof dst ||
	    snprintf(src, sizeof src, "/nvram/%s", e->path) >= (int)sizeof src)
		return unifw_error_set(err, UNIFW_E_INVALID, tree, UNIFW_NO_OFFSET, "path too long: %s", e->path);
	struct unifw_jv *o = unifw_jv_push_obj(arr);
	unifw_jv_set_str(o, "path", e->path);
	unifw_jv_set_str(o, "kind", kind_name(e->kind));
	unifw_jv_set_uint(o, "size", e->size);
	unifw_jv_set_strf(o, "mode", "0%o", e->mode & 07777);
	unifw_jv_set_uint(o, "uid", e->uid);
	unifw_jv_set_uint(o, "gid", e->gid);
	if (e->kind == 'l')
		unifw_jv_set_str(o, "target", e->target);
	if (e->kind == 'd' && mkdir(dst, 0700) < 0)
		return unifw_error_sys(err, dst, "cannot create the folder");
	if (e->kind != 'f')
		return 0;
	uint8_t *buf = NULL, digest[32];
	size_t len = 0;
	char hex[65];
	int rc = unifw_ext4_read_file(fs, src, UNIFW_EXT4_MAX_FILE, &buf, &len, err);
	if (!rc)
		rc = write_private(dst, buf, len, err);
	if (!rc) {
		unifw_sha256(buf, len, digest);
		unifw_hex(digest, 32, hex);
		/* "file": where it is in the entry, as the images' entries say it (unifw info checks it) */
		unifw_jv_set_strf(o, "file", "%s/%s", UNIFW_VAULT_NVRAM_TREE, e->path);
		unifw_jv_set_str(o, "sha256", hex);
		unifw_jv_set_uint(o, "size", len);
	}
	free(buf);
	if (rc)
		unifw_error_prefix(err, "USRDATA /nvram/%s: ", e->path);
	return rc;
}

static int copy_tree(struct unifw_ext4 *fs, const char *entry, const struct ops_tree *t,
		     const struct unifw_vault_backup_opts *o, struct unifw_jv *arr, struct unifw_error *err)
{
	char tree[PATH_CAP];
	if (snprintf(tree, sizeof tree, "%s/%s", entry, UNIFW_VAULT_NVRAM_TREE) >= (int)sizeof tree)
		return unifw_error_set(err, UNIFW_E_INVALID, entry, UNIFW_NO_OFFSET, "path too long");
	if (mkdir(tree, 0700) < 0)
		return unifw_error_sys(err, tree, "cannot create the folder");
	unifw_progress_begin(o->progress, "nvram tree", "USRDATA /nvram", t->file_bytes);
	uint64_t done = 0;
	int rc = 0;
	for (size_t i = 0; i < t->count && !rc; i++) {
		rc = unifw_cancel_check(o->cancel, "vault", "while copying /nvram", err);
		if (!rc)
			rc = copy_one(fs, tree, &t->v[i], arr, err);
		done += t->v[i].size;
		unifw_progress_update(o->progress, done);
	}
	unifw_progress_end(o->progress, rc, rc ? NULL : "copied");
	return rc;
}

/* The "vault" object: reason, and the /nvram tree or why there is none. */
static int backup_tree(struct unifw_phone *ph, const char *entry, const struct unifw_vault_backup_opts *o,
		       struct unifw_jv *vault, struct unifw_error *err)
{
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	struct ops_phone_ext4 *px = NULL;
	struct ops_tree t = {0};
	struct unifw_error why;
	unifw_error_clear(&why);
	if (!l)
		return unifw_error_set(err, UNIFW_E_NOMEM, "vault", UNIFW_NO_OFFSET, "out of memory");
	int rc = unifw_phone_layout_read(ph, l, &why);
	if (!rc)
		rc = ops_phone_ext4_open(ph, l, "USRDATA", &px, &why);
	if (!rc)
		rc = ops_ext4_walk(ops_phone_ext4_fs(px), "/nvram", &t, &why);
	if (rc == UNIFW_E_NOT_FOUND || rc == UNIFW_E_FORMAT || rc == UNIFW_E_LIBRARY) {
		/* no ext4 USRDATA (formatted, encrypted, another file system) or no /nvram: a fact of this phone */
		unifw_jv_set(vault, "nvram_tree", NULL);
		unifw_jv_set_strf(vault, "nvram_tree_note", "no /nvram tree: %s", why.msg);
		unifw_progress_note(o->progress, "info", "no /nvram tree in USRDATA: %s", why.msg);
		rc = 0;
	} else if (rc) {
		*err = why;
		unifw_error_prefix(err, "reading /nvram of USRDATA: ");
	} else {
		rc = copy_tree(ops_phone_ext4_fs(px), entry, &t, o, unifw_jv_set_arr(vault, "nvram_tree"), err);
		unifw_jv_set_bool(vault, "nvram_tree_truncated", t.truncated);
		if (t.truncated)
			unifw_jv_set_str(vault, "nvram_tree_note", t.note);
		if (t.refused)
			unifw_jv_set_uint(vault, "nvram_tree_refused_names", t.refused);
	}
	ops_tree_free(&t);
	ops_phone_ext4_close(px);
	free(l);
	return rc;
}

static int write_manifest(const char *entry, const struct unifw_jv *m, struct unifw_error *err)
{
	char path[PATH_CAP];
	snprintf(path, sizeof path, "%s/%s", entry, UNIFW_BACKUP_MANIFEST);
	char *text = unifw_jv_to_string(m, true);
	int rc = text && !unifw_jv_oom(m) ? unifw_file_write_atomic(path, text, strlen(text), err)
					  : unifw_error_set(err, UNIFW_E_NOMEM, entry, UNIFW_NO_OFFSET, "out of memory");
	free(text);
	return rc;
}

int unifw_vault_backup_into(struct unifw_phone *ph, const char *dir, const struct unifw_vault_backup_opts *o,
			    struct unifw_jv **summary, struct unifw_error *err)
{
	char marker[PATH_CAP];
	struct unifw_jv *m = NULL;
	if (summary)
		*summary = NULL;
	if (snprintf(marker, sizeof marker, "%s/%s", dir, UNIFW_VAULT_INCOMPLETE) >= (int)sizeof marker)
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	/* until the last manifest is written the entry says it is unfinished: list and verify refuse it */
	int rc = write_private(marker, (const uint8_t *)"unfinished\n", 11, err);
	if (!rc && chmod(dir, 0700) < 0)
		rc = unifw_error_sys(err, dir, "chmod 0700");
	if (!rc) {
		rc = unifw_backup_identity(ph, dir, o->progress, &m, err);
		/* no partition table: nothing was read; the caller may fill the folder another way (flash reads
		 * the identity partitions where the package's scatter puts them), so the folder is left unmarked */
		if (rc == UNIFW_E_NOT_FOUND)
			unlink(marker);
	}
	if (!rc) {
		struct unifw_jv *vault = unifw_jv_set_obj(m, "vault");
		unifw_jv_set_str(vault, "reason", o->reason ? o->reason : "manual");
		rc = backup_tree(ph, dir, o, vault, err);
	}
	if (!rc)
		rc = write_manifest(dir, m, err);
	if (!rc && unlink(marker) < 0)
		rc = unifw_error_sys(err, marker, "cannot remove the marker");
	if (!rc && summary) {
		*summary = m;
		m = NULL;
	}
	unifw_jv_free(m);
	return rc;
}

int unifw_vault_backup(struct unifw_phone *ph, const struct unifw_vault_backup_opts *o, char *entry, size_t cap,
		       struct unifw_jv **summary, struct unifw_error *err)
{
	char parent[UNIFW_VAULT_PATH];
	const struct unifw_phone_info *info = unifw_phone_info(ph);
	int rc = 0;
	if (o->phone_dir)
		snprintf(parent, sizeof parent, "%s", o->phone_dir);
	else if (!info || !info->have_cid)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "vault", UNIFW_NO_OFFSET,
				       "the phone did not report its eMMC CID: the vault keys entries by it");
	else
		rc = unifw_vault_phone_dir(info->cid, parent, sizeof parent, err);
	if (!rc)
		rc = unifw_flash_make_dirs(parent, err);
	if (!rc)
		rc = unifw_backup_stamp_dir(parent, "identity", entry, cap, err);
	if (rc)
		return rc;
	unifw_progress_note(o->progress, "info", "identity backup (%s) to %s", o->reason ? o->reason : "manual", entry);
	return unifw_vault_backup_into(ph, entry, o, summary, err);
}

/* ---------------------------------------------------------------- reading entries */

int unifw_vault_manifest_load(const char *dir, struct unifw_jv **m, struct unifw_error *err)
{
	char path[PATH_CAP];
	uint8_t *buf = NULL;
	size_t len = 0;
	if (snprintf(path, sizeof path, "%s/%s", dir, UNIFW_BACKUP_MANIFEST) >= (int)sizeof path)
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	int rc = unifw_file_read_all(path, MANIFEST_MAX, &buf, &len, err);
	if (!rc)
		rc = unifw_jv_parse((const char *)buf, len, path, MANIFEST_MAX, MANIFEST_DEPTH, m, err);
	free(buf);
	return rc;
}

const struct unifw_jv *unifw_vault_manifest_part(const struct unifw_jv *m, const char *name)
{
	const struct unifw_jv *parts = unifw_jv_get(m, "partitions");
	size_t n = parts && unifw_jv_type(parts) == UNIFW_JV_ARRAY ? unifw_jv_len(parts) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *nm = unifw_jv_str(unifw_jv_get(unifw_jv_at(parts, i), "name"));
		if (nm && !strcasecmp(nm, name))
			return unifw_jv_at(parts, i);
	}
	return NULL;
}

static bool is_hex_name(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/* Bytes of the regular files under path (links not followed). */
static uint64_t tree_bytes(const char *path, unsigned depth)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	if (!S_ISDIR(st.st_mode) || depth > 32)
		return 0;
	DIR *d = opendir(path);
	uint64_t sum = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char sub[PATH_CAP];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >= (int)sizeof sub)
			continue;
		sum += tree_bytes(sub, depth + 1);
	}
	if (d)
		closedir(d);
	return sum;
}

static void read_entry(const char *phone_dir, const char *name, struct unifw_vault_entry *e)
{
	memset(e, 0, sizeof *e);
	snprintf(e->path, sizeof e->path, "%s/%s", phone_dir, name);
	snprintf(e->name, sizeof e->name, "%s", name);
	e->bytes = tree_bytes(e->path, 0);
	char marker[PATH_CAP];
	snprintf(marker, sizeof marker, "%s/%s", e->path, UNIFW_VAULT_INCOMPLETE);
	struct unifw_jv *m = NULL;
	struct unifw_error ignore;
	if (unifw_vault_manifest_load(e->path, &m, &ignore) < 0)
		return;
	e->complete = access(marker, F_OK) != 0;
	const char *created = unifw_jv_str(unifw_jv_get(m, "created"));
	const char *reason = unifw_jv_str(unifw_jv_path(m, "vault.reason"));
	snprintf(e->created, sizeof e->created, "%s", created ? created : "");
	snprintf(e->reason, sizeof e->reason, "%s", reason ? reason : "");
	const struct unifw_jv *tree = unifw_jv_path(m, "vault.nvram_tree");
	e->has_nvram_tree = tree && unifw_jv_type(tree) == UNIFW_JV_ARRAY;
	unifw_jv_free(m);
}

/* "identity-YYYYMMDD-HHMMSS[-N]": by stamp, then by N (so "-10" follows "-9"). */
static int entry_cmp(const void *a, const void *b)
{
	const struct unifw_vault_entry *x = a, *y = b;
	size_t base = strlen(ENTRY_PREFIX) + 15;
	int c = strncmp(x->name, y->name, base);
	if (c)
		return c;
	unsigned long nx = strlen(x->name) > base + 1 ? strtoul(x->name + base + 1, NULL, 10) : 1;
	unsigned long ny = strlen(y->name) > base + 1 ? strtoul(y->name + base + 1, NULL, 10) : 1;
	return nx < ny ? -1 : nx > ny;
}

static int list_phone(const char *dir, struct unifw_vault_phone *p, struct unifw_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return unifw_error_sys(err, dir, "cannot open the vault folder");
	size_t cap = 0;
	struct dirent *de;
	int rc = 0;
	while (!rc && (de = readdir(d))) {
		char sub[PATH_CAP];
		struct stat st;
		/* entries are real folders: a link placed in the vault is not followed (nor deleted through) */
		if (strncmp(de->d_name, ENTRY_PREFIX, strlen(ENTRY_PREFIX)) || strlen(de->d_name) >= 64 ||
		    snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name) >= (int)sizeof sub || lstat(sub, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (p->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct unifw_vault_entry *nv = realloc(p->entries, ncap * sizeof *nv);
			if (!nv) {
				rc = unifw_error_set(err, UNIFW_E_NOMEM, dir, UNIFW_NO_OFFSET, "out of memory");
				break;
			}
			p->entries = nv;
			cap = ncap;
		}
		read_entry(dir, de->d_name, &p->entries[p->count]);
		p->bytes += p->entries[p->count].bytes;
		p->count++;
	}
	closedir(d);
	if (!rc && p->count)
		qsort(p->entries, p->count, sizeof *p->entries, entry_cmp);
	return rc;
}

static int phone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct unifw_vault_phone *)a)->cid, ((const struct unifw_vault_phone *)b)->cid);
}

int unifw_vault_list(const char *root, struct unifw_vault_phone **phones, size_t *count, struct unifw_error *err)
{
	char def[UNIFW_VAULT_PATH];
	*phones = NULL;
	*count = 0;
	int rc = 0;
	if (!root) {
		if ((rc = unifw_vault_root(def, sizeof def, err)))
			return rc;
		root = def;
	}
	DIR *d = opendir(root);
	if (!d)
		return errno == ENOENT ? 0 : unifw_error_sys(err, root, "cannot open the vault");
	size_t cap = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		char dir[UNIFW_VAULT_PATH];
		struct stat st;
		if (!is_hex_name(de->d_name, 32) || snprintf(dir, sizeof dir, "%s/%s", root, de->d_name) >= (int)sizeof dir ||
		    lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (*count == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct unifw_vault_phone *nv = realloc(*phones, ncap * sizeof *nv);
			if (!nv) {
				rc = unifw_error_set(err, UNIFW_E_NOMEM, root, UNIFW_NO_OFFSET, "out of memory");
				break;
			}
			*phones = nv;
			cap = ncap;
		}
		struct unifw_vault_phone *p = &(*phones)[*count];
		memset(p, 0, sizeof *p);
		memcpy(p->cid, de->d_name, 32); /* is_hex_name checked: exactly 32 hex digits */
		p->cid[32] = 0;
		for (char *c = p->cid; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'F' ? *c - 'A' + 'a' : *c);
		(*count)++;
		rc = list_phone(dir, p, err);
	}
	closedir(d);
	if (rc) {
		unifw_vault_list_free(*phones, *count);
		*phones = NULL;
		*count = 0;
		return rc;
	}
	if (*count)
		qsort(*phones, *count, sizeof **phones, phone_cmp);
	return 0;
}

void unifw_vault_list_free(struct unifw_vault_phone *phones, size_t count)
{
	for (size_t i = 0; phones && i < count; i++)
		free(phones[i].entries);
	free(phones);
}

/* ---------------------------------------------------------------- verify */

static int check_file(const char *entry, const char *rel, const char *want, struct unifw_error *err)
{
	char path[PATH_CAP], hex[65];
	uint8_t digest[32];
	struct unifw_stream s;
	struct stat st;
	if (!ops_rel_path_ok(rel))
		return unifw_error_set(err, UNIFW_E_FORMAT, entry, UNIFW_NO_OFFSET,
				       "the manifest names a file outside the entry: '%s'", rel ? rel : "(none)");
	if (!want || strlen(want) != 64)
		return unifw_error_set(err, UNIFW_E_FORMAT, entry, UNIFW_NO_OFFSET, "the manifest has no SHA-256 for %s",
				       rel);
	snprintf(path, sizeof path, "%s/%s", entry, rel);
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return unifw_error_set(err, UNIFW_E_FORMAT, entry, UNIFW_NO_OFFSET,
				       "entry damaged: %s is missing (the manifest lists it with SHA-256 %.16s...)", rel, want);
	int rc = unifw_stream_open_file(&s, path, err);
	if (!rc) {
		rc = unifw_sha256_stream(&s, digest, err);
		unifw_stream_close(&s);
	}
	if (rc)
		return rc;
	unifw_hex(digest, 32, hex);
	if (strcasecmp(hex, want))
		return unifw_error_set(err, UNIFW_E_FORMAT, entry, UNIFW_NO_OFFSET,
				       "entry damaged: %s has SHA-256 %s, the manifest says %s", rel, hex, want);
	return 0;
}

int unifw_vault_entry_verify(const char *entry, struct unifw_error *err)
{
	char marker[PATH_CAP];
	struct unifw_jv *m = NULL;
	snprintf(marker, sizeof marker, "%s/%s", entry, UNIFW_VAULT_INCOMPLETE);
	if (access(marker, F_OK) == 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, entry, UNIFW_NO_OFFSET,
				       "entry incomplete: the backup that made it did not finish");
	int rc = unifw_vault_manifest_load(entry, &m, err);
	if (rc) {
		unifw_error_prefix(err, "entry unusable: ");
		return rc == UNIFW_E_IO ? UNIFW_E_FORMAT : rc;
	}
	const struct unifw_jv *parts = unifw_jv_get(m, "partitions");
	if (!parts || unifw_jv_type(parts) != UNIFW_JV_ARRAY || !unifw_jv_len(parts))
		rc = unifw_error_set(err, UNIFW_E_FORMAT, entry, UNIFW_NO_OFFSET, "the manifest lists no image");
	for (size_t i = 0; !rc && i < unifw_jv_len(parts); i++) {
		const struct unifw_jv *p = unifw_jv_at(parts, i);
		rc = check_file(entry, unifw_jv_str(unifw_jv_get(p, "file")), unifw_jv_str(unifw_jv_get(p, "sha256")), err);
	}
	const struct unifw_jv *tree = unifw_jv_path(m, "vault.nvram_tree");
	for (size_t i = 0; !rc && tree && i < unifw_jv_len(tree); i++) {
		const struct unifw_jv *f = unifw_jv_at(tree, i);
		const char *kind = unifw_jv_str(unifw_jv_get(f, "kind")), *p = unifw_jv_str(unifw_jv_get(f, "path"));
		char rel[1200];
		if (!kind || strcmp(kind, "file"))
			continue;
		snprintf(rel, sizeof rel, "%s/%s", UNIFW_VAULT_NVRAM_TREE, p && ops_rel_path_ok(p) ? p : "..");
		rc = check_file(entry, rel, unifw_jv_str(unifw_jv_get(f, "sha256")), err);
	}
	unifw_jv_free(m);
	return rc;
}

int unifw_vault_newest_healthy(const uint8_t cid[16], char *entry, size_t cap, struct unifw_error *err)
{
	char dir[UNIFW_VAULT_PATH], why[600] = "";
	struct unifw_vault_phone p = {0};
	int rc = unifw_vault_phone_dir(cid, dir, sizeof dir, err);
	if (!rc && access(dir, F_OK) != 0)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, dir, UNIFW_NO_OFFSET, "the vault has no entry of this phone");
	if (!rc)
		rc = list_phone(dir, &p, err);
	for (size_t i = p.count; !rc && i-- > 0;) {
		struct unifw_error e;
		struct unifw_idhealth h;
		unifw_error_clear(&e);
		if (unifw_vault_entry_verify(p.entries[i].path, &e) < 0) {
			if (!why[0])
				snprintf(why, sizeof why, "%s: %s", p.entries[i].name, e.msg);
			continue;
		}
		if ((rc = unifw_idhealth_of_folder(p.entries[i].path, &h, err)) < 0)
			break;
		bool ok = h.worst != UNIFW_IDH_ERROR;
		if (!ok && !why[0])
			snprintf(why, sizeof why, "%s: %s", p.entries[i].name, h.verdict_count ? h.verdict[0].text : "unhealthy");
		unifw_idhealth_free(&h);
		if (ok) {
			if (snprintf(entry, cap, "%s", p.entries[i].path) >= (int)cap)
				rc = unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
			free(p.entries);
			return rc;
		}
	}
	free(p.entries);
	if (rc)
		return rc;
	return unifw_error_set(err, UNIFW_E_NOT_FOUND, dir, UNIFW_NO_OFFSET,
			       "none of the phone's %zu vault entries verifies with a healthy NVRAM%s%s", p.count,
			       why[0] ? "; newest refused: " : "", why);
}

/* ---------------------------------------------------------------- prune */

size_t unifw_vault_prune_select(const struct unifw_vault_phone *p, size_t keep, bool *del)
{
	if (keep < 2)
		keep = 2;
	size_t going = 0;
	for (size_t i = 0; i < p->count; i++)
		del[i] = false;
	/* the oldest is the phone as it first came; the newest is the latest state: both always stay */
	for (size_t i = 1; i + 1 < p->count && p->count - going > keep; i++) {
		del[i] = true;
		going++;
	}
	return going;
}

int unifw_vault_prune(const char *root, const uint8_t *cid, size_t keep, bool dry_run,
		      struct unifw_vault_prune_result *res, struct unifw_error *err)
{
	struct unifw_vault_phone *phones = NULL;
	size_t n = 0;
	char hex[33] = "";
	memset(res, 0, sizeof *res);
	if (cid)
		unifw_hex(cid, 16, hex);
	int rc = unifw_vault_list(root, &phones, &n, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct unifw_vault_phone *p = &phones[i];
		if (cid && strcasecmp(p->cid, hex))
			continue;
		bool *del = calloc(p->count ? p->count : 1, sizeof *del);
		if (!del) {
			rc = unifw_error_set(err, UNIFW_E_NOMEM, "vault", UNIFW_NO_OFFSET, "out of memory");
			break;
		}
		unifw_vault_prune_select(p, keep, del);
		for (size_t k = 0; k < p->count && !rc; k++) {
			if (!del[k])
				continue;
			if (!dry_run && !unifw_remove_tree(p->entries[k].path))
				rc = unifw_error_sys(err, p->entries[k].path, "cannot delete the entry");
			if (!rc) {
				res->deleted++;
				res->bytes_freed += p->entries[k].bytes;
			}
		}
		free(del);
	}
	unifw_vault_list_free(phones, n);
	return rc;
}
