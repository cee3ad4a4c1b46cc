/* Legacy DA core, the commands that move data or answer values (unifw/da_legacy.h; the object and the
 * command-ACK table are in da_legacy.c): USB_CHECK_STATUS, READ, SDMMC_WRITE_DATA, FORMAT,
 * SDMMC_READ_PMT, READ_REG32. Sources: da_legacy.c's header and docs/transport.md "Legacy DA". */
#include "proto/da_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/bytesum.h"

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
		/* The whole header before the ACK: a DA that ACKs after the length (one public host sends
		 * the packet size after it; docs/transport.md "Host choices") finds it waiting. */
		return proto_send(p, 1, m, sizeof m, "READ header");
	}
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, "ACK of the READ header");
	case 2:
		if (p->rx[0] == UNIFW_DA_ACK)
			return read_next_packet(da);
		/* docs/transport.md "Host choices": on a refusal the host answers NACK and reads a little-endian
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
	if ((rc = da_ensure_buf(da, len < packet ? (size_t)len : packet)))
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
	if ((rc = da_ensure_buf(da, 2 * stride))) /* two packets: one on the wire, one being prepared */
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
		/* storage, 00 = erase, 00 = no validation, 00 = logical addresses (docs/protocol.md "Legacy DA commands") */
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

/* READ_REG32: 7A, addr; the DA answers the value and then ACK (docs/transport.md "Host choices"). */
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
