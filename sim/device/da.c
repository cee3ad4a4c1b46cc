/* The legacy DA's boot: DA1 sync and report 1, stage-2 config, the DRAM/EMI step (BROM mode),
 * DA2 upload and report 2 (docs/protocol.md, "Legacy DA boot" and the byte-exact notes). */
#include "dev_internal.h"

#include <stdlib.h>
#include <string.h>

#include "dablob.h"
#include "util/bytes.h"
#include "util/bytesum.h"

/* The DA's NAND id list has a fixed size; an eMMC phone sends zeros (see docs/protocol.md "Legacy DA boot", report 2). */
static void emit_nand_ids(struct sim_dev *d, enum sim_op op)
{
	uint16_t count = (uint16_t)dev_fault_length(d, op, SIM_NAND_ID_COUNT);
	dev_emit_be16(d, count);
	for (unsigned i = 0; i < SIM_NAND_ID_COUNT; i++)
		dev_emit_be16(d, 0);
}

static void report1(struct sim_dev *d)
{
	const uint8_t *cid = d->cfg.storage.geom->cid;
	dev_emit_be32(d, SIM_DA_DEVICE_NOT_FOUND); /* nand_ret: no NAND */
	emit_nand_ids(d, SIM_OP_DA1);
	dev_emit_be32(d, SIM_DA_S_DONE);           /* emmc_ret */
	dev_emit(d, cid, 16);                       /* 4 u32 BE words = the CID MSB first */
	dev_trace(d, "DA1", '<', "report 1: nand_ret=0xBC4 nand_ids=%u emmc_ret=0 cid=%02X%02X%02X%02X...",
		  SIM_NAND_ID_COUNT, cid[0], cid[1], cid[2], cid[3]);
}

static void step_report1_ack(struct sim_dev *d, const uint8_t *b, size_t n);
static void step_stage2(struct sim_dev *d, const uint8_t *b, size_t n);
static void step_emi_cmd(struct sim_dev *d, const uint8_t *b, size_t n);
static void da2_wait(struct sim_dev *d);

void da1_start(struct sim_dev *d)
{
	d->state = ST_DA1;
	dev_sub_end(d);
	dev_phase(d, SIM_OP_DA1, 0);
	dev_trace(d, "DA1", '<', "DA1 %u.%u runs: sync 0xC0", d->da_ver[0], d->da_ver[1]);
	dev_emit_u8(d, SIM_DA_SYNC);
	report1(d);
	dev_expect(d, 1, step_report1_ack);
}

static void step_report1_ack(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	if (b[0] != SIM_DA_ACK) {
		dev_trace(d, "DA1", '>', "0x%02X where ACK 0x5A was expected: ignored", b[0]);
		dev_expect(d, 1, step_report1_ack);
		return;
	}
	dev_emit(d, d->da_ver, 3);
	dev_trace(d, "DA1", '<', "ACK -> version %u.%u.%u", d->da_ver[0], d->da_ver[1], d->da_ver[2]);
	dev_expect(d, SIM_STAGE2_CONFIG_LEN, step_stage2);
}

static void emi_announce(struct sim_dev *d)
{
	d->state = ST_EMI;
	dev_sub_begin(d, SIM_OP_EMI, SIM_EMI_ENTRY_LEN);
	dev_emit_be32(d, SIM_DA_RAM_CONFIG_NEEDED);
	dev_emit_be32(d, 0); /* [I] a second word hosts read and ignore (docs/protocol.md) */
	dev_emit(d, d->cfg.pers.dram_id, 16);
	dev_emit_be32(d, SIM_DA_DEVICE_NOT_FOUND);
	emit_nand_ids(d, SIM_OP_EMI);
	dev_trace(d, "EMI", '<', "0xBC3: DRAM config needed, DRAM info %02X%02X%02X%02X%02X%02X%02X%02X%02X...",
		  d->cfg.pers.dram_id[0], d->cfg.pers.dram_id[1], d->cfg.pers.dram_id[2], d->cfg.pers.dram_id[3],
		  d->cfg.pers.dram_id[4], d->cfg.pers.dram_id[5], d->cfg.pers.dram_id[6], d->cfg.pers.dram_id[7],
		  d->cfg.pers.dram_id[8]);
	dev_expect(d, 1, step_emi_cmd);
}

static void step_stage2(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint16_t nor_cfg = 0;
	uint32_t acccon = 0, bmt_size = 0;
	get_be16(b, n, 2, &nor_cfg);
	get_be32(b, n, 5, &acccon);
	get_be32(b, n, 10, &bmt_size);
	dev_trace(d, "DA1", '>',
		  "stage-2 config: bromver=0x%02X blver=0x%02X nor_cfg=0x%04X nor_cs=%u nand_acccon=0x%08X bmt_flag=%u "
		  "bmt_partsize=0x%X force_charge=%u reset_key=%u ext_clock=%u msdc_boot_ch=%u",
		  b[0], b[1], nor_cfg, b[4], acccon, b[9], bmt_size, b[14], b[15], b[16], b[17]);
	if (d->dram_ready) {
		dev_emit_be32(d, SIM_DA_S_DONE);
		dev_trace(d, "DA1", '<', "DRAM ready (preloader initialised it): 0");
		da2_wait(d);
		return;
	}
	emi_announce(d);
}

/* ---------- EMI (BROM mode) ---------- */

static void step_emi_blob(struct sim_dev *d, const uint8_t *b, size_t n);
static void step_emi_go(struct sim_dev *d, const uint8_t *b, size_t n);

static void step_emi_ack(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	if (b[0] != SIM_DA_ACK)
		dev_trace(d, "EMI", '>', "0x%02X where ACK 0x5A was expected (taken as the ACK)", b[0]);
	dev_expect(d, SIM_EMI_ENTRY_LEN, step_emi_blob);
}

static void step_emi_ver(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint32_t ver = 0;
	get_be32(b, n, 0, &ver);
	if (ver != SIM_EMI_VERSION_V11) {
		dev_trace(d, "EMI", '<', "EMI version 0x%08X: NACK (this DA takes MTK_BLOADER_INFO_v11 = 0x0B)", ver);
		dev_emit_u8(d, SIM_DA_NACK);
		dev_hang(d, "EMI settings refused");
		return;
	}
	dev_emit_u8(d, SIM_DA_ACK);
	dev_emit(d, d->cfg.pers.dram_id, 16);
	dev_emit_be32(d, dev_fault_length(d, SIM_OP_EMI, SIM_EMI_ENTRY_LEN));
	dev_trace(d, "EMI", '<', "version 0x0B: ACK, RAM info, length 0x%X", SIM_EMI_ENTRY_LEN);
	dev_expect(d, 1, step_emi_ack);
}

static void step_emi_cmd(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	if (b[0] != SIM_DA_ENABLE_DRAM) {
		dev_trace(d, "EMI", '>', "0x%02X where ENABLE_DRAM 0xE8 was expected: ignored", b[0]);
		dev_expect(d, 1, step_emi_cmd);
		return;
	}
	dev_expect(d, 4, step_emi_ver);
}

/* The DA initialises DRAM with the entry only when its ID is this phone's memory part: the
 * first id_length bytes of the entry's ID equal the phone's DRAM id (docs/format-preloader.md): the
 * preloader's pick. */
static bool emi_entry_matches(struct sim_dev *d, const uint8_t *e, size_t n)
{
	uint32_t type = 0, id_len = 0;
	get_le32(e, n, 0, &type);
	get_le32(e, n, SIM_EMI_ID_LENGTH_OFF, &id_len);
	if (type == 0 || id_len == 0 || id_len > SIM_EMI_ID_MAX) {
		dev_trace(d, "EMI", '!', "entry type 0x%X id_length %u: not a usable EMI entry", type, id_len);
		return false;
	}
	if (memcmp(e + SIM_EMI_ID_OFF, d->cfg.pers.dram_id, id_len) != 0) {
		dev_trace(d, "EMI", '!', "entry ID %02X%02X%02X%02X%02X%02X%02X%02X%02X does not match this phone's "
			  "memory part: DRAM calibration fails", e[4], e[5], e[6], e[7], e[8], e[9], e[10], e[11], e[12]);
		return false;
	}
	dev_trace(d, "EMI", '!', "entry type 0x%X matches the memory part (%u ID bytes)", type, id_len);
	return true;
}

static void step_emi_blob(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint16_t sum = unifw_bytesum16(b, n, 0);
	d->emi_ok = emi_entry_matches(d, b, n);
	dev_emit_be16(d, sum);
	dev_trace(d, "EMI", '<', "EMI blob 0x%zX bytes, checksum 0x%04X", n, sum);
	dev_expect(d, 5, step_emi_go);
}

static void step_emi_go(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint32_t cmd = 0;
	get_be32(b, n, 1, &cmd);
	if (b[0] != SIM_DA_ACK || cmd != SIM_EMI_DRAM_CONFIG_CMD)
		dev_trace(d, "EMI", '>', "expected 5A 80000001, found %02X %08X", b[0], cmd);
	if (!d->emi_ok) {
		dev_emit_be32(d, SIM_DA_SETUP_DRAM_FAIL);
		dev_trace(d, "EMI", '<', "ext_ram_ret=0x%X (SETUP_DRAM_FAIL; SP Flash Tool: 4032 S_FT_ENABLE_DRAM_FAIL)",
			  SIM_DA_SETUP_DRAM_FAIL);
		dev_hang(d, "DRAM not initialised");
		return;
	}
	d->dram_ready = true;
	dev_emit_be32(d, SIM_DA_S_DONE);
	dev_emit_u8(d, 2); /* HW_RAM_DRAM */
	dev_emit_u8(d, 0); /* chip select 0 */
	dev_emit_be64(d, d->cfg.pers.dram_size);
	dev_trace(d, "EMI", '<', "ext_ram_ret=0 type=DRAM cs=0 size=0x%llX", (unsigned long long)d->cfg.pers.dram_size);
	dev_sub_end(d);
	da2_wait(d);
}

/* ---------- DA2 upload ---------- */

static void step_da2_packet(struct sim_dev *d, const uint8_t *b, size_t n);
static void step_da2_final(struct sim_dev *d, const uint8_t *b, size_t n);
static void report2(struct sim_dev *d);

static void expect_da2_packet(struct sim_dev *d)
{
	uint32_t left = d->da2_len - d->da2_have;
	dev_expect(d, left < d->da2_packet ? left : d->da2_packet, step_da2_packet);
}

static bool da2_header_ok(const struct sim_dev *d, uint32_t addr, uint32_t len, uint32_t packet)
{
	uint64_t dram_end = (uint64_t)SIM_DA2_ADDR + d->cfg.pers.dram_size;
	return packet != 0 && packet <= SIM_DA_MAX_PACKET && len != 0 && len <= SIM_DA2_MAX && addr >= SIM_DA2_ADDR &&
	       (uint64_t)addr + len <= dram_end;
}

static void step_da2_header(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint32_t addr = 0, len = 0, packet = 0;
	get_be32(b, n, 0, &addr);
	get_be32(b, n, 4, &len);
	get_be32(b, n, 8, &packet);
	if (!da2_header_ok(d, addr, len, packet)) {
		dev_trace(d, "DA2", '<', "addr=0x%08X len=0x%X packet=0x%X: NACK (outside DRAM or buffer)", addr, len, packet);
		dev_emit_u8(d, SIM_DA_NACK);
		dev_hang(d, "DA2 upload refused");
		return;
	}
	uint8_t *buf = realloc(d->da2, len);
	if (!buf) {
		dev_close(d, "out of memory");
		return;
	}
	d->da2 = buf;
	d->da2_addr = addr;
	d->da2_len = len;
	d->da2_have = 0;
	d->da2_packet = packet;
	dev_phase(d, SIM_OP_DA2, len);
	dev_emit_u8(d, SIM_DA_ACK);
	dev_trace(d, "DA2", '<', "addr=0x%08X len=0x%X packet=0x%X: ACK", addr, len, packet);
	expect_da2_packet(d);
}

static void da2_wait(struct sim_dev *d)
{
	d->state = ST_DA2;
	dev_phase(d, SIM_OP_DA2, 0);
	dev_expect(d, 12, step_da2_header);
}

static void step_da2_packet(struct sim_dev *d, const uint8_t *b, size_t n)
{
	memcpy(d->da2 + d->da2_have, b, n);
	d->da2_have += (uint32_t)n;
	dev_emit_u8(d, SIM_DA_ACK);
	if (d->da2_have < d->da2_len) {
		expect_da2_packet(d);
		return;
	}
	/* Upload complete: the DA says so unprompted and waits for the host's ACK. */
	dev_emit_u8(d, SIM_DA_ACK);
	dev_trace(d, "DA2", '<', "0x%X bytes received: ACK per packet, then ACK (waiting for the host's ACK)", d->da2_len);
	dev_expect(d, 1, step_da2_final);
}

static void step_da2_final(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	if (b[0] != SIM_DA_ACK) {
		dev_trace(d, "DA2", '>', "0x%02X where ACK 0x5A was expected: ignored", b[0]);
		dev_expect(d, 1, step_da2_final);
		return;
	}
	struct sim_dablob_info info;
	if (!sim_dablob_parse(d->da2, d->da2_len, 2, &info) || info.hw_code != d->cfg.pers.hw_code) {
		dev_hang(d, "DA2 is not a stage 2 for this chip (DA1 jumps into it and crashes)");
		return;
	}
	report2(d);
	da_cmd_wait(d);
}

/* ---------- report 2 ---------- */

static void emit_zeros(struct sim_dev *d, size_t n)
{
	static const uint8_t z[32];
	dev_emit(d, z, n);
}

static void report2_nor_nand(struct sim_dev *d)
{
	dev_emit_be32(d, SIM_DA_DEVICE_NOT_FOUND); /* NOR: ret, cs[2], id, size, dev_code[4], otp status/size */
	emit_zeros(d, SIM_NOR_BLOCK_LEN - 4);
	dev_emit_be32(d, SIM_DA_DEVICE_NOT_FOUND); /* NAND: ret, cs, id, size u64, id count + ids */
	emit_zeros(d, 1 + 2 + 8);
	emit_nand_ids(d, SIM_OP_REPORT);
	emit_zeros(d, SIM_NAND2_BLOCK_LEN);        /* page, spare, pages/block, io, addr cycle, bmt */
}

static void report2_emmc(struct sim_dev *d)
{
	const struct sim_emmc_geometry *g = d->cfg.storage.geom;
	dev_emit_be32(d, SIM_DA_S_DONE);
	dev_emit_be64(d, g->size[SIM_PART_BOOT1]);
	dev_emit_be64(d, g->size[SIM_PART_BOOT2]);
	dev_emit_be64(d, g->size[SIM_PART_RPMB]);
	for (unsigned p = SIM_PART_GP1; p <= SIM_PART_GP4; p++)
		dev_emit_be64(d, g->size[p]);
	dev_emit_be64(d, g->size[SIM_PART_USER]);
	/* [I] the CID MSB first, as two u64 BE words; --report2-cid makes the DA contradict report 1 */
	dev_emit(d, d->cfg.pers.report2_cid_set ? d->cfg.pers.report2_cid : g->cid, 16);
	dev_emit(d, g->fwver, 8);
}

static void report2_sdc_config(struct sim_dev *d)
{
	dev_emit_be32(d, SIM_DA_DEVICE_NOT_FOUND); /* SDC: ret, ua_size u64, cid 2 x u64 */
	emit_zeros(d, SIM_SDC_BLOCK_LEN - 4);
	dev_emit_be32(d, SIM_DA_S_DONE);           /* CONFIG: int_sram_ret, int_sram_size */
	dev_emit_be32(d, SIM_SRAM_SIZE);
	dev_emit_be32(d, SIM_DA_S_DONE);           /* ext_ram_ret, type, cs, size */
	dev_emit_u8(d, 2);
	dev_emit_u8(d, 0);
	dev_emit_be64(d, d->cfg.pers.dram_size);
	dev_emit(d, d->cfg.pers.me_id, 16);        /* random_id */
}

static void report2(struct sim_dev *d)
{
	dev_phase(d, SIM_OP_REPORT, 0);
	report2_nor_nand(d);
	report2_emmc(d);
	report2_sdc_config(d);
	dev_emit_u8(d, SIM_DA_ACK); /* tail: ack, download_status, boot_style, SOC_OK */
	dev_emit_be32(d, 0);
	dev_emit_be32(d, 0);
	dev_emit_u8(d, SIM_DA_SOC_OK);
	const struct sim_emmc_geometry *g = d->cfg.storage.geom;
	dev_trace(d, "DA2", '<', "report 2: eMMC boot1=0x%llX boot2=0x%llX rpmb=0x%llX user=0x%llX, DRAM 0x%llX, SOC_OK",
		  (unsigned long long)g->size[SIM_PART_BOOT1], (unsigned long long)g->size[SIM_PART_BOOT2],
		  (unsigned long long)g->size[SIM_PART_RPMB], (unsigned long long)g->size[SIM_PART_USER],
		  (unsigned long long)d->cfg.pers.dram_size);
	dev_phase(d, SIM_OP_DA, 0);
}
