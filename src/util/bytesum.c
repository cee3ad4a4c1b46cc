#include "util/bytesum.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The sum runs over every byte of a backup or flash, on both ends of the link. With SSE2 (every x86-64)
 * PSADBW adds 16 bytes into two 64-bit lanes per instruction (no overflow for any size), four
 * accumulators deep so the adds do not wait on each other; elsewhere the even and odd bytes of a
 * 64-bit word go into four 16-bit lanes (at most 2 x 255 per word, so 128 words fit a lane), folded
 * into the total every 128 words. */
#ifdef __SSE2__
static uint64_t bytesum_bulk(const uint8_t *p, size_t n, size_t *done)
{
	const __m128i zero = _mm_setzero_si128();
	__m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
	size_t i = 0;
	for (; n - i >= 64; i += 64) {
		a0 = _mm_add_epi64(a0, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + i)), zero));
		a1 = _mm_add_epi64(a1, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + i + 16)), zero));
		a2 = _mm_add_epi64(a2, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + i + 32)), zero));
		a3 = _mm_add_epi64(a3, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(p + i + 48)), zero));
	}
	uint64_t lanes[2];
	_mm_storeu_si128((__m128i *)lanes, _mm_add_epi64(_mm_add_epi64(a0, a1), _mm_add_epi64(a2, a3)));
	*done = i;
	return lanes[0] + lanes[1];
}
#else
static uint64_t bytesum_bulk(const uint8_t *p, size_t n, size_t *done)
{
	const uint64_t even = 0x00FF00FF00FF00FFull;
	uint64_t total = 0;
	size_t i = 0;
	while (n - i >= 8) {
		size_t words = (n - i) / 8;
		uint64_t lanes = 0;
		if (words > 128)
			words = 128;
		for (size_t k = 0; k < words; k++, i += 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			lanes += (w & even) + ((w >> 8) & even);
		}
		total += (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) + ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
	}
	*done = i;
	return total;
}
#endif

uint16_t unifw_bytesum16(const uint8_t *p, size_t n, uint16_t start)
{
	size_t i;
	uint64_t total = start + bytesum_bulk(p, n, &i);
	for (; i < n; i++)
		total += p[i];
	return (uint16_t)total;
}
