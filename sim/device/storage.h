/* unifw-sim — what the device core needs from its flash: partition sizes, CID, and
 * read/write/erase by partition. The core never opens a file: the serving program hands it
 * an eMMC image (emmc.c) and tests may hand it memory (memstore.c). */
#ifndef UNIFW_SIM_STORAGE_H
#define UNIFW_SIM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sim_proto.h"

struct sim_emmc_geometry {
	uint64_t size[SIM_PART_COUNT]; /* bytes by enum sim_part (index 0 unused); 0 = absent */
	uint8_t cid[16];               /* CID register, MSB first (MID, CBX, OID, PNM[6], ...) */
	uint8_t fwver[8];              /* firmware version bytes reported in DA report 2 */
	char model[32];                /* built-in phone model the image was made from, "" = none (sim/model.h) */
};

/* Every callback returns 0 or a negative unifw_status. The core checks ranges itself before
 * calling; a backend checks again (defence in depth) and fails with UNIFW_E_INVALID. */
struct sim_storage {
	void *ctx;
	const struct sim_emmc_geometry *geom;
	int (*read)(void *ctx, unsigned part, uint64_t off, void *buf, size_t len);
	int (*write)(void *ctx, unsigned part, uint64_t off, const void *buf, size_t len);
	/* Erased eMMC reads back as 0x00 (ERASED_MEM_CONT = 0 on the parts MT6572 phones use). */
	int (*erase)(void *ctx, unsigned part, uint64_t off, uint64_t len);
};

/* True when [off, off+len) lies inside partition `part` of geometry g (overflow-safe). */
static inline int sim_range_ok(const struct sim_emmc_geometry *g, unsigned part, uint64_t off, uint64_t len)
{
	if (part == 0 || part >= SIM_PART_COUNT)
		return 0;
	uint64_t size = g->size[part];
	return off <= size && len <= size - off;
}

/* A storage in memory (for tests and fuzzing): partitions are calloc'd, so keep them small.
 * Returns NULL on allocation failure. */
struct sim_memstore;
struct sim_memstore *sim_memstore_new(const struct sim_emmc_geometry *g);
void sim_memstore_free(struct sim_memstore *m);
struct sim_storage sim_memstore_storage(struct sim_memstore *m);
/* Direct access to a partition's bytes (tests check what the device stored). */
uint8_t *sim_memstore_part(struct sim_memstore *m, unsigned part);

#endif
