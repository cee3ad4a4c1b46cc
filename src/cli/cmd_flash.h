/* unifw write shares unifw flash's session (cmd_flash.c): the plan shown, the question, the execution,
 * the result and the resume line, for one image into one partition. */
#ifndef UNIFW_CLI_CMD_FLASH_H
#define UNIFW_CLI_CMD_FLASH_H

int cmd_flash_write(int argc, char **argv);

#endif
