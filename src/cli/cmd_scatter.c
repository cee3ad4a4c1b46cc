/* placeholder: being written */
#include <stdio.h>
#include "cli/cli.h"
int cmd_scatter(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "unifw scatter: not available yet\n"); return CLI_FAIL; }
