/* unifw universal build (unifw/universal.h). PLACEHOLDER: the helper BUILD implements it. */
#include "unifw/universal.h"

#include <stdlib.h>
#include <string.h>

int unifw_univ_build(const struct unifw_univ_opts *o, struct unifw_univ_result *r, struct unifw_error *err)
{
	memset(r, 0, sizeof *r);
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, o->out_dir, UNIFW_NO_OFFSET, "not implemented yet");
}

void unifw_univ_result_free(struct unifw_univ_result *r)
{
	free(r->refusal);
	unifw_probe_table_free(&r->table);
	memset(r, 0, sizeof *r);
}
