/* unifw — sans-io host side of the MediaTek "legacy" download agent protocol (MT65xx, MT6572).
 *
 * After SEND_DA + JUMP_DA (brom.h) the DA stage 1 runs and speaks this protocol: sync C0 and
 * report 1, the stage-2 config with the DRAM branch (EMI settings in BROM mode), the DA stage 2
 * upload, report 2, then commands (read, write, format, partition table, registers, finish).
 * Multi-byte fields are big-endian. Every length the device sends is checked against a limit and
 * every checksum is verified; a failure names the operation, the step and the byte offset in the
 * device's stream. Sources: docs/protocol.md, docs/transport.md. */
#ifndef UNIFW_DA_LEGACY_H
#define UNIFW_DA_LEGACY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Single-byte answers. */
enum {
	UNIFW_DA_ACK = 0x5A,
	UNIFW_DA_NACK = 0xA5,
	UNIFW_DA_CONT_CHAR = 0x69,
	UNIFW_DA_STOP_CHAR = 0x96,
	UNIFW_DA_SYNC_CHAR = 0xC0,
	UNIFW_DA_SOC_OK = 0xC1,
	UNIFW_DA_SOC_FAIL = 0xCF,
	UNIFW_DA_UNKNOWN_CMD = 0xBB,
};

/* Commands. */
enum {
	UNIFW_DA_CMD_SDMMC_SWITCH_PART = 0x60,
	UNIFW_DA_CMD_SDMMC_WRITE_DATA = 0x62,
	UNIFW_DA_CMD_USB_SETUP_PORT = 0x70,
	UNIFW_DA_CMD_USB_CHECK_STATUS = 0x72,
	UNIFW_DA_CMD_READ_REG32 = 0x7A,
	UNIFW_DA_CMD_WRITE_REG32 = 0x7B,
	UNIFW_DA_CMD_SDMMC_READ_PMT = 0xA5,
	UNIFW_DA_CMD_FORMAT = 0xD4,
	UNIFW_DA_CMD_READ = 0xD6,
	UNIFW_DA_CMD_FINISH = 0xD9,
	UNIFW_DA_CMD_ENABLE_WATCHDOG = 0xDB,
	UNIFW_DA_CMD_ENABLE_DRAM = 0xE8,
};

/* Storage codes: READ/FORMAT use 2 for eMMC, SDMMC_WRITE_DATA uses 1 (docs/protocol.md "Legacy DA commands"). */
#define UNIFW_DA_READ_STORAGE_EMMC 0x02
#define UNIFW_DA_WRITE_STORAGE_EMMC 0x01
#define UNIFW_DA_HOST_OS_LINUX 0x0C
/* eMMC partitions for SDMMC_SWITCH_PART / SDMMC_WRITE_DATA. */
enum {
	UNIFW_DA_PART_BOOT1 = 1,
	UNIFW_DA_PART_BOOT2 = 2,
	UNIFW_DA_PART_RPMB = 3,
	UNIFW_DA_PART_GP1 = 4, /* 4..7 */
	UNIFW_DA_PART_USER = 8,
};

#define UNIFW_DA_STATUS_DRAM_READY 0x000
#define UNIFW_DA_STATUS_DRAM_NEEDED 0xBC3
#define UNIFW_DA_STATUS_NO_NAND 0xBC4

/* Limits on what the device may announce (hostile device: never allocate from its word). */
#define UNIFW_DA_MAX_NAND_IDS 32         /* report 1 / report 2 id lists (a real DA sends 7 or fewer) */
#define UNIFW_DA_MAX_EMI_LEN 4096        /* an MT6572 v11 EMI entry is 0xA8 bytes */
#define UNIFW_DA_MAX_PMT_LEN (256u << 10) /* 128 PMT entries of 0x60 bytes is 12 KiB */
#define UNIFW_DA_MAX_PACKET (16u << 20)  /* READ/WRITE packet sizes the host asks for */
#define UNIFW_DA_DEFAULT_PACKET 0x100000u
#define UNIFW_DA_DA2_PACKET 0x1000u
#define UNIFW_DA_MAX_DA2_SIZE (16u << 20)
#define UNIFW_DA_MAX_FORMAT_REPORTS 100000u

enum unifw_da_storage {
	UNIFW_DA_STORAGE_NOR = 0, /* neither NAND nor eMMC answered in report 1 */
	UNIFW_DA_STORAGE_NAND,
	UNIFW_DA_STORAGE_EMMC,
};

struct unifw_da_report1 {
	bool valid;
	uint32_t nand_ret;             /* 0xBC4 = no NAND */
	uint16_t nand_id_count;
	uint16_t nand_id[UNIFW_DA_MAX_NAND_IDS];
	uint32_t emmc_ret;
	uint32_t emmc_id[4];
	enum unifw_da_storage storage; /* NAND if nand_id[0] != 0, eMMC if emmc_id[0] != 0, else NOR */
	uint8_t da_major, da_minor, da_extra; /* the 3 bytes after the host's ACK */
};

struct unifw_da_dram {
	bool valid;
	uint32_t config_status;        /* 0 = DRAM ready (preloader mode), 0xBC3 = DRAM config needed */
	/* BROM mode only: */
	uint32_t pre_word;             /* the u32 before the DRAM info (ignored by hosts; docs/protocol.md) */
	uint8_t dram_info[16];         /* the ID field of the phone's EMI entry */
	uint16_t nand_id_count;
	uint16_t nand_id[UNIFW_DA_MAX_NAND_IDS];
	size_t emi_index;              /* which entry was sent */
	uint32_t emi_version;
	uint8_t emi_info[16];          /* the 16 bytes the DA sends after accepting the EMI version */
	uint32_t emi_len;              /* the length the DA asked for */
	uint16_t emi_checksum_device;  /* the DA's u16 after the blob */
	uint16_t emi_checksum_bytesum; /* 16-bit byte sum of what we sent, for comparison */
	bool emi_checksum_matches;     /* device value equals the byte sum (algorithm not public) */
	uint32_t ext_ram_ret;          /* 0 = DRAM up */
	uint8_t ext_ram_type;          /* 2 = DRAM */
	uint8_t ext_ram_chip_select;
	uint64_t ext_ram_size;
};

struct unifw_da_report2 {
	bool valid;
	/* NOR block (0x1C) */
	uint32_t nor_ret;
	uint8_t nor_chip_select[2];
	uint16_t nor_flash_id;
	uint32_t nor_flash_size;
	uint16_t nor_dev_code[4];
	uint32_t nor_otp_status, nor_otp_size;
	/* NAND block (0x11 + ids + 9) */
	uint32_t nand_ret;
	uint8_t nand_chip_select;
	uint16_t nand_flash_id;
	uint64_t nand_flash_size;
	bool nand_size_32bit;          /* the older layout with a u32 size */
	uint16_t nand_id_count;
	uint16_t nand_id[UNIFW_DA_MAX_NAND_IDS];
	uint16_t nand_page_size, nand_spare_size, nand_pages_per_block;
	uint8_t nand_io_interface, nand_addr_cycle, nand_bmt_exist;
	/* eMMC block (0x5C) */
	uint32_t emmc_ret;
	uint64_t emmc_boot1_size, emmc_boot2_size, emmc_rpmb_size;
	uint64_t emmc_gp_size[4];
	uint64_t emmc_ua_size;
	uint8_t emmc_cid[16];          /* as on the wire: two big-endian u64 words */
	uint8_t emmc_fwver[8];
	/* SDC block (0x1C) */
	uint32_t sdc_ret;
	uint64_t sdc_ua_size;
	uint8_t sdc_cid[16];
	/* CONFIG block (0x26) */
	uint32_t int_sram_ret, int_sram_size, ext_ram_ret;
	uint8_t ext_ram_type, ext_ram_chip_select;
	uint64_t ext_ram_size;
	uint8_t random_id[16];
	/* tail (0x0A): ACK, download status, boot style, SOC_OK */
	uint32_t download_status, boot_style;
};

struct unifw_da_info {
	struct unifw_da_report1 report1;
	struct unifw_da_dram dram;
	struct unifw_da_report2 report2;
	bool have_usb_speed;
	uint8_t usb_speed;             /* USB_CHECK_STATUS: 0 full speed, 1 high speed */
	uint32_t reg_value;            /* READ_REG32 */
	uint8_t format_progress;       /* last FORMAT percentage */
	uint32_t format_status;        /* the u32 of the last FORMAT progress report */
	uint32_t read_error_status;    /* READ refused: the u32 (little-endian) status after our NACK */
};

/* The EMI (DRAM) settings the host may send in BROM mode: the entries of the phone's own
 * preloader (MTK_BLOADER_INFO_v10/v11). The core only needs each entry's bytes and its ID; the
 * preloader parser (emi.h) fills this. */
struct unifw_da_emi_entry {
	const uint8_t *data; /* the entry exactly as the DA wants it */
	size_t len;
	uint8_t id[16];      /* the entry's ID field (for eMMC MCPs the eMMC CID prefix) */
	size_t id_len;       /* its significant length (the entry's id_length, 1..16) */
};
struct unifw_da_emi {
	uint32_t version;    /* 10 or 11: the number after MTK_BLOADER_INFO_v */
	const struct unifw_da_emi_entry *entries;
	size_t count;
};

/* Thin adapter from the preloader's EMI table (emi.h, parsed from buf[0..len)) to the core's
 * input: entries[i] points into buf at the i-th 0xA8-byte entry of the MTK_BLOADER_INFO block, with
 * the entry's ID and id_length. At most max entries; buf must outlive *out. */
struct unifw_emi_table;
int unifw_da_emi_from_table(const struct unifw_emi_table *table, const uint8_t *buf, size_t len,
			    struct unifw_da_emi_entry *entries, size_t max, struct unifw_da_emi *out,
			    struct unifw_error *err);

/* Find the single entry whose ID matches the DRAM info the DA sent (its first id_len bytes, as
 * sent or with each 4-byte word reversed, the two ways public hosts search; docs/transport.md). Refuses with
 * UNIFW_E_UNSAFE when none matches or when two different entries match. */
int unifw_da_emi_match(const struct unifw_da_emi *emi, const uint8_t dram_info[16], size_t *index,
		       struct unifw_error *err);

/* Stage-2 config (host -> DA after report 1). */
struct unifw_da_stage2_config {
	uint8_t brom_ver;      /* GET_VERSION answer */
	uint8_t bl_ver;        /* GET_BL_VER answer (0xFE in BROM mode) */
	uint16_t nor_cfg;      /* 0x0008 */
	uint8_t nor_chip_select;
	uint32_t nand_acccon;  /* 0x7007FFFF */
	uint8_t bmt_flag;      /* MT6572 eMMC: 0 */
	uint32_t bmt_partsize; /* MT6572 eMMC: 0xA8 */
	uint8_t force_charge;  /* 1 */
	uint8_t reset_key;     /* 1 */
	uint8_t ext_clock;     /* 2 = 26 MHz */
	uint8_t msdc_boot_ch;  /* 0 */
};
/* The defaults above for a chip with bmt_flag/bmt_partsize and the BROM/BL versions. */
void unifw_da_stage2_defaults(struct unifw_da_stage2_config *cfg, uint8_t brom_ver, uint8_t bl_ver,
			      uint8_t bmt_flag, uint32_t bmt_partsize);

struct unifw_da;

struct unifw_da *unifw_da_new(void);
void unifw_da_free(struct unifw_da *da);
struct unifw_proto *unifw_da_proto(struct unifw_da *da);
const struct unifw_da_info *unifw_da_info(const struct unifw_da *da);

/* Sync C0, report 1, host ACK, the DA's 3 version bytes. Run right after JUMP_DA. */
int unifw_da_begin_sync(struct unifw_da *da);
/* Stage-2 config and the DRAM answer. In BROM mode (0xBC3) the entry of emi matching the DRAM
 * info is sent; with emi NULL, an unsupported EMI version or no matching entry the operation fails
 * before the E8 step (the DA then waits: power-cycle the phone). emi must stay alive until DONE. */
int unifw_da_begin_stage2(struct unifw_da *da, const struct unifw_da_stage2_config *cfg,
			  const struct unifw_da_emi *emi);
/* DA stage 2: addr, length, packet size; data in packets, each ACKed; then the 5A/5A exchange
 * (the DA's 5A is accepted whether it comes before or after ours). data stays alive until DONE. */
int unifw_da_begin_upload_da2(struct unifw_da *da, uint32_t addr, const uint8_t *data, size_t len,
			      uint32_t packet);
/* Report 2: NOR, NAND (+ ids, NAND2), eMMC, SDC, CONFIG blocks and the 5A .. C1 tail. */
int unifw_da_begin_report2(struct unifw_da *da);
int unifw_da_begin_usb_check_status(struct unifw_da *da);
/* USB_SETUP_PORT (1 = high speed): after the ACK the phone re-enumerates; reconnect the port. */
int unifw_da_begin_usb_setup_port(struct unifw_da *da, uint8_t speed);
int unifw_da_begin_switch_part(struct unifw_da *da, uint8_t part);
/* READ len bytes at addr: DATA steps of at most `packet` bytes, each verified by its u16 byte sum
 * before the host ACKs it. */
int unifw_da_begin_read(struct unifw_da *da, uint8_t storage, uint64_t addr, uint64_t len, uint32_t packet);
/* SDMMC_WRITE_DATA of len bytes at addr of part: FILL steps ask for the payload; the length on the
 * wire is len rounded up to 512 and the tail is zero padding. */
int unifw_da_begin_write(struct unifw_da *da, uint8_t storage, uint8_t part, uint64_t addr, uint64_t len,
			 uint32_t packet);
/* FORMAT (erase) len bytes at addr, following the DA's progress reports to 100 %. */
int unifw_da_begin_format(struct unifw_da *da, uint8_t storage, uint64_t addr, uint64_t len);
/* SDMMC_READ_PMT: the raw partition table (unifw_da_pmt). */
int unifw_da_begin_read_pmt(struct unifw_da *da);
const uint8_t *unifw_da_pmt(const struct unifw_da *da, size_t *len);
int unifw_da_begin_read_reg32(struct unifw_da *da, uint32_t addr);
int unifw_da_begin_write_reg32(struct unifw_da *da, uint32_t addr, uint32_t value);
int unifw_da_begin_enable_watchdog(struct unifw_da *da, uint32_t timeout_ms, bool async, bool bootup, bool dlbit,
				   bool no_rtc_reset);
/* FINISH (mode 0 = normal boot). */
int unifw_da_begin_finish(struct unifw_da *da, uint32_t mode);

/* 16-bit byte sum used for READ/WRITE packets. */
uint16_t unifw_da_bytesum(const uint8_t *data, size_t len, uint16_t start);
const char *unifw_da_storage_name(enum unifw_da_storage s);

#ifdef __cplusplus
}
#endif
#endif
