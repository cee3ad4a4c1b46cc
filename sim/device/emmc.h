/* unifw-sim — the virtual phone's eMMC as one sparse image file.
 *
 * Layout (docs/sim.md): boot1 | boot2 | rpmb | gp1..gp4 | user | footer (4096 bytes).
 * The partitions sit back to back from offset 0 so that the image is a plain dump of the chip
 * (user area at boot1+boot2+rpmb, i.e. at the MT6572 "linear" address of the MBR when the boot
 * region matches); the footer at the end records the geometry, CID and firmware version.
 * The file is created with ftruncate, so only written blocks use disk space; erase punches holes. */
#ifndef UNIFW_SIM_EMMC_H
#define UNIFW_SIM_EMMC_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"
#include "unifw/error.h"

#define SIM_EMMC_FOOTER_LEN 4096u
#define SIM_EMMC_MAX_PART (UINT64_C(1) << 40) /* 1 TiB per partition: far above any MT6572 part */

struct sim_emmc;

/* Defaults: boot1 = boot2 = 4 MiB, rpmb 4 MiB (boot region 0xC00000), user 3728 MiB (a "4 GB"
 * part), the CID of the Lenovo A516's Samsung KMN5U000ZM (15 01 00 "N5U00M" ...). */
void sim_emmc_default_geometry(struct sim_emmc_geometry *g);
/* Checks sizes (multiples of 512, each <= SIM_EMMC_MAX_PART, a user area present). */
int sim_emmc_check_geometry(const struct sim_emmc_geometry *g, struct unifw_error *err);

/* Create a new image (fails if path exists). */
int sim_emmc_create(const char *path, const struct sim_emmc_geometry *g, struct sim_emmc **out,
		    struct unifw_error *err);
/* Open an existing image; the geometry comes from its footer. */
int sim_emmc_open(const char *path, struct sim_emmc **out, struct unifw_error *err);
/* An anonymous image in $TMPDIR, deleted when closed (a phone without --emmc). */
int sim_emmc_create_temp(const struct sim_emmc_geometry *g, struct sim_emmc **out, struct unifw_error *err);
int sim_emmc_flush(struct sim_emmc *e, struct unifw_error *err);
void sim_emmc_close(struct sim_emmc *e);

const struct sim_emmc_geometry *sim_emmc_geometry(const struct sim_emmc *e);
/* Byte offset of partition `part` inside the image file. */
uint64_t sim_emmc_part_offset(const struct sim_emmc *e, unsigned part);
const char *sim_emmc_path(const struct sim_emmc *e);

int sim_emmc_read(struct sim_emmc *e, unsigned part, uint64_t off, void *buf, size_t len,
		  struct unifw_error *err);
int sim_emmc_write(struct sim_emmc *e, unsigned part, uint64_t off, const void *buf, size_t len,
		   struct unifw_error *err);
int sim_emmc_erase(struct sim_emmc *e, unsigned part, uint64_t off, uint64_t len, struct unifw_error *err);

/* The storage interface the device core uses (valid while e is open). */
struct sim_storage sim_emmc_storage(struct sim_emmc *e);

/* The footer, exposed for tests: encode into SIM_EMMC_FOOTER_LEN bytes / decode and validate. */
void sim_emmc_footer_encode(const struct sim_emmc_geometry *g, uint8_t *footer);
int sim_emmc_footer_decode(const uint8_t *footer, size_t len, struct sim_emmc_geometry *g, const char *where,
			   uint64_t footer_off, struct unifw_error *err);

#endif
