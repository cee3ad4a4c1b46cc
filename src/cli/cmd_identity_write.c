/* PLACEHOLDER of the session-5 skeleton, replaced by the identity-write work before it lands. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_identity_restore(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

int cmd_identity_set_mac(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

int cmd_identity_set_bt(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "unifw: error: %s is not available yet\n", argv[0]);
	return CLI_FAIL;
}

