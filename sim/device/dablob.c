/* Synthetic DA stages for the virtual phone (see dablob.h). */
#include "dablob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_proto.h"
#include "util/bytes.h"

static const char *magic_for(unsigned stage) { return stage == 1 ? "UNIFW-SIM-DA1" : "UNIFW-SIM-DA2"; }

uint8_t *sim_dablob_build(unsigned stage, uint16_t hw_code, uint16_t hw_ver, size_t *len)
{
	if (stage != 1 && stage != 2)
		return NULL;
	uint32_t data_len = stage == 1 ? SIM_DA1_DATA_LEN : SIM_DA2_DATA_LEN;
	size_t total = (size_t)data_len + SIM_DA_SIG_LEN;
	uint8_t *b = calloc(1, total);
	if (!b)
		return NULL;
	memcpy(b, magic_for(stage), strlen(magic_for(stage)));
	put_le16(b + 0x10, hw_code);
	put_le16(b + 0x12, hw_ver);
	b[0x14] = SIM_DA_MAJOR;
	b[0x15] = SIM_DA_MINOR;
	b[0x16] = SIM_DA_EXTRA;
	put_le32(b + 0x18, data_len);
	put_le32(b + 0x1C, stage == 1 ? SIM_DA1_ADDR : SIM_DA2_ADDR);
	int n = snprintf((char *)b + SIM_DABLOB_HEADER_LEN, 0x80,
			 "unifw-sim synthetic download agent, stage %u, for hw_code 0x%04x; contains no MediaTek code",
			 stage, hw_code);
	/* Filler from a fixed LCG: checksums over the blob are non-trivial and reproducible. */
	uint32_t x = 0x6572u * stage + hw_code;
	for (size_t i = SIM_DABLOB_HEADER_LEN + (size_t)n + 1; i < data_len; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
	/* The "signature": a repeated marker, so a reader sees at once that nothing is signed. */
	for (size_t i = 0; i < SIM_DA_SIG_LEN; i++)
		b[data_len + i] = (uint8_t)"UNSIGNED"[i % 8];
	*len = total;
	return b;
}

bool sim_dablob_parse(const uint8_t *buf, size_t len, unsigned stage, struct sim_dablob_info *info)
{
	const char *magic = magic_for(stage);
	uint8_t field[16] = { 0 };
	memcpy(field, magic, strlen(magic));
	if (len < SIM_DABLOB_HEADER_LEN || memcmp(buf, field, sizeof field) != 0)
		return false;
	memset(info, 0, sizeof *info);
	info->stage = stage;
	get_le16(buf, len, 0x10, &info->hw_code);
	get_le16(buf, len, 0x12, &info->hw_ver);
	info->major = buf[0x14];
	info->minor = buf[0x15];
	info->extra = buf[0x16];
	get_le32(buf, len, 0x18, &info->data_len);
	get_le32(buf, len, 0x1C, &info->load_addr);
	return true;
}
