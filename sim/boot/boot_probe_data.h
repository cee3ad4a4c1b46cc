/* unifw-sim — the probe's record on the phone's /data: USRDATA's /unifw/probe.txt (what the universal probe
 * writes as /data/unifw/probe.txt at every boot), written into the eMMC image (unifw_ext4_edit, through the sim's storage) so that a later
 * `unifw identify` over the link reads it like on a real phone. Private to sim/boot/. */
#ifndef UNIFW_SIM_BOOT_PROBE_DATA_H
#define UNIFW_SIM_BOOT_PROBE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "device/emmc.h"
#include "unifw/error.h"

#define SIM_PROBE_RECORD_DIR "unifw"      /* in USRDATA's root, mode 0700 (init.unifw.rc's mkdir) */
#define SIM_PROBE_RECORD_NAME "probe.txt" /* mode 0600, root:root */

/* Writes (or replaces) USRDATA /unifw/probe.txt in the image of e with text. The image's partition is found
 * through its PMT; the changed ranges are written with sim_emmc_write. */
int sim_usrdata_put_record(struct sim_emmc *e, const uint8_t *text, size_t len, struct unifw_error *err);

#endif
