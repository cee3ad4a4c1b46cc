/* unifw universal build: the report (unifw/universal.h). PLACEHOLDER: the helper BUILD implements it. */
#include "unifw/universal.h"

struct unifw_jv *unifw_univ_result_to_json(const struct unifw_univ_result *r, const struct unifw_univ_opts *o)
{
	(void)r, (void)o;
	return unifw_jv_object();
}
