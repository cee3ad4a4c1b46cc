/* In-memory storage for the sans-io tests of the device core. */
#include "storage.h"

#include <stdlib.h>
#include <string.h>

#include "unifw/error.h"

struct sim_memstore {
	struct sim_emmc_geometry geom;
	uint8_t *part[SIM_PART_COUNT];
};

struct sim_memstore *sim_memstore_new(const struct sim_emmc_geometry *g)
{
	struct sim_memstore *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->geom = *g;
	for (unsigned p = 1; p < SIM_PART_COUNT; p++) {
		if (g->size[p] == 0)
			continue;
		if (g->size[p] > SIZE_MAX || !(m->part[p] = calloc(1, (size_t)g->size[p]))) {
			sim_memstore_free(m);
			return NULL;
		}
	}
	return m;
}

void sim_memstore_free(struct sim_memstore *m)
{
	if (!m)
		return;
	for (unsigned p = 0; p < SIM_PART_COUNT; p++)
		free(m->part[p]);
	free(m);
}

uint8_t *sim_memstore_part(struct sim_memstore *m, unsigned part)
{
	return part < SIM_PART_COUNT ? m->part[part] : NULL;
}

static int mem_read(void *ctx, unsigned part, uint64_t off, void *buf, size_t len)
{
	struct sim_memstore *m = ctx;
	if (!sim_range_ok(&m->geom, part, off, len))
		return UNIFW_E_INVALID;
	memcpy(buf, m->part[part] + off, len);
	return 0;
}

static int mem_write(void *ctx, unsigned part, uint64_t off, const void *buf, size_t len)
{
	struct sim_memstore *m = ctx;
	if (!sim_range_ok(&m->geom, part, off, len))
		return UNIFW_E_INVALID;
	memcpy(m->part[part] + off, buf, len);
	return 0;
}

static int mem_erase(void *ctx, unsigned part, uint64_t off, uint64_t len)
{
	struct sim_memstore *m = ctx;
	if (!sim_range_ok(&m->geom, part, off, len))
		return UNIFW_E_INVALID;
	memset(m->part[part] + off, 0, (size_t)len);
	return 0;
}

struct sim_storage sim_memstore_storage(struct sim_memstore *m)
{
	return (struct sim_storage){ .ctx = m, .geom = &m->geom, .read = mem_read, .write = mem_write,
				     .erase = mem_erase };
}
