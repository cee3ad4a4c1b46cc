/* placeholder: being written */
#include <stdio.h>
#include "cli/cli.h"
int cmd_bootimg(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "unifw bootimg: not available yet\n"); return CLI_FAIL; }
