/* NVRAM partition = "BinRegion": nvram_daemon's backup of /data/nvram (MediaTek libfile_op).
 * Layout as written by FileOp_BackupToBinRegion_All (see docs/format-nvram.md for sources and
 * what is certain vs inferred):
 *   erase block 0: u32 map_size, u32 dat_size, u32 clean-boot flag, then the "AllMap" file:
 *                  u32 checksum, u32 common count, u32 custom count, File_Title_Header
 *                  (10 x s16 counts, s32 iFileBufLen, s32 BackupFlag; an 8-count variant),
 *                  File_Title[n] {s32 NameSize, s32 FielStartAddr, s32 Filesize, char name[128]}
 *   erase block 1..: the "AllFile" data (file bodies back to back, FielStartAddr into it)
 *   last block:     bad-block bitmap x3, u32 0xAABBCCDD, a copy of block 0's map.
 * The File_Title_Header is found by scanning and validated by its file names.
 * Identity rules: the IMEI record (md/NVRAM/NVD_IMEI/MP0B_001) is opaque: its presence and
 * size are reported, its bytes are never decoded, printed, written or altered. */
#ifndef UNIFW_NVRAM_H
#define UNIFW_NVRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_NVRAM_DATA_FLAG 0xFECFu
#define UNIFW_NVRAM_NAME_SIZE 128u
#define UNIFW_NVRAM_TITLE_SIZE 140u           /* 3 x s32 + name[128] */
#define UNIFW_NVRAM_MAX_FILES 4096u
#define UNIFW_NVRAM_MAX_REGION (64u << 20)
#define UNIFW_NVRAM_SCAN_LIMIT 65536u         /* the header lives in the first erase block */
#define UNIFW_NVRAM_BLOCK 0x20000u            /* erase block libfile_op uses on eMMC */
#define UNIFW_NVRAM_DEFAULT_REGION 0x500000u  /* NVRAM partition size on MT6572 */
#define UNIFW_NVRAM_BITMAP_FLAG 0xAABBCCDDu

#define UNIFW_NVRAM_WIFI "APCFG/APRDEB/WIFI"
#define UNIFW_NVRAM_BT_ADDR "APCFG/APRDEB/BT_Addr"
#define UNIFW_NVRAM_IMEI "md/NVRAM/NVD_IMEI/MP0B_001"
#define UNIFW_NVRAM_WIFI_MAC_OFFSET 4u        /* WIFI_CFG_PARAM_STRUCT: 2 x u16 versions, MAC[6] */

struct unifw_nvram_file {
	char name[UNIFW_NVRAM_NAME_SIZE + 1];
	uint64_t offset;           /* of its bytes in the region */
	uint32_t start, size;      /* FielStartAddr, Filesize */
	unsigned category;         /* index of the header count it is counted in (0 = AP boot) */
	uint64_t title_offset;     /* of its File_Title in the region */
};

struct unifw_nvram {
	uint64_t region_size;
	uint64_t header_offset;    /* File_Title_Header */
	unsigned header_counts;    /* 10 (MT6572 libfile_op.h) or 8 */
	int16_t counts[10];
	uint32_t buf_len;          /* iFileBufLen */
	uint32_t backup_flag;
	bool prefix;               /* map_size/dat_size/flag + checksum words agree with the table */
	uint32_t map_size, dat_size, clean_boot_flag, checksum;
	uint64_t data_offset;      /* start of the file data */
	bool data_offset_checked;  /* found by matching the stored checksum */
	uint64_t erase_block;      /* inferred from data_offset (0 if unknown) */
	struct unifw_nvram_file *files;
	size_t count;
};

/* Parse a BinRegion held in memory. Free with unifw_nvram_free. */
int unifw_nvram_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_nvram *out,
		      struct unifw_error *err);
void unifw_nvram_free(struct unifw_nvram *nv);
/* File whose stored name ends with "/" + suffix (or equals it); NULL if absent. */
const struct unifw_nvram_file *unifw_nvram_find(const struct unifw_nvram *nv, const char *suffix);
/* libfile_op's checksum of the data block: words alternately XORed and added, the tail added,
 * the result XORed with the data size. */
uint32_t unifw_nvram_checksum(const uint8_t *data, size_t len);

enum unifw_nvram_addr_state { UNIFW_NVRAM_ABSENT, UNIFW_NVRAM_BLANK, UNIFW_NVRAM_DEFAULT, UNIFW_NVRAM_SET };
const char *unifw_nvram_addr_state_name(enum unifw_nvram_addr_state s);
/* WiFi MAC (WIFI file, offset 4) and Bluetooth address (BT_Addr, first 6 bytes); the states mean
 * (docs/format-nvram.md "Addresses"):
 *  WiFi BLANK    nothing usable stored (all 0x00, all 0xFF, or a multicast address): the WLAN driver
 *                makes one up at every boot, 00:08:22 plus three bytes of its boot-time tick
 *                (wlan_lib.c wlanUpdateNetworkAddress), so the MAC changes every boot;
 *  WiFi DEFAULT  a stored 00:08:22:xx:xx:xx: fixed from boot to boot, but MediaTek's template prefix,
 *                not this phone's own address;
 *  BT DEFAULT    one of MediaTek's default Bluetooth addresses (cgen CFG_BT_Default.h), e.g.
 *                00:00:46:65:72:01 of the MT6572 combo (stBtDefault_6572): the same on every phone. */
enum unifw_nvram_addr_state unifw_nvram_wifi_mac(const struct unifw_nvram *nv, const uint8_t *buf, uint8_t mac[6]);
enum unifw_nvram_addr_state unifw_nvram_bt_addr(const struct unifw_nvram *nv, const uint8_t *buf, uint8_t addr[6]);
/* The same judgement for an address read elsewhere (say /data/nvram's copy of the file). */
enum unifw_nvram_addr_state unifw_nvram_wifi_mac_state(const uint8_t mac[6]);
enum unifw_nvram_addr_state unifw_nvram_bt_addr_state(const uint8_t addr[6]);
/* The MediaTek chip whose default Bluetooth address this is ("MT6572", "MT6622", ...), or NULL. */
const char *unifw_nvram_bt_default_chip(const uint8_t addr[6]);

/* "AA:BB:CC:DD:EE:FF" (also '-' separated); rejects multicast, all-zero and broadcast. */
int unifw_nvram_parse_mac(const char *s, uint8_t mac[6], struct unifw_error *err);
void unifw_nvram_format_mac(const uint8_t mac[6], char out[18]);

/* Edit bytes of one file in place (buf is the whole region) and refresh the stored checksum
 * (and its copy in the bitmap block) when the layout was confirmed. The IMEI record and
 * anything under NVD_IMEI is refused with UNIFW_E_UNSAFE. */
int unifw_nvram_patch_file(uint8_t *buf, size_t len, const char *suffix, uint32_t offset, const uint8_t *bytes,
			   size_t n, struct unifw_error *err);
int unifw_nvram_set_wifi_mac(uint8_t *buf, size_t len, const uint8_t mac[6], struct unifw_error *err);
int unifw_nvram_set_bt_addr(uint8_t *buf, size_t len, const uint8_t addr[6], struct unifw_error *err);

/* Build a BinRegion from files (the virtual phone's NVRAM partition). category: which header
 * count a file belongs to (0 AP boot / APRDEB, 1 AP clean / APRDCL, 2.. modem); files are
 * stored grouped by category in the given order. region_size 0 = UNIFW_NVRAM_DEFAULT_REGION.
 * Caller frees *out. */
struct unifw_nvram_input {
	const char *name;          /* full path as nvram_daemon stores it, e.g. /data/nvram/APCFG/APRDEB/WIFI */
	const uint8_t *data;
	uint32_t size;
	unsigned category;         /* 0..9 */
};
int unifw_nvram_build(const struct unifw_nvram_input *files, size_t n, uint64_t region_size, uint8_t **out,
		      size_t *out_len, struct unifw_error *err);
/* The same with a File_Title_Header of header_counts counts: 10 (MT6572's libfile_op.h, what
 * unifw_nvram_build writes) or 8 (the older variant the parser also reads); categories 0..header_counts-1. */
int unifw_nvram_build_counts(const struct unifw_nvram_input *files, size_t n, uint64_t region_size,
			     unsigned header_counts, uint8_t **out, size_t *out_len, struct unifw_error *err);

bool unifw_nvram_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"nvram","header_offset","header_counts","backup_flag","data_offset","checksum_ok",
 *  "file_count","files":[{"name","size"}...],"wifi_mac","wifi_mac_state","bt_address",
 *  "bt_address_state","imei_record":{"present","size"}} */
int unifw_nvram_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
