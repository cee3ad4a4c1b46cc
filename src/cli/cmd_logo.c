/* placeholder: being written */
#include <stdio.h>
#include "cli/cli.h"
int cmd_logo(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "unifw logo: not available yet\n"); return CLI_FAIL; }
