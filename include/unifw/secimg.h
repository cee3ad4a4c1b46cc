/* SECCFG and SEC_RO partitions: recognised and described by structure only. Their contents are
 * encrypted or security data; unifw reports versions, sizes and magic positions and never
 * interprets or changes lock state (no security bypass).
 *   seccfg (v3, MT65xx): "AND_SECCFG_v" id[16], u32 'MMMM' at 0x10, u32 version, u32 size,
 *     encrypted body, u32 'EEEE' at size-4; the partition is padded after it.
 *   secro: one or more AND_AC_REGION blocks: id[16], u32 'HHHH' at 0x10, then lengths/offsets
 *     of the region, hash, andro (plain 'AAAA' or encrypted), md and md2 sections
 *     (AND_AC_HEADER_T of MediaTek's sec_secroimg.h). */
#ifndef UNIFW_SECIMG_H
#define UNIFW_SECIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_SECCFG_ID "AND_SECCFG_v"
#define UNIFW_SECCFG_MAGIC 0x4D4D4D4Du   /* MMMM */
#define UNIFW_SECCFG_END 0x45454545u     /* EEEE */
#define UNIFW_SECRO_ID "AND_AC_REGION"
#define UNIFW_SECRO_MAGIC 0x48484848u    /* HHHH */
#define UNIFW_SECRO_ANDRO_MAGIC 0x41414141u /* AAAA: the andro section in plain text */
#define UNIFW_SECRO_HEADER_SIZE 0x40u
#define UNIFW_SECIMG_MAX_FILE (16u << 20)
#define UNIFW_SECRO_MAX_COPIES 64u

struct unifw_seccfg {
	uint64_t file_size;
	uint32_t version, size;      /* seccfg_size: the structure incl. the end flag */
	bool rest_blank;             /* every byte after size is 0x00 or 0xFF */
	int blank_byte;              /* that byte if uniform, -1 otherwise / none */
};

struct unifw_secro_section { uint32_t offset, length; };

struct unifw_secro {
	uint64_t file_size;
	uint32_t region_length;
	struct unifw_secro_section region, hash, andro, md, md2;
	bool andro_plaintext;        /* 'AAAA' at the andro offset of the first block */
	uint64_t copies[UNIFW_SECRO_MAX_COPIES]; /* offsets of AND_AC_REGION blocks (4 KiB aligned) */
	size_t copy_count;
	uint64_t end;                /* end of the last block's hash */
	bool rest_blank;
	int blank_byte;
};

int unifw_seccfg_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_seccfg *out,
		       struct unifw_error *err);
int unifw_secro_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_secro *out,
		      struct unifw_error *err);

/* Either kind. */
bool unifw_secimg_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* {"type":"seccfg","magic","magic_offset","version","seccfg_size","end_flag_offset","file_size",
 *  "rest_blank","blank_byte"} or
 * {"type":"secro","magic","magic_offset","region_length","sections":{"region":{"offset","length"},
 *  "hash":..,"andro":..,"md":..,"md2":..},"andro_plaintext","copies","copy_offsets":[...],
 *  "file_size","rest_blank","blank_byte"} */
int unifw_secimg_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
