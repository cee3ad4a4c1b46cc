/* zImage kernels: container, compressed payload, banner and driver names
 * (include/unifw/kernel.h, docs/format-boot.md). */
#include "unifw/kernel.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "format/drvnames.h"
#include "util/bytes.h"

#define ZIMAGE_START_OFF 0x28u
#define ZIMAGE_END_OFF 0x2Cu
#define ZIMAGE_HDR_END 0x30u
#define MAX_CANDIDATES 32
/* A candidate stream that inflated this much is the payload: its errors are final. */
#define COMMIT_BYTES (64u * 1024u)
/* xz kernels are built with a 32 MiB dictionary (scripts/xz_wrap.sh); leave room, refuse more. */
#define XZ_MEMLIMIT (96ull << 20)
#define LCM_MIN_CALLBACKS 4

/* ------------------------------------------------------------------ names */

void unifw_names_add(struct unifw_names *l, const char *name)
{
	if (unifw_names_has(l, name))
		return;
	if (l->count >= UNIFW_NAMES_MAX) {
		l->truncated = true;
		return;
	}
	snprintf(l->name[l->count++], UNIFW_NAME_LEN, "%s", name);
}

bool unifw_names_has(const struct unifw_names *l, const char *name)
{
	for (size_t i = 0; i < l->count; i++)
		if (!strcmp(l->name[i], name))
			return true;
	return false;
}

struct unifw_jv *unifw_names_to_json(const struct unifw_names *l)
{
	struct unifw_jv *a = unifw_jv_array();
	for (size_t i = 0; i < l->count; i++)
		unifw_jv_push_str(a, l->name[i]);
	return a;
}

static int cmp_lcm(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int cmp_touch(const void *key, const void *elem)
{
	return strcasecmp(key, *(const char *const *)elem);
}

bool unifw_lcm_name_known(const char *name)
{
	return bsearch(name, known_lcm_names, sizeof known_lcm_names / sizeof *known_lcm_names,
		       sizeof *known_lcm_names, cmp_lcm) != NULL;
}

const char *unifw_touch_name_canonical(const char *name)
{
	const char *const *hit = bsearch(name, known_touch_names, sizeof known_touch_names / sizeof *known_touch_names,
					 sizeof *known_touch_names, cmp_touch);
	if (!hit)
		return NULL;
	/* The table holds some names in two spellings (msg2133 / MSG2133): prefer the exact one. */
	for (const char *const *p = hit; p >= known_touch_names && !strcasecmp(*p, name); p--)
		if (!strcmp(*p, name))
			return *p;
	for (const char *const *p = hit + 1;
	     p < known_touch_names + sizeof known_touch_names / sizeof *known_touch_names && !strcasecmp(*p, name); p++)
		if (!strcmp(*p, name))
			return *p;
	return *hit;
}

static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_ident(int c) { return is_alpha(c) || is_digit(c) || c == '_'; }

/* "ili9806e", "otm8018b", "hx8369b", "nt35510", "r61408": 1-6 letters, 3-6 digits, up to 3 more. */
static bool chip_token(const char *t, size_t n)
{
	size_t i = 0, letters, digits;
	while (i < n && is_alpha(t[i]))
		i++;
	letters = i;
	while (i < n && is_digit(t[i]))
		i++;
	digits = i - letters;
	return letters >= 1 && letters <= 6 && digits >= 3 && digits <= 6 && n - i <= 3;
}

static bool interface_token(const char *t, size_t n)
{
	static const char *const tokens[] = {"dsi", "dpi", "dbi", "mcu", "lvds"};
	for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++)
		if (strlen(tokens[i]) == n && !strncasecmp(t, tokens[i], n))
			return true;
	return false;
}

bool unifw_lcm_name_plausible(const char *name)
{
	size_t len = strlen(name);
	bool iface = false;
	const char *t = name;

	if (len < 8 || len >= UNIFW_NAME_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_ident((unsigned char)name[i]))
			return false;
	for (size_t k = 0; *t; k++) {
		size_t n = strcspn(t, "_");
		if (k == 0 && !chip_token(t, n))
			return false;
		if (k > 0 && interface_token(t, n))
			iface = true;
		t += n;
		if (*t == '_')
			t++;
	}
	return iface;
}

static bool has_suffix(const char *s, size_t *n, const char *suffix)
{
	size_t k = strlen(suffix);
	if (*n < k || strncmp(s + *n - k, suffix, k))
		return false;
	*n -= k;
	return true;
}

bool unifw_camera_name_plausible(const char *name)
{
	size_t n = strlen(name), i = 0, digits = 0;

	if (n < 5 || n > 31)
		return false;
	if (!has_suffix(name, &n, "yuv") && !has_suffix(name, &n, "raw"))
		return false;
	/* strip the interface part: "_mipi_", "mipi_", "_mipi", "mipi", "_" or nothing */
	has_suffix(name, &n, "_");
	if (has_suffix(name, &n, "mipi"))
		has_suffix(name, &n, "_");
	while (i < n && name[i] >= 'a' && name[i] <= 'z')
		i++;
	if (i < 1 || i > 4 || i == n || !is_digit(name[i]))
		return false;
	for (; i < n; i++) {
		if (is_digit(name[i]))
			digits++;
		else if (name[i] < 'a' || name[i] > 'z')
			return false;
	}
	/* a model number: "s5k5eayx", "sp0a19", "hi257" all carry two digits or more */
	return digits >= 2;
}

/* A NUL-terminated identifier of 3..63 bytes at off. */
static bool name_at(const uint8_t *img, size_t len, uint64_t off, char out[UNIFW_NAME_LEN])
{
	size_t i;
	for (i = 0; i < UNIFW_NAME_LEN - 1 && off + i < len; i++) {
		uint8_t c = img[off + i];
		if (c == 0)
			break;
		if (!is_ident(c) && c != '-' && c != '.')
			return false;
		out[i] = (char)c;
	}
	if (i < 3 || off + i >= len || img[off + i] != 0)
		return false;
	out[i] = '\0';
	return true;
}

size_t unifw_lcm_records_scan(const uint8_t *img, size_t len, uint32_t base, struct unifw_names *known,
			      struct unifw_names *unlisted)
{
	/* "points into the image" is one unsigned compare: (w - base) mod 2^32 < span */
	uint32_t span = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	size_t records = 0;
	char name[UNIFW_NAME_LEN];

	if (len < 4 * (LCM_MIN_CALLBACKS + 1))
		return 0;
	for (size_t i = 0; i + 4 * (LCM_MIN_CALLBACKS + 1) <= len; i += 4) {
		uint32_t w = 0, f = 0;
		bool callbacks = true;
		get_le32(img, len, i, &w);
		if ((uint32_t)(w - base) >= span)
			continue;
		for (unsigned k = 1; k <= LCM_MIN_CALLBACKS && callbacks; k++) {
			get_le32(img, len, i + 4 * k, &f);
			callbacks = (uint32_t)(f - base) < span && f != w;
		}
		if (!callbacks || !name_at(img, len, (uint32_t)(w - base), name))
			continue;
		records++;
		if (unifw_lcm_name_known(name)) {
			if (known)
				unifw_names_add(known, name);
		} else if (unlisted && unifw_lcm_name_plausible(name)) {
			unifw_names_add(unlisted, name);
		}
	}
	return records;
}

/* Every NUL-delimited identifier string of the image that names a known touch driver or an image
 * sensor; and, when no driver records were found (unknown link address), the known LCM names present as
 * whole strings. */
static void string_scan(const uint8_t *img, size_t len, struct unifw_kernel_info *k, struct unifw_names *lcm)
{
	char name[UNIFW_NAME_LEN];
	size_t i = 0;
	while (i < len) {
		if ((i == 0 || img[i - 1] == 0) && is_alpha(img[i]) && name_at(img, len, i, name)) {
			const char *canon = unifw_touch_name_canonical(name);
			if (canon)
				unifw_names_add(&k->touch, canon);
			if (unifw_camera_name_plausible(name))
				unifw_names_add(&k->camera, name);
			if (lcm && unifw_lcm_name_known(name))
				unifw_names_add(lcm, name);
			i += strlen(name);
			continue;
		}
		i++;
	}
}

/* ARM kernels run at PAGE_OFFSET + TEXT_OFFSET: 0xC0008000 with the usual 3G/1G split, 0x80008000
 * with VMSPLIT_2G. The base that explains the most driver records wins. */
static void drivers_scan(const uint8_t *img, size_t len, struct unifw_kernel_info *k)
{
	static const uint32_t bases[] = {0xC0008000u, 0x80008000u};
	struct unifw_names *known = calloc(1, sizeof *known), *unlisted = calloc(1, sizeof *unlisted);
	size_t best = 0;

	if (!known || !unlisted)
		goto out;
	for (size_t b = 0; b < sizeof bases / sizeof *bases; b++) {
		memset(known, 0, sizeof *known);
		memset(unlisted, 0, sizeof *unlisted);
		size_t n = unifw_lcm_records_scan(img, len, bases[b], known, unlisted);
		if (n > best) {
			best = n;
			k->image_base = bases[b];
			k->lcm = *known;
			k->lcm_unlisted = *unlisted;
		}
	}
	string_scan(img, len, k, best == 0 ? &k->lcm : NULL);
out:
	free(known);
	free(unlisted);
}

/* ------------------------------------------------------------------ banner */

static void copy_span(char *dst, size_t cap, const char *src, size_t n)
{
	while (n && src[n - 1] == ' ')
		n--;
	while (n && *src == ' ') {
		src++;
		n--;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "(...)" with nesting starting at s[0] == '('; returns the length including both parens, 0 if open. */
static size_t paren_span(const char *s)
{
	int depth = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return 0;
}

/* linux_banner: "Linux version %s (%s@%s) (%s) %s\n" (init/version.c). */
static void parse_banner(struct unifw_kernel_info *k)
{
	const char *p = k->banner + strlen("Linux version ");
	size_t n = strcspn(p, " ");
	copy_span(k->version, sizeof k->version, p, n);
	p += n;
	while (*p == ' ')
		p++;
	if (*p == '(' && (n = paren_span(p)) > 0) {
		copy_span(k->builder, sizeof k->builder, p + 1, n - 2);
		p += n;
		while (*p == ' ')
			p++;
	}
	if (*p == '(' && (n = paren_span(p)) > 0) {
		copy_span(k->toolchain, sizeof k->toolchain, p + 1, n - 2);
		p += n;
	}
	copy_span(k->build, sizeof k->build, p, strlen(p));
}

static void find_banner(const uint8_t *img, size_t len, struct unifw_kernel_info *k)
{
	static const char tag[] = "Linux version ";
	size_t at = 0;
	while ((at = unifw_memfind(img, len, at, tag, sizeof tag - 1)) != SIZE_MAX) {
		size_t v = at + sizeof tag - 1, n = 0;
		if (v < len && is_digit(img[v])) {
			while (at + n < len && n < sizeof k->banner - 1 && img[at + n] >= 0x20 && img[at + n] < 0x7f)
				n++;
			memcpy(k->banner, img + at, n);
			k->banner[n] = '\0';
			parse_banner(k);
			return;
		}
		at++;
	}
}

/* ------------------------------------------------------------------ decompression */

struct outbuf {
	uint8_t *p;
	size_t len, cap;
	uint64_t max; /* the buffer may hold max + 1 bytes: one more than allowed proves "too big" */
};

static int out_room(struct outbuf *o, const char *name, uint64_t at, struct unifw_error *err)
{
	if (o->len < o->cap)
		return 0;
	if (o->len > o->max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, at,
				       "decompressed kernel exceeds %llu bytes, the limit", (unsigned long long)o->max);
	size_t ncap = o->cap ? o->cap * 2 : (size_t)1 << 20;
	if (ncap > o->max + 1)
		ncap = (size_t)o->max + 1;
	uint8_t *q = realloc(o->p, ncap);
	if (!q)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory (%zu bytes)", ncap);
	o->p = q;
	o->cap = ncap;
	return 0;
}

static int too_big_check(const struct outbuf *o, const char *name, uint64_t at, struct unifw_error *err)
{
	if (o->len > o->max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, at,
				       "decompressed kernel exceeds %llu bytes, the limit", (unsigned long long)o->max);
	return 0;
}

static int inflate_gzip(const uint8_t *in, size_t inlen, uint64_t in_off, const char *name, struct outbuf *o,
			uint64_t *consumed, struct unifw_error *err)
{
	z_stream z;
	int rc = 0;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return unifw_error_set(err, UNIFW_E_LIBRARY, name, in_off, "zlib inflateInit2 failed");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = inlen > UINT32_MAX ? UINT32_MAX : (uInt)inlen;
	for (;;) {
		if ((rc = out_room(o, name, in_off + z.total_in, err)) != 0)
			break;
		z.next_out = o->p + o->len;
		z.avail_out = (uInt)(o->cap - o->len);
		int zr = inflate(&z, Z_NO_FLUSH);
		o->len = o->cap - z.avail_out;
		if ((rc = too_big_check(o, name, in_off + z.total_in, err)) != 0)
			break;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			rc = unifw_error_set(err, UNIFW_E_TRUNCATED, name, in_off + z.total_in,
					     "gzip stream ends early: input stops after %llu compressed bytes",
					     (unsigned long long)z.total_in);
		} else if (zr == Z_MEM_ERROR) {
			rc = unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "zlib: out of memory");
		} else if (zr != Z_BUF_ERROR) {
			rc = unifw_error_set(err, UNIFW_E_FORMAT, name, in_off + z.total_in, "corrupt gzip data: %s",
					     z.msg ? z.msg : "inflate failed");
		} else {
			continue;
		}
		break;
	}
	*consumed = z.total_in;
	inflateEnd(&z);
	return rc;
}

static int inflate_xz(const uint8_t *in, size_t inlen, uint64_t in_off, const char *name, struct outbuf *o,
		      uint64_t *consumed, struct unifw_error *err)
{
	lzma_stream z = LZMA_STREAM_INIT;
	int rc = 0;

	if (lzma_stream_decoder(&z, XZ_MEMLIMIT, 0) != LZMA_OK)
		return unifw_error_set(err, UNIFW_E_LIBRARY, name, in_off, "liblzma decoder init failed");
	z.next_in = in;
	z.avail_in = inlen;
	for (;;) {
		if ((rc = out_room(o, name, in_off + z.total_in, err)) != 0)
			break;
		z.next_out = o->p + o->len;
		z.avail_out = o->cap - o->len;
		lzma_ret zr = lzma_code(&z, LZMA_FINISH);
		o->len = o->cap - z.avail_out;
		if ((rc = too_big_check(o, name, in_off + z.total_in, err)) != 0)
			break;
		if (zr == LZMA_STREAM_END)
			break;
		if (zr == LZMA_OK)
			continue;
		if (zr == LZMA_BUF_ERROR && z.avail_in == 0)
			rc = unifw_error_set(err, UNIFW_E_TRUNCATED, name, in_off + z.total_in,
					     "xz stream ends early: input stops after %llu compressed bytes",
					     (unsigned long long)z.total_in);
		else if (zr == LZMA_MEMLIMIT_ERROR)
			rc = unifw_error_set(err, UNIFW_E_TOO_BIG, name, in_off,
					     "xz stream needs more than %llu bytes of decoder memory",
					     (unsigned long long)XZ_MEMLIMIT);
		else if (zr == LZMA_MEM_ERROR)
			rc = unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "liblzma: out of memory");
		else if (zr == LZMA_BUF_ERROR)
			continue;
		else
			rc = unifw_error_set(err, UNIFW_E_FORMAT, name, in_off + z.total_in,
					     "corrupt xz data (liblzma error %d)", (int)zr);
		break;
	}
	*consumed = z.total_in;
	lzma_end(&z);
	return rc;
}

struct candidate {
	uint64_t off;
	enum unifw_kernel_comp comp;
};

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* gzip member header (1f 8b, deflate) and xz stream header magic. */
static size_t find_candidates(const uint8_t *buf, size_t from, size_t to, struct candidate *c)
{
	static const uint8_t gz[3] = {0x1f, 0x8b, 0x08};
	static const uint8_t xz[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
	size_t n = 0, at;

	for (at = from; n < MAX_CANDIDATES / 2 && (at = unifw_memfind(buf, to, at, gz, sizeof gz)) != SIZE_MAX; at++)
		c[n++] = (struct candidate){at, UNIFW_KCOMP_GZIP};
	for (at = from; n < MAX_CANDIDATES && (at = unifw_memfind(buf, to, at, xz, sizeof xz)) != SIZE_MAX; at++)
		c[n++] = (struct candidate){at, UNIFW_KCOMP_XZ};
	qsort(c, n, sizeof *c, cmp_candidate);
	return n;
}

/* Try each candidate stream in file order; the first that inflates is the payload. A candidate that
 * got past COMMIT_BYTES is the payload even when it then fails: that error is the answer. */
static int decompress_payload(const uint8_t *buf, size_t zoff, size_t zend, const char *name, uint64_t max,
			      struct outbuf *o, struct unifw_kernel_info *k, struct unifw_error *err)
{
	struct candidate c[MAX_CANDIDATES];
	struct unifw_error best;
	uint64_t best_progress = 0;
	memset(&best, 0, sizeof best);
	int best_rc = 0;
	size_t n = find_candidates(buf, zoff + ZIMAGE_HDR_END, zend, c);

	if (n == 0)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, name, zoff,
				       "no gzip or xz stream inside the zImage (LZMA/LZO/LZ4 kernels are not supported)");
	o->max = max;
	for (size_t i = 0; i < n; i++) {
		struct unifw_error e;
		uint64_t used = 0;
		int rc;
		o->len = 0;
		if (c[i].comp == UNIFW_KCOMP_GZIP)
			rc = inflate_gzip(buf + c[i].off, zend - c[i].off, c[i].off, name, o, &used, &e);
		else
			rc = inflate_xz(buf + c[i].off, zend - c[i].off, c[i].off, name, o, &used, &e);
		if (rc == 0 || o->len >= COMMIT_BYTES || rc == UNIFW_E_NOMEM || rc == UNIFW_E_TOO_BIG) {
			k->compression = c[i].comp;
			k->payload_offset = c[i].off;
			k->compressed_size = used;
			k->decompressed_size = o->len;
			if (rc && err)
				*err = e;
			return rc;
		}
		if (best_rc == 0 || used > best_progress) {
			best = e;
			best_rc = rc;
			best_progress = used;
		}
	}
	if (err)
		*err = best;
	return best_rc;
}

/* ------------------------------------------------------------------ container */

bool unifw_zimage_is(const uint8_t *buf, size_t len)
{
	uint32_t magic;
	return buf && get_le32(buf, len, UNIFW_ZIMAGE_MAGIC_OFF, &magic) && magic == UNIFW_ZIMAGE_MAGIC;
}

const char *unifw_kernel_comp_name(enum unifw_kernel_comp c)
{
	switch (c) {
	case UNIFW_KCOMP_GZIP: return "gzip";
	case UNIFW_KCOMP_XZ: return "xz";
	default: return "none";
	}
}

/* Where the zImage sits in buf and how long it says it is. */
static int locate_zimage(const uint8_t *buf, size_t len, const char *name, struct unifw_kernel_info *k,
			 struct unifw_error *err)
{
	uint64_t region = len;
	int rc;

	if (unifw_mtkhdr_is(buf, len)) {
		if ((rc = unifw_mtkhdr_parse(buf, len, len, &k->mtk, err)) != 0) {
			unifw_error_where(err, name);
			return rc;
		}
		k->has_mtk_header = true;
		k->zimage_offset = UNIFW_MTKHDR_SIZE;
		if (k->mtk.missing)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
					       "%s header says the payload is %u bytes, only %llu follow the header",
					       k->mtk.name, k->mtk.dsize, (unsigned long long)k->mtk.available);
		region = k->mtk.dsize;
		k->trailing = k->mtk.padding;
	}
	const uint64_t z = k->zimage_offset;
	uint32_t magic = 0;
	if (!get_le32(buf, len, z + UNIFW_ZIMAGE_MAGIC_OFF, &magic) || magic != UNIFW_ZIMAGE_MAGIC ||
	    region < ZIMAGE_HDR_END)
		return unifw_error_set(err, region < ZIMAGE_HDR_END ? UNIFW_E_TRUNCATED : UNIFW_E_FORMAT, name,
				       z + UNIFW_ZIMAGE_MAGIC_OFF,
				       "expected zImage magic 0x016F2818, found 0x%08x", magic);
	get_le32(buf, len, z + ZIMAGE_START_OFF, &k->zimage_start);
	get_le32(buf, len, z + ZIMAGE_END_OFF, &k->zimage_end);
	if (k->zimage_end <= k->zimage_start || k->zimage_end - k->zimage_start < ZIMAGE_HDR_END)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, z + ZIMAGE_END_OFF,
				       "zImage end 0x%x is not past its start 0x%x", k->zimage_end, k->zimage_start);
	k->zimage_size = k->zimage_end - k->zimage_start;
	if (k->zimage_size > region)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, z + region,
				       "zImage header says %llu bytes, the input has %llu", (unsigned long long)k->zimage_size,
				       (unsigned long long)region);
	k->trailing += region - k->zimage_size;
	return 0;
}

int unifw_kernel_inspect(const uint8_t *buf, size_t len, const char *name, const struct unifw_kernel_opts *opts,
			 struct unifw_kernel_info *info, struct unifw_error *err)
{
	uint64_t max = opts && opts->max_decompressed ? opts->max_decompressed : UNIFW_KERNEL_MAX_DECOMPRESSED;
	struct outbuf o = {0};
	int rc;

	memset(info, 0, sizeof *info);
	if (!name)
		name = "kernel";
	if ((rc = locate_zimage(buf, len, name, info, err)) != 0)
		return rc;
	rc = decompress_payload(buf, info->zimage_offset, info->zimage_offset + info->zimage_size, name, max, &o, info,
				err);
	if (rc == 0) {
		find_banner(o.p, o.len, info);
		drivers_scan(o.p, o.len, info);
		if (opts && opts->image && opts->image_len) {
			*opts->image = o.p;
			*opts->image_len = o.len;
			o.p = NULL;
		}
	}
	free(o.p);
	return rc;
}

void unifw_kernel_info_to_json(const struct unifw_kernel_info *k, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "kernel");
	unifw_jv_set_str(obj, "container", k->has_mtk_header ? "mtk_header" : "raw");
	if (k->has_mtk_header)
		unifw_mtkhdr_to_json(&k->mtk, unifw_jv_set_obj(obj, "mtk_header"));
	unifw_jv_set_uint(obj, "zimage_size", k->zimage_size);
	unifw_jv_set_uint(obj, "trailing_bytes", k->trailing);
	unifw_jv_set_str(obj, "compression", unifw_kernel_comp_name(k->compression));
	unifw_jv_set_hex(obj, "payload_offset", k->payload_offset);
	unifw_jv_set_uint(obj, "compressed_size", k->compressed_size);
	unifw_jv_set_uint(obj, "decompressed_size", k->decompressed_size);
	if (k->banner[0]) {
		unifw_jv_set_str(obj, "version", k->version);
		unifw_jv_set_str(obj, "banner", k->banner);
		unifw_jv_set_str(obj, "toolchain", k->toolchain);
		unifw_jv_set_str(obj, "builder", k->builder);
		unifw_jv_set_str(obj, "build", k->build);
	} else {
		unifw_jv_set(obj, "version", NULL);
		unifw_jv_set(obj, "banner", NULL);
	}
	if (k->image_base)
		unifw_jv_set_hex(obj, "image_base", k->image_base);
	unifw_jv_set(obj, "lcm_drivers", unifw_names_to_json(&k->lcm));
	unifw_jv_set(obj, "lcm_drivers_unlisted", unifw_names_to_json(&k->lcm_unlisted));
	unifw_jv_set(obj, "touch_drivers", unifw_names_to_json(&k->touch));
	unifw_jv_set(obj, "camera_drivers", unifw_names_to_json(&k->camera));
}

int unifw_kernel_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf;
	size_t len;
	struct unifw_kernel_info *k;
	int rc = unifw_stream_read_all(s, UNIFW_KERNEL_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	k = malloc(sizeof *k);
	if (!k) {
		free(buf);
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	}
	rc = unifw_kernel_inspect(buf, len, s->name, NULL, k, err);
	if (rc == 0)
		unifw_kernel_info_to_json(k, obj);
	free(k);
	free(buf);
	return rc;
}

bool unifw_kernel_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	(void)total_size;
	if (unifw_zimage_is(head, head_len))
		return true;
	return unifw_mtkhdr_has_name(head, head_len, "KERNEL") && head_len > UNIFW_MTKHDR_SIZE &&
	       unifw_zimage_is(head + UNIFW_MTKHDR_SIZE, head_len - UNIFW_MTKHDR_SIZE);
}

/* ---- the virtual phone's text records (kernel.h unifw_kernel_find_records) ---- */

/* One "NAME 0xOFFSET 0xSIZE pN|-" line of at most 127 bytes, without its newline. */
static bool kmap_line(const char *line, struct unifw_kernel_kmap_entry *e)
{
	char name[32], idx[8];
	unsigned long long off, size;
	int used = 0;
	if (sscanf(line, "%31s 0x%llx 0x%llx %7s%n", name, &off, &size, idx, &used) != 4 || line[used] != '\0')
		return false;
	memset(e, 0, sizeof *e);
	snprintf(e->name, sizeof e->name, "%s", name);
	e->offset = off;
	e->size = size;
	if (!strcmp(idx, "-"))
		return true;
	char *end = NULL;
	unsigned long n = idx[0] == 'p' ? strtoul(idx + 1, &end, 10) : 0;
	if (!end || *end || n == 0 || n > UNIFW_KERNEL_KMAP_MAX)
		return false;
	e->index = (unsigned)n;
	return true;
}

static void find_kmap(const uint8_t *img, size_t len, struct unifw_kernel_records *r)
{
	const size_t tlen = strlen(UNIFW_KERNEL_PTABLE_TAG);
	size_t at = unifw_memfind(img, len, 0, UNIFW_KERNEL_PTABLE_TAG, tlen);
	if (at == SIZE_MAX) {
		r->kmap_from_pmt = unifw_memfind(img, len, 0, UNIFW_KERNEL_PTABLE_PMT_TAG, strlen(UNIFW_KERNEL_PTABLE_PMT_TAG)) !=
				   SIZE_MAX;
		return;
	}
	r->have_kmap = true;
	size_t pos = at + tlen;
	while (pos < len && img[pos] != '\0') {
		size_t end = pos;
		while (end < len && img[end] != '\n' && img[end] != '\0' && end - pos < 128)
			end++;
		if (end >= len || img[end] != '\n')
			return; /* an unterminated or over-long line ends the map */
		char line[129];
		memcpy(line, img + pos, end - pos);
		line[end - pos] = '\0';
		struct unifw_kernel_kmap_entry e;
		if (!kmap_line(line, &e))
			return;
		if (r->kmap_count == UNIFW_KERNEL_KMAP_MAX) {
			r->kmap_truncated = true;
			return;
		}
		r->kmap[r->kmap_count++] = e;
		pos = end + 1;
	}
}

static void find_ccci(const uint8_t *img, size_t len, struct unifw_kernel_records *r)
{
	const size_t tlen = strlen(UNIFW_KERNEL_CCCI_TAG);
	size_t at = unifw_memfind(img, len, 0, UNIFW_KERNEL_CCCI_TAG, tlen);
	if (at == SIZE_MAX)
		return;
	char line[64];
	size_t n = 0;
	for (size_t i = at + tlen; i < len && img[i] != '\n' && n + 1 < sizeof line; i++)
		line[n++] = (char)img[i];
	line[n] = '\0';
	char type[8];
	unsigned long long reserved;
	int used = 0;
	if (sscanf(line, "%7s 0x%llx%n", type, &reserved, &used) != 2 || line[used] != '\0' || reserved > UINT32_MAX)
		return;
	r->have_ccci = true;
	snprintf(r->md1_type, sizeof r->md1_type, "%s", type);
	r->md1_reserved = (uint32_t)reserved;
}

void unifw_kernel_find_records(const uint8_t *img, size_t len, struct unifw_kernel_records *out)
{
	memset(out, 0, sizeof *out);
	if (!img)
		return;
	find_kmap(img, len, out);
	find_ccci(img, len, out);
}
