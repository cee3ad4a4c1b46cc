/* Bringing a phone up (include/unifw/phone.h, unifw_phone_open): the DA and EMI files read first, then
 * the BROM/preloader handshake and identification, DA1 and DA2 with the EMI step in BROM mode, report 2
 * and the USB speed. Moved out of phone.c along its section seams (issue 10); the I/O on an open phone
 * and the JSON stay there. */
#include "ops/phone_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/brom.h"
#include "unifw/chip.h"
#include "unifw/config.h"
#include "unifw/da_legacy.h"
#include "unifw/dafile.h"
#include "unifw/emi.h"
#include "unifw/hash.h"
#include "unifw/identify.h"
#include "unifw/io.h"
#include "unifw/job.h"
#include "unifw/preloader.h"
#include "unifw/transport.h"

#define DA_FILE_MAX (64u << 20)        /* MTK_AllInOne_DA.bin is 1-10 MiB */
#define PRELOADER_FILE_MAX (16u << 20) /* a boot1 dump is 1-4 MiB */

struct emi_source {
	uint8_t *buf;
	size_t len;
	struct unifw_emi_table table;
	struct unifw_emi_compiled compiled; /* the preloader's own emi_settings[], when have_compiled */
	bool have_compiled;
	struct unifw_da_emi_entry entries[UNIFW_EMI_MAX_ENTRIES];
	struct unifw_da_emi emi;
	char path[256];
};

static void on_session_progress(void *ctx, const char *op, uint64_t done, uint64_t total)
{
	(void)op;
	(void)total;
	unifw_progress_update(ctx, done);
}

static void hex_bytes(const uint8_t *b, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	if (cap)
		out[0] = 0;
	for (size_t i = 0; i < n && k + 3 < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, "%s%02x", i ? " " : "", b[i]);
}

/* --- inputs read before the phone is touched (file errors come first) ------------------------- */

struct da_source {
	uint8_t *buf;
	size_t len;
	struct unifw_dafile file;
	char path[256];
};

static const char *config_path_for_message(void)
{
	static char path[4096];
	return unifw_config_path(path, sizeof path) ? path : "~/.config/unifw/config";
}

static int da_load(const char *path, struct da_source *d, struct unifw_error *err)
{
	if (!path || !*path)
		return unifw_error_set(err, UNIFW_E_INVALID, "download agent", UNIFW_NO_OFFSET,
				       "no download agent given: pass --da MTK_AllInOne_DA.bin, set UNIFW_DA, or put "
				       "'da = /path/to/MTK_AllInOne_DA.bin' in the configuration file (%s) "
				       "(the DA is MediaTek's; unifw ships none)", config_path_for_message());
	snprintf(d->path, sizeof d->path, "%s", path);
	int rc = unifw_file_read_all(path, DA_FILE_MAX, &d->buf, &d->len, err);
	if (rc < 0)
		return rc;
	rc = unifw_dafile_parse(d->buf, d->len, d->len, path, &d->file, err);
	if (rc < 0) {
		unifw_error_prefix(err, "the download agent file is not an MTK_AllInOne_DA container: ");
		free(d->buf);
		d->buf = NULL;
	}
	return rc;
}

static void da_source_free(struct da_source *d)
{
	if (d->buf)
		unifw_dafile_free(&d->file);
	free(d->buf);
	d->buf = NULL;
}

static const char emi_advice[] =
	"the EMI (DRAM) settings must come from this phone's own preloader (from its backup) or a preloader "
	"that lists its memory part";

/* A preloader image (build output, boot1 dump or NO_GFH) or a bare MTK_BLOADER_INFO block. */
static int emi_load(const char *path, struct emi_source *m, struct unifw_error *err)
{
	struct unifw_preloader pl;
	int rc;
	snprintf(m->path, sizeof m->path, "%s", path);
	rc = unifw_file_read_all(path, PRELOADER_FILE_MAX, &m->buf, &m->len, err);
	if (rc < 0)
		return rc;
	struct unifw_error e;
	unifw_error_clear(&e);
	if (unifw_preloader_parse(m->buf, m->len, path, &pl, &e) == 0 && pl.has_emi) {
		rc = unifw_preloader_emi_table(m->buf, m->len, &pl, &m->table, err);
		m->have_compiled = unifw_preloader_emi_compiled(m->buf, m->len, &pl, &m->compiled, &e) == 0;
	} else {
		uint64_t off = unifw_emi_find_tag(m->buf, m->len, 0);
		if (off == UINT64_MAX)
			rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, path, UNIFW_NO_OFFSET,
					     "no MTK_BLOADER_INFO (EMI table) in this file%s%s: %s", e.msg[0] ? "; " : "",
					     e.msg, emi_advice);
		else
			rc = unifw_emi_parse(m->buf, m->len, off, path, &m->table, err);
	}
	if (rc == 0)
		rc = unifw_da_emi_from_table(&m->table, m->buf, m->len, m->entries, UNIFW_EMI_MAX_ENTRIES, &m->emi, err);
	if (rc < 0) {
		unifw_error_where(err, path);
		free(m->buf);
		m->buf = NULL;
	}
	return rc;
}

/* --- BROM / preloader -------------------------------------------------------------------------- */

static void copy_brom_info(struct unifw_phone *ph)
{
	const struct unifw_brom_info *b = unifw_brom_info(ph->brom);
	struct unifw_phone_info *i = &ph->info;
	i->mode = b->mode == UNIFW_BROM_MODE_BROM ? "brom" : b->mode == UNIFW_BROM_MODE_PRELOADER ? "preloader" : "unknown";
	i->hw_code = b->hw_code;
	i->hw_subcode = b->hw_subcode;
	i->hw_ver = b->hw_ver;
	i->sw_ver = b->sw_ver;
	i->target_config = b->target_config;
	i->have_target_config = b->have_target_config;
	i->bl_ver = b->bl_ver;
	i->have_brom_ver = b->have_brom_ver;
	i->brom_ver = b->brom_ver;
	if (b->me_id_len) {
		i->have_me_id = true;
		memcpy(i->me_id, b->me_id, b->me_id_len < sizeof i->me_id ? b->me_id_len : sizeof i->me_id);
	}
	const struct unifw_chip *c = unifw_chip_find(b->hw_code);
	if (c)
		snprintf(i->chip_name, sizeof i->chip_name, "%s", c->name);
	else if (b->have_hw_code)
		snprintf(i->chip_name, sizeof i->chip_name, "MT%04X", b->hw_code);
}

static int brom_identify(struct unifw_phone *ph, struct unifw_error *err)
{
	struct unifw_brom *b = ph->brom;
	struct unifw_proto *p = unifw_brom_proto(b);
	int rc = phone_run(ph, p, unifw_brom_begin_handshake(b, NULL), "handshake", NULL, err);
	if (rc < 0) {
		unifw_error_prefix(err, "the phone did not answer the download handshake (is it powered off and "
					"just plugged in? is ModemManager holding the port? see docs/udev.md): ");
		return rc;
	}
	if ((rc = phone_run(ph, p, unifw_brom_begin_get_hw_code(b), "GET_HW_CODE", NULL, err)) < 0 ||
	    (rc = phone_run(ph, p, unifw_brom_begin_get_hw_sw_ver(b), "GET_HW_SW_VER", NULL, err)) < 0 ||
	    (rc = phone_run(ph, p, unifw_brom_begin_get_bl_ver(b), "GET_BL_VER", NULL, err)) < 0 ||
	    (rc = phone_run(ph, p, unifw_brom_begin_get_version(b), "GET_VERSION", NULL, err)) < 0 ||
	    (rc = phone_run(ph, p, unifw_brom_begin_get_target_config(b), "GET_TARGET_CONFIG", NULL, err)) < 0)
		return rc;
	if (unifw_brom_info(b)->mode == UNIFW_BROM_MODE_BROM &&
	    (rc = phone_run(ph, p, unifw_brom_begin_get_me_id(b), "GET_ME_ID", NULL, err)) < 0)
		return rc;
	copy_brom_info(ph);
	const struct unifw_brom_info *bi = unifw_brom_info(b);
	phone_trace(ph, "phone: %s hw_code=0x%04x hw_ver=0x%04x target_config=0x%08x", ph->info.mode, bi->hw_code,
	      bi->hw_ver, bi->target_config);
	ph->chip = unifw_chip_find(bi->hw_code);
	if (!ph->chip)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "identify", UNIFW_NO_OFFSET,
				       "hw code 0x%04x is not a chip unifw knows (MT6572 is supported)", bi->hw_code);
	if (!ph->chip->supported || ph->chip->da_mode != UNIFW_DA_MODE_LEGACY)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "identify", UNIFW_NO_OFFSET,
				       "the phone is a %s (%s): unifw supports MT6572 only", ph->chip->name,
				       ph->chip->description);
	return 0;
}

static int brom_send_da(struct unifw_phone *ph, struct da_source *d, struct unifw_da_region *r2,
			struct unifw_error *err)
{
	struct unifw_brom *b = ph->brom;
	struct unifw_proto *p = unifw_brom_proto(b);
	const struct unifw_brom_info *bi = unifw_brom_info(b);
	struct unifw_da_region r1;
	size_t idx;
	int rc;
	if (bi->sla)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "identify", UNIFW_NO_OFFSET,
				       "the phone requires serial link authorization (SLA, target config 0x%08x): "
				       "unifw does not bypass it",
				       bi->target_config);
	if ((rc = phone_run(ph, p, unifw_brom_begin_disable_watchdog(b, ph->chip), "disable the watchdog", NULL, err)) < 0)
		return rc;
	if ((rc = unifw_dafile_select(&d->file, bi->hw_code, bi->hw_ver, bi->sw_ver, &idx, err)) < 0 ||
	    (rc = unifw_dafile_stage(&d->file, idx, 1, &r1, err)) < 0 ||
	    (rc = unifw_dafile_stage(&d->file, idx, 2, r2, err)) < 0) {
		unifw_error_where(err, d->path);
		unifw_error_prefix(err, "choosing the DA entry for hw code 0x%04x: ", bi->hw_code);
		return rc;
	}
	phone_trace(ph, "DA entry %zu: DA1 %u bytes at 0x%08x, DA2 %u bytes at 0x%08x", idx, r1.length, r1.load_addr,
	      r2->length, r2->load_addr);
	struct unifw_session_hooks h = {.on_progress = on_session_progress, .ctx = (void *)ph->progress};
	unifw_progress_begin(ph->progress, "send DA", "DA1", r1.length);
	rc = phone_run(ph, p, unifw_brom_begin_send_da(b, r1.load_addr, d->buf + r1.offset, r1.length, r1.sig_len),
		 "SEND_DA (DA stage 1)", &h, err);
	unifw_progress_end(ph->progress, rc, NULL);
	if (rc < 0)
		return rc;
	return phone_run(ph, p, unifw_brom_begin_jump_da(b, r1.load_addr), "JUMP_DA", NULL, err);
}

/* --- DA ---------------------------------------------------------------------------------------- */

static void copy_report1(struct unifw_phone *ph)
{
	const struct unifw_da_report1 *r = &unifw_da_info(ph->da)->report1;
	struct unifw_phone_info *i = &ph->info;
	if (!r->valid)
		return;
	i->have_da = true;
	i->da_major = r->da_major;
	i->da_minor = r->da_minor;
	i->da_extra = r->da_extra;
	i->storage = unifw_da_storage_name(r->storage);
	if (r->storage == UNIFW_DA_STORAGE_EMMC) {
		for (size_t w = 0; w < 4; w++)
			for (size_t k = 0; k < 4; k++)
				i->cid[4 * w + k] = (uint8_t)(r->emmc_id[w] >> (24 - 8 * k));
		i->have_cid = true;
	}
}

static void copy_dram(struct unifw_phone *ph)
{
	const struct unifw_da_dram *d = &unifw_da_info(ph->da)->dram;
	if (!d->valid && d->config_status != UNIFW_DA_STATUS_DRAM_NEEDED)
		return;
	if (d->config_status == UNIFW_DA_STATUS_DRAM_NEEDED) {
		memcpy(ph->info.dram_info, d->dram_info, sizeof ph->info.dram_info);
		ph->info.have_dram_info = true;
	}
	if (d->valid && d->config_status == UNIFW_DA_STATUS_DRAM_NEEDED && d->ext_ram_ret == 0) {
		ph->info.emi_sent = true;
		ph->info.emi_index = d->emi_index;
		ph->info.dram_size = d->ext_ram_size;
	}
}

static void copy_report2(struct unifw_phone *ph)
{
	const struct unifw_da_report2 *r = &unifw_da_info(ph->da)->report2;
	struct unifw_phone_info *i = &ph->info;
	if (!r->valid)
		return;
	i->have_report2 = true;
	if (r->emmc_ret == 0) {
		i->boot1_size = r->emmc_boot1_size;
		i->boot2_size = r->emmc_boot2_size;
		i->rpmb_size = r->emmc_rpmb_size;
		i->user_size = r->emmc_ua_size;
		memcpy(i->gp_size, r->emmc_gp_size, sizeof i->gp_size);
		memcpy(i->cid, r->emmc_cid, sizeof i->cid);
		memcpy(i->emmc_fwver, r->emmc_fwver, sizeof i->emmc_fwver);
		i->have_cid = true;
	}
	if (r->ext_ram_ret == 0 && r->ext_ram_size)
		i->dram_size = r->ext_ram_size;
}

/* Report 1 (DA1) and report 2 (DA2) both carry the eMMC CID. A DA that gives two different CIDs is a
 * misbehaving device: every identity check (flash plan, identity images, journals, backups) keys on the
 * CID, so neither value can be trusted and the job stops. */
static int check_report_cids(const struct unifw_phone *ph, struct unifw_error *err)
{
	const struct unifw_da_report1 *r1 = &unifw_da_info(ph->da)->report1;
	const struct unifw_da_report2 *r2 = &unifw_da_info(ph->da)->report2;
	if (!r1->valid || r1->storage != UNIFW_DA_STORAGE_EMMC || !r2->valid || r2->emmc_ret != 0)
		return 0;
	uint8_t c1[16];
	for (size_t w = 0; w < 4; w++)
		for (size_t k = 0; k < 4; k++)
			c1[4 * w + k] = (uint8_t)(r1->emmc_id[w] >> (24 - 8 * k));
	if (!memcmp(c1, r2->emmc_cid, sizeof c1))
		return 0;
	char a[64], b[64];
	hex_bytes(c1, 16, a, sizeof a);
	hex_bytes(r2->emmc_cid, 16, b, sizeof b);
	return unifw_error_set(err, UNIFW_E_DEVICE, "report 2 (storage and RAM)", UNIFW_NO_OFFSET,
			       "the DA reports two different eMMC CIDs: report 1 says %s, report 2 says %s. A phone has "
			       "one eMMC: the device misbehaves (a faulty DA or link), so unifw stops before using either",
			       a, b);
}

static int da_stage2_failed(struct unifw_phone *ph, int rc, struct unifw_error *err, const struct emi_source *emi)
{
	copy_dram(ph);
	if (!ph->info.have_dram_info)
		return rc;
	/* Only a refusal of the EMI settings (UNSAFE) is about the preloader; a device that broke the
	 * exchange (hostile lengths, bad bytes) keeps its own message. */
	if (emi && rc != UNIFW_E_UNSAFE) {
		unifw_error_prefix(err, "BROM mode, DRAM (EMI) step: ");
		return rc;
	}
	char id[64], cid[64], msg[1400];
	hex_bytes(ph->info.dram_info, 16, id, sizeof id);
	hex_bytes(ph->info.cid, 16, cid, sizeof cid);
	if (!emi)
		snprintf(msg, sizeof msg,
			 "BROM mode: the DA needs DRAM settings for memory id %s (eMMC CID %s) and none were given: "
			 "%s; pass --preloader FILE (preloader.bin of a unifw backup of this phone). Stopped before "
			 "the ENABLE_DRAM (E8) step: power-cycle the phone before trying again",
			 id, cid, emi_advice);
	else
		snprintf(msg, sizeof msg,
			 "BROM mode: %s does not list this phone's memory id %s: %s. Stopped before the ENABLE_DRAM "
			 "(E8) step: power-cycle the phone before trying again. Detail: %s",
			 emi->path, id, emi_advice, err ? err->msg : "");
	if (err) {
		unifw_snprintf_words(err->msg, sizeof err->msg, "%s", msg);
		err->code = UNIFW_E_UNSAFE;
		snprintf(err->where, sizeof err->where, "DA stage 2 (EMI)");
	}
	return UNIFW_E_UNSAFE;
}

/* BROM mode: the DA takes the tag's settings, but a preloader whose compiled emi_settings[] (what it runs
 * at power-on) lacks the part or holds other settings for it is not what its tag says: its settings are
 * not trusted either (the flash plan refuses to write such a preloader, docs/flash.md). A bare tag block
 * has no compiled table to contradict it; a tag that lacks the part is left to the DA step's refusal. */
static int emi_tables_agree(const struct unifw_phone *ph, const struct emi_source *emi, struct unifw_error *err)
{
	struct unifw_emi_fit_result r;
	if (!emi || !emi->have_compiled || !ph->info.have_cid || unifw_brom_info(ph->brom)->mode != UNIFW_BROM_MODE_BROM)
		return 0; /* in preloader mode the DRAM is already up: no EMI settings are sent */
	enum unifw_emi_fit fit = unifw_emi_check_fit(&emi->table, &emi->compiled, ph->info.cid, &r);
	if (fit != UNIFW_EMI_FIT_COMPILED_LACKS && fit != UNIFW_EMI_FIT_DISAGREE)
		return 0;
	char cid[64];
	hex_bytes(ph->info.cid, 16, cid, sizeof cid);
	return unifw_error_set(err, UNIFW_E_UNSAFE, "DA stage 2 (EMI)", UNIFW_NO_OFFSET,
			       "BROM mode: %s: its MTK_BLOADER_INFO tag lists this phone's memory part (eMMC CID %s, tag "
			       "entry %zu) but its compiled emi_settings[] %s: the preloader is not what its tag says, so "
			       "its DRAM settings are not used: %s. Stopped before the DRAM step: power-cycle the phone "
			       "before trying again",
			       emi->path, cid, r.tag_index,
			       fit == UNIFW_EMI_FIT_DISAGREE ? "holds other settings for it" : "does not list it",
			       emi_advice);
}

static int da_boot(struct unifw_phone *ph, struct da_source *d, const struct unifw_da_region *r2,
		   const struct emi_source *emi, struct unifw_error *err)
{
	struct unifw_da *da = ph->da;
	struct unifw_proto *p = unifw_da_proto(da);
	const struct unifw_brom_info *bi = unifw_brom_info(ph->brom);
	struct unifw_da_stage2_config cfg;
	int rc = phone_run(ph, p, unifw_da_begin_sync(da), "DA1 sync and report 1", NULL, err);
	if (rc < 0) {
		unifw_error_prefix(err, "the DA stage 1 did not start (wrong DA for this phone?): ");
		return rc;
	}
	copy_report1(ph);
	if (unifw_da_info(da)->report1.storage != UNIFW_DA_STORAGE_EMMC)
		phone_trace(ph, "storage %s", ph->info.storage);
	if ((rc = emi_tables_agree(ph, emi, err)) < 0)
		return rc;
	unifw_da_stage2_defaults(&cfg, bi->have_brom_ver ? bi->brom_ver : 0, bi->bl_ver, ph->chip->bmt_flag,
				 ph->chip->bmt_partsize);
	rc = phone_run(ph, p, unifw_da_begin_stage2(da, &cfg, emi ? &emi->emi : NULL), "DA stage 2 config (DRAM)", NULL, err);
	if (rc < 0)
		return da_stage2_failed(ph, rc, err, emi);
	copy_dram(ph);
	struct unifw_session_hooks h = {.on_progress = on_session_progress, .ctx = (void *)ph->progress};
	unifw_progress_begin(ph->progress, "send DA", "DA2", r2->length);
	rc = phone_run(ph, p, unifw_da_begin_upload_da2(da, r2->load_addr, d->buf + r2->offset, r2->length, UNIFW_DA_DA2_PACKET),
		 "DA stage 2 upload", &h, err);
	unifw_progress_end(ph->progress, rc, NULL);
	if (rc < 0)
		return rc;
	if ((rc = phone_run(ph, p, unifw_da_begin_report2(da), "report 2 (storage and RAM)", NULL, err)) < 0)
		return rc;
	if ((rc = check_report_cids(ph, err)) < 0)
		return rc;
	copy_report2(ph);
	return 0;
}

static int usb_speed(struct unifw_phone *ph, bool want_high, struct unifw_error *err)
{
	struct unifw_da *da = ph->da;
	struct unifw_proto *p = unifw_da_proto(da);
	int rc = phone_run(ph, p, unifw_da_begin_usb_check_status(da), "USB_CHECK_STATUS", NULL, err);
	if (rc < 0)
		return rc;
	ph->info.usb_high_speed = unifw_da_info(da)->usb_speed == 1;
	if (ph->info.usb_high_speed || !want_high)
		return 0;
	if ((rc = phone_run(ph, p, unifw_da_begin_usb_setup_port(da, 1), "USB_SETUP_PORT (high speed)", NULL, err)) < 0)
		return rc;
	unifw_progress_note(ph->progress, "info", "switching USB to high speed: the phone re-enumerates");
	if ((rc = unifw_port_reconnect(ph->port, 0, err)) < 0) {
		unifw_error_prefix(err, "reconnecting after the USB speed switch: ");
		return rc;
	}
	if ((rc = phone_run(ph, p, unifw_da_begin_usb_check_status(da), "USB_CHECK_STATUS after the switch", NULL, err)) < 0)
		return rc;
	ph->info.usb_high_speed = unifw_da_info(da)->usb_speed == 1;
	return 0;
}

/* --- public ------------------------------------------------------------------------------------ */

static void port_notify(void *ctx, const char *message)
{
	unifw_progress_note(ctx, "prompt", "%s", message);
}

static unsigned timeout_percent_from(const struct unifw_phone_open_opts *o)
{
	if (o->timeout_percent)
		return o->timeout_percent;
	const char *env = getenv("UNIFW_TIMEOUT_PERCENT");
	if (env && *env) {
		unsigned long v = strtoul(env, NULL, 10);
		if (v >= 10 && v <= 100000)
			return (unsigned)v;
	}
	return 100;
}

static int open_steps(struct unifw_phone *ph, const struct unifw_phone_open_opts *o, struct da_source *d,
		      struct emi_source *emi, struct unifw_error *err)
{
	struct unifw_port_options popt = {.notify = port_notify, .ctx = (void *)o->progress, .wait_ms = o->wait_ms};
	struct unifw_da_region r2;
	int rc = unifw_port_open(o->port && *o->port ? o->port : "auto", &popt, &ph->port, err);
	if (rc < 0)
		return rc;
	snprintf(ph->info.port, sizeof ph->info.port, "%s", unifw_port_name(ph->port));
	phone_trace(ph, "port %s", ph->info.port);
	if ((rc = brom_identify(ph, err)) < 0 || o->brom_only)
		return rc;
	if ((rc = brom_send_da(ph, d, &r2, err)) < 0)
		return rc;
	/* In BROM mode without a preloader the DA1 still runs: its report 1 and DRAM id say which
	 * preloader would fit, and the core stops before E8 (the error explains). */
	if ((rc = da_boot(ph, d, &r2, emi && emi->buf ? emi : NULL, err)) < 0)
		return rc;
	da_source_free(d);
	if ((rc = usb_speed(ph, o->high_speed, err)) < 0)
		return rc;
	ph->da_ready = true;
	return 0;
}

int unifw_phone_open(const struct unifw_phone_open_opts *opts, struct unifw_phone **out, struct unifw_error *err)
{
	struct unifw_phone_open_opts none = {0};
	const struct unifw_phone_open_opts *o = opts ? opts : &none;
	struct da_source d = {0};
	struct emi_source *emi = NULL;
	int rc = 0;
	*out = NULL;
	if (o->partial)
		memset(o->partial, 0, sizeof *o->partial);

	/* Files first: a wrong path should not cost the user a power cycle. */
	if (!o->brom_only) {
		char conf_da[4096];
		if ((rc = da_load(unifw_da_lookup(o->da_path, conf_da, sizeof conf_da), &d, err)) < 0)
			return rc;
		if (o->emi_preloader_path && *o->emi_preloader_path) {
			emi = calloc(1, sizeof *emi);
			if (!emi) {
				da_source_free(&d);
				return unifw_error_set(err, UNIFW_E_NOMEM, "phone", UNIFW_NO_OFFSET, "out of memory");
			}
			if ((rc = emi_load(o->emi_preloader_path, emi, err)) < 0) {
				unifw_error_prefix(err, "--preloader (EMI settings for BROM mode): ");
				free(emi);
				da_source_free(&d);
				return rc;
			}
		}
	}

	struct unifw_phone *ph = calloc(1, sizeof *ph);
	if (ph) {
		ph->brom = unifw_brom_new();
		ph->da = unifw_da_new();
	}
	if (!ph || !ph->brom || !ph->da) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "phone", UNIFW_NO_OFFSET, "out of memory");
	} else {
		ph->progress = o->progress;
		ph->timeout_percent = timeout_percent_from(o);
		ph->part = -1;
		ph->packet = UNIFW_DA_DEFAULT_PACKET;
		ph->info.mode = "unknown";
		ph->info.storage = "unknown";
		if (o->trace_path && *o->trace_path)
			ph->trace = fopen(o->trace_path, "a");
		rc = open_steps(ph, o, &d, emi, err);
	}
	if (o->partial && ph)
		*o->partial = ph->info;
	da_source_free(&d);
	if (emi)
		free(emi->buf);
	free(emi);
	if (rc < 0) {
		unifw_phone_close(ph);
		return rc;
	}
	*out = ph;
	return 0;
}

