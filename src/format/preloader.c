/* MT6572 preloader containers: GFH build output, EMMC_BOOT region dump, NO_GFH raw code.
 * GFH block, FILE_INFO, EMMC_BOOT/BRLYT and AND_ROMINFO_v field layouts, the GFH type / flash_dev /
 * sig_type numbering and the EMI blob recipe: docs/format-preloader.md, with their public sources.
 * Every field is checked on the corpus preloaders. */
#include "unifw/preloader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define GFH_MAGIC "MMM"
static const uint8_t GFH_FILE_INFO_HEAD[8] = {'M', 'M', 'M', 0x01, 0x38, 0x00, 0x00, 0x00};
#define EMMC_BOOT_ID "EMMC_BOOT"
#define BRLYT_ID "BRLYT"
#define BRLYT_DESC_MAGIC "BBBB"
#define BRLYT_DESC_SIZE 20u
#define BRLYT_DESC_OFFSET 0x14u
#define ROMINFO_ID "AND_ROMINFO_v"
#define ROMINFO_SIZE 0x34u
#define ROMINFO_SEARCH 0x10000u /* the structure sits 0x1FC into the code */
#define EMI_TRAILER_RETRY 0x800u /* docs/format-preloader.md: a zero trailer means "drop 0x800 bytes and read again" */
#define ARM_B_MASK 0xFF000000u
#define ARM_B_ALWAYS 0xEA000000u

/* ---- names (cyrozap mediatek_preloader.ksy enums) ---- */

const char *unifw_preloader_container_name(enum unifw_preloader_container c)
{
	switch (c) {
	case UNIFW_PRELOADER_GFH: return "gfh";
	case UNIFW_PRELOADER_EMMC_BOOT: return "emmc_boot";
	case UNIFW_PRELOADER_NO_GFH: return "no_gfh";
	default: return "unknown";
	}
}

const char *unifw_gfh_type_name(uint16_t type)
{
	static const char *const low[] = {
		"file_info", "bl_info", "anti_clone", "bl_sec_key", "sctrl_cert", "tool_auth", "mtk_reserved1",
		"brom_cfg", "brom_sec_cfg", "mtk_reserved2", "mtk_reserved3", "root_cert", "exp_chk", "epp_param",
		"chip_ver", "mtk_reserved4", "md_sec_cfg",
	};
	static const char *const x100[] = {"epp_info", "emi_list", "cmem_id_info", "cmem_nor_info", "dsp_info"};
	static const char *const x200[] = {
		"maui_info", "maui_sec", "maui_code_key", "maui_secure_ro_key", "maui_resource_key", "secure_ro_info",
		"dl_package_info", "flash_info", "macr_info", "arm_bl_info", "emmc_booting_info", "fota_info",
		"cbr_record_info", "confidential_bin_info", "cbr_info", "mba_info", "binary_location",
	};
	if (type < sizeof low / sizeof *low)
		return low[type];
	if (type >= 0x100 && type - 0x100u < sizeof x100 / sizeof *x100)
		return x100[type - 0x100];
	if (type >= 0x200 && type - 0x200u < sizeof x200 / sizeof *x200)
		return x200[type - 0x200];
	if (type == 0x300)
		return "boot_cert_ctrl_content";
	return NULL;
}

const char *unifw_gfh_file_type_name(uint16_t type)
{
	static const char *const names[] = {
		"none", "arm_bl", "arm_ext_bl", "dualmac_dsp_bl", "sctrl_cert", "tool_auth", "mtk_reserved1",
		"epp", "mtk_reserved2", "mtk_reserved3", "root_cert", "ap_bl",
	};
	return type < sizeof names / sizeof *names ? names[type] : NULL;
}

const char *unifw_gfh_flash_dev_name(uint8_t dev)
{
	static const char *const names[] = {
		"none", "nor", "nand_sequential", "nand_ttbl", "nand_fdm50", "emmc_boot_region", "emmc_data_region",
		"sf", "xboot",
	};
	return dev < sizeof names / sizeof *names ? names[dev] : NULL;
}

const char *unifw_gfh_sig_type_name(uint8_t sig)
{
	static const char *const names[] = {"none", "phash", "single", "single_and_phash", "multi"};
	return sig < sizeof names / sizeof *names ? names[sig] : NULL;
}

/* ---- helpers ---- */

static bool is_file_info_at(const uint8_t *b, size_t len, uint64_t off)
{
	return unifw_in_bounds(len, off, UNIFW_GFH_FILE_INFO_SIZE) && !memcmp(b + off, GFH_FILE_INFO_HEAD, 8) &&
	       !memcmp(b + off + 8, "FILE_INFO", 10);
}

static bool is_emmc_boot(const uint8_t *b, size_t len)
{
	return len >= 0x200 + 8 && !memcmp(b, EMMC_BOOT_ID, sizeof EMMC_BOOT_ID);
}

static bool is_no_gfh(const uint8_t *b, size_t len)
{
	uint32_t insn;
	return get_le32(b, len, 0, &insn) && (insn & ARM_B_MASK) == ARM_B_ALWAYS &&
	       unifw_in_bounds(len, UNIFW_PRELOADER_NO_GFH_ROMINFO, sizeof ROMINFO_ID) &&
	       !memcmp(b + UNIFW_PRELOADER_NO_GFH_ROMINFO, ROMINFO_ID, sizeof ROMINFO_ID - 1);
}

bool unifw_preloader_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	(void)total_size;
	if (is_file_info_at(head, head_len, 0))
		return true;
	if (is_emmc_boot(head, head_len))
		return !memcmp(head + 0x200, BRLYT_ID, sizeof BRLYT_ID);
	return is_no_gfh(head, head_len);
}

/* ---- GFH ---- */

static int parse_file_info(const uint8_t *b, size_t len, uint64_t g, const char *name, struct unifw_gfh_file_info *fi,
			   struct unifw_error *err)
{
	if (!is_file_info_at(b, len, g))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, g,
				       "expected a GFH FILE_INFO block (\"MMM\" 01 38 00 00 00 \"FILE_INFO\")");
	memset(fi, 0, sizeof *fi);
	fi->version = b[g + 3];
	fi->size = le16_at(b, len, g + 4);
	unifw_copy_field(fi->identifier, sizeof fi->identifier, b + g + 8, 12);
	fi->file_ver = le32_at(b, len, g + 0x14);
	fi->file_type = le16_at(b, len, g + 0x18);
	fi->flash_dev = b[g + 0x1A];
	fi->sig_type = b[g + 0x1B];
	fi->load_addr = le32_at(b, len, g + 0x1C);
	fi->file_len = le32_at(b, len, g + 0x20);
	fi->max_size = le32_at(b, len, g + 0x24);
	fi->content_offset = le32_at(b, len, g + 0x28);
	fi->sig_len = le32_at(b, len, g + 0x2C);
	fi->jump_offset = le32_at(b, len, g + 0x30);
	fi->attr = le32_at(b, len, g + 0x34);
	if (fi->file_len > len - g)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, g + 0x20,
				       "FILE_INFO file_len says 0x%X bytes from 0x%llx, the input holds 0x%llx", fi->file_len,
				       (unsigned long long)g, (unsigned long long)(len - g));
	if (fi->content_offset < UNIFW_GFH_FILE_INFO_SIZE || fi->content_offset > fi->file_len)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, g + 0x28,
				       "expected content_offset between 0x38 and file_len 0x%X, found 0x%X", fi->file_len,
				       fi->content_offset);
	if (fi->sig_len > fi->file_len - fi->content_offset)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, g + 0x2C,
				       "expected sig_len within file_len - content_offset (0x%X), found 0x%X",
				       fi->file_len - fi->content_offset, fi->sig_len);
	if (fi->jump_offset < fi->content_offset || fi->jump_offset >= fi->file_len - fi->sig_len)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, g + 0x30,
				       "expected jump_offset inside the code (0x%X..0x%X), found 0x%X", fi->content_offset,
				       fi->file_len - fi->sig_len, fi->jump_offset);
	return UNIFW_OK;
}

/* Every block from the GFH start up to content_offset: "MMM", version, u16 size, u16 type. */
static int walk_gfh_blocks(const uint8_t *b, size_t len, uint64_t g, const char *name, struct unifw_preloader *pl,
			   struct unifw_error *err)
{
	uint64_t end = g + pl->file_info.content_offset, o = g;
	pl->block_count = 0;
	while (o < end) {
		if (pl->block_count == UNIFW_GFH_MAX_BLOCKS)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, name, o, "more than %u GFH blocks",
					       UNIFW_GFH_MAX_BLOCKS);
		if (!unifw_in_bounds(len, o, UNIFW_GFH_HEADER_SIZE) || memcmp(b + o, GFH_MAGIC, 3))
			return unifw_error_set(err, UNIFW_E_FORMAT, name, o,
					       "expected a GFH block (\"MMM\") before content_offset 0x%X",
					       pl->file_info.content_offset);
		struct unifw_gfh_block *blk = &pl->block[pl->block_count];
		blk->offset = o;
		blk->version = b[o + 3];
		blk->size = le16_at(b, len, o + 4);
		blk->type = le16_at(b, len, o + 6);
		if (blk->size < UNIFW_GFH_HEADER_SIZE || blk->size > end - o)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, o + 4,
					       "GFH block size 0x%X: expected 8..0x%llx (up to content_offset)", blk->size,
					       (unsigned long long)(end - o));
		pl->block_count++;
		o += blk->size;
	}
	return UNIFW_OK;
}

static int parse_gfh(const uint8_t *b, size_t len, uint64_t g, const char *name, struct unifw_preloader *pl,
		     struct unifw_error *err)
{
	pl->gfh_offset = g;
	int rc = parse_file_info(b, len, g, name, &pl->file_info, err);
	if (rc || (rc = walk_gfh_blocks(b, len, g, name, pl, err)))
		return rc;
	pl->code_offset = g + pl->file_info.jump_offset;
	pl->content_end = g + pl->file_info.file_len - pl->file_info.sig_len;
	return UNIFW_OK;
}

/* ---- EMMC_BOOT + BRLYT ---- */

static int parse_emmc_boot(const uint8_t *b, size_t len, const char *name, struct unifw_preloader *pl,
			   struct unifw_error *err)
{
	struct unifw_emmc_boot *eb = &pl->emmc_boot;
	unifw_copy_field(eb->identifier, sizeof eb->identifier, b, 12);
	eb->version = le32_at(b, len, 0x0C);
	eb->dev_rw_unit = le32_at(b, len, 0x10);
	/* The layout block follows the 0x200-byte device header (U-Boot mtk_image.h gen_device_header). */
	eb->brlyt_offset = 0x200;
	uint64_t l = eb->brlyt_offset;
	if (!unifw_in_bounds(len, l, BRLYT_DESC_OFFSET + UNIFW_BRLYT_MAX_DESCRIPTORS * BRLYT_DESC_SIZE) ||
	    memcmp(b + l, BRLYT_ID, sizeof BRLYT_ID))
		return unifw_error_set(err, UNIFW_E_FORMAT, name, l, "expected the \"BRLYT\" layout block after EMMC_BOOT");
	eb->brlyt_version = le32_at(b, len, l + 8);
	eb->boot_region_addr = le32_at(b, len, l + 0x0C);
	eb->main_region_addr = le32_at(b, len, l + 0x10);
	eb->desc_count = 0;
	for (unsigned i = 0; i < UNIFW_BRLYT_MAX_DESCRIPTORS; i++) {
		uint64_t d = l + BRLYT_DESC_OFFSET + (uint64_t)i * BRLYT_DESC_SIZE;
		if (memcmp(b + d, BRLYT_DESC_MAGIC, 4))
			continue;
		struct unifw_brlyt_descriptor *ds = &eb->desc[eb->desc_count++];
		ds->dev = le16_at(b, len, d + 4);
		ds->type = le16_at(b, len, d + 6);
		ds->begin = le32_at(b, len, d + 8);
		ds->boundary = le32_at(b, len, d + 12);
		ds->attr = le32_at(b, len, d + 16);
	}
	for (size_t i = 0; i < eb->desc_count; i++) {
		if (eb->desc[i].type != 1) /* ARM_BL: the preloader */
			continue;
		uint64_t at = eb->desc[i].begin;
		if (!is_file_info_at(b, len, at))
			return unifw_error_set(err, UNIFW_E_FORMAT, name, at,
					       "BRLYT descriptor %zu points at 0x%llx, expected a GFH FILE_INFO there", i,
					       (unsigned long long)at);
		return parse_gfh(b, len, at, name, pl, err);
	}
	return unifw_error_set(err, UNIFW_E_FORMAT, name, l + BRLYT_DESC_OFFSET,
			       "expected a \"BBBB\" BRLYT descriptor of type 1 (ARM_BL), found none");
}

/* ---- ROM info, EMI location ---- */

static void find_rominfo(const uint8_t *b, size_t len, struct unifw_preloader *pl)
{
	uint64_t from = pl->code_offset;
	size_t stop = len;
	if (from < len && len - from > ROMINFO_SEARCH)
		stop = (size_t)(from + ROMINFO_SEARCH);
	size_t at = unifw_memfind(b, stop, (size_t)from, ROMINFO_ID, sizeof ROMINFO_ID - 1);
	if (at == SIZE_MAX || !unifw_in_bounds(len, at, ROMINFO_SIZE))
		return;
	pl->has_rominfo = true;
	pl->rominfo.offset = at;
	pl->rominfo.version = le32_at(b, len, at + 0x10);
	unifw_copy_field(pl->rominfo.platform, sizeof pl->rominfo.platform, b + at + 0x14, 16);
	unifw_copy_field(pl->rominfo.project, sizeof pl->rominfo.project, b + at + 0x24, 16);
}

/* blob = "MTK_BIN" + 0xC .. block end */
static bool set_blob(const uint8_t *b, uint64_t tag, uint64_t block_len, struct unifw_emi_location *out)
{
	size_t bin = unifw_memfind(b, (size_t)(tag + block_len), (size_t)tag, "MTK_BIN", 7);
	if (bin == SIZE_MAX || bin + 0xC > tag + block_len)
		return false;
	out->tag_offset = tag;
	out->block_len = block_len;
	out->blob_offset = bin + 0xC;
	out->blob_len = tag + block_len - out->blob_offset;
	return true;
}

static bool emi_by_trailer(const uint8_t *b, size_t len, uint64_t end, struct unifw_emi_location *out)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		uint32_t size;
		if (end < 4 || end > len || !get_le32(b, len, end - 4, &size))
			return false;
		if (size == 0 && attempt == 0 && end >= EMI_TRAILER_RETRY) {
			end -= EMI_TRAILER_RETRY;
			continue;
		}
		if (size < UNIFW_EMI_HEADER_SIZE || size > end - 4)
			return false;
		uint64_t tag = end - 4 - size;
		if (memcmp(b + tag, UNIFW_EMI_TAG, sizeof UNIFW_EMI_TAG - 1))
			return false;
		out->from_trailer = true;
		return set_blob(b, tag, size, out);
	}
	return false;
}

static bool emi_by_search(const uint8_t *b, size_t len, uint64_t from, struct unifw_emi_location *out)
{
	uint64_t tag = unifw_emi_find_tag(b, len, from);
	uint64_t size = tag == UINT64_MAX ? 0 : unifw_emi_block_len(b, len, tag);
	if (size == 0)
		return false;
	out->from_trailer = false;
	return set_blob(b, tag, size, out);
}

static bool locate_emi(const uint8_t *b, size_t len, uint64_t from, uint64_t content_end, struct unifw_emi_location *out)
{
	memset(out, 0, sizeof *out);
	return emi_by_trailer(b, len, content_end, out) || emi_by_search(b, len, from, out);
}

int unifw_preloader_emi_blob(const uint8_t *buf, size_t len, struct unifw_emi_location *out, struct unifw_error *err)
{
	uint64_t end = len, from = 0;
	size_t g = unifw_memfind(buf, len, 0, GFH_FILE_INFO_HEAD, sizeof GFH_FILE_INFO_HEAD);
	if (g != SIZE_MAX && unifw_in_bounds(len, g, UNIFW_GFH_FILE_INFO_SIZE)) {
		uint32_t file_len = le32_at(buf, len, g + 0x20), sig_len = le32_at(buf, len, g + 0x2C);
		if (sig_len <= file_len && file_len <= len - g)
			end = g + file_len - sig_len;
		from = g;
	}
	if (locate_emi(buf, len, from, end, out))
		return UNIFW_OK;
	return unifw_error_set(err, UNIFW_E_NOT_FOUND, NULL, end,
			       "no MTK_BLOADER_INFO block: neither a length trailer before 0x%llx nor the tag itself",
			       (unsigned long long)end);
}

int unifw_preloader_emi_table(const uint8_t *buf, size_t len, const struct unifw_preloader *pl,
			      struct unifw_emi_table *out, struct unifw_error *err)
{
	if (!pl->has_emi)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, NULL, UNIFW_NO_OFFSET, "this preloader has no EMI table");
	uint64_t end = pl->emi.tag_offset + pl->emi.block_len;
	if (end > len)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, NULL, len, "EMI block ends at 0x%llx beyond the input",
				       (unsigned long long)end);
	return unifw_emi_parse(buf, (size_t)end, pl->emi.tag_offset, NULL, out, err);
}

int unifw_preloader_emi_compiled(const uint8_t *buf, size_t len, const struct unifw_preloader *pl,
				 struct unifw_emi_compiled *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	if (!pl->has_emi)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, NULL, UNIFW_NO_OFFSET, "this preloader has no EMI table");
	size_t end = pl->emi.tag_offset < len ? (size_t)pl->emi.tag_offset : len;
	return unifw_emi_find_compiled(buf, end, out, err);
}

int unifw_preloader_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_preloader *out,
			  struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	out->size = len;
	out->gfh_offset = UINT64_MAX;
	int rc;
	if (is_file_info_at(buf, len, 0)) {
		out->container = UNIFW_PRELOADER_GFH;
		rc = parse_gfh(buf, len, 0, name, out, err);
	} else if (is_emmc_boot(buf, len)) {
		out->container = UNIFW_PRELOADER_EMMC_BOOT;
		rc = parse_emmc_boot(buf, len, name, out, err);
	} else if (is_no_gfh(buf, len)) {
		out->container = UNIFW_PRELOADER_NO_GFH;
		out->code_offset = 0;
		out->content_end = len;
		rc = UNIFW_OK;
	} else {
		rc = unifw_error_set(err, UNIFW_E_FORMAT, name, 0,
				     "expected a GFH FILE_INFO, an EMMC_BOOT header or raw preloader code (ARM branch at 0, "
				     "AND_ROMINFO_v at 0x1FC)");
	}
	if (rc)
		return rc;
	find_rominfo(buf, len, out);
	out->has_emi = locate_emi(buf, len, out->code_offset, out->content_end, &out->emi);
	return UNIFW_OK;
}

/* ---- describe ---- */

static void set_name_or_unknown(struct unifw_jv *o, const char *key, const char *name)
{
	unifw_jv_set_str(o, key, name ? name : "unknown");
}

static void describe_gfh(const struct unifw_preloader *pl, struct unifw_jv *obj)
{
	const struct unifw_gfh_file_info *fi = &pl->file_info;
	unifw_jv_set_uint(obj, "gfh_offset", pl->gfh_offset);
	struct unifw_jv *g = unifw_jv_set_obj(obj, "gfh");
	unifw_jv_set_str(g, "type", "gfh");
	unifw_jv_set_uint(g, "version", fi->version);
	unifw_jv_set_uint(g, "file_ver", fi->file_ver);
	unifw_jv_set_uint(g, "file_type", fi->file_type);
	set_name_or_unknown(g, "file_type_name", unifw_gfh_file_type_name(fi->file_type));
	unifw_jv_set_uint(g, "flash_dev", fi->flash_dev);
	set_name_or_unknown(g, "flash_dev_name", unifw_gfh_flash_dev_name(fi->flash_dev));
	unifw_jv_set_uint(g, "sig_type", fi->sig_type);
	set_name_or_unknown(g, "sig_type_name", unifw_gfh_sig_type_name(fi->sig_type));
	unifw_jv_set_hex(g, "load_address", fi->load_addr);
	unifw_jv_set_uint(g, "file_len", fi->file_len);
	unifw_jv_set_uint(g, "max_size", fi->max_size);
	unifw_jv_set_uint(g, "content_offset", fi->content_offset);
	unifw_jv_set_uint(g, "sig_len", fi->sig_len);
	unifw_jv_set_uint(g, "jump_offset", fi->jump_offset);
	unifw_jv_set_hex(g, "attr", fi->attr);
	unifw_jv_set_bool(g, "fits_max_size", fi->file_len <= fi->max_size);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "gfh_blocks");
	for (size_t i = 0; i < pl->block_count; i++) {
		const struct unifw_gfh_block *blk = &pl->block[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "gfh_block");
		unifw_jv_set_uint(o, "offset", blk->offset);
		unifw_jv_set_uint(o, "version", blk->version);
		unifw_jv_set_uint(o, "size", blk->size);
		unifw_jv_set_hex(o, "type_id", blk->type);
		set_name_or_unknown(o, "name", unifw_gfh_type_name(blk->type));
	}
}

static void describe_emmc_boot(const struct unifw_emmc_boot *eb, struct unifw_jv *obj)
{
	struct unifw_jv *o = unifw_jv_set_obj(obj, "emmc_boot");
	unifw_jv_set_str(o, "type", "emmc_boot");
	unifw_jv_set_uint(o, "version", eb->version);
	unifw_jv_set_uint(o, "dev_rw_unit", eb->dev_rw_unit);
	unifw_jv_set_uint(o, "brlyt_offset", eb->brlyt_offset);
	unifw_jv_set_uint(o, "brlyt_version", eb->brlyt_version);
	unifw_jv_set_hex(o, "boot_region_addr", eb->boot_region_addr);
	unifw_jv_set_hex(o, "main_region_addr", eb->main_region_addr);
	struct unifw_jv *arr = unifw_jv_set_arr(o, "descriptors");
	for (size_t i = 0; i < eb->desc_count; i++) {
		const struct unifw_brlyt_descriptor *d = &eb->desc[i];
		struct unifw_jv *x = unifw_jv_push_obj(arr);
		unifw_jv_set_str(x, "type", "brlyt_descriptor");
		unifw_jv_set_uint(x, "dev", d->dev);
		set_name_or_unknown(x, "dev_name", d->dev <= 0xFF ? unifw_gfh_flash_dev_name((uint8_t)d->dev) : NULL);
		unifw_jv_set_uint(x, "type_id", d->type);
		set_name_or_unknown(x, "type_name", unifw_gfh_file_type_name(d->type));
		unifw_jv_set_hex(x, "begin", d->begin);
		unifw_jv_set_hex(x, "boundary", d->boundary);
		unifw_jv_set_hex(x, "attr", d->attr);
	}
}

/* t: the parsed table, or NULL when it could not be read (table_error says why). */
static void describe_emi(const uint8_t *b, const struct unifw_preloader *pl, const struct unifw_emi_table *t,
			 const char *table_error, struct unifw_jv *obj)
{
	struct unifw_jv *blob = unifw_jv_set_obj(obj, "emi_blob");
	unifw_jv_set_str(blob, "type", "emi_blob");
	unifw_jv_set_uint(blob, "offset", pl->emi.blob_offset);
	unifw_jv_set_uint(blob, "size", pl->emi.blob_len);
	unifw_jv_set_bool(blob, "from_trailer", pl->emi.from_trailer);
	struct unifw_jv *emi = unifw_jv_set_obj(obj, "emi");
	unifw_jv_set_str(emi, "type", "emi_table");
	unifw_jv_set_uint(emi, "offset", pl->emi.tag_offset);
	unifw_jv_set_uint(emi, "block_size", pl->emi.block_len);
	if (!t) {
		unifw_jv_set_str(emi, "error", table_error);
		return;
	}
	unifw_emi_table_to_json(t, emi);
	/* The compiled copy lies in .data, before the appended tag. */
	struct unifw_emi_compiled *c = malloc(sizeof *c);
	struct unifw_error e;
	if (c && unifw_preloader_emi_compiled(b, (size_t)pl->size, pl, c, &e) == 0) {
		struct unifw_jv *cs = unifw_jv_set_obj(obj, "emi_settings");
		unifw_jv_set_str(cs, "type", "emi_settings");
		unifw_jv_set_uint(cs, "offset", c->offset);
		unifw_jv_set_uint(cs, "count", c->count);
		unifw_jv_set_bool(cs, "agrees_with_tag", unifw_emi_cross_check(t, c) == 0);
	}
	free(c);
}

static void describe_strings(const uint8_t *b, size_t len, struct unifw_jv *obj)
{
	/* Older builds print "flash ID not match" and take the first matching entry; newer ones also check the
	 * DRAM vendor and ranks ("no DRAM info match") - docs/format-preloader.md. */
	if (unifw_memfind(b, len, 0, "no DRAM info match", 18) != SIZE_MAX)
		unifw_jv_set_str(obj, "emi_match_style", "dram_info_check");
	else if (unifw_memfind(b, len, 0, "flash ID not match", 18) != SIZE_MAX)
		unifw_jv_set_str(obj, "emi_match_style", "first_match");
}

int unifw_preloader_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	size_t cap = UNIFW_PRELOADER_MAX_SIZE;
	if (s->size != UNIFW_SIZE_UNKNOWN && s->size < cap)
		cap = (size_t)s->size;
	uint8_t *buf = malloc(cap ? cap : 1);
	struct unifw_preloader *pl = malloc(sizeof *pl);
	struct unifw_emi_table *t = malloc(sizeof *t);
	int rc;
	if (!buf || !pl || !t) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
		goto out;
	}
	ssize_t n = unifw_stream_read(s, buf, cap, err);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	size_t len = (size_t)n;
	if ((rc = unifw_preloader_parse(buf, len, s->name, pl, err)))
		goto out;
	char table_error[1024] = "";
	bool have_table = false;
	if (pl->has_emi) {
		struct unifw_error e;
		int trc = unifw_preloader_emi_table(buf, len, pl, t, &e);
		have_table = trc == 0;
		if (trc)
			unifw_error_format(&e, table_error, sizeof table_error);
	}
	unifw_jv_set_str(obj, "type", "preloader");
	unifw_jv_set_str(obj, "container", unifw_preloader_container_name(pl->container));
	unifw_jv_set_uint(obj, "size", s->size != UNIFW_SIZE_UNKNOWN ? s->size : len);
	if (pl->has_rominfo)
		unifw_jv_set_str(obj, "platform", pl->rominfo.platform);
	if (have_table && t->project[0])
		unifw_jv_set_str(obj, "project", t->project);
	if (pl->has_rominfo) {
		struct unifw_jv *ri = unifw_jv_set_obj(obj, "rom_info");
		unifw_jv_set_str(ri, "type", "rom_info");
		unifw_jv_set_uint(ri, "offset", pl->rominfo.offset);
		unifw_jv_set_uint(ri, "version", pl->rominfo.version);
		unifw_jv_set_str(ri, "platform", pl->rominfo.platform);
		unifw_jv_set_str(ri, "project", pl->rominfo.project);
	}
	if (pl->container == UNIFW_PRELOADER_EMMC_BOOT)
		describe_emmc_boot(&pl->emmc_boot, obj);
	if (pl->container != UNIFW_PRELOADER_NO_GFH)
		describe_gfh(pl, obj);
	else
		unifw_jv_set_hex(obj, "entry_instruction", le32_at(buf, len, 0));
	unifw_jv_set_uint(obj, "code_offset", pl->code_offset);
	unifw_jv_set_uint(obj, "content_end", pl->content_end);
	describe_strings(buf, len, obj);
	if (pl->has_emi)
		describe_emi(buf, pl, have_table ? t : NULL, table_error, obj);
out:
	free(buf);
	free(pl);
	free(t);
	return rc;
}
