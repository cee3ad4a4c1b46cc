/* Device-information texts: every corpus/deviceinfo file is recognised with the kind its name says,
 * and its key facts match what the corpus documents. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "unifw/devtext.h"

static const char *expected_kind(const char *path)
{
	if (strstr(path, "dumchar_info") || strstr(path, "firmware_info"))
		return "dumchar_info";
	if (strstr(path, "mount_info"))
		return "mount_info";
	if (strstr(path, "BoardConfig"))
		return "board_config";
	if (strstr(path, "partition_size.mk"))
		return "partition_size_mk";
	if (strstr(path, "mbr_addr.pl"))
		return "mbr_addr_pl";
	if (strstr(path, "fstab"))
		return "fstab";
	if (strstr(path, "prebuilt_boot.mk"))
		return "makefile";
	return NULL;
}

static struct unifw_jv *describe_corpus(const char *rel)
{
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_stream_open_file(&s, corpus_path(rel), &e), 0);
	int rc = unifw_devtext_describe(&s, o, &e);
	unifw_stream_close(&s);
	if (rc)
		fail_msg("%s: %s", rel, e.msg);
	return o;
}

static void every_deviceinfo_file_gets_the_kind_its_name_says(void **state)
{
	(void)state;
	size_t n;
	char **files = corpus_list("deviceinfo", &n);
	assert_true(n >= 39);
	for (size_t i = 0; i < n; i++) {
		const char *want = expected_kind(files[i]);
		if (!want)
			fail_msg("test does not know what %s is", files[i]);
		size_t len;
		uint8_t *b = corpus_read(files[i], &len);
		if (!unifw_devtext_probe(b, len, len))
			fail_msg("probe rejects %s", files[i]);
		struct unifw_jv *o = describe_corpus(files[i]);
		if (strcmp(unifw_jv_str(unifw_jv_get(o, "type")), want))
			fail_msg("%s: type %s, expected %s", files[i], unifw_jv_str(unifw_jv_get(o, "type")), want);
		unifw_jv_free(o);
		free(b);
	}
	test_free_list(files, n);
}

static void dumchar_tables_give_partitions_and_boot_region(void **state)
{
	(void)state;
	struct unifw_jv *o = describe_corpus("deviceinfo/mt6572_lenovo_a516_dumchar_info.txt");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "partition_count")), 20);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "boot_region")), "0x600000");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.16.name")), "android");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(o, "partitions.16.size")), 0x40000000);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "partitions.16.map_to")), "/dev/block/mmcblk0p5");
	unifw_jv_free(o);
	/* MTK Droid Tools' firmware.info for Mobiwire S10: 20 MiB boot region, as its scatter says. */
	o = describe_corpus("deviceinfo/mt6572_mobiwire_s10_firmware_info.txt");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "boot_region")), "0x1400000");
	unifw_jv_free(o);
}

static void ptgen_mbr_addr_matches_orangepi_boot_region(void **state)
{
	(void)state;
	struct unifw_jv *o = describe_corpus("deviceinfo/mt6572_orangepi3giot_mbr_addr.pl.txt");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "mbr_start_kb")), 20480);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "boot_region")), "0x1400000");
	unifw_jv_free(o);
}

static void board_configs_report_mkbootimg_mtk_flag(void **state)
{
	(void)state;
	struct unifw_jv *o = describe_corpus("deviceinfo/mt6572_alcatel_yaris_m_gsm_BoardConfig.mk.txt");
	assert_true(unifw_jv_truthy(unifw_jv_get(o, "mtk_headers")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "variables.TARGET_BOOTLOADER_BOARD_NAME")), "Yaris_M_GSM");
	unifw_jv_free(o);
	o = describe_corpus("deviceinfo/mt6572_lenovo_a369i_BoardConfig.mk.txt");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "variables.BOARD_KERNEL_BASE")), "0x00000000");
	unifw_jv_free(o);
}

static void fstab_column_orders_both_understood(void **state)
{
	(void)state;
	/* fs_mgr order: <device> <mount> <type> */
	struct unifw_jv *o = describe_corpus("deviceinfo/mt6572_explay_joytv_recovery.fstab.txt");
	size_t n = unifw_jv_len(unifw_jv_get(o, "mounts"));
	bool seen_system = false;
	for (size_t i = 0; i < n; i++) {
		struct unifw_jv *m = unifw_jv_at(unifw_jv_get(o, "mounts"), i);
		if (!strcmp(unifw_jv_str(unifw_jv_get(m, "mount_point")), "/system")) {
			assert_string_equal(unifw_jv_str(unifw_jv_get(m, "device")), "/dev/block/mmcblk0p4");
			seen_system = true;
		}
	}
	assert_true(seen_system);
	unifw_jv_free(o);
	/* TWRP order: <mount> <type> <device> */
	o = describe_corpus("deviceinfo/mt6572_symphony_w69_twrp.fstab.txt");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "mounts.1.mount_point")), "/system");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "mounts.1.device")),
			    "/dev/block/platform/mtk-msdc.0/by-name/system");
	unifw_jv_free(o);
}

static void binary_and_unrelated_text_rejected(void **state)
{
	(void)state;
	const char bin[] = "ANDROID!\0\0\0\0 not text";
	assert_false(unifw_devtext_probe((const uint8_t *)bin, sizeof bin, sizeof bin));
	const char prose[] = "hello world\nthis is a note\n";
	assert_false(unifw_devtext_probe((const uint8_t *)prose, strlen(prose), strlen(prose)));
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, prose, strlen(prose), "note.txt");
	assert_int_equal(unifw_devtext_describe(&s, o, &e), UNIFW_E_FORMAT);
	assert_string_equal(e.where, "note.txt");
	unifw_stream_close(&s);
	unifw_jv_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_deviceinfo_file_gets_the_kind_its_name_says),
		cmocka_unit_test(dumchar_tables_give_partitions_and_boot_region),
		cmocka_unit_test(ptgen_mbr_addr_matches_orangepi_boot_region),
		cmocka_unit_test(board_configs_report_mkbootimg_mtk_flag),
		cmocka_unit_test(fstab_column_orders_both_understood),
		cmocka_unit_test(binary_and_unrelated_text_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
