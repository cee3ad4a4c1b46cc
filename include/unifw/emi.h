/* The EMI (DRAM) settings a MT6572 preloader carries: which memory parts it can boot.
 * Two copies (docs/format-preloader.md "EMI table"):
 *  - the MTK_BLOADER_INFO_v11 tag appended for flash tools and the DA: a 0x70-byte header
 *    (identifier[24], filename[64], version[4], chksum_seed, start_addr, bin_identifier[8], u32 count),
 *    then count entries of 0xA8 bytes with a 16-byte ID;
 *  - the compiled emi_settings[] the preloader itself uses: u32 num_of_emi_records followed by entries of
 *    0xA4 bytes with a 12-byte ID (otherwise the same fields).
 * A preloader fits a phone only if one entry's ID[0..id_length) equals the phone's eMMC CID bytes. */
#ifndef UNIFW_EMI_H
#define UNIFW_EMI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_EMI_TAG "MTK_BLOADER_INFO_v"
#define UNIFW_EMI_HEADER_SIZE 0x70u
#define UNIFW_EMI_ENTRY_SIZE 0xA8u          /* v11 tag entry */
#define UNIFW_EMI_COMPILED_ENTRY_SIZE 0xA4u /* emi_settings[] entry */
#define UNIFW_EMI_ID_SIZE 16u
#define UNIFW_EMI_COMPILED_ID_SIZE 12u
#define UNIFW_EMI_MAX_ENTRIES 64u           /* corpus maximum is 18; MediaTek lists stay far below */
#define UNIFW_EMI_CID_SIZE 16u

struct unifw_emi_entry {
	uint32_t type;          /* 0 invalid; 0x0Nxx: N 0 discrete, 1 NAND MCP, 2 eMMC MCP; low nibble DRAM type */
	uint8_t id[UNIFW_EMI_ID_SIZE]; /* eMMC CID bytes MSB first (MID, CBX, OID, PNM[6], ...) or NAND READ-ID */
	uint32_t id_length;     /* bytes compared with the CID */
	uint32_t freq_mhz;      /* EMI_Freq */
	uint32_t drva, drvb;
	uint32_t odl[14];       /* ODLA..ODLN */
	uint32_t con_i, con_j, con_k, con_l, con_n;
	uint32_t dut[3];        /* DUTA..DUTC */
	uint32_t duca, ducb, duce;
	uint32_t iocl;
	uint32_t gend;          /* bits 17:16 = 1 one rank, 3 two ranks */
	uint32_t rank_size[4];  /* bytes */
	uint32_t dram_vendor;   /* LPDDR2 MR5: 1 Samsung, 3 Elpida, 5 Nanya, 6 Hynix, 0xFF Micron; 0 unknown */
	uint32_t match_flag;
};

struct unifw_emi_table {
	uint64_t offset;              /* of "MTK_BLOADER_INFO_v" in the buffer given to the parser */
	char version[3];              /* "11" */
	char filename[65];            /* m_filename, e.g. "preloader_a516_row.bin" */
	char project[65];             /* filename without "preloader_" and ".bin" ("" if not that shape) */
	char bin_version[5];          /* m_version, "V116" */
	uint32_t chksum_seed;         /* 0x33448822 in every corpus file */
	uint32_t start_addr;          /* 0x00700090 in every corpus file */
	char bin_identifier[9];       /* "MTK_BIN" */
	uint32_t declared_count;      /* the u32 at +0x6C */
	size_t count;                 /* entries read (those that fit the input) */
	bool count_mismatch;          /* declared_count != count */
	uint64_t entries_offset;      /* offset + 0x70: the blob a legacy DA takes */
	struct unifw_emi_entry entry[UNIFW_EMI_MAX_ENTRIES];
};

struct unifw_emi_compiled {
	uint64_t offset;              /* of the u32 num_of_emi_records */
	uint32_t count;
	struct unifw_emi_entry entry[UNIFW_EMI_MAX_ENTRIES]; /* id[12..15] are zero */
};

/* Offset of the first "MTK_BLOADER_INFO_v" at or after `from`, or UINT64_MAX. */
uint64_t unifw_emi_find_tag(const uint8_t *buf, size_t len, uint64_t from);
/* Bytes of the block whose tag is at `tag`: the header plus the entries its count declares, cut to those
 * that fit before len (not capped at UNIFW_EMI_MAX_ENTRIES). 0 when the header itself does not fit. */
uint64_t unifw_emi_block_len(const uint8_t *buf, size_t len, uint64_t tag);
/* Parse the tag at `off`; [off, len) bounds the block (pass the block end when it is known). Entries that
 * do not fit are not read and count_mismatch says so. Versions other than 11 fail with UNSUPPORTED after
 * filling the header fields. */
int unifw_emi_parse(const uint8_t *buf, size_t len, uint64_t off, const char *name, struct unifw_emi_table *out,
		    struct unifw_error *err);
/* Locate the compiled emi_settings[] by shape (u32 count 1..64, then entries whose type, id_length,
 * frequency and rank size are plausible). UNIFW_E_NOT_FOUND if none. */
int unifw_emi_find_compiled(const uint8_t *buf, size_t len, struct unifw_emi_compiled *out, struct unifw_error *err);
/* Compare the tag with the compiled copy: 0 when the counts and every field agree (ID over 12 bytes, with
 * the tag's ID bytes 12..15 zero); otherwise 1 + the index of the first entry that differs (or 1 + the
 * smaller count when only the counts differ). */
size_t unifw_emi_cross_check(const struct unifw_emi_table *tag, const struct unifw_emi_compiled *compiled);

/* Does this table list the phone's memory part? True when an eMMC entry (type 0x02xx) has
 * 1 <= id_length <= 16 and ID[0..id_length) == cid[0..id_length); *entry_index = the first such entry
 * (what older preloaders pick). entry_index may be NULL. */
bool unifw_emi_match_cid(const struct unifw_emi_table *table, const uint8_t cid[UNIFW_EMI_CID_SIZE],
			 size_t *entry_index);
/* How many entries match (newer preloaders then also compare DRAM vendor and ranks). */
size_t unifw_emi_count_cid_matches(const struct unifw_emi_table *table, const uint8_t cid[UNIFW_EMI_CID_SIZE]);

/* The compiled table's counterpart of unifw_emi_match_cid: the entry the preloader picks at power-on
 * (MT6572 mt_emi.c mt_get_mdl_number: the first eMMC entry whose ID[0..id_length) equals the CID). */
bool unifw_emi_compiled_match_cid(const struct unifw_emi_compiled *c, const uint8_t cid[UNIFW_EMI_CID_SIZE],
				  size_t *entry_index);
/* True when a tag entry and a compiled entry carry the same settings (ID over 12 bytes, the tag's
 * ID bytes 12..15 zero, every other field equal). */
bool unifw_emi_entries_agree(const struct unifw_emi_entry *tag, const struct unifw_emi_entry *compiled);

/* Does a preloader fit the phone's memory part? Both tables must list it and agree on the entry: the
 * tag is what flash tools and the DA read, emi_settings[] is what the preloader runs at power-on. */
enum unifw_emi_fit {
	UNIFW_EMI_FIT_OK,               /* both list the part and the two entries agree */
	UNIFW_EMI_FIT_NEITHER,          /* neither table lists it */
	UNIFW_EMI_FIT_TAG_LACKS,        /* emi_settings[] lists it, the tag does not */
	UNIFW_EMI_FIT_COMPILED_LACKS,   /* the tag lists it, emi_settings[] does not: a brick at power-on */
	UNIFW_EMI_FIT_DISAGREE,         /* both list it, with different settings */
	UNIFW_EMI_FIT_COMPILED_MISSING, /* no emi_settings[] was found: the table the preloader runs is unknown */
};
struct unifw_emi_fit_result {
	enum unifw_emi_fit fit;
	bool tag_lists, compiled_lists;
	size_t tag_index, compiled_index; /* valid when the table lists the part */
};
/* compiled may be NULL (not found). */
enum unifw_emi_fit unifw_emi_check_fit(const struct unifw_emi_table *tag, const struct unifw_emi_compiled *compiled,
				       const uint8_t cid[UNIFW_EMI_CID_SIZE], struct unifw_emi_fit_result *out);
/* "fits", "neither_lists_part", "tag_lacks_part", "emi_settings_lacks_part", "tables_disagree",
 * "no_emi_settings" */
const char *unifw_emi_fit_name(enum unifw_emi_fit fit);

const char *unifw_emi_kind_name(uint32_t type);      /* "emmc", "nand", "discrete", "invalid", "unknown" */
const char *unifw_emi_dram_type_name(uint32_t type); /* "LPDDR1", "LPDDR2", "LPDDR3", "unknown" */
const char *unifw_emi_mid_name(uint8_t mid);         /* eMMC manufacturer, NULL if not in the table */
const char *unifw_emi_dram_vendor_name(uint32_t vendor); /* MR5 vendor, NULL if unknown */
unsigned unifw_emi_rank_count(const struct unifw_emi_entry *e); /* from GEND, else non-zero rank sizes */

/* Fill `obj` with the table's facts (no "type" key): used by emi_info and preloader describes. */
void unifw_emi_table_to_json(const struct unifw_emi_table *t, struct unifw_jv *obj);

bool unifw_emi_probe(const uint8_t *head, size_t head_len, uint64_t total_size);
/* A bare tag block: {"type":"emi_info", ...}; keys in docs/format-preloader.md. */
int unifw_emi_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
