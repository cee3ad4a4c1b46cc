/* unifw-sim — what the boot stages share when they look for partitions (docs/sim.md "Boot evaluation"):
 * the compiled partition table every stage carries (ptgen's output, built into the preloader's
 * cust_part_tbl(), LK's partition_layout[], the kernel's index map), in the sim's stand-in form
 * (fw_build.h SIM_KERNEL_PTABLE_TAG), and whether the PMT on the flash is usable. The preloader and
 * LK use the PMT when it is valid and fall back to their compiled table when it is not
 * (get_part_tab_from_complier); the kernel mounts /emmc@NAME as mmcblk0p<index of NAME>. */
#ifndef UNIFW_SIM_BOOT_CHAIN_H
#define UNIFW_SIM_BOOT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/emmc.h"
#include "unifw/error.h"

#define SIM_PTAB_MAX 64u

struct sim_ptab_entry {
	char name[32];
	uint64_t offset, size; /* user-area bytes */
	unsigned index;        /* mmcblk0pN, 0 = no MBR entry */
};

struct sim_ptab {
	bool found; /* the image carries a table */
	bool from_pmt; /* instead, the marker SIM_KERNEL_PTABLE_PMT_TAG: /emmc@NAME resolves through the PMT */
	size_t count;
	struct sim_ptab_entry e[SIM_PTAB_MAX];
};

/* The compiled table inside a stage's image (preloader, LK, kernel Image); t->found false if none;
 * t->from_pmt (count 0) when the image carries the PMT marker instead. */
void sim_ptab_parse(const uint8_t *img, size_t len, struct sim_ptab *t);
/* By name (case-insensitive, as the PMT lookup), NULL if absent. */
const struct sim_ptab_entry *sim_ptab_find(const struct sim_ptab *t, const char *name);

/* Whether the PMT (primary or mirror) at unifw_pmt_location parses. Fails only on a read error. */
int sim_pmt_usable(struct sim_emmc *e, bool *usable, struct unifw_error *err);
/* The name of the PMT entry that starts at user-area byte `offset` ("" when none, or no usable PMT). */
void sim_pmt_name_at(struct sim_emmc *e, uint64_t offset, char *name, size_t n);

#endif
