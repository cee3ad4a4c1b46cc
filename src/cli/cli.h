/* The unifw command line: a thin layer over libunifw. Each command lives in cmd_<name>.c. */
#ifndef UNIFW_CLI_H
#define UNIFW_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "unifw/error.h"
#include "unifw/json.h"
#include "unifw/phone.h"
#include "unifw/progress.h"

int cmd_info(int argc, char **argv);
int cmd_scatter(int argc, char **argv);
int cmd_bootimg(int argc, char **argv);
int cmd_logo(int argc, char **argv);
int cmd_sparse(int argc, char **argv);
/* device commands (the jobs helper): cmd_identify.c, cmd_devices.c, cmd_backup.c, cmd_format.c, cmd_reboot.c */
int cmd_identify(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_format(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
/* cmd_flash.c (the flash helper) */
int cmd_flash(int argc, char **argv);

/* Exit codes: 0 ok, 1 the job failed (bad input, device error), 2 usage error, 3 findings of severity error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_FINDINGS = 3 };

/* Print "unifw: <formatted error>" to stderr, returns CLI_FAIL. */
int cli_error(const struct unifw_error *err);
/* Print a usage error to stderr, returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Human report of a JSON tree (render.c). */
void cli_render_human(FILE *out, const struct unifw_jv *report);
/* A byte count from the command line: decimal or 0x hex, with units a K, M, G or T suffix (KiB...TiB), at most
 * max. False for anything else: a sign, trailing text, a number out of range (checked before the
 * suffix's shift, which could wrap). */
bool cli_parse_bytes(const char *s, bool units, uint64_t max, uint64_t *out);

/* Progress for device commands (progress_render.c): bars on a terminal (stderr), quiet lines when
 * stderr is not a terminal, JSON event lines on stdout with --json. UNIFW_PROGRESS=bars|lines forces. */
enum cli_progress_mode { CLI_PROGRESS_BARS, CLI_PROGRESS_LINES, CLI_PROGRESS_JSON };
struct cli_progress {
	struct unifw_progress cb;
	enum cli_progress_mode mode;
	char step[32], item[80];
	uint64_t total, done, done0;
	bool first_update, bar_drawn;
	double t0, last_draw, last_json;
	unsigned last_decile;
};
void cli_progress_init(struct cli_progress *p, bool json);
const struct unifw_progress *cli_progress_cb(struct cli_progress *p);
/* --json: the last line, {"event":"result","ok":true|false,"error":{...},"result":{...}}; returns the exit code. */
int cli_json_result(const struct unifw_jv *result, const struct unifw_error *err);

/* Phone options shared by the device commands (--port, --da, --preloader, --wait, --no-high-speed,
 * --trace). cli_phone_arg: 1 = argv[*i] (and its value) consumed, 0 = not a phone option, -1 = usage
 * error already printed. */
struct cli_phone_args {
	const char *port, *da, *preloader, *trace;
	bool no_high_speed;
	unsigned wait_s;
};
int cli_phone_arg(const char *cmd, int argc, char **argv, int *i, struct cli_phone_args *a);
void cli_phone_opts(const struct cli_phone_args *a, const struct unifw_progress *p, struct unifw_phone_open_opts *o);
extern const char cli_phone_usage[];

#endif
