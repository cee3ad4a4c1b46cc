/* unifw identity: the identity vault and the phone's own identity (docs/identity.md). One dispatcher; the
 * vault side (backup, list, prune, show) is in cmd_identity_vault.c, the writing side (restore, set-mac,
 * set-bt) in cmd_identity_write.c. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct identity_sub {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct identity_sub subs[] = {
	{"backup", cmd_identity_backup, "a new vault entry: NVRAM, PRO_INFO, PROTECT_F/S, /nvram of USRDATA"},
	{"list", cmd_identity_list, "phones and entries of the vault, with sizes"},
	{"prune", cmd_identity_prune, "free space; never a phone's oldest nor its newest entry"},
	{"show", cmd_identity_show, "identity health of a phone, a backup or an NVRAM image"},
	{"restore", cmd_identity_restore, "write the phone's own identity back from the vault or a backup"},
	{"set-mac", cmd_identity_set_mac, "change the WiFi MAC address in the BinRegion and /nvram"},
	{"set-bt", cmd_identity_set_bt, "change the Bluetooth address in the BinRegion and /nvram"},
};

static void identity_usage(FILE *out)
{
	fprintf(out, "usage: unifw identity <subcommand> [options]\n\nsubcommands:\n");
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		fprintf(out, "  %-8s %s\n", subs[i].name, subs[i].summary);
	fprintf(out, "\nRun 'unifw identity <subcommand> --help' for its options; docs/identity.md for details.\n"
		     "No subcommand ever writes, generates or alters an IMEI.\n");
}

int cmd_identity(int argc, char **argv)
{
	if (argc < 2) {
		identity_usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		identity_usage(stdout);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	return cli_usage_error("identity", "unknown subcommand '%s'", argv[1]);
}
