/* unifw port: the per-partition decisions (port_layout.c), shared by the driver (port.c) and its unit test.
 * A pure function of the two scatters and which base partitions have an image: no file is read. */
#ifndef UNIFW_OPS_PORT_INTERNAL_H
#define UNIFW_OPS_PORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "unifw/error.h"
#include "unifw/port.h"
#include "unifw/scatter.h"

/* What OUT gets for one partition of the phone's table (docs/port.md "What comes from where"). */
enum port_how {
	PORT_HOW_PHONE,    /* the backup's image copied, not downloaded: the phone keeps its own (boot chain, table, logo) */
	PORT_HOW_IDENTITY, /* NONE, never copied, never downloaded: the phone's identity stays on the phone */
	PORT_HOW_KEEP,     /* NONE, not downloaded: the phone keeps what it has (SECCFG, MISC, FAT, ...) */
	PORT_HOW_BOOT,     /* unifw_port_bootimg: the base's ramdisk, the phone's kernel */
	PORT_HOW_SYSTEM,   /* unifw_port_system: the base's system with the phone's files */
	PORT_HOW_FIT,      /* unifw_port_fit_image: the base's ext4 image made to fit the phone's partition */
	PORT_HOW_BASE,     /* the base's image (not ext4) copied as it is: it fits the phone's partition */
};

struct port_part_plan {
	size_t phone_index;     /* in the phone's scatter */
	enum port_how how;
	int base_index;         /* the base scatter's partition whose image is used, -1 none */
	char action[16];        /* UNIFW_PORT_ACT_* of the partition's report line */
	char source[16];        /* "base", "phone", "base+phone", "none" */
	char reason[400];
};

struct port_layout_in {
	const struct unifw_scatter *phone;  /* the backup's scatter: OUT's layout */
	const struct unifw_scatter *base;   /* the base's chosen scatter */
	const bool *base_has_image;         /* per base->parts[i]: an image file was found for it */
	const char *const *base_image_type; /* per base->parts[i]: its detected content ("ext4", "bootimg", ...), NULL unknown */
	const uint64_t *base_image_bytes;   /* per base->parts[i]: bytes it takes once written (sparse: expanded) */
};

/* One plan entry per partition of the phone's scatter, in its order (*out malloc'd, *n entries). Fails
 * (UNIFW_E_NOT_FOUND, naming the partition) when a side lacks what every port needs: the phone's table
 * without BOOTIMG or ANDROID, the base without a boot image or a system image. A non-ext4 base image larger
 * than its partition fails too (UNIFW_E_TOO_BIG). */
int port_layout_decide(const struct port_layout_in *in, struct port_part_plan **out, size_t *n, struct unifw_error *err);
const char *port_how_name(enum port_how h);
/* The base partition answering to a phone partition's name (same name, or the same ptgen name through
 * an alias: boot = BOOTIMG), -1 none. */
int port_layout_base_index(const struct unifw_scatter *base, const char *phone_name);

#endif
