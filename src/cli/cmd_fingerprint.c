/* `unifw fingerprint`: placeholder of the issue-12 skeleton, replaced by the fingerprint helper (h-fp). */
#include <stdio.h>

#include "cli.h"

int cmd_fingerprint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "unifw fingerprint: not built yet\n");
	return 1;
}
