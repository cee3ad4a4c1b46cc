/* unifw port: the driver (port.h). Placeholder of the session-7 skeleton. */
#include <stdlib.h>
#include <string.h>

#include "unifw/port.h"

int unifw_port_run(const struct unifw_port_opts *opts, struct unifw_port_result *r, struct unifw_error *err)
{
	memset(r, 0, sizeof *r);
	unifw_port_report_init(&r->report);
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, opts && opts->base ? opts->base : "port", UNIFW_NO_OFFSET,
			       "unifw port is not built yet");
}

void unifw_port_result_free(struct unifw_port_result *r)
{
	unifw_port_report_free(&r->report);
	unifw_jv_free(r->check);
	r->check = NULL;
}
