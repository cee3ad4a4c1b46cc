/* PLACEHOLDER of the session-5 skeleton, replaced by the restore work before it lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_read(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

int cmd_write(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

