/* The legacy DA core's test helpers (test_da_boot.c, test_da_cmd.c): a core, an operation run over a
 * recorded transcript (proto_script.h), its error message, and a data pattern. */
#ifndef UNIFW_TEST_DA_SCRIPT_H
#define UNIFW_TEST_DA_SCRIPT_H

#include <stdlib.h>

#include "proto_script.h"
#include "unifw/da_legacy.h"

static inline struct unifw_da *new_da(void)
{
	struct unifw_da *da = unifw_da_new();
	assert_non_null(da);
	return da;
}

static inline int run_op(struct unifw_da *da, struct script *s, int begin_rc, size_t chunk)
{
	if (begin_rc)
		return begin_rc;
	return scr_run(s, unifw_da_proto(da), chunk);
}

static inline const char *errmsg(struct unifw_da *da)
{
	return unifw_proto_error(unifw_da_proto(da))->msg;
}

static inline uint8_t *pattern(size_t n, unsigned seed)
{
	uint8_t *d = malloc(n);
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 13 + seed + (i >> 9));
	return d;
}

#endif
