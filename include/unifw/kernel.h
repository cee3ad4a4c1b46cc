/* ARM zImage kernels as MT6572 firmware ships them: raw, or behind a MediaTek 512-byte KERNEL header,
 * possibly page-padded. The compressed payload (gzip for 3.4.5 JB builds, xz for 3.4.67+ KK builds)
 * is found by its stream magic, decompressed with zlib / liblzma under a size bound, and searched
 * for the "Linux version" banner and for the display (LCM) and touch-panel driver names compiled in.
 * See docs/format-boot.md for the method and its sources. */
#ifndef UNIFW_KERNEL_H
#define UNIFW_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/mtkhdr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_ZIMAGE_MAGIC 0x016F2818u
#define UNIFW_ZIMAGE_MAGIC_OFF 0x24u
/* Default bound on the inflated image: real MT6572 kernels inflate to 8-13 MiB; a gzip bomb in a boot
 * image must not take `unifw info` past 64 MiB of memory (the image is held whole, below). */
#define UNIFW_KERNEL_MAX_DECOMPRESSED (32ull << 20)
#define UNIFW_KERNEL_MAX_FILE (64ull << 20)         /* describe reads at most this much */

/* A bounded list of driver names. */
#define UNIFW_NAMES_MAX 64
#define UNIFW_NAME_LEN 64
struct unifw_names {
	size_t count;
	bool truncated; /* more names were found than fit */
	char name[UNIFW_NAMES_MAX][UNIFW_NAME_LEN];
};

enum unifw_kernel_comp { UNIFW_KCOMP_NONE, UNIFW_KCOMP_GZIP, UNIFW_KCOMP_XZ };

struct unifw_kernel_opts {
	uint64_t max_decompressed; /* 0: UNIFW_KERNEL_MAX_DECOMPRESSED */
	/* When set, a successful inspection hands over the decompressed Image (*image, *image_len; the
	 * caller frees it) instead of freeing it: a caller that also reads the Image needs no second
	 * decompression. */
	uint8_t **image;
	size_t *image_len;
};

struct unifw_kernel_info {
	bool has_mtk_header;
	struct unifw_mtkhdr mtk;        /* valid when has_mtk_header */
	uint64_t zimage_offset;         /* 0 or 512 */
	uint32_t zimage_start, zimage_end; /* zImage header fields at 0x28 / 0x2C */
	uint64_t zimage_size;           /* end - start */
	uint64_t trailing;              /* bytes after the zImage in the input (page padding) */
	enum unifw_kernel_comp compression;
	uint64_t payload_offset;        /* where the compressed stream starts, in the input */
	uint64_t compressed_size;       /* bytes the decoder consumed */
	uint64_t decompressed_size;
	uint32_t image_base;            /* virtual address the driver tables point at (0 if unknown) */
	char banner[384];               /* "Linux version 3.4.67 (...) (gcc ...) #1 SMP ..." */
	char version[64];               /* release as uname -r prints it: "3.4.67", "3.10.72+" */
	char toolchain[192];            /* "gcc version 4.7 (GCC)" */
	char builder[128];              /* "user@host" */
	char build[128];                /* "#1 SMP PREEMPT <date>" */
	struct unifw_names lcm;          /* registered LCM drivers whose name is in the known table */
	struct unifw_names lcm_unlisted; /* registered LCM drivers not in the table (pattern match) */
	struct unifw_names touch;        /* known touch driver names present (table spelling) */
	struct unifw_names camera;       /* image-sensor driver names (kd_imgsensor SENSOR_DRVNAME_*) */
};

/* True for a raw zImage (magic at 0x24). */
bool unifw_zimage_is(const uint8_t *buf, size_t len);

/* Inspect a kernel held in memory: raw zImage or MTK header + zImage (+ padding).
 * name is used in errors. Errors: UNIFW_E_FORMAT (no zImage magic, corrupt stream: offset of the bad
 * byte in the input), UNIFW_E_TRUNCATED (input shorter than the MTK size / zImage end field / the
 * compressed stream), UNIFW_E_TOO_BIG (decompressed image beyond the bound), UNIFW_E_UNSUPPORTED
 * (no gzip or xz stream). info is filled as far as possible (info->compression etc.) even on error. */
int unifw_kernel_inspect(const uint8_t *buf, size_t len, const char *name, const struct unifw_kernel_opts *opts,
			 struct unifw_kernel_info *info, struct unifw_error *err);
const char *unifw_kernel_comp_name(enum unifw_kernel_comp c);
/* {"type":"kernel", ...} keys (docs/format-boot.md). */
void unifw_kernel_info_to_json(const struct unifw_kernel_info *k, struct unifw_jv *obj);

int unifw_kernel_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);
/* A raw zImage, or an MTK header named KERNEL followed by a zImage. */
bool unifw_kernel_probe(const uint8_t *head, size_t head_len, uint64_t total_size);

/* ---- driver names, shared with lk.c ---- */

/* Exact (strcmp) member of the compiled-in LCM name table. */
bool unifw_lcm_name_known(const char *name);
/* Case-insensitive member of the touch name table: returns the table spelling or NULL. */
const char *unifw_touch_name_canonical(const char *name);
/* Looks like an LCM driver name: chip token (letters+digits, e.g. ili9806e) then an interface token
 * (dsi, dpi, dbi, mcu, lvds), e.g. "hx8369b_fwvga_dsi_vdo". */
bool unifw_lcm_name_plausible(const char *name);
/* A MediaTek image-sensor driver name (SENSOR_DRVNAME_* of kd_imgsensor.h): "ov5645_mipi_yuv",
 * "hi257yuv", "s5k4ecgxmipiyuv", "ov5647mipiraw": 1-4 lower-case letters, a digit, lower-case letters and
 * digits, then [_][mipi[_]]yuv or raw; at most 31 bytes (the kdSensorList drvname[32] field). */
bool unifw_camera_name_plausible(const char *name);
/* Find LCM driver records in a memory image linked at `base`: a pointer to a NUL-terminated name
 * followed by at least 4 pointers into the image (the LCM_DRIVER layout: name, then callbacks).
 * Names in the table go to known, plausible others to unlisted. Returns the number of records of
 * that shape seen (any name), a measure of how well `base` fits. */
size_t unifw_lcm_records_scan(const uint8_t *img, size_t len, uint32_t base, struct unifw_names *known,
			      struct unifw_names *unlisted);
/* Append name to a list unless present; sets truncated when full. */
void unifw_names_add(struct unifw_names *l, const char *name);
bool unifw_names_has(const struct unifw_names *l, const char *name);
struct unifw_jv *unifw_names_to_json(const struct unifw_names *l);

/* ---- records the virtual phone's kernels state in text (docs/check.md "Fingerprints") ----
 * A real kernel holds its partition index map (ptgen's partition table: /emmc@NAME -> mmcblk0pN) and its
 * CCCI configuration (MD1 type and memory reservation) in compiled form that cannot be read back by
 * pattern; unifw-sim's kernels state them as text after a tag (sim/firmware/fw_kernel.c):
 *   "unifw-sim partition table v1\n" then lines "NAME 0xOFFSET 0xSIZE pN|-", a NUL at the end;
 *   "unifw-sim ccci v1 md1 <type> 0x<reserved>\n".
 * A sim kernel built to take its map from the phone (unifw-sim make-firmware --all-drivers, an ODM-style
 * reference kernel) carries instead the marker "unifw-sim ptable pmt v1\n": /emmc@NAME resolves by name
 * through the PMT at boot (kmap_from_pmt).
 * Real kernels have neither: have_kmap / have_ccci stay false. */
#define UNIFW_KERNEL_PTABLE_TAG "unifw-sim partition table v1\n"
#define UNIFW_KERNEL_PTABLE_PMT_TAG "unifw-sim ptable pmt v1\n"
#define UNIFW_KERNEL_CCCI_TAG "unifw-sim ccci v1 md1 "
#define UNIFW_KERNEL_KMAP_MAX 64u
struct unifw_kernel_kmap_entry {
	char name[32];
	uint64_t offset, size;   /* user-area offset and size as the record states them */
	unsigned index;          /* N of mmcblk0pN, 0 = no MBR entry ("-") */
};
struct unifw_kernel_records {
	bool have_kmap;
	bool kmap_truncated;     /* more lines than UNIFW_KERNEL_KMAP_MAX */
	struct unifw_kernel_kmap_entry kmap[UNIFW_KERNEL_KMAP_MAX];
	size_t kmap_count;
	bool have_ccci;
	char md1_type[8];        /* "2g", "3g", "wg", "tg" */
	uint32_t md1_reserved;   /* bytes */
	bool kmap_from_pmt;      /* no map: the PMT marker (have_kmap false) */
};
/* Look for both records in a decompressed Image (unifw_kernel_opts.image). A record that is malformed
 * (a line that does not parse, an index beyond 64) ends the map there; never fails. */
void unifw_kernel_find_records(const uint8_t *img, size_t len, struct unifw_kernel_records *out);

/* ---- loadable kernel modules (.ko) ----
 * The kernel refuses a module whose "vermagic" (.modinfo) differs from its own VERMAGIC_STRING: Linux 3.4
 * kernel/module.c check_modinfo -> same_magic (a strcmp without CONFIG_MODVERSIONS, which MT6572 builds do
 * not set), "version magic '...' should be '...'", -ENOEXEC. The string starts with the kernel release
 * (UTS_RELEASE, the version the banner shows); MT6572's platform configuration adds "SMP preempt
 * mod_unload ARMv7 " (include/linux/vermagic.h, arch/arm/include/asm/module.h; no p2v8: ARM_PATCH_PHYS_VIRT
 * is not set). docs/check.md "Rules" (no_wifi), docs/sim.md "Boot evaluation". */
#define UNIFW_KMOD_VERMAGIC_MAX 96u
#define UNIFW_KMOD_MAX_FILE (8u << 20) /* a module file is read whole up to this */
/* The WLAN driver of MT6572's on-chip connectivity, as the path in the system image: MODULE_NAME wlan_mt
 * (mediatek/kernel/drivers/conn_soc/drv_wlan/mt_wifi/wlan/Makefile), loaded from /system/lib/modules by
 * MediaTek's WiFi HAL "for soc chip" after mtk_wmt_wifi_soc.ko (conn_soc/common/Makefile, EXT_FLAG _soc). */
#define UNIFW_WLAN_MODULE_PATH "/lib/modules/wlan_mt.ko"
/* The vermagic of a module file: an ELF32 little-endian object whose ".modinfo" section holds
 * NUL-separated "tag=value" strings (kernel/module.c get_modinfo). out gets the value (at most
 * UNIFW_KMOD_VERMAGIC_MAX - 1 bytes). Fails with UNIFW_E_FORMAT (not such an ELF, no .modinfo, no
 * vermagic, a value without its NUL or too long) or UNIFW_E_TRUNCATED (a header or section past the end);
 * every offset is bounds-checked (hostile input). */
int unifw_kmod_vermagic(const uint8_t *buf, size_t len, const char *name, char out[UNIFW_KMOD_VERMAGIC_MAX],
			struct unifw_error *err);
/* true when a vermagic (or a version string) starts with the same release word as kernel_version
 * ("3.4.67 SMP preempt ..." vs "3.4.67"); false when either is empty. */
bool unifw_kmod_release_matches(const char *vermagic, const char *kernel_version);

#ifdef __cplusplus
}
#endif
#endif
