/* Ramdisk: a folder (what unifw_ramdisk_extract wrote, then edited) back into a ramdisk over the
 * original archive, and the digest that tells an untouched folder from an edited one
 * (include/unifw/ramdisk.h, docs/format-boot.md "Editing the ramdisk folder").
 *
 * The folder is hostile input: it is walked with openat(O_NOFOLLOW) from the folder's own descriptor, a
 * symlink is read as a link (readlink), never followed, and a symlink the original did not have may not
 * point out of the folder. What extraction cannot show (owners, setuid bits, device nodes) comes from
 * the original archive. */
#include "unifw/ramdisk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unifw/hash.h"
#include "format/ramdisk_internal.h"

struct dir_node {
	char *path;      /* relative, no leading "./" */
	uint32_t mode;   /* type bits + the folder's permission bits */
	uint8_t *data;   /* file contents */
	size_t size;
	char *link;      /* symlink target */
};

struct dir_tree {
	struct dir_node *n;
	size_t count, cap;
	uint64_t data_size;
	const char *root; /* for errors */
};

static void tree_free(struct dir_tree *t)
{
	for (size_t i = 0; i < t->count; i++) {
		free(t->n[i].path);
		free(t->n[i].data);
		free(t->n[i].link);
	}
	free(t->n);
	memset(t, 0, sizeof *t);
}

static struct dir_node *tree_add(struct dir_tree *t, const char *path, struct unifw_error *err)
{
	if (t->count >= UNIFW_RAMDISK_MAX_ENTRIES) {
		unifw_error_set(err, UNIFW_E_TOO_BIG, t->root, UNIFW_NO_OFFSET, "more than %u entries",
				UNIFW_RAMDISK_MAX_ENTRIES);
		return NULL;
	}
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct dir_node *n = realloc(t->n, cap * sizeof *n);
		if (!n) {
			unifw_error_set(err, UNIFW_E_NOMEM, t->root, UNIFW_NO_OFFSET, "out of memory");
			return NULL;
		}
		t->n = n;
		t->cap = cap;
	}
	struct dir_node *d = &t->n[t->count];
	memset(d, 0, sizeof *d);
	if (!(d->path = strdup(path))) {
		unifw_error_set(err, UNIFW_E_NOMEM, t->root, UNIFW_NO_OFFSET, "out of memory");
		return NULL;
	}
	t->count++;
	return d;
}

static int read_file_at(struct dir_tree *t, int dirfd, const char *name, struct dir_node *d, off_t size,
			struct unifw_error *err)
{
	if ((uint64_t)size > UNIFW_RAMDISK_MAX_TOTAL - t->data_size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, d->path, UNIFW_NO_OFFSET,
				       "the folder's files exceed %llu bytes", (unsigned long long)UNIFW_RAMDISK_MAX_TOTAL);
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return unifw_error_sys(err, d->path, "open");
	d->size = (size_t)size;
	d->data = size ? malloc((size_t)size) : NULL;
	int rc = 0;
	if (size && !d->data)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, d->path, UNIFW_NO_OFFSET, "out of memory");
	for (size_t got = 0; rc == 0 && got < d->size;) {
		ssize_t r = read(fd, d->data + got, d->size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			rc = r < 0 ? unifw_error_sys(err, d->path, "read")
				   : unifw_error_set(err, UNIFW_E_IO, d->path, got, "file shrank while read");
		else
			got += (size_t)r;
	}
	close(fd);
	t->data_size += d->size;
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted (a stable walk order and digest). */
static int list_dir(int fd, const char *where, char ***names, size_t *count, struct unifw_error *err)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	size_t n = 0, cap = 0;
	char **v = NULL;
	int rc = 0;
	*names = NULL;
	*count = 0;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return unifw_error_sys(err, where, "open directory");
	}
	for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nv = realloc(v, cap * sizeof *nv);
			if (!nv) {
				rc = unifw_error_set(err, UNIFW_E_NOMEM, where, UNIFW_NO_OFFSET, "out of memory");
				break;
			}
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			rc = unifw_error_set(err, UNIFW_E_NOMEM, where, UNIFW_NO_OFFSET, "out of memory");
		else
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, name_cmp);
	*names = v;
	*count = n;
	return rc;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int walk(struct dir_tree *t, int fd, const char *prefix, unsigned depth, struct unifw_error *err);

static int walk_entry(struct dir_tree *t, int fd, const char *prefix, const char *name, unsigned depth,
		      struct unifw_error *err)
{
	char path[MAX_PATH_LEN + 1], target[MAX_PATH_LEN + 1];
	struct stat st;
	if ((size_t)snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "/" : "", name) >= sizeof path)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, t->root, UNIFW_NO_OFFSET, "path longer than %u bytes",
				       MAX_PATH_LEN);
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return unifw_error_sys(err, path, "stat");
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
		return unifw_error_set(err, UNIFW_E_UNSAFE, path, UNIFW_NO_OFFSET,
				       "not a file, directory or symlink (device nodes come from the original ramdisk)");
	struct dir_node *d = tree_add(t, path, err);
	if (!d)
		return err ? err->code : UNIFW_E_NOMEM;
	d->mode = (uint32_t)(st.st_mode & (S_IFMT | 0777));
	if (S_ISREG(st.st_mode))
		return read_file_at(t, fd, name, d, st.st_size, err);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(fd, name, target, sizeof target - 1);
		if (n < 0)
			return unifw_error_sys(err, path, "readlink");
		target[n] = '\0';
		return (d->link = strdup(target)) ? 0 : unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	if (depth >= 64)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, path, UNIFW_NO_OFFSET, "directories nested deeper than 64");
	int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return unifw_error_sys(err, path, "open directory");
	int rc = walk(t, sub, path, depth + 1, err);
	close(sub);
	return rc;
}

static int walk(struct dir_tree *t, int fd, const char *prefix, unsigned depth, struct unifw_error *err)
{
	char **names = NULL;
	size_t n = 0;
	int rc = list_dir(fd, prefix[0] ? prefix : t->root, &names, &n, err);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = walk_entry(t, fd, prefix, names[i], depth, err);
	free_names(names, n);
	return rc;
}

static int read_tree(const char *dir, struct dir_tree *t, struct unifw_error *err)
{
	memset(t, 0, sizeof *t);
	t->root = dir;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOTDIR
			       ? unifw_error_set(err, UNIFW_E_UNSAFE, dir, UNIFW_NO_OFFSET, "not a directory (a symlink?)")
			       : unifw_error_sys(err, dir, "open directory");
	int rc = walk(t, fd, "", 0, err);
	close(fd);
	if (rc)
		tree_free(t);
	return rc;
}

/* ------------------------------------------------------------------ digest */

/* Over what the folder shows in walk order: path, type, the permission bits of files and symlinks
 * (a directory's depend on the umask at extraction), contents, link targets. */
static void digest_tree(const struct dir_tree *t, char hex[65])
{
	struct unifw_sha256 h;
	uint8_t d[32];
	unifw_sha256_init(&h);
	for (size_t i = 0; i < t->count; i++) {
		const struct dir_node *n = &t->n[i];
		char meta[64];
		int ml = snprintf(meta, sizeof meta, "%c %o %zu", S_ISDIR(n->mode) ? 'd' : S_ISLNK(n->mode) ? 'l' : 'f',
				  S_ISDIR(n->mode) ? 0u : n->mode & 0777u, n->size);
		unifw_sha256_update(&h, n->path, strlen(n->path) + 1);
		unifw_sha256_update(&h, meta, (size_t)ml + 1);
		if (n->size)
			unifw_sha256_update(&h, n->data, n->size);
		if (n->link)
			unifw_sha256_update(&h, n->link, strlen(n->link) + 1);
	}
	unifw_sha256_final(&h, d);
	unifw_hex(d, 32, hex);
}

int unifw_ramdisk_dir_digest(const char *dir, char hex[65], struct unifw_error *err)
{
	struct dir_tree t;
	int rc = read_tree(dir, &t, err);
	if (rc)
		return rc;
	digest_tree(&t, hex);
	tree_free(&t);
	return 0;
}

/* ------------------------------------------------------------------ rebuild */

static const struct dir_node *tree_find(const struct dir_tree *t, const char *path)
{
	for (size_t i = 0; i < t->count; i++)
		if (!strcmp(t->n[i].path, path))
			return &t->n[i];
	return NULL;
}

/* A link target that stays inside the folder: relative, and its ".." never climb above the root from
 * where the link is. */
static bool link_stays_inside(const char *path, const char *target)
{
	if (target[0] == '/' || !target[0])
		return false;
	long depth = 0;
	for (const char *p = path; (p = strchr(p, '/')) != NULL; p++)
		depth++;
	for (const char *c = target; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (--depth < 0)
				return false;
		} else if (!(n == 1 && c[0] == '.') && n) {
			depth++;
		}
		c += n;
		while (*c == '/')
			c++;
	}
	return true;
}

static int check_link(const struct unifw_ramdisk *base, const struct dir_node *n, struct unifw_error *err)
{
	const struct unifw_ramdisk_entry *was = unifw_ramdisk_find(base, n->path);
	if (was && was->type == UNIFW_RD_SYMLINK && was->link && !strcmp(was->link, n->link))
		return 0; /* the original's own link (e.g. an absolute one to /system), kept as it was */
	if (!link_stays_inside(n->path, n->link))
		return unifw_error_set(err, UNIFW_E_UNSAFE, n->path, UNIFW_NO_OFFSET,
				       "symlink to \"%.200s\" points out of the ramdisk folder; refused", n->link);
	return 0;
}

/* Entry of out from a folder node; `was` (may be NULL) gives owner, mtime and the bits extraction drops. */
static int put_node(struct unifw_ramdisk *out, const struct unifw_ramdisk *base, const struct unifw_ramdisk_entry *was,
		    const struct dir_node *n, struct unifw_error *err)
{
	struct unifw_ramdisk_entry *e = ramdisk_entry_append(out, err);
	if (!e)
		return err ? err->code : UNIFW_E_NOMEM;
	uint32_t mode = n->mode;
	if (was && (was->mode & S_IFMT) == (n->mode & S_IFMT)) {
		/* the folder shows 0777 of the mode (directories as the umask left them): keep the rest */
		mode = S_ISDIR(n->mode) ? was->mode : (was->mode & ~0777u) | (n->mode & 0777u);
		if (S_ISREG(n->mode) && (n->mode & 0777u) == (was->mode & 0777u))
			mode = was->mode;
	}
	if (S_ISLNK(n->mode))
		mode = S_IFLNK | 0777;
	const struct unifw_ramdisk_entry *src = was ? ramdisk_link_data(base, was) : NULL;
	bool same_hardlink = was && was->type == UNIFW_RD_HARDLINK && src && src->size == n->size &&
			     (!n->size || !memcmp(src->data, n->data, n->size));
	e->path = strdup(was ? was->path : n->path);
	e->type = same_hardlink ? UNIFW_RD_HARDLINK : ramdisk_type_of(mode);
	e->mode = same_hardlink ? was->mode : mode;
	e->uid = was ? was->uid : 0;
	e->gid = was ? was->gid : 0;
	e->mtime = was ? was->mtime : 0;
	e->link = same_hardlink ? strdup(was->link) : n->link ? strdup(n->link) : NULL;
	if (!same_hardlink && n->size) {
		e->data = malloc(n->size);
		if (e->data) {
			memcpy(e->data, n->data, n->size);
			e->size = n->size;
			out->data_size += n->size;
		}
	}
	if (!e->path || (n->link && !e->link) || (!same_hardlink && n->size && !e->data))
		return unifw_error_set(err, UNIFW_E_NOMEM, n->path, UNIFW_NO_OFFSET, "out of memory");
	return 0;
}

static int copy_entry(struct unifw_ramdisk *out, const struct unifw_ramdisk_entry *was, struct unifw_error *err)
{
	struct unifw_ramdisk_entry *e = ramdisk_entry_append(out, err);
	if (!e)
		return err ? err->code : UNIFW_E_NOMEM;
	*e = *was;
	e->path = strdup(was->path);
	e->link = was->link ? strdup(was->link) : NULL;
	e->data = was->size ? malloc(was->size) : NULL;
	if (!e->path || (was->link && !e->link) || (was->size && !e->data))
		return unifw_error_set(err, UNIFW_E_NOMEM, was->path, UNIFW_NO_OFFSET, "out of memory");
	if (was->size)
		memcpy(e->data, was->data, was->size);
	out->data_size += was->size;
	return 0;
}

static int rebuild(const struct unifw_ramdisk *base, const struct dir_tree *t, struct unifw_ramdisk *out,
		   struct unifw_error *err)
{
	int rc = 0;
	/* the original's entries in their order: kept (with the folder's content), or gone when deleted */
	for (size_t i = 0; i < base->count && rc == 0; i++) {
		const struct unifw_ramdisk_entry *was = &base->entries[i];
		const char *c = unifw_ramdisk_canonical(was->path);
		const struct dir_node *n = c[0] && strcmp(c, ".") ? tree_find(t, c) : NULL;
		if (!c[0] || !strcmp(c, ".") || (was->type == UNIFW_RD_SPECIAL && !n))
			rc = copy_entry(out, was, err); /* the root, device nodes and FIFOs extraction skipped */
		else if (n && (!S_ISLNK(n->mode) || (rc = check_link(base, n, err)) == 0))
			rc = put_node(out, base, was, n, err);
	}
	/* then what the folder added, parents before children (the walk is depth first, sorted) */
	for (size_t i = 0; i < t->count && rc == 0; i++) {
		const struct dir_node *n = &t->n[i];
		if (unifw_ramdisk_find(base, n->path))
			continue;
		if (!unifw_ramdisk_path_safe(n->path))
			rc = unifw_error_set(err, UNIFW_E_UNSAFE, n->path, UNIFW_NO_OFFSET, "unsafe path in the folder");
		else if (!S_ISLNK(n->mode) || (rc = check_link(base, n, err)) == 0)
			rc = put_node(out, base, NULL, n, err);
	}
	return rc;
}

int unifw_ramdisk_from_dir(const struct unifw_ramdisk *base, const char *dir, struct unifw_ramdisk *out,
			   struct unifw_error *err)
{
	struct dir_tree t;
	unifw_ramdisk_init(out);
	int rc = read_tree(dir, &t, err);
	if (rc)
		return rc;
	out->compression = base->compression;
	rc = rebuild(base, &t, out, err);
	tree_free(&t);
	if (rc)
		unifw_ramdisk_free(out);
	return rc;
}
