/* unifw-sim — device-side protocol constants of the virtual MT6572.
 * Facts from docs/protocol.md, which lists their public sources.
 * This header belongs to the simulator: the host-side client in src/proto/ keeps its own. */
#ifndef UNIFW_SIM_PROTO_H
#define UNIFW_SIM_PROTO_H

/* Handshake: the host sends these one at a time, the device answers the complement. */
#define SIM_HS_LEN 4
static const unsigned char sim_hs_seq[SIM_HS_LEN] = { 0xA0, 0x0A, 0x50, 0x05 };

/* BootROM / preloader commands. */
enum sim_brom_cmd {
	SIM_BROM_READ16 = 0xD0,
	SIM_BROM_READ32 = 0xD1,
	SIM_BROM_WRITE16 = 0xD2,
	SIM_BROM_WRITE32 = 0xD4,
	SIM_BROM_JUMP_DA = 0xD5,
	SIM_BROM_SEND_DA = 0xD7,
	SIM_BROM_GET_TARGET_CONFIG = 0xD8,
	SIM_BROM_GET_ME_ID = 0xE1,
	SIM_BROM_GET_SOC_ID = 0xE7,
	SIM_BROM_GET_HW_SW_VER = 0xFC,
	SIM_BROM_GET_HW_CODE = 0xFD,
	SIM_BROM_GET_BL_VER = 0xFE,
	SIM_BROM_GET_VERSION = 0xFF,
};

/* BROM status words (u16): docs/protocol.md "BROM status codes". */
enum sim_brom_status {
	SIM_BROM_OK = 0x0000,
	SIM_BROM_INVALID_ADDRESS = 0x1D02,
	SIM_BROM_SLA_REQUIRED = 0x1D0D,
	SIM_BROM_DA_INVALID_JUMP_ADDR = 0x1D0F,
	SIM_BROM_DA_INVALID_ADDR_AND_LEN = 0x1D12,
	SIM_BROM_DA_LEN_IS_ZERO = 0x1D13,
	SIM_BROM_DA_SIG_LEN_EXCEEDS_LEN = 0x1D14,
};

/* Target config bits (GET_TARGET_CONFIG). */
#define SIM_TCFG_SBC 0x1u
#define SIM_TCFG_SLA 0x2u
#define SIM_TCFG_DAA 0x4u

/* Legacy DA single-byte answers. */
enum sim_da_rsp {
	SIM_DA_ACK = 0x5A,
	SIM_DA_NACK = 0xA5,
	SIM_DA_CONT = 0x69,
	SIM_DA_SYNC = 0xC0,
	SIM_DA_SOC_OK = 0xC1,
	SIM_DA_UNKNOWN_CMD = 0xBB,
};

/* Legacy DA commands. */
enum sim_da_cmd {
	SIM_DA_SWITCH_PART = 0x60,
	SIM_DA_WRITE_DATA = 0x62,
	SIM_DA_USB_SETUP_PORT = 0x70,
	SIM_DA_USB_CHECK_STATUS = 0x72,
	SIM_DA_READ_REG32 = 0x7A,
	SIM_DA_WRITE_REG32 = 0x7B,
	SIM_DA_READ_PMT = 0xA5,
	SIM_DA_FORMAT = 0xD4,
	SIM_DA_READ = 0xD6,
	SIM_DA_FINISH = 0xD9,
	SIM_DA_ENABLE_WATCHDOG = 0xDB,
	SIM_DA_ENABLE_DRAM = 0xE8,
};

/* Legacy DA status words (u32). The legacy DA puts them on the wire with one public numbering
 * (0xBC3 "RAM error" = DRAM config needed, 0xBC4 "device not found" = no NAND; docs/protocol.md,
 * "DA status codes"), so every code here uses that numbering. */
enum sim_da_status {
	SIM_DA_S_DONE = 0x000,
	SIM_DA_PART_NO_VALID_TABLE = 0x40D,
	SIM_DA_SETUP_DRAM_FAIL = 0xBBA,
	SIM_DA_RAM_CONFIG_NEEDED = 0xBC3,
	SIM_DA_DEVICE_NOT_FOUND = 0xBC4,
	SIM_DA_UART_DATA_CKSUM_ERROR = 0xBF9,
	SIM_DA_INVALID_BEGIN_ADDR = 0xBDC,
	SIM_DA_INVALID_RANGE = 0xBE0,
	SIM_DA_SDMMC_WRITE_FAILED = 0xC52,
	SIM_DA_INVALID_STORAGE_TYPE = 0xC6A,
};

/* Storage codes: READ and FORMAT name the HW storage (2 = eMMC), SDMMC_WRITE_DATA the DA storage
 * (1 = eMMC): two different enums on the wire. */
#define SIM_HW_STORAGE_EMMC 2
#define SIM_DA_STORAGE_EMMC 1

/* eMMC partitions as SWITCH_PART / WRITE_DATA number them. */
enum sim_part {
	SIM_PART_BOOT1 = 1,
	SIM_PART_BOOT2 = 2,
	SIM_PART_RPMB = 3,
	SIM_PART_GP1 = 4,
	SIM_PART_GP4 = 7,
	SIM_PART_USER = 8,
};
#define SIM_PART_COUNT 9 /* index 0 unused */

/* Stage-2 config: bromver u8, blver u8, nor_cfg u16, nor_cs u8, nand_acccon u32, bmt_flag u8,
 * bmt_partsize u32, force_charge u8, reset_key u8, ext_clock u8, msdc_boot_ch u8. */
#define SIM_STAGE2_CONFIG_LEN 18

/* The EMI step for MTK_BLOADER_INFO_v11 (EMI version 0x0B): one 0xA8-byte entry. */
#define SIM_EMI_VERSION_V11 0x0B
#define SIM_EMI_ENTRY_LEN 0xA8
#define SIM_EMI_ID_OFF 0x04
#define SIM_EMI_ID_MAX 16
#define SIM_EMI_ID_LENGTH_OFF 0x14
#define SIM_EMI_DRAM_CONFIG_CMD 0x80000001u

/* Report blocks after DA2 (sizes: docs/protocol.md "Report 2"). */
#define SIM_NAND_ID_COUNT 7
#define SIM_NOR_BLOCK_LEN 0x1C
#define SIM_NAND_BLOCK_LEN 0x11
#define SIM_NAND2_BLOCK_LEN 9
#define SIM_EMMC_BLOCK_LEN 0x5C
#define SIM_SDC_BLOCK_LEN 0x1C
#define SIM_CONFIG_BLOCK_LEN 0x26
#define SIM_REPORT_TAIL_LEN 0xA

/* MT6572 chip facts (docs/protocol.md "MT6572 facts"). */
#define SIM_MT6572_HW_CODE 0x6572
#define SIM_MT6572_HW_VER 0xCA00
#define SIM_MT6572_WDT 0x10007000u
#define SIM_WDT_KEY 0x22000000u
#define SIM_WDT_KEY_MASK 0xFF000000u
#define SIM_DEVINFO_BASE 0x08000000u
#define SIM_DA1_ADDR 0x02007000u
#define SIM_DA2_ADDR 0x80000000u

/* PMT (docs/format-partition-tables.md): a 0x1000-byte region at user size - 0x100000, 8-byte header ("PTv1", "1.0\0"),
 * then 40 entries of 0x58 bytes (name[64], size u64, offset u64, mask_flags u64). */
#define SIM_PMT_FROM_END 0x100000u
#define SIM_PMT_HEADER_LEN 8
#define SIM_PMT_ENTRIES 40
#define SIM_PMT_ENTRY_LEN 0x58

/* Transfer limits of the sim's DA (buffer sizes a real DA also has; hosts use 0x100000 packets,
 * docs/protocol.md "READ"). */
#define SIM_DA_MAX_PACKET 0x100000u
#define SIM_DA_SECTOR 512u

#endif
