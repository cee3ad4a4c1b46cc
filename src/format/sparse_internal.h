/* Android sparse images: what the pieces of the sparse module share (sparse.c reader and expand,
 * sparse_write.c, sparse_view.c). Private to src/format. */
#ifndef UNIFW_FORMAT_SPARSE_INTERNAL_H
#define UNIFW_FORMAT_SPARSE_INTERNAL_H

#include "unifw/sparse.h"

#include <stdint.h>

#define PIECE (1u << 20) /* RAW data is moved in pieces of at most this size */

int sparse_decode_chunk(const uint8_t ch[12], const struct unifw_sparse_header *h, uint64_t at, uint64_t out_blocks,
			uint32_t index, const char *name, struct unifw_sparse_chunk *c, struct unifw_error *err);
int sparse_end_check(const struct unifw_sparse_header *h, uint64_t out_blocks, uint64_t at, const char *name,
		     struct unifw_error *err);
void sparse_count_chunk(struct unifw_sparse_stats *st, const struct unifw_sparse_chunk *c);

#endif
