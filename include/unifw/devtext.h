/* Device-information text files found next to MT6572 firmware and in device trees:
 * /proc/dumchar_info (and MTK Droid Tools' firmware.info, same table), mount.info, fstab files
 * (fs_mgr and CWM/TWRP column orders), BoardConfig.mk / other makefiles, ptgen partition_size.mk and
 * mbr_addr.pl. They matter because they carry a phone's partition layout and boot image parameters. */
#ifndef UNIFW_DEVTEXT_H
#define UNIFW_DEVTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_devtext_kind {
	UNIFW_DEVTEXT_NONE,
	UNIFW_DEVTEXT_DUMCHAR,        /* "dumchar_info" */
	UNIFW_DEVTEXT_MOUNT_INFO,     /* "mount_info" */
	UNIFW_DEVTEXT_FSTAB,          /* "fstab" */
	UNIFW_DEVTEXT_BOARD_CONFIG,   /* "board_config" */
	UNIFW_DEVTEXT_PARTITION_SIZE, /* "partition_size_mk" */
	UNIFW_DEVTEXT_MBR_ADDR,       /* "mbr_addr_pl" */
	UNIFW_DEVTEXT_MAKEFILE,       /* "makefile" (other make recipes) */
};

struct unifw_dumchar_part {
	char name[64];
	uint64_t size;
	uint64_t start;   /* logical: user-area offset (MBR at 0); preloader's own space for preloader */
	unsigned type;    /* 1 MTD, 2 eMMC */
	char map_to[128];
};

struct unifw_dumchar {
	struct unifw_dumchar_part *parts;
	size_t count;
};

enum unifw_devtext_kind unifw_devtext_kind(const char *text, size_t len);
const char *unifw_devtext_kind_name(enum unifw_devtext_kind k);
bool unifw_devtext_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* Parse a dumchar_info table (header line optional, trailing legend ignored). Free with unifw_dumchar_free. */
int unifw_dumchar_parse(const char *text, size_t len, const char *name, struct unifw_dumchar *out,
			struct unifw_error *err);
void unifw_dumchar_free(struct unifw_dumchar *d);
int unifw_devtext_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
