/* Host side of the BootROM / preloader protocol as sans-io operations (see unifw/brom.h).
 * Byte layouts: docs/protocol.md "Handshake" and "BROM / preloader commands", which names the
 * public implementations they were checked against (read, write, send_da, jump_da,
 * get_target_config, get_meid; the echo rules). */
#include "unifw/brom.h"

#include <stdlib.h>
#include <string.h>

#include "proto/engine.h"
#include "util/bytes.h"

#define BROM_TIMEOUT_MS 5000          /* a command answer */
#define BROM_DA_CHECK_TIMEOUT_MS 10000 /* checksum after a DA upload */
#define BROM_DA_CHUNK 4096             /* upload granularity (progress only; the stream is the same) */
#define BROM_DRAIN_MAX 4096            /* stale bytes discarded before a handshake restart */

static const uint8_t handshake_seq[4] = {0xA0, 0x0A, 0x50, 0x05};

/* The device answers each handshake byte with its complement (5F F5 AF FA). */
static uint8_t handshake_answer(size_t i)
{
	return (uint8_t)(0xFFu ^ handshake_seq[i]);
}

struct unifw_brom {
	struct unifw_proto p;
	struct unifw_brom_info info;

	/* arguments and progress of the running operation */
	uint32_t addr;
	size_t count, index;
	uint32_t values[UNIFW_BROM_MAX_WORDS];
	const uint8_t *data;
	size_t len, sent, chunk;
	uint32_t sig_len;

	/* handshake */
	unsigned byte_timeout_ms, max_attempts;
	size_t drained;
	bool last_timed_out;
	uint8_t last_answer;
};

static struct unifw_brom *brom_of(struct unifw_proto *p)
{
	return p->owner;
}

struct unifw_brom *unifw_brom_new(void)
{
	struct unifw_brom *b = calloc(1, sizeof *b);
	if (b)
		proto_init(&b->p, "brom", b);
	return b;
}

void unifw_brom_free(struct unifw_brom *b)
{
	free(b);
}

struct unifw_proto *unifw_brom_proto(struct unifw_brom *b)
{
	return &b->p;
}

const struct unifw_brom_info *unifw_brom_info(const struct unifw_brom *b)
{
	return &b->info;
}

const char *unifw_brom_mode_name(enum unifw_brom_mode mode)
{
	switch (mode) {
	case UNIFW_BROM_MODE_BROM: return "brom";
	case UNIFW_BROM_MODE_PRELOADER: return "preloader";
	case UNIFW_BROM_MODE_UNKNOWN: break;
	}
	return "unknown";
}

uint16_t unifw_brom_da_checksum(const uint8_t *data, size_t len)
{
	uint16_t sum = 0;
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		sum ^= (uint16_t)(data[i] | data[i + 1] << 8);
	if (i < len)
		sum ^= data[i];
	return sum;
}

/* Status words: 0 = OK. Other hosts accept up to 0xFF and treat anything above as an error (docs/transport.md);
 * docs/protocol.md lists >= 0x1000 as errors. Anything above 0xFF stops us. */
static int check_status(struct unifw_brom *b, uint16_t status)
{
	b->info.last_status = status;
	if (status == UNIFW_BROM_STATUS_SLA_REQUIRED)
		return proto_fail(&b->p, UNIFW_E_UNSUPPORTED,
				  "the device requires SLA authentication (status 0x%04x); unifw does not bypass it",
				  status);
	if (status > 0xFF)
		return proto_fail(&b->p, UNIFW_E_DEVICE, "expected status 0x0000, found error status 0x%04x", status);
	return 0;
}

/* ---- handshake ---- */

/* One more attempt, or the failure when they are used up. */
static int handshake_attempt_failed(struct unifw_brom *b)
{
	struct unifw_proto *p = &b->p;
	b->info.handshake_attempts++;
	if (b->info.handshake_attempts <= b->max_attempts)
		return 0;
	if (b->last_timed_out)
		return proto_fail(p, UNIFW_E_TIMEOUT, "no handshake after %u attempts: the device did not answer %02x within %u ms",
				  b->max_attempts, handshake_seq[b->index], b->byte_timeout_ms);
	return proto_fail(p, UNIFW_E_DEVICE, "no handshake after %u attempts: sent %02x, expected %02x, found %02x",
			  b->max_attempts, handshake_seq[b->index], handshake_answer(b->index), b->last_answer);
}

static int handshake_restart(struct unifw_brom *b)
{
	struct unifw_proto *p = &b->p;
	int rc = handshake_attempt_failed(b);
	if (rc < 0)
		return rc;
	/* Whatever the device still has in flight (late answers, a preloader banner) would shift every
	 * later answer by a byte: discard until it is quiet, then start again from A0. */
	b->drained = 0;
	b->index = 0;
	return proto_recv_or_timeout(p, 3, 1, b->byte_timeout_ms, "draining before a handshake restart");
}

/* Before the first A0 is acknowledged, bytes that are not 5F are not answers: a preloader whose host
 * raised DTR sends "READY" every 20 ms while it listens (docs/protocol.md "When the device listens"). They are skipped. */
static int handshake_stray(struct unifw_brom *b)
{
	b->last_answer = b->p.rx[0];
	if (++b->drained > BROM_DRAIN_MAX)
		return proto_fail(&b->p, UNIFW_E_DEVICE, "the device keeps sending (%u bytes) instead of answering",
				  BROM_DRAIN_MAX);
	return proto_recv_or_timeout(&b->p, 2, 1, b->byte_timeout_ms, "handshake answer");
}

static int op_handshake(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		b->index = 0;
		b->drained = 0;
		b->info.handshake_done = false;
		b->info.handshake_attempts = 1;
		return proto_send_u8(p, 1, handshake_seq[0], "handshake byte");
	case 1:
		return proto_recv_or_timeout(p, 2, 1, b->byte_timeout_ms, "handshake answer");
	case 2:
		/* silent: nothing at all came in this attempt (stray bytes are an answer, a wrong one) */
		b->last_timed_out = p->timed_out && b->drained == 0;
		if (!p->timed_out && b->index == 0 && p->rx[0] != handshake_answer(0))
			return handshake_stray(b);
		if (p->timed_out && b->index == 0) {
			/* Nothing in flight: a preloader drops the first chunk that starts with A0 unanswered
			 * (usb_listen), so A0 goes again at once, well inside its 300 ms. */
			int rc = handshake_attempt_failed(b);
			b->drained = 0;
			return rc < 0 ? rc : proto_send_u8(p, 1, handshake_seq[0], "handshake byte");
		}
		if (p->timed_out || p->rx[0] != handshake_answer(b->index)) {
			b->last_timed_out = p->timed_out;
			b->last_answer = p->timed_out ? 0 : p->rx[0];
			return handshake_restart(b);
		}
		if (++b->index == sizeof handshake_seq) {
			b->info.handshake_done = true;
			return proto_done(p);
		}
		return proto_send_u8(p, 1, handshake_seq[b->index], "handshake byte");
	case 3:
		if (p->timed_out)
			return proto_send_u8(p, 1, handshake_seq[0], "handshake byte");
		if (++b->drained > BROM_DRAIN_MAX)
			return proto_fail(p, UNIFW_E_DEVICE, "the device keeps sending (%u bytes) instead of answering",
					  BROM_DRAIN_MAX);
		return proto_recv_or_timeout(p, 3, 1, b->byte_timeout_ms, "draining before a handshake restart");
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_handshake(struct unifw_brom *b, const struct unifw_brom_handshake_opts *opts)
{
	int idle = proto_check_idle(&b->p, "HANDSHAKE");
	if (idle)
		return idle;
	b->byte_timeout_ms = opts && opts->byte_timeout_ms ? opts->byte_timeout_ms : 100;
	b->max_attempts = opts && opts->max_attempts ? opts->max_attempts : 50;
	return proto_begin(&b->p, "HANDSHAKE", op_handshake);
}

/* ---- identification ---- */

static int op_get_hw_code(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_GET_HW_CODE, "command echo");
	case 1:
		return proto_recv(p, 2, 4, BROM_TIMEOUT_MS, "hw code and status");
	case 2:
		if (check_status(b, proto_rx_be16(p, 2)))
			return p->err.code;
		b->info.hw_code = proto_rx_be16(p, 0);
		b->info.have_hw_code = true;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_get_hw_code(struct unifw_brom *b)
{
	return proto_begin(&b->p, "GET_HW_CODE", op_get_hw_code);
}

static int op_get_hw_sw_ver(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_GET_HW_SW_VER, "command echo");
	case 1:
		return proto_recv(p, 2, 8, BROM_TIMEOUT_MS, "hw subcode, hw ver, sw ver and status");
	case 2:
		if (check_status(b, proto_rx_be16(p, 6)))
			return p->err.code;
		b->info.hw_subcode = proto_rx_be16(p, 0);
		b->info.hw_ver = proto_rx_be16(p, 2);
		b->info.sw_ver = proto_rx_be16(p, 4);
		b->info.have_hw_sw_ver = true;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_get_hw_sw_ver(struct unifw_brom *b)
{
	return proto_begin(&b->p, "GET_HW_SW_VER", op_get_hw_sw_ver);
}

/* The BROM echoes FE; the preloader does not echo it but answers its version byte instead
 * (docs/protocol.md "BROM / preloader commands"). No echo check here: the answer IS the information. */
static int op_get_bl_ver(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		return proto_send_u8(p, 1, UNIFW_BROM_CMD_GET_BL_VER, "command");
	case 1:
		return proto_recv(p, 2, 1, BROM_TIMEOUT_MS, "echo (BROM) or bootloader version (preloader)");
	case 2:
		b->info.bl_ver = p->rx[0];
		b->info.have_bl_ver = true;
		b->info.mode = p->rx[0] == UNIFW_BROM_CMD_GET_BL_VER ? UNIFW_BROM_MODE_BROM : UNIFW_BROM_MODE_PRELOADER;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_get_bl_ver(struct unifw_brom *b)
{
	return proto_begin(&b->p, "GET_BL_VER", op_get_bl_ver);
}

/* GET_VERSION answers one byte. The MT6572 preloader has no FF command: it echoes unknown
 * commands, so an FF from a preloader is "no BROM version", not version 255. */
static int op_get_version(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		return proto_send_u8(p, 1, UNIFW_BROM_CMD_GET_VERSION, "command");
	case 1:
		return proto_recv(p, 2, 1, BROM_TIMEOUT_MS, "BROM version");
	case 2:
		b->info.brom_ver = p->rx[0];
		b->info.have_brom_ver = !(b->info.mode == UNIFW_BROM_MODE_PRELOADER && p->rx[0] == 0xFF);
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_get_version(struct unifw_brom *b)
{
	return proto_begin(&b->p, "GET_VERSION", op_get_version);
}

static int op_get_target_config(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_GET_TARGET_CONFIG, "command echo");
	case 1:
		return proto_recv(p, 2, 6, BROM_TIMEOUT_MS, "target config and status");
	case 2:
		if (check_status(b, proto_rx_be16(p, 4)))
			return p->err.code;
		b->info.target_config = proto_rx_be32(p, 0);
		b->info.sbc = b->info.target_config & UNIFW_BROM_CFG_SBC;
		b->info.sla = b->info.target_config & UNIFW_BROM_CFG_SLA;
		b->info.daa = b->info.target_config & UNIFW_BROM_CFG_DAA;
		b->info.have_target_config = true;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_get_target_config(struct unifw_brom *b)
{
	return proto_begin(&b->p, "GET_TARGET_CONFIG", op_get_target_config);
}

static int op_get_me_id(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		if (b->info.mode != UNIFW_BROM_MODE_BROM)
			return proto_fail(p, UNIFW_E_UNSUPPORTED,
					  "GET_ME_ID exists only in BROM mode (mode is %s; run GET_BL_VER first)",
					  unifw_brom_mode_name(b->info.mode));
		b->info.me_id_len = 0;
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_GET_ME_ID, "command echo");
	case 1:
		return proto_recv(p, 2, 4, BROM_TIMEOUT_MS, "ME ID length");
	case 2: {
		uint32_t n = proto_rx_be32(p, 0);
		if (n == 0 || n > UNIFW_BROM_MAX_ME_ID)
			return proto_fail(p, UNIFW_E_TOO_BIG, "expected an ME ID length of 1..%u, found %u (0x%08x)",
					  UNIFW_BROM_MAX_ME_ID, n, n);
		b->count = n;
		return proto_recv_into(p, 3, b->info.me_id, n, BROM_TIMEOUT_MS, "ME ID");
	}
	case 3:
		return proto_recv(p, 4, 2, BROM_TIMEOUT_MS, "status");
	case 4:
		/* read little-endian by some hosts (docs/protocol.md); only 0 is OK either way. */
		if (check_status(b, proto_rx_be16(p, 0)))
			return p->err.code;
		b->info.me_id_len = b->count;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_get_me_id(struct unifw_brom *b)
{
	return proto_begin(&b->p, "GET_ME_ID", op_get_me_id);
}

/* ---- memory access ---- */

/* READ32: cmd, addr, count (each echoed), status, count x u32, status. */
static int op_read32(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		if (b->count == 0 || b->count > UNIFW_BROM_MAX_WORDS)
			return proto_fail(p, UNIFW_E_INVALID, "READ32 of %zu words (1..%d allowed)", b->count,
					  UNIFW_BROM_MAX_WORDS);
		b->info.words = 0;
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_READ32, "command echo");
	case 1:
		return proto_echo_be32(p, 2, b->addr, "echo of the address");
	case 2:
		return proto_echo_be32(p, 3, (uint32_t)b->count, "echo of the word count");
	case 3:
		return proto_recv(p, 4, 2, BROM_TIMEOUT_MS, "status after the arguments");
	case 4:
		if (check_status(b, proto_rx_be16(p, 0)))
			return p->err.code;
		return proto_recv(p, 5, 4 * b->count, BROM_TIMEOUT_MS, "values");
	case 5:
		for (size_t i = 0; i < b->count; i++)
			b->info.word[i] = proto_rx_be32(p, 4 * i);
		return proto_recv(p, 6, 2, BROM_TIMEOUT_MS, "final status");
	case 6:
		if (check_status(b, proto_rx_be16(p, 0)))
			return p->err.code;
		b->info.words = b->count;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_read32(struct unifw_brom *b, uint32_t addr, size_t count)
{
	int idle = proto_check_idle(&b->p, "READ32");
	if (idle)
		return idle;
	b->addr = addr;
	b->count = count;
	return proto_begin(&b->p, "READ32", op_read32);
}

/* WRITE32: cmd, addr, count (echoed), status, each value (echoed), status. */
static int op_write32(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		if (b->count == 0 || b->count > UNIFW_BROM_MAX_WORDS)
			return proto_fail(p, UNIFW_E_INVALID, "WRITE32 of %zu words (1..%d allowed)", b->count,
					  UNIFW_BROM_MAX_WORDS);
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_WRITE32, "command echo");
	case 1:
		return proto_echo_be32(p, 2, b->addr, "echo of the address");
	case 2:
		return proto_echo_be32(p, 3, (uint32_t)b->count, "echo of the word count");
	case 3:
		return proto_recv(p, 4, 2, BROM_TIMEOUT_MS, "status after the arguments");
	case 4:
		if (check_status(b, proto_rx_be16(p, 0)))
			return p->err.code;
		b->index = 0;
		return proto_echo_be32(p, 5, b->values[0], "echo of a value");
	case 5:
		if (++b->index < b->count)
			return proto_echo_be32(p, 5, b->values[b->index], "echo of a value");
		return proto_recv(p, 6, 2, BROM_TIMEOUT_MS, "final status");
	case 6:
		if (check_status(b, proto_rx_be16(p, 0)))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_write32(struct unifw_brom *b, uint32_t addr, const uint32_t *values, size_t count)
{
	int idle = proto_check_idle(&b->p, "WRITE32");
	if (idle)
		return idle;
	b->addr = addr;
	b->count = values ? count : 0;
	if (values && count <= UNIFW_BROM_MAX_WORDS)
		memcpy(b->values, values, count * sizeof *values);
	return proto_begin(&b->p, "WRITE32", op_write32);
}

int unifw_brom_begin_disable_watchdog(struct unifw_brom *b, const struct unifw_chip *chip)
{
	if (!chip || !chip->watchdog_addr)
		return unifw_error_set(&b->p.err, UNIFW_E_INVALID, "brom WRITE32", UNIFW_NO_OFFSET,
				       "no watchdog address known for this chip");
	uint32_t v = chip->watchdog_disable;
	return unifw_brom_begin_write32(b, chip->watchdog_addr, &v, 1);
}

/* ---- download agent ---- */

static int send_da_next_chunk(struct unifw_brom *b)
{
	struct unifw_proto *p = &b->p;
	b->sent += b->chunk;
	proto_progress(p, b->sent, b->len);
	if (b->sent < b->len) {
		b->chunk = b->len - b->sent < BROM_DA_CHUNK ? b->len - b->sent : BROM_DA_CHUNK;
		return proto_send_ext(p, 6, b->data + b->sent, b->chunk, "DA data");
	}
	return proto_recv(p, 7, 4, BROM_DA_CHECK_TIMEOUT_MS, "checksum and status after the data");
}

/* SEND_DA: cmd, addr, length, signature length (each echoed), status (0x1D0D = SLA), the raw data
 * (not echoed), then checksum u16 and status u16. */
static int op_send_da(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		if (!b->data || b->len == 0 || b->len > UNIFW_BROM_MAX_DA_SIZE)
			return proto_fail(p, UNIFW_E_INVALID, "DA image of %zu bytes (1..%u allowed)", b->len,
					  UNIFW_BROM_MAX_DA_SIZE);
		if (b->sig_len > b->len)
			return proto_fail(p, UNIFW_E_INVALID, "signature length %u exceeds the DA length %zu", b->sig_len,
					  b->len);
		b->info.da_checksum_host = unifw_brom_da_checksum(b->data, b->len);
		b->sent = 0;
		proto_progress(p, 0, b->len);
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_SEND_DA, "command echo");
	case 1:
		return proto_echo_be32(p, 2, b->addr, "echo of the load address");
	case 2:
		return proto_echo_be32(p, 3, (uint32_t)b->len, "echo of the length");
	case 3:
		return proto_echo_be32(p, 4, b->sig_len, "echo of the signature length");
	case 4:
		return proto_recv(p, 5, 2, BROM_TIMEOUT_MS, "status after the arguments");
	case 5:
		if (check_status(b, proto_rx_be16(p, 0)))
			return p->err.code;
		b->chunk = 0;
		return send_da_next_chunk(b);
	case 6:
		return send_da_next_chunk(b);
	case 7:
		b->info.da_checksum_device = proto_rx_be16(p, 0);
		if (b->info.da_checksum_device != b->info.da_checksum_host)
			return proto_fail(p, UNIFW_E_DEVICE,
					  "checksum: the host computed 0x%04x over %zu bytes, the device 0x%04x "
					  "(bytes were lost or damaged on the way)",
					  b->info.da_checksum_host, b->len, b->info.da_checksum_device);
		if (check_status(b, proto_rx_be16(p, 2)))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_send_da(struct unifw_brom *b, uint32_t addr, const uint8_t *data, size_t len, uint32_t sig_len)
{
	int idle = proto_check_idle(&b->p, "SEND_DA");
	if (idle)
		return idle;
	b->addr = addr;
	b->data = data;
	b->len = len;
	b->sig_len = sig_len;
	return proto_begin(&b->p, "SEND_DA", op_send_da);
}

static int op_jump_da(struct unifw_proto *p)
{
	struct unifw_brom *b = brom_of(p);
	switch (p->pc) {
	case 0:
		return proto_echo_u8(p, 1, UNIFW_BROM_CMD_JUMP_DA, "command echo");
	case 1:
		return proto_echo_be32(p, 2, b->addr, "echo of the jump address");
	case 2:
		return proto_recv(p, 3, 2, BROM_TIMEOUT_MS, "status");
	case 3:
		if (check_status(b, proto_rx_be16(p, 0)))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

int unifw_brom_begin_jump_da(struct unifw_brom *b, uint32_t addr)
{
	int idle = proto_check_idle(&b->p, "JUMP_DA");
	if (idle)
		return idle;
	b->addr = addr;
	return proto_begin(&b->p, "JUMP_DA", op_jump_da);
}
