/* unifw-sim: the virtual MT6572 phone (docs/sim.md).
 *   unifw-sim (--socket PATH | --pty [--pty-link PATH]) [--mode brom|preloader] [--emmc FILE] ...
 *   unifw-sim make-da -o FILE [--raw DIR] [--hw-code HEX] */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot/install_package.h"
#include "cmd.h"
#include "device/dablob.h"
#include "device/emmc.h"
#include "device/sim_dev.h"
#include "serve.h"
#include "unifw/dafile.h"
#include "unifw/hash.h"
#include "unifw/io.h"

#define MAX_FAULTS 16
#define EXIT_USAGE 2

struct options {
	struct sim_serve_opts serve;
	enum sim_boot_mode mode;
	uint32_t window_ms;
	bool tool_present; /* --tool-present: READY every 20 ms while listening */
	const char *emmc;
	struct sim_emmc_geometry geom;
	bool size_set[SIM_PART_COUNT], cid_set, fwver_set;
	struct sim_personality pers;
	bool dram_id_set;
	struct {
		bool hw_code, hw_ver, hw_subcode, sw_ver, brom_ver, bl_ver, tcfg, dram_size, usb_speed;
	} set;
	struct sim_fault faults[MAX_FAULTS];
	size_t n_faults;
	uint64_t seed;
	bool trace;
	const char *trace_file;
	const struct sim_model *model; /* --model (its --unit), or the model named in the image footer */
	unsigned unit;                 /* --unit N; 0 = not given (unit 1 for a new image, any for an existing one) */
	struct sim_model unit_model;   /* --model's unit N, what model points to when --model is given */
	const char *verdict_file;      /* --verdict-file: the boot evaluation after FINISH as JSON */
	struct sim_emmc *emmc_open;    /* for the evaluation after FINISH */
	struct sim_dev *dev;           /* served: its power-on mode follows the boot verdict (brom_loop) */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: unifw-sim (--socket PATH | --pty [--pty-link PATH]) [options]\n"
		"       unifw-sim make-da -o FILE [--raw DIR] [--hw-code HEX]\n\n"
		"A virtual MediaTek MT6572 phone: BootROM or preloader, legacy DA, an eMMC image.\n\n"
		"  --mode brom|preloader     boot mode after every (re)connect (default preloader; BROM\n"
		"                            whatever it says while the flash's boot verdict is brom_loop)\n"
		"  --preloader-window MS     preloader listens MS for the handshake (default 2500 as a real\n"
		"                            MT6572 preloader, 0 = forever)\n"
		"  --tool-present            the preloader sends READY every 20 ms while it listens (as after\n"
		"                            the host's DTR; a pty or socket has none: default off)\n"
		"  --emmc FILE               eMMC image (created if absent; default: a temporary one)\n"
		"  --emmc-size SIZE          user area of a new image (default 3728M)\n"
		"  --boot-size SIZE          boot1 and boot2 of a new image (default 4M)\n"
		"  --rpmb-size SIZE          RPMB of a new image (default 4M)\n"
		"  --cid HEX                 eMMC CID, 32 hex digits (new image; must match an existing one)\n"
		"  --fwver HEX               eMMC firmware version, 16 hex digits (new image)\n"
		"  --dram-id HEX             ID of the phone's EMI entry (default: first 9 CID bytes)\n"
		"  --dram-size SIZE          DRAM size (default 512M)\n"
		"  --report2-cid HEX         a misbehaving DA: report 2 gives this CID (32 hex digits), report 1\n"
		"                            the eMMC's\n"
		"  --hw-code HEX --hw-ver HEX --hw-subcode HEX --sw-ver HEX --brom-ver HEX --bl-ver HEX\n"
		"  --target-config HEX       GET_TARGET_CONFIG value (bit1 SLA: SEND_DA is refused)\n"
		"  --usb-speed 0|1           USB_CHECK_STATUS answer (0: the host re-enumerates the DA)\n"
		"  --link fast|usb1|usb2     pace the link: usb1 ~1 MB/s; usb2 ~1 MB/s until the DA switches\n"
		"                            to high speed, then 20 MB/s reads, 8 MB/s writes (default fast)\n"
		"  --fault SPEC              inject a fault (repeatable; grammar in docs/sim.md)\n"
		"  --seed N                  seed for faults (default 1)\n"
		"  --trace                   log every protocol event to stderr\n"
		"  --trace-file FILE         ... or to FILE\n"
		"  --on-finish CMD           run CMD (sh -c) after FINISH; env UNIFW_SIM_EMMC, UNIFW_SIM_FINISH_MODE,\n"
		"                            UNIFW_SIM_VERDICT (the boot evaluation)\n"
		"  --exit-on-finish          stop after the first FINISH\n"
		"  --model NAME              a built-in phone (unifw-sim models): a new --emmc image is its factory\n"
		"                            state; sets CID, DRAM and hw version\n"
		"  --unit N                  with --model: phone N of the model (default 1): its own CID serial,\n"
		"                            WiFi MAC, BT address and NVRAM; an existing image must be that unit\n"
		"  --verdict-file FILE       after FINISH write the boot evaluation (JSON) to FILE\n\n"
		"       unifw-sim models | make-firmware | make-emmc | flash-package | erase | damage | boot\n"
		"                 (--help each)\n");
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "unifw-sim: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'unifw-sim --help'.\n");
	va_end(ap);
	return EXIT_USAGE;
}

/* --link: the rates the serving loop paces with, on stderr, for whoever measures against them
 * (bench/paced.sh reports unifw's throughput as a fraction of them). */
static void log_link_rates(enum sim_link_kind kind)
{
	if (kind == SIM_LINK_FAST)
		return;
	struct sim_link_speeds full = sim_link_speeds(kind, false), high = sim_link_speeds(kind, true);
	fprintf(stderr,
		"unifw-sim: link paced, bytes/s device to host / host to device: full speed %llu / %llu, "
		"high speed (after USB_SETUP_PORT or with --usb-speed 1) %llu / %llu\n",
		(unsigned long long)full.out_bps, (unsigned long long)full.in_bps, (unsigned long long)high.out_bps,
		(unsigned long long)high.in_bps);
}

static int fail(const struct unifw_error *err)
{
	char buf[1024];
	fprintf(stderr, "unifw-sim: error: %s\n", unifw_error_format(err, buf, sizeof buf));
	return 1;
}

/* ---------- value parsers ---------- */

static bool parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

static bool parse_hex_u(const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long x = strtoull(s, &end, 16);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

/* 123, 4K, 64M, 2G (binary units); cmd.h */
bool sim_parse_size(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long x = strtoull(s, &end, 0);
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (errno || (shift && end[1]) || (!shift && *end) || x > (UINT64_MAX >> shift))
		return false;
	*v = (uint64_t)x << shift;
	return true;
}

/* Exactly n bytes as 2n hex digits (max_n: up to that many, rest zero). */
static bool parse_hex_bytes(const char *s, uint8_t *out, size_t n, bool exact)
{
	size_t len = strlen(s);
	if (len % 2 || len == 0 || len / 2 > n || (exact && len / 2 != n))
		return false;
	memset(out, 0, n);
	for (size_t i = 0; i < len / 2; i++) {
		char pair[3] = { s[2 * i], s[2 * i + 1], 0 };
		char *end;
		out[i] = (uint8_t)strtoul(pair, &end, 16);
		if (*end)
			return false;
	}
	return true;
}

/* ---------- make-da ---------- */

/* The synthetic DA in the MTK_AllInOne_DA container layout (include/unifw/dafile.h): two entries,
 * a foreign chip first and the phone's chip second, so that a host has to select by hw_code like
 * it must with a real AllInOne file. Regions: 0 a placeholder, 1 DA1 (SRAM), 2 DA2 (DRAM). */
struct da_stage_blobs {
	uint8_t *da1, *da2;
	size_t l1, l2;
};

static bool build_stages(uint16_t hw_code, struct da_stage_blobs *s)
{
	s->da1 = sim_dablob_build(1, hw_code, SIM_MT6572_HW_VER, &s->l1);
	s->da2 = sim_dablob_build(2, hw_code, SIM_MT6572_HW_VER, &s->l2);
	return s->da1 && s->da2;
}

static int write_container(const char *path, uint16_t hw_code, const struct da_stage_blobs *mine,
			   const struct da_stage_blobs *other)
{
	static const uint8_t region0[0x100] = "unifw-sim synthetic DA: region 0 is unused";
	struct unifw_da_blob r_other[3] = {
		{ region0, sizeof region0, 0, 0 },
		{ other->da1, other->l1, SIM_DA1_ADDR, SIM_DA_SIG_LEN },
		{ other->da2, other->l2, SIM_DA2_ADDR, SIM_DA_SIG_LEN },
	};
	struct unifw_da_blob r_mine[3] = {
		{ region0, sizeof region0, 0, 0 },
		{ mine->da1, mine->l1, SIM_DA1_ADDR, SIM_DA_SIG_LEN },
		{ mine->da2, mine->l2, SIM_DA2_ADDR, SIM_DA_SIG_LEN },
	};
	uint16_t other_code = hw_code == 0x6580 ? SIM_MT6572_HW_CODE : 0x6580;
	struct unifw_da_build_entry e[2] = {
		{ .hw_code = other_code, .hw_sub_code = 0x8A00, .hw_ver = SIM_MT6572_HW_VER, .region_index = 1,
		  .regions = r_other, .region_count = 3 },
		{ .hw_code = hw_code, .hw_sub_code = 0x8A00, .hw_ver = SIM_MT6572_HW_VER, .region_index = 1,
		  .regions = r_mine, .region_count = 3 },
	};
	struct unifw_da_build b = { .version = "unifw-sim synthetic DA (contains no MediaTek code)", .entries = e,
				    .count = 2 };
	uint8_t *out = NULL;
	size_t len = 0;
	struct unifw_error err = { 0 };
	int rc = unifw_dafile_build(&b, &out, &len, &err);
	if (rc == 0)
		rc = unifw_file_write_atomic(path, out, len, &err);
	free(out);
	if (rc)
		return fail(&err);
	printf("%s: DA container, entries hw_code 0x%04x and 0x%04x (the sim's), %zu bytes\n", path, other_code,
	       hw_code, len);
	return 0;
}

static int write_raw(const char *dir, const struct da_stage_blobs *s)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "unifw-sim: cannot create %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char path[PATH_MAX];
	struct unifw_error err = { 0 };
	snprintf(path, sizeof path, "%s/unifw-sim-da1.bin", dir);
	int rc = unifw_file_write_atomic(path, s->da1, s->l1, &err);
	snprintf(path, sizeof path, "%s/unifw-sim-da2.bin", dir);
	if (rc == 0)
		rc = unifw_file_write_atomic(path, s->da2, s->l2, &err);
	return rc ? fail(&err) : 0;
}

static int cmd_make_da(int argc, char **argv)
{
	const char *out = NULL, *raw = NULL;
	uint64_t hw_code = SIM_MT6572_HW_CODE;
	static const struct option lo[] = { { "hw-code", required_argument, NULL, 'H' },
					    { "raw", required_argument, NULL, 'r' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'r') {
			raw = optarg;
		} else if (c == 'H') {
			if (!parse_hex_u(optarg, 0xFFFF, &hw_code))
				return usage_error("make-da: bad --hw-code '%s'", optarg);
		} else if (c == 'h') {
			printf("usage: unifw-sim make-da -o FILE [--raw DIR] [--hw-code HEX]\n"
			       "Writes the virtual phone's synthetic DA as an MTK_AllInOne_DA container (a foreign\n"
			       "entry, then the one for HW_CODE, default 6572); --raw also writes its two stages.\n");
			return 0;
		} else {
			return usage_error("make-da: bad option");
		}
	}
	if (!out && !raw)
		return usage_error("make-da: -o FILE (or --raw DIR) is required");
	struct da_stage_blobs mine = { 0 }, other = { 0 };
	int rc = 0;
	if (!build_stages((uint16_t)hw_code, &mine) ||
	    !build_stages(hw_code == 0x6580 ? SIM_MT6572_HW_CODE : 0x6580, &other)) {
		fprintf(stderr, "unifw-sim: out of memory\n");
		rc = 1;
	}
	if (rc == 0 && out)
		rc = write_container(out, (uint16_t)hw_code, &mine, &other);
	if (rc == 0 && raw)
		rc = write_raw(raw, &mine);
	free(mine.da1);
	free(mine.da2);
	free(other.da1);
	free(other.da2);
	return rc;
}

/* ---------- serve options ---------- */

enum {
	O_SOCKET = 256, O_PTY, O_PTY_LINK, O_MODE, O_WINDOW, O_EMMC, O_EMMC_SIZE, O_BOOT_SIZE, O_RPMB_SIZE, O_CID,
	O_FWVER, O_DRAM_ID, O_DRAM_SIZE, O_HW_CODE, O_HW_VER, O_HW_SUBCODE, O_SW_VER, O_BROM_VER, O_BL_VER, O_TCFG,
	O_USB_SPEED, O_LINK, O_FAULT, O_SEED, O_TRACE, O_TRACE_FILE, O_ON_FINISH, O_EXIT_ON_FINISH, O_MODEL, O_HELP,
	O_VERDICT_FILE, O_REPORT2_CID, O_TOOL_PRESENT, O_UNIT
};

static const struct option serve_opts[] = {
	{ "socket", required_argument, NULL, O_SOCKET }, { "pty", no_argument, NULL, O_PTY },
	{ "pty-link", required_argument, NULL, O_PTY_LINK }, { "mode", required_argument, NULL, O_MODE },
	{ "preloader-window", required_argument, NULL, O_WINDOW }, { "tool-present", no_argument, NULL, O_TOOL_PRESENT },
	{ "emmc", required_argument, NULL, O_EMMC },
	{ "emmc-size", required_argument, NULL, O_EMMC_SIZE }, { "boot-size", required_argument, NULL, O_BOOT_SIZE },
	{ "rpmb-size", required_argument, NULL, O_RPMB_SIZE }, { "cid", required_argument, NULL, O_CID },
	{ "fwver", required_argument, NULL, O_FWVER }, { "dram-id", required_argument, NULL, O_DRAM_ID },
	{ "dram-size", required_argument, NULL, O_DRAM_SIZE }, { "hw-code", required_argument, NULL, O_HW_CODE },
	{ "hw-ver", required_argument, NULL, O_HW_VER }, { "hw-subcode", required_argument, NULL, O_HW_SUBCODE },
	{ "sw-ver", required_argument, NULL, O_SW_VER }, { "brom-ver", required_argument, NULL, O_BROM_VER },
	{ "bl-ver", required_argument, NULL, O_BL_VER }, { "target-config", required_argument, NULL, O_TCFG },
	{ "usb-speed", required_argument, NULL, O_USB_SPEED }, { "link", required_argument, NULL, O_LINK },
	{ "fault", required_argument, NULL, O_FAULT },
	{ "seed", required_argument, NULL, O_SEED }, { "trace", no_argument, NULL, O_TRACE },
	{ "trace-file", required_argument, NULL, O_TRACE_FILE }, { "on-finish", required_argument, NULL, O_ON_FINISH },
	{ "exit-on-finish", no_argument, NULL, O_EXIT_ON_FINISH }, { "model", required_argument, NULL, O_MODEL },
	{ "verdict-file", required_argument, NULL, O_VERDICT_FILE }, { "unit", required_argument, NULL, O_UNIT },
	{ "report2-cid", required_argument, NULL, O_REPORT2_CID },
	{ "help", no_argument, NULL, O_HELP }, { NULL, 0, NULL, 0 },
};

static int set_part_size(struct options *o, const char *arg, unsigned p1, unsigned p2)
{
	uint64_t v;
	if (!sim_parse_size(arg, &v))
		return usage_error("bad size '%s' (expected e.g. 4M, 3728M, 0x400000)", arg);
	o->geom.size[p1] = v;
	o->size_set[p1] = true;
	if (p2) {
		o->geom.size[p2] = v;
		o->size_set[p2] = true;
	}
	return 0;
}

static int set_hex16(const char *arg, uint16_t *dst, bool *flag)
{
	uint64_t v;
	if (!parse_hex_u(arg, 0xFFFF, &v))
		return usage_error("bad 16-bit hex value '%s'", arg);
	*dst = (uint16_t)v;
	*flag = true;
	return 0;
}

static int set_hex8(const char *arg, uint8_t *dst, bool *flag)
{
	uint64_t v;
	if (!parse_hex_u(arg, 0xFF, &v))
		return usage_error("bad 8-bit hex value '%s'", arg);
	*dst = (uint8_t)v;
	*flag = true;
	return 0;
}

static int add_fault(struct options *o, const char *spec)
{
	if (o->n_faults == MAX_FAULTS)
		return usage_error("too many --fault options (at most 16)");
	struct unifw_error err = { 0 };
	if (sim_fault_parse(spec, &o->faults[o->n_faults], &err) != 0) {
		fail(&err);
		return EXIT_USAGE;
	}
	o->n_faults++;
	return 0;
}

static int parse_personality_opt(struct options *o, int c, const char *arg)
{
	struct sim_personality *p = &o->pers;
	uint64_t v;
	switch (c) {
	case O_HW_CODE: return set_hex16(arg, &p->hw_code, &o->set.hw_code);
	case O_HW_VER: return set_hex16(arg, &p->hw_ver, &o->set.hw_ver);
	case O_HW_SUBCODE: return set_hex16(arg, &p->hw_subcode, &o->set.hw_subcode);
	case O_SW_VER: return set_hex16(arg, &p->sw_ver, &o->set.sw_ver);
	case O_BROM_VER: return set_hex8(arg, &p->brom_ver, &o->set.brom_ver);
	case O_BL_VER: return set_hex8(arg, &p->bl_ver, &o->set.bl_ver);
	case O_TCFG:
		if (!parse_hex_u(arg, UINT32_MAX, &v))
			return usage_error("bad --target-config '%s'", arg);
		p->target_config = (uint32_t)v;
		o->set.tcfg = true;
		return 0;
	case O_USB_SPEED:
		if (!parse_uint(arg, 1, &v))
			return usage_error("--usb-speed takes 0 or 1, not '%s'", arg);
		p->usb_speed = (uint8_t)v;
		o->set.usb_speed = true;
		return 0;
	case O_DRAM_SIZE:
		if (!sim_parse_size(arg, &p->dram_size) || p->dram_size == 0)
			return usage_error("bad --dram-size '%s'", arg);
		o->set.dram_size = true;
		return 0;
	case O_DRAM_ID:
		if (!parse_hex_bytes(arg, p->dram_id, 16, false))
			return usage_error("--dram-id takes up to 32 hex digits, not '%s'", arg);
		o->dram_id_set = true;
		return 0;
	case O_REPORT2_CID:
		if (!parse_hex_bytes(arg, p->report2_cid, 16, true))
			return usage_error("--report2-cid takes exactly 32 hex digits, not '%s'", arg);
		p->report2_cid_set = true;
		return 0;
	}
	return -1;
}

static int parse_storage_opt(struct options *o, int c, const char *arg)
{
	switch (c) {
	case O_EMMC: o->emmc = arg; return 0;
	case O_EMMC_SIZE: return set_part_size(o, arg, SIM_PART_USER, 0);
	case O_BOOT_SIZE: return set_part_size(o, arg, SIM_PART_BOOT1, SIM_PART_BOOT2);
	case O_RPMB_SIZE: return set_part_size(o, arg, SIM_PART_RPMB, 0);
	case O_CID:
		if (!parse_hex_bytes(arg, o->geom.cid, 16, true))
			return usage_error("--cid takes exactly 32 hex digits, not '%s'", arg);
		o->cid_set = true;
		return 0;
	case O_FWVER:
		if (!parse_hex_bytes(arg, o->geom.fwver, 8, true))
			return usage_error("--fwver takes exactly 16 hex digits, not '%s'", arg);
		o->fwver_set = true;
		return 0;
	}
	return -1;
}

static int parse_link_opt(struct options *o, int c, const char *arg)
{
	uint64_t v;
	switch (c) {
	case O_SOCKET: o->serve.socket_path = arg; return 0;
	case O_PTY: o->serve.pty = true; return 0;
	case O_PTY_LINK: o->serve.pty_link = arg; return 0;
	case O_MODE:
		if (strcmp(arg, "brom") && strcmp(arg, "preloader"))
			return usage_error("--mode takes brom or preloader, not '%s'", arg);
		o->mode = arg[0] == 'b' ? SIM_MODE_BROM : SIM_MODE_PRELOADER;
		return 0;
	case O_WINDOW:
		if (!parse_uint(arg, 3600000, &v))
			return usage_error("bad --preloader-window '%s' (milliseconds)", arg);
		o->window_ms = (uint32_t)v;
		return 0;
	case O_TOOL_PRESENT:
		o->tool_present = true;
		return 0;
	case O_FAULT: return add_fault(o, arg);
	case O_LINK:
		if (!sim_link_parse(arg, &o->serve.link))
			return usage_error("--link takes fast, usb1 or usb2, not '%s'", arg);
		return 0;
	case O_SEED:
		if (!parse_uint(arg, UINT64_MAX, &o->seed))
			return usage_error("bad --seed '%s'", arg);
		return 0;
	case O_TRACE: o->trace = true; return 0;
	case O_TRACE_FILE: o->trace_file = arg; o->trace = true; return 0;
	case O_ON_FINISH: o->serve.on_finish = arg; return 0;
	case O_EXIT_ON_FINISH: o->serve.exit_on_finish = true; return 0;
	case O_MODEL:
		if (!(o->model = sim_model_find(arg)))
			return sim_unknown_model(arg);
		return 0;
	case O_VERDICT_FILE: o->verdict_file = arg; return 0;
	case O_UNIT:
		if (!sim_parse_unit(arg, &o->unit))
			return sim_unit_error(arg);
		return 0;
	}
	return -1;
}

static int parse_serve_args(int argc, char **argv, struct options *o)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", serve_opts, NULL)) != -1) {
		if (c == O_HELP || c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == '?')
			return EXIT_USAGE;
		int rc = parse_link_opt(o, c, optarg);
		if (rc < 0)
			rc = parse_storage_opt(o, c, optarg);
		if (rc < 0)
			rc = parse_personality_opt(o, c, optarg);
		if (rc)
			return rc;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->serve.socket_path == !o->serve.pty)
		return usage_error("give exactly one of --socket PATH and --pty");
	if (o->unit && !o->model)
		return usage_error("--unit %u needs --model NAME (a unit is a phone of a model)", o->unit);
	if (o->model) {
		sim_model_unit(o->model, o->unit ? o->unit : 1, &o->unit_model);
		o->model = &o->unit_model;
	}
	return 0;
}

/* ---------- eMMC ---------- */

/* An existing image keeps its geometry: an option that contradicts it is an error, not a resize. */
static int check_against_image(const struct options *o, const struct sim_emmc_geometry *g)
{
	for (unsigned p = 1; p < SIM_PART_COUNT; p++)
		if (o->size_set[p] && o->geom.size[p] != g->size[p]) {
			fprintf(stderr, "unifw-sim: %s: partition %u is 0x%llx bytes in the image, the option says 0x%llx\n",
				o->emmc, p, (unsigned long long)g->size[p], (unsigned long long)o->geom.size[p]);
			return 1;
		}
	if (o->cid_set && memcmp(o->geom.cid, g->cid, 16) != 0) {
		fprintf(stderr, "unifw-sim: %s: the image's eMMC has another CID than --cid (a chip's CID is fixed)\n",
			o->emmc);
		return 1;
	}
	return 0;
}

static bool geometry_options_given(const struct options *o)
{
	for (unsigned p = 1; p < SIM_PART_COUNT; p++)
		if (o->size_set[p])
			return true;
	return o->cid_set || o->fwver_set;
}

/* --unit N and an existing image: the image must be that phone, which its CID says (like --cid). */
static int check_unit(const struct options *o, const struct sim_emmc_geometry *have)
{
	struct sim_emmc_geometry want;
	sim_model_geometry(o->model, &want);
	if (!o->unit || !memcmp(want.cid, have->cid, 16))
		return 0;
	char w[33], h[33];
	unifw_hex(want.cid, 16, w);
	unifw_hex(have->cid, 16, h);
	fprintf(stderr, "unifw-sim: %s: the image's eMMC CID %s is not unit %u of %s (CID %s): another phone\n",
		o->emmc, h, o->unit, o->model->name, w);
	return 1;
}

/* --model: a new image (or the temporary one) is the model's (unit's) factory state; an existing image
 * must have been made from that model (its footer says which) and, with --unit, be that unit. */
static int open_model_emmc(const struct options *o, struct sim_emmc **e)
{
	struct unifw_error err = { 0 };
	const struct sim_model *m = o->model;
	int rc;
	if (geometry_options_given(o))
		return usage_error("--model %s sets the eMMC sizes, CID and firmware version: drop those options", m->name);
	if (!o->emmc) {
		struct sim_emmc_geometry g;
		sim_model_geometry(m, &g);
		rc = sim_emmc_create_temp(&g, e, &err);
		if (rc == 0 && (rc = sim_emmc_fill_from_model(*e, m, 1, &err)) != 0)
			sim_emmc_close(*e);
	} else if (access(o->emmc, F_OK) == 0) {
		rc = sim_emmc_open(o->emmc, e, &err);
		if (rc == 0 && strcmp(sim_emmc_geometry(*e)->model, m->name)) {
			fprintf(stderr, "unifw-sim: %s was made %s%s, not from --model %s\n", o->emmc,
				sim_emmc_geometry(*e)->model[0] ? "from model " : "without a model",
				sim_emmc_geometry(*e)->model, m->name);
			sim_emmc_close(*e);
			return 1;
		}
		if (rc == 0 && check_unit(o, sim_emmc_geometry(*e))) {
			sim_emmc_close(*e);
			return 1;
		}
	} else {
		fprintf(stderr, "unifw-sim: building the %s factory image %s...\n", m->name, o->emmc);
		rc = sim_emmc_create_from_model(o->emmc, m, 1, e, &err);
	}
	return rc ? fail(&err) : 0;
}

static int open_emmc(const struct options *o, struct sim_emmc **e)
{
	struct unifw_error err = { 0 };
	int rc;
	if (o->model)
		return open_model_emmc(o, e);
	if (!o->emmc)
		rc = sim_emmc_create_temp(&o->geom, e, &err);
	else if (access(o->emmc, F_OK) == 0)
		rc = sim_emmc_open(o->emmc, e, &err);
	else
		rc = sim_emmc_create(o->emmc, &o->geom, e, &err);
	if (rc)
		return fail(&err);
	if (o->emmc && check_against_image(o, sim_emmc_geometry(*e))) {
		sim_emmc_close(*e);
		return 1;
	}
	return 0;
}

/* ---------- main ---------- */

static void trace_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
	fflush(ctx);
}

static void apply_personality(struct options *o, const struct sim_emmc_geometry *g, struct sim_personality *p)
{
	sim_personality_default(p, g);
	if (o->model) { /* CID (and with it the DRAM id) come from the image; the rest from the model */
		p->dram_size = sim_model_dram_size(o->model);
		p->hw_ver = o->model->hw_ver;
		p->hw_subcode = o->model->hw_subcode;
		p->sw_ver = o->model->sw_ver;
	}
	if (o->set.hw_code) p->hw_code = o->pers.hw_code;
	if (o->set.hw_ver) p->hw_ver = o->pers.hw_ver;
	if (o->set.hw_subcode) p->hw_subcode = o->pers.hw_subcode;
	if (o->set.sw_ver) p->sw_ver = o->pers.sw_ver;
	if (o->set.brom_ver) p->brom_ver = o->pers.brom_ver;
	if (o->set.bl_ver) p->bl_ver = o->pers.bl_ver;
	if (o->set.tcfg) p->target_config = o->pers.target_config;
	if (o->set.usb_speed) p->usb_speed = o->pers.usb_speed;
	if (o->set.dram_size) p->dram_size = o->pers.dram_size;
	if (o->dram_id_set) memcpy(p->dram_id, o->pers.dram_id, 16);
	if (o->pers.report2_cid_set) {
		p->report2_cid_set = true;
		memcpy(p->report2_cid, o->pers.report2_cid, 16);
	}
}

/* A phone whose preloader finds no EMI entry comes back in BROM download mode at every power-on,
 * whatever --mode says, until a fitting preloader is written (docs/sim.md "Boot evaluation"). */
static void follow_verdict(struct options *o, bool brom_loops)
{
	if (brom_loops)
		fprintf(stderr, "unifw-sim: brom_loop: the phone now answers only in BROM download mode\n");
	if (o->dev)
		sim_dev_set_mode(o->dev, brom_loops ? SIM_MODE_BROM : o->mode);
}

/* After FINISH the phone reboots: tell what it would do (text to the log, "boot VERDICT" on stdout,
 * UNIFW_SIM_VERDICT for the --on-finish hook, JSON to --verdict-file). */
static void evaluate_after_finish(void *ctx, uint32_t mode)
{
	struct options *o = ctx;
	struct unifw_error err = { 0 };
	struct sim_boot_report r;
	(void)mode;
	if (sim_boot_evaluate(o->emmc_open, o->model, &r, &err) != 0) {
		fail(&err);
		return;
	}
	fprintf(stderr, "unifw-sim: boot evaluation after FINISH:\n");
	sim_boot_report_text(&r, stderr);
	if (o->verdict_file) {
		FILE *f = fopen(o->verdict_file, "w");
		struct unifw_jv *j = sim_boot_report_json(&r);
		if (!f || unifw_jv_write(j, f, true) != 0 || fputc('\n', f) == EOF)
			fprintf(stderr, "unifw-sim: cannot write %s\n", o->verdict_file);
		if (f)
			fclose(f);
		unifw_jv_free(j);
	}
	follow_verdict(o, r.verdict == SIM_VERDICT_BROM_LOOP); /* before "boot": a client waits for that line */
	setenv("UNIFW_SIM_VERDICT", sim_verdict_name(r.verdict), 1);
	fprintf(o->serve.out, "boot %s\n", sim_verdict_name(r.verdict));
	fflush(o->serve.out);
	sim_boot_report_free(&r);
}

static int run_sim(struct options *o)
{
	struct sim_emmc *e = NULL;
	int rc = open_emmc(o, &e);
	if (rc)
		return rc;
	if (!o->model && sim_emmc_geometry(e)->model[0])
		o->model = sim_model_find(sim_emmc_geometry(e)->model);
	o->emmc_open = e;
	o->serve.after_finish = evaluate_after_finish;
	o->serve.after_finish_ctx = o;
	FILE *trace = NULL;
	if (o->trace_file && !(trace = fopen(o->trace_file, "w"))) {
		fprintf(stderr, "unifw-sim: cannot write %s: %s\n", o->trace_file, strerror(errno));
		sim_emmc_close(e);
		return 1;
	}
	struct sim_config cfg = { .mode = o->mode, .preloader_window_ms = o->window_ms,
				  .tool_present = o->tool_present, .storage = sim_emmc_storage(e),
				  .faults = o->faults, .n_faults = o->n_faults, .seed = o->seed };
	apply_personality(o, sim_emmc_geometry(e), &cfg.pers);
	if (o->trace) {
		cfg.trace = trace_line;
		cfg.trace_ctx = trace ? trace : stderr;
	}
	bool brom_loops = false;
	struct unifw_error berr = { 0 };
	if (sim_boot_brom_loops(e, o->model, &brom_loops, &berr) != 0)
		fail(&berr); /* the phone is served as configured; the evaluation after FINISH tells more */
	if (brom_loops) {
		cfg.mode = SIM_MODE_BROM;
		fprintf(stderr, "unifw-sim: brom_loop: its preloader finds no EMI entry for the memory part, so the "
			"phone answers only in BROM download mode\n");
	}
	struct sim_dev *d = sim_dev_new(&cfg);
	o->dev = d;
	if (!d) {
		fprintf(stderr, "unifw-sim: out of memory\n");
		rc = 1;
	} else {
		o->serve.emmc_path = o->emmc;
		fprintf(stderr, "unifw-sim: MT%04X in %s mode, eMMC %s (user area 0x%llx bytes)\n", cfg.pers.hw_code,
			cfg.mode == SIM_MODE_BROM ? "BROM" : "preloader", sim_emmc_path(e),
			(unsigned long long)sim_emmc_geometry(e)->size[SIM_PART_USER]);
		log_link_rates(o->serve.link);
		struct unifw_error err = { 0 };
		rc = sim_serve(d, &o->serve, &err) ? fail(&err) : 0;
	}
	sim_dev_free(d);
	struct unifw_error ferr = { 0 };
	if (sim_emmc_flush(e, &ferr) != 0 && o->emmc)
		fail(&ferr);
	sim_emmc_close(e);
	if (trace)
		fclose(trace);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "make-da") == 0)
		return cmd_make_da(argc - 1, argv + 1);
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = { { "make-firmware", sim_cmd_make_firmware }, { "make-emmc", sim_cmd_make_emmc },
		     { "flash-package", sim_cmd_flash_package }, { "erase", sim_cmd_erase }, { "damage", sim_cmd_damage },
		     { "boot", sim_cmd_boot } };
	for (size_t i = 0; argc >= 2 && i < sizeof cmds / sizeof *cmds; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "models") == 0)
		return sim_cmd_models();
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("unifw-sim 0.1.0\n");
		return 0;
	}
	static struct options o;
	o.mode = SIM_MODE_PRELOADER;
	o.window_ms = 2500; /* CFG_USB_HANDSHAKE_TIMEOUT (docs/protocol.md, docs/sim.md "Preloader listening") */
	o.seed = 1;
	o.serve.out = stdout;
	o.serve.log = stderr;
	sim_emmc_default_geometry(&o.geom);
	int rc = parse_serve_args(argc, argv, &o);
	return rc ? rc : run_sim(&o);
}
