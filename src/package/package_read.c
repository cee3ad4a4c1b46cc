/* The one pass over a package (package.c): folder files and archive members, each detected, described and
 * hashed while it is current; scatter candidates and manifests are kept as text for afterwards. */
#include "unifw/package.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "package/package_internal.h"
#include "unifw/detect.h"
#include "unifw/hash.h"
#include "util/bytes.h"

/* --- folder files -------------------------------------------------------------------------------- */

static int process_file(struct builder *b, struct unifw_package_item *it, const char *full)
{
	struct unifw_error e;
	struct unifw_stream s;
	unifw_error_clear(&e);
	if (unifw_stream_open_file(&s, full, &e) < 0) {
		it->error = pkg_format_error(&e);
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
		it->error = pkg_format_error(&e);
		unifw_stream_close(&s);
		return 0;
	}
	const char *detected = unifw_detect(b->head, want, s.size);
	if (pkg_wants_text(detected, it->path, s.size)) {
		uint8_t *text = NULL;
		size_t len = 0;
		if (unifw_file_read_all(full, UNIFW_PACKAGE_MAX_TEXT, &text, &len, &e) == 0) {
			pkg_describe_mem(it, (const char *)text, len, b->head, want);
			pkg_keep_text(b, (size_t)(it - b->p->items), (char *)text, len);
		} else {
			it->error = pkg_format_error(&e);
		}
	} else {
		it->detail = unifw_jv_object();
		if (unifw_detect_describe(&s, b->head, want, it->detail, &e) < 0)
			it->error = pkg_format_error(&e);
	}
	unifw_stream_close(&s);
	pkg_settle_type(it, detected);
	if (it->size <= UNIFW_PACKAGE_HASH_LIMIT && unifw_stream_open_file(&s, full, &e) == 0) {
		it->has_sha256 = unifw_sha256_stream(&s, it->sha256, &e) == 0;
		unifw_stream_close(&s);
	}
	return 0;
}

int pkg_read_listed(struct builder *b, const char *const *rel, size_t n, struct unifw_error *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		char full[8192];
		struct stat st;
		if (snprintf(full, sizeof full, "%s/%s", b->p->path, rel[i]) >= (int)sizeof full)
			return unifw_error_set(err, UNIFW_E_INVALID, rel[i], UNIFW_NO_OFFSET, "path too long");
		if (stat(full, &st) != 0)
			return unifw_error_sys(err, full, "read");
		if (!S_ISREG(st.st_mode))
			return unifw_error_set(err, UNIFW_E_INVALID, full, UNIFW_NO_OFFSET, "not a regular file");
		struct unifw_package_item *it = pkg_add_item(b->p, rel[i], (uint64_t)st.st_size, err);
		rc = it ? process_file(b, it, full) : UNIFW_E_NOMEM;
	}
	return rc;
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

int pkg_read_folder(struct builder *b, struct unifw_error *err)
{
	struct walk w = {.root = b->p->path, .err = err};
	int rc = walk_dir(&w, "", 0);
	if (!rc && w.count)
		qsort(w.list, w.count, sizeof *w.list, cmp_entry);
	for (size_t i = 0; !rc && i < w.count; i++) {
		char full[8192];
		snprintf(full, sizeof full, "%s/%s", b->p->path, w.list[i].rel);
		struct unifw_package_item *it = pkg_add_item(b->p, w.list[i].rel, w.list[i].size, err);
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
	if (pkg_wants_text(detected, it->path, declared) && head_len == UNIFW_DETECT_HEAD) {
		uint8_t *text = NULL;
		size_t len = 0;
		if (read_text_rest(ts, b->head, head_len, &text, &len, &e) < 0) {
			it->error = pkg_format_error(&e);
		} else if (len <= UNIFW_PACKAGE_MAX_TEXT) {
			pkg_describe_mem(it, (const char *)text, len, b->head, head_len);
			pkg_keep_text(b, (size_t)(it - b->p->items), (char *)text, len);
			text = NULL;
		} else {
			struct replay rp = {text, len, 0, ts};
			struct unifw_stream ds = {.read = replay_read, .ctx = &rp, .size = declared};
			snprintf(ds.name, sizeof ds.name, "%s", ts->name);
			it->detail = unifw_jv_object();
			if (unifw_detect_describe(&ds, b->head, head_len, it->detail, &e) < 0)
				it->error = pkg_format_error(&e);
		}
		free(text);
	} else if (pkg_wants_text(detected, it->path, declared)) {
		/* The whole text is already in the head. */
		pkg_describe_mem(it, (const char *)b->head, head_len, b->head, head_len);
		char *copy = malloc(head_len + 1);
		if (copy) {
			memcpy(copy, b->head, head_len);
			pkg_keep_text(b, (size_t)(it - b->p->items), copy, head_len);
		}
	} else {
		struct replay rp = {b->head, head_len, 0, ts};
		struct unifw_stream ds = {.read = replay_read, .ctx = &rp, .size = declared};
		snprintf(ds.name, sizeof ds.name, "%s", ts->name);
		it->detail = unifw_jv_object();
		if (unifw_detect_describe(&ds, b->head, head_len, it->detail, &e) < 0)
			it->error = pkg_format_error(&e);
	}
	pkg_settle_type(it, detected);
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
		it->error = pkg_format_error(&e);
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
		it->error = pkg_format_error(&e);
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
					it->error = pkg_format_error(&e);
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

int pkg_read_archive(struct builder *b, struct unifw_archive *a, struct unifw_error *err)
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
		struct unifw_package_item *it = pkg_add_item(b->p, m.name, m.size, err);
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

