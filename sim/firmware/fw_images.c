/* unifw-sim — logo, SEC_RO, NVRAM BinRegion, MBR/EBR, PMT and scatter of the synthetic firmware,
 * each written with the project's own writer where there is one (unifw_logo_build,
 * unifw_nvram_build, unifw_mbr_build, unifw_pmt_build, unifw_scatter_write). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_build.h"
#include "unifw/hash.h"
#include "unifw/logo.h"
#include "unifw/mbr.h"
#include "unifw/nvram.h"
#include "unifw/scatter.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ logo */

static uint16_t rgb565(unsigned r, unsigned g, unsigned b)
{
	return (uint16_t)((r >> 3) << 11 | (g >> 2) << 5 | (b >> 3));
}

static void fill_rect(uint8_t *px, uint32_t w, uint32_t h, uint32_t x0, uint32_t y0, uint32_t rw, uint32_t rh,
		      uint16_t c)
{
	for (uint32_t y = y0; y < y0 + rh && y < h; y++)
		for (uint32_t x = x0; x < x0 + rw && x < w; x++)
			put_le16(px + 2 * ((size_t)y * w + x), c);
}

/* A vertical gradient with a centred card and a band: the boot logo of a made-up brand. */
static void draw_panel(uint8_t *px, uint32_t w, uint32_t h, unsigned hue)
{
	for (uint32_t y = 0; y < h; y++) {
		unsigned v = 40 + 120 * y / h;
		fill_rect(px, w, h, 0, y, w, 1, rgb565(hue ? v / 3 : v / 4, hue ? v / 2 : v / 3, v));
	}
	fill_rect(px, w, h, w / 6, h / 3, w * 2 / 3, h / 6, rgb565(240, 240, 240));
	fill_rect(px, w, h, w / 6 + 8, h / 3 + 8, w * 2 / 3 - 16, 12, rgb565(230, 90, 20));
	fill_rect(px, w, h, 0, h - h / 10, w, 6, rgb565(200, 200, 210));
}

/* Digits of the charging animation as seven-segment sprites (38x54, a sprite size logo.c knows). */
static void draw_digit(uint8_t *px, unsigned d)
{
	static const uint8_t seg[10] = { 0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F };
	const uint32_t w = 38, h = 54;
	const uint16_t on = rgb565(90, 230, 90);
	fill_rect(px, w, h, 0, 0, w, h, 0);
	if (seg[d] & 0x01) fill_rect(px, w, h, 6, 2, 26, 5, on);
	if (seg[d] & 0x02) fill_rect(px, w, h, 31, 5, 5, 21, on);
	if (seg[d] & 0x04) fill_rect(px, w, h, 31, 28, 5, 21, on);
	if (seg[d] & 0x08) fill_rect(px, w, h, 6, 47, 26, 5, on);
	if (seg[d] & 0x10) fill_rect(px, w, h, 2, 28, 5, 21, on);
	if (seg[d] & 0x20) fill_rect(px, w, h, 2, 5, 5, 21, on);
	if (seg[d] & 0x40) fill_rect(px, w, h, 6, 24, 26, 5, on);
}

#define LOGO_PANEL_FRAMES 3u
#define LOGO_DIGITS 10u

int sim_build_logo(const struct sim_firmware *fw, uint8_t **out, size_t *len, struct unifw_error *err)
{
	uint32_t w = fw->logo_width, h = fw->logo_height;
	size_t panel = (size_t)w * h * 2, digit = 38 * 54 * 2;
	uint8_t *px = calloc(1, LOGO_PANEL_FRAMES * panel + LOGO_DIGITS * digit);
	if (!px)
		return unifw_error_set(err, UNIFW_E_NOMEM, "logo.bin", UNIFW_NO_OFFSET, "out of memory");
	struct unifw_logo_image img[LOGO_PANEL_FRAMES + LOGO_DIGITS];
	for (unsigned i = 0; i < LOGO_PANEL_FRAMES; i++) {
		draw_panel(px + i * panel, w, h, i);
		img[i] = (struct unifw_logo_image){ px + i * panel, w, h };
	}
	for (unsigned d = 0; d < LOGO_DIGITS; d++) {
		uint8_t *p = px + LOGO_PANEL_FRAMES * panel + d * digit;
		draw_digit(p, d);
		img[LOGO_PANEL_FRAMES + d] = (struct unifw_logo_image){ p, 38, 54 };
	}
	int rc = unifw_logo_build(img, LOGO_PANEL_FRAMES + LOGO_DIGITS, 0, 0, out, len, err);
	free(px);
	return rc;
}

/* ------------------------------------------------------------------ SEC_RO */

/* AND_AC_REGION blocks (AND_AC_HEADER_T as docs/format-nvram.md "Security partitions" describes it):
 * id, 'HHHH', region/hash/andro/md/md2 (length, offset) pairs; the andro section plain ('AAAA'),
 * md/md2 seeded stand-ins for the modem's encrypted blobs, a 20-byte hash (the first 20 bytes of the
 * SHA-256 of the region before it: the real algorithm is not needed by anything that reads it). */
#define SECRO_FILE 0x21000u
#define SECRO_STRIDE 0x3000u
#define SECRO_ANDRO_LEN 0x80u
#define SECRO_MD_LEN 0x1A0u
#define SECRO_REGION_LEN 0x2BC0u
#define SECRO_HASH_AT 0x2BE0u /* the hash closes the region (0x40 + 0x2BC0) */

static void secro_block(uint8_t *b, struct sim_prng *r)
{
	memcpy(b, "AND_AC_REGION", 13);
	put_le32(b + 0x10, 0x48484848u);
	put_le32(b + 0x14, SECRO_REGION_LEN);
	put_le32(b + 0x18, 0x40);
	put_le32(b + 0x1C, 20);
	put_le32(b + 0x20, SECRO_HASH_AT);
	put_le32(b + 0x24, SECRO_ANDRO_LEN);
	put_le32(b + 0x28, 0x40);
	put_le32(b + 0x2C, SECRO_MD_LEN);
	put_le32(b + 0x30, 0xBE0);
	put_le32(b + 0x34, SECRO_MD_LEN);
	put_le32(b + 0x38, 0x1BE0);
	put_le32(b + 0x40, 0x41414141u);
	sim_prng_fill(r, b + 0xBE0, SECRO_MD_LEN);
	sim_prng_fill(r, b + 0x1BE0, SECRO_MD_LEN);
	uint8_t h[32];
	unifw_sha256(b + 0x40, SECRO_HASH_AT - 0x40, h);
	memcpy(b + SECRO_HASH_AT, h, 20);
}

int sim_build_secro(uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err)
{
	uint8_t *b = calloc(1, SECRO_FILE);
	if (!b)
		return unifw_error_set(err, UNIFW_E_NOMEM, "secro.img", UNIFW_NO_OFFSET, "out of memory");
	struct sim_prng r;
	sim_prng_seed(&r, seed, "secro");
	secro_block(b, &r);
	for (size_t off = SECRO_STRIDE; off + SECRO_STRIDE <= SECRO_FILE; off += SECRO_STRIDE)
		memcpy(b + off, b, SECRO_STRIDE); /* the partition keeps copies every 0x3000 (corpus A516) */
	*out = b;
	*len = SECRO_FILE;
	return 0;
}

/* ------------------------------------------------------------------ NVRAM */

/* Opaque stand-in for the modem-encrypted IMEI record: seeded bytes in which every byte has a high
 * nibble of A..F, so no byte is a decimal digit in ASCII or BCD: it can never be read as an IMEI. */
static void opaque_record(struct sim_prng *r, uint8_t *b, size_t n)
{
	sim_prng_fill(r, b, n);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(0xA0u + (b[i] >> 4) % 6u * 0x10u + (b[i] & 0x0F));
}

void sim_nvram_files(const struct sim_model *m, uint64_t seed, struct sim_nvram_set *set)
{
	struct sim_prng r;
	char salt[SIM_MODEL_NAME_MAX + 16];
	sim_prng_seed(&r, seed, sim_unit_salt(m, m->name, salt, sizeof salt)); /* each unit its own calibration, record */
	memset(set, 0, sizeof *set);
	put_le16(set->wifi, 0x0104);         /* WIFI_CFG_PARAM_STRUCT versions */
	put_le16(set->wifi + 2, 0x0001);
	memcpy(set->wifi + UNIFW_NVRAM_WIFI_MAC_OFFSET, m->wifi_mac, 6);
	memcpy(set->wifi + 10, "US", 2);     /* country code */
	memcpy(set->bt, m->bt_addr, 6);
	put_le16(set->bt + 6, 0x6000);       /* the rest of the BT config (class of device...) */
	sim_prng_fill(&r, set->cal_ap, sizeof set->cal_ap);
	sim_prng_fill(&r, set->cal_md, sizeof set->cal_md);
	sim_prng_fill(&r, set->md_core, sizeof set->md_core);
	opaque_record(&r, set->imei, sizeof set->imei);
	const struct sim_nvram_file files[SIM_NVRAM_FILES] = {
		{ UNIFW_NVRAM_WIFI, set->wifi, sizeof set->wifi, 0 },
		{ "APCFG/APRDEB/WIFI_CUSTOM", set->wifi_custom, sizeof set->wifi_custom, 0 },
		{ UNIFW_NVRAM_BT_ADDR, set->bt, sizeof set->bt, 0 },
		{ "APCFG/APRDCL/HWMON_ACC", set->cal_ap, sizeof set->cal_ap, 1 },
		{ "md/NVRAM/CALIBRAT/ML1A_000", set->cal_md, sizeof set->cal_md, 2 },
		{ "md/NVRAM/NVD_CORE/MTCF_000", set->md_core, sizeof set->md_core, 2 },
		{ UNIFW_NVRAM_IMEI, set->imei, sizeof set->imei, 3 },
	};
	memcpy(set->file, files, sizeof files);
}

int sim_build_nvram(const struct sim_model *m, uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err)
{
	struct sim_nvram_set *set = malloc(sizeof *set);
	if (!set)
		return unifw_error_set(err, UNIFW_E_NOMEM, "nvram", UNIFW_NO_OFFSET, "out of memory");
	sim_nvram_files(m, seed, set);
	struct unifw_nvram_input in[SIM_NVRAM_FILES];
	char names[SIM_NVRAM_FILES][128];
	for (size_t i = 0; i < SIM_NVRAM_FILES; i++) {
		snprintf(names[i], sizeof names[i], "/data/nvram/%s", set->file[i].path);
		in[i] = (struct unifw_nvram_input){ names[i], set->file[i].data, (uint32_t)set->file[i].size,
						    set->file[i].category };
	}
	int rc = unifw_nvram_build(in, SIM_NVRAM_FILES, UNIFW_NVRAM_DEFAULT_REGION, out, len, err);
	free(set);
	return rc;
}

int sim_build_pro_info(const struct sim_model *m, uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err)
{
	uint8_t *b = malloc(SIM_PRO_INFO_SIZE);
	if (!b)
		return unifw_error_set(err, UNIFW_E_NOMEM, "pro_info.bin", UNIFW_NO_OFFSET, "out of memory");
	struct sim_prng r;
	char salt[SIM_MODEL_NAME_MAX + 32];
	char base[SIM_MODEL_NAME_MAX + 16];
	snprintf(base, sizeof base, "%s/PRO_INFO", m->name);
	sim_prng_seed(&r, seed, sim_unit_salt(m, base, salt, sizeof salt));
	opaque_record(&r, b, SIM_PRO_INFO_SIZE);
	*out = b;
	*len = SIM_PRO_INFO_SIZE;
	return 0;
}

/* ------------------------------------------------------------------ MBR / EBR / PMT */

int sim_build_mbr(const struct sim_firmware *fw, uint8_t **out, size_t *len, size_t *ebr_count,
		  struct unifw_error *err)
{
	struct sim_fw_part parts[SIM_MAX_PARTS];
	size_t n = sim_firmware_layout(fw, parts), np = 0, ne = 0;
	struct unifw_mbr_layout_part lp[SIM_MAX_PARTS];
	uint64_t ebr[UNIFW_MBR_MAX_EBRS];
	for (size_t i = 0; i < n; i++) {
		const struct sim_fw_part *p = &parts[i];
		if (p->in_mbr)
			lp[np++] = (struct unifw_mbr_layout_part){ p->linear - fw->boot_region, p->size, 0 };
		else if (p->def->role == SIM_ROLE_EBR1 || p->def->role == SIM_ROLE_EBR2)
			ebr[ne++] = p->linear - fw->boot_region;
	}
	struct unifw_mbr_layout layout = { .parts = lp, .count = np, .ebr_offsets = ebr, .ebr_count = ne,
					   .last_to_end = true };
	size_t total = (1 + ne) * UNIFW_MBR_SECTOR_SIZE;
	uint8_t *b = calloc(1, total);
	if (!b)
		return unifw_error_set(err, UNIFW_E_NOMEM, "MBR", UNIFW_NO_OFFSET, "out of memory");
	int rc = unifw_mbr_build(&layout, b, total, err);
	if (rc) {
		free(b);
		return rc;
	}
	*out = b;
	*len = total;
	*ebr_count = ne;
	return 0;
}

/* ------------------------------------------------------------------ scatter */

static void scatter_part(const struct sim_firmware *fw, const struct sim_fw_part *p, int index,
			 struct unifw_scatter_part *sp)
{
	const struct sim_role_info *ri = sim_role_info(p->def->role);
	memset(sp, 0, sizeof *sp);
	sp->index = index;
	snprintf(sp->name, sizeof sp->name, "%s", p->def->name);
	if (p->def->role == SIM_ROLE_PRELOADER)
		snprintf(sp->file_name, sizeof sp->file_name, "preloader_%s.bin", fw->project);
	else
		snprintf(sp->file_name, sizeof sp->file_name, "%s", ri->file ? ri->file : "NONE");
	sp->is_download = ri->download;
	snprintf(sp->type, sizeof sp->type, "%s", ri->scatter_type);
	sp->linear_start = p->linear;
	sp->physical_start = 0; /* what ptgen writes on MT6572 (docs/format-scatter.md) */
	sp->size = p->size;
	snprintf(sp->region, sizeof sp->region, "%s", p->def->role == SIM_ROLE_PRELOADER ? "EMMC_BOOT_1" : "EMMC_USER");
	snprintf(sp->storage, sizeof sp->storage, "HW_STORAGE_EMMC");
	sp->boundary_check = p->def->role != SIM_ROLE_BMTPOOL;
	sp->is_reserved = p->def->role == SIM_ROLE_BMTPOOL;
	snprintf(sp->operation_type, sizeof sp->operation_type, "%s", ri->operation);
	sp->keys = (1u << UNIFW_SCATTER_K_COUNT) - 1;
}

int sim_build_scatter(const struct sim_firmware *fw, char **text, size_t *len, struct unifw_error *err)
{
	struct sim_fw_part parts[SIM_MAX_PARTS];
	size_t n = sim_firmware_layout(fw, parts);
	struct unifw_scatter sc = { 0 };
	sc.dialect = UNIFW_SCATTER_V1;
	snprintf(sc.config_version, sizeof sc.config_version, "V1.1.1");
	snprintf(sc.platform, sizeof sc.platform, "MT6572");
	snprintf(sc.project, sizeof sc.project, "%s", fw->project);
	snprintf(sc.storage, sizeof sc.storage, "EMMC");
	snprintf(sc.boot_channel, sizeof sc.boot_channel, "MSDC_0");
	sc.block_size = 0x20000;
	sc.info_keys = (1u << UNIFW_SCATTER_I_COUNT) - 1;
	sc.parts = calloc(n, sizeof *sc.parts);
	if (!sc.parts)
		return unifw_error_set(err, UNIFW_E_NOMEM, "scatter", UNIFW_NO_OFFSET, "out of memory");
	sc.count = n;
	for (size_t i = 0; i < n; i++)
		scatter_part(fw, &parts[i], (int)i, &sc.parts[i]);
	int rc = unifw_scatter_write(&sc, UNIFW_SCATTER_V1, text, len, err);
	free(sc.parts);
	return rc;
}
