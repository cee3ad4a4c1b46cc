/* Scatter files: the writers (V1, flat, braces), which write back what the parser read.
 * docs/format-scatter.md "Writing". */
#include "unifw/scatter.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/scatter_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------------------------------------ */
/* Writers                                                                                           */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* One output line: the parts concatenated, then the file's line ending. */
static void sb_line(struct sbuf *b, bool crlf, const char *a, const char *c, const char *d)
{
	sb_add(b, a, strlen(a));
	if (c)
		sb_add(b, c, strlen(c));
	if (d)
		sb_add(b, d, strlen(d));
	sb_add(b, crlf ? "\r\n" : "\n", crlf ? 2 : 1);
}

/* Text the line parser can read back as it was: no control bytes (a newline would split the entry). */
static bool text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static const char *part_value(const struct unifw_scatter *sc, const struct unifw_scatter_part *p, int id,
			      char *buf, size_t n)
{
	switch ((enum unifw_scatter_key)id) {
	case UNIFW_SCATTER_K_INDEX: snprintf(buf, n, "SYS%d", p->index); return buf;
	case UNIFW_SCATTER_K_NAME: return p->name;
	case UNIFW_SCATTER_K_FILE: return p->file_name;
	case UNIFW_SCATTER_K_DOWNLOAD: return p->is_download ? "true" : "false";
	case UNIFW_SCATTER_K_TYPE: return p->type;
	case UNIFW_SCATTER_K_LINEAR: return fmt_hex(p->linear_start, sc->hex_upper, buf, n);
	case UNIFW_SCATTER_K_PHYSICAL: return fmt_hex(p->physical_start, sc->hex_upper, buf, n);
	case UNIFW_SCATTER_K_SIZE: return fmt_hex(p->size, sc->hex_upper, buf, n);
	case UNIFW_SCATTER_K_REGION: return p->region;
	case UNIFW_SCATTER_K_STORAGE: return p->storage;
	case UNIFW_SCATTER_K_BOUNDARY: return p->boundary_check ? "true" : "false";
	case UNIFW_SCATTER_K_RESERVED: return p->is_reserved ? "true" : "false";
	case UNIFW_SCATTER_K_OPTYPE: return p->operation_type;
	case UNIFW_SCATTER_K_RESERVE:
		/* ptgen: "reserve: 0x00" */
		if (sc->hex_upper)
			snprintf(buf, n, "0x%02llX", (unsigned long long)p->reserve);
		else
			snprintf(buf, n, "0x%02llx", (unsigned long long)p->reserve);
		return buf;
	case UNIFW_SCATTER_K_COUNT: break;
	}
	return "";
}

static const char *info_value(const struct unifw_scatter *sc, int id, char *buf, size_t n)
{
	switch ((enum unifw_scatter_info_key)id) {
	case UNIFW_SCATTER_I_VERSION: return sc->config_version;
	case UNIFW_SCATTER_I_PLATFORM: return sc->platform;
	case UNIFW_SCATTER_I_PROJECT: return sc->project;
	case UNIFW_SCATTER_I_STORAGE: return sc->storage;
	case UNIFW_SCATTER_I_BOOT_CHANNEL: return sc->boot_channel;
	case UNIFW_SCATTER_I_BLOCK_SIZE: return fmt_hex(sc->block_size, sc->hex_upper, buf, n);
	case UNIFW_SCATTER_I_COUNT: break;
	}
	return "";
}

/* Does the entry write this key? A size computed by the parser is written out (it is now known), except
 * a size that could not be known (0), which stays absent so that a re-read says "unknown" again. */
static bool part_writes(const struct unifw_scatter_part *p, int id)
{
	if (id == UNIFW_SCATTER_K_SIZE)
		return (p->keys & KEY(id)) || (p->size_derived && p->size != 0);
	if (id == UNIFW_SCATTER_K_INDEX)
		return (p->keys & KEY(id)) && p->index >= 0;
	return (p->keys & KEY(id)) != 0;
}

struct kvout {
	struct sbuf *b;
	bool crlf;
	bool first;
	const char *lead_first, *lead_next; /* "- " / "  " for entries, "    - " / "      " for info */
};

static void kv_line(struct kvout *o, const char *key, const char *value)
{
	char kbuf[80];
	snprintf(kbuf, sizeof kbuf, "%s: ", key);
	sb_line(o->b, o->crlf, o->first ? o->lead_first : o->lead_next, kbuf, value);
	o->first = false;
}

static void kv_extras(struct kvout *o, const struct unifw_scatter_kv *kv, size_t n, int after, int count)
{
	for (size_t i = 0; i < n; i++) {
		bool here = kv[i].after == after || (after == count - 1 && (kv[i].after < -1 || kv[i].after >= count));
		if (here)
			kv_line(o, kv[i].key, kv[i].value);
	}
}

static int check_writable_kv(const struct unifw_scatter_kv *kv, size_t n, const char *where,
			     struct unifw_error *err)
{
	for (size_t i = 0; i < n; i++) {
		bool key_ok = kv[i].key && kv[i].key[0] && strlen(kv[i].key) <= MAX_KEY_LEN;
		for (const char *k = kv[i].key; key_ok && *k; k++)
			key_ok = is_key_char((unsigned char)*k);
		if (!key_ok || !kv[i].value || !text_ok(kv[i].value) || strlen(kv[i].value) > MAX_VALUE_LEN)
			return unifw_error_set(err, UNIFW_E_UNSUPPORTED, where, UNIFW_NO_OFFSET,
					       "unknown key #%zu cannot be written as 'key: value' text", i);
	}
	return 0;
}

static int check_writable_part(const struct unifw_scatter_part *p, size_t i, struct unifw_error *err)
{
	char where[96];
	snprintf(where, sizeof where, "scatter entry %zu (line %u)", i, p->line);
	if (!text_ok(p->name) || !text_ok(p->file_name) || !text_ok(p->type) || !text_ok(p->region) ||
	    !text_ok(p->storage) || !text_ok(p->operation_type))
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, where, UNIFW_NO_OFFSET,
				       "a value holds a control character; it cannot be written as scatter text");
	return check_writable_kv(p->extra, p->extra_count, where, err);
}

static void write_hashes(struct sbuf *b, bool crlf)
{
	char h[109];
	memset(h, '#', 108);
	h[108] = '\0';
	sb_line(b, crlf, h, NULL, NULL);
}

static void write_v1_header(const struct unifw_scatter *sc, struct sbuf *b)
{
	bool crlf = sc->crlf;
	char buf[40];
	/* ptgen's header, trailing spaces included; tool-written files drop them (header_compact). */
	write_hashes(b, crlf);
	sb_line(b, crlf, "#", NULL, NULL);
	sb_line(b, crlf, sc->header_compact ? "#  General Setting" : "#  General Setting ", NULL, NULL);
	sb_line(b, crlf, sc->header_compact ? "#" : "#    ", NULL, NULL);
	write_hashes(b, crlf);
	sb_line(b, crlf, "- general: MTK_PLATFORM_CFG", NULL, NULL);
	sb_line(b, crlf, sc->info_compact ? "  info:" : "  info: ", NULL, NULL);
	struct kvout o = {.b = b, .crlf = crlf, .first = true, .lead_first = "    - ", .lead_next = "      "};
	kv_extras(&o, sc->info_extra, sc->info_extra_count, -1, UNIFW_SCATTER_I_COUNT);
	for (int id = 0; id < UNIFW_SCATTER_I_COUNT; id++) {
		if (sc->info_keys & KEY(id))
			kv_line(&o, info_key_names[id], info_value(sc, id, buf, sizeof buf));
		kv_extras(&o, sc->info_extra, sc->info_extra_count, id, UNIFW_SCATTER_I_COUNT);
	}
	write_hashes(b, crlf);
	sb_line(b, crlf, "#", NULL, NULL);
	sb_line(b, crlf, "#  Layout Setting", NULL, NULL);
	sb_line(b, crlf, "#", NULL, NULL);
	write_hashes(b, crlf);
}

static void write_v1_part(const struct unifw_scatter *sc, const struct unifw_scatter_part *p, struct sbuf *b)
{
	char buf[40];
	struct kvout o = {.b = b, .crlf = sc->crlf, .first = true, .lead_first = "- ", .lead_next = "  "};
	kv_extras(&o, p->extra, p->extra_count, -1, UNIFW_SCATTER_K_COUNT);
	for (int id = 0; id < UNIFW_SCATTER_K_COUNT; id++) {
		if (part_writes(p, id))
			kv_line(&o, part_key_names[id], part_value(sc, p, id, buf, sizeof buf));
		kv_extras(&o, p->extra, p->extra_count, id, UNIFW_SCATTER_K_COUNT);
	}
	if (o.first) /* an entry with nothing to say still needs a line to exist */
		kv_line(&o, part_key_names[UNIFW_SCATTER_K_NAME], p->name);
	sb_line(b, sc->crlf, "", NULL, NULL);
}

/* Flat/braces names are one whitespace-free token that does not look like a comment, a brace or a
 * V1 key. */
static int check_flat_name(const struct unifw_scatter_part *p, size_t i, struct unifw_error *err)
{
	const char *n = p->name;
	bool ok = text_ok(n) && n[0] != '#' && strcmp(n, "{") && strcmp(n, "}") && !strchr(n, ':');
	for (const char *c = n; ok && *c; c++)
		ok = !is_blank((unsigned char)*c);
	if (ok)
		return 0;
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "scatter", UNIFW_NO_OFFSET,
			       "entry %zu (line %u): name '%s' cannot be written in the flat form (one token, no "
			       "blanks, ':', '#' or braces)", i, p->line, n);
}

static int write_flat(const struct unifw_scatter *sc, bool braces, struct sbuf *b, struct unifw_error *err)
{
	char hex[40];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		int rc = check_flat_name(p, i, err);
		if (rc)
			return rc;
		bool nodl = braces && (p->keys & KEY(UNIFW_SCATTER_K_DOWNLOAD)) && !p->is_download;
		char name[80];
		snprintf(name, sizeof name, "%s%s ", nodl ? NODL_PREFIX : "", p->name);
		sb_line(b, sc->crlf, name, fmt_hex(p->linear_start, sc->hex_upper, hex, sizeof hex), NULL);
		if (braces) {
			sb_line(b, sc->crlf, "{", NULL, NULL);
			sb_line(b, sc->crlf, "}", NULL, NULL);
		}
	}
	return 0;
}

int unifw_scatter_write(const struct unifw_scatter *sc, enum unifw_scatter_dialect dialect, char **text, size_t *len,
			struct unifw_error *err)
{
	struct sbuf b = {0};
	int rc = 0;
	*text = NULL;
	*len = 0;
	if (sc->count == 0 || sc->count > UNIFW_SCATTER_MAX_PARTS)
		return unifw_error_set(err, UNIFW_E_INVALID, "scatter", UNIFW_NO_OFFSET,
				       "expected 1..%d partitions to write, found %zu", UNIFW_SCATTER_MAX_PARTS, sc->count);
	if (dialect == UNIFW_SCATTER_V1) {
		if (!text_ok(sc->config_version) || !text_ok(sc->platform) || !text_ok(sc->project) ||
		    !text_ok(sc->storage) || !text_ok(sc->boot_channel))
			return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "scatter", UNIFW_NO_OFFSET,
					       "an info value holds a control character");
		rc = check_writable_kv(sc->info_extra, sc->info_extra_count, "scatter info block", err);
		for (size_t i = 0; !rc && i < sc->count; i++)
			rc = check_writable_part(&sc->parts[i], i, err);
		if (rc)
			return rc;
		if (sc->utf8_bom)
			sb_add(&b, UTF8_BOM, 3);
		write_v1_header(sc, &b);
		for (size_t i = 0; i < sc->count; i++)
			write_v1_part(sc, &sc->parts[i], &b);
	} else if (dialect == UNIFW_SCATTER_FLAT || dialect == UNIFW_SCATTER_BRACES) {
		if (sc->utf8_bom)
			sb_add(&b, UTF8_BOM, 3);
		rc = write_flat(sc, dialect == UNIFW_SCATTER_BRACES, &b, err);
	} else {
		rc = unifw_error_set(err, UNIFW_E_INVALID, "scatter", UNIFW_NO_OFFSET, "unknown dialect %d", (int)dialect);
	}
	for (unsigned i = 0; !rc && i < sc->extra_blank_lines && i < 64; i++)
		sb_line(&b, sc->crlf, "", NULL, NULL);
	if (!rc && (b.oom || !b.p))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "scatter", UNIFW_NO_OFFSET, "out of memory writing scatter text");
	if (rc) {
		free(b.p);
		return rc;
	}
	*text = b.p;
	*len = b.len;
	return 0;
}

int unifw_scatter_save(const struct unifw_scatter *sc, enum unifw_scatter_dialect dialect, const char *path,
		       struct unifw_error *err)
{
	char *text;
	size_t len;
	int rc = unifw_scatter_write(sc, dialect, &text, &len, err);
	if (rc)
		return rc;
	rc = unifw_file_write_atomic(path, text, len, err);
	free(text);
	return rc;
}
