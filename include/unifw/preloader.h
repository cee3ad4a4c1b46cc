/* MT6572 preloader images in the three shapes seen in the corpus:
 *  - "gfh": the build output, starting with GFH blocks ("MMM", version, u16 size, u16 type), FILE_INFO first;
 *  - "emmc_boot": a dump of the EMMC_BOOT_1 region: "EMMC_BOOT" header, "BRLYT" layout block whose "BBBB"
 *    descriptor gives the preloader offset (0x800), then the GFH image;
 *  - "no_gfh": raw ARM code (preloader_<project>_NO_GFH.bin), recognised by its ARM branch at 0 and the
 *    AND_ROMINFO_v structure at 0x1FC.
 * The EMI (DRAM) table inside is read with unifw/emi.h. docs/format-preloader.md has sources and keys. */
#ifndef UNIFW_PRELOADER_H
#define UNIFW_PRELOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/emi.h"
#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_GFH_HEADER_SIZE 8u
#define UNIFW_GFH_FILE_INFO_SIZE 0x38u
#define UNIFW_GFH_MAX_BLOCKS 32u
#define UNIFW_BRLYT_MAX_DESCRIPTORS 8u
#define UNIFW_PRELOADER_MAX_SIZE (4u << 20) /* describe reads at most this much (boot region dumps: 2 MiB) */
#define UNIFW_PRELOADER_NO_GFH_ROMINFO 0x1FCu

enum unifw_preloader_container {
	UNIFW_PRELOADER_GFH = 0,
	UNIFW_PRELOADER_EMMC_BOOT = 1,
	UNIFW_PRELOADER_NO_GFH = 2,
};

struct unifw_gfh_file_info {
	uint8_t version;
	uint16_t size;            /* 0x38 */
	char identifier[13];      /* "FILE_INFO" */
	uint32_t file_ver;
	uint16_t file_type;       /* 1 ARM_BL */
	uint8_t flash_dev;        /* 5 eMMC boot region */
	uint8_t sig_type;         /* 3 single + phash */
	uint32_t load_addr;       /* 0x02007200 on MT6572 */
	uint32_t file_len;        /* GFH + code + signature */
	uint32_t max_size;
	uint32_t content_offset;  /* end of the GFH blocks */
	uint32_t sig_len;
	uint32_t jump_offset;     /* start of the ARM code */
	uint32_t attr;
};

struct unifw_gfh_block {
	uint64_t offset;          /* in the input */
	uint8_t version;
	uint16_t size;
	uint16_t type;
};

struct unifw_brlyt_descriptor {
	uint16_t dev;             /* flash_dev numbering of FILE_INFO (5 eMMC boot region) */
	uint16_t type;            /* file_type numbering (1 ARM_BL) */
	uint32_t begin;           /* image offset in the region */
	uint32_t boundary;        /* end of the space reserved for it */
	uint32_t attr;
};

struct unifw_emmc_boot {
	char identifier[13];      /* "EMMC_BOOT" */
	uint32_t version;
	uint32_t dev_rw_unit;     /* block size, 0x200 */
	uint64_t brlyt_offset;
	uint32_t brlyt_version;
	uint32_t boot_region_addr;
	uint32_t main_region_addr;
	struct unifw_brlyt_descriptor desc[UNIFW_BRLYT_MAX_DESCRIPTORS];
	size_t desc_count;        /* descriptors marked "BBBB" */
};

struct unifw_rominfo {
	uint64_t offset;          /* of "AND_ROMINFO_v" */
	uint32_t version;
	char platform[17];        /* "MT6572" */
	char project[17];         /* "CUST" in every corpus file: not the build project */
};

struct unifw_emi_location {
	uint64_t tag_offset;      /* "MTK_BLOADER_INFO_v" */
	uint64_t block_len;       /* 0x70 + N * 0xA8 */
	uint64_t blob_offset;     /* "MTK_BIN" + 0xC = the first entry: what a legacy DA takes */
	uint64_t blob_len;        /* N * 0xA8 */
	bool from_trailer;        /* found by the GFH file_len - sig_len recipe (else by searching) */
};

struct unifw_preloader {
	enum unifw_preloader_container container;
	uint64_t size;
	uint64_t gfh_offset;      /* UINT64_MAX for no_gfh */
	struct unifw_gfh_file_info file_info;
	struct unifw_gfh_block block[UNIFW_GFH_MAX_BLOCKS];
	size_t block_count;
	struct unifw_emmc_boot emmc_boot;  /* container == emmc_boot */
	uint64_t code_offset;     /* gfh + jump_offset, 0 for no_gfh */
	uint64_t content_end;     /* gfh + file_len - sig_len (the signature starts there), or the input size */
	bool has_rominfo;
	struct unifw_rominfo rominfo;
	bool has_emi;
	struct unifw_emi_location emi;
};

/* Detect the container and parse headers, GFH blocks, ROM info and where the EMI table lies.
 * Lying lengths (file_len beyond the input, blocks that overrun) fail naming the offset. */
int unifw_preloader_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_preloader *out,
			  struct unifw_error *err);
/* The EMI blob to send to a legacy DA (docs/format-preloader.md recipe): content = file_len - sig_len bytes after the
 * GFH (the whole input without one), its last u32 = block size (0: drop 0x800 bytes and read again), the
 * block precedes it, the blob starts 0xC bytes after "MTK_BIN". Falls back to searching the tag. */
int unifw_preloader_emi_blob(const uint8_t *buf, size_t len, struct unifw_emi_location *out, struct unifw_error *err);
/* Parse the preloader's EMI table (bounded by its block). `pl` from unifw_preloader_parse. */
int unifw_preloader_emi_table(const uint8_t *buf, size_t len, const struct unifw_preloader *pl,
			      struct unifw_emi_table *out, struct unifw_error *err);
/* The compiled emi_settings[] the preloader runs at power-on: it lies in .data, before the appended tag
 * (unifw_emi_find_compiled over [0, tag)). UNIFW_E_NOT_FOUND when there is none. */
int unifw_preloader_emi_compiled(const uint8_t *buf, size_t len, const struct unifw_preloader *pl,
				 struct unifw_emi_compiled *out, struct unifw_error *err);

const char *unifw_preloader_container_name(enum unifw_preloader_container c); /* "gfh", "emmc_boot", "no_gfh" */
const char *unifw_gfh_type_name(uint16_t type);       /* "bl_info", "brom_cfg"...; NULL when unknown */
const char *unifw_gfh_file_type_name(uint16_t type);  /* "arm_bl"...; NULL when unknown */
const char *unifw_gfh_flash_dev_name(uint8_t dev);    /* "emmc_boot_region"...; NULL when unknown */
const char *unifw_gfh_sig_type_name(uint8_t sig);     /* "single_and_phash"...; NULL when unknown */

bool unifw_preloader_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"preloader", "container", "platform", "project", "gfh", "gfh_blocks", "emi", ...} */
int unifw_preloader_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
