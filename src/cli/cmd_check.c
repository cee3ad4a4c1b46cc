/* `unifw check`: placeholder of the issue-12 skeleton, replaced by the check helper (h-check). */
#include <stdio.h>

#include "cli.h"

int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "unifw check: not built yet\n");
	return 1;
}
