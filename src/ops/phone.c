/* A connected phone (include/unifw/phone.h): port + BROM/preloader core + legacy DA core, brought
 * up the way test_proto_sim.c and docs/transport.md describe (handshake, identification, watchdog,
 * DA1 chosen from the container by hw code, sync and report 1, stage 2 with the EMI step in BROM
 * mode, DA2, report 2, USB speed: phone_open.c), then partition reads, writes, FORMAT, the PMT and
 * FINISH (here). Every failure says which step failed, what the phone said and what to do about it. */
#include "unifw/phone.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unifw/brom.h"
#include "unifw/chip.h"
#include "unifw/da_legacy.h"
#include "unifw/dafile.h"
#include "unifw/emi.h"
#include "unifw/hash.h"
#include "unifw/identify.h"
#include "unifw/io.h"
#include "unifw/preloader.h"
#include "unifw/transport.h"
#include "util/clock.h"

#include "ops/phone_internal.h"

/* --- small helpers ---------------------------------------------------------------------------- */

void phone_trace(struct unifw_phone *ph, const char *fmt, ...)
{
	if (!ph->trace)
		return;
	uint64_t ms = unifw_mono_ms();
	fprintf(ph->trace, "%10llu.%03llu ", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
	va_list ap;
	va_start(ap, fmt);
	vfprintf(ph->trace, fmt, ap);
	va_end(ap);
	fputc('\n', ph->trace);
	fflush(ph->trace);
}

/* Run the operation that `begin_rc` started on core p; on failure the error names the job step. */
int phone_run(struct unifw_phone *ph, struct unifw_proto *p, int begin_rc, const char *step,
	      const struct unifw_session_hooks *hooks_in, struct unifw_error *err)
{
	struct unifw_session_hooks hooks = {0};
	int rc;
	if (hooks_in)
		hooks = *hooks_in;
	hooks.timeout_percent = ph->timeout_percent;
	if (begin_rc < 0) {
		if (err)
			*err = *unifw_proto_error(p);
		rc = begin_rc;
	} else {
		rc = unifw_session_run(ph->port, p, &hooks, err);
	}
	if (rc < 0) {
		char buf[900];
		unifw_error_prefix(err, "%s: ", step);
		phone_trace(ph, "FAIL %s", unifw_error_format(err, buf, sizeof buf));
		return rc;
	}
	phone_trace(ph, "ok   %s", step);
	return 0;
}

const struct unifw_phone_info *unifw_phone_info(const struct unifw_phone *ph) { return &ph->info; }

uint64_t unifw_phone_part_size(const struct unifw_phone *ph, enum unifw_phone_part part)
{
	switch (part) {
	case UNIFW_PHONE_BOOT1: return ph->info.boot1_size;
	case UNIFW_PHONE_BOOT2: return ph->info.boot2_size;
	case UNIFW_PHONE_RPMB: return ph->info.rpmb_size;
	case UNIFW_PHONE_USER: return ph->info.user_size;
	}
	if ((int)part >= 4 && (int)part <= 7)
		return ph->info.gp_size[(int)part - 4];
	return 0;
}

uint64_t unifw_phone_boot_region(const struct unifw_phone *ph)
{
	return ph->info.boot1_size + ph->info.boot2_size + ph->info.rpmb_size;
}

const char *unifw_phone_part_name(enum unifw_phone_part part)
{
	switch (part) {
	case UNIFW_PHONE_BOOT1: return "boot1";
	case UNIFW_PHONE_BOOT2: return "boot2";
	case UNIFW_PHONE_RPMB: return "rpmb";
	case UNIFW_PHONE_USER: return "user area";
	}
	return "gp";
}

/* May a partition command be sent, and is [off, off+len) inside the partition? */
static int check_ready(struct unifw_phone *ph, enum unifw_phone_part part, uint64_t off, uint64_t len,
		       const char *what, struct unifw_error *err)
{
	if (!ph->da_ready)
		return unifw_error_set(err, UNIFW_E_INVALID, what, UNIFW_NO_OFFSET,
				       "the DA is not running (identification only): no partition access");
	if (ph->finished)
		return unifw_error_set(err, UNIFW_E_INVALID, what, UNIFW_NO_OFFSET, "the phone was already rebooted");
	if (ph->broken)
		return unifw_error_set(err, UNIFW_E_DEVICE, what, UNIFW_NO_OFFSET,
				       "the link is out of step after an earlier error: reconnect the phone "
				       "(power it off and plug it in again)");
	uint64_t size = unifw_phone_part_size(ph, part);
	if (size == 0)
		return unifw_error_set(err, UNIFW_E_INVALID, what, off, "the eMMC has no %s partition",
				       unifw_phone_part_name(part));
	if (len == 0 || off > size || len > size - off)
		return unifw_error_set(err, UNIFW_E_INVALID, what, off,
				       "range 0x%llx+0x%llx is outside the %s (0x%llx bytes)", (unsigned long long)off,
				       (unsigned long long)len, unifw_phone_part_name(part), (unsigned long long)size);
	return 0;
}

static int switch_part(struct unifw_phone *ph, enum unifw_phone_part part, struct unifw_error *err)
{
	if (ph->part == (int)part)
		return 0;
	int rc = phone_run(ph, unifw_da_proto(ph->da), unifw_da_begin_switch_part(ph->da, (uint8_t)part), "SDMMC_SWITCH_PART",
		     NULL, err);
	if (rc < 0) {
		ph->broken = true;
		return rc;
	}
	ph->part = (int)part;
	return 0;
}

struct io_ctx {
	unifw_phone_sink sink;
	unifw_phone_source source;
	void *ctx;
	uint64_t base;
};

static int io_data(void *c, const uint8_t *data, size_t len, uint64_t offset, struct unifw_error *err)
{
	struct io_ctx *x = c;
	return x->sink(x->ctx, data, len, x->base + offset, err);
}

static int io_fill(void *c, uint8_t *buf, size_t len, uint64_t offset, struct unifw_error *err)
{
	struct io_ctx *x = c;
	return x->source(x->ctx, buf, len, x->base + offset, err);
}

int unifw_phone_read(struct unifw_phone *ph, enum unifw_phone_part part, uint64_t off, uint64_t len,
		     unifw_phone_sink sink, void *ctx, struct unifw_error *err)
{
	int rc = check_ready(ph, part, off, len, "READ", err);
	if (rc < 0)
		return rc;
	if (!sink)
		return unifw_error_set(err, UNIFW_E_INVALID, "READ", UNIFW_NO_OFFSET, "no sink");
	if ((rc = switch_part(ph, part, err)) < 0)
		return rc;
	struct io_ctx x = {.sink = sink, .ctx = ctx, .base = off};
	struct unifw_session_hooks h = {.on_data = io_data, .ctx = &x};
	char step[96];
	snprintf(step, sizeof step, "READ %s 0x%llx+0x%llx", unifw_phone_part_name(part), (unsigned long long)off,
		 (unsigned long long)len);
	rc = phone_run(ph, unifw_da_proto(ph->da),
		 unifw_da_begin_read(ph->da, UNIFW_DA_READ_STORAGE_EMMC, off, len, ph->packet), step, &h, err);
	if (rc < 0)
		ph->broken = true;
	return rc;
}

int unifw_phone_write(struct unifw_phone *ph, enum unifw_phone_part part, uint64_t off, uint64_t len,
		      unifw_phone_source source, void *ctx, struct unifw_error *err)
{
	int rc = check_ready(ph, part, off, len, "WRITE", err);
	if (rc < 0)
		return rc;
	if (!source)
		return unifw_error_set(err, UNIFW_E_INVALID, "WRITE", UNIFW_NO_OFFSET, "no source");
	if (off % 512)
		return unifw_error_set(err, UNIFW_E_INVALID, "WRITE", off, "the offset must be a multiple of 512");
	if (part == UNIFW_PHONE_RPMB)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "WRITE", off, "RPMB is not writable this way");
	uint64_t padded = (len + 511) / 512 * 512;
	if (padded > unifw_phone_part_size(ph, part) - off)
		return unifw_error_set(err, UNIFW_E_INVALID, "WRITE", off,
				       "0x%llx bytes rounded up to whole sectors do not fit the %s",
				       (unsigned long long)len, unifw_phone_part_name(part));
	if ((rc = switch_part(ph, part, err)) < 0)
		return rc;
	struct io_ctx x = {.source = source, .ctx = ctx, .base = off};
	struct unifw_session_hooks h = {.on_fill = io_fill, .ctx = &x};
	char step[96];
	snprintf(step, sizeof step, "WRITE %s 0x%llx+0x%llx", unifw_phone_part_name(part), (unsigned long long)off,
		 (unsigned long long)len);
	rc = phone_run(ph, unifw_da_proto(ph->da),
		 unifw_da_begin_write(ph->da, UNIFW_DA_WRITE_STORAGE_EMMC, (uint8_t)part, off, len, ph->packet), step,
		 &h, err);
	if (rc < 0)
		ph->broken = true;
	return rc;
}

struct format_progress {
	const struct unifw_progress *p;
	uint64_t len;
};

static void on_format_progress(void *ctx, const char *op, uint64_t done, uint64_t total)
{
	struct format_progress *f = ctx;
	(void)op;
	if (total)
		unifw_progress_update(f->p, f->len / total * done + f->len % total * done / total);
}

int unifw_phone_format(struct unifw_phone *ph, uint64_t off, uint64_t len, struct unifw_error *err)
{
	int rc = check_ready(ph, UNIFW_PHONE_USER, off, len, "FORMAT", err);
	if (rc < 0)
		return rc;
	if (off % 512 || len % 512)
		return unifw_error_set(err, UNIFW_E_INVALID, "FORMAT", off,
				       "offset and length must be multiples of 512 (found 0x%llx+0x%llx)",
				       (unsigned long long)off, (unsigned long long)len);
	if ((rc = switch_part(ph, UNIFW_PHONE_USER, err)) < 0)
		return rc;
	struct format_progress fp = {ph->progress, len};
	struct unifw_session_hooks h = {.on_progress = on_format_progress, .ctx = &fp};
	char step[96];
	snprintf(step, sizeof step, "FORMAT user area 0x%llx+0x%llx", (unsigned long long)off, (unsigned long long)len);
	rc = phone_run(ph, unifw_da_proto(ph->da), unifw_da_begin_format(ph->da, UNIFW_DA_READ_STORAGE_EMMC, off, len), step,
		 &h, err);
	if (rc < 0)
		ph->broken = true;
	return rc;
}

int unifw_phone_read_pmt(struct unifw_phone *ph, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	*buf = NULL;
	*len = 0;
	int rc = check_ready(ph, UNIFW_PHONE_USER, 0, 1, "READ_PMT", err);
	if (rc < 0)
		return rc;
	struct unifw_proto *p0 = unifw_da_proto(ph->da);
	uint64_t rx0 = unifw_proto_rx_total(p0), tx0 = unifw_proto_tx_total(p0);
	rc = phone_run(ph, p0, unifw_da_begin_read_pmt(ph->da), "SDMMC_READ_PMT", NULL, err);
	if (rc < 0) {
		/* A DA without a valid table answers NACK instead of ACK (one byte each way): the link is
		 * still in step, and the answer means "no PMT". Anything else leaves it out of step. */
		if (unifw_proto_rx_total(p0) - rx0 == 1 && unifw_proto_tx_total(p0) - tx0 == 1) {
			unifw_error_prefix(err, "the DA has no valid partition table (PMT): ");
			if (err)
				err->code = UNIFW_E_NOT_FOUND;
			return UNIFW_E_NOT_FOUND;
		}
		ph->broken = true;
		return rc;
	}
	size_t n = 0;
	const uint8_t *p = unifw_da_pmt(ph->da, &n);
	if (!p || n == 0)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "SDMMC_READ_PMT", UNIFW_NO_OFFSET,
				       "the DA returned no partition table");
	*buf = malloc(n);
	if (!*buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, "SDMMC_READ_PMT", UNIFW_NO_OFFSET, "out of memory");
	memcpy(*buf, p, n);
	*len = n;
	return 0;
}

int unifw_phone_reboot(struct unifw_phone *ph, struct unifw_error *err)
{
	if (!ph->da_ready || ph->finished)
		return unifw_error_set(err, UNIFW_E_INVALID, "FINISH", UNIFW_NO_OFFSET,
				       ph->finished ? "the phone was already rebooted" : "the DA is not running");
	if (ph->broken)
		return unifw_error_set(err, UNIFW_E_DEVICE, "FINISH", UNIFW_NO_OFFSET,
				       "the link is out of step after an earlier error: unplug the phone to reboot it");
	int rc = phone_run(ph, unifw_da_proto(ph->da), unifw_da_begin_finish(ph->da, 0), "FINISH (reboot)", NULL, err);
	ph->finished = true;
	return rc;
}

void unifw_phone_close(struct unifw_phone *ph)
{
	if (!ph)
		return;
	if (ph->port)
		unifw_port_close(ph->port);
	unifw_brom_free(ph->brom);
	unifw_da_free(ph->da);
	if (ph->trace)
		fclose(ph->trace);
	free(ph);
}

/* --- JSON -------------------------------------------------------------------------------------- */

static void set_hex_bytes(struct unifw_jv *o, const char *key, const uint8_t *b, size_t n)
{
	char hex[80];
	if (n > 32)
		n = 32;
	unifw_hex(b, n, hex);
	unifw_jv_set_str(o, key, hex);
}

struct unifw_jv *unifw_phone_info_json(const struct unifw_phone_info *i)
{
	struct unifw_jv *o = unifw_jv_object();
	char buf[32];
	unifw_jv_set_str(o, "type", "phone");
	unifw_jv_set_str(o, "mode", i->mode ? i->mode : "unknown");
	if (i->port[0])
		unifw_jv_set_str(o, "port", i->port);
	struct unifw_jv *c = unifw_jv_set_obj(o, "chip");
	unifw_jv_set_str(c, "type", "chip");
	unifw_jv_set_str(c, "name", i->chip_name);
	unifw_jv_set_hex(c, "hw_code", i->hw_code);
	unifw_jv_set_hex(c, "hw_subcode", i->hw_subcode);
	unifw_jv_set_hex(c, "hw_ver", i->hw_ver);
	unifw_jv_set_hex(c, "sw_ver", i->sw_ver);
	const struct unifw_chip *row = unifw_chip_find(i->hw_code);
	unifw_jv_set_bool(c, "supported", row && row->supported);
	unifw_jv_set_hex(o, "bl_ver", i->bl_ver);
	if (i->have_brom_ver)
		unifw_jv_set_hex(o, "brom_ver", i->brom_ver);
	if (i->have_target_config) {
		struct unifw_jv *t = unifw_jv_set_obj(o, "target_config");
		unifw_jv_set_str(t, "type", "target_config");
		unifw_jv_set_hex(t, "value", i->target_config);
		unifw_jv_set_bool(t, "secure_boot", i->target_config & UNIFW_BROM_CFG_SBC);
		unifw_jv_set_bool(t, "sla", i->target_config & UNIFW_BROM_CFG_SLA);
		unifw_jv_set_bool(t, "daa", i->target_config & UNIFW_BROM_CFG_DAA);
	}
	if (i->have_me_id)
		set_hex_bytes(o, "me_id", i->me_id, sizeof i->me_id);
	if (!i->have_da)
		return o;
	snprintf(buf, sizeof buf, "%u.%u.%u", i->da_major, i->da_minor, i->da_extra);
	unifw_jv_set_str(o, "da_version", buf);
	unifw_jv_set_str(o, "storage", i->storage ? i->storage : "unknown");
	if (i->have_cid) {
		struct unifw_jv *e = unifw_jv_set_obj(o, "emmc");
		unifw_jv_set_str(e, "type", "emmc");
		unifw_cid_to_json(i->cid, unifw_jv_set_obj(e, "cid"));
		if (i->have_report2) {
			unifw_jv_set_uint(e, "boot1_size", i->boot1_size);
			unifw_jv_set_uint(e, "boot2_size", i->boot2_size);
			unifw_jv_set_uint(e, "rpmb_size", i->rpmb_size);
			unifw_jv_set_uint(e, "user_size", i->user_size);
			struct unifw_jv *gp = unifw_jv_set_arr(e, "gp_sizes");
			for (size_t k = 0; k < 4; k++)
				unifw_jv_push(gp, unifw_jv_uint(i->gp_size[k]));
			set_hex_bytes(e, "fw_version", i->emmc_fwver, sizeof i->emmc_fwver);
			unifw_jv_set_hex(e, "boot_region", i->boot1_size + i->boot2_size + i->rpmb_size);
		}
	}
	struct unifw_jv *d = unifw_jv_set_obj(o, "dram");
	unifw_jv_set_str(d, "type", "dram");
	if (i->have_dram_info)
		set_hex_bytes(d, "id", i->dram_info, sizeof i->dram_info);
	if (i->dram_size)
		unifw_jv_set_uint(d, "size", i->dram_size);
	/* who brought the DRAM up: the preloader already had (preloader mode) or unifw sent an EMI entry */
	unifw_jv_set_str(d, "configured_by", !strcmp(i->mode ? i->mode : "", "preloader") ? "preloader"
					     : i->emi_sent ? "emi_from_preloader_file" : "none");
	if (i->emi_sent)
		unifw_jv_set_uint(d, "emi_index", i->emi_index);
	if (i->have_report2)
		unifw_jv_set_bool(o, "usb_high_speed", i->usb_high_speed);
	return o;
}

struct unifw_jv *unifw_phone_info_to_json(const struct unifw_phone *ph)
{
	return unifw_phone_info_json(&ph->info);
}
