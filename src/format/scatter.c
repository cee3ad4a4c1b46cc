/* Scatter files (SP Flash Tool partition maps): one model for the three dialects seen on MT6572.
 *
 *  V1     ptgen v3.5 "YAML-like" text (config_version V1.1.1 on MT6572, V1.1.2 on later chips). Not every
 *         vendor file is strict YAML (CRLF, upper-case hex, empty values, extra keys), so this is a
 *         tolerant line parser, not a YAML library: each line is a comment, a blank, or `[- ]key: value`.
 *  FLAT   ota_scatter.txt written by ptgen's ota_scatter.pl: "NAME 0xSTART" per line, no sizes.
 *  BRACES old SP Flash Tool style (MT6589 and earlier): "NAME 0xSTART" then "{" and "}" lines;
 *         a "__NODL_" prefix marks a partition that is not downloaded.
 *
 * Facts: docs/format-scatter.md (the dialects, address spaces, the corpus's scatter quirks and
 * addressing conventions) explains every rule used below, with its sources. */
#include "unifw/scatter.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/scatter_internal.h"

/* The pieces: scatter_parse.c (reading), scatter_write.c (writing), scatter_validate.c (findings),
 * scatter_json.c (describe, probe); their shared helpers are in scatter_internal.h. This file holds the
 * model's own functions: names, memory and queries. */

/* ------------------------------------------------------------------------------------------------ */
/* Small helpers                                                                                     */

const char *unifw_scatter_dialect_name(enum unifw_scatter_dialect d)
{
	switch (d) {
	case UNIFW_SCATTER_V1: return "v1";
	case UNIFW_SCATTER_FLAT: return "flat";
	case UNIFW_SCATTER_BRACES: return "braces";
	}
	return "?";
}

bool unifw_scatter_addr_is_from_end(uint64_t addr)
{
	/* ptgen writes BMTPOOL/OTP as 0xFFFFxxxx: xxxx blocks counted back from the end of the device. */
	return (addr >> 16) == 0xFFFF;
}

uint64_t unifw_scatter_block(const struct unifw_scatter *sc)
{
	return sc->block_size ? sc->block_size : UNIFW_SCATTER_DEFAULT_BLOCK;
}


/* ------------------------------------------------------------------------------------------------ */
/* Model memory                                                                                      */

static void kv_free(struct unifw_scatter_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void unifw_scatter_free(struct unifw_scatter *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->count; i++)
		kv_free(sc->parts[i].extra, sc->parts[i].extra_count);
	free(sc->parts);
	kv_free(sc->info_extra, sc->info_extra_count);
	memset(sc, 0, sizeof *sc);
}


/* ------------------------------------------------------------------------------------------------ */
/* Queries                                                                                           */

const struct unifw_scatter_part *unifw_scatter_find(const struct unifw_scatter *sc, const char *name)
{
	for (size_t i = 0; i < sc->count; i++)
		if (!strcmp(sc->parts[i].name, name))
			return &sc->parts[i];
	for (size_t i = 0; i < sc->count; i++)
		if (name_is(sc->parts[i].name, name))
			return &sc->parts[i];
	return NULL;
}

uint64_t unifw_scatter_boot_region(const struct unifw_scatter *sc)
{
	if (storage_is_nand(sc))
		return 0;
	const struct unifw_scatter_part *mbr = unifw_scatter_find(sc, "MBR");
	if (!mbr || unifw_scatter_addr_is_from_end(mbr->linear_start))
		return 0;
	return mbr->linear_start;
}


const char *unifw_scatter_physical_convention(const struct unifw_scatter *sc)
{
	bool any;
	unsigned c = physical_conventions(sc, &any);
	return any ? conv_name(c) : "none";
}

