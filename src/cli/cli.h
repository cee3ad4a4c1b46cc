/* The unifw command line: a thin layer over libunifw. Each command lives in cmd_<name>.c. */
#ifndef UNIFW_CLI_H
#define UNIFW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "unifw/error.h"
#include "unifw/json.h"

int cmd_info(int argc, char **argv);
int cmd_scatter(int argc, char **argv);
int cmd_bootimg(int argc, char **argv);
int cmd_logo(int argc, char **argv);

/* Exit codes: 0 ok, 1 the job failed (bad input, device error), 2 usage error, 3 findings of severity error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_FINDINGS = 3 };

/* Print "unifw: <formatted error>" to stderr, returns CLI_FAIL. */
int cli_error(const struct unifw_error *err);
/* Print a usage error to stderr, returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Human report of a JSON tree (render.c). */
void cli_render_human(FILE *out, const struct unifw_jv *report);
/* True when stdout is a terminal (colours, bars). */
bool cli_is_tty(void);

#endif
