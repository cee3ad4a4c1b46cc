/* unifw-sim subcommands around the phone models (docs/sim.md):
 *   unifw-sim models
 *   unifw-sim make-firmware (--model NAME [--unit N] | --universal) -o DIR [--seed N] [--compiled-emi-from MODEL]
 *                           [--kernel-lcm NAME[,NAME...]] [--modem-mem-size SIZE] [--system-size SIZE]
 *   unifw-sim make-emmc --model NAME [--unit N] -o FILE [--seed N] [--android-size SIZE] [--emmc-part N|LABEL]
 *   unifw-sim flash-package --emmc FILE [--with-preloader] [--factory] [--only NAME,...] DIR
 *   unifw-sim erase --emmc FILE NAME...
 *   unifw-sim damage --format-all-download --package DIR --emmc FILE
 *   unifw-sim boot --emmc FILE [--json] [--model NAME] */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_eval.h"
#include "boot/install_package.h"
#include "cmd.h"
#include "firmware/factory.h"
#include "unifw/hash.h"

#define EXIT_USAGE 2
#define MAX_ONLY 32
#define MAX_KERNEL_LCM 8
#define LCM_NAME_MAX 63

static int usage_error(const char *cmd, const char *msg, const char *arg)
{
	fprintf(stderr, "unifw-sim %s: %s%s%s\nTry 'unifw-sim %s --help'.\n", cmd, msg, arg ? " " : "", arg ? arg : "",
		cmd);
	return EXIT_USAGE;
}

static int fail(const struct unifw_error *err)
{
	char buf[1024];
	fprintf(stderr, "unifw-sim: error: %s\n", unifw_error_format(err, buf, sizeof buf));
	return 1;
}

static bool parse_seed(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

int sim_unknown_model(const char *name)
{
	fprintf(stderr, "unifw-sim: unknown model '%s'; built in:", name);
	for (size_t i = 0; i < sim_model_count(); i++)
		fprintf(stderr, " %s", sim_model_at(i)->name);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

int sim_unit_error(const char *arg)
{
	fprintf(stderr, "unifw-sim: bad --unit '%s': a phone number of the model, 1 to %u (1 = the model's own)\n",
		arg, SIM_UNIT_MAX);
	return EXIT_USAGE;
}

int sim_cmd_models(void)
{
	for (size_t i = 0; i < sim_model_count(); i++) {
		const struct sim_model *m = sim_model_at(i);
		/* the first word is the name (scripts read it); a unit is one phone of the model */
		printf("%-10s %s; units 1-%u (--unit N: own CID serial, MAC, BT address, NVRAM)\n", m->name, m->summary,
		       SIM_UNIT_MAX);
	}
	const struct sim_firmware *u = sim_firmware_universal();
	printf("%-10s (make-firmware --universal) generic ROM, project %s, boot region 0x%llx\n", "universal",
	       u->project, (unsigned long long)u->boot_region);
	return 0;
}

/* ------------------------------------------------------------------ make-firmware */

/* --kernel-lcm NAME[,NAME...]: the LCM driver names a swapped kernel was built with, in its list order.
 * Names are split in place in buf (a copy of the argument); each must look like a C identifier, as the
 * drivers' names in MediaTek's lcm folder do, so that nothing odd reaches the Image's string table. */
static bool parse_lcm_list(char *buf, const char *names[MAX_KERNEL_LCM], size_t *count)
{
	*count = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(tok);
		if (*count == MAX_KERNEL_LCM || len == 0 || len > LCM_NAME_MAX)
			return false;
		for (size_t i = 0; i < len; i++)
			if (!(tok[i] == '_' || (tok[i] >= '0' && tok[i] <= '9') || (tok[i] >= 'a' && tok[i] <= 'z') ||
			      (tok[i] >= 'A' && tok[i] <= 'Z')))
				return false;
		names[(*count)++] = tok;
	}
	return *count > 0;
}

/* --modem-mem-size: bytes (decimal or 0x), or with a K/M/G suffix; above 0 and within the u32 field of
 * MD_CHECK_HEADER. */
static bool parse_mem_size(const char *s, uint32_t *v)
{
	uint64_t x;
	if (!sim_parse_size(s, &x) || x == 0 || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* --system-size / --android-size: the ANDROID partition's new size (sim_firmware_resize_android's range). */
static bool parse_android_size(const char *s, uint64_t *v)
{
	return sim_parse_size(s, v) && *v >= (1u << 20) && *v <= ((uint64_t)64 << 30) && *v % (512u << 10) == 0;
}

#define ANDROID_SIZE_HELP "(bytes or K/M/G; a multiple of 512K, 1M to 64G):"

/* --all-drivers: the universal kernel built like an ODM's reference kernel, with every model's panel (LCM) and
 * touch drivers after the firmware's own, each name once, in that order (the kernel takes the LCM that LK
 * names in lcm=, so the order only matters for the compare_id fallback). LK keeps its own list. */
#define ALL_DRIVERS_MAX 32
struct all_drivers {
	const char *lcm[ALL_DRIVERS_MAX], *touch[ALL_DRIVERS_MAX];
	struct sim_driver_set set;
};

static void add_name(const char **list, size_t *count, const char *name)
{
	for (size_t i = 0; i < *count; i++)
		if (!strcmp(list[i], name))
			return;
	if (*count < ALL_DRIVERS_MAX)
		list[(*count)++] = name;
}

static void all_drivers_of(const struct sim_firmware *fw, struct all_drivers *a)
{
	memset(a, 0, sizeof *a);
	for (size_t i = 0; i < fw->lcm_count; i++)
		add_name(a->lcm, &a->set.lcm_count, fw->lcm[i]);
	for (size_t i = 0; i < fw->touch_count; i++)
		add_name(a->touch, &a->set.touch_count, fw->touch[i]);
	for (size_t m = 0; m < sim_model_count(); m++) {
		const struct sim_model *model = sim_model_at(m);
		add_name(a->lcm, &a->set.lcm_count, model->lcm);
		add_name(a->touch, &a->set.touch_count, model->touch);
	}
	a->set.lcm = a->lcm;
	a->set.touch = a->touch;
}

int sim_cmd_make_firmware(int argc, char **argv)
{
	const char *out = NULL, *model = NULL, *compiled_from = NULL, *unit_arg = NULL;
	bool universal = false, all_drivers = false;
	uint64_t seed = 1;
	char lcm_buf[MAX_KERNEL_LCM * (LCM_NAME_MAX + 1)];
	const char *kernel_lcm[MAX_KERNEL_LCM];
	size_t kernel_lcm_count = 0;
	uint32_t modem_mem = 0;
	uint64_t system_size = 0;
	static const struct option lo[] = { { "model", required_argument, NULL, 'm' },
					    { "unit", required_argument, NULL, 'n' },
					    { "universal", no_argument, NULL, 'u' },
					    { "all-drivers", no_argument, NULL, 'A' },
					    { "system-size", required_argument, NULL, 'S' },
					    { "compiled-emi-from", required_argument, NULL, 'c' },
					    { "kernel-lcm", required_argument, NULL, 'k' },
					    { "modem-mem-size", required_argument, NULL, 'M' },
					    { "seed", required_argument, NULL, 's' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'm') {
			model = optarg;
		} else if (c == 'n') {
			unit_arg = optarg;
		} else if (c == 'u') {
			universal = true;
		} else if (c == 'A') {
			all_drivers = true;
		} else if (c == 'c') {
			compiled_from = optarg;
		} else if (c == 'k') {
			if (strlen(optarg) >= sizeof lcm_buf)
				return usage_error("make-firmware", "--kernel-lcm list too long:", optarg);
			snprintf(lcm_buf, sizeof lcm_buf, "%s", optarg);
			if (!parse_lcm_list(lcm_buf, kernel_lcm, &kernel_lcm_count))
				return usage_error("make-firmware",
						   "bad --kernel-lcm (1 to 8 driver names of letters, digits and _, comma-separated):",
						   optarg);
		} else if (c == 'M') {
			if (!parse_mem_size(optarg, &modem_mem))
				return usage_error("make-firmware", "bad --modem-mem-size (bytes, or K/M; 1 to 4 GiB - 1):",
						   optarg);
		} else if (c == 'S') {
			if (!parse_android_size(optarg, &system_size))
				return usage_error("make-firmware", "bad --system-size " ANDROID_SIZE_HELP, optarg);
		} else if (c == 's') {
			if (!parse_seed(optarg, &seed))
				return usage_error("make-firmware", "bad --seed", optarg);
		} else if (c == 'h') {
			printf("usage: unifw-sim make-firmware (--model NAME [--unit N] | --universal [--all-drivers]) -o DIR\n"
			       "                              [--seed N]\n"
			       "                              [--compiled-emi-from MODEL] [--kernel-lcm NAME[,NAME...]]\n"
			       "                              [--modem-mem-size SIZE] [--system-size SIZE]\n"
			       "Writes the model's stock package in SP Flash Tool form (scatter + images; the phone's\n"
			       "own NVRAM/PRO_INFO/PROTECT/userdata state under DIR/factory/), or the universal package\n"
			       "(a generic ROM for another board). `unifw-sim models` lists the models.\n"
			       "--unit N: factory/ holds phone N's identity (default 1); the firmware is the same.\n"
			       "--compiled-emi-from MODEL: a tampered preloader whose compiled emi_settings[] lists\n"
			       "MODEL's memory parts while its MTK_BLOADER_INFO tag keeps the firmware's own.\n"
			       "--all-drivers (with --universal): boot.img and recovery.img carry a kernel with every\n"
			       "model's LCM and touch drivers too (an ODM-style reference build); LK keeps its own.\n"
			       "--kernel-lcm NAME[,NAME...]: boot.img and recovery.img carry a kernel built with these LCM\n"
			       "drivers (in this order) instead of the firmware's; LK keeps its own (a swapped kernel).\n"
			       "--modem-mem-size SIZE: the modem's MD_CHECK_HEADER asks for SIZE bytes (K/M suffixes);\n"
			       "above the kernel's MD1 reservation (22 MiB on a model) the kernel rejects it.\n"
			       "--system-size SIZE: the layout's ANDROID partition and system.img's file system are\n"
			       "SIZE bytes (the partitions after it move; for large-image benchmarks).\n");
			return 0;
		} else {
			return usage_error("make-firmware", "bad option", NULL);
		}
	}
	if (!out || (!model == !universal) || optind < argc)
		return usage_error("make-firmware", "give -o DIR and exactly one of --model NAME and --universal", NULL);
	const struct sim_model *m = model ? sim_model_find(model) : NULL;
	if (model && !m)
		return sim_unknown_model(model);
	struct sim_model unit_model;
	if (all_drivers && (!universal || kernel_lcm_count))
		return usage_error("make-firmware", "--all-drivers needs --universal (and no --kernel-lcm)", NULL);
	if (unit_arg && !m)
		return usage_error("make-firmware", "--unit needs --model (the universal ROM has no phone)", NULL);
	if (unit_arg) {
		unsigned unit;
		if (!sim_parse_unit(unit_arg, &unit))
			return sim_unit_error(unit_arg);
		sim_model_unit(m, unit, &unit_model);
		m = &unit_model;
	}
	const struct sim_model *from = compiled_from ? sim_model_find(compiled_from) : NULL;
	if (compiled_from && !from)
		return sim_unknown_model(compiled_from);
	struct sim_factory_opts fo = { .seed = seed };
	struct unifw_error err = { 0 };
	struct sim_firmware fw = *(m ? m->stock : sim_firmware_universal());
	if (from) {
		fw.emi_compiled = from->stock->emi;
		fw.emi_compiled_count = from->stock->emi_count;
	}
	if (modem_mem)
		fw.md_mem_size = modem_mem;
	struct sim_resized resized; /* fw.parts points into it when --system-size is given */
	if (system_size) {
		if (!sim_firmware_resize_android(&fw, system_size, &resized))
			return usage_error("make-firmware", "the firmware has no ANDROID partition to resize", NULL);
		fw = resized.fw;
	}
	/* the touch list stays the firmware's: only the display drivers of the swapped kernel differ */
	struct sim_driver_set kd = { kernel_lcm, kernel_lcm_count, NULL, 0 };
	if (kernel_lcm_count)
		fo.kernel_drivers = &kd;
	struct all_drivers all;
	if (all_drivers) {
		all_drivers_of(&fw, &all);
		fo.kernel_drivers = &all.set;
	}
	if (sim_factory_make(&fw, m, out, &fo, &err) != 0)
		return fail(&err);
	printf("%s: %s package, project %s, boot region 0x%llx\n", out, m ? m->name : "universal", fw.project,
	       (unsigned long long)fw.boot_region);
	return 0;
}

/* ------------------------------------------------------------------ make-emmc */

/* --emmc-part names no entry of the stock EMI table: the table, so the user can pick. */
static int emi_part_error(const struct sim_model *m, const char *spec)
{
	fprintf(stderr, "unifw-sim make-emmc: --emmc-part '%s' is not in %s's stock preloader EMI table, which lists:\n",
		spec, m->name);
	for (size_t i = 0; i < m->stock->emi_count; i++) {
		char id[19];
		unifw_hex(m->stock->emi[i]->id, sizeof m->stock->emi[i]->id, id);
		fprintf(stderr, "  %zu  %s  id %s\n", i, m->stock->emi[i]->label, id);
	}
	return EXIT_USAGE;
}

int sim_cmd_make_emmc(int argc, char **argv)
{
	const char *out = NULL, *model = NULL, *unit_arg = NULL, *part_arg = NULL;
	uint64_t seed = 1, android_size = 0;
	static const struct option lo[] = { { "model", required_argument, NULL, 'm' },
					    { "emmc-part", required_argument, NULL, 'P' },
					    { "unit", required_argument, NULL, 'n' },
					    { "seed", required_argument, NULL, 's' },
					    { "android-size", required_argument, NULL, 'A' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'm') {
			model = optarg;
		} else if (c == 'n') {
			unit_arg = optarg;
		} else if (c == 'P') {
			part_arg = optarg;
		} else if (c == 's') {
			if (!parse_seed(optarg, &seed))
				return usage_error("make-emmc", "bad --seed", optarg);
		} else if (c == 'A') {
			if (!parse_android_size(optarg, &android_size))
				return usage_error("make-emmc", "bad --android-size " ANDROID_SIZE_HELP, optarg);
		} else if (c == 'h') {
			printf("usage: unifw-sim make-emmc --model NAME [--unit N] -o FILE [--seed N] [--android-size SIZE]\n"
			       "                           [--emmc-part N|LABEL]\n"
			       "Creates the model's eMMC image as it leaves the factory: its geometry and CID, the\n"
			       "stock firmware flashed (preloader in boot1), its NVRAM, PRO_INFO and PROTECT\n"
			       "partitions and USRDATA with /data/nvram.\n"
			       "--unit N: phone N of the model (1..%u, default 1 = the model's own phone): its own CID\n"
			       "serial (PSN + N - 1, CRC7 recomputed), WiFi MAC and BT address (bytes 3..4 + N - 1),\n"
			       "NVRAM, PRO_INFO and PROTECT contents; the same firmware and memory part (DRAM id).\n"
			       "--android-size SIZE: the phone's ANDROID partition is SIZE bytes (its stock system\n"
			       "image too; the partitions after it move, the user area grows by the difference).\n"
			       "--emmc-part N|LABEL: the phone's eMMC is entry N (0-based) or the entry of that label of its\n"
			       "stock preloader's EMI table, a second-source part the preloader lists (the CID's MID,\n"
			       "CBX, OID and PNM become that entry's id); `unifw-sim models` does not list them: an\n"
			       "unknown one is refused with the table.\n",
			       SIM_UNIT_MAX);
			return 0;
		} else {
			return usage_error("make-emmc", "bad option", NULL);
		}
	}
	if (!out || !model || optind < argc)
		return usage_error("make-emmc", "give --model NAME and -o FILE", NULL);
	const struct sim_model *table = sim_model_find(model);
	if (!table)
		return sim_unknown_model(model);
	unsigned unit = 1;
	if (unit_arg && !sim_parse_unit(unit_arg, &unit))
		return sim_unit_error(unit_arg);
	struct sim_model m;
	sim_model_unit(table, unit, &m);
	if (part_arg) {
		const struct sim_mem_part *part = sim_model_emi_part(table, part_arg);
		if (!part)
			return emi_part_error(table, part_arg);
		sim_model_with_part(&m, part, &m);
	}
	struct sim_resized resized; /* m.stock points into it when --android-size is given */
	if (android_size) {
		if (!sim_model_resize_android(&m, android_size, &resized))
			return usage_error("make-emmc", "the model has no ANDROID partition to resize", NULL);
		m = resized.model;
	}
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	if (sim_emmc_create_from_model(out, &m, seed, &e, &err) != 0)
		return fail(&err);
	int rc = sim_emmc_flush(e, &err) ? fail(&err) : 0;
	char cid[33];
	unifw_hex(sim_emmc_geometry(e)->cid, 16, cid);
	sim_emmc_close(e);
	if (rc == 0)
		printf("%s: eMMC image of model %s unit %u, CID %s (user area 0x%llx bytes)\n", out, m.name, unit, cid,
		       (unsigned long long)m.user_size);
	return rc;
}

/* ------------------------------------------------------------------ flash-package, erase */

static size_t split_names(char *list, const char **out, size_t cap)
{
	size_t n = 0;
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok && n < cap; tok = strtok_r(NULL, ",", &save))
		out[n++] = tok;
	return n;
}

static void flash_progress(void *ctx, const char *name, uint64_t bytes)
{
	(void)ctx;
	(void)bytes;
	fprintf(stderr, "unifw-sim: wrote %s\n", name);
}

int sim_cmd_flash_package(int argc, char **argv)
{
	const char *emmc = NULL, *only[MAX_ONLY];
	struct sim_flash_opts fo = { .progress = flash_progress };
	static const struct option lo[] = { { "emmc", required_argument, NULL, 'e' },
					    { "with-preloader", no_argument, NULL, 'p' },
					    { "factory", no_argument, NULL, 'f' },
					    { "only", required_argument, NULL, 'o' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'e') {
			emmc = optarg;
		} else if (c == 'p') {
			fo.with_preloader = true;
		} else if (c == 'f') {
			fo.factory = true;
		} else if (c == 'o') {
			fo.only = only;
			fo.only_count += split_names(optarg, only + fo.only_count, MAX_ONLY - fo.only_count);
		} else if (c == 'h') {
			printf("usage: unifw-sim flash-package --emmc FILE [--with-preloader] [--factory] [--only NAME,...] DIR\n"
			       "Writes the package in DIR into the eMMC image the way SP Flash Tool's Download does:\n"
			       "each image at linear address - the phone's boot region, sparse images expanded, the PMT\n"
			       "rewritten. The preloader only with --with-preloader; DIR/factory/ only with --factory.\n");
			return 0;
		} else {
			return usage_error("flash-package", "bad option", NULL);
		}
	}
	if (!emmc || optind + 1 != argc)
		return usage_error("flash-package", "give --emmc FILE and one package DIR", NULL);
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	int rc = sim_emmc_open(emmc, &e, &err);
	if (rc == 0)
		rc = sim_flash_package(e, argv[optind], &fo, &err);
	if (rc == 0)
		rc = sim_emmc_flush(e, &err);
	sim_emmc_close(e);
	return rc ? fail(&err) : 0;
}

int sim_cmd_erase(int argc, char **argv)
{
	const char *emmc = NULL;
	static const struct option lo[] = { { "emmc", required_argument, NULL, 'e' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'e') {
			emmc = optarg;
		} else if (c == 'h') {
			printf("usage: unifw-sim erase --emmc FILE NAME...\n"
			       "Erases partitions found through the image's PMT (PRELOADER = boot1), like a Format.\n"
			       "PMT erases the table itself (name it last).\n");
			return 0;
		} else {
			return usage_error("erase", "bad option", NULL);
		}
	}
	if (!emmc || optind >= argc)
		return usage_error("erase", "give --emmc FILE and partition names", NULL);
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	int rc = sim_emmc_open(emmc, &e, &err);
	for (int i = optind; rc == 0 && i < argc; i++)
		rc = sim_flash_erase(e, argv[i], &err);
	if (rc == 0)
		rc = sim_emmc_flush(e, &err);
	sim_emmc_close(e);
	return rc ? fail(&err) : 0;
}

/* ------------------------------------------------------------------ damage */

int sim_cmd_damage(int argc, char **argv)
{
	const char *emmc = NULL, *pkg = NULL;
	bool format_all = false;
	static const struct option lo[] = { { "emmc", required_argument, NULL, 'e' },
					    { "package", required_argument, NULL, 'p' },
					    { "format-all-download", no_argument, NULL, 'f' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'e') {
			emmc = optarg;
		} else if (c == 'p') {
			pkg = optarg;
		} else if (c == 'f') {
			format_all = true;
		} else if (c == 'h') {
			printf("usage: unifw-sim damage --format-all-download --package DIR --emmc FILE\n"
			       "Does to the image what a user's tool does to a phone.\n"
			       "--format-all-download: SP Flash Tool's \"Format All + Download\": the whole user area\n"
			       "erased (NVRAM, PRO_INFO, PROTECT_F/S with it), then the package in DIR downloaded with\n"
			       "its preloader (never DIR/factory/: the stock userdata.img has no /data/nvram). The phone\n"
			       "then boots with IMEI null, a WiFi MAC made up at every boot and the default BT address.\n");
			return 0;
		} else {
			return usage_error("damage", "bad option", NULL);
		}
	}
	if (!format_all || !pkg || !emmc || optind < argc)
		return usage_error("damage", "give --format-all-download --package DIR --emmc FILE", NULL);
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	int rc = sim_emmc_open(emmc, &e, &err);
	if (rc == 0)
		rc = sim_format_all_download(e, pkg, &err);
	if (rc == 0)
		rc = sim_emmc_flush(e, &err);
	sim_emmc_close(e);
	if (rc == 0)
		fprintf(stderr, "unifw-sim: %s: Format All + Download of %s done\n", emmc, pkg);
	return rc ? fail(&err) : 0;
}

/* ------------------------------------------------------------------ boot */

int sim_boot_print(struct sim_emmc *e, const struct sim_model *m, bool json, FILE *out, enum sim_verdict *verdict,
		   struct unifw_error *err)
{
	struct sim_boot_report r;
	int rc = sim_boot_evaluate(e, m, &r, err);
	if (rc)
		return rc;
	if (json) {
		struct unifw_jv *j = sim_boot_report_json(&r);
		unifw_jv_write(j, out, true);
		fputc('\n', out);
		unifw_jv_free(j);
	} else {
		sim_boot_report_text(&r, out);
	}
	*verdict = r.verdict;
	sim_boot_report_free(&r);
	return 0;
}

int sim_cmd_boot(int argc, char **argv)
{
	const char *emmc = NULL, *model = NULL;
	bool json = false;
	static const struct option lo[] = { { "emmc", required_argument, NULL, 'e' },
					    { "json", no_argument, NULL, 'j' },
					    { "model", required_argument, NULL, 'm' },
					    { "help", no_argument, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'e') {
			emmc = optarg;
		} else if (c == 'j') {
			json = true;
		} else if (c == 'm') {
			model = optarg;
		} else if (c == 'h') {
			printf("usage: unifw-sim boot --emmc FILE [--json] [--model NAME]\n"
			       "Tells what the phone would do at power-on with this flash: dead, brom_loop, stuck_brom,\n"
			       "boot_loop, white_screen, black_screen, boots_with_faults or boots, with the reasons.\n"
			       "Exit status: 0 boots, 3 boots_with_faults, 4 black_screen, 5 white_screen, 6 boot_loop,\n"
			       "7 stuck_brom, 8 dead, 9 brom_loop, 1 the image could not be read, 2 usage.\n");
			return 0;
		} else {
			return usage_error("boot", "bad option", NULL);
		}
	}
	if (!emmc || optind < argc)
		return usage_error("boot", "give --emmc FILE", NULL);
	const struct sim_model *m = model ? sim_model_find(model) : NULL;
	if (model && !m)
		return sim_unknown_model(model);
	struct sim_emmc *e = NULL;
	struct unifw_error err = { 0 };
	enum sim_verdict v = SIM_VERDICT_DEAD;
	int rc = sim_emmc_open(emmc, &e, &err);
	if (rc == 0)
		rc = sim_boot_print(e, m, json, stdout, &v, &err);
	sim_emmc_close(e);
	return rc ? fail(&err) : sim_verdict_exit_code(v);
}
