/* PLACEHOLDER of the session-5 skeleton, replaced by the vault work before it lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_identity_backup(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

int cmd_identity_list(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

int cmd_identity_prune(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

int cmd_identity_show(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

