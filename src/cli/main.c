/* unifw: universal-firmware toolkit for MediaTek MT6572 phones — command dispatcher. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"info", cmd_info, "describe a firmware package, backup folder or image (--json)"},
	{"scatter", cmd_scatter, "validate | show | convert a scatter file"},
	{"bootimg", cmd_bootimg, "unpack | repack an Android boot/recovery image"},
	{"logo", cmd_logo, "unpack | repack logo.bin frames as PNG"},
	{"sparse", cmd_sparse, "to-raw | to-sparse: Android sparse images"},
	{"devices", cmd_devices, "list connected MediaTek phones and their ports (--json)"},
	{"identify", cmd_identify, "what the connected phone is: chip, eMMC, DRAM, partitions (--json)"},
	{"backup", cmd_backup, "read boot1 and every partition into a folder (--resume, --skip-empty)"},
	{"format", cmd_format, "erase partitions after a plan and an identity backup"},
	{"flash", cmd_flash, "write a firmware package: plan, checks, identity backup, verified, resumable"},
	{"reboot", cmd_reboot, "boot the connected phone normally"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: unifw <command> [options]\n\n"
		     "Universal-firmware toolkit for MediaTek MT6572 phones.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'unifw <command> --help' for a command's options; 'man unifw' for details.\n");
}

int cli_error(const struct unifw_error *err)
{
	char buf[1024];
	fprintf(stderr, "unifw: error: %s\n", unifw_error_format(err, buf, sizeof buf));
	return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "unifw %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'unifw %s --help'.\n", cmd);
	return CLI_USAGE;
}

bool cli_parse_bytes(const char *s, bool units, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned shift = 0;
	errno = 0;
	if (strchr(s, '-')) /* strtoull would take "-1" as its two's complement */
		return false;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (units && (*end == 'K' || *end == 'k'))
		shift = 10, end++;
	else if (units && (*end == 'M' || *end == 'm'))
		shift = 20, end++;
	else if (units && (*end == 'G' || *end == 'g'))
		shift = 30, end++;
	else if (units && (*end == 'T' || *end == 't'))
		shift = 40, end++;
	if (*end || v > (max >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
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
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "unifw: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
