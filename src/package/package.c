/* Firmware packages, backup folders and loose folders/archives (include/unifw/package.h).
 *
 * One pass: archives can only be read member after member, so each file is detected, described and
 * hashed while it is current, and the scatter is joined with the files afterwards. Describing does not
 * depend on the scatter (content decides the type), so nothing needs a second pass; the price is that
 * files the scatter does not name are described too, which costs little in a firmware package. */
#include "unifw/package.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "package/package_internal.h"
#include "unifw/archive.h"
#include "unifw/detect.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/progress.h"

/* --- small helpers --------------------------------------------------------------------------------- */

const char *pkg_base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

char *pkg_dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return strndup(path, s ? (size_t)(s - path) : 0);
}

bool pkg_is_no_file(const char *file_name)
{
	return !file_name[0] || !strcasecmp(file_name, "NONE");
}

char *pkg_format_error(const struct unifw_error *e)
{
	char buf[1024];
	return strdup(unifw_error_format(e, buf, sizeof buf));
}

const char *pkg_human(uint64_t n, char *buf, size_t len) { return unifw_human_size(n, buf, len); }

struct unifw_package_item *pkg_add_item(struct unifw_package *p, const char *path, uint64_t size,
					struct unifw_error *err)
{
	if ((p->item_count & (p->item_count - 1)) == 0) { /* grow at powers of two */
		size_t cap = p->item_count ? p->item_count * 2 : 16;
		struct unifw_package_item *n = realloc(p->items, cap * sizeof *n);
		if (!n) {
			unifw_error_set(err, UNIFW_E_NOMEM, p->path, UNIFW_NO_OFFSET, "out of memory listing files");
			return NULL;
		}
		p->items = n;
	}
	struct unifw_package_item *it = &p->items[p->item_count];
	memset(it, 0, sizeof *it);
	it->path = strdup(path);
	if (!it->path) {
		unifw_error_set(err, UNIFW_E_NOMEM, p->path, UNIFW_NO_OFFSET, "out of memory listing files");
		return NULL;
	}
	it->size = size;
	snprintf(it->type, sizeof it->type, "unknown");
	p->item_count++;
	return it;
}

int pkg_keep_text(struct builder *b, size_t item, char *text, size_t len)
{
	struct kept_text *n = realloc(b->texts, (b->text_count + 1) * sizeof *n);
	if (!n) {
		free(text);
		return UNIFW_E_NOMEM;
	}
	b->texts = n;
	b->texts[b->text_count++] = (struct kept_text){item, text, len};
	return 0;
}

bool pkg_wants_text(const char *type, const char *path, uint64_t size)
{
	bool candidate = !strcmp(type, "scatter") || !strcasecmp(pkg_base_name(path), MANIFEST_NAME);
	return candidate && (size == UNIFW_SIZE_UNKNOWN || size <= UNIFW_PACKAGE_MAX_TEXT);
}

/* The item's type is what its describe said ("ebr", "boot_header"...), else what detection said. */
void pkg_settle_type(struct unifw_package_item *it, const char *detected)
{
	const char *t = unifw_jv_str(unifw_jv_get(it->detail, "type"));
	snprintf(it->type, sizeof it->type, "%s", t ? t : detected);
}

void pkg_describe_mem(struct unifw_package_item *it, const char *text, size_t len, const uint8_t *head,
		      size_t head_len)
{
	struct unifw_stream ms;
	struct unifw_error e;
	unifw_error_clear(&e);
	unifw_stream_from_mem(&ms, text, len, it->path);
	it->detail = unifw_jv_object();
	if (unifw_detect_describe(&ms, head, head_len, it->detail, &e) < 0)
		it->error = pkg_format_error(&e);
	unifw_stream_close(&ms);
}

static void finish(struct builder *b)
{
	struct unifw_package *p = b->p;
	pkg_load_scatters(b);
	pkg_load_manifest(b);
	pkg_report_duplicates(p);
	if (p->chosen) {
		struct unifw_error e;
		unifw_error_clear(&e);
		unifw_scatter_validate(&p->chosen->sc, p->chosen->item->path, NULL, &p->findings, &e);
		pkg_join_partitions(p);
		const struct unifw_package_partition *lk = unifw_package_find(p, "UBOOT");
		if (!lk)
			lk = unifw_package_find(p, "LK");
		pkg_check_lcm_pair(p, lk, unifw_package_find(p, "BOOTIMG"));
		pkg_check_lcm_pair(p, lk, unifw_package_find(p, "RECOVERY"));
	}
	if (p->manifest) {
		p->kind = UNIFW_PACKAGE_BACKUP;
		for (size_t i = 0; i < p->item_count; i++)
			if (!strcmp(p->items[i].type, "backup_manifest")) {
				char *dir = pkg_dir_of(p->items[i].path);
				if (dir)
					pkg_check_manifest_hashes(p, p->manifest, dir, 0);
				free(dir);
				break;
			}
	} else {
		p->kind = p->chosen ? UNIFW_PACKAGE_FIRMWARE : UNIFW_PACKAGE_LOOSE;
	}
	/* Images of partitions were reported by the partition checks; any other file that failed is too. */
	for (size_t i = 0; i < p->item_count; i++)
		if (p->items[i].error && !p->items[i].matched)
			unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "file-unreadable", p->items[i].path, 0, NULL,
					   "%s", p->items[i].error);
	if (p->kind == UNIFW_PACKAGE_LOOSE)
		unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "no-scatter", p->path, 0, NULL,
				   "no scatter file (*scatter*.txt) found: this is not a flashable firmware package; "
				   "its %zu file%s are described one by one", p->item_count, p->item_count == 1 ? "" : "s");
	else if (p->chosen)
		pkg_report_extras(p);
}

/* --- public ------------------------------------------------------------------------------------------ */

/* prefer: the scatter to choose; with single, the only file to read besides the folder's manifest.json. */
static int build(struct unifw_package *p, struct unifw_archive *a, bool on_disk, const char *prefer, bool single,
		 struct unifw_error *err)
{
	struct builder b = {.p = p, .on_disk = on_disk, .prefer = prefer};
	const char *listed[2] = {prefer, MANIFEST_NAME};
	char manifest[8192];
	if (single)
		snprintf(manifest, sizeof manifest, "%s/%s", p->path, MANIFEST_NAME);
	int rc;
	b.head = malloc(UNIFW_DETECT_HEAD);
	b.chunk = malloc(DRAIN_CHUNK);
	if (!b.head || !b.chunk)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, p->path, UNIFW_NO_OFFSET, "out of memory");
	else if (single)
		rc = pkg_read_listed(&b, listed, access(manifest, F_OK) == 0 && strcmp(prefer, MANIFEST_NAME) ? 2 : 1, err);
	else
		rc = a ? pkg_read_archive(&b, a, err) : pkg_read_folder(&b, err);
	if (!rc)
		finish(&b);
	for (size_t i = 0; i < b.text_count; i++)
		free(b.texts[i].text);
	free(b.texts);
	free(b.head);
	free(b.chunk);
	return rc;
}

static struct unifw_package *package_new(const char *path, enum unifw_package_source src, struct unifw_error *err)
{
	struct unifw_package *p = calloc(1, sizeof *p);
	if (p)
		p->path = strdup(path);
	if (!p || !p->path) {
		free(p);
		unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
		return NULL;
	}
	p->source = src;
	return p;
}

bool unifw_package_is_folder(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int open_with(struct unifw_package *p, struct unifw_archive *a, bool on_disk, struct unifw_package **out,
		     struct unifw_error *err)
{
	int rc = build(p, a, on_disk, NULL, false, err);
	unifw_archive_close(a);
	if (rc) {
		unifw_package_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int unifw_package_open(const char *path, struct unifw_package **out, struct unifw_error *err)
{
	*out = NULL;
	bool folder = unifw_package_is_folder(path);
	struct unifw_archive *a = NULL;
	if (!folder) {
		int rc = unifw_archive_open(path, &a, err);
		if (rc)
			return rc;
	}
	struct unifw_package *p = package_new(path, folder ? UNIFW_PACKAGE_FOLDER : UNIFW_PACKAGE_ARCHIVE, err);
	if (!p) {
		unifw_archive_close(a);
		return UNIFW_E_NOMEM;
	}
	return open_with(p, a, !folder, out, err);
}

int unifw_package_open_path(const char *path, struct unifw_package **out, struct unifw_error *err)
{
	int rc = -1;
	if (!unifw_package_is_folder(path)) {
		uint8_t *head = NULL;
		size_t n = 0;
		uint64_t size = 0;
		if (unifw_file_read_head(path, 4096, &head, &n, &size, NULL) == 0 && size <= UNIFW_PACKAGE_MAX_TEXT &&
		    !unifw_archive_probe(head, n) && !unifw_archive_compressed(head, n))
			rc = unifw_package_open_scatter(path, out, NULL);
		free(head);
	}
	return rc ? unifw_package_open(path, out, err) : 0;
}

int unifw_package_open_scatter(const char *scatter_path, struct unifw_package **out, struct unifw_error *err)
{
	*out = NULL;
	const char *slash = strrchr(scatter_path, '/');
	const char *base = slash ? slash + 1 : scatter_path;
	char *dir = slash ? strndup(scatter_path, (size_t)(slash - scatter_path) + (slash == scatter_path)) : strdup(".");
	if (!dir)
		return unifw_error_set(err, UNIFW_E_NOMEM, scatter_path, UNIFW_NO_OFFSET, "out of memory");
	struct unifw_package *p = unifw_package_is_folder(dir) ? package_new(dir, UNIFW_PACKAGE_FOLDER, err) : NULL;
	int rc = p ? build(p, NULL, false, base, false, err)
		   : unifw_error_set(err, UNIFW_E_NOT_FOUND, scatter_path, UNIFW_NO_OFFSET, "its folder %s cannot be read",
				     dir);
	free(dir);
	if (!rc && (!p->chosen || strcmp(p->chosen->item->path, base)))
		rc = unifw_error_set(err, UNIFW_E_FORMAT, scatter_path, UNIFW_NO_OFFSET,
				     "not a scatter file unifw can read (its folder %s, as a package, %s)", p->path,
				     p->chosen ? "chooses another scatter" : "has no readable scatter");
	if (rc) {
		unifw_package_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int unifw_package_open_image(const char *image, struct unifw_package **out, struct unifw_error *err)
{
	*out = NULL;
	const char *slash = strrchr(image, '/');
	const char *base = slash ? slash + 1 : image;
	if (!*base || unifw_package_is_folder(image))
		return unifw_error_set(err, UNIFW_E_INVALID, image, UNIFW_NO_OFFSET, "not an image file");
	char *dir = slash ? strndup(image, (size_t)(slash - image) + (slash == image)) : strdup(".");
	struct unifw_package *p = dir ? package_new(dir, UNIFW_PACKAGE_FOLDER, err) : NULL;
	free(dir);
	if (!p)
		return UNIFW_E_NOMEM;
	int rc = build(p, NULL, false, base, true, err);
	if (rc) {
		unifw_package_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* SHA-256 of one folder file, the progress told of every chunk (done counts across files). */
static int hash_file(const char *full, struct unifw_package_item *it, uint8_t *buf, size_t cap,
		     const struct unifw_progress *progress, uint64_t *done, struct unifw_error *err)
{
	struct unifw_stream s;
	struct unifw_sha256 h;
	int rc = unifw_stream_open_file(&s, full, err);
	if (rc)
		return rc;
	if (unifw_sha256_init(&h) < 0) {
		unifw_stream_close(&s);
		return unifw_error_set(err, UNIFW_E_NOMEM, full, UNIFW_NO_OFFSET, "out of memory");
	}
	ssize_t n;
	while ((n = unifw_stream_read(&s, buf, cap, err)) > 0) {
		unifw_sha256_update(&h, buf, (size_t)n);
		*done += (uint64_t)n;
		unifw_progress_update(progress, *done);
	}
	unifw_sha256_final(&h, it->sha256);
	unifw_stream_close(&s);
	if (n < 0)
		return (int)n;
	it->has_sha256 = true;
	return 0;
}

int unifw_package_hash_files(struct unifw_package *p, const struct unifw_progress *progress, struct unifw_error *err)
{
	if (p->source != UNIFW_PACKAGE_FOLDER)
		return 0; /* archive members were hashed as they streamed */
	uint64_t total = 0, done = 0;
	for (size_t i = 0; i < p->item_count; i++)
		total += !p->items[i].has_sha256 && !p->items[i].error ? p->items[i].size : 0;
	if (!total)
		return 0;
	uint8_t *buf = malloc(DRAIN_CHUNK);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, p->path, UNIFW_NO_OFFSET, "out of memory");
	unifw_progress_begin(progress, "hash", p->path, total);
	int rc = 0;
	for (size_t i = 0; i < p->item_count && !rc; i++) {
		struct unifw_package_item *it = &p->items[i];
		char full[8192];
		if (it->has_sha256 || it->error)
			continue;
		if (snprintf(full, sizeof full, "%s/%s", p->path, it->path) >= (int)sizeof full)
			rc = unifw_error_set(err, UNIFW_E_INVALID, it->path, UNIFW_NO_OFFSET, "path too long");
		else
			rc = hash_file(full, it, buf, DRAIN_CHUNK, progress, &done, err);
	}
	unifw_progress_end(progress, rc, rc ? NULL : "SHA-256 of every file");
	free(buf);
	return rc;
}

uint64_t unifw_package_item_written_size(const struct unifw_package_item *it)
{
	return pkg_written_size(it);
}

int unifw_package_open_archive_mem(const void *buf, size_t len, const char *name, struct unifw_package **out,
				   struct unifw_error *err)
{
	*out = NULL;
	struct unifw_archive *a = NULL;
	int rc = unifw_archive_open_mem(buf, len, name, &a, err);
	if (rc)
		return rc;
	struct unifw_package *p = package_new(name, UNIFW_PACKAGE_ARCHIVE, err);
	if (!p) {
		unifw_archive_close(a);
		return UNIFW_E_NOMEM;
	}
	return open_with(p, a, false, out, err);
}

void unifw_package_free(struct unifw_package *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->item_count; i++) {
		free(p->items[i].path);
		free(p->items[i].error);
		unifw_jv_free(p->items[i].detail);
	}
	for (size_t i = 0; i < p->scatter_count; i++) {
		if (p->scatters[i].parsed)
			unifw_scatter_free(&p->scatters[i].sc);
	}
	free(p->scatters);
	free(p->items);
	free(p->parts);
	free(p->base_dir);
	free(p->path);
	unifw_jv_free(p->manifest);
	unifw_findings_free(&p->findings);
	free(p);
}

const char *unifw_package_type(const struct unifw_package *p)
{
	switch (p->kind) {
	case UNIFW_PACKAGE_FIRMWARE: return "package";
	case UNIFW_PACKAGE_BACKUP: return "backup";
	case UNIFW_PACKAGE_LOOSE: break;
	}
	return p->source == UNIFW_PACKAGE_FOLDER ? "folder" : "archive";
}

const struct unifw_package_partition *unifw_package_find(const struct unifw_package *p, const char *name)
{
	for (size_t i = 0; i < p->part_count; i++)
		if (!strcasecmp(p->parts[i].part->name, name))
			return &p->parts[i];
	return NULL;
}

