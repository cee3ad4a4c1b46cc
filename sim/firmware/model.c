/* unifw-sim — the built-in phone models and firmware profiles (data; see model.h, docs/sim.md).
 *
 * Sources of the numbers: docs/sim.md "Phone models" (the MT6572 eMMC layout, the preloader EMI table,
 * MBR / EBR, and the corpus figures: boot regions 0x600000 / 0xC00000 / 0x1400000, BOOTIMG 0x600000 vs
 * 0x1200000, kernels 3.4.5 gzip JB vs 3.4.67 xz KK). eMMC CIDs start with the 9
 * MID/CBX/OID/PNM bytes of memory parts that real MT6572 preloaders list (corpus EMI tables); the rest
 * of each CID (revision, serial, date) is made up. MAC and Bluetooth addresses are locally
 * administered (0x02 in the first byte): no vendor's address space is used. ANDROID / CACHE / USRDATA
 * are scaled down (MiB instead of GiB) so that CI images stay small. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
/* BMTPOOL: 0xFFFF0000 | number of 128 KiB blocks counted from the end (0xA8 blocks = 0x1500000). */
#define BMT_BLOCKS 0xA8u

/* ---------------------------------------------------------------- memory parts */

static const struct sim_mem_part samsung_n5u00m = {
	.label = "Samsung KMN5U000ZM (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M' }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0x01,
};
static const struct sim_mem_part samsung_n5wzmb = {
	.label = "Samsung N5WZMB (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0x15, 0x01, 0x00, 'N', '5', 'W', 'Z', 'M', 'B' }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0x01,
};
static const struct sim_mem_part samsung_njs00m = {
	.label = "Samsung NJS00M (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0x15, 0x01, 0x00, 'N', 'J', 'S', '0', '0', 'M' }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0x01,
};
static const struct sim_mem_part hynix_h4g1d = {
	.label = "Hynix H4G1d (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0x90, 0x01, 0x4A, 'H', '4', 'G', '1', 'd', 0x04 }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0x06,
};
static const struct sim_mem_part hynix_h4g2a = {
	.label = "Hynix H4G2a (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0x90, 0x01, 0x4A, 'H', '4', 'G', '2', 'a', 0x11 }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0x06,
};
static const struct sim_mem_part hynix_h8g1e = {
	.label = "Hynix H8G1e (8 GB eMMC + 2 x 512 MiB LPDDR2)",
	.id = { 0x90, 0x01, 0x4A, 'H', '8', 'G', '1', 'e', 0x05 }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0x20000000 }, .dram_vendor = 0x06,
};
static const struct sim_mem_part kingston_mmc04g = {
	.label = "Kingston MMC04G (4 GB eMMC + 2 x 512 MiB LPDDR2)",
	.id = { 0x70, 0x01, 0x00, 'M', 'M', 'C', '0', '4', 'G' }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0x20000000 }, .dram_vendor = 0x05,
};
static const struct sim_mem_part sandisk_sem04g = {
	.label = "SanDisk SEM04G (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0x45, 0x01, 0x00, 'S', 'E', 'M', '0', '4', 'G' }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0x06,
};
static const struct sim_mem_part toshiba_004g90 = {
	.label = "Toshiba 004G90 (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0x11, 0x01, 0x00, '0', '0', '4', 'G', '9', '0' }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0x06,
};
static const struct sim_mem_part micron_p1j94h = {
	.label = "Micron P1J94H (4 GB eMMC + 512 MiB LPDDR2)",
	.id = { 0xFE, 0x01, 0x4E, 'P', '1', 'J', '9', '4', 'H' }, .type = 0x0202, .freq_mhz = 266,
	.rank_size = { 0x20000000, 0 }, .dram_vendor = 0xFF,
};

/* ---------------------------------------------------------------- layouts */

/* The raw partitions every MT6572 eMMC layout starts with (docs/format-scatter.md, the canonical layout). */
#define RAW_HEAD                                                                                               \
	{ "PRELOADER", 0, SIM_ROLE_PRELOADER }, { "MBR", KiB(512), SIM_ROLE_MBR },                          \
	{ "EBR1", KiB(512), SIM_ROLE_EBR1 }, { "PRO_INFO", MiB(3), SIM_ROLE_PRO_INFO },                     \
	{ "NVRAM", MiB(5), SIM_ROLE_NVRAM }, { "PROTECT_F", MiB(10), SIM_ROLE_PROTECT_F },                  \
	{ "PROTECT_S", MiB(10), SIM_ROLE_PROTECT_S }, { "SECCFG", KiB(128), SIM_ROLE_SECCFG },              \
	{ "UBOOT", KiB(384), SIM_ROLE_LK }

#define RAW_TAIL(bootimg)                                                                                      \
	{ "BOOTIMG", bootimg, SIM_ROLE_BOOT }, { "RECOVERY", bootimg, SIM_ROLE_RECOVERY },                    \
	{ "SEC_RO", KiB(256), SIM_ROLE_SECRO }, { "MISC", KiB(512), SIM_ROLE_MISC },                         \
	{ "LOGO", MiB(3), SIM_ROLE_LOGO }

#define EXPDB { "EXPDB", MiB(10), SIM_ROLE_EXPDB }
#define BMTPOOL { "BMTPOOL", (uint64_t)BMT_BLOCKS * KiB(128), SIM_ROLE_BMTPOOL }

/* Lenovo A516-like: 6 MiB boot region, the extra PRELOAD partition of the A516 scatter. */
static const struct sim_part_def layout_a516[] = {
	RAW_HEAD, RAW_TAIL(MiB(6)), EXPDB,
	{ "PRELOAD", MiB(32), SIM_ROLE_PRELOAD }, { "ANDROID", MiB(160), SIM_ROLE_SYSTEM },
	{ "CACHE", MiB(32), SIM_ROLE_CACHE }, { "USRDATA", MiB(160), SIM_ROLE_USERDATA }, BMTPOOL,
};

/* Wiko Sunset2-like: 12 MiB boot region, BOOTIMG/RECOVERY 0x1200000 (corpus wiko scatter). */
static const struct sim_part_def layout_wiko[] = {
	RAW_HEAD, RAW_TAIL(MiB(18)), EXPDB,
	{ "ANDROID", MiB(144), SIM_ROLE_SYSTEM }, { "CACHE", MiB(32), SIM_ROLE_CACHE },
	{ "USRDATA", MiB(96), SIM_ROLE_USERDATA }, BMTPOOL,
};

/* Mobiwire S10-like: 20 MiB boot region, a CUSTPACK and a FAT partition: seven MBR-listed
 * partitions, so ptgen adds EBR2 after LOGO (docs/format-partition-tables.md). */
static const struct sim_part_def layout_s10[] = {
	RAW_HEAD, RAW_TAIL(MiB(6)), { "EBR2", KiB(512), SIM_ROLE_EBR2 }, EXPDB,
	{ "ANDROID", MiB(160), SIM_ROLE_SYSTEM }, { "CACHE", MiB(32), SIM_ROLE_CACHE },
	{ "CUSTPACK", MiB(16), SIM_ROLE_CUSTPACK }, { "USRDATA", MiB(160), SIM_ROLE_USERDATA },
	{ "FAT", MiB(48), SIM_ROLE_FAT }, BMTPOOL,
};

/* Huawei Y600-like: 12 MiB boot region, 6 MiB BOOTIMG (corpus huawei_y600 ota scatter). */
static const struct sim_part_def layout_y600[] = {
	RAW_HEAD, RAW_TAIL(MiB(6)), EXPDB,
	{ "ANDROID", MiB(160), SIM_ROLE_SYSTEM }, { "CACHE", MiB(32), SIM_ROLE_CACHE },
	{ "USRDATA", MiB(96), SIM_ROLE_USERDATA }, BMTPOOL,
};

/* The generic ROM's own board: 12 MiB boot region, other system/data sizes. */
static const struct sim_part_def layout_universal[] = {
	RAW_HEAD, RAW_TAIL(MiB(6)), EXPDB,
	{ "ANDROID", MiB(128), SIM_ROLE_SYSTEM }, { "CACHE", MiB(32), SIM_ROLE_CACHE },
	{ "USRDATA", MiB(128), SIM_ROLE_USERDATA }, BMTPOOL,
};

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ---------------------------------------------------------------- firmware */

static const struct sim_mem_part *const emi_a516[] = { &samsung_n5u00m };
static const struct sim_mem_part *const emi_wiko[] = { &hynix_h4g1d, &samsung_n5wzmb };
static const struct sim_mem_part *const emi_s10[] = { &kingston_mmc04g, &sandisk_sem04g };
static const struct sim_mem_part *const emi_y600[] = { &toshiba_004g90, &hynix_h4g2a };
/* None of the models' parts: the universal preloader kills every built-in phone. */
static const struct sim_mem_part *const emi_universal[] = { &samsung_njs00m, &hynix_h8g1e, &micron_p1j94h };

/* LCM names from corpus names/lcm_selected.txt (and lcm.txt for the qHD panel); touch names as the
 * drivers register them (names/touch_selected.txt spellings, case as in the kernel). */
static const char *const lcm_a516[] = { "otm8018b_dsi_vdo" };
static const char *const lcm_wiko[] = { "nt35512_wvga_dsi_vdo_dj" };
static const char *const lcm_s10[] = { "hx8389b_kelai_dsi_vdo_qhd" };
static const char *const lcm_y600[] = { "otm8018b_dsi_vdo_dijing" };
static const char *const lcm_universal[] = { "hx8379a_wvga_dsi_vdo", "ili9806e_wvga_dsi_vdo",
					     "otm8018b_dsi_vdo_dijing" };
static const char *const touch_a516[] = { "gt9xx" };
static const char *const touch_wiko[] = { "ft5206" };
static const char *const touch_s10[] = { "msg2133a" };
static const char *const touch_y600[] = { "GT9XX_hotknot" };
static const char *const touch_universal[] = { "ft6x06", "gslX68X", "msg2133a" };
/* Image-sensor drivers (SENSOR_DRVNAME_* of kd_imgsensor.h): the A516's from the corpus A516 kernel,
 * the others sensors common in MT6572 kernels of the corpus (gc0329, sp0a19) and trees (hi704). */
static const char *const camera_a516[] = { "ov5645_mipi_yuv" };
static const char *const camera_wiko[] = { "gc0329_yuv" };
static const char *const camera_s10[] = { "hi704yuv" };
static const char *const camera_y600[] = { "sp0a19yuv" };
static const char *const camera_universal[] = { "ov5645_mipi_yuv", "gc0329_yuv", "hi704yuv", "sp0a19yuv",
						"gc2035yuv" };

static const struct sim_firmware fw_a516 = {
	.id = "a516-like", .project = "sim72_a516", .boot_region = 0x600000,
	.parts = layout_a516, .part_count = COUNT(layout_a516),
	.emi = emi_a516, .emi_count = COUNT(emi_a516), .emi_dram_info_check = false,
	.lcm = lcm_a516, .lcm_count = COUNT(lcm_a516), .touch = touch_a516, .touch_count = COUNT(touch_a516),
	.camera = camera_a516, .camera_count = COUNT(camera_a516),
	.android = SIM_ANDROID_JB_422, .kernel_builder = "builder@sim72-a516",
	.kernel_date = "#1 SMP PREEMPT Wed Oct 23 13:30:02 CST 2013",
	.logo_width = 480, .logo_height = 854,
	.brand = "unifwsim", .manufacturer = "unifw-sim", .product_model = "SIM A516-like", .device = "sim72_a516",
	.board = "sim72_a516", .display_id = "SIM_A516_S117_131023", .build_date = "Wed Oct 23 13:30:02 CST 2013",
};

static const struct sim_firmware fw_wiko = {
	.id = "wiko-like", .project = "sim72_s4050", .boot_region = 0xC00000,
	.parts = layout_wiko, .part_count = COUNT(layout_wiko),
	.emi = emi_wiko, .emi_count = COUNT(emi_wiko), .emi_dram_info_check = true,
	.lcm = lcm_wiko, .lcm_count = COUNT(lcm_wiko), .touch = touch_wiko, .touch_count = COUNT(touch_wiko),
	.camera = camera_wiko, .camera_count = COUNT(camera_wiko),
	.android = SIM_ANDROID_KK_442, .kernel_builder = "builder@sim72-s4050",
	.kernel_date = "#1 SMP PREEMPT Fri Aug 8 18:13:48 CST 2014",
	.logo_width = 480, .logo_height = 800,
	.brand = "unifwsim", .manufacturer = "unifw-sim", .product_model = "SIM S4050-like", .device = "sim72_s4050",
	.board = "sim72_s4050", .display_id = "SIM_S4050_V12_140808", .build_date = "Fri Aug 8 18:13:48 CST 2014",
};

static const struct sim_firmware fw_s10 = {
	.id = "s10-like", .project = "sim72_s10", .boot_region = 0x1400000,
	.parts = layout_s10, .part_count = COUNT(layout_s10),
	.emi = emi_s10, .emi_count = COUNT(emi_s10), .emi_dram_info_check = true,
	.lcm = lcm_s10, .lcm_count = COUNT(lcm_s10), .touch = touch_s10, .touch_count = COUNT(touch_s10),
	.camera = camera_s10, .camera_count = COUNT(camera_s10),
	.android = SIM_ANDROID_KK_442, .kernel_builder = "builder@sim72-s10",
	.kernel_date = "#1 SMP PREEMPT Tue Mar 17 19:01:55 CST 2015",
	.logo_width = 540, .logo_height = 960,
	.brand = "unifwsim", .manufacturer = "unifw-sim", .product_model = "SIM S10-like", .device = "sim72_s10",
	.board = "sim72_s10", .display_id = "SIM_S10_V03_150317", .build_date = "Tue Mar 17 19:01:55 CST 2015",
};

static const struct sim_firmware fw_y600 = {
	.id = "y600-like", .project = "sim72_y600", .boot_region = 0xC00000,
	.parts = layout_y600, .part_count = COUNT(layout_y600),
	.emi = emi_y600, .emi_count = COUNT(emi_y600), .emi_dram_info_check = false,
	.lcm = lcm_y600, .lcm_count = COUNT(lcm_y600), .touch = touch_y600, .touch_count = COUNT(touch_y600),
	.camera = camera_y600, .camera_count = COUNT(camera_y600),
	.android = SIM_ANDROID_JB_422, .kernel_builder = "builder@sim72-y600",
	.kernel_date = "#1 SMP PREEMPT Sun Feb 9 09:22:35 CST 2014",
	.logo_width = 480, .logo_height = 854,
	.brand = "unifwsim", .manufacturer = "unifw-sim", .product_model = "SIM Y600-like", .device = "sim72_y600",
	.board = "sim72_y600", .display_id = "SIM_Y600_B109_140209", .build_date = "Sun Feb 9 09:22:35 CST 2014",
};

static const struct sim_firmware fw_universal = {
	.id = "universal", .project = "universal72_generic", .boot_region = 0xC00000,
	.parts = layout_universal, .part_count = COUNT(layout_universal),
	.emi = emi_universal, .emi_count = COUNT(emi_universal), .emi_dram_info_check = true,
	.lcm = lcm_universal, .lcm_count = COUNT(lcm_universal),
	.touch = touch_universal, .touch_count = COUNT(touch_universal),
	.camera = camera_universal, .camera_count = COUNT(camera_universal),
	/* built for a board that reserves 24 MiB for the modem: its modem asks for all of it */
	.md_mem_size = 24u << 20, .md_reserved = 24u << 20,
	.android = SIM_ANDROID_KK_442, .kernel_builder = "porter@universal72",
	.kernel_date = "#7 SMP PREEMPT Sat Sep 9 13:17:16 CST 2017",
	.logo_width = 480, .logo_height = 800,
	.brand = "generic", .manufacturer = "generic", .product_model = "Universal MT6572", .device = "universal72",
	.board = "universal72_generic", .display_id = "UNIVERSAL72_KK_V7", .build_date = "Sat Sep 9 13:17:16 CST 2017",
};

/* ---------------------------------------------------------------- models */

static const struct sim_model models[] = {
	{
		.name = "a516-like", .summary = "6 MiB boot region, Samsung eMMC, otm8018b 480x854, gt9xx, JB 4.2.2 / 3.4.5 gzip",
		.stock = &fw_a516,
		.cid = { 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x11, 0x00, 0x00, 0x05, 0x16, 0xA6 },
		.fwver = { 0, 0, 0, 0, 0, 0, 0, 0x01 },
		.boot_part_size = MiB(2), .rpmb_size = MiB(2), .user_size = MiB(512), .mem = &samsung_n5u00m,
		.lcm = "otm8018b_dsi_vdo", .panel_ic = 0x8009, .panel_module = 0x01,
		.panel_width = 480, .panel_height = 854, .touch = "gt9xx", .camera = "ov5645_mipi_yuv",
		.hw_ver = 0xCA00, .hw_subcode = 0x8A00, .sw_ver = 0x0000,
		.wifi_mac = { 0x02, 0x5A, 0x11, 0x05, 0x16, 0x01 }, .bt_addr = { 0x02, 0x5A, 0x21, 0x05, 0x16, 0x01 },
	},
	{
		.name = "wiko-like", .summary = "12 MiB boot region, Hynix eMMC, 18 MiB BOOTIMG, nt35512 480x800, ft5206, KK 4.4.2 / 3.4.67 xz",
		.stock = &fw_wiko,
		.cid = { 0x90, 0x01, 0x4A, 'H', '4', 'G', '1', 'd', 0x04, 0x20, 0x13, 0x50, 0x40, 0x50, 0x81 },
		.fwver = { 0, 0, 0, 0, 0, 0, 0, 0x05 },
		.boot_part_size = MiB(4), .rpmb_size = MiB(4), .user_size = MiB(384), .mem = &hynix_h4g1d,
		.lcm = "nt35512_wvga_dsi_vdo_dj", .panel_ic = 0x5512, .panel_module = 0x01,
		.panel_width = 480, .panel_height = 800, .touch = "ft5206", .camera = "gc0329_yuv",
		.hw_ver = 0xCA00, .hw_subcode = 0x8A00, .sw_ver = 0x0001,
		.wifi_mac = { 0x02, 0x5A, 0x11, 0x40, 0x50, 0x02 }, .bt_addr = { 0x02, 0x5A, 0x21, 0x40, 0x50, 0x02 },
	},
	{
		.name = "s10-like", .summary = "20 MiB boot region, Kingston eMMC + 1 GiB, EBR2, hx8389b 540x960, msg2133a, KK 4.4.2 / 3.4.67 xz",
		.stock = &fw_s10,
		.cid = { 0x70, 0x01, 0x00, 'M', 'M', 'C', '0', '4', 'G', 0x90, 0x0A, 0x51, 0x00, 0x10, 0x32 },
		.fwver = { 0, 0, 0, 0, 0, 0, 0x01, 0x02 },
		.boot_part_size = MiB(8), .rpmb_size = MiB(4), .user_size = MiB(512), .mem = &kingston_mmc04g,
		.lcm = "hx8389b_kelai_dsi_vdo_qhd", .panel_ic = 0x8389, .panel_module = 0x01,
		.panel_width = 540, .panel_height = 960, .touch = "msg2133a", .camera = "hi704yuv",
		.hw_ver = 0xCA00, .hw_subcode = 0x8A00, .sw_ver = 0x0001,
		.wifi_mac = { 0x02, 0x5A, 0x11, 0x00, 0x10, 0x03 }, .bt_addr = { 0x02, 0x5A, 0x21, 0x00, 0x10, 0x03 },
	},
	{
		.name = "y600-like", .summary = "12 MiB boot region, Toshiba eMMC, otm8018b_dijing 480x854, GT9XX_hotknot, JB 4.2.2 / 3.4.5 gzip",
		.stock = &fw_y600,
		.cid = { 0x11, 0x01, 0x00, '0', '0', '4', 'G', '9', '0', 0x55, 0x06, 0x00, 0x06, 0x00, 0x2E },
		.fwver = { 0, 0, 0, 0, 0, 0, 0, 0x0B },
		.boot_part_size = MiB(4), .rpmb_size = MiB(4), .user_size = MiB(384), .mem = &toshiba_004g90,
		.lcm = "otm8018b_dsi_vdo_dijing", .panel_ic = 0x8009, .panel_module = 0x02,
		.panel_width = 480, .panel_height = 854, .touch = "GT9XX_hotknot", .camera = "sp0a19yuv",
		.hw_ver = 0xCA00, .hw_subcode = 0x8A00, .sw_ver = 0x0000,
		.wifi_mac = { 0x02, 0x5A, 0x11, 0x06, 0x00, 0x04 }, .bt_addr = { 0x02, 0x5A, 0x21, 0x06, 0x00, 0x04 },
	},
};

const struct sim_model *sim_model_at(size_t i) { return i < COUNT(models) ? &models[i] : NULL; }
size_t sim_model_count(void) { return COUNT(models); }
const struct sim_firmware *sim_firmware_universal(void) { return &fw_universal; }

const struct sim_model *sim_model_find(const char *name)
{
	for (size_t i = 0; name && i < COUNT(models); i++)
		if (!strcmp(models[i].name, name))
			return &models[i];
	return NULL;
}

uint8_t sim_cid_crc7_byte(const uint8_t cid15[15])
{
	uint8_t crc = 0;
	for (size_t i = 0; i < 15; i++)
		for (int bit = 7; bit >= 0; bit--) {
			uint8_t in = (uint8_t)((cid15[i] >> bit) & 1), top = (uint8_t)((crc >> 6) & 1);
			crc = (uint8_t)((crc << 1) & 0x7F);
			if (in ^ top)
				crc ^= 0x09; /* x^7 + x^3 + 1 */
		}
	return (uint8_t)(crc << 1 | 1);
}

void sim_model_geometry(const struct sim_model *m, struct sim_emmc_geometry *g)
{
	memset(g, 0, sizeof *g);
	g->size[SIM_PART_BOOT1] = m->boot_part_size;
	g->size[SIM_PART_BOOT2] = m->boot_part_size;
	g->size[SIM_PART_RPMB] = m->rpmb_size;
	g->size[SIM_PART_USER] = m->user_size;
	memcpy(g->cid, m->cid, 15);
	g->cid[15] = sim_cid_crc7_byte(m->cid);
	memcpy(g->fwver, m->fwver, 8);
	snprintf(g->model, sizeof g->model, "%s", m->name);
}

uint64_t sim_model_dram_size(const struct sim_model *m)
{
	return (uint64_t)m->mem->rank_size[0] + m->mem->rank_size[1];
}

/* ---------------------------------------------------------------- units */

static void add_be16(uint8_t *p, unsigned delta)
{
	unsigned v = ((unsigned)p[0] << 8 | p[1]) + delta;
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool sim_model_unit(const struct sim_model *m, unsigned unit, struct sim_model *out)
{
	if (unit < 1 || unit > SIM_UNIT_MAX)
		return false;
	*out = *m;
	out->unit = unit;
	unsigned step = unit - 1;
	/* PSN: a production line numbers its phones one after the other */
	uint32_t psn = (uint32_t)m->cid[10] << 24 | (uint32_t)m->cid[11] << 16 | (uint32_t)m->cid[12] << 8 | m->cid[13];
	psn += step;
	for (int i = 0; i < 4; i++)
		out->cid[10 + i] = (uint8_t)(psn >> (24 - 8 * i));
	add_be16(out->wifi_mac + 3, step);
	add_be16(out->bt_addr + 3, step);
	return true;
}

unsigned sim_model_unit_number(const struct sim_model *m) { return m->unit ? m->unit : 1; }

const char *sim_unit_salt(const struct sim_model *m, const char *base, char *buf, size_t cap)
{
	unsigned unit = m ? sim_model_unit_number(m) : 1;
	if (unit == 1)
		return base;
	snprintf(buf, cap, "%s#unit%u", base, unit);
	return buf;
}

bool sim_parse_unit(const char *s, unsigned *unit)
{
	char *end;
	if (!s || *s < '1' || *s > '9')
		return false;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || v > SIM_UNIT_MAX)
		return false;
	*unit = (unsigned)v;
	return true;
}

/* ---------------------------------------------------------------- second-source memory parts */

static bool part_name_is(const struct sim_mem_part *p, const char *spec)
{
	size_t head = strcspn(p->label, "(");
	while (head && p->label[head - 1] == ' ')
		head--;
	char pnm[7];
	memcpy(pnm, p->id + 3, 6);
	pnm[6] = 0;
	const char *last = p->label;
	for (const char *c = p->label; c < p->label + head; c++)
		if (*c == ' ')
			last = c + 1;
	size_t last_len = (size_t)(p->label + head - last);
	return !strcasecmp(spec, p->label) || (strlen(spec) == head && !strncasecmp(spec, p->label, head)) ||
	       !strcasecmp(spec, pnm) || (strlen(spec) == last_len && !strncasecmp(spec, last, last_len));
}

const struct sim_mem_part *sim_model_emi_part(const struct sim_model *m, const char *spec)
{
	const struct sim_firmware *fw = m->stock;
	char *end;
	if (spec && *spec >= '0' && *spec <= '9') {
		unsigned long i = strtoul(spec, &end, 10);
		return !*end && i < fw->emi_count ? fw->emi[i] : NULL;
	}
	for (size_t i = 0; spec && i < fw->emi_count; i++)
		if (part_name_is(fw->emi[i], spec))
			return fw->emi[i];
	return NULL;
}

void sim_model_with_part(const struct sim_model *m, const struct sim_mem_part *part, struct sim_model *out)
{
	*out = *m;
	out->mem = part;
	memcpy(out->cid, part->id, sizeof part->id);
}

const struct sim_mem_part *sim_model_mem_for_cid(const struct sim_model *m, const uint8_t cid[16])
{
	if (!memcmp(m->mem->id, cid, sizeof m->mem->id))
		return m->mem;
	for (size_t i = 0; i < m->stock->emi_count; i++)
		if (!memcmp(m->stock->emi[i]->id, cid, sizeof m->stock->emi[i]->id))
			return m->stock->emi[i];
	return m->mem;
}

/* ---------------------------------------------------------------- layout */

static const struct sim_role_info role_table[] = {
	[SIM_ROLE_PRELOADER] = { NULL, "SV5_BL_BIN", "BOOTLOADERS", true, false, NULL },
	[SIM_ROLE_MBR] = { "MBR", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_EBR1] = { "EBR1", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_EBR2] = { "EBR2", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_PRO_INFO] = { NULL, "NONE", "PROTECTED", false, false, "factory/pro_info.bin" },
	[SIM_ROLE_NVRAM] = { NULL, "NONE", "BINREGION", false, false, "factory/nvram.bin" },
	[SIM_ROLE_PROTECT_F] = { NULL, "NONE", "PROTECTED", false, true, "factory/protect_f.img" },
	[SIM_ROLE_PROTECT_S] = { NULL, "NONE", "PROTECTED", false, true, "factory/protect_s.img" },
	[SIM_ROLE_SECCFG] = { NULL, "NONE", "INVISIBLE", false, false, NULL },
	[SIM_ROLE_LK] = { "lk.bin", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_BOOT] = { "boot.img", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_RECOVERY] = { "recovery.img", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_SECRO] = { "secro.img", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_MISC] = { NULL, "NONE", "INVISIBLE", false, false, NULL },
	[SIM_ROLE_LOGO] = { "logo.bin", "NORMAL_ROM", "UPDATE", true, false, NULL },
	[SIM_ROLE_EXPDB] = { NULL, "NONE", "INVISIBLE", false, false, NULL },
	/* PRELOAD: the A516 scatter lists it downloadable with file NONE (ext4, formatted on first boot) */
	[SIM_ROLE_PRELOAD] = { NULL, "YAFFS_IMG", "UPDATE", true, true, NULL },
	[SIM_ROLE_SYSTEM] = { "system.img", "YAFFS_IMG", "UPDATE", true, true, NULL },
	[SIM_ROLE_CACHE] = { "cache.img", "YAFFS_IMG", "UPDATE", true, true, NULL },
	[SIM_ROLE_CUSTPACK] = { "custpack.img", "YAFFS_IMG", "UPDATE", true, true, NULL },
	[SIM_ROLE_USERDATA] = { "userdata.img", "YAFFS_IMG", "UPDATE", true, true, "factory/userdata.img" },
	[SIM_ROLE_FAT] = { NULL, "NONE", "INVISIBLE", false, true, NULL },
	[SIM_ROLE_BMTPOOL] = { NULL, "NONE", "RESERVED", false, false, NULL },
};

const struct sim_role_info *sim_role_info(enum sim_role r)
{
	return (size_t)r < COUNT(role_table) ? &role_table[r] : &role_table[SIM_ROLE_MISC];
}

size_t sim_firmware_layout(const struct sim_firmware *fw, struct sim_fw_part out[SIM_MAX_PARTS])
{
	uint64_t at = fw->boot_region;
	size_t n = 0;
	for (size_t i = 0; i < fw->part_count && n < SIM_MAX_PARTS; i++) {
		const struct sim_part_def *d = &fw->parts[i];
		struct sim_fw_part *p = &out[n++];
		p->def = d;
		p->in_mbr = sim_role_info(d->role)->in_mbr;
		if (d->role == SIM_ROLE_PRELOADER) {
			p->linear = 0;
			p->size = fw->boot_region; /* ptgen: PRELOADER spans the boot region */
		} else if (d->role == SIM_ROLE_BMTPOOL) {
			p->linear = 0xFFFF0000u | BMT_BLOCKS;
			p->size = d->size;
		} else {
			p->linear = at;
			p->size = d->size;
			at += d->size;
		}
	}
	return n;
}

const struct sim_fw_part *sim_layout_find(const struct sim_fw_part *parts, size_t n, enum sim_role role)
{
	for (size_t i = 0; i < n; i++)
		if (parts[i].def->role == role)
			return &parts[i];
	return NULL;
}

/* ---------------------------------------------------------------- resized ANDROID */

#define ANDROID_SIZE_MAX ((uint64_t)64 << 30)

bool sim_firmware_resize_android(const struct sim_firmware *fw, uint64_t android_size, struct sim_resized *out)
{
	if (android_size < MiB(1) || android_size > ANDROID_SIZE_MAX || android_size % KiB(512) ||
	    fw->part_count > SIM_MAX_PARTS)
		return false;
	bool found = false;
	for (size_t i = 0; i < fw->part_count; i++) {
		out->parts[i] = fw->parts[i];
		if (fw->parts[i].role == SIM_ROLE_SYSTEM) {
			out->parts[i].size = android_size;
			found = true;
		}
	}
	out->fw = *fw;
	out->fw.parts = out->parts;
	return found;
}

bool sim_model_resize_android(const struct sim_model *m, uint64_t android_size, struct sim_resized *out)
{
	if (!sim_firmware_resize_android(m->stock, android_size, out))
		return false;
	uint64_t old = 0;
	for (size_t i = 0; i < m->stock->part_count; i++)
		if (m->stock->parts[i].role == SIM_ROLE_SYSTEM)
			old = m->stock->parts[i].size;
	out->model = *m;
	out->model.stock = &out->fw;
	/* the partitions after ANDROID move by the difference; the PMT and BMTPOOL at the end keep their room */
	if (android_size >= old)
		out->model.user_size += android_size - old;
	else
		out->model.user_size -= old - android_size;
	return true;
}

/* ---------------------------------------------------------------- Android facts */

const char *sim_android_release(enum sim_android a) { return a == SIM_ANDROID_KK_442 ? "4.4.2" : "4.2.2"; }
const char *sim_android_build_id(enum sim_android a) { return a == SIM_ANDROID_KK_442 ? "KOT49H" : "JDQ39"; }
const char *sim_android_sdk(enum sim_android a) { return a == SIM_ANDROID_KK_442 ? "19" : "17"; }
const char *sim_kernel_release(enum sim_android a) { return a == SIM_ANDROID_KK_442 ? "3.4.67" : "3.4.5"; }

/* ---------------------------------------------------------------- random */

void sim_prng_seed(struct sim_prng *r, uint64_t seed, const char *salt)
{
	/* FNV-1a of the salt mixed into the seed: every artefact gets its own stream. */
	uint64_t h = 0xCBF29CE484222325u;
	for (const char *s = salt ? salt : ""; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001B3u;
	r->state = seed ^ h;
}

uint64_t sim_prng_next(struct sim_prng *r)
{
	uint64_t z = (r->state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

void sim_prng_fill(struct sim_prng *r, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = sim_prng_next(r);
		for (size_t k = 0; k < 8 && i + k < len; k++)
			buf[i + k] = (uint8_t)(v >> (8 * k));
	}
}
