/* unifw-sim — the firmware factory: a model's complete stock package in SP Flash Tool form, or the
 * universal package (docs/sim.md "Factory").
 *
 *   DIR/MT6572_Android_scatter.txt   V1.1.1 scatter (unifw_scatter_write)
 *   DIR/preloader_<project>.bin      GFH preloader with the EMI table (its memory parts)
 *   DIR/MBR, EBR1 [, EBR2]           partition tables (unifw_mbr_build)
 *   DIR/lk.bin, boot.img, recovery.img, logo.bin, secro.img
 *   DIR/system.img, cache.img, userdata.img [, custpack.img]   sparse ext4 (mke2fs -d + sparse writer)
 *   DIR/factory/nvram.bin, pro_info.bin, protect_f.img, protect_s.img, userdata.img   the phone's own state (models
 *        only): its identity partitions and USRDATA with /data/nvram as after its first boot. Not part
 *        of what SP Flash Tool downloads (a stock package never carries a phone's identity); make-emmc
 *        writes them. */
#ifndef UNIFW_SIM_FACTORY_H
#define UNIFW_SIM_FACTORY_H

#include <stdint.h>

#include "fw_build.h"
#include "model.h"
#include "unifw/error.h"

#define SIM_SCATTER_NAME "MT6572_Android_scatter.txt"

struct sim_factory_opts {
	uint64_t seed;                     /* filler, UUIDs, the opaque IMEI record (default 1) */
	const struct sim_driver_set *drivers; /* override the LK/kernel driver lists (tests); NULL = the firmware's */
	/* The kernel of boot.img and recovery.img built with these drivers instead (LK keeps `drivers`): a
	 * stock package whose kernel was swapped for another build (make-firmware --kernel-lcm). NULL = the
	 * same as LK's. */
	const struct sim_driver_set *kernel_drivers;
};

/* Build fw's package into dir (created if missing; files in it are replaced). m (may be NULL) is the
 * phone whose identity goes into factory/ and userdata's /nvram: a model's stock package passes
 * (m->stock, m); the universal package passes (sim_firmware_universal(), NULL). */
int sim_factory_make(const struct sim_firmware *fw, const struct sim_model *m, const char *dir,
		     const struct sim_factory_opts *opts, struct unifw_error *err);

#endif
