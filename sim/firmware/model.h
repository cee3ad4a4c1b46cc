/* unifw-sim — built-in phone models and the firmware they ship with (docs/sim.md "Phone models").
 *
 * A model is hardware (eMMC part and geometry, DRAM part, LCM panel, touch controller, identity
 * addresses) plus its stock firmware. A firmware is what the factory builds: partition layout,
 * preloader EMI table, LK and kernel driver lists, kernel generation, build.prop facts. The
 * "universal" firmware is a firmware without a phone: a generic ROM built for another board.
 * Everything here is data (designated initializers in model.c); the numbers follow the public MT6572
 * facts and corpus figures docs/sim.md "Phone models" lists, scaled down where noted so that CI images
 * stay small. */
#ifndef UNIFW_SIM_MODEL_H
#define UNIFW_SIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/storage.h"

/* What a partition is for: decides its file, scatter type, MBR entry and how the factory fills it. */
enum sim_role {
	SIM_ROLE_PRELOADER, SIM_ROLE_MBR, SIM_ROLE_EBR1, SIM_ROLE_EBR2, SIM_ROLE_PRO_INFO, SIM_ROLE_NVRAM,
	SIM_ROLE_PROTECT_F, SIM_ROLE_PROTECT_S, SIM_ROLE_SECCFG, SIM_ROLE_LK, SIM_ROLE_BOOT, SIM_ROLE_RECOVERY,
	SIM_ROLE_SECRO, SIM_ROLE_MISC, SIM_ROLE_LOGO, SIM_ROLE_EXPDB, SIM_ROLE_PRELOAD, SIM_ROLE_SYSTEM,
	SIM_ROLE_CACHE, SIM_ROLE_CUSTPACK, SIM_ROLE_USERDATA, SIM_ROLE_FAT, SIM_ROLE_BMTPOOL,
};

/* One partition of a layout, in scatter order. Sizes in bytes; the linear address follows from the
 * boot region and the sizes before it (BMTPOOL: 0xFFFF0000 | blocks counted from the end). */
struct sim_part_def {
	const char *name;
	uint64_t size;
	enum sim_role role;
};

/* A memory part as a preloader's EMI table lists it (MTK_BLOADER_INFO_v11 entry, docs/format-preloader.md). */
struct sim_mem_part {
	const char *label;          /* human name, e.g. "Samsung KMN5U000ZM" */
	uint8_t id[9];              /* eMMC CID bytes MSB first: MID, CBX, OID, PNM[6] (id_length 9) */
	uint32_t type;              /* 0x0202 eMMC + LPDDR2 */
	uint32_t freq_mhz;          /* EMI_Freq, 266 on MT6572 */
	uint32_t rank_size[2];      /* bytes; [1] = 0 for one rank */
	uint32_t dram_vendor;       /* LPDDR2 MR5: 1 Samsung, 5 Nanya, 6 Hynix */
};

enum sim_android { SIM_ANDROID_JB_422, SIM_ANDROID_KK_442 };

/* What the factory builds. */
struct sim_firmware {
	const char *id;             /* "a516-like", "universal" */
	const char *project;        /* MediaTek project: preloader_<project>.bin, LK product, kernel */
	uint64_t boot_region;       /* MBR linear address (0x600000 / 0xC00000 / 0x1400000) */
	const struct sim_part_def *parts;
	size_t part_count;
	const struct sim_mem_part *const *emi;  /* preloader EMI table, in order */
	size_t emi_count;
	bool emi_dram_info_check;   /* newer preloader ("no DRAM info match") vs first-match */
	/* The compiled emi_settings[] when it differs from the tag (NULL: the same list, as a build makes it).
	 * Only a tampered preloader has two lists: make-firmware --compiled-emi-from builds one for tests. */
	const struct sim_mem_part *const *emi_compiled;
	size_t emi_compiled_count;
	const char *const *lcm;     /* LCM drivers compiled into LK and the kernel */
	size_t lcm_count;
	const char *const *touch;   /* touch drivers compiled into the kernel (registered names) */
	size_t touch_count;
	const char *const *camera;  /* image-sensor drivers in the kernel (kd_imgsensor SENSOR_DRVNAME_*) */
	size_t camera_count;
	/* Modem (modem.h): the memory its MD_CHECK_HEADER asks for and the kernel's MD1 reservation
	 * (0 = SIM_MD1_MEM_SIZE, MT6572's 22 MiB). */
	uint32_t md_mem_size, md_reserved;
	enum sim_android android;
	const char *kernel_builder; /* "user@host" of the banner */
	const char *kernel_date;    /* "#1 SMP PREEMPT <date>" part of the banner */
	uint32_t logo_width, logo_height;
	/* build.prop */
	const char *brand, *manufacturer, *product_model, *device, *board, *display_id, *build_date;
};

/* A phone: hardware plus its stock firmware. */
struct sim_model {
	const char *name;           /* --model NAME */
	const char *summary;        /* one line for `unifw-sim models` */
	const struct sim_firmware *stock;
	/* eMMC: CID bytes 0..14 (MID, CBX, OID, PNM, PRV, PSN, MDT; byte 15 = CRC7 computed), sizes */
	uint8_t cid[15];
	uint8_t fwver[8];
	uint64_t boot_part_size;    /* boot1 = boot2 */
	uint64_t rpmb_size;
	uint64_t user_size;         /* small on purpose (CI); the image file is sparse anyway */
	const struct sim_mem_part *mem; /* its MCP: the first 9 CID bytes equal mem->id */
	/* display / touch: the driver names the hardware needs */
	const char *lcm;
	uint16_t panel_ic;          /* the controller ID its panel answers to compare_id (boot_panel.c) */
	uint8_t panel_module;       /* the module ID a panel-specific compare_id also checks */
	uint32_t panel_width, panel_height;
	const char *touch;
	const char *camera;         /* its image sensor's driver name (kdSensorList); not a boot matter */
	/* chip identity answered over USB */
	uint16_t hw_ver, hw_subcode, sw_ver;
	/* identity data of this phone's factory NVRAM (locally administered addresses: made up) */
	uint8_t wifi_mac[6], bt_addr[6];
	/* Which phone of the model this is (sim_model_unit); 0 in the table means unit 1. */
	unsigned unit;
};

#define SIM_MODEL_NAME_MAX 32u

/* Built-in models, in a stable order; NULL past the end. */
const struct sim_model *sim_model_at(size_t i);
size_t sim_model_count(void);
/* By name (exact); NULL if unknown. */
const struct sim_model *sim_model_find(const char *name);
/* The generic ROM for another board (project universal72_generic). */
const struct sim_firmware *sim_firmware_universal(void);

/* eMMC geometry of the model: boot1/boot2/rpmb/user sizes, CID with its CRC7, firmware version, and
 * the model name recorded in the image footer. */
void sim_model_geometry(const struct sim_model *m, struct sim_emmc_geometry *g);
/* CRC7 of the first 15 CID bytes with the stop bit: the 16th byte an eMMC reports. */
uint8_t sim_cid_crc7_byte(const uint8_t cid15[15]);
uint64_t sim_model_dram_size(const struct sim_model *m);

/* Several phones of one model (docs/sim.md "Several phones of one model"). Unit N (1..SIM_UNIT_MAX) is
 * the model with its own identity: the CID's product serial number (bytes 10..13, MSB first) is the
 * model's + N - 1 (CRC7 recomputed by sim_model_geometry), the WiFi MAC's and BT address's bytes 3..4
 * are the model's + N - 1 (mod 2^16; byte 5 stays the model's, so units of different models never
 * share an address), and the factory's identity content (NVRAM files, PRO_INFO, PROTECT_F/S) comes
 * from PRNG streams salted with the unit (sim_unit_salt). The memory part (CID bytes 0..8 = the DRAM
 * id) stays the model's: the same preloader boots every unit. Unit 1 is the table entry, unchanged.
 * Returns false (out untouched) for a unit outside 1..SIM_UNIT_MAX. */
#define SIM_UNIT_MAX 65536u
bool sim_model_unit(const struct sim_model *m, unsigned unit, struct sim_model *out);
/* The unit number of m (1 for a table entry). */
unsigned sim_model_unit_number(const struct sim_model *m);
/* The PRNG salt of an identity artefact: base itself for unit 1 (what the factory always used), else
 * "base#unitN" in buf. */
const char *sim_unit_salt(const struct sim_model *m, const char *base, char *buf, size_t cap);
/* Parse a --unit argument (decimal 1..SIM_UNIT_MAX). */
bool sim_parse_unit(const char *s, unsigned *unit);

/* A second-source memory part (make-emmc --emmc-part, docs/sim.md "A second-source eMMC"): the entry of the
 * model's STOCK preloader EMI table named by spec, a 0-based index or a label (the whole label, the label
 * before " (", or its part name, e.g. "Samsung N5WZMB" / "N5WZMB"; case-insensitive). NULL when the table has
 * no such entry. */
const struct sim_mem_part *sim_model_emi_part(const struct sim_model *m, const char *spec);
/* m fitted with that part: its CID's first 9 bytes (MID, CBX, OID, PNM) become the part's id and mem the
 * part (the rest of the CID, the unit's serial, stays); the CRC7 follows from sim_model_geometry. */
void sim_model_with_part(const struct sim_model *m, const struct sim_mem_part *part, struct sim_model *out);
/* The model's memory part for an image whose CID is cid: the stock EMI entry whose id is the CID's first 9
 * bytes (a second-source part), else m->mem. */
const struct sim_mem_part *sim_model_mem_for_cid(const struct sim_model *m, const uint8_t cid[16]);

/* A resolved partition of a firmware layout. */
struct sim_fw_part {
	const struct sim_part_def *def;
	uint64_t linear;            /* linear_start_addr (BMTPOOL: 0xFFFFxxxx as ptgen writes it) */
	uint64_t size;
	bool in_mbr;                /* ext4/FAT partitions get an MBR/EBR entry */
};
#define SIM_MAX_PARTS 32u
/* Linear addresses of every partition (the ptgen rule: back to back from the boot region). */
size_t sim_firmware_layout(const struct sim_firmware *fw, struct sim_fw_part out[SIM_MAX_PARTS]);
/* The partition of a role, or NULL. */
const struct sim_fw_part *sim_layout_find(const struct sim_fw_part *parts, size_t n, enum sim_role role);

/* A firmware (and a phone) whose ANDROID partition has another size, for images larger than the models'
 * scaled-down ones (bench/port.sh: a 1 GiB system). The copies live in the struct; the partitions after
 * ANDROID move with it (ptgen lays them back to back) and the phone's user area grows by the difference
 * (rounded up to 512 KiB, the layouts' granule). */
struct sim_resized {
	struct sim_part_def parts[SIM_MAX_PARTS];
	struct sim_firmware fw;
	struct sim_model model;
};
/* fw with ANDROID of android_size bytes (a multiple of 512 KiB, at least 1 MiB): false when fw has no
 * ANDROID or the size is out of range (above 64 GiB). *out's fw points into out. */
bool sim_firmware_resize_android(const struct sim_firmware *fw, uint64_t android_size, struct sim_resized *out);
/* m with its stock firmware resized so, and its user area grown or shrunk by the same amount. */
bool sim_model_resize_android(const struct sim_model *m, uint64_t android_size, struct sim_resized *out);

/* Per-role facts: scatter file name ("NONE" when nothing is downloaded), type, operation_type. */
struct sim_role_info {
	const char *file;           /* file in the package, NULL = none */
	const char *scatter_type;   /* SV5_BL_BIN, NORMAL_ROM, YAFFS_IMG, NONE */
	const char *operation;      /* BOOTLOADERS, UPDATE, PROTECTED, BINREGION, INVISIBLE, RESERVED */
	bool download;
	bool in_mbr;
	const char *factory_file;   /* identity partitions: written under factory/ (not downloaded) */
};
const struct sim_role_info *sim_role_info(enum sim_role r);

/* "4.2.2" / "4.4.2", "JDQ39" / "KOT49H", sdk "17" / "19", kernel "3.4.5" / "3.4.67". */
const char *sim_android_release(enum sim_android a);
const char *sim_android_build_id(enum sim_android a);
const char *sim_android_sdk(enum sim_android a);
const char *sim_kernel_release(enum sim_android a);

/* Deterministic random bytes (splitmix64) for filler and opaque records. */
struct sim_prng { uint64_t state; };
void sim_prng_seed(struct sim_prng *r, uint64_t seed, const char *salt);
uint64_t sim_prng_next(struct sim_prng *r);
void sim_prng_fill(struct sim_prng *r, uint8_t *buf, size_t len);

#endif
