/* Scatter files: the parser (V1, flat and braces dialects) and what it derives after parsing (sizes,
 * storage). docs/format-scatter.md explains every rule used below. */
#include "unifw/scatter.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/scatter_internal.h"
#include "util/bytes.h"

/* Printable excerpt of untrusted text for an error message. */
static const char *excerpt(const char *p, size_t n, char *buf, size_t len)
{
	size_t o = 0, i = 0;
	for (; i < n && o + 4 < len; i++)
		buf[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Parse "0x..." hex or decimal into a u64; false on junk or overflow. Counts hex letter case for the
 * writer (readback tools write upper case, ptgen lower case). */
static bool parse_u64(const char *s, size_t n, uint64_t *v, unsigned *upper, unsigned *lower)
{
	uint64_t x = 0;
	size_t i = 0;
	unsigned base = 10;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		unsigned d;
		int c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (base == 16 && d >= 10) {
			if (c >= 'a')
				++*lower;
			else
				++*upper;
		}
		if (!mul_u64(x, base, &x) || !add_u64(x, d, &x))
			return false;
	}
	*v = x;
	return true;
}

static bool parse_bool(const char *s, size_t n, bool *v)
{
	if (n == 4 && !strncasecmp(s, "true", 4))
		*v = true;
	else if (n == 5 && !strncasecmp(s, "false", 5))
		*v = false;
	else
		return false;
	return true;
}

/* "SYS12" -> 12 */
static bool parse_index(const char *s, size_t n, int *v)
{
	if (n < 4 || n > 8 || strncasecmp(s, "SYS", 3) != 0)
		return false;
	int x = 0;
	for (size_t i = 3; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* ------------------------------------------------------------------------------------------------ */
/* Parser state                                                                                      */

struct parser {
	const char *name;
	struct unifw_scatter *sc;
	struct unifw_error *err;
	size_t cap;
	bool in_parts;          /* V1: past the general/info block */
	int last_info_key;      /* V1: last known info key seen (for the position of unknown ones) */
	int last_part_key;
	unsigned hex_upper, hex_lower;
	unsigned blank_run;     /* blank lines since the last non-blank one */
};

static int perr(struct parser *ps, const struct line *ln, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int perr(struct parser *ps, const struct line *ln, int code, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return unifw_error_set(ps->err, code, ps->name, ln ? ln->off : UNIFW_NO_OFFSET, "line %u: %s",
			       ln ? ln->no : 0, msg);
}

static int new_part(struct parser *ps, const struct line *ln, struct unifw_scatter_part **out)
{
	struct unifw_scatter *sc = ps->sc;
	if (sc->count >= UNIFW_SCATTER_MAX_PARTS)
		return perr(ps, ln, UNIFW_E_TOO_BIG, "expected at most %d partitions, found more",
			    UNIFW_SCATTER_MAX_PARTS);
	if (sc->count == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 32;
		struct unifw_scatter_part *p = realloc(sc->parts, cap * sizeof *p);
		if (!p)
			return perr(ps, ln, UNIFW_E_NOMEM, "out of memory for %zu partitions", cap);
		sc->parts = p;
		ps->cap = cap;
	}
	struct unifw_scatter_part *p = &sc->parts[sc->count++];
	memset(p, 0, sizeof *p);
	p->index = -1;
	p->line = ln->no;
	ps->last_part_key = -1;
	*out = p;
	return 0;
}

static int add_extra(struct parser *ps, const struct line *ln, struct unifw_scatter_kv **arr, size_t *count,
		     const char *key, size_t klen, const char *val, size_t vlen, int after)
{
	if (*count >= UNIFW_SCATTER_MAX_EXTRA)
		return perr(ps, ln, UNIFW_E_TOO_BIG, "expected at most %d unknown keys per entry, found more",
			    UNIFW_SCATTER_MAX_EXTRA);
	if (vlen > MAX_VALUE_LEN)
		return perr(ps, ln, UNIFW_E_TOO_BIG, "value of '%.*s' is %zu bytes, at most %d", (int)klen, key, vlen,
			    MAX_VALUE_LEN);
	struct unifw_scatter_kv *a = realloc(*arr, (*count + 1) * sizeof *a);
	if (!a)
		return perr(ps, ln, UNIFW_E_NOMEM, "out of memory");
	*arr = a;
	struct unifw_scatter_kv *kv = &a[*count];
	kv->key = dup_n(key, klen);
	kv->value = dup_n(val, vlen);
	kv->after = after;
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return perr(ps, ln, UNIFW_E_NOMEM, "out of memory");
	}
	++*count;
	return 0;
}

static int set_str(struct parser *ps, const struct line *ln, const char *key, char *dst, size_t cap,
		   const char *val, size_t n)
{
	if (n >= cap)
		return perr(ps, ln, UNIFW_E_TOO_BIG, "%s is %zu bytes long, expected at most %zu", key, n, cap - 1);
	memcpy(dst, val, n);
	dst[n] = '\0';
	return 0;
}

static int set_num(struct parser *ps, const struct line *ln, const char *key, uint64_t *dst, const char *val,
		   size_t n)
{
	char ex[48];
	if (!parse_u64(val, n, dst, &ps->hex_upper, &ps->hex_lower))
		return perr(ps, ln, UNIFW_E_FORMAT, "%s: expected a number (0x... or decimal, at most 64 bits), found '%s'",
			    key, excerpt(val, n, ex, sizeof ex));
	return 0;
}

static int set_bool(struct parser *ps, const struct line *ln, const char *key, bool *dst, const char *val, size_t n)
{
	char ex[48];
	if (!parse_bool(val, n, dst))
		return perr(ps, ln, UNIFW_E_FORMAT, "%s: expected true or false, found '%s'", key,
			    excerpt(val, n, ex, sizeof ex));
	return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* V1 (YAML-like)                                                                                    */

struct kvline {
	size_t indent;
	bool dash;
	const char *key, *val;
	size_t klen, vlen;
};

static int split_kv(struct parser *ps, const struct line *ln, struct kvline *kl)
{
	char ex[48];
	size_t i = skip_blanks(ln, 0);
	kl->indent = i;
	kl->dash = false;
	if (i < ln->len && ln->p[i] == '-' && (i + 1 == ln->len || is_blank((unsigned char)ln->p[i + 1]))) {
		kl->dash = true;
		i = skip_blanks(ln, i + 1);
	}
	size_t k = i;
	while (i < ln->len && is_key_char((unsigned char)ln->p[i]))
		i++;
	kl->key = ln->p + k;
	kl->klen = i - k;
	i = skip_blanks(ln, i);
	if (kl->klen == 0 || i >= ln->len || ln->p[i] != ':')
		return perr(ps, ln, UNIFW_E_FORMAT, "expected 'key: value', found '%s'",
			    excerpt(ln->p, ln->len, ex, sizeof ex));
	if (kl->klen > MAX_KEY_LEN)
		return perr(ps, ln, UNIFW_E_TOO_BIG, "key is %zu bytes long, expected at most %d", kl->klen, MAX_KEY_LEN);
	i = skip_blanks(ln, i + 1);
	kl->val = ln->p + i;
	kl->vlen = ln->len - i;
	return 0;
}

static int key_id(const char *const *names, int count, const struct kvline *kl)
{
	for (int i = 0; i < count; i++)
		if (strlen(names[i]) == kl->klen && !memcmp(names[i], kl->key, kl->klen))
			return i;
	return -1;
}

static int set_info_key(struct parser *ps, const struct line *ln, int id, const struct kvline *kl)
{
	struct unifw_scatter *sc = ps->sc;
	const char *k = info_key_names[id];
	if (sc->info_keys & KEY(id))
		return perr(ps, ln, UNIFW_E_FORMAT, "%s given twice in the info block", k);
	sc->info_keys |= KEY(id);
	ps->last_info_key = id;
	switch ((enum unifw_scatter_info_key)id) {
	case UNIFW_SCATTER_I_VERSION:
		return set_str(ps, ln, k, sc->config_version, sizeof sc->config_version, kl->val, kl->vlen);
	case UNIFW_SCATTER_I_PLATFORM:
		return set_str(ps, ln, k, sc->platform, sizeof sc->platform, kl->val, kl->vlen);
	case UNIFW_SCATTER_I_PROJECT:
		return set_str(ps, ln, k, sc->project, sizeof sc->project, kl->val, kl->vlen);
	case UNIFW_SCATTER_I_STORAGE:
		return set_str(ps, ln, k, sc->storage, sizeof sc->storage, kl->val, kl->vlen);
	case UNIFW_SCATTER_I_BOOT_CHANNEL:
		return set_str(ps, ln, k, sc->boot_channel, sizeof sc->boot_channel, kl->val, kl->vlen);
	case UNIFW_SCATTER_I_BLOCK_SIZE:
		return set_num(ps, ln, k, &sc->block_size, kl->val, kl->vlen);
	case UNIFW_SCATTER_I_COUNT:
		break;
	}
	return 0;
}

static int set_part_key(struct parser *ps, const struct line *ln, struct unifw_scatter_part *p, int id,
			const struct kvline *kl)
{
	const char *k = part_key_names[id];
	const char *v = kl->val;
	size_t n = kl->vlen;
	char ex[48];
	if (p->keys & KEY(id))
		return perr(ps, ln, UNIFW_E_FORMAT, "%s given twice in the entry that starts at line %u", k, p->line);
	p->keys |= KEY(id);
	ps->last_part_key = id;
	switch ((enum unifw_scatter_key)id) {
	case UNIFW_SCATTER_K_INDEX:
		if (!parse_index(v, n, &p->index))
			return perr(ps, ln, UNIFW_E_FORMAT, "partition_index: expected SYS<number>, found '%s'",
				    excerpt(v, n, ex, sizeof ex));
		return 0;
	case UNIFW_SCATTER_K_NAME: return set_str(ps, ln, k, p->name, sizeof p->name, v, n);
	case UNIFW_SCATTER_K_FILE: return set_str(ps, ln, k, p->file_name, sizeof p->file_name, v, n);
	case UNIFW_SCATTER_K_DOWNLOAD: return set_bool(ps, ln, k, &p->is_download, v, n);
	case UNIFW_SCATTER_K_TYPE: return set_str(ps, ln, k, p->type, sizeof p->type, v, n);
	case UNIFW_SCATTER_K_LINEAR: return set_num(ps, ln, k, &p->linear_start, v, n);
	case UNIFW_SCATTER_K_PHYSICAL: return set_num(ps, ln, k, &p->physical_start, v, n);
	case UNIFW_SCATTER_K_SIZE: return set_num(ps, ln, k, &p->size, v, n);
	case UNIFW_SCATTER_K_REGION: return set_str(ps, ln, k, p->region, sizeof p->region, v, n);
	case UNIFW_SCATTER_K_STORAGE: return set_str(ps, ln, k, p->storage, sizeof p->storage, v, n);
	case UNIFW_SCATTER_K_BOUNDARY: return set_bool(ps, ln, k, &p->boundary_check, v, n);
	case UNIFW_SCATTER_K_RESERVED: return set_bool(ps, ln, k, &p->is_reserved, v, n);
	case UNIFW_SCATTER_K_OPTYPE: return set_str(ps, ln, k, p->operation_type, sizeof p->operation_type, v, n);
	case UNIFW_SCATTER_K_RESERVE: return set_num(ps, ln, k, &p->reserve, v, n);
	case UNIFW_SCATTER_K_COUNT: break;
	}
	return 0;
}

static bool kl_is(const struct kvline *kl, const char *s)
{
	return strlen(s) == kl->klen && !memcmp(kl->key, s, kl->klen);
}

/* Header (general/info) line; *to_parts set when the line actually opens the first partition. */
static int v1_header_line(struct parser *ps, const struct line *ln, const struct kvline *kl, bool *to_parts)
{
	struct unifw_scatter *sc = ps->sc;
	int info = key_id(info_key_names, UNIFW_SCATTER_I_COUNT, kl);
	int part = key_id(part_key_names, UNIFW_SCATTER_K_COUNT, kl);
	*to_parts = false;
	if (kl_is(kl, "general"))
		return 0; /* "- general: MTK_PLATFORM_CFG": structure only */
	if (kl_is(kl, "info")) {
		sc->info_compact = ln->raw_len == ln->len; /* ptgen writes "info: " */
		return 0;
	}
	/* A partition starts with "- key:" at column 0 (info keys are indented: "    - config_version") or,
	 * in files that lost the dash, with a key only partitions carry. */
	if ((kl->dash && kl->indent == 0) || (part >= 0 && info < 0)) {
		*to_parts = true;
		return 0;
	}
	if (info >= 0)
		return set_info_key(ps, ln, info, kl);
	return add_extra(ps, ln, &sc->info_extra, &sc->info_extra_count, kl->key, kl->klen, kl->val, kl->vlen,
			 ps->last_info_key);
}

static int v1_part_line(struct parser *ps, const struct line *ln, const struct kvline *kl)
{
	int id = key_id(part_key_names, UNIFW_SCATTER_K_COUNT, kl);
	struct unifw_scatter_part *p = ps->sc->count ? &ps->sc->parts[ps->sc->count - 1] : NULL;
	bool starts = !p || (kl->dash && kl->indent == 0) ||
		      (id == UNIFW_SCATTER_K_INDEX && (p->keys & KEY(UNIFW_SCATTER_K_INDEX)));
	int rc;
	if (starts && (rc = new_part(ps, ln, &p)))
		return rc;
	if (id >= 0)
		return set_part_key(ps, ln, p, id, kl);
	return add_extra(ps, ln, &p->extra, &p->extra_count, kl->key, kl->klen, kl->val, kl->vlen, ps->last_part_key);
}

static int parse_v1(struct parser *ps, const char *text, size_t len)
{
	size_t pos = text_start(text, len);
	unsigned no = 0;
	struct line ln;
	while (next_line(text, len, &pos, &no, &ln)) {
		if (ln.len == 0) {
			ps->blank_run++;
			continue;
		}
		ps->blank_run = 0;
		if (line_is_comment(&ln)) {
			/* ptgen leaves a trailing blank after "General Setting"; other tools do not. */
			if (!ps->in_parts && line_is(&ln, "#  General Setting"))
				ps->sc->header_compact = ln.raw_len == ln.len;
			continue;
		}
		struct kvline kl = {0};
		int rc = split_kv(ps, &ln, &kl);
		if (rc)
			return rc;
		if (!ps->in_parts) {
			bool to_parts;
			if ((rc = v1_header_line(ps, &ln, &kl, &to_parts)))
				return rc;
			if (!to_parts)
				continue;
			ps->in_parts = true;
		}
		if ((rc = v1_part_line(ps, &ln, &kl)))
			return rc;
	}
	/* ptgen ends every entry with one blank line; more than that is a layout detail to keep. */
	ps->sc->extra_blank_lines = ps->blank_run > 0 ? ps->blank_run - 1 : 0;
	return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Flat and braces                                                                                   */

/* "NAME 0xADDR" (or a lone address: a nameless entry, which a flat writer produces for an empty name). */
static int flat_entry(struct parser *ps, const struct line *ln, bool braces)
{
	char ex[48];
	const char *tok[3];
	size_t tlen[3], nt = 0;
	for (size_t i = skip_blanks(ln, 0); i < ln->len && nt < 3; i = skip_blanks(ln, i)) {
		size_t s = i;
		while (i < ln->len && !is_blank((unsigned char)ln->p[i]))
			i++;
		tok[nt] = ln->p + s;
		tlen[nt++] = i - s;
	}
	uint64_t addr;
	if (nt == 0 || nt > 2 || !parse_u64(tok[nt - 1], tlen[nt - 1], &addr, &ps->hex_upper, &ps->hex_lower))
		return perr(ps, ln, UNIFW_E_FORMAT, "expected 'NAME 0xSTART'%s, found '%s'",
			    braces ? ", '{' or '}'" : "", excerpt(ln->p, ln->len, ex, sizeof ex));
	struct unifw_scatter_part *p;
	int rc = new_part(ps, ln, &p);
	if (rc)
		return rc;
	p->linear_start = addr;
	p->keys = KEY(UNIFW_SCATTER_K_NAME) | KEY(UNIFW_SCATTER_K_LINEAR);
	const char *name = nt == 2 ? tok[0] : "";
	size_t nlen = nt == 2 ? tlen[0] : 0;
	if (braces) {
		/* Old SP Flash Tool: __NODL_ = "no download" (docs/format-scatter.md, corpus MT6589 file). */
		size_t pl = strlen(NODL_PREFIX);
		p->keys |= KEY(UNIFW_SCATTER_K_DOWNLOAD);
		p->is_download = !(nlen >= pl && !memcmp(name, NODL_PREFIX, pl));
		if (!p->is_download) {
			name += pl;
			nlen -= pl;
		}
	}
	return set_str(ps, ln, "partition name", p->name, sizeof p->name, name, nlen);
}

static int parse_flat(struct parser *ps, const char *text, size_t len, bool braces)
{
	size_t pos = text_start(text, len);
	unsigned no = 0, open_line = 0;
	struct line ln, open_ln = {0};
	bool in_brace = false, brace_done = true;
	while (next_line(text, len, &pos, &no, &ln)) {
		if (ln.len == 0) {
			ps->blank_run++;
			continue;
		}
		ps->blank_run = 0;
		if (line_is_comment(&ln))
			continue;
		int rc = 0;
		if (braces && line_is(&ln, "{")) {
			if (in_brace)
				return perr(ps, &ln, UNIFW_E_FORMAT, "expected '}' closing the '{' of line %u, found '{'", open_line);
			if (brace_done)
				return perr(ps, &ln, UNIFW_E_FORMAT, "expected 'NAME 0xSTART' before '{'");
			in_brace = true;
			brace_done = true;
			open_line = ln.no;
			open_ln = ln;
		} else if (braces && line_is(&ln, "}")) {
			if (!in_brace)
				return perr(ps, &ln, UNIFW_E_FORMAT, "found '}' without a '{' before it");
			in_brace = false;
		} else if (in_brace) {
			char ex[48];
			return perr(ps, &ln, UNIFW_E_UNSUPPORTED,
				    "expected '}' (brace blocks of this style are empty), found '%s'",
				    excerpt(ln.p, ln.len, ex, sizeof ex));
		} else {
			rc = flat_entry(ps, &ln, braces);
			brace_done = false;
		}
		if (rc)
			return rc;
	}
	if (in_brace)
		return perr(ps, &open_ln, UNIFW_E_TRUNCATED, "expected '}' closing this '{', found the end of the file");
	ps->sc->extra_blank_lines = ps->blank_run;
	return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* After parsing: what the file did not say                                                         */

/* Size of a 0xFFFFxxxx entry: from its start back from the end to the start of the next region back
 * from the end (the smallest larger block count), or to the end of the device. */
static void derive_from_end(struct unifw_scatter *sc, struct unifw_scatter_part *p)
{
	uint64_t blocks = from_end_blocks(p->linear_start), next = 0;
	for (size_t j = 0; j < sc->count; j++) {
		const struct unifw_scatter_part *q = &sc->parts[j];
		if (q != p && unifw_scatter_addr_is_from_end(q->linear_start) && same_space(p, q)) {
			uint64_t b = from_end_blocks(q->linear_start);
			if (b < blocks && b > next)
				next = b;
		}
	}
	uint64_t size = blocks_bytes(blocks - next, unifw_scatter_block(sc));
	p->size = size == UINT64_MAX ? 0 : size;
}

/* Size of an ordinary entry: the start of the next entry in file order (same address space) minus this
 * start, when it is larger; otherwise (the last one, or out of order) it cannot be known: 0. */
static void derive_next(struct unifw_scatter *sc, size_t i)
{
	struct unifw_scatter_part *p = &sc->parts[i];
	p->size = 0;
	for (size_t j = i + 1; j < sc->count; j++) {
		const struct unifw_scatter_part *q = &sc->parts[j];
		if (!(q->keys & KEY(UNIFW_SCATTER_K_LINEAR)) || unifw_scatter_addr_is_from_end(q->linear_start) ||
		    !same_space(p, q))
			continue;
		if (q->linear_start > p->linear_start)
			p->size = q->linear_start - p->linear_start;
		return;
	}
}

static void derive_sizes(struct unifw_scatter *sc)
{
	for (size_t i = 0; i < sc->count; i++) {
		struct unifw_scatter_part *p = &sc->parts[i];
		if (p->keys & KEY(UNIFW_SCATTER_K_SIZE))
			continue;
		p->size_derived = true;
		if (!(p->keys & KEY(UNIFW_SCATTER_K_LINEAR)))
			p->size = 0;
		else if (unifw_scatter_addr_is_from_end(p->linear_start))
			derive_from_end(sc, p);
		else
			derive_next(sc, i);
	}
}

/* Storage when the file does not state it: per-partition HW_STORAGE_* if given, else eMMC when there is
 * an MBR/EBR1/PGPT partition (NAND layouts have none: MT6571 ota, OPi NAND), else NAND. */
static void infer_storage(struct unifw_scatter *sc)
{
	if (sc->info_keys & KEY(UNIFW_SCATTER_I_STORAGE))
		return;
	const char *s = "NAND";
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (name_is(p->storage, "HW_STORAGE_NAND")) {
			s = "NAND";
			break;
		}
		if (name_is(p->storage, "HW_STORAGE_EMMC") || name_is(p->name, "MBR") || name_is(p->name, "EBR1") ||
		    name_is(p->name, "PGPT")) {
			s = "EMMC";
			break;
		}
	}
	snprintf(sc->storage, sizeof sc->storage, "%s", s);
	sc->storage_inferred = true;
}

/* The first significant line decides: "key:" lines are V1; "NAME 0xADDR" lines are flat, or braces when
 * any line is a lone "{". */
static enum unifw_scatter_dialect detect_dialect(const char *text, size_t len)
{
	size_t pos = text_start(text, len);
	unsigned no = 0;
	struct line ln;
	bool first = true, colon = false, brace = false;
	while (next_line(text, len, &pos, &no, &ln)) {
		if (ln.len == 0 || line_is_comment(&ln))
			continue;
		if (first)
			colon = memchr(ln.p, ':', ln.len) != NULL;
		first = false;
		if (line_is(&ln, "{"))
			brace = true;
	}
	return colon ? UNIFW_SCATTER_V1 : brace ? UNIFW_SCATTER_BRACES : UNIFW_SCATTER_FLAT;
}

int unifw_scatter_parse(const char *text, size_t len, const char *name, struct unifw_scatter *out,
			struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	if (!name)
		name = "scatter";
	if (len > UNIFW_SCATTER_MAX_FILE)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, UNIFW_NO_OFFSET,
				       "scatter text is %zu bytes; expected at most %u", len, UNIFW_SCATTER_MAX_FILE);
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	if (nul)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, (uint64_t)(nul - text),
				       "expected scatter text, found a NUL byte (binary data)");
	struct parser ps = {.name = name, .sc = out, .err = err, .last_info_key = -1, .last_part_key = -1};
	out->utf8_bom = text_start(text, len) != 0;
	out->dialect = detect_dialect(text, len);
	const char *nl = len ? memchr(text, '\n', len) : NULL;
	out->crlf = nl && nl > text && nl[-1] == '\r';
	int rc = out->dialect == UNIFW_SCATTER_V1 ? parse_v1(&ps, text, len)
						  : parse_flat(&ps, text, len, out->dialect == UNIFW_SCATTER_BRACES);
	if (!rc && out->count == 0)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, name, len,
				     "expected at least one partition entry, found none (%s dialect)",
				     unifw_scatter_dialect_name(out->dialect));
	if (rc) {
		unifw_scatter_free(out);
		return rc;
	}
	out->hex_upper = ps.hex_upper > 0 && ps.hex_lower == 0;
	infer_storage(out);
	derive_sizes(out);
	return 0;
}

int unifw_scatter_load(const char *path, struct unifw_scatter *out, struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	memset(out, 0, sizeof *out);
	int rc = unifw_file_read_all(path, UNIFW_SCATTER_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	rc = unifw_scatter_parse((const char *)buf, len, path, out, err);
	free(buf);
	return rc;
}
