/* unifw port UNIVERSAL --stock BACKUP_DIR -o OUT_DIR [--json] [--html FILE] (docs/port.md).
 * Placeholder of the session-7 skeleton. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/port.h"

int cmd_port(int argc, char **argv)
{
	struct unifw_error err;
	struct unifw_port_result r;
	struct unifw_port_opts o = {.base = argc > 1 ? argv[1] : NULL};
	unifw_error_clear(&err);
	int rc = unifw_port_run(&o, &r, &err);
	unifw_port_result_free(&r);
	return rc ? cli_error(&err) : CLI_OK;
}
