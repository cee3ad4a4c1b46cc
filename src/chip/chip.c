/* Chip table. Every address comes from a public source; docs/transport.md lists them with their
 * sources (hwconfig rows 0x6572, 0x6580, 0x6582; the MT6572 preloader). A zero means "not known". */
#include "unifw/chip.h"

static const struct unifw_chip chips[] = {
	{
		.hw_code = 0x6572,
		.name = "MT6572",
		.description = "dual-core Cortex-A7, 2013-2015 entry phones",
		.supported = true,
		.hw_ver = 0xCA00,
		.watchdog_addr = 0x10007000,
		/* WDT_MODE: key 0x22000000 | 0x64 with the enable bit (bit 0) clear; the value
		 * docs/protocol.md gives ("MT6572 facts"). */
		.watchdog_disable = 0x22000064,
		.uart_addr = 0x11005000,
		.brom_payload_addr = 0x010036A0,
		.da_payload_addr = 0x02008000,
		.da1_addr = 0x02007000,
		.da2_addr = 0x80000000,
		.efuse_addr = 0x10009000,
		.misc_lock_addr = 0x1000141C,
		.meid_addr = 0x11142C34,
		.devinfo_base = 0x08000000,
		.da_mode = UNIFW_DA_MODE_LEGACY,
		/* eMMC phones: no BMT (docs/protocol.md "BROM / preloader commands", MT6572 facts). */
		.bmt_flag = 0,
		.bmt_partsize = 0xA8,
	},
	{
		.hw_code = 0x6580,
		.name = "MT6580",
		.description = "quad-core Cortex-A7 (not handled: its stage-2 config differs)",
		.supported = false,
		.watchdog_addr = 0x10007000,
		.watchdog_disable = 0x22000064,
		.uart_addr = 0x11005000,
		.brom_payload_addr = 0x00100A00,
		.da_payload_addr = 0x00201000,
		.efuse_addr = 0x10009000,
		.misc_lock_addr = 0x10001838,
		.meid_addr = 0x001030B4,
		.da_mode = UNIFW_DA_MODE_LEGACY,
	},
	{
		.hw_code = 0x6582,
		.name = "MT6582",
		.description = "quad-core Cortex-A7 (not handled yet)",
		.supported = false,
		.watchdog_addr = 0x10007000,
		.watchdog_disable = 0x22000064,
		.uart_addr = 0x11002000,
		.brom_payload_addr = 0x00100A00,
		.da_payload_addr = 0x00201000,
		.efuse_addr = 0x10206000,
		.misc_lock_addr = 0x10002050,
		.meid_addr = 0x001030CC,
		.da_mode = UNIFW_DA_MODE_LEGACY,
	},
};

const struct unifw_chip *unifw_chip_find(uint16_t hw_code)
{
	for (size_t i = 0; i < sizeof chips / sizeof chips[0]; i++)
		if (chips[i].hw_code == hw_code)
			return &chips[i];
	return NULL;
}

const struct unifw_chip *unifw_chip_table(size_t *count)
{
	*count = sizeof chips / sizeof chips[0];
	return chips;
}

const char *unifw_da_mode_name(enum unifw_da_mode mode)
{
	switch (mode) {
	case UNIFW_DA_MODE_LEGACY: return "legacy";
	case UNIFW_DA_MODE_XFLASH: return "xflash";
	case UNIFW_DA_MODE_XML: return "xml";
	}
	return "unknown";
}

/* USB ids: docs/transport.md "USB (libusb)". */
enum unifw_usb_mode unifw_usb_mode_from_ids(uint16_t vid, uint16_t pid)
{
	if (vid == UNIFW_USB_VID_MEDIATEK) {
		switch (pid) {
		case 0x0003: return UNIFW_USB_MODE_BROM;
		case 0x2000:
		case 0x3000: return UNIFW_USB_MODE_PRELOADER;
		case 0x2001: return UNIFW_USB_MODE_DA;
		default: return UNIFW_USB_MODE_UNKNOWN;
		}
	}
	if (vid == 0x1004 && pid == 0x61F1) /* LG's preloader */
		return UNIFW_USB_MODE_PRELOADER;
	return UNIFW_USB_MODE_UNKNOWN;
}

const char *unifw_usb_mode_name(enum unifw_usb_mode mode)
{
	switch (mode) {
	case UNIFW_USB_MODE_BROM: return "brom";
	case UNIFW_USB_MODE_PRELOADER: return "preloader";
	case UNIFW_USB_MODE_DA: return "da";
	case UNIFW_USB_MODE_UNKNOWN: break;
	}
	return "unknown";
}
