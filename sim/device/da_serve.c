/* The legacy DA command loop (docs/protocol.md, "Legacy DA commands" and the byte-exact notes).
 *
 * Errors: a command whose header the DA refuses (range, storage, alignment) is answered with NACK
 * (0xA5) instead of ACK. A host that then sends 0xA5 reads the reason as a u32 LITTLE-endian status
 * (docs/protocol.md, "Legacy DA commands"); any other byte is taken as the host's next command. */
#include "dev_internal.h"

#include <stdlib.h>
#include <string.h>
#include "util/bytes.h"
#include "util/bytesum.h"

static void step_da_cmd(struct sim_dev *d, const uint8_t *b, size_t n);

void da_cmd_wait(struct sim_dev *d)
{
	d->state = ST_DA;
	dev_sub_end(d);
	dev_expect(d, 1, step_da_cmd);
}

void da_reenumerated(struct sim_dev *d)
{
	dev_phase(d, SIM_OP_DA, 0);
	da_cmd_wait(d);
}

static const struct sim_emmc_geometry *geom(const struct sim_dev *d) { return d->cfg.storage.geom; }

/* ---------- NACK with a status on request ---------- */

static void step_nack_query(struct sim_dev *d, const uint8_t *b, size_t n)
{
	if (b[0] == SIM_DA_NACK) {
		dev_emit_le32(d, d->nack_status);
		dev_trace(d, "DA", '<', "status 0x%X (u32 LE) on the host's NACK", d->nack_status);
		da_cmd_wait(d);
		return;
	}
	da_cmd_wait(d);
	step_da_cmd(d, b, n);
}

static void da_nack(struct sim_dev *d, uint32_t status, const char *why)
{
	dev_trace(d, "DA", '<', "NACK: %s (status 0x%X)", why, status);
	d->nack_status = status;
	dev_emit_u8(d, SIM_DA_NACK);
	dev_sub_end(d);
	dev_expect(d, 1, step_nack_query);
}

static bool get_storage_header(const uint8_t *b, size_t n, size_t at, uint64_t *addr, uint64_t *len)
{
	return get_be64(b, n, at, addr) && get_be64(b, n, at + 8, len);
}

static bool ensure_pkt(struct sim_dev *d)
{
	if (!d->pkt)
		d->pkt = malloc(SIM_DA_MAX_PACKET);
	if (!d->pkt)
		dev_close(d, "out of memory");
	return d->pkt != NULL;
}

/* ---------- READ (D6) ---------- */

static void step_read_ack(struct sim_dev *d, const uint8_t *b, size_t n);

static void read_send_packet(struct sim_dev *d)
{
	struct sim_xfer *x = &d->x;
	uint64_t left = x->len - x->done;
	x->chunk = left < x->packet ? (uint32_t)left : x->packet;
	/* read straight into the output queue: no copy of the packet on its way to the host */
	uint8_t *pkt = dev_emit_begin(d, x->chunk);
	if (pkt && d->cfg.storage.read(d->cfg.storage.ctx, x->part, x->addr + x->done, pkt, x->chunk) != 0) {
		dev_hang(d, "storage read failed");
		return;
	}
	if (pkt) {
		/* of the stored bytes: a flip fault happens on the wire */
		uint16_t sum = unifw_bytesum16(pkt, x->chunk, 0);
		dev_fault_twin(d, pkt, x->chunk, x->addr + x->done);
		dev_emit_end(d, x->chunk);
		dev_emit_be16(d, sum);
	}
	dev_expect(d, 1, step_read_ack);
}

static void step_read_ack(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	struct sim_xfer *x = &d->x;
	if (b[0] != SIM_DA_ACK) {
		dev_trace(d, "DA", '>', "READ: 0x%02X instead of ACK after 0x%llX bytes: transfer aborted", b[0],
			  (unsigned long long)x->done);
		da_cmd_wait(d);
		return;
	}
	x->done += x->chunk;
	if (x->done < x->len) {
		read_send_packet(d);
		return;
	}
	dev_trace(d, "DA", '<', "READ done: 0x%llX bytes", (unsigned long long)x->len);
	da_cmd_wait(d);
}

static void step_read_header(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint8_t host_os = b[0], storage = b[1];
	uint64_t addr = 0, len = 0;
	uint32_t packet = 0;
	get_storage_header(b, n, 2, &addr, &len);
	get_be32(b, n, 18, &packet);
	dev_trace(d, "DA", '>', "READ host_os=0x%02X storage=%u part=%u addr=0x%llX len=0x%llX packet=0x%X", host_os,
		  storage, d->part, (unsigned long long)addr, (unsigned long long)len, packet);
	if (storage != SIM_HW_STORAGE_EMMC) {
		da_nack(d, SIM_DA_INVALID_STORAGE_TYPE, "storage is not eMMC (2)");
		return;
	}
	if (packet == 0 || packet > SIM_DA_MAX_PACKET) {
		da_nack(d, SIM_DA_INVALID_RANGE, "packet size outside 1..0x100000");
		return;
	}
	if (len == 0 || !sim_range_ok(geom(d), d->part, addr, len)) {
		da_nack(d, SIM_DA_INVALID_RANGE, "range outside the selected partition");
		return;
	}
	d->x = (struct sim_xfer){ .part = d->part, .addr = addr, .len = len, .packet = packet };
	dev_sub_begin(d, SIM_OP_READ, len);
	dev_emit_u8(d, SIM_DA_ACK);
	read_send_packet(d);
}

/* ---------- SDMMC_WRITE_DATA (62) ---------- */

static void step_write_ack(struct sim_dev *d, const uint8_t *b, size_t n);

static void step_write_packet(struct sim_dev *d, const uint8_t *b, size_t n)
{
	struct sim_xfer *x = &d->x;
	uint16_t want = d->in_sum, got = 0; /* summed as the bytes arrived (dev_expect_summed) */
	get_be16(b, n, x->padded, &got);
	if (want != got) {
		dev_trace(d, "DA", '>', "WRITE packet at 0x%llX: checksum 0x%04X, data sums to 0x%04X",
			  (unsigned long long)(x->addr + x->done), got, want);
		da_nack(d, SIM_DA_UART_DATA_CKSUM_ERROR, "write packet checksum mismatch, packet not written");
		return;
	}
	if (!dev_fault_lie(d) &&
	    d->cfg.storage.write(d->cfg.storage.ctx, x->part, x->addr + x->done, b, x->chunk) != 0) {
		da_nack(d, SIM_DA_SDMMC_WRITE_FAILED, "storage write failed");
		return;
	}
	x->done += x->chunk;
	dev_emit_u8(d, SIM_DA_CONT);
	if (x->done < x->len) {
		dev_expect(d, 1, step_write_ack);
		return;
	}
	dev_trace(d, "DA", '<', "WRITE done: 0x%llX bytes to part %u at 0x%llX", (unsigned long long)x->len, x->part,
		  (unsigned long long)x->addr);
	da_cmd_wait(d);
}

static void step_write_ack(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	struct sim_xfer *x = &d->x;
	if (b[0] != SIM_DA_ACK) {
		dev_trace(d, "DA", '>', "WRITE: 0x%02X instead of the packet's ACK: transfer aborted", b[0]);
		da_cmd_wait(d);
		return;
	}
	uint64_t left = x->len - x->done;
	x->chunk = left < x->packet ? (uint32_t)left : x->packet;
	/* the host pads every packet to whole 512-byte sectors */
	x->padded = (x->chunk + SIM_DA_SECTOR - 1) / SIM_DA_SECTOR * SIM_DA_SECTOR;
	dev_expect_summed(d, (size_t)x->padded + 2, x->padded, step_write_packet);
}

static uint32_t refuse(const char **why, const char *reason, uint32_t status)
{
	*why = reason;
	return status;
}

static uint32_t write_header_error(const struct sim_dev *d, uint8_t storage, uint8_t part, uint64_t addr,
				   uint64_t len, uint32_t packet, const char **why)
{
	if (storage != SIM_DA_STORAGE_EMMC)
		return refuse(why, "storage is not eMMC (1)", SIM_DA_INVALID_STORAGE_TYPE);
	if (part == 0 || part >= SIM_PART_COUNT || geom(d)->size[part] == 0)
		return refuse(why, "no such partition", SIM_DA_INVALID_RANGE);
	if (part == SIM_PART_RPMB)
		return refuse(why, "RPMB takes authenticated frames only", SIM_DA_SDMMC_WRITE_FAILED);
	if (addr % SIM_DA_SECTOR)
		return refuse(why, "address not on a 512-byte sector", SIM_DA_INVALID_BEGIN_ADDR);
	if (packet == 0 || packet > SIM_DA_MAX_PACKET)
		return refuse(why, "packet size outside 1..0x100000", SIM_DA_INVALID_RANGE);
	if (len == 0 || !sim_range_ok(geom(d), part, addr, len))
		return refuse(why, "range outside the partition", SIM_DA_INVALID_RANGE);
	return 0;
}

static void step_write_header(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint8_t storage = b[0], part = b[1];
	uint64_t addr = 0, len = 0;
	uint32_t packet = 0;
	get_storage_header(b, n, 2, &addr, &len);
	get_be32(b, n, 18, &packet);
	dev_trace(d, "DA", '>', "SDMMC_WRITE_DATA storage=%u part=%u addr=0x%llX len=0x%llX packet=0x%X", storage, part,
		  (unsigned long long)addr, (unsigned long long)len, packet);
	const char *why = NULL;
	uint32_t st = write_header_error(d, storage, part, addr, len, packet, &why);
	if (st) {
		da_nack(d, st, why);
		return;
	}
	d->x = (struct sim_xfer){ .part = part, .addr = addr, .len = len, .packet = packet };
	dev_sub_begin(d, SIM_OP_WRITE, len);
	dev_emit_u8(d, SIM_DA_ACK);
	dev_expect(d, 1, step_write_ack);
}

/* ---------- FORMAT (D4) ---------- */

static void step_format_ack(struct sim_dev *d, const uint8_t *b, size_t n);

/* Erase the next tenth and report progress: ACK ACK, u32 0, progress u8; the host ACKs each. */
static void format_step(struct sim_dev *d)
{
	struct sim_xfer *x = &d->x;
	uint64_t step = x->len / 10 ? x->len / 10 : x->len, left = x->len - x->done;
	uint64_t chunk = left < step || left - step < step / 2 ? left : step;
	if (!x->chunk && d->cfg.storage.erase(d->cfg.storage.ctx, x->part, x->addr + x->done, chunk) != 0) {
		dev_hang(d, "storage erase failed");
		return;
	}
	x->done += chunk;
	dev_progress(d, chunk);
	uint8_t pct = (uint8_t)(x->done == x->len ? 100 : x->done * 100 / x->len);
	dev_emit_u8(d, SIM_DA_ACK);
	dev_emit_u8(d, SIM_DA_ACK);
	dev_emit_be32(d, SIM_DA_S_DONE);
	dev_emit_u8(d, pct);
	dev_expect(d, 1, step_format_ack);
}

static void step_format_ack(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	if (b[0] != SIM_DA_ACK)
		dev_trace(d, "DA", '>', "FORMAT: 0x%02X instead of ACK (taken as ACK)", b[0]);
	if (d->x.done < d->x.len) {
		format_step(d);
		return;
	}
	dev_emit_u8(d, SIM_DA_ACK);
	dev_emit_u8(d, SIM_DA_ACK);
	dev_trace(d, "DA", '<', "FORMAT done: part %u [0x%llX, +0x%llX) erased%s", d->x.part,
		  (unsigned long long)d->x.addr, (unsigned long long)d->x.len, d->x.chunk ? " (NOT: lie)" : "");
	da_cmd_wait(d);
}

static void step_format_header(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint64_t addr = 0, len = 0;
	get_storage_header(b, n, 4, &addr, &len);
	dev_trace(d, "DA", '>', "FORMAT storage=%u type=%u validation=%u addr_type=%u part=%u addr=0x%llX len=0x%llX",
		  b[0], b[1], b[2], b[3], d->part, (unsigned long long)addr, (unsigned long long)len);
	if (b[0] != SIM_HW_STORAGE_EMMC) {
		da_nack(d, SIM_DA_INVALID_STORAGE_TYPE, "storage is not eMMC (2)");
		return;
	}
	if (addr % SIM_DA_SECTOR) {
		da_nack(d, SIM_DA_INVALID_BEGIN_ADDR, "address not on a 512-byte sector");
		return;
	}
	if (len == 0 || !sim_range_ok(geom(d), d->part, addr, len)) {
		da_nack(d, SIM_DA_INVALID_RANGE, "range outside the selected partition");
		return;
	}
	d->x = (struct sim_xfer){ .part = d->part, .addr = addr, .len = len };
	dev_sub_begin(d, SIM_OP_FORMAT, len);
	d->x.chunk = dev_fault_lie(d) ? 1 : 0; /* chunk != 0 marks a lying format */
	format_step(d);
}

/* ---------- READ_PMT (A5) ---------- */

static bool pmt_magic(const uint8_t *p, const char *s)
{
	/* docs/format-partition-tables.md writes the magic as a u32: accept it in either byte order. */
	return memcmp(p, s, 4) == 0 || (p[0] == s[3] && p[1] == s[2] && p[2] == s[1] && p[3] == s[0]);
}

static void step_pmt_done(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	dev_trace(d, "DA", '>', "READ_PMT final 0x%02X", b[0]);
	da_cmd_wait(d);
}

static void step_pmt_ack(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	if (b[0] != SIM_DA_ACK) {
		dev_trace(d, "DA", '>', "READ_PMT: 0x%02X instead of ACK: aborted", b[0]);
		da_cmd_wait(d);
		return;
	}
	dev_emit(d, d->pkt + SIM_PMT_HEADER_LEN, SIM_PMT_ENTRIES * SIM_PMT_ENTRY_LEN);
	dev_expect(d, 1, step_pmt_done);
}

static void read_pmt(struct sim_dev *d)
{
	uint64_t user = geom(d)->size[SIM_PART_USER];
	if (!ensure_pkt(d))
		return;
	bool found = false;
	for (unsigned copy = 0; copy < 2 && !found && user >= SIM_PMT_FROM_END; copy++) {
		uint64_t off = user - SIM_PMT_FROM_END + copy * 0x1000u;
		if (d->cfg.storage.read(d->cfg.storage.ctx, SIM_PART_USER, off, d->pkt, 0x1000) == 0)
			found = pmt_magic(d->pkt, copy ? "MPT1" : "PTv1");
	}
	if (!found) {
		da_nack(d, SIM_DA_PART_NO_VALID_TABLE, "no PMT at user size - 0x100000");
		return;
	}
	uint32_t len = SIM_PMT_ENTRIES * SIM_PMT_ENTRY_LEN;
	dev_sub_begin(d, SIM_OP_PMT, len);
	dev_emit_u8(d, SIM_DA_ACK);
	dev_emit_be32(d, dev_fault_length(d, SIM_OP_PMT, len));
	dev_trace(d, "DA", '<', "READ_PMT: ACK, length 0x%X", len);
	dev_expect(d, 1, step_pmt_ack);
}

/* ---------- small commands ---------- */

static void step_switch_part(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	uint8_t part = b[0];
	if (part == 0 || part >= SIM_PART_COUNT || geom(d)->size[part] == 0) {
		da_nack(d, SIM_DA_INVALID_RANGE, "SWITCH_PART to a partition this eMMC lacks");
		return;
	}
	d->part = part;
	dev_emit_u8(d, SIM_DA_ACK);
	dev_trace(d, "DA", '<', "SWITCH_PART %u: ACK", part);
	da_cmd_wait(d);
}

static void step_usb_setup(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	if (b[0] > 1) {
		da_nack(d, SIM_DA_INVALID_RANGE, "USB_SETUP_PORT speed other than 0/1");
		return;
	}
	dev_emit_u8(d, SIM_DA_ACK);
	if (b[0] == 0 || d->usb_speed == 1) {
		dev_trace(d, "DA", '<', "USB_SETUP_PORT %u: ACK, speed unchanged", b[0]);
		da_cmd_wait(d);
		return;
	}
	d->usb_speed = 1;
	d->reenumerate = true;
	dev_trace(d, "DA", '<', "USB_SETUP_PORT 1: ACK, re-enumerating at high speed");
	dev_event(d, SIM_EV_REENUMERATE, 1);
	da_cmd_wait(d);
	dev_close(d, "USB re-enumeration");
}

static void step_read_reg(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint32_t addr = 0;
	get_be32(b, n, 0, &addr);
	bool ok = regs_check(d, addr, 1, 32) == SIM_BROM_OK;
	uint32_t v = ok ? regs_read(d, addr, 32) : 0;
	dev_emit_be32(d, v);
	dev_emit_u8(d, ok ? SIM_DA_ACK : SIM_DA_NACK);
	dev_trace(d, "DA", '<', "READ_REG32 0x%08X = 0x%08X %s", addr, v, ok ? "ACK" : "NACK (no such register)");
	da_cmd_wait(d);
}

static void step_write_reg(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint32_t addr = 0, v = 0;
	get_be32(b, n, 0, &addr);
	get_be32(b, n, 4, &v);
	bool ok = regs_check(d, addr, 1, 32) == SIM_BROM_OK;
	if (ok)
		regs_write(d, addr, 32, v);
	dev_emit_u8(d, ok ? SIM_DA_ACK : SIM_DA_NACK);
	dev_trace(d, "DA", '<', "WRITE_REG32 0x%08X = 0x%08X %s", addr, v, ok ? "ACK" : "NACK (no such register)");
	da_cmd_wait(d);
}

static void step_watchdog(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint32_t timeout = 0;
	get_be32(b, n, 0, &timeout);
	d->wdt_disabled = false;
	dev_emit_u8(d, SIM_DA_ACK);
	dev_trace(d, "DA", '<', "ENABLE_WATCHDOG timeout=%u ms async=%u bootup=%u dlbit=%u no_rtc_reset=%u: ACK", timeout,
		  b[4], b[5], b[6], b[7]);
	da_cmd_wait(d);
}

static void step_finish(struct sim_dev *d, const uint8_t *b, size_t n)
{
	uint32_t mode = 0;
	get_be32(b, n, 0, &mode);
	dev_emit_u8(d, SIM_DA_ACK);
	d->finished = true;
	d->finish_mode = mode;
	dev_trace(d, "DA", '<', "FINISH mode=%u: ACK, reboot requested", mode);
	dev_event(d, SIM_EV_FINISH, mode);
	da_cmd_wait(d);
	dev_close(d, "reboot");
}

static void step_da_cmd(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	switch (b[0]) {
	case SIM_DA_USB_CHECK_STATUS:
		dev_emit_u8(d, SIM_DA_ACK);
		dev_emit_u8(d, d->usb_speed);
		dev_trace(d, "DA", '<', "USB_CHECK_STATUS: ACK speed=%u", d->usb_speed);
		da_cmd_wait(d);
		return;
	case SIM_DA_USB_SETUP_PORT: dev_expect(d, 1, step_usb_setup); return;
	case SIM_DA_SWITCH_PART:
		dev_emit_u8(d, SIM_DA_ACK);
		dev_expect(d, 1, step_switch_part);
		return;
	case SIM_DA_READ: dev_expect(d, 22, step_read_header); return;
	case SIM_DA_WRITE_DATA: dev_expect(d, 22, step_write_header); return;
	case SIM_DA_FORMAT: dev_expect(d, 20, step_format_header); return;
	case SIM_DA_READ_PMT: read_pmt(d); return;
	case SIM_DA_READ_REG32: dev_expect(d, 4, step_read_reg); return;
	case SIM_DA_WRITE_REG32: dev_expect(d, 8, step_write_reg); return;
	case SIM_DA_ENABLE_WATCHDOG: dev_expect(d, 8, step_watchdog); return;
	case SIM_DA_FINISH:
		dev_emit_u8(d, SIM_DA_ACK);
		dev_expect(d, 4, step_finish);
		return;
	default:
		dev_emit_u8(d, SIM_DA_UNKNOWN_CMD);
		dev_trace(d, "DA", '<', "0x%02X: unknown command, answered 0xBB", b[0]);
		da_cmd_wait(d);
	}
}
