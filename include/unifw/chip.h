/* unifw — MediaTek chip facts as data (one row per hw code), in the spirit of sunxi-tools'
 * soc_info.c and flashrom's flashchips. MT6572 is the supported chip; neighbours have rows marked
 * unsupported so that identify can name them instead of guessing. Sources: docs/transport.md. */
#ifndef UNIFW_CHIP_H
#define UNIFW_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_da_mode {
	UNIFW_DA_MODE_LEGACY = 0, /* MT65xx "legacy" DA (da_legacy.h) */
	UNIFW_DA_MODE_XFLASH,     /* newer chips: not implemented */
	UNIFW_DA_MODE_XML,
};

struct unifw_chip {
	uint16_t hw_code;           /* GET_HW_CODE answer */
	const char *name;
	const char *description;
	bool supported;             /* false: known to exist, not handled by unifw */
	uint16_t hw_ver;            /* GET_HW_SW_VER hw_ver of the common revision (0 = unknown) */
	uint32_t watchdog_addr;     /* WDT_MODE register */
	uint32_t watchdog_disable;  /* value that disables it (key 0x22000000, enable bit clear + ...) */
	uint32_t uart_addr;
	uint32_t brom_payload_addr;
	uint32_t da_payload_addr;
	uint32_t da1_addr;          /* where the legacy DA stage 1 is loaded (SRAM) */
	uint32_t da2_addr;          /* where stage 2 is loaded (DRAM) */
	uint32_t efuse_addr;
	uint32_t misc_lock_addr;    /* reboot-to-BROM registers are relative to this */
	uint32_t meid_addr;
	uint32_t devinfo_base;      /* HW_VER +0, SW_VER +4, HW_CODE +8, SUBCODE +0xC */
	enum unifw_da_mode da_mode;
	uint8_t bmt_flag;           /* legacy DA stage-2 config */
	uint32_t bmt_partsize;
};

/* The row for a hw code, or NULL when unknown. */
const struct unifw_chip *unifw_chip_find(uint16_t hw_code);
/* The whole table (for listings and tests). */
const struct unifw_chip *unifw_chip_table(size_t *count);
const char *unifw_da_mode_name(enum unifw_da_mode mode);

/* USB identities of MediaTek download modes (VID 0E8D unless an OEM changed it). */
enum unifw_usb_mode {
	UNIFW_USB_MODE_UNKNOWN = 0,
	UNIFW_USB_MODE_BROM,      /* 0E8D:0003 */
	UNIFW_USB_MODE_PRELOADER, /* 0E8D:2000, 0E8D:3000, LG 1004:61F1 */
	UNIFW_USB_MODE_DA,        /* 0E8D:2001, after the DA's USB re-enumeration */
};
#define UNIFW_USB_VID_MEDIATEK 0x0E8D
enum unifw_usb_mode unifw_usb_mode_from_ids(uint16_t vid, uint16_t pid);
const char *unifw_usb_mode_name(enum unifw_usb_mode mode);

#ifdef __cplusplus
}
#endif
#endif
