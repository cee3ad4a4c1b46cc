/* unifw port: the phone's files into the base's system image (port.h unifw_port_system, docs/port.md "System
 * image"). The base is edited through libext2fs over an in-memory overlay (ext4_edit.h): the base file is never
 * written, and the output is the base's bytes with the overlay's changed ranges laid over them, streamed (a
 * 1 GiB system image costs the changes plus a 1 MiB window of memory). The phone's system partition is read with
 * the read-only reader (ext4.h). Which files come from the phone: the system rules of data/port.rules; which
 * properties of build.prop: its prop rules, never ro.build.* (the base's build stays the base's). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/port_image.h"
#include "unifw/ext4.h"
#include "unifw/ext4_edit.h"
#include "unifw/io.h"
#include "unifw/port.h"
#include "unifw/sparse.h"

#define MAX_CANDIDATES 20000u   /* files of the phone the rules can name (a system has a few thousand in all) */
#define MAX_WALK_DEPTH 8u
#define MAX_WALK_ENTRIES 1000000u /* directory entries looked at (a hostile image can link a directory into itself) */
#define MAX_PROP_TEXT (1u << 20)
#define MAX_PROP_KEY 128u
#define MAX_PROP_VALUE 512u
#define SELINUX_XATTR "security.selinux"

struct sys {
	const struct unifw_port_system_in *in;     /* unifw_port_system; NULL for unifw_port_system_files */
	const struct unifw_port_files_in *files;   /* unifw_port_system_files; NULL for unifw_port_system */
	struct unifw_port_report *rep;
	const char *part;
	const char *base_path, *out_path;
	uint64_t partition_size;
	struct port_image_info info;
	struct unifw_stream file;        /* the base's file */
	struct unifw_sparse_view *view;  /* over file, when sparse */
	struct unifw_stream base;        /* the base's expanded bytes */
	struct unifw_ext4 *base_ro;      /* the base as it was: comparisons read here, not through the overlay */
	struct unifw_ext4 *phone;
	struct unifw_ext4_edit *edit;
	char **cand;                     /* phone paths the rules may name (no leading '/') */
	size_t ncand, capcand;
	uint64_t walked;                 /* directory entries looked at so far */
};

/* The first rule of scope whose pattern matches (data/port.rules: the first match decides). */
static const struct unifw_port_rule *first_rule(const struct unifw_port_rules *r, enum unifw_port_scope scope,
						const char *path)
{
	return r ? unifw_port_rules_match(r, scope, path) : NULL;
}

/* ---------------------------------------------------------------- the phone's candidate files */

/* Duplicates (a file two rules' walks found) are dropped once all are collected. */
static int add_candidate(struct sys *s, const char *path, struct unifw_error *err)
{
	if (s->ncand == MAX_CANDIDATES)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, s->in->phone->name, UNIFW_NO_OFFSET,
				       "the port rules name more than %u files of the phone's system", MAX_CANDIDATES);
	if (s->ncand == s->capcand) {
		size_t cap = s->capcand ? s->capcand * 2 : 64;
		char **n = realloc(s->cand, cap * sizeof *n);
		if (!n)
			return unifw_error_set(err, UNIFW_E_NOMEM, s->part, UNIFW_NO_OFFSET, "out of memory");
		s->cand = n;
		s->capcand = cap;
	}
	if (!(s->cand[s->ncand] = strdup(path)))
		return unifw_error_set(err, UNIFW_E_NOMEM, s->part, UNIFW_NO_OFFSET, "out of memory");
	s->ncand++;
	return 0;
}

/* Regular files under dir (relative, "" = the root) down to depth levels whose path matches pattern. A
 * directory the phone lacks names nothing. */
static int walk(struct sys *s, const char *dir, unsigned depth, const char *pattern, struct unifw_error *err)
{
	char abs[UNIFW_EXT4_EDIT_MAX_PATH], rel[UNIFW_EXT4_EDIT_MAX_PATH];
	if (snprintf(abs, sizeof abs, "/%s", dir) >= (int)sizeof abs)
		return 0;
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	struct unifw_error e2;
	int rc = unifw_ext4_list_dir(s->phone, abs, UNIFW_EXT4_MAX_DIR_ENTRIES, &ents, &n, NULL, &e2);
	if (rc == UNIFW_E_NOT_FOUND || rc == UNIFW_E_INVALID)
		return 0;
	if (rc) {
		*err = e2;
		return rc;
	}
	if ((s->walked += n) > MAX_WALK_ENTRIES)
		rc = unifw_error_set(err, UNIFW_E_TOO_BIG, s->in->phone->name, UNIFW_NO_OFFSET,
				     "more than %u directory entries under the directories the port rules name (a "
				     "directory linked into itself?)", MAX_WALK_ENTRIES);
	for (size_t i = 0; !rc && i < n; i++) {
		if (snprintf(rel, sizeof rel, "%s%s%s", dir, *dir ? "/" : "", ents[i].name) >= (int)sizeof rel)
			continue;
		if (ents[i].kind == 'f' && fnmatch(pattern, rel, FNM_PATHNAME) == 0)
			rc = add_candidate(s, rel, err);
		else if (ents[i].kind == 'd' && depth > 1)
			rc = walk(s, rel, depth - 1, pattern, err);
	}
	free(ents);
	return rc;
}

/* A pattern's leading components without wildcards name the directory to walk; the rest, how deep. */
static int walk_pattern(struct sys *s, const char *pattern, struct unifw_error *err)
{
	char dir[sizeof ((struct unifw_port_rule *)0)->pattern];
	size_t dl = 0, comps = 1, literal = 0;
	bool wild = false;
	for (const char *p = pattern; *p; p++)
		comps += *p == '/';
	const char *p = pattern;
	while (!wild) {
		const char *slash = strchr(p, '/');
		if (!slash)
			break; /* the last component names files, even when literal */
		size_t cl = (size_t)(slash - p);
		wild = memchr(p, '*', cl) || memchr(p, '?', cl) || memchr(p, '[', cl) || memchr(p, '\\', cl);
		if (!wild) {
			dl = (size_t)(slash - pattern);
			literal++;
			p = slash + 1;
		}
	}
	if (dl >= sizeof dir || comps - literal > MAX_WALK_DEPTH)
		return 0;
	memcpy(dir, pattern, dl);
	dir[dl] = 0;
	return walk(s, dir, (unsigned)(comps - literal), pattern, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect(struct sys *s, struct unifw_error *err)
{
	const struct unifw_port_rules *r = s->in->rules;
	int rc = 0;
	for (size_t i = 0; !rc && r && i < r->count; i++)
		if (r->rule[i].scope == UNIFW_PORT_SCOPE_SYSTEM && r->rule[i].take != UNIFW_PORT_TAKE_BASE)
			rc = walk_pattern(s, r->rule[i].pattern, err);
	if (rc || s->ncand < 2)
		return rc;
	qsort(s->cand, s->ncand, sizeof *s->cand, cmp_str); /* the report in path order */
	size_t k = 1;
	for (size_t i = 1; i < s->ncand; i++) {
		if (!strcmp(s->cand[i], s->cand[k - 1]))
			free(s->cand[i]);
		else
			s->cand[k++] = s->cand[i];
	}
	s->ncand = k;
	return 0;
}

/* ---------------------------------------------------------------- one file */

/* The SELinux label of from (in fs) onto to (in the edit). */
static void copy_label_from(struct sys *s, struct unifw_ext4 *fs, const char *from, const char *to)
{
	uint8_t *v = NULL;
	size_t l = 0;
	if (unifw_ext4_get_xattr(fs, from, SELINUX_XATTR, &v, &l, NULL) == 0) {
		struct unifw_error ignored;
		/* a label the base cannot take leaves the file unlabelled: its parent's context applies */
		(void)unifw_ext4_edit_set_xattr(s->edit, to, SELINUX_XATTR, v, l, &ignored);
		free(v);
	}
}

static void copy_label(struct sys *s, const char *abs)
{
	copy_label_from(s, s->phone, abs, abs);
}

/* The parent directories of dest the base lacks. dest's tail that is src (dest = PREFIX + src) mirrors fs's
 * directories: they are made with their owner, mode and label; the directories of PREFIX are 0755 root with the
 * label of the base's root. */
static int make_parents_from(struct sys *s, struct unifw_ext4 *fs, const char *dest, const char *src,
			     struct unifw_error *err)
{
	char dir[UNIFW_EXT4_EDIT_MAX_PATH], from[UNIFW_EXT4_EDIT_MAX_PATH];
	size_t dl = strlen(dest), sl = strlen(src);
	bool mirrored = sl <= dl && !strcmp(dest + dl - sl, src);
	size_t off = mirrored ? dl - sl : 0;
	snprintf(dir, sizeof dir, "%s", dest);
	for (char *p = dir + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		struct unifw_ext4_edit_stat est;
		struct unifw_error e2;
		int rc = unifw_ext4_edit_stat(s->edit, dir, &est, &e2);
		if (rc == UNIFW_E_NOT_FOUND) {
			bool inside = mirrored && (size_t)(p - dir) > off;
			snprintf(from, sizeof from, "%s", inside ? dir + off : "/");
			struct unifw_ext4_stat pst = { .mode = 0755 };
			if (inside)
				(void)unifw_ext4_lstat(fs, from, &pst, NULL);
			rc = unifw_ext4_edit_mkdir(s->edit, dir, (uint16_t)(pst.mode & 07777), pst.uid, pst.gid, err);
			if (!rc)
				copy_label_from(s, inside ? fs : s->base_ro, from, dir);
		} else if (rc) {
			*err = e2;
		}
		if (rc)
			return rc;
		*p = '/';
	}
	return 0;
}

/* The parent directories of abs the base lacks, made with the phone's owner, mode and label. */
static int make_parents(struct sys *s, const char *abs, struct unifw_error *err)
{
	return make_parents_from(s, s->phone, abs, abs, err);
}

static int add_file(struct sys *s, const char *path, const char *abs, const struct unifw_port_rule *rule,
		    const uint8_t *data, size_t len, struct unifw_error *err)
{
	struct unifw_ext4_stat pst;
	int rc = unifw_ext4_lstat(s->phone, abs, &pst, err);
	if (!rc)
		rc = make_parents(s, abs, err);
	if (!rc)
		rc = unifw_ext4_edit_create_file(s->edit, abs, data, len, (uint16_t)(pst.mode & 07777), pst.uid, pst.gid,
						 err);
	if (rc)
		return rc;
	copy_label(s, abs);
	return unifw_port_report_add(s->rep, s->part, path, UNIFW_PORT_ACT_ADDED, "phone", rule->id,
				     "%s (%zu bytes; the base has no such file)", rule->reason, len);
}

/* The base's file at abs, compared with the phone's: *same when equal. */
static int same_as_base(struct sys *s, const char *abs, const uint8_t *data, size_t len, size_t *base_len, bool *same,
			struct unifw_error *err)
{
	uint8_t *b = NULL;
	int rc = unifw_ext4_read_file(s->base_ro, abs, UNIFW_EXT4_MAX_FILE, &b, base_len, err);
	if (rc)
		return rc;
	*same = *base_len == len && (len == 0 || memcmp(b, data, len) == 0);
	free(b);
	return 0;
}

static int port_file(struct sys *s, const char *path, struct unifw_error *err)
{
	const struct unifw_port_rule *rule = first_rule(s->in->rules, UNIFW_PORT_SCOPE_SYSTEM, path);
	if (!rule || rule->take == UNIFW_PORT_TAKE_BASE)
		return 0;
	char abs[UNIFW_EXT4_EDIT_MAX_PATH];
	snprintf(abs, sizeof abs, "/%s", path);
	uint8_t *data = NULL;
	size_t len = 0, base_len = 0;
	struct unifw_error e2;
	int rc = unifw_ext4_read_file(s->phone, abs, UNIFW_EXT4_MAX_FILE, &data, &len, &e2);
	if (rc == UNIFW_E_TOO_BIG) /* no file the rules are about is that big: say so, keep the base's */
		return unifw_port_report_add(s->rep, s->part, path, UNIFW_PORT_ACT_KEPT, "base", rule->id,
					     "the phone's file is larger than the %u MiB port copies: %s", UNIFW_EXT4_MAX_FILE >> 20,
					     e2.msg);
	if (rc) {
		*err = e2;
		return rc;
	}
	struct unifw_ext4_edit_stat est;
	bool same = false;
	int st = unifw_ext4_edit_stat(s->edit, abs, &est, &e2);
	if (st == UNIFW_E_NOT_FOUND) {
		rc = rule->take == UNIFW_PORT_TAKE_PHONE_IF_MODEM && !s->in->take_modem
			     ? 0 /* the base's modem works with the phone's kernel: nothing of the phone's joins it */
			     : add_file(s, path, abs, rule, data, len, err);
	} else if (st) {
		*err = e2;
		rc = st;
	} else if (est.kind != 'f') {
		rc = unifw_port_report_add(s->rep, s->part, path, UNIFW_PORT_ACT_KEPT, "base", rule->id,
					   "the base has a %s at this path, not a file: it stays",
					   est.kind == 'd' ? "directory" : est.kind == 'l' ? "symbolic link" : "special file");
	} else if (!(rc = same_as_base(s, abs, data, len, &base_len, &same, err)) && !same) {
		if (rule->take == UNIFW_PORT_TAKE_PHONE_IF_MODEM && !s->in->take_modem)
			rc = unifw_port_report_add(s->rep, s->part, path, UNIFW_PORT_ACT_BASE, "base", rule->id,
						   "the base's modem works on the phone (its kernel accepts it, built for its "
						   "board): the base's stays (%s)",
						   rule->reason);
		else if (!(rc = unifw_ext4_edit_replace_file(s->edit, abs, data, len, err)))
			rc = unifw_port_report_add(s->rep, s->part, path, UNIFW_PORT_ACT_REPLACED, "phone", rule->id,
						   "%s (%zu bytes replace the base's %zu)", rule->reason, len, base_len);
	}
	free(data);
	return rc;
}

/* A rule that takes the phone's files but found none in the phone's system: said once, as for the ramdisk. */
static int report_unmatched(struct sys *s)
{
	const struct unifw_port_rules *r = s->in->rules;
	int rc = 0;
	for (size_t i = 0; !rc && r && i < r->count; i++) {
		const struct unifw_port_rule *rule = &r->rule[i];
		if (rule->scope != UNIFW_PORT_SCOPE_SYSTEM || rule->take == UNIFW_PORT_TAKE_BASE ||
		    (rule->take == UNIFW_PORT_TAKE_PHONE_IF_MODEM && !s->in->take_modem))
			continue;
		bool found = false;
		for (size_t k = 0; k < s->ncand && !found; k++)
			found = fnmatch(rule->pattern, s->cand[k], FNM_PATHNAME) == 0;
		if (!found)
			rc = unifw_port_report_add(s->rep, s->part, rule->pattern, UNIFW_PORT_ACT_KEPT, "base", rule->id,
						   "the phone's system has no %s: the base's stays (if it has one)",
						   rule->pattern);
	}
	return rc;
}

/* ---------------------------------------------------------------- build.prop */

struct prop_line {
	const char *key, *value;
	size_t key_len, value_len;
};

/* The next "key=value" line of text from *pos (comments and other lines skipped). false at the end. */
static bool next_prop(const char *text, size_t len, size_t *pos, struct prop_line *pl, size_t *line_start,
		      size_t *line_end)
{
	while (*pos < len) {
		size_t i = *pos, end = i;
		while (end < len && text[end] != '\n')
			end++;
		*pos = end < len ? end + 1 : end;
		size_t ll = end - i;
		if (ll && text[i + ll - 1] == '\r')
			ll--;
		const char *line = text + i, *eq = memchr(line, '=', ll);
		if (!ll || line[0] == '#' || !eq || eq == line)
			continue;
		*pl = (struct prop_line){ .key = line, .key_len = (size_t)(eq - line), .value = eq + 1,
					  .value_len = ll - (size_t)(eq - line) - 1 };
		*line_start = i;
		*line_end = i + ll;
		return true;
	}
	return false;
}

/* A key the rules may carry over: property-name characters only (the phone's build.prop is hostile). */
static bool sane_key(const struct prop_line *pl, char key[MAX_PROP_KEY])
{
	if (pl->key_len == 0 || pl->key_len >= MAX_PROP_KEY || pl->value_len > MAX_PROP_VALUE)
		return false;
	for (size_t i = 0; i < pl->key_len; i++) {
		char c = pl->key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	memcpy(key, pl->key, pl->key_len);
	key[pl->key_len] = 0;
	return true;
}

/* The first line of key in text (Android keeps the first value of a ro. property). */
static bool find_prop(const char *text, size_t len, const char *key, struct prop_line *out, size_t *ls, size_t *le)
{
	size_t pos = 0, kl = strlen(key);
	while (next_prop(text, len, &pos, out, ls, le))
		if (out->key_len == kl && !memcmp(out->key, key, kl))
			return true;
	return false;
}

struct text {
	char *buf;
	size_t len;
};

/* text[ls, le) replaced by key=value (ls == le == len: appended as a new line). */
static int splice_prop(struct text *t, size_t ls, size_t le, const char *key, const struct prop_line *v,
		       struct unifw_error *err)
{
	bool append = ls == t->len;
	bool need_nl = append && t->len && t->buf[t->len - 1] != '\n';
	size_t kl = strlen(key), add = need_nl + kl + 1 + v->value_len + append;
	size_t nlen = t->len - (le - ls) + add;
	if (nlen > MAX_PROP_TEXT)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, "build.prop", UNIFW_NO_OFFSET,
				       "the merged build.prop would exceed %u bytes", MAX_PROP_TEXT);
	char *n = malloc(nlen + 1);
	if (!n)
		return unifw_error_set(err, UNIFW_E_NOMEM, "build.prop", UNIFW_NO_OFFSET, "out of memory");
	char *p = n;
	memcpy(p, t->buf, ls);
	p += ls;
	if (need_nl)
		*p++ = '\n';
	memcpy(p, key, kl);
	p += kl;
	*p++ = '=';
	memcpy(p, v->value, v->value_len);
	p += v->value_len;
	if (append)
		*p++ = '\n';
	memcpy(p, t->buf + le, t->len - le);
	p += t->len - le;
	*p = 0;
	free(t->buf);
	t->buf = n;
	t->len = (size_t)(p - n);
	return 0;
}

/* One property of the phone: into t when a prop rule takes it and its value differs. */
static int port_prop(struct sys *s, struct text *t, const struct prop_line *pl, const char *key, bool *changed,
		     struct unifw_error *err)
{
	const struct unifw_port_rule *rule = first_rule(s->in->rules, UNIFW_PORT_SCOPE_PROP, key);
	/* ro.build.* says which build this is: the base's, whatever a rule says */
	if (!rule || rule->take != UNIFW_PORT_TAKE_PHONE || !strncmp(key, "ro.build.", 9))
		return 0;
	struct prop_line old;
	size_t ls = t->len, le = t->len;
	bool found = find_prop(t->buf, t->len, key, &old, &ls, &le);
	if (found && old.value_len == pl->value_len && !memcmp(old.value, pl->value, pl->value_len))
		return 0;
	char was[MAX_PROP_VALUE + 1] = "";
	if (found)
		snprintf(was, sizeof was, "%.*s", (int)(old.value_len > MAX_PROP_VALUE ? MAX_PROP_VALUE : old.value_len),
			 old.value);
	int rc = splice_prop(t, ls, le, key, pl, err);
	if (rc)
		return rc;
	*changed = true;
	if (found)
		return unifw_port_report_add(s->rep, s->part, "build.prop", UNIFW_PORT_ACT_REPLACED, "phone", rule->id,
					     "%s: %s -> %.*s (%s)", key, was, (int)pl->value_len, pl->value, rule->reason);
	return unifw_port_report_add(s->rep, s->part, "build.prop", UNIFW_PORT_ACT_ADDED, "phone", rule->id,
				     "%s: (none) -> %.*s (%s)", key, (int)pl->value_len, pl->value, rule->reason);
}

static int port_props(struct sys *s, struct unifw_error *err)
{
	bool any_rule = false;
	for (size_t i = 0; s->in->rules && i < s->in->rules->count; i++)
		any_rule |= s->in->rules->rule[i].scope == UNIFW_PORT_SCOPE_PROP;
	if (!any_rule)
		return 0;
	uint8_t *phone = NULL, *base = NULL;
	size_t plen = 0, blen = 0;
	struct unifw_error e2;
	if (unifw_ext4_read_file(s->phone, "/build.prop", MAX_PROP_TEXT, &phone, &plen, &e2))
		return 0; /* a phone without build.prop gives no properties */
	int rc = unifw_ext4_read_file(s->base_ro, "/build.prop", MAX_PROP_TEXT, &base, &blen, err);
	if (rc == UNIFW_E_NOT_FOUND)
		rc = 0; /* the base has none: nothing to merge into */
	struct text t = { .buf = (char *)base, .len = blen };
	bool changed = false;
	size_t pos = 0, ls, le;
	struct prop_line pl;
	char key[MAX_PROP_KEY];
	while (!rc && base && next_prop((const char *)phone, plen, &pos, &pl, &ls, &le)) {
		struct prop_line first;
		size_t fls, fle;
		/* the phone's first line of a key is the one its Android used */
		if (sane_key(&pl, key) && find_prop((const char *)phone, plen, key, &first, &fls, &fle) && fls == ls)
			rc = port_prop(s, &t, &pl, key, &changed, err);
	}
	if (!rc && changed)
		rc = unifw_ext4_edit_replace_file(s->edit, "/build.prop", (const uint8_t *)t.buf, t.len, err);
	free(t.buf);
	free(phone);
	return rc;
}

/* ---------------------------------------------------------------- the output */

/* The base's bytes with the change list laid over them, read front to back (sparse writer, raw copy). The sparse
 * writer asks for one block at a time: the base is read a window at a time (one pread per MiB, not per block). */
#define WINDOW (1u << 20)

struct overlay_stream {
	struct unifw_stream *base;
	const struct unifw_ext4_change *ch;
	size_t n, next;   /* next: the first change that may still end after the window */
	uint64_t pos, size;
	uint8_t *win;     /* WINDOW bytes: the base with the changes, [win_off, win_off + win_len) */
	uint64_t win_off;
	size_t win_len;
};

static int fill_window(struct overlay_stream *o, struct unifw_error *err)
{
	uint64_t off = o->pos, len = o->size - off < WINDOW ? o->size - off : WINDOW;
	int rc = o->base->pread(o->base->ctx, o->win, (size_t)len, off, err);
	if (rc)
		return rc;
	uint64_t end = off + len;
	while (o->next < o->n && o->ch[o->next].offset + o->ch[o->next].len <= off)
		o->next++;
	for (size_t i = o->next; i < o->n && o->ch[i].offset < end; i++) {
		const struct unifw_ext4_change *c = &o->ch[i];
		uint64_t from = c->offset > off ? c->offset : off;
		uint64_t to = c->offset + c->len < end ? c->offset + c->len : end;
		memcpy(o->win + (from - off), c->data + (from - c->offset), (size_t)(to - from));
	}
	o->win_off = off;
	o->win_len = (size_t)len;
	return 0;
}

static ssize_t overlay_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct overlay_stream *o = ctx;
	if (o->pos >= o->size)
		return 0;
	if (o->pos < o->win_off || o->pos >= o->win_off + o->win_len) {
		int rc = fill_window(o, err);
		if (rc)
			return rc;
	}
	size_t in = (size_t)(o->pos - o->win_off), n = o->win_len - in < len ? o->win_len - in : len;
	memcpy(buf, o->win + in, n);
	o->pos += n;
	return (ssize_t)n;
}

/* Raw: window after window; windows of zeros are left as holes (the size is set at the end). */
static int write_raw(struct overlay_stream *o, int fd, const char *name, struct unifw_error *err)
{
	int rc = 0;
	while (!rc && o->pos < o->size) {
		rc = fill_window(o, err);
		if (rc)
			break;
		const uint8_t *w = o->win;
		bool zero = w[0] == 0 && memcmp(w, w + 1, o->win_len - 1) == 0;
		if (!zero)
			rc = unifw_fd_pwrite_all(fd, w, o->win_len, o->win_off, name, err);
		o->pos += o->win_len;
	}
	if (!rc && ftruncate(fd, (off_t)o->size) < 0)
		rc = unifw_error_sys(err, name, "cannot size to %llu bytes", (unsigned long long)o->size);
	return rc;
}

/* The edited image at path (sparse when the base was), written atomically. */
static int write_image(struct sys *s, const char *path, struct unifw_error *err)
{
	struct overlay_stream o = { .base = &s->base, .size = s->info.expanded, .win = malloc(WINDOW) };
	if (!o.win)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	unifw_ext4_edit_changes(s->edit, &o.ch, &o.n);
	struct unifw_stream st = { .read = overlay_read, .ctx = &o, .size = o.size };
	snprintf(st.name, sizeof st.name, "%s", s->base_path);
	char *tmp;
	int fd = unifw_file_temp_beside(path, &tmp, err);
	if (fd < 0) {
		free(o.win);
		return fd;
	}
	int rc;
	if (s->info.sparse) {
		struct unifw_sparse_write_opts opts = { .block_size = s->info.sparse_block_size };
		rc = unifw_sparse_write_stream(&st, fd, &opts, NULL, err);
	} else {
		rc = write_raw(&o, fd, path, err);
	}
	free(o.win);
	return unifw_file_temp_finish(fd, tmp, path, rc, err);
}

/* Over the partition: written beside out_path first, then fitted (resize2fs) into out_path. */
static int write_out(struct sys *s, struct unifw_error *err)
{
	const char *out = s->out_path;
	if (s->info.expanded <= s->partition_size)
		return write_image(s, out, err);
	char *mid = NULL;
	if (asprintf(&mid, "%s.edited", out) < 0)
		return unifw_error_set(err, UNIFW_E_NOMEM, out, UNIFW_NO_OFFSET, "out of memory");
	int rc = write_image(s, mid, err);
	if (!rc)
		rc = port_fit_named(mid, port_base_name(s->base_path), s->partition_size, out, s->part, s->rep, err);
	unlink(mid);
	free(mid);
	return rc;
}

/* ---------------------------------------------------------------- open / close */

static int open_base(struct sys *s, struct unifw_error *err)
{
	int rc = port_image_probe(s->base_path, &s->info, err);
	if (!rc)
		rc = unifw_stream_open_file(&s->file, s->base_path, err);
	if (rc)
		return rc;
	if (s->info.sparse) {
		rc = unifw_sparse_view_open(&s->file, &s->view, err);
		if (!rc)
			unifw_sparse_view_stream(s->view, &s->base);
	} else {
		s->base = s->file;
		s->base.close = NULL; /* the file is closed once, through s->file */
	}
	if (!rc)
		rc = unifw_ext4_open(&s->base, &s->base_ro, err);
	if (!rc)
		rc = unifw_ext4_edit_open(&s->base, &s->edit, err);
	return rc;
}

static void close_all(struct sys *s)
{
	unifw_ext4_edit_free(s->edit);
	unifw_ext4_close(s->base_ro);
	unifw_ext4_close(s->phone);
	if (s->view) {
		unifw_stream_close(&s->base); /* the view stream's own context; the view is closed next */
		unifw_sparse_view_close(s->view);
	}
	if (s->file.close)
		unifw_stream_close(&s->file);
	for (size_t i = 0; i < s->ncand; i++)
		free(s->cand[i]);
	free(s->cand);
}

/* The one way both entry points make an image: open the base, let edit change it through the overlay, commit,
 * write OUT (fitted into the partition). */
static int sys_run(struct sys *s, int (*edit)(struct sys *, struct unifw_error *), const struct unifw_progress *pr,
		   struct unifw_error *err)
{
	unifw_progress_begin(pr, "port", s->part, 0);
	int rc = open_base(s, err);
	if (!rc)
		rc = edit(s, err);
	if (!rc)
		rc = unifw_ext4_edit_commit(s->edit, err);
	if (!rc)
		rc = write_out(s, err);
	if (rc)
		unifw_error_where(err, s->part);
	unifw_progress_end(pr, rc, rc ? "failed" : "system image written");
	close_all(s);
	return rc;
}

/* unifw port: the phone's files the rules name, then its properties. */
static int port_edit(struct sys *s, struct unifw_error *err)
{
	int rc = unifw_ext4_open(s->in->phone, &s->phone, err);
	if (!rc)
		rc = collect(s, err);
	for (size_t i = 0; !rc && i < s->ncand; i++)
		rc = port_file(s, s->cand[i], err);
	if (!rc)
		rc = report_unmatched(s);
	if (!rc)
		rc = port_props(s, err);
	return rc;
}

int unifw_port_system(const struct unifw_port_system_in *in, struct unifw_port_report *rep, struct unifw_error *err)
{
	struct sys s = { .in = in, .rep = rep, .part = in->partition ? in->partition : "ANDROID",
			 .base_path = in->base_path, .out_path = in->out_path, .partition_size = in->partition_size };
	return sys_run(&s, port_edit, in->progress, err);
}

/* ---------------------------------------------------------------- files at given paths */

static int abs_path(char *out, const char *rel, struct unifw_error *err)
{
	if (!rel || !*rel || rel[0] == '/' || snprintf(out, UNIFW_EXT4_EDIT_MAX_PATH, "/%s", rel) >= (int)UNIFW_EXT4_EDIT_MAX_PATH)
		return unifw_error_set(err, UNIFW_E_INVALID, rel ? rel : "", UNIFW_NO_OFFSET,
				       "not a relative path inside the image");
	return 0;
}

/* One file of a source file system at its destination: created with the source's owner, mode and label (its
 * missing parents mirror the source's directories), or replacing the base's file of that path. */
static int put_file(struct sys *s, const struct unifw_port_file *f, struct unifw_error *err)
{
	char dest[UNIFW_EXT4_EDIT_MAX_PATH], src[UNIFW_EXT4_EDIT_MAX_PATH];
	int rc = abs_path(dest, f->dest, err);
	if (!rc)
		rc = abs_path(src, f->source_path, err);
	if (rc)
		return rc;
	uint8_t *data = NULL;
	size_t len = 0;
	struct unifw_ext4_stat pst;
	struct unifw_ext4_edit_stat est;
	struct unifw_error e2;
	rc = unifw_ext4_lstat(f->source, src, &pst, err);
	if (!rc)
		rc = unifw_ext4_read_file(f->source, src, UNIFW_EXT4_MAX_FILE, &data, &len, err);
	if (rc)
		return rc;
	int st = unifw_ext4_edit_stat(s->edit, dest, &est, &e2);
	bool replace = st == 0 && est.kind == 'f';
	if (st && st != UNIFW_E_NOT_FOUND) {
		free(data);
		*err = e2;
		return st;
	}
	if (st == 0 && !replace)
		rc = unifw_error_set(err, UNIFW_E_INVALID, f->dest, UNIFW_NO_OFFSET,
				     "the base has a directory or link at this path, not a file");
	else if (replace)
		rc = unifw_ext4_edit_replace_file(s->edit, dest, data, len, err);
	else if (!(rc = make_parents_from(s, f->source, dest, src, err)))
		rc = unifw_ext4_edit_create_file(s->edit, dest, data, len, (uint16_t)(pst.mode & 07777), pst.uid, pst.gid,
						 err);
	if (!rc && !replace)
		copy_label_from(s, f->source, src, dest);
	if (!rc)
		rc = unifw_port_report_add(s->rep, s->part, f->dest, replace ? UNIFW_PORT_ACT_REPLACED : UNIFW_PORT_ACT_ADDED,
					   "phone", f->rule ? f->rule : "", "%s (%zu bytes, from %s)",
					   f->reason ? f->reason : "listed", len, f->source_path);
	free(data);
	return rc;
}

/* The label the base gives the files of dir: the first labelled regular file in it, else dir's own. */
static bool folder_file_label(struct sys *s, const char *dir, uint8_t **v, size_t *l)
{
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	char p[UNIFW_EXT4_EDIT_MAX_PATH];
	bool found = false;
	if (unifw_ext4_list_dir(s->base_ro, dir, UNIFW_EXT4_MAX_DIR_ENTRIES, &ents, &n, NULL, NULL) == 0)
		for (size_t i = 0; i < n && !found; i++)
			found = ents[i].kind == 'f' &&
				snprintf(p, sizeof p, "%s/%s", strcmp(dir, "/") ? dir : "", ents[i].name) < (int)sizeof p &&
				unifw_ext4_get_xattr(s->base_ro, p, SELINUX_XATTR, v, l, NULL) == 0;
	free(ents);
	return found || unifw_ext4_get_xattr(s->base_ro, dir, SELINUX_XATTR, v, l, NULL) == 0;
}

/* An empty file, root 0644, where the base has nothing (a bind mount needs an existing target). */
static int put_placeholder(struct sys *s, const char *rel, struct unifw_error *err)
{
	char dest[UNIFW_EXT4_EDIT_MAX_PATH], dir[UNIFW_EXT4_EDIT_MAX_PATH];
	int rc = abs_path(dest, rel, err);
	if (rc)
		return rc;
	struct unifw_ext4_edit_stat est;
	struct unifw_error e2;
	int st = unifw_ext4_edit_stat(s->edit, dest, &est, &e2);
	if (st == 0)
		return 0; /* the base has it (or another placeholder made it): nothing to make */
	if (st != UNIFW_E_NOT_FOUND) {
		*err = e2;
		return st;
	}
	if ((rc = make_parents_from(s, s->base_ro, dest, "", err)) != 0 ||
	    (rc = unifw_ext4_edit_create_file(s->edit, dest, NULL, 0, 0644, 0, 0, err)) != 0)
		return rc;
	snprintf(dir, sizeof dir, "%s", dest);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	uint8_t *v = NULL;
	size_t l = 0;
	if (folder_file_label(s, dir, &v, &l)) {
		struct unifw_error ignored;
		(void)unifw_ext4_edit_set_xattr(s->edit, dest, SELINUX_XATTR, v, l, &ignored);
		free(v);
	}
	return unifw_port_report_add(s->rep, s->part, rel, UNIFW_PORT_ACT_ADDED, "none", "",
				     "an empty placeholder: the base has no such file and a bind mount needs a target");
}

static int files_edit(struct sys *s, struct unifw_error *err)
{
	const struct unifw_port_files_in *in = s->files;
	int rc = 0;
	for (size_t i = 0; !rc && i < in->file_count; i++)
		rc = put_file(s, &in->files[i], err);
	for (size_t i = 0; !rc && i < in->placeholder_count; i++)
		rc = put_placeholder(s, in->placeholders[i], err);
	return rc;
}

int unifw_port_system_files(const struct unifw_port_files_in *in, struct unifw_port_report *rep,
			    struct unifw_error *err)
{
	struct sys s = { .files = in, .rep = rep, .part = in->partition ? in->partition : "ANDROID",
			 .base_path = in->base_path, .out_path = in->out_path, .partition_size = in->partition_size };
	return sys_run(&s, files_edit, in->progress, err);
}
