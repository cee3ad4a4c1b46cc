/* placeholder: being written */
#include <stdio.h>
#include "cli/cli.h"
int cmd_info(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "unifw info: not available yet\n"); return CLI_FAIL; }
