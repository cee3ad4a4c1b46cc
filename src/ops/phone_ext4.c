/* ext4 inside a phone partition through libext2fs: a pread stream whose reads are unifw_phone_read of the
 * user area, and a bounded walk of a folder (the identity vault's copy of /data/nvram). phone_ext4.h. */
#include "ops/phone_ext4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/reread.h"

#define PIECE (64u << 10) /* read from the phone in aligned pieces: libext2fs asks for 1-4 KiB at a time */
#define SLOTS 8u

struct range_ctx {
	struct unifw_phone *ph;
	uint64_t off, size;         /* the partition in the user area */
	struct {
		uint64_t start;     /* piece offset in the partition; UINT64_MAX: empty */
		size_t len;
		uint64_t used;      /* last use, for eviction */
		uint8_t *buf;
	} slot[SLOTS];
	uint64_t clock;
};

static int slot_for(struct range_ctx *c, uint64_t start, size_t *idx, struct unifw_error *err)
{
	size_t victim = 0;
	for (size_t i = 0; i < SLOTS; i++) {
		if (c->slot[i].start == start) {
			*idx = i;
			c->slot[i].used = ++c->clock;
			return 0;
		}
		if (c->slot[i].used < c->slot[victim].used)
			victim = i;
	}
	if (!c->slot[victim].buf && !(c->slot[victim].buf = malloc(PIECE)))
		return unifw_error_set(err, UNIFW_E_NOMEM, "phone ext4", UNIFW_NO_OFFSET, "out of memory");
	size_t len = (size_t)(c->size - start < PIECE ? c->size - start : PIECE);
	c->slot[victim].start = UINT64_MAX;
	int rc = ops_read_into(ops_reread_phone, c->ph, UNIFW_PHONE_USER, c->off + start, c->slot[victim].buf, len, err);
	if (rc)
		return rc;
	c->slot[victim].start = start;
	c->slot[victim].len = len;
	c->slot[victim].used = ++c->clock;
	*idx = victim;
	return 0;
}

static int range_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct range_ctx *c = ctx;
	if (off > c->size || len > c->size - off)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, "phone ext4", off,
				       "read of %zu bytes past the partition's end (%llu bytes)", len,
				       (unsigned long long)c->size);
	uint8_t *out = buf;
	while (len) {
		uint64_t start = off / PIECE * PIECE;
		size_t idx = 0, at = (size_t)(off - start);
		int rc = slot_for(c, start, &idx, err);
		if (rc)
			return rc;
		size_t n = c->slot[idx].len - at < len ? c->slot[idx].len - at : len;
		memcpy(out, c->slot[idx].buf + at, n);
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static ssize_t range_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	(void)ctx, (void)buf, (void)len;
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "phone ext4", UNIFW_NO_OFFSET, "sequential reads not offered");
}

static void range_close(void *ctx)
{
	struct range_ctx *c = ctx;
	for (size_t i = 0; c && i < SLOTS; i++)
		free(c->slot[i].buf);
	free(c);
}

int ops_phone_range_stream(struct unifw_phone *ph, uint64_t off, uint64_t size, const char *name,
			   struct unifw_stream *s, struct unifw_error *err)
{
	struct range_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	c->ph = ph;
	c->off = off;
	c->size = size;
	for (size_t i = 0; i < SLOTS; i++)
		c->slot[i].start = UINT64_MAX;
	memset(s, 0, sizeof *s);
	s->read = range_read;
	s->pread = range_pread;
	s->close = range_close;
	s->ctx = c;
	s->size = size;
	snprintf(s->name, sizeof s->name, "%s", name);
	return 0;
}

struct ops_phone_ext4 {
	struct unifw_stream s;
	struct unifw_ext4 *fs;
};

int ops_phone_ext4_open(struct unifw_phone *ph, const struct unifw_phone_layout *l, const char *name,
			struct ops_phone_ext4 **out, struct unifw_error *err)
{
	const struct unifw_phone_part_entry *p = NULL;
	for (size_t i = 0; i < l->count && !p; i++)
		if (!strcasecmp(l->part[i].name, name) && l->part[i].offset != UINT64_MAX)
			p = &l->part[i];
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, name, UNIFW_NO_OFFSET,
				       "the phone's partition table has no %s partition", name);
	struct ops_phone_ext4 *e = calloc(1, sizeof *e);
	if (!e)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	int rc = ops_phone_range_stream(ph, p->offset, p->size, name, &e->s, err);
	uint8_t head[2048];
	struct unifw_ext4_super sb;
	/* the superblock first: a partition that is not ext4 is a fact to report, not a libext2fs error */
	if (!rc && p->size < sizeof head)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, name, UNIFW_NO_OFFSET, "partition of %llu bytes holds no ext4",
				     (unsigned long long)p->size);
	if (!rc)
		rc = e->s.pread(e->s.ctx, head, sizeof head, 0, err);
	if (!rc && (rc = unifw_ext4_parse_super(head, sizeof head, name, &sb, err)) < 0) {
		unifw_error_prefix(err, "%s holds no ext4 file system (erased, encrypted or another one): ", name);
		rc = UNIFW_E_FORMAT;
	}
	if (!rc)
		rc = unifw_ext4_open(&e->s, &e->fs, err);
	if (rc) {
		unifw_stream_close(&e->s);
		free(e);
		return rc;
	}
	*out = e;
	return 0;
}

struct unifw_ext4 *ops_phone_ext4_fs(struct ops_phone_ext4 *p)
{
	return p ? p->fs : NULL;
}

void ops_phone_ext4_close(struct ops_phone_ext4 *p)
{
	if (!p)
		return;
	unifw_ext4_close(p->fs);
	unifw_stream_close(&p->s);
	free(p);
}

/* ---------------------------------------------------------------- the bounded walk */

bool ops_tree_name_ok(const char *name)
{
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c == '/' || *c < 0x20 || *c == 0x7F)
			return false;
	return true;
}

bool ops_rel_path_ok(const char *p)
{
	if (!p || !*p || *p == '/')
		return false;
	for (const char *s = p; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char comp[256];
		if (n == 0 || n >= sizeof comp)
			return false;
		memcpy(comp, s, n);
		comp[n] = 0;
		if (!ops_tree_name_ok(comp))
			return false;
		s += n + (e ? 1 : 0);
		if (e && !*s)
			return false;
	}
	return true;
}

struct walk {
	struct unifw_ext4 *fs;
	size_t root_len;
	struct ops_tree *t;
	size_t cap;
};

static void stop(struct walk *w, const char *why)
{
	if (!w->t->truncated)
		snprintf(w->t->note, sizeof w->t->note, "%s", why);
	w->t->truncated = true;
}

static int add(struct walk *w, const char *abs, const struct unifw_ext4_stat *st, struct ops_tree_entry **out,
	       struct unifw_error *err)
{
	*out = NULL;
	if (w->t->count == OPS_TREE_MAX_ENTRIES) {
		stop(w, "more than 4096 entries: the rest was left out");
		return 0;
	}
	if (st->kind == 'f' && st->size > OPS_TREE_MAX_BYTES - w->t->file_bytes) {
		stop(w, "more than 64 MiB of files: the rest was left out");
		return 0;
	}
	if (w->t->count == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		struct ops_tree_entry *nv = realloc(w->t->v, ncap * sizeof *nv);
		if (!nv)
			return unifw_error_set(err, UNIFW_E_NOMEM, abs, UNIFW_NO_OFFSET, "out of memory");
		w->t->v = nv;
		w->cap = ncap;
	}
	struct ops_tree_entry *e = &w->t->v[w->t->count++];
	memset(e, 0, sizeof *e);
	snprintf(e->path, sizeof e->path, "%s", abs + w->root_len + 1);
	e->kind = st->kind;
	e->mode = st->mode;
	e->uid = st->uid;
	e->gid = st->gid;
	e->size = st->kind == 'f' ? st->size : 0;
	if (st->kind == 'f')
		w->t->file_bytes += st->size;
	*out = e;
	return 0;
}

static int walk_dir(struct walk *w, const char *dir, unsigned depth, struct unifw_error *err)
{
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool more = false;
	int rc = unifw_ext4_list_dir(w->fs, dir, OPS_TREE_MAX_ENTRIES, &ents, &n, &more, err);
	if (rc)
		return rc;
	if (more)
		stop(w, "a folder with more than 4096 entries: the rest was left out");
	for (size_t i = 0; i < n && !rc && !w->t->truncated; i++) {
		char abs[1024];
		struct unifw_ext4_stat st;
		struct ops_tree_entry *e;
		if (!ops_tree_name_ok(ents[i].name) ||
		    snprintf(abs, sizeof abs, "%s/%s", dir, ents[i].name) >= (int)sizeof abs) {
			w->t->refused++;
			continue;
		}
		if ((rc = unifw_ext4_lstat(w->fs, abs, &st, err)) || (rc = add(w, abs, &st, &e, err)) || !e)
			break;
		if (st.kind == 'l' && unifw_ext4_readlink(w->fs, abs, e->target, sizeof e->target, NULL) < 0)
			snprintf(e->target, sizeof e->target, "?");
		if (st.kind == 'd') {
			if (depth + 1 >= OPS_TREE_MAX_DEPTH)
				stop(w, "folders nested deeper than 16: the rest was left out");
			else
				rc = walk_dir(w, abs, depth + 1, err);
		}
	}
	free(ents);
	return rc;
}

int ops_ext4_walk(struct unifw_ext4 *fs, const char *root, struct ops_tree *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	struct unifw_ext4_stat st;
	int rc = unifw_ext4_lstat(fs, root, &st, err);
	if (!rc && st.kind != 'd')
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, root, UNIFW_NO_OFFSET, "not a folder (mode 0%o)", st.mode);
	if (rc)
		return rc;
	struct walk w = {.fs = fs, .root_len = strlen(root), .t = out};
	rc = walk_dir(&w, root, 0, err);
	if (rc)
		ops_tree_free(out);
	return rc;
}

void ops_tree_free(struct ops_tree *t)
{
	free(t->v);
	t->v = NULL;
	t->count = 0;
}
