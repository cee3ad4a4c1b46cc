/* Scatter files (SP Flash Tool partition maps) in every dialect seen on MT6572:
 * V1.1.x YAML-like (ptgen), flat "NAME 0xADDR" (ota_scatter.txt), old brace style (MT6589).
 * One model for all; parse -> write -> parse is lossless for the model. */
#ifndef UNIFW_SCATTER_H
#define UNIFW_SCATTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/findings.h"
#include "unifw/io.h"
#include "unifw/json.h"

enum unifw_scatter_dialect {
	UNIFW_SCATTER_V1 = 0,    /* "- general: MTK_PLATFORM_CFG" YAML-like, V1.1.x */
	UNIFW_SCATTER_FLAT = 1,  /* "NAME 0xADDR" per line (ota_scatter.txt) */
	UNIFW_SCATTER_BRACES = 2 /* "NAME 0xADDR" followed by "{" "}" (old SP Flash Tool) */
};

struct unifw_scatter_kv { char *key, *value; }; /* keys the model does not know, kept for round trip */

struct unifw_scatter_part {
	int index;                 /* partition_index SYSn (-1 if absent) */
	char name[64];             /* partition_name, "" allowed (seen in the wild) */
	char file_name[256];       /* "NONE" if none */
	bool is_download;
	char type[32];             /* NORMAL_ROM, SV5_BL_BIN, YAFFS_IMG, EXT4_IMG, UBI_IMG, NONE... */
	uint64_t linear_start;     /* linear_start_addr (BMTPOOL/OTP: 0xFFFFxxxx as written) */
	uint64_t physical_start;   /* physical_start_addr as written */
	uint64_t size;             /* partition_size, or derived (see size_derived) */
	bool size_derived;         /* true when the file had no size and it was computed */
	char region[32];           /* EMMC_BOOT_1, EMMC_USER, NONE, "" */
	char storage[32];          /* HW_STORAGE_EMMC, HW_STORAGE_NAND, "" */
	bool boundary_check;
	bool is_reserved;
	char operation_type[32];   /* BOOTLOADERS, BINREGION, PROTECTED, UPDATE, INVISIBLE, RESERVED */
	uint64_t reserve;
	unsigned line;             /* 1-based line where the entry starts */
	struct unifw_scatter_kv *extra;
	size_t extra_count;
};

struct unifw_scatter {
	enum unifw_scatter_dialect dialect;
	char config_version[16];   /* "V1.1.1", "" for flat/braces */
	char platform[32];         /* MT6572 ... */
	char project[64];
	char storage[16];          /* EMMC / NAND */
	char boot_channel[16];
	uint64_t block_size;
	bool crlf;                 /* line endings as read */
	struct unifw_scatter_part *parts;
	size_t count;
};

/* Parse text of any dialect (auto-detected). `name` is used in errors. Caller frees with unifw_scatter_free. */
int unifw_scatter_parse(const char *text, size_t len, const char *name, struct unifw_scatter *out,
			struct unifw_error *err);
int unifw_scatter_load(const char *path, struct unifw_scatter *out, struct unifw_error *err);
void unifw_scatter_free(struct unifw_scatter *sc);

/* Lookup by partition name (case-sensitive as written, then case-insensitive); NULL if absent. */
const struct unifw_scatter_part *unifw_scatter_find(const struct unifw_scatter *sc, const char *name);
/* Size of the boot region = linear start of MBR (eMMC), 0 if unknown/NAND. */
uint64_t unifw_scatter_boot_region(const struct unifw_scatter *sc);
/* True for 0xFFFFxxxx "counted from the end" addresses (BMTPOOL, OTP). */
bool unifw_scatter_addr_is_from_end(uint64_t addr);

struct unifw_scatter_check {
	const char *image_dir;     /* if set, compare image file sizes to partition sizes */
	uint64_t device_size;      /* if non-zero, check partitions fit the user area (bytes incl. boot region) */
};
/* Validate: overlaps, order, alignment, sizes vs images, region, storage, physical address convention. */
int unifw_scatter_validate(const struct unifw_scatter *sc, const char *name, const struct unifw_scatter_check *opt,
			   struct unifw_findings *out, struct unifw_error *err);

/* Write as V1.1.1 (YAML-like) or flat. Caller frees *text. */
int unifw_scatter_write(const struct unifw_scatter *sc, enum unifw_scatter_dialect dialect, char **text, size_t *len,
			struct unifw_error *err);

/* Describe for `unifw info`: sets "type":"scatter" and the facts. Stream positioned at 0. */
int unifw_scatter_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#endif
