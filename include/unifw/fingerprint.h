/* Fingerprints: what a firmware package, a backup folder or a connected phone IS, in the terms that decide
 * whether one boots on the other (docs/check.md "Fingerprints"). One extraction serves the three sources:
 * a package (folder or archive, read in one streamed pass), a unifw backup folder, and a phone through its
 * DA (only what is needed is read: tables, boot1's preloader, LK, the boot image, LOGO, a few files of the
 * system and user-data file systems, NVRAM). `unifw check` compares two fingerprints (check.h), `unifw
 * catalog` stores them (catalog.h): the JSON form round-trips (unifw_fingerprint_to_json / _from_json).
 *
 * Every part is optional: a "have_" flag says whether it was found; what could not be read is a note, not
 * an error (a package without a boot image still has a layout). Fixed-size fields: no allocation, a
 * fingerprint is one block the caller owns (about 60 KiB: allocate it, do not put it on a small stack). */
#ifndef UNIFW_FINGERPRINT_H
#define UNIFW_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/json.h"
#include "unifw/kernel.h"
#include "unifw/probe.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_FP_VERSION 1u      /* of the JSON form: catalog rows record it */
#define UNIFW_FP_MAX_PARTS 64u
#define UNIFW_FP_MAX_EMI 32u
#define UNIFW_FP_MAX_NOTES 16u

enum unifw_fp_source { UNIFW_FP_PACKAGE, UNIFW_FP_BACKUP, UNIFW_FP_PHONE };

/* One partition of the layout (scatter for a package, PMT + MBR/EBR for a phone or backup). */
struct unifw_fp_part {
	char name[32];            /* as the scatter / PMT spells it */
	uint64_t linear;          /* linear_start_addr (boot region included; BMTPOOL as the scatter says) */
	uint64_t size;
	unsigned mbr_index;       /* mmcblk0pN from the MBR/EBR chain, 0 = not in it */
	bool download;            /* package: is_download with an image; backup/phone: the partition holds data */
	uint64_t image_bytes;     /* bytes the image occupies once written (sparse: expanded), 0 = none */
	char content[24];         /* detected content of the image / partition start: "ext4", "bootimg", "lk",
				     "logo", "nvram", "mbr", "ebr", "blank", "" unknown */
	bool has_sha256;
	uint8_t sha256[32];       /* of the image file (package) or backup file */
};

/* A memory part as a preloader's EMI table lists it (emi.h). */
struct unifw_fp_emi {
	uint8_t id[16];
	uint32_t id_length;
	uint32_t type;
	uint32_t dram_vendor;
	uint32_t rank_size[2];
};

/* The kernel's compiled index map: /emmc@NAME -> mmcblk0pN (docs/check.md "Kernel partition map"). */
struct unifw_fp_kmap {
	char name[32];
	unsigned index;           /* 0 = the kernel knows the name but gives it no MBR entry */
};

/* A universal image (unifw/universal.h; docs/check.md "A universal package"): the probe table of its boot
 * image's ramdisk (/unifw/probe.rules), reduced to what the check needs to predict the probe's binding, and
 * per overlay folder of its system (/system/unifw/<variant>/) what the modem and touch judgements read
 * through the binds. */
#define UNIFW_FP_UNIV_MATCHES (UNIFW_PROBE_MAX_VARIANTS * UNIFW_PROBE_COMPONENTS)
#define UNIFW_FP_UNIV_FW 4u
struct unifw_fp_univ_match {
	uint8_t component;        /* enum unifw_probe_component */
	uint8_t variant;          /* index into variant[] */
	char key[UNIFW_PROBE_KEY_MAX];
};
struct unifw_fp_univ_overlay {
	char variant[UNIFW_PROBE_NAME_MAX]; /* the folder's name */
	/* its modem images (etc/firmware/modem*.img): the path as bound and its MD_CHECK_HEADER build_ver
	 * ("" none or no header) */
	char modem_path[128];
	char modem_build_ver[65];
	uint32_t modem_mem_size;  /* what it asks the kernel to reserve (0 unknown) */
	/* its touch firmware files (etc/firmware/NAME_fw.bin, non-empty), NAME = the touch driver */
	char touch_fw[UNIFW_FP_UNIV_FW][UNIFW_PROBE_KEY_MAX];
	size_t touch_fw_count;
};
struct unifw_fp_universal {
	bool present;             /* the boot image's ramdisk carries the probe table */
	size_t variant_count;
	char variant[UNIFW_PROBE_MAX_VARIANTS][UNIFW_PROBE_NAME_MAX];
	struct unifw_fp_univ_match match[UNIFW_FP_UNIV_MATCHES]; /* in the table's order: the first match wins */
	size_t match_count;
	char fallback[UNIFW_PROBE_COMPONENTS][192];              /* the table's fallback reasons (cut) */
	struct unifw_fp_univ_overlay overlay[UNIFW_PROBE_MAX_VARIANTS];
	size_t overlay_count;
};

struct unifw_fingerprint {
	enum unifw_fp_source source;
	char path[1024];           /* package / backup path, or the port */
	char notes[UNIFW_FP_MAX_NOTES][256]; /* what could not be read, and why */
	size_t note_count;

	/* platform: the scatter's (package/backup), the phone's hw code (phone) */
	char platform[16];         /* "MT6572" */
	uint16_t hw_code;          /* 0x6572; 0 unknown */
	char storage[16];          /* "EMMC", "NAND", "" unknown */
	char project[64];          /* scatter project / backup's */

	/* layout */
	bool have_layout;
	uint64_t boot_region;      /* linear address of user-area offset 0 the layout was made for */
	uint64_t user_size;        /* phone/backup: the user area's size; 0 unknown */
	struct unifw_fp_part parts[UNIFW_FP_MAX_PARTS];
	size_t part_count;

	/* the phone's memory (phone, backup): the eMMC CID the preloader's EMI lookup compares with */
	bool have_cid;
	uint8_t cid[16];

	/* preloader (package: PRELOADER image; phone/backup: boot1) */
	bool have_preloader;
	char preloader_platform[16];   /* AND_ROMINFO platform, "MT6572" */
	char preloader_project[65];
	bool preloader_dram_info_match; /* newer "no DRAM info match" style: MR5 vendor and ranks compared too */
	struct unifw_fp_emi emi_tag[UNIFW_FP_MAX_EMI];      /* MTK_BLOADER_INFO: what flash tools read */
	size_t emi_tag_count;
	bool have_emi_compiled;
	struct unifw_fp_emi emi_compiled[UNIFW_FP_MAX_EMI]; /* emi_settings[]: what runs at power-on */
	size_t emi_compiled_count;

	/* LK (UBOOT) */
	bool have_lk;
	bool lk_has_header;        /* the MTK header the preloader requires */
	char lk_platform[16];
	char lk_project[64];
	struct unifw_names lk_lcm; /* LCM drivers, in LK's list order */
	/* phone/backup: the panel driver LK selects on this phone ("" unknown) and how that was concluded:
	 * "only_driver" (the phone's LK has one driver: used whatever the panel), "unknown" */
	char panel_lcm[64];
	char panel_rule[16];

	/* boot image (BOOTIMG) */
	bool have_boot;
	bool boot_valid;           /* ANDROID! magic and the sections LK loads */
	char boot_problem[256];    /* why not valid */
	uint32_t boot_page_size;
	char boot_kernel_name[32];  /* MTK header name in front of the kernel ("KERNEL"), "" none */
	char boot_ramdisk_name[32]; /* in front of the ramdisk ("ROOTFS") */
	bool ramdisk_has_init;

	/* kernel (from the boot image) */
	bool have_kernel;
	char kernel_version[64];
	char kernel_compression[8]; /* "gzip", "xz", "none" */
	struct unifw_names kernel_lcm;   /* LCM drivers, in the kernel's list order */
	struct unifw_names kernel_touch; /* touch drivers */
	struct unifw_names kernel_camera; /* image-sensor drivers (kdSensorList names), image order */
	bool have_kmap;
	bool kmap_assumed;         /* not read from the kernel: taken from the layout's MBR order (the kernel
				      was built with the same partition table) */
	struct unifw_fp_kmap kmap[UNIFW_FP_MAX_PARTS];
	size_t kmap_count;
	bool have_md1;
	bool md1_assumed;          /* the MT6572 default (MD1_MEM_SIZE 22 MiB, type wg), not read */
	char md1_type[8];          /* "wg" */
	uint32_t md1_reserved;     /* bytes the kernel reserves for modem 1 */

	/* Android (system image: build.prop) */
	bool have_android;
	bool system_valid;         /* ext4 with /build.prop */
	char android_release[16];  /* ro.build.version.release */
	char product_board[64], product_device[64], product_model[64], product_brand[64];
	char build_display[128];

	/* logo */
	bool have_logo;
	uint32_t logo_width, logo_height, logo_frames;

	/* modem in /system (etc/firmware/modem_1_<type>_n.img or modem.img) and its database */
	bool have_modem;
	char modem_path[128];
	uint64_t modem_size;
	bool modem_has_header;     /* CHECK_HEADER magic in the last 188 bytes */
	uint32_t md_header_version, md_bind_sys_id, md_mem_size, md_img_size;
	bool have_mddb;

	/* identity (phone, backup): NVRAM BinRegion and /data/nvram (idhealth.h) */
	bool have_identity;
	bool binregion_valid;
	bool binregion_imei;       /* the IMEI record's file in the BinRegion */
	bool data_nvram;           /* /data/nvram exists in USRDATA */
	bool data_imei;
	char wifi_state[24], bt_state[24]; /* unifw_nvram_addr_state names: "ok", "blank", "template", ... */

	/* the WLAN driver module in the system image (kernel.h UNIFW_WLAN_MODULE_PATH, /system/lib/modules/
	 * wlan_mt.ko): the kernel loads it only when its vermagic is the kernel's (docs/check.md "Rules", no_wifi) */
	bool have_wlan;             /* the system was looked at for it (false: unknown, e.g. JSON from before) */
	bool wlan_module_present;
	char wlan_module_vermagic[UNIFW_KMOD_VERMAGIC_MAX]; /* its .modinfo vermagic; "" none readable */

	/* files of one board that the boot judges (docs/check.md "Rules": no_signal, touch_uncalibrated) */
	char md_build_ver[65];       /* the chosen modem's MD_CHECK_HEADER build_ver: the board project it was
					built for ("" no header, or unknown) */
	bool have_touch_fw;          /* /system/etc/firmware was listed (false: unknown, e.g. JSON from before) */
	struct unifw_names touch_fw; /* T of every NON-EMPTY /system/etc/firmware/T_fw.bin (touch controller
					firmware, requested by its driver by name), directory order */

	/* a universal image (issue 14): its probe table and overlays (above); present false otherwise */
	struct unifw_fp_universal universal;
};

/* A package or backup already opened (package.h). Fills *fp (zeroed first); fails only when an image
 * the package lists cannot be read at all (the archive breaks); what is absent or unparsable is a note. */
struct unifw_package;
int unifw_fingerprint_package(const struct unifw_package *p, struct unifw_fingerprint *fp, struct unifw_error *err);
/* Open path (folder, archive, backup folder, or a scatter file), fingerprint it, close it. */
int unifw_fingerprint_path(const char *path, struct unifw_fingerprint *fp, struct unifw_error *err);
/* A connected phone whose DA runs (phone.h): its tables, boot1, UBOOT, BOOTIMG, LOGO, build.prop and the
 * modem from ANDROID, NVRAM and /data/nvram from USRDATA; reads only those bytes. */
struct unifw_phone;
int unifw_fingerprint_phone(struct unifw_phone *ph, struct unifw_fingerprint *fp, struct unifw_error *err);

/* The JSON form (docs/json.md "fingerprint"); _from_json reads what _to_json wrote (catalog rows), any
 * missing key leaves its part absent; malformed values fail with UNIFW_E_FORMAT. */
struct unifw_jv *unifw_fingerprint_to_json(const struct unifw_fingerprint *fp);
int unifw_fingerprint_from_json(const struct unifw_jv *j, struct unifw_fingerprint *fp, struct unifw_error *err);

const char *unifw_fp_source_name(enum unifw_fp_source s); /* "package", "backup", "phone" */
/* Partition by name (case-insensitive), NULL if absent. */
const struct unifw_fp_part *unifw_fp_find_part(const struct unifw_fingerprint *fp, const char *name);

#ifdef __cplusplus
}
#endif
#endif
