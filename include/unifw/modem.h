/* MT6572 modem images (/system/etc/firmware/modem_1_<type>_n.img, modem.img): the MD_CHECK_HEADER the
 * kernel's CCCI loader reads from the image's last 188 bytes before it starts modem 1 (MediaTek
 * dual_ccci ccci_md.c check_md_header, header layout ccci_layer.h MD_CHECK_HEADER; docs/check.md
 * "Fingerprints"). Little endian. Only the fields the loader compares are exposed. */
#ifndef UNIFW_MODEM_H
#define UNIFW_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_MD_HEADER_SIZE 188u          /* sizeof(MD_CHECK_HEADER) */
#define UNIFW_MD_HEADER_MAGIC "CHECK_HEADER" /* 12 bytes, no NUL */
/* Field offsets in MD_CHECK_HEADER (little endian; MediaTek dual_ccci include/ccci_platform.h layout). */
#define UNIFW_MD_OFF_VERNO 0x0Cu
#define UNIFW_MD_OFF_PRODUCT 0x10u
#define UNIFW_MD_OFF_TYPE 0x14u
#define UNIFW_MD_OFF_PLATFORM 0x18u
#define UNIFW_MD_OFF_BUILD_TIME 0x28u
#define UNIFW_MD_OFF_BUILD_VER 0x68u
#define UNIFW_MD_OFF_SYS_ID 0xA8u
#define UNIFW_MD_OFF_MEM_SIZE 0xACu
#define UNIFW_MD_OFF_IMG_SIZE 0xB0u
#define UNIFW_MD_OFF_SIZE 0xB8u
#define UNIFW_MD_MAX_FILE (64ull << 20)    /* real MT6572 modem images are 4-8 MiB */

struct unifw_md_header {
	uint32_t header_version; /* +0x0C header_verno: MD_HEADER_VER_NO 2 on MT6572 */
	uint32_t product_ver;    /* +0x10 */
	uint32_t image_type;     /* +0x14: 1 2G, 2 3G */
	char platform[17];       /* +0x18, 16 bytes: "MT6572_S00" */
	char build_time[65];     /* +0x28, 64 bytes */
	char build_ver[65];      /* +0x68, 64 bytes */
	uint32_t bind_sys_id;    /* +0xA8 (one byte: MD SYS1 = 1) */
	uint32_t mem_size;       /* +0xAC: ROM + RAM the modem asks the kernel to reserve */
	uint32_t md_img_size;    /* +0xB0: image bytes before the header */
	uint32_t size;           /* +0xB8: the header's own size (188) */
};

/* The header at the end of an image held in memory: buf holds at least the image's last
 * UNIFW_MD_HEADER_SIZE bytes (the tail; more is fine, only the last 188 are read).
 * UNIFW_E_TRUNCATED when shorter, UNIFW_E_FORMAT (offset of the header in buf) without the magic. */
int unifw_md_header_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_md_header *out,
			  struct unifw_error *err);
/* The same from a stream: pread of the last 188 bytes when the stream allows it and knows its size,
 * else read to the end keeping the last 188 (a zip member). */
int unifw_md_header_read(struct unifw_stream *s, struct unifw_md_header *out, struct unifw_error *err);
/* {"header_version","image_type","platform","build_time","build_ver","bind_sys_id","mem_size",
 *  "md_img_size","header_size"} into obj (no "type" key). */
void unifw_md_header_to_json(const struct unifw_md_header *h, struct unifw_jv *obj);

#ifdef __cplusplus
}
#endif
#endif
