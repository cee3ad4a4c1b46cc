/* unifw devices [--json]: MediaTek USB devices and ttyACM ports visible now (transport.h
 * unifw_devices_list), with their download mode and a --port string that opens each. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/transport.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: unifw devices [--json] [--no-usb]\n\n"
		     "List connected MediaTek phones: USB devices (libusb) and /dev/ttyACM* ports whose USB parent\n"
		     "has a MediaTek or download-mode id, with their mode (brom 0e8d:0003, preloader 0e8d:2000,\n"
		     "da 0e8d:2001) and the --port string to use.\n\n"
		     "  --json      one JSON object: {\"devices\":[{\"port\",\"kind\",\"vid\",\"pid\",\"mode\",\"bus\",\"address\",\"location\",\"product\"}]}\n"
		     "  --no-usb    do not ask libusb (ttyACM ports only)\n");
}

enum { OPT_JSON = CLI_OPT_OWN, OPT_NO_USB };

static const struct option longopts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"no-usb", no_argument, NULL, OPT_NO_USB},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct unifw_port_options *opt, bool *json)
{
	struct cli_getopt g;
	int c;
	cli_getopt_init(&g, "devices", argc, argv, "h", longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR)
			return CLI_USAGE;
		if (c == OPT_JSON)
			*json = true;
		else if (c == OPT_NO_USB)
			opt->no_usb = true;
		else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("devices", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind < argc)
		return cli_usage_error("devices", "unexpected argument '%s'", argv[g.optind]);
	return 0;
}

int cmd_devices(int argc, char **argv)
{
	bool json = false;
	struct unifw_port_options opt = {0};
	int prc = parse(argc, argv, &opt, &json);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	struct unifw_device *list = NULL;
	size_t n = 0;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_devices_list(&opt, &list, &n, &err) < 0)
		return cli_error(&err);
	if (json) {
		struct unifw_jv *o = unifw_jv_object();
		unifw_jv_set_str(o, "type", "devices");
		struct unifw_jv *arr = unifw_jv_set_arr(o, "devices");
		for (size_t i = 0; i < n; i++) {
			struct unifw_jv *d = unifw_jv_push_obj(arr);
			unifw_jv_set_str(d, "type", "device");
			unifw_jv_set_str(d, "port", list[i].port);
			unifw_jv_set_str(d, "kind", unifw_port_kind_name(list[i].kind));
			unifw_jv_set_hex(d, "vid", list[i].vid);
			unifw_jv_set_hex(d, "pid", list[i].pid);
			unifw_jv_set_str(d, "mode", unifw_usb_mode_name(list[i].mode));
			unifw_jv_set_uint(d, "bus", list[i].bus);
			unifw_jv_set_uint(d, "address", list[i].addr);
			unifw_jv_set_str(d, "location", list[i].location);
			unifw_jv_set_str(d, "product", list[i].product);
		}
		unifw_jv_write(o, stdout, true);
		fputc('\n', stdout);
		unifw_jv_free(o);
	} else if (n == 0) {
		printf("No MediaTek device found. Plug in the powered-off phone (it shows up for a moment as the\n"
		       "preloader, 0e8d:2000; hold a volume key for BROM mode, 0e8d:0003), or see docs/udev.md.\n");
	} else {
		printf("%-22s %-5s %-9s %-10s %-10s %s\n", "port", "kind", "id", "mode", "location", "product");
		for (size_t i = 0; i < n; i++)
			printf("%-22s %-5s %04x:%04x %-10s %-10s %s\n", list[i].port, unifw_port_kind_name(list[i].kind),
			       list[i].vid, list[i].pid, unifw_usb_mode_name(list[i].mode), list[i].location,
			       list[i].product);
	}
	unifw_devices_free(list);
	return CLI_OK;
}
