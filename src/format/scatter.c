/* Scatter files (SP Flash Tool partition maps): one model for the three dialects seen on MT6572.
 *
 *  V1     ptgen v3.5 "YAML-like" text (config_version V1.1.1 on MT6572, V1.1.2 on later chips). Not every
 *         vendor file is strict YAML (CRLF, upper-case hex, empty values, extra keys), so this is a
 *         tolerant line parser, not a YAML library: each line is a comment, a blank, or `[- ]key: value`.
 *  FLAT   ota_scatter.txt written by ptgen's ota_scatter.pl: "NAME 0xSTART" per line, no sizes.
 *  BRACES old SP Flash Tool style (MT6589 and earlier): "NAME 0xSTART" then "{" and "}" lines;
 *         a "__NODL_" prefix marks a partition that is not downloaded.
 *
 * Facts: docs/format-scatter.md (the dialects, address spaces, the corpus's scatter quirks and
 * addressing conventions) explains every rule used below, with its sources. */
#include "unifw/scatter.h"
#include "unifw/human.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/bytes.h"

static const char *const part_key_names[UNIFW_SCATTER_K_COUNT] = {
	"partition_index", "partition_name", "file_name", "is_download", "type", "linear_start_addr",
	"physical_start_addr", "partition_size", "region", "storage", "boundary_check", "is_reserved",
	"operation_type", "reserve",
};

static const char *const info_key_names[UNIFW_SCATTER_I_COUNT] = {
	"config_version", "platform", "project", "storage", "boot_channel", "block_size",
};

#define KEY(k) (1u << (k))
#define MAX_KEY_LEN 63
#define MAX_VALUE_LEN 255
#define NODL_PREFIX "__NODL_"
#define UTF8_BOM "\xEF\xBB\xBF" /* Windows editors put it in front of files edited by hand */

/* Where the text proper starts: after a UTF-8 byte-order mark, if any. */
static size_t text_start(const char *text, size_t len)
{
	return len >= 3 && !memcmp(text, UTF8_BOM, 3) ? 3 : 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* Small helpers                                                                                     */

const char *unifw_scatter_dialect_name(enum unifw_scatter_dialect d)
{
	switch (d) {
	case UNIFW_SCATTER_V1: return "v1";
	case UNIFW_SCATTER_FLAT: return "flat";
	case UNIFW_SCATTER_BRACES: return "braces";
	}
	return "?";
}

bool unifw_scatter_addr_is_from_end(uint64_t addr)
{
	/* ptgen writes BMTPOOL/OTP as 0xFFFFxxxx: xxxx blocks counted back from the end of the device. */
	return (addr >> 16) == 0xFFFF;
}

uint64_t unifw_scatter_block(const struct unifw_scatter *sc)
{
	return sc->block_size ? sc->block_size : UNIFW_SCATTER_DEFAULT_BLOCK;
}

static bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

static bool is_key_char(int c) { return isalnum(c) || c == '_'; }

static bool name_is(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

static bool part_is_preloader(const struct unifw_scatter_part *p) { return name_is(p->name, "PRELOADER"); }

static bool region_is_boot(const char *region) { return strncmp(region, "EMMC_BOOT", 9) == 0; }

static bool storage_is_nand(const struct unifw_scatter *sc) { return name_is(sc->storage, "NAND"); }

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

/* ------------------------------------------------------------------------------------------------ */
/* Lines                                                                                             */

struct line {
	const char *p;  /* start of the line */
	size_t len;     /* without the line ending and trailing blanks */
	size_t raw_len; /* without the line ending only */
	size_t off;     /* byte offset of the line in the file */
	unsigned no;    /* 1-based */
};

/* Next line of text at *pos; false at the end. A final segment without "\n" is a line; the empty
 * segment after a final "\n" is not. */
static bool next_line(const char *text, size_t len, size_t *pos, unsigned *no, struct line *ln)
{
	if (*pos >= len)
		return false;
	const char *start = text + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - start) : len - *pos;
	ln->p = start;
	ln->off = *pos;
	ln->no = ++*no;
	*pos += n + (nl ? 1 : 0);
	if (n > 0 && start[n - 1] == '\r')
		n--;
	ln->raw_len = n;
	while (n > 0 && is_blank((unsigned char)start[n - 1]))
		n--;
	ln->len = n;
	return true;
}

static size_t skip_blanks(const struct line *ln, size_t i)
{
	while (i < ln->len && is_blank((unsigned char)ln->p[i]))
		i++;
	return i;
}

static bool line_is_comment(const struct line *ln)
{
	size_t i = skip_blanks(ln, 0);
	return i < ln->len && ln->p[i] == '#';
}

static bool line_is(const struct line *ln, const char *s)
{
	size_t i = skip_blanks(ln, 0);
	return ln->len - i == strlen(s) && !memcmp(ln->p + i, s, ln->len - i);
}

/* ------------------------------------------------------------------------------------------------ */
/* Model memory                                                                                      */

static void kv_free(struct unifw_scatter_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void unifw_scatter_free(struct unifw_scatter *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->count; i++)
		kv_free(sc->parts[i].extra, sc->parts[i].extra_count);
	free(sc->parts);
	kv_free(sc->info_extra, sc->info_extra_count);
	memset(sc, 0, sizeof *sc);
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
		/* Old SP Flash Tool: __NODL_ = "no download" (formats.md, corpus MT6589 file). */
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

/* The block count of a 0xFFFFxxxx address. */
static uint64_t from_end_blocks(uint64_t addr) { return addr & 0xFFFF; }

/* blocks * block size, saturating (block_size comes from the file). */
static uint64_t blocks_bytes(uint64_t blocks, uint64_t block)
{
	uint64_t r;
	return mul_u64(blocks, block, &r) ? r : UINT64_MAX;
}

/* Entries in the same address space: since V1.1.2 the boot partitions have their own space (MT6592:
 * PRELOADER and MBR both at linear 0); in V1.1.1 and the flat forms everything is one linear space and
 * the user area simply starts after the boot region. */
static bool same_space(const struct unifw_scatter_part *a, const struct unifw_scatter_part *b)
{
	return region_is_boot(a->region) == region_is_boot(b->region);
}

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

/* ------------------------------------------------------------------------------------------------ */
/* Queries                                                                                           */

const struct unifw_scatter_part *unifw_scatter_find(const struct unifw_scatter *sc, const char *name)
{
	for (size_t i = 0; i < sc->count; i++)
		if (!strcmp(sc->parts[i].name, name))
			return &sc->parts[i];
	for (size_t i = 0; i < sc->count; i++)
		if (name_is(sc->parts[i].name, name))
			return &sc->parts[i];
	return NULL;
}

uint64_t unifw_scatter_boot_region(const struct unifw_scatter *sc)
{
	if (storage_is_nand(sc))
		return 0;
	const struct unifw_scatter_part *mbr = unifw_scatter_find(sc, "MBR");
	if (!mbr || unifw_scatter_addr_is_from_end(mbr->linear_start))
		return 0;
	return mbr->linear_start;
}

enum conv { CONV_ZERO = 1, CONV_LINEAR = 2, CONV_USER = 4, CONV_ALL = 7 };

/* Conventions a partition's physical_start_addr is consistent with. */
static unsigned part_conventions(const struct unifw_scatter_part *p, uint64_t boot)
{
	unsigned c = 0;
	if (p->physical_start == 0)
		c |= CONV_ZERO;
	if (p->physical_start == p->linear_start)
		c |= CONV_LINEAR;
	if (p->linear_start >= boot && p->physical_start == p->linear_start - boot)
		c |= CONV_USER;
	return c;
}

static bool part_has_physical(const struct unifw_scatter_part *p)
{
	/* 0xFFFFxxxx entries copy the linear value (or 0) in every convention, boot partitions are at 0. */
	return (p->keys & KEY(UNIFW_SCATTER_K_PHYSICAL)) && !unifw_scatter_addr_is_from_end(p->linear_start) &&
	       !region_is_boot(p->region);
}

static unsigned physical_conventions(const struct unifw_scatter *sc, bool *any)
{
	uint64_t boot = unifw_scatter_boot_region(sc);
	unsigned c = CONV_ALL;
	*any = false;
	for (size_t i = 0; i < sc->count; i++) {
		if (!part_has_physical(&sc->parts[i]))
			continue;
		*any = true;
		c &= part_conventions(&sc->parts[i], boot);
	}
	return c;
}

static const char *conv_name(unsigned c)
{
	/* When several fit, prefer ptgen's zeros, then "linear" (V1.1.2: no boot region, both coincide). */
	if (c & CONV_ZERO)
		return "zero";
	if (c & CONV_LINEAR)
		return "linear";
	if (c & CONV_USER)
		return "user_offset";
	return "mixed";
}

const char *unifw_scatter_physical_convention(const struct unifw_scatter *sc)
{
	bool any;
	unsigned c = physical_conventions(sc, &any);
	return any ? conv_name(c) : "none";
}

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

/* ptgen writes addresses as lower-case hex, but 0xFFFFxxxx with an upper-case FFFF ("0xFFFF00a8"). */
static const char *fmt_hex(uint64_t v, bool upper, char *buf, size_t n)
{
	unsigned long long x = v;
	if (unifw_scatter_addr_is_from_end(v)) {
		if (upper)
			snprintf(buf, n, "0xFFFF%04llX", x & 0xFFFF);
		else
			snprintf(buf, n, "0xFFFF%04llx", x & 0xFFFF);
	} else if (upper) {
		snprintf(buf, n, "0x%llX", x);
	} else {
		snprintf(buf, n, "0x%llx", x);
	}
	return buf;
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

/* ------------------------------------------------------------------------------------------------ */
/* Validation                                                                                        */

#define MAX_FINDINGS 4096

struct vctx {
	const struct unifw_scatter *sc;
	const char *name;
	const struct unifw_scatter_check *opt;
	struct unifw_findings *out;
	uint64_t boot;   /* boot region size (linear start of MBR), 0 if none */
	uint64_t block;  /* unit of 0xFFFFxxxx addresses and NAND alignment */
	bool emmc, nand;
};

static void note(struct vctx *v, enum unifw_severity sev, const char *code, const struct unifw_scatter_part *p,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void note(struct vctx *v, enum unifw_severity sev, const char *code, const struct unifw_scatter_part *p,
		 const char *fmt, ...)
{
	if (v->out->count > MAX_FINDINGS)
		return;
	if (v->out->count == MAX_FINDINGS) {
		unifw_findings_add(v->out, UNIFW_SEV_WARNING, "findings-truncated", v->name, 0, NULL,
				   "more than %d findings; the rest are not listed", MAX_FINDINGS);
		return;
	}
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	unifw_findings_add(v->out, sev, code, v->name, p ? p->line : 0, p ? p->name : NULL, "%s", msg);
}

/* How a partition is named in messages (some files have nameless entries). */
static const char *label(const struct unifw_scatter_part *p, char *buf, size_t n)
{
	if (p->name[0])
		snprintf(buf, n, "%s", p->name);
	else if (p->index >= 0)
		snprintf(buf, n, "unnamed entry SYS%d", p->index);
	else
		snprintf(buf, n, "unnamed entry at line %u", p->line);
	return buf;
}

static const char *hsize(uint64_t v, char *buf, size_t n) { return unifw_human_size(v, buf, n); }

/* Ordinary placement: has a linear start that is not counted from the end. */
static bool is_placed(const struct unifw_scatter_part *p)
{
	return (p->keys & KEY(UNIFW_SCATTER_K_LINEAR)) && !unifw_scatter_addr_is_from_end(p->linear_start);
}

static bool is_from_end(const struct unifw_scatter_part *p)
{
	return (p->keys & KEY(UNIFW_SCATTER_K_LINEAR)) && unifw_scatter_addr_is_from_end(p->linear_start);
}

/* The last placed entry of its address space (in file order): the one whose end the file cannot say. */
static bool is_last_placed(const struct unifw_scatter *sc, size_t i)
{
	for (size_t j = i + 1; j < sc->count; j++)
		if (is_placed(&sc->parts[j]) && same_space(&sc->parts[i], &sc->parts[j]))
			return false;
	return true;
}

static uint64_t end_of(const struct unifw_scatter_part *p)
{
	uint64_t e;
	return add_u64(p->linear_start, p->size, &e) ? e : UINT64_MAX;
}

static void check_info(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	if (sc->dialect == UNIFW_SCATTER_V1) {
		char miss[160] = "";
		for (int id = 0; id < UNIFW_SCATTER_I_COUNT; id++)
			if (!(sc->info_keys & KEY(id)))
				snprintf(miss + strlen(miss), sizeof miss - strlen(miss), "%s%s", miss[0] ? ", " : "",
					 info_key_names[id]);
		if (miss[0])
			note(v, UNIFW_SEV_WARNING, "missing-key", NULL, "the info block lacks %s", miss);
	}
	if ((sc->info_keys & KEY(UNIFW_SCATTER_I_PLATFORM)) && !name_is(sc->platform, "MT6572"))
		note(v, UNIFW_SEV_WARNING, "platform", NULL,
		     "platform is '%s', not MT6572: a contrast chip; the MT6572 layout rules may not fit it",
		     sc->platform);
	if (sc->info_keys & KEY(UNIFW_SCATTER_I_VERSION)) {
		if (!strncmp(sc->config_version, "V1.1.", 5) && strcmp(sc->config_version, "V1.1.1"))
			note(v, UNIFW_SEV_INFO, "config-version", NULL,
			     "config_version %s: later chips' ptgen (MT6572 writes V1.1.1)", sc->config_version);
		else if (strcmp(sc->config_version, "V1.1.1"))
			note(v, UNIFW_SEV_WARNING, "config-version", NULL,
			     "config_version '%s' is not one ptgen writes (V1.1.1 on MT6572, V1.1.2 later)",
			     sc->config_version);
	}
	if (sc->storage_inferred)
		note(v, UNIFW_SEV_INFO, "storage-inferred", NULL, "the file states no storage; %s", v->nand
		     ? "taken as NAND: no MBR, EBR1 or PGPT entry (eMMC layouts have them)"
		     : "taken as EMMC: it has an MBR/EBR1/PGPT entry, which only eMMC layouts have");
	else if (!v->emmc && !v->nand)
		note(v, UNIFW_SEV_WARNING, "storage", NULL, "storage '%s' is neither EMMC nor NAND", sc->storage);
	if ((sc->info_keys & KEY(UNIFW_SCATTER_I_BLOCK_SIZE)) &&
	    (sc->block_size < 512 || (sc->block_size & (sc->block_size - 1))))
		note(v, UNIFW_SEV_WARNING, "block-size", NULL,
		     "block_size 0x%llx is not a power of two of at least 512 (ptgen: 0x20000 eMMC, 0x40000 NAND)",
		     (unsigned long long)sc->block_size);
}

/* Was the unknown key parts[i].extra[k] already listed (an earlier entry or earlier in this one)? */
static bool extra_seen_before(const struct unifw_scatter *sc, size_t i, size_t k)
{
	const char *key = sc->parts[i].extra[k].key;
	for (size_t j = 0; j <= i; j++) {
		size_t lim = j == i ? k : sc->parts[j].extra_count;
		for (size_t m = 0; m < lim; m++)
			if (!strcmp(sc->parts[j].extra[m].key, key))
				return true;
	}
	return false;
}

static void check_keys(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char unknown[200] = "";
	size_t with_unknown = 0;
	if (sc->dialect != UNIFW_SCATTER_V1)
		return;
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		char miss[300] = "", lb[96];
		for (int id = 0; id < UNIFW_SCATTER_K_COUNT; id++)
			if (!(p->keys & KEY(id)))
				snprintf(miss + strlen(miss), sizeof miss - strlen(miss), "%s%s", miss[0] ? ", " : "",
					 part_key_names[id]);
		if (!(p->keys & KEY(UNIFW_SCATTER_K_LINEAR)))
			note(v, UNIFW_SEV_ERROR, "missing-key", p, "%s has no linear_start_addr: where it lies is unknown",
			     label(p, lb, sizeof lb));
		else if (!(p->keys & KEY(UNIFW_SCATTER_K_NAME)))
			note(v, UNIFW_SEV_ERROR, "missing-key", p, "entry has no partition_name");
		if (miss[0])
			note(v, UNIFW_SEV_WARNING, "missing-key", p, "%s lacks %s (truncated entry?)", label(p, lb, sizeof lb),
			     miss);
		with_unknown += p->extra_count > 0;
		for (size_t k = 0; k < p->extra_count; k++)
			if (!extra_seen_before(sc, i, k) && strlen(unknown) + strlen(p->extra[k].key) + 3 < sizeof unknown)
				snprintf(unknown + strlen(unknown), sizeof unknown - strlen(unknown), "%s%s",
					 unknown[0] ? ", " : "", p->extra[k].key);
	}
	if (with_unknown)
		note(v, UNIFW_SEV_INFO, "unknown-key", NULL,
		     "%zu entries carry keys unifw does not interpret (%s); they are kept as written", with_unknown,
		     unknown);
	if (sc->info_extra_count)
		note(v, UNIFW_SEV_INFO, "unknown-key", NULL,
		     "the info block carries %zu keys unifw does not interpret (first: %s); kept as written",
		     sc->info_extra_count, sc->info_extra[0].key);
}

static void check_names(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	const struct unifw_scatter_part *prev_idx = NULL;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!p->name[0])
			note(v, UNIFW_SEV_WARNING, "empty-name", p,
			     "%s has an empty partition_name: nothing can address it (tool-generated leftover?)",
			     label(p, lb, sizeof lb));
		for (size_t j = 0; j < i && p->name[0]; j++) {
			const struct unifw_scatter_part *q = &sc->parts[j];
			if (!strcmp(p->name, q->name)) {
				note(v, UNIFW_SEV_ERROR, "duplicate-name", p, "partition name %s is also used at line %u",
				     p->name, q->line);
				break;
			}
			if (name_is(p->name, q->name)) {
				note(v, UNIFW_SEV_WARNING, "duplicate-name", p,
				     "partition name %s differs only in case from %s at line %u", p->name, q->name, q->line);
				break;
			}
		}
		if (!(p->keys & KEY(UNIFW_SCATTER_K_INDEX)))
			continue;
		for (size_t j = 0; j < i; j++)
			if ((sc->parts[j].keys & KEY(UNIFW_SCATTER_K_INDEX)) && sc->parts[j].index == p->index) {
				note(v, UNIFW_SEV_WARNING, "duplicate-index", p, "partition_index SYS%d is also used at line %u",
				     p->index, sc->parts[j].line);
				break;
			}
		if (prev_idx && p->index > prev_idx->index + 1)
			note(v, UNIFW_SEV_INFO, "index-gap", p,
			     "partition_index jumps from SYS%d to SYS%d (entries removed by hand?); harmless for flashing",
			     prev_idx->index, p->index);
		prev_idx = p;
	}
}

static void check_sizes(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	size_t derived = 0;
	char lb[96], hs[32];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p))
			continue;
		bool last = is_last_placed(sc, i);
		if (p->size_derived && p->size)
			derived++;
		else if (p->size_derived)
			note(v, last ? UNIFW_SEV_INFO : UNIFW_SEV_WARNING, "size-unknown", p, "%s: size unknown (left 0): %s",
			     label(p, lb, sizeof lb), last
			     ? "the last partition ends where the device (or BMTPOOL) begins, which the file does not say"
			     : "the next entry does not start after this one");
		else if (p->size == 0)
			note(v, last ? UNIFW_SEV_INFO : UNIFW_SEV_WARNING, "size-zero", p, "%s: partition_size 0%s",
			     label(p, lb, sizeof lb), last
			     ? ": ptgen's way of giving the last partition the rest of the device"
			     : " in the middle of the layout");
		if (p->size && end_of(p) == UINT64_MAX)
			note(v, UNIFW_SEV_ERROR, "size-overflow", p,
			     "%s: start 0x%llx + size 0x%llx does not fit in 64 bits", label(p, lb, sizeof lb),
			     (unsigned long long)p->linear_start, (unsigned long long)p->size);
		else if (p->size > ((uint64_t)1 << 40))
			note(v, UNIFW_SEV_WARNING, "size-implausible", p, "%s: size %s is beyond any MT6572 storage",
			     label(p, lb, sizeof lb), hsize(p->size, hs, sizeof hs));
	}
	if (derived)
		note(v, UNIFW_SEV_INFO, "size-derived", NULL,
		     "%zu sizes computed as the next entry's start minus this start (the %s form states no sizes; "
		     "see size_derived)", derived, unifw_scatter_dialect_name(sc->dialect));
}

static void check_region(struct vctx *v, const struct unifw_scatter_part *p)
{
	char lb[96];
	const struct unifw_scatter *sc = v->sc;
	bool mt6572 = !(sc->info_keys & KEY(UNIFW_SCATTER_I_PLATFORM)) || name_is(sc->platform, "MT6572");
	label(p, lb, sizeof lb);
	if (v->nand) {
		if (strcmp(p->region, "NONE"))
			note(v, UNIFW_SEV_ERROR, "region", p, "%s: region %s on NAND; NAND layouts use NONE", lb, p->region);
	} else if (v->emmc && part_is_preloader(p)) {
		if (!strcmp(p->region, "EMMC_BOOT1_BOOT2"))
			note(v, mt6572 ? UNIFW_SEV_ERROR : UNIFW_SEV_INFO, "region", p,
			     "%s: region EMMC_BOOT1_BOOT2 (later chips); MT6572 boots from EMMC_BOOT_1", lb);
		else if (strcmp(p->region, "EMMC_BOOT_1"))
			note(v, UNIFW_SEV_ERROR, "region", p,
			     "%s: region %s; the boot ROM reads the preloader from EMMC_BOOT_1", lb, p->region);
	} else if (v->emmc && strcmp(p->region, "EMMC_USER")) {
		note(v, UNIFW_SEV_ERROR, "region", p, "%s: region %s; on eMMC every partition but PRELOADER is EMMC_USER",
		     lb, p->region);
	}
}

static void check_storage_key(struct vctx *v, const struct unifw_scatter_part *p)
{
	const char *want = v->nand ? "HW_STORAGE_NAND" : v->emmc ? "HW_STORAGE_EMMC" : NULL;
	char lb[96];
	if (want && strcmp(p->storage, want))
		note(v, UNIFW_SEV_ERROR, "storage-mismatch", p, "%s: storage %s but the file's storage is %s (expected %s)",
		     label(p, lb, sizeof lb), p->storage, v->sc->storage, want);
}

static void check_regions(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (p->keys & KEY(UNIFW_SCATTER_K_REGION))
			check_region(v, p);
		if (p->keys & KEY(UNIFW_SCATTER_K_STORAGE))
			check_storage_key(v, p);
		/* V1.1.1 counts boot and user area as one linear space: a user partition below the MBR would
		 * sit on the boot region. */
		if (v->emmc && v->boot && is_placed(p) && !region_is_boot(p->region) && !part_is_preloader(p) &&
		    p->linear_start < v->boot && (p->keys & KEY(UNIFW_SCATTER_K_REGION)))
			note(v, UNIFW_SEV_ERROR, "in-boot-region", p,
			     "%s starts at 0x%llx, inside the boot region (user area starts at 0x%llx)",
			     label(p, lb, sizeof lb), (unsigned long long)p->linear_start, (unsigned long long)v->boot);
	}
}

static void check_boot_region(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char hs[32];
	if (!v->emmc || !v->boot)
		return;
	note(v, UNIFW_SEV_INFO, "boot-region", NULL,
	     "boot region 0x%llx (%s) = linear start of MBR: linear addresses count it, MBR/EBR entries and "
	     "/proc/dumchar_info do not", (unsigned long long)v->boot, hsize(v->boot, hs, sizeof hs));
	const struct unifw_scatter_part *pl = unifw_scatter_find(sc, "PRELOADER");
	if (pl && is_placed(pl) && pl->size && pl->size != v->boot && !pl->size_derived)
		note(v, UNIFW_SEV_WARNING, "boot-region", pl,
		     "PRELOADER size 0x%llx differs from the boot region 0x%llx (where MBR starts)",
		     (unsigned long long)pl->size, (unsigned long long)v->boot);
}

static void check_alignment(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	bool stated = sc->block_size != 0;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p))
			continue;
		label(p, lb, sizeof lb);
		if (v->nand && (p->linear_start % v->block || p->size % v->block))
			note(v, stated ? UNIFW_SEV_ERROR : UNIFW_SEV_WARNING, "align", p,
			     "%s: start 0x%llx / size 0x%llx not on a NAND erase block of 0x%llx%s", lb,
			     (unsigned long long)p->linear_start, (unsigned long long)p->size, (unsigned long long)v->block,
			     stated ? "" : " (128 KiB assumed: the file states no block_size)");
		else if (!v->nand && (p->linear_start % 512 || p->size % 512))
			note(v, UNIFW_SEV_ERROR, "align", p,
			     "%s: start 0x%llx / size 0x%llx not a multiple of the 512-byte eMMC sector", lb,
			     (unsigned long long)p->linear_start, (unsigned long long)p->size);
	}
}

static void check_order(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	const struct unifw_scatter_part *prev[2] = {NULL, NULL};
	char lb[96], lb2[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p))
			continue;
		int s = region_is_boot(p->region);
		if (prev[s] && p->linear_start < prev[s]->linear_start)
			note(v, UNIFW_SEV_WARNING, "order", p,
			     "%s starts at 0x%llx, before the previous entry %s (0x%llx): layouts list partitions in "
			     "address order", label(p, lb, sizeof lb), (unsigned long long)p->linear_start,
			     label(prev[s], lb2, sizeof lb2), (unsigned long long)prev[s]->linear_start);
		prev[s] = p;
	}
}

static void check_overlaps(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char lb[96], lb2[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p) || !p->size)
			continue;
		const struct unifw_scatter_part *first = NULL;
		size_t more = 0;
		for (size_t j = 0; j < i; j++) {
			const struct unifw_scatter_part *q = &sc->parts[j];
			if (!is_placed(q) || !q->size || !same_space(p, q))
				continue;
			if (p->linear_start < end_of(q) && q->linear_start < end_of(p)) {
				if (!first)
					first = q;
				else
					more++;
			}
		}
		if (first)
			note(v, UNIFW_SEV_ERROR, "overlap", p,
			     "%s [0x%llx, 0x%llx) overlaps %s [0x%llx, 0x%llx) at line %u%s", label(p, lb, sizeof lb),
			     (unsigned long long)p->linear_start, (unsigned long long)end_of(p), label(first, lb2, sizeof lb2),
			     (unsigned long long)first->linear_start, (unsigned long long)end_of(first), first->line,
			     more ? " and more partitions" : "");
	}
}

/* The largest block count below `blocks` among the 0xFFFFxxxx entries: where the next region counted
 * from the end starts (0 = the end itself). */
static uint64_t next_from_end(const struct unifw_scatter *sc, const struct unifw_scatter_part *p)
{
	uint64_t blocks = from_end_blocks(p->linear_start), next = 0;
	for (size_t j = 0; j < sc->count; j++) {
		const struct unifw_scatter_part *q = &sc->parts[j];
		if (q != p && is_from_end(q) && same_space(p, q)) {
			uint64_t b = from_end_blocks(q->linear_start);
			if (b < blocks && b > next)
				next = b;
		}
	}
	return next;
}

static void check_from_end(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char lb[96], hs[32], hs2[32], hx[40];
	const char *assumed = sc->block_size ? "" : " (128 KiB assumed: the file states no block_size)";
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_from_end(p))
			continue;
		uint64_t blocks = from_end_blocks(p->linear_start), span = blocks_bytes(blocks, v->block);
		uint64_t room = blocks_bytes(blocks - next_from_end(sc, p), v->block);
		label(p, lb, sizeof lb);
		note(v, UNIFW_SEV_INFO, "from-end", p,
		     "%s at %s: starts %llu blocks of 0x%llx (%s) before the end of the device%s; size %s%s", lb,
		     fmt_hex(p->linear_start, sc->hex_upper, hx, sizeof hx), (unsigned long long)blocks,
		     (unsigned long long)v->block,
		     hsize(span, hs, sizeof hs), assumed, hsize(p->size, hs2, sizeof hs2),
		     p->size_derived ? " (derived from the block counts)" : "");
		if (p->size > span)
			note(v, UNIFW_SEV_WARNING, "from-end-size", p,
			     "%s: size 0x%llx is larger than the 0x%llx bytes between its start and the end of the device",
			     lb, (unsigned long long)p->size, (unsigned long long)span);
		else if (p->size > room)
			note(v, UNIFW_SEV_WARNING, "from-end-size", p,
			     "%s: size 0x%llx runs into the next region counted from the end (0x%llx bytes of room)", lb,
			     (unsigned long long)p->size, (unsigned long long)room);
	}
}

static const char *conv_text(unsigned c, uint64_t boot)
{
	if (c & CONV_ZERO)
		return "physical_start_addr is 0 everywhere: ptgen's output (it never fills the field)";
	if (c & CONV_LINEAR)
		return boot ? "physical_start_addr equals linear_start_addr: written by a readback tool"
			    : "physical_start_addr equals linear_start_addr (no boot region in the linear space: "
			      "also the user-area offset, as V1.1.2 files write it)";
	return "physical_start_addr = linear_start_addr - boot region: MTK Droid Tools' convention, the one the "
	       "MBR/EBR tables follow";
}

static void check_physical(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	bool any;
	unsigned c = physical_conventions(sc, &any);
	char lb[96];
	if (!any)
		return;
	if (c) {
		note(v, UNIFW_SEV_INFO, "physical-convention", NULL, "%s (%s)", conv_text(c, v->boot), conv_name(c));
		return;
	}
	/* Mixed: name the convention most entries follow and the entries that do not. */
	unsigned votes[3] = {0, 0, 0}, best = 0;
	for (size_t i = 0; i < sc->count; i++)
		if (part_has_physical(&sc->parts[i]))
			for (unsigned k = 0; k < 3; k++)
				votes[k] += (part_conventions(&sc->parts[i], v->boot) >> k) & 1;
	for (unsigned k = 1; k < 3; k++)
		if (votes[k] > votes[best])
			best = k;
	char odd[300] = "";
	for (size_t i = 0; i < sc->count && strlen(odd) < 200; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (part_has_physical(p) && !(part_conventions(p, v->boot) & (1u << best)))
			snprintf(odd + strlen(odd), sizeof odd - strlen(odd), "%s%s (0x%llx)", odd[0] ? ", " : "",
				 label(p, lb, sizeof lb), (unsigned long long)p->physical_start);
	}
	note(v, UNIFW_SEV_WARNING, "physical-mixed", NULL,
	     "physical_start_addr follows no single convention: most entries are '%s', these are not: %s",
	     conv_name(1u << best), odd);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static void check_values(struct vctx *v)
{
	static const char *const optypes[] = {"BOOTLOADERS", "BINREGION", "PROTECTED", "RESERVED", "UPDATE",
					      "INVISIBLE", NULL};
	static const char *const types[] = {"NONE", "SV5_BL_BIN", "NORMAL_ROM", "YAFFS_IMG", "EXT4_IMG", "UBI_IMG",
					    "FAT_IMG", NULL};
	const struct unifw_scatter *sc = v->sc;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		label(p, lb, sizeof lb);
		if ((p->keys & KEY(UNIFW_SCATTER_K_OPTYPE)) && !in_list(p->operation_type, optypes))
			note(v, UNIFW_SEV_WARNING, "operation-type", p,
			     "%s: operation_type '%s' is not one ptgen writes (BOOTLOADERS, BINREGION, PROTECTED, "
			     "RESERVED, UPDATE, INVISIBLE)", lb, p->operation_type);
		if ((p->keys & KEY(UNIFW_SCATTER_K_TYPE)) && !in_list(p->type, types))
			note(v, UNIFW_SEV_INFO, "type", p, "%s: type '%s' is not one MT6572's ptgen writes", lb, p->type);
		bool no_file = !p->file_name[0] || !strcmp(p->file_name, "NONE");
		if ((p->keys & KEY(UNIFW_SCATTER_K_DOWNLOAD)) && (p->keys & KEY(UNIFW_SCATTER_K_FILE)) && p->is_download &&
		    no_file)
			note(v, UNIFW_SEV_INFO, "download-no-file", p,
			     "%s: is_download true but file_name is '%s': flash tools list it with no image and skip it", lb,
			     p->file_name);
	}
}

/* ---- images next to the scatter file ---- */

static bool file_name_safe(const char *n)
{
	/* The name comes from the file: never let it leave image_dir. */
	return n[0] && !strchr(n, '/') && !strchr(n, '\\') && strcmp(n, ".") && strcmp(n, "..");
}

/* Find `want` in dir exactly, else case-insensitively (packages made on Windows); *found gets the name. */
static int find_image(const char *dir, const char *want, char *found, size_t n, struct stat *st)
{
	char path[4096];
	snprintf(found, n, "%s", want);
	if (snprintf(path, sizeof path, "%s/%s", dir, want) < (int)sizeof path && stat(path, st) == 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int rc = -1;
	for (struct dirent *e; (e = readdir(d));) {
		if (strcasecmp(e->d_name, want))
			continue;
		snprintf(found, n, "%s", e->d_name);
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path && stat(path, st) == 0)
			rc = 1;
		break;
	}
	closedir(d);
	return rc;
}

/* The entry a too-large image would spill into: the next placed one after p's start. */
static const struct unifw_scatter_part *next_placed(const struct unifw_scatter *sc, const struct unifw_scatter_part *p)
{
	const struct unifw_scatter_part *best = NULL;
	for (size_t j = 0; j < sc->count; j++) {
		const struct unifw_scatter_part *q = &sc->parts[j];
		if (q != p && is_placed(q) && same_space(p, q) && q->linear_start > p->linear_start &&
		    (!best || q->linear_start < best->linear_start))
			best = q;
	}
	return best;
}

static void check_image(struct vctx *v, const struct unifw_scatter_part *p)
{
	const char *dir = v->opt->image_dir;
	char lb[96], found[256], hs[32], hs2[32], lb2[96];
	struct stat st;
	label(p, lb, sizeof lb);
	if (!file_name_safe(p->file_name)) {
		note(v, UNIFW_SEV_ERROR, "unsafe-file-name", p,
		     "%s: file_name '%s' is not a plain file name (path separators or '..'); not opened", lb, p->file_name);
		return;
	}
	int rc = find_image(dir, p->file_name, found, sizeof found, &st);
	if (rc < 0) {
		note(v, UNIFW_SEV_WARNING, "image-missing", p, "%s: image %s is not in %s; this partition cannot be "
		     "downloaded", lb, p->file_name, dir);
		return;
	}
	if (rc > 0)
		note(v, UNIFW_SEV_INFO, "image-case", p, "%s: image %s found as %s (case differs)", lb, p->file_name, found);
	if (!S_ISREG(st.st_mode)) {
		note(v, UNIFW_SEV_ERROR, "image-not-file", p, "%s: %s/%s is not a regular file", lb, dir, found);
		return;
	}
	uint64_t fsize = (uint64_t)st.st_size;
	if (fsize == 0)
		note(v, UNIFW_SEV_WARNING, "image-empty", p, "%s: image %s is empty", lb, found);
	if (p->size == 0) {
		note(v, UNIFW_SEV_INFO, "image-size-unchecked", p, "%s: partition size not known; image %s (%s) not compared",
		     lb, found, hsize(fsize, hs, sizeof hs));
	} else if (fsize > p->size) {
		const struct unifw_scatter_part *nx = next_placed(v->sc, p);
		note(v, UNIFW_SEV_ERROR, "image-too-big", p,
		     "%s: image %s is %llu bytes (%s), larger than the partition's 0x%llx (%s) by %llu bytes: SP Flash "
		     "Tool refuses it (image larger than partition, errors 5056/5069)%s%s", lb, found,
		     (unsigned long long)fsize, hsize(fsize, hs, sizeof hs), (unsigned long long)p->size,
		     hsize(p->size, hs2, sizeof hs2), (unsigned long long)(fsize - p->size),
		     nx ? "; written anyway it would overwrite " : "", nx ? label(nx, lb2, sizeof lb2) : "");
	}
}

static void check_images(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	bool any_file = false;
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!(p->keys & KEY(UNIFW_SCATTER_K_FILE)))
			continue;
		any_file = true;
		bool dl = !(p->keys & KEY(UNIFW_SCATTER_K_DOWNLOAD)) || p->is_download;
		if (dl && p->file_name[0] && strcmp(p->file_name, "NONE"))
			check_image(v, p);
	}
	if (!any_file)
		note(v, UNIFW_SEV_INFO, "images-unchecked", NULL,
		     "the %s form names no image files: nothing in %s to compare", unifw_scatter_dialect_name(sc->dialect),
		     v->opt->image_dir);
}

static void check_device(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	uint64_t dev = v->opt->device_size, tail = 0;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_from_end(p))
			continue;
		uint64_t span = blocks_bytes(from_end_blocks(p->linear_start), v->block);
		if (span > tail)
			tail = span;
		if (span > dev)
			note(v, UNIFW_SEV_ERROR, "exceeds-device", p, "%s starts %llu bytes before the end of a %llu-byte "
			     "device", label(p, lb, sizeof lb), (unsigned long long)span, (unsigned long long)dev);
	}
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p) || region_is_boot(p->region))
			continue;
		if (end_of(p) > dev)
			note(v, UNIFW_SEV_ERROR, "exceeds-device", p, "%s ends at 0x%llx, past the device end 0x%llx",
			     label(p, lb, sizeof lb), (unsigned long long)end_of(p), (unsigned long long)dev);
		else if (tail && tail <= dev && end_of(p) > dev - tail)
			note(v, UNIFW_SEV_ERROR, "overlap", p, "%s ends at 0x%llx, inside the regions counted from the end "
			     "(they start at 0x%llx on this device)", label(p, lb, sizeof lb),
			     (unsigned long long)end_of(p), (unsigned long long)(dev - tail));
	}
}

int unifw_scatter_validate(const struct unifw_scatter *sc, const char *name, const struct unifw_scatter_check *opt,
			   struct unifw_findings *out, struct unifw_error *err)
{
	if (!sc || !out)
		return unifw_error_set(err, UNIFW_E_INVALID, name, UNIFW_NO_OFFSET, "no scatter model or findings list");
	struct vctx v = {.sc = sc, .name = name ? name : "scatter", .opt = opt, .out = out};
	v.nand = storage_is_nand(sc);
	v.emmc = name_is(sc->storage, "EMMC");
	v.boot = unifw_scatter_boot_region(sc);
	v.block = unifw_scatter_block(sc);
	check_info(&v);
	check_keys(&v);
	check_names(&v);
	check_sizes(&v);
	check_regions(&v);
	check_boot_region(&v);
	check_alignment(&v);
	check_order(&v);
	check_overlaps(&v);
	check_from_end(&v);
	check_physical(&v);
	check_values(&v);
	if (opt && opt->image_dir)
		check_images(&v);
	if (opt && opt->device_size)
		check_device(&v);
	return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* JSON, describe, probe                                                                             */

static void set_str_or_null(struct unifw_jv *o, const char *key, bool present, const char *s)
{
	if (present)
		unifw_jv_set_str(o, key, s);
	else
		unifw_jv_set(o, key, NULL);
}

static void part_json(const struct unifw_scatter_part *p, struct unifw_jv *o)
{
	uint32_t k = p->keys;
	if (p->index >= 0)
		unifw_jv_set_int(o, "index", p->index);
	else
		unifw_jv_set(o, "index", NULL);
	unifw_jv_set_str(o, "name", p->name);
	set_str_or_null(o, "file_name", k & KEY(UNIFW_SCATTER_K_FILE), p->file_name);
	if (k & KEY(UNIFW_SCATTER_K_DOWNLOAD))
		unifw_jv_set_bool(o, "is_download", p->is_download);
	else
		unifw_jv_set(o, "is_download", NULL);
	set_str_or_null(o, "type", k & KEY(UNIFW_SCATTER_K_TYPE), p->type);
	unifw_jv_set_hex(o, "linear_start", p->linear_start);
	if (k & KEY(UNIFW_SCATTER_K_PHYSICAL))
		unifw_jv_set_hex(o, "physical_start", p->physical_start);
	else
		unifw_jv_set(o, "physical_start", NULL);
	unifw_jv_set_bool(o, "from_end", unifw_scatter_addr_is_from_end(p->linear_start));
	unifw_jv_set_uint(o, "size", p->size);
	unifw_jv_set_bool(o, "size_derived", p->size_derived);
	set_str_or_null(o, "region", k & KEY(UNIFW_SCATTER_K_REGION), p->region);
	set_str_or_null(o, "storage", k & KEY(UNIFW_SCATTER_K_STORAGE), p->storage);
	set_str_or_null(o, "operation_type", k & KEY(UNIFW_SCATTER_K_OPTYPE), p->operation_type);
	unifw_jv_set_uint(o, "line", p->line);
}

int unifw_scatter_to_json(const struct unifw_scatter *sc, const char *name, struct unifw_jv *obj,
			  struct unifw_error *err)
{
	uint32_t ik = sc->info_keys;
	unifw_jv_set_str(obj, "type", "scatter");
	unifw_jv_set_str(obj, "dialect", unifw_scatter_dialect_name(sc->dialect));
	set_str_or_null(obj, "config_version", ik & KEY(UNIFW_SCATTER_I_VERSION), sc->config_version);
	set_str_or_null(obj, "platform", ik & KEY(UNIFW_SCATTER_I_PLATFORM), sc->platform);
	set_str_or_null(obj, "project", ik & KEY(UNIFW_SCATTER_I_PROJECT), sc->project);
	unifw_jv_set_str(obj, "storage", sc->storage);
	unifw_jv_set_bool(obj, "storage_inferred", sc->storage_inferred);
	set_str_or_null(obj, "boot_channel", ik & KEY(UNIFW_SCATTER_I_BOOT_CHANNEL), sc->boot_channel);
	if (ik & KEY(UNIFW_SCATTER_I_BLOCK_SIZE))
		unifw_jv_set_uint(obj, "block_size", sc->block_size);
	else
		unifw_jv_set(obj, "block_size", NULL);
	unifw_jv_set_uint(obj, "boot_region_size", unifw_scatter_boot_region(sc));
	unifw_jv_set_uint(obj, "partition_count", sc->count);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "partitions");
	for (size_t i = 0; i < sc->count; i++)
		part_json(&sc->parts[i], unifw_jv_push_obj(arr));
	unifw_jv_set_str(obj, "physical_address_convention", unifw_scatter_physical_convention(sc));
	struct unifw_findings f = {0};
	int rc = unifw_scatter_validate(sc, name, NULL, &f, err);
	if (!rc) {
		unifw_jv_set_uint(obj, "errors", unifw_findings_count(&f, UNIFW_SEV_ERROR));
		unifw_jv_set_uint(obj, "warnings", unifw_findings_count(&f, UNIFW_SEV_WARNING));
		unifw_jv_set(obj, "findings", unifw_findings_to_json(&f));
	}
	unifw_findings_free(&f);
	if (!rc && unifw_jv_oom(obj))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory building the JSON report");
	return rc;
}

int unifw_scatter_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *bytes = NULL;
	size_t n = 0;
	int rc = unifw_stream_read_all(s, UNIFW_SCATTER_MAX_FILE, &bytes, &n, err);
	char *buf = (char *)bytes;
	struct unifw_scatter sc;
	if (!rc && !(rc = unifw_scatter_parse(buf, n, s->name, &sc, err))) {
		rc = unifw_scatter_to_json(&sc, s->name, obj, err);
		unifw_scatter_free(&sc);
	}
	free(buf);
	return rc;
}

/* A flat/braces line: NAME (identifier characters) blank 0xHEX, or a lone brace. */
static int probe_flat_line(const struct line *ln)
{
	if (line_is(ln, "{") || line_is(ln, "}"))
		return 0;
	size_t i = skip_blanks(ln, 0), s = i;
	while (i < ln->len && is_key_char((unsigned char)ln->p[i]))
		i++;
	if (i == s || i >= ln->len || !is_blank((unsigned char)ln->p[i]))
		return -1;
	i = skip_blanks(ln, i);
	if (ln->len - i < 3 || ln->p[i] != '0' || (ln->p[i + 1] | 0x20) != 'x')
		return -1;
	for (i += 2; i < ln->len; i++)
		if (!isxdigit((unsigned char)ln->p[i]))
			return -1;
	return 1;
}

bool unifw_scatter_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	const char *t = (const char *)head;
	if (!head || head_len == 0 || (total_size != UNIFW_SIZE_UNKNOWN && total_size > UNIFW_SCATTER_MAX_FILE))
		return false;
	if (memchr(head, 0, head_len))
		return false;
	if (memmem(t, head_len, "- general: MTK_PLATFORM_CFG", 27) ||
	    (memmem(t, head_len, "partition_index:", 16) && memmem(t, head_len, "linear_start_addr:", 18)))
		return true;
	/* Flat/braces: every complete line is an entry, a brace, a comment or blank; at least two entries. */
	bool cut = total_size == UNIFW_SIZE_UNKNOWN || total_size > head_len;
	size_t len = head_len, pos = text_start(t, head_len), entries = 0;
	if (cut) {
		const char *nl = memrchr(t, '\n', head_len);
		len = nl ? (size_t)(nl - t) + 1 : 0;
	}
	unsigned no = 0;
	struct line ln;
	while (next_line(t, len, &pos, &no, &ln)) {
		if (ln.len == 0 || line_is_comment(&ln))
			continue;
		int r = probe_flat_line(&ln);
		if (r < 0)
			return false;
		entries += (size_t)r;
	}
	return entries >= 2;
}
