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

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_scatter_dialect {
	UNIFW_SCATTER_V1 = 0,    /* "- general: MTK_PLATFORM_CFG" YAML-like, V1.1.x */
	UNIFW_SCATTER_FLAT = 1,  /* "NAME 0xADDR" per line (ota_scatter.txt) */
	UNIFW_SCATTER_BRACES = 2 /* "NAME 0xADDR" followed by "{" "}" (old SP Flash Tool) */
};

/* Keys the model does not know (V1.1.2 is_upgradable, empty_boot_needed, d_type...), kept for round trip.
 * `after` is the known key (enum unifw_scatter_key bit number, or enum unifw_scatter_info_key bit number
 * for info extras) the pair followed in the file, -1 if it came before every known key: the V1 writer puts
 * it back in the same place. */
struct unifw_scatter_kv { char *key, *value; int after; };

/* Which V1 keys an entry carried (bit n = 1u << n), in ptgen's order. Flat entries carry NAME and LINEAR;
 * brace entries also DOWNLOAD (the __NODL_ prefix). Writers emit only the keys an entry has. */
enum unifw_scatter_key {
	UNIFW_SCATTER_K_INDEX, UNIFW_SCATTER_K_NAME, UNIFW_SCATTER_K_FILE, UNIFW_SCATTER_K_DOWNLOAD,
	UNIFW_SCATTER_K_TYPE, UNIFW_SCATTER_K_LINEAR, UNIFW_SCATTER_K_PHYSICAL, UNIFW_SCATTER_K_SIZE,
	UNIFW_SCATTER_K_REGION, UNIFW_SCATTER_K_STORAGE, UNIFW_SCATTER_K_BOUNDARY, UNIFW_SCATTER_K_RESERVED,
	UNIFW_SCATTER_K_OPTYPE, UNIFW_SCATTER_K_RESERVE, UNIFW_SCATTER_K_COUNT
};
/* Keys of the `info:` block, same idea (bit n of struct unifw_scatter.info_keys). */
enum unifw_scatter_info_key {
	UNIFW_SCATTER_I_VERSION, UNIFW_SCATTER_I_PLATFORM, UNIFW_SCATTER_I_PROJECT, UNIFW_SCATTER_I_STORAGE,
	UNIFW_SCATTER_I_BOOT_CHANNEL, UNIFW_SCATTER_I_BLOCK_SIZE, UNIFW_SCATTER_I_COUNT
};

#define UNIFW_SCATTER_MAX_FILE (1u << 20)  /* larger text is refused (UNIFW_E_TOO_BIG) */
#define UNIFW_SCATTER_MAX_PARTS 256
#define UNIFW_SCATTER_MAX_EXTRA 32          /* unknown keys kept per entry / in info */
#define UNIFW_SCATTER_DEFAULT_BLOCK 0x20000u /* 128 KiB: 0xFFFFxxxx unit when the file states no block_size */

struct unifw_scatter_part {
	int index;                 /* partition_index SYSn (-1 if absent) */
	char name[64];             /* partition_name, "" allowed (seen in the wild) */
	char file_name[256];       /* "NONE" if none; "" when the dialect has no file names (see keys) */
	bool is_download;
	char type[32];             /* NORMAL_ROM, SV5_BL_BIN, YAFFS_IMG, EXT4_IMG, UBI_IMG, NONE... */
	uint64_t linear_start;     /* linear_start_addr (BMTPOOL/OTP: 0xFFFFxxxx as written) */
	uint64_t physical_start;   /* physical_start_addr as written */
	uint64_t size;             /* partition_size, or derived (see size_derived) */
	bool size_derived;         /* the file had no size: computed from the next start or the 0xFFFFxxxx
				    * block counts; size 0 with size_derived = unknown (last partition) */
	char region[32];           /* EMMC_BOOT_1, EMMC_USER, NONE, "" */
	char storage[32];          /* HW_STORAGE_EMMC, HW_STORAGE_NAND, "" */
	bool boundary_check;
	bool is_reserved;
	char operation_type[32];   /* BOOTLOADERS, BINREGION, PROTECTED, UPDATE, INVISIBLE, RESERVED */
	uint64_t reserve;
	unsigned line;             /* 1-based line where the entry starts */
	struct unifw_scatter_kv *extra;
	size_t extra_count;
	uint32_t keys;             /* bit (1u << enum unifw_scatter_key) set for each key the entry carried */
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
	/* Added after the first API cut (all zero = ptgen defaults): */
	uint32_t info_keys;        /* bit (1u << enum unifw_scatter_info_key) per info key present */
	bool storage_inferred;     /* storage not stated (flat/braces): inferred from MBR/EBR1 presence */
	struct unifw_scatter_kv *info_extra; /* unknown keys in the general/info block */
	size_t info_extra_count;
	/* Layout details so that a V1 file written by a tool other than ptgen also round-trips byte for byte. */
	bool hex_upper;            /* hex digits in upper case (readback tools: 0xC00000) */
	bool header_compact;       /* "#  General Setting" / "#" without ptgen's trailing spaces */
	bool info_compact;         /* "  info:" without ptgen's trailing space */
	unsigned extra_blank_lines;/* blank lines at the end beyond what the dialect's generator writes */
	bool utf8_bom;             /* the text started with a UTF-8 byte-order mark (hand-edited on Windows) */
};

/* Parse text of any dialect (auto-detected). `name` is used in errors. Caller frees with unifw_scatter_free. */
int unifw_scatter_parse(const char *text, size_t len, const char *name, struct unifw_scatter *out,
			struct unifw_error *err);
int unifw_scatter_load(const char *path, struct unifw_scatter *out, struct unifw_error *err);
void unifw_scatter_free(struct unifw_scatter *sc);

/* Write to `path` atomically in `dialect`. */
int unifw_scatter_save(const struct unifw_scatter *sc, enum unifw_scatter_dialect dialect, const char *path,
		       struct unifw_error *err);
/* "v1", "flat", "braces". */
const char *unifw_scatter_dialect_name(enum unifw_scatter_dialect d);

/* Lookup by partition name (case-sensitive as written, then case-insensitive); NULL if absent. */
const struct unifw_scatter_part *unifw_scatter_find(const struct unifw_scatter *sc, const char *name);
/* Size of the boot region = linear start of MBR (eMMC), 0 if unknown/NAND. */
uint64_t unifw_scatter_boot_region(const struct unifw_scatter *sc);
/* True for 0xFFFFxxxx "counted from the end" addresses (BMTPOOL, OTP). */
bool unifw_scatter_addr_is_from_end(uint64_t addr);
/* Block size used for 0xFFFFxxxx addresses: block_size from the file, else 128 KiB. */
uint64_t unifw_scatter_block(const struct unifw_scatter *sc);
/* Which physical_start_addr convention the file follows: "zero" (ptgen), "user_offset" (linear minus the
 * boot region: MTK Droid Tools), "linear" (equal to linear: readback tools), "mixed", or "none" (no
 * physical addresses: flat/braces). */
const char *unifw_scatter_physical_convention(const struct unifw_scatter *sc);

struct unifw_scatter_check {
	const char *image_dir;     /* if set, compare image file sizes to partition sizes */
	uint64_t device_size;      /* if non-zero, check partitions fit the user area (bytes incl. boot region) */
};
/* Validate: overlaps, order, alignment, sizes vs images, region, storage, physical address convention. */
int unifw_scatter_validate(const struct unifw_scatter *sc, const char *name, const struct unifw_scatter_check *opt,
			   struct unifw_findings *out, struct unifw_error *err);

/* Write as V1.1.x (ptgen's byte layout), flat or braces; only the keys each entry has are written.
 * UNIFW_E_UNSUPPORTED if a value cannot be expressed in that dialect. Caller frees *text. */
int unifw_scatter_write(const struct unifw_scatter *sc, enum unifw_scatter_dialect dialect, char **text, size_t *len,
			struct unifw_error *err);

/* Content probe: scatter text of any dialect (head = first bytes of the file). */
bool unifw_scatter_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* The JSON facts of a parsed model (+ findings of unifw_scatter_validate without image checks). */
int unifw_scatter_to_json(const struct unifw_scatter *sc, const char *name, struct unifw_jv *obj,
			  struct unifw_error *err);
/* Describe for `unifw info`: sets "type":"scatter" and the facts. Stream positioned at 0. */
int unifw_scatter_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
