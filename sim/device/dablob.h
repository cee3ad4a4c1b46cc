/* unifw-sim — the synthetic download agent the virtual phone runs.
 *
 * A real DA is MediaTek's proprietary code and is never shipped. The sim's DA is a small blob
 * with a recognisable header; the virtual BROM "runs" it by checking that header: a DA1 that is
 * not for the phone's hw_code hangs the phone like a foreign DA would (no sync byte).
 * Layout of both stages (all LITTLE-endian like the DA container), docs/sim.md:
 *   0x00 magic "UNIFW-SIM-DA1" / "UNIFW-SIM-DA2", NUL-padded to 16 bytes
 *   0x10 hw_code u16, 0x12 hw_ver u16, 0x14 DA major u8, 0x15 minor u8, 0x16 extra u8, 0x17 0
 *   0x18 data length u32 (without signature), 0x1C load address u32
 *   0x20 a NUL-terminated note, then filler bytes; the last sig_len bytes stand for the signature. */
#ifndef UNIFW_SIM_DABLOB_H
#define UNIFW_SIM_DABLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_DABLOB_HEADER_LEN 0x20
#define SIM_DA1_DATA_LEN 0x1800u /* fits the BROM's SRAM window */
#define SIM_DA2_DATA_LEN 0x4A00u /* not a multiple of the 0x1000 upload packet on purpose */
#define SIM_DA_SIG_LEN 0x100u
#define SIM_DA_MAJOR 4
#define SIM_DA_MINOR 0x10
#define SIM_DA_EXTRA 0

struct sim_dablob_info {
	unsigned stage;     /* 1 or 2 */
	uint16_t hw_code, hw_ver;
	uint8_t major, minor, extra;
	uint32_t data_len, load_addr;
};

/* Build stage 1 or 2 for hw_code/hw_ver into a malloc'd buffer (data + signature); NULL on OOM.
 * The bytes are deterministic (same arguments, same blob). */
uint8_t *sim_dablob_build(unsigned stage, uint16_t hw_code, uint16_t hw_ver, size_t *len);
/* Parse a header; false when the bytes are not a sim DA of that stage. */
bool sim_dablob_parse(const uint8_t *buf, size_t len, unsigned stage, struct sim_dablob_info *info);

#endif
