/* unifw universal build --base PACKAGE --phone BACKUP... -o OUT (docs/universal.md). PLACEHOLDER: the
 * helper BUILD implements it. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_universal(int argc, char **argv)
{
	(void)argc, (void)argv;
	fputs("unifw universal: not implemented yet\n", stderr);
	return 1;
}
