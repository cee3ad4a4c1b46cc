/* Private helper of the boot-chain modules (kernel, lk, bootimg, ramdisk): read what remains of a
 * stream into one malloc'd buffer, refusing more than max bytes. Caller frees *buf. */
#ifndef UNIFW_FORMAT_READALL_H
#define UNIFW_FORMAT_READALL_H

#include <stdint.h>
#include <stdlib.h>

#include "unifw/error.h"
#include "unifw/io.h"

static inline int unifw_stream_slurp(struct unifw_stream *s, uint64_t max, uint8_t **buf, size_t *len,
				     struct unifw_error *err)
{
	size_t cap, n = 0;
	uint8_t *p;

	*buf = NULL;
	*len = 0;
	if (s->size != UNIFW_SIZE_UNKNOWN && s->size > max)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, UNIFW_NO_OFFSET,
				       "file is %llu bytes; at most %llu bytes are read for this format",
				       (unsigned long long)s->size, (unsigned long long)max);
	cap = s->size != UNIFW_SIZE_UNKNOWN ? (size_t)s->size + 1 : 1u << 20;
	p = malloc(cap);
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory (%zu bytes)", cap);
	for (;;) {
		if (n == cap) {
			size_t ncap = cap * 2;
			uint8_t *q;
			if (cap > max) {
				free(p);
				return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, (uint64_t)n,
						       "input continues past %llu bytes, the limit for this format",
						       (unsigned long long)max);
			}
			q = realloc(p, ncap);
			if (!q) {
				free(p);
				return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
			}
			p = q;
			cap = ncap;
		}
		ssize_t r = unifw_stream_read(s, p + n, cap - n, err);
		if (r < 0) {
			free(p);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(p);
			return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, (uint64_t)max,
					       "input continues past %llu bytes, the limit for this format",
					       (unsigned long long)max);
		}
	}
	*buf = p;
	*len = n;
	return 0;
}

#endif
