/* unifw-sim — synthetic modem images with MediaTek's MD_CHECK_HEADER (modem.h). */
#include "modem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_build.h"
#include "unifw/modem.h"
#include "util/bytes.h"

void sim_md_header_write(uint8_t *img, size_t len, const struct sim_md_header *h)
{
	if (len < SIM_MD_HEADER_SIZE)
		return;
	uint8_t *p = img + len - SIM_MD_HEADER_SIZE;
	memset(p, 0, SIM_MD_HEADER_SIZE);
	memcpy(p, SIM_MD_HEADER_MAGIC, 12);
	put_le32(p + UNIFW_MD_OFF_VERNO, h->verno);
	put_le32(p + UNIFW_MD_OFF_PRODUCT, 2); /* release version */
	put_le32(p + UNIFW_MD_OFF_TYPE, h->image_type);
	memcpy(p + UNIFW_MD_OFF_PLATFORM, h->platform, strnlen(h->platform, 16));
	memcpy(p + UNIFW_MD_OFF_BUILD_TIME, "2014/03/12 10:21:07", 19);
	memcpy(p + UNIFW_MD_OFF_BUILD_VER, h->build_ver, strnlen(h->build_ver, 64));
	p[UNIFW_MD_OFF_SYS_ID] = h->bind_sys_id;
	put_le32(p + UNIFW_MD_OFF_MEM_SIZE, h->mem_size);
	put_le32(p + UNIFW_MD_OFF_IMG_SIZE, h->md_img_size);
	put_le32(p + UNIFW_MD_OFF_SIZE, SIM_MD_HEADER_SIZE);
}

bool sim_md_header_read(const uint8_t *img, size_t len, struct sim_md_header *h)
{
	memset(h, 0, sizeof *h);
	if (len < SIM_MD_HEADER_SIZE)
		return false;
	const uint8_t *p = img + len - SIM_MD_HEADER_SIZE;
	if (memcmp(p, SIM_MD_HEADER_MAGIC, 12))
		return false;
	h->verno = le32_at(p, SIM_MD_HEADER_SIZE, UNIFW_MD_OFF_VERNO);
	h->image_type = le32_at(p, SIM_MD_HEADER_SIZE, UNIFW_MD_OFF_TYPE);
	memcpy(h->platform, p + UNIFW_MD_OFF_PLATFORM, 16);
	unifw_copy_field(h->build_ver, sizeof h->build_ver, p + UNIFW_MD_OFF_BUILD_VER, 64);
	h->bind_sys_id = p[UNIFW_MD_OFF_SYS_ID];
	h->mem_size = le32_at(p, SIM_MD_HEADER_SIZE, UNIFW_MD_OFF_MEM_SIZE);
	h->md_img_size = le32_at(p, SIM_MD_HEADER_SIZE, UNIFW_MD_OFF_IMG_SIZE);
	return true;
}

bool sim_md_build_board(const char *build_ver, char *board, size_t cap)
{
	const char *md = strstr(build_ver, ".MD.");
	if (!md || md == build_ver || !cap)
		return false;
	size_t n = (size_t)(md - build_ver);
	snprintf(board, cap, "%.*s", (int)(n < cap ? n : cap - 1), build_ver);
	return true;
}

int sim_build_modem(const char *type, const char *project, uint32_t mem_size, uint64_t seed, uint8_t **out,
		    size_t *len, struct unifw_error *err)
{
	struct sim_buf b = { 0 };
	struct sim_prng r;
	sim_prng_seed(&r, seed, type);
	sim_buf_fill(&b, &r, SIM_MD_BODY_SIZE);
	sim_buf_zero(&b, SIM_MD_HEADER_SIZE);
	int rc = sim_buf_take(&b, "modem image", out, len, err);
	if (rc)
		return rc;
	struct sim_md_header h = { .verno = SIM_MD_HEADER_VERSION, .image_type = strcmp(type, "2g") ? 2 : 1,
				   .bind_sys_id = 1, .mem_size = mem_size, .md_img_size = SIM_MD_BODY_SIZE };
	snprintf(h.platform, sizeof h.platform, "MT6572_S00");
	snprintf(h.build_ver, sizeof h.build_ver, "%.48s%s", project, SIM_MD_BUILD_VER_TAIL);
	sim_md_header_write(*out, *len, &h);
	return 0;
}
