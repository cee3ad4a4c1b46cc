/* Host side of the legacy DA protocol as sans-io operations (see unifw/da_legacy.h).
 * Byte order of every exchange: docs/protocol.md "Legacy DA boot" and "Legacy DA commands", which
 * name the public implementations each exchange was checked against (upload_da1, set_stage2_config,
 * brom_send, read_flash_info, readflash, sdmmc_write_data, formatflash, read_pmt, finish; the
 * report 2 block layouts; sync, read, write, watchdog). */
#include "unifw/da_legacy.h"

#include <stdlib.h>
#include <string.h>

#include "proto/engine.h"
#include "util/bytes.h"
#include "util/bytesum.h"

#define DA_TIMEOUT_MS 5000         /* an answer to a command */
#define DA_INIT_TIMEOUT_MS 15000   /* DA start, DRAM init, stage 2 start */
#define DA_DATA_TIMEOUT_MS 30000   /* one READ/WRITE packet (1 MiB at full speed takes ~1 s) */
#define DA_FORMAT_TIMEOUT_MS 120000 /* between two FORMAT progress reports */

/* Report 2 block sizes (dalegacy_flash_param.py). */
#define R2_NOR 0x1C
#define R2_NAND 0x11
#define R2_NAND2 9
#define R2_EMMC 0x5C
#define R2_SDC 0x1C
#define R2_CONFIG 0x26
#define R2_TAIL 0x0A

struct unifw_da {
	struct unifw_proto p;
	struct unifw_da_info info;

	/* arguments of the running operation */
	struct unifw_da_stage2_config cfg;
	const struct unifw_da_emi *emi;
	const uint8_t *data;
	size_t len;
	uint32_t packet;
	uint32_t addr32, value, mode;
	uint8_t storage, part, speed;
	uint64_t addr, total, off, wire_len;
	size_t chunk, packets, ids_have;
	size_t stride, next_chunk;  /* WRITE: packet buffer size, size of the prepared packet */
	uint64_t next_off;          /* WRITE: offset of the prepared packet */
	unsigned cur_slot, next_slot; /* WRITE: buffer halves of the packet sent and the one prepared */
	uint8_t last_progress;
	unsigned reports;

	uint8_t req[16]; /* request of a one-ACK command */
	size_t req_len;
	uint8_t *buf; /* packet buffer (READ/WRITE), owned */
	size_t buf_cap;
	uint8_t *pmt; /* partition table from READ_PMT, owned */
	size_t pmt_len;
};

static struct unifw_da *da_of(struct unifw_proto *p)
{
	return p->owner;
}

struct unifw_da *unifw_da_new(void)
{
	struct unifw_da *da = calloc(1, sizeof *da);
	if (da)
		proto_init(&da->p, "da", da);
	return da;
}

void unifw_da_free(struct unifw_da *da)
{
	if (!da)
		return;
	free(da->buf);
	free(da->pmt);
	free(da);
}

struct unifw_proto *unifw_da_proto(struct unifw_da *da)
{
	return &da->p;
}

const struct unifw_da_info *unifw_da_info(const struct unifw_da *da)
{
	return &da->info;
}

const uint8_t *unifw_da_pmt(const struct unifw_da *da, size_t *len)
{
	*len = da->pmt_len;
	return da->pmt;
}

const char *unifw_da_storage_name(enum unifw_da_storage s)
{
	switch (s) {
	case UNIFW_DA_STORAGE_NAND: return "nand";
	case UNIFW_DA_STORAGE_EMMC: return "emmc";
	case UNIFW_DA_STORAGE_NOR: break;
	}
	return "nor";
}

uint16_t unifw_da_bytesum(const uint8_t *data, size_t len, uint16_t start)
{
	return unifw_bytesum16(data, len, start);
}

void unifw_da_stage2_defaults(struct unifw_da_stage2_config *cfg, uint8_t brom_ver, uint8_t bl_ver,
			      uint8_t bmt_flag, uint32_t bmt_partsize)
{
	*cfg = (struct unifw_da_stage2_config){
		.brom_ver = brom_ver,
		.bl_ver = bl_ver,
		.nor_cfg = 0x0008,
		.nor_chip_select = 0,
		.nand_acccon = 0x7007FFFF,
		.bmt_flag = bmt_flag,
		.bmt_partsize = bmt_partsize,
		.force_charge = 1,
		.reset_key = 1,
		.ext_clock = 2,
		.msdc_boot_ch = 0,
	};
}

static int expect_byte(struct unifw_proto *p, uint8_t want, const char *what)
{
	if (p->rx[0] != want)
		return proto_fail_byte(p, what, want, p->rx[0]);
	return 0;
}

static int ensure_buf(struct unifw_da *da, size_t size)
{
	if (da->buf_cap >= size) /* callers checked that no operation runs: it may point into buf */
		return 0;
	uint8_t *nb = realloc(da->buf, size);
	if (!nb)
		return unifw_error_set(&da->p.err, UNIFW_E_NOMEM, "da", UNIFW_NO_OFFSET,
				       "cannot allocate a %zu-byte packet buffer", size);
	da->buf = nb;
	da->buf_cap = size;
	return 0;
}

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
		/* mtkclient upload_da1: NAND if the first NAND id is set, eMMC if the first eMMC word is. */
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
	 * exchanges (mtkclient set_stage2_config) that unifw does not implement. */
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
		 * table (mtkclient) desynchronises a DA that takes the announced length (its #318). */
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
		/* The algorithm of this checksum is not public (mtkclient only prints it): we keep it
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
 * count of 0 in the u64 layout means the u32 one (mtkclient read_flash_info). */
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

/* ---- USB speed ---- */

static int op_usb_check_status(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0:
		da->info.have_usb_speed = false;
		return proto_send_u8(p, 1, UNIFW_DA_CMD_USB_CHECK_STATUS, "command");
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK"))
			return p->err.code;
		return proto_recv(p, 3, 1, DA_TIMEOUT_MS, "USB speed");
	case 3:
		da->info.usb_speed = p->rx[0];
		da->info.have_usb_speed = true;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_usb_check_status(struct unifw_da *da)
{
	return proto_begin(&da->p, "USB_CHECK_STATUS", op_usb_check_status);
}

static int op_usb_setup_port(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0: {
		uint8_t m[2] = {UNIFW_DA_CMD_USB_SETUP_PORT, da->speed};
		return proto_send(p, 1, m, sizeof m, "command and speed");
	}
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK"))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_usb_setup_port(struct unifw_da *da, uint8_t speed)
{
	int idle = proto_check_idle(&da->p, "USB_SETUP_PORT");
	if (idle)
		return idle;
	da->speed = speed;
	return proto_begin(&da->p, "USB_SETUP_PORT", op_usb_setup_port);
}

/* ---- partitions ---- */

static int op_switch_part(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0:
		if (da->part < UNIFW_DA_PART_BOOT1 || da->part > UNIFW_DA_PART_USER)
			return proto_fail(p, UNIFW_E_INVALID, "eMMC partition %u (1..8 allowed)", da->part);
		return proto_send_u8(p, 1, UNIFW_DA_CMD_SDMMC_SWITCH_PART, "command");
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK of the command");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK of the command"))
			return p->err.code;
		return proto_send_u8(p, 3, da->part, "partition");
	case 3:
		return proto_recv(p, 4, 1, DA_TIMEOUT_MS, "ACK of the partition");
	case 4:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK of the partition"))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_switch_part(struct unifw_da *da, uint8_t part)
{
	int idle = proto_check_idle(&da->p, "SDMMC_SWITCH_PART");
	if (idle)
		return idle;
	da->part = part;
	return proto_begin(&da->p, "SDMMC_SWITCH_PART", op_switch_part);
}

/* ---- READ ---- */

static int read_next_packet(struct unifw_da *da)
{
	struct unifw_proto *p = &da->p;
	proto_progress(p, da->off, da->total);
	if (da->off >= da->total)
		return proto_done(p);
	da->chunk = (size_t)(da->total - da->off < da->packet ? da->total - da->off : da->packet);
	return proto_recv_into(p, 5, da->buf, da->chunk, DA_DATA_TIMEOUT_MS, "data packet");
}

static int op_read(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0: {
		uint8_t m[23];
		m[0] = UNIFW_DA_CMD_READ;
		m[1] = UNIFW_DA_HOST_OS_LINUX;
		m[2] = da->storage;
		put_be64(m + 3, da->addr);
		put_be64(m + 11, da->total);
		put_be32(m + 19, da->packet);
		da->off = 0;
		da->packets = 0;
		proto_progress(p, 0, da->total);
		/* The whole header before the ACK, as mtkclient does: a DA that ACKs after the length
		 * (saleemrashid's tool sends the packet size after it) finds it waiting. */
		return proto_send(p, 1, m, sizeof m, "READ header");
	}
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK of the READ header");
	case 2:
		if (p->rx[0] == UNIFW_DA_ACK)
			return read_next_packet(da);
		/* mtkclient readflash: on a refusal the host answers NACK and reads a little-endian
		 * u32 status that says why. */
		da->value = p->rx[0];
		return proto_send_u8(p, 3, UNIFW_DA_NACK, "NACK to ask why");
	case 3:
		return proto_recv(p, 4, 4, DA_TIMEOUT_MS, "refusal status");
	case 4: {
		uint32_t st = 0;
		get_le32(p->rx, sizeof p->rx, 0, &st);
		da->info.read_error_status = st;
		return proto_fail(p, UNIFW_E_DEVICE,
				  "the DA refused READ of 0x%llx bytes at 0x%llx: answered %02x instead of 5a, status "
				  "0x%08x",
				  (unsigned long long)da->total, (unsigned long long)da->addr, da->value, st);
	}
	case 5:
		return proto_recv(p, 6, 2, DA_TIMEOUT_MS, "packet checksum");
	case 6: {
		uint16_t want = unifw_da_bytesum(da->buf, da->chunk, 0);
		uint16_t got = proto_rx_be16(p, 0);
		size_t count = (size_t)((da->total + da->packet - 1) / da->packet);
		if (want != got)
			return proto_fail(p, UNIFW_E_DEVICE,
					  "packet %zu of %zu (bytes 0x%llx..0x%llx of the read): expected checksum 0x%04x "
					  "(byte sum of the data received), found 0x%04x",
					  da->packets + 1, count, (unsigned long long)da->off,
					  (unsigned long long)(da->off + da->chunk), want, got);
		/* The ACK says "received intact"; it goes out before the caller takes the data so that
		 * the phone reads the next packet while the host stores this one (READ is stop-and-wait). */
		return proto_send_u8(p, 7, UNIFW_DA_ACK, "ACK of a packet");
	}
	case 7:
		return proto_data(p, 8, da->buf, da->chunk, da->off);
	case 8:
		da->off += da->chunk;
		da->packets++;
		return read_next_packet(da);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

static int check_range(struct unifw_da *da, const char *op, uint64_t addr, uint64_t len, uint32_t packet)
{
	uint64_t end;
	if (len == 0)
		return unifw_error_set(&da->p.err, UNIFW_E_INVALID, op, UNIFW_NO_OFFSET, "length 0");
	if (!add_u64(addr, len, &end))
		return unifw_error_set(&da->p.err, UNIFW_E_INVALID, op, UNIFW_NO_OFFSET,
				       "range 0x%llx + 0x%llx overflows", (unsigned long long)addr,
				       (unsigned long long)len);
	if (packet < 512 || packet > UNIFW_DA_MAX_PACKET || packet % 512 != 0)
		return unifw_error_set(&da->p.err, UNIFW_E_INVALID, op, UNIFW_NO_OFFSET,
				       "packet size 0x%x (a multiple of 512 up to 0x%x)", packet, UNIFW_DA_MAX_PACKET);
	return 0;
}

int unifw_da_begin_read(struct unifw_da *da, uint8_t storage, uint64_t addr, uint64_t len, uint32_t packet)
{
	int idle = proto_check_idle(&da->p, "READ");
	if (idle)
		return idle;
	int rc = check_range(da, "da READ", addr, len, packet);
	if (rc)
		return rc;
	if ((rc = ensure_buf(da, len < packet ? (size_t)len : packet)))
		return rc;
	da->storage = storage;
	da->addr = addr;
	da->total = len;
	da->packet = packet;
	return proto_begin(&da->p, "READ", op_read);
}

/* ---- SDMMC_WRITE_DATA ---- */

/* WRITE is stop-and-wait: the phone answers 69 when it has stored a packet, and only then does the
 * host send ACK and the next packet. The host therefore prepares packet k+1 (asks the caller for
 * its bytes, pads, sums) in a second buffer while the phone stores packet k; the bytes on the wire
 * and their order are the same as without. A buffer half holds [ACK][data padded to 512][checksum]:
 * the ACK that announces a packet leaves in the same write as the packet (one wake-up of the phone
 * instead of two). */
static uint8_t *write_slot(struct unifw_da *da, unsigned i)
{
	return da->buf + (size_t)i * da->stride;
}

static uint8_t *write_data(struct unifw_da *da, unsigned i)
{
	return write_slot(da, i) + 1;
}

/* Pad the prepared packet to its wire length, append its checksum, put the ACK in front. */
static void write_seal(struct unifw_da *da)
{
	uint8_t *b = write_data(da, da->next_slot);
	memset(b + da->value, 0, da->next_chunk - da->value);
	put_be16(b + da->next_chunk, unifw_da_bytesum(b, da->next_chunk, 0));
	write_slot(da, da->next_slot)[0] = UNIFW_DA_ACK;
}

/* Start preparing the packet at da->next_off; continue at fill_pc once the caller filled it, or
 * (nothing to fill: padding only) seal it and go on with after(). */
static int write_prepare(struct unifw_da *da, int fill_pc, int (*after)(struct unifw_da *))
{
	uint64_t left = da->wire_len - da->next_off;
	da->next_chunk = (size_t)(left < da->packet ? left : da->packet);
	size_t real = da->next_off < da->total ? (size_t)(da->total - da->next_off < da->next_chunk
								? da->total - da->next_off
								: da->next_chunk)
					       : 0;
	da->value = (uint32_t)real; /* the padding to 512 is ours: the caller is asked only for its bytes */
	if (real == 0) {
		write_seal(da);
		return after(da);
	}
	return proto_fill(&da->p, fill_pc, write_data(da, da->next_slot), real, da->next_off);
}

static int write_wait_cont(struct unifw_da *da)
{
	return proto_recv(&da->p, 7, 1, DA_DATA_TIMEOUT_MS, "CONT_CHAR after a packet");
}

/* Packet da->off was sent: prepare the next one (if any) while the phone stores it. */
static int write_after_send(struct unifw_da *da)
{
	if (da->off + da->chunk >= da->wire_len)
		return write_wait_cont(da);
	da->next_off = da->off + da->chunk;
	da->next_slot = da->cur_slot ^ 1u;
	return write_prepare(da, 6, write_wait_cont);
}

/* The prepared packet becomes the current one. */
static int write_next_packet(struct unifw_da *da)
{
	struct unifw_proto *p = &da->p;
	proto_progress(p, da->off < da->total ? da->off : da->total, da->total);
	if (da->off >= da->wire_len)
		return proto_done(p);
	da->cur_slot = da->next_slot;
	da->chunk = da->next_chunk;
	return proto_send_ext(p, 5, write_slot(da, da->cur_slot), da->chunk + 3, "ACK, data packet and checksum");
}

static int op_write(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0: {
		uint8_t m[23];
		m[0] = UNIFW_DA_CMD_SDMMC_WRITE_DATA;
		m[1] = da->storage;
		m[2] = da->part;
		put_be64(m + 3, da->addr);
		put_be64(m + 11, da->wire_len);
		put_be32(m + 19, da->packet);
		da->off = 0;
		da->packets = 0;
		proto_progress(p, 0, da->total);
		return proto_send(p, 1, m, sizeof m, "SDMMC_WRITE_DATA header");
	}
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK of the header");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK of the header"))
			return p->err.code;
		da->next_off = 0;
		da->next_slot = 0;
		return write_prepare(da, 3, write_next_packet);
	case 3: /* the first packet was filled */
		write_seal(da);
		return write_next_packet(da);
	case 5:
		return write_after_send(da);
	case 6: /* the next packet was filled while the phone stores this one */
		write_seal(da);
		return write_wait_cont(da);
	case 7:
		if (p->rx[0] != UNIFW_DA_CONT_CHAR)
			return proto_fail(p, UNIFW_E_DEVICE,
					  "packet %zu (bytes 0x%llx..0x%llx): expected 69 (CONT_CHAR), found %02x",
					  da->packets + 1, (unsigned long long)da->off,
					  (unsigned long long)(da->off + da->chunk), p->rx[0]);
		da->off += da->chunk;
		da->packets++;
		return write_next_packet(da);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_write(struct unifw_da *da, uint8_t storage, uint8_t part, uint64_t addr, uint64_t len,
			 uint32_t packet)
{
	int idle = proto_check_idle(&da->p, "SDMMC_WRITE_DATA");
	if (idle)
		return idle;
	int rc = check_range(da, "da SDMMC_WRITE_DATA", addr, len, packet);
	if (rc)
		return rc;
	uint64_t wire;
	if (!add_u64(len, 511, &wire))
		return unifw_error_set(&da->p.err, UNIFW_E_INVALID, "da SDMMC_WRITE_DATA", UNIFW_NO_OFFSET,
				       "length overflows");
	wire &= ~(uint64_t)511;
	size_t stride = 1 + (wire < packet ? (size_t)wire : packet) + 2;
	if ((rc = ensure_buf(da, 2 * stride))) /* two packets: one on the wire, one being prepared */
		return rc;
	da->stride = stride;
	da->storage = storage;
	da->part = part;
	da->addr = addr;
	da->total = len;
	da->wire_len = wire;
	da->packet = packet;
	return proto_begin(&da->p, "SDMMC_WRITE_DATA", op_write);
}

/* ---- FORMAT ---- */

static int op_format(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0: {
		/* storage, 00 = erase, 00 = no validation, 00 = logical addresses (mtkclient formatflash) */
		uint8_t m[21] = {UNIFW_DA_CMD_FORMAT, da->storage, 0, 0, 0};
		put_be64(m + 5, da->addr);
		put_be64(m + 13, da->total);
		da->reports = 0;
		da->last_progress = 0;
		proto_progress(p, 0, 100);
		return proto_send(p, 1, m, sizeof m, "FORMAT header");
	}
	case 1:
		return proto_recv(p, 2, 7, DA_FORMAT_TIMEOUT_MS, "progress report");
	case 2: {
		uint8_t progress = p->rx[6];
		if (p->rx[0] != UNIFW_DA_ACK || p->rx[1] != UNIFW_DA_ACK) {
			static const uint8_t acks[2] = {UNIFW_DA_ACK, UNIFW_DA_ACK};
			return proto_fail_bytes(p, "progress report ACKs", acks, 2, p->rx, 2);
		}
		if (progress > 100 || progress < da->last_progress)
			return proto_fail(p, UNIFW_E_DEVICE, "expected a progress of %u..100 %%, found %u",
					  da->last_progress, progress);
		if (++da->reports > UNIFW_DA_MAX_FORMAT_REPORTS)
			return proto_fail(p, UNIFW_E_DEVICE, "more than %u progress reports without reaching 100 %%",
					  UNIFW_DA_MAX_FORMAT_REPORTS);
		da->last_progress = progress;
		da->info.format_progress = progress;
		da->info.format_status = proto_rx_be32(p, 2);
		proto_progress(p, progress, 100);
		return proto_send_u8(p, 3, UNIFW_DA_ACK, "ACK of a progress report");
	}
	case 3:
		if (da->last_progress == 100)
			return proto_recv(p, 4, 2, DA_FORMAT_TIMEOUT_MS, "final ACKs");
		return proto_recv(p, 2, 7, DA_FORMAT_TIMEOUT_MS, "progress report");
	case 4:
		if (p->rx[0] != UNIFW_DA_ACK || p->rx[1] != UNIFW_DA_ACK) {
			static const uint8_t acks[2] = {UNIFW_DA_ACK, UNIFW_DA_ACK};
			return proto_fail_bytes(p, "final ACKs", acks, 2, p->rx, 2);
		}
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_format(struct unifw_da *da, uint8_t storage, uint64_t addr, uint64_t len)
{
	int idle = proto_check_idle(&da->p, "FORMAT");
	if (idle)
		return idle;
	uint64_t end;
	if (len == 0 || !add_u64(addr, len, &end))
		return unifw_error_set(&da->p.err, UNIFW_E_INVALID, "da FORMAT", UNIFW_NO_OFFSET,
				       "bad range 0x%llx + 0x%llx", (unsigned long long)addr, (unsigned long long)len);
	da->storage = storage;
	da->addr = addr;
	da->total = len;
	return proto_begin(&da->p, "FORMAT", op_format);
}

/* ---- READ_PMT ---- */

static int op_read_pmt(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0:
		free(da->pmt);
		da->pmt = NULL;
		da->pmt_len = 0;
		return proto_send_u8(p, 1, UNIFW_DA_CMD_SDMMC_READ_PMT, "command");
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK"))
			return p->err.code;
		return proto_recv(p, 3, 4, DA_TIMEOUT_MS, "partition table length");
	case 3: {
		uint32_t n = proto_rx_be32(p, 0);
		if (n > UNIFW_DA_MAX_PMT_LEN)
			return proto_fail(p, UNIFW_E_TOO_BIG, "expected a partition table of at most %u bytes, found %u "
					  "(0x%08x)", UNIFW_DA_MAX_PMT_LEN, n, n);
		da->pmt = malloc(n ? n : 1);
		if (!da->pmt)
			return proto_fail(p, UNIFW_E_NOMEM, "cannot allocate %u bytes", n);
		da->value = n;
		return proto_send_u8(p, 4, UNIFW_DA_ACK, "ACK of the length");
	}
	case 4:
		if (da->value == 0)
			return proto_send_u8(p, 6, UNIFW_DA_ACK, "ACK of the partition table");
		proto_progress(p, 0, da->value);
		return proto_recv_into(p, 5, da->pmt, da->value, DA_DATA_TIMEOUT_MS, "partition table");
	case 5:
		proto_progress(p, da->value, da->value);
		return proto_send_u8(p, 6, UNIFW_DA_ACK, "ACK of the partition table");
	case 6:
		da->pmt_len = da->value;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_read_pmt(struct unifw_da *da)
{
	return proto_begin(&da->p, "SDMMC_READ_PMT", op_read_pmt);
}

/* ---- registers, watchdog, finish ---- */

/* READ_REG32: 7A, addr; the DA answers the value and then ACK (mtkclient read_reg32). */
static int op_read_reg32(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0: {
		uint8_t m[5] = {UNIFW_DA_CMD_READ_REG32};
		put_be32(m + 1, da->addr32);
		return proto_send(p, 1, m, sizeof m, "command and address");
	}
	case 1:
		return proto_recv(p, 2, 4, DA_TIMEOUT_MS, "register value");
	case 2:
		da->value = proto_rx_be32(p, 0);
		return proto_recv(p, 3, 1, DA_TIMEOUT_MS, "ACK");
	case 3:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK"))
			return p->err.code;
		da->info.reg_value = da->value;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_read_reg32(struct unifw_da *da, uint32_t addr)
{
	int idle = proto_check_idle(&da->p, "READ_REG32");
	if (idle)
		return idle;
	da->addr32 = addr;
	return proto_begin(&da->p, "READ_REG32", op_read_reg32);
}

/* A command whose whole request is in m and whose answer is one ACK. */
static int op_simple_ack(struct unifw_proto *p)
{
	switch (p->pc) {
	case 0:
		return proto_send(p, 1, da_of(p)->req, da_of(p)->req_len, "command and arguments");
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK"))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

static int begin_simple_ack(struct unifw_da *da, const char *op, const uint8_t *m, size_t len)
{
	int idle = proto_check_idle(&da->p, op);
	if (idle)
		return idle;
	memcpy(da->req, m, len);
	da->req_len = len;
	return proto_begin(&da->p, op, op_simple_ack);
}

int unifw_da_begin_write_reg32(struct unifw_da *da, uint32_t addr, uint32_t value)
{
	uint8_t m[9] = {UNIFW_DA_CMD_WRITE_REG32};
	put_be32(m + 1, addr);
	put_be32(m + 5, value);
	return begin_simple_ack(da, "WRITE_REG32", m, sizeof m);
}

int unifw_da_begin_enable_watchdog(struct unifw_da *da, uint32_t timeout_ms, bool async, bool bootup, bool dlbit,
				   bool no_rtc_reset)
{
	uint8_t m[9] = {UNIFW_DA_CMD_ENABLE_WATCHDOG};
	put_be32(m + 1, timeout_ms);
	m[5] = async;
	m[6] = bootup;
	m[7] = dlbit;
	m[8] = no_rtc_reset;
	return begin_simple_ack(da, "ENABLE_WATCHDOG", m, sizeof m);
}

/* FINISH: D9, ACK, mode u32, ACK (mtkclient finish). */
static int op_finish(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	switch (p->pc) {
	case 0:
		return proto_send_u8(p, 1, UNIFW_DA_CMD_FINISH, "command");
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK of the command");
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK of the command"))
			return p->err.code;
		return proto_send_be32(p, 3, da->mode, "mode");
	case 3:
		return proto_recv(p, 4, 1, DA_TIMEOUT_MS, "ACK of the mode");
	case 4:
		if (expect_byte(p, UNIFW_DA_ACK, "ACK of the mode"))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_da_begin_finish(struct unifw_da *da, uint32_t mode)
{
	int idle = proto_check_idle(&da->p, "FINISH");
	if (idle)
		return idle;
	da->mode = mode;
	return proto_begin(&da->p, "FINISH", op_finish);
}
