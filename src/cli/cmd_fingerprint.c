/* unifw fingerprint (PATH | --port P) [--json]: what a firmware package (folder, archive or scatter
 * file), a unifw backup folder or a connected phone IS, in the terms `unifw check` compares
 * (docs/check.md "Fingerprints"; JSON keys docs/json.md "fingerprint"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/jobs.h"
#include "unifw/fingerprint.h"
#include "unifw/human.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: unifw fingerprint PATH [--json]\n"
		"       unifw fingerprint --port PORT [--da FILE] [--json]\n\n"
		"Show what a firmware package (folder, archive or scatter file), a unifw backup folder or a connected\n"
		"phone is, in the terms 'unifw check' compares: platform, partition layout and boot region, the\n"
		"preloader's memory parts, LK's and the kernel's display (LCM) and touch drivers, the boot image,\n"
		"Android version, logo, the modem image and its header, the WLAN module's vermagic, the kernel's\n"
		"partition map and modem reservation, and for a backup or a phone the eMMC CID, the panel LK selects\n"
		"and the identity state.\n"
		"From a phone only what is needed is read (tables, boot1, LK, the boot image, LOGO, a few files).\n\n"
		"  --json              print one JSON object (keys: docs/json.md \"fingerprint\")\n"
		"%s\n"
		"exit status: 0 ok, 1 the source could not be read, 2 usage\n",
		cli_phone_usage);
}

static const char *yn(bool b) { return b ? "yes" : "no"; }

static void print_names(const char *label, const struct unifw_names *l)
{
	printf("%-16s", label);
	if (!l->count)
		printf("(none)");
	for (size_t i = 0; i < l->count; i++)
		printf("%s%s", i ? ", " : "", l->name[i]);
	printf("%s\n", l->truncated ? ", ..." : "");
}

static void print_layout(const struct unifw_fingerprint *fp)
{
	char a[32], b[32];
	printf("Layout          %zu partitions, boot region 0x%llx%s%s\n", fp->part_count,
	       (unsigned long long)fp->boot_region, fp->user_size ? ", user area " : "",
	       fp->user_size ? unifw_human_size(fp->user_size, a, sizeof a) : "");
	for (size_t i = 0; i < fp->part_count; i++) {
		const struct unifw_fp_part *p = &fp->parts[i];
		char pn[16] = "";
		if (p->mbr_index)
			snprintf(pn, sizeof pn, "p%u", p->mbr_index);
		printf("  %-12s 0x%-10llx %-10s %-4s %-10s %s\n", p->name, (unsigned long long)p->linear,
		       unifw_human_size(p->size, a, sizeof a), pn, p->content,
		       p->download ? unifw_human_size(p->image_bytes, b, sizeof b) : "-");
	}
}

static void print_emi(const char *label, const struct unifw_fp_emi *e, size_t n)
{
	printf("%-16s%zu memory part%s\n", label, n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		char hex[33];
		size_t len = e[i].id_length <= 16 ? e[i].id_length : 16;
		for (size_t k = 0; k < len; k++)
			snprintf(hex + 2 * k, 3, "%02x", e[i].id[k]);
		hex[2 * len] = '\0';
		printf("  type 0x%04x id %s (%u bytes compared)\n", e[i].type, hex, e[i].id_length);
	}
}

static void print_boot(const struct unifw_fingerprint *fp)
{
	if (fp->have_preloader) {
		printf("Preloader       %s, project %s%s\n", fp->preloader_platform[0] ? fp->preloader_platform : "?",
		       fp->preloader_project[0] ? fp->preloader_project : "?",
		       fp->preloader_dram_info_match ? ", checks DRAM vendor and ranks too" : "");
		print_emi("  EMI tag", fp->emi_tag, fp->emi_tag_count);
		if (fp->have_emi_compiled)
			print_emi("  emi_settings", fp->emi_compiled, fp->emi_compiled_count);
		else
			printf("  emi_settings[] not found\n");
	}
	if (fp->have_lk) {
		printf("LK              %s, project %s, MTK header %s\n", fp->lk_platform[0] ? fp->lk_platform : "?",
		       fp->lk_project[0] ? fp->lk_project : "?", yn(fp->lk_has_header));
		print_names("  LCM drivers", &fp->lk_lcm);
	}
	if (fp->panel_rule[0])
		printf("Panel           %s (%s)\n", fp->panel_lcm[0] ? fp->panel_lcm : "unknown", fp->panel_rule);
	if (fp->have_boot) {
		if (fp->boot_valid)
			printf("Boot image      page %u, kernel header %s, ramdisk header %s, init %s\n", fp->boot_page_size,
			       fp->boot_kernel_name[0] ? fp->boot_kernel_name : "(none)",
			       fp->boot_ramdisk_name[0] ? fp->boot_ramdisk_name : "(none)", yn(fp->ramdisk_has_init));
		else
			printf("Boot image      INVALID: %s\n", fp->boot_problem);
	}
	if (fp->have_kernel) {
		printf("Kernel          %s (%s)\n", fp->kernel_version, fp->kernel_compression);
		print_names("  LCM drivers", &fp->kernel_lcm);
		print_names("  touch drivers", &fp->kernel_touch);
		print_names("  camera", &fp->kernel_camera);
	}
	if (fp->have_kmap)
		printf("  index map     %zu entries%s\n", fp->kmap_count,
		       fp->kmap_assumed ? " (assumed: the layout's MBR order)" : " (read from the kernel)");
	if (fp->have_md1)
		printf("  modem 1       type %s, 0x%x bytes reserved%s\n", fp->md1_type, fp->md1_reserved,
		       fp->md1_assumed ? " (assumed: MT6572 default)" : " (read from the kernel)");
}

static void print_system(const struct unifw_fingerprint *fp)
{
	if (fp->have_android) {
		if (fp->system_valid)
			printf("Android         %s, %s %s (board %s, device %s), build %s\n", fp->android_release,
			       fp->product_brand, fp->product_model, fp->product_board, fp->product_device, fp->build_display);
		else
			printf("Android         no readable /build.prop\n");
	}
	if (fp->have_logo)
		printf("Logo            %ux%u, %u frames\n", fp->logo_width, fp->logo_height, fp->logo_frames);
	if (fp->have_modem) {
		printf("Modem           %s, %llu bytes", fp->modem_path, (unsigned long long)fp->modem_size);
		if (fp->modem_has_header)
			printf(", header v%u, MD SYS%u, asks 0x%x bytes, image 0x%x bytes, built for '%s'\n",
			       fp->md_header_version, fp->md_bind_sys_id, fp->md_mem_size, fp->md_img_size, fp->md_build_ver);
		else
			printf(", no CHECK_HEADER\n");
	}
	if (fp->have_android)
		printf("Modem database  %s\n", fp->have_mddb ? "present" : "absent");
	if (fp->have_wlan)
		printf("WLAN module     %s\n", !fp->wlan_module_present ? "absent (no /system/lib/modules/wlan_mt.ko)"
						 : fp->wlan_module_vermagic[0] ? fp->wlan_module_vermagic
										: "present, no vermagic");
	if (fp->have_touch_fw)
		print_names("Touch firmware", &fp->touch_fw);
	if (fp->have_identity)
		printf("Identity        BinRegion %s (IMEI record %s), /data/nvram %s (IMEI record %s), WiFi %s, BT %s\n",
		       fp->binregion_valid ? "valid" : "INVALID", yn(fp->binregion_imei), fp->data_nvram ? "present" : "absent",
		       yn(fp->data_imei), fp->wifi_state[0] ? fp->wifi_state : "?", fp->bt_state[0] ? fp->bt_state : "?");
}

static void print_human(const struct unifw_fingerprint *fp)
{
	printf("Fingerprint of  %s %s\n", unifw_fp_source_name(fp->source), fp->path);
	char hw[24] = "";
	if (fp->hw_code)
		snprintf(hw, sizeof hw, " (hw code 0x%04x)", fp->hw_code);
	printf("Platform        %s%s, storage %s, project %s\n", fp->platform[0] ? fp->platform : "?", hw,
	       fp->storage[0] ? fp->storage : "?", fp->project[0] ? fp->project : "?");
	if (fp->have_cid) {
		char hex[33];
		for (size_t k = 0; k < 16; k++)
			snprintf(hex + 2 * k, 3, "%02x", fp->cid[k]);
		printf("eMMC CID        %s\n", hex);
	}
	if (fp->have_layout)
		print_layout(fp);
	print_boot(fp);
	print_system(fp);
	for (size_t i = 0; i < fp->note_count; i++)
		printf("note: %s\n", fp->notes[i]);
}

static int print_result(const struct unifw_fingerprint *fp, bool json)
{
	if (!json) {
		print_human(fp);
		return CLI_OK;
	}
	struct unifw_jv *j = unifw_fingerprint_to_json(fp);
	cli_print_json(j);
	unifw_jv_free(j);
	return CLI_OK;
}

enum { OPT_JSON = CLI_OPT_OWN };

static const struct option longopts[] = {
	CLI_PHONE_LONGOPTS,
	{"json", no_argument, NULL, OPT_JSON},
	{"help", no_argument, NULL, 'h'},
	{0},
};

/* 0 parsed, -1 --help printed, else the exit status of a usage error. */
static int parse(int argc, char **argv, struct cli_phone_args *pa, bool *json, const char **path)
{
	struct cli_getopt g;
	int c, r;
	cli_getopt_init(&g, "fingerprint", argc, argv, "h" CLI_PHONE_SHORTOPTS, longopts);
	while ((c = cli_getopt_next(&g)) != -1) {
		if (c == CLI_OPT_ERROR || (r = cli_phone_opt(&g, c, pa)) < 0)
			return CLI_USAGE;
		if (r > 0)
			continue;
		if (c == OPT_JSON) {
			*json = true;
			cli_set_json(true);
		} else if (c == 'h') {
			usage(stdout);
			return -1;
		} else
			return cli_usage_error("fingerprint", "unknown option '%s'", cli_getopt_name(&g, c));
	}
	if (g.optind < argc)
		*path = argv[g.optind++];
	if (g.optind < argc)
		return cli_usage_error("fingerprint", "unexpected argument '%s'", argv[g.optind]);
	if (!*path && !pa->port)
		return cli_usage_error("fingerprint", "give a package or backup PATH, or --port for a phone");
	if (*path && pa->port)
		return cli_usage_error("fingerprint", "give a PATH or --port, not both");
	return 0;
}

struct fp_run {
	struct unifw_fingerprint *fp;
};

static int fingerprint_job(void *ctx, struct unifw_phone *ph, struct unifw_error *err)
{
	struct fp_run *r = ctx;
	return unifw_fingerprint_phone(ph, r->fp, err);
}

static int from_phone(const struct cli_phone_args *pa, struct unifw_fingerprint *fp, bool json,
		      struct unifw_error *err)
{
	struct cli_progress prog;
	cli_progress_init(&prog, false);
	if (json && prog.mode == CLI_PROGRESS_BARS)
		prog.mode = CLI_PROGRESS_LINES;
	struct unifw_job job;
	struct fp_run run = { fp };
	cli_job_init(&job, "fingerprint", pa, cli_progress_cb(&prog));
	job.run = fingerprint_job;
	job.ctx = &run;
	return unifw_job_run(&job, err);
}

int cmd_fingerprint(int argc, char **argv)
{
	struct cli_phone_args pa = {0};
	bool json = false;
	const char *path = NULL;
	int prc = parse(argc, argv, &pa, &json, &path);
	if (prc)
		return prc < 0 ? CLI_OK : prc;
	struct unifw_fingerprint *fp = malloc(sizeof *fp);
	struct unifw_error err;
	unifw_error_clear(&err);
	if (!fp) {
		unifw_error_set(&err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
		return cli_error(&err);
	}
	int rc = path ? unifw_fingerprint_path(path, fp, &err) : from_phone(&pa, fp, json, &err);
	if (rc < 0) {
		free(fp);
		return path ? cli_error(&err) : cli_job_exit(rc, cli_error(&err));
	}
	rc = print_result(fp, json);
	free(fp);
	return rc;
}
