/* MediaTek download agent container (MTK_AllInOne_DA.bin), all little-endian (docs/format-da.md):
 * header 0x6C bytes: "MTK_DOWNLOAD_AGENT"[32], version string[64], info_ver u32, magic u32 0x22668899,
 * entry count u32; then one entry per chip of 0xDC bytes (an older layout has 0xD8: no sw_ver/reserved):
 * magic u16 0xDADA, hw_code, hw_sub_code, hw_ver, sw_ver, reserved, page_size, reserved2,
 * entry_region_index, region_count, then 10 regions {file offset, length incl. signature, load address,
 * start offset, signature length} (u32 each). A legacy DA (MT6572) loads region 1 as DA1 and region 2 as
 * DA2. The DA is proprietary: unifw never ships one; the writer builds containers around the caller's blobs
 * (the virtual phone's synthetic DA). */
#ifndef UNIFW_DAFILE_H
#define UNIFW_DAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_DA_ID "MTK_DOWNLOAD_AGENT"
#define UNIFW_DA_HEADER_SIZE 0x6Cu
#define UNIFW_DA_ENTRY_SIZE 0xDCu
#define UNIFW_DA_ENTRY_SIZE_OLD 0xD8u
#define UNIFW_DA_MAX_REGIONS 10u
#define UNIFW_DA_REGION_SIZE 20u
#define UNIFW_DA_MAGIC 0x22668899u
#define UNIFW_DA_ENTRY_MAGIC 0xDADAu
#define UNIFW_DA_MAX_ENTRIES 512u

struct unifw_da_region {
	uint32_t offset;        /* m_buf: where the bytes are in the file */
	uint32_t length;        /* m_len: bytes to send, signature included */
	uint32_t load_addr;     /* m_start_addr: where the device puts them */
	uint32_t start_offset;  /* m_start_offset */
	uint32_t sig_len;       /* m_sig_len */
};

struct unifw_da_entry {
	uint16_t magic, hw_code, hw_sub_code, hw_ver, sw_ver, reserved, page_size, reserved2;
	uint16_t region_index;  /* entry_region_index (used by IoT chips only; legacy DAs use regions 1 and 2) */
	uint16_t region_count;
	struct unifw_da_region region[UNIFW_DA_MAX_REGIONS];
};

struct unifw_dafile {
	char identifier[33];
	char version[65];
	uint32_t info_ver;
	uint32_t magic;
	bool old_layout;        /* 0xD8-byte entries */
	size_t entry_size;
	uint64_t file_size;
	struct unifw_da_entry *entry; /* malloc'd: free with unifw_dafile_free */
	size_t count;
};

/* Parse the header and entry table in buf (the file's first len bytes; the whole file or at least
 * 0x6C + count * entry size). Regions are bounds-checked against file_size (>= len). */
int unifw_dafile_parse(const uint8_t *buf, size_t len, uint64_t file_size, const char *name, struct unifw_dafile *out,
		       struct unifw_error *err);
void unifw_dafile_free(struct unifw_dafile *da);
/* First entry with this hw_code and hw_ver/sw_ver not newer than the device's. NOT_FOUND says why. */
int unifw_dafile_select(const struct unifw_dafile *da, uint16_t hw_code, uint16_t hw_ver, uint16_t sw_ver,
			size_t *index, struct unifw_error *err);
/* Region of stage 1 (DA1 = region 1) or 2 (DA2 = region 2) of an entry; bytes are
 * file[offset, offset + length), signature included (the last sig_len bytes). */
int unifw_dafile_stage(const struct unifw_dafile *da, size_t index, unsigned stage, struct unifw_da_region *out,
		       struct unifw_error *err);

/* Writer input: one blob per region, in region order (region 0 is whatever the caller wants there). */
struct unifw_da_blob {
	const uint8_t *data;
	size_t len;             /* signature included */
	uint32_t load_addr;
	uint32_t sig_len;
};

struct unifw_da_build_entry {
	uint16_t hw_code, hw_sub_code, hw_ver, sw_ver, page_size;
	uint16_t region_index;
	const struct unifw_da_blob *regions;
	size_t region_count;    /* <= 10 */
};

struct unifw_da_build {
	const char *version;    /* version string (64 bytes max) */
	bool old_layout;        /* write 0xD8-byte entries (sw_ver is then not stored) */
	const struct unifw_da_build_entry *entries;
	size_t count;
};

/* Build a container: header, entry table, then the region bytes (16-byte aligned). *out is malloc'd. */
int unifw_dafile_build(const struct unifw_da_build *b, uint8_t **out, size_t *out_len, struct unifw_error *err);

bool unifw_dafile_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"da", ...}: keys in docs/format-da.md. Reads only the header and the entry table. */
int unifw_dafile_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
