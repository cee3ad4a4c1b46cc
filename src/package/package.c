/* Firmware packages, backup folders and loose folders/archives (include/unifw/package.h).
 *
 * One pass: archives can only be read member after member, so each file is detected, described and
 * hashed while it is current, and the scatter is joined with the files afterwards. Describing does not
 * depend on the scatter (content decides the type), so nothing needs a second pass; the price is that
 * files the scatter does not name are described too, which costs little in a firmware package. */
#include "unifw/package.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "package/formats.h"
#include "unifw/archive.h"
#include "unifw/backup.h"
#include "unifw/detect.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "util/bytes.h"

#define DRAIN_CHUNK (256u * 1024u)
#define MANIFEST_NAME "manifest.json"
#define BACKUP_KIND "unifw-backup"

/* A text file (scatter candidate or manifest) kept whole for parsing after the pass. */
struct kept_text {
	size_t item;
	char *text;
	size_t len;
};

struct builder {
	struct unifw_package *p;
	uint8_t *head;            /* UNIFW_DETECT_HEAD bytes */
	uint8_t *chunk;           /* DRAIN_CHUNK bytes */
	struct kept_text *texts;
	size_t text_count;
	bool on_disk;             /* the archive is p->path (not memory) */
};

/* --- small helpers --------------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return strndup(path, s ? (size_t)(s - path) : 0);
}

static bool is_no_file(const char *file_name)
{
	return !file_name[0] || !strcasecmp(file_name, "NONE");
}

static char *format_error(const struct unifw_error *e)
{
	char buf[1024];
	return strdup(unifw_error_format(e, buf, sizeof buf));
}

static const char *human(uint64_t n, char *buf, size_t len) { return unifw_human_size(n, buf, len); }

static struct unifw_package_item *add_item(struct unifw_package *p, const char *path, uint64_t size,
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

static int keep_text(struct builder *b, size_t item, char *text, size_t len)
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

static bool wants_text(const char *type, const char *path, uint64_t size)
{
	bool candidate = !strcmp(type, "scatter") || !strcasecmp(base_name(path), MANIFEST_NAME);
	return candidate && (size == UNIFW_SIZE_UNKNOWN || size <= UNIFW_PACKAGE_MAX_TEXT);
}

/* The item's type is what its describe said ("ebr", "boot_header"...), else what detection said. */
static void settle_type(struct unifw_package_item *it, const char *detected)
{
	const char *t = unifw_jv_str(unifw_jv_get(it->detail, "type"));
	snprintf(it->type, sizeof it->type, "%s", t ? t : detected);
}

static void describe_mem(struct unifw_package_item *it, const char *text, size_t len, const uint8_t *head,
			 size_t head_len)
{
	struct unifw_stream ms;
	struct unifw_error e;
	unifw_error_clear(&e);
	unifw_stream_from_mem(&ms, text, len, it->path);
	it->detail = unifw_jv_object();
	if (unifw_detect_describe(&ms, head, head_len, it->detail, &e) < 0)
		it->error = format_error(&e);
	unifw_stream_close(&ms);
}

/* --- folder files -------------------------------------------------------------------------------- */

static int process_file(struct builder *b, struct unifw_package_item *it, const char *full)
{
	struct unifw_error e;
	struct unifw_stream s;
	unifw_error_clear(&e);
	if (unifw_stream_open_file(&s, full, &e) < 0) {
		it->error = format_error(&e);
		return 0;
	}
	size_t want = s.size < UNIFW_DETECT_HEAD ? (size_t)s.size : UNIFW_DETECT_HEAD;
	if (!s.pread) { /* replaced by something else since the walk */
		it->error = strdup("not a regular file any more");
		unifw_stream_close(&s);
		return 0;
	}
	if (want && s.pread(s.ctx, b->head, want, 0, &e) < 0) {
		unifw_error_where(&e, full);
		it->error = format_error(&e);
		unifw_stream_close(&s);
		return 0;
	}
	const char *detected = unifw_detect(b->head, want, s.size);
	if (wants_text(detected, it->path, s.size)) {
		uint8_t *text = NULL;
		size_t len = 0;
		if (unifw_file_read_all(full, UNIFW_PACKAGE_MAX_TEXT, &text, &len, &e) == 0) {
			describe_mem(it, (const char *)text, len, b->head, want);
			keep_text(b, (size_t)(it - b->p->items), (char *)text, len);
		} else {
			it->error = format_error(&e);
		}
	} else {
		it->detail = unifw_jv_object();
		if (unifw_detect_describe(&s, b->head, want, it->detail, &e) < 0)
			it->error = format_error(&e);
	}
	unifw_stream_close(&s);
	settle_type(it, detected);
	if (it->size <= UNIFW_PACKAGE_HASH_LIMIT && unifw_stream_open_file(&s, full, &e) == 0) {
		it->has_sha256 = unifw_sha256_stream(&s, it->sha256, &e) == 0;
		unifw_stream_close(&s);
	}
	return 0;
}

struct walk_entry {
	char *rel;
	uint64_t size;
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct walk_entry *)a)->rel, ((const struct walk_entry *)b)->rel);
}

struct walk {
	const char *root;
	struct walk_entry *list;
	size_t count, cap;
	struct unifw_error *err;
};

static int walk_add(struct walk *w, const char *rel, uint64_t size)
{
	if (w->count >= UNIFW_PACKAGE_MAX_FILES)
		return unifw_error_set(w->err, UNIFW_E_TOO_BIG, w->root, UNIFW_NO_OFFSET,
				       "more than %u files: expected a firmware package folder (tens of files)",
				       UNIFW_PACKAGE_MAX_FILES);
	if (w->count == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct walk_entry *n = realloc(w->list, cap * sizeof *n);
		if (!n)
			return unifw_error_set(w->err, UNIFW_E_NOMEM, w->root, UNIFW_NO_OFFSET, "out of memory");
		w->list = n;
		w->cap = cap;
	}
	w->list[w->count].rel = strdup(rel);
	w->list[w->count].size = size;
	if (!w->list[w->count].rel)
		return unifw_error_set(w->err, UNIFW_E_NOMEM, w->root, UNIFW_NO_OFFSET, "out of memory");
	w->count++;
	return 0;
}

/* Regular files (and symlinks to regular files) up to UNIFW_PACKAGE_MAX_DEPTH levels; directory
 * symlinks are not followed (no loops, no wandering out of the package); dot-entries are skipped. */
static int walk_dir(struct walk *w, const char *rel, unsigned depth)
{
	char dirpath[4096];
	snprintf(dirpath, sizeof dirpath, "%s%s%s", w->root, rel[0] ? "/" : "", rel);
	DIR *d = opendir(dirpath);
	if (!d)
		return unifw_error_sys(w->err, dirpath, "open directory");
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char child[4096], full[8192];
		struct stat st;
		if (snprintf(child, sizeof child, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >= (int)sizeof child)
			continue;
		snprintf(full, sizeof full, "%s/%s", w->root, child);
		if (lstat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 < UNIFW_PACKAGE_MAX_DEPTH)
				rc = walk_dir(w, child, depth + 1);
			continue;
		}
		if (S_ISLNK(st.st_mode) && (stat(full, &st) < 0 || !S_ISREG(st.st_mode)))
			continue;
		if (S_ISREG(st.st_mode))
			rc = walk_add(w, child, (uint64_t)st.st_size);
	}
	closedir(d);
	return rc;
}

static int read_folder(struct builder *b, struct unifw_error *err)
{
	struct walk w = {.root = b->p->path, .err = err};
	int rc = walk_dir(&w, "", 0);
	if (!rc && w.count)
		qsort(w.list, w.count, sizeof *w.list, cmp_entry);
	for (size_t i = 0; !rc && i < w.count; i++) {
		char full[8192];
		snprintf(full, sizeof full, "%s/%s", b->p->path, w.list[i].rel);
		struct unifw_package_item *it = add_item(b->p, w.list[i].rel, w.list[i].size, err);
		rc = it ? process_file(b, it, full) : UNIFW_E_NOMEM;
	}
	for (size_t i = 0; i < w.count; i++)
		free(w.list[i].rel);
	free(w.list);
	return rc;
}

/* --- archive members ------------------------------------------------------------------------------ */

/* Everything read from a member passes through here once: counted and hashed. */
struct tee {
	struct unifw_stream *src;
	struct unifw_sha256 sha;
	uint64_t count;
};

static ssize_t tee_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct tee *t = ctx;
	ssize_t n = t->src->read(t->src->ctx, buf, len, err);
	if (n > 0) {
		unifw_sha256_update(&t->sha, buf, (size_t)n);
		t->count += (uint64_t)n;
	}
	return n;
}

/* A describe sees the member from offset 0: first the bytes already read for detection, then the rest. */
struct replay {
	const uint8_t *pre;
	size_t pre_len, pos;
	struct unifw_stream *rest;
};

static ssize_t replay_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct replay *r = ctx;
	if (r->pos < r->pre_len) {
		size_t n = r->pre_len - r->pos < len ? r->pre_len - r->pos : len;
		memcpy(buf, r->pre + r->pos, n);
		r->pos += n;
		return (ssize_t)n;
	}
	return r->rest->read(r->rest->ctx, buf, len, err);
}

/* Read what follows the head into a text buffer (scatter / manifest candidates), at most MAX_TEXT+1. */
static int read_text_rest(struct unifw_stream *ts, const uint8_t *head, size_t head_len, uint8_t **out,
			  size_t *out_len, struct unifw_error *err)
{
	uint8_t *t = malloc(UNIFW_PACKAGE_MAX_TEXT + 1);
	if (!t)
		return unifw_error_set(err, UNIFW_E_NOMEM, ts->name, UNIFW_NO_OFFSET, "out of memory");
	memcpy(t, head, head_len);
	ssize_t n = unifw_stream_read(ts, t + head_len, UNIFW_PACKAGE_MAX_TEXT + 1 - head_len, err);
	if (n < 0) {
		free(t);
		return (int)n;
	}
	*out = t;
	*out_len = head_len + (size_t)n;
	return 0;
}

static void describe_member(struct builder *b, struct unifw_package_item *it, struct unifw_stream *ts,
			    size_t head_len, uint64_t declared)
{
	struct unifw_error e;
	unifw_error_clear(&e);
	const char *detected = unifw_detect(b->head, head_len, declared);
	if (wants_text(detected, it->path, declared) && head_len == UNIFW_DETECT_HEAD) {
		uint8_t *text = NULL;
		size_t len = 0;
		if (read_text_rest(ts, b->head, head_len, &text, &len, &e) < 0) {
			it->error = format_error(&e);
		} else if (len <= UNIFW_PACKAGE_MAX_TEXT) {
			describe_mem(it, (const char *)text, len, b->head, head_len);
			keep_text(b, (size_t)(it - b->p->items), (char *)text, len);
			text = NULL;
		} else {
			struct replay rp = {text, len, 0, ts};
			struct unifw_stream ds = {.read = replay_read, .ctx = &rp, .size = declared};
			snprintf(ds.name, sizeof ds.name, "%s", ts->name);
			it->detail = unifw_jv_object();
			if (unifw_detect_describe(&ds, b->head, head_len, it->detail, &e) < 0)
				it->error = format_error(&e);
		}
		free(text);
	} else if (wants_text(detected, it->path, declared)) {
		/* The whole text is already in the head. */
		describe_mem(it, (const char *)b->head, head_len, b->head, head_len);
		char *copy = malloc(head_len + 1);
		if (copy) {
			memcpy(copy, b->head, head_len);
			keep_text(b, (size_t)(it - b->p->items), copy, head_len);
		}
	} else {
		struct replay rp = {b->head, head_len, 0, ts};
		struct unifw_stream ds = {.read = replay_read, .ctx = &rp, .size = declared};
		snprintf(ds.name, sizeof ds.name, "%s", ts->name);
		it->detail = unifw_jv_object();
		if (unifw_detect_describe(&ds, b->head, head_len, it->detail, &e) < 0)
			it->error = format_error(&e);
	}
	settle_type(it, detected);
}

/* Returns 0, or negative when the member's data could not be read (the archive may be broken). */
static int process_member(struct builder *b, struct unifw_archive *a, struct unifw_package_item *it,
			  const struct unifw_archive_member *m)
{
	struct unifw_error e;
	struct unifw_stream ms;
	unifw_error_clear(&e);
	if (m->encrypted) {
		it->error = strdup("encrypted member: cannot be read without its password");
		return 0;
	}
	if (unifw_archive_member_stream(a, &ms, &e) < 0) {
		it->error = format_error(&e);
		return 0;
	}
	struct tee t = {.src = &ms};
	if (unifw_sha256_init(&t.sha) < 0) {
		it->error = strdup("cannot start SHA-256");
		return 0;
	}
	struct unifw_stream ts = {.read = tee_read, .ctx = &t, .size = m->size};
	snprintf(ts.name, sizeof ts.name, "%s", ms.name);
	int rc = 0;
	ssize_t n = unifw_stream_read(&ts, b->head, UNIFW_DETECT_HEAD, &e);
	if (n < 0) {
		it->error = format_error(&e);
		rc = (int)n;
	} else {
		describe_member(b, it, &ts, (size_t)n, m->size);
		/* Hash the rest: the describe may have stopped early. */
		for (;;) {
			unifw_error_clear(&e);
			ssize_t r = unifw_stream_read(&ts, b->chunk, DRAIN_CHUNK, &e);
			if (r == 0)
				break;
			if (r < 0) {
				if (!it->error)
					it->error = format_error(&e);
				rc = (int)r;
				break;
			}
		}
	}
	unifw_sha256_final(&t.sha, it->sha256);
	it->has_sha256 = rc == 0;
	it->size = rc == 0 ? t.count : m->size;
	return rc;
}

/* A zip ends with its "end of central directory" record (within the last 64 KiB + 22 bytes). libarchive
 * reads a zip that lacks it member by member and stops quietly where the data ends, so an interrupted
 * download would look complete: check for the record ourselves. */
static void check_zip_tail(struct unifw_package *p)
{
	struct unifw_stream s;
	struct unifw_error e;
	uint8_t magic[4];
	unifw_error_clear(&e);
	if (unifw_stream_open_file(&s, p->path, &e) < 0)
		return;
	if (s.pread && s.size != UNIFW_SIZE_UNKNOWN && s.size >= 22 && s.pread(s.ctx, magic, 4, 0, &e) == 0 &&
	    !memcmp(magic, "PK\x03\x04", 4)) {
		size_t tail = s.size < 65536 + 22 ? (size_t)s.size : 65536 + 22;
		uint8_t *buf = malloc(tail);
		if (buf && s.pread(s.ctx, buf, tail, s.size - tail, &e) == 0 &&
		    unifw_memfind(buf, tail, 0, "PK\x05\x06", 4) == SIZE_MAX)
			unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "archive-truncated", p->path, 0, NULL,
					   "zip has no end-of-central-directory record: the file is cut short (an "
					   "interrupted download?); members were read up to where it ends, later ones are "
					   "missing");
		free(buf);
	}
	unifw_stream_close(&s);
}

static void note_unsafe(struct unifw_package *p, const struct unifw_archive_member *m)
{
	unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "unsafe-member-name", p->path, 0, NULL,
			   "member '%s': %s; unifw never writes it, and neither should any tool that extracts this "
			   "archive", m->raw_name, m->unsafe_reason);
}

static int read_archive(struct builder *b, struct unifw_archive *a, struct unifw_error *err)
{
	struct unifw_archive_member m;
	int rc;
	int broken = 0;
	struct unifw_error member_err;
	unifw_error_clear(&member_err);
	while ((rc = unifw_archive_next(a, &m, err)) == 1) {
		snprintf(b->p->archive_format, sizeof b->p->archive_format, "%s", unifw_archive_format(a));
		if (m.unsafe_reason)
			note_unsafe(b->p, &m);
		if (m.kind == UNIFW_MEMBER_DIR)
			continue;
		if (m.kind != UNIFW_MEMBER_FILE) {
			unifw_findings_add(&b->p->findings, UNIFW_SEV_INFO, "member-not-a-file", b->p->path, 0, NULL,
					   "member '%s' is a link or special file; ignored", m.raw_name);
			continue;
		}
		struct unifw_package_item *it = add_item(b->p, m.name, m.size, err);
		if (!it)
			return UNIFW_E_NOMEM;
		it->unsafe = m.unsafe_reason;
		if (process_member(b, a, it, &m) < 0)
			broken = 1;
	}
	if (rc < 0 && broken)
		unifw_error_prefix(err, "after a member whose data could not be read: ");
	if (rc == 0 && b->on_disk)
		check_zip_tail(b->p);
	return rc < 0 ? rc : 0;
}

/* --- after the pass: scatters, manifest, join, checks ----------------------------------------------- */

static const char *dialect_name(enum unifw_scatter_dialect d)
{
	switch (d) {
	case UNIFW_SCATTER_V1: return "v1";
	case UNIFW_SCATTER_FLAT: return "flat";
	case UNIFW_SCATTER_BRACES: return "braces";
	}
	return "?";
}

static bool path_in_dir_eq(const char *dir, const char *rel, const char *path)
{
	size_t dl = strlen(dir);
	char want[UNIFW_ARCHIVE_MAX_NAME + 1];
	unifw_archive_normalise_name(rel, want, sizeof want);
	if (dl == 0)
		return !strcasecmp(want, path);
	return !strncasecmp(path, dir, dl) && path[dl] == '/' && !strcasecmp(path + dl + 1, want);
}

static const struct unifw_package_item *find_image(const struct unifw_package *p, const char *dir, const char *file)
{
	for (size_t i = 0; i < p->item_count; i++)
		if (path_in_dir_eq(dir, file, p->items[i].path))
			return &p->items[i];
	return NULL;
}

/* Ranking when a package holds several scatters: an MT6572 one first, then one with file names (V1.x),
 * then the one whose file names match the most files next to it. */
static int scatter_score(const struct unifw_package *p, const struct unifw_package_scatter *s)
{
	if (!s->parsed)
		return -1;
	int score = 0;
	if (strcasestr(s->sc.platform, "MT6572"))
		score += 1000;
	if (s->sc.dialect == UNIFW_SCATTER_V1)
		score += 100;
	char *dir = dir_of(s->item->path);
	for (size_t i = 0; dir && i < s->sc.count; i++)
		if (!is_no_file(s->sc.parts[i].file_name) && find_image(p, dir, s->sc.parts[i].file_name))
			score += 1;
	free(dir);
	return score;
}

static void load_scatters(struct builder *b)
{
	struct unifw_package *p = b->p;
	size_t n = 0;
	for (size_t i = 0; i < b->text_count; i++)
		n += !strcmp(p->items[b->texts[i].item].type, "scatter");
	if (!n)
		return;
	p->scatters = calloc(n, sizeof *p->scatters);
	if (!p->scatters)
		return;
	for (size_t i = 0; i < b->text_count; i++) {
		struct unifw_package_item *it = &p->items[b->texts[i].item];
		if (strcmp(it->type, "scatter"))
			continue;
		struct unifw_package_scatter *s = &p->scatters[p->scatter_count++];
		struct unifw_error e;
		unifw_error_clear(&e);
		s->item = it;
		s->parsed = unifw_scatter_parse(b->texts[i].text, b->texts[i].len, it->path, &s->sc, &e) == 0;
		if (!s->parsed && !it->error)
			it->error = format_error(&e);
		s->score = scatter_score(p, s);
	}
	for (size_t i = 0; i < p->scatter_count; i++)
		if (p->scatters[i].parsed && (!p->chosen || p->scatters[i].score > p->chosen->score))
			p->chosen = &p->scatters[i];
	if (p->scatter_count > 1 && p->chosen)
		unifw_findings_add(&p->findings, UNIFW_SEV_INFO, "several-scatters", p->chosen->item->path, 0, NULL,
				   "%zu scatter files in the package; using this one (platform %s, %s, %d images named "
				   "and present)", p->scatter_count, p->chosen->sc.platform[0] ? p->chosen->sc.platform : "?",
				   dialect_name(p->chosen->sc.dialect), p->chosen->score % 100);
	for (size_t i = 0; i < p->scatter_count; i++)
		if (!p->scatters[i].parsed)
			unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "scatter-unreadable",
					   p->scatters[i].item->path, 0, NULL, "looks like a scatter file but does not parse: %s",
					   p->scatters[i].item->error ? p->scatters[i].item->error : "?");
}

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

static void load_manifest(struct builder *b)
{
	struct unifw_package *p = b->p;
	for (size_t i = 0; i < b->text_count && !p->manifest; i++) {
		struct unifw_package_item *it = &p->items[b->texts[i].item];
		if (strcasecmp(base_name(it->path), MANIFEST_NAME))
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

/* Which content types a partition may hold. NULL = anything (raw areas: PRO_INFO, MISC, EXPDB...). */
static const char *const *expected_types(const char *part, const char *storage)
{
	static const char *const preloader[] = {"preloader", NULL};
	static const char *const mbr[] = {"mbr", NULL};
	static const char *const ebr[] = {"ebr", "mbr", NULL};
	static const char *const lk[] = {"lk", NULL};
	static const char *const boot[] = {"bootimg", NULL};
	static const char *const logo[] = {"logo", NULL};
	static const char *const secro[] = {"secro", NULL};
	static const char *const seccfg[] = {"seccfg", NULL};
	static const char *const nvram[] = {"nvram", NULL};
	static const char *const pmt[] = {"pmt", NULL};
	static const char *const fs[] = {"ext4", "sparse", NULL};
	static const struct {
		const char *name;
		const char *const *types;
	} table[] = {
		{"PRELOADER", preloader}, {"MBR", mbr},       {"EBR1", ebr},       {"EBR2", ebr},
		{"UBOOT", lk},            {"LK", lk},         {"BOOTIMG", boot},   {"BOOT", boot},
		{"RECOVERY", boot},       {"LOGO", logo},     {"SEC_RO", secro},   {"SECRO", secro},
		{"SECCFG", seccfg},       {"NVRAM", nvram},   {"PMT", pmt},        {"ANDROID", fs},
		{"SYSTEM", fs},           {"CACHE", fs},      {"USRDATA", fs},     {"USERDATA", fs},
		{"CUSTPACK", fs},         {"PROTECT_F", fs},  {"PROTECT_S", fs},
	};
	/* NAND packages carry UBI/YAFFS images that no module describes yet: no expectation for file systems. */
	bool nand = storage && !strcasecmp(storage, "NAND");
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (!strcasecmp(part, table[i].name))
			return nand && table[i].types == fs ? NULL : table[i].types;
	return NULL;
}

static bool type_in(const char *type, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(type, *list))
			return true;
	return false;
}

static uint64_t detail_u64(const struct unifw_jv *d, const char *const *keys)
{
	for (; *keys; keys++) {
		const struct unifw_jv *v = unifw_jv_path(d, *keys);
		if (unifw_jv_type(v) == UNIFW_JV_UINT || unifw_jv_type(v) == UNIFW_JV_INT)
			return unifw_jv_u64(v);
		const char *s = unifw_jv_str(v);
		if (s && !strncmp(s, "0x", 2))
			return strtoull(s, NULL, 16);
	}
	return 0;
}

static const char *detail_str(const struct unifw_jv *d, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *s = unifw_jv_str(unifw_jv_path(d, *keys));
		if (s && *s)
			return s;
	}
	return NULL;
}

/* Bytes the image takes once written: a sparse image expands to blocks x block size. */
static uint64_t written_size(const struct unifw_package_item *it)
{
	static const char *const sparse_keys[] = {"expanded_size", "image_size", "raw_size", "output_size", NULL};
	if (!strcmp(it->type, "sparse")) {
		uint64_t n = detail_u64(it->detail, sparse_keys);
		if (n)
			return n;
	}
	return it->size;
}

/* One status per partition: the most fundamental problem wins (content that cannot be read, then
 * content of the wrong kind, then a preloader for another chip, then a size that does not fit). */
static const char *severity_status(const char *current, const char *next)
{
	static const char *const rank[] = {"unreadable", "wrong_type", "wrong_platform", "too_big", "ok"};
	size_t a = 0, b = 0;
	while (a < 4 && strcmp(rank[a], current))
		a++;
	while (b < 4 && strcmp(rank[b], next))
		b++;
	return b < a ? next : current;
}

/* A module's own findings about an image (e.g. a boot image whose MTK header names disagree) belong
 * to the package report too, under the partition the image is for. */
static void adopt_module_findings(struct unifw_package *p, const struct unifw_package_item *it, const char *part)
{
	const struct unifw_jv *f = unifw_jv_get(it->detail, "findings");
	for (size_t i = 0; i < unifw_jv_len(f); i++) {
		const struct unifw_jv *x = unifw_jv_at(f, i);
		const char *sev = unifw_jv_str(unifw_jv_get(x, "severity"));
		const char *code = unifw_jv_str(unifw_jv_get(x, "code"));
		const char *msg = unifw_jv_str(unifw_jv_get(x, "message"));
		if (!sev || !code || !msg)
			continue;
		enum unifw_severity level = !strcmp(sev, "error")     ? UNIFW_SEV_ERROR
					    : !strcmp(sev, "warning") ? UNIFW_SEV_WARNING
								      : UNIFW_SEV_INFO;
		unifw_findings_add(&p->findings, level, code, it->path, (unsigned)unifw_jv_u64(unifw_jv_get(x, "line")),
				   part, "%s", msg);
	}
}

static void check_partition(struct unifw_package *p, struct unifw_package_partition *pp)
{
	const struct unifw_scatter_part *sp = pp->part;
	const struct unifw_package_item *it = pp->item;
	char a[32], b[32];
	pp->status = "ok";
	if (it->error) {
		pp->status = "unreadable";
		unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "image-unreadable", it->path, 0, sp->name,
				   "%s", it->error);
	}
	adopt_module_findings(p, it, sp->name);
	pp->image_bytes = written_size(it);
	bool sized = sp->size && !unifw_scatter_addr_is_from_end(sp->linear_start);
	if (sized && pp->image_bytes > sp->size) {
		pp->status = severity_status(pp->status, "too_big");
		unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "image-too-big", it->path, 0, sp->name,
				   "image is %s (%llu bytes)%s but partition %s holds %s (0x%llx): SP Flash Tool refuses it "
				   "(error 5056/5069) and a raw write would overrun into the next partition",
				   human(pp->image_bytes, a, sizeof a), (unsigned long long)pp->image_bytes,
				   pp->image_bytes != it->size ? " once unsparsed" : "", sp->name, human(sp->size, b, sizeof b),
				   (unsigned long long)sp->size);
	}
	const char *const *want = expected_types(sp->name, p->chosen->sc.storage);
	if (want && !it->error && !type_in(it->type, want)) {
		bool bricks = !strcasecmp(sp->name, "PRELOADER") || !strcasecmp(sp->name, "MBR");
		pp->status = severity_status(pp->status, "wrong_type");
		unifw_findings_add(&p->findings, bricks ? UNIFW_SEV_ERROR : UNIFW_SEV_WARNING, "image-wrong-type",
				   it->path, 0, sp->name, "partition %s expects %s content, the image is %s%s", sp->name,
				   want[0], it->type,
				   bricks ? ": flashing it leaves the phone unable to boot" : "");
	}
	if (!strcmp(it->type, "preloader")) {
		static const char *const keys[] = {"platform", "chip", "rom_info.platform", NULL};
		const char *plat = detail_str(it->detail, keys);
		const char *target = p->chosen->sc.platform[0] ? p->chosen->sc.platform : "MT6572";
		if (plat && strcasecmp(plat, target)) {
			pp->status = severity_status(pp->status, "wrong_platform");
			unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "preloader-wrong-platform", it->path, 0,
					   sp->name, "preloader is built for %s but the package is for %s: it will not boot "
					   "this phone (BROM/test-point recovery needed)", plat, target);
		}
	}
}

static void join_partitions(struct unifw_package *p)
{
	const struct unifw_scatter *sc = &p->chosen->sc;
	p->base_dir = dir_of(p->chosen->item->path);
	p->parts = calloc(sc->count ? sc->count : 1, sizeof *p->parts);
	if (!p->base_dir || !p->parts)
		return;
	p->part_count = sc->count;
	for (size_t i = 0; i < sc->count; i++) {
		struct unifw_package_partition *pp = &p->parts[i];
		const struct unifw_scatter_part *sp = &sc->parts[i];
		pp->part = sp;
		if (is_no_file(sp->file_name)) {
			pp->status = "no_image";
			continue;
		}
		pp->item = find_image(p, p->base_dir, sp->file_name);
		if (!pp->item) {
			pp->status = sp->is_download ? "missing" : "not_downloaded";
			if (sp->is_download)
				unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "image-missing", p->chosen->item->path,
						   sp->line, sp->name, "%s (file_name: %s) is not in the package: "
						   "a download of this package leaves partition %s as it is on the phone",
						   sp->file_name, sp->file_name, sp->name);
			continue;
		}
		((struct unifw_package_item *)pp->item)->matched = true;
		check_partition(p, pp);
	}
	if (sc->dialect != UNIFW_SCATTER_V1)
		unifw_findings_add(&p->findings, UNIFW_SEV_INFO, "scatter-without-files", p->chosen->item->path, 0,
				   NULL, "this scatter (%s style) names no image files: it describes a layout but "
				   "cannot drive a download", dialect_name(sc->dialect));
	const char *plat = sc->platform;
	if (plat[0] && !strcasestr(plat, "MT6572"))
		unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "not-mt6572", p->chosen->item->path, 0, NULL,
				   "package platform is %s; unifw's checks are written for MT6572", plat);
}

static bool names_overlap(const struct unifw_jv *a, const struct unifw_jv *b)
{
	for (size_t i = 0; i < unifw_jv_len(a); i++)
		for (size_t j = 0; j < unifw_jv_len(b); j++) {
			const char *x = unifw_jv_str(unifw_jv_at(a, i)), *y = unifw_jv_str(unifw_jv_at(b, j));
			if (x && y && !strcmp(x, y))
				return true;
		}
	return false;
}

static void append_names(char *buf, size_t len, const struct unifw_jv *a)
{
	size_t used = strlen(buf);
	for (size_t i = 0; i < unifw_jv_len(a) && used + 1 < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", unifw_jv_str(unifw_jv_at(a, i)));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/* LK picks the panel driver and passes its name on the kernel command line (lcm=1-<name>); the kernel
 * looks the name up among its own drivers with strcmp (formats.md, "lk.bin"). A kernel that has none of
 * LK's drivers leaves the screen white or black once Android starts. */
static void check_lcm_pair(struct unifw_package *p, const struct unifw_package_partition *lk,
			   const struct unifw_package_partition *boot)
{
	if (!lk || !boot || !lk->item || !boot->item || strcmp(lk->item->type, "lk") ||
	    strcmp(boot->item->type, "bootimg"))
		return;
	const struct unifw_jv *l1 = unifw_jv_get(lk->item->detail, "lcm_drivers");
	const struct unifw_jv *l2 = unifw_jv_get(lk->item->detail, "lcm_drivers_unlisted");
	const struct unifw_jv *k1 = unifw_jv_path(boot->item->detail, "kernel.lcm_drivers");
	const struct unifw_jv *k2 = unifw_jv_path(boot->item->detail, "kernel.lcm_drivers_unlisted");
	if (unifw_jv_len(l1) + unifw_jv_len(l2) == 0 || unifw_jv_len(k1) + unifw_jv_len(k2) == 0)
		return; /* one side's list is unknown: nothing to compare */
	if (names_overlap(l1, k1) || names_overlap(l1, k2) || names_overlap(l2, k1) || names_overlap(l2, k2))
		return;
	char lks[256] = "", ks[256] = "";
	append_names(lks, sizeof lks, l1);
	append_names(lks, sizeof lks, l2);
	append_names(ks, sizeof ks, k1);
	append_names(ks, sizeof ks, k2);
	unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "lcm-mismatch", boot->item->path, 0, boot->part->name,
			   "LK (%s) drives %s but the %s kernel has only %s: the kernel cannot find LK's display "
			   "driver, the screen stays white or black after the boot logo", lk->item->path, lks,
			   boot->part->name, ks);
}

static int cmp_item_ptr(const void *x, const void *y)
{
	const struct unifw_package_item *const *a = x, *const *b = y;
	int c = strcasecmp((*a)->path, (*b)->path);
	return c ? c : ((*a) < (*b) ? -1 : (*a) > (*b));
}

/* Every file of a group sharing one name gets an error: whichever a partition's image lookup finds, its
 * content is ambiguous (a flash tool or an extraction may take another), so it is never flashed. */
static void mark_ambiguous(struct unifw_package_item **v, size_t first, size_t end)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%zu files are named '%s' (names compared ignoring case): which one would be "
		 "flashed is ambiguous", end - first, v[first]->path);
	for (size_t k = first; k < end; k++)
		if (!v[k]->error)
			v[k]->error = strdup(msg);
}

static void report_duplicates(struct unifw_package *p)
{
	size_t n = p->item_count;
	if (n < 2)
		return;
	struct unifw_package_item **v = malloc(n * sizeof *v);
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = &p->items[i];
	qsort(v, n, sizeof *v, cmp_item_ptr);
	for (size_t i = 1; i < n; i++) {
		if (strcasecmp(v[i - 1]->path, v[i]->path) || (i >= 2 && !strcasecmp(v[i - 2]->path, v[i]->path)))
			continue;
		size_t end = i + 1;
		while (end < n && !strcasecmp(v[end]->path, v[i]->path))
			end++;
		unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "duplicate-name", p->path, 0, NULL,
				   "'%s' appears %zu times (names compared ignoring case): an extracting tool may keep "
				   "any of them, so none is flashed", v[i]->path, end - (i - 1));
		mark_ambiguous(v, i - 1, end);
	}
	free(v);
}

static void report_extras(struct unifw_package *p)
{
	size_t n = 0;
	char list[400] = "";
	size_t used = 0;
	for (size_t i = 0; i < p->item_count; i++) {
		const struct unifw_package_item *it = &p->items[i];
		if (it->matched || (p->chosen && it == p->chosen->item))
			continue;
		if (n < 8) {
			int w = snprintf(list + used, sizeof list - used, "%s%s", n ? ", " : "", it->path);
			if (w > 0 && (size_t)w < sizeof list - used)
				used += (size_t)w;
		}
		n++;
	}
	if (n)
		unifw_findings_add(&p->findings, UNIFW_SEV_INFO, "extra-files", p->path, 0, NULL,
				   "%zu file%s not named by the scatter: %s%s", n, n == 1 ? "" : "s", list,
				   n > 8 ? ", ..." : "");
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
	const struct unifw_package_item *it = name[0] ? find_image(p, dir, name) : NULL;
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

static void check_manifest_hashes(struct unifw_package *p, const struct unifw_jv *v, const char *dir, int depth)
{
	if (!v || depth > 4)
		return;
	if (unifw_jv_type(v) == UNIFW_JV_OBJECT && unifw_jv_get(v, "sha256")) {
		check_manifest_entry(p, v, dir);
		return;
	}
	for (size_t i = 0; i < unifw_jv_len(v); i++)
		check_manifest_hashes(p, unifw_jv_at(v, i), dir, depth + 1);
}

static void finish(struct builder *b)
{
	struct unifw_package *p = b->p;
	load_scatters(b);
	load_manifest(b);
	report_duplicates(p);
	if (p->chosen) {
		struct unifw_error e;
		unifw_error_clear(&e);
		unifw_scatter_validate(&p->chosen->sc, p->chosen->item->path, NULL, &p->findings, &e);
		join_partitions(p);
		const struct unifw_package_partition *lk = unifw_package_find(p, "UBOOT");
		if (!lk)
			lk = unifw_package_find(p, "LK");
		check_lcm_pair(p, lk, unifw_package_find(p, "BOOTIMG"));
		check_lcm_pair(p, lk, unifw_package_find(p, "RECOVERY"));
	}
	if (p->manifest) {
		p->kind = UNIFW_PACKAGE_BACKUP;
		for (size_t i = 0; i < p->item_count; i++)
			if (!strcmp(p->items[i].type, "backup_manifest")) {
				char *dir = dir_of(p->items[i].path);
				if (dir)
					check_manifest_hashes(p, p->manifest, dir, 0);
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
		report_extras(p);
}

/* --- public ------------------------------------------------------------------------------------------ */

static int build(struct unifw_package *p, struct unifw_archive *a, bool on_disk, struct unifw_error *err)
{
	struct builder b = {.p = p, .on_disk = on_disk};
	int rc;
	b.head = malloc(UNIFW_DETECT_HEAD);
	b.chunk = malloc(DRAIN_CHUNK);
	if (!b.head || !b.chunk)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, p->path, UNIFW_NO_OFFSET, "out of memory");
	else
		rc = a ? read_archive(&b, a, err) : read_folder(&b, err);
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
	int rc = build(p, a, on_disk, err);
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

/* --- JSON report ------------------------------------------------------------------------------------ */

static struct unifw_jv *jv_clone(const struct unifw_jv *v, int depth)
{
	if (!v || depth > 64)
		return unifw_jv_null();
	switch (unifw_jv_type(v)) {
	case UNIFW_JV_NULL: return unifw_jv_null();
	case UNIFW_JV_BOOL: return unifw_jv_bool(unifw_jv_truthy(v));
	case UNIFW_JV_INT: return unifw_jv_int(unifw_jv_i64(v));
	case UNIFW_JV_UINT: return unifw_jv_uint(unifw_jv_u64(v));
	case UNIFW_JV_STRING: return unifw_jv_string(unifw_jv_str(v));
	case UNIFW_JV_ARRAY: {
		struct unifw_jv *a = unifw_jv_array();
		for (size_t i = 0; i < unifw_jv_len(v); i++)
			unifw_jv_push(a, jv_clone(unifw_jv_at(v, i), depth + 1));
		return a;
	}
	case UNIFW_JV_OBJECT: {
		struct unifw_jv *o = unifw_jv_object();
		for (size_t i = 0; i < unifw_jv_len(v); i++)
			unifw_jv_set(o, unifw_jv_key_at(v, i), jv_clone(unifw_jv_at(v, i), depth + 1));
		return o;
	}
	}
	return unifw_jv_null();
}

static void item_json(struct unifw_jv *o, const struct unifw_package_item *it, bool with_path)
{
	if (with_path)
		unifw_jv_set_str(o, "path", it->path);
	unifw_jv_set_str(o, "type", it->type);
	unifw_jv_set_uint(o, "size", it->size);
	if (it->has_sha256) {
		char hex[65];
		unifw_hex(it->sha256, 32, hex);
		unifw_jv_set_str(o, "sha256", hex);
	}
	if (it->error)
		unifw_jv_set_str(o, "error", it->error);
	if (it->unsafe)
		unifw_jv_set_str(o, "unsafe_name", it->unsafe);
	if (it->detail)
		unifw_jv_set(o, "detail", jv_clone(it->detail, 0));
}

static void partitions_json(struct unifw_jv *root, const struct unifw_package *p)
{
	struct unifw_jv *arr = unifw_jv_set_arr(root, "partitions");
	for (size_t i = 0; i < p->part_count; i++) {
		const struct unifw_package_partition *pp = &p->parts[i];
		const struct unifw_scatter_part *sp = pp->part;
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "name", sp->name);
		unifw_jv_set_hex(o, "linear_start", sp->linear_start);
		unifw_jv_set_uint(o, "size", sp->size);
		if (sp->region[0])
			unifw_jv_set_str(o, "region", sp->region);
		unifw_jv_set_bool(o, "is_download", sp->is_download);
		if (is_no_file(sp->file_name))
			unifw_jv_set(o, "file", NULL);
		else
			unifw_jv_set_str(o, "file", sp->file_name);
		unifw_jv_set_str(o, "status", pp->status ? pp->status : "no_image");
		if (pp->item) {
			unifw_jv_set_str(o, "path", pp->item->path);
			struct unifw_jv *img = unifw_jv_set_obj(o, "image");
			item_json(img, pp->item, false);
			if (pp->image_bytes != pp->item->size)
				unifw_jv_set_uint(img, "written_size", pp->image_bytes);
		}
	}
}

static void scatters_json(struct unifw_jv *root, const struct unifw_package *p)
{
	struct unifw_jv *arr = unifw_jv_set_arr(root, "scatters");
	for (size_t i = 0; i < p->scatter_count; i++) {
		const struct unifw_package_scatter *s = &p->scatters[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "path", s->item->path);
		unifw_jv_set_bool(o, "chosen", s == p->chosen);
		if (s->parsed) {
			unifw_jv_set_str(o, "dialect", dialect_name(s->sc.dialect));
			unifw_jv_set_str(o, "platform", s->sc.platform);
			unifw_jv_set_str(o, "project", s->sc.project);
			unifw_jv_set_uint(o, "partition_count", s->sc.count);
		} else if (s->item->error) {
			unifw_jv_set_str(o, "error", s->item->error);
		}
	}
}

struct unifw_jv *unifw_package_to_json(const struct unifw_package *p)
{
	struct unifw_jv *r = unifw_jv_object();
	unifw_jv_set_str(r, "type", unifw_package_type(p));
	unifw_jv_set_str(r, "source", p->source == UNIFW_PACKAGE_FOLDER ? "folder" : "archive");
	unifw_jv_set_str(r, "path", p->path);
	if (p->source == UNIFW_PACKAGE_ARCHIVE)
		unifw_jv_set_str(r, "archive_format", p->archive_format);
	if (p->manifest)
		unifw_jv_set(r, "manifest", jv_clone(p->manifest, 0));
	if (p->chosen) {
		unifw_jv_set_str(r, "scatter_file", p->chosen->item->path);
		unifw_jv_set_str(r, "base_dir", p->base_dir ? p->base_dir : "");
		if (p->chosen->item->detail)
			unifw_jv_set(r, "scatter", jv_clone(p->chosen->item->detail, 0));
	}
	/* Placeholder keeping the key order stable: unifw_info fills it (ops layer). */
	unifw_jv_set(r, "summary", NULL);
	if (p->scatter_count)
		scatters_json(r, p);
	if (p->chosen)
		partitions_json(r, p);
	/* Without a scatter every file is listed; with one, those it does not name. */
	struct unifw_jv *files = unifw_jv_set_arr(r, p->chosen ? "extra_files" : "files");
	for (size_t i = 0; i < p->item_count; i++) {
		const struct unifw_package_item *it = &p->items[i];
		if (it->matched || (p->chosen && it == p->chosen->item))
			continue;
		item_json(unifw_jv_push_obj(files), it, true);
	}
	unifw_jv_set(r, "findings", unifw_findings_to_json(&p->findings));
	return r;
}
