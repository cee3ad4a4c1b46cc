/* unifw-sim — builders of the synthetic firmware images (the factory's parts; docs/sim.md "Factory").
 * Each builder returns a malloc'd image (caller frees) made with the project's format writers where
 * one exists (mbr, pmt, scatter, logo, nvram, bootimg, ramdisk, mtkhdr, sparse) and with the layouts
 * that include/unifw's parsers read where none does (preloader GFH + EMI tag, lk, zImage, secro).
 * Nothing here is copied from a real image: code areas are seeded filler, every structure is
 * written field by field from the public layout facts cited in the docs. */
#ifndef UNIFW_SIM_FW_BUILD_H
#define UNIFW_SIM_FW_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "unifw/error.h"

/* A growing byte buffer; `failed` latches an allocation failure so callers check once. */
struct sim_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};
void sim_buf_put(struct sim_buf *b, const void *data, size_t n);
void sim_buf_zero(struct sim_buf *b, size_t n);
void sim_buf_le32(struct sim_buf *b, uint32_t v);
void sim_buf_str(struct sim_buf *b, const char *s); /* with its NUL */
void sim_buf_align(struct sim_buf *b, size_t a);     /* zero-pad to a multiple of a */
void sim_buf_fill(struct sim_buf *b, struct sim_prng *r, size_t n);
/* Hands the bytes to the caller (or fails with UNIFW_E_NOMEM naming what). */
int sim_buf_take(struct sim_buf *b, const char *what, uint8_t **out, size_t *len, struct unifw_error *err);

/* ---- preloader (fw_preloader.c) ---- */

/* preloader_<project>.bin as the build writes it: GFH (FILE_INFO, BL_INFO, BROM_CFG, ANTI_CLONE,
 * BROM_SEC_CFG), code with AND_ROMINFO_v at +0x1FC, the compiled emi_settings[] and the appended
 * MTK_BLOADER_INFO_v11 tag listing fw->emi, its length trailer, then a 32-byte SHA-256 "phash"
 * signature area. */
int sim_build_preloader(const struct sim_firmware *fw, uint64_t seed, uint8_t **out, size_t *len,
			struct unifw_error *err);
/* The EMMC_BOOT_1 form (what the DA writes to boot1): "EMMC_BOOT" header, "BRLYT" at 0x200 with one
 * ARM_BL descriptor, the GFH image at 0x800. */
#define SIM_EMMC_BOOT_GFH_OFFSET 0x800u
int sim_wrap_emmc_boot(const uint8_t *gfh, size_t len, uint8_t **out, size_t *out_len, struct unifw_error *err);

/* ---- lk, kernel, boot images (fw_kernel.c) ---- */

/* Driver names compiled in (NULL lists = the firmware's own). */
struct sim_driver_set {
	const char *const *lcm;
	size_t lcm_count;
	const char *const *touch;
	size_t touch_count;
	/* The kernel Image carries SIM_KERNEL_PTABLE_PMT_TAG instead of its compiled index map: it resolves
	 * /emmc@NAME through the phone's PMT at boot (--all-drivers; docs/sim.md "An ODM-style reference
	 * kernel"). LK ignores it. */
	bool ptable_from_pmt;
};
int sim_build_lk(const struct sim_firmware *fw, const struct sim_driver_set *drivers, uint64_t seed, uint8_t **out,
		 size_t *len, struct unifw_error *err);
/* KERNEL header + zImage (gzip payload for JB 3.4.5, xz for KK 3.4.67) whose Image carries the
 * banner, the LCM driver records, the touch driver names and the sim's partition table record. */
int sim_build_kernel(const struct sim_firmware *fw, const struct sim_driver_set *drivers, uint64_t seed,
		     uint8_t **out, size_t *len, struct unifw_error *err);
/* boot.img / recovery.img: boot image v0, page 2048, KERNEL + ROOTFS/RECOVERY sections. */
int sim_build_bootimg(const struct sim_firmware *fw, const struct sim_driver_set *drivers, bool recovery,
		      uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err);

/* The stand-in for ptgen's compiled partition table (docs/sim.md "Boot evaluation"; built into the preloader's
 * cust_part_tbl(), LK's partition_layout[] and the kernel's index map): a line
 * "unifw-sim partition table v1" then one "NAME 0xUSER_OFFSET 0xSIZE pN|-" line per partition (pN:
 * its mmcblk0pN, - without an MBR entry), NUL at the end. The preloader, LK and the kernel Image each
 * carry one; the boot evaluator reads them back where the real stages fall back to their compiled
 * table (docs/sim.md "Boot evaluation"). */
#define SIM_KERNEL_PTABLE_TAG "unifw-sim partition table v1\n"
void sim_ptable_standin(struct sim_buf *b, const struct sim_firmware *fw);
/* The marker a kernel Image carries instead of that table when it takes its partition map from the
 * phone at boot: /emmc@NAME -> the PMT's entry NAME -> the MBR/EBR entry that starts there ([I],
 * docs/sim.md "An ODM-style reference kernel"). */
#define SIM_KERNEL_PTABLE_PMT_TAG "unifw-sim ptable pmt v1\n"

/* ---- kernel modules (fw_kmod.c) ---- */

/* A module file for /system/lib/modules: ELF32 little-endian ARM relocatable object whose .modinfo holds
 * license, description, depends and vermagic=<vermagic> (what the kernel's check_modinfo compares), about
 * 2.5 KiB; deterministic for (seed, modname). */
int sim_build_kmod(const char *modname, const char *vermagic, uint64_t seed, uint8_t **out, size_t *len,
		   struct unifw_error *err);
/* What MT6572's platform configuration puts after the release in VERMAGIC_STRING (SMP, PREEMPT,
 * MODULE_UNLOAD, ARMv7; no MODVERSIONS, no p2v8): mediatek/config/mt6572/autoconfig/kconfig/platform. */
#define SIM_KMOD_VERMAGIC_TAIL " SMP preempt mod_unload ARMv7 "

/* ---- images (fw_images.c) ---- */

int sim_build_logo(const struct sim_firmware *fw, uint8_t **out, size_t *len, struct unifw_error *err);
int sim_build_secro(uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err);
/* The NVRAM files of a phone (paths relative to /data/nvram): WIFI (its MAC), WIFI_CUSTOM, BT_Addr,
 * calibration stand-ins and the IMEI record as opaque seeded bytes, never IMEI-shaped: every byte has
 * a high nibble of A..F, so no byte reads as a decimal digit (ASCII or BCD). */
#define SIM_NVRAM_FILES 7u
struct sim_nvram_file {
	const char *path;
	const uint8_t *data;  /* points into the set */
	size_t size;
	unsigned category;    /* BinRegion header count: 0 APRDEB, 1 APRDCL, 2 modem, 3 IMEI */
};
struct sim_nvram_set {
	uint8_t wifi[512], wifi_custom[512], bt[64], cal_ap[128], cal_md[1024], md_core[256], imei[0x28];
	struct sim_nvram_file file[SIM_NVRAM_FILES];
};
void sim_nvram_files(const struct sim_model *m, uint64_t seed, struct sim_nvram_set *set);
/* Those files as the NVRAM partition's BinRegion (unifw_nvram_build, 5 MiB). */
int sim_build_nvram(const struct sim_model *m, uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err);
/* PRO_INFO as the factory leaves it: SIM_PRO_INFO_SIZE opaque seeded bytes at the start of the
 * partition (the rest stays blank), salted with the unit. A stand-in for the factory's product-info
 * record (barcode, station flags; some builds keep IMEI copies there too), so it is opaque like the
 * IMEI record: every byte has a high nibble of A..F. */
#define SIM_PRO_INFO_SIZE 4096u
int sim_build_pro_info(const struct sim_model *m, uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err);
/* MBR, EBR1 (, EBR2) sectors for the layout: out gets (1 + EBR count) * 512 bytes. */
int sim_build_mbr(const struct sim_firmware *fw, uint8_t **out, size_t *len, size_t *ebr_count,
		  struct unifw_error *err);
/* MT6572_Android_scatter.txt (V1.1.1) text. */
int sim_build_scatter(const struct sim_firmware *fw, char **text, size_t *len, struct unifw_error *err);

/* ---- file systems (fw_fs.c) ---- */

/* Run mke2fs -d STAGING on a fresh sparse file of `size` bytes, then (sparse) convert it with the
 * project's sparse writer. Deterministic for a given seed (UUID, hash seed and times fixed). */
int sim_make_ext4(const char *staging, uint64_t size, const char *label, const char *out_path, bool sparse,
		  uint64_t seed, struct unifw_error *err);
/* Write a file under a staging dir, creating parent directories. */
int sim_stage_file(const char *root, const char *rel, const void *data, size_t len, struct unifw_error *err);
int sim_stage_dir(const char *root, const char *rel, struct unifw_error *err);

#endif
