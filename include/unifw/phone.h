/* unifw — a connected phone: port + BROM/preloader core + legacy DA core, brought up to the point
 * where partitions can be read and written. This is the layer the jobs (identify, backup, flash,
 * format, reboot) use; it hides the step-by-step protocol (proto.h, brom.h, da_legacy.h) and the
 * transport (transport.h). Implemented in src/ops/phone.c.
 *
 * CONTRACT for the jobs: names and meanings below are fixed; fields/functions may be ADDED. */
#ifndef UNIFW_PHONE_H
#define UNIFW_PHONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/json.h"
#include "unifw/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* eMMC hardware partitions (the DA's SDMMC_SWITCH_PART numbers). */
enum unifw_phone_part { UNIFW_PHONE_BOOT1 = 1, UNIFW_PHONE_BOOT2 = 2, UNIFW_PHONE_RPMB = 3, UNIFW_PHONE_USER = 8 };

struct unifw_phone_open_opts {
	const char *port;           /* --port string: auto, /dev/ttyACM0, usb:B:A, unix:PATH, tcp:H:P */
	const char *da_path;        /* MTK_AllInOne_DA.bin (--da / UNIFW_DA / config) */
	/* BROM mode needs the phone's DRAM (EMI) settings: from the phone's OWN preloader (backup) or a
	 * preloader whose EMI table lists the phone's memory part. NULL: fail with a clear message in BROM
	 * mode (never guess). */
	const char *emi_preloader_path;
	unsigned timeout_percent;   /* scale protocol timeouts (0 = 100) */
	bool high_speed;            /* switch USB to high speed when the DA reports full speed */
	const struct unifw_progress *progress; /* may be NULL */
	const char *trace_path;     /* protocol log, NULL = none */
	/* ADDED (jobs helper): */
	bool brom_only;             /* stop after the BROM/preloader identification: no DA is sent (identify
				     * without --da); read/write/format then fail with UNIFW_E_INVALID */
	struct unifw_phone_info *partial; /* when non-NULL, filled with what was learned even when open
				     * fails (identify shows BROM facts, the CID and DRAM id of report 1) */
	unsigned wait_ms;           /* --port auto: how long to wait for the phone (0 = 60 s) */
};

/* What the phone said about itself (filled by unifw_phone_open). */
struct unifw_phone_info {
	const char *mode;           /* "brom" | "preloader" */
	uint16_t hw_code, hw_subcode, hw_ver, sw_ver;
	uint32_t target_config;     /* bit0 SBC, bit1 SLA, bit2 DAA */
	bool have_me_id;
	uint8_t me_id[16];
	char chip_name[16];         /* "MT6572" */
	uint8_t da_major, da_minor;
	/* eMMC (report 2) */
	uint64_t boot1_size, boot2_size, rpmb_size, user_size;
	uint8_t cid[16];            /* MSB first: MID, CBX, OID, PNM[6], PRV, PSN[4], MDT, CRC */
	uint8_t dram_info[16];      /* DRAM id (BROM mode) or zeros */
	uint64_t dram_size;
	const char *storage;        /* "emmc" | "nand" | "nor" */
	/* ADDED (jobs helper): */
	uint8_t bl_ver;             /* GET_BL_VER answer (0xFE = BROM) */
	bool have_brom_ver;
	uint8_t brom_ver;           /* GET_VERSION (BROM mode only) */
	bool have_target_config;
	bool have_da;               /* the DA ran: the fields below are the DA's word */
	uint8_t da_extra;
	bool have_cid;              /* from report 1 (even when stage 2 could not run) or report 2 */
	bool have_dram_info;        /* BROM mode: the DRAM id DA1 sent */
	bool have_report2;          /* sizes, fwver and DRAM size are known */
	uint8_t emmc_fwver[8];
	uint64_t gp_size[4];
	bool usb_high_speed;        /* USB_CHECK_STATUS answered 1 (after the switch when one was made) */
	bool emi_sent;              /* BROM mode: an EMI entry was sent ... */
	size_t emi_index;           /* ... this one of the preloader's table */
	char port[280];             /* the port as opened */
};

struct unifw_phone;

/* Connect, handshake, identify, send the DA (entry chosen by hw code/ver), boot DA1 and DA2 (EMI step in
 * BROM mode), read report 2. On error the message says what to do (plug in, ModemManager, EMI...). */
int unifw_phone_open(const struct unifw_phone_open_opts *opts, struct unifw_phone **out, struct unifw_error *err);
const struct unifw_phone_info *unifw_phone_info(const struct unifw_phone *ph);
/* Identity as JSON (for identify --json and backup manifests): chip, CID decoded, sizes, DRAM, mode. */
struct unifw_jv *unifw_phone_info_to_json(const struct unifw_phone *ph);
/* The same from an info struct (opts.partial after a failed open). ADDED. */
struct unifw_jv *unifw_phone_info_json(const struct unifw_phone_info *info);

/* Size in bytes of a hardware partition (report 2); 0 when absent or unknown. ADDED. */
uint64_t unifw_phone_part_size(const struct unifw_phone *ph, enum unifw_phone_part part);
/* "boot1", "boot2", "rpmb", "user area" (for messages). */
const char *unifw_phone_part_name(enum unifw_phone_part part);
/* Size of the boot region = boot1 + boot2 + RPMB: the linear (scatter) address of user-area offset 0
 * (docs/format-partition-tables.md "Address spaces"). ADDED. */
uint64_t unifw_phone_boot_region(const struct unifw_phone *ph);

/* Stream [off, off+len) of a hardware partition to sink (verified packets only, in order).
 * Progress: the phone layer does not call update() for read/write (a job reads a partition in
 * several calls and knows its own totals): count bytes in the sink/source. FORMAT does report
 * unifw_progress_update(done bytes of this call). A failed read/write/format leaves the link out of
 * step: every later call fails with UNIFW_E_DEVICE ("reconnect"); only close is useful then. */
typedef int (*unifw_phone_sink)(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err);
int unifw_phone_read(struct unifw_phone *ph, enum unifw_phone_part part, uint64_t off, uint64_t len,
		     unifw_phone_sink sink, void *ctx, struct unifw_error *err);
/* Write len bytes at off, pulling the bytes from source (called with consecutive ranges). */
typedef int (*unifw_phone_source)(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err);
int unifw_phone_write(struct unifw_phone *ph, enum unifw_phone_part part, uint64_t off, uint64_t len,
		      unifw_phone_source source, void *ctx, struct unifw_error *err);
/* Erase [off, off+len) of the user area (FORMAT). */
int unifw_phone_format(struct unifw_phone *ph, uint64_t off, uint64_t len, struct unifw_error *err);
/* The PMT as the DA returns it (malloc'd copy; caller frees). */
int unifw_phone_read_pmt(struct unifw_phone *ph, uint8_t **buf, size_t *len, struct unifw_error *err);
/* FINISH (reboot); afterwards only unifw_phone_close is valid (it frees ph). */
int unifw_phone_reboot(struct unifw_phone *ph, struct unifw_error *err);
void unifw_phone_close(struct unifw_phone *ph);

#ifdef __cplusplus
}
#endif
#endif
