/* unifw-sim — writing a firmware package into the virtual phone's eMMC image the way SP Flash Tool's
 * "Download" and a factory line do, and the eMMC image of a model (docs/sim.md "eMMC image of a model").
 *
 * Addresses: a scatter's linear address is the user-area offset plus the phone's boot region
 * (boot1 + boot2 + rpmb sizes of ITS eMMC: docs/format-partition-tables.md "Address spaces"), so a partition lands at
 * linear - boot region. A package made for a bigger boot region lands shifted; one made for a smaller
 * boot region would write below the user area and is refused. PRELOADER goes to boot1 in its
 * EMMC_BOOT form. Sparse images are expanded into place (zero fills punch holes: the image stays
 * sparse). The PMT (primary + mirror) is written at user size - 1 MiB with the scatter's linear
 * addresses. */
#ifndef UNIFW_SIM_FLASH_H
#define UNIFW_SIM_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/emmc.h"
#include "firmware/model.h"
#include "unifw/error.h"

struct sim_flash_opts {
	bool with_preloader;        /* also write PRELOADER (SP Flash Tool writes it when ticked) */
	bool factory;               /* also write DIR/factory/ identity partitions (NVRAM, PRO_INFO, PROTECT_F/S) */
	const char *const *only;    /* write just these partitions (names, case-insensitive); NULL = all */
	size_t only_count;
	/* Called once per partition written (may be NULL): name, bytes of the image. */
	void (*progress)(void *ctx, const char *name, uint64_t bytes);
	void *ctx;
};

/* The phone's boot region: boot1 + boot2 + rpmb. */
uint64_t sim_emmc_boot_region(const struct sim_emmc *e);

/* Flash the package in dir (its MT6572 scatter names the images). The PMT is rewritten unless
 * `only` restricts the partitions. */
int sim_flash_package(struct sim_emmc *e, const char *dir, const struct sim_flash_opts *o, struct unifw_error *err);

/* Create a new image at path (must not exist) with the model's geometry, personality (footer model)
 * and its factory state: stock package + identity partitions, built in a temporary folder. */
int sim_emmc_create_from_model(const char *path, const struct sim_model *m, uint64_t seed, struct sim_emmc **out,
			       struct unifw_error *err);
/* The same for an already opened (e.g. temporary) image of the model's geometry. */
int sim_emmc_fill_from_model(struct sim_emmc *e, const struct sim_model *m, uint64_t seed, struct unifw_error *err);

/* SP Flash Tool's "Format All + Download" (docs/sim.md "Damage"): the whole user area erased (NVRAM,
 * PRO_INFO, PROTECT_F/S with it), then the package in dir downloaded with its preloader and the PMT,
 * never DIR/factory/: the stock userdata.img carries no /data/nvram. A package that does not fit the
 * phone is refused before anything is erased. */
int sim_format_all_download(struct sim_emmc *e, const char *dir, struct unifw_error *err);

/* Erase a partition found through the image's PMT (PRELOADER = boot1), like a "Format". */
int sim_flash_erase(struct sim_emmc *e, const char *name, struct unifw_error *err);

/* Where a partition lies, read from the image's PMT: user-area offset and size. PRELOADER is
 * reported in boot1 (part = SIM_PART_BOOT1). UNIFW_E_NOT_FOUND without a PMT or entry. */
struct sim_flash_loc {
	unsigned part;   /* SIM_PART_USER or SIM_PART_BOOT1 */
	uint64_t offset;
	uint64_t size;
};
int sim_flash_locate(struct sim_emmc *e, const char *name, struct sim_flash_loc *loc, struct unifw_error *err);

#endif
