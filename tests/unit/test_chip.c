/* Chip table: the MT6572 row carries the facts of docs/protocol.md (its MT6572
 * facts), neighbours are known but marked unsupported, USB ids map to download modes. */
#include "testutil.h"

#include <string.h>

#include "unifw/chip.h"

static void mt6572_row_has_the_reference_facts(void **state)
{
	(void)state;
	const struct unifw_chip *c = unifw_chip_find(0x6572);
	assert_non_null(c);
	assert_string_equal(c->name, "MT6572");
	assert_true(c->supported);
	assert_int_equal(c->hw_ver, 0xCA00);
	assert_int_equal(c->watchdog_addr, 0x10007000);
	assert_int_equal(c->watchdog_disable, 0x22000064);
	assert_int_equal(c->watchdog_disable & 1, 0); /* bit 0 = enable: must be clear */
	assert_int_equal(c->watchdog_disable & 0xFF000000u, 0x22000000u); /* WDT_MODE key */
	assert_int_equal(c->uart_addr, 0x11005000);
	assert_int_equal(c->brom_payload_addr, 0x10036A0);
	assert_int_equal(c->da_payload_addr, 0x2008000);
	assert_int_equal(c->da1_addr, 0x2007000);
	assert_int_equal(c->da2_addr, 0x80000000);
	assert_int_equal(c->efuse_addr, 0x10009000);
	assert_int_equal(c->misc_lock_addr, 0x1000141C);
	assert_int_equal(c->meid_addr, 0x11142C34);
	assert_int_equal(c->devinfo_base, 0x08000000);
	assert_int_equal(c->da_mode, UNIFW_DA_MODE_LEGACY);
	assert_string_equal(unifw_da_mode_name(c->da_mode), "legacy");
	assert_int_equal(c->bmt_flag, 0);
	assert_int_equal(c->bmt_partsize, 0xA8);
}

static void table_rows_are_unique_and_only_mt6572_is_supported(void **state)
{
	(void)state;
	size_t n = 0;
	const struct unifw_chip *t = unifw_chip_table(&n);
	assert_true(n >= 3);
	size_t supported = 0;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].name);
		assert_ptr_equal(unifw_chip_find(t[i].hw_code), &t[i]); /* first row with this code is itself */
		for (size_t j = i + 1; j < n; j++)
			assert_int_not_equal(t[i].hw_code, t[j].hw_code);
		if (t[i].supported) {
			supported++;
			assert_int_equal(t[i].hw_code, 0x6572);
		}
		/* every row says where its watchdog is: identify can always disable it */
		assert_int_not_equal(t[i].watchdog_addr, 0);
	}
	assert_int_equal(supported, 1);
	assert_non_null(unifw_chip_find(0x6582));
	assert_false(unifw_chip_find(0x6582)->supported);
	assert_non_null(unifw_chip_find(0x6580));
	assert_null(unifw_chip_find(0x0000));
	assert_null(unifw_chip_find(0x6589));
}

static void usb_ids_map_to_download_modes(void **state)
{
	(void)state;
	assert_int_equal(unifw_usb_mode_from_ids(0x0E8D, 0x0003), UNIFW_USB_MODE_BROM);
	assert_int_equal(unifw_usb_mode_from_ids(0x0E8D, 0x2000), UNIFW_USB_MODE_PRELOADER);
	assert_int_equal(unifw_usb_mode_from_ids(0x0E8D, 0x3000), UNIFW_USB_MODE_PRELOADER);
	assert_int_equal(unifw_usb_mode_from_ids(0x0E8D, 0x2001), UNIFW_USB_MODE_DA);
	assert_int_equal(unifw_usb_mode_from_ids(0x1004, 0x61F1), UNIFW_USB_MODE_PRELOADER);
	assert_int_equal(unifw_usb_mode_from_ids(0x0E8D, 0x2008), UNIFW_USB_MODE_UNKNOWN); /* MTP, not a download mode */
	assert_int_equal(unifw_usb_mode_from_ids(0x18D1, 0x0003), UNIFW_USB_MODE_UNKNOWN);
	assert_string_equal(unifw_usb_mode_name(UNIFW_USB_MODE_BROM), "brom");
	assert_string_equal(unifw_usb_mode_name(UNIFW_USB_MODE_DA), "da");
	assert_string_equal(unifw_usb_mode_name(UNIFW_USB_MODE_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mt6572_row_has_the_reference_facts),
		cmocka_unit_test(table_rows_are_unique_and_only_mt6572_is_supported),
		cmocka_unit_test(usb_ids_map_to_download_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
