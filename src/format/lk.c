/* lk.bin: container, load address, project/platform strings, LCM drivers
 * (include/unifw/lk.h, docs/format-boot.md). */
#include "unifw/lk.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define VECTORS 8u
#define LITERAL_POOL_END 0x200u
/* LK's MEMBASE on MT6572/MT6582 is 0x80020000 (checked on every corpus lk: the start.S literal pool
 * holds it); later chips link LK at 0x81E00000 / 0x41E00000. Tried when the pool gives nothing better. */
static const uint32_t default_bases[] = {0x80020000u, 0x81E00000u, 0x41E00000u};

/* "b <label>" (cond AL) or "ldr pc, [pc, #imm]": the two ways an ARM vector table is written. */
static bool vector_word(uint32_t w)
{
	return (w >> 24) == 0xEA || (w & 0xFFFFF000u) == 0xE59FF000u;
}

static bool has_vector_table(const uint8_t *p, size_t len)
{
	for (unsigned i = 0; i < VECTORS; i++) {
		uint32_t w;
		if (!get_le32(p, len, 4u * i, &w) || !vector_word(w))
			return false;
	}
	return true;
}

/* 4 KiB-aligned addresses in the literal pool after the vectors: start.S loads _start from there. */
static size_t pool_bases(const uint8_t *p, size_t len, uint32_t *out, size_t cap)
{
	size_t n = 0;
	for (uint64_t off = 4u * VECTORS; off + 4 <= LITERAL_POOL_END && n < cap; off += 4) {
		uint32_t w;
		if (!get_le32(p, len, off, &w) || (w & 0xFFFu) || w < 0x10000000u)
			continue;
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= out[i] == w;
		if (!dup)
			out[n++] = w;
	}
	return n;
}

static size_t scan_bases(const uint8_t *p, size_t len, const uint32_t *bases, size_t n, struct unifw_lk_info *lk,
			 struct unifw_names *known, struct unifw_names *unlisted, size_t best)
{
	for (size_t i = 0; i < n; i++) {
		memset(known, 0, sizeof *known);
		memset(unlisted, 0, sizeof *unlisted);
		size_t records = unifw_lcm_records_scan(p, len, bases[i], known, unlisted);
		if (records > best) {
			best = records;
			lk->load_address = bases[i];
			lk->lcm = *known;
			lk->lcm_unlisted = *unlisted;
		}
	}
	return best;
}

/* Addresses from the literal pool first; the usual MediaTek load addresses only when those explain
 * no LCM driver. */
static void find_lcm(const uint8_t *p, size_t len, struct unifw_lk_info *lk)
{
	uint32_t bases[8];
	size_t n = pool_bases(p, len, bases, 8);
	struct unifw_names *known = calloc(1, sizeof *known), *unlisted = calloc(1, sizeof *unlisted);

	if (known && unlisted) {
		size_t best = scan_bases(p, len, bases, n, lk, known, unlisted, 0);
		if (lk->lcm.count + lk->lcm_unlisted.count == 0)
			scan_bases(p, len, default_bases, sizeof default_bases / sizeof *default_bases, lk, known, unlisted,
				   best);
	}
	free(known);
	free(unlisted);
}

/* NUL-terminated identifier of [A-Za-z0-9_] at off, 2..63 bytes. */
static size_t ident_at(const uint8_t *p, size_t len, size_t off, char *out, size_t cap)
{
	size_t n = 0;
	while (off + n < len && n + 1 < cap && (isalnum(p[off + n]) || p[off + n] == '_'))
		n++;
	if (n < 2 || off + n >= len || p[off + n] != 0)
		return 0;
	memcpy(out, p + off, n);
	out[n] = '\0';
	return n;
}

/* fastboot publishes getvar "product" with the project name (upper case): the literal follows the
 * string "product" in .rodata, after NUL padding to the next 4-byte boundary. */
static void find_product(const uint8_t *p, size_t len, struct unifw_lk_info *lk)
{
	static const char key[] = "product"; /* with its NUL */
	size_t at = 0;
	while ((at = unifw_memfind(p, len, at, key, sizeof key)) != SIZE_MAX) {
		size_t v = at + sizeof key;
		while (v < len && p[v] == 0 && v - at < sizeof key + 8)
			v++;
		if ((at == 0 || p[at - 1] == 0) && ident_at(p, len, v, lk->product, sizeof lk->product)) {
			for (size_t i = 0; lk->product[i]; i++)
				lk->project[i] = (char)tolower((unsigned char)lk->product[i]);
			lk->project[strlen(lk->product)] = '\0';
			return;
		}
		at++;
	}
}

/* A whole string "mt<4 digits>...<_>...": the reference project the tree was cloned from. */
static void find_base_project(const uint8_t *p, size_t len, struct unifw_lk_info *lk)
{
	size_t at = 0;
	while ((at = unifw_memfind(p, len, at, "mt", 2)) != SIZE_MAX) {
		char s[64];
		size_t n;
		if ((at == 0 || p[at - 1] == 0) && (n = ident_at(p, len, at, s, sizeof s)) > 7 && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
		    strchr(s + 6, '_') && s[n - 1] != '_') {
			bool lower = true;
			for (size_t i = 0; i < n; i++)
				lower &= !isupper((unsigned char)s[i]);
			if (lower) {
				snprintf(lk->base_project, sizeof lk->base_project, "%s", s);
				return;
			}
		}
		at++;
	}
}

/* Source paths compiled into asserts/logs: "platform/mediatek/mt6572/lk/uart.c". */
static void find_platform(const uint8_t *p, size_t len, struct unifw_lk_info *lk)
{
	static const char key[] = "platform/mediatek/";
	size_t at = unifw_memfind(p, len, 0, key, sizeof key - 1);
	if (at == SIZE_MAX)
		return;
	at += sizeof key - 1;
	size_t n = 0;
	while (at + n < len && n + 1 < sizeof lk->platform && (isalnum(p[at + n])))
		n++;
	if (at + n < len && p[at + n] == '/' && n >= 4) {
		memcpy(lk->platform, p + at, n);
		lk->platform[n] = '\0';
	}
}

int unifw_lk_inspect(const uint8_t *buf, size_t len, const char *name, struct unifw_lk_info *lk,
		     struct unifw_error *err)
{
	int rc;
	memset(lk, 0, sizeof *lk);
	if (!name)
		name = "lk.bin";
	lk->payload_size = len;
	if (unifw_mtkhdr_is(buf, len)) {
		if ((rc = unifw_mtkhdr_parse(buf, len, len, &lk->mtk, err)) != 0) {
			unifw_error_where(err, name);
			return rc;
		}
		if (strcmp(lk->mtk.name, "LK"))
			return unifw_error_set(err, UNIFW_E_FORMAT, name, 8, "expected an MTK header named LK, found \"%s\"",
					       lk->mtk.name);
		if (lk->mtk.missing)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
					       "LK header says the payload is %u bytes, only %llu follow the header",
					       lk->mtk.dsize, (unsigned long long)lk->mtk.available);
		lk->has_mtk_header = true;
		lk->payload_offset = UNIFW_MTKHDR_SIZE;
		lk->payload_size = lk->mtk.dsize;
		lk->padding = lk->mtk.padding;
	}
	const uint8_t *p = buf + lk->payload_offset;
	size_t plen = (size_t)lk->payload_size;
	if (!has_vector_table(p, plen))
		return unifw_error_set(err, plen < 4 * VECTORS ? UNIFW_E_TRUNCATED : UNIFW_E_FORMAT, name,
				       lk->payload_offset,
				       "expected an ARM vector table (8 branch instructions) at the start of LK");
	find_lcm(p, plen, lk);
	find_product(p, plen, lk);
	find_base_project(p, plen, lk);
	find_platform(p, plen, lk);
	return 0;
}

static void set_str_or_null(struct unifw_jv *obj, const char *key, const char *s)
{
	if (s[0])
		unifw_jv_set_str(obj, key, s);
	else
		unifw_jv_set(obj, key, NULL);
}

void unifw_lk_info_to_json(const struct unifw_lk_info *lk, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "lk");
	unifw_jv_set_bool(obj, "has_mtk_header", lk->has_mtk_header);
	if (lk->has_mtk_header)
		unifw_mtkhdr_to_json(&lk->mtk, unifw_jv_set_obj(obj, "mtk_header"));
	unifw_jv_set_uint(obj, "payload_size", lk->payload_size);
	unifw_jv_set_uint(obj, "padding", lk->padding);
	if (lk->load_address)
		unifw_jv_set_hex(obj, "load_address", lk->load_address);
	else
		unifw_jv_set(obj, "load_address", NULL);
	set_str_or_null(obj, "platform", lk->platform);
	set_str_or_null(obj, "project", lk->project);
	set_str_or_null(obj, "product", lk->product);
	set_str_or_null(obj, "base_project", lk->base_project);
	unifw_jv_set(obj, "lcm_drivers", unifw_names_to_json(&lk->lcm));
	unifw_jv_set(obj, "lcm_drivers_unlisted", unifw_names_to_json(&lk->lcm_unlisted));
}

int unifw_lk_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf;
	size_t len;
	struct unifw_lk_info *lk;
	int rc = unifw_stream_read_all(s, UNIFW_LK_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	lk = malloc(sizeof *lk);
	if (!lk) {
		free(buf);
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	}
	rc = unifw_lk_inspect(buf, len, s->name, lk, err);
	if (rc == 0)
		unifw_lk_info_to_json(lk, obj);
	free(lk);
	free(buf);
	return rc;
}

bool unifw_lk_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	uint32_t bases[4];
	if (unifw_mtkhdr_has_name(head, head_len, "LK"))
		return true;
	/* raw: the vector table and an address in start.S's literal pool; LK images are 64 KiB-4 MiB */
	return total_size >= (64u << 10) && total_size <= (4u << 20) && has_vector_table(head, head_len) &&
	       pool_bases(head, head_len, bases, 4) > 0;
}
