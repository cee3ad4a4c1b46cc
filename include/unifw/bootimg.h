/* Android boot image, header v0, as MT6572 phones use it for BOOTIMG and RECOVERY:
 *   page 0: boot_img_hdr (1632 bytes: "ANDROID!", sizes, load addresses, page_size, name[16],
 *           cmdline[512], id[32] = SHA-1 over the sections, extra_cmdline[1024]), zero padded;
 *   then the kernel, ramdisk and second sections, each padded to page_size.
 * On MediaTek the kernel section is [KERNEL MTK header + zImage] and the ramdisk section
 * [ROOTFS or RECOVERY MTK header + gzip cpio]; the sizes in boot_img_hdr include those headers.
 * Unpack writes a directory from which repack rebuilds the image byte for byte when nothing
 * changed; replaced parts get new sizes, MTK headers and id. docs/format-boot.md. */
#ifndef UNIFW_BOOTIMG_H
#define UNIFW_BOOTIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/findings.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_BOOTIMG_MAGIC "ANDROID!"
#define UNIFW_BOOTIMG_HDR_SIZE 1632u
#define UNIFW_BOOTIMG_NAME_SIZE 16u
#define UNIFW_BOOTIMG_ARGS_SIZE 512u
#define UNIFW_BOOTIMG_ID_SIZE 32u
#define UNIFW_BOOTIMG_EXTRA_ARGS_SIZE 1024u
#define UNIFW_BOOTIMG_MAX_FILE (64ull << 20) /* BOOTIMG/RECOVERY partitions are 6-20 MiB */
/* The name of the file that holds every header field in an unpacked directory. */
#define UNIFW_BOOTIMG_HEADER_FILE "header.txt"

struct unifw_bootimg_hdr {
	uint32_t kernel_size, kernel_addr;
	uint32_t ramdisk_size, ramdisk_addr;
	uint32_t second_size, second_addr;
	uint32_t tags_addr, page_size;
	uint32_t header_version; /* 0x28: 0 for v0 (older trees call it unused[0]) */
	uint32_t os_version;     /* 0x2C */
	uint8_t name[UNIFW_BOOTIMG_NAME_SIZE];
	uint8_t cmdline[UNIFW_BOOTIMG_ARGS_SIZE];
	uint8_t id[UNIFW_BOOTIMG_ID_SIZE];
	uint8_t extra_cmdline[UNIFW_BOOTIMG_EXTRA_ARGS_SIZE];
};

/* Parse the 1632-byte header. UNIFW_E_FORMAT at offset 0 (magic) or 0x24 (page size not a power of
 * two in 2048..131072); UNIFW_E_TRUNCATED when fewer than 1632 bytes. */
int unifw_bootimg_hdr_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_bootimg_hdr *h,
			    struct unifw_error *err);
void unifw_bootimg_hdr_write(const struct unifw_bootimg_hdr *h, uint8_t out[UNIFW_BOOTIMG_HDR_SIZE]);
/* id = SHA-1(kernel, le32 kernel_size, ramdisk, le32 ramdisk_size, second, le32 second_size), zero padded
 * to 32 bytes (AOSP mkbootimg for v0). */
void unifw_bootimg_compute_id(const uint8_t *kernel, size_t kl, const uint8_t *ramdisk, size_t rl,
			      const uint8_t *second, size_t sl, uint8_t id[UNIFW_BOOTIMG_ID_SIZE]);

/* A parsed image; points into the caller's buffer (keep it alive while using the struct). */
struct unifw_bootimg {
	struct unifw_bootimg_hdr hdr;
	const uint8_t *base;
	uint64_t file_size;
	uint64_t kernel_off, ramdisk_off, second_off;
	uint64_t data_end;    /* end of the last section's data */
	uint64_t layout_end;  /* end of the last section rounded up to page_size */
	bool id_ok;           /* the stored id equals the SHA-1 of the sections */
	struct unifw_findings findings; /* warnings: MTK header names/sizes, id mismatch, header version */
};

/* Parse a whole image in memory: the header, every section inside the file (UNIFW_E_TRUNCATED at the
 * file end otherwise), the MTK headers of the kernel and ramdisk sections (findings, not errors). */
int unifw_bootimg_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_bootimg *img,
			struct unifw_error *err);
void unifw_bootimg_free(struct unifw_bootimg *img);

/* Build an image: header fields from h (sizes are set from the sections), each section padded with
 * zeros to page_size. Sections are stored as given (pass MTK headers inside them). set_id: compute
 * the SHA-1 id; otherwise h->id is kept. *out is malloc'd. */
int unifw_bootimg_build(const struct unifw_bootimg_hdr *h, const uint8_t *kernel, size_t kl, const uint8_t *ramdisk,
			size_t rl, const uint8_t *second, size_t sl, bool set_id, uint8_t **out, size_t *out_len,
			struct unifw_error *err);

struct unifw_bootimg_unpack_opts {
	bool extract_ramdisk; /* also extract the ramdisk tree into DIR/ramdisk.d (never escapes DIR) */
};
/* Unpack img_path into dir (created if missing): header.txt, kernel [+ kernel.mtkhdr], ramdisk
 * [+ ramdisk.mtkhdr], second, and pad_*.bin / tail.bin only when those bytes are not zero. A bare
 * 1632-byte header has nothing to unpack (UNIFW_E_INVALID). */
int unifw_bootimg_unpack(const char *img_path, const char *dir, const struct unifw_bootimg_unpack_opts *opts,
			 struct unifw_error *err);

struct unifw_bootimg_repack_opts {
	const char *kernel;  /* replace the kernel: a zImage, with or without MTK header; NULL keeps DIR/kernel */
	const char *ramdisk; /* replace the ramdisk: gzip cpio, with or without MTK header */
};
/* Rebuild from an unpacked directory. Unchanged parts (SHA-256 recorded in header.txt) are written
 * verbatim with their original MTK headers, padding, id and tail: the result is byte-identical.
 * A changed kernel/ramdisk gets a new MTK header (name, maddr, mode kept; size recomputed), the
 * sizes and the id are recomputed, and any tail beyond the last section is dropped.
 * header.txt errors name the file and the byte offset of the bad line. */
int unifw_bootimg_repack(const char *dir, const char *out_path, const struct unifw_bootimg_repack_opts *opts,
			 struct unifw_error *err);

/* {"type":"bootimg", ...} for a parsed image (kernel and ramdisk described inside). */
void unifw_bootimg_to_json(const struct unifw_bootimg *img, struct unifw_jv *obj);
/* "bootimg" for a whole image, "boot_header" for a file smaller than one page (a bare header). */
int unifw_bootimg_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);
/* "ANDROID!" at offset 0. */
bool unifw_bootimg_probe(const uint8_t *head, size_t head_len, uint64_t total_size);

#ifdef __cplusplus
}
#endif
#endif
