/* unifw-sim — the growing byte buffer the firmware builders write into (fw_build.h). */
#include <stdlib.h>
#include <string.h>

#include "fw_build.h"

static bool reserve(struct sim_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n <= b->cap - b->len)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	uint8_t *p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void sim_buf_put(struct sim_buf *b, const void *data, size_t n)
{
	if (n && reserve(b, n)) {
		memcpy(b->p + b->len, data, n);
		b->len += n;
	}
}

void sim_buf_zero(struct sim_buf *b, size_t n)
{
	if (n && reserve(b, n)) {
		memset(b->p + b->len, 0, n);
		b->len += n;
	}
}

void sim_buf_le32(struct sim_buf *b, uint32_t v)
{
	uint8_t w[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sim_buf_put(b, w, 4);
}

void sim_buf_str(struct sim_buf *b, const char *s) { sim_buf_put(b, s, strlen(s) + 1); }

void sim_buf_align(struct sim_buf *b, size_t a)
{
	if (a && b->len % a)
		sim_buf_zero(b, a - b->len % a);
}

void sim_buf_fill(struct sim_buf *b, struct sim_prng *r, size_t n)
{
	if (n && reserve(b, n)) {
		sim_prng_fill(r, b->p + b->len, n);
		b->len += n;
	}
}

int sim_buf_take(struct sim_buf *b, const char *what, uint8_t **out, size_t *len, struct unifw_error *err)
{
	if (b->failed) {
		free(b->p);
		*b = (struct sim_buf){ 0 };
		return unifw_error_set(err, UNIFW_E_NOMEM, what, UNIFW_NO_OFFSET, "out of memory building %s", what);
	}
	*out = b->p;
	*len = b->len;
	*b = (struct sim_buf){ 0 };
	return 0;
}
