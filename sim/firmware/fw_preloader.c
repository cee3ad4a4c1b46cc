/* unifw-sim — synthetic MT6572 preloader: GFH blocks, code filler with AND_ROMINFO_v, the compiled
 * emi_settings[] and the MTK_BLOADER_INFO_v11 tag, then a hash "signature"; and its EMMC_BOOT form.
 * Layout facts: docs/format-preloader.md (GFH block header "MMM" + version + u16 size + u16 type; FILE_INFO fields; BRLYT descriptors). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_build.h"
#include "unifw/emi.h"
#include "unifw/hash.h"
#include "util/bytes.h"

#define GFH_FILE_INFO 0x0000u
#define GFH_BL_INFO 0x0001u
#define GFH_ANTI_CLONE 0x0002u
#define GFH_BROM_CFG 0x0007u
#define GFH_BROM_SEC_CFG 0x0008u
#define MT6572_PL_LOAD_ADDR 0x02007200u /* FILE_INFO load_addr of every corpus MT6572 preloader */
#define PL_MAX_SIZE 0x20000u            /* FILE_INFO max_size: the 128 KiB SRAM budget */
#define PL_JUMP_OFFSET 0x100u
#define PL_SIG_LEN 32u                  /* a SHA-256 of the content: sig_type 1 "phash" */
#define ROMINFO_AT 0x1FCu               /* AND_ROMINFO_v sits 0x1FC into the code (corpus) */
#define CODE_FILLER 0xC000u

static void gfh_header(struct sim_buf *b, uint16_t size, uint16_t type)
{
	uint8_t h[8] = { 'M', 'M', 'M', 0x01, (uint8_t)size, (uint8_t)(size >> 8), (uint8_t)type, (uint8_t)(type >> 8) };
	sim_buf_put(b, h, sizeof h);
}

/* FILE_INFO with file_len patched later (offset 0x20 of the image). */
static void gfh_file_info(struct sim_buf *b, uint32_t content_offset)
{
	gfh_header(b, 0x38, GFH_FILE_INFO);
	static const char id[12] = "FILE_INFO";
	sim_buf_put(b, id, sizeof id);
	sim_buf_le32(b, 1);                                     /* file_ver */
	uint8_t t[4] = { 0x01, 0x00, 0x05, 0x01 };              /* file_type ARM_BL, flash_dev eMMC boot, sig phash */
	sim_buf_put(b, t, 4);
	sim_buf_le32(b, MT6572_PL_LOAD_ADDR);
	sim_buf_le32(b, 0);                                     /* file_len: patched */
	sim_buf_le32(b, PL_MAX_SIZE);
	sim_buf_le32(b, content_offset);
	sim_buf_le32(b, PL_SIG_LEN);
	sim_buf_le32(b, PL_JUMP_OFFSET);
	sim_buf_le32(b, 1);                                     /* attr */
}

static void gfh_other_blocks(struct sim_buf *b)
{
	gfh_header(b, 0x0C, GFH_BL_INFO);
	sim_buf_le32(b, 1);
	gfh_header(b, 0x5C, GFH_BROM_CFG);
	sim_buf_le32(b, 0x90);                                  /* cfg bits */
	sim_buf_le32(b, 3000);                                  /* USB download auto-detect timeout, ms */
	sim_buf_zero(b, 0x5C - 16);
	gfh_header(b, 0x14, GFH_ANTI_CLONE);
	sim_buf_zero(b, 0x14 - 8);
	gfh_header(b, 0x30, GFH_BROM_SEC_CFG);
	sim_buf_zero(b, 0x30 - 8);
}

static void rominfo(struct sim_buf *b)
{
	char f[0x34] = { 0 };
	memcpy(f, "AND_ROMINFO_v", 13);
	put_le32((uint8_t *)f + 0x10, 2);
	memcpy(f + 0x14, "MT6572", 6);
	memcpy(f + 0x24, "CUST", 4); /* every corpus preloader says CUST here, not its project */
	sim_buf_put(b, f, sizeof f);
}

/* One EMI entry: type, ID (16 bytes in the tag, 12 compiled), then the 0x94-byte tail. */
static void emi_entry(struct sim_buf *b, const struct sim_mem_part *m, size_t id_size)
{
	uint8_t id[16] = { 0 };
	memcpy(id, m->id, sizeof m->id);
	sim_buf_le32(b, m->type);
	sim_buf_put(b, id, id_size);
	sim_buf_le32(b, sizeof m->id);                          /* id_length: MID+CBX+OID+PNM */
	sim_buf_le32(b, m->freq_mhz);
	sim_buf_le32(b, 0xAA00AA00u);                           /* DRVA, DRVB */
	sim_buf_le32(b, 0xAA00AA00u);
	for (unsigned i = 0; i < 14; i++)                       /* ODLA..ODLN */
		sim_buf_le32(b, 0x44444444u + i);
	static const uint32_t con[5] = { 0x42492C3Fu, 0x00000000u, 0x00112480u, 0x00000000u, 0x0F004100u };
	for (unsigned i = 0; i < 5; i++)                        /* CONI, CONJ, CONK, CONL, CONN */
		sim_buf_le32(b, con[i]);
	for (unsigned i = 0; i < 3; i++)                        /* DUTA..DUTC */
		sim_buf_le32(b, 0x40404040u);
	sim_buf_le32(b, 0x40404040u);                           /* DUCA, DUCB, DUCE */
	sim_buf_le32(b, 0x40404040u);
	sim_buf_le32(b, 0x40404040u);
	sim_buf_le32(b, 0x88008800u);                           /* IOCL */
	sim_buf_le32(b, m->rank_size[1] ? 0x30000u : 0x10000u); /* GEND: one or two ranks */
	for (unsigned i = 0; i < 4; i++)
		sim_buf_le32(b, i < 2 ? m->rank_size[i] : 0);
	sim_buf_le32(b, m->dram_vendor);
	sim_buf_le32(b, 0);                                     /* match_flag */
}

static void emi_compiled(struct sim_buf *b, const struct sim_firmware *fw)
{
	const struct sim_mem_part *const *list = fw->emi_compiled ? fw->emi_compiled : fw->emi;
	size_t n = fw->emi_compiled ? fw->emi_compiled_count : fw->emi_count;
	sim_buf_align(b, 4);
	sim_buf_le32(b, (uint32_t)n); /* num_of_emi_records */
	for (size_t i = 0; i < n; i++)
		emi_entry(b, list[i], UNIFW_EMI_COMPILED_ID_SIZE);
}

/* MTK_BLOADER_INFO_v11: header (0x70), entries, then the u32 block length. */
static void emi_tag(struct sim_buf *b, const struct sim_firmware *fw)
{
	uint8_t h[UNIFW_EMI_HEADER_SIZE] = { 0 };
	memcpy(h, "MTK_BLOADER_INFO_v11", 20);
	/* m_filename: the corpus files have three NULs before "preloader_<project>.bin" */
	char name[61];
	snprintf(name, sizeof name, "preloader_%s.bin", fw->project);
	memcpy(h + 0x1B, name, strlen(name));
	memcpy(h + 0x58, "V116", 4);
	put_le32(h + 0x5C, 0x33448822u);
	put_le32(h + 0x60, 0x00700090u);
	memcpy(h + 0x64, "MTK_BIN", 7);
	put_le32(h + 0x6C, (uint32_t)fw->emi_count);
	sim_buf_align(b, 4);
	sim_buf_put(b, h, sizeof h);
	for (size_t i = 0; i < fw->emi_count; i++)
		emi_entry(b, fw->emi[i], UNIFW_EMI_ID_SIZE);
	sim_buf_le32(b, (uint32_t)(UNIFW_EMI_HEADER_SIZE + fw->emi_count * UNIFW_EMI_ENTRY_SIZE));
}

/* The code area: a branch, seeded filler standing in for ARM code, AND_ROMINFO_v, log strings. */
static void code_area(struct sim_buf *b, const struct sim_firmware *fw, struct sim_prng *r)
{
	sim_buf_le32(b, 0xEA00007Eu); /* b +0x200: over the ROM info, as the real reset vector does */
	sim_buf_fill(b, r, ROMINFO_AT - 4);
	rominfo(b);
	sim_buf_fill(b, r, CODE_FILLER);
	sim_buf_str(b, "[PLFM] Init Boot Device: eMMC");
	sim_buf_str(b, fw->emi_dram_info_check ? "[EMI] no DRAM info match, assert" : "[EMI] flash ID not match !!");
	sim_buf_str(b, "[BLDR] jump to LK from UBOOT partition");
	char line[96];
	snprintf(line, sizeof line, "preloader_%s.bin", fw->project);
	sim_buf_str(b, line);
	sim_ptable_standin(b, fw); /* cust_part_tbl(): the table part_init uses without a valid PMT */
}

int sim_build_preloader(const struct sim_firmware *fw, uint64_t seed, uint8_t **out, size_t *len,
			struct unifw_error *err)
{
	struct sim_buf b = { 0 };
	struct sim_prng r;
	sim_prng_seed(&r, seed, fw->project);
	gfh_file_info(&b, 0);
	gfh_other_blocks(&b);
	uint32_t content_offset = (uint32_t)b.len;
	sim_buf_zero(&b, PL_JUMP_OFFSET - b.len);
	code_area(&b, fw, &r);
	emi_compiled(&b, fw);
	emi_tag(&b, fw);
	size_t content_end = b.len;
	sim_buf_zero(&b, PL_SIG_LEN);
	int rc = sim_buf_take(&b, "preloader", out, len, err);
	if (rc)
		return rc;
	if (*len > PL_MAX_SIZE) {
		free(*out);
		return unifw_error_set(err, UNIFW_E_TOO_BIG, "preloader", UNIFW_NO_OFFSET,
				       "synthetic preloader of %zu bytes exceeds max_size 0x%X", *len, PL_MAX_SIZE);
	}
	put_le32(*out + 0x20, (uint32_t)*len);        /* file_len */
	put_le32(*out + 0x28, content_offset);         /* content_offset = end of the GFH blocks */
	unifw_sha256(*out, content_end, *out + content_end);
	return 0;
}

int sim_wrap_emmc_boot(const uint8_t *gfh, size_t len, uint8_t **out, size_t *out_len, struct unifw_error *err)
{
	size_t total = SIM_EMMC_BOOT_GFH_OFFSET + len;
	uint8_t *p = malloc(total);
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOMEM, "EMMC_BOOT", UNIFW_NO_OFFSET, "out of memory");
	memset(p, 0, SIM_EMMC_BOOT_GFH_OFFSET);
	/* Device header (0x200): id, version 1, dev_rw_unit 512, then 0xFF as in the corpus dump. */
	memcpy(p, "EMMC_BOOT", 9);
	put_le32(p + 0x0C, 1);
	put_le32(p + 0x10, 0x200);
	memset(p + 0x14, 0xFF, 0x200 - 0x14);
	/* Boot layout: version 1, boot region 0x800, main region after the 128 KiB preloader budget. */
	uint8_t *l = p + 0x200;
	memcpy(l, "BRLYT", 5);
	put_le32(l + 0x08, 1);
	put_le32(l + 0x0C, SIM_EMMC_BOOT_GFH_OFFSET);
	put_le32(l + 0x10, SIM_EMMC_BOOT_GFH_OFFSET + PL_MAX_SIZE);
	memcpy(l + 0x14, "BBBB", 4);
	put_le16(l + 0x18, 5);                         /* dev: eMMC boot region */
	put_le16(l + 0x1A, 1);                         /* type: ARM_BL */
	put_le32(l + 0x1C, SIM_EMMC_BOOT_GFH_OFFSET);  /* begin */
	put_le32(l + 0x20, SIM_EMMC_BOOT_GFH_OFFSET + PL_MAX_SIZE);
	put_le32(l + 0x24, 1);                         /* attr */
	memcpy(p + SIM_EMMC_BOOT_GFH_OFFSET, gfh, len);
	*out = p;
	*out_len = total;
	return 0;
}
