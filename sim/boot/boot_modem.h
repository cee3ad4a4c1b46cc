/* unifw-sim — would the phone's kernel load the modem in its /system (docs/sim.md "Boot evaluation",
 * modem row)? The CCCI loader's rules (modem.h); a rejected modem means Android runs without a radio,
 * nothing happens to the IMEI or the calibration in NVRAM. */
#ifndef UNIFW_SIM_BOOT_MODEM_H
#define UNIFW_SIM_BOOT_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/modem.h"
#include "boot_sysview.h"
#include "unifw/ext4.h"

struct sim_modem_check {
	bool kernel_known;      /* the kernel carries the sim's CCCI record (else nothing is judged) */
	char type[4];           /* the kernel's MD1 type: 2g, 3g, wg, tg */
	uint32_t reserved;      /* the kernel's MD1 memory reservation */
	char path[96];          /* the image the loader opens (in /system), "" when none */
	char from[4400];        /* where that path was read (a probe's bind source, else the path itself) */
	size_t size;
	bool has_header;
	struct sim_md_header h;
	bool mddb;              /* /system/etc/mddb/BPLGUInfoCustomApp* present */
	bool rejected;          /* check_md_header fails (or no image): no radio */
	char why[240];          /* the loader's reason, when rejected */
	char warning[240];      /* accepted, with what the loader logs ("" none) */
};

/* kimg: the kernel's decompressed Image; sys: /system as the probe left it (boot_sysview.h). */
void sim_modem_check(const struct sim_sysview *sys, const uint8_t *kimg, size_t klen, struct sim_modem_check *c);
/* The header rules alone (file of `size` bytes, header h or none), against the kernel's reservation. */
void sim_modem_judge_header(bool has_header, const struct sim_md_header *h, size_t size, uint32_t reserved,
			    struct sim_modem_check *c);

#endif
