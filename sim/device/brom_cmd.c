/* Power-on, the handshake and the BootROM / preloader command loop (docs/protocol.md, "BROM / preloader
 * commands"): every command byte and every u32 argument is echoed; status words are u16 BE;
 * unknown commands are echoed and ignored. BROM and preloader differ in GET_BL_VER (BROM echoes
 * 0xFE, the preloader answers its version byte) and in E1/E7/FF, which only the BROM has. */
#include "dev_internal.h"

#include <stdlib.h>
#include <string.h>

#include "dablob.h"
#include "util/bytes.h"

#define WDT_RESET_VALUE 0x00000001u /* [I] enabled after power-on; the host must disable it */

static void step_cmd(struct sim_dev *d, const uint8_t *b, size_t n);

static bool is_brom(const struct sim_dev *d) { return d->cfg.mode == SIM_MODE_BROM; }
static const char *layer(const struct sim_dev *d) { return is_brom(d) ? "BROM" : "PL"; }

static void step_handshake(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	uint8_t v = b[0], want = sim_hs_seq[d->hs_index];
	if (v != want) {
		/* Wrong byte: answer something that is not the complement and start over. */
		dev_trace(d, "HS", '>', "0x%02X (expected 0x%02X) -> 0x%02X, restart", v, want, (uint8_t)(v + 1));
		dev_emit_u8(d, (uint8_t)(v + 1));
		d->hs_index = 0;
		dev_expect(d, 1, step_handshake);
		return;
	}
	dev_emit_u8(d, (uint8_t)~v);
	dev_trace(d, "HS", '>', "0x%02X -> 0x%02X (%u/4)", v, (uint8_t)~v, d->hs_index + 1);
	if (++d->hs_index < SIM_HS_LEN) {
		dev_expect(d, 1, step_handshake);
		return;
	}
	dev_trace(d, "HS", '!', "handshake complete: %s command mode", is_brom(d) ? "BROM" : "preloader");
	d->hs_deadline = UINT64_MAX;
	d->window_deadline = UINT64_MAX; /* the preloader stays in download mode */
	d->state = ST_BROM;
	dev_phase(d, SIM_OP_BROM, 0);
	dev_expect(d, 1, step_cmd);
}

/* ---------- preloader listening (usb_listen, docs/sim.md "Preloader listening") ---------- */

/* Listening: host bytes wait in the USB FIFO until the next 20 ms poll. */
static void step_listen(struct sim_dev *d, const uint8_t *b, size_t n)
{
	if (d->fifo_len + n <= sizeof d->fifo) {
		memcpy(d->fifo + d->fifo_len, b, n);
		d->fifo_len += n;
	} else {
		dev_trace(d, "PL", '>', "0x%02X: FIFO full, byte lost", b[0]);
	}
	dev_expect(d, 1, step_listen);
}

static void listen_start(struct sim_dev *d)
{
	d->listening = true;
	d->hs_index = 0;
	d->hs_deadline = UINT64_MAX;
	d->next_poll = d->now; /* usb_listen polls at once, then every 20 ms */
	dev_expect(d, 1, step_listen);
}

/* usb_listen found A0 at the start of a chunk: the chunk is dropped unanswered ("ignore garbage
 * data") and usbdl_handler gives the host 300 ms to complete A0 0A 50 05; bytes still in the FIFO
 * after the chunk are the first ones usbdl_check_start_command reads. */
static void listen_enter_handshake(struct sim_dev *d, size_t chunk)
{
	dev_trace(d, "PL", '>', "poll: %zu byte(s) from 0xA0 dropped unanswered; %u ms for the start command",
		  chunk, SIM_PL_HANDSHAKE_MS);
	size_t rest = d->fifo_len - chunk;
	uint8_t tail[SIM_PL_FIFO];
	memcpy(tail, d->fifo + chunk, rest);
	d->fifo_len = 0;
	d->listening = false;
	d->hs_index = 0;
	d->hs_deadline = d->now + SIM_PL_HANDSHAKE_MS;
	dev_expect(d, 1, step_handshake);
	dev_replay(d, tail, rest);
}

/* One poll of usb_listen: READY while a tool is present, the listen timeout, then a chunk of up to
 * 8 bytes. A chunk that does not start with A0 is a tool token (META, FACTORY, ...): 8 of them end
 * the listening, and the sim knows no token, so the phone boots on. */
static void listen_poll(struct sim_dev *d)
{
	if (d->cfg.tool_present)
		dev_emit(d, "READY", 5);
	if (d->now >= d->window_deadline) {
		dev_trace(d, "PL", '!', "no handshake within %u ms: the preloader boots on", d->cfg.preloader_window_ms);
		dev_event(d, SIM_EV_WINDOW_CLOSED, 0);
		dev_close(d, "preloader window closed");
		return;
	}
	if (!d->fifo_len)
		return;
	size_t chunk = d->fifo_len < SIM_PL_CHUNK ? d->fifo_len : SIM_PL_CHUNK;
	if (d->fifo[0] == sim_hs_seq[0]) {
		listen_enter_handshake(d, chunk);
		return;
	}
	if (chunk > SIM_PL_CHUNK - d->token_len)
		chunk = SIM_PL_CHUNK - d->token_len;
	dev_trace(d, "PL", '>', "poll: %zu byte(s) of a tool token (no 0xA0 first)", chunk);
	d->token_len += chunk;
	memmove(d->fifo, d->fifo + chunk, d->fifo_len - chunk);
	d->fifo_len -= chunk;
	if (d->token_len == SIM_PL_CHUNK) {
		dev_event(d, SIM_EV_WINDOW_CLOSED, 0);
		dev_close(d, "8 bytes without 0xA0: an unknown tool token, the preloader boots on");
	}
}

void brom_listen_tick(struct sim_dev *d)
{
	if (d->listening && d->now >= d->next_poll) {
		while (d->next_poll <= d->now)
			d->next_poll += SIM_PL_POLL_MS;
		listen_poll(d);
	} else if (!d->listening && d->now >= d->hs_deadline) {
		/* usbdl_check_start_command timed out: usb_listen goes on, polling at once */
		dev_trace(d, "PL", '!', "start command not completed within %u ms: listening again",
			  SIM_PL_HANDSHAKE_MS);
		listen_start(d);
		brom_listen_tick(d);
	}
}

void brom_power_on(struct sim_dev *d)
{
	d->state = ST_HANDSHAKE;
	d->hs_index = 0;
	d->dram_ready = !is_brom(d); /* the preloader has initialised DRAM before it listens */
	d->wdt_mode = WDT_RESET_VALUE;
	d->wdt_disabled = false;
	d->regs.n = 0;
	memset(d->sram, 0, SIM_SRAM_SIZE);
	free(d->da2);
	d->da2 = NULL;
	d->da2_len = d->da2_have = 0;
	d->part = SIM_PART_USER;
	d->usb_speed = d->cfg.pers.usb_speed;
	d->finished = false;
	d->reenumerate = false;
	d->listening = false;
	d->fifo_len = d->token_len = 0;
	d->hs_deadline = UINT64_MAX;
	d->window_deadline = UINT64_MAX;
	dev_sub_end(d);
	dev_phase(d, SIM_OP_HANDSHAKE, 0);
	if (is_brom(d)) {
		dev_expect(d, 1, step_handshake); /* BROM answers every byte at once [I] */
		return;
	}
	if (d->cfg.preloader_window_ms)
		d->window_deadline = d->now + d->cfg.preloader_window_ms;
	listen_start(d);
	brom_listen_tick(d);
}

static void next_cmd(struct sim_dev *d)
{
	dev_sub_end(d);
	dev_expect(d, 1, step_cmd);
}

/* ---------- READ16/32, WRITE16/32 ---------- */

static unsigned width_of(uint8_t cmd) { return cmd == SIM_BROM_READ16 || cmd == SIM_BROM_WRITE16 ? 16 : 32; }

static void emit_value(struct sim_dev *d, unsigned width, uint32_t v)
{
	if (width == 16)
		dev_emit_be16(d, (uint16_t)v);
	else
		dev_emit_be32(d, v);
}

static void do_read(struct sim_dev *d)
{
	uint32_t addr = d->arg[0], count = d->arg[1];
	unsigned width = width_of(d->cmd);
	uint16_t st = regs_check(d, addr, count, width);
	dev_trace(d, layer(d), '<', "READ%u addr=0x%08x count=%u status=0x%04x", width, addr, count, st);
	dev_emit_be16(d, st);
	if (st == SIM_BROM_OK) {
		for (uint32_t i = 0; i < count; i++)
			emit_value(d, width, regs_read(d, addr + i * (width / 8), width));
		dev_emit_be16(d, SIM_BROM_OK);
	}
	next_cmd(d);
}

static void step_write_value(struct sim_dev *d, const uint8_t *b, size_t n)
{
	unsigned width = width_of(d->cmd);
	uint32_t v = width == 16 ? (uint32_t)(b[0] << 8 | b[1]) : (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
									   (uint32_t)b[2] << 8 | b[3];
	dev_emit(d, b, n); /* each value is echoed */
	uint32_t addr = d->arg[0] + d->idx * (width / 8);
	dev_trace(d, layer(d), '>', "WRITE%u [0x%08x] = 0x%0*x", width, addr, (int)(width / 4), v);
	regs_write(d, addr, width, v);
	if (++d->idx < d->arg[1]) {
		dev_expect(d, width / 8, step_write_value);
		return;
	}
	dev_emit_be16(d, SIM_BROM_OK);
	next_cmd(d);
}

static void do_write(struct sim_dev *d)
{
	uint32_t addr = d->arg[0], count = d->arg[1];
	unsigned width = width_of(d->cmd);
	uint16_t st = regs_check(d, addr, count, width);
	dev_trace(d, layer(d), '<', "WRITE%u addr=0x%08x count=%u status=0x%04x", width, addr, count, st);
	dev_emit_be16(d, st);
	if (st != SIM_BROM_OK) {
		next_cmd(d);
		return;
	}
	if (count == 0) {
		dev_emit_be16(d, SIM_BROM_OK);
		next_cmd(d);
		return;
	}
	d->idx = 0;
	dev_expect(d, width / 8, step_write_value);
}

/* ---------- SEND_DA / JUMP_DA ---------- */

/* XOR of the 16-bit little-endian words; an odd last byte is XORed in as a low byte. */
static uint16_t da_checksum(const uint8_t *b, size_t n)
{
	uint16_t x = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		x ^= (uint16_t)(b[i] | b[i + 1] << 8);
	if (n & 1)
		x ^= b[n - 1];
	return x;
}

static void step_da_data(struct sim_dev *d, const uint8_t *b, size_t n)
{
	memcpy(d->sram + (d->arg[0] - SIM_SRAM_BASE), b, n);
	uint16_t sum = da_checksum(b, n);
	dev_trace(d, layer(d), '<', "SEND_DA data %zu bytes at 0x%08x: checksum=0x%04x status=0x0000", n, d->arg[0],
		  sum);
	dev_emit_be16(d, sum);
	dev_emit_be16(d, SIM_BROM_OK);
	next_cmd(d);
}

static uint16_t send_da_status(const struct sim_dev *d)
{
	uint32_t addr = d->arg[0], len = d->arg[1], sig = d->arg[2];
	if (d->cfg.pers.target_config & SIM_TCFG_SLA)
		return SIM_BROM_SLA_REQUIRED;
	if (len == 0)
		return SIM_BROM_DA_LEN_IS_ZERO;
	if (sig > len)
		return SIM_BROM_DA_SIG_LEN_EXCEEDS_LEN;
	if (addr < SIM_SRAM_BASE || addr - SIM_SRAM_BASE > SIM_SRAM_SIZE || len > SIM_SRAM_SIZE - (addr - SIM_SRAM_BASE))
		return SIM_BROM_DA_INVALID_ADDR_AND_LEN;
	return SIM_BROM_OK;
}

static void do_send_da(struct sim_dev *d)
{
	uint16_t st = send_da_status(d);
	dev_trace(d, layer(d), '<', "SEND_DA addr=0x%08x len=0x%x sig_len=0x%x status=0x%04x", d->arg[0], d->arg[1],
		  d->arg[2], st);
	dev_emit_be16(d, st);
	if (st != SIM_BROM_OK) {
		next_cmd(d);
		return;
	}
	dev_sub_begin(d, SIM_OP_SEND_DA, d->arg[1]);
	dev_expect(d, d->arg[1], step_da_data);
}

static void do_jump_da(struct sim_dev *d)
{
	uint32_t addr = d->arg[0];
	bool in_sram = addr >= SIM_SRAM_BASE && addr - SIM_SRAM_BASE + SIM_DABLOB_HEADER_LEN <= SIM_SRAM_SIZE;
	uint16_t st = in_sram ? SIM_BROM_OK : SIM_BROM_DA_INVALID_JUMP_ADDR;
	dev_trace(d, layer(d), '<', "JUMP_DA addr=0x%08x status=0x%04x", addr, st);
	dev_emit_be16(d, st);
	if (st != SIM_BROM_OK) {
		next_cmd(d);
		return;
	}
	const uint8_t *code = d->sram + (addr - SIM_SRAM_BASE);
	struct sim_dablob_info info;
	if (!sim_dablob_parse(code, SIM_SRAM_SIZE - (addr - SIM_SRAM_BASE), 1, &info)) {
		dev_hang(d, "the code at the jump address is not a DA1 the sim can run (crashes: no sync byte)");
		return;
	}
	if (info.hw_code != d->cfg.pers.hw_code) {
		dev_trace(d, "DA1", '!', "DA1 built for hw_code 0x%04x, this chip is 0x%04x", info.hw_code,
			  d->cfg.pers.hw_code);
		dev_hang(d, "foreign DA1 (no sync byte)");
		return;
	}
	d->da_ver[0] = info.major;
	d->da_ver[1] = info.minor;
	d->da_ver[2] = info.extra;
	da1_start(d);
}

/* ---------- arguments ---------- */

static unsigned arg_count(uint8_t cmd)
{
	switch (cmd) {
	case SIM_BROM_SEND_DA: return 3;
	case SIM_BROM_JUMP_DA: return 1;
	default: return 2; /* READ16/32, WRITE16/32: addr, count */
	}
}

static void step_arg(struct sim_dev *d, const uint8_t *b, size_t n)
{
	dev_emit(d, b, n); /* each u32 argument is echoed */
	d->arg[d->idx++] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (d->idx < arg_count(d->cmd)) {
		dev_expect(d, 4, step_arg);
		return;
	}
	switch (d->cmd) {
	case SIM_BROM_READ16:
	case SIM_BROM_READ32: do_read(d); break;
	case SIM_BROM_WRITE16:
	case SIM_BROM_WRITE32: do_write(d); break;
	case SIM_BROM_SEND_DA: do_send_da(d); break;
	default: do_jump_da(d); break;
	}
}

/* ---------- simple commands ---------- */

static void unknown_cmd(struct sim_dev *d, uint8_t cmd)
{
	dev_emit_u8(d, cmd);
	dev_trace(d, layer(d), '>', "0x%02X: unknown command, echoed and ignored", cmd);
	next_cmd(d);
}

static void get_id(struct sim_dev *d, uint8_t cmd)
{
	bool me = cmd == SIM_BROM_GET_ME_ID;
	const uint8_t *id = me ? d->cfg.pers.me_id : d->cfg.pers.soc_id;
	uint32_t real = me ? sizeof d->cfg.pers.me_id : sizeof d->cfg.pers.soc_id;
	dev_emit_u8(d, cmd);
	dev_sub_begin(d, SIM_OP_ME_ID, real);
	dev_emit_be32(d, dev_fault_length(d, SIM_OP_ME_ID, real));
	dev_emit(d, id, real);
	dev_emit_be16(d, SIM_BROM_OK);
	dev_trace(d, "BROM", '<', "%s len=%u status=0x0000", me ? "GET_ME_ID" : "GET_SOC_ID", real);
	next_cmd(d);
}

static void simple_cmd(struct sim_dev *d, uint8_t cmd)
{
	const struct sim_personality *p = &d->cfg.pers;
	dev_emit_u8(d, cmd);
	if (cmd == SIM_BROM_GET_HW_CODE) {
		dev_emit_be16(d, p->hw_code);
		dev_emit_be16(d, SIM_BROM_OK);
		dev_trace(d, layer(d), '<', "GET_HW_CODE hw_code=0x%04x status=0x0000", p->hw_code);
	} else if (cmd == SIM_BROM_GET_HW_SW_VER) {
		dev_emit_be16(d, p->hw_subcode);
		dev_emit_be16(d, p->hw_ver);
		dev_emit_be16(d, p->sw_ver);
		dev_emit_be16(d, SIM_BROM_OK);
		dev_trace(d, layer(d), '<', "GET_HW_SW_VER subcode=0x%04x hw_ver=0x%04x sw_ver=0x%04x status=0x0000",
			  p->hw_subcode, p->hw_ver, p->sw_ver);
	} else { /* GET_TARGET_CONFIG */
		dev_emit_be32(d, p->target_config);
		dev_emit_be16(d, SIM_BROM_OK);
		dev_trace(d, layer(d), '<', "GET_TARGET_CONFIG cfg=0x%08x status=0x0000", p->target_config);
	}
	next_cmd(d);
}

static void step_cmd(struct sim_dev *d, const uint8_t *b, size_t n)
{
	(void)n;
	uint8_t cmd = b[0];
	d->cmd = cmd;
	switch (cmd) {
	case SIM_BROM_GET_HW_CODE:
	case SIM_BROM_GET_HW_SW_VER:
	case SIM_BROM_GET_TARGET_CONFIG:
		simple_cmd(d, cmd);
		return;
	case SIM_BROM_GET_BL_VER: {
		/* No echo: BROM answers FE itself, the preloader its version byte. */
		uint8_t v = is_brom(d) ? SIM_BROM_GET_BL_VER : d->cfg.pers.bl_ver;
		dev_emit_u8(d, v);
		dev_trace(d, layer(d), '<', "GET_BL_VER -> 0x%02X (%s)", v, is_brom(d) ? "BROM" : "preloader version");
		next_cmd(d);
		return;
	}
	case SIM_BROM_GET_VERSION:
		if (!is_brom(d))
			break;
		dev_emit_u8(d, d->cfg.pers.brom_ver); /* answered without an echo */
		dev_trace(d, "BROM", '<', "GET_VERSION -> 0x%02X", d->cfg.pers.brom_ver);
		next_cmd(d);
		return;
	case SIM_BROM_GET_ME_ID:
	case SIM_BROM_GET_SOC_ID:
		if (!is_brom(d))
			break;
		get_id(d, cmd);
		return;
	case SIM_BROM_READ16:
	case SIM_BROM_READ32:
	case SIM_BROM_WRITE16:
	case SIM_BROM_WRITE32:
	case SIM_BROM_SEND_DA:
	case SIM_BROM_JUMP_DA:
		dev_emit_u8(d, cmd);
		d->idx = 0;
		dev_expect(d, 4, step_arg);
		return;
	default:
		break;
	}
	unknown_cmd(d, cmd);
}
