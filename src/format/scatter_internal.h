/* Scatter files: what the pieces of the scatter module share (scatter.c model and queries,
 * scatter_parse.c, scatter_write.c, scatter_validate.c, scatter_json.c). Private to src/format. */
#ifndef UNIFW_FORMAT_SCATTER_INTERNAL_H
#define UNIFW_FORMAT_SCATTER_INTERNAL_H

#include "unifw/scatter.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
static inline size_t text_start(const char *text, size_t len)
{
	return len >= 3 && !memcmp(text, UTF8_BOM, 3) ? 3 : 0;
}

static inline bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

static inline bool is_key_char(int c) { return isalnum(c) || c == '_'; }

static inline bool name_is(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

static inline bool part_is_preloader(const struct unifw_scatter_part *p) { return name_is(p->name, "PRELOADER"); }

static inline bool region_is_boot(const char *region) { return strncmp(region, "EMMC_BOOT", 9) == 0; }

static inline bool storage_is_nand(const struct unifw_scatter *sc) { return name_is(sc->storage, "NAND"); }

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
static inline bool next_line(const char *text, size_t len, size_t *pos, unsigned *no, struct line *ln)
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

static inline size_t skip_blanks(const struct line *ln, size_t i)
{
	while (i < ln->len && is_blank((unsigned char)ln->p[i]))
		i++;
	return i;
}

static inline bool line_is_comment(const struct line *ln)
{
	size_t i = skip_blanks(ln, 0);
	return i < ln->len && ln->p[i] == '#';
}

static inline bool line_is(const struct line *ln, const char *s)
{
	size_t i = skip_blanks(ln, 0);
	return ln->len - i == strlen(s) && !memcmp(ln->p + i, s, ln->len - i);
}

/* The block count of a 0xFFFFxxxx address. */
static inline uint64_t from_end_blocks(uint64_t addr) { return addr & 0xFFFF; }

/* blocks * block size, saturating (block_size comes from the file). */
static inline uint64_t blocks_bytes(uint64_t blocks, uint64_t block)
{
	uint64_t r;
	return mul_u64(blocks, block, &r) ? r : UINT64_MAX;
}

/* Entries in the same address space: since V1.1.2 the boot partitions have their own space (MT6592:
 * PRELOADER and MBR both at linear 0); in V1.1.1 and the flat forms everything is one linear space and
 * the user area simply starts after the boot region. */
static inline bool same_space(const struct unifw_scatter_part *a, const struct unifw_scatter_part *b)
{
	return region_is_boot(a->region) == region_is_boot(b->region);
}

enum conv { CONV_ZERO = 1, CONV_LINEAR = 2, CONV_USER = 4, CONV_ALL = 7 };

/* Conventions a partition's physical_start_addr is consistent with. */
static inline unsigned part_conventions(const struct unifw_scatter_part *p, uint64_t boot)
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

static inline bool part_has_physical(const struct unifw_scatter_part *p)
{
	/* 0xFFFFxxxx entries copy the linear value (or 0) in every convention, boot partitions are at 0. */
	return (p->keys & KEY(UNIFW_SCATTER_K_PHYSICAL)) && !unifw_scatter_addr_is_from_end(p->linear_start) &&
	       !region_is_boot(p->region);
}

static inline unsigned physical_conventions(const struct unifw_scatter *sc, bool *any)
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

static inline const char *conv_name(unsigned c)
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

/* ptgen writes addresses as lower-case hex, but 0xFFFFxxxx with an upper-case FFFF ("0xFFFF00a8"). */
static inline const char *fmt_hex(uint64_t v, bool upper, char *buf, size_t n)
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

#endif
