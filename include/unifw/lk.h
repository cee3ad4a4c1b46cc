/* lk.bin, MediaTek's Little Kernel bootloader (UBOOT partition): with the 512-byte MTK header named
 * "LK" (build output lk.bin, partition dumps) or raw (lk-no-mtk-header.bin, which starts with an ARM
 * vector table). We read what a technician needs to match firmware to a phone: the project name,
 * the platform, and the LCM (display) drivers the LK can select. Method and sources:
 * docs/format-boot.md. */
#ifndef UNIFW_LK_H
#define UNIFW_LK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_LK_MAX_FILE (8u << 20) /* UBOOT partitions are 384 KiB-1 MiB */

struct unifw_lk_info {
	bool has_mtk_header;
	struct unifw_mtkhdr mtk;   /* valid when has_mtk_header */
	uint64_t payload_offset;   /* 0 or 512 */
	uint64_t payload_size;     /* bytes of LK code and data (the MTK size field, or the whole file) */
	uint64_t padding;          /* bytes after the payload (partition dumps) */
	uint32_t load_address;     /* address the image is linked at (0 when not found) */
	char platform[16];         /* "mt6572", from the platform/mediatek/<chip>/lk source paths */
	char product[64];          /* fastboot "product" variable as stored, e.g. "HEXING72_CWET_KK" */
	char project[64];          /* the same in lower case: the MediaTek project name */
	char base_project[64];     /* reference project string, e.g. "mt6572v1_phone" */
	struct unifw_names lcm;          /* LCM driver records with a name in the known table */
	struct unifw_names lcm_unlisted; /* LCM driver records with a plausible name not in the table */
};

/* Inspect lk.bin held in memory. Errors: UNIFW_E_TRUNCATED (MTK size beyond the input, offset = end
 * of input), UNIFW_E_FORMAT (MTK header not named LK, or no ARM vector table at the payload start). */
int unifw_lk_inspect(const uint8_t *buf, size_t len, const char *name, struct unifw_lk_info *info,
		     struct unifw_error *err);
/* {"type":"lk", ...} (docs/format-boot.md). */
void unifw_lk_info_to_json(const struct unifw_lk_info *lk, struct unifw_jv *obj);
int unifw_lk_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);
/* MTK header named LK; or a raw ARM vector table with an LK-style load address in its literal pool. */
bool unifw_lk_probe(const uint8_t *head, size_t head_len, uint64_t total_size);

#ifdef __cplusplus
}
#endif
#endif
