/* unifw: universal-firmware toolkit for MediaTek MT6572 phones — command dispatcher. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "unifw/config.h"
#include "unifw/io.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	bool phone; /* talks to a phone: reads the configuration file (da, port) */
};

static const struct command commands[] = {
	{"info", cmd_info, "describe a firmware package, backup folder or image (--json)"},
	{"scatter", cmd_scatter, "validate | show | convert a scatter file"},
	{"bootimg", cmd_bootimg, "unpack | repack an Android boot/recovery image"},
	{"logo", cmd_logo, "unpack | repack logo.bin frames as PNG"},
	{"sparse", cmd_sparse, "to-raw | to-sparse: Android sparse images"},
	{"devices", cmd_devices, "list connected MediaTek phones and their ports (--json)"},
	{"identify", cmd_identify, "what the connected phone is: chip, eMMC, DRAM, partitions (--json)", true},
	{"backup", cmd_backup, "read boot1 and every partition into a folder (--resume, --skip-empty)", true},
	{"format", cmd_format, "erase partitions after a plan and an identity backup", true},
	{"flash", cmd_flash, "write a firmware package: plan, checks, identity backup, verified, resumable", true},
	{"read", cmd_read, "read one partition into a file (Android names accepted)", true},
	{"write", cmd_write, "write one image into one partition: plan, identity rules, verified", true},
	{"identity", cmd_identity, "the identity vault: backup, list, prune, show, restore, set-mac, set-bt", true},
	{"fingerprint", cmd_fingerprint, "what a package, backup or phone is, in the terms check compares (--json)", true},
	{"check", cmd_check, "will this firmware work on this phone: verdicts with evidence (--json, --html)", true},
	{"port", cmd_port, "a phone-matched firmware from a universal base and the phone's backup, every choice explained", false},
	{"universal", cmd_universal, "one image for many phones: build it from a base and the phones' backups (probe + overlays)", false},
	{"catalog", cmd_catalog, "index packages and backups (SQLite); rank them for a phone: add, list, show, match", true},
	{"reboot", cmd_reboot, "boot the connected phone normally", true},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: unifw <command> [options]\n\n"
		     "Universal-firmware toolkit for MediaTek MT6572 phones.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'unifw <command> --help' for a command's options; 'man unifw' for details (option\n"
		     "syntax, sizes such as 4G, --json errors, the configuration file).\n");
}

/* --- errors: one place prints them, as text and, with --json, as a JSON object --------------------- */

static bool json_mode, json_printed;

void cli_set_json(bool on) { json_mode = on; }
bool cli_json(void) { return json_mode; }

void cli_print_json(const struct unifw_jv *doc)
{
	unifw_jv_write(doc, stdout, true);
	fputc('\n', stdout);
	fflush(stdout);
	json_printed = true;
}

/* What `where` names: a partition name is upper case (scatter and PMT names: NVRAM, EMMC_BOOT_1), a file
 * has a '/' or a '.', or exists; anything else (e.g. "--port", "plan") stays only in "where". */
static const char *where_kind(const char *w)
{
	bool upper = true;
	for (const char *c = w; *c; c++)
		upper &= (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_';
	if (upper && w[0] >= 'A' && w[0] <= 'Z')
		return "partition";
	if (strchr(w, '/') || (strchr(w, '.') && w[0] != '-') || access(w, F_OK) == 0)
		return "file";
	return NULL;
}

struct unifw_jv *cli_error_json(const struct unifw_error *err, int status)
{
	char buf[1024];
	struct unifw_jv *e = unifw_jv_object();
	unifw_jv_set_str(e, "type", "error");
	unifw_jv_set_str(e, "code", status == CLI_USAGE && !err->code ? "usage" : unifw_status_name(err->code));
	unifw_jv_set_str(e, "message", err->msg);
	unifw_jv_set_int(e, "exit_status", status);
	if (err->where[0]) {
		const char *kind = where_kind(err->where);
		unifw_jv_set_str(e, "where", err->where);
		if (kind)
			unifw_jv_set_str(e, kind, err->where);
	}
	if (err->offset != UNIFW_NO_OFFSET)
		unifw_jv_set_hex(e, "offset", err->offset);
	unifw_jv_set_str(e, "text", unifw_error_format(err, buf, sizeof buf));
	return e;
}

static void print_json_error(const struct unifw_error *err, int status)
{
	if (!json_mode || json_printed)
		return;
	struct unifw_jv *e = cli_error_json(err, status);
	unifw_jv_write(e, stdout, false); /* compact: one line, after any event lines */
	fflush(stdout);
	unifw_jv_free(e);
	json_printed = true;
}

int cli_fail(const struct unifw_error *err, int status)
{
	char buf[1024];
	fprintf(stderr, "unifw: error: %s\n", unifw_error_format(err, buf, sizeof buf));
	print_json_error(err, status);
	return status;
}

int cli_error(const struct unifw_error *err) { return cli_fail(err, CLI_FAIL); }

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	struct unifw_error err;
	va_list ap;
	unifw_error_clear(&err);
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof err.msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "unifw %s: %s\nTry 'unifw %s --help'.\n", cmd, err.msg, cmd);
	err.code = 0;
	print_json_error(&err, CLI_USAGE);
	return CLI_USAGE;
}

int cli_print_description(const char *path, cli_describe_fn describe)
{
	struct unifw_stream s;
	struct unifw_error err;
	struct unifw_jv *o = unifw_jv_object();
	unifw_error_clear(&err);
	int rc = unifw_stream_open_file(&s, path, &err);
	if (rc == 0) {
		rc = describe(&s, o, &err);
		unifw_stream_close(&s);
	}
	if (rc == 0)
		cli_print_json(o);
	unifw_jv_free(o);
	return rc ? cli_error(&err) : CLI_OK;
}

/* A broken configuration file is an error before the command runs (it names the file and line), not a
 * setting silently dropped; --help still works. */
static int run(const struct command *c, int argc, char **argv)
{
	bool help = false;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		help |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
		if (!strcmp(argv[i], "--json"))
			cli_set_json(true);
	}
	struct unifw_error err;
	unifw_error_clear(&err);
	if (c->phone && !help && unifw_config_check(&err) < 0)
		return cli_error(&err);
	return c->run(argc, argv);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("unifw 0.1.0\n");
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			return run(&commands[i], argc - 1, argv + 1);
	if (argv[1][0] == '-') /* the same wording as every command's option errors */
		fprintf(stderr, "unifw: unknown option '%s'\n\n", argv[1]);
	else
		fprintf(stderr, "unifw: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
