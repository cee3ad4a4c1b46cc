/* Checked byte access for untrusted input.
 * Every read from a file or a device goes through these: a helper returns false (and reads
 * nothing) when [off, off+n) is not inside [0, len), so a bounds check cannot be forgotten. */
#ifndef UNIFW_UTIL_BYTES_H
#define UNIFW_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool unifw_in_bounds(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

static inline bool get_u8(const uint8_t *b, size_t len, uint64_t off, uint8_t *v)
{
	if (!unifw_in_bounds(len, off, 1))
		return false;
	*v = b[off];
	return true;
}

static inline bool get_le16(const uint8_t *b, size_t len, uint64_t off, uint16_t *v)
{
	if (!unifw_in_bounds(len, off, 2))
		return false;
	*v = (uint16_t)(b[off] | b[off + 1] << 8);
	return true;
}

static inline bool get_le32(const uint8_t *b, size_t len, uint64_t off, uint32_t *v)
{
	if (!unifw_in_bounds(len, off, 4))
		return false;
	*v = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 | (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
	return true;
}

static inline bool get_le64(const uint8_t *b, size_t len, uint64_t off, uint64_t *v)
{
	uint32_t lo, hi;
	if (!get_le32(b, len, off, &lo) || !get_le32(b, len, off + 4, &hi))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

static inline bool get_be16(const uint8_t *b, size_t len, uint64_t off, uint16_t *v)
{
	if (!unifw_in_bounds(len, off, 2))
		return false;
	*v = (uint16_t)(b[off] << 8 | b[off + 1]);
	return true;
}

static inline bool get_be32(const uint8_t *b, size_t len, uint64_t off, uint32_t *v)
{
	if (!unifw_in_bounds(len, off, 4))
		return false;
	*v = (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 | (uint32_t)b[off + 2] << 8 | (uint32_t)b[off + 3];
	return true;
}

static inline bool get_be64(const uint8_t *b, size_t len, uint64_t off, uint64_t *v)
{
	uint32_t hi, lo;
	if (!get_be32(b, len, off, &hi) || !get_be32(b, len, off + 4, &lo))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

static inline bool get_bytes(const uint8_t *b, size_t len, uint64_t off, void *dst, size_t n)
{
	if (!unifw_in_bounds(len, off, n))
		return false;
	memcpy(dst, b + off, n);
	return true;
}

/* Value-returning readers for fields inside a structure whose whole extent the caller already
 * bounds-checked: an out-of-range offset still reads as 0 instead of past the buffer. */
static inline uint16_t le16_at(const uint8_t *b, size_t len, uint64_t off)
{
	uint16_t v = 0;
	get_le16(b, len, off, &v);
	return v;
}

static inline uint32_t le32_at(const uint8_t *b, size_t len, uint64_t off)
{
	uint32_t v = 0;
	get_le32(b, len, off, &v);
	return v;
}

/* Unchecked writers: the caller owns a buffer it sized itself. */
static inline void put_le16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); }
static inline void put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v; b[1] = (uint8_t)(v >> 8); b[2] = (uint8_t)(v >> 16); b[3] = (uint8_t)(v >> 24);
}
static inline void put_le64(uint8_t *b, uint64_t v) { put_le32(b, (uint32_t)v); put_le32(b + 4, (uint32_t)(v >> 32)); }
static inline void put_be16(uint8_t *b, uint16_t v) { b[0] = (uint8_t)(v >> 8); b[1] = (uint8_t)v; }
static inline void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *b, uint64_t v) { put_be32(b, (uint32_t)(v >> 32)); put_be32(b + 4, (uint32_t)v); }

/* Overflow-checked arithmetic on sizes. */
static inline bool add_u64(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_add_overflow(a, b, r); }
static inline bool mul_u64(uint64_t a, uint64_t b, uint64_t *r) { return !__builtin_mul_overflow(a, b, r); }

/* Find needle in haystack starting at `from`; returns offset or SIZE_MAX. */
static inline size_t unifw_memfind(const uint8_t *hay, size_t len, size_t from, const void *needle, size_t nlen)
{
	if (nlen == 0 || from > len || len - from < nlen)
		return SIZE_MAX;
	const uint8_t *p = memmem(hay + from, len - from, needle, nlen);
	return p ? (size_t)(p - hay) : SIZE_MAX;
}

/* Value of one hex digit (0-9, a-f, A-F), or -1 for any other character (NUL included). */
static inline int unifw_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether all n bytes at p equal v (vacuously true for n == 0). */
static inline bool unifw_all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Length of a NUL-terminated string stored in a fixed field of n bytes (no NUL needed). */
static inline size_t unifw_fieldlen(const uint8_t *field, size_t n)
{
	const uint8_t *z = memchr(field, 0, n);
	return z ? (size_t)(z - field) : n;
}

/* Copy a fixed-size, possibly unterminated string field into a C string of cap bytes. */
static inline void unifw_copy_field(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t k = unifw_fieldlen(src, n);
	if (k >= cap)
		k = cap - 1;
	memcpy(dst, src, k);
	dst[k] = 0;
}

#endif
