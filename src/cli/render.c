/* placeholder: being written */
#include "cli/cli.h"
void cli_render_human(FILE *out, const struct unifw_jv *report) { unifw_jv_write(report, out, true); }
