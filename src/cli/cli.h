/* The unifw command line: a thin layer over libunifw. Each command lives in cmd_<name>.c. */
#ifndef UNIFW_CLI_H
#define UNIFW_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
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
/* cmd_partition.c: one partition read to a file / one image written */
int cmd_read(int argc, char **argv);
int cmd_write(int argc, char **argv);
/* cmd_identity.c dispatches to cmd_identity_vault.c (backup, list, prune, show) and cmd_identity_write.c
 * (restore, set-mac, set-bt) */
int cmd_identity(int argc, char **argv);
/* cmd_fingerprint.c, cmd_check.c (text and --json; --html: src/ops/check_html.c), cmd_catalog.c */
int cmd_fingerprint(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
/* cmd_port.c: unifw port (docs/port.md) */
int cmd_port(int argc, char **argv);
/* cmd_universal.c: unifw universal build (docs/universal.md) */
int cmd_universal(int argc, char **argv);
int cmd_identity_backup(int argc, char **argv);
int cmd_identity_list(int argc, char **argv);
int cmd_identity_prune(int argc, char **argv);
int cmd_identity_show(int argc, char **argv);
int cmd_identity_restore(int argc, char **argv);
int cmd_identity_set_mac(int argc, char **argv);
int cmd_identity_set_bt(int argc, char **argv);

/* Exit codes: 0 ok, 1 the job failed (bad input, device error), 2 usage error, 3 findings of severity error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_FINDINGS = 3 };

/* Errors. Text goes to stderr as "unifw: error: ..."; with --json (cli_set_json) the same error is also
 * one JSON object on stdout, {"type":"error","code","message","exit_status", and "file", "partition",
 * "offset" when the error names them} (docs/json.md "Errors"), unless the command already printed its
 * JSON document (cli_print_json) or its result event (cli_json_result), which then carries it. */
void cli_set_json(bool on);
bool cli_json(void);
/* Print err as above; returns status (the exit status the command ends with). */
int cli_fail(const struct unifw_error *err, int status);
/* cli_fail(err, CLI_FAIL). */
int cli_error(const struct unifw_error *err);
/* The JSON error object for err (the caller frees it). */
struct unifw_jv *cli_error_json(const struct unifw_error *err, int status);
/* A usage error: "unifw <cmd>: <message>" and "Try 'unifw <cmd> --help'." on stderr (and the JSON error
 * object, code "usage"); returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the command's JSON document (pretty, one object) on stdout; later errors then go to stderr only. */
void cli_print_json(const struct unifw_jv *doc);

/* --json of a file command: the module's description of path (input or output), as `unifw info --json`
 * gives it for that image type. */
struct unifw_stream;
typedef int (*cli_describe_fn)(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);
int cli_print_description(const char *path, cli_describe_fn describe);

/* Option parsing: getopt_long (permuting, "--" ends options, bundled short options, --opt=value and
 * --opt value) with one wording for an unknown option, a missing value or an ambiguous prefix. */
enum { CLI_OPT_ERROR = -2 }; /* cli_getopt_next: a usage error was printed; the command exits 2 */
struct cli_getopt {
	const char *cmd; /* "backup", "scatter validate": named in messages */
	int argc;
	char **argv;
	const struct option *longopts;
	char spec[64];
	const char *arg; /* the value of the option just returned */
	int optind;      /* after -1: the first operand is argv[optind] (operands are moved to the end) */
};
/* Parse argv[1..]: argv[0] is the command (or subcommand) name. */
void cli_getopt_init(struct cli_getopt *g, const char *cmd, int argc, char **argv, const char *shortopts,
		     const struct option *longopts);
/* The next option (its short letter or long option's val), -1 after the last, CLI_OPT_ERROR. */
int cli_getopt_next(struct cli_getopt *g);
/* "--name" of option value c (for messages). */
const char *cli_getopt_name(const struct cli_getopt *g, int c);

/* Sizes: every size option takes a decimal or 0x hex number with an optional suffix K, M, G or T (upper
 * or lower case, binary: K = 1024; "KiB"/"KB" spellings too), at most max. False for anything else:
 * a sign, blanks, trailing text, a number out of range (checked before the suffix's shift, which could
 * wrap). The rules are documented once, in unifw(1) "SIZES". */
bool cli_parse_size(const char *s, uint64_t max, uint64_t *out);
/* Human report of a JSON tree (render.c). */
void cli_render_human(FILE *out, const struct unifw_jv *report);
/* Progress for device commands (progress_render.c): bars on a terminal (stderr) sized to its width
 * (TIOCGWINSZ, else $COLUMNS, else 80), quiet lines when stderr is not a terminal, JSON event lines on
 * stdout with --json. UNIFW_PROGRESS=bars|lines forces. */
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
/* The bar line for a terminal of cols columns at time now (unifw_mono_s): at most cols - 1 characters
 * (never the last column, where a terminal may wrap), the bar shrunk or dropped to fit; the text is
 * drawn after "\r" and followed by EL (ESC [ K). Returns its length. */
size_t cli_progress_format(const struct cli_progress *p, unsigned cols, double now, char *buf, size_t cap);
/* --json: the last line, {"event":"result","ok":true|false,"error":{...},"result":{...}}; returns the exit
 * code (CLI_FAIL when err). "error" is cli_error_json's object with status as its exit_status. */
int cli_json_result(const struct unifw_jv *result, const struct unifw_error *err);
int cli_json_result_status(const struct unifw_jv *result, const struct unifw_error *err, int status);

/* Phone options shared by the device commands (--port, --da, --preloader, --wait, --no-high-speed,
 * --trace): CLI_PHONE_SHORTOPTS and CLI_PHONE_LONGOPTS go into the command's getopt tables;
 * cli_phone_opt: 1 = c was a phone option (stored), 0 = not one, CLI_OPT_ERROR = usage error printed
 * (a malformed --port spec included). */
struct cli_phone_args {
	const char *port, *da, *preloader, *trace;
	bool no_high_speed;
	unsigned wait_s;
};
enum { CLI_OPT_DA = 0x100, CLI_OPT_PRELOADER, CLI_OPT_TRACE, CLI_OPT_NO_HIGH_SPEED, CLI_OPT_WAIT, CLI_OPT_OWN = 0x200 };
#define CLI_PHONE_SHORTOPTS "p:"
#define CLI_PHONE_LONGOPTS                                                                                  \
	{"port", required_argument, NULL, 'p'}, {"da", required_argument, NULL, CLI_OPT_DA},                \
		{"preloader", required_argument, NULL, CLI_OPT_PRELOADER},                                  \
		{"trace", required_argument, NULL, CLI_OPT_TRACE},                                          \
		{"no-high-speed", no_argument, NULL, CLI_OPT_NO_HIGH_SPEED},                                \
		{"wait", required_argument, NULL, CLI_OPT_WAIT}
int cli_phone_opt(const struct cli_getopt *g, int c, struct cli_phone_args *a);
void cli_phone_opts(const struct cli_phone_args *a, const struct unifw_progress *p, struct unifw_phone_open_opts *o);
extern const char cli_phone_usage[];

#endif
