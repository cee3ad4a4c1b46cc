/* `unifw catalog`: placeholder of the issue-12 skeleton, replaced by the catalog helper (h-catalog). */
#include <stdio.h>

#include "cli.h"

int cmd_catalog(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "unifw catalog: not built yet\n");
	return 1;
}
