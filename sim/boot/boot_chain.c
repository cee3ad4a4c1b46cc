/* unifw-sim — compiled partition tables and the PMT's state for the boot evaluation (boot_chain.h). */
#include "boot_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firmware/fw_build.h"
#include "install_package.h"
#include "unifw/pmt.h"
#include "util/bytes.h"

/* One "NAME 0xOFF 0xSIZE pN|-" line; false at the end of the table or on a malformed line. */
static bool parse_line(const char *p, struct sim_ptab_entry *out)
{
	char idx[8] = "";
	unsigned long long off, size;
	if (sscanf(p, "%31s %llx %llx %7s", out->name, &off, &size, idx) != 4)
		return false;
	out->offset = off;
	out->size = size;
	out->index = idx[0] == 'p' ? (unsigned)strtoul(idx + 1, NULL, 10) : 0;
	return true;
}

void sim_ptab_parse(const uint8_t *img, size_t len, struct sim_ptab *t)
{
	memset(t, 0, sizeof *t);
	if (!img)
		return;
	const size_t tag = strlen(SIM_KERNEL_PTABLE_TAG);
	size_t at = unifw_memfind(img, len, 0, SIM_KERNEL_PTABLE_TAG, tag);
	if (at == SIZE_MAX) {
		t->from_pmt = unifw_memfind(img, len, 0, SIM_KERNEL_PTABLE_PMT_TAG, strlen(SIM_KERNEL_PTABLE_PMT_TAG)) !=
			      SIZE_MAX;
		return;
	}
	t->found = true;
	const char *p = (const char *)img + at + tag;
	/* The table ends at its NUL; a table cut by the end of the image is read up to there only
	 * (sscanf must not run past the buffer). */
	const char *end = memchr(p, 0, len - (at + tag));
	while (end && p < end && t->count < SIM_PTAB_MAX && parse_line(p, &t->e[t->count])) {
		t->count++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		p = nl + 1;
	}
}

const struct sim_ptab_entry *sim_ptab_find(const struct sim_ptab *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++)
		if (!strcasecmp(t->e[i].name, name))
			return &t->e[i];
	return NULL;
}

int sim_pmt_usable(struct sim_emmc *e, bool *usable, struct unifw_error *err)
{
	uint64_t user = sim_emmc_geometry(e)->size[SIM_PART_USER];
	*usable = false;
	if (user < UNIFW_PMT_OFFSET_FROM_END + 2 * UNIFW_PMT_REGION_SIZE)
		return 0;
	uint8_t *b = malloc(2 * UNIFW_PMT_REGION_SIZE);
	struct unifw_pmt *pmt = malloc(sizeof *pmt);
	int rc = b && pmt ? sim_emmc_read(e, SIM_PART_USER, unifw_pmt_location(user), b, 2 * UNIFW_PMT_REGION_SIZE, err)
			  : unifw_error_set(err, UNIFW_E_NOMEM, "PMT", UNIFW_NO_OFFSET, "out of memory");
	if (rc == 0)
		*usable = unifw_pmt_parse(b, 2 * UNIFW_PMT_REGION_SIZE, "PMT", pmt, NULL) == 0;
	free(b);
	free(pmt);
	return rc;
}

void sim_pmt_name_at(struct sim_emmc *e, uint64_t offset, char *name, size_t n)
{
	uint64_t user = sim_emmc_geometry(e)->size[SIM_PART_USER], br = sim_emmc_boot_region(e);
	name[0] = 0;
	if (user < UNIFW_PMT_OFFSET_FROM_END + 2 * UNIFW_PMT_REGION_SIZE)
		return;
	uint8_t *b = malloc(2 * UNIFW_PMT_REGION_SIZE);
	struct unifw_pmt *pmt = malloc(sizeof *pmt);
	if (b && pmt && sim_emmc_read(e, SIM_PART_USER, unifw_pmt_location(user), b, 2 * UNIFW_PMT_REGION_SIZE, NULL) == 0 &&
	    unifw_pmt_parse(b, 2 * UNIFW_PMT_REGION_SIZE, "PMT", pmt, NULL) == 0)
		for (size_t i = 0; i < UNIFW_PMT_MAX_ENTRIES; i++)
			if (pmt->entry[i].name[0] && pmt->entry[i].offset >= br && pmt->entry[i].offset - br == offset) {
				snprintf(name, n, "%s", pmt->entry[i].name);
				break;
			}
	free(b);
	free(pmt);
}
