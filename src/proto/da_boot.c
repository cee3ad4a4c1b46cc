/* Legacy DA core, bringing the DA up (unifw/da_legacy.h; the object is in da_legacy.c): sync and
 * report 1, the stage-2 config with the DRAM branch and its EMI exchange, the DA2 upload and report 2.
 * Sources: da_legacy.c's header and docs/transport.md "Legacy DA". */
#include "proto/da_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/bytesum.h"

/* Report 2 block sizes (dalegacy_flash_param.py). */
#define R2_NOR 0x1C
#define R2_NAND 0x11
#define R2_NAND2 9
#define R2_EMMC 0x5C
#define R2_SDC 0x1C
#define R2_CONFIG 0x26
#define R2_TAIL 0x0A

/* ---- sync and report 1 ---- */

static int op_sync(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	struct unifw_da_report1 *r = &da->info.report1;
	switch (p->pc) {
	case 0:
		memset(r, 0, sizeof *r);
		return proto_recv(p, 1, 1, DA_INIT_TIMEOUT_MS, "sync byte");
	case 1:
		if (expect_byte(p, UNIFW_DA_SYNC_CHAR, "sync byte"))
			return p->err.code;
		return proto_recv(p, 2, 4, DA_TIMEOUT_MS, "report 1 NAND status");
	case 2:
		r->nand_ret = proto_rx_be32(p, 0);
		return proto_recv(p, 3, 2, DA_TIMEOUT_MS, "report 1 NAND id count");
	case 3:
		/* counts and lengths go into the info only once checked: callers index arrays with them */
		if (proto_rx_be16(p, 0) > UNIFW_DA_MAX_NAND_IDS)
			return proto_fail(p, UNIFW_E_TOO_BIG, "expected at most %d NAND ids, found a count of %u",
					  UNIFW_DA_MAX_NAND_IDS, proto_rx_be16(p, 0));
		r->nand_id_count = proto_rx_be16(p, 0);
		if (r->nand_id_count == 0)
			return proto_recv(p, 5, 4, DA_TIMEOUT_MS, "report 1 eMMC status");
		return proto_recv(p, 4, 2u * r->nand_id_count, DA_TIMEOUT_MS, "report 1 NAND ids");
	case 4:
		for (size_t i = 0; i < r->nand_id_count; i++)
			r->nand_id[i] = proto_rx_be16(p, 2 * i);
		return proto_recv(p, 5, 4, DA_TIMEOUT_MS, "report 1 eMMC status");
	case 5:
		r->emmc_ret = proto_rx_be32(p, 0);
		return proto_recv(p, 6, 16, DA_TIMEOUT_MS, "report 1 eMMC id");
	case 6:
		for (size_t i = 0; i < 4; i++)
			r->emmc_id[i] = proto_rx_be32(p, 4 * i);
		/* docs/protocol.md "Legacy DA boot": NAND if the first NAND id is set, eMMC if the first eMMC word is. */
		if (r->nand_id_count > 0 && r->nand_id[0] != 0)
			r->storage = UNIFW_DA_STORAGE_NAND;
		else if (r->emmc_id[0] != 0)
			r->storage = UNIFW_DA_STORAGE_EMMC;
		else
			r->storage = UNIFW_DA_STORAGE_NOR;
		return proto_send_u8(p, 7, UNIFW_DA_ACK, "ACK of report 1");
	case 7:
		return proto_recv(p, 8, 3, DA_TIMEOUT_MS, "DA version bytes");
	case 8:
		r->da_major = p->rx[0];
		r->da_minor = p->rx[1];
		r->da_extra = p->rx[2];
		r->valid = true;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_sync(struct unifw_da *da)
{
	return proto_begin(&da->p, "SYNC", op_sync);
}

/* ---- stage-2 config and DRAM ---- */

static bool id_matches(const struct unifw_da_emi_entry *e, const uint8_t info[16])
{
	uint8_t reversed[16];
	if (e->id_len == 0 || e->id_len > 16)
		return false;
	for (size_t w = 0; w < 4; w++)
		for (size_t i = 0; i < 4; i++)
			reversed[4 * w + i] = info[4 * w + 3 - i];
	return memcmp(e->id, info, e->id_len) == 0 || memcmp(e->id, reversed, e->id_len) == 0;
}

int unifw_da_emi_match(const struct unifw_da_emi *emi, const uint8_t dram_info[16], size_t *index,
		       struct unifw_error *err)
{
	char hex[64];
	size_t found = SIZE_MAX;

	proto_hex(dram_info, 16, hex, sizeof hex);
	if (!emi || emi->count == 0 || !emi->entries)
		return unifw_error_set(err, UNIFW_E_UNSAFE, "EMI settings", UNIFW_NO_OFFSET,
				       "the phone needs DRAM settings for memory id %s and no EMI table was given: "
				       "use the phone's own preloader (from its backup)", hex);
	for (size_t i = 0; i < emi->count; i++) {
		const struct unifw_da_emi_entry *e = &emi->entries[i];
		if (!id_matches(e, dram_info))
			continue;
		if (found == SIZE_MAX) {
			found = i;
			continue;
		}
		const struct unifw_da_emi_entry *f = &emi->entries[found];
		if (f->len != e->len || memcmp(f->data, e->data, e->len) != 0)
			return unifw_error_set(err, UNIFW_E_UNSAFE, "EMI settings", UNIFW_NO_OFFSET,
					       "entries %zu and %zu both match memory id %s but differ: refusing to guess",
					       found, i, hex);
	}
	if (found == SIZE_MAX)
		return unifw_error_set(err, UNIFW_E_UNSAFE, "EMI settings", UNIFW_NO_OFFSET,
				       "none of the %zu EMI entries lists the phone's memory id %s: this preloader was "
				       "not built for this phone's RAM; use the phone's own preloader",
				       emi->count, hex);
	if (!emi->entries[found].data || emi->entries[found].len == 0)
		return unifw_error_set(err, UNIFW_E_INVALID, "EMI settings", UNIFW_NO_OFFSET,
				       "EMI entry %zu has no bytes", found);
	*index = found;
	return 0;
}

/* Decide what to send before the E8 step: every refusal happens here, while nothing about the
 * DRAM has been sent yet. */
static int stage2_choose_emi(struct unifw_da *da)
{
	struct unifw_proto *p = &da->p;
	struct unifw_da_dram *d = &da->info.dram;
	struct unifw_error e;
	unifw_error_clear(&e);

	if (unifw_da_emi_match(da->emi, d->dram_info, &d->emi_index, &e) < 0)
		return proto_fail(p, e.code, "%s (stopped before ENABLE_DRAM; power-cycle the phone)", e.msg);
	/* v10/v11 (MT6572) use the 16-byte info + u32 length exchange; other versions use other
	 * exchanges (docs/protocol.md "Legacy DA boot") that unifw does not implement. */
	if (da->emi->version != 10 && da->emi->version != 11)
		return proto_fail(p, UNIFW_E_UNSUPPORTED,
				  "EMI settings version %u: only MTK_BLOADER_INFO_v10/v11 (MT6572) are handled",
				  da->emi->version);
	d->emi_version = da->emi->version;
	uint8_t msg[5] = {UNIFW_DA_CMD_ENABLE_DRAM};
	put_be32(msg + 1, da->emi->version);
	return proto_send(p, 8, msg, sizeof msg, "ENABLE_DRAM and EMI version");
}

static int op_stage2(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	struct unifw_da_dram *d = &da->info.dram;
	switch (p->pc) {
	case 0: {
		const struct unifw_da_stage2_config *c = &da->cfg;
		uint8_t m[18];
		m[0] = c->brom_ver;
		m[1] = c->bl_ver;
		put_be16(m + 2, c->nor_cfg);
		m[4] = c->nor_chip_select;
		put_be32(m + 5, c->nand_acccon);
		m[9] = c->bmt_flag;
		put_be32(m + 10, c->bmt_partsize);
		m[14] = c->force_charge;
		m[15] = c->reset_key;
		m[16] = c->ext_clock;
		m[17] = c->msdc_boot_ch;
		memset(d, 0, sizeof *d);
		return proto_send(p, 1, m, sizeof m, "stage-2 config");
	}
	case 1:
		return proto_recv(p, 2, 4, DA_INIT_TIMEOUT_MS, "DRAM status");
	case 2:
		d->config_status = proto_rx_be32(p, 0);
		if (d->config_status == UNIFW_DA_STATUS_DRAM_READY) {
			d->valid = true;
			return proto_done(p);
		}
		if (d->config_status != UNIFW_DA_STATUS_DRAM_NEEDED)
			return proto_fail(p, UNIFW_E_DEVICE,
					  "expected 0x0 (DRAM ready) or 0xbc3 (DRAM settings needed), found 0x%x",
					  d->config_status);
		return proto_recv(p, 3, 4, DA_TIMEOUT_MS, "word before the DRAM info");
	case 3:
		d->pre_word = proto_rx_be32(p, 0);
		return proto_recv(p, 4, 16, DA_TIMEOUT_MS, "DRAM info");
	case 4:
		memcpy(d->dram_info, p->rx, 16);
		return proto_recv(p, 5, 4, DA_TIMEOUT_MS, "NAND status of the DRAM report");
	case 5:
		if (proto_rx_be32(p, 0) != UNIFW_DA_STATUS_NO_NAND)
			return proto_fail(p, UNIFW_E_DEVICE, "expected 0xbc4, found 0x%x", proto_rx_be32(p, 0));
		return proto_recv(p, 6, 2, DA_TIMEOUT_MS, "NAND id count of the DRAM report");
	case 6:
		if (proto_rx_be16(p, 0) > UNIFW_DA_MAX_NAND_IDS)
			return proto_fail(p, UNIFW_E_TOO_BIG, "expected at most %d NAND ids, found a count of %u",
					  UNIFW_DA_MAX_NAND_IDS, proto_rx_be16(p, 0));
		d->nand_id_count = proto_rx_be16(p, 0);
		if (d->nand_id_count == 0)
			return stage2_choose_emi(da);
		return proto_recv(p, 7, 2u * d->nand_id_count, DA_TIMEOUT_MS, "NAND ids of the DRAM report");
	case 7:
		for (size_t i = 0; i < d->nand_id_count; i++)
			d->nand_id[i] = proto_rx_be16(p, 2 * i);
		return stage2_choose_emi(da);
	case 8:
		return proto_recv(p, 9, 1, DA_TIMEOUT_MS, "answer to the EMI version");
	case 9:
		if (p->rx[0] == UNIFW_DA_NACK)
			return proto_fail(p, UNIFW_E_DEVICE, "the DA refused EMI settings version %u (NACK a5)",
					  d->emi_version);
		if (expect_byte(p, UNIFW_DA_ACK, "answer to the EMI version"))
			return p->err.code;
		return proto_recv(p, 10, 16, DA_TIMEOUT_MS, "EMI info");
	case 10:
		memcpy(d->emi_info, p->rx, 16);
		return proto_recv(p, 11, 4, DA_TIMEOUT_MS, "EMI length");
	case 11: {
		const struct unifw_da_emi_entry *e = &da->emi->entries[d->emi_index];
		uint32_t n = proto_rx_be32(p, 0);
		if (n == 0 || n > UNIFW_DA_MAX_EMI_LEN)
			return proto_fail(p, UNIFW_E_TOO_BIG, "expected an EMI length of 1..%u, found %u (0x%08x)",
					  UNIFW_DA_MAX_EMI_LEN, n, n);
		d->emi_len = n;
		/* Send exactly what the DA announced, and only the matching entry: sending the whole
		 * table desynchronises a DA that takes the announced length (docs/protocol.md "Legacy DA boot"). */
		if (d->emi_len != e->len)
			return proto_fail(p, UNIFW_E_UNSAFE,
					  "the DA asks for %u bytes of EMI settings but the matching entry %zu has %zu; "
					  "refusing to send a cut or padded entry",
					  d->emi_len, d->emi_index, e->len);
		return proto_send_u8(p, 12, UNIFW_DA_ACK, "ACK of the EMI length");
	}
	case 12: {
		const struct unifw_da_emi_entry *e = &da->emi->entries[d->emi_index];
		return proto_send_ext(p, 13, e->data, e->len, "EMI settings");
	}
	case 13:
		return proto_recv(p, 14, 2, DA_INIT_TIMEOUT_MS, "EMI checksum");
	case 14: {
		/* The algorithm of this checksum is not public (docs/protocol.md "Legacy DA boot"): we keep it
		 * and say whether it equals the byte sum, the DA's convention for data packets. */
		const struct unifw_da_emi_entry *e = &da->emi->entries[d->emi_index];
		uint8_t m[5] = {UNIFW_DA_ACK, 0x80, 0x00, 0x00, 0x01};
		d->emi_checksum_device = proto_rx_be16(p, 0);
		d->emi_checksum_bytesum = unifw_da_bytesum(e->data, e->len, 0);
		d->emi_checksum_matches = d->emi_checksum_device == d->emi_checksum_bytesum;
		return proto_send(p, 15, m, sizeof m, "ACK and DRAM config request 0x80000001");
	}
	case 15:
		return proto_recv(p, 16, 4, DA_INIT_TIMEOUT_MS, "DRAM init result");
	case 16:
		d->ext_ram_ret = proto_rx_be32(p, 0);
		if (d->ext_ram_ret != 0)
			return proto_fail(p, UNIFW_E_DEVICE,
					  "DRAM init failed: expected 0x0, found 0x%x (the EMI settings do not fit this "
					  "phone's RAM)",
					  d->ext_ram_ret);
		return proto_recv(p, 17, 10, DA_TIMEOUT_MS, "DRAM type, chip select and size");
	case 17:
		d->ext_ram_type = p->rx[0];
		d->ext_ram_chip_select = p->rx[1];
		d->ext_ram_size = proto_rx_be64(p, 2);
		d->valid = true;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_stage2(struct unifw_da *da, const struct unifw_da_stage2_config *cfg,
			  const struct unifw_da_emi *emi)
{
	int idle = proto_check_idle(&da->p, "STAGE2");
	if (idle)
		return idle;
	if (!cfg)
		return unifw_error_set(&da->p.err, UNIFW_E_INVALID, "da STAGE2", UNIFW_NO_OFFSET, "no stage-2 config");
	da->cfg = *cfg;
	da->emi = emi;
	return proto_begin(&da->p, "STAGE2", op_stage2);
}

/* ---- DA stage 2 upload ---- */

static int da2_next_packet(struct unifw_da *da)
{
	struct unifw_proto *p = &da->p;
	proto_progress(p, da->off, da->len);
	if (da->off < da->len) {
		da->chunk = da->len - da->off < da->packet ? da->len - da->off : da->packet;
		return proto_send_ext(p, 3, da->data + da->off, da->chunk, "DA stage 2 data");
	}
	/* Our 5A first, then the DA's: a DA that sent its 5A unprompted has it waiting in the
	 * stream, a DA that waits for ours answers it; both give exactly one 5A to read. */
	return proto_send_u8(p, 5, UNIFW_DA_ACK, "ACK after the upload");
}

static int op_upload_da2(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0: {
		if (!da->data || da->len == 0 || da->len > UNIFW_DA_MAX_DA2_SIZE)
			return proto_fail(p, UNIFW_E_INVALID, "DA stage 2 of %zu bytes (1..%u allowed)", da->len,
					  UNIFW_DA_MAX_DA2_SIZE);
		if (da->packet == 0 || da->packet > UNIFW_DA_MAX_PACKET)
			return proto_fail(p, UNIFW_E_INVALID, "packet size %u", da->packet);
		uint8_t m[12];
		put_be32(m, da->addr32);
		put_be32(m + 4, (uint32_t)da->len);
		put_be32(m + 8, da->packet);
		da->off = 0;
		proto_progress(p, 0, da->len);
		return proto_send(p, 1, m, sizeof m, "address, length and packet size");
	}
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK of the upload header");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK of the upload header"))
			return p->err.code;
		return da2_next_packet(da);
	case 3:
		return proto_recv(p, 4, 1, DA_TIMEOUT_MS, "ACK of a packet");
	case 4:
		if (p->rx[0] != UNIFW_DA_ACK)
			return proto_fail(p, UNIFW_E_DEVICE, "packet at offset 0x%llx: expected 5a (ACK), found %02x",
					  (unsigned long long)da->off, p->rx[0]);
		da->off += da->chunk;
		return da2_next_packet(da);
	case 5:
		return proto_recv(p, 6, 1, DA_INIT_TIMEOUT_MS, "the DA's ACK after the upload");
	case 6:
		if (expect_byte(p, UNIFW_DA_ACK, "the DA's ACK after the upload"))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_upload_da2(struct unifw_da *da, uint32_t addr, const uint8_t *data, size_t len, uint32_t packet)
{
	int idle = proto_check_idle(&da->p, "UPLOAD_DA2");
	if (idle)
		return idle;
	da->addr32 = addr;
	da->data = data;
	da->len = len;
	da->packet = packet;
	return proto_begin(&da->p, "UPLOAD_DA2", op_upload_da2);
}

/* ---- report 2 ---- */

static void parse_nor(struct unifw_da_report2 *r, const struct unifw_proto *p)
{
	r->nor_ret = proto_rx_be32(p, 0);
	r->nor_chip_select[0] = p->rx[4];
	r->nor_chip_select[1] = p->rx[5];
	r->nor_flash_id = proto_rx_be16(p, 6);
	r->nor_flash_size = proto_rx_be32(p, 8);
	for (size_t i = 0; i < 4; i++)
		r->nor_dev_code[i] = proto_rx_be16(p, 12 + 2 * i);
	r->nor_otp_status = proto_rx_be32(p, 20);
	r->nor_otp_size = proto_rx_be32(p, 24);
}

/* The NAND block: ret u32, chip select u8, flash id u16, size u64, id count u16. An older layout
 * has a u32 size, so its count sits at 11 and the first two ids are already in the block; a
 * count of 0 in the u64 layout means the u32 one (docs/transport.md "Host choices"). */
static int parse_nand(struct unifw_da *da)
{
	struct unifw_proto *p = &da->p;
	struct unifw_da_report2 *r = &da->info.report2;
	r->nand_ret = proto_rx_be32(p, 0);
	r->nand_chip_select = p->rx[4];
	r->nand_flash_id = proto_rx_be16(p, 5);
	uint16_t count = proto_rx_be16(p, 15);
	da->ids_have = 0;
	r->nand_id_count = 0; /* set only once checked: callers index nand_id[] with it */
	if (count == 0) {
		r->nand_size_32bit = true;
		r->nand_flash_size = proto_rx_be32(p, 7);
		count = proto_rx_be16(p, 11);
		if (count < 2)
			return proto_fail(p, UNIFW_E_DEVICE,
					  "NAND id count is 0 in the u64 layout and %u in the u32 layout (at least 2 "
					  "needed)", count);
		if (count > UNIFW_DA_MAX_NAND_IDS)
			return proto_fail(p, UNIFW_E_TOO_BIG, "expected at most %d NAND ids, found a count of %u",
					  UNIFW_DA_MAX_NAND_IDS, count);
		r->nand_id[0] = proto_rx_be16(p, 13);
		r->nand_id[1] = proto_rx_be16(p, 15);
		da->ids_have = 2;
	} else {
		r->nand_size_32bit = false;
		r->nand_flash_size = proto_rx_be64(p, 7);
		if (count > UNIFW_DA_MAX_NAND_IDS)
			return proto_fail(p, UNIFW_E_TOO_BIG, "expected at most %d NAND ids, found a count of %u",
					  UNIFW_DA_MAX_NAND_IDS, count);
	}
	r->nand_id_count = count;
	if (da->ids_have == r->nand_id_count)
		return proto_recv(p, 4, R2_NAND2, DA_TIMEOUT_MS, "report 2 NAND2 block");
	return proto_recv(p, 3, 2 * (r->nand_id_count - da->ids_have), DA_TIMEOUT_MS, "report 2 NAND ids");
}

static void parse_emmc(struct unifw_da_report2 *r, const struct unifw_proto *p)
{
	r->emmc_ret = proto_rx_be32(p, 0);
	r->emmc_boot1_size = proto_rx_be64(p, 4);
	r->emmc_boot2_size = proto_rx_be64(p, 12);
	r->emmc_rpmb_size = proto_rx_be64(p, 20);
	for (size_t i = 0; i < 4; i++)
		r->emmc_gp_size[i] = proto_rx_be64(p, 28 + 8 * i);
	r->emmc_ua_size = proto_rx_be64(p, 60);
	memcpy(r->emmc_cid, p->rx + 68, 16);
	memcpy(r->emmc_fwver, p->rx + 84, 8);
}

static void parse_config(struct unifw_da_report2 *r, const struct unifw_proto *p)
{
	r->int_sram_ret = proto_rx_be32(p, 0);
	r->int_sram_size = proto_rx_be32(p, 4);
	r->ext_ram_ret = proto_rx_be32(p, 8);
	r->ext_ram_type = p->rx[12];
	r->ext_ram_chip_select = p->rx[13];
	r->ext_ram_size = proto_rx_be64(p, 14);
	memcpy(r->random_id, p->rx + 22, 16);
}

static int op_report2(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	struct unifw_da_report2 *r = &da->info.report2;
	switch (p->pc) {
	case 0:
		memset(r, 0, sizeof *r);
		return proto_recv(p, 1, R2_NOR, DA_INIT_TIMEOUT_MS, "report 2 NOR block");
	case 1:
		parse_nor(r, p);
		return proto_recv(p, 2, R2_NAND, DA_TIMEOUT_MS, "report 2 NAND block");
	case 2:
		return parse_nand(da);
	case 3:
		for (size_t i = da->ids_have; i < r->nand_id_count; i++)
			r->nand_id[i] = proto_rx_be16(p, 2 * (i - da->ids_have));
		return proto_recv(p, 4, R2_NAND2, DA_TIMEOUT_MS, "report 2 NAND2 block");
	case 4:
		r->nand_page_size = proto_rx_be16(p, 0);
		r->nand_spare_size = proto_rx_be16(p, 2);
		r->nand_pages_per_block = proto_rx_be16(p, 4);
		r->nand_io_interface = p->rx[6];
		r->nand_addr_cycle = p->rx[7];
		r->nand_bmt_exist = p->rx[8];
		return proto_recv(p, 5, R2_EMMC, DA_TIMEOUT_MS, "report 2 eMMC block");
	case 5:
		parse_emmc(r, p);
		return proto_recv(p, 6, R2_SDC, DA_TIMEOUT_MS, "report 2 SDC block");
	case 6:
		r->sdc_ret = proto_rx_be32(p, 0);
		r->sdc_ua_size = proto_rx_be64(p, 4);
		memcpy(r->sdc_cid, p->rx + 12, 16);
		return proto_recv(p, 7, R2_CONFIG, DA_TIMEOUT_MS, "report 2 CONFIG block");
	case 7:
		parse_config(r, p);
		return proto_recv(p, 8, R2_TAIL, DA_TIMEOUT_MS, "report 2 tail");
	case 8:
		if (expect_byte(p, UNIFW_DA_ACK, "report 2 tail ACK"))
			return p->err.code;
		r->download_status = proto_rx_be32(p, 1);
		r->boot_style = proto_rx_be32(p, 5);
		if (p->rx[9] != UNIFW_DA_SOC_OK)
			return proto_fail_byte(p, "report 2 SOC_OK", UNIFW_DA_SOC_OK, p->rx[9]);
		r->valid = true;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_report2(struct unifw_da *da)
{
	return proto_begin(&da->p, "REPORT2", op_report2);
}
